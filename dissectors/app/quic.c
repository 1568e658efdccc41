/*
 * quic — QUIC packets (RFC 9000, RFC 9001, RFC 9369 for version 2) on UDP
 * 443 and, by a heuristic, on any port: long and short headers, the
 * packets coalesced in one datagram, version negotiation and Retry, and
 * their frames with Wireshark's quic.* names.
 *
 * Initial packets are decrypted with no key log, as their keys come from
 * the client's first Destination Connection ID (RFC 9001 §5.2).  With a
 * key log (--tls-keylog, or a pcapng's Decryption Secrets Block) the
 * client random of the ClientHello names the connection's secrets, and
 * the suite the ServerHello chose says how to use them: Handshake packets
 * are opened with the handshake traffic secrets and 1-RTT packets with
 * the application ones, following the key phase bit through key updates
 * (RFC 9001 §6: the next phase's keys are derived ahead and kept with the
 * previous ones for late packets).  Header protection is AES-ECB or
 * ChaCha20 by suite, the payload the suite's AEAD, all through libcrypto
 * (src/proto/quickeys.c, src/proto/tls_crypt.c).  A packet that does not
 * open is said (quic.decryption_failed) and the next one is tried as
 * usual.
 *
 * CRYPTO data is reassembled per direction and encryption level by offset
 * (a ClientHello is often spread over several frames, out of order, and
 * over several Initial packets) into at most MAX_CRYPTO bytes, and each
 * run of complete handshake messages at its front becomes a "tls" layer
 * parsed by the TLS handshake parser (proto/tls_hs.h: SNI, ALPN, JA3, JA4
 * with its 'q' transport; decrypted, the server's EncryptedExtensions and
 * certificates): the packet that completes a message carries it.
 *
 * STREAM data is reassembled per stream (quic_stream.c) and handed in
 * order to HTTP/3 when the connection's ALPN is h3.
 *
 * Per flow: the client's port and Destination Connection ID, the keys,
 * the CRYPTO buffers and the streams, all from the budget.
 */
#include <string.h>

#include "core/dissect.h"
#include "core/engine.h"
#include "core/event.h"
#include "core/keylog.h"
#include "core/mem.h"
#include "core/packet.h"
#include "core/txn.h"
#include "flow/transport.h"
#include "proto/quic.h"
#include "proto/tls_crypt.h"
#include "proto/tls_hs.h"
#include "quic_int.h"

#define MAX_CRYPTO 16384 /* CRYPTO bytes kept a direction and level */

enum {
	F_CONN_NUM,
	F_HEADER_FORM,
	F_FIXED_BIT,
	F_LONG_TYPE,
	F_LONG_TYPE_V2,
	F_PN_LEN,
	F_VERSION,
	F_DCIL,
	F_DCID,
	F_SCIL,
	F_SCID,
	F_TOKEN_LEN,
	F_TOKEN,
	F_LENGTH,
	F_PN,
	F_SUPPORTED,
	F_SHORT,
	F_SPIN,
	F_KEY_PHASE,
	F_PROTECTED,
	F_RETRY_TOKEN,
	F_RETRY_TAG,
	F_FRAME,
	F_FRAME_TYPE,
	F_PADDING_LEN,
	F_ACK_LARGEST,
	F_ACK_DELAY,
	F_ACK_RANGES,
	F_ACK_FIRST,
	F_ACK_GAP,
	F_ACK_RANGE,
	F_ACK_ECT0,
	F_ACK_ECT1,
	F_ACK_CE,
	F_RSTS_ID,
	F_RSTS_ERR,
	F_RSTS_FINAL,
	F_SS_ID,
	F_SS_ERR,
	F_CRYPTO_OFF,
	F_CRYPTO_LEN,
	F_CRYPTO_DATA,
	F_NT_LEN,
	F_NT_TOKEN,
	F_STREAM_FIN,
	F_STREAM_ID,
	F_STREAM_OFF,
	F_STREAM_LEN,
	F_STREAM_DATA,
	F_MD,
	F_MSD_ID,
	F_MSD_MAX,
	F_MS,
	F_SB_LIMIT,
	F_SDB_ID,
	F_SIB,
	F_NCI_SEQ,
	F_NCI_RETIRE,
	F_NCI_LEN,
	F_NCI_CID,
	F_NCI_TOKEN,
	F_RCI_SEQ,
	F_PC_DATA,
	F_PR_DATA,
	F_CC_ERROR,
	F_CC_ERROR_APP,
	F_CC_FRAME_TYPE,
	F_CC_REASON_LEN,
	F_CC_REASON,
	F_DG_LEN,
	F_DG,
	F_DECRYPT_FAILED,
	F_COUNT
};

static const struct ns_valstr long_types[] = {
    {0, "Initial"}, {1, "0-RTT"}, {2, "Handshake"}, {3, "Retry"}, {0, NULL}};

static const struct ns_valstr frame_types[] = {
    {0x00, "PADDING"},
    {0x01, "PING"},
    {0x02, "ACK"},
    {0x03, "ACK_ECN"},
    {0x04, "RESET_STREAM"},
    {0x05, "STOP_SENDING"},
    {0x06, "CRYPTO"},
    {0x07, "NEW_TOKEN"},
    {0x08, "STREAM"},
    {0x09, "STREAM"},
    {0x0a, "STREAM"},
    {0x0b, "STREAM"},
    {0x0c, "STREAM"},
    {0x0d, "STREAM"},
    {0x0e, "STREAM"},
    {0x0f, "STREAM"},
    {0x10, "MAX_DATA"},
    {0x11, "MAX_STREAM_DATA"},
    {0x12, "MAX_STREAMS (BIDI)"},
    {0x13, "MAX_STREAMS (UNI)"},
    {0x14, "DATA_BLOCKED"},
    {0x15, "STREAM_DATA_BLOCKED"},
    {0x16, "STREAMS_BLOCKED (BIDI)"},
    {0x17, "STREAMS_BLOCKED (UNI)"},
    {0x18, "NEW_CONNECTION_ID"},
    {0x19, "RETIRE_CONNECTION_ID"},
    {0x1a, "PATH_CHALLENGE"},
    {0x1b, "PATH_RESPONSE"},
    {0x1c, "CONNECTION_CLOSE"},
    {0x1d, "CONNECTION_CLOSE (APP)"},
    {0x1e, "HANDSHAKE_DONE"},
    {0x30, "DATAGRAM"},
    {0x31, "DATAGRAM"},
    {0, NULL},
};

/* the info column's names, tshark's abbreviations */
static const struct ns_valstr frame_short[] = {
    {0x04, "RS"}, {0x05, "SS"},	 {0x07, "NT"},	 {0x10, "MD"},	{0x11, "MSD"},
    {0x12, "MS"}, {0x13, "MS"},	 {0x14, "DB"},	 {0x15, "SDB"}, {0x16, "SB"},
    {0x17, "SB"}, {0x18, "NCI"}, {0x19, "RC"},	 {0x1a, "PC"},	{0x1b, "PR"},
    {0x1c, "CC"}, {0x1d, "CC"},	 {0x1e, "DONE"}, {0x30, "DG"},	{0x31, "DG"},
    {0, NULL},
};

