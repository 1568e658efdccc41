/*
 * txn — the transactions netscope tells about, defined once: an HTTP
 * exchange or gRPC call (struct ns_call), a DNS query and its answer
 * (struct ns_dns_txn), what a TLS handshake said (struct ns_tls_info).
 *
 * The dissector that follows a transaction owns its struct and keeps it
 * current; it hands a pointer to it in each transaction event (event.h).
 * Every consumer (--calls, --conversations, the TUI, statistics, records)
 * reads these structs and nothing else of the dissector, so "a call" means
 * the same thing everywhere.  A consumer copies what it keeps: the pointer
 * is valid only during the event.
 *
 * Times are capture times in ns (invariant 5), -1 when unknown.
 */
#ifndef NS_TXN_H
#define NS_TXN_H

#include <stdint.h>

/* How a call ended. */
enum ns_call_end {
	NS_CALL_OPEN,	/* not ended (yet): in flight, or forgotten */
	NS_CALL_ENDED,	/* both sides ended normally (END_STREAM, body end) */
	NS_CALL_RESET,	/* RST_STREAM (rst_error, rst_by) */
	NS_CALL_GOAWAY, /* refused by a GOAWAY that did not cover it */
};

/*
 * An HTTP exchange: a request and its response on HTTP/1.1 (one of a
 * connection's exchanges, in order) or HTTP/2 (one stream).  A gRPC call
 * is an exchange whose content type is application/grpc* (`grpc` set);
 * gRPC's own facts are filled by the body format that decodes it
 * (dissectors/app/grpc.c).  An SSE stream is one whose response is
 * text/event-stream (`sse.on`), its facts kept by dissectors/app/sse.c.
 * Side 0 is the request, 1 the response.
 */
struct ns_call {
	uint64_t conn_uid;    /* the connection's ns_flow_uid() */
	uint32_t conn_index;  /* tcp.stream */
	uint32_t id;	      /* HTTP/2 stream id; HTTP/1.1: 1, 2, … */
	uint8_t version;      /* 1 HTTP/1.x, 2 HTTP/2 */
	uint8_t client;	      /* key endpoint of the flow that is the client */
	uint8_t closed[2];    /* each side's end was seen */
	uint8_t end;	      /* enum ns_call_end */
	uint8_t rst_by;	      /* the side that sent RST_STREAM */
	uint8_t hpack_lost;   /* some header field could not be decoded */
	uint16_t hdr_unknown; /* fields left unknown by a lost HPACK context
				 (0 with hpack_lost: a block's rest lost) */
	uint8_t pushed;	      /* a server push (HTTP/2 PUSH_PROMISE) */
	uint32_t rst_error;   /* HTTP/2 error code of the reset */
	int status;	      /* HTTP status, -1 */
	char method[16];
	char path[200];
	char authority[128]; /* :authority, or HTTP/1.x's Host */
	char content_type[64];
	uint64_t body_bytes[2]; /* DATA / body bytes each way */
	int64_t t_req;		/* first request byte */
	int64_t t_first_resp;	/* first response byte */
	int64_t t_end;		/* the frame that ended the call */
	uint64_t first_frame, last_frame;

	/* gRPC (the grpc body format keeps these) */
	uint8_t grpc;	  /* content-type application/grpc* */
	uint8_t web;	  /* application/grpc-web* */
	uint8_t web_text; /* application/grpc-web-text* */
	uint8_t json;	  /* +json: not protobuf */
	uint8_t guessed;  /* gRPC by its framing: the content type unknown
			     (HPACK context lost, or headers not captured) */
	uint8_t gzip[2];  /* grpc-encoding: gzip each way */
	int grpc_status;  /* grpc-status, -1 */
	int64_t timeout;  /* grpc-timeout in ns, -1 */
	int64_t t_first_msg, t_last_msg, gap_max, gap_sum;
	uint32_t msgs[2];
	uint64_t msg_bytes[2];
	char grpc_msg[160]; /* grpc-message, percent-decoded */
	char end_error[64]; /* how the transport ended a gRPC call, or "" */

