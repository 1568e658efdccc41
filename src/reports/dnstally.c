/*
 * dnstally — see dnstally.h.
 */
#include "reports/dnstally.h"

#include <string.h>

#include "core/engine.h"
#include "core/event.h"
#include "core/txn.h"

static void on_event(void *ctx, const struct ns_event *ev)
{
	struct ns_dnstally *t = ctx;
	const struct ns_dns_txn *x = ev->u.dns;
	switch (ev->type) {
	case NS_EV_DNS_QUERY:
		t->queries++;
		t->retransmissions += x->retransmission;
		break;
	case NS_EV_DNS_END:
		t->unanswered++;
		break;
	default:
		break;
	}
}

int ns_dnstally_start(struct ns_dnstally *t, struct ns_engine *e)
{
	memset(t, 0, sizeof(*t));
	return ns_bus_subscribe(
	    &e->bus, NS_EV_BIT(NS_EV_DNS_QUERY) | NS_EV_BIT(NS_EV_DNS_END),
	    on_event, t);
}

void ns_dnstally_print(const struct ns_dnstally *t, FILE *fp)
{
	if (t->unanswered)
		fprintf(fp,
			"netscope: DNS: %llu of %llu queries never answered\n",
			(unsigned long long)t->unanswered,
			(unsigned long long)t->queries);
}
