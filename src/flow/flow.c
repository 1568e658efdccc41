/*
 * flow — see flow.h.
 *
 * The hash is seeded per run (from the clock and the address of the table)
 * so that crafted traffic cannot predict collisions; flow indices and every
 * output are independent of it.  The slot array is kept at most half full
 * and doubles as flows are added, up to twice max_flows.
 */
#include "flow/flow.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/mem.h"

/* flows per pool chunk: 2^12, or fewer for a small table (a fuzzer or a
 * test makes thousands of them) */
#define NS_FLOW_CHUNK_SHIFT 12u
/* most flows a single ns_flow_expire() call removes */
#define EXPIRE_BATCH 32

static const int64_t default_idle_s[NS_IDLE_COUNT] = {
    /* a SYN may be retried for about 2 minutes (Linux tcp_syn_retries) */
    [NS_IDLE_TCP_OPENING] = 180,
    [NS_IDLE_TCP_ESTABLISHED] = 3600,
    /* late ACKs and retransmitted FINs arrive within TIME_WAIT (60 s) */
    [NS_IDLE_TCP_CLOSED] = 60,
    [NS_IDLE_UDP] = 600,
};

static inline struct ns_flow *flow_at(const struct ns_flow_table *t,
				      uint32_t id)
{
	return &t->chunks[id >> t->chunk_shift]
			 [id & ((1u << t->chunk_shift) - 1)];
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 31);
}

