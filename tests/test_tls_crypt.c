/*
 * test_tls_crypt — TLS record protection (src/proto/tls_crypt.c).
 *
 * The contract under test: HKDF-Expand-Label and the traffic keys agree
 * with RFC 8448's example handshake; the per-record nonce is the IV XOR
 * the sequence number (TLS 1.3, ChaCha20 in TLS 1.2) or the salt and the
 * record's explicit nonce (TLS 1.2 GCM); a record sealed here with
 * libcrypto opens at its sequence number and not at another, its TLS 1.3
 * padding and inner type are removed, a tampered record fails, and the
 * sequence number moves on whether or not a record opens; a KeyUpdate
 * derives the next secret and starts again at sequence 0; TLS 1.2's key
 * block gives distinct keys and salts per direction.
 */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "check_util.h"
#include "proto/tls_crypt.h"

static void unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

/* RFC 8448 §3: the server's handshake traffic secret and its keys */
START_TEST(rfc8448_handshake_keys)
{
	uint8_t secret[32], key[16], iv[12];
	unhex(
	    "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38",
	    secret);
	unhex("3fce516009c21727d0f2e4e86ee403bc", key);
	unhex("5d313eb2671276ee13000b30", iv);
	struct ns_tls_keys k;
	ck_assert_int_eq(
	    ns_tls13_keys(&k, ns_tls_suite_find(0x1301), secret, 32), 0);
	ck_assert_mem_eq(k.key, key, 16);
	ck_assert_mem_eq(k.iv, iv, 12);
	ck_assert_uint_eq(k.seq, 0);
}
END_TEST

START_TEST(nonce_xor_sequence)
{
	struct ns_tls_keys k;
	memset(&k, 0, sizeof(k));
	k.suite = ns_tls_suite_find(0x1303);
	for (int i = 0; i < 12; i++)
		k.iv[i] = (uint8_t)i;
	uint8_t n[12];
	ns_tls_nonce(&k, NULL, n);
	ck_assert_mem_eq(n, k.iv, 12);
	k.seq = 1;
	ns_tls_nonce(&k, NULL, n);
	ck_assert_uint_eq(n[11], 11 ^ 1);
	ck_assert_mem_eq(n, k.iv, 11);
	k.seq = 0x0102030405060708ull;
	ns_tls_nonce(&k, NULL, n);
	ck_assert_mem_eq(n, k.iv, 4); /* the first 4 bytes are the IV's */
	for (int i = 4; i < 12; i++)
		ck_assert_uint_eq(n[i], (uint8_t)(i ^ (i - 3)));
	/* TLS 1.2 ChaCha20 (RFC 7905) is the same construction */
	k.suite = ns_tls_suite_find(0xcca9);
	k.seq = 1;
	ns_tls_nonce(&k, NULL, n);
	ck_assert_uint_eq(n[11], 11 ^ 1);
}
END_TEST

START_TEST(nonce_explicit_gcm12)
{
	struct ns_tls_keys k;
	memset(&k, 0, sizeof(k));
	k.suite = ns_tls_suite_find(0xc02f);
	ck_assert_uint_eq(k.suite->explicit_len, 8);
	memcpy(k.iv, "\xaa\xbb\xcc\xdd", 4);
	k.seq = 5; /* not used: the record carries its nonce */
	uint8_t n[12];
	ns_tls_nonce(&k, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08",
		     n);
	ck_assert_mem_eq(n, "\xaa\xbb\xcc\xdd\x01\x02\x03\x04\x05\x06\x07\x08",
			 12);
}
END_TEST

/* Seals a TLS 1.3 record (inner content, type, 3 zero bytes of padding)
 * with k at k->seq; returns the record length (header included). */
static size_t seal13(const struct ns_tls_keys *k, const char *text,
		     uint8_t type, uint8_t *rec)
{
	size_t tl = strlen(text), inner = tl + 1 + 3;
	uint8_t pt[256];
	memcpy(pt, text, tl);
	pt[tl] = type;
	memset(pt + tl + 1, 0, 3);
	size_t len = inner + 16;
	rec[0] = 23, rec[1] = 3, rec[2] = 3;
	rec[3] = (uint8_t)(len >> 8), rec[4] = (uint8_t)len;
	uint8_t nonce[12];
	ns_tls_nonce(k, NULL, nonce);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int ol;
	EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, k->key, nonce);
	EVP_EncryptUpdate(c, NULL, &ol, rec, 5);
	EVP_EncryptUpdate(c, rec + 5, &ol, pt, (int)inner);
	EVP_EncryptFinal_ex(c, rec + 5 + inner, &ol);
	EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, rec + 5 + inner);
	EVP_CIPHER_CTX_free(c);
	return 5 + len;
}

