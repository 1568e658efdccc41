/*
 * quant — see quant.h.
 *
 * Bucket k >= 1 holds values in [R^(k-1), R^k) ns with R = 1.02; bucket 0
 * holds values below 1 ns.  1280 buckets reach 1.02^1279 ns, about 10^11 s:
 * anything above lands in the last bucket (and max stays exact).
 */
#include "core/quant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RATIO 1.02

void ns_quant_init(struct ns_quant *q, uint64_t *pool)
{
	memset(q, 0, sizeof(*q));
	q->pool = pool;
	q->min = -1;
	q->max = -1;
}

static unsigned bucket_of(int64_t v)
{
	if (v < 1)
		return 0;
	double k = floor(log((double)v) / log(RATIO)) + 1;
	return k >= NS_QUANT_BUCKETS - 1 ? NS_QUANT_BUCKETS - 1 : (unsigned)k;
}

/* The middle of bucket k (geometric): within 1% of all it holds. */
static int64_t bucket_value(unsigned k)
{
	if (k == 0)
		return 0;
	return (int64_t)llround(pow(RATIO, (double)k - 0.5));
}

/* From exact values to the histogram. */
static int to_hist(struct ns_quant *q)
{
	q->hist = calloc(NS_QUANT_BUCKETS, sizeof(*q->hist));
	if (!q->hist)
		return -1;
	for (uint32_t i = 0; i < q->n; i++)
		q->hist[bucket_of(q->v[i])]++;
	free(q->v);
	if (q->pool)
		*q->pool += q->cap;
	q->v = NULL;
	q->n = q->cap = 0;
	return 0;
}

int ns_quant_add(struct ns_quant *q, int64_t v)
{
	if (v < 0)
		v = 0;
	q->count++;
	q->sum += v;
	if (q->min < 0 || v < q->min)
		q->min = v;
	if (v > q->max)
		q->max = v;
	if (!q->hist && q->n == NS_QUANT_EXACT && to_hist(q) < 0)
		return -1;
	if (q->hist) {
		q->hist[bucket_of(v)]++;
		return 0;
	}
	if (q->n == q->cap) {
		uint32_t cap = q->cap ? q->cap * 2 : 16;
		if (cap > NS_QUANT_EXACT)
			cap = NS_QUANT_EXACT;
		if (q->pool && *q->pool < cap - q->cap) {
			/* the report's exact values are spent */
			if (to_hist(q) < 0)
				return -1;
			q->hist[bucket_of(v)]++;
			return 0;
		}
		int64_t *nv = realloc(q->v, cap * sizeof(*nv));
		if (!nv)
			return -1;
		if (q->pool)
			*q->pool -= cap - q->cap;
		q->v = nv;
		q->cap = cap;
	}
	q->v[q->n++] = v;
	q->sorted = 0;
	return 0;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int64_t ns_quant_pct(struct ns_quant *q, double p)
{
	uint64_t total = q->hist ? q->count : q->n;
	if (total == 0)
		return -1;
	/* nearest rank: the ceil(p/100 * N)-th smallest, 1-based */
	uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)total - 1e-9);
	if (rank < 1)
		rank = 1;
	if (rank > total)
		rank = total;
	if (!q->hist) {
		if (!q->sorted) {
			qsort(q->v, q->n, sizeof(*q->v), cmp64);
			q->sorted = 1;
		}
		return q->v[rank - 1];
	}
	if (rank == total)
		return q->max;
	uint64_t seen = 0;
	for (unsigned k = 0; k < NS_QUANT_BUCKETS; k++) {
		seen += q->hist[k];
		if (seen >= rank) {
			int64_t v = bucket_value(k);
			return v < q->min ? q->min : v > q->max ? q->max : v;
		}
	}
	return q->max;
}

int64_t ns_quant_mean(const struct ns_quant *q)
{
	return q->count ? q->sum / (int64_t)q->count : -1;
}

void ns_quant_free(struct ns_quant *q)
{
	if (q->pool)
		*q->pool += q->cap;
	free(q->v);
	free(q->hist);
	ns_quant_init(q, q->pool);
}
