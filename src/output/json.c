/*
 * json — see json.h.
 *
 * A packet's fields are stored flat, in emission order, each with a depth;
 * a field's subtree is the run of deeper fields after it.  The writer
 * first computes where each subtree ends (one pass with a stack per
 * layer), then writes objects recursively: the members of an object are
 * its "roots" (walked by jumping over subtrees), grouped by key, each key
 * written once at the place of its first occurrence.  Both are done per
 * layer layout, kept as a plan with the text written from it (json.h).
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
		j->head = grow_array(j->head, nids, sizeof(*j->head));
		memset(j->stamp + j->nids, 0,
		       (nids - j->nids) * sizeof(*j->stamp));
		j->nids = nids;
	}
	j->by_id = ns_fields_by_id();
}

/* The plans of layer position li, made empty when first asked for. */
static struct ns_json_plan *plans(struct ns_json *j, unsigned li)
{
	if (!j->plan[li]) {
		struct ns_json_plan *set =
		    grow_array(NULL, NS_JSON_PLANS, sizeof(*set));
		for (unsigned w = 0; w < NS_JSON_PLANS; w++) {
			set[w].n = set[w].nops = 0;
			set[w].lit = NULL;
			set[w].litlen = set[w].litcap = 0;
		}
		j->plan[li] = set;
		j->victim[li] = 0;
	}
	return j->plan[li];
}

void ns_json_free(struct ns_json *j)
{
	free(j->end);
	free(j->next);
	free(j->first);
	free(j->stamp);
	free(j->last);
	free(j->head);
	for (unsigned li = 0; li < NS_MAX_LAYERS; li++) {
		for (unsigned w = 0; j->plan[li] && w < NS_JSON_PLANS; w++)
			free(j->plan[li][w].lit);
		free(j->plan[li]);
	}
	memset(j, 0, sizeof(*j));
}

/* end[i] for the fields [a, b) of one layer.  The stack holds strictly
 * increasing depths, so it never holds more than 256 entries. */
static void subtree_ends(const struct ns_json_lay *L, const struct ns_fv *fv,
			 uint32_t a, uint32_t b)
{
	uint32_t st[256];
	unsigned sp = 0;
	for (uint32_t i = a; i < b; i++) {
		while (sp && fv[st[sp - 1]].depth >= fv[i].depth)
			L->end[st[--sp]] = i;
		st[sp++] = i;
	}
	while (sp)
		L->end[st[--sp]] = b;
}

/* The first root before k in [a, k) with field f, or NO_NEXT: the slow
 * path for a field the registry does not know (its id says nothing). */
static uint32_t find_first(const struct ns_json_lay *L, const struct ns_fv *fv,
			   uint32_t a, uint32_t k, const struct ns_field *f)
{
	uint32_t i = a;
	while (i < k && fv[i].f != f)
		i = L->end[i];
	return i < k ? i : NO_NEXT;
}

/* Links the roots of [a, b) with equal keys: first[] marks where a key
 * is written, next[] chains its other occurrences. */
static void group_keys(struct ns_json *j, const struct ns_json_lay *L,
		       const struct ns_fv *fv, uint32_t a, uint32_t b)
{
	if (++j->serial == 0) { /* wrapped: old stamps could look current */
		memset(j->stamp, 0, j->nids * sizeof(*j->stamp));
		j->serial = 1;
	}
	for (uint32_t k = a; k < b; k = L->end[k]) {
		const struct ns_field *f = fv[k].f;
		uint32_t id = f->id, head = NO_NEXT, prev = NO_NEXT;
		L->next[k] = NO_NEXT;
		if (id < j->nids && j->by_id[id] == f) {
			if (j->stamp[id] == j->serial) {
				head = j->head[id];
				prev = j->last[id];
			} else {
				j->stamp[id] = j->serial;
				j->head[id] = k;
			}
			j->last[id] = k;
		} else if ((head = find_first(L, fv, a, k, f)) != NO_NEXT) {
			for (prev = head; L->next[prev] != NO_NEXT;)
				prev = L->next[prev];
		}
		L->first[k] = head == NO_NEXT;
		if (head != NO_NEXT) {
			L->first[head] = 2;
			L->next[prev] = k;
		}
	}
}

/* group_keys() for the object [a, b) and every object inside it. */
static void group_all(struct ns_json *j, const struct ns_json_lay *L,
		      const struct ns_fv *fv, uint32_t a, uint32_t b)
{
	group_keys(j, L, fv, a, b);
	for (uint32_t k = a; k < b; k = L->end[k])
		if (L->end[k] > k + 1)
			group_all(j, L, fv, k + 1, L->end[k]);
}

/* Whether plan p was made from the fields fv[0 .. n). */
static int same_fields(const struct ns_json_plan *p, const struct ns_fv *fv,
		       uint32_t n)
{
	if (p->n != n)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		if (p->f[i] != fv[i].f || p->depth[i] != fv[i].depth)
			return 0;
	return 1;
}

