/*
 * netscope — command line: which command runs.
 *
 *   netscope capture [-i IFACE] [options] [BPF…]
 *   netscope read [options] FILE…
 *   netscope summary [options] FILE…
 *   netscope tui [-i IFACE | -r FILE] [options] [BPF…]
 *   netscope interfaces
 *   netscope fields [PROTO]
 *   netscope filter-check EXPR
 *   netscope help [COMMAND], --help, --version
 *   netscope [-r FILE | -i IFACE | -D] [options]   (tcpdump's habit: -r
 *            means read, -D interfaces, anything else capture)
 *
 * This file only dispatches: the options are parsed in options.c, the help
 * texts and the usage-error format are in usage.c, the commands in
 * capture.c (capture, read) and commands.c (the others); cli.h says what
 * each file holds.  Exit status: 0 success, 1 runtime failure, 2 usage
 * error; a usage error prints one line with the reason and one with a
 * hint.
 */
#include "config.h"

#include <ncurses.h>
#include <nghttp2/nghttp2.h>
#include <pcap/pcap.h>
#include <protobuf-c/protobuf-c.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct command {
	const char *name;
	const char *help;
	int (*run)(int argc, char **argv);
} commands[] = {
    {"capture", ns_cli_help_capture, ns_cli_cmd_capture},
    {"read", ns_cli_help_read, ns_cli_cmd_read},
    {"summary", ns_cli_help_summary, ns_cli_cmd_summary},
    {"interfaces", ns_cli_help_interfaces, ns_cli_cmd_interfaces},
    {"fields", ns_cli_help_fields, ns_cli_cmd_fields},
    {"filter-check", ns_cli_help_filter_check, ns_cli_cmd_filter_check},
    {"tui", ns_cli_help_tui, ns_cli_cmd_tui},
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* --help, -h, help: the general help; `help COMMAND`: that command's. */
static int help(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "help") == 0) {
		const struct command *k = find_command(argv[2]);
		if (!k)
			ns_cli_usage_error("unknown command '%s'", argv[2]);
		fputs(k->help, stdout);
		return 0;
	}
	fputs(ns_cli_help_general, stdout);
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
		fputs(ns_cli_help_general, stderr);
		return NS_EXIT_USAGE;
	}
	ns_cli_color_init(argc, argv);
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0)
		return help(argc, argv);
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		print_version();
		return 0;
	}
	const struct command *k = find_command(cmd);
	if (k) {
		ns_cli_command = cmd;
		return k->run(argc - 1, argv + 1);
	}
	if (cmd[0] == '-') {
		/* no command: as tcpdump, -r reads, -D lists, else capture */
		ns_cli_command = ns_cli_implied_command(argc, argv);
		ns_cli_implied = 1;
		if (strcmp(ns_cli_command, "interfaces") == 0) {
			static char *list[] = {"interfaces", NULL};
			return ns_cli_cmd_interfaces(1, list);
		}
		return find_command(ns_cli_command)->run(argc, argv);
	}
	ns_cli_usage_error("unknown command '%s' (the commands: capture, read, "
			   "summary, tui, interfaces, fields, filter-check)",
			   cmd);
}
