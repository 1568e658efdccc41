/*
 * tables — the Connections, Calls, DNS and Methods views of `netscope
 * tui`: one table each, a row per TCP/UDP flow, HTTP/2 stream or gRPC
 * call, DNS transaction, gRPC method or HTTP method and path, read from
 * the view models (tuimodel.c).  The Methods view sums every call that
 * ended since the start, whatever the display filter.
 *
 * The rows are not kept in order: each frame collects the row indices of
 * the current view and sorts them by the view's sort key (s cycles through
 * four), the biggest first, ties broken by position so the order is total
 * and rows do not jump between frames.  The comparison gets the UI state
 * as qsort_r's argument.  A row is one line cut to the terminal's width;
 * a failed call, an error rcode or an unsolicited answer is drawn in red.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "tui/tui_int.h"

static const char *const sort_names[V_COUNT][4] = {
    {""},
    {"stream", "bytes", "packets", "rate"},
    {"time", "latency", "status", "path"},
    {"time", "response", "name", "rcode"},
    {"calls", "errors", "p99", "method"},
};

static const char dns_header[] =
    "  frame     id type   name                             rcode     "
    "response  answers";

/* Below these widths the tables keep their important columns (counts,
 * rates, latencies, messages) and give the path and the addresses less
 * room, instead of cutting the right-hand columns off. */
#define CONNS_WIDE 118
#define CALLS_WIDE 110

const char *ns_tui_sort_name(int view, int key)
{
	return sort_names[view][key];
}

/* ---- order -------------------------------------------------------------- */

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0; /* biggest first */
}

const struct ns_tui_conn *ns_tui_conn_of(struct tui *t, uint32_t i)
{
	uint32_t p = i >> 31;
	return &t->model.conn[p][i & 0x7fffffffu];
}

