/*
 * test_grpcmsg — the gRPC message framing shared by HTTP/2 and gRPC-Web
 * over HTTP/1.1 (src/proto/grpcmsg.c).
 *
 * The contract under test: a body fed in pieces of any size (messages
 * spanning pieces, a piece ending inside a 5-byte prefix) gives the same
 * events as the body in one piece; grpc-web-text base64 split at any
 * offset decodes the same, padding between frames included; the 0x80
 * frame of gRPC-Web is parsed as trailers (status, percent-decoded
 * message) and not counted as a message; a message longer than the cap
 * keeps only NS_GRPC_MAX_KEEP bytes; a length the body never reaches
 * makes no event; more events than a layer holds are counted as lost.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/txn.h"
#include "proto/grpcmsg.h"

/* A call as the framing sees it: what is known of it, and each side's
 * message in progress. */
struct tcall {
	struct ns_call c;
	struct ns_grpc_dec dec[2];
};

static void tinit(struct tcall *t)
{
	memset(t, 0, sizeof(*t));
	ns_call_init(&t->c);
}

static void tfree(struct tcall *t)
{
	ns_grpc_dec_reset(&t->dec[0]);
	ns_grpc_dec_reset(&t->dec[1]);
}

static void tbody(struct tcall *t, struct ns_grpc_events *e, int dir,
		  int64_t ts, const uint8_t *p, size_t n)
{
	ns_grpc_body(&t->c, &t->dec[dir], e, dir, ts, p, n);
}

static size_t put_frame(uint8_t *out, uint8_t flag, const char *payload,
			size_t n)
{
	out[0] = flag;
	out[1] = (uint8_t)(n >> 24);
	out[2] = (uint8_t)(n >> 16);
	out[3] = (uint8_t)(n >> 8);
	out[4] = (uint8_t)n;
	memcpy(out + 5, payload, n);
	return 5 + n;
}

static const char trailer[] =
    "grpc-status: 5\r\ngrpc-message:model%20not%20found\r\n";

/* Two messages (one empty) and a trailers frame. */
static size_t sample(uint8_t *out)
{
	size_t n = put_frame(out, 0, "\x0a\x03web", 5);
	n += put_frame(out + n, 0, "", 0);
	n += put_frame(out + n, 0x80, trailer, sizeof(trailer) - 1);
	return n;
}

static void web_call(struct tcall *c, const char *ctype)
{
	tinit(c);
	ns_grpc_header(&c->c, 1, (const uint8_t *)"Content-Type", 12,
		       (const uint8_t *)ctype, strlen(ctype));
}

static void check_sample(struct tcall *c, struct ns_grpc_events *e)
{
	ck_assert_uint_eq(e->nev, 3);
	ck_assert_uint_eq(e->ev[0].len, 5);
	ck_assert_uint_eq(e->ev[0].kept, 5);
	ck_assert(memcmp(e->ev[0].bytes, "\x0a\x03web", 5) == 0);
	ck_assert_uint_eq(e->ev[1].len, 0);
	ck_assert_uint_eq(e->ev[2].flags, 0x80);
	ck_assert_uint_eq(e->ev[2].len, sizeof(trailer) - 1);
	ck_assert_uint_eq(c->c.msgs[1], 2); /* the trailers are not a message */
	ck_assert_uint_eq(c->c.msg_bytes[1], 5);
	ck_assert_int_eq(c->c.grpc_status, 5);
	ck_assert_str_eq(c->c.grpc_msg, "model not found");
}

/* A reset's meaning: CANCEL from the client past 90% of its
 * grpc-timeout is DEADLINE_EXCEEDED, also for spans that would overflow
 * a multiplication (found by fuzz/fuzz_read). */
