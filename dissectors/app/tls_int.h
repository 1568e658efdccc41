/*
 * tls_int — what the files of the TLS dissector share; only they include
 * it.
 *
 *   tls.c         records over TCP, the stream, the one-line summary
 *   tls_fields.c  the fields, and the IANA registries naming their values
 *   tls_hs.c      handshake messages (exported: proto/tls_hs.h)
 *   tls_fp.c      JA3, JA3S and JA4 of a parsed hello
 *   tls_x509.c    one DER certificate, decoded by libcrypto
 *   tls_decrypt.c records decrypted with a key log, and the protocol
 *                 they carry (proto/tls_crypt.h does the cryptography)
 *
 * Every file records its fields through ns_tls_fields[] (TF(F_...)) and
 * names values through the field that carries them (ns_tls_name()), so
 * each registry is declared once, next to its field.
 */
#ifndef NS_TLS_INT_H
#define NS_TLS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/field.h"
#include "core/packet.h"
#include "core/reader.h"
#include "core/txn.h"

enum {
	F_RECORD,
	F_CT,
	F_OPAQUE_TYPE,
	F_REC_VERSION,
	F_REC_LEN,
	F_CCS,
	F_ALERT,
	F_ALERT_LEVEL,
	F_ALERT_DESC,
	F_HS_ENCRYPTED,
	F_HS_TYPE,
	F_HS_LEN,
	F_HS_VERSION,
	F_RANDOM,
	F_SID_LEN,
	F_SID,
	F_CS_LEN,
	F_CS,
	F_COMP_LEN,
	F_COMP,
	F_EXT_LEN,
	F_EXT_TYPE,
	F_EXT_LENGTH,
	F_SNI,
	F_ALPN,
	F_GROUP,
	F_POINT_FMT,
	F_SIGALG,
	F_SV,
	F_KS_GROUP,
	F_KS_SEL_GROUP,
	F_PSK_MODE,
	F_JA3_FULL,
	F_JA3,
	F_JA3S_FULL,
	F_JA3S,
	F_JA4,
	F_JA4_R,
	F_CURVE_TYPE,
	F_NAMED_CURVE,
	F_CERTS_LEN,
	F_CERT_LEN,
	F_CERT,
	F_CERT_SUBJECT,
	F_CERT_ISSUER,
	F_CERT_SAN,
	F_CERT_NOT_BEFORE,
	F_CERT_NOT_AFTER,
	F_CERT_KEY,
	F_VERIFY_DATA,
	F_HS_TIME,
	F_DECRYPTED,
	F_DEC_FAILED,
	F_DEC_NOTE,
	F_CERT_URI,
	F_COUNT
};

/* The fields of ns_diss_tls, indexed by the enum above (tls_fields.c). */
extern struct ns_field ns_tls_fields[F_COUNT];
#define TF(f) (&ns_tls_fields[(f)])

/* RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest */
extern const uint8_t ns_tls_hrr_random[32];

/* The name of value v in field f's table (cipher suite, group, …), or
 * NULL. */
static inline const char *ns_tls_name(int f, uint64_t v)
{
	return ns_valstr_find(ns_tls_fields[f].vals, v);
}

/* RFC 8701: GREASE values are {0x0a0a, 0x1a1a, …, 0xfafa}. */
static inline int ns_tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* A NUL-terminated string (packet arena or static) as field f. */
static inline void ns_tls_add_str(struct ns_packet *pkt, int f, const char *s)
{
	if (s)
		ns_add_bytes(pkt, TF(f), 0, 0, (const uint8_t *)s,
			     (uint32_t)strlen(s));
}

/*
 * What a ClientHello or ServerHello says, collected for the fingerprints
 * and the connection's struct ns_tls_info.  The readers and pointers are
 * over the message's bytes (valid while the packet is); a list found
 * malformed is an empty reader.
 */
struct ns_tls_hello {
	int server;
	uint16_t version; /* legacy_version */
	uint16_t max_sv;  /* highest supported_versions entry, 0: none */
	uint16_t cipher;  /* ServerHello: the suite chosen */
	struct ns_reader cs, grp, sig; /* 16-bit lists, as on the wire */
	struct ns_reader pf;	       /* ec_point_formats, 8-bit values */
	uint16_t *ext;		       /* extension types in order (arena) */
	size_t next;
	const uint8_t *alpn; /* the first ALPN protocol; NULL: no ALPN */
	size_t alpn_len;
	struct ns_reader alpn_list; /* the whole ALPN list */
	const uint8_t *sni;	    /* the first host name, or NULL */
	size_t sni_len;
	int has_sni; /* a server_name extension, even an empty one */
	int hrr;     /* a HelloRetryRequest (RFC 8446 §4.1.4) */
	int quic;    /* in QUIC CRYPTO frames (JA4 'q') */
};

