/*
 * dissect — the dissector registry, the dispatch tables and the layer loop.
 *
 * The tables map (table, key) to a dissector.  They are tiny (a few entries
 * each) and read once per layer, so a sorted array with binary search beats
 * anything cleverer.  The loop runs each dissector on the reader the previous
 * one left, records one layer per dissector, and turns a reader overrun into
 * the user-visible outcome: truncated when the capture cut the packet
 * (caplen < len), malformed otherwise.  Whatever no dissector claims becomes
 * a `data` layer, as in Wireshark.
 */
#include "core/dissect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"

/* The registry itself (ns_dissectors[]) is generated from the dissector
 * sources listed in Makefile.am: gen/registry.c, by src/core/mkregistry.sh. */

/* ---- frame and data pseudo-dissectors ------------------------------------ */

enum {
	FRAME_NUMBER,
	FRAME_TIME_EPOCH,
	FRAME_TIME_RELATIVE,
	FRAME_LEN,
	FRAME_CAP_LEN,
	FRAME_INTERFACE_ID,
	FRAME_INTERFACE_NAME,
	FRAME_NFIELDS
};

static struct ns_field frame_fields[] = {
    [FRAME_NUMBER] = NS_F_UINT("frame.number", "Frame Number", 32),
    [FRAME_TIME_EPOCH] = NS_F_ABSTIME("frame.time_epoch", "Epoch Time"),
    [FRAME_TIME_RELATIVE] =
	NS_F_RELTIME("frame.time_relative", "Time since first frame"),
    [FRAME_LEN] = NS_F_UINT("frame.len", "Frame Length", 32),
    [FRAME_CAP_LEN] = NS_F_UINT("frame.cap_len", "Capture Length", 32),
    [FRAME_INTERFACE_ID] = NS_F_UINT("frame.interface_id", "Interface id", 32),
    [FRAME_INTERFACE_NAME] = NS_F_STR("frame.interface_name", "Interface name"),
};

struct ns_dissector ns_diss_frame = {
    .name = "frame",
    .column = NULL,
    .title = "Frame",
    .fields = frame_fields,
    .nfields = NS_NELEM(frame_fields),
};

enum { DATA_DATA, DATA_LEN, DATA_NFIELDS };

static struct ns_field data_fields[] = {
    [DATA_DATA] = NS_F_BYTES("data.data", "Data"),
    [DATA_LEN] = NS_F_UINT("data.len", "Length", 32),
};

struct ns_dissector ns_diss_data = {
    .name = "data",
    .column = NULL,
    .title = "Data",
    .fields = data_fields,
    .nfields = NS_NELEM(data_fields),
    /* no info: the transport's summary (Len=…) says it */
};

/* ---- tables ------------------------------------------------------------- */

struct entry {
	uint32_t key;
	const char *name; /* tables keyed by name */
	const struct ns_dissector *d;
};

static struct {
	struct entry *e; /* sorted by key */
	unsigned n;
	/* by key, for a table of 16-bit keys (ports, EtherTypes) and fewer
	 * than 255 entries: 1 + the entry the search finds, 0 for none, up
	 * to the largest key (ixn entries: a byte each, so that the index
	 * stays in the cache); NULL: search */
	uint8_t *ix;
	uint32_t ixn;
} tables[NS_TAB_COUNT];

#define INDEX_MIN 8 /* entries: fewer are found by search as fast */

/* stream dissectors that have a heuristic, for ns_stream_heuristics() */
static const struct ns_dissector **heur;
static unsigned nheur;
/* dissectors with a UDP heuristic, for ns_udp_heuristic() */
static const struct ns_dissector **udp_heur;
static unsigned nudp_heur;

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* The entry for key in e[0..n), sorted: a binary search (with keys
 * bound twice, whichever it meets first). */
