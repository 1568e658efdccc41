/*
 * test_arp — ARP (RFC 826) and RARP (RFC 903) (dissectors/net/arp.c).
 *
 * Ethernet/IPv4 addresses become typed fields (arp.src.hw_mac …), any other
 * combination raw bytes (arp.src.hw …).  The summary follows tshark:
 * who-has/tell, is-at, gratuitous ARP, ARP probe (RFC 5227).
 */
#include <check.h>

#include "check_util.h"

static const uint8_t zero4[4], zero6[6];

/* eth (MAC_A → broadcast or MAC_B) / ARP Ethernet+IPv4 */
static void build(struct tu_frame *f, uint16_t op, const uint8_t sha[6],
		  const uint8_t spa[4], const uint8_t tha[6],
		  const uint8_t tpa[4])
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	tu_frame_init(f);
	tu_put(f, op == 1 ? bcast : tu_mac_b, 6);
	tu_put(f, tu_mac_a, 6);
	tu_put16(f, 0x0806);
	TU_PUT(f, 0x00, 0x01, 0x08, 0x00, 6, 4);
	tu_put16(f, op);
	tu_put(f, sha, 6);
	tu_put(f, spa, 4);
	tu_put(f, tha, 6);
	tu_put(f, tpa, 4);
}

static void check_request(void)
{
	struct tu_frame f;
	build(&f, 1, tu_mac_a, tu_ip4_a, zero6, tu_ip4_b);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth arp");
	ck_assert_uint_eq(tu_uint(pkt, "arp.hw.type"), 1);
	ck_assert_str_eq(tu_value(pkt, "arp.proto.type"), "0x0800");
	ck_assert_uint_eq(tu_uint(pkt, "arp.hw.size"), 6);
	ck_assert_uint_eq(tu_uint(pkt, "arp.proto.size"), 4);
	ck_assert_uint_eq(tu_uint(pkt, "arp.opcode"), 1);
	ck_assert_str_eq(tu_value(pkt, "arp.src.hw_mac"), TU_MAC_A);
	ck_assert_str_eq(tu_value(pkt, "arp.src.proto_ipv4"), TU_IP4_A);
	ck_assert_str_eq(tu_value(pkt, "arp.dst.hw_mac"), "00:00:00:00:00:00");
	ck_assert_str_eq(tu_value(pkt, "arp.dst.proto_ipv4"), TU_IP4_B);
	ck_assert_uint_eq(tu_find(pkt, "arp.dst.proto_ipv4")->off, 38);
	ck_assert_ptr_null(tu_find(pkt, "arp.src.hw"));
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_MAC_A TU_ARROW
			 "ff:ff:ff:ff:ff:ff ARP 42 Who has " TU_IP4_B
			 "? Tell " TU_IP4_A);
}

START_TEST(request)
{
	check_request();
}
END_TEST

START_TEST(reply)
{
	struct tu_frame f;
	build(&f, 2, tu_mac_b, tu_ip4_b, tu_mac_a, tu_ip4_a);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "arp.opcode"), 2);
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " ARP 42 " TU_IP4_B " is at " TU_MAC_B));
}
END_TEST

START_TEST(gratuitous_and_probe)
{
	struct tu_frame f;
	build(&f, 1, tu_mac_a, tu_ip4_a, zero6, tu_ip4_a);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " ARP 42 Gratuitous ARP for " TU_IP4_A
			       " (Request)"));
	build(&f, 2, tu_mac_a, tu_ip4_a, tu_mac_a, tu_ip4_a);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " ARP 42 Gratuitous ARP for " TU_IP4_A
			       " (Reply)"));
	build(&f, 1, tu_mac_a, zero4, zero6, tu_ip4_b);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " ARP 42 Who has " TU_IP4_B "? (ARP Probe)"));
}
END_TEST

START_TEST(other_opcodes)
{
	struct tu_frame f;
	build(&f, 3, tu_mac_a, zero4, tu_mac_a, zero4);
	tu_set16(&f, 12, 0x8035); /* RARP */
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth arp");
	ck_assert(tu_ends_with(tu_summary(pkt), " ARP 42 ARP reverse request"));
	build(&f, 99, tu_mac_a, tu_ip4_a, zero6, tu_ip4_b);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert(tu_ends_with(tu_summary(pkt), " ARP 42 ARP opcode 99"));
}
END_TEST

START_TEST(other_address_types)
{
	/* InfiniBand (32): 20-byte hardware addresses, IPv4 */
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x0806);
	TU_PUT(&f, 0x00, 0x20, 0x08, 0x00, 20, 4, 0x00, 0x01);
	for (int i = 0; i < 20; i++)
		TU_PUT(&f, (uint8_t)i);
	tu_put(&f, tu_ip4_a, 4);
	tu_zeros(&f, 20);
	tu_put(&f, tu_ip4_b, 4);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_ptr_null(tu_find(pkt, "arp.src.hw_mac"));
	ck_assert_str_eq(tu_value(pkt, "arp.src.hw"),
			 "000102030405060708090a0b0c0d0e0f10111213");
	ck_assert_str_eq(tu_value(pkt, "arp.src.proto_ipv4"), TU_IP4_A);
	ck_assert_uint_eq(tu_find(pkt, "arp.dst.hw")->v.b.n, 20);
	ck_assert(tu_ends_with(tu_summary(pkt), " ARP 70 ARP request"));
	/* zero-sized addresses: nothing to record, nothing to trip on */
	tu_frame_init(&f);
	tu_eth(&f, 0x0806);
	TU_PUT(&f, 0x00, 0x01, 0x08, 0x00, 0, 0, 0x00, 0x01);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth arp");
	ck_assert_ptr_null(tu_find(pkt, "arp.src.hw"));
	ck_assert_ptr_null(tu_find(pkt, "arp.src.hw_mac"));
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build(&f, 1, tu_mac_a, tu_ip4_a, zero6, tu_ip4_b);
	for (uint32_t cut = 14; cut < 42; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, 60);
		tu_assert_truncated(pkt);
		tu_assert_layers(pkt, "frame eth arp");
		ck_assert_uint_eq(pkt->layers[2].status, NS_LAYER_TRUNCATED);
	}
}
END_TEST

START_TEST(malformed)
{
	/* the sizes promise more than the whole frame holds */
	struct tu_frame f;
	build(&f, 1, tu_mac_a, tu_ip4_a, zero6, tu_ip4_b);
	f.b[18] = 255;
	f.b[19] = 255;
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "ARP header cut short");
	ck_assert_uint_eq(pkt->layers[2].status, NS_LAYER_MALFORMED);
	/* the fixed part was read */
	ck_assert_uint_eq(tu_uint(pkt, "arp.hw.size"), 255);
	ck_assert_ptr_null(tu_find(pkt, "arp.src.hw"));
	/* a frame that ends inside the addresses */
	build(&f, 1, tu_mac_a, tu_ip4_a, zero6, tu_ip4_b);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, 35);
	tu_assert_malformed(pkt, "ARP header cut short");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build(&f, 1, tu_mac_a, tu_ip4_a, zero6, tu_ip4_b);
	f.b[18] = 255;
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	check_request();
	tu_dissect(TU_LT_EN10MB, f.b, 30, 42);
	check_request();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("arp");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, request);
	tcase_add_test(tc, reply);
	tcase_add_test(tc, gratuitous_and_probe);
	tcase_add_test(tc, other_opcodes);
	tcase_add_test(tc, other_address_types);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
