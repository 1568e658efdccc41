/*
 * conv — see conv.h.
 */
#include "reports/conv.h"

#include <stdlib.h>

#include "core/buf.h"
#include "core/dissect.h"
#include "flow/stream.h"
#include "flow/tcpconn.h"

struct ns_conv {
	FILE *tmp[2]; /* [0] TCP, [1] UDP */
	uint64_t n[2];
	struct ns_buf line;
};

struct ns_conv *ns_conv_new(void)
{
	struct ns_conv *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->tmp[0] = tmpfile();
	c->tmp[1] = tmpfile();
	if (!c->tmp[0] || !c->tmp[1]) {
		if (c->tmp[0])
			fclose(c->tmp[0]);
		if (c->tmp[1])
			fclose(c->tmp[1]);
		free(c);
		return NULL;
	}
	return c;
}

static void endpoint(struct ns_buf *b, const struct ns_flow *f, int side,
		     size_t width)
{
	size_t start = b->len;
	ns_flow_endpoint(b, f, side);
	while (b->len - start < width)
		ns_buf_putc(b, ' ');
	ns_buf_putc(b, ' ');
}

static void num(struct ns_buf *b, uint64_t v, size_t width)
{
	size_t start = b->len;
	ns_buf_u64(b, v);
	ns_buf_pad_left(b, start, width);
	ns_buf_putc(b, ' ');
}

static void ms(struct ns_buf *b, int64_t ns, size_t width)
{
	size_t start = b->len;
	if (ns < 0) {
		ns_buf_putc(b, '-');
	} else {
		long long us = (long long)((ns + 500) / 1000);
		ns_buf_printf(b, "%lld.%03lld", us / 1000, us % 1000);
	}
	ns_buf_pad_left(b, start, width);
	ns_buf_putc(b, ' ');
}

void ns_conv_flow_end(void *ctx, const struct ns_flow *f)
{
	struct ns_conv *c = ctx;
	int udp = f->key.proto == 17;
	struct ns_buf *b = &c->line;
	ns_buf_reset(b);
	num(b, f->index, 6);
	endpoint(b, f, f->client, 21);
	endpoint(b, f, !f->client, 21);
	if (!udp) {
		const struct ns_tcp_conn *t = f->tcp;
		size_t start = b->len;
		ns_buf_puts(b, t ? ns_tcp_conn_state(t) : "-");
		while (b->len - start < 6)
			ns_buf_putc(b, ' ');
		ns_buf_putc(b, ' ');
		start = b->len;
		ns_buf_puts(b, t && t->hist_len ? t->history : "-");
		while (b->len - start < 12)
			ns_buf_putc(b, ' ');
		ns_buf_putc(b, ' ');
		ms(b, t ? t->initial_rtt : -1, 9);
	}
	ns_buf_secs(b, f->last_ts - f->first_ts, 6);
	ns_buf_putc(b, ' ');
	num(b, f->pkts[0], 7);
	num(b, f->bytes[0], 10);
	num(b, f->pkts[1], 7);
	num(b, f->bytes[1], 10);
	if (!udp && f->tcp) {
		ns_buf_u64(b, f->tcp->d[0].retrans);
		ns_buf_putc(b, '/');
		ns_buf_u64(b, f->tcp->d[1].retrans);
	}
	while (b->len && b->p[b->len - 1] == ' ')
		b->len--;
	ns_buf_putc(b, '\n');
	/* what the application dissector knows of the connection (e.g. the
	 * TLS handshake), indented on a line of its own */
	const struct ns_stream *st = f->stream;
	if (st && st->app && st->state && st->app->stream->summary) {
		size_t at = b->len;
		ns_buf_puts(b, "       ");
		size_t mark = b->len;
		st->app->stream->summary(st->state, b);
		if (b->len == mark)
			b->len = at;
		else
			ns_buf_putc(b, '\n');
	}
	fwrite(b->p, 1, b->len, c->tmp[udp]);
	c->n[udp]++;
}

static void copy(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;
	rewind(from);
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, to);
}

void ns_conv_finish(struct ns_conv *c, FILE *out)
{
	fprintf(out, "TCP conversations: %llu\n", (unsigned long long)c->n[0]);
	fprintf(out,
		"%6s %-21s %-21s %-6s %-12s %9s %-8s %7s %10s %7s %10s "
		"%s\n",
		"stream", "client", "server", "state", "history", "irtt ms",
		"duration", "c>s pkt", "c>s bytes", "s>c pkt", "s>c bytes",
		"retrans c/s");
	copy(c->tmp[0], out);
	fprintf(out, "UDP conversations: %llu\n", (unsigned long long)c->n[1]);
	fprintf(out, "%6s %-21s %-21s %-8s %7s %10s %7s %10s\n", "stream",
		"client", "server", "duration", "c>s pkt", "c>s bytes",
		"s>c pkt", "s>c bytes");
	copy(c->tmp[1], out);
	ns_conv_free(c);
}

void ns_conv_free(struct ns_conv *c)
{
	fclose(c->tmp[0]);
	fclose(c->tmp[1]);
	ns_buf_free(&c->line);
	free(c);
}
