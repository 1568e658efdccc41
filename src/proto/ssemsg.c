/*
 * ssemsg — text/event-stream parsing, and the SSE stream's counts and
 * times; see ssemsg.h.  Nothing here records fields: the items it makes
 * are recorded by the sse layer (dissectors/app/sse.c).
 *
 * A line whole in one piece is read in place; one that a piece ends
 * inside is collected in d->line until its end comes, then interpreted.
 * A data line's value is appended to d->data.  The line and the data buffer
 * together keep at most NS_SSE_MAX_EVENT bytes (each buffer grows by doubling
 * up to that), so one stream holds at most twice that, whatever its peer sends.
 */
#include "proto/ssemsg.h"

#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/reader.h"
#include "core/txn.h"

static const uint8_t utf8_bom[3] = {0xef, 0xbb, 0xbf};

void ns_sse_dec_reset(struct ns_sse_dec *d)
{
	ns_mem_free(d->mem, d->line);
	ns_mem_free(d->mem, d->data);
	memset(d, 0, sizeof(*d));
}

void ns_sse_dec_lost(struct ns_sse_dec *d)
{
	d->line_len = d->data_len = 0;
	d->line_total = d->data_total = 0;
	d->type_len = 0;
	d->truncated = d->skip_lf = 0;
	d->bom = 3;
	d->resync = 1;
}

void ns_sse_events_free(struct ns_sse_events *evs)
{
	for (unsigned i = 0; i < evs->n; i++)
		ns_mem_free(evs->mem, evs->it[i].bytes);
	evs->n = 0;
	evs->lost = 0;
}

int ns_sse_content_type(const uint8_t *v, size_t n)
{
	static const char t[] = "text/event-stream";
	size_t k = sizeof(t) - 1;
	struct ns_reader r;
	ns_rd_init(&r, v, n);
	if (n < k || strncasecmp((const char *)ns_rd_ptr(&r, k), t, k) != 0)
		return 0;
	return !ns_rd_left(&r) || ns_rd_starts(&r, ";", 1) ||
	       ns_rd_starts(&r, " ", 1) || ns_rd_starts(&r, "\t", 1);
}

/* Appends p[0..n) to a buffer (grown by doubling, up to `limit` bytes in
 * it); returns how many bytes were kept. */
static size_t append(struct ns_sse_dec *d, uint8_t **buf, uint32_t *len,
		     uint32_t *cap, size_t limit, const uint8_t *p, size_t n)
{
	size_t room = limit > *len ? limit - *len : 0;
	size_t k = n < room ? n : room;
	if (*len + k > *cap) {
		size_t nc = *cap ? *cap : 256;
		while (nc < *len + k)
			nc *= 2;
		if (nc > NS_SSE_MAX_EVENT)
			nc = NS_SSE_MAX_EVENT;
		uint8_t *nb = ns_mem_realloc(d->mem, *buf, nc);
		if (nb) {
			*buf = nb;
			*cap = (uint32_t)nc;
		} else { /* the budget: keep what fits */
			k = *cap - *len;
		}
	}
	if (k)
		memcpy(*buf + *len, p, k);
	*len += (uint32_t)k;
	return k;
}

/* A new item, with room for nbytes, or NULL (counted as lost). */
static struct ns_sse_item *add(struct ns_sse_events *evs, int kind,
			       size_t nbytes)
{
	uint8_t *b = NULL;
	if (evs->n >= NS_SSE_MAX_ITEMS ||
	    (nbytes && !(b = ns_mem_alloc(evs->mem, nbytes)))) {
		evs->lost++;
		return NULL;
	}
	struct ns_sse_item *it = &evs->it[evs->n++];
	memset(it, 0, sizeof(*it));
	it->kind = (uint8_t)kind;
	it->bytes = b;
	return it;
}

/* What one stream's parse of one piece needs beside its state. */
struct piece {
	struct ns_call *c;
	struct ns_sse_dec *d;
	struct ns_sse_events *evs;
	int64_t ts;
	ns_sse_event_fn fn;
	void *arg;
};

