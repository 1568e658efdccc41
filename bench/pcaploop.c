/* bench/pcaploop.c: the limit for bench/run.sh, a bare libpcap loop over a
 * capture file that only counts packets and bytes (what reading the file
 * costs before any dissection).  Built by run.sh into bench/out/:
 *
 *     cc -O2 -o bench/out/pcaploop bench/pcaploop.c -lpcap
 *     bench/out/pcaploop FILE      prints "PACKETS packets, BYTES bytes"
 *
 * Not part of netscope: no reader, no arena, nothing but the loop. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>

struct counts {
	uint64_t packets;
	uint64_t bytes;
};

static void count(u_char *user, const struct pcap_pkthdr *h,
		  const u_char *bytes)
{
	struct counts *c = (struct counts *)user;
	(void)bytes;
	c->packets++;
	c->bytes += h->caplen;
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct counts c = {0, 0};
	pcap_t *p;

	if (argc != 2) {
		fprintf(stderr, "usage: pcaploop FILE\n");
		return 2;
	}
	p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcaploop: cannot open %s: %s\n", argv[1], err);
		return 1;
	}
	if (pcap_loop(p, -1, count, (u_char *)&c) == PCAP_ERROR) {
		fprintf(stderr, "pcaploop: reading %s failed: %s\n", argv[1],
			pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("%" PRIu64 " packets, %" PRIu64 " bytes\n", c.packets, c.bytes);
	return 0;
}
