/*
 * tls_hs — the TLS handshake-message parser (RFC 8446 §4, RFC 5246 §7.4)
 * over a buffer, for whatever carries handshake messages: TLS records in
 * the clear (dissectors/app/tls.c), and, as later work, TLS 1.3 messages
 * decrypted from records and QUIC CRYPTO frames (RFC 9001 §4), which carry
 * handshake messages with no record layer.
 *
 * ns_tls_hs_parse() takes the complete messages at the front of a buffer
 * and records, for each, the tls.handshake.* fields (type, length, hello
 * contents and extensions, JA3/JA3S/JA4, certificates, key exchange
 * parameters, Finished) into the packet's current layer at the current
 * tree depth, exactly as the record path shows them.  Given the
 * connection's struct ns_tls_info (core/txn.h) it keeps it current from
 * the hellos and reads from it what the message formats depend on (the
 * version and suite the ServerHello chose); without it, it parses each
 * buffer on its own.
 *
 * Reassembly is the caller's: the parser stops before a message that is
 * not complete in the buffer and says how far it got; the caller keeps
 * the rest and offers it again joined to what follows (the next handshake
 * record, the next CRYPTO frame at that offset), capping what it keeps.
 *
 * The header lives under src/ (the include root) so that any dissector,
 * QUIC's included, can include "proto/tls_hs.h"; the code is in
 * dissectors/app/tls_hs.c because the fields it records are ns_diss_tls's.
 * No state is kept between calls but what the caller passes in.
 */
#ifndef NS_TLS_HS_H
#define NS_TLS_HS_H

#include <stddef.h>
#include <stdint.h>

struct ns_packet;
struct ns_reader;
struct ns_tls_info;

/* One call's parameters and outcome. */
struct ns_tls_hs {
	struct ns_packet *pkt; /* fields go into its current layer */
	/* the connection's, updated by ClientHello and ServerHello; NULL:
	 * no connection (nothing is remembered, and messages whose format
	 * depends on the negotiated version are parsed as TLS 1.2's) */
	struct ns_tls_info *info;
	int64_t ts; /* capture time of the buffer (a first ClientHello's) */
	/* optional, with info: called after a hello updated *info (the
	 * record path publishes NS_EV_TLS_HELLO from it) */
	void (*on_hello)(void *arg);
	void *arg;
	/* out: the first thing found malformed, or NULL; the caller marks
	 * the layer (ns_malformed) */
	const char *bad;
	int quic;    /* carried by QUIC CRYPTO frames: JA4's transport is 'q' */
	size_t used; /* out (ns_tls_crypto_layer): bytes of whole messages */
};

/*
 * Parses the complete handshake messages at the front of r (each a 4-byte
 * header, type and 24-bit length, then its body), advancing r past them;
 * stops at the first message r does not hold whole (fewer than 4 bytes, or
 * a length past the end).  Returns the bytes consumed: the caller keeps
 * ns_rd_left(r) bytes, the start of a message split across buffers, and
 * reassembles it.  A message whose content is malformed is consumed, with
 * hs->bad set and the fields before the problem kept.
 */
size_t ns_tls_hs_parse(struct ns_tls_hs *hs, struct ns_reader *r);

/*
 * A "tls" layer of its own over handshake bytes that came without a
 * record layer (QUIC's CRYPTO data, RFC 9001 §4): buf[0..n) must stay
 * valid as long as the packet (the arena).  The complete messages at its
 * front are parsed (ns_tls_hs_parse, with hs's info, ts and quic) and
 * their number of bytes returned; -1 when no layer could be opened.
 */
int ns_tls_crypto_layer(struct ns_packet *pkt, const uint8_t *buf, size_t n,
			struct ns_tls_hs *hs);

#endif
