/*
 * grpcmsg — gRPC message framing, gRPC-Web text and trailers, and the
 * call's counts and status; see grpcmsg.h.  Nothing here records fields: the
 * events it makes are recorded by the grpc layer (dissectors/app/grpc.c).
 */
#include "proto/grpcmsg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/body.h"
#include "core/field.h"
#include "core/mem.h"
#include "core/buf.h"
#include "core/reader.h"
#include "core/txn.h"

void ns_grpc_dec_reset(struct ns_grpc_dec *d)
{
	ns_mem_free(d->mem, d->buf);
	d->buf = NULL;
	d->hlen = 0;
	d->b64bits = 0;
	d->b64acc = 0;
}

static int is(const uint8_t *n, size_t nl, const char *name)
{
	return nl == strlen(name) &&
	       strncasecmp((const char *)n, name, nl) == 0;
}

size_t ns_grpc_pct_decode(char *dst, size_t cap, const uint8_t *v, size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, v, n);
	size_t o = 0;
	while (ns_rd_left(&r) && o + 1 < cap) {
		uint8_t c = ns_rd_u8(&r);
		int hi, lo;
		if (c == '%' && ns_rd_left(&r) >= 2 &&
		    (hi = ns_hexval(ns_rd_peek(&r, 0))) >= 0 &&
		    (lo = ns_hexval(ns_rd_peek(&r, 1))) >= 0) {
			c = (uint8_t)(hi << 4 | lo);
			ns_rd_skip(&r, 2);
		}
		dst[o++] = (char)c;
	}
	dst[o] = 0;
	return o;
}

/* grpc-timeout: digits and a unit (H M S m u n), in ns; -1 when bad. */
static int64_t timeout(const uint8_t *v, size_t n)
{
	if (n < 2 || n > 9)
		return -1;
	struct ns_reader r;
	ns_rd_init(&r, v, n);
	int64_t x = (int64_t)ns_rd_dec(&r, 8);
	if (ns_rd_left(&r) != 1)
		return -1; /* a unit, right after the digits */
	switch (ns_rd_u8(&r)) {
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

void ns_grpc_header(struct ns_call *c, int dir, const uint8_t *n, size_t nl,
		    const uint8_t *v, size_t vl)
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
		struct ns_reader r;
		ns_rd_init(&r, v, vl);
		c->grpc_status = (int)ns_rd_dec(&r, 3);
	} else if (is(n, nl, "grpc-message")) {
		ns_grpc_pct_decode(c->grpc_msg, sizeof(c->grpc_msg), v, vl);
	} else if (is(n, nl, "grpc-timeout")) {
		c->timeout = timeout(v, vl);
	}
}

int ns_grpc_looks_framed(const uint8_t *p, size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	for (int first = 1; ns_rd_left(&r); first = 0) {
		uint8_t flag = ns_rd_u8(&r);
		uint32_t len = ns_rd_u32(&r);
		if (r.err || flag > 1)
			return 0;
		if (len <= ns_rd_left(&r)) {
			ns_rd_skip(&r, len);
			continue;
		}
		return first && n >= 1024 && len < (4u << 20);
	}
	return n >= 5;
}

/* Appends s to dst (at *at, a "; " or ", " before all but the first). */
static void put_part(char *dst, size_t cap, size_t *at, const char *sep,
		     const char *s)
{
	int k = snprintf(dst + *at, cap - *at, "%s%s", *at ? sep : "", s);
	if (k > 0)
		*at = *at + (size_t)k < cap ? *at + (size_t)k : cap - 1;
}

