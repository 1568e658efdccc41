/*
 * dns_int — what the files of the DNS dissector share, and nothing else
 * includes: the field ids and table, the record type numbers, the message
 * being dissected, names, and the per-flow matching state.
 *
 * The dissector is split by step, one concern a file:
 *   dns.c         the descriptor; header, sections, questions and the
 *                 fixed part of records; TCP framing (RFC 7766) and the
 *                 UDP heuristic
 *   dns_fields.c  the fields (Wireshark's names) and their value names
 *   dns_name.c    names (RFC 1035 4.1.4 compression, never trusted) and
 *                 the errors of a message
 *   dns_rdata.c   record data: one small function per type, SvcParams
 *                 (RFC 9460), EDNS options (RFC 6891), RFC 3597's form
 *   dns_txn.c     query/response matching per flow, and the transaction
 *                 events (core/event.h) it publishes
 *   dns_info.c    the one-line summary, and the texts the events share
 *                 with it
 * Every byte of a message is read through the reader (core/reader.h);
 * nothing here keeps state outside the message being dissected and the
 * flow's slot.
 */
#ifndef NS_DNS_INT_H
#define NS_DNS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/dissect.h"

struct ns_bus;
struct ns_flow;

enum {
	F_LENGTH,
	F_ID,
	F_FLAGS,
	F_RESPONSE,
	F_OPCODE,
	F_AUTHORITATIVE,
	F_CONFLICT,
	F_TRUNCATED,
	F_RECDESIRED,
	F_TENTATIVE,
	F_RECAVAIL,
	F_Z,
	F_AUTHENTICATED,
	F_CHECKDISABLE,
	F_RCODE,
	F_COUNT_QUERIES,
	F_COUNT_ANSWERS,
	F_COUNT_AUTH,
	F_COUNT_ADD,
	F_COUNT_ZONES,
	F_COUNT_PREREQ,
	F_COUNT_UPDATES,
	F_RCODE_FULL,
	F_ZONE,
	F_PREREQS,
	F_UPDATES,
	F_QUERIES,
	F_ANSWERS,
	F_AUTHORITIES,
	F_ADDITIONALS,
	F_QRY_NAME,
	F_QRY_NAME_LEN,
	F_COUNT_LABELS,
	F_QRY_TYPE,
	F_QRY_CLASS,
	F_QRY_QU,
	F_RR,
	F_RESP_NAME,
	F_RESP_TYPE,
	F_RESP_CLASS,
	F_RESP_CACHE_FLUSH,
	F_RESP_TTL,
	F_RESP_LEN,
	F_A,
	F_AAAA,
	F_CNAME,
	F_NS,
	F_PTR,
	F_DNAME,
	F_MX_PREF,
	F_MX_EXCHANGE,
	F_TXT_LEN,
	F_TXT,
	F_SPF_LEN,
	F_SPF,
	F_SOA_MNAME,
	F_SOA_RNAME,
	F_SOA_SERIAL,
	F_SOA_REFRESH,
	F_SOA_RETRY,
	F_SOA_EXPIRE,
	F_SOA_MINIMUM,
	F_SRV_SERVICE,
	F_SRV_PROTO,
	F_SRV_NAME,
	F_SRV_PRIORITY,
	F_SRV_WEIGHT,
	F_SRV_PORT,
	F_SRV_TARGET,
	F_CAA_FLAGS,
	F_CAA_CRITICAL,
	F_CAA_ISSUE,
	F_CAA_ISSUEWILD,
	F_CAA_IODEF,
	F_CAA_UNKNOWN,
	F_CAA_TAG_LEN,
	F_CAA_TAG,
	F_CAA_VALUE,
	F_NAPTR_ORDER,
	F_NAPTR_PREF,
	F_NAPTR_FLAGS_LEN,
	F_NAPTR_FLAGS,
	F_NAPTR_SERVICE_LEN,
	F_NAPTR_SERVICE,
	F_NAPTR_REGEX_LEN,
	F_NAPTR_REGEX,
	F_NAPTR_REPL_LEN,
	F_NAPTR_REPL,
	F_SVCB_PRIORITY,
	F_SVCB_TARGET,
	F_SVCB_PARAM,
	F_SVCB_KEY,
	F_SVCB_VLEN,
	F_SVCB_VALUE,
	F_SVCB_MANDATORY,
	F_SVCB_ALPN_LEN,
	F_SVCB_ALPN,
	F_SVCB_PORT,
	F_SVCB_IPV4,
	F_SVCB_ECH,
	F_SVCB_IPV6,
	F_OPT_UDP_SIZE,
	F_OPT_EXT_RCODE,
	F_OPT_VERSION,
	F_OPT_Z,
	F_OPT_Z_DO,
	F_OPT_Z_RESERVED,
	F_OPT,
	F_OPT_CODE,
	F_OPT_LEN,
	F_OPT_DATA,
	F_OPT_CS_FAMILY,
	F_OPT_CS_NETMASK,
	F_OPT_CS_SCOPE,
	F_OPT_CS_ADDR,
	F_OPT_CS_ADDR4,
	F_OPT_CS_ADDR6,
	F_OPT_COOKIE_CLIENT,
	F_OPT_COOKIE_SERVER,
	F_OPT_KEEPALIVE,
	F_OPT_PADDING,
	F_OPT_EDE_CODE,
	F_OPT_EDE_TEXT,
	F_DS_KEY_ID,
	F_DS_ALGORITHM,
	F_DS_DIGEST_TYPE,
	F_DS_DIGEST,
	F_DNSKEY_FLAGS,
	F_DNSKEY_ZONE,
	F_DNSKEY_REVOKED,
	F_DNSKEY_SEP,
	F_DNSKEY_RESERVED,
	F_DNSKEY_PROTOCOL,
	F_DNSKEY_ALGORITHM,
	F_DNSKEY_KEY_ID,
	F_DNSKEY_KEY,
	F_RRSIG_TYPE,
	F_RRSIG_ALGORITHM,
	F_RRSIG_LABELS,
	F_RRSIG_TTL,
	F_RRSIG_EXPIRATION,
	F_RRSIG_INCEPTION,
	F_RRSIG_KEY_TAG,
	F_RRSIG_SIGNER,
	F_RRSIG_SIGNATURE,
	F_NSEC_NEXT,
	F_NSEC3_ALGO,
	F_NSEC3_FLAGS,
	F_NSEC3_OPTOUT,
	F_NSEC3_ITERATIONS,
	F_NSEC3_SALT_LEN,
	F_NSEC3_SALT,
	F_NSEC3_HASH_LEN,
	F_NSEC3_HASH,
	F_DATA,
	F_GENERIC,
	F_RESPONSE_IN,
	F_RESPONSE_TO,
	F_TIME,
	F_RETRANSMISSION,
	F_RETRANS_REQ_IN,
	F_RETRANS_RESP_IN,
	F_UNSOLICITED,
	F_TC_RETRY_OF,
	F_TC_RETRY_IN,
	F_COUNT
};

