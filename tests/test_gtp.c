/*
 * test_gtp — GTP-U (dissectors/tunnel/gtp.c): 3GPP TS 29.281 on UDP 2152:
 * the mandatory header, the optional sequence/N-PDU/next-type word, the
 * extension header chain (with the 5G PDU session container), and the user
 * packet of a T-PDU.
 */
#include <check.h>

#include "tunnel_util.h"

/* Offset of the GTP header (Ethernet, IPv4, UDP). */
#define GT 42

/* Ethernet / IPv4 / UDP 2152 / GTP flags `fl`, message `msg`, TEID
 * 0x11223344; the caller appends the rest, then calls gtp_end(). */
struct gtp_at {
	size_t ip, udp, gtp;
};

static struct gtp_at gtp_begin(struct tu_frame *f, uint8_t fl, uint8_t msg)
{
	struct gtp_at at;
	tu_frame_init(f);
	tu_eth(f, 0x0800);
	at.ip = tu_ipv4(f, 17);
	at.udp = tun_udp(f, 2152);
	at.gtp = TU_PUT(f, fl, msg);
	tu_put16(f, 0);
	tu_put32(f, 0x11223344);
	return at;
}

static void gtp_end(struct tu_frame *f, struct gtp_at at)
{
	tu_set16(f, at.gtp + 2, (uint16_t)(f->n - at.gtp - 8));
	tun_udp_end(f, at.udp);
	tu_ipv4_end(f, at.ip);
}

static void build_tpdu(struct tu_frame *f)
{
	struct gtp_at at = gtp_begin(f, 0x30, 0xff);
	tu_ipv4_udp(f);
	gtp_end(f, at);
}

static void check_tpdu(void)
{
	struct tu_frame f;
	build_tpdu(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp gtp ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "gtp.flags"), 0x30);
	ck_assert_uint_eq(tu_uint(pkt, "gtp.flags.version"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "gtp.flags.payload"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "gtp.flags.e"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "gtp.message"), 0xff);
	ck_assert_uint_eq(tu_uint(pkt, "gtp.length"), 32);
	ck_assert_uint_eq(tu_uint(pkt, "gtp.teid"), 0x11223344);
	ck_assert_ptr_null(tu_find(pkt, "gtp.seq_number"));
	ck_assert_str_eq(tun_info(pkt, "gtp"), "T-PDU TEID 0x11223344");
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_UDP_ADDRS " UDP 82 Len=4");
}

START_TEST(valid)
{
	check_tpdu();
}
END_TEST

START_TEST(valid_pdu_session_container)
{
	/* E and S: sequence 0x0102, then a PDU session container (downlink,
	 * RQI, QFI 9), the end of the chain, and an IPv6 user packet */
	struct tu_frame f;
	struct gtp_at at = gtp_begin(&f, 0x36, 0xff);
	TU_PUT(&f, 0x01, 0x02, 0x00, 0x85);
	TU_PUT(&f, 0x01, 0x00, 0x49, 0x00);
	tu_ipv6_udp(&f);
	gtp_end(&f, at);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp gtp ipv6 udp data");
	ck_assert_uint_eq(tu_uint(pkt, "gtp.seq_number"), 0x0102);
	ck_assert_ptr_null(tu_find(pkt, "gtp.npdu_number"));
	ck_assert_uint_eq(tu_count(pkt, "gtp.ext_hdr.next"), 2);
	ck_assert_uint_eq(tu_uint(pkt, "gtp.ext_hdr.next"), 0x85);
	ck_assert_uint_eq(tu_uint(pkt, "gtp.ext_hdr.length"), 1);
	ck_assert_str_eq(tu_value(pkt, "gtp.ext_hdr.data"), "0049");
	ck_assert_uint_eq(tu_uint(pkt, "gtp.ext_hdr.pdu_ses_con.pdu_type"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "gtp.ext_hdr.pdu_ses_cont.rqi"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "gtp.ext_hdr.pdu_ses_con.qos_flow_id"),
			  9);
}
END_TEST

START_TEST(valid_echo_and_v2)
{
	struct tu_frame f;
	struct gtp_at at = gtp_begin(&f, 0x32, 0x01); /* S */
	TU_PUT(&f, 0x00, 0x07, 0x00, 0x00);
	gtp_end(&f, at);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth ip udp gtp");
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " GTP 54 Echo request TEID 0x11223344"));
	/* GTPv2-C is another protocol: no GTP-U field is recorded */
	at = gtp_begin(&f, 0x48, 0x01);
	gtp_end(&f, at);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_ptr_null(tu_find(pkt, "gtp.flags"));
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	struct gtp_at at = gtp_begin(&f, 0x34, 0xff); /* E */
	TU_PUT(&f, 0x00, 0x00, 0x00, 0x85);
	TU_PUT(&f, 0x01, 0x00, 0x49, 0x00);
	tu_ipv4_udp(&f);
	gtp_end(&f, at);
	/* every cut in the mandatory header, optional word and extension */
	for (uint32_t cut = GT; cut < GT + 16; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		ck_assert_int_eq(tun_status(pkt, "gtp"), NS_LAYER_TRUNCATED);
	}
}
END_TEST

START_TEST(malformed)
{
	/* an extension header of length 0 would never end the chain */
	struct tu_frame f;
	struct gtp_at at = gtp_begin(&f, 0x34, 0xff);
	TU_PUT(&f, 0x00, 0x00, 0x00, 0x85);
	TU_PUT(&f, 0x00, 0x00, 0x49, 0x00);
	gtp_end(&f, at);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "extension header 0x85 has length 0");
	/* flags that need 4 optional bytes in a length of 2 */
	at = gtp_begin(&f, 0x32, 0x01);
	TU_PUT(&f, 0x00, 0x07);
	gtp_end(&f, at);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "length 2 leaves no room");
	/* a length past the end of a whole packet */
	build_tpdu(&f);
	tu_set16(&f, GT + 2, 200);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "length 200 exceeds the 32 bytes present");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build_tpdu(&f);
	tu_dissect(TU_LT_EN10MB, f.b, GT + 5, f.n);
	check_tpdu();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("gtp");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid);
	tcase_add_test(tc, valid_pdu_session_container);
	tcase_add_test(tc, valid_echo_and_v2);
	suite_add_tcase(s, tc);
	tc = tu_tcase("bad");
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, next_after_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
