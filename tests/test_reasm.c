/*
 * test_reasm — per-direction TCP reassembly (src/flow/reasm.c), driven as
 * src/flow/stream.c drives it: ns_reasm_add() for each segment, the consumer
 * taking bytes from the front of `pending` with ns_reasm_consume(),
 * ns_reasm_missing() / ns_reasm_skip() for gaps, ns_reasm_free() at the end.
 *
 * Under test: in-order and out-of-order delivery; overlaps and which copy
 * wins (bytes already made contiguous are never rewritten; among held
 * out-of-order segments the first copy wins; a segment arriving in order is
 * taken whole, so held bytes it covers give way); sequence wrap-around at
 * 2^32; gaps (size reported, delivery resuming behind them); SYN and FIN
 * each taking one sequence number; the per-direction and global caps
 * (counters, memory given back); flushing what is held at the end.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/error.h"
#include "flow/reasm.h"

enum { FIN = 0x01, SYN = 0x02, ACK = 0x10 };

static struct ns_reasm_dir d, d2;
static struct ns_reasm_limits lim;
static struct ns_reasm_result rr;
static uint64_t frame;

static void setup(void)
{
	ns_reasm_init(&d);
	ns_reasm_init(&d2);
	memset(&lim, 0, sizeof(lim));
	lim.per_dir = NS_REASM_DEFAULT_PER_DIR;
	lim.global = NS_REASM_DEFAULT_GLOBAL;
	frame = 0;
}

static void teardown(void)
{
	ns_reasm_free(&d, &lim);
	ns_reasm_free(&d2, &lim);
	/* whatever a test did, freeing gives every byte back */
	ck_assert_uint_eq(lim.in_use, 0);
}

static int add_to(struct ns_reasm_dir *dir, uint32_t seq, uint16_t flags,
		  const char *s)
{
	frame++;
	return ns_reasm_add(dir, &lim, seq, flags, (const uint8_t *)s,
			    (uint32_t)strlen(s), (int64_t)frame * 1000, frame,
			    &rr);
}

static int add(uint32_t seq, uint16_t flags, const char *s)
{
	return add_to(&d, seq, flags, s);
}

/* The pending bytes as a string (they are text in these tests). */
static const char *pending(const struct ns_reasm_dir *dir)
{
	static char buf[8192];
	ck_assert_uint_lt(dir->plen, sizeof(buf));
	memcpy(buf, dir->pending ? (const char *)dir->pending : "", dir->plen);
	buf[dir->plen] = '\0';
	return buf;
}

/* ---- in order, out of order ---------------------------------------------- */

/* A hole, then 50,000 segments after it (a long loss on a fast link):
 * each is appended after the last one held without walking the list, and
 * all of it comes out in order when the hole is filled. */
START_TEST(long_hole)
{
	ck_assert_int_eq(add(1000, SYN, ""), 0);
	for (uint32_t i = 1; i <= 50000; i++) {
		ck_assert_int_eq(add(1001 + i, 0, "b"), 0);
		ck_assert(rr.buffered);
	}
	ck_assert_int_eq(add(1001, 0, "a"), 0);
	ck_assert_uint_eq(d.plen, 50001);
	ck_assert_ptr_null(d.ooo);
}
END_TEST

/* Tiny segments in reverse order: every insertion is deep in the list.
 * Past NS_REASM_MAX_WALK segments the walk stops and the data is dropped
 * as over a cap (counted), so the cost per segment stays bounded. */
START_TEST(walk_bounded)
{
	ck_assert_int_eq(add(1000, SYN, ""), 0);
	uint32_t n = NS_REASM_MAX_WALK + 500;
	for (uint32_t i = 0; i < n; i++)
		ck_assert_int_eq(add(1001 + 2 * i + 1, 0, "x"), 0);
	/* every one after the last fits at the tail: all held */
	ck_assert_uint_eq(d.ooo_bytes, n);
	ck_assert_uint_eq(lim.dropped, 0);
	/* the holes between them: the deep ones are refused */
	for (uint32_t i = n; i-- > 0;)
		ck_assert_int_eq(add(1001 + 2 * i + 2, 0, "y"), 0);
	ck_assert_uint_gt(lim.dropped, 0);
	ck_assert_uint_ge(d.ooo_bytes, n + NS_REASM_MAX_WALK - 1);
}
END_TEST

