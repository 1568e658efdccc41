/*
 * summary — what is in a capture, on one screen (`-z summary`, and
 * `netscope summary FILE…`): its size, time span and rates, link types,
 * the expert counts (malformed and truncated packets, TCP analysis), the
 * protocol hierarchy (as tshark's -z io,phs), the top talkers and
 * conversations, the gRPC methods and HTTP paths with their errors and
 * latencies, DNS failures and unanswered queries, and the TLS servers by
 * SNI.
 *
 * It subscribes to every packet (NS_EV_PACKET) for the counts and the
 * hierarchy, to connections ending (NS_EV_CONN_END) for talkers and
 * conversations, and to the transactions (HTTP_END, DNS_*, TLS_END).
 * Every table is bounded (the *_MAX below); what did not fit is counted
 * and said.  Each section shows its first few rows, so the whole report
 * stays within one 45-line screen.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/engine.h"
#include "core/field.h"
#include "core/txn.h"
#include "flow/flow.h"
#include "proto/grpcmsg.h"
#include "reports/report.h"

#define PH_MAX	   256	/* protocol hierarchy nodes */
#define PH_SHOW	   12	/* lines of it shown */
#define TALK_SLOTS 8192 /* addresses (a power of two) */
#define TALK_FILL  6144 /* at most this many used, so probes stay short */
#define TOP	   4	/* talkers and conversations shown */
#define PATH_MAX_N 256	/* methods and paths */
#define PATH_SHOW  6
#define DNSF_MAX   128
#define DNSF_SHOW  4
#define SNI_MAX	   128
#define SNI_SHOW   4

struct ph {
	const char *name; /* the dissector's (static) */
	int parent, child, next;
	uint64_t frames, bytes;
};

struct talker {
	uint8_t used, family;
	uint8_t addr[16];
	uint64_t bytes, pkts;
};

struct conv {
	struct ns_flow_key key;
	uint8_t client;
	uint32_t index;
	uint64_t pkts, bytes;
	int64_t dur;
};

struct path {
	const char *kind;
	char method[16];
	char path[96];
	uint64_t calls, errors;
	int64_t lat_sum, lat_max;
	uint64_t nlat;
	char err[40]; /* the last error's name */
};

struct dnsf {
	char qname[80];
	int rcode; /* -1: never answered */
	uint64_t n;
};

struct sni {
	char name[64];
	char alpn[16];
	uint8_t versions; /* VER_* seen */
	uint64_t n;
};

enum { VER_13 = 1, VER_12 = 2, VER_OLD = 4, VER_NONE = 8 };

/* the expert flags counted, by field name */
static const char *const expert_names[] = {
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.zero_window",
    "tcp.analysis.window_full",
    "tcp.analysis.reused_ports",
    "http2.hpack_context_lost",
};
#define NEXPERT (sizeof(expert_names) / sizeof(expert_names[0]))

struct summary {
	uint64_t pkts, bytes, caplen;
	int64_t first, last;
	int have;
	int linktype[8];
	uint64_t lt_pkts[8];
	unsigned nlt;
	uint64_t malformed, truncated;
	const struct ns_field *expert_f[NEXPERT];
	uint64_t expert[NEXPERT];

	struct ph ph[PH_MAX];
	unsigned nph;
	uint64_t ph_lost; /* packets whose path did not fit */

	struct talker *talk;
	unsigned ntalk;
	uint64_t talk_lost;
	struct conv top[TOP];
	unsigned ntop;
	uint64_t nconv[2]; /* TCP, UDP */

	struct path paths[PATH_MAX_N];
	unsigned npath;
	uint64_t path_lost, ncalls;

	uint64_t dns_q, dns_answered, dns_failed, dns_unanswered;
	struct dnsf dnsf[DNSF_MAX];
	unsigned ndnsf;
	uint64_t dnsf_lost;

	struct sni sni[SNI_MAX];
	unsigned nsni;
	uint64_t sni_lost, tls_conns;

	const struct ns_field *f_rcode, *f_grpc_status;
};

/* ---- packets ---------------------------------------------------------- */

