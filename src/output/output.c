/*
 * output — see output.h.  What a value or a line looks like is
 * src/output/format.c; this file lays packets out for each sink.
 *
 * -T fields lays values out as tshark 4.0 does, byte for byte, -E options
 * included (tests/fields_options.sh compares them), except where tshark's
 * output is ambiguous: a string's unprintable bytes are escaped as \xHH,
 * and so is the quote character inside a quoted column.
 */
#include "output/output.h"

#include <stdio.h>
#include <string.h>

#include "core/dissect.h"
#include "core/reader.h"

static void tree_line(void *ctx, const struct ns_packet *pkt, unsigned li,
		      int32_t i, unsigned depth)
{
	struct ns_buf *b = ctx;
	ns_buf_puts(b, pkt->layers[li].quoted ? "      " : "  ");
	if (i < 0) {
		ns_format_layer_title(b, pkt, li);
		ns_buf_putc(b, '\n');
		return;
	}
	for (unsigned d = 0; d < depth; d++)
		ns_buf_puts(b, "    ");
	ns_format_tree_text(b, pkt, (uint32_t)i);
	ns_buf_puts(b, " [");
	ns_buf_puts(b, pkt->fv[i].f->name);
	ns_buf_puts(b, "]\n");
}

static void format_tree(struct ns_buf *b, const struct ns_packet *pkt)
{
	ns_tree_walk(pkt, tree_line, b);
	if (pkt->fv_dropped)
		ns_buf_printf(b, "  [%u fields not recorded: limit reached]\n",
			      pkt->fv_dropped);
}

int ns_fields_opts_set(struct ns_fields_opts *e, const char *opt, char *err,
		       size_t errlen)
{
	const char *eq = strchr(opt, '=');
	size_t nl = eq ? (size_t)(eq - opt) : strlen(opt);
	const char *v = eq ? eq + 1 : "";
#define IS(s) (eq && nl == sizeof(s) - 1 && strncmp(opt, s, nl) == 0)
	if (IS("bom") || IS("header")) {
		if (*v != 'y' && *v != 'n')
			goto bad_value;
		*(IS("bom") ? &e->bom : &e->header) = *v == 'y';
	} else if (IS("separator") || IS("aggregator")) {
		int sep = IS("separator");
		char c = *v;
		if (!c)
			goto bad_value;
		/* tshark: "/s" a space, "/t" a tab (separator only); a slash
		 * before anything else is a backslash */
		if (c == '/')
			c = v[1] == 's'		 ? ' '
			    : sep && v[1] == 't' ? '\t'
						 : '\\';
		*(sep ? &e->separator : &e->aggregator) = c;
	} else if (IS("occurrence")) {
		if (*v != 'f' && *v != 'l' && *v != 'a')
			goto bad_value;
		e->occurrence = *v;
	} else if (IS("quote")) {
		if (*v != 'd' && *v != 's' && *v != 'n')
			goto bad_value;
		e->quote = *v == 'd' ? '"' : *v == 's' ? '\'' : 0;
	} else {
		snprintf(
		    err, errlen,
		    "unknown option '%.*s' (bom=y|n, header=y|n, "
		    "separator=/t|/s|C, occurrence=f|l|a, aggregator=C|/s, "
		    "quote=d|s|n)",
		    (int)(nl > 64 ? 64 : nl), opt);
		return -1;
	}
#undef IS
	return 0;
bad_value:
	snprintf(err, errlen, "invalid value '%s' for %.*s", v, (int)nl, opt);
	return -1;
}

/* A value of a quoted column.  A quote character inside it would end the
 * column early, so it is written as \xHH, the text output's escape for
 * bytes (tshark 4.0 writes it unescaped). */
static void put_quoted_value(struct ns_output *o, const struct ns_fv *fv)
{
	char q = o->eopt.quote;
	ns_buf_reset(&o->tmp);
	ns_format_value(&o->tmp, fv);
	const char *p = o->tmp.p, *end = p + o->tmp.len;
	while (p < end) {
		const char *hit = memchr(p, q, (size_t)(end - p));
		const char *stop = hit ? hit : end;
		ns_buf_put(&o->buf, p, (size_t)(stop - p));
		if (!hit)
			break;
		ns_buf_puts(&o->buf, q == '"' ? "\\x22" : "\\x27");
		p = hit + 1;
	}
}

static void put_column_value(struct ns_output *o, const struct ns_fv *fv)
{
	if (o->eopt.quote)
		put_quoted_value(o, fv);
	else
		ns_format_value(&o->buf, fv);
}

/* One -e column as tshark writes it: nothing at all (not even quotes)
 * when the field is absent, else the first, the last or every value
 * joined by the aggregator, inside the quotes. */
static void put_column(struct ns_output *o, const struct ns_packet *pkt,
		       const struct ns_field *f)
{
	const struct ns_fields_opts *e = &o->eopt;
	struct ns_buf *b = &o->buf;
	const struct ns_fv *last = NULL;
	int n = 0;
	for (uint32_t i = 0; i < pkt->nfv; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (!ns_field_is(f, fv->f))
			continue;
		if (e->occurrence == 'l') {
			last = fv;
			continue;
		}
		if (n == 0 && e->quote)
			ns_buf_putc(b, e->quote);
		if (n++)
			ns_buf_putc(b, e->aggregator ? e->aggregator : ',');
		put_column_value(o, fv);
		if (e->occurrence == 'f')
			break;
	}
	if (last) {
		n = 1;
		if (e->quote)
			ns_buf_putc(b, e->quote);
		put_column_value(o, last);
	}
	if (n && e->quote)
		ns_buf_putc(b, e->quote);
}

