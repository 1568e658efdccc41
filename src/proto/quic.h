/*
 * quic — what of QUIC (dissectors/app/quic.c) other code and the unit
 * tests use.
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

#endif
