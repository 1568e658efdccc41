/*
 * pktq — the capture thread and the bounded queue that hands its packets
 * to the thread that dissects them (`netscope capture` and the TUI).
 *
 * The capture thread does nothing but read the source (pcap_dispatch) and
 * copy each packet into a byte ring of fixed size (NS_PKTQ_BYTES).  The
 * other thread takes packets out in order and does all the work (writer,
 * dissection, output, models, drawing), so slow dissection or a slow
 * terminal can only make the ring fill, never make the kernel drop while
 * the ring has room.  When the ring is full a live packet is dropped and
 * counted (dropped by netscope, apart from the kernel's drops); a file
 * source waits instead, since a file can always be read later.  The
 * consumer is woken through a pipe, so it can poll() it with other
 * descriptors: once after each batch the capture thread reads
 * (pcap_dispatch) in which a packet was added to a ring the consumer had
 * emptied (it may have gone to sleep: whether it had is decided as the
 * packet is published, not before its bytes are copied, or a consumer
 * that empties the ring meanwhile would sleep through what follows).
 *
 * Ending: stop ends the capture now (-c reached, the UI quits, a second
 * signal); finish, and the -a deadline, first drain what the kernel has
 * already accepted — read until every packet pcap_stats() counted as
 * received is read or dropped, or drain_ms has passed (with TPACKET_V3 a
 * partly filled block reaches user space only when the kernel retires it
 * after the block timeout).  The kernel's counts are read in the capture
 * thread only (pcap_stats and pcap_dispatch are not used concurrently),
 * every 250 ms and at the end, and published as atomics.
 *
 * One producer, one consumer: positions are guarded by a mutex, the bytes
 * between them belong to whichever side owns that part of the ring.
 */
#ifndef NS_PKTQ_H
#define NS_PKTQ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "capture/source.h"

#define NS_PKTQ_BYTES (32u << 20)

struct ns_pktq_pkt { /* header of a record in the ring */
	int64_t ts;
	uint32_t caplen, len;
};

struct ns_pktq {
	struct ns_source *src;
	uint64_t max_count;  /* -c, 0 none */
	int64_t duration_ns; /* -a duration, 0 none */
	int drain_ms;	     /* at most this long draining the kernel */

	uint8_t *ring;
	size_t cap;
	size_t head, tail; /* bytes written / read, ever (mod cap inside) */
	pthread_mutex_t mu;
	pthread_cond_t space;
	pthread_t thread;
	int started;
	int wake[2];  /* pipe: readable when packets are waiting */
	int wake_due; /* the capture thread's: a batch is to be told */

	atomic_int stop;   /* end the capture now */
	atomic_int finish; /* drain the kernel, then end */
	atomic_int done;   /* the capture thread has finished */
	atomic_ullong captured;
	atomic_ullong captured_bytes; /* on the wire, of the captured */
	atomic_ullong dropped;	      /* ring full (live) */
	atomic_ullong kernel_recv;    /* pcap_stats ps_recv */
	atomic_ullong kernel_drop;    /* pcap_stats ps_drop */
	atomic_ullong if_drop;	      /* pcap_stats ps_ifdrop */
	atomic_int have_stats;	      /* the counts above were read */
	char err[512];		      /* why the capture ended, if it failed */
};

/* Starts the capture thread on an open source; 0 or -1 with err set. */
int ns_pktq_start(struct ns_pktq *q, struct ns_source *src, char *err,
		  size_t errlen);
/* Next packet, or NULL when the ring is empty; valid until
 * ns_pktq_release(). */
const uint8_t *ns_pktq_peek(struct ns_pktq *q, struct ns_pktq_pkt *h);
/* Gives the bytes of the packet last peeked back to the producer. */
void ns_pktq_release(struct ns_pktq *q);
/* The fd the consumer polls; ns_pktq_clear_wake() drains it. */
int ns_pktq_fd(const struct ns_pktq *q);
void ns_pktq_clear_wake(struct ns_pktq *q);
/* Asks the capture thread to drain the kernel and end (a signal). */
void ns_pktq_finish(struct ns_pktq *q);
/* The kernel's counts as last read; 0, or -1 when never read. */
int ns_pktq_stats(const struct ns_pktq *q, struct pcap_stat *st);
/* Stops and joins the thread, frees the ring. */
void ns_pktq_stop(struct ns_pktq *q);

#endif
