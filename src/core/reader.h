/*
 * reader — the one bounds-checked cursor over untrusted bytes.
 *
 * Every byte of packet data is read through a struct ns_reader.  A read past
 * the end does not fault: it returns 0, leaves the cursor where it was and
 * sets a sticky error, so a dissector can parse a header straight-line and
 * check r->err once at the end (the tcpdump GET_* idea without longjmp).
 * Lengths taken from the packet are checked against ns_rd_left() before they
 * are trusted; sub-cursors confine a parser to a length field's extent.
 *
 * Offsets reported by ns_rd_off() are relative to `base`, the first byte of
 * the packet, so recorded fields can point back at their bytes (hex view).
 */
#ifndef NS_READER_H
#define NS_READER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/error.h"

struct ns_reader {
	const uint8_t *base; /* first byte of the packet */
	const uint8_t *p;    /* next byte to read */
	const uint8_t *end;  /* one past the last readable byte */
	int err;	     /* 0, or NS_ETRUNC once a read overran */
};

static inline void ns_rd_init(struct ns_reader *r, const uint8_t *data,
			      size_t len)
{
	r->base = data;
	r->p = data;
	r->end = len ? data + len : data; /* no arithmetic on a NULL of 0 */
	r->err = 0;
}

static inline size_t ns_rd_left(const struct ns_reader *r)
{
	return (size_t)(r->end - r->p);
}

static inline uint32_t ns_rd_off(const struct ns_reader *r)
{
	return (uint32_t)(r->p - r->base);
}

/* True when n more bytes can be read; otherwise marks the reader. */
static inline int ns_rd_need(struct ns_reader *r, size_t n)
{
	if (r->err || (size_t)(r->end - r->p) < n) {
		r->err = NS_ETRUNC;
		return 0;
	}
	return 1;
}

static inline uint8_t ns_rd_u8(struct ns_reader *r)
{
	if (!ns_rd_need(r, 1))
		return 0;
	return *r->p++;
}

static inline uint16_t ns_rd_u16(struct ns_reader *r)
{
	if (!ns_rd_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)(r->p[0] << 8 | r->p[1]);
	r->p += 2;
	return v;
}

static inline uint32_t ns_rd_u24(struct ns_reader *r)
{
	if (!ns_rd_need(r, 3))
		return 0;
	uint32_t v = (uint32_t)r->p[0] << 16 | (uint32_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	return v;
}

static inline uint32_t ns_rd_u32(struct ns_reader *r)
{
	if (!ns_rd_need(r, 4))
		return 0;
	uint32_t v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
		     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	return v;
}

static inline uint64_t ns_rd_u64(struct ns_reader *r)
{
	if (!ns_rd_need(r, 8))
		return 0;
	uint64_t hi = ns_rd_u32(r);
	uint64_t lo = ns_rd_u32(r);
	return hi << 32 | lo;
}

static inline uint16_t ns_rd_u16le(struct ns_reader *r)
{
	if (!ns_rd_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)(r->p[1] << 8 | r->p[0]);
	r->p += 2;
	return v;
}

static inline uint32_t ns_rd_u32le(struct ns_reader *r)
{
	if (!ns_rd_need(r, 4))
		return 0;
	uint32_t v = (uint32_t)r->p[3] << 24 | (uint32_t)r->p[2] << 16 |
		     (uint32_t)r->p[1] << 8 | r->p[0];
	r->p += 4;
	return v;
}

/* Byte at offset `off` from the cursor, without moving; 0 and error past end.
 */
static inline uint8_t ns_rd_peek(struct ns_reader *r, size_t off)
{
	if (!ns_rd_need(r, off + 1))
		return 0;
	return r->p[off];
}

/* Byte i of the bytes p[0..n) (a message a stream dissector holds), read
 * through a reader of its own: 0 past the end. */
static inline uint8_t ns_rd_byte_at(const uint8_t *p, size_t n, size_t i)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	return ns_rd_peek(&r, i);
}

/* Returns a pointer to the next n bytes and advances, or NULL on overrun.
 * The pointer is valid only while the packet is. */
static inline const uint8_t *ns_rd_ptr(struct ns_reader *r, size_t n)
{
	if (!ns_rd_need(r, n))
		return NULL;
	const uint8_t *p = r->p;
	r->p += n;
	return p;
}

static inline void ns_rd_skip(struct ns_reader *r, size_t n)
{
	if (ns_rd_need(r, n))
		r->p += n;
}