static int ph_child(struct summary *s, int parent, const char *name)
{
	/* the first child of parent; the roots are node 0 and its siblings */
	int first = parent >= 0 ? s->ph[parent].child : s->nph ? 0 : -1;
	int last = -1;
	for (int i = first; i >= 0; last = i, i = s->ph[i].next)
		if (s->ph[i].name == name)
			return i;
	if (s->nph >= PH_MAX)
		return -1;
	int n = (int)s->nph++;
	s->ph[n] = (struct ph){name, parent, -1, -1, 0, 0};
	if (last >= 0)
		s->ph[last].next = n;
	else if (parent >= 0)
		s->ph[parent].child = n;
	return n;
}

static void count_layers(struct summary *s, const struct ns_packet *pkt)
{
	int node = -1;
	for (unsigned i = 1; i < pkt->nlayers; i++) {
		const struct ns_layer *l = &pkt->layers[i];
		if (l->quoted)
			continue;
		int c = ph_child(s, node, l->d->name);
		if (c < 0) {
			s->ph_lost++;
			return;
		}
		s->ph[c].frames++;
		s->ph[c].bytes += pkt->len;
		node = c;
	}
}

static void count_expert(struct summary *s, const struct ns_packet *pkt)
{
	if (pkt->status == NS_LAYER_MALFORMED)
		s->malformed++;
	else if (pkt->status == NS_LAYER_TRUNCATED)
		s->truncated++;
	for (uint32_t v = 0; v < pkt->nfv; v++)
		for (unsigned e = 0; e < NEXPERT; e++)
			if (pkt->fv[v].f == s->expert_f[e])
				s->expert[e]++;
}

static void on_packet(struct summary *s, const struct ns_packet *pkt)
{
	if (!s->have || pkt->ts < s->first)
		s->first = pkt->ts;
	if (!s->have || pkt->ts > s->last)
		s->last = pkt->ts;
	s->have = 1;
	s->pkts++;
	s->bytes += pkt->len;
	s->caplen += pkt->caplen;
	unsigned i = 0;
	while (i < s->nlt && s->linktype[i] != pkt->linktype)
		i++;
	if (i == s->nlt && s->nlt < 8)
		s->linktype[s->nlt++] = pkt->linktype;
	if (i < s->nlt)
		s->lt_pkts[i]++;
	count_layers(s, pkt);
	count_expert(s, pkt);
}

/* ---- connections ------------------------------------------------------ */

static struct talker *talker(struct summary *s, const struct ns_flow_key *k,
			     int side)
{
	size_t n = k->family == 4 ? 4 : 16;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ k->addr[side][i]) * 16777619u;
	for (uint32_t p = 0; p < TALK_SLOTS; p++) {
		struct talker *t = &s->talk[(h + p) & (TALK_SLOTS - 1)];
		if (!t->used) {
			if (s->ntalk >= TALK_FILL)
				return NULL;
			s->ntalk++;
			t->used = 1;
			t->family = k->family;
			memcpy(t->addr, k->addr[side], n);
			return t;
		}
		if (t->family == k->family &&
		    memcmp(t->addr, k->addr[side], n) == 0)
			return t;
	}
	return NULL;
}

static void on_conn_end(struct summary *s, const struct ns_flow *f)
{
	s->nconv[f->key.proto == 6 ? 0 : 1]++;
	for (int side = 0; side < 2; side++) {
		/* what this endpoint sent */
		int dir = side == f->client ? 0 : 1;
		struct talker *t = talker(s, &f->key, side);
		if (!t) {
			s->talk_lost++;
			continue;
		}
		t->bytes += f->bytes[dir];
		t->pkts += f->pkts[dir];
	}
	struct conv c = {.key = f->key,
			 .client = f->client,
			 .index = f->index,
			 .pkts = f->pkts[0] + f->pkts[1],
			 .bytes = f->bytes[0] + f->bytes[1],
			 .dur = f->last_ts - f->first_ts};
	/* the TOP biggest by bytes, kept sorted */
	unsigned at = s->ntop < TOP ? s->ntop : TOP;
	while (at > 0 && s->top[at - 1].bytes < c.bytes)
		at--;
	if (at >= TOP)
		return;
	unsigned n = s->ntop < TOP ? s->ntop : TOP - 1;
	memmove(&s->top[at + 1], &s->top[at], (n - at) * sizeof(c));
	s->top[at] = c;
	if (s->ntop < TOP)
		s->ntop++;
}

/* ---- transactions ----------------------------------------------------- */

static const char *call_kind(const struct ns_call *c)
{
	if (c->grpc)
		return c->web ? "gRPC-Web" : "gRPC";
	return c->version == 3	 ? "HTTP/3"
	       : c->version == 2 ? "HTTP/2"
				 : "HTTP/1.1";
}

