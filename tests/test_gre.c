/*
 * test_gre — GRE and ERSPAN (dissectors/tunnel/gre.c): RFC 2784/2890 GRE
 * with its optional fields, RFC 1701 routing, PPTP's enhanced GRE (RFC
 * 2637), transparent Ethernet bridging, and ERSPAN types I, II and III.
 */
#include <check.h>

#include "tunnel_util.h"

/* Offset of the GRE header: after Ethernet and a 20-byte IPv4 header. */
#define GRE 34

/* Ethernet / IPv4 protocol 47 / GRE flags-and-version `fv`, `proto`; the
 * caller appends optional fields and payload, then calls gre_end(). */
static size_t gre_begin(struct tu_frame *f, uint16_t fv, uint16_t proto)
{
	tu_frame_init(f);
	tu_eth(f, 0x0800);
	size_t ip = tu_ipv4(f, 47);
	tu_put16(f, fv);
	tu_put16(f, proto);
	return ip;
}

#define gre_end(f, ip) tu_ipv4_end((f), (ip))

/* The plainest tunnel: base header, IPv4 / UDP inside. */
static void build_plain(struct tu_frame *f)
{
	size_t ip = gre_begin(f, 0x0000, 0x0800);
	tu_ipv4_udp(f);
	gre_end(f, ip);
}

static void check_plain(void)
{
	struct tu_frame f;
	build_plain(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip gre ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "gre.flags_and_version"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "gre.flags.version"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "gre.proto"), 0x0800);
	ck_assert_uint_eq(tu_find(pkt, "gre.proto")->off, GRE + 2);
	ck_assert_ptr_null(tu_find(pkt, "gre.key"));
	ck_assert_uint_eq(pkt->layers[tu_layer(pkt, "gre") + 1].off, GRE + 4);
	ck_assert_str_eq(tun_info(pkt, "gre"), "Encapsulated IP");
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_UDP_ADDRS " UDP 70 Len=4");
}

START_TEST(valid)
{
	check_plain();
}
END_TEST

START_TEST(valid_checksum_key_sequence)
{
	struct tu_frame f;
	size_t ip = gre_begin(&f, 0xb000, 0x86dd); /* C, K, S */
	TU_PUT(&f, 0x12, 0x34, 0x00, 0x00);	   /* checksum, offset */
	tu_put32(&f, 0xdeadbeef);
	tu_put32(&f, 7);
	tu_ipv6_udp(&f);
	gre_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip gre ipv6 udp data");
	ck_assert_uint_eq(tu_uint(pkt, "gre.flags.checksum"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "gre.flags.key"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "gre.flags.sequence_number"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "gre.flags.routing"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "gre.checksum"), 0x1234);
	ck_assert_uint_eq(tu_uint(pkt, "gre.offset"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "gre.key"), 0xdeadbeef);
	ck_assert_uint_eq(tu_uint(pkt, "gre.sequence_number"), 7);
	ck_assert_uint_eq(tu_find(pkt, "gre.sequence_number")->off, GRE + 12);
	ck_assert_str_eq(tun_info(pkt, "gre"), "Encapsulated IPv6");
}
END_TEST

START_TEST(valid_routing)
{
	/* RFC 1701: R implies checksum and offset; one IPv4 SRE, then NULL */
	struct tu_frame f;
	size_t ip = gre_begin(&f, 0x4000, 0x0800);
	tu_put32(&f, 0);
	TU_PUT(&f, 0x08, 0x00, 0, 4, 192, 0, 2, 9); /* AF, offset, len 4 */
	TU_PUT(&f, 0, 0, 0, 0);			    /* the NULL SRE */
	tu_ipv4_udp(&f);
	gre_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip gre ip udp data");
	ck_assert_uint_eq(tu_count(pkt, "gre.routing"), 2);
	ck_assert_uint_eq(tu_uint(pkt, "gre.routing.address_family"), 0x0800);
	ck_assert_uint_eq(tu_uint(pkt, "gre.routing.src_length"), 4);
	ck_assert_str_eq(tu_value(pkt, "gre.routing.information"), "c0000209");
}
END_TEST

