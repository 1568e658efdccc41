/*
 * pktq — see pktq.h.
 */
#include "capture/pktq.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void wake(struct ns_pktq *q)
{
	char c = 1;
	ssize_t n = write(q->wake[1], &c, 1); /* full pipe: already awake */
	(void)n;
}

/* After a batch of packets: the consumer is woken once, if it may have
 * gone to sleep on an empty ring while the batch came in. */
static void flush_wake(struct ns_pktq *q)
{
	if (q->wake_due) {
		q->wake_due = 0;
		wake(q);
	}
}

/* Room for a record of n bytes (header included) at the head: records
 * never wrap, a filler record skips the ring's end. */
static int fits(const struct ns_pktq *q, size_t n, size_t *skip)
{
	size_t used = q->head - q->tail;
	size_t at = q->head % q->cap;
	*skip = at + n > q->cap ? q->cap - at : 0;
	return used + *skip + n <= q->cap;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h,
		      const u_char *data)
{
	struct ns_pktq *q = (struct ns_pktq *)user;
	struct ns_pktq_pkt ph = {
	    .ts = ns_source_ts(q->src, h), .caplen = h->caplen, .len = h->len};
	size_t n = ALIGN8(sizeof(ph) + h->caplen), skip;
	pthread_mutex_lock(&q->mu);
	while (!fits(q, n, &skip)) {
		if (q->src->live || atomic_load(&q->stop)) {
			pthread_mutex_unlock(&q->mu);
			atomic_fetch_add(&q->dropped, 1);
			atomic_fetch_add(&q->captured, 1);
			atomic_fetch_add(&q->captured_bytes, h->len);
			return;
		}
		pthread_cond_wait(&q->space, &q->mu);
	}
	if (skip) { /* a filler: caplen UINT32_MAX */
		struct ns_pktq_pkt fill = {.caplen = UINT32_MAX};
		if (skip >= sizeof(fill))
			memcpy(q->ring + q->head % q->cap, &fill, sizeof(fill));
		q->head += skip;
	}
	pthread_mutex_unlock(&q->mu);
	/* the bytes at the head are the producer's until head moves */
	uint8_t *p = q->ring + q->head % q->cap;
	memcpy(p, &ph, sizeof(ph));
	memcpy(p + sizeof(ph), data, h->caplen);
	pthread_mutex_lock(&q->mu);
	/* the consumer has taken all it could see: it may be going to
	 * sleep, so it is woken when this batch is in (flush_wake()) */
	if (q->head == q->tail)
		q->wake_due = 1;
	q->head += n;
	pthread_mutex_unlock(&q->mu);
	atomic_fetch_add(&q->captured_bytes, h->len);
	uint64_t c = atomic_fetch_add(&q->captured, 1) + 1;
	if (q->max_count && c >= q->max_count)
		atomic_store(&q->stop, 1);
	if (atomic_load(&q->stop))
		pcap_breakloop(q->src->p);
}

/* The kernel's counts, read in this thread only; 0 or -1. */
static int read_stats(struct ns_pktq *q, struct pcap_stat *st)
{
	if (pcap_stats(q->src->p, st) < 0)
		return -1;
	atomic_store(&q->kernel_recv, st->ps_recv);
	atomic_store(&q->kernel_drop, st->ps_drop);
	atomic_store(&q->if_drop, st->ps_ifdrop);
	atomic_store(&q->have_stats, 1);
	return 0;
}

static void wait_readable(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	poll(&pfd, 1, ms);
}

static int failed(struct ns_pktq *q)
{
	snprintf(q->err, sizeof(q->err), "%s '%s' failed: %s",
		 q->src->live ? "capture on" : "reading", q->src->name,
		 ns_source_error(q->src));
	return -1;
}

/* What the kernel has already accepted (pktq.h), unless told to stop. */
static void drain(struct ns_pktq *q, int fd)
{
	int64_t deadline = mono_ns() + (int64_t)q->drain_ms * 1000000;
	while (!atomic_load(&q->stop)) {
		int n = pcap_dispatch(q->src->p, -1, on_packet, (u_char *)q);
		flush_wake(q);
		if (n < 0 && n != PCAP_ERROR_BREAK) {
			failed(q);
			return;
		}
		if (n != 0)
			continue;
		struct pcap_stat st;
		if (read_stats(q, &st) == 0 &&
		    atomic_load(&q->captured) + st.ps_drop >= st.ps_recv)
			return;
		if (mono_ns() >= deadline)
			return;
		wait_readable(fd, 20);
	}
}