/* The error's name, or NULL when the call succeeded. */
static const char *call_error(struct summary *s, const struct ns_call *c,
			      char *tmp, size_t n)
{
	if (c->grpc) {
		int st = ns_grpc_call_status(c);
		if (st == 0)
			return NULL;
		if (st < 0)
			return c->end_error[0] ? c->end_error : "no status";
		const char *name =
		    s->f_grpc_status
			? ns_valstr_find(s->f_grpc_status->vals, (uint64_t)st)
			: NULL;
		snprintf(tmp, n, "%s", name ? name : "status");
		return tmp;
	}
	if (c->end == NS_CALL_RESET)
		return "RST_STREAM";
	if (c->status >= 400) {
		snprintf(tmp, n, "%d", c->status);
		return tmp;
	}
	return c->status < 0 ? "no response" : NULL;
}

static void on_call(struct summary *s, const struct ns_call *c)
{
	s->ncalls++;
	const char *kind = call_kind(c);
	char path[96];
	/* the path without its query: one line per method or resource */
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(c->path, "?"),
		 c->path);
	struct path *p = NULL;
	for (unsigned i = 0; i < s->npath && !p; i++)
		if (s->paths[i].kind == kind &&
		    strcmp(s->paths[i].method, c->method) == 0 &&
		    strcmp(s->paths[i].path, path) == 0)
			p = &s->paths[i];
	if (!p) {
		if (s->npath >= PATH_MAX_N) {
			s->path_lost++;
			return;
		}
		p = &s->paths[s->npath++];
		memset(p, 0, sizeof(*p));
		p->kind = kind;
		snprintf(p->method, sizeof(p->method), "%s", c->method);
		snprintf(p->path, sizeof(p->path), "%s", path);
	}
	p->calls++;
	char tmp[40];
	const char *err = call_error(s, c, tmp, sizeof(tmp));
	if (err) {
		p->errors++;
		snprintf(p->err, sizeof(p->err), "%.39s", err);
	}
	if (c->t_req >= 0 && c->t_end >= c->t_req) {
		int64_t lat = c->t_end - c->t_req;
		p->lat_sum += lat;
		p->nlat++;
		if (lat > p->lat_max)
			p->lat_max = lat;
	}
}

static void dns_fail(struct summary *s, const char *qname, int rcode)
{
	for (unsigned i = 0; i < s->ndnsf; i++)
		if (s->dnsf[i].rcode == rcode &&
		    strncmp(s->dnsf[i].qname, qname,
			    sizeof(s->dnsf[i].qname) - 1) == 0) {
			s->dnsf[i].n++;
			return;
		}
	if (s->ndnsf >= DNSF_MAX) {
		s->dnsf_lost++;
		return;
	}
	struct dnsf *d = &s->dnsf[s->ndnsf++];
	snprintf(d->qname, sizeof(d->qname), "%s", qname);
	d->rcode = rcode;
	d->n = 1;
}

static void on_dns(struct summary *s, enum ns_ev_type t,
		   const struct ns_dns_txn *d)
{
	if (t == NS_EV_DNS_QUERY) {
		if (!d->retransmission)
			s->dns_q++;
	} else if (t == NS_EV_DNS_RESPONSE) {
		if (d->unsolicited)
			return;
		s->dns_answered++;
		if (d->rcode > 0) {
			s->dns_failed++;
			dns_fail(s, d->qname, d->rcode);
		}
	} else if (!d->answered) {
		s->dns_unanswered++;
		dns_fail(s, d->qname, -1);
	}
}

static void on_tls(struct summary *s, const struct ns_tls_info *t)
{
	if (!t->hellos)
		return;
	s->tls_conns++;
	const char *name = t->sni[0] ? t->sni : "(no SNI)";
	struct sni *n = NULL;
	for (unsigned i = 0; i < s->nsni && !n; i++)
		if (strcmp(s->sni[i].name, name) == 0)
			n = &s->sni[i];
	if (!n) {
		if (s->nsni >= SNI_MAX) {
			s->sni_lost++;
			return;
		}
		n = &s->sni[s->nsni++];
		snprintf(n->name, sizeof(n->name), "%s", name);
	}
	n->n++;
	if (!n->alpn[0])
		snprintf(n->alpn, sizeof(n->alpn), "%.15s", t->alpn);
	n->versions |= t->version == 0x0304   ? VER_13
		       : t->version == 0x0303 ? VER_12
		       : t->version	      ? VER_OLD
					      : VER_NONE;
}

