/*
 * metrics — see metrics.h.  Every table is an array of counters indexed by
 * the position of its label values in a closed list, so an event costs a
 * few comparisons and an increment, and rendering writes only the series
 * that counted something.  Latencies are kept as histograms with fixed
 * bounds in ns (compared exactly) and sums in ns.
 */
#include "reports/metrics.h"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/engine.h"
#include "core/txn.h"
#include "flow/tcpconn.h"
#include "proto/grpcmsg.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Histogram bounds (le), seconds as text and ns. */
struct bounds {
	unsigned n;
	const char *const *le;
	const int64_t *ns;
};

/* RPCs: 1 ms .. 10 s */
static const char *const rpc_le[] = {
    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
    "0.25",  "0.5",    "1",	"2.5",	"5",	 "10"};
static const int64_t rpc_ns[] = {1000000,    2500000,	 5000000,    10000000,
				 25000000,   50000000,	 100000000,  250000000,
				 500000000,  1000000000, 2500000000, 5000000000,
				 10000000000};
/* DNS: 0.5 ms .. 5 s */
static const char *const dns_le[] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1",    "0.25",  "0.5",	 "1",	  "2.5",  "5"};
static const int64_t dns_ns[] = {500000,    1000000,   2500000,	   5000000,
				 10000000,  25000000,  50000000,   100000000,
				 250000000, 500000000, 1000000000, 2500000000,
				 5000000000};
static const struct bounds rpc_bounds = {NELEM(rpc_le), rpc_le, rpc_ns};
static const struct bounds dns_bounds = {NELEM(dns_le), dns_le, dns_ns};
#define NS_HIST_MAX 13

struct hist {
	uint64_t bucket[NS_HIST_MAX + 1]; /* not cumulative; last: +Inf */
	uint64_t count;
	int64_t sum_ns;
};

/* gRPC statuses: the 17 codes by name, then what else ended a call. */
enum { GS_OTHER = 17, GS_GOAWAY, GS_NONE, GS_COUNT };
static const char *const grpc_extra[] = {"other", "goaway", "none"};

static const char *const http_methods[] = {"GET",     "HEAD",	"POST",
					   "PUT",     "DELETE", "PATCH",
					   "OPTIONS", "TRACE",	"CONNECT"};
#define HM_COUNT (NELEM(http_methods) + 1) /* + other */
/* statuses 100..599 at 0..499, then none (no response) and other */
enum { HS_NONE = 500, HS_OTHER, HS_COUNT };

struct named {
	int v;
	const char *name;
};
static const struct named dns_types[] = {
    {1, "A"},	   {2, "NS"},	  {5, "CNAME"}, {6, "SOA"},	{12, "PTR"},
    {15, "MX"},	   {16, "TXT"},	  {28, "AAAA"}, {33, "SRV"},	{35, "NAPTR"},
    {43, "DS"},	   {46, "RRSIG"}, {47, "NSEC"}, {48, "DNSKEY"}, {64, "SVCB"},
    {65, "HTTPS"}, {255, "ANY"},  {257, "CAA"}};
#define QT_COUNT (NELEM(dns_types) + 1) /* + other */
static const struct named dns_rcodes[] = {
    {0, "NOERROR"}, {1, "FORMERR"}, {2, "SERVFAIL"}, {3, "NXDOMAIN"},
    {4, "NOTIMP"},  {5, "REFUSED"}, {6, "YXDOMAIN"}, {7, "YXRRSET"},
    {8, "NXRRSET"}, {9, "NOTAUTH"}, {10, "NOTZONE"}, {16, "BADVERS"}};
#define RC_OTHER NELEM(dns_rcodes)
#define RC_NONE	 (RC_OTHER + 1) /* never answered */
#define RC_COUNT (RC_NONE + 1)

static const struct named tls_versions[] = {{0x0300, "SSLv3"},
					    {0x0301, "TLSv1.0"},
					    {0x0302, "TLSv1.1"},
					    {0x0303, "TLSv1.2"},
					    {0x0304, "TLSv1.3"}};