START_TEST(in_order)
{
	ck_assert_int_eq(add(1000, SYN, ""), 0);
	ck_assert_uint_eq(d.next, 1001); /* the SYN took one */
	ck_assert_int_eq(add(1001, ACK, "hello "), 0);
	ck_assert_uint_eq(rr.new_bytes, 6);
	ck_assert(!rr.buffered && !rr.retransmit && !rr.dropped);
	add(1007, ACK, "world");
	ck_assert_str_eq(pending(&d), "hello world");
	ck_assert_uint_eq(d.next, 1012);
	ck_assert_uint_eq(d.delivered, 11);
	/* where each byte came from */
	ck_assert_uint_eq(ns_reasm_mark_at(&d, 0)->frame, 2);
	ck_assert_uint_eq(ns_reasm_mark_at(&d, 5)->frame, 2);
	ck_assert_uint_eq(ns_reasm_mark_at(&d, 6)->frame, 3);
	ck_assert_int_eq(ns_reasm_mark_at(&d, 6)->ts, 3000);
	/* the consumer takes part: the rest stays, offsets follow */
	ns_reasm_consume(&d, &lim, 6);
	ck_assert_str_eq(pending(&d), "world");
	ck_assert_uint_eq(d.offset, 6);
	ck_assert_uint_eq(ns_reasm_mark_at(&d, 0)->frame, 3);
	/* consuming more than there is takes what there is */
	ns_reasm_consume(&d, &lim, 100);
	ck_assert_uint_eq(d.plen, 0);
	ck_assert_uint_eq(d.offset, 11);
}
END_TEST

START_TEST(midstream_start)
{
	/* no SYN: the stream starts where the capture does */
	add(70000, ACK, "abc");
	ck_assert_str_eq(pending(&d), "abc");
	ck_assert_uint_eq(d.next, 70003);
	/* an empty ACK changes nothing */
	add(70003, ACK, "");
	ck_assert_uint_eq(d.next, 70003);
	ck_assert_uint_eq(rr.new_bytes, 0);
}
END_TEST

START_TEST(out_of_order)
{
	add(1000, SYN, "");
	add(1011, ACK, "third");
	ck_assert(rr.buffered);
	add(1006, ACK, "second");
	ck_assert(rr.buffered);
	ck_assert_uint_eq(d.plen, 0);
	ck_assert(ns_reasm_has_buffered(&d));
	/* "second" ends on the first byte of "third": held first, it wins */
	ck_assert_uint_eq(d.ooo_bytes, 10);
	ck_assert(ns_reasm_buffered_before(&d, 1007));
	ck_assert(!ns_reasm_buffered_before(&d, 1006));
	/* the missing head arrives: everything becomes contiguous */
	add(1001, ACK, "first");
	ck_assert_uint_eq(rr.new_bytes, 15);
	ck_assert_str_eq(pending(&d), "firstseconthird");
	ck_assert(!ns_reasm_has_buffered(&d));
	ck_assert_uint_eq(d.ooo_bytes, 0);
	/* frames: each piece keeps the packet it came from */
	ck_assert_uint_eq(ns_reasm_mark_at(&d, 0)->frame, 4);
	ck_assert_uint_eq(ns_reasm_mark_at(&d, 5)->frame, 3);
	ck_assert_uint_eq(ns_reasm_mark_at(&d, 11)->frame, 2);
}
END_TEST

/* ---- overlaps: which copy wins ---------------------------------------------
 */

START_TEST(retransmission_same_and_different_bytes)
{
	add(1000, SYN, "");
	add(1001, ACK, "hello");
	/* the same bytes again */
	add(1001, ACK, "hello");
	ck_assert(rr.retransmit);
	ck_assert_uint_eq(rr.new_bytes, 0);
	/* different bytes over what was delivered: the first copy wins */
	add(1001, ACK, "HELLO");
	ck_assert(rr.retransmit);
	ck_assert_str_eq(pending(&d), "hello");
	/* even once the consumer has taken them */
	ns_reasm_consume(&d, &lim, 5);
	add(1001, ACK, "JELLO");
	ck_assert(rr.retransmit);
	ck_assert_uint_eq(d.plen, 0);
}
END_TEST

/* A segment exactly 2^31 bytes behind: old data, whose distance is
 * taken without negating INT32_MIN (found by fuzz/fuzz_read). */