static uint32_t fold(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

static uint32_t key_hash(const struct ns_flow_table *t,
			 const struct ns_flow_key *k)
{
	uint64_t h = t->seed;
	uint64_t w[4]; /* both addresses; an IPv4 one is followed by zeros
			  (ns_flow_key_make) */
	memcpy(w, k->addr, sizeof(w));
	h = mix(h, (uint64_t)k->family << 40 | (uint64_t)k->proto << 32 |
		       (uint64_t)k->port[0] << 16 | k->port[1]);
	if (k->family == 4)
		return fold(mix(mix(h, w[0]), w[2]));
	return fold(mix(mix(mix(mix(h, w[0]), w[1]), w[2]), w[3]));
}

/* Whether the addresses agree in their first 4 or 16 bytes, compared in
 * words (the bytes after an IPv4 address are not set). */
static int addr_eq(const uint8_t *a, const uint8_t *b, int v6)
{
	uint32_t x, y;
	memcpy(&x, a, 4);
	memcpy(&y, b, 4);
	if (x != y)
		return 0;
	if (!v6)
		return 1;
	uint64_t p[2], q[2];
	memcpy(p, a, 16);
	memcpy(q, b, 16);
	return p[0] == q[0] && p[1] == q[1];
}

static int key_eq(const struct ns_flow_key *a, const struct ns_flow_key *b)
{
	int v6 = a->family != 4;
	return a->family == b->family && a->proto == b->proto &&
	       a->port[0] == b->port[0] && a->port[1] == b->port[1] &&
	       addr_eq(a->addr[0], b->addr[0], v6) &&
	       addr_eq(a->addr[1], b->addr[1], v6);
}

void ns_flow_key_make(struct ns_flow_key *k, uint8_t family, uint8_t proto,
		      const uint8_t *src, const uint8_t *dst, uint16_t sport,
		      uint16_t dport, int *src_side)
{
	size_t alen = family == 4 ? 4 : 16;
	memset(k, 0, sizeof(*k));
	k->family = family;
	k->proto = proto;
	int c = memcmp(src, dst, alen);
	int swap = c > 0 || (c == 0 && sport > dport);
	const uint8_t *a0 = swap ? dst : src, *a1 = swap ? src : dst;
	memcpy(k->addr[0], a0, alen);
	memcpy(k->addr[1], a1, alen);
	k->port[0] = swap ? dport : sport;
	k->port[1] = swap ? sport : dport;
	*src_side = swap;
}

static int slots_resize(struct ns_flow_table *t, uint32_t n)
{
	uint32_t *s = malloc((size_t)n * sizeof(*s));
	if (!s)
		return NS_ENOMEM;
	memset(s, 0xff, (size_t)n * sizeof(*s));
	for (uint32_t i = 0; i < t->nslots; i++) {
		uint32_t id = t->slots[i];
		if (id == NS_FLOW_NONE)
			continue;
		uint32_t j = flow_at(t, id)->hash & (n - 1);
		while (s[j] != NS_FLOW_NONE)
			j = (j + 1) & (n - 1);
		s[j] = id;
	}
	free(t->slots);
	t->slots = s;
	t->nslots = n;
	return 0;
}

int ns_flow_table_init(struct ns_flow_table *t, uint32_t max_flows)
{
	memset(t, 0, sizeof(*t));
	t->max_flows = max_flows ? max_flows : NS_FLOW_DEFAULT_MAX;
	t->chunk_shift = 4;
	while (t->chunk_shift < NS_FLOW_CHUNK_SHIFT &&
	       (1u << t->chunk_shift) < t->max_flows)
		t->chunk_shift++;
	t->free_head = NS_FLOW_NONE;
	t->lru_head = t->lru_tail = NS_FLOW_NONE;
	for (int i = 0; i < NS_IDLE_COUNT; i++) {
		t->idle_ns[i] = default_idle_s[i] * 1000000000;
		t->idle_head[i] = t->idle_tail[i] = NS_FLOW_NONE;
		t->expire_floor = INT64_MIN;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	t->seed = mix((uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec,
		      (uint64_t)(uintptr_t)t);
	return slots_resize(t, 1024);
}

void ns_flow_table_free(struct ns_flow_table *t)
{
	for (uint32_t id = 0; id < t->nalloc; id++) {
		struct ns_flow *f = flow_at(t, id);
		if (f->live && t->release)
			t->release(t->release_ctx, f);
	}
	for (uint32_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->slots);
	/* the counters outlive the table: the end-of-run report reads them
	 * after the last flows have ended */
	struct ns_flow_stats stats = t->stats;
	uint32_t max_flows = t->max_flows;
	memset(t, 0, sizeof(*t));
	t->stats = stats;
	t->max_flows = max_flows;
}

struct ns_flow *ns_flow_find(struct ns_flow_table *t,
			     const struct ns_flow_key *k)
{
	uint32_t h = key_hash(t, k);
	for (uint32_t i = h & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
		uint32_t id = t->slots[i];
		if (id == NS_FLOW_NONE)
			return NULL;
		struct ns_flow *f = flow_at(t, id);
		if (f->hash == h && key_eq(&f->key, k))
			return f;
	}
}

static void lru_unlink(struct ns_flow_table *t, struct ns_flow *f)
{
	if (f->lru_prev != NS_FLOW_NONE)
		flow_at(t, f->lru_prev)->lru_next = f->lru_next;
	else
		t->lru_head = f->lru_next;
	if (f->lru_next != NS_FLOW_NONE)
		flow_at(t, f->lru_next)->lru_prev = f->lru_prev;
	else
		t->lru_tail = f->lru_prev;
	f->lru_prev = f->lru_next = NS_FLOW_NONE;
}

static void idle_unlink(struct ns_flow_table *t, struct ns_flow *f)
{
	if (f->idle_prev != NS_FLOW_NONE)
		flow_at(t, f->idle_prev)->idle_next = f->idle_next;
	else
		t->idle_head[f->idle] = f->idle_next;
	if (f->idle_next != NS_FLOW_NONE) {
		flow_at(t, f->idle_next)->idle_prev = f->idle_prev;
	} else {
		t->idle_tail[f->idle] = f->idle_prev;
		t->expire_floor = INT64_MIN; /* a class's last flow changed */
	}
	f->idle_prev = f->idle_next = NS_FLOW_NONE;
}

static void idle_push_head(struct ns_flow_table *t, struct ns_flow *f)
{
	f->idle_prev = NS_FLOW_NONE;
	f->idle_next = t->idle_head[f->idle];
	if (f->idle_next != NS_FLOW_NONE)
		flow_at(t, f->idle_next)->idle_prev = f->id;
	t->idle_head[f->idle] = f->id;
	if (t->idle_tail[f->idle] == NS_FLOW_NONE) {
		t->idle_tail[f->idle] = f->id;
		t->expire_floor = INT64_MIN;
	}
}

static void lru_push_head(struct ns_flow_table *t, struct ns_flow *f)
{
	f->lru_prev = NS_FLOW_NONE;
	f->lru_next = t->lru_head;
	if (t->lru_head != NS_FLOW_NONE)
		flow_at(t, t->lru_head)->lru_prev = f->id;
	t->lru_head = f->id;
	if (t->lru_tail == NS_FLOW_NONE)
		t->lru_tail = f->id;
}

/* Backward-shift deletion keeps probe sequences unbroken without
 * tombstones. */
static void slot_delete(struct ns_flow_table *t, struct ns_flow *f)
{
	uint32_t mask = t->nslots - 1;
	uint32_t i = f->hash & mask;
	while (t->slots[i] != f->id)
		i = (i + 1) & mask;
	for (;;) {
		t->slots[i] = NS_FLOW_NONE;
		uint32_t j = i;
		for (;;) {
			j = (j + 1) & mask;
			uint32_t id = t->slots[j];
			if (id == NS_FLOW_NONE)
				return;
			uint32_t home = flow_at(t, id)->hash & mask;
			/* move it back if its home is not in (i, j] */
			if (i <= j ? (home <= i || home > j)
				   : (home <= i && home > j)) {
				t->slots[i] = id;
				i = j;
				break;
			}
		}
	}
}

void ns_flow_remove(struct ns_flow_table *t, struct ns_flow *f)
{
	if (t->release)
		t->release(t->release_ctx, f);
	slot_delete(t, f);
	lru_unlink(t, f);
	idle_unlink(t, f);
	f->live = 0;
	f->lru_next = t->free_head;
	t->free_head = f->id;
	t->count--;
}

static struct ns_flow *pool_get(struct ns_flow_table *t)
{
	if (t->free_head != NS_FLOW_NONE) {
		struct ns_flow *f = flow_at(t, t->free_head);
		t->free_head = f->lru_next;
		return f;
	}
	uint32_t chunk = 1u << t->chunk_shift;
	if (t->nalloc % chunk == 0) {
		struct ns_flow **c =
		    realloc(t->chunks, (t->nchunks + 1) * sizeof(*c));
		if (!c)
			return NULL;
		t->chunks = c;
		c[t->nchunks] = calloc(chunk, sizeof(struct ns_flow));
		if (!c[t->nchunks])
			return NULL;
		t->nchunks++;
	}
	struct ns_flow *f = flow_at(t, t->nalloc);
	f->id = t->nalloc++;
	return f;
}

struct ns_flow *ns_flow_create(struct ns_flow_table *t,
			       const struct ns_flow_key *k, int src_side,
			       int64_t ts)
{
	if (t->count >= t->max_flows && t->lru_tail != NS_FLOW_NONE) {
		ns_flow_remove(t, flow_at(t, t->lru_tail));
		t->stats.evicted_cap++;
	}
	if ((uint64_t)(t->count + 1) * 2 > t->nslots &&
	    slots_resize(t, t->nslots * 2) < 0)
		return NULL;
	struct ns_flow *f = pool_get(t);
	if (!f)
		return NULL;
	uint32_t id = f->id;
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->key = *k;
	f->hash = key_hash(t, k);
	f->client = (uint8_t)src_side;
	f->first = (uint8_t)src_side;
	f->live = 1;
	f->first_ts = f->last_ts = ts;
	int udp = k->proto == 17;
	f->idle = udp ? NS_IDLE_UDP : NS_IDLE_TCP_OPENING;
	f->index = t->next_index[udp]++;
	t->stats.created[udp]++;

	uint32_t mask = t->nslots - 1;
	uint32_t i = f->hash & mask;
	while (t->slots[i] != NS_FLOW_NONE)
		i = (i + 1) & mask;
	t->slots[i] = f->id;
	f->lru_prev = f->lru_next = NS_FLOW_NONE;
	lru_push_head(t, f);
	idle_push_head(t, f);
	t->count++;
	if (t->count > t->stats.peak)
		t->stats.peak = t->count;
	return f;
}

void ns_flow_touch(struct ns_flow_table *t, struct ns_flow *f, int64_t ts)
{
	if (ts > f->last_ts)
		f->last_ts = ts;
	if (t->lru_head != f->id) {
		lru_unlink(t, f);
		lru_push_head(t, f);
	}
	if (t->idle_head[f->idle] != f->id) {
		idle_unlink(t, f);
		idle_push_head(t, f);
	}
}

void ns_flow_set_idle(struct ns_flow_table *t, struct ns_flow *f,
		      enum ns_flow_idle idle)
{
	if (f->idle == idle)
		return;
	idle_unlink(t, f);
	f->idle = (uint8_t)idle;
	idle_push_head(t, f);
}

void ns_flow_expire(struct ns_flow_table *t, int64_t now)
{
	/* a flow's last_ts only grows, and a class's last flow changing
	 * resets the floor: until now passes it, nothing is due */
	if (t->expire_floor != INT64_MIN && now <= t->expire_floor)
		return;
	for (int c = 0; c < NS_IDLE_COUNT; c++)
		for (int n = 0;
		     n < EXPIRE_BATCH && t->idle_tail[c] != NS_FLOW_NONE; n++) {
			struct ns_flow *f = flow_at(t, t->idle_tail[c]);
			if (now - f->last_ts <= t->idle_ns[c])
				break;
			ns_flow_remove(t, f);
			t->stats.expired_idle++;
		}
	int64_t floor = INT64_MAX;
	for (int c = 0; c < NS_IDLE_COUNT; c++) {
		if (t->idle_tail[c] == NS_FLOW_NONE)
			continue;
		const struct ns_flow *f = flow_at(t, t->idle_tail[c]);
		int64_t due = f->last_ts > INT64_MAX - t->idle_ns[c]
				  ? INT64_MAX
				  : f->last_ts + t->idle_ns[c];
		if (due < floor)
			floor = due;
	}
	t->expire_floor = floor;
}

struct ns_flow *ns_flow_next(struct ns_flow_table *t, uint32_t *id)
{
	uint32_t i = *id == NS_FLOW_NONE ? 0 : *id + 1;
	for (; i < t->nalloc; i++) {
		struct ns_flow *f = flow_at(t, i);
		if (f->live) {
			*id = i;
			return f;
		}
	}
	return NULL;
}

void ns_flow_endpoint(struct ns_buf *b, const struct ns_flow *f, int side)
{
	if (f->key.family == 4) {
		ns_buf_ipv4(b, f->key.addr[side]);
		ns_buf_putc(b, ':');
	} else {
		ns_buf_putc(b, '[');
		ns_buf_ipv6(b, f->key.addr[side]);
		ns_buf_puts(b, "]:");
	}
	ns_buf_u64(b, f->key.port[side]);
}

void *ns_slot_in(struct ns_mem *mem, struct ns_flow_slot **list,
		 const void *owner, size_t size, void (*free_fn)(void *state))
{
	for (struct ns_flow_slot *s = *list; s; s = s->next)
		if (s->owner == owner)
			return s->state;
	struct ns_flow_slot *s = ns_mem_alloc(mem, sizeof(*s) + size);
	if (!s)
		return NULL;
	s->owner = owner;
	s->free = free_fn;
	s->size = size;
	s->next = *list;
	*list = s;
	return s->state;
}

void ns_slots_free(struct ns_mem *mem, struct ns_flow_slot **list)
{
	while (*list) {
		struct ns_flow_slot *s = *list;
		*list = s->next;
		if (s->free)
			s->free(s->state);
		ns_mem_free(mem, s);
	}
}

void *ns_flow_slot(struct ns_mem *mem, struct ns_flow *f, const void *owner,
		   size_t size, void (*free_fn)(void *state))
{
	return ns_slot_in(mem, &f->slots, owner, size, free_fn);
}

void ns_flow_slots_free(struct ns_mem *mem, struct ns_flow *f)
{
	ns_slots_free(mem, &f->slots);
}
