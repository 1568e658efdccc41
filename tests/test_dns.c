/*
 * test_dns — DNS over UDP and TCP (dissectors/app/dns.c).
 *
 * Messages are built here byte by byte and carried in Ethernet + IPv4 +
 * UDP (port 53, mDNS 5353, LLMNR 5355, or another port for the heuristic)
 * or in TCP segments of one connection (RFC 7766 framing through the
 * stream interface).  Checked: the header and flags, every record type
 * the dissector decodes with its Wireshark field names, RFC 3597 for the
 * others, names (compression, loops, depth, past the end, bad label types,
 * escaping), truncated and malformed messages, query/response matching
 * per flow and id, the transaction events it publishes (heard here by a
 * subscriber on the engine's bus, as any consumer hears them), the
 * end-of-run line that counts unanswered queries (src/reports/dnstally.c),
 * and the one-line summary.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/engine.h"
#include "core/txn.h"
#include "reports/dnstally.h"

/* ---- building messages ------------------------------------------------ */

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

static void put8(struct msg *m, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(m, &b, 1);
}

static void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v);
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

#define PUT(m, ...)                                                            \
	put((m), (const uint8_t[]){__VA_ARGS__},                               \
	    sizeof((const uint8_t[]){__VA_ARGS__}))

/* "a.b.c" as labels, with the terminating zero */
static void name(struct msg *m, const char *s)
{
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		put8(m, (unsigned)l);
		put(m, s, l);
		s += l + (dot ? 1 : 0);
	}
	put8(m, 0);
}

static void header(struct msg *m, unsigned id, unsigned flags, unsigned qd,
		   unsigned an, unsigned ns, unsigned ar)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

static void question(struct msg *m, const char *qname, unsigned type)
{
	name(m, qname);
	put16(m, type);
	put16(m, 1);
}

/* A record's fixed part; returns where its rdlength is, for rr_end(). */
static size_t rr(struct msg *m, const char *owner, unsigned type, unsigned cls,
		 uint32_t ttl)
{
	if (owner)
		name(m, owner);
	else
		PUT(m, 0xc0, 0x0c); /* the question's name */
	put16(m, type);
	put16(m, cls);
	put32(m, ttl);
	size_t at = m->n;
	put16(m, 0);
	return at;
}

static void rr_end(struct msg *m, size_t at)
{
	size_t n = m->n - at - 2;
	m->b[at] = (uint8_t)(n >> 8);
	m->b[at + 1] = (uint8_t)n;
}

/* ---- carrying them ------------------------------------------------------ */

enum { CLIENT_PORT = 40053 };

static struct tu_frame frame;

static void udp_frame(const struct msg *m, uint16_t sport, uint16_t dport)
{
	tu_frame_init(&frame);
	tu_eth(&frame, 0x0800);
	size_t ip = tu_ipv4(&frame, 17);
	tu_put16(&frame, sport);
	tu_put16(&frame, dport);
	tu_put16(&frame, (uint16_t)(8 + m->n));
	tu_put16(&frame, 0);
	tu_put(&frame, m->b, m->n);
	tu_ipv4_end(&frame, ip);
}

/* A query (to port `port`) or a response (from it), stateless. */
static struct ns_packet *udp_port(const struct msg *m, int response,
				  uint16_t port)
{
	if (response)
		udp_frame(m, port, CLIENT_PORT);
	else
		udp_frame(m, CLIENT_PORT, port);
	return tu_dissect_full(TU_LT_EN10MB, frame.b, (uint32_t)frame.n);
}

static struct ns_packet *udp(const struct msg *m, int response)
{
	return udp_port(m, response, 53);
}

/* Every value of a field, comma separated (as -T fields prints them). */
static const char *all(const struct ns_packet *pkt, const char *fname)
{
	static struct ns_buf b;
	const struct ns_field *f = tu_field(fname);
	ns_buf_reset(&b);
	int n = 0;
	for (uint32_t i = 0; i < pkt->nfv; i++) {
		if (pkt->fv[i].f != f)
			continue;
		if (n++)
			ns_buf_putc(&b, ',');
		ns_format_value(&b, &pkt->fv[i]);
	}
	ns_buf_putc(&b, '\0');
	return b.p;
}

/* the summary after "DNS <len> " */
static const char *info(const struct ns_packet *pkt)
{
	const char *s = tu_summary(pkt);
	const char *p = strstr(s, " DNS ");
	ck_assert_msg(p != NULL, "no DNS in: %s", s);
	p = strchr(p + 5, ' ');
	ck_assert_ptr_nonnull(p);
	return p + 1;
}

/* ---- header and flags ---------------------------------------------------- */

START_TEST(query)
{
	struct msg m;
	header(&m, 0x1a2b, 0x0100, 1, 0, 0, 0);
	question(&m, "api.example.com", 1);
	struct ns_packet *pkt = udp(&m, 0);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp dns");
	ck_assert_str_eq(tu_value(pkt, "dns.id"), "0x1a2b");
	ck_assert_str_eq(tu_value(pkt, "dns.flags"), "0x0100");
	ck_assert_uint_eq(tu_uint(pkt, "dns.flags.response"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "dns.flags.recdesired"), 1);
	ck_assert_ptr_null(tu_find(pkt, "dns.flags.rcode"));
	ck_assert_ptr_null(tu_find(pkt, "dns.flags.authenticated"));
	ck_assert_uint_eq(tu_uint(pkt, "dns.count.queries"), 1);
	ck_assert_str_eq(tu_value(pkt, "dns.qry.name"), "api.example.com");
	ck_assert_uint_eq(tu_uint(pkt, "dns.qry.name.len"), 15);
	ck_assert_uint_eq(tu_uint(pkt, "dns.count.labels"), 3);
	ck_assert_uint_eq(tu_uint(pkt, "dns.qry.type"), 1);
	ck_assert_str_eq(tu_value(pkt, "dns.qry.class"), "0x0001");
	ck_assert_uint_eq(tu_find(pkt, "dns.qry.name")->off, 42 + 12);
	ck_assert_str_eq(info(pkt), "query 0x1a2b A api.example.com");
}
END_TEST

START_TEST(response_line)
{
	struct msg m;
	header(&m, 0x1a2b, 0x8180, 1, 2, 0, 0);
	question(&m, "api.example.com", 1);
	size_t at = rr(&m, NULL, 1, 1, 300);
	PUT(&m, 10, 0, 0, 7);
	rr_end(&m, at);
	at = rr(&m, NULL, 1, 1, 300);
	PUT(&m, 10, 0, 0, 8);
	rr_end(&m, at);
	struct ns_packet *pkt = udp(&m, 1);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.flags.rcode"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "dns.flags.recavail"), 1);
	ck_assert_str_eq(all(pkt, "dns.a"), "10.0.0.7,10.0.0.8");
	ck_assert_str_eq(all(pkt, "dns.resp.name"),
			 "api.example.com,api.example.com");
	ck_assert_str_eq(all(pkt, "dns.resp.ttl"), "300,300");
	ck_assert_str_eq(all(pkt, "dns.resp.len"), "4,4");
	ck_assert_str_eq(all(pkt, "dns.rr"), "A 10.0.0.7,A 10.0.0.8");
	ck_assert_str_eq(info(pkt),
			 "response 0x1a2b NOERROR A 10.0.0.7, A 10.0.0.8");
}
END_TEST

START_TEST(nxdomain_tc)
{
	struct msg m;
	header(&m, 0x0042, 0x8383, 1, 0, 0, 0); /* TC, NXDOMAIN */
	question(&m, "nx.example.com", 28);
	struct ns_packet *pkt = udp(&m, 1);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.flags.rcode"), 3);
	ck_assert_uint_eq(tu_uint(pkt, "dns.flags.truncated"), 1);
	ck_assert_str_eq(
	    info(pkt),
	    "response 0x0042 NXDOMAIN TC no answer to AAAA nx.example.com");
}
END_TEST

START_TEST(extended_rcode)
{
	/* BADVERS: header rcode 0, OPT's upper bits 1 (RFC 6891) */
	struct msg m;
	header(&m, 7, 0x8100, 1, 0, 0, 1);
	question(&m, "example.com", 1);
	PUT(&m, 0, 0, 41, 0x04, 0xd0, 1, 0, 0x80, 0, 0, 0);
	struct ns_packet *pkt = udp(&m, 1);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.flags.rcode"), 0);
	ck_assert_str_eq(tu_value(pkt, "dns.resp.ext_rcode"), "0x01");
	ck_assert_uint_eq(tu_uint(pkt, "dns.rcode"), 16);
	ck_assert_uint_eq(tu_uint(pkt, "dns.rr.udp_payload_size"), 1232);
	ck_assert_uint_eq(tu_uint(pkt, "dns.resp.z.do"), 1);
	ck_assert_str_eq(tu_value(pkt, "dns.resp.name"), "<Root>");
	ck_assert(tu_starts_with(info(pkt), "response 0x0007 BADVERS"));
}
END_TEST