static const struct ns_valstr transport_errors[] = {
    {0x00, "NO_ERROR"},
    {0x01, "INTERNAL_ERROR"},
    {0x02, "CONNECTION_REFUSED"},
    {0x03, "FLOW_CONTROL_ERROR"},
    {0x04, "STREAM_LIMIT_ERROR"},
    {0x05, "STREAM_STATE_ERROR"},
    {0x06, "FINAL_SIZE_ERROR"},
    {0x07, "FRAME_ENCODING_ERROR"},
    {0x08, "TRANSPORT_PARAMETER_ERROR"},
    {0x09, "CONNECTION_ID_LIMIT_ERROR"},
    {0x0a, "PROTOCOL_VIOLATION"},
    {0x0b, "INVALID_TOKEN"},
    {0x0c, "APPLICATION_ERROR"},
    {0x0d, "CRYPTO_BUFFER_EXCEEDED"},
    {0x0e, "KEY_UPDATE_ERROR"},
    {0x0f, "AEAD_LIMIT_REACHED"},
    {0x10, "NO_VIABLE_PATH"},
    {0, NULL},
};

static struct ns_field fields[F_COUNT] = {
    [F_CONN_NUM] = NS_F_UINT("quic.connection.number", "Connection Number", 32),
    [F_HEADER_FORM] = NS_F_UINT("quic.header_form", "Header Form", 8),
    [F_FIXED_BIT] = NS_F_BOOL("quic.fixed_bit", "Fixed Bit"),
    [F_LONG_TYPE] = NS_F_VALS("quic.long.packet_type", "Packet Type", 8,
			      NS_BASE_DEC, long_types),
    [F_LONG_TYPE_V2] = NS_F_VALS("quic.long.packet_type_v2", "Packet Type", 8,
				 NS_BASE_DEC, long_types),
    [F_PN_LEN] =
	NS_F_UINT("quic.packet_number_length", "Packet Number Length", 8),
    [F_VERSION] = NS_F_HEX("quic.version", "Version", 32),
    [F_DCIL] = NS_F_UINT("quic.dcil", "Destination Connection ID Length", 8),
    [F_DCID] = NS_F_BYTES("quic.dcid", "Destination Connection ID"),
    [F_SCIL] = NS_F_UINT("quic.scil", "Source Connection ID Length", 8),
    [F_SCID] = NS_F_BYTES("quic.scid", "Source Connection ID"),
    [F_TOKEN_LEN] = NS_F_UINT("quic.token_length", "Token Length", 64),
    [F_TOKEN] = NS_F_BYTES("quic.token", "Token"),
    [F_LENGTH] = NS_F_UINT("quic.length", "Length", 64),
    [F_PN] = NS_F_UINT("quic.packet_number", "Packet Number", 64),
    [F_SUPPORTED] = NS_F_HEX("quic.supported_version", "Supported Version", 32),
    [F_SHORT] = NS_F_NONE("quic.short", "QUIC Short Header"),
    [F_SPIN] = NS_F_BOOL("quic.spin_bit", "Spin Bit"),
    [F_KEY_PHASE] = NS_F_BOOL("quic.key_phase", "Key Phase Bit"),
    [F_PROTECTED] = NS_F_BYTES("quic.protected_payload", "Protected Payload"),
    [F_RETRY_TOKEN] = NS_F_BYTES("quic.retry_token", "Retry Token"),
    [F_RETRY_TAG] =
	NS_F_BYTES("quic.retry_integrity_tag", "Retry Integrity Tag"),
    [F_FRAME] = NS_F_NONE("quic.frame", "Frame"),
    /* tshark's -T fields writes this one in decimal */
    [F_FRAME_TYPE] = NS_F_VALS("quic.frame_type", "Frame Type", 64, NS_BASE_DEC,
			       frame_types),
    [F_PADDING_LEN] = NS_F_UINT("quic.padding_length", "Padding Length", 32),
    [F_ACK_LARGEST] =
	NS_F_UINT("quic.ack.largest_acknowledged", "Largest Acknowledged", 64),
    [F_ACK_DELAY] = NS_F_UINT("quic.ack.ack_delay", "ACK Delay", 64),
    [F_ACK_RANGES] =
	NS_F_UINT("quic.ack.ack_range_count", "ACK Range Count", 64),
    [F_ACK_FIRST] =
	NS_F_UINT("quic.ack.first_ack_range", "First ACK Range", 64),
    [F_ACK_GAP] = NS_F_UINT("quic.ack.gap", "Gap", 64),
    [F_ACK_RANGE] = NS_F_UINT("quic.ack.ack_range", "ACK Range", 64),
    [F_ACK_ECT0] = NS_F_UINT("quic.ack.ect0_count", "ECT(0) Count", 64),
    [F_ACK_ECT1] = NS_F_UINT("quic.ack.ect1_count", "ECT(1) Count", 64),
    [F_ACK_CE] = NS_F_UINT("quic.ack.ecn_ce_count", "ECN-CE Count", 64),
    [F_RSTS_ID] = NS_F_UINT("quic.rsts.stream_id", "Stream ID", 64),
    [F_RSTS_ERR] = NS_F_UINT("quic.rsts.application_error_code",
			     "Application Error code", 64),
    [F_RSTS_FINAL] = NS_F_UINT("quic.rsts.final_size", "Final Size", 64),
    [F_SS_ID] = NS_F_UINT("quic.ss.stream_id", "Stream ID", 64),
    [F_SS_ERR] = NS_F_UINT("quic.ss.application_error_code",
			   "Application Error code", 64),
    [F_CRYPTO_OFF] = NS_F_UINT("quic.crypto.offset", "Offset", 64),
    [F_CRYPTO_LEN] = NS_F_UINT("quic.crypto.length", "Length", 64),
    [F_CRYPTO_DATA] = NS_F_NONE("quic.crypto.crypto_data", "Crypto Data"),
    [F_NT_LEN] = NS_F_UINT("quic.nt.length", "(New) Token Length", 64),
    [F_NT_TOKEN] = NS_F_BYTES("quic.nt.token", "(New) Token"),
    [F_STREAM_FIN] = NS_F_BOOL("quic.stream.fin", "Fin"),
    [F_STREAM_ID] = NS_F_UINT("quic.stream.stream_id", "Stream ID", 64),
    [F_STREAM_OFF] = NS_F_UINT("quic.stream.offset", "Offset", 64),
    [F_STREAM_LEN] = NS_F_UINT("quic.stream.length", "Length", 64),
    [F_STREAM_DATA] = NS_F_BYTES("quic.stream_data", "Stream Data"),
    [F_MD] = NS_F_UINT("quic.md.maximum_data", "Maximum Data", 64),
    [F_MSD_ID] = NS_F_UINT("quic.msd.stream_id", "Stream ID", 64),
    [F_MSD_MAX] =
	NS_F_UINT("quic.msd.maximum_stream_data", "Maximum Stream Data", 64),
    [F_MS] = NS_F_UINT("quic.ms.max_streams", "Max Streams", 64),
    [F_SB_LIMIT] =
	NS_F_UINT("quic.sb.stream_data_limit", "Stream Data Limit", 64),
    [F_SDB_ID] = NS_F_UINT("quic.sdb.stream_id", "Stream ID", 64),
    [F_SIB] = NS_F_UINT("quic.sib.stream_limit", "Stream Limit", 64),
    [F_NCI_SEQ] = NS_F_UINT("quic.nci.sequence", "Sequence", 64),
    [F_NCI_RETIRE] =
	NS_F_UINT("quic.nci.retire_prior_to", "Retire Prior To", 64),
    [F_NCI_LEN] =
	NS_F_UINT("quic.nci.connection_id.length", "Connection ID Length", 8),
    [F_NCI_CID] = NS_F_BYTES("quic.nci.connection_id", "Connection ID"),
    [F_NCI_TOKEN] =
	NS_F_BYTES("quic.nci.stateless_reset_token", "Stateless Reset Token"),
    [F_RCI_SEQ] = NS_F_UINT("quic.rci.sequence", "Sequence", 64),
    [F_PC_DATA] = NS_F_BYTES("quic.path_challenge.data", "Data"),
    [F_PR_DATA] = NS_F_BYTES("quic.path_response.data", "Data"),
    [F_CC_ERROR] = NS_F_VALS("quic.cc.error_code", "Error code", 64,
			     NS_BASE_DEC, transport_errors),
    [F_CC_ERROR_APP] =
	NS_F_UINT("quic.cc.error_code.app", "Application Error code", 64),
    [F_CC_FRAME_TYPE] = NS_F_UINT("quic.cc.frame_type", "Frame Type", 64),
    [F_CC_REASON_LEN] =
	NS_F_UINT("quic.cc.reason_phrase.length", "Reason phrase Length", 64),
    [F_CC_REASON] = NS_F_STR("quic.cc.reason_phrase", "Reason phrase"),
    [F_DG_LEN] = NS_F_UINT("quic.dg.length", "Datagram Length", 64),
    [F_DG] = NS_F_BYTES("quic.dg", "Datagram"),
    [F_DECRYPT_FAILED] =
	NS_F_NONE("quic.decryption_failed", "[Failed to decrypt]"),
};

