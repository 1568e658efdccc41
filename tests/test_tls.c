/*
 * test_tls — TLS records, handshakes and fingerprints (dissectors/app/tls.c).
 *
 * Under test: a ClientHello with GREASE everywhere (every field, JA3 and
 * JA4 against values worked out by hand from the specifications); a TLS
 * 1.3 ServerHello (JA3S) and a HelloRetryRequest; alerts; several records
 * in one layer; a certificate made here with libcrypto and read back;
 * through the stream interface, a ClientHello split over two records and a
 * record split over two deliveries, and the heuristic probe; truncated
 * records, bytes that are not records, and malformed hellos, extensions
 * and certificates, which are shown as such without losing the rest.  The
 * handshake parser called on its own (proto/tls_hs.h), as QUIC CRYPTO
 * frames and decrypted TLS 1.3 records will call it: a ClientHello and a
 * ServerHello with no record layer give the fields the record path gives,
 * update the connection's struct ns_tls_info as the stream does, and a
 * message not whole in the buffer is left to the caller.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "check_util.h"
#include "core/engine.h"
#include "core/fcache.h"
#include "core/txn.h"
#include "flow/stream.h"
#include "output/output.h"
#include "proto/tls_hs.h"

extern struct ns_dissector ns_diss_tls;

/* ---- building records ---------------------------------------------------- */