static int cmp_conn(const void *a, const void *b, void *ctx)
{
	struct tui *t = ctx;
	const struct ns_tui_conn *x = ns_tui_conn_of(t, *(const uint32_t *)a);
	const struct ns_tui_conn *y = ns_tui_conn_of(t, *(const uint32_t *)b);
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

static int cmp_call(const void *a, const void *b, void *ctx)
{
	struct tui *t = ctx;
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

static int cmp_dns(const void *a, const void *b, void *ctx)
{
	struct tui *t = ctx;
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

static int cmp_method(const void *a, const void *b, void *ctx)
{
	struct tui *t = ctx;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	struct ns_method_row *x = ns_methods_row(&t->model.methods, i);
	struct ns_method_row *y = ns_methods_row(&t->model.methods, j);
	int r = 0;
	switch (t->sortkey[V_METHODS]) {
	case 0:
		r = cmp_i64((int64_t)x->calls, (int64_t)y->calls);
		break;
	case 1:
		r = cmp_i64((int64_t)x->errors, (int64_t)y->errors);
		break;
	case 2:
		r = cmp_i64(ns_quant_pct(&x->lat, 99),
			    ns_quant_pct(&y->lat, 99));
		break;
	}
	if (r)
		return r;
	return strcmp(ns_methods_key(&t->model.methods, i),
		      ns_methods_key(&t->model.methods, j));
}

void ns_tui_build_order(struct tui *t)
{
	t->norder = 0;
	/* with a display filter, the rows one of whose packets matched */
	int all = !t->df;
	struct ns_tuimodel *m = &t->model;
	if (t->view == V_CONNS) {
		for (uint32_t p = 0; p < 2; p++)
			for (uint32_t i = 0; i < m->conn_cap[p]; i++)
				if (m->conn[p][i].used &&
				    (all || m->conn[p][i].matched))
					push_order(t, p << 31 | i);
		qsort_r(t->order, t->norder, sizeof(*t->order), cmp_conn, t);
	} else if (t->view == V_CALLS) {
		uint32_t n = ns_tuimodel_calls_held(m);
		for (uint32_t i = 0; i < n; i++)
			if (all || ns_tuimodel_call_matched(
				       m, ns_tuimodel_call_at(m, i)))
				push_order(t, i);
		qsort_r(t->order, t->norder, sizeof(*t->order), cmp_call, t);
	} else if (t->view == V_DNS) {
		uint32_t n = ns_tuimodel_dns_held(m);
		for (uint32_t i = 0; i < n; i++)
			if (all || ns_tuimodel_dns_at(m, i)->matched)
				push_order(t, i);
		qsort_r(t->order, t->norder, sizeof(*t->order), cmp_dns, t);
	} else if (t->view == V_METHODS) {
		uint32_t n = ns_keymap_size(&m->methods.rows);
		for (uint32_t i = 0; i < n; i++)
			if (ns_methods_row(&m->methods, i))
				push_order(t, i);
		qsort_r(t->order, t->norder, sizeof(*t->order), cmp_method, t);
	}
}

/* ---- rows --------------------------------------------------------------- */

/* Columns s takes on the screen (UTF-8: continuation bytes take none). */
static size_t columns(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((uint8_t)*s & 0xc0) != 0x80;
	return n;
}

/* Appends s to line[size] as a column of w: cut from the left when
 * longer ("…" first, so the end, a method name or a port, stays), padded
 * to w columns (on the left when right is set), then a space. */
static void add_col(char *line, size_t size, const char *s, size_t w, int right)
{
	size_t len = strlen(line);
	if (len + 1 >= size)
		return;
	char buf[256];
	if (columns(s) > w && w >= 2) {
		const char *p = s;
		while (columns(p) > w - 1)
			p++;
		while (((uint8_t)*p & 0xc0) == 0x80)
			p++;
		snprintf(buf, sizeof(buf), "\xe2\x80\xa6%s", p);
		s = buf;
	}
	size_t pad = w > columns(s) ? w - columns(s) : 0;
	snprintf(line + len, size - len, "%*s%s%*s ", right ? (int)pad : 0, "",
		 s, right ? 0 : (int)pad, "");
}

static size_t clamp(long v, long lo, long hi)
{
	return (size_t)(v < lo ? lo : v > hi ? hi : v);
}

/* The header of the Connections or Calls table at this width. */
static void table_header(int view, char *b, size_t size)
{
	b[0] = '\0';
	if (view == V_CONNS && COLS >= CONNS_WIDE) {
		size_t aw = clamp((COLS - 79) / 2, 21, 40);
		snprintf(b, size, "     strm ");
		add_col(b, size, "client", aw, 0);
		add_col(b, size, "server", aw, 0);
		snprintf(b + strlen(b), size - strlen(b),
			 "%-7s %7s %-13s %-11s %-15s %8s", "state", "rtt",
			 "app", "pkts c>s/s>c", "  bytes c>s/s>c", "rate");
	} else if (view == V_CONNS) {
		size_t aw = clamp((COLS - 46) / 2, 12, 47);
		snprintf(b, size, "strm  ");
		add_col(b, size, "client", aw, 0);
		add_col(b, size, "server", aw, 0);
		snprintf(b + strlen(b), size - strlen(b),
			 "%-11s %-15s %8s %-7s %s", "pkts c>s/s>c",
			 "  bytes c>s/s>c", "rate", "state", "app");
	} else if (view == V_CALLS) {
		int wide = COLS >= CALLS_WIDE;
		size_t pw =
		    wide ? clamp(COLS - 96, 28, 60) : clamp(COLS - 61, 12, 60);
		snprintf(b, size, "conn stream %smeth ", wide ? "kind " : "");
		add_col(b, size, "path", pw, 0);
		snprintf(b + strlen(b), size - strlen(b), "%-17s %8s %8s ",
			 "status", "latency", "ttfb");
		if (wide)
			snprintf(b + strlen(b), size - strlen(b), "%8s ",
				 "first");
		snprintf(b + strlen(b), size - strlen(b), "%s", "msgs");
		if (wide)
			snprintf(b + strlen(b), size - strlen(b), "    end");
	} else if (view == V_METHODS) {
		snprintf(b, size, "%6s %6s %6s %8s %8s %8s  ", "calls",
			 "errors", "err%", "p50", "p99", "max");
		add_col(b, size, "method", clamp(COLS - 81, 24, 60), 0);
		snprintf(b + strlen(b), size - strlen(b), "status");
	} else {
		snprintf(b, size, "%s", dns_header);
	}
}

/* A QUIC connection's version and how it closed, after its columns:
 * " v1 H3_NO_ERROR by client" (the names --conversations gives). */
static void quic_text(struct tui *t, const struct ns_tui_conn *c, char *s,
		      size_t size)
{
	struct ns_buf b = {0};
	uint32_t v = c->quic_version;
	if (v == 1 || v == 0x6b3343cf)
		ns_buf_printf(&b, " v%d", v == 1 ? 1 : 2);
	else if (v)
		ns_buf_printf(&b, " v0x%08x", v);
	if (c->quic_closed) {
		ns_buf_putc(&b, ' ');
		ns_field_put_name(
		    &b, c->quic_close_app ? t->model.f_h3err : t->model.f_qcc,
		    c->quic_close_code);
		ns_buf_puts(&b, c->quic_close_by ? " by server" : " by client");
	}
	snprintf(s, size, "%.*s", (int)b.len, b.p ? b.p : "");
	ns_buf_free(&b);
}

static attr_t conn_text(struct tui *t, uint32_t i, char *s, size_t size)
{
	char x[32], y[32];
	const struct ns_tui_conn *c = ns_tui_conn_of(t, i);
	char b0[16], b1[16];
	ns_tui_human(x, sizeof(x), (double)ns_tuimodel_rate(&t->model, c),
		     "B/s");
	ns_tui_human(b0, sizeof(b0), (double)c->bytes[0], "B");
	ns_tui_human(b1, sizeof(b1), (double)c->bytes[1], "B");
	ns_tui_ms(y, sizeof(y), c->rtt);
	char app[80], pk[48], by[40], mt[128] = "";
	snprintf(app, sizeof(app), "%s%s%s", c->app[0] ? c->app : "-",
		 c->sni[0] ? " " : "", c->sni);
	if (c->mtls) /* mutual TLS, and who the client is */
		snprintf(mt, sizeof(mt), " %s%s%s",
			 c->mtls == 2 ? "mtls" : "mtls=no-client-cert",
			 c->client_id[0] ? " " : "", c->client_id);
	else if (c->quic)
		quic_text(t, c, mt, sizeof(mt));
	snprintf(pk, sizeof(pk), "%5llu/%-5llu", (unsigned long long)c->pkts[0],
		 (unsigned long long)c->pkts[1]);
	snprintf(by, sizeof(by), "%7s/%-7s", b0, b1);
	if (COLS >= CONNS_WIDE) {
		size_t aw = clamp((COLS - 79) / 2, 21, 40);
		snprintf(s, size, "%s %5u ", c->flow >> 31 ? "udp" : "tcp",
			 c->flow & 0x7fffffffu);
		add_col(s, size, c->cli, aw, 0);
		add_col(s, size, c->srv, aw, 0);
		snprintf(s + strlen(s), size - strlen(s),
			 "%-7s %7s %-13.13s %s %s %8s%s",
			 ns_tuimodel_state_name(c), y, app, pk, by, x, mt);
	} else {
		/* the counts before the state and the application */
		size_t aw = clamp((COLS - 46) / 2, 12, 47);
		snprintf(s, size, "%c%4u ", c->flow >> 31 ? 'u' : 't',
			 c->flow & 0x7fffffffu);
		add_col(s, size, c->cli, aw, 0);
		add_col(s, size, c->srv, aw, 0);
		snprintf(s + strlen(s), size - strlen(s), "%s %s %8s %-7s %s%s",
			 pk, by, x, ns_tuimodel_state_name(c), app, mt);
	}
	return ns_tui_color(t, c->app[0] == 'g' || c->app[0] == 'h' ? C_H2
			       : c->app[0] == 't'		    ? C_TLS
			       : c->app[0] == 'd'		    ? C_DNS
								    : C_NONE);
}

/* The status column of a call: its gRPC status by name, else its HTTP
 * status, else NULL; gst is ns_tuimodel_call_status(c). */
static const char *call_status(const struct ns_tui_call *c, int gst, char *stb,
			       size_t size)
{
	const struct ns_field *gs = ns_field_by_name("grpc.status");
	const char *st = NULL;
	if (c->grpc && gst >= 0) {
		const char *gn =
		    gs ? ns_valstr_find(gs->vals, (uint64_t)gst) : NULL;
		/* a reset's meaning to the client is marked as such */
		snprintf(stb, size, "%s%s", gn ? gn : "?",
			 c->grpc_status < 0 ? " (rst)" : "");
		st = stb;
	}
	if (!st && c->status >= 0) {
		snprintf(stb, size, "%d", c->status);
		st = stb;
	}
	return st;
}

static attr_t call_text(struct tui *t, uint32_t i, char *s, size_t size)
{
	char x[32], y[32], z[32], w[48];
	const struct ns_tui_call *c = ns_tuimodel_call_at(&t->model, i);
	char stb[32];
	int gst = ns_tuimodel_call_status(c);
	const char *st = call_status(c, gst, stb, sizeof(stb));
	ns_tui_ms(x, sizeof(x), latency(c));
	ns_tui_ms(y, sizeof(y),
		  c->t_req >= 0 && c->t_first_resp >= 0
		      ? c->t_first_resp - c->t_req
		      : -1);
	/* first: the first message, or an SSE stream's first event */
	int64_t first = c->sse ? c->t_first_event : c->t_first_msg;
	ns_tui_ms(z, sizeof(z),
		  c->t_req >= 0 && first >= 0 ? first - c->t_req : -1);
	ns_tuimodel_call_end(&t->model, c, w, sizeof(w));
	int wide = COLS >= CALLS_WIDE;
	size_t pw = wide ? clamp(COLS - 96, 28, 60) : clamp(COLS - 61, 12, 60);
	snprintf(s, size, "%4u %5u %s%-4s ", c->conn & 0x7fffffffu, c->sid,
		 wide ? (c->grpc  ? "gRPC "
			 : c->sse ? "SSE  "
			 : c->h3  ? "h3   "
				  : "h2   ")
		      : "",
		 c->method[0] ? c->method : "-");
	add_col(s, size, c->path[0] ? c->path : "-", pw, 0);
	snprintf(s + strlen(s), size - strlen(s), "%-17s %8s %8s ",
		 st ? st : "-", x, y);
	if (wide)
		snprintf(s + strlen(s), size - strlen(s), "%8s ", z);
	if (c->sse) /* the events it streamed */
		snprintf(s + strlen(s), size - strlen(s), "ev %-4u", c->events);
	else
		snprintf(s + strlen(s), size - strlen(s), "%3u/%-3u",
			 c->msgs[0], c->msgs[1]);
	if (wide && c->sse_done)
		strncat(w, " [DONE]", sizeof(w) - strlen(w) - 1);
	if (wide)
		snprintf(s + strlen(s), size - strlen(s), " %-16s%s%s", w,
			 c->grpc_msg[0] ? " \"" : "", c->grpc_msg);
	if (wide && c->grpc_msg[0])
		strncat(s, "\"", size - strlen(s) - 1);
	int bad = (c->grpc && gst > 0) || c->status >= 400 ||
		  (!c->grpc && c->end == NS_CALL_RESET) || c->hpack_lost;
	return bad ? ns_tui_color(t, C_ERR) | A_BOLD : A_NORMAL;
}

static attr_t dns_text(struct tui *t, uint32_t i, char *s, size_t size)
{
	char x[32];
	const struct ns_tui_dns *d = ns_tuimodel_dns_at(&t->model, i);
	const struct ns_field *rf = ns_field_by_name("dns.rcode");
	const char *rc = d->rcode >= 0 && rf
			     ? ns_valstr_find(rf->vals, (uint64_t)d->rcode)
			     : NULL;
	ns_tui_ms(x, sizeof(x), d->rtt);
	snprintf(x + strlen(x), sizeof(x) - strlen(x), "%s", "");
	snprintf(s, size, "%7llu 0x%04x %-6s %-32s %-9s %9s %s",
		 (unsigned long long)d->qframe, d->id, d->qtype,
		 d->name[0] ? d->name : "-",
		 d->unsolicited ? "unsolic."
		 : !d->answered ? "no answer"
		 : rc		? rc
				: "?",
		 x, d->answers);
	return d->rcode > 0 || d->unsolicited ? ns_tui_color(t, C_ERR) | A_BOLD
					      : A_NORMAL;
}

static attr_t method_text(struct tui *t, uint32_t i, char *s, size_t size)
{
	struct ns_method_row *r = ns_methods_row(&t->model.methods, i);
	char p50[16], p99[16], mx[16], mix[160];
	ns_tui_ms(p50, sizeof(p50), ns_quant_pct(&r->lat, 50));
	ns_tui_ms(p99, sizeof(p99), ns_quant_pct(&r->lat, 99));
	ns_tui_ms(mx, sizeof(mx), r->lat.max);
	ns_methods_status_mix(r, mix, sizeof(mix));
	snprintf(s, size, "%6llu %6llu %5.1f%% %8s %8s %8s  ",
		 (unsigned long long)r->calls, (unsigned long long)r->errors,
		 r->calls ? 100.0 * (double)r->errors / (double)r->calls : 0.0,
		 p50, p99, mx);
	add_col(s, size, ns_methods_key(&t->model.methods, i),
		clamp(COLS - 81, 24, 60), 0);
	snprintf(s + strlen(s), size - strlen(s), "%s", mix);
	return r->errors ? ns_tui_color(t, C_ERR) | A_BOLD
			 : ns_tui_color(t, r->grpc ? C_H2 : C_HTTP);
}

void ns_tui_row_text(struct tui *t, uint32_t i, char *s, size_t size, attr_t *a)
{
	*a = A_NORMAL;
	if (t->view == V_CONNS)
		*a = conn_text(t, i, s, size);
	else if (t->view == V_CALLS)
		*a = call_text(t, i, s, size);
	else if (t->view == V_METHODS)
		*a = method_text(t, i, s, size);
	else
		*a = dns_text(t, i, s, size);
}

/* ---- the table ---------------------------------------------------------- */

void ns_tui_draw_table(struct tui *t)
{
	ns_tui_build_order(t);
	int v = t->view;
	int h = LINES - 4;
	char hb[300];
	table_header(v, hb, sizeof(hb));
	ns_tui_bar(t, 1, hb);
	/* the sort key stays in sight, at the right end of the tabs */
	char sk[48];
	int skn = snprintf(sk, sizeof(sk), "sort: %s ",
			   ns_tui_sort_name(v, t->sortkey[v]));
	if (skn > 0 && skn < COLS) {
		attron(ns_tui_color(t, C_BAR) | A_BOLD);
		ns_tui_put(0, COLS - skn, sk, skn);
		attroff(ns_tui_color(t, C_BAR) | A_BOLD);
	}
	if (t->vsel[v] >= t->norder)
		t->vsel[v] = t->norder ? t->norder - 1 : 0;
	ns_tui_scroll_to(t->vsel[v], &t->vtop[v], h);
	char s[600];
	for (int i = 0; i < h && t->vtop[v] + (size_t)i < t->norder; i++) {
		size_t r = t->vtop[v] + (size_t)i;
		attr_t a;
		ns_tui_row_text(t, t->order[r], s, sizeof(s), &a);
		if (r == t->vsel[v]) {
			a = ns_tui_color(t, C_SEL);
			attron(a);
			mvhline(2 + i, 0, ' ', COLS);
		} else {
			attron(a);
		}
		ns_tui_put(2 + i, 0, s, COLS);
		attroff(a);
	}
	if (!t->norder)
		ns_tui_put(
		    3, 2,
		    v == V_CONNS ? "(no TCP or UDP flows yet)"
		    : v == V_CALLS
			? "(no HTTP/2 streams, gRPC calls or SSE streams yet)"
		    : v == V_METHODS ? "(no call has ended yet)"
				     : "(no DNS queries yet)",
		    COLS - 2);
}
