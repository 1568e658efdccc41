/*
 * test_pppoe — PPPoE discovery and session (dissectors/tunnel/pppoe.c, RFC
 * 2516) and the PPP framing they carry (dissectors/link/ppp.c, RFC 1661 /
 * RFC 1662), also as a link type of its own.
 */
#include <check.h>

#include "tunnel_util.h"

#define LT_PPP		9
#define LT_PPP_WITH_DIR 204

/* Ethernet `type` / PPPoE header (code, session); the payload length is set
 * by pppoe_end(). */
static size_t pppoe(struct tu_frame *f, uint16_t type, uint8_t code,
		    uint16_t session)
{
	tu_frame_init(f);
	tu_eth(f, type);
	size_t at = TU_PUT(f, 0x11, code);
	tu_put16(f, session);
	tu_put16(f, 0);
	return at;
}

static void pppoe_end(struct tu_frame *f, size_t at)
{
	tu_set16(f, at + 4, (uint16_t)(f->n - at - 6));
}

static void tag(struct tu_frame *f, uint16_t type, const char *v, size_t n)
{
	tu_put16(f, type);
	tu_put16(f, (uint16_t)n);
	tu_put(f, (const uint8_t *)v, n);
}

/* A PADO: Service-Name, AC-Name, Host-Uniq, an unknown tag, End-Of-List,
 * then Ethernet padding to 60 bytes. */
static void build_pado(struct tu_frame *f)
{
	size_t at = pppoe(f, 0x8863, 0x07, 0);
	tag(f, 0x0101, "internet", 8);
	tag(f, 0x0102, "ac", 2);
	tag(f, 0x0103, "\x01\x02\x03\x04", 4);
	tag(f, 0x0999, "zz", 2);
	tag(f, 0x0000, "", 0);
	pppoe_end(f, at);
	tu_zeros(f, 60 - f->n);
}

static void check_pado(void)
{
	struct tu_frame f;
	build_pado(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth pppoed");
	ck_assert_uint_eq(tu_uint(pkt, "pppoe.version"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "pppoe.type"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "pppoe.code"), 0x07);
	ck_assert_uint_eq(tu_uint(pkt, "pppoe.payload_length"), 36);
	ck_assert_str_eq(tu_value(pkt, "pppoed.tags.service_name"), "internet");
	ck_assert_str_eq(tu_value(pkt, "pppoed.tags.ac_name"), "ac");
	ck_assert_str_eq(tu_value(pkt, "pppoed.tags.host_uniq"), "01020304");
	/* known tags show their value alone, unknown ones type and length */
	ck_assert_uint_eq(tu_count(pkt, "pppoed.tag"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "pppoed.tag"), 0x0999);
	ck_assert_uint_eq(tu_uint(pkt, "pppoed.tag_length"), 2);
	ck_assert_str_eq(tu_value(pkt, "pppoed.tag.unknown_data"), "7a7a");
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " PPPoED 60 Active Discovery Offer (PADO)"));
}

START_TEST(valid_discovery)
{
	check_pado();
}
END_TEST

START_TEST(valid_discovery_vendor_tags)
{
	/* a PADI with TR-101 Circuit-ID, Remote-ID and an upstream rate */
	struct tu_frame f;
	size_t at = pppoe(&f, 0x8863, 0x09, 0);
	tag(&f, 0x0105,
	    "\x00\x00\x0d\xe9"
	    "\x01\x03"
	    "c/1"
	    "\x02\x04"
	    "cpe1"
	    "\x81\x04\x00\x00\x03\xe8",
	    4 + 5 + 6 + 6);
	pppoe_end(&f, at);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "pppoed.tags.vendor_id"), 3561);
	ck_assert_str_eq(tu_value(pkt, "pppoed.tags.circuit_id"), "c/1");
	ck_assert_str_eq(tu_value(pkt, "pppoed.tags.remote_id"), "cpe1");
	ck_assert_uint_eq(tu_uint(pkt, "pppoed.tags.act_data_rate_up"), 1000);
}
END_TEST

START_TEST(valid_session_ipv4)
{
	/* session payload: PPP without address and control, IPv4 */
	struct tu_frame f;
	size_t at = pppoe(&f, 0x8864, 0x00, 0x0001);
	tu_put16(&f, 0x0021);
	tu_ipv4_udp(&f);
	pppoe_end(&f, at);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth pppoes ppp ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "pppoe.session_id"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "ppp.protocol"), 0x0021);
	ck_assert_ptr_null(tu_find(pkt, "ppp.address"));
	ck_assert_str_eq(tun_info(pkt, "pppoes"), "PPPoE session 0x0001");
	ck_assert_str_eq(tun_info(pkt, "ppp"),
			 "PPP, protocol 0x0021 (Internet Protocol version 4)");
}
END_TEST

