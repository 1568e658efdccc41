/*
 * ipdefrag — see ipdefrag.h.
 */
#include "proto/ipdefrag.h"

#include <string.h>

#include "core/dissect.h"
#include "core/engine.h"

/* One fragment of the completed datagram, with what was odd about it. */
static void piece_fields(struct ns_packet *pkt, uint32_t at,
			 const struct ns_ipdefrag_fields *f,
			 const struct ns_ipfrag_piece *pc)
{
	ns_add_uint(pkt, f->fragment, at, 0, pc->frame);
	if (!(pc->overlap | pc->multipletail | pc->toolong))
		return;
	ns_tree_push(pkt);
	if (pc->overlap)
		ns_add_uint(pkt, f->overlap, at, 0, 1);
	if (pc->conflict)
		ns_add_uint(pkt, f->conflict, at, 0, 1);
	if (pc->multipletail)
		ns_add_uint(pkt, f->multipletails, at, 0, 1);
	if (pc->toolong)
		ns_add_uint(pkt, f->toolong, at, 0, 1);
	ns_tree_pop(pkt);
}

/* The completing packet: the fragments, their count and the datagram;
 * pass 1 tells each earlier fragment's frame where it ended up. */
static int completed(struct ns_packet *pkt, uint32_t at,
		     const struct ns_ipdefrag_fields *f,
		     const struct ns_ipfrag_result *res)
{
	uint8_t *copy = ns_arena_alloc(&pkt->arena, res->len);
	if (!copy) {
		ns_malformed(pkt,
			     "no room for the %u-byte reassembled "
			     "datagram",
			     res->len);
		return 0;
	}
	memcpy(copy, res->data, res->len);
	struct ns_fv *fv = ns_pkt_add(pkt, f->fragments, at, 0);
	if (fv && f->fragments->type == NS_FT_BYTES) {
		fv->v.b.p = copy;
		fv->v.b.n = res->len;
	}
	ns_tree_push(pkt);
	for (uint32_t i = 0; i < res->npieces; i++) {
		const struct ns_ipfrag_piece *pc = &res->pieces[i];
		piece_fields(pkt, at, f, pc);
		if (pc->frame != pkt->num)
			ns_engine_note(pkt->eng, pc->frame, pc->layer,
				       f->reassembled_in, pkt->num);
	}
	ns_add_uint(pkt, f->count, at, 0, res->npieces);
	ns_add_uint(pkt, f->length, at, 0, res->len);
	ns_add_bytes(pkt, f->data, at, 0, copy, res->len);
	ns_tree_pop(pkt);
	pkt->next_src = copy;
	pkt->next_srclen = res->len;
	pkt->ip_payload_len = res->len;
	pkt->ip_fragment = 0;
	return 1;
}

int ns_ipdefrag(struct ns_packet *pkt, const struct ns_reader *r,
		const struct ns_ipdefrag_fields *f,
		const struct ns_ipfrag_key *k, uint32_t off, int more,
		uint32_t max)
{
	if (!pkt->eng || pkt->quoted)
		return -1;
	/* bytes the capture cut cannot be put back together */
	struct ns_reader c = *r;
	size_t n = ns_rd_left(&c);
	if (pkt->caplen < pkt->len && c.end == pkt->data + pkt->caplen)
		return -1;
	const uint8_t *p = ns_rd_ptr(&c, n);
	uint32_t at = ns_rd_off(r);
	struct ns_ipfrag_result res;
	int st =
	    ns_ipfrag_add(&pkt->eng->ipfrag, k, pkt->ts, pkt->num,
			  pkt->cur_layer, off, more, p, (uint32_t)n, max, &res);
	if (st == NS_IPFRAG_COMPLETE)
		return completed(pkt, at, f, &res);
	uint64_t in;
	if (ns_engine_noted(pkt->eng, pkt->num, pkt->cur_layer,
			    f->reassembled_in, &in))
		ns_add_uint(pkt, f->reassembled_in, at, 0, in);
	/* said as malformed, not as ip.fragment.toolongfragment: tshark
	 * keeps that for a fragment past a datagram's known end */
	if (res.this_one.toolong && st == NS_IPFRAG_REFUSED) {
		ns_malformed(pkt,
			     "fragment ends at byte %llu, past the largest "
			     "datagram (%u bytes)",
			     (unsigned long long)off + n, max);
	}
	return 0;
}
