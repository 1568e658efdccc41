/*
 * dfilter — see dfilter.h.
 *
 * Three stages, each small:
 *
 *   lexer    one token at a time from the expression, with its column;
 *            strings decoded ("\x41", r"raw"), words kept as text because a
 *            word's meaning (field, address, number, value name) depends on
 *            what it is compared with.
 *   parser   recursive descent: or < xor < and < not < test.  A test is an
 *            operand alone (existence) or `operand relation operand` or
 *            `operand [not] in {set}`.  Words that name a field become field
 *            references; the others are literals, converted once to the type
 *            of the field on the other side (so `ip.addr == 10.0.0.0/8` holds
 *            four bytes and a prefix, `http2.type == HEADERS` the number 1).
 *   eval     per packet, an operand yields the values of every occurrence of
 *            its field (a slice, len(), lower()… transform them in place in
 *            a scratch vector); a relation holds when some value satisfies
 *            it, with Wireshark 4's exceptions for != and ===.
 *
 * Values are compared by class: numbers (unsigned, signed, double — time
 * fields in seconds), IPv4 and IPv6 addresses (with a CIDR prefix on the
 * literal), and byte strings (Ethernet addresses, strings, bytes, slices,
 * protocols' bytes) compared as bytes.
 */
#include "filter/dfilter.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/dissect.h"

/* ---- values ----------------------------------------------------------- */

enum cls {
	C_NONE,
	C_UINT,
	C_INT,
	C_DOUBLE,
	C_IPV4,
	C_IPV6,
	C_ETHER,
	C_STRING,
	C_BYTES
};

static const char *const cls_names[] = {
    [C_NONE] = "label",
    [C_UINT] = "unsigned integer",
    [C_INT] = "signed integer",
    [C_DOUBLE] = "number",
    [C_IPV4] = "IPv4 address",
    [C_IPV6] = "IPv6 address",
    [C_ETHER] = "Ethernet address",
    [C_STRING] = "string",
    [C_BYTES] = "byte string",
};

/* One value: a literal (owning b) or an occurrence in a packet (viewing). */
struct val {
	uint8_t cls;
	uint8_t prefix; /* IPv4/IPv6: CIDR bits compared (255: all) */
	uint64_t u;
	int64_t i;
	double d;
	const uint8_t *b;
	uint32_t n;
};

static int is_bytes(int c)
{
	return c == C_ETHER || c == C_STRING || c == C_BYTES || c == C_IPV4 ||
	       c == C_IPV6 || c == C_NONE;
}

static int is_num(int c)
{
	return c == C_UINT || c == C_INT || c == C_DOUBLE;
}

static int field_cls(const struct ns_field *f)
{
	switch (f->type) {
	case NS_FT_BOOL:
	case NS_FT_UINT:
		return C_UINT;
	case NS_FT_INT:
		return C_INT;
	case NS_FT_DOUBLE:
	case NS_FT_RELTIME:
	case NS_FT_ABSTIME:
		return C_DOUBLE;
	case NS_FT_IPV4:
		return C_IPV4;
	case NS_FT_IPV6:
		return C_IPV6;
	case NS_FT_ETHER:
		return C_ETHER;
	case NS_FT_STRING:
		return C_STRING;
	case NS_FT_BYTES:
		return C_BYTES;
	default: /* protocols and labels: their bytes */
		return C_NONE;
	}
}

/* ---- the compiled tree ------------------------------------------------ */

enum okind {
	O_LIT,	 /* a literal, converted to the other side's class */
	O_WORD,	 /* a word that is not a field: becomes a literal or an error */
	O_FIELD, /* every occurrence of a field */
	O_SLICE, /* arg[ranges] */
	O_LEN,	 /* len(arg) */
	O_COUNT, /* count(arg) */
	O_LOWER, /* lower(arg) */
	O_UPPER, /* upper(arg) */
	O_BITAND /* arg & mask */
};

struct range {
	int32_t a, b; /* see slice() */
	uint8_t kind; /* 'l' a:len, 'e' a-end inclusive, 'o' [a], 'r' a: */
};

struct operand {
	uint8_t kind, cls;
	uint8_t quoted;		  /* O_WORD from a "string" or 'c' */
	const struct ns_field *f; /* O_FIELD */
	struct operand *arg;	  /* functions, slices, bitand */
	struct range *ranges;	  /* O_SLICE */
	unsigned nranges;
	uint64_t mask;	/* O_BITAND */
	struct val lit; /* O_LIT */
	char *word;	/* O_WORD: text (decoded if quoted) */
	size_t wordlen;
	unsigned col;	     /* 1-based */
	unsigned start, end; /* span in the expression */
};

enum nkind { N_OR, N_XOR, N_AND, N_NOT, N_TEST, N_REL, N_IN };

enum rel {
	R_EQ,
	R_NE,
	R_ALLEQ,
	R_ANYNE,
	R_GT,
	R_GE,
	R_LT,
	R_LE,
	R_CONTAINS,
	R_MATCHES
};

static const char *const rel_names[] = {
    [R_EQ] = "==",
    [R_NE] = "!=",
    [R_ALLEQ] = "===",
    [R_ANYNE] = "!==",
    [R_GT] = ">",
    [R_GE] = ">=",
    [R_LT] = "<",
    [R_LE] = "<=",
    [R_CONTAINS] = "contains",
    [R_MATCHES] = "matches",
};

struct setitem {
	struct val lo, hi;
	int range;
};

struct node {
	uint8_t kind, rel, negate;
	struct node *l, *r;
	struct operand *a, *b;
	struct setitem *set;
	unsigned nset;
	pcre2_code *re;
	pcre2_match_data *md;
	unsigned start, end; /* the set's span, for explain */
};

