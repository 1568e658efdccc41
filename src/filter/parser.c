/*
 * parser — turns a display filter into the tree eval.c walks
 * (dfilter_int.h), checking everything that can be checked before the
 * first packet.
 *
 * Recursive descent, loosest first: or < xor < and < not < test.  A test
 * is an operand alone (existence), `operand relation operand`, or
 * `operand [not] in {set}`; an operand is a field, a function call
 * (len, count, lower, upper), a slice field[…] or `operand & mask`.
 *
 * Literals: the lexer leaves words as text.  A word that names a
 * registered field becomes a field reference; any other word or quoted
 * string is converted here, once, to the class of the field on the other
 * side of the relation (or of the set): a number, a value name
 * (`HEADERS` for http2.type), a boolean, an address with its CIDR prefix,
 * an Ethernet address, a byte string or a string.  A literal alone, or
 * on both sides, is an error naming the nearest field name (edit
 * distance over the registry) when one is close.
 *
 * Slices follow Wireshark 4.0's rules (epan/dfilter/drange.c): a length
 * is positive, [a-b] needs a < b with both on the same side of zero, so a
 * range never selects zero bytes by construction; tshark refuses the
 * others at compile time and so do we.
 *
 * Errors: the first one is kept with its byte offset (a column for the
 * user) and every function returns NULL or -1 after it; memory taken
 * before it is freed with the filter.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/dissect.h"
#include "filter/dfilter_int.h"

/* ---- unknown names ------------------------------------------------------ */

/* A word where a field is needed. */
static int unknown_field(struct parser *p, const struct operand *o)
{
	const struct ns_field *s =
	    o->quoted ? NULL : ns_field_nearest(o->word, o->wordlen);
	if (s)
		return ns_dfl_fail(p, o->col - 1,
				   "unknown field \"%.*s\" (did you mean %s?)",
				   (int)o->wordlen, o->word, s->name);
	if (o->quoted)
		return ns_dfl_fail(p, o->col - 1,
				   "a literal needs a field to compare "
				   "with");
	return ns_dfl_fail(p, o->col - 1, "unknown field \"%.*s\"",
			   (int)o->wordlen, o->word);
}

/* ---- literal text ------------------------------------------------------- */

/* Unsigned from decimal, 0x hex, 0 octal or 0b binary; 0 on success. */
static int parse_u64(const char *s, uint64_t *out)
{
	if (!*s)
		return -1;
	errno = 0;
	char *end;
	if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B') && s[2])
		*out = strtoull(s + 2, &end, 2);
	else
		*out = strtoull(s, &end, 0);
	if (*s == '-' || *end || errno)
		return -1;
	return 0;
}

static int parse_i64(const char *s, int64_t *out)
{
	if (*s == '-') {
		uint64_t u;
		if (parse_u64(s + 1, &u) < 0 || u > (uint64_t)INT64_MAX + 1)
			return -1;
		*out = (int64_t)(0 - u);
		return 0;
	}
	uint64_t u;
	if (parse_u64(s, &u) < 0 || u > INT64_MAX)
		return -1;
	*out = (int64_t)u;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	if (!*s)
		return -1;
	errno = 0;
	char *end;
	*out = strtod(s, &end);
	return *end || errno ? -1 : 0;
}

/* "2026-11-25 10:00:00.5" or "…T…Z" as UTC, in seconds since the epoch. */
static int parse_abstime(const char *s, double *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *e = strptime(s, "%Y-%m-%d", &tm);
	if (!e)
		return -1;
	if (*e == ' ' || *e == 'T') {
		e = strptime(e + 1, "%H:%M:%S", &tm);
		if (!e)
			return -1;
	}
	double frac = 0;
	if (*e == '.') {
		char *end;
		frac = strtod(e, &end);
		e = end;
	}
	if (*e == 'Z')
		e++;
	if (*e)
		return -1;
	*out = (double)timegm(&tm) + frac;
	return 0;
}

/* Hex byte pairs with optional ':', '-' or '.' between (aa:bb, aabb.ccdd);
 * a lone "0x45" or "45" is one byte.  Returns the byte count or -1. */
