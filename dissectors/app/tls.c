/*
 * TLS over TCP (RFC 8446, RFC 5246): the record layer, alerts, the
 * connection's stream, and the one-line summary.  Handshake messages are
 * parsed by tls_hs.c (exported as proto/tls_hs.h), fingerprints computed
 * by tls_fp.c, certificates decoded by tls_x509.c; the fields are declared
 * in tls_fields.c (the files are listed in tls_int.h).
 *
 * Records are framed in consume(): a connection's bytes are cut into whole
 * records (5-byte header, RFC 8446 §5.1), and every run of whole records
 * that became contiguous with one segment is one layer on that segment's
 * packet, so a ServerHello, ChangeCipherSpec and the first encrypted records
 * sent together are shown together, and a record spanning segments appears
 * on the segment that completes it.  Handshake messages may span records
 * (§5.1: "may be fragmented across several records"): the handshake parser
 * takes the whole messages of a record and says how far it got; the
 * unfinished tail is kept in the direction's state (struct tls_dir, capped)
 * and joined to the next handshake record.  consume() lends dissect() the
 * connection's state for the call (ns_dctx.state); dissect() called on its
 * own (unit tests) parses statelessly.  Nothing is file-static but
 * constants.
 *
 * What is encrypted is never decoded, only counted and sized: application
 * data, and handshake records after a ChangeCipherSpec below TLS 1.3 (in
 * TLS 1.3 the CCS is a compatibility no-op and encrypted handshake messages
 * travel as application_data records).
 *
 * The connection's struct ns_tls_info (core/txn.h) is kept current from
 * the hellos, alerts and the first application data, and published as
 * NS_EV_TLS_HELLO (each hello), NS_EV_TLS_HANDSHAKE (the handshake is
 * done) and NS_EV_TLS_END (the connection ends).
 *
 * A connection is bound by port 443 or by its first bytes looking like a
 * TLS handshake or alert record on any port (probe()).  Bytes that are not
 * a record header (a capture begun mid-stream) are shown once as a
 * malformed layer; after them, and after a gap, records are looked for
 * again (a header followed by another, see resync()).  Every byte is read
 * through the reader, record headers included.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "core/mem.h"
#include "core/txn.h"
#include "flow/stream.h"
#include "proto/tls_hs.h"
#include "tls_int.h"

#define REC_MAX	     (16384 + 2048) /* TLSCiphertext.length limit, §5.2 */
#define HS_CARRY_MAX (256 * 1024)   /* an unfinished handshake message */

static void bad(struct rec *rc, const char *why)
{
	if (why && !rc->bad)
		rc->bad = why;
}

/* Publishes a TLS event with what the handshake said so far. */
static void tell(struct tls_state *st, const struct ns_stream_ctx *ctx,
		 enum ns_ev_type t)
{
	if (!ctx || !ctx->eng || !ns_bus_wants(&ctx->eng->bus, t))
		return;
	struct ns_event ev = {.type = t,
			      .pkt = ctx->pkt,
			      .flow = ctx->flow,
			      .dir = ctx->dir,
			      .u.tls = &st->info};
	ev.ts = ctx->pkt ? ctx->pkt->ts : ctx->flow ? ctx->flow->last_ts : 0;
	ns_bus_publish(&ctx->eng->bus, &ev);
}

/* ---- records ------------------------------------------------------------- */

/* Reads the record header at r's cursor without moving it; 1 when it is a
 * plausible one (known type, version 3.x with x <= 4, length in bounds). */
static int peek_header(const struct ns_reader *r, struct rec_hdr *h)
{
	struct ns_reader c = *r;
	uint8_t b[5];
	ns_rd_copy(&c, b, 5); /* one bounds check: this runs per offset */
	h->ct = b[0];
	h->major = b[1];
	h->minor = b[2];
	h->len = (uint16_t)(b[3] << 8 | b[4]);
	return !c.err && h->ct >= 20 && h->ct <= 24 && h->major == 3 &&
	       h->minor <= 4 && h->len <= REC_MAX;
}

/* The client's first application data ends the handshake.  In TLS 1.3
 * everything after the ServerHello is an application_data record, so the
 * client's first one is its Finished, and a 19-byte one is taken for an
 * encrypted alert (2 bytes, the inner type and the 16-byte AEAD tag), e.g.
 * the close_notify of a client that sent nothing. */