static void *run(void *arg)
{
	struct ns_pktq *q = arg;
	struct ns_source *s = q->src;
	int fd = s->live ? pcap_get_selectable_fd(s->p) : -1;
	int64_t deadline = q->duration_ns ? mono_ns() + q->duration_ns : 0;
	int64_t next_stats = 0;
	struct pcap_stat st;
	while (!atomic_load(&q->stop)) {
		if (s->live && atomic_load(&q->finish)) {
			drain(q, fd);
			break;
		}
		int n = pcap_dispatch(s->p, s->live ? -1 : 1024, on_packet,
				      (u_char *)q);
		flush_wake(q);
		if (n == PCAP_ERROR_BREAK)
			continue;
		if (n < 0) {
			failed(q);
			break;
		}
		if (!s->live) {
			if (n == 0)
				break; /* end of file */
			continue;
		}
		int64_t now = mono_ns();
		if (now >= next_stats) {
			read_stats(q, &st);
			next_stats = now + 250000000;
		}
		if (deadline && now >= deadline) {
			drain(q, fd);
			break;
		}
		if (n == 0)
			wait_readable(fd, 100);
	}
	if (s->live)
		read_stats(q, &st);
	atomic_store(&q->done, 1);
	wake(q);
	return NULL;
}

int ns_pktq_start(struct ns_pktq *q, struct ns_source *src, char *err,
		  size_t errlen)
{
	q->src = src;
	q->cap = NS_PKTQ_BYTES;
	q->ring = malloc(q->cap);
	if (!q->ring || pipe(q->wake) < 0) {
		snprintf(err, errlen, "%s", strerror(errno ? errno : ENOMEM));
		free(q->ring);
		q->ring = NULL;
		return -1;
	}
	for (int i = 0; i < 2; i++)
		fcntl(q->wake[i], F_SETFL, O_NONBLOCK);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->space, NULL);
	/* signals go to the UI thread, which restores the terminal */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&q->thread, NULL, run, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the capture thread: %s",
			 strerror(rc));
		return -1;
	}
	q->started = 1;
	return 0;
}

const uint8_t *ns_pktq_peek(struct ns_pktq *q, struct ns_pktq_pkt *h)
{
	for (;;) {
		pthread_mutex_lock(&q->mu);
		size_t head = q->head, tail = q->tail;
		pthread_mutex_unlock(&q->mu);
		if (head == tail)
			return NULL;
		size_t at = tail % q->cap;
		if (q->cap - at < sizeof(*h)) { /* a filler too short to mark */
			pthread_mutex_lock(&q->mu);
			q->tail += q->cap - at;
			pthread_mutex_unlock(&q->mu);
			continue;
		}
		memcpy(h, q->ring + at, sizeof(*h));
		if (h->caplen == UINT32_MAX) {
			pthread_mutex_lock(&q->mu);
			q->tail += q->cap - at;
			pthread_cond_signal(&q->space);
			pthread_mutex_unlock(&q->mu);
			continue;
		}
		return q->ring + at + sizeof(*h);
	}
}

void ns_pktq_release(struct ns_pktq *q)
{
	struct ns_pktq_pkt h;
	memcpy(&h, q->ring + q->tail % q->cap, sizeof(h));
	pthread_mutex_lock(&q->mu);
	q->tail += ALIGN8(sizeof(h) + h.caplen);
	pthread_cond_signal(&q->space);
	pthread_mutex_unlock(&q->mu);
}

int ns_pktq_fd(const struct ns_pktq *q)
{
	return q->wake[0];
}

void ns_pktq_clear_wake(struct ns_pktq *q)
{
	char buf[256];
	while (read(q->wake[0], buf, sizeof(buf)) > 0)
		;
}

void ns_pktq_finish(struct ns_pktq *q)
{
	atomic_store(&q->finish, 1);
	pcap_breakloop(q->src->p);
}

int ns_pktq_stats(const struct ns_pktq *q, struct pcap_stat *st)
{
	if (!atomic_load(&q->have_stats))
		return -1;
	memset(st, 0, sizeof(*st));
	st->ps_recv = (u_int)atomic_load(&q->kernel_recv);
	st->ps_drop = (u_int)atomic_load(&q->kernel_drop);
	st->ps_ifdrop = (u_int)atomic_load(&q->if_drop);
	return 0;
}

void ns_pktq_stop(struct ns_pktq *q)
{
	if (q->started) {
		atomic_store(&q->stop, 1);
		pthread_mutex_lock(&q->mu);
		pthread_cond_broadcast(&q->space);
		pthread_mutex_unlock(&q->mu);
		pcap_breakloop(q->src->p);
		pthread_join(q->thread, NULL);
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->space);
		close(q->wake[0]);
		close(q->wake[1]);
		q->started = 0;
	}
	free(q->ring);
	q->ring = NULL;
}
