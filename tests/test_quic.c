/*
 * test_quic — QUIC's Initial keys (dissectors/app/quic.c) against the
 * test vectors of RFC 9001 Appendix A.1 (version 1) and RFC 9369
 * Appendix A.1 (version 2): client and server key, IV and header
 * protection key from the Destination Connection ID 0x8394c8f03e515708;
 * an unknown version has none.  The later levels' keys (src/proto/
 * quickeys.c) against RFC 9001 Appendix A.5 (ChaCha20-Poly1305 short
 * header packet): key, IV, header protection key and the next key phase's
 * secret from the traffic secret, the mask of the sample, the packet's
 * payload opened; packet number recovery against RFC 9000 §A.3's example.
 * The connection ID table (dissectors/app/quic_conn.c): IDs of every
 * length found by the short headers that carry them, as connections come
 * and go.  The packets themselves are checked against tshark by
 * tests/quic.sh.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "../dissectors/app/quic_int.h"
#include "check_util.h"
#include "core/engine.h"
#include "core/mem.h"
#include "core/packet.h"
#include "proto/quic.h"

static void unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static void expect(uint32_t version, int server, const char *key,
		   const char *iv, const char *hp)
{
	static const uint8_t dcid[] = {0x83, 0x94, 0xc8, 0xf0,
				       0x3e, 0x51, 0x57, 0x08};
	struct ns_tls_keys k;
	uint8_t h[16], want[16];
	ck_assert_int_eq(
	    ns_quic_initial_keys(version, dcid, sizeof(dcid), server, &k, h),
	    0);
	unhex(key, want);
	ck_assert_mem_eq(k.key, want, 16);
	unhex(iv, want);
	ck_assert_mem_eq(k.iv, want, 12);
	unhex(hp, want);
	ck_assert_mem_eq(h, want, 16);
}

/* Connection i's ID k (i < 4096, k < 16), unique and no prefix of
 * another: every tenth connection's are 2 or 3 bytes (the list of short
 * IDs), the others' 6 to 20 bytes whose first four are one of three
 * values (long chains). */
static size_t cid_of(unsigned i, unsigned k, uint8_t *cid)
{
	if (i % 10 == 0) {
		cid[0] = (uint8_t)(i / 10);
		cid[1] = (uint8_t)(0x10 | k);
		cid[2] = 0x77;
		return 2 + k % 2;
	}
	size_t n = 6 + (i * 7 + k * 3) % 15;
	memset(cid, 0xc0 + i % 3, 4);
	cid[4] = (uint8_t)i;
	cid[5] = (uint8_t)(i >> 8 | k << 4);
	for (size_t j = 6; j < n; j++)
		cid[j] = (uint8_t)(i * 31 + k * 7 + j);
	return n;
}

/* Whether a short header carrying cid (then a payload) finds a
 * connection. */
static int known(const struct ns_packet *pkt, const uint8_t *cid, size_t n)
{
	uint8_t hdr[1 + 20 + 4] = {0x40};
	memcpy(hdr + 1, cid, n);
	return ns_quic_known_cid(pkt, hdr, 1 + n + 4);
}

START_TEST(cid_table)
{
	struct ns_engine eng;
	ck_assert_int_eq(ns_engine_init(&eng, 100), 0);
	struct ns_packet pkt;
	memset(&pkt, 0, sizeof(pkt));
	pkt.eng = &eng;
	enum { CONNS = 300, IDS = 3 };
	static struct quic_flow *q[CONNS];
	static struct quic_path path[CONNS];
	static struct ns_flow flow[CONNS];
	uint8_t cid[20];
	for (unsigned i = 0; i < CONNS; i++) {
		q[i] = ns_mem_alloc(&eng.mem, sizeof(*q[i]));
		ck_assert_ptr_nonnull(q[i]);
		memset(q[i], 0, sizeof(*q[i]));
		q[i]->mem = &eng.mem;
		q[i]->eng = &eng;
		q[i]->bus = &eng.bus;
		q[i]->refs = 1;
		q[i]->paths[0] = q[i]->flow = &flow[i];
		path[i].c = q[i];
		path[i].flow = &flow[i];
		for (unsigned k = 0; k < IDS; k++) {
			size_t n = cid_of(i, k, cid);
			ns_quic_cid_add(q[i], cid, n, k & 1);
			ns_quic_cid_add(q[i], cid, n, k & 1); /* once only */
		}
	}
	/* the odd connections end: their IDs go, the others' stay */
	for (unsigned i = 1; i < CONNS; i += 2)
		ns_quic_path_free(&path[i]);
	for (unsigned i = 0; i < CONNS; i++)
		for (unsigned k = 0; k < IDS; k++) {
			size_t n = cid_of(i, k, cid);
			ck_assert_int_eq(known(&pkt, cid, n), i % 2 == 0);
		}
	/* an ID with nothing after it is no short header's */
	size_t n = cid_of(0, 0, cid);
	uint8_t bare[21] = {0x40};
	memcpy(bare + 1, cid, n);
	ck_assert(!ns_quic_known_cid(&pkt, bare, 1 + n));
	for (unsigned i = 0; i < CONNS; i += 2)
		ns_quic_path_free(&path[i]);
	for (unsigned i = 0; i < CONNS; i += 2)
		ck_assert(!known(&pkt, cid, cid_of(i, 1, cid)));
	ns_engine_finish(&eng);
	ck_assert_uint_eq(eng.mem.used, 0);
}
END_TEST

