/*
 * iostat — frames and bytes per time interval, one column pair per display
 * filter: `-z io,stat,INTERVAL[,FILTER…]` as tshark's.
 *
 * INTERVAL is in seconds (fractions down to 1 µs); 0, or an interval
 * longer than the capture, makes one row for the whole capture.  Each
 * FILTER is a display filter compiled as -Y compiles it; an empty one
 * (two commas in a row) counts every frame, as no filter at all does.  A
 * filter may hold commas (`ip.addr in {10.0.0.1, 10.0.0.2}`): the
 * argument is cut at a comma only where what comes before compiles.
 *
 * Time is tshark's: each frame's time since the first frame, rounded to
 * the microsecond, picks the row (time / interval); a frame that comes
 * earlier than one already counted in its column (the capture's clock
 * went back) counts in that column's latest row, as tshark does.  The
 * rows go up to the capture's duration (its latest frame), rounded as
 * tshark rounds it; a frame exactly at the end of the last interval is
 * counted in it (tshark 4.0 leaves it out).
 *
 * Memory: the rows are a ring of at most MAX_ROWS; on an endless live
 * capture the oldest rows are folded into a total that the table's notes
 * give, so memory is bounded by MAX_ROWS × columns whatever the input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "filter/dfilter.h"
#include "reports/report.h"
#include "reports/table.h"

#define MAX_ROWS (100u * 1000) /* intervals kept */
#define MAX_COLS 32u	       /* filter columns */
#define US_MAX	 (1000000ull * 86400 * 365 * 100)

struct cell {
	uint64_t frames, bytes;
};

struct col {
	struct ns_dfilter *df; /* NULL: every frame */
	char *text;	       /* the filter as given, NULL when none */
	uint64_t last;	       /* the row it counted in last */
	struct cell dropped;   /* in rows folded out of the ring */
};

struct iostat {
	uint64_t interval; /* µs; 0: the whole capture */
	unsigned prec;	   /* decimals the interval was given with */
	unsigned ncols;
	struct col col[MAX_COLS];
	/* rows [base, base + n) in a ring of `alloc` rows from `head`;
	 * each row is ncols cells */
	struct cell *rows;
	uint32_t alloc, head, n;
	uint64_t base;
	uint64_t dropped_rows;
	uint64_t dur;	   /* µs from the first frame to the latest */
	uint64_t last_rel; /* for a frame before the first (tshark's) */
	int have;
	int oom;
};

static struct cell *cell_at(struct iostat *s, uint64_t row, unsigned c)
{
	uint32_t i = (uint32_t)((s->head + (row - s->base)) % s->alloc);
	return &s->rows[(size_t)i * s->ncols + c];
}

/* Room for one more row: the ring grows by doubling up to MAX_ROWS. */
static int grow(struct iostat *s)
{
	if (s->n < s->alloc)
		return 0;
	if (s->alloc >= MAX_ROWS)
		return -1;
	uint32_t na = s->alloc ? s->alloc * 2 : 64;
	if (na > MAX_ROWS)
		na = MAX_ROWS;
	struct cell *nr = calloc((size_t)na * s->ncols, sizeof(*nr));
	if (!nr)
		return -1;
	for (uint32_t i = 0; i < s->n; i++)
		memcpy(&nr[(size_t)i * s->ncols], cell_at(s, s->base + i, 0),
		       s->ncols * sizeof(*nr));
	free(s->rows);
	s->rows = nr;
	s->alloc = na;
	s->head = 0;
	return 0;
}

/* Folds the oldest row into the columns' dropped totals. */
static void drop_oldest(struct iostat *s)
{
	for (unsigned c = 0; c < s->ncols; c++) {
		struct cell *x = cell_at(s, s->base, c);
		s->col[c].dropped.frames += x->frames;
		s->col[c].dropped.bytes += x->bytes;
	}
	s->head = (s->head + 1) % s->alloc;
	s->base++;
	s->n--;
	s->dropped_rows++;
}

