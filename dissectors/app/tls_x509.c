/*
 * tls_x509 — what a certificate of a TLS Certificate message says:
 * subject and issuer (RFC 2253 strings), subject alternative names (DNS
 * names and IP addresses), validity, the public key's type and size or
 * curve, and the signature algorithms of embedded SCTs (RFC 6962 §3.2).
 *
 * The DER is parsed by libcrypto's d2i_X509, never by hand (X.509 and
 * ASN.1 are where hand-written parsers go wrong); libcrypto bounds its
 * reads by the length it is given, the certificate's extent in the
 * message.  Strings are copied into the packet arena; the X509 object is
 * freed before returning.
 *
 * Servers send the same chain on every full handshake, and d2i_X509 is
 * dear (about a million instructions a certificate, most of it OpenSSL 3
 * decoding the public key), so the fields a certificate gave are kept in
 * the run's cache (core/fcache.h, an engine slot: CERT_CACHE_MAX
 * certificates from the budget, the least recently used going first)
 * keyed by its DER bytes, and a certificate seen again is shown from
 * there, field for field what the parse recorded.
 */
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/ct.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/buf.h"
#include "core/engine.h"
#include "core/fcache.h"
#include "tls_int.h"

#define CERT_CACHE_MAX 64
#define CERT_DER_MAX   (64 * 1024) /* larger ones are parsed every time */

/* A name as one RFC 2253 line, into the packet arena. */
static void add_name(struct ns_packet *pkt, int f, const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		char *p;
		long n = BIO_get_mem_data(b, &p);
		if (n > 0) {
			char *s = ns_arena_strndup(&pkt->arena, p, (size_t)n);
			ns_tls_add_str(pkt, f, s);
		}
	}
	BIO_free(b);
}

static void add_time(struct ns_packet *pkt, int f, const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return;
	ns_add_int(pkt, TF(f), 0, 0, (int64_t)timegm(&tm) * 1000000000);
}

/* One subject alternative name as text: a DNS name, a URI (a SPIFFE ID),
 * or an IPv4 or IPv6 address; NULL for other kinds. */
static char *san_text(struct ns_packet *pkt, const GENERAL_NAME *g)
{
	const ASN1_STRING *s = g->type == GEN_DNS ? g->d.dNSName
			       : g->type == GEN_URI
				   ? g->d.uniformResourceIdentifier
			       : g->type == GEN_IPADD ? g->d.iPAddress
						      : NULL;
	if (!s)
		return NULL;
	const uint8_t *d = ASN1_STRING_get0_data(s);
	int len = ASN1_STRING_length(s);
	if (g->type == GEN_DNS || g->type == GEN_URI)
		return ns_arena_strndup(&pkt->arena, (const char *)d,
					(size_t)len);
	if (len != 4 && len != 16)
		return NULL;
	struct ns_buf b = {0};
	if (len == 4)
		ns_buf_ipv4(&b, d);
	else
		ns_buf_ipv6(&b, d);
	char *v = ns_arena_strndup(&pkt->arena, b.p, b.len);
	ns_buf_free(&b);
	return v;
}

static void add_sans(struct ns_packet *pkt, const X509 *x)
{
	GENERAL_NAMES *sans =
	    X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
		const char *t = san_text(pkt, g);
		ns_tls_add_str(pkt, F_CERT_SAN, t);
		/* Wireshark's name for a URI name (SPIFFE IDs) */
		if (g->type == GEN_URI)
			ns_tls_add_str(pkt, F_CERT_URI, t);
	}
	GENERAL_NAMES_free(sans);
}

/* The signature algorithms of embedded SCTs, in TLS's numbering, as
 * tshark reports them (tls.handshake.sig_hash_alg). */
static void add_sct_algs(struct ns_packet *pkt, const X509 *x)
{
	STACK_OF(SCT) *scts =
	    X509_get_ext_d2i(x, NID_ct_precert_scts, NULL, NULL);
	for (int i = 0; scts && i < sk_SCT_num(scts); i++) {
		int nid = SCT_get_signature_nid(sk_SCT_value(scts, i));
		uint16_t alg = nid == NID_ecdsa_with_SHA256	    ? 0x0403
			       : nid == NID_sha256WithRSAEncryption ? 0x0401
								    : 0;
		if (alg)
			ns_add_uint(pkt, TF(F_SIGALG), 0, 0, alg);
	}
	SCT_LIST_free(scts);
}

/* "EC prime256v1", "RSA 2048": the key's type and curve, or its size. */
static void add_key(struct ns_packet *pkt, X509 *x)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	if (!k)
		return;
	char grp[64] = "";
	size_t gl = 0;
	const char *kind = EVP_PKEY_get0_type_name(k);
	if (!kind)
		kind = "?";
	char *s;
	if (EVP_PKEY_get_group_name(k, grp, sizeof(grp), &gl) && gl)
		s = ns_arena_printf(&pkt->arena, "%s %s", kind, grp);
	else
		s = ns_arena_printf(&pkt->arena, "%s %d", kind,
				    EVP_PKEY_get_bits(k));
	ns_tls_add_str(pkt, F_CERT_KEY, s);
}

static void cache_free(void *state)
{
	ns_fcache_fini(state);
}

/* The run's certificate cache, or NULL (no engine, or no memory). */
static struct ns_fcache *cache_of(struct ns_packet *pkt)
{
	if (!pkt->eng || pkt->quoted)
		return NULL;
	/* owned by the certificate field's declaration: one per run */
	struct ns_fcache *c =
	    ns_engine_slot(pkt->eng, TF(F_CERT), sizeof(*c), cache_free);
	if (c && !c->max)
		ns_fcache_init(c, &pkt->eng->mem, CERT_CACHE_MAX, CERT_DER_MAX);
	return c;
}

int ns_tls_x509(struct ns_packet *pkt, const uint8_t *der, size_t n)
{
	struct ns_fcache *c = cache_of(pkt);
	uint8_t depth0 = pkt->depth;
	ns_tree_push(pkt);
	if (c && ns_fcache_replay(c, pkt, der, n)) {
		ns_tree_pop(pkt);
		return 0;
	}
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)n);
	if (!x) {
		pkt->depth = depth0; /* nothing recorded, no level opened */
		return -1;
	}
	uint32_t from = pkt->nfv, dropped = pkt->fv_dropped;
	uint8_t depth = pkt->depth;
	add_name(pkt, F_CERT_SUBJECT, X509_get_subject_name(x));
	add_name(pkt, F_CERT_ISSUER, X509_get_issuer_name(x));
	add_sans(pkt, x);
	add_sct_algs(pkt, x);
	add_time(pkt, F_CERT_NOT_BEFORE, X509_get0_notBefore(x));
	add_time(pkt, F_CERT_NOT_AFTER, X509_get0_notAfter(x));
	add_key(pkt, x);
	/* kept unless a field may be missing: the packet's fields or its
	 * arena ran out (a parse of the same bytes elsewhere would show
	 * more) */
	if (c && pkt->fv_dropped == dropped &&
	    pkt->arena.total + (2u << 20) <= pkt->arena.cap)
		ns_fcache_store(c, pkt, from, depth, der, n);
	ns_tree_pop(pkt);
	X509_free(x);
	return 0;
}
