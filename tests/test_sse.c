/*
 * test_sse — the text/event-stream parser shared by every transport
 * (src/proto/ssemsg.c), against the WHATWG rules for interpreting an event
 * stream.
 *
 * The contract under test: lines end in CRLF, LF or CR, and a stream fed
 * in pieces split at any offset (a CR at the end of a piece and its LF at
 * the start of the next included) gives the same events as in one piece;
 * "field: value" loses one leading space; comments are items, not events;
 * data lines are joined with LF; a blank line dispatches only an event
 * with data; retry only when all digits; an id with a NUL is ignored and
 * an id outlives its event; "[DONE]" marks the stream done; a leading BOM
 * is skipped; an event past NS_SSE_MAX_EVENT is cut and counted; after
 * lost bytes nothing is dispatched before a blank line; the call's counts,
 * first-event time and gaps follow the capture times given.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/mem.h"
#include "core/txn.h"
#include "proto/ssemsg.h"

/* A stream as the parser sees it, and what it told. */
struct tstream {
	struct ns_call c;
	struct ns_sse_dec d;
	struct ns_sse_events e;
	unsigned published;
	/* each event's type, id and data, as "type|id|data" */
	char got[16][256];
	unsigned ngot;
};

static void on_event(void *arg)
{
	struct tstream *t = arg;
	t->published++;
}

static void tinit(struct tstream *t)
{
	memset(t, 0, sizeof(*t));
	ns_call_init(&t->c);
}

/* Moves the collector's events into t->got and empties it. */
static void collect(struct tstream *t)
{
	for (unsigned i = 0; i < t->e.n; i++) {
		const struct ns_sse_item *it = &t->e.it[i];
		if (it->kind != NS_SSE_EVENT || t->ngot == 16)
			continue;
		const char *b = (const char *)it->bytes;
		snprintf(t->got[t->ngot++], sizeof(t->got[0]), "%.*s|%.*s|%.*s",
			 it->type_len, b, it->id_len, b + it->type_len,
			 (int)it->len, b + it->type_len + it->id_len);
	}
	ns_sse_events_free(&t->e);
}

static void feed(struct tstream *t, int64_t ts, const char *s, size_t n)
{
	ns_sse_body(&t->c, &t->d, &t->e, ts, (const uint8_t *)s, n, on_event,
		    t);
	collect(t);
}

static void tfree(struct tstream *t)
{
	ns_sse_dec_reset(&t->d);
	ns_sse_events_free(&t->e);
}

/* Three events, a comment, a retry: with every line end there is. */
static const char *const streams[] = {
    ": hello\n\nretry: 3000\nid: 1\nevent: token\ndata: {\"t\": \"a\"}\n\n"
    "id: 2\ndata:two\ndata:  lines\n\ndata: [DONE]\n\n",
    ": hello\r\n\r\nretry: 3000\r\nid: 1\r\nevent: token\r\n"
    "data: {\"t\": \"a\"}\r\n\r\nid: 2\r\ndata:two\r\ndata:  lines\r\n\r\n"
    "data: [DONE]\r\n\r\n",
    ": hello\r\rretry: 3000\rid: 1\revent: token\rdata: {\"t\": \"a\"}\r\r"
    "id: 2\rdata:two\rdata:  lines\r\rdata: [DONE]\r\r",
};

static void check_three(struct tstream *t)
{
	ck_assert_uint_eq(t->ngot, 3);
	ck_assert_str_eq(t->got[0], "token|1|{\"t\": \"a\"}");
	ck_assert_str_eq(t->got[1], "|2|two\n lines");
	ck_assert_str_eq(t->got[2], "|2|[DONE]"); /* the id stays */
	ck_assert_uint_eq(t->c.sse.events, 3);
	ck_assert_uint_eq(t->published, 3);
	ck_assert_int_eq(t->c.sse.done, 1);
	ck_assert_int_eq(t->c.sse.retry, 3000);
}

START_TEST(line_ends_split_at_every_offset)
{
	const char *s = streams[_i];
	size_t n = strlen(s);
	for (size_t cut = 0; cut <= n; cut++) {
		struct tstream t;
		tinit(&t);
		feed(&t, 1, s, cut);
		feed(&t, 2, s + cut, n - cut);
		check_three(&t);
		tfree(&t);
	}
}
END_TEST

START_TEST(byte_by_byte)
{
	const char *s = streams[_i];
	struct tstream t;
	tinit(&t);
	for (size_t i = 0; s[i]; i++)
		feed(&t, 1, s + i, 1);
	check_three(&t);
	tfree(&t);
}
END_TEST

