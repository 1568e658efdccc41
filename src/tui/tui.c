/*
 * tui — see tui.h.
 *
 * The packet list is a vector of frame numbers (the packets the display
 * filter lets through).  Applying a new filter rebuilds it: frames already
 * stored are re-dissected in order by a replay engine of their own, a
 * slice at a time between key presses and ingestion, while packets that
 * arrive meanwhile are filtered as they come into a second vector that is
 * appended when the replay is done.  The capture never stops for it.
 *
 * Everything on screen is built from strings cut to the terminal's width
 * (mvaddnstr), so any size from 80x24 up works, and a resize just draws
 * the next frame at the new size.
 */
#include "tui/tui.h"

#include <errno.h>
#include <locale.h>
#include <ncurses.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "filter/dfilter.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "output/output.h"
#include "capture/run.h"
#include "tui/tuimodel.h"
#include "tui/tuiq.h"
#include "tui/tuistore.h"

enum { V_PACKETS, V_CONNS, V_CALLS, V_DNS, V_COUNT };
static const char *const view_names[V_COUNT] = {"Packets", "Connections",
						"Calls", "DNS"};

/* colour pairs, by protocol of the packet's top layer */
enum ns_tui_color {
	C_NONE,
	C_TCP,
	C_UDP,
	C_DNS,
	C_TLS,
	C_H2,
	C_HTTP,
	C_ICMP,
	C_ARP,
	C_BAD,
	C_BAR,
	C_SEL,
	C_HL,
	C_OK,
	C_ERR,
	C_COUNT
};

struct vec { /* frame numbers, consumed from the front when forgotten */
	uint64_t *v;
	size_t head, n, cap;
};

struct line {	     /* a line of the detail tree */
	int32_t fvi; /* -1: layer title */
	uint16_t layer;
	uint8_t depth, kids;
	uint32_t key; /* field id, the key of its expanded state */
};

struct tui {
	const struct ns_tui_opts *o;
	struct ns_tuiq q;
	struct ns_tuistore st;
	struct ns_engine eng;
	struct ns_packet pkt;
	struct ns_tuimodel model;
	struct ns_buf line;
	char err[640];
	int failed;

	/* packet list */
	struct ns_dfilter *df;
	char filter[512];
	struct vec rows, tail;
	int rescanning;
	struct ns_tuireplay rescan;
	uint64_t rescan_next, rescan_end;
	size_t sel, top;
	int follow;

	/* detail of the selected packet */
	struct ns_tuireplay detail;
	uint64_t detail_frame;
	int detail_ok;
	struct line *lines;
	uint32_t nlines, linecap;
	uint8_t *expanded; /* by field id */
	uint32_t *vis;	   /* visible line indices */
	uint32_t nvis;
	size_t tsel, ttop;
	int focus; /* 0 list, 1 tree */

	/* other views */
	int view;
	size_t vsel[V_COUNT], vtop[V_COUNT];
	int sortkey[V_COUNT];
	uint32_t *order; /* row order of the current view */
	size_t norder, ordercap;

	/* call detail overlay */
	int call_open;
	struct ns_buf call_text;
	size_t call_top, call_lines;

	/* input line: 0 none, 'f' filter, '/' search, 'w' write */
	int input;
	char ibuf[512];
	size_t ilen;
	int ivalid;
	char ierr[300];
	char search[512];
	char msg[1100];
	int help, paused;
	size_t paused_rows;

	/* counters */
	int64_t rate_sec;
	uint64_t rate_cur, rate_prev;
	uint64_t rss;
	int64_t rss_at;
	int colors;
};

static int curses_on;

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* ---- the terminal, restored on every way out ---------------------------- */

