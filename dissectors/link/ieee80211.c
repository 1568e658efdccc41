/*
 * IEEE 802.11 MAC headers (LINKTYPE_IEEE802_11 105) and the Radiotap
 * capture header in front of them (LINKTYPE_IEEE802_11_RADIOTAP 127).
 *
 * Radiotap (radiotap.org; de-facto standard): version, pad, a little-endian
 * header length, then 32-bit little-endian "present" bitmaps, chained while
 * bit 31 is set and never past the header length.  Of the fields only the
 * Flags byte is read, because its 0x10 bit says the 802.11 frame ends in a
 * 4-byte FCS and its 0x20 bit that the 802.11 header is padded to 32 bits.
 * Flags is field 1, after TSFT (field 0, 8 bytes aligned to 8 from the
 * start of the header), and only the first bitmap names it.  A version
 * other than 0 is undefined: as Wireshark does, only the length is used.
 *
 * 802.11 (IEEE Std 802.11-2020 clause 9.2-9.3): frame control, duration,
 * then addresses whose roles depend on type and the To/From DS bits (table
 * 9-30), sequence control, a fourth address when both DS bits are set, QoS
 * control in QoS data subtypes and HT control when the +HTC/Order bit is set
 * in QoS data and management frames.  Multi-byte fields are little-endian;
 * wlan.fc is shown as its two bytes in order, as Wireshark shows it.  Only
 * data frames are followed further: unprotected, non-null, non-A-MSDU ones
 * carry 802.2 LLC.  Management bodies, control frames' trailing fields and
 * protected payloads are left as data; PV1 (802.11ah) frames record the
 * frame control only.
 */
#include "core/dissect.h"

/* ---- radiotap ------------------------------------------------------------ */

enum { R_VERSION, R_PAD, R_LENGTH, R_PRESENT, R_WORD, R_FLAGS, R_FCS, R_COUNT };

static struct ns_field rt_fields[] = {
    [R_VERSION] = NS_F_UINT("radiotap.version", "Header revision", 8),
    [R_PAD] = NS_F_UINT("radiotap.pad", "Header pad", 8),
    [R_LENGTH] = NS_F_UINT("radiotap.length", "Header length", 16),
    [R_PRESENT] = NS_F_NONE("radiotap.present", "Present flags"),
    [R_WORD] = NS_F_HEX("radiotap.present.word", "Present flags word", 32),
    [R_FLAGS] = NS_F_HEX("radiotap.flags", "Flags", 8),
    [R_FCS] = NS_F_BOOL("radiotap.flags.fcs", "FCS at end"),
};

#define RT_PRESENT_TSFT	 0x00000001u
#define RT_PRESENT_FLAGS 0x00000002u
#define RT_PRESENT_EXT	 0x80000000u
#define RT_F_FCS	 0x10
#define RT_F_DATAPAD	 0x20

/* The chain of present bitmaps at h; returns the first.  Each round
 * consumes 4 bytes of h, so h's end bounds it. */
static uint32_t present(struct ns_packet *pkt, struct ns_reader *h)
{
	ns_add_label(pkt, &rt_fields[R_PRESENT], ns_rd_off(h), 4);
	ns_tree_push(pkt);
	uint32_t first = 0, w;
	unsigned n = 0;
	do {
		uint32_t off = ns_rd_off(h);
		w = ns_rd_u32le(h);
		if (h->err)
			break;
		ns_add_uint(pkt, &rt_fields[R_WORD], off, 4, w);
		if (n++ == 0)
			first = w;
	} while (w & RT_PRESENT_EXT);
	ns_tree_pop(pkt);
	return first;
}