START_TEST(opcodes)
{
	struct msg m;
	header(&m, 9, 0x2800, 1, 0, 0, 0); /* update */
	question(&m, "example.com", 6);
	struct ns_packet *pkt = udp(&m, 0);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.flags.opcode"), 5);
	ck_assert_uint_eq(tu_uint(pkt, "dns.count.zones"), 1);
	ck_assert_ptr_null(tu_find(pkt, "dns.count.queries"));
	ck_assert_str_eq(info(pkt), "update 0x0009 SOA example.com");
	header(&m, 9, 0x2000, 1, 0, 0, 0); /* notify */
	question(&m, "example.com", 6);
	pkt = udp(&m, 0);
	ck_assert_str_eq(info(pkt), "notify 0x0009 SOA example.com");
}
END_TEST

/* ---- every record type ------------------------------------------------------
 */

static const uint8_t rfc4034_key[130] = {
    0x01, 0x03, 0x9e, 0x8a, 0x24, 0x74, 0x18, 0xe3, 0x18, 0x90, 0x3b, 0x21,
    0x5a, 0x84, 0x8a, 0xcf, 0xd5, 0xf3, 0x7f, 0x02, 0x6b, 0xd4, 0x06, 0x2d,
    0xb2, 0x6c, 0x77, 0x4c, 0x69, 0x09, 0x68, 0xd5, 0xd5, 0x6d, 0xf8, 0xbf,
    0xda, 0x91, 0xe6, 0xf3, 0x6d, 0x9a, 0x27, 0x98, 0x88, 0xf4, 0x13, 0x33,
    0x35, 0x7c, 0x5e, 0x60, 0x29, 0x99, 0x0d, 0x10, 0xfd, 0xf5, 0x66, 0x30,
    0x62, 0xa5, 0x12, 0x76, 0x33, 0x26, 0x98, 0x0a, 0x61, 0x5d, 0xdb, 0xf1,
    0x7a, 0x05, 0xdd, 0xfc, 0xce, 0x7e, 0x5f, 0xb3, 0xab, 0xcc, 0xa0, 0x5a,
    0x31, 0xb0, 0x95, 0x74, 0x52, 0xd4, 0x52, 0x1e, 0x83, 0x87, 0x07, 0x89,
    0x06, 0x31, 0x15, 0xbf, 0x97, 0xf6, 0xc3, 0x08, 0xcc, 0xf5, 0x7c, 0xdc,
    0x9c, 0xe7, 0xfe, 0x10, 0xf6, 0xed, 0x1b, 0xd0, 0xcc, 0x06, 0x60, 0x03,
    0x8c, 0x50, 0xdc, 0xdb, 0x0f, 0xeb, 0x96, 0x3c, 0x2f, 0x17,
};

/* One response carrying a single record of the type built by fill(). */
static struct ns_packet *one(unsigned type, void (*fill)(struct msg *))
{
	static struct msg m;
	header(&m, 0x0101, 0x8400, 1, 1, 0, 0);
	question(&m, "example.com", type);
	size_t at = rr(&m, NULL, type, 1, 3600);
	fill(&m);
	rr_end(&m, at);
	return udp(&m, 1);
}