/* Makes rows up to `row` exist (empty), dropping the oldest past
 * MAX_ROWS; NULL only when memory for the first rows failed. */
static struct cell *reach(struct iostat *s, uint64_t row, unsigned c)
{
	if (row < s->base + s->n)
		return cell_at(s, row, c);
	if (s->n && row - s->base >= MAX_ROWS) {
		uint64_t from = row - MAX_ROWS + 1;
		while (s->n && s->base < from)
			drop_oldest(s);
		if (!s->n) {
			s->dropped_rows += from - s->base;
			s->base = from;
		}
	}
	if (!s->n && s->base + MAX_ROWS <= row) {
		s->dropped_rows += row - s->base;
		s->base = row;
	}
	while (s->base + s->n <= row) {
		if (grow(s) < 0 && s->n == s->alloc) {
			if (!s->n)
				return NULL;
			drop_oldest(s);
		}
		memset(cell_at(s, s->base + s->n, 0), 0,
		       s->ncols * sizeof(struct cell));
		s->n++;
	}
	return cell_at(s, row, c);
}

static void on_packet(void *ctx, const struct ns_event *ev)
{
	struct iostat *s = ctx;
	const struct ns_packet *pkt = ev->pkt;
	uint64_t rel = s->last_rel;
	if (pkt->rel >= 0) {
		rel = ((uint64_t)pkt->rel + 500) / 1000;
		s->last_rel = rel;
	}
	if (rel > US_MAX)
		rel = US_MAX;
	if (!s->have || rel > s->dur)
		s->dur = rel;
	s->have = 1;
	uint64_t row = s->interval ? rel / s->interval : 0;
	for (unsigned c = 0; c < s->ncols; c++) {
		struct col *k = &s->col[c];
		if (k->df && !ns_dfilter_match(k->df, pkt))
			continue;
		uint64_t r = row < k->last ? k->last : row;
		k->last = r;
		struct cell *x = reach(s, r, c);
		if (!x) {
			s->oom = 1;
			continue;
		}
		x->frames++;
		x->bytes += pkt->len;
	}
}

/* ---- arguments --------------------------------------------------------- */

/* INTERVAL as tshark reads it: seconds to the nearest µs, and the number
 * of decimals to show (those the value needs, or those written when it
 * is a whole number written with a point, "1.00"). */
static int parse_interval(struct iostat *s, const char *arg, const char **rest)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (end == arg || errno || !(v >= 0) || v > 1e9 ||
	    (*end && *end != ','))
		return -1;
	*rest = end;
	if (v == 0)
		return 0;
	s->interval = (uint64_t)(v * 1e6 + 0.5);
	if (!s->interval)
		return -1;
	s->prec = 6;
	for (uint64_t d = 10; d <= 1000000 && s->interval % d == 0; d *= 10)
		s->prec--;
	const char *dot = memchr(arg, '.', (size_t)(end - arg));
	if (s->prec == 0 && dot && end - dot - 1 > 0)
		s->prec = end - dot - 1 > 6 ? 6 : (unsigned)(end - dot - 1);
	return 0;
}

static char *dup_range(const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	char *t = malloc(n + 1);
	if (t) {
		memcpy(t, p, n);
		t[n] = 0;
	}
	return t;
}

/* The filter that starts at p: the shortest run up to a comma (or the
 * end) that compiles; an empty one counts every frame.  Returns where
 * the next one starts (after its comma), or NULL with err set. */