static void format_fields(struct ns_output *o, const struct ns_packet *pkt)
{
	char sep = o->eopt.separator ? o->eopt.separator : '\t';
	for (unsigned k = 0; k < o->nefields; k++) {
		if (k)
			ns_buf_putc(&o->buf, sep);
		put_column(o, pkt, o->efields[k]);
	}
	ns_buf_putc(&o->buf, '\n');
}

/* What comes before the first packet: the -E byte order mark and header
 * (the -e names, unquoted, as tshark 4.0 writes them), JSON's '['. */
static void begin_stream(struct ns_output *o)
{
	struct ns_buf *b = &o->buf;
	o->started = 1;
	if (o->format == NS_OUT_JSON) {
		ns_buf_puts(b, "[\n");
	} else if (o->format == NS_OUT_FIELDS) {
		if (o->eopt.bom)
			ns_buf_puts(b, "\xef\xbb\xbf");
		if (!o->eopt.header)
			return;
		char sep = o->eopt.separator ? o->eopt.separator : '\t';
		for (unsigned k = 0; k < o->nefields; k++) {
			if (k)
				ns_buf_putc(b, sep);
			ns_buf_puts(b, o->efields[k]->name);
		}
		ns_buf_putc(b, '\n');
	}
}

/* -A, as tcpdump: the packet past its link-layer header, printable
 * ASCII and line ends (LF, CRLF) as they are, every other byte as '.'. */
static void format_ascii(struct ns_buf *b, const struct ns_packet *pkt)
{
	uint32_t from = 0;
	if (pkt->nlayers > 2 && !pkt->layers[2].src &&
	    pkt->layers[2].off <= pkt->caplen)
		from = pkt->layers[2].off;
	struct ns_reader r;
	ns_rd_init(&r, pkt->data, pkt->caplen);
	ns_rd_skip(&r, from);
	while (ns_rd_left(&r)) {
		uint8_t c = ns_rd_u8(&r);
		if (c == '\r' && ns_rd_left(&r) && ns_rd_peek(&r, 0) == '\n')
			continue; /* a CRLF line end is a line end */
		ns_buf_putc(b, c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)
				   ? (char)c
				   : '.');
	}
	ns_buf_putc(b, '\n');
}

/* A packet as text: its line (or -T fields' line), the tree, the dumps. */
static void text_packet(struct ns_output *o, const struct ns_packet *pkt)
{
	struct ns_buf *b = &o->buf;
	if (o->format == NS_OUT_FIELDS) {
		format_fields(o, pkt);
	} else {
		const char *sgr =
		    o->color ? ns_format_class_sgr(ns_format_class(pkt)) : NULL;
		if (sgr)
			ns_buf_printf(b, "\033[%sm", sgr);
		ns_format_summary(b, pkt, (enum ns_time_fmt)o->tfmt,
				  o->npackets ? pkt->ts - o->prev_shown : 0);
		if (sgr)
			ns_buf_puts(b, "\033[0m");
		ns_buf_putc(b, '\n');
		if (o->verbose)
			format_tree(b, pkt);
		if (o->ascii)
			format_ascii(b, pkt);
	}
	o->prev_shown = pkt->ts;
	if (o->hex) {
		ns_format_hexdump(b, pkt->data, pkt->caplen);
		ns_buf_putc(b, '\n');
	} else if (o->verbose) {
		ns_buf_putc(b, '\n');
	}
}

void ns_output_packet(struct ns_output *o, const struct ns_packet *pkt)
{
	struct ns_buf *b = &o->buf;
	if (!o->started)
		begin_stream(o);
	if (o->format == NS_OUT_JSON || o->format == NS_OUT_NDJSON) {
		if (o->format == NS_OUT_JSON && o->npackets)
			ns_buf_put(b, ",\n", 2);
		ns_json_packet(&o->json, b, pkt, o->hex);
		if (o->format == NS_OUT_NDJSON)
			ns_buf_putc(b, '\n');
	} else {
		text_packet(o, pkt);
	}
	o->npackets++;
	if (o->each || b->len >= NS_OUTPUT_BATCH)
		ns_output_flush(o);
}

void ns_output_flush(struct ns_output *o)
{
	ns_buf_write(&o->buf, o->fp);
	ns_buf_reset(&o->buf);
}

void ns_output_finish(struct ns_output *o)
{
	struct ns_buf *b = &o->buf;
	if (!o->started)
		begin_stream(o);
	if (o->format == NS_OUT_JSON)
		ns_buf_puts(b, o->npackets ? "\n]\n" : "]\n");
	ns_output_flush(o);
}

void ns_output_free(struct ns_output *o)
{
	ns_buf_free(&o->buf);
	ns_buf_free(&o->tmp);
	ns_json_free(&o->json);
}
