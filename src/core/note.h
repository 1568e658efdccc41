/*
 * note — facts about a frame that only a later frame teaches: the store
 * behind two-pass analysis (`netscope read -2`, as `tshark -2`).
 *
 * One-pass reading cannot tell a DNS query which frame answers it.  With
 * -2 the first pass dissects every packet with no output, and a dissector
 * that learns something about an earlier frame (the response names its
 * query) leaves a note: (frame, key) -> value.  The second pass dissects
 * everything again from a clean state and, at that earlier frame, finds
 * the note.  The key is the dissector's choice; ns_note_key() makes one
 * from a field and the frame's layer index, so the three DNS queries of
 * one TCP segment keep a note each (both passes split a frame into the
 * same layers, since they dissect the same bytes with the same settings).
 *
 * Storage: an array of 24-byte notes, appended to.  The first lookup after
 * additions sorts it by (frame, key) and keeps the latest note of each
 * pair (a later note replaces an earlier one).  Cost: 24 bytes a note
 * (the array doubles as it grows: up to twice that is allocated), one
 * n log n sort between the passes, O(log n) a lookup.  Bounded: at most
 * `max` notes (NS_NOTE_DEFAULT_MAX: 4 Mi notes, 96 MiB); at the cap
 * replaced notes are squeezed out first and a replacement is still taken,
 * past it a new note is dropped and counted (`dropped`), which the run
 * reports.
 */
#ifndef NS_NOTE_H
#define NS_NOTE_H

#include <stddef.h>
#include <stdint.h>

struct ns_field;

#define NS_NOTE_DEFAULT_MAX (4u << 20)

struct ns_note {
	uint64_t frame;
	uint64_t value;
	uint32_t key;
	uint32_t seq; /* order of addition: the latest note of a pair wins */
};

struct ns_notes {
	struct ns_note *v;
	size_t n, cap;	  /* notes held, slots allocated */
	size_t max;	  /* the cap on n */
	uint64_t dropped; /* notes refused at the cap (or out of memory) */
	uint32_t seq;	  /* the next note's seq */
	int sorted;	  /* v is sorted and has no duplicates */
};

/* An empty store of at most max notes (0: NS_NOTE_DEFAULT_MAX). */
void ns_note_init(struct ns_notes *s, size_t max);
/* Frees the notes; the counters (max, dropped) stay for the report. */
void ns_note_free(struct ns_notes *s);

/* Records value for (frame, key), replacing an earlier note of the pair.
 * 0, or NS_ELIMIT / NS_ENOMEM when the note was dropped (and counted). */
int ns_note_add(struct ns_notes *s, uint64_t frame, uint32_t key,
		uint64_t value);
/* 1 and *value when (frame, key) has a note, else 0. */
int ns_note_find(struct ns_notes *s, uint64_t frame, uint32_t key,
		 uint64_t *value);

/* The key for field f of the layer-th layer of a frame (ns_registry_init()
 * must have numbered the fields). */
uint32_t ns_note_key(const struct ns_field *f, unsigned layer);

#endif
