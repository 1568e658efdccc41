/*
 * call — the call detail of `netscope tui`: Enter on a row of the Calls
 * view opens the headers, trailers and messages of that HTTP/2 stream or
 * gRPC call (HTTP/3 streams too), or the events of an SSE stream, as a
 * scrollable text.
 *
 * The text is built once, when the call is opened: the packets of the call
 * (from its first to its last frame, on its connection) are re-dissected
 * with the detail replay engine, which is then no longer the selected
 * packet's (detail_frame is reset so the Packets view reloads it).  From
 * each packet the subtrees of the call's stream are kept: an HTTP/2 frame
 * (an http2.stream subtree whose http2.streamid is the call's), an http3
 * layer (whose first field, http3.stream_id, is the call's) or a gRPC
 * stream (a grpc.stream_id subtree).  A header is one "name: value" line;
 * flags that are not set and the header block's own fields are left out.
 */
#include <stdio.h>
#include <string.h>

#include "core/dissect.h"
#include "core/field.h"
#include "output/output.h"
#include "tui/tui_int.h"

/* The fields the call detail picks out, looked up by name once a packet. */
struct call_fields {
	const struct ns_field *h2s, *sidf, *typef, *hn, *gsid;
};

/* ---- building the text -------------------------------------------------- */

/* A header's line, "name: value", from the name's field and the value's
 * after it. */
static void header_line(struct ns_buf *b, const struct ns_fv *name)
{
	ns_buf_puts(b, "    ");
	ns_buf_escaped(b, name[0].v.b.p, name[0].v.b.n);
	ns_buf_puts(b, ": ");
	ns_buf_escaped(b, name[1].v.b.p, name[1].v.b.n);
	ns_buf_putc(b, '\n');
}

/* The lines of the fields of the subtree [i, end), a header as name: value. */
static void subtree_lines(struct ns_buf *b, const struct ns_packet *pkt,
			  const struct call_fields *cf, int h2, uint32_t i,
			  uint32_t end)
{
	const struct ns_fv *fv = pkt->fv;
	for (uint32_t j = i + 1; j < end; j++) {
		if (fv[j].hidden || fv[j].f == cf->typef || fv[j].f == cf->sidf)
			continue;
		if (fv[j].f == cf->hn && j + 1 < end) {
			header_line(b, &fv[j]);
			j++;
			continue;
		}
		if (h2 && strncmp(fv[j].f->name, "http2.header", 12) == 0)
			continue;
		if (h2 && strncmp(fv[j].f->name, "http2.flags", 11) == 0 &&
		    !fv[j].v.u)
			continue;
		for (unsigned d = fv[i].depth; d < fv[j].depth; d++)
			ns_buf_puts(b, "  ");
		ns_buf_puts(b, "  ");
		ns_format_tree_text(b, pkt, j);
		ns_buf_putc(b, '\n');
	}
}

/* The subtree [i, end) (an HTTP/2 frame, or a gRPC stream): a title line
 * and its fields, when it belongs to the call's stream. */
static void call_subtree(struct ns_buf *b, const struct ns_tui_call *c,
			 const struct ns_packet *pkt,
			 const struct call_fields *cf, int h2, uint32_t i,
			 uint32_t end)
{
	const struct ns_fv *fv = pkt->fv;
	int64_t sid = h2 ? -1 : (int64_t)fv[i].v.u;
	const struct ns_fv *type = NULL;
	for (uint32_t j = i; j < end && h2; j++) {
		if (fv[j].f == cf->sidf)
			sid = (int64_t)fv[j].v.u;
		if (fv[j].f == cf->typef && !type)
			type = &fv[j];
	}
	if (sid != (int64_t)c->sid)
		return;
	ns_buf_printf(b, "frame %llu %s ", (unsigned long long)pkt->num,
		      h2 ? "HTTP/2" : "gRPC");
	if (type)
		ns_format_display(b, type);
	ns_buf_putc(b, '\n');
	subtree_lines(b, pkt, cf, h2, i, end);
}

/* The events of an SSE stream in the packet's sse layers: "event TYPE"
 * and its id and data, for the events of the call's stream. */
static void sse_packet(const struct ns_tui_call *c, const struct ns_packet *pkt,
		       const struct ns_layer *l, struct ns_buf *b)
{
	const struct ns_field *ev = ns_field_by_name("sse.event");
	const struct ns_field *st = ns_field_by_name("sse.stream");
	const struct ns_fv *fv = pkt->fv;
	for (uint32_t i = l->fv_first + 1; i < l->fv_end; i++) {
		if (fv[i].f != ev)
			continue;
		uint32_t end = i + 1;
		while (end < l->fv_end && fv[end].depth > fv[i].depth)
			end++;
		int mine = 0;
		for (uint32_t j = i + 1; j < end; j++)
			mine |= fv[j].f == st && fv[j].v.u == c->sid;
		if (mine) {
			ns_buf_printf(b, "frame %llu SSE ",
				      (unsigned long long)pkt->num);
			ns_format_display(b, &fv[i]);
			ns_buf_putc(b, '\n');
			for (uint32_t j = i + 1; j < end; j++) {
				if (fv[j].f == st || fv[j].hidden)
					continue;
				ns_buf_puts(b, "    ");
				ns_format_tree_text(b, pkt, j);
				ns_buf_putc(b, '\n');
			}
		}
		i = end - 1;
	}
}

