/*
 * format — how values and lines look, for every sink; see format.c.
 */
#ifndef NS_FORMAT_H
#define NS_FORMAT_H

#include <stdint.h>

#include "core/buf.h"
#include "core/packet.h"

/* The time column of a summary line: tshark's -t forms and tcpdump's
 * -t to -ttttt. */
enum ns_time_fmt {
	NS_TIME_REL,   /* -t r (default): seconds since the first packet */
	NS_TIME_NONE,  /* -t: no time */
	NS_TIME_EPOCH, /* -tt, -t e: seconds since the epoch */
	NS_TIME_DELTA, /* -t d: since the previous packet read */
	NS_TIME_DELTA_SHOWN, /* -t dd: since the previous packet shown */
	NS_TIME_DELTA_CLOCK, /* -ttt: the same as 00:00:00.000000 */
	NS_TIME_ABS,	     /* -t a: local time of day */
	NS_TIME_ABS_DATE,    /* -tttt, -t ad: local date and time */
	NS_TIME_UTC,	     /* -t u: UTC time of day */
	NS_TIME_UTC_DATE,    /* -t ud: UTC date and time */
	NS_TIME_REL_CLOCK,   /* -ttttt: since the first as 00:00:00.000000 */
};

/* Appends the one-line summary of pkt (no newline), its time as fmt says
 * (shown_delta: ns since the previous packet shown, for the -t dd forms). */
void ns_format_summary(struct ns_buf *b, const struct ns_packet *pkt,
		       enum ns_time_fmt fmt, int64_t shown_delta);
/* The same in columns that stay aligned (the TUI's list): the frame
 * number in 7 columns, the relative time in 15, whatever their size. */
void ns_format_summary_aligned(struct ns_buf *b, const struct ns_packet *pkt);
/* What a packet is, for its colour (the TUI's, and text output's with
 * --color): its topmost protocol, or BAD when malformed. */
enum ns_pkt_class {
	NS_CLASS_NONE,
	NS_CLASS_TCP,
	NS_CLASS_UDP,
	NS_CLASS_DNS,
	NS_CLASS_TLS,
	NS_CLASS_H2, /* HTTP/2, gRPC, protobuf */
	NS_CLASS_HTTP,
	NS_CLASS_ICMP,
	NS_CLASS_ARP,
	NS_CLASS_BAD,
};
enum ns_pkt_class ns_format_class(const struct ns_packet *pkt);
/* The ANSI SGR colour of a class ("32"), or NULL for none. */
const char *ns_format_class_sgr(enum ns_pkt_class c);

/* Appends a value as -T fields shows it (tshark's conventions). */
void ns_format_value(struct ns_buf *b, const struct ns_fv *fv);
/* Appends a value as the tree shows it (names of values, hex, units). */
void ns_format_display(struct ns_buf *b, const struct ns_fv *fv);
/* Appends a hex+ASCII dump of the captured bytes, 16 per line. */
void ns_format_hexdump(struct ns_buf *b, const uint8_t *p, uint32_t n);

/* Appends the title line of layer li as the tree shows it ("Frame 3: …",
 * "Internet Protocol Version 4 [truncated]"). */
void ns_format_layer_title(struct ns_buf *b, const struct ns_packet *pkt,
			   unsigned li);
/* Appends the tree text of value i ("Title: value", or its tree_line). */
void ns_format_tree_text(struct ns_buf *b, const struct ns_packet *pkt,
			 uint32_t i);
/* Walks the verbose tree: cb once per layer title (i = -1, depth 0) and
 * once per value drawn (hidden values left out, their children moved up),
 * in order, with the depth it is drawn at. */
typedef void (*ns_tree_cb)(void *ctx, const struct ns_packet *pkt,
			   unsigned layer, int32_t i, unsigned depth);
void ns_tree_walk(const struct ns_packet *pkt, ns_tree_cb cb, void *ctx);

#endif