static int dissect_radiotap(struct ns_packet *pkt, struct ns_reader *r,
			    const struct ns_dctx *cx)
{
	uint32_t start = ns_rd_off(r);
	pkt->radiotap_flags = 0;
	uint8_t version = ns_get_u8(pkt, r, &rt_fields[R_VERSION]);
	ns_get_u8(pkt, r, &rt_fields[R_PAD]);
	uint32_t off = ns_rd_off(r);
	uint16_t len = ns_rd_u16le(r);
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &rt_fields[R_LENGTH], off, 2, len);
	if (len < 8)
		return ns_malformed(pkt, "header length %u is less than 8",
				    len);
	/* the rest of the header; a short capture marks r truncated */
	struct ns_reader h = ns_rd_sub(r, len - 4u);
	/* only version 0 is defined; Wireshark skips the fields of any
	 * other but still takes the length and dissects the frame */
	if (version != 0) {
		if (r->err)
			return NS_ETRUNC;
		ns_next(pkt, NS_TAB_LINKTYPE, 105);
		return 0;
	}

	uint32_t first = present(pkt, &h);
	/* A bitmap chain or a Flags field past the header length leaves the
	 * fields unread; the length still says where 802.11 starts, and
	 * Wireshark goes on to it, so we do too. */
	if (!h.err && (first & RT_PRESENT_FLAGS)) {
		if (first & RT_PRESENT_TSFT) {
			uint32_t pos = ns_rd_off(&h) - start;
			ns_rd_skip(&h, (8 - pos % 8) % 8 + 8);
		}
		off = ns_rd_off(&h);
		uint8_t flags = ns_rd_u8(&h);
		if (!h.err) {
			pkt->radiotap_flags = flags;
			ns_add_uint(pkt, &rt_fields[R_FLAGS], off, 1, flags);
			ns_tree_push(pkt);
			ns_add_uint(pkt, &rt_fields[R_FCS], off, 1,
				    (flags & RT_F_FCS) != 0);
			ns_tree_pop(pkt);
		}
	}
	if (r->err)
		return NS_ETRUNC;
	ns_next(pkt, NS_TAB_LINKTYPE, 105);
	return 0;
}

static void info_radiotap(const struct ns_packet *pkt, unsigned li,
			  struct ns_buf *out)
{
	const struct ns_fv *l = ns_pkt_find(pkt, (int)li, &rt_fields[R_LENGTH]);
	ns_buf_puts(out, "Radiotap, header length ");
	if (l)
		ns_buf_u64(out, l->v.u);
}

static const struct ns_binding rt_bindings[] = {
    {NS_TAB_LINKTYPE, 127}, /* DLT_IEEE802_11_RADIO */
    {0, 0},
};

struct ns_dissector ns_diss_radiotap = {
    .name = "radiotap",
    .column = NULL, /* the 802.11 layer above speaks */
    .title = "IEEE 802.11 Radiotap Capture header",
    .fields = rt_fields,
    .nfields = R_COUNT,
    .dissect = dissect_radiotap,
    .info = info_radiotap,
    .bindings = rt_bindings,
};

/* ---- 802.11 -------------------------------------------------------------- */

enum {
	W_FC,
	W_VERSION,
	W_TYPE_SUBTYPE,
	W_TYPE,
	W_SUBTYPE,
	W_TODS,
	W_FROMDS,
	W_PROTECTED,
	W_ORDER,
	W_DURATION,
	W_RA,
	W_TA,
	W_DA,
	W_SA,
	W_BSSID,
	W_STAA,
	W_FRAG,
	W_SEQ,
	W_QOS,
	W_HTC,
	W_FCS,
	W_COUNT
};

static const struct ns_valstr ts_vals[] = {
    {0x00, "Association Request"},
    {0x01, "Association Response"},
    {0x02, "Reassociation Request"},
    {0x03, "Reassociation Response"},
    {0x04, "Probe Request"},
    {0x05, "Probe Response"},
    {0x08, "Beacon frame"},
    {0x09, "ATIM"},
    {0x0a, "Disassociate"},
    {0x0b, "Authentication"},
    {0x0c, "Deauthentication"},
    {0x0d, "Action"},
    {0x0e, "Action No Ack"},
    {0x18, "802.11 Block Ack Req"},
    {0x19, "802.11 Block Ack"},
    {0x1a, "Power-Save poll"},
    {0x1b, "Request-to-send"},
    {0x1c, "Clear-to-send"},
    {0x1d, "Acknowledgement"},
    {0x1e, "CF-End (Control-frame)"},
    {0x1f, "CF-End + CF-Ack (Control-frame)"},
    {0x20, "Data"},
    {0x24, "Null function (No data)"},
    {0x28, "QoS Data"},
    {0x2c, "QoS Null function (No data)"},
    {0, NULL},
};

