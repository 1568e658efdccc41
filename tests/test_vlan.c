/*
 * test_vlan — IEEE 802.1Q tags (0x8100, 0x9100) and 802.1ad service tags
 * (0x88a8) (dissectors/link/vlan.c).
 *
 * TCI = priority (3 bits), DEI (1), VLAN ID (12); then an EtherType or an
 * 802.3 length, with the same 1501..1535 gap as Ethernet.
 */
#include <check.h>

#include "check_util.h"

/* eth / 802.1Q PRI 5 DEI 1 ID 100 / IPv4 / UDP "ping" */
static void build_tagged(struct tu_frame *f)
{
	tu_frame_init(f);
	tu_eth(f, 0x8100);
	tu_put16(f, 0xb064); /* 101 1 000001100100 */
	tu_put16(f, 0x0800);
	tu_ipv4_udp(f);
}

static void check_tagged(void)
{
	struct tu_frame f;
	build_tagged(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth vlan ip udp data");
	ck_assert_str_eq(tu_value(pkt, "eth.type"), "0x8100");
	ck_assert_uint_eq(tu_uint(pkt, "vlan.priority"), 5);
	ck_assert_str_eq(tu_value(pkt, "vlan.dei"), "1");
	ck_assert_uint_eq(tu_uint(pkt, "vlan.id"), 100);
	ck_assert_str_eq(tu_value(pkt, "vlan.etype"), "0x0800");
	ck_assert_uint_eq(tu_find(pkt, "vlan.etype")->off, 16);
	ck_assert_uint_eq(pkt->layers[2].off, 14);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_UDP_ADDRS " UDP 50 Len=4");
}

START_TEST(valid)
{
	check_tagged();
}
END_TEST

START_TEST(valid_summary_of_tag)
{
	/* nothing above the tag: its own summary */
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x8100);
	tu_put16(&f, 0x0fff); /* PRI 0, DEI 0, ID 4095 */
	tu_put16(&f, 0x88b5);
	tu_zeros(&f, 42);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth vlan data");
	ck_assert_uint_eq(tu_uint(pkt, "vlan.id"), 4095);
	ck_assert_uint_eq(tu_uint(pkt, "vlan.priority"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "vlan.dei"), 0);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_MAC_A TU_ARROW TU_MAC_B
			 " 802.1Q 60 802.1Q Virtual LAN, PRI: 0, ID: 4095, "
			 "type 0x88b5");
}
END_TEST

START_TEST(valid_9100)
{
	struct tu_frame f;
	build_tagged(&f);
	tu_set16(&f, 12, 0x9100);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth vlan ip udp data");
}
END_TEST

START_TEST(valid_qinq)
{
	/* S-tag 200 (802.1ad) outside, C-tag 100 inside */
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x88a8);
	tu_put16(&f, 0x60c8); /* PRI 3, DEI 0, ID 200 */
	tu_put16(&f, 0x8100);
	tu_put16(&f, 0x0064);
	tu_put16(&f, 0x88b5);
	tu_zeros(&f, 38);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ieee8021ad vlan data");
	ck_assert_uint_eq(tu_uint(pkt, "ieee8021ad.id"), 200);
	ck_assert_uint_eq(tu_uint(pkt, "ieee8021ad.priority"), 3);
	ck_assert_str_eq(tu_value(pkt, "ieee8021ad.etype"), "0x8100");
	ck_assert_uint_eq(tu_uint(pkt, "vlan.id"), 100);
	ck_assert_str_eq(tu_value(pkt, "vlan.etype"), "0x88b5");
	/* the innermost tag speaks */
	ck_assert(tu_ends_with(
	    tu_summary(pkt), " 802.1Q 60 802.1Q Virtual LAN, PRI: 0, ID: 100, "
			     "type 0x88b5"));
	/* the 802.1ad summary when it is on top */
	tu_set16(&f, 16, 0x88b5);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_layers(pkt, "frame eth ieee8021ad data");
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " 802.1ad 60 802.1ad Service VLAN, PRI: 3, "
			       "ID: 200, type 0x88b5"));
}
END_TEST

START_TEST(valid_8023_length_inside)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x8100);
	tu_put16(&f, 0x0001);
	tu_put16(&f, 16); /* 802.3 length */
	tu_zeros(&f, 42);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "vlan.len"), 16);
	ck_assert_ptr_null(tu_find(pkt, "vlan.etype"));
	ck_assert_uint_eq(pkt->layers[2].len, 4 + 16);
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build_tagged(&f);
	for (uint32_t cut = 14; cut < 18; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		tu_assert_layers(pkt, "frame eth vlan");
		ck_assert_uint_eq(pkt->layers[2].status, NS_LAYER_TRUNCATED);
		/* nothing half-read was recorded */
		ck_assert_ptr_null(tu_find(pkt, "vlan.id"));
	}
}
END_TEST

START_TEST(malformed)
{
	struct tu_frame f;
	build_tagged(&f);
	tu_set16(&f, 16, 0x05ff);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "802.1Q: invalid length/type 0x05ff");
	ck_assert_uint_eq(pkt->layers[2].status, NS_LAYER_MALFORMED);
	/* the service tag names itself */
	tu_set16(&f, 12, 0x88a8);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "802.1ad: invalid length/type 0x05ff");
	/* a tag cut short in a whole frame */
	build_tagged(&f);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, 16);
	tu_assert_malformed(pkt, "802.1Q header cut short");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build_tagged(&f);
	tu_set16(&f, 16, 0x05ff);
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	check_tagged();
	build_tagged(&f);
	tu_dissect(TU_LT_EN10MB, f.b, 15, f.n);
	check_tagged();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vlan");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid);
	tcase_add_test(tc, valid_summary_of_tag);
	tcase_add_test(tc, valid_9100);
	tcase_add_test(tc, valid_qinq);
	tcase_add_test(tc, valid_8023_length_inside);
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