START_TEST(reset_status_at_the_deadline)
{
	struct ns_call c;
	ns_call_init(&c);
	c.end = NS_CALL_RESET;
	c.rst_by = 0;
	c.rst_error = 8; /* CANCEL */
	c.timeout = 100000000;
	c.t_req = 0;
	c.t_end = 89999999;
	ck_assert_int_eq(ns_grpc_call_status(&c), 1); /* CANCELLED */
	c.t_end = 90000000;
	ck_assert_int_eq(ns_grpc_call_status(&c), 4); /* DEADLINE_EXCEEDED */
	c.t_end = INT64_MAX / 2;
	ck_assert_int_eq(ns_grpc_call_status(&c), 4);
	c.timeout = INT64_MAX / 2;
	c.t_end = 1000;
	ck_assert_int_eq(ns_grpc_call_status(&c), 1);
}
END_TEST

START_TEST(split_at_every_offset)
{
	uint8_t body[256];
	size_t n = sample(body);
	for (size_t cut = 0; cut <= n; cut++) {
		struct tcall c;
		struct ns_grpc_events e = {0};
		web_call(&c, "application/grpc-web+proto");
		tbody(&c, &e, 1, 10, body, cut);
		tbody(&c, &e, 1, 20, body + cut, n - cut);
		check_sample(&c, &e);
		ns_grpc_events_free(&e);
		tfree(&c);
	}
}
END_TEST

START_TEST(byte_by_byte)
{
	uint8_t body[256];
	size_t n = sample(body);
	struct tcall c;
	struct ns_grpc_events e = {0};
	web_call(&c, "application/grpc-web");
	for (size_t i = 0; i < n; i++)
		tbody(&c, &e, 1, (int64_t)i, body + i, 1);
	check_sample(&c, &e);
	ck_assert_int_eq(c.c.t_first_msg, 9); /* the packet ending message 1 */
	ns_grpc_events_free(&e);
	tfree(&c);
}
END_TEST

static size_t b64(char *out, const uint8_t *p, size_t n)
{
	static const char d[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t k = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[k++] = d[v >> 18 & 63];
		out[k++] = d[v >> 12 & 63];
		out[k++] = i + 1 < n ? d[v >> 6 & 63] : '=';
		out[k++] = i + 2 < n ? d[v & 63] : '=';
	}
	return k;
}

START_TEST(text_split_at_every_offset)
{
	/* each frame encoded on its own: padding inside the body */
	uint8_t f[3][128];
	size_t fl[3];
	fl[0] = put_frame(f[0], 0, "\x0a\x03web", 5);
	fl[1] = put_frame(f[1], 0, "", 0);
	fl[2] = put_frame(f[2], 0x80, trailer, sizeof(trailer) - 1);
	char text[512];
	size_t n = 0;
	for (int i = 0; i < 3; i++)
		n += b64(text + n, f[i], fl[i]);
	ck_assert(memchr(text, '=', n) != NULL);
	for (size_t cut = 0; cut <= n; cut++) {
		struct tcall c;
		struct ns_grpc_events e = {0};
		web_call(&c, "application/grpc-web-text+proto");
		ck_assert(c.c.web_text);
		tbody(&c, &e, 1, 0, (const uint8_t *)text, cut);
		tbody(&c, &e, 1, 0, (const uint8_t *)text + cut, n - cut);
		check_sample(&c, &e);
		ns_grpc_events_free(&e);
		tfree(&c);
	}
}
END_TEST

START_TEST(trailers_only_in_headers)
{
	struct tcall c;
	tinit(&c);
	ns_grpc_header(&c.c, 1, (const uint8_t *)"grpc-status", 11,
		       (const uint8_t *)"12", 2);
	ns_grpc_header(&c.c, 1, (const uint8_t *)"grpc-message", 12,
		       (const uint8_t *)"bad%2", 5); /* a cut escape stays */
	ck_assert_int_eq(c.c.grpc_status, 12);
	ck_assert_str_eq(c.c.grpc_msg, "bad%2");
	ck_assert_str_eq(ns_grpc_status_name(c.c.grpc_status), "UNIMPLEMENTED");
	ck_assert_ptr_null(ns_grpc_status_name(99));
	tfree(&c);
}
END_TEST

