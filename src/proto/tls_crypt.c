/*
 * tls_crypt — see tls_crypt.h.
 *
 * The KDFs are fetched per call (EVP_KDF_fetch caches the implementation
 * in the default library context, so a fetch is a lookup); keys are
 * derived once per direction and epoch, not per record.  A cipher context
 * is made per record: simple, and no libcrypto object outlives a call.
 */
#include "proto/tls_crypt.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <string.h>

static const struct ns_tls_suite suites[] = {
    {0x1301, 1, NS_AEAD_AES128_GCM, 16, 12, 0, "SHA256", NULL, 0},
    {0x1302, 1, NS_AEAD_AES256_GCM, 32, 12, 0, "SHA384", NULL, 0},
    {0x1303, 1, NS_AEAD_CHACHA, 32, 12, 0, "SHA256", NULL, 0},
    {0x009c, 0, NS_AEAD_AES128_GCM, 16, 4, 8, "SHA256", NULL, 0},
    {0x009d, 0, NS_AEAD_AES256_GCM, 32, 4, 8, "SHA384", NULL, 0},
    {0x009e, 0, NS_AEAD_AES128_GCM, 16, 4, 8, "SHA256", NULL, 0},
    {0x009f, 0, NS_AEAD_AES256_GCM, 32, 4, 8, "SHA384", NULL, 0},
    {0xc02b, 0, NS_AEAD_AES128_GCM, 16, 4, 8, "SHA256", NULL, 0},
    {0xc02c, 0, NS_AEAD_AES256_GCM, 32, 4, 8, "SHA384", NULL, 0},
    {0xc02f, 0, NS_AEAD_AES128_GCM, 16, 4, 8, "SHA256", NULL, 0},
    {0xc030, 0, NS_AEAD_AES256_GCM, 32, 4, 8, "SHA384", NULL, 0},
    {0xcca8, 0, NS_AEAD_CHACHA, 32, 12, 0, "SHA256", NULL, 0},
    {0xcca9, 0, NS_AEAD_CHACHA, 32, 12, 0, "SHA256", NULL, 0},
    {0xccaa, 0, NS_AEAD_CHACHA, 32, 12, 0, "SHA256", NULL, 0},
    /* AES-CBC with HMAC: the PRF is SHA-256 but for the SHA384 suites */
    {0x002f, 0, NS_CBC_AES128, 16, 0, 0, "SHA256", "SHA1", 20},
    {0x0033, 0, NS_CBC_AES128, 16, 0, 0, "SHA256", "SHA1", 20},
    {0x0035, 0, NS_CBC_AES256, 32, 0, 0, "SHA256", "SHA1", 20},
    {0x0039, 0, NS_CBC_AES256, 32, 0, 0, "SHA256", "SHA1", 20},
    {0x003c, 0, NS_CBC_AES128, 16, 0, 0, "SHA256", "SHA256", 32},
    {0x003d, 0, NS_CBC_AES256, 32, 0, 0, "SHA256", "SHA256", 32},
    {0x0067, 0, NS_CBC_AES128, 16, 0, 0, "SHA256", "SHA256", 32},
    {0x006b, 0, NS_CBC_AES256, 32, 0, 0, "SHA256", "SHA256", 32},
    {0xc009, 0, NS_CBC_AES128, 16, 0, 0, "SHA256", "SHA1", 20},
    {0xc00a, 0, NS_CBC_AES256, 32, 0, 0, "SHA256", "SHA1", 20},
    {0xc013, 0, NS_CBC_AES128, 16, 0, 0, "SHA256", "SHA1", 20},
    {0xc014, 0, NS_CBC_AES256, 32, 0, 0, "SHA256", "SHA1", 20},
    {0xc023, 0, NS_CBC_AES128, 16, 0, 0, "SHA256", "SHA256", 32},
    {0xc024, 0, NS_CBC_AES256, 32, 0, 0, "SHA384", "SHA384", 48},
    {0xc027, 0, NS_CBC_AES128, 16, 0, 0, "SHA256", "SHA256", 32},
    {0xc028, 0, NS_CBC_AES256, 32, 0, 0, "SHA384", "SHA384", 48},
};