struct vec {
	struct val *v;
	size_t n, cap;
	uint8_t *sb; /* bytes made by lower()/upper() */
	size_t sblen, sbcap;
};

struct ns_dfilter {
	char *expr;
	struct node *root;
	void **allocs; /* everything below root, freed together */
	size_t nallocs, allocscap;
	struct node **renodes; /* nodes holding a compiled regex */
	size_t nre;
	int beyond_frame; /* some field outside the frame layer is read */
	struct vec side[2];
	const struct ns_packet *pkt;
};

/* ---- errors and allocation -------------------------------------------- */

struct parser {
	struct ns_dfilter *df;
	const char *s;
	size_t pos;
	/* the current token */
	int t;
	size_t tstart, tlen;
	char *str; /* T_STRING / T_CHAR / T_WORD text */
	size_t strn;
	struct ns_dfilter_error *err;
	int failed;
};

static int fail(struct parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, size_t at, const char *fmt, ...)
{
	if (p->failed)
		return -1;
	p->failed = 1;
	p->err->col = (unsigned)at + 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void *dalloc(struct parser *p, size_t n)
{
	struct ns_dfilter *df = p->df;
	if (df->nallocs == df->allocscap) {
		size_t cap = df->allocscap ? df->allocscap * 2 : 16;
		void **na = realloc(df->allocs, cap * sizeof(*na));
		if (!na)
			goto oom;
		df->allocs = na;
		df->allocscap = cap;
	}
	void *m = calloc(1, n ? n : 1);
	if (!m)
		goto oom;
	df->allocs[df->nallocs++] = m;
	return m;
oom:
	fail(p, 0, "out of memory");
	return NULL;
}

/* ---- lexer -------------------------------------------------------------- */

enum tok {
	T_END,
	T_LP,
	T_RP,
	T_LB,
	T_RB,
	T_LSQ,
	T_COMMA,
	T_AND,
	T_OR,
	T_XOR,
	T_NOT,
	T_REL,
	T_IN,
	T_BITAND,
	T_STRING,
	T_CHAR,
	T_WORD,
	T_BAD
};

static int word_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == ':' || c == '-' ||
	       c == '/';
}

static const struct {
	const char *w;
	int t, rel;
} keywords[] = {
    {"and", T_AND, 0},
    {"or", T_OR, 0},
    {"xor", T_XOR, 0},
    {"not", T_NOT, 0},
    {"in", T_IN, 0},
    {"eq", T_REL, R_EQ},
    {"any_eq", T_REL, R_EQ},
    {"ne", T_REL, R_NE},
    {"all_ne", T_REL, R_NE},
    {"all_eq", T_REL, R_ALLEQ},
    {"any_ne", T_REL, R_ANYNE},
    {"gt", T_REL, R_GT},
    {"ge", T_REL, R_GE},
    {"lt", T_REL, R_LT},
    {"le", T_REL, R_LE},
    {"contains", T_REL, R_CONTAINS},
    {"matches", T_REL, R_MATCHES},
    {"bitand", T_BITAND, 0},
};

/* Decodes a quoted string or character starting at the quote; returns the
 * position after the closing quote, or 0 after an error. */
static size_t lex_quoted(struct parser *p, size_t i, int raw)
{
	char q = p->s[i];
	size_t start = raw ? i - 1 : i;
	size_t n = strlen(p->s + i);
	char *out = dalloc(p, n + 1);
	if (!out)
		return 0;
	size_t k = 0;
	i++;
	for (;;) {
		char c = p->s[i];
		if (c == '\0') {
			fail(p, start, "the %s starting here is not closed",
			     q == '"' ? "string" : "character");
			return 0;
		}
		if (c == q) {
			i++;
			break;
		}
		if (c != '\\' || raw) {
			if (raw && c == '\\' && p->s[i + 1] == q) {
				out[k++] =
				    c; /* r"\"" keeps both, as in Python */
				i++;
				c = p->s[i];
			}
			out[k++] = c;
			i++;
			continue;
		}
		size_t esc = i;
		c = p->s[++i];
		i++;
		switch (c) {
		case 'n':
			out[k++] = '\n';
			break;
		case 't':
			out[k++] = '\t';
			break;
		case 'r':
			out[k++] = '\r';
			break;
		case 'a':
			out[k++] = '\a';
			break;
		case 'b':
			out[k++] = '\b';
			break;
		case 'f':
			out[k++] = '\f';
			break;
		case 'v':
			out[k++] = '\v';
			break;
		case '\\':
		case '"':
		case '\'':
			out[k++] = c;
			break;
		case 'x': {
			int h1 = ns_hexval(p->s[i]),
			    h2 = h1 < 0 ? -1 : ns_hexval(p->s[i + 1]);
			if (h1 < 0) {
				fail(p, esc, "\\x needs hex digits");
				return 0;
			}
			if (h2 < 0) {
				out[k++] = (char)h1;
				i += 1;
			} else {
				out[k++] = (char)(h1 * 16 + h2);
				i += 2;
			}
			break;
		}
		default:
			if (c >= '0' &&
			    c <= '7') { /* up to three octal digits */
				int v = c - '0';
				for (int d = 0;
				     d < 2 && p->s[i] >= '0' && p->s[i] <= '7';
				     d++)
					v = v * 8 + (p->s[i++] - '0');
				if (v > 255) {
					fail(p, esc,
					     "octal escape above \\377");
					return 0;
				}
				out[k++] = (char)v;
				break;
			}
			fail(p, esc, "unknown escape \\%c", c ? c : ' ');
			return 0;
		}
	}
	out[k] = '\0';
	p->str = out;
	p->strn = k;
	if (q == '\'' && k != 1) {
		fail(p, start,
		     "a character literal holds one character "
		     "(use \"…\" for strings)");
		return 0;
	}
	return i;
}

