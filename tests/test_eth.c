/*
 * test_eth — Ethernet II / IEEE 802.3 (dissectors/link/eth.c).
 *
 * Type/length field: >= 0x0600 is an EtherType (dispatched), <= 1500 an
 * 802.3 length (limits the payload), 1501..1535 impossible (malformed).
 */
#include <check.h>

#include "check_util.h"

/* Ethernet II with an EtherType nothing binds (IEEE local experimental),
 * padded to the 60-byte minimum. */
static void build_plain(struct tu_frame *f)
{
	tu_frame_init(f);
	tu_eth(f, 0x88b5);
	tu_zeros(f, 46);
}

static void check_plain(void)
{
	struct tu_frame f;
	build_plain(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth data");
	ck_assert_str_eq(tu_value(pkt, "eth.dst"), TU_MAC_B);
	ck_assert_str_eq(tu_value(pkt, "eth.src"), TU_MAC_A);
	ck_assert_str_eq(tu_value(pkt, "eth.type"), "0x88b5");
	ck_assert_ptr_null(tu_find(pkt, "eth.len"));
	ck_assert_uint_eq(tu_uint(pkt, "data.len"), 46);
	/* field offsets point at their bytes */
	ck_assert_uint_eq(tu_find(pkt, "eth.src")->off, 6);
	ck_assert_uint_eq(tu_find(pkt, "eth.type")->off, 12);
	ck_assert_uint_eq(pkt->layers[1].off, 0);
	ck_assert_uint_eq(pkt->layers[1].len, 60);
	ck_assert_uint_eq(pkt->layers[2].off, 14);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_MAC_A TU_ARROW TU_MAC_B
			 " ETH 60 Ethernet II, type 0x88b5");
}

START_TEST(valid)
{
	check_plain();
}
END_TEST

START_TEST(valid_ipv4_udp)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	tu_ipv4_udp(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp data");
	ck_assert_str_eq(tu_value(pkt, "eth.type"), "0x0800");
	/* the inner layer's addresses win on the summary line */
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_UDP_ADDRS " UDP 46 Len=4");
}
END_TEST

START_TEST(ieee8023_length_limits_payload)
{
	/* 802.3 length 38, then 8 bytes of padding up to 60 */
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 38);
	TU_PUT(&f, 0xaa, 0xaa, 0x03);
	tu_zeros(&f, 35);
	tu_zeros(&f, 8);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_str_eq(pkt->layers[1].d->name, "eth");
	ck_assert_uint_eq(tu_uint(pkt, "eth.len"), 38);
	ck_assert_ptr_null(tu_find(pkt, "eth.type"));
	/* the Ethernet layer ends where its length says, padding excluded,
	 * whatever dissects the payload */
	ck_assert_uint_eq(pkt->layers[1].len, 14 + 38);
	ck_assert_uint_ge(pkt->nlayers, 3);
	ck_assert_uint_eq(pkt->layers[2].off, 14);
	ck_assert_uint_eq(pkt->layers[pkt->nlayers - 1].off +
			      pkt->layers[pkt->nlayers - 1].len,
			  52);
}
END_TEST

START_TEST(boundary_values)
{
	struct tu_frame f;
	build_plain(&f);
	/* 1500 is the largest length, 0x0600 the smallest type */
	tu_set16(&f, 12, 1500);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_uint_eq(tu_uint(pkt, "eth.len"), 1500);
	tu_set16(&f, 12, 0x0600);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "eth.type"), 0x0600);
}
END_TEST

START_TEST(truncated_in_header)
{
	struct tu_frame f;
	build_plain(&f);
	for (uint32_t cut = 0; cut < 14; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		ck_assert_uint_eq(pkt->layers[1].status, NS_LAYER_TRUNCATED);
		ck_assert_str_eq(pkt->layers[1].d->name, "eth");
	}
	struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, 10, f.n);
	ck_assert(tu_starts_with(tu_summary(pkt),
				 "    1 0.000000 ?" TU_ARROW "? ETH 60"));
}
END_TEST

START_TEST(truncated_payload_only)
{
	/* the header is whole; the cut payload is simply shorter data */
	struct tu_frame f;
	build_plain(&f);
	struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, 20, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "data.len"), 6);
	ck_assert_uint_eq(tu_uint(pkt, "frame.len"), 60);
	ck_assert_uint_eq(tu_uint(pkt, "frame.cap_len"), 20);
}
END_TEST

START_TEST(malformed_type_gap)
{
	struct tu_frame f;
	build_plain(&f);
	tu_set16(&f, 12, 0x05dd); /* 1501: neither length nor type */
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "ETH: invalid length/type 0x05dd");
	ck_assert_uint_eq(pkt->layers[1].status, NS_LAYER_MALFORMED);
	ck_assert_str_eq(pkt->layers[1].reason, pkt->reason);
	tu_set16(&f, 12, 0x05ff);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "invalid length/type 0x05ff");
	/* the addresses were read and are shown */
	ck_assert(tu_starts_with(tu_summary(pkt),
				 "    1 0.000000 " TU_MAC_A TU_ARROW TU_MAC_B));
}
END_TEST

START_TEST(malformed_short_frame)
{
	/* fully captured, yet shorter than the header */
	struct tu_frame f;
	build_plain(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, 10);
	tu_assert_malformed(pkt, "ETH header cut short");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build_plain(&f);
	tu_set16(&f, 12, 0x05dd);
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	check_plain();
	tu_dissect(TU_LT_EN10MB, f.b, 5, 60);
	check_plain();
}
END_TEST

START_TEST(ethernet_in_ipv6)
{
	/* IP protocol 143 (RFC 8986): a whole Ethernet frame */
	struct tu_frame f;
	tu_frame_init(&f);
	size_t ip = tu_ipv6(&f, 143);
	tu_eth(&f, 0x88b5);
	TU_PUT(&f, 1, 2, 3, 4);
	tu_ipv6_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_IPV6, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame ipv6 eth data");
	ck_assert_uint_eq(tu_uint(pkt, "data.len"), 4);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("eth");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid);
	tcase_add_test(tc, valid_ipv4_udp);
	tcase_add_test(tc, ieee8023_length_limits_payload);
	tcase_add_test(tc, boundary_values);
	tcase_add_test(tc, ethernet_in_ipv6);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, truncated_in_header);
	tcase_add_test(tc, truncated_payload_only);
	tcase_add_test(tc, malformed_type_gap);
	tcase_add_test(tc, malformed_short_frame);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
