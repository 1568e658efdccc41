/*
 * quic_int.h — what the QUIC dissector's files share (quic.c: packets,
 * keys and frames; quic_stream.c: STREAM reassembly and its hand-over to
 * HTTP/3).  Not for other dissectors: they see QUIC through its fields and
 * events.
 */
#ifndef NS_QUIC_INT_H
#define NS_QUIC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/txn.h"
#include "proto/quic.h"

#define MAX_CID 20

/* packet number spaces, which are also the CRYPTO levels (0-RTT shares
 * the application space and is not decrypted) */
enum { SP_INITIAL, SP_HANDSHAKE, SP_APP, SP_COUNT };

struct ns_mem;
struct ns_bus;
struct ns_flow;
struct ns_packet;
struct ns_h3;

/* One direction's CRYPTO bytes at one level. */
struct crypto_dir {
	uint8_t *buf;	/* MAX_CRYPTO bytes, from the budget, or NULL */
	uint32_t *have; /* a bit per byte received */
	size_t parsed;	/* bytes handed to the TLS parser */
};

/* One direction's 1-RTT keys: the current phase's, the next one's
 * (derived ahead), the previous one's (late packets). */
struct app_keys {
	struct ns_quic_keys cur, next, prev;
	uint8_t phase; /* the key phase bit of cur */
	uint8_t have_prev;
	uint32_t updates; /* key updates seen */
};

struct qdir {
	struct crypto_dir cd[SP_COUNT];
	uint64_t largest[SP_COUNT]; /* largest packet number opened */
	uint8_t have_largest[SP_COUNT];
	struct ns_quic_keys hs; /* Handshake keys */
	struct app_keys app;
};

/* Out-of-order STREAM bytes, sorted by offset. */
struct qpend {
	struct qpend *next;
	uint64_t off;
	size_t n;
	uint8_t fin;
	uint8_t data[];
};

/* One stream's reassembly. */
struct qstream {
	uint64_t id;
	uint64_t next; /* bytes delivered in order */
	struct qpend *pend;
	uint8_t dir; /* its sender: 0 client, 1 server */
	uint8_t done, lost;
};

#define MAX_PATHS 8 /* UDP flows a connection is followed over */

/* A connection: made by its first long header, found again on another
 * UDP flow (a migration, NAT rebinding) by the connection IDs its packets
 * carry (quic_conn.c); freed when its last path's flow is. */
struct quic_flow {
	struct ns_mem *mem;
	struct ns_engine *eng;
	uint32_t refs; /* paths that hold it */
	struct ns_flow *paths[MAX_PATHS];
	struct ns_quic_info qi;
	/* whom the handshake is told to (TLS_HELLO as it comes, TLS_END as
	 * the connection ends, as the TLS dissector does for TCP), and the
	 * flow events name: its most recent path */
	const struct ns_bus *bus;
	struct ns_flow *flow;
	uint8_t dcid[MAX_CID], dcid_len; /* what the Initial keys come from */
	uint8_t retried;		 /* a Retry came: the next DCID */
	/* each side's Source Connection ID length ([0] the client's): the
	 * length of the DCID the other side's short headers carry */
	uint8_t scid_len[2], have_scid[2];
	uint32_t version;
	uint8_t cr[32]; /* the ClientHello's random */
	/* key log: 0 not looked up yet, 1 keys for both levels, 2 none */
	uint8_t keyed;
	struct qdir d[2]; /* [0] client, [1] server */
	/* streams */
	struct qstream *st;
	uint32_t nst, cap_st;
	size_t pending; /* bytes held out of order, all streams */
	struct ns_h3 *h3;
	struct ns_tls_info info;
};

/* A UDP flow's QUIC state (the flow slot): its connection, and which of
 * its ends is the client. */
struct quic_path {
	struct quic_flow *c;
	struct ns_flow *flow;
	uint8_t have_client;
	uint16_t client_port;
};

/* The connection of the datagram pkt carries on path (found by its
 * connection IDs, or made for a long header), or NULL (quic_conn.c). */
struct quic_flow *ns_quic_conn_of(struct ns_packet *pkt, struct quic_path *path,
				  const struct ns_reader *r);
/* A connection ID that the side `side` of q is reached by (the SCID of
 * its long headers, its NEW_CONNECTION_ID frames). */
void ns_quic_cid_add(struct quic_flow *q, const uint8_t *cid, size_t n,
		     int side);
/* A short header p[0..n) whose DCID is one a connection uses: the UDP
 * heuristic for a connection that moved to a flow on another port. */
int ns_quic_known_cid(const struct ns_packet *pkt, const uint8_t *p, size_t n);
/* The flow slot's free function: the path leaves its connection, which
 * ends with its last path. */
void ns_quic_path_free(void *state);
/* The connection ends (quic.c): what it said published, its buffers
 * freed; the caller frees q. */
void ns_quic_conn_end(struct quic_flow *q);

/* STREAM data at offset off of stream id, sent by direction dir
 * (quic_stream.c): delivered in order to HTTP/3, held when early
 * (bounded), dropped when already delivered. */
void ns_quic_stream_data(struct quic_flow *q, struct ns_packet *pkt, int dir,
			 uint64_t id, uint64_t off, const uint8_t *p, size_t n,
			 int fin);
/* RESET_STREAM: the stream ends there. */
void ns_quic_stream_reset(struct quic_flow *q, struct ns_packet *pkt, int dir,
			  uint64_t id, uint64_t error);
/* n bytes of CRYPTO or STREAM data not kept (a cap): counted with TCP's
 * reassembly drops. */
void ns_quic_dropped(struct ns_packet *pkt, size_t n);
/* The flow ends: streams and HTTP/3 state freed. */
void ns_quic_streams_free(struct quic_flow *q);

#endif
