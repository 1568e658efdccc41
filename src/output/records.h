/*
 * records — transaction records (--records FILE): one JSON object a line
 * for each transaction as it finishes, for a log pipeline or a database
 * (contrib/clickhouse).
 *
 * A record is written when its transaction ends, from the transaction
 * events (core/event.h): a connection (NS_EV_CONN_END: "conn"), a DNS
 * response or a query left unanswered ("dns"), a TLS connection's
 * handshake as it ends ("tls"), an HTTP exchange, gRPC call or SSE stream
 * (NS_EV_HTTP_END: "http", "grpc", "sse").  Objects are flat (Zeek's
 * field names where Zeek has the field: id.orig_h, conn_state, history,
 * qtype_name, server_name, ...); a field that is not known is left out;
 * the layout is man/netscope.1's TRANSACTION RECORDS, versioned by
 * `schema_version` (NS_RECORDS_SCHEMA).
 *
 * Every record carries `ts` (when its transaction began, capture time),
 * `record` (its type), `uid` (its connection's id: the same in every
 * record of one connection, "T<run>-<tcp.stream>" or "U<run>-<udp.stream>"
 * where <run> is the first flow's start in epoch seconds), `sensor`
 * (--sensor, else the host name) and the connection's endpoints.
 *
 * Memory: what is written is not kept.  Two bounded maps remain: what each
 * live connection was seen to carry (for conn's `service`: 1 byte a
 * connection, at most NS_RECORDS_FLOWS), and, with --records-payload only,
 * the header blocks and messages of calls in flight (NS_RECORDS_PAYLOAD
 * bytes a call, NS_RECORDS_PAYLOAD_ALL in all; past either a record says
 * payload_truncated).  Payload bytes are never written unless asked.
 *
 * Files rotate by the writer's rules (capture/writer.h: -G on the capture
 * time of the transaction's end, -C on the bytes written, -W), and are
 * written through core/tmp.h like -w's.
 */
#ifndef NS_RECORDS_H
#define NS_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "capture/writer.h"

#define NS_RECORDS_SCHEMA      1
#define NS_RECORDS_FLOWS       (1u << 20)
#define NS_RECORDS_PAYLOAD     (16u * 1024)
#define NS_RECORDS_PAYLOAD_ALL (64u * 1024 * 1024)

struct ns_engine;
struct ns_records;

struct ns_records_opts {
	struct ns_writer_opts wo; /* the path ("-": stdout) and rotation */
	const char *sensor;	  /* NULL: the host name */
	int payload;		  /* --records-payload */
};

/* Subscribes to e's events and opens the first file (stdout at once, a
 * file when its first record comes, so -G names take its time).  NULL
 * with err when memory is lacking or a name is one of the inputs. */
struct ns_records *ns_records_start(struct ns_engine *e,
				    const struct ns_records_opts *o, char *err,
				    size_t errlen);
/* Flushes what was written (after each live batch).  0, or -1 with err. */
int ns_records_flush(struct ns_records *r, char *err, size_t errlen);
/* After the engine's flows have ended: flushes, closes (ok: the file
 * replaces its target, as -w's), frees.  0, or -1 with err. */
int ns_records_close(struct ns_records *r, int ok, char *err, size_t errlen);
/* Records written, and payloads cut (for the end-of-run line). */
uint64_t ns_records_count(const struct ns_records *r);

#endif