extern struct ns_dissector ns_diss_quic;

static void tell(const struct quic_flow *q, enum ns_ev_type t,
		 const struct ns_packet *pkt)
{
	if (!q->flow || !ns_bus_wants(q->bus, t))
		return;
	struct ns_event ev = {.type = t,
			      .pkt = pkt,
			      .flow = q->flow,
			      .ts = pkt ? pkt->ts : q->flow->last_ts,
			      .u.tls = &q->info};
	ns_bus_publish(q->bus, &ev);
}

void ns_quic_conn_end(struct quic_flow *q)
{
	ns_quic_streams_free(q);
	/* what the handshake said, then the connection as a whole (before
	 * the last path's CONN_END) */
	if (q->info.hellos || q->info.have_cipher)
		tell(q, NS_EV_TLS_END, NULL);
	if (q->flow && ns_bus_wants(q->bus, NS_EV_QUIC_END)) {
		struct ns_event ev = {.type = NS_EV_QUIC_END,
				      .flow = q->flow,
				      .ts = q->qi.last_ts,
				      .u.quic = &q->qi};
		ns_bus_publish(q->bus, &ev);
	}
	for (int d = 0; d < 2; d++)
		for (int l = 0; l < SP_COUNT; l++) {
			ns_mem_free(q->mem, q->d[d].cd[l].buf);
			ns_mem_free(q->mem, q->d[d].cd[l].have);
		}
}

/* ---- versions and keys --------------------------------------------------
 */

struct version {
	uint32_t v;
	uint8_t v2; /* RFC 9369: other type bits and labels */
	const char *salt;
};

static const struct version versions[] = {
    {0x00000001, 0,
     "\x38\x76\x2c\xf7\xf5\x59\x34\xb3\x4d\x17\x9a\xe6\xa4\xc8"
     "\x0c\xad\xcc\xbb\x7f\x0a"},
    {0x6b3343cf, 1,
     "\x0d\xed\xe3\xde\xf7\x00\xa6\xdb\x81\x93\x81\xbe\x6e\x26"
     "\x9d\xcb\xf9\xbd\x2e\xd9"},
    {0xff00001d, 0,
     "\xaf\xbf\xec\x28\x99\x93\xd2\x4c\x9e\x97\x86\xf1\x9c\x61"
     "\x11\xe0\x43\x90\xa8\x99"},
};

static const struct version *version_find(uint32_t v)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].v == v)
			return &versions[i];
	return NULL;
}

/* RFC 9001 §5.2: one side's Initial keys (AES-128-GCM, SHA-256). */
static int initial_keys(const struct version *ver, const uint8_t *dcid,
			size_t dlen, int server, struct ns_quic_keys *q)
{
	uint8_t isecret[32], secret[32];
	int rc =
	    ns_hkdf_extract("SHA256", (const uint8_t *)ver->salt, 20, dcid,
			    dlen, isecret, 32) < 0 ||
	    ns_tls13_expand_label("SHA256", isecret, 32,
				  server ? "server in" : "client in", NULL, 0,
				  secret, 32) < 0 ||
	    ns_quic_keys(q, ns_tls_suite_find(0x1301), secret, 32, ver->v2) < 0;
	memset(isecret, 0, sizeof(isecret));
	memset(secret, 0, sizeof(secret));
	return rc ? -1 : 0;
}

int ns_quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dlen,
			 int server, struct ns_tls_keys *k, uint8_t hp[16])
{
	const struct version *ver = version_find(version);
	struct ns_quic_keys q;
	if (!ver || initial_keys(ver, dcid, dlen, server, &q) < 0)
		return -1;
	*k = q.k;
	memcpy(hp, q.hp, 16);
	memset(&q, 0, sizeof(q));
	return 0;
}

/* The key log's secret with this label for the connection, or NULL. */
static const uint8_t *logged(struct ns_packet *pkt, struct quic_flow *q,
			     int label, size_t *n)
{
	const struct ns_keylog *kl = pkt->eng->keylog;
	const uint8_t *s = ns_keylog_find(kl, label, q->cr, n);
	if (!s && pkt->eng->keylog_live &&
	    ns_keylog_refresh(pkt->eng->keylog_live))
		s = ns_keylog_find(kl, label, q->cr, n);
	return s;
}

/* From the front of a direction's Initial CRYPTO data: its hello's random
 * and, the ServerHello's, the cipher suite.  Read here rather than from
 * the TLS parser's results, which come after the datagram's last packet,
 * because a Handshake packet coalesced after the ServerHello's Initial
 * needs them.  0, or -1 when not there yet. */
static int hello_peek(const struct crypto_dir *c, int server,
		      uint8_t random[32], uint16_t *cipher)
{
	if (!c->buf)
		return -1;
	size_t n = 0;
	while (n < MAX_CRYPTO && (c->have[n / 32] >> (n % 32)) & 1)
		n++;
	struct ns_reader r;
	ns_rd_init(&r, c->buf, n);
	uint8_t type = ns_rd_u8(&r);
	ns_rd_skip(&r, 3 + 2); /* length, legacy version */
	ns_rd_copy(&r, random, 32);
	if (server) {
		ns_rd_skip(&r, ns_rd_u8(&r)); /* session id */
		*cipher = ns_rd_u16(&r);
	}
	return !r.err && type == (server ? 2 : 1) ? 0 : -1;
}

/* The Handshake and 1-RTT keys of both directions from the key log, once
 * the client random and the suite are known.  1 when there are keys. */
static int keys(struct ns_packet *pkt, struct quic_flow *q)
{
	uint8_t sr[32];
	uint16_t cipher = 0;
	if (q->keyed || !pkt->eng || !pkt->eng->keylog ||
	    hello_peek(&q->d[0].cd[SP_INITIAL], 0, q->cr, NULL) < 0 ||
	    hello_peek(&q->d[1].cd[SP_INITIAL], 1, sr, &cipher) < 0)
		return q->keyed == 1;
	static const int labels[2][2] = {{NS_KL_CLIENT_HS, NS_KL_CLIENT_AP0},
					 {NS_KL_SERVER_HS, NS_KL_SERVER_AP0}};
	const struct ns_tls_suite *s = ns_tls_suite_find(cipher);
	const struct version *ver = version_find(q->version);
	q->keyed = 2;
	for (int d = 0; s && ver && d < 2; d++) {
		size_t hn = 0, an = 0;
		const uint8_t *h = logged(pkt, q, labels[d][0], &hn);
		const uint8_t *a = logged(pkt, q, labels[d][1], &an);
		struct app_keys *ak = &q->d[d].app;
		if (!h || !a ||
		    ns_quic_keys(&q->d[d].hs, s, h, hn, ver->v2) < 0 ||
		    ns_quic_keys(&ak->cur, s, a, an, ver->v2) < 0 ||
		    ns_quic_key_update(&ak->cur, &ak->next) < 0) {
			/* a live key log may have them later */
			q->keyed = pkt->eng->keylog_live ? 0 : 2;
			return 0;
		}
	}
	if (s && ver)
		q->keyed = 1;
	return q->keyed == 1;
}

