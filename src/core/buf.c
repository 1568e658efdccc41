/*
 * buf — see buf.h.  The number and address formatters are hand-rolled
 * because they run several times per packet line; everything else goes
 * through vsnprintf.
 */
#include "core/buf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void ns_buf_grow(struct ns_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		fputs("netscope: out of memory\n", stderr);
		exit(1);
	}
	b->p = p;
	b->cap = cap;
}

void ns_buf_free(struct ns_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void ns_buf_printf(struct ns_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n =
	    vsnprintf(b->p ? b->p + b->len : NULL, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		ns_buf_grow(b, (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

static const char digits2[201] = "000102030405060708091011121314151617181920212"
				 "22324252627282930313233343536373839"
				 "404142434445464748495051525354555657585960616"
				 "26364656667686970717273747576777879"
				 "8081828384858687888990919293949596979899";

static const uint64_t pow10[20] = {1ull,
				   10ull,
				   100ull,
				   1000ull,
				   10000ull,
				   100000ull,
				   1000000ull,
				   10000000ull,
				   100000000ull,
				   1000000000ull,
				   10000000000ull,
				   100000000000ull,
				   1000000000000ull,
				   10000000000000ull,
				   100000000000000ull,
				   1000000000000000ull,
				   10000000000000000ull,
				   100000000000000000ull,
				   1000000000000000000ull,
				   10000000000000000000ull};

/* Decimal digits of v: log10 from the bit length (1233/4096 is just
 * above log10(2)), then one comparison. */
static unsigned ndigits(uint64_t v)
{
	unsigned t = (unsigned)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;
	return t + 1 - (v < pow10[t]);
}

/* Digits are written straight into the buffer, from the last one back,
 * two at a time, each pair one copy of two bytes from the table (a
 * memcpy of a computed length here would become a __memcpy_chk call
 * under _FORTIFY_SOURCE=3; of a constant one it is a move). */
void ns_buf_u64(struct ns_buf *b, uint64_t v)
{
	unsigned n = v < 10 ? 1 : ndigits(v);
	if (b->len + n > b->cap)
		ns_buf_grow(b, n);
	char *q = b->p + b->len + n;
	b->len += n;
	while (v > UINT32_MAX) {
		unsigned r = (unsigned)(v % 100) * 2;
		v /= 100;
		*--q = digits2[r + 1];
		*--q = digits2[r];
	}
	/* the rest in 32 bits, whose divisions are cheaper, four digits a
	 * round (the two pairs of a round do not wait on each other) */
	uint32_t w = (uint32_t)v;
	while (w >= 10000) {
		uint32_t r = w % 10000;
		w /= 10000;
		q -= 4;
		memcpy(q, digits2 + r / 100 * 2, 2);
		memcpy(q + 2, digits2 + r % 100 * 2, 2);
	}
	if (w >= 100) { /* below 10000 now */
		q -= 2;
		memcpy(q, digits2 + w % 100 * 2, 2);
		w /= 100;
	}
	if (w >= 10) {
		q -= 2;
		memcpy(q, digits2 + w * 2, 2);
	} else {
		*--q = (char)('0' + w);
	}
}

void ns_buf_put_num(struct ns_buf *b, const char *text, uint64_t v)
{
	ns_buf_puts(b, text);
	ns_buf_u64(b, v);
}

void ns_buf_i64(struct ns_buf *b, int64_t v)
{
	if (v < 0) {
		ns_buf_putc(b, '-');
		ns_buf_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		ns_buf_u64(b, (uint64_t)v);
	}
}

static const char hexdig[] = "0123456789abcdef";

void ns_buf_hex(struct ns_buf *b, uint64_t v, int digits)
{
	char tmp[18];
	int i = 18;
	ns_buf_put(b, "0x", 2);
	for (; digits > 16; digits--) /* wider than any value: zeros */
		ns_buf_putc(b, '0');
	do {
		tmp[--i] = hexdig[v & 15];
		v >>= 4;
		digits--;
	} while (v || digits > 0);
	ns_buf_put(b, tmp + i, (size_t)(18 - i));
}

/* Each byte value's decimal digits then '.' (and filler), four bytes to
 * store at once: 1 + (x >= 10) + (x >= 100) of them are the digits. */
static const char octets[1025] =
    "0...1...2...3...4...5...6...7...8...9...10..11..12..13..14..15.."
    "16..17..18..19..20..21..22..23..24..25..26..27..28..29..30..31.."
    "32..33..34..35..36..37..38..39..40..41..42..43..44..45..46..47.."
    "48..49..50..51..52..53..54..55..56..57..58..59..60..61..62..63.."
    "64..65..66..67..68..69..70..71..72..73..74..75..76..77..78..79.."
    "80..81..82..83..84..85..86..87..88..89..90..91..92..93..94..95.."
    "96..97..98..99..100.101.102.103.104.105.106.107.108.109.110.111."
    "112.113.114.115.116.117.118.119.120.121.122.123.124.125.126.127."
    "128.129.130.131.132.133.134.135.136.137.138.139.140.141.142.143."
    "144.145.146.147.148.149.150.151.152.153.154.155.156.157.158.159."
    "160.161.162.163.164.165.166.167.168.169.170.171.172.173.174.175."
    "176.177.178.179.180.181.182.183.184.185.186.187.188.189.190.191."
    "192.193.194.195.196.197.198.199.200.201.202.203.204.205.206.207."
    "208.209.210.211.212.213.214.215.216.217.218.219.220.221.222.223."
    "224.225.226.227.228.229.230.231.232.233.234.235.236.237.238.239."
    "240.241.242.243.244.245.246.247.248.249.250.251.252.253.254.255.";

void ns_buf_ipv4(struct ns_buf *b, const uint8_t a[4])
{
	if (b->len + 16 > b->cap)
		ns_buf_grow(b, 16);
	char *o = b->p + b->len;
	for (int i = 0; i < 4; i++) { /* "255." is 4 bytes: 16 at most */
		unsigned x = a[i];
		memcpy(o, octets + 4 * x, 4);
		o += 2 + (x >= 10) + (x >= 100);
	}
	b->len = (size_t)(o - 1 - b->p); /* the last '.' is not kept */
}

/* RFC 5952 section 4: lowercase, no leading zeros, the longest run of two
 * or more zero groups (the first if tied) as "::", IPv4-mapped as dotted. */
void ns_buf_ipv6(struct ns_buf *b, const uint8_t a[16])
{
	static const char hx[] = "0123456789abcdef";
	unsigned g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	int best = -1, bestlen = 1;
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	if (b->len + 46 > b->cap)
		ns_buf_grow(b, 46);
	char *o = b->p + b->len;
	int mapped =
	    best == 0 && (bestlen == 6 || (bestlen == 5 && g[5] == 0xffff));
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*o++ = ':';
			if (i == 0)
				*o++ = ':';
			i += bestlen - 1;
			continue;
		}
		if (mapped && i == 6) {
			b->len = (size_t)(o - b->p);
			ns_buf_ipv4(b, a + 12);
			return;
		}
		unsigned x = g[i];
		if (x >> 12)
			*o++ = hx[x >> 12];
		if (x >> 8)
			*o++ = hx[x >> 8 & 15];
		if (x >> 4)
			*o++ = hx[x >> 4 & 15];
		*o++ = hx[x & 15];
		if (i < 7)
			*o++ = ':';
	}
	b->len = (size_t)(o - b->p);
}

void ns_buf_mac(struct ns_buf *b, const uint8_t a[6])
{
	ns_buf_hexbytes(b, a, 6, ':');
}

/* The two hex digits of each byte value, so a byte is one table read and
 * one two-byte store (JSON writes every payload this way). */
static const char hex2[513] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* The hex of p[0..k) into o[0..2k), for the largest k <= n a multiple of
 * 16: with SSE2 (every x86-64), sixteen bytes at a time, each nibble n
 * becoming '0' + n, plus 'a' - '0' - 10 when above 9, then the high and
 * low digits interleaved.  Elsewhere k is 0. */
static size_t hex_block16(char *o, const uint8_t *p, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	const __m128i nib = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9),
		      zero = _mm_set1_epi8('0'),
		      gap = _mm_set1_epi8('a' - '0' - 10);
	for (; i + 16 <= n; i += 16) {
		__m128i x =
		    _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), nib);
		__m128i lo = _mm_and_si128(x, nib);
		hi = _mm_add_epi8(_mm_add_epi8(hi, zero),
				  _mm_and_si128(_mm_cmpgt_epi8(hi, nine), gap));
		lo = _mm_add_epi8(_mm_add_epi8(lo, zero),
				  _mm_and_si128(_mm_cmpgt_epi8(lo, nine), gap));
		_mm_storeu_si128((__m128i *)(void *)(o + 2 * i),
				 _mm_unpacklo_epi8(hi, lo));
		_mm_storeu_si128((__m128i *)(void *)(o + 2 * i + 16),
				 _mm_unpackhi_epi8(hi, lo));
	}
#else
	(void)o;
	(void)p;
	(void)n;
#endif
	return i;
}