/* The layout of the n fields fv[0 .. n) of the layer at position li
 * (j->lay[li]): one of its plans when the fields are the same, else worked
 * out into a plan it then keeps (or, past NS_JSON_PLAN_MAX fields, into
 * the scratch arrays from `at`). */
static void plan_layer(struct ns_json *j, const struct ns_fv *fv, unsigned li,
		       uint32_t at, uint32_t n)
{
	struct ns_json_lay *L = &j->lay[li];
	struct ns_json_plan *set = plans(j, li), *p;
	for (unsigned w = 0; w < NS_JSON_PLANS; w++) {
		p = &set[w];
		if (same_fields(p, fv, n)) {
			L->end = p->end;
			L->next = p->next;
			L->first = p->first;
			L->plan = p;
			return;
		}
	}
	if (n > NS_JSON_PLAN_MAX) {
		L->end = j->end + at;
		L->next = j->next + at;
		L->first = j->first + at;
		L->plan = NULL;
	} else {
		p = &set[j->victim[li]];
		j->victim[li] = (uint8_t)((j->victim[li] + 1) % NS_JSON_PLANS);
		p->n = p->nops = 0; /* until it is made */
		L->end = p->end;
		L->next = p->next;
		L->first = p->first;
		L->plan = p;
	}
	subtree_ends(L, fv, 0, n);
	group_all(j, L, fv, 0, n);
	if (n > NS_JSON_PLAN_MAX)
		return;
	for (uint32_t i = 0; i < n; i++) {
		p->f[i] = fv[i].f;
		p->depth[i] = fv[i].depth;
	}
	p->n = n;
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

/* Recording a plan's text: what was written since the last value, then
 * the value of field `field`, of its type (NO_NEXT: the end). */
static void rec_piece(struct ns_json *j, const struct ns_buf *b, uint32_t field,
		      enum ns_ftype type)
{
	struct ns_json_plan *p = j->rec;
	size_t len = b->len - j->rec_mark;
	if (p->nops > NS_JSON_PLAN_MAX || len > UINT32_MAX / 2 ||
	    p->litlen + len + 64 > UINT32_MAX / 2) { /* cannot be: give up */
		p->nops = 0;
		j->rec = NULL;
		return;
	}
	if (p->litlen + len + 64 > p->litcap) {
		uint32_t cap = p->litcap ? p->litcap * 2 : 256;
		while (cap < p->litlen + len + 64)
			cap *= 2;
		p->lit = grow_array(p->lit, cap, 1);
		memset(p->lit + p->litcap, 0, cap - p->litcap);
		p->litcap = cap;
	}
	memcpy(p->lit + p->litlen, b->p + j->rec_mark, len);
	p->ops[p->nops].off = p->litlen;
	p->ops[p->nops].len = (uint32_t)len;
	p->ops[p->nops].field = field;
	p->ops[p->nops].type = (uint8_t)type;
	p->nops++;
	p->litlen += (uint32_t)len;
}

/* put_value() of a field of that type, numbers and booleans (most of
 * the values) without its switch. */
static inline void put_typed(struct ns_buf *b, const struct ns_fv *v,
			     uint8_t type)
{
	if (type == NS_FT_UINT) {
		if (v->v.u < 10)
			ns_buf_putc(b, (char)('0' + v->v.u));
		else
			ns_buf_u64(b, v->v.u);
	} else if (type == NS_FT_BOOL) {
		if (v->v.u)
			ns_buf_put(b, "true", 4);
		else
			ns_buf_put(b, "false", 5);
	} else {
		put_value(b, v);
	}
}

/* Field i's value, noted as such when a plan's text is being recorded. */
static void put_field_value(struct ns_json *j, struct ns_buf *b,
			    const struct ns_fv *fv, uint32_t i)
{
	if (j->rec)
		rec_piece(j, b, i, (enum ns_ftype)fv[i].f->type);
	put_typed(b, &fv[i], fv[i].f->type);
	j->rec_mark = b->len;
}

/* Text of up to 64 bytes from a plan: copied 64 at once. */
static inline void put_lit(struct ns_buf *b, const char *s, uint32_t n)
{
	if (n > 64) {
		ns_buf_put(b, s, n);
		return;
	}
	if (b->len + 64 > b->cap)
		ns_buf_grow(b, 64);
	memcpy(b->p + b->len, s, 64);
	b->len += n;
}

/* A layer's members from its plan's recorded text and this packet's
 * values. */
static void replay(const struct ns_json_plan *p, struct ns_buf *b,
		   const struct ns_fv *fv)
{
	for (uint32_t i = 0; i < p->nops; i++) {
		const struct ns_json_op *o = &p->ops[i];
		put_lit(b, p->lit + o->off, o->len);
		if (o->field != NO_NEXT)
			put_typed(b, &fv[o->field], o->type);
	}
}

static void put_object(struct ns_json *j, const struct ns_json_lay *L,
		       struct ns_buf *b, const struct ns_fv *fv, uint32_t a,
		       uint32_t e);

/* The members for the roots of [a, e), into an open object. */
static void put_members(struct ns_json *j, const struct ns_json_lay *L,
			struct ns_buf *b, const struct ns_fv *fv, uint32_t a,
			uint32_t e, int *comma)
{
	for (uint32_t k = a; k < e; k = L->end[k]) {
		if (!L->first[k])
			continue;
		const struct ns_field *f = fv[k].f;
		int label = f->type == NS_FT_NONE || f->type == NS_FT_PROTO;
		if (L->first[k] == 1) { /* the key's one value: most of them */
			put_field_key(b, comma, f, 0);
			if (label) {
				put_object(j, L, b, fv, k + 1, L->end[k]);
				continue;
			}
			put_field_value(j, b, fv, k);
			if (L->end[k] > k + 1) {
				put_field_key(b, comma, f, 1);
				put_object(j, L, b, fv, k + 1, L->end[k]);
			}
			continue;
		}
		/* a key of several values (next[]): an array of them */
		int tree = 0;
		for (uint32_t i = k; i != NO_NEXT; i = L->next[i])
			tree |= L->end[i] > i + 1;
		put_field_key(b, comma, f, 0);
		ns_buf_putc(b, '[');
		for (uint32_t i = k; i != NO_NEXT; i = L->next[i]) {
			if (i != k)
				ns_buf_putc(b, ',');
			if (label)
				put_object(j, L, b, fv, i + 1, L->end[i]);
			else
				put_field_value(j, b, fv, i);
		}
		ns_buf_putc(b, ']');
		if (label || !tree)
			continue;
		put_field_key(b, comma, f, 1);
		ns_buf_putc(b, '[');
		for (uint32_t i = k; i != NO_NEXT; i = L->next[i]) {
			if (i != k)
				ns_buf_putc(b, ',');
			put_object(j, L, b, fv, i + 1, L->end[i]);
		}
		ns_buf_putc(b, ']');
	}
}

static void put_object(struct ns_json *j, const struct ns_json_lay *L,
		       struct ns_buf *b, const struct ns_fv *fv, uint32_t a,
		       uint32_t e)
{
	int comma = 0;
	ns_buf_putc(b, '{');
	put_members(j, L, b, fv, a, e, &comma);
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
	uint32_t a = l->fv_first + 1;
	if (l->fv_end > a) {
		const struct ns_json_lay *L = &j->lay[li];
		struct ns_json_plan *p = L->plan;
		if (p && p->nops) {
			replay(p, b, pkt->fv + a);
			comma = 1; /* a layer with fields has members */
		} else {
			if (p) { /* made for this packet: its text recorded */
				j->rec = p;
				j->rec_mark = b->len;
				p->litlen = 0;
			}
			put_members(j, L, b, pkt->fv + a, 0, l->fv_end - a,
				    &comma);
			if (j->rec)
				rec_piece(j, b, NO_NEXT, NS_FT_NONE);
			j->rec = NULL;
		}
	}
	put_status(b, &comma, l->status, l->reason, "_status", "_reason");
	if (!l->quoted) {
		unsigned q = li + 1;
		while (q < pkt->nlayers && pkt->layers[q].quoted)
			q++;
		put_layers(j, b, pkt, li + 1, q, &comma);
	}
	ns_buf_putc(b, '}');
}

/* Whether the layers [from, to) are all of one object (none quoted, or
 * all), each of a protocol of its own. */
static int distinct(const struct ns_packet *pkt, unsigned from, unsigned to)
{
	for (unsigned k = from; k < to; k++) {
		if (pkt->layers[k].quoted != pkt->layers[from].quoted)
			return 0;
		for (unsigned i = from; i < k; i++)
			if (pkt->layers[i].d == pkt->layers[k].d)
				return 0;
	}
	return 1;
}

/* The layers [from, to) that belong to one object (the packet's, or the
 * quoting layer's), grouped by protocol.  A packet has at most
 * NS_MAX_LAYERS layers: grouping by scanning is cheap. */
static void put_layers(struct ns_json *j, struct ns_buf *b,
		       const struct ns_packet *pkt, unsigned from, unsigned to,
		       int *comma)
{
	if (from >= to)
		return;
	if (distinct(pkt, from, to)) { /* no grouping: most packets */
		for (unsigned li = from; li < to; li++) {
			put_key(b, comma, pkt->layers[li].d->name, NULL);
			put_layer(j, b, pkt, li);
		}
		return;
	}
	int quoted = pkt->layers[from].quoted;
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
	for (unsigned li = 0; li < pkt->nlayers; li++) {
		uint32_t a = pkt->layers[li].fv_first + 1;
		if (pkt->layers[li].fv_end > a)
			plan_layer(j, pkt->fv + a, li, a,
				   pkt->layers[li].fv_end - a);
	}

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
