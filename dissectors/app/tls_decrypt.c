/*
 * tls_decrypt — TLS records decrypted with the secrets of a key log
 * (core/keylog.h), and the protocol the decrypted bytes carry.  Part of
 * the TLS dissector (tls_int.h); the cryptography is proto/tls_crypt.c
 * (libcrypto only).
 *
 * Keys.  The hello randoms are read back from the fields the handshake
 * parser recorded.  At the ServerHello (not a HelloRetryRequest) the
 * client random selects the session's secrets: TLS 1.3's handshake
 * traffic secrets, used by both directions at once (RFC 8446 §7.3), or
 * TLS 1.2's master secret, whose key block gives both directions' keys,
 * used by each after its ChangeCipherSpec (RFC 5246 §6.3, §7.1).  In TLS
 * 1.3 a direction moves to its application traffic secret after its
 * Finished and to the next one after each KeyUpdate (§4.6.3), both read
 * from the decrypted handshake messages.  A connection without secrets in
 * the key log, or with a suite netscope does not decrypt, says so once
 * (tls.decryption_note) and is shown as before.
 *
 * Records.  Each protected record is decrypted in place of its opaque
 * display: TLS 1.3's inner content type becomes tls.record.content_type
 * (as tshark shows it), decrypted handshake messages go through the same
 * handshake parser as clear ones (with the same reassembly), alerts are
 * shown, and application data is appended to the direction's plaintext
 * (capped).  A record that does not authenticate is said
 * (tls.decryption_failed, "[TLS: decryption failed]"), never guessed; the
 * sequence number moves on as the sender's did.  Bytes lost in the
 * capture lose the record sequence: the first record after them is tried
 * at each sequence number the lost bytes could have taken (at most
 * RESYNC_MAX records; AEAD authentication tells which is right), and
 * decryption goes on from there; when none fits (keys changed in the lost
 * bytes) that direction stops decrypting.  Either is said once.
 *
 * The inner protocol.  After each TLS layer, the direction's plaintext is
 * given to the stream dissector that the negotiated ALPN names
 * (NS_TAB_ALPN: h2 → HTTP/2, http/1.1 → HTTP/1.1) or, without ALPN, the
 * first stream heuristic that claims the bytes; its layers follow the TLS
 * layer on the packet that completed the record, marked decrypted, and
 * its transaction events are those of the same connection, so --calls,
 * -Y, -T fields and JSON see decrypted HTTP as they see cleartext.  The
 * inner dissector runs on a struct ns_stream of its own (no reassembly:
 * records arrive in order), whose state lives in the engine's budget.
 */
#include <stdlib.h>
#include <string.h>

#include "core/dissect.h"
#include "core/engine.h"
#include "core/keylog.h"
#include "core/mem.h"
#include "flow/stream.h"
#include "proto/tls_crypt.h"
#include "tls_int.h"

#define PLAIN_MAX  (4u << 20) /* decrypted bytes waiting, per direction */
#define PROBE_MAX  4096	      /* plaintext a heuristic may ask for */
#define RESYNC_MAX 256	      /* sequence numbers tried after lost bytes */
#define RECORD_MIN 22 /* the shortest protected record: header, type, tag */

enum { NEXT_NONE, NEXT_APP, NEXT_UPDATE };

struct dec_dir {
	struct ns_tls_keys keys;
	uint8_t active; /* records are protected with keys */
	uint8_t next;	/* after this record: NEXT_* */
	uint8_t lost;	/* bytes were lost: no more decryption */
	uint8_t lost_told;
	uint32_t resync;  /* bytes were lost: records they may have held */
	uint8_t late;	  /* live: waiting for the key log to have secrets */
	uint32_t seen;	  /* protected records passed while waiting */
	uint8_t fin_told; /* the inner dissector heard this side end */
	uint8_t *pt;	  /* plaintext for the inner protocol */
	size_t pt_len;
};

