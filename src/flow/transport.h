/*
 * transport — connects TCP and UDP packets to their flows.
 *
 * The TCP and UDP dissectors call in here after parsing their headers: the
 * flow is found or created (with the table's bounds applied at capture
 * time), its counters updated, and for TCP the connection state machine
 * and sequence analysis run.  A packet without an engine, or quoted inside
 * an ICMP error, or without IP addresses, is not tracked.
 */
#ifndef NS_TRANSPORT_H
#define NS_TRANSPORT_H

#include <stdint.h>

#include "flow/flow.h"
#include "core/dissect.h"
#include "core/packet.h"
#include "flow/tcpconn.h"

struct ns_tcp_track {
	struct ns_flow *flow;
	int dir;    /* 0 client→server */
	int reused; /* a new connection on a reused 5-tuple */
	struct ns_tcp_result res;
};

/* The flow of a UDP datagram (or NULL when untracked); *dir set. */
struct ns_flow *ns_udp_track(struct ns_packet *pkt, uint16_t sport,
			     uint16_t dport, int *dir);

/* The flow a header quoted in an ICMP error belongs to (found, never
 * created or counted), or NULL. */
struct ns_flow *ns_quoted_flow(struct ns_packet *pkt, uint8_t proto,
			       uint16_t sport, uint16_t dport);

/* Tracks a TCP segment; returns 0 when tracked (out filled), -1 when not. */
int ns_tcp_track(struct ns_packet *pkt, uint16_t sport, uint16_t dport,
		 const struct ns_tcp_seginfo *s, struct ns_tcp_track *out);

/*
 * The state dissector cx->d keeps on the packet's flow (its
 * flow_state_size bytes, zeroed when first made, freed with the flow), or
 * NULL: no flow (a stateless record, a quoted packet) or no memory.
 */
void *ns_flow_state(struct ns_packet *pkt, const struct ns_dctx *cx);

#endif
