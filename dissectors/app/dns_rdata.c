/*
 * dns_rdata — the data of DNS resource records: one small function per
 * type, found in a table by type number, each recording its fields
 * (Wireshark's names) and writing the record's text for dns.rr in
 * master-file style (RFC 1035 5.1 and each type's RFC).
 *
 * Types: A, AAAA (RFC 3596), NS, CNAME, PTR, DNAME (RFC 6672), MX, TXT and
 * SPF (every string), SOA, SRV (RFC 2782), CAA (RFC 8659), NAPTR (RFC
 * 3403), SVCB/HTTPS with their SvcParams (RFC 9460), OPT (RFC 6891) with
 * client subnet (RFC 7871), cookie (RFC 7873), keepalive (RFC 7828),
 * padding (RFC 7830) and extended error (RFC 8914), DS, CDS, DNSKEY,
 * CDNSKEY with the key tag (RFC 4034 appendix B), RRSIG, NSEC, NSEC3 and
 * NSEC3PARAM (RFC 5155; type bitmaps as tshark lists them, dns.resp.type).
 * Any other type gets RFC 3597's generic form `\# len hex`.
 *
 * A decoder reads only within the record's rdlength (its reader is the
 * record data's sub-cursor).  Data that does not fit its type's layout is
 * shown as far as it goes, and the summary falls back to RFC 3597's form;
 * the message goes on with the next record (a soft error, as in tshark).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dns_int.h"

/* ---- the record's text (dns.rr), capped at RR_TEXT_MAX -------------- */

static int rr_full(const struct dns_msg *m)
{
	return m->rr.len >= RR_TEXT_MAX;
}

static void rr_puts(struct dns_msg *m, const char *s)
{
	if (!rr_full(m))
		ns_buf_puts(&m->rr, s);
}

static void rr_name(struct dns_msg *m, const struct dns_name *nm)
{
	if (!rr_full(m))
		ns_buf_put(&m->rr, nm->text, nm->n);
}

/* A target name, where the root is written "." (SVCB, NAPTR). */
static void rr_target(struct dns_msg *m, const struct dns_name *nm)
{
	if (nm->n == 6 && memcmp(nm->text, "<Root>", 6) == 0)
		rr_puts(m, ".");
	else
		rr_name(m, nm);
}

