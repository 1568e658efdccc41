/*
 * httpd — see httpd.h.
 */
#include "output/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct ns_httpd {
	struct MHD_Daemon *d;
	pthread_mutex_t mu;
	char *text; /* the latest page, under mu */
	size_t n, cap;
};

int ns_httpd_parse_addr(const char *s, struct sockaddr_storage *ss,
			socklen_t *len, char *err, size_t errlen)
{
	char host[64];
	const char *port;
	int v6 = s[0] == '[';
	if (v6) {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' ||
		    (size_t)(close - s - 1) >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = 0;
		port = close + 2;
	} else {
		const char *colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			goto bad;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
		port = colon + 1;
	}
	char *end;
	errno = 0;
	long p = strtol(port, &end, 10);
	if (!port[0] || *end || errno || p < 1 || p > 65535) {
		snprintf(err, errlen, "--metrics: '%s': port must be 1..65535",
			 s);
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)p);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad_addr;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)p);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad_addr;
		*len = sizeof(*a);
	}
	return 0;
bad_addr:
	snprintf(err, errlen, "--metrics: '%s': '%s' is not an IPv%d address",
		 s, host, v6 ? 6 : 4);
	return -1;
bad:
	snprintf(err, errlen,
		 "--metrics: '%s': expected ADDR:PORT or [IPv6]:PORT "
		 "(e.g. 127.0.0.1:9100)",
		 s);
	return -1;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code,
			     const char *body, size_t n)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    n, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(
	    r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    code == MHD_HTTP_OK ? CONTENT_TYPE : "text/plain; charset=utf-8");
	enum MHD_Result rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	struct ns_httpd *h = cls;
	(void)version;
	(void)upload;
	(void)req_cls;
	/* a body sent with the request is ignored */
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/metrics") != 0) {
		static const char nf[] = "404 not found: try /metrics\n";
		return reply(conn, MHD_HTTP_NOT_FOUND, nf, sizeof(nf) - 1);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		static const char na[] = "405 method not allowed\n";
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, na,
			     sizeof(na) - 1);
	}
	pthread_mutex_lock(&h->mu);
	enum MHD_Result rc = reply(conn, MHD_HTTP_OK, h->text ? h->text : "",
				   h->text ? h->n : 0);
	pthread_mutex_unlock(&h->mu);
	return rc;
}

/* The listening socket, bound to exactly ss; -1 with the reason. */
static int listen_on(const char *addr, const struct sockaddr_storage *ss,
		     socklen_t len, char *err, size_t errlen)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "--metrics: %s: socket: %s", addr,
			 strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) < 0 ||
	    listen(fd, 16) < 0) {
		snprintf(err, errlen, "--metrics: cannot listen on %s: %s",
			 addr, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct ns_httpd *ns_httpd_start(const char *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (ns_httpd_parse_addr(addr, &ss, &len, err, errlen) < 0)
		return NULL;
	int fd = listen_on(addr, &ss, len, err, errlen);
	if (fd < 0)
		return NULL;
	struct ns_httpd *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	pthread_mutex_init(&h->mu, NULL);
	/* the server's thread takes no signal: SIGINT/SIGTERM stay the
	 * capture loop's, whose poll() they must interrupt */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	h->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
		(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    0, NULL, NULL, on_request, h, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!h->d) {
		snprintf(err, errlen,
			 "--metrics: %s: the HTTP server (libmicrohttpd) did "
			 "not start",
			 addr);
		close(fd);
		pthread_mutex_destroy(&h->mu);
		free(h);
		return NULL;
	}
	return h;
}

void ns_httpd_publish(struct ns_httpd *h, const char *text, size_t n)
{
	pthread_mutex_lock(&h->mu);
	if (n + 1 > h->cap) {
		size_t cap = (n + 1) * 2;
		char *p = realloc(h->text, cap);
		if (!p) { /* the previous page stays */
			pthread_mutex_unlock(&h->mu);
			return;
		}
		h->text = p;
		h->cap = cap;
	}
	memcpy(h->text, text, n);
	h->text[n] = 0;
	h->n = n;
	pthread_mutex_unlock(&h->mu);
}

void ns_httpd_stop(struct ns_httpd *h)
{
	if (!h)
		return;
	/* MHD_stop_daemon closes the listening socket it was given */
	MHD_stop_daemon(h->d);
	pthread_mutex_destroy(&h->mu);
	free(h->text);
	free(h);
}
