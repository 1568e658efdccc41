/*
 * source — see source.h.
 *
 * A file's timestamp precision is taken from its magic number before
 * libpcap opens it, so a microsecond pcap stays microsecond (6 digits on
 * screen, same magic when written back) and a nanosecond pcap keeps its
 * nanoseconds.  pcapng is opened at nanosecond precision (libpcap scales
 * each interface's resolution).  stdin is handled the same way: the four
 * magic bytes are read and then handed back through a small read cookie.
 * A compressed file (gzip, zstd, lz4: known by its first bytes) is read
 * through a decompressor (decomp.h), whose first bytes then give the
 * precision.
 */
#include "capture/source.h"

#include "capture/decomp.h"
#include "capture/wtapsrc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAPNG_SHB    0x0a0d0d0au

static void copy_name(struct ns_source *s, const char *name)
{
	snprintf(s->name, sizeof(s->name), "%s", name);
}

int ns_source_open_live(struct ns_source *s, const struct ns_live_opts *o,
			char *err, size_t errlen, char *warn, size_t warnlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	memset(s, 0, sizeof(*s));
	copy_name(s, o->iface);
	warn[0] = '\0';
	pcap_t *p = pcap_create(o->iface, ebuf);
	if (!p) {
		snprintf(err, errlen, "%s", ebuf);
		return -1;
	}
	pcap_set_snaplen(p, o->snaplen);
	pcap_set_promisc(p, o->promisc);
	pcap_set_timeout(p, o->timeout_ms);
	pcap_set_buffer_size(
	    p, (o->buffer_mib > 0 ? o->buffer_mib : NS_LIVE_BUFFER_MIB) * 1024 *
		   1024);
	if (o->immediate)
		pcap_set_immediate_mode(p, 1);
	/* not every platform offers nanoseconds; microseconds are fine */
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);

	int rc = pcap_activate(p);
	if (rc < 0) {
		const char *why = pcap_geterr(p);
		const char *what = pcap_statustostr(rc);
		/* the status and libpcap's detail, said once when they agree */
		int detail = why && *why && strcmp(why, what) != 0;
		if (rc == PCAP_ERROR_NO_SUCH_DEVICE ||
		    rc == PCAP_ERROR_PERM_DENIED ||
		    rc == PCAP_ERROR_PROMISC_PERM_DENIED ||
		    rc == PCAP_ERROR_IFACE_NOT_UP || !why || !*why)
			snprintf(err, errlen, "%s%s%s%s", what,
				 detail ? " (" : "", detail ? why : "",
				 detail ? ")" : "");
		else
			snprintf(err, errlen, "%s", why);
		pcap_close(p);
		return -1;
	}
	if (rc > 0)
		snprintf(warn, warnlen, "%s%s%s", pcap_statustostr(rc),
			 *pcap_geterr(p) ? ": " : "", pcap_geterr(p));
	/* The "any" device: the richer SLL2 header (interface index) when the
	 * library offers it, as tcpdump does. */
	if (strcmp(o->iface, "any") == 0)
		pcap_set_datalink(p, DLT_LINUX_SLL2);
	if (pcap_setnonblock(p, 1, ebuf) < 0) {
		snprintf(err, errlen, "%s", ebuf);
		pcap_close(p);
		return -1;
	}
	s->p = p;
	s->live = 1;
	s->linktype = pcap_datalink(p);
	s->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	s->snaplen = pcap_snapshot(p);
	return 0;
}

/* A stream that cannot be rewound (stdin, a pipe such as bash's
 * <(zcat x.pcapng), a FIFO), replayed after its first bytes were read to
 * find the magic; a named one is closed with the replay. */
struct replay {
	unsigned char head[4];
	size_t nhead, pos;
	FILE *in;
	int owned;
};

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
	struct replay *r = cookie;
	size_t n = 0;
	while (r->pos < r->nhead && n < size)
		buf[n++] = (char)r->head[r->pos++];
	if (n < size)
		n += fread(buf + n, 1, size - n, r->in);
	return (ssize_t)n;
}

static int replay_close(void *cookie)
{
	struct replay *r = cookie;
	int rc = r->owned ? fclose(r->in) : 0;
	free(r);
	return rc;
}

/* in wrapped so that its first 4 bytes, read into m, are read again; in
 * is closed with it when owned.  NULL with err set on failure (in is
 * then left open). */
static FILE *replay_open(FILE *in, int owned, unsigned char m[4], char *err,
			 size_t errlen)
{
	struct replay *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	r->in = in;
	r->owned = owned;
	r->nhead = fread(r->head, 1, 4, in);
	memcpy(m, r->head, r->nhead);
	cookie_io_functions_t io = {.read = replay_read, .close = replay_close};
	FILE *fp = fopencookie(r, "rb", io);
	if (!fp) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(r);
	}
	return fp;
}

