/*
 * test_sll — Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 113) and v2
 * (LINKTYPE_LINUX_SLL2, 276) (dissectors/link/sll.c).
 *
 * v1: packet type, ARPHRD type, address length, 8 address bytes, protocol
 * (16 bytes).  v2: protocol, reserved, interface index, ARPHRD type, packet
 * type, address length, 8 address bytes (20 bytes).  Protocols below 0x0600
 * are Linux pseudo-protocols, shown as sll.ltype and not dissected.
 */
#include <check.h>

#include "check_util.h"

/* v1, sent by us, Ethernet source MAC_A, IPv4 / UDP "ping" */
static void build_v1(struct tu_frame *f, uint16_t proto)
{
	tu_frame_init(f);
	tu_put16(f, 4); /* sent by us */
	tu_put16(f, 1); /* ARPHRD_ETHER */
	tu_put16(f, 6);
	tu_put(f, tu_mac_a, 6);
	tu_put16(f, 0); /* address padding */
	tu_put16(f, proto);
	tu_ipv4_udp(f);
}

/* v2, unicast to us on ifindex 3, Ethernet source MAC_A */
static void build_v2(struct tu_frame *f, uint16_t proto)
{
	tu_frame_init(f);
	tu_put16(f, proto);
	tu_put16(f, 0);	 /* reserved */
	tu_put32(f, 3);	 /* ifindex */
	tu_put16(f, 1);	 /* ARPHRD_ETHER */
	TU_PUT(f, 0, 6); /* unicast to us, address length */
	tu_put(f, tu_mac_a, 6);
	tu_put16(f, 0);
	tu_ipv6_udp(f);
}

static void check_v1(void)
{
	struct tu_frame f;
	build_v1(&f, 0x0800);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_SLL, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame sll ip udp data");
	ck_assert_uint_eq(tu_uint(pkt, "sll.pkttype"), 4);
	ck_assert_uint_eq(tu_uint(pkt, "sll.hatype"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "sll.halen"), 6);
	ck_assert_str_eq(tu_value(pkt, "sll.src.eth"), TU_MAC_A);
	ck_assert_ptr_null(tu_find(pkt, "sll.src.other"));
	ck_assert_str_eq(tu_value(pkt, "sll.etype"), "0x0800");
	ck_assert_uint_eq(tu_find(pkt, "sll.etype")->off, 14);
	ck_assert_ptr_null(tu_find(pkt, "sll.ifindex"));
	ck_assert_uint_eq(pkt->layers[2].off, 16);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP4_UDP_ADDRS " UDP 48 Len=4");
}

static void check_v2(void)
{
	struct tu_frame f;
	build_v2(&f, 0x86dd);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_SLL2, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame sll ipv6 udp data");
	ck_assert_uint_eq(tu_uint(pkt, "sll.ifindex"), 3);
	ck_assert_uint_eq(tu_uint(pkt, "sll.pkttype"), 0);
	ck_assert_uint_eq(tu_uint(pkt, "sll.hatype"), 1);
	ck_assert_uint_eq(tu_uint(pkt, "sll.halen"), 6);
	ck_assert_str_eq(tu_value(pkt, "sll.src.eth"), TU_MAC_A);
	ck_assert_str_eq(tu_value(pkt, "sll.etype"), "0x86dd");
	ck_assert_uint_eq(tu_find(pkt, "sll.etype")->off, 0);
	ck_assert_uint_eq(tu_find(pkt, "sll.ifindex")->off, 4);
	ck_assert_uint_eq(pkt->layers[2].off, 20);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_IP6_UDP_ADDRS " UDP 72 Len=4");
}

START_TEST(valid_v1)
{
	check_v1();
}
END_TEST

START_TEST(valid_v2)
{
	check_v2();
}
END_TEST

