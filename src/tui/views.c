/*
 * views — the Packets view of `netscope tui`: the packet list on top, the
 * field tree of the selected packet under it, and its bytes in a hex pane
 * with the selected field's bytes highlighted.
 *
 * The detail of a packet is never stored: selecting it re-dissects it with
 * the detail replay engine (tuistore.c), which rebuilds its flow's state
 * first.  The tree is a flat array of lines (a layer title or a field, its
 * depth, whether it has children); which lines show is recomputed from the
 * expanded state, kept by field id so that it carries over from packet to
 * packet.  On a terminal too small for three panes only the list is drawn.
 */
#include <stdio.h>
#include <stdlib.h>

#include "output/output.h"
#include "tui/tui_int.h"

/* ---- the detail tree ---------------------------------------------------- */

static void add_line(void *ctx, const struct ns_packet *pkt, unsigned li,
		     int32_t i, unsigned depth)
{
	struct tui *t = ctx;
	if (t->nlines == t->linecap) {
		uint32_t nc = t->linecap ? t->linecap * 2 : 256;
		struct line *nl = realloc(t->lines, nc * sizeof(*nl));
		if (!nl)
			return;
		t->lines = nl;
		t->linecap = nc;
	}
	const struct ns_layer *l = &pkt->layers[li];
	struct line *ln = &t->lines[t->nlines++];
	ln->fvi = i;
	ln->layer = (uint16_t)li;
	ln->depth = (uint8_t)(depth > 255 ? 255 : depth);
	ln->kids = 0;
	if (i >= 0)
		ln->key = pkt->fv[i].f->id;
	else
		ln->key =
		    l->fv_first < l->fv_end ? pkt->fv[l->fv_first].f->id : 0;
	if (t->nlines > 1 && t->lines[t->nlines - 2].depth < ln->depth)
		t->lines[t->nlines - 2].kids = 1;
}

void ns_tui_build_vis(struct tui *t)
{
	free(t->vis);
	t->vis = malloc((t->nlines ? t->nlines : 1) * sizeof(*t->vis));
	t->nvis = 0;
	int hide_below = -1;
	for (uint32_t i = 0; t->vis && i < t->nlines; i++) {
		const struct line *ln = &t->lines[i];
		if (hide_below >= 0 && ln->depth > hide_below)
			continue;
		hide_below = -1;
		t->vis[t->nvis++] = i;
		if (ln->kids && !t->expanded[ln->key])
			hide_below = ln->depth;
	}
	if (t->tsel >= t->nvis)
		t->tsel = t->nvis ? t->nvis - 1 : 0;
}

static void load_detail(struct tui *t)
{
	size_t n = ns_tui_nrows(t);
	uint64_t frame =
	    n ? ns_tui_row_frame(t, t->sel < n ? t->sel : n - 1) : 0;
	if (frame == t->detail_frame)
		return;
	t->detail_frame = frame;
	t->nlines = 0;
	t->tsel = t->ttop = 0;
	t->detail_ok =
	    frame && ns_tuistore_redissect(&t->st, &t->detail, frame) == 0;
	if (t->detail_ok)
		ns_tree_walk(&t->detail.pkt, add_line, t);
	ns_tui_build_vis(t);
}

/* ---- the panes ---------------------------------------------------------- */

static void draw_list(struct tui *t, int y0, int h)
{
	size_t n = ns_tui_nrows(t);
	if (t->follow && n)
		t->sel = n - 1;
	if (t->sel >= n)
		t->sel = n ? n - 1 : 0;
	ns_tui_scroll_to(t->sel, &t->top, h);
	char s[1024];
	for (int i = 0; i < h && t->top + (size_t)i < n; i++) {
		size_t r = t->top + (size_t)i;
		uint64_t f = ns_tui_row_frame(t, r);
		const struct ns_tui_ent *e = ns_tuistore_get(&t->st, f);
		ns_tuistore_summary(&t->st, f, s, sizeof(s));
		attr_t a = r == t->sel ? ns_tui_color(t, C_SEL) |
					     (t->focus ? 0 : A_BOLD)
				       : ns_tui_color(t, e ? e->color : C_NONE);
		attron(a);
		if (r == t->sel)
			mvhline(y0 + i, 0, ' ', COLS);
		ns_tui_put(y0 + i, 0, s, COLS);
		attroff(a);
	}
}

