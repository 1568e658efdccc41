/*
 * lexer — the display filter's tokens, one at a time, each with its
 * position (the column errors name).
 *
 * The parser calls ns_dfl_next() to step; the token's kind, span and text
 * stay in struct parser until the next call.  Strings are decoded here
 * ("\x41", "\101", "\n"; r"raw" kept as written, as Wireshark 4 does) into
 * memory owned by the filter.  Words (field names, numbers, addresses,
 * value names, "1..5") are not interpreted: they point into the expression,
 * because what a word means depends on what it is compared with, which
 * only the parser knows.  Keywords (and, eq, contains, …) are the words
 * that are never field names; operators are matched longest first.
 *
 * Invariants: the expression is NUL-terminated and never read past its
 * NUL; after an error p->failed is set, p->t is T_BAD and p->pos has not
 * moved, so the parser stops at the first error.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "filter/dfilter_int.h"

/* Longest first, so "!==" is not read as "!=" then "=". */
static const struct {
	const char *text;
	int t, rel;
} operators[] = {
    {"===", T_REL, R_ALLEQ}, {"!==", T_REL, R_ANYNE}, {"==", T_REL, R_EQ},
    {"!=", T_REL, R_NE},     {"~=", T_REL, R_ANYNE},  {">=", T_REL, R_GE},
    {"<=", T_REL, R_LE},     {"&&", T_AND, 0},	      {"||", T_OR, 0},
    {"^^", T_XOR, 0},	     {"(", T_LP, 0},	      {")", T_RP, 0},
    {"{", T_LB, 0},	     {"}", T_RB, 0},	      {"[", T_LSQ, 0},
    {",", T_COMMA, 0},	     {"&", T_BITAND, 0},      {"!", T_NOT, 0},
    {"~", T_REL, R_MATCHES}, {">", T_REL, R_GT},      {"<", T_REL, R_LT},
};

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

static int word_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == ':' || c == '-' ||
	       c == '/';
}

/* The byte a one-letter escape stands for, or -1. */
static int simple_escape(char c)
{
	switch (c) {
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 'r':
		return '\r';
	case 'a':
		return '\a';
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'v':
		return '\v';
	case '\\':
	case '"':
	case '\'':
		return c;
	default:
		return -1;
	}
}

/* One escape sequence: *ip is on the backslash and moves past the
 * sequence, whose byte goes to out[(*kp)++].  -1 after an error. */
static int lex_escape(struct parser *p, size_t *ip, char *out, size_t *kp)
{
	const char *s = p->s;
	size_t esc = *ip, i = esc + 2;
	char c = s[esc + 1];
	int v = simple_escape(c);
	if (v < 0 && c == 'x') { /* one or two hex digits */
		int h1 = ns_hexval(s[i]);
		if (h1 < 0)
			return ns_dfl_fail(p, esc, "\\x needs hex digits");
		int h2 = ns_hexval(s[i + 1]);
		v = h2 < 0 ? h1 : h1 * 16 + h2;
		i += h2 < 0 ? 1 : 2;
	} else if (v < 0 && c >= '0' && c <= '7') { /* up to three octal */
		v = c - '0';
		for (int d = 0; d < 2 && s[i] >= '0' && s[i] <= '7'; d++)
			v = v * 8 + (s[i++] - '0');
		if (v > 255)
			return ns_dfl_fail(p, esc, "octal escape above \\377");
	} else if (v < 0) {
		return ns_dfl_fail(p, esc, "unknown escape \\%c", c ? c : ' ');
	}
	out[(*kp)++] = (char)v;
	*ip = i;
	return 0;
}

/* Decodes a quoted string or character starting at the quote (i) into
 * p->str; returns the position after the closing quote, or 0 after an
 * error. */
