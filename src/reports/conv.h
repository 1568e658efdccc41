/*
 * conv — `--conversations`: one line per TCP connection and UDP flow when
 * it ends (evicted, expired, or at the end of the run): endpoints, Zeek
 * conn_state and history, handshake RTT, duration, packets and bytes each
 * way, retransmissions.  Lines are written to a temporary file as flows end
 * and printed at the end of the run, so the report costs disk, not memory:
 * flows that ended early (idle timeout, eviction) come first, in the order
 * they ended, then the rest in stream order.
 */
#ifndef NS_CONV_H
#define NS_CONV_H

#include <stdio.h>

#include "flow/flow.h"

struct ns_conv;

struct ns_conv *ns_conv_new(void);
/* The engine's flow_end callback (ctx is the struct ns_conv). */
void ns_conv_flow_end(void *ctx, const struct ns_flow *f);
/* Prints the report and frees it. */
void ns_conv_finish(struct ns_conv *c, FILE *out);
/* frees c without a report (an early exit) */
void ns_conv_free(struct ns_conv *c);

#endif
