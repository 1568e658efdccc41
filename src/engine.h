/*
 * engine — the state that outlives a packet: the flow table, the
 * reassembly limits, and what the run asked of them (-z follow,
 * --conversations).  One engine per run; the packet record points at it
 * (pkt->eng) so transports can find their flow.  A packet record without
 * an engine (unit tests of one header) is dissected statelessly.
 */
#ifndef NS_ENGINE_H
#define NS_ENGINE_H

#include <stdint.h>
#include <stdio.h>

#include "flow.h"
#include "reasm.h"

struct ns_follow;
struct ns_calls;
struct ns_pbschema;

struct ns_engine {
	struct ns_flow_table flows;
	struct ns_reasm_limits reasm;
	int stream_dissection;     /* bind application dissectors to streams */
	struct ns_follow *follow;  /* -z follow,tcp,…: NULL when not asked */
	/* called when a flow ends (evicted, expired, or at the end of the
	 * run), before its state is freed: the conversations report */
	void (*flow_end)(void *ctx, const struct ns_flow *f);
	void *flow_end_ctx;
	struct ns_calls *calls;   /* --calls: HTTP/2 and gRPC calls, or NULL */
	/* --proto-descriptor: message types for gRPC methods, or NULL; owned
	 * by the caller (main.c), read-only while dissecting */
	const struct ns_pbschema *pbschema;
};

/* 0 or NS_ENOMEM.  max_flows 0 means the default. */
int ns_engine_init(struct ns_engine *e, uint32_t max_flows);
/* Ends every flow still open (flow_end for each, in index order) and frees
 * everything. */
void ns_engine_finish(struct ns_engine *e);

/* Prints the end-of-run counters (flows, evictions, reassembly) to fp:
 * always, or only when something was evicted or dropped. */
void ns_engine_report(const struct ns_engine *e, FILE *fp, int always);

#endif
