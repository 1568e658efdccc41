/*
 * output — the sinks that turn a dissected packet into text: the one-line
 * summary, the verbose field tree (-v), the hex dump (-x) and tab-separated
 * fields (-T fields -e …).  A sink only reads the packet record; it never
 * calls back into a dissector.  Each line is built in a reused buffer and
 * written with one fwrite.
 */
#ifndef NS_OUTPUT_H
#define NS_OUTPUT_H

#include <stdio.h>

#include "buf.h"
#include "field.h"
#include "packet.h"

enum ns_out_format { NS_OUT_TEXT, NS_OUT_FIELDS };

struct ns_output {
	FILE *fp;
	int format;  /* enum ns_out_format */
	int verbose; /* -v: field tree under each line */
	int hex;     /* -x: hex and ASCII dump */
	const struct ns_field **efields; /* -e list for NS_OUT_FIELDS */
	unsigned nefields;
	struct ns_buf buf;
};

void ns_output_packet(struct ns_output *o, const struct ns_packet *pkt);
void ns_output_free(struct ns_output *o);

/* Appends the one-line summary of pkt (no newline). */
void ns_format_summary(struct ns_buf *b, const struct ns_packet *pkt);
/* Appends a value as -T fields shows it (tshark's conventions). */
void ns_format_value(struct ns_buf *b, const struct ns_fv *fv);
/* Appends a value as the tree shows it (names of values, hex, units). */
void ns_format_display(struct ns_buf *b, const struct ns_fv *fv);
/* Appends a hex+ASCII dump of the captured bytes, 16 per line. */
void ns_format_hexdump(struct ns_buf *b, const uint8_t *p, uint32_t n);
/* One line of it: k (<= 16) bytes at offset off. */
void ns_format_hexline(struct ns_buf *b, const uint8_t *p, uint32_t k,
		       uint32_t off);

#endif