START_TEST(half_the_sequence_space_behind)
{
	add(1000, SYN, "");
	add(1001, ACK, "hello");
	add(1006u - 0x80000000u, ACK, "x");
	ck_assert(rr.retransmit);
	ck_assert_str_eq(pending(&d), "hello");
}
END_TEST

START_TEST(overlap_old_and_new)
{
	add(1000, SYN, "");
	add(1001, ACK, "hello");
	/* starts 2 bytes back with different bytes, then new ones: only
	 * the new part is taken */
	add(1004, ACK, "LOworld");
	ck_assert(!rr.retransmit);
	ck_assert_uint_eq(rr.new_bytes, 5);
	ck_assert_str_eq(pending(&d), "helloworld");
}
END_TEST

START_TEST(overlap_out_of_order)
{
	add(1000, SYN, "");
	add(1006, ACK, "BBBBB");     /* 1006..1010 */
	add(1004, ACK, "xxYYYYYzz"); /* 1004..1012 around it */
	ck_assert(rr.buffered);
	ck_assert_uint_eq(d.ooo_bytes, 9);
	add(1008, ACK, "QQ"); /* inside: nothing new */
	ck_assert_uint_eq(d.ooo_bytes, 9);
	add(1001, ACK, "aaa");
	/* the first copy of 1006..1010 wins over the later ones */
	ck_assert_str_eq(pending(&d), "aaaxxBBBBBzz");
}
END_TEST

START_TEST(in_order_covers_buffered)
{
	add(1000, SYN, "");
	add(1006, ACK, "BBBBB");
	/* an in-order segment is taken whole: the held bytes it covers are
	 * dropped, and what is held beyond it is still used */
	add(1008, ACK, "CCCCCCC");     /* 1011..1014 beyond the first */
	add(1001, ACK, "aaaaaXXXXXX"); /* 1001..1011 */
	ck_assert_str_eq(pending(&d), "aaaaaXXXXXXCCC");
	ck_assert_uint_eq(d.next, 1015);
	ck_assert(!ns_reasm_has_buffered(&d));
	ck_assert_uint_eq(d.ooo_bytes, 0);
}
END_TEST

/* ---- sequence wrap ----------------------------------------------------------
 */

START_TEST(wrap_around)
{
	add(0xfffffffdu, SYN, "");
	ck_assert_uint_eq(d.next, 0xfffffffeu);
	add(0xfffffffeu, ACK, "abcd"); /* crosses 2^32 */
	ck_assert_uint_eq(d.next, 2);
	ck_assert_str_eq(pending(&d), "abcd");
	/* out of order across the wrap */
	add(6, ACK, "ijk");
	ck_assert(rr.buffered);
	add(2, ACK, "efgh");
	ck_assert_str_eq(pending(&d), "abcdefghijk");
	/* a retransmission from before the wrap is old */
	add(0xffffffffu, ACK, "ZZ");
	ck_assert(rr.retransmit);
	ck_assert_str_eq(pending(&d), "abcdefghijk");
	/* ACKs across the wrap */
	ck_assert_uint_eq(ns_reasm_missing(&d, 9), 0);
	ck_assert_uint_eq(ns_reasm_missing(&d, 0xfffffff0u), 0);
	ck_assert_uint_eq(ns_reasm_missing(&d, 20), 11);
}
END_TEST

START_TEST(wrap_out_of_order_before_the_wrap)
{
	add(0xfffffff0u, ACK, "a"); /* mid-stream start just before 2^32 */
	add(0x10, ACK, "late");	    /* after the wrap, ahead */
	ck_assert(rr.buffered);
	add(0xfffffff1u, ACK, "bcdefghijklmnopqrstuvwxyz012345"); /* to 0x10 */
	ck_assert_uint_eq(d.next, 0x14);
	ck_assert_str_eq(pending(&d), "abcdefghijklmnopqrstuvwxyz012345late");
}
END_TEST

/* ---- gaps -------------------------------------------------------------------
 */

