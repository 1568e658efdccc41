/*
 * test_icmp — ICMP for IPv4 (RFC 792) (dissectors/net/icmp.c).
 *
 * Echo, timestamp, redirect, parameter problem, and error messages quoting
 * the offending datagram: the quote is dissected as quoted layers (IPv4 and
 * its transport) whose addresses and ports do not replace the packet's,
 * and whose shortness is not an error of the packet.
 */
#include <check.h>
#include <string.h>

#include "check_util.h"

enum { IP = 14, ICMP = 34 };

static const uint8_t ip4_c[4] = {203, 0, 113, 9};

static void build_echo(struct tu_frame *f, uint8_t type)
{
	tu_frame_init(f);
	tu_eth(f, 0x0800);
	size_t ip = tu_ipv4(f, 1);
	TU_PUT(f, type, 0, 0xf7, 0xff, 0x12, 0x34, 0x00, 0x01);
	tu_put(f, (const uint8_t *)"abcdefgh", 8);
	tu_ipv4_end(f, ip);
}

/*
 * Error `type`/`code` from A to B quoting B's datagram to C: an IPv4 header
 * (total length 100, so longer than the quote) and `nq` bytes of its
 * transport (`proto`).
 */
static void build_error(struct tu_frame *f, uint8_t type, uint8_t code,
			uint8_t proto, const uint8_t *quote, size_t nq)
{
	tu_frame_init(f);
	tu_eth(f, 0x0800);
	size_t ip = tu_ipv4(f, 1);
	TU_PUT(f, type, code, 0, 0, 0, 0, 0, 0);
	TU_PUT(f, 0x45, 0, 0, 100, 0xab, 0xcd, 0, 0, 1, proto, 0, 0);
	tu_put(f, tu_ip4_b, 4);
	tu_put(f, ip4_c, 4);
	tu_put(f, quote, nq);
	tu_ipv4_end(f, ip);
}

/* the first 8 bytes of a UDP datagram 44444 → 33434, length 80 */
static const uint8_t quoted_udp[8] = {0xad, 0x9c, 0x82, 0x9a,
				      0,    80,	  0x12, 0x34};

static void check_echo(void)
{
	struct tu_frame f;
	build_echo(&f, 8);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip icmp");
	ck_assert_uint_eq(tu_uint(pkt, "icmp.type"), 8);
	ck_assert_uint_eq(tu_uint(pkt, "icmp.code"), 0);
	ck_assert_str_eq(tu_value(pkt, "icmp.checksum"), "0xf7ff");
	ck_assert_str_eq(tu_value(pkt, "icmp.ident"), "4660");
	ck_assert_uint_eq(tu_uint(pkt, "icmp.seq"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "icmp.seq_le"), 256);
	ck_assert_str_eq(tu_value(pkt, "icmp.data"), "6162636465666768");
	ck_assert_uint_eq(tu_find(pkt, "icmp.data")->off, ICMP + 8);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_A TU_ARROW TU_IP4_B
			 " ICMP 50 Echo (ping) request id=0x1234, seq=1/256, "
			 "ttl=64");
}

START_TEST(echo_request)
{
	check_echo();
}
END_TEST

START_TEST(echo_reply)
{
	struct tu_frame f;
	build_echo(&f, 0);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " ICMP 50 Echo (ping) reply "
			       "id=0x1234, seq=1/256, ttl=64"));
}
END_TEST