struct ns_tls_dec {
	struct ns_mem *mem;
	const struct ns_keylog *kl;
	uint8_t cr[32], sr[32];
	uint8_t have_cr, keyed, noted;
	const struct ns_tls_suite *suite;
	struct ns_tls_keys k12[2]; /* TLS 1.2: made at the ServerHello */
	struct dec_dir d[2];
	/* the protocol inside */
	uint8_t app_decided;
	struct ns_stream inner; /* app, state: the inner dissector's */
};

/* The connection's decryption state, made on first use when the run has
 * a key log; NULL otherwise. */
static struct ns_tls_dec *dec_of(struct rec *rc)
{
	struct tls_state *st = rc->st;
	if (st->dec || !rc->ctx || !rc->ctx->eng || !rc->ctx->eng->keylog)
		return st->dec;
	if (!st->mem)
		st->mem = &rc->ctx->eng->mem;
	st->dec = ns_mem_alloc(st->mem, sizeof(*st->dec));
	if (st->dec) {
		st->dec->mem = st->mem;
		st->dec->kl = rc->ctx->eng->keylog;
	}
	return st->dec;
}

static void note(struct rec *rc, struct ns_tls_dec *dec, const char *why)
{
	if (dec->noted)
		return;
	dec->noted = 1;
	ns_tls_add_str(rc->pkt, F_DEC_NOTE, why);
}

static const uint8_t *secret(struct ns_tls_dec *dec, int label, size_t *n)
{
	return ns_keylog_find(dec->kl, label, dec->cr, n);
}

/* TLS 1.3: both directions' handshake keys (§7.1). */
static void keys13(struct rec *rc, struct ns_tls_dec *dec)
{
	size_t cn = 0, sn = 0;
	const uint8_t *c = secret(dec, NS_KL_CLIENT_HS, &cn);
	const uint8_t *s = secret(dec, NS_KL_SERVER_HS, &sn);
	struct ns_keylog *live = rc->ctx->eng->keylog_live;
	if ((!c || !s) && live && ns_keylog_refresh(live)) {
		c = secret(dec, NS_KL_CLIENT_HS, &cn);
		s = secret(dec, NS_KL_SERVER_HS, &sn);
	}
	if (!c || !s) {
		note(rc, dec, "no key for this session");
		/* live: the client may not have written them yet */
		dec->d[0].late = dec->d[1].late = live != NULL;
		return;
	}
	if (ns_tls13_keys(&dec->d[0].keys, dec->suite, c, cn) < 0 ||
	    ns_tls13_keys(&dec->d[1].keys, dec->suite, s, sn) < 0) {
		note(rc, dec, "key derivation failed");
		return;
	}
	dec->d[0].active = dec->d[1].active = 1;
}

/* TLS 1.2: the key block, used by each direction after its CCS. */
static void keys12(struct rec *rc, struct ns_tls_dec *dec)
{
	size_t n = 0;
	const uint8_t *ms = secret(dec, NS_KL_CLIENT_RANDOM, &n);
	if (!ms || n != 48) {
		note(rc, dec, "no key for this session");
		return;
	}
	if (ns_tls12_keys(&dec->k12[0], &dec->k12[1], dec->suite, ms, dec->cr,
			  dec->sr) < 0) {
		note(rc, dec, "key derivation failed");
		return;
	}
	dec->k12[0].etm = dec->k12[1].etm = rc->st->info.etm;
	dec->keyed = 2;
}

/* The ServerHello chose version and suite: the session's keys. */
static void server_hello(struct rec *rc, struct ns_tls_dec *dec)
{
	const struct ns_tls_info *in = &rc->st->info;
	if (dec->keyed || !dec->have_cr || !in->have_cipher)
		return;
	dec->keyed = 1;
	dec->suite = ns_tls_suite_find(in->cipher);
	int tls13 = in->version >= 0x0304;
	if (!dec->suite || (dec->suite->tls13 != 0) != tls13) {
		note(rc, dec, "cipher suite not decrypted by netscope");
		return;
	}
	if (dec->suite->mac_len && in->version < 0x0302) {
		/* TLS 1.0 chains each record's IV to the last: not done */
		note(rc, dec, "TLS 1.0 CBC not decrypted by netscope");
		return;
	}
	if (tls13)
		keys13(rc, dec);
	else
		keys12(rc, dec);
}