static void restore(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

static void on_crash(int sig)
{
	restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void curses_start(struct tui *t)
{
	setlocale(LC_ALL, "");
	initscr();
	curses_on = 1;
	atexit(restore);
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGFPE, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGQUIT, on_crash);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	t->colors = has_colors() && getenv("NO_COLOR") == NULL;
	if (t->colors) {
		start_color();
		use_default_colors();
		init_pair(C_TCP, -1, -1);
		init_pair(C_UDP, COLOR_CYAN, -1);
		init_pair(C_DNS, COLOR_BLUE, -1);
		init_pair(C_TLS, COLOR_MAGENTA, -1);
		init_pair(C_H2, COLOR_GREEN, -1);
		init_pair(C_HTTP, COLOR_YELLOW, -1);
		init_pair(C_ICMP, COLOR_CYAN, -1);
		init_pair(C_ARP, COLOR_YELLOW, -1);
		init_pair(C_BAD, COLOR_RED, -1);
		init_pair(C_BAR, COLOR_BLACK, COLOR_CYAN);
		init_pair(C_SEL, COLOR_BLACK, COLOR_WHITE);
		init_pair(C_HL, COLOR_BLACK, COLOR_YELLOW);
		init_pair(C_OK, COLOR_GREEN, -1);
		init_pair(C_ERR, COLOR_RED, -1);
	}
}

static attr_t color(const struct tui *t, int c)
{
	if (!t->colors) /* monochrome: only what must stand out */
		return c == C_BAD || c == C_ERR		       ? A_BOLD
		       : c == C_BAR || c == C_SEL || c == C_HL ? A_REVERSE
							       : A_NORMAL;
	return COLOR_PAIR(c);
}

/* ---- vectors of frames --------------------------------------------------- */

static int vec_push(struct vec *v, uint64_t x)
{
	if (v->head + v->n == v->cap) {
		if (v->head > v->cap / 2) { /* reuse the forgotten front */
			memmove(v->v, v->v + v->head, v->n * sizeof(*v->v));
			v->head = 0;
		} else {
			size_t nc = v->cap ? v->cap * 2 : 4096;
			uint64_t *nv = realloc(v->v, nc * sizeof(*nv));
			if (!nv)
				return -1;
			v->v = nv;
			v->cap = nc;
		}
	}
	v->v[v->head + v->n++] = x;
	return 0;
}

static void vec_trim(struct vec *v, uint64_t first)
{
	while (v->n && v->v[v->head] < first) {
		v->head++;
		v->n--;
	}
}

static void vec_clear(struct vec *v)
{
	v->head = v->n = 0;
}

static size_t nrows(const struct tui *t)
{
	size_t n = t->rows.n + t->tail.n;
	return t->paused && t->paused_rows < n ? t->paused_rows : n;
}

static uint64_t row_frame(const struct tui *t, size_t i)
{
	if (i < t->rows.n)
		return t->rows.v[t->rows.head + i];
	return t->tail.v[t->tail.head + i - t->rows.n];
}

/* ---- ingestion --------------------------------------------------------------
 */

static int classify(const struct ns_packet *pkt)
{
	if (pkt->status == NS_LAYER_MALFORMED)
		return C_BAD;
	for (int i = (int)pkt->nlayers - 1; i > 0; i--) {
		const struct ns_layer *l = &pkt->layers[i];
		if (l->quoted)
			continue;
		const char *n = l->d->name;
		if (!strcmp(n, "grpc") || !strcmp(n, "http2") ||
		    !strcmp(n, "protobuf"))
			return C_H2;
		if (!strcmp(n, "dns"))
			return C_DNS;
		if (!strcmp(n, "tls"))
			return C_TLS;
		if (!strcmp(n, "http"))
			return C_HTTP;
		if (!strcmp(n, "tcp"))
			return C_TCP;
		if (!strcmp(n, "udp"))
			return C_UDP;
		if (!strncmp(n, "icmp", 4))
			return C_ICMP;
		if (!strcmp(n, "arp"))
			return C_ARP;
	}
	return C_NONE;
}

static void ingest_one(struct tui *t, const struct ns_tuiq_pkt *h,
		       const uint8_t *data)
{
	if (ns_tuistore_add(&t->st, h->ts, h->caplen, h->len, data, t->err,
			    sizeof(t->err)) < 0) {
		t->failed = 1;
		return;
	}
	struct ns_packet *pkt = &t->pkt;
	uint64_t num = t->st.count;
	ns_pkt_begin(pkt, num, h->ts, h->ts - t->st.first_ts, h->caplen, h->len,
		     t->st.linktype, data);
	pkt->ts_digits = t->st.nano ? 9 : 6;
	pkt->eng = &t->eng;
	ns_dissect(pkt);
	ns_buf_reset(&t->line);
	ns_format_summary(&t->line, pkt);
	uint32_t flow = NS_TUI_NOFLOW;
	if (pkt->flow &&
	    (pkt->flow->key.proto == 6 || pkt->flow->key.proto == 17))
		flow = (pkt->flow->key.proto == 17 ? 1u << 31 : 0) |
		       pkt->flow->index;
	ns_tuistore_describe(&t->st, t->line.p, t->line.len, flow,
			     (uint8_t)classify(pkt));
	ns_tuimodel_packet(&t->model, pkt);
	if (!t->df || ns_dfilter_match(t->df, pkt))
		vec_push(t->rescanning ? &t->tail : &t->rows, num);
	int64_t sec = h->ts / 1000000000;
	if (sec != t->rate_sec) {
		t->rate_prev = sec == t->rate_sec + 1 ? t->rate_cur : 0;
		t->rate_cur = 0;
		t->rate_sec = sec;
	}
	t->rate_cur++;
}

/* Takes packets from the ring for at most budget_ns; 1 when any. */
static int ingest(struct tui *t, int64_t budget_ns)
{
	int64_t until = mono_ns() + budget_ns;
	int any = 0;
	struct ns_tuiq_pkt h;
	const uint8_t *data;
	while (!t->failed && (data = ns_tuiq_peek(&t->q, &h)) != NULL) {
		ingest_one(t, &h, data);
		ns_tuiq_release(&t->q);
		any = 1;
		if ((t->st.count & 63) == 0 && mono_ns() >= until)
			break;
	}
	if (any) {
		uint64_t first = ns_tuistore_first(&t->st);
		size_t before = nrows(t);
		vec_trim(&t->rows, first);
		vec_trim(&t->tail, first);
		size_t gone = before - nrows(t);
		t->sel = t->sel > gone ? t->sel - gone : 0;
		t->top = t->top > gone ? t->top - gone : 0;
		if (t->rescan_next < first)
			t->rescan_next = first;
	}
	return any;
}

/* ---- the display filter
 * ------------------------------------------------------ */

static void rescan_step(struct tui *t, int64_t budget_ns)
{
	if (!t->rescanning)
		return;
	int64_t until = mono_ns() + budget_ns;
	while (t->rescan_next <= t->rescan_end) {
		uint64_t n = t->rescan_next++;
		if (ns_tuireplay_frame(&t->rescan, &t->st, n) == 0 &&
		    ns_dfilter_match(t->df, &t->rescan.pkt))
			vec_push(&t->rows, n);
		if ((n & 63) == 0 && mono_ns() >= until)
			return;
	}
	for (size_t i = 0; i < t->tail.n; i++)
		vec_push(&t->rows, t->tail.v[t->tail.head + i]);
	vec_clear(&t->tail);
	t->rescanning = 0;
	ns_tuireplay_reset(&t->rescan); /* give its flows back */
}

/* Applies expr ("" for none); 0, or -1 with the error in t->ierr. */
static int apply_filter(struct tui *t, const char *expr)
{
	struct ns_dfilter *df = NULL;
	if (*expr) {
		struct ns_dfilter_error e;
		df = ns_dfilter_compile(expr, &e);
		if (!df) {
			snprintf(t->ierr, sizeof(t->ierr), "column %u: %s",
				 e.col, e.msg);
			return -1;
		}
	}
	ns_dfilter_free(t->df);
	t->df = df;
	snprintf(t->filter, sizeof(t->filter), "%s", expr);
	vec_clear(&t->rows);
	vec_clear(&t->tail);
	t->sel = t->top = 0;
	t->follow = 1;
	t->paused = 0;
	t->detail_frame = 0;
	uint64_t first = ns_tuistore_first(&t->st);
	if (!df) {
		t->rescanning = 0;
		for (uint64_t n = first; n <= t->st.count; n++)
			vec_push(&t->rows, n);
		return 0;
	}
	ns_tuireplay_reset(&t->rescan);
	t->rescanning = 1;
	t->rescan_next = first;
	t->rescan_end = t->st.count;
	return 0;
}

/* ---- the detail tree
 * ---------------------------------------------------------- */

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

static void build_vis(struct tui *t)
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
	size_t n = nrows(t);
	uint64_t frame = n ? row_frame(t, t->sel < n ? t->sel : n - 1) : 0;
	if (frame == t->detail_frame)
		return;
	t->detail_frame = frame;
	t->nlines = 0;
	t->tsel = t->ttop = 0;
	t->detail_ok =
	    frame && ns_tuistore_redissect(&t->st, &t->detail, frame) == 0;
	if (t->detail_ok)
		ns_tree_walk(&t->detail.pkt, add_line, t);
	build_vis(t);
}

/* ---- drawing ----------------------------------------------------------------
 */

static void put(int y, int x, const char *s, int width)
{
	if (width > 0)
		mvaddnstr(y, x, s, width);
}

