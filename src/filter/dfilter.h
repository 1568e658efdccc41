/*
 * dfilter — display filters in Wireshark's language (`-Y EXPR`).
 *
 * A filter is compiled once into a small tree whose leaves hold resolved
 * fields and literals already converted to the field's type, then evaluated
 * per packet over the fields the dissectors recorded (packet.h): nothing is
 * formatted and nothing is dissected for it.  Semantics follow Wireshark 4:
 * a relation holds when any occurrence of the field satisfies it, except
 * `!=` which means "no occurrence equals" (`!(a == b)`); `===` requires
 * every occurrence to equal, `!==` / `~=` some occurrence to differ.
 * `matches` is a PCRE2 regular expression, caseless by default as in
 * Wireshark.  Precedence, loosest first: or, xor, and, not.
 */
#ifndef NS_DFILTER_H
#define NS_DFILTER_H

#include <stddef.h>

#include "core/buf.h"
#include "core/packet.h"

struct ns_dfilter;

struct ns_dfilter_error {
	unsigned col;  /* 1-based column of the offending text, 0 if none */
	char msg[256]; /* what is wrong, without the column */
};

/* Compiles expr; NULL with err filled when it is not a valid filter (or
 * memory ran out).  The result owns everything it needs. */
struct ns_dfilter *ns_dfilter_compile(const char *expr,
				      struct ns_dfilter_error *err);

/* 1 when the packet passes.  Uses scratch space inside df, so one filter
 * must not be evaluated by two threads at once. */
int ns_dfilter_match(struct ns_dfilter *df, const struct ns_packet *pkt);

/* 1 when the filter reads only frame.* fields (frame.len, frame.number…),
 * which need no dissection beyond the frame layer. */
int ns_dfilter_frame_only(const struct ns_dfilter *df);

/* Appends the filter fully parenthesised, showing how it was parsed. */
void ns_dfilter_explain(const struct ns_dfilter *df, struct ns_buf *out);

void ns_dfilter_free(struct ns_dfilter *df);

#endif
