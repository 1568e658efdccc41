/*
 * dnstally — the DNS line at the end of a run ("netscope: DNS: N of M
 * queries never answered"), counted from the DNS transaction events
 * (core/event.h) like any other consumer: not a -z report, just a small
 * subscriber main.c starts whenever it dissects.
 *
 * A query is known to be unanswered only when it leaves (NS_EV_DNS_END):
 * newer queries pushed it out of its flow's ring, or its flow ended.  So
 * the counts are final only after ns_engine_finish() has ended every
 * flow; print them then.  It listens to queries and their ends only, so
 * responses cost nothing more than they did (no one else listening, no
 * transaction is built for them).  The tally lives as long as the
 * engine's bus may call it.
 */
#ifndef NS_DNSTALLY_H
#define NS_DNSTALLY_H

#include <stdint.h>
#include <stdio.h>

struct ns_engine;

struct ns_dnstally {
	uint64_t queries;	  /* every query, retransmissions too */
	uint64_t retransmissions; /* queries that repeat an unanswered one */
	uint64_t unanswered;	  /* queries that ended without an answer */
};

/* Zeroes t and subscribes it to e's DNS events; 0, or -1 when the bus has
 * no room for another subscriber. */
int ns_dnstally_start(struct ns_dnstally *t, struct ns_engine *e);

/* The end-of-run line, when some query was never answered. */
void ns_dnstally_print(const struct ns_dnstally *t, FILE *fp);

#endif
