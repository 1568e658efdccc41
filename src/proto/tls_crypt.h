/*
 * tls_crypt — the TLS record protection netscope can undo (RFC 8446 §5.2,
 * §5.3, §7.1-7.3; RFC 5246 §6.2.3.3, §6.3; RFC 5288; RFC 7905), every
 * primitive through libcrypto: EVP AEAD ciphers, EVP_KDF "HKDF" in
 * expand-only mode for TLS 1.3's HKDF-Expand-Label, EVP_KDF "TLS1-PRF" for
 * TLS 1.2's key block.  No cipher, hash or KDF is written here; what is
 * written is the byte layout the RFCs put around them (the HkdfLabel
 * structure, the per-record nonce, the additional data).
 *
 * Suites: TLS 1.3's TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 and
 * TLS_CHACHA20_POLY1305_SHA256; TLS 1.2's ECDHE (RSA or ECDSA) and DHE and
 * plain RSA key exchanges with AES-128/256-GCM and ChaCha20-Poly1305, and
 * with AES-128/256-CBC and HMAC-SHA1/SHA256/SHA384 (RFC 5246 §6.2.3.2,
 * MAC then encrypt, or RFC 7366's encrypt then MAC; the record's explicit
 * IV of TLS 1.1 and later; the key exchange does not matter once the
 * master secret is known).  HMAC is libcrypto's EVP_MAC, its comparison
 * CRYPTO_memcmp.
 *
 * A struct ns_tls_keys is one direction's write key, IV and record
 * sequence number; ns_tls_open() decrypts one record and moves the
 * sequence number on whether or not the record authenticates, as the
 * sender did.  Header under src/proto so that QUIC (RFC 9001 §5) can use
 * the same HKDF-Expand-Label.
 */
#ifndef NS_TLS_CRYPT_H
#define NS_TLS_CRYPT_H

#include <stddef.h>
#include <stdint.h>

enum ns_tls_aead {
	NS_AEAD_AES128_GCM,
	NS_AEAD_AES256_GCM,
	NS_AEAD_CHACHA,
	NS_CBC_AES128, /* TLS 1.2 AES-CBC with HMAC (not AEAD) */
	NS_CBC_AES256
};

struct ns_tls_suite {
	uint16_t id;
	uint8_t tls13;	      /* a TLS 1.3 suite */
	uint8_t aead;	      /* enum ns_tls_aead */
	uint8_t key_len;      /* 16 or 32 */
	uint8_t fixed_iv_len; /* TLS 1.2 GCM: 4 (the salt); others 12 */
	uint8_t explicit_len; /* TLS 1.2 GCM: 8 bytes of nonce per record */
	const char *md;	      /* the suite's hash: "SHA256", "SHA384" */
	/* CBC suites: the HMAC's hash and length; NULL and 0 for AEAD */
	const char *mac;
	uint8_t mac_len;
};

/* The suite with IANA number id, or NULL when netscope cannot decrypt
 * it. */
const struct ns_tls_suite *ns_tls_suite_find(uint16_t id);

#define NS_TLS_TAG 16

struct ns_tls_keys {
	const struct ns_tls_suite *suite;
	uint8_t key[32];
	uint8_t iv[12];
	uint64_t seq; /* the next record's sequence number */
	/* TLS 1.3: the traffic secret, for KeyUpdate */
	uint8_t secret[64];
	uint8_t secret_len;
	/* TLS 1.2 CBC: the MAC key, and whether the hellos agreed on
	 * encrypt_then_mac (RFC 7366) */
	uint8_t mac_key[48];
	uint8_t etm;
};

/* RFC 8446 §7.1: HKDF-Expand-Label(secret, label, context, out_len), the
 * label without its "tls13 " prefix.  0, or -1 when libcrypto fails. */
int ns_tls13_expand_label(const char *md, const uint8_t *secret, size_t slen,
			  const char *label, const uint8_t *ctx, size_t ctxlen,
			  uint8_t *out, size_t out_len);

/* RFC 5869 §2.2 HKDF-Extract(salt, ikm) into out (the hash's length);
 * QUIC's initial secret (RFC 9001 §5.2).  0, or -1. */
int ns_hkdf_extract(const char *md, const uint8_t *salt, size_t slen,
		    const uint8_t *ikm, size_t ilen, uint8_t *out, size_t n);

/* RFC 8446 §7.3: a direction's key and IV from its traffic secret;
 * sequence number 0.  0, or -1. */
int ns_tls13_keys(struct ns_tls_keys *k, const struct ns_tls_suite *s,
		  const uint8_t *secret, size_t slen);

/* RFC 8446 §7.2: the next traffic secret after a KeyUpdate, and its keys.
 * 0, or -1. */
int ns_tls13_key_update(struct ns_tls_keys *k);

/* RFC 5246 §6.3: both directions' keys from the master secret and the
 * hello randoms (key block through TLS1-PRF).  0, or -1. */
int ns_tls12_keys(struct ns_tls_keys *client, struct ns_tls_keys *server,
		  const struct ns_tls_suite *s, const uint8_t ms[48],
		  const uint8_t client_random[32],
		  const uint8_t server_random[32]);

/* The AEAD nonce of the record with sequence number k->seq: the IV XOR the
 * sequence number (TLS 1.3 §5.3, ChaCha20 in TLS 1.2, RFC 7905 §2), or the
 * salt followed by the record's explicit nonce (TLS 1.2 GCM, RFC 5288
 * §3). */
void ns_tls_nonce(const struct ns_tls_keys *k, const uint8_t *explicit_nonce,
		  uint8_t nonce[12]);

/* AEAD-decrypts ct[0..n) (its NS_TLS_TAG-byte tag at tag) with the
 * additional data aad under k's key and nonce into out; 0, or -1 when it
 * does not authenticate.  (QUIC packets, RFC 9001 §5.3.) */
int ns_tls_aead_open(const struct ns_tls_keys *k, const uint8_t nonce[12],
		     const uint8_t *aad, size_t aad_len, const uint8_t *ct,
		     size_t n, const uint8_t *tag, uint8_t *out);

/*
 * Decrypts the fragment of one record (its bytes after the 5-byte header
 * hdr) into out (room for n bytes).  TLS 1.3 (k->suite->tls13): the
 * additional data is the header, and the inner plaintext's padding is
 * removed: *inner_type is the real content type.  TLS 1.2: the additional
 * data is seq, type, version and plaintext length; CBC: the MAC and the
 * padding are checked and removed.  Returns the plaintext length, or -1
 * when the record does not authenticate (or is too short, badly padded, or
 * an inner plaintext with no type).  The sequence number moves on either
 * way.
 */
long ns_tls_open(struct ns_tls_keys *k, const uint8_t hdr[5],
		 const uint8_t *frag, size_t n, uint8_t *out,
		 uint8_t *inner_type);

#endif