static void next(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->pos;
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	p->tstart = i;
	p->str = NULL;
	p->strn = 0;
	char c = s[i];
	int t = T_BAD, len = 1;
	p->t = T_BAD;
	switch (c) {
	case '\0':
		t = T_END;
		len = 0;
		break;
	case '(':
		t = T_LP;
		break;
	case ')':
		t = T_RP;
		break;
	case '{':
		t = T_LB;
		break;
	case '}':
		t = T_RB;
		break;
	case '[':
		t = T_LSQ;
		break;
	case ',':
		t = T_COMMA;
		break;
	case '&':
		if (s[i + 1] == '&')
			t = T_AND, len = 2;
		else
			t = T_BITAND;
		break;
	case '|':
		if (s[i + 1] == '|')
			t = T_OR, len = 2;
		break;
	case '^':
		if (s[i + 1] == '^')
			t = T_XOR, len = 2;
		break;
	case '!':
		if (s[i + 1] == '=' && s[i + 2] == '=')
			t = T_REL, p->strn = R_ANYNE, len = 3;
		else if (s[i + 1] == '=')
			t = T_REL, p->strn = R_NE, len = 2;
		else
			t = T_NOT;
		break;
	case '=':
		if (s[i + 1] == '=' && s[i + 2] == '=')
			t = T_REL, p->strn = R_ALLEQ, len = 3;
		else if (s[i + 1] == '=')
			t = T_REL, p->strn = R_EQ, len = 2;
		break;
	case '~':
		if (s[i + 1] == '=')
			t = T_REL, p->strn = R_ANYNE, len = 2;
		else
			t = T_REL, p->strn = R_MATCHES;
		break;
	case '>':
		if (s[i + 1] == '=')
			t = T_REL, p->strn = R_GE, len = 2;
		else
			t = T_REL, p->strn = R_GT;
		break;
	case '<':
		if (s[i + 1] == '=')
			t = T_REL, p->strn = R_LE, len = 2;
		else
			t = T_REL, p->strn = R_LT;
		break;
	case '"':
	case '\'': {
		size_t e = lex_quoted(p, i, 0);
		if (!e)
			return;
		t = c == '"' ? T_STRING : T_CHAR;
		len = (int)(e - i);
		break;
	}
	default:
		if ((c == 'r' || c == 'R') && s[i + 1] == '"') {
			size_t e = lex_quoted(p, i + 1, 1);
			if (!e)
				return;
			t = T_STRING;
			len = (int)(e - i);
			break;
		}
		if (word_char((unsigned char)c)) {
			size_t e = i;
			while (word_char((unsigned char)s[e]))
				e++;
			len = (int)(e - i);
			t = T_WORD;
			for (size_t k = 0; k < NS_NELEM(keywords); k++)
				if (strlen(keywords[k].w) == (size_t)len &&
				    memcmp(keywords[k].w, s + i, len) == 0) {
					t = keywords[k].t;
					p->strn = keywords[k].rel;
				}
			if (t == T_WORD) {
				p->str = (char *)s + i;
				p->strn = (size_t)len;
			}
		}
	}
	if (t == T_BAD) {
		fail(p, i, "unexpected character '%c'", c);
		p->t = T_BAD;
		return;
	}
	p->t = t;
	p->tlen = (size_t)len;
	p->pos = i + (size_t)len;
}

static const char *tok_desc(struct parser *p, char *buf, size_t n)
{
	if (p->t == T_END)
		return "the end of the filter";
	snprintf(buf, n, "\"%.*s\"", (int)(p->tlen > 40 ? 40 : p->tlen),
		 p->s + p->tstart);
	return buf;
}

static int unexpected(struct parser *p, const char *wanted)
{
	char b[64];
	if (p->t == T_END)
		return fail(p, p->tstart,
			    "unexpected end of filter "
			    "(expected %s)",
			    wanted);
	return fail(p, p->tstart, "unexpected %s (expected %s)",
		    tok_desc(p, b, sizeof(b)), wanted);
}

/* ---- literals ----------------------------------------------------------- */

/* Edit distance with adjacent transpositions (optimal string alignment),
 * both strings at most 64 bytes. */
static unsigned distance(const char *a, size_t n, const char *b, size_t m)
{
	unsigned d[65][65];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[n][m];
}

/* The registered field nearest to `name`, if near enough to be a typo. */
static const struct ns_field *suggest(const char *name, size_t n)
{
	if (n > 64)
		return NULL;
	const struct ns_field *best = NULL;
	unsigned limit = n / 3 + 1 < 3 ? (unsigned)n / 3 + 1 : 3;
	unsigned bestd = limit + 1;
	for (uint32_t id = 0; id < ns_field_count(); id++) {
		const struct ns_field *f = ns_field_by_id(id);
		size_t m = strlen(f->name);
		if (m > 64 || (m > n ? m - n : n - m) >= bestd)
			continue;
		unsigned dd = distance(name, n, f->name, m);
		if (dd < bestd) {
			best = f;
			bestd = dd;
		}
	}
	return best;
}

static int unknown_field(struct parser *p, const struct operand *o)
{
	const struct ns_field *s =
	    o->quoted ? NULL : suggest(o->word, o->wordlen);
	if (s)
		return fail(p, o->col - 1,
			    "unknown field \"%.*s\" (did you mean %s?)",
			    (int)o->wordlen, o->word, s->name);
	if (o->quoted)
		return fail(p, o->col - 1,
			    "a literal needs a field to compare "
			    "with");
	return fail(p, o->col - 1, "unknown field \"%.*s\"", (int)o->wordlen,
		    o->word);
}

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

/*
 * Converts a word or quoted literal to class `cls`, for comparison with
 * field f (its value names and boolean-ness), into *v.  A byte-valued
 * result is allocated in the filter.
 */