static void bar(struct tui *t, int y, const char *s)
{
	attron(color(t, C_BAR));
	mvhline(y, 0, ' ', COLS);
	put(y, 0, s, COLS);
	attroff(color(t, C_BAR));
}

static void draw_tabs(struct tui *t)
{
	char b[256];
	size_t n = 0;
	n += (size_t)snprintf(b + n, sizeof(b) - n, " netscope ");
	for (int v = 0; v < V_COUNT; v++)
		n += (size_t)snprintf(b + n, sizeof(b) - n, "%s%d %s%s",
				      v == t->view ? "[" : " ", v + 1,
				      view_names[v], v == t->view ? "]" : " ");
	snprintf(b + n, sizeof(b) - n, "   ? help");
	bar(t, 0, b);
}

static void human(char *b, size_t size, double v, const char *unit)
{
	const char *p = "";
	if (v >= 1e9) {
		v /= 1e9;
		p = "G";
	} else if (v >= 1e6) {
		v /= 1e6;
		p = "M";
	} else if (v >= 1e3) {
		v /= 1e3;
		p = "k";
	}
	snprintf(b, size, *p ? "%.1f%s%s" : "%.0f%s%s", v, p, unit);
}

static void read_rss(struct tui *t)
{
	int64_t now = mono_ns();
	if (now - t->rss_at < 1000000000 && t->rss)
		return;
	t->rss_at = now;
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long size, res;
	if (f && fscanf(f, "%llu %llu", &size, &res) == 2)
		t->rss = res * (uint64_t)sysconf(_SC_PAGESIZE);
	if (f)
		fclose(f);
}

static void draw_status(struct tui *t)
{
	char b[1024], rate[32], mem[32];
	read_rss(t);
	int64_t now = t->model.now / 1000000000;
	/* packets in the last complete second of capture time */
	uint64_t r = t->rate_sec == now	      ? t->rate_prev
		     : t->rate_sec == now - 1 ? t->rate_cur
					      : 0;
	human(rate, sizeof(rate), (double)r, " pkt/s");
	human(mem, sizeof(mem), (double)t->rss, "B");
	const char *state = t->failed ? "FAILED"
			    : !atomic_load(&t->q.done)
				? (t->q.src->live ? "live" : "reading")
			    : t->q.src->live ? "stopped"
					     : "end of file";
	snprintf(b, sizeof(b),
		 " captured %llu  shown %zu  dropped: kernel %llu netscope %llu"
		 "  %s  flows %u  mem %s  %s%s%s%s",
		 (unsigned long long)atomic_load(&t->q.captured), nrows(t),
		 (unsigned long long)atomic_load(&t->q.kernel_drop),
		 (unsigned long long)atomic_load(&t->q.dropped), rate,
		 t->eng.flows.count, mem, state, t->paused ? "  PAUSED" : "",
		 t->rescanning ? "  filtering…" : "",
		 *t->filter ? "  filter: " : "");
	size_t n = strlen(b);
	snprintf(b + n, sizeof(b) - n, "%s", t->filter);
	bar(t, LINES - 2, b);
}

static void draw_bottom(struct tui *t)
{
	int y = LINES - 1;
	move(y, 0);
	clrtoeol();
	if (t->input) {
		const char *p = t->input == 'f'	  ? "filter: "
				: t->input == '/' ? "search: "
						  : "write shown packets to: ";
		attr_t a = t->input == 'f' ? color(t, t->ivalid ? C_OK : C_ERR)
					   : A_NORMAL;
		put(y, 0, p, COLS);
		attron(a);
		put(y, (int)strlen(p), t->ibuf, COLS - (int)strlen(p));
		attroff(a);
		if (t->input == 'f' && !t->ivalid && *t->ierr) {
			int x = (int)strlen(p) + (int)t->ilen + 2;
			attron(color(t, C_ERR));
			put(y, x, t->ierr, COLS - x);
			attroff(color(t, C_ERR));
		}
		return;
	}
	put(y, 0, t->msg, COLS);
}

/* Keeps sel visible in a window of h rows starting at *top. */
static void scroll_to(size_t sel, size_t *top, int h)
{
	if (h <= 0)
		return;
	if (sel < *top)
		*top = sel;
	if (sel >= *top + (size_t)h)
		*top = sel - (size_t)h + 1;
}

static void draw_list(struct tui *t, int y0, int h)
{
	size_t n = nrows(t);
	if (t->follow && n)
		t->sel = n - 1;
	if (t->sel >= n)
		t->sel = n ? n - 1 : 0;
	scroll_to(t->sel, &t->top, h);
	char s[1024];
	for (int i = 0; i < h && t->top + (size_t)i < n; i++) {
		size_t r = t->top + (size_t)i;
		uint64_t f = row_frame(t, r);
		const struct ns_tui_ent *e = ns_tuistore_get(&t->st, f);
		ns_tuistore_summary(&t->st, f, s, sizeof(s));
		attr_t a = r == t->sel
			       ? color(t, C_SEL) | (t->focus ? 0 : A_BOLD)
			       : color(t, e ? e->color : C_NONE);
		attron(a);
		if (r == t->sel)
			mvhline(y0 + i, 0, ' ', COLS);
		put(y0 + i, 0, s, COLS);
		attroff(a);
	}
}

static void draw_tree(struct tui *t, int y0, int h)
{
	scroll_to(t->tsel, &t->ttop, h);
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
		attr_t a = vi == t->tsel && t->focus ? color(t, C_SEL) : 0;
		if (a) {
			attron(a);
			mvhline(y0 + i, 0, ' ', COLS);
		}
		put(y0 + i, 0, b.p, COLS);
		if (a)
			attroff(a);
	}
	ns_buf_free(&b);
}

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
	bar(t, y0 - 1, title);
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
		put(y0 + i, 0, b.p, COLS);
		/* cppcheck-suppress knownConditionTrueFalse ; cppcheck 2.10
		 * takes the min() of k for 0 */
		for (uint32_t j = 0; j < k && hlen; j++) {
			uint32_t at = off + j;
			if (at < hoff || at >= hoff + hlen)
				continue;
			int x = 6 + 3 * (int)j;
			if (x + 2 <= COLS)
				mvchgat(y0 + i, x, 2, color(t, C_HL) | A_BOLD,
					C_HL, NULL);
			if (56 + (int)j < COLS)
				mvchgat(y0 + i, 56 + (int)j, 1,
					color(t, C_HL) | A_BOLD, C_HL, NULL);
		}
	}
	ns_buf_free(&b);
}

