/*
 * test_ipv4 — IPv4 (RFC 791) (dissectors/net/ipv4.c).
 *
 * Header checks (version, IHL >= 5, total length >= IHL, total length
 * against what is present when the whole frame was captured), options
 * (EOL, NOP, TLV; a bad option length is malformed but the transport is
 * still dissected), payload limited to the total length (Ethernet padding is
 * not transport data), fragments (offset > 0 stops at IP; the first
 * fragment goes on with ip_fragment set so the transport may be longer than
 * this fragment).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"

/* eth / IPv4 / UDP "ping" */
static void build(struct tu_frame *f)
{
	tu_frame_init(f);
	tu_eth(f, 0x0800);
	tu_ipv4_udp(f);
}

enum { IP = 14 }; /* where the IPv4 header starts in build()'s frames */

static void check_valid(void)
{
	struct tu_frame f;
	build(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "ip.version"), 4);
	ck_assert_uint_eq(tu_uint(pkt, "ip.hdr_len"), 20);
	ck_assert_str_eq(tu_value(pkt, "ip.dsfield"), "0x00");
	ck_assert_uint_eq(tu_uint(pkt, "ip.len"), 32);
	ck_assert_str_eq(tu_value(pkt, "ip.id"), "0x1234");
	ck_assert_str_eq(tu_value(pkt, "ip.flags"), "0x02");
	ck_assert_str_eq(tu_value(pkt, "ip.flags.rb"), "0");
	ck_assert_str_eq(tu_value(pkt, "ip.flags.df"), "1");
	ck_assert_str_eq(tu_value(pkt, "ip.flags.mf"), "0");
	ck_assert_uint_eq(tu_uint(pkt, "ip.frag_offset"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "ip.ttl"), 64);
	ck_assert_uint_eq(tu_uint(pkt, "ip.proto"), 17);
	ck_assert_str_eq(tu_value(pkt, "ip.checksum"), "0x0000");
	ck_assert_str_eq(tu_value(pkt, "ip.src"), TU_IP4_A);
	ck_assert_str_eq(tu_value(pkt, "ip.dst"), TU_IP4_B);
	ck_assert_uint_eq(tu_find(pkt, "ip.src")->off, IP + 12);
	ck_assert_uint_eq(tu_find(pkt, "ip.len")->off, IP + 2);
	ck_assert_ptr_null(tu_find(pkt, "ip.options"));
	ck_assert_uint_eq(pkt->ip_payload_len, 12);
	ck_assert_uint_eq(pkt->ip_fragment, 0);
	ck_assert_uint_eq(pkt->layers[2].off, IP);
	ck_assert_uint_eq(pkt->layers[2].len, 32);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_UDP_ADDRS " UDP 46 Len=4");
}

START_TEST(valid)
{
	check_valid();
}
END_TEST

START_TEST(summary_without_transport)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	size_t ip = tu_ipv4(&f, 253); /* experimental: nothing binds it */
	TU_PUT(&f, 1, 2, 3);
	tu_ipv4_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip data");
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_A TU_ARROW TU_IP4_B
			 " IPv4 37 IPv4 protocol 253");
	f.b[IP + 9] = 47; /* GRE: named */
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	if (tu_layer(pkt, "data") == 3) /* until a GRE dissector exists */
		ck_assert(tu_ends_with(tu_summary(pkt),
				       " IPv4 37 IPv4 protocol 47 (GRE)"));
}
END_TEST

START_TEST(dsfield)
{
	struct tu_frame f;
	build(&f);
	f.b[IP + 1] = 0xb9; /* DSCP 46 (EF), ECN 1 */
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "ip.dsfield"), "0xb9");
	ck_assert_uint_eq(tu_uint(pkt, "ip.dsfield.dscp"), 46);
	ck_assert_uint_eq(tu_uint(pkt, "ip.dsfield.ecn"), 1);
}
END_TEST

START_TEST(padding_not_payload)
{
	/* a 28-byte datagram (UDP, no data) padded to the 60-byte minimum */
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	size_t ip = tu_ipv4(&f, 17);
	tu_udp(&f, "");
	tu_ipv4_end(&f, ip);
	tu_zeros(&f, 18);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp");
	ck_assert_uint_eq(pkt->layers[2].len, 28);
	ck_assert_ptr_null(tu_find(pkt, "udp.payload"));
	ck_assert(tu_ends_with(tu_summary(pkt), " UDP 60 Len=0"));
}
END_TEST

