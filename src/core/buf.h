/*
 * buf — a growable output buffer with the formatters the sinks use.
 *
 * Output lines are built here and written with one fwrite, which is what
 * makes the text sink fast: no printf on the hot path for numbers and
 * addresses.  The buffer is owned by its sink and reused for every packet.
 * Allocation failure is fatal (the process cannot print anything useful
 * without memory), so the formatters return nothing.
 */
#ifndef NS_BUF_H
#define NS_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct ns_buf {
	char *p;
	size_t len, cap;
};

/* The value of a hex digit, or -1 (for the parsers that read hex text). */
static inline int ns_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A base64 or base64url digit's value, or -1. */
static inline int ns_b64digit(int c)
{
	return c >= 'A' && c <= 'Z'   ? c - 'A'
	       : c >= 'a' && c <= 'z' ? c - 'a' + 26
	       : c >= '0' && c <= '9' ? c - '0' + 52
	       : c == '-' || c == '+' ? 62
	       : c == '_' || c == '/' ? 63
				      : -1;
}

void ns_buf_grow(struct ns_buf *b, size_t more);
void ns_buf_free(struct ns_buf *b);

static inline void ns_buf_reset(struct ns_buf *b)
{
	b->len = 0;
}

static inline void ns_buf_putc(struct ns_buf *b, char c)
{
	if (b->len + 1 > b->cap)
		ns_buf_grow(b, 1);
	b->p[b->len++] = c;
}

/* Inline: most calls give a constant string or length, and the copy
 * then compiles to a few stores (JSON makes tens of them per packet). */
static inline void ns_buf_put(struct ns_buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap)
		ns_buf_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void ns_buf_puts(struct ns_buf *b, const char *s)
{
	ns_buf_put(b, s, strlen(s));
}
void ns_buf_printf(struct ns_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ns_buf_u64(struct ns_buf *b, uint64_t v);
/* text, then v in decimal: what "text%llu" would print, without
 * vsnprintf (summary lines run it several times a packet) */
void ns_buf_put_num(struct ns_buf *b, const char *text, uint64_t v);
void ns_buf_i64(struct ns_buf *b, int64_t v);
/* 0x-prefixed, zero-padded to `digits` hex digits. */
void ns_buf_hex(struct ns_buf *b, uint64_t v, int digits);
void ns_buf_ipv4(struct ns_buf *b, const uint8_t a[4]);
void ns_buf_ipv6(struct ns_buf *b, const uint8_t a[16]);
void ns_buf_mac(struct ns_buf *b, const uint8_t a[6]);
/* Bytes as lowercase hex with `sep` between them (0 for none). */
void ns_buf_hexbytes(struct ns_buf *b, const uint8_t *p, size_t n, char sep);
/* Text with non-printable bytes escaped as \xHH (never trusted raw). */
void ns_buf_escaped(struct ns_buf *b, const uint8_t *p, size_t n);
/*
 * A JSON string, quotes included, that is valid whatever the bytes:
 * well-formed UTF-8 (RFC 3629) is kept; '"', '\\', control characters
 * (C0, DEL, C1) and U+2028/U+2029 are escaped (\n, \u0001, ...); a byte
 * that is not part of well-formed UTF-8 becomes the four characters \xHH
 * (the text output's escape), so the value stays readable and is never
 * silently replaced.
 */
void ns_buf_json_str(struct ns_buf *b, const uint8_t *p, size_t n);
/* Seconds with `digits` decimals (6 or 9) from signed nanoseconds. */
void ns_buf_secs(struct ns_buf *b, int64_t ns, int digits);
/* Right-aligns what was written since `start` in a field of `width`. */
void ns_buf_pad_left(struct ns_buf *b, size_t start, size_t width);

static inline void ns_buf_write(struct ns_buf *b, FILE *f)
{
	if (b->len) /* an unused buffer has no memory yet: p is NULL */
		fwrite(b->p, 1, b->len, f);
}

/* One line of a hex+ASCII dump (tshark's and tcpdump -X's layout): k (<= 16)
 * bytes at offset off. */
void ns_format_hexline(struct ns_buf *b, const uint8_t *p, uint32_t k,
		       uint32_t off);

/* " 1.23 ms": a duration in ns as the summaries and reports show it. */
/* A byte count in decimal units, as capinfos: "812 B", "1.2 MB". */
void ns_buf_bytes(struct ns_buf *b, uint64_t v);
void ns_buf_ms(struct ns_buf *b, int64_t ns);

#endif
