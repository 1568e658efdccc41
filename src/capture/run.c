/*
 * run — see run.h.
 */
#include "capture/run.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/buf.h"
#include "core/dissect.h"
#include "core/engine.h"
#include "capture/pktq.h"
#include "capture/wtapsrc.h"

volatile sig_atomic_t ns_signalled;

static void on_signal(int sig)
{
	(void)sig;
	ns_signalled++;
}

void ns_run_signals(int restart)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void ns_run_init(struct ns_run *run)
{
	memset(run, 0, sizeof(*run));
	ns_pkt_init(&run->pkt);
}

int ns_run_writer(struct ns_run *run, const struct ns_source *s, int open_now)
{
	char err[512];
	if (!run->wo || run->writer_ready)
		return 0;
	if (ns_writer_init(&run->w, run->wo, s->linktype, s->snaplen, s->nano,
			   err, sizeof(err)) < 0)
		goto fail;
	if (open_now && ns_writer_start(&run->w, 0, err, sizeof(err)) < 0) {
		char ignored[8];
		ns_writer_close(&run->w, 0, ignored, sizeof(ignored));
		goto fail;
	}
	run->writer_ready = 1;
	return 0;
fail:
	/* nowhere to write: no more packets (the next file would only say
	 * the same) */
	fprintf(stderr, "netscope: %s\n", err);
	run->failed = 1;
	run->stop = 1;
	return -1;
}

/* One packet as either reader hands it over. */
struct pk {
	int64_t ts;
	uint32_t caplen, len;
	int linktype;
	int64_t ifid; /* -1: not known (libpcap) */
	const char *ifname;
	const u_char *data;
};

static void dissect(struct ns_run *run, struct ns_packet *pkt,
		    const struct pk *p)
{
	ns_pkt_begin(pkt, run->seen, p->ts, p->ts - run->first_ts, p->caplen,
		     p->len, p->linktype, p->data);
	pkt->ifid = p->ifid;
	pkt->ifname = p->ifname;
	pkt->ts_digits = run->src->nano ? 9 : 6;
	pkt->delta = run->delta;
	pkt->eng = run->eng;
	/* a filter on frame.* alone, or reports of frames alone (-z
	 * io,stat with no filter), and no output or report that needs
	 * more: the protocols are not dissected at all */
	if (run->frame_only || (!run->dissect && run->dfilter &&
				ns_dfilter_frame_only(run->dfilter)))
		ns_dissect_frame_only(pkt);
	else
		ns_dissect(pkt);
	if (run->eng && ns_bus_wants(&run->eng->bus, NS_EV_PACKET)) {
		struct ns_event ev = {.type = NS_EV_PACKET, .pkt = pkt};
		ns_bus_publish(&run->eng->bus, &ev);
	}
}

/* Leaves the file's pcap_dispatch() after this packet.  A live run reads
 * a queue, which checks run->stop itself: the capture thread is not
 * disturbed. */
static void break_loop(struct ns_run *run)
{
	if (!run->src->live)
		pcap_breakloop(run->src->p);
}

static void stop_failed(struct ns_run *run, const char *err)
{
	fprintf(stderr, "netscope: %s\n", err);
	run->failed = 1;
	run->stop = 1;
	break_loop(run);
}

/* Writes p (-w); 0, or 1 when the run must stop. */
static int write_packet(struct ns_run *run, const struct pk *p)
{
	char err[640];
	int rc = ns_writer_write(&run->w, p->linktype, p->ts, p->caplen, p->len,
				 p->data, err, sizeof(err));
	if (rc < 0) {
		if (run->src->wt) /* a pcapng of several link types */
			snprintf(err + strlen(err), sizeof(err) - strlen(err),
				 " (-w writes pcap, one link type; '%s' has "
				 "several: keep one with -Y "
				 "'frame.interface_id == N')",
				 run->src->name);
		stop_failed(run, err);
		return 1;
	}
	if (rc > 0) { /* -G with -W: the last file is full */
		run->seen--;
		run->seen_src--;
		run->bytes -= p->len;
		run->stop = 1;
		break_loop(run);
		return 1;
	}
	return 0;
}

