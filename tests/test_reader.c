/*
 * test_reader — the bounds-checked cursor (src/core/reader.h).
 *
 * The contract under test: every getter reads big-endian (or little-endian
 * for the _le variants) and advances by its size; a read that would pass
 * `end` returns 0, sets the sticky NS_ETRUNC and leaves the cursor where it
 * was; once set, the error makes every later read fail too.  Sub-cursors and
 * limits confine a parser to a length field's extent, and offsets are always
 * relative to the packet's first byte.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/reader.h"

static const uint8_t seq[16] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
				0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};

START_TEST(init_state)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, sizeof(seq));
	ck_assert_ptr_eq(r.base, seq);
	ck_assert_ptr_eq(r.p, seq);
	ck_assert_ptr_eq(r.end, seq + 16);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 16);
	ck_assert_uint_eq(ns_rd_off(&r), 0);
}
END_TEST

START_TEST(getters_big_endian)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, sizeof(seq));
	ck_assert_uint_eq(ns_rd_u8(&r), 0x01);
	ck_assert_uint_eq(ns_rd_off(&r), 1);
	ck_assert_uint_eq(ns_rd_u16(&r), 0x0203);
	ck_assert_uint_eq(ns_rd_off(&r), 3);
	ck_assert_uint_eq(ns_rd_u24(&r), 0x040506);
	ck_assert_uint_eq(ns_rd_off(&r), 6);
	ck_assert_uint_eq(ns_rd_u32(&r), 0x0708090a);
	ck_assert_uint_eq(ns_rd_off(&r), 10);
	ck_assert_int_eq(r.err, 0);

	ns_rd_init(&r, seq, sizeof(seq));
	ck_assert_uint_eq(ns_rd_u64(&r), 0x0102030405060708ull);
	ck_assert_uint_eq(ns_rd_off(&r), 8);
	ck_assert_uint_eq(ns_rd_u64(&r), 0x090a0b0c0d0e0f10ull);
	ck_assert_uint_eq(ns_rd_left(&r), 0);
	ck_assert_int_eq(r.err, 0);
}
END_TEST

START_TEST(getters_little_endian)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, sizeof(seq));
	ck_assert_uint_eq(ns_rd_u16le(&r), 0x0201);
	ck_assert_uint_eq(ns_rd_off(&r), 2);
	ck_assert_uint_eq(ns_rd_u32le(&r), 0x06050403);
	ck_assert_uint_eq(ns_rd_off(&r), 6);
	ck_assert_int_eq(r.err, 0);
}
END_TEST

START_TEST(getters_high_bit)
{
	/* no sign extension anywhere */
	static const uint8_t ff[8] = {0xff, 0xfe, 0xfd, 0xfc,
				      0xfb, 0xfa, 0xf9, 0xf8};
	struct ns_reader r;
	ns_rd_init(&r, ff, 8);
	ck_assert_uint_eq(ns_rd_u8(&r), 0xff);
	ns_rd_init(&r, ff, 8);
	ck_assert_uint_eq(ns_rd_u16(&r), 0xfffe);
	ns_rd_init(&r, ff, 8);
	ck_assert_uint_eq(ns_rd_u24(&r), 0xfffefd);
	ns_rd_init(&r, ff, 8);
	ck_assert_uint_eq(ns_rd_u32(&r), 0xfffefdfcu);
	ns_rd_init(&r, ff, 8);
	ck_assert_uint_eq(ns_rd_u64(&r), 0xfffefdfcfbfaf9f8ull);
	ns_rd_init(&r, ff, 8);
	ck_assert_uint_eq(ns_rd_u16le(&r), 0xfeff);
	ns_rd_init(&r, ff, 8);
	ck_assert_uint_eq(ns_rd_u32le(&r), 0xfcfdfeffu);
}
END_TEST

