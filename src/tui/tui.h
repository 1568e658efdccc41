/*
 * tui — `netscope tui`: the live ncurses view of a capture or a file.
 *
 * Threads: the capture thread (tuiq.c) reads the source into a bounded
 * ring; the UI thread (this module) takes packets from the ring, appends
 * them to the spill file (tuistore.c), dissects them once with the run's
 * engine for the summary line, the display filter and the views' models
 * (tuimodel.c), and draws at most every NS_TUI_REDRAW_MS.  Views: Packets
 * (list, field tree, hex), Connections, Calls, DNS.  The terminal is
 * restored on every way out: quit, a capture error, SIGINT/SIGTERM/SIGHUP,
 * and a crash signal.  The module is several files, by what each does
 * (lifecycle, packet list, drawing, views, tables, call detail, keys);
 * tui_int.h lists them and holds the UI state they share.
 */
#ifndef NS_TUI_H
#define NS_TUI_H

#include <stdint.h>

#include "capture/source.h"

#define NS_TUI_REDRAW_MS 100

struct ns_pbschema;
struct ns_keylog;
struct ns_httpd;

struct ns_tui_opts {
	struct ns_source *src;	/* open, with its BPF filter set */
	const char *dfilter;	/* -Y, or NULL */
	uint64_t count;		/* -c */
	int64_t duration_ns;	/* -a duration */
	uint32_t max_flows;	/* --max-flows, 0 default */
	uint32_t max_state_mib; /* --max-state, 0 default */
	const struct ns_pbschema *pbschema;
	const struct ns_keylog *keylog; /* --tls-keylog, or NULL */
	const char *bpf;		/* shown in the status bar */
	/* --metrics: the server (listening, made by the caller before -Z)
	 * the UI thread publishes the metrics to, or NULL */
	struct ns_httpd *metrics;
};

/* Runs the UI until the user quits; returns the exit status (0, or 1
 * after printing why it failed). */
int ns_tui_run(const struct ns_tui_opts *o);

#endif
