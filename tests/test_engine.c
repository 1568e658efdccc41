/*
 * test_engine — the engine's notes about earlier frames (src/core/note.c and
 * ns_engine_note()/ns_engine_noted() in src/core/engine.c), which two-pass
 * analysis (-2) is built on.
 *
 * Under test: notes found by (frame, key) whatever order they came in,
 * absent pairs not found, a later note replacing an earlier one (before
 * and after the store was sorted), the cap (counted drops, replacements
 * still taken, duplicates squeezed out to make room), growth past the
 * first allocation, keys that tell fields and layers apart, the engine's
 * passes (only pass 1 writes, only pass 2 reads) and its report of drops.
 * Leaks are left to LeakSanitizer in the sanitizer build.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/engine.h"
#include "core/error.h"
#include "core/note.h"

START_TEST(insert_lookup)
{
	struct ns_notes s;
	ns_note_init(&s, 0);
	ck_assert_uint_eq(s.max, NS_NOTE_DEFAULT_MAX);
	uint64_t v = 99;
	ck_assert_int_eq(ns_note_find(&s, 1, 1, &v), 0); /* empty */
	/* out of order, as responses note queries */
	static const uint64_t frames[] = {7, 3, 12, 3, 1, 40};
	static const uint32_t keys[] = {1, 1, 1, 2, 1, 1};
	for (unsigned i = 0; i < 6; i++)
		ck_assert_int_eq(ns_note_add(&s, frames[i], keys[i], 100 + i),
				 0);
	for (unsigned i = 0; i < 6; i++) {
		ck_assert_int_eq(ns_note_find(&s, frames[i], keys[i], &v), 1);
		ck_assert_uint_eq(v, 100 + i);
	}
	v = 99;
	ck_assert_int_eq(ns_note_find(&s, 2, 1, &v), 0);  /* no frame 2 */
	ck_assert_int_eq(ns_note_find(&s, 7, 2, &v), 0);  /* no key 2 */
	ck_assert_int_eq(ns_note_find(&s, 41, 1, &v), 0); /* past the end */
	ck_assert_int_eq(ns_note_find(&s, 0, 0, &v), 0);  /* before it */
	ck_assert_uint_eq(v, 99); /* untouched when not found */
	ck_assert_uint_eq(s.dropped, 0);
	ns_note_free(&s);
	ck_assert_int_eq(ns_note_find(&s, 7, 1, &v), 0);
}
END_TEST

START_TEST(overwrite)
{
	struct ns_notes s;
	uint64_t v;
	ns_note_init(&s, 0);
	ns_note_add(&s, 5, 1, 10);
	ns_note_add(&s, 6, 1, 60);
	ns_note_add(&s, 5, 1, 11); /* replaces, though added out of order */
	ck_assert_int_eq(ns_note_find(&s, 5, 1, &v), 1);
	ck_assert_uint_eq(v, 11);
	ck_assert_uint_eq(s.n, 2); /* the replaced note is gone */
	/* and again after the store was sorted by the lookup */
	ns_note_add(&s, 5, 1, 12);
	ns_note_add(&s, 5, 1, 13);
	ck_assert_int_eq(ns_note_find(&s, 5, 1, &v), 1);
	ck_assert_uint_eq(v, 13);
	ck_assert_int_eq(ns_note_find(&s, 6, 1, &v), 1);
	ck_assert_uint_eq(v, 60);
	ck_assert_uint_eq(s.n, 2);
	ns_note_free(&s);
}
END_TEST