struct msg {
	uint8_t b[4096];
	size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
	ck_assert_uint_le(m->n + n, sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

#define PUT(m, ...)                                                            \
	put((m), (const uint8_t[]){__VA_ARGS__},                               \
	    sizeof((const uint8_t[]){__VA_ARGS__}))

static void put16(struct msg *m, unsigned v)
{
	PUT(m, (uint8_t)(v >> 8), (uint8_t)v);
}

/* wraps body as a handshake message of `type` in one record */
static void record(struct msg *out, uint8_t ct, const struct msg *body)
{
	PUT(out, ct, 3, 3);
	put16(out, (unsigned)body->n);
	put(out, body->b, body->n);
}

static void handshake(struct msg *out, uint8_t type, const struct msg *body)
{
	struct msg hs = {.n = 0};
	PUT(&hs, type, 0, (uint8_t)(body->n >> 8), (uint8_t)body->n);
	put(&hs, body->b, body->n);
	record(out, 22, &hs);
}

static void ext(struct msg *m, unsigned type, const struct msg *body)
{
	put16(m, type);
	put16(m, (unsigned)body->n);
	put(m, body->b, body->n);
}

static const char sni[] = "api.example.com";

/* The ClientHello of the header comment of this file's JA3/JA4 checks. */
static void client_hello(struct msg *body)
{
	body->n = 0;
	put16(body, 0x0303);
	for (int i = 0; i < 32; i++)
		PUT(body, (uint8_t)i);
	PUT(body, 0); /* no session id */
	PUT(body, 0, 8, 0x0a, 0x0a, 0x13, 0x01, 0x13, 0x02, 0xc0, 0x2b);
	PUT(body, 1, 0); /* compression: null */
	struct msg exts = {.n = 0}, e = {.n = 0};
	ext(&exts, 0x0a0a, &e); /* GREASE, empty */
	e.n = 0;
	put16(&e, (unsigned)strlen(sni) + 3);
	PUT(&e, 0);
	put16(&e, (unsigned)strlen(sni));
	put(&e, sni, strlen(sni));
	ext(&exts, 0x0000, &e);
	e.n = 0;
	PUT(&e, 0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1');
	ext(&exts, 0x0010, &e);
	e.n = 0;
	PUT(&e, 0, 6, 0x1a, 0x1a, 0x00, 0x1d, 0x00, 0x17);
	ext(&exts, 0x000a, &e);
	e.n = 0;
	PUT(&e, 1, 0);
	ext(&exts, 0x000b, &e);
	e.n = 0;
	PUT(&e, 0, 4, 0x04, 0x03, 0x08, 0x04);
	ext(&exts, 0x000d, &e);
	e.n = 0;
	PUT(&e, 6, 0x2a, 0x2a, 0x03, 0x04, 0x03, 0x03);
	ext(&exts, 0x002b, &e);
	e.n = 0;
	PUT(&e, 0, 36, 0x00, 0x1d, 0, 32);
	for (int i = 0; i < 32; i++)
		PUT(&e, 0xee);
	ext(&exts, 0x0033, &e);
	e.n = 0;
	PUT(&e, 1, 1);
	ext(&exts, 0x002d, &e);
	put16(body, (unsigned)exts.n);
	put(body, exts.b, exts.n);
}

/* TLS 1.3 ServerHello; hrr: a HelloRetryRequest selecting secp256r1 */
static void server_hello(struct msg *body, int hrr)
{
	static const uint8_t hrr_random[32] = {
	    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	    0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	    0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
	};
	body->n = 0;
	put16(body, 0x0303);
	if (hrr) {
		put(body, hrr_random, 32);
	} else {
		for (int i = 0; i < 32; i++)
			PUT(body, 0x55);
	}
	PUT(body, 0);
	PUT(body, 0x13, 0x01, 0);
	struct msg exts = {.n = 0}, e = {.n = 0};
	PUT(&e, 0x03, 0x04);
	ext(&exts, 0x002b, &e);
	e.n = 0;
	if (hrr) {
		PUT(&e, 0x00, 0x17);
	} else {
		PUT(&e, 0x00, 0x1d, 0, 32);
		for (int i = 0; i < 32; i++)
			PUT(&e, 0x77);
	}
	ext(&exts, 0x0033, &e);
	put16(body, (unsigned)exts.n);
	put(body, exts.b, exts.n);
}

/* ---- running the dissector ----------------------------------------------- */

/* an Ethernet frame of a type nothing binds: frame, eth, then TLS */
static const uint8_t frame[14] = {2, 0, 0, 0, 0, 2,    2,
				  0, 0, 0, 0, 1, 0x88, 0xb5};

static struct ns_packet *dissect(const struct msg *m)
{
	struct ns_packet *pkt =
	    tu_dissect_full(TU_LT_EN10MB, frame, sizeof(frame));
	static uint8_t copy[4096];
	memcpy(copy, m->b, m->n);
	struct ns_reader r;
	ns_rd_init(&r, copy, m->n);
	ck_assert_int_ge(
	    ns_dissect_layer(pkt, &ns_diss_tls, &r, copy, (uint32_t)m->n, NULL),
	    0);
	return pkt;
}

/* the text after the protocol column and length */
static const char *info(struct ns_packet *pkt)
{
	const char *s = tu_summary(pkt);
	const char *t = strstr(s, " TLS ");
	ck_assert_ptr_nonnull(t);
	t = strchr(t + 5, ' ');
	ck_assert_ptr_nonnull(t);
	return t + 1;
}

/* JA4's ALPN characters as FoxIO's reference implementations print them
 * (python/ja4.py, rust/ja4/src/tls.rs): "99" for a non-ASCII first
 * character, '9' for a non-ASCII last one. */
START_TEST(ja4_alpn_non_ascii)
{
	static const struct {
		uint8_t a, b;
		const char *want;
	} cases[] = {
	    {0xc3, 0xa9, "99"}, /* "é" */
	    {0xe9, '2', "99"},	{'h', 0xe9, "h9"},
	    {'h', '!', "h!"},  /* printable ASCII as it is */
	    {'h', 0x01, "h1"}, /* a control character: its hex digit */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct msg body, m = {.n = 0};
		client_hello(&body);
		/* the first protocol, "h2" (length 2), is patched */
		size_t at = 0;
		while (at + 3 <= body.n && memcmp(body.b + at, "\x02h2", 3))
			at++;
		ck_assert_uint_lt(at + 3, body.n);
		body.b[at + 1] = cases[i].a;
		body.b[at + 2] = cases[i].b;
		handshake(&m, 1, &body);
		struct ns_packet *pkt = dissect(&m);
		const char *ja4 = tu_value(pkt, "tls.handshake.ja4");
		ck_assert_msg(ja4 && strncmp(ja4 + 8, cases[i].want, 2) == 0,
			      "case %zu: %s, want %s", i, ja4 ? ja4 : "(none)",
			      cases[i].want);
	}
}
END_TEST

START_TEST(client_hello_fields)
{
	struct msg body, m = {.n = 0};
	client_hello(&body);
	handshake(&m, 1, &body);
	struct ns_packet *pkt = dissect(&m);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "tls.record.content_type"), "22");
	ck_assert_uint_eq(tu_uint(pkt, "tls.record.length"), m.n - 5);
	ck_assert_uint_eq(tu_uint(pkt, "tls.handshake.type"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "tls.handshake.version"), 0x0303);
	ck_assert_uint_eq(tu_count(pkt, "tls.handshake.ciphersuite"), 4);
	ck_assert_uint_eq(tu_uint(pkt, "tls.handshake.cipher_suites_length"),
			  8);
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.extensions_server_name"),
			 sni);
	ck_assert_uint_eq(tu_count(pkt, "tls.handshake.extensions_alpn_str"),
			  2);
	ck_assert_uint_eq(tu_count(pkt, "tls.handshake.extension.type"), 9);
	ck_assert_uint_eq(
	    tu_count(pkt, "tls.handshake.extensions.supported_version"), 3);
	ck_assert_uint_eq(
	    tu_uint(pkt, "tls.handshake.extensions_key_share_group"), 29);
	ck_assert_uint_eq(tu_uint(pkt, "tls.extension.psk_ke_mode"), 1);
	ck_assert_uint_eq(tu_count(pkt, "tls.handshake.sig_hash_alg"), 2);
	ck_assert_uint_eq(tu_find(pkt, "tls.handshake.random")->v.b.n, 32);
	/* GREASE left out of JA3; JA4 per the FoxIO specification */
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.ja3_full"),
			 "771,4865-4866-49195,0-16-10-11-13-43-51-45,29-23,0");
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.ja3"),
			 "a37514ff06e8f6a160fc0bbe8db60a64");
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.ja4"),
			 "t13d0308h2_5559582ccdc4_33ac81084287");
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.ja4_r"),
			 "t13d0308h2_1301,1302,c02b_000a,000b,000d,002b,002d,"
			 "0033_0403,0804");
	ck_assert_str_eq(info(pkt), "ClientHello SNI=api.example.com "
				    "ALPN=h2,http/1.1 v1.3 "
				    "JA4=t13d0308h2_5559582ccdc4_33ac81084287");
}
END_TEST

