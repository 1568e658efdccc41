/*
 * h3_script — the input of fuzz/fuzz_h3.c: what the fuzzer plays on an
 * HTTP/3 connection, and what test_h3 replays of its findings.
 *
 * A series of chunks: a control byte (bits 0-2 pick one of eight stream
 * ids: the two first client requests, both sides' control, QPACK encoder
 * and decoder streams; bit 3 the direction of a request stream's bytes;
 * bit 4 fin; bits 5-6: 0 bytes, 1 the stream's bytes are lost, 2 a
 * RESET_STREAM, 3 bytes; bit 7 a length times 16), a length byte and the
 * chunk's bytes (cut at the input's end), each chunk on a packet of its
 * own.
 */
#ifndef NS_H3_SCRIPT_H
#define NS_H3_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "core/packet.h"
#include "proto/h3.h"

/* Plays d[0..size) on h; next(ctx) gives each chunk's packet. */
static inline void ns_h3_script(struct ns_h3 *h, const uint8_t *d, size_t size,
				struct ns_packet *(*next)(void *ctx), void *ctx)
{
	/* requests 0 and 4; client control 2, encoder 6, decoder 10;
	 * server control 3, encoder 7, decoder 11 */
	static const uint64_t ids[8] = {0, 4, 2, 6, 10, 3, 7, 11};
	size_t i = 0;
	while (i + 2 <= size) {
		uint8_t c = d[i];
		size_t n = d[i + 1];
		i += 2;
		if (c & 0x80)
			n *= 16;
		if (n > size - i)
			n = size - i;
		uint64_t id = ids[c & 7];
		int dir = (id & 2) ? (int)(id & 1) : (c >> 3) & 1;
		struct ns_packet *pkt = next(ctx);
		switch ((c >> 5) & 3) {
		case 1:
			ns_h3_stream_lost(h, pkt, id, dir);
			break;
		case 2:
			ns_h3_stream_reset(h, pkt, id, dir, 0x10c);
			break;
		default:
			ns_h3_stream(h, pkt, id, dir, d + i, n, (c >> 4) & 1);
			i += n;
			break;
		}
	}
}

#endif
