/*
 * fuzz_packet — libFuzzer target for everything netscope does with packet
 * bytes: link layer to the top dissector, connection tracking, stream
 * reassembly and the application dissectors bound to streams, then every
 * text sink `netscope read -v -x` runs (summary line, verbose field tree,
 * hex dump), the `-T fields` sink with every field the packet has as an
 * -e column (quoted), and the `-T ndjson -x` sink.
 *
 * Input layout (what fuzz/make-seeds.py writes):
 *
 *   byte 0      bits 0-2  wire length: 0 = whole packet captured (len ==
 *                         caplen); 1..6 = len is caplen + 4^k, so the
 *                         capture looks cut by a snap length and the
 *                         truncated path runs; 7 = len < caplen (a lying
 *                         pcap header, which libpcap passes through)
 *               bit 3     nanosecond timestamps and a negative relative
 *                         time (a capture whose clock went backwards)
 *               bits 4-5  kind: 0 = one packet, 1 = a TCP connection,
 *                         2 = a UDP flow, 3 = several packets
 *   kind 0/3:
 *     bytes 1-2   link type, little-endian: one netscope binds, or else
 *                 the (value mod n)th of the n it binds, so every link
 *                 layer is reachable
 *     bytes 3..   kind 0: the captured bytes; kind 3: packets, each
 *                 [2-byte big-endian length][bytes], dissected one after
 *                 the other by one engine, so state across packets
 *                 (IP fragment reassembly, flows) is reached with
 *                 whatever headers the fuzzer writes
 *   kind 1/2:
 *     bytes 1-2   server port, little-endian (port-bound dissectors; any
 *                 other port leaves the choice to the heuristics)
 *     bytes 3..   segments: [ctl][len][len bytes of payload]...
 *                 ctl bit 7  len is two bytes (big-endian), not one
 *                     bit 0  direction: 0 client→server, 1 back
 *                     bit 1  a gap: the sender's sequence skips len+1
 *                            bytes first (a segment not captured)
 *                     bit 2  send the segment twice (retransmission)
 *                     bit 3  FIN after it
 *                     bit 4  RST instead of data
 *     Each segment becomes an Ethernet/IPv4 packet; a TCP connection
 *     begins with a three-way handshake.
 *
 * The record and the output are set up once and reused for every input, as
 * the real program does, so LeakSanitizer sees steady-state behaviour: any
 * growth that is not reachable from them is a leak in the product.  Each
 * input gets its own engine (flow table, reassembly; -z follow of the
 * first stream for connections), ended and freed at the end of the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "core/field.h"
#include "reports/report.h"
#include "output/output.h"
#include "core/packet.h"

/* the link types some dissector binds, from the registry */
static uint32_t *link_types;
static unsigned nlink;

static struct ns_packet pkt;
static struct ns_output out;	    /* -v -x */
static struct ns_output out_fields; /* -T fields -e <its fields> */
static struct ns_output out_json;   /* -T ndjson -x */
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
	out_fields.eopt.quote = '"'; /* the quote-escaping path too */
	out_fields.eopt.occurrence = 'a';
	out_json.fp = out.fp;
	out_json.format = NS_OUT_NDJSON;
	out_json.hex = 1;

	for (unsigned i = 0; i < ns_ndissectors; i++)
		for (const struct ns_binding *b = ns_dissectors[i]->bindings;
		     b && b->table; b++)
			if (b->table == NS_TAB_LINKTYPE)
				nlink++;
	link_types = calloc(nlink ? nlink : 1, sizeof(*link_types));
	if (!link_types || !nlink)
		abort();
	nlink = 0;
	for (unsigned i = 0; i < ns_ndissectors; i++)
		for (const struct ns_binding *b = ns_dissectors[i]->bindings;
		     b && b->table; b++)
			if (b->table == NS_TAB_LINKTYPE)
				link_types[nlink++] = b->key;
	return 0;
}