static uint32_t magic_of(const unsigned char m[4])
{
	return (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
	       (uint32_t)m[2] << 8 | m[3];
}

static int precision_for(uint32_t be)
{
	uint32_t le = __builtin_bswap32(be);
	if (be == PCAP_MAGIC_US || le == PCAP_MAGIC_US)
		return PCAP_TSTAMP_PRECISION_MICRO;
	return PCAP_TSTAMP_PRECISION_NANO; /* ns pcap, pcapng, or libpcap's
					      own error for anything else */
}

int ns_source_rereadable(const char *path)
{
	struct stat st;
	if (strcmp(path, "-") == 0)
		return 0;
	return stat(path, &st) < 0 || S_ISREG(st.st_mode);
}

static int open_file(struct ns_source *s, const char *path, char *err,
		     size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	unsigned char m[4] = {0};
	FILE *fp;
	memset(s, 0, sizeof(*s));
	copy_name(s, path);
	s->path = strdup(path);
	if (!s->path) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}

	struct stat st;
	if (strcmp(path, "-") == 0) {
		fp = replay_open(stdin, 0, m, err, errlen);
		if (!fp)
			return -1;
	} else {
		fp = fopen(path, "rb");
		if (!fp) {
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
		if (fstat(fileno(fp), &st) == 0 &&
		    (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) ||
		     S_ISSOCK(st.st_mode))) {
			FILE *r = replay_open(fp, 1, m, err, errlen);
			if (!r) {
				fclose(fp);
				return -1;
			}
			fp = r;
		} else {
			size_t got = fread(m, 1, 4, fp);
			if (got < 4 && ferror(fp)) {
				snprintf(err, errlen, "%s", strerror(errno));
				fclose(fp);
				return -1;
			}
			rewind(fp);
		}
	}
	size_t nm = 4;
	enum ns_decomp_kind kind = ns_decomp_kind_of(m, nm);
	if (kind != NS_DECOMP_NONE) {
		fp = ns_decomp_open(fp, kind, m, &nm, &s->dc, err, errlen);
		if (!fp)
			return -1;
		snprintf(s->format, sizeof(s->format), "%s",
			 ns_decomp_name(kind));
	}
	/* stdio's default 4 KiB reads cost more than the dissection; the
	 * buffer outlives the FILE, freed in ns_source_close() */
	s->iobuf = malloc(NS_SOURCE_IOBUF);
	if (s->iobuf)
		setvbuf(fp, s->iobuf, _IOFBF, NS_SOURCE_IOBUF);
	int prec = precision_for(magic_of(m));
	int pcapng = magic_of(m) == PCAPNG_SHB;
	pcap_t *p =
	    pcap_fopen_offline_with_tstamp_precision(fp, (u_int)prec, ebuf);
	if (!p) {
		fclose(fp);
		free(s->iobuf);
		s->iobuf = NULL;
		snprintf(err, errlen, "%s", ebuf);
		s->dc = NULL;
		return -1;
	}
	s->p = p;
	s->live = 0;
	s->pcapng = pcapng;
	s->linktype = pcap_datalink(p);
	s->nano = prec == PCAP_TSTAMP_PRECISION_NANO;
	s->snaplen = pcap_snapshot(p);
	return 0;
}

/* The program for linktype, compiled on first use. */
static struct bpf_program *bpf_for(struct ns_source *s, int linktype, char *err,
				   size_t errlen)
{
	for (int i = 0; i < s->nbpf; i++)
		if (s->bpf[i].linktype == linktype)
			return &s->bpf[i].prog;
	if (s->nbpf == NS_SOURCE_MAX_BPF) {
		snprintf(err, errlen, "more than %d link types in one file",
			 NS_SOURCE_MAX_BPF);
		return NULL;
	}
	pcap_t *dead =
	    pcap_open_dead(linktype, s->snaplen ? s->snaplen : 262144);
	if (!dead) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	struct ns_bpf_lt *b = &s->bpf[s->nbpf];
	if (pcap_compile(dead, &b->prog, s->bpf_expr, 1, PCAP_NETMASK_UNKNOWN) <
	    0) {
		const char *lt = pcap_datalink_val_to_name(linktype);
		snprintf(err, errlen, "%s (for link type %s, %d)",
			 pcap_geterr(dead), lt ? lt : "unknown", linktype);
		pcap_close(dead);
		return NULL;
	}
	pcap_close(dead);
	b->linktype = linktype;
	s->nbpf++;
	return &b->prog;
}

