/*
 * records — see records.h.  Each record is built in one buffer and
 * written with one fwrite, so a reader of the file (or of the pipe) never
 * sees half a line unless the disk fills.
 */
#include "output/records.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/body.h"
#include "core/buf.h"
#include "core/engine.h"
#include "core/field.h"
#include "core/tmp.h"
#include "core/txn.h"
#include "flow/flow.h"
#include "flow/stream.h"
#include "flow/tcpconn.h"
#include "proto/grpcmsg.h"
#include "reports/keymap.h"

/* what a connection was seen to carry (conn's service) */
enum {
	SVC_DNS = 1,
	SVC_HTTP = 2,
	SVC_HTTP2 = 4,
	SVC_GRPC = 8,
	SVC_SSE = 16,
	SVC_SSL = 32,
	SVC_HTTP3 = 64,
};
static const char *const svc_names[] = {"dns", "http", "http2", "grpc",
					"sse", "ssl",  "http3"};

/* --records-payload: a call's header blocks and messages so far, each a
 * JSON array's inside ("a","b") */
enum { P_REQ_HDR, P_RESP_HDR, P_TRAILERS, P_REQ_MSG, P_RESP_MSG, P_COUNT };
static const char *const pay_names[P_COUNT] = {"request_headers",
					       "response_headers", "trailers",
					       "request_msgs", "response_msgs"};
struct payload {
	struct ns_buf a[P_COUNT];
	size_t bytes;
	uint8_t cut;
};

struct ns_records {
	struct ns_records_opts o;
	char sensor[256];
	/* the open file */
	struct ns_tmp_out out;
	int open;
	char cur[NS_TMP_PATH];
	char *iobuf;
	unsigned count;	      /* -C file number in the -G period */
	unsigned files;	      /* files opened */
	int64_t period_start; /* of the -G period */
	uint64_t file_bytes;
	int done; /* -G -W: no more files */
	/* the first error, told by flush or close */
	int failed;
	char err[NS_TMP_PATH + 128];

	struct ns_buf line, tmp;
	int64_t run_sec; /* <run> of the uids */
	int have_run;
	struct ns_keymap svc; /* uid → SVC_ bits */
	struct ns_keymap pay; /* call_key → struct payload */
	uint64_t pay_bytes;
	uint64_t written, cut;
	const struct ns_field *f_cipher, *f_alevel, *f_adesc, *f_rcode;
};

/* ---- files ----------------------------------------------------------------
 */

static void fail(struct ns_records *r, const char *err)
{
	if (!r->failed)
		snprintf(r->err, sizeof(r->err), "%s", err);
	r->failed = 1;
}

static int close_file(struct ns_records *r, int ok, char *err, size_t errlen)
{
	if (!r->open)
		return 0;
	r->open = 0;
	if (ok && !r->failed)
		return ns_tmp_commit(&r->out, err, errlen);
	ns_tmp_abandon(&r->out);
	return 0;
}

static int open_file(struct ns_records *r, int64_t ts)
{
	char err[NS_TMP_PATH + 128];
	const char *in;
	if (ns_writer_name(&r->o.wo, r->count, ts, r->cur, err, sizeof(err)) <
	    0) {
		fail(r, err);
		return -1;
	}
	in = ns_tmp_same_file(r->cur, r->o.wo.inputs, r->o.wo.ninputs);
	if (in) {
		snprintf(err, sizeof(err),
			 "--records %s: is also an input (%s); not writing "
			 "onto it",
			 r->cur, in);
		fail(r, err);
		return -1;
	}
	if (ns_tmp_open(&r->out, r->cur, err, sizeof(err)) < 0) {
		fail(r, err);
		return -1;
	}
	if (r->out.fp != stdout) {
		if (!r->iobuf)
			r->iobuf = malloc(NS_WRITER_IOBUF);
		if (r->iobuf)
			setvbuf(r->out.fp, r->iobuf, _IOFBF, NS_WRITER_IOBUF);
	}
	r->open = 1;
	r->files++;
	r->file_bytes = 0;
	return 0;
}

