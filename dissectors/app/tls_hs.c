/*
 * tls_hs — TLS handshake messages (RFC 8446 §4, RFC 5246 §7.4): the
 * parser behind proto/tls_hs.h, one for every carrier (records in the
 * clear now; decrypted TLS 1.3 records and QUIC CRYPTO frames later).
 *
 * Decoded: ClientHello and ServerHello (and HelloRetryRequest, a
 * ServerHello with a special random, §4.1.3) with their extensions
 * (server_name, ALPN, supported_groups, ec_point_formats,
 * signature_algorithms, supported_versions, key_share,
 * psk_key_exchange_modes; the others by type and length) and fingerprints
 * (tls_fp.c); the Certificate of TLS 1.2 and below, each certificate
 * decoded by tls_x509.c; ServerKeyExchange (the ECDHE curve and the
 * signature algorithm); TLS 1.2's CertificateRequest and CertificateVerify
 * (signature algorithms); Finished (verify_data).  Other messages are
 * shown by type and length.
 *
 * Every read goes through the reader; a message is parsed within a
 * sub-reader of its stated length, so a bad length inside it cannot reach
 * the next one.  A malformed part sets hs->bad (the first reason wins) and
 * parsing goes on with the next extension or message: what was sound is
 * shown.  Nothing is kept between calls but what the caller passes in
 * (struct ns_tls_info).
 */
#include <stdio.h>
#include <string.h>

#include "core/txn.h"
#include "proto/tls_hs.h"
#include "tls_int.h"

static void bad(struct ns_tls_hs *hs, const char *why)
{
	if (!hs->bad)
		hs->bad = why;
}

static uint32_t get_u24(struct ns_packet *pkt, struct ns_reader *r, int f)
{
	uint32_t off = ns_rd_off(r);
	uint32_t v = ns_rd_u24(r);
	if (!r->err)
		ns_add_uint(pkt, TF(f), off, 3, v);
	return v;
}

/* A list of 16-bit values with a `lenbytes`-byte length prefix (recorded
 * as field lenf unless it is -1), each recorded as field f; returns a
 * reader over the values, empty when the list is malformed. */
static struct ns_reader list16(struct ns_tls_hs *hs, struct ns_reader *r,
			       int lenbytes, int lenf, int f)
{
	uint32_t off = ns_rd_off(r);
	size_t len = lenbytes == 1 ? ns_rd_u8(r) : ns_rd_u16(r);
	if (lenf >= 0 && !r->err)
		ns_add_uint(hs->pkt, TF(lenf), off, (uint32_t)lenbytes, len);
	struct ns_reader l = ns_rd_sub(r, len);
	if (len % 2 || r->err) {
		bad(hs, "bad list length");
		return (struct ns_reader){0};
	}
	struct ns_reader values = l;
	while (ns_rd_left(&l) >= 2)
		ns_get_u16(hs->pkt, &l, TF(f));
	return values;
}

/* ---- extensions ---------------------------------------------------------- */

/* server_name, RFC 6066 §3: host names are shown, the first kept. */
static void ext_sni(struct ns_tls_hs *hs, struct ns_reader *r,
		    struct ns_tls_hello *h)
{
	h->has_sni = 1;
	if (ns_rd_left(r) == 0)
		return; /* a server's acknowledgement */
	struct ns_reader l = ns_rd_sub(r, ns_rd_u16(r));
	while (ns_rd_left(&l) >= 3 && !l.err) {
		uint8_t nt = ns_rd_u8(&l);
		uint16_t nl = ns_rd_u16(&l);
		uint32_t off = ns_rd_off(&l);
		const uint8_t *name = ns_rd_ptr(&l, nl);
		if (!name)
			break;
		if (nt != 0) /* not host_name */
			continue;
		ns_add_bytes(hs->pkt, TF(F_SNI), off, nl, name, nl);
		if (!h->sni) {
			h->sni = name;
			h->sni_len = nl;
		}
	}
	if (l.err)
		bad(hs, "bad server_name");
}

