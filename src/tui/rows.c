/*
 * rows — the packet list of `netscope tui`: what comes in from the capture
 * ring, and which of it the display filter shows.
 *
 * The packet list is a vector of frame numbers (the packets the display
 * filter lets through).  Each packet taken from the ring is stored in the
 * spill file, dissected once by the run's engine for its summary line, its
 * colour, the views' models and the filter, then forgotten.  Applying a new
 * filter rebuilds the list: frames already stored are re-dissected in order
 * by a replay engine of their own, a slice at a time between key presses
 * and ingestion, while packets that arrive meanwhile are filtered as they
 * come into a second vector (tail) that is appended when the replay is
 * done.  The capture never stops for it.  Frames the store has forgotten
 * are trimmed from the front of both vectors, and the selection follows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif

#include "core/dissect.h"
#include "output/output.h"
#include "tui/tui_int.h"

/* ---- vectors of frames -------------------------------------------------- */

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

size_t ns_tui_nrows(const struct tui *t)
{
	size_t n = t->rows.n + t->tail.n;
	return t->paused && t->paused_rows < n ? t->paused_rows : n;
}

uint64_t ns_tui_row_frame(const struct tui *t, size_t i)
{
	if (i < t->rows.n)
		return t->rows.v[t->rows.head + i];
	return t->tail.v[t->tail.head + i - t->rows.n];
}

/* ---- ingestion ---------------------------------------------------------- */

static void ingest_one(struct tui *t, const struct ns_pktq_pkt *h,
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
	ns_format_summary_aligned(&t->line, pkt);
	uint32_t flow = NS_TUI_NOFLOW;
	if (pkt->flow &&
	    (pkt->flow->key.proto == 6 || pkt->flow->key.proto == 17))
		flow = (pkt->flow->key.proto == 17 ? 1u << 31 : 0) |
		       pkt->flow->index;
	ns_tuistore_describe(&t->st, t->line.p, t->line.len, flow,
			     (uint8_t)ns_format_class(pkt));
	ns_tuimodel_packet(&t->model, pkt);
	if (!t->df || ns_dfilter_match(t->df, pkt)) {
		vec_push(t->rescanning ? &t->tail : &t->rows, num);
		if (t->df)
			ns_tuimodel_match(&t->model, pkt);
	}
	int64_t sec = h->ts / 1000000000;
	if (sec != t->rate_sec) {
		t->rate_prev = sec == t->rate_sec + 1 ? t->rate_cur : 0;
		t->rate_cur = 0;
		t->rate_sec = sec;
	}
	t->rate_cur++;
}

int ns_tui_ingest(struct tui *t, int64_t budget_ns)
{
	int64_t until = ns_tui_mono_ns() + budget_ns;
	int any = 0;
	struct ns_pktq_pkt h;
	const uint8_t *data;
	while (!t->failed && (data = ns_pktq_peek(&t->q, &h)) != NULL) {
		ingest_one(t, &h, data);
		ns_pktq_release(&t->q);
		any = 1;
		if ((t->st.count & 63) == 0 && ns_tui_mono_ns() >= until)
			break;
	}
	if (any) {
		uint64_t first = ns_tuistore_first(&t->st);
		size_t before = ns_tui_nrows(t);
		vec_trim(&t->rows, first);
		vec_trim(&t->tail, first);
		size_t gone = before - ns_tui_nrows(t);
		t->sel = t->sel > gone ? t->sel - gone : 0;
		t->top = t->top > gone ? t->top - gone : 0;
		if (t->rescan_next < first)
			t->rescan_next = first;
	}
	return any;
}

/* ---- the display filter ------------------------------------------------- */

/* The rescan's engine gives its flows and reassembly back, and the heap
 * returns the pages they held to the system: a dropped or finished filter
 * leaves the memory where it was before (glibc keeps freed small blocks
 * otherwise). */
static void give_back(struct tui *t)
{
	ns_tuireplay_reset(&t->rescan);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

void ns_tui_rescan_step(struct tui *t, int64_t budget_ns)
{
	if (!t->rescanning)
		return;
	int64_t until = ns_tui_mono_ns() + budget_ns;
	while (t->rescan_next <= t->rescan_end) {
		uint64_t n = t->rescan_next++;
		if (ns_tuireplay_frame(&t->rescan, &t->st, n) == 0 &&
		    ns_dfilter_match(t->df, &t->rescan.pkt)) {
			vec_push(&t->rows, n);
			ns_tuimodel_match(&t->model, &t->rescan.pkt);
		}
		if ((n & 63) == 0 && ns_tui_mono_ns() >= until)
			return;
	}
	for (size_t i = 0; i < t->tail.n; i++)
		vec_push(&t->rows, t->tail.v[t->tail.head + i]);
	vec_clear(&t->tail);
	t->rescanning = 0;
	give_back(t);
}

int ns_tui_apply_filter(struct tui *t, const char *expr)
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
	ns_tuimodel_match_clear(&t->model); /* the tables' marks start over */
	snprintf(t->filter, sizeof(t->filter), "%s", expr);
	vec_clear(&t->rows);
	vec_clear(&t->tail);
	t->sel = t->top = 0;
	t->follow = 1;
	t->paused = 0;
	t->detail_frame = 0;
	uint64_t first = ns_tuistore_first(&t->st);
	if (!df) {
		if (t->rescanning)
			give_back(t); /* a rescan cut short */
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