START_TEST(gap_skipped_to_buffered)
{
	add(1000, SYN, "");
	add(1001, ACK, "aaa"); /* 1001..1003 */
	add(1010, ACK, "bbb"); /* 1010..1012; 1004..1009 never seen */
	ck_assert(rr.buffered);
	ns_reasm_consume(&d, &lim, 3);
	/* the peer acknowledges everything: 9 bytes acked but not
	 * delivered, 6 of which the capture lacks */
	ck_assert_uint_eq(ns_reasm_missing(&d, 1013), 9);
	ck_assert(ns_reasm_buffered_before(&d, 1013));
	ck_assert_uint_eq(ns_reasm_skip(&d, &lim, 0, 1), 6);
	ck_assert_uint_eq(lim.gaps, 1);
	ck_assert_uint_eq(lim.gap_bytes, 6);
	/* delivery resumes behind the hole; offsets count the hole */
	ck_assert_str_eq(pending(&d), "bbb");
	ck_assert_uint_eq(d.offset, 9);
	ck_assert_uint_eq(d.delivered, 12);
	add(1013, ACK, "ccc");
	ck_assert_str_eq(pending(&d), "bbbccc");
	ck_assert_uint_eq(ns_reasm_missing(&d, 1016), 0);
}
END_TEST

START_TEST(gap_skipped_to_ack)
{
	add(1000, SYN, "");
	add(1001, ACK, "aaa");
	ns_reasm_consume(&d, &lim, 3);
	/* acknowledged bytes nothing holds: skip to the ACK */
	ck_assert_uint_eq(ns_reasm_missing(&d, 1104), 100);
	ck_assert_uint_eq(ns_reasm_skip(&d, &lim, 1104, 0), 100);
	ck_assert_uint_eq(d.next, 1104);
	ck_assert_uint_eq(lim.gap_bytes, 100);
	add(1104, ACK, "zz");
	ck_assert_str_eq(pending(&d), "zz");
	/* skipping backwards or to where we are is nothing */
	ck_assert_uint_eq(ns_reasm_skip(&d, &lim, 1000, 0), 0);
	ck_assert_uint_eq(ns_reasm_skip(&d, &lim, 0, 1), 0);
	ck_assert_uint_eq(lim.gaps, 1);
}
END_TEST

START_TEST(missing_bounds)
{
	/* nothing seen yet: nothing missing */
	ck_assert_uint_eq(ns_reasm_missing(&d, 12345), 0);
	add(1000, SYN, "");
	/* a wild ACK is not a 2 GB gap */
	ck_assert_uint_eq(ns_reasm_missing(&d, 1001 + (1u << 30)), 0);
	ck_assert_uint_eq(ns_reasm_missing(&d, 1000), 0);
}
END_TEST

/* ---- SYN and FIN sequence accounting
 * ----------------------------------------- */

START_TEST(syn_and_fin)
{
	/* a SYN with data (TCP Fast Open): the data starts after the SYN */
	add(1000, SYN, "GET");
	ck_assert_str_eq(pending(&d), "GET");
	ck_assert_uint_eq(d.next, 1004);
	/* the SYN again does not restart the stream */
	add(1000, SYN, "GET");
	ck_assert(rr.retransmit);
	ck_assert_uint_eq(d.next, 1004);
	/* data and FIN together: the FIN is after the last byte */
	add(1004, FIN | ACK, " /");
	ck_assert(d.has_fin);
	ck_assert_uint_eq(d.fin_seq, 1006);
	ck_assert(d.fin);
	ck_assert_str_eq(pending(&d), "GET /");
	/* the ACK of the FIN is not a gap */
	ck_assert_uint_eq(ns_reasm_missing(&d, 1007), 0);
}
END_TEST

START_TEST(fin_before_the_data)
{
	add(1000, SYN, "");
	add(1006, FIN | ACK, ""); /* the FIN overtook the data */
	ck_assert(d.has_fin);
	ck_assert(!d.fin);
	add(1001, ACK, "abcde");
	ck_assert(d.fin); /* reached in order now */
	ck_assert_str_eq(pending(&d), "abcde");
}
END_TEST

/* ---- caps
 * --------------------------------------------------------------------- */

START_TEST(per_dir_cap)
{
	lim.per_dir = 10;
	add(1000, SYN, "");
	add(1011, ACK, "0123456789"); /* exactly the cap */
	ck_assert(rr.buffered);
	ck_assert_uint_eq(lim.in_use, 10);
	ck_assert_int_eq(add(1030, ACK, "x"), 0);
	ck_assert(rr.dropped);
	ck_assert(!rr.buffered);
	ck_assert_uint_eq(lim.dropped, 1);
	ck_assert_uint_eq(d.ooo_bytes, 10);
	/* in-order bytes count against the cap too */
	add(1001, ACK, "abcdefghij");
	ck_assert(rr.dropped);
	ck_assert_uint_eq(lim.dropped, 11);
	ck_assert_uint_eq(d.plen, 0);
	/* what the caller then does (stream.c): skip to what is held */
	ck_assert_uint_eq(ns_reasm_skip(&d, &lim, 0, 1), 10);
	ck_assert_str_eq(pending(&d), "0123456789");
	ck_assert_uint_eq(d.ooo_bytes, 0);
	/* another direction has its own cap */
	add_to(&d2, 1, ACK, "");
	add_to(&d2, 5, ACK, "0123456789");
	ck_assert(rr.buffered);
	ck_assert_uint_eq(lim.peak, lim.in_use);
}
END_TEST

