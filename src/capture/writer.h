/*
 * writer — writes packets to pcap files, with tcpdump's rotation rules.
 *
 *   -C MB   start a new file once the current one exceeds MB × 1,000,000
 *           bytes; files after the first get a number suffix (FILE1, FILE2…)
 *   -G SEC  start a new file every SEC seconds of capture time; the name
 *           is passed through strftime(3) with that time
 *   -W N    with -C: keep at most N files, reusing names (a ring: FILE0 …
 *           FILE(N-1), zero-padded); with -G alone: stop after N files
 *
 * Unlike tcpdump, -G measures capture timestamps, not the wall clock, so
 * rotating a file read offline gives the same files every time.  The writer
 * owns a "dead" pcap handle with the link type, snaplen and timestamp
 * precision of the first source, so sources can come and go underneath it.
 */
#ifndef NS_WRITER_H
#define NS_WRITER_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

struct ns_writer_opts {
	const char *path;      /* "-" for stdout */
	uint64_t rotate_bytes; /* 0: no -C */
	int64_t rotate_secs;   /* 0: no -G */
	int max_files;	       /* 0: no -W */
};

struct ns_writer {
	struct ns_writer_opts o;
	pcap_t *dead;
	pcap_dumper_t *d;
	int linktype;
	int nano;
	unsigned count;	      /* -C file number within the current -G period */
	unsigned files;	      /* files opened so far */
	int64_t period_start; /* ns, start of the current -G period */
	uint64_t packets;     /* packets written, all files */
	int done;	      /* -G -W limit reached: write no more */
	char *iobuf;	      /* stdio buffer of the open file */
	char cur[4096];
};

#define NS_WRITER_IOBUF (1u << 20)

/* Prepares the writer; the first file is opened with the first packet's
 * time (for -G names) or at once by ns_writer_start().  0 or -1 + err. */
int ns_writer_init(struct ns_writer *w, const struct ns_writer_opts *o,
		   int linktype, int snaplen, int nano, char *err,
		   size_t errlen);
/* Opens the first file now (as capture does, before any packet). */
int ns_writer_start(struct ns_writer *w, int64_t ts, char *err, size_t errlen);
/*
 * Writes one packet; ts in ns since the epoch.  Returns 0, 1 when -G -W
 * says capture is over, or -1 with err set.
 */
int ns_writer_write(struct ns_writer *w, int linktype, int64_t ts,
		    uint32_t caplen, uint32_t len, const uint8_t *data,
		    char *err, size_t errlen);
int ns_writer_flush(struct ns_writer *w, char *err, size_t errlen);
/* Flushes and closes; returns 0 or -1 with err when data could not be
 * written. */
int ns_writer_close(struct ns_writer *w, char *err, size_t errlen);

#endif