void ns_tls_dec_handshake(struct rec *rc, uint32_t from)
{
	struct ns_packet *pkt = rc->pkt;
	struct ns_tls_dec *dec = dec_of(rc);
	if (!dec)
		return;
	int type = -1;
	for (uint32_t i = from; i < pkt->nfv; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (fv->f == TF(F_HS_TYPE)) {
			type = (int)fv->v.u;
			if (type == 20 || type == 24) /* Finished, KeyUpdate */
				dec->d[rc->ctx->dir].next =
				    type == 20 ? NEXT_APP : NEXT_UPDATE;
		} else if (fv->f == TF(F_RANDOM) && fv->v.b.n == 32) {
			if (type == 1) {
				memcpy(dec->cr, fv->v.b.p, 32);
				dec->have_cr = 1;
			} else if (type == 2 &&
				   memcmp(fv->v.b.p, ns_tls_hrr_random, 32)) {
				memcpy(dec->sr, fv->v.b.p, 32);
				server_hello(rc, dec);
			}
		}
	}
}

void ns_tls_dec_ccs(struct rec *rc)
{
	struct ns_tls_dec *dec = rc->st ? rc->st->dec : NULL;
	struct ns_keylog *live = dec ? rc->ctx->eng->keylog_live : NULL;
	/* live: the client's secret may have come since the ServerHello */
	if (dec && dec->keyed == 1 && live && dec->suite &&
	    !dec->suite->tls13 && ns_keylog_refresh(live))
		keys12(rc, dec);
	if (!dec || dec->keyed != 2)
		return;
	int dir = rc->ctx->dir;
	dec->d[dir].keys = dec->k12[dir];
	dec->d[dir].keys.seq = 0;
	dec->d[dir].active = 1;
}

/* TLS 1.3: what the record's handshake messages asked for, now that the
 * record is over. */
static void switch_keys(struct rec *rc, struct ns_tls_dec *dec,
			struct dec_dir *dd)
{
	uint8_t next = dd->next;
	dd->next = NEXT_NONE;
	if (next == NEXT_NONE || !dec->suite || !dec->suite->tls13)
		return;
	if (next == NEXT_UPDATE) {
		if (ns_tls13_key_update(&dd->keys) < 0)
			dd->active = 0;
		return;
	}
	size_t n = 0;
	int label = rc->ctx->dir == 0 ? NS_KL_CLIENT_AP0 : NS_KL_SERVER_AP0;
	const uint8_t *s = secret(dec, label, &n);
	struct ns_keylog *live = rc->ctx->eng->keylog_live;
	if (!s && live && ns_keylog_refresh(live))
		s = secret(dec, label, &n);
	if (!s || ns_tls13_keys(&dd->keys, dec->suite, s, n) < 0) {
		dd->active = 0;
		dec->noted = 0;
		note(rc, dec, "no application traffic secret for this session");
		/* live: a client writes its application secret once its
		 * Finished is out, maybe after that was captured: the next
		 * records look for it (late_open) */
		dd->late = live != NULL;
		dd->seen = 0;
	}
}

/* Appends application data for the inner protocol; past the cap the
 * direction's plaintext is given up. */
static void plaintext(struct ns_tls_dec *dec, struct dec_dir *dd,
		      const uint8_t *p, size_t n)
{
	if (!n || dd->lost)
		return;
	uint8_t *b = dd->pt_len + n <= PLAIN_MAX
			 ? ns_mem_realloc(dec->mem, dd->pt, dd->pt_len + n)
			 : NULL;
	if (!b) {
		dd->lost = 1;
		return;
	}
	memcpy(b + dd->pt_len, p, n);
	dd->pt = b;
	dd->pt_len += n;
}