static inline void ns_rd_copy(struct ns_reader *r, void *dst, size_t n)
{
	const uint8_t *p = ns_rd_ptr(r, n);
	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

/*
 * Splits off the next n bytes as a sub-cursor and advances past them.  When
 * fewer than n bytes remain, the sub-cursor gets what there is and the
 * parent is marked truncated: the caller can still parse the part it has.
 */
static inline struct ns_reader ns_rd_sub(struct ns_reader *r, size_t n)
{
	struct ns_reader s = *r;
	if (ns_rd_left(r) < n || r->err) {
		r->err = NS_ETRUNC;
		r->p = r->end;
		return s;
	}
	s.end = r->p + n;
	r->p += n;
	return s;
}

/* Shrinks the readable extent to at most n bytes from the cursor. */
static inline void ns_rd_limit(struct ns_reader *r, size_t n)
{
	if (ns_rd_left(r) > n)
		r->end = r->p + n;
}

/* ---- text: lines, tokens, numbers (HTTP/1.1, gRPC-Web trailers) ---------
 * These never set the error: a line without its "\n" may be completed by
 * bytes still to come, so "not there" is an answer, not an overrun. */

/* Whether the next bytes are s[0..n) (nothing moves). */
static inline int ns_rd_starts(const struct ns_reader *r, const void *s,
			       size_t n)
{
	return !r->err && ns_rd_left(r) >= n && memcmp(r->p, s, n) == 0;
}

/* Offset from the cursor of the first byte c, or -1 (nothing moves). */
static inline long ns_rd_find(const struct ns_reader *r, uint8_t c)
{
	if (r->err)
		return -1;
	const uint8_t *q = memchr(r->p, c, ns_rd_left(r));
	return q ? (long)(q - r->p) : -1;
}

#ifdef __SSE2__
/* Of sixteen bytes at p, those in [lo, lo + w] (lo and w in every byte):
 * x is when (x - lo) minus w, saturating at 0, is 0. */
static inline __m128i ns_rd_in16(const uint8_t *p, __m128i lo, __m128i w)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	return _mm_cmpeq_epi8(_mm_subs_epu8(_mm_sub_epi8(x, lo), w),
			      _mm_setzero_si128());
}
#endif

/* Offset from the cursor of the first i where byte i is in [lo1, hi1] and
 * byte i + 1 in [lo2, hi2], or -1 (nothing moves): where a header whose
 * first two bytes have known ranges may begin (a TLS record's type and
 * version, an HTTP/2 frame's length).  With SSE2 (every x86-64) sixteen
 * offsets are tested at once, and a block of 64 is first tested for the
 * narrower range alone (TLS's version byte, HTTP/2's first length byte):
 * in bytes that are neither, most blocks have none. */
static inline long ns_rd_find_pair(const struct ns_reader *r, uint8_t lo1,
				   uint8_t hi1, uint8_t lo2, uint8_t hi2)
{
	if (r->err || lo1 > hi1 || lo2 > hi2) /* an empty range */
		return -1;
	size_t n = ns_rd_left(r), i = 0;
	const uint8_t *p = r->p;
#ifdef __SSE2__
	const __m128i l1 = _mm_set1_epi8((char)lo1),
		      w1 = _mm_set1_epi8((char)(uint8_t)(hi1 - lo1)),
		      l2 = _mm_set1_epi8((char)lo2),
		      w2 = _mm_set1_epi8((char)(uint8_t)(hi2 - lo2));
	int second = hi2 - lo2 < hi1 - lo1; /* byte i + 1's is narrower */
	const __m128i ln = second ? l2 : l1, wn = second ? w2 : w1;
	for (; i + 65 <= n; i += 64) { /* bytes i .. i + 64 */
		const uint8_t *q = p + i + second;
		__m128i any =
		    _mm_or_si128(_mm_or_si128(ns_rd_in16(q, ln, wn),
					      ns_rd_in16(q + 16, ln, wn)),
				 _mm_or_si128(ns_rd_in16(q + 32, ln, wn),
					      ns_rd_in16(q + 48, ln, wn)));
		if (!_mm_movemask_epi8(any))
			continue;
		for (size_t j = i; j < i + 64; j += 16) {
			unsigned m = (unsigned)_mm_movemask_epi8(
			    _mm_and_si128(ns_rd_in16(p + j, l1, w1),
					  ns_rd_in16(p + j + 1, l2, w2)));
			if (m)
				return (long)(j + (unsigned)__builtin_ctz(m));
		}
	}
	for (; i + 17 <= n; i += 16) { /* bytes i .. i + 16 */
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(
		    ns_rd_in16(p + i, l1, w1), ns_rd_in16(p + i + 1, l2, w2)));
		if (m)
			return (long)(i + (unsigned)__builtin_ctz(m));
	}
