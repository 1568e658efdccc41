/*
 * test_flow — the flow table's expiry (src/flow/flow.c): each flow goes
 * after its own idle timeout (TCP opening 180 s, established 3600 s,
 * closed 60 s, UDP 600 s of capture time), whatever the timeouts of the
 * flows used before it: an established connection idle for longer than
 * the closed ones' minute (but within its hour) holds none of them back.
 * A flow whose class changes expires by its new timeout, from its last
 * use; the eviction at the cap still takes the least recently used flow
 * of any class.  Expiry is skipped until a flow can be due, and that
 * time follows every change of a class's least recently used flow.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_util.h"
#include "flow/flow.h"

#define S(x) ((int64_t)(x)*1000000000)

/* The flow of TCP (or UDP) port `port` from 10.0.0.1 to 10.0.0.2:443. */
static void key(struct ns_flow_key *k, uint16_t port, int udp)
{
	static const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	int side;
	ns_flow_key_make(k, 4, udp ? 17 : 6, a, b, port, 443, &side);
}

static struct ns_flow *make(struct ns_flow_table *t, uint16_t port, int udp,
			    int64_t ts, enum ns_flow_idle idle)
{
	struct ns_flow_key k;
	key(&k, port, udp);
	struct ns_flow *f = ns_flow_create(t, &k, 0, ts);
	ck_assert_ptr_nonnull(f);
	ns_flow_set_idle(t, f, idle);
	return f;
}

static int alive(struct ns_flow_table *t, uint16_t port, int udp)
{
	struct ns_flow_key k;
	key(&k, port, udp);
	return ns_flow_find(t, &k) != NULL;
}

START_TEST(each_class_by_its_timeout)
{
	struct ns_flow_table t;
	ck_assert_int_eq(ns_flow_table_init(&t, 0), 0);
	/* the least recently used of all: established, idle from 0 s */
	make(&t, 1000, 0, S(0), NS_IDLE_TCP_ESTABLISHED);
	/* closed connections behind it, 1 .. 10 s */
	for (uint16_t i = 1; i <= 10; i++)
		make(&t, (uint16_t)(1000 + i), 0, S(i), NS_IDLE_TCP_CLOSED);
	make(&t, 2000, 1, S(11), NS_IDLE_UDP);
	/* opening at 12 s, closed at 30 s: a minute from then */
	struct ns_flow *f = make(&t, 3000, 0, S(12), NS_IDLE_TCP_OPENING);
	ns_flow_touch(&t, f, S(30));
	ns_flow_set_idle(&t, f, NS_IDLE_TCP_CLOSED);

	ns_flow_expire(&t, S(66)); /* past 1 .. 5 s + 60 */
	for (uint16_t i = 1; i <= 10; i++)
		ck_assert_int_eq(alive(&t, (uint16_t)(1000 + i), 0), i > 5);
	ck_assert(alive(&t, 1000, 0));
	ck_assert(alive(&t, 3000, 0));
	ns_flow_expire(&t, S(91)); /* the rest of the closed ones */
	for (uint16_t i = 1; i <= 10; i++)
		ck_assert(!alive(&t, (uint16_t)(1000 + i), 0));
	ck_assert(!alive(&t, 3000, 0));
	ck_assert(alive(&t, 1000, 0));
	ck_assert(alive(&t, 2000, 1));
	ck_assert_uint_eq(t.stats.expired_idle, 11);
	ns_flow_expire(&t, S(612)); /* UDP's 600 s */
	ck_assert(!alive(&t, 2000, 1));
	ck_assert(alive(&t, 1000, 0));
	ns_flow_expire(&t, S(3601)); /* the established one's hour */
	ck_assert(!alive(&t, 1000, 0));
	ck_assert_uint_eq(t.count, 0);
	ns_flow_table_free(&t);
}
END_TEST

START_TEST(cap_takes_least_recent)
{
	struct ns_flow_table t;
	ck_assert_int_eq(ns_flow_table_init(&t, 3), 0);
	struct ns_flow *a = make(&t, 1, 0, S(0), NS_IDLE_TCP_ESTABLISHED);
	make(&t, 2, 0, S(1), NS_IDLE_TCP_CLOSED);
	make(&t, 3, 1, S(2), NS_IDLE_UDP);
	ns_flow_touch(&t, a, S(3));
	make(&t, 4, 0, S(4), NS_IDLE_TCP_OPENING); /* 2 goes */
	ck_assert(!alive(&t, 2, 0));
	ck_assert(alive(&t, 1, 0) && alive(&t, 3, 1) && alive(&t, 4, 0));
	ck_assert_uint_eq(t.stats.evicted_cap, 1);
	/* the class lists lost it too: expiry walks them safely */
	ns_flow_expire(&t, S(4000));
	ck_assert_uint_eq(t.count, 0);
	ns_flow_table_free(&t);
}
END_TEST

/* Expiry is skipped until the earliest a class's last flow can be due;
 * that time is worked out again whenever a class's last flow changes,
 * even to one with an earlier last packet (a capture whose clock went
 * back) or in a class that was empty. */
START_TEST(skipped_until_due)
{
	struct ns_flow_table t;
	ck_assert_int_eq(ns_flow_table_init(&t, 0), 0);
	make(&t, 9, 0, S(100), NS_IDLE_TCP_ESTABLISHED); /* not empty */
	struct ns_flow *x = make(&t, 1, 0, S(100), NS_IDLE_TCP_CLOSED);
	make(&t, 2, 0, S(50), NS_IDLE_TCP_CLOSED); /* the clock went back */
	ns_flow_expire(&t, S(120)); /* the closed list's last: x, due 160 */
	ck_assert_uint_eq(t.count, 3);
	/* x leaves the list: its last is now the flow due at 110 */
	ns_flow_set_idle(&t, x, NS_IDLE_TCP_ESTABLISHED);
	ns_flow_expire(&t, S(111));
	ck_assert(!alive(&t, 2, 0));
	ck_assert(alive(&t, 1, 0));
	/* a flow in a class that was empty: due 180 s after it */
	make(&t, 3, 0, S(200), NS_IDLE_TCP_OPENING);
	ns_flow_expire(&t, S(380));
	ck_assert(alive(&t, 3, 0));
	ns_flow_expire(&t, S(381));
	ck_assert(!alive(&t, 3, 0));
	ck_assert(alive(&t, 1, 0));
	ns_flow_table_free(&t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("expiry");
	tcase_add_test(tc, each_class_by_its_timeout);
	tcase_add_test(tc, cap_takes_least_recent);
	tcase_add_test(tc, skipped_until_due);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
