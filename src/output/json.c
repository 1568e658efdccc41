/*
 * json — see json.h.
 *
 * A packet's fields are stored flat, in emission order, each with a depth;
 * a field's subtree is the run of deeper fields after it.  The writer
 * first computes where each subtree ends (one pass with a stack per
 * layer), then writes objects recursively: the members of an object are
 * its "roots" (walked by jumping over subtrees), grouped by key, each key
 * written once at the place of its first occurrence.
 */
#include "output/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/dissect.h"
#include "output/format.h"

#define NO_NEXT UINT32_MAX

static void *grow_array(void *p, size_t n, size_t size)
{
	void *q = realloc(p, n * size);
	if (!q) {
		fputs("netscope: out of memory\n", stderr);
		exit(1);
	}
	return q;
}

static void reserve(struct ns_json *j, uint32_t nfv)
{
	if (nfv > j->cap) {
		uint32_t cap = j->cap ? j->cap : 256;
		while (cap < nfv)
			cap *= 2;
		j->end = grow_array(j->end, cap, sizeof(*j->end));
		j->next = grow_array(j->next, cap, sizeof(*j->next));
		j->first = grow_array(j->first, cap, sizeof(*j->first));
		j->cap = cap;
	}
	uint32_t nids = ns_field_count();
	if (nids > j->nids) {
		j->stamp = grow_array(j->stamp, nids, sizeof(*j->stamp));
		j->last = grow_array(j->last, nids, sizeof(*j->last));
		memset(j->stamp + j->nids, 0,
		       (nids - j->nids) * sizeof(*j->stamp));
		j->nids = nids;
	}
	j->by_id = ns_fields_by_id();
}

void ns_json_free(struct ns_json *j)
{
	free(j->end);
	free(j->next);
	free(j->first);
	free(j->stamp);
	free(j->last);
	memset(j, 0, sizeof(*j));
}

/* end[i] for the fields [a, b) of one layer.  The stack holds strictly
 * increasing depths, so it never holds more than 256 entries. */
static void subtree_ends(struct ns_json *j, const struct ns_fv *fv, uint32_t a,
			 uint32_t b)
{
	uint32_t st[256];
	uint8_t sd[256]; /* their depths */
	unsigned sp = 0;
	for (uint32_t i = a; i < b; i++) {
		uint8_t d = fv[i].depth;
		while (sp && sd[sp - 1] >= d)
			j->end[st[--sp]] = i;
		st[sp] = i;
		sd[sp++] = d;
	}
	while (sp)
		j->end[st[--sp]] = b;
}

/* The last root before k in [a, k) with field f, or NO_NEXT: the slow
 * path for a field the registry does not know (its id says nothing). */
static uint32_t find_last(const struct ns_json *j, const struct ns_fv *fv,
			  uint32_t a, uint32_t k, const struct ns_field *f)
{
	uint32_t i = a;
	while (i < k && fv[i].f != f)
		i = j->end[i];
	if (i >= k)
		return NO_NEXT;
	while (j->next[i] != NO_NEXT)
		i = j->next[i];
	return i;
}

/* Links the roots of [a, b) with equal keys: first[] marks where a key
 * is written, next[] chains its other occurrences. */
static void group_keys(struct ns_json *j, const struct ns_fv *fv, uint32_t a,
		       uint32_t b)
{
	if (++j->serial == 0) { /* wrapped: old stamps could look current */
		memset(j->stamp, 0, j->nids * sizeof(*j->stamp));
		j->serial = 1;
	}
	for (uint32_t k = a; k < b; k = j->end[k]) {
		const struct ns_field *f = fv[k].f;
		uint32_t id = f->id, prev = NO_NEXT;
		j->next[k] = NO_NEXT;
		if (id < j->nids && j->by_id[id] == f) {
			if (j->stamp[id] == j->serial)
				prev = j->last[id];
			j->stamp[id] = j->serial;
			j->last[id] = k;
		} else {
			prev = find_last(j, fv, a, k, f);
		}
		j->first[k] = prev == NO_NEXT;
		if (prev != NO_NEXT)
			j->next[prev] = k;
	}
}

static void put_key(struct ns_buf *b, int *comma, const char *name,
		    const char *suffix)
{
	if (*comma)
		ns_buf_putc(b, ',');
	*comma = 1;
	ns_buf_putc(b, '"');
	ns_buf_puts(b, name);
	if (suffix)
		ns_buf_puts(b, suffix);
	ns_buf_put(b, "\":", 2);
}

/* A field's name as a key (the registry counted its length). */
static void put_field_key(struct ns_buf *b, int *comma,
			  const struct ns_field *f, int tree)
{
	size_t n = f->name_len ? f->name_len : strlen(f->name);
	if (b->len + n + 9 > b->cap)
		ns_buf_grow(b, n + 9);
	char *o = b->p + b->len;
	if (*comma)
		*o++ = ',';
	*comma = 1;
	*o++ = '"';
	memcpy(o, f->name, n);
	o += n;
	if (tree) {
		memcpy(o, "_tree", 5);
		o += 5;
	}
	memcpy(o, "\":", 2);
	b->len = (size_t)(o + 2 - b->p);
}