/* Each getter reading exactly the last bytes succeeds and leaves 0. */
START_TEST(exact_end_reads)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, 1);
	ck_assert_uint_eq(ns_rd_u8(&r), 0x01);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 0);

	ns_rd_init(&r, seq, 2);
	ck_assert_uint_eq(ns_rd_u16(&r), 0x0102);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 0);

	ns_rd_init(&r, seq, 3);
	ck_assert_uint_eq(ns_rd_u24(&r), 0x010203);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 0);

	ns_rd_init(&r, seq, 4);
	ck_assert_uint_eq(ns_rd_u32(&r), 0x01020304);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 0);

	ns_rd_init(&r, seq, 8);
	ck_assert_uint_eq(ns_rd_u64(&r), 0x0102030405060708ull);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 0);

	ns_rd_init(&r, seq, 2);
	ck_assert_uint_eq(ns_rd_u16le(&r), 0x0201);
	ck_assert_int_eq(r.err, 0);

	ns_rd_init(&r, seq, 4);
	ck_assert_uint_eq(ns_rd_u32le(&r), 0x04030201);
	ck_assert_int_eq(r.err, 0);

	ns_rd_init(&r, seq, 4);
	ck_assert_ptr_eq(ns_rd_ptr(&r, 4), seq);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 0);

	ns_rd_init(&r, seq, 4);
	ns_rd_skip(&r, 4);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 0);

	/* zero-length reads at the end are fine */
	ck_assert_ptr_eq(ns_rd_ptr(&r, 0), seq + 4);
	ns_rd_skip(&r, 0);
	ck_assert_int_eq(r.err, 0);
}
END_TEST

/*
 * Overrun by one byte, for every getter: 0 returned, NS_ETRUNC set, cursor
 * unmoved.  The reader starts 1 byte in, so "unmoved" is not "at base".
 */
#define OVERRUN(getter, size)                                                  \
	do {                                                                   \
		struct ns_reader r;                                            \
		ns_rd_init(&r, seq, 1 + (size)-1);                             \
		ns_rd_u8(&r);                                                  \
		ck_assert_int_eq(r.err, 0);                                    \
		ck_assert_uint_eq((uint64_t)getter(&r), 0);                    \
		ck_assert_msg(r.err == NS_ETRUNC, #getter ": err %d", r.err);  \
		ck_assert_msg(ns_rd_off(&r) == 1,                              \
			      #getter ": cursor moved to %u", ns_rd_off(&r));  \
		ck_assert_uint_eq(ns_rd_left(&r), (size)-1);                   \
	} while (0)

START_TEST(overrun_each_getter)
{
	OVERRUN(ns_rd_u8, 1);
	OVERRUN(ns_rd_u16, 2);
	OVERRUN(ns_rd_u24, 3);
	OVERRUN(ns_rd_u32, 4);
	OVERRUN(ns_rd_u16le, 2);
	OVERRUN(ns_rd_u32le, 4);
}
END_TEST

/*
 * BUG (src/core/reader.h, ns_rd_u64): with 4 to 7 bytes left, u64 reads the
 * high word, then fails on the low one: it returns 0 and sets the error,
 * but the cursor has moved 4 bytes, against the header's "leaves the cursor
 * where it was".
 */
START_TEST(overrun_u64_cursor_unmoved)
{
	OVERRUN(ns_rd_u64, 8); /* 7 bytes left */
	struct ns_reader r;
	ns_rd_init(&r, seq, 4);
	ck_assert_uint_eq(ns_rd_u64(&r), 0);
	ck_assert_int_eq(r.err, NS_ETRUNC);
	ck_assert_uint_eq(ns_rd_off(&r), 0);
}
END_TEST

START_TEST(overrun_u64_short)
{
	/* fewer than 4 bytes: the first half already fails */
	struct ns_reader r;
	ns_rd_init(&r, seq, 3);
	ck_assert_uint_eq(ns_rd_u64(&r), 0);
	ck_assert_int_eq(r.err, NS_ETRUNC);
	ck_assert_uint_eq(ns_rd_off(&r), 0);
}
END_TEST

START_TEST(overrun_ptr_skip_peek)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, 4);
	ck_assert_ptr_null(ns_rd_ptr(&r, 5));
	ck_assert_int_eq(r.err, NS_ETRUNC);
	ck_assert_uint_eq(ns_rd_off(&r), 0);

	ns_rd_init(&r, seq, 4);
	ns_rd_skip(&r, 5);
	ck_assert_int_eq(r.err, NS_ETRUNC);
	ck_assert_uint_eq(ns_rd_off(&r), 0);

	ns_rd_init(&r, seq, 4);
	ck_assert_uint_eq(ns_rd_peek(&r, 4), 0);
	ck_assert_int_eq(r.err, NS_ETRUNC);
	ck_assert_uint_eq(ns_rd_off(&r), 0);

	/* a huge length must not wrap around the pointer arithmetic */
	ns_rd_init(&r, seq, 4);
	ck_assert_ptr_null(ns_rd_ptr(&r, SIZE_MAX));
	ck_assert_int_eq(r.err, NS_ETRUNC);
	ns_rd_init(&r, seq, 4);
	ns_rd_skip(&r, SIZE_MAX);
	ck_assert_int_eq(r.err, NS_ETRUNC);
	ck_assert_uint_eq(ns_rd_off(&r), 0);
}
END_TEST