/* Decrypted application data for its subscribers (-z follow,tls). */
static void publish(const struct ns_stream_ctx *ctx, const uint8_t *p, size_t n)
{
	if (!n || !ctx->eng || !ns_bus_wants(&ctx->eng->bus, NS_EV_TLS_DATA))
		return;
	struct ns_event ev = {.type = NS_EV_TLS_DATA,
			      .pkt = ctx->pkt,
			      .flow = ctx->flow,
			      .dir = ctx->dir,
			      .u.data = {p, n}};
	ev.ts = ctx->pkt ? ctx->pkt->ts : 0;
	ns_bus_publish(&ctx->eng->bus, &ev);
}

/* The decrypted content of one record, by its (inner) type. */
static void content(struct rec *rc, struct ns_tls_dec *dec, struct dec_dir *dd,
		    uint8_t type, const uint8_t *p, size_t n)
{
	struct ns_packet *pkt = rc->pkt;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	switch (type) {
	case 21:
		ns_add_label(pkt, TF(F_ALERT), 0, (uint32_t)n);
		ns_tree_push(pkt);
		ns_get_u8(pkt, &r, TF(F_ALERT_LEVEL));
		ns_get_u8(pkt, &r, TF(F_ALERT_DESC));
		ns_tree_pop(pkt);
		break;
	case 22:
		ns_tree_push(pkt);
		ns_tls_handshake(rc, &r);
		ns_tree_pop(pkt);
		break;
	case 23:
		plaintext(dec, dd, p, n);
		publish(rc->ctx, p, n);
		break;
	default:
		break;
	}
}

/* Opens one record; after lost bytes, at each sequence number they may
 * have moved it to (said once: found again, or decryption stops). */
static long open_record(struct ns_packet *pkt, struct dec_dir *dd,
			const uint8_t hdr[5], const uint8_t *frag, uint16_t len,
			uint8_t *out, uint8_t *type)
{
	if (!dd->resync)
		return ns_tls_open(&dd->keys, hdr, frag, len, out, type);
	uint64_t base = dd->keys.seq;
	long n = -1;
	for (uint32_t k = 0; k <= dd->resync && n < 0; k++) {
		dd->keys.seq = base + k;
		n = ns_tls_open(&dd->keys, hdr, frag, len, out, type);
	}
	dd->resync = 0;
	if (n < 0) {
		dd->keys.seq = base;
		dd->lost = 1;
	}
	if (!dd->lost_told) {
		dd->lost_told = 1;
		ns_tls_add_str(pkt, F_DEC_NOTE,
			       n < 0 ? "bytes lost: decryption stopped"
				     : "bytes lost: record sequence found "
				       "again");
	}
	return n;
}

/* TLS 1.3 live, secrets written after the ServerHello was dissected: once
 * the key log has them, the record is tried with the direction's
 * handshake and application traffic secrets at each sequence number the
 * records already passed allow (the Finished may be among them). */
static long late_open(struct rec *rc, struct ns_tls_dec *dec,
		      struct dec_dir *dd, const uint8_t hdr[5],
		      const uint8_t *frag, uint16_t len, uint8_t *out,
		      uint8_t *type)
{
	uint32_t seen = dd->seen++;
	ns_keylog_refresh(rc->ctx->eng->keylog_live);
	int client = rc->ctx->dir == 0;
	size_t hn = 0, an = 0;
	const uint8_t *hs =
	    secret(dec, client ? NS_KL_CLIENT_HS : NS_KL_SERVER_HS, &hn);
	const uint8_t *ap =
	    secret(dec, client ? NS_KL_CLIENT_AP0 : NS_KL_SERVER_AP0, &an);
	if (!hs || !ap)
		return -1;
	struct ns_tls_keys k[2];
	if (ns_tls13_keys(&k[0], dec->suite, hs, hn) < 0 ||
	    ns_tls13_keys(&k[1], dec->suite, ap, an) < 0)
		return -1;
	dd->late = 0; /* one try with the secrets: they fit or never will */
	for (int i = 0; i < 2; i++)
		for (uint32_t s = 0; s <= seen && s <= RESYNC_MAX; s++) {
			k[i].seq = s;
			long n = ns_tls_open(&k[i], hdr, frag, len, out, type);
			if (n < 0)
				continue;
			dd->keys = k[i];
			dd->active = 1;
			dec->noted = 0;
			note(rc, dec, "secrets found later in the key log");
			return n;
		}
	return -1;
}

