/*
 * table — see table.h.
 *
 * Cells are kept as text (what the text form prints) in one buffer, with
 * an index of (offset, kind) records in another; out of memory is fatal
 * as for every output buffer (core/buf.h).
 */
#include "reports/table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define MAX_COLS 24

enum { CELL_NONE, CELL_NUM, CELL_TEXT };

struct cell {
	uint32_t off; /* into txt: a NUL-terminated string */
	uint32_t kind;
};

struct ns_table {
	char name[32];
	struct ns_buf title;
	unsigned ncol;
	const char *col[MAX_COLS];
	uint8_t text[MAX_COLS];
	size_t nrows;
	unsigned at; /* cells of the current row so far */
	struct ns_buf txt, cells, notes;
	unsigned nnotes;
};

struct ns_table *ns_table_new(const char *name, const char *title)
{
	struct ns_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	snprintf(t->name, sizeof(t->name), "%s", name);
	ns_buf_puts(&t->title, title);
	ns_buf_putc(&t->title, 0);
	return t;
}

void ns_table_col(struct ns_table *t, const char *name, int text)
{
	if (t->ncol == MAX_COLS)
		return;
	t->col[t->ncol] = name;
	t->text[t->ncol++] = (uint8_t)(text != 0);
}

static void add(struct ns_table *t, const char *s, size_t n, unsigned kind)
{
	if (!t->nrows || t->at >= t->ncol)
		return; /* no row, or more cells than columns */
	struct cell c = {(uint32_t)t->txt.len, kind};
	ns_buf_put(&t->txt, s, n);
	ns_buf_putc(&t->txt, 0);
	ns_buf_put(&t->cells, (const char *)&c, sizeof(c));
	t->at++;
}

/* Fills the rest of the current row with empty cells. */
static void end_row(struct ns_table *t)
{
	while (t->nrows && t->at < t->ncol)
		add(t, "-", 1, CELL_NONE);
}

void ns_table_row(struct ns_table *t)
{
	end_row(t);
	t->nrows++;
	t->at = 0;
}

void ns_table_str(struct ns_table *t, const char *s)
{
	if (!s || !*s)
		ns_table_none(t);
	else
		add(t, s, strlen(s), CELL_TEXT);
}

void ns_table_u64(struct ns_table *t, uint64_t v)
{
	char s[24];
	int n = snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
	add(t, s, (size_t)n, CELL_NUM);
}

void ns_table_ms(struct ns_table *t, int64_t ns)
{
	if (ns < 0) {
		ns_table_none(t);
		return;
	}
	/* to the nearest 10 us, as ns_buf_ms */
	long long h = (long long)((ns + 5000) / 10000);
	char s[32];
	int n = snprintf(s, sizeof(s), "%lld.%02lld", h / 100, h % 100);
	add(t, s, (size_t)n, CELL_NUM);
}

void ns_table_none(struct ns_table *t)
{
	add(t, "-", 1, CELL_NONE);
}

void ns_table_note(struct ns_table *t, const char *fmt, ...)
{
	char s[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	ns_buf_puts(&t->notes, s);
	ns_buf_putc(&t->notes, 0);
	t->nnotes++;
}

static const struct cell *cell_at(const struct ns_table *t, size_t r,
				  unsigned c)
{
	return (const struct cell *)(const void *)t->cells.p + r * t->ncol + c;
}

static void print_text(const struct ns_table *t, FILE *out)
{
	size_t w[MAX_COLS] = {0};
	for (unsigned c = 0; c < t->ncol; c++) {
		w[c] = strlen(t->col[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t n = strlen(t->txt.p + cell_at(t, r, c)->off);
			if (n > w[c])
				w[c] = n;
		}
	}
	/* the last column is not padded: it may run long */
	struct ns_buf b = {0};
	ns_buf_puts(&b, t->title.p);
	ns_buf_putc(&b, '\n');
	for (size_t r = 0; r <= t->nrows; r++) {
		for (unsigned c = 0; c < t->ncol; c++) {
			const char *s =
			    r == 0 ? t->col[c]
				   : t->txt.p + cell_at(t, r - 1, c)->off;
			size_t n = strlen(s);
			size_t pad = w[c] - n;
			int last = c + 1 == t->ncol;
			if (c)
				ns_buf_puts(&b, "  ");
			if (!t->text[c])
				while (pad--)
					ns_buf_putc(&b, ' ');
			ns_buf_put(&b, s, n);
			if (t->text[c] && !last)
				while (pad--)
					ns_buf_putc(&b, ' ');
		}
		ns_buf_putc(&b, '\n');
	}
	for (size_t k = 0, off = 0; k < t->nnotes; k++) {
		const char *s = t->notes.p + off;
		ns_buf_puts(&b, s);
		ns_buf_putc(&b, '\n');
		off += strlen(s) + 1;
	}
	fwrite(b.p, 1, b.len, out);
	ns_buf_free(&b);
}

static void json_str(struct ns_buf *b, const char *s)
{
	ns_buf_json_str(b, (const uint8_t *)s, strlen(s));
}

static void print_json(const struct ns_table *t, FILE *out)
{
	struct ns_buf b = {0};
	ns_buf_puts(&b, "{\"table\":");
	json_str(&b, t->name);
	ns_buf_puts(&b, ",\"title\":");
	json_str(&b, t->title.p);
	ns_buf_puts(&b, ",\"columns\":[");
	for (unsigned c = 0; c < t->ncol; c++) {
		if (c)
			ns_buf_putc(&b, ',');
		json_str(&b, t->col[c]);
	}
	ns_buf_puts(&b, "],\"rows\":[");
	for (size_t r = 0; r < t->nrows; r++) {
		ns_buf_puts(&b, r ? ",[" : "[");
		for (unsigned c = 0; c < t->ncol; c++) {
			const struct cell *e = cell_at(t, r, c);
			const char *s = t->txt.p + e->off;
			if (c)
				ns_buf_putc(&b, ',');
			if (e->kind == CELL_NONE)
				ns_buf_puts(&b, "null");
			else if (e->kind == CELL_NUM)
				ns_buf_puts(&b, s);
			else
				json_str(&b, s);
		}
		ns_buf_putc(&b, ']');
	}
	ns_buf_puts(&b, "],\"notes\":[");
	for (size_t k = 0, off = 0; k < t->nnotes; k++) {
		const char *s = t->notes.p + off;
		if (k)
			ns_buf_putc(&b, ',');
		json_str(&b, s);
		off += strlen(s) + 1;
	}
	ns_buf_puts(&b, "]}\n");
	fwrite(b.p, 1, b.len, out);
	ns_buf_free(&b);
}

void ns_table_print(struct ns_table *t, FILE *out, int json)
{
	end_row(t);
	if (json)
		print_json(t, out);
	else
		print_text(t, out);
	ns_table_free(t);
}

void ns_table_free(struct ns_table *t)
{
	if (!t)
		return;
	ns_buf_free(&t->title);
	ns_buf_free(&t->txt);
	ns_buf_free(&t->cells);
	ns_buf_free(&t->notes);
	free(t);
}
