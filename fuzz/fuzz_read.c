/*
 * fuzz_read — libFuzzer target for the whole `netscope read` path: a
 * capture file as it arrives from the disk, through libpcap's pcap and
 * pcapng readers, the engine, every report and every output format.
 *
 * Byte 0 chooses the options (each bit one group), the rest of the input
 * is the file:
 *
 *   bit 0   -2 (two passes: response_in, the first pass's state)
 *   bit 1   --conversations --calls -z grpc,srt -z http,srt -z dns,srt
 *           -z conn,timing -z sse,stat (the reports and tables at the end)
 *   bit 2   -z follow,tcp,ascii,0
 *   bit 3   -w FILE (the pcap writer, through its temporary name)
 *   bits 4-5  output: 0 text -v -x, 1 -T json -x, 2 -T ndjson,
 *             3 -T fields with a few columns of every kind
 *   bit 6   -Y 'tcp || udp || http2 || dns' (the display filter on every
 *           packet, and what -w writes)
 *   bit 7   --max-state 1 (the memory budget's refusals)
 *
 * The file is written to a memfd and read by name (/proc/self/fd/N), so
 * libpcap opens it as `netscope read` does.  stdout goes to /dev/null;
 * messages on stderr stay, as the real program prints them.  The command
 * is the product's own (ns_cli_cmd_read), so every input also runs its
 * cleanup: LeakSanitizer sees a leak anywhere in the read path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int in_fd = -1;
static char in_path[64];
static char out_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!freopen("/dev/null", "w", stdout))
		abort();
	in_fd = memfd_create("fuzz-read-input", 0);
	if (in_fd < 0)
		abort();
	snprintf(in_path, sizeof(in_path), "/proc/self/fd/%d", in_fd);
	const char *tmp = getenv("TMPDIR");
	snprintf(out_path, sizeof(out_path), "%s/fuzz-read-%ld.pcap",
		 tmp && strlen(tmp) < 32 ? tmp : "/tmp", (long)getpid());
	ns_cli_command = "read";
	return 0;
}

static int write_input(const uint8_t *data, size_t size)
{
	if (ftruncate(in_fd, 0) != 0)
		return -1;
	size_t off = 0;
	while (off < size) {
		ssize_t n = pwrite(in_fd, data + off, size - off, (off_t)off);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

#define ARGV_MAX 48

static void add(char **argv, int *argc, const char *s)
{
	if (*argc < ARGV_MAX - 1)
		argv[(*argc)++] = (char *)s;
}

static void output_options(char **argv, int *argc, unsigned kind)
{
	switch (kind) {
	case 0:
		add(argv, argc, "-v");
		add(argv, argc, "-x");
		break;
	case 1:
		add(argv, argc, "-T");
		add(argv, argc, "json");
		add(argv, argc, "-x");
		break;
	case 2:
		add(argv, argc, "-T");
		add(argv, argc, "ndjson");
		break;
	default:
		add(argv, argc, "-T");
		add(argv, argc, "fields");
		add(argv, argc, "-E");
		add(argv, argc, "occurrence=a");
		/* an integer, an address, a string, bytes, a time, a name */
		add(argv, argc, "-e");
		add(argv, argc, "frame.number");
		add(argv, argc, "-e");
		add(argv, argc, "ip.src");
		add(argv, argc, "-e");
		add(argv, argc, "http2.header.value");
		add(argv, argc, "-e");
		add(argv, argc, "tcp.payload");
		add(argv, argc, "-e");
		add(argv, argc, "frame.time_relative");
		add(argv, argc, "-e");
		add(argv, argc, "dns.qry.name");
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || write_input(data + 1, size - 1) != 0)
		return 0;
	unsigned opt = data[0];
	char *argv[ARGV_MAX];
	int argc = 0;
	add(argv, &argc, "read");
	if (opt & 1)
		add(argv, &argc, "-2");
	if (opt & 2) {
		add(argv, &argc, "--conversations");
		add(argv, &argc, "--calls");
		static const char *const z[] = {"grpc,srt", "http,srt",
						"dns,srt", "conn,timing",
						"sse,stat"};
		for (unsigned i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
			add(argv, &argc, "-z");
			add(argv, &argc, z[i]);
		}
	}
	if (opt & 4) {
		add(argv, &argc, "-z");
		add(argv, &argc, "follow,tcp,ascii,0");
	}
	if (opt & 8) {
		add(argv, &argc, "-w");
		add(argv, &argc, out_path);
	}
	output_options(argv, &argc, (opt >> 4) & 3);
	if (opt & 64) {
		add(argv, &argc, "-Y");
		add(argv, &argc, "tcp || udp || http2 || dns");
	}
	if (opt & 128) {
		add(argv, &argc, "--max-state");
		add(argv, &argc, "1");
	}
	add(argv, &argc, in_path);
	argv[argc] = NULL;
	ns_cli_cmd_read(argc, argv);
	fflush(stdout);
	unlink(out_path);
	return 0;
}
