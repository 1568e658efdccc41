/*
 * output — see output.h.
 *
 * The summary line follows tshark's default columns (number, relative time,
 * source, destination, protocol, length, info) with ports folded into the
 * addresses (`10.0.0.1:443`, `[::1]:443`) so each line stands alone.  Names
 * are never resolved.  The info text comes from the topmost layer that has
 * an info function; the outcome of a bad packet is appended as
 * `[truncated]` or `[malformed: why]`.
 *
 * -T fields lays values out as tshark 4.0 does, byte for byte, -E options
 * included (tests/fields_options.sh compares them), except where tshark's
 * output is ambiguous: a string's unprintable bytes are escaped as \xHH,
 * and so is the quote character inside a quoted column.
 */
#include "output/output.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "core/dissect.h"

static void put_addr(struct ns_buf *b, const struct ns_packet *pkt,
		     const uint8_t *a, uint16_t port)
{
	if (!a) { /* e.g. SLL knows only the source link address */
		ns_buf_putc(b, '?');
		return;
	}
	switch (pkt->addr_type) {
	case NS_ADDR_ETHER:
		ns_buf_mac(b, a);
		return;
	case NS_ADDR_IPV4:
		ns_buf_ipv4(b, a);
		if (pkt->has_ports) {
			ns_buf_putc(b, ':');
			ns_buf_u64(b, port);
		}
		return;
	case NS_ADDR_IPV6:
		if (pkt->has_ports) {
			ns_buf_putc(b, '[');
			ns_buf_ipv6(b, a);
			ns_buf_puts(b, "]:");
			ns_buf_u64(b, port);
		} else {
			ns_buf_ipv6(b, a);
		}
		return;
	default:
		ns_buf_putc(b, '?');
	}
}

/* The topmost layer that is not quoted inside another's payload. */
static int top_layer(const struct ns_packet *pkt, int need_info)
{
	for (int i = (int)pkt->nlayers - 1; i > 0; i--) {
		const struct ns_layer *l = &pkt->layers[i];
		if (l->quoted)
			continue;
		if (need_info ? l->d->info != NULL : l->d->column != NULL)
			return i;
	}
	return 0;
}

void ns_format_summary(struct ns_buf *b, const struct ns_packet *pkt)
{
	size_t start = b->len;
	ns_buf_u64(b, pkt->num);
	ns_buf_pad_left(b, start, 5);
	ns_buf_putc(b, ' ');
	ns_buf_secs(b, pkt->rel, pkt->ts_digits);
	ns_buf_putc(b, ' ');
	put_addr(b, pkt, pkt->src, pkt->sport);
	ns_buf_puts(b, " \xe2\x86\x92 "); /* → */
	put_addr(b, pkt, pkt->dst, pkt->dport);
	ns_buf_putc(b, ' ');

	int col = top_layer(pkt, 0);
	const char *lt = NULL;
	if (col > 0) {
		ns_buf_puts(b, pkt->layers[col].d->column);
	} else {
		lt = pcap_datalink_val_to_name(pkt->linktype);
		ns_buf_puts(b, lt ? lt : "DLT");
	}
	ns_buf_putc(b, ' ');
	ns_buf_u64(b, pkt->len);
	ns_buf_putc(b, ' ');

	int inf = top_layer(pkt, 1);
	size_t info_at = b->len;
	if (inf > 0) {
		pkt->layers[inf].d->info(pkt, (unsigned)inf, b);
	} else if (col == 0) {
		ns_buf_puts(b, "link type ");
		ns_buf_puts(b, lt ? lt : "unknown");
		ns_buf_puts(b, " (");
		ns_buf_u64(b, (uint64_t)pkt->linktype);
		ns_buf_puts(b, ") not dissected");
	}
	if (b->len == info_at)
		b->len--; /* no info text: drop the separator */
	if (pkt->status == NS_LAYER_TRUNCATED) {
		ns_buf_puts(b, " [truncated]");
	} else if (pkt->status == NS_LAYER_MALFORMED) {
		ns_buf_puts(b, " [malformed: ");
		ns_buf_puts(b, pkt->reason ? pkt->reason : "bad header");
		ns_buf_putc(b, ']');
	}
}

static int hex_digits(const struct ns_field *f)
{
	return f->bits ? (f->bits + 3) / 4 : 2;
}

void ns_format_value(struct ns_buf *b, const struct ns_fv *fv)
{
	const struct ns_field *f = fv->f;
	switch (f->type) {
	case NS_FT_PROTO:
		ns_buf_puts(b, f->title);
		break;
	case NS_FT_NONE:
		ns_buf_putc(b, '1'); /* present: tshark prints 1 */
		break;
	case NS_FT_BOOL:
		ns_buf_putc(b, fv->v.u ? '1' : '0');
		break;
	case NS_FT_UINT:
		if (f->base == NS_BASE_HEX)
			ns_buf_hex(b, fv->v.u, hex_digits(f));
		else
			ns_buf_u64(b, fv->v.u);
		break;
	case NS_FT_INT:
		ns_buf_i64(b, fv->v.i);
		break;
	case NS_FT_DOUBLE:
		ns_buf_printf(b, "%g", fv->v.d);
		break;
	case NS_FT_RELTIME:
	case NS_FT_ABSTIME:
		ns_buf_secs(b, fv->v.i, 9);
		break;
	case NS_FT_ETHER:
		ns_buf_mac(b, fv->v.b.p);
		break;
	case NS_FT_IPV4:
		ns_buf_ipv4(b, fv->v.b.p);
		break;
	case NS_FT_IPV6:
		ns_buf_ipv6(b, fv->v.b.p);
		break;
	case NS_FT_STRING:
		ns_buf_escaped(b, fv->v.b.p, fv->v.b.n);
		break;
	case NS_FT_BYTES:
		ns_buf_hexbytes(b, fv->v.b.p, fv->v.b.n, 0);
		break;
	}
}

