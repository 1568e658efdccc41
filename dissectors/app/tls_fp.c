/*
 * tls_fp — the fingerprints of a TLS hello: JA3 and JA3S as tshark
 * computes them, JA4 (TLS client) per the FoxIO specification.
 *
 * JA3 is "version,ciphers,extensions,groups,point formats" in decimal,
 * values joined by '-', GREASE (RFC 8701) left out, hashed with MD5; JA3S
 * is "version,cipher,extensions".  JA4 is a_b_c: a the transport, version,
 * SNI or not, the counts of suites and extensions and the ALPN's first and
 * last characters; b the sorted suites and c the sorted extensions (SNI
 * and ALPN left out) then the signature algorithms in wire order, each
 * hashed with SHA-256 and cut to 12 hex digits; ja4_r is the same with the
 * lists unhashed.  Other JA4+ methods are under a licence netscope does
 * not use and are absent.
 *
 * Input is the struct ns_tls_hello the handshake parser collected (its
 * lists are readers over the message, walked here on copies); strings are
 * built in the packet arena, so nothing outlives the packet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tls_int.h"

/* A string built in the packet arena with a known upper bound. */
struct sb {
	char *p;
	size_t n, cap;
};

static int sb_init(struct ns_packet *pkt, struct sb *s, size_t cap)
{
	s->p = ns_arena_alloc(&pkt->arena, cap + 1);
	s->n = 0;
	s->cap = cap;
	if (s->p)
		s->p[0] = 0;
	return s->p != NULL;
}

static void sb_c(struct sb *s, char c)
{
	if (s->p && s->n < s->cap) {
		s->p[s->n++] = c;
		s->p[s->n] = 0;
	}
}

/* sep (unless 0), then v in decimal or as 4 hex digits */
static void sb_num(struct sb *s, char sep, int hex, unsigned v)
{
	static const char hx[] = "0123456789abcdef";
	char tmp[10];
	int n = 0;
	if (hex) { /* "%04x" of the low 16 bits */
		for (int sh = 12; sh >= 0; sh -= 4)
			tmp[n++] = hx[v >> sh & 15];
	} else { /* "%u", without snprintf: it runs for every value */
		char rev[10];
		int k = 0;
		do {
			rev[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (k)
			tmp[n++] = rev[--k];
	}
	if (sep)
		sb_c(s, sep);
	for (int i = 0; i < n; i++)
		sb_c(s, tmp[i]);
}

/* JA3 lists: 16-bit values in wire order, GREASE left out, '-' between
 * (l is a copy, walked here) */
static void sb_list16(struct sb *s, struct ns_reader l)
{
	int first = 1;
	while (ns_rd_left(&l) >= 2) {
		uint16_t v = ns_rd_u16(&l);
		if (ns_tls_is_grease(v))
			continue;
		sb_num(s, first ? 0 : '-', 0, v);
		first = 0;
	}
}

/* The first `digits` hex digits of the digest of s[0..n), into out. */
static void hex_digest(const EVP_MD *md, const char *s, size_t n, char *out,
		       size_t digits)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dn = 0;
	static const char hx[] = "0123456789abcdef";
	if (!EVP_Digest(s, n, d, &dn, md, NULL))
		dn = 0;
	size_t i;
	for (i = 0; i < digits && i / 2 < dn; i++)
		out[i] = hx[i % 2 ? d[i / 2] & 15 : d[i / 2] >> 4];
	for (; i < digits; i++)
		out[i] = '0';
	out[digits] = 0;
}

static const char *add_md5(struct ns_packet *pkt, int f, const struct sb *s)
{
	char *h = ns_arena_alloc(&pkt->arena, 33);
	if (!h || !s->p)
		return NULL;
	hex_digest(EVP_md5(), s->p, s->n, h, 32);
	ns_tls_add_str(pkt, f, h);
	return h;
}

const char *ns_tls_ja3(struct ns_packet *pkt, const struct ns_tls_hello *h)
{
	struct sb s;
	size_t nvals = ns_rd_left(&h->cs) / 2 + h->next +
		       ns_rd_left(&h->grp) / 2 + ns_rd_left(&h->pf);
	if (!sb_init(pkt, &s, 32 + 6 * nvals))
		return NULL;
	sb_num(&s, 0, 0, h->version);
	sb_c(&s, ',');
	if (h->server)
		sb_num(&s, 0, 0, h->cipher);
	else
		sb_list16(&s, h->cs);
	sb_c(&s, ',');
	int first = 1;
	for (size_t i = 0; i < h->next; i++) {
		if (ns_tls_is_grease(h->ext[i]))
			continue;
		sb_num(&s, first ? 0 : '-', 0, h->ext[i]);
		first = 0;
	}
	if (!h->server) {
		sb_c(&s, ',');
		sb_list16(&s, h->grp);
		sb_c(&s, ',');
		struct ns_reader pf = h->pf;
		for (size_t i = 0; ns_rd_left(&pf); i++)
			sb_num(&s, i ? '-' : 0, 0, ns_rd_u8(&pf));
	}
	ns_tls_add_str(pkt, h->server ? F_JA3S_FULL : F_JA3_FULL, s.p);
	return add_md5(pkt, h->server ? F_JA3S : F_JA3, &s);
}

/* ---- JA4 ----------------------------------------------------------------- */

static int cmp16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return x < y ? -1 : x > y;
}

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return "13";
	case 0x0303:
		return "12";
	case 0x0302:
		return "11";
	case 0x0301:
		return "10";
	case 0x0300:
		return "s3";
	case 0x0200:
	case 0x0002:
		return "s2";
	case 0xfeff:
		return "d1";
	case 0xfefd:
		return "d2";
	case 0xfefc:
		return "d3";
	default:
		return "00";
	}
}

