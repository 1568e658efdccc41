/*
 * follow — `-z follow,tcp,raw|ascii|hex,N`: the reassembled bytes of TCP
 * stream N, in tshark's layout (a header naming the two nodes, one chunk
 * per run of new contiguous bytes, the server's chunks indented by a tab).
 * Chunks are written to a temporary file as they come and copied out at the
 * end, so following a long stream costs disk, not memory.
 */
#ifndef NS_FOLLOW_H
#define NS_FOLLOW_H

#include <stdint.h>
#include <stdio.h>

#include "flow/flow.h"

enum ns_follow_mode { NS_FOLLOW_RAW, NS_FOLLOW_ASCII, NS_FOLLOW_HEX };

struct ns_follow;

/* Parses "follow,tcp,MODE,N"; returns NULL with a message in err when the
 * argument is not one. */
struct ns_follow *ns_follow_new(const char *arg, char *err, size_t errlen);
int ns_follow_wants(const struct ns_follow *fo, const struct ns_flow *f);
void ns_follow_data(struct ns_follow *fo, const struct ns_flow *f, int dir,
		    const uint8_t *p, uint32_t n);
void ns_follow_gap(struct ns_follow *fo, const struct ns_flow *f, int dir,
		   uint32_t n);
/* Writes the report to out and frees everything. */
void ns_follow_finish(struct ns_follow *fo, FILE *out);
/* Frees without writing. */
void ns_follow_free(struct ns_follow *fo);

#endif
