/*
 * check_util — helpers shared by the Check unit-test suites.
 *
 * A suite builds packets as byte arrays (by hand, or with the small frame
 * builder below), runs them through ns_pkt_begin() + ns_dissect() exactly as
 * src/capture/run.c does, and inspects the record: fields by their registered
 * name, the layer stack by dissector name, the one-line summary as a C string.
 *
 * Ownership: every test uses the one record `tu_pkt`, set up by the
 * tu_setup/tu_teardown checked fixture (so a record is reused across the
 * packets of a test, as the real program reuses it).  The strings returned
 * by tu_summary(), tu_value() and tu_layers() live in a static buffer that
 * the next call to any of them overwrites; copy them to keep them.  Packet
 * bytes must outlive the checks on the packet (fields point into them).
 *
 * Known-bug tests: a test that asserts the correct behaviour where the code
 * is wrong goes in the test case made by tu_bug_tcase() (tag "bug"), so a
 * run can leave them out with CK_EXCLUDE_TAGS=bug while the bug is open.
 */
#ifndef NS_CHECK_UTIL_H
#define NS_CHECK_UTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/dissect.h"
#include "core/field.h"
#include "output/output.h"
#include "core/packet.h"

/* pcap link types the suites use */
enum {
	TU_LT_NULL = 0,
	TU_LT_EN10MB = 1,
	TU_LT_RAW = 101,
	TU_LT_LOOP = 108,
	TU_LT_SLL = 113,
	TU_LT_IPV4 = 228,
	TU_LT_IPV6 = 229,
	TU_LT_SLL2 = 276,
};

/* Documentation addresses (RFC 7042, RFC 5737, RFC 3849) used by the
 * builders: MAC_A/IP4_A/IP6_A send to MAC_B/IP4_B/IP6_B. */
extern const uint8_t tu_mac_a[6], tu_mac_b[6];
extern const uint8_t tu_ip4_a[4], tu_ip4_b[4];
extern const uint8_t tu_ip6_a[16], tu_ip6_b[16];
#define TU_MAC_A "00:00:5e:00:53:01"
#define TU_MAC_B "00:00:5e:00:53:02"
#define TU_IP4_A "192.0.2.1"
#define TU_IP4_B "198.51.100.2"
#define TU_IP6_A "2001:db8::1"
#define TU_IP6_B "2001:db8::2"
/* what the summary puts between the source and the destination */
#define TU_ARROW " \xe2\x86\x92 "

extern struct ns_packet tu_pkt;

/* Checked fixture: registry (once per process) and a fresh record. */
void tu_setup(void);
void tu_teardown(void);

/* A test case with the fixture and a generous timeout. */
TCase *tu_tcase(const char *name);
/* The same, tagged "bug": tests that fail until a reported bug is fixed. */
TCase *tu_bug_tcase(const char *name);

/*
 * Dissects `caplen` captured bytes of a `len`-byte packet with the given
 * link type on tu_pkt, as src/capture/run.c does (frame number 1, time 0,
 * microsecond precision).  Returns &tu_pkt.
 */
struct ns_packet *tu_dissect(int linktype, const uint8_t *data, uint32_t caplen,
			     uint32_t len);
/* Whole packet captured (caplen == len). */
#define tu_dissect_full(lt, data, n) tu_dissect((lt), (data), (n), (n))

/* The registered field `name`; fails the test when it is not registered. */
const struct ns_field *tu_field(const char *name);
/* First value of field `name` anywhere in pkt (layer < 0) or in one layer;
 * NULL when absent. */
const struct ns_fv *tu_find(const struct ns_packet *pkt, const char *name);
const struct ns_fv *tu_find_in(const struct ns_packet *pkt, int layer,
			       const char *name);
/* How many values of field `name` pkt has. */
unsigned tu_count(const struct ns_packet *pkt, const char *name);
/* The numeric value of field `name`; fails the test when absent. */
uint64_t tu_uint(const struct ns_packet *pkt, const char *name);
/* The value of field `name` as -T fields prints it; fails when absent. */
const char *tu_value(const struct ns_packet *pkt, const char *name);
const char *tu_value_in(const struct ns_packet *pkt, int layer,
			const char *name);
/* The one-line summary (no newline). */
const char *tu_summary(const struct ns_packet *pkt);
/* The dissector names of the layers, space separated: "frame eth ip tcp". */
const char *tu_layers(const struct ns_packet *pkt);
/* Index of the first layer named `name`, or -1. */
int tu_layer(const struct ns_packet *pkt, const char *name);

