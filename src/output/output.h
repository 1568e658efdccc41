/*
 * output — the sinks that turn a dissected packet into text: the one-line
 * summary, the verbose field tree (-v), the hex dump (-x), separated
 * fields (-T fields -e …, with tshark's -E options) and JSON / NDJSON
 * (-T json, -T ndjson; src/output/json.c).  A sink only reads the packet
 * record; it never calls back into a dissector.  Packets' output is built
 * in a reused buffer and written with one fwrite once it holds
 * NS_OUTPUT_BATCH bytes (each packet's, with `each`: -l), so memory does
 * not grow with the number of packets.
 *
 * A run calls ns_output_packet() for each packet it prints (a display
 * filter decides which), ns_output_flush() before it flushes fp (a live
 * batch's end), and ns_output_finish() once at the end, which writes what
 * a stream needs even when no packet was printed or the run was cut short
 * (-c, a signal): the -E header, JSON's closing bracket.
 */
#ifndef NS_OUTPUT_H
#define NS_OUTPUT_H

#include <stdio.h>

#include "core/buf.h"
#include "core/field.h"
#include "output/format.h"
#include "output/json.h"
#include "core/packet.h"

enum ns_out_format { NS_OUT_TEXT, NS_OUT_FIELDS, NS_OUT_JSON, NS_OUT_NDJSON };

/*
 * -E options of -T fields, as tshark 4.0 reads them.  Zero is the
 * default for each, so a zeroed struct is tshark's default output: no
 * header, tab between fields, all occurrences joined by ',', no quotes.
 */
struct ns_fields_opts {
	char bom;	 /* 1: a UTF-8 byte order mark first */
	char header;	 /* 1: a first line with the -e names */
	char separator;	 /* between fields; 0: tab */
	char occurrence; /* 'f' first, 'l' last, 'a' or 0 all */
	char aggregator; /* between occurrences; 0: ',' */
	char quote;	 /* around non-empty fields: '"', '\'', 0 none */
};

/* Applies one -E option, "name=value", as tshark 4.0 does (only the
 * value's first character counts, "header=yes" is "header=y").  Returns
 * 0, or -1 with the reason in err (an unknown name, a bad value). */
int ns_fields_opts_set(struct ns_fields_opts *e, const char *opt, char *err,
		       size_t errlen);

struct ns_output {
	FILE *fp;
	int format;  /* enum ns_out_format */
	int verbose; /* -v: field tree under each line */
	int hex;     /* -x: hex and ASCII dump; "raw" in JSON */
	int ascii;   /* -A: the packet past its link header as text */
	int tfmt;    /* enum ns_time_fmt: the time column (-t) */
	int color;   /* summary lines coloured by protocol (ANSI) */
	int each;    /* each packet's output written at once (-l) */
	const struct ns_field **efields; /* -e list for NS_OUT_FIELDS */
	unsigned nefields;
	struct ns_fields_opts eopt; /* -E */
	struct ns_buf buf;	    /* output not yet written */
	/* state */
	int started;	    /* the stream's preamble was written */
	uint64_t npackets;  /* packets written */
	int64_t prev_shown; /* the previous packet written's time */
	struct ns_json json;
	struct ns_buf tmp; /* one value, when -E quote must escape it */
};

/* Bytes of output gathered before a write: a fwrite a line cost about
 * 145 instructions, as much as formatting the line's numbers; 4 KiB
 * stays in the first-level cache. */
#define NS_OUTPUT_BATCH (1u << 12)

void ns_output_packet(struct ns_output *o, const struct ns_packet *pkt);
/* Writes what is gathered to fp (without flushing fp). */
void ns_output_flush(struct ns_output *o);
/* Ends the stream (see above); call once, after the last packet. */
void ns_output_finish(struct ns_output *o);
void ns_output_free(struct ns_output *o);

#endif
