/*
 * ipdefrag — what IPv4 and IPv6 share to reassemble their fragments
 * before the transport (the state is the engine's: flow/ipfrag.h).
 *
 * Each of the two dissectors declares its own fields under its own prefix
 * (Wireshark's names: ip.fragment, ip.reassembled_in, … and ipv6.fragment,
 * ipv6.reassembled.in, …) and hands them here.  A fragment that does not
 * complete its datagram is shown as a fragment, its bytes as data; the one
 * that completes it lists every fragment (frame, overlap flags), the count
 * and the length, and the layers after it read the reassembled payload,
 * copied into the packet's arena (ns_packet.next_src), as tshark shows a
 * reassembled datagram on the frame that completed it.  With -2 the first
 * pass notes, for every earlier fragment, the frame that completed it
 * (`ip.reassembled_in`).
 */
#ifndef NS_IPDEFRAG_H
#define NS_IPDEFRAG_H

#include <stdint.h>

#include "core/packet.h"
#include "flow/ipfrag.h"

struct ns_ipdefrag_fields {
	const struct ns_field *fragments; /* label, or bytes (IPv4: tshark) */
	const struct ns_field *fragment;  /* a fragment's frame number */
	const struct ns_field *overlap, *conflict, *multipletails, *toolong;
	const struct ns_field *count, *length, *data, *reassembled_in;
};

/*
 * The bytes left at r (not consumed) are a fragment at byte offset `off`
 * of datagram k (more: MF set); `max` is the largest payload the datagram
 * may have.  Returns -1 when nothing is reassembled here (no engine, a
 * quoted header, a fragment the capture cut: the caller does as without
 * reassembly), 0 when the fragment waits or was refused (no transport in
 * this packet), 1 when it completed the datagram (the caller names the
 * transport; pkt->ip_payload_len is the datagram's).
 */
int ns_ipdefrag(struct ns_packet *pkt, const struct ns_reader *r,
		const struct ns_ipdefrag_fields *f,
		const struct ns_ipfrag_key *k, uint32_t off, int more,
		uint32_t max);

#endif