static void f_aaaa(struct msg *m)
{
	PUT(m, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
}
static void f_cname(struct msg *m)
{
	name(m, "target.example.com");
}
static void f_ptr(struct msg *m)
{
	/* compressed: "www" + pointer to example.com in the question */
	PUT(m, 3, 'w', 'w', 'w', 0xc0, 0x0c);
}
static void f_mx(struct msg *m)
{
	put16(m, 10);
	name(m, "mail.example.com");
}
static void f_txt(struct msg *m)
{
	PUT(m, 5, 'v', '=', 's', 'p', 'f', 0, 6, 'a', ',', 'b', '"', '\\', 'c');
}
static void f_soa(struct msg *m)
{
	name(m, "ns1.example.com");
	name(m, "hostmaster.example.com");
	put32(m, 2024010101);
	put32(m, 7200);
	put32(m, 3600);
	put32(m, 1209600);
	put32(m, 300);
}
static void f_srv(struct msg *m)
{
	put16(m, 10);
	put16(m, 60);
	put16(m, 5060);
	name(m, "sip.example.com");
}
static void f_caa(struct msg *m)
{
	PUT(m, 0x80, 5, 'i', 's', 's', 'u', 'e', 'c', 'a', '.', 'n', 'e', 't');
}
static void f_naptr(struct msg *m)
{
	put16(m, 100);
	put16(m, 10);
	PUT(m, 1, 'S', 7, 'S', 'I', 'P', '+', 'D', '2', 'U', 0);
	name(m, "_sip._udp.example.com");
}
static void f_svcb(struct msg *m)
{
	put16(m, 1);
	name(m, "svc.example.com");
	PUT(m, 0, 0, 0, 4, 0, 1, 0, 3);		      /* mandatory=alpn,port */
	PUT(m, 0, 1, 0, 6, 2, 'h', '2', 2, 'h', '3'); /* alpn=h2,h3 */
	PUT(m, 0, 3, 0, 2, 0x20, 0xfb);		      /* port=8443 */
	PUT(m, 0, 4, 0, 8, 192, 0, 2, 1, 192, 0, 2, 2); /* ipv4hint */
	PUT(m, 0, 5, 0, 3, 0xfe, 0x0d, 0x00);		/* ech */
	PUT(m, 0, 6, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0x10);	      /* ipv6hint */
	PUT(m, 0, 9, 0, 2, 'h', 'i'); /* key9 */
}
static void f_ds(struct msg *m)
{
	put16(m, 60485);
	PUT(m, 5, 1, 0x2b, 0xb1, 0x83, 0xaf, 0x5f, 0x22, 0x58, 0x81, 0x79, 0xa5,
	    0x3b, 0x0a, 0x98, 0x63, 0x1f, 0xad, 0x1a, 0x29, 0x21, 0x18);
}
static void f_dnskey(struct msg *m)
{
	PUT(m, 0x01, 0x00, 3, 5);
	put(m, rfc4034_key, sizeof(rfc4034_key));
}
static void f_rrsig(struct msg *m)
{
	put16(m, 1);
	PUT(m, 13, 2);
	put32(m, 3600);
	put32(m, 1704067200); /* 2024-01-01 */
	put32(m, 1701388800);
	put16(m, 12345);
	name(m, "example.com");
	PUT(m, 0xde, 0xad, 0xbe, 0xef);
}
static void f_nsec(struct msg *m)
{
	name(m, "host.example.com");
	/* window 0: A NS SOA MX RRSIG NSEC; window 1: CAA (257) */
	PUT(m, 0, 6, 0x62, 0x01, 0x00, 0x00, 0x00, 0x03, 1, 1, 0x40);
}
static void f_nsec3(struct msg *m)
{
	PUT(m, 1, 1);
	put16(m, 12);
	PUT(m, 4, 0xaa, 0xbb, 0xcc, 0xdd);
	/* 5 bytes hash: base32hex of 00 00 00 00 00 is 00000000 */
	PUT(m, 5, 0xff, 0xff, 0xff, 0xff, 0xff);
	PUT(m, 0, 1, 0x40); /* A */
}
static void f_unknown(struct msg *m)
{
	PUT(m, 0x0a, 0, 0, 1);
}

START_TEST(record_types)
{
	struct ns_packet *pkt = one(28, f_aaaa);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.aaaa"), "2001:db8::1");
	ck_assert_str_eq(tu_value(pkt, "dns.rr"), "AAAA 2001:db8::1");
	ck_assert_uint_eq(tu_uint(pkt, "dns.flags.authoritative"), 1);

	pkt = one(5, f_cname);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.cname"), "target.example.com");

	pkt = one(12, f_ptr);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.ptr.domain_name"),
			 "www.example.com");

	pkt = one(2, f_cname);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.ns"), "target.example.com");

	pkt = one(15, f_mx);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.mx.preference"), 10);
	ck_assert_str_eq(tu_value(pkt, "dns.mx.mail_exchange"),
			 "mail.example.com");
	ck_assert_str_eq(tu_value(pkt, "dns.rr"), "MX 10 mail.example.com");

	pkt = one(16, f_txt);
	tu_assert_ok(pkt);
	ck_assert_str_eq(all(pkt, "dns.txt"), "v=spf,,a,b\"\\\\c");
	ck_assert_str_eq(all(pkt, "dns.txt.length"), "5,0,6");
	ck_assert_str_eq(tu_value(pkt, "dns.rr"),
			 "TXT \"v=spf\" \"\" \"a,b\\\\\"\\\\\\\\c\"");

	pkt = one(6, f_soa);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.soa.mname"), "ns1.example.com");
	ck_assert_str_eq(tu_value(pkt, "dns.soa.rname"),
			 "hostmaster.example.com");
	ck_assert_uint_eq(tu_uint(pkt, "dns.soa.serial_number"), 2024010101);
	ck_assert_uint_eq(tu_uint(pkt, "dns.soa.refresh_interval"), 7200);
	ck_assert_uint_eq(tu_uint(pkt, "dns.soa.retry_interval"), 3600);
	ck_assert_uint_eq(tu_uint(pkt, "dns.soa.expire_limit"), 1209600);
	ck_assert_uint_eq(tu_uint(pkt, "dns.soa.minimum_ttl"), 300);

	pkt = one(33, f_srv);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.srv.priority"), 10);
	ck_assert_uint_eq(tu_uint(pkt, "dns.srv.weight"), 60);
	ck_assert_uint_eq(tu_uint(pkt, "dns.srv.port"), 5060);
	ck_assert_str_eq(tu_value(pkt, "dns.srv.target"), "sip.example.com");
	ck_assert_str_eq(tu_value(pkt, "dns.rr"),
			 "SRV 10 60 5060 sip.example.com");

	pkt = one(257, f_caa);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.caa.flags"), "0x80");
	ck_assert_uint_eq(tu_uint(pkt, "dns.caa.flags.issuer_critical"), 1);
	ck_assert_str_eq(tu_value(pkt, "dns.caa.issue"), "ca.net");
	ck_assert_str_eq(tu_value(pkt, "dns.caa.tag"), "issue");
	ck_assert_str_eq(tu_value(pkt, "dns.caa.value"), "ca.net");
	ck_assert_str_eq(tu_value(pkt, "dns.rr"), "CAA 128 issue \"ca.net\"");

	pkt = one(35, f_naptr);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.naptr.order"), 100);
	ck_assert_uint_eq(tu_uint(pkt, "dns.naptr.preference"), 10);
	ck_assert_str_eq(tu_value(pkt, "dns.naptr.flags"), "S");
	ck_assert_str_eq(tu_value(pkt, "dns.naptr.service"), "SIP+D2U");
	ck_assert_str_eq(tu_value(pkt, "dns.naptr.regex"), "");
	ck_assert_str_eq(tu_value(pkt, "dns.naptr.replacement"),
			 "_sip._udp.example.com");

	pkt = one(64, f_svcb);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.svcb.svcpriority"), 1);
	ck_assert_str_eq(tu_value(pkt, "dns.svcb.targetname"),
			 "svc.example.com");
	ck_assert_str_eq(all(pkt, "dns.svcb.svcparam.key"), "0,1,3,4,5,6,9");
	ck_assert_str_eq(all(pkt, "dns.svcb.svcparam.mandatory.key"), "1,3");
	ck_assert_str_eq(all(pkt, "dns.svcb.svcparam.alpn"), "h2,h3");
	ck_assert_uint_eq(tu_uint(pkt, "dns.svcb.svcparam.port"), 8443);
	ck_assert_str_eq(all(pkt, "dns.svcb.svcparam.ipv4hint.ip"),
			 "192.0.2.1,192.0.2.2");
	ck_assert_str_eq(tu_value(pkt, "dns.svcb.svcparam.echconfig"),
			 "fe0d00");
	ck_assert_str_eq(tu_value(pkt, "dns.svcb.svcparam.ipv6hint.ip"),
			 "2001:db8::10");
	ck_assert_str_eq(tu_value(pkt, "dns.svcb.svcparam.value"), "6869");
	ck_assert_str_eq(
	    tu_value(pkt, "dns.rr"),
	    "SVCB 1 svc.example.com mandatory=alpn,port alpn=h2,h3 "
	    "port=8443 ipv4hint=192.0.2.1,192.0.2.2 ech=fe0d00 "
	    "ipv6hint=2001:db8::10 key9=\"hi\"");
	pkt = one(65, f_svcb);
	tu_assert_ok(pkt);
	ck_assert(
	    tu_starts_with(tu_value(pkt, "dns.rr"), "HTTPS 1 svc.example.com"));

	pkt = one(43, f_ds);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.ds.key_id"), 60485);
	ck_assert_uint_eq(tu_uint(pkt, "dns.ds.algorithm"), 5);
	ck_assert_uint_eq(tu_uint(pkt, "dns.ds.digest_type"), 1);
	ck_assert_str_eq(tu_value(pkt, "dns.ds.digest"),
			 "2bb183af5f22588179a53b0a98631fad1a292118");

	/* RFC 4034 section 5.4: this key's tag is 60485 */
	pkt = one(48, f_dnskey);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.dnskey.flags"), "0x0100");
	ck_assert_uint_eq(tu_uint(pkt, "dns.dnskey.flags.zone_key"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "dns.dnskey.flags.secure_entry_point"),
			  0);
	ck_assert_uint_eq(tu_uint(pkt, "dns.dnskey.protocol"), 3);
	ck_assert_uint_eq(tu_uint(pkt, "dns.dnskey.algorithm"), 5);
	ck_assert_uint_eq(tu_uint(pkt, "dns.dnskey.key_id"), 60485);
	ck_assert_uint_eq(tu_find(pkt, "dns.dnskey.public_key")->v.b.n, 130);

	pkt = one(46, f_rrsig);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.rrsig.type_covered"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "dns.rrsig.algorithm"), 13);
	ck_assert_uint_eq(tu_uint(pkt, "dns.rrsig.labels"), 2);
	ck_assert_uint_eq(tu_uint(pkt, "dns.rrsig.original_ttl"), 3600);
	ck_assert_str_eq(tu_value(pkt, "dns.rrsig.signature_expiration"),
			 "1704067200.000000000");
	ck_assert_str_eq(tu_value(pkt, "dns.rrsig.signature_inception"),
			 "1701388800.000000000");
	ck_assert_uint_eq(tu_uint(pkt, "dns.rrsig.key_tag"), 12345);
	ck_assert_str_eq(tu_value(pkt, "dns.rrsig.signers_name"),
			 "example.com");
	ck_assert_str_eq(tu_value(pkt, "dns.rrsig.signature"), "deadbeef");

	pkt = one(47, f_nsec);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.nsec.next_domain_name"),
			 "host.example.com");
	/* the bitmap's types follow the record's own type, as in tshark */
	ck_assert_str_eq(all(pkt, "dns.resp.type"), "47,1,2,6,15,46,47,257");
	ck_assert_str_eq(tu_value(pkt, "dns.rr"),
			 "NSEC host.example.com A NS SOA MX RRSIG NSEC CAA");

	pkt = one(50, f_nsec3);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.nsec3.algo"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "dns.nsec3.flags"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "dns.nsec3.flags.opt_out"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "dns.nsec3.iterations"), 12);
	ck_assert_uint_eq(tu_uint(pkt, "dns.nsec3.salt_length"), 4);
	ck_assert_str_eq(tu_value(pkt, "dns.nsec3.salt_value"), "aabbccdd");
	ck_assert_uint_eq(tu_uint(pkt, "dns.nsec3.hash_length"), 5);
	ck_assert_str_eq(tu_value(pkt, "dns.nsec3.hash_value"), "vvvvvvvv");
	ck_assert_str_eq(tu_value(pkt, "dns.rr"),
			 "NSEC3 1 1 12 aabbccdd vvvvvvvv A");

	/* no decoder: RFC 3597 */
	pkt = one(65280, f_unknown);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.rr"), "TYPE65280 \\\\# 4 0a000001");
	ck_assert_str_eq(tu_value(pkt, "dns.rr.generic"), "\\\\# 4 0a000001");
	ck_assert_str_eq(tu_value(pkt, "dns.data"), "0a000001");
	ck_assert_str_eq(info(pkt),
			 "response 0x0101 NOERROR TYPE65280 \\# 4 0a000001");
}
END_TEST

