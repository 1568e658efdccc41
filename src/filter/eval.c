/*
 * eval — a compiled display filter against one packet.
 *
 * The packet's fields are a flat array in emission order (packet.h), so an
 * operand's values are found by one walk of that array: every occurrence
 * of its field, each viewed in place (numbers copied, bytes pointed at).
 * Slices, len(), lower()/upper() and & transform those values in a
 * scratch vector, one per side of a relation, owned by the filter and
 * reused from packet to packet: evaluation allocates only while a vector
 * grows, and never frees.
 *
 * Semantics (Wireshark 4): a relation holds when some value on the left
 * and some on the right satisfy it, except != ("no value equals", the
 * negation of ==) and === (every left value equals some right value);
 * !== holds when some value differs.  A field the packet lacks satisfies
 * no relation, != included (`ip.addr != 10.0.0.1` is false for an IPv6
 * packet, as in Wireshark).
 *
 * Invariants: nothing here reads outside a value's bytes; a value of zero
 * bytes may have a NULL pointer and is never offset or copied from; bytes
 * made here live in the side's scratch buffer, whose growth moves the
 * values that point into it (vec_bytes).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/dissect.h"
#include "filter/dfilter_int.h"

/* ---- the scratch vector ------------------------------------------------- */

static int vec_push(struct vec *v, const struct val *x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		struct val *nv = realloc(v->v, cap * sizeof(*nv));
		if (!nv)
			return -1;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = *x;
	return 0;
}

/* Room for `more` bytes in the scratch buffer; values already pointing
 * into it are moved along when it grows.  Never NULL on success, even for
 * zero bytes (C has no NULL + 0). */
static uint8_t *vec_bytes(struct vec *v, size_t more)
{
	if (!v->sb || v->sblen + more > v->sbcap) {
		size_t cap = v->sbcap ? v->sbcap : 256;
		while (cap < v->sblen + more)
			cap *= 2;
		/* addresses kept as integers: the old block is gone after
		 * realloc, only its range is compared */
		uintptr_t lo = (uintptr_t)v->sb, hi = lo + v->sbcap;
		uint8_t *nb = realloc(v->sb, cap);
		if (!nb)
			return NULL;
		for (size_t k = 0; k < v->n; k++) {
			uintptr_t a = (uintptr_t)v->v[k].b;
			if (lo && a >= lo && a < hi)
				v->v[k].b = nb + (a - lo);
		}
		v->sb = nb;
		v->sbcap = cap;
	}
	uint8_t *r = v->sb + v->sblen;
	v->sblen += more;
	return r;
}

static void vec_reset(struct vec *v)
{
	v->n = v->sblen = 0;
}

/* ---- values of an operand ----------------------------------------------- */

/* The bytes a protocol or label covers (the frame: all of them). */
static void covered_bytes(const struct ns_packet *pkt, const struct ns_fv *fv,
			  struct val *x)
{
	const struct ns_layer *l = &pkt->layers[fv->layer];
	const uint8_t *src = l->src ? l->src : pkt->data;
	uint32_t srclen = l->src ? l->srclen : pkt->caplen;
	uint32_t off = fv->off < srclen ? fv->off : srclen;
	uint32_t n = fv->len < srclen - off ? fv->len : srclen - off;
	if (fv->f == &ns_diss_frame.proto) {
		off = 0;
		n = pkt->caplen;
	}
	x->b = src + off;
	x->n = n;
}

static void fv_value(const struct ns_packet *pkt, const struct ns_fv *fv,
		     struct val *x)
{
	const struct ns_field *f = fv->f;
	x->cls = (uint8_t)field_cls(f);
	x->prefix = 255;
	switch (f->type) {
	case NS_FT_BOOL:
	case NS_FT_UINT:
		x->u = fv->v.u;
		return;
	case NS_FT_INT:
		x->i = fv->v.i;
		return;
	case NS_FT_DOUBLE:
		x->d = fv->v.d;
		return;
	case NS_FT_RELTIME:
	case NS_FT_ABSTIME:
		x->d = (double)fv->v.i / 1e9;
		return;
	case NS_FT_ETHER:
	case NS_FT_IPV4:
	case NS_FT_IPV6:
	case NS_FT_STRING:
	case NS_FT_BYTES:
		x->b = fv->v.b.p;
		x->n = fv->v.b.n;
		return;
	default:
		covered_bytes(pkt, fv, x);
	}
}

