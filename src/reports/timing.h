/*
 * timing — where a TCP connection's time went, the passive equivalent of
 * `curl -w`: from the start of the client's name lookup (or its SYN when
 * the lookup is not in the capture) to the lookup's answer
 * (namelookup), the SYN-ACK (connect), the end of the TLS handshake
 * (appconnect), the first response byte (starttransfer) and the last
 * (total), each measured from the start, as curl does; and the server's
 * time, first request byte to first response byte (ttfb).
 *
 * The lookup is the DNS exchange from the connection's client that
 * answered the server's address last before the SYN, together with the
 * answers for the same name around it (A and AAAA are asked together:
 * the lookup ends with the last of them) and the search walk before it
 * (NXDOMAIN for NAME.SUFFIX: the lookup starts at its first query).
 * Request and response are the first HTTP exchange on the connection
 * when it was decoded (cleartext, or TLS with --tls-keylog), else the
 * first payload each way; a TLS connection not decrypted has no
 * starttransfer (which of its records is the answer is not known), and
 * its total is the server's last payload.
 *
 * A report embeds a struct ns_timing, starts it (it subscribes to DNS,
 * TLS and HTTP events on the bus) and asks ns_timing_of() when a
 * connection ends (NS_EV_CONN_END, which comes after the connection's
 * own TLS_END and HTTP_END).  Memory is bounded: the last NS_TIMING_DNS
 * DNS answers, and the connections with an HTTP exchange or TLS in
 * flight (at most NS_TIMING_CONNS).
 */
#ifndef NS_TIMING_H
#define NS_TIMING_H

#include <stdint.h>

#include "reports/keymap.h"

struct ns_engine;
struct ns_flow;

#define NS_TIMING_DNS	512
#define NS_TIMING_CONNS 65536

struct ns_timing_dns {
	uint8_t used, nx, naddr;
	uint8_t client[16];
	uint8_t addr[4][16]; /* answered addresses (IPv4 in the first 4) */
	uint16_t qtype;
	int64_t t_query, t_response;
	char qname[256];
};

struct ns_timing {
	struct ns_timing_dns dns[NS_TIMING_DNS]; /* a ring, oldest first */
	unsigned dns_at;
	struct ns_keymap conns; /* flow uid → struct conn facts */
};

/* One connection's times (ns; -1 unknown).  The five curl-like times are
 * from `start`. */
struct ns_timing_row {
	int64_t start;
	int64_t namelookup, connect, appconnect, starttransfer, total;
	int64_t ttfb;
	unsigned walk;	/* NXDOMAIN answers of the search walk */
	char name[256]; /* the name looked up, "" when none */
};

/* 0, or -1 when the bus is full. */
int ns_timing_start(struct ns_timing *t, struct ns_engine *e);
/* The times of flow f (a TCP connection that ends); 0, or -1 when f is
 * not a TCP connection whose SYN was seen. */
int ns_timing_of(struct ns_timing *t, const struct ns_flow *f,
		 struct ns_timing_row *row);
void ns_timing_free(struct ns_timing *t);

#endif