START_TEST(options)
{
	/* IHL 7: Router Alert (148, len 4), NOP, EOL, 2 bytes of padding */
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	size_t ip = tu_ipv4(&f, 17);
	f.b[ip] = 0x47;
	TU_PUT(&f, 0x94, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	tu_udp(&f, "ping");
	tu_ipv4_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "ip.hdr_len"), 28);
	ck_assert_str_eq(tu_value(pkt, "ip.options"), "9404000001000000");
	ck_assert_uint_eq(tu_find(pkt, "ip.options")->off, IP + 20);
	/* RA, NOP, EOL; the padding after EOL is not walked */
	ck_assert_uint_eq(tu_count(pkt, "ip.opt.type"), 3);
	ck_assert_uint_eq(tu_uint(pkt, "ip.opt.type"), 148);
	ck_assert_uint_eq(tu_uint(pkt, "ip.opt.len"), 4);
	ck_assert_str_eq(tu_value(pkt, "ip.opt.data"), "0000");
	ck_assert_uint_eq(tu_find(pkt, "ip.opt.data")->off, IP + 22);
	/* the option tree is nested under ip.options */
	ck_assert_uint_gt(tu_find(pkt, "ip.opt.type")->depth,
			  tu_find(pkt, "ip.options")->depth);
	ck_assert_uint_eq(pkt->ip_payload_len, 12);
	ck_assert_uint_eq(tu_uint(pkt, "udp.srcport"), TU_PORT_A);
	ck_assert_uint_eq(pkt->layers[3].off, IP + 28);
}
END_TEST

START_TEST(option_bad_length)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	size_t ip = tu_ipv4(&f, 17);
	f.b[ip] = 0x46;
	TU_PUT(&f, 0x07, 0x01, 0x00, 0x00); /* RR with length 1 */
	tu_udp(&f, "ping");
	tu_ipv4_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "IPv4: option 7 has bad length 1");
	ck_assert_uint_eq(pkt->layers[2].status, NS_LAYER_MALFORMED);
	/* the transport is still dissected */
	tu_assert_layers(pkt, "frame eth ip udp data");
	ck_assert_uint_eq(pkt->layers[3].status, NS_LAYER_OK);
	ck_assert_uint_eq(tu_uint(pkt, "udp.dstport"), TU_PORT_B);
	/* a length running past the options */
	f.b[ip + 21] = 0x27;
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "IPv4: option 7 has bad length 39");
	tu_assert_layers(pkt, "frame eth ip udp data");
	/* an option whose length byte is missing */
	f.b[ip + 20] = 0x01;
	f.b[ip + 21] = 0x01;
	f.b[ip + 22] = 0x01;
	f.b[ip + 23] = 0x44; /* timestamp, last byte of the options */
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "IPv4: option 68 has bad length");
}
END_TEST

START_TEST(bad_ihl)
{
	struct tu_frame f;
	build(&f);
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		f.b[IP] = (uint8_t)(0x40 | ihl);
		struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
		char why[64];
		snprintf(why, sizeof(why), "IPv4: bogus header length %u",
			 ihl * 4u);
		tu_assert_malformed(pkt, why);
		tu_assert_layers(pkt, "frame eth ip");
		ck_assert_uint_eq(tu_uint(pkt, "ip.hdr_len"), ihl * 4u);
	}
	/* IHL past the datagram: total length 32 < header length 60 */
	f.b[IP] = 0x4f;
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "IPv4");
	ck_assert_uint_eq(pkt->layers[2].status, NS_LAYER_MALFORMED);
}
END_TEST

START_TEST(bad_version)
{
	struct tu_frame f;
	build(&f);
	f.b[IP] = 0x65;
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "IPv4: bogus version 6");
	ck_assert_uint_eq(tu_uint(pkt, "ip.version"), 6);
}
END_TEST

START_TEST(total_length_below_header)
{
	struct tu_frame f;
	build(&f);
	tu_set16(&f, IP + 2, 10);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "IPv4: total length 10 < header length 20");
	tu_assert_layers(pkt, "frame eth ip");
	ck_assert_uint_eq(tu_uint(pkt, "ip.len"), 10);
	tu_set16(&f, IP + 2, 19);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "total length 19 < header length 20");
	/* exactly the header is fine for IPv4 (the UDP header it promises
	 * is missing, which is UDP's problem) */
	tu_set16(&f, IP + 2, 20);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_uint_eq(pkt->layers[2].status, NS_LAYER_OK);
	ck_assert_uint_eq(pkt->ip_payload_len, 0);
	tu_assert_malformed(pkt, "UDP header cut short");
}
END_TEST

