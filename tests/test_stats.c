/*
 * test_stats — the statistics' building blocks: percentiles (core/quant.c),
 * rows by key (reports/keymap.c) and tables (reports/table.c).
 *
 * Percentiles are nearest-rank, checked on series whose answer is known by
 * hand (one value, two, 1..100, unsorted input with duplicates); past the
 * exact bound every percentile of a wide series stays within 1% of the
 * exact answer and min/max/count stay exact; a spent shared pool turns a
 * series into a histogram without losing a value.  The key map finds,
 * adds, refuses past its bound, deletes and reuses.  Tables print aligned
 * text and valid JSON with nulls for empty cells.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/quant.h"
#include "reports/keymap.h"
#include "reports/table.h"

START_TEST(quant_nearest_rank)
{
	struct ns_quant q;
	ns_quant_init(&q, NULL);
	ck_assert_int_eq(ns_quant_pct(&q, 50), -1);
	ns_quant_add(&q, 7);
	ck_assert_int_eq(ns_quant_pct(&q, 1), 7);
	ck_assert_int_eq(ns_quant_pct(&q, 100), 7);
	ns_quant_add(&q, 3);
	/* two values: p50 is the first (ceil(1.0) = 1), p51 the second */
	ck_assert_int_eq(ns_quant_pct(&q, 50), 3);
	ck_assert_int_eq(ns_quant_pct(&q, 51), 7);
	ns_quant_free(&q);
	/* 100..1, unsorted: p50 = 50, p90 = 90, p99 = 99, p100 = 100 */
	for (int i = 100; i >= 1; i--)
		ns_quant_add(&q, i);
	ck_assert_int_eq(ns_quant_pct(&q, 50), 50);
	ck_assert_int_eq(ns_quant_pct(&q, 90), 90);
	ck_assert_int_eq(ns_quant_pct(&q, 99), 99);
	ck_assert_int_eq(ns_quant_pct(&q, 100), 100);
	ck_assert_int_eq(q.min, 1);
	ck_assert_int_eq(q.max, 100);
	ck_assert_int_eq(ns_quant_mean(&q), 50);
	ck_assert(ns_quant_exact(&q));
	/* a value added after a percentile was asked is sorted in */
	ns_quant_add(&q, 0);
	ck_assert_int_eq(ns_quant_pct(&q, 0.5), 0); /* rank 1 of 101 */
	ns_quant_free(&q);
	/* duplicates and negatives (counted as 0) */
	int64_t v[] = {5, 5, 5, -3, 9};
	for (unsigned i = 0; i < 5; i++)
		ns_quant_add(&q, v[i]);
	ck_assert_int_eq(ns_quant_pct(&q, 20), 0);
	ck_assert_int_eq(ns_quant_pct(&q, 60), 5);
	ck_assert_int_eq(ns_quant_pct(&q, 99), 9);
	ns_quant_free(&q);
}
END_TEST

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Past NS_QUANT_EXACT: within 1% of the exact nearest rank. */
START_TEST(quant_histogram_within_1pct)
{
	struct ns_quant q;
	ns_quant_init(&q, NULL);
	uint32_t n = NS_QUANT_EXACT * 3;
	int64_t *all = malloc(n * sizeof(*all));
	ck_assert_ptr_nonnull(all);
	uint64_t x = 88172645463325252ull;
	for (uint32_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* 1 us .. ~10 s, log-spread */
		all[i] =
		    (int64_t)(1000.0 * pow(10.0, (double)(x % 7000) / 1000));
		ns_quant_add(&q, all[i]);
	}
	ck_assert(!ns_quant_exact(&q));
	ck_assert_uint_eq(q.count, n);
	qsort(all, n, sizeof(*all), cmp_i64);
	ck_assert_int_eq(q.min, all[0]);
	ck_assert_int_eq(q.max, all[n - 1]);
	static const double ps[] = {1, 10, 50, 90, 99, 99.9, 100};
	for (unsigned i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		uint64_t rank = (uint64_t)ceil(ps[i] / 100 * n - 1e-9);
		double want = (double)all[rank - 1];
		double got = (double)ns_quant_pct(&q, ps[i]);
		ck_assert_msg(fabs(got - want) <= 0.01 * want,
			      "p%g: %g, exact %g", ps[i], got, want);
	}
	free(all);
	ns_quant_free(&q);
}
END_TEST

