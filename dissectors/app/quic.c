/*
 * quic — QUIC packets (RFC 9000, RFC 9001, RFC 9369 for version 2) on UDP
 * 443 and, by a heuristic, on any port: long and short headers, the
 * packets coalesced in one datagram, version negotiation and Retry, and
 * the Initial packets decrypted with no key log, as their keys come from
 * the client's first Destination Connection ID (RFC 9001 §5.2): header
 * protection removed with AES-128-ECB over the sample, the payload opened
 * with AES-128-GCM (both libcrypto, through src/proto/tls_crypt.c), then
 * its frames (PADDING, PING, ACK, CRYPTO, CONNECTION_CLOSE, and the types
 * of the others) with Wireshark's quic.* names.
 *
 * CRYPTO data is reassembled per direction of the flow by offset (a
 * ClientHello is often spread over several frames, out of order, and over
 * several Initial packets) into at most MAX_CRYPTO bytes, and each run of
 * complete handshake messages at its front becomes a "tls" layer parsed by
 * the TLS handshake parser (proto/tls_hs.h: SNI, ALPN, JA3, JA4 with its
 * 'q' transport): the packet that completes a message carries it.
 *
 * Handshake, 0-RTT and 1-RTT packets are shown as protected (their keys
 * are the TLS handshake's, a later step); so are Initial packets that do
 * not open (quic.decryption_failed).  Per flow: the client's port and
 * Destination Connection ID, and the two CRYPTO buffers from the budget.
 */
#include <openssl/evp.h>
#include <string.h>

#include "core/dissect.h"
#include "core/engine.h"
#include "core/event.h"
#include "core/mem.h"
#include "core/packet.h"
#include "core/txn.h"
#include "flow/transport.h"
#include "proto/quic.h"
#include "proto/tls_crypt.h"
#include "proto/tls_hs.h"

#define MAX_CRYPTO 16384 /* CRYPTO bytes kept a direction (Initial) */
#define MAX_CID	   20

enum {
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
	F_CRYPTO_OFF,
	F_CRYPTO_LEN,
	F_CRYPTO_DATA,
	F_CC_ERROR,
	F_CC_FRAME_TYPE,
	F_CC_REASON_LEN,
	F_CC_REASON,
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
    [F_CRYPTO_OFF] = NS_F_UINT("quic.crypto.offset", "Offset", 64),
    [F_CRYPTO_LEN] = NS_F_UINT("quic.crypto.length", "Length", 64),
    [F_CRYPTO_DATA] = NS_F_NONE("quic.crypto.crypto_data", "Crypto Data"),
    [F_CC_ERROR] = NS_F_VALS("quic.cc.error_code", "Error code", 64,
			     NS_BASE_DEC, transport_errors),
    [F_CC_FRAME_TYPE] = NS_F_UINT("quic.cc.frame_type", "Frame Type", 64),
    [F_CC_REASON_LEN] =
	NS_F_UINT("quic.cc.reason_phrase.length", "Reason phrase Length", 64),
    [F_CC_REASON] = NS_F_STR("quic.cc.reason_phrase", "Reason phrase"),
    [F_DECRYPT_FAILED] =
	NS_F_NONE("quic.decryption_failed", "[Failed to decrypt]"),
};

extern struct ns_dissector ns_diss_quic;

/* What a flow keeps: who the client is, the Destination Connection ID
 * its Initial packets are keyed with, each direction's CRYPTO bytes. */
struct crypto_dir {
	uint8_t *buf;	/* MAX_CRYPTO bytes, from the budget, or NULL */
	uint32_t *have; /* a bit per byte received */
	size_t parsed;	/* bytes handed to the TLS parser */
};

