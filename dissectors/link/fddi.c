/*
 * Fiber Distributed Data Interface (LINKTYPE_FDDI 10).
 *
 * Frame control, destination and source (ANSI X3.139 / ISO 9314-2 section
 * 7.3), then for LLC frames (frame control 0x50-0x5f: asynchronous LLC)
 * an IEEE 802.2 header; SMT and MAC frames are left as data, as Wireshark
 * leaves them.  No FCS is captured.
 *
 * FDDI puts each address byte on the ring most significant bit first, and
 * the capture keeps that order.  Wireshark shows LINKTYPE_FDDI addresses in
 * canonical (Ethernet) bit order, i.e. every byte bit-reversed, so fddi.dst
 * and fddi.src hold the reversed bytes (copied into the packet arena) while
 * pointing at the bytes on the wire.
 */
#include "core/dissect.h"

enum { F_FC, F_DST, F_SRC, F_COUNT };

static struct ns_field fields[] = {
    [F_FC] = NS_F_HEX("fddi.fc", "Frame Control", 8),
    [F_DST] = NS_F_ETHER("fddi.dst", "Destination"),
    [F_SRC] = NS_F_ETHER("fddi.src", "Source"),
};

static uint8_t bitrev(uint8_t b)
{
	b = (uint8_t)((b & 0xf0) >> 4 | (b & 0x0f) << 4);
	b = (uint8_t)((b & 0xcc) >> 2 | (b & 0x33) << 2);
	return (uint8_t)((b & 0xaa) >> 1 | (b & 0x55) << 1);
}

/* Records an address in canonical order; returns the canonical bytes, or
 * the wire bytes when the arena is exhausted. */
static const uint8_t *address(struct ns_packet *pkt, uint32_t off,
			      const uint8_t *wire, const struct ns_field *f)
{
	uint8_t *c = ns_arena_alloc(&pkt->arena, 6);
	if (c)
		for (unsigned i = 0; i < 6; i++)
			c[i] = bitrev(wire[i]);
	const uint8_t *a = c ? c : wire;
	ns_add_bytes(pkt, f, off, 6, a, 6);
	return a;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint8_t fc = ns_get_u8(pkt, r, &fields[F_FC]);
	uint32_t off = ns_rd_off(r);
	const uint8_t *wire = ns_rd_ptr(r, 6);
	if (!wire)
		return NS_ETRUNC;
	const uint8_t *dst = address(pkt, off, wire, &fields[F_DST]);
	wire = ns_rd_ptr(r, 6);
	if (!wire)
		return NS_ETRUNC;
	const uint8_t *src = address(pkt, off + 6, wire, &fields[F_SRC]);
	ns_pkt_set_addrs(pkt, NS_ADDR_ETHER, src, dst);
	if ((fc & 0xf0) == 0x50)
		ns_next(pkt, NS_TAB_LTYPE, 0x0004); /* 802.2 LLC */
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *fc = ns_pkt_find(pkt, (int)li, &fields[F_FC]);
	ns_buf_puts(out, "FDDI");
	if (fc) {
		ns_buf_puts(out, ", frame control ");
		ns_buf_hex(out, fc->v.u, 2);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_LINKTYPE, 10}, /* DLT_FDDI */
    {0, 0},
};

struct ns_dissector ns_diss_fddi = {
    .name = "fddi",
    .column = "FDDI",
    .title = "Fiber Distributed Data Interface",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