/* ---- one packet -------------------------------------------------------- */

/* A varint as field f at the reader's offset plus base. */
static uint64_t vfield(struct ns_packet *pkt, struct ns_reader *r,
		       uint32_t base, int f)
{
	uint32_t off = ns_rd_off(r);
	uint64_t v = ns_rd_varint(r);
	if (!r->err)
		ns_add_uint(pkt, &fields[f], base + off, ns_rd_off(r) - off, v);
	return v;
}

/* n bytes as field f at the reader's offset plus base; NULL when short. */
static const uint8_t *bfield(struct ns_packet *pkt, struct ns_reader *r,
			     uint32_t base, int f, uint64_t n)
{
	uint32_t at = ns_rd_off(r);
	if (n > ns_rd_left(r)) {
		ns_rd_fail(r);
		return NULL;
	}
	const uint8_t *p = ns_rd_ptr(r, (size_t)n);
	if (p && n)
		ns_add_bytes(pkt, &fields[f], base + at, (uint32_t)n, p,
			     (uint32_t)n);
	return p;
}

/* What one packet's dissection needs to know. */
struct pk {
	struct ns_packet *pkt;
	struct quic_path *path;
	struct quic_flow *qf;
	int dir;	      /* 0 the client's, 1 the server's */
	int space;	      /* of the packet being parsed */
	uint32_t base;	      /* the packet's offset in the layer */
	int crypto[SP_COUNT]; /* levels whose CRYPTO data grew, this datagram */
	int cdir[SP_COUNT];   /* ... and in which direction */
	int cut;	      /* the snapshot length cut a packet */
	const char *bad;      /* malformed, first reason */
};

/* CRYPTO data at offset off of the packet's direction and level. */
static void crypto_add(struct pk *k, uint64_t off, const uint8_t *p, size_t n)
{
	struct crypto_dir *c = &k->qf->d[k->dir].cd[k->space];
	if (off >= MAX_CRYPTO || n > MAX_CRYPTO - off) {
		ns_quic_dropped(k->pkt, n); /* handshakes are smaller */
		return;
	}
	if (!c->buf) {
		c->buf = ns_mem_alloc(k->qf->mem, MAX_CRYPTO);
		c->have = ns_mem_alloc(k->qf->mem, MAX_CRYPTO / 8);
		if (!c->buf || !c->have) {
			ns_mem_free(k->qf->mem, c->buf);
			ns_mem_free(k->qf->mem, c->have);
			c->buf = NULL;
			c->have = NULL;
			return;
		}
	}
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	ns_rd_copy(&r, c->buf + off, n);
	for (size_t i = off; i < off + n; i++)
		c->have[i / 32] |= 1u << (i % 32);
	k->crypto[k->space] = 1;
	k->cdir[k->space] = k->dir;
}

/* ACK and ACK_ECN (RFC 9000 §19.3). */
static void frame_ack(struct pk *k, struct ns_reader *r, uint32_t base,
		      uint64_t type)
{
	struct ns_packet *pkt = k->pkt;
	vfield(pkt, r, base, F_ACK_LARGEST);
	vfield(pkt, r, base, F_ACK_DELAY);
	uint64_t ranges = vfield(pkt, r, base, F_ACK_RANGES);
	vfield(pkt, r, base, F_ACK_FIRST);
	for (uint64_t i = 0; i < ranges && !r->err; i++) {
		vfield(pkt, r, base, F_ACK_GAP);
		vfield(pkt, r, base, F_ACK_RANGE);
	}
	if (type == 0x03) {
		vfield(pkt, r, base, F_ACK_ECT0);
		vfield(pkt, r, base, F_ACK_ECT1);
		vfield(pkt, r, base, F_ACK_CE);
	}
}

/* STREAM (§19.8): its bits say whether offset and length are there. */
static void frame_stream(struct pk *k, struct ns_reader *r, uint32_t base,
			 uint64_t type)
{
	struct ns_packet *pkt = k->pkt;
	ns_add_uint(pkt, &fields[F_STREAM_FIN], base + ns_rd_off(r), 0,
		    type & 1);
	uint64_t id = vfield(pkt, r, base, F_STREAM_ID);
	uint64_t off = type & 4 ? vfield(pkt, r, base, F_STREAM_OFF) : 0;
	uint64_t n =
	    type & 2 ? vfield(pkt, r, base, F_STREAM_LEN) : ns_rd_left(r);
	const uint8_t *p =
	    r->err ? NULL : bfield(pkt, r, base, F_STREAM_DATA, n);
	if (p && k->qf)
		ns_quic_stream_data(k->qf, pkt, k->dir, id, off, p, (size_t)n,
				    (int)(type & 1));
}

/* CONNECTION_CLOSE (§19.19): a transport error, or the application's. */
static void frame_close(struct pk *k, struct ns_reader *r, uint32_t base,
			uint64_t type)
{
	struct ns_packet *pkt = k->pkt;
	uint64_t code =
	    vfield(pkt, r, base, type == 0x1c ? F_CC_ERROR : F_CC_ERROR_APP);
	if (type == 0x1c)
		vfield(pkt, r, base, F_CC_FRAME_TYPE);
	uint64_t n = vfield(pkt, r, base, F_CC_REASON_LEN);
	if (!r->err)
		bfield(pkt, r, base, F_CC_REASON, n);
	struct ns_quic_info *qi = k->qf ? &k->qf->qi : NULL;
	if (qi && !qi->closed) {
		qi->closed = 1;
		qi->close_by = (uint8_t)k->dir;
		qi->close_app = type == 0x1d;
		qi->close_code = code;
	}
}

/* NEW_CONNECTION_ID (§19.15). */
static void frame_nci(struct pk *k, struct ns_reader *r, uint32_t base)
{
	struct ns_packet *pkt = k->pkt;
	vfield(pkt, r, base, F_NCI_SEQ);
	vfield(pkt, r, base, F_NCI_RETIRE);
	uint8_t n = ns_rd_left(r) ? ns_rd_peek(r, 0) : 0;
	ns_get_u8(pkt, r, &fields[F_NCI_LEN]);
	if (n < 1 || n > MAX_CID) {
		ns_rd_fail(r);
		return;
	}
	const uint8_t *cid = bfield(pkt, r, base, F_NCI_CID, n);
	if (cid && k->qf)
		ns_quic_cid_add(k->qf, cid, n, k->dir);
	bfield(pkt, r, base, F_NCI_TOKEN, 16);
}

