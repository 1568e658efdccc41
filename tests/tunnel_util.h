/*
 * tunnel_util — small helpers shared by the unit suites of the tunnel and
 * link-layer dissectors (test_vxlan, test_gre, test_geneve, test_mpls,
 * test_pppoe, test_gtp, test_llc, test_ieee80211), beside check_util.
 */
#ifndef NS_TUNNEL_UTIL_H
#define NS_TUNNEL_UTIL_H

#include <stdio.h>

#include "check_util.h"

/* UDP from TU_PORT_A to `dport`; its length is set by tun_udp_end(). */
static inline size_t tun_udp(struct tu_frame *f, uint16_t dport)
{
	size_t at = tu_put16(f, TU_PORT_A);
	tu_put16(f, dport);
	tu_put32(f, 0); /* length (later), checksum 0 */
	return at;
}

static inline void tun_udp_end(struct tu_frame *f, size_t at)
{
	tu_set16(f, at + 4, (uint16_t)(f->n - at));
}

/* The summary that layer `name`'s own info function writes (whether or
 * not it is the one on the packet's line); "" when it has none. */
static inline const char *tun_info(const struct ns_packet *pkt,
				   const char *name)
{
	static char s[512];
	struct ns_buf b = {0};
	int l = tu_layer(pkt, name);
	ck_assert_msg(l >= 0, "no %s layer in %s", name, tu_layers(pkt));
	s[0] = '\0';
	if (!pkt->layers[l].d->info)
		return s;
	pkt->layers[l].d->info(pkt, (unsigned)l, &b);
	snprintf(s, sizeof s, "%.*s", (int)b.len, b.p ? b.p : "");
	ns_buf_free(&b);
	return s;
}

/* The status of layer `name` (which must be there). */
static inline int tun_status(const struct ns_packet *pkt, const char *name)
{
	int l = tu_layer(pkt, name);
	ck_assert_msg(l >= 0, "no %s layer in %s", name, tu_layers(pkt));
	return pkt->layers[l].status;
}

#endif