/* The fields, in the order of the ids above (dns_fields.c). */
extern struct ns_field ns_dns_fields[F_COUNT];
#define DNS_F(id) (&ns_dns_fields[id])

/* Value names other files print with (dns_fields.c). */
extern const struct ns_valstr ns_dns_type_vals[];
extern const struct ns_valstr ns_dns_rcode_vals[];
extern const struct ns_valstr ns_dns_opt_vals[];
extern const struct ns_valstr ns_dns_svcb_key_vals[];

/* Record types the dissector decodes (RFC 1035 3.2.2 and successors). */
enum {
	T_A = 1,
	T_NS = 2,
	T_MD = 3,
	T_MF = 4,
	T_CNAME = 5,
	T_SOA = 6,
	T_MB = 7,
	T_MG = 8,
	T_MR = 9,
	T_PTR = 12,
	T_MX = 15,
	T_TXT = 16,
	T_AAAA = 28,
	T_SRV = 33,
	T_NAPTR = 35,
	T_DNAME = 39,
	T_OPT = 41,
	T_DS = 43,
	T_RRSIG = 46,
	T_NSEC = 47,
	T_DNSKEY = 48,
	T_NSEC3 = 50,
	T_NSEC3PARAM = 51,
	T_CDS = 59,
	T_CDNSKEY = 60,
	T_SVCB = 64,
	T_HTTPS = 65,
	T_SPF = 99,
	T_CAA = 257,
};

enum { SEC_QD, SEC_AN, SEC_NS, SEC_AR };

/* ---- limits --------------------------------------------------------- */

#define MAX_JUMPS 128 /* compression pointers followed per name */
/* pointers followed in one message, all names together: a message of
 * thousands of names each chaining 128 pointers would otherwise cost
 * seconds (each jump is checked against the name's earlier ones) */
#define MAX_MSG_JUMPS 16384
#define NAME_TEXT     1100  /* 255 wire bytes escaped (\DDD) fit */
#define RR_TEXT_MAX   65536 /* a record's summary (dns.rr) */

/* ---- the message being dissected ------------------------------------ */

struct dns_msg {
	struct ns_packet *pkt;
	const struct ns_dctx *cx;
	/* the whole message, its cursor on the first byte of the header:
	 * names are read through it (a compression pointer is an offset
	 * in the message) */
	struct ns_reader mr;
	uint32_t moff; /* ns_rd_off(&mr): field offsets of a name */
	int mdns, llmnr;
	int stream; /* a complete message from a TCP stream */
	int opt_seen;
	unsigned ext_rcode;
	/* the first question, for the transaction events (dns_txn.c) */
	const uint8_t *qname; /* its text (arena), or NULL */
	uint32_t qname_n;
	int have_qtype;
	unsigned qtype;
	int tc;		  /* the header's TC bit */
	char soft[200];	  /* first problem that did not stop dissection */
	unsigned jumps;	  /* compression pointers followed so far */
	struct ns_buf rr; /* dns.rr text being built (the packet's scratch) */
};

/* "truncated" when the capture cut the packet, "malformed: why"
 * otherwise; returns the code for dissect() to return. */
