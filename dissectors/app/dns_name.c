/*
 * dns_name — DNS names (RFC 1035 3.1, 4.1.4), and how a message's problems
 * are told.
 *
 * Names are never trusted: a compression pointer may go anywhere in the
 * message, but a pointer seen before in the same name is a loop, at most
 * MAX_JUMPS pointers are followed per name and MAX_MSG_JUMPS per message;
 * a name longer than 255 bytes or a label running past the end is an
 * error.  Each refusal has its reason.  Label bytes are kept as they are
 * and every output escapes what is not printable.  As tshark does, a name
 * that loops, is too long or has a label type we do not know gets a
 * placeholder text and a known extent (a soft error: the message goes
 * on); one that runs past the end of the message, or has a label type
 * that is not in use, is a hard error: nothing after it can be trusted.
 *
 * All of it reads through a cursor on the message (dns_msg.mr), moved to
 * the offset a pointer names with ns_rd_at().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dns_int.h"

int ns_dns_bad(struct dns_msg *m, const char *fmt, ...)
{
	/* a capture cut short, or a message quoted in an ICMP error (cut
	 * by design) */
	if (!m->stream && (m->pkt->caplen < m->pkt->len || m->pkt->quoted))
		return NS_ETRUNC;
	char tmp[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return ns_malformed(m->pkt, "%s", tmp);
}

