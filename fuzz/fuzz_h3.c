/*
 * fuzz_h3 — libFuzzer target for HTTP/3 and QPACK (dissectors/app/http3.c)
 * through the interface quic.c drives (src/proto/h3.h).
 *
 * The input is a series of chunks: a control byte (bits 0-2 pick one of
 * eight stream ids: the two first client requests, both sides' control,
 * QPACK encoder and decoder streams; bit 3 the direction of a request
 * stream's bytes; bit 4 fin; bits 5-6: 0 bytes, 1 the stream's bytes are
 * lost, 2 a RESET_STREAM, 3 bytes; bit 7 a length times 16), a length
 * byte and the chunk's bytes, each chunk on a packet of its own.  The
 * connection's state must give back every byte of the budget when it is
 * freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dissect.h"
#include "core/engine.h"
#include "core/packet.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* requests 0 and 4; client control 2, encoder 6, decoder 10;
	 * server control 3, encoder 7, decoder 11 */
	static const uint64_t ids[8] = {0, 4, 2, 6, 10, 3, 7, 11};
	static const uint8_t one[1];
	uint64_t num = 1;
	ns_pkt_begin(&pkt, num, 1000, 0, 1, 1, 1, one);
	pkt.eng = &eng;
	struct ns_h3 *h = ns_h3_new(&pkt);
	if (!h)
		return 0;
	size_t i = 0;
	while (i + 2 <= size) {
		uint8_t c = data[i];
		size_t n = data[i + 1];
		i += 2;
		if (c & 0x80)
			n *= 16;
		if (n > size - i)
			n = size - i;
		uint64_t id = ids[c & 7];
		int dir = (id & 2) ? (int)(id & 1) : (c >> 3) & 1;
		num++; /* not in the call: arguments are unsequenced */
		ns_pkt_begin(&pkt, num, (int64_t)num * 1000, 0, 1, 1, 1, one);
		pkt.eng = &eng;
		switch ((c >> 5) & 3) {
		case 1:
			ns_h3_stream_lost(h, &pkt, id, dir);
			break;
		case 2:
			ns_h3_stream_reset(h, &pkt, id, dir, 0x10c);
			break;
		default:
			ns_h3_stream(h, &pkt, id, dir, data + i, n,
				     (c >> 4) & 1);
			i += n;
			break;
		}
	}
	ns_h3_free(h);
	if (eng.mem.used != 0)
		abort(); /* a leak in the connection's state */
	return 0;
}