int ns_dns_bad(struct dns_msg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Remembers the first problem that does not stop the dissection. */
void ns_dns_soft(struct dns_msg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A type's mnemonic, or RFC 3597's "TYPEnnn" (in tmp). */
const char *ns_dns_type_name(unsigned t, char tmp[16]);

/* ---- names (dns_name.c) --------------------------------------------- */

struct dns_name {
	char text[NAME_TEXT];
	size_t n; /* bytes of text */
	unsigned labels;
	uint32_t used;	 /* bytes the name takes where it is written */
	const char *err; /* NULL, or why the name is bad */
	int hard;	 /* err: the name runs past the message (its extent
			    is unknown), not just a bad name */
};

/* Reads the name at message offset `off` (see dns_name.c). */
void ns_dns_read_name(struct dns_msg *m, size_t off, struct dns_name *nm);
/* Copies the name into the arena and records it as field f at message
 * offset off; returns the copy, or NULL without memory. */
const uint8_t *ns_dns_add_name(struct dns_msg *m, int f, size_t off,
			       const struct dns_name *nm);
/* Reads a name inside record data at the reader, records it as field f
 * (when f >= 0) and advances past it; 0, or an error code for a name past
 * the message. */
int ns_dns_get_name(struct dns_msg *m, struct ns_reader *r, int f,
		    struct dns_name *nm, const char *what);

/* ---- record data (dns_rdata.c) -------------------------------------- */

/* Whether ns_dns_rdata() decodes type t. */
int ns_dns_known_type(unsigned t);
/* The data of a record of a known type in the rdlength-limited reader d:
 * its fields and the rest of dns.rr's text.  0, or an error code. */
int ns_dns_rdata(struct dns_msg *m, struct ns_reader *d, unsigned type);
/* RFC 3597's generic form, for types without a decoder; returns the index
 * of its dns.rr.generic field (whose text rr_commit() moves). */
size_t ns_dns_generic(struct dns_msg *m, struct ns_reader *d);
/* An OPT record's class and TTL, which RFC 6891 6.1.3 makes the UDP
 * payload size, extended RCODE, version and flags. */
void ns_dns_opt_fixed(struct dns_msg *m, struct ns_reader *r);

/* ---- matching and events (dns_txn.c) -------------------------------- */

#define TXN_RING  64 /* transactions remembered per flow, at most */
#define TXN_FIRST 4  /* ... and at first */

/* One transaction of a flow: a query, and whether it was answered. */
struct dns_slot {
	uint16_t id;
	uint16_t qtype;
	uint8_t used;
	uint8_t req_layer; /* the query's layer in its frame, for -2's note */
	uint8_t has_q;	   /* qtype and qname were kept (see qname) */
	uint64_t req_frame, rep_frame;
	int64_t req_ts;
	/* the query's name as events show it (malloc), kept only while
	 * someone listens for DNS_END or DNS_RESPONSE; NULL otherwise;
	 * freed when the slot is reused or the flow's state freed */
	char *qname;
};

/* A ring of the latest transactions, oldest overwritten first.  It starts
 * with TXN_FIRST slots and doubles, up to TXN_RING, only when the slot to
 * be reused still waits for its answer: most flows (a client port, one
 * question) never need more, and the flow table may hold 100000 of them. */
struct dns_flow {
	struct dns_slot *t;
	unsigned cap;  /* slots; 0 until the first message */
	unsigned next; /* slot for the next transaction */
	uint8_t tcp;
	/* for DNS_END when the flow's state is freed: the engine's bus and
	 * the flow (which outlive the state) */
	const struct ns_bus *bus;
	const struct ns_flow *flow;
	struct ns_mem *mem; /* the run's budget (mem.h): ring, names */
	struct dns_slot first[TXN_FIRST];
};

/* Matches a message to its flow's transactions (always), records what
 * tshark shows of it when `show`, and publishes its event. */
void ns_dns_match(struct dns_msg *m, uint16_t id, int response, int show);
/* The flow's state is freed: its unanswered queries end (DNS_END). */
void ns_dns_flow_free(void *state);

/* ---- the summary (dns_info.c) --------------------------------------- */

#define INFO_RR_MAX  8	 /* answers listed on the line */
#define INFO_RR_TEXT 120 /* characters of each */

/* What the summary line and the events say of one DNS layer, gathered
 * from its fields (pointers into the packet's field array). */
struct dns_sum {
	int have_id, resp, tc, have_full, retrans, unsol;
	uint64_t id, opcode, rcode, rcode_full;
	uint64_t tc_of, tc_in; /* the truncated answer retried, its retry */
	const struct ns_fv *qname, *qtype, *time;
	unsigned nans; /* answers (dns.rr of the answer section) */
	const struct ns_fv *ans[INFO_RR_MAX];
};

void ns_dns_sum(const struct ns_packet *pkt, unsigned li, struct dns_sum *s);
/* The answers as the summary line lists them: "A 10.0.0.7, A 10.0.0.8". */
void ns_dns_put_answers(struct ns_buf *out, const struct dns_sum *s);
/* The one-line summary (the descriptor's info). */
void ns_dns_info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out);

#endif