static int parse_bytes(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2] &&
	    (!s[3] || !s[4])) {
		int h1 = ns_hexval(s[2]), h2 = s[3] ? ns_hexval(s[3]) : 0;
		if (h1 < 0 || h2 < 0)
			return -1;
		out[0] = (uint8_t)(s[3] ? h1 * 16 + h2 : h1);
		return 1;
	}
	while (*s) {
		int h1 = ns_hexval(s[0]);
		if (h1 < 0)
			return -1;
		int h2 = ns_hexval(s[1]);
		if (n == cap)
			return -1;
		if (h2 < 0) { /* one digit: "a:b" as in 0a:0b */
			out[n++] = (uint8_t)h1;
			s += 1;
		} else {
			out[n++] = (uint8_t)(h1 * 16 + h2);
			s += 2;
		}
		if (*s == ':' || *s == '-' || *s == '.') {
			s++;
			if (!*s)
				return -1;
		}
	}
	return n ? (int)n : -1;
}

static int valname_eq(const char *a, const char *b, size_t n)
{
	return strlen(a) == n && strncasecmp(a, b, n) == 0;
}

/* ---- literals converted to a class -------------------------------------- */

/* What a conversion needs to know, and to say when it fails. */
struct literal {
	const struct operand *o;
	const char *text; /* o's text, NUL-terminated, owned by the filter */
	size_t n;
	unsigned at;		  /* 0-based position, for errors */
	const struct ns_field *f; /* the field on the other side, or NULL */
	const char *fname;
};

static void set_num(struct val *v, uint64_t u)
{
	v->u = u;
	v->i = (int64_t)u;
	v->d = (double)u;
}

/* A parsed unsigned against its field: booleans are 0 or 1, a narrow
 * field refuses what does not fit. */
static int check_uint(struct parser *p, const struct literal *l, struct val *v)
{
	const struct ns_field *f = l->f;
	if (f && f->type == NS_FT_BOOL)
		v->u = v->u != 0;
	else if (f && f->type == NS_FT_UINT && f->bits && f->bits < 64 &&
		 v->u >> f->bits)
		return ns_dfl_fail(p, l->at, "%s is too large for %s (%u bits)",
				   l->text, f->name, f->bits);
	return 0;
}

/* Not a number: true/false for a boolean, or one of the field's value
 * names; otherwise the error that says best what is wrong. */
static int number_by_name(struct parser *p, const struct literal *l, int cls,
			  struct val *v)
{
	const struct ns_field *f = l->f;
	if (f && f->type == NS_FT_BOOL) {
		if (valname_eq("true", l->text, l->n)) {
			v->u = 1;
			return 0;
		}
		if (valname_eq("false", l->text, l->n))
			return 0;
	}
	if (f && f->vals) {
		for (const struct ns_valstr *vs = f->vals; vs->s; vs++)
			if (valname_eq(vs->s, l->text, l->n)) {
				set_num(v, vs->v);
				return 0;
			}
		return ns_dfl_fail(
		    p, l->at, "\"%s\" is not a number nor a value name of %s",
		    l->text, l->fname);
	}
	if (cls == C_UINT && l->text[0] == '-')
		return ns_dfl_fail(p, l->at,
				   "%s is unsigned: \"%s\" is negative",
				   l->fname, l->text);
	return ns_dfl_fail(p, l->at, "\"%s\" is not a valid %s (for %s)",
			   l->text, ns_dfl_cls_names[cls], l->fname);
}

static int to_number(struct parser *p, const struct literal *l, int cls,
		     struct val *v)
{
	const char *text = l->text;
	if (l->o->quoted == 2) { /* 'c' */
		set_num(v, (uint8_t)text[0]);
		return 0;
	}
	if (cls == C_UINT && parse_u64(text, &v->u) == 0)
		return check_uint(p, l, v);
	if (cls == C_INT && parse_i64(text, &v->i) == 0)
		return 0;
	if (cls == C_DOUBLE && (parse_double(text, &v->d) == 0 ||
				(l->f && l->f->type == NS_FT_ABSTIME &&
				 parse_abstime(text, &v->d) == 0)))
		return 0;
	return number_by_name(p, l, cls, v);
}

