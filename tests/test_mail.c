/*
 * test_mail — the STARTTLS side of SMTP, IMAP and POP3
 * (dissectors/app/mail.c): the connection goes to the heuristics
 * (ns_stream_reprobe) right after the server's go-ahead and not before, a
 * refusal keeps it in the protocol, IMAP waits for the answer that bears
 * its command's tag (untagged lines before it do not count), lines cut
 * anywhere wait for their end, and an endless line ends the dissection.
 * XMPP (dissectors/app/xmpp.c): the server's <proceed/> after the
 * client's <starttls/> starts TLS, the starttls the server offers in its
 * features does not, XML cut before its '>' waits.
 * The fields against tshark's are checked by tests/connect.sh.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "core/dissect.h"
#include "flow/stream.h"

extern struct ns_dissector ns_diss_smtp, ns_diss_imap, ns_diss_pop,
    ns_diss_xmpp;

struct conn {
	const struct ns_dissector *d;
	struct ns_stream st;
	void *state;
};

static void conn_open(struct conn *c, const struct ns_dissector *d)
{
	memset(c, 0, sizeof(*c));
	c->d = d;
	c->state = calloc(1, d->stream->state_size);
	ck_assert_ptr_nonnull(c->state);
}

static size_t say(struct conn *c, int dir, const char *text)
{
	struct ns_stream_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.st = &c->st;
	ctx.dir = dir;
	return c->d->stream->consume(c->state, &ctx, (const uint8_t *)text,
				     strlen(text));
}

START_TEST(smtp_upgrade)
{
	struct conn c;
	conn_open(&c, &ns_diss_smtp);
	say(&c, 1, "220 hi\r\n");
	say(&c, 0, "EHLO x\r\n");
	say(&c, 1, "250-x\r\n250 STARTTLS\r\n");
	ck_assert_int_eq(c.st.reprobe, 0);
	/* a line cut short waits */
	ck_assert_uint_eq(say(&c, 0, "START"), 0);
	ck_assert_uint_eq(say(&c, 0, "STARTTLS\r\n"), 10);
	ck_assert_int_eq(c.st.reprobe, 0);
	/* the go-ahead, and what follows it is left for the heuristics */
	ck_assert_uint_eq(say(&c, 1, "220 go ahead\r\n\x16\x03\x01"), 14);
	ck_assert_int_eq(c.st.reprobe, 1);
	free(c.state);
	/* refused: no TLS */
	conn_open(&c, &ns_diss_smtp);
	say(&c, 0, "STARTTLS\r\n");
	say(&c, 1, "454 TLS not available\r\n");
	say(&c, 1, "220 not an answer to it\r\n");
	ck_assert_int_eq(c.st.reprobe, 0);
	free(c.state);
}
END_TEST

START_TEST(imap_waits_for_its_tag)
{
	struct conn c;
	conn_open(&c, &ns_diss_imap);
	say(&c, 0, "a1 STARTTLS\r\n");
	say(&c, 1, "* OK untagged first\r\n");
	say(&c, 1, "b2 OK another command's\r\n");
	ck_assert_int_eq(c.st.reprobe, 0);
	say(&c, 0, "a3 STARTTLS\r\n");
	say(&c, 1, "a3 NO not now\r\n");
	ck_assert_int_eq(c.st.reprobe, 0);
	say(&c, 0, "a4 STARTTLS\r\n");
	say(&c, 1, "a4 OK Begin TLS\r\n");
	ck_assert_int_eq(c.st.reprobe, 1);
	free(c.state);
}
END_TEST

START_TEST(pop_stls)
{
	struct conn c;
	conn_open(&c, &ns_diss_pop);
	say(&c, 1, "+OK ready\r\n");
	say(&c, 0, "STLS\r\n");
	say(&c, 1, "-ERR no\r\n");
	ck_assert_int_eq(c.st.reprobe, 0);
	say(&c, 0, "stls\r\n"); /* commands are case-insensitive */
	say(&c, 1, "+OK go\r\n");
	ck_assert_int_eq(c.st.reprobe, 1);
	free(c.state);
}
END_TEST

START_TEST(endless_line)
{
	struct conn c;
	conn_open(&c, &ns_diss_smtp);
	char *big = malloc(10000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 9999);
	big[9999] = 0;
	ck_assert_uint_eq(say(&c, 0, big), 9999); /* taken, not read */
	ck_assert_uint_eq(say(&c, 0, "STARTTLS\r\n"), 10);
	say(&c, 1, "220 go\r\n");
	ck_assert_int_eq(c.st.reprobe, 0);
	free(big);
	free(c.state);
}
END_TEST

START_TEST(xmpp_proceed)
{
	struct conn c;
	conn_open(&c, &ns_diss_xmpp);
	say(&c, 0, "<?xml version='1.0'?><stream:stream to='x' version='1.0'>");
	/* the offer in the features is no request */
	say(&c, 1,
	    "<stream:stream from='x'><stream:features><starttls "
	    "xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
	    "</stream:features>");
	ck_assert_uint_eq(say(&c, 1, "<proceed xmlns='x'/>"), 20);
	ck_assert_int_eq(c.st.reprobe, 0);
	/* cut before its '>': waits */
	ck_assert_uint_eq(say(&c, 0, "<starttls xmlns='x'/"), 0);
	ck_assert_uint_eq(say(&c, 0, "<starttls xmlns='x'/>"), 21);
	ck_assert_int_eq(c.st.reprobe, 0);
	ck_assert_uint_eq(say(&c, 1, "<proceed xmlns='x'/>"), 20);
	ck_assert_int_eq(c.st.reprobe, 1);
	free(c.state);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mail");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, smtp_upgrade);
	tcase_add_test(tc, imap_waits_for_its_tag);
	tcase_add_test(tc, pop_stls);
	tcase_add_test(tc, endless_line);
	tcase_add_test(tc, xmpp_proceed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
