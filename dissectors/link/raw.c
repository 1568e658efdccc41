/*
 * Raw IP (LINKTYPE_RAW): the packet starts with an IPv4 or IPv6 header and
 * the version nibble says which.  No header of its own.
 */
#include "core/dissect.h"

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint8_t v = ns_rd_peek(r, 0);
	if (r->err)
		return NS_ETRUNC;
	switch (v >> 4) {
	case 4:
		ns_next(pkt, NS_TAB_ETHERTYPE, 0x0800);
		return 0;
	case 6:
		ns_next(pkt, NS_TAB_ETHERTYPE, 0x86dd);
		return 0;
	default:
		return ns_malformed(pkt, "IP version %u is neither 4 nor 6",
				    v >> 4);
	}
}

static const struct ns_binding bindings[] = {
    {NS_TAB_LINKTYPE, 12},  /* DLT_RAW (most platforms) */
    {NS_TAB_LINKTYPE, 14},  /* DLT_RAW (OpenBSD) */
    {NS_TAB_LINKTYPE, 101}, /* LINKTYPE_RAW as stored in files */
    {0, 0},
};

struct ns_dissector ns_diss_raw = {
    .name = "raw",
    .column = NULL,
    .title = "Raw packet data",
    .fields = NULL,
    .nfields = 0,
    .dissect = dissect,
    .info = NULL,
    .bindings = bindings,
};