START_TEST(rfc9001_initial_keys)
{
	expect(1, 0, "1f369613dd76d5467730efcbe3b1a22d",
	       "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2");
	expect(1, 1, "cf3a5331653c364c88f0f379b6067e37",
	       "0ac1493ca1905853b0bba03e", "c206b8d9b9f0f37644430b490eeaa314");
}
END_TEST

START_TEST(rfc9369_v2_initial_keys)
{
	expect(0x6b3343cf, 0, "8b1a0bc121284290a29e0971b5cd045d",
	       "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9");
	expect(0x6b3343cf, 1, "82db637861d55e1d011f19ea71d5d2a7",
	       "dd13c276499c0249d3310652", "edf6d05c83121201b436e16877593c3a");
}
END_TEST

START_TEST(unknown_version)
{
	struct ns_tls_keys k;
	uint8_t h[16], dcid[8] = {0};
	ck_assert_int_eq(ns_quic_initial_keys(0x1a2a3a4a, dcid, 8, 0, &k, h),
			 -1);
}
END_TEST

/* RFC 9001 A.5 */
static const char a5_secret[] =
    "9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b";

START_TEST(rfc9001_chacha20_keys)
{
	uint8_t secret[32], want[32];
	unhex(a5_secret, secret);
	struct ns_quic_keys q, next;
	ck_assert_int_eq(
	    ns_quic_keys(&q, ns_tls_suite_find(0x1303), secret, 32, 0), 0);
	unhex(
	    "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8",
	    want);
	ck_assert_mem_eq(q.k.key, want, 32);
	unhex("e0459b3474bdd0e44a41c144", want);
	ck_assert_mem_eq(q.k.iv, want, 12);
	unhex(
	    "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4",
	    want);
	ck_assert_mem_eq(q.hp, want, 32);
	ck_assert_int_eq(ns_quic_key_update(&q, &next), 0);
	unhex(
	    "1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9",
	    want);
	ck_assert_mem_eq(next.k.secret, want, 32);
	ck_assert_mem_eq(next.hp, q.hp, 32); /* the same in every phase */
}
END_TEST

START_TEST(rfc9001_chacha20_packet)
{
	uint8_t secret[32], sample[16], mask[5], want[5];
	unhex(a5_secret, secret);
	struct ns_quic_keys q;
	ck_assert_int_eq(
	    ns_quic_keys(&q, ns_tls_suite_find(0x1303), secret, 32, 0), 0);
	unhex("5e5cd55c41f69080575d7999c25a5bfb", sample);
	ck_assert_int_eq(ns_quic_hp_mask(&q, sample, mask), 0);
	unhex("aefefe7d03", want);
	ck_assert_mem_eq(mask, want, 5);
	/* the protected packet 4cfe4189655e5c…: header 4200bff4 once the
	 * mask is off, packet number 654360564, payload 01 */
	uint8_t pkt[21];
	unhex("4cfe4189655e5cd55c41f69080575d7999c25a5bfb", pkt);
	uint8_t hdr[4] = {(uint8_t)(pkt[0] ^ (mask[0] & 0x1f))};
	for (int i = 1; i < 4; i++)
		hdr[i] = (uint8_t)(pkt[i] ^ mask[i]);
	unhex("4200bff4", want);
	ck_assert_mem_eq(hdr, want, 4);
	uint64_t pn = ns_quic_pn_decode(654360563, 1, 0x00bff4, 3);
	ck_assert_uint_eq(pn, 654360564);
	uint8_t nonce[12], out[1];
	q.k.seq = pn;
	ns_tls_nonce(&q.k, NULL, nonce);
	ck_assert_int_eq(
	    ns_tls_aead_open(&q.k, nonce, hdr, 4, pkt + 4, 1, pkt + 5, out), 0);
	ck_assert_uint_eq(out[0], 0x01);
	pkt[4] ^= 1; /* one bit: it no longer opens */
	ck_assert_int_eq(
	    ns_tls_aead_open(&q.k, nonce, hdr, 4, pkt + 4, 1, pkt + 5, out),
	    -1);
}
END_TEST

START_TEST(rfc9000_pn_decode)
{
	/* §A.3: the largest acknowledged 0xa82f30ea, a 16-bit 0x9b32 */
	ck_assert_uint_eq(ns_quic_pn_decode(0xa82f30ea, 1, 0x9b32, 2),
			  0xa82f9b32);
	/* the first packet of a space, and a wrap forward and back */
	ck_assert_uint_eq(ns_quic_pn_decode(0, 0, 5, 1), 5);
	ck_assert_uint_eq(ns_quic_pn_decode(0xfe, 1, 0x01, 1), 0x101);
	ck_assert_uint_eq(ns_quic_pn_decode(0x101, 1, 0xff, 1), 0xff);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("quic");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, rfc9001_initial_keys);
	tcase_add_test(tc, rfc9369_v2_initial_keys);
	tcase_add_test(tc, unknown_version);
	tcase_add_test(tc, rfc9001_chacha20_keys);
	tcase_add_test(tc, rfc9001_chacha20_packet);
	tcase_add_test(tc, rfc9000_pn_decode);
	tcase_add_test(tc, cid_table);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