/* A spent pool: the series that needs more turns into a histogram. */
START_TEST(quant_pool)
{
	uint64_t pool = 40;
	struct ns_quant a, b;
	ns_quant_init(&a, &pool);
	ns_quant_init(&b, &pool);
	for (int i = 1; i <= 30; i++)
		ns_quant_add(&a, i * 1000);
	ck_assert(ns_quant_exact(&a));
	ck_assert_uint_lt(pool, 40);
	for (int i = 1; i <= 30; i++)
		ns_quant_add(&b, i * 1000);
	ck_assert(!ns_quant_exact(&b)); /* the pool could not hold both */
	ck_assert_uint_eq(b.count, 30);
	ck_assert_int_eq(ns_quant_pct(&b, 100), 30000);
	double p50 = (double)ns_quant_pct(&b, 50);
	ck_assert(fabs(p50 - 15000) <= 150);
	ns_quant_free(&a);
	ns_quant_free(&b);
	ck_assert_uint_eq(pool, 40); /* all given back */
}
END_TEST

START_TEST(keymap_basics)
{
	struct ns_keymap m;
	ns_keymap_init(&m, sizeof(uint64_t), 1000);
	char k[32];
	for (int i = 0; i < 1000; i++) {
		int made;
		int n = snprintf(k, sizeof(k), "key%d", i);
		uint64_t *v = ns_keymap_get(&m, k, (size_t)n, 1, &made);
		ck_assert_ptr_nonnull(v);
		ck_assert_int_eq(made, 1);
		ck_assert_uint_eq(*v, 0); /* zeroed */
		*v = (uint64_t)i;
	}
	/* full: no new key, the old ones still found */
	ck_assert_ptr_null(ns_keymap_get(&m, "new", 3, 1, NULL));
	for (int i = 0; i < 1000; i += 111) {
		int n = snprintf(k, sizeof(k), "key%d", i);
		uint64_t *v = ns_keymap_get(&m, k, (size_t)n, 0, NULL);
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_eq(*v, (uint64_t)i);
	}
	/* deleting makes room, and the entry is reused */
	ns_keymap_del(&m, "key5", 4);
	ck_assert_ptr_null(ns_keymap_get(&m, "key5", 4, 0, NULL));
	ck_assert_ptr_nonnull(ns_keymap_get(&m, "new", 3, 1, NULL));
	ck_assert_uint_eq(ns_keymap_size(&m), 1000);
	/* sorted by key */
	uint32_t n;
	uint32_t *ix = ns_keymap_sorted(&m, &n, ns_keymap_by_key);
	ck_assert_uint_eq(n, 1000);
	for (uint32_t i = 1; i < n; i++)
		ck_assert_int_lt(strcmp(ns_keymap_key(&m, ix[i - 1]),
					ns_keymap_key(&m, ix[i])),
				 0);
	free(ix);
	ns_keymap_free(&m, NULL);
}
END_TEST

/* The table printed to a string (text or JSON). */
static char *printed(struct ns_table *t, int json)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	ck_assert_ptr_nonnull(f);
	ns_table_print(t, f, json);
	fclose(f);
	return s;
}

static struct ns_table *sample(void)
{
	struct ns_table *t = ns_table_new("x,y", "A title");
	ns_table_col(t, "name", 1);
	ns_table_col(t, "n", 0);
	ns_table_col(t, "ms", 0);
	ns_table_row(t);
	ns_table_str(t, "a \"q\"");
	ns_table_u64(t, 5);
	ns_table_ms(t, 1234567); /* 1.23 ms */
	ns_table_row(t);
	ns_table_str(t, "bbbbbb");
	ns_table_u64(t, 12345);
	/* the last cell left out: empty */
	ns_table_note(t, "a note %d", 1);
	return t;
}

START_TEST(table_text_and_json)
{
	char *s = printed(sample(), 0);
	ck_assert_str_eq(s, "A title\n"
			    "name        n    ms\n"
			    "a \"q\"       5  1.23\n"
			    "bbbbbb  12345     -\n"
			    "a note 1\n");
	free(s);
	s = printed(sample(), 1);
	ck_assert_str_eq(s, "{\"table\":\"x,y\",\"title\":\"A title\","
			    "\"columns\":[\"name\",\"n\",\"ms\"],"
			    "\"rows\":[[\"a \\\"q\\\"\",5,1.23],"
			    "[\"bbbbbb\",12345,null]],"
			    "\"notes\":[\"a note 1\"]}\n");
	free(s);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, quant_nearest_rank);
	tcase_add_test(tc, quant_histogram_within_1pct);
	tcase_add_test(tc, quant_pool);
	tcase_add_test(tc, keymap_basics);
	tcase_add_test(tc, table_text_and_json);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