START_TEST(valid_transparent_ethernet)
{
	struct tu_frame f;
	size_t ip = gre_begin(&f, 0x2000, 0x6558); /* K: NVGRE-style */
	tu_put32(&f, 0x00100100);
	tu_eth(&f, 0x0800);
	tu_ipv4_udp(&f);
	gre_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip gre eth ip udp data");
	ck_assert_str_eq(tun_info(pkt, "gre"),
			 "Encapsulated Transparent Ethernet bridging");
}
END_TEST

START_TEST(valid_enhanced_pptp)
{
	/* version 1, K, S, A: payload length and call ID, seq, ack; PPP */
	struct tu_frame f;
	size_t ip = gre_begin(&f, 0x3081, 0x880b);
	tu_put16(&f, 36);
	tu_put16(&f, 0x4001);
	tu_put32(&f, 5);
	tu_put32(&f, 4);
	TU_PUT(&f, 0xff, 0x03, 0x00, 0x21);
	tu_ipv4_udp(&f);
	gre_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip gre ppp ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "gre.flags.version"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "gre.flags.ack"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "gre.key.payload_length"), 36);
	ck_assert_uint_eq(tu_uint(pkt, "gre.key.call_id"), 0x4001);
	ck_assert_ptr_null(tu_find(pkt, "gre.key"));
	ck_assert_uint_eq(tu_uint(pkt, "gre.sequence_number"), 5);
	ck_assert_uint_eq(tu_uint(pkt, "gre.ack_number"), 4);
	ck_assert_uint_eq(tu_uint(pkt, "ppp.protocol"), 0x0021);
}
END_TEST

START_TEST(valid_keepalive)
{
	/* no payload: the header alone, nothing handed on */
	struct tu_frame f;
	size_t ip = gre_begin(&f, 0x0000, 0x0000);
	gre_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip gre");
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " GRE 38 Encapsulated Possible GRE keepalive "
			       "packet"));
}
END_TEST

/* GRE with S (sequence 1) around an ERSPAN header (`hdr`, n bytes) and
 * an Ethernet frame. */
static void build_erspan(struct tu_frame *f, uint16_t fv, uint16_t proto,
			 const uint8_t *hdr, size_t n)
{
	size_t ip = gre_begin(f, fv, proto);
	if (fv & 0x1000)
		tu_put32(f, 1);
	tu_put(f, hdr, n);
	tu_eth(f, 0x0800);
	tu_ipv4_udp(f);
	gre_end(f, ip);
}

START_TEST(valid_erspan_type2)
{
	/* version 1, VLAN 10; COS 5, encap 3, not truncated, span 100;
	 * index 0x12345 */
	static const uint8_t h[] = {0x10, 0x0a, 0xb8, 0x64,
				    0x00, 0x01, 0x23, 0x45};
	struct tu_frame f;
	build_erspan(&f, 0x1000, 0x88be, h, sizeof h);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip gre erspan eth ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "erspan.version"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.vlan"), 10);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.cos"), 5);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.encap"), 3);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.truncated"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.spanid"), 100);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.index"), 0x12345);
	ck_assert_str_eq(tun_info(pkt, "erspan"),
			 "ERSPAN Type II, span ID 100");
}
END_TEST

START_TEST(valid_erspan_type3_platform)
{
	/* version 2, VLAN 0, span 7, timestamp, SGT 0x0102; P, HW 5, D,
	 * granularity 2, O; platform ID 3: port 0x123, upper timestamp */
	static const uint8_t h[] = {0x20, 0x00, 0x00, 0x07, 0x00, 0x00, 0x10,
				    0x00, 0x01, 0x02, 0x80, 0x5d, 0x0c, 0x00,
				    0x01, 0x23, 0xca, 0xfe, 0xba, 0xbe};
	struct tu_frame f;
	build_erspan(&f, 0x1000, 0x22eb, h, sizeof h);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip gre erspan eth ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "erspan.version"), 2);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.spanid"), 7);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.timestamp"), 0x1000);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.sgt"), 0x0102);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.p"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.hw"), 5);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.direction"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.gra"), 2);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.o"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.platid"), 3);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.pid3.port_index"), 0x123);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.pid3.timestamp"), 0xcafebabe);
	ck_assert_str_eq(tun_info(pkt, "erspan"), "ERSPAN Type III, span ID 7");
}
END_TEST

