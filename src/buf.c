/*
 * buf — see buf.h.  The number and address formatters are hand-rolled
 * because they run several times per packet line; everything else goes
 * through vsnprintf.
 */
#include "buf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void ns_buf_put(struct ns_buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap)
		ns_buf_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void ns_buf_puts(struct ns_buf *b, const char *s)
{
	ns_buf_put(b, s, strlen(s));
}

void ns_buf_printf(struct ns_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p ? b->p + b->len : NULL, b->cap - b->len, fmt, ap);
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

void ns_buf_u64(struct ns_buf *b, uint64_t v)
{
	char tmp[20];
	int i = 20;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	ns_buf_put(b, tmp + i, (size_t)(20 - i));
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
	do {
		tmp[--i] = hexdig[v & 15];
		v >>= 4;
		digits--;
	} while (v || digits > 0);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	ns_buf_put(b, tmp + i, (size_t)(18 - i));
}

void ns_buf_ipv4(struct ns_buf *b, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		if (i)
			ns_buf_putc(b, '.');
		ns_buf_u64(b, a[i]);
	}
}

void ns_buf_ipv6(struct ns_buf *b, const uint8_t a[16])
{
	char s[INET6_ADDRSTRLEN];
	if (inet_ntop(AF_INET6, a, s, sizeof(s)))
		ns_buf_puts(b, s);
}

void ns_buf_mac(struct ns_buf *b, const uint8_t a[6])
{
	ns_buf_hexbytes(b, a, 6, ':');
}

void ns_buf_hexbytes(struct ns_buf *b, const uint8_t *p, size_t n, char sep)
{
	if (n == 0)
		return;
	if (b->len + n * 3 > b->cap)
		ns_buf_grow(b, n * 3);
	char *o = b->p + b->len;
	for (size_t i = 0; i < n; i++) {
		if (i && sep)
			*o++ = sep;
		*o++ = hexdig[p[i] >> 4];
		*o++ = hexdig[p[i] & 15];
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
	ns_buf_putc(b, '.');
	uint64_t frac = u % 1000000000u;
	char tmp[9];
	for (int i = 8; i >= 0; i--) {
		tmp[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	ns_buf_put(b, tmp, digits == 6 ? 6 : 9);
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
