/*
 * mail — SMTP, IMAP and POP3 as far as their STARTTLS: the command and
 * response lines of each (one layer a line, Wireshark's field names), and
 * the upgrade to TLS (SMTP STARTTLS and its 220, RFC 3207; IMAP's tagged
 * STARTTLS and its OK, RFC 9051; POP3 STLS and its +OK, RFC 2595), after
 * which the connection goes to the stream heuristics
 * (ns_stream_reprobe): the TLS handshake is dissected, and with
 * --tls-keylog what it carries.
 *
 * What the lines mean beyond their command and status (SMTP's DATA, a
 * POP3 listing, IMAP's literals and untagged data) is not decoded: such a
 * line is a layer with no field but its text's place.  A line longer than
 * MAX_LINE or a gap ends the dissection of the connection.
 */
#include <string.h>

#include "core/dissect.h"
#include "core/packet.h"
#include "flow/stream.h"

#define MAX_LINE 4096

static struct ns_field smtp_fields[] = {
    NS_F_STR("smtp.req.command", "Command"),
    NS_F_STR("smtp.req.parameter", "Request parameter"),
    NS_F_UINT("smtp.response.code", "Response code", 32),
    NS_F_STR("smtp.rsp.parameter", "Response parameter"),
};

static struct ns_field imap_fields[] = {
    NS_F_STR("imap.request_tag", "Request Tag"),
    NS_F_STR("imap.request.command", "Request Command"),
    NS_F_STR("imap.response_tag", "Response Tag"),
    NS_F_STR("imap.response.status", "Response Status"),
};

static struct ns_field pop_fields[] = {
    NS_F_STR("pop.request.command", "Request command"),
    NS_F_STR("pop.request.parameter", "Request parameter"),
    NS_F_STR("pop.response.indicator", "Response indicator"),
    NS_F_STR("pop.response.description", "Response description"),
};

extern struct ns_dissector ns_diss_smtp, ns_diss_imap, ns_diss_pop;

enum proto { P_SMTP, P_IMAP, P_POP };

struct mail_state {
	uint8_t dead;
	uint8_t asked; /* the client asked for TLS, its answer is awaited */
	uint8_t multi; /* SMTP: inside a multi-line response ("250-…") */
	char tag[32];  /* IMAP: the STARTTLS command's tag */
};

/* What dissect() is lent: the connection, and the line's direction. */
struct mail_msg {
	struct mail_state *st;
	int dir;
};

/* Where the word at p[0..n) ends (a blank, CR, LF or the end). */
static size_t word_end(const uint8_t *p, size_t n)
{
	size_t k = 0;
	uint8_t c;
	while (k < n && (c = ns_rd_byte_at(p, n, k)) != ' ' && c != '\r' &&
	       c != '\n')
		k++;
	return k;
}

/* The word at r (up to a blank or the line's end), recorded as f. */
static size_t word(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_field *f, const uint8_t **w)
{
	uint32_t off = ns_rd_off(r);
	size_t left = ns_rd_left(r);
	size_t n = word_end(ns_rd_ptr(r, 0), left);
	*w = ns_rd_ptr(r, n);
	if (f && n)
		ns_add_bytes(pkt, f, off, (uint32_t)n, *w, (uint32_t)n);
	if (ns_rd_left(r) && ns_rd_peek(r, 0) == ' ')
		ns_rd_skip(r, 1);
	return n;
}

/* The rest of the line (without its CRLF) as f, when not empty. */
static void rest(struct ns_packet *pkt, struct ns_reader *r,
		 const struct ns_field *f)
{
	uint32_t off = ns_rd_off(r);
	size_t n = ns_rd_left(r);
	const uint8_t *p = ns_rd_ptr(r, n);
	size_t all = n;
	while (n && (ns_rd_byte_at(p, all, n - 1) == '\n' ||
		     ns_rd_byte_at(p, all, n - 1) == '\r'))
		n--;
	if (n)
		ns_add_bytes(pkt, f, off, (uint32_t)n, p, (uint32_t)n);
}

