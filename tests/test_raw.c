/*
 * test_raw — raw IP link types (dissectors/link/raw.c): DLT_RAW 12 and 14,
 * LINKTYPE_RAW 101 pick IPv4 or IPv6 by the version nibble; LINKTYPE_IPV4
 * (228) and LINKTYPE_IPV6 (229) go straight to the IP dissector.
 */
#include <check.h>
#include <stdio.h>

#include "check_util.h"

static void check_v4(int linktype)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_ipv4_udp(&f);
	struct ns_packet *pkt = tu_dissect_full(linktype, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame raw ip udp data");
	/* raw has no header: IP starts at 0 */
	ck_assert_uint_eq(pkt->layers[1].off, 0);
	ck_assert_uint_eq(pkt->layers[2].off, 0);
	ck_assert_uint_eq(pkt->layers[1].fv_end - pkt->layers[1].fv_first, 1);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_UDP_ADDRS " UDP 32 Len=4");
}

START_TEST(v4)
{
	check_v4(TU_LT_RAW);
	check_v4(12);
	check_v4(14);
}
END_TEST

START_TEST(v6)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_ipv6_udp(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_RAW, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame raw ipv6 udp data");
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP6_UDP_ADDRS " UDP 52 Len=4");
}
END_TEST

START_TEST(linktype_ipv4_ipv6)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_ipv4_udp(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_IPV4, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame ip udp data");
	tu_frame_init(&f);
	tu_ipv6_udp(&f);
	pkt = tu_dissect_full(TU_LT_IPV6, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame ipv6 udp data");
}
END_TEST

START_TEST(bad_version)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_ipv4_udp(&f);
	for (unsigned v = 0; v < 16; v++) {
		if (v == 4 || v == 6)
			continue;
		f.b[0] = (uint8_t)(v << 4 | 5);
		struct ns_packet *pkt = tu_dissect_full(TU_LT_RAW, f.b, f.n);
		char why[64];
		snprintf(why, sizeof(why),
			 "raw: IP version %u is neither 4 nor 6", v);
		tu_assert_malformed(pkt, why);
		tu_assert_layers(pkt, "frame raw");
		ck_assert_uint_eq(pkt->layers[1].status, NS_LAYER_MALFORMED);
	}
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_ipv4_udp(&f);
	/* nothing captured at all */
	struct ns_packet *pkt = tu_dissect(TU_LT_RAW, f.b, 0, f.n);
	tu_assert_truncated(pkt);
	tu_assert_layers(pkt, "frame raw");
	/* cut inside the IP header: raw is fine, IP is truncated */
	pkt = tu_dissect(TU_LT_RAW, f.b, 10, f.n);
	tu_assert_truncated(pkt);
	tu_assert_layers(pkt, "frame raw ip");
	ck_assert_uint_eq(pkt->layers[1].status, NS_LAYER_OK);
	ck_assert_uint_eq(pkt->layers[2].status, NS_LAYER_TRUNCATED);
}
END_TEST

START_TEST(malformed_empty)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_ipv4_udp(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_RAW, f.b, 0);
	tu_assert_malformed(pkt, "raw header cut short");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_ipv4_udp(&f);
	f.b[0] = 0x55;
	tu_dissect_full(TU_LT_RAW, f.b, f.n);
	check_v4(TU_LT_RAW);
	tu_dissect(TU_LT_RAW, f.b, 0, 20);
	check_v4(TU_LT_RAW);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("raw");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, v4);
	tcase_add_test(tc, v6);
	tcase_add_test(tc, linktype_ipv4_ipv6);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, bad_version);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, malformed_empty);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