void ns_dns_soft(struct dns_msg *m, const char *fmt, ...)
{
	if (m->soft[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->soft, sizeof(m->soft), fmt, ap);
	va_end(ap);
}

const char *ns_dns_type_name(unsigned t, char tmp[16])
{
	const char *s = ns_valstr_find(ns_dns_type_vals, t);
	if (s)
		return s;
	snprintf(tmp, 16, "TYPE%u", t);
	return tmp;
}

/* ---- reading a name ------------------------------------------------- */

/* A name being read: where the cursor is and what it went through. */
struct walk {
	struct ns_reader c; /* on the next label or pointer */
	uint32_t start;	    /* where the name is written (packet offset) */
	int jumped, too_long;
	unsigned jumps, wire;
	uint16_t seen[MAX_JUMPS]; /* pointer targets followed */
};

enum { GO_ON, STOP, DONE }; /* DONE: the name's text is final already */

static void name_set(struct dns_name *nm, const char *s)
{
	nm->n = strlen(s);
	memcpy(nm->text, s, nm->n);
}

static int hard(struct dns_name *nm, const char *why)
{
	nm->err = why;
	nm->hard = 1;
	return STOP;
}

/* A loop, or too many pointers: the name gets tshark's placeholder. */
static int loops(struct dns_name *nm, const char *why)
{
	nm->err = why;
	name_set(nm, "<Name contains a pointer that loops>");
	return DONE;
}

/* The compression pointer whose first byte (c) was just read. */
static int follow(struct dns_msg *m, struct walk *w, struct dns_name *nm,
		  uint8_t c)
{
	if (!ns_rd_left(&w->c))
		return hard(nm, "name past the end");
	uint16_t to = (uint16_t)((c & 0x3f) << 8 | ns_rd_u8(&w->c));
	if (!w->jumped)
		nm->used = ns_rd_off(&w->c) - w->start;
	w->jumped = 1;
	int loop = 0;
	for (unsigned k = 0; k < w->jumps && !loop; k++)
		loop = w->seen[k] == to;
	if (m->jumps == MAX_MSG_JUMPS)
		return loops(nm, "more than 16384 compression pointers in "
				 "the message");
	m->jumps++;
	if (loop || w->jumps == MAX_JUMPS)
		return loops(nm, loop ? "compression loop"
				      : "more than 128 compression pointers");
	w->seen[w->jumps++] = to;
	w->c = ns_rd_at(&m->mr, m->moff + (size_t)to);
	return GO_ON;
}

/* The label of length len whose length byte was just read. */
static int label(struct walk *w, struct dns_name *nm, uint8_t len)
{
	if (ns_rd_left(&w->c) < len)
		return hard(nm, "label past the end");
	w->wire += len + 1u;
	if (w->wire > 255) {
		w->too_long = 1;
		/* past a pointer the name's extent is known: reading on
		 * would only cost time (names pointing into one long label
		 * chain would each walk all of it) */
		if (w->jumped)
			return STOP;
	}
	if (w->too_long) {
		ns_rd_skip(&w->c, len);
	} else {
		if (nm->labels)
			nm->text[nm->n++] = '.';
		ns_rd_copy(&w->c, nm->text + nm->n, len);
		nm->n += len;
	}
	nm->labels++;
	return GO_ON;
}

/* One step of the name: a label, a pointer, or its end. */
static int step(struct dns_msg *m, struct walk *w, struct dns_name *nm)
{
	if (!ns_rd_left(&w->c))
		return hard(nm, w->jumped ? "pointer past the end"
					  : "name past the end");
	uint8_t c = ns_rd_u8(&w->c);
	if (c == 0) {
		if (!w->jumped)
			nm->used = ns_rd_off(&w->c) - w->start;
		return STOP;
	}
	if ((c & 0xc0) == 0xc0)
		return follow(m, w, nm, c);
	if (c & 0xc0) {
		/* 0x40 (RFC 6891's extended labels, none in use) and 0x80:
		 * the name's extent is unknown, so is the rest */
		return hard(nm, "bad label type");
	}
	return label(w, nm, c);
}

/*
 * Reads the name at message offset `off`.  The text keeps the label bytes
 * as they are (the output escapes what is not printable), labels joined by
 * dots; the root is "<Root>".
 */
void ns_dns_read_name(struct dns_msg *m, size_t off, struct dns_name *nm)
{
	nm->n = 0;
	nm->labels = 0;
	nm->used = 0;
	nm->err = NULL;
	nm->hard = 0;
	struct walk w; /* seen[] is not cleared: jumps says what is set */
	w.c = ns_rd_at(&m->mr, m->moff + off);
	w.start = m->moff + (uint32_t)off;
	w.jumped = w.too_long = 0;
	w.jumps = 0;
	w.wire = 1;
	int st;
	while ((st = step(m, &w, nm)) == GO_ON)
		;
	if (st == DONE || nm->err)
		return;
	if (w.too_long) {
		nm->err = "name longer than 255 bytes";
		name_set(nm, "<Name too long>");
		nm->labels = 1;
	} else if (nm->n == 0) {
		name_set(nm, "<Root>");
	}
}

const uint8_t *ns_dns_add_name(struct dns_msg *m, int f, size_t off,
			       const struct dns_name *nm)
{
	uint8_t *s = ns_arena_alloc(&m->pkt->arena, nm->n ? nm->n : 1);
	if (!s)
		return NULL;
	memcpy(s, nm->text, nm->n);
	ns_add_bytes(m->pkt, DNS_F(f), m->moff + (uint32_t)off, nm->used, s,
		     (uint32_t)nm->n);
	return s;
}

/* A name that runs past its record (tshark reads it from the message all
 * the same) leaves the reader at the record's end with a soft error. */
int ns_dns_get_name(struct dns_msg *m, struct ns_reader *r, int f,
		    struct dns_name *nm, const char *what)
{
	size_t off = ns_rd_off(r) - m->moff;
	ns_dns_read_name(m, off, nm);
	if (nm->hard)
		return ns_dns_bad(m, "%s: %s", what, nm->err);
	if (f >= 0)
		ns_dns_add_name(m, f, off, nm);
	if (nm->err)
		ns_dns_soft(m, "%s: %s", what, nm->err);
	if (nm->used > ns_rd_left(r)) {
		ns_dns_soft(m, "%s past the end of its record", what);
		ns_rd_skip(r, ns_rd_left(r));
		ns_rd_fail(r);
	} else {
		ns_rd_skip(r, nm->used);
	}
	return 0;
}