static int is_word(const uint8_t *w, size_t n, const char *s)
{
	size_t k = strlen(s);
	if (n != k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if ((ns_rd_byte_at(w, n, i) & ~0x20) != (s[i] & ~0x20))
			return 0;
	return 1;
}

static void smtp_line(struct ns_packet *pkt, struct ns_reader *r,
		      struct mail_msg *m)
{
	const uint8_t *w;
	if (m->dir == 0) {
		word(pkt, r, &smtp_fields[0], &w);
		rest(pkt, r, &smtp_fields[1]);
		return;
	}
	/* "250-text" or "250 text" */
	uint32_t off = ns_rd_off(r);
	size_t left = ns_rd_left(r);
	unsigned code = 0;
	for (size_t i = 0; i < 3; i++) {
		uint8_t c = left < 3 ? 0 : ns_rd_peek(r, i);
		if (c < '0' || c > '9')
			return;
		code = code * 10 + (unsigned)(c - '0');
	}
	ns_rd_skip(r, 3);
	/* a multi-line response's code once, on its first line (tshark) */
	if (!m->st->multi)
		ns_add_uint(pkt, &smtp_fields[2], off, 3, code);
	uint8_t sep = left > 3 ? ns_rd_peek(r, 0) : 0;
	m->st->multi = sep == '-';
	if (sep == '-' || sep == ' ')
		ns_rd_skip(r, 1);
	rest(pkt, r, &smtp_fields[3]);
}

static void imap_line(struct ns_packet *pkt, struct ns_reader *r,
		      struct mail_msg *m)
{
	const uint8_t *w;
	if (m->dir && ns_rd_left(r) && ns_rd_peek(r, 0) == '*')
		return; /* untagged data: no tag nor status, as tshark */
	word(pkt, r, &imap_fields[m->dir ? 2 : 0], &w);
	word(pkt, r, &imap_fields[m->dir ? 3 : 1], &w);
}

static void pop_line(struct ns_packet *pkt, struct ns_reader *r,
		     struct mail_msg *m)
{
	const uint8_t *w;
	if (m->dir == 0) {
		word(pkt, r, &pop_fields[0], &w);
		rest(pkt, r, &pop_fields[1]);
		return;
	}
	const uint8_t *p = ns_rd_ptr(r, 0);
	size_t left = ns_rd_left(r);
	int ok = left >= 3 && !memcmp(p, "+OK", 3);
	int err = left >= 4 && !memcmp(p, "-ERR", 4);
	if (!ok && !err)
		return; /* a line of a listing */
	word(pkt, r, &pop_fields[2], &w);
	rest(pkt, r, &pop_fields[3]);
}

static int dissect_any(struct ns_packet *pkt, struct ns_reader *r,
		       const struct ns_dctx *cx, enum proto p)
{
	struct mail_msg *m = cx->state;
	if (!m)
		return 0;
	if (p == P_SMTP)
		smtp_line(pkt, r, m);
	else if (p == P_IMAP)
		imap_line(pkt, r, m);
	else
		pop_line(pkt, r, m);
	ns_rd_skip(r, ns_rd_left(r));
	return 0;
}

/* "C: EHLO x" / "S: 250 ..." as tshark's SMTP and POP, "Request: …" /
 * "Response: …" as its IMAP: the direction by the layer's first field
 * (a request's, or a response's), then the line; the lines of one packet
 * joined by " | " as tshark joins a multi-line response. */
static void mail_info(const struct ns_packet *pkt, unsigned li,
		      struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	unsigned first = li;
	while (first > 0 && pkt->layers[first - 1].d == l->d)
		first--;
	const struct ns_field *f = l->d->fields;
	int imap = l->d == &ns_diss_imap;
	for (unsigned k = first; k <= li; k++) {
		const struct ns_layer *m = &pkt->layers[k];
		/* its first field after the protocol's own */
		uint32_t i = m->fv_first + 1;
		int req = i < m->fv_end &&
			  (pkt->fv[i].f == &f[0] || pkt->fv[i].f == &f[1]);
		const uint8_t *b = (m->src ? m->src : pkt->data) + m->off;
		uint32_t n = m->len;
		while (n && (ns_rd_byte_at(b, m->len, n - 1) == '\n' ||
			     ns_rd_byte_at(b, m->len, n - 1) == '\r'))
			n--;
		ns_buf_puts(out, k > first ? " | "
				 : imap	   ? (req ? "Request: " : "Response: ")
				 : req	   ? "C: "
					   : "S: ");
		ns_buf_escaped(out, b, n);
	}
}

static int smtp_dissect(struct ns_packet *pkt, struct ns_reader *r,
			const struct ns_dctx *cx)
{
	return dissect_any(pkt, r, cx, P_SMTP);
}

static int imap_dissect(struct ns_packet *pkt, struct ns_reader *r,
			const struct ns_dctx *cx)
{
	return dissect_any(pkt, r, cx, P_IMAP);
}

static int pop_dissect(struct ns_packet *pkt, struct ns_reader *r,
		       const struct ns_dctx *cx)
{
	return dissect_any(pkt, r, cx, P_POP);
}

/* What a line tells the connection: the client asks for TLS (SMTP
 * STARTTLS, IMAP TAG STARTTLS, POP3 STLS); any other answer to it than the
 * one that starts TLS (upgrade_now) is a refusal. */
static void learn(struct mail_state *s, enum proto p, int dir,
		  const uint8_t *line, size_t n)
{
	if (dir == 1) {
		s->asked = 0;
		return;
	}
	size_t a = word_end(line, n);
	if (p == P_SMTP) {
		s->asked = is_word(line, a, "STARTTLS");
	} else if (p == P_POP) {
		s->asked = is_word(line, a, "STLS");
	} else if (a < n && a < sizeof(s->tag)) {
		size_t b = word_end(line + a + 1, n - a - 1);
		s->asked = is_word(line + a + 1, b, "STARTTLS");
		memcpy(s->tag, line, a);
		s->tag[a] = 0;
	} else {
		s->asked = 0;
	}
}

/* The answer that lets TLS start: SMTP 220, IMAP's tagged OK, POP +OK. */
static int upgrade_now(const struct mail_state *s, enum proto p,
		       const uint8_t *line, size_t n)
{
	if (!s->asked)
		return 0;
	if (p == P_SMTP)
		return n >= 4 && !memcmp(line, "220 ", 4);
	if (p == P_POP)
		return n >= 3 && !memcmp(line, "+OK", 3);
	size_t t = strlen(s->tag);
	return n > t + 3 && !memcmp(line, s->tag, t) &&
	       ns_rd_byte_at(line, n, t) == ' ' &&
	       (ns_rd_byte_at(line, n, t + 1) & ~0x20) == 'O' &&
	       (ns_rd_byte_at(line, n, t + 2) & ~0x20) == 'K';
}

static size_t consume_any(void *state, struct ns_stream_ctx *ctx,
			  const uint8_t *p, size_t n, enum proto pr,
			  struct ns_dissector *d)
{
	struct mail_state *s = state;
	size_t used = 0;
	while (!s->dead && used < n) {
		const uint8_t *nl = memchr(p + used, '\n', n - used);
		if (!nl) {
			if (n - used > MAX_LINE)
				s->dead = 1;
			break;
		}
		size_t len = (size_t)(nl - (p + used)) + 1;
		const uint8_t *line = p + used;
		int up = ctx->dir == 1 && upgrade_now(s, pr, line, len);
		/* an IMAP server's untagged lines come before the answer */
		if (!(pr == P_IMAP && ctx->dir == 1 &&
		      ns_rd_byte_at(line, len, 0) == '*'))
			learn(s, pr, ctx->dir, line, len);
		struct mail_msg m = {s, ctx->dir};
		if (ctx->pkt) {
			int li = ns_stream_message(ctx, d, line, len, &m);
			if (li >= 0)
				ns_stream_message_end(ctx, li);
		}
		used += len;
		if (up) {
			ns_stream_reprobe(ctx);
			return used;
		}
	}
	return s->dead ? n : used;
}

static size_t smtp_consume(void *state, struct ns_stream_ctx *ctx,
			   const uint8_t *p, size_t n)
{
	return consume_any(state, ctx, p, n, P_SMTP, &ns_diss_smtp);
}

static size_t imap_consume(void *state, struct ns_stream_ctx *ctx,
			   const uint8_t *p, size_t n)
{
	return consume_any(state, ctx, p, n, P_IMAP, &ns_diss_imap);
}

static size_t pop_consume(void *state, struct ns_stream_ctx *ctx,
			  const uint8_t *p, size_t n)
{
	return consume_any(state, ctx, p, n, P_POP, &ns_diss_pop);
}

static int gap(void *state, struct ns_stream_ctx *ctx, uint32_t n)
{
	(void)ctx;
	(void)n;
	((struct mail_state *)state)->dead = 1;
	return 0;
}

static const struct ns_stream_ops smtp_ops = {
    .state_size = sizeof(struct mail_state),
    .consume = smtp_consume,
    .gap = gap,
};
static const struct ns_stream_ops imap_ops = {
    .state_size = sizeof(struct mail_state),
    .consume = imap_consume,
    .gap = gap,
};
static const struct ns_stream_ops pop_ops = {
    .state_size = sizeof(struct mail_state),
    .consume = pop_consume,
    .gap = gap,
};

static const struct ns_binding smtp_ports[] = {
    {NS_TAB_TCP_PORT, 25}, {NS_TAB_TCP_PORT, 587}, {0, 0}};
static const struct ns_binding imap_ports[] = {{NS_TAB_TCP_PORT, 143}, {0, 0}};
static const struct ns_binding pop_ports[] = {{NS_TAB_TCP_PORT, 110}, {0, 0}};

struct ns_dissector ns_diss_smtp = {
    .name = "smtp",
    .column = "SMTP",
    .title = "Simple Mail Transfer Protocol",
    .fields = smtp_fields,
    .nfields = 4,
    .dissect = smtp_dissect,
    .info = mail_info,
    .bindings = smtp_ports,
    .stream = &smtp_ops,
};

struct ns_dissector ns_diss_imap = {
    .name = "imap",
    .column = "IMAP",
    .title = "Internet Message Access Protocol",
    .fields = imap_fields,
    .nfields = 4,
    .dissect = imap_dissect,
    .info = mail_info,
    .bindings = imap_ports,
    .stream = &imap_ops,
};

struct ns_dissector ns_diss_pop = {
    .name = "pop",
    .column = "POP",
    .title = "Post Office Protocol",
    .fields = pop_fields,
    .nfields = 4,
    .dissect = pop_dissect,
    .info = mail_info,
    .bindings = pop_ports,
    .stream = &pop_ops,
};