START_TEST(unreachable_quotes_ipv4_udp)
{
	struct tu_frame f;
	build_error(&f, 3, 3, 17, quoted_udp, 8);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip icmp ip udp");
	ck_assert_uint_eq(pkt->layers[2].quoted, 0);
	ck_assert_uint_eq(pkt->layers[3].quoted, 0);
	ck_assert_uint_eq(pkt->layers[4].quoted, 1);
	ck_assert_uint_eq(pkt->layers[5].quoted, 1);
	/* a quote shorter than its lengths say is not an error */
	for (unsigned i = 0; i < pkt->nlayers; i++)
		ck_assert_msg(pkt->layers[i].status == NS_LAYER_OK,
			      "layer %u (%s) status %d", i,
			      pkt->layers[i].d->name, pkt->layers[i].status);
	ck_assert_uint_eq(tu_uint(pkt, "icmp.type"), 3);
	ck_assert_uint_eq(tu_uint(pkt, "icmp.code"), 3);
	ck_assert_str_eq(tu_value(pkt, "icmp.unused"), "00000000");
	/* the quoted datagram's fields are in the quoted layers */
	ck_assert_str_eq(tu_value_in(pkt, 2, "ip.src"), TU_IP4_A);
	ck_assert_str_eq(tu_value_in(pkt, 4, "ip.src"), TU_IP4_B);
	ck_assert_str_eq(tu_value_in(pkt, 4, "ip.dst"), "203.0.113.9");
	ck_assert_uint_eq(tu_find_in(pkt, 4, "ip.src")->off, ICMP + 8 + 12);
	ck_assert_uint_eq(tu_uint(pkt, "udp.srcport"), 44444);
	ck_assert_uint_eq(tu_uint(pkt, "udp.dstport"), 33434);
	/* the ICMP layer owns only its own fields */
	ck_assert_ptr_null(tu_find_in(pkt, 3, "ip.src"));
	/* …and they do not replace the packet's addresses or add ports */
	ck_assert_int_eq(pkt->has_ports, 0);
	ck_assert_ptr_eq(pkt->src, f.b + IP + 12);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_A TU_ARROW TU_IP4_B
			 " ICMP 70 Destination unreachable (Port unreachable)");
}
END_TEST

START_TEST(fragmentation_needed)
{
	struct tu_frame f;
	build_error(&f, 3, 4, 17, quoted_udp, 8);
	f.b[ICMP + 6] = 0x05; /* next-hop MTU 1400 */
	f.b[ICMP + 7] = 0x78;
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "icmp.mtu"), 1400);
	ck_assert(tu_ends_with(tu_summary(pkt), " ICMP 70 Destination "
						"unreachable (Fragmentation "
						"needed)"));
}
END_TEST

START_TEST(time_exceeded_full_tcp_quote)
{
	/* a full 20-byte TCP header quoted (as Linux quotes) */
	static const uint8_t tcp[20] = {0xad, 0x9c, 0x82, 0x35, 0, 0,
					0,    1,    0,	  0,	0, 0,
					0x50, 0x02, 0xff, 0xff};
	struct tu_frame f;
	build_error(&f, 11, 0, 6, tcp, 20);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip icmp ip tcp");
	ck_assert_ptr_null(tu_find(pkt, "tcp.len")); /* no segment length */
	ck_assert_int_eq(pkt->has_ports, 0);
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " ICMP 82 Time-to-live exceeded "
			       "(Time to live exceeded in "
			       "transit)"));
}
END_TEST

/*
 * BUG (src/core/dissect.c ns_dissect_inner + dissectors/net/icmp.c): the quoted
 * datagram is dissected on the ICMP layer's own reader, so when the quote
 * ends inside a quoted header the quoted layer is (rightly) marked
 * truncated but the reader's sticky error stays set; back in run() the
 * ICMP dissector's `return 0` is turned into NS_ETRUNC and, the frame being
 * whole, the ICMP layer and the packet become "[malformed: ICMP header cut
 * short]".  RFC 792 errors quote the IP header + 64 bits, so every error
 * quoting a TCP segment that way (8 of its 20 header bytes) is shown as
 * malformed.  Expected: packet OK, quoted TCP layer truncated.
 */
START_TEST(quote_of_8_tcp_bytes_is_not_an_error)
{
	static const uint8_t tcp8[8] = {0xad, 0x9c, 0x82, 0x35, 0, 0, 0, 1};
	struct tu_frame f;
	build_error(&f, 11, 0, 6, tcp8, 8);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_layers(pkt, "frame eth ip icmp ip tcp");
	ck_assert_uint_eq(pkt->layers[5].quoted, 1);
	ck_assert_uint_eq(pkt->layers[5].status, NS_LAYER_TRUNCATED);
	ck_assert_uint_eq(pkt->layers[3].status, NS_LAYER_OK);
	tu_assert_ok(pkt);
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " ICMP 70 Time-to-live exceeded "
			       "(Time to live exceeded in "
			       "transit)"));
}
END_TEST