START_TEST(total_length_beyond_frame)
{
	struct tu_frame f;
	build(&f);
	tu_set16(&f, IP + 2, 100);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(
	    pkt, "IPv4: total length 100 exceeds the 32 bytes present");
	/* what is there is still dissected */
	tu_assert_layers(pkt, "frame eth ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "udp.srcport"), TU_PORT_A);
	/* the same length in a frame cut by the snaplen is expected */
	pkt = tu_dissect(TU_LT_EN10MB, f.b, f.n, 14 + 100);
	ck_assert_int_ne(pkt->status, NS_LAYER_MALFORMED);
}
END_TEST

START_TEST(total_length_zero_tso)
{
	/* total length 0: segmentation offload, the frame is the datagram */
	struct tu_frame f;
	build(&f);
	tu_set16(&f, IP + 2, 0);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "ip.len"), 32);
	ck_assert_uint_eq(pkt->ip_payload_len, 12);
	tu_assert_layers(pkt, "frame eth ip udp data");
}
END_TEST

START_TEST(later_fragment_stops_at_ip)
{
	struct tu_frame f;
	build(&f);
	tu_set16(&f, IP + 6, 0x00b9); /* offset 185 * 8 = 1480, MF 0 */
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip data");
	ck_assert_str_eq(tu_value(pkt, "ip.flags.mf"), "0");
	ck_assert_uint_eq(tu_uint(pkt, "data.len"), 12);
	ck_assert_ptr_null(tu_find(pkt, "udp.srcport"));
	/* no ports from bytes that are not a UDP header */
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_A TU_ARROW TU_IP4_B
			 " IPv4 46 Fragmented IP protocol (proto=UDP 17, "
			 "off=1480, ID=1234)");
	/* a middle fragment (MF set) too */
	tu_set16(&f, IP + 6, 0x20b9);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_layers(pkt, "frame eth ip data");
	ck_assert_str_eq(tu_value(pkt, "ip.flags.mf"), "1");
}
END_TEST

/*
 * ip.frag_offset is Wireshark's field: the 13-bit value in 8-octet units
 * (tshark 4.0 -T fields prints 185 for this fragment), while the info text
 * says bytes ("off=1480").  (Before 72e3d4a the field held bytes.)
 */
START_TEST(frag_offset_in_wireshark_units)
{
	struct tu_frame f;
	build(&f);
	tu_set16(&f, IP + 6, 0x00b9); /* offset 185 */
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_uint_eq(tu_uint(pkt, "ip.frag_offset"), 185);
}
END_TEST

START_TEST(first_fragment_goes_on)
{
	/* MF set, offset 0: UDP says 1008 bytes, only 12 are here */
	struct tu_frame f;
	build(&f);
	tu_set16(&f, IP + 6, 0x2000);
	tu_set16(&f, IP + 20 + 4, 1008);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(pkt->ip_fragment, 1);
	tu_assert_layers(pkt, "frame eth ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "udp.length"), 1008);
	ck_assert_str_eq(tu_value(pkt, "ip.flags.mf"), "1");
	/* the same UDP length without MF is malformed (the UDP suite has
	 * more): the fragment flag does not leak into the next packet */
	build(&f);
	tu_set16(&f, IP + 20 + 4, 1008);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_uint_eq(pkt->ip_fragment, 0);
	tu_assert_malformed(pkt,
			    "UDP: length 1008 exceeds IP payload length 12");
}
END_TEST

START_TEST(ip_in_ip)
{
	/* protocol 4: the inner header's addresses are the packet's */
	static const uint8_t inner_src[4] = {203, 0, 113, 7};
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	size_t outer = tu_ipv4(&f, 4);
	size_t inner = tu_ipv4(&f, 17);
	memcpy(f.b + inner + 12, inner_src, 4);
	tu_udp(&f, "ping");
	tu_ipv4_end(&f, inner);
	tu_ipv4_end(&f, outer);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip ip udp data");
	ck_assert_str_eq(tu_value_in(pkt, 2, "ip.src"), TU_IP4_A);
	ck_assert_str_eq(tu_value_in(pkt, 3, "ip.src"), "203.0.113.7");
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 203.0.113.7:33333" TU_ARROW TU_IP4_B
			 ":44444 UDP 66 Len=4");
}
END_TEST

/* Dissects a packet with some 2000 fields, so the record's field array
 * has room and does not move during the next packets. */
static void grow_record(void)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x86dd);
	size_t ip = tu_ipv6(&f, 0);
	TU_PUT(&f, 59, 127); /* hop-by-hop, 1024 bytes of Pad1 */
	tu_zeros(&f, 1022);
	tu_ipv6_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_uint_ge(pkt->fvcap, 2048);
}

START_TEST(too_many_layers)
{
	/* 40 IPv4 headers nested (protocol 4): the layer stack is bounded.
	 * (The record is grown first so this test is about the layer cap
	 * alone: see ip_len_survives_field_array_growth.) */
	enum { DEPTH = 40 };
	struct tu_frame f;
	size_t ip[DEPTH];
	grow_record();
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	for (int i = 0; i < DEPTH; i++)
		ip[i] = tu_ipv4(&f, i + 1 < DEPTH ? 4 : 17);
	tu_udp(&f, "ping");
	for (int i = DEPTH - 1; i >= 0; i--)
		tu_ipv4_end(&f, ip[i]);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_uint_eq(pkt->nlayers, NS_MAX_LAYERS);
	tu_assert_malformed(pkt, "too many nested layers");
	for (unsigned i = 2; i < pkt->nlayers; i++)
		ck_assert_str_eq(pkt->layers[i].d->name, "ip");
	/* and the record is fine for the next packet */
	check_valid();
}
END_TEST

