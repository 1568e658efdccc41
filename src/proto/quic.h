/*
 * quic — what of QUIC other code and the unit tests use: the Initial keys
 * (dissectors/app/quic.c) and the keys of the later levels
 * (src/proto/quickeys.c).
 */
#ifndef NS_QUIC_H
#define NS_QUIC_H

#include <stddef.h>
#include <stdint.h>

#include "proto/tls_crypt.h"

/* The Initial packet keys of one side (RFC 9001 §5.2; RFC 9369 §3.3.1 for
 * version 2) from the client's first Destination Connection ID: the
 * AEAD key and IV in k (AES-128-GCM), the header protection key in hp.
 * 0, or -1 for a version netscope does not know. */
int ns_quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dlen,
			 int server, struct ns_tls_keys *k, uint8_t hp[16]);

/* One direction's packet protection at one encryption level: the AEAD
 * key and IV (and, for key updates, the traffic secret) in k, the header
 * protection key in hp (as long as the suite's key). */
struct ns_quic_keys {
	struct ns_tls_keys k;
	uint8_t hp[32];
	uint8_t v2; /* RFC 9369's labels */
};

/* RFC 9001 §5.1: the keys of TLS 1.3 suite s from a traffic secret (a key
 * log's CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_TRAFFIC_SECRET_0, ...).
 * 0, or -1 (not a TLS 1.3 suite, libcrypto failed). */
int ns_quic_keys(struct ns_quic_keys *q, const struct ns_tls_suite *s,
		 const uint8_t *secret, size_t slen, int v2);

/* RFC 9001 §6.1: the next key phase's keys ("quic ku"); the header
 * protection key does not change.  0, or -1. */
int ns_quic_key_update(const struct ns_quic_keys *cur,
		       struct ns_quic_keys *next);

/* RFC 9001 §5.4: the header protection mask (its first 5 bytes) of a
 * 16-byte sample: AES-ECB for the AES suites, ChaCha20 for
 * ChaCha20-Poly1305.  0, or -1. */
int ns_quic_hp_mask(const struct ns_quic_keys *q, const uint8_t sample[16],
		    uint8_t mask[5]);

/* RFC 9000 §A.3: the full packet number of a truncated one nbytes long,
 * given the largest received in its number space (none yet: have_largest
 * 0). */
uint64_t ns_quic_pn_decode(uint64_t largest, int have_largest,
			   uint64_t truncated, unsigned nbytes);

#endif
