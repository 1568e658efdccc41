/*
 * input — the keys of `netscope tui`: moving in the current view, Enter
 * (open the field tree, a connection's packets, a call's detail, a DNS
 * transaction's packets), and the input line at the bottom, which is the
 * filter bar (f), the search prompt (/) or the file name to write (w).
 *
 * The filter bar compiles what is typed at every key and shows the
 * error's column and reason, but applies it only on Enter, to every view;
 * an invalid filter keeps the bar open.  Search looks for plain text in
 * the rows as drawn (the packet summaries, or the table rows) from the
 * selection on, wrapping around.  While the help is shown any key closes
 * it (q still quits); while the input line is open every key goes to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui_int.h"

/* ---- moving ------------------------------------------------------------- */

static size_t *cur_sel(struct tui *t)
{
	return t->view == V_PACKETS ? &t->sel : &t->vsel[t->view];
}

static size_t cur_count(struct tui *t)
{
	if (t->view == V_PACKETS)
		return ns_tui_nrows(t);
	ns_tui_build_order(t);
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
			ns_tuistore_summary(&t->st, ns_tui_row_frame(t, i), s,
					    sizeof(s));
		else
			ns_tui_row_text(t, t->order[i], s, sizeof(s), &a);
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

/* ---- the input line ----------------------------------------------------- */

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
	size_t n = ns_tui_nrows(t);
	uint64_t *fr = malloc((n ? n : 1) * sizeof(*fr));
	if (!fr) {
		snprintf(t->msg, sizeof(t->msg), "write: out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		fr[i] = ns_tui_row_frame(t, i);
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
			if (ns_tui_apply_filter(t, t->ibuf) < 0) {
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
	int suggested = t->isuggest;
	t->isuggest = 0;
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (t->ilen)
			t->ilen--;
	} else if (ch == 21) { /* ^U */
		t->ilen = 0;
	} else if (ch >= 0x20 && ch < 0x100 && t->ilen + 1 < sizeof(t->ibuf)) {
		if (suggested)
			t->ilen = 0; /* typing replaces the suggestion */
		t->ibuf[t->ilen++] = (char)ch;
	} else {
		t->isuggest = suggested; /* a key that edits nothing */
	}
	t->ibuf[t->ilen] = '\0';
	validate_input(t);
}

static void start_input(struct tui *t, int mode, const char *init)
{
	t->input = mode;
	snprintf(t->ibuf, sizeof(t->ibuf), "%s", init);
	t->ilen = strlen(t->ibuf);
	t->isuggest = t->ilen > 0;
	validate_input(t);
}

/* ---- Enter -------------------------------------------------------------- */

/* Packets: the first Enter moves to the field tree, the next ones fold and
 * unfold the selected line. */
static void packets_enter(struct tui *t)
{
	if (!t->focus) {
		if (ns_tui_nrows(t)) {
			t->focus = 1;
			t->follow = 0;
		}
		return;
	}
	if (t->nvis) {
		const struct line *ln = &t->lines[t->vis[t->tsel]];
		if (ln->kids) {
			t->expanded[ln->key] ^= 1;
			ns_tui_build_vis(t);
		}
	}
}

static void enter_key(struct tui *t)
{
	if (t->view == V_PACKETS) {
		packets_enter(t);
		return;
	}
	size_t n = cur_count(t);
	size_t sel = t->vsel[t->view];
	if (!n || sel >= n)
		return;
	if (t->view == V_CONNS) {
		const struct ns_tui_conn *c = ns_tui_conn_of(t, t->order[sel]);
		char f[64];
		snprintf(f, sizeof(f), "%s.stream == %u",
			 c->flow >> 31 ? "udp" : "tcp", c->flow & 0x7fffffffu);
		ns_tui_apply_filter(t, f);
		t->view = V_PACKETS;
		t->focus = 0;
		snprintf(t->msg, sizeof(t->msg), "packets of %s", f);
	} else if (t->view == V_CALLS && !t->call_open) {
		ns_tui_open_call(t,
				 ns_tuimodel_call_at(&t->model, t->order[sel]));
	} else if (t->view == V_DNS) {
		const struct ns_tui_dns *d =
		    ns_tuimodel_dns_at(&t->model, t->order[sel]);
		char f[64];
		snprintf(f, sizeof(f), "dns.id == 0x%04x", d->id);
		ns_tui_apply_filter(t, f);
		t->view = V_PACKETS;
		t->focus = 0;
	}
}

/* ---- keys --------------------------------------------------------------- */

/* Help and the views; 1 when ch was one of these keys. */
static int view_key(struct tui *t, int ch)
{
	switch (ch) {
	case '?':
		t->help = 1;
		return 1;
	case '\t':
	case KEY_BTAB:
		t->view = (t->view + (ch == '\t' ? 1 : V_COUNT - 1)) % V_COUNT;
		t->call_open = 0;
		return 1;
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
		t->view = ch - '1';
		t->call_open = 0;
		return 1;
	default:
		return 0;
	}
}

/* Moving and Enter; 1 when ch was one of these keys. */
static int move_key(struct tui *t, int ch)
{
	switch (ch) {
	case KEY_UP:
	case 'k':
		move_sel(t, -1, 1);
		return 1;
	case KEY_DOWN:
	case 'j':
		move_sel(t, 1, 1);
		return 1;
	case KEY_PPAGE:
		move_sel(t, -1, LINES / 3 > 1 ? LINES / 3 : 1);
		return 1;
	case KEY_NPAGE:
		move_sel(t, 1, LINES / 3 > 1 ? LINES / 3 : 1);
		return 1;
	case KEY_HOME:
	case 'g':
		move_sel(t, -1, 1 << 30);
		return 1;
	case KEY_END:
	case 'G':
		move_sel(t, 1, 1 << 30);
		if (t->view == V_PACKETS && !t->focus)
			t->follow = 1;
		return 1;
	case '\r':
	case '\n':
	case KEY_ENTER:
		enter_key(t);
		return 1;
	default:
		return 0;
	}
}

/* Right unfolds the selected tree line, Left folds it. */
static void fold_key(struct tui *t, int ch)
{
	if (t->view == V_PACKETS && t->focus && t->nvis) {
		const struct line *ln = &t->lines[t->vis[t->tsel]];
		if (ln->kids) {
			t->expanded[ln->key] = ch == KEY_RIGHT;
			ns_tui_build_vis(t);
		}
	}
}

static void toggle_pause(struct tui *t)
{
	t->paused = !t->paused;
	t->paused_rows = t->rows.n + t->tail.n;
	snprintf(t->msg, sizeof(t->msg), "%s",
		 t->paused ? "display paused (capture continues)"
			   : "display resumed");
}

static void next_sort(struct tui *t)
{
	if (t->view != V_PACKETS) {
		t->sortkey[t->view] = (t->sortkey[t->view] + 1) % 4;
		snprintf(t->msg, sizeof(t->msg), "sorted by %s",
			 ns_tui_sort_name(t->view, t->sortkey[t->view]));
	}
}

/* Everything else: folding, back, the input line, search, pause, sort. */
static void other_key(struct tui *t, int ch)
{
	switch (ch) {
	case KEY_RIGHT:
	case KEY_LEFT:
		fold_key(t, ch);
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
		toggle_pause(t);
		break;
	case 's':
		next_sort(t);
		break;
	default:
		break;
	}
}

int ns_tui_handle_key(struct tui *t, int ch)
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
	if (ch == 'q')
		return 1;
	if (!view_key(t, ch) && !move_key(t, ch))
		other_key(t, ch);
	return 0;
}
