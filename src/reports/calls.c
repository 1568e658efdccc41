/*
 * calls — `--calls`: one line per HTTP/2 or HTTP/3 stream, gRPC call and
 * SSE stream (gRPC-Web and SSE over HTTP/1.1 too: the "stream" of such an
 * exchange is its number on its connection, shown as s=-), written when
 * the call ends (NS_EV_HTTP_END: both sides closed, reset, the connection
 * ended, or the dissector forgot it) and printed at the end of the run
 * sorted by connection and stream id.  Lines go to a temporary file as
 * calls end, with a fixed-width sort key in front, so the report costs
 * disk, not memory, until the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/engine.h"
#include "core/field.h"
#include "core/tmp.h"
#include "core/txn.h"
#include "proto/grpcmsg.h"
#include "reports/report.h"

struct calls {
	FILE *tmp;
	size_t n;
	struct ns_buf line;
	const struct ns_field *f_grpc_status, *f_h2_error, *f_h3_error;
};

static void calls_free(void *state);

static void put_name(struct ns_buf *b, const struct ns_field *f, uint64_t v,
		     const char *none)
{
	const char *s = f ? ns_valstr_find(f->vals, v) : NULL;
	ns_buf_putc(b, ' ');
	ns_buf_puts(b, s ? s : none);
}

/* " LAT ms [ttfb X ms]" from the request's start (" - ms" without both
 * ends) */
static void put_times(struct ns_buf *b, const struct ns_call *c)
{
	if (c->t_req >= 0 && c->t_end >= 0)
		ns_buf_ms(b, c->t_end - c->t_req);
	else
		ns_buf_puts(b, " - ms");
	if (c->t_req >= 0 && c->t_first_resp >= 0) {
		ns_buf_puts(b, " ttfb");
		ns_buf_ms(b, c->t_first_resp - c->t_req);
	}
}

/* " [first X ms] req N msg B resp N msg B [gaps mean X ms max Y ms]" */
static void put_msgs(struct ns_buf *b, const struct ns_call *c)
{
	if (c->t_req >= 0 && c->t_first_msg >= 0) {
		ns_buf_puts(b, " first");
		ns_buf_ms(b, c->t_first_msg - c->t_req);
	}
	ns_buf_printf(b, " req %u msg %llu B resp %u msg %llu B", c->msgs[0],
		      (unsigned long long)c->msg_bytes[0], c->msgs[1],
		      (unsigned long long)c->msg_bytes[1]);
	if (c->msgs[1] > 1) {
		ns_buf_puts(b, " gaps mean");
		ns_buf_ms(b, c->gap_sum / (c->msgs[1] - 1));
		ns_buf_puts(b, " max");
		ns_buf_ms(b, c->gap_max);
	}
}

/* " events N [first X ms] [gaps mean X ms max Y ms] [[DONE]]
 * [[N cut at 64 KiB]]" */
static void put_events(struct ns_buf *b, const struct ns_call *c)
{
	ns_buf_printf(b, " events %u", c->sse.events);
	if (c->t_req >= 0 && c->sse.t_first_event >= 0) {
		ns_buf_puts(b, " first");
		ns_buf_ms(b, c->sse.t_first_event - c->t_req);
	}
	if (c->sse.events > 1) {
		ns_buf_puts(b, " gaps mean");
		ns_buf_ms(b, c->sse.gap_sum / (c->sse.events - 1));
		ns_buf_puts(b, " max");
		ns_buf_ms(b, c->sse.gap_max);
	}
	if (c->sse.done)
		ns_buf_puts(b, " [DONE]");
	if (c->sse.truncated)
		ns_buf_printf(b, " [%u cut at 64 KiB]", c->sse.truncated);
}

static void put_message(struct ns_buf *b, const struct ns_call *c)
{
	if (!c->grpc_msg[0])
		return;
	ns_buf_puts(b, " \"");
	ns_buf_escaped(b, (const uint8_t *)c->grpc_msg, strlen(c->grpc_msg));
	ns_buf_putc(b, '"');
}

static void put_path(struct ns_buf *b, const struct ns_call *c)
{
	ns_buf_puts(b, c->method[0] ? c->method : "-");
	ns_buf_putc(b, ' ');
	if (c->path[0])
		ns_buf_escaped(b, (const uint8_t *)c->path, strlen(c->path));
	else
		ns_buf_putc(b, '-');
}

static void put_status(struct ns_buf *b, int status)
{
	if (status >= 0)
		ns_buf_printf(b, " %d", status);
	else
		ns_buf_puts(b, " -");
}

/* How an HTTP/2 or HTTP/3 stream ended, as the report names it (HTTP/3:
 * the QUIC stream's FIN, RESET_STREAM). */
static const char *how_name(const struct ns_call *c)
{
	int h3 = c->version == 3;
	switch (c->end) {
	case NS_CALL_ENDED:
		return h3 ? "FIN" : "END_STREAM";
	case NS_CALL_RESET:
		return h3 ? "RESET_STREAM" : "RST_STREAM";
	case NS_CALL_GOAWAY:
		return "GOAWAY";
	}
	/* the response ended; its request was before the capture */
	return c->closed[1] ? h3 ? "FIN" : "END_STREAM" : "open";
}