START_TEST(valid_session_lcp)
{
	/* a control protocol is named, its body left as data */
	struct tu_frame f;
	size_t at = pppoe(&f, 0x8864, 0x00, 0x0001);
	TU_PUT(&f, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04);
	pppoe_end(&f, at);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame eth pppoes ppp data");
	ck_assert(tu_ends_with(
	    tu_summary(pkt),
	    " PPP 26 PPP, protocol 0xc021 (Link Control Protocol)"));
}
END_TEST

START_TEST(valid_ppp_link_types)
{
	/* LINKTYPE_PPP with address and control, IPv6 */
	struct tu_frame f;
	tu_frame_init(&f);
	TU_PUT(&f, 0xff, 0x03, 0x00, 0x57);
	tu_ipv6_udp(&f);
	struct ns_packet *pkt = tu_dissect_full(LT_PPP, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame ppp ipv6 udp data");
	ck_assert_uint_eq(tu_uint(pkt, "ppp.address"), 0xff);
	ck_assert_uint_eq(tu_uint(pkt, "ppp.control"), 0x03);
	/* protocol field compression: one odd byte */
	tu_frame_init(&f);
	TU_PUT(&f, 0x21);
	tu_ipv4_udp(&f);
	pkt = tu_dissect_full(LT_PPP, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame ppp ip udp data");
	ck_assert_uint_eq(tu_find(pkt, "ppp.protocol")->len, 1);
	/* LINKTYPE_PPP_WITH_DIR: a direction byte first (non-zero: sent) */
	tu_frame_init(&f);
	TU_PUT(&f, 0x01, 0xff, 0x03, 0x00, 0x21);
	tu_ipv4_udp(&f);
	pkt = tu_dissect_full(LT_PPP_WITH_DIR, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_uint(pkt, "ppp.direction"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "ppp.protocol"), 0x0021);
	/* Cisco HDLC framing on a PPP link: not decoded */
	tu_frame_init(&f);
	TU_PUT(&f, 0x0f, 0x00, 0x08, 0x00);
	tu_ipv4_udp(&f);
	pkt = tu_dissect_full(LT_PPP, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame ppp data");
	ck_assert_ptr_null(tu_find(pkt, "ppp.protocol"));
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build_pado(&f);
	for (uint32_t cut = 14; cut < 20; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		ck_assert_int_eq(tun_status(pkt, "pppoed"), NS_LAYER_TRUNCATED);
	}
	/* PPP cut inside its protocol field */
	size_t at = pppoe(&f, 0x8864, 0x00, 0x0001);
	tu_put16(&f, 0x0021);
	tu_ipv4_udp(&f);
	pppoe_end(&f, at);
	struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, 21, f.n);
	tu_assert_truncated(pkt);
	ck_assert_int_eq(tun_status(pkt, "ppp"), NS_LAYER_TRUNCATED);
	ck_assert_int_eq(tun_status(pkt, "pppoes"), NS_LAYER_OK);
}
END_TEST

START_TEST(malformed)
{
	/* a tag longer than the payload */
	struct tu_frame f;
	size_t at = pppoe(&f, 0x8863, 0x09, 0);
	tag(&f, 0x0101, "internet", 8);
	pppoe_end(&f, at);
	tu_set16(&f, 22, 9);
	tu_set16(&f, 18, 12);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "tag 0x0101 length 9 exceeds the payload");
	/* a payload length past the end of a whole frame */
	build_pado(&f);
	tu_set16(&f, 18, 100);
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	tu_assert_malformed(pkt, "payload length 100 exceeds the 40 bytes");
	ck_assert_str_eq(tu_value(pkt, "pppoed.tags.service_name"), "internet");
	/* ... which a cut capture explains: not malformed there */
	pkt = tu_dissect(TU_LT_EN10MB, f.b, (uint32_t)f.n, 120);
	ck_assert_ptr_null(pkt->reason);
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build_pado(&f);
	tu_dissect(TU_LT_EN10MB, f.b, 17, f.n);
	check_pado();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pppoe");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid_discovery);
	tcase_add_test(tc, valid_discovery_vendor_tags);
	tcase_add_test(tc, valid_session_ipv4);
	tcase_add_test(tc, valid_session_lcp);
	tcase_add_test(tc, valid_ppp_link_types);
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
