/*
 * options — the command line of capture, read and tui into struct cli.
 *
 * Options follow tcpdump where tcpdump has them (-i -f -c -s -p -B -w -C -G
 * -W -Z -q -n -v -x) and tshark otherwise (-a duration:SEC, -T fields -e
 * -E, -T json, -V, -P, -2).  The three commands share one option table, so
 * an option given to the wrong command gets a precise message ("applies to
 * capture only") instead of "unknown option".  Options may follow
 * positional words (read a.pcap -c 5): the words are the files of read and
 * the BPF filter of capture and tui.
 *
 * Parsing is in three steps: each option on its own (handlers by group:
 * live capture, input and writing, output, analysis), then whether it
 * applies to the command, then the combinations that only make sense
 * together (-C/-G/-W with -w, -e with -T fields).  Every refusal is a
 * usage error (usage.c), so what reaches a command is consistent.
 */
#include <getopt.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/dissect.h"
#include "core/field.h"
#include "output/format.h"
#include "output/httpd.h"
#include "reports/report.h"

#define DEFAULT_SNAPLEN 262144
/* a live packet's line is at most this far behind it (the kernel hands
 * packets over in blocks; the run flushes its output after each) */
#define DEFAULT_TIMEOUT_MS 100

/* getopt codes of long options without a short one: outside the
 * printable range, so they can never take a short option's letter */
enum {
	OPT_CONVERSATIONS = 0x100,
	OPT_PROTO_DESC,
	OPT_MAX_STATE,
	OPT_COLOR,
	OPT_TLS_KEYLOG,
	OPT_RECORDS,
	OPT_SENSOR,
	OPT_RECORDS_PAYLOAD,
	OPT_METRICS
};

