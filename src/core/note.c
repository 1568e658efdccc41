/*
 * note — see note.h.
 */
#include "core/note.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/field.h"

#define FIRST_CAP 1024

void ns_note_init(struct ns_notes *s, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->max = max ? max : NS_NOTE_DEFAULT_MAX;
	s->sorted = 1;
}

void ns_note_free(struct ns_notes *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
	s->cap = 0;
	s->seq = 0;
	s->sorted = 1;
}

static int by_frame_key_seq(const void *a, const void *b)
{
	const struct ns_note *x = a, *y = b;
	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts, keeps the latest note of each (frame, key), and renumbers seq so
 * it stays below 2 * max (max notes kept plus at most max added since). */
static void settle(struct ns_notes *s)
{
	if (s->sorted)
		return;
	qsort(s->v, s->n, sizeof(*s->v), by_frame_key_seq);
	size_t out = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (out && s->v[out - 1].frame == s->v[i].frame &&
		    s->v[out - 1].key == s->v[i].key)
			out--; /* the later one (higher seq) replaces it */
		s->v[out] = s->v[i];
		s->v[out].seq = (uint32_t)out;
		out++;
	}
	s->n = out;
	s->seq = (uint32_t)out;
	s->sorted = 1;
}

/* The index of (frame, key) in a settled store, or of where it would go. */
static size_t lower_bound(const struct ns_notes *s, uint64_t frame,
			  uint32_t key)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ns_note *m = &s->v[mid];
		if (m->frame < frame || (m->frame == frame && m->key < key))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int ns_note_add(struct ns_notes *s, uint64_t frame, uint32_t key,
		uint64_t value)
{
	if (s->n >= s->max) {
		settle(s); /* replaced notes may make room */
		size_t i = lower_bound(s, frame, key);
		if (i < s->n && s->v[i].frame == frame && s->v[i].key == key) {
			s->v[i].value = value; /* a replacement needs none */
			return 0;
		}
	}
	if (s->n >= s->max) {
		s->dropped++;
		return NS_ELIMIT;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : FIRST_CAP;
		if (cap > s->max)
			cap = s->max;
		struct ns_note *v = realloc(s->v, cap * sizeof(*v));
		if (!v) {
			s->dropped++;
			return NS_ENOMEM;
		}
		s->v = v;
		s->cap = cap;
	}
	struct ns_note *nt = &s->v[s->n];
	nt->frame = frame;
	nt->key = key;
	nt->value = value;
	nt->seq = s->seq++;
	/* notes mostly come in order of frame: stay sorted when they do */
	if (s->sorted && s->n) {
		const struct ns_note *last = &s->v[s->n - 1];
		if (by_frame_key_seq(last, nt) >= 0 ||
		    (last->frame == frame && last->key == key))
			s->sorted = 0;
	}
	s->n++;
	return 0;
}

int ns_note_find(struct ns_notes *s, uint64_t frame, uint32_t key,
		 uint64_t *value)
{
	settle(s);
	size_t lo = lower_bound(s, frame, key);
	if (lo < s->n && s->v[lo].frame == frame && s->v[lo].key == key) {
		*value = s->v[lo].value;
		return 1;
	}
	return 0;
}

uint32_t ns_note_key(const struct ns_field *f, unsigned layer)
{
	return f->id << 8 | (layer & 0xff);
}