static void app_data(struct rec *rc, uint16_t len)
{
	struct tls_state *st = rc->st;
	if (!st || rc->ctx->dir != 0 || !st->info.hellos)
		return;
	if (st->info.version >= 0x0304 && len == 19)
		return;
	struct tls_dir *d = &st->d[0];
	d->app_records++;
	uint64_t want = st->info.version >= 0x0304 ? 2 : 1;
	if (d->app_records == want && !st->info.hs_done) {
		st->info.hs_done = 1;
		st->info.hs_time =
		    ns_stream_time_at(rc->ctx, 0) - st->info.ch_ts;
		if (st->info.hs_time < 0)
			st->info.hs_time = 0;
		ns_add_int(rc->pkt, TF(F_HS_TIME), 0, 0, st->info.hs_time);
		tell(st, rc->ctx, NS_EV_TLS_HANDSHAKE);
	}
}

static void change_cipher_spec(struct rec *rc)
{
	struct tls_state *st = rc->st;
	if (!st)
		return;
	/* TLS 1.3 (§D.4): a compatibility no-op, nothing after it changes */
	uint16_t v = st->info.version ? st->info.version : st->info.offered;
	if (v < 0x0304 || (st->info.version && st->info.version < 0x0304)) {
		rc->d->encrypted = 1;
		ns_tls_dec_ccs(rc);
	}
}

/* An alert (RFC 8446 §6): level and description while in the clear. */
static void alert(struct rec *rc, struct ns_reader *body, uint16_t len)
{
	struct ns_packet *pkt = rc->pkt;
	ns_add_label(pkt, TF(F_ALERT), ns_rd_off(body), len);
	/* after the keys change an alert is encrypted */
	if (len != 2 || (rc->d && rc->d->encrypted))
		return;
	ns_tree_push(pkt);
	uint8_t lv = ns_get_u8(pkt, body, TF(F_ALERT_LEVEL));
	uint8_t ds = ns_get_u8(pkt, body, TF(F_ALERT_DESC));
	ns_tree_pop(pkt);
	if (rc->st && !rc->st->info.have_alert) {
		rc->st->info.have_alert = 1;
		rc->st->info.alert_level = lv;
		rc->st->info.alert_desc = ds;
	}
}

/* The carried start of a message joined to this record's bytes, as a
 * reader over the packet arena; -1 without memory. */
static int join(struct rec *rc, const struct ns_reader *body,
		struct ns_reader *out)
{
	struct tls_dir *d = rc->d;
	struct ns_reader b = *body;
	size_t n = ns_rd_left(&b);
	uint8_t *buf = ns_arena_alloc(&rc->pkt->arena, d->hs_len + n);
	if (!buf) {
		bad(rc, "out of packet memory");
		return -1;
	}
	memcpy(buf, d->hs, d->hs_len);
	ns_rd_copy(&b, buf + d->hs_len, n);
	ns_rd_init(out, buf, d->hs_len + n);
	d->hs_len = 0;
	return 0;
}

/* Keeps what the handshake parser left, the start of a message that goes
 * on in the next record; past the cap, the direction's handshake is given
 * up (shown as encrypted). */
static void carry(struct rec *rc, struct ns_reader *rest)
{
	struct tls_dir *d = rc->d;
	size_t n = ns_rd_left(rest);
	if (!n || !d)
		return;
	if (n > HS_CARRY_MAX) {
		bad(rc, "handshake message too long");
		d->encrypted = 1;
		return;
	}
	struct tls_state *st = rc->st;
	if (!st->mem && rc->ctx && rc->ctx->eng)
		st->mem = &rc->ctx->eng->mem;
	uint8_t *p = ns_mem_realloc(st->mem, d->hs, n);
	if (!p) {
		d->encrypted = 1;
		return;
	}
	d->hs = p;
	ns_rd_copy(rest, d->hs, n);
	d->hs_len = n;
}

static void hello_told(void *arg)
{
	struct rec *rc = arg;
	tell(rc->st, rc->ctx, NS_EV_TLS_HELLO);
}

extern struct ns_dissector ns_diss_tls;

/* An identity from a leaf certificate's field: a URI SAN wins over the
 * subject. */
static void identity(char *id, size_t cap, const struct ns_fv *fv, int uri,
		     int *have_uri)
{
	if (*have_uri || (!uri && id[0]))
		return;
	*have_uri = uri;
	size_t n = fv->v.b.n < cap - 1 ? fv->v.b.n : cap - 1;
	memcpy(id, fv->v.b.p, n);
	id[n] = 0;
}