START_TEST(server_hello_and_hrr)
{
	struct msg body, m = {.n = 0};
	server_hello(&body, 0);
	handshake(&m, 2, &body);
	struct ns_packet *pkt = dissect(&m);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.ja3s_full"),
			 "771,4865,43-51");
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.ja3s"),
			 "f4febc55ea12b31ae17cfb7e614afda8");
	ck_assert_str_eq(info(pkt), "ServerHello v1.3 TLS_AES_128_GCM_SHA256");
	m.n = 0;
	server_hello(&body, 1);
	handshake(&m, 2, &body);
	pkt = dissect(&m);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(
	    tu_uint(pkt, "tls.handshake.extensions_key_share_selected_group"),
	    23);
	ck_assert_str_eq(info(pkt), "HelloRetryRequest v1.3 "
				    "TLS_AES_128_GCM_SHA256 group=secp256r1");
}
END_TEST

START_TEST(alerts_and_several_records)
{
	struct msg m = {.n = 0};
	PUT(&m, 21, 3, 3, 0, 2, 2, 40);
	struct ns_packet *pkt = dissect(&m);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "tls.alert_message.level"), 2);
	ck_assert_uint_eq(tu_uint(pkt, "tls.alert_message.desc"), 40);
	ck_assert_str_eq(info(pkt), "Alert fatal handshake_failure");
	m.n = 0;
	PUT(&m, 20, 3, 3, 0, 1, 1);
	PUT(&m, 23, 3, 3, 0, 3, 0xaa, 0xbb, 0xcc);
	PUT(&m, 23, 3, 3, 0, 2, 0xdd, 0xee);
	PUT(&m, 21, 3, 3, 0, 26);
	for (int i = 0; i < 26; i++)
		PUT(&m, 0x11);
	pkt = dissect(&m);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_count(pkt, "tls.record.content_type"), 4);
	ck_assert_ptr_null(tu_find(pkt, "tls.alert_message.level"));
	ck_assert_str_eq(info(pkt), "ChangeCipherSpec, Encrypted Alert, "
				    "Application Data x2 (5 bytes)");
}
END_TEST

/* A Certificate handshake message in m holding one self-signed P-256
 * certificate (v3, valid 2024-2034) for CN=cn; the DER's length. */
static int certificate_message(struct msg *m, const char *cn, long serial)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert_ptr_nonnull(k);
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	ASN1_TIME_set(X509_getm_notBefore(x), 1704067200); /* 2024-01-01 */
	ASN1_TIME_set(X509_getm_notAfter(x), 2019686400);  /* 2034-01-01 */
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, k);
	ck_assert_int_gt(X509_sign(x, k, EVP_sha256()), 0);
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);
	ck_assert_int_gt(len, 0);
	struct msg body = {.n = 0};
	m->n = 0;
	PUT(&body, 0, (uint8_t)((len + 3) >> 8), (uint8_t)(len + 3));
	PUT(&body, 0, (uint8_t)(len >> 8), (uint8_t)len);
	put(&body, der, (size_t)len);
	handshake(m, 11, &body);
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(k);
	return len;
}

