/*
 * tuiq — the TUI's capture thread and the bounded queue that hands its
 * packets to the UI thread.
 *
 * The capture thread does nothing but read the source (pcap_dispatch) and
 * copy each packet into a byte ring of fixed size (NS_TUIQ_BYTES).  The
 * UI thread takes packets out in order and does all the work (spill file,
 * dissection, models, drawing), so a slow terminal can only make the ring
 * fill, never make the kernel drop.  When the ring is full a live packet
 * is dropped and counted (dropped by netscope); a file source waits
 * instead, since a file can always be read later.  The UI thread is woken
 * through a pipe when the ring goes from empty to non-empty, so it can
 * poll() the terminal and the queue together.
 *
 * One producer, one consumer: positions are guarded by a mutex, the bytes
 * between them belong to whichever side owns that part of the ring.
 */
#ifndef NS_TUIQ_H
#define NS_TUIQ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "capture/source.h"

#define NS_TUIQ_BYTES (32u << 20)

struct ns_tuiq_pkt { /* header of a record in the ring */
	int64_t ts;
	uint32_t caplen, len;
};

struct ns_tuiq {
	struct ns_source *src;
	uint64_t max_count;  /* -c, 0 none */
	int64_t duration_ns; /* -a duration, 0 none */

	uint8_t *ring;
	size_t cap;
	size_t head, tail; /* bytes written / read, ever (mod cap inside) */
	pthread_mutex_t mu;
	pthread_cond_t space;
	pthread_t thread;
	int started;
	int wake[2]; /* pipe: readable when packets are waiting */

	atomic_int stop; /* set by the UI: end the capture */
	atomic_int done; /* the capture thread has finished */
	atomic_ullong captured;
	atomic_ullong captured_bytes; /* on the wire, of the captured */
	atomic_ullong dropped;	      /* ring full (live) */
	atomic_ullong kernel_drop;    /* pcap_stats ps_drop */
	char err[512];		      /* why the capture ended, if it failed */
};

/* Starts the capture thread on an open source; 0 or -1 with err set. */
int ns_tuiq_start(struct ns_tuiq *q, struct ns_source *src, char *err,
		  size_t errlen);
/* Next packet, or NULL when the ring is empty; valid until
 * ns_tuiq_release(). */
const uint8_t *ns_tuiq_peek(struct ns_tuiq *q, struct ns_tuiq_pkt *h);
/* Gives the bytes of the packet last peeked back to the producer. */
void ns_tuiq_release(struct ns_tuiq *q);
/* The fd the UI polls; drains the wake-up bytes when called again. */
int ns_tuiq_fd(const struct ns_tuiq *q);
void ns_tuiq_clear_wake(struct ns_tuiq *q);
/* Stops and joins the thread, frees the ring. */
void ns_tuiq_stop(struct ns_tuiq *q);

#endif