static const char *one_filter(struct col *k, const char *p, char *err,
			      size_t errlen)
{
	struct ns_dfilter_error first;
	memset(&first, 0, sizeof(first));
	int tried = 0;
	for (const char *e = p;; e++) {
		if (*e && *e != ',')
			continue;
		char *t = dup_range(p, (size_t)(e - p));
		if (!t) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		if (!*t && !tried) { /* ",," : every frame */
			free(t);
			return *e ? e + 1 : e;
		}
		struct ns_dfilter_error fe;
		struct ns_dfilter *df = ns_dfilter_compile(t, &fe);
		if (df) {
			k->df = df;
			k->text = t;
			return *e ? e + 1 : e;
		}
		free(t);
		if (!tried++)
			first = fe;
		if (!*e)
			break;
	}
	int n = (int)strcspn(p, ",");
	if (first.col)
		snprintf(err, errlen,
			 "-z io,stat: bad filter '%.*s': column %u: %s", n, p,
			 first.col, first.msg);
	else
		snprintf(err, errlen, "-z io,stat: bad filter '%.*s': %s", n, p,
			 first.msg);
	return NULL;
}

static int parse_filters(struct iostat *s, const char *p, char *err,
			 size_t errlen)
{
	if (!*p) {
		s->ncols = 1;
		return 0;
	}
	p++; /* the comma after INTERVAL */
	if (!*p || p[strlen(p) - 1] == ',') {
		snprintf(err, errlen,
			 "-z io,stat: a filter is missing after "
			 "the last comma");
		return -1;
	}
	while (*p) {
		if (s->ncols == MAX_COLS) {
			snprintf(err, errlen,
				 "-z io,stat: more than %u filter columns",
				 MAX_COLS);
			return -1;
		}
		p = one_filter(&s->col[s->ncols], p, err, errlen);
		if (!p)
			return -1;
		s->ncols++;
	}
	return 0;
}

static void iostat_free(void *state)
{
	struct iostat *s = state;
	for (unsigned c = 0; c < MAX_COLS; c++) {
		if (s->col[c].df)
			ns_dfilter_free(s->col[c].df);
		free(s->col[c].text);
	}
	free(s->rows);
	free(s);
}

/* No column filters past frame.*: -z io,stat,1 counts frames without
 * dissecting them. */
static enum ns_depth iostat_depth(const void *state)
{
	const struct iostat *s = state;
	for (unsigned c = 0; c < s->ncols; c++)
		if (s->col[c].df && !ns_dfilter_frame_only(s->col[c].df))
			return NS_DEPTH_ALL;
	return NS_DEPTH_FRAME;
}

static void *iostat_start(struct ns_engine *e, const char *arg, char *err,
			  size_t errlen)
{
	struct iostat *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	const char *rest;
	if (parse_interval(s, arg, &rest) < 0) {
		snprintf(err, errlen,
			 "-z io,stat: bad interval '%.*s' (seconds, at least "
			 "0.000001, or 0 for the whole capture; "
			 "io,stat,INTERVAL[,FILTER...])",
			 (int)strcspn(arg, ","), arg);
		free(s);
		return NULL;
	}
	if (parse_filters(s, rest, err, errlen) < 0) {
		errno = 0;
		iostat_free(s);
		return NULL;
	}
	errno = 0; /* parse errors are usage errors, report.h */
	if (ns_bus_subscribe(&e->bus, NS_EV_BIT(NS_EV_PACKET), on_packet, s) <
	    0) {
		snprintf(err, errlen, "-z io,stat: too many reports");
		iostat_free(s);
		return NULL;
	}
	return s;
}

/* ---- output ------------------------------------------------------------ */

/* What finish() works out once for both forms. */
struct layout {
	uint64_t interval;		  /* µs per printed row */
	uint64_t dur;			  /* µs, rounded as tshark rounds it */
	char dur_text[48], invl_text[48]; /* the header's figures */
	unsigned prec;			  /* decimals of the times */
	int whole;			  /* one row for the capture */
	uint64_t first, last;		  /* rows printed, from the ring */
};

static unsigned digits(uint64_t v)
{
	unsigned n = 1;
	while (v >= 10)
		v /= 10, n++;
	return n;
}

static uint64_t pow10u(unsigned n)
{
	uint64_t v = 1;
	while (n--)
		v *= 10;
	return v;
}