/* A double as the shortest text that reads back the same: 15 significant
 * digits give back every decimal of 15 digits or fewer (%g drops the
 * trailing zeros), then 16, then 17 always do.  JSON has no NaN or
 * infinity. */
static void put_double(struct ns_buf *b, double d)
{
	if (!isfinite(d)) {
		ns_buf_puts(b, "null");
		return;
	}
	char s[32];
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(s, sizeof(s), "%.*g", digits, d);
		if (strtod(s, NULL) == d)
			break;
	}
	ns_buf_puts(b, s);
}

static void put_value(struct ns_buf *b, const struct ns_fv *fv)
{
	const struct ns_field *f = fv->f;
	switch (f->type) {
	case NS_FT_BOOL:
		ns_buf_puts(b, fv->v.u ? "true" : "false");
		return;
	case NS_FT_UINT:
		if (fv->v.u < 10) /* flag bits and small counts: most of them */
			ns_buf_putc(b, (char)('0' + fv->v.u));
		else
			ns_buf_u64(b, fv->v.u);
		return;
	case NS_FT_INT:
		ns_buf_i64(b, fv->v.i);
		return;
	case NS_FT_DOUBLE:
		put_double(b, fv->v.d);
		return;
	case NS_FT_RELTIME:
	case NS_FT_ABSTIME:
		ns_buf_secs(b, fv->v.i, 9);
		return;
	case NS_FT_ETHER:
	case NS_FT_IPV4:
	case NS_FT_IPV6:
		ns_buf_putc(b, '"');
		ns_format_value(b, fv);
		ns_buf_putc(b, '"');
		return;
	case NS_FT_STRING:
		ns_buf_json_str(b, fv->v.b.p, fv->v.b.n);
		return;
	case NS_FT_BYTES:
		ns_buf_putc(b, '"');
		ns_buf_hexbytes(b, fv->v.b.p, fv->v.b.n, 0);
		ns_buf_putc(b, '"');
		return;
	default: /* a label or protocol without a subtree: present */
		ns_buf_puts(b, "{}");
	}
}

static void put_object(struct ns_json *j, struct ns_buf *b,
		       const struct ns_fv *fv, uint32_t a, uint32_t e);

/* The members for the roots of [a, e), into an open object. */
static void put_members(struct ns_json *j, struct ns_buf *b,
			const struct ns_fv *fv, uint32_t a, uint32_t e,
			int *comma)
{
	group_keys(j, fv, a, e);
	for (uint32_t k = a; k < e; k = j->end[k]) {
		if (!j->first[k])
			continue;
		const struct ns_field *f = fv[k].f;
		unsigned n = 0;
		int tree = 0;
		for (uint32_t i = k; i != NO_NEXT; i = j->next[i]) {
			n++;
			tree |= j->end[i] > i + 1;
		}
		int label = f->type == NS_FT_NONE || f->type == NS_FT_PROTO;
		put_field_key(b, comma, f, 0);
		if (n > 1)
			ns_buf_putc(b, '[');
		for (uint32_t i = k; i != NO_NEXT; i = j->next[i]) {
			if (i != k)
				ns_buf_putc(b, ',');
			if (label)
				put_object(j, b, fv, i + 1, j->end[i]);
			else
				put_value(b, &fv[i]);
		}
		if (n > 1)
			ns_buf_putc(b, ']');
		if (label || !tree)
			continue;
		put_field_key(b, comma, f, 1);
		if (n > 1)
			ns_buf_putc(b, '[');
		for (uint32_t i = k; i != NO_NEXT; i = j->next[i]) {
			if (i != k)
				ns_buf_putc(b, ',');
			put_object(j, b, fv, i + 1, j->end[i]);
		}
		if (n > 1)
			ns_buf_putc(b, ']');
	}
}

static void put_object(struct ns_json *j, struct ns_buf *b,
		       const struct ns_fv *fv, uint32_t a, uint32_t e)
{
	int comma = 0;
	ns_buf_putc(b, '{');
	put_members(j, b, fv, a, e, &comma);
	ns_buf_putc(b, '}');
}

static void put_layers(struct ns_json *j, struct ns_buf *b,
		       const struct ns_packet *pkt, unsigned from, unsigned to,
		       int *comma);

/* A bad outcome, as members `skey` ("truncated"/"malformed") and `rkey`
 * (why); nothing for a good one. */
static void put_status(struct ns_buf *b, int *comma, uint8_t status,
		       const char *reason, const char *skey, const char *rkey)
{
	if (status == NS_LAYER_OK)
		return;
	put_key(b, comma, skey, NULL);
	ns_buf_puts(b, status == NS_LAYER_TRUNCATED ? "\"truncated\""
						    : "\"malformed\"");
	if (reason) {
		put_key(b, comma, rkey, NULL);
		ns_buf_json_str(b, (const uint8_t *)reason, strlen(reason));
	}
}

