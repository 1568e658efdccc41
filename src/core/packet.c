/*
 * packet — see packet.h.  The field array grows by doubling up to
 * NS_MAX_FIELDS and is kept between packets; past the cap fields are counted
 * in fv_dropped instead of recorded, so a hostile packet cannot make the
 * record grow without bound.
 */
#include "core/packet.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* Per-packet scratch memory: enough for any decoded name list, bounded. */
#define NS_PKT_ARENA_CAP (16u << 20)

void ns_pkt_init(struct ns_packet *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	ns_arena_init(&pkt->arena, NS_PKT_ARENA_CAP);
}

void ns_pkt_free(struct ns_packet *pkt)
{
	free(pkt->fv);
	ns_arena_free(&pkt->arena);
	ns_buf_free(&pkt->scratch);
	memset(pkt, 0, sizeof(*pkt));
}

void ns_pkt_begin(struct ns_packet *pkt, uint64_t num, int64_t ts, int64_t rel,
		  uint32_t caplen, uint32_t len, int linktype,
		  const uint8_t *data)
{
	pkt->num = num;
	pkt->ts = ts;
	pkt->rel = rel;
	pkt->delta = 0;
	pkt->caplen = caplen;
	pkt->len = len;
	pkt->linktype = linktype;
	pkt->ifid = -1;
	pkt->ifname = NULL;
	pkt->data = data;
	pkt->nlayers = 0;
	pkt->cur_layer = 0;
	pkt->nfv = 0;
	pkt->fv_dropped = 0;
	pkt->depth = 0;
	ns_arena_reset(&pkt->arena);
	pkt->next_table = 0;
	pkt->next_key = 0;
	pkt->quoted = 0;
	pkt->ip_payload_len = 0;
	pkt->ip_fragment = 0;
	pkt->radiotap_flags = 0;
	pkt->next_src = pkt->cur_src = NULL;
	pkt->next_srclen = pkt->cur_srclen = 0;
	pkt->addr_type = NS_ADDR_NONE;
	pkt->src = pkt->dst = NULL;
	pkt->has_ports = 0;
	pkt->quote_addr_type = NS_ADDR_NONE;
	pkt->quote_src = pkt->quote_dst = NULL;
	pkt->sport = pkt->dport = 0;
	pkt->status = NS_LAYER_OK;
	pkt->reason = NULL;
	pkt->stream_flow = NULL;
	pkt->stream_dir = 0;
	pkt->flow = NULL;
}

struct ns_fv *ns_pkt_add_slow(struct ns_packet *pkt, const struct ns_field *f,
			      uint32_t off, uint32_t len)
{
	if (pkt->nfv < pkt->fvcap)
		return ns_pkt_fill(pkt, f, off, len);
	uint32_t cap = pkt->fvcap ? pkt->fvcap * 2 : 256;
	if (cap > NS_MAX_FIELDS) {
		pkt->fv_dropped++;
		return NULL;
	}
	struct ns_fv *fv = realloc(pkt->fv, cap * sizeof(*fv));
	if (!fv) {
		pkt->fv_dropped++;
		return NULL;
	}
	pkt->fv = fv;
	pkt->fvcap = cap;
	if (!pkt->nofields)
		pkt->fvroom = cap;
	return ns_pkt_fill(pkt, f, off, len);
}

int ns_pkt_keep_fields(struct ns_packet *pkt, int on)
{
	int was = !pkt->nofields;
	pkt->nofields = on ? 0 : pkt->nnamed ? 2 : 1;
	pkt->fvroom = on ? pkt->fvcap : 0;
	return was;
}

void ns_pkt_name_fields(struct ns_packet *pkt, const uint8_t *named, uint32_t n)
{
	pkt->named = named;
	pkt->nnamed = named ? n : 0;
	if (pkt->nofields)
		pkt->nofields = pkt->nnamed ? 2 : 1;
}

const struct ns_fv *ns_pkt_find(const struct ns_packet *pkt, int l,
				const struct ns_field *f)
{
	uint32_t i = 0, end = pkt->nfv;
	if (l >= 0) {
		if ((unsigned)l >= pkt->nlayers)
			return NULL;
		i = pkt->layers[l].fv_first;
		/* an open layer has fv_end == fv_first: search to the end */
		if (pkt->layers[l].fv_end > i)
			end = pkt->layers[l].fv_end;
	}
	for (; i < end; i++)
		if (pkt->fv[i].f == f)
			return &pkt->fv[i];
	return NULL;
}