/* A duration in seconds with prec decimals (prec 0: microseconds, as
 * tshark prints the duration then). */
static void secs(uint64_t us, unsigned prec, char *out, size_t cap)
{
	if (prec == 0)
		prec = 6;
	uint64_t dv = pow10u(6 - prec);
	snprintf(out, cap, "%llu.%0*llu", (unsigned long long)(us / 1000000),
		 (int)prec, (unsigned long long)(us % 1000000 / dv));
}

static void plan(const struct iostat *s, struct layout *l)
{
	memset(l, 0, sizeof(*l));
	l->dur = s->dur;
	l->whole = !s->interval || s->interval > s->dur;
	if (l->whole) {
		unsigned mag = digits(s->dur / 1000000);
		l->prec = mag >= 2 ? 1 : 3;
	} else {
		l->prec = s->prec;
	}
	uint64_t dv = pow10u(6 - l->prec);
	if (l->dur % dv > dv / 2)
		l->dur = (l->dur + dv / 2) / dv * dv;
	l->interval = l->whole ? l->dur : s->interval;
	/* tshark shows the duration to the µs when the interval is whole
	 * seconds, else with the interval's decimals */
	secs(l->prec ? l->dur : s->dur, l->prec, l->dur_text,
	     sizeof(l->dur_text));
	if (l->prec == 0)
		snprintf(l->invl_text, sizeof(l->invl_text), "%llu",
			 (unsigned long long)(l->interval / 1000000));
	else
		secs(l->interval, l->prec, l->invl_text, sizeof(l->invl_text));
	/* the rows up to the duration (tshark's), at least one, and any
	 * past it folded into the last (value()) */
	uint64_t rows =
	    l->whole || !l->dur ? 1 : (l->dur + l->interval - 1) / l->interval;
	l->first = s->base;
	l->last = rows - 1 > s->base ? rows - 1 : s->base;
}

/* "0.3 <> 0.4", "2 <> Dur" */
static void interval_text(const struct layout *l, uint64_t row, char *out,
			  size_t cap)
{
	uint64_t t = l->whole ? 0 : row * l->interval;
	uint64_t end = l->whole ? l->dur : t + l->interval;
	int last = row == l->last || end >= l->dur;
	if (last && !l->whole)
		end = l->dur > t ? l->dur : t;
	unsigned w = digits(l->dur / 1000000);
	uint64_t dv = pow10u(6 - l->prec);
	if (l->prec == 0) {
		if (last)
			snprintf(out, cap, "%*llu <> Dur", (int)w,
				 (unsigned long long)(t / 1000000));
		else
			snprintf(out, cap, "%*llu <> %*llu", (int)w,
				 (unsigned long long)(t / 1000000), (int)w,
				 (unsigned long long)(end / 1000000));
		return;
	}
	snprintf(out, cap, "%*llu.%0*llu <> %*llu.%0*llu", (int)w,
		 (unsigned long long)(t / 1000000), (int)l->prec,
		 (unsigned long long)(t % 1000000 / dv), (int)w,
		 (unsigned long long)(end / 1000000), (int)l->prec,
		 (unsigned long long)(end % 1000000 / dv));
}

static struct cell value(struct iostat *s, const struct layout *l, uint64_t row,
			 unsigned c)
{
	struct cell v = {0, 0};
	/* the last printed row takes what lies past it (a frame exactly at
	 * the end of the capture) */
	uint64_t to = row == l->last ? s->base + s->n : row + 1;
	for (uint64_t r = row; r < to && r < s->base + s->n; r++) {
		const struct cell *x = cell_at(s, r, c);
		v.frames += x->frames;
		v.bytes += x->bytes;
	}
	return v;
}

static void put_line(FILE *out, int width, const char *text)
{
	fprintf(out, "|%-*s|\n", width - 2, text);
}

static void rule(FILE *out, int width, char ch)
{
	for (int i = 0; i < width; i++)
		fputc(ch, out);
	fputc('\n', out);
}

