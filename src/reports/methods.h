/*
 * methods — calls summed per method: what `-z grpc,srt`, `-z http,srt`
 * and the TUI's Methods view show.
 *
 * A row per key: the gRPC method ("service/Method") of a gRPC call, or
 * "METHOD /path" (the query left out) of an HTTP exchange.  Per row:
 * calls, errors, the mix of statuses, and the call latency (first request
 * byte to the frame that ended the call), the time to the first response
 * message and the gaps between response messages as distributions
 * (core/quant.h, sharing one pool of exact values).  Fed with each call's
 * end (NS_EV_HTTP_END) and, for the gaps, each gRPC response message
 * (NS_EV_HTTP_MESSAGE); server pushes and the 101 of an upgrade are no
 * calls.  At most NS_METHODS_MAX_ROWS keys: later ones go into one row
 * ("(other)").
 */
#ifndef NS_METHODS_H
#define NS_METHODS_H

#include <stdint.h>

#include "core/quant.h"
#include "reports/keymap.h"

struct ns_call;
struct ns_event;

#define NS_METHODS_MAX_ROWS 1000
#define NS_METHODS_INFLIGHT 65536
#define NS_METHODS_NSTATUS  18 /* gRPC 0..16, and any other */

enum ns_methods_kind {
	NS_METHODS_GRPC, /* gRPC calls, by method */
	NS_METHODS_HTTP, /* every exchange, gRPC's too, by method and path */
	NS_METHODS_ANY,	 /* gRPC calls by method, other exchanges by path */
};

struct ns_method_row {
	uint8_t grpc;	   /* the row's calls are gRPC (status: gRPC codes) */
	uint8_t streaming; /* a call had more than one message a way */
	uint64_t calls, errors, no_latency;
	/* gRPC codes; HTTP: classes 1xx..5xx at 1..5, 0 none, 6 reset */
	uint64_t status[NS_METHODS_NSTATUS];
	struct ns_quant lat, ttfm, gap;
};

struct ns_methods {
	enum ns_methods_kind kind;
	uint64_t pool;
	struct ns_keymap rows;
	struct ns_method_row other;
	uint8_t other_used;
	struct ns_keymap inflight; /* (conn uid, id) → last message time */
	uint64_t gaps_untracked;
};

void ns_methods_init(struct ns_methods *m, enum ns_methods_kind kind);
/* A call ended (NS_EV_HTTP_END). */
void ns_methods_call(struct ns_methods *m, const struct ns_call *c);
/* A body message completed (NS_EV_HTTP_MESSAGE). */
void ns_methods_message(struct ns_methods *m, const struct ns_event *ev);
/* The rows' entry numbers sorted by key (free() it), *n of them; the
 * "(other)" row is not among them. */
uint32_t *ns_methods_sorted(struct ns_methods *m, uint32_t *n);
static inline struct ns_method_row *ns_methods_row(struct ns_methods *m,
						   uint32_t i)
{
	return ns_keymap_slot(&m->rows, i);
}
static inline const char *ns_methods_key(const struct ns_methods *m, uint32_t i)
{
	return ns_keymap_key(&m->rows, i);
}
/* "OK:5 NOT_FOUND:1" / "2xx:5 5xx:1 reset:1" into out. */
void ns_methods_status_mix(const struct ns_method_row *r, char *out,
			   unsigned cap);
void ns_methods_free(struct ns_methods *m);

#endif
