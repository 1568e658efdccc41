/*
 * calls — `--calls`: one line per HTTP/2 stream / gRPC call, written by the
 * HTTP/2 dissector when a call ends (both sides closed, reset, or the
 * connection ended), and by HTTP/1.1 for gRPC-Web calls (stream id: the
 * call's number on its connection) and printed at the end of the run sorted by
 * connection and stream id.  Lines go to a temporary file as calls end, so the
 * report costs disk, not memory, until the end.
 */
#ifndef NS_CALLS_H
#define NS_CALLS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ns_calls;

struct ns_calls *ns_calls_new(void);
/* Adds the line (no newline) for stream `sid` of connection `conn`. */
void ns_calls_add(struct ns_calls *c, uint32_t conn, uint32_t sid,
		  const char *line, size_t n);
/* Prints the report (header and lines in connection, stream order) and
 * frees c. */
void ns_calls_finish(struct ns_calls *c, FILE *out);
void ns_calls_free(struct ns_calls *c);

#endif