/* The next file, by -G (capture time ts) and -C. */
static int rotate(struct ns_records *r, int64_t ts)
{
	const struct ns_writer_opts *o = &r->o.wo;
	char err[NS_TMP_PATH + 128];
	if (!r->open) {
		r->period_start = ts;
		return open_file(r, ts);
	}
	if (strcmp(o->path, "-") == 0)
		return 0;
	if (o->rotate_secs &&
	    ts - r->period_start >= o->rotate_secs * 1000000000) {
		if (close_file(r, 1, err, sizeof(err)) < 0) {
			fail(r, err);
			return -1;
		}
		if (o->max_files && !o->rotate_bytes &&
		    r->files >= (unsigned)o->max_files) {
			r->done = 1;
			return -1;
		}
		r->period_start = ts;
		r->count = 0;
		return open_file(r, ts);
	}
	if (o->rotate_bytes && r->file_bytes > o->rotate_bytes) {
		if (close_file(r, 1, err, sizeof(err)) < 0) {
			fail(r, err);
			return -1;
		}
		r->count++;
		if (o->max_files && r->count >= (unsigned)o->max_files)
			r->count = 0;
		return open_file(r, r->period_start);
	}
	return 0;
}

/* Writes the record in r->line (ended here), its transaction having
 * ended at capture time ts. */
static void emit(struct ns_records *r, int64_t ts)
{
	if (r->failed || r->done || rotate(r, ts) < 0)
		return;
	struct ns_buf *b = &r->line;
	ns_buf_puts(b, "}\n");
	if (fwrite(b->p, 1, b->len, r->out.fp) != b->len) {
		char err[NS_TMP_PATH + 64];
		snprintf(err, sizeof(err), "cannot write '%s': %s", r->cur,
			 strerror(errno));
		fail(r, err);
		return;
	}
	r->file_bytes += b->len;
	r->written++;
}

/* ---- JSON -----------------------------------------------------------------
 */

static void key(struct ns_buf *b, const char *k)
{
	ns_buf_puts(b, ",\"");
	ns_buf_puts(b, k);
	ns_buf_puts(b, "\":");
}

static void kstr(struct ns_buf *b, const char *k, const char *s)
{
	key(b, k);
	ns_buf_json_str(b, (const uint8_t *)s, strlen(s));
}

/* a string field left out when empty */
static void kstr_opt(struct ns_buf *b, const char *k, const char *s)
{
	if (s[0])
		kstr(b, k, s);
}

static void ku64(struct ns_buf *b, const char *k, uint64_t v)
{
	key(b, k);
	ns_buf_u64(b, v);
}

static void ki64(struct ns_buf *b, const char *k, int64_t v)
{
	key(b, k);
	ns_buf_i64(b, v);
}

/* seconds with 9 decimals; left out when ns < 0 (unknown) unless always */
static void ksecs(struct ns_buf *b, const char *k, int64_t ns)
{
	if (ns < 0)
		return;
	key(b, k);
	ns_buf_secs(b, ns, 9);
}

/* between two times, when both are known */
static void kspan(struct ns_buf *b, const char *k, int64_t from, int64_t to)
{
	if (from >= 0 && to >= 0 && to >= from)
		ksecs(b, k, to - from);
}

/* "a,b,c" as a JSON array of strings (empty items left out) */
static void klist(struct ns_buf *b, const char *k, const char *s,
		  const char *sep)
{
	key(b, k);
	ns_buf_putc(b, '[');
	size_t seplen = strlen(sep);
	int first = 1;
	while (*s) {
		const char *e = strstr(s, sep);
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n) {
			if (!first)
				ns_buf_putc(b, ',');
			ns_buf_json_str(b, (const uint8_t *)s, n);
			first = 0;
		}
		s += n;
		if (e)
			s += seplen;
	}
	ns_buf_putc(b, ']');
}

static void put_addr(struct ns_buf *b, const struct ns_flow *f, int side)
{
	ns_buf_putc(b, '"');
	if (f->key.family == 4)
		ns_buf_ipv4(b, f->key.addr[side]);
	else
		ns_buf_ipv6(b, f->key.addr[side]);
	ns_buf_putc(b, '"');
}

/* The fields every record begins with.  f may be NULL (then uid comes
 * from conn_uid, and no endpoints are known). */
