/*
 * endpoints — packets and bytes per endpoint, as tshark's `-z
 * endpoints,ip|ipv6|tcp|udp[,FILTER]`: per address (and port, for TCP and
 * UDP) the packets and bytes it took part in, sent (Tx) and received (Rx).
 *
 * Counted as tshark counts them: once per header of the protocol in a
 * frame (an IPv4 packet inside GRE counts for its inner addresses too;
 * the headers an ICMP error quotes do not count), each time with the
 * frame's length; a packet whose source is its destination counts twice
 * for it (sent and received); a TCP or UDP header the capture cut short
 * does not count, and an IPv6 fragment counts only when it is the last
 * (tshark counts the one that completes the datagram: the same when
 * fragments come in order).  A TCP or UDP endpoint's address is that of
 * the nearest IP header before it.  Rows go by packets, most first, ties
 * in the order the endpoints were first seen, as tshark's.  A FILTER is a
 * display filter: only the frames it passes count.
 *
 * Fed by NS_EV_PACKET: the fields the IP, IPv6, TCP and UDP layers
 * recorded (their addresses and ports), never the dissectors.  At most
 * MAX_ROWS endpoints are kept; the packets of newer ones count in one
 * "(other)" row, and a note says so.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "filter/dfilter.h"
#include "reports/keymap.h"
#include "reports/report.h"
#include "reports/table.h"

#define MAX_ROWS (100u * 1000)

enum kind { EP_IP, EP_IPV6, EP_TCP, EP_UDP };

static const struct {
	const char *table, *title, *src, *dst;
} kinds[] = {
    [EP_IP] = {"endpoints,ip", "IPv4", "ip.src", "ip.dst"},
    [EP_IPV6] = {"endpoints,ipv6", "IPv6", "ipv6.src", "ipv6.dst"},
    [EP_TCP] = {"endpoints,tcp", "TCP", "tcp.srcport", "tcp.dstport"},
    [EP_UDP] = {"endpoints,udp", "UDP", "udp.srcport", "udp.dstport"},
};

struct counts {
	uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes;
};

/* the key of an endpoint: family (4, 6), address, port */
struct key {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
};

struct addrs {
	uint8_t family; /* 0: none yet */
	const uint8_t *src, *dst;
};

struct endpoints {
	enum kind kind;
	struct ns_dfilter *df;
	char *filter;
	const struct ns_field *src, *dst;      /* this kind's fields */
	const struct ns_field *ip[2], *ip6[2]; /* addresses for ports */
	const struct ns_field *frag_more;      /* ipv6.fraghdr.more */
	struct ns_keymap rows;
	struct counts other;
	uint8_t other_used;
};

static void count(struct endpoints *s, const struct key *k, int tx,
		  uint32_t len)
{
	int made;
	struct counts *c = ns_keymap_get(&s->rows, k, sizeof(*k), 1, &made);
	if (!c) {
		c = &s->other;
		s->other_used = 1;
	}
	if (tx) {
		c->tx_frames++;
		c->tx_bytes += len;
	} else {
		c->rx_frames++;
		c->rx_bytes += len;
	}
}

/* The values of fields a and b in layer li, NULL when absent. */
static void find2(const struct ns_packet *pkt, unsigned li,
		  const struct ns_field *a, const struct ns_field *b,
		  const struct ns_fv **va, const struct ns_fv **vb)
{
	const struct ns_layer *l = &pkt->layers[li];
	*va = *vb = NULL;
	for (uint32_t i = l->fv_first; i < l->fv_end && i < pkt->nfv; i++) {
		const struct ns_fv *v = &pkt->fv[i];
		if (v->layer != li)
			continue;
		if (v->f == a && !*va)
			*va = v;
		else if (v->f == b && !*vb)
			*vb = v;
		if (*va && *vb) /* addresses and ports come first */
			break;
	}
}