static const struct entry *search(const struct entry *e, unsigned n,
				  uint32_t key)
{
	unsigned lo = 0, hi = n;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (e[mid].key == key)
			return &e[mid];
		if (e[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Table t's index by key, when its keys are 16-bit and it has enough of
 * them: a lookup per layer is then one load.  Each key maps to the entry
 * the search would find, so both always agree. */
static void index_table(unsigned t)
{
	free(tables[t].ix);
	tables[t].ix = NULL;
	tables[t].ixn = 0;
	const struct entry *e = tables[t].e;
	unsigned n = tables[t].n;
	if (n < INDEX_MIN || n > UINT8_MAX - 1 || e[n - 1].key > UINT16_MAX)
		return; /* sorted: the last key is the largest */
	uint32_t ixn = e[n - 1].key + 1;
	uint8_t *ix = calloc(ixn, sizeof(*ix));
	if (!ix)
		return; /* searched */
	for (unsigned i = 0; i < n; i++)
		ix[e[i].key] = (uint8_t)(search(e, n, e[i].key) - e + 1);
	tables[t].ix = ix;
	tables[t].ixn = ixn;
}

static void tables_init(void)
{
	for (unsigned t = 0; t < NS_TAB_COUNT; t++) {
		free(tables[t].e);
		tables[t].e = NULL;
		tables[t].n = 0;
	}
	for (unsigned i = 0; i < ns_ndissectors; i++) {
		const struct ns_binding *b = ns_dissectors[i]->bindings;
		for (; b && b->table; b++) {
			unsigned t = b->table;
			struct entry *e = realloc(
			    tables[t].e, (tables[t].n + 1) * sizeof(*e));
			if (!e)
				abort();
			e[tables[t].n] =
			    (struct entry){b->key, NULL, ns_dissectors[i]};
			tables[t].e = e;
			tables[t].n++;
		}
		const struct ns_name_binding *nb = ns_dissectors[i]->names;
		for (; nb && nb->table; nb++) {
			unsigned t = nb->table;
			struct entry *e = realloc(
			    tables[t].e, (tables[t].n + 1) * sizeof(*e));
			if (!e)
				abort();
			e[tables[t].n] =
			    (struct entry){0, nb->name, ns_dissectors[i]};
			tables[t].e = e;
			tables[t].n++;
		}
	}
	for (unsigned t = 0; t < NS_TAB_COUNT; t++) {
		if (tables[t].n)
			qsort(tables[t].e, tables[t].n, sizeof(struct entry),
			      entry_cmp);
		index_table(t);
	}
	free(heur);
	heur = calloc(ns_ndissectors, sizeof(*heur));
	nheur = 0;
	for (unsigned i = 0; heur && i < ns_ndissectors; i++)
		if (ns_dissectors[i]->stream && ns_dissectors[i]->stream->probe)
			heur[nheur++] = ns_dissectors[i];
	free(udp_heur);
	udp_heur = calloc(ns_ndissectors, sizeof(*udp_heur));
	nudp_heur = 0;
	for (unsigned i = 0; udp_heur && i < ns_ndissectors; i++)
		if (ns_dissectors[i]->udp_heuristic)
			udp_heur[nudp_heur++] = ns_dissectors[i];
}

int ns_udp_heuristic(struct ns_packet *pkt, const uint8_t *p, size_t n)
{
	for (unsigned i = 0; i < nudp_heur; i++)
		if (udp_heur[i]->udp_heuristic(pkt, p, n)) {
			ns_next(pkt, NS_TAB_UDP_HEUR, i);
			return 1;
		}
	return 0;
}

int ns_udp_heuristic_of(struct ns_packet *pkt, const void *owner)
{
	for (unsigned i = 0; i < nudp_heur; i++)
		if (udp_heur[i] == owner) {
			ns_next(pkt, NS_TAB_UDP_HEUR, i);
			return 1;
		}
	return 0;
}

const struct ns_dissector *const *ns_stream_heuristics(unsigned *n)
{
	*n = nheur;
	return heur;
}

const struct ns_dissector *ns_table_lookup(uint8_t table, uint32_t key)
{
	if (table == NS_TAB_UDP_HEUR)
		return key < nudp_heur ? udp_heur[key] : NULL;
	if (table >= NS_TAB_COUNT)
		return NULL;
	const struct entry *e = tables[table].e;
	const uint8_t *ix = tables[table].ix;
	if (ix) {
		unsigned i = key < tables[table].ixn ? ix[key] : 0;
		return i ? e[i - 1].d : NULL;
	}
	const struct entry *f = search(e, tables[table].n, key);
	return f ? f->d : NULL;
}

const struct ns_dissector *ns_table_lookup_name(uint8_t table,
						const uint8_t *name, size_t n)
{
	if (table >= NS_TAB_COUNT)
		return NULL;
	for (unsigned i = 0; i < tables[table].n; i++) {
		const char *k = tables[table].e[i].name;
		if (k && strlen(k) == n &&
		    strncasecmp(k, (const char *)name, n) == 0)
			return tables[table].e[i].d;
	}
	return NULL;
}

int ns_table_bind(uint8_t table, uint32_t key, const struct ns_dissector *d)
{
	if (table == NS_TAB_NONE || table >= NS_TAB_COUNT)
		return -1;
	for (unsigned i = 0; i < tables[table].n; i++)
		if (tables[table].e[i].key == key) {
			tables[table].e[i].d = d;
			return 0;
		}
	struct entry *e =
	    realloc(tables[table].e, (tables[table].n + 1) * sizeof(*e));
	if (!e)
		return -1;
	e[tables[table].n] = (struct entry){key, NULL, d};
	tables[table].e = e;
	tables[table].n++;
	qsort(e, tables[table].n, sizeof(*e), entry_cmp);
	index_table(table);
	return 0;
}

void ns_next_port(struct ns_packet *pkt, uint8_t table, uint16_t sport,
		  uint16_t dport)
{
	uint16_t lo = sport < dport ? sport : dport;
	uint16_t hi = sport < dport ? dport : sport;
	/* stream dissectors take reassembled TCP bytes (stream.c), not
	 * segments; over UDP (DNS) they take datagrams like any other */
	int tcp = table == NS_TAB_TCP_PORT;
	const struct ns_dissector *d = ns_table_lookup(table, lo);
	if (d && (!d->stream || !tcp)) {
		ns_next(pkt, table, lo);
		return;
	}
	d = ns_table_lookup(table, hi);
	if (d && (!d->stream || !tcp))
		ns_next(pkt, table, hi);
}

/* ---- the layer loop ----------------------------------------------------- */

/* d's dissect(), its fields recorded around it when it reads them back
 * (ns_dissector.reads_fields), whatever the run keeps. */
static int call(const struct ns_dissector *d, struct ns_packet *pkt,
		struct ns_reader *r, const struct ns_dctx *cx)
{
	if (!d->reads_fields)
		return d->dissect(pkt, r, cx);
	int kept = ns_pkt_keep_fields(pkt, 1);
	int rc = d->dissect(pkt, r, cx);
	ns_pkt_keep_fields(pkt, kept);
	return rc;
}

static unsigned layer_open(struct ns_packet *pkt, const struct ns_dissector *d,
			   const struct ns_reader *r)
{
	unsigned li = pkt->nlayers++;
	pkt->cur_layer = (uint8_t)li;
	struct ns_layer *l = &pkt->layers[li];
	l->d = d;
	l->src = pkt->cur_src;
	l->srclen = pkt->cur_srclen;
	l->off = ns_rd_off(r);
	l->len = (uint32_t)ns_rd_left(r);
	l->fv_first = pkt->nfv;
	l->fv_end = pkt->nfv;
	l->status = NS_LAYER_OK;
	l->quoted = pkt->quoted;
	l->decrypted = 0;
	l->reason = NULL;
	l->sum = NULL;
	pkt->depth = 0;
	ns_pkt_add(pkt, &d->proto, l->off, l->len);
	pkt->depth = 1;
	return li;
}

static void layer_close(struct ns_packet *pkt, unsigned li,
			const struct ns_reader *r, int rc)
{
	struct ns_layer *l = &pkt->layers[li];
	uint32_t end = (uint32_t)(r->end - r->base);
	l->len = end > l->off ? end - l->off : 0;
	/* the protocol field spans the layer as finally limited */
	if (l->fv_first < pkt->nfv)
		pkt->fv[l->fv_first].len = l->len;
	/* a dissector that ran ns_dissect_inner() owns only the fields before
	 * the inner layers */
	l->fv_end =
	    li + 1 < pkt->nlayers ? pkt->layers[li + 1].fv_first : pkt->nfv;
	if (rc == NS_ETRUNC) {
		if (pkt->caplen < pkt->len || pkt->quoted) {
			l->status = NS_LAYER_TRUNCATED;
		} else if (l->status == NS_LAYER_OK) {
			l->status = NS_LAYER_MALFORMED;
			l->reason = l->d->column ? l->d->column : l->d->name;
			l->reason = ns_arena_printf(
			    &pkt->arena, "%s header cut short", l->reason);
		}
	} else if (rc != 0 && l->status == NS_LAYER_OK) {
		l->status = NS_LAYER_MALFORMED;
	}
	/* a quoted layer's shortness is the quote's design, unless the
	 * capture itself was cut there */
	int snapped = l->status == NS_LAYER_TRUNCATED &&
		      pkt->caplen < pkt->len &&
		      r->end == pkt->data + pkt->caplen;
	if (l->status != NS_LAYER_OK && pkt->status == NS_LAYER_OK &&
	    (!pkt->quoted || snapped)) {
		pkt->status = l->status;
		pkt->reason = l->reason;
	}
}

/* A layer (IPv4, IPv6) reassembled its payload: what follows reads it. */
static void switch_src(struct ns_packet *pkt, struct ns_reader *r)
{
	pkt->cur_src = pkt->next_src;
	pkt->cur_srclen = pkt->next_srclen;
	pkt->next_src = NULL;
	pkt->next_srclen = 0;
	ns_rd_init(r, pkt->cur_src, pkt->cur_srclen);
}

static void run(struct ns_packet *pkt, struct ns_reader *r, uint8_t table,
		uint32_t key)
{
	while (table != NS_TAB_NONE) {
		const struct ns_dissector *d = ns_table_lookup(table, key);
		if (!d)
			break;
		if (pkt->nlayers >= NS_MAX_LAYERS) {
			if (!pkt->quoted && pkt->status == NS_LAYER_OK) {
				pkt->status = NS_LAYER_MALFORMED;
				pkt->reason = "too many nested layers";
			}
			return;
		}
		unsigned li = layer_open(pkt, d, r);
		pkt->next_table = NS_TAB_NONE;
		struct ns_dctx cx = {.d = d};
		int rc = call(d, pkt, r, &cx);
		if (rc == 0 && r->err)
			rc = NS_ETRUNC;
		layer_close(pkt, li, r, rc);
		if (rc)
			return;
		if (pkt->next_src)
			switch_src(pkt, r);
		table = pkt->next_table;
		key = pkt->next_key;
	}
	/* reassembled stream bytes: their messages follow the transport */
	int taken = 0;
	if (pkt->deliver && !pkt->quoted) {
		taken = pkt->deliver(pkt);
		pkt->deliver = NULL;
		pkt->stream_flow = NULL;
	}
	size_t left = ns_rd_left(r);
	if (left && !taken && !pkt->quoted && pkt->nlayers < NS_MAX_LAYERS) {
		unsigned li = layer_open(pkt, &ns_diss_data, r);
		uint32_t off = ns_rd_off(r);
		const uint8_t *p = ns_rd_ptr(r, left);
		ns_add_bytes(pkt, &data_fields[DATA_DATA], off, (uint32_t)left,
			     p, (uint32_t)left);
		ns_add_uint(pkt, &data_fields[DATA_LEN], off, (uint32_t)left,
			    left);
		layer_close(pkt, li, r, 0);
	}
}

int ns_dissect_layer(struct ns_packet *pkt, const struct ns_dissector *d,
		     struct ns_reader *r, const uint8_t *src, uint32_t srclen,
		     const struct ns_dctx *cx)
{
	struct ns_dctx own = {.d = d};
	if (cx) {
		own = *cx;
		own.d = d;
	}
	if (pkt->nlayers >= NS_MAX_LAYERS)
		return -1;
	unsigned li = layer_open(pkt, d, r);
	pkt->layers[li].src = src;
	pkt->layers[li].srclen = srclen;
	pkt->next_table = NS_TAB_NONE;
	int rc = call(d, pkt, r, &own);
	if (rc == 0 && r->err)
		rc = NS_ETRUNC;
	layer_close(pkt, li, r, rc);
	pkt->next_table = NS_TAB_NONE;
	return (int)li;
}

static void dissect_frame(struct ns_packet *pkt, struct ns_reader *r)
{
	unsigned li = layer_open(pkt, &ns_diss_frame, r);
	ns_add_uint(pkt, &frame_fields[FRAME_NUMBER], 0, 0, pkt->num);
	ns_add_int(pkt, &frame_fields[FRAME_TIME_EPOCH], 0, 0, pkt->ts);
	ns_add_int(pkt, &frame_fields[FRAME_TIME_RELATIVE], 0, 0, pkt->rel);
	ns_add_uint(pkt, &frame_fields[FRAME_LEN], 0, 0, pkt->len);
	ns_add_uint(pkt, &frame_fields[FRAME_CAP_LEN], 0, 0, pkt->caplen);
	/* known only for what libwiretap read (a pcapng of several link
	 * types): libpcap does not say which interface a packet came from */
	if (pkt->ifid >= 0)
		ns_add_uint(pkt, &frame_fields[FRAME_INTERFACE_ID], 0, 0,
			    (uint64_t)pkt->ifid);
	if (pkt->ifname)
		ns_add_bytes(pkt, &frame_fields[FRAME_INTERFACE_NAME], 0, 0,
			     (const uint8_t *)pkt->ifname,
			     (uint32_t)strlen(pkt->ifname));
	layer_close(pkt, li, r, 0);
}

void ns_dissect(struct ns_packet *pkt)
{
	struct ns_reader r;
	ns_rd_init(&r, pkt->data, pkt->caplen);
	dissect_frame(pkt, &r);
	run(pkt, &r, NS_TAB_LINKTYPE, (uint32_t)pkt->linktype);
}

void ns_dissect_frame_only(struct ns_packet *pkt)
{
	struct ns_reader r;
	ns_rd_init(&r, pkt->data, pkt->caplen);
	dissect_frame(pkt, &r);
}

/* Must be the last thing the calling dissector does: fields added after it
 * would land in the inner layers. */
void ns_dissect_inner(struct ns_packet *pkt, struct ns_reader *r, uint8_t table,
		      uint32_t key)
{
	uint8_t was = pkt->quoted;
	/* the quote's own truncation must not mark the quoting layer */
	struct ns_reader inner = *r;
	pkt->quoted = 1;
	run(pkt, &inner, table, key);
	pkt->quoted = was;
	r->p = inner.p < r->end ? inner.p : r->end;
	pkt->next_table = NS_TAB_NONE;
}

void ns_registry_init(void)
{
	if (ns_fields_indexed())
		return;
	uint32_t n = 0, k = 0;
	for (unsigned i = 0; i < ns_ndissectors; i++)
		n += 1 + ns_dissectors[i]->nfields;
	const struct ns_field **all = calloc(n, sizeof(*all));
	if (!all) {
		fputs("netscope: out of memory\n", stderr);
		exit(1);
	}
	for (unsigned i = 0; i < ns_ndissectors; i++) {
		struct ns_dissector *d = ns_dissectors[i];
		d->proto.name = d->name;
		d->proto.title = d->title;
		d->proto.type = NS_FT_PROTO;
		d->proto.proto = d;
		d->proto.id = k;
		d->proto.name_len = (uint32_t)strlen(d->name);
		all[k++] = &d->proto;
		for (unsigned j = 0; j < d->nfields; j++) {
			d->fields[j].id = k;
			d->fields[j].name_len =
			    (uint32_t)strlen(d->fields[j].name);
			d->fields[j].proto = d;
			all[k++] = &d->fields[j];
		}
	}
	ns_fields_index(all, n);
	tables_init();
}

int ns_malformed(struct ns_packet *pkt, const char *fmt, ...)
{
	if (!pkt->nlayers)
		return NS_EMALFORMED;
	struct ns_layer *l = &pkt->layers[pkt->nlayers - 1];
	if (l->status == NS_LAYER_OK) {
		char tmp[256];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(tmp, sizeof(tmp), fmt, ap);
		va_end(ap);
		const char *name = l->d->column ? l->d->column : l->d->name;
		l->status = NS_LAYER_MALFORMED;
		l->reason = ns_arena_printf(&pkt->arena, "%s: %s", name, tmp);
	}
	return NS_EMALFORMED;
}