/* Narrows x to range r; 0 when r does not fit in x. */
static int slice(struct val *x, const struct range *r)
{
	int64_t n = x->n, a = r->a < 0 ? n + r->a : r->a, len;
	if (a < 0 || a > n)
		return 0;
	switch (r->kind) {
	case 'o':
		len = 1;
		break;
	case 'l':
		len = r->b;
		break;
	case 'r':
		len = n - a;
		break;
	default: { /* a-b inclusive */
		int64_t e = r->b < 0 ? n + r->b : r->b;
		len = e - a + 1;
		if (len < 0)
			return 0;
	}
	}
	if (a + len > n)
		return 0;
	if (a) /* x->b may be NULL when x is empty */
		x->b += a;
	x->n = (uint32_t)len;
	x->cls = C_BYTES;
	return 1;
}

static int collect(struct ns_dfilter *df, struct vec *v,
		   const struct operand *o);

static int collect_field(struct ns_dfilter *df, struct vec *v,
			 const struct ns_field *f)
{
	const struct ns_packet *pkt = df->pkt;
	for (uint32_t k = 0; k < pkt->nfv; k++) {
		if (!ns_field_is(f, pkt->fv[k].f))
			continue;
		struct val x;
		fv_value(pkt, &pkt->fv[k], &x);
		if (vec_push(v, &x) < 0)
			return -1;
	}
	return 0;
}

/* Several ranges join their bytes ([0:2,4]) in the scratch buffer:
 * v->v[k] sliced by each range of o, into *out.  1 done, 0 when some
 * range does not fit, -1 out of memory. */
static int join_ranges(struct vec *v, size_t k, const struct operand *o,
		       struct val *out)
{
	size_t total = 0;
	for (unsigned r = 0; r < o->nranges; r++) {
		struct val y = v->v[k];
		if (!slice(&y, &o->ranges[r]))
			return 0;
		total += y.n;
	}
	uint8_t *dst = vec_bytes(v, total);
	if (!dst)
		return -1;
	struct val x = v->v[k]; /* vec_bytes may have moved it */
	*out = x;
	out->b = dst;
	out->n = (uint32_t)total;
	out->cls = C_BYTES;
	for (unsigned r = 0; r < o->nranges; r++) {
		struct val y = x;
		slice(&y, &o->ranges[r]);
		if (y.n)
			memcpy(dst, y.b, y.n);
		dst += y.n;
	}
	return 1;
}

/* arg[ranges]: values the ranges do not fit are dropped. */
static int collect_slice(struct ns_dfilter *df, struct vec *v,
			 const struct operand *o)
{
	size_t first = v->n;
	if (collect(df, v, o->arg) < 0)
		return -1;
	size_t end = v->n, w = first;
	for (size_t k = first; k < end; k++) {
		struct val x = v->v[k];
		int ok = o->nranges == 1 ? slice(&x, &o->ranges[0])
					 : join_ranges(v, k, o, &x);
		if (ok < 0)
			return -1;
		if (ok)
			v->v[w++] = x;
	}
	v->n = w;
	return 0;
}

/* lower(arg), upper(arg): copies in the scratch buffer. */
static int collect_case(struct ns_dfilter *df, struct vec *v,
			const struct operand *o)
{
	size_t first = v->n;
	if (collect(df, v, o->arg) < 0)
		return -1;
	for (size_t k = first; k < v->n; k++) {
		uint8_t *dst = vec_bytes(v, v->v[k].n);
		if (!dst)
			return -1;
		for (uint32_t j = 0; j < v->v[k].n; j++) {
			int c = v->v[k].b[j];
			dst[j] = (uint8_t)(o->kind == O_LOWER ? tolower(c)
							      : toupper(c));
		}
		v->v[k].b = dst;
		v->v[k].cls = C_STRING;
	}
	return 0;
}