static void h2_line(struct calls *k, struct ns_buf *b, const struct ns_call *c)
{
	/* over HTTP/3, a gRPC call or SSE stream says so */
	int h3 = c->version == 3;
	ns_buf_puts(b, c->grpc	   ? c->web ? "gRPC-Web "
				     : h3   ? "gRPC/h3 "
					    : "gRPC "
		       : c->sse.on ? h3 ? "SSE/h3 " : "SSE "
		       : h3	   ? "HTTP/3 "
				   : "HTTP/2 ");
	put_path(b, c);
	if (c->grpc) /* on the wire, or what a reset means to the client */
		put_name(b, k->f_grpc_status, (uint64_t)ns_grpc_call_status(c),
			 c->grpc_status >= 0 ? "?" : "-");
	put_status(b, c->status);
	char lost[128];
	if (ns_grpc_lost_text(c, lost, sizeof(lost)))
		ns_buf_printf(b, " [%s]", lost);
	put_times(b, c);
	if (c->grpc)
		put_msgs(b, c);
	else
		ns_buf_printf(b, " req %llu B resp %llu B",
			      (unsigned long long)c->body_bytes[0],
			      (unsigned long long)c->body_bytes[1]);
	if (c->sse.on)
		put_events(b, c);
	ns_buf_printf(b, " %s", how_name(c));
	if (c->end == NS_CALL_RESET) {
		const struct ns_field *ef = h3 ? k->f_h3_error : k->f_h2_error;
		const char *en =
		    ef ? ns_valstr_find(ef->vals, c->rst_error) : NULL;
		if (en)
			ns_buf_printf(b, " %s", en);
		else
			ns_buf_printf(b, " 0x%x", c->rst_error);
	}
	if (c->grpc)
		put_message(b, c);
}

static void web1_line(struct calls *k, struct ns_buf *b,
		      const struct ns_call *c)
{
	ns_buf_puts(b, "gRPC-Web ");
	put_path(b, c);
	put_name(b, k->f_grpc_status, (uint64_t)c->grpc_status, "-");
	put_status(b, c->status);
	put_times(b, c);
	put_msgs(b, c);
	ns_buf_puts(b, c->t_end >= 0 ? " end" : " open");
	put_message(b, c);
}

/* An SSE stream over HTTP/1.1. */
static void sse1_line(struct ns_buf *b, const struct ns_call *c)
{
	ns_buf_puts(b, "SSE ");
	put_path(b, c);
	put_status(b, c->status);
	put_times(b, c);
	ns_buf_printf(b, " resp %llu B", (unsigned long long)c->body_bytes[1]);
	put_events(b, c);
	ns_buf_puts(b, c->t_end >= 0 ? " end" : " open");
}

static void on_end(void *ctx, const struct ns_event *ev)
{
	struct calls *k = ctx;
	const struct ns_call *c = ev->u.call;
	const struct ns_flow *f = ev->flow;
	if (c->version == 1 && !c->grpc && !c->sse.on)
		return; /* other HTTP/1.1 exchanges are not calls here */
	struct ns_buf *b = &k->line;
	ns_buf_reset(b);
	ns_buf_printf(b, "%010u %010u %-6u ", c->conn_index, c->id,
		      c->conn_index);
	ns_flow_endpoint(b, f, c->client);
	ns_buf_puts(b, " \xe2\x86\x92 ");
	ns_flow_endpoint(b, f, !c->client);
	if (c->version >= 2) {
		ns_buf_printf(b, " s=%-4u ", c->id);
		h2_line(k, b, c);
	} else if (c->grpc) {
		ns_buf_puts(b, " s=-    ");
		web1_line(k, b, c);
	} else {
		ns_buf_puts(b, " s=-    ");
		sse1_line(b, c);
	}
	ns_buf_putc(b, '\n');
	fwrite(b->p, 1, b->len, k->tmp);
	k->n++;
}

static void *calls_start(struct ns_engine *e, const char *arg, char *err,
			 size_t errlen)
{
	(void)arg;
	struct calls *k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->tmp = ns_tmp_anon(err, errlen);
	if (!k->tmp) {
		int saved = errno;
		free(k);
		errno = saved; /* report.h: a failure of the system's */
		return NULL;
	}
	k->f_grpc_status = ns_field_by_name("grpc.status");
	k->f_h2_error = ns_field_by_name("http2.rst_stream.error");
	k->f_h3_error = ns_field_by_name("http3.error_code");
	ns_bus_subscribe(&e->bus, NS_EV_BIT(NS_EV_HTTP_END), on_end, k);
	return k;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void calls_finish(void *state, FILE *out, int json)
{
	(void)json;
	struct calls *k = state;
	char **lines = calloc(k->n ? k->n : 1, sizeof(*lines));
	size_t n = 0;
	rewind(k->tmp);
	char *line = NULL;
	size_t cap = 0;
	while (lines && n < k->n && getline(&line, &cap, k->tmp) > 0) {
		lines[n++] = line;
		line = NULL;
		cap = 0;
	}
	free(line);
	if (lines)
		qsort(lines, n, sizeof(*lines), cmp);
	fputs("HTTP/2, HTTP/3, gRPC and SSE calls\n"
	      "tcp.stream|udp.stream client → server s=stream kind method path "
	      "[grpc-status] http-status latency ttfb [first message] "
	      "messages/bytes each way [gaps between response messages] "
	      "[SSE: events, first event, gaps between events, [DONE]] "
	      "end [grpc-message]\n",
	      out);
	for (size_t i = 0; i < n; i++) {
		fputs(lines[i] + 22, out);
		free(lines[i]);
	}
	fprintf(out, "%zu calls\n", n);
	free(lines);
	calls_free(k);
}

static void calls_free(void *state)
{
	struct calls *k = state;
	fclose(k->tmp);
	ns_buf_free(&k->line);
	free(k);
}

const struct ns_report ns_report_calls = {
    .name = "calls",
    .usage = "calls",
    .start = calls_start,
    .finish = calls_finish,
    .free = calls_free,
};
