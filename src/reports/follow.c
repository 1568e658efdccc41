/*
 * follow — `-z follow,tcp,raw|ascii|hex,N`: the reassembled bytes of TCP
 * stream N, in tshark's layout (a header naming the two nodes, one chunk
 * per run of new contiguous bytes, the server's chunks indented by a tab).
 * It subscribes to the stream bytes of that one connection
 * (NS_EV_STREAM_DATA / _GAP), so reassembly keeps no other connection for
 * it.  `-z follow,tls,…,N` is the same for the application data
 * decrypted from that connection's TLS records (NS_EV_TLS_DATA, one chunk
 * per record; with --tls-keylog), in the same layout.  Chunks are written to a
 * temporary file as they come and copied out at the end, so following a long
 * stream costs disk, not memory.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/engine.h"
#include "core/tmp.h"
#include "reports/report.h"

enum ns_follow_mode { NS_FOLLOW_RAW, NS_FOLLOW_ASCII, NS_FOLLOW_HEX };

struct ns_follow {
	int mode;
	int tls; /* follow,tls: decrypted application data */
	uint32_t index;
	int seen; /* the stream was met */
	struct ns_buf node[2];
	FILE *tmp; /* the chunks so far */
	struct ns_buf line;
};

static void follow_free(void *state);

static struct ns_follow *follow_new(const char *arg, char *err, size_t errlen)
{
	char proto[8], mode[8];
	unsigned long idx;
	char tail;
	if (sscanf(arg, "%7[a-z],%7[a-z],%lu%c", proto, mode, &idx, &tail) !=
		3 ||
	    (strcmp(proto, "tcp") != 0 && strcmp(proto, "tls") != 0) ||
	    idx > UINT32_MAX) {
		snprintf(err, errlen,
			 "-z: 'follow,%s' is not follow,tcp|tls,raw|ascii|hex,"
			 "STREAM",
			 arg);
		errno = 0; /* report.h: the argument (sscanf may set ERANGE) */
		return NULL;
	}
	int m;
	if (strcmp(mode, "raw") == 0)
		m = NS_FOLLOW_RAW;
	else if (strcmp(mode, "ascii") == 0)
		m = NS_FOLLOW_ASCII;
	else if (strcmp(mode, "hex") == 0)
		m = NS_FOLLOW_HEX;
	else {
		snprintf(err, errlen,
			 "-z follow: unknown mode '%s' (raw, "
			 "ascii, hex)",
			 mode);
		return NULL;
	}
	struct ns_follow *fo = calloc(1, sizeof(*fo));
	if (!fo) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fo->mode = m;
	fo->tls = strcmp(proto, "tls") == 0;
	fo->index = (uint32_t)idx;
	fo->tmp = ns_tmp_anon(err, errlen);
	if (!fo->tmp) {
		int saved = errno;
		free(fo);
		errno = saved; /* report.h: a failure of the system's */
		return NULL;
	}
	return fo;
}

static int wants(void *ctx, const struct ns_flow *f)
{
	const struct ns_follow *fo = ctx;
	return f->key.proto == 6 && f->index == fo->index;
}

static void meet(struct ns_follow *fo, const struct ns_flow *f)
{
	if (fo->seen)
		return;
	fo->seen = 1;
	/* nodes as tshark numbers them: 0 sent the first packet seen */
	ns_flow_endpoint(&fo->node[0], f, f->first);
	ns_flow_endpoint(&fo->node[1], f, !f->first);
}

