/*
 * fuzz_packet — libFuzzer target for the whole per-packet path: link layer
 * to the top dissector, then every text sink `netscope read -v -x` runs
 * (summary line, verbose field tree, hex dump), then the `-T fields` sink
 * with every field the packet has as an -e column.
 *
 * Input layout (what fuzz/make-seeds.py writes):
 *
 *   byte 0      selector
 *                 bits 0-3  link type: index (mod 9) into link_types[]
 *                 bits 4-6  wire length: 0 = whole packet captured
 *                           (len == caplen); 1..6 = len is caplen + 4^k, so
 *                           the capture looks cut by a snap length and the
 *                           truncated path runs; 7 = len < caplen (a lying
 *                           pcap header, which libpcap passes through)
 *                 bit 7     nanosecond timestamps and a negative relative
 *                           time (a capture whose clock went backwards)
 *   bytes 1..   the captured bytes (caplen = size - 1)
 *
 * The record and the output are set up once and reused for every input, as
 * the real program does, so LeakSanitizer sees steady-state behaviour: any
 * growth that is not reachable from them is a leak in the product.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dissect.h"
#include "field.h"
#include "output.h"
#include "packet.h"

static const int link_types[] = {
	1,   /* EN10MB */
	0,   /* NULL */
	108, /* LOOP */
	12,  /* RAW */
	101, /* RAW (as stored in files) */
	228, /* IPV4 */
	229, /* IPV6 */
	113, /* LINUX_SLL */
	276, /* LINUX_SLL2 */
};
#define NLINK (sizeof(link_types) / sizeof(link_types[0]))

static struct ns_packet pkt;
static struct ns_output out;        /* -v -x */
static struct ns_output out_fields; /* -T fields -e <its fields> */
static const struct ns_field **efields;
static uint8_t *efield_seen; /* by field id */
static uint64_t frame;

/* -T fields costs columns x values: a few dozen columns cover every field
 * type without slowing the fuzzer on packets with thousands of values */
#define FIELDS_SINK_MAX_COLUMNS 48

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ns_registry_init();
	ns_pkt_init(&pkt);
	memset(&out, 0, sizeof(out));
	/* the sinks format into out.buf and end with one fwrite: sending it
	 * to /dev/null keeps every formatting step and the fuzzer fast */
	out.fp = fopen("/dev/null", "w");
	if (!out.fp) {
		perror("fuzz_packet: /dev/null");
		abort();
	}
	out.format = NS_OUT_TEXT;
	out.verbose = 1;
	out.hex = 1;

	uint32_t n = ns_field_count();
	efields = calloc(FIELDS_SINK_MAX_COLUMNS, sizeof(*efields));
	efield_seen = calloc(n ? n : 1, 1);
	if (!efields || !efield_seen)
		abort();
	out_fields.fp = out.fp;
	out_fields.format = NS_OUT_FIELDS;
	out_fields.efields = efields;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size - 1 > 0x7fffffff)
		return 0;
	uint8_t sel = data[0];
	int linktype = link_types[(sel & 0x0f) % NLINK];
	unsigned mode = (sel >> 4) & 7;
	int nano = sel >> 7;

	/* a private copy, so a read past caplen hits ASan's redzone instead
	 * of the rest of libFuzzer's buffer */
	uint32_t caplen = (uint32_t)(size - 1);
	uint8_t *bytes = malloc(caplen ? caplen : 1);
	if (!bytes)
		return 0;
	memcpy(bytes, data + 1, caplen);

	uint32_t len = caplen;
	if (mode >= 1 && mode <= 6)
		len = caplen + (1u << (2 * mode));
	else if (mode == 7)
		len = caplen / 2;

	int64_t ts = (int64_t)1700000000 * 1000000000 + 123456789;
	int64_t rel = nano ? -1500000001 : 1234567000;
	if (!nano)
		ts -= ts % 1000; /* microsecond source */

	ns_pkt_begin(&pkt, ++frame, ts, rel, caplen, len, linktype, bytes);
	pkt.ts_digits = nano ? 9 : 6;
	ns_dissect(&pkt);

	/* netscope read -v -x */
	ns_output_packet(&out, &pkt);

	/* netscope read -T fields -e <each distinct field of the packet> */
	unsigned ne = 0;
	for (uint32_t i = 0; i < pkt.nfv && ne < FIELDS_SINK_MAX_COLUMNS; i++) {
		const struct ns_field *f = pkt.fv[i].f;
		if (!efield_seen[f->id]) {
			efield_seen[f->id] = 1;
			efields[ne++] = f;
		}
	}
	for (unsigned k = 0; k < ne; k++)
		efield_seen[efields[k]->id] = 0;
	out_fields.nefields = ne;
	ns_output_packet(&out_fields, &pkt);

	free(bytes);
	return 0;
}