const struct ns_tls_suite *ns_tls_suite_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

/* Runs KDF `name` with params p into out; 0 or -1. */
static int kdf(const char *name, OSSL_PARAM *p, uint8_t *out, size_t n);

int ns_hkdf_extract(const char *md, const uint8_t *salt, size_t slen,
		    const uint8_t *ikm, size_t ilen, uint8_t *out, size_t n)
{
	int mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
	OSSL_PARAM p[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md,
					     0),
	    OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm,
					      ilen),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt,
					      slen),
	    OSSL_PARAM_construct_end(),
	};
	return kdf("HKDF", p, out, n);
}

/* Runs KDF `name` with params p into out; 0 or -1. */
static int kdf(const char *name, OSSL_PARAM *p, uint8_t *out, size_t n)
{
	EVP_KDF *k = EVP_KDF_fetch(NULL, name, NULL);
	EVP_KDF_CTX *c = k ? EVP_KDF_CTX_new(k) : NULL;
	int ok = c && EVP_KDF_derive(c, out, n, p) > 0;
	EVP_KDF_CTX_free(c);
	EVP_KDF_free(k);
	return ok ? 0 : -1;
}

int ns_tls13_expand_label(const char *md, const uint8_t *secret, size_t slen,
			  const char *label, const uint8_t *ctx, size_t ctxlen,
			  uint8_t *out, size_t out_len)
{
	/* struct { uint16 length; opaque label<7..255> = "tls13 " + label;
	 * opaque context<0..255>; } HkdfLabel (§7.1) */
	uint8_t info[2 + 1 + 255 + 1 + 255];
	size_t ll = strlen(label);
	if (ll > 255 - 6 || ctxlen > 255 || out_len > 0xffff)
		return -1;
	size_t i = 0;
	info[i++] = (uint8_t)(out_len >> 8);
	info[i++] = (uint8_t)out_len;
	info[i++] = (uint8_t)(6 + ll);
	memcpy(info + i, "tls13 ", 6);
	i += 6;
	memcpy(info + i, label, ll);
	i += ll;
	info[i++] = (uint8_t)ctxlen;
	if (ctxlen)
		memcpy(info + i, ctx, ctxlen);
	i += ctxlen;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM p[] = {
	    OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
	    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md,
					     0),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
					      (void *)secret, slen),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, i),
	    OSSL_PARAM_construct_end(),
	};
	return kdf("HKDF", p, out, out_len);
}

int ns_tls13_keys(struct ns_tls_keys *k, const struct ns_tls_suite *s,
		  const uint8_t *secret, size_t slen)
{
	memset(k, 0, sizeof(*k));
	if (!s || slen > sizeof(k->secret))
		return -1;
	k->suite = s;
	memcpy(k->secret, secret, slen);
	k->secret_len = (uint8_t)slen;
	if (ns_tls13_expand_label(s->md, secret, slen, "key", NULL, 0, k->key,
				  s->key_len) < 0 ||
	    ns_tls13_expand_label(s->md, secret, slen, "iv", NULL, 0, k->iv,
				  12) < 0)
		return -1;
	return 0;
}

int ns_tls13_key_update(struct ns_tls_keys *k)
{
	uint8_t next[64];
	size_t n = k->secret_len;
	if (!k->suite ||
	    ns_tls13_expand_label(k->suite->md, k->secret, n, "traffic upd",
				  NULL, 0, next, n) < 0)
		return -1;
	return ns_tls13_keys(k, k->suite, next, n);
}

