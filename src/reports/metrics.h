/*
 * metrics — what --metrics serves: counters, gauges and histograms of a
 * run in the Prometheus text exposition format (version 0.0.4), every
 * name prefixed netscope_.
 *
 * The model is a subscriber of the engine's bus like any report: the
 * transaction events (core/event.h) give the gRPC calls, HTTP exchanges,
 * DNS transactions, TLS handshakes and ended connections; the engine gives
 * the flow table's counters, the live connections' retransmissions and
 * the budget of application state when it renders; the capture loop gives
 * what it read and what was dropped (struct ns_metrics_capture).  It is
 * owned by the thread that dissects: events update it without a lock, and
 * that thread renders it (ns_metrics_render) from the run's periodic point
 * into text that the HTTP server (output/httpd.h) serves from its own
 * thread.  So nothing is locked per packet or per event.
 *
 * Bounded whatever the peers send: the model is one fixed allocation made
 * at start.  Label values come from closed sets (HTTP methods, status
 * codes 100..599, DNS types and rcodes, TLS versions, ALPN ids, gRPC
 * status names), anything else is "other"; gRPC methods are kept for the
 * first NS_METRICS_MAX_METHODS distinct names, later ones fold into
 * method="other".  Label values are escaped as the format asks
 * (backslash, double quote, newline), and bytes that are not printable
 * ASCII become '?', so the output is always valid UTF-8.
 */
#ifndef NS_METRICS_H
#define NS_METRICS_H

#include <stdint.h>

struct ns_engine;
struct ns_buf;
struct ns_call;
struct ns_dns_txn;
struct ns_tls_info;

#define NS_METRICS_MAX_METHODS 100
/* at most this often does a run render what it serves */
#define NS_METRICS_INTERVAL_MS 250

/* What the capture loop knows: read, and dropped before dissection. */
struct ns_metrics_capture {
	uint64_t packets, bytes; /* read by netscope (bytes: on the wire) */
	uint64_t kernel_drop;	 /* pcap_stats ps_drop */
	uint64_t if_drop;	 /* pcap_stats ps_ifdrop */
	uint64_t netscope_drop;	 /* dropped by netscope (its queue) */
};

struct ns_metrics;

/* A model subscribed to e's bus (e may be NULL: a unit test feeds it with
 * the ns_metrics_on_* calls); NULL when out of memory or the bus is full.
 * It must outlive the bus's last event (ns_engine_finish). */
struct ns_metrics *ns_metrics_new(struct ns_engine *e);
void ns_metrics_free(struct ns_metrics *m);

/* The facts the events bring (what the bus subscription calls). */
void ns_metrics_on_call(struct ns_metrics *m, const struct ns_call *c);
void ns_metrics_on_dns(struct ns_metrics *m, const struct ns_dns_txn *d,
		       int end);
void ns_metrics_on_tls(struct ns_metrics *m, const struct ns_tls_info *t);

/* 1 when NS_METRICS_INTERVAL_MS have passed since the last time it said
 * 1 (the first call says 1). */
int ns_metrics_due(struct ns_metrics *m);

/* Replaces b's contents with the exposition text: the capture's figures
 * (cap may be NULL: all 0), the engine's, the transactions'. */
void ns_metrics_render(struct ns_metrics *m,
		       const struct ns_metrics_capture *cap, struct ns_buf *b);

/* Appends v as a label value, escaped (exposed for the unit test); NULL
 * appends nothing. */
void ns_metrics_label_value(struct ns_buf *b, const char *v);

#endif
