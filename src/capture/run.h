/*
 * run — the capture loop: sources in, packets through the writer, the
 * dissectors and the output, with clean stops.
 *
 * Order per packet: number it, write it (-w) before anything else so a
 * packet that dissection chokes on is still saved (invariant 3), then
 * dissect and print only if some output wants it (invariant 4).  With a
 * display filter (-Y) the packet is dissected first and written and shown
 * only when it matches; statistics (--conversations, --calls, follow) see
 * every packet, as the engine's state must.
 *
 * Two-pass analysis (-2, files only): ns_run_first_pass() reads the files
 * once with a run and an engine of its own, dissecting every packet with
 * no output, writer or report, so dissectors can leave notes about earlier
 * frames (note.h); it hands the notes to the real run's engine, and the
 * real run then reads the files exactly as a one-pass run does, from frame
 * 1, with fresh flows, streams and first timestamp.
 *
 * Live (ns_run_live): a capture thread (pktq.h) moves packets from the
 * kernel into a bounded ring and the run's thread takes them from it, so
 * dissection runs on the other core and only a full ring drops (counted
 * as netscope's drops, apart from the kernel's).
 *
 * Stopping: SIGINT/SIGTERM set a flag; the capture thread then drains what
 * the kernel already holds until everything pcap_stats() counted as
 * received has been read or the kernel's block timeout has certainly
 * passed, the run takes what is left in the ring, then flushes every
 * file.  A second signal ends it at once.
 */
#ifndef NS_RUN_H
#define NS_RUN_H

#include <signal.h>
#include <stdint.h>

#include "filter/dfilter.h"
#include "output/output.h"
#include "core/packet.h"
#include "capture/source.h"
#include "capture/writer.h"

struct ns_run {
	/* configuration */
	uint64_t max_count;  /* -c: stop after this many packets, 0 = never */
	int64_t duration_ns; /* -a duration: stop after this long, 0 = never */
	int timeout_ms;	     /* the live source's block timeout, for draining */
	struct ns_output *out;	    /* NULL: no per-packet output */
	struct ns_dfilter *dfilter; /* -Y: only matching packets are
				     * written and shown, or NULL */
	struct ns_engine *eng;	    /* flows and streams, or NULL */
	int dissect;		    /* something needs dissection */
	int frame_only; /* what does needs the frame's fields only */
	const struct ns_writer_opts *wo; /* NULL: no -w */
	int quiet_errors;		 /* pass 1 of -2: pass 2 reports them */
	int progress; /* a progress line on stderr (a terminal) for files */
	/* called after each batch of live packets, as the output is
	 * flushed (--records): 0, or -1 with err to stop the run */
	int (*batch_done)(void *ctx, char *err, size_t errlen);
	void *batch_ctx;
	/* called between batches of packets (live: at least once a second,
	 * packets or not), in the run's thread: what follows the run while
	 * it goes (--metrics); NULL for none */
	void (*tick)(void *ctx, struct ns_run *run);
	void *tick_ctx;

	/* state */
	struct ns_packet pkt;
	struct ns_writer w;
	int writer_ready;
	uint64_t seen;	   /* packets read, all sources */
	uint64_t seen_src; /* packets read from the current source */
	uint64_t bytes;	   /* their bytes on the wire (frame.len), all */
	int64_t first_ts;
	int64_t prev_ts, delta; /* the previous packet's time, and since it */
	int have_first;
	int64_t progress_start, progress_next; /* monotonic ns */
	int progress_shown;
	/* live: the kernel's counts (pcap_stats) as the capture thread last
	 * read them, and the packets netscope dropped (its queue full) */
	struct pcap_stat kstats;
	int have_kstats;
	uint64_t netscope_drop;
	int stop;   /* -c reached or -G -W limit: no more packets */
	int failed; /* a runtime error was reported */
	struct ns_source *src;
};

extern volatile sig_atomic_t ns_signalled;

/* Installs SIGINT/SIGTERM/SIGHUP handlers that set ns_signalled.  With
 * restart (live capture, the TUI) a write the signal interrupts goes on
 * (the output of packets still queued reaches a slow pipe whole), and
 * only poll() returns early, as it always does; without it (files) a
 * blocking read of standard input returns too, so ^C stops `read -`. */
void ns_run_signals(int restart);

void ns_run_init(struct ns_run *run);
/* Prepares the writer for packets of the given source (first call opens
 * it).  Returns 0 or -1 after printing the error. */
int ns_run_writer(struct ns_run *run, const struct ns_source *s, int open_now);
/* Reads a live source until -c, -a, a signal or an error; then drains.
 * Leaves the kernel's last counts in kstats (have_kstats). */
int ns_run_live(struct ns_run *run, struct ns_source *s);
/* Reads a file source to its end (or -c / a signal). */
int ns_run_file(struct ns_run *run, struct ns_source *s);
/* Pass 1 of -2 over the files (with the BPF filter, NULL for none), with
 * run's packet count and its engine's settings; leaves the notes in
 * run->eng for pass 2.  Errors opening or reading a file are left for
 * pass 2 to report. */
void ns_run_first_pass(struct ns_run *run, const char *const *files,
		       unsigned nfiles, const char *bpf);
/* Flushes and closes outputs; returns 0 or -1 after printing errors. */
int ns_run_finish(struct ns_run *run);

#endif
