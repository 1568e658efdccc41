/*
 * test_metrics — the --metrics model and its text (src/reports/metrics.c).
 *
 * The contract under test: label values are escaped as the Prometheus
 * text format asks (backslash, double quote, newline) and anything not
 * printable ASCII becomes '?'; the gRPC methods beyond
 * NS_METRICS_MAX_METHODS fold into method="other" and so do HTTP methods,
 * statuses, DNS types and rcodes and ALPN ids outside their closed lists,
 * so no peer grows the series count; the histograms are cumulative with
 * the right _count and _sum; every sample has its HELP and TYPE; pushes
 * and 101s are no requests; an unanswered DNS query is rcode="none".
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"
#include "core/buf.h"
#include "core/txn.h"
#include "reports/metrics.h"

static struct ns_buf text;

static const char *render(struct ns_metrics *m)
{
	ns_metrics_render(m, NULL, &text);
	ns_buf_putc(&text, 0);
	return text.p;
}

/* The value of the sample line that starts with `series ` (exactly), or
 * -1 when there is none. */
static double value_of(const char *out, const char *series)
{
	size_t n = strlen(series);
	for (const char *l = out; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l)
		if (strncmp(l, series, n) == 0 && l[n] == ' ') {
			double v;
			if (sscanf(l + n + 1, "%lf", &v) == 1)
				return v;
		}
	return -1;
}

static unsigned lines_with(const char *out, const char *what)
{
	unsigned k = 0;
	for (const char *p = out; (p = strstr(p, what)); p++)
		k++;
	return k;
}

static struct ns_call grpc_call(const char *path, int status, int64_t ns)
{
	struct ns_call c;
	ns_call_init(&c);
	snprintf(c.method, sizeof(c.method), "POST");
	snprintf(c.path, sizeof(c.path), "%s", path);
	c.status = 200;
	c.grpc = 1;
	c.grpc_status = status;
	c.end = NS_CALL_ENDED;
	c.t_req = 1000000000;
	c.t_end = c.t_req + ns;
	return c;
}

START_TEST(escapes_label_values)
{
	struct ns_buf b = {0};
	ns_metrics_label_value(&b, "a\\b\"c\nd\te\xc3\xa9");
	ns_buf_putc(&b, 0);
	ck_assert_str_eq(b.p, "a\\\\b\\\"c\\nd?e??");
	ns_buf_free(&b);

	struct ns_metrics *m = ns_metrics_new(NULL);
	struct ns_call c = grpc_call("/svc.A/\"x\"\\y\n", 0, 1000);
	ns_metrics_on_call(m, &c);
	const char *out = render(m);
	ck_assert_double_eq(
	    value_of(
		out,
		"netscope_grpc_calls_total{method=\"svc.A/\\\"x\\\"\\\\y\\n\","
		"status=\"OK\"}"),
	    1);
	ns_metrics_free(m);
}
END_TEST

START_TEST(folds_methods_past_the_cap)
{
	struct ns_metrics *m = ns_metrics_new(NULL);
	char path[64];
	for (int i = 0; i < NS_METRICS_MAX_METHODS + 50; i++) {
		snprintf(path, sizeof(path), "/svc.S/M%d", i);
		struct ns_call c = grpc_call(path, i % 2 ? 5 : 0, 3000000);
		ns_metrics_on_call(m, &c);
		ns_metrics_on_call(m, &c); /* the same method twice */
	}
	const char *out = render(m);
	/* the first 100 methods have their own series, the other 50 fold */
	ck_assert_double_eq(value_of(out, "netscope_grpc_calls_total{method="
					  "\"svc.S/M0\",status=\"OK\"}"),
			    2);
	ck_assert_double_eq(value_of(out,
				     "netscope_grpc_calls_total{method="
				     "\"svc.S/M99\",status=\"NOT_FOUND\"}"),
			    2);
	ck_assert_double_eq(value_of(out, "netscope_grpc_calls_total{method="
					  "\"svc.S/M100\",status=\"OK\"}"),
			    -1);
	ck_assert_double_eq(value_of(out, "netscope_grpc_calls_total{method="
					  "\"other\",status=\"OK\"}"),
			    50);
	ck_assert_double_eq(value_of(out, "netscope_grpc_calls_total{method="
					  "\"other\",status=\"NOT_FOUND\"}"),
			    50);
	/* one histogram per method row, other included */
	ck_assert_uint_eq(lines_with(out, "le=\"+Inf\""),
			  NS_METRICS_MAX_METHODS + 1 + 1 /* dns */);
	/* 3 ms: in le=0.005 and above, not in 0.0025 */
	ck_assert_double_eq(
	    value_of(out, "netscope_grpc_call_duration_seconds_bucket{method="
			  "\"other\",le=\"0.0025\"}"),
	    0);
	ck_assert_double_eq(
	    value_of(out, "netscope_grpc_call_duration_seconds_bucket{method="
			  "\"other\",le=\"0.005\"}"),
	    100);
	ck_assert_double_eq(
	    value_of(out, "netscope_grpc_call_duration_seconds_bucket{method="
			  "\"other\",le=\"+Inf\"}"),
	    100);
	ck_assert_double_eq(
	    value_of(out, "netscope_grpc_call_duration_seconds_count{method="
			  "\"other\"}"),
	    100);
	ck_assert_double_eq(
	    value_of(out, "netscope_grpc_call_duration_seconds_sum{method="
			  "\"other\"}"),
	    0.3);
	/* every call is an HTTP request too */
	ck_assert_double_eq(value_of(out, "netscope_http_requests_total{method="
					  "\"POST\",status=\"200\"}"),
			    2 * (NS_METRICS_MAX_METHODS + 50));
	ns_metrics_free(m);
}
END_TEST