/* An IPv4 or IPv6 address with an optional /prefix. */
static int to_address(struct parser *p, const struct literal *l, int cls,
		      struct val *v)
{
	int bits = cls == C_IPV4 ? 32 : 128;
	char *text = (char *)l->text; /* ours: the prefix is cut off */
	v->prefix = (uint8_t)bits;
	char *slash = strchr(text, '/');
	if (slash) {
		*slash = '\0';
		uint64_t pl;
		if (parse_u64(slash + 1, &pl) < 0 || pl > (uint64_t)bits)
			return ns_dfl_fail(p,
					   l->at + (unsigned)(slash - text) + 1,
					   "bad prefix length \"%s\" (0 to %d)",
					   slash + 1, bits);
		v->prefix = (uint8_t)pl;
	}
	uint8_t *a = ns_dfl_alloc(p, 16);
	if (!a)
		return -1;
	if (inet_pton(cls == C_IPV4 ? AF_INET : AF_INET6, text, a) != 1)
		return ns_dfl_fail(p, l->at,
				   "\"%s\" is not a valid %s (for %s)", text,
				   ns_dfl_cls_names[cls], l->fname);
	v->b = a;
	v->n = cls == C_IPV4 ? 4 : 16;
	return 0;
}

static int to_ether(struct parser *p, const struct literal *l, struct val *v)
{
	uint8_t *a = ns_dfl_alloc(p, 8);
	if (!a)
		return -1;
	if (l->o->quoted || parse_bytes(l->text, a, 6) != 6)
		return ns_dfl_fail(
		    p, l->at, "\"%s\" is not a valid Ethernet address (for %s)",
		    l->text, l->fname);
	v->b = a;
	v->n = 6;
	return 0;
}

/* A string as written, or for bytes a word of hex digits (aa:bb:cc). */
static int to_bytes(struct parser *p, const struct literal *l, int cls,
		    struct val *v)
{
	if (l->o->quoted || cls == C_STRING) {
		v->b = (const uint8_t *)l->text;
		v->n = (uint32_t)l->n;
		return 0;
	}
	uint8_t *a = ns_dfl_alloc(p, l->n / 2 + 1);
	if (!a)
		return -1;
	int k = parse_bytes(l->text, a, l->n / 2 + 1);
	if (k < 0)
		return ns_dfl_fail(
		    p, l->at,
		    "\"%s\" is not a byte string such as aa:bb:cc "
		    "(for %s)",
		    l->text, l->fname);
	v->b = a;
	v->n = (uint32_t)k;
	return 0;
}

/*
 * Converts a word or quoted literal to class `cls`, for comparison with
 * field f (its value names and boolean-ness), into *v.  A byte-valued
 * result is allocated in the filter.
 */
static int to_value(struct parser *p, struct operand *o, int cls,
		    const struct ns_field *f, struct val *v)
{
	memset(v, 0, sizeof(*v));
	v->cls = (uint8_t)cls;
	char *text = ns_dfl_alloc(p, o->wordlen + 1);
	if (!text)
		return -1;
	memcpy(text, o->word, o->wordlen);
	const struct literal l = {.o = o,
				  .text = text,
				  .n = o->wordlen,
				  .at = o->col - 1,
				  .f = f,
				  .fname = f ? f->name : "the other side"};
	switch (cls) {
	case C_UINT:
	case C_INT:
	case C_DOUBLE:
		return to_number(p, &l, cls, v);
	case C_IPV4:
	case C_IPV6:
		return to_address(p, &l, cls, v);
	case C_ETHER:
		return to_ether(p, &l, v);
	case C_STRING:
	case C_BYTES:
	case C_NONE:
		return to_bytes(p, &l, cls, v);
	}
	return ns_dfl_fail(p, l.at, "cannot compare with %s", l.fname);
}

/* Makes o (a word) a literal of class cls for comparison with `other`. */
static int resolve_literal(struct parser *p, struct operand *o,
			   const struct operand *other)
{
	const struct ns_field *f = other->kind == O_FIELD ? other->f : NULL;
	if (to_value(p, o, other->cls, f, &o->lit) < 0)
		return -1;
	o->kind = O_LIT;
	o->cls = other->cls;
	return 0;
}

/* ---- slices ------------------------------------------------------------- */