static void packet(struct ns_run *run, const struct pk *p)
{
	int64_t ts = p->ts;
	if (!run->have_first) {
		run->first_ts = ts;
		run->prev_ts = ts;
		run->have_first = 1;
	}
	run->delta = ts - run->prev_ts;
	run->prev_ts = ts;
	run->seen++;
	run->seen_src++;
	run->bytes += p->len;

	struct ns_packet *pkt = &run->pkt;
	int pass = 1;
	if (run->dfilter) {
		dissect(run, pkt, p);
		pass = ns_dfilter_match(run->dfilter, pkt);
	}
	if (pass && run->writer_ready && write_packet(run, p))
		return;
	if (run->dissect && !run->dfilter)
		dissect(run, pkt, p);
	if (pass && run->out)
		ns_output_packet(run->out, pkt);
	if (run->max_count && run->seen >= run->max_count) {
		run->stop = 1;
		break_loop(run);
	}
	if (ns_signalled)
		break_loop(run);
}

/* -f on a pcapng file (source.h): 1 to go on with the packet. */
static int filtered_in(struct ns_run *run, const struct pk *p)
{
	char err[PCAP_ERRBUF_SIZE + 128];
	struct ns_source *s = run->src;
	s->nread++;
	int rc = ns_source_filter(s, p->linktype, p->caplen, p->len, p->data,
				  err, sizeof(err));
	if (rc < 0) {
		char msg[sizeof(err) + 320];
		snprintf(msg, sizeof(msg), "capture filter on '%s': %s",
			 s->name, err);
		stop_failed(run, msg);
	}
	return rc > 0;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h,
		      const u_char *data)
{
	struct ns_run *run = (struct ns_run *)user;
	struct ns_source *s = run->src;
	if (run->stop)
		return;
	struct pk p = {
	    ns_source_ts(s, h), h->caplen, h->len, s->linktype, -1, NULL, data};
	if (s->pcapng && !s->live && !filtered_in(run, &p))
		return;
	packet(run, &p);
}

static int flush_writer(struct ns_run *run)
{
	char err[512];
	if (run->writer_ready &&
	    ns_writer_flush(&run->w, err, sizeof(err)) < 0) {
		fprintf(stderr, "netscope: %s\n", err);
		run->failed = 1;
		return -1;
	}
	return 0;
}