START_TEST(summary_v1_pseudo_protocol)
{
	/* 0x0017: ETH_P_IRDA, a Linux pseudo-protocol nothing dissects
	 * (0x0004, 802.2 LLC, is the one an LLC dissector binds) */
	struct tu_frame f;
	build_v1(&f, 0x0017);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_SLL, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame sll data");
	ck_assert_str_eq(tu_value(pkt, "sll.ltype"), "0x0017");
	ck_assert_ptr_null(tu_find(pkt, "sll.etype"));
	/* SLL knows only the source link address */
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_MAC_A TU_ARROW
			 "? SLL 48 Linux cooked capture, Sent by us, "
			 "protocol 0x0017");
}
END_TEST

START_TEST(summary_v2)
{
	struct tu_frame f;
	build_v2(&f, 0x88b5);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_SLL2, f.b, f.n);
	tu_assert_ok(pkt);
	tu_assert_layers(pkt, "frame sll data");
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 " TU_MAC_A TU_ARROW
			 "? SLL 72 Linux cooked capture v2, ifindex 3, "
			 "Unicast to us, protocol 0x88b5");
}
END_TEST

START_TEST(non_ethernet_addresses)
{
	/* ARPHRD_IPGRE (778), 4-byte address: raw bytes, no MAC */
	struct tu_frame f;
	build_v1(&f, 0x0800);
	tu_set16(&f, 2, 778);
	tu_set16(&f, 4, 4);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_SLL, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_ptr_null(tu_find(pkt, "sll.src.eth"));
	ck_assert_str_eq(tu_value(pkt, "sll.src.other"), "00005e00");
	/* ARPHRD_NONE, no address at all */
	tu_set16(&f, 2, 65534);
	tu_set16(&f, 4, 0);
	pkt = tu_dissect_full(TU_LT_SLL, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_ptr_null(tu_find(pkt, "sll.src.eth"));
	ck_assert_ptr_null(tu_find(pkt, "sll.src.other"));
	tu_assert_layers(pkt, "frame sll ip udp data");
	/* an address length beyond the 8 bytes there are is capped */
	tu_set16(&f, 4, 300);
	pkt = tu_dissect_full(TU_LT_SLL, f.b, f.n);
	tu_assert_ok(pkt);
	ck_assert_uint_eq(tu_find(pkt, "sll.src.other")->v.b.n, 8);
	ck_assert_uint_eq(tu_uint(pkt, "sll.halen"), 300);
}
END_TEST

START_TEST(truncated)
{
	struct tu_frame f;
	build_v1(&f, 0x0800);
	for (uint32_t cut = 0; cut < 16; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_SLL, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		tu_assert_layers(pkt, "frame sll");
	}
	build_v2(&f, 0x86dd);
	for (uint32_t cut = 0; cut < 20; cut++) {
		struct ns_packet *pkt = tu_dissect(TU_LT_SLL2, f.b, cut, f.n);
		tu_assert_truncated(pkt);
		tu_assert_layers(pkt, "frame sll");
	}
}
END_TEST

START_TEST(malformed)
{
	/* whole packets shorter than the fixed header */
	struct tu_frame f;
	build_v1(&f, 0x0800);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_SLL, f.b, 15);
	tu_assert_malformed(pkt, "SLL header cut short");
	build_v2(&f, 0x86dd);
	pkt = tu_dissect_full(TU_LT_SLL2, f.b, 19);
	tu_assert_malformed(pkt, "SLL header cut short");
	pkt = tu_dissect_full(TU_LT_SLL2, f.b, 11);
	tu_assert_malformed(pkt, "SLL header cut short");
}
END_TEST

START_TEST(next_after_bad)
{
	struct tu_frame f;
	build_v1(&f, 0x0800);
	tu_dissect_full(TU_LT_SLL, f.b, 9);
	check_v1();
	tu_dissect_full(TU_LT_SLL2, f.b, 9);
	check_v2();
	tu_dissect(TU_LT_SLL2, f.b, 9, 100);
	check_v1();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sll");
	TCase *tc = tu_tcase("valid");
	tcase_add_test(tc, valid_v1);
	tcase_add_test(tc, valid_v2);
	tcase_add_test(tc, summary_v1_pseudo_protocol);
	tcase_add_test(tc, summary_v2);
	tcase_add_test(tc, non_ethernet_addresses);
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