static const struct option longopts[] = {
    {"interface", required_argument, NULL, 'i'},
    {"filter", required_argument, NULL, 'f'},
    {"count", required_argument, NULL, 'c'},
    {"autostop", required_argument, NULL, 'a'},
    {"snaplen", required_argument, NULL, 's'},
    {"no-promiscuous-mode", no_argument, NULL, 'p'},
    {"buffer-size", required_argument, NULL, 'B'},
    {"immediate", no_argument, NULL, 'I'},
    {"immediate-mode", no_argument, NULL, 'I'},
    {"write", required_argument, NULL, 'w'},
    {"file-size", required_argument, NULL, 'C'},
    {"rotate-seconds", required_argument, NULL, 'G'},
    {"file-count", required_argument, NULL, 'W'},
    {"user", required_argument, NULL, 'Z'},
    {"print", no_argument, NULL, 'P'},
    {"quiet", no_argument, NULL, 'q'},
    {"line-buffered", no_argument, NULL, 'l'},
    {"color", optional_argument, NULL, OPT_COLOR},
    {"verbose", no_argument, NULL, 'v'},
    {"hex", no_argument, NULL, 'x'},
    {"format", required_argument, NULL, 'T'},
    {"field", required_argument, NULL, 'e'},
    {"display-filter", required_argument, NULL, 'Y'},
    {"read-file", required_argument, NULL, 'r'},
    {"buffer-timeout", required_argument, NULL, 'O'},
    {"conversations", no_argument, NULL, OPT_CONVERSATIONS},
    {"calls", no_argument, NULL, 'K'},
    {"max-flows", required_argument, NULL, 'M'},
    {"max-state", required_argument, NULL, OPT_MAX_STATE},
    {"two-pass", no_argument, NULL, '2'},
    {"decode-as", required_argument, NULL, 'd'},
    {"proto-descriptor", required_argument, NULL, OPT_PROTO_DESC},
    {"tls-keylog", required_argument, NULL, OPT_TLS_KEYLOG},
    {"records", required_argument, NULL, OPT_RECORDS},
    {"sensor", required_argument, NULL, OPT_SENSOR},
    {"records-payload", no_argument, NULL, OPT_RECORDS_PAYLOAD},
    {"metrics", required_argument, NULL, OPT_METRICS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* one option string for all: a capture-only option given to read gets a
 * precise message instead of "unknown option" */
static const char shortopts[] =
    "+:i:f:c:a:s:pB:w:C:G:W:Z:PqlnvVxXAtT:e:E:r:z:Y:o:d:h2";

/* the options tui refuses: it shows packets, it does not print or write
 * them (--conversations, outside this range, is accepted and unused) */
static const char not_for_tui[] = "wCGWPqlvxXAtTeVKz2";

static long long parse_num(const char *opt, const char *s, long long lo,
			   long long hi)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		ns_cli_usage_error(
		    "%s: invalid number '%s' (expected %lld to %lld)", opt, s,
		    lo, hi);
	return v;
}

static void add_str(const char ***v, unsigned *n, const char *s)
{
	const char **nv = realloc((void *)*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		fputs("netscope: out of memory\n", stderr);
		exit(NS_EXIT_RUNTIME);
	}
	nv[(*n)++] = s;
	*v = nv;
}

static char *join_words(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = malloc(len);
	if (!s) {
		fputs("netscope: out of memory\n", stderr);
		exit(NS_EXIT_RUNTIME);
	}
	s[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* -z NAME[,ARGS], --conversations, --calls: the report that name takes
 * (one instance each; they print in registry order). */
static void want_report(struct cli *c, const char *arg)
{
	const struct ns_report *r = ns_report_find(arg);
	if (!r) {
		char known[512] = "";
		size_t k = 0;
		for (unsigned i = 0; i < ns_nreports && k < sizeof(known); i++)
			if (ns_reports[i]->usage) /* NULL: another's names it */
				k += (size_t)snprintf(
				    known + k, sizeof(known) - k, "%s%s",
				    k ? " " : "", ns_reports[i]->usage);
		ns_cli_usage_error("-z: unknown statistic '%s' (%s)", arg,
				   known);
	}
	for (unsigned i = 0; i < ns_nreports && i < NS_NELEM(c->report_arg);
	     i++)
		if (ns_reports[i] == r)
			c->report_arg[i] = ns_report_arg(r, arg);
}

static void parse_autostop(struct cli *c, const char *arg)
{
	const char *p = strchr(arg, ':');
	if (!p || (size_t)(p - arg) != 8 || strncmp(arg, "duration", 8) != 0)
		ns_cli_usage_error(
		    "-a: unsupported condition '%s' (use duration:SEC)", arg);
	c->duration_ns =
	    parse_num("-a duration", p + 1, 1, 365LL * 86400) * 1000000000LL;
}

/* The options of a live capture only (capture, tui -i); 1 if ch is one. */
static int live_option(struct cli *c, int ch, const char *arg)
{
	long long v;
	switch (ch) {
	case 'i':
		c->live.iface = arg;
		return 1;
	case 'a':
		parse_autostop(c, arg);
		return 1;
	case 's':
		v = parse_num("-s", arg, 0, INT_MAX);
		c->live.snaplen =
		    v == 0 || v > DEFAULT_SNAPLEN ? DEFAULT_SNAPLEN : (int)v;
		return 1;
	case 'p':
		c->live.promisc = 0;
		return 1;
	case 'B':
		c->live.buffer_mib = (int)parse_num("-B", arg, 1, 4096);
		return 1;
	case 'I':
		c->live.immediate = 1;
		return 1;
	case 'O':
		c->live.timeout_ms =
		    (int)parse_num("--buffer-timeout", arg, 1, 10000);
		return 1;
	case 'Z':
		c->user = arg;
		return 1;
	}
	return 0;
}

/* What is read (-f -c -r -2) and written (-w -C -G -W); 1 if ch is one. */
static int input_option(struct cli *c, int ch, const char *arg)
{
	switch (ch) {
	case 'f':
		c->bpf = arg;
		return 1;
	case 'c':
		c->count = (uint64_t)parse_num("-c", arg, 1, LLONG_MAX);
		return 1;
	case 'r':
		if (c->capture && !c->tui)
			ns_cli_usage_error(
			    "-r reads a file: use 'netscope read FILE'");
		add_str(&c->files, &c->nfiles, arg);
		return 1;
	case '2':
		if (c->capture)
			ns_cli_usage_error(
			    "-2 (two-pass analysis) reads files "
			    "twice: use 'netscope read -2 FILE'");
		c->two_pass = 1;
		return 1;
	case 'w':
		c->wo.path = arg;
		c->writing = 1;
		return 1;
	case 'C':
		c->wo.rotate_bytes =
		    (uint64_t)parse_num("-C", arg, 1, 1000000) * 1000000u;
		return 1;
	case 'G':
		c->wo.rotate_secs = parse_num("-G", arg, 1, 365LL * 86400);
		return 1;
	case 'W':
		c->wo.max_files = (int)parse_num("-W", arg, 1, 100000);
		return 1;
	}
	return 0;
}

static int parse_format(const char *arg)
{
	if (strcmp(arg, "text") == 0)
		return NS_OUT_TEXT;
	if (strcmp(arg, "fields") == 0)
		return NS_OUT_FIELDS;
	if (strcmp(arg, "json") == 0)
		return NS_OUT_JSON;
	if (strcmp(arg, "ndjson") == 0)
		return NS_OUT_NDJSON;
	ns_cli_usage_error("-T: unknown format '%s' (text, fields, json, "
			   "ndjson)",
			   arg);
}

/* What each packet prints as (-P -q -n -v -x -T -Y -e -E); 1 if ch is one. */
static int output_option(struct cli *c, int ch, const char *arg)
{
	char err[256];
	switch (ch) {
	case 'P':
		c->print = 1;
		return 1;
	case 'q':
		c->quiet = 1;
		return 1;
	case 'l':
		c->line_buffered = 1;
		return 1;
	case OPT_COLOR:
		c->color = arg ? arg : "always";
		if (strcmp(c->color, "auto") && strcmp(c->color, "always") &&
		    strcmp(c->color, "never"))
			ns_cli_usage_error("--color: '%s' is not auto, always "
					   "or never",
					   c->color);
		return 1;
	case 'n':
		return 1;
	case 'v':
	case 'V': /* tshark's spelling */
		c->verbose++;
		return 1;
	case 'x':
	case 'X': /* tcpdump's hex and ASCII */
		c->hex = 1;
		return 1;
	case 'A':
		c->ascii = 1;
		return 1;
	case 't':
		c->tcount++;
		return 1;
	case 'T':
		c->format = parse_format(arg);
		return 1;
	case 'Y':
		c->dfilter = arg;
		return 1;
	case 'e':
		add_str(&c->efields, &c->nefields, arg);
		return 1;
	case 'E':
		if (ns_fields_opts_set(&c->eopt, arg, err, sizeof(err)) < 0)
			ns_cli_usage_error("-E: %s", err);
		c->neopts++;
		return 1;
	}
	return 0;
}

/* tshark's -o NAME:VALUE: the preferences netscope has an option for. */
static void preference(struct cli *c, const char *arg)
{
	static const char keylog[] = "tls.keylog_file:";
	if (strncmp(arg, keylog, sizeof(keylog) - 1) == 0 &&
	    arg[sizeof(keylog) - 1]) {
		c->tls_keylog = arg + sizeof(keylog) - 1;
		return;
	}
	ns_cli_usage_error("-o %s: unknown preference (netscope knows "
			   "tls.keylog_file:FILE)",
			   arg);
}

/* What the run summarises and how (reports, schema, flow cap); 1 if ch
 * is one of those. */
static int analysis_option(struct cli *c, int ch, const char *arg)
{
	switch (ch) {
	case OPT_CONVERSATIONS:
		want_report(c, "conv");
		return 1;
	case 'K':
		want_report(c, "calls");
		return 1;
	case 'z':
		want_report(c, arg);
		return 1;
	case 'd':
		if (strcmp(arg, "help") == 0) {
			ns_registry_init();
			ns_cli_decode_as_help(stdout);
			exit(0);
		}
		add_str(&c->decode_as, &c->ndecode_as, arg);
		return 1;
	case OPT_PROTO_DESC:
		c->proto_desc = arg;
		return 1;
	case 'M':
		c->max_flows =
		    (uint32_t)parse_num("--max-flows", arg, 16, 100000000);
		return 1;
	case OPT_MAX_STATE:
		c->max_state_mib =
		    (uint32_t)parse_num("--max-state", arg, 1, 1 << 20);
		return 1;
	case OPT_TLS_KEYLOG:
		c->tls_keylog = arg;
		return 1;
	case OPT_RECORDS:
	case OPT_SENSOR:
	case OPT_RECORDS_PAYLOAD:
		if (c->tui)
			ns_cli_usage_error("--records, --sensor and "
					   "--records-payload apply to capture "
					   "and read");
		if (ch == OPT_RECORDS)
			c->records = arg;
		else if (ch == OPT_SENSOR)
			c->sensor = arg;
		else
			c->records_payload = 1;
		return 1;
	case OPT_METRICS: {
		struct sockaddr_storage ss;
		socklen_t len;
		char err[256];
		if (ns_httpd_parse_addr(arg, &ss, &len, err, sizeof(err)) < 0)
			ns_cli_usage_error("%s", err);
		c->metrics = arg;
		return 1;
	}
	case 'o':
		preference(c, arg);
		return 1;
	}
	return 0;
}

/* tshark's -t FORMAT words, and what each means; -1 for another word. */
static int tshark_time(const char *w)
{
	static const struct {
		const char *w;
		int fmt;
	} t[] = {{"r", NS_TIME_REL},	      {"a", NS_TIME_ABS},
		 {"ad", NS_TIME_ABS_DATE},    {"d", NS_TIME_DELTA},
		 {"dd", NS_TIME_DELTA_SHOWN}, {"e", NS_TIME_EPOCH},
		 {"u", NS_TIME_UTC},	      {"ud", NS_TIME_UTC_DATE}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(w, t[i].w) == 0)
			return t[i].fmt;
	return -1;
}

/* tcpdump's -t (none), -tt (epoch), -ttt (delta), -tttt (date and time),
 * -ttttt (since the first), by how many were given. */
static int tcpdump_time(int n)
{
	static const int t[] = {NS_TIME_REL,	  NS_TIME_NONE,
				NS_TIME_EPOCH,	  NS_TIME_DELTA_CLOCK,
				NS_TIME_ABS_DATE, NS_TIME_REL_CLOCK};
	return t[n < 5 ? n : 5];
}

/* One option getopt returned: its value, then whether the command takes
 * it (after the value, so a bad value is told first). */
static void take_option(struct cli *c, int ch, char **argv)
{
	int capture_only = live_option(c, ch, optarg);
	if (!capture_only && !input_option(c, ch, optarg) &&
	    !output_option(c, ch, optarg) && !analysis_option(c, ch, optarg)) {
		if (ch == ':')
			ns_cli_usage_error("option '%s' needs a value",
					   argv[optind - 1]);
		if (optopt)
			ns_cli_usage_error("unknown option '-%c'", optopt);
		ns_cli_usage_error("unknown option '%s'", argv[optind - 1]);
	}
	if (capture_only && !c->capture)
		ns_cli_usage_error("option -%c applies to capture only", ch);
	if (c->tui && ch > 0 && ch < 128 && strchr(not_for_tui, ch))
		ns_cli_usage_error("option '%s' does not apply to tui (w in "
				   "the view writes the shown packets)",
				   argv[optind - 1]);
}

/* The words between and after the options: capture's BPF filter, or the
 * files read reads. */
static void take_words(struct cli *c, char **words, unsigned nwords)
{
	/* tcpdump's form (no command: -r FILE words) takes words as the
	 * filter, as tcpdump -r does */
	if (c->capture || (ns_cli_implied && c->nfiles)) {
		if (nwords) {
			if (c->bpf)
				ns_cli_usage_error("give the filter with -f or "
						   "as words, not both");
			c->bpf_joined = join_words((int)nwords, words);
			c->bpf = c->bpf_joined;
		}
		return;
	}
	for (unsigned i = 0; i < nwords; i++)
		add_str(&c->files, &c->nfiles, words[i]);
	if (c->nfiles == 0)
		ns_cli_usage_error("no capture file given");
	for (unsigned i = 0; c->two_pass && i < c->nfiles; i++)
		if (!ns_source_rereadable(c->files[i]))
			ns_cli_usage_error(
			    "-2 reads every file twice, and '%s' cannot be "
			    "read twice (standard input or a pipe): save it "
			    "to a file first",
			    c->files[i]);
}

/* Options that need another one, or exclude one. */
static void check_combinations(const struct cli *c)
{
	if (!c->writing && !c->records &&
	    (c->wo.rotate_bytes || c->wo.rotate_secs || c->wo.max_files))
		ns_cli_usage_error("-C, -G and -W need -w FILE or --records "
				   "FILE");
	if ((c->sensor || c->records_payload) && !c->records)
		ns_cli_usage_error("--sensor and --records-payload need "
				   "--records FILE");
	if (c->records && strcmp(c->records, "-") == 0) {
		if (c->writing && strcmp(c->wo.path, "-") == 0)
			ns_cli_usage_error("-w - and --records - cannot both "
					   "have standard output");
		if (c->wo.rotate_bytes || c->wo.rotate_secs)
			ns_cli_usage_error(
			    "cannot rotate standard output (--records -)");
		if (c->print)
			ns_cli_usage_error("-P with --records - would mix "
					   "packet lines into the records");
	}
	if (c->wo.max_files && !c->wo.rotate_bytes && !c->wo.rotate_secs)
		ns_cli_usage_error("-W needs -C or -G");
	if (c->writing && strcmp(c->wo.path, "-") == 0) {
		if (c->wo.rotate_bytes || c->wo.rotate_secs)
			ns_cli_usage_error(
			    "cannot rotate standard output (-w -)");
		if (c->print)
			ns_cli_usage_error("-P with -w - would mix text into "
					   "the pcap stream");
	}
	if (c->format == NS_OUT_FIELDS && c->nefields == 0)
		ns_cli_usage_error("-T fields needs at least one -e FIELD");
	if (c->nefields && c->format != NS_OUT_FIELDS)
		ns_cli_usage_error("-e needs -T fields");
	if (c->neopts && c->format != NS_OUT_FIELDS)
		ns_cli_usage_error("-E needs -T fields");
}

/* Whether a long option (without its leading "--", up to any '=')
 * takes a value. */
static int long_takes_value(const char *name)
{
	size_t n = strcspn(name, "=");
	for (const struct option *o = longopts; o->name; o++)
		if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
			return o->has_arg == required_argument;
	return 0;
}

/* What a cluster of short options ("-nr", "-c5") says: 'r' or 'D' when
 * one of them, before any that takes a value; 0 otherwise.  *skip is set
 * when the value is the next argument. */
static int short_cluster(const char *a, int *skip)
{
	*skip = 0;
	for (const char *p = a + 1; *p; p++) {
		if (*p == 'r' || *p == 'D')
			return *p;
		const char *o = strchr(shortopts + 2, *p); /* past "+:" */
		if (o && o[1] == ':') {
			*skip = p[1] == '\0';
			return 0;
		}
	}
	return 0;
}

const char *ns_cli_implied_command(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == '\0')
			continue;
		if (a[1] == '-') {
			if (strncmp(a + 2, "read-file", 9) == 0)
				return "read";
			if (long_takes_value(a + 2) && !strchr(a, '='))
				i++;
			continue;
		}
		int skip;
		int k = short_cluster(a, &skip);
		if (k == 'r')
			return "read";
		if (k == 'D')
			return "interfaces";
		i += skip;
	}
	return "capture";
}

void ns_cli_parse(struct cli *c, int argc, char **argv)
{
	c->live.snaplen = DEFAULT_SNAPLEN;
	c->live.promisc = 1;
	c->live.timeout_ms = DEFAULT_TIMEOUT_MS;
	c->format = NS_OUT_TEXT;
	opterr = 0;
	optind = 1;
	/* options may follow positional words (read a.pcap -c 5): getopt is
	 * run until the arguments are used up, collecting words between */
	char **words = NULL;
	unsigned nwords = 0;
	while (optind < argc) {
		int ch = getopt_long(argc, argv, shortopts, longopts, NULL);
		/* -t alone before a tshark format word is tshark's -t */
		if (ch == 't' && strcmp(argv[optind - 1], "-t") == 0 &&
		    optind < argc && tshark_time(argv[optind]) >= 0) {
			c->tfmt = tshark_time(argv[optind++]);
			if (c->tui)
				ns_cli_usage_error("option '-t' does not apply "
						   "to tui");
			continue;
		}
		if (ch != -1) {
			take_option(c, ch, argv);
			continue;
		}
		if (strcmp(argv[optind - 1], "--") == 0) {
			while (optind < argc)
				add_str((const char ***)&words, &nwords,
					argv[optind++]);
			break;
		}
		add_str((const char ***)&words, &nwords, argv[optind++]);
	}
	take_words(c, words, nwords);
	free(words);
	if (c->tcount)
		c->tfmt = tcpdump_time(c->tcount);
	check_combinations(c);
}

void ns_cli_free(struct cli *c)
{
	free((void *)c->decode_as);
	free((void *)c->efields);
	free((void *)c->files);
	free(c->bpf_joined);
}