static struct ns_field w_fields[] = {
    [W_FC] = NS_F_HEX("wlan.fc", "Frame Control Field", 16),
    [W_VERSION] = NS_F_UINT("wlan.fc.version", "Version", 8),
    [W_TYPE_SUBTYPE] = NS_F_VALS("wlan.fc.type_subtype", "Type/Subtype", 16,
				 NS_BASE_HEX, ts_vals),
    [W_TYPE] = NS_F_UINT("wlan.fc.type", "Type", 8),
    [W_SUBTYPE] = NS_F_UINT("wlan.fc.subtype", "Subtype", 8),
    [W_TODS] = NS_F_BOOL("wlan.fc.tods", "To DS"),
    [W_FROMDS] = NS_F_BOOL("wlan.fc.fromds", "From DS"),
    [W_PROTECTED] = NS_F_BOOL("wlan.fc.protected", "Protected flag"),
    [W_ORDER] = NS_F_BOOL("wlan.fc.order", "+HTC/Order flag"),
    [W_DURATION] = NS_F_UINT("wlan.duration", "Duration", 16),
    [W_RA] = NS_F_ETHER("wlan.ra", "Receiver address"),
    [W_TA] = NS_F_ETHER("wlan.ta", "Transmitter address"),
    [W_DA] = NS_F_ETHER("wlan.da", "Destination address"),
    [W_SA] = NS_F_ETHER("wlan.sa", "Source address"),
    [W_BSSID] = NS_F_ETHER("wlan.bssid", "BSS Id"),
    [W_STAA] = NS_F_ETHER("wlan.staa", "STA address"),
    [W_FRAG] = NS_F_UINT("wlan.frag", "Fragment number", 16),
    [W_SEQ] = NS_F_UINT("wlan.seq", "Sequence number", 16),
    [W_QOS] = NS_F_HEX("wlan.qos", "Qos Control", 16),
    [W_HTC] = NS_F_HEX("wlan.htc", "HT Control (+HTC)", 32),
    [W_FCS] = NS_F_HEX("wlan.fcs", "Frame check sequence", 32),
};

enum { T_MGMT, T_CTRL, T_DATA, T_EXT };

#define FL_TODS	     0x01
#define FL_FROMDS    0x02
#define FL_PROTECTED 0x40
#define FL_ORDER     0x80

/* Roles of an address slot, as bits; ROLE(x) is the bit of field x. */
#define ROLE(x) (1u << (x))
#define RA_DA	(ROLE(W_RA) | ROLE(W_DA))
#define TA_SA	(ROLE(W_TA) | ROLE(W_SA))

/* Data frame address roles by DS bits (IEEE 802.11-2020 table 9-30). */
static const unsigned data_roles[4][4] = {
    {RA_DA, TA_SA, ROLE(W_BSSID), 0},
    {ROLE(W_RA) | ROLE(W_BSSID), TA_SA | ROLE(W_STAA), ROLE(W_DA), 0},
    {RA_DA | ROLE(W_STAA), ROLE(W_TA) | ROLE(W_BSSID), ROLE(W_SA), 0},
    {ROLE(W_RA), ROLE(W_TA), ROLE(W_DA), ROLE(W_SA)},
};

/* Management frames: DA, SA, BSSID. */
static const unsigned mgmt_roles[4] = {RA_DA, TA_SA, ROLE(W_BSSID), 0};

/* An address slot as read: its bytes and offset. */
struct slot {
	const uint8_t *p;
	uint32_t off;
};

/* Reads one address and records it at once as RA and/or TA. */
static int address(struct ns_packet *pkt, struct ns_reader *r, unsigned roles,
		   struct slot *s)
{
	s->off = ns_rd_off(r);
	s->p = ns_rd_ptr(r, 6);
	if (!s->p)
		return NS_ETRUNC;
	for (unsigned f = W_RA; f <= W_TA; f++)
		if (roles & ROLE(f))
			ns_add_bytes(pkt, &w_fields[f], s->off, 6, s->p, 6);
	return 0;
}

