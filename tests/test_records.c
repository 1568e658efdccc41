/*
 * test_records — the transaction records writer (output/records.c) fed
 * events by hand on an engine's bus: one flat JSON line per finished
 * transaction with the common fields; unknown values left out; strings
 * escaped whatever their bytes; payload only when asked, and cut at the
 * per-call bound with payload_truncated; a name that is an input refused.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "core/body.h"
#include "core/engine.h"
#include "core/event.h"
#include "core/field.h"
#include "core/txn.h"
#include "flow/flow.h"
#include "output/records.h"

static char path[64];

/* An engine with records to a temporary file. */
static struct ns_records *start(struct ns_engine *e, int payload)
{
	ns_registry_init();
	ck_assert_int_eq(ns_engine_init(e, 0), 0);
	snprintf(path, sizeof(path), "/tmp/test_records.XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct ns_records_opts o;
	memset(&o, 0, sizeof(o));
	o.wo.path = path;
	o.sensor = "s1";
	o.payload = payload;
	char err[256];
	struct ns_records *r = ns_records_start(e, &o, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	return r;
}

/* Closes, and returns the file's text (free it). */
static char *finish(struct ns_engine *e, struct ns_records *r)
{
	char err[256];
	ck_assert_int_eq(ns_records_close(r, 1, err, sizeof(err)), 0);
	ns_engine_finish(e);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	unlink(path);
	return strdup(buf);
}

static void flow_init(struct ns_flow *f)
{
	memset(f, 0, sizeof(*f));
	f->key.family = 4;
	f->key.proto = 6;
	f->key.port[0] = 41234;
	f->key.port[1] = 50051;
	memcpy(f->key.addr[0], "\x0a\x00\x00\x01", 4);
	memcpy(f->key.addr[1], "\x0a\x00\x00\x02", 4);
	f->index = 7;
	f->first_ts = 1700000000123456789LL;
	f->last_ts = f->first_ts + 2500000000LL;
	f->pkts[0] = 3;
	f->bytes[0] = 300;
}

static void publish(struct ns_engine *e, enum ns_ev_type t,
		    const struct ns_flow *f, const struct ns_call *c,
		    const struct ns_hdr *h, unsigned nh)
{
	struct ns_event ev = {.type = t,
			      .flow = f,
			      .ts = f->last_ts,
			      .u.call = c,
			      .hdr = h,
			      .nhdr = nh};
	ns_bus_publish(&e->bus, &ev);
}

START_TEST(conn_and_grpc_lines)
{
	struct ns_engine e;
	struct ns_records *r = start(&e, 0);
	struct ns_flow f;
	flow_init(&f);
	publish(&e, NS_EV_CONN_OPEN, &f, NULL, NULL, 0);
	struct ns_call c;
	ns_call_init(&c);
	c.conn_uid = ns_flow_uid(&f);
	c.id = 3;
	c.version = 2;
	c.grpc = 1;
	c.end = NS_CALL_ENDED;
	snprintf(c.path, sizeof(c.path), "/pkg.Svc/Get");
	/* a message with a quote, a newline and a byte that is not UTF-8 */
	snprintf(c.grpc_msg, sizeof(c.grpc_msg), "bad \"x\"\n\xff");
	c.grpc_status = 5;
	c.t_req = f.first_ts;
	c.t_end = f.first_ts + 1500000;
	publish(&e, NS_EV_HTTP_END, &f, &c, NULL, 0);
	struct ns_event end = {
	    .type = NS_EV_CONN_END, .flow = &f, .ts = f.last_ts};
	ns_bus_publish(&e.bus, &end);
	ck_assert_uint_eq(ns_records_count(r), 2);
	char *out = finish(&e, r);
	char *nl = strchr(out, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = 0;
	ck_assert_str_eq(
	    out,
	    "{\"ts\":1700000000.123456789,\"record\":\"grpc\","
	    "\"schema_version\":1,\"sensor\":\"s1\",\"uid\":\"T1700000000-7\","
	    "\"proto\":\"tcp\",\"stream\":7,\"id.orig_h\":\"10.0.0.1\","
	    "\"id.orig_p\":41234,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":"
	    "50051,\"method\":\"pkg.Svc/Get\",\"version\":\"2\","
	    "\"stream_id\":3,\"end\":\"ended\",\"status\":5,"
	    "\"status_name\":\"NOT_FOUND\",\"message\":\"bad "
	    "\\\"x\\\"\\n\\\\xff\","
	    "\"latency\":0.001500000,\"request_messages\":0,"
	    "\"response_messages\":0,\"request_bytes\":0,\"response_bytes\":0,"
	    "\"web\":0}");
	/* the conn record: no rtt or TCP fields without TCP state; the
	 * service is what its calls said */
	ck_assert_ptr_nonnull(strstr(nl + 1, "\"record\":\"conn\""));
	ck_assert_ptr_nonnull(strstr(nl + 1, "\"duration\":2.500000000"));
	ck_assert_ptr_nonnull(strstr(nl + 1, "\"service\":\"http2,grpc\""));
	ck_assert_ptr_null(strstr(nl + 1, "\"rtt\""));
	ck_assert_ptr_null(strstr(out, "payload"));
	free(out);
}
END_TEST

START_TEST(payload_bounded)
{
	struct ns_engine e;
	struct ns_records *r = start(&e, 1);
	struct ns_flow f;
	flow_init(&f);
	struct ns_call c;
	ns_call_init(&c);
	c.conn_uid = ns_flow_uid(&f);
	c.id = 1;
	c.version = 1;
	snprintf(c.method, sizeof(c.method), "GET");
	snprintf(c.path, sizeof(c.path), "/");
	static uint8_t big[4000];
	memset(big, 'v', sizeof(big));
	struct ns_hdr h[2] = {
	    {(const uint8_t *)"host", (const uint8_t *)"a", 4, 1},
	    {(const uint8_t *)"x-big", big, 5, sizeof(big)}};
	publish(&e, NS_EV_HTTP_REQUEST, &f, &c, h, 1);
	/* each big header would need ~24 KB of the 16 KiB a call keeps */
	for (int i = 0; i < 8; i++)
		publish(&e, NS_EV_HTTP_REQUEST, &f, &c, h + 1, 1);
	publish(&e, NS_EV_HTTP_END, &f, &c, NULL, 0);
	char *out = finish(&e, r);
	ck_assert_ptr_nonnull(strstr(out, "\"request_headers\":[\"host: a\""));
	ck_assert_ptr_nonnull(strstr(out, "\"payload_truncated\":1"));
	ck_assert_uint_lt(strlen(out), NS_RECORDS_PAYLOAD + 2048);
	free(out);
}
END_TEST

START_TEST(refuses_an_input)
{
	struct ns_engine e;
	ns_registry_init();
	ck_assert_int_eq(ns_engine_init(&e, 0), 0);
	char in[] = "/tmp/test_records_in.XXXXXX";
	int fd = mkstemp(in);
	ck_assert_int_ge(fd, 0);
	close(fd);
	const char *inputs[] = {in};
	struct ns_records_opts o;
	memset(&o, 0, sizeof(o));
	o.wo.path = in;
	o.wo.inputs = inputs;
	o.wo.ninputs = 1;
	char err[512];
	ck_assert_ptr_null(ns_records_start(&e, &o, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "is also an input"));
	ns_engine_finish(&e);
	unlink(in);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("records");
	TCase *t = tcase_create("core");
	tcase_add_test(t, conn_and_grpc_lines);
	tcase_add_test(t, payload_bounded);
	tcase_add_test(t, refuses_an_input);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