START_TEST(global_cap)
{
	lim.global = 100;
	add(1000, SYN, "");
	add_to(&d2, 5000, SYN, "");
	char big[61];
	memset(big, 'x', 60);
	big[60] = '\0';
	add(1101, ACK, big); /* held out of order: 60 of 100 */
	ck_assert(rr.buffered);
	ck_assert_uint_eq(lim.in_use, 60);
	big[50] = '\0';
	add_to(&d2, 5101, ACK, big); /* 50 more do not fit */
	ck_assert(rr.dropped);
	ck_assert_uint_eq(lim.dropped, 50);
	ck_assert_uint_eq(lim.in_use, 60);
	ck_assert_uint_eq(d2.ooo_bytes, 0);
	/* the first direction ends: its memory goes back, the other fits */
	ns_reasm_free(&d, &lim);
	ck_assert_uint_eq(lim.in_use, 0);
	add_to(&d2, 5101, ACK, big);
	ck_assert(rr.buffered);
	ck_assert_uint_eq(lim.in_use, 50);
	ck_assert_uint_eq(lim.peak, 60);
}
END_TEST

START_TEST(memory_given_back)
{
	add(1000, SYN, "");
	static char chunk[1001];
	memset(chunk, 'y', 1000);
	/* 100 KB made contiguous, then consumed: the large buffer goes */
	uint32_t seq = 1001;
	for (int i = 0; i < 100; i++, seq += 1000)
		add(seq, ACK, chunk);
	ck_assert_uint_eq(d.plen, 100000);
	ck_assert_uint_ge(lim.in_use, 100000);
	ns_reasm_consume(&d, &lim, 100000);
	ck_assert_uint_eq(lim.in_use, 0);
	ck_assert_ptr_null(d.pending);
	/* and delivery goes on */
	add(seq, ACK, "more");
	ck_assert_str_eq(pending(&d), "more");
}
END_TEST

/* Idle connections hold no buffer: pending and its marks go as soon as
 * the consumer has taken everything, and a few bytes left waiting in a
 * large buffer move to one their size (one of a segment's size stays);
 * times stay right across the ring's growth. */
START_TEST(drained_buffer_freed)
{
	add(1000, SYN, "");
	add(1001, ACK, "hello");
	ck_assert_ptr_nonnull(d.pending);
	ck_assert_ptr_nonnull(d.marks);
	ck_assert_uint_eq(lim.in_use, d.pcap);
	ns_reasm_consume(&d, &lim, 5);
	ck_assert_ptr_null(d.pending);
	ck_assert_ptr_null(d.marks);
	ck_assert_uint_eq(d.pcap, 0);
	ck_assert_uint_eq(d.nmarks, 0);
	ck_assert_uint_eq(lim.in_use, 0);
	/* ten segments: the ring grows past its first size, oldest first */
	uint32_t seq = 1006;
	for (int i = 0; i < 10; i++, seq += 3)
		add(seq, ACK, "abc");
	ck_assert_uint_eq(d.plen, 30);
	ck_assert_uint_eq(d.nmarks, 10);
	for (uint32_t off = 0; off < 30; off++)
		ck_assert_uint_eq(ns_reasm_mark_at(&d, off)->frame,
				  3 + off / 3);
	/* delivery goes on where it was */
	ck_assert_uint_eq(d.offset, 5);
	static char big[5001];
	memset(big, 'z', 5000);
	add(seq, ACK, big);
	ck_assert_uint_ge(d.pcap, 5030);
	/* all but 3 bytes taken: they wait in a small buffer */
	ns_reasm_consume(&d, &lim, 5027);
	ck_assert_uint_eq(d.plen, 3);
	ck_assert_uint_eq(d.pcap, 64);
	ck_assert_uint_eq(lim.in_use, 64);
	ck_assert_str_eq(pending(&d), "zzz");
	ck_assert_uint_eq(ns_reasm_mark_at(&d, 0)->frame, 13);
	add(seq + 5000, ACK, "tail");
	ck_assert_str_eq(pending(&d), "zzztail");
	ck_assert_uint_eq(ns_reasm_mark_at(&d, 3)->frame, 14);
	/* a buffer of a segment or so keeps its size for the next one */
	memset(big, 'y', 2000);
	big[2000] = 0;
	add(seq + 5004, ACK, big);
	uint32_t cap = d.pcap;
	ck_assert_uint_ge(cap, 2007);
	ck_assert_uint_le(cap, 4096);
	ns_reasm_consume(&d, &lim, 2005);
	ck_assert_uint_eq(d.plen, 2);
	ck_assert_uint_eq(d.pcap, cap);
	ck_assert_str_eq(pending(&d), "yy");
	ns_reasm_consume(&d, &lim, 2);
	ck_assert_uint_eq(lim.in_use, 0);
	ck_assert_uint_eq(d.offset, 7039);
}
END_TEST