static void draw_tree(struct tui *t, int y0, int h)
{
	ns_tui_scroll_to(t->tsel, &t->ttop, h);
	struct ns_buf b = {0};
	const struct ns_packet *pkt = &t->detail.pkt;
	for (int i = 0; i < h && t->ttop + (size_t)i < t->nvis; i++) {
		size_t vi = t->ttop + (size_t)i;
		const struct line *ln = &t->lines[t->vis[vi]];
		ns_buf_reset(&b);
		for (unsigned d = 0; d < ln->depth; d++)
			ns_buf_puts(&b, "  ");
		ns_buf_puts(&b, !ln->kids	       ? "  "
				: t->expanded[ln->key] ? "- "
						       : "+ ");
		if (ln->fvi < 0) {
			ns_format_layer_title(&b, pkt, ln->layer);
		} else {
			ns_format_tree_text(&b, pkt, (uint32_t)ln->fvi);
			ns_buf_puts(&b, " [");
			ns_buf_puts(&b, pkt->fv[ln->fvi].f->name);
			ns_buf_putc(&b, ']');
		}
		ns_buf_putc(&b, '\0');
		attr_t a =
		    vi == t->tsel && t->focus ? ns_tui_color(t, C_SEL) : 0;
		if (a) {
			attron(a);
			mvhline(y0 + i, 0, ' ', COLS);
		}
		ns_tui_put(y0 + i, 0, b.p, COLS);
		if (a)
			attroff(a);
	}
	ns_buf_free(&b);
}

/* over the list's columns (ns_format_summary_aligned: 7 and 15 wide) */
static const char list_header[] =
    "    No.            Time Source → Destination  "
    "Proto Length  Info";

static void draw_hex(struct tui *t, int y0, int h)
{
	const struct ns_packet *pkt = &t->detail.pkt;
	const uint8_t *p = pkt->data;
	uint32_t n = pkt->caplen, hoff = 0, hlen = 0;
	const char *what = "";
	if (t->nvis) {
		const struct line *ln = &t->lines[t->vis[t->tsel]];
		const struct ns_layer *l = &pkt->layers[ln->layer];
		if (l->src) { /* a reassembled message: its own bytes */
			p = l->src;
			n = l->srclen;
			what = " (reassembled message)";
		}
		if (t->focus) {
			hoff = ln->fvi < 0 ? l->off : pkt->fv[ln->fvi].off;
			hlen = ln->fvi < 0 ? l->len : pkt->fv[ln->fvi].len;
		}
	}
	char title[128];
	snprintf(title, sizeof(title), " Bytes: %u%s", n, what);
	ns_tui_bar(t, y0 - 1, title);
	uint32_t first = hlen ? hoff / 16 : 0;
	uint32_t rows = (n + 15) / 16;
	if (first + (uint32_t)h > rows)
		first = rows > (uint32_t)h ? rows - (uint32_t)h : 0;
	struct ns_buf b = {0};
	for (int i = 0; i < h && first + (uint32_t)i < rows; i++) {
		uint32_t off = (first + (uint32_t)i) * 16;
		uint32_t k = n - off < 16 ? n - off : 16;
		ns_buf_reset(&b);
		ns_format_hexline(&b, p + off, k, off);
		b.p[b.len - 1] = '\0';
		ns_tui_put(y0 + i, 0, b.p, COLS);
		/* cppcheck-suppress knownConditionTrueFalse ; cppcheck 2.10
		 * takes the min() of k for 0 */
		for (uint32_t j = 0; j < k && hlen; j++) {
			uint32_t at = off + j;
			if (at < hoff || at >= hoff + hlen)
				continue;
			int x = 6 + 3 * (int)j;
			if (x + 2 <= COLS)
				mvchgat(y0 + i, x, 2,
					ns_tui_color(t, C_HL) | A_BOLD, C_HL,
					NULL);
			if (56 + (int)j < COLS)
				mvchgat(y0 + i, 56 + (int)j, 1,
					ns_tui_color(t, C_HL) | A_BOLD, C_HL,
					NULL);
		}
	}
	ns_buf_free(&b);
}

void ns_tui_draw_packets(struct tui *t)
{
	int avail = LINES - 3; /* tabs, status, bottom line */
	int list_h = avail * 2 / 5;
	int rest = avail - list_h - 1;
	int tree_h = rest * 3 / 5;
	int hex_h = rest - tree_h - 2;
	if (list_h < 1 || tree_h < 1 || hex_h < 1) { /* tiny terminal */
		ns_tui_bar(t, 1, list_header);
		draw_list(t, 2, avail - 1);
		return;
	}
	ns_tui_bar(t, 1, list_header);
	draw_list(t, 2, list_h);
	load_detail(t);
	char title[128];
	snprintf(title, sizeof(title),
		 t->detail_frame ? " Frame %llu%s" : " (no packet)",
		 (unsigned long long)t->detail_frame,
		 t->focus ? "  (Enter/→ expand, ← collapse, Esc list)"
			  : "  (Enter: fields)");
	ns_tui_bar(t, 2 + list_h, title);
	draw_tree(t, 3 + list_h, tree_h);
	if (t->detail_ok)
		draw_hex(t, 4 + list_h + tree_h, hex_h);
	else
		ns_tui_bar(t, 3 + list_h + tree_h, " Bytes");
}