static void draw_packets(struct tui *t)
{
	int avail = LINES - 3; /* tabs, status, bottom line */
	int list_h = avail * 2 / 5;
	int rest = avail - list_h - 1;
	int tree_h = rest * 3 / 5;
	int hex_h = rest - tree_h - 2;
	if (list_h < 1 || tree_h < 1 || hex_h < 1) { /* tiny terminal */
		bar(t, 1,
		    "  No.     Time        Source → Destination  Proto "
		    "Length  Info");
		draw_list(t, 2, avail - 1);
		return;
	}
	bar(t, 1,
	    "  No.     Time        Source → Destination  Proto Length  "
	    "Info");
	draw_list(t, 2, list_h);
	load_detail(t);
	char title[128];
	snprintf(title, sizeof(title),
		 t->detail_frame ? " Frame %llu%s" : " (no packet)",
		 (unsigned long long)t->detail_frame,
		 t->focus ? "  (Enter/→ expand, ← collapse, Esc list)"
			  : "  (Enter: fields)");
	bar(t, 2 + list_h, title);
	draw_tree(t, 3 + list_h, tree_h);
	if (t->detail_ok)
		draw_hex(t, 4 + list_h + tree_h, hex_h);
	else
		bar(t, 3 + list_h + tree_h, " Bytes");
}

/* ---- Connections, Calls, DNS ------------------------------------------------
 */

static const char *const sort_names[V_COUNT][4] = {
    {""},
    {"stream", "bytes", "packets", "rate"},
    {"time", "latency", "status", "path"},
    {"time", "response time", "name", "rcode"},
};

static struct tui *sort_t;

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0; /* biggest first */
}

static const struct ns_tui_conn *conn_of(struct tui *t, uint32_t i)
{
	uint32_t p = i >> 31;
	return &t->model.conn[p][i & 0x7fffffffu];
}

static int cmp_conn(const void *a, const void *b)
{
	struct tui *t = sort_t;
	const struct ns_tui_conn *x = conn_of(t, *(const uint32_t *)a);
	const struct ns_tui_conn *y = conn_of(t, *(const uint32_t *)b);
	int r = 0;
	switch (t->sortkey[V_CONNS]) {
	case 1:
		r = cmp_i64((int64_t)(x->bytes[0] + x->bytes[1]),
			    (int64_t)(y->bytes[0] + y->bytes[1]));
		break;
	case 2:
		r = cmp_i64((int64_t)(x->pkts[0] + x->pkts[1]),
			    (int64_t)(y->pkts[0] + y->pkts[1]));
		break;
	case 3:
		r = cmp_i64((int64_t)ns_tuimodel_rate(&t->model, x),
			    (int64_t)ns_tuimodel_rate(&t->model, y));
		break;
	}
	if (r)
		return r;
	return x->flow < y->flow ? -1 : x->flow > y->flow;
}

static int64_t latency(const struct ns_tui_call *c)
{
	return c->t_req >= 0 && c->t_end >= 0 ? c->t_end - c->t_req : -1;
}