static void data(struct ns_follow *fo, const struct ns_flow *f, int dir,
		 const uint8_t *p, uint32_t n)
{
	if (n == 0)
		return;
	meet(fo, f);
	/* the flow's direction (0 from the client) to tshark's node */
	dir = (dir == 0 ? f->client : !f->client) != f->first;
	struct ns_buf *b = &fo->line;
	ns_buf_reset(b);
	switch (fo->mode) {
	case NS_FOLLOW_RAW:
		if (dir)
			ns_buf_putc(b, '\t');
		ns_buf_hexbytes(b, p, n, 0);
		ns_buf_putc(b, '\n');
		break;
	case NS_FOLLOW_ASCII:
		if (dir)
			ns_buf_putc(b, '\t');
		ns_buf_u64(b, n);
		ns_buf_putc(b, '\n');
		for (uint32_t i = 0; i < n; i++) {
			uint8_t c = p[i];
			ns_buf_putc(b, c == '\n' || (c >= 0x20 && c < 0x7f)
					   ? (char)c
					   : '.');
		}
		ns_buf_putc(b, '\n');
		break;
	default:
		for (uint32_t off = 0; off < n; off += 16) {
			if (dir)
				ns_buf_putc(b, '\t');
			uint32_t k = n - off < 16 ? n - off : 16;
			ns_format_hexline(b, p + off, k, off);
		}
		break;
	}
	fwrite(b->p, 1, b->len, fo->tmp);
}

static void gap(struct ns_follow *fo, const struct ns_flow *f, int dir,
		uint32_t n)
{
	if (n == 0 || fo->mode == NS_FOLLOW_RAW)
		return;
	meet(fo, f);
	dir = (dir == 0 ? f->client : !f->client) != f->first;
	fprintf(fo->tmp, "%s[%u bytes missing in capture file]\n",
		dir ? "\t" : "", n);
}

static void on_event(void *ctx, const struct ns_event *ev)
{
	if (ev->type == NS_EV_TLS_DATA) {
		if (wants(ctx, ev->flow))
			data(ctx, ev->flow, ev->dir, ev->u.data.p,
			     (uint32_t)ev->u.data.n);
	} else if (ev->type == NS_EV_STREAM_DATA)
		data(ctx, ev->flow, ev->dir, ev->u.data.p,
		     (uint32_t)ev->u.data.n);
	else
		gap(ctx, ev->flow, ev->dir, ev->u.gap);
}

static void *follow_start(struct ns_engine *e, const char *arg, char *err,
			  size_t errlen)
{
	struct ns_follow *fo = follow_new(arg, err, errlen);
	if (fo && fo->tls)
		ns_bus_subscribe(&e->bus, NS_EV_BIT(NS_EV_TLS_DATA), on_event,
				 fo);
	else if (fo)
		ns_bus_subscribe_stream(&e->bus, on_event, fo, wants);
	return fo;
}

static void follow_finish(void *state, FILE *out, int json)
{
	(void)json;
	struct ns_follow *fo = state;
	static const char *const names[] = {"raw", "ascii", "hex"};
	fputs("\n=============================================================="
	      "=====\n",
	      out);
	fprintf(out, "Follow: %s,%s\n", fo->tls ? "tls" : "tcp",
		names[fo->mode]);
	fprintf(out, "Filter: tcp.stream eq %u\n", fo->index);
	fprintf(out, "Node 0: %.*s\n", (int)fo->node[0].len,
		fo->node[0].p ? fo->node[0].p : "");
	fprintf(out, "Node 1: %.*s\n", (int)fo->node[1].len,
		fo->node[1].p ? fo->node[1].p : "");
	rewind(fo->tmp);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), fo->tmp)) > 0)
		fwrite(buf, 1, n, out);
	fputs("================================================================"
	      "===\n",
	      out);
	follow_free(fo);
}

static void follow_free(void *state)
{
	struct ns_follow *fo = state;
	fclose(fo->tmp);
	ns_buf_free(&fo->node[0]);
	ns_buf_free(&fo->node[1]);
	ns_buf_free(&fo->line);
	free(fo);
}

const struct ns_report ns_report_follow = {
    .name = "follow",
    .usage = "follow,tcp|tls,raw|ascii|hex,N",
    .start = follow_start,
    .finish = follow_finish,
    .free = follow_free,
};