static void begin(struct ns_records *r, const char *type, int64_t ts,
		  const struct ns_flow *f, uint64_t conn_uid)
{
	struct ns_buf *b = &r->line;
	ns_buf_reset(b);
	ns_buf_puts(b, "{\"ts\":");
	ns_buf_secs(b, ts >= 0 ? ts : 0, 9);
	kstr(b, "record", type);
	ku64(b, "schema_version", NS_RECORDS_SCHEMA);
	kstr(b, "sensor", r->sensor);
	uint64_t uid = f ? ns_flow_uid(f) : conn_uid;
	int udp = (uid >> 32) & 1;
	key(b, "uid");
	ns_buf_printf(b, "\"%c%lld-%llu\"", udp ? 'U' : 'T',
		      (long long)r->run_sec,
		      (unsigned long long)(uid & 0xffffffffu));
	kstr(b, "proto", udp ? "udp" : "tcp");
	ku64(b, "stream", uid & 0xffffffffu);
	if (!f)
		return;
	int c = f->client;
	key(b, "id.orig_h");
	put_addr(b, f, c);
	ku64(b, "id.orig_p", f->key.port[c]);
	key(b, "id.resp_h");
	put_addr(b, f, !c);
	ku64(b, "id.resp_p", f->key.port[!c]);
}

/* ---- conn -----------------------------------------------------------------
 */

static void mark(struct ns_records *r, const struct ns_flow *f,
		 uint64_t conn_uid, uint8_t bits)
{
	uint64_t uid = f ? ns_flow_uid(f) : conn_uid;
	int made;
	uint8_t *m = ns_keymap_get(&r->svc, &uid, sizeof(uid), 1, &made);
	if (m)
		*m |= bits;
}

/* what the connection carried: the marks, else its dissector's name */
static void service(struct ns_records *r, const struct ns_flow *f)
{
	uint64_t uid = ns_flow_uid(f);
	int made;
	uint8_t *m = ns_keymap_get(&r->svc, &uid, sizeof(uid), 0, &made);
	uint8_t bits = m ? *m : 0;
	ns_keymap_del(&r->svc, &uid, sizeof(uid));
	if (!bits && f->stream && f->stream->app) {
		static const struct {
			const char *diss;
			uint8_t bit;
		} by_name[] = {{"tls", SVC_SSL},
			       {"http", SVC_HTTP},
			       {"http2", SVC_HTTP2},
			       {"dns", SVC_DNS}};
		for (size_t i = 0; i < NS_NELEM(by_name); i++)
			if (strcmp(f->stream->app->name, by_name[i].diss) == 0)
				bits = by_name[i].bit;
	}
	struct ns_buf *t = &r->tmp;
	ns_buf_reset(t);
	for (unsigned i = 0; i < NS_NELEM(svc_names); i++)
		if (bits & (1u << i)) {
			if (t->len)
				ns_buf_putc(t, ',');
			ns_buf_puts(t, svc_names[i]);
		}
	ns_buf_putc(t, 0);
	kstr(&r->line, "service", t->p);
}

static void conn_end(struct ns_records *r, const struct ns_event *ev)
{
	const struct ns_flow *f = ev->flow;
	struct ns_buf *b = &r->line;
	begin(r, "conn", f->first_ts, f, 0);
	ksecs(b, "duration", f->last_ts - f->first_ts);
	const struct ns_tcp_conn *t = f->tcp;
	if (t) {
		kstr(b, "conn_state", ns_tcp_conn_state(t));
		kstr(b, "history", t->hist_len ? t->history : "");
		ksecs(b, "rtt", t->initial_rtt);
	}
	ku64(b, "orig_pkts", f->pkts[0]);
	ku64(b, "orig_frame_bytes", f->bytes[0]);
	ku64(b, "resp_pkts", f->pkts[1]);
	ku64(b, "resp_frame_bytes", f->bytes[1]);
	if (t) {
		ku64(b, "orig_retrans", t->d[0].retrans);
		ku64(b, "resp_retrans", t->d[1].retrans);
	}
	service(r, f);
	emit(r, ev->ts);
}

/* ---- dns ------------------------------------------------------------------
 */

