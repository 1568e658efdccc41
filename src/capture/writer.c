/*
 * writer — see writer.h.  Sizes are checked before each packet is written
 * (as tcpdump does), so a file may exceed -C by one packet.  libpcap's
 * dumper owns the stream core/tmp.c opened: the writer flushes it and
 * checks the flush, pcap_dump_close() closes it, and only then is the
 * temporary renamed or removed.
 */
#include "capture/writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int digits_of(int n)
{
	int d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

int ns_writer_name(const struct ns_writer_opts *o, unsigned count, int64_t ts,
		   char *out, char *err, size_t errlen)
{
	char base[NS_TMP_PATH];
	if (o->rotate_secs) {
		time_t t = (time_t)(ts / 1000000000);
		struct tm tm;
		/* the pattern is the user's -w argument, as in tcpdump */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		size_t n = localtime_r(&t, &tm)
			       ? strftime(base, sizeof(base), o->path, &tm)
			       : 0;
#pragma GCC diagnostic pop
		if (n == 0) {
			snprintf(err, errlen, "bad file name pattern '%s'",
				 o->path);
			return -1;
		}
	} else {
		snprintf(base, sizeof(base), "%s", o->path);
	}
	int width =
	    o->max_files && o->rotate_bytes ? digits_of(o->max_files - 1) : 0;
	int n;
	if (count == 0 && width == 0)
		n = snprintf(out, NS_TMP_PATH, "%s", base);
	else
		n = snprintf(out, NS_TMP_PATH, "%s%0*u", base, width, count);
	if (n < 0 || n >= NS_TMP_PATH) {
		snprintf(err, errlen, "file name too long");
		return -1;
	}
	return 0;
}

/* -1 with err when name is one of the run's inputs */
static int not_an_input(const struct ns_writer_opts *o, const char *name,
			char *err, size_t errlen)
{
	const char *in = ns_tmp_same_file(name, o->inputs, o->ninputs);
	if (!in)
		return 0;
	snprintf(err, errlen,
		 "-w %s: is also an input (%s); not writing onto it", name, in);
	return -1;
}

static int open_file(struct ns_writer *w, int64_t ts, char *err, size_t errlen)
{
	if (ns_writer_name(&w->o, w->count, ts, w->cur, err, errlen) < 0 ||
	    not_an_input(&w->o, w->cur, err, errlen) < 0 ||
	    ns_tmp_open(&w->out, w->cur, err, errlen) < 0)
		return -1;
	FILE *fp = w->out.fp;
	if (fp != stdout) {
		/* large writes: stdio's 4 KiB would mean a syscall every few
		 * packets */
		if (!w->iobuf)
			w->iobuf = malloc(NS_WRITER_IOBUF);
		if (w->iobuf)
			setvbuf(fp, w->iobuf, _IOFBF, NS_WRITER_IOBUF);
	}
	w->d = pcap_dump_fopen(w->dead, fp);
	if (!w->d) {
		snprintf(err, errlen, "cannot write '%s': %s", w->cur,
			 pcap_geterr(w->dead));
		ns_tmp_abandon(&w->out);
		return -1;
	}
	w->files++;
	return 0;
}

/* Closes the open file; ok: it replaces its target (see ns_writer_close) */
static int close_file(struct ns_writer *w, int ok, char *err, size_t errlen)
{
	if (!w->d)
		return 0;
	int flushed = pcap_dump_flush(w->d) == 0;
	if (!flushed)
		snprintf(err, errlen, "cannot write '%s': %s", w->cur,
			 strerror(errno));
	/* the dumper closes the stream (stdout too, as it always has) */
	pcap_dump_close(w->d);
	w->d = NULL;
	w->out.fp = NULL;
	if (flushed && ok)
		return ns_tmp_commit(&w->out, err, errlen);
	if (flushed && w->out.tmp[0]) {
		snprintf(err, errlen,
			 "-w %s: left as it was, as the run failed", w->cur);
		flushed = 0;
	}
	ns_tmp_abandon(&w->out);
	return flushed ? 0 : -1;
}

int ns_writer_check(const struct ns_writer_opts *o, char *err, size_t errlen)
{
	/* -G names come from the packets' times: tried as they open */
	if (o->rotate_secs || !o->ninputs)
		return 0;
	/* the -C -W ring, or the first file (-C alone goes on to FILE1 ...,
	 * tried as they open) */
	unsigned names = o->rotate_bytes && o->max_files ? o->max_files : 1;
	char name[NS_TMP_PATH];
	for (unsigned i = 0; i < names; i++)
		if (ns_writer_name(o, i, 0, name, err, errlen) < 0 ||
		    not_an_input(o, name, err, errlen) < 0)
			return -1;
	return 0;
}

int ns_writer_init(struct ns_writer *w, const struct ns_writer_opts *o,
		   int linktype, int snaplen, int nano, char *err,
		   size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->o = *o;
	w->linktype = linktype;
	w->nano = nano;
	w->dead = pcap_open_dead_with_tstamp_precision(
	    linktype, snaplen,
	    nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	if (!w->dead) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	return 0;
}

int ns_writer_start(struct ns_writer *w, int64_t ts, char *err, size_t errlen)
{
	if (w->d)
		return 0;
	w->period_start = ts;
	return open_file(w, ts, err, errlen);
}

int ns_writer_write(struct ns_writer *w, int linktype, int64_t ts,
		    uint32_t caplen, uint32_t len, const uint8_t *data,
		    char *err, size_t errlen)
{
	if (w->done)
		return 1;
	if (linktype != w->linktype) {
		snprintf(
		    err, errlen,
		    "cannot write link type %s into a file of link type %s",
		    pcap_datalink_val_to_name(linktype)
			? pcap_datalink_val_to_name(linktype)
			: "?",
		    pcap_datalink_val_to_name(w->linktype)
			? pcap_datalink_val_to_name(w->linktype)
			: "?");
		return -1;
	}
	if (!w->d) {
		if (ns_writer_start(w, ts, err, errlen) < 0)
			return -1;
	} else if (w->o.rotate_secs &&
		   ts - w->period_start >= w->o.rotate_secs * 1000000000) {
		if (close_file(w, 1, err, errlen) < 0)
			return -1;
		if (w->o.max_files && !w->o.rotate_bytes &&
		    w->files >= (unsigned)w->o.max_files) {
			w->done = 1;
			return 1;
		}
		w->period_start = ts;
		w->count = 0;
		if (open_file(w, ts, err, errlen) < 0)
			return -1;
	} else if (w->o.rotate_bytes &&
		   (uint64_t)pcap_dump_ftell64(w->d) > w->o.rotate_bytes) {
		if (close_file(w, 1, err, errlen) < 0)
			return -1;
		w->count++;
		if (w->o.max_files && w->count >= (unsigned)w->o.max_files)
			w->count = 0;
		if (open_file(w, w->period_start, err, errlen) < 0)
			return -1;
	}
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(ts / 1000000000);
	long frac = (long)(ts % 1000000000);
	if (frac < 0) {
		frac += 1000000000;
		h.ts.tv_sec--;
	}
	h.ts.tv_usec = w->nano ? frac : frac / 1000;
	h.caplen = caplen;
	h.len = len;
	pcap_dump((u_char *)w->d, &h, data);
	w->packets++;
	return 0;
}

int ns_writer_flush(struct ns_writer *w, char *err, size_t errlen)
{
	if (w->d && pcap_dump_flush(w->d) < 0) {
		snprintf(err, errlen, "cannot write '%s': %s", w->cur,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int ns_writer_close(struct ns_writer *w, int ok, char *err, size_t errlen)
{
	int rc = close_file(w, ok, err, errlen);
	if (w->dead)
		pcap_close(w->dead);
	w->dead = NULL;
	free(w->iobuf);
	w->iobuf = NULL;
	return rc;
}
