/*
 * transport — see transport.h.
 */
#include "flow/transport.h"

#include <stdlib.h>

#include "core/engine.h"

#define TH_SYN 0x02
#define TH_ACK 0x10

static int key_of(const struct ns_packet *pkt, uint8_t proto, uint16_t sport,
		  uint16_t dport, struct ns_flow_key *k, int *side)
{
	uint8_t type = pkt->quoted ? pkt->quote_addr_type : pkt->addr_type;
	const uint8_t *src = pkt->quoted ? pkt->quote_src : pkt->src;
	const uint8_t *dst = pkt->quoted ? pkt->quote_dst : pkt->dst;
	if (!pkt->eng || !src || !dst)
		return -1;
	uint8_t fam;
	if (type == NS_ADDR_IPV4)
		fam = 4;
	else if (type == NS_ADDR_IPV6)
		fam = 6;
	else
		return -1;
	ns_flow_key_make(k, fam, proto, src, dst, sport, dport, side);
	return 0;
}

struct ns_flow *ns_quoted_flow(struct ns_packet *pkt, uint8_t proto,
			       uint16_t sport, uint16_t dport)
{
	struct ns_flow_key k;
	int side;
	if (!pkt->quoted || key_of(pkt, proto, sport, dport, &k, &side) < 0)
		return NULL;
	return ns_flow_find(&pkt->eng->flows, &k);
}

/* A new flow: whoever listens hears of it. */
static void opened(const struct ns_packet *pkt, const struct ns_flow *f)
{
	struct ns_event ev = {
	    .type = NS_EV_CONN_OPEN, .pkt = pkt, .flow = f, .ts = pkt->ts};
	ns_bus_publish(&pkt->eng->bus, &ev);
}

static void count(struct ns_flow_table *t, struct ns_flow *f,
		  const struct ns_packet *pkt, int dir)
{
	ns_flow_touch(t, f, pkt->ts);
	f->pkts[dir]++;
	f->bytes[dir] += pkt->len;
}

struct ns_flow *ns_udp_track(struct ns_packet *pkt, uint16_t sport,
			     uint16_t dport, int *dir)
{
	struct ns_flow_key k;
	int side;
	if (pkt->quoted || key_of(pkt, 17, sport, dport, &k, &side) < 0)
		return NULL;
	struct ns_flow_table *t = &pkt->eng->flows;
	ns_flow_expire(t, pkt->ts);
	struct ns_flow *f = ns_flow_find(t, &k);
	if (!f) {
		if (!(f = ns_flow_create(t, &k, side, pkt->ts)))
			return NULL;
		opened(pkt, f);
	}
	*dir = ns_flow_dir(f, side);
	count(t, f, pkt, *dir);
	pkt->flow = f;
	return f;
}

static struct ns_flow *tcp_new(struct ns_flow_table *t,
			       const struct ns_flow_key *k, int side,
			       const struct ns_tcp_seginfo *s, int64_t ts)
{
	/* a capture that starts with the SYN-ACK: its receiver is the client */
	int first_synack = (s->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK);
	struct ns_flow *f =
	    ns_flow_create(t, k, first_synack ? !side : side, ts);
	if (!f)
		return NULL;
	f->first = (uint8_t)side;
	f->tcp = malloc(sizeof(*f->tcp));
	if (!f->tcp) {
		ns_flow_remove(t, f);
		return NULL;
	}
	ns_tcp_conn_init(f->tcp);
	return f;
}

int ns_tcp_track(struct ns_packet *pkt, uint16_t sport, uint16_t dport,
		 const struct ns_tcp_seginfo *s, struct ns_tcp_track *out)
{
	struct ns_flow_key k;
	int side;
	if (pkt->quoted || key_of(pkt, 6, sport, dport, &k, &side) < 0)
		return -1;
	struct ns_flow_table *t = &pkt->eng->flows;
	ns_flow_expire(t, pkt->ts);
	struct ns_flow *f = ns_flow_find(t, &k);
	out->reused = 0;
	if (f && f->tcp &&
	    ns_tcp_conn_is_new(f->tcp, ns_flow_dir(f, side), s)) {
		/* port reuse: a SYN with a new ISN starts a new connection */
		ns_flow_remove(t, f);
		f = NULL;
		out->reused = 1;
	}
	if (!f) {
		if (!(f = tcp_new(t, &k, side, s, pkt->ts)))
			return -1;
		opened(pkt, f);
	}
	int dir = ns_flow_dir(f, side);
	count(t, f, pkt, dir);
	ns_tcp_conn_update(f->tcp, dir, f->first_ts, s, &out->res);
	if (out->reused)
		out->res.flags |= NS_TA_REUSED_PORTS;
	if (ns_tcp_conn_closed(f->tcp))
		ns_tcp_conn_trim(f->tcp); /* it waits a minute for its end */
	ns_flow_set_idle(t, f,
			 ns_tcp_conn_closed(f->tcp) ? NS_IDLE_TCP_CLOSED
			 : f->tcp->established	    ? NS_IDLE_TCP_ESTABLISHED
						    : NS_IDLE_TCP_OPENING);
	out->flow = f;
	out->dir = dir;
	pkt->flow = f;
	return 0;
}

void *ns_flow_state(struct ns_packet *pkt, const struct ns_dctx *cx)
{
	struct ns_flow *f = pkt->flow;
	if (!f || !pkt->eng || pkt->quoted || !cx->d->flow_state_size)
		return NULL;
	return ns_flow_slot(&pkt->eng->mem, f, cx->d, cx->d->flow_state_size,
			    cx->d->flow_state_free);
}
