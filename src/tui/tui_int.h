/*
 * tui_int — the UI thread's state, shared by the files of `netscope tui`
 * and by nothing else (the public entry point is tui.h).
 *
 * The TUI is one state struct (struct tui) handed to every function as its
 * first argument; no file keeps a pointer to it, so each file's functions
 * read and change only what they are given.  The files, by what they do:
 *
 *   tui.c    lifecycle: the terminal, setup and teardown, the main loop
 *   rows.c   the packet list: packets taken from the capture ring, the
 *            display filter applied to them and re-applied by a replay
 *   draw.c   primitives (colours, bars, cut strings, numbers), the tabs,
 *            status and bottom lines, help, and the frame as a whole
 *   views.c  the Packets view: list, field tree, hex pane
 *   tables.c the Connections, Calls, DNS and Methods tables: order, sort,
 *            rows
 *   call.c   the call detail: headers, trailers and messages of a call
 *   input.c  keys, the input line (filter bar, search, write), search
 *
 * Invariants: the packet list is rows followed by tail (tail is filled
 * only while a rescan runs); sel and top index that list, vsel[v] and
 * vtop[v] the order[] of view v; expanded[] is indexed by field id and
 * sized ns_field_count() + 1; lines[] and vis[] describe detail.pkt of
 * detail_frame (0: none loaded).
 */
#ifndef NS_TUI_INT_H
#define NS_TUI_INT_H

#include <ncurses.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/engine.h"
#include "core/packet.h"
#include "reports/metrics.h"
#include "filter/dfilter.h"
#include "output/format.h"
#include "tui/tui.h"
#include "tui/tuimodel.h"
#include "capture/pktq.h"
#include "tui/tuistore.h"

enum { V_PACKETS, V_CONNS, V_CALLS, V_DNS, V_METHODS, V_COUNT };

/* colour pairs, by protocol of the packet's top layer */
/* the packets' colours are their classes (output/format.h) */
enum ns_tui_color {
	C_NONE = NS_CLASS_NONE,
	C_TCP = NS_CLASS_TCP,
	C_UDP = NS_CLASS_UDP,
	C_DNS = NS_CLASS_DNS,
	C_TLS = NS_CLASS_TLS,
	C_H2 = NS_CLASS_H2,
	C_HTTP = NS_CLASS_HTTP,
	C_ICMP = NS_CLASS_ICMP,
	C_ARP = NS_CLASS_ARP,
	C_BAD = NS_CLASS_BAD,
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
	struct ns_pktq q;
	struct ns_tuistore st;
	struct ns_engine eng;
	struct ns_packet pkt;
	struct ns_tuimodel model;
	struct ns_metrics *metrics; /* --metrics (reports/metrics.h), or NULL */
	struct ns_buf mtext;	    /* its text last rendered */
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
	/* the prompt still shows its suggestion (the last filter or search,
	 * a file name): typing replaces it, Enter takes it, an edit keeps it */
	int isuggest;
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

/* tui.c */
int64_t ns_tui_mono_ns(void);

/* rows.c: the packet list */
size_t ns_tui_nrows(const struct tui *t);
uint64_t ns_tui_row_frame(const struct tui *t, size_t i);
/* Takes packets from the ring for at most budget_ns; 1 when any. */
int ns_tui_ingest(struct tui *t, int64_t budget_ns);
void ns_tui_rescan_step(struct tui *t, int64_t budget_ns);
/* Applies expr ("" for none); 0, or -1 with the error in t->ierr. */
int ns_tui_apply_filter(struct tui *t, const char *expr);

/* draw.c */
void ns_tui_colors_start(struct tui *t);
attr_t ns_tui_color(const struct tui *t, int c);
void ns_tui_put(int y, int x, const char *s, int width);
void ns_tui_bar(struct tui *t, int y, const char *s);
void ns_tui_human(char *b, size_t size, double v, const char *unit);
/* Milliseconds in at most 7 characters. */
void ns_tui_ms(char *b, size_t size, int64_t ns);
/* Keeps sel visible in a window of h rows starting at *top. */
void ns_tui_scroll_to(size_t sel, size_t *top, int h);
void ns_tui_draw(struct tui *t);

/* views.c: the Packets view */
void ns_tui_build_vis(struct tui *t);
void ns_tui_draw_packets(struct tui *t);

/* tables.c: Connections, Calls, DNS, Methods */
const struct ns_tui_conn *ns_tui_conn_of(struct tui *t, uint32_t i);
/* The rows of the current view, sorted. */
void ns_tui_build_order(struct tui *t);
/* The text of row i of the current view; *a its attribute. */
void ns_tui_row_text(struct tui *t, uint32_t i, char *s, size_t size,
		     attr_t *a);
const char *ns_tui_sort_name(int view, int key);
void ns_tui_draw_table(struct tui *t);

/* call.c: the call detail */
void ns_tui_open_call(struct tui *t, const struct ns_tui_call *c);
void ns_tui_draw_call_detail(struct tui *t);

/* input.c: 1 when the key quits */
int ns_tui_handle_key(struct tui *t, int ch);

#endif