static int batch_done(struct ns_run *run)
{
	char err[4352];
	if (!run->batch_done ||
	    run->batch_done(run->batch_ctx, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "netscope: %s\n", err);
	run->failed = 1;
	return -1;
}

/* The kernel's counts and netscope's own drops, as the capture thread
 * last published them. */
static void live_counts(struct ns_run *run, const struct ns_pktq *q)
{
	run->have_kstats = ns_pktq_stats(q, &run->kstats) == 0;
	run->netscope_drop = atomic_load(&q->dropped);
}

/* After a batch of live packets: each batch's lines and packets go out
 * with it (a pipe, netscope capture | grep, sees a packet within the
 * block timeout); 0, or -1 when the run must end. */
static int live_batch_done(struct ns_run *run)
{
	if (flush_writer(run) < 0)
		return -1;
	if (run->out) {
		ns_output_flush(run->out);
		fflush(run->out->fp);
	}
	return batch_done(run);
}

/*
 * Up to max packets from the queue through packet(); how many.  A packet
 * that stops the run (-c, the last -W file full) is the last taken.
 */
static unsigned take(struct ns_run *run, struct ns_pktq *q, unsigned max)
{
	struct ns_pktq_pkt h;
	const uint8_t *data;
	unsigned n = 0;
	while (n < max && !run->stop && (data = ns_pktq_peek(q, &h))) {
		struct pk p = {h.ts, h.caplen, h.len, run->src->linktype,
			       -1,   NULL,     data};
		packet(run, &p);
		ns_pktq_release(q);
		n++;
	}
	return n;
}

int ns_run_live(struct ns_run *run, struct ns_source *s)
{
	run->src = s;
	run->seen_src = 0;
	struct ns_pktq q;
	memset(&q, 0, sizeof(q));
	q.max_count = run->max_count;
	q.duration_ns = run->duration_ns;
	q.drain_ms = run->timeout_ms + 500;
	char err[512];
	if (ns_pktq_start(&q, s, err, sizeof(err)) < 0) {
		fprintf(stderr, "netscope: %s\n", err);
		ns_pktq_stop(&q);
		run->failed = 1;
		return -1;
	}
	int rc = 0, finishing = 0;
	while (!run->stop) {
		if (ns_signalled > 1) /* a second ^C: the user wants out now */
			break;
		if (ns_signalled && !finishing) {
			ns_pktq_finish(&q);
			finishing = 1;
		}
		int done = atomic_load(&q.done); /* before the ring is read */
		ns_pktq_clear_wake(&q);
		unsigned n = take(run, &q, 4096);
		live_counts(run, &q);
		if (n > 0 && live_batch_done(run) < 0)
			break;
		if (run->tick)
			run->tick(run->tick_ctx, run);
		if (n > 0)
			continue;
		if (done)
			break; /* the thread has ended and the ring is empty */
		/* idle, a tick still comes 4 times a second (a scrape of
		 * --metrics sees the kernel's drops of now) */
		struct pollfd pfd = {.fd = ns_pktq_fd(&q), .events = POLLIN};
		poll(&pfd, 1, run->tick ? 250 : 1000);
	}
	ns_pktq_stop(&q);
	live_counts(run, &q);
	if (q.err[0]) {
		fprintf(stderr, "netscope: %s\n", q.err);
		run->failed = 1;
		rc = -1;
	}
	flush_writer(run);
	return rc;
}

/* The progress line of a file being read: from 1 s on, 4 times a second,
 * on one line of the terminal that done (or the next file) erases. */
static void progress(struct ns_run *run, struct ns_source *s, int done)
{
	int64_t now = mono_ns();
	if (done) {
		if (run->progress_shown)
			fputs("\r\033[K", stderr);
		run->progress_shown = 0;
		return;
	}
	if (now < run->progress_next)
		return;
	run->progress_next = now + 250000000;
	double secs = (double)(now - run->progress_start) / 1e9;
	if (secs < 1)
		return;
	FILE *f = pcap_file(s->p);
	struct stat st;
	long pos = s->wt ? (long)ns_wtap_pos(s->wt) : f ? ftell(f) : -1;
	double total = f && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)
			   ? (double)st.st_size
			   : 0;
	fprintf(stderr,
		"\rnetscope: %s%s: ", run->quiet_errors ? "pass 1: " : "",
		strcmp(s->name, "-") == 0 ? "(standard input)" : s->name);
	if (pos > 0) { /* a pipe has no position */
		struct ns_buf b = {0};
		ns_buf_bytes(&b, (uint64_t)pos);
		if (total > 0) {
			ns_buf_puts(&b, " of ");
			ns_buf_bytes(&b, (uint64_t)total);
			ns_buf_printf(&b, " (%.0f%%), ETA %.0f s",
				      100.0 * (double)pos / total,
				      (total - (double)pos) * secs /
					  (double)pos);
		}
		ns_buf_puts(&b, ", ");
		ns_buf_write(&b, stderr);
		ns_buf_free(&b);
	}
	fprintf(stderr, "%llu packets, %.0f pkt/s\033[K",
		(unsigned long long)run->seen_src,
		(double)run->seen_src / secs);
	fflush(stderr);
	run->progress_shown = 1;
}

/* The rest of a file libwiretap reopened (ns_source_wtap()). */
static int read_wtap(struct ns_run *run, struct ns_source *s)
{
	char err[PCAP_ERRBUF_SIZE + 256];
	unsigned batch = 0;
	while (!run->stop && !ns_signalled) {
		struct ns_wtap_pkt w;
		int rc = ns_wtap_next(s->wt, &w, err, sizeof(err));
		if (rc < 0) {
			if (!run->quiet_errors)
				fprintf(stderr,
					"netscope: error reading '%s': %s\n",
					s->name, err);
			run->failed = 1;
			return -1;
		}
		if (rc == 0)
			break;
		struct pk p = {ns_source_ts_ns(w.sec, w.nsec, 1),
			       w.caplen,
			       w.len,
			       w.linktype,
			       (int64_t)w.ifid,
			       w.ifname,
			       w.data};
		if (filtered_in(run, &p))
			packet(run, &p);
		if (++batch % 4096 == 0) {
			if (run->progress)
				progress(run, s, 0);
			if (run->tick)
				run->tick(run->tick_ctx, run);
		}
	}
	if (run->tick)
		run->tick(run->tick_ctx, run);
	return 0;
}