START_TEST(edns_options)
{
	struct msg m;
	header(&m, 3, 0x8100, 1, 0, 0, 1);
	question(&m, "example.com", 1);
	size_t at = rr(&m, "", 41, 1232, 0);
	PUT(&m, 0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2); /* ECS v4 /24 */
	PUT(&m, 0, 8, 0, 10, 0, 2, 48, 48, 0x20, 0x01, 0x0d, 0xb8, 0,
	    1); /* v6 */
	PUT(&m, 0, 10, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 9, 9, 9);
	PUT(&m, 0, 11, 0, 2, 0, 100);		    /* keepalive */
	PUT(&m, 0, 12, 0, 3, 0, 0, 0);		    /* padding */
	PUT(&m, 0, 15, 0, 5, 0, 18, 'n', 'o', '!'); /* EDE */
	PUT(&m, 0, 99, 0, 0);			    /* unknown */
	rr_end(&m, at);
	struct ns_packet *pkt = udp(&m, 1);
	tu_assert_ok(pkt);
	ck_assert_str_eq(all(pkt, "dns.opt.code"), "8,8,10,11,12,15,99");
	ck_assert_str_eq(all(pkt, "dns.opt.client.family"), "1,2");
	ck_assert_str_eq(all(pkt, "dns.opt.client.netmask"), "24,48");
	ck_assert_str_eq(all(pkt, "dns.opt.client.scope"), "0,48");
	ck_assert_str_eq(tu_value(pkt, "dns.opt.client.addr4"), "192.0.2.0");
	ck_assert_str_eq(tu_value(pkt, "dns.opt.client.addr6"), "2001:db8:1::");
	ck_assert_str_eq(tu_value(pkt, "dns.opt.cookie.client"),
			 "0102030405060708");
	ck_assert_str_eq(tu_value(pkt, "dns.opt.cookie.server"),
			 "0909090909090909");
	ck_assert_uint_eq(tu_uint(pkt, "dns.opt.edns_tcp_keepalive.timeout"),
			  100);
	ck_assert_str_eq(tu_value(pkt, "dns.opt.padding"), "000000");
	ck_assert_uint_eq(tu_uint(pkt, "dns.opt.ext_error.info_code"), 18);
	ck_assert_str_eq(tu_value(pkt, "dns.opt.ext_error.extra_text"), "no!");
	ck_assert_str_eq(
	    tu_value(pkt, "dns.rr"),
	    "OPT udp=1232 version=0 CSUBNET=192.0.2.0/24/0 "
	    "CSUBNET=2001:db8:1::/48/48 COOKIE=0102030405060708/"
	    "0909090909090909 KEEPALIVE=100 PADDING=3 EDE=18 \"no!\" "
	    "OPT99");
}
END_TEST

/* ---- names
 * -------------------------------------------------------------------- */

START_TEST(compression_loops)
{
	struct msg m;
	/* the question's name points at itself */
	header(&m, 1, 0x0100, 1, 0, 0, 0);
	PUT(&m, 0xc0, 0x0c, 0, 1, 0, 1);
	struct ns_packet *pkt = udp(&m, 0);
	tu_assert_malformed(pkt, "DNS: question 1: name: compression loop");
	ck_assert_str_eq(tu_value(pkt, "dns.qry.name"),
			 "<Name contains a pointer that loops>");
	ck_assert_uint_eq(tu_uint(pkt, "dns.qry.type"), 1); /* it goes on */

	/* two pointers pointing at each other, after the question */
	header(&m, 2, 0x0100, 1, 0, 0, 0);
	PUT(&m, 0xc0, 0x12, 0, 1, 0, 1, 0xc0, 0x0c);
	pkt = udp(&m, 0);
	tu_assert_malformed(pkt, "compression loop");

	/* a chain of pointers, each to the one before, after the question */
	header(&m, 3, 0x0100, 1, 0, 0, 0);
	PUT(&m, 0, 0, 0, 1, 0, 1); /* the question's pointer: below */
	size_t first = m.n, links = m.n + 3;
	PUT(&m, 1, 'a', 0);
	for (unsigned i = 0; i < 128; i++)
		put16(&m, 0xc000 |
			      (unsigned)(i == 0 ? first : links + 2 * (i - 1)));
	/* question -> link 127 -> ... -> link 0 -> "a": 129 pointers */
	size_t to = links + 2 * 127;
	m.b[12] = (uint8_t)(0xc0 | to >> 8);
	m.b[13] = (uint8_t)to;
	pkt = udp(&m, 0);
	tu_assert_malformed(pkt, "more than 128 compression pointers");

	/* from link 126: 128 pointers, fine */
	to = links + 2 * 126;
	m.b[12] = (uint8_t)(0xc0 | to >> 8);
	m.b[13] = (uint8_t)to;
	pkt = udp(&m, 0);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.qry.name"), "a");
}
END_TEST

START_TEST(names_past_the_end)
{
	struct msg m;
	header(&m, 1, 0x0100, 1, 0, 0, 0);
	PUT(&m, 3, 'a', 'p', 'i', 63, 'x', 'y');
	struct ns_packet *pkt = udp(&m, 0);
	tu_assert_malformed(pkt, "DNS: question 1: name: label past the end");
	ck_assert_ptr_null(tu_find(pkt, "dns.qry.name"));

	header(&m, 1, 0x0100, 1, 0, 0, 0);
	PUT(&m, 3, 'a', 'p', 'i', 0xc1, 0x00, 0, 1, 0, 1);
	pkt = udp(&m, 0);
	tu_assert_malformed(pkt, "pointer past the end");

	header(&m, 1, 0x0100, 1, 0, 0, 0);
	PUT(&m, 3, 'a', 'p', 'i');
	pkt = udp(&m, 0);
	tu_assert_malformed(pkt, "name past the end");

	/* a snapped capture: truncated, not malformed */
	header(&m, 1, 0x0100, 1, 0, 0, 0);
	question(&m, "api.example.com", 1);
	udp_frame(&m, CLIENT_PORT, 53);
	pkt = tu_dissect(TU_LT_EN10MB, frame.b, 42 + 12 + 5, (uint32_t)frame.n);
	tu_assert_truncated(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.id"), "0x0001");
}
END_TEST

START_TEST(bad_labels)
{
	struct msg m;
	/* non-printable bytes, a dot and a backslash inside labels: kept as
	 * they are, escaped when shown */
	header(&m, 1, 0x0100, 1, 0, 0, 0);
	PUT(&m, 3, 'a', 0, 'b', 4, 'd', '.', 'e', '\\', 0, 0, 1, 0, 1);
	struct ns_packet *pkt = udp(&m, 0);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_find(pkt, "dns.qry.name")->v.b.n, 8);
	ck_assert_str_eq(tu_value(pkt, "dns.qry.name"), "a\\x00b.d.e\\\\");
	ck_assert_uint_eq(tu_uint(pkt, "dns.count.labels"), 2);
	ck_assert_str_eq(info(pkt), "query 0x0001 A a\\x00b.d.e\\");

	/* label types 0x40 and 0x80 */
	header(&m, 1, 0x0100, 1, 0, 0, 0);
	PUT(&m, 0x41, 0, 0, 1, 0, 1);
	pkt = udp(&m, 0);
	tu_assert_malformed(pkt, "bad label type");
	header(&m, 1, 0x0100, 1, 0, 0, 0);
	PUT(&m, 0x80, 0, 0, 1, 0, 1);
	pkt = udp(&m, 0);
	tu_assert_malformed(pkt, "bad label type");

	/* 5 labels of 63: 321 bytes, more than 255 */
	header(&m, 1, 0x0100, 1, 0, 0, 0);
	for (int i = 0; i < 5; i++) {
		put8(&m, 63);
		for (int k = 0; k < 63; k++)
			put8(&m, 'x');
	}
	PUT(&m, 0, 0, 1, 0, 1);
	pkt = udp(&m, 0);
	tu_assert_malformed(pkt, "name longer than 255 bytes");
	ck_assert_str_eq(tu_value(pkt, "dns.qry.name"), "<Name too long>");
	ck_assert_uint_eq(tu_uint(pkt, "dns.qry.type"), 1);

	/* then 250 questions, each a pointer to that long name: each stops
	 * reading once past 255 bytes (the fuzzer's slow case had thousands
	 * of them over one label chain) */
	header(&m, 1, 0x0100, 251, 0, 0, 0);
	for (int i = 0; i < 5; i++) {
		put8(&m, 63);
		for (int k = 0; k < 63; k++)
			put8(&m, 'x');
	}
	PUT(&m, 0, 0, 1, 0, 1);
	for (int i = 0; i < 250; i++)
		PUT(&m, 0xc0, 12, 0, 28, 0, 1);
	pkt = udp(&m, 0);
	tu_assert_malformed(pkt, "name longer than 255 bytes");
	ck_assert_uint_eq(tu_count(pkt, "dns.qry.name"), 251);
	ck_assert_uint_eq(tu_count(pkt, "dns.qry.type"), 251);
	ck_assert(tu_starts_with(all(pkt, "dns.qry.type"), "1,28,28,"));
	ck_assert(tu_ends_with(all(pkt, "dns.qry.name"), ",<Name too long>"));

	/* the root */
	header(&m, 1, 0x0100, 1, 0, 0, 0);
	PUT(&m, 0, 0, 2, 0, 1);
	pkt = udp(&m, 0);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "dns.qry.name"), "<Root>");
	ck_assert_uint_eq(tu_uint(pkt, "dns.count.labels"), 1);
}
END_TEST