/*
 * BUG (dissectors/net/ipv4.c, since 72e3d4a "ip.len in header order"):
 * dissect() keeps `struct ns_fv *lenfv = ns_pkt_add(...)` for ip.len and
 * writes `lenfv->v.u = tot` after adding a dozen or more fields (id, flags,
 * ttl, addresses, options).  When one of those adds grows the record's
 * field array, realloc() moves it and the write goes to freed memory:
 * ASan reports heap-use-after-free at ipv4.c:173, and ip.len keeps the 0
 * ns_pkt_add() stored.  It happens whenever the array grows inside an IPv4
 * header — the first packets on a record, or any packet with more fields
 * than the record has held so far.  Expected: ip.len right, no UAF (keep
 * the index, not the pointer).  Each packet below is the first on a fresh
 * record, with ip.len at a different index, so one of them straddles the
 * 256-field growth.
 */
START_TEST(ip_len_survives_field_array_growth)
{
	for (unsigned npad = 6; npad <= 246; npad += 8) {
		struct tu_frame f;
		tu_frame_init(&f);
		tu_eth(&f, 0x86dd);
		size_t ip6 = tu_ipv6(&f, 0);
		TU_PUT(&f, 4, (uint8_t)((2 + npad) / 8 - 1)); /* HBH → IPv4 */
		tu_zeros(&f, npad);			      /* Pad1 each */
		size_t ip = tu_ipv4(&f, 253);
		f.b[ip] = 0x4f; /* IHL 15: 40 bytes of NOPs */
		for (int i = 0; i < 40; i++)
			TU_PUT(&f, 1);
		TU_PUT(&f, 1, 2, 3, 4);
		tu_ipv4_end(&f, ip);
		tu_ipv6_end(&f, ip6);
		ns_pkt_free(&tu_pkt);
		ns_pkt_init(&tu_pkt);
		struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
		tu_assert_layers(pkt, "frame eth ipv6 ip data");
		ck_assert_msg(tu_uint(pkt, "ip.len") == 64,
			      "%u Pad1: ip.len %llu, expected 64", npad,
			      (unsigned long long)tu_uint(pkt, "ip.len"));
	}
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build(&f);
	for (uint32_t cut = IP; cut < IP + 20; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		tu_assert_layers(pkt, "frame eth ip");
		ck_assert_uint_eq(pkt->layers[2].status, NS_LAYER_TRUNCATED);
	}
	/* inside the options */
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	size_t ip = tu_ipv4(&f, 17);
	f.b[ip] = 0x47;
	TU_PUT(&f, 0x94, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	tu_udp(&f, "ping");
	tu_ipv4_end(&f, ip);
	struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, IP + 24, f.n);
	tu_assert_truncated(pkt);
	tu_assert_layers(pkt, "frame eth ip");
}
END_TEST

START_TEST(malformed_short)
{
	struct tu_frame f;
	build(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, IP + 19);
	tu_assert_malformed(pkt, "IPv4 header cut short");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build(&f);
	f.b[IP] = 0x43;
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	check_valid();
	build(&f);
	tu_set16(&f, IP + 2, 100);
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	check_valid();
	tu_dissect(TU_LT_EN10MB, f.b, IP + 5, f.n);
	check_valid();
	/* a fragment leaves no state behind either */
	build(&f);
	tu_set16(&f, IP + 6, 0x2000);
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	check_valid();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ipv4");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid);
	tcase_add_test(tc, summary_without_transport);
	tcase_add_test(tc, dsfield);
	tcase_add_test(tc, padding_not_payload);
	tcase_add_test(tc, options);
	tcase_add_test(tc, total_length_zero_tso);
	tcase_add_test(tc, later_fragment_stops_at_ip);
	tcase_add_test(tc, first_fragment_goes_on);
	tcase_add_test(tc, ip_in_ip);
	tcase_add_test(tc, frag_offset_in_wireshark_units);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, option_bad_length);
	tcase_add_test(tc, bad_ihl);
	tcase_add_test(tc, bad_version);
	tcase_add_test(tc, total_length_below_header);
	tcase_add_test(tc, total_length_beyond_frame);
	tcase_add_test(tc, too_many_layers);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, malformed_short);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	tc = tu_bug_tcase("known_bugs");
	tcase_add_test(tc, ip_len_survives_field_array_growth);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
