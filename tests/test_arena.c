/*
 * test_arena — the per-packet bump allocator (src/core/arena.c).
 *
 * Under test: 16-byte alignment, distinct non-overlapping blocks, growth by
 * new chunks (and a chunk of its own for a request larger than a chunk),
 * the cap (NULL past it, never more memory), reset keeping only the first
 * chunk, strndup/printf copies, and free leaving a reusable empty arena.
 * Leaks are left to LeakSanitizer in the sanitizer build.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "check_util.h"

#define MIB (1024u * 1024u)

START_TEST(init_empty)
{
	struct ns_arena a;
	ns_arena_init(&a, MIB);
	ck_assert_ptr_null(a.head);
	ck_assert_uint_eq(a.total, 0);
	ck_assert_uint_eq(a.cap, MIB);
	ns_arena_reset(&a); /* reset and free of an empty arena are no-ops */
	ns_arena_free(&a);
	ck_assert_uint_eq(a.total, 0);
}
END_TEST

START_TEST(alloc_aligned_distinct)
{
	struct ns_arena a;
	ns_arena_init(&a, 16 * MIB);
	uint8_t *prev = NULL;
	for (size_t n = 0; n < 200; n++) {
		uint8_t *p = ns_arena_alloc(&a, n);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % 16, 0);
		ck_assert_ptr_ne(p, prev);
		/* the whole block is writable (ASan checks the bounds) */
		memset(p, (int)n, n);
		prev = p;
	}
	ns_arena_free(&a);
}
END_TEST

START_TEST(blocks_do_not_overlap)
{
	struct ns_arena a;
	ns_arena_init(&a, 16 * MIB);
	uint8_t *blk[64];
	for (int i = 0; i < 64; i++) {
		blk[i] = ns_arena_alloc(&a, 1000);
		ck_assert_ptr_nonnull(blk[i]);
		memset(blk[i], i, 1000);
	}
	/* 64 000 bytes: several chunks; every block kept its contents */
	for (int i = 0; i < 64; i++)
		for (int k = 0; k < 1000; k++)
			ck_assert_uint_eq(blk[i][k], (unsigned)i);
	ns_arena_free(&a);
}
END_TEST