START_TEST(cap)
{
	struct ns_notes s;
	uint64_t v;
	ns_note_init(&s, 4);
	for (uint64_t f = 1; f <= 4; f++)
		ck_assert_int_eq(ns_note_add(&s, f, 0, f * 10), 0);
	/* a fifth pair is dropped, and counted */
	ck_assert_int_eq(ns_note_add(&s, 5, 0, 50), NS_ELIMIT);
	ck_assert_int_eq(ns_note_add(&s, 0, 0, 1), NS_ELIMIT);
	ck_assert_uint_eq(s.dropped, 2);
	ck_assert_int_eq(ns_note_find(&s, 5, 0, &v), 0);
	/* a replacement at the cap is still taken */
	ck_assert_int_eq(ns_note_add(&s, 3, 0, 33), 0);
	ck_assert_int_eq(ns_note_find(&s, 3, 0, &v), 1);
	ck_assert_uint_eq(v, 33);
	for (uint64_t f = 1; f <= 4; f++)
		ck_assert_int_eq(ns_note_find(&s, f, 0, &v), 1);
	ck_assert_uint_eq(s.n, 4);
	ck_assert_uint_eq(s.dropped, 2);
	/* never more memory than the cap */
	ck_assert_uint_le(s.cap, 4);
	ns_note_free(&s);
	ck_assert_uint_eq(s.dropped, 2); /* kept for the report */
}
END_TEST

/* At the cap, notes that replaced others make room before anything is
 * dropped. */
START_TEST(cap_squeezes_duplicates)
{
	struct ns_notes s;
	uint64_t v;
	ns_note_init(&s, 3);
	ns_note_add(&s, 9, 1, 1);
	ns_note_add(&s, 9, 1, 2);
	ns_note_add(&s, 9, 1, 3); /* three notes held, one pair */
	ck_assert_int_eq(ns_note_add(&s, 8, 1, 80), 0);
	ck_assert_int_eq(ns_note_add(&s, 10, 1, 100), 0);
	ck_assert_uint_eq(s.dropped, 0);
	ck_assert_int_eq(ns_note_find(&s, 9, 1, &v), 1);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(ns_note_find(&s, 8, 1, &v), 1);
	ck_assert_uint_eq(v, 80);
	ck_assert_int_eq(ns_note_find(&s, 10, 1, &v), 1);
	ck_assert_uint_eq(v, 100);
	ns_note_free(&s);
}
END_TEST

/* More notes than the first allocation holds, in descending order (the
 * sort's work), then ascending ones after a lookup. */
START_TEST(growth)
{
	struct ns_notes s;
	uint64_t v;
	ns_note_init(&s, 0);
	for (uint64_t f = 5000; f >= 1; f--)
		ck_assert_int_eq(ns_note_add(&s, f, (uint32_t)(f % 3), f + 1),
				 0);
	for (uint64_t f = 1; f <= 5000; f++) {
		ck_assert_int_eq(ns_note_find(&s, f, (uint32_t)(f % 3), &v), 1);
		ck_assert_uint_eq(v, f + 1);
	}
	for (uint64_t f = 5001; f <= 7000; f++)
		ns_note_add(&s, f, 0, f);
	ck_assert_int_eq(s.sorted, 1); /* in order: no sort needed */
	ck_assert_int_eq(ns_note_find(&s, 6000, 0, &v), 1);
	ck_assert_uint_eq(v, 6000);
	ck_assert_uint_eq(s.n, 7000);
	ns_note_free(&s);
}
END_TEST

START_TEST(keys)
{
	const struct ns_field *a = tu_field("dns.response_in");
	const struct ns_field *b = tu_field("http.response_in");
	ck_assert_uint_ne(ns_note_key(a, 3), ns_note_key(b, 3));
	ck_assert_uint_ne(ns_note_key(a, 3), ns_note_key(a, 4));
	ck_assert_uint_eq(ns_note_key(a, 3), ns_note_key(a, 3));
}
END_TEST

