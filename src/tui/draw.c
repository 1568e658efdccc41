/*
 * draw — the frame of `netscope tui`: the drawing primitives every view
 * uses (colours, bars, strings cut to the width, human numbers, scrolling),
 * the lines around the views (tabs on top, status and input line at the
 * bottom), the help overlay, and ns_tui_draw() that puts a frame together.
 *
 * Everything on screen is built from strings cut to the terminal's width
 * (mvaddnstr), so any size from 80x24 up works, and a resize just draws
 * the next frame at the new size.  Without colours (a monochrome terminal,
 * or NO_COLOR set) only what must stand out is marked, bold or reversed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/tui_int.h"

static const char *const view_names[V_COUNT] = {"Packets", "Connections",
						"Calls", "DNS", "Methods"};

/* ---- primitives --------------------------------------------------------- */

void ns_tui_colors_start(struct tui *t)
{
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

attr_t ns_tui_color(const struct tui *t, int c)
{
	if (!t->colors) /* monochrome: only what must stand out */
		return c == C_BAD || c == C_ERR		       ? A_BOLD
		       : c == C_BAR || c == C_SEL || c == C_HL ? A_REVERSE
							       : A_NORMAL;
	return COLOR_PAIR(c);
}

void ns_tui_put(int y, int x, const char *s, int width)
{
	if (width > 0)
		mvaddnstr(y, x, s, width);
}

void ns_tui_bar(struct tui *t, int y, const char *s)
{
	attron(ns_tui_color(t, C_BAR));
	mvhline(y, 0, ' ', COLS);
	ns_tui_put(y, 0, s, COLS);
	attroff(ns_tui_color(t, C_BAR));
}

void ns_tui_human(char *b, size_t size, double v, const char *unit)
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

/* Rounded on whole nanoseconds, half up, as --calls does (ns_buf_ms), so
 * both show the same digits: 2 decimals below 10 ms, 1 below 1 s. */
void ns_tui_ms(char *b, size_t size, int64_t ns)
{
	long long v;
	if (ns < 0) {
		snprintf(b, size, "-");
	} else if (ns < 9995000) {
		v = (long long)((ns + 5000) / 10000);
		snprintf(b, size, "%lld.%02lldms", v / 100, v % 100);
	} else if (ns < 999950000) {
		v = (long long)((ns + 50000) / 100000);
		snprintf(b, size, "%lld.%lldms", v / 10, v % 10);
	} else {
		v = (long long)((ns + 5000000) / 10000000);
		snprintf(b, size, "%lld.%02llds", v / 100, v % 100);
	}
}

void ns_tui_scroll_to(size_t sel, size_t *top, int h)
{
	if (h <= 0)
		return;
	if (sel < *top)
		*top = sel;
	if (sel >= *top + (size_t)h)
		*top = sel - (size_t)h + 1;
}

/* ---- tabs, status, input line ------------------------------------------- */

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
	ns_tui_bar(t, 0, b);
}

static void read_rss(struct tui *t)
{
	int64_t now = ns_tui_mono_ns();
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
	ns_tui_human(rate, sizeof(rate), (double)r, " pkt/s");
	ns_tui_human(mem, sizeof(mem), (double)t->rss, "B");
	const char *state = t->failed ? "FAILED"
			    : !atomic_load(&t->q.done)
				? (t->q.src->live ? "live" : "reading")
			    : t->q.src->live ? "stopped"
					     : "end of file";
	snprintf(b, sizeof(b),
		 " captured %llu  shown %zu  dropped: kernel %llu netscope %llu"
		 "  %s  flows %u  mem %s  %s%s%s%s",
		 (unsigned long long)atomic_load(&t->q.captured),
		 ns_tui_nrows(t),
		 (unsigned long long)atomic_load(&t->q.kernel_drop),
		 (unsigned long long)atomic_load(&t->q.dropped), rate,
		 t->eng.flows.count, mem, state, t->paused ? "  PAUSED" : "",
		 t->rescanning ? "  filtering…" : "",
		 *t->filter ? "  filter: " : "");
	size_t n = strlen(b);
	snprintf(b + n, sizeof(b) - n, "%s", t->filter);
	ns_tui_bar(t, LINES - 2, b);
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
		attr_t a = t->input == 'f'
			       ? ns_tui_color(t, t->ivalid ? C_OK : C_ERR)
			       : A_NORMAL;
		if (t->isuggest)
			a |= A_DIM | A_UNDERLINE; /* a key replaces it */
		ns_tui_put(y, 0, p, COLS);
		attron(a);
		ns_tui_put(y, (int)strlen(p), t->ibuf, COLS - (int)strlen(p));
		attroff(a);
		if (t->input == 'f' && !t->ivalid && *t->ierr) {
			int x = (int)strlen(p) + (int)t->ilen + 2;
			attron(ns_tui_color(t, C_ERR));
			ns_tui_put(y, x, t->ierr, COLS - x);
			attroff(ns_tui_color(t, C_ERR));
		}
		return;
	}
	ns_tui_put(y, 0, t->msg, COLS);
}

/* ---- help, and the frame ------------------------------------------------ */

static const char help_text[] =
    "netscope tui: keys\n"
    "\n"
    "  Tab, 1 2 3 4 5   switch view: Packets, Connections, Calls, DNS,\n"
    "                   Methods (calls per gRPC method / HTTP path since\n"
    "                   the start: errors, latency p50 p99 max)\n"
    "  Up Down          move      PgUp PgDn   page\n"
    "  Home g / End G   first / last row (End follows new packets)\n"
    "  Enter            Packets: open the field tree (Enter/Right expand,\n"
    "                   Left collapse, Esc back to the list);\n"
    "                   Connections: the packets of that flow;\n"
    "                   Calls: headers, trailers and messages of the call\n"
    "  /  n             search the rows for text, next match\n"
    "  f                display filter (checked as you type, Enter applies\n"
    "                   it to every view: a connection, call or DNS query\n"
    "                   is shown when one of its packets matches; empty\n"
    "                   clears it)\n"
    "  Space            pause / resume the display (capture continues)\n"
    "  s                sort (Connections, Calls, DNS, Methods): next key\n"
    "  w                write the shown packets to a pcap file\n"
    "  ?                this help      Esc  close      q  quit\n";

static void draw_help(struct tui *t)
{
	int w = 76 < COLS ? 76 : COLS, h = 20 < LINES - 2 ? 20 : LINES - 2;
	int x0 = (COLS - w) / 2, y0 = 1;
	const char *p = help_text;
	attron(ns_tui_color(t, C_SEL));
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
	attroff(ns_tui_color(t, C_SEL));
}

void ns_tui_draw(struct tui *t)
{
	erase();
	draw_tabs(t);
	if (t->view == V_PACKETS)
		ns_tui_draw_packets(t);
	else if (t->call_open && t->view == V_CALLS)
		ns_tui_draw_call_detail(t);
	else
		ns_tui_draw_table(t);
	draw_status(t);
	draw_bottom(t);
	if (t->help)
		draw_help(t);
	refresh();
}