void ns_buf_hexbytes(struct ns_buf *b, const uint8_t *p, size_t n, char sep)
{
	if (n == 0)
		return;
	if (b->len + n * 3 > b->cap)
		ns_buf_grow(b, n * 3);
	char *o = b->p + b->len;
	if (sep) {
		for (size_t i = 0; i < n; i++) {
			if (i)
				*o++ = sep;
			memcpy(o, hex2 + 2 * p[i], 2);
			o += 2;
		}
	} else {
		size_t i = hex_block16(o, p, n);
		for (; i < n; i++)
			memcpy(o + 2 * i, hex2 + 2 * p[i], 2);
		o += 2 * n;
	}
	b->len = (size_t)(o - b->p);
}

void ns_buf_escaped(struct ns_buf *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			ns_buf_putc(b, (char)c);
		} else if (c == '\\') {
			ns_buf_put(b, "\\\\", 2);
		} else {
			char e[4] = {'\\', 'x', hexdig[c >> 4], hexdig[c & 15]};
			ns_buf_put(b, e, 4);
		}
	}
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629 section 4), or
 * 0: overlong forms, surrogates and code points past U+10FFFF are not. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;
	size_t k;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < k || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return k;
}

static void json_u_escape(struct ns_buf *b, unsigned cp)
{
	char e[6] = {'\\',
		     'u',
		     hexdig[cp >> 12 & 15],
		     hexdig[cp >> 8 & 15],
		     hexdig[cp >> 4 & 15],
		     hexdig[cp & 15]};
	ns_buf_put(b, e, 6);
}

