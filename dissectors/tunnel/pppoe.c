/*
 * PPP over Ethernet (RFC 2516): the discovery stage (EtherType 0x8863) and
 * the session stage (0x8864).
 *
 * Both share a 6-byte header — version and type (4 bits each, both 1),
 * code, session ID, payload length — whose fields Wireshark files under a
 * third protocol, `pppoe`; so do we: the `pppoe` descriptor only owns those
 * fields, `pppoed` and `pppoes` dissect.  The payload is limited to the
 * payload length, so Ethernet padding is not taken for data; a length
 * beyond the frame is reported (when the capture did not cut it) and what
 * is there is still dissected.
 *
 * Discovery payloads are tags (RFC 2516 §5, appendix A): type, length,
 * value; the walk is confined to the payload and ends at End-Of-List, or,
 * malformed, at a tag longer than what is left.  As tshark shows them by
 * default, a known tag is recorded as its value alone (the field names
 * the tag) and an unknown one as type, length and raw value.  Broadband
 * Forum vendor tags (TR-101 Circuit-ID, Remote-ID, access line rates and
 * delays) are decoded; other vendor data is shown raw.
 *
 * A session payload is a PPP frame without address and control bytes
 * (RFC 2516 §4).  It is handed to the PPP dissector through the EtherType
 * table under PPP's EtherType 0x880b (RFC 7042 appendix B), the key PPP in
 * GRE uses too: PPP then reads the protocol number (address and control
 * are optional there) and maps IPv4, IPv6 and MPLS on — the same layers
 * as Wireshark's pppoes → ppp → ip.
 */
#include "core/dissect.h"

#define ETYPE_PPP 0x880b

enum { F_VERSION, F_TYPE, F_CODE, F_SESSION, F_PLEN, F_COUNT };

static const struct ns_valstr code_vals[] = {
    {0x00, "Session Data"},
    {0x07, "Active Discovery Offer (PADO)"},
    {0x09, "Active Discovery Initiation (PADI)"},
    {0x19, "Active Discovery Request (PADR)"},
    {0x65, "Active Discovery Session-confirmation (PADS)"},
    {0xa7, "Active Discovery Terminate (PADT)"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_VERSION] = NS_F_UINT("pppoe.version", "Version", 8),
    [F_TYPE] = NS_F_UINT("pppoe.type", "Type", 8),
    [F_CODE] = NS_F_VALS("pppoe.code", "Code", 8, NS_BASE_HEX, code_vals),
    [F_SESSION] = NS_F_HEX("pppoe.session_id", "Session ID", 16),
    [F_PLEN] = NS_F_UINT("pppoe.payload_length", "Payload Length", 16),
};

/* Owns the header fields shared by discovery and session; never bound. */
struct ns_dissector ns_diss_pppoe = {
    .name = "pppoe",
    .column = NULL,
    .title = "PPP-over-Ethernet",
    .fields = fields,
    .nfields = F_COUNT,
};

/* The common header; limits r to the payload.  Returns 0 or NS_ETRUNC. */
static int header(struct ns_packet *pkt, struct ns_reader *r)
{
	uint32_t off = ns_rd_off(r);
	uint8_t vt = ns_rd_u8(r);
	uint8_t code = ns_rd_u8(r);
	uint16_t session = ns_rd_u16(r);
	uint16_t plen = ns_rd_u16(r);
	if (r->err)
		return NS_ETRUNC;
	ns_add_uint(pkt, &fields[F_VERSION], off, 1, vt >> 4);
	ns_add_uint(pkt, &fields[F_TYPE], off, 1, vt & 15);
	ns_add_uint(pkt, &fields[F_CODE], off + 1, 1, code);
	ns_add_uint(pkt, &fields[F_SESSION], off + 2, 2, session);
	ns_add_uint(pkt, &fields[F_PLEN], off + 4, 2, plen);
	size_t left = ns_rd_left(r);
	if (plen > left && pkt->caplen == pkt->len && !pkt->quoted)
		ns_malformed(pkt,
			     "payload length %u exceeds the %zu bytes "
			     "present",
			     plen, left);
	ns_rd_limit(r, plen);
	return 0;
}