static void rr_printf(struct dns_msg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void rr_printf(struct dns_msg *m, const char *fmt, ...)
{
	if (rr_full(m))
		return;
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	ns_buf_puts(&m->rr, tmp);
}

/* What is left of s, in hex. */
static void rr_hex(struct dns_msg *m, struct ns_reader s)
{
	size_t n = ns_rd_left(&s);
	const uint8_t *p = ns_rd_ptr(&s, n);
	if (p && !rr_full(m))
		ns_buf_hexbytes(&m->rr, p, n, 0);
}

/* What is left of s, non-printable bytes as \xHH. */
static void rr_escaped(struct dns_msg *m, struct ns_reader s)
{
	size_t n = ns_rd_left(&s);
	const uint8_t *p = ns_rd_ptr(&s, n);
	if (p && !rr_full(m))
		ns_buf_escaped(&m->rr, p, n);
}

/* A character-string in master-file form: quoted, \" \\ and \DDD. */
static void rr_qstring(struct dns_msg *m, struct ns_reader s)
{
	if (rr_full(m))
		return;
	ns_buf_putc(&m->rr, '"');
	while (ns_rd_left(&s)) {
		uint8_t c = ns_rd_u8(&s);
		if (c == '"' || c == '\\') {
			ns_buf_putc(&m->rr, '\\');
			ns_buf_putc(&m->rr, (char)c);
		} else if (c >= 0x20 && c < 0x7f) {
			ns_buf_putc(&m->rr, (char)c);
		} else {
			ns_buf_printf(&m->rr, "\\%03u", c);
		}
	}
	ns_buf_putc(&m->rr, '"');
}

/* ---- reading pieces ------------------------------------------------- */

/* The next n bytes, recorded as field f (when f >= 0); *s gets a cursor
 * over them for the text.  0, or -1 when they are not there. */
static int take(struct dns_msg *m, struct ns_reader *r, int f, size_t n,
		struct ns_reader *s)
{
	*s = *r;
	const uint8_t *p = f >= 0
			       ? ns_get_bytes(m->pkt, r, DNS_F(f), (uint32_t)n)
			       : ns_rd_ptr(r, n);
	if (!p)
		return -1;
	ns_rd_limit(s, n);
	return 0;
}

/* The bytes left in s (for a field's value); s itself is a copy. */
static const uint8_t *bytes_of(struct ns_reader s)
{
	return ns_rd_ptr(&s, ns_rd_left(&s));
}

/* A <character-string> (RFC 1035 3.3): a length byte, then the text, as
 * fields lf (length) and f (text) when >= 0; *s gets the text.  0, or -1
 * on overrun. */
static int get_cstring(struct dns_msg *m, struct ns_reader *r, int lf, int f,
		       struct ns_reader *s)
{
	uint32_t off = ns_rd_off(r);
	uint8_t len = ns_rd_u8(r);
	if (!ns_rd_need(r, len))
		return -1;
	*s = ns_rd_sub(r, len);
	if (lf >= 0)
		ns_add_uint(m->pkt, DNS_F(lf), off, 1, len);
	if (f >= 0)
		ns_add_bytes(m->pkt, DNS_F(f), off + 1, len, bytes_of(*s), len);
	return 0;
}

/* A type bitmap (RFC 4034 4.1.2): each type listed as dns.resp.type, as
 * tshark does, and named in the text. */
static void type_bitmap(struct dns_msg *m, struct ns_reader *r)
{
	while (ns_rd_left(r) >= 2) {
		uint32_t off = ns_rd_off(r);
		unsigned win = ns_rd_u8(r);
		unsigned len = ns_rd_u8(r);
		if (len == 0 || len > 32 || !ns_rd_need(r, len)) {
			ns_rd_fail(r);
			return;
		}
		struct ns_reader bm = ns_rd_sub(r, len);
		for (unsigned i = 0; i < len; i++) {
			uint8_t bits = ns_rd_u8(&bm);
			for (unsigned b = 0; b < 8; b++) {
				if (!(bits & (0x80 >> b)))
					continue;
				unsigned t = win * 256 + i * 8 + b;
				char tmp[16];
				ns_add_uint(m->pkt, DNS_F(F_RESP_TYPE),
					    off + 2 + i, 1, t);
				rr_puts(m, " ");
				rr_puts(m, ns_dns_type_name(t, tmp));
			}
		}
	}
	if (ns_rd_left(r))
		ns_rd_fail(r);
}

/* ---- address and name records --------------------------------------- */

static int rd_addr(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	int v4 = type == T_A;
	const uint8_t *a =
	    ns_get_bytes(m->pkt, r, DNS_F(v4 ? F_A : F_AAAA), v4 ? 4 : 16);
	if (a && v4)
		ns_buf_ipv4(&m->rr, a);
	else if (a)
		ns_buf_ipv6(&m->rr, a);
	return 0;
}

/* NS, CNAME, PTR, DNAME: one name. */
static int rd_name(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	int f = type == T_NS	  ? F_NS
		: type == T_CNAME ? F_CNAME
		: type == T_PTR	  ? F_PTR
				  : F_DNAME;
	struct dns_name nm;
	char tmp[16];
	int rc = ns_dns_get_name(m, r, f, &nm, ns_dns_type_name(type, tmp));
	rr_name(m, &nm);
	return rc;
}

static int rd_mx(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	(void)type;
	struct dns_name nm;
	rr_printf(m, "%u ", ns_get_u16(m->pkt, r, DNS_F(F_MX_PREF)));
	int rc = ns_dns_get_name(m, r, F_MX_EXCHANGE, &nm, "MX exchange");
	rr_name(m, &nm);
	return rc;
}

/* TXT and SPF: every string. */
static int rd_txt(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	int lf = type == T_TXT ? F_TXT_LEN : F_SPF_LEN;
	int f = type == T_TXT ? F_TXT : F_SPF;
	for (int i = 0; ns_rd_left(r) && !r->err; i++) {
		struct ns_reader s;
		if (get_cstring(m, r, lf, f, &s) < 0)
			break;
		if (i)
			rr_puts(m, " ");
		rr_qstring(m, s);
	}
	return 0;
}

static int rd_soa(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	(void)type;
	struct ns_packet *pkt = m->pkt;
	struct dns_name nm;
	int rc = ns_dns_get_name(m, r, F_SOA_MNAME, &nm, "SOA mname");
	rr_name(m, &nm);
	if (rc)
		return rc;
	rc = ns_dns_get_name(m, r, F_SOA_RNAME, &nm, "SOA rname");
	rr_puts(m, " ");
	rr_name(m, &nm);
	if (rc)
		return rc;
	uint32_t v[5];
	v[0] = ns_get_u32(pkt, r, DNS_F(F_SOA_SERIAL));
	v[1] = ns_get_u32(pkt, r, DNS_F(F_SOA_REFRESH));
	v[2] = ns_get_u32(pkt, r, DNS_F(F_SOA_RETRY));
	v[3] = ns_get_u32(pkt, r, DNS_F(F_SOA_EXPIRE));
	v[4] = ns_get_u32(pkt, r, DNS_F(F_SOA_MINIMUM));
	rr_printf(m, " %u %u %u %u %u", v[0], v[1], v[2], v[3], v[4]);
	return 0;
}

static int rd_srv(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	(void)type;
	struct ns_packet *pkt = m->pkt;
	unsigned pr = ns_get_u16(pkt, r, DNS_F(F_SRV_PRIORITY));
	unsigned w = ns_get_u16(pkt, r, DNS_F(F_SRV_WEIGHT));
	unsigned port = ns_get_u16(pkt, r, DNS_F(F_SRV_PORT));
	if (r->err)
		return 0;
	struct dns_name nm;
	rr_printf(m, "%u %u %u ", pr, w, port);
	int rc = ns_dns_get_name(m, r, F_SRV_TARGET, &nm, "SRV target");
	rr_name(m, &nm);
	return rc;
}

/* ---- CAA, NAPTR ----------------------------------------------------- */

/* The field a CAA property's value is shown as, by its tag. */
static int caa_field(struct ns_reader tag)
{
	size_t n = ns_rd_left(&tag);
	const uint8_t *t = bytes_of(tag);
	if (n == 5 && memcmp(t, "issue", 5) == 0)
		return F_CAA_ISSUE;
	if (n == 9 && memcmp(t, "issuewild", 9) == 0)
		return F_CAA_ISSUEWILD;
	if (n == 5 && memcmp(t, "iodef", 5) == 0)
		return F_CAA_IODEF;
	return F_CAA_UNKNOWN;
}

static int rd_caa(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	(void)type;
	struct ns_packet *pkt = m->pkt;
	uint32_t off = ns_rd_off(r);
	unsigned fl = ns_get_u8(pkt, r, DNS_F(F_CAA_FLAGS));
	ns_tree_push(pkt);
	ns_add_uint(pkt, DNS_F(F_CAA_CRITICAL), off, 1, (fl & 0x80) != 0);
	ns_tree_pop(pkt);
	struct ns_reader tag, val;
	if (get_cstring(m, r, -1, -1, &tag) < 0)
		return 0;
	size_t tl = ns_rd_left(&tag), vl = ns_rd_left(r);
	uint32_t voff = ns_rd_off(r);
	take(m, r, -1, vl, &val);
	ns_add_bytes(pkt, DNS_F(caa_field(tag)), off + 1,
		     (uint32_t)(1 + tl + vl), bytes_of(val), (uint32_t)vl);
	ns_tree_push(pkt);
	ns_add_uint(pkt, DNS_F(F_CAA_TAG_LEN), off + 1, 1, tl);
	ns_add_bytes(pkt, DNS_F(F_CAA_TAG), off + 2, (uint32_t)tl,
		     bytes_of(tag), (uint32_t)tl);
	ns_add_bytes(pkt, DNS_F(F_CAA_VALUE), voff, (uint32_t)vl, bytes_of(val),
		     (uint32_t)vl);
	ns_tree_pop(pkt);
	rr_printf(m, "%u ", fl);
	rr_escaped(m, tag);
	rr_puts(m, " ");
	rr_qstring(m, val);
	return 0;
}

static int rd_naptr(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	(void)type;
	static const int lf[3] = {F_NAPTR_FLAGS_LEN, F_NAPTR_SERVICE_LEN,
				  F_NAPTR_REGEX_LEN};
	static const int sf[3] = {F_NAPTR_FLAGS, F_NAPTR_SERVICE,
				  F_NAPTR_REGEX};
	struct ns_packet *pkt = m->pkt;
	unsigned o = ns_get_u16(pkt, r, DNS_F(F_NAPTR_ORDER));
	unsigned p = ns_get_u16(pkt, r, DNS_F(F_NAPTR_PREF));
	rr_printf(m, "%u %u", o, p);
	for (int i = 0; i < 3 && !r->err; i++) {
		struct ns_reader s;
		if (get_cstring(m, r, lf[i], sf[i], &s) < 0)
			break;
		rr_puts(m, " ");
		rr_qstring(m, s);
	}
	if (r->err)
		return 0;
	struct dns_name nm;
	uint32_t off = ns_rd_off(r);
	int rc = ns_dns_get_name(m, r, F_NAPTR_REPL, &nm, "NAPTR replacement");
	ns_add_uint(pkt, DNS_F(F_NAPTR_REPL_LEN), off, 0, nm.n);
	rr_puts(m, " ");
	rr_target(m, &nm);
	return rc;
}

/* ---- SVCB and HTTPS (RFC 9460) -------------------------------------- */

static void svcb_key_name(struct dns_msg *m, unsigned key)
{
	const char *n = ns_valstr_find(ns_dns_svcb_key_vals, key);
	if (n)
		rr_puts(m, n);
	else
		rr_printf(m, "key%u", key);
}

/* mandatory: the keys the client must understand (RFC 9460 8). */
static void svcb_mandatory(struct dns_msg *m, struct ns_reader *v)
{
	rr_puts(m, "=");
	for (int i = 0; ns_rd_left(v) >= 2; i++) {
		unsigned k = ns_get_u16(m->pkt, v, DNS_F(F_SVCB_MANDATORY));
		if (i)
			rr_puts(m, ",");
		svcb_key_name(m, k);
	}
}

/* alpn: length-prefixed protocol ids (RFC 9460 7.1.1). */
static void svcb_alpn(struct dns_msg *m, struct ns_reader *v)
{
	rr_puts(m, "=");
	for (int i = 0; ns_rd_left(v) && !v->err; i++) {
		struct ns_reader s;
		if (get_cstring(m, v, F_SVCB_ALPN_LEN, F_SVCB_ALPN, &s) < 0)
			break;
		if (i)
			rr_puts(m, ",");
		rr_escaped(m, s);
	}
}

/* ipv4hint, ipv6hint: addresses of `size` bytes as field f. */
static void svcb_hints(struct dns_msg *m, struct ns_reader *v, int f,
		       size_t size)
{
	rr_puts(m, "=");
	for (int i = 0; ns_rd_left(v) >= size; i++) {
		const uint8_t *a =
		    ns_get_bytes(m->pkt, v, DNS_F(f), (uint32_t)size);
		if (i)
			rr_puts(m, ",");
		if (rr_full(m))
			continue;
		if (size == 4)
			ns_buf_ipv4(&m->rr, a);
		else
			ns_buf_ipv6(&m->rr, a);
	}
}

/* The rest of v as field f, after "=" in hex (ech) or quoted (others). */
static void svcb_blob(struct dns_msg *m, struct ns_reader *v, int f, int hex)
{
	struct ns_reader s;
	int ok = take(m, v, f, ns_rd_left(v), &s) == 0;
	rr_puts(m, "=");
	if (ok && hex)
		rr_hex(m, s);
	else if (ok)
		rr_qstring(m, s);
}

/* One SvcParam's value, in its own reader v. */
static void svcb_value(struct dns_msg *m, unsigned key, struct ns_reader *v)
{
	switch (key) {
	case 0:
		svcb_mandatory(m, v);
		break;
	case 1:
		svcb_alpn(m, v);
		break;
	case 2: /* no-default-alpn: no value */
		break;
	case 3:
		rr_printf(m, "=%u", ns_get_u16(m->pkt, v, DNS_F(F_SVCB_PORT)));
		break;
	case 4:
		svcb_hints(m, v, F_SVCB_IPV4, 4);
		break;
	case 5:
		svcb_blob(m, v, F_SVCB_ECH, 1);
		break;
	case 6:
		svcb_hints(m, v, F_SVCB_IPV6, 16);
		break;
	default:
		if (ns_rd_left(v))
			svcb_blob(m, v, F_SVCB_VALUE, 0);
	}
}

/* One SvcParam: key, length, value, under its own subtree. */
static int svcb_param(struct dns_msg *m, struct ns_reader *r)
{
	struct ns_packet *pkt = m->pkt;
	ns_add_label(pkt, DNS_F(F_SVCB_PARAM), ns_rd_off(r), 0);
	size_t lab = pkt->nfv - 1;
	ns_tree_push(pkt);
	unsigned key = ns_get_u16(pkt, r, DNS_F(F_SVCB_KEY));
	unsigned vlen = ns_get_u16(pkt, r, DNS_F(F_SVCB_VLEN));
	struct ns_reader v = ns_rd_sub(r, vlen);
	if (r->err) {
		ns_tree_pop(pkt);
		return ns_dns_bad(m, "SvcParam past the end of the record");
	}
	if (lab < pkt->nfv && pkt->fv[lab].f == DNS_F(F_SVCB_PARAM))
		pkt->fv[lab].len = 4 + vlen;
	const char *kn = ns_valstr_find(ns_dns_svcb_key_vals, key);
	if (kn)
		rr_printf(m, " %s", kn);
	else
		rr_printf(m, " key%u", key);
	svcb_value(m, key, &v);
	ns_tree_pop(pkt);
	if (v.err || ns_rd_left(&v))
		return ns_dns_bad(m, "bad SvcParam %u value", key);
	return 0;
}

static int rd_svcb(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	(void)type;
	struct dns_name nm;
	unsigned prio = ns_get_u16(m->pkt, r, DNS_F(F_SVCB_PRIORITY));
	int rc = ns_dns_get_name(m, r, F_SVCB_TARGET, &nm, "SVCB target");
	if (rc)
		return rc;
	rr_printf(m, "%u ", prio);
	rr_target(m, &nm);
	while (ns_rd_left(r) && !r->err) {
		rc = svcb_param(m, r);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- OPT (RFC 6891) ------------------------------------------------- */

void ns_dns_opt_fixed(struct dns_msg *m, struct ns_reader *r)
{
	struct ns_packet *pkt = m->pkt;
	unsigned size = ns_get_u16(pkt, r, DNS_F(F_OPT_UDP_SIZE));
	uint32_t off = ns_rd_off(r);
	unsigned ext = ns_get_u8(pkt, r, DNS_F(F_OPT_EXT_RCODE));
	unsigned ver = ns_get_u8(pkt, r, DNS_F(F_OPT_VERSION));
	unsigned z = ns_get_u16(pkt, r, DNS_F(F_OPT_Z));
	if (!r->err) {
		ns_tree_push(pkt);
		ns_add_uint(pkt, DNS_F(F_OPT_Z_DO), off + 2, 2,
			    (z & 0x8000) != 0);
		ns_add_uint(pkt, DNS_F(F_OPT_Z_RESERVED), off + 2, 2,
			    z & 0x7fff);
		ns_tree_pop(pkt);
		if (!m->opt_seen) {
			m->opt_seen = 1;
			m->ext_rcode = ext;
		}
	}
	rr_printf(m, "udp=%u version=%u%s", size, ver,
		  (z & 0x8000) ? " DO" : "");
}

/* Client subnet (RFC 7871 6): family, prefix lengths, the address cut to
 * its prefix (padded back to a whole address for the field). */
static void opt_subnet(struct dns_msg *m, struct ns_reader *v)
{
	struct ns_packet *pkt = m->pkt;
	unsigned fam = ns_get_u16(pkt, v, DNS_F(F_OPT_CS_FAMILY));
	unsigned src = ns_get_u8(pkt, v, DNS_F(F_OPT_CS_NETMASK));
	unsigned scope = ns_get_u8(pkt, v, DNS_F(F_OPT_CS_SCOPE));
	if (v->err)
		return;
	size_t n = ns_rd_left(v), alen = fam == 1 ? 4 : fam == 2 ? 16 : 0;
	uint32_t aoff = ns_rd_off(v);
	if (!alen || n > alen) {
		if (n)
			ns_get_bytes(pkt, v, DNS_F(F_OPT_CS_ADDR), (uint32_t)n);
		return;
	}
	uint8_t addr[16] = {0};
	ns_rd_copy(v, addr, n);
	uint8_t *c = ns_arena_alloc(&pkt->arena, alen);
	if (c) {
		memcpy(c, addr, alen);
		ns_add_bytes(pkt,
			     DNS_F(fam == 1 ? F_OPT_CS_ADDR4 : F_OPT_CS_ADDR6),
			     aoff, (uint32_t)n, c, (uint32_t)alen);
	}
	rr_puts(m, "=");
	if (!rr_full(m) && fam == 1)
		ns_buf_ipv4(&m->rr, addr);
	else if (!rr_full(m))
		ns_buf_ipv6(&m->rr, addr);
	rr_printf(m, "/%u/%u", src, scope);
}

/* Cookie (RFC 7873 4): the client's 8 bytes, then the server's. */
static void opt_cookie(struct dns_msg *m, struct ns_reader *v)
{
	struct ns_reader s;
	size_t n = ns_rd_left(v);
	if (take(m, v, F_OPT_COOKIE_CLIENT, n < 8 ? n : 8, &s) == 0) {
		rr_puts(m, "=");
		rr_hex(m, s);
	}
	n = ns_rd_left(v);
	if (!n)
		return;
	int ok = take(m, v, F_OPT_COOKIE_SERVER, n, &s) == 0;
	rr_puts(m, "/");
	if (ok)
		rr_hex(m, s);
}

/* Extended DNS error (RFC 8914 2): a code and optional text. */
static void opt_ede(struct dns_msg *m, struct ns_reader *v)
{
	unsigned ic = ns_get_u16(m->pkt, v, DNS_F(F_OPT_EDE_CODE));
	if (v->err)
		return;
	rr_printf(m, "=%u", ic);
	size_t n = ns_rd_left(v);
	if (!n)
		return;
	struct ns_reader s;
	int ok = take(m, v, F_OPT_EDE_TEXT, n, &s) == 0;
	rr_puts(m, " ");
	if (ok)
		rr_qstring(m, s);
}

/* One option's value, in its own reader v. */
static void opt_value(struct dns_msg *m, unsigned code, struct ns_reader *v)
{
	size_t n = ns_rd_left(v);
	switch (code) {
	case 8:
		opt_subnet(m, v);
		break;
	case 10:
		opt_cookie(m, v);
		break;
	case 11: /* TCP keepalive (RFC 7828 3.1) */
		if (n >= 2)
			rr_printf(
			    m, "=%u",
			    ns_get_u16(m->pkt, v, DNS_F(F_OPT_KEEPALIVE)));
		break;
	case 12: /* padding (RFC 7830 3) */
		if (n)
			ns_get_bytes(m->pkt, v, DNS_F(F_OPT_PADDING),
				     (uint32_t)n);
		rr_printf(m, "=%zu", n);
		break;
	case 15:
		opt_ede(m, v);
		break;
	default:
		break;
	}
}

/* One option: code, length, data, under its own subtree. */
static int opt_option(struct dns_msg *m, struct ns_reader *r)
{
	struct ns_packet *pkt = m->pkt;
	ns_add_label(pkt, DNS_F(F_OPT), ns_rd_off(r), 0);
	size_t lab = pkt->nfv - 1;
	ns_tree_push(pkt);
	unsigned code = ns_get_u16(pkt, r, DNS_F(F_OPT_CODE));
	unsigned len = ns_get_u16(pkt, r, DNS_F(F_OPT_LEN));
	uint32_t doff = ns_rd_off(r);
	struct ns_reader v = ns_rd_sub(r, len);
	if (r->err) {
		ns_tree_pop(pkt);
		return ns_dns_bad(m, "EDNS option past the end of OPT");
	}
	if (lab < pkt->nfv && pkt->fv[lab].f == DNS_F(F_OPT))
		pkt->fv[lab].len = 4 + len;
	if (len)
		ns_add_bytes(pkt, DNS_F(F_OPT_DATA), doff, len, bytes_of(v),
			     len);
	const char *on = ns_valstr_find(ns_dns_opt_vals, code);
	if (on)
		rr_printf(m, " %s", on);
	else
		rr_printf(m, " OPT%u", code);
	opt_value(m, code, &v);
	ns_tree_pop(pkt);
	return 0;
}

static int rd_opt(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	(void)type;
	while (ns_rd_left(r) && !r->err) {
		int rc = opt_option(m, r);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- DNSSEC (RFC 4034, RFC 5155) ------------------------------------ */

/* DS and CDS. */
static int rd_ds(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	(void)type;
	struct ns_packet *pkt = m->pkt;
	unsigned kt = ns_get_u16(pkt, r, DNS_F(F_DS_KEY_ID));
	unsigned al = ns_get_u8(pkt, r, DNS_F(F_DS_ALGORITHM));
	unsigned dt = ns_get_u8(pkt, r, DNS_F(F_DS_DIGEST_TYPE));
	if (r->err)
		return 0;
	struct ns_reader d;
	int ok = take(m, r, F_DS_DIGEST, ns_rd_left(r), &d) == 0;
	rr_printf(m, "%u %u %u ", kt, al, dt);
	if (ok)
		rr_hex(m, d);
	return 0;
}

/* The key tag of a DNSKEY's data k (RFC 4034 appendix B). */
static unsigned key_tag(struct ns_reader k, unsigned alg)
{
	size_t n = ns_rd_left(&k);
	if (alg == 1) { /* RSA/MD5: the low 16 bits of the modulus */
		if (n < 4)
			return 0;
		ns_rd_skip(&k, n - 3);
		return ns_rd_u16(&k);
	}
	uint32_t ac = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = ns_rd_u8(&k);
		ac += (i & 1) ? c : (uint32_t)c << 8;
	}
	ac += (ac >> 16) & 0xffff;
	return ac & 0xffff;
}

static void dnskey_flags(struct ns_packet *pkt, uint32_t off, unsigned fl)
{
	ns_tree_push(pkt);
	ns_add_uint(pkt, DNS_F(F_DNSKEY_ZONE), off, 2, (fl & 0x0100) != 0);
	ns_add_uint(pkt, DNS_F(F_DNSKEY_REVOKED), off, 2, (fl & 0x0080) != 0);
	ns_add_uint(pkt, DNS_F(F_DNSKEY_SEP), off, 2, (fl & 0x0001) != 0);
	ns_add_uint(pkt, DNS_F(F_DNSKEY_RESERVED), off, 2, fl & 0xfe7e);
	ns_tree_pop(pkt);
}

/* DNSKEY and CDNSKEY. */
static int rd_dnskey(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	(void)type;
	struct ns_packet *pkt = m->pkt;
	struct ns_reader all = *r;
	size_t rdlen = ns_rd_left(r);
	uint32_t off = ns_rd_off(r);
	unsigned fl = ns_get_u16(pkt, r, DNS_F(F_DNSKEY_FLAGS));
	dnskey_flags(pkt, off, fl);
	unsigned pr = ns_get_u8(pkt, r, DNS_F(F_DNSKEY_PROTOCOL));
	unsigned al = ns_get_u8(pkt, r, DNS_F(F_DNSKEY_ALGORITHM));
	if (r->err)
		return 0;
	unsigned tag = key_tag(all, al);
	ns_add_uint(pkt, DNS_F(F_DNSKEY_KEY_ID), off, (uint32_t)rdlen, tag);
	size_t n = ns_rd_left(r);
	if (n)
		ns_get_bytes(pkt, r, DNS_F(F_DNSKEY_KEY), (uint32_t)n);
	rr_printf(m, "%u %u %u (key id %u, %zu-byte key)", fl, pr, al, tag, n);
	return 0;
}

static int rd_rrsig(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	(void)type;
	struct ns_packet *pkt = m->pkt;
	unsigned tc = ns_get_u16(pkt, r, DNS_F(F_RRSIG_TYPE));
	unsigned al = ns_get_u8(pkt, r, DNS_F(F_RRSIG_ALGORITHM));
	unsigned lb = ns_get_u8(pkt, r, DNS_F(F_RRSIG_LABELS));
	unsigned ttl = ns_get_u32(pkt, r, DNS_F(F_RRSIG_TTL));
	uint32_t off = ns_rd_off(r);
	uint32_t exp = ns_rd_u32(r);
	uint32_t inc = ns_rd_u32(r);
	if (r->err)
		return 0;
	ns_add_int(pkt, DNS_F(F_RRSIG_EXPIRATION), off, 4,
		   (int64_t)exp * 1000000000);
	ns_add_int(pkt, DNS_F(F_RRSIG_INCEPTION), off + 4, 4,
		   (int64_t)inc * 1000000000);
	unsigned kt = ns_get_u16(pkt, r, DNS_F(F_RRSIG_KEY_TAG));
	if (r->err)
		return 0;
	struct dns_name nm;
	char tmp[16];
	int rc = ns_dns_get_name(m, r, F_RRSIG_SIGNER, &nm, "RRSIG signer");
	rr_printf(m, "%s %u %u %u %u %u %u ", ns_dns_type_name(tc, tmp), al, lb,
		  ttl, exp, inc, kt);
	rr_name(m, &nm);
	if (rc)
		return rc;
	size_t n = ns_rd_left(r);
	if (n)
		ns_get_bytes(pkt, r, DNS_F(F_RRSIG_SIGNATURE), (uint32_t)n);
	return 0;
}

static int rd_nsec(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	(void)type;
	struct dns_name nm;
	int rc = ns_dns_get_name(m, r, F_NSEC_NEXT, &nm, "NSEC next name");
	rr_name(m, &nm);
	if (rc)
		return rc;
	type_bitmap(m, r);
	return 0;
}

/* RFC 4648 7's base32hex, as NSEC3 owner hashes are written. */
static void base32hex(struct ns_reader s, char *out, size_t *outn)
{
	static const char al[] = "0123456789abcdefghijklmnopqrstuv";
	size_t k = 0;
	uint32_t acc = 0;
	int bits = 0;
	while (ns_rd_left(&s)) {
		acc = acc << 8 | ns_rd_u8(&s);
		bits += 8;
		while (bits >= 5) {
			out[k++] = al[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits)
		out[k++] = al[(acc << (5 - bits)) & 31];
	*outn = k;
}

/* NSEC3's next hashed owner (after the salt), then its type bitmap. */
static void nsec3_hash(struct dns_msg *m, struct ns_reader *r)
{
	struct ns_packet *pkt = m->pkt;
	uint32_t hoff = ns_rd_off(r);
	uint8_t hl = ns_get_u8(pkt, r, DNS_F(F_NSEC3_HASH_LEN));
	struct ns_reader h;
	if (take(m, r, -1, hl, &h) < 0)
		return;
	char *b32 = ns_arena_alloc(&pkt->arena, (size_t)hl * 8 / 5 + 2);
	if (b32) {
		size_t bn;
		base32hex(h, b32, &bn);
		ns_add_bytes(pkt, DNS_F(F_NSEC3_HASH), hoff + 1, hl,
			     (const uint8_t *)b32, (uint32_t)bn);
		rr_puts(m, " ");
		if (!rr_full(m))
			ns_buf_put(&m->rr, b32, bn);
	}
	type_bitmap(m, r);
}

/* NSEC3 and NSEC3PARAM. */
static int rd_nsec3(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	struct ns_packet *pkt = m->pkt;
	unsigned al = ns_get_u8(pkt, r, DNS_F(F_NSEC3_ALGO));
	uint32_t off = ns_rd_off(r);
	unsigned fl = ns_get_u8(pkt, r, DNS_F(F_NSEC3_FLAGS));
	ns_tree_push(pkt);
	ns_add_uint(pkt, DNS_F(F_NSEC3_OPTOUT), off, 1, fl & 1);
	ns_tree_pop(pkt);
	unsigned it = ns_get_u16(pkt, r, DNS_F(F_NSEC3_ITERATIONS));
	struct ns_reader salt;
	if (get_cstring(m, r, F_NSEC3_SALT_LEN, -1, &salt) < 0)
		return 0;
	size_t sl = ns_rd_left(&salt);
	if (sl)
		ns_add_bytes(pkt, DNS_F(F_NSEC3_SALT), ns_rd_off(&salt),
			     (uint32_t)sl, bytes_of(salt), (uint32_t)sl);
	rr_printf(m, "%u %u %u ", al, fl, it);
	if (sl)
		rr_hex(m, salt);
	else
		rr_puts(m, "-");
	if (type == T_NSEC3)
		nsec3_hash(m, r);
	return 0;
}

/* ---- by type -------------------------------------------------------- */

typedef int (*rdata_fn)(struct dns_msg *m, struct ns_reader *r, unsigned type);

static const struct {
	uint16_t type;
	rdata_fn fn;
} decoders[] = {
    {T_A, rd_addr},	   {T_AAAA, rd_addr},	   {T_NS, rd_name},
    {T_CNAME, rd_name},	   {T_PTR, rd_name},	   {T_DNAME, rd_name},
    {T_MX, rd_mx},	   {T_TXT, rd_txt},	   {T_SPF, rd_txt},
    {T_SOA, rd_soa},	   {T_SRV, rd_srv},	   {T_CAA, rd_caa},
    {T_NAPTR, rd_naptr},   {T_SVCB, rd_svcb},	   {T_HTTPS, rd_svcb},
    {T_OPT, rd_opt},	   {T_DS, rd_ds},	   {T_CDS, rd_ds},
    {T_DNSKEY, rd_dnskey}, {T_CDNSKEY, rd_dnskey}, {T_RRSIG, rd_rrsig},
    {T_NSEC, rd_nsec},	   {T_NSEC3, rd_nsec3},	   {T_NSEC3PARAM, rd_nsec3},
};

static rdata_fn decoder(unsigned type)
{
	for (size_t i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++)
		if (decoders[i].type == type)
			return decoders[i].fn;
	return NULL;
}

int ns_dns_known_type(unsigned t)
{
	return decoder(t) != NULL;
}

int ns_dns_rdata(struct dns_msg *m, struct ns_reader *r, unsigned type)
{
	struct ns_reader all = *r;
	size_t rdlen = ns_rd_left(r);
	char tmp[16];
	int rc = decoder(type)(m, r, type);
	if (rc)
		return rc;
	/* data that does not fit its type's layout: shown as far as it goes,
	 * the message goes on with the next record (as in tshark) */
	if (r->err) {
		ns_dns_soft(m,
			    "%s record: data shorter than its layout (%zu "
			    "bytes)",
			    ns_dns_type_name(type, tmp), rdlen);
		/* the summary falls back to RFC 3597's form */
		m->rr.len = 0;
		rr_printf(m, "%s \\# %zu", ns_dns_type_name(type, tmp), rdlen);
		if (rdlen) {
			rr_puts(m, " ");
			rr_hex(m, all);
		}
	} else if (ns_rd_left(r)) {
		ns_dns_soft(m, "%s record: %zu bytes after its data",
			    ns_dns_type_name(type, tmp), ns_rd_left(r));
	}
	return 0;
}

size_t ns_dns_generic(struct dns_msg *m, struct ns_reader *r)
{
	struct ns_packet *pkt = m->pkt;
	size_t n = ns_rd_left(r);
	uint32_t off = ns_rd_off(r);
	struct ns_reader d;
	take(m, r, n ? F_DATA : -1, n, &d);
	size_t start = m->rr.len;
	ns_buf_printf(&m->rr, "\\# %zu", n);
	if (n) {
		ns_buf_putc(&m->rr, ' ');
		rr_hex(m, d);
	}
	/* the text is in the scratch buffer: rr_commit() moves it */
	ns_add_bytes(pkt, DNS_F(F_GENERIC), off, (uint32_t)n,
		     (const uint8_t *)m->rr.p + start,
		     (uint32_t)(m->rr.len - start));
	return pkt->nfv - 1;
}