static int cmp_call(const void *a, const void *b)
{
	struct tui *t = sort_t;
	const struct ns_tui_call *x =
	    ns_tuimodel_call_at(&t->model, *(const uint32_t *)a);
	const struct ns_tui_call *y =
	    ns_tuimodel_call_at(&t->model, *(const uint32_t *)b);
	int r = 0;
	switch (t->sortkey[V_CALLS]) {
	case 1:
		r = cmp_i64(latency(x), latency(y));
		break;
	case 2:
		r = cmp_i64(x->grpc_status, y->grpc_status);
		if (!r)
			r = cmp_i64(x->status, y->status);
		break;
	case 3:
		r = strcmp(x->path, y->path);
		break;
	}
	if (r)
		return r;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static int cmp_dns(const void *a, const void *b)
{
	struct tui *t = sort_t;
	const struct ns_tui_dns *x =
	    ns_tuimodel_dns_at(&t->model, *(const uint32_t *)a);
	const struct ns_tui_dns *y =
	    ns_tuimodel_dns_at(&t->model, *(const uint32_t *)b);
	int r = 0;
	switch (t->sortkey[V_DNS]) {
	case 1:
		r = cmp_i64(x->rtt, y->rtt);
		break;
	case 2:
		r = strcmp(x->name, y->name);
		break;
	case 3:
		r = cmp_i64(x->rcode, y->rcode);
		break;
	}
	if (r)
		return r;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static void push_order(struct tui *t, uint32_t v)
{
	if (t->norder == t->ordercap) {
		size_t nc = t->ordercap ? t->ordercap * 2 : 1024;
		uint32_t *no = realloc(t->order, nc * sizeof(*no));
		if (!no)
			return;
		t->order = no;
		t->ordercap = nc;
	}
	t->order[t->norder++] = v;
}

/* The rows of the current view, sorted. */
static void build_order(struct tui *t)
{
	t->norder = 0;
	sort_t = t;
	if (t->view == V_CONNS) {
		for (uint32_t p = 0; p < 2; p++)
			for (uint32_t i = 0; i < t->model.conn_cap[p]; i++)
				if (t->model.conn[p][i].used)
					push_order(t, p << 31 | i);
		qsort(t->order, t->norder, sizeof(*t->order), cmp_conn);
	} else if (t->view == V_CALLS) {
		uint32_t n = ns_tuimodel_calls_held(&t->model);
		for (uint32_t i = 0; i < n; i++)
			push_order(t, i);
		qsort(t->order, t->norder, sizeof(*t->order), cmp_call);
	} else if (t->view == V_DNS) {
		uint32_t n = ns_tuimodel_dns_held(&t->model);
		for (uint32_t i = 0; i < n; i++)
			push_order(t, i);
		qsort(t->order, t->norder, sizeof(*t->order), cmp_dns);
	}
}

/* Milliseconds in at most 7 characters. */
static void ms(char *b, size_t size, int64_t ns)
{
	double v = (double)ns / 1e6;
	if (ns < 0)
		snprintf(b, size, "-");
	else if (v < 10)
		snprintf(b, size, "%.2fms", v);
	else if (v < 1000)
		snprintf(b, size, "%.1fms", v);
	else
		snprintf(b, size, "%.2fs", v / 1000);
}

/* s cut to width from the left, so the end (a method name) stays. */
static const char *tail(const char *s, size_t width, char *buf, size_t size)
{
	size_t n = strlen(s);
	if (n <= width)
		return s;
	snprintf(buf, size, "\xe2\x80\xa6%s", s + n - (width - 1));
	return buf;
}

/* The text of row i of the current view; *a its attribute. */
static void row_text(struct tui *t, uint32_t i, char *s, size_t size, attr_t *a)
{
	char x[32], y[32], z[32], w[48];
	*a = A_NORMAL;
	if (t->view == V_CONNS) {
		const struct ns_tui_conn *c = conn_of(t, i);
		char b0[16], b1[16];
		human(x, sizeof(x), (double)ns_tuimodel_rate(&t->model, c),
		      "B/s");
		human(b0, sizeof(b0), (double)c->bytes[0], "B");
		human(b1, sizeof(b1), (double)c->bytes[1], "B");
		ms(y, sizeof(y), c->rtt);
		char app[80];
		snprintf(app, sizeof(app), "%s%s%s", c->app[0] ? c->app : "-",
			 c->sni[0] ? " " : "", c->sni);
		snprintf(s, size,
			 "%s %5u %-21s %-21s %-7s %7s %-13.13s %5llu/%-5llu "
			 "%7s/%-7s %8s",
			 c->flow >> 31 ? "udp" : "tcp", c->flow & 0x7fffffffu,
			 c->cli, c->srv, ns_tuimodel_state_name(c), y, app,
			 (unsigned long long)c->pkts[0],
			 (unsigned long long)c->pkts[1], b0, b1, x);
		*a = color(t, c->app[0] == 'g' || c->app[0] == 'h' ? C_H2
			      : c->app[0] == 't'		   ? C_TLS
			      : c->app[0] == 'd'		   ? C_DNS
								   : C_NONE);
	} else if (t->view == V_CALLS) {
		const struct ns_tui_call *c = ns_tuimodel_call_at(&t->model, i);
		const struct ns_field *gs = ns_field_by_name("grpc.status");
		const char *st = NULL;
		char stb[32];
		int gst = ns_tuimodel_call_status(c);
		if (c->grpc && gst >= 0) {
			const char *gn =
			    gs ? ns_valstr_find(gs->vals, (uint64_t)gst) : NULL;
			/* a reset's meaning to the client is marked as such */
			snprintf(stb, sizeof(stb), "%s%s", gn ? gn : "?",
				 c->grpc_status < 0 ? " (rst)" : "");
			st = stb;
		}
		if (!st && c->status >= 0) {
			snprintf(stb, sizeof(stb), "%d", c->status);
			st = stb;
		}
		ms(x, sizeof(x), latency(c));
		ms(y, sizeof(y),
		   c->t_req >= 0 && c->t_first_resp >= 0
		       ? c->t_first_resp - c->t_req
		       : -1);
		ms(z, sizeof(z),
		   c->t_req >= 0 && c->t_first_msg >= 0
		       ? c->t_first_msg - c->t_req
		       : -1);
		ns_tuimodel_call_end(&t->model, c, w, sizeof(w));
		char pb[160];
		snprintf(s, size,
			 "%4u %5u %-4s %-4s %-28s %-17s %8s %8s %8s %3u/%-3u "
			 "%-16s%s%s",
			 c->conn & 0x7fffffffu, c->sid, c->grpc ? "gRPC" : "h2",
			 c->method[0] ? c->method : "-",
			 tail(c->path[0] ? c->path : "-", 28, pb, sizeof(pb)),
			 st ? st : "-", x, y, z, c->msgs[0], c->msgs[1], w,
			 c->grpc_msg[0] ? " \"" : "", c->grpc_msg);
		if (c->grpc_msg[0])
			strncat(s, "\"", size - strlen(s) - 1);
		int bad = (c->grpc && gst > 0) || c->status >= 400 ||
			  (!c->grpc && c->end == NS_CALL_RESET) ||
			  c->hpack_lost;
		*a = bad ? color(t, C_ERR) | A_BOLD : A_NORMAL;
	} else {
		const struct ns_tui_dns *d = ns_tuimodel_dns_at(&t->model, i);
		const struct ns_field *rf = ns_field_by_name("dns.rcode");
		const char *rc =
		    d->rcode >= 0 && rf
			? ns_valstr_find(rf->vals, (uint64_t)d->rcode)
			: NULL;
		ms(x, sizeof(x), d->rtt);
		snprintf(x + strlen(x), sizeof(x) - strlen(x), "%s", "");
		snprintf(s, size, "%7llu 0x%04x %-6s %-32s %-9s %9s %s",
			 (unsigned long long)d->qframe, d->id, d->qtype,
			 d->name[0] ? d->name : "-",
			 d->unsolicited ? "unsolic."
			 : !d->answered ? "no answer"
			 : rc		? rc
					: "?",
			 x, d->answers);
		*a = d->rcode > 0 || d->unsolicited ? color(t, C_ERR) | A_BOLD
						    : A_NORMAL;
	}
}

static const char *const headers[V_COUNT] = {
    "",
    "     strm client                server                state       "
    "rtt app                  pkts   bytes c>s/s>c     rate",
    "conn stream kind meth path                         status            "
    "latency     ttfb    first msgs    end",
    "  frame     id type   name                             rcode     "
    "response  answers",
};

static void draw_table(struct tui *t)
{
	build_order(t);
	int v = t->view;
	int h = LINES - 4;
	char hb[300];
	snprintf(hb, sizeof(hb), "%s", headers[v]);
	bar(t, 1, hb);
	if (t->vsel[v] >= t->norder)
		t->vsel[v] = t->norder ? t->norder - 1 : 0;
	scroll_to(t->vsel[v], &t->vtop[v], h);
	char s[600];
	for (int i = 0; i < h && t->vtop[v] + (size_t)i < t->norder; i++) {
		size_t r = t->vtop[v] + (size_t)i;
		attr_t a;
		row_text(t, t->order[r], s, sizeof(s), &a);
		if (r == t->vsel[v]) {
			a = color(t, C_SEL);
			attron(a);
			mvhline(2 + i, 0, ' ', COLS);
		} else {
			attron(a);
		}
		put(2 + i, 0, s, COLS);
		attroff(a);
	}
	if (!t->norder)
		put(3, 2,
		    v == V_CONNS   ? "(no TCP or UDP flows yet)"
		    : v == V_CALLS ? "(no HTTP/2 streams or gRPC calls yet)"
				   : "(no DNS queries yet)",
		    COLS - 2);
}

static void draw_call_detail(struct tui *t)
{
	int h = LINES - 4;
	bar(t, 1, " Call detail: headers, trailers and messages (Esc back)");
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
			put(y++, 0, s, COLS);
			attroff(a);
		}
		p = nl ? nl + 1 : end;
	}
}

