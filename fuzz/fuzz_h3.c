/*
 * fuzz_h3 — libFuzzer target for HTTP/3 and QPACK (dissectors/app/http3.c)
 * through the interface quic.c drives (src/proto/h3.h).
 *
 * The input is played as fuzz/h3_script.h says (streams' bytes, losses
 * and resets, each on a packet of its own).  The connection's state must
 * give back every byte of the budget when it is freed.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/dissect.h"
#include "core/engine.h"
#include "core/packet.h"
#include "h3_script.h"
#include "proto/h3.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ns_packet pkt;
static struct ns_engine eng;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ns_registry_init();
	ns_pkt_init(&pkt);
	if (ns_engine_init(&eng, 0) != 0)
		abort();
	return 0;
}

/* Each chunk's packet, numbered on from the last. */
static struct ns_packet *next_packet(void *ctx)
{
	static const uint8_t one[1];
	uint64_t *num = ctx;
	++*num; /* not in the call: arguments are unsequenced */
	ns_pkt_begin(&pkt, *num, (int64_t)*num * 1000, 0, 1, 1, 1, one);
	pkt.eng = &eng;
	return &pkt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t num = 0;
	struct ns_h3 *h = ns_h3_new(next_packet(&num));
	if (!h)
		return 0;
	ns_h3_script(h, data, size, next_packet, &num);
	ns_h3_free(h);
	if (eng.mem.used != 0)
		abort(); /* a leak in the connection's state */
	return 0;
}
