/*
 * test_tcp — TCP header and options (dissectors/transport/tcp.c).
 *
 * Under test: every header field and flag; every option the dissector
 * knows (EOL, NOP, MSS, window scale, SACK-permitted, SACK, timestamps) and
 * an unknown one; option lengths checked (fixed sizes, SACK multiple of 8,
 * < 2, past the options) as malformed without losing the rest of the
 * header; the data offset checked (< 20, past the segment); tcp.len from
 * the IP payload length, so right when the snaplen cut the payload.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"

enum { IP = 14, TCP = 34 };

/* every option: MSS, SACK_PERM, TS, NOP, WS, SACK, MPTCP (unknown here),
 * EOL, 1 byte of padding: 36 bytes */
/* clang-format off */
static const uint8_t all_opts[36] = {
	2, 4, 0x05, 0xb4,		/* MSS 1460 */
	4, 2,				/* SACK permitted */
	8, 10, 0, 0, 0, 1, 0, 0, 0, 2,	/* TSval 1, TSecr 2 */
	1,				/* NOP */
	3, 3, 7,			/* window scale 7 */
	5, 10, 0, 0, 0, 10, 0, 0, 0, 20, /* SACK 10-20 */
	30, 4, 0xab, 0xcd,		/* kind 30 with 2 bytes */
	0, 0,				/* EOL, padding */
};
/* clang-format on */

/* eth / IPv4 / TCP 33333 → 44444 with the given flags, options, payload */
static void build(struct tu_frame *f, uint16_t flags, const uint8_t *opts,
		  size_t nopts, const char *payload)
{
	tu_frame_init(f);
	tu_eth(f, 0x0800);
	size_t ip = tu_ipv4(f, 6);
	tu_put16(f, TU_PORT_A);
	tu_put16(f, TU_PORT_B);
	tu_put32(f, 1000);
	tu_put32(f, 2000);
	tu_put16(f, (uint16_t)(((20 + nopts) / 4) << 12 | flags));
	tu_put16(f, 65535);
	tu_put16(f, 0xbeef);
	tu_put16(f, 7);
	if (nopts)
		tu_put(f, opts, nopts);
	tu_put(f, (const uint8_t *)payload, strlen(payload));
	tu_ipv4_end(f, ip);
}

static void check_all_options(void)
{
	struct tu_frame f;
	build(&f, 0x012, all_opts, sizeof(all_opts), "");
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip tcp");
	ck_assert_uint_eq(tu_uint(pkt, "tcp.srcport"), TU_PORT_A);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.dstport"), TU_PORT_B);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.seq"), 1000);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.ack"), 2000);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.hdr_len"), 56);
	ck_assert_str_eq(tu_value(pkt, "tcp.flags"), "0x0012");
	ck_assert_str_eq(tu_value(pkt, "tcp.flags.syn"), "1");
	ck_assert_str_eq(tu_value(pkt, "tcp.flags.ack"), "1");
	ck_assert_str_eq(tu_value(pkt, "tcp.flags.fin"), "0");
	ck_assert_str_eq(tu_value(pkt, "tcp.flags.res"), "0");
	ck_assert_uint_eq(tu_uint(pkt, "tcp.window_size_value"), 65535);
	ck_assert_str_eq(tu_value(pkt, "tcp.checksum"), "0xbeef");
	ck_assert_uint_eq(tu_uint(pkt, "tcp.urgent_pointer"), 7);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.len"), 0);
	ck_assert_uint_eq(tu_find(pkt, "tcp.options")->v.b.n, 36);
	ck_assert_uint_eq(tu_find(pkt, "tcp.options")->off, TCP + 20);
	/* options */
	ck_assert_uint_eq(tu_count(pkt, "tcp.option_kind"), 6);
	ck_assert_ptr_nonnull(tu_find(pkt, "tcp.options.mss"));
	ck_assert_uint_eq(tu_uint(pkt, "tcp.options.mss_val"), 1460);
	ck_assert_uint_eq(tu_find(pkt, "tcp.options.mss_val")->off, TCP + 22);
	ck_assert_ptr_nonnull(tu_find(pkt, "tcp.options.sack_perm"));
	ck_assert_ptr_nonnull(tu_find(pkt, "tcp.options.timestamp"));
	ck_assert_uint_eq(tu_uint(pkt, "tcp.options.timestamp.tsval"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.options.timestamp.tsecr"), 2);
	ck_assert_uint_eq(tu_count(pkt, "tcp.options.nop"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.options.wscale.shift"), 7);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.options.wscale.multiplier"), 128);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.options.sack.count"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.options.sack_le"), 10);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.options.sack_re"), 20);
	ck_assert_ptr_nonnull(tu_find(pkt, "tcp.options.unknown"));
	ck_assert_str_eq(tu_value(pkt, "tcp.options.unknown.payload"), "abcd");
	ck_assert_uint_eq(tu_count(pkt, "tcp.options.eol"), 1);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_A ":33333" TU_ARROW TU_IP4_B
			 ":44444 TCP 90 [SYN, ACK] Seq=1000 Ack=2000 Win=65535 "
			 "Len=0 MSS=1460 SACK_PERM SLE=10 SRE=20 TSval=1 "
			 "TSecr=2 WS=128");
}