START_TEST(open_at_its_sequence_number)
{
	uint8_t secret[32] = {1, 2, 3};
	struct ns_tls_keys tx, rx;
	const struct ns_tls_suite *s = ns_tls_suite_find(0x1301);
	ck_assert_int_eq(ns_tls13_keys(&tx, s, secret, 32), 0);
	ck_assert_int_eq(ns_tls13_keys(&rx, s, secret, 32), 0);
	uint8_t rec[300], out[300], type = 0;
	for (int i = 0; i < 3; i++) {
		size_t n = seal13(&tx, "GET / HTTP/1.1\r\n", 23, rec);
		tx.seq++;
		long got = ns_tls_open(&rx, rec, rec + 5, n - 5, out, &type);
		ck_assert_int_eq(got, 16);
		ck_assert_mem_eq(out, "GET / HTTP/1.1\r\n", 16);
		ck_assert_uint_eq(type, 23);
		ck_assert_uint_eq(rx.seq, (uint64_t)i + 1);
	}
	/* sealed at seq 3, opened at 4: fails, and the sequence moves on */
	size_t n = seal13(&tx, "x", 22, rec);
	rx.seq = 4;
	ck_assert_int_eq(ns_tls_open(&rx, rec, rec + 5, n - 5, out, &type), -1);
	ck_assert_uint_eq(rx.seq, 5);
	rx.seq = 3;
	ck_assert_int_eq(ns_tls_open(&rx, rec, rec + 5, n - 5, out, &type), 1);
	ck_assert_uint_eq(type, 22);
	/* one bit flipped in the ciphertext, or in the header (the AAD) */
	tx.seq = rx.seq = 9;
	n = seal13(&tx, "hello", 23, rec);
	rec[7] ^= 1;
	ck_assert_int_eq(ns_tls_open(&rx, rec, rec + 5, n - 5, out, &type), -1);
	rec[7] ^= 1;
	rec[2] = 1;
	rx.seq = 9;
	ck_assert_int_eq(ns_tls_open(&rx, rec, rec + 5, n - 5, out, &type), -1);
	/* shorter than a tag */
	ck_assert_int_eq(ns_tls_open(&rx, rec, rec + 5, 15, out, &type), -1);
}
END_TEST

START_TEST(key_update)
{
	uint8_t secret[48] = {9};
	const struct ns_tls_suite *s = ns_tls_suite_find(0x1302);
	struct ns_tls_keys k;
	ck_assert_int_eq(ns_tls13_keys(&k, s, secret, 48), 0);
	uint8_t key0[32];
	memcpy(key0, k.key, 32);
	k.seq = 77;
	uint8_t next[48];
	ck_assert_int_eq(ns_tls13_expand_label("SHA384", secret, 48,
					       "traffic upd", NULL, 0, next,
					       48),
			 0);
	ck_assert_int_eq(ns_tls13_key_update(&k), 0);
	ck_assert_uint_eq(k.seq, 0);
	ck_assert_uint_eq(k.secret_len, 48);
	ck_assert_mem_eq(k.secret, next, 48);
	ck_assert_int_ne(memcmp(k.key, key0, 32), 0);
	struct ns_tls_keys again;
	ck_assert_int_eq(ns_tls13_keys(&again, s, next, 48), 0);
	ck_assert_mem_eq(again.key, k.key, 32);
	ck_assert_mem_eq(again.iv, k.iv, 12);
}
END_TEST

START_TEST(tls12_key_block)
{
	uint8_t ms[48] = {1}, cr[32] = {2}, sr[32] = {3};
	struct ns_tls_keys c, s;
	ck_assert_int_eq(
	    ns_tls12_keys(&c, &s, ns_tls_suite_find(0xc02b), ms, cr, sr), 0);
	ck_assert_int_ne(memcmp(c.key, s.key, 16), 0);
	ck_assert_int_ne(memcmp(c.iv, s.iv, 4), 0);
	ck_assert_uint_eq(c.seq, 0);
	/* a TLS 1.3 suite has no TLS 1.2 key block; unknown suites */
	ck_assert_int_eq(
	    ns_tls12_keys(&c, &s, ns_tls_suite_find(0x1301), ms, cr, sr), -1);
	ck_assert_ptr_null(ns_tls_suite_find(0x000a)); /* 3DES-CBC */
	/* CBC: the MAC keys come first in the block, no IVs */
	ck_assert_int_eq(
	    ns_tls12_keys(&c, &s, ns_tls_suite_find(0x002f), ms, cr, sr), 0);
	ck_assert_int_ne(memcmp(c.mac_key, s.mac_key, 20), 0);
	ck_assert_int_ne(memcmp(c.key, s.key, 16), 0);
	ck_assert_int_ne(memcmp(c.mac_key, c.key, 16), 0);
}
END_TEST

/* A TLS 1.2 CBC record of text sealed at k->seq (test side, with EVP
 * directly): MAC then encrypt, or encrypt then MAC (k->etm); pad bytes of
 * padding value `pad` (a multiple of 16 with the rest). */
