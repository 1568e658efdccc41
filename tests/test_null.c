/*
 * test_null — BSD loopback: LINKTYPE_NULL (0, address family in the
 * writer's byte order) and LINKTYPE_LOOP (108, network byte order)
 * (dissectors/link/null.c).
 *
 * A family that does not fit in 16 bits is taken as byte-swapped, as
 * tcpdump and Wireshark do; every OS's AF_INET6 value leads to IPv6.
 */
#include <check.h>

#include "check_util.h"

static void build(struct tu_frame *f, const uint8_t fam[4], int v6)
{
	tu_frame_init(f);
	tu_put(f, fam, 4);
	if (v6)
		tu_ipv6_udp(f);
	else
		tu_ipv4_udp(f);
}

static const uint8_t le_inet[4] = {2, 0, 0, 0};
static const uint8_t be_inet[4] = {0, 0, 0, 2};

static void check_null_le(void)
{
	struct tu_frame f;
	build(&f, le_inet, 0);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_NULL, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame null ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "null.family"), 2);
	ck_assert_uint_eq(pkt->layers[2].off, 4);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_UDP_ADDRS " UDP 36 Len=4");
}

START_TEST(null_little_endian)
{
	check_null_le();
}
END_TEST

START_TEST(null_big_endian)
{
	/* a capture written on a big-endian host */
	struct tu_frame f;
	build(&f, be_inet, 0);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_NULL, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame null ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "null.family"), 2);
}
END_TEST

START_TEST(loop_network_order)
{
	struct tu_frame f;
	build(&f, be_inet, 0);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_LOOP, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame null ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "null.family"), 2);
	/* and a LOOP capture with the family the other way round */
	build(&f, le_inet, 0);
	pkt = tu_dissect_full(TU_LT_LOOP, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "null.family"), 2);
	tu_assert_layers(pkt, "frame null ip udp data");
}
END_TEST

START_TEST(ipv6_families)
{
	static const uint8_t fams[] = {10, 24, 28, 30};
	for (unsigned i = 0; i < sizeof(fams); i++) {
		const uint8_t le[4] = {fams[i], 0, 0, 0};
		struct tu_frame f;
		build(&f, le, 1);
		struct ns_packet *pkt = tu_dissect_full(TU_LT_NULL, f.b, f.n);
		tu_assert_ok(pkt);
		tu_assert_layers(pkt, "frame null ipv6 udp data");
		ck_assert_uint_eq(tu_uint(pkt, "null.family"), fams[i]);
		const uint8_t be[4] = {0, 0, 0, fams[i]};
		build(&f, be, 1);
		pkt = tu_dissect_full(TU_LT_LOOP, f.b, f.n);
		tu_assert_layers(pkt, "frame null ipv6 udp data");
		ck_assert_str_eq(tu_summary(pkt),
				 "    1 0.000000 " TU_IP6_UDP_ADDRS
				 " UDP 56 Len=4");
	}
}
END_TEST

START_TEST(unknown_family)
{
	static const uint8_t fam[4] = {99, 0, 0, 0};
	struct tu_frame f;
	build(&f, fam, 0);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_NULL, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame null data");
	ck_assert_uint_eq(tu_uint(pkt, "data.len"), 32);
	ck_assert_str_eq(tu_summary(pkt), "    1 0.000000 ?" TU_ARROW
					  "? NULL 36 Null/Loopback, family 99");
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build(&f, le_inet, 0);
	for (uint32_t cut = 0; cut < 4; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_NULL, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		tu_assert_layers(pkt, "frame null");
		pkt = tu_dissect(TU_LT_LOOP, f.b, cut, f.n);
		tu_assert_truncated(pkt);
	}
}
END_TEST

START_TEST(malformed)
{
	struct tu_frame f;
	build(&f, le_inet, 0);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_NULL, f.b, 3);
	tu_assert_malformed(pkt, "NULL header cut short");
	pkt = tu_dissect_full(TU_LT_LOOP, f.b, 0);
	tu_assert_malformed(pkt, "NULL header cut short");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build(&f, le_inet, 0);
	tu_dissect_full(TU_LT_NULL, f.b, 2);
	check_null_le();
	tu_dissect(TU_LT_NULL, f.b, 2, 30);
	check_null_le();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("null");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, null_little_endian);
	tcase_add_test(tc, null_big_endian);
	tcase_add_test(tc, loop_network_order);
	tcase_add_test(tc, ipv6_families);
	tcase_add_test(tc, unknown_family);
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
