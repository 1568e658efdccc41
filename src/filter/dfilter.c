/*
 * dfilter — see dfilter.h.  This file holds the compiled filter as an
 * object (its memory, its errors, explain, free); the work is in three
 * files that share dfilter_int.h:
 *
 *   lexer.c  one token at a time from the expression, with its column;
 *            strings decoded ("\x41", r"raw"), words kept as text because a
 *            word's meaning (field, address, number, value name) depends on
 *            what it is compared with.
 *   parser.c recursive descent: or < xor < and < not < test.  A test is an
 *            operand alone (existence) or `operand relation operand` or
 *            `operand [not] in {set}`.  Words that name a field become field
 *            references; the others are literals, converted once to the type
 *            of the field on the other side (so `ip.addr == 10.0.0.0/8` holds
 *            four bytes and a prefix, `http2.type == HEADERS` the number 1).
 *   eval.c   per packet, an operand yields the values of every occurrence of
 *            its field (a slice, len(), lower()… transform them in place in
 *            a scratch vector); a relation holds when some value satisfies
 *            it, with Wireshark 4's exceptions for != and ===.
 *
 * Values are compared by class: numbers (unsigned, signed, double — time
 * fields in seconds), IPv4 and IPv6 addresses (with a CIDR prefix on the
 * literal), and byte strings (Ethernet addresses, strings, bytes, slices,
 * protocols' bytes) compared as bytes.
 *
 * Memory: a filter is one calloc'd struct plus a list of blocks
 * (ns_dfl_alloc), so a compile that fails half way frees everything with
 * ns_dfilter_free() and no part of the parser has to unwind.
 */
#include "filter/dfilter.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "filter/dfilter_int.h"

const char *const ns_dfl_cls_names[] = {
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

const char *const ns_dfl_rel_names[] = {
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

/* ---- errors and allocation -------------------------------------------- */

int ns_dfl_fail(struct parser *p, size_t at, const char *fmt, ...)
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

void *ns_dfl_alloc(struct parser *p, size_t n)
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
	ns_dfl_fail(p, 0, "out of memory");
	return NULL;
}

/* ---- the public object ------------------------------------------------ */

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

int ns_dfilter_frame_only(const struct ns_dfilter *df)
{
	return !df->beyond_frame;
}

/* ---- explain: the tree, fully parenthesised ---------------------------- */

/* An operand as the user wrote it: its span of the expression. */
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
		ns_buf_printf(out, " %s ", ns_dfl_rel_names[n->rel]);
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

void ns_dfilter_explain(const struct ns_dfilter *df, struct ns_buf *out)
{
	explain(df, df->root, out);
}
