/*
 * xmpp — XMPP (RFC 6120) as far as its STARTTLS: the stream headers, the
 * client's <starttls/> and the server's <proceed/> (Wireshark's fields
 * xmpp.stream, xmpp.starttls, xmpp.proceed), after which the connection
 * goes to the stream heuristics (ns_stream_reprobe): the TLS handshake is
 * dissected, and with --tls-keylog what it carries.
 *
 * The XML stream has no framing of its own: each run of bytes that ends
 * with a '>' is one layer, and its top-level elements are found by name
 * (the children of <stream:features>, where the server offers starttls,
 * are part of the features, not a request, as tshark shows them).  What
 * the stanzas mean is not decoded.  Bytes without a '>' past MAX_RUN, or
 * a gap, end the dissection of the connection.
 */
#include <stdio.h>
#include <string.h>

#include "core/dissect.h"
#include "core/packet.h"
#include "flow/stream.h"

#define MAX_RUN	 16384
#define MAX_ELEM 16 /* top-level elements noted in a run */

enum { F_STREAM, F_STARTTLS, F_PROCEED, F_COUNT };

static struct ns_field fields[F_COUNT] = {
    [F_STREAM] = NS_F_NONE("xmpp.stream", "STREAM"),
    [F_STARTTLS] = NS_F_NONE("xmpp.starttls", "STARTTLS"),
    [F_PROCEED] = NS_F_NONE("xmpp.proceed", "PROCEED"),
};

extern struct ns_dissector ns_diss_xmpp;

struct xmpp_state {
	uint8_t dead;
	uint8_t asked; /* the client sent <starttls/>, <proceed/> awaited */
};

/* A top-level element of a run: its kind (F_*), where its tag starts and
 * how long it is ('<' to '>'). */
struct elem {
	int kind;
	size_t off, len;
};

/* Whether the bytes at p[i..] start with s. */
static int starts(const uint8_t *p, size_t n, size_t i, const char *s)
{
	size_t k = strlen(s);
	if (i + k > n)
		return 0;
	for (size_t j = 0; j < k; j++)
		if (ns_rd_byte_at(p, n, i + j) != (uint8_t)s[j])
			return 0;
	return 1;
}

/* Where s next starts in p[i..n), or n. */
static size_t find(const uint8_t *p, size_t n, size_t i, const char *s)
{
	for (; i < n; i++)
		if (starts(p, n, i, s))
			return i;
	return n;
}

/* An element name ends the word after '<': a blank, '/' or '>'. */
static int tag_is(const uint8_t *p, size_t n, size_t i, const char *name)
{
	size_t k = strlen(name);
	if (!starts(p, n, i + 1, name) || i + 1 + k >= n)
		return 0;
	uint8_t c = ns_rd_byte_at(p, n, i + 1 + k);
	return c == ' ' || c == '/' || c == '>' || c == '\t' || c == '\r' ||
	       c == '\n';
}

/* The top-level elements of a run, up to MAX_ELEM of them, into e. */
static unsigned scan(const uint8_t *p, size_t n, struct elem *e)
{
	static const struct {
		const char *name;
		int kind;
	} known[] = {{"stream:stream", F_STREAM},
		     {"starttls", F_STARTTLS},
		     {"proceed", F_PROCEED}};
	unsigned ne = 0;
	for (size_t i = 0; i < n && ne < MAX_ELEM; i++) {
		if (ns_rd_byte_at(p, n, i) != '<')
			continue;
		size_t end = find(p, n, i, ">");
		if (tag_is(p, n, i, "stream:features")) {
			/* its children are offers, not requests */
			size_t close = find(p, n, i, "</stream:features>");
			if (end > 0 && end < n &&
			    ns_rd_byte_at(p, n, end - 1) == '/')
				close = end;
			i = close < n ? close : n;
			continue;
		}
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (tag_is(p, n, i, known[k].name)) {
				e[ne].kind = known[k].kind;
				e[ne].off = i;
				e[ne].len = (end < n ? end + 1 : n) - i;
				ne++;
				break;
			}
		if (end >= n)
			break;
		i = end;
	}
	return ne;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	(void)cx;
	size_t n = ns_rd_left(r);
	uint32_t base = ns_rd_off(r);
	const uint8_t *p = ns_rd_ptr(r, n);
	struct elem e[MAX_ELEM];
	unsigned ne = p ? scan(p, n, e) : 0;
	for (unsigned i = 0; i < ne; i++)
		ns_add_label(pkt, &fields[e[i].kind], base + (uint32_t)e[i].off,
			     (uint32_t)e[i].len);
	return 0;
}

