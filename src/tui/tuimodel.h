/*
 * tuimodel — what the TUI's Connections, Calls and DNS views show, built
 * as the UI thread dissects each packet: the connections' counters from
 * the engine's flow of each packet, everything else from the transaction
 * events it subscribes to (core/event.h); it never calls into a dissector
 * nor reads a dissector's fields.
 *
 *   connections  one row per TCP connection / UDP flow (tcp.stream,
 *                udp.stream), counters copied from the engine's flow; what
 *                it carries (dns, http, tls + SNI, h2, grpc) from events
 *   calls        one row per HTTP/2 stream and gRPC call (gRPC-Web and
 *                SSE over HTTP/1.1 too), the same struct ns_call --calls
 *                reports
 *   dns          one row per DNS transaction, the query's row completed
 *                by its response (same flow and transaction id)
 *   methods      one row per gRPC method and HTTP method + path, the
 *                calls that ended summed (reports/methods.h, as -z
 *                grpc,srt sums them): calls, errors, latency percentiles
 *
 * Each table is a ring of a fixed number of rows (NS_TUI_MAX_ROWS): the
 * oldest row makes room for a new one, so an endless capture keeps the
 * newest flows, calls and queries, as the flow table keeps the newest
 * flows.  Times are capture times.
 */
#ifndef NS_TUIMODEL_H
#define NS_TUIMODEL_H

#include <stdint.h>

#include "core/packet.h"
#include "core/txn.h"
#include "reports/methods.h"

#define NS_TUI_MAX_ROWS 65536u

struct ns_tui_conn {
	uint32_t flow; /* bit 31 UDP; tcp.stream / udp.stream */
	uint8_t used;
	uint8_t state; /* enum ns_tcp_state, TCP only */
	char cli[48], srv[48];
	char app[8]; /* dns, tls, http, h2, grpc, or "" */
	char sni[64];
	int64_t rtt;		    /* handshake RTT ns, -1 unknown */
	uint64_t pkts[2], bytes[2]; /* [0] client→server */
	int64_t first_ts, last_ts;
	int64_t rate_sec; /* capture second of rate_cur */
	uint64_t rate_cur, rate_prev;
	uint64_t first_frame;
	uint8_t matched;    /* a packet of it matches the display filter */
	uint8_t mtls;	    /* 1 a client certificate asked for, 2 and sent */
	char client_id[96]; /* the client certificate's SPIFFE URI or CN */
	/* a QUIC connection's packets on its other paths (it moved to
	 * another port): added to its first path's counters */
	uint64_t xpkts[2], xbytes[2];
	/* QUIC: the version of its long headers, and its CONNECTION_CLOSE
	 * (an application's code or a transport one, which side sent it) */
	uint8_t quic, quic_closed, quic_close_app, quic_close_by;
	uint32_t quic_version;
	uint64_t quic_close_code;
};

#define NS_TUI_QUIC_ROWS 256 /* QUIC connections mapped to their row */

struct ns_tui_call {
	uint32_t conn, sid;
	uint8_t used, grpc, closed[2], end, hpack_lost; /* end: ns_call_end */
	uint8_t h1; /* over HTTP/1.1 (gRPC-Web, SSE): sid is its number */
	uint8_t h3; /* over HTTP/3: sid is the QUIC stream id */
	uint8_t sse, sse_done; /* an SSE stream; its data: [DONE] seen */
	uint32_t events;       /* SSE events */
	int64_t t_first_event;
	uint8_t matched; /* a packet of its stream matches the filter */
	uint32_t rst_error;
	int status, grpc_status; /* -1 none */
	int status_meant; /* grpc_status, else what the reset means, or -1 */
	char method[12], path[120], grpc_msg[96];
	int64_t t_req, t_first_resp, t_first_msg, t_end;
	uint32_t msgs[2];
	uint64_t first_frame, last_frame;
};

struct ns_tui_dns {
	uint32_t flow;
	uint16_t id;
	uint8_t used, answered, unsolicited;
	uint8_t matched; /* its query or response matches the filter */
	int rcode;	 /* -1 no answer yet */
	char name[96], qtype[12], answers[160];
	int64_t t_query, rtt; /* rtt -1 unknown */
	uint64_t qframe, rframe;
};