START_TEST(flag_0x80_without_web_is_a_message)
{
	uint8_t body[128];
	size_t n = put_frame(body, 0x80, trailer, sizeof(trailer) - 1);
	struct tcall c;
	struct ns_grpc_events e = {0};
	web_call(&c, "application/grpc");
	tbody(&c, &e, 1, 0, body, n);
	ck_assert_uint_eq(e.nev, 1);
	ck_assert_uint_eq(c.c.msgs[1], 1);
	ck_assert_int_eq(c.c.grpc_status, -1);
	ns_grpc_events_free(&e);
	tfree(&c);
}
END_TEST

START_TEST(length_never_reached)
{
	/* a length of 4 GiB - 1: the message never completes, nothing kept
	 * beyond the cap, no event; a gap drops it */
	uint8_t body[5 + 64] = {0, 0xff, 0xff, 0xff, 0xff};
	struct tcall c;
	struct ns_grpc_events e = {0};
	web_call(&c, "application/grpc-web");
	tbody(&c, &e, 0, 0, body, sizeof(body));
	ck_assert_uint_eq(e.nev, 0);
	ck_assert_uint_eq(c.dec[0].got, 64);
	ns_grpc_dec_reset(&c.dec[0]);
	ck_assert_ptr_null(c.dec[0].buf);
	ck_assert_uint_eq(c.dec[0].hlen, 0);
	tfree(&c);
}
END_TEST

START_TEST(cap_overflow)
{
	uint32_t len = NS_GRPC_MAX_KEEP + 1000;
	uint8_t *body = calloc(1, 5 + (size_t)len);
	ck_assert_ptr_nonnull(body);
	body[1] = (uint8_t)(len >> 24);
	body[2] = (uint8_t)(len >> 16);
	body[3] = (uint8_t)(len >> 8);
	body[4] = (uint8_t)len;
	struct tcall c;
	struct ns_grpc_events e = {0};
	web_call(&c, "application/grpc-web");
	for (size_t i = 0; i < 5 + (size_t)len; i += 4096) {
		size_t k =
		    5 + (size_t)len - i < 4096 ? 5 + (size_t)len - i : 4096;
		tbody(&c, &e, 0, 0, body + i, k);
	}
	ck_assert_uint_eq(e.nev, 1);
	ck_assert_uint_eq(e.ev[0].len, len);
	ck_assert_uint_eq(e.ev[0].kept, NS_GRPC_MAX_KEEP);
	ck_assert_uint_eq(c.c.msg_bytes[0], len);
	ns_grpc_events_free(&e);
	tfree(&c);
	free(body);
}
END_TEST

START_TEST(events_lost_past_the_limit)
{
	uint8_t body[5 * (NS_GRPC_MAX_EVENTS + 3)] = {0};
	struct tcall c;
	struct ns_grpc_events e = {0};
	web_call(&c, "application/grpc-web");
	tbody(&c, &e, 0, 0, body, sizeof(body));
	ck_assert_uint_eq(e.nev, NS_GRPC_MAX_EVENTS);
	ck_assert_uint_eq(e.lost, 3);
	ck_assert_uint_eq(c.c.msgs[0], NS_GRPC_MAX_EVENTS + 3);
	ns_grpc_events_free(&e);
	ck_assert_uint_eq(e.nev, 0);
	tfree(&c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("grpcmsg");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, reset_status_at_the_deadline);
	tcase_add_test(tc, split_at_every_offset);
	tcase_add_test(tc, byte_by_byte);
	tcase_add_test(tc, text_split_at_every_offset);
	tcase_add_test(tc, trailers_only_in_headers);
	tcase_add_test(tc, flag_0x80_without_web_is_a_message);
	tcase_add_test(tc, length_never_reached);
	tcase_add_test(tc, cap_overflow);
	tcase_add_test(tc, events_lost_past_the_limit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