START_TEST(certificate_via_libcrypto)
{
	struct msg m;
	int len = certificate_message(&m, "test.example", 7);
	struct ns_packet *pkt = dissect(&m);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.certificate.subject"),
			 "CN=test.example");
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.certificate.issuer"),
			 "CN=test.example");
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.certificate.key"),
			 "EC prime256v1");
	ck_assert_int_eq(
	    tu_find(pkt, "tls.handshake.certificate.not_before")->v.i,
	    1704067200LL * 1000000000);
	ck_assert_str_eq(info(pkt), "Certificate CN=test.example");
	/* the same with its DER broken: malformed, fields before kept */
	m.b[m.n - len + 1] ^= 0x7f;
	pkt = dissect(&m);
	tu_assert_malformed(pkt, "certificate not DER");
	ck_assert_uint_eq(tu_uint(pkt, "tls.handshake.certificate_length"),
			  (uint64_t)len);
}
END_TEST

/* The TLS fields of pkt, one line each (name, depth, value), for
 * comparing two dissections. */
static void tls_fields_text(const struct ns_packet *pkt, char *out, size_t cap)
{
	size_t at = 0;
	out[0] = 0;
	for (uint32_t i = 0; i < pkt->nfv && at < cap; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (strncmp(fv->f->name, "tls.", 4) != 0)
			continue;
		int n;
		if (fv->f->type == NS_FT_STRING || fv->f->type == NS_FT_BYTES)
			n = snprintf(out + at, cap - at, "%s %u %.*s\n",
				     fv->f->name, fv->depth, (int)fv->v.b.n,
				     (const char *)fv->v.b.p);
		else
			n = snprintf(out + at, cap - at, "%s %u %llu\n",
				     fv->f->name, fv->depth,
				     (unsigned long long)fv->v.u);
		at += n > 0 ? (size_t)n : 0;
	}
}

/* With an engine, a certificate seen again is shown from the run's cache
 * (no d2i_X509): the same fields as its parse, at the same depths. */
START_TEST(certificate_cached_per_run)
{
	struct msg m;
	certificate_message(&m, "cache.example", 9);
	static char parsed[8192], cached[8192], alone[8192];
	tls_fields_text(dissect(&m), alone, sizeof(alone));
	struct ns_engine eng;
	ck_assert_int_eq(ns_engine_init(&eng, 16), 0);
	tu_pkt.eng = &eng;
	struct ns_packet *pkt = dissect(&m);
	tu_assert_ok(pkt);
	tls_fields_text(pkt, parsed, sizeof(parsed));
	pkt = dissect(&m);
	tu_assert_ok(pkt);
	tls_fields_text(pkt, cached, sizeof(cached));
	ck_assert_str_eq(info(pkt), "Certificate CN=cache.example");
	const struct ns_fcache *c =
	    ns_engine_slot(&eng, tu_field("tls.handshake.certificate"),
			   sizeof(struct ns_fcache), NULL);
	ck_assert_uint_eq(c->misses, 1);
	ck_assert_uint_eq(c->hits, 1);
	ck_assert_uint_eq(c->n, 1);
	ck_assert_str_eq(cached, parsed);
	ck_assert_str_eq(cached, alone);
	ck_assert_ptr_nonnull(
	    strstr(cached, "tls.handshake.certificate.subject"));
	tu_pkt.eng = NULL;
	ns_engine_finish(&eng);
	ck_assert_uint_eq(eng.mem.used, 0);
}
END_TEST

START_TEST(truncated_and_not_records)
{
	struct msg body, m = {.n = 0};
	client_hello(&body);
	handshake(&m, 1, &body);
	m.n = 60; /* the record says more: in a whole packet, cut short */
	struct ns_packet *pkt = dissect(&m);
	tu_assert_malformed(pkt, "cut short");
	ck_assert_uint_eq(tu_uint(pkt, "tls.record.content_type"), 22);
	m.n = 3; /* not even a header */
	pkt = dissect(&m);
	tu_assert_malformed(pkt, "cut short");
	m.n = 0;
	PUT(&m, 'G', 'E', 'T', ' ', '/', ' ', 'H');
	pkt = dissect(&m);
	tu_assert_malformed(pkt, "not a TLS record");
}
END_TEST