struct widths {
	int iw, row, all;
	int fw[MAX_COLS], bw[MAX_COLS];
};

static int imax(int a, int b)
{
	return a > b ? a : b;
}

static void measure(struct iostat *s, const struct layout *l, struct widths *w)
{
	char buf[96];
	interval_text(l, l->first, buf, sizeof(buf));
	w->iw = imax(8, (int)strlen(buf));
	interval_text(l, l->last, buf, sizeof(buf));
	w->iw = imax(w->iw, (int)strlen(buf));
	w->row = w->iw + 4;
	int text = imax(26, (int)strlen(l->dur_text) + 18);
	for (unsigned c = 0; c < s->ncols; c++) {
		uint64_t mf = 0, mb = 0;
		for (uint64_t r = l->first; r <= l->last; r++) {
			struct cell v = value(s, l, r, c);
			mf = v.frames > mf ? v.frames : mf;
			mb = v.bytes > mb ? v.bytes : mb;
		}
		w->fw[c] = imax(6, (int)digits(mf));
		w->bw[c] = imax(5, (int)digits(mb));
		w->row += w->fw[c] + w->bw[c] + 6;
		if (s->col[c].text)
			text = imax(text, (int)strlen(s->col[c].text) + 11);
	}
	w->all = imax(w->row, text);
	if (w->all == w->row + 1)
		w->all++;
}

static void header(FILE *out, struct iostat *s, const struct layout *l,
		   const struct widths *w)
{
	char buf[160];
	fputc('\n', out);
	rule(out, w->all, '=');
	put_line(out, w->all, " IO Statistics");
	put_line(out, w->all, "");
	snprintf(buf, sizeof(buf), " Duration: %s secs", l->dur_text);
	put_line(out, w->all, buf);
	snprintf(buf, sizeof(buf), " Interval: %s secs", l->invl_text);
	put_line(out, w->all, buf);
	put_line(out, w->all, "");
	for (unsigned c = 0; c < s->ncols; c++) {
		const char *f =
		    s->col[c].text ? s->col[c].text : "Frames and bytes";
		snprintf(buf, sizeof(buf), " %s%u: %s", c ? "    " : "Col ",
			 c + 1, f);
		put_line(out, w->all, buf);
	}
	fputc('|', out);
	for (int i = 0; i < w->all - 2; i++)
		fputc('-', out);
	fputs("|\n", out);
}

static void fill(FILE *out, const struct widths *w)
{
	if (w->all > w->row)
		fprintf(out, "%*s", w->all - w->row, "|");
	fputc('\n', out);
}

static void center(FILE *out, const char *s, int width)
{
	int pad = width - (int)strlen(s);
	fprintf(out, "%*s%s%*s|", pad / 2, "", s, pad - pad / 2, "");
}

static void column_heads(FILE *out, struct iostat *s, const struct widths *w)
{
	fprintf(out, "|%*s|", w->iw + 2, "");
	for (unsigned c = 0; c < s->ncols; c++)
		fprintf(out, "%-*u|", w->fw[c] + w->bw[c] + 5, c + 1);
	fill(out, w);
	fprintf(out, "| %-*s |", w->iw, "Interval");
	for (unsigned c = 0; c < s->ncols; c++) {
		center(out, "Frames", w->fw[c] + 2);
		center(out, "Bytes", w->bw[c] + 2);
	}
	fill(out, w);
	fputc('|', out);
	for (int i = 0; i < w->row - 2; i++)
		fputc('-', out);
	fputc('|', out);
	fill(out, w);
}

static void print_text(struct iostat *s, const struct layout *l, FILE *out)
{
	struct widths w;
	measure(s, l, &w);
	header(out, s, l, &w);
	column_heads(out, s, &w);
	char buf[96];
	for (uint64_t r = l->first; r <= l->last; r++) {
		interval_text(l, r, buf, sizeof(buf));
		fprintf(out, "| %-*s |", w.iw, buf);
		for (unsigned c = 0; c < s->ncols; c++) {
			struct cell v = value(s, l, r, c);
			fprintf(out, " %*llu | %*llu |", w.fw[c],
				(unsigned long long)v.frames, w.bw[c],
				(unsigned long long)v.bytes);
		}
		fill(out, &w);
	}
	rule(out, w.all, '=');
}

