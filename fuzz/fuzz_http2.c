/*
 * fuzz_http2 — libFuzzer target for the HTTP/2, gRPC and protobuf
 * dissectors through their stream operations, as the engine drives them.
 *
 * After the first byte, the input is a series of chunks: a control byte
 * (bit 0 the direction, bit 1 a gap before the chunk, bits 2-6 the length
 * minus one, bit 7 that length times 16) and the chunk's bytes, so frames
 * span chunks.  Each direction's bytes are offered to consume() as the
 * engine offers them: what it leaves is offered again with the next
 * chunk.  The first chunk of direction 0 is preceded by the connection
 * preface when the input's first byte is even, so HPACK and gRPC are
 * reached without the fuzzer having to find the preface.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dissect.h"
#include "core/engine.h"
#include "core/packet.h"
#include "flow/stream.h"

extern struct ns_dissector ns_diss_http2;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ns_packet pkt;
/* its bus (events go nowhere) and its memory budget, uncapped: what the
 * connection takes must all be given back when it is destroyed */
static struct ns_engine eng;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ns_registry_init();
	ns_pkt_init(&pkt);
	return 0;
}

#define PEND_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char magic[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	static uint8_t pend[2][PEND_MAX];
	size_t plen[2] = {0, 0};
	const struct ns_stream_ops *o = ns_diss_http2.stream;
	struct ns_stream st;
	memset(&st, 0, sizeof(st));
	st.app = &ns_diss_http2;
	st.state = calloc(1, o->state_size);
	if (!st.state)
		return 0;
	if (size && !(data[0] & 1)) {
		memcpy(pend[0], magic, 24);
		plen[0] = 24;
	}
	uint64_t num = 0;
	size_t i = size ? 1 : 0;
	while (i < size) {
		uint8_t c = data[i++];
		int dir = c & 1;
		size_t n =
		    (size_t)((c >> 2) & 0x1f) * ((c & 0x80) ? 16 : 1) + 1;
		if (n > size - i)
			n = size - i;
		struct ns_stream_ctx ctx = {&pkt, NULL, &st, dir, &eng};
		num++; /* not in the call: arguments are unsequenced */
		ns_pkt_begin(&pkt, num, (int64_t)num * 1000, 0, 1, 1, 1, data);
		if (c & 2) {
			plen[dir] = 0;
			if (!o->gap(st.state, &ctx, 100))
				break;
		}
		if (plen[dir] + n > PEND_MAX)
			break;
		memcpy(pend[dir] + plen[dir], data + i, n);
		plen[dir] += n;
		i += n;
		size_t used = o->consume(st.state, &ctx, pend[dir], plen[dir]);
		if (used > plen[dir])
			abort();
		memmove(pend[dir], pend[dir] + used, plen[dir] - used);
		plen[dir] -= used;
	}
	/* the connection ends as the engine ends it: fin both ways, end */
	for (int dir = 0; dir < 2; dir++) {
		struct ns_stream_ctx fin = {NULL, NULL, &st, dir, &eng};
		if (o->fin)
			o->fin(st.state, &fin);
	}
	struct ns_stream_ctx end = {NULL, NULL, &st, 0, &eng};
	if (o->end)
		o->end(st.state, &end);
	o->destroy(st.state);
	free(st.state);
	if (eng.mem.used != 0)
		abort(); /* the budget's books do not balance */
	return 0;
}
