/*
 * fuzz_tls — libFuzzer target for the TLS stream dissector with its
 * connection state: what fuzz_packet cannot reach, since it dissects
 * packets one at a time without flows.
 *
 * Input: a sequence of deliveries.  Each starts with a control byte: bit 7
 * the direction (client/server), bits 0-6 the chunk length (0 = 128); the
 * chunk's bytes follow.  Chunks are appended to that direction's pending
 * bytes and offered to consume() as the stream layer does (the unconsumed
 * tail is offered again with the next chunk), each on a fresh packet
 * record that the text and verbose sinks then render.  At the end the
 * --conversations summary is formatted and the state destroyed, so
 * LeakSanitizer sees every allocation of a connection's life.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/dissect.h"
#include "output/output.h"
#include "core/packet.h"
#include "flow/stream.h"

extern struct ns_dissector ns_diss_tls;

static struct ns_packet pkt;
static struct ns_output out;

/* an Ethernet frame of a type nothing binds, to carry the TLS layers */
static const uint8_t frame[14] = {2, 0, 0, 0, 0, 2,    2,
				  0, 0, 0, 0, 1, 0x88, 0xb5};

#define PENDING_MAX (64 * 1024)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ns_registry_init();
	ns_pkt_init(&pkt);
	memset(&out, 0, sizeof(out));
	out.fp = fopen("/dev/null", "w");
	if (!out.fp)
		abort();
	out.format = NS_OUT_TEXT;
	out.verbose = 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ns_stream_ops *ops = ns_diss_tls.stream;
	struct ns_stream st;
	memset(&st, 0, sizeof(st));
	st.app = &ns_diss_tls;
	st.state = calloc(1, ops->state_size);
	uint8_t *pend[2] = {malloc(PENDING_MAX), malloc(PENDING_MAX)};
	size_t plen[2] = {0, 0};
	uint64_t num = 0;
	if (!st.state || !pend[0] || !pend[1])
		goto done;
	size_t i = 0;
	while (i < size) {
		int dir = data[i] >> 7;
		size_t n = data[i] & 0x7f ? data[i] & 0x7f : 128;
		i++;
		if (n > size - i)
			n = size - i;
		if (plen[dir] + n > PENDING_MAX)
			break;
		memcpy(pend[dir] + plen[dir], data + i, n);
		plen[dir] += n;
		i += n;
		num++; /* not in the call: arguments are unsequenced */
		ns_pkt_begin(&pkt, num, (int64_t)num * 1000,
			     (int64_t)num * 1000, sizeof(frame), sizeof(frame),
			     1, frame);
		pkt.ts_digits = 6;
		ns_dissect(&pkt);
		struct ns_stream_ctx ctx = {&pkt, NULL, &st, dir};
		size_t used =
		    ops->consume(st.state, &ctx, pend[dir], plen[dir]);
		if (used > plen[dir])
			abort(); /* consume() must not claim more than it got */
		memmove(pend[dir], pend[dir] + used, plen[dir] - used);
		plen[dir] -= used;
		ns_output_packet(&out, &pkt);
	}
	struct ns_buf b = {0};
	ops->summary(st.state, &b);
	ns_buf_free(&b);
done:
	if (st.state)
		ops->destroy(st.state);
	free(st.state);
	free(pend[0]);
	free(pend[1]);
	return 0;
}
