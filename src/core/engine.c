/*
 * engine — see engine.h.
 */
#include "core/engine.h"

#include <stdlib.h>
#include <string.h>

#include "flow/stream.h"
#include "flow/tcpconn.h"

static void release(void *ctx, struct ns_flow *f)
{
	struct ns_engine *e = ctx;
	/* the dissectors say their last (calls still open, the TLS session,
	 * DNS queries never answered), then the connection ends */
	ns_stream_finish(&e->streams, f);
	ns_flow_slots_free(&e->mem, f);
	struct ns_event ev = {
	    .type = NS_EV_CONN_END, .flow = f, .ts = f->last_ts};
	ns_bus_publish(&e->bus, &ev);
	ns_stream_free(&e->streams, f->stream);
	f->stream = NULL;
	if (f->tcp)
		ns_tcp_conn_free(f->tcp);
	free(f->tcp);
	f->tcp = NULL;
}

int ns_engine_init(struct ns_engine *e, uint32_t max_flows)
{
	memset(e, 0, sizeof(*e));
	e->streams.reasm.per_dir = NS_REASM_DEFAULT_PER_DIR;
	e->streams.reasm.global = NS_REASM_DEFAULT_GLOBAL;
	e->streams.dissection = 1;
	e->streams.bus = &e->bus;
	e->streams.eng = e;
	e->streams.mem = &e->mem;
	e->mem.cap = NS_MEM_DEFAULT_CAP;
	ns_note_init(&e->notes, 0);
	ns_ipfrag_init(&e->ipfrag, &e->mem);
	int rc = ns_flow_table_init(&e->flows, max_flows);
	e->flows.release = release;
	e->flows.release_ctx = e;
	return rc;
}

static int by_index(const void *a, const void *b)
{
	const struct ns_flow *x = *(const struct ns_flow *const *)a;
	const struct ns_flow *y = *(const struct ns_flow *const *)b;
	if (x->key.proto != y->key.proto)
		return x->key.proto < y->key.proto ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void ns_engine_finish(struct ns_engine *e)
{
	struct ns_flow_table *t = &e->flows;
	struct ns_flow **all = calloc(t->count ? t->count : 1, sizeof(*all));
	uint32_t n = 0, id = NS_FLOW_NONE;
	struct ns_flow *f;
	while (all && (f = ns_flow_next(t, &id)) != NULL && n < t->count)
		all[n++] = f;
	if (all) {
		/* the survivors end in stream order, as tshark lists them */
		qsort(all, n, sizeof(*all), by_index);
		for (uint32_t i = 0; i < n; i++)
			ns_flow_remove(t, all[i]);
	}
	free(all);
	ns_flow_table_free(t);
	ns_ipfrag_free(&e->ipfrag);
	ns_slots_free(&e->mem, &e->slots);
	ns_note_free(&e->notes);
}

void *ns_engine_slot(struct ns_engine *e, const void *owner, size_t size,
		     void (*fn)(void *state))
{
	return ns_slot_in(&e->mem, &e->slots, owner, size, fn);
}

void ns_engine_note(struct ns_engine *e, uint64_t frame, unsigned layer,
		    const struct ns_field *f, uint64_t value)
{
	if (e && e->pass == 1)
		ns_note_add(&e->notes, frame, ns_note_key(f, layer), value);
}

int ns_engine_noted(struct ns_engine *e, uint64_t frame, unsigned layer,
		    const struct ns_field *f, uint64_t *value)
{
	return e && e->pass == 2 &&
	       ns_note_find(&e->notes, frame, ns_note_key(f, layer), value);
}

/* The IP fragment line: when fragments were seen and the caller wants
 * every line, or when a datagram was lost to a cap or the timeout. */
static void ipfrag_report(const struct ns_ipfrag *t, FILE *fp, int always)
{
	const struct ns_ipfrag_stats *s = &t->st;
	uint64_t lost = s->evicted + s->dropped + s->too_long + s->expired;
	if (!(always && (s->fragments || lost)) && !lost)
		return;
	fprintf(
	    fp,
	    "netscope: IP fragments: %llu taken, %llu datagrams "
	    "reassembled, %llu incomplete at the end, %llu expired "
	    "(%llu s IPv4, %llu s IPv6), %llu evicted at the caps "
	    "(%u datagrams, %zu KiB), %llu refused (%llu past 65535 "
	    "bytes); %llu overlapping (%llu with other bytes)\n",
	    (unsigned long long)s->fragments,
	    (unsigned long long)s->reassembled,
	    (unsigned long long)s->incomplete, (unsigned long long)s->expired,
	    (unsigned long long)(t->timeout[0] / 1000000000),
	    (unsigned long long)(t->timeout[1] / 1000000000),
	    (unsigned long long)s->evicted, t->max_dgrams, t->max_bytes >> 10,
	    (unsigned long long)(s->dropped + s->too_long),
	    (unsigned long long)s->too_long, (unsigned long long)s->overlaps,
	    (unsigned long long)s->conflicts);
}

void ns_engine_report(const struct ns_engine *e, FILE *fp, int always)
{
	const struct ns_flow_stats *s = &e->flows.stats;
	const struct ns_reasm_limits *r = &e->streams.reasm;
	if (always || s->evicted_cap || r->dropped)
		fprintf(
		    fp,
		    "netscope: flows: %llu TCP, %llu UDP; %llu expired "
		    "idle, %llu evicted at the cap of %u (--max-flows); "
		    "reassembly: %llu bytes dropped at its caps, %llu gaps\n",
		    (unsigned long long)s->created[0],
		    (unsigned long long)s->created[1],
		    (unsigned long long)s->expired_idle,
		    (unsigned long long)s->evicted_cap, e->flows.max_flows,
		    (unsigned long long)r->dropped,
		    (unsigned long long)r->gaps);
	ipfrag_report(&e->ipfrag, fp, always);
	const struct ns_mem *m = &e->mem;
	if (m->refused)
		fprintf(fp,
			"netscope: application state: %llu allocations "
			"(%llu bytes) refused at the budget of %zu MiB "
			"(--max-state): what they would have kept is missing "
			"(peak %zu KiB)\n",
			(unsigned long long)m->refused,
			(unsigned long long)m->refused_bytes, m->cap >> 20,
			m->peak >> 10);
	if (e->notes.dropped)
		fprintf(fp,
			"netscope: -2: %llu notes about earlier frames dropped "
			"at the cap of %zu (fields such as dns.response_in "
			"are missing where they were due)\n",
			(unsigned long long)e->notes.dropped, e->notes.max);
}