static void dns_txn(struct ns_records *r, const struct ns_event *ev)
{
	const struct ns_dns_txn *x = ev->u.dns;
	/* a repeated answer adds nothing to the transaction's record */
	if (ev->type == NS_EV_DNS_RESPONSE && x->retransmission)
		return;
	mark(r, ev->flow, 0, SVC_DNS);
	struct ns_buf *b = &r->line;
	begin(r, "dns", x->t_query >= 0 ? x->t_query : x->t_response, ev->flow,
	      0);
	ku64(b, "trans_id", x->id);
	kstr(b, "query", x->qname);
	if (x->qtype)
		ku64(b, "qtype", x->qtype);
	kstr_opt(b, "qtype_name", x->qtype_name);
	if (x->answered && x->rcode >= 0) {
		ku64(b, "rcode", (uint64_t)x->rcode);
		const char *n = r->f_rcode ? ns_valstr_find(r->f_rcode->vals,
							    (uint64_t)x->rcode)
					   : NULL;
		if (n)
			kstr(b, "rcode_name", n);
	}
	klist(b, "answers", x->answers, ", ");
	kspan(b, "rtt", x->t_query, x->t_response);
	ku64(b, "answered", x->answered);
	ku64(b, "unsolicited", x->unsolicited);
	emit(r, ev->ts);
}

/* ---- tls ------------------------------------------------------------------
 */

static void tls_version(struct ns_buf *b, uint16_t v)
{
	key(b, "version");
	if (v >= 0x0301 && v <= 0x0304)
		ns_buf_printf(b, "\"TLSv1%u\"", v - 0x0301);
	else if (v == 0x0300)
		ns_buf_puts(b, "\"SSLv3\"");
	else
		ns_buf_printf(b, "\"0x%04x\"", v);
}

/* a name from a field's values, as a string field */
static void kname(struct ns_records *r, const char *k, const struct ns_field *f,
		  uint64_t v)
{
	struct ns_buf *t = &r->tmp;
	ns_buf_reset(t);
	ns_field_put_name(t, f, v);
	ns_buf_putc(t, 0);
	kstr(&r->line, k, t->p);
}

static void tls_certs(struct ns_buf *b, const struct ns_tls_certs *t)
{
	static const char *const names[2][3] = {
	    {"client_subject", "client_issuer", "client_san"},
	    {"subject", "issuer", "san"}};
	for (int side = 1; side >= 0; side--) {
		const struct ns_tls_cert_names *c = &t->cert[side];
		kstr_opt(b, names[side][0], c->subject);
		kstr_opt(b, names[side][1], c->issuer);
		klist(b, names[side][2], c->san, ",");
	}
}

static void tls_end(struct ns_records *r, const struct ns_event *ev)
{
	const struct ns_tls_info *t = ev->u.tls;
	if (!t->hellos && !t->have_cipher)
		return;
	mark(r, ev->flow, 0, SVC_SSL);
	struct ns_buf *b = &r->line;
	begin(r, "tls", t->hellos ? t->ch_ts : ev->ts, ev->flow, 0);
	if (t->version)
		tls_version(b, t->version);
	if (t->have_cipher)
		kname(r, "cipher", r->f_cipher, t->cipher);
	kstr_opt(b, "server_name", t->sni);
	kstr_opt(b, "next_protocol", t->alpn);
	kstr_opt(b, "client_alpn", t->offered_alpn);
	kstr_opt(b, "ja3", t->ja3);
	kstr_opt(b, "ja3s", t->ja3s);
	kstr_opt(b, "ja4", t->ja4);
	ku64(b, "established", t->hs_done);
	if (t->hs_done)
		ksecs(b, "handshake_time", t->hs_time);
	ku64(b, "hrr", t->hrr);
	const struct ns_tls_certs *certs = ns_tls_info_certs(t);
	tls_certs(b, certs);
	ku64(b, "cert_requested", t->cert_requested);
	ku64(b, "client_cert", t->client_cert);
	kstr_opt(b, "server_id", certs->server_id);
	kstr_opt(b, "client_id", certs->client_id);
	if (t->have_alert) {
		struct ns_buf *s = &r->tmp;
		ns_buf_reset(s);
		ns_field_put_name(s, r->f_alevel, t->alert_level);
		ns_buf_putc(s, ':');
		ns_field_put_name(s, r->f_adesc, t->alert_desc);
		ns_buf_putc(s, 0);
		kstr(b, "alert", s->p);
	}
	emit(r, ev->ts);
}

/* ---- payload --------------------------------------------------------------
 */

/* Adds one JSON string to array a of the call's payload; the call's
 * record says payload_truncated when a limit refuses it. */