#define TV_COUNT (NELEM(tls_versions) + 1) /* + other */
static const char *const alpns[] = {"none",	  "h2",	 "http/1.1", "http/1.0",
				    "h3",	  "h2c", "spdy/3.1", "grpc-exp",
				    "acme-tls/1", "dot", "imap",     "smtp"};
#define AL_COUNT (NELEM(alpns) + 1) /* + other */

struct method {
	uint64_t hash;
	char name[sizeof(((struct ns_call *)0)->path)];
	uint64_t status[GS_COUNT];
	struct hist lat;
};

struct ns_metrics {
	struct ns_engine *eng;
	int64_t next_render; /* monotonic ns */
	unsigned nmethods;
	struct method method[NS_METRICS_MAX_METHODS + 1]; /* last: other */
	uint64_t http[HM_COUNT][HS_COUNT];
	uint64_t dns[QT_COUNT][RC_COUNT];
	struct hist dns_time;
	uint64_t tls[TV_COUNT][AL_COUNT];
	uint64_t retrans_ended; /* of connections that ended */
};

static void hist_add(struct hist *h, const struct bounds *b, int64_t ns)
{
	unsigned i = 0;
	while (i < b->n && ns > b->ns[i])
		i++;
	h->bucket[i]++;
	h->count++;
	h->sum_ns += ns;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The method's row: found, made while there is room, else "other". */
static struct method *method_of(struct ns_metrics *m, const char *name)
{
	uint64_t h = hash_str(name);
	for (unsigned i = 0; i < m->nmethods; i++)
		if (m->method[i].hash == h &&
		    strcmp(m->method[i].name, name) == 0)
			return &m->method[i];
	if (m->nmethods == NS_METRICS_MAX_METHODS)
		return &m->method[NS_METRICS_MAX_METHODS];
	struct method *r = &m->method[m->nmethods++];
	r->hash = h;
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

static unsigned grpc_status_of(const struct ns_call *c)
{
	int st = ns_grpc_call_status(c);
	if (st >= 0)
		return st < GS_OTHER ? (unsigned)st : GS_OTHER;
	return c->end == NS_CALL_GOAWAY ? GS_GOAWAY : GS_NONE;
}

static unsigned http_method_of(const char *s)
{
	for (unsigned i = 0; i < NELEM(http_methods); i++)
		if (strcmp(s, http_methods[i]) == 0)
			return i;
	return NELEM(http_methods);
}

void ns_metrics_on_call(struct ns_metrics *m, const struct ns_call *c)
{
	/* as -z grpc,srt and http,srt count: a server push is no request
	 * of the client's, and a 101 hands the request to the protocol it
	 * upgrades to (its HTTP/2 stream 1 is counted) */
	if (c->pushed || c->status == 101)
		return;
	unsigned hs = c->status >= 100 && c->status < 600
			  ? (unsigned)c->status - 100
		      : c->status < 0 ? HS_NONE
				      : HS_OTHER;
	m->http[http_method_of(c->method)][hs]++;
	if (!c->grpc)
		return;
	const char *name = c->path[0] == '/' ? c->path + 1 : c->path;
	struct method *r = method_of(m, name[0] ? name : "unknown");
	r->status[grpc_status_of(c)]++;
	if (c->t_req >= 0 && c->t_end >= c->t_req)
		hist_add(&r->lat, &rpc_bounds, c->t_end - c->t_req);
}

static unsigned find_named(const struct named *t, unsigned n, int v)
{
	unsigned i = 0;
	while (i < n && t[i].v != v)
		i++;
	return i; /* n: other */
}

void ns_metrics_on_dns(struct ns_metrics *m, const struct ns_dns_txn *d,
		       int end)
{
	/* a response nobody asked for is no query */
	if (d->unsolicited)
		return;
	unsigned qt = find_named(dns_types, NELEM(dns_types), d->qtype);
	unsigned rc = end || d->rcode < 0
			  ? RC_NONE
			  : find_named(dns_rcodes, NELEM(dns_rcodes), d->rcode);
	m->dns[qt][rc]++;
	if (!end && d->t_query >= 0 && d->t_response >= d->t_query)
		hist_add(&m->dns_time, &dns_bounds, d->t_response - d->t_query);
}

void ns_metrics_on_tls(struct ns_metrics *m, const struct ns_tls_info *t)
{
	unsigned v = find_named(tls_versions, NELEM(tls_versions), t->version);
	unsigned a = 0;
	if (t->alpn[0])
		for (a = 1; a < NELEM(alpns) && strcmp(t->alpn, alpns[a]); a++)
			;
	m->tls[v][a]++;
}

static uint64_t conn_retrans(const struct ns_flow *f)
{
	return f->tcp ? f->tcp->d[0].retrans + f->tcp->d[1].retrans : 0;
}

static void on_event(void *ctx, const struct ns_event *ev)
{
	struct ns_metrics *m = ctx;
	switch (ev->type) {
	case NS_EV_HTTP_END:
		ns_metrics_on_call(m, ev->u.call);
		break;
	case NS_EV_DNS_RESPONSE:
	case NS_EV_DNS_END:
		ns_metrics_on_dns(m, ev->u.dns, ev->type == NS_EV_DNS_END);
		break;
	case NS_EV_TLS_HANDSHAKE:
		ns_metrics_on_tls(m, ev->u.tls);
		break;
	case NS_EV_CONN_END:
		if (ev->flow)
			m->retrans_ended += conn_retrans(ev->flow);
		break;
	default:
		break;
	}
}

struct ns_metrics *ns_metrics_new(struct ns_engine *e)
{
	struct ns_metrics *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	snprintf(m->method[NS_METRICS_MAX_METHODS].name,
		 sizeof(m->method[0].name), "other");
	m->eng = e;
	uint32_t mask =
	    NS_EV_BIT(NS_EV_HTTP_END) | NS_EV_BIT(NS_EV_DNS_RESPONSE) |
	    NS_EV_BIT(NS_EV_DNS_END) | NS_EV_BIT(NS_EV_TLS_HANDSHAKE) |
	    NS_EV_BIT(NS_EV_CONN_END);
	if (e && ns_bus_subscribe(&e->bus, mask, on_event, m) < 0) {
		free(m);
		return NULL;
	}
	return m;
}

void ns_metrics_free(struct ns_metrics *m)
{
	free(m);
}

int ns_metrics_due(struct ns_metrics *m)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	int64_t now = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
	if (m->next_render && now < m->next_render)
		return 0;
	m->next_render = now + (int64_t)NS_METRICS_INTERVAL_MS * 1000000;
	return 1;
}

/* ---- rendering --------------------------------------------------------- */

void ns_metrics_label_value(struct ns_buf *b, const char *v)
{
	for (; v && *v; v++) {
		unsigned char ch = (unsigned char)*v;
		if (ch == '\\' || ch == '"') {
			ns_buf_putc(b, '\\');
			ns_buf_putc(b, (char)ch);
		} else if (ch == '\n') {
			ns_buf_puts(b, "\\n");
		} else {
			/* valid UTF-8 whatever the peer sent */
			ns_buf_putc(b,
				    ch >= 0x20 && ch < 0x7f ? (char)ch : '?');
		}
	}
}

static void head(struct ns_buf *b, const char *name, const char *type,
		 const char *help)
{
	ns_buf_printf(b, "# HELP netscope_%s %s\n# TYPE netscope_%s %s\n", name,
		      help, name, type);
}

/* name{l1="v1",l2="v2"} value; l2 may be NULL. */
static void sample(struct ns_buf *b, const char *name, const char *l1,
		   const char *v1, const char *l2, const char *v2, uint64_t v)
{
	ns_buf_printf(b, "netscope_%s", name);
	if (l1) {
		ns_buf_printf(b, "{%s=\"", l1);
		ns_metrics_label_value(b, v1);
		if (l2) {
			ns_buf_printf(b, "\",%s=\"", l2);
			ns_metrics_label_value(b, v2);
		}
		ns_buf_puts(b, "\"}");
	}
	ns_buf_putc(b, ' ');
	ns_buf_u64(b, v);
	ns_buf_putc(b, '\n');
}

static void one(struct ns_buf *b, const char *name, const char *type,
		const char *help, uint64_t v)
{
	head(b, name, type, help);
	sample(b, name, NULL, NULL, NULL, NULL, v);
}

/* A histogram's series; label l (NULL: none) = v. */
static void hist_render(struct ns_buf *b, const char *name, const char *l,
			const char *v, const struct hist *h,
			const struct bounds *bd)
{
	uint64_t cum = 0;
	for (unsigned i = 0; i <= bd->n; i++) {
		cum += h->bucket[i];
		ns_buf_printf(b, "netscope_%s_bucket{", name);
		if (l) {
			ns_buf_printf(b, "%s=\"", l);
			ns_metrics_label_value(b, v);
			ns_buf_puts(b, "\",");
		}
		ns_buf_printf(b, "le=\"%s\"} ", i < bd->n ? bd->le[i] : "+Inf");
		ns_buf_u64(b, cum);
		ns_buf_putc(b, '\n');
	}
	char sum[64];
	snprintf(sum, sizeof(sum), "%s_sum", name);
	ns_buf_printf(b, "netscope_%s", sum);
	if (l) {
		ns_buf_printf(b, "{%s=\"", l);
		ns_metrics_label_value(b, v);
		ns_buf_puts(b, "\"}");
	}
	ns_buf_printf(b, " %.9f\n", (double)h->sum_ns / 1e9);
	snprintf(sum, sizeof(sum), "%s_count", name);
	sample(b, sum, l, v, NULL, NULL, h->count);
}

static void render_capture(struct ns_buf *b, const struct ns_metrics_capture *c)
{
	one(b, "captured_packets_total", "counter",
	    "Packets read from the source.", c->packets);
	one(b, "captured_bytes_total", "counter",
	    "Bytes on the wire of the packets read.", c->bytes);
	one(b, "kernel_dropped_packets_total", "counter",
	    "Packets the kernel dropped (pcap_stats ps_drop).", c->kernel_drop);
	one(b, "interface_dropped_packets_total", "counter",
	    "Packets the interface dropped (pcap_stats ps_ifdrop).",
	    c->if_drop);
	one(b, "dropped_packets_total", "counter",
	    "Packets netscope itself dropped (its capture queue full).",
	    c->netscope_drop);
}

static void render_engine(struct ns_buf *b, const struct ns_metrics *m)
{
	struct ns_engine *e = m->eng;
	const struct ns_flow_stats *fs = e ? &e->flows.stats : NULL;
	one(b, "flows_tracked", "gauge", "Connections held in the flow table.",
	    e ? e->flows.count : 0);
	head(b, "flows_created_total", "counter",
	     "Connections seen, by transport.");
	sample(b, "flows_created_total", "proto", "tcp", NULL, NULL,
	       fs ? fs->created[0] : 0);
	sample(b, "flows_created_total", "proto", "udp", NULL, NULL,
	       fs ? fs->created[1] : 0);
	one(b, "flows_expired_total", "counter",
	    "Connections removed after their idle timeout.",
	    fs ? fs->expired_idle : 0);
	one(b, "flows_evicted_total", "counter",
	    "Connections evicted to stay under --max-flows.",
	    fs ? fs->evicted_cap : 0);
	one(b, "state_memory_bytes", "gauge",
	    "Application state in use (the --max-state budget).",
	    e ? e->mem.used : 0);
	one(b, "state_memory_limit_bytes", "gauge",
	    "The --max-state budget (0: unlimited).", e ? e->mem.cap : 0);
	one(b, "state_memory_refused_total", "counter",
	    "Allocations of application state refused at the budget.",
	    e ? e->mem.refused : 0);
	/* the ended connections' and the live ones' (a flow's count moves
	 * from live to ended at its CONN_END, between two renders) */
	uint64_t rt = m->retrans_ended;
	if (e) {
		uint32_t id = NS_FLOW_NONE;
		for (const struct ns_flow *f;
		     (f = ns_flow_next(&e->flows, &id));)
			rt += conn_retrans(f);
	}
	one(b, "tcp_retransmissions_total", "counter",
	    "TCP segments that were retransmissions.", rt);
}

static const char *grpc_status_text(unsigned s)
{
	return s < GS_OTHER ? ns_grpc_status_name((int)s)
			    : grpc_extra[s - GS_OTHER];
}

static void render_grpc(struct ns_buf *b, const struct ns_metrics *m)
{
	unsigned n = m->nmethods;
	const struct method *other = &m->method[NS_METRICS_MAX_METHODS];
	head(b, "grpc_calls_total", "counter",
	     "gRPC calls ended, by method and grpc-status (or: none, "
	     "goaway).");
	for (unsigned i = 0; i <= n; i++) {
		const struct method *r = i < n ? &m->method[i] : other;
		for (unsigned s = 0; s < GS_COUNT; s++)
			if (r->status[s])
				sample(b, "grpc_calls_total", "method", r->name,
				       "status", grpc_status_text(s),
				       r->status[s]);
	}
	head(b, "grpc_call_duration_seconds", "histogram",
	     "gRPC call latency: first request byte to the end of the call.");
	for (unsigned i = 0; i <= n; i++) {
		const struct method *r = i < n ? &m->method[i] : other;
		if (r->lat.count)
			hist_render(b, "grpc_call_duration_seconds", "method",
				    r->name, &r->lat, &rpc_bounds);
	}
}

static void render_http(struct ns_buf *b, const struct ns_metrics *m)
{
	head(b, "http_requests_total", "counter",
	     "HTTP exchanges ended (gRPC calls too), by method and status.");
	for (unsigned i = 0; i < HM_COUNT; i++)
		for (unsigned s = 0; s < HS_COUNT; s++) {
			if (!m->http[i][s])
				continue;
			char st[8];
			if (s < HS_NONE)
				snprintf(st, sizeof(st), "%u", s + 100);
			const char *mt =
			    i < NELEM(http_methods) ? http_methods[i] : "other";
			sample(b, "http_requests_total", "method", mt, "status",
			       s < HS_NONE    ? st
			       : s == HS_NONE ? "none"
					      : "other",
			       m->http[i][s]);
		}
}

static void render_dns(struct ns_buf *b, const struct ns_metrics *m)
{
	head(b, "dns_queries_total", "counter",
	     "DNS queries answered or given up, by type and rcode (none: "
	     "never answered).");
	for (unsigned q = 0; q < QT_COUNT; q++)
		for (unsigned r = 0; r < RC_COUNT; r++)
			if (m->dns[q][r])
				sample(b, "dns_queries_total", "qtype",
				       q < NELEM(dns_types) ? dns_types[q].name
							    : "other",
				       "rcode",
				       r < RC_OTHER    ? dns_rcodes[r].name
				       : r == RC_OTHER ? "other"
						       : "none",
				       m->dns[q][r]);
	head(b, "dns_response_time_seconds", "histogram",
	     "DNS response time: query to its response.");
	hist_render(b, "dns_response_time_seconds", NULL, NULL, &m->dns_time,
		    &dns_bounds);
}

static void render_tls(struct ns_buf *b, const struct ns_metrics *m)
{
	head(b, "tls_handshakes_total", "counter",
	     "TLS handshakes completed, by version and negotiated ALPN.");
	for (unsigned v = 0; v < TV_COUNT; v++)
		for (unsigned a = 0; a < AL_COUNT; a++)
			if (m->tls[v][a])
				sample(b, "tls_handshakes_total", "version",
				       v < NELEM(tls_versions)
					   ? tls_versions[v].name
					   : "other",
				       "alpn",
				       a < NELEM(alpns) ? alpns[a] : "other",
				       m->tls[v][a]);
}

void ns_metrics_render(struct ns_metrics *m,
		       const struct ns_metrics_capture *cap, struct ns_buf *b)
{
	static const struct ns_metrics_capture none;
	ns_buf_reset(b);
	head(b, "build_info", "gauge", "The netscope version serving.");
	sample(b, "build_info", "version", PACKAGE_VERSION, NULL, NULL, 1);
	render_capture(b, cap ? cap : &none);
	render_engine(b, m);
	render_grpc(b, m);
	render_http(b, m);
	render_dns(b, m);
	render_tls(b, m);
}
