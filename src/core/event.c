/*
 * event — see event.h.  A handful of subscribers at most: a flat array
 * walked in order, behind one mask test.
 */
#include "core/event.h"

#include <string.h>

#include "core/packet.h"
#include "core/txn.h"
#include "flow/flow.h"

int ns_bus_subscribe(struct ns_bus *b, uint32_t mask, ns_event_fn fn, void *ctx)
{
	if (b->n >= NS_BUS_MAX)
		return -1;
	b->sub[b->n].mask = mask;
	b->sub[b->n].fn = fn;
	b->sub[b->n].ctx = ctx;
	b->sub[b->n].wants = NULL;
	b->sub[b->n].named = NULL;
	b->sub[b->n].nnamed = 0;
	b->n++;
	b->mask |= mask;
	return 0;
}

int ns_bus_subscribe_stream(struct ns_bus *b, ns_event_fn fn, void *ctx,
			    int (*wants)(void *ctx, const struct ns_flow *f))
{
	uint32_t mask =
	    NS_EV_BIT(NS_EV_STREAM_DATA) | NS_EV_BIT(NS_EV_STREAM_GAP);
	if (ns_bus_subscribe(b, mask, fn, ctx) < 0)
		return -1;
	b->sub[b->n - 1].wants = wants;
	return 0;
}

int ns_bus_subscribe_packets(struct ns_bus *b, ns_event_fn fn, void *ctx,
			     const uint8_t *named, uint32_t n)
{
	if (ns_bus_subscribe(b, NS_EV_BIT(NS_EV_PACKET), fn, ctx) < 0)
		return -1;
	b->sub[b->n - 1].named = named;
	b->sub[b->n - 1].nnamed = n;
	return 0;
}

int ns_bus_packet_fields(const struct ns_bus *b, uint8_t *named, uint32_t n)
{
	for (unsigned i = 0; i < b->n; i++) {
		if (!(b->sub[i].mask & NS_EV_BIT(NS_EV_PACKET)))
			continue;
		if (!b->sub[i].named)
			return -1;
		for (uint32_t id = 0; id < b->sub[i].nnamed && id < n; id++)
			named[id] |= b->sub[i].named[id];
	}
	return 0;
}

int ns_bus_wants_stream(const struct ns_bus *b, const struct ns_flow *f)
{
	if (!ns_bus_wants(b, NS_EV_STREAM_DATA))
		return 0;
	for (unsigned i = 0; i < b->n; i++)
		if (b->sub[i].mask & NS_EV_BIT(NS_EV_STREAM_DATA) &&
		    (!b->sub[i].wants || b->sub[i].wants(b->sub[i].ctx, f)))
			return 1;
	return 0;
}

void ns_bus_publish(const struct ns_bus *b, const struct ns_event *ev)
{
	if (!ns_bus_wants(b, ev->type))
		return;
	uint32_t bit = NS_EV_BIT(ev->type);
	for (unsigned i = 0; i < b->n; i++) {
		if (!(b->sub[i].mask & bit))
			continue;
		if (b->sub[i].wants && ev->flow &&
		    !b->sub[i].wants(b->sub[i].ctx, ev->flow))
			continue;
		b->sub[i].fn(b->sub[i].ctx, ev);
	}
}

void ns_call_init(struct ns_call *c)
{
	memset(c, 0, sizeof(*c));
	c->status = c->grpc_status = -1;
	c->t_req = c->t_first_resp = c->t_end = -1;
	c->t_first_msg = c->t_last_msg = c->timeout = -1;
	c->sse.t_first_event = c->sse.t_last_event = c->sse.retry = -1;
}

struct ns_call_key ns_call_key(const struct ns_call *c)
{
	struct ns_call_key k;
	memset(&k, 0, sizeof(k));
	k.uid = c->conn_uid;
	k.id = c->id;
	return k;
}

struct ns_call_key ns_call_key_ev(const struct ns_event *ev)
{
	struct ns_call_key k = ns_call_key(ev->u.call);
	if (ev->flow)
		k.uid = ns_flow_uid(ev->flow);
	return k;
}

void ns_call_publish(const struct ns_bus *b, enum ns_ev_type t,
		     const struct ns_packet *pkt, const struct ns_flow *flow,
		     int dir, const struct ns_call *c, const struct ns_hdr *h,
		     unsigned n)
{
	if (!ns_bus_wants(b, t))
		return;
	struct ns_event ev = {.type = t,
			      .pkt = pkt,
			      .flow = flow,
			      .dir = dir,
			      .u.call = c,
			      .hdr = h,
			      .nhdr = n};
	ev.ts = pkt ? pkt->ts : flow ? flow->last_ts : 0;
	ns_bus_publish(b, &ev);
}

void ns_call_publish_body(const struct ns_bus *b, const struct ns_packet *pkt,
			  const struct ns_flow *flow, int dir,
			  const struct ns_call *c, const uint8_t *p, size_t n)
{
	if (!ns_bus_wants(b, NS_EV_HTTP_BODY))
		return;
	struct ns_event ev = {.type = NS_EV_HTTP_BODY,
			      .pkt = pkt,
			      .flow = flow,
			      .ts = pkt	   ? pkt->ts
				    : flow ? flow->last_ts
					   : 0,
			      .dir = dir,
			      .u.data = {p, n},
			      .call = c};
	ns_bus_publish(b, &ev);
}