struct quic_flow {
	struct ns_mem *mem;
	/* whom the handshake is told to (TLS_HELLO as it comes, TLS_END as
	 * the flow ends, as the TLS dissector does for TCP) */
	const struct ns_bus *bus;
	const struct ns_flow *flow;
	uint8_t have_client;
	uint16_t client_port;
	uint8_t dcid[MAX_CID], dcid_len; /* what the Initial keys come from */
	uint8_t retried;		 /* a Retry came: the next DCID */
	/* each side's Source Connection ID length ([0] the client's): the
	 * length of the DCID the other side's short headers carry */
	uint8_t scid_len[2], have_scid[2];
	struct crypto_dir cd[2]; /* [0] client, [1] server */
	struct ns_tls_info info;
};

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

static void flow_free(void *state)
{
	struct quic_flow *q = state;
	/* the flow ends: what the handshake said (before CONN_END) */
	if (q->info.hellos || q->info.have_cipher)
		tell(q, NS_EV_TLS_END, NULL);
	for (int i = 0; i < 2; i++) {
		ns_mem_free(q->mem, q->cd[i].buf);
		ns_mem_free(q->mem, q->cd[i].have);
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

static int initial_keys(const struct version *ver, const uint8_t *dcid,
			size_t dlen, int server, struct ns_tls_keys *k,
			uint8_t hp[16]);

int ns_quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dlen,
			 int server, struct ns_tls_keys *k, uint8_t hp[16])
{
	const struct version *ver = version_find(version);
	return ver ? initial_keys(ver, dcid, dlen, server, k, hp) : -1;
}

static int initial_keys(const struct version *ver, const uint8_t *dcid,
			size_t dlen, int server, struct ns_tls_keys *k,
			uint8_t hp[16])
{
	uint8_t isecret[32], secret[32];
	if (ns_hkdf_extract("SHA256", (const uint8_t *)ver->salt, 20, dcid,
			    dlen, isecret, 32) < 0 ||
	    ns_tls13_expand_label("SHA256", isecret, 32,
				  server ? "server in" : "client in", NULL, 0,
				  secret, 32) < 0)
		return -1;
	memset(k, 0, sizeof(*k));
	k->suite = ns_tls_suite_find(0x1301); /* AES-128-GCM */
	const char *kl = ver->v2 ? "quicv2 key" : "quic key";
	const char *il = ver->v2 ? "quicv2 iv" : "quic iv";
	const char *hl = ver->v2 ? "quicv2 hp" : "quic hp";
	int rc = ns_tls13_expand_label("SHA256", secret, 32, kl, NULL, 0,
				       k->key, 16) < 0 ||
		 ns_tls13_expand_label("SHA256", secret, 32, il, NULL, 0, k->iv,
				       12) < 0 ||
		 ns_tls13_expand_label("SHA256", secret, 32, hl, NULL, 0, hp,
				       16) < 0;
	memset(isecret, 0, sizeof(isecret));
	memset(secret, 0, sizeof(secret));
	return rc ? -1 : 0;
}

/* AES-128-ECB of one block: the header protection mask (RFC 9001 §5.4.3) */
static int hp_mask(const uint8_t hp[16], const uint8_t sample[16],
		   uint8_t mask[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0;
	int ok = c &&
		 EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, hp, NULL) > 0 &&
		 EVP_CIPHER_CTX_set_padding(c, 0) > 0 &&
		 EVP_EncryptUpdate(c, mask, &len, sample, 16) > 0 && len == 16;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* ---- one packet -------------------------------------------------------- */

/* RFC 9000 §16: a variable-length integer (the reader fails short). */
static uint64_t varint(struct ns_reader *r)
{
	if (!ns_rd_left(r)) {
		ns_rd_fail(r);
		return 0;
	}
	uint8_t b = ns_rd_peek(r, 0);
	unsigned n = 1u << (b >> 6);
	if (!ns_rd_need(r, n))
		return 0;
	uint64_t v = ns_rd_u8(r) & 0x3f;
	for (unsigned i = 1; i < n; i++)
		v = v << 8 | ns_rd_u8(r);
	return v;
}

/* A varint as field f at the reader's offset plus base. */
static uint64_t vfield(struct ns_packet *pkt, struct ns_reader *r,
		       uint32_t base, int f)
{
	uint32_t off = ns_rd_off(r);
	uint64_t v = varint(r);
	if (!r->err)
		ns_add_uint(pkt, &fields[f], base + off, ns_rd_off(r) - off, v);
	return v;
}

/* What one packet's dissection needs to know. */
struct pk {
	struct ns_packet *pkt;
	struct quic_flow *qf;
	int dir;	 /* 0 the client's, 1 the server's */
	uint32_t base;	 /* the packet's offset in the layer */
	int crypto[2];	 /* CRYPTO data arrived in this direction */
	int cut;	 /* the snapshot length cut a packet */
	const char *bad; /* malformed, first reason */
};

/* CRYPTO data at offset off of the packet's direction, into its buffer. */
static void crypto_add(struct pk *k, uint64_t off, const uint8_t *p, size_t n)
{
	struct crypto_dir *c = &k->qf->cd[k->dir];
	if (off >= MAX_CRYPTO || n > MAX_CRYPTO - off)
		return; /* past what is kept: the Initial flight is smaller */
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
	k->crypto[k->dir] = 1;
}

/* The frames of a decrypted payload (fields at base + their offset). */
static void frames(struct pk *k, struct ns_reader *r, uint32_t base)
{
	struct ns_packet *pkt = k->pkt;
	while (ns_rd_left(r) && !r->err) {
		uint32_t start = ns_rd_off(r);
		ns_add_label(pkt, &fields[F_FRAME], base + start, 0);
		ns_tree_push(pkt);
		uint64_t type = vfield(pkt, r, base, F_FRAME_TYPE);
		if (type == 0x00) { /* PADDING: the run of zeros */
			uint32_t n = 1;
			while (ns_rd_left(r) && ns_rd_peek(r, 0) == 0) {
				ns_rd_skip(r, 1);
				n++;
			}
			ns_add_uint(pkt, &fields[F_PADDING_LEN], base + start,
				    n, n);
		} else if (type == 0x02 || type == 0x03) { /* ACK */
			vfield(pkt, r, base, F_ACK_LARGEST);
			vfield(pkt, r, base, F_ACK_DELAY);
			uint64_t ranges = vfield(pkt, r, base, F_ACK_RANGES);
			vfield(pkt, r, base, F_ACK_FIRST);
			for (uint64_t i = 0; i < ranges && !r->err; i++) {
				varint(r);
				varint(r);
			}
			for (int i = 0; type == 0x03 && i < 3; i++)
				varint(r);
		} else if (type == 0x06) { /* CRYPTO */
			uint64_t off = vfield(pkt, r, base, F_CRYPTO_OFF);
			uint64_t n = vfield(pkt, r, base, F_CRYPTO_LEN);
			uint32_t at = ns_rd_off(r);
			const uint8_t *p = ns_rd_ptr(r, (size_t)n);
			if (p) {
				ns_add_label(pkt, &fields[F_CRYPTO_DATA],
					     base + at, (uint32_t)n);
				crypto_add(k, off, p, (size_t)n);
			}
		} else if (type == 0x1c || type == 0x1d) {
			vfield(pkt, r, base, F_CC_ERROR);
			if (type == 0x1c)
				vfield(pkt, r, base, F_CC_FRAME_TYPE);
			uint64_t n = vfield(pkt, r, base, F_CC_REASON_LEN);
			uint32_t at = ns_rd_off(r);
			const uint8_t *p = ns_rd_ptr(r, (size_t)n);
			if (p && n)
				ns_add_bytes(pkt, &fields[F_CC_REASON],
					     base + at, (uint32_t)n, p,
					     (uint32_t)n);
		} else if (type != 0x01 && type != 0x1e) {
			/* what an Initial packet may not carry (RFC 9000
			 * §12.4): the rest is not decoded */
			ns_tree_pop(pkt);
			if (!k->bad)
				k->bad = "frame not allowed in an Initial "
					 "packet";
			return;
		}
		ns_tree_pop(pkt);
	}
	if (r->err && !k->bad)
		k->bad = "frame cut short";
}

/*
 * An Initial packet p[0..n) (its long header parsed up to the packet
 * number, which starts at pn_off): header protection removed and the
 * payload opened into the arena; its packet number and frames recorded.
 * Returns 0, or -1 when it does not decrypt.
 */
static int initial(struct pk *k, const struct version *ver, const uint8_t *dcid,
		   size_t dlen, const uint8_t *p, size_t n, size_t pn_off)
{
	struct ns_packet *pkt = k->pkt;
	struct ns_tls_keys keys;
	uint8_t hp[16], mask[16];
	if (pn_off + 4 + 16 > n || n < pn_off + 1 + NS_TLS_TAG ||
	    initial_keys(ver, dcid, dlen, k->dir, &keys, hp) < 0)
		return -1;
	uint8_t *buf = ns_arena_alloc(&pkt->arena, n);
	if (!buf)
		return -1;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
	ns_rd_copy(&r, buf, n);
	if (hp_mask(hp, buf + pn_off + 4, mask) < 0)
		return -1;
	uint8_t b0 = (uint8_t)(ns_rd_byte_at(buf, n, 0) ^ (mask[0] & 0x0f));
	buf[0] = b0;
	size_t pnl = (size_t)(b0 & 3) + 1;
	uint64_t pn = 0;
	for (size_t i = 0; i < pnl; i++) {
		uint8_t b =
		    (uint8_t)(ns_rd_byte_at(buf, n, pn_off + i) ^ mask[1 + i]);
		buf[pn_off + i] = b;
		pn = pn << 8 | b;
	}
	size_t hdr = pn_off + pnl;
	if (n < hdr + NS_TLS_TAG)
		return -1;
	size_t clen = n - hdr - NS_TLS_TAG;
	uint8_t *plain = ns_arena_alloc(&pkt->arena, clen ? clen : 1);
	uint8_t nonce[12];
	keys.seq = pn;
	ns_tls_nonce(&keys, NULL, nonce);
	if (!plain || ns_tls_aead_open(&keys, nonce, buf, hdr, buf + hdr, clen,
				       buf + hdr + clen, plain) < 0)
		return -1;
	memset(&keys, 0, sizeof(keys));
	ns_add_uint(pkt, &fields[F_PN_LEN], k->base, 1, pnl);
	ns_add_uint(pkt, &fields[F_PN], k->base + (uint32_t)pn_off,
		    (uint32_t)pnl, pn);
	struct ns_reader fr;
	ns_rd_init(&fr, plain, clen);
	frames(k, &fr, k->base + (uint32_t)hdr);
	return 0;
}

/* An Initial packet the snapshot length cut: its packet number, when the
 * header protection sample was captured (pn_off: where it starts). */
static void cut_initial(struct pk *k, const struct version *ver,
			const struct ns_reader *whole, size_t pn_off)
{
	struct ns_tls_keys keys;
	uint8_t hp[16], mask[16], hdr[MAX_CID * 2 + 64], sample[16];
	struct ns_reader r = *whole;
	if (pn_off + 20 > ns_rd_left(&r) || pn_off + 4 > sizeof(hdr) ||
	    initial_keys(ver, k->qf->dcid, k->qf->dcid_len, k->dir, &keys, hp) <
		0)
		return;
	memset(&keys, 0, sizeof(keys));
	ns_rd_copy(&r, hdr, pn_off + 4);
	ns_rd_copy(&r, sample, 16);
	if (hp_mask(hp, sample, mask) < 0)
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
		const uint8_t **dcid, uint8_t *dlen, uint8_t *slen)
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
	const uint8_t *scid = ns_rd_ptr(r, sl);
	if (scid && sl)
		ns_add_bytes(pkt, &fields[F_SCID], base + at, sl, scid, sl);
	return r->err ? -1 : 0;
}

/* Which side sent the packet: the first Initial's sender is the client. */
static int direction(struct pk *k, int client_initial)
{
	struct quic_flow *q = k->qf;
	if (!q)
		return 0;
	if (!q->have_client && client_initial) {
		q->have_client = 1;
		q->client_port = k->pkt->sport;
	}
	return q->have_client && k->pkt->sport != q->client_port;
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
	unsigned type = ver && ver->v2 ? (raw + 3) % 4 : raw;
	if (v)
		ns_add_uint(
		    pkt, &fields[ver && ver->v2 ? F_LONG_TYPE_V2 : F_LONG_TYPE],
		    k->base, 1, raw);
	ns_add_uint(pkt, &fields[F_VERSION], k->base + 1, 4, v);
	const uint8_t *dcid = NULL;
	uint8_t dlen = 0, slen = 0;
	if (cids(pkt, r, 0, &dcid, &dlen, &slen) < 0) {
		k->bad = "connection ID too long or cut";
		ns_rd_skip(r, ns_rd_left(r));
		return;
	}
	if (v == 0) { /* version negotiation: the versions offered */
		while (ns_rd_left(r) >= 4)
			ns_get_u32(pkt, r, &fields[F_SUPPORTED]);
		ns_rd_skip(r, ns_rd_left(r));
		return;
	}
	if (type == 3) { /* Retry: token, then a 16-byte integrity tag */
		if (k->qf)
			k->qf->retried = 1;
		size_t left = ns_rd_left(r);
		if (left >= 16) {
			if (left > 16)
				ns_get_bytes(pkt, r, &fields[F_RETRY_TOKEN],
					     (uint32_t)(left - 16));
			ns_get_bytes(pkt, r, &fields[F_RETRY_TAG], 16);
		}
		ns_rd_skip(r, ns_rd_left(r));
		return;
	}
	if (type == 0) { /* Initial: a token */
		uint64_t tl = vfield(pkt, r, 0, F_TOKEN_LEN);
		if (tl && ns_rd_left(r) >= tl)
			ns_get_bytes(pkt, r, &fields[F_TOKEN], (uint32_t)tl);
	}
	uint64_t len = vfield(pkt, r, 0, F_LENGTH);
	k->dir = direction(k, type == 0);
	struct quic_flow *q = k->qf;
	if (q) {
		q->scid_len[k->dir] = slen;
		q->have_scid[k->dir] = 1;
	}
	if (type == 0 && q && k->dir == 0 && dlen &&
	    (!q->dcid_len || q->retried)) {
		/* the DCID of the client's first Initial (after a Retry, of
		 * its next one) keys both sides' (RFC 9001 §5.2) */
		q->retried = 0;
		struct ns_reader d;
		ns_rd_init(&d, dcid, dlen);
		ns_rd_copy(&d, q->dcid, dlen);
		q->dcid_len = dlen;
	}
	if (r->err || len > ns_rd_left(r)) {
		/* cut by the snapshot length, or longer than it says */
		if (pkt->caplen < pkt->len) {
			k->cut = 1;
			if (type == 0 && ver && q && q->dcid_len && !r->err)
				cut_initial(k, ver, &whole,
					    ns_rd_off(r) - k->base);
		} else {
			k->bad = "packet longer than the datagram";
		}
		ns_rd_skip(r, ns_rd_left(r));
		return;
	}
	size_t pn_off = ns_rd_off(r) - k->base;
	size_t n = pn_off + (size_t)len;
	const uint8_t *p = ns_rd_ptr(&whole, n);
	if (type == 0 && ver && p && q) {
		if (q->dcid_len &&
		    initial(k, ver, q->dcid, q->dcid_len, p, n, pn_off) == 0) {
			ns_rd_skip(r, (size_t)len);
			return;
		}
		ns_add_label(pkt, &fields[F_DECRYPT_FAILED], k->base,
			     (uint32_t)n);
	}
	uint32_t at = ns_rd_off(r);
	const uint8_t *pp = ns_rd_ptr(r, (size_t)len);
	if (pp)
		ns_add_bytes(pkt, &fields[F_PROTECTED], at, (uint32_t)len, pp,
			     (uint32_t)len);
}

/* A short-header (1-RTT) packet: protected to its end. */
static void short_packet(struct pk *k, struct ns_reader *r)
{
	struct ns_packet *pkt = k->pkt;
	uint32_t at = ns_rd_off(r);
	uint8_t b0 = ns_rd_peek(r, 0);
	ns_add_uint(pkt, &fields[F_HEADER_FORM], at, 1, 0);
	ns_add_label(pkt, &fields[F_SHORT], at, 1);
	ns_add_uint(pkt, &fields[F_FIXED_BIT], at, 1, (b0 >> 6) & 1);
	/* its DCID is as long as the receiver's SCID in its long headers */
	int dir = direction(k, 0);
	struct quic_flow *q = k->qf;
	if (q && q->have_scid[!dir] && q->scid_len[!dir] &&
	    ns_rd_left(r) > (size_t)q->scid_len[!dir] + 1) {
		ns_rd_skip(r, 1);
		ns_get_bytes(pkt, r, &fields[F_DCID], q->scid_len[!dir]);
	}
	at = ns_rd_off(r);
	size_t left = ns_rd_left(r);
	const uint8_t *p = ns_rd_ptr(r, left);
	if (p)
		ns_add_bytes(pkt, &fields[F_PROTECTED], at, (uint32_t)left, p,
			     (uint32_t)left);
}

static void hello_told(void *arg)
{
	struct pk *k = arg;
	tell(k->qf, NS_EV_TLS_HELLO, k->pkt);
}

/* The complete handshake messages CRYPTO data brought in direction d: a
 * tls layer after this one. */
static void handshake(struct pk *k, int d)
{
	struct crypto_dir *c = &k->qf->cd[d];
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

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	struct quic_flow *q = ns_flow_state(pkt, cx);
	if (q && !q->mem && pkt->eng) {
		q->mem = &pkt->eng->mem;
		q->bus = &pkt->eng->bus;
		q->flow = pkt->flow;
	}
	struct pk k = {.pkt = pkt, .qf = q};
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
	for (int d = 0; q && d < 2; d++)
		if (k.crypto[d])
			handshake(&k, d);
	if (k.bad)
		return ns_malformed(pkt, "%s", k.bad);
	return k.cut ? NS_ETRUNC : 0;
}

/* tshark's column: "Initial, DCID=…, PKN: 1, CRYPTO, PADDING"; other
 * packets by their type, protected ones as such. */
static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	size_t start = out->len;
	uint64_t seen = 0; /* frame types told, by bit */
	int dcid_told = 0;
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
			ns_buf_puts(out, f == F_SHORT
					     ? "Protected Payload (KP0)"
					     : ns_valstr_find(long_types, t));
			seen = 0;
			dcid_told = 0;
		} else if (f == F_DCID || (f == F_SCID && !dcid_told)) {
			/* the DCID, else (a server's) the SCID, as tshark */
			ns_buf_puts(out, f == F_DCID ? ", DCID=" : ", SCID=");
			ns_buf_hexbytes(out, fv->v.b.p, fv->v.b.n, 0);
			dcid_told = 1;
		} else if (f == F_PN) {
			ns_buf_printf(out, ", PKN: %llu",
				      (unsigned long long)fv->v.u);
		} else if (f == F_FRAME_TYPE && fv->v.u < 64 &&
			   !((seen >> fv->v.u) & 1)) {
			seen |= 1ull << fv->v.u;
			const char *s = ns_valstr_find(frame_types, fv->v.u);
			ns_buf_puts(out, ", ");
			ns_buf_puts(out, s ? s : "?");
		} else if (f == F_SUPPORTED && !(seen & 1ull << 63)) {
			seen |= 1ull << 63;
			ns_buf_puts(out, "Version Negotiation");
		} else if (f == F_DECRYPT_FAILED) {
			ns_buf_puts(out, " [decryption failed]");
		}
	}
}

/* A long header of a version netscope knows, with believable connection
 * IDs, or a version negotiation (tshark's heuristic takes the same). */
static int udp_heuristic(const struct ns_packet *pkt, const uint8_t *p,
			 size_t n)
{
	(void)pkt;
	struct ns_reader r;
	ns_rd_init(&r, p, n);
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
    .flow_state_size = sizeof(struct quic_flow),
    .flow_state_free = flow_free,
};