int tu_ends_with(const char *s, const char *suffix);
int tu_starts_with(const char *s, const char *prefix);

#define tu_assert_layers(pkt, expect) ck_assert_str_eq(tu_layers(pkt), (expect))
#define tu_assert_ok(pkt)                                                      \
	do {                                                                   \
		ck_assert_msg((pkt)->status == NS_LAYER_OK,                    \
			      "status %d (%s), summary: %s", (pkt)->status,    \
			      (pkt)->reason ? (pkt)->reason : "-",             \
			      tu_summary(pkt));                                \
		ck_assert_ptr_null((pkt)->reason);                             \
	} while (0)
#define tu_assert_truncated(pkt)                                               \
	do {                                                                   \
		ck_assert_msg((pkt)->status == NS_LAYER_TRUNCATED,             \
			      "status %d, summary: %s", (pkt)->status,         \
			      tu_summary(pkt));                                \
		ck_assert_msg(tu_ends_with(tu_summary(pkt), " [truncated]"),   \
			      "summary: %s", tu_summary(pkt));                 \
	} while (0)
/* Malformed, with a reason containing `why`, shown in the summary. */
#define tu_assert_malformed(pkt, why)                                          \
	do {                                                                   \
		ck_assert_msg((pkt)->status == NS_LAYER_MALFORMED,             \
			      "status %d, summary: %s", (pkt)->status,         \
			      tu_summary(pkt));                                \
		ck_assert_ptr_nonnull((pkt)->reason);                          \
		ck_assert_msg(strstr((pkt)->reason, (why)) != NULL,            \
			      "reason \"%s\" lacks \"%s\"", (pkt)->reason,     \
			      (why));                                          \
		ck_assert_msg(tu_ends_with(tu_summary(pkt), "]") &&            \
				  strstr(tu_summary(pkt), " [malformed: ") !=  \
				      NULL,                                    \
			      "summary: %s", tu_summary(pkt));                 \
	} while (0)

/* ---- a tiny frame builder ------------------------------------------------ */

struct tu_frame {
	uint8_t b[2048];
	size_t n;
};

void tu_frame_init(struct tu_frame *f);
/* Appends bytes; returns the offset they were written at. */
size_t tu_put(struct tu_frame *f, const uint8_t *p, size_t n);
#define TU_PUT(f, ...)                                                         \
	tu_put((f), (const uint8_t[]){__VA_ARGS__},                            \
	       sizeof((const uint8_t[]){__VA_ARGS__}))
size_t tu_put16(struct tu_frame *f, uint16_t v);
size_t tu_put32(struct tu_frame *f, uint32_t v);
size_t tu_zeros(struct tu_frame *f, size_t n);
void tu_set16(struct tu_frame *f, size_t off, uint16_t v);

/* Ethernet II from MAC_A to MAC_B. */
size_t tu_eth(struct tu_frame *f, uint16_t type);
/* 20-byte IPv4 header IP4_A → IP4_B, TTL 64, ID 0x1234, DF; the total
 * length is 0 until tu_ipv4_end() sets it to "everything after it". */
size_t tu_ipv4(struct tu_frame *f, uint8_t proto);
void tu_ipv4_end(struct tu_frame *f, size_t ip);
/* 40-byte IPv6 header IP6_A → IP6_B, hop limit 64; the payload length is
 * set by tu_ipv6_end(). */
size_t tu_ipv6(struct tu_frame *f, uint8_t nxt);
void tu_ipv6_end(struct tu_frame *f, size_t ip);

/* UDP PORT_A → PORT_B (ports no dissector binds) carrying `payload`, with
 * its length field set; checksum 0. */
#define TU_PORT_A 33333
#define TU_PORT_B 44444
size_t tu_udp(struct tu_frame *f, const char *payload);
/* Whole datagrams: IPv4 / IPv6 carrying tu_udp(f, "ping") (32 / 52 bytes). */
void tu_ipv4_udp(struct tu_frame *f);
void tu_ipv6_udp(struct tu_frame *f);
/* The summary tail of those: addresses, ports and "UDP <len> Len=4". */
#define TU_IP4_UDP_ADDRS TU_IP4_A ":33333" TU_ARROW TU_IP4_B ":44444"
#define TU_IP6_UDP_ADDRS "[" TU_IP6_A "]:33333" TU_ARROW "[" TU_IP6_B "]:44444"

/* Runs a suite; returns the exit status for main(). */
int tu_run(Suite *s);

#endif