/* The frames that are one to three varints, each a field. */
static const struct {
	uint8_t type, f[3];
} simple[] = {
    {0x04, {F_RSTS_ID, F_RSTS_ERR, F_RSTS_FINAL}},
    {0x05, {F_SS_ID, F_SS_ERR, 0}},
    {0x10, {F_MD, 0, 0}},
    {0x11, {F_MSD_ID, F_MSD_MAX, 0}},
    {0x12, {F_MS, 0, 0}},
    {0x13, {F_MS, 0, 0}},
    {0x14, {F_SB_LIMIT, 0, 0}},
    {0x15, {F_SDB_ID, F_SB_LIMIT, 0}},
    {0x16, {F_SIB, 0, 0}},
    {0x17, {F_SIB, 0, 0}},
    {0x19, {F_RCI_SEQ, 0, 0}},
};

/* 1 when a frame of this type is one of the simple ones (and parsed). */
static int frame_simple(struct pk *k, struct ns_reader *r, uint32_t base,
			uint64_t type)
{
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (simple[i].type != type)
			continue;
		uint64_t v[3] = {0, 0, 0};
		for (int j = 0; j < 3 && simple[i].f[j]; j++)
			v[j] = vfield(k->pkt, r, base, simple[i].f[j]);
		if (type == 0x04 && !r->err && k->qf)
			ns_quic_stream_reset(k->qf, k->pkt, k->dir, v[0], v[1]);
		return 1;
	}
	return 0;
}

/* The frames the other frame types are (0: not a frame netscope knows). */
static int frame_other(struct pk *k, struct ns_reader *r, uint32_t base,
		       uint64_t type)
{
	struct ns_packet *pkt = k->pkt;
	if (type == 0x07) { /* NEW_TOKEN */
		uint64_t n = vfield(pkt, r, base, F_NT_LEN);
		if (!r->err)
			bfield(pkt, r, base, F_NT_TOKEN, n);
	} else if (type >= 0x08 && type <= 0x0f) {
		frame_stream(k, r, base, type);
	} else if (type == 0x18) {
		frame_nci(k, r, base);
	} else if (type == 0x1a || type == 0x1b) {
		bfield(pkt, r, base, type == 0x1a ? F_PC_DATA : F_PR_DATA, 8);
	} else if (type == 0x30 || type == 0x31) { /* DATAGRAM, RFC 9221 */
		uint64_t n = type == 0x31 ? vfield(pkt, r, base, F_DG_LEN)
					  : ns_rd_left(r);
		if (!r->err)
			bfield(pkt, r, base, F_DG, n);
	} else if (type != 0x01 && type != 0x1e) { /* PING, HANDSHAKE_DONE */
		return frame_simple(k, r, base, type);
	}
	return 1;
}

/* RFC 9000 §12.4: what Initial and Handshake packets may carry. */
static int allowed(int space, uint64_t type)
{
	return space == SP_APP || type <= 0x03 || type == 0x06 || type == 0x1c;
}

/* One frame at r; 0, or -1 when the rest is not decoded. */
static int frame(struct pk *k, struct ns_reader *r, uint32_t base)
{
	struct ns_packet *pkt = k->pkt;
	uint64_t type = vfield(pkt, r, base, F_FRAME_TYPE);
	if (r->err)
		return -1;
	if (!allowed(k->space, type)) {
		if (!k->bad)
			k->bad = k->space == SP_INITIAL
				     ? "frame not allowed in an Initial packet"
				     : "frame not allowed in a Handshake "
				       "packet";
		return -1;
	}
	if (type == 0x00) { /* PADDING: the run of zeros */
		uint32_t start = ns_rd_off(r) - 1, n = 1;
		while (ns_rd_left(r) && ns_rd_peek(r, 0) == 0) {
			ns_rd_skip(r, 1);
			n++;
		}
		ns_add_uint(pkt, &fields[F_PADDING_LEN], base + start, n, n);
	} else if (type == 0x02 || type == 0x03) {
		frame_ack(k, r, base, type);
	} else if (type == 0x06) { /* CRYPTO */
		uint64_t off = vfield(pkt, r, base, F_CRYPTO_OFF);
		uint64_t n = vfield(pkt, r, base, F_CRYPTO_LEN);
		uint32_t at = ns_rd_off(r);
		const uint8_t *p = r->err ? NULL : ns_rd_ptr(r, (size_t)n);
		if (p) {
			ns_add_label(pkt, &fields[F_CRYPTO_DATA], base + at,
				     (uint32_t)n);
			if (k->qf)
				crypto_add(k, off, p, (size_t)n);
		}
	} else if (type == 0x1c || type == 0x1d) {
		frame_close(k, r, base, type);
	} else if (!frame_other(k, r, base, type)) {
		if (!k->bad)
			k->bad = "unknown frame type";
		return -1;
	}
	return 0;
}

/* The frames of a decrypted payload (fields at base + their offset). */
static void frames(struct pk *k, struct ns_reader *r, uint32_t base)
{
	struct ns_packet *pkt = k->pkt;
	while (ns_rd_left(r) && !r->err) {
		ns_add_label(pkt, &fields[F_FRAME], base + ns_rd_off(r), 0);
		ns_tree_push(pkt);
		int rc = frame(k, r, base);
		ns_tree_pop(pkt);
		if (rc < 0)
			break;
	}
	if (r->err && !k->bad)
		k->bad = "frame cut short";
}

/* A packet being opened: where it is and what its header said. */
struct prot {
	const uint8_t *p; /* the packet as captured */
	size_t n;
	size_t pn_off; /* where its packet number starts */
	int is_long;
	uint8_t *buf; /* its copy in the arena, header protection removed */
	size_t hdr;   /* header length, packet number included */
	uint64_t pn;
	uint8_t b0;
};

/* Header protection off (RFC 9001 §5.4): the first byte's low bits and
 * the packet number, into a copy of the packet in the arena; the packet
 * number recovered in its space.  0, or -1. */
static int unmask(struct pk *k, const struct ns_quic_keys *q, struct prot *x)
{
	uint8_t mask[5];
	if (x->pn_off + 4 + 16 > x->n || !q->k.suite)
		return -1;
	x->buf = ns_arena_alloc(&k->pkt->arena, x->n);
	if (!x->buf)
		return -1;
	struct ns_reader r;
	ns_rd_init(&r, x->p, x->n);
	ns_rd_copy(&r, x->buf, x->n);
	if (ns_quic_hp_mask(q, x->buf + x->pn_off + 4, mask) < 0)
		return -1;
	uint8_t low = x->is_long ? 0x0f : 0x1f;
	x->b0 = (uint8_t)(ns_rd_byte_at(x->buf, x->n, 0) ^ (mask[0] & low));
	x->buf[0] = x->b0;
	size_t pnl = (size_t)(x->b0 & 3) + 1;
	uint64_t t = 0;
	for (size_t i = 0; i < pnl; i++) {
		uint8_t b =
		    (uint8_t)(ns_rd_byte_at(x->buf, x->n, x->pn_off + i) ^
			      mask[1 + i]);
		x->buf[x->pn_off + i] = b;
		t = t << 8 | b;
	}
	x->hdr = x->pn_off + pnl;
	if (x->n < x->hdr + NS_TLS_TAG)
		return -1;
	struct qdir *d = &k->qf->d[k->dir];
	x->pn = ns_quic_pn_decode(d->largest[k->space],
				  d->have_largest[k->space], t, (unsigned)pnl);
	return 0;
}

