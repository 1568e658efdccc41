/*
 * tuistore — see tuistore.h.  The spill file is written with stdio in the
 * pcap format (nanosecond magic when the source has nanoseconds) and read
 * back with pread() after a flush, so the reads never disturb the writes.
 */
#include "tui/tuistore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dissect.h"
#include "core/tmp.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int ns_tuistore_open(struct ns_tuistore *s, int linktype, int snaplen, int nano,
		     char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->linktype = linktype;
	s->nano = nano;
	s->snaplen = snaplen;
	char terr[NS_TMP_PATH + 64];
	s->spill = ns_tmp_anon(terr, sizeof(terr));
	if (s->spill)
		s->text = ns_tmp_anon(terr, sizeof(terr));
	if (!s->spill || !s->text) {
		snprintf(err, errlen, "spill file: %s", terr);
		ns_tuistore_close(s);
		return -1;
	}
	s->spill_fd = fileno(s->spill);
	s->text_fd = fileno(s->text);
	/* the pcap file header (little-endian, as this file is ours) */
	uint8_t h[24] = {0};
	put32(h, nano ? 0xa1b23c4du : 0xa1b2c3d4u);
	h[4] = 2;
	h[6] = 4;
	put32(h + 16, (uint32_t)snaplen);
	put32(h + 20, (uint32_t)linktype);
	if (fwrite(h, 1, sizeof(h), s->spill) != sizeof(h)) {
		snprintf(err, errlen, "cannot write the spill file: %s",
			 strerror(errno));
		ns_tuistore_close(s);
		return -1;
	}
	s->spill_off = sizeof(h);
	return 0;
}

void ns_tuistore_close(struct ns_tuistore *s)
{
	if (s->spill)
		fclose(s->spill);
	if (s->text)
		fclose(s->text);
	free(s->ent);
	memset(s, 0, sizeof(*s));
}

static struct ns_tui_ent *slot(const struct ns_tuistore *s, uint64_t n)
{
	return &s->ent[(n - 1) % NS_TUI_MAX_PACKETS];
}

const struct ns_tui_ent *ns_tuistore_get(const struct ns_tuistore *s,
					 uint64_t n)
{
	if (n == 0 || n > s->count || n < ns_tuistore_first(s))
		return NULL;
	return slot(s, n);
}

int ns_tuistore_add(struct ns_tuistore *s, int64_t ts, uint32_t caplen,
		    uint32_t len, const uint8_t *data, char *err, size_t errlen)
{
	if (s->count < NS_TUI_MAX_PACKETS && s->count == s->ent_cap) {
		uint32_t nc = s->ent_cap ? s->ent_cap * 2 : 4096;
		if (nc > NS_TUI_MAX_PACKETS)
			nc = NS_TUI_MAX_PACKETS;
		void *ne = realloc(s->ent, nc * sizeof(*s->ent));
		if (!ne) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		s->ent = ne;
		s->ent_cap = nc;
	}
	if (s->count == 0)
		s->first_ts = ts;
	uint8_t h[16];
	int64_t sec = ts / 1000000000, frac = ts % 1000000000;
	if (frac < 0) {
		sec--;
		frac += 1000000000;
	}
	put32(h, (uint32_t)sec);
	put32(h + 4, (uint32_t)(s->nano ? frac : frac / 1000));
	put32(h + 8, caplen);
	put32(h + 12, len);
	if (fwrite(h, 1, 16, s->spill) != 16 ||
	    fwrite(data, 1, caplen, s->spill) != caplen) {
		snprintf(err, errlen, "cannot write the spill file: %s",
			 strerror(errno));
		return -1;
	}
	s->count++;
	struct ns_tui_ent *e = slot(s, s->count);
	memset(e, 0, sizeof(*e));
	e->off = s->spill_off;
	e->ts = ts;
	e->caplen = caplen;
	e->flow = NS_TUI_NOFLOW;
	e->sumoff = s->text_off;
	s->spill_off += 16 + caplen;
	s->dirty = 1;
	return 0;
}

int ns_tuistore_describe(struct ns_tuistore *s, const char *line, size_t n,
			 uint32_t flow, uint8_t color)
{
	struct ns_tui_ent *e = slot(s, s->count);
	if (n > UINT16_MAX)
		n = UINT16_MAX;
	if (fwrite(line, 1, n, s->text) != n)
		return -1;
	e->sumoff = s->text_off;
	e->sumlen = (uint16_t)n;
	e->flow = flow;
	e->color = color;
	s->text_off += n;
	s->dirty = 1;
	return 0;
}

static void flush(struct ns_tuistore *s)
{
	if (s->dirty) {
		fflush(s->spill);
		fflush(s->text);
		s->dirty = 0;
	}
}

size_t ns_tuistore_summary(struct ns_tuistore *s, uint64_t n, char *buf,
			   size_t size)
{
	const struct ns_tui_ent *e = ns_tuistore_get(s, n);
	buf[0] = '\0';
	if (!e || size == 0)
		return 0;
	flush(s);
	size_t want = e->sumlen < size - 1 ? e->sumlen : size - 1;
	ssize_t got = pread(s->text_fd, buf, want, (off_t)e->sumoff);
	if (got < 0)
		got = 0;
	buf[got] = '\0';
	return (size_t)got;
}

