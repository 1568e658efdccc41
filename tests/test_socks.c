/*
 * test_socks — the SOCKS5 dissector's stream side (dissectors/app/socks.c):
 * the probe (a greeting, whole and alone, only at a connection's start),
 * and the exchange in lock step to the tunnel: a successful CONNECT hands
 * the connection back to the heuristics (ns_stream_reprobe), a failed one
 * or an unsupported method ends it, messages cut anywhere wait for their
 * rest, and garbage is refused.  The fields against tshark's are checked
 * by tests/connect.sh on a real capture.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/dissect.h"
#include "flow/stream.h"

extern struct ns_dissector ns_diss_socks;

static const struct ns_stream_ops *ops(void)
{
	return ns_diss_socks.stream;
}

START_TEST(probe)
{
	static const uint8_t hello[] = {5, 2, 0, 2};
	ck_assert_int_eq(ops()->probe(hello, 4, 0, 1), 1);
	ck_assert_int_eq(ops()->probe(hello, 3, 0, 1), -1); /* more to come */
	ck_assert_int_eq(ops()->probe(hello, 1, 0, 1), -1);
	ck_assert_int_eq(ops()->probe(hello, 4, 0, 0), 0); /* mid-stream */
	ck_assert_int_eq(ops()->probe(hello, 4, 1, 1), 0); /* the server's */
	static const uint8_t more[] = {5, 1, 0, 'G'};
	ck_assert_int_eq(ops()->probe(more, 4, 0, 1), 0); /* not alone */
	static const uint8_t v4[] = {4, 1, 0, 80};
	ck_assert_int_eq(ops()->probe(v4, 4, 0, 1), 0);
	static const uint8_t odd[] = {5, 1, 0x42};
	ck_assert_int_eq(ops()->probe(odd, 3, 0, 1), 0); /* no such method */
	static const uint8_t get[] = "GET / HTTP/1.1\r\n";
	ck_assert_int_eq(ops()->probe(get, sizeof(get) - 1, 0, 1), 0);
}
END_TEST

struct conn {
	struct ns_stream st;
	void *state;
};

static void conn_open(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->state = calloc(1, ops()->state_size);
	ck_assert_ptr_nonnull(c->state);
}

/* Offers bytes one way as the stream layer does: whatever is not used is
 * offered again with the next piece.  Returns what was used in all. */
static size_t feed(struct conn *c, int dir, const uint8_t *p, size_t n)
{
	struct ns_stream_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.st = &c->st;
	ctx.dir = dir;
	return ops()->consume(c->state, &ctx, p, n);
}

static const uint8_t greet[] = {5, 1, 0};
static const uint8_t choice[] = {5, 0};
static const uint8_t req[] = {5, 1, 0, 3, 3, 'a', '.', 'b', 0x01, 0xbb};
static const uint8_t ok[] = {5, 0, 0, 1, 127, 0, 0, 1, 0xc1, 0x10};

START_TEST(connect_opens_a_tunnel)
{
	struct conn c;
	conn_open(&c);
	ck_assert_uint_eq(feed(&c, 0, greet, 3), 3);
	ck_assert_uint_eq(feed(&c, 1, choice, 2), 2);
	/* the request cut anywhere waits for its rest */
	for (size_t k = 0; k < sizeof(req); k++)
		ck_assert_uint_eq(feed(&c, 0, req, k), 0);
	ck_assert_uint_eq(feed(&c, 0, req, sizeof(req)), sizeof(req));
	ck_assert_int_eq(c.st.reprobe, 0);
	ck_assert_uint_eq(feed(&c, 1, ok, sizeof(ok)), sizeof(ok));
	ck_assert_int_eq(c.st.reprobe, 1); /* the tunnel's bytes go on */
	free(c.state);
}
END_TEST

START_TEST(username_password)
{
	struct conn c;
	conn_open(&c);
	static const uint8_t g[] = {5, 1, 2}, ch[] = {5, 2};
	static const uint8_t auth[] = {1, 2, 'm', 'e', 3, 'p', 'w', 'd'};
	static const uint8_t st[] = {1, 0};
	feed(&c, 0, g, 3);
	feed(&c, 1, ch, 2);
	ck_assert_uint_eq(feed(&c, 0, auth, sizeof(auth) - 1), 0);
	ck_assert_uint_eq(feed(&c, 0, auth, sizeof(auth)), sizeof(auth));
	ck_assert_uint_eq(feed(&c, 1, st, 2), 2);
	feed(&c, 0, req, sizeof(req));
	feed(&c, 1, ok, sizeof(ok));
	ck_assert_int_eq(c.st.reprobe, 1);
	free(c.state);
}
END_TEST

START_TEST(failures_end_it)
{
	struct conn c;
	/* a refused CONNECT: no tunnel, the rest is not SOCKS */
	conn_open(&c);
	feed(&c, 0, greet, 3);
	feed(&c, 1, choice, 2);
	feed(&c, 0, req, sizeof(req));
	static const uint8_t refused[] = {5, 5, 0, 1, 0, 0, 0, 0, 0, 0};
	ck_assert_uint_eq(feed(&c, 1, refused, sizeof(refused)),
			  sizeof(refused));
	ck_assert_int_eq(c.st.reprobe, 0);
	ck_assert_uint_eq(feed(&c, 0, greet, 3), 3); /* taken, not read */
	free(c.state);
	/* GSSAPI chosen: not followed */
	conn_open(&c);
	static const uint8_t gss[] = {5, 1};
	feed(&c, 0, greet, 3);
	feed(&c, 1, gss, 2);
	feed(&c, 0, req, sizeof(req));
	feed(&c, 1, ok, sizeof(ok));
	ck_assert_int_eq(c.st.reprobe, 0);
	free(c.state);
	/* garbage where a request should be */
	conn_open(&c);
	feed(&c, 0, greet, 3);
	feed(&c, 1, choice, 2);
	static const uint8_t junk[] = {7, 7, 7, 7, 7, 7};
	ck_assert_uint_eq(feed(&c, 0, junk, sizeof(junk)), sizeof(junk));
	feed(&c, 1, ok, sizeof(ok));
	ck_assert_int_eq(c.st.reprobe, 0);
	free(c.state);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("socks");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, probe);
	tcase_add_test(tc, connect_opens_a_tunnel);
	tcase_add_test(tc, username_password);
	tcase_add_test(tc, failures_end_it);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