/* The payload opened with keys q into the arena; its length, or -1. */
static long aead(struct pk *k, const struct ns_quic_keys *q, struct prot *x,
		 uint8_t **plain)
{
	size_t clen = x->n - x->hdr - NS_TLS_TAG;
	*plain = ns_arena_alloc(&k->pkt->arena, clen ? clen : 1);
	struct ns_tls_keys key = q->k;
	uint8_t nonce[12];
	key.seq = x->pn;
	ns_tls_nonce(&key, NULL, nonce);
	int rc = !*plain ||
		 ns_tls_aead_open(&key, nonce, x->buf, x->hdr, x->buf + x->hdr,
				  clen, x->buf + x->hdr + clen, *plain) < 0;
	memset(&key, 0, sizeof(key));
	return rc ? -1 : (long)clen;
}

/* 1-RTT: the keys of the packet's key phase (RFC 9001 §6); a packet of
 * the next phase that opens moves the direction on. */
static long aead_app(struct pk *k, struct prot *x, uint8_t **plain)
{
	struct app_keys *a = &k->qf->d[k->dir].app;
	unsigned phase = (x->b0 >> 2) & 1;
	if (phase == a->phase)
		return aead(k, &a->cur, x, plain);
	long n = aead(k, &a->next, x, plain);
	if (n >= 0) {
		a->prev = a->cur;
		a->have_prev = 1;
		a->cur = a->next;
		a->phase = (uint8_t)phase;
		a->updates++;
		if (ns_quic_key_update(&a->cur, &a->next) < 0)
			memset(&a->next, 0, sizeof(a->next));
		return n;
	}
	return a->have_prev ? aead(k, &a->prev, x, plain) : -1;
}

/* Opens the packet x at level k->space with keys q (the 1-RTT ones by key
 * phase when q is NULL), records its packet number and frames.  0, or -1
 * when it does not open. */
static int open_packet(struct pk *k, const struct ns_quic_keys *q,
		       struct prot *x)
{
	struct ns_packet *pkt = k->pkt;
	const struct ns_quic_keys *hpk = q ? q : &k->qf->d[k->dir].app.cur;
	uint8_t *plain;
	if (unmask(k, hpk, x) < 0)
		return -1;
	/* the header's protected bits, shown even when the payload does not
	 * open (as tshark does) */
	size_t pnl = (size_t)(x->b0 & 3) + 1;
	if (!x->is_long)
		ns_add_uint(pkt, &fields[F_KEY_PHASE], k->base, 1,
			    (x->b0 >> 2) & 1);
	ns_add_uint(pkt, &fields[F_PN_LEN], k->base, 1, pnl);
	ns_add_uint(pkt, &fields[F_PN], k->base + (uint32_t)x->pn_off,
		    (uint32_t)pnl, x->pn);
	long clen = q ? aead(k, q, x, &plain) : aead_app(k, x, &plain);
	if (clen < 0)
		return -1;
	struct qdir *d = &k->qf->d[k->dir];
	if (!d->have_largest[k->space] || x->pn > d->largest[k->space])
		d->largest[k->space] = x->pn;
	d->have_largest[k->space] = 1;
	struct ns_reader fr;
	ns_rd_init(&fr, plain, (size_t)clen);
	frames(k, &fr, k->base + (uint32_t)x->hdr);
	return 0;
}

/* An Initial packet the snapshot length cut: its packet number, when the
 * header protection sample was captured (pn_off: where it starts). */
static void cut_initial(struct pk *k, const struct version *ver,
			const struct ns_reader *whole, size_t pn_off)
{
	struct ns_quic_keys q;
	uint8_t mask[5], hdr[MAX_CID * 2 + 64], sample[16];
	struct ns_reader r = *whole;
	if (pn_off + 20 > ns_rd_left(&r) || pn_off + 4 > sizeof(hdr) ||
	    initial_keys(ver, k->qf->dcid, k->qf->dcid_len, k->dir, &q) < 0)
		return;
	ns_rd_copy(&r, hdr, pn_off + 4);
	ns_rd_copy(&r, sample, 16);
	int rc = ns_quic_hp_mask(&q, sample, mask);
	memset(&q, 0, sizeof(q));
	if (rc < 0)
		return;
	size_t pnl = (size_t)((hdr[0] ^ (mask[0] & 0x0f)) & 3) + 1;
	uint64_t pn = 0;
	for (size_t i = 0; i < pnl; i++)
		pn = pn << 8 | (uint8_t)(hdr[pn_off + i] ^ mask[1 + i]);
	ns_add_uint(k->pkt, &fields[F_PN_LEN], k->base, 1, pnl);
	ns_add_uint(k->pkt, &fields[F_PN], k->base + (uint32_t)pn_off,
		    (uint32_t)pnl, pn);
}

/* The connection IDs of a long header; 0, or -1 when too long. */
static int cids(struct ns_packet *pkt, struct ns_reader *r, uint32_t base,
		const uint8_t **dcid, uint8_t *dlen, const uint8_t **scid,
		uint8_t *slen)
{
	uint8_t dl = ns_rd_left(r) ? ns_rd_peek(r, 0) : 0;
	ns_get_u8(pkt, r, &fields[F_DCIL]);
	if (dl > MAX_CID)
		return -1;
	uint32_t at = ns_rd_off(r);
	*dcid = ns_rd_ptr(r, dl);
	*dlen = dl;
	if (*dcid && dl)
		ns_add_bytes(pkt, &fields[F_DCID], base + at, dl, *dcid, dl);
	uint8_t sl = ns_rd_left(r) ? ns_rd_peek(r, 0) : 0;
	*slen = sl;
	ns_get_u8(pkt, r, &fields[F_SCIL]);
	if (sl > MAX_CID)
		return -1;
	at = ns_rd_off(r);
	*scid = ns_rd_ptr(r, sl);
	if (*scid && sl)
		ns_add_bytes(pkt, &fields[F_SCID], base + at, sl, *scid, sl);
	return r->err ? -1 : 0;
}

/* Which side sent the packet: the first Initial's sender is the client
 * (on a path found by connection ID, the side it was not sent to). */
static int direction(struct pk *k, int client_initial)
{
	struct quic_path *p = k->path;
	if (!p)
		return 0;
	if (!p->have_client && client_initial) {
		p->have_client = 1;
		p->client_port = k->pkt->sport;
	}
	return p->have_client && k->pkt->sport != p->client_port;
}

/* The client's first Handshake packet ends the handshake as the client
 * sees it (it carries its Finished): the handshake time, as TLS over TCP
 * takes it from the client's first protected handshake record. */
static void client_handshake(struct pk *k)
{
	struct ns_tls_info *in = &k->qf->info;
	if (k->dir != 0 || in->hs_done || !in->hellos)
		return;
	in->fin_ts = k->pkt->ts;
	in->hs_done = 1;
	in->hs_time = in->fin_ts - in->ch_ts;
	if (in->hs_time < 0)
		in->hs_time = 0;
	tell(k->qf, NS_EV_TLS_HANDSHAKE, k->pkt);
}

/* An Initial or Handshake packet's keys (NULL: none). */
static const struct ns_quic_keys *long_keys(struct pk *k,
					    const struct version *ver, int type,
					    struct ns_quic_keys *tmp)
{
	struct quic_flow *q = k->qf;
	if (!q || !ver)
		return NULL;
	if (type == 0)
		return q->dcid_len && initial_keys(ver, q->dcid, q->dcid_len,
						   k->dir, tmp) == 0
			   ? tmp
			   : NULL;
	return type == 2 && keys(k->pkt, q) ? &q->d[k->dir].hs : NULL;
}

/* A long header's protected part: opened when there are keys, else
 * shown as protected (and said, when keys did not open it). */