/* The first and last characters of the first ALPN protocol, as FoxIO's
 * reference implementations print them (they read Wireshark's string of
 * it, and define what users compare with): a non-ASCII first character
 * makes "99", a non-ASCII last one '9', printable ASCII stays as it is; a
 * control character, which neither can print, its hex digit as the
 * written specification says.  "00" without ALPN. */
static void ja4_alpn(const struct ns_tls_hello *h, char out[3])
{
	static const char hx[] = "0123456789abcdef";
	strcpy(out, "00");
	if (!h->alpn || !h->alpn_len)
		return;
	struct ns_reader a;
	ns_rd_init(&a, h->alpn, h->alpn_len);
	uint8_t f = ns_rd_peek(&a, 0), l = ns_rd_peek(&a, h->alpn_len - 1);
	if (f >= 0x80) {
		strcpy(out, "99");
		return;
	}
	out[0] = f >= 0x20 && f < 0x7f ? (char)f : hx[f >> 4];
	out[1] = l >= 0x80 ? '9' : l >= 0x20 && l < 0x7f ? (char)l : hx[l & 15];
}

/* The hello's values that JA4 hashes, GREASE left out, sorted. */
struct ja4_lists {
	uint16_t *c, *e; /* cipher suites; extensions but SNI and ALPN */
	size_t nc, ne;
	size_t nall; /* every extension but GREASE, SNI and ALPN included */
};

static int ja4_lists(struct ns_packet *pkt, const struct ns_tls_hello *h,
		     struct ja4_lists *j)
{
	memset(j, 0, sizeof(*j));
	j->c = ns_arena_alloc(&pkt->arena, (ns_rd_left(&h->cs) / 2 + 1) * 2);
	j->e = ns_arena_alloc(&pkt->arena, (h->next + 1) * 2);
	if (!j->c || !j->e)
		return -1;
	struct ns_reader cs = h->cs;
	while (ns_rd_left(&cs) >= 2) {
		uint16_t v = ns_rd_u16(&cs);
		if (!ns_tls_is_grease(v))
			j->c[j->nc++] = v;
	}
	for (size_t i = 0; i < h->next; i++) {
		if (ns_tls_is_grease(h->ext[i]))
			continue;
		j->nall++;
		/* SNI and ALPN are counted but not hashed */
		if (h->ext[i] != 0x0000 && h->ext[i] != 0x0010)
			j->e[j->ne++] = h->ext[i];
	}
	qsort(j->c, j->nc, 2, cmp16);
	qsort(j->e, j->ne, 2, cmp16);
	return 0;
}

/* JA4's b and c parts unhashed: "1301,1302" and "000a,000d_0403,0804". */
static int ja4_raw(struct ns_packet *pkt, const struct ns_tls_hello *h,
		   const struct ja4_lists *j, struct sb *cs, struct sb *es)
{
	struct ns_reader sig = h->sig;
	if (!sb_init(pkt, cs, 5 * j->nc + 1) ||
	    !sb_init(pkt, es, 5 * j->ne + 5 * (ns_rd_left(&sig) / 2) + 2))
		return -1;
	for (size_t i = 0; i < j->nc; i++)
		sb_num(cs, i ? ',' : 0, 1, j->c[i]);
	for (size_t i = 0; i < j->ne; i++)
		sb_num(es, i ? ',' : 0, 1, j->e[i]);
	int first = 1;
	while (ns_rd_left(&sig) >= 2) {
		uint16_t v = ns_rd_u16(&sig);
		if (ns_tls_is_grease(v))
			continue;
		if (first)
			sb_c(es, '_');
		sb_num(es, first ? 0 : ',', 1, v);
		first = 0;
	}
	return 0;
}

/* A part's hash: 12 hex digits of SHA-256, or zeros for an empty list. */
static void ja4_hash(const struct sb *s, size_t count, char out[13])
{
	if (count)
		hex_digest(EVP_sha256(), s->p, s->n, out, 12);
	else
		strcpy(out, "000000000000");
}

const char *ns_tls_ja4(struct ns_packet *pkt, const struct ns_tls_hello *h)
{
	struct ja4_lists j;
	if (ja4_lists(pkt, h, &j) < 0)
		return NULL;
	char alpn[3], a[16];
	ja4_alpn(h, alpn);
	snprintf(a, sizeof(a), "%c%s%c%02u%02u%s", h->quic ? 'q' : 't',
		 ja4_version(h->max_sv ? h->max_sv : h->version),
		 h->has_sni ? 'd' : 'i', (unsigned)(j.nc > 99 ? 99 : j.nc),
		 (unsigned)(j.nall > 99 ? 99 : j.nall), alpn);
	struct sb cs, es;
	if (ja4_raw(pkt, h, &j, &cs, &es) < 0)
		return NULL;
	char hb[13], hc[13];
	ja4_hash(&cs, j.nc, hb);
	ja4_hash(&es, j.ne, hc); /* zeros without extensions, sigs or not */
	char *fp = ns_arena_printf(&pkt->arena, "%s_%s_%s", a, hb, hc);
	ns_tls_add_str(pkt, F_JA4, fp);
	char *r = ns_arena_printf(&pkt->arena, "%s_%s_%s", a, cs.p, es.p);
	ns_tls_add_str(pkt, F_JA4_R, r);
	return fp;
}