START_TEST(malformed_hellos)
{
	struct msg body, m = {.n = 0};
	/* an extension longer than the extensions */
	client_hello(&body);
	body.b[body.n - 3] = 0xff; /* psk_key_exchange_modes' length */
	handshake(&m, 1, &body);
	struct ns_packet *pkt = dissect(&m);
	tu_assert_malformed(pkt, "extension past the extensions");
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.extensions_server_name"),
			 sni);
	/* an odd cipher suite list */
	client_hello(&body);
	body.b[2 + 32 + 1 + 1] = 7;
	m.n = 0;
	handshake(&m, 1, &body);
	pkt = dissect(&m);
	ck_assert_int_eq(pkt->status, NS_LAYER_MALFORMED);
	/* a ServerHello cut short inside a complete message */
	server_hello(&body, 0);
	body.n = 20;
	m.n = 0;
	handshake(&m, 2, &body);
	pkt = dissect(&m);
	tu_assert_malformed(pkt, "ServerHello too short");
	/* an SNI list whose name runs past it */
	client_hello(&body);
	for (size_t i = 0; i + 4 < body.n; i++)
		if (memcmp(body.b + i, "api.", 4) == 0) {
			body.b[i - 1] = 200;
			break;
		}
	m.n = 0;
	handshake(&m, 1, &body);
	pkt = dissect(&m);
	tu_assert_malformed(pkt, "server_name");
	/* an empty ALPN name (then the list runs past its end) */
	client_hello(&body);
	for (size_t i = 0; i + 2 < body.n; i++)
		if (body.b[i] == 2 && body.b[i + 1] == 'h' &&
		    body.b[i + 2] == '2') {
			body.b[i] = 0;
			break;
		}
	m.n = 0;
	handshake(&m, 1, &body);
	pkt = dissect(&m);
	tu_assert_malformed(pkt, "bad ALPN list");
	ck_assert_ptr_nonnull(strstr(info(pkt), "ALPN= "));
	/* a handshake message longer than its record: a fragment */
	m.n = 0;
	PUT(&m, 22, 3, 3, 0, 6, 1, 0, 1, 0, 3, 3);
	pkt = dissect(&m);
	tu_assert_ok(pkt);
	ck_assert_str_eq(info(pkt), "Handshake fragment");
	/* an unknown handshake type: taken for encrypted */
	m.n = 0;
	PUT(&m, 22, 3, 3, 0, 6, 0x9c, 0x11, 0x22, 0x33, 0x44, 0x55);
	pkt = dissect(&m);
	tu_assert_ok(pkt);
	ck_assert_str_eq(info(pkt), "Encrypted Handshake");
}
END_TEST

/* ---- through the stream interface ---------------------------------------- */

struct conn {
	struct ns_stream st;
	struct ns_stream_ctx ctx;
	struct ns_engine eng;
	struct ns_tls_info told; /* the last TLS event's */
	int ntold[NS_EV_COUNT];
};

static void on_tls(void *arg, const struct ns_event *ev)
{
	struct conn *c = arg;
	c->told = *ev->u.tls;
	c->ntold[ev->type]++;
}

static void conn_init(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->st.app = &ns_diss_tls;
	c->st.state = calloc(1, ns_diss_tls.stream->state_size);
	ck_assert_ptr_nonnull(c->st.state);
	c->ctx.st = &c->st;
	c->ctx.dir = 0;
	c->ctx.eng = &c->eng;
	ns_bus_subscribe(&c->eng.bus,
			 NS_EV_BIT(NS_EV_TLS_HELLO) |
			     NS_EV_BIT(NS_EV_TLS_HANDSHAKE) |
			     NS_EV_BIT(NS_EV_TLS_END),
			 on_tls, c);
}

static void conn_free(struct conn *c)
{
	ns_diss_tls.stream->destroy(c->st.state);
	free(c->st.state);
}

static size_t feed(struct conn *c, const uint8_t *p, size_t n)
{
	c->ctx.pkt = tu_dissect_full(TU_LT_EN10MB, frame, sizeof(frame));
	return ns_diss_tls.stream->consume(c->st.state, &c->ctx, p, n);
}