/* ---- truncated and malformed records
 * ------------------------------------------- */

START_TEST(bad_records)
{
	struct msg m;
	/* rdlength past the end of the message: nothing of the record */
	header(&m, 1, 0x8180, 1, 1, 0, 0);
	question(&m, "example.com", 1);
	rr(&m, NULL, 1, 1, 300);
	m.b[m.n - 1] = 200;
	PUT(&m, 10, 0, 0, 1);
	struct ns_packet *pkt = udp(&m, 1);
	tu_assert_malformed(pkt, "DNS: answer 1: record cut short");
	ck_assert_ptr_null(tu_find(pkt, "dns.resp.name"));

	/* an A record of 2 bytes: shown in RFC 3597 form, the next decodes */
	header(&m, 1, 0x8180, 1, 2, 0, 0);
	question(&m, "example.com", 1);
	size_t at = rr(&m, NULL, 1, 1, 300);
	PUT(&m, 10, 0);
	rr_end(&m, at);
	at = rr(&m, NULL, 1, 1, 300);
	PUT(&m, 10, 0, 0, 2);
	rr_end(&m, at);
	pkt = udp(&m, 1);
	tu_assert_malformed(pkt, "A record: data shorter than its layout");
	ck_assert_str_eq(all(pkt, "dns.a"), "10.0.0.2");
	ck_assert_str_eq(all(pkt, "dns.rr"), "A \\\\# 2 0a00,A 10.0.0.2");

	/* bytes after the data */
	header(&m, 1, 0x8180, 1, 1, 0, 0);
	question(&m, "example.com", 15);
	at = rr(&m, NULL, 15, 1, 300);
	put16(&m, 5);
	PUT(&m, 0, 0xff, 0xff);
	rr_end(&m, at);
	pkt = udp(&m, 1);
	tu_assert_malformed(pkt, "MX record: 2 bytes after its data");

	/* counts that promise more than there is */
	header(&m, 1, 0x8180, 1, 3, 0, 0);
	question(&m, "example.com", 1);
	pkt = udp(&m, 1);
	tu_assert_malformed(pkt, "3 answer records missing");

	/* a header cut short */
	header(&m, 1, 0x8180, 1, 0, 0, 0);
	m.n = 7;
	pkt = udp(&m, 1);
	tu_assert_malformed(pkt, "DNS: header cut short");

	/* an SVCB parameter longer than its record */
	header(&m, 1, 0x8180, 1, 1, 0, 0);
	question(&m, "example.com", 64);
	at = rr(&m, NULL, 64, 1, 300);
	PUT(&m, 0, 1, 0, 0, 3, 0, 9, 0, 0);
	rr_end(&m, at);
	pkt = udp(&m, 1);
	tu_assert_malformed(pkt, "SvcParam past the end of the record");
}
END_TEST

/* Every prefix of a valid response: never a crash, always a verdict. */
START_TEST(every_prefix)
{
	struct msg m;
	header(&m, 1, 0x8180, 1, 1, 0, 1);
	question(&m, "example.com", 65);
	size_t at = rr(&m, NULL, 65, 1, 300);
	f_svcb(&m);
	rr_end(&m, at);
	at = rr(&m, "", 41, 1232, 0);
	PUT(&m, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8);
	rr_end(&m, at);
	struct msg cut;
	for (size_t n = 0; n <= m.n; n++) {
		memcpy(cut.b, m.b, n);
		cut.n = n;
		struct ns_packet *pkt = udp(&cut, 1);
		if (n == m.n)
			tu_assert_ok(pkt);
		else
			ck_assert_int_eq(pkt->status, NS_LAYER_MALFORMED);
	}
}
END_TEST

/* ---- mDNS, LLMNR, other ports
 * ------------------------------------------------------ */

START_TEST(mdns_llmnr)
{
	struct msg m;
	header(&m, 0, 0x8400, 1, 1, 0, 0);
	name(&m, "printer.local");
	put16(&m, 12);
	put16(&m, 0x8001);			  /* QU */
	size_t at = rr(&m, NULL, 1, 0x8001, 120); /* cache flush */
	PUT(&m, 192, 0, 2, 9);
	rr_end(&m, at);
	struct ns_packet *pkt = udp_port(&m, 1, 5353);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.qry.qu"), 1);
	ck_assert_str_eq(tu_value(pkt, "dns.qry.class"), "0x0001");
	ck_assert_uint_eq(tu_uint(pkt, "dns.resp.cache_flush"), 1);
	ck_assert_str_eq(tu_value(pkt, "dns.resp.class"), "0x0001");
	ck_assert(tu_starts_with(info(pkt),
				 "mDNS response 0x0000 NOERROR A 192.0.2.9"));

	header(&m, 5, 0x0500, 1, 0, 0, 0); /* C and T set */
	question(&m, "host", 1);
	pkt = udp_port(&m, 0, 5355);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.flags.conflict"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "dns.flags.tentative"), 1);
	ck_assert_ptr_null(tu_find(pkt, "dns.flags.recdesired"));
	ck_assert_str_eq(info(pkt), "LLMNR query 0x0005 A host");
}
END_TEST

START_TEST(heuristic)
{
	struct msg m;
	header(&m, 0x0143, 0x0100, 1, 0, 0, 0);
	question(&m, "www.example.com", 1);
	struct ns_packet *pkt = udp_port(&m, 0, 8053);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp dns");
	/* NetBIOS names look the same: not on 137 */
	pkt = udp_port(&m, 0, 137);
	tu_assert_layers(pkt, "frame eth ip udp data");
	/* not a standard query */
	header(&m, 0x0143, 0x2800, 1, 0, 0, 0);
	question(&m, "www.example.com", 1);
	pkt = udp_port(&m, 0, 8053);
	tu_assert_layers(pkt, "frame eth ip udp data");
}
END_TEST

/* ---- matching (an engine: flows)
 * ------------------------------------------------- */

static struct ns_engine eng;

/* What the DNS events said: counts, and the events themselves (their
 * transactions copied, as a consumer must). */
#define HEARD_MAX 80
static struct heard {
	uint64_t queries, responses, unanswered, retransmissions, unsolicited;
	unsigned n;
	struct {
		enum ns_ev_type type;
		int with_pkt; /* ev->pkt was set (not the end of the run) */
		const struct ns_flow *flow;
		int64_t ts;
		struct ns_dns_txn x;
	} ev[HEARD_MAX];
} heard;

static void on_dns(void *ctx, const struct ns_event *ev)
{
	struct heard *h = ctx;
	const struct ns_dns_txn *x = ev->u.dns;
	if (ev->type == NS_EV_DNS_QUERY) {
		h->queries++;
		h->retransmissions += x->retransmission;
	} else if (ev->type == NS_EV_DNS_RESPONSE) {
		h->responses++;
		h->unsolicited += x->unsolicited;
	} else {
		h->unanswered++;
	}
	if (h->n == HEARD_MAX)
		return;
	h->ev[h->n].type = ev->type;
	h->ev[h->n].with_pkt = ev->pkt != NULL;
	h->ev[h->n].flow = ev->flow;
	h->ev[h->n].ts = ev->ts;
	h->ev[h->n].x = *x;
	h->n++;
}