int ns_tuistore_bytes(struct ns_tuistore *s, uint64_t n, uint8_t **data,
		      uint32_t *cap, uint32_t *caplen, uint32_t *len)
{
	const struct ns_tui_ent *e = ns_tuistore_get(s, n);
	if (!e)
		return -1;
	flush(s);
	uint8_t h[16];
	if (pread(s->spill_fd, h, 16, (off_t)e->off) != 16)
		return -1;
	uint32_t cl = le32(h + 8);
	if (cl > *cap || !*data) {
		uint8_t *nd = realloc(*data, cl ? cl : 1);
		if (!nd)
			return -1;
		*data = nd;
		*cap = cl ? cl : 1;
	}
	if (pread(s->spill_fd, *data, cl, (off_t)e->off + 16) != (ssize_t)cl)
		return -1;
	*caplen = cl;
	*len = le32(h + 12);
	return 0;
}

void ns_tuireplay_init(struct ns_tuireplay *r, uint32_t max_flows,
		       const struct ns_pbschema *pbschema)
{
	memset(r, 0, sizeof(*r));
	r->max_flows = max_flows;
	r->pbschema = pbschema;
	ns_pkt_init(&r->pkt);
}

void ns_tuireplay_reset(struct ns_tuireplay *r)
{
	if (r->ready)
		ns_engine_finish(&r->eng);
	r->ready = ns_engine_init(&r->eng, r->max_flows) == 0;
	r->eng.pbschema = r->pbschema;
	r->eng.keylog = r->keylog;
}

int ns_tuireplay_frame(struct ns_tuireplay *r, struct ns_tuistore *s,
		       uint64_t n)
{
	const struct ns_tui_ent *e = ns_tuistore_get(s, n);
	uint32_t caplen, len;
	/* two buffers: the previous packet's bytes stay valid while the
	 * next one is read (a stream layer may still point at them) */
	int b = r->cur ^ 1;
	if (!e || !r->ready ||
	    ns_tuistore_bytes(s, n, &r->data[b], &r->datacap[b], &caplen,
			      &len) < 0)
		return -1;
	r->cur = b;
	ns_pkt_begin(&r->pkt, n, e->ts, e->ts - s->first_ts, caplen, len,
		     s->linktype, r->data[b]);
	r->pkt.ts_digits = s->nano ? 9 : 6;
	r->pkt.eng = &r->eng;
	ns_dissect(&r->pkt);
	return 0;
}

void ns_tuireplay_free(struct ns_tuireplay *r)
{
	if (r->ready)
		ns_engine_finish(&r->eng);
	r->ready = 0;
	ns_pkt_free(&r->pkt);
	free(r->data[0]);
	free(r->data[1]);
	r->data[0] = r->data[1] = NULL;
}

int ns_tuistore_redissect(struct ns_tuistore *s, struct ns_tuireplay *r,
			  uint64_t n)
{
	const struct ns_tui_ent *e = ns_tuistore_get(s, n);
	if (!e)
		return -1;
	ns_tuireplay_reset(r);
	if (!r->ready)
		return -1;
	uint64_t first = ns_tuistore_first(s);
	if (e->flow != NS_TUI_NOFLOW) {
		/* the flow's earlier frames, newest first, then replayed in
		 * order; the engine gives the flow its index as before */
		uint64_t *prev = malloc(NS_TUI_REPLAY * sizeof(*prev));
		uint32_t k = 0;
		for (uint64_t m = n - 1;
		     prev && m >= first && m > 0 && k < NS_TUI_REPLAY; m--)
			if (slot(s, m)->flow == e->flow)
				prev[k++] = m;
		r->eng.flows.next_index[e->flow >> 31] = e->flow & 0x7fffffffu;
		while (prev && k > 0)
			ns_tuireplay_frame(r, s, prev[--k]);
		free(prev);
		r->eng.flows.next_index[e->flow >> 31] = e->flow & 0x7fffffffu;
	}
	return ns_tuireplay_frame(r, s, n);
}

int ns_tuistore_write(struct ns_tuistore *s, const uint64_t *frames, size_t n,
		      const char *path, char *err, size_t errlen)
{
	struct ns_writer w;
	struct ns_writer_opts o = {.path = path};
	if (ns_writer_init(&w, &o, s->linktype, s->snaplen, s->nano, err,
			   errlen) < 0 ||
	    ns_writer_start(&w, 0, err, errlen) < 0)
		return -1;
	uint8_t *data = NULL;
	uint32_t cap = 0, caplen, len;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct ns_tui_ent *e = ns_tuistore_get(s, frames[i]);
		if (!e || ns_tuistore_bytes(s, frames[i], &data, &cap, &caplen,
					    &len) < 0)
			continue;
		rc = ns_writer_write(&w, s->linktype, e->ts, caplen, len, data,
				     err, errlen) < 0
			 ? -1
			 : 0;
	}
	free(data);
	/* a failed write leaves a file that was there as it was, and err
	 * keeps why it failed */
	if (rc < 0) {
		char cerr[256];
		ns_writer_close(&w, 0, cerr, sizeof(cerr));
	} else if (ns_writer_close(&w, 1, err, errlen) < 0) {
		rc = -1;
	}
	return rc;
}
