/*
 * test_geneve — Geneve (dissectors/tunnel/geneve.c): RFC 8926 on UDP 6081,
 * its option TLVs, and the payload by protocol type (an EtherType, or
 * 0x6558 for an Ethernet frame).
 */
#include <check.h>

#include "tunnel_util.h"

/* Offset of the Geneve header (Ethernet, IPv4, UDP). */
#define GV 42

/* Ethernet / IPv4 / UDP 6081 / Geneve with `opts` (n bytes, a multiple of
 * 4), protocol `proto`, VNI 0x123456 / IPv4 / UDP "ping". */
static void build(struct tu_frame *f, uint8_t flags, uint16_t proto,
		  const uint8_t *opts, size_t n)
{
	tu_frame_init(f);
	tu_eth(f, 0x0800);
	size_t ip = tu_ipv4(f, 17);
	size_t udp = tun_udp(f, 6081);
	TU_PUT(f, (uint8_t)(n / 4), flags);
	tu_put16(f, proto);
	tu_put32(f, 0x12345600);
	tu_put(f, opts, n);
	if (proto == 0x6558)
		tu_eth(f, 0x0800);
	tu_ipv4_udp(f);
	tun_udp_end(f, udp);
	tu_ipv4_end(f, ip);
}

/* Two options: class 0x0104 type 0x80 (critical) with 4 bytes of data,
 * and class 0xffff type 1 with none. */
static const uint8_t two_opts[] = {0x01, 0x04, 0x80, 0x01, 0xde, 0xad,
				   0xbe, 0xef, 0xff, 0xff, 0x01, 0x00};

static void check_valid(void)
{
	struct tu_frame f;
	build(&f, 0x40, 0x0800, two_opts, sizeof two_opts);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp geneve ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "geneve.version"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "geneve.flags.critical"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "geneve.flags.oam"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "geneve.proto_type"), 0x0800);
	ck_assert_uint_eq(tu_uint(pkt, "geneve.vni"), 0x123456);
	ck_assert_uint_eq(tu_find(pkt, "geneve.options")->len, 12);
	ck_assert_uint_eq(tu_count(pkt, "geneve.option"), 2);
	ck_assert_str_eq(tu_value(pkt, "geneve.option"), "01048001deadbeef");
	ck_assert_uint_eq(tu_count(pkt, "geneve.option.class"), 2);
	ck_assert_uint_eq(tu_uint(pkt, "geneve.option.type.critical"), 1);
	ck_assert_str_eq(tu_value(pkt, "geneve.option.unknown.data"),
			 "deadbeef");
	/* the header's options length, then each option's */
	ck_assert_uint_eq(tu_count(pkt, "geneve.option.length"), 3);
	ck_assert_uint_eq(pkt->layers[tu_layer(pkt, "geneve") + 1].off,
			  GV + 8 + 12);
	ck_assert_str_eq(tun_info(pkt, "geneve"),
			 "Geneve VNI 1193046, encapsulated IPv4");
}

START_TEST(valid)
{
	check_valid();
}
END_TEST

START_TEST(valid_ethernet_payload)
{
	struct tu_frame f;
	build(&f, 0x80, 0x6558, NULL, 0);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp geneve eth ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "geneve.flags.oam"), 1);
	ck_assert_ptr_null(tu_find(pkt, "geneve.options"));
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build(&f, 0, 0x0800, two_opts, sizeof two_opts);
	/* every cut in the fixed header and the options */
	for (uint32_t cut = GV; cut < GV + 8 + 12; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		ck_assert_int_eq(tun_status(pkt, "geneve"), NS_LAYER_TRUNCATED);
	}
}
END_TEST

START_TEST(malformed_option_length)
{
	/* the second option claims 8 bytes of data; 0 are left */
	uint8_t opts[sizeof two_opts];
	memcpy(opts, two_opts, sizeof opts);
	opts[11] = 0x02;
	struct tu_frame f;
	build(&f, 0, 0x0800, opts, sizeof opts);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "option length 12 past the end");
	ck_assert_uint_eq(tu_count(pkt, "geneve.option"), 1);
	/* the payload still starts where the options length says */
	tu_assert_layers(pkt, "frame eth ip udp geneve ip udp data");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build(&f, 0x40, 0x0800, two_opts, sizeof two_opts);
	tu_dissect(TU_LT_EN10MB, f.b, GV + 10, f.n);
	check_valid();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("geneve");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid);
	tcase_add_test(tc, valid_ethernet_payload);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, malformed_option_length);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
