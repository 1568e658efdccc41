/*
 * netscope — command line: subcommands, options, exit status.
 *
 *   netscope capture [-i IFACE] [options] [BPF…]
 *   netscope read [options] FILE…
 *   netscope interfaces
 *   netscope fields [PROTO]
 *
 * Options follow tcpdump where tcpdump has them (-i -f -c -s -p -B -w -C -G
 * -W -Z -q -n -v -x) and tshark otherwise (-a duration:SEC, -T fields -e
 * -E, -T json, -V, -P).  Exit status: 0 success, 1 runtime failure, 2 usage
 * error; a usage error prints one line with the reason and one with a hint.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <ncurses.h>
#include <nghttp2/nghttp2.h>
#include <protobuf-c/protobuf-c.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter/dfilter.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "core/field.h"
#include "reports/dnstally.h"
#include "reports/report.h"
#include "output/output.h"
#include "proto/pbschema.h"
#include "capture/run.h"
#include "capture/source.h"
#include "tui/tui.h"
#include "capture/writer.h"

#define DEFAULT_SNAPLEN	   262144
#define DEFAULT_TIMEOUT_MS 200

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };
/* getopt codes of long options without a short one: outside the
 * printable range, so they can never take a short option's letter */
enum { OPT_CONVERSATIONS = 0x100, OPT_PROTO_DESC };

static const char *cmd_name = "netscope";

static void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "netscope: ");
	if (strcmp(cmd_name, "netscope") != 0)
		fprintf(stderr, "%s: ", cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (strcmp(cmd_name, "netscope") != 0)
		fprintf(stderr, "\nTry 'netscope %s --help'.\n", cmd_name);
	else
		fprintf(stderr, "\nTry 'netscope --help'.\n");
	exit(EXIT_USAGE);
}

static const char general_help[] =
    "Usage: netscope COMMAND [OPTIONS]\n"
    "Packet capture and protocol analysis.\n"
    "\n"
    "Commands:\n"
    "  capture     capture live from an interface (like tcpdump -i)\n"
    "  read        analyse pcap/pcapng files ('-' for stdin)\n"
    "  interfaces  list the interfaces capture can open (like tcpdump -D)\n"
    "  fields      list every field name, its type and description\n"
    "  tui         live ncurses view of a capture (-i) or a file (-r)\n"
    "  filter-check EXPR\n"
    "              check a display filter and show how it is read\n"
    "\n"
    "  netscope COMMAND --help   options of one command\n"
    "  netscope --version        versions of netscope and its libraries\n"
    "\n"
    "Examples:\n"
    "  netscope capture -i eth0 -f 'tcp port 50051'\n"
    "  netscope capture -i any -c 100 -w trace.pcap\n"
    "  netscope read trace.pcapng -v\n"
    "  netscope read trace.pcap -T fields -e ip.src -e tcp.dstport\n"
    "  netscope read trace.pcap -Y 'tcp.port == 50051 && grpc.status != 0'\n"
    "  netscope tui -i lo -f 'tcp port 50051'\n";

/* The output and analysis options capture and read share. */
#define OUTPUT_HELP                                                            \
	"  -v, -V, --verbose       field tree under each line\n"               \
	"  -x, --hex               hex and ASCII dump of each packet (with\n"  \
	"                          -T json|ndjson: the bytes as \"raw\")\n"    \
	"  -Y, --display-filter EXPR\n"                                        \
	"                          show (and write) only packets matching "    \
	"this\n"                                                               \
	"                          display filter (Wireshark syntax)\n"        \
	"  -T, --format text|fields|json|ndjson\n"                             \
	"                          json: one array of packet objects;\n"       \
	"                          ndjson: one packet object per line\n"       \
	"  -e, --field NAME        with -T fields: a column (repeatable)\n"    \
	"  -E OPTION=VALUE         with -T fields, as tshark: header=y|n,\n"   \
	"                          separator=/t|/s|C, occurrence=f|l|a,\n"     \
	"                          aggregator=C|/s, quote=d|s|n, bom=y|n\n"    \
	"      --proto-descriptor FILE\n"                                      \
	"                          decode gRPC messages with the types of a\n" \
	"                          FileDescriptorSet (protoc "                 \
	"--include_imports\n"                                                  \
	"                          -o FILE x.proto)\n"                         \
	"      --conversations     one line per connection at the end (also\n" \
	"                          -z conv,tcp and -z conv,udp)\n"             \
	"      --calls             one line per HTTP/2 stream and gRPC call "  \
	"at\n"                                                                 \
	"                          the end\n"                                  \
	"  -z follow,tcp,raw|ascii|hex,N\n"                                    \
	"                          the reassembled bytes of TCP stream N\n"    \
	"      --max-flows N       flows tracked at once (default 100000)\n"   \
	"  -h, --help              this help\n"

