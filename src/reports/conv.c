/*
 * conv — `--conversations` (`-z conv,tcp`, `-z conv,udp`): one line per
 * TCP connection and UDP flow when it ends (NS_EV_CONN_END: evicted,
 * expired, or at the end of the run): endpoints, Zeek conn_state and
 * history, handshake RTT, duration, packets and bytes each way,
 * retransmissions; under a TLS connection, what its handshake said
 * (NS_EV_TLS_END, which the engine publishes just before the connection's
 * end).  Lines are written to a temporary file as flows end and printed at
 * the end of the run, so the report costs disk, not memory: flows that
 * ended early come first, in the order they ended, then the rest in
 * stream order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/engine.h"
#include "core/field.h"
#include "core/tmp.h"
#include "core/txn.h"
#include "flow/tcpconn.h"
#include "reports/report.h"
#include "reports/timing.h"

struct ns_conv {
	FILE *tmp[3]; /* [0] TCP, [1] UDP, [2] QUIC connections */
	uint64_t n[3];
	struct ns_buf line;
	/* the TLS session of the flow about to end (TLS_END comes just
	 * before its CONN_END) */
	const struct ns_flow *tls_flow;
	struct ns_tls_info tls;
	struct ns_tls_certs tls_certs; /* tls.certs points here */
	/* value names from the registry: cipher suites, alerts */
	const struct ns_field *f_cipher, *f_alevel, *f_adesc, *f_qerr, *f_h3err;
	/* where each connection's time went (timing.h) */
	struct ns_timing timing;
};

static void conv_free(void *state);

/* NULL with err (and errno) when memory or a temporary file is lacking */
static struct ns_conv *conv_new(char *err, size_t errlen)
{
	struct ns_conv *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int i = 0; i < 3; i++) {
		c->tmp[i] = ns_tmp_anon(err, errlen);
		if (c->tmp[i])
			continue;
		int saved = errno;
		while (i-- > 0)
			fclose(c->tmp[i]);
		free(c);
		errno = saved;
		return NULL;
	}
	return c;
}

static void endpoint(struct ns_buf *b, const struct ns_flow *f, int side,
		     size_t width)
{
	size_t start = b->len;
	ns_flow_endpoint(b, f, side);
	while (b->len - start < width)
		ns_buf_putc(b, ' ');
	ns_buf_putc(b, ' ');
}

static void num(struct ns_buf *b, uint64_t v, size_t width)
{
	size_t start = b->len;
	ns_buf_u64(b, v);
	ns_buf_pad_left(b, start, width);
	ns_buf_putc(b, ' ');
}

static void ms(struct ns_buf *b, int64_t ns, size_t width)
{
	size_t start = b->len;
	if (ns < 0) {
		ns_buf_putc(b, '-');
	} else {
		long long us = (long long)((ns + 500) / 1000);
		ns_buf_printf(b, "%lld.%03lld", us / 1000, us % 1000);
	}
	ns_buf_pad_left(b, start, width);
	ns_buf_putc(b, ' ');
}

static void put_str(struct ns_buf *out, const char *label, const char *s)
{
	ns_buf_puts(out, label);
	ns_buf_escaped(out, (const uint8_t *)s, strlen(s));
}

/* The TLS line under a connection: SNI, version, cipher, ALPN, JA4,
 * handshake time, the first alert. */
static void tls_line(const struct ns_conv *c, const struct ns_tls_info *t,
		     struct ns_buf *out)
{
	ns_buf_puts(out, "TLS");
	if (t->sni[0])
		put_str(out, " sni=", t->sni);
	if (t->version >= 0x0301 && t->version <= 0x0304)
		ns_buf_printf(out, " v1.%u", t->version - 0x0301);
	else if (t->version == 0x0300)
		ns_buf_puts(out, " SSLv3");
	else if (t->version)
		ns_buf_printf(out, " v0x%04x", t->version);
	else if (t->offered)
		ns_buf_puts(out, " no-serverhello");
	if (t->have_cipher) {
		ns_buf_putc(out, ' ');
		ns_field_put_name(out, c->f_cipher, t->cipher);
	}
	if (t->alpn[0])
		put_str(out, " alpn=", t->alpn);
	else if (t->offered_alpn[0])
		put_str(out, " alpn-offered=", t->offered_alpn);
	if (t->hrr)
		ns_buf_puts(out, " hrr");
	if (t->ja4[0]) {
		ns_buf_puts(out, " ja4=");
		ns_buf_puts(out, t->ja4);
	}
	if (t->cert_requested)
		ns_buf_puts(out,
			    t->client_cert ? " mtls" : " mtls=no-client-cert");
	const struct ns_tls_certs *certs = ns_tls_info_certs(t);
	if (certs->server_id[0])
		put_str(out, " server-id=", certs->server_id);
	if (certs->client_id[0])
		put_str(out, " client-id=", certs->client_id);
	if (t->hs_done) {
		long long us = (long long)((t->hs_time + 500) / 1000);
		ns_buf_printf(out, " handshake=%lld.%03lldms", us / 1000,
			      us % 1000);
	}
	if (t->have_alert) {
		ns_buf_puts(out, " alert=");
		ns_field_put_name(out, c->f_alevel, t->alert_level);
		ns_buf_putc(out, ':');
		ns_field_put_name(out, c->f_adesc, t->alert_desc);
	}
}