/* A leaf certificate's field into what the connection keeps of it; SANs
 * are joined by ',' (as -T fields shows them), cut where they no longer
 * fit. */
static void leaf_field(char *dst, size_t cap, const struct ns_fv *fv,
		       int append)
{
	size_t at = append ? strlen(dst) : 0;
	if (!append && dst[0])
		return;
	if (at && at + 1 < cap)
		dst[at++] = ',';
	size_t n = fv->v.b.n;
	if (at + n >= cap) /* a SAN that does not fit is left out whole */
		n = append ? 0 : cap - 1 - at;
	memcpy(dst + at, fv->v.b.p, n);
	dst[at + n] = 0;
	if (append && n == 0 && at && dst[at - 1] == ',')
		dst[at - 1] = 0;
}

static void leaf(struct ns_tls_cert_names *c, int f, const struct ns_fv *fv)
{
	if (f == F_CERT_SUBJECT)
		leaf_field(c->subject, sizeof(c->subject), fv, 0);
	else if (f == F_CERT_ISSUER)
		leaf_field(c->issuer, sizeof(c->issuer), fv, 0);
	else if (f == F_CERT_SAN)
		leaf_field(c->san, sizeof(c->san), fv, 1);
}

/* What the messages just parsed (fields from `from`) say about
 * certificates: a CertificateRequest, a client's Certificate, each side's
 * identity, subject, issuer and SANs from its first certificate. */
/* Where the connection keeps its certificates' names, allocated from the
 * budget with the first one; NULL without memory. */
static struct ns_tls_certs *certs_of(struct rec *rc)
{
	struct tls_state *st = rc->st;
	if (!st->info.certs) {
		if (!st->mem && rc->ctx && rc->ctx->eng)
			st->mem = &rc->ctx->eng->mem;
		st->info.certs = ns_mem_alloc(st->mem, sizeof(*st->info.certs));
	}
	return st->info.certs;
}

static void identities(struct rec *rc, uint32_t from)
{
	struct ns_packet *pkt = rc->pkt;
	struct ns_tls_info *in = &rc->st->info;
	int client = rc->ctx && rc->ctx->dir == 0;
	int type = -1, certs = 0, have_uri = 0;
	for (uint32_t i = from; i < pkt->nfv; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		int f = (int)(fv->f - ns_tls_fields);
		if (fv->f->proto != &ns_diss_tls || f < 0 || f >= F_COUNT)
			continue;
		if (f == F_HS_TYPE) {
			type = (int)fv->v.u;
			in->cert_requested |= type == 13 && !client;
		} else if (type == 11 && f == F_CERT) {
			certs++;
			in->client_cert |= client;
		} else if (type == 11 && certs == 1) {
			struct ns_tls_certs *c = certs_of(rc);
			if (!c)
				return;
			char *id = client ? c->client_id : c->server_id;
			if (f == F_CERT_URI || f == F_CERT_SUBJECT)
				identity(id, sizeof(c->client_id), fv,
					 f == F_CERT_URI, &have_uri);
			leaf(&c->cert[!client], f, fv);
		}
	}
}

/* The handshake messages of one clear (or decrypted) handshake record,
 * joined to what an earlier record of this direction left unfinished. */
void ns_tls_handshake(struct rec *rc, const struct ns_reader *body)
{
	struct ns_packet *pkt = rc->pkt;
	struct ns_reader r = *body;
	if (rc->d && rc->d->hs_len) {
		if (join(rc, body, &r) < 0)
			return;
	} else if (ns_rd_left(&r) >= 4 &&
		   !ns_tls_name(F_HS_TYPE, ns_rd_peek(&r, 0))) {
		/* not a message we know: encrypted (e.g. a Finished whose
		 * ChangeCipherSpec we did not see) */
		ns_add_label(pkt, TF(F_HS_ENCRYPTED), ns_rd_off(body),
			     (uint32_t)ns_rd_left(body));
		return;
	}
	struct ns_tls_hs hs = {.pkt = pkt};
	if (rc->st) {
		hs.info = &rc->st->info;
		hs.ts = ns_stream_time_at(rc->ctx, 0);
		hs.on_hello = hello_told;
		hs.arg = rc;
	}
	uint32_t from = pkt->nfv;
	ns_tls_hs_parse(&hs, &r);
	bad(rc, hs.bad);
	carry(rc, &r);
	if (rc->st) {
		identities(rc, from);
		ns_tls_dec_handshake(rc, from);
	}
}