static const char capture_help[] =
    "Usage: netscope capture [OPTIONS] [BPF FILTER…]\n"
    "Capture packets live and print one line per packet (or write them).\n"
    "\n"
    "  -i, --interface IFACE   interface to capture on ('any' for all);\n"
    "                          default: the first one 'interfaces' lists\n"
    "  -f, --filter BPF        capture filter (pcap-filter(7)); words after\n"
    "                          the options are taken as the filter too\n"
    "  -c, --count N           stop after N packets\n"
    "  -a, --autostop duration:SEC\n"
    "                          stop after SEC seconds\n"
    "  -s, --snaplen N         bytes kept per packet (default 262144)\n"
    "  -p, --no-promiscuous-mode\n"
    "                          do not put the interface in promiscuous mode\n"
    "  -B, --buffer-size MiB   kernel capture buffer size\n"
    "      --immediate         deliver each packet at once (no batching)\n"
    "  -w, --write FILE        write packets to a pcap file ('-' = stdout)\n"
    "  -C, --file-size MB      with -w: new file after MB million bytes\n"
    "  -G, --rotate-seconds SEC\n"
    "                          with -w: new file every SEC seconds (FILE is\n"
    "                          a strftime(3) pattern)\n"
    "  -W, --file-count N      with -C: ring of N files; with -G: stop\n"
    "                          after N files\n"
    "  -Z, --user USER         drop privileges to USER after opening the\n"
    "                          interface (when started as root)\n"
    "  -P, --print             print packet lines even when writing (-w)\n"
    "  -q, --quiet             no packet lines, only the final counts\n"
    "  -n                      accepted for tcpdump habits: netscope never\n"
    "                          resolves names\n" OUTPUT_HELP "\n"
    "At exit the counts of packets captured, received by the filter and\n"
    "dropped by the kernel are printed to standard error.\n";

static const char read_help[] =
    "Usage: netscope read [OPTIONS] FILE…\n"
    "Read pcap and pcapng files ('-' for standard input) and print one\n"
    "line per packet.\n"
    "\n"
    "  -r, --read-file FILE    a file to read (same as giving FILE)\n"
    "  -2, --two-pass          read the files twice (as tshark -2), so a\n"
    "                          packet can name later ones: a DNS query or\n"
    "                          HTTP request its response (response_in);\n"
    "                          not for standard input or pipes\n"
    "  -f, --filter BPF        only packets matching this BPF filter\n"
    "  -c, --count N           stop after N packets\n"
    "  -w, --write FILE        write the packets that pass to a pcap file\n"
    "  -C, -G, -W              rotation of the written files, as capture\n"
    "                          (-G uses the packets' own timestamps)\n"
    "  -q, --quiet             no packet lines\n"
    "  -n                      accepted; names are never "
    "resolved\n" OUTPUT_HELP;

static const char tui_help[] =
    "Usage: netscope tui [-i IFACE | -r FILE] [OPTIONS] [BPF FILTER…]\n"
    "Live ncurses view: packets (list, field tree, hex), connections,\n"
    "HTTP/2 and gRPC calls, DNS; a display filter applied while the\n"
    "capture runs.  Press ? in the view for its keys.\n"
    "\n"
    "  -i, --interface IFACE   capture live on IFACE (default: the first\n"
    "                          interface 'interfaces' lists)\n"
    "  -r, --read-file FILE    show a pcap/pcapng file instead\n"
    "  -f, --filter BPF        capture filter; words after the options too\n"
    "  -Y, --display-filter EXPR\n"
    "                          the display filter to start with\n"
    "  -c, --count N           stop capturing after N packets\n"
    "  -a, --autostop duration:SEC, -s, -p, -B, --immediate, -Z USER\n"
    "                          as for capture\n"
    "      --max-flows N       flow table cap (also caps the views)\n"
    "      --proto-descriptor FILE\n"
    "                          decode gRPC messages with these types\n"
    "  -h, --help              this help\n";

static const char interfaces_help[] =
    "Usage: netscope interfaces\n"
    "List the interfaces that 'netscope capture -i' can open, numbered, with\n"
    "their state (as tcpdump -D).\n";

static const char fields_help[] =
    "Usage: netscope fields [PROTO]\n"
    "List every protocol and field netscope records, one a line,\n"
    "tab-separated: name, type (Wireshark's: FT_PROTOCOL, FT_UINT16,\n"
    "FT_IPv4, ...), description.  With PROTO (e.g. tcp), only that\n"
    "protocol's fields.  These names are the ones -T fields -e accepts\n"
    "and the keys of -T json.\n";

