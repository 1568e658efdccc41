/*
 * summary — `netscope summary FILE…`: what is in a capture, on one
 * screen.  First the facts of each file (as capinfos: its format, size,
 * link type, snap length, timestamp precision), then a quiet read with the
 * summary report (src/reports/summary.c) on: the counts, the protocol
 * hierarchy, talkers, conversations, calls, DNS and TLS.  The options of
 * read apply (-Y, -f, -2, --proto-descriptor, ...).
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/source.h"
#include "cli/cli.h"

#define FILES_SHOWN 4

/* One line of facts about a file; 0, or 1 when it cannot be opened (the
 * read that follows says why). */
static int file_line(const char *path)
{
	if (strcmp(path, "-") == 0) {
		printf("File        (standard input)\n");
		return 0;
	}
	struct ns_source src;
	char err[PCAP_ERRBUF_SIZE + 256];
	if (ns_source_open_file(&src, path, err, sizeof(err)) < 0)
		return 1;
	struct stat st;
	long long size = stat(path, &st) == 0 ? (long long)st.st_size : -1;
	const char *lt = pcap_datalink_val_to_name(src.linktype);
	printf("File        %s: %s%s%s, %lld bytes, link %s (%d), snaplen %d, "
	       "%s timestamps\n",
	       path, src.pcapng ? "pcapng" : "pcap",
	       src.format[0] ? " in " : "", src.format, size, lt ? lt : "?",
	       src.linktype, src.snaplen,
	       src.nano ? "nanosecond" : "microsecond");
	ns_source_close(&src);
	return 0;
}

int ns_cli_cmd_summary(int argc, char **argv)
{
	if (ns_cli_want_help(argc, argv, ns_cli_help_summary))
		return 0;
	struct cli c;
	memset(&c, 0, sizeof(c));
	ns_cli_parse(&c, argc, argv); /* the same refusals as read's */
	for (unsigned i = 0; i < c.nfiles && i < FILES_SHOWN; i++)
		file_line(c.files[i]);
	if (c.nfiles > FILES_SHOWN)
		printf("File        ... and %u more\n", c.nfiles - FILES_SHOWN);
	ns_cli_free(&c);
	fflush(stdout);

	/* read -q -z summary, then the user's options and files */
	char **v = calloc((size_t)argc + 4, sizeof(*v));
	if (!v) {
		fputs("netscope: out of memory\n", stderr);
		return NS_EXIT_RUNTIME;
	}
	v[0] = argv[0];
	v[1] = "-q";
	v[2] = "-z";
	v[3] = "summary";
	for (int i = 1; i < argc; i++)
		v[i + 3] = argv[i];
	int status = ns_cli_cmd_read(argc + 3, v);
	free(v);
	return status;
}