START_TEST(every_option)
{
	check_all_options();
}
END_TEST

START_TEST(option_lengths_in_tree)
{
	struct tu_frame f;
	build(&f, 0x012, all_opts, sizeof(all_opts), "");
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	/* kinds and lengths in option order */
	static const unsigned kinds[] = {2, 4, 8, 3, 5, 30};
	static const unsigned lens[] = {4, 2, 10, 3, 10, 4};
	const struct ns_field *fk = tu_field("tcp.option_kind");
	const struct ns_field *fl = tu_field("tcp.option_len");
	unsigned k = 0, l = 0;
	for (uint32_t i = 0; i < pkt->nfv; i++) {
		if (pkt->fv[i].f == fk)
			ck_assert_uint_eq(pkt->fv[i].v.u, kinds[k++]);
		if (pkt->fv[i].f == fl)
			ck_assert_uint_eq(pkt->fv[i].v.u, lens[l++]);
	}
	ck_assert_uint_eq(k, 6);
	ck_assert_uint_eq(l, 6);
}
END_TEST

START_TEST(flags)
{
	struct tu_frame f;
	build(&f, 0x1ff, NULL, 0, "");
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_value(pkt, "tcp.flags"), "0x01ff");
	static const char *const names[] = {
	    "tcp.flags.ae",    "tcp.flags.cwr", "tcp.flags.ece",
	    "tcp.flags.urg",   "tcp.flags.ack", "tcp.flags.push",
	    "tcp.flags.reset", "tcp.flags.syn", "tcp.flags.fin",
	};
	for (unsigned i = 0; i < 9; i++)
		ck_assert_msg(tu_uint(pkt, names[i]) == 1, "%s", names[i]);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.flags.res"), 0);
	ck_assert(tu_ends_with(
	    tu_summary(pkt), " TCP 54 [FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, "
			     "AE] Seq=1000 Ack=2000 Win=65535 Len=0"));
	/* reserved bits only */
	build(&f, 0xe00, NULL, 0, "");
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.flags.res"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.flags.syn"), 0);
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " TCP 54 [<None>] Seq=1000 Win=65535 Len=0"));
	/* Ack= only with ACK */
	build(&f, 0x004, NULL, 0, "");
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " TCP 54 [RST] Seq=1000 Win=65535 Len=0"));
}
END_TEST

START_TEST(payload_and_len)
{
	struct tu_frame f;
	build(&f, 0x018, NULL, 0, "hello");
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip tcp data");
	ck_assert_uint_eq(tu_uint(pkt, "tcp.len"), 5);
	ck_assert_str_eq(tu_value(pkt, "tcp.payload"), "68656c6c6f");
	ck_assert_uint_eq(tu_find(pkt, "tcp.payload")->off, TCP + 20);
	ck_assert(tu_ends_with(tu_summary(pkt), " TCP 59 [PSH, ACK] Seq=1000 "
						"Ack=2000 Win=65535 Len=5"));
	/* the snaplen cut the payload: tcp.len still says what was sent */
	pkt = tu_dissect(TU_LT_EN10MB, f.b, TCP + 22, f.n);
	ck_assert_int_ne(pkt->status, NS_LAYER_MALFORMED);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.len"), 5);
	ck_assert(tu_ends_with(tu_summary(pkt), " Len=5"));
	/* Ethernet padding is not payload */
	build(&f, 0x010, NULL, 0, "");
	tu_zeros(&f, 6);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.len"), 0);
	ck_assert_ptr_null(tu_find(pkt, "tcp.payload"));
	tu_assert_layers(pkt, "frame eth ip tcp");
}
END_TEST