static int to_value(struct parser *p, struct operand *o, int cls,
		    const struct ns_field *f, struct val *v)
{
	const char *w = o->word;
	size_t n = o->wordlen;
	unsigned at = o->col - 1;
	memset(v, 0, sizeof(*v));
	v->cls = (uint8_t)cls;
	char *text = dalloc(p, n + 1);
	if (!text)
		return -1;
	memcpy(text, w, n);
	const char *fname = f ? f->name : "the other side";
	switch (cls) {
	case C_UINT:
	case C_INT:
	case C_DOUBLE:
		if (o->quoted == 2) { /* 'c' */
			v->u = (uint8_t)text[0];
			v->i = (int64_t)v->u;
			v->d = (double)v->u;
			return 0;
		}
		if (cls == C_UINT && parse_u64(text, &v->u) == 0) {
			if (f && f->type == NS_FT_BOOL)
				v->u = v->u != 0;
			else if (f && f->type == NS_FT_UINT && f->bits &&
				 f->bits < 64 && v->u >> f->bits)
				return fail(p, at,
					    "%s is too large for %s "
					    "(%u bits)",
					    text, f->name, f->bits);
			return 0;
		}
		if (cls == C_INT && parse_i64(text, &v->i) == 0)
			return 0;
		if (cls == C_DOUBLE && (parse_double(text, &v->d) == 0 ||
					(f && f->type == NS_FT_ABSTIME &&
					 parse_abstime(text, &v->d) == 0)))
			return 0;
		if (f && f->type == NS_FT_BOOL) {
			if (valname_eq("true", text, n)) {
				v->u = 1;
				return 0;
			}
			if (valname_eq("false", text, n))
				return 0;
		}
		if (f && f->vals) {
			for (const struct ns_valstr *vs = f->vals; vs->s; vs++)
				if (valname_eq(vs->s, text, n)) {
					v->u = vs->v;
					v->i = (int64_t)vs->v;
					v->d = (double)vs->v;
					return 0;
				}
			return fail(p, at,
				    "\"%s\" is not a number nor a value "
				    "name of %s",
				    text, fname);
		}
		if (cls == C_UINT && text[0] == '-')
			return fail(p, at, "%s is unsigned: \"%s\" is negative",
				    fname, text);
		return fail(p, at, "\"%s\" is not a valid %s (for %s)", text,
			    cls_names[cls], fname);
	case C_IPV4:
	case C_IPV6: {
		int bits = cls == C_IPV4 ? 32 : 128;
		v->prefix = (uint8_t)bits;
		char *slash = strchr(text, '/');
		if (slash) {
			*slash = '\0';
			uint64_t pl;
			if (parse_u64(slash + 1, &pl) < 0 ||
			    pl > (uint64_t)bits)
				return fail(
				    p, at + (unsigned)(slash - text) + 1,
				    "bad prefix length \"%s\" (0 to %d)",
				    slash + 1, bits);
			v->prefix = (uint8_t)pl;
		}
		uint8_t *a = dalloc(p, 16);
		if (!a)
			return -1;
		if (inet_pton(cls == C_IPV4 ? AF_INET : AF_INET6, text, a) != 1)
			return fail(p, at, "\"%s\" is not a valid %s (for %s)",
				    text, cls_names[cls], fname);
		v->b = a;
		v->n = cls == C_IPV4 ? 4 : 16;
		return 0;
	}
	case C_ETHER: {
		uint8_t *a = dalloc(p, 8);
		if (!a)
			return -1;
		if (o->quoted || parse_bytes(text, a, 6) != 6)
			return fail(p, at,
				    "\"%s\" is not a valid Ethernet "
				    "address (for %s)",
				    text, fname);
		v->b = a;
		v->n = 6;
		return 0;
	}
	case C_STRING:
	case C_BYTES:
	case C_NONE:
		if (o->quoted || cls == C_STRING) {
			v->b = (const uint8_t *)text;
			v->n = (uint32_t)n;
			return 0;
		}
		uint8_t *a = dalloc(p, n / 2 + 1);
		if (!a)
			return -1;
		int k = parse_bytes(text, a, n / 2 + 1);
		if (k < 0)
			return fail(p, at,
				    "\"%s\" is not a byte string such as "
				    "aa:bb:cc (for %s)",
				    text, fname);
		v->b = a;
		v->n = (uint32_t)k;
		return 0;
	}
	return fail(p, at, "cannot compare with %s", fname);
}

/* ---- parser ------------------------------------------------------------- */

static struct node *parse_or(struct parser *p);
static struct operand *parse_operand(struct parser *p);

static struct node *mknode(struct parser *p, int kind)
{
	struct node *n = dalloc(p, sizeof(*n));
	if (n)
		n->kind = (uint8_t)kind;
	return n;
}

static const char *const functions[] = {"len", "count", "lower", "upper"};

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

/* [a:b], [a-b], [a], [:b], [a:], several separated by commas.  The lexer
 * stands on '['; the text is read directly up to ']'. */
