/*
 * grpcmsg — gRPC message framing, gRPC-Web text and trailers, and the
 * call's counts; see grpcmsg.h.  Nothing here records fields: the events
 * it makes are recorded by the grpc layer (dissectors/app/grpc.c).
 */
#include "proto/grpcmsg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"

void ns_grpc_call_init(struct ns_grpc_call *c)
{
	memset(c, 0, sizeof(*c));
	c->grpc_status = -1;
	c->t_req = c->t_first_msg = c->t_last_msg = c->timeout = -1;
}

void ns_grpc_dec_reset(struct ns_grpc_dec *d)
{
	free(d->buf);
	d->buf = NULL;
	d->hlen = 0;
	d->b64bits = 0;
	d->b64acc = 0;
}

void ns_grpc_call_free(struct ns_grpc_call *c)
{
	ns_grpc_dec_reset(&c->dec[0]);
	ns_grpc_dec_reset(&c->dec[1]);
}

static int is(const uint8_t *n, size_t nl, const char *name)
{
	return nl == strlen(name) &&
	       strncasecmp((const char *)n, name, nl) == 0;
}

size_t ns_grpc_pct_decode(char *dst, size_t cap, const uint8_t *v, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		int hi, lo;
		if (v[i] == '%' && i + 2 < n &&
		    (hi = ns_hexval(v[i + 1])) >= 0 &&
		    (lo = ns_hexval(v[i + 2])) >= 0) {
			dst[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			dst[o++] = (char)v[i];
		}
	}
	dst[o] = 0;
	return o;
}

/* grpc-timeout: digits and a unit (H M S m u n), in ns; -1 when bad. */
static int64_t timeout(const uint8_t *v, size_t n)
{
	if (n < 2 || n > 9)
		return -1;
	int64_t x = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	switch (v[n - 1]) {
	case 'H':
		return x * 3600000000000LL;
	case 'M':
		return x * 60000000000LL;
	case 'S':
		return x * 1000000000LL;
	case 'm':
		return x * 1000000LL;
	case 'u':
		return x * 1000LL;
	case 'n':
		return x;
	}
	return -1;
}

void ns_grpc_header(struct ns_grpc_call *c, int dir, const uint8_t *n,
		    size_t nl, const uint8_t *v, size_t vl)
{
	if (is(n, nl, "content-type")) {
		static const char g[] = "application/grpc";
		if (vl >= sizeof(g) - 1 && memcmp(v, g, sizeof(g) - 1) == 0) {
			c->grpc = 1;
			c->web = vl >= 20 && memcmp(v + 16, "-web", 4) == 0;
			c->web_text =
			    vl >= 25 && memcmp(v + 16, "-web-text", 9) == 0;
			c->json =
			    vl >= 21 && memcmp(v + vl - 5, "+json", 5) == 0;
		}
	} else if (is(n, nl, "grpc-encoding")) {
		c->gzip[dir & 1] = is(v, vl, "gzip");
	} else if (is(n, nl, "grpc-status")) {
		int x = 0;
		for (size_t i = 0;
		     i < vl && i < 3 && v[i] >= '0' && v[i] <= '9'; i++)
			x = x * 10 + (v[i] - '0');
		c->grpc_status = x;
	} else if (is(n, nl, "grpc-message")) {
		ns_grpc_pct_decode(c->grpc_msg, sizeof(c->grpc_msg), v, vl);
	} else if (is(n, nl, "grpc-timeout")) {
		c->timeout = timeout(v, vl);
	}
}

size_t ns_grpc_b64(struct ns_grpc_dec *d, const uint8_t *p, size_t n,
		   uint8_t *out)
{
	size_t k = 0;
	uint32_t acc = d->b64acc;
	int bits = d->b64bits;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '=') { /* a piece ends: its spare bits are zero */
			acc = 0;
			bits = 0;
			continue;
		}
		int x = ns_b64digit(p[i]);
		if (x < 0) /* line breaks and anything else are skipped */
			continue;
		acc = acc << 6 | (uint32_t)x;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	d->b64acc = acc;
	d->b64bits = (uint8_t)bits;
	return k;
}