static void pay_add(struct ns_records *r, const struct ns_event *ev, int a,
		    const uint8_t *p, size_t n)
{
	struct ns_call_key k = ns_call_key_ev(ev);
	int made;
	struct payload *pl = ns_keymap_get(&r->pay, &k, sizeof(k), 1, &made);
	if (!pl) {
		r->cut++;
		return;
	}
	/* the JSON form is at most 6 bytes a byte (\u00XX) plus quotes */
	size_t need = n * 6 + 3;
	if (pl->bytes + need > NS_RECORDS_PAYLOAD ||
	    r->pay_bytes + need > NS_RECORDS_PAYLOAD_ALL) {
		pl->cut = 1;
		return;
	}
	struct ns_buf *b = &pl->a[a];
	size_t before = b->len;
	if (b->len)
		ns_buf_putc(b, ',');
	ns_buf_json_str(b, p, n);
	pl->bytes += b->len - before;
	r->pay_bytes += b->len - before;
}

static void pay_headers(struct ns_records *r, const struct ns_event *ev)
{
	int a = ev->type == NS_EV_HTTP_TRAILERS ? P_TRAILERS
		: ev->dir == 0			? P_REQ_HDR
						: P_RESP_HDR;
	struct ns_buf *t = &r->tmp;
	for (unsigned i = 0; i < ev->nhdr; i++) {
		const struct ns_hdr *h = &ev->hdr[i];
		ns_buf_reset(t);
		ns_buf_put(t, (const char *)h->name, h->nl);
		ns_buf_puts(t, ": ");
		ns_buf_put(t, (const char *)h->value, h->vl);
		pay_add(r, ev, a, (const uint8_t *)t->p, t->len);
	}
}

static void pay_message(struct ns_records *r, const struct ns_event *ev)
{
	if (!ev->msg.p && ev->msg.len)
		return;
	struct ns_buf *t = &r->tmp;
	size_t n = ev->msg.n;
	ns_buf_reset(t);
	ns_buf_grow(t, (n + 2) / 3 * 4 + 1);
	int len = EVP_EncodeBlock((unsigned char *)t->p, ev->msg.p, (int)n);
	pay_add(r, ev, ev->dir ? P_RESP_MSG : P_REQ_MSG, (const uint8_t *)t->p,
		len > 0 ? (size_t)len : 0);
}

static void pay_free(void *slot)
{
	struct payload *pl = slot;
	for (int i = 0; i < P_COUNT; i++)
		ns_buf_free(&pl->a[i]);
}

/* The call's payload into its record, then forgotten. */
static void pay_put(struct ns_records *r, const struct ns_event *ev, int msgs)
{
	struct ns_call_key k = ns_call_key_ev(ev);
	int made;
	struct payload *pl = ns_keymap_get(&r->pay, &k, sizeof(k), 0, &made);
	struct ns_buf *b = &r->line;
	for (int i = 0; i < (msgs ? P_COUNT : P_REQ_MSG); i++) {
		key(b, pay_names[i]);
		ns_buf_putc(b, '[');
		if (pl && pl->a[i].len)
			ns_buf_put(b, pl->a[i].p, pl->a[i].len);
		ns_buf_putc(b, ']');
	}
	ku64(b, "payload_truncated", pl ? pl->cut : 0);
	if (!pl)
		return;
	r->cut += pl->cut;
	r->pay_bytes -= pl->bytes;
	pay_free(pl);
	ns_keymap_del(&r->pay, &k, sizeof(k));
}

/* ---- http, grpc, sse ------------------------------------------------------
 */

static const char *end_name(uint8_t end)
{
	static const char *const names[] = {"open", "ended", "reset", "goaway"};
	return end < NS_NELEM(names) ? names[end] : "open";
}

/* what the three kinds of exchange begin with */
static void exchange(struct ns_records *r, const char *type,
		     const struct ns_event *ev)
{
	const struct ns_call *c = ev->u.call;
	struct ns_buf *b = &r->line;
	begin(r, type, c->t_req >= 0 ? c->t_req : ev->ts, ev->flow,
	      c->conn_uid);
	if (c->grpc) {
		kstr(b, "method", c->path[0] == '/' ? c->path + 1 : c->path);
	} else {
		kstr_opt(b, "method", c->method);
	}
	kstr_opt(b, "host", c->authority);
	if (!c->grpc)
		kstr_opt(b, "uri", c->path);
	kstr(b, "version", c->version == 3 ? "3" : c->version == 2 ? "2" : "1");
	ku64(b, "stream_id", c->id);
	kstr(b, "end", end_name(c->end));
	if (!c->grpc && c->status >= 0)
		ku64(b, "status_code", (uint64_t)c->status);
}