START_TEST(over_ipv6)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x86dd);
	size_t ip = tu_ipv6(&f, 6);
	TU_PUT(&f, 0x82, 0x35, 0xad, 0x9c, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02,
	       0x10, 0x00, 0, 0, 0, 0);
	tu_ipv6_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ipv6 tcp");
	ck_assert_str_eq(tu_summary(pkt), "    1 0.000000 " TU_IP6_UDP_ADDRS
					  " TCP 74 [SYN] Seq=1 Win=4096 Len=0");
}
END_TEST

START_TEST(window_scale_capped)
{
	/* shift 15 is invalid (RFC 7323 §2.3: at most 14) */
	static const uint8_t ws[4] = {3, 3, 15, 0};
	struct tu_frame f;
	build(&f, 0x002, ws, 4, "");
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.options.wscale.shift"), 15);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.options.wscale.multiplier"), 16384);
}
END_TEST

START_TEST(sack_blocks)
{
	static const uint8_t sack[20] = {1, 1, 5, 18, 0, 0, 0, 1, 0, 0,
					 0, 2, 0, 0,  0, 3, 0, 0, 0, 4};
	struct tu_frame f;
	build(&f, 0x010, sack, sizeof(sack), "");
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.options.sack.count"), 2);
	ck_assert_uint_eq(tu_count(pkt, "tcp.options.sack_le"), 2);
	ck_assert_uint_eq(tu_count(pkt, "tcp.options.sack_re"), 2);
	ck_assert_uint_eq(tu_count(pkt, "tcp.options.nop"), 2);
	/* the summary names the first block */
	ck_assert(tu_ends_with(tu_summary(pkt), " Len=0 SLE=1 SRE=2"));
}
END_TEST

static void check_bad_option(const uint8_t *opts, size_t n, const char *why)
{
	struct tu_frame f;
	build(&f, 0x018, opts, n, "hi");
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, why);
	ck_assert_uint_eq(pkt->layers[3].status, NS_LAYER_MALFORMED);
	/* the rest of the header and the payload are still there */
	ck_assert_uint_eq(tu_uint(pkt, "tcp.window_size_value"), 65535);
	ck_assert_uint_eq(tu_uint(pkt, "tcp.len"), 2);
	ck_assert_str_eq(tu_value(pkt, "tcp.payload"), "6869");
	tu_assert_layers(pkt, "frame eth ip tcp data");
}

START_TEST(bad_option_length)
{
	static const uint8_t mss3[4] = {2, 3, 0x05, 0};
	check_bad_option(mss3, 4, "TCP: option 2 has bad length 3");
	static const uint8_t ws4[4] = {3, 4, 7, 0};
	check_bad_option(ws4, 4, "TCP: option 3 has bad length 4");
	static const uint8_t sp3[4] = {4, 3, 0, 0};
	check_bad_option(sp3, 4, "TCP: option 4 has bad length 3");
	static const uint8_t ts8[8] = {8, 8, 0, 0, 0, 1, 0, 0};
	check_bad_option(ts8, 8, "TCP: option 8 has bad length 8");
	static const uint8_t sack6[8] = {5, 6, 0, 0, 0, 1, 0, 0};
	check_bad_option(sack6, 8, "TCP: option 5 has bad length 6");
	static const uint8_t one[4] = {30, 1, 0, 0};
	check_bad_option(one, 4, "TCP: option 30 has bad length 1");
	static const uint8_t zero[4] = {30, 0, 0, 0};
	check_bad_option(zero, 4, "TCP: option 30 has bad length 0");
	static const uint8_t past[4] = {30, 40, 0, 0};
	check_bad_option(past, 4, "TCP: option 30 has bad length 40");
	static const uint8_t nolen[4] = {1, 1, 1, 2};
	check_bad_option(nolen, 4, "TCP: option 2 has bad length 0");
}
END_TEST