/* Records DA, SA, BSSID and STA address for slots 0..n-1, in that order:
 * Wireshark adds them only once it has read the whole address block. */
static void late_roles(struct ns_packet *pkt, const unsigned *roles,
		       const struct slot *s, unsigned n)
{
	for (unsigned f = W_DA; f <= W_STAA; f++)
		for (unsigned i = 0; i < n; i++)
			if (s[i].p && (roles[i] & ROLE(f)))
				ns_add_bytes(pkt, &w_fields[f], s[i].off, 6,
					     s[i].p, 6);
}

/* The address with role f among slots 0..3, or NULL. */
static const uint8_t *role_addr(const unsigned *roles, const struct slot *s,
				unsigned f)
{
	for (unsigned i = 0; i < 4; i++)
		if (s[i].p && (roles[i] & ROLE(f)))
			return s[i].p;
	return NULL;
}

static void seqctl(struct ns_packet *pkt, struct ns_reader *r)
{
	uint32_t off = ns_rd_off(r);
	uint16_t sc = ns_rd_u16le(r);
	if (r->err)
		return;
	ns_add_uint(pkt, &w_fields[W_FRAG], off, 2, sc & 0x000f);
	ns_add_uint(pkt, &w_fields[W_SEQ], off, 2, sc >> 4);
}

static uint32_t u32le_field(struct ns_packet *pkt, struct ns_reader *r,
			    unsigned f)
{
	uint32_t off = ns_rd_off(r);
	uint32_t v = ns_rd_u32le(r);
	if (!r->err)
		ns_add_uint(pkt, &w_fields[f], off, 4, v);
	return v;
}

/* Control frame address roles by subtype (IEEE 802.11-2020 9.3.1). */
static unsigned ctrl_roles(unsigned sub, unsigned i)
{
	switch (sub) {
	case 12: /* CTS */
	case 13: /* ACK */
	case 7:	 /* Control Wrapper */
	case 6:	 /* control frame extension */
		return i == 0 ? ROLE(W_RA) : 0;
	case 10: /* PS-Poll: BSSID (RA), TA */
		return i == 0	? ROLE(W_RA) | ROLE(W_BSSID)
		       : i == 1 ? ROLE(W_TA)
				: 0;
	case 14: /* CF-End: RA, BSSID */
		return i == 0 ? ROLE(W_RA) : i == 1 ? ROLE(W_BSSID) : 0;
	default: /* RTS, Block Ack (Req), CF-End + CF-Ack, BF poll, NDPA, … */
		return i == 0 ? ROLE(W_RA) : i == 1 ? ROLE(W_TA) : 0;
	}
}

/* Frame control (protocol version 0) at off: b0 and b1 as on the wire. */
static void frame_control(struct ns_packet *pkt, uint32_t off, uint8_t b0,
			  uint8_t b1)
{
	unsigned type = (b0 >> 2) & 3, sub = b0 >> 4;
	ns_add_uint(pkt, &w_fields[W_FC], off, 2, (unsigned)(b0 << 8 | b1));
	ns_tree_push(pkt);
	ns_add_uint(pkt, &w_fields[W_VERSION], off, 1, b0 & 3);
	ns_add_uint(pkt, &w_fields[W_TYPE_SUBTYPE], off, 1, type << 4 | sub);
	ns_add_uint(pkt, &w_fields[W_TYPE], off, 1, type);
	ns_add_uint(pkt, &w_fields[W_SUBTYPE], off, 1, sub);
	ns_add_uint(pkt, &w_fields[W_TODS], off + 1, 1, !!(b1 & FL_TODS));
	ns_add_uint(pkt, &w_fields[W_FROMDS], off + 1, 1, !!(b1 & FL_FROMDS));
	ns_add_uint(pkt, &w_fields[W_PROTECTED], off + 1, 1,
		    !!(b1 & FL_PROTECTED));
	ns_add_uint(pkt, &w_fields[W_ORDER], off + 1, 1, !!(b1 & FL_ORDER));
	ns_tree_pop(pkt);
}