START_TEST(error_is_sticky)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, 3);
	ns_rd_u32(&r); /* fails */
	ck_assert_int_eq(r.err, NS_ETRUNC);
	/* bytes are there, yet every later read fails and reads nothing */
	ck_assert_uint_eq(ns_rd_u8(&r), 0);
	ck_assert_uint_eq(ns_rd_u16(&r), 0);
	ck_assert_uint_eq(ns_rd_u16le(&r), 0);
	ck_assert_uint_eq(ns_rd_peek(&r, 0), 0);
	ck_assert_ptr_null(ns_rd_ptr(&r, 1));
	ns_rd_skip(&r, 1);
	ck_assert_uint_eq(ns_rd_off(&r), 0);
	ck_assert_int_eq(ns_rd_need(&r, 0), 0);
	ck_assert_int_eq(r.err, NS_ETRUNC);
}
END_TEST

START_TEST(need)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, 4);
	ck_assert_int_eq(ns_rd_need(&r, 4), 1);
	ck_assert_int_eq(ns_rd_need(&r, 0), 1);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_off(&r), 0); /* need does not move */
	ck_assert_int_eq(ns_rd_need(&r, 5), 0);
	ck_assert_int_eq(r.err, NS_ETRUNC);
}
END_TEST

START_TEST(peek)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, 4);
	ns_rd_u8(&r);
	ck_assert_uint_eq(ns_rd_peek(&r, 0), 0x02);
	ck_assert_uint_eq(ns_rd_peek(&r, 2), 0x04); /* last byte */
	ck_assert_uint_eq(ns_rd_off(&r), 1);	    /* never moves */
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_peek(&r, 3), 0); /* one past the end */
	ck_assert_int_eq(r.err, NS_ETRUNC);
	ck_assert_uint_eq(ns_rd_off(&r), 1);
}
END_TEST

START_TEST(ptr_and_skip)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, sizeof(seq));
	ns_rd_skip(&r, 3);
	ck_assert_uint_eq(ns_rd_off(&r), 3);
	const uint8_t *p = ns_rd_ptr(&r, 4);
	ck_assert_ptr_eq(p, seq + 3);
	ck_assert_uint_eq(p[0], 0x04);
	ck_assert_uint_eq(ns_rd_off(&r), 7);
	ck_assert_uint_eq(ns_rd_left(&r), 9);
	ck_assert_int_eq(r.err, 0);
}
END_TEST

START_TEST(copy)
{
	struct ns_reader r;
	uint8_t d[4];
	ns_rd_init(&r, seq, 6);
	ns_rd_copy(&r, d, 4);
	ck_assert_mem_eq(d, seq, 4);
	ck_assert_uint_eq(ns_rd_off(&r), 4);
	/* on overrun the destination is zeroed, not left half-filled */
	memset(d, 0xaa, sizeof(d));
	ns_rd_copy(&r, d, 4);
	ck_assert_int_eq(r.err, NS_ETRUNC);
	static const uint8_t zero[4];
	ck_assert_mem_eq(d, zero, 4);
	ck_assert_uint_eq(ns_rd_off(&r), 4);
}
END_TEST