static void on_event(void *ctx, const struct ns_event *ev)
{
	struct summary *s = ctx;
	switch (ev->type) {
	case NS_EV_PACKET:
		on_packet(s, ev->pkt);
		break;
	case NS_EV_CONN_END:
		on_conn_end(s, ev->flow);
		break;
	case NS_EV_HTTP_END:
		on_call(s, ev->u.call);
		break;
	case NS_EV_DNS_QUERY:
	case NS_EV_DNS_RESPONSE:
	case NS_EV_DNS_END:
		on_dns(s, ev->type, ev->u.dns);
		break;
	case NS_EV_TLS_END:
		on_tls(s, ev->u.tls);
		break;
	default:
		break;
	}
}

static void *summary_start(struct ns_engine *e, const char *arg, char *err,
			   size_t errlen)
{
	if (*arg) {
		snprintf(err, errlen, "-z summary takes no arguments");
		return NULL;
	}
	struct summary *s = calloc(1, sizeof(*s));
	if (s)
		s->talk = calloc(TALK_SLOTS, sizeof(*s->talk));
	if (!s || !s->talk) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (unsigned i = 0; i < NEXPERT; i++)
		s->expert_f[i] = ns_field_by_name(expert_names[i]);
	s->f_rcode = ns_field_by_name("dns.flags.rcode");
	s->f_grpc_status = ns_field_by_name("grpc.status");
	uint32_t mask = NS_EV_BIT(NS_EV_PACKET) | NS_EV_BIT(NS_EV_CONN_END) |
			NS_EV_BIT(NS_EV_HTTP_END) | NS_EV_BIT(NS_EV_DNS_QUERY) |
			NS_EV_BIT(NS_EV_DNS_RESPONSE) |
			NS_EV_BIT(NS_EV_DNS_END) | NS_EV_BIT(NS_EV_TLS_END);
	if (ns_bus_subscribe(&e->bus, mask, on_event, s) < 0) {
		free(s->talk);
		free(s);
		snprintf(err, errlen, "too many reports");
		return NULL;
	}
	return s;
}

/* ---- printing --------------------------------------------------------- */