/* Dissects one packet and runs every sink over it. */
static void one_packet(const uint8_t *bytes, uint32_t caplen, unsigned mode,
		       int nano, int linktype, struct ns_engine *eng,
		       int64_t step)
{
	uint32_t len = caplen;
	if (mode >= 1 && mode <= 6)
		len = caplen + (1u << (2 * mode));
	else if (mode == 7)
		len = caplen / 2;

	int64_t ts = (int64_t)1700000000 * 1000000000 + 123456789;
	int64_t rel = nano ? -1500000001 : 1234567000;
	if (!nano)
		ts -= ts % 1000; /* microsecond source */
	ts += step;
	rel += step;

	ns_pkt_begin(&pkt, ++frame, ts, rel, caplen, len, linktype, bytes);
	pkt.ts_digits = nano ? 9 : 6;
	pkt.eng = eng;
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

	/* netscope read -T ndjson -x */
	ns_output_packet(&out_json, &pkt);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

#define HDR_ETH 14
#define HDR_IP	20
#define HDR_TCP 20

/* One flow's endpoints and next sequence numbers (TCP). */
struct conn {
	int udp;
	uint16_t port[2]; /* client, server */
	uint32_t seq[2];
	uint8_t *frame; /* HDR_ETH + HDR_IP + HDR_TCP + 65535 */
};

/* Builds and dissects one Ethernet/IPv4 packet of the flow. */
static void emit(struct conn *c, int dir, uint8_t tcpflags, const uint8_t *p,
		 uint32_t n, unsigned mode, int nano, struct ns_engine *eng,
		 int64_t step)
{
	static const uint8_t mac[2][6] = {{2, 0, 0, 0, 0, 1},
					  {2, 0, 0, 0, 0, 2}};
	uint8_t *f = c->frame;
	uint32_t thl = c->udp ? 8 : HDR_TCP;
	memcpy(f, mac[!dir], 6);
	memcpy(f + 6, mac[dir], 6);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + HDR_ETH;
	memset(ip, 0, HDR_IP);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)(HDR_IP + thl + n) & 0xffff);
	ip[8] = 64;
	ip[9] = c->udp ? 17 : 6;
	uint8_t a[2][4] = {{10, 0, 0, 1}, {10, 0, 0, 2}};
	memcpy(ip + 12, a[dir], 4);
	memcpy(ip + 16, a[!dir], 4);
	uint8_t *t = ip + HDR_IP;
	put16(t, c->port[dir]);
	put16(t + 2, c->port[!dir]);
	if (c->udp) {
		put16(t + 4, (8 + n) & 0xffff);
		put16(t + 6, 0);
	} else {
		put32(t + 4, c->seq[dir]);
		put32(t + 8, c->seq[!dir]);
		t[12] = 5 << 4;
		t[13] = tcpflags;
		put16(t + 14, 65535);
		put32(t + 16, 0);
	}
	if (n)
		memcpy(t + thl, p, n);
	one_packet(f, HDR_ETH + HDR_IP + thl + n, mode, nano, 1, eng, step);
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* Kind 3: [2-byte length][bytes]... as packets of one engine, each in a
 * buffer of its own (ASan's redzone right after it). */
static void several(const uint8_t *data, uint32_t size, unsigned mode, int nano,
		    int linktype, struct ns_engine *eng)
{
	int64_t step = 0;
	while (size >= 2) {
		uint32_t n = (uint32_t)(data[0] << 8 | data[1]);
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		uint8_t *b = malloc(n ? n : 1);
		if (!b)
			return;
		memcpy(b, data, n);
		one_packet(b, n, mode, nano, linktype, eng, step);
		step += 250000000; /* 0.25 s: timeouts come within reach */
		free(b);
		data += n;
		size -= n;
	}
}

/* A TCP connection or UDP flow made of the segments in data[0..size). */
static void one_flow(const uint8_t *data, size_t size, int udp, unsigned mode,
		     int nano)
{
	if (size < 2)
		return;
	struct ns_engine eng;
	if (ns_engine_init(&eng, 16) < 0)
		return;
	/* every report, as --calls --conversations -z follow,tcp,hex,0 */
	void *rep[8] = {0};
	for (unsigned i = 0; i < ns_nreports && i < 8; i++) {
		const struct ns_report *r = ns_reports[i];
		char err[128];
		const char *arg = strcmp(r->name, "follow") == 0 ? "tcp,hex,0"
				  : strcmp(r->name, "conv") == 0 ? "tcp"
								 : "";
		rep[i] = r->start(&eng, arg, err, sizeof(err));
	}
	struct conn c = {.udp = udp};
	c.port[1] = (uint16_t)(data[0] | data[1] << 8);
	c.port[0] = 40000;
	c.seq[0] = 0xfffff000u; /* wraps within the first 4 KiB */
	c.seq[1] = 1000;
	c.frame = malloc(HDR_ETH + HDR_IP + HDR_TCP + 65535);
	if (!c.frame)
		goto out;
	data += 2;
	size -= 2;
	int64_t step = 0;
	if (!udp) {
		emit(&c, 0, TH_SYN, NULL, 0, 0, nano, &eng, step += 1000);
		c.seq[0]++;
		emit(&c, 1, TH_SYN | TH_ACK, NULL, 0, 0, nano, &eng,
		     step += 1000);
		c.seq[1]++;
		emit(&c, 0, TH_ACK, NULL, 0, 0, nano, &eng, step += 1000);
	}
	while (size >= 2) {
		uint8_t ctl = data[0];
		uint32_t n = data[1];
		if (ctl & 0x80) { /* a long segment: two length bytes */
			if (size < 3)
				break;
			n = (uint32_t)data[1] << 8 | data[2];
			data++;
			size--;
		}
		data += 2;
		size -= 2;
		if (n > size)
			n = (uint32_t)size;
		int dir = ctl & 1;
		if (ctl & 2)
			c.seq[dir] += n + 1;
		uint8_t fl = ctl & 0x10 ? TH_RST | TH_ACK : TH_PSH | TH_ACK;
		const uint8_t *p = ctl & 0x10 ? NULL : data;
		uint32_t pn = ctl & 0x10 ? 0 : n;
		emit(&c, dir, fl, p, pn, mode, nano, &eng, step += 1000);
		if (ctl & 4)
			emit(&c, dir, fl, p, pn, mode, nano, &eng,
			     step += 1000);
		c.seq[dir] += pn;
		if (ctl & 8) {
			emit(&c, dir, TH_FIN | TH_ACK, NULL, 0, 0, nano, &eng,
			     step += 1000);
			c.seq[dir]++;
		}
		data += n;
		size -= n;
	}
out:
	free(c.frame);
	ns_engine_finish(&eng);
	for (unsigned i = 0; i < ns_nreports && i < 8; i++)
		if (rep[i])
			ns_reports[i]->finish(rep[i], out.fp, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3 || size - 3 > 0x7fffffff)
		return 0;
	uint8_t sel = data[0];
	unsigned mode = sel & 7;
	int nano = (sel >> 3) & 1;
	unsigned kind = (sel >> 4) & 3;
	if (kind == 1 || kind == 2) {
		one_flow(data + 1, size - 1, kind == 2, mode, nano);
		return 0;
	}

	uint32_t lt = (uint32_t)(data[1] | data[2] << 8);
	unsigned k;
	for (k = 0; k < nlink && link_types[k] != lt; k++)
		;
	int linktype = (int)link_types[k < nlink ? k : lt % nlink];

	/* a private copy, so a read past caplen hits ASan's redzone instead
	 * of the rest of libFuzzer's buffer */
	uint32_t caplen = (uint32_t)(size - 3);
	uint8_t *bytes = malloc(caplen ? caplen : 1);
	if (!bytes)
		return 0;
	memcpy(bytes, data + 3, caplen);
	struct ns_engine eng;
	if (ns_engine_init(&eng, 16) == 0) {
		if (kind == 3)
			several(bytes, caplen, mode, nano, linktype, &eng);
		else
			one_packet(bytes, caplen, mode, nano, linktype, &eng,
				   0);
		ns_engine_finish(&eng);
	}
	free(bytes);
	return 0;
}