/* application_layer_protocol_negotiation, RFC 7301 §3.1 */
static void ext_alpn(struct ns_tls_hs *hs, struct ns_reader *r,
		     struct ns_tls_hello *h)
{
	struct ns_reader l = ns_rd_sub(r, ns_rd_u16(r));
	h->alpn_list = l;
	if (l.err) /* no list when its length could not be read */
		h->alpn_list = (struct ns_reader){0};
	while (ns_rd_left(&l) && !l.err) {
		uint8_t pl = ns_rd_u8(&l);
		uint32_t off = ns_rd_off(&l);
		const uint8_t *p = ns_rd_ptr(&l, pl);
		if (!p)
			break;
		ns_add_bytes(hs->pkt, TF(F_ALPN), off, pl, p, pl);
		if (!h->alpn) {
			h->alpn = p;
			h->alpn_len = pl;
		}
	}
	if (l.err)
		bad(hs, "bad ALPN list");
}

/* ec_point_formats, RFC 8422 §5.1.2 */
static void ext_point_formats(struct ns_tls_hs *hs, struct ns_reader *r,
			      struct ns_tls_hello *h)
{
	struct ns_reader l = ns_rd_sub(r, ns_rd_u8(r));
	h->pf = l;
	while (ns_rd_left(&l))
		ns_get_u8(hs->pkt, &l, TF(F_POINT_FMT));
	if (r->err) /* shown as far as it goes, not fingerprinted */
		h->pf = (struct ns_reader){0};
}

/* supported_versions, RFC 8446 §4.2.1: a list from the client, the one
 * chosen from the server; the highest (not GREASE) is kept. */
static void ext_versions(struct ns_tls_hs *hs, struct ns_reader *r,
			 struct ns_tls_hello *h)
{
	if (h->server) {
		h->max_sv = ns_get_u16(hs->pkt, r, TF(F_SV));
		return;
	}
	struct ns_reader v = list16(hs, r, 1, -1, F_SV);
	while (ns_rd_left(&v) >= 2) {
		uint16_t x = ns_rd_u16(&v);
		if (!ns_tls_is_grease(x) && x > h->max_sv)
			h->max_sv = x;
	}
}

/* key_share, RFC 8446 §4.2.8: the client's groups, the server's one, or
 * the group a HelloRetryRequest asks for. */
static void ext_key_share(struct ns_tls_hs *hs, struct ns_reader *r,
			  struct ns_tls_hello *h)
{
	struct ns_packet *pkt = hs->pkt;
	if (h->hrr) {
		ns_get_u16(pkt, r, TF(F_KS_SEL_GROUP));
		return;
	}
	if (h->server) {
		ns_get_u16(pkt, r, TF(F_KS_GROUP));
		ns_rd_skip(r, ns_rd_u16(r));
		return;
	}
	struct ns_reader l = ns_rd_sub(r, ns_rd_u16(r));
	while (ns_rd_left(&l) && !l.err) {
		ns_get_u16(pkt, &l, TF(F_KS_GROUP));
		ns_rd_skip(&l, ns_rd_u16(&l)); /* the key */
	}
	if (l.err)
		bad(hs, "bad key_share");
}

/* psk_key_exchange_modes, RFC 8446 §4.2.9 */
static void ext_psk_modes(struct ns_tls_hs *hs, struct ns_reader *r)
{
	struct ns_reader m = ns_rd_sub(r, ns_rd_u8(r));
	while (ns_rd_left(&m))
		ns_get_u8(hs->pkt, &m, TF(F_PSK_MODE));
}

static void ext_body(struct ns_tls_hs *hs, struct ns_reader *r, uint16_t type,
		     struct ns_tls_hello *h)
{
	switch (type) {
	case 0:
		ext_sni(hs, r, h);
		break;
	case 16:
		ext_alpn(hs, r, h);
		break;
	case 10: /* supported_groups, RFC 8446 §4.2.7 */
		h->grp = list16(hs, r, 2, -1, F_GROUP);
		break;
	case 11:
		ext_point_formats(hs, r, h);
		break;
	case 13: /* signature_algorithms, RFC 8446 §4.2.3 */
		h->sig = list16(hs, r, 2, -1, F_SIGALG);
		break;
	case 43:
		ext_versions(hs, r, h);
		break;
	case 51:
		ext_key_share(hs, r, h);
		break;
	case 45:
		ext_psk_modes(hs, r);
		break;
	default: /* named by its type; content not decoded */
		ns_rd_skip(r, ns_rd_left(r));
		break;
	}
}