/* The client's Finished: its first protected handshake record (TLS 1.3:
 * its first application_data record that is not an alert; TLS 1.2: the
 * handshake record after its ChangeCipherSpec). */
static void client_finished(struct rec *rc, const struct rec_hdr *h)
{
	struct tls_state *st = rc->st;
	if (!st || !rc->ctx || rc->ctx->dir != 0 || st->fin_ts ||
	    !st->info.hellos || !st->info.have_cipher)
		return;
	int tls13 = st->info.version >= 0x0304;
	if ((tls13 && h->ct == 23 && h->len != 19) ||
	    (!tls13 && h->ct == 22 && rc->d->encrypted))
		st->fin_ts = st->info.fin_ts = ns_stream_time_at(rc->ctx, 0);
}

/* One record whose plausible header h is at r; r moves past it.  Returns
 * NS_ETRUNC when the record goes past the layer's bytes. */
static int record(struct rec *rc, struct ns_reader *r, const struct rec_hdr *h)
{
	struct ns_packet *pkt = rc->pkt;
	ns_add_label(pkt, TF(F_RECORD), ns_rd_off(r), 5u + h->len);
	ns_tree_push(pkt);
	/* TLS 1.3 protected records have an opaque outer type (§5.2) */
	int opaque = h->ct == 23 && rc->st && rc->st->info.version >= 0x0304;
	ns_get_u8(pkt, r, TF(opaque ? F_OPAQUE_TYPE : F_CT));
	ns_get_u16(pkt, r, TF(F_REC_VERSION));
	ns_get_u16(pkt, r, TF(F_REC_LEN));
	struct ns_reader body = ns_rd_sub(r, h->len);
	if (r->err) {
		ns_tree_pop(pkt);
		return NS_ETRUNC;
	}
	client_finished(rc, h);
	if (h->ct != 20 && rc->st && ns_tls_dec_record(rc, h, &body)) {
		if (h->ct == 23)
			app_data(rc, h->len);
		ns_tree_pop(pkt);
		return 0;
	}
	switch (h->ct) {
	case 20:
		ns_add_label(pkt, TF(F_CCS), ns_rd_off(&body), h->len);
		change_cipher_spec(rc);
		break;
	case 21:
		alert(rc, &body, h->len);
		break;
	case 22:
		ns_tree_push(pkt);
		if (rc->d && rc->d->encrypted)
			ns_add_label(pkt, TF(F_HS_ENCRYPTED), ns_rd_off(&body),
				     h->len);
		else
			ns_tls_handshake(rc, &body);
		ns_tree_pop(pkt);
		break;
	case 23:
		app_data(rc, h->len);
		break;
	default: /* heartbeat: not decoded */
		break;
	}
	ns_tree_pop(pkt);
	return 0;
}

/* QUIC's CRYPTO data: handshake messages with no records (cx->state is
 * the struct ns_tls_hs of ns_tls_crypto_layer). */
static int crypto_messages(struct ns_packet *pkt, struct ns_reader *r,
			   struct ns_tls_hs *hs)
{
	hs->pkt = pkt;
	hs->used = ns_tls_hs_parse(hs, r);
	ns_rd_skip(r, ns_rd_left(r)); /* a message still incomplete */
	return hs->bad ? ns_malformed(pkt, "%s", hs->bad) : 0;
}

int ns_tls_crypto_layer(struct ns_packet *pkt, const uint8_t *buf, size_t n,
			struct ns_tls_hs *hs)
{
	struct ns_reader r;
	ns_rd_init(&r, buf, n);
	struct ns_dctx cx = {.d = &ns_diss_tls, .state = hs};
	hs->used = 0;
	if (ns_dissect_layer(pkt, &ns_diss_tls, &r, buf, (uint32_t)n, &cx) < 0)
		return -1;
	return (int)hs->used;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	if (!cx->stream && cx->state)
		return crypto_messages(pkt, r, cx->state);
	struct rec rc = {.pkt = pkt};
	if (cx->stream) {
		rc.st = cx->state;
		rc.ctx = cx->stream;
		rc.d = &rc.st->d[rc.ctx->dir];
	}
	while (ns_rd_left(r) >= 5) {
		struct rec_hdr h;
		if (!peek_header(r, &h))
			return ns_malformed(pkt, "not a TLS record");
		if (record(&rc, r, &h) < 0)
			return NS_ETRUNC;
	}
	if (ns_rd_left(r))
		return NS_ETRUNC;
	if (rc.bad)
		return ns_malformed(pkt, "%s", rc.bad);
	return 0;
}