	/* SSE, a text/event-stream response (the sse body format keeps
	 * these, src/proto/ssemsg.c) */
	struct {
		uint8_t on;	       /* the response is text/event-stream */
		uint8_t done;	       /* an event's data was "[DONE]" */
		uint32_t events;       /* events dispatched */
		uint32_t truncated;    /* events cut at NS_SSE_MAX_EVENT */
		int64_t t_first_event; /* the bytes that completed it */
		int64_t t_last_event;  /* the same, of the last event */
		int64_t gap_sum, gap_max; /* between consecutive events */
		int64_t retry;		  /* the last retry: field, ms, or -1 */
	} sse;
};

/* A fresh call: nothing known (statuses and times -1). */
void ns_call_init(struct ns_call *c);

/*
 * A DNS transaction: a query and the response matched to it (same flow,
 * same id), or a response nobody asked for.  The first question names it.
 */
struct ns_dns_txn {
	uint16_t id;
	uint16_t qtype; /* of the first question, 0 when none */
	uint8_t answered;
	uint8_t retransmission; /* the query repeats one still unanswered */
	uint8_t unsolicited;	/* a response that matches no query */
	uint8_t tcp;
	int rcode;	 /* with EDNS's upper bits; -1 until answered */
	char qname[256]; /* escaped as dns.qry.name is shown */
	char qtype_name[16];
	char answers[160]; /* the answers as the summary line shows them */
	int64_t t_query, t_response;
	uint64_t query_frame, response_frame;
};

/* What a TLS handshake said (ClientHello, ServerHello, alerts). */
struct ns_tls_info {
	uint16_t offered; /* highest version the client offered */
	uint16_t version; /* the server's choice, 0 before ServerHello */
	uint16_t cipher;  /* valid when have_cipher */
	uint8_t have_cipher, hrr, hs_done, have_alert;
	uint8_t etm;  /* the ServerHello agreed to encrypt_then_mac */
	uint8_t quic; /* carried by QUIC CRYPTO frames, not TLS records */
	uint8_t alert_level, alert_desc;
	uint32_t hellos; /* ClientHellos seen */
	int64_t ch_ts;	 /* the first ClientHello's time */
	int64_t hs_time; /* ClientHello to the handshake's end (hs_done) */
	int64_t fin_ts;	 /* the client's Finished (its first protected
			    handshake record), 0 before it */
	char sni[64], alpn[64], offered_alpn[64], ja4[40];
	char ja3[33], ja3s[33]; /* MD5s of the JA3 and JA3S strings */
	/* mutual TLS (TLS 1.2 in the clear, TLS 1.3 once decrypted): the
	 * server asked for a client certificate (CertificateRequest), the
	 * client sent one; each side's identity, from its leaf certificate:
	 * the first URI SAN (a SPIFFE ID), else the subject; "" unknown */
	uint8_t cert_requested, client_cert;
	/* the identities and leaf certificates, NULL until a certificate
	 * is seen (most connections show none in the clear, and a closed
	 * one waits a minute for its end): owned by the dissector that
	 * fills the struct, valid as long as the struct is; read through
	 * ns_tls_info_certs() */
	struct ns_tls_certs *certs;
};

struct ns_tls_certs {
	char client_id[128], server_id[128];
	/* each side's leaf certificate ([0] the client's, [1] the
	 * server's): subject, issuer, the SANs joined by ','; "" unknown */
	struct ns_tls_cert_names {
		char subject[128], issuer[128], san[256];
	} cert[2];
};

/* t's identities and certificates: all "" when none was seen. */
static inline const struct ns_tls_certs *
ns_tls_info_certs(const struct ns_tls_info *t)
{
	static const struct ns_tls_certs none;
	return t->certs ? t->certs : &none;
}

/* A QUIC connection as a whole (NS_EV_QUIC_END): one conversation over
 * however many UDP flows (paths) and connection IDs it used; its TLS
 * handshake is the struct ns_tls_info of the NS_EV_TLS_END just before. */
struct ns_quic_info {
	uint32_t number;  /* in order of first packet: quic.connection.number */
	uint32_t version; /* of its first long header */
	uint32_t paths;	  /* UDP flows it was seen on */
	uint64_t pkts[2], bytes[2]; /* [0] client to server, datagrams */
	int64_t first_ts, last_ts;
	uint8_t closed;	   /* a CONNECTION_CLOSE was seen */
	uint8_t close_by;  /* 0 the client, 1 the server */
	uint8_t close_app; /* an application's error code (frame 0x1d) */
	uint64_t close_code;
	uint32_t first_index;	     /* udp.stream of its first path */
	char client[64], server[64]; /* its first path's endpoints */
};

#endif