static void put_time(struct ns_buf *b, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	char s[32];
	if (gmtime_r(&t, &tm) &&
	    strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S", &tm))
		ns_buf_printf(b, "%s.%06lld UTC", s,
			      (long long)(ns % 1000000000 / 1000));
}

static void print_capture(const struct summary *s, struct ns_buf *b)
{
	double secs = (double)(s->last - s->first) / 1e9;
	ns_buf_printf(b, "Packets     %llu, ", (unsigned long long)s->pkts);
	ns_buf_bytes(b, s->bytes);
	if (s->caplen < s->bytes) {
		ns_buf_puts(b, " (captured ");
		ns_buf_bytes(b, s->caplen);
		ns_buf_putc(b, ')');
	}
	ns_buf_printf(b, ", %.3f s", s->have ? secs : 0.0);
	if (secs > 0)
		ns_buf_printf(b, ", %.1f pkt/s, %.3f Mbit/s",
			      (double)s->pkts / secs,
			      (double)s->bytes * 8 / secs / 1e6);
	ns_buf_putc(b, '\n');
	if (s->have) {
		ns_buf_puts(b, "Time        ");
		put_time(b, s->first);
		ns_buf_puts(b, " to ");
		put_time(b, s->last);
		ns_buf_putc(b, '\n');
	}
	ns_buf_puts(b, "Expert      ");
	ns_buf_printf(b, "malformed %llu, truncated %llu",
		      (unsigned long long)s->malformed,
		      (unsigned long long)s->truncated);
	for (unsigned i = 0; i < NEXPERT; i++)
		if (s->expert[i]) {
			const char *n = strrchr(expert_names[i], '.');
			ns_buf_printf(b, ", %s %llu",
				      n ? n + 1 : expert_names[i],
				      (unsigned long long)s->expert[i]);
		}
	ns_buf_putc(b, '\n');
}

/* the hierarchy, depth first, PH_SHOW lines at most */
static void print_hierarchy(const struct summary *s, struct ns_buf *b)
{
	if (!s->nph)
		return;
	ns_buf_puts(b, "Protocols                        frames     bytes\n");
	unsigned shown = 0, depth = 0;
	int i = 0;
	while (i >= 0) {
		const struct ph *p = &s->ph[i];
		if (shown < PH_SHOW) {
			size_t at = b->len;
			ns_buf_printf(b, "  %*s%s", (int)depth * 2, "",
				      p->name);
			while (b->len - at < 34)
				ns_buf_putc(b, ' ');
			ns_buf_printf(b, "%7llu %5.1f%%  ",
				      (unsigned long long)p->frames,
				      s->pkts ? 100.0 * (double)p->frames /
						    (double)s->pkts
					      : 0.0);
			ns_buf_bytes(b, p->bytes);
			ns_buf_putc(b, '\n');
		}
		shown++;
		if (p->child >= 0) {
			i = p->child;
			depth++;
			continue;
		}
		while (i >= 0 && s->ph[i].next < 0) {
			i = s->ph[i].parent;
			depth--;
		}
		if (i >= 0)
			i = s->ph[i].next;
	}
	if (shown > PH_SHOW)
		ns_buf_printf(b, "  ... %u more\n", shown - PH_SHOW);
	if (s->ph_lost)
		ns_buf_printf(b, "  (%llu packets past %u protocol paths)\n",
			      (unsigned long long)s->ph_lost, PH_MAX);
}

static void put_addr(struct ns_buf *b, uint8_t family, const uint8_t *a)
{
	if (family == 4)
		ns_buf_ipv4(b, a);
	else
		ns_buf_ipv6(b, a);
}

static int by_bytes(const void *x, const void *y)
{
	const struct talker *a = x, *b = y;
	return a->bytes < b->bytes ? 1 : a->bytes > b->bytes ? -1 : 0;
}

static void print_talkers(const struct summary *s, struct ns_buf *b)
{
	if (!s->ntalk)
		return;
	qsort(s->talk, TALK_SLOTS, sizeof(*s->talk), by_bytes);
	ns_buf_printf(b, "Top talkers (%u addresses, bytes sent)\n", s->ntalk);
	for (unsigned i = 0; i < TOP && i < s->ntalk; i++) {
		const struct talker *t = &s->talk[i];
		size_t at = b->len;
		ns_buf_puts(b, "  ");
		put_addr(b, t->family, t->addr);
		while (b->len - at < 34)
			ns_buf_putc(b, ' ');
		ns_buf_printf(b, "%7llu pkt  ", (unsigned long long)t->pkts);
		ns_buf_bytes(b, t->bytes);
		ns_buf_putc(b, '\n');
	}
	if (s->talk_lost)
		ns_buf_printf(b, "  (%llu endpoints past %u addresses)\n",
			      (unsigned long long)s->talk_lost, TALK_FILL);
}

static void print_convs(const struct summary *s, struct ns_buf *b)
{
	if (!s->ntop)
		return;
	ns_buf_printf(b, "Conversations (%llu TCP, %llu UDP; by bytes)\n",
		      (unsigned long long)s->nconv[0],
		      (unsigned long long)s->nconv[1]);
	for (unsigned i = 0; i < s->ntop; i++) {
		const struct conv *c = &s->top[i];
		struct ns_flow f = {.key = c->key, .client = c->client};
		ns_buf_printf(b, "  %s %-4u ",
			      c->key.proto == 6 ? "tcp" : "udp", c->index);
		ns_flow_endpoint(b, &f, c->client);
		ns_buf_puts(b, " \xe2\x86\x92 ");
		ns_flow_endpoint(b, &f, !c->client);
		ns_buf_printf(b, "  %llu pkt  ", (unsigned long long)c->pkts);
		ns_buf_bytes(b, c->bytes);
		ns_buf_printf(b, "  %.3f s\n", (double)c->dur / 1e9);
	}
}

static int by_calls(const void *x, const void *y)
{
	const struct path *a = x, *b = y;
	if (a->errors != b->errors)
		return a->errors < b->errors ? 1 : -1;
	return a->calls < b->calls ? 1 : a->calls > b->calls ? -1 : 0;
}

static void print_paths(struct summary *s, struct ns_buf *b)
{
	if (!s->npath)
		return;
	qsort(s->paths, s->npath, sizeof(s->paths[0]), by_calls);
	ns_buf_printf(b,
		      "Calls (%llu; by errors, then calls)                   "
		      "calls errors  mean ms   max ms\n",
		      (unsigned long long)s->ncalls);
	for (unsigned i = 0; i < s->npath && i < PATH_SHOW; i++) {
		const struct path *p = &s->paths[i];
		size_t at = b->len;
		ns_buf_printf(b, "  %s %s %s", p->kind, p->method, p->path);
		while (b->len - at < 54)
			ns_buf_putc(b, ' ');
		ns_buf_printf(b, " %5llu %6llu", (unsigned long long)p->calls,
			      (unsigned long long)p->errors);
		if (p->nlat)
			ns_buf_printf(b, " %8.2f %8.2f",
				      (double)p->lat_sum / (double)p->nlat /
					  1e6,
				      (double)p->lat_max / 1e6);
		else
			ns_buf_puts(b, "        -        -");
		if (p->errors)
			ns_buf_printf(b, "  last error %s", p->err);
		ns_buf_putc(b, '\n');
	}
	if (s->npath > PATH_SHOW)
		ns_buf_printf(b, "  ... %u more\n", s->npath - PATH_SHOW);
	if (s->path_lost)
		ns_buf_printf(b, "  (%llu calls past %u paths)\n",
			      (unsigned long long)s->path_lost, PATH_MAX_N);
}

static int by_n(const void *x, const void *y)
{
	const struct dnsf *a = x, *b = y;
	return a->n < b->n ? 1 : a->n > b->n ? -1 : 0;
}

static void print_dns(struct summary *s, struct ns_buf *b)
{
	if (!s->dns_q && !s->dns_answered)
		return;
	ns_buf_printf(b,
		      "DNS         %llu queries, %llu answered, %llu failed, "
		      "%llu never answered\n",
		      (unsigned long long)s->dns_q,
		      (unsigned long long)s->dns_answered,
		      (unsigned long long)s->dns_failed,
		      (unsigned long long)s->dns_unanswered);
	qsort(s->dnsf, s->ndnsf, sizeof(s->dnsf[0]), by_n);
	for (unsigned i = 0; i < s->ndnsf && i < DNSF_SHOW; i++) {
		const struct dnsf *d = &s->dnsf[i];
		const char *rc =
		    d->rcode < 0 ? "no answer"
		    : s->f_rcode
			? ns_valstr_find(s->f_rcode->vals, (uint64_t)d->rcode)
			: NULL;
		ns_buf_printf(b, "  %-40s %-10s %llu\n", d->qname,
			      rc ? rc : "rcode", (unsigned long long)d->n);
	}
	if (s->ndnsf > DNSF_SHOW)
		ns_buf_printf(b, "  ... %u more\n", s->ndnsf - DNSF_SHOW);
}

static void print_tls(const struct summary *s, struct ns_buf *b)
{
	static const char *const vname[] = {"1.3", "1.2", "older",
					    "no ServerHello"};
	if (!s->tls_conns)
		return;
	ns_buf_printf(b,
		      "TLS servers (%llu connections)           versions    "
		      "           ALPN       conns\n",
		      (unsigned long long)s->tls_conns);
	for (unsigned i = 0; i < s->nsni && i < SNI_SHOW; i++) {
		const struct sni *n = &s->sni[i];
		char v[48] = "";
		for (unsigned k = 0; k < 4; k++)
			if (n->versions & (1u << k))
				snprintf(v + strlen(v), sizeof(v) - strlen(v),
					 "%s%s", v[0] ? "/" : "TLS ", vname[k]);
		ns_buf_printf(b, "  %-40s %-22s %-10s %llu\n", n->name, v,
			      n->alpn[0] ? n->alpn : "-",
			      (unsigned long long)n->n);
	}
	if (s->nsni > SNI_SHOW)
		ns_buf_printf(b, "  ... %u more\n", s->nsni - SNI_SHOW);
}

static void summary_free(void *state)
{
	struct summary *s = state;
	free(s->talk);
	free(s);
}

static void summary_finish(void *state, FILE *out, int json)
{
	(void)json;
	struct summary *s = state;
	struct ns_buf b = {0};
	print_capture(s, &b);
	print_hierarchy(s, &b);
	print_talkers(s, &b);
	print_convs(s, &b);
	print_paths(s, &b);
	print_dns(s, &b);
	print_tls(s, &b);
	ns_buf_write(&b, out);
	ns_buf_free(&b);
	summary_free(s);
}

const struct ns_report ns_report_summary = {
    .name = "summary",
    .usage = "summary",
    .start = summary_start,
    .finish = summary_finish,
    .free = summary_free,
};