/* what the three end with: the payload when asked, then out */
static void exchange_end(struct ns_records *r, const struct ns_event *ev,
			 int msgs)
{
	if (r->o.payload)
		pay_put(r, ev, msgs);
	emit(r, ev->ts);
}

static void grpc_end(struct ns_records *r, const struct ns_event *ev)
{
	const struct ns_call *c = ev->u.call;
	struct ns_buf *b = &r->line;
	exchange(r, "grpc", ev);
	int st = ns_grpc_call_status(c);
	if (st >= 0) {
		ki64(b, "status", st);
		const char *n = ns_grpc_status_name(st);
		if (n)
			kstr(b, "status_name", n);
	}
	kstr_opt(b, "message", c->grpc_msg);
	if (c->status >= 0)
		ku64(b, "http_status", (uint64_t)c->status);
	kspan(b, "latency", c->t_req, c->t_end);
	kspan(b, "ttfm", c->t_req, c->t_first_msg);
	ku64(b, "request_messages", c->msgs[0]);
	ku64(b, "response_messages", c->msgs[1]);
	ku64(b, "request_bytes", c->msg_bytes[0]);
	ku64(b, "response_bytes", c->msg_bytes[1]);
	if (c->msgs[1] > 1) {
		ksecs(b, "gap_max", c->gap_max);
		ksecs(b, "gap_mean", c->gap_sum / (int64_t)(c->msgs[1] - 1));
	}
	ksecs(b, "timeout", c->timeout);
	ku64(b, "web", c->web);
	kstr_opt(b, "end_error", c->end_error);
	exchange_end(r, ev, 1);
}

static void sse_end(struct ns_records *r, const struct ns_event *ev)
{
	const struct ns_call *c = ev->u.call;
	struct ns_buf *b = &r->line;
	exchange(r, "sse", ev);
	ku64(b, "events", c->sse.events);
	kspan(b, "ttfe", c->t_req, c->sse.t_first_event);
	if (c->sse.events > 1) {
		ksecs(b, "gap_max", c->sse.gap_max);
		ksecs(b, "gap_mean",
		      c->sse.gap_sum / (int64_t)(c->sse.events - 1));
	}
	ku64(b, "done", c->sse.done);
	ku64(b, "truncated", c->sse.truncated);
	if (c->sse.retry >= 0)
		ki64(b, "retry", c->sse.retry);
	kspan(b, "duration", c->t_req, c->t_end);
	exchange_end(r, ev, 0);
}

static void http_end(struct ns_records *r, const struct ns_event *ev)
{
	const struct ns_call *c = ev->u.call;
	struct ns_buf *b = &r->line;
	exchange(r, "http", ev);
	ku64(b, "request_body_len", c->body_bytes[0]);
	ku64(b, "response_body_len", c->body_bytes[1]);
	kstr_opt(b, "content_type", c->content_type);
	kspan(b, "duration", c->t_req, c->t_end);
	kspan(b, "ttfb", c->t_req, c->t_first_resp);
	ku64(b, "pushed", c->pushed);
	if (c->end == NS_CALL_RESET)
		ku64(b, "reset_code", c->rst_error);
	exchange_end(r, ev, 0);
}

static void call_end(struct ns_records *r, const struct ns_event *ev)
{
	const struct ns_call *c = ev->u.call;
	mark(r, ev->flow, c->conn_uid,
	     (uint8_t)((c->version == 3	  ? SVC_HTTP3
			: c->version == 2 ? SVC_HTTP2
					  : SVC_HTTP) |
		       (c->grpc ? SVC_GRPC : 0) | (c->sse.on ? SVC_SSE : 0)));
	if (c->grpc)
		grpc_end(r, ev);
	else if (c->sse.on)
		sse_end(r, ev);
	else
		http_end(r, ev);
}

/* ---- the bus --------------------------------------------------------------
 */