int ns_tls12_keys(struct ns_tls_keys *client, struct ns_tls_keys *server,
		  const struct ns_tls_suite *s, const uint8_t ms[48],
		  const uint8_t client_random[32],
		  const uint8_t server_random[32])
{
	if (!s || s->tls13)
		return -1;
	/* PRF(master_secret, "key expansion", server_random +
	 * client_random): MAC keys (none for AEAD), write keys, IVs (none
	 * for CBC: TLS 1.1 and later send each record's IV) */
	uint8_t seed[13 + 64];
	memcpy(seed, "key expansion", 13);
	memcpy(seed + 13, server_random, 32);
	memcpy(seed + 45, client_random, 32);
	uint8_t block[2 * 48 + 2 * 32 + 2 * 12];
	size_t need = 2u * s->mac_len + 2u * s->key_len + 2u * s->fixed_iv_len;
	OSSL_PARAM p[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
					     (char *)s->md, 0),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)ms,
					      48),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed,
					      sizeof(seed)),
	    OSSL_PARAM_construct_end(),
	};
	if (kdf("TLS1-PRF", p, block, need) < 0)
		return -1;
	memset(client, 0, sizeof(*client));
	memset(server, 0, sizeof(*server));
	client->suite = server->suite = s;
	const uint8_t *b = block;
	memcpy(client->mac_key, b, s->mac_len);
	memcpy(server->mac_key, b + s->mac_len, s->mac_len);
	b += 2u * s->mac_len;
	memcpy(client->key, b, s->key_len);
	memcpy(server->key, b + s->key_len, s->key_len);
	b += 2u * s->key_len;
	memcpy(client->iv, b, s->fixed_iv_len);
	memcpy(server->iv, b + s->fixed_iv_len, s->fixed_iv_len);
	memset(block, 0, sizeof(block));
	return 0;
}

void ns_tls_nonce(const struct ns_tls_keys *k, const uint8_t *explicit_nonce,
		  uint8_t nonce[12])
{
	if (k->suite && k->suite->explicit_len) {
		memcpy(nonce, k->iv, 4);
		memcpy(nonce + 4, explicit_nonce, 8);
		return;
	}
	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(k->seq >> (8 * i));
}

static const EVP_CIPHER *cipher(int aead)
{
	switch (aead) {
	case NS_AEAD_AES128_GCM:
		return EVP_aes_128_gcm();
	case NS_AEAD_AES256_GCM:
		return EVP_aes_256_gcm();
	default:
		return EVP_chacha20_poly1305();
	}
}

int ns_tls_aead_open(const struct ns_tls_keys *k, const uint8_t nonce[12],
		     const uint8_t *aad, size_t aad_len, const uint8_t *ct,
		     size_t n, const uint8_t *tag, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len, ok = c != NULL;
	ok = ok && EVP_DecryptInit_ex(c, cipher(k->suite->aead), NULL, NULL,
				      NULL) > 0;
	ok =
	    ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) > 0;
	ok = ok && EVP_DecryptInit_ex(c, NULL, NULL, k->key, nonce) > 0;
	ok = ok && EVP_DecryptUpdate(c, NULL, &len, aad, (int)aad_len) > 0;
	ok = ok && (n == 0 || EVP_DecryptUpdate(c, out, &len, ct, (int)n) > 0);
	ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, NS_TLS_TAG,
				       (void *)tag) > 0;
	ok = ok && EVP_DecryptFinal_ex(c, out + n, &len) > 0;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* The TLS 1.2 MAC (RFC 5246 §6.2.3.1): HMAC(key, seq, type, version,
 * length, data[0..n)) into mac (k->suite->mac_len bytes); 0 or -1. */
static int record_mac(const struct ns_tls_keys *k, uint64_t seq,
		      const uint8_t hdr[5], const uint8_t *data, size_t n,
		      uint8_t *mac)
{
	uint8_t pre[13];
	for (int i = 0; i < 8; i++)
		pre[i] = (uint8_t)(seq >> (56 - 8 * i));
	memcpy(pre + 8, hdr, 3);
	pre[11] = (uint8_t)(n >> 8);
	pre[12] = (uint8_t)n;
	OSSL_PARAM p[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
					     (char *)k->suite->mac, 0),
	    OSSL_PARAM_construct_end(),
	};
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *c = m ? EVP_MAC_CTX_new(m) : NULL;
	size_t len = 0;
	int ok = c && EVP_MAC_init(c, k->mac_key, k->suite->mac_len, p) > 0 &&
		 EVP_MAC_update(c, pre, sizeof(pre)) > 0 &&
		 EVP_MAC_update(c, data, n) > 0 &&
		 EVP_MAC_final(c, mac, &len, EVP_MAX_MD_SIZE) > 0 &&
		 len == k->suite->mac_len;
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(m);
	return ok ? 0 : -1;
}

