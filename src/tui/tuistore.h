/*
 * tuistore — where the TUI keeps the packets it has seen: the bytes in a
 * spill file on disk (a pcap file, unlinked at once, so it disappears with
 * the process), their one-line summaries in a second spill file, and a
 * compact in-memory index of NS_TUI_MAX_PACKETS entries (a ring: when it is
 * full the oldest packets are forgotten).  Memory therefore does not grow
 * with the capture; disk does, by the packets' size plus ~100 bytes each.
 *
 * The detail of a packet is not kept: ns_tuistore_redissect() re-dissects
 * it on demand, replaying the earlier packets of its flow through a fresh
 * engine so that the state the packet depends on (TCP reassembly, HPACK
 * tables, DNS transactions) is rebuilt; at most NS_TUI_REPLAY earlier
 * packets are replayed, which for a longer flow may lose the oldest state
 * (shown as the dissectors show any capture that starts mid-connection).
 */
#ifndef NS_TUISTORE_H
#define NS_TUISTORE_H

#include <stdint.h>
#include <stdio.h>

#include "core/engine.h"
#include "core/packet.h"
#include "capture/writer.h"

#define NS_TUI_MAX_PACKETS 1000000u
#define NS_TUI_REPLAY	   20000u
#define NS_TUI_NOFLOW	   UINT32_MAX

struct ns_tui_ent {
	uint64_t off;	 /* of the pcap record header in the spill file */
	uint64_t sumoff; /* of the summary line in the text spill */
	int64_t ts;
	uint32_t caplen;
	uint32_t flow; /* bit 31: UDP; the rest tcp.stream / udp.stream */
	uint16_t sumlen;
	uint8_t color; /* enum ns_tui_color */
};

struct ns_tuistore {
	FILE *spill, *text;
	int spill_fd, text_fd;
	uint64_t spill_off, text_off;
	int dirty; /* written but not flushed */
	int linktype, nano, snaplen;
	int64_t first_ts;
	struct ns_tui_ent *ent; /* ring of NS_TUI_MAX_PACKETS, grown on use */
	uint32_t ent_cap;
	uint64_t count; /* packets stored ever; packet n is frame n */
};

int ns_tuistore_open(struct ns_tuistore *s, int linktype, int snaplen, int nano,
		     char *err, size_t errlen);
void ns_tuistore_close(struct ns_tuistore *s);

/* Oldest frame number still held (1 when nothing was forgotten). */
static inline uint64_t ns_tuistore_first(const struct ns_tuistore *s)
{
	return s->count > NS_TUI_MAX_PACKETS ? s->count - NS_TUI_MAX_PACKETS + 1
					     : 1;
}

/* Entry of frame n, or NULL when it is not (or no longer) held. */
const struct ns_tui_ent *ns_tuistore_get(const struct ns_tuistore *s,
					 uint64_t n);

/* Appends a packet (frame count + 1); 0 or -1 with err. */
int ns_tuistore_add(struct ns_tuistore *s, int64_t ts, uint32_t caplen,
		    uint32_t len, const uint8_t *data, char *err,
		    size_t errlen);
/* Sets the summary, flow and colour of the packet just added. */
int ns_tuistore_describe(struct ns_tuistore *s, const char *line, size_t n,
			 uint32_t flow, uint8_t color);

/* Reads the summary of frame n into buf (NUL-terminated); its length. */
size_t ns_tuistore_summary(struct ns_tuistore *s, uint64_t n, char *buf,
			   size_t size);
/* Reads the bytes of frame n into *data (grown with realloc); caplen and
 * len, 0 on success, -1 when unreadable. */
int ns_tuistore_bytes(struct ns_tuistore *s, uint64_t n, uint8_t **data,
		      uint32_t *cap, uint32_t *caplen, uint32_t *len);

/* A replay context: one engine, one packet record, one data buffer. */
struct ns_tuireplay {
	struct ns_engine eng;
	struct ns_packet pkt;
	uint8_t *data[2];
	uint32_t datacap[2];
	int cur;
	int ready;
	const struct ns_pbschema *pbschema;
	/* --tls-keylog, or NULL: set after init, read-only */
	const struct ns_keylog *keylog;
	uint32_t max_flows;
};

void ns_tuireplay_init(struct ns_tuireplay *r, uint32_t max_flows,
		       const struct ns_pbschema *pbschema);
/* Starts over with a fresh engine. */
void ns_tuireplay_reset(struct ns_tuireplay *r);
/* Dissects frame n in this context (after the frames before it); the
 * result is r->pkt until the next call.  0 or -1. */
int ns_tuireplay_frame(struct ns_tuireplay *r, struct ns_tuistore *s,
		       uint64_t n);
void ns_tuireplay_free(struct ns_tuireplay *r);

/* Re-dissects frame n as described at the top (r is reset first);
 * 0 or -1. */
int ns_tuistore_redissect(struct ns_tuistore *s, struct ns_tuireplay *r,
			  uint64_t n);

/* Writes frames[0..n) to a pcap file at path; 0 or -1 with err. */
int ns_tuistore_write(struct ns_tuistore *s, const uint64_t *frames, size_t n,
		      const char *path, char *err, size_t errlen);

#endif