static void long_payload(struct pk *k, const struct version *ver, int type,
			 struct ns_reader *r, const struct ns_reader *whole,
			 uint64_t len)
{
	struct ns_packet *pkt = k->pkt;
	size_t pn_off = ns_rd_off(r) - k->base;
	struct prot x = {.is_long = 1, .pn_off = pn_off};
	x.n = pn_off + (size_t)len;
	struct ns_reader w = *whole;
	x.p = ns_rd_ptr(&w, x.n);
	if (type == 2 && k->qf)
		client_handshake(k);
	struct ns_quic_keys tmp;
	const struct ns_quic_keys *q = long_keys(k, ver, type, &tmp);
	k->space = type == 0 ? SP_INITIAL : SP_HANDSHAKE;
	int rc = q && x.p ? open_packet(k, q, &x) : -1;
	memset(&tmp, 0, sizeof(tmp));
	if (rc == 0) {
		ns_rd_skip(r, (size_t)len);
		return;
	}
	if (q)
		ns_add_label(pkt, &fields[F_DECRYPT_FAILED], k->base,
			     (uint32_t)x.n);
	bfield(pkt, r, 0, F_PROTECTED, len);
}

/* The rest of a Retry (a token, then a 16-byte integrity tag) or of a
 * version negotiation (the versions offered). */
static void retry_or_vn(struct pk *k, struct ns_reader *r, uint32_t v)
{
	struct ns_packet *pkt = k->pkt;
	if (v == 0) {
		while (ns_rd_left(r) >= 4)
			ns_get_u32(pkt, r, &fields[F_SUPPORTED]);
	} else {
		if (k->qf)
			k->qf->retried = 1;
		size_t left = ns_rd_left(r);
		if (left >= 16) {
			if (left > 16)
				ns_get_bytes(pkt, r, &fields[F_RETRY_TOKEN],
					     (uint32_t)(left - 16));
			ns_get_bytes(pkt, r, &fields[F_RETRY_TAG], 16);
		}
	}
	ns_rd_skip(r, ns_rd_left(r));
}

/* What a long header says of the connection: the sender's SCID length,
 * the version, the client's first DCID (the Initial keys'). */
static void remember_long(struct pk *k, int type, const uint8_t *dcid,
			  uint8_t dlen, uint8_t slen, uint32_t v)
{
	struct quic_flow *q = k->qf;
	if (!q)
		return;
	q->scid_len[k->dir] = slen;
	q->have_scid[k->dir] = 1;
	if (!q->version)
		q->version = q->qi.version = v;
	if (type == 0 && k->dir == 0 && dlen && (!q->dcid_len || q->retried)) {
		/* the DCID of the client's first Initial (after a Retry, of
		 * its next one) keys both sides' (RFC 9001 §5.2) */
		q->retried = 0;
		struct ns_reader d;
		ns_rd_init(&d, dcid, dlen);
		ns_rd_copy(&d, q->dcid, dlen);
		q->dcid_len = dlen;
	}
}

/* One long-header packet at r (the whole rest of the datagram for a
 * Retry or a version negotiation); advances r past it. */
static void long_packet(struct pk *k, struct ns_reader *r)
{
	struct ns_packet *pkt = k->pkt;
	struct ns_reader whole = *r;
	k->base = ns_rd_off(r);
	uint8_t b0 = ns_rd_u8(r);
	uint32_t v = ns_rd_u32(r);
	ns_add_uint(pkt, &fields[F_HEADER_FORM], k->base, 1, 1);
	ns_add_uint(pkt, &fields[F_FIXED_BIT], k->base, 1, (b0 >> 6) & 1);
	const struct version *ver = version_find(v);
	unsigned raw = (b0 >> 4) & 3;
	/* version 2 numbers the types one up (RFC 9369 §3.2) */
	int type = (int)(ver && ver->v2 ? (raw + 3) % 4 : raw);
	if (v)
		ns_add_uint(
		    pkt, &fields[ver && ver->v2 ? F_LONG_TYPE_V2 : F_LONG_TYPE],
		    k->base, 1, raw);
	ns_add_uint(pkt, &fields[F_VERSION], k->base + 1, 4, v);
	const uint8_t *dcid = NULL, *scid = NULL;
	uint8_t dlen = 0, slen = 0;
	if (cids(pkt, r, 0, &dcid, &dlen, &scid, &slen) < 0) {
		k->bad = "connection ID too long or cut";
		ns_rd_skip(r, ns_rd_left(r));
		return;
	}
	if (v == 0 || type == 3) {
		retry_or_vn(k, r, v);
		return;
	}
	if (type == 0) { /* Initial: a token */
		uint64_t tl = vfield(pkt, r, 0, F_TOKEN_LEN);
		if (tl && ns_rd_left(r) >= tl)
			ns_get_bytes(pkt, r, &fields[F_TOKEN], (uint32_t)tl);
	}
	uint64_t len = vfield(pkt, r, 0, F_LENGTH);
	k->dir = direction(k, type == 0);
	remember_long(k, type, dcid, dlen, slen, v);
	if (k->qf && scid)
		ns_quic_cid_add(k->qf, scid, slen, k->dir);
	if (!r->err && len <= ns_rd_left(r)) {
		long_payload(k, ver, type, r, &whole, len);
		return;
	}
	/* cut by the snapshot length, or longer than it says */
	if (pkt->caplen < pkt->len) {
		k->cut = 1;
		if (type == 0 && ver && k->qf && k->qf->dcid_len && !r->err)
			cut_initial(k, ver, &whole, ns_rd_off(r) - k->base);
	} else {
		k->bad = "packet longer than the datagram";
	}
	ns_rd_skip(r, ns_rd_left(r));
}

/* A short-header (1-RTT) packet, to the end of the datagram: opened with
 * the 1-RTT keys when there are, else protected. */
static void short_packet(struct pk *k, struct ns_reader *r)
{
	struct ns_packet *pkt = k->pkt;
	struct ns_reader whole = *r;
	k->base = ns_rd_off(r);
	uint8_t b0 = ns_rd_peek(r, 0);
	ns_add_uint(pkt, &fields[F_HEADER_FORM], k->base, 1, 0);
	ns_add_label(pkt, &fields[F_SHORT], k->base, 1);
	ns_add_uint(pkt, &fields[F_FIXED_BIT], k->base, 1, (b0 >> 6) & 1);
	ns_add_uint(pkt, &fields[F_SPIN], k->base, 1, (b0 >> 5) & 1);
	/* its DCID is as long as the receiver's SCID in its long headers */
	k->dir = direction(k, 0);
	k->space = SP_APP;
	struct quic_flow *q = k->qf;
	if (!q || !q->have_scid[!k->dir] ||
	    ns_rd_left(r) <= (size_t)q->scid_len[!k->dir] + 1) {
		bfield(pkt, r, 0, F_PROTECTED, ns_rd_left(r));
		return;
	}
	ns_rd_skip(r, 1);
	if (q->scid_len[!k->dir])
		ns_get_bytes(pkt, r, &fields[F_DCID], q->scid_len[!k->dir]);
	struct prot x = {.pn_off = ns_rd_off(r) - k->base};
	x.n = x.pn_off + ns_rd_left(r);
	x.p = ns_rd_ptr(&whole, x.n);
	if (keys(pkt, q) && x.p && open_packet(k, NULL, &x) == 0) {
		ns_rd_skip(r, ns_rd_left(r));
		return;
	}
	if (q->keyed == 1)
		ns_add_label(pkt, &fields[F_DECRYPT_FAILED], k->base,
			     (uint32_t)x.n);
	bfield(pkt, r, 0, F_PROTECTED, ns_rd_left(r));
}

static void hello_told(void *arg)
{
	struct pk *k = arg;
	tell(k->qf, NS_EV_TLS_HELLO, k->pkt);
}