int ns_tls_dec_record(struct rec *rc, const struct rec_hdr *h,
		      const struct ns_reader *body)
{
	struct ns_tls_dec *dec = rc->st->dec;
	if (!dec || !rc->ctx)
		return 0;
	struct ns_packet *pkt = rc->pkt;
	struct dec_dir *dd = &dec->d[rc->ctx->dir];
	if ((!dd->active && !(dd->late && h->ct == 23)) || dd->lost)
		return 0;
	struct ns_reader b = *body;
	const uint8_t *frag = ns_rd_ptr(&b, h->len);
	uint8_t *out = ns_arena_alloc(&pkt->arena, h->len ? h->len : 1);
	if (!frag || !out)
		return 0;
	uint8_t hdr[5] = {h->ct, h->major, h->minor, (uint8_t)(h->len >> 8),
			  (uint8_t)h->len};
	uint8_t type = h->ct;
	long n;
	if (!dd->active) {
		n = late_open(rc, dec, dd, hdr, frag, h->len, out, &type);
		if (n < 0)
			return 0;
	} else {
		n = open_record(pkt, dd, hdr, frag, h->len, out, &type);
	}
	if (n < 0 && dd->lost)
		return 0;
	if (n < 0) {
		ns_add_label(pkt, TF(F_DEC_FAILED), ns_rd_off(body), h->len);
		return 1;
	}
	if (dec->suite->tls13)
		ns_add_int(pkt, TF(F_CT), 0, 0, type);
	ns_add_int(pkt, TF(F_DECRYPTED), ns_rd_off(body), h->len, (uint64_t)n);
	content(rc, dec, dd, type, out, (size_t)n);
	switch_keys(rc, dec, dd);
	return 1;
}

/* ---- the protocol inside ------------------------------------------------ */

/* The inner dissector: the ALPN's, or a heuristic's on the first bytes;
 * 0 when it cannot be told yet. */
static int choose(struct tls_state *st, struct ns_tls_dec *dec,
		  const struct dec_dir *dd, int dir)
{
	const struct ns_dissector *d = NULL;
	int more = 0;
	if (st->info.alpn[0])
		d = ns_table_lookup_name(NS_TAB_ALPN,
					 (const uint8_t *)st->info.alpn,
					 strlen(st->info.alpn));
	if (!d) {
		unsigned nh;
		const struct ns_dissector *const *h = ns_stream_heuristics(&nh);
		for (unsigned i = 0; i < nh && !d; i++) {
			if (h[i]->stream == NULL || !strcmp(h[i]->name, "tls"))
				continue;
			int r = h[i]->stream->probe(dd->pt, dd->pt_len, dir, 1);
			if (r > 0)
				d = h[i];
			else if (r < 0)
				more = 1;
		}
	}
	if (!d && more && dd->pt_len < PROBE_MAX)
		return 0;
	dec->app_decided = 1;
	if (!d || !d->stream)
		return 1;
	size_t n = d->stream->state_size;
	dec->inner.state = ns_mem_alloc(dec->mem, n ? n : 1);
	if (dec->inner.state)
		dec->inner.app = d;
	return 1;
}

/* Marks the layers from `first` on as carried by decrypted TLS. */
static void mark(struct ns_packet *pkt, unsigned first)
{
	for (unsigned i = first; i < pkt->nlayers; i++)
		pkt->layers[i].decrypted = 1;
}