/* A fresh engine whose DNS events the test hears (from zero). */
static void eng_start(void)
{
	ck_assert_int_eq(ns_engine_init(&eng, 0), 0);
	memset(&heard, 0, sizeof(heard));
	ck_assert_int_eq(ns_bus_subscribe(&eng.bus,
					  NS_EV_BIT(NS_EV_DNS_QUERY) |
					      NS_EV_BIT(NS_EV_DNS_RESPONSE) |
					      NS_EV_BIT(NS_EV_DNS_END),
					  on_dns, &heard),
			 0);
}

static void eng_setup(void)
{
	tu_setup();
	eng_start();
}

static void eng_teardown(void)
{
	ns_engine_finish(&eng);
	tu_teardown();
}

/* frames kept alive for the stream tests (fields point into them) */
static uint8_t held[16][600];

static struct ns_packet *at_time(uint64_t num, int64_t ms, const uint8_t *b,
				 size_t n)
{
	struct ns_packet *pkt = &tu_pkt;
	ck_assert_uint_lt(num, 16);
	memcpy(held[num], b, n);
	ns_pkt_begin(pkt, num, ms * 1000000, ms * 1000000, (uint32_t)n,
		     (uint32_t)n, TU_LT_EN10MB, held[num]);
	pkt->ts_digits = 6;
	pkt->eng = &eng;
	ns_dissect(pkt);
	return pkt;
}

static struct ns_packet *udp_at(uint64_t num, int64_t ms, const struct msg *m,
				int response)
{
	if (response) {
		/* from the server: the builder's addresses turned around */
		udp_frame(m, 53, CLIENT_PORT);
		uint8_t t[4];
		memcpy(t, frame.b + 26, 4);
		memcpy(frame.b + 26, frame.b + 30, 4);
		memcpy(frame.b + 30, t, 4);
	} else {
		udp_frame(m, CLIENT_PORT, 53);
	}
	return at_time(num, ms, frame.b, frame.n);
}

START_TEST(matching)
{
	struct msg q, r;
	header(&q, 0x1a2b, 0x0100, 1, 0, 0, 0);
	question(&q, "api.example.com", 1);
	header(&r, 0x1a2b, 0x8180, 1, 1, 0, 0);
	question(&r, "api.example.com", 1);
	size_t at = rr(&r, NULL, 1, 1, 60);
	PUT(&r, 10, 0, 0, 7);
	rr_end(&r, at);

	struct ns_packet *pkt = udp_at(1, 1000, &q, 0);
	ck_assert_ptr_null(tu_find(pkt, "dns.retransmission"));
	/* the same id again 1 s later, unanswered: a retransmission */
	pkt = udp_at(2, 2000, &q, 0);
	ck_assert_uint_eq(tu_uint(pkt, "dns.retransmission"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "dns.retransmit_request_in"), 1);
	ck_assert_str_eq(info(pkt),
			 "query 0x1a2b A api.example.com (retransmission)");
	/* the answer: to the first query, 3.1 ms after it */
	pkt = udp_at(3, 2003, &r, 1);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "dns.response_to"), 1);
	ck_assert_str_eq(tu_value(pkt, "dns.time"), "1.003000000");
	ck_assert_str_eq(info(pkt),
			 "response 0x1a2b NOERROR A 10.0.0.7 (1003.0 ms)");
	/* a second answer */
	pkt = udp_at(4, 2004, &r, 1);
	ck_assert_uint_eq(tu_uint(pkt, "dns.retransmit_response_in"), 3);
	ck_assert_ptr_null(tu_find(pkt, "dns.response_to"));
	/* the id again, after the answer: a new transaction */
	pkt = udp_at(5, 3000, &q, 0);
	ck_assert_ptr_null(tu_find(pkt, "dns.retransmission"));
	pkt = udp_at(6, 3000, &r, 1);
	ck_assert_uint_eq(tu_uint(pkt, "dns.response_to"), 5);
	ck_assert_str_eq(tu_value(pkt, "dns.time"), "0.000000000");
	/* an answer nobody asked for */
	r.b[0] = 0x77;
	pkt = udp_at(7, 3001, &r, 1);
	ck_assert_uint_eq(tu_uint(pkt, "dns.unsolicited"), 1);
	ck_assert(tu_ends_with(info(pkt), "(unsolicited)"));
	/* a query never answered is counted when its flow ends */
	uint64_t before = heard.unanswered;
	q.b[0] = 0x55;
	udp_at(8, 4000, &q, 0);
	ns_engine_finish(&eng);
	ck_assert_uint_eq(heard.unanswered - before, 1);
	eng_start();
}
END_TEST

/* Many queries outstanding at once: the ring grows to 64, then the oldest
 * unanswered ones are pushed out (and counted as never answered). */
START_TEST(many_outstanding)
{
	struct msg q, r;
	struct heard before = heard, after;
	for (unsigned i = 0; i < 70; i++) {
		header(&q, 0x100 + i, 0x0100, 1, 0, 0, 0);
		question(&q, "example.com", 1);
		udp_at(1 + i % 8, 1000 + i, &q, 0);
	}
	for (unsigned i = 0; i < 70; i++) {
		header(&r, 0x100 + i, 0x8180, 1, 0, 0, 0);
		question(&r, "example.com", 1);
		struct ns_packet *pkt = udp_at(9 + i % 4, 2000 + i, &r, 1);
		if (i < 6)
			ck_assert_uint_eq(tu_uint(pkt, "dns.unsolicited"), 1);
		else
			ck_assert_str_eq(tu_value(pkt, "dns.time"),
					 "1.000000000");
	}
	after = heard;
	ck_assert_uint_eq(after.unanswered - before.unanswered, 6);
	ck_assert_uint_eq(after.unsolicited - before.unsolicited, 6);
	/* the six pushed out of the ring ended then, oldest first, while
	 * the queries that pushed them were dissected */
	unsigned ends = 0;
	for (unsigned i = 0; i < heard.n; i++) {
		if (heard.ev[i].type != NS_EV_DNS_END)
			continue;
		ck_assert_uint_eq(heard.ev[i].x.id, 0x100 + ends);
		ck_assert(heard.ev[i].with_pkt);
		ck_assert_int_eq(heard.ev[i].x.rcode, -1);
		ck_assert_str_eq(heard.ev[i].x.qname, "example.com");
		ends++;
	}
	ck_assert_uint_eq(ends, 6);
}
END_TEST

/* Two-pass analysis (-2): the response notes its query's frame in pass 1,
 * and the query shows it in pass 2; a retransmitted query, a response and
 * an unanswered query show none. */
START_TEST(two_pass)
{
	struct msg q, q2, r;
	header(&q, 0x4242, 0x0100, 1, 0, 0, 0);
	question(&q, "api.example.com", 1);
	header(&q2, 0x4343, 0x0100, 1, 0, 0, 0);
	question(&q2, "api.example.com", 28);
	header(&r, 0x4242, 0x8180, 1, 0, 0, 0);
	question(&r, "api.example.com", 1);
	for (int pass = 1; pass <= 2; pass++) {
		eng.pass = pass;
		struct ns_packet *pkt = udp_at(1, 1000, &q, 0);
		if (pass == 1)
			ck_assert_ptr_null(tu_find(pkt, "dns.response_in"));
		else
			ck_assert_uint_eq(tu_uint(pkt, "dns.response_in"), 3);
		/* the summary line does not change */
		ck_assert_str_eq(info(pkt), "query 0x4242 A api.example.com");
		pkt = udp_at(2, 1500, &q, 0);
		ck_assert_uint_eq(tu_uint(pkt, "dns.retransmission"), 1);
		ck_assert_ptr_null(tu_find(pkt, "dns.response_in"));
		pkt = udp_at(3, 2000, &r, 1);
		ck_assert_uint_eq(tu_uint(pkt, "dns.response_to"), 1);
		ck_assert_ptr_null(tu_find(pkt, "dns.response_in"));
		pkt = udp_at(4, 2500, &q2, 0);
		ck_assert_ptr_null(tu_find(pkt, "dns.response_in"));
		if (pass == 1) {
			/* as ns_run_first_pass(): only the notes go on */
			ck_assert_uint_eq(eng.notes.n, 1);
			struct ns_notes keep = eng.notes;
			ns_note_init(&eng.notes, 0);
			ns_engine_finish(&eng);
			eng_start();
			eng.notes = keep;
		}
	}
	/* pass 2 counts as a one-pass run would */
	ck_assert_uint_eq(heard.queries, 3);
	ck_assert_uint_eq(heard.responses, 1);
}
END_TEST

/* ---- transaction events
 * ------------------------------------------------------------------ */