/* The extensions of a hello (RFC 8446 §4.2), each within its length. */
static void extensions(struct ns_tls_hs *hs, struct ns_reader *r,
		       struct ns_tls_hello *h)
{
	struct ns_packet *pkt = hs->pkt;
	if (ns_rd_left(r) == 0)
		return; /* no extensions at all (RFC 5246 §7.4.1.2) */
	uint16_t len = ns_get_u16(pkt, r, TF(F_EXT_LEN));
	struct ns_reader l = ns_rd_sub(r, len);
	if (r->err) {
		bad(hs, "extensions past the message");
		r->err = 0;
	}
	h->ext = ns_arena_alloc(&pkt->arena, (ns_rd_left(&l) / 4 + 1) * 2);
	if (!h->ext)
		return;
	while (ns_rd_left(&l) >= 4) {
		uint16_t type = ns_get_u16(pkt, &l, TF(F_EXT_TYPE));
		uint16_t elen = ns_get_u16(pkt, &l, TF(F_EXT_LENGTH));
		h->ext[h->next++] = type;
		struct ns_reader e = ns_rd_sub(&l, elen);
		if (l.err) {
			bad(hs, "extension past the extensions");
			break;
		}
		ns_tree_push(pkt);
		ext_body(hs, &e, type, h);
		ns_tree_pop(pkt);
		if (e.err)
			bad(hs, "extension shorter than its content");
		else if (ns_rd_left(&e))
			bad(hs, "extension longer than its content");
	}
	if (ns_rd_left(&l))
		bad(hs, "bytes after the last extension");
}

/* ---- hellos -------------------------------------------------------------- */

/* The offered ALPN list as "a,b,c" (TLS 1.3 hides the answer); l is a
 * copy, walked here. */
static void offered_alpn(struct ns_tls_info *in, struct ns_reader l)
{
	char *out = in->offered_alpn;
	size_t o = 0, cap = sizeof(in->offered_alpn);
	while (ns_rd_left(&l) && o + 2 < cap) {
		size_t pl = ns_rd_u8(&l);
		if (o)
			out[o++] = ',';
		for (; pl && ns_rd_left(&l); pl--) {
			char c = (char)ns_rd_u8(&l);
			if (o + 1 < cap)
				out[o++] = c;
		}
	}
	out[o] = 0;
}

/* What the connection keeps of a ClientHello. */
static void remember_client(struct ns_tls_hs *hs, const struct ns_tls_hello *h,
			    const char *ja3, const char *ja4)
{
	struct ns_tls_info *in = hs->info;
	if (ja4 && !in->ja4[0])
		snprintf(in->ja4, sizeof(in->ja4), "%s", ja4);
	if (ja3 && !in->ja3[0])
		snprintf(in->ja3, sizeof(in->ja3), "%s", ja3);
	if (!in->hellos++) {
		in->ch_ts = hs->ts;
		if (h->sni)
			snprintf(in->sni, sizeof(in->sni), "%.*s",
				 (int)h->sni_len, (const char *)h->sni);
	}
	in->offered = h->max_sv ? h->max_sv : h->version;
	offered_alpn(in, h->alpn_list);
}

/* What the connection keeps of a ServerHello: the version and suite
 * chosen, which later messages' formats depend on. */
static void remember_server(struct ns_tls_info *in,
			    const struct ns_tls_hello *h, const char *ja3s)
{
	if (ja3s)
		snprintf(in->ja3s, sizeof(in->ja3s), "%s", ja3s);
	in->version = h->max_sv ? h->max_sv : h->version;
	in->cipher = h->cipher;
	in->etm = 0;
	for (size_t i = 0; i < h->next; i++)
		in->etm |= h->ext[i] == 22; /* encrypt_then_mac, RFC 7366 */
	in->have_cipher = 1;
	in->hrr |= (uint8_t)h->hrr;
	in->alpn[0] = 0;
	if (h->alpn)
		snprintf(in->alpn, sizeof(in->alpn), "%.*s", (int)h->alpn_len,
			 (const char *)h->alpn);
}