static void notes(struct iostat *s, FILE *out, struct ns_table *t)
{
	char buf[256];
	if (s->dropped_rows) {
		int k = snprintf(buf, sizeof(buf),
				 "the first %llu intervals are not shown (more "
				 "than %u intervals kept):",
				 (unsigned long long)s->dropped_rows, MAX_ROWS);
		for (unsigned c = 0; c < s->ncols && k < (int)sizeof(buf); c++)
			k += snprintf(
			    buf + k, sizeof(buf) - (size_t)k,
			    " col %u %llu frames %llu bytes", c + 1,
			    (unsigned long long)s->col[c].dropped.frames,
			    (unsigned long long)s->col[c].dropped.bytes);
	} else if (s->oom) {
		snprintf(buf, sizeof(buf),
			 "out of memory: some frames were not counted");
	} else {
		return;
	}
	if (t)
		ns_table_note(t, "%s", buf);
	else
		fprintf(out, "%s\n", buf);
}

static void print_json(struct iostat *s, const struct layout *l, FILE *out)
{
	char title[96], t[48], names[2 * MAX_COLS][24];
	secs(l->interval, l->prec ? l->prec : 6, t, sizeof(t));
	snprintf(title, sizeof(title), "IO statistics, interval %s s", t);
	struct ns_table *tab = ns_table_new("io,stat", title);
	if (!tab)
		return;
	ns_table_col(tab, "from", 0);
	ns_table_col(tab, "to", 0);
	for (unsigned c = 0; c < s->ncols; c++) {
		/* the table keeps the names' pointers until it prints */
		snprintf(names[2 * c], sizeof(names[0]), "frames_%u", c + 1);
		ns_table_col(tab, names[2 * c], 0);
		snprintf(names[2 * c + 1], sizeof(names[0]), "bytes_%u", c + 1);
		ns_table_col(tab, names[2 * c + 1], 0);
	}
	for (uint64_t r = l->first; r <= l->last; r++) {
		uint64_t from = l->whole ? 0 : r * l->interval;
		uint64_t to = l->whole ? l->dur : from + l->interval;
		if (r == l->last || to > l->dur)
			to = l->dur > from ? l->dur : from;
		ns_table_row(tab);
		ns_table_ms(tab, (int64_t)from * 1000);
		ns_table_ms(tab, (int64_t)to * 1000);
		for (unsigned c = 0; c < s->ncols; c++) {
			struct cell v = value(s, l, r, c);
			ns_table_u64(tab, v.frames);
			ns_table_u64(tab, v.bytes);
		}
	}
	for (unsigned c = 0; c < s->ncols; c++)
		ns_table_note(tab, "column %u: %s", c + 1,
			      s->col[c].text ? s->col[c].text
					     : "frames and bytes");
	secs(l->dur, 6, t, sizeof(t));
	ns_table_note(
	    tab, "duration %s s; from and to: ms since the first frame", t);
	notes(s, out, tab);
	ns_table_print(tab, out, 1);
}

static void iostat_finish(void *state, FILE *out, int json)
{
	struct iostat *s = state;
	struct layout l;
	plan(s, &l);
	if (json) {
		print_json(s, &l, out);
	} else {
		print_text(s, &l, out);
		notes(s, out, NULL);
	}
	iostat_free(s);
}

const struct ns_report ns_report_io_stat = {
    .name = "io,stat",
    .usage = "io,stat,INTERVAL[,FILTER...]",
    .start = iostat_start,
    .depth = iostat_depth,
    .finish = iostat_finish,
    .free = iostat_free,
};