START_TEST(stream_hello_over_two_records)
{
	struct msg body, hs = {.n = 0}, m = {.n = 0};
	client_hello(&body);
	PUT(&hs, 1, 0, (uint8_t)(body.n >> 8), (uint8_t)body.n);
	put(&hs, body.b, body.n);
	/* records of 40 bytes and the rest */
	PUT(&m, 22, 3, 1, 0, 40);
	put(&m, hs.b, 40);
	size_t second = m.n;
	PUT(&m, 22, 3, 1, (uint8_t)((hs.n - 40) >> 8), (uint8_t)(hs.n - 40));
	put(&m, hs.b + 40, hs.n - 40);
	struct conn c;
	conn_init(&c);
	/* a record still incomplete is left for later */
	ck_assert_uint_eq(feed(&c, m.b, 30), 0);
	ck_assert_uint_eq(feed(&c, m.b, second + 10), second);
	ck_assert_str_eq(info(c.ctx.pkt), "Handshake fragment");
	ck_assert_uint_eq(feed(&c, m.b + second, m.n - second), m.n - second);
	struct ns_packet *pkt = c.ctx.pkt;
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.extensions_server_name"),
			 sni);
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.ja4"),
			 "t13d0308h2_5559582ccdc4_33ac81084287");
	/* what the handshake said, as the events tell it */
	ck_assert_int_eq(c.ntold[NS_EV_TLS_HELLO], 1);
	struct ns_stream_ctx end = c.ctx;
	end.pkt = NULL;
	ns_diss_tls.stream->end(c.st.state, &end);
	ck_assert_int_eq(c.ntold[NS_EV_TLS_END], 1);
	ck_assert_str_eq(c.told.sni, "api.example.com");
	ck_assert_uint_eq(c.told.hellos, 1);
	ck_assert_uint_eq(c.told.version, 0); /* no ServerHello */
	ck_assert_uint_ne(c.told.offered, 0);
	ck_assert_str_eq(c.told.offered_alpn, "h2,http/1.1");
	ck_assert_str_eq(c.told.ja4, "t13d0308h2_5559582ccdc4_33ac81084287");
	/* bytes that are not records: one malformed layer, then skipped
	 * (but for a last 4 that could begin a header) */
	static const uint8_t junk[] = "HTTP/1.1 200 OK\r\n";
	ck_assert_uint_eq(feed(&c, junk, sizeof(junk) - 1), sizeof(junk) - 5);
	tu_assert_malformed(c.ctx.pkt, "not a TLS record");
	ck_assert_uint_eq(feed(&c, junk, sizeof(junk) - 1), sizeof(junk) - 5);
	ck_assert_int_lt(tu_layer(c.ctx.pkt, "tls"), 0);
	/* records found again after junk: an alert then a CCS */
	struct msg j = {.n = 0};
	PUT(&j, 0x17, 0x03, 0x03, 0xff, 0xff, 'x', 'y', 'z');
	PUT(&j, 21, 3, 3, 0, 2, 2, 40);
	PUT(&j, 20, 3, 3, 0, 1, 1);
	ck_assert_uint_eq(feed(&c, j.b, j.n), j.n);
	tu_assert_ok(c.ctx.pkt);
	ck_assert_str_eq(info(c.ctx.pkt),
			 "Alert fatal handshake_failure, ChangeCipherSpec");
	/* after a gap, the same */
	ck_assert_int_eq(ns_diss_tls.stream->gap(c.st.state, &c.ctx, 100), 1);
	ck_assert_uint_eq(feed(&c, j.b + 3, j.n - 3), j.n - 3);
	ck_assert_str_eq(info(c.ctx.pkt),
			 "Alert fatal handshake_failure, ChangeCipherSpec");
	conn_free(&c);
}
END_TEST

START_TEST(probe)
{
	int (*pr)(const uint8_t *, size_t, int, int) =
	    ns_diss_tls.stream->probe;
	static const uint8_t ch[] = {22, 3, 1, 2, 0, 1, 0, 1, 0xfc};
	static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
	ck_assert_int_eq(pr(ch, 3, 0, 1), -1);
	ck_assert_int_eq(pr(ch, sizeof(ch), 0, 1), 1);
	ck_assert_int_eq(pr(alert, sizeof(alert), 1, 1), 1);
	ck_assert_int_eq(pr((const uint8_t *)"GET / HTTP/1.1", 14, 0, 1), 0);
	static const uint8_t bad_version[] = {22, 3, 9, 0, 40, 1};
	ck_assert_int_eq(pr(bad_version, sizeof(bad_version), 0, 1), 0);
	static const uint8_t app[] = {23, 3, 3, 0, 40, 1};
	ck_assert_int_eq(pr(app, sizeof(app), 0, 1), 0);
}
END_TEST

/* ---- the handshake parser on its own (proto/tls_hs.h) -------------------- */

/* body as one handshake message of `type`, appended to out (no record) */
static void message(struct msg *out, uint8_t type, const struct msg *body)
{
	PUT(out, type, 0, (uint8_t)(body->n >> 8), (uint8_t)body->n);
	put(out, body->b, body->n);
}

/* a ClientHello then a TLS 1.3 ServerHello, as bare messages */
static void hellos(struct msg *m)
{
	struct msg body;
	m->n = 0;
	client_hello(&body);
	message(m, 1, &body);
	server_hello(&body, 0);
	message(m, 2, &body);
}