/* The call's counts and times for one more event. */
static void count_event(struct ns_call *c, int64_t ts, int truncated, int done)
{
	c->sse.events++;
	if (c->sse.t_first_event < 0) {
		c->sse.t_first_event = ts;
	} else {
		int64_t g = ts - c->sse.t_last_event;
		c->sse.gap_sum += g;
		if (g > c->sse.gap_max)
			c->sse.gap_max = g;
	}
	c->sse.t_last_event = ts;
	c->sse.truncated += truncated != 0;
	c->sse.done |= (uint8_t)(done != 0);
}

/* A blank line: the event is dispatched when its data buffer is not
 * empty; the data and type buffers start again either way. */
static void dispatch(struct piece *pc)
{
	struct ns_sse_dec *d = pc->d;
	if (d->data_total) {
		/* the data buffer's last LF is not part of the data */
		uint64_t total = d->data_total - 1;
		uint32_t len =
		    d->data_len < total ? d->data_len : (uint32_t)total;
		int done = !d->truncated && total == 6 &&
			   memcmp(d->data, "[DONE]", 6) == 0;
		count_event(pc->c, pc->ts, d->truncated, done);
		struct ns_sse_item *it =
		    add(pc->evs, NS_SSE_EVENT,
			(size_t)d->type_len + d->id_len + len + 1);
		if (it) {
			it->truncated = d->truncated;
			it->done = (uint8_t)done;
			it->type_len = d->type_len;
			it->id_len = d->id_len;
			it->len = len;
			it->total = total;
			it->number = pc->c->sse.events;
			memcpy(it->bytes, d->type, d->type_len);
			memcpy(it->bytes + d->type_len, d->id, d->id_len);
			if (len)
				memcpy(it->bytes + d->type_len + d->id_len,
				       d->data, len);
		}
		if (pc->fn)
			pc->fn(pc->arg);
	}
	d->data_len = 0;
	d->data_total = 0;
	d->type_len = 0;
	d->truncated = 0;
}

static int is(const uint8_t *n, size_t nl, const char *name)
{
	return nl == strlen(name) && memcmp(n, name, nl) == 0;
}

/* A field line: name, value (the part kept, `cut` bytes lost after it). */
static void field(struct piece *pc, const uint8_t *n, size_t nl,
		  struct ns_reader *v, uint64_t cut)
{
	struct ns_sse_dec *d = pc->d;
	size_t vl = ns_rd_left(v);
	if (is(n, nl, "data")) {
		d->data_total += vl + cut + 1;
		size_t k = append(d, &d->data, &d->data_len, &d->data_cap,
				  NS_SSE_MAX_EVENT, v->p, vl);
		uint8_t lf = '\n';
		if (k < vl || cut ||
		    !append(d, &d->data, &d->data_len, &d->data_cap,
			    NS_SSE_MAX_EVENT, &lf, 1))
			d->truncated = 1;
	} else if (is(n, nl, "event")) {
		d->type_len =
		    (uint8_t)(vl < NS_SSE_MAX_TYPE ? vl : NS_SSE_MAX_TYPE);
		memcpy(d->type, v->p, d->type_len);
	} else if (is(n, nl, "id")) {
		if (ns_rd_find(v, 0) >= 0)
			return; /* an id with a NUL is ignored */
		d->id_len = (uint8_t)(vl < NS_SSE_MAX_ID ? vl : NS_SSE_MAX_ID);
		memcpy(d->id, v->p, d->id_len);
	} else if (is(n, nl, "retry")) {
		uint64_t ms = ns_rd_dec(v, 19);
		if (vl == 0 || ns_rd_left(v) || cut)
			return; /* only ASCII digits */
		pc->c->sse.retry = (int64_t)ms;
		struct ns_sse_item *it = add(pc->evs, NS_SSE_RETRY, 0);
		if (it)
			it->retry = ms;
	}
}

/* A comment line (":text"): an item with its text, one leading space
 * left out. */
static void comment(struct piece *pc, struct ns_reader *r, uint64_t cut)
{
	if (ns_rd_starts(r, " ", 1))
		ns_rd_skip(r, 1);
	size_t n = ns_rd_left(r);
	size_t k = n < NS_SSE_MAX_NOTE ? n : NS_SSE_MAX_NOTE;
	struct ns_sse_item *it = add(pc->evs, NS_SSE_COMMENT, k + 1);
	if (!it)
		return;
	it->len = (uint32_t)k;
	it->total = n + cut;
	it->truncated = it->total > k;
	memcpy(it->bytes, ns_rd_ptr(r, k), k);
}