#endif
	for (; i + 1 < n; i++)
		if ((uint8_t)(p[i] - lo1) <= (uint8_t)(hi1 - lo1) &&
		    (uint8_t)(p[i + 1] - lo2) <= (uint8_t)(hi2 - lo2))
			return (long)i;
	return -1;
}

/* The next line: its bytes up to "\n" (a "\r" before it left out), *n its
 * length, the cursor past the "\n".  NULL when no "\n" follows (nothing
 * moves). */
static inline const uint8_t *ns_rd_line(struct ns_reader *r, size_t *n)
{
	long e = ns_rd_find(r, '\n');
	if (e < 0)
		return NULL;
	const uint8_t *l = r->p;
	*n = (size_t)e;
	if (*n && l[*n - 1] == '\r')
		(*n)--;
	r->p += e + 1;
	return l;
}

/* The next token: the bytes up to the first `delim` or the end, *n its
 * length, the cursor past the delimiter (or at the end). */
static inline const uint8_t *ns_rd_token(struct ns_reader *r, uint8_t delim,
					 size_t *n)
{
	long e = ns_rd_find(r, delim);
	const uint8_t *t = r->p;
	*n = e < 0 ? ns_rd_left(r) : (size_t)e;
	r->p += *n + (e >= 0);
	return t;
}

/* Leading ASCII digits as a number (at most `max` of them; the rest are
 * left), 0 when there are none; values past 2^60 stop growing. */
static inline uint64_t ns_rd_dec(struct ns_reader *r, unsigned max)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < max && ns_rd_left(r) && !r->err; i++) {
		uint8_t c = *r->p;
		if (c < '0' || c > '9')
			break;
		if (v < (1ull << 60))
			v = v * 10 + (uint64_t)(c - '0');
		r->p++;
	}
	return v;
}

/* Leaves out the spaces, tabs and CRs at the end of what is left. */
static inline void ns_rd_trim_end(struct ns_reader *r)
{
	while (!r->err && r->end > r->p &&
	       (r->end[-1] == ' ' || r->end[-1] == '\t' || r->end[-1] == '\r'))
		r->end--;
}

/* Skips spaces and tabs. */
static inline void ns_rd_skip_ws(struct ns_reader *r)
{
	while (!r->err && ns_rd_left(r) && (*r->p == ' ' || *r->p == '\t'))
		r->p++;
}

/*
 * Random access: a cursor at offset `off` from base (where ns_rd_off()
 * counts from), reading up to r's end, r untouched (a DNS compression
 * pointer names another offset of its message; reading ahead without
 * moving is ns_rd_at(r, ns_rd_off(r) + n)).  The new cursor does not
 * inherit r's error: it reads other bytes.  An offset past the end
 * gives an empty cursor, marked truncated.
 */
static inline struct ns_reader ns_rd_at(const struct ns_reader *r, size_t off)
{
	struct ns_reader s = *r;
	s.err = 0;
	if (off > (size_t)(r->end - r->base)) {
		s.p = s.end;
		s.err = NS_ETRUNC;
	} else {
		s.p = r->base + off;
	}
	return s;
}

/* A QUIC variable-length integer (RFC 9000 §16: the first byte's two high
 * bits give its size, 1, 2, 4 or 8 bytes), as QUIC and HTTP/3 write
 * them; 0 and the error when cut short. */
static inline uint64_t ns_rd_varint(struct ns_reader *r)
{
	if (!ns_rd_need(r, 1))
		return 0;
	unsigned n = 1u << (ns_rd_peek(r, 0) >> 6);
	if (!ns_rd_need(r, n))
		return 0;
	uint64_t v = ns_rd_u8(r) & 0x3f;
	for (unsigned i = 1; i < n; i++)
		v = v << 8 | ns_rd_u8(r);
	return v;
}

/* Marks the reader as overrun without moving it: for bytes that do not
 * fit the layout being parsed (a length the structure cannot have), so
 * the caller's one check at the end catches them like a short read. */
static inline void ns_rd_fail(struct ns_reader *r)
{
	r->err = NS_ETRUNC;
}

#endif
