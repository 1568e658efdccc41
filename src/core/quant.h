/*
 * quant — the distribution of a series of durations (ns), for the
 * statistics' percentiles: exact up to NS_QUANT_EXACT values, bounded
 * after.
 *
 * Up to NS_QUANT_EXACT values are kept and a percentile is the exact
 * nearest-rank value (the smallest value with at least p% of the values at
 * or below it), as a test computes it from the frame times.  Past that the
 * values move into a log-bucketed histogram (buckets 2% wide, a value
 * answered as its bucket's geometric middle: at most 1% relative error),
 * so an endless live capture holds at most NS_QUANT_BUCKETS counters per
 * series (and a report's series share a pool of exact values, so that
 * many series cannot add up either); count, min, max and sum stay exact either
 * way.  A report says which its figures are (ns_quant_exact()).
 */
#ifndef NS_QUANT_H
#define NS_QUANT_H

#include <stddef.h>
#include <stdint.h>

#define NS_QUANT_EXACT	 100000u
#define NS_QUANT_BUCKETS 1280u

struct ns_quant {
	/* values the series may still keep exactly, shared by the series of
	 * one report so that many keys cannot add up (NULL: no shared
	 * limit); a series that finds it spent turns into a histogram */
	uint64_t *pool;
	uint64_t count;
	int64_t min, max, sum;
	int64_t *v; /* the values while exact, NULL after */
	uint32_t n, cap;
	uint8_t sorted;
	uint32_t *hist; /* NS_QUANT_BUCKETS counters once not exact */
};

void ns_quant_init(struct ns_quant *q, uint64_t *pool);
/* Adds a value (negative values count as 0); 0, or -1 when memory for it
 * failed (the value is then only in count/min/max/sum). */
int ns_quant_add(struct ns_quant *q, int64_t v);
/* The p-th percentile (0 < p <= 100), nearest rank; -1 when empty. */
int64_t ns_quant_pct(struct ns_quant *q, double p);
/* Whether the percentiles are exact (no histogram yet). */
static inline int ns_quant_exact(const struct ns_quant *q)
{
	return q->hist == NULL;
}
/* The mean, -1 when empty. */
int64_t ns_quant_mean(const struct ns_quant *q);
void ns_quant_free(struct ns_quant *q);

#endif
