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
 *
 * Files are opened through core/tmp.h: a file that already exists is
 * written under a temporary name beside it and renamed over it when it is
 * closed in success (a rotation, the end of a run, a clean stop on a
 * signal), and left as it was when the run fails.  No file is written onto
 * one of the run's inputs (the same st_dev and st_ino, whatever the
 * spelling): ns_writer_check() tries every name known before the run (the
 * file, or the -C -W ring), and each file is tried again as it is opened
 * (-G names, -C without -W), before anything in it is touched.
 */
#ifndef NS_WRITER_H
#define NS_WRITER_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tmp.h"

struct ns_writer_opts {
	const char *path;      /* "-" for stdout */
	uint64_t rotate_bytes; /* 0: no -C */
	int64_t rotate_secs;   /* 0: no -G */
	int max_files;	       /* 0: no -W */
	/* the files the run reads ("-" is skipped): never written onto */
	const char *const *inputs;
	unsigned ninputs;
};

struct ns_writer {
	struct ns_writer_opts o;
	pcap_t *dead;
	pcap_dumper_t *d;
	struct ns_tmp_out out; /* the file d writes */
	int linktype;
	int nano;
	unsigned count;	      /* -C file number within the current -G period */
	unsigned files;	      /* files opened so far */
	int64_t period_start; /* ns, start of the current -G period */
	uint64_t packets;     /* packets written, all files */
	int done;	      /* -G -W limit reached: write no more */
	char *iobuf;	      /* stdio buffer of the open file */
	char cur[NS_TMP_PATH];
};

#define NS_WRITER_IOBUF (1u << 20)

/* The name of file number count of the -G period starting at ts (ns),
 * into out (NS_TMP_PATH bytes): the rules above, for -w and --records.
 * 0, or -1 with err. */
int ns_writer_name(const struct ns_writer_opts *o, unsigned count, int64_t ts,
		   char *out, char *err, size_t errlen);
/* Refuses (-1 with err) when a name the writer will use, as far as it is
 * known before the first packet, is one of o->inputs. */
int ns_writer_check(const struct ns_writer_opts *o, char *err, size_t errlen);
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
/* Flushes and closes.  ok: the run succeeded (or stopped cleanly), and
 * the open file replaces its target; 0: the run failed, and a target that
 * existed is left as it was.  Returns 0, or -1 with err when data could
 * not be written or a target was left. */
int ns_writer_close(struct ns_writer *w, int ok, char *err, size_t errlen);

#endif