/* len(arg), arg & mask: each value of arg becomes a number. */
static int collect_number(struct ns_dfilter *df, struct vec *v,
			  const struct operand *o)
{
	size_t first = v->n;
	if (collect(df, v, o->arg) < 0)
		return -1;
	for (size_t k = first; k < v->n; k++) {
		struct val *x = &v->v[k];
		if (o->kind == O_LEN)
			x->u = x->n;
		else
			x->u =
			    (x->cls == C_INT ? (uint64_t)x->i : x->u) & o->mask;
		x->cls = C_UINT;
	}
	return 0;
}

/* Appends to v the values of operand o in the current packet. */
static int collect(struct ns_dfilter *df, struct vec *v,
		   const struct operand *o)
{
	switch (o->kind) {
	case O_FIELD:
		return collect_field(df, v, o->f);
	case O_SLICE:
		return collect_slice(df, v, o);
	case O_LEN:
	case O_BITAND:
		return collect_number(df, v, o);
	case O_COUNT: {
		struct val x = {.cls = C_UINT};
		for (uint32_t k = 0; k < df->pkt->nfv; k++)
			x.u += ns_field_is(o->arg->f, df->pkt->fv[k].f);
		return vec_push(v, &x);
	}
	case O_LOWER:
	case O_UPPER:
		return collect_case(df, v, o);
	default: /* O_LIT */
		return vec_push(v, &o->lit);
	}
}

/* ---- comparing two values ----------------------------------------------- */

static double as_double(const struct val *x)
{
	return x->cls == C_UINT	 ? (double)x->u
	       : x->cls == C_INT ? (double)x->i
				 : x->d;
}

static int cmp_num(const struct val *x, const struct val *y)
{
	if (x->cls == C_DOUBLE || y->cls == C_DOUBLE) {
		double a = as_double(x), b = as_double(y);
		return a < b ? -1 : a > b;
	}
	if (x->cls == C_INT && y->cls == C_INT)
		return x->i < y->i ? -1 : x->i > y->i;
	if (x->cls == C_INT && x->i < 0)
		return -1;
	if (y->cls == C_INT && y->i < 0)
		return 1;
	uint64_t a = x->cls == C_INT ? (uint64_t)x->i : x->u;
	uint64_t b = y->cls == C_INT ? (uint64_t)y->i : y->u;
	return a < b ? -1 : a > b;
}

static int cmp_bytes(const struct val *x, const struct val *y)
{
	uint32_t n = x->n < y->n ? x->n : y->n;
	int c = n ? memcmp(x->b, y->b, n) : 0;
	if (c)
		return c < 0 ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* Equality of addresses under the shorter of the two prefixes. */
static int addr_eq(const struct val *x, const struct val *y)
{
	unsigned bits = x->n * 8;
	if (x->prefix < bits)
		bits = x->prefix;
	if (y->prefix < bits)
		bits = y->prefix;
	if (x->n != y->n)
		return 0;
	unsigned full = bits / 8, rest = bits % 8;
	if (memcmp(x->b, y->b, full) != 0)
		return 0;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));
		return (x->b[full] & m) == (y->b[full] & m);
	}
	return 1;
}

static int cmp(const struct val *x, const struct val *y)
{
	if (is_num(x->cls) && is_num(y->cls))
		return cmp_num(x, y);
	return cmp_bytes(x, y);
}

static int eq(const struct val *x, const struct val *y)
{
	if ((x->cls == C_IPV4 || x->cls == C_IPV6) && x->cls == y->cls)
		return addr_eq(x, y);
	return cmp(x, y) == 0;
}

