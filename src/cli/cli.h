/*
 * cli — what the files of the command line share: the parsed options
 * (struct cli), the usage texts and errors, the opening of what the
 * options name, and the commands main() dispatches to.
 *
 *   main.c      which command runs (and `help CMD`, `--version`)
 *   usage.c     the help texts and the one usage-error format
 *   options.c   argv into struct cli, with every usage check
 *   open.c      sources (interface or file, BPF, -Z), display filter,
 *               protobuf schema: opened with the messages that say why not
 *   capture.c   capture and read: engine, reports, output, the run, the
 *               end-of-run lines
 *   commands.c  interfaces, fields, filter-check, tui
 *
 * Exit status: 0 success, 1 runtime failure, 2 usage error.  A usage
 * error prints one line with the reason and one with a hint, and exits.
 */
#ifndef NS_CLI_H
#define NS_CLI_H

#include <stdint.h>

#include "capture/source.h"
#include "capture/writer.h"
#include "output/output.h"

struct ns_dfilter;
struct ns_pbschema;

enum { NS_EXIT_RUNTIME = 1, NS_EXIT_USAGE = 2 };

/* room for every report in ns_reports[] (reports/report.h) */
#define NS_CLI_MAX_REPORTS 16

/* What one command line asks for; zeroed, then filled by ns_cli_parse(). */
struct cli {
	int capture; /* 1: capture, 0: read */
	int tui;     /* netscope tui: capture options, or -r FILE */
	struct ns_live_opts live;
	char ifbuf[256]; /* the default interface's name, when no -i */
	const char *bpf;
	char *bpf_joined;
	const char *dfilter; /* -Y */
	uint64_t count;
	int64_t duration_ns;
	struct ns_writer_opts wo;
	int writing;
	const char *user;
	int print, quiet, verbose, hex;
	int line_buffered;	/* -l: stdout line by line, as tcpdump -l */
	const char **decode_as; /* -d, in order */
	unsigned ndecode_as;
	const char *color; /* --color: auto (NULL), always, never */
	int ascii;	   /* -A: payload as text, as tcpdump -A */
	int tcount;	   /* tcpdump's -t, -tt, ... -ttttt: how many */
	int tfmt;	   /* enum ns_time_fmt, from -t FORMAT or tcount */
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
	const char *report_arg[NS_CLI_MAX_REPORTS];
	uint32_t max_flows;
	uint32_t max_state_mib; /* --max-state: MiB of application state */
	int two_pass;		/* -2: a first pass leaves notes (run.h) */
	const char *proto_desc; /* --proto-descriptor FILE */
	/* --tls-keylog FILE, or tshark's -o tls.keylog_file:FILE */
	const char *tls_keylog;
	const char *records; /* --records FILE ("-": stdout), or NULL */
	const char *sensor;  /* --sensor NAME */
	int records_payload; /* --records-payload */
	const char *metrics; /* --metrics ADDR:PORT: serve /metrics there */
};

/* usage.c: the command being run ("capture"), or "netscope" before one is
 * known; usage errors name it and point at its --help. */
extern const char *ns_cli_command;
/* main.c: 1 when the command was implied (tcpdump's form, no command) */
extern int ns_cli_implied;
/* usage.c: errors in red (--color, NO_COLOR, standard error a terminal) */
extern int ns_cli_err_color;
/* Whether to colour output to fd for --color=WHEN (auto|always|never). */
int ns_cli_color_wanted(const char *when, int fd);
/* Sets ns_cli_err_color from argv's --color=WHEN (before parsing, so the
 * usage errors of the parse are coloured as asked). */
void ns_cli_color_init(int argc, char **argv);
/* "netscope: " fmt "\n" on standard error, in red when coloured. */
void ns_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

extern const char ns_cli_help_general[];
extern const char ns_cli_help_capture[];
extern const char ns_cli_help_read[];
extern const char ns_cli_help_tui[];
extern const char ns_cli_help_interfaces[];
extern const char ns_cli_help_fields[];
extern const char ns_cli_help_filter_check[];
extern const char ns_cli_help_summary[];

/* "netscope: CMD: reason" and "Try 'netscope CMD --help'.", exit 2. */
void ns_cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
/* 1 after printing text when -h or --help comes before any "--". */
int ns_cli_want_help(int argc, char **argv, const char *text);

/* options.c: fills c (c->capture and c->tui set by the caller) from the
 * command's arguments (argv[0] is the command); exits on a usage error. */
void ns_cli_parse(struct cli *c, int argc, char **argv);
/* Frees what ns_cli_parse() allocated. */
void ns_cli_free(struct cli *c);

/* open.c: each returns 0, or the exit status after printing why not.
 * The live source is the interface (-i or the default one) with its BPF
 * filter, privileges dropped after (-Z); a file source gets the BPF
 * filter too.  On failure nothing is left open. */
int ns_cli_open_live(struct cli *c, struct ns_source *src);
int ns_cli_open_file(const struct cli *c, const char *path,
		     struct ns_source *src);
/* NULL after printing where the display filter is wrong. */
struct ns_dfilter *ns_cli_compile_filter(const char *expr);
/* -d SELECTOR==VALUE,PROTOCOL (tshark's Decode As): binds PROTOCOL in the
 * dispatch table SELECTOR names; a bad one is a usage error.  Call after
 * ns_registry_init(). */
void ns_cli_decode_as(const char *spec);
/* What -d can name (-d help). */
void ns_cli_decode_as_help(FILE *out);
/* NULL after printing why the --proto-descriptor file cannot be read. */
struct ns_pbschema *ns_cli_load_proto_desc(const char *path);
/* Reads the --tls-keylog file into kl (taking its memory from mem),
 * telling malformed lines; -1 after printing why it cannot be read.
 * live (capture): a file that does not exist yet is followed as it will
 * be written. */
struct ns_keylog;
struct ns_mem;
int ns_cli_load_keylog(struct ns_keylog *kl, struct ns_mem *mem,
		       const char *path, int live);

/* The commands: argc/argv start at the command's name. */
int ns_cli_cmd_capture(int argc, char **argv);
int ns_cli_cmd_read(int argc, char **argv);
/* summary.c: the facts of each file, then read -q -z summary */
int ns_cli_cmd_summary(int argc, char **argv);
/* The command a line without one means, as tcpdump users type it: "read"
 * when -r (or --read-file) is among the options, "interfaces" for -D,
 * "capture" otherwise. */
const char *ns_cli_implied_command(int argc, char **argv);
int ns_cli_cmd_tui(int argc, char **argv);
int ns_cli_cmd_interfaces(int argc, char **argv);
int ns_cli_cmd_fields(int argc, char **argv);
int ns_cli_cmd_filter_check(int argc, char **argv);

#endif