/* ---- discovery ---------------------------------------------------------- */

enum {
	D_TAGS,
	D_TAG,
	D_TAG_LEN,
	D_SERVICE_NAME,
	D_AC_NAME,
	D_HOST_UNIQ,
	D_AC_COOKIE,
	D_VENDOR_ID,
	D_VENDOR_DATA,
	D_VS_TAGS,
	D_CIRCUIT_ID,
	D_REMOTE_ID,
	D_RATE_FIRST, /* TR-101 access line rates and delays, 0x81 … 0x8e */
	D_RATE_LAST = D_RATE_FIRST + 13,
	D_RELAY_SESSION_ID,
	D_MAX_PAYLOAD,
	D_SERVICE_NAME_ERROR,
	D_AC_SYSTEM_ERROR,
	D_GENERIC_ERROR,
	D_UNKNOWN,
	D_COUNT
};

static const struct ns_valstr tag_vals[] = {
    {0x0000, "End-Of-List"},
    {0x0101, "Service-Name"},
    {0x0102, "AC-Name"},
    {0x0103, "Host-Uniq"},
    {0x0104, "AC-Cookie"},
    {0x0105, "Vendor-Specific"},
    {0x0110, "Relay-Session-Id"},
    {0x0120, "PPP-Max-Payload"},
    {0x0201, "Service-Name-Error"},
    {0x0202, "AC-System-Error"},
    {0x0203, "Generic-Error"},
    {0, NULL},
};

#define RATE(i, n, t) [D_RATE_FIRST + (i)] = NS_F_UINT(n, t, 32)

static struct ns_field d_fields[] = {
    [D_TAGS] = NS_F_NONE("pppoed.tags", "PPPoE Tags"),
    [D_TAG] = NS_F_VALS("pppoed.tag", "Tag", 16, NS_BASE_HEX, tag_vals),
    [D_TAG_LEN] = NS_F_UINT("pppoed.tag_length", "Tag Length", 16),
    [D_SERVICE_NAME] = NS_F_STR("pppoed.tags.service_name", "Service-Name"),
    [D_AC_NAME] = NS_F_STR("pppoed.tags.ac_name", "AC-Name"),
    [D_HOST_UNIQ] = NS_F_BYTES("pppoed.tags.host_uniq", "Host-Uniq"),
    [D_AC_COOKIE] = NS_F_BYTES("pppoed.tags.ac_cookie", "AC-Cookie"),
    [D_VENDOR_ID] = NS_F_UINT("pppoed.tags.vendor_id", "Vendor id", 32),
    [D_VENDOR_DATA] =
	NS_F_BYTES("pppoed.tags.vendor_unspecified", "Vendor unspecified"),
    [D_VS_TAGS] = NS_F_NONE("pppoed.tags.vendorspecific.tags",
			    "Vendor Specific PPPoE Tags"),
    [D_CIRCUIT_ID] = NS_F_STR("pppoed.tags.circuit_id", "Circuit ID"),
    [D_REMOTE_ID] = NS_F_STR("pppoed.tags.remote_id", "Remote ID"),
    RATE(0, "pppoed.tags.act_data_rate_up", "Actual Data Rate Upstream"),
    RATE(1, "pppoed.tags.act_data_rate_down", "Actual Data Rate Downstream"),
    RATE(2, "pppoed.tags.min_data_rate_up", "Minimum Data Rate Upstream"),
    RATE(3, "pppoed.tags.min_data_rate_down", "Minimum Data Rate Downstream"),
    RATE(4, "pppoed.tags.attainable_data_rate_up",
	 "Attainable DataRate Upstream"),
    RATE(5, "pppoed.tags.attainable_data_rate_down",
	 "Attainable DataRate Downstream"),
    RATE(6, "pppoed.tags.max_data_rate_up", "Maximum Data Rate Upstream"),
    RATE(7, "pppoed.tags.max_data_rate_down", "Maximum Data Rate Downstream"),
    RATE(8, "pppoed.tags.min_data_rate_up_lp",
	 "Min DataRate Upstream in low power state"),
    RATE(9, "pppoed.tags.min_data_rate_down_lp",
	 "Minimum Data Rate Downstream in low power state"),
    RATE(10, "pppoed.tags.max_int_delay_up", "Max Interleaving Delay Upstream"),
    RATE(11, "pppoed.tags.act_int_delay_up",
	 "Actual Interleaving Delay Upstream"),
    RATE(12, "pppoed.tags.max_int_delay_down",
	 "Maximum Interleaving Delay Downstream"),
    RATE(13, "pppoed.tags.act_int_delay_down",
	 "Actual Interleaving Delay Downstream"),
    [D_RELAY_SESSION_ID] =
	NS_F_BYTES("pppoed.tags.relay_session_id", "Relay-Session-Id"),
    [D_MAX_PAYLOAD] = NS_F_BYTES("pppoed.tags.max_payload", "PPP-Max-Payload"),
    [D_SERVICE_NAME_ERROR] =
	NS_F_STR("pppoed.tags.service_name_error", "Service-Name-Error"),
    [D_AC_SYSTEM_ERROR] =
	NS_F_STR("pppoed.tags.ac_system_error", "AC-System-Error"),
    [D_GENERIC_ERROR] = NS_F_STR("pppoed.tags.generic_error", "Generic-Error"),
    [D_UNKNOWN] = NS_F_BYTES("pppoed.tag.unknown_data", "Unknown Data"),
};