static struct operand *parse_slice(struct parser *p, struct operand *base)
{
	size_t open = p->tstart;
	const char *s = p->s;
	size_t i = open + 1;
	struct operand *o = dalloc(p, sizeof(*o));
	if (!o)
		return NULL;
	o->kind = O_SLICE;
	o->cls = C_BYTES;
	o->arg = base;
	o->col = base->col;
	o->start = base->start;
	size_t close = i;
	while (s[close] && s[close] != ']')
		close++;
	if (!s[close]) {
		fail(p, open, "the slice opened here is not closed with ']'");
		return NULL;
	}
	o->ranges = dalloc(p, sizeof(*o->ranges) * (close - i + 1));
	if (!o->ranges)
		return NULL;
	while (i < close) {
		while (s[i] == ' ')
			i++;
		size_t e = i;
		while (e < close && s[e] != ',')
			e++;
		size_t t = e;
		while (t > i && s[t - 1] == ' ')
			t--;
		struct range *r = &o->ranges[o->nranges++];
		const char *sep = NULL;
		/* the separator: ':' anywhere, or '-' after the first char
		 * (a leading '-' is a negative start) */
		for (size_t k = i; k < t; k++)
			if (s[k] == ':' || (s[k] == '-' && k > i)) {
				sep = s + k;
				break;
			}
		int bad = 0;
		if (!sep) {
			r->kind = 'o';
			bad = parse_int32(s + i, t - i, &r->a) < 0;
		} else {
			size_t k = (size_t)(sep - s);
			if (k == i)
				r->a = 0;
			else
				bad = parse_int32(s + i, k - i, &r->a) < 0;
			if (*sep == ':' && k + 1 == t) {
				r->kind = 'r';
			} else {
				r->kind = *sep == ':' ? 'l' : 'e';
				bad = bad || parse_int32(s + k + 1, t - k - 1,
							 &r->b) < 0;
				if (!bad && r->kind == 'l' && r->b < 0)
					bad = 1;
			}
		}
		if (bad || t == i) {
			fail(p, i,
			     "bad slice \"%.*s\" (use [start:length], "
			     "[start-end], [start] or [start:])",
			     (int)(t - i), s + i);
			return NULL;
		}
		i = e < close ? e + 1 : e;
	}
	if (o->nranges == 0) {
		fail(p, open, "empty slice");
		return NULL;
	}
	p->pos = close + 1;
	o->end = (unsigned)p->pos;
	next(p);
	return o;
}

static int check_bytes_arg(struct parser *p, struct operand *a,
			   const char *what)
{
	if (a->kind == O_WORD)
		return unknown_field(p, a);
	if (!is_bytes(a->cls))
		return fail(p, a->col - 1,
			    "%s needs a string or bytes, and "
			    "\"%.*s\" is a %s",
			    what, (int)(a->end - a->start), p->s + a->start,
			    cls_names[a->cls]);
	return 0;
}

static struct operand *parse_primary_operand(struct parser *p)
{
	struct operand *o = dalloc(p, sizeof(*o));
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
		next(p);
		return o;
	}
	if (p->t != T_WORD) {
		unexpected(p, "a field, a value or '('");
		return NULL;
	}
	const char *w = p->str;
	size_t wn = p->strn;
	/* a function: a word immediately followed by '(' */
	if (p->s[p->pos] == '(') {
		int fn = -1;
		for (size_t k = 0; k < NS_NELEM(functions); k++)
			if (strlen(functions[k]) == wn &&
			    memcmp(functions[k], w, wn) == 0)
				fn = (int)k;
		if (fn < 0) {
			fail(p, p->tstart,
			     "unknown function \"%.*s\" (len, "
			     "count, lower, upper)",
			     (int)wn, w);
			return NULL;
		}
		next(p); /* ( */
		next(p);
		struct operand *a = parse_operand(p);
		if (!a)
			return NULL;
		if (p->t != T_RP) {
			unexpected(p, "')' closing the function call");
			return NULL;
		}
		o->end = (unsigned)p->pos;
		next(p);
		o->arg = a;
		o->kind = (uint8_t)(O_LEN + fn);
		switch (o->kind) {
		case O_LEN:
			if (check_bytes_arg(p, a, "len()") < 0)
				return NULL;
			o->cls = C_UINT;
			break;
		case O_COUNT:
			if (a->kind == O_WORD) {
				unknown_field(p, a);
				return NULL;
			}
			if (a->kind != O_FIELD) {
				fail(p, a->col - 1, "count() takes a field");
				return NULL;
			}
			o->cls = C_UINT;
			break;
		default:
			if (check_bytes_arg(p, a, "lower() and upper()") < 0)
				return NULL;
			o->cls = C_STRING;
		}
		return o;
	}
	o->word = (char *)w;
	o->wordlen = wn;
	o->end = (unsigned)p->pos;
	char name[256];
	const struct ns_field *f = NULL;
	if (wn < sizeof(name)) {
		memcpy(name, w, wn);
		name[wn] = '\0';
		f = ns_field_by_name(name);
	}
	if (f) {
		o->kind = O_FIELD;
		o->f = f;
		if (f->proto != &ns_diss_frame)
			p->df->beyond_frame = 1;
		o->cls = (uint8_t)field_cls(f);
	} else {
		o->kind = O_WORD;
	}
	next(p);
	if (p->t == T_LSQ) {
		if (o->kind == O_WORD) {
			unknown_field(p, o);
			return NULL;
		}
		if (!is_bytes(o->cls)) {
			fail(p, p->tstart, "%s is a %s and cannot be sliced",
			     f->name, cls_names[o->cls]);
			return NULL;
		}
		return parse_slice(p, o);
	}
	return o;
}