/* '1' for the bytes a JSON string carries as they are: printable ASCII
 * but '"' and '\\' (one table read a byte instead of four tests). */
static const char json_plain[257] =
    "0000000000000000000000000000000011011111111111111111111111111111"
    "1111111111111111111111111111011111111111111111111111111111111110"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000";

void ns_buf_json_str(struct ns_buf *b, const uint8_t *p, size_t n)
{
	ns_buf_putc(b, '"');
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		while (i < n && json_plain[p[i]] == '1')
			i++;
		ns_buf_put(b, (const char *)p + run, i - run);
		if (i >= n)
			break;
		uint8_t c = p[i];
		if (c < 0x80) {
			i++;
			switch (c) {
			case '"':
				ns_buf_put(b, "\\\"", 2);
				break;
			case '\\':
				ns_buf_put(b, "\\\\", 2);
				break;
			case '\n':
				ns_buf_put(b, "\\n", 2);
				break;
			case '\r':
				ns_buf_put(b, "\\r", 2);
				break;
			case '\t':
				ns_buf_put(b, "\\t", 2);
				break;
			default: /* other C0 controls and DEL */
				json_u_escape(b, c);
			}
			continue;
		}
		size_t k = utf8_len(p + i, n - i);
		if (k == 0) {
			char e[5] = {'\\', '\\', 'x', hexdig[c >> 4],
				     hexdig[c & 15]};
			ns_buf_put(b, e, 5);
			i++;
			continue;
		}
		unsigned cp =
		    k == 2   ? (unsigned)(c & 0x1f) << 6 | (p[i + 1] & 0x3f)
		    : k == 3 ? (unsigned)(c & 0x0f) << 12 |
				   (unsigned)(p[i + 1] & 0x3f) << 6 |
				   (p[i + 2] & 0x3f)
			     : 0x10000;
		/* C1 controls reach terminals too; U+2028/9 end a line for
		 * JavaScript */
		if (cp < 0xa0 || cp == 0x2028 || cp == 0x2029)
			json_u_escape(b, cp);
		else
			ns_buf_put(b, (const char *)p + i, k);
		i += k;
	}
	ns_buf_putc(b, '"');
}

