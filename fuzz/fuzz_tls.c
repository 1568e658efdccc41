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
 * record that the text and verbose sinks then render.  The TLS events
 * (hello, handshake, end) go to a subscriber that reads what they carry.
 * At the end the connection ends (NS_EV_TLS_END) and the state is
 * destroyed, so LeakSanitizer sees every allocation of a connection's
 * life.
 *
 * Decryption: an input that starts with "KEYS" carries a key log first
 * (a 2-byte big-endian length, then that many bytes of NSS key log text,
 * parsed line by line as --tls-keylog parses a file) and the deliveries
 * after it; the connection is then dissected with those secrets, so the
 * key log parser, the key schedule, record decryption (and its failures)
 * and the protocols inside decrypted records are reached.  Inputs without
 * the prefix are read as before.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "core/keylog.h"
#include "core/mem.h"
#include "core/txn.h"
#include "output/output.h"
#include "core/packet.h"
#include "flow/stream.h"

extern struct ns_dissector ns_diss_tls;

static struct ns_packet pkt;
static struct ns_output out;
static struct ns_engine eng; /* its bus only */
static size_t told;

/* Reads what a TLS event carries, as a report would. */
static void on_tls(void *arg, const struct ns_event *ev)
{
	(void)arg;
	told += strlen(ev->u.tls->sni) + strlen(ev->u.tls->alpn) +
		strlen(ev->u.tls->offered_alpn) + strlen(ev->u.tls->ja4);
}

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
	ns_bus_subscribe(&eng.bus,
			 NS_EV_BIT(NS_EV_TLS_HELLO) |
			     NS_EV_BIT(NS_EV_TLS_HANDSHAKE) |
			     NS_EV_BIT(NS_EV_TLS_END),
			 on_tls, NULL);
	return 0;
}

/* The "KEYS" prefix: its key log into kl (and the engine); returns the
 * bytes it took. */
static size_t keys(struct ns_keylog *kl, const uint8_t *data, size_t size)
{
	if (size < 6 || memcmp(data, "KEYS", 4) != 0)
		return 0;
	size_t n = (size_t)data[4] << 8 | data[5];
	if (n > size - 6)
		n = size - 6;
	const char *s = (const char *)data + 6;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '\n')
			continue;
		const char *why;
		ns_keylog_line(kl, s + start, i - start, &why);
		start = i + 1;
	}
	ns_keylog_sort(kl);
	eng.keylog = kl;
	return 6 + n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ns_stream_ops *ops = ns_diss_tls.stream;
	struct ns_mem mem = {.cap = 1 << 20};
	struct ns_keylog kl;
	ns_keylog_init(&kl, &mem);
	eng.keylog = NULL;
	size_t i = keys(&kl, data, size);
	struct ns_stream st;
	memset(&st, 0, sizeof(st));
	st.app = &ns_diss_tls;
	st.state = calloc(1, ops->state_size);
	uint8_t *pend[2] = {malloc(PENDING_MAX), malloc(PENDING_MAX)};
	size_t plen[2] = {0, 0};
	uint64_t num = 0;
	if (!st.state || !pend[0] || !pend[1])
		goto done;
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
		num++; /* (not in the call: its arguments are unsequenced) */
		ns_pkt_begin(&pkt, num, (int64_t)num * 1000,
			     (int64_t)num * 1000, sizeof(frame), sizeof(frame),
			     1, frame);
		pkt.ts_digits = 6;
		ns_dissect(&pkt);
		struct ns_stream_ctx ctx = {&pkt, NULL, &st, dir, &eng};
		size_t used =
		    ops->consume(st.state, &ctx, pend[dir], plen[dir]);
		if (used > plen[dir])
			abort(); /* consume() must not claim more than it got */
		memmove(pend[dir], pend[dir] + used, plen[dir] - used);
		plen[dir] -= used;
		ns_output_packet(&out, &pkt);
	}
	struct ns_stream_ctx fin = {NULL, NULL, &st, 0, &eng};
	ops->end(st.state, &fin);
done:
	if (st.state)
		ops->destroy(st.state);
	free(st.state);
	free(pend[0]);
	free(pend[1]);
	eng.keylog = NULL;
	ns_keylog_free(&kl);
	return 0;
}