/* ---- the one-line summary ---------------------------------------------- */

struct ns_dissector ns_diss_tls;

/* one of ns_tls_fields[] (not another layer's, nor the protocol field) */
static int own(const struct ns_fv *fv)
{
	return fv->f->proto == &ns_diss_tls && fv->f != &ns_diss_tls.proto;
}

static void put_name(struct ns_buf *out, int f, uint64_t v)
{
	const char *s = ns_tls_name(f, v);
	if (s)
		ns_buf_puts(out, s);
	else
		ns_buf_printf(out, "0x%04llx", (unsigned long long)v);
}

static void put_version(struct ns_buf *out, uint16_t v)
{
	if (v >= 0x0301 && v <= 0x0304)
		ns_buf_printf(out, " v1.%u", v - 0x0301);
	else if (v == 0x0300)
		ns_buf_puts(out, " SSLv3");
	else
		ns_buf_printf(out, " v0x%04x", v);
}

/* What one handshake message's fields say that its summary shows. */
struct msg_sum {
	uint8_t type;
	uint16_t version, max_sv, sv;
	int hrr, nalpn, ncs, has_group, has_curve;
	const struct ns_fv *sni, *ja4, *subj;
	uint64_t cipher, group, curve;
	struct ns_buf alpn; /* the ALPN names, "a,b" */
};

static void note(struct msg_sum *m, int f, const struct ns_fv *fv)
{
	switch (f) {
	case F_HS_VERSION:
		m->version = (uint16_t)fv->v.u;
		break;
	case F_SV:
		m->sv = (uint16_t)fv->v.u;
		if (!ns_tls_is_grease(m->sv) && m->sv > m->max_sv)
			m->max_sv = m->sv;
		break;
	case F_RANDOM:
		m->hrr = fv->v.b.n == 32 &&
			 memcmp(fv->v.b.p, ns_tls_hrr_random, 32) == 0;
		break;
	case F_SNI:
		if (!m->sni)
			m->sni = fv;
		break;
	case F_ALPN:
		if (m->nalpn++)
			ns_buf_putc(&m->alpn, ',');
		ns_buf_escaped(&m->alpn, fv->v.b.p, fv->v.b.n);
		break;
	case F_CS:
		m->cipher = fv->v.u;
		m->ncs++;
		break;
	case F_KS_SEL_GROUP:
		m->group = fv->v.u;
		m->has_group = 1;
		break;
	case F_NAMED_CURVE:
		m->curve = fv->v.u;
		m->has_curve = 1;
		break;
	case F_JA4:
		m->ja4 = fv;
		break;
	case F_CERT_SUBJECT:
		if (!m->subj)
			m->subj = fv;
		break;
	default:
		break;
	}
}

/* Collects the fields of the message whose tls.handshake.type is fv[i];
 * returns the index after its last field. */
static uint32_t collect(const struct ns_packet *pkt, uint32_t i, uint32_t end,
			struct msg_sum *m)
{
	memset(m, 0, sizeof(*m));
	m->type = (uint8_t)pkt->fv[i].v.u;
	for (i++; i < end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (!own(fv))
			break;
		int f = (int)(fv->f - ns_tls_fields);
		if (f == F_HS_TYPE || f == F_RECORD || f == F_DEC_NOTE ||
		    f == F_DEC_FAILED)
			break;
		note(m, f, fv);
	}
	return i;
}

static void put_alpn(struct ns_buf *out, const struct msg_sum *m)
{
	if (!m->nalpn)
		return;
	ns_buf_puts(out, " ALPN=");
	if (m->alpn.len) /* empty names leave the buffer unset */
		ns_buf_put(out, m->alpn.p, m->alpn.len);
}

static void put_client_hello(struct ns_buf *out, const struct msg_sum *m)
{
	if (m->sni) {
		ns_buf_puts(out, " SNI=");
		ns_buf_escaped(out, m->sni->v.b.p, m->sni->v.b.n);
	}
	put_alpn(out, m);
	if (m->version)
		put_version(out, m->max_sv ? m->max_sv : m->version);
	if (m->ja4) {
		ns_buf_puts(out, " JA4=");
		ns_buf_escaped(out, m->ja4->v.b.p, m->ja4->v.b.n);
	}
}