static size_t seal_cbc(const struct ns_tls_keys *k, const char *text,
		       uint8_t pad, uint8_t *rec)
{
	const struct ns_tls_suite *s = k->suite;
	size_t tl = strlen(text), ml = s->mac_len;
	uint8_t pre[13], pt[512], mac[64];
	unsigned mlen = 0;
	for (int i = 0; i < 8; i++)
		pre[i] = (uint8_t)(k->seq >> (56 - 8 * i));
	pre[8] = 23, pre[9] = 3, pre[10] = 3;
	size_t n = tl;
	memcpy(pt, text, tl);
	if (!k->etm) { /* MAC of the plaintext, inside */
		pre[11] = (uint8_t)(tl >> 8), pre[12] = (uint8_t)tl;
		uint8_t in[512];
		memcpy(in, pre, 13);
		memcpy(in + 13, text, tl);
		HMAC(EVP_get_digestbyname(s->mac), k->mac_key, (int)ml, in,
		     13 + tl, mac, &mlen);
		memcpy(pt + n, mac, ml);
		n += ml;
	}
	memset(pt + n, pad, (size_t)pad + 1);
	n += (size_t)pad + 1;
	ck_assert_uint_eq(n % 16, 0);
	uint8_t *iv = rec + 5;
	memset(iv, 0x5a, 16);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int ol = 0, fl = 0;
	EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, k->key, iv);
	EVP_CIPHER_CTX_set_padding(c, 0);
	EVP_EncryptUpdate(c, rec + 21, &ol, pt, (int)n);
	EVP_EncryptFinal_ex(c, rec + 21 + ol, &fl);
	EVP_CIPHER_CTX_free(c);
	size_t len = 16 + n;
	if (k->etm) { /* MAC of IV and ciphertext, after them */
		pre[11] = (uint8_t)(len >> 8), pre[12] = (uint8_t)len;
		uint8_t in[600];
		memcpy(in, pre, 13);
		memcpy(in + 13, rec + 5, len);
		HMAC(EVP_get_digestbyname(s->mac), k->mac_key, (int)ml, in,
		     13 + len, rec + 5 + len, &mlen);
		len += ml;
	}
	rec[0] = 23, rec[1] = 3, rec[2] = 3;
	rec[3] = (uint8_t)(len >> 8), rec[4] = (uint8_t)len;
	return 5 + len;
}

/* AES-128-CBC with HMAC-SHA256 (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256),
 * both MAC orders: opened, and refused when a byte or the padding is
 * wrong. */
START_TEST(cbc_hmac_both_orders)
{
	const struct ns_tls_suite *s = ns_tls_suite_find(0xc027);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->mac_len, 32);
	for (int etm = 0; etm < 2; etm++) {
		struct ns_tls_keys tx, rx;
		memset(&tx, 0, sizeof(tx));
		tx.suite = s;
		tx.etm = (uint8_t)etm;
		memset(tx.key, 0x11, 16);
		memset(tx.mac_key, 0x22, 32);
		rx = tx;
		uint8_t rec[600], out[600], type = 0;
		/* content, MAC (inside with MAC then encrypt), padding and
		 * its length fill whole blocks */
		const char *text = "GET /hello.txt HTTP/1.0\r\n";
		size_t tl = strlen(text);
		uint8_t pad =
		    (uint8_t)((16 - (tl + (etm ? 0 : 32) + 1) % 16) % 16);
		size_t n = seal_cbc(&tx, text, pad, rec);
		long got = ns_tls_open(&rx, rec, rec + 5, n - 5, out, &type);
		ck_assert_int_eq(got, (long)tl);
		ck_assert_mem_eq(out, text, tl);
		ck_assert_uint_eq(type, 23);
		ck_assert_uint_eq(rx.seq, 1);
		/* the next record, with 16 more bytes of padding */
		tx.seq = 1;
		n = seal_cbc(&tx, text, (uint8_t)(pad + 16), rec);
		ck_assert_int_eq(
		    ns_tls_open(&rx, rec, rec + 5, n - 5, out, &type),
		    (long)tl);
		/* a bit flipped in the last block: the MAC (or padding) fails
		 */
		tx.seq = rx.seq = 2;
		n = seal_cbc(&tx, text, pad, rec);
		rec[n - 1 - (etm ? 32 : 0)] ^= 1;
		ck_assert_int_eq(
		    ns_tls_open(&rx, rec, rec + 5, n - 5, out, &type), -1);
		/* a wrong sequence number: the MAC fails */
		tx.seq = 7;
		rx.seq = 8;
		n = seal_cbc(&tx, text, pad, rec);
		ck_assert_int_eq(
		    ns_tls_open(&rx, rec, rec + 5, n - 5, out, &type), -1);
		/* not whole blocks, or shorter than IV and a block */
		ck_assert_int_eq(
		    ns_tls_open(&rx, rec, rec + 5, n - 6, out, &type), -1);
		ck_assert_int_eq(ns_tls_open(&rx, rec, rec + 5, 16, out, &type),
				 -1);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("tls_crypt");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, rfc8448_handshake_keys);
	tcase_add_test(tc, nonce_xor_sequence);
	tcase_add_test(tc, nonce_explicit_gcm12);
	tcase_add_test(tc, open_at_its_sequence_number);
	tcase_add_test(tc, key_update);
	tcase_add_test(tc, tls12_key_block);
	tcase_add_test(tc, cbc_hmac_both_orders);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
