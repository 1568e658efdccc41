/*
 * quickeys — QUIC packet protection keys past the Initial ones (RFC 9001
 * §5, §6; RFC 9369 §3.3 for version 2): a direction's AEAD key, IV and
 * header protection key from a TLS traffic secret, the next key phase's
 * after a key update, the header protection mask for AES and ChaCha20
 * suites, and packet number recovery (RFC 9000 §A.3).  Every primitive is
 * libcrypto's (HKDF through ns_tls13_expand_label, AES-ECB and ChaCha20
 * through EVP); what is written here is the labels and the byte layout.
 */
#include <openssl/evp.h>
#include <string.h>

#include "proto/quic.h"

int ns_quic_keys(struct ns_quic_keys *q, const struct ns_tls_suite *s,
		 const uint8_t *secret, size_t slen, int v2)
{
	if (!s || !s->tls13 || slen > sizeof(q->k.secret))
		return -1;
	memset(q, 0, sizeof(*q));
	q->k.suite = s;
	q->v2 = (uint8_t)(v2 != 0);
	memcpy(q->k.secret, secret, slen);
	q->k.secret_len = (uint8_t)slen;
	const char *kl = v2 ? "quicv2 key" : "quic key";
	const char *il = v2 ? "quicv2 iv" : "quic iv";
	const char *hl = v2 ? "quicv2 hp" : "quic hp";
	if (ns_tls13_expand_label(s->md, secret, slen, kl, NULL, 0, q->k.key,
				  s->key_len) < 0 ||
	    ns_tls13_expand_label(s->md, secret, slen, il, NULL, 0, q->k.iv,
				  12) < 0 ||
	    ns_tls13_expand_label(s->md, secret, slen, hl, NULL, 0, q->hp,
				  s->key_len) < 0) {
		memset(q, 0, sizeof(*q));
		return -1;
	}
	return 0;
}

int ns_quic_key_update(const struct ns_quic_keys *cur,
		       struct ns_quic_keys *next)
{
	const struct ns_tls_suite *s = cur->k.suite;
	uint8_t secret[sizeof(cur->k.secret)];
	size_t n = cur->k.secret_len;
	if (!s || !n ||
	    ns_tls13_expand_label(s->md, cur->k.secret, n,
				  cur->v2 ? "quicv2 ku" : "quic ku", NULL, 0,
				  secret, n) < 0)
		return -1;
	uint8_t hp[sizeof(cur->hp)];
	memcpy(hp, cur->hp, sizeof(hp));
	int rc = ns_quic_keys(next, s, secret, n, cur->v2);
	memcpy(next->hp, hp, sizeof(hp)); /* the same for every phase */
	memset(secret, 0, sizeof(secret));
	return rc;
}

int ns_quic_hp_mask(const struct ns_quic_keys *q, const uint8_t sample[16],
		    uint8_t mask[5])
{
	static const uint8_t zeros[5];
	const struct ns_tls_suite *s = q->k.suite;
	if (!s)
		return -1;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t out[16];
	int len = 0, ok;
	if (s->aead == NS_AEAD_CHACHA) {
		/* RFC 9001 §5.4.4: the sample is the counter and nonce */
		ok = c &&
		     EVP_EncryptInit_ex(c, EVP_chacha20(), NULL, q->hp,
					sample) > 0 &&
		     EVP_EncryptUpdate(c, out, &len, zeros, 5) > 0 && len == 5;
	} else {
		/* §5.4.3: one AES block in ECB mode */
		const EVP_CIPHER *e =
		    s->key_len == 32 ? EVP_aes_256_ecb() : EVP_aes_128_ecb();
		ok = c && EVP_EncryptInit_ex(c, e, NULL, q->hp, NULL) > 0 &&
		     EVP_CIPHER_CTX_set_padding(c, 0) > 0 &&
		     EVP_EncryptUpdate(c, out, &len, sample, 16) > 0 &&
		     len == 16;
	}
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		return -1;
	memcpy(mask, out, 5);
	return 0;
}

uint64_t ns_quic_pn_decode(uint64_t largest, int have_largest,
			   uint64_t truncated, unsigned nbytes)
{
	uint64_t expected = have_largest ? largest + 1 : 0;
	uint64_t win = (uint64_t)1 << (nbytes * 8);
	uint64_t hwin = win / 2, mask = win - 1;
	uint64_t cand = (expected & ~mask) | truncated;
	if (cand + hwin <= expected && cand < ((uint64_t)1 << 62) - win)
		return cand + win;
	if (cand > expected + hwin && cand >= win)
		return cand - win;
	return cand;
}
