/*
 * fuzz_dfilter — libFuzzer target for the display filter
 * (src/filter/dfilter.c): the one parser of user input that is not a dissector.
 *
 * Input: the filter text (a NUL ends it early).  It is compiled; an
 * error must carry a column inside the text (or just past it) and a
 * message.  A filter that compiles is explained and evaluated against
 * two real-shaped packets (IPv4 TCP with an HTTP request, IPv6 UDP DNS
 * query), so the evaluator's slices, regexes, scratch vectors and
 * address prefixes all run, then freed (LeakSanitizer checks the lot).
 * Use fuzz/dfilter.dict for the tokens.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "filter/dfilter.h"
#include "core/dissect.h"
#include "core/packet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* eth / IPv4 192.0.2.1:33333 -> 198.51.100.2:80 PSH+ACK "GET / HTTP/1.1" */
static const uint8_t tcp4[] = {
    0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x40, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06,
    0x00, 0x00, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x82, 0x35,
    0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0, 0x50, 0x18,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 'G',  'E',  'T',  ' ',	'/',  ' ',
    'H',  'T',	'T',  'P',  '/',  '1',	'.',  '1',  '\r', '\n', '\r', '\n'};
/* eth / IPv6 2001:db8::1:5353 -> 2001:db8::2:53 DNS query A a.example */
static const uint8_t udp6[] = {
    0x00, 0x00, 0x5e, 0x00, 0x53, 0x02, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01,
    0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x25, 0x11, 0x40, 0x20, 0x01,
    0x0d, 0xb8, 0,    0,    0,	  0,	0,    0,    0,	  0,	0,    0,
    0,	  1,	0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,	  0,	0,    0,
    0,	  0,	0,    0,    0,	  2,	0x14, 0xe9, 0x00, 0x35, 0x00, 0x25,
    0x00, 0x00, 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 'a',  0x07, 'e',	'x',  'a',  'm',  'p',	'l',  'e',
    0x00, 0x00, 0x01, 0x00, 0x01};

static struct ns_packet pkts[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ns_registry_init();
	return 0;
}

static void dissect(struct ns_packet *pkt, const uint8_t *p, uint32_t n)
{
	ns_pkt_begin(pkt, 1, 0, 0, n, n, 1, p);
	ns_dissect(pkt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *expr = malloc(size + 1);
	if (!expr)
		return 0;
	memcpy(expr, data, size);
	expr[size] = '\0';
	size_t len = strlen(expr);
	struct ns_dfilter_error e;
	struct ns_dfilter *df = ns_dfilter_compile(expr, &e);
	if (!df) {
		if (!e.msg[0] || e.col > len + 1)
			abort(); /* an error must say what and where */
		free(expr);
		return 0;
	}
	struct ns_buf b = {0};
	ns_dfilter_explain(df, &b);
	ns_buf_free(&b);
	dissect(&pkts[0], tcp4, sizeof(tcp4));
	dissect(&pkts[1], udp6, sizeof(udp6));
	for (int i = 0; i < 2; i++)
		ns_dfilter_match(df, &pkts[i]);
	(void)ns_dfilter_frame_only(df);
	ns_dfilter_free(df);
	ns_pkt_free(&pkts[0]);
	ns_pkt_free(&pkts[1]);
	ns_pkt_init(&pkts[0]);
	ns_pkt_init(&pkts[1]);
	free(expr);
	return 0;
}
