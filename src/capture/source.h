/*
 * source — packets from a live interface or a capture file, behind one
 * interface.
 *
 * Live sources are opened with pcap_create()/pcap_activate() (snaplen,
 * promiscuous mode, buffer size, immediate mode, nanosecond timestamps where
 * the platform offers them) and read non-blocking with poll(), so a signal
 * or the -a deadline is noticed at once.  Files (pcap and pcapng, `-` for
 * stdin) are read by libpcap with the precision the file records.  Every
 * timestamp leaves this module as nanoseconds since the epoch.
 */
#ifndef NS_SOURCE_H
#define NS_SOURCE_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel buffer when -B is not given: libpcap's 2 MiB holds about
 * 20 ms at 1 Gbit/s, too little for a capture thread that shares two
 * cores with dissection and the traffic's own programs. */
#define NS_LIVE_BUFFER_MIB 32

struct ns_live_opts {
	const char *iface;
	int snaplen;
	int promisc;
	int buffer_mib; /* 0: NS_LIVE_BUFFER_MIB */
	int immediate;
	int timeout_ms; /* how long the kernel may hold a partly filled block */
};

struct ns_decomp;
struct ns_wtap;

/* -f on a pcapng file: compiled once per link type met (pcap_open_dead +
 * pcap_compile), applied with pcap_offline_filter, so that libpcap hands
 * over every packet it reads (they are counted, see ns_source_wtap) and a
 * file of several link types gets each one's own program. */
#define NS_SOURCE_MAX_BPF 16
struct ns_bpf_lt {
	int linktype;
	struct bpf_program prog;
};

struct ns_source {
	pcap_t *p;
	int live;
	int linktype;
	int nano; /* timestamps are in nanoseconds */
	int snaplen;
	char *iobuf; /* stdio buffer of a file source */
	/* a compressed file's decompressor (decomp.h), or NULL; closed with
	 * the pcap handle */
	struct ns_decomp *dc;
	char format[8]; /* "gzip", "zstd", "lz4", or "" */
	int pcapng;	/* the file (inside) is pcapng */
	char name[256]; /* interface or file, for messages */
	char *path;	/* the file's path as given, to reopen it */
	/* a pcapng of several link types, reopened with libwiretap after
	 * libpcap refused it (wtapsrc.h), or NULL */
	struct ns_wtap *wt;
	uint64_t nread; /* packets libpcap handed over, before -f */
	char *bpf_expr; /* -f on a pcapng file, or NULL */
	struct ns_bpf_lt bpf[NS_SOURCE_MAX_BPF];
	int nbpf;
};

#define NS_SOURCE_IOBUF (1u << 20)

/*
 * Open functions return 0, or -1 with a message in err (the "why" part of
 * "netscope: cannot open …: why").  `warn` receives a non-fatal
 * pcap_activate() warning, or an empty string.
 */
int ns_source_open_live(struct ns_source *s, const struct ns_live_opts *o,
			char *err, size_t errlen, char *warn, size_t warnlen);
int ns_source_open_file(struct ns_source *s, const char *path, char *err,
			size_t errlen);
/* Why reading s failed: the decompressor's reason when it has one (a
 * damaged or cut compressed file), else libpcap's. */
const char *ns_source_error(const struct ns_source *s);

/* 0 when the file cannot be read a second time (`-`, a pipe, a device),
 * as two-pass analysis (-2) needs; 1 otherwise, also when it cannot be
 * examined (opening it will say why). */
int ns_source_rereadable(const char *path);

/*
 * Compiles and installs a BPF capture filter.  Returns 0, or -1 with
 * pcap's message in err.
 */
int ns_source_set_filter(struct ns_source *s, const char *expr, char *err,
			 size_t errlen);

/* Whether a pcapng packet of this link type passes -f: 1 or 0, or -1
 * with err when the filter cannot be compiled for the link type.  1
 * without -f. */
int ns_source_filter(struct ns_source *s, int linktype, uint32_t caplen,
		     uint32_t len, const uint8_t *data, char *err,
		     size_t errlen);

/* After libpcap's read of s failed: when it refused a pcapng for an
 * interface of another link type (or snapshot length) than the first,
 * reopens the file with libwiretap and skips the packets libpcap already
 * handed over (s->nread); returns 1.  0 when the failure was something
 * else (ns_source_error() says what); -1 with err when the file cannot be
 * reopened (standard input: see the man page). */
int ns_source_wtap(struct ns_source *s, char *err, size_t errlen);

/* The seconds a timestamp may have, 0 to 4.6e9 (1970 to 2115): a pcapng
 * block's 64-bit timestamp can be far past what int64 nanoseconds hold,
 * and is held at this bound instead, so that the difference of any two
 * timestamps (a latency, a duration) fits in int64 too. */
#define NS_SOURCE_TS_MAX_SEC 4600000000LL

/* A timestamp in ns since the epoch, held to 0..NS_SOURCE_TS_MAX_SEC;
 * frac is in ns when nano, else in us (below 2^32 from every reader). */
static inline int64_t ns_source_ts_ns(long long sec, long long frac, int nano)
{
	if (sec > NS_SOURCE_TS_MAX_SEC)
		sec = NS_SOURCE_TS_MAX_SEC;
	else if (sec < 0)
		sec = 0;
	frac %= 4294967296LL;
	if (frac < 0)
		frac = 0;
	return (int64_t)sec * 1000000000 + (int64_t)frac * (nano ? 1 : 1000);
}

/* Timestamp of a packet header from this source, in ns since the epoch. */
static inline int64_t ns_source_ts(const struct ns_source *s,
				   const struct pcap_pkthdr *h)
{
	return ns_source_ts_ns(h->ts.tv_sec, h->ts.tv_usec, s->nano);
}

void ns_source_close(struct ns_source *s);

/* Prints the capture interfaces like `tcpdump -D`; returns 0 or -1. */
int ns_list_interfaces(FILE *out, char *err, size_t errlen);

#endif