/* Updates the addresses a TCP or UDP header would take from layer li. */
static void track_addrs(const struct endpoints *s, const struct ns_packet *pkt,
			unsigned li, struct addrs *ad)
{
	for (int v6 = 0; v6 < 2; v6++) {
		const struct ns_field *const *f = v6 ? s->ip6 : s->ip;
		if (pkt->layers[li].d != f[0]->proto)
			continue;
		const struct ns_fv *a, *b;
		find2(pkt, li, f[0], f[1], &a, &b);
		if (a && b && a->v.b.n == (v6 ? 16u : 4u) &&
		    b->v.b.n == a->v.b.n) {
			ad->family = v6 ? 6 : 4;
			ad->src = a->v.b.p;
			ad->dst = b->v.b.p;
		}
	}
}

static void one_layer(struct endpoints *s, const struct ns_packet *pkt,
		      unsigned li, const struct addrs *ad)
{
	const struct ns_fv *a, *b, *more, *none;
	find2(pkt, li, s->src, s->dst, &a, &b);
	if (!a || !b)
		return;
	/* tshark's TCP and UDP count only a header it read whole; its IPv6
	 * only the fragment that completes a datagram (the last, M=0) */
	if ((s->kind == EP_TCP || s->kind == EP_UDP) &&
	    pkt->layers[li].status != NS_LAYER_OK)
		return;
	if (s->kind == EP_IPV6) {
		find2(pkt, li, s->frag_more, s->frag_more, &more, &none);
		if (more && more->v.u)
			return;
	}
	struct key ks, kd;
	memset(&ks, 0, sizeof(ks));
	memset(&kd, 0, sizeof(kd));
	if (s->kind == EP_IP || s->kind == EP_IPV6) {
		size_t n = s->kind == EP_IP ? 4 : 16;
		if (a->v.b.n != n || b->v.b.n != n)
			return;
		ks.family = kd.family = s->kind == EP_IP ? 4 : 6;
		memcpy(ks.addr, a->v.b.p, n);
		memcpy(kd.addr, b->v.b.p, n);
	} else {
		if (!ad->family)
			return;
		size_t n = ad->family == 4 ? 4 : 16;
		ks.family = kd.family = ad->family;
		memcpy(ks.addr, ad->src, n);
		memcpy(kd.addr, ad->dst, n);
		ks.port = (uint16_t)a->v.u;
		kd.port = (uint16_t)b->v.u;
	}
	count(s, &ks, 1, pkt->len);
	count(s, &kd, 0, pkt->len);
}

static void on_packet(void *ctx, const struct ns_event *ev)
{
	struct endpoints *s = ctx;
	const struct ns_packet *pkt = ev->pkt;
	if (s->df && !ns_dfilter_match(s->df, pkt))
		return;
	struct addrs ad = {0, NULL, NULL};
	for (unsigned li = 0; li < pkt->nlayers; li++) {
		const struct ns_layer *l = &pkt->layers[li];
		if (l->quoted || !l->d)
			continue;
		if (s->kind == EP_TCP || s->kind == EP_UDP)
			track_addrs(s, pkt, li, &ad);
		if (l->d == s->src->proto)
			one_layer(s, pkt, li, &ad);
	}
}

static void ep_free(void *state)
{
	struct endpoints *s = state;
	if (s->df)
		ns_dfilter_free(s->df);
	free(s->filter);
	ns_keymap_free(&s->rows, NULL);
	free(s);
}

static int resolve(struct endpoints *s)
{
	s->src = ns_field_by_name(kinds[s->kind].src);
	s->dst = ns_field_by_name(kinds[s->kind].dst);
	s->ip[0] = ns_field_by_name("ip.src");
	s->ip[1] = ns_field_by_name("ip.dst");
	s->ip6[0] = ns_field_by_name("ipv6.src");
	s->ip6[1] = ns_field_by_name("ipv6.dst");
	s->frag_more = ns_field_by_name("ipv6.fraghdr.more");
	return s->src && s->dst && s->ip[0] && s->ip[1] && s->ip6[0] &&
		       s->ip6[1] && s->src->proto
		   ? 0
		   : -1;
}