void ns_tls_dec_feed(struct tls_state *st, struct ns_stream_ctx *ctx)
{
	struct ns_tls_dec *dec = st->dec;
	struct dec_dir *dd = &dec->d[ctx->dir];
	if (!dd->pt_len || !ctx->pkt)
		return;
	if (!dec->app_decided && !choose(st, dec, dd, ctx->dir))
		return;
	const struct ns_dissector *app = dec->inner.app;
	size_t used = dd->pt_len;
	if (app && !dec->inner.stopped) {
		struct ns_stream_ctx ic = {ctx->pkt, ctx->flow, &dec->inner,
					   ctx->dir, ctx->eng};
		unsigned first = ctx->pkt->nlayers;
		used = app->stream->consume(dec->inner.state, &ic, dd->pt,
					    dd->pt_len);
		if (used > dd->pt_len)
			used = dd->pt_len;
		mark(ctx->pkt, first);
	}
	memmove(dd->pt, dd->pt + used, dd->pt_len - used);
	dd->pt_len -= used;
}

void ns_tls_dec_gap(struct tls_state *st, struct ns_stream_ctx *ctx, uint32_t n)
{
	struct ns_tls_dec *dec = st->dec;
	if (!dec)
		return;
	struct dec_dir *dd = &dec->d[ctx->dir];
	if (!dd->active || dd->lost)
		return;
	/* the records the lost bytes may have held, tried when the next one
	 * comes; what was waiting for the inner protocol is cut off */
	uint64_t r = dd->resync + (uint64_t)n / RECORD_MIN + 1;
	dd->resync = r > RESYNC_MAX ? RESYNC_MAX : (uint32_t)r;
	dd->pt_len = 0;
	const struct ns_dissector *app = dec->inner.app;
	if (app && !dec->inner.stopped && app->stream->gap) {
		struct ns_stream_ctx ic = {ctx->pkt, ctx->flow, &dec->inner,
					   ctx->dir, ctx->eng};
		if (!app->stream->gap(dec->inner.state, &ic, n))
			dec->inner.stopped = 1;
	}
}

void ns_tls_dec_fin(struct tls_state *st, struct ns_stream_ctx *ctx)
{
	struct ns_tls_dec *dec = st->dec;
	const struct ns_dissector *app = dec ? dec->inner.app : NULL;
	struct dec_dir *dd = dec ? &dec->d[ctx->dir] : NULL;
	if (!app || dec->inner.stopped || dd->fin_told || !app->stream->fin)
		return;
	dd->fin_told = 1;
	struct ns_stream_ctx ic = {ctx->pkt, ctx->flow, &dec->inner, ctx->dir,
				   ctx->eng};
	unsigned first = ctx->pkt ? ctx->pkt->nlayers : 0;
	app->stream->fin(dec->inner.state, &ic);
	if (ctx->pkt)
		mark(ctx->pkt, first);
}

void ns_tls_dec_end(struct tls_state *st, struct ns_stream_ctx *ctx)
{
	struct ns_tls_dec *dec = st->dec;
	const struct ns_dissector *app = dec ? dec->inner.app : NULL;
	if (!app || dec->inner.stopped)
		return;
	struct ns_stream_ctx ic = {ctx->pkt, ctx->flow, &dec->inner, 0,
				   ctx->eng};
	for (int dir = 0; dir < 2 && app->stream->fin; dir++) {
		ic.dir = dir;
		if (!dec->d[dir].fin_told)
			app->stream->fin(dec->inner.state, &ic);
		dec->d[dir].fin_told = 1;
	}
	ic.dir = 0;
	if (app->stream->end)
		app->stream->end(dec->inner.state, &ic);
	dec->inner.stopped = 1;
}

void ns_tls_dec_free(struct tls_state *st)
{
	struct ns_tls_dec *dec = st->dec;
	if (!dec)
		return;
	const struct ns_dissector *app = dec->inner.app;
	if (app && dec->inner.state && app->stream->destroy)
		app->stream->destroy(dec->inner.state);
	ns_mem_free(dec->mem, dec->inner.state);
	free(dec->inner.switch_hint);
	ns_mem_free(dec->mem, dec->d[0].pt);
	ns_mem_free(dec->mem, dec->d[1].pt);
	memset(dec, 0, sizeof(*dec)); /* keys do not outlive the flow */
	ns_mem_free(st->mem, dec);
	st->dec = NULL;
}
