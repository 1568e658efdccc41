/*
 * test_udp — UDP (RFC 768) (dissectors/transport/udp.c).
 *
 * The length field must be >= 8 and <= the IP payload length (except in
 * the first fragment of a datagram, or quoted in an ICMP error); the
 * payload is limited to it.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"

enum { IP = 14, UDP = 34 };

static void build(struct tu_frame *f, const char *payload)
{
	tu_frame_init(f);
	tu_eth(f, 0x0800);
	size_t ip = tu_ipv4(f, 17);
	tu_udp(f, payload);
	tu_ipv4_end(f, ip);
}

static void check_valid(void)
{
	struct tu_frame f;
	build(&f, "ping");
	f.b[UDP + 6] = 0xab;
	f.b[UDP + 7] = 0xcd;
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "udp.srcport"), TU_PORT_A);
	ck_assert_uint_eq(tu_uint(pkt, "udp.dstport"), TU_PORT_B);
	ck_assert_uint_eq(tu_uint(pkt, "udp.length"), 12);
	ck_assert_str_eq(tu_value(pkt, "udp.checksum"), "0xabcd");
	ck_assert_str_eq(tu_value(pkt, "udp.payload"), "70696e67");
	ck_assert_uint_eq(tu_find(pkt, "udp.payload")->off, UDP + 8);
	ck_assert_uint_eq(tu_find(pkt, "udp.length")->off, UDP + 4);
	ck_assert_uint_eq(pkt->layers[3].off, UDP);
	ck_assert_uint_eq(pkt->layers[3].len, 12);
	ck_assert_uint_eq(pkt->layers[4].off, UDP + 8);
	ck_assert_uint_eq(tu_uint(pkt, "data.len"), 4);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_UDP_ADDRS " UDP 46 Len=4");
}

START_TEST(valid)
{
	check_valid();
}
END_TEST

START_TEST(empty_payload)
{
	struct tu_frame f;
	build(&f, "");
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp");
	ck_assert_ptr_null(tu_find(pkt, "udp.payload"));
	ck_assert(tu_ends_with(tu_summary(pkt), " UDP 42 Len=0"));
}
END_TEST

START_TEST(length_shorter_than_ip_payload)
{
	/* UDP says 10 bytes, IP carries 12: the payload is the 2 */
	struct tu_frame f;
	build(&f, "ping");
	tu_set16(&f, UDP + 4, 10);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "udp.payload"), "7069");
	ck_assert_uint_eq(tu_uint(pkt, "data.len"), 2);
	ck_assert(tu_ends_with(tu_summary(pkt), " UDP 46 Len=2"));
}
END_TEST

START_TEST(over_ipv6)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x86dd);
	tu_ipv6_udp(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ipv6 udp data");
	/* length 0 is a jumbogram only when the payload is > 65535 */
	tu_set16(&f, IP + 40 + 4, 0);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "UDP: bogus length 0");
}
END_TEST

START_TEST(bad_length)
{
	struct tu_frame f;
	build(&f, "ping");
	for (uint16_t len = 0; len < 8; len++) {
		tu_set16(&f, UDP + 4, len);
		struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
		char why[64];
		snprintf(why, sizeof(why), "UDP: bogus length %u", len);
		tu_assert_malformed(pkt, why);
		tu_assert_layers(pkt, "frame eth ip udp");
		ck_assert_uint_eq(pkt->layers[3].status, NS_LAYER_MALFORMED);
		/* the ports are shown */
		ck_assert_ptr_nonnull(strstr(tu_summary(pkt), ":44444 UDP"));
	}
}
END_TEST

START_TEST(length_beyond_ip_payload)
{
	struct tu_frame f;
	build(&f, "ping");
	tu_set16(&f, UDP + 4, 13);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "UDP: length 13 exceeds IP payload length 12");
	tu_assert_layers(pkt, "frame eth ip udp");
	/* the IP payload length, not what was captured, is the limit: a
	 * frame cut by the snaplen is not malformed */
	tu_set16(&f, UDP + 4, 12);
	pkt = tu_dissect(TU_LT_EN10MB, f.b, UDP + 8, f.n);
	ck_assert_int_ne(pkt->status, NS_LAYER_MALFORMED);
	ck_assert_uint_eq(tu_uint(pkt, "udp.length"), 12);
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build(&f, "ping");
	for (uint32_t cut = UDP; cut < UDP + 8; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		tu_assert_layers(pkt, "frame eth ip udp");
		ck_assert_uint_eq(pkt->layers[3].status, NS_LAYER_TRUNCATED);
	}
	struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, UDP + 4, f.n);
	ck_assert_str_eq(tu_summary(pkt), "    1 0.000000 " TU_IP4_UDP_ADDRS
					  " UDP 46 Len=0 [truncated]");
}
END_TEST

START_TEST(malformed_short)
{
	struct tu_frame f;
	build(&f, "ping");
	/* IP total length says 12 bytes of UDP, 6 are there */
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, UDP + 6);
	ck_assert_int_eq(pkt->status, NS_LAYER_MALFORMED);
	/* IP total length 26: 6 bytes of UDP in the datagram */
	build(&f, "ping");
	tu_set16(&f, IP + 2, 26);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "UDP header cut short");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build(&f, "ping");
	tu_set16(&f, UDP + 4, 3);
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	check_valid();
	tu_set16(&f, UDP + 4, 400);
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	check_valid();
	tu_dissect(TU_LT_EN10MB, f.b, UDP + 2, f.n);
	check_valid();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("udp");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid);
	tcase_add_test(tc, empty_payload);
	tcase_add_test(tc, length_shorter_than_ip_payload);
	tcase_add_test(tc, over_ipv6);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, bad_length);
	tcase_add_test(tc, length_beyond_ip_payload);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, malformed_short);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