/* ---- what tls.c and tls_decrypt.c share -------------------------------- */

struct ns_stream_ctx;
struct ns_mem;
struct ns_tls_dec; /* tls_decrypt.c */

/* One direction of a connection. */
struct tls_dir {
	uint8_t *hs; /* handshake bytes of an unfinished message */
	size_t hs_len;
	uint8_t encrypted; /* handshake records are opaque from now on */
	uint8_t resync;	   /* looking for a record boundary again */
	uint8_t told;	   /* bytes that were not records were shown */
	uint64_t app_records;
};

/* One connection: the carried bytes per direction and what the handshake
 * said (hs_time runs to the first application data). */
struct tls_state {
	struct tls_dir d[2];
	struct ns_tls_info info;
	/* the budget handshake messages in progress are kept in (mem.h) */
	struct ns_mem *mem;
	/* when the client's Finished went (its first protected handshake
	 * record): the handshake's end if no application data follows */
	int64_t fin_ts;
	/* decryption, when the run has a key log (NULL until the first
	 * handshake record; from mem) */
	struct ns_tls_dec *dec;
};

/* The parse of one layer: its connection, if any, and the first problem
 * found. */
struct rec {
	struct ns_packet *pkt;
	struct tls_state *st; /* NULL: parsed alone */
	const struct ns_stream_ctx *ctx;
	struct tls_dir *d; /* this direction's, or NULL */
	const char *bad;
};

struct rec_hdr {
	uint8_t ct, major, minor;
	uint16_t len;
};

/* tls.c: the handshake messages of body (a clear or decrypted handshake
 * record), joined to what the direction left unfinished. */
void ns_tls_handshake(struct rec *rc, const struct ns_reader *body);

/* tls_decrypt.c: after the handshake parser recorded fields fv[from..]:
 * takes the hello randoms and, at the ServerHello, the session's keys
 * from the run's key log (a note when there are none). */
void ns_tls_dec_handshake(struct rec *rc, uint32_t from);
/* tls_decrypt.c: a TLS 1.2 ChangeCipherSpec: the direction's records are
 * encrypted from now on. */
void ns_tls_dec_ccs(struct rec *rc);
/* tls_decrypt.c: record h whose fragment is body: 1 when it was
 * decrypted here (or failed to: said), 0 when the caller shows it as
 * before (no keys for it). */
int ns_tls_dec_record(struct rec *rc, const struct rec_hdr *h,
		      const struct ns_reader *body);
/* tls_decrypt.c: after a layer: the decrypted application data of
 * ctx->dir to the protocol it carries. */
void ns_tls_dec_feed(struct tls_state *st, struct ns_stream_ctx *ctx);
/* tls_decrypt.c: bytes of ctx->dir were lost; the connection ends; its
 * state is freed. */
void ns_tls_dec_gap(struct tls_state *st, struct ns_stream_ctx *ctx,
		    uint32_t n);
void ns_tls_dec_fin(struct tls_state *st, struct ns_stream_ctx *ctx);
void ns_tls_dec_end(struct tls_state *st, struct ns_stream_ctx *ctx);
void ns_tls_dec_free(struct tls_state *st);

/* tls_fp.c: JA3 (tls.handshake.ja3_full and .ja3) of a ClientHello, JA3S
 * of a ServerHello. */
const char *ns_tls_ja3(struct ns_packet *pkt, const struct ns_tls_hello *h);
/* tls_fp.c: JA4 and its raw form of a ClientHello; returns the JA4 (packet
 * arena), or NULL without memory. */
const char *ns_tls_ja4(struct ns_packet *pkt, const struct ns_tls_hello *h);

/* tls_x509.c: subject, issuer, SANs, validity and key of one DER
 * certificate, one tree level down; -1 (nothing recorded) when it is not
 * DER X.509. */
int ns_tls_x509(struct ns_packet *pkt, const uint8_t *der, size_t n);

#endif