START_TEST(bad_data_offset)
{
	struct tu_frame f;
	build(&f, 0x010, NULL, 0, "payload!");
	for (unsigned off = 0; off < 5; off++) {
		f.b[TCP + 12] = (uint8_t)(off << 4);
		struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
		char why[64];
		snprintf(why, sizeof(why), "TCP: bogus header length %u",
			 off * 4);
		tu_assert_malformed(pkt, why);
		tu_assert_layers(pkt, "frame eth ip tcp");
		/* the ports were read: the summary has them */
		ck_assert_ptr_nonnull(strstr(tu_summary(pkt), ":33333"));
	}
	/* 60 bytes of header in a 28-byte segment */
	f.b[TCP + 12] = 0xf0;
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "TCP: header length 60 exceeds segment (28)");
	tu_assert_layers(pkt, "frame eth ip tcp");
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build(&f, 0x012, all_opts, sizeof(all_opts), "");
	/* the fixed header and the options */
	for (uint32_t cut = TCP; cut < TCP + 56; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		tu_assert_layers(pkt, "frame eth ip tcp");
		ck_assert_uint_eq(pkt->layers[3].status, NS_LAYER_TRUNCATED);
	}
	/* a summary with what was read */
	struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, TCP + 20, f.n);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_A ":33333" TU_ARROW TU_IP4_B
			 ":44444 TCP 90 [SYN, ACK] Seq=1000 Ack=2000 Win=65535 "
			 "Len=0 [truncated]");
}
END_TEST

/*
 * BUG (dissectors/transport/tcp.c, info): `uint64_t v[F_COUNT]` is not
 * initialised and Win= prints v[F_WINDOW] whether or not tcp.window_size_value
 * was recorded.  When the capture ends after the flags but before the window
 * (cut at 14..15 bytes into the header) the summary shows stack garbage,
 * e.g. "Win=47", and reads an uninitialised value (MSan would report it).
 * Expected: no Win= value that is not in the packet.
 */
START_TEST(truncated_summary_no_garbage)
{
	struct tu_frame f;
	build(&f, 0x012, all_opts, sizeof(all_opts), "");
	struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, TCP + 14, f.n);
	const char *s = tu_summary(pkt);
	ck_assert_msg(tu_starts_with(s, "    1 0.000000 " TU_IP4_A
					":33333" TU_ARROW TU_IP4_B
					":44444 TCP 90 [SYN, "
					"ACK] Seq=1000 Ack=2000"),
		      "summary: %s", s);
	ck_assert_msg(strstr(s, "Win=") == NULL, "summary: %s", s);
	ck_assert(tu_ends_with(s, " [truncated]"));
}
END_TEST

START_TEST(malformed_short)
{
	struct tu_frame f;
	build(&f, 0x002, NULL, 0, "");
	/* IP says 20 bytes of TCP, the frame (fully captured) has 10 */
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, TCP + 10);
	ck_assert_int_eq(pkt->status, NS_LAYER_MALFORMED);
	ck_assert_ptr_nonnull(pkt->reason);
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	static const uint8_t zero[4] = {30, 0, 0, 0};
	build(&f, 0x018, zero, 4, "");
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	check_all_options();
	build(&f, 0x018, NULL, 0, "");
	f.b[TCP + 12] = 0x10;
	tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	check_all_options();
	tu_dissect(TU_LT_EN10MB, f.b, TCP + 3, f.n);
	check_all_options();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("tcp");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, every_option);
	tcase_add_test(tc, option_lengths_in_tree);
	tcase_add_test(tc, flags);
	tcase_add_test(tc, payload_and_len);
	tcase_add_test(tc, over_ipv6);
	tcase_add_test(tc, window_scale_capped);
	tcase_add_test(tc, sack_blocks);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, bad_option_length);
	tcase_add_test(tc, bad_data_offset);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, malformed_short);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	tc = tu_bug_tcase("known_bugs");
	tcase_add_test(tc, truncated_summary_no_garbage);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