START_TEST(closed_label_sets)
{
	struct ns_metrics *m = ns_metrics_new(NULL);
	struct ns_call c;
	ns_call_init(&c);
	snprintf(c.method, sizeof(c.method), "BREW");
	c.status = 999;
	ns_metrics_on_call(m, &c);
	snprintf(c.method, sizeof(c.method), "GET");
	c.status = -1; /* no response */
	ns_metrics_on_call(m, &c);
	c.status = 101; /* an upgrade: its HTTP/2 stream 1 is the request */
	ns_metrics_on_call(m, &c);
	c.status = 200;
	c.pushed = 1;
	ns_metrics_on_call(m, &c);

	struct ns_dns_txn d;
	memset(&d, 0, sizeof(d));
	d.qtype = 28;
	d.rcode = 3;
	d.t_query = 0;
	d.t_response = 2000000; /* 2 ms */
	ns_metrics_on_dns(m, &d, 0);
	d.qtype = 4242;
	d.rcode = 77;
	ns_metrics_on_dns(m, &d, 0);
	d.rcode = -1;
	ns_metrics_on_dns(m, &d, 1); /* never answered */
	d.unsolicited = 1;
	ns_metrics_on_dns(m, &d, 0);

	struct ns_tls_info t;
	memset(&t, 0, sizeof(t));
	t.version = 0x0304;
	snprintf(t.alpn, sizeof(t.alpn), "h2");
	ns_metrics_on_tls(m, &t);
	snprintf(t.alpn, sizeof(t.alpn), "evil\"proto");
	t.version = 0x7f1c;
	ns_metrics_on_tls(m, &t);
	t.alpn[0] = 0;
	ns_metrics_on_tls(m, &t);

	const char *out = render(m);
	ck_assert_double_eq(value_of(out, "netscope_http_requests_total{method="
					  "\"other\",status=\"other\"}"),
			    1);
	ck_assert_double_eq(value_of(out, "netscope_http_requests_total{method="
					  "\"GET\",status=\"none\"}"),
			    1);
	ck_assert_uint_eq(lines_with(out, "netscope_http_requests_total{"), 2);
	ck_assert_double_eq(value_of(out, "netscope_dns_queries_total{qtype="
					  "\"AAAA\",rcode=\"NXDOMAIN\"}"),
			    1);
	ck_assert_double_eq(value_of(out, "netscope_dns_queries_total{qtype="
					  "\"other\",rcode=\"other\"}"),
			    1);
	ck_assert_double_eq(value_of(out, "netscope_dns_queries_total{qtype="
					  "\"other\",rcode=\"none\"}"),
			    1);
	ck_assert_double_eq(
	    value_of(out, "netscope_dns_response_time_seconds_bucket{le="
			  "\"0.001\"}"),
	    0);
	ck_assert_double_eq(
	    value_of(out, "netscope_dns_response_time_seconds_bucket{le="
			  "\"0.0025\"}"),
	    2);
	ck_assert_double_eq(
	    value_of(out, "netscope_dns_response_time_seconds_count"), 2);
	ck_assert_double_eq(value_of(out, "netscope_tls_handshakes_total{"
					  "version=\"TLSv1.3\",alpn=\"h2\"}"),
			    1);
	ck_assert_double_eq(value_of(out, "netscope_tls_handshakes_total{"
					  "version=\"other\",alpn=\"other\"}"),
			    1);
	ck_assert_double_eq(value_of(out, "netscope_tls_handshakes_total{"
					  "version=\"other\",alpn=\"none\"}"),
			    1);
	ns_metrics_free(m);
}
END_TEST

/* Every sample's family has HELP and TYPE before it, once. */
START_TEST(help_and_type)
{
	struct ns_metrics *m = ns_metrics_new(NULL);
	struct ns_call c = grpc_call("/a.B/C", 14, 5);
	ns_metrics_on_call(m, &c);
	const char *out = render(m);
	char name[256];
	for (const char *l = out; *l; l = strchr(l, '\n') + 1) {
		if (*l == '#')
			continue;
		size_t n = strcspn(l, "{ ");
		ck_assert_uint_lt(n, sizeof(name) - 32);
		memcpy(name, l, n);
		name[n] = 0;
		ck_assert_msg(strncmp(name, "netscope_", 9) == 0, "%s", name);
		/* a histogram's series are named after its family */
		static const char *const sfx[] = {"_bucket", "_sum", "_count"};
		for (unsigned i = 0; i < 3; i++) {
			size_t k = strlen(sfx[i]);
			if (n > k && strcmp(name + n - k, sfx[i]) == 0 &&
			    strstr(name, "_seconds"))
				name[n - k] = 0;
		}
		char want[300];
		snprintf(want, sizeof(want), "# HELP %s ", name);
		ck_assert_uint_eq(lines_with(out, want), 1);
		snprintf(want, sizeof(want), "# TYPE %s ", name);
		ck_assert_uint_eq(lines_with(out, want), 1);
	}
	ck_assert_ptr_nonnull(
	    strstr(out, "netscope_grpc_calls_total{method=\"a.B/C\",status="
			"\"UNAVAILABLE\"} 1\n"));
	ns_metrics_free(m);
}
END_TEST

static void teardown(void)
{
	ns_buf_free(&text);
}

static Suite *suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, escapes_label_values);
	tcase_add_test(tc, folds_methods_past_the_cap);
	tcase_add_test(tc, closed_label_sets);
	tcase_add_test(tc, help_and_type);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
