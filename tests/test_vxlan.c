/*
 * test_vxlan — VXLAN (dissectors/tunnel/vxlan.c): RFC 7348 on UDP 4789,
 * with the group policy extension's flags and ID.
 *
 * The 8-byte header is recorded field by field and the inner Ethernet frame
 * is dissected as a packet of its own; flags are shown, never enforced (RFC
 * 7348 §5: reserved bits are ignored), so the only bad VXLAN is a short one.
 */
#include <check.h>

#include "tunnel_util.h"

/* Offset of the VXLAN header in the frames below (Ethernet, IPv4, UDP). */
#define VX 42

/* Ethernet / IPv4 / UDP 4789 / VXLAN (flags, GBP, VNI) / Ethernet / IPv4 /
 * UDP "ping". */
static void build(struct tu_frame *f, uint16_t flags, uint16_t gbp,
		  uint32_t vni)
{
	tu_frame_init(f);
	tu_eth(f, 0x0800);
	size_t ip = tu_ipv4(f, 17);
	size_t udp = tun_udp(f, 4789);
	tu_put16(f, flags);
	tu_put16(f, gbp);
	tu_put32(f, vni << 8);
	tu_eth(f, 0x0800);
	tu_ipv4_udp(f);
	tun_udp_end(f, udp);
	tu_ipv4_end(f, ip);
}

static void check_valid(void)
{
	struct tu_frame f;
	build(&f, 0x0800, 0, 42);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp vxlan eth ip udp data");
	int l = tu_layer(pkt, "vxlan");
	ck_assert_uint_eq(pkt->layers[l].off, VX);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.flags"), 0x0800);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.flag_i"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.flag_g"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.flags_reserved"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.gbp"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.vni"), 42);
	ck_assert_uint_eq(tu_find(pkt, "vxlan.vni")->off, VX + 4);
	ck_assert_uint_eq(tu_find(pkt, "vxlan.vni")->len, 3);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.reserved8"), 0);
	/* the inner frame is a whole packet: its own Ethernet, IP and UDP */
	ck_assert_uint_eq(tu_count(pkt, "eth.type"), 2);
	ck_assert_uint_eq(tu_count(pkt, "udp.dstport"), 2);
	ck_assert_uint_eq(pkt->layers[l + 1].off, VX + 8);
	/* the inner packet speaks on the line */
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_UDP_ADDRS " UDP 96 Len=4");
}

START_TEST(valid)
{
	check_valid();
}
END_TEST

START_TEST(valid_group_policy)
{
	/* G, I, D and A set, group policy ID 0x1234, the largest VNI */
	struct tu_frame f;
	build(&f, 0x8848, 0x1234, 0xffffff);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.flag_g"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.flag_i"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.flag_d"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.flag_a"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.gbp"), 0x1234);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.vni"), 0xffffff);
}
END_TEST

START_TEST(valid_flags_not_enforced)
{
	/* I clear and reserved bits set: shown, and the frame still decoded */
	struct tu_frame f;
	build(&f, 0x0001, 0, 7);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp vxlan eth ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.flag_i"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.flags_reserved"), 1);
}
END_TEST

START_TEST(valid_info_no_inner_frame)
{
	/* a header and nothing after it: the empty inner Ethernet frame is
	 * malformed, VXLAN is whole and names its VNI */
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	size_t ip = tu_ipv4(&f, 17);
	size_t udp = tun_udp(&f, 4789);
	TU_PUT(&f, 0x08, 0, 0, 0, 0, 0, 0x2a, 0);
	tun_udp_end(&f, udp);
	tu_ipv4_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "ETH header cut short");
	ck_assert_int_eq(tun_status(pkt, "vxlan"), NS_LAYER_OK);
	ck_assert_str_eq(tun_info(pkt, "vxlan"), "VXLAN VNI 42");
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build(&f, 0x0800, 0, 42);
	/* every cut inside the VXLAN header */
	for (uint32_t cut = VX; cut < VX + 8; cut++) {
		struct ns_packet *pkt =
		    tu_dissect(TU_LT_EN10MB, f.b, cut, (uint32_t)f.n);
		tu_assert_truncated(pkt);
		int l = tu_layer(pkt, "vxlan");
		ck_assert_int_ge(l, 0);
		ck_assert_uint_eq(pkt->layers[l].status, NS_LAYER_TRUNCATED);
		ck_assert_int_eq(tu_layer(pkt, "eth") == 1, 1);
	}
	/* a cut inside the inner Ethernet header: VXLAN is whole */
	struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, VX + 8 + 6, f.n);
	tu_assert_truncated(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.vni"), 42);
	ck_assert_uint_eq(pkt->layers[tu_layer(pkt, "vxlan")].status,
			  NS_LAYER_OK);
}
END_TEST

START_TEST(malformed_inner)
{
	/* a bad inner IPv4 header is the inner layer's fault, not VXLAN's */
	struct tu_frame f;
	build(&f, 0x0800, 0, 42);
	f.b[VX + 8 + 14] = 0x43; /* IHL 3 */
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "IPv4");
	ck_assert_uint_eq(pkt->layers[tu_layer(pkt, "vxlan")].status,
			  NS_LAYER_OK);
	ck_assert_uint_eq(tu_uint(pkt, "vxlan.vni"), 42);
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build(&f, 0x0800, 0, 42);
	tu_dissect(TU_LT_EN10MB, f.b, VX + 3, f.n);
	check_valid();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vxlan");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid);
	tcase_add_test(tc, valid_group_policy);
	tcase_add_test(tc, valid_flags_not_enforced);
	tcase_add_test(tc, valid_info_no_inner_frame);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, malformed_inner);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
