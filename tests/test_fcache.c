/*
 * test_fcache — the cache of recorded fields keyed by parsed bytes
 * (src/core/fcache.c), as the TLS certificate parser uses it.
 *
 * Under test: a stored parse replays as the same fields (values, bytes
 * values, depths, hidden flags) at the depth of the replay, its bytes
 * owed to the packet and not to the cache; a key of the same length and
 * other bytes misses; the count is bounded and the least recently used
 * entry goes (counted); keys over the size limit and fields that point
 * at packet bytes are not kept; the budget is charged for entries,
 * refuses them at its cap, and gets everything back.
 */
#include <check.h>
#include <string.h>

#include "check_util.h"
#include "core/fcache.h"
#include "core/field.h"
#include "core/mem.h"
#include "core/packet.h"

static struct ns_field fl[] = {
    NS_F_STR("t.name", "Name"),
    NS_F_UINT("t.num", "Number", 16),
    NS_F_ABSTIME("t.time", "Time"),
};

static struct ns_packet pkt;
static struct ns_mem mem;
static struct ns_fcache c;
static const uint8_t data[4] = {1, 2, 3, 4};

static void setup(void)
{
	ns_pkt_init(&pkt);
	ns_pkt_begin(&pkt, 1, 0, 0, sizeof(data), sizeof(data), 1, data);
	ns_tree_push(&pkt); /* inside a layer, as a dissector is */
	memset(&mem, 0, sizeof(mem));
	ns_fcache_init(&c, &mem, 2, 64);
}

static void teardown(void)
{
	ns_fcache_fini(&c);
	ck_assert_uint_eq(mem.used, 0);
	ns_pkt_free(&pkt);
}

/* What a parse of `key` records: three fields a level down, one bytes
 * value built from the key (so that each key gives other fields). */
static uint32_t parse(const char *key)
{
	uint32_t from = pkt.nfv;
	ns_tree_push(&pkt);
	char *s = ns_arena_strndup(&pkt.arena, key, strlen(key));
	ns_add_bytes(&pkt, &fl[0], 0, 0, (const uint8_t *)s,
		     (uint32_t)strlen(s));
	ns_tree_push(&pkt);
	ns_add_uint(&pkt, &fl[1], 0, 0, strlen(key));
	ns_tree_pop(&pkt);
	struct ns_fv *fv = ns_pkt_add(&pkt, &fl[2], 0, 0);
	fv->v.i = -5;
	fv->hidden = 1;
	ns_tree_pop(&pkt);
	return from;
}

static void store(const char *key)
{
	uint8_t depth = (uint8_t)(pkt.depth + 1); /* where parse() records */
	uint32_t from = parse(key);
	ns_fcache_store(&c, &pkt, from, depth, (const uint8_t *)key,
			strlen(key));
}

static int replay(const char *key)
{
	ns_tree_push(&pkt);
	int hit = ns_fcache_replay(&c, &pkt, (const uint8_t *)key, strlen(key));
	ns_tree_pop(&pkt);
	return hit;
}

static void assert_same(uint32_t a, uint32_t b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct ns_fv *x = &pkt.fv[a + i], *y = &pkt.fv[b + i];
		ck_assert_ptr_eq(x->f, y->f);
		ck_assert_uint_eq(x->depth, y->depth);
		ck_assert_uint_eq(x->hidden, y->hidden);
		ck_assert_uint_eq(x->off, y->off);
		ck_assert_uint_eq(x->len, y->len);
		if (x->f->type == NS_FT_STRING) {
			ck_assert_uint_eq(x->v.b.n, y->v.b.n);
			ck_assert_mem_eq(x->v.b.p, y->v.b.p, x->v.b.n);
			ck_assert_ptr_ne(x->v.b.p, y->v.b.p);
		} else {
			ck_assert_uint_eq(x->v.u, y->v.u);
		}
	}
}

START_TEST(replays_the_same_fields)
{
	ck_assert_int_eq(replay("CN=a.example"), 0);
	ck_assert_uint_eq(c.misses, 1);
	store("CN=a.example");
	ck_assert_uint_eq(pkt.nfv, 3);
	ck_assert_uint_gt(mem.used, 0);
	ck_assert_int_eq(replay("CN=a.example"), 1);
	ck_assert_uint_eq(c.hits, 1);
	ck_assert_uint_eq(pkt.nfv, 6);
	assert_same(0, 3, 3);
	/* the same length, other bytes: not it */
	ck_assert_int_eq(replay("CN=b.example"), 0);
	ck_assert_uint_eq(pkt.nfv, 6);
	/* deeper in the tree, the fields follow */
	ns_tree_push(&pkt);
	ck_assert_int_eq(replay("CN=a.example"), 1);
	ck_assert_uint_eq(pkt.fv[6].depth, pkt.fv[0].depth + 1);
	ck_assert_uint_eq(pkt.fv[7].depth, pkt.fv[1].depth + 1);
}
END_TEST

START_TEST(bounded_least_recently_used_goes)
{
	store("one");
	store("two");
	ck_assert_int_eq(replay("one"), 1); /* "two" is now the oldest */
	store("three");
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(c.evicted, 1);
	ck_assert_int_eq(replay("two"), 0);
	ck_assert_int_eq(replay("one"), 1);
	ck_assert_int_eq(replay("three"), 1);
	/* a key over the limit is neither kept nor looked for */
	char big[100];
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	size_t used = mem.used;
	store(big);
	ck_assert_uint_eq(mem.used, used);
	ck_assert_int_eq(replay(big), 0);
}
END_TEST

START_TEST(packet_bytes_not_kept)
{
	uint32_t from = pkt.nfv;
	ns_add_uint(&pkt, &fl[1], 2, 2, 0x0304); /* points at the packet */
	ns_fcache_store(&c, &pkt, from, pkt.depth, data, sizeof(data));
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(mem.used, 0);
}
END_TEST

START_TEST(budget_refuses)
{
	mem.cap = 64; /* less than any entry */
	store("CN=a.example");
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(mem.refused, 1);
	ck_assert_int_eq(replay("CN=a.example"), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fcache");
	TCase *tc = tu_tcase("fcache");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, replays_the_same_fields);
	tcase_add_test(tc, bounded_least_recently_used_goes);
	tcase_add_test(tc, packet_bytes_not_kept);
	tcase_add_test(tc, budget_refuses);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