START_TEST(engine_passes)
{
	struct ns_engine e;
	const struct ns_field *f = tu_field("dns.response_in");
	uint64_t v;
	ck_assert_int_eq(ns_engine_init(&e, 0), 0);
	/* a one-pass run: nothing written, nothing found */
	ns_engine_note(&e, 1, 4, f, 2);
	ck_assert_uint_eq(e.notes.n, 0);
	ck_assert_int_eq(ns_engine_noted(&e, 1, 4, f, &v), 0);
	/* pass 1 writes, but does not read what it cannot know in order */
	e.pass = 1;
	ns_engine_note(&e, 1, 4, f, 2);
	ns_engine_note(&e, 1, 5, f, 3);
	ck_assert_uint_eq(e.notes.n, 2);
	ck_assert_int_eq(ns_engine_noted(&e, 1, 4, f, &v), 0);
	/* pass 2 reads and does not write */
	e.pass = 2;
	ns_engine_note(&e, 7, 4, f, 8);
	ck_assert_uint_eq(e.notes.n, 2);
	ck_assert_int_eq(ns_engine_noted(&e, 1, 4, f, &v), 1);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(ns_engine_noted(&e, 1, 5, f, &v), 1);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(ns_engine_noted(&e, 1, 6, f, &v), 0);
	ck_assert_int_eq(ns_engine_noted(NULL, 1, 4, f, &v), 0);
	ns_engine_note(NULL, 1, 4, f, 2); /* no engine: stateless, no-op */
	ns_engine_finish(&e);
	ck_assert_ptr_null(e.notes.v);
}
END_TEST

static char *report(const struct ns_engine *e)
{
	static char out[1024];
	FILE *fp = fmemopen(out, sizeof(out), "w");
	ck_assert_ptr_nonnull(fp);
	ns_engine_report(e, fp, 0);
	fclose(fp);
	return out;
}

START_TEST(engine_reports_drops)
{
	struct ns_engine e;
	const struct ns_field *f = tu_field("dns.response_in");
	ck_assert_int_eq(ns_engine_init(&e, 0), 0);
	e.notes.max = 2;
	e.pass = 1;
	ck_assert_str_eq(report(&e), "");
	for (uint64_t n = 1; n <= 5; n++)
		ns_engine_note(&e, n, 4, f, n + 1);
	ck_assert_uint_eq(e.notes.dropped, 3);
	ns_engine_finish(&e);
	/* after the run, as main.c prints it */
	ck_assert_str_eq(report(&e),
			 "netscope: -2: 3 notes about earlier frames dropped "
			 "at the cap of 2 (fields such as dns.response_in are "
			 "missing where they were due)\n");
}
END_TEST

static void no_op(void *ctx, const struct ns_event *ev)
{
	(void)ctx;
	(void)ev;
}

/* The fields the packets' readers name: their union, unless one of them
 * reads every field; other subscribers do not count. */
START_TEST(bus_packet_fields)
{
	struct ns_bus b;
	memset(&b, 0, sizeof(b));
	uint8_t a[4] = {1, 0, 0, 0}, c[3] = {0, 0, 1}, u[4];
	memset(u, 0, sizeof(u));
	ck_assert_int_eq(ns_bus_packet_fields(&b, u, 4), 0); /* none */
	ck_assert_int_eq(
	    ns_bus_subscribe(&b, NS_EV_BIT(NS_EV_CONN_END), no_op, NULL), 0);
	ck_assert_int_eq(ns_bus_subscribe_packets(&b, no_op, NULL, a, 4), 0);
	ck_assert_int_eq(ns_bus_subscribe_packets(&b, no_op, NULL, c, 3), 0);
	ck_assert(ns_bus_wants(&b, NS_EV_PACKET));
	ck_assert_int_eq(ns_bus_packet_fields(&b, u, 4), 0);
	ck_assert_int_eq(memcmp(u, (uint8_t[]){1, 0, 1, 0}, 4), 0);
	ck_assert_int_eq(
	    ns_bus_subscribe(&b, NS_EV_BIT(NS_EV_PACKET), no_op, NULL), 0);
	ck_assert_int_eq(ns_bus_packet_fields(&b, u, 4), -1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tu_tcase("notes");
	tcase_add_test(tc, insert_lookup);
	tcase_add_test(tc, overwrite);
	tcase_add_test(tc, cap);
	tcase_add_test(tc, cap_squeezes_duplicates);
	tcase_add_test(tc, growth);
	tcase_add_test(tc, keys);
	suite_add_tcase(s, tc);
	tc = tu_tcase("engine");
	tcase_add_test(tc, engine_passes);
	tcase_add_test(tc, engine_reports_drops);
	tcase_add_test(tc, bus_packet_fields);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