/* An http3 layer of the call's stream (its first field names the QUIC
 * stream): its frames' fields, a header as name: value. */
static void h3_packet(const struct ns_tui_call *c, const struct ns_packet *pkt,
		      const struct ns_layer *l, struct ns_buf *b)
{
	const struct ns_field *sid = ns_field_by_name("http3.stream_id");
	const struct ns_field *hn =
	    ns_field_by_name("http3.header.header.name");
	const struct ns_fv *fv = pkt->fv;
	uint32_t i = l->fv_first + 1;
	if (i >= l->fv_end || fv[i].f != sid || fv[i].v.u != c->sid)
		return;
	ns_buf_printf(b, "frame %llu HTTP/3\n", (unsigned long long)pkt->num);
	for (uint32_t j = i + 1; j < l->fv_end; j++) {
		if (fv[j].hidden)
			continue;
		if (fv[j].f == hn && j + 1 < l->fv_end) {
			header_line(b, &fv[j]);
			j++;
			continue;
		}
		/* the header's subtree and its named copies */
		if (strncmp(fv[j].f->name, "http3.header", 12) == 0)
			continue;
		ns_buf_puts(b, "  ");
		ns_format_tree_text(b, pkt, j);
		ns_buf_putc(b, '\n');
	}
}

static void call_packet(const struct ns_tui_call *c,
			const struct ns_packet *pkt, struct ns_buf *b)
{
	struct call_fields cf = {
	    .h2s = ns_field_by_name("http2.stream"),
	    .sidf = ns_field_by_name("http2.streamid"),
	    .typef = ns_field_by_name("http2.type"),
	    .hn = ns_field_by_name("http2.header.name"),
	    .gsid = ns_field_by_name("grpc.stream_id"),
	};
	for (unsigned li = 1; li < pkt->nlayers; li++) {
		const struct ns_layer *l = &pkt->layers[li];
		if (c->sse && !strcmp(l->d->name, "sse")) {
			sse_packet(c, pkt, l, b);
			continue;
		}
		if (c->h3 && !strcmp(l->d->name, "http3")) {
			h3_packet(c, pkt, l, b);
			continue;
		}
		int h2 = !strcmp(l->d->name, "http2");
		if (!h2 && strcmp(l->d->name, "grpc") != 0)
			continue;
		const struct ns_fv *fv = pkt->fv;
		for (uint32_t i = l->fv_first + 1; i < l->fv_end; i++) {
			/* a subtree: an HTTP/2 frame, or a gRPC stream */
			if (fv[i].f != (h2 ? cf.h2s : cf.gsid))
				continue;
			uint32_t end = i + 1;
			while (end < l->fv_end && fv[end].depth > fv[i].depth)
				end++;
			call_subtree(b, c, pkt, &cf, h2, i, end);
			i = end - 1;
		}
	}
}

void ns_tui_open_call(struct tui *t, const struct ns_tui_call *c)
{
	struct ns_buf *b = &t->call_text;
	ns_buf_reset(b);
	char w[48];
	ns_tuimodel_call_end(&t->model, c, w, sizeof(w));
	ns_buf_printf(
	    b, "%s %s %s  (tcp.stream %u, %s %u, %s)\n",
	    c->grpc  ? "gRPC"
	    : c->sse ? (c->h1 ? "SSE over HTTP/1.1" : "SSE over HTTP/2")
		     : "HTTP/2",
	    c->method[0] ? c->method : "-", c->path[0] ? c->path : "-",
	    c->conn & 0x7fffffffu, c->h1 ? "exchange" : "stream", c->sid, w);
	if (c->sse)
		ns_buf_printf(b, "  %u events%s\n", c->events,
			      c->sse_done ? ", ended by data: [DONE]" : "");
	struct ns_tuireplay *r = &t->detail;
	t->detail_frame = 0; /* the replay is used here */
	if (!c->first_frame ||
	    ns_tuistore_redissect(&t->st, r, c->first_frame) < 0) {
		ns_buf_puts(b, "  (its packets are no longer held)\n");
	} else {
		call_packet(c, &r->pkt, b);
		for (uint64_t n = c->first_frame + 1; n <= c->last_frame; n++) {
			const struct ns_tui_ent *e = ns_tuistore_get(&t->st, n);
			if (!e || e->flow != c->conn)
				continue;
			if (ns_tuireplay_frame(r, &t->st, n) == 0)
				call_packet(c, &r->pkt, b);
		}
	}
	t->call_open = 1;
	t->call_top = 0;
	t->call_lines = 0;
	for (size_t i = 0; i < b->len; i++)
		t->call_lines += b->p[i] == '\n';
}

/* ---- drawing it --------------------------------------------------------- */

void ns_tui_draw_call_detail(struct tui *t)
{
	int h = LINES - 4;
	ns_tui_bar(t, 1,
		   " Call detail: headers, trailers and messages (Esc back)");
	const char *p = t->call_text.p, *end = p + t->call_text.len;
	size_t ln = 0;
	int y = 2;
	while (p < end && y < 2 + h) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (ln++ >= t->call_top) {
			char s[512];
			snprintf(s, sizeof(s), "%.*s", (int)n, p);
			attr_t a = s[0] != ' ' ? A_BOLD : A_NORMAL;
			attron(a);
			ns_tui_put(y++, 0, s, COLS);
			attroff(a);
		}
		p = nl ? nl + 1 : end;
	}
}