/* The i-th event heard, which must be of type t. */
static const struct ns_dns_txn *heard_ev(unsigned i, enum ns_ev_type t)
{
	ck_assert_uint_gt(heard.n, i);
	ck_assert_int_eq(heard.ev[i].type, t);
	return &heard.ev[i].x;
}

static void answer_a(struct msg *r, unsigned id, const char *qname,
		     unsigned rcode)
{
	header(r, id, 0x8180 | rcode, 1, 2, 0, 0);
	question(r, qname, 1);
	size_t at = rr(r, NULL, 1, 1, 60);
	PUT(r, 10, 0, 0, 7);
	rr_end(r, at);
	at = rr(r, NULL, 1, 1, 60);
	PUT(r, 10, 0, 0, 8);
	rr_end(r, at);
}

/* A query then its response: one QUERY, one RESPONSE, with everything a
 * consumer needs in them; nothing when the engine finishes. */
START_TEST(events_query_response)
{
	struct msg q, r;
	header(&q, 0x1a2b, 0x0100, 1, 0, 0, 0);
	question(&q, "api.example.com", 1);
	answer_a(&r, 0x1a2b, "api.example.com", 0);
	udp_at(1, 1000, &q, 0);
	const struct ns_dns_txn *x = heard_ev(0, NS_EV_DNS_QUERY);
	ck_assert(heard.ev[0].with_pkt);
	ck_assert_ptr_nonnull(heard.ev[0].flow);
	ck_assert_int_eq(heard.ev[0].ts, 1000 * 1000000LL);
	ck_assert_uint_eq(x->id, 0x1a2b);
	ck_assert_uint_eq(x->qtype, 1);
	ck_assert_str_eq(x->qtype_name, "A");
	ck_assert_str_eq(x->qname, "api.example.com");
	ck_assert_uint_eq(x->tcp, 0);
	ck_assert_uint_eq(x->answered, 0);
	ck_assert_uint_eq(x->retransmission, 0);
	ck_assert_uint_eq(x->unsolicited, 0);
	ck_assert_int_eq(x->rcode, -1);
	ck_assert_str_eq(x->answers, "");
	ck_assert_int_eq(x->t_query, 1000 * 1000000LL);
	ck_assert_uint_eq(x->query_frame, 1);
	ck_assert_int_eq(x->t_response, -1);
	ck_assert_uint_eq(x->response_frame, 0);

	udp_at(2, 1003, &r, 1);
	ck_assert_uint_eq(heard.n, 2);
	x = heard_ev(1, NS_EV_DNS_RESPONSE);
	ck_assert_ptr_eq(heard.ev[1].flow, heard.ev[0].flow);
	ck_assert_uint_eq(x->id, 0x1a2b);
	ck_assert_str_eq(x->qtype_name, "A");
	ck_assert_str_eq(x->qname, "api.example.com");
	ck_assert_uint_eq(x->answered, 1);
	ck_assert_uint_eq(x->retransmission, 0);
	ck_assert_uint_eq(x->unsolicited, 0);
	ck_assert_int_eq(x->rcode, 0);
	ck_assert_str_eq(x->answers, "A 10.0.0.7, A 10.0.0.8");
	ck_assert_int_eq(x->t_query, 1000 * 1000000LL);
	ck_assert_int_eq(x->t_response, 1003 * 1000000LL);
	ck_assert_uint_eq(x->query_frame, 1);
	ck_assert_uint_eq(x->response_frame, 2);

	/* the rcode as dns.rcode shows it: with EDNS's upper bits (BADVERS,
	 * RFC 6891 6.1.3), a name that needs escaping, no answer */
	header(&q, 7, 0x0100, 1, 0, 0, 0);
	question(&q, "a\\b.example", 28);
	header(&r, 7, 0x8100, 1, 0, 0, 1);
	question(&r, "a\\b.example", 28);
	PUT(&r, 0, 0, 41, 0x04, 0xd0, 1, 0, 0x80, 0, 0, 0);
	udp_at(3, 2000, &q, 0);
	udp_at(4, 2001, &r, 1);
	x = heard_ev(3, NS_EV_DNS_RESPONSE);
	ck_assert_int_eq(x->rcode, 16);
	ck_assert_str_eq(x->qtype_name, "AAAA");
	ck_assert_str_eq(x->qname, "a\\\\b.example");
	ck_assert_str_eq(x->answers, "");
	ns_engine_finish(&eng);
	ck_assert_uint_eq(heard.n, 4);
	eng_start();
}
END_TEST

/* A query repeated while unanswered: a second QUERY, marked; the answer
 * goes to the first; a second answer is a RESPONSE marked too. */
START_TEST(events_retransmission)
{
	struct msg q, r;
	header(&q, 0x0042, 0x0100, 1, 0, 0, 0);
	question(&q, "example.com", 1);
	answer_a(&r, 0x0042, "example.com", 0);
	udp_at(1, 1000, &q, 0);
	udp_at(2, 2000, &q, 0);
	const struct ns_dns_txn *x = heard_ev(1, NS_EV_DNS_QUERY);
	ck_assert_uint_eq(x->retransmission, 1);
	ck_assert_uint_eq(x->query_frame, 2);
	ck_assert_str_eq(x->qname, "example.com");
	udp_at(3, 2500, &r, 1);
	x = heard_ev(2, NS_EV_DNS_RESPONSE);
	ck_assert_uint_eq(x->answered, 1);
	ck_assert_uint_eq(x->retransmission, 0);
	ck_assert_uint_eq(x->query_frame, 1);
	ck_assert_int_eq(x->t_response - x->t_query, 1500 * 1000000LL);
	udp_at(4, 2600, &r, 1);
	x = heard_ev(3, NS_EV_DNS_RESPONSE);
	ck_assert_uint_eq(x->answered, 1);
	ck_assert_uint_eq(x->retransmission, 1);
	ck_assert_uint_eq(x->response_frame, 4);
	ck_assert_uint_eq(heard.queries, 2);
	ck_assert_uint_eq(heard.retransmissions, 1);
	ck_assert_uint_eq(heard.responses, 2);
	/* answered: nothing ends unanswered */
	ns_engine_finish(&eng);
	ck_assert_uint_eq(heard.unanswered, 0);
	eng_start();
}
END_TEST

/* A response nobody asked for. */
START_TEST(events_unsolicited)
{
	struct msg r;
	answer_a(&r, 0x0777, "api.example.com", 3);
	udp_at(1, 1000, &r, 1);
	ck_assert_uint_eq(heard.n, 1);
	const struct ns_dns_txn *x = heard_ev(0, NS_EV_DNS_RESPONSE);
	ck_assert_uint_eq(x->unsolicited, 1);
	ck_assert_uint_eq(x->answered, 0);
	ck_assert_uint_eq(x->id, 0x0777);
	ck_assert_int_eq(x->rcode, 3);
	ck_assert_str_eq(x->qname, "api.example.com");
	ck_assert_str_eq(x->answers, "A 10.0.0.7, A 10.0.0.8");
	ck_assert_int_eq(x->t_query, -1);
	ck_assert_uint_eq(x->query_frame, 0);
	ck_assert_uint_eq(x->response_frame, 1);
}
END_TEST

/* A query never answered ends with its flow: DNS_END when the engine
 * finishes (no packet then), and the end-of-run line counts it. */
START_TEST(events_unanswered)
{
	struct ns_dnstally tally;
	ck_assert_int_eq(ns_dnstally_start(&tally, &eng), 0);
	struct msg q, r;
	header(&q, 0x0101, 0x0100, 1, 0, 0, 0);
	question(&q, "lost.example", 16);
	answer_a(&r, 0x0102, "found.example", 0);
	udp_at(1, 1000, &q, 0);
	q.b[1] = 0x02; /* 0x0102: answered */
	udp_at(2, 1001, &q, 0);
	udp_at(3, 1002, &r, 1);
	ck_assert_uint_eq(heard.n, 3);
	ck_assert_uint_eq(heard.unanswered, 0);
	ns_engine_finish(&eng);
	ck_assert_uint_eq(heard.n, 4);
	const struct ns_dns_txn *x = heard_ev(3, NS_EV_DNS_END);
	ck_assert(!heard.ev[3].with_pkt);
	ck_assert_ptr_eq(heard.ev[3].flow, heard.ev[0].flow);
	ck_assert_int_eq(heard.ev[3].ts, 1002 * 1000000LL); /* its last */
	ck_assert_uint_eq(x->id, 0x0101);
	ck_assert_uint_eq(x->qtype, 16);
	ck_assert_str_eq(x->qtype_name, "TXT");
	ck_assert_str_eq(x->qname, "lost.example");
	ck_assert_uint_eq(x->answered, 0);
	ck_assert_int_eq(x->rcode, -1);
	ck_assert_int_eq(x->t_query, 1000 * 1000000LL);
	ck_assert_uint_eq(x->query_frame, 1);
	ck_assert_int_eq(x->t_response, -1);
	ck_assert_uint_eq(x->response_frame, 0);
	/* the line main.c prints, byte for byte */
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(fp);
	ns_dnstally_print(&tally, fp);
	fclose(fp);
	ck_assert_str_eq(text,
			 "netscope: DNS: 1 of 2 queries never answered\n");
	free(text);
	eng_start();
}
END_TEST