/* libpcap failed reading s: go on with libwiretap if it refused a pcapng
 * of several link types, else say why. */
static int read_failed(struct ns_run *run, struct ns_source *s)
{
	char err[PCAP_ERRBUF_SIZE + 256];
	int sw = ns_source_wtap(s, err, sizeof(err));
	if (sw > 0)
		return read_wtap(run, s);
	if (!run->quiet_errors)
		fprintf(stderr, "netscope: error reading '%s': %s\n", s->name,
			sw < 0 ? err : ns_source_error(s));
	run->failed = 1;
	return -1;
}

int ns_run_file(struct ns_run *run, struct ns_source *s)
{
	run->src = s;
	run->seen_src = 0;
	if (run->progress) { /* a line of each file's own */
		run->progress_start = mono_ns();
		run->progress_next = run->progress_start;
	}
	int rc = 0;
	while (!run->stop && !ns_signalled) {
		int n = pcap_dispatch(s->p, 4096, on_packet, (u_char *)run);
		if (run->progress)
			progress(run, s, n <= 0);
		if (run->tick)
			run->tick(run->tick_ctx, run);
		if (n == 0)
			break; /* end of file */
		if (n == PCAP_ERROR_BREAK)
			continue;
		if (n < 0) {
			rc = read_failed(run, s);
			break;
		}
	}
	if (run->progress)
		progress(run, s, 1);
	return rc;
}

void ns_run_first_pass(struct ns_run *run, const char *const *files,
		       unsigned nfiles, const char *bpf)
{
	struct ns_engine *real = run->eng;
	struct ns_engine eng;
	struct ns_run first;
	if (ns_engine_init(&eng, real->flows.max_flows) < 0) {
		ns_engine_finish(&eng);
		return; /* no notes: pass 2 is a one-pass run */
	}
	/* the same settings, so both passes cut frames into the same layers */
	eng.streams.reasm = real->streams.reasm;
	eng.streams.dissection = real->streams.dissection;
	eng.notes.max = real->notes.max;
	eng.mem.cap = real->mem.cap;
	eng.keylog = real->keylog;
	eng.pass = 1;
	ns_run_init(&first);
	first.max_count = run->max_count;
	first.progress = run->progress;
	first.eng = &eng;
	first.dissect = 1;
	first.quiet_errors = 1;
	char err[PCAP_ERRBUF_SIZE + 256];
	for (unsigned i = 0; i < nfiles && !first.stop && !ns_signalled; i++) {
		struct ns_source src;
		if (ns_source_open_file(&src, files[i], err, sizeof(err)) < 0)
			continue;
		/* a filter that does not compile ends pass 2 there, too */
		int bad = bpf &&
			  ns_source_set_filter(&src, bpf, err, sizeof(err)) < 0;
		if (!bad)
			ns_run_file(&first, &src);
		ns_source_close(&src);
		if (bad)
			break;
	}
	ns_run_finish(&first);
	/* nothing of pass 1 is kept but its notes (flows ending now have no
	 * packet to note from) */
	ns_note_free(&real->notes);
	real->notes = eng.notes;
	real->pass = 2;
	ns_note_init(&eng.notes, 0);
	ns_engine_finish(&eng);
}

int ns_run_finish(struct ns_run *run)
{
	char err[512];
	int rc = 0;
	/* a source was read: close the output stream (JSON's ']', the -E
	 * header of an empty run), also after -c or a signal */
	if (run->out && run->src)
		ns_output_finish(run->out);
	if (run->out && (fflush(run->out->fp) != 0 || ferror(run->out->fp))) {
		fprintf(stderr, "netscope: cannot write output: %s\n",
			strerror(errno ? errno : EIO));
		rc = -1;
	}
	/* a run that failed leaves an existing -w file as it was; a clean
	 * stop (-c, -a, a signal) is a success */
	if (run->writer_ready &&
	    ns_writer_close(&run->w, !run->failed, err, sizeof(err)) < 0) {
		fprintf(stderr, "netscope: %s\n", err);
		rc = -1;
	}
	run->writer_ready = 0;
	ns_pkt_free(&run->pkt);
	return rc;
}
