/*
 * test_llc — IEEE 802.2 LLC and SNAP (dissectors/link/llc.c) after an
 * 802.3 length field: U frames (one control byte) and I/S frames (two),
 * SNAP with an EtherType (RFC 1042) or another OUI's PID, and RFC 2684
 * bridged Ethernet.
 */
#include <check.h>

#include "tunnel_util.h"

/* 802.3 header (length set by llc_end()) and LLC DSAP, SSAP, control. */
static void llc(struct tu_frame *f, uint8_t dsap, uint8_t ssap, uint8_t ctrl)
{
	tu_frame_init(f);
	tu_eth(f, 0);
	TU_PUT(f, dsap, ssap, ctrl);
}

static void llc_end(struct tu_frame *f)
{
	tu_set16(f, 12, (uint16_t)(f->n - 14));
}

/* An STP configuration BPDU as the Linux bridge sends it (35 bytes). */
static void build_stp(struct tu_frame *f)
{
	llc(f, 0x42, 0x42, 0x03);
	tu_zeros(f, 35);
	llc_end(f);
}

static void check_stp(void)
{
	struct tu_frame f;
	build_stp(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth llc data");
	ck_assert_uint_eq(tu_uint(pkt, "eth.len"), 38);
	ck_assert_uint_eq(tu_uint(pkt, "llc.dsap"), 0x42);
	ck_assert_uint_eq(tu_uint(pkt, "llc.ssap"), 0x42);
	ck_assert_uint_eq(tu_uint(pkt, "llc.control"), 0x03);
	ck_assert_uint_eq(tu_find(pkt, "llc.control")->len, 1);
	ck_assert_ptr_null(tu_find(pkt, "llc.oui"));
	ck_assert_uint_eq(tu_uint(pkt, "data.len"), 35);
	ck_assert(
	    tu_ends_with(tu_summary(pkt), " LLC 52 LLC, DSAP 0x42, SSAP 0x42"));
}

START_TEST(valid_stp)
{
	check_stp();
}
END_TEST

START_TEST(valid_snap_ethertype)
{
	/* RFC 1042: SNAP OUI 00-00-00, EtherType 0x0800, then IPv4 */
	struct tu_frame f;
	llc(&f, 0xaa, 0xaa, 0x03);
	TU_PUT(&f, 0x00, 0x00, 0x00, 0x08, 0x00);
	tu_ipv4_udp(&f);
	llc_end(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth llc ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "llc.oui"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "llc.type"), 0x0800);
	ck_assert_uint_eq(tu_find(pkt, "llc.type")->off, 20);
	ck_assert_str_eq(tun_info(pkt, "llc"), "LLC SNAP, OUI 0x000000, type "
					       "0x0800");
}
END_TEST

START_TEST(valid_snap_pids)
{
	/* Cisco's OUI (CDP): llc.cisco_pid, not handed on */
	struct tu_frame f;
	llc(&f, 0xaa, 0xaa, 0x03);
	TU_PUT(&f, 0x00, 0x00, 0x0c, 0x20, 0x00);
	tu_zeros(&f, 8);
	llc_end(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth llc data");
	ck_assert_uint_eq(tu_uint(pkt, "llc.cisco_pid"), 0x2000);
	ck_assert_ptr_null(tu_find(pkt, "llc.type"));
	/* RFC 2684 bridged Ethernet without FCS: 00-80-C2 PID 7, 2 pad */
	llc(&f, 0xaa, 0xaa, 0x03);
	TU_PUT(&f, 0x00, 0x80, 0xc2, 0x00, 0x07, 0x00, 0x00);
	tu_eth(&f, 0x0800);
	tu_ipv4_udp(&f);
	llc_end(&f);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth llc eth ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "llc.pid"), 7);
}
END_TEST

START_TEST(valid_information_frame)
{
	/* an I frame (LLC type 2): two control bytes, read little-endian */
	struct tu_frame f;
	llc(&f, 0xf0, 0xf0, 0x02);
	TU_PUT(&f, 0x05);
	tu_zeros(&f, 10);
	llc_end(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "llc.control"), 0x0502);
	ck_assert_uint_eq(tu_find(pkt, "llc.control")->len, 2);
	ck_assert_uint_eq(tu_layer(pkt, "data"), 3);
	ck_assert_uint_eq(pkt->layers[3].off, 18);
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	llc(&f, 0xaa, 0xaa, 0x03);
	TU_PUT(&f, 0x00, 0x00, 0x00, 0x08, 0x00);
	tu_ipv4_udp(&f);
	llc_end(&f);
	/* every cut in LLC and SNAP */
	for (uint32_t cut = 14; cut < 22; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		ck_assert_int_eq(tun_status(pkt, "llc"), NS_LAYER_TRUNCATED);
	}
}
END_TEST

START_TEST(malformed)
{
	/* an 802.3 length that ends inside the SNAP header of a whole frame
	 * (the Ethernet padding after it is not LLC's) */
	struct tu_frame f;
	llc(&f, 0xaa, 0xaa, 0x03);
	TU_PUT(&f, 0x00, 0x00);
	tu_set16(&f, 12, 5);
	tu_zeros(&f, 60 - f.n);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "LLC");
	ck_assert_int_eq(tun_status(pkt, "llc"), NS_LAYER_MALFORMED);
	ck_assert_ptr_null(tu_find(pkt, "llc.oui"));
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build_stp(&f);
	tu_dissect(TU_LT_EN10MB, f.b, 15, f.n);
	check_stp();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("llc");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid_stp);
	tcase_add_test(tc, valid_snap_ethertype);
	tcase_add_test(tc, valid_snap_pids);
	tcase_add_test(tc, valid_information_frame);
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
