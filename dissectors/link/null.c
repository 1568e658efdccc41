/*
 * BSD loopback encapsulation: LINKTYPE_NULL (a 4-byte address family in
 * the byte order of the host that wrote the capture) and LINKTYPE_LOOP (the
 * same in network byte order, OpenBSD).
 *
 * For NULL the byte order is guessed as Wireshark and tcpdump do: a family
 * that does not fit in 16 bits must be byte-swapped.  IPv6 has different
 * AF_INET6 values per BSD (24, 28, 30) and Linux (10); all are bound.
 */
#include "core/dissect.h"

enum { F_FAMILY, F_COUNT };

static const struct ns_valstr family_vals[] = {
    {2, "IP"},
    {10, "IPv6 (Linux)"},
    {24, "IPv6 (NetBSD, OpenBSD, BSD/OS)"},
    {28, "IPv6 (FreeBSD, DragonFlyBSD)"},
    {30, "IPv6 (Darwin)"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_FAMILY] =
	NS_F_VALS("null.family", "Family", 32, NS_BASE_DEC, family_vals),
};

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	uint32_t off = ns_rd_off(r);
	uint32_t fam = pkt->linktype == 108 ? ns_rd_u32(r) : ns_rd_u32le(r);
	if (r->err)
		return NS_ETRUNC;
	if (fam > 0xffff)
		fam = __builtin_bswap32(fam);
	ns_add_uint(pkt, &fields[F_FAMILY], off, 4, fam);
	ns_next(pkt, NS_TAB_BSD_AF, fam);
	return 0;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_fv *f = ns_pkt_find(pkt, (int)li, &fields[F_FAMILY]);
	ns_buf_puts(out, "Null/Loopback, family ");
	if (f)
		ns_buf_u64(out, f->v.u);
}

static const struct ns_binding bindings[] = {
    {NS_TAB_LINKTYPE, 0},   /* DLT_NULL */
    {NS_TAB_LINKTYPE, 108}, /* DLT_LOOP */
    {0, 0},
};

struct ns_dissector ns_diss_null = {
    .name = "null",
    .column = "NULL",
    .title = "Null/Loopback",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
};