void ns_format_display(struct ns_buf *b, const struct ns_fv *fv)
{
	const struct ns_field *f = fv->f;
	switch (f->type) {
	case NS_FT_BOOL:
		ns_buf_puts(b, fv->v.u ? "Set" : "Not set");
		return;
	case NS_FT_UINT: {
		const char *name = ns_valstr_find(f->vals, fv->v.u);
		if (name) {
			ns_buf_puts(b, name);
			ns_buf_puts(b, " (");
			ns_format_value(b, fv);
			ns_buf_putc(b, ')');
			return;
		}
		ns_format_value(b, fv);
		if (f->base == NS_BASE_DEC_HEX) {
			ns_buf_puts(b, " (");
			ns_buf_hex(b, fv->v.u, hex_digits(f));
			ns_buf_putc(b, ')');
		}
		return;
	}
	case NS_FT_STRING:
		ns_buf_putc(b, '"');
		ns_format_value(b, fv);
		ns_buf_putc(b, '"');
		return;
	case NS_FT_BYTES:
		if (fv->v.b.n > 32) {
			ns_buf_hexbytes(b, fv->v.b.p, 32, 0);
			ns_buf_printf(b, "… (%u bytes)", fv->v.b.n);
			return;
		}
		ns_format_value(b, fv);
		return;
	default:
		ns_format_value(b, fv);
	}
}

void ns_format_hexdump(struct ns_buf *b, const uint8_t *p, uint32_t n)
{
	for (uint32_t off = 0; off < n; off += 16)
		ns_format_hexline(b, p + off, n - off < 16 ? n - off : 16, off);
}

void ns_format_layer_title(struct ns_buf *b, const struct ns_packet *pkt,
			   unsigned li)
{
	const struct ns_layer *l = &pkt->layers[li];
	if (li == 0) {
		const char *lt = pcap_datalink_val_to_name(pkt->linktype);
		ns_buf_printf(b,
			      "Frame %llu: %u bytes on wire, %u bytes "
			      "captured, link type %s (%d)",
			      (unsigned long long)pkt->num, pkt->len,
			      pkt->caplen, lt ? lt : "unknown", pkt->linktype);
	} else {
		ns_buf_puts(b, l->d->title);
	}
	if (l->status == NS_LAYER_TRUNCATED)
		ns_buf_puts(b, " [truncated]");
	else if (l->status == NS_LAYER_MALFORMED)
		ns_buf_printf(b, " [malformed: %s]",
			      l->reason ? l->reason : "bad header");
}

void ns_format_tree_text(struct ns_buf *b, const struct ns_packet *pkt,
			 uint32_t i)
{
	const struct ns_fv *fv = &pkt->fv[i];
	if (fv->f->tree_line) {
		fv->f->tree_line(b, pkt, i);
		return;
	}
	ns_buf_puts(b, fv->f->title);
	if (fv->f->type != NS_FT_NONE) {
		ns_buf_puts(b, ": ");
		ns_format_display(b, fv);
	}
}

void ns_tree_walk(const struct ns_packet *pkt, ns_tree_cb cb, void *ctx)
{
	for (unsigned li = 0; li < pkt->nlayers; li++) {
		const struct ns_layer *l = &pkt->layers[li];
		cb(ctx, pkt, li, -1, 0);
		/* depths of the hidden values enclosing the current one: each
		 * moves what it encloses up a level */
		uint8_t hid[256];
		unsigned nhid = 0;
		for (uint32_t i = l->fv_first + 1; i < l->fv_end; i++) {
			const struct ns_fv *fv = &pkt->fv[i];
			while (nhid && hid[nhid - 1] >= fv->depth)
				nhid--;
			if (fv->hidden) {
				hid[nhid++] = fv->depth;
				continue;
			}
			cb(ctx, pkt, li, (int32_t)i,
			   fv->depth > nhid ? fv->depth - nhid : 0);
		}
	}
}

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

void ns_output_packet(struct ns_output *o, const struct ns_packet *pkt)
{
	struct ns_buf *b = &o->buf;
	ns_buf_reset(b);
	if (!o->started)
		begin_stream(o);
	switch (o->format) {
	case NS_OUT_FIELDS:
		format_fields(o, pkt);
		break;
	case NS_OUT_JSON:
	case NS_OUT_NDJSON:
		if (o->format == NS_OUT_JSON && o->npackets)
			ns_buf_put(b, ",\n", 2);
		ns_json_packet(&o->json, b, pkt, o->hex);
		if (o->format == NS_OUT_NDJSON)
			ns_buf_putc(b, '\n');
		o->npackets++;
		ns_buf_write(b, o->fp);
		return;
	default:
		ns_format_summary(b, pkt);
		ns_buf_putc(b, '\n');
		if (o->verbose)
			format_tree(b, pkt);
	}
	o->npackets++;
	if (o->hex) {
		ns_format_hexdump(b, pkt->data, pkt->caplen);
		ns_buf_putc(b, '\n');
	} else if (o->verbose) {
		ns_buf_putc(b, '\n');
	}
	ns_buf_write(b, o->fp);
}

void ns_output_finish(struct ns_output *o)
{
	struct ns_buf *b = &o->buf;
	ns_buf_reset(b);
	if (!o->started)
		begin_stream(o);
	if (o->format == NS_OUT_JSON)
		ns_buf_puts(b, o->npackets ? "\n]\n" : "]\n");
	ns_buf_write(b, o->fp);
}

void ns_output_free(struct ns_output *o)
{
	ns_buf_free(&o->buf);
	ns_buf_free(&o->tmp);
	ns_json_free(&o->json);
}