static struct ns_grpc_ev *add(struct ns_grpc_events *evs, int kind, int dir,
			      uint32_t stream)
{
	if (evs->nev >= NS_GRPC_MAX_EVENTS) {
		evs->lost++;
		return NULL;
	}
	struct ns_grpc_ev *e = &evs->ev[evs->nev++];
	memset(e, 0, sizeof(*e));
	e->kind = (uint8_t)kind;
	e->dir = (uint8_t)dir;
	e->stream = stream;
	return e;
}

void ns_grpc_event(struct ns_grpc_events *evs, int kind, int dir,
		   uint32_t stream)
{
	add(evs, kind, dir, stream);
}

/* A message of direction dir is complete: an event (which takes its
 * bytes), the trailers it carries, and the call's counts and timings. */
static void message(struct ns_grpc_call *c, struct ns_grpc_events *evs,
		    uint32_t stream, int dir, int64_t ts)
{
	struct ns_grpc_dec *m = &c->dec[dir];
	uint32_t kept = m->len < NS_GRPC_MAX_KEEP ? m->len : NS_GRPC_MAX_KEEP;
	if (m->hdr[0] & 0x80 && c->web) {
		/* gRPC-Web trailers in the body: "name: value\r\n" lines */
		const uint8_t *p = m->buf;
		/* cppcheck-suppress knownConditionTrueFalse ; cppcheck 2.10
		 * takes the min() of kept for 0 (here and below) */
		for (uint32_t i = 0; p && i < kept;) {
			uint32_t e = i, k = 0;
			/* cppcheck-suppress knownConditionTrueFalse */
			while (e < kept && p[e] != '\n')
				e++;
			while (i + k < e && p[i + k] != ':')
				k++;
			uint32_t ve = e;
			if (ve > i && p[ve - 1] == '\r')
				ve--;
			if (i + k < ve) {
				uint32_t vs = i + k + 1;
				while (vs < ve && p[vs] == ' ')
					vs++;
				ns_grpc_header(c, dir, p + i, k, p + vs,
					       ve - vs);
			}
			i = e + 1;
		}
		/* shown as a frame in the layer, not counted as a message */
	} else {
		c->msgs[dir]++;
		c->msg_bytes[dir] += m->len;
		if (dir == 1) {
			if (c->t_first_msg < 0) {
				c->t_first_msg = ts;
			} else {
				int64_t g = ts - c->t_last_msg;
				c->gap_sum += g;
				if (g > c->gap_max)
					c->gap_max = g;
			}
			c->t_last_msg = ts;
		}
	}
	struct ns_grpc_ev *e = add(evs, NS_GRPC_EV_MSG, dir, stream);
	if (e) {
		e->flags = m->hdr[0];
		e->len = m->len;
		e->bytes = m->buf;
		e->kept = m->buf ? kept : 0;
		m->buf = NULL;
	}
	free(m->buf); /* an event that could not be kept */
	m->buf = NULL;
	m->hlen = 0;
}

/* Plain (decoded) body bytes: the length-prefixed framing. */
static void frames(struct ns_grpc_call *c, struct ns_grpc_events *evs,
		   uint32_t stream, int dir, int64_t ts, const uint8_t *p,
		   size_t n)
{
	struct ns_grpc_dec *m = &c->dec[dir];
	while (n) {
		if (m->hlen < 5) {
			m->hdr[m->hlen++] = *p++;
			n--;
			if (m->hlen < 5)
				continue;
			m->len = (uint32_t)m->hdr[1] << 24 |
				 (uint32_t)m->hdr[2] << 16 |
				 (uint32_t)m->hdr[3] << 8 | m->hdr[4];
			m->got = 0;
			uint32_t keep = m->len < NS_GRPC_MAX_KEEP
					    ? m->len
					    : NS_GRPC_MAX_KEEP;
			/* cppcheck-suppress knownConditionTrueFalse ; cppcheck
			 * 2.10 takes the min() of keep for 0 */
			m->buf = malloc(keep ? keep : 1);
			if (m->len == 0)
				message(c, evs, stream, dir, ts);
			continue;
		}
		uint32_t want = m->len - m->got;
		uint32_t k = n < want ? (uint32_t)n : want;
		if (m->buf && m->got < NS_GRPC_MAX_KEEP) {
			uint32_t room = NS_GRPC_MAX_KEEP - m->got;
			memcpy(m->buf + m->got, p, room < k ? room : k);
		}
		m->got += k;
		p += k;
		n -= k;
		if (m->got == m->len)
			message(c, evs, stream, dir, ts);
	}
}