#define VENDOR_BBF 3561 /* Broadband Forum (formerly DSL Forum) */

/* TR-101 vendor sub-tags: 1-byte type and length.  Those we do not know
 * (access loop encapsulation, …) are skipped. */
static void bbf_tags(struct ns_packet *pkt, struct ns_reader *v)
{
	ns_add_label(pkt, &d_fields[D_VS_TAGS], ns_rd_off(v),
		     (uint32_t)ns_rd_left(v));
	ns_tree_push(pkt);
	while (ns_rd_left(v) >= 2) {
		uint8_t type = ns_rd_u8(v);
		uint8_t len = ns_rd_u8(v);
		if (len > ns_rd_left(v)) {
			ns_malformed(pkt,
				     "vendor sub-tag %u length %u exceeds "
				     "its tag",
				     type, len);
			break;
		}
		if (type == 1) {
			ns_get_bytes(pkt, v, &d_fields[D_CIRCUIT_ID], len);
		} else if (type == 2) {
			ns_get_bytes(pkt, v, &d_fields[D_REMOTE_ID], len);
		} else if (type >= 0x81 && type <= 0x8e && len == 4) {
			ns_get_u32(pkt, v,
				   &d_fields[D_RATE_FIRST + type - 0x81]);
		} else {
			ns_rd_skip(v, len);
		}
	}
	ns_tree_pop(pkt);
}

static void vendor(struct ns_packet *pkt, struct ns_reader *v)
{
	uint32_t id = ns_get_u32(pkt, v, &d_fields[D_VENDOR_ID]);
	if (v->err)
		return;
	if (id == VENDOR_BBF)
		bbf_tags(pkt, v);
	else if (ns_rd_left(v))
		ns_get_bytes(pkt, v, &d_fields[D_VENDOR_DATA],
			     (uint32_t)ns_rd_left(v));
}

/* The field of a tag's value, or D_UNKNOWN. */
static int value_field(uint16_t tag)
{
	switch (tag) {
	case 0x0101:
		return D_SERVICE_NAME;
	case 0x0102:
		return D_AC_NAME;
	case 0x0103:
		return D_HOST_UNIQ;
	case 0x0104:
		return D_AC_COOKIE;
	case 0x0110:
		return D_RELAY_SESSION_ID;
	case 0x0120:
		return D_MAX_PAYLOAD;
	case 0x0201:
		return D_SERVICE_NAME_ERROR;
	case 0x0202:
		return D_AC_SYSTEM_ERROR;
	case 0x0203:
		return D_GENERIC_ERROR;
	}
	return D_UNKNOWN;
}

/*
 * Tags until End-Of-List or the end of the payload.  As tshark by default
 * (its pppoed.show_tags_and_lengths preference is off), a known tag shows
 * only its value, an unknown one its type, length and raw value.
 */