static void on_event(void *ctx, const struct ns_event *ev)
{
	struct ns_records *r = ctx;
	switch (ev->type) {
	case NS_EV_CONN_OPEN:
		if (!r->have_run && ev->flow) {
			r->run_sec = ev->flow->first_ts / 1000000000;
			r->have_run = 1;
		}
		break;
	case NS_EV_CONN_END:
		if (ev->flow)
			conn_end(r, ev);
		break;
	case NS_EV_DNS_RESPONSE:
	case NS_EV_DNS_END:
		dns_txn(r, ev);
		break;
	case NS_EV_TLS_END:
		tls_end(r, ev);
		break;
	case NS_EV_HTTP_REQUEST:
	case NS_EV_HTTP_RESPONSE:
	case NS_EV_HTTP_TRAILERS:
		pay_headers(r, ev);
		break;
	case NS_EV_HTTP_MESSAGE:
		if (ev->u.call->grpc)
			pay_message(r, ev);
		break;
	case NS_EV_HTTP_END:
		call_end(r, ev);
		break;
	default:
		break;
	}
}

struct ns_records *ns_records_start(struct ns_engine *e,
				    const struct ns_records_opts *o, char *err,
				    size_t errlen)
{
	if (ns_writer_check(&o->wo, err, errlen) < 0)
		return NULL;
	struct ns_records *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->o = *o;
	if (o->sensor)
		snprintf(r->sensor, sizeof(r->sensor), "%s", o->sensor);
	else if (gethostname(r->sensor, sizeof(r->sensor) - 1) < 0)
		snprintf(r->sensor, sizeof(r->sensor), "unknown");
	ns_keymap_init(&r->svc, 1, NS_RECORDS_FLOWS);
	ns_keymap_init(&r->pay, sizeof(struct payload), 65536);
	r->f_cipher = ns_field_by_name("tls.handshake.ciphersuite");
	r->f_alevel = ns_field_by_name("tls.alert_message.level");
	r->f_adesc = ns_field_by_name("tls.alert_message.desc");
	r->f_rcode = ns_field_by_name("dns.flags.rcode");
	uint32_t mask = NS_EV_BIT(NS_EV_CONN_OPEN) | NS_EV_BIT(NS_EV_CONN_END) |
			NS_EV_BIT(NS_EV_DNS_RESPONSE) |
			NS_EV_BIT(NS_EV_DNS_END) | NS_EV_BIT(NS_EV_TLS_END) |
			NS_EV_BIT(NS_EV_HTTP_END);
	if (o->payload)
		mask |= NS_EV_BIT(NS_EV_HTTP_REQUEST) |
			NS_EV_BIT(NS_EV_HTTP_RESPONSE) |
			NS_EV_BIT(NS_EV_HTTP_TRAILERS) |
			NS_EV_BIT(NS_EV_HTTP_MESSAGE);
	if (ns_bus_subscribe(&e->bus, mask, on_event, r) < 0) {
		snprintf(err, errlen, "too many subscribers");
		ns_records_close(r, 0, NULL, 0);
		return NULL;
	}
	/* a pipe gets its stream at once (a reader may be waiting) */
	if (strcmp(o->wo.path, "-") == 0 && open_file(r, 0) < 0) {
		snprintf(err, errlen, "%s", r->err);
		memset(&e->bus, 0, sizeof(e->bus));
		ns_records_close(r, 0, NULL, 0);
		return NULL;
	}
	return r;
}

int ns_records_flush(struct ns_records *r, char *err, size_t errlen)
{
	if (r->open && !r->failed && fflush(r->out.fp) != 0) {
		char e[NS_TMP_PATH + 64];
		snprintf(e, sizeof(e), "cannot write '%s': %s", r->cur,
			 strerror(errno));
		fail(r, e);
	}
	if (r->failed) {
		snprintf(err, errlen, "%s", r->err);
		return -1;
	}
	return 0;
}

int ns_records_close(struct ns_records *r, int ok, char *err, size_t errlen)
{
	char e[NS_TMP_PATH + 128];
	int rc = ok ? ns_records_flush(r, e, sizeof(e)) : 0;
	if (close_file(r, ok && rc == 0, e, sizeof(e)) < 0)
		rc = -1;
	if (rc < 0 && err)
		snprintf(err, errlen, "%s", r->failed ? r->err : e);
	ns_keymap_free(&r->svc, NULL);
	ns_keymap_free(&r->pay, pay_free);
	ns_buf_free(&r->line);
	ns_buf_free(&r->tmp);
	free(r->iobuf);
	free(r);
	return rc;
}

uint64_t ns_records_count(const struct ns_records *r)
{
	return r->written;
}