void ns_grpc_body(struct ns_grpc_call *c, struct ns_grpc_events *evs,
		  uint32_t stream, int dir, int64_t ts, const uint8_t *p,
		  size_t n)
{
	dir &= 1;
	if (!c->web_text) {
		frames(c, evs, stream, dir, ts, p, n);
		return;
	}
	uint8_t *dec = malloc(n * 3 / 4 + 3);
	if (!dec)
		return;
	frames(c, evs, stream, dir, ts, dec,
	       ns_grpc_b64(&c->dec[dir], p, n, dec));
	free(dec);
}

void ns_grpc_ms(struct ns_buf *out, int64_t ns)
{
	long long us = (long long)((ns + 500) / 1000);
	ns_buf_printf(out, " %lld.%02lld ms", us / 1000, (us % 1000) / 10);
}

void ns_grpc_report_times(struct ns_buf *b, const struct ns_grpc_call *c,
			  int64_t t_end, int64_t t_first_resp)
{
	if (c->t_req >= 0 && t_end >= 0)
		ns_grpc_ms(b, t_end - c->t_req);
	else
		ns_buf_puts(b, " - ms");
	if (c->t_req >= 0 && t_first_resp >= 0) {
		ns_buf_puts(b, " ttfb");
		ns_grpc_ms(b, t_first_resp - c->t_req);
	}
}

void ns_grpc_report_msgs(struct ns_buf *b, const struct ns_grpc_call *c)
{
	if (c->t_req >= 0 && c->t_first_msg >= 0) {
		ns_buf_puts(b, " first");
		ns_grpc_ms(b, c->t_first_msg - c->t_req);
	}
	ns_buf_printf(b, " req %u msg %llu B resp %u msg %llu B", c->msgs[0],
		      (unsigned long long)c->msg_bytes[0], c->msgs[1],
		      (unsigned long long)c->msg_bytes[1]);
	if (c->msgs[1] > 1) {
		ns_buf_puts(b, " gaps mean");
		ns_grpc_ms(b, c->gap_sum / (c->msgs[1] - 1));
		ns_buf_puts(b, " max");
		ns_grpc_ms(b, c->gap_max);
	}
}

void ns_grpc_report_message(struct ns_buf *b, const struct ns_grpc_call *c)
{
	if (!c->grpc_msg[0])
		return;
	ns_buf_puts(b, " \"");
	ns_buf_escaped(b, (const uint8_t *)c->grpc_msg, strlen(c->grpc_msg));
	ns_buf_putc(b, '"');
}

int ns_grpc_rst_status(uint32_t err)
{
	switch (err) {
	case 7:		   /* REFUSED_STREAM */
		return 14; /* UNAVAILABLE */
	case 8:		   /* CANCEL */
		return 1;  /* CANCELLED */
	case 11:	   /* ENHANCE_YOUR_CALM */
		return 8;  /* RESOURCE_EXHAUSTED */
	case 12:	   /* INADEQUATE_SECURITY */
		return 7;  /* PERMISSION_DENIED */
	case 5:		   /* STREAM_CLOSED */
		return -1;
	}
	return err <= 13 ? 13 : -1; /* INTERNAL */
}
