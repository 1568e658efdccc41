/*
 * engine — the state that outlives a packet: the flow table, the
 * reassembly limits, and the event bus through which reports (-z follow,
 * --conversations, --calls, …) and the TUI hear about connections and
 * transactions.  One engine per run; the packet record points at it
 * (pkt->eng) so transports can find their flow.  A packet record without
 * an engine (unit tests of one header) is dissected statelessly.
 *
 * Two-pass analysis (-2) runs two engines, one after the other: the first
 * pass's only legacy is its notes about earlier frames (note.h), which
 * ns_engine_note() writes in pass 1 and ns_engine_noted() reads in pass 2.
 * In a one-pass run both do nothing.
 */
#ifndef NS_ENGINE_H
#define NS_ENGINE_H

#include <stdint.h>
#include <stdio.h>

#include "core/event.h"
#include "core/mem.h"
#include "flow/flow.h"
#include "flow/stream.h"
#include "core/note.h"
#include "flow/reasm.h"
#include "flow/ipfrag.h"

struct ns_field;
struct ns_pbschema;
struct ns_keylog;

struct ns_engine {
	struct ns_flow_table flows;
	/* reassembly limits and what the streams hand their dissectors */
	struct ns_streams streams;
	/* transaction events and their subscribers (event.h): reports,
	 * the TUI model */
	struct ns_bus bus;
	/* IPv4 and IPv6 datagrams in fragments (ipfrag.h), from the budget */
	struct ns_ipfrag ipfrag;
	/* the budget of per-flow application state (mem.h) */
	struct ns_mem mem;
	/* -2: 0 a one-pass run, 1 the first pass (writes notes), 2 the
	 * second (reads the notes the first pass handed over) */
	int pass;
	struct ns_notes notes;
	/* --proto-descriptor: message types for gRPC methods, or NULL; owned
	 * by the caller (main.c), read-only while dissecting */
	const struct ns_pbschema *pbschema;
	/* --tls-keylog: TLS secrets, or NULL; owned by the caller, read-only
	 * while dissecting */
	const struct ns_keylog *keylog;
	/* dissectors' state across flows, for the whole run (DNS: truncated
	 * UDP answers waiting for their TCP retry): ns_engine_slot() */
	struct ns_flow_slot *slots;
	/* capture --tls-keylog: the same store, re-read as the file grows
	 * (a client appends as it connects); NULL when reading files */
	struct ns_keylog *keylog_live;
	/* 1 when no sink, display filter or report reads a packet's fields
	 * past what its one-line summary shows (no tree, -T fields or JSON,
	 * -Y, PACKET subscriber): a dissector may then leave out fields only
	 * those would read, as long as the summary line and the events stay
	 * the same (invariant 4).  0, every field, unless the caller says. */
	int summary_only;
	/* 1 when what reads packets reads their headers alone (-z
	 * endpoints): TCP tracks no connection and hands no payload on */
	int headers_only;
};

/* Whether pkt records field f, which no summary line reads: always, but
 * in a summary_only run only when a reader of packets named it (-z
 * expert names a few; ns_pkt_name_fields).  A dissector asks before it
 * records such a field. */
static inline int ns_field_wanted(const struct ns_packet *pkt,
				  const struct ns_field *f)
{
	return !pkt->eng || !pkt->eng->summary_only ||
	       (pkt->nofields == 2 && ns_pkt_named(pkt, f));
}

/* 0 or NS_ENOMEM.  max_flows 0 means the default. */
int ns_engine_init(struct ns_engine *e, uint32_t max_flows);
/* Ends every flow still open (NS_EV_CONN_END for each, in index order) and
 * frees everything (the counters stay for ns_engine_report()). */
void ns_engine_finish(struct ns_engine *e);

/* A dissector's (owner's) state for the whole run, size bytes made zeroed
 * on first use from the budget (NULL when refused), freed with fn by
 * ns_engine_finish(). */
void *ns_engine_slot(struct ns_engine *e, const void *owner, size_t size,
		     void (*fn)(void *state));

/* Pass 1: field f of the layer-th layer of frame `frame` (an earlier one)
 * will have this value.  Does nothing in other passes. */
void ns_engine_note(struct ns_engine *e, uint64_t frame, unsigned layer,
		    const struct ns_field *f, uint64_t value);
/* Pass 2: 1 and *value when pass 1 left a note for field f of this frame
 * and layer; 0 otherwise, and always in a one-pass run. */
int ns_engine_noted(struct ns_engine *e, uint64_t frame, unsigned layer,
		    const struct ns_field *f, uint64_t *value);

/* Prints the end-of-run counters (flows, evictions, reassembly) to fp:
 * always, or only when something was evicted or dropped. */
void ns_engine_report(const struct ns_engine *e, FILE *fp, int always);

#endif