static void tags(struct ns_packet *pkt, struct ns_reader *r)
{
	while (ns_rd_left(r) >= 4) {
		uint32_t off = ns_rd_off(r);
		uint16_t tag = ns_rd_u16(r);
		uint16_t len = ns_rd_u16(r);
		if (tag == 0x0000)
			return; /* End-Of-List: the rest is ignored */
		int vf = tag == 0x0105 ? D_VENDOR_ID : value_field(tag);
		if (vf == D_UNKNOWN) {
			ns_add_uint(pkt, &d_fields[D_TAG], off, 2, tag);
			ns_add_uint(pkt, &d_fields[D_TAG_LEN], off + 2, 2, len);
		}
		if (len > ns_rd_left(r)) {
			ns_malformed(pkt,
				     "tag 0x%04x length %u exceeds the "
				     "payload",
				     tag, len);
			return;
		}
		struct ns_reader v = ns_rd_sub(r, len);
		if (tag == 0x0105 && len >= 4)
			vendor(pkt, &v);
		else if (len > 0)
			ns_get_bytes(
			    pkt, &v,
			    &d_fields[vf == D_VENDOR_ID ? D_UNKNOWN : vf], len);
	}
	if (ns_rd_left(r))
		ns_malformed(pkt, "%zu stray bytes after the tags",
			     ns_rd_left(r));
}

static int dissect_discovery(struct ns_packet *pkt, struct ns_reader *r,
			     const struct ns_dctx *cx)
{
	int rc = header(pkt, r);
	if (rc)
		return rc;
	if (ns_rd_left(r)) {
		ns_add_label(pkt, &d_fields[D_TAGS], ns_rd_off(r),
			     (uint32_t)ns_rd_left(r));
		ns_tree_push(pkt);
		tags(pkt, r);
		ns_tree_pop(pkt);
	}
	return 0;
}

static void info_discovery(const struct ns_packet *pkt, unsigned li,
			   struct ns_buf *out)
{
	const struct ns_fv *c = ns_pkt_find(pkt, (int)li, &fields[F_CODE]);
	const char *name = c ? ns_valstr_find(code_vals, c->v.u) : NULL;
	if (name) {
		ns_buf_puts(out, name);
	} else {
		ns_buf_puts(out, "PPPoE discovery");
		if (c) {
			ns_buf_puts(out, " code ");
			ns_buf_hex(out, c->v.u, 2);
		}
	}
	const struct ns_fv *s = ns_pkt_find(pkt, (int)li, &fields[F_SESSION]);
	if (s && s->v.u) {
		ns_buf_puts(out, " session ");
		ns_buf_hex(out, s->v.u, 4);
	}
}

static const struct ns_binding d_bindings[] = {
    {NS_TAB_ETHERTYPE, 0x8863},
    {0, 0},
};

struct ns_dissector ns_diss_pppoed = {
    .name = "pppoed",
    .column = "PPPoED",
    .title = "PPP-over-Ethernet Discovery",
    .fields = d_fields,
    .nfields = D_COUNT,
    .dissect = dissect_discovery,
    .info = info_discovery,
    .bindings = d_bindings,
};

/* ---- session ------------------------------------------------------------ */

static int dissect_session(struct ns_packet *pkt, struct ns_reader *r,
			   const struct ns_dctx *cx)
{
	int rc = header(pkt, r);
	if (rc)
		return rc;
	if (ns_rd_left(r))
		ns_next(pkt, NS_TAB_ETHERTYPE, ETYPE_PPP);
	return 0;
}

static void info_session(const struct ns_packet *pkt, unsigned li,
			 struct ns_buf *out)
{
	const struct ns_fv *s = ns_pkt_find(pkt, (int)li, &fields[F_SESSION]);
	ns_buf_puts(out, "PPPoE session");
	if (s) {
		ns_buf_putc(out, ' ');
		ns_buf_hex(out, s->v.u, 4);
	}
}

static const struct ns_binding s_bindings[] = {
    {NS_TAB_ETHERTYPE, 0x8864},
    {0, 0},
};

struct ns_dissector ns_diss_pppoes = {
    .name = "pppoes",
    .column = "PPPoES",
    .title = "PPP-over-Ethernet Session",
    .dissect = dissect_session,
    .info = info_session,
    .bindings = s_bindings,
};