START_TEST(sub_exact)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, sizeof(seq));
	ns_rd_skip(&r, 2);
	struct ns_reader s = ns_rd_sub(&r, 4);
	ck_assert_int_eq(r.err, 0);
	ck_assert_int_eq(s.err, 0);
	/* the parent moved past the sub-extent */
	ck_assert_uint_eq(ns_rd_off(&r), 6);
	ck_assert_uint_eq(ns_rd_left(&r), 10);
	/* the sub sees exactly 4 bytes, offsets still from the packet start */
	ck_assert_ptr_eq(s.base, seq);
	ck_assert_uint_eq(ns_rd_off(&s), 2);
	ck_assert_uint_eq(ns_rd_left(&s), 4);
	ck_assert_uint_eq(ns_rd_u32(&s), 0x03040506);
	ck_assert_uint_eq(ns_rd_off(&s), 6);
	/* reading past the sub's end fails in the sub only */
	ck_assert_uint_eq(ns_rd_u8(&s), 0);
	ck_assert_int_eq(s.err, NS_ETRUNC);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_u8(&r), 0x07);

	/* a sub of everything that is left */
	struct ns_reader all = ns_rd_sub(&r, ns_rd_left(&r));
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 0);
	ck_assert_uint_eq(ns_rd_left(&all), 9);

	/* an empty sub */
	struct ns_reader none = ns_rd_sub(&all, 0);
	ck_assert_int_eq(all.err, 0);
	ck_assert_uint_eq(ns_rd_left(&none), 0);
	ck_assert_uint_eq(ns_rd_left(&all), 9);
}
END_TEST

START_TEST(sub_short)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, 8);
	ns_rd_skip(&r, 5);
	struct ns_reader s = ns_rd_sub(&r, 10); /* 3 bytes are there */
	/* the parent is marked truncated and has nothing left */
	ck_assert_int_eq(r.err, NS_ETRUNC);
	ck_assert_uint_eq(ns_rd_left(&r), 0);
	/* the sub gets what there is and can still parse it */
	ck_assert_int_eq(s.err, 0);
	ck_assert_uint_eq(ns_rd_off(&s), 5);
	ck_assert_uint_eq(ns_rd_left(&s), 3);
	ck_assert_uint_eq(ns_rd_u24(&s), 0x060708);
	ck_assert_int_eq(s.err, 0);
}
END_TEST

START_TEST(sub_of_failed_reader)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, 8);
	ns_rd_skip(&r, 9);
	ck_assert_int_eq(r.err, NS_ETRUNC);
	struct ns_reader s = ns_rd_sub(&r, 2);
	/* the error carries into the sub: nothing is read from it */
	ck_assert_int_eq(r.err, NS_ETRUNC);
	ck_assert_uint_eq(ns_rd_u8(&s), 0);
	ck_assert_int_eq(s.err, NS_ETRUNC);
}
END_TEST

START_TEST(nested_subs)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, sizeof(seq));
	ns_rd_skip(&r, 1);
	struct ns_reader a = ns_rd_sub(&r, 10); /* bytes 1..10 */
	ns_rd_skip(&a, 2);
	struct ns_reader b = ns_rd_sub(&a, 3); /* bytes 3..5 */
	ck_assert_uint_eq(ns_rd_off(&b), 3);
	ck_assert_uint_eq(ns_rd_u8(&b), 0x04);
	ck_assert_uint_eq(ns_rd_off(&a), 6);
	ck_assert_uint_eq(ns_rd_off(&r), 11);
	/* inner short sub: a is marked, r is not */
	struct ns_reader c = ns_rd_sub(&a, 100);
	ck_assert_int_eq(a.err, NS_ETRUNC);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_left(&c), 5);
}
END_TEST