void ns_buf_secs(struct ns_buf *b, int64_t ns, int digits)
{
	uint64_t u;
	if (ns < 0) {
		ns_buf_putc(b, '-');
		u = (uint64_t)0 - (uint64_t)ns;
	} else {
		u = (uint64_t)ns;
	}
	ns_buf_u64(b, u / 1000000000u);
	/* '.' and nine digits written in place, the first `digits` kept */
	if (b->len + 10 > b->cap)
		ns_buf_grow(b, 10);
	char *q = b->p + b->len;
	q[0] = '.';
	unsigned frac = (unsigned)(u % 1000000000u);
	q[9] = (char)('0' + frac % 10);
	frac /= 10;
	for (int i = 7; i >= 1; i -= 2) { /* the other eight, in pairs */
		unsigned r = frac % 100 * 2;
		frac /= 100;
		q[i] = digits2[r];
		q[i + 1] = digits2[r + 1];
	}
	b->len += digits == 6 ? 7 : 10;
}

void ns_buf_pad_left(struct ns_buf *b, size_t start, size_t width)
{
	size_t n = b->len - start;
	if (n >= width)
		return;
	size_t pad = width - n;
	if (b->len + pad > b->cap)
		ns_buf_grow(b, pad);
	memmove(b->p + start + pad, b->p + start, n);
	memset(b->p + start, ' ', pad);
	b->len += pad;
}

void ns_format_hexline(struct ns_buf *b, const uint8_t *p, uint32_t k,
		       uint32_t off)
{
	ns_buf_printf(b, "%04x  ", off);
	for (uint32_t i = 0; i < 16; i++) {
		if (i < k)
			ns_buf_hexbytes(b, p + i, 1, 0);
		else
			ns_buf_puts(b, "  ");
		ns_buf_putc(b, ' ');
	}
	ns_buf_puts(b, "  ");
	for (uint32_t i = 0; i < k; i++) {
		uint8_t c = p[i];
		ns_buf_putc(b, c >= 0x20 && c < 0x7f ? (char)c : '.');
	}
	ns_buf_putc(b, '\n');
}

void ns_buf_bytes(struct ns_buf *b, uint64_t v)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
	double d = (double)v;
	unsigned u = 0;
	while (d >= 1000 && u < 4) {
		d /= 1000;
		u++;
	}
	if (u == 0)
		ns_buf_printf(b, "%llu B", (unsigned long long)v);
	else
		ns_buf_printf(b, "%.1f %s", d, unit[u]);
}

void ns_buf_ms(struct ns_buf *b, int64_t ns)
{
	/* to the nearest 10 us, as the TUI rounds (ns_tui_ms) */
	long long h = (long long)((ns + 5000) / 10000);
	if (h < 0) { /* as printf says a negative time */
		ns_buf_printf(b, " %lld.%02lld ms", h / 100, h % 100);
		return;
	}
	ns_buf_put_num(b, " ", (uint64_t)(h / 100));
	ns_buf_putc(b, '.');
	ns_buf_putc(b, (char)('0' + h % 100 / 10));
	ns_buf_putc(b, (char)('0' + h % 10));
	ns_buf_puts(b, " ms");
}