static size_t lex_quoted(struct parser *p, size_t i, int raw)
{
	const char *s = p->s;
	char q = s[i];
	size_t start = raw ? i - 1 : i;
	char *out = ns_dfl_alloc(p, strlen(s + i) + 1);
	if (!out)
		return 0;
	size_t k = 0;
	for (i++; s[i] != q;) {
		if (s[i] == '\0') {
			ns_dfl_fail(p, start,
				    "the %s starting here is not closed",
				    q == '"' ? "string" : "character");
			return 0;
		}
		if (s[i] == '\\' && !raw) {
			if (lex_escape(p, &i, out, &k) < 0)
				return 0;
			continue;
		}
		if (raw && s[i] == '\\' && s[i + 1] == q)
			out[k++] = s[i++]; /* r"\"" keeps both, as in Python */
		out[k++] = s[i++];
	}
	out[k] = '\0';
	p->str = out;
	p->strn = k;
	if (q == '\'' && k != 1) {
		ns_dfl_fail(p, start,
			    "a character literal holds one character "
			    "(use \"…\" for strings)");
		return 0;
	}
	return i + 1;
}

static int starts_string(const char *s)
{
	return s[0] == '"' || s[0] == '\'' ||
	       ((s[0] == 'r' || s[0] == 'R') && s[1] == '"');
}

/* "…", '…' or r"…" at i: T_STRING or T_CHAR, or -1 after an error. */
static int lex_string(struct parser *p, size_t i, size_t *len)
{
	int raw = p->s[i] == 'r' || p->s[i] == 'R';
	size_t e = lex_quoted(p, raw ? i + 1 : i, raw);
	if (!e)
		return -1;
	*len = e - i;
	return p->s[i] == '\'' ? T_CHAR : T_STRING;
}

/* An operator at s: its token (and relation), or T_BAD. */
static int lex_operator(const char *s, size_t *len, int *rel)
{
	for (size_t k = 0; k < NS_NELEM(operators); k++) {
		size_t n = strlen(operators[k].text);
		if (strncmp(s, operators[k].text, n) == 0) {
			*len = n;
			*rel = operators[k].rel;
			return operators[k].t;
		}
	}
	return T_BAD;
}

/* A word at i: a keyword's token, or T_WORD with its text in p->str. */
static int lex_word(struct parser *p, size_t i, size_t *len)
{
	const char *s = p->s;
	size_t e = i;
	while (word_char((unsigned char)s[e]))
		e++;
	*len = e - i;
	for (size_t k = 0; k < NS_NELEM(keywords); k++)
		if (strlen(keywords[k].w) == *len &&
		    memcmp(keywords[k].w, s + i, *len) == 0) {
			p->rel = keywords[k].rel;
			return keywords[k].t;
		}
	p->str = (char *)s + i;
	p->strn = *len;
	return T_WORD;
}

void ns_dfl_next(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->pos, len = 0;
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	p->tstart = i;
	p->str = NULL;
	p->strn = 0;
	p->rel = 0;
	p->t = T_BAD;
	int t;
	if (s[i] == '\0')
		t = T_END;
	else if (starts_string(s + i))
		t = lex_string(p, i, &len);
	else if ((t = lex_operator(s + i, &len, &p->rel)) == T_BAD &&
		 word_char((unsigned char)s[i]))
		t = lex_word(p, i, &len);
	if (t < 0)
		return; /* the string's error is reported */
	if (t == T_BAD) {
		ns_dfl_fail(p, i, "unexpected character '%c'", s[i]);
		return;
	}
	p->t = t;
	p->tlen = len;
	p->pos = i + len;
}

int ns_dfl_unexpected(struct parser *p, const char *wanted)
{
	if (p->t == T_END)
		return ns_dfl_fail(p, p->tstart,
				   "unexpected end of filter (expected %s)",
				   wanted);
	size_t n = p->tlen > 40 ? 40 : p->tlen;
	return ns_dfl_fail(p, p->tstart, "unexpected \"%.*s\" (expected %s)",
			   (int)n, p->s + p->tstart, wanted);
}