/* AES-CBC-decrypts ct[0..n) (whole blocks) with iv into out, no padding
 * removed; 0 or -1. */
static int cbc_decrypt(const struct ns_tls_keys *k, const uint8_t *iv,
		       const uint8_t *ct, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0;
	int ok = c &&
		 EVP_DecryptInit_ex(c,
				    k->suite->aead == NS_CBC_AES128
					? EVP_aes_128_cbc()
					: EVP_aes_256_cbc(),
				    NULL, k->key, iv) > 0 &&
		 EVP_CIPHER_CTX_set_padding(c, 0) > 0 &&
		 EVP_DecryptUpdate(c, out, &len, ct, (int)n) > 0 &&
		 EVP_DecryptFinal_ex(c, out + len, &fin) > 0 &&
		 (size_t)(len + fin) == n;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* A TLS 1.1/1.2 CBC record: IV, then the blocks of content, MAC, padding
 * and its length (MAC then encrypt), or of content and padding followed
 * by a MAC of IV and blocks (encrypt then MAC, RFC 7366 §3). */
static long cbc_open(const struct ns_tls_keys *k, uint64_t seq,
		     const uint8_t hdr[5], const uint8_t *frag, size_t n,
		     uint8_t *out, uint8_t *inner_type)
{
	size_t ml = k->suite->mac_len, tail = k->etm ? ml : 0;
	uint8_t mac[EVP_MAX_MD_SIZE];
	if (n < 32 + tail || (n - tail) % 16)
		return -1;
	size_t body = n - tail; /* IV and blocks */
	if (k->etm && (record_mac(k, seq, hdr, frag, body, mac) < 0 ||
		       CRYPTO_memcmp(mac, frag + body, ml) != 0))
		return -1;
	size_t clen = body - 16;
	if (cbc_decrypt(k, frag, frag + 16, clen, out) < 0)
		return -1;
	size_t pad = out[clen - 1];
	if (pad + 1 + (k->etm ? 0 : ml) > clen)
		return -1;
	for (size_t i = clen - 1 - pad; i < clen - 1; i++)
		if (out[i] != pad)
			return -1;
	size_t plen = clen - pad - 1 - (k->etm ? 0 : ml);
	if (!k->etm && (record_mac(k, seq, hdr, out, plen, mac) < 0 ||
			CRYPTO_memcmp(mac, out + plen, ml) != 0))
		return -1;
	*inner_type = hdr[0];
	return (long)plen;
}

long ns_tls_open(struct ns_tls_keys *k, const uint8_t hdr[5],
		 const uint8_t *frag, size_t n, uint8_t *out,
		 uint8_t *inner_type)
{
	const struct ns_tls_suite *s = k->suite;
	uint64_t seq = k->seq++;
	if (s && s->mac_len)
		return cbc_open(k, seq, hdr, frag, n, out, inner_type);
	size_t ex = s ? s->explicit_len : 0;
	if (!s || n < ex + NS_TLS_TAG)
		return -1;
	size_t clen = n - ex - NS_TLS_TAG;
	uint8_t nonce[12];
	struct ns_tls_keys at = *k;
	at.seq = seq;
	ns_tls_nonce(&at, frag, nonce);
	memset(&at, 0, sizeof(at));
	const uint8_t *ct = frag + ex, *tag = frag + ex + clen;
	if (s->tls13) {
		if (ns_tls_aead_open(k, nonce, hdr, 5, ct, clen, tag, out) < 0)
			return -1;
		/* TLSInnerPlaintext: content, type, zeros (§5.2) */
		while (clen && out[clen - 1] == 0)
			clen--;
		if (!clen)
			return -1;
		*inner_type = out[--clen];
		return (long)clen;
	}
	uint8_t aad[13];
	for (int i = 0; i < 8; i++)
		aad[i] = (uint8_t)(seq >> (56 - 8 * i));
	memcpy(aad + 8, hdr, 3);
	aad[11] = (uint8_t)(clen >> 8);
	aad[12] = (uint8_t)clen;
	if (ns_tls_aead_open(k, nonce, aad, 13, ct, clen, tag, out) < 0)
		return -1;
	*inner_type = hdr[0];
	return (long)clen;
}