/* Nobody listens: no event, and the line has nothing to say. */
START_TEST(events_nobody_listens)
{
	ns_engine_finish(&eng);
	ck_assert_int_eq(ns_engine_init(&eng, 0), 0); /* a bus of none */
	struct ns_dnstally tally;
	memset(&tally, 0, sizeof(tally));
	struct msg q;
	header(&q, 0x0101, 0x0100, 1, 0, 0, 0);
	question(&q, "lost.example", 1);
	struct ns_packet *pkt = udp_at(1, 1000, &q, 0);
	tu_assert_ok(pkt);
	ck_assert_str_eq(info(pkt), "query 0x0101 A lost.example");
	ns_engine_finish(&eng);
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	ns_dnstally_print(&tally, fp);
	fclose(fp);
	ck_assert_uint_eq(len, 0);
	free(text);
	eng_start();
}
END_TEST

/* ---- TCP
 * ----------------------------------------------------------------------------
 */

static uint32_t seq[2];

static size_t tcp_frame(uint8_t *out, int from_server, uint8_t flags,
			const uint8_t *data, size_t n)
{
	tu_frame_init(&frame);
	tu_eth(&frame, 0x0800);
	size_t ip = tu_ipv4(&frame, 6);
	tu_put16(&frame, from_server ? 53 : CLIENT_PORT);
	tu_put16(&frame, from_server ? CLIENT_PORT : 53);
	tu_put32(&frame, seq[from_server]);
	tu_put32(&frame, (flags & 0x10) ? seq[!from_server] : 0);
	TU_PUT(&frame, 0x50, flags);
	tu_put16(&frame, 65535);
	tu_put32(&frame, 0);
	if (n)
		tu_put(&frame, data, n);
	tu_ipv4_end(&frame, ip);
	seq[from_server] += (uint32_t)n + ((flags & 0x03) ? 1 : 0);
	memcpy(out, frame.b, frame.n);
	return frame.n;
}

static struct ns_packet *tcp_at(uint64_t num, int from_server, uint8_t flags,
				const void *data, size_t n)
{
	uint8_t b[600];
	size_t len = tcp_frame(b, from_server, flags, data, n);
	/* the addresses of the builder are fixed: turn the server's
	 * segments around */
	if (from_server) {
		uint8_t t[4];
		memcpy(t, b + 26, 4);
		memcpy(b + 26, b + 30, 4);
		memcpy(b + 30, t, 4);
	}
	return at_time(num, (int64_t)num, b, len);
}

START_TEST(tcp_stream)
{
	seq[0] = 1000;
	seq[1] = 5000;
	tcp_at(1, 0, 0x02, NULL, 0);
	tcp_at(2, 1, 0x12, NULL, 0);
	tcp_at(3, 0, 0x10, NULL, 0);
	/* two queries in one segment */
	struct msg a, b;
	header(&a, 0x1a2b, 0x0100, 1, 0, 0, 0);
	question(&a, "api.example.com", 1);
	header(&b, 0x1a2c, 0x0100, 1, 0, 0, 0);
	question(&b, "api.example.com", 28);
	uint8_t seg[600];
	size_t n = 0;
	seg[n++] = (uint8_t)(a.n >> 8);
	seg[n++] = (uint8_t)a.n;
	memcpy(seg + n, a.b, a.n);
	n += a.n;
	seg[n++] = (uint8_t)(b.n >> 8);
	seg[n++] = (uint8_t)b.n;
	memcpy(seg + n, b.b, b.n);
	n += b.n;
	struct ns_packet *pkt = tcp_at(4, 0, 0x18, seg, n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip tcp dns dns");
	ck_assert_str_eq(all(pkt, "dns.length"), "33,33");
	ck_assert_str_eq(all(pkt, "dns.id"), "0x1a2b,0x1a2c");
	ck_assert_str_eq(info(pkt), "query 0x1a2b A api.example.com; "
				    "query 0x1a2c AAAA api.example.com");
	/* the answer to the first, over two segments */
	struct msg r;
	header(&r, 0x1a2b, 0x8180, 1, 1, 0, 0);
	question(&r, "api.example.com", 1);
	size_t at = rr(&r, NULL, 1, 1, 60);
	PUT(&r, 10, 0, 0, 7);
	rr_end(&r, at);
	n = 0;
	seg[n++] = (uint8_t)(r.n >> 8);
	seg[n++] = (uint8_t)r.n;
	memcpy(seg + n, r.b, r.n);
	n += r.n;
	pkt = tcp_at(5, 1, 0x18, seg, 1);
	ck_assert_int_lt(tu_layer(pkt, "dns"), 0);
	pkt = tcp_at(6, 1, 0x18, seg + 1, 10);
	ck_assert_int_lt(tu_layer(pkt, "dns"), 0);
	pkt = tcp_at(7, 1, 0x18, seg + 11, n - 11);
	tu_assert_ok(pkt);
	ck_assert_int_ge(tu_layer(pkt, "dns"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "dns.length"), r.n);
	ck_assert_uint_eq(tu_uint(pkt, "dns.response_to"), 4);
	ck_assert_str_eq(tu_value(pkt, "dns.time"), "0.003000000");
	ck_assert_str_eq(tu_value(pkt, "dns.a"), "10.0.0.7");
	/* compression offsets count from the message, not the prefix */
	ck_assert_str_eq(tu_value(pkt, "dns.resp.name"), "api.example.com");
	/* the events: two queries, the answer to the first, over TCP */
	ck_assert_uint_eq(heard.n, 3);
	ck_assert_uint_eq(heard_ev(0, NS_EV_DNS_QUERY)->tcp, 1);
	ck_assert_str_eq(heard_ev(1, NS_EV_DNS_QUERY)->qtype_name, "AAAA");
	const struct ns_dns_txn *x = heard_ev(2, NS_EV_DNS_RESPONSE);
	ck_assert_uint_eq(x->tcp, 1);
	ck_assert_uint_eq(x->answered, 1);
	ck_assert_str_eq(x->answers, "A 10.0.0.7");
	/* the second query ends unanswered with the connection */
	ns_engine_finish(&eng);
	ck_assert_uint_eq(heard_ev(3, NS_EV_DNS_END)->id, 0x1a2c);
	ck_assert_uint_eq(heard.ev[3].x.tcp, 1);
	eng_start();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tu_tcase("header");
	tcase_add_test(tc, query);
	tcase_add_test(tc, response_line);
	tcase_add_test(tc, nxdomain_tc);
	tcase_add_test(tc, extended_rcode);
	tcase_add_test(tc, opcodes);
	suite_add_tcase(s, tc);
	tc = tu_tcase("records");
	tcase_add_test(tc, record_types);
	tcase_add_test(tc, edns_options);
	suite_add_tcase(s, tc);
	tc = tu_tcase("names");
	tcase_add_test(tc, compression_loops);
	tcase_add_test(tc, names_past_the_end);
	tcase_add_test(tc, bad_labels);
	suite_add_tcase(s, tc);
	tc = tu_tcase("malformed");
	tcase_add_test(tc, bad_records);
	tcase_add_test(tc, every_prefix);
	suite_add_tcase(s, tc);
	tc = tu_tcase("ports");
	tcase_add_test(tc, mdns_llmnr);
	tcase_add_test(tc, heuristic);
	suite_add_tcase(s, tc);
	tc = tcase_create("state");
	tcase_add_checked_fixture(tc, eng_setup, eng_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, matching);
	tcase_add_test(tc, many_outstanding);
	tcase_add_test(tc, two_pass);
	tcase_add_test(tc, tcp_stream);
	tcase_add_test(tc, events_query_response);
	tcase_add_test(tc, events_retransmission);
	tcase_add_test(tc, events_unsolicited);
	tcase_add_test(tc, events_unanswered);
	tcase_add_test(tc, events_nobody_listens);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