/* The address roles of a frame's slots, by type, subtype and DS bits;
 * `croles` is storage for a control frame's. */
static const unsigned *frame_roles(unsigned type, unsigned sub, uint8_t b1,
				   unsigned croles[4])
{
	if (type == T_CTRL) {
		croles[0] = ctrl_roles(sub, 0);
		croles[1] = ctrl_roles(sub, 1);
		croles[2] = croles[3] = 0;
		return croles;
	}
	if (type == T_DATA)
		return data_roles[b1 & (FL_TODS | FL_FROMDS)];
	return mgmt_roles;
}

/*
 * The address block: the first two (control) or three addresses, then the
 * control wrapper's HT control or the sequence control and a fourth
 * address; sets the packet's source and destination.
 */
static int addresses(struct ns_packet *pkt, struct ns_reader *r, unsigned type,
		     unsigned sub, const unsigned *roles)
{
	struct slot sl[4] = {{0}};
	unsigned n = type == T_CTRL ? 2 : 3;
	for (unsigned i = 0; i < n && roles[i]; i++)
		if (address(pkt, r, roles[i], &sl[i]))
			return NS_ETRUNC;
	late_roles(pkt, roles, sl, n);
	if (type == T_CTRL && sub == 7) {
		/* Control Wrapper: carried frame control, then HT control */
		ns_rd_skip(r, 2);
		u32le_field(pkt, r, W_HTC);
	} else if (type != T_CTRL) {
		seqctl(pkt, r);
		if (roles[3] && !r->err) {
			if (address(pkt, r, roles[3], &sl[3]))
				return NS_ETRUNC;
			late_roles(pkt, roles + 3, sl + 3, 1);
		}
	}
	if (r->err)
		return NS_ETRUNC;
	const uint8_t *src = role_addr(roles, sl, W_SA);
	const uint8_t *dst = role_addr(roles, sl, W_DA);
	ns_pkt_set_addrs(pkt, NS_ADDR_ETHER,
			 src ? src : role_addr(roles, sl, W_TA),
			 dst ? dst : role_addr(roles, sl, W_RA));
	return 0;
}

/*
 * After the addresses of a management or data frame: QoS control (QoS
 * data), HT control (+HTC in QoS data and management frames), radiotap's
 * padding to 32 bits from `start`; then LLC when the frame carries it.
 */
static int trailer(struct ns_packet *pkt, struct ns_reader *r, uint32_t start,
		   uint8_t b0, uint8_t b1, uint8_t rtflags)
{
	unsigned type = (b0 >> 2) & 3, sub = b0 >> 4;
	int qos = type == T_DATA && (sub & 0x08);
	uint16_t qc = 0;
	if (qos) {
		uint32_t off = ns_rd_off(r);
		qc = ns_rd_u16le(r);
		if (r->err)
			return NS_ETRUNC;
		ns_add_uint(pkt, &w_fields[W_QOS], off, 2, qc);
	}
	if ((qos || type == T_MGMT) && (b1 & FL_ORDER)) {
		u32le_field(pkt, r, W_HTC);
		if (r->err)
			return NS_ETRUNC;
	}
	if (rtflags & RT_F_DATAPAD) {
		uint32_t hl = ns_rd_off(r) - start;
		ns_rd_skip(r, (4 - hl % 4) % 4);
		if (r->err)
			return NS_ETRUNC;
	}
	if (type != T_DATA || (b1 & FL_PROTECTED) || (sub & 0x04) ||
	    (qc & 0x0080))
		return 0; /* management body, encrypted, null, or A-MSDU */
	if (ns_rd_left(r))
		ns_next(pkt, NS_TAB_LTYPE, 0x0004); /* 802.2 LLC */
	return 0;
}