/* ---- the end of the capture
 * ---------------------------------------------------- */

START_TEST(flush_at_end)
{
	add(1000, SYN, "");
	add(1001, ACK, "a");
	add(1010, ACK, "b");  /* hole of 8 */
	add(1020, ACK, "c");  /* hole of 9 */
	add(1030, ACK, "dd"); /* hole of 9 */
	ns_reasm_consume(&d, &lim, 1);
	/* as ns_stream_finish(): skip to each held segment in turn, the
	 * consumer taking what each skip made contiguous */
	uint32_t skipped = 0, n;
	char got[16] = "";
	while (ns_reasm_has_buffered(&d) &&
	       (n = ns_reasm_skip(&d, &lim, 0, 1)) > 0) {
		skipped += n;
		strncat(got, pending(&d), sizeof(got) - strlen(got) - 1);
		ns_reasm_consume(&d, &lim, d.plen);
	}
	ck_assert_str_eq(got, "bcdd");
	ck_assert_uint_eq(skipped, 26);
	ck_assert_uint_eq(lim.gaps, 3);
	ck_assert_uint_eq(lim.gap_bytes, 26);
	ck_assert_uint_eq(d.next, 1032);
	ck_assert_uint_eq(d.delivered, 31);
	/* nothing held any more: only the (small) pending buffer remains */
	ck_assert_uint_eq(d.ooo_bytes, 0);
	ck_assert_uint_eq(lim.in_use, d.pcap);
}
END_TEST

START_TEST(free_with_everything_held)
{
	add(1000, SYN, "");
	add(1001, ACK, "abc");
	add(1100, ACK, "held");
	add(1200, ACK, "held too");
	ck_assert_uint_gt(lim.in_use, 0);
	ns_reasm_free(&d, &lim);
	ck_assert_uint_eq(lim.in_use, 0);
	ck_assert_ptr_null(d.pending);
	ck_assert_ptr_null(d.ooo);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("reasm");
	TCase *tc = tu_tcase("order");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, in_order);
	tcase_add_test(tc, long_hole);
	tcase_add_test(tc, walk_bounded);
	tcase_add_test(tc, midstream_start);
	tcase_add_test(tc, out_of_order);
	tcase_add_test(tc, retransmission_same_and_different_bytes);
	tcase_add_test(tc, half_the_sequence_space_behind);
	tcase_add_test(tc, overlap_old_and_new);
	tcase_add_test(tc, overlap_out_of_order);
	tcase_add_test(tc, in_order_covers_buffered);
	tcase_add_test(tc, wrap_around);
	tcase_add_test(tc, wrap_out_of_order_before_the_wrap);
	tcase_add_test(tc, syn_and_fin);
	tcase_add_test(tc, fin_before_the_data);
	suite_add_tcase(s, tc);
	tc = tu_tcase("gaps");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, gap_skipped_to_buffered);
	tcase_add_test(tc, gap_skipped_to_ack);
	tcase_add_test(tc, missing_bounds);
	tcase_add_test(tc, flush_at_end);
	suite_add_tcase(s, tc);
	tc = tu_tcase("caps");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, per_dir_cap);
	tcase_add_test(tc, global_cap);
	tcase_add_test(tc, memory_given_back);
	tcase_add_test(tc, drained_buffer_freed);
	tcase_add_test(tc, free_with_everything_held);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