START_TEST(limit)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, sizeof(seq));
	ns_rd_skip(&r, 2);
	ns_rd_limit(&r, 3);
	ck_assert_uint_eq(ns_rd_left(&r), 3);
	ck_assert_uint_eq(ns_rd_off(&r), 2); /* the cursor does not move */
	ck_assert_uint_eq(ns_rd_u24(&r), 0x030405);
	ck_assert_uint_eq(ns_rd_u8(&r), 0);
	ck_assert_int_eq(r.err, NS_ETRUNC);

	/* a limit beyond the end never extends the reader */
	ns_rd_init(&r, seq, 4);
	ns_rd_limit(&r, 100);
	ck_assert_uint_eq(ns_rd_left(&r), 4);
	ck_assert_ptr_eq(r.end, seq + 4);
	ck_assert_int_eq(r.err, 0); /* and is not an error */

	/* limits only shrink */
	ns_rd_init(&r, seq, 16);
	ns_rd_limit(&r, 8);
	ns_rd_limit(&r, 12);
	ck_assert_uint_eq(ns_rd_left(&r), 8);
	ns_rd_limit(&r, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 0);
	ck_assert_int_eq(r.err, 0);
}
END_TEST

START_TEST(offsets_relative_to_base)
{
	/* a reader whose data starts inside a bigger buffer */
	struct ns_reader r;
	ns_rd_init(&r, seq + 4, 8);
	ck_assert_uint_eq(ns_rd_off(&r), 0);
	ck_assert_uint_eq(ns_rd_u8(&r), 0x05);
	ck_assert_uint_eq(ns_rd_off(&r), 1);
	/* a copy moved by hand (as a dissector hands its reader on) keeps
	 * the base */
	struct ns_reader s = ns_rd_sub(&r, 4);
	ns_rd_skip(&s, 2);
	ck_assert_uint_eq(ns_rd_off(&s), 3);
	ck_assert_uint_eq(ns_rd_off(&r), 5);
}
END_TEST

START_TEST(empty_reader)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 0);
	ck_assert_uint_eq(ns_rd_u8(&r), 0);
	ck_assert_int_eq(r.err, NS_ETRUNC);
	ck_assert_uint_eq(ns_rd_off(&r), 0);
}
END_TEST

START_TEST(text_lines)
{
	static const char t[] = "GET / HTTP/1.1\r\nHost: x\n\r\npartial";
	struct ns_reader r;
	ns_rd_init(&r, (const uint8_t *)t, sizeof(t) - 1);
	size_t n;
	const uint8_t *l = ns_rd_line(&r, &n);
	ck_assert_uint_eq(n, 14);
	ck_assert(memcmp(l, "GET / HTTP/1.1", 14) == 0);
	l = ns_rd_line(&r, &n); /* a bare \n ends a line too */
	ck_assert_uint_eq(n, 7);
	l = ns_rd_line(&r, &n); /* the empty line, \r left out */
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(n, 0);
	/* no "\n" yet: nothing moves, no error */
	uint32_t at = ns_rd_off(&r);
	ck_assert_ptr_null(ns_rd_line(&r, &n));
	ck_assert_uint_eq(ns_rd_off(&r), at);
	ck_assert_int_eq(r.err, 0);
	ck_assert(ns_rd_starts(&r, "part", 4));
	ck_assert(!ns_rd_starts(&r, "partial!", 8));
	ck_assert_int_eq(ns_rd_find(&r, 'l'), 6);
	ck_assert_int_eq(ns_rd_find(&r, 'z'), -1);
}
END_TEST

START_TEST(text_tokens_and_numbers)
{
	static const char t[] = "HTTP/1.1 204  No Content";
	struct ns_reader r;
	ns_rd_init(&r, (const uint8_t *)t, sizeof(t) - 1);
	size_t n;
	const uint8_t *v = ns_rd_token(&r, ' ', &n);
	ck_assert_uint_eq(n, 8);
	ck_assert(memcmp(v, "HTTP/1.1", 8) == 0);
	ck_assert_uint_eq(ns_rd_dec(&r, 3), 204);
	ns_rd_skip_ws(&r);
	v = ns_rd_token(&r, '!', &n); /* no delimiter: the rest */
	ck_assert_uint_eq(n, 10);
	ck_assert_uint_eq(ns_rd_left(&r), 0);
	ck_assert_int_eq(r.err, 0);
	/* digits stop at max, and at a non-digit; huge values saturate */
	static const char d[] = "123456x99999999999999999999999";
	ns_rd_init(&r, (const uint8_t *)d, sizeof(d) - 1);
	ck_assert_uint_eq(ns_rd_dec(&r, 3), 123);
	ck_assert_uint_eq(ns_rd_dec(&r, 9), 456);
	ck_assert_uint_eq(ns_rd_dec(&r, 9), 0);
	ns_rd_skip(&r, 1);
	ck_assert_uint_ge(ns_rd_dec(&r, 64), 1ull << 60); /* no wrap */
	/* an errored reader finds nothing */
	ns_rd_skip(&r, 100);
	ck_assert(!ns_rd_starts(&r, "", 0));
	ck_assert_int_eq(ns_rd_find(&r, '9'), -1);
}
END_TEST

