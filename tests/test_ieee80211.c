/*
 * test_ieee80211 — 802.11 MAC headers and the radiotap header in front of
 * them (dissectors/link/ieee80211.c): address roles by type and DS bits,
 * sequence and QoS control, the FCS that radiotap announces, LLC after an
 * unprotected data frame; management and control frames stop at the
 * header.
 */
#include <check.h>
#include <string.h>

#include "tunnel_util.h"

#define LT_80211  105
#define LT_RADIOT 127

/* Frame control b0 b1, duration 44, addresses MAC_B, MAC_A, `a3`,
 * sequence number 100 (all little-endian where multi-byte). */
static void wlan(struct tu_frame *f, uint8_t b0, uint8_t b1, const uint8_t *a3)
{
	TU_PUT(f, b0, b1, 44, 0);
	tu_put(f, tu_mac_b, 6);
	tu_put(f, tu_mac_a, 6);
	tu_put(f, a3, 6);
	TU_PUT(f, 0x40, 0x06);
}

static const uint8_t mac_c[6] = {0x02, 0, 0, 0, 0, 0x0c};
#define MAC_C "02:00:00:00:00:0c"

/* A data frame from the AP (From DS): DA, BSSID, SA; LLC SNAP, IPv4. */
static void build_data(struct tu_frame *f)
{
	tu_frame_init(f);
	wlan(f, 0x08, 0x02, mac_c);
	TU_PUT(f, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00);
	tu_ipv4_udp(f);
}

static void check_data(void)
{
	struct tu_frame f;
	build_data(&f);
	struct ns_packet *pkt = tu_dissect_full(LT_80211, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame wlan llc ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "wlan.fc"), 0x0802);
	ck_assert_uint_eq(tu_uint(pkt, "wlan.fc.type"), 2);
	ck_assert_uint_eq(tu_uint(pkt, "wlan.fc.subtype"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "wlan.fc.type_subtype"), 0x20);
	ck_assert_uint_eq(tu_uint(pkt, "wlan.fc.fromds"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "wlan.fc.tods"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "wlan.duration"), 44);
	ck_assert_str_eq(tu_value(pkt, "wlan.ra"), TU_MAC_B);
	ck_assert_str_eq(tu_value(pkt, "wlan.da"), TU_MAC_B);
	ck_assert_str_eq(tu_value(pkt, "wlan.ta"), TU_MAC_A);
	ck_assert_str_eq(tu_value(pkt, "wlan.bssid"), TU_MAC_A);
	ck_assert_str_eq(tu_value(pkt, "wlan.sa"), MAC_C);
	ck_assert_uint_eq(tu_uint(pkt, "wlan.seq"), 100);
	ck_assert_uint_eq(tu_uint(pkt, "wlan.frag"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "llc.type"), 0x0800);
	ck_assert_str_eq(tun_info(pkt, "wlan"), "Data, SN=100");
}

START_TEST(valid_data)
{
	check_data();
}
END_TEST

START_TEST(valid_radiotap_qos_fcs)
{
	/* radiotap: version 0, length 9, Flags present, FCS at end; a QoS
	 * data frame to the AP; 4 FCS bytes after the IPv4 packet */
	struct tu_frame f;
	tu_frame_init(&f);
	TU_PUT(&f, 0, 0, 9, 0, 0x02, 0, 0, 0, 0x10);
	wlan(&f, 0x88, 0x01, mac_c);
	TU_PUT(&f, 0x05, 0x00); /* QoS control: TID 5 */
	TU_PUT(&f, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00);
	tu_ipv4_udp(&f);
	TU_PUT(&f, 0x78, 0x56, 0x34, 0x12);
	struct ns_packet *pkt = tu_dissect_full(LT_RADIOT, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame radiotap wlan llc ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "radiotap.length"), 9);
	ck_assert_uint_eq(tu_uint(pkt, "radiotap.present.word"), 2);
	ck_assert_uint_eq(tu_uint(pkt, "radiotap.flags.fcs"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "wlan.fc.tods"), 1);
	ck_assert_str_eq(tu_value(pkt, "wlan.bssid"), TU_MAC_B);
	ck_assert_str_eq(tu_value(pkt, "wlan.da"), MAC_C);
	ck_assert_uint_eq(tu_uint(pkt, "wlan.qos"), 5);
	ck_assert_uint_eq(tu_uint(pkt, "wlan.fcs"), 0x12345678);
	/* the FCS is not the IPv4 packet's */
	ck_assert_uint_eq(tu_uint(pkt, "udp.length"), 12);
	ck_assert_uint_eq(tu_uint(pkt, "data.len"), 4);
	/* the FCS is known from radiotap when no field is recorded too (a
	 * run that shows none) */
	struct ns_layer with[8];
	ck_assert_uint_eq(pkt->nlayers, 7);
	memcpy(with, pkt->layers, sizeof(with[0]) * 7);
	ns_pkt_keep_fields(&tu_pkt, 0);
	pkt = tu_dissect_full(LT_RADIOT, f.b, f.n);
	ck_assert_uint_eq(pkt->nfv, 0);
	tu_assert_layers(pkt, "frame radiotap wlan llc ip udp data");
	for (unsigned i = 0; i < 7; i++) {
		ck_assert_uint_eq(pkt->layers[i].off, with[i].off);
		ck_assert_uint_eq(pkt->layers[i].len, with[i].len);
		ck_assert_uint_eq(pkt->layers[i].status, with[i].status);
	}
}
END_TEST