/* A complete line: line[0..n) kept of its `total` bytes. */
static void line_end(struct piece *pc, const uint8_t *line, size_t n,
		     uint64_t total)
{
	struct ns_sse_dec *d = pc->d;
	uint64_t cut = total - n;
	struct ns_reader r;
	ns_rd_init(&r, line, n);
	if (d->resync) { /* lost bytes: the next event starts after a blank
			    line */
		d->resync = total != 0;
	} else if (!total) {
		dispatch(pc);
	} else if (ns_rd_starts(&r, ":", 1)) {
		ns_rd_skip(&r, 1);
		comment(pc, &r, cut);
	} else {
		size_t nl;
		const uint8_t *name = ns_rd_token(&r, ':', &nl);
		/* no colon: the whole line names the field, its value "" */
		if (nl < n && ns_rd_starts(&r, " ", 1))
			ns_rd_skip(&r, 1);
		field(pc, name, nl, &r, cut);
	}
}

/* Adds p[0..n) to the line in progress (what does not fit is counted). */
static void line_add(struct ns_sse_dec *d, const uint8_t *p, size_t n)
{
	size_t limit = NS_SSE_MAX_EVENT - d->data_len;
	append(d, &d->line, &d->line_len, &d->line_cap, limit, p, n);
	d->line_total += n;
}

/* One leading UTF-8 byte order mark is not part of the stream. */
static void skip_bom(struct ns_sse_dec *d, struct ns_reader *r)
{
	while (d->bom < 3 && ns_rd_left(r)) {
		if (ns_rd_peek(r, 0) != utf8_bom[d->bom]) {
			d->bom = 3;
			return;
		}
		ns_rd_skip(r, 1);
		d->bom++;
	}
}

/* Where the first byte c at or after r's cursor is, from r's base;
 * SIZE_MAX when there is none. */
static size_t first_of(const struct ns_reader *r, uint8_t c)
{
	long f = ns_rd_find(r, c);
	return f < 0 ? SIZE_MAX : ns_rd_off(r) + (size_t)f;
}

/* The same, with the last answer cached in *at (found again only once
 * the cursor has passed it), so a piece is searched once per byte. */
static size_t next_of(const struct ns_reader *r, uint8_t c, size_t *at)
{
	if (*at != SIZE_MAX && *at < ns_rd_off(r))
		*at = first_of(r, c);
	return *at;
}

void ns_sse_body(struct ns_call *c, struct ns_sse_dec *d,
		 struct ns_sse_events *evs, int64_t ts, const uint8_t *p,
		 size_t n, ns_sse_event_fn fn, void *arg)
{
	if (!d->line && !d->data)
		d->mem = evs->mem;
	struct piece pc = {c, d, evs, ts, fn, arg};
	unsigned first = evs->n;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	/* a CR ended the last piece: an LF now is the same line end */
	if (d->skip_lf && ns_rd_starts(&r, "\n", 1))
		ns_rd_skip(&r, 1);
	d->skip_lf = 0;
	skip_bom(d, &r);
	size_t cr = first_of(&r, '\r'), lf = first_of(&r, '\n');
	while (ns_rd_left(&r)) {
		size_t e = next_of(&r, '\r', &cr);
		size_t l = next_of(&r, '\n', &lf);
		if (l < e)
			e = l;
		size_t off = ns_rd_off(&r);
		if (e == SIZE_MAX) { /* the line goes on in the next piece */
			size_t k = ns_rd_left(&r);
			line_add(d, ns_rd_ptr(&r, k), k);
			break;
		}
		const uint8_t *line = ns_rd_ptr(&r, e - off);
		if (ns_rd_u8(&r) == '\r') {
			if (ns_rd_starts(&r, "\n", 1))
				ns_rd_skip(&r, 1);
			else if (!ns_rd_left(&r))
				d->skip_lf = 1;
		}
		if (!d->line_total) { /* whole in this piece: read in place */
			line_end(&pc, line, e - off, e - off);
			continue;
		}
		line_add(d, line, e - off);
		line_end(&pc, d->line, d->line_len, d->line_total);
		d->line_len = 0;
		d->line_total = 0;
	}
	for (unsigned i = first; i < evs->n; i++)
		evs->it[i].stream = c->id;
}