static int holds(const struct node *n, const struct val *x, const struct val *y)
{
	switch (n->rel) {
	case R_EQ:
	case R_NE:
	case R_ALLEQ:
		return eq(x, y);
	case R_ANYNE:
		return !eq(x, y);
	case R_GT:
		return cmp(x, y) > 0;
	case R_GE:
		return cmp(x, y) >= 0;
	case R_LT:
		return cmp(x, y) < 0;
	case R_LE:
		return cmp(x, y) <= 0;
	case R_CONTAINS:
		return y->n == 0 ||
		       (x->n >= y->n && memmem(x->b, x->n, y->b, y->n) != NULL);
	}
	return 0;
}

/* ---- the tree ----------------------------------------------------------- */

static int eval_matches(const struct node *n, const struct vec *va)
{
	for (size_t i = 0; i < va->n; i++)
		if (pcre2_match(n->re, va->v[i].b, va->v[i].n, 0, 0, n->md,
				NULL) >= 0)
			return 1;
	return 0;
}

/* ===: every value on the left equals some value on the right. */
static int all_equal(const struct vec *va, const struct vec *vb)
{
	for (size_t i = 0; i < va->n; i++) {
		int any = 0;
		for (size_t j = 0; j < vb->n && !any; j++)
			any = eq(&va->v[i], &vb->v[j]);
		if (!any)
			return 0;
	}
	return vb->n > 0;
}

static int eval_rel(struct ns_dfilter *df, const struct node *n)
{
	struct vec *va = &df->side[0], *vb = &df->side[1];
	vec_reset(va);
	vec_reset(vb);
	if (collect(df, va, n->a) < 0)
		return 0;
	if (va->n == 0)
		return 0;
	if (n->rel == R_MATCHES)
		return eval_matches(n, va);
	if (collect(df, vb, n->b) < 0)
		return 0;
	if (n->rel == R_ALLEQ)
		return all_equal(va, vb);
	for (size_t i = 0; i < va->n; i++)
		for (size_t j = 0; j < vb->n; j++)
			if (holds(n, &va->v[i], &vb->v[j]))
				return n->rel != R_NE;
	return n->rel == R_NE;
}

static int in_set(const struct node *n, const struct val *x)
{
	for (unsigned k = 0; k < n->nset; k++) {
		const struct setitem *it = &n->set[k];
		if (it->range ? cmp(x, &it->lo) >= 0 && cmp(x, &it->hi) <= 0
			      : eq(x, &it->lo))
			return 1;
	}
	return 0;
}

static int eval_in(struct ns_dfilter *df, const struct node *n)
{
	struct vec *va = &df->side[0];
	vec_reset(va);
	if (collect(df, va, n->a) < 0)
		return 0;
	int found = 0;
	for (size_t i = 0; i < va->n && !found; i++)
		found = in_set(n, &va->v[i]);
	return n->negate ? !found : found;
}

/* An operand alone: the field exists; a mask is non-zero somewhere. */
static int eval_test(struct ns_dfilter *df, const struct node *n)
{
	const struct operand *o = n->a;
	if (o->kind == O_FIELD) { /* the common case: no vector */
		for (uint32_t k = 0; k < df->pkt->nfv; k++)
			if (ns_field_is(o->f, df->pkt->fv[k].f))
				return 1;
		return 0;
	}
	struct vec *va = &df->side[0];
	vec_reset(va);
	if (collect(df, va, o) < 0)
		return 0;
	if (o->kind == O_BITAND) {
		for (size_t i = 0; i < va->n; i++)
			if (va->v[i].u)
				return 1;
		return 0;
	}
	return va->n > 0;
}

static int eval(struct ns_dfilter *df, const struct node *n)
{
	switch (n->kind) {
	case N_OR:
		return eval(df, n->l) || eval(df, n->r);
	case N_XOR:
		return eval(df, n->l) != eval(df, n->r);
	case N_AND:
		return eval(df, n->l) && eval(df, n->r);
	case N_NOT:
		return !eval(df, n->l);
	case N_REL:
		return eval_rel(df, n);
	case N_IN:
		return eval_in(df, n);
	default:
		return eval_test(df, n);
	}
}

int ns_dfilter_match(struct ns_dfilter *df, const struct ns_packet *pkt)
{
	df->pkt = pkt;
	return eval(df, df->root);
}