static int want_help(int argc, char **argv, const char *text)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			fputs(text, stdout);
			return 1;
		}
	}
	return 0;
}

static long long parse_num(const char *opt, const char *s, long long lo,
			   long long hi)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		usage_error("%s: invalid number '%s' (expected %lld to %lld)",
			    opt, s, lo, hi);
	return v;
}

struct cli {
	int capture; /* 1: capture, 0: read */
	int tui;     /* netscope tui: capture options, or -r FILE */
	struct ns_live_opts live;
	const char *bpf;
	char *bpf_joined;
	const char *dfilter; /* -Y */
	uint64_t count;
	int64_t duration_ns;
	struct ns_writer_opts wo;
	int writing;
	const char *user;
	int print, quiet, verbose, hex;
	int format;
	const char **efields;
	unsigned nefields;
	struct ns_fields_opts eopt; /* -E */
	unsigned neopts;
	const char **files;
	unsigned nfiles;
	/* the reports asked for (-z, --conversations, --calls): the
	 * argument given to each, by its index in ns_reports[] (NULL: not
	 * asked) */
	const char *report_arg[16];
	uint32_t max_flows;
	int two_pass;		/* -2: a first pass leaves notes (run.h) */
	const char *proto_desc; /* --proto-descriptor FILE */
};

/* -z NAME[,ARGS], --conversations, --calls: the report that name takes
 * (one instance each; they print in registry order). */
static void want_report(struct cli *c, const char *arg)
{
	const struct ns_report *r = ns_report_find(arg);
	if (!r) {
		char known[512] = "";
		size_t k = 0;
		for (unsigned i = 0; i < ns_nreports && k < sizeof(known); i++)
			k += (size_t)snprintf(known + k, sizeof(known) - k,
					      "%s%s", i ? " " : "",
					      ns_reports[i]->usage);
		usage_error("-z: unknown statistic '%s' (%s)", arg, known);
	}
	for (unsigned i = 0; i < ns_nreports && i < NS_NELEM(c->report_arg);
	     i++)
		if (ns_reports[i] == r)
			c->report_arg[i] = ns_report_arg(r, arg);
}