static int header(struct ns_packet *pkt, struct ns_reader *r, uint8_t rtflags)
{
	uint32_t start = ns_rd_off(r);
	uint8_t b0 = ns_rd_u8(r);
	uint8_t b1 = ns_rd_u8(r);
	if (r->err)
		return NS_ETRUNC;
	unsigned type = (b0 >> 2) & 3, sub = b0 >> 4, pv = b0 & 3;
	if (pv != 0) {
		/* PV1 (802.11ah) has another layout, not decoded; its frame
		 * control is shown little-endian.  PV2 and PV3 are undefined.
		 */
		if (pv == 1)
			ns_add_uint(pkt, &w_fields[W_FC], start, 2,
				    (unsigned)(b1 << 8 | b0));
		ns_add_uint(pkt, &w_fields[W_VERSION], start, 1, pv);
		return 0;
	}
	frame_control(pkt, start, b0, b1);
	uint32_t off = ns_rd_off(r);
	uint16_t dur = ns_rd_u16le(r);
	if (r->err)
		return NS_ETRUNC;
	/* bit 15 set: an association id (PS-Poll) or reserved, not a duration
	 */
	if (!(dur & 0x8000))
		ns_add_uint(pkt, &w_fields[W_DURATION], off, 2, dur);
	if (type == T_EXT) /* DMG beacon, S1G: not decoded */
		return 0;
	unsigned croles[4];
	int rc =
	    addresses(pkt, r, type, sub, frame_roles(type, sub, b1, croles));
	if (rc || type == T_CTRL)
		return rc;
	return trailer(pkt, r, start, b0, b1, rtflags);
}

/* The radiotap Flags byte of the layer just below, or 0. */
static uint8_t radiotap_flags(const struct ns_packet *pkt)
{
	if (pkt->nlayers < 2)
		return 0;
	unsigned below = pkt->nlayers - 2;
	if (pkt->layers[below].d != &ns_diss_radiotap)
		return 0;
	return pkt->radiotap_flags;
}

static int dissect_wlan(struct ns_packet *pkt, struct ns_reader *r,
			const struct ns_dctx *cx)
{
	uint8_t rtflags = radiotap_flags(pkt);
	uint32_t fcs_off = 0, fcs = 0;
	int have_fcs = 0;
	/* The FCS is the last 4 bytes of the frame as sent (pkt->len), which
	 * may be past what was captured. */
	uint32_t off = ns_rd_off(r);
	if ((rtflags & RT_F_FCS) && pkt->len >= off + 4) {
		size_t body = pkt->len - off - 4;
		if (ns_rd_left(r) >= body + 4) {
			struct ns_reader t = *r;
			ns_rd_skip(&t, body);
			fcs_off = ns_rd_off(&t);
			fcs = ns_rd_u32le(&t);
			have_fcs = !t.err;
		}
		ns_rd_limit(r, body);
	}
	int rc = header(pkt, r, rtflags);
	if (have_fcs)
		ns_add_uint(pkt, &w_fields[W_FCS], fcs_off, 4, fcs);
	return rc;
}

static void info_wlan(const struct ns_packet *pkt, unsigned li,
		      struct ns_buf *out)
{
	const struct ns_fv *ts =
	    ns_pkt_find(pkt, (int)li, &w_fields[W_TYPE_SUBTYPE]);
	const struct ns_fv *seq = ns_pkt_find(pkt, (int)li, &w_fields[W_SEQ]);
	const struct ns_fv *fc = ns_pkt_find(pkt, (int)li, &w_fields[W_FC]);
	const char *n = ts ? ns_valstr_find(ts_vals, ts->v.u) : NULL;
	if (n) {
		ns_buf_puts(out, n);
	} else {
		ns_buf_puts(out, "802.11 frame control ");
		if (fc)
			ns_buf_hex(out, fc->v.u, 4);
	}
	if (seq) {
		ns_buf_puts(out, ", SN=");
		ns_buf_u64(out, seq->v.u);
	}
}

static const struct ns_binding w_bindings[] = {
    {NS_TAB_LINKTYPE, 105}, /* DLT_IEEE802_11 */
    {0, 0},
};

struct ns_dissector ns_diss_wlan = {
    .name = "wlan",
    .column = "802.11",
    .title = "IEEE 802.11 wireless LAN",
    .fields = w_fields,
    .nfields = W_COUNT,
    .dissect = dissect_wlan,
    .info = info_wlan,
    .bindings = w_bindings,
};