START_TEST(valid_erspan_type1)
{
	/* type I: no header; told apart by GRE's zero flags and version */
	struct tu_frame f;
	build_erspan(&f, 0x0000, 0x88be, NULL, 0);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip gre erspan eth ip udp data");
	ck_assert_ptr_null(tu_find(pkt, "erspan.version"));
	ck_assert_uint_eq(pkt->layers[tu_layer(pkt, "erspan") + 1].off,
			  GRE + 4);
	ck_assert_str_eq(tun_info(pkt, "erspan"), "ERSPAN Type I");
	/* told from GRE's bytes, not its fields: the same when no field is
	 * recorded (a run that shows none) */
	ns_pkt_keep_fields(&tu_pkt, 0);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_uint_eq(pkt->nfv, 0);
	tu_assert_layers(pkt, "frame eth ip gre erspan eth ip udp data");
	ck_assert_uint_eq(pkt->layers[tu_layer(pkt, "erspan") + 1].off,
			  GRE + 4);
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	size_t ip = gre_begin(&f, 0xb000, 0x0800);
	tu_put32(&f, 0);
	tu_put32(&f, 1);
	tu_put32(&f, 2);
	tu_ipv4_udp(&f);
	gre_end(&f, ip);
	/* every cut in the 16-byte header */
	for (uint32_t cut = GRE; cut < GRE + 16; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		ck_assert_int_eq(tun_status(pkt, "gre"), NS_LAYER_TRUNCATED);
		ck_assert_int_eq(tu_layer(pkt, "ip"), 2);
	}
}
END_TEST

START_TEST(truncated_routing_and_erspan)
{
	/* an SRE list without its NULL entry runs off the end of a whole
	 * packet: malformed (a cut capture would be truncated) */
	struct tu_frame f;
	size_t ip = gre_begin(&f, 0x4000, 0x0800);
	tu_put32(&f, 0);
	TU_PUT(&f, 0x08, 0x00, 0, 4, 192, 0, 2, 9);
	gre_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "GRE header cut short");
	ck_assert_uint_eq(tu_count(pkt, "gre.routing"), 1);
	pkt = tu_dissect(TU_LT_EN10MB, f.b, (uint32_t)f.n, (uint32_t)f.n + 4);
	tu_assert_truncated(pkt);
	ck_assert_int_eq(tun_status(pkt, "gre"), NS_LAYER_TRUNCATED);
	/* a type II header cut after 6 of its 8 bytes */
	static const uint8_t h[] = {0x10, 0x0a, 0xb8, 0x64,
				    0x00, 0x01, 0x23, 0x45};
	build_erspan(&f, 0x1000, 0x88be, h, sizeof h);
	pkt = tu_dissect(TU_LT_EN10MB, f.b, GRE + 8 + 6, f.n);
	tu_assert_truncated(pkt);
	ck_assert_int_eq(tun_status(pkt, "erspan"), NS_LAYER_TRUNCATED);
	ck_assert_uint_eq(tu_uint(pkt, "erspan.spanid"), 100);
}
END_TEST

START_TEST(malformed_erspan_version)
{
	static const uint8_t h[] = {0x30, 0x0a, 0xb8, 0x64,
				    0x00, 0x01, 0x23, 0x45};
	struct tu_frame f;
	build_erspan(&f, 0x1000, 0x88be, h, sizeof h);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "unknown ERSPAN version 3");
	ck_assert_uint_eq(tu_uint(pkt, "erspan.version"), 3);
	ck_assert_ptr_null(tu_find(pkt, "erspan.vlan"));
	ck_assert_str_eq(tun_info(pkt, "erspan"), "ERSPAN unknown version");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build_plain(&f);
	tu_dissect(TU_LT_EN10MB, f.b, GRE + 3, f.n);
	check_plain();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("gre");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid);
	tcase_add_test(tc, valid_checksum_key_sequence);
	tcase_add_test(tc, valid_routing);
	tcase_add_test(tc, valid_transparent_ethernet);
	tcase_add_test(tc, valid_enhanced_pptp);
	tcase_add_test(tc, valid_keepalive);
	tcase_add_test(tc, valid_erspan_type2);
	tcase_add_test(tc, valid_erspan_type3_platform);
	tcase_add_test(tc, valid_erspan_type1);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, truncated_routing_and_erspan);
	tcase_add_test(tc, malformed_erspan_version);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
