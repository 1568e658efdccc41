/*
 * tui — see tui.h; the lifecycle of `netscope tui`: the terminal, setting
 * up and tearing down the UI state, and the main loop.  The other files of
 * the TUI are listed in tui_int.h.
 *
 * The loop, on the UI thread: take packets from the capture ring for at
 * most 30 ms, advance a pending filter rescan by at most 20 ms, handle the
 * keys typed, draw (at once after a key, during a rescan, otherwise at
 * most every NS_TUI_REDRAW_MS unless paused), then sleep in poll() until a
 * key, the ring's wake-up pipe or the next redraw, and not at all while
 * there is work left.  It ends on q, on SIGINT/SIGTERM/SIGHUP (ns_signalled,
 * set by the capture module's handlers, which ncurses leaves alone because
 * they are installed before initscr), or on a capture or spill error.
 *
 * The terminal is restored on every way out: after the loop, from an
 * atexit hook, and from the crash signals' handler.  Those two cannot be
 * given an argument, so whether curses is on is the one file-static flag.
 */
#include "tui/tui.h"

#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "capture/run.h"
#include "core/field.h"
#include "output/httpd.h"
#include "tui/tui_int.h"

static int curses_on;

int64_t ns_tui_mono_ns(void)
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
	ns_tui_colors_start(t);
}

/* ---- setup and teardown ------------------------------------------------- */

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
	    ns_tuimodel_init(&t->model) < 0 ||
	    ns_tuimodel_subscribe(&t->model, &t->eng.bus) < 0) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -1;
	}
	if (o->metrics && !(t->metrics = ns_metrics_new(&t->eng))) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -1;
	}
	t->eng.pbschema = o->pbschema;
	if (o->max_state_mib)
		t->eng.mem.cap = (size_t)o->max_state_mib << 20;
	ns_pkt_init(&t->pkt);
	ns_tuireplay_init(&t->rescan, o->max_flows, o->pbschema);
	ns_tuireplay_init(&t->detail, o->max_flows, o->pbschema);
	t->eng.keylog = o->keylog;
	t->rescan.keylog = t->detail.keylog = o->keylog;
	t->expanded = calloc(ns_field_count() + 1, 1);
	if (!t->expanded) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -1;
	}
	if (o->dfilter && ns_tui_apply_filter(t, o->dfilter) < 0) {
		snprintf(t->err, sizeof(t->err), "filter: %s", t->ierr);
		return -1;
	}
	t->q.max_count = o->count;
	t->q.duration_ns = o->duration_ns;
	return ns_pktq_start(&t->q, s, t->err, sizeof(t->err));
}

static void teardown(struct tui *t)
{
	ns_pktq_stop(&t->q);
	ns_tuireplay_free(&t->rescan);
	ns_tuireplay_free(&t->detail);
	ns_engine_finish(&t->eng);
	ns_metrics_free(t->metrics);
	ns_buf_free(&t->mtext);
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

/* ---- the loop ----------------------------------------------------------- */

/* Handles the keys typed so far; 1 when one of them quits. */
static int read_keys(struct tui *t, int *dirty)
{
	int ch, quit = 0;
	while (!quit && (ch = getch()) != ERR) {
		quit = ns_tui_handle_key(t, ch);
		*dirty = 2; /* a key: draw at once */
	}
	return quit;
}

/* 1 when the capture thread stopped on an error, now in t->err. */
static int capture_failed(struct tui *t)
{
	if (atomic_load(&t->q.done) && t->q.err[0] && !t->failed) {
		snprintf(t->err, sizeof(t->err), "%s", t->q.err);
		t->failed = 1;
		return 1;
	}
	return 0;
}

static void maybe_draw(struct tui *t, int64_t *last_draw, int *dirty)
{
	int64_t now = ns_tui_mono_ns();
	if (*dirty == 2 || t->rescanning ||
	    (!t->paused && now - *last_draw >= NS_TUI_REDRAW_MS * 1000000LL)) {
		ns_tui_draw(t);
		*last_draw = now;
		*dirty = 0;
	}
}

/* Sleeps until a key, a packet or the next redraw; not at all when busy. */
static void wait_events(struct tui *t, int busy)
{
	struct pollfd pfd[2] = {{.fd = 0, .events = POLLIN},
				{.fd = ns_pktq_fd(&t->q), .events = POLLIN}};
	poll(pfd, 2, busy ? 0 : NS_TUI_REDRAW_MS);
	ns_pktq_clear_wake(&t->q);
}

/* --metrics: the capture thread's counts (atomics) and the model the
 * UI thread's dissection feeds, rendered and handed to the server at most
 * every NS_METRICS_INTERVAL_MS. */
static void metrics_tick(struct tui *t)
{
	if (!t->metrics || !ns_metrics_due(t->metrics))
		return;
	struct ns_metrics_capture cap = {
	    .packets = atomic_load(&t->q.captured),
	    .bytes = atomic_load(&t->q.captured_bytes),
	    .kernel_drop = atomic_load(&t->q.kernel_drop),
	    .netscope_drop = atomic_load(&t->q.dropped)};
	ns_metrics_render(t->metrics, &cap, &t->mtext);
	ns_httpd_publish(t->o->metrics, t->mtext.p, t->mtext.len);
}

static void loop(struct tui *t)
{
	int64_t last_draw = 0;
	int dirty = 1;
	while (!ns_signalled && !t->failed) {
		int more = ns_tui_ingest(t, 30000000);
		dirty |= more;
		ns_tui_rescan_step(t, 20000000);
		if (read_keys(t, &dirty) || capture_failed(t))
			break;
		maybe_draw(t, &last_draw, &dirty);
		metrics_tick(t);
		wait_events(t, more || t->rescanning);
	}
}

int ns_tui_run(const struct ns_tui_opts *o)
{
	struct tui *t = calloc(1, sizeof(*t));
	if (!t) {
		fputs("netscope: out of memory\n", stderr);
		return 1;
	}
	ns_run_signals(1); /* before initscr: ncurses then leaves them to us */
	int rc = 0;
	if (setup(t, o) < 0) {
		fprintf(stderr, "netscope: tui: %s\n", t->err);
		teardown(t);
		free(t);
		return 1;
	}
	curses_start(t);
	loop(t);
	restore();
	if (t->failed) {
		fprintf(stderr, "netscope: tui: %s\n", t->err);
		rc = 1;
	}
	ns_pktq_stop(&t->q);
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