static const char help_text[] =
    "netscope tui: keys\n"
    "\n"
    "  Tab, 1 2 3 4     switch view: Packets, Connections, Calls, DNS\n"
    "  Up Down          move      PgUp PgDn   page\n"
    "  Home g / End G   first / last row (End follows new packets)\n"
    "  Enter            Packets: open the field tree (Enter/Right expand,\n"
    "                   Left collapse, Esc back to the list);\n"
    "                   Connections: the packets of that flow;\n"
    "                   Calls: headers, trailers and messages of the call\n"
    "  /  n             search the rows for text, next match\n"
    "  f                display filter (checked as you type, Enter applies\n"
    "                   it to every view, empty clears it)\n"
    "  Space            pause / resume the display (capture continues)\n"
    "  s                sort (Connections, Calls, DNS): next key\n"
    "  w                write the shown packets to a pcap file\n"
    "  ?                this help      Esc  close      q  quit\n";

static void draw_help(struct tui *t)
{
	int w = 76 < COLS ? 76 : COLS, h = 20 < LINES - 2 ? 20 : LINES - 2;
	int x0 = (COLS - w) / 2, y0 = 1;
	const char *p = help_text;
	attron(color(t, C_SEL));
	for (int y = 0; y < h; y++) {
		mvhline(y0 + y, x0, ' ', w);
		const char *nl = strchr(p, '\n');
		if (*p) {
			mvaddnstr(y0 + y, x0 + 1, p,
				  nl ? (int)(nl - p) < w - 2 ? (int)(nl - p)
							     : w - 2
				     : w - 2);
			p = nl ? nl + 1 : p + strlen(p);
		}
	}
	attroff(color(t, C_SEL));
}

static void draw(struct tui *t)
{
	erase();
	draw_tabs(t);
	if (t->view == V_PACKETS)
		draw_packets(t);
	else if (t->call_open && t->view == V_CALLS)
		draw_call_detail(t);
	else
		draw_table(t);
	draw_status(t);
	draw_bottom(t);
	if (t->help)
		draw_help(t);
	refresh();
}

/* ---- the call detail -------------------------------------------------------
 */

static void call_packet(struct tui *t, const struct ns_tui_call *c,
			const struct ns_packet *pkt, struct ns_buf *b)
{
	const struct ns_field *h2s = ns_field_by_name("http2.stream");
	const struct ns_field *sidf = ns_field_by_name("http2.streamid");
	const struct ns_field *typef = ns_field_by_name("http2.type");
	const struct ns_field *hn = ns_field_by_name("http2.header.name");
	const struct ns_field *gsid = ns_field_by_name("grpc.stream_id");
	for (unsigned li = 1; li < pkt->nlayers; li++) {
		const struct ns_layer *l = &pkt->layers[li];
		int h2 = !strcmp(l->d->name, "http2");
		if (!h2 && strcmp(l->d->name, "grpc") != 0)
			continue;
		const struct ns_fv *fv = pkt->fv;
		for (uint32_t i = l->fv_first + 1; i < l->fv_end; i++) {
			/* a subtree: an HTTP/2 frame, or a gRPC stream */
			if (fv[i].f != (h2 ? h2s : gsid))
				continue;
			uint32_t end = i + 1;
			while (end < l->fv_end && fv[end].depth > fv[i].depth)
				end++;
			int64_t sid = h2 ? -1 : (int64_t)fv[i].v.u;
			const struct ns_fv *type = NULL;
			for (uint32_t j = i; j < end && h2; j++) {
				if (fv[j].f == sidf)
					sid = (int64_t)fv[j].v.u;
				if (fv[j].f == typef && !type)
					type = &fv[j];
			}
			if (sid != (int64_t)c->sid)
				continue;
			ns_buf_printf(b, "frame %llu %s ",
				      (unsigned long long)pkt->num,
				      h2 ? "HTTP/2" : "gRPC");
			if (type)
				ns_format_display(b, type);
			ns_buf_putc(b, '\n');
			for (uint32_t j = i + 1; j < end; j++) {
				if (fv[j].hidden || fv[j].f == typef ||
				    fv[j].f == sidf)
					continue;
				if (fv[j].f == hn && j + 1 < end) {
					/* a header as name: value */
					ns_buf_puts(b, "    ");
					ns_buf_escaped(b, fv[j].v.b.p,
						       fv[j].v.b.n);
					ns_buf_puts(b, ": ");
					ns_buf_escaped(b, fv[j + 1].v.b.p,
						       fv[j + 1].v.b.n);
					ns_buf_putc(b, '\n');
					j++;
					continue;
				}
				if (h2 && strncmp(fv[j].f->name, "http2.header",
						  12) == 0)
					continue;
				if (h2 &&
				    strncmp(fv[j].f->name, "http2.flags", 11) ==
					0 &&
				    !fv[j].v.u)
					continue;
				for (unsigned d = fv[i].depth; d < fv[j].depth;
				     d++)
					ns_buf_puts(b, "  ");
				ns_buf_puts(b, "  ");
				ns_format_tree_text(b, pkt, j);
				ns_buf_putc(b, '\n');
			}
			i = end - 1;
		}
	}
}

static void open_call(struct tui *t, const struct ns_tui_call *c)
{
	struct ns_buf *b = &t->call_text;
	ns_buf_reset(b);
	char w[48];
	ns_tuimodel_call_end(&t->model, c, w, sizeof(w));
	ns_buf_printf(
	    b, "%s %s %s  (tcp.stream %u, stream %u, %s)\n",
	    c->grpc ? "gRPC" : "HTTP/2", c->method[0] ? c->method : "-",
	    c->path[0] ? c->path : "-", c->conn & 0x7fffffffu, c->sid, w);
	struct ns_tuireplay *r = &t->detail;
	t->detail_frame = 0; /* the replay is used here */
	if (!c->first_frame ||
	    ns_tuistore_redissect(&t->st, r, c->first_frame) < 0) {
		ns_buf_puts(b, "  (its packets are no longer held)\n");
	} else {
		call_packet(t, c, &r->pkt, b);
		for (uint64_t n = c->first_frame + 1; n <= c->last_frame; n++) {
			const struct ns_tui_ent *e = ns_tuistore_get(&t->st, n);
			if (!e || e->flow != c->conn)
				continue;
			if (ns_tuireplay_frame(r, &t->st, n) == 0)
				call_packet(t, c, &r->pkt, b);
		}
	}
	t->call_open = 1;
	t->call_top = 0;
	t->call_lines = 0;
	for (size_t i = 0; i < b->len; i++)
		t->call_lines += b->p[i] == '\n';
}

/* ---- keys
 * --------------------------------------------------------------------- */

static size_t *cur_sel(struct tui *t)
{
	return t->view == V_PACKETS ? &t->sel : &t->vsel[t->view];
}