START_TEST(comments_and_retry_are_items)
{
	struct tstream t;
	tinit(&t);
	const char s[] = ":ping\n: pong\nretry: 12x\nretry:\nretry: 250\n\n";
	ns_sse_body(&t.c, &t.d, &t.e, 1, (const uint8_t *)s, sizeof(s) - 1,
		    on_event, &t);
	ck_assert_uint_eq(t.e.n, 3);
	ck_assert_uint_eq(t.e.it[0].kind, NS_SSE_COMMENT);
	ck_assert_uint_eq(t.e.it[0].len, 4);
	ck_assert_int_eq(memcmp(t.e.it[0].bytes, "ping", 4), 0);
	ck_assert_uint_eq(t.e.it[1].kind, NS_SSE_COMMENT);
	ck_assert_int_eq(memcmp(t.e.it[1].bytes, "pong", 4), 0);
	ck_assert_uint_eq(t.e.it[2].kind, NS_SSE_RETRY);
	ck_assert_uint_eq(t.e.it[2].retry, 250);
	ck_assert_int_eq(t.c.sse.retry, 250);
	/* a blank line with no data dispatches nothing */
	ck_assert_uint_eq(t.c.sse.events, 0);
	ck_assert_uint_eq(t.published, 0);
	tfree(&t);
}
END_TEST

START_TEST(field_rules)
{
	struct tstream t;
	tinit(&t);
	/* "data" alone is an empty data line: an event with empty data;
	 * an unknown field and an id holding a NUL are ignored; the event
	 * type is reset after each event; a leading BOM is skipped */
	const char s[] = "\xef\xbb\xbf"
			 "id: a\nevent: x\ndata\n\n"
			 "id: b\0c\nfoo: bar\ndata:y\n\n"
			 "event: z\n\n"
			 "data: no blank line at the end";
	feed(&t, 1, s, sizeof(s) - 1);
	ck_assert_uint_eq(t.ngot, 2);
	ck_assert_str_eq(t.got[0], "x|a|");
	ck_assert_str_eq(t.got[1], "|a|y");
	ck_assert_int_eq(t.c.sse.done, 0);
	ck_assert_int_eq(t.c.sse.retry, -1);
	/* the body ends: the event in progress is dropped */
	ns_sse_dec_reset(&t.d);
	ck_assert_uint_eq(t.c.sse.events, 2);
	tfree(&t);
}
END_TEST

START_TEST(done_only_when_exact)
{
	struct tstream t;
	tinit(&t);
	feed(&t, 1, "data: [DONE] \n\ndata:[DONE]x\n\n", 29);
	ck_assert_uint_eq(t.c.sse.events, 2);
	ck_assert_int_eq(t.c.sse.done, 0);
	feed(&t, 2, "data:[DONE]\n\n", 13);
	ck_assert_int_eq(t.c.sse.done, 1);
	tfree(&t);
}
END_TEST

START_TEST(times_and_gaps)
{
	struct tstream t;
	tinit(&t);
	t.c.t_req = 1000;
	feed(&t, 5000, "data: 1\n\ndata: 2\n", 17); /* the second not yet */
	ck_assert_int_eq(t.c.sse.t_first_event, 5000);
	feed(&t, 9000, "\n", 1);
	feed(&t, 10000, "data: 3\n\n", 9);
	ck_assert_uint_eq(t.c.sse.events, 3);
	ck_assert_int_eq(t.c.sse.t_last_event, 10000);
	ck_assert_int_eq(t.c.sse.gap_sum, 5000);
	ck_assert_int_eq(t.c.sse.gap_max, 4000);
	tfree(&t);
}
END_TEST

START_TEST(cap_cuts_an_event)
{
	struct ns_mem m = {.cap = 0};
	struct tstream t;
	tinit(&t);
	t.e.mem = &m;
	size_t n = NS_SSE_MAX_EVENT + 5000;
	char *big = malloc(n);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', n);
	feed(&t, 1, "data: ", 6);
	feed(&t, 1, big, n / 2); /* a line longer than the cap, in pieces */
	feed(&t, 1, big, n - n / 2);
	feed(&t, 1, "\ndata: more\n\nid: 9\ndata: next\n\n", 31);
	/* the line and data buffers hold at most the cap each, the item
	 * the event became as much again */
	ck_assert_uint_le(m.peak, 3 * NS_SSE_MAX_EVENT + 4096);
	ck_assert_uint_eq(t.c.sse.events, 2);
	ck_assert_uint_eq(t.c.sse.truncated, 1);
	ck_assert_str_eq(t.got[1], "|9|next");
	/* the cut event: its start kept, its length known */
	ns_sse_body(&t.c, &t.d, &t.e, 2, (const uint8_t *)"data: a\ndata: ", 14,
		    NULL, NULL);
	ns_sse_body(&t.c, &t.d, &t.e, 2, (const uint8_t *)big, n, NULL, NULL);
	ns_sse_body(&t.c, &t.d, &t.e, 2, (const uint8_t *)"\n\n", 2, NULL,
		    NULL);
	ck_assert_uint_eq(t.e.n, 1);
	ck_assert_uint_eq(t.e.it[0].truncated, 1);
	ck_assert_uint_le(t.e.it[0].len, NS_SSE_MAX_EVENT);
	ck_assert_uint_eq(t.e.it[0].total, 2 + n); /* "a\n" and the x's */
	ck_assert_uint_eq(t.e.it[0].id_len, 1);	   /* "9" still */
	ck_assert_int_eq(memcmp(t.e.it[0].bytes, "9a\nxxx", 6), 0);
	free(big);
	tfree(&t);
	ck_assert_uint_eq(m.used, 0);
}
END_TEST