static void put_server_hello(struct ns_buf *out, const struct msg_sum *m)
{
	if (m->version)
		put_version(out, m->sv ? m->sv : m->version);
	if (m->ncs) {
		ns_buf_putc(out, ' ');
		put_name(out, F_CS, m->cipher);
	}
	if (m->has_group) {
		ns_buf_puts(out, " group=");
		put_name(out, F_GROUP, m->group);
	}
	put_alpn(out, m);
}

/* One handshake message: its name and what matters in it.  fv[i] is its
 * tls.handshake.type; returns the index after its last field. */
static uint32_t put_message(const struct ns_packet *pkt, uint32_t i,
			    uint32_t end, struct ns_buf *out)
{
	struct msg_sum m;
	i = collect(pkt, i, end, &m);
	if (m.type == 2 && m.hrr)
		ns_buf_puts(out, "HelloRetryRequest");
	else
		put_name(out, F_HS_TYPE, m.type);
	if (m.type == 1) {
		put_client_hello(out, &m);
	} else if (m.type == 2) {
		put_server_hello(out, &m);
	} else if (m.type == 11 && m.subj) {
		ns_buf_puts(out, " ");
		ns_buf_escaped(out, m.subj->v.b.p, m.subj->v.b.n);
	} else if (m.type == 12 && m.has_curve) {
		ns_buf_putc(out, ' ');
		put_name(out, F_NAMED_CURVE, m.curve);
	}
	ns_buf_free(&m.alpn);
	return i;
}

/* The summary being written: the parts so far, and the record whose
 * fields are being read. */
struct sum {
	struct ns_buf *out;
	int n;	    /* parts written */
	uint8_t ct; /* the current record's content type */
	int said;   /* the current record was described */
	uint64_t app, app_bytes;
	uint64_t opaque_len; /* an opaque record counted as app data */
	int next_decrypted;  /* the record's fragment was decrypted */
	int decrypted;	     /* application data was decrypted */
};

/* Starts a part: ", " between parts. */
static void sep(struct sum *s)
{
	if (s->n++)
		ns_buf_puts(s->out, ", ");
}

static void part(struct sum *s, const char *text)
{
	sep(s);
	ns_buf_puts(s->out, text);
}

/* A record's own fields: what they say, or NULL (application data is
 * counted, and said once at the end). */
static const char *record_part(struct sum *s, int f, const struct ns_fv *fv)
{
	if (f == F_RECORD) {
		const char *p =
		    !s->said && s->ct == 22 ? "Handshake fragment" : NULL;
		s->opaque_len = 0;
		return p;
	}
	if (f == F_CT && s->opaque_len) {
		/* a decrypted TLS 1.3 record's real type: not application
		 * data unless it says so */
		if (fv->v.u != 23) {
			s->app--;
			s->app_bytes -= s->opaque_len;
		}
		s->opaque_len = 0;
		s->ct = (uint8_t)fv->v.u;
		s->said = s->ct != 22 && s->ct != 21;
		return NULL;
	}
	if (f == F_DECRYPTED) {
		s->decrypted |= s->ct == 23;
		return NULL;
	}
	if (f == F_CT || f == F_OPAQUE_TYPE) {
		s->ct = (uint8_t)fv->v.u;
		s->said = s->ct != 22;
		return NULL;
	}
	if (f != F_REC_LEN)
		return NULL;
	uint64_t len = fv->v.u;
	switch (s->ct) {
	case 23:
		s->app++;
		s->app_bytes += len;
		s->opaque_len = len;
		return NULL;
	case 20:
		return "ChangeCipherSpec";
	case 21:
		return len != 2 && !s->next_decrypted ? "Encrypted Alert"
						      : NULL;
	case 24:
		return "Heartbeat";
	default:
		return NULL;
	}
}

/* "Alert fatal handshake_failure"; lv is the field before the
 * description, its level when the alert was in the clear. */
static void put_alert(struct sum *s, const struct ns_fv *lv,
		      const struct ns_fv *desc)
{
	sep(s);
	ns_buf_puts(s->out, "Alert ");
	if (lv->f == TF(F_ALERT_LEVEL))
		put_name(s->out, F_ALERT_LEVEL, lv->v.u);
	ns_buf_putc(s->out, ' ');
	put_name(s->out, F_ALERT_DESC, desc->v.u);
}