static size_t cur_count(struct tui *t)
{
	if (t->view == V_PACKETS)
		return nrows(t);
	build_order(t);
	return t->norder;
}

static void move_sel(struct tui *t, long d, int page)
{
	if (t->view == V_PACKETS && t->focus) {
		long n = (long)t->nvis, s = (long)t->tsel + d * page;
		t->tsel = (size_t)(s < 0 ? 0 : s >= n ? (n ? n - 1 : 0) : s);
		return;
	}
	if (t->call_open) {
		long s = (long)t->call_top + d * page;
		long max = (long)t->call_lines - 1;
		t->call_top = (size_t)(s < 0	 ? 0
				       : s > max ? (max > 0 ? max : 0)
						 : s);
		return;
	}
	size_t n = cur_count(t), *sel = cur_sel(t);
	long s = (long)*sel + d * page;
	*sel = (size_t)(s < 0 ? 0 : s >= (long)n ? (n ? (long)n - 1 : 0) : s);
	if (t->view == V_PACKETS)
		t->follow = n && *sel == n - 1 && d > 0;
}

static void do_search(struct tui *t, int from_next)
{
	if (!*t->search)
		return;
	size_t n = cur_count(t), *sel = cur_sel(t);
	char s[1024];
	for (size_t k = 1; k <= n; k++) {
		size_t i = (*sel + (from_next ? k : k - 1)) % n;
		attr_t a;
		if (t->view == V_PACKETS)
			ns_tuistore_summary(&t->st, row_frame(t, i), s,
					    sizeof(s));
		else
			row_text(t, t->order[i], s, sizeof(s), &a);
		if (strstr(s, t->search)) {
			*sel = i;
			if (t->view == V_PACKETS)
				t->follow = 0;
			snprintf(t->msg, sizeof(t->msg), "found \"%s\"",
				 t->search);
			return;
		}
	}
	snprintf(t->msg, sizeof(t->msg), "\"%s\" not found", t->search);
}

static void validate_input(struct tui *t)
{
	t->ierr[0] = '\0';
	if (t->input != 'f')
		return;
	t->ibuf[t->ilen] = '\0';
	if (!t->ilen) {
		t->ivalid = 1;
		return;
	}
	struct ns_dfilter_error e;
	struct ns_dfilter *df = ns_dfilter_compile(t->ibuf, &e);
	t->ivalid = df != NULL;
	if (!df)
		snprintf(t->ierr, sizeof(t->ierr), "column %u: %s", e.col,
			 e.msg);
	ns_dfilter_free(df);
}

static void write_shown(struct tui *t, const char *path)
{
	size_t n = nrows(t);
	uint64_t *fr = malloc((n ? n : 1) * sizeof(*fr));
	if (!fr) {
		snprintf(t->msg, sizeof(t->msg), "write: out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		fr[i] = row_frame(t, i);
	char err[512];
	if (ns_tuistore_write(&t->st, fr, n, path, err, sizeof(err)) < 0)
		snprintf(t->msg, sizeof(t->msg), "write: %s", err);
	else
		snprintf(t->msg, sizeof(t->msg), "wrote %zu packets to %s", n,
			 path);
	free(fr);
}

static void input_key(struct tui *t, int ch)
{
	if (ch == 27) {
		t->input = 0;
		return;
	}
	if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
		t->ibuf[t->ilen] = '\0';
		int mode = t->input;
		if (mode == 'f') {
			if (apply_filter(t, t->ibuf) < 0) {
				t->ivalid = 0;
				return; /* stay: the error is shown */
			}
			snprintf(t->msg, sizeof(t->msg), "%s",
				 *t->ibuf ? "filter applied"
					  : "filter cleared");
		} else if (mode == '/') {
			snprintf(t->search, sizeof(t->search), "%s", t->ibuf);
			do_search(t, 0);
		} else if (mode == 'w' && t->ilen) {
			write_shown(t, t->ibuf);
		}
		t->input = 0;
		return;
	}
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (t->ilen)
			t->ilen--;
	} else if (ch == 21) { /* ^U */
		t->ilen = 0;
	} else if (ch >= 0x20 && ch < 0x100 && t->ilen + 1 < sizeof(t->ibuf)) {
		t->ibuf[t->ilen++] = (char)ch;
	}
	t->ibuf[t->ilen] = '\0';
	validate_input(t);
}

static void start_input(struct tui *t, int mode, const char *init)
{
	t->input = mode;
	snprintf(t->ibuf, sizeof(t->ibuf), "%s", init);
	t->ilen = strlen(t->ibuf);
	validate_input(t);
}

static void enter_key(struct tui *t)
{
	if (t->view == V_PACKETS) {
		if (!t->focus) {
			if (nrows(t)) {
				t->focus = 1;
				t->follow = 0;
			}
			return;
		}
		if (t->nvis) {
			const struct line *ln = &t->lines[t->vis[t->tsel]];
			if (ln->kids) {
				t->expanded[ln->key] ^= 1;
				build_vis(t);
			}
		}
		return;
	}
	size_t n = cur_count(t);
	size_t sel = t->vsel[t->view];
	if (!n || sel >= n)
		return;
	if (t->view == V_CONNS) {
		const struct ns_tui_conn *c = conn_of(t, t->order[sel]);
		char f[64];
		snprintf(f, sizeof(f), "%s.stream == %u",
			 c->flow >> 31 ? "udp" : "tcp", c->flow & 0x7fffffffu);
		apply_filter(t, f);
		t->view = V_PACKETS;
		t->focus = 0;
		snprintf(t->msg, sizeof(t->msg), "packets of %s", f);
	} else if (t->view == V_CALLS && !t->call_open) {
		open_call(t, ns_tuimodel_call_at(&t->model, t->order[sel]));
	} else if (t->view == V_DNS) {
		const struct ns_tui_dns *d =
		    ns_tuimodel_dns_at(&t->model, t->order[sel]);
		char f[64];
		snprintf(f, sizeof(f), "dns.id == 0x%04x", d->id);
		apply_filter(t, f);
		t->view = V_PACKETS;
		t->focus = 0;
	}
}