/* The handshake fields of pkt from field `from` on (not the record
 * layer's), one "depth name=value" line each, the depth relative to the
 * first tls.handshake.type's, into b. */
static void hs_fields(const struct ns_packet *pkt, uint32_t from,
		      struct ns_buf *b)
{
	int base = -1;
	for (uint32_t i = from; i < pkt->nfv; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		const char *name = fv->f->name;
		if (strncmp(name, "tls.", 4) != 0 ||
		    strncmp(name, "tls.record", 10) == 0)
			continue;
		if (base < 0)
			base = fv->depth;
		ns_buf_printf(b, "%d %s=", fv->depth - base, name);
		ns_format_value(b, fv);
		ns_buf_putc(b, '\n');
	}
	ns_buf_putc(b, 0);
}

struct told {
	int hellos;
};

static void count_hello(void *arg)
{
	((struct told *)arg)->hellos++;
}

/* Parses m[0..n) on a fresh packet; fields from *from on. */
static size_t parse_alone(const uint8_t *p, size_t n, struct ns_tls_info *in,
			  struct told *t, const char **bad, uint32_t *from,
			  size_t *left)
{
	struct ns_packet *pkt =
	    tu_dissect_full(TU_LT_EN10MB, frame, sizeof(frame));
	*from = pkt->nfv;
	struct ns_tls_hs hs = {.pkt = pkt, .info = in, .ts = 7};
	if (t) {
		hs.on_hello = count_hello;
		hs.arg = t;
	}
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	size_t used = ns_tls_hs_parse(&hs, &r);
	*bad = hs.bad;
	*left = ns_rd_left(&r);
	ck_assert_int_eq(r.err, 0);
	return used;
}

START_TEST(hs_parse_without_records)
{
	struct msg m;
	hellos(&m);
	size_t whole = m.n;
	/* the start of a Certificate that goes on in the next buffer */
	PUT(&m, 11, 0, 1, 0, 0xaa, 0xbb);
	struct ns_tls_info in;
	memset(&in, 0, sizeof(in));
	struct told t = {0};
	const char *bad;
	uint32_t from;
	size_t left;
	ck_assert_uint_eq(parse_alone(m.b, m.n, &in, &t, &bad, &from, &left),
			  whole);
	ck_assert_uint_eq(left, 6);
	ck_assert_ptr_null(bad);
	struct ns_packet *pkt = &tu_pkt;
	ck_assert_uint_eq(tu_count(pkt, "tls.handshake.type"), 2);
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.extensions_server_name"),
			 sni);
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.ja4"),
			 "t13d0308h2_5559582ccdc4_33ac81084287");
	ck_assert_str_eq(tu_value(pkt, "tls.handshake.ja3s"),
			 "f4febc55ea12b31ae17cfb7e614afda8");
	ck_assert_ptr_null(tu_find(pkt, "tls.record.content_type"));
	/* what the connection keeps, and one call back per hello */
	ck_assert_int_eq(t.hellos, 2);
	ck_assert_uint_eq(in.hellos, 1);
	ck_assert_int_eq(in.ch_ts, 7);
	ck_assert_str_eq(in.sni, sni);
	ck_assert_uint_eq(in.offered, 0x0304);
	ck_assert_str_eq(in.offered_alpn, "h2,http/1.1");
	ck_assert_str_eq(in.ja4, "t13d0308h2_5559582ccdc4_33ac81084287");
	ck_assert_uint_eq(in.version, 0x0304);
	ck_assert_uint_eq(in.cipher, 0x1301);
	ck_assert_uint_eq(in.have_cipher, 1);
	/* fewer than 4 bytes, or nothing: nothing consumed */
	ck_assert_uint_eq(parse_alone(m.b, 3, NULL, NULL, &bad, &from, &left),
			  0);
	ck_assert_uint_eq(left, 3);
	ck_assert_uint_eq(parse_alone(m.b, 0, NULL, NULL, &bad, &from, &left),
			  0);
}
END_TEST