/* The first field of the packet's first TLS layer: a packet's TLS layers
 * are summarised together, on the first one. */
static uint32_t first_field(const struct ns_packet *pkt, unsigned li)
{
	for (unsigned k = 0; k <= li; k++)
		if (pkt->layers[k].d == pkt->layers[li].d)
			return pkt->layers[k].fv_first;
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	struct sum s = {.out = out, .said = 1};
	uint32_t last = pkt->layers[li].fv_end;
	for (uint32_t i = first_field(pkt, li); i < last;) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (!own(fv)) {
			i++; /* a layer between two TLS layers, or "tls" */
			continue;
		}
		int f = (int)(fv->f - ns_tls_fields);
		if (f == F_HS_TYPE) {
			s.said = 1;
			sep(&s);
			i = put_message(pkt, i, last, out);
			continue;
		}
		const char *p = NULL;
		if (f == F_HS_ENCRYPTED) {
			s.said = 1;
			p = "Encrypted Handshake";
		} else if (f == F_DEC_FAILED) {
			s.said = 1;
			p = "[TLS: decryption failed]";
		} else if (f == F_DEC_NOTE) {
			sep(&s);
			ns_buf_putc(out, '[');
			ns_buf_escaped(out, fv->v.b.p, fv->v.b.n);
			ns_buf_putc(out, ']');
		} else if (f == F_ALERT_DESC) {
			put_alert(&s, &pkt->fv[i - 1], fv);
		} else {
			s.next_decrypted =
			    i + 1 < last && pkt->fv[i + 1].f == TF(F_DECRYPTED);
			p = record_part(&s, f, fv);
		}
		if (p)
			part(&s, p);
		i++;
	}
	if (!s.said && s.ct == 22)
		part(&s, "Handshake fragment");
	if (s.app) {
		part(&s, "Application Data");
		if (s.app > 1)
			ns_buf_put_num(out, " x", s.app);
		ns_buf_put_num(out, " (", s.app_bytes);
		ns_buf_puts(out,
			    s.decrypted ? " bytes, decrypted)" : " bytes)");
	}
}

/* ---- the stream -------------------------------------------------------- */

/* A handshake or alert record at the start of a direction: 1 yes, 0 no,
 * -1 too short to tell. */
static int probe(const uint8_t *p, size_t n, int dir, int from_start)
{
	(void)dir;
	(void)from_start;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	/* reads past the end give 0: n says which values are there */
	uint8_t ct = ns_rd_u8(&r), major = ns_rd_u8(&r), minor = ns_rd_u8(&r);
	uint16_t len = ns_rd_u16(&r);
	uint8_t hs_type = ns_rd_u8(&r);
	if (n >= 1 && ct != 22 && ct != 21)
		return 0;
	if (n >= 2 && major != 3)
		return 0;
	if (n >= 3 && minor > 4)
		return 0;
	if (n < 5)
		return -1;
	if (ct == 21)
		return len == 2;
	if (len < 4 || len > REC_MAX)
		return 0;
	if (n < 6)
		return -1;
	return hs_type == 1 || hs_type == 2; /* ClientHello or ServerHello */
}

/* The next n bytes of r as one layer (r moves past them). */
static void layer(struct tls_state *st, struct ns_stream_ctx *ctx,
		  struct ns_reader *r, size_t n)
{
	const uint8_t *p = ns_rd_ptr(r, n);
	if (!p)
		return;
	int li = ns_stream_message(ctx, ctx->st->app, p, n, st);
	ns_stream_message_end(ctx, li);
	if (st->dec)
		ns_tls_dec_feed(st, ctx);
}

/* 1 when a plausible record header is at r and its record ends exactly at
 * r's end or is followed by another plausible header; 0 when it is not;
 * -1 when the bytes that would tell have not come yet. */
static int record_starts(const struct ns_reader *r)
{
	struct rec_hdr h;
	if (!peek_header(r, &h))
		return 0;
	size_t rest = ns_rd_left(r), rl = 5u + h.len;
	if (rl == rest)
		return 1;
	if (rl + 5 > rest)
		return -1;
	struct ns_reader next = *r;
	ns_rd_skip(&next, rl);
	return peek_header(&next, &h);
}

/* Moves r to where records seem to start again after lost or foreign
 * bytes; returns 1 there.  Returns 0 when nothing can be told yet, r then
 * past what may be dropped (a header may straddle the end: the last 4
 * bytes are kept). */
