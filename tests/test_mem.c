/*
 * test_mem — the budget of per-flow application state (src/core/mem.c).
 *
 * The contract under test: what is handed out is counted with its header
 * and given back exactly on free (used returns to 0), the peak is kept,
 * an allocation past the cap fails and is counted without changing what
 * is in use, realloc grows within the cap and refuses past it leaving the
 * block as it was, shrinking always works, and a NULL budget accounts
 * nothing and refuses nothing.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_util.h"
#include "core/mem.h"

START_TEST(counts_and_gives_back)
{
	struct ns_mem m = {.cap = 0};
	unsigned char *a = ns_mem_alloc(&m, 100);
	unsigned char *b = ns_mem_alloc(&m, 1000);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	for (int i = 0; i < 100; i++)
		ck_assert_uint_eq(a[i], 0); /* zeroed */
	ck_assert_uint_ge(m.used, 1100);
	size_t peak = m.used;
	ns_mem_free(&m, a);
	ck_assert_uint_lt(m.used, peak);
	ns_mem_free(&m, b);
	ck_assert_uint_eq(m.used, 0);
	ck_assert_uint_eq(m.peak, peak);
	ns_mem_free(&m, NULL);
	ck_assert_uint_eq(m.refused, 0);
}
END_TEST

START_TEST(refuses_past_the_cap)
{
	struct ns_mem m = {.cap = 4096};
	void *a = ns_mem_alloc(&m, 3000);
	ck_assert_ptr_nonnull(a);
	size_t used = m.used;
	ck_assert_ptr_null(ns_mem_alloc(&m, 2000));
	ck_assert_uint_eq(m.refused, 1);
	ck_assert_uint_ge(m.refused_bytes, 2000);
	ck_assert_uint_eq(m.used, used);
	ck_assert_ptr_null(ns_mem_alloc(&m, SIZE_MAX)); /* no overflow */
	void *b = ns_mem_alloc(&m, 500);
	ck_assert_ptr_nonnull(b);
	ns_mem_free(&m, a);
	ns_mem_free(&m, b);
	ck_assert_uint_eq(m.used, 0);
}
END_TEST

START_TEST(realloc_within_the_cap)
{
	struct ns_mem m = {.cap = 8192};
	char *p = ns_mem_realloc(&m, NULL, 10);
	ck_assert_ptr_nonnull(p);
	memcpy(p, "0123456789", 10);
	p = ns_mem_realloc(&m, p, 4000);
	ck_assert_ptr_nonnull(p);
	ck_assert(memcmp(p, "0123456789", 10) == 0);
	size_t used = m.used;
	ck_assert_ptr_null(ns_mem_realloc(&m, p, 9000)); /* p stays */
	ck_assert_uint_eq(m.used, used);
	ck_assert_uint_eq(m.refused, 1);
	ck_assert(memcmp(p, "0123456789", 10) == 0);
	p = ns_mem_realloc(&m, p, 5); /* shrinking is always fine */
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_lt(m.used, used);
	ns_mem_free(&m, p);
	ck_assert_uint_eq(m.used, 0);
}
END_TEST

START_TEST(no_budget)
{
	void *p = ns_mem_alloc(NULL, 1 << 20);
	ck_assert_ptr_nonnull(p);
	p = ns_mem_realloc(NULL, p, 2 << 20);
	ck_assert_ptr_nonnull(p);
	ns_mem_free(NULL, p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, counts_and_gives_back);
	tcase_add_test(tc, refuses_past_the_cap);
	tcase_add_test(tc, realloc_within_the_cap);
	tcase_add_test(tc, no_budget);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