/* The complete handshake messages CRYPTO data brought at level l in
 * direction d: a tls layer after this one. */
static void handshake(struct pk *k, int l, int d)
{
	struct crypto_dir *c = &k->qf->d[d].cd[l];
	if (!c->buf)
		return;
	size_t end = c->parsed;
	while (end < MAX_CRYPTO && (c->have[end / 32] >> (end % 32)) & 1)
		end++;
	size_t n = end - c->parsed;
	/* a layer only for a whole message (4-byte header, 24-bit length) */
	const uint8_t *m = c->buf + c->parsed;
	if (n < 4 || n < 4 + ((size_t)ns_rd_byte_at(m, n, 1) << 16 |
			      (size_t)ns_rd_byte_at(m, n, 2) << 8 |
			      ns_rd_byte_at(m, n, 3)))
		return;
	uint8_t *copy = ns_arena_alloc(&k->pkt->arena, n);
	if (!copy)
		return;
	memcpy(copy, c->buf + c->parsed, n);
	struct ns_tls_hs hs = {.info = &k->qf->info,
			       .ts = k->pkt->ts,
			       .quic = 1,
			       .on_hello = hello_told,
			       .arg = k};
	int used = ns_tls_crypto_layer(k->pkt, copy, n, &hs);
	if (used > 0)
		c->parsed += (size_t)used;
}

/* The datagram in its connection's totals. */
static void count(struct pk *k)
{
	struct ns_quic_info *qi = &k->qf->qi;
	int dir = direction(k, 0);
	qi->pkts[dir]++;
	qi->bytes[dir] += k->pkt->len;
	qi->last_ts = k->pkt->ts;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	struct quic_path *path = ns_flow_state(pkt, cx);
	struct quic_flow *q = ns_quic_conn_of(pkt, path, r);
	struct pk k = {.pkt = pkt, .path = path, .qf = q};
	if (q) {
		q->flow = pkt->flow;
		ns_add_uint(pkt, &fields[F_CONN_NUM], 0, 0, q->qi.number);
	}
	while (ns_rd_left(r) && !k.bad && !k.cut) {
		uint8_t b0 = ns_rd_peek(r, 0);
		if (!(b0 & 0x80)) {
			short_packet(&k, r);
			break;
		}
		if (b0 == 0 || ns_rd_left(r) < 7)
			break; /* padding after the packets */
		long_packet(&k, r);
	}
	ns_rd_skip(r, ns_rd_left(r));
	if (q)
		count(&k);
	for (int l = 0; q && l < SP_COUNT; l++)
		if (k.crypto[l])
			handshake(&k, l, k.cdir[l]);
	if (k.bad)
		return ns_malformed(pkt, "%s", k.bad);
	return k.cut ? NS_ETRUNC : 0;
}

/* One frame's name in the info column (tshark's words). */
static void info_frame(struct ns_buf *out, const struct ns_packet *pkt,
		       uint32_t i, uint64_t type)
{
	ns_buf_puts(out, ", ");
	if (type >= 0x08 && type <= 0x0f) {
		/* STREAM(id): the id is the next field */
		const struct ns_fv *id =
		    i + 2 < pkt->nfv ? &pkt->fv[i + 2] : NULL;
		if (id && id->f == &fields[F_STREAM_ID]) {
			ns_buf_printf(out, "STREAM(%llu)",
				      (unsigned long long)id->v.u);
			return;
		}
	}
	const char *s = ns_valstr_find(frame_short, type);
	if (!s)
		s = ns_valstr_find(frame_types, type);
	ns_buf_puts(out, s ? s : "?");
}

/* The key phase bit of the short header whose field i is, when it was
 * decrypted (the bit is protected: it comes after the DCID). */
static int key_phase(const struct ns_packet *pkt, const struct ns_layer *l,
		     uint32_t i)
{
	for (uint32_t j = i + 1; j < l->fv_end && j < i + 8; j++)
		if (pkt->fv[j].f == &fields[F_KEY_PHASE])
			return pkt->fv[j].v.u != 0;
	return 0;
}

/* tshark's column: "Initial, DCID=…, PKN: 1, CRYPTO, PADDING"; a 1-RTT
 * packet "Protected Payload (KP0), DCID=…, PKN: 3, ACK, STREAM(0)". */
static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	size_t start = out->len;
	int dcid_told = 0, kp = 0, vn = 0;
	for (uint32_t i = l->fv_first; i < l->fv_end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		int f = (int)(fv->f - fields);
		if (f < 0 || f >= F_COUNT)
			continue;
		if (f == F_LONG_TYPE || f == F_LONG_TYPE_V2 || f == F_SHORT) {
			if (out->len > start)
				ns_buf_puts(out, "; ");
			unsigned t = f == F_LONG_TYPE_V2
					 ? (unsigned)(fv->v.u + 3) % 4
					 : (unsigned)fv->v.u;
			kp = f == F_SHORT && key_phase(pkt, l, i);
			if (f == F_SHORT)
				ns_buf_printf(out, "Protected Payload (KP%d)",
					      kp);
			else
				ns_buf_puts(out, ns_valstr_find(long_types, t));
			dcid_told = 0;
		} else if (f == F_DCID || (f == F_SCID && !dcid_told)) {
			/* the DCID, else (a server's) the SCID, as tshark */
			ns_buf_puts(out, f == F_DCID ? ", DCID=" : ", SCID=");
			ns_buf_hexbytes(out, fv->v.b.p, fv->v.b.n, 0);
			dcid_told = 1;
		} else if (f == F_PN) {
			ns_buf_printf(out, ", PKN: %llu",
				      (unsigned long long)fv->v.u);
		} else if (f == F_FRAME_TYPE && fv->v.u != 0x00) {
			info_frame(out, pkt, i, fv->v.u);
		} else if (f == F_PADDING_LEN) {
			ns_buf_puts(out, ", PADDING");
		} else if (f == F_SUPPORTED && !vn) {
			vn = 1;
			ns_buf_puts(out, "Version Negotiation");
		} else if (f == F_DECRYPT_FAILED) {
			ns_buf_puts(out, " [decryption failed]");
		}
	}
}

/* A long header of a version netscope knows, with believable connection
 * IDs, or a version negotiation (tshark's heuristic takes the same); or a
 * short header with a connection ID a known connection uses. */
static int udp_heuristic(const struct ns_packet *pkt, const uint8_t *p,
			 size_t n)
{
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	if (n && !(ns_rd_peek(&r, 0) & 0x80))
		return ns_quic_known_cid(pkt, p, n);
	if (n < 7 || (ns_rd_peek(&r, 0) & 0xc0) != 0xc0)
		return 0;
	ns_rd_skip(&r, 1);
	uint32_t v = ns_rd_u32(&r);
	if (v && !version_find(v))
		return 0;
	uint8_t dl = ns_rd_u8(&r);
	if (dl > MAX_CID || ns_rd_left(&r) < (size_t)dl + 1)
		return 0;
	ns_rd_skip(&r, dl);
	uint8_t sl = ns_rd_u8(&r);
	return !r.err && sl <= MAX_CID && ns_rd_left(&r) >= sl;
}

static const struct ns_binding bindings[] = {{NS_TAB_UDP_PORT, 443}, {0, 0}};

struct ns_dissector ns_diss_quic = {
    .name = "quic",
    .column = "QUIC",
    .title = "QUIC IETF",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
    .udp_heuristic = udp_heuristic,
    .flow_state_size = sizeof(struct quic_path),
    .flow_state_free = ns_quic_path_free,
};