static int resync(struct ns_reader *r)
{
	while (ns_rd_left(r) >= 5) {
		/* only a record type (20-24) then the version's 3 can
		 * start one */
		long at = ns_rd_find_pair(r, 20, 24, 3, 3);
		size_t can = ns_rd_left(r) - 4; /* offsets with 5 bytes left */
		if (at < 0 || (size_t)at >= can) {
			ns_rd_skip(r, can);
			break;
		}
		ns_rd_skip(r, (size_t)at);
		int k = record_starts(r);
		if (k > 0)
			return 1;
		if (k < 0)
			return 0; /* wait for the bytes that tell */
		ns_rd_skip(r, 1);
	}
	if (ns_rd_left(r) > 4)
		ns_rd_skip(r, ns_rd_left(r) - 4);
	return 0;
}

/* Whole records from the front of p; each run of them is one layer.  Bytes
 * that are not a record (a capture that began mid-stream, a gap, another
 * protocol) are said once, then skipped until records resume. */
static size_t consume(void *state, struct ns_stream_ctx *ctx, const uint8_t *p,
		      size_t n)
{
	struct tls_state *st = state;
	struct tls_dir *d = &st->d[ctx->dir];
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	struct rec_hdr h;
	for (;;) {
		if (d->resync) {
			if (!resync(&r))
				return ns_rd_off(&r);
			d->resync = 0;
		}
		struct ns_reader run = r;
		while (peek_header(&r, &h) && ns_rd_left(&r) >= 5u + h.len)
			ns_rd_skip(&r, 5u + h.len);
		if (ns_rd_off(&r) > ns_rd_off(&run))
			layer(st, ctx, &run, ns_rd_off(&r) - ns_rd_off(&run));
		if (ns_rd_left(&r) < 5 || peek_header(&r, &h))
			return ns_rd_off(&r);
		if (!d->told) {
			/* on a few of the bytes: the first header is what is
			 * wrong */
			struct ns_reader junk = r;
			size_t k = ns_rd_left(&r);
			layer(st, ctx, &junk, k < 16 ? k : 16);
			d->told = 1;
		}
		d->resync = 1;
		d->hs_len = 0;
	}
}

/* Record boundaries are lost with the bytes: find them again. */
static int gap(void *state, struct ns_stream_ctx *ctx, uint32_t n)
{
	struct tls_dir *d = &((struct tls_state *)state)->d[ctx->dir];
	d->resync = 1;
	d->hs_len = 0; /* an unfinished message lost its middle */
	ns_tls_dec_gap(state, ctx, n);
	return 1;
}

static void destroy(void *state)
{
	struct tls_state *st = state;
	ns_mem_free(st->mem, st->d[0].hs);
	ns_mem_free(st->mem, st->d[1].hs);
	ns_mem_free(st->mem, st->info.certs);
	ns_tls_dec_free(st);
}

/* A side ended: the protocol inside decrypted records hears it (an
 * HTTP/1.0 body that runs to the close). */
static void fin(void *state, struct ns_stream_ctx *ctx)
{
	ns_tls_dec_fin(state, ctx);
}

/* The connection ends: what TLS said of it. */
static void conn_end(void *state, struct ns_stream_ctx *ctx)
{
	struct tls_state *st = state;
	ns_tls_dec_end(st, ctx);
	/* a client that sent no application data: the handshake ended
	 * with its Finished */
	if (!st->info.hs_done && st->fin_ts && st->info.hellos) {
		st->info.hs_done = 1;
		st->info.hs_time = st->fin_ts - st->info.ch_ts;
		if (st->info.hs_time < 0)
			st->info.hs_time = 0;
	}
	if (st->info.hellos || st->info.have_cipher)
		tell(st, ctx, NS_EV_TLS_END);
}

static const struct ns_stream_ops ops = {
    .probe = probe,
    .state_size = sizeof(struct tls_state),
    .consume = consume,
    .gap = gap,
    .fin = fin,
    .end = conn_end,
    .destroy = destroy,
};

static const struct ns_binding bindings[] = {
    {NS_TAB_TCP_PORT, 443},
    {0, 0},
};

struct ns_dissector ns_diss_tls = {
    .name = "tls",
    .column = "TLS",
    .title = "Transport Layer Security",
    .fields = ns_tls_fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .reads_fields = 1, /* identities(), ns_tls_dec_handshake() */
    .info = info,
    .bindings = bindings,
    .stream = &ops,
};