/* What both hellos start with: version, random, session id. */
static void hello_start(struct ns_tls_hs *hs, struct ns_reader *r,
			struct ns_tls_hello *h)
{
	struct ns_packet *pkt = hs->pkt;
	h->version = ns_get_u16(pkt, r, TF(F_HS_VERSION));
	const uint8_t *rnd = ns_get_bytes(pkt, r, TF(F_RANDOM), 32);
	h->hrr = h->server && rnd && memcmp(rnd, ns_tls_hrr_random, 32) == 0;
	uint8_t sl = ns_get_u8(pkt, r, TF(F_SID_LEN));
	if (sl)
		ns_get_bytes(pkt, r, TF(F_SID), sl);
}

/* ClientHello (RFC 8446 §4.1.2) and ServerHello (§4.1.3). */
static void hello(struct ns_tls_hs *hs, struct ns_reader *r, int server)
{
	struct ns_packet *pkt = hs->pkt;
	struct ns_tls_hello h;
	memset(&h, 0, sizeof(h));
	h.server = server;
	h.quic = hs->quic;
	hello_start(hs, r, &h);
	if (server) {
		h.cipher = ns_get_u16(pkt, r, TF(F_CS));
		ns_get_u8(pkt, r, TF(F_COMP));
	} else {
		h.cs = list16(hs, r, 2, F_CS_LEN, F_CS);
		uint8_t cl = ns_get_u8(pkt, r, TF(F_COMP_LEN));
		struct ns_reader c = ns_rd_sub(r, cl);
		while (ns_rd_left(&c))
			ns_get_u8(pkt, &c, TF(F_COMP));
	}
	if (r->err) {
		bad(hs,
		    server ? "ServerHello too short" : "ClientHello too short");
		return;
	}
	extensions(hs, r, &h);
	const char *ja3 = ns_tls_ja3(pkt, &h);
	const char *ja4 = server ? NULL : ns_tls_ja4(pkt, &h);
	if (!hs->info)
		return;
	if (server)
		remember_server(hs->info, &h, ja3);
	else
		remember_client(hs, &h, ja3, ja4);
	if (hs->on_hello)
		hs->on_hello(hs->arg);
}

/* ---- the other messages -------------------------------------------------- */

/* Certificate (RFC 5246 §7.4.2): a 24-bit-length list of 24-bit-length
 * DER certificates; in TLS 1.3 (RFC 8446 §4.4.2) after a request context,
 * and each certificate followed by its extensions. */
static void certificate(struct ns_tls_hs *hs, struct ns_reader *r, int tls13)
{
	struct ns_packet *pkt = hs->pkt;
	if (tls13)
		ns_rd_skip(r, ns_rd_u8(r)); /* certificate_request_context */
	uint32_t len = get_u24(pkt, r, F_CERTS_LEN);
	struct ns_reader l = ns_rd_sub(r, len);
	while (ns_rd_left(&l) >= 3 && !l.err) {
		uint32_t cl = get_u24(pkt, &l, F_CERT_LEN);
		const uint8_t *der = ns_get_bytes(pkt, &l, TF(F_CERT), cl);
		if (!der)
			break;
		if (ns_tls_x509(pkt, der, cl) < 0)
			bad(hs, "certificate not DER X.509");
		if (tls13)
			ns_rd_skip(&l, ns_rd_u16(&l)); /* its extensions */
	}
	if (l.err || r->err || ns_rd_left(&l))
		bad(hs, "bad certificate list");
}

/* EncryptedExtensions (RFC 8446 §4.3.1), seen once decrypted: in TLS 1.3
 * the server's ALPN choice is here, not in the ServerHello. */
static void encrypted_extensions(struct ns_tls_hs *hs, struct ns_reader *r)
{
	struct ns_tls_hello h;
	memset(&h, 0, sizeof(h));
	h.server = 1;
	if (ns_rd_left(r) < 2) {
		bad(hs, "EncryptedExtensions too short");
		return;
	}
	extensions(hs, r, &h);
	if (hs->info && h.alpn)
		snprintf(hs->info->alpn, sizeof(hs->info->alpn), "%.*s",
			 (int)h.alpn_len, (const char *)h.alpn);
}

/* ServerKeyExchange (RFC 8422 §5.4, RFC 5246 §7.4.3): the ECDHE curve, and
 * in TLS 1.2 the signature algorithm after the parameters.  Which key
 * exchange it is comes from the ServerHello's suite when known. */