static struct operand *parse_operand(struct parser *p)
{
	struct operand *o = parse_primary_operand(p);
	if (!o || p->t != T_BITAND)
		return o;
	size_t amp = p->tstart;
	next(p);
	struct operand *m = parse_primary_operand(p);
	if (!m)
		return NULL;
	if (o->kind == O_WORD) {
		unknown_field(p, o);
		return NULL;
	}
	if (o->cls != C_UINT && o->cls != C_INT) {
		fail(p, amp, "'&' needs an integer field");
		return NULL;
	}
	struct val v;
	if (m->kind != O_WORD) {
		fail(p, m->col - 1, "the mask of '&' must be a number");
		return NULL;
	}
	if (to_value(p, m, C_UINT, NULL, &v) < 0)
		return NULL;
	struct operand *b = dalloc(p, sizeof(*b));
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

static int compatible(int a, int b)
{
	if (is_num(a) && is_num(b))
		return 1;
	if (a == b)
		return 1;
	return is_bytes(a) && is_bytes(b) && a != C_IPV4 && a != C_IPV6 &&
	       b != C_IPV4 && b != C_IPV6;
}

static struct node *parse_set(struct parser *p, struct node *n)
{
	n->start = (unsigned)p->tstart;
	size_t cap = 8;
	n->set = dalloc(p, cap * sizeof(*n->set));
	if (!n->set)
		return NULL;
	next(p);
	while (p->t != T_RB) {
		if (p->t != T_WORD && p->t != T_STRING && p->t != T_CHAR) {
			unexpected(p, "a value or '}'");
			return NULL;
		}
		if (n->nset == cap) {
			struct setitem *ns = dalloc(p, 2 * cap * sizeof(*ns));
			if (!ns)
				return NULL;
			memcpy(ns, n->set, cap * sizeof(*ns));
			n->set = ns;
			cap *= 2;
		}
		struct setitem *it = &n->set[n->nset++];
		struct operand lo = {.kind = O_WORD,
				     .quoted = p->t == T_STRING ? 1
					       : p->t == T_CHAR ? 2
								: 0,
				     .word = p->str,
				     .wordlen = p->strn,
				     .col = (unsigned)p->tstart + 1};
		struct operand hi = lo;
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
			next(p);
		} else {
			next(p);
			if (p->t == T_WORD && p->strn >= 2 &&
			    memcmp(p->str, "..", 2) == 0) {
				range = 1;
				if (p->strn == 2) {
					next(p);
					if (p->t != T_WORD &&
					    p->t != T_STRING &&
					    p->t != T_CHAR) {
						unexpected(
						    p, "the end of the range");
						return NULL;
					}
					hi = (struct operand){
					    .kind = O_WORD,
					    .quoted = p->t == T_STRING ? 1
						      : p->t == T_CHAR ? 2
								       : 0,
					    .word = p->str,
					    .wordlen = p->strn,
					    .col = (unsigned)p->tstart + 1};
				} else {
					hi.word = p->str + 2;
					hi.wordlen = p->strn - 2;
					hi.col = (unsigned)p->tstart + 3;
				}
				next(p);
			}
		}
		const struct ns_field *f =
		    n->a->kind == O_FIELD ? n->a->f : NULL;
		if (to_value(p, &lo, n->a->cls, f, &it->lo) < 0 ||
		    (range && to_value(p, &hi, n->a->cls, f, &it->hi) < 0))
			return NULL;
		it->range = range;
		if (p->t == T_COMMA)
			next(p);
	}
	if (n->nset == 0) {
		fail(p, p->tstart, "empty set");
		return NULL;
	}
	n->end = (unsigned)p->pos;
	next(p);
	return n;
}

static struct node *parse_test(struct parser *p)
{
	struct operand *a = parse_operand(p);
	if (!a)
		return NULL;
	int negate_in = 0;
	if (p->t == T_NOT) { /* "not in" */
		size_t save = p->pos, st = p->tstart, tl = p->tlen;
		next(p);
		if (p->t != T_IN) {
			p->pos = save;
			p->tstart = st;
			p->tlen = tl;
			p->t = T_NOT;
			return unexpected(p, "a relation, 'and', 'or' or ')'"),
			       NULL;
		}
		negate_in = 1;
	}
	if (p->t == T_IN) {
		if (a->kind == O_WORD)
			return unknown_field(p, a), NULL;
		struct node *n = mknode(p, N_IN);
		if (!n)
			return NULL;
		n->a = a;
		n->negate = (uint8_t)negate_in;
		next(p);
		if (p->t != T_LB)
			return unexpected(p, "'{' after 'in'"), NULL;
		return parse_set(p, n);
	}
	if (p->t != T_REL) {
		if (a->kind == O_WORD)
			return unknown_field(p, a), NULL;
		struct node *n = mknode(p, N_TEST);
		if (n)
			n->a = a;
		return n;
	}
	int rel = (int)p->strn;
	size_t relat = p->tstart;
	next(p);
	struct operand *b = parse_operand(p);
	if (!b)
		return NULL;
	if (a->kind == O_WORD && b->kind != O_WORD) {
		struct operand *t = a; /* 80 == tcp.port */
		a = b;
		b = t;
		rel = mirror(rel);
		if (rel == R_CONTAINS || rel == R_MATCHES)
			return fail(p, relat,
				    "the left side of \"%s\" must be "
				    "a field",
				    rel_names[rel]),
			       NULL;
	}
	if (a->kind == O_WORD)
		return unknown_field(p, a), NULL;
	struct node *n = mknode(p, N_REL);
	if (!n)
		return NULL;
	n->rel = (uint8_t)rel;
	n->a = a;
	n->b = b;
	const char *an = a->kind == O_FIELD ? a->f->name : "this";
	if (rel == R_MATCHES) {
		if (!is_bytes(a->cls))
			return fail(p, relat,
				    "\"matches\" needs a string field, "
				    "and %s is a %s",
				    an, cls_names[a->cls]),
			       NULL;
		if (b->kind != O_WORD || b->quoted != 1)
			return fail(p, b->col - 1,
				    "\"matches\" takes a quoted "
				    "regular expression"),
			       NULL;
		struct node **rn =
		    realloc(p->df->renodes, (p->df->nre + 1) * sizeof(*rn));
		if (!rn)
			return fail(p, 0, "out of memory"), NULL;
		p->df->renodes = rn;
		int ec;
		PCRE2_SIZE eo;
		n->re = pcre2_compile((PCRE2_SPTR)b->word, b->wordlen,
				      PCRE2_CASELESS, &ec, &eo, NULL);
		if (n->re) {
			rn[p->df->nre++] = n;
			n->md =
			    pcre2_match_data_create_from_pattern(n->re, NULL);
		}
		if (!n->re) {
			PCRE2_UCHAR m[128];
			pcre2_get_error_message(ec, m, sizeof(m));
			return fail(p, b->col - 1,
				    "bad regular expression: %s "
				    "(at offset %zu)",
				    (char *)m, (size_t)eo),
			       NULL;
		}
		if (!n->md)
			return fail(p, 0, "out of memory"), NULL;
		return n;
	}
	if (rel == R_CONTAINS && !is_bytes(a->cls))
		return fail(p, relat,
			    "\"contains\" needs a string or bytes "
			    "field, and %s is a %s",
			    an, cls_names[a->cls]),
		       NULL;
	if (b->kind == O_WORD) {
		if (resolve_literal(p, b, a) < 0)
			return NULL;
		return n;
	}
	if (!compatible(a->cls, b->cls))
		return fail(p, b->col - 1,
			    "%s (%s) and %.*s (%s) cannot be "
			    "compared",
			    an, cls_names[a->cls], (int)(b->end - b->start),
			    p->s + b->start, cls_names[b->cls]),
		       NULL;
	return n;
}