size_t ns_grpc_lost_text(const struct ns_call *c, char *dst, size_t cap)
{
	size_t at = 0;
	if (!cap)
		return 0;
	dst[0] = 0;
	if (!c->hpack_lost)
		return 0;
	if (c->grpc && c->grpc_status >= 0)
		put_part(dst, cap, &at, "; ", "status from trailers");
	if (c->guessed)
		put_part(dst, cap, &at, "; ", "gRPC by its framing");
	size_t mark = at;
	const char *sep = "; ";
	if (!c->method[0] && !c->path[0]) {
		put_part(dst, cap, &at, sep, "method");
		sep = ", ";
	} else if (!c->path[0]) {
		put_part(dst, cap, &at, sep, "path");
		sep = ", ";
	}
	if (c->status < 0) {
		put_part(dst, cap, &at, sep, ":status");
		sep = ", ";
	}
	if (c->grpc && c->grpc_status < 0)
		put_part(dst, cap, &at, sep, "grpc-status");
	if (at > mark || !mark)
		put_part(dst, cap, &at, at > mark ? " " : "",
			 at > mark ? "unknown: HPACK context lost"
				   : "headers lost: HPACK context lost");
	return at;
}

size_t ns_grpc_b64(struct ns_grpc_dec *d, const uint8_t *p, size_t n,
		   uint8_t *out)
{
	size_t k = 0;
	uint32_t acc = d->b64acc;
	int bits = d->b64bits;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	while (ns_rd_left(&r)) {
		uint8_t c = ns_rd_u8(&r);
		if (c == '=') { /* a piece ends: its spare bits are zero */
			acc = 0;
			bits = 0;
			continue;
		}
		int x = ns_b64digit(c);
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
			      const struct ns_call *c)
{
	if (evs->nev >= NS_GRPC_MAX_EVENTS) {
		evs->lost++;
		return NULL;
	}
	struct ns_grpc_ev *e = &evs->ev[evs->nev++];
	memset(e, 0, sizeof(*e));
	e->kind = (uint8_t)kind;
	e->dir = (uint8_t)dir;
	e->call = c->id;
	e->version = c->version;
	return e;
}

void ns_grpc_event(struct ns_grpc_events *evs, int kind, int dir,
		   const struct ns_call *c)
{
	add(evs, kind, dir, c);
}

void ns_grpc_events_free(struct ns_grpc_events *evs)
{
	for (unsigned i = 0; i < evs->nev; i++)
		ns_mem_free(evs->mem, evs->ev[i].bytes);
	evs->nev = 0;
	evs->lost = 0;
}

/* The "name: value" lines of a gRPC-Web trailers frame (the last one may
 * lack its line end). */
static void web_trailers(struct ns_call *c, int dir, const uint8_t *p, size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	while (ns_rd_left(&r)) {
		size_t len;
		const uint8_t *line = ns_rd_line(&r, &len);
		if (!line) {
			len = ns_rd_left(&r);
			line = ns_rd_ptr(&r, len);
		}
		struct ns_hdr h;
		if (ns_hdr_split(line, len, &h))
			ns_grpc_header(c, dir, h.name, h.nl, h.value, h.vl);
	}
}

/* A message of direction dir is complete: an event (which takes its
 * bytes), the trailers it carries, and the call's counts and timings. */
static void message(struct ns_call *c, struct ns_grpc_dec *m,
		    struct ns_grpc_events *evs, int dir, int64_t ts)
{
	uint32_t kept = m->len < NS_GRPC_MAX_KEEP ? m->len : NS_GRPC_MAX_KEEP;
	if (m->hdr[0] & 0x80 && c->web) {
		/* gRPC-Web trailers in the body: "name: value\r\n" lines */
		if (m->buf)
			web_trailers(c, dir, m->buf, kept);
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
	struct ns_grpc_ev *e = add(evs, NS_GRPC_EV_MSG, dir, c);
	if (e) {
		e->flags = m->hdr[0];
		e->len = m->len;
		e->bytes = m->buf;
		e->kept = m->buf ? kept : 0;
		m->buf = NULL;
	}
	ns_mem_free(m->mem, m->buf); /* an event that could not be kept */
	m->buf = NULL;
	m->hlen = 0;
}

/* One byte of a message's 5-byte prefix; a message begins when it is
 * whole. */
static void prefix_byte(struct ns_call *c, struct ns_grpc_dec *m,
			struct ns_grpc_events *evs, int dir, int64_t ts,
			uint8_t b)
{
	m->hdr[m->hlen++] = b;
	if (m->hlen < 5)
		return;
	struct ns_reader h;
	ns_rd_init(&h, m->hdr + 1, 4);
	m->len = ns_rd_u32(&h);
	m->got = 0;
	uint32_t keep = m->len < NS_GRPC_MAX_KEEP ? m->len : NS_GRPC_MAX_KEEP;
	m->mem = evs->mem;
	/* cppcheck-suppress knownConditionTrueFalse ; cppcheck 2.10 takes
	 * the min() of keep for 0 */
	m->buf = ns_mem_alloc(m->mem, keep ? keep : 1);
	if (m->len == 0)
		message(c, m, evs, dir, ts);
}

/* Plain (decoded) body bytes: the length-prefixed framing. */
static void frames(struct ns_call *c, struct ns_grpc_dec *m,
		   struct ns_grpc_events *evs, int dir, int64_t ts,
		   const uint8_t *p, size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	while (ns_rd_left(&r)) {
		if (m->hlen < 5) {
			prefix_byte(c, m, evs, dir, ts, ns_rd_u8(&r));
			continue;
		}
		uint32_t want = m->len - m->got;
		size_t left = ns_rd_left(&r);
		uint32_t k = left < want ? (uint32_t)left : want;
		const uint8_t *q = ns_rd_ptr(&r, k);
		if (m->buf && m->got < NS_GRPC_MAX_KEEP) {
			uint32_t room = NS_GRPC_MAX_KEEP - m->got;
			memcpy(m->buf + m->got, q, room < k ? room : k);
		}
		m->got += k;
		if (m->got == m->len)
			message(c, m, evs, dir, ts);
	}
}

void ns_grpc_body(struct ns_call *c, struct ns_grpc_dec *m,
		  struct ns_grpc_events *evs, int dir, int64_t ts,
		  const uint8_t *p, size_t n)
{
	dir &= 1;
	if (!c->web_text) {
		frames(c, m, evs, dir, ts, p, n);
		return;
	}
	uint8_t *dec = malloc(n * 3 / 4 + 3);
	if (!dec)
		return;
	frames(c, m, evs, dir, ts, dec, ns_grpc_b64(m, p, n, dec));
	free(dec);
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

int ns_grpc_call_status(const struct ns_call *c)
{
	if (c->grpc_status >= 0)
		return c->grpc_status;
	if (c->end != NS_CALL_RESET)
		return -1;
	/* a client gives up at its deadline with CANCEL; its clock started
	 * a little before the request reached the wire */
	if (c->rst_by == 0 && c->rst_error == 8 && c->timeout > 0 &&
	    c->t_req >= 0 && c->t_end >= 0 &&
	    c->t_end - c->t_req >= c->timeout - c->timeout / 10) /* 90% */
		return 4; /* DEADLINE_EXCEEDED */
	return ns_grpc_rst_status(c->rst_error);
}

/* gRPC status codes (grpc/grpc doc/statuscodes.md). */
const struct ns_valstr ns_grpc_status_names[] = {
    {0, "OK"},
    {1, "CANCELLED"},
    {2, "UNKNOWN"},
    {3, "INVALID_ARGUMENT"},
    {4, "DEADLINE_EXCEEDED"},
    {5, "NOT_FOUND"},
    {6, "ALREADY_EXISTS"},
    {7, "PERMISSION_DENIED"},
    {8, "RESOURCE_EXHAUSTED"},
    {9, "FAILED_PRECONDITION"},
    {10, "ABORTED"},
    {11, "OUT_OF_RANGE"},
    {12, "UNIMPLEMENTED"},
    {13, "INTERNAL"},
    {14, "UNAVAILABLE"},
    {15, "DATA_LOSS"},
    {16, "UNAUTHENTICATED"},
    {0, NULL},
};

const char *ns_grpc_status_name(int status)
{
	return status < 0
		   ? NULL
		   : ns_valstr_find(ns_grpc_status_names, (uint64_t)status);
}