/* The duration, then packets and bytes each way ([0] client to server):
 * the columns a flow's line and a QUIC connection's share. */
static void span_and_counts(struct ns_buf *b, int64_t span,
			    const uint64_t pkts[2], const uint64_t bytes[2])
{
	ns_buf_secs(b, span, 6);
	ns_buf_putc(b, ' ');
	for (int d = 0; d < 2; d++) {
		num(b, pkts[d], 7);
		num(b, bytes[d], 10);
	}
}

/* " lookup NAME (walk N) X ms, connect X, tls X, first byte X, total X;
 * server X ms", indented on a line of its own: the connection's times
 * from the start of its name lookup (or SYN), as -z conn,timing */
static void timing_line(struct ns_conv *c, const struct ns_flow *f,
			struct ns_buf *b)
{
	struct ns_timing_row r;
	if (ns_timing_of(&c->timing, f, &r) < 0 ||
	    (!r.name[0] && r.appconnect < 0 && r.ttfb < 0))
		return;
	ns_buf_puts(b, "       timing:");
	if (r.name[0]) {
		ns_buf_printf(b, " lookup %s", r.name);
		if (r.walk)
			ns_buf_printf(b, " (walk %u)", r.walk);
		ns_buf_ms(b, r.namelookup);
		ns_buf_putc(b, ',');
	}
	static const char *const what[] = {" connect", " tls", " first byte",
					   " total"};
	const int64_t v[] = {r.connect, r.appconnect, r.starttransfer, r.total};
	for (unsigned i = 0; i < 4; i++) {
		if (v[i] < 0)
			continue;
		ns_buf_puts(b, what[i]);
		ns_buf_ms(b, v[i]);
		ns_buf_putc(b, ',');
	}
	b->len--;
	if (r.ttfb >= 0) {
		ns_buf_puts(b, "; server");
		ns_buf_ms(b, r.ttfb);
	}
	ns_buf_putc(b, '\n');
}

static void flow_end(struct ns_conv *c, const struct ns_flow *f)
{
	int udp = f->key.proto == 17;
	struct ns_buf *b = &c->line;
	ns_buf_reset(b);
	num(b, f->index, 6);
	endpoint(b, f, f->client, 21);
	endpoint(b, f, !f->client, 21);
	if (!udp) {
		const struct ns_tcp_conn *t = f->tcp;
		size_t start = b->len;
		ns_buf_puts(b, t ? ns_tcp_conn_state(t) : "-");
		while (b->len - start < 6)
			ns_buf_putc(b, ' ');
		ns_buf_putc(b, ' ');
		start = b->len;
		ns_buf_puts(b, t && t->hist_len ? t->history : "-");
		while (b->len - start < 12)
			ns_buf_putc(b, ' ');
		ns_buf_putc(b, ' ');
		ms(b, t ? t->initial_rtt : -1, 9);
	}
	span_and_counts(b, f->last_ts - f->first_ts, f->pkts, f->bytes);
	if (!udp && f->tcp) {
		ns_buf_u64(b, f->tcp->d[0].retrans);
		ns_buf_putc(b, '/');
		ns_buf_u64(b, f->tcp->d[1].retrans);
	}
	while (b->len && b->p[b->len - 1] == ' ')
		b->len--;
	ns_buf_putc(b, '\n');
	/* what the TLS handshake said, indented on a line of its own */
	if (c->tls_flow == f && (c->tls.hellos || c->tls.have_cipher)) {
		ns_buf_puts(b, "       ");
		tls_line(c, &c->tls, b);
		ns_buf_putc(b, '\n');
	}
	c->tls_flow = NULL;
	if (!udp)
		timing_line(c, f, b);
	fwrite(b->p, 1, b->len, c->tmp[udp]);
	c->n[udp]++;
}

/* How a QUIC connection closed: the error (a transport one by name, an
 * application's by HTTP/3's name, else in hex) and by whom; "-" when no
 * CONNECTION_CLOSE was seen (idle, or still open at the end). */
static void quic_close(const struct ns_conv *c, const struct ns_quic_info *q,
		       struct ns_buf *b)
{
	if (!q->closed) {
		ns_buf_putc(b, '-');
		return;
	}
	ns_field_put_name(b, q->close_app ? c->f_h3err : c->f_qerr,
			  q->close_code);
	ns_buf_puts(b, q->close_by ? " by server" : " by client");
}