static struct node *parse_unary(struct parser *p)
{
	if (p->t == T_NOT) {
		next(p);
		struct node *c = parse_unary(p);
		if (!c)
			return NULL;
		struct node *n = mknode(p, N_NOT);
		if (n)
			n->l = c;
		return n;
	}
	if (p->t == T_LP) {
		size_t open = p->tstart;
		next(p);
		struct node *n = parse_or(p);
		if (!n)
			return NULL;
		if (p->t != T_RP) {
			if (p->t == T_END)
				return fail(p, open,
					    "the '(' here is not "
					    "closed"),
				       NULL;
			return unexpected(p, "')' or a logical operator"), NULL;
		}
		next(p);
		return n;
	}
	return parse_test(p);
}

static struct node *parse_binary(struct parser *p, int level)
{
	static const int toks[] = {T_OR, T_XOR, T_AND};
	static const int kinds[] = {N_OR, N_XOR, N_AND};
	struct node *l =
	    level == 2 ? parse_unary(p) : parse_binary(p, level + 1);
	while (l && p->t == toks[level]) {
		next(p);
		if (p->t == T_END)
			return unexpected(p, "a test after the operator"), NULL;
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

/* ---- evaluation --------------------------------------------------------- */

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
 * into it are moved along when it grows. */
static uint8_t *vec_bytes(struct vec *v, size_t more)
{
	if (v->sblen + more > v->sbcap) {
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
	default: { /* a protocol or label: the bytes it covers */
		const struct ns_layer *l = &pkt->layers[fv->layer];
		const uint8_t *src = l->src ? l->src : pkt->data;
		uint32_t srclen = l->src ? l->srclen : pkt->caplen;
		uint32_t off = fv->off < srclen ? fv->off : srclen;
		uint32_t n = fv->len < srclen - off ? fv->len : srclen - off;
		if (f == &ns_diss_frame.proto) {
			off = 0;
			n = pkt->caplen;
		}
		x->b = src + off;
		x->n = n;
	}
	}
}

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
	x->b += a;
	x->n = (uint32_t)len;
	x->cls = C_BYTES;
	return 1;
}

/* Fills v with the values of operand o in the current packet. */
static int collect(struct ns_dfilter *df, struct vec *v,
		   const struct operand *o)
{
	const struct ns_packet *pkt = df->pkt;
	switch (o->kind) {
	case O_FIELD:
		for (uint32_t k = 0; k < pkt->nfv; k++) {
			if (!ns_field_is(o->f, pkt->fv[k].f))
				continue;
			struct val x;
			fv_value(pkt, &pkt->fv[k], &x);
			if (vec_push(v, &x) < 0)
				return -1;
		}
		return 0;
	case O_SLICE: {
		size_t first = v->n;
		if (collect(df, v, o->arg) < 0)
			return -1;
		size_t end = v->n, w = first;
		/* several ranges join their bytes ([0:2,4]) */
		for (size_t k = first; k < end; k++) {
			struct val x = v->v[k];
			if (o->nranges == 1) {
				if (slice(&x, &o->ranges[0]))
					v->v[w++] = x;
				continue;
			}
			size_t total = 0;
			int ok = 1;
			for (unsigned r = 0; r < o->nranges && ok; r++) {
				struct val y = x;
				ok = slice(&y, &o->ranges[r]);
				total += y.n;
			}
			if (!ok)
				continue;
			uint8_t *dst = vec_bytes(v, total);
			if (!dst)
				return -1;
			x = v->v[k]; /* vec_bytes may have moved it */
			struct val out = x;
			out.b = dst;
			out.n = (uint32_t)total;
			out.cls = C_BYTES;
			for (unsigned r = 0; r < o->nranges; r++) {
				struct val y = x;
				slice(&y, &o->ranges[r]);
				memcpy(dst, y.b, y.n);
				dst += y.n;
			}
			v->v[w++] = out;
		}
		v->n = w;
		return 0;
	}
	case O_LEN: {
		size_t first = v->n;
		if (collect(df, v, o->arg) < 0)
			return -1;
		for (size_t k = first; k < v->n; k++) {
			v->v[k].u = v->v[k].n;
			v->v[k].cls = C_UINT;
		}
		return 0;
	}
	case O_COUNT: {
		struct val x = {.cls = C_UINT};
		for (uint32_t k = 0; k < pkt->nfv; k++)
			x.u += ns_field_is(o->arg->f, pkt->fv[k].f);
		return vec_push(v, &x);
	}
	case O_LOWER:
	case O_UPPER: {
		size_t first = v->n;
		if (collect(df, v, o->arg) < 0)
			return -1;
		for (size_t k = first; k < v->n; k++) {
			uint8_t *dst = vec_bytes(v, v->v[k].n);
			if (!dst)
				return -1;
			for (uint32_t j = 0; j < v->v[k].n; j++) {
				int c = v->v[k].b[j];
				dst[j] =
				    (uint8_t)(o->kind == O_LOWER ? tolower(c)
								 : toupper(c));
			}
			v->v[k].b = dst;
			v->v[k].cls = C_STRING;
		}
		return 0;
	}
	case O_BITAND: {
		size_t first = v->n;
		if (collect(df, v, o->arg) < 0)
			return -1;
		for (size_t k = first; k < v->n; k++) {
			v->v[k].u = (v->v[k].cls == C_INT ? (uint64_t)v->v[k].i
							  : v->v[k].u) &
				    o->mask;
			v->v[k].cls = C_UINT;
		}
		return 0;
	}
	default: /* O_LIT */
		return vec_push(v, &o->lit);
	}
}

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

static int eval(struct ns_dfilter *df, const struct node *n);

static int eval_rel(struct ns_dfilter *df, const struct node *n)
{
	struct vec *va = &df->side[0], *vb = &df->side[1];
	va->n = vb->n = va->sblen = vb->sblen = 0;
	if (collect(df, va, n->a) < 0)
		return 0;
	if (va->n == 0)
		return 0;
	if (n->rel == R_MATCHES) {
		for (size_t i = 0; i < va->n; i++)
			if (pcre2_match(n->re, va->v[i].b, va->v[i].n, 0, 0,
					n->md, NULL) >= 0)
				return 1;
		return 0;
	}
	if (collect(df, vb, n->b) < 0)
		return 0;
	if (n->rel == R_ALLEQ) { /* every occurrence equals some value */
		for (size_t i = 0; i < va->n; i++) {
			int any = 0;
			for (size_t j = 0; j < vb->n && !any; j++)
				any = eq(&va->v[i], &vb->v[j]);
			if (!any)
				return 0;
		}
		return vb->n > 0;
	}
	for (size_t i = 0; i < va->n; i++)
		for (size_t j = 0; j < vb->n; j++)
			if (holds(n, &va->v[i], &vb->v[j]))
				return n->rel != R_NE;
	return n->rel == R_NE;
}

static int eval_in(struct ns_dfilter *df, const struct node *n)
{
	struct vec *va = &df->side[0];
	va->n = va->sblen = 0;
	if (collect(df, va, n->a) < 0)
		return 0;
	int found = 0;
	for (size_t i = 0; i < va->n && !found; i++)
		for (unsigned k = 0; k < n->nset && !found; k++) {
			const struct setitem *it = &n->set[k];
			found = it->range ? cmp(&va->v[i], &it->lo) >= 0 &&
						cmp(&va->v[i], &it->hi) <= 0
					  : eq(&va->v[i], &it->lo);
		}
	return n->negate ? !found : found;
}

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
	va->n = va->sblen = 0;
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

/* ---- compile, explain, free --------------------------------------------- */

void ns_dfilter_free(struct ns_dfilter *df)
{
	if (!df)
		return;
	for (size_t i = 0; i < df->nre; i++) {
		pcre2_match_data_free(df->renodes[i]->md);
		pcre2_code_free(df->renodes[i]->re);
	}
	free(df->renodes);
	for (size_t i = 0; i < df->nallocs; i++)
		free(df->allocs[i]);
	free(df->allocs);
	for (int s = 0; s < 2; s++) {
		free(df->side[s].v);
		free(df->side[s].sb);
	}
	free(df->expr);
	free(df);
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
	next(&p);
	if (p.t == T_END && !p.failed)
		fail(&p, p.tstart, "the filter is empty");
	struct node *root = p.failed ? NULL : parse_or(&p);
	if (root && p.t != T_END)
		unexpected(&p, "'and', 'or' or the end of the filter");
	df->root = root;
	if (p.failed) {
		ns_dfilter_free(df);
		return NULL;
	}
	return df;
}

static void explain_operand(const struct ns_dfilter *df,
			    const struct operand *o, struct ns_buf *out)
{
	ns_buf_put(out, df->expr + o->start, o->end - o->start);
}

static void explain(const struct ns_dfilter *df, const struct node *n,
		    struct ns_buf *out)
{
	static const char *const ops[] = {
	    [N_OR] = " or ", [N_XOR] = " xor ", [N_AND] = " and "};
	switch (n->kind) {
	case N_OR:
	case N_XOR:
	case N_AND:
		ns_buf_putc(out, '(');
		explain(df, n->l, out);
		ns_buf_puts(out, ops[n->kind]);
		explain(df, n->r, out);
		ns_buf_putc(out, ')');
		return;
	case N_NOT:
		ns_buf_puts(out, "not ");
		explain(df, n->l, out);
		return;
	case N_REL:
		ns_buf_putc(out, '(');
		explain_operand(df, n->a, out);
		ns_buf_printf(out, " %s ", rel_names[n->rel]);
		explain_operand(df, n->b, out);
		ns_buf_putc(out, ')');
		return;
	case N_IN:
		ns_buf_putc(out, '(');
		explain_operand(df, n->a, out);
		ns_buf_puts(out, n->negate ? " not in " : " in ");
		ns_buf_put(out, df->expr + n->start, n->end - n->start);
		ns_buf_putc(out, ')');
		return;
	default:
		explain_operand(df, n->a, out);
	}
}

int ns_dfilter_frame_only(const struct ns_dfilter *df)
{
	return !df->beyond_frame;
}

void ns_dfilter_explain(const struct ns_dfilter *df, struct ns_buf *out)
{
	explain(df, df->root, out);
}
