/*
 * usage — what the user reads when asking for help or getting the command
 * line wrong: the help text of each command, and the one format of a
 * usage error.
 *
 * A usage error is two lines on standard error and exit status 2:
 * "netscope: CMD: reason" (no "CMD: " before a command is known) and a
 * hint pointing at the help that would have answered it.  Help goes to
 * standard output with status 0, except `netscope` alone, whose general
 * help is the usage error (main.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

const char *ns_cli_command = "netscope";
int ns_cli_implied;
int ns_cli_err_color;

int ns_cli_color_wanted(const char *when, int fd)
{
	if (strcmp(when, "always") == 0)
		return 1;
	if (strcmp(when, "never") == 0)
		return 0;
	const char *no = getenv("NO_COLOR"); /* no-color.org */
	const char *term = getenv("TERM");
	return isatty(fd) && !(no && *no) && !(term && !strcmp(term, "dumb"));
}

void ns_cli_color_init(int argc, char **argv)
{
	const char *when = "auto";
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strncmp(argv[i], "--color=", 8) == 0)
			when = argv[i] + 8;
	ns_cli_err_color = ns_cli_color_wanted(when, STDERR_FILENO);
}

void ns_cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs(ns_cli_err_color ? "\033[31mnetscope: " : "netscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(ns_cli_err_color ? "\033[0m\n" : "\n", stderr);
}

void ns_cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs(ns_cli_err_color ? "\033[31mnetscope: " : "netscope: ", stderr);
	if (strcmp(ns_cli_command, "netscope") != 0)
		fprintf(stderr, "%s: ", ns_cli_command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (ns_cli_err_color)
		fputs("\033[0m", stderr);
	if (strcmp(ns_cli_command, "netscope") != 0)
		fprintf(stderr, "\nTry 'netscope %s --help'.\n",
			ns_cli_command);
	else
		fprintf(stderr, "\nTry 'netscope --help'.\n");
	exit(NS_EXIT_USAGE);
}

int ns_cli_want_help(int argc, char **argv, const char *text)
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

const char ns_cli_help_general[] =
    "Usage: netscope COMMAND [OPTIONS]\n"
    "Packet capture and protocol analysis.\n"
    "\n"
    "Commands:\n"
    "  capture     capture live from an interface (like tcpdump -i)\n"
    "  read        analyse pcap/pcapng files ('-' for stdin)\n"
    "  summary     what is in capture files, on one screen\n"
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
	"  -x, -X, --hex           hex and ASCII dump of each packet (with\n"  \
	"                          -T json|ndjson: the bytes as \"raw\")\n"    \
	"  -A                      each packet past its link header as text\n" \
	"                          (tcpdump -A)\n"                             \
	"  -t, -tt, -ttt, -tttt, -ttttt\n"                                     \
	"                          tcpdump's time: none, epoch, delta,\n"      \
	"                          date and time, since the first\n"           \
	"  -t a|ad|d|dd|e|r|u|ud   tshark's time: absolute, with date, "       \
	"delta,\n"                                                             \
	"                          delta shown, epoch, relative (default),\n"  \
	"                          UTC, UTC with date\n"                       \
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
	"      --tls-keylog FILE   decrypt TLS with the secrets of an NSS "    \
	"key\n"                                                                \
	"                          log (SSLKEYLOGFILE); also tshark's\n"       \
	"                          -o tls.keylog_file:FILE\n"                  \
	"      --conversations     one line per connection at the end (also\n" \
	"                          -z conv,tcp and -z conv,udp)\n"             \
	"      --calls             one line per HTTP/2 stream, gRPC call and " \
	"SSE\n"                                                                \
	"                          stream at the end\n"                        \
	"  -z follow,tcp|tls,raw|ascii|hex,N\n"                                \
	"                          the reassembled bytes of TCP stream N\n"    \
	"                          (tls: decrypted application data)\n"        \
	"  -z grpc,srt             per gRPC method: calls, errors, "           \
	"statuses,\n"                                                          \
	"                          latency min/p50/p90/p99/max (ms)\n"         \
	"  -z http,srt             the same per HTTP method and path\n"        \
	"  -z dns,srt[,N]          DNS per query type and the N most "         \
	"queried\n"                                                            \
	"                          names; search walks (ndots)\n"              \
	"  -z conn,timing          per TCP connection, curl -w's times: "      \
	"DNS,\n"                                                               \
	"                          connect, TLS, first byte, total\n"          \
	"  -z sse,stat             one row per SSE stream: events, time to\n"  \
	"                          first event, gaps mean/p99/max (ms)\n"      \
	"  -z io,stat,INTERVAL[,FILTER...]\n"                                  \
	"                          frames and bytes per interval and filter\n" \
	"  -z endpoints,ip|ipv6|tcp|udp[,FILTER]\n"                            \
	"                          packets and bytes per endpoint\n"           \
	"  -z expert[,error|warn|note|chat]\n"                                 \
	"                          what the dissectors flagged, by kind\n"     \
	"      --records FILE      a JSON line per finished connection, DNS\n" \
	"                          transaction, TLS handshake, HTTP "          \
	"exchange,\n"                                                          \
	"                          gRPC call and SSE stream ('-': stdout;\n"   \
	"                          rotates with -G/-C/-W as -w)\n"             \
	"      --sensor NAME       the records' sensor (default: host name)\n" \
	"      --records-payload   headers and gRPC messages in the records\n" \
	"  -z summary              what is in the capture, on one screen\n"    \
	"                          (reports go to standard error when\n"       \
	"                          stdout is -T json|ndjson|fields or -w -,\n" \
	"                          unless -q; with -T json|ndjson the "        \
	"tables\n"                                                             \
	"                          are JSON objects)\n"                        \
	"      --color[=WHEN]      colour lines by protocol and errors in "    \
	"red:\n"                                                               \
	"                          auto (a terminal, no NO_COLOR), always,\n"  \
	"                          never\n"                                    \
	"  -l, --line-buffered     standard output line by line (tcpdump "     \
	"-l;\n"                                                                \
	"                          live output is flushed per block anyway)\n" \
	"  -d SELECTOR==VALUE,PROTOCOL\n"                                      \
	"                          decode as tshark -d (tcp.port, udp.port,\n" \
	"                          eth.type, ip.proto); -d help lists them\n"  \
	"      --max-flows N       flows tracked at once (default 100000)\n"   \
	"      --max-state MiB     memory for what dissectors keep per\n"      \
	"                          connection (default 256)\n"                 \
	"      --metrics ADDR:PORT serve Prometheus metrics on\n"              \
	"                          http://ADDR:PORT/metrics while it runs\n"   \
	"                          ([ADDR]:PORT for IPv6)\n"                   \
	"  -h, --help              this help\n"

const char ns_cli_help_capture[] =
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
    "  -B, --buffer-size MiB   kernel capture buffer size (default 32)\n"
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

const char ns_cli_help_read[] =
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

const char ns_cli_help_tui[] =
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
    "      --tls-keylog FILE   decrypt TLS with this NSS key log\n"
    "      --metrics ADDR:PORT serve Prometheus metrics there (as capture)\n"
    "  -h, --help              this help\n";

const char ns_cli_help_summary[] =
    "Usage: netscope summary [OPTIONS] FILE…\n"
    "What is in capture files, on one screen: each file's format, size,\n"
    "link type and snap length; packets, bytes, time span and rates;\n"
    "expert counts; the protocol hierarchy (as tshark -z io,phs); the top\n"
    "talkers and conversations; gRPC methods and HTTP paths with their\n"
    "errors and latencies; DNS failures; TLS servers by SNI.  The same as\n"
    "'netscope read -q -z summary', and read's options apply (-Y, -f,\n"
    "-2, --proto-descriptor).\n";

const char ns_cli_help_interfaces[] =
    "Usage: netscope interfaces\n"
    "List the interfaces that 'netscope capture -i' can open, numbered, with\n"
    "their state (as tcpdump -D).\n";

const char ns_cli_help_fields[] =
    "Usage: netscope fields [PROTO]\n"
    "List every protocol and field netscope records, one a line,\n"
    "tab-separated: name, type (Wireshark's: FT_PROTOCOL, FT_UINT16,\n"
    "FT_IPv4, ...), description.  With PROTO (e.g. tcp), only that\n"
    "protocol's fields.  These names are the ones -T fields -e accepts\n"
    "and the keys of -T json.\n";

const char ns_cli_help_filter_check[] =
    "Usage: netscope filter-check EXPR\n"
    "Check a display filter (as given to -Y) without reading packets.\n"
    "A valid filter is printed fully parenthesised, showing how it was\n"
    "read; an invalid one gets an error naming the column, and exit\n"
    "status 2.\n";