static void *start(struct ns_engine *e, const char *arg, enum kind kind,
		   char *err, size_t errlen)
{
	struct endpoints *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->kind = kind;
	ns_keymap_init(&s->rows, sizeof(struct counts), MAX_ROWS);
	if (resolve(s) < 0) {
		snprintf(err, errlen, "-z %s: fields missing",
			 kinds[kind].table);
		ep_free(s);
		return NULL;
	}
	if (*arg) {
		struct ns_dfilter_error fe;
		s->df = ns_dfilter_compile(arg, &fe);
		s->filter = strdup(arg);
		if (!s->df || !s->filter) {
			snprintf(err, errlen, "-z %s: bad filter '%s': %s",
				 kinds[kind].table, arg,
				 s->df ? "out of memory" : fe.msg);
			ep_free(s);
			errno = 0;
			return NULL;
		}
	}
	errno = 0;
	if (ns_bus_subscribe(&e->bus, NS_EV_BIT(NS_EV_PACKET), on_packet, s) <
	    0) {
		snprintf(err, errlen, "-z %s: too many reports",
			 kinds[kind].table);
		ep_free(s);
		return NULL;
	}
	return s;
}

/* ---- output ------------------------------------------------------------ */

static uint64_t frames(const struct counts *c)
{
	return c->tx_frames + c->rx_frames;
}

/* most packets first; ties in the order first seen (the index) */
static int by_frames(const void *a, const void *b, void *m)
{
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	uint64_t fi = frames(ns_keymap_slot(m, i));
	uint64_t fj = frames(ns_keymap_slot(m, j));
	if (fi != fj)
		return fi > fj ? -1 : 1;
	return i < j ? -1 : i > j;
}

static void addr_text(const struct key *k, char *out, size_t cap)
{
	if (!inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->addr, out,
		       (socklen_t)cap))
		snprintf(out, cap, "?");
}

static const char RULE[] = "================================================"
			   "================================";

static void text_head(const struct endpoints *s, FILE *out, int ports)
{
	fprintf(out, "%s\n%s Endpoints\nFilter:%s\n", RULE,
		kinds[s->kind].title, s->filter ? s->filter : "<No Filter>");
	fprintf(out,
		"                       |  %sPackets  | |  Bytes  | | Tx "
		"Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |\n",
		ports ? "Port  ||  " : "");
}

static void text_row(FILE *out, const char *addr, const char *port,
		     const struct counts *c)
{
	unsigned long long tf = c->tx_frames, tb = c->tx_bytes,
			   rf = c->rx_frames, rb = c->rx_bytes;
	fprintf(out, "%-20s      ", addr);
	if (port)
		fprintf(out, "%5s     ", port);
	fprintf(out,
		"%6llu     %9llu     %6llu       %9llu      %6llu       "
		"%9llu   \n",
		tf + rf, tb + rb, tf, tb, rf, rb);
}

/* port: -1 none (IP), -2 unknown ("(other)") */
static void json_row(struct ns_table *t, const char *addr, int port,
		     const struct counts *c)
{
	ns_table_row(t);
	ns_table_str(t, addr);
	if (port >= 0)
		ns_table_u64(t, (uint64_t)port);
	else if (port == -2)
		ns_table_none(t);
	ns_table_u64(t, frames(c));
	ns_table_u64(t, c->tx_bytes + c->rx_bytes);
	ns_table_u64(t, c->tx_frames);
	ns_table_u64(t, c->tx_bytes);
	ns_table_u64(t, c->rx_frames);
	ns_table_u64(t, c->rx_bytes);
}

static struct ns_table *json_head(const struct endpoints *s, int ports)
{
	char title[96];
	snprintf(title, sizeof(title), "%s endpoints%s%s", kinds[s->kind].title,
		 s->filter ? ", filter " : "", s->filter ? s->filter : "");
	struct ns_table *t = ns_table_new(kinds[s->kind].table, title);
	if (!t)
		return NULL;
	ns_table_col(t, "address", 1);
	if (ports)
		ns_table_col(t, "port", 0);
	static const char *const cols[] = {"packets",	 "bytes",
					   "tx_packets", "tx_bytes",
					   "rx_packets", "rx_bytes"};
	for (unsigned i = 0; i < NS_NELEM(cols); i++)
		ns_table_col(t, cols[i], 0);
	return t;
}

