/*
 * format — how values and lines look, for every sink (text, tree, -T
 * fields, JSON, the TUI): the one-line summary, a value as -T fields and
 * as the tree show it, layer titles, the hex dump, the walk of the verbose
 * tree.  Nothing here writes: it appends to a buffer.
 *
 * The summary line follows tshark's default columns (number, relative time,
 * source, destination, protocol, length, info) with ports folded into the
 * addresses (`10.0.0.1:443`, `[::1]:443`) so each line stands alone.  Names
 * are never resolved.  The info text comes from the topmost layer that has
 * an info function; the outcome of a bad packet is appended as
 * `[truncated]` or `[malformed: why]`.
 */
#include "output/format.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* The fraction of a second, frac ns, in 6 or 9 digits. */
static void put_frac(struct ns_buf *b, int64_t frac, int digits)
{
	char t[16];
	snprintf(t, sizeof(t), "%09lld", (long long)frac);
	ns_buf_put(b, t, digits == 6 ? 6 : 9);
}

/* ns as [-]HH:MM:SS.ffffff, tcpdump's -ttt and -ttttt. */
static void put_clock(struct ns_buf *b, int64_t ns, int digits)
{
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t s = u / 1000000000u;
	char t[48];
	snprintf(t, sizeof(t), "%s%02llu:%02u:%02u.", ns < 0 ? "-" : "",
		 (unsigned long long)(s / 3600), (unsigned)(s / 60 % 60),
		 (unsigned)(s % 60));
	ns_buf_puts(b, t);
	put_frac(b, (int64_t)(u % 1000000000u), digits);
}

/* ns since the epoch as a calendar time, local or UTC, with or without
 * the date (tshark's -t a, ad, u, ud; tcpdump's -tttt). */
static void put_calendar(struct ns_buf *b, int64_t ns, int digits, int utc,
			 int date)
{
	int64_t sec = ns / 1000000000;
	int64_t frac = ns % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm))) {
		ns_buf_secs(b, ns, digits);
		return;
	}
	char s[64];
	strftime(s, sizeof(s), date ? "%Y-%m-%d %H:%M:%S." : "%H:%M:%S.", &tm);
	ns_buf_puts(b, s);
	put_frac(b, frac, digits);
}

static void put_time(struct ns_buf *b, const struct ns_packet *pkt,
		     enum ns_time_fmt fmt, int64_t shown_delta)
{
	int d = pkt->ts_digits;
	switch (fmt) {
	case NS_TIME_NONE:
		return;
	case NS_TIME_EPOCH:
		ns_buf_secs(b, pkt->ts, d);
		break;
	case NS_TIME_DELTA:
		ns_buf_secs(b, pkt->delta, d);
		break;
	case NS_TIME_DELTA_SHOWN:
		ns_buf_secs(b, shown_delta, d);
		break;
	case NS_TIME_DELTA_CLOCK:
		put_clock(b, shown_delta, d);
		break;
	case NS_TIME_REL_CLOCK:
		put_clock(b, pkt->rel, d);
		break;
	case NS_TIME_ABS:
	case NS_TIME_ABS_DATE:
	case NS_TIME_UTC:
	case NS_TIME_UTC_DATE:
		put_calendar(b, pkt->ts, d,
			     fmt == NS_TIME_UTC || fmt == NS_TIME_UTC_DATE,
			     fmt == NS_TIME_ABS_DATE ||
				 fmt == NS_TIME_UTC_DATE);
		break;
	default:
		ns_buf_secs(b, pkt->rel, d);
		break;
	}
	ns_buf_putc(b, ' ');
}

enum ns_pkt_class ns_format_class(const struct ns_packet *pkt)
{
	static const struct {
		const char *name;
		enum ns_pkt_class c;
	} by_name[] = {
	    {"grpc", NS_CLASS_H2},     {"http2", NS_CLASS_H2},
	    {"protobuf", NS_CLASS_H2}, {"dns", NS_CLASS_DNS},
	    {"tls", NS_CLASS_TLS},     {"http", NS_CLASS_HTTP},
	    {"tcp", NS_CLASS_TCP},     {"udp", NS_CLASS_UDP},
	    {"icmp", NS_CLASS_ICMP},   {"icmpv6", NS_CLASS_ICMP},
	    {"arp", NS_CLASS_ARP},
	};
	if (pkt->status == NS_LAYER_MALFORMED)
		return NS_CLASS_BAD;
	for (int i = (int)pkt->nlayers - 1; i > 0; i--) {
		const struct ns_layer *l = &pkt->layers[i];
		if (l->quoted)
			continue;
		for (size_t k = 0; k < sizeof(by_name) / sizeof(by_name[0]);
		     k++)
			if (strcmp(l->d->name, by_name[k].name) == 0)
				return by_name[k].c;
	}
	return NS_CLASS_NONE;
}

const char *ns_format_class_sgr(enum ns_pkt_class c)
{
	/* as the TUI's pairs: TCP in the default colour */
	static const char *const sgr[] = {
	    [NS_CLASS_UDP] = "36",  [NS_CLASS_DNS] = "34",
	    [NS_CLASS_TLS] = "35",  [NS_CLASS_H2] = "32",
	    [NS_CLASS_HTTP] = "33", [NS_CLASS_ICMP] = "36",
	    [NS_CLASS_ARP] = "33",  [NS_CLASS_BAD] = "31",
	};
	return (unsigned)c < sizeof(sgr) / sizeof(sgr[0]) ? sgr[c] : NULL;
}

static void summary(struct ns_buf *b, const struct ns_packet *pkt,
		    enum ns_time_fmt fmt, int64_t shown_delta, size_t numw,
		    size_t timew);

void ns_format_summary(struct ns_buf *b, const struct ns_packet *pkt,
		       enum ns_time_fmt fmt, int64_t shown_delta)
{
	summary(b, pkt, fmt, shown_delta, 5, 0);
}

void ns_format_summary_aligned(struct ns_buf *b, const struct ns_packet *pkt)
{
	/* 9,999,999 frames; seconds to nanoseconds past 99 999 s */
	summary(b, pkt, NS_TIME_REL, 0, 7, 15);
}

static void summary(struct ns_buf *b, const struct ns_packet *pkt,
		    enum ns_time_fmt fmt, int64_t shown_delta, size_t numw,
		    size_t timew)
{
	size_t start = b->len;
	ns_buf_u64(b, pkt->num);
	ns_buf_pad_left(b, start, numw);
	ns_buf_putc(b, ' ');
	start = b->len;
	put_time(b, pkt, fmt, shown_delta);
	if (timew && b->len > start) { /* the time and its space */
		b->len--;
		ns_buf_pad_left(b, start, timew);
		ns_buf_putc(b, ' ');
	}
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
	else if (inf > 0 && pkt->layers[inf].decrypted)
		ns_buf_puts(b, " [decrypted]");
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