START_TEST(valid_management_and_control)
{
	/* a beacon: DA, SA, BSSID; the body is left as data */
	struct tu_frame f;
	tu_frame_init(&f);
	wlan(&f, 0x80, 0x00, tu_mac_a);
	tu_zeros(&f, 12);
	struct ns_packet *pkt = tu_dissect_full(LT_80211, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame wlan data");
	ck_assert_str_eq(tu_value(pkt, "wlan.bssid"), TU_MAC_A);
	ck_assert(
	    tu_ends_with(tu_summary(pkt), " 802.11 36 Beacon frame, SN=100"));
	/* an ACK: frame control, duration, RA; nothing else */
	tu_frame_init(&f);
	TU_PUT(&f, 0xd4, 0x00, 0x00, 0x00);
	tu_put(&f, tu_mac_b, 6);
	pkt = tu_dissect_full(LT_80211, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame wlan");
	ck_assert_str_eq(tu_value(pkt, "wlan.ra"), TU_MAC_B);
	ck_assert_ptr_null(tu_find(pkt, "wlan.ta"));
	ck_assert_ptr_null(tu_find(pkt, "wlan.seq"));
	/* a protected data frame: its payload is not LLC */
	build_data(&f);
	f.b[1] |= 0x40;
	pkt = tu_dissect_full(LT_80211, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame wlan data");
	ck_assert_uint_eq(tu_uint(pkt, "wlan.fc.protected"), 1);
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build_data(&f);
	for (uint32_t cut = 1; cut < 24; cut++) {
		struct ns_packet *pkt = tu_dissect(LT_80211, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		ck_assert_int_eq(tun_status(pkt, "wlan"), NS_LAYER_TRUNCATED);
	}
	/* radiotap cut inside its header */
	tu_frame_init(&f);
	TU_PUT(&f, 0, 0, 9, 0, 0x02, 0, 0, 0, 0x10);
	tu_zeros(&f, 30);
	struct ns_packet *pkt = tu_dissect(LT_RADIOT, f.b, 6, f.n);
	tu_assert_truncated(pkt);
	ck_assert_int_eq(tun_status(pkt, "radiotap"), NS_LAYER_TRUNCATED);
}
END_TEST

START_TEST(malformed)
{
	struct tu_frame f;
	tu_frame_init(&f);
	TU_PUT(&f, 0, 0, 4, 0, 0x02, 0, 0, 0, 0x10);
	tu_zeros(&f, 30);
	struct ns_packet *pkt = tu_dissect_full(LT_RADIOT, f.b, f.n);
	tu_assert_malformed(pkt, "header length 4 is less than 8");
	/* a whole frame that ends inside the address block */
	build_data(&f);
	pkt = tu_dissect_full(LT_80211, f.b, 14);
	tu_assert_malformed(pkt, "cut short");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build_data(&f);
	tu_dissect(LT_80211, f.b, 9, f.n);
	check_data();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ieee80211");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid_data);
	tcase_add_test(tc, valid_radiotap_qos_fcs);
	tcase_add_test(tc, valid_management_and_control);
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