START_TEST(zero_size)
{
	struct ns_arena a;
	ns_arena_init(&a, MIB);
	void *p = ns_arena_alloc(&a, 0);
	void *q = ns_arena_alloc(&a, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(q);
	ck_assert_ptr_ne(p, q);
	ns_arena_free(&a);
}
END_TEST

START_TEST(big_request_own_chunk)
{
	struct ns_arena a;
	ns_arena_init(&a, 16 * MIB);
	void *small = ns_arena_alloc(&a, 10);
	ck_assert_ptr_nonnull(small);
	size_t before = a.total;
	uint8_t *big = ns_arena_alloc(&a, 3 * MIB); /* > the 1 MiB chunk */
	ck_assert_ptr_nonnull(big);
	memset(big, 0x5a, 3 * MIB);
	ck_assert_uint_ge(a.total, before + 3 * MIB);
	ns_arena_free(&a);
}
END_TEST

START_TEST(cap_respected)
{
	struct ns_arena a;
	ns_arena_init(&a, MIB);
	size_t got = 0;
	while (ns_arena_alloc(&a, 4096) != NULL) {
		got += 4096;
		ck_assert_uint_le(a.total, a.cap);
		ck_assert_uint_le(got, MIB);
	}
	/* most of the cap was usable, and the arena never exceeded it */
	ck_assert_uint_ge(got, MIB / 2);
	ck_assert_uint_le(a.total, MIB);
	/* a failed allocation leaves the arena usable for what still fits */
	ck_assert_ptr_null(ns_arena_alloc(&a, 2 * MIB));
	ck_assert_uint_le(a.total, MIB);
	ns_arena_free(&a);
}
END_TEST

START_TEST(request_above_cap)
{
	struct ns_arena a;
	ns_arena_init(&a, MIB);
	ck_assert_ptr_null(ns_arena_alloc(&a, MIB + 1));
	ck_assert_uint_eq(a.total, 0);
	ck_assert_ptr_nonnull(ns_arena_alloc(&a, 100));
	ns_arena_free(&a);
}
END_TEST

/*
 * BUG (src/core/arena.c, ns_arena_alloc): the size is rounded up with
 * (n + 15) & ~15, which wraps to 0 for n > SIZE_MAX - 15; the wrapped size
 * then becomes 16 and a 16-byte block is returned for a request of
 * SIZE_MAX bytes.  ns_arena_strndup(a, s, SIZE_MAX) then memcpy()s past it.
 * Expected: NULL (past the cap).
 */
START_TEST(huge_request_is_refused)
{
	struct ns_arena a;
	ns_arena_init(&a, 16 * MIB);
	ck_assert_ptr_null(ns_arena_alloc(&a, SIZE_MAX));
	ck_assert_ptr_null(ns_arena_alloc(&a, SIZE_MAX - 7));
	ns_arena_free(&a);
}
END_TEST

START_TEST(reset_keeps_first_chunk)
{
	struct ns_arena a;
	ns_arena_init(&a, 16 * MIB);
	uint8_t *first = ns_arena_alloc(&a, 64);
	ck_assert_ptr_nonnull(first);
	size_t one_chunk = a.total;
	for (int i = 0; i < 100; i++)
		ck_assert_ptr_nonnull(ns_arena_alloc(&a, 4000));
	ck_assert_uint_gt(a.total, one_chunk);
	ns_arena_reset(&a);
	/* only the first chunk is kept, and it is empty again: the next
	 * allocation is at its start */
	ck_assert_uint_eq(a.total, one_chunk);
	ck_assert_ptr_nonnull(a.head);
	ck_assert_ptr_eq(ns_arena_alloc(&a, 64), first);
	/* steady state: reset and reuse allocates nothing new */
	for (int k = 0; k < 10; k++) {
		ns_arena_reset(&a);
		ck_assert_ptr_eq(ns_arena_alloc(&a, 100), first);
		ck_assert_uint_eq(a.total, one_chunk);
	}
	ns_arena_free(&a);
}
END_TEST

START_TEST(free_then_reuse)
{
	struct ns_arena a;
	ns_arena_init(&a, MIB);
	ck_assert_ptr_nonnull(ns_arena_alloc(&a, 5000));
	ns_arena_free(&a);
	ck_assert_ptr_null(a.head);
	ck_assert_uint_eq(a.total, 0);
	ck_assert_ptr_nonnull(ns_arena_alloc(&a, 5000));
	ns_arena_free(&a);
}
END_TEST

START_TEST(strndup_copies)
{
	struct ns_arena a;
	ns_arena_init(&a, MIB);
	char src[] = "hello, world";
	char *d = ns_arena_strndup(&a, src, 5);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_ne(d, src);
	ck_assert_str_eq(d, "hello");
	src[0] = 'J'; /* a copy, not a view */
	ck_assert_str_eq(d, "hello");
	/* embedded NUL bytes are copied as they are */
	char *e = ns_arena_strndup(&a, "a\0b", 3);
	ck_assert_mem_eq(e, "a\0b", 4);
	char *z = ns_arena_strndup(&a, "", 0);
	ck_assert_str_eq(z, "");
	ns_arena_free(&a);
}
END_TEST

START_TEST(printf_formats)
{
	struct ns_arena a;
	ns_arena_init(&a, MIB);
	char *s = ns_arena_printf(&a, "%s %u 0x%04x", "option", 7u, 0x81u);
	ck_assert_str_eq(s, "option 7 0x0081");
	ck_assert_str_eq(ns_arena_printf(&a, "%s", ""), "");
	/* longer than any small stack buffer */
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *t = ns_arena_printf(&a, "<%s>", big);
	ck_assert_uint_eq(strlen(t), sizeof(big) + 1);
	ck_assert_int_eq(t[0], '<');
	ck_assert_int_eq(t[sizeof(big)], '>');
	ns_arena_free(&a);
}
END_TEST

START_TEST(printf_past_cap)
{
	struct ns_arena a;
	ns_arena_init(&a, 32 * 1024);
	char big[40000];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_ptr_null(ns_arena_printf(&a, "%s", big));
	ck_assert_ptr_null(ns_arena_strndup(&a, big, sizeof(big)));
	ns_arena_free(&a);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("arena");
	TCase *tc = tu_tcase("core");
	tcase_add_test(tc, init_empty);
	tcase_add_test(tc, alloc_aligned_distinct);
	tcase_add_test(tc, blocks_do_not_overlap);
	tcase_add_test(tc, zero_size);
	tcase_add_test(tc, big_request_own_chunk);
	tcase_add_test(tc, cap_respected);
	tcase_add_test(tc, request_above_cap);
	tcase_add_test(tc, reset_keeps_first_chunk);
	tcase_add_test(tc, free_then_reuse);
	tcase_add_test(tc, strndup_copies);
	tcase_add_test(tc, printf_formats);
	tcase_add_test(tc, printf_past_cap);
	suite_add_tcase(s, tc);

	TCase *bug = tu_bug_tcase("known_bugs");
	tcase_add_test(bug, huge_request_is_refused);
	suite_add_tcase(s, bug);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