struct ns_tui_hash {
	uint64_t *keys;
	uint32_t *vals; /* UINT32_MAX: empty */
	uint32_t mask;
};

struct ns_tuimodel {
	struct ns_tui_conn *conn[2]; /* [0] TCP, [1] UDP: by index % cap */
	uint32_t conn_cap[2];	     /* grown on use up to NS_TUI_MAX_ROWS */
	uint32_t nconn[2];	     /* rows in use */
	struct ns_tui_call *call;    /* ring by arrival */
	uint64_t ncall;		     /* calls ever */
	struct ns_tui_hash call_ix;
	struct ns_tui_dns *dns;
	uint64_t ndns;
	struct ns_tui_hash dns_ix;
	struct ns_methods methods;    /* calls per method, since the start */
	int64_t now;		      /* capture time of the newest packet */
	const struct ns_field *f_rst; /* RST_STREAM error names */
	const struct ns_field *f_sid, *f_dns_id; /* for the filter's marks */
	/* quic.connection.number → the row of the connection's first path
	 * (by number % NS_TUI_QUIC_ROWS), so that one connection is one row
	 * over all its paths */
	const struct ns_field *f_qconn, *f_qver, *f_qcc, *f_qcc_app;
	const struct ns_field *f_h3err; /* HTTP/3's error code names */
	struct {
		uint32_t num, flow;
		uint8_t used;
	} quic[NS_TUI_QUIC_ROWS];
};

int ns_tuimodel_init(struct ns_tuimodel *m);
/* Hears the events of the engine whose packets feed the model (one
 * subscription on bus); 0 or -1. */
struct ns_bus;
int ns_tuimodel_subscribe(struct ns_tuimodel *m, struct ns_bus *bus);
void ns_tuimodel_free(struct ns_tuimodel *m);
/* The connection counters after a dissected packet (frame = pkt->num). */
void ns_tuimodel_packet(struct ns_tuimodel *m, const struct ns_packet *pkt);

/* Row of a flow key, or NULL. */
struct ns_tui_conn *ns_tuimodel_conn(struct ns_tuimodel *m, uint32_t flow);

/* The display filter in the tables: a packet that matches marks the rows
 * it belongs to (its connection; the HTTP/2 streams it carries; its DNS
 * transaction); a table with a filter lists the marked rows, and a call
 * over HTTP/1.1 (gRPC-Web) when its connection is marked.  Clear when the
 * filter changes, then mark again as packets are matched. */
void ns_tuimodel_match(struct ns_tuimodel *m, const struct ns_packet *pkt);
void ns_tuimodel_match_clear(struct ns_tuimodel *m);
int ns_tuimodel_call_matched(struct ns_tuimodel *m,
			     const struct ns_tui_call *c);
/* Bytes of a connection in the last complete second of capture time. */
uint64_t ns_tuimodel_rate(const struct ns_tuimodel *m,
			  const struct ns_tui_conn *c);
/* Rows held: the i-th oldest call / DNS row (i < held), or NULL. */
uint32_t ns_tuimodel_calls_held(const struct ns_tuimodel *m);
struct ns_tui_call *ns_tuimodel_call_at(struct ns_tuimodel *m, uint32_t i);
uint32_t ns_tuimodel_dns_held(const struct ns_tuimodel *m);
struct ns_tui_dns *ns_tuimodel_dns_at(struct ns_tuimodel *m, uint32_t i);
/* The call's gRPC status: its grpc-status, else what a reset means to the
 * client (gRPC's HTTP/2 mapping: CANCEL is CANCELLED, …); -1 none. */
int ns_tuimodel_call_status(const struct ns_tui_call *c);
/* Short name of a TCP state ("ESTAB", "CLOSED", …). */
const char *ns_tuimodel_state_name(const struct ns_tui_conn *c);
/* How a call ended: "open", "ended", "reset CANCEL", "conn closed". */
void ns_tuimodel_call_end(struct ns_tuimodel *m, const struct ns_tui_call *c,
			  char *buf, size_t size);

#endif