static int handle_key(struct tui *t, int ch)
{
	if (ch == KEY_RESIZE)
		return 0;
	if (t->input) {
		input_key(t, ch);
		return 0;
	}
	t->msg[0] = '\0';
	if (t->help) {
		if (ch == 'q')
			return 1;
		t->help = 0;
		return 0;
	}
	switch (ch) {
	case 'q':
		return 1;
	case '?':
		t->help = 1;
		break;
	case '\t':
	case KEY_BTAB:
		t->view = (t->view + (ch == '\t' ? 1 : V_COUNT - 1)) % V_COUNT;
		t->call_open = 0;
		break;
	case '1':
	case '2':
	case '3':
	case '4':
		t->view = ch - '1';
		t->call_open = 0;
		break;
	case KEY_UP:
	case 'k':
		move_sel(t, -1, 1);
		break;
	case KEY_DOWN:
	case 'j':
		move_sel(t, 1, 1);
		break;
	case KEY_PPAGE:
		move_sel(t, -1, LINES / 3 > 1 ? LINES / 3 : 1);
		break;
	case KEY_NPAGE:
		move_sel(t, 1, LINES / 3 > 1 ? LINES / 3 : 1);
		break;
	case KEY_HOME:
	case 'g':
		move_sel(t, -1, 1 << 30);
		break;
	case KEY_END:
	case 'G':
		move_sel(t, 1, 1 << 30);
		if (t->view == V_PACKETS && !t->focus)
			t->follow = 1;
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
		enter_key(t);
		break;
	case KEY_RIGHT:
	case KEY_LEFT:
		if (t->view == V_PACKETS && t->focus && t->nvis) {
			const struct line *ln = &t->lines[t->vis[t->tsel]];
			if (ln->kids) {
				t->expanded[ln->key] = ch == KEY_RIGHT;
				build_vis(t);
			}
		}
		break;
	case 27:
	case KEY_BACKSPACE:
		t->focus = 0;
		t->call_open = 0;
		break;
	case '/':
		start_input(t, '/', t->search);
		break;
	case 'n':
		do_search(t, 1);
		break;
	case 'f':
		start_input(t, 'f', t->filter);
		break;
	case 'w':
		start_input(t, 'w', "netscope-shown.pcap");
		break;
	case ' ':
		t->paused = !t->paused;
		t->paused_rows = t->rows.n + t->tail.n;
		snprintf(t->msg, sizeof(t->msg), "%s",
			 t->paused ? "display paused (capture continues)"
				   : "display resumed");
		break;
	case 's':
		if (t->view != V_PACKETS) {
			t->sortkey[t->view] = (t->sortkey[t->view] + 1) % 4;
			snprintf(t->msg, sizeof(t->msg), "sorted by %s",
				 sort_names[t->view][t->sortkey[t->view]]);
		}
		break;
	default:
		break;
	}
	return 0;
}

/* ---- the loop ---------------------------------------------------------------
 */

static int setup(struct tui *t, const struct ns_tui_opts *o)
{
	struct ns_source *s = o->src;
	t->o = o;
	t->follow = 1;
	t->ivalid = 1;
	if (ns_tuistore_open(&t->st, s->linktype, s->snaplen, s->nano, t->err,
			     sizeof(t->err)) < 0)
		return -1;
	if (ns_engine_init(&t->eng, o->max_flows) < 0 ||
	    ns_tuimodel_init(&t->model) < 0) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -1;
	}
	t->eng.pbschema = o->pbschema;
	ns_pkt_init(&t->pkt);
	ns_tuireplay_init(&t->rescan, o->max_flows, o->pbschema);
	ns_tuireplay_init(&t->detail, o->max_flows, o->pbschema);
	t->expanded = calloc(ns_field_count() + 1, 1);
	if (!t->expanded) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -1;
	}
	if (o->dfilter && apply_filter(t, o->dfilter) < 0) {
		snprintf(t->err, sizeof(t->err), "filter: %s", t->ierr);
		return -1;
	}
	t->q.max_count = o->count;
	t->q.duration_ns = o->duration_ns;
	return ns_tuiq_start(&t->q, s, t->err, sizeof(t->err));
}

static void teardown(struct tui *t)
{
	ns_tuiq_stop(&t->q);
	ns_tuireplay_free(&t->rescan);
	ns_tuireplay_free(&t->detail);
	ns_engine_finish(&t->eng);
	ns_pkt_free(&t->pkt);
	ns_tuimodel_free(&t->model);
	ns_tuistore_close(&t->st);
	ns_dfilter_free(t->df);
	ns_buf_free(&t->line);
	ns_buf_free(&t->call_text);
	free(t->rows.v);
	free(t->tail.v);
	free(t->lines);
	free(t->vis);
	free(t->expanded);
	free(t->order);
}

int ns_tui_run(const struct ns_tui_opts *o)
{
	struct tui *t = calloc(1, sizeof(*t));
	if (!t) {
		fputs("netscope: out of memory\n", stderr);
		return 1;
	}
	ns_run_signals(); /* before initscr: ncurses then leaves them to us */
	int rc = 0;
	if (setup(t, o) < 0) {
		fprintf(stderr, "netscope: tui: %s\n", t->err);
		teardown(t);
		free(t);
		return 1;
	}
	curses_start(t);
	int64_t last_draw = 0;
	int dirty = 1;
	while (!ns_signalled && !t->failed) {
		int more = ingest(t, 30000000);
		dirty |= more;
		rescan_step(t, 20000000);
		int ch, quit = 0;
		while (!quit && (ch = getch()) != ERR) {
			quit = handle_key(t, ch);
			dirty = 2; /* a key: draw at once */
		}
		if (quit)
			break;
		if (atomic_load(&t->q.done) && t->q.err[0] && !t->failed) {
			snprintf(t->err, sizeof(t->err), "%s", t->q.err);
			t->failed = 1;
			break;
		}
		int64_t now = mono_ns();
		if (dirty == 2 || t->rescanning ||
		    (!t->paused &&
		     now - last_draw >= NS_TUI_REDRAW_MS * 1000000LL)) {
			draw(t);
			last_draw = now;
			dirty = 0;
		}
		int busy = more || t->rescanning;
		struct pollfd pfd[2] = {
		    {.fd = 0, .events = POLLIN},
		    {.fd = ns_tuiq_fd(&t->q), .events = POLLIN}};
		poll(pfd, 2, busy ? 0 : NS_TUI_REDRAW_MS);
		ns_tuiq_clear_wake(&t->q);
	}
	restore();
	if (t->failed) {
		fprintf(stderr, "netscope: tui: %s\n", t->err);
		rc = 1;
	}
	ns_tuiq_stop(&t->q);
	fprintf(stderr,
		"netscope: tui: %llu packets captured, %llu dropped by the "
		"kernel, %llu dropped by netscope\n",
		(unsigned long long)atomic_load(&t->q.captured),
		(unsigned long long)atomic_load(&t->q.kernel_drop),
		(unsigned long long)atomic_load(&t->q.dropped));
	teardown(t);
	free(t);
	return rc;
}