static void ep_finish(void *state, FILE *out, int json)
{
	struct endpoints *s = state;
	int ports = s->kind == EP_TCP || s->kind == EP_UDP;
	uint32_t n = 0, *ix = calloc(ns_keymap_size(&s->rows) + 1, sizeof(*ix));
	for (uint32_t i = 0; ix && i < ns_keymap_size(&s->rows); i++)
		if (ns_keymap_slot(&s->rows, i))
			ix[n++] = i;
	if (ix)
		qsort_r(ix, n, sizeof(*ix), by_frames, &s->rows);
	struct ns_table *t = json ? json_head(s, ports) : NULL;
	if (!json)
		text_head(s, out, ports);
	for (uint32_t i = 0; i < n; i++) {
		char addr[INET6_ADDRSTRLEN], port[8];
		const struct key *k =
		    (const void *)ns_keymap_key(&s->rows, ix[i]);
		addr_text(k, addr, sizeof(addr));
		snprintf(port, sizeof(port), "%u", k->port);
		const struct counts *c = ns_keymap_slot(&s->rows, ix[i]);
		if (t)
			json_row(t, addr, ports ? (int)k->port : -1, c);
		else if (!json)
			text_row(out, addr, ports ? port : NULL, c);
	}
	if (s->other_used) {
		if (t) {
			json_row(t, "(other)", ports ? -2 : -1, &s->other);
			ns_table_note(t, "(other): endpoints past the first %u",
				      MAX_ROWS);
		} else if (!json) {
			text_row(out, "(other)", ports ? "-" : NULL, &s->other);
		}
	}
	if (t)
		ns_table_print(t, out, 1);
	else if (!json)
		fprintf(out, "%s\n", RULE);
	if (!json && s->other_used)
		fprintf(out, "(other): endpoints past the first %u\n",
			MAX_ROWS);
	free(ix);
	ep_free(s);
}

/* Addresses and ports, which the headers give: no TCP connection state or
 * stream behind them (no IP layer comes out of a TCP stream), unless a
 * filter may need them. */
static enum ns_depth ep_depth(const void *state)
{
	const struct endpoints *s = state;
	return !s->df || ns_dfilter_frame_only(s->df) ? NS_DEPTH_HEADERS
						      : NS_DEPTH_ALL;
}

static void *ip_start(struct ns_engine *e, const char *arg, char *err,
		      size_t errlen)
{
	return start(e, arg, EP_IP, err, errlen);
}

static void *ipv6_start(struct ns_engine *e, const char *arg, char *err,
			size_t errlen)
{
	return start(e, arg, EP_IPV6, err, errlen);
}

static void *tcp_start(struct ns_engine *e, const char *arg, char *err,
		       size_t errlen)
{
	return start(e, arg, EP_TCP, err, errlen);
}

static void *udp_start(struct ns_engine *e, const char *arg, char *err,
		       size_t errlen)
{
	return start(e, arg, EP_UDP, err, errlen);
}

const struct ns_report ns_report_endpoints_ip = {
    .name = "endpoints,ip",
    .usage = "endpoints,ip|ipv6|tcp|udp[,FILTER]",
    .start = ip_start,
    .finish = ep_finish,
    .free = ep_free,
    .depth = ep_depth,
};

const struct ns_report ns_report_endpoints_ipv6 = {
    .name = "endpoints,ipv6",
    .usage = NULL, /* endpoints,ip's names it */
    .start = ipv6_start,
    .finish = ep_finish,
    .free = ep_free,
    .depth = ep_depth,
};

const struct ns_report ns_report_endpoints_tcp = {
    .name = "endpoints,tcp",
    .usage = NULL,
    .start = tcp_start,
    .finish = ep_finish,
    .free = ep_free,
    .depth = ep_depth,
};

const struct ns_report ns_report_endpoints_udp = {
    .name = "endpoints,udp",
    .usage = NULL,
    .start = udp_start,
    .finish = ep_finish,
    .free = ep_free,
    .depth = ep_depth,
};
