/*
 * httpd — the HTTP endpoint of --metrics: serves GET /metrics with the
 * text it was last given, from a libmicrohttpd thread of its own.
 *
 * The run's thread renders (reports/metrics.h) and hands the text over
 * with ns_httpd_publish(), which copies it under a mutex; a request takes
 * the same mutex to copy the latest text into its response.  So a scrape
 * never sees a half-written page, the dissecting thread never waits on a
 * slow scraper (the copy is a memcpy of a few KB), and nothing is locked
 * per packet.  Any other path is 404; a method other than GET or HEAD on
 * /metrics is 405.
 *
 * The listening socket is made here, bound to exactly the address given
 * (nothing listens without --metrics; "0.0.0.0" is what exposes it to the
 * network, and only when the user writes it), before libmicrohttpd takes
 * it (MHD_OPTION_LISTEN_SOCKET): so a port in use or an address the host
 * does not have is told with the system's reason.  Connections are capped
 * and time out, so a scraper that never reads holds little.
 */
#ifndef NS_HTTPD_H
#define NS_HTTPD_H

#include <stddef.h>
#include <sys/socket.h>

struct ns_httpd;

/* "ADDR:PORT" (IPv4) or "[ADDR]:PORT" (IPv6), numeric, port 1..65535, into
 * ss; 0, or -1 with the reason in err (a usage error). */
int ns_httpd_parse_addr(const char *s, struct sockaddr_storage *ss,
			socklen_t *len, char *err, size_t errlen);

/* Listens on addr (ns_httpd_parse_addr's form) and serves; NULL with the
 * reason in err (the address cannot be parsed or bound). */
struct ns_httpd *ns_httpd_start(const char *addr, char *err, size_t errlen);

/* The text a scrape returns from now on (copied). */
void ns_httpd_publish(struct ns_httpd *h, const char *text, size_t n);

/* Stops serving, joins its thread and frees (h may be NULL). */
void ns_httpd_stop(struct ns_httpd *h);

#endif
