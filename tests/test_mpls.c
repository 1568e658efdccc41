/*
 * test_mpls — MPLS (dissectors/tunnel/mpls.c): the label stack as one
 * layer (RFC 3032), what follows it guessed from the first nibble (IPv4,
 * IPv6, an Ethernet pseudowire with or without the RFC 4448 control word,
 * the GAL's associated channel left as data), MPLS over UDP (RFC 7510).
 */
#include <check.h>

#include "tunnel_util.h"

/* A label stack entry: label, traffic class, bottom of stack, TTL. */
static void entry(struct tu_frame *f, uint32_t label, unsigned tc, int bos,
		  uint8_t ttl)
{
	tu_put32(f, label << 12 | tc << 9 | (unsigned)bos << 8 | ttl);
}

/* Ethernet 0x8847 / labels 100 (TC 5) and 200 (bottom) / IPv4 / UDP. */
static void build(struct tu_frame *f)
{
	tu_frame_init(f);
	tu_eth(f, 0x8847);
	entry(f, 100, 5, 0, 64);
	entry(f, 200, 0, 1, 63);
	tu_ipv4_udp(f);
}

static void check_valid(void)
{
	struct tu_frame f;
	build(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth mpls ip udp data");
	ck_assert_uint_eq(tu_count(pkt, "mpls.label"), 2);
	ck_assert_uint_eq(tu_uint(pkt, "mpls.label"), 100);
	ck_assert_uint_eq(tu_uint(pkt, "mpls.exp"), 5);
	ck_assert_uint_eq(tu_uint(pkt, "mpls.bottom"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "mpls.ttl"), 64);
	ck_assert_str_eq(tu_value(pkt, "mpls.ttl"), "64");
	ck_assert_uint_eq(pkt->layers[2].len, 8 + 32);
	ck_assert_uint_eq(pkt->layers[3].off, 22);
	ck_assert_str_eq(tun_info(pkt, "mpls"),
			 "MPLS Label Switched Packet, label 100/200");
}

START_TEST(valid)
{
	check_valid();
}
END_TEST

START_TEST(valid_ipv6_over_udp)
{
	/* RFC 7510: MPLS in UDP port 6635, one label, IPv6 inside */
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x0800);
	size_t ip = tu_ipv4(&f, 17);
	size_t udp = tun_udp(&f, 6635);
	entry(&f, 16, 0, 1, 255);
	tu_ipv6_udp(&f);
	tun_udp_end(&f, udp);
	tu_ipv4_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp mpls ipv6 udp data");
	ck_assert_uint_eq(tu_uint(pkt, "mpls.bottom"), 1);
}
END_TEST

START_TEST(valid_pseudowire_control_word)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x8847);
	entry(&f, 1000, 0, 1, 64);
	tu_put32(&f, 7); /* control word, sequence number 7 */
	tu_eth(&f, 0x0800);
	tu_ipv4_udp(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth mpls pwethcw eth ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "pweth.cw.sequence_number"), 7);
}
END_TEST

START_TEST(valid_pseudowire_without_control_word)
{
	/* no plausible EtherType 4 bytes in, one at 12: no control word */
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x8847);
	entry(&f, 1000, 0, 1, 64);
	tu_eth(&f, 0x0800);
	tu_ipv4_udp(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth mpls eth ip udp data");
}
END_TEST

START_TEST(valid_gal_left_as_data)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x8847);
	entry(&f, 13, 0, 1, 1); /* Generic Associated Channel label */
	tu_put32(&f, 0x10000027);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth mpls data");
	ck_assert_str_eq(tu_value(pkt, "mpls.label"), "13");
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build(&f);
	for (uint32_t cut = 14; cut < 22; cut++) {
		if (cut == 18)
			continue; /* a whole first entry: more are expected */
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		ck_assert_int_eq(tun_status(pkt, "mpls"), NS_LAYER_TRUNCATED);
	}
	struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, 18, f.n);
	tu_assert_truncated(pkt);
	ck_assert_uint_eq(tu_count(pkt, "mpls.label"), 1);
}
END_TEST

START_TEST(malformed_no_bottom_of_stack)
{
	/* a whole packet whose stack never ends */
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x8847);
	entry(&f, 100, 0, 0, 64);
	entry(&f, 200, 0, 0, 64);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "cut short");
	ck_assert_uint_eq(tu_count(pkt, "mpls.label"), 2);
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build(&f);
	tu_dissect(TU_LT_EN10MB, f.b, 16, f.n);
	check_valid();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mpls");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid);
	tcase_add_test(tc, valid_ipv6_over_udp);
	tcase_add_test(tc, valid_pseudowire_control_word);
	tcase_add_test(tc, valid_pseudowire_without_control_word);
	tcase_add_test(tc, valid_gal_left_as_data);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, malformed_no_bottom_of_stack);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