static void add_str(const char ***v, unsigned *n, const char *s)
{
	const char **nv = realloc((void *)*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		fputs("netscope: out of memory\n", stderr);
		exit(EXIT_RUNTIME);
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
		exit(EXIT_RUNTIME);
	}
	s[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void parse_autostop(struct cli *c, const char *arg)
{
	const char *p = strchr(arg, ':');
	if (!p || (size_t)(p - arg) != 8 || strncmp(arg, "duration", 8) != 0)
		usage_error("-a: unsupported condition '%s' (use duration:SEC)",
			    arg);
	c->duration_ns =
	    parse_num("-a duration", p + 1, 1, 365LL * 86400) * 1000000000LL;
}

static void parse_cli(struct cli *c, int argc, char **argv)
{
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
	    {"two-pass", no_argument, NULL, '2'},
	    {"proto-descriptor", required_argument, NULL, OPT_PROTO_DESC},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	/* one option string for both: a capture-only option given to read
	 * gets a precise message instead of "unknown option" */
	const char *shortopts = "+:i:f:c:a:s:pB:w:C:G:W:Z:PqnvVxT:e:E:r:z:Y:h2";
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
		if (ch == -1) {
			if (strcmp(argv[optind - 1], "--") == 0) {
				while (optind < argc)
					add_str((const char ***)&words, &nwords,
						argv[optind++]);
				break;
			}
			add_str((const char ***)&words, &nwords,
				argv[optind++]);
			continue;
		}
		int capture_only = 0;
		switch (ch) {
		case 'i':
			c->live.iface = optarg;
			capture_only = 1;
			break;
		case 'f':
			c->bpf = optarg;
			break;
		case 'c':
			c->count =
			    (uint64_t)parse_num("-c", optarg, 1, LLONG_MAX);
			break;
		case 'a':
			parse_autostop(c, optarg);
			capture_only = 1;
			break;
		case 's': {
			long long v = parse_num("-s", optarg, 0, INT_MAX);
			c->live.snaplen = v == 0 || v > DEFAULT_SNAPLEN
					      ? DEFAULT_SNAPLEN
					      : (int)v;
			capture_only = 1;
			break;
		}
		case 'p':
			c->live.promisc = 0;
			capture_only = 1;
			break;
		case 'B':
			c->live.buffer_mib =
			    (int)parse_num("-B", optarg, 1, 4096);
			capture_only = 1;
			break;
		case 'I':
			c->live.immediate = 1;
			capture_only = 1;
			break;
		case 'O':
			c->live.timeout_ms = (int)parse_num("--buffer-timeout",
							    optarg, 1, 10000);
			capture_only = 1;
			break;
		case 'w':
			c->wo.path = optarg;
			c->writing = 1;
			break;
		case 'C':
			c->wo.rotate_bytes =
			    (uint64_t)parse_num("-C", optarg, 1, 1000000) *
			    1000000u;
			break;
		case 'G':
			c->wo.rotate_secs =
			    parse_num("-G", optarg, 1, 365LL * 86400);
			break;
		case 'W':
			c->wo.max_files =
			    (int)parse_num("-W", optarg, 1, 100000);
			break;
		case 'Z':
			c->user = optarg;
			capture_only = 1;
			break;
		case 'P':
			c->print = 1;
			break;
		case 'q':
			c->quiet = 1;
			break;
		case 'n':
			break;
		case 'v':
		case 'V': /* tshark's spelling */
			c->verbose++;
			break;
		case 'x':
			c->hex = 1;
			break;
		case 'T':
			if (strcmp(optarg, "text") == 0)
				c->format = NS_OUT_TEXT;
			else if (strcmp(optarg, "fields") == 0)
				c->format = NS_OUT_FIELDS;
			else if (strcmp(optarg, "json") == 0)
				c->format = NS_OUT_JSON;
			else if (strcmp(optarg, "ndjson") == 0)
				c->format = NS_OUT_NDJSON;
			else
				usage_error("-T: unknown format '%s' (text, "
					    "fields, json, ndjson)",
					    optarg);
			break;
		case 'Y':
			c->dfilter = optarg;
			break;
		case 'e':
			add_str(&c->efields, &c->nefields, optarg);
			break;
		case 'E': {
			char err[256];
			if (ns_fields_opts_set(&c->eopt, optarg, err,
					       sizeof(err)) < 0)
				usage_error("-E: %s", err);
			c->neopts++;
			break;
		}
		case OPT_CONVERSATIONS:
			want_report(c, "conv");
			break;
		case 'K':
			want_report(c, "calls");
			break;
		case OPT_PROTO_DESC:
			c->proto_desc = optarg;
			break;
		case 'M':
			c->max_flows = (uint32_t)parse_num(
			    "--max-flows", optarg, 16, 100000000);
			break;
		case 'z':
			want_report(c, optarg);
			break;
		case '2':
			if (c->capture)
				usage_error(
				    "-2 (two-pass analysis) reads files "
				    "twice: use 'netscope read -2 FILE'");
			c->two_pass = 1;
			break;
		case 'r':
			if (c->capture && !c->tui)
				usage_error(
				    "-r reads a file: use 'netscope read "
				    "FILE'");
			add_str(&c->files, &c->nfiles, optarg);
			break;
		case ':':
			usage_error("option '%s' needs a value",
				    argv[optind - 1]);
		default:
			if (optopt)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
		if (capture_only && !c->capture)
			usage_error("option -%c applies to capture only", ch);
		if (c->tui && ch > 0 && ch < 128 &&
		    strchr("wCGWPqvxTeVKz2", ch))
			usage_error("option '%s' does not apply to tui (w in "
				    "the view writes the shown packets)",
				    argv[optind - 1]);
	}

	if (c->capture) {
		if (nwords) {
			if (c->bpf)
				usage_error("give the filter with -f or as "
					    "words, not both");
			c->bpf_joined = join_words((int)nwords, words);
			c->bpf = c->bpf_joined;
		}
	} else {
		for (unsigned i = 0; i < nwords; i++)
			add_str(&c->files, &c->nfiles, words[i]);
		if (c->nfiles == 0)
			usage_error("no capture file given");
		for (unsigned i = 0; c->two_pass && i < c->nfiles; i++)
			if (!ns_source_rereadable(c->files[i]))
				usage_error(
				    "-2 reads every file twice, and "
				    "'%s' cannot be read twice (standard "
				    "input or a pipe): save it to a file "
				    "first",
				    c->files[i]);
	}
	free(words);

	if (!c->writing &&
	    (c->wo.rotate_bytes || c->wo.rotate_secs || c->wo.max_files))
		usage_error("-C, -G and -W need -w FILE");
	if (c->wo.max_files && !c->wo.rotate_bytes && !c->wo.rotate_secs)
		usage_error("-W needs -C or -G");
	if (c->writing && strcmp(c->wo.path, "-") == 0) {
		if (c->wo.rotate_bytes || c->wo.rotate_secs)
			usage_error("cannot rotate standard output (-w -)");
		if (c->print)
			usage_error("-P with -w - would mix text into the "
				    "pcap stream");
	}
	if (c->format == NS_OUT_FIELDS && c->nefields == 0)
		usage_error("-T fields needs at least one -e FIELD");
	if (c->nefields && c->format != NS_OUT_FIELDS)
		usage_error("-e needs -T fields");
	if (c->neopts && c->format != NS_OUT_FIELDS)
		usage_error("-E needs -T fields");
}

static const char *default_interface(char *buf, size_t len)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all = NULL;
	if (pcap_findalldevs(&all, ebuf) < 0 || !all)
		return NULL;
	const pcap_if_t *pick = NULL;
	for (const pcap_if_t *d = all; d && !pick; d = d->next)
		if (!(d->flags & PCAP_IF_LOOPBACK) && (d->flags & PCAP_IF_UP))
			pick = d;
	if (!pick)
		pick = all;
	snprintf(buf, len, "%s", pick->name);
	pcap_freealldevs(all);
	return buf;
}

/* As tcpdump -Z: only when running as root; the output file is opened
 * afterwards, as the unprivileged user. */
static int drop_privileges(const char *user)
{
	if (getuid() != 0 && geteuid() != 0)
		return 0;
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		fprintf(stderr, "netscope: -Z: unknown user '%s'\n", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		fprintf(stderr, "netscope: -Z: cannot become '%s': %s\n", user,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int setup_output(struct cli *c, struct ns_output *out,
			struct ns_run *run)
{
	int text = !c->quiet && (!c->writing || c->print);
	if (!text)
		return 0;
	memset(out, 0, sizeof(*out));
	out->fp = stdout;
	out->format = c->format;
	out->verbose = c->verbose;
	out->hex = c->hex;
	out->eopt = c->eopt;
	if (c->nefields) {
		out->efields = calloc(c->nefields, sizeof(*out->efields));
		if (!out->efields) {
			fputs("netscope: out of memory\n", stderr);
			return -1;
		}
		for (unsigned i = 0; i < c->nefields; i++) {
			out->efields[i] = ns_field_by_name(c->efields[i]);
			if (!out->efields[i])
				usage_error("-e: unknown field '%s' (see "
					    "'netscope fields')",
					    c->efields[i]);
		}
		out->nefields = c->nefields;
	}
	run->out = out;
	return 0;
}

/* Reads a --proto-descriptor file; NULL after saying why it cannot. */
static struct ns_pbschema *load_proto_desc(const char *path)
{
	char perr[256];
	struct ns_pbschema *pb = ns_pbschema_load(path, perr, sizeof(perr));
	if (!pb)
		fprintf(stderr,
			"netscope: --proto-descriptor: cannot read '%s': %s\n",
			path, perr);
	return pb;
}

/* Compiles a display filter; NULL after printing where it is wrong. */
static struct ns_dfilter *compile_filter(const char *expr)
{
	struct ns_dfilter_error e;
	struct ns_dfilter *df = ns_dfilter_compile(expr, &e);
	if (df)
		return df;
	if (e.col)
		fprintf(stderr, "netscope: filter: column %u: %s\n", e.col,
			e.msg);
	else
		fprintf(stderr, "netscope: filter: %s\n", e.msg);
	return NULL;
}

static const char filter_check_help[] =
    "Usage: netscope filter-check EXPR\n"
    "Check a display filter (as given to -Y) without reading packets.\n"
    "A valid filter is printed fully parenthesised, showing how it was\n"
    "read; an invalid one gets an error naming the column, and exit\n"
    "status 2.\n";

static int cmd_filter_check(int argc, char **argv)
{
	if (want_help(argc, argv, filter_check_help))
		return 0;
	if (argc != 2)
		usage_error(argc < 2
				? "no filter given"
				: "give the filter as one argument (quote it)");
	ns_registry_init();
	struct ns_dfilter *df = compile_filter(argv[1]);
	if (!df)
		return EXIT_USAGE;
	struct ns_buf b = {0};
	ns_dfilter_explain(df, &b);
	ns_buf_putc(&b, '\n');
	ns_buf_write(&b, stdout);
	ns_buf_free(&b);
	ns_dfilter_free(df);
	return 0;
}

static int cmd_capture_or_read(int argc, char **argv, int capture)
{
	struct cli c;
	memset(&c, 0, sizeof(c));
	c.capture = capture;
	if (want_help(argc, argv, capture ? capture_help : read_help))
		return 0;
	parse_cli(&c, argc, argv);
	ns_registry_init();

	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	struct ns_run run;
	struct ns_output out;
	struct ns_engine eng;
	void *report[NS_NELEM(c.report_arg)] = {0};
	struct ns_dnstally dnstally = {0};
	int reporting = 0;
	struct ns_pbschema *pbschema = NULL;
	ns_run_init(&run);
	run.max_count = c.count;
	run.duration_ns = c.duration_ns;
	run.timeout_ms = c.live.timeout_ms;
	run.wo = c.writing ? &c.wo : NULL;
	memset(&out, 0, sizeof(out));
	memset(&eng, 0, sizeof(eng));
	int status = 0;
	if (c.dfilter) {
		run.dfilter = compile_filter(c.dfilter);
		if (!run.dfilter) {
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (setup_output(&c, &out, &run) < 0) {
		status = EXIT_RUNTIME;
		goto out;
	}
	if (ns_engine_init(&eng, c.max_flows) < 0) {
		fputs("netscope: out of memory\n", stderr);
		status = EXIT_RUNTIME;
		goto out;
	}
	run.eng = &eng;
	if (c.proto_desc) {
		pbschema = load_proto_desc(c.proto_desc);
		if (!pbschema) {
			status = EXIT_USAGE;
			goto out;
		}
		eng.pbschema = pbschema;
	}
	for (unsigned i = 0; i < ns_nreports && i < NS_NELEM(report); i++) {
		if (!c.report_arg[i])
			continue;
		char rerr[256];
		report[i] = ns_reports[i]->start(&eng, c.report_arg[i], rerr,
						 sizeof(rerr));
		if (!report[i]) {
			fprintf(stderr, "netscope: %s\n", rerr);
			status = EXIT_USAGE;
			goto out;
		}
		reporting = 1;
	}
	run.dissect = run.out || reporting;
	/* DNS queries never answered, told at the end (its line) */
	if (run.dissect || run.dfilter)
		ns_dnstally_start(&dnstally, &eng);
	ns_run_signals();
	if (c.two_pass && (run.dissect || run.dfilter))
		ns_run_first_pass(&run, c.files, c.nfiles, c.bpf);

	char err[PCAP_ERRBUF_SIZE + 256], warn[PCAP_ERRBUF_SIZE + 64];
	if (capture) {
		char ifbuf[256];
		if (!c.live.iface) {
			c.live.iface = default_interface(ifbuf, sizeof(ifbuf));
			if (!c.live.iface) {
				fputs("netscope: no interface to capture on "
				      "(see 'netscope interfaces'; use -i)\n",
				      stderr);
				status = EXIT_RUNTIME;
				goto out;
			}
		}
		struct ns_source src;
		if (ns_source_open_live(&src, &c.live, err, sizeof(err), warn,
					sizeof(warn)) < 0) {
			fprintf(stderr,
				"netscope: cannot open interface '%s': %s\n",
				c.live.iface, err);
			status = EXIT_RUNTIME;
			goto out;
		}
		if (*warn)
			fprintf(stderr, "netscope: warning: %s: %s\n",
				c.live.iface, warn);
		if (c.bpf &&
		    ns_source_set_filter(&src, c.bpf, err, sizeof(err)) < 0) {
			fprintf(stderr, "netscope: capture filter '%s': %s\n",
				c.bpf, err);
			ns_source_close(&src);
			status = EXIT_USAGE;
			goto out;
		}
		if ((c.user && drop_privileges(c.user) < 0) ||
		    ns_run_writer(&run, &src, !c.wo.rotate_secs) < 0) {
			ns_source_close(&src);
			status = EXIT_RUNTIME;
			goto out;
		}
		if (!c.quiet) {
			const char *lt =
			    pcap_datalink_val_to_name(src.linktype);
			const char *ld =
			    pcap_datalink_val_to_description(src.linktype);
			fprintf(stderr,
				"netscope: listening on %s, link-type %s (%s), "
				"snapshot length %d bytes\n",
				src.name, lt ? lt : "?", ld ? ld : "?",
				src.snaplen);
		}
		if (ns_run_live(&run, &src) < 0)
			status = EXIT_RUNTIME;
		struct pcap_stat st;
		int have_stats = pcap_stats(src.p, &st) == 0;
		if (ns_run_finish(&run) < 0)
			status = EXIT_RUNTIME;
		fprintf(stderr, "%llu packet%s captured\n",
			(unsigned long long)run.seen, run.seen == 1 ? "" : "s");
		if (have_stats) {
			fprintf(stderr, "%u packet%s received by filter\n",
				st.ps_recv, st.ps_recv == 1 ? "" : "s");
			fprintf(stderr, "%u packet%s dropped by kernel\n",
				st.ps_drop, st.ps_drop == 1 ? "" : "s");
			if (st.ps_ifdrop)
				fprintf(stderr,
					"%u packet%s dropped by interface\n",
					st.ps_ifdrop,
					st.ps_ifdrop == 1 ? "" : "s");
		}
		ns_source_close(&src);
	} else {
		for (unsigned i = 0; i < c.nfiles && !run.stop && !ns_signalled;
		     i++) {
			struct ns_source src;
			if (ns_source_open_file(&src, c.files[i], err,
						sizeof(err)) < 0) {
				fprintf(stderr,
					"netscope: cannot open '%s': %s\n",
					c.files[i], err);
				status = EXIT_RUNTIME;
				continue;
			}
			if (c.bpf && ns_source_set_filter(&src, c.bpf, err,
							  sizeof(err)) < 0) {
				fprintf(stderr,
					"netscope: capture filter '%s': %s\n",
					c.bpf, err);
				ns_source_close(&src);
				ns_run_finish(&run);
				status = EXIT_USAGE;
				goto out;
			}
			if (ns_run_writer(&run, &src, !c.wo.rotate_secs) < 0 ||
			    ns_run_file(&run, &src) < 0)
				status = EXIT_RUNTIME;
			ns_source_close(&src);
			if (run.failed && run.stop)
				break;
		}
		if (ns_run_finish(&run) < 0)
			status = EXIT_RUNTIME;
	}
	/* end every flow (the conversations report gets the survivors), then
	 * the reports, after the packet lines */
	ns_engine_finish(&eng);
	for (unsigned i = 0; i < ns_nreports && i < NS_NELEM(report); i++) {
		if (report[i])
			ns_reports[i]->finish(report[i], stdout);
		report[i] = NULL; /* finish freed it */
	}
	fflush(stdout);
	ns_engine_report(&eng, stderr, capture && (run.dissect || run.dfilter));
	ns_dnstally_print(&dnstally, stderr); /* once the flows have ended */
	if (run.failed)
		status = EXIT_RUNTIME;
out:
	/* on an early exit: no reports, just give everything back */
	memset(&eng.bus, 0, sizeof(eng.bus));
	ns_engine_finish(&eng);
	for (unsigned i = 0; i < ns_nreports && i < NS_NELEM(report); i++)
		if (report[i])
			ns_reports[i]->free(report[i]);
	ns_pbschema_free(pbschema);
	if (run.out)
		ns_output_free(run.out);
	ns_dfilter_free(run.dfilter);
	free(out.efields);
	free((void *)c.efields);
	free((void *)c.files);
	free(c.bpf_joined);
	return status;
}

/* Opens the live source as capture does (interface, BPF, -Z); 0, or the
 * exit status after printing why not. */
static int open_live(struct cli *c, struct ns_source *src)
{
	char err[PCAP_ERRBUF_SIZE + 256], warn[PCAP_ERRBUF_SIZE + 64];
	/* cppcheck-suppress variableScope ; c->live.iface points into it
	 * until the function returns */
	char ifbuf[256];
	if (!c->live.iface) {
		c->live.iface = default_interface(ifbuf, sizeof(ifbuf));
		if (!c->live.iface) {
			fputs("netscope: no interface to capture on (see "
			      "'netscope interfaces'; use -i)\n",
			      stderr);
			return EXIT_RUNTIME;
		}
	}
	if (ns_source_open_live(src, &c->live, err, sizeof(err), warn,
				sizeof(warn)) < 0) {
		fprintf(stderr, "netscope: cannot open interface '%s': %s\n",
			c->live.iface, err);
		return EXIT_RUNTIME;
	}
	if (*warn)
		fprintf(stderr, "netscope: warning: %s: %s\n", c->live.iface,
			warn);
	if (c->bpf && ns_source_set_filter(src, c->bpf, err, sizeof(err)) < 0) {
		fprintf(stderr, "netscope: capture filter '%s': %s\n", c->bpf,
			err);
		ns_source_close(src);
		return EXIT_USAGE;
	}
	if (c->user && drop_privileges(c->user) < 0) {
		ns_source_close(src);
		return EXIT_RUNTIME;
	}
	return 0;
}

static int cmd_tui(int argc, char **argv)
{
	struct cli c;
	memset(&c, 0, sizeof(c));
	c.capture = 1;
	c.tui = 1;
	if (want_help(argc, argv, tui_help))
		return 0;
	parse_cli(&c, argc, argv);
	if (c.nfiles > 1)
		usage_error("tui shows one file (-r FILE)");
	if (c.nfiles && c.live.iface)
		usage_error("give -i IFACE or -r FILE, not both");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		usage_error("tui needs a terminal (use capture or read "
			    "otherwise)");
	ns_registry_init();
	struct ns_pbschema *pbschema = NULL;
	if (c.proto_desc) {
		pbschema = load_proto_desc(c.proto_desc);
		if (!pbschema)
			return EXIT_USAGE;
	}
	struct ns_source src;
	int status = 0;
	if (c.nfiles) {
		char err[PCAP_ERRBUF_SIZE + 256];
		if (ns_source_open_file(&src, c.files[0], err, sizeof(err)) <
		    0) {
			fprintf(stderr, "netscope: cannot open '%s': %s\n",
				c.files[0], err);
			status = EXIT_RUNTIME;
		} else if (c.bpf && ns_source_set_filter(&src, c.bpf, err,
							 sizeof(err)) < 0) {
			fprintf(stderr, "netscope: capture filter '%s': %s\n",
				c.bpf, err);
			ns_source_close(&src);
			status = EXIT_USAGE;
		}
	} else {
		status = open_live(&c, &src);
	}
	if (status == 0) {
		struct ns_tui_opts o = {.src = &src,
					.dfilter = c.dfilter,
					.count = c.count,
					.duration_ns = c.duration_ns,
					.max_flows = c.max_flows,
					.pbschema = pbschema,
					.bpf = c.bpf};
		status = ns_tui_run(&o);
		ns_source_close(&src);
	}
	ns_pbschema_free(pbschema);
	free((void *)c.files);
	free(c.bpf_joined);
	return status;
}

static int cmd_interfaces(int argc, char **argv)
{
	if (want_help(argc, argv, interfaces_help))
		return 0;
	if (argc > 1)
		usage_error("unexpected argument '%s'", argv[1]);
	char err[PCAP_ERRBUF_SIZE];
	if (ns_list_interfaces(stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "netscope: cannot list interfaces: %s\n", err);
		return EXIT_RUNTIME;
	}
	return 0;
}

static int cmd_fields(int argc, char **argv)
{
	if (want_help(argc, argv, fields_help))
		return 0;
	if (argc > 2)
		usage_error("unexpected argument '%s'", argv[2]);
	ns_registry_init();
	const char *proto = argc == 2 ? argv[1] : NULL;
	if (proto) {
		const struct ns_field *p = ns_field_by_name(proto);
		if (!p || p->type != NS_FT_PROTO)
			usage_error("unknown protocol '%s'", proto);
	}
	for (uint32_t id = 0; id < ns_field_count(); id++) {
		const struct ns_field *f = ns_field_by_id(id);
		if (proto && strcmp(f->proto->name, proto) != 0)
			continue;
		printf("%s\t%s\t%s\n", f->name, ns_ftype_ws_name(f), f->title);
	}
	return 0;
}

static void print_version(void)
{
	printf("netscope %s\n", PACKAGE_VERSION);
	printf("%s\n", pcap_lib_version());
	printf("nghttp2 %s, protobuf-c %s, %s\n",
	       nghttp2_version(0)->version_str, protobuf_c_version(),
	       curses_version());
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(general_help, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		if (argc > 2 && strcmp(cmd, "help") == 0) {
			char *v[] = {argv[2], "--help", NULL};
			argv = v;
			cmd = argv[0];
			cmd_name = cmd;
			if (strcmp(cmd, "capture") == 0)
				fputs(capture_help, stdout);
			else if (strcmp(cmd, "read") == 0)
				fputs(read_help, stdout);
			else if (strcmp(cmd, "interfaces") == 0)
				fputs(interfaces_help, stdout);
			else if (strcmp(cmd, "fields") == 0)
				fputs(fields_help, stdout);
			else if (strcmp(cmd, "filter-check") == 0)
				fputs(filter_check_help, stdout);
			else if (strcmp(cmd, "tui") == 0)
				fputs(tui_help, stdout);
			else {
				cmd_name = "netscope";
				usage_error("unknown command '%s'", cmd);
			}
			return 0;
		}
		fputs(general_help, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		print_version();
		return 0;
	}
	cmd_name = cmd;
	if (strcmp(cmd, "capture") == 0)
		return cmd_capture_or_read(argc - 1, argv + 1, 1);
	if (strcmp(cmd, "read") == 0)
		return cmd_capture_or_read(argc - 1, argv + 1, 0);
	if (strcmp(cmd, "interfaces") == 0)
		return cmd_interfaces(argc - 1, argv + 1);
	if (strcmp(cmd, "fields") == 0)
		return cmd_fields(argc - 1, argv + 1);
	if (strcmp(cmd, "filter-check") == 0)
		return cmd_filter_check(argc - 1, argv + 1);
	if (strcmp(cmd, "tui") == 0)
		return cmd_tui(argc - 1, argv + 1);
	cmd_name = "netscope";
	if (cmd[0] == '-')
		usage_error("unknown option '%s' (a command comes first: "
			    "capture, read, interfaces, fields, filter-check)",
			    cmd);
	usage_error("unknown command '%s'", cmd);
}