int ns_source_filter(struct ns_source *s, int linktype, uint32_t caplen,
		     uint32_t len, const uint8_t *data, char *err,
		     size_t errlen)
{
	if (!s->bpf_expr)
		return 1;
	const struct bpf_program *prog = bpf_for(s, linktype, err, errlen);
	if (!prog)
		return -1;
	struct pcap_pkthdr h = {.caplen = caplen, .len = len};
	return pcap_offline_filter(prog, &h, data) != 0;
}

int ns_source_open_file(struct ns_source *s, const char *path, char *err,
			size_t errlen)
{
	if (open_file(s, path, err, errlen) == 0)
		return 0;
	free(s->path);
	s->path = NULL;
	return -1;
}

int ns_source_set_filter(struct ns_source *s, const char *expr, char *err,
			 size_t errlen)
{
	if (!s->live && s->pcapng) {
		/* filtered by us, per link type: see struct ns_bpf_lt */
		free(s->bpf_expr);
		s->bpf_expr = strdup(expr);
		if (!s->bpf_expr) {
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			return -1;
		}
		return bpf_for(s, s->linktype, err, errlen) ? 0 : -1;
	}
	struct bpf_program prog;
	if (pcap_compile(s->p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(s->p));
		return -1;
	}
	int rc = pcap_setfilter(s->p, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(s->p));
		return -1;
	}
	return 0;
}

const char *ns_source_error(const struct ns_source *s)
{
	const char *e = ns_decomp_error(s->dc);
	return e ? e : pcap_geterr(s->p);
}

/* libpcap 1.10's words (sf-pcapng.c) when a later interface block does
 * not match the first one: another link type or snapshot length */
#define MIXED_REFUSAL "an interface has a "

int ns_source_wtap(struct ns_source *s, char *err, size_t errlen)
{
	if (s->live || !s->pcapng || s->wt ||
	    strncmp(pcap_geterr(s->p), MIXED_REFUSAL, strlen(MIXED_REFUSAL)))
		return 0;
	if (strcmp(s->path, "-") == 0 || !ns_source_rereadable(s->path)) {
		snprintf(err, errlen,
			 "%s; a pcapng of several link types is read from a "
			 "file, not from a pipe",
			 pcap_geterr(s->p));
		return -1;
	}
	s->wt = ns_wtap_open(s->path, err, errlen);
	if (!s->wt)
		return -1;
	/* what libpcap handed over went through the run already */
	for (uint64_t i = 0; i < s->nread; i++) {
		struct ns_wtap_pkt pk;
		int rc = ns_wtap_next(s->wt, &pk, err, errlen);
		if (rc <= 0) {
			if (rc == 0)
				snprintf(err, errlen,
					 "the file changed while it was read");
			return -1;
		}
	}
	return 1;
}

void ns_source_close(struct ns_source *s)
{
	ns_wtap_close(s->wt);
	s->wt = NULL;
	for (int i = 0; i < s->nbpf; i++)
		pcap_freecode(&s->bpf[i].prog);
	s->nbpf = 0;
	free(s->bpf_expr);
	s->bpf_expr = NULL;
	free(s->path);
	s->path = NULL;
	if (s->p)
		pcap_close(s->p);
	s->p = NULL;
	s->dc = NULL; /* closed with its FILE */
	free(s->iobuf);
	s->iobuf = NULL;
}

int ns_list_interfaces(FILE *out, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;
	if (pcap_findalldevs(&all, ebuf) < 0) {
		snprintf(err, errlen, "%s", ebuf);
		return -1;
	}
	int i = 1;
	for (pcap_if_t *d = all; d; d = d->next, i++) {
		fprintf(out, "%d.%s", i, d->name);
		if (d->description)
			fprintf(out, " (%s)", d->description);
		const char *sep = " [";
		if (d->flags & PCAP_IF_LOOPBACK) {
			fprintf(out, "%sLoopback", sep);
			sep = ", ";
		}
		if (d->flags & PCAP_IF_UP) {
			fprintf(out, "%sUp", sep);
			sep = ", ";
		}
		if (d->flags & PCAP_IF_RUNNING) {
			fprintf(out, "%sRunning", sep);
			sep = ", ";
		}
		if (d->flags & PCAP_IF_WIRELESS) {
			fprintf(out, "%sWireless", sep);
			sep = ", ";
		}
		switch (d->flags & PCAP_IF_CONNECTION_STATUS) {
		case PCAP_IF_CONNECTION_STATUS_CONNECTED:
			fprintf(out, "%sConnected", sep);
			sep = ", ";
			break;
		case PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
			fprintf(out, "%sDisconnected", sep);
			sep = ", ";
			break;
		default:
			break;
		}
		fputs(sep[1] == '[' ? "\n" : "]\n", out);
	}
	pcap_freealldevs(all);
	return 0;
}