/* Same bug, the quote ending inside the quoted IPv4 header. */
START_TEST(quote_cut_in_ip_header_is_not_an_error)
{
	struct tu_frame f;
	build_error(&f, 3, 1, 17, quoted_udp, 8);
	/* keep 12 bytes of the quoted IP header only */
	f.n = ICMP + 8 + 12;
	tu_ipv4_end(&f, IP);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_layers(pkt, "frame eth ip icmp ip");
	ck_assert_uint_eq(pkt->layers[4].status, NS_LAYER_TRUNCATED);
	tu_assert_ok(pkt);
}
END_TEST

START_TEST(other_types)
{
	struct tu_frame f;
	/* redirect for host, gateway 203.0.113.9 */
	build_error(&f, 5, 1, 17, quoted_udp, 8);
	memcpy(f.b + ICMP + 4, ip4_c, 4);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "icmp.redir_gw"), "203.0.113.9");
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " ICMP 70 Redirect (Redirect for host)"));
	/* parameter problem, pointer 9 */
	build_error(&f, 12, 0, 17, quoted_udp, 8);
	f.b[ICMP + 4] = 9;
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "icmp.pointer"), 9);
	tu_assert_layers(pkt, "frame eth ip icmp ip udp");
	/* timestamp request */
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	size_t ip = tu_ipv4(&f, 1);
	TU_PUT(&f, 13, 0, 0, 0, 0, 1, 0, 2);
	tu_put32(&f, 1000);
	tu_put32(&f, 2000);
	tu_put32(&f, 3000);
	tu_ipv4_end(&f, ip);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "icmp.originate_timestamp"), 1000);
	ck_assert_uint_eq(tu_uint(pkt, "icmp.receive_timestamp"), 2000);
	ck_assert_uint_eq(tu_uint(pkt, "icmp.transmit_timestamp"), 3000);
	/* unknown type: the rest is data */
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	ip = tu_ipv4(&f, 1);
	TU_PUT(&f, 42, 7, 0, 0, 1, 2, 3);
	tu_ipv4_end(&f, ip);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "icmp.data"), "010203");
	ck_assert(tu_ends_with(tu_summary(pkt), " ICMP 41 Type 42 code 7"));
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build_echo(&f, 8);
	for (uint32_t cut = ICMP; cut < ICMP + 8; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		tu_assert_layers(pkt, "frame eth ip icmp");
		ck_assert_uint_eq(pkt->layers[3].status, NS_LAYER_TRUNCATED);
	}
	/* the snaplen cut inside the quote: the packet is truncated */
	build_error(&f, 3, 3, 17, quoted_udp, 8);
	struct ns_packet *pkt =
	    tu_dissect(TU_LT_EN10MB, f.b, ICMP + 8 + 10, f.n);
	tu_assert_truncated(pkt);
}
END_TEST

START_TEST(malformed)
{
	/* the datagram holds only 2 bytes of ICMP */
	struct tu_frame f;
	build_echo(&f, 8);
	tu_set16(&f, IP + 2, 22);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "ICMP header cut short");
	/* an echo without identifier and sequence */
	tu_set16(&f, IP + 2, 26);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "ICMP header cut short");
	tu_assert_layers(pkt, "frame eth ip icmp");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build_echo(&f, 8);
	tu_set16(&f, IP + 2, 22);
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	check_echo();
	/* an error message leaves no quoted state behind */
	build_error(&f, 3, 3, 17, quoted_udp, 8);
	tu_dissect(TU_LT_EN10MB, f.b, ICMP + 12, f.n);
	check_echo();
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_int_eq(tu_pkt.quoted, 0);
	check_echo();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("icmp");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, echo_request);
	tcase_add_test(tc, echo_reply);
	tcase_add_test(tc, unreachable_quotes_ipv4_udp);
	tcase_add_test(tc, fragmentation_needed);
	tcase_add_test(tc, time_exceeded_full_tcp_quote);
	tcase_add_test(tc, other_types);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	tc = tu_bug_tcase("known_bugs");
	tcase_add_test(tc, quote_of_8_tcp_bytes_is_not_an_error);
	tcase_add_test(tc, quote_cut_in_ip_header_is_not_an_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