static void quic_version(struct ns_buf *b, uint32_t v)
{
	size_t start = b->len;
	if (v == 1)
		ns_buf_puts(b, "1");
	else if (v == 0x6b3343cf)
		ns_buf_puts(b, "2");
	else if (v == 0xff00001d)
		ns_buf_puts(b, "draft-29");
	else
		ns_buf_printf(b, "0x%08x", v);
	while (b->len - start < 8)
		ns_buf_putc(b, ' ');
	ns_buf_putc(b, ' ');
}

/* A QUIC connection as one line (all its paths), and its handshake. */
static void quic_end(struct ns_conv *c, const struct ns_event *ev)
{
	const struct ns_quic_info *q = ev->u.quic;
	struct ns_buf *b = &c->line;
	ns_buf_reset(b);
	num(b, q->number, 6);
	ns_buf_printf(b, "%-21s %-21s ", q->client, q->server);
	quic_version(b, q->version);
	num(b, q->paths, 5);
	span_and_counts(b, q->last_ts - q->first_ts, q->pkts, q->bytes);
	quic_close(c, q, b);
	ns_buf_putc(b, '\n');
	if (c->tls_flow == ev->flow && (c->tls.hellos || c->tls.have_cipher)) {
		ns_buf_puts(b, "       ");
		tls_line(c, &c->tls, b);
		ns_buf_putc(b, '\n');
		c->tls_flow = NULL; /* said here, not under the UDP flow */
	}
	fwrite(b->p, 1, b->len, c->tmp[2]);
	c->n[2]++;
}

static void copy(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;
	rewind(from);
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, to);
}

static void on_event(void *ctx, const struct ns_event *ev)
{
	struct ns_conv *c = ctx;
	if (ev->type == NS_EV_TLS_END) {
		c->tls_flow = ev->flow;
		c->tls = *ev->u.tls;
		if (c->tls.certs) { /* a copy: the dissector's may go first */
			c->tls_certs = *c->tls.certs;
			c->tls.certs = &c->tls_certs;
		}
	} else if (ev->type == NS_EV_QUIC_END) {
		quic_end(c, ev);
	} else {
		flow_end(c, ev->flow);
	}
}

static void *conv_start(struct ns_engine *e, const char *arg, char *err,
			size_t errlen)
{
	if (*arg && strcmp(arg, "tcp") != 0 && strcmp(arg, "udp") != 0) {
		snprintf(err, errlen, "-z conv,%s: conv,tcp or conv,udp", arg);
		return NULL;
	}
	struct ns_conv *c = conv_new(err, errlen);
	if (!c)
		return NULL;
	c->f_cipher = ns_field_by_name("tls.handshake.ciphersuite");
	c->f_alevel = ns_field_by_name("tls.alert_message.level");
	c->f_adesc = ns_field_by_name("tls.alert_message.desc");
	c->f_qerr = ns_field_by_name("quic.cc.error_code");
	c->f_h3err = ns_field_by_name("http3.error_code");
	ns_timing_start(&c->timing, e);
	ns_bus_subscribe(&e->bus,
			 NS_EV_BIT(NS_EV_CONN_END) | NS_EV_BIT(NS_EV_TLS_END) |
			     NS_EV_BIT(NS_EV_QUIC_END),
			 on_event, c);
	return c;
}

static void conv_finish(void *state, FILE *out, int json)
{
	(void)json;
	struct ns_conv *c = state;
	fprintf(out, "TCP conversations: %llu\n", (unsigned long long)c->n[0]);
	fprintf(out,
		"%6s %-21s %-21s %-6s %-12s %9s %-8s %7s %10s %7s %10s "
		"%s\n",
		"stream", "client", "server", "state", "history", "irtt ms",
		"duration", "c>s pkt", "c>s bytes", "s>c pkt", "s>c bytes",
		"retrans c/s");
	copy(c->tmp[0], out);
	fprintf(out, "UDP conversations: %llu\n", (unsigned long long)c->n[1]);
	fprintf(out, "%6s %-21s %-21s %-8s %7s %10s %7s %10s\n", "stream",
		"client", "server", "duration", "c>s pkt", "c>s bytes",
		"s>c pkt", "s>c bytes");
	copy(c->tmp[1], out);
	if (c->n[2]) {
		fprintf(out, "QUIC connections: %llu\n",
			(unsigned long long)c->n[2]);
		fprintf(
		    out, "%6s %-21s %-21s %-8s %5s %-8s %7s %10s %7s %10s %s\n",
		    "conn", "client", "server", "version", "paths", "duration",
		    "c>s pkt", "c>s bytes", "s>c pkt", "s>c bytes", "close");
		copy(c->tmp[2], out);
	}
	conv_free(c);
}

static void conv_free(void *state)
{
	struct ns_conv *c = state;
	for (int i = 0; i < 3; i++)
		fclose(c->tmp[i]);
	ns_buf_free(&c->line);
	ns_timing_free(&c->timing);
	free(c);
}

const struct ns_report ns_report_conv = {
    .name = "conv",
    .usage = "conv,tcp conv,udp",
    .start = conv_start,
    .finish = conv_finish,
    .free = conv_free,
};