/* One layer: its fields, its outcome, then the layers it quotes. */
static void put_layer(struct ns_json *j, struct ns_buf *b,
		      const struct ns_packet *pkt, unsigned li)
{
	const struct ns_layer *l = &pkt->layers[li];
	int comma = 0;
	ns_buf_putc(b, '{');
	put_members(j, b, pkt->fv, l->fv_first + 1, l->fv_end, &comma);
	put_status(b, &comma, l->status, l->reason, "_status", "_reason");
	if (!l->quoted) {
		unsigned q = li + 1;
		while (q < pkt->nlayers && pkt->layers[q].quoted)
			q++;
		put_layers(j, b, pkt, li + 1, q, &comma);
	}
	ns_buf_putc(b, '}');
}

/* The layers [from, to) that belong to one object (the packet's, or the
 * quoting layer's), grouped by protocol.  A packet has at most
 * NS_MAX_LAYERS layers: grouping by scanning is cheap. */
static void put_layers(struct ns_json *j, struct ns_buf *b,
		       const struct ns_packet *pkt, unsigned from, unsigned to,
		       int *comma)
{
	int quoted = from < to && pkt->layers[from].quoted;
	for (unsigned li = from; li < to; li++) {
		const struct ns_layer *l = &pkt->layers[li];
		if ((int)l->quoted != quoted)
			continue;
		unsigned n = 0, seen = 0;
		for (unsigned k = from; k < to; k++) {
			if ((int)pkt->layers[k].quoted != quoted ||
			    pkt->layers[k].d != l->d)
				continue;
			seen |= k < li;
			n++;
		}
		if (seen)
			continue;
		put_key(b, comma, l->d->name, NULL);
		if (n > 1)
			ns_buf_putc(b, '[');
		for (unsigned k = li, c = 0; k < to; k++) {
			if ((int)pkt->layers[k].quoted != quoted ||
			    pkt->layers[k].d != l->d)
				continue;
			if (c++)
				ns_buf_putc(b, ',');
			put_layer(j, b, pkt, k);
		}
		if (n > 1)
			ns_buf_putc(b, ']');
	}
}

/* ISO 8601 in UTC with the source's precision: 2026-11-25T12:39:46.852576Z */
static void put_timestamp(struct ns_json *j, struct ns_buf *b, int64_t ns,
			  int digits)
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	if (!j->have_tsec || j->tsec != sec) {
		struct tm tm;
		time_t t = (time_t)sec;
		if ((int64_t)t != sec || !gmtime_r(&t, &tm) ||
		    tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
			ns_buf_puts(b, "null"); /* no such ISO 8601 date */
			return;
		}
		snprintf(j->tprefix, sizeof(j->tprefix),
			 "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
		j->tsec = sec;
		j->have_tsec = 1;
	}
	char f[10];
	for (int i = 8; i >= 0; i--) {
		f[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	ns_buf_putc(b, '"');
	ns_buf_puts(b, j->tprefix);
	ns_buf_putc(b, '.');
	ns_buf_put(b, f, digits == 6 ? 6 : 9);
	ns_buf_put(b, "Z\"", 2);
}

void ns_json_packet(struct ns_json *j, struct ns_buf *b,
		    const struct ns_packet *pkt, int raw)
{
	reserve(j, pkt->nfv);
	for (unsigned li = 0; li < pkt->nlayers; li++)
		subtree_ends(j, pkt->fv, pkt->layers[li].fv_first + 1,
			     pkt->layers[li].fv_end);

	ns_buf_puts(b, "{\"timestamp\":");
	put_timestamp(j, b, pkt->ts, pkt->ts_digits);
	ns_buf_puts(b, ",\"protocols\":\"");
	for (unsigned li = 1; li < pkt->nlayers; li++) {
		if (li > 1)
			ns_buf_putc(b, ':');
		ns_buf_puts(b, pkt->layers[li].d->name);
	}
	ns_buf_puts(b, "\",\"layers\":{");
	int comma = 0;
	put_layers(j, b, pkt, 0, pkt->nlayers, &comma);
	ns_buf_putc(b, '}');
	comma = 1;
	put_status(b, &comma, pkt->status, pkt->reason, "status", "reason");
	if (pkt->fv_dropped) {
		put_key(b, &comma, "fields_dropped", NULL);
		ns_buf_u64(b, pkt->fv_dropped);
	}
	if (raw) {
		put_key(b, &comma, "raw", NULL);
		ns_buf_putc(b, '"');
		ns_buf_hexbytes(b, pkt->data, pkt->caplen, 0);
		ns_buf_putc(b, '"');
	}
	ns_buf_putc(b, '}');
}
