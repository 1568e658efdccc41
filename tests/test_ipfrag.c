/*
 * test_ipfrag — IP fragment reassembly (src/flow/ipfrag.c): in order, out
 * of order, a duplicate, overlaps with the same and with other bytes, the
 * timeout, a fragment past 65535 bytes, and the caps (fragments per
 * datagram, datagrams in progress, bytes), each with its counter; memory
 * is all given back.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_util.h"
#include "core/mem.h"
#include "flow/ipfrag.h"

static uint8_t dg[4096];

static struct ns_ipfrag_key key(uint32_t id)
{
	struct ns_ipfrag_key k = {.v6 = 0, .proto = 17, .id = id};
	k.src[0] = 192;
	k.dst[0] = 198;
	return k;
}

static int add(struct ns_ipfrag *t, uint32_t id, int64_t ts, uint64_t fr,
	       uint32_t off, uint32_t n, int more, struct ns_ipfrag_result *res)
{
	struct ns_ipfrag_key k = key(id);
	return ns_ipfrag_add(t, &k, ts, fr, 1, off, more, dg + off, n, 65515,
			     res);
}

static void setup(void)
{
	for (unsigned i = 0; i < sizeof(dg); i++)
		dg[i] = (uint8_t)(i * 7 + 3);
}

START_TEST(in_order_and_out_of_order)
{
	struct ns_mem m = {.cap = 0};
	struct ns_ipfrag t;
	ns_ipfrag_init(&t, &m);
	struct ns_ipfrag_result r;
	ck_assert_int_eq(add(&t, 1, 0, 1, 0, 1000, 1, &r), NS_IPFRAG_WAIT);
	ck_assert_int_eq(add(&t, 1, 0, 2, 1000, 1000, 1, &r), NS_IPFRAG_WAIT);
	ck_assert_int_eq(add(&t, 1, 0, 3, 2000, 500, 0, &r),
			 NS_IPFRAG_COMPLETE);
	ck_assert_uint_eq(r.len, 2500);
	ck_assert_int_eq(memcmp(r.data, dg, 2500), 0);
	ck_assert_uint_eq(r.npieces, 3);
	/* the other way round: listed in offset order */
	ck_assert_int_eq(add(&t, 2, 0, 4, 2000, 500, 0, &r), NS_IPFRAG_WAIT);
	ck_assert_int_eq(add(&t, 2, 0, 5, 0, 1000, 1, &r), NS_IPFRAG_WAIT);
	ck_assert_int_eq(add(&t, 2, 0, 6, 1000, 1000, 1, &r),
			 NS_IPFRAG_COMPLETE);
	ck_assert_int_eq(memcmp(r.data, dg, 2500), 0);
	ck_assert_uint_eq(r.pieces[0].frame, 5);
	ck_assert_uint_eq(r.pieces[2].frame, 4);
	ck_assert_uint_eq(t.st.reassembled, 2);
	ns_ipfrag_free(&t);
	ck_assert_uint_eq(m.used, 0);
}
END_TEST

START_TEST(duplicate_and_overlap)
{
	struct ns_mem m = {.cap = 0};
	struct ns_ipfrag t;
	ns_ipfrag_init(&t, &m);
	struct ns_ipfrag_result r;
	add(&t, 1, 0, 1, 0, 1000, 1, &r);
	add(&t, 1, 0, 2, 0, 1000, 1, &r); /* duplicate */
	ck_assert(r.this_one.overlap && !r.this_one.conflict);
	/* other bytes over 500..1500: the first copy wins */
	struct ns_ipfrag_key k = key(1);
	uint8_t bad[1000];
	memset(bad, 0xee, sizeof(bad));
	ns_ipfrag_add(&t, &k, 0, 3, 1, 500, 1, bad, 1000, 65515, &r);
	ck_assert(r.this_one.overlap && r.this_one.conflict);
	ck_assert_int_eq(add(&t, 1, 0, 4, 1500, 100, 0, &r),
			 NS_IPFRAG_COMPLETE);
	ck_assert_int_eq(memcmp(r.data, dg, 500), 0);
	ck_assert_uint_eq(r.data[1200], 0xee); /* held first by frame 3 */
	ck_assert_uint_eq(r.npieces, 4);
	ck_assert_uint_eq(t.st.overlaps, 2);
	ck_assert_uint_eq(t.st.conflicts, 1);
	ns_ipfrag_free(&t);
	ck_assert_uint_eq(m.used, 0);
}
END_TEST

START_TEST(timeout_and_too_long)
{
	struct ns_mem m = {.cap = 0};
	struct ns_ipfrag t;
	ns_ipfrag_init(&t, &m);
	struct ns_ipfrag_result r;
	add(&t, 1, 0, 1, 0, 1000, 1, &r);
	/* 31 s later: the first fragment has gone, this one waits alone */
	ck_assert_int_eq(add(&t, 1, 31000000000LL, 2, 1000, 8, 0, &r),
			 NS_IPFRAG_WAIT);
	ck_assert_uint_eq(t.st.expired, 1);
	struct ns_ipfrag_key k = key(9);
	ck_assert_int_eq(
	    ns_ipfrag_add(&t, &k, 0, 3, 1, 65528, 0, dg, 100, 65515, &r),
	    NS_IPFRAG_REFUSED);
	ck_assert(r.this_one.toolong);
	ck_assert_uint_eq(t.st.too_long, 1);
	ns_ipfrag_free(&t);
	ck_assert_uint_eq(t.st.incomplete, 1);
	ck_assert_uint_eq(m.used, 0);
}
END_TEST

START_TEST(caps)
{
	struct ns_mem m = {.cap = 0};
	struct ns_ipfrag t;
	ns_ipfrag_init(&t, &m);
	struct ns_ipfrag_result r;
	/* fragments per datagram */
	int refused = 0;
	for (uint32_t i = 0; i < 1100; i++)
		refused |=
		    add(&t, 1, 0, i, i * 2, 2, 1, &r) == NS_IPFRAG_REFUSED;
	ck_assert(refused);
	ck_assert_uint_ge(t.st.dropped, 1);
	/* datagrams in progress: the oldest evicted */
	for (uint32_t i = 0; i < 1100; i++)
		add(&t, 100 + i, i, i, 0, 8, 1, &r);
	ck_assert_uint_le(t.count, NS_IPFRAG_MAX_DGRAMS);
	ck_assert_uint_ge(t.st.evicted, 1100 - NS_IPFRAG_MAX_DGRAMS);
	/* bytes: a small byte cap evicts for room */
	t.max_bytes = 8192;
	for (uint32_t i = 0; i < 10; i++)
		add(&t, 5000 + i, 2000, i, 0, 3000, 1, &r);
	ck_assert_uint_le(t.used, 8192);
	ns_ipfrag_free(&t);
	ck_assert_uint_eq(m.used, 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ipfrag");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, in_order_and_out_of_order);
	tcase_add_test(tc, duplicate_and_overlap);
	tcase_add_test(tc, timeout_and_too_long);
	tcase_add_test(tc, caps);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