/* Without a connection: the same fields as records parsed alone. */
START_TEST(hs_parse_equals_record_path)
{
	struct msg m, body, rec = {.n = 0};
	hellos(&m);
	client_hello(&body);
	handshake(&rec, 1, &body);
	server_hello(&body, 0);
	handshake(&rec, 2, &body);
	struct ns_buf want = {0}, got = {0};
	struct ns_packet *pkt = dissect(&rec);
	tu_assert_ok(pkt);
	hs_fields(pkt, 0, &want);
	const char *bad;
	uint32_t from;
	size_t left;
	ck_assert_uint_eq(parse_alone(m.b, m.n, NULL, NULL, &bad, &from, &left),
			  m.n);
	ck_assert_ptr_null(bad);
	hs_fields(&tu_pkt, from, &got);
	ck_assert_ptr_nonnull(strstr(want.p, "tls.handshake.ja4="));
	ck_assert_ptr_nonnull(strstr(want.p, "tls.handshake.ja3s="));
	ck_assert_str_eq(got.p, want.p);
	ns_buf_free(&want);
	ns_buf_free(&got);
}
END_TEST

/* With a connection: the fields and the struct ns_tls_info of the stream's
 * record path (client's records, then the server's). */
START_TEST(hs_parse_equals_stream_state)
{
	struct msg m, body, ch = {.n = 0}, sh = {.n = 0};
	hellos(&m);
	client_hello(&body);
	handshake(&ch, 1, &body);
	server_hello(&body, 0);
	handshake(&sh, 2, &body);
	struct conn *c = calloc(1, sizeof(*c));
	ck_assert_ptr_nonnull(c);
	conn_init(c);
	struct ns_buf want = {0}, got = {0};
	ck_assert_uint_eq(feed(c, ch.b, ch.n), ch.n);
	hs_fields(c->ctx.pkt, 0, &want);
	want.len--; /* the NUL */
	c->ctx.dir = 1;
	ck_assert_uint_eq(feed(c, sh.b, sh.n), sh.n);
	hs_fields(c->ctx.pkt, 0, &want);
	struct ns_tls_info in;
	memset(&in, 0, sizeof(in));
	struct told t = {0};
	const char *bad;
	uint32_t from;
	size_t left;
	ck_assert_uint_eq(parse_alone(m.b, m.n, &in, &t, &bad, &from, &left),
			  m.n);
	hs_fields(&tu_pkt, from, &got);
	ck_assert_str_eq(got.p, want.p);
	/* what the events told of the stream's connection */
	ck_assert_int_eq(c->ntold[NS_EV_TLS_HELLO], t.hellos);
	const struct ns_tls_info *s = &c->told;
	ck_assert_uint_eq(in.hellos, s->hellos);
	ck_assert_uint_eq(in.offered, s->offered);
	ck_assert_uint_eq(in.version, s->version);
	ck_assert_uint_eq(in.cipher, s->cipher);
	ck_assert_uint_eq(in.have_cipher, s->have_cipher);
	ck_assert_uint_eq(in.hrr, s->hrr);
	ck_assert_str_eq(in.sni, s->sni);
	ck_assert_str_eq(in.alpn, s->alpn);
	ck_assert_str_eq(in.offered_alpn, s->offered_alpn);
	ck_assert_str_eq(in.ja4, s->ja4);
	ns_buf_free(&want);
	ns_buf_free(&got);
	conn_free(c);
	free(c);
}
END_TEST

/* A malformed message is consumed and said; the next one is parsed. */
START_TEST(hs_parse_malformed_message)
{
	struct msg m = {.n = 0}, body;
	server_hello(&body, 0);
	body.n = 20; /* cut inside the random */
	message(&m, 2, &body);
	client_hello(&body);
	message(&m, 1, &body);
	const char *bad;
	uint32_t from;
	size_t left;
	ck_assert_uint_eq(parse_alone(m.b, m.n, NULL, NULL, &bad, &from, &left),
			  m.n);
	ck_assert_ptr_nonnull(bad);
	ck_assert_str_eq(bad, "ServerHello too short");
	ck_assert_str_eq(tu_value(&tu_pkt, "tls.handshake.ja4"),
			 "t13d0308h2_5559582ccdc4_33ac81084287");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tu_tcase("tls");
	tcase_add_test(tc, client_hello_fields);
	tcase_add_test(tc, ja4_alpn_non_ascii);
	tcase_add_test(tc, server_hello_and_hrr);
	tcase_add_test(tc, alerts_and_several_records);
	tcase_add_test(tc, certificate_via_libcrypto);
	tcase_add_test(tc, certificate_cached_per_run);
	tcase_add_test(tc, truncated_and_not_records);
	tcase_add_test(tc, malformed_hellos);
	tcase_add_test(tc, stream_hello_over_two_records);
	tcase_add_test(tc, probe);
	tcase_add_test(tc, hs_parse_without_records);
	tcase_add_test(tc, hs_parse_equals_record_path);
	tcase_add_test(tc, hs_parse_equals_stream_state);
	tcase_add_test(tc, hs_parse_malformed_message);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