START_TEST(budget_refusal_keeps_going)
{
	struct ns_mem m = {.cap = 1}; /* refuses everything */
	struct tstream t;
	tinit(&t);
	t.e.mem = &m;
	feed(&t, 1, "id: 1\ndata: hello\n\ndata: [DONE]\n\n", 33);
	/* counted and timed, though nothing could be kept */
	ck_assert_uint_eq(t.c.sse.events, 2);
	ck_assert_int_eq(t.c.sse.done, 0); /* its data was not kept */
	ck_assert_uint_eq(t.ngot, 0);
	ck_assert_uint_gt(m.refused, 0);
	tfree(&t);
}
END_TEST

START_TEST(lost_bytes_resync_at_a_blank_line)
{
	struct tstream t;
	tinit(&t);
	feed(&t, 1, "id: 1\ndata: a\n\ndata: b", 22);
	ns_sse_dec_lost(&t.d);
	/* the rest of a line, then a whole event that is dropped since its
	 * start is unknown, then a clean one */
	feed(&t, 2, "cdef\ndata: g\n\nid: 3\ndata: h\n\n", 30);
	ck_assert_uint_eq(t.ngot, 2);
	ck_assert_str_eq(t.got[0], "|1|a");
	ck_assert_str_eq(t.got[1], "|3|h");
	tfree(&t);
}
END_TEST

START_TEST(items_lost_past_the_limit)
{
	struct tstream t;
	tinit(&t);
	char s[4 * (NS_SSE_MAX_ITEMS + 3) + 1];
	for (unsigned i = 0; i < NS_SSE_MAX_ITEMS + 3; i++)
		memcpy(s + 4 * i, "d:\n\n", 4);
	s[sizeof(s) - 1] = 0;
	ns_sse_body(&t.c, &t.d, &t.e, 1, (const uint8_t *)s, sizeof(s) - 1,
		    on_event, &t);
	/* "d" is not a field: nothing; now with data */
	ck_assert_uint_eq(t.e.n, 0);
	for (unsigned i = 0; i < NS_SSE_MAX_ITEMS + 3; i++)
		ns_sse_body(&t.c, &t.d, &t.e, 1, (const uint8_t *)"data\n\n", 6,
			    on_event, &t);
	ck_assert_uint_eq(t.e.n, NS_SSE_MAX_ITEMS);
	ck_assert_uint_eq(t.e.lost, 3);
	ck_assert_uint_eq(t.c.sse.events, NS_SSE_MAX_ITEMS + 3);
	ck_assert_uint_eq(t.published, NS_SSE_MAX_ITEMS + 3);
	tfree(&t);
}
END_TEST

START_TEST(content_types)
{
	ck_assert(
	    ns_sse_content_type((const uint8_t *)"text/event-stream", 17));
	ck_assert(ns_sse_content_type(
	    (const uint8_t *)"Text/Event-Stream; charset=utf-8", 32));
	ck_assert(
	    !ns_sse_content_type((const uint8_t *)"text/event-streams", 18));
	ck_assert(!ns_sse_content_type((const uint8_t *)"text/event", 10));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sse");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, line_ends_split_at_every_offset, 0, 3);
	tcase_add_loop_test(tc, byte_by_byte, 0, 3);
	tcase_add_test(tc, comments_and_retry_are_items);
	tcase_add_test(tc, field_rules);
	tcase_add_test(tc, done_only_when_exact);
	tcase_add_test(tc, times_and_gaps);
	tcase_add_test(tc, cap_cuts_an_event);
	tcase_add_test(tc, budget_refusal_keeps_going);
	tcase_add_test(tc, lost_bytes_resync_at_a_blank_line);
	tcase_add_test(tc, items_lost_past_the_limit);
	tcase_add_test(tc, content_types);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