static void server_key_exchange(struct ns_tls_hs *hs, struct ns_reader *r)
{
	struct ns_packet *pkt = hs->pkt;
	const struct ns_tls_info *in = hs->info;
	int ecdhe, dhe = 0;
	if (in && in->have_cipher) {
		const char *name = ns_tls_name(F_CS, in->cipher);
		ecdhe = name && strstr(name, "_ECDHE_") != NULL;
		dhe = name && strstr(name, "_DHE_") != NULL;
	} else {
		struct ns_reader c = *r; /* looks like ECParameters? */
		ecdhe = ns_rd_u8(&c) == 3;
	}
	if (ecdhe) {
		uint8_t t = ns_get_u8(pkt, r, TF(F_CURVE_TYPE));
		if (t != 3)
			return;
		ns_get_u16(pkt, r, TF(F_NAMED_CURVE));
		ns_rd_skip(r, ns_rd_u8(r)); /* the public key */
	} else if (dhe) {
		for (int i = 0; i < 3; i++) /* p, g, Ys */
			ns_rd_skip(r, ns_rd_u16(r));
	} else {
		return;
	}
	if (in && in->version == 0x0303 && ns_rd_left(r) >= 2)
		ns_get_u16(pkt, r, TF(F_SIGALG));
	ns_rd_skip(r, ns_rd_left(r)); /* the signature */
	if (r->err)
		bad(hs, "ServerKeyExchange too short");
}

/* CertificateRequest of TLS 1.2 (RFC 5246 §7.4.4): its signature
 * algorithms. */
static void certificate_request(struct ns_tls_hs *hs, struct ns_reader *r)
{
	ns_rd_skip(r, ns_rd_u8(r)); /* certificate types */
	list16(hs, r, 2, -1, F_SIGALG);
	ns_rd_skip(r, ns_rd_left(r)); /* distinguished names */
}

/* CertificateRequest of TLS 1.3 (RFC 8446 §4.3.2), seen once decrypted:
 * a request context and extensions (signature algorithms, certificate
 * authorities). */
static void certificate_request13(struct ns_tls_hs *hs, struct ns_reader *r)
{
	struct ns_tls_hello h;
	memset(&h, 0, sizeof(h));
	h.server = 1;
	ns_rd_skip(r, ns_rd_u8(r)); /* certificate_request_context */
	extensions(hs, r, &h);
}

/* One whole message, r confined to it. */
static void hs_message(struct ns_tls_hs *hs, struct ns_reader *r)
{
	struct ns_packet *pkt = hs->pkt;
	const struct ns_tls_info *in = hs->info;
	uint8_t type = ns_get_u8(pkt, r, TF(F_HS_TYPE));
	get_u24(pkt, r, F_HS_LEN);
	int tls12 = in && in->version == 0x0303;
	switch (type) {
	case 1:
	case 2:
		hello(hs, r, type == 2);
		break;
	case 8:
		encrypted_extensions(hs, r);
		break;
	case 11: /* TLS 1.3's (§4.4.2) has another layout */
		certificate(hs, r, in && in->version >= 0x0304);
		break;
	case 12:
		server_key_exchange(hs, r);
		break;
	case 13:
		if (tls12)
			certificate_request(hs, r);
		else if (in && in->version >= 0x0304)
			certificate_request13(hs, r);
		break;
	case 15: /* CertificateVerify (RFC 5246 §7.4.8) */
		if (tls12)
			ns_get_u16(pkt, r, TF(F_SIGALG));
		ns_rd_skip(r, ns_rd_left(r));
		break;
	case 20: /* Finished */
		ns_get_bytes(pkt, r, TF(F_VERIFY_DATA),
			     (uint32_t)ns_rd_left(r));
		break;
	default:
		break;
	}
	if (r->err)
		bad(hs, "handshake message shorter than its content");
}

size_t ns_tls_hs_parse(struct ns_tls_hs *hs, struct ns_reader *r)
{
	uint32_t start = ns_rd_off(r);
	for (;;) {
		struct ns_reader h = *r; /* the header, looked at */
		ns_rd_u8(&h);
		uint32_t len = ns_rd_u24(&h);
		if (h.err || len > ns_rd_left(&h))
			break; /* not whole here: the caller's to join */
		struct ns_reader m = ns_rd_sub(r, 4 + (size_t)len);
		hs_message(hs, &m);
	}
	return ns_rd_off(r) - start;
}
