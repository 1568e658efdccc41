/*
 * table — the statistics' tables (-z grpc,srt, http,srt, dns,srt, …): a
 * title, a header row of column names, one row per key, notes under it.
 *
 * As text the columns are aligned (numbers to the right, text to the
 * left; the last text column may run long) and an empty cell is "-".
 * With -T json|ndjson the same table is one JSON object on a line of its
 * own:
 *
 *   {"table":"grpc,srt","title":"…","columns":["method","calls",…],
 *    "rows":[["svc/M",5,…],…],"notes":["…"]}
 *
 * a number cell a JSON number, a text cell a string, an empty cell null.
 * Times are milliseconds in both (two decimals: 10 µs resolution, as
 * --calls shows them).
 */
#ifndef NS_TABLE_H
#define NS_TABLE_H

#include <stdint.h>
#include <stdio.h>

struct ns_table;

/* A table for `-z name`: NULL when out of memory. */
struct ns_table *ns_table_new(const char *name, const char *title);
/* Adds a column (before the first row): its name, and whether it holds
 * text (left-aligned, a JSON string) rather than numbers. */
void ns_table_col(struct ns_table *t, const char *name, int text);
/* Starts a row; the cells that follow fill it left to right, and missing
 * ones at its end are empty. */
void ns_table_row(struct ns_table *t);
void ns_table_str(struct ns_table *t, const char *s);
void ns_table_u64(struct ns_table *t, uint64_t v);
/* A duration in ns as milliseconds; empty when negative (unknown). */
void ns_table_ms(struct ns_table *t, int64_t ns);
/* An empty cell ("-", null). */
void ns_table_none(struct ns_table *t);
/* A line printed under the table (text) or in "notes" (JSON). */
void ns_table_note(struct ns_table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints the table (text or one JSON line) and frees it. */
void ns_table_print(struct ns_table *t, FILE *out, int json);
/* Frees it unprinted. */
void ns_table_free(struct ns_table *t);

#endif