/* ns_rd_find_pair against a byte loop: pairs of ranges at both ends of
 * the byte values and empty ones, each byte value at each place of a
 * buffer of two blocks of 64, one of 16 and some (each path: 64 at a
 * time, 16 at a time, byte by byte), after a byte in the first range and
 * alone, with and without a pair at the end (found past a block where only
 * one range matched), and an errored reader. */
START_TEST(find_pair)
{
	static const uint8_t ranges[][4] = {
	    {20, 24, 3, 3},	{0, 0, 0, 0x40},      {0, 255, 3, 3},
	    {255, 255, 0, 255}, {100, 200, 150, 250}, {9, 8, 3, 3},
	    {3, 3, 9, 8}};
	uint8_t buf[150];
	for (unsigned k = 0; k < sizeof(ranges) / sizeof(ranges[0]) * 2; k++) {
		const uint8_t *g = ranges[k / 2];
		for (unsigned at = 0; at < sizeof(buf); at++) {
			for (unsigned v = 0; v < 256; v++) {
				/* the filler is in no range but {0, 255} */
				memset(buf, 50, sizeof(buf));
				if (k & 1) { /* a pair at the end */
					buf[sizeof(buf) - 2] = g[0];
					buf[sizeof(buf) - 1] = g[2];
				}
				buf[at] = (uint8_t)v;
				if (at > 0 && (at & 1))
					buf[at - 1] = g[0]; /* maybe a pair */
				long want = -1;
				for (unsigned i = 0; i + 1 < sizeof(buf); i++)
					if (buf[i] >= g[0] && buf[i] <= g[1] &&
					    buf[i + 1] >= g[2] &&
					    buf[i + 1] <= g[3]) {
						want = (long)i;
						break;
					}
				struct ns_reader r;
				ns_rd_init(&r, buf, sizeof(buf));
				ck_assert_int_eq(
				    ns_rd_find_pair(&r, g[0], g[1], g[2], g[3]),
				    want);
			}
		}
	}
	struct ns_reader r;
	ns_rd_init(&r, buf, 2);
	ns_rd_skip(&r, 3);
	ck_assert_int_eq(ns_rd_find_pair(&r, 0, 255, 0, 255), -1);
}
END_TEST

START_TEST(random_access)
{
	struct ns_reader r;
	ns_rd_init(&r, seq + 4, 8);
	ns_rd_skip(&r, 6);
	/* back to an earlier offset, r untouched */
	struct ns_reader a = ns_rd_at(&r, 1);
	ck_assert_int_eq(a.err, 0);
	ck_assert_uint_eq(ns_rd_off(&a), 1);
	ck_assert_uint_eq(ns_rd_left(&a), 7);
	ck_assert_uint_eq(ns_rd_u16(&a), 0x0607);
	ck_assert_uint_eq(ns_rd_off(&r), 6);
	/* the end itself: empty, not an error until read */
	a = ns_rd_at(&r, 8);
	ck_assert_int_eq(a.err, 0);
	ck_assert_uint_eq(ns_rd_left(&a), 0);
	ck_assert_uint_eq(ns_rd_u8(&a), 0);
	ck_assert_int_eq(a.err, NS_ETRUNC);
	/* past the end: empty and marked */
	a = ns_rd_at(&r, 9);
	ck_assert_int_eq(a.err, NS_ETRUNC);
	ck_assert_uint_eq(ns_rd_left(&a), 0);
	ck_assert_uint_eq(ns_rd_u8(&a), 0);
	/* a sub-cursor's end bounds it; the base stays the packet's */
	struct ns_reader s = ns_rd_at(&r, 0);
	struct ns_reader sub = ns_rd_sub(&s, 4);
	a = ns_rd_at(&sub, 2);
	ck_assert_uint_eq(ns_rd_left(&a), 2);
	ck_assert_int_eq(ns_rd_at(&sub, 5).err, NS_ETRUNC);
	/* reading ahead without moving */
	a = ns_rd_at(&r, ns_rd_off(&r) + 1);
	ck_assert_uint_eq(ns_rd_u8(&a), 0x0c);
	ck_assert_uint_eq(ns_rd_off(&r), 6);
	/* a failed reader still gives good cursors elsewhere */
	ns_rd_skip(&r, 5);
	ck_assert_int_eq(r.err, NS_ETRUNC);
	a = ns_rd_at(&r, 0);
	ck_assert_int_eq(a.err, 0);
	ck_assert_uint_eq(ns_rd_u8(&a), 0x05);
}
END_TEST