/* The value of attribute a in the tag at p[from..end) ("to='x'"), into
 * out. */
static void attr(const uint8_t *p, size_t from, size_t end, const char *a,
		 struct ns_buf *out)
{
	char pat[16];
	for (int q = 0; q < 2; q++) {
		char quote = q ? '"' : '\'';
		snprintf(pat, sizeof(pat), " %s=%c", a, quote);
		size_t i = find(p, end, from, pat);
		if (i >= end)
			continue;
		size_t v = i + strlen(pat), e = v;
		while (e < end && ns_rd_byte_at(p, end, e) != (uint8_t)quote)
			e++;
		struct ns_reader r;
		ns_rd_init(&r, p, end);
		ns_rd_skip(&r, v);
		ns_buf_escaped(out, ns_rd_ptr(&r, e - v), e - v);
		return;
	}
}

/* tshark's column: "STREAM > to" (the client's), "STREAM < from" (the
 * server's), "STARTTLS", "PROCEED"; the run's elements joined by ", ". */
static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	const uint8_t *b = (l->src ? l->src : pkt->data) + l->off;
	struct elem e[MAX_ELEM];
	unsigned ne = scan(b, l->len, e);
	size_t start = out->len;
	for (unsigned i = 0; i < ne; i++) {
		if (out->len > start)
			ns_buf_puts(out, ", ");
		size_t from = e[i].off, end = e[i].off + e[i].len;
		if (e[i].kind == F_STREAM) {
			int server = find(b, end, from, " from=") < end;
			ns_buf_puts(out, server ? "STREAM < " : "STREAM > ");
			attr(b, from, end, server ? "from" : "to", out);
		} else {
			ns_buf_puts(out, fields[e[i].kind].title);
		}
	}
	if (out->len == start)
		ns_buf_puts(out, "XML");
}

static size_t consume(void *state, struct ns_stream_ctx *ctx, const uint8_t *p,
		      size_t n)
{
	struct xmpp_state *s = state;
	if (s->dead)
		return n;
	size_t last = n;
	while (last > 0 && ns_rd_byte_at(p, n, last - 1) != '>')
		last--;
	if (!last) {
		if (n > MAX_RUN)
			s->dead = 1;
		return s->dead ? n : 0;
	}
	struct elem e[MAX_ELEM];
	unsigned ne = scan(p, last, e);
	int up = 0;
	for (unsigned i = 0; i < ne; i++) {
		if (ctx->dir == 0 && e[i].kind == F_STARTTLS)
			s->asked = 1;
		else if (ctx->dir == 1 && e[i].kind == F_PROCEED && s->asked)
			up = 1;
	}
	if (ctx->pkt) {
		int li = ns_stream_message(ctx, &ns_diss_xmpp, p, last, s);
		if (li >= 0)
			ns_stream_message_end(ctx, li);
	}
	if (up)
		ns_stream_reprobe(ctx);
	return last;
}

static int gap(void *state, struct ns_stream_ctx *ctx, uint32_t n)
{
	(void)ctx;
	(void)n;
	((struct xmpp_state *)state)->dead = 1;
	return 0;
}

static const struct ns_stream_ops ops = {
    .state_size = sizeof(struct xmpp_state),
    .consume = consume,
    .gap = gap,
};

/* client-to-server and server-to-server */
static const struct ns_binding ports[] = {
    {NS_TAB_TCP_PORT, 5222}, {NS_TAB_TCP_PORT, 5269}, {0, 0}};

struct ns_dissector ns_diss_xmpp = {
    .name = "xmpp",
    .column = "XMPP/XML",
    .title = "XMPP Protocol",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = ports,
    .stream = &ops,
};
