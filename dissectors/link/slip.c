/*
 * SLIP as BSD captures it (LINKTYPE_SLIP 8).
 *
 * SLIP itself (RFC 1055) has no header; the 0xc0/0xdb framing is undone
 * by the driver.  What a pcap file holds is the BSD/OS bpf header of
 * SLIP_HDRLEN = 16 bytes: a direction byte (0 received, 1 sent) and the
 * first 15 bytes of the link-level header as it was on the wire, i.e. of
 * the Van Jacobson compressed header (RFC 1144 section 3.2) when the packet
 * was compressed.  The packet after it is the uncompressed IP datagram,
 * IPv4 or IPv6 by its version nibble — the layout tcpdump's print-sl.c
 * reads.
 *
 * Wireshark (4.0) has no dissector for this link type and shows the whole
 * frame as data, so these field names are our own: slip.direction,
 * slip.type (0x40 IP, 0x70 uncompressed TCP, 0x80 compressed TCP: the
 * first byte of the saved header under RFC 1144's mask) and slip.chdr.
 * A direction other than 0 or 1 is shown as it is; the datagram after it
 * is still decoded, as tcpdump does.
 */
#include "core/dissect.h"

enum { F_DIR, F_TYPE, F_CHDR, F_COUNT };

static const struct ns_valstr dir_vals[] = {
    {0, "Received"},
    {1, "Sent"},
    {0, NULL},
};

static const struct ns_valstr type_vals[] = {
    {0x40, "IP"},
    {0x70, "Uncompressed TCP"},
    {0x80, "Compressed TCP"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_DIR] =
	NS_F_VALS("slip.direction", "Direction", 8, NS_BASE_DEC, dir_vals),
    [F_TYPE] = NS_F_VALS("slip.type", "Header type", 8, NS_BASE_HEX, type_vals),
    [F_CHDR] = NS_F_BYTES("slip.chdr", "Link-level header"),
};

#define SLIP_CHDR_LEN 15

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	ns_get_u8(pkt, r, &fields[F_DIR]);
	uint32_t off = ns_rd_off(r);
	const uint8_t *chdr = ns_rd_ptr(r, SLIP_CHDR_LEN);
	if (!chdr)
		return NS_ETRUNC;
	/* RFC 1144 section 3.2: 0x80 set means compressed TCP; else the high
	 * nibble is 0x40 (IP) or 0x70 (uncompressed TCP) */
	uint8_t type = chdr[0] & 0x80 ? 0x80 : chdr[0] & 0xf0;
	ns_add_uint(pkt, &fields[F_TYPE], off, 1, type);
	ns_add_bytes(pkt, &fields[F_CHDR], off, SLIP_CHDR_LEN, chdr,
		     SLIP_CHDR_LEN);
	if (ns_rd_left(r)) {
		uint8_t v = ns_rd_peek(r, 0) >> 4;
		if (v == 4)
			ns_next(pkt, NS_TAB_ETHERTYPE, 0x0800);
		else if (v == 6)
			ns_next(pkt, NS_TAB_ETHERTYPE, 0x86dd);
	}
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *d = ns_pkt_find(pkt, (int)li, &fields[F_DIR]);
	const struct ns_fv *t = ns_pkt_find(pkt, (int)li, &fields[F_TYPE]);
	ns_buf_puts(out, "SLIP");
	if (d) {
		const char *n = ns_valstr_find(dir_vals, d->v.u);
		ns_buf_puts(out, ", ");
		ns_buf_puts(out, n ? n : "invalid direction");
	}
	if (t) {
		const char *n = ns_valstr_find(type_vals, t->v.u);
		ns_buf_puts(out, ", ");
		if (n)
			ns_buf_puts(out, n);
		else
			ns_buf_hex(out, t->v.u, 2);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_LINKTYPE, 8}, /* DLT_SLIP */
    {0, 0},
};

struct ns_dissector ns_diss_slip = {
    .name = "slip",
    .column = "SLIP",
    .title = "Serial Line IP (BSD capture header)",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