START_TEST(fail)
{
	struct ns_reader r;
	ns_rd_init(&r, seq, 16);
	ns_rd_skip(&r, 3);
	ns_rd_fail(&r);
	ck_assert_int_eq(r.err, NS_ETRUNC);
	/* not moved, and sticky */
	ck_assert_uint_eq(ns_rd_off(&r), 3);
	ck_assert_uint_eq(ns_rd_u8(&r), 0);
	ck_assert_ptr_null(ns_rd_ptr(&r, 0));
}
END_TEST

/* RFC 9000 Appendix A.1's examples, and a cut one. */
START_TEST(quic_varint)
{
	static const uint8_t b[] = {0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8,
				    0x8c, 0x9d, 0x7f, 0x3e, 0x7d, 0x7b, 0xbd,
				    0x25, 0x40, 0x25, 0x80, 0x01};
	struct ns_reader r;
	ns_rd_init(&r, b, sizeof(b));
	ck_assert_uint_eq(ns_rd_varint(&r), 151288809941952652u);
	ck_assert_uint_eq(ns_rd_varint(&r), 494878333u);
	ck_assert_uint_eq(ns_rd_varint(&r), 15293u);
	ck_assert_uint_eq(ns_rd_varint(&r), 37u);
	ck_assert_uint_eq(ns_rd_varint(&r), 37u);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(ns_rd_varint(&r), 0); /* 4 bytes wanted, 2 left */
	ck_assert_int_ne(r.err, 0);
	ck_assert_uint_eq(ns_rd_left(&r), 2);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tu_tcase("core");
	tcase_add_test(tc, init_state);
	tcase_add_test(tc, getters_big_endian);
	tcase_add_test(tc, getters_little_endian);
	tcase_add_test(tc, getters_high_bit);
	tcase_add_test(tc, exact_end_reads);
	tcase_add_test(tc, overrun_each_getter);
	tcase_add_test(tc, overrun_u64_short);
	tcase_add_test(tc, overrun_ptr_skip_peek);
	tcase_add_test(tc, error_is_sticky);
	tcase_add_test(tc, need);
	tcase_add_test(tc, peek);
	tcase_add_test(tc, ptr_and_skip);
	tcase_add_test(tc, copy);
	tcase_add_test(tc, sub_exact);
	tcase_add_test(tc, sub_short);
	tcase_add_test(tc, sub_of_failed_reader);
	tcase_add_test(tc, nested_subs);
	tcase_add_test(tc, limit);
	tcase_add_test(tc, text_lines);
	tcase_add_test(tc, text_tokens_and_numbers);
	tcase_add_test(tc, offsets_relative_to_base);
	tcase_add_test(tc, empty_reader);
	tcase_add_test(tc, random_access);
	tcase_add_test(tc, find_pair);
	tcase_add_test(tc, fail);
	tcase_add_test(tc, quic_varint);
	suite_add_tcase(s, tc);

	TCase *bug = tu_bug_tcase("known_bugs");
	tcase_add_test(bug, overrun_u64_cursor_unmoved);
	suite_add_tcase(s, bug);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