static int parse_int32(const char *s, size_t n, int32_t *out)
{
	char b[16];
	if (n == 0 || n >= sizeof(b))
		return -1;
	memcpy(b, s, n);
	b[n] = '\0';
	int64_t v;
	if (parse_i64(b, &v) < 0 || v < INT32_MIN || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* Wireshark 4.0's rules (drange.c): a length is positive, [a-b] has
 * a < b on the same side of zero.  A range selecting nothing is a
 * mistake in the filter, so it is refused here rather than matched as
 * nothing for every packet. */
static int check_range(struct parser *p, size_t i, size_t t,
		       const struct range *r)
{
	int n = (int)(t - i);
	const char *txt = p->s + i;
	if (r->kind == 'l' && r->b <= 0)
		return ns_dfl_fail(
		    p, i, "bad slice \"%.*s\": length %d is not positive", n,
		    txt, (int)r->b);
	if (r->kind != 'e')
		return 0;
	if ((r->a < 0) != (r->b < 0))
		return ns_dfl_fail(
		    p, i,
		    "bad slice \"%.*s\": %d and %d have different "
		    "signs",
		    n, txt, (int)r->a, (int)r->b);
	if (r->a >= r->b)
		return ns_dfl_fail(
		    p, i,
		    "bad slice \"%.*s\": the end %d is not above "
		    "the start %d",
		    n, txt, (int)r->b, (int)r->a);
	return 0;
}

/* One range, s[i, t) without blanks: a:b, a-b, a, :b or a:. */
static int parse_range(struct parser *p, size_t i, size_t t, struct range *r)
{
	const char *s = p->s, *sep = NULL;
	/* the separator: ':' anywhere, or '-' after the first char (a
	 * leading '-' is a negative start) */
	for (size_t k = i; k < t && !sep; k++)
		if (s[k] == ':' || (s[k] == '-' && k > i))
			sep = s + k;
	int bad = t == i;
	size_t k = sep ? (size_t)(sep - s) : t;
	if (k > i)
		bad = bad || parse_int32(s + i, k - i, &r->a) < 0;
	else
		r->a = 0; /* [:b] */
	if (!sep)
		r->kind = 'o';
	else if (*sep == ':' && k + 1 == t)
		r->kind = 'r';
	else {
		r->kind = *sep == ':' ? 'l' : 'e';
		bad = bad || parse_int32(s + k + 1, t - k - 1, &r->b) < 0;
	}
	if (bad)
		return ns_dfl_fail(p, i,
				   "bad slice \"%.*s\" (use [start:length], "
				   "[start-end], [start] or [start:])",
				   (int)(t - i), s + i);
	return check_range(p, i, t, r);
}

/* The ranges between '[' and ']', separated by commas, into o. */
static int parse_ranges(struct parser *p, size_t open, size_t close,
			struct operand *o)
{
	const char *s = p->s;
	o->ranges = ns_dfl_alloc(p, sizeof(*o->ranges) * (close - open));
	if (!o->ranges)
		return -1;
	for (size_t i = open + 1; i < close;) {
		while (s[i] == ' ')
			i++;
		size_t e = i;
		while (e < close && s[e] != ',')
			e++;
		size_t t = e;
		while (t > i && s[t - 1] == ' ')
			t--;
		if (parse_range(p, i, t, &o->ranges[o->nranges++]) < 0)
			return -1;
		i = e < close ? e + 1 : e;
	}
	if (o->nranges == 0)
		return ns_dfl_fail(p, open, "empty slice");
	return 0;
}

/* base[…]: the lexer stands on '['; the text is read directly up to
 * ']' (ranges are not tokens: "1-2" would be a word). */
static struct operand *parse_slice(struct parser *p, struct operand *base)
{
	size_t open = p->tstart, close = open + 1;
	struct operand *o = ns_dfl_alloc(p, sizeof(*o));
	if (!o)
		return NULL;
	o->kind = O_SLICE;
	o->cls = C_BYTES;
	o->arg = base;
	o->col = base->col;
	o->start = base->start;
	while (p->s[close] && p->s[close] != ']')
		close++;
	if (!p->s[close]) {
		ns_dfl_fail(p, open,
			    "the slice opened here is not closed with ']'");
		return NULL;
	}
	if (parse_ranges(p, open, close, o) < 0)
		return NULL;
	p->pos = close + 1;
	o->end = (unsigned)p->pos;
	ns_dfl_next(p);
	return o;
}

/* ---- operands ----------------------------------------------------------- */

static struct operand *parse_operand(struct parser *p);

static const char *const functions[] = {"len", "count", "lower", "upper"};

static int check_bytes_arg(struct parser *p, struct operand *a,
			   const char *what)
{
	if (a->kind == O_WORD)
		return unknown_field(p, a);
	if (!is_bytes(a->cls))
		return ns_dfl_fail(p, a->col - 1,
				   "%s needs a string or bytes, and "
				   "\"%.*s\" is a %s",
				   what, (int)(a->end - a->start),
				   p->s + a->start, ns_dfl_cls_names[a->cls]);
	return 0;
}

/* The class of a call's result, after checking its argument. */
static int type_call(struct parser *p, struct operand *o)
{
	struct operand *a = o->arg;
	switch (o->kind) {
	case O_LEN:
		if (check_bytes_arg(p, a, "len()") < 0)
			return -1;
		o->cls = C_UINT;
		return 0;
	case O_COUNT:
		if (a->kind == O_WORD)
			return unknown_field(p, a);
		if (a->kind != O_FIELD)
			return ns_dfl_fail(p, a->col - 1,
					   "count() takes a field");
		o->cls = C_UINT;
		return 0;
	default:
		if (check_bytes_arg(p, a, "lower() and upper()") < 0)
			return -1;
		o->cls = C_STRING;
		return 0;
	}
}

/* name(operand): the lexer stands on the name, '(' follows at once. */
static struct operand *parse_call(struct parser *p, struct operand *o)
{
	const char *w = p->str;
	size_t wn = p->strn;
	int fn = -1;
	for (size_t k = 0; k < NS_NELEM(functions); k++)
		if (strlen(functions[k]) == wn &&
		    memcmp(functions[k], w, wn) == 0)
			fn = (int)k;
	if (fn < 0) {
		ns_dfl_fail(
		    p, p->tstart,
		    "unknown function \"%.*s\" (len, count, lower, upper)",
		    (int)wn, w);
		return NULL;
	}
	ns_dfl_next(p); /* ( */
	ns_dfl_next(p);
	struct operand *a = parse_operand(p);
	if (!a)
		return NULL;
	if (p->t != T_RP) {
		ns_dfl_unexpected(p, "')' closing the function call");
		return NULL;
	}
	o->end = (unsigned)p->pos;
	ns_dfl_next(p);
	o->arg = a;
	o->kind = (uint8_t)(O_LEN + fn);
	return type_call(p, o) < 0 ? NULL : o;
}

static const struct ns_field *lookup_field(const char *w, size_t wn)
{
	char name[256];
	if (wn >= sizeof(name))
		return NULL;
	memcpy(name, w, wn);
	name[wn] = '\0';
	return ns_field_by_name(name);
}

/* A word: a field (perhaps sliced) or text for a literal. */
static struct operand *parse_name(struct parser *p, struct operand *o)
{
	o->word = p->str;
	o->wordlen = p->strn;
	o->end = (unsigned)p->pos;
	const struct ns_field *f = lookup_field(p->str, p->strn);
	if (f) {
		o->kind = O_FIELD;
		o->f = f;
		if (f->proto != &ns_diss_frame)
			p->df->beyond_frame = 1;
		o->cls = (uint8_t)field_cls(f);
	} else {
		o->kind = O_WORD;
	}
	ns_dfl_next(p);
	if (p->t != T_LSQ)
		return o;
	if (o->kind == O_WORD) {
		unknown_field(p, o);
		return NULL;
	}
	if (!is_bytes(o->cls)) {
		ns_dfl_fail(p, p->tstart, "%s is a %s and cannot be sliced",
			    f->name, ns_dfl_cls_names[o->cls]);
		return NULL;
	}
	return parse_slice(p, o);
}

static struct operand *parse_primary_operand(struct parser *p)
{
	struct operand *o = ns_dfl_alloc(p, sizeof(*o));
	if (!o)
		return NULL;
	o->col = (unsigned)p->tstart + 1;
	o->start = (unsigned)p->tstart;
	if (p->t == T_STRING || p->t == T_CHAR) {
		o->kind = O_WORD;
		o->quoted = p->t == T_STRING ? 1 : 2;
		o->word = p->str;
		o->wordlen = p->strn;
		o->end = (unsigned)p->pos;
		ns_dfl_next(p);
		return o;
	}
	if (p->t != T_WORD) {
		ns_dfl_unexpected(p, "a field, a value or '('");
		return NULL;
	}
	/* a function: a word immediately followed by '(' */
	if (p->s[p->pos] == '(')
		return parse_call(p, o);
	return parse_name(p, o);
}

/* operand [& mask] */
static struct operand *parse_operand(struct parser *p)
{
	struct operand *o = parse_primary_operand(p);
	if (!o || p->t != T_BITAND)
		return o;
	size_t amp = p->tstart;
	ns_dfl_next(p);
	struct operand *m = parse_primary_operand(p);
	if (!m)
		return NULL;
	if (o->kind == O_WORD) {
		unknown_field(p, o);
		return NULL;
	}
	if (o->cls != C_UINT && o->cls != C_INT) {
		ns_dfl_fail(p, amp, "'&' needs an integer field");
		return NULL;
	}
	struct val v;
	if (m->kind != O_WORD) {
		ns_dfl_fail(p, m->col - 1, "the mask of '&' must be a number");
		return NULL;
	}
	if (to_value(p, m, C_UINT, NULL, &v) < 0)
		return NULL;
	struct operand *b = ns_dfl_alloc(p, sizeof(*b));
	if (!b)
		return NULL;
	b->kind = O_BITAND;
	b->cls = C_UINT;
	b->arg = o;
	b->mask = v.u;
	b->col = o->col;
	b->start = o->start;
	b->end = m->end;
	return b;
}

/* ---- sets --------------------------------------------------------------- */

static int is_value_tok(int t)
{
	return t == T_WORD || t == T_STRING || t == T_CHAR;
}

/* The current token as a literal-to-be. */
static struct operand token_word(const struct parser *p)
{
	return (struct operand){.kind = O_WORD,
				.quoted = p->t == T_STRING ? 1
					  : p->t == T_CHAR ? 2
							   : 0,
				.word = p->str,
				.wordlen = p->strn,
				.col = (unsigned)p->tstart + 1};
}

/* The lexer stands on a word starting "..": the end of a range is the
 * rest of that word, or the next token; moves past it. */
static int parse_range_end(struct parser *p, struct operand *hi)
{
	if (p->strn == 2) {
		ns_dfl_next(p);
		if (!is_value_tok(p->t))
			return ns_dfl_unexpected(p, "the end of the range");
		*hi = token_word(p);
	} else {
		hi->word = p->str + 2;
		hi->wordlen = p->strn - 2;
		hi->col = (unsigned)p->tstart + 3;
	}
	ns_dfl_next(p);
	return 0;
}

/* One member: a value, or a range lo..hi written as one word or with
 * blanks around "..". */
static int parse_set_item(struct parser *p, const struct node *n,
			  struct setitem *it)
{
	struct operand lo = token_word(p), hi = lo;
	int range = 0;
	const char *dd = NULL;
	if (!lo.quoted && p->strn > 2)
		dd = memmem(p->str + 1, p->strn - 2, "..", 2);
	if (dd) { /* 1..1024 in one word */
		lo.wordlen = (size_t)(dd - p->str);
		hi.word = (char *)dd + 2;
		hi.wordlen = p->strn - lo.wordlen - 2;
		hi.col = lo.col + (unsigned)lo.wordlen + 2;
		range = 1;
		ns_dfl_next(p);
	} else {
		ns_dfl_next(p);
		if (p->t == T_WORD && p->strn >= 2 &&
		    memcmp(p->str, "..", 2) == 0) {
			range = 1;
			if (parse_range_end(p, &hi) < 0)
				return -1;
		}
	}
	const struct ns_field *f = n->a->kind == O_FIELD ? n->a->f : NULL;
	if (to_value(p, &lo, n->a->cls, f, &it->lo) < 0 ||
	    (range && to_value(p, &hi, n->a->cls, f, &it->hi) < 0))
		return -1;
	it->range = range;
	return 0;
}

/* {…}: the lexer stands on '{'. */
static struct node *parse_set(struct parser *p, struct node *n)
{
	n->start = (unsigned)p->tstart;
	size_t cap = 8;
	n->set = ns_dfl_alloc(p, cap * sizeof(*n->set));
	if (!n->set)
		return NULL;
	ns_dfl_next(p);
	while (p->t != T_RB) {
		if (!is_value_tok(p->t)) {
			ns_dfl_unexpected(p, "a value or '}'");
			return NULL;
		}
		if (n->nset == cap) {
			struct setitem *ns =
			    ns_dfl_alloc(p, 2 * cap * sizeof(*ns));
			if (!ns)
				return NULL;
			memcpy(ns, n->set, cap * sizeof(*ns));
			n->set = ns;
			cap *= 2;
		}
		if (parse_set_item(p, n, &n->set[n->nset++]) < 0)
			return NULL;
		if (p->t == T_COMMA)
			ns_dfl_next(p);
	}
	if (n->nset == 0) {
		ns_dfl_fail(p, p->tstart, "empty set");
		return NULL;
	}
	n->end = (unsigned)p->pos;
	ns_dfl_next(p);
	return n;
}

/* ---- tests -------------------------------------------------------------- */

static struct node *parse_or(struct parser *p);

static struct node *mknode(struct parser *p, int kind)
{
	struct node *n = ns_dfl_alloc(p, sizeof(*n));
	if (n)
		n->kind = (uint8_t)kind;
	return n;
}

static int mirror(int rel)
{
	switch (rel) {
	case R_GT:
		return R_LT;
	case R_LT:
		return R_GT;
	case R_GE:
		return R_LE;
	case R_LE:
		return R_GE;
	default:
		return rel;
	}
}

static int compatible(int a, int b)
{
	if (is_num(a) && is_num(b))
		return 1;
	if (a == b)
		return 1;
	return is_bytes(a) && is_bytes(b) && a != C_IPV4 && a != C_IPV6 &&
	       b != C_IPV4 && b != C_IPV6;
}

static const char *operand_name(const struct operand *a)
{
	return a->kind == O_FIELD ? a->f->name : "this";
}

/* a matches "regex": compiled now, caseless as in Wireshark. */
static int compile_regex(struct parser *p, struct node *n, size_t relat)
{
	const struct operand *a = n->a, *b = n->b;
	struct ns_dfilter *df = p->df;
	if (!is_bytes(a->cls))
		return ns_dfl_fail(
		    p, relat,
		    "\"matches\" needs a string field, and %s is a %s",
		    operand_name(a), ns_dfl_cls_names[a->cls]);
	if (b->kind != O_WORD || b->quoted != 1)
		return ns_dfl_fail(
		    p, b->col - 1,
		    "\"matches\" takes a quoted regular expression");
	struct node **rn = realloc(df->renodes, (df->nre + 1) * sizeof(*rn));
	if (!rn)
		return ns_dfl_fail(p, 0, "out of memory");
	df->renodes = rn;
	int ec;
	PCRE2_SIZE eo;
	n->re = pcre2_compile((PCRE2_SPTR)b->word, b->wordlen, PCRE2_CASELESS,
			      &ec, &eo, NULL);
	if (!n->re) {
		PCRE2_UCHAR m[128];
		pcre2_get_error_message(ec, m, sizeof(m));
		return ns_dfl_fail(p, b->col - 1,
				   "bad regular expression: %s (at offset %zu)",
				   (char *)m, (size_t)eo);
	}
	rn[df->nre++] = n;
	n->md = pcre2_match_data_create_from_pattern(n->re, NULL);
	if (!n->md)
		return ns_dfl_fail(p, 0, "out of memory");
	return 0;
}

/* a rel b for every relation but matches: b becomes a literal of a's
 * class, or both sides must be comparable. */
static int check_operands(struct parser *p, struct node *n, size_t relat)
{
	const struct operand *a = n->a;
	struct operand *b = n->b;
	if (n->rel == R_CONTAINS && !is_bytes(a->cls))
		return ns_dfl_fail(
		    p, relat,
		    "\"contains\" needs a string or bytes field, and "
		    "%s is a %s",
		    operand_name(a), ns_dfl_cls_names[a->cls]);
	if (b->kind == O_WORD)
		return resolve_literal(p, b, a);
	if (!compatible(a->cls, b->cls))
		return ns_dfl_fail(p, b->col - 1,
				   "%s (%s) and %.*s (%s) cannot be compared",
				   operand_name(a), ns_dfl_cls_names[a->cls],
				   (int)(b->end - b->start), p->s + b->start,
				   ns_dfl_cls_names[b->cls]);
	return 0;
}

/* a rel b: the lexer stands on the relation. */
static struct node *parse_rel(struct parser *p, struct operand *a)
{
	int rel = p->rel;
	size_t relat = p->tstart;
	ns_dfl_next(p);
	struct operand *b = parse_operand(p);
	if (!b)
		return NULL;
	if (a->kind == O_WORD && b->kind != O_WORD) {
		struct operand *t = a; /* 80 == tcp.port */
		a = b;
		b = t;
		rel = mirror(rel);
		if (rel == R_CONTAINS || rel == R_MATCHES) {
			ns_dfl_fail(p, relat,
				    "the left side of \"%s\" must be a field",
				    ns_dfl_rel_names[rel]);
			return NULL;
		}
	}
	if (a->kind == O_WORD) {
		unknown_field(p, a);
		return NULL;
	}
	struct node *n = mknode(p, N_REL);
	if (!n)
		return NULL;
	n->rel = (uint8_t)rel;
	n->a = a;
	n->b = b;
	if (rel == R_MATCHES)
		return compile_regex(p, n, relat) < 0 ? NULL : n;
	return check_operands(p, n, relat) < 0 ? NULL : n;
}

/* a [not] in {…}: the lexer stands on "in". */
static struct node *parse_in(struct parser *p, struct operand *a, int negate)
{
	if (a->kind == O_WORD) {
		unknown_field(p, a);
		return NULL;
	}
	struct node *n = mknode(p, N_IN);
	if (!n)
		return NULL;
	n->a = a;
	n->negate = (uint8_t)negate;
	ns_dfl_next(p);
	if (p->t != T_LB) {
		ns_dfl_unexpected(p, "'{' after 'in'");
		return NULL;
	}
	return parse_set(p, n);
}

/* "not" after an operand can only begin "not in"; otherwise the error
 * points at the "not". */
static int parse_not_in(struct parser *p)
{
	size_t save = p->pos, st = p->tstart, tl = p->tlen;
	ns_dfl_next(p);
	if (p->t == T_IN)
		return 0;
	p->pos = save;
	p->tstart = st;
	p->tlen = tl;
	p->t = T_NOT;
	return ns_dfl_unexpected(p, "a relation, 'and', 'or' or ')'");
}

static struct node *parse_test(struct parser *p)
{
	struct operand *a = parse_operand(p);
	if (!a)
		return NULL;
	int negate_in = p->t == T_NOT;
	if (negate_in && parse_not_in(p) < 0)
		return NULL;
	if (p->t == T_IN)
		return parse_in(p, a, negate_in);
	if (p->t == T_REL)
		return parse_rel(p, a);
	if (a->kind == O_WORD) { /* existence needs a field */
		unknown_field(p, a);
		return NULL;
	}
	struct node *n = mknode(p, N_TEST);
	if (n)
		n->a = a;
	return n;
}

/* ---- logic -------------------------------------------------------------- */

static struct node *parse_unary(struct parser *p)
{
	if (p->t == T_NOT) {
		ns_dfl_next(p);
		struct node *c = parse_unary(p);
		if (!c)
			return NULL;
		struct node *n = mknode(p, N_NOT);
		if (n)
			n->l = c;
		return n;
	}
	if (p->t != T_LP)
		return parse_test(p);
	size_t open = p->tstart;
	ns_dfl_next(p);
	struct node *n = parse_or(p);
	if (!n)
		return NULL;
	if (p->t != T_RP) {
		if (p->t == T_END)
			ns_dfl_fail(p, open, "the '(' here is not closed");
		else
			ns_dfl_unexpected(p, "')' or a logical operator");
		return NULL;
	}
	ns_dfl_next(p);
	return n;
}

/* Level 0 or, 1 xor, 2 and; each binds tighter than the one before and
 * associates to the left. */
static struct node *parse_binary(struct parser *p, int level)
{
	static const int toks[] = {T_OR, T_XOR, T_AND};
	static const int kinds[] = {N_OR, N_XOR, N_AND};
	struct node *l =
	    level == 2 ? parse_unary(p) : parse_binary(p, level + 1);
	while (l && p->t == toks[level]) {
		ns_dfl_next(p);
		if (p->t == T_END) {
			ns_dfl_unexpected(p, "a test after the operator");
			return NULL;
		}
		struct node *r =
		    level == 2 ? parse_unary(p) : parse_binary(p, level + 1);
		if (!r)
			return NULL;
		struct node *n = mknode(p, kinds[level]);
		if (!n)
			return NULL;
		n->l = l;
		n->r = r;
		l = n;
	}
	return l;
}

static struct node *parse_or(struct parser *p)
{
	return parse_binary(p, 0);
}

struct ns_dfilter *ns_dfilter_compile(const char *expr,
				      struct ns_dfilter_error *err)
{
	memset(err, 0, sizeof(*err));
	struct ns_dfilter *df = calloc(1, sizeof(*df));
	if (!df || !(df->expr = strdup(expr))) {
		free(df);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	struct parser p = {.df = df, .s = df->expr, .err = err};
	ns_dfl_next(&p);
	if (p.t == T_END && !p.failed)
		ns_dfl_fail(&p, p.tstart, "the filter is empty");
	struct node *root = p.failed ? NULL : parse_or(&p);
	if (root && p.t != T_END)
		ns_dfl_unexpected(&p, "'and', 'or' or the end of the filter");
	df->root = root;
	if (p.failed) {
		ns_dfilter_free(df);
		return NULL;
	}
	return df;
}
