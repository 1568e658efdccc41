/*
 * dfilter_int.h — what the display filter's parts share, and nothing else
 * should see: value classes, the compiled tree, the parser's state, and
 * the few functions one part calls in another.  The interface for the
 * rest of netscope is dfilter.h.
 *
 *   dfilter.c   the compiled filter: allocation, errors, explain, free
 *   lexer.c     tokens (ns_dfl_next)
 *   parser.c    grammar and literals, ns_dfilter_compile
 *   eval.c      per-packet evaluation, ns_dfilter_match
 *
 * Ownership: every node, operand, range, set and literal byte is allocated
 * with ns_dfl_alloc() on the filter's list and freed with the filter;
 * compiled regexes are listed in renodes for PCRE2's own free functions;
 * the scratch vectors (side[]) belong to the evaluator and live as long
 * as the filter.
 *
 * Invariants of a compiled tree (ns_dfilter_compile returned it):
 *   - no operand is O_WORD: every word became a field or was converted
 *     to a literal (O_LIT) of the class of the other side;
 *   - an N_REL with R_MATCHES holds its compiled regex (re, md);
 *   - a slice range selects at least one byte whenever it fits (a length
 *     is positive, an end is above its start and on the same side of
 *     zero, as Wireshark 4.0 requires); only [a:] can give zero bytes,
 *     at the very end of a value, and an empty value may point nowhere.
 */
#ifndef NS_DFILTER_INT_H
#define NS_DFILTER_INT_H

#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/field.h"
#include "filter/dfilter.h"

/* ---- values ----------------------------------------------------------- */

/* How a value compares: numbers by value, addresses under a prefix, the
 * rest as bytes. */
enum cls {
	C_NONE, /* a protocol or label: the bytes it covers */
	C_UINT,
	C_INT,
	C_DOUBLE, /* also times, in seconds */
	C_IPV4,
	C_IPV6,
	C_ETHER,
	C_STRING,
	C_BYTES
};

extern const char *const ns_dfl_cls_names[]; /* "unsigned integer"… */

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

static inline int is_bytes(int c)
{
	return c == C_ETHER || c == C_STRING || c == C_BYTES || c == C_IPV4 ||
	       c == C_IPV6 || c == C_NONE;
}

static inline int is_num(int c)
{
	return c == C_UINT || c == C_INT || c == C_DOUBLE;
}

static inline int field_cls(const struct ns_field *f)
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

/* One range of a slice; a negative a or b counts from the end. */
struct range {
	int32_t a, b;
	uint8_t kind; /* 'l' [a:b] (b bytes), 'e' [a-b] (b inclusive),
			 'o' [a] (one byte), 'r' [a:] (to the end) */
};

struct operand {
	uint8_t kind, cls;
	uint8_t quoted;		  /* O_WORD from a "string" (1) or 'c' (2) */
	const struct ns_field *f; /* O_FIELD */
	struct operand *arg;	  /* functions, slices, bitand */
	struct range *ranges;	  /* O_SLICE */
	unsigned nranges;
	uint64_t mask;	/* O_BITAND */
	struct val lit; /* O_LIT */
	char *word;	/* O_WORD: text (decoded if quoted), not terminated */
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

extern const char *const ns_dfl_rel_names[]; /* "==", "contains"… */

struct setitem {
	struct val lo, hi;
	int range; /* lo..hi, else lo alone */
};

struct node {
	uint8_t kind, rel, negate;
	struct node *l, *r;    /* N_OR, N_XOR, N_AND; N_NOT uses l */
	struct operand *a, *b; /* N_TEST a; N_REL a rel b; N_IN a in set */
	struct setitem *set;
	unsigned nset;
	pcre2_code *re;
	pcre2_match_data *md;
	unsigned start, end; /* the set's span, for explain */
};

/* Scratch values of one side of a relation, reused for every packet. */
struct vec {
	struct val *v;
	size_t n, cap;
	uint8_t *sb; /* bytes made by slices, lower()/upper() */
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
	const struct ns_packet *pkt; /* the packet being evaluated */
};

/* ---- compiling: the lexer's and parser's state ------------------------- */

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

struct parser {
	struct ns_dfilter *df;
	const char *s; /* the expression (df->expr) */
	size_t pos;    /* where the lexer reads next */
	/* the current token */
	int t;
	size_t tstart, tlen;
	int rel;   /* T_REL: which relation */
	char *str; /* T_STRING / T_CHAR: decoded text; T_WORD: into s */
	size_t strn;
	struct ns_dfilter_error *err;
	int failed; /* the first error is kept, later ones ignored */
};

/* dfilter.c: records the error at byte `at` (once); returns -1. */
int ns_dfl_fail(struct parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* dfilter.c: zeroed memory owned by the filter; NULL after reporting
 * "out of memory". */
void *ns_dfl_alloc(struct parser *p, size_t n);

/* lexer.c: moves to the next token (p->t T_BAD after an error). */
void ns_dfl_next(struct parser *p);

/* lexer.c: reports the current token as not what was `wanted`; -1. */
int ns_dfl_unexpected(struct parser *p, const char *wanted);

#endif
