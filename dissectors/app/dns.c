/*
 * DNS (RFC 1035 and its successors) over UDP — port 53, mDNS on 5353
 * (RFC 6762), LLMNR on 5355 (RFC 4795), and any other port where the bytes
 * pass tshark's DNS heuristic — and over TCP on port 53 through the stream
 * interface (RFC 7766: a 2-byte length before each message, several
 * messages per segment, one message over several segments).
 *
 * Decoded: the header and its flags (LLMNR's own), the four sections (an
 * update's zone/prerequisite/update names), and the records A, AAAA, NS,
 * CNAME, PTR, DNAME, MX, TXT/SPF (every string), SOA, SRV, CAA, NAPTR,
 * SVCB/HTTPS with their SvcParams (RFC 9460), OPT (RFC 6891) with client
 * subnet, cookie, keepalive, padding and extended error, DS, CDS, DNSKEY,
 * CDNSKEY (with the key tag), RRSIG, NSEC, NSEC3 and NSEC3PARAM (type
 * bitmaps).  Any other type is shown in RFC 3597's generic form
 * `\# len hex`.  Each record also gets `dns.rr`, its type and data in
 * master-file style, which the one-line summary uses.  Fields carry
 * Wireshark's names and follow tshark 4.0 where it has a habit worth
 * matching (the root is "<Root>", type bitmaps are listed as dns.resp.type,
 * an SRV owner is split into dns.srv.service/proto/name, nothing of a
 * record that is cut short).
 *
 * Names are never trusted: a compression pointer may go anywhere in the
 * message, but a pointer seen before in the same name is a loop and at
 * most MAX_JUMPS pointers are followed; a name longer than 255 bytes or a
 * label running past the end is an error.  Label bytes are kept as they
 * are and every output escapes what is not printable.  Errors that leave
 * the rest of the message readable (a loop, a long name, record data that
 * does not fit its type) mark the message malformed after it has been
 * read to its end; the others (past the end of the message) stop there.
 *
 * Queries and responses are matched per flow (the UDP flow, or the TCP
 * connection) and transaction id, as tshark does: a response gets
 * dns.response_to and dns.time; a query with the id of an unanswered one
 * less than 5 s old is a retransmission (dns.retransmit_request_in), a
 * second response to one query too (dns.retransmit_response_in), and a
 * response matching no query is unsolicited.  The state is a ring of the
 * latest transactions (4, growing to 64 while answers are outstanding)
 * hung on the flow (ns_flow.app) and freed with it; the queries a flow
 * never saw answered are counted when it ends (ns_engine.dns).  A query
 * learns the frame of its response (dns.response_in) only in two-pass
 * analysis (-2): in the first pass the response leaves a note on the
 * query's frame and layer (ns_engine_note()), which the second pass reads.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dissect.h"
#include "core/engine.h"
#include "flow/flow.h"
#include "flow/stream.h"

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
	F_COUNT
};

/* ---- value names ----------------------------------------------------------
 */

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

static const struct ns_valstr type_vals[] = {
    {1, "A"},	      {2, "NS"},      {3, "MD"},	  {4, "MF"},
    {5, "CNAME"},     {6, "SOA"},     {7, "MB"},	  {8, "MG"},
    {9, "MR"},	      {10, "NULL"},   {11, "WKS"},	  {12, "PTR"},
    {13, "HINFO"},    {14, "MINFO"},  {15, "MX"},	  {16, "TXT"},
    {17, "RP"},	      {18, "AFSDB"},  {19, "X25"},	  {20, "ISDN"},
    {21, "RT"},	      {22, "NSAP"},   {23, "NSAP-PTR"},	  {24, "SIG"},
    {25, "KEY"},      {26, "PX"},     {27, "GPOS"},	  {28, "AAAA"},
    {29, "LOC"},      {30, "NXT"},    {31, "EID"},	  {32, "NIMLOC"},
    {33, "SRV"},      {34, "ATMA"},   {35, "NAPTR"},	  {36, "KX"},
    {37, "CERT"},     {38, "A6"},     {39, "DNAME"},	  {40, "SINK"},
    {41, "OPT"},      {42, "APL"},    {43, "DS"},	  {44, "SSHFP"},
    {45, "IPSECKEY"}, {46, "RRSIG"},  {47, "NSEC"},	  {48, "DNSKEY"},
    {49, "DHCID"},    {50, "NSEC3"},  {51, "NSEC3PARAM"}, {52, "TLSA"},
    {53, "SMIMEA"},   {55, "HIP"},    {56, "NINFO"},	  {57, "RKEY"},
    {58, "TALINK"},   {59, "CDS"},    {60, "CDNSKEY"},	  {61, "OPENPGPKEY"},
    {62, "CSYNC"},    {63, "ZONEMD"}, {64, "SVCB"},	  {65, "HTTPS"},
    {99, "SPF"},      {100, "UINFO"}, {101, "UID"},	  {102, "GID"},
    {103, "UNSPEC"},  {104, "NID"},   {105, "L32"},	  {106, "L64"},
    {107, "LP"},      {108, "EUI48"}, {109, "EUI64"},	  {249, "TKEY"},
    {250, "TSIG"},    {251, "IXFR"},  {252, "AXFR"},	  {253, "MAILB"},
    {254, "MAILA"},   {255, "ANY"},   {256, "URI"},	  {257, "CAA"},
    {258, "AVC"},     {259, "DOA"},   {260, "AMTRELAY"},  {32768, "TA"},
    {32769, "DLV"},   {0, NULL},
};

static const struct ns_valstr class_vals[] = {
    {1, "IN"},	   {2, "CS"},	 {3, "CH"}, {4, "HS"},
    {254, "NONE"}, {255, "ANY"}, {0, NULL},
};

static const struct ns_valstr opcode_vals[] = {
    {0, "Standard query"},
    {1, "Inverse query"},
    {2, "Server status request"},
    {4, "Zone change notification"},
    {5, "Dynamic update"},
    {6, "DNS Stateful operations"},
    {0, NULL},
};

static const struct ns_valstr rcode_vals[] = {
    {0, "NOERROR"},  {1, "FORMERR"}, {2, "SERVFAIL"},  {3, "NXDOMAIN"},
    {4, "NOTIMP"},   {5, "REFUSED"}, {6, "YXDOMAIN"},  {7, "YXRRSET"},
    {8, "NXRRSET"},  {9, "NOTAUTH"}, {10, "NOTZONE"},  {11, "DSOTYPENI"},
    {16, "BADVERS"}, {17, "BADKEY"}, {18, "BADTIME"},  {19, "BADMODE"},
    {20, "BADNAME"}, {21, "BADALG"}, {22, "BADTRUNC"}, {23, "BADCOOKIE"},
    {0, NULL},
};

static const struct ns_valstr opt_vals[] = {
    {3, "NSID"},     {5, "DAU"},    {6, "DHU"},	     {7, "N3U"},
    {8, "CSUBNET"},  {9, "EXPIRE"}, {10, "COOKIE"},  {11, "KEEPALIVE"},
    {12, "PADDING"}, {13, "CHAIN"}, {14, "KEY-TAG"}, {15, "EDE"},
    {0, NULL},
};

static const struct ns_valstr svcb_key_vals[] = {
    {0, "mandatory"}, {1, "alpn"}, {2, "no-default-alpn"}, {3, "port"},
    {4, "ipv4hint"},  {5, "ech"},  {6, "ipv6hint"},	   {7, "dohpath"},
    {8, "ohttp"},     {0, NULL},
};

static const struct ns_valstr dnssec_alg_vals[] = {
    {1, "RSA/MD5"},
    {3, "DSA/SHA1"},
    {5, "RSA/SHA1"},
    {6, "DSA-NSEC3-SHA1"},
    {7, "RSASHA1-NSEC3-SHA1"},
    {8, "RSA/SHA-256"},
    {10, "RSA/SHA-512"},
    {12, "GOST R 34.10-2001"},
    {13, "ECDSA P-256/SHA-256"},
    {14, "ECDSA P-384/SHA-384"},
    {15, "Ed25519"},
    {16, "Ed448"},
    {0, NULL},
};

static const struct ns_valstr ds_digest_vals[] = {
    {1, "SHA-1"},   {2, "SHA-256"}, {3, "GOST R 34.11-94"},
    {4, "SHA-384"}, {0, NULL},
};

static const struct ns_valstr ede_vals[] = {
    {0, "Other Error"},
    {1, "Unsupported DNSKEY Algorithm"},
    {2, "Unsupported DS Digest Type"},
    {3, "Stale Answer"},
    {4, "Forged Answer"},
    {5, "DNSSEC Indeterminate"},
    {6, "DNSSEC Bogus"},
    {7, "Signature Expired"},
    {8, "Signature Not Yet Valid"},
    {9, "DNSKEY Missing"},
    {10, "RRSIGs Missing"},
    {11, "No Zone Key Bit Set"},
    {12, "NSEC Missing"},
    {13, "Cached Error"},
    {14, "Not Ready"},
    {15, "Blocked"},
    {16, "Censored"},
    {17, "Filtered"},
    {18, "Prohibited"},
    {19, "Stale NXDomain Answer"},
    {20, "Not Authoritative"},
    {21, "Not Supported"},
    {22, "No Reachable Authority"},
    {23, "Network Error"},
    {24, "Invalid Data"},
    {0, NULL},
};

static const struct ns_valstr family_vals[] = {
    {1, "IPv4"},
    {2, "IPv6"},
    {0, NULL},
};

#define F_TYPE(n, t)  NS_F_VALS(n, t, 16, NS_BASE_DEC, type_vals)
#define F_CLASS(n, t) NS_F_VALS(n, t, 16, NS_BASE_HEX, class_vals)

static struct ns_field fields[] = {
    [F_LENGTH] = NS_F_UINT("dns.length", "Length", 16),
    [F_ID] = NS_F_HEX("dns.id", "Transaction ID", 16),
    [F_FLAGS] = NS_F_HEX("dns.flags", "Flags", 16),
    [F_RESPONSE] = NS_F_BOOL("dns.flags.response", "Response"),
    [F_OPCODE] =
	NS_F_VALS("dns.flags.opcode", "Opcode", 16, NS_BASE_DEC, opcode_vals),
    [F_AUTHORITATIVE] = NS_F_BOOL("dns.flags.authoritative", "Authoritative"),
    [F_CONFLICT] = NS_F_BOOL("dns.flags.conflict", "Conflict"),
    [F_TRUNCATED] = NS_F_BOOL("dns.flags.truncated", "Truncated"),
    [F_RECDESIRED] = NS_F_BOOL("dns.flags.recdesired", "Recursion desired"),
    [F_TENTATIVE] = NS_F_BOOL("dns.flags.tentative", "Tentative"),
    [F_RECAVAIL] = NS_F_BOOL("dns.flags.recavail", "Recursion available"),
    [F_Z] = NS_F_BOOL("dns.flags.z", "Z"),
    [F_AUTHENTICATED] =
	NS_F_BOOL("dns.flags.authenticated", "Answer authenticated"),
    [F_CHECKDISABLE] =
	NS_F_BOOL("dns.flags.checkdisable", "Non-authenticated data"),
    [F_RCODE] =
	NS_F_VALS("dns.flags.rcode", "Reply code", 16, NS_BASE_DEC, rcode_vals),
    [F_COUNT_QUERIES] = NS_F_UINT("dns.count.queries", "Questions", 16),
    [F_COUNT_ANSWERS] = NS_F_UINT("dns.count.answers", "Answer RRs", 16),
    [F_COUNT_AUTH] = NS_F_UINT("dns.count.auth_rr", "Authority RRs", 16),
    [F_COUNT_ADD] = NS_F_UINT("dns.count.add_rr", "Additional RRs", 16),
    [F_RCODE_FULL] = NS_F_VALS("dns.rcode",
			       "Reply code with its EDNS "
			       "extension",
			       16, NS_BASE_DEC, rcode_vals),
    [F_COUNT_ZONES] = NS_F_UINT("dns.count.zones", "Zones", 16),
    [F_COUNT_PREREQ] =
	NS_F_UINT("dns.count.prerequisites", "Prerequisites", 16),
    [F_COUNT_UPDATES] = NS_F_UINT("dns.count.updates", "Updates", 16),
    [F_ZONE] = NS_F_NONE("dns.zone", "Zone"),
    [F_PREREQS] = NS_F_NONE("dns.prerequisites", "Prerequisites"),
    [F_UPDATES] = NS_F_NONE("dns.updates", "Updates"),
    [F_QUERIES] = NS_F_NONE("dns.queries", "Queries"),
    [F_ANSWERS] = NS_F_NONE("dns.answers", "Answers"),
    [F_AUTHORITIES] = NS_F_NONE("dns.authorities", "Authoritative nameservers"),
    [F_ADDITIONALS] = NS_F_NONE("dns.additionals", "Additional records"),
    [F_QRY_NAME] = NS_F_STR("dns.qry.name", "Name"),
    [F_QRY_NAME_LEN] = NS_F_UINT("dns.qry.name.len", "Name Length", 16),
    [F_COUNT_LABELS] = NS_F_UINT("dns.count.labels", "Label Count", 16),
    [F_QRY_TYPE] = F_TYPE("dns.qry.type", "Type"),
    [F_QRY_CLASS] = F_CLASS("dns.qry.class", "Class"),
    [F_QRY_QU] = NS_F_BOOL("dns.qry.qu", "\"QU\" question"),
    [F_RR] = NS_F_STR("dns.rr", "Record"),
    [F_RESP_NAME] = NS_F_STR("dns.resp.name", "Name"),
    [F_RESP_TYPE] = F_TYPE("dns.resp.type", "Type"),
    [F_RESP_CLASS] = F_CLASS("dns.resp.class", "Class"),
    [F_RESP_CACHE_FLUSH] = NS_F_BOOL("dns.resp.cache_flush", "Cache flush"),
    [F_RESP_TTL] = NS_F_UINT("dns.resp.ttl", "Time to live", 32),
    [F_RESP_LEN] = NS_F_UINT("dns.resp.len", "Data length", 16),
    [F_A] = NS_F_IPV4("dns.a", "Address"),
    [F_AAAA] = NS_F_IPV6("dns.aaaa", "AAAA Address"),
    [F_CNAME] = NS_F_STR("dns.cname", "CNAME"),
    [F_NS] = NS_F_STR("dns.ns", "Name Server"),
    [F_PTR] = NS_F_STR("dns.ptr.domain_name", "Domain Name"),
    [F_DNAME] = NS_F_STR("dns.dname", "Dname"),
    [F_MX_PREF] = NS_F_UINT("dns.mx.preference", "Preference", 16),
    [F_MX_EXCHANGE] = NS_F_STR("dns.mx.mail_exchange", "Mail Exchange"),
    [F_TXT_LEN] = NS_F_UINT("dns.txt.length", "TXT Length", 8),
    [F_TXT] = NS_F_STR("dns.txt", "TXT"),
    [F_SPF_LEN] = NS_F_UINT("dns.spf.length", "SPF Length", 8),
    [F_SPF] = NS_F_STR("dns.spf", "SPF"),
    [F_SOA_MNAME] = NS_F_STR("dns.soa.mname", "Primary name server"),
    [F_SOA_RNAME] =
	NS_F_STR("dns.soa.rname", "Responsible authority's mailbox"),
    [F_SOA_SERIAL] = NS_F_UINT("dns.soa.serial_number", "Serial Number", 32),
    [F_SOA_REFRESH] =
	NS_F_UINT("dns.soa.refresh_interval", "Refresh Interval", 32),
    [F_SOA_RETRY] = NS_F_UINT("dns.soa.retry_interval", "Retry Interval", 32),
    [F_SOA_EXPIRE] = NS_F_UINT("dns.soa.expire_limit", "Expire limit", 32),
    [F_SOA_MINIMUM] = NS_F_UINT("dns.soa.minimum_ttl", "Minimum TTL", 32),
    [F_SRV_SERVICE] = NS_F_STR("dns.srv.service", "Service"),
    [F_SRV_PROTO] = NS_F_STR("dns.srv.proto", "Protocol"),
    [F_SRV_NAME] = NS_F_STR("dns.srv.name", "Name"),
    [F_SRV_PRIORITY] = NS_F_UINT("dns.srv.priority", "Priority", 16),
    [F_SRV_WEIGHT] = NS_F_UINT("dns.srv.weight", "Weight", 16),
    [F_SRV_PORT] = NS_F_UINT("dns.srv.port", "Port", 16),
    [F_SRV_TARGET] = NS_F_STR("dns.srv.target", "Target"),
    [F_CAA_FLAGS] = NS_F_HEX("dns.caa.flags", "CAA Flags", 8),
    [F_CAA_CRITICAL] =
	NS_F_BOOL("dns.caa.flags.issuer_critical", "Issuer Critical"),
    [F_CAA_ISSUE] = NS_F_STR("dns.caa.issue", "Issue"),
    [F_CAA_ISSUEWILD] = NS_F_STR("dns.caa.issuewild", "Issue Wildcard"),
    [F_CAA_IODEF] = NS_F_STR("dns.caa.iodef", "Report URL"),
    [F_CAA_UNKNOWN] = NS_F_STR("dns.caa.unknown", "Unknown tag"),
    [F_CAA_TAG_LEN] = NS_F_UINT("dns.caa.tag_length", "Tag length", 8),
    [F_CAA_TAG] = NS_F_STR("dns.caa.tag", "Tag"),
    [F_CAA_VALUE] = NS_F_STR("dns.caa.value", "Value"),
    [F_NAPTR_ORDER] = NS_F_UINT("dns.naptr.order", "Order", 16),
    [F_NAPTR_PREF] = NS_F_UINT("dns.naptr.preference", "Preference", 16),
    [F_NAPTR_FLAGS_LEN] =
	NS_F_UINT("dns.naptr.flags_length", "Flags Length", 8),
    [F_NAPTR_FLAGS] = NS_F_STR("dns.naptr.flags", "Flags"),
    [F_NAPTR_SERVICE_LEN] =
	NS_F_UINT("dns.naptr.service_length", "Service Length", 8),
    [F_NAPTR_SERVICE] = NS_F_STR("dns.naptr.service", "Service"),
    [F_NAPTR_REGEX_LEN] =
	NS_F_UINT("dns.naptr.regex_length", "Regex Length", 8),
    [F_NAPTR_REGEX] = NS_F_STR("dns.naptr.regex", "Regex"),
    [F_NAPTR_REPL_LEN] =
	NS_F_UINT("dns.naptr.replacement_length", "Replacement Length", 8),
    [F_NAPTR_REPL] = NS_F_STR("dns.naptr.replacement", "Replacement"),
    [F_SVCB_PRIORITY] = NS_F_UINT("dns.svcb.svcpriority", "SvcPriority", 16),
    [F_SVCB_TARGET] = NS_F_STR("dns.svcb.targetname", "TargetName"),
    [F_SVCB_PARAM] = NS_F_NONE("dns.svcb.svcparam", "SvcParam"),
    [F_SVCB_KEY] = NS_F_VALS("dns.svcb.svcparam.key", "SvcParamKey", 16,
			     NS_BASE_DEC, svcb_key_vals),
    [F_SVCB_VLEN] =
	NS_F_UINT("dns.svcb.svcparam.value.length", "SvcParamValue length", 16),
    [F_SVCB_VALUE] = NS_F_BYTES("dns.svcb.svcparam.value", "SvcParamValue"),
    [F_SVCB_MANDATORY] =
	NS_F_VALS("dns.svcb.svcparam.mandatory.key", "Mandatory key", 16,
		  NS_BASE_DEC, svcb_key_vals),
    [F_SVCB_ALPN_LEN] =
	NS_F_UINT("dns.svcb.svcparam.alpn.length", "ALPN length", 8),
    [F_SVCB_ALPN] = NS_F_STR("dns.svcb.svcparam.alpn", "ALPN"),
    [F_SVCB_PORT] = NS_F_UINT("dns.svcb.svcparam.port", "Port", 16),
    [F_SVCB_IPV4] = NS_F_IPV4("dns.svcb.svcparam.ipv4hint.ip", "IP"),
    [F_SVCB_ECH] = NS_F_BYTES("dns.svcb.svcparam.echconfig", "ECHConfig"),
    [F_SVCB_IPV6] = NS_F_IPV6("dns.svcb.svcparam.ipv6hint.ip", "IP"),
    [F_OPT_UDP_SIZE] =
	NS_F_UINT("dns.rr.udp_payload_size", "UDP payload size", 16),
    [F_OPT_EXT_RCODE] =
	NS_F_HEX("dns.resp.ext_rcode", "Higher bits in extended RCODE", 8),
    [F_OPT_VERSION] = NS_F_UINT("dns.resp.edns0_version", "EDNS0 version", 8),
    [F_OPT_Z] = NS_F_HEX("dns.resp.z", "Z", 16),
    [F_OPT_Z_DO] = NS_F_BOOL("dns.resp.z.do", "DO bit"),
    [F_OPT_Z_RESERVED] = NS_F_HEX("dns.resp.z.reserved", "Reserved", 16),
    [F_OPT] = NS_F_NONE("dns.opt", "Option"),
    [F_OPT_CODE] =
	NS_F_VALS("dns.opt.code", "Option Code", 16, NS_BASE_DEC, opt_vals),
    [F_OPT_LEN] = NS_F_UINT("dns.opt.len", "Option Length", 16),
    [F_OPT_DATA] = NS_F_BYTES("dns.opt.data", "Option Data"),
    [F_OPT_CS_FAMILY] = NS_F_VALS("dns.opt.client.family", "Family", 16,
				  NS_BASE_DEC, family_vals),
    [F_OPT_CS_NETMASK] =
	NS_F_UINT("dns.opt.client.netmask", "Source Netmask", 8),
    [F_OPT_CS_SCOPE] = NS_F_UINT("dns.opt.client.scope", "Scope Netmask", 8),
    [F_OPT_CS_ADDR] = NS_F_BYTES("dns.opt.client.addr", "Client Subnet"),
    [F_OPT_CS_ADDR4] = NS_F_IPV4("dns.opt.client.addr4", "Client Subnet"),
    [F_OPT_CS_ADDR6] = NS_F_IPV6("dns.opt.client.addr6", "Client Subnet"),
    [F_OPT_COOKIE_CLIENT] =
	NS_F_BYTES("dns.opt.cookie.client", "Client Cookie"),
    [F_OPT_COOKIE_SERVER] =
	NS_F_BYTES("dns.opt.cookie.server", "Server Cookie"),
    [F_OPT_KEEPALIVE] =
	NS_F_UINT("dns.opt.edns_tcp_keepalive.timeout", "Timeout", 16),
    [F_OPT_PADDING] = NS_F_BYTES("dns.opt.padding", "Padding"),
    [F_OPT_EDE_CODE] = NS_F_VALS("dns.opt.ext_error.info_code", "Info Code", 16,
				 NS_BASE_DEC, ede_vals),
    [F_OPT_EDE_TEXT] = NS_F_STR("dns.opt.ext_error.extra_text", "Extra Text"),
    [F_DS_KEY_ID] = NS_F_UINT("dns.ds.key_id", "Key id", 16),
    [F_DS_ALGORITHM] = NS_F_VALS("dns.ds.algorithm", "Algorithm", 8,
				 NS_BASE_DEC, dnssec_alg_vals),
    [F_DS_DIGEST_TYPE] = NS_F_VALS("dns.ds.digest_type", "Digest Type", 8,
				   NS_BASE_DEC, ds_digest_vals),
    [F_DS_DIGEST] = NS_F_BYTES("dns.ds.digest", "Digest"),
    [F_DNSKEY_FLAGS] = NS_F_HEX("dns.dnskey.flags", "Flags", 16),
    [F_DNSKEY_ZONE] = NS_F_BOOL("dns.dnskey.flags.zone_key", "Zone Key"),
    [F_DNSKEY_REVOKED] =
	NS_F_BOOL("dns.dnskey.flags.key_revoked", "Key Revoked"),
    [F_DNSKEY_SEP] =
	NS_F_BOOL("dns.dnskey.flags.secure_entry_point", "Key Signing Key"),
    [F_DNSKEY_RESERVED] = NS_F_HEX("dns.dnskey.flags.reserved", "Reserved", 16),
    [F_DNSKEY_PROTOCOL] = NS_F_UINT("dns.dnskey.protocol", "Protocol", 8),
    [F_DNSKEY_ALGORITHM] = NS_F_VALS("dns.dnskey.algorithm", "Algorithm", 8,
				     NS_BASE_DEC, dnssec_alg_vals),
    [F_DNSKEY_KEY_ID] = NS_F_UINT("dns.dnskey.key_id", "Key id", 16),
    [F_DNSKEY_KEY] = NS_F_BYTES("dns.dnskey.public_key", "Public Key"),
    [F_RRSIG_TYPE] = F_TYPE("dns.rrsig.type_covered", "Type Covered"),
    [F_RRSIG_ALGORITHM] = NS_F_VALS("dns.rrsig.algorithm", "Algorithm", 8,
				    NS_BASE_DEC, dnssec_alg_vals),
    [F_RRSIG_LABELS] = NS_F_UINT("dns.rrsig.labels", "Labels", 8),
    [F_RRSIG_TTL] = NS_F_UINT("dns.rrsig.original_ttl", "Original TTL", 32),
    [F_RRSIG_EXPIRATION] =
	NS_F_ABSTIME("dns.rrsig.signature_expiration", "Signature Expiration"),
    [F_RRSIG_INCEPTION] =
	NS_F_ABSTIME("dns.rrsig.signature_inception", "Signature Inception"),
    [F_RRSIG_KEY_TAG] = NS_F_UINT("dns.rrsig.key_tag", "Key Tag", 16),
    [F_RRSIG_SIGNER] = NS_F_STR("dns.rrsig.signers_name", "Signer's name"),
    [F_RRSIG_SIGNATURE] = NS_F_BYTES("dns.rrsig.signature", "Signature"),
    [F_NSEC_NEXT] = NS_F_STR("dns.nsec.next_domain_name", "Next Domain Name"),
    [F_NSEC3_ALGO] = NS_F_UINT("dns.nsec3.algo", "Hash algorithm", 8),
    [F_NSEC3_FLAGS] = NS_F_UINT("dns.nsec3.flags", "NSEC3 flags", 8),
    [F_NSEC3_OPTOUT] =
	NS_F_BOOL("dns.nsec3.flags.opt_out", "NSEC3 Opt-out flag"),
    [F_NSEC3_ITERATIONS] =
	NS_F_UINT("dns.nsec3.iterations", "NSEC3 iterations", 16),
    [F_NSEC3_SALT_LEN] = NS_F_UINT("dns.nsec3.salt_length", "Salt length", 8),
    [F_NSEC3_SALT] = NS_F_BYTES("dns.nsec3.salt_value", "Salt value"),
    [F_NSEC3_HASH_LEN] = NS_F_UINT("dns.nsec3.hash_length", "Hash length", 8),
    [F_NSEC3_HASH] = NS_F_STR("dns.nsec3.hash_value", "Next hashed owner"),
    [F_DATA] = NS_F_BYTES("dns.data", "Data"),
    [F_GENERIC] = NS_F_STR("dns.rr.generic", "Data (RFC 3597)"),
    [F_RESPONSE_IN] = NS_F_UINT("dns.response_in", "Response In", 32),
    [F_RESPONSE_TO] = NS_F_UINT("dns.response_to", "Request In", 32),
    [F_TIME] = NS_F_RELTIME("dns.time", "Time"),
    [F_RETRANSMISSION] = NS_F_BOOL("dns.retransmission", "Retransmission"),
    [F_RETRANS_REQ_IN] =
	NS_F_UINT("dns.retransmit_request_in",
		  "Retransmitted request. Original request in", 32),
    [F_RETRANS_RESP_IN] =
	NS_F_UINT("dns.retransmit_response_in",
		  "Retransmitted response. Original response in", 32),
    [F_UNSOLICITED] = NS_F_BOOL("dns.unsolicited", "Unsolicited"),
};

/* ---- limits ---------------------------------------------------------------
 */

#define MAX_JUMPS 128 /* compression pointers followed per name */
/* pointers followed in one message, all names together: a message of
 * thousands of names each chaining 128 pointers would otherwise cost
 * seconds (each jump is checked against the name's earlier ones) */
#define MAX_MSG_JUMPS 16384
#define NAME_TEXT     1100  /* 255 wire bytes escaped (\DDD) fit */
#define RR_TEXT_MAX   65536 /* a record's summary (dns.rr) */
#define TXN_RING      64    /* transactions remembered per flow, at most */
#define TXN_FIRST     4	    /* ... and at first */
#define RETRANS_NS    (5 * 1000000000LL) /* tshark's retransmission timer */

enum { SEC_QD, SEC_AN, SEC_NS, SEC_AR };

/* ---- the message being dissected ------------------------------------------
 */

struct msg {
	struct ns_packet *pkt;
	const uint8_t *base; /* reader base: field offsets count from it */
	const uint8_t *m;    /* first byte of the DNS header */
	size_t len;	     /* bytes of the message we have */
	uint32_t moff;	     /* m - base */
	int mdns, llmnr;
	int stream; /* a complete message from a TCP stream */
	int opt_seen;
	unsigned ext_rcode;
	char soft[200];	  /* first problem that did not stop dissection */
	unsigned jumps;	  /* compression pointers followed so far */
	struct ns_buf rr; /* dns.rr text being built (the packet's scratch) */
	const struct ns_dctx *cx;
};

/* "truncated" when the capture cut the packet, "malformed: why" otherwise */
static int bad(struct msg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int bad(struct msg *m, const char *fmt, ...)
{
	/* a capture cut short, or a message quoted in an ICMP error (cut
	 * by design) */
	if (!m->stream && (m->pkt->caplen < m->pkt->len || m->pkt->quoted))
		return NS_ETRUNC;
	char tmp[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return ns_malformed(m->pkt, "%s", tmp);
}

static const char *type_name(unsigned t, char tmp[16])
{
	const char *s = ns_valstr_find(type_vals, t);
	if (s)
		return s;
	snprintf(tmp, 16, "TYPE%u", t);
	return tmp;
}

/* ---- names ----------------------------------------------------------------
 */

struct name {
	char text[NAME_TEXT];
	size_t n; /* bytes of text */
	unsigned labels;
	uint32_t used;	 /* bytes the name takes where it is written */
	const char *err; /* NULL, or why the name is bad */
	int hard;	 /* err: the name runs past the message (its extent
			    is unknown), not just a bad name */
};

static void name_set(struct name *nm, const char *s)
{
	nm->n = strlen(s);
	memcpy(nm->text, s, nm->n);
}

/*
 * Reads the name at message offset `off`.  The text keeps the label bytes
 * as they are (the output escapes what is not printable), labels joined by
 * dots; the root is "<Root>".  As tshark does, a name that loops, is too
 * long or has a label type we do not know gets a placeholder text and a
 * known extent (soft errors: the message goes on); one that runs past the
 * end of the message, or has a label type that is not in use, is a hard
 * error: nothing after it can be trusted.
 */
static void read_name(struct msg *m, size_t off, struct name *nm)
{
	nm->n = 0;
	nm->labels = 0;
	nm->used = 0;
	nm->err = NULL;
	nm->hard = 0;
	size_t p = off, end = m->len;
	int jumped = 0, too_long = 0;
	unsigned jumps = 0, wire = 1;
	uint16_t seen[MAX_JUMPS]; /* pointer targets followed */
	for (;;) {
		if (p >= end) {
			nm->err = jumped ? "pointer past the end"
					 : "name past the end";
			nm->hard = 1;
			break;
		}
		uint8_t c = m->m[p];
		if (c == 0) {
			if (!jumped)
				nm->used = (uint32_t)(p + 1 - off);
			break;
		}
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= end) {
				nm->err = "name past the end";
				nm->hard = 1;
				break;
			}
			size_t to = (size_t)(c & 0x3f) << 8 | m->m[p + 1];
			if (!jumped)
				nm->used = (uint32_t)(p + 2 - off);
			jumped = 1;
			int loop = 0;
			for (unsigned k = 0; k < jumps && !loop; k++)
				loop = seen[k] == to;
			if (m->jumps == MAX_MSG_JUMPS) {
				nm->err =
				    "more than 16384 compression pointers "
				    "in the message";
				name_set(
				    nm, "<Name contains a pointer that loops>");
				return;
			}
			m->jumps++;
			if (loop || jumps == MAX_JUMPS) {
				nm->err =
				    loop ? "compression loop"
					 : "more than 128 compression pointers";
				name_set(
				    nm, "<Name contains a pointer that loops>");
				return;
			}
			seen[jumps++] = (uint16_t)to;
			p = to;
			continue;
		}
		if (c & 0xc0) {
			/* 0x40 (RFC 6891's extended labels, none in use) and
			 * 0x80: the name's extent is unknown, so is the rest */
			nm->err = "bad label type";
			nm->hard = 1;
			return;
		}
		if (p + 1 + c > end) {
			nm->err = "label past the end";
			nm->hard = 1;
			break;
		}
		wire += c + 1u;
		if (wire > 255) {
			too_long = 1;
			/* past a pointer the name's extent is known: reading
			 * on would only cost time (names pointing into one
			 * long label chain would each walk all of it) */
			if (jumped)
				break;
		}
		if (!too_long) {
			if (nm->labels)
				nm->text[nm->n++] = '.';
			memcpy(nm->text + nm->n, m->m + p + 1, c);
			nm->n += c;
		}
		nm->labels++;
		p += 1 + (size_t)c;
	}
	if (nm->err)
		return;
	if (too_long) {
		nm->err = "name longer than 255 bytes";
		name_set(nm, "<Name too long>");
		nm->labels = 1;
	} else if (nm->n == 0) {
		name_set(nm, "<Root>");
	}
}

/* Copies the name into the arena and records it as field f. */
static const uint8_t *add_name(struct msg *m, int f, size_t off,
			       const struct name *nm)
{
	uint8_t *s = ns_arena_alloc(&m->pkt->arena, nm->n ? nm->n : 1);
	if (!s)
		return NULL;
	memcpy(s, nm->text, nm->n);
	ns_add_bytes(m->pkt, &fields[f], m->moff + (uint32_t)off, nm->used, s,
		     (uint32_t)nm->n);
	return s;
}

/* Remembers the first problem that does not stop the dissection. */
static void soft(struct msg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void soft(struct msg *m, const char *fmt, ...)
{
	if (m->soft[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->soft, sizeof(m->soft), fmt, ap);
	va_end(ap);
}

/* Reads a name inside record data at the reader, records it as field f
 * and advances past it.  A name that runs past its record (tshark reads
 * it from the message all the same) leaves the reader at the record's end
 * with a soft error.  0, or an error code for a name past the message. */
static int get_name(struct msg *m, struct ns_reader *r, int f, struct name *nm,
		    const char *what)
{
	size_t off = ns_rd_off(r) - m->moff;
	read_name(m, off, nm);
	if (nm->hard)
		return bad(m, "%s: %s", what, nm->err);
	if (f >= 0)
		add_name(m, f, off, nm);
	if (nm->err)
		soft(m, "%s: %s", what, nm->err);
	if (nm->used > ns_rd_left(r)) {
		soft(m, "%s past the end of its record", what);
		r->p = r->end;
		r->err = NS_ETRUNC;
	} else {
		ns_rd_skip(r, nm->used);
	}
	return 0;
}

/* ---- the record summary (dns.rr) -------------------------------------------
 */

static void rr_puts(struct msg *m, const char *s)
{
	if (m->rr.len < RR_TEXT_MAX)
		ns_buf_puts(&m->rr, s);
}

static void rr_name(struct msg *m, const struct name *nm)
{
	if (m->rr.len < RR_TEXT_MAX)
		ns_buf_put(&m->rr, nm->text, nm->n);
}

static void rr_printf(struct msg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void rr_printf(struct msg *m, const char *fmt, ...)
{
	if (m->rr.len >= RR_TEXT_MAX)
		return;
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	ns_buf_puts(&m->rr, tmp);
}

static void rr_hex(struct msg *m, const uint8_t *p, size_t n)
{
	if (m->rr.len < RR_TEXT_MAX)
		ns_buf_hexbytes(&m->rr, p, n, 0);
}

/* A character-string in master-file form: quoted, \" \\ and \DDD. */
static void rr_qstring(struct msg *m, const uint8_t *p, size_t n)
{
	if (m->rr.len >= RR_TEXT_MAX)
		return;
	ns_buf_putc(&m->rr, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '"' || c == '\\') {
			ns_buf_putc(&m->rr, '\\');
			ns_buf_putc(&m->rr, (char)c);
		} else if (c >= 0x20 && c < 0x7f) {
			ns_buf_putc(&m->rr, (char)c);
		} else {
			ns_buf_printf(&m->rr, "\\%03u", c);
		}
	}
	ns_buf_putc(&m->rr, '"');
}

/* ---- record data ------------------------------------------------------------
 */

/* A <character-string>: length byte then text, as field lf (length) and
 * f (text).  Returns the text, NULL on overrun. */
static const uint8_t *get_cstring(struct msg *m, struct ns_reader *r, int lf,
				  int f, uint8_t *n)
{
	uint32_t off = ns_rd_off(r);
	uint8_t len = ns_rd_u8(r);
	const uint8_t *p = ns_rd_ptr(r, len);
	if (!p) {
		r->err = NS_ETRUNC;
		return NULL;
	}
	if (lf >= 0)
		ns_add_uint(m->pkt, &fields[lf], off, 1, len);
	if (f >= 0)
		ns_add_bytes(m->pkt, &fields[f], off + 1, len, p, len);
	*n = len;
	return p;
}

static unsigned key_tag(const uint8_t *p, size_t n, unsigned alg)
{
	if (alg == 1) /* RSA/MD5: the low 16 bits of the modulus */
		return n >= 4 ? (unsigned)(p[n - 3] << 8 | p[n - 2]) : 0;
	uint32_t ac = 0;
	for (size_t i = 0; i < n; i++)
		ac += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return ac & 0xffff;
}

static void base32hex(const uint8_t *p, size_t n, char *out, size_t *outn)
{
	static const char al[] = "0123456789abcdefghijklmnopqrstuv";
	size_t k = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | p[i];
		bits += 8;
		while (bits >= 5) {
			out[k++] = al[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits)
		out[k++] = al[(acc << (5 - bits)) & 31];
	*outn = k;
}

static void type_bitmap(struct msg *m, struct ns_reader *r)
{
	while (ns_rd_left(r) >= 2) {
		uint32_t off = ns_rd_off(r);
		unsigned win = ns_rd_u8(r);
		unsigned len = ns_rd_u8(r);
		const uint8_t *bm = ns_rd_ptr(r, len);
		if (!bm || len == 0 || len > 32) {
			r->err = NS_ETRUNC;
			return;
		}
		for (unsigned i = 0; i < len; i++)
			for (unsigned b = 0; b < 8; b++) {
				if (!(bm[i] & (0x80 >> b)))
					continue;
				unsigned t = win * 256 + i * 8 + b;
				char tmp[16];
				/* tshark lists them as dns.resp.type */
				ns_add_uint(m->pkt, &fields[F_RESP_TYPE],
					    off + 2 + i, 1, t);
				rr_puts(m, " ");
				rr_puts(m, type_name(t, tmp));
			}
	}
	if (ns_rd_left(r))
		r->err = NS_ETRUNC;
}

static int rdata_svcb(struct msg *m, struct ns_reader *r)
{
	struct ns_packet *pkt = m->pkt;
	struct name nm;
	unsigned prio = ns_get_u16(pkt, r, &fields[F_SVCB_PRIORITY]);
	int rc = get_name(m, r, F_SVCB_TARGET, &nm, "SVCB target");
	if (rc)
		return rc;
	rr_printf(m, "%u ", prio);
	if (nm.n == 6 && memcmp(nm.text, "<Root>", 6) == 0)
		rr_puts(m, ".");
	else
		rr_name(m, &nm);
	while (ns_rd_left(r) && !r->err) {
		uint32_t poff = ns_rd_off(r);
		ns_add_label(pkt, &fields[F_SVCB_PARAM], poff, 0);
		size_t lab = pkt->nfv - 1;
		ns_tree_push(pkt);
		unsigned key = ns_get_u16(pkt, r, &fields[F_SVCB_KEY]);
		unsigned vlen = ns_get_u16(pkt, r, &fields[F_SVCB_VLEN]);
		struct ns_reader v = ns_rd_sub(r, vlen);
		if (r->err) {
			ns_tree_pop(pkt);
			return bad(m, "SvcParam past the end of the record");
		}
		if (lab < pkt->nfv && pkt->fv[lab].f == &fields[F_SVCB_PARAM])
			pkt->fv[lab].len = 4 + vlen;
		const char *kn = ns_valstr_find(svcb_key_vals, key);
		if (kn)
			rr_printf(m, " %s", kn);
		else
			rr_printf(m, " key%u", key);
		switch (key) {
		case 0: /* mandatory */
			rr_puts(m, "=");
			for (int i = 0; ns_rd_left(&v) >= 2; i++) {
				unsigned k = ns_get_u16(
				    pkt, &v, &fields[F_SVCB_MANDATORY]);
				const char *n =
				    ns_valstr_find(svcb_key_vals, k);
				if (i)
					rr_puts(m, ",");
				if (n)
					rr_puts(m, n);
				else
					rr_printf(m, "key%u", k);
			}
			break;
		case 1: /* alpn */
			rr_puts(m, "=");
			for (int i = 0; ns_rd_left(&v) && !v.err; i++) {
				uint8_t n;
				const uint8_t *s = get_cstring(
				    m, &v, F_SVCB_ALPN_LEN, F_SVCB_ALPN, &n);
				if (!s)
					break;
				if (i)
					rr_puts(m, ",");
				if (m->rr.len < RR_TEXT_MAX)
					ns_buf_escaped(&m->rr, s, n);
			}
			break;
		case 3: /* port */
			rr_printf(m, "=%u",
				  ns_get_u16(pkt, &v, &fields[F_SVCB_PORT]));
			break;
		case 4: /* ipv4hint */
			rr_puts(m, "=");
			for (int i = 0; ns_rd_left(&v) >= 4; i++) {
				const uint8_t *a = ns_get_bytes(
				    pkt, &v, &fields[F_SVCB_IPV4], 4);
				if (i)
					rr_puts(m, ",");
				if (m->rr.len < RR_TEXT_MAX)
					ns_buf_ipv4(&m->rr, a);
			}
			break;
		case 5: { /* ech */
			size_t n = ns_rd_left(&v);
			const uint8_t *p = ns_get_bytes(
			    pkt, &v, &fields[F_SVCB_ECH], (uint32_t)n);
			rr_puts(m, "=");
			if (p)
				rr_hex(m, p, n);
			break;
		}
		case 6: /* ipv6hint */
			rr_puts(m, "=");
			for (int i = 0; ns_rd_left(&v) >= 16; i++) {
				const uint8_t *a = ns_get_bytes(
				    pkt, &v, &fields[F_SVCB_IPV6], 16);
				if (i)
					rr_puts(m, ",");
				if (m->rr.len < RR_TEXT_MAX)
					ns_buf_ipv6(&m->rr, a);
			}
			break;
		case 2: /* no-default-alpn: no value */
			break;
		default: {
			size_t n = ns_rd_left(&v);
			if (n) {
				const uint8_t *p =
				    ns_get_bytes(pkt, &v, &fields[F_SVCB_VALUE],
						 (uint32_t)n);
				rr_puts(m, "=");
				if (p)
					rr_qstring(m, p, n);
			}
		}
		}
		ns_tree_pop(pkt);
		if (v.err || ns_rd_left(&v))
			return bad(m, "bad SvcParam %u value", key);
	}
	return 0;
}

static int rdata_opt(struct msg *m, struct ns_reader *r)
{
	struct ns_packet *pkt = m->pkt;
	while (ns_rd_left(r) && !r->err) {
		uint32_t ooff = ns_rd_off(r);
		ns_add_label(pkt, &fields[F_OPT], ooff, 0);
		size_t lab = pkt->nfv - 1;
		ns_tree_push(pkt);
		unsigned code = ns_get_u16(pkt, r, &fields[F_OPT_CODE]);
		unsigned len = ns_get_u16(pkt, r, &fields[F_OPT_LEN]);
		uint32_t doff = ns_rd_off(r);
		struct ns_reader v = ns_rd_sub(r, len);
		if (r->err) {
			ns_tree_pop(pkt);
			return bad(m, "EDNS option past the end of OPT");
		}
		if (lab < pkt->nfv && pkt->fv[lab].f == &fields[F_OPT])
			pkt->fv[lab].len = 4 + len;
		if (len)
			ns_add_bytes(pkt, &fields[F_OPT_DATA], doff, len, v.p,
				     len);
		const char *on = ns_valstr_find(opt_vals, code);
		if (on)
			rr_printf(m, " %s", on);
		else
			rr_printf(m, " OPT%u", code);
		switch (code) {
		case 8: { /* client subnet (RFC 7871) */
			unsigned fam =
			    ns_get_u16(pkt, &v, &fields[F_OPT_CS_FAMILY]);
			unsigned src =
			    ns_get_u8(pkt, &v, &fields[F_OPT_CS_NETMASK]);
			unsigned scope =
			    ns_get_u8(pkt, &v, &fields[F_OPT_CS_SCOPE]);
			if (v.err)
				break;
			size_t n = ns_rd_left(&v);
			uint32_t aoff = ns_rd_off(&v);
			const uint8_t *a = ns_rd_ptr(&v, n);
			size_t alen = fam == 1 ? 4 : fam == 2 ? 16 : 0;
			if (alen && n <= alen) {
				uint8_t addr[16] = {0};
				memcpy(addr, a, n);
				uint8_t *c = ns_arena_alloc(&pkt->arena, alen);
				if (c) {
					memcpy(c, addr, alen);
					ns_add_bytes(
					    pkt,
					    &fields[fam == 1 ? F_OPT_CS_ADDR4
							     : F_OPT_CS_ADDR6],
					    aoff, (uint32_t)n, c,
					    (uint32_t)alen);
				}
				rr_puts(m, "=");
				if (m->rr.len < RR_TEXT_MAX) {
					if (fam == 1)
						ns_buf_ipv4(&m->rr, addr);
					else
						ns_buf_ipv6(&m->rr, addr);
				}
				rr_printf(m, "/%u/%u", src, scope);
			} else if (n) {
				ns_add_bytes(pkt, &fields[F_OPT_CS_ADDR], aoff,
					     (uint32_t)n, a, (uint32_t)n);
			}
			break;
		}
		case 10: { /* cookie (RFC 7873) */
			size_t n = ns_rd_left(&v);
			const uint8_t *c =
			    ns_get_bytes(pkt, &v, &fields[F_OPT_COOKIE_CLIENT],
					 n < 8 ? (uint32_t)n : 8);
			if (c) {
				rr_puts(m, "=");
				rr_hex(m, c, n < 8 ? n : 8);
			}
			n = ns_rd_left(&v);
			if (n) {
				const uint8_t *s = ns_get_bytes(
				    pkt, &v, &fields[F_OPT_COOKIE_SERVER],
				    (uint32_t)n);
				rr_puts(m, "/");
				if (s)
					rr_hex(m, s, n);
			}
			break;
		}
		case 11: /* TCP keepalive (RFC 7828) */
			if (ns_rd_left(&v) >= 2)
				rr_printf(m, "=%u",
					  ns_get_u16(pkt, &v,
						     &fields[F_OPT_KEEPALIVE]));
			break;
		case 12: { /* padding (RFC 7830) */
			size_t n = ns_rd_left(&v);
			if (n)
				ns_get_bytes(pkt, &v, &fields[F_OPT_PADDING],
					     (uint32_t)n);
			rr_printf(m, "=%zu", n);
			break;
		}
		case 15: { /* extended DNS error (RFC 8914) */
			unsigned ic =
			    ns_get_u16(pkt, &v, &fields[F_OPT_EDE_CODE]);
			if (v.err)
				break;
			rr_printf(m, "=%u", ic);
			size_t n = ns_rd_left(&v);
			if (n) {
				const uint8_t *t = ns_get_bytes(
				    pkt, &v, &fields[F_OPT_EDE_TEXT],
				    (uint32_t)n);
				rr_puts(m, " ");
				if (t)
					rr_qstring(m, t, n);
			}
			break;
		}
		default:
			break;
		}
		ns_tree_pop(pkt);
	}
	return 0;
}

/* The data of one record of type `type`, in the rdlength-limited reader. */
static int rdata(struct msg *m, struct ns_reader *r, unsigned type)
{
	struct ns_packet *pkt = m->pkt;
	struct name nm;
	int rc = 0;
	size_t rdlen = ns_rd_left(r);
	char tmp[16];
	switch (type) {
	case T_A:
		if (rdlen >= 4)
			ns_buf_ipv4(&m->rr,
				    ns_get_bytes(pkt, r, &fields[F_A], 4));
		else
			r->err = NS_ETRUNC;
		break;
	case T_AAAA:
		if (rdlen >= 16)
			ns_buf_ipv6(&m->rr,
				    ns_get_bytes(pkt, r, &fields[F_AAAA], 16));
		else
			r->err = NS_ETRUNC;
		break;
	case T_NS:
	case T_CNAME:
	case T_PTR:
	case T_DNAME: {
		int f = type == T_NS	  ? F_NS
			: type == T_CNAME ? F_CNAME
			: type == T_PTR	  ? F_PTR
					  : F_DNAME;
		rc = get_name(m, r, f, &nm, type_name(type, tmp));
		rr_name(m, &nm);
		break;
	}
	case T_MX:
		rr_printf(m, "%u ", ns_get_u16(pkt, r, &fields[F_MX_PREF]));
		rc = get_name(m, r, F_MX_EXCHANGE, &nm, "MX exchange");
		rr_name(m, &nm);
		break;
	case T_TXT:
	case T_SPF:
		for (int i = 0; ns_rd_left(r) && !r->err; i++) {
			uint8_t n;
			const uint8_t *s =
			    type == T_TXT
				? get_cstring(m, r, F_TXT_LEN, F_TXT, &n)
				: get_cstring(m, r, F_SPF_LEN, F_SPF, &n);
			if (!s)
				break;
			if (i)
				rr_puts(m, " ");
			rr_qstring(m, s, n);
		}
		break;
	case T_SOA: {
		struct name nm2;
		rc = get_name(m, r, F_SOA_MNAME, &nm, "SOA mname");
		rr_name(m, &nm);
		if (rc)
			return rc;
		rc = get_name(m, r, F_SOA_RNAME, &nm2, "SOA rname");
		rr_puts(m, " ");
		rr_name(m, &nm2);
		if (rc)
			return rc;
		uint32_t v[5];
		v[0] = ns_get_u32(pkt, r, &fields[F_SOA_SERIAL]);
		v[1] = ns_get_u32(pkt, r, &fields[F_SOA_REFRESH]);
		v[2] = ns_get_u32(pkt, r, &fields[F_SOA_RETRY]);
		v[3] = ns_get_u32(pkt, r, &fields[F_SOA_EXPIRE]);
		v[4] = ns_get_u32(pkt, r, &fields[F_SOA_MINIMUM]);
		rr_printf(m, " %u %u %u %u %u", v[0], v[1], v[2], v[3], v[4]);
		break;
	}
	case T_SRV: {
		unsigned pr = ns_get_u16(pkt, r, &fields[F_SRV_PRIORITY]);
		unsigned w = ns_get_u16(pkt, r, &fields[F_SRV_WEIGHT]);
		unsigned port = ns_get_u16(pkt, r, &fields[F_SRV_PORT]);
		if (r->err)
			break;
		rr_printf(m, "%u %u %u ", pr, w, port);
		rc = get_name(m, r, F_SRV_TARGET, &nm, "SRV target");
		rr_name(m, &nm);
		break;
	}
	case T_CAA: {
		uint32_t off = ns_rd_off(r);
		unsigned fl = ns_get_u8(pkt, r, &fields[F_CAA_FLAGS]);
		ns_tree_push(pkt);
		ns_add_uint(pkt, &fields[F_CAA_CRITICAL], off, 1,
			    (fl & 0x80) != 0);
		ns_tree_pop(pkt);
		uint8_t tl;
		const uint8_t *tag = get_cstring(m, r, -1, -1, &tl);
		if (!tag)
			break;
		size_t vl = ns_rd_left(r);
		uint32_t voff = ns_rd_off(r);
		const uint8_t *val = ns_rd_ptr(r, vl);
		int f = tl == 5 && memcmp(tag, "issue", 5) == 0 ? F_CAA_ISSUE
			: tl == 9 && memcmp(tag, "issuewild", 9) == 0
			    ? F_CAA_ISSUEWILD
			: tl == 5 && memcmp(tag, "iodef", 5) == 0
			    ? F_CAA_IODEF
			    : F_CAA_UNKNOWN;
		ns_add_bytes(pkt, &fields[f], off + 1, (uint32_t)(1 + tl + vl),
			     val, (uint32_t)vl);
		ns_tree_push(pkt);
		ns_add_uint(pkt, &fields[F_CAA_TAG_LEN], off + 1, 1, tl);
		ns_add_bytes(pkt, &fields[F_CAA_TAG], off + 2, tl, tag, tl);
		ns_add_bytes(pkt, &fields[F_CAA_VALUE], voff, (uint32_t)vl, val,
			     (uint32_t)vl);
		ns_tree_pop(pkt);
		rr_printf(m, "%u ", fl);
		if (m->rr.len < RR_TEXT_MAX)
			ns_buf_escaped(&m->rr, tag, tl);
		rr_puts(m, " ");
		rr_qstring(m, val, vl);
		break;
	}
	case T_NAPTR: {
		unsigned o = ns_get_u16(pkt, r, &fields[F_NAPTR_ORDER]);
		unsigned p = ns_get_u16(pkt, r, &fields[F_NAPTR_PREF]);
		rr_printf(m, "%u %u", o, p);
		static const int lf[3] = {
		    F_NAPTR_FLAGS_LEN, F_NAPTR_SERVICE_LEN, F_NAPTR_REGEX_LEN};
		static const int sf[3] = {F_NAPTR_FLAGS, F_NAPTR_SERVICE,
					  F_NAPTR_REGEX};
		for (int i = 0; i < 3 && !r->err; i++) {
			uint8_t n;
			const uint8_t *s = get_cstring(m, r, lf[i], sf[i], &n);
			if (!s)
				break;
			rr_puts(m, " ");
			rr_qstring(m, s, n);
		}
		if (r->err)
			break;
		uint32_t off = ns_rd_off(r);
		rc = get_name(m, r, F_NAPTR_REPL, &nm, "NAPTR replacement");
		ns_add_uint(pkt, &fields[F_NAPTR_REPL_LEN], off, 0, nm.n);
		rr_puts(m, " ");
		if (nm.n == 6 && memcmp(nm.text, "<Root>", 6) == 0)
			rr_puts(m, ".");
		else
			rr_name(m, &nm);
		break;
	}
	case T_SVCB:
	case T_HTTPS:
		rc = rdata_svcb(m, r);
		break;
	case T_OPT:
		rc = rdata_opt(m, r);
		break;
	case T_DS:
	case T_CDS: {
		unsigned kt = ns_get_u16(pkt, r, &fields[F_DS_KEY_ID]);
		unsigned al = ns_get_u8(pkt, r, &fields[F_DS_ALGORITHM]);
		unsigned dt = ns_get_u8(pkt, r, &fields[F_DS_DIGEST_TYPE]);
		if (r->err)
			break;
		size_t n = ns_rd_left(r);
		const uint8_t *d =
		    ns_get_bytes(pkt, r, &fields[F_DS_DIGEST], (uint32_t)n);
		rr_printf(m, "%u %u %u ", kt, al, dt);
		if (d)
			rr_hex(m, d, n);
		break;
	}
	case T_DNSKEY:
	case T_CDNSKEY: {
		const uint8_t *all = r->p;
		uint32_t off = ns_rd_off(r);
		unsigned fl = ns_get_u16(pkt, r, &fields[F_DNSKEY_FLAGS]);
		ns_tree_push(pkt);
		ns_add_uint(pkt, &fields[F_DNSKEY_ZONE], off, 2,
			    (fl & 0x0100) != 0);
		ns_add_uint(pkt, &fields[F_DNSKEY_REVOKED], off, 2,
			    (fl & 0x0080) != 0);
		ns_add_uint(pkt, &fields[F_DNSKEY_SEP], off, 2,
			    (fl & 0x0001) != 0);
		ns_add_uint(pkt, &fields[F_DNSKEY_RESERVED], off, 2,
			    fl & 0xfe7e);
		ns_tree_pop(pkt);
		unsigned pr = ns_get_u8(pkt, r, &fields[F_DNSKEY_PROTOCOL]);
		unsigned al = ns_get_u8(pkt, r, &fields[F_DNSKEY_ALGORITHM]);
		if (r->err)
			break;
		unsigned tag = key_tag(all, rdlen, al);
		ns_add_uint(pkt, &fields[F_DNSKEY_KEY_ID], off, (uint32_t)rdlen,
			    tag);
		size_t n = ns_rd_left(r);
		if (n)
			ns_get_bytes(pkt, r, &fields[F_DNSKEY_KEY],
				     (uint32_t)n);
		rr_printf(m, "%u %u %u (key id %u, %zu-byte key)", fl, pr, al,
			  tag, n);
		break;
	}
	case T_RRSIG: {
		unsigned tc = ns_get_u16(pkt, r, &fields[F_RRSIG_TYPE]);
		unsigned al = ns_get_u8(pkt, r, &fields[F_RRSIG_ALGORITHM]);
		unsigned lb = ns_get_u8(pkt, r, &fields[F_RRSIG_LABELS]);
		unsigned ttl = ns_get_u32(pkt, r, &fields[F_RRSIG_TTL]);
		uint32_t off = ns_rd_off(r);
		uint32_t exp = ns_rd_u32(r);
		uint32_t inc = ns_rd_u32(r);
		if (r->err)
			break;
		ns_add_int(pkt, &fields[F_RRSIG_EXPIRATION], off, 4,
			   (int64_t)exp * 1000000000);
		ns_add_int(pkt, &fields[F_RRSIG_INCEPTION], off + 4, 4,
			   (int64_t)inc * 1000000000);
		unsigned kt = ns_get_u16(pkt, r, &fields[F_RRSIG_KEY_TAG]);
		if (r->err)
			break;
		rc = get_name(m, r, F_RRSIG_SIGNER, &nm, "RRSIG signer");
		rr_printf(m, "%s %u %u %u %u %u %u ", type_name(tc, tmp), al,
			  lb, ttl, exp, inc, kt);
		rr_name(m, &nm);
		if (rc)
			return rc;
		size_t n = ns_rd_left(r);
		if (n)
			ns_get_bytes(pkt, r, &fields[F_RRSIG_SIGNATURE],
				     (uint32_t)n);
		break;
	}
	case T_NSEC:
		rc = get_name(m, r, F_NSEC_NEXT, &nm, "NSEC next name");
		rr_name(m, &nm);
		if (rc)
			return rc;
		type_bitmap(m, r);
		break;
	case T_NSEC3:
	case T_NSEC3PARAM: {
		unsigned al = ns_get_u8(pkt, r, &fields[F_NSEC3_ALGO]);
		uint32_t off = ns_rd_off(r);
		unsigned fl = ns_get_u8(pkt, r, &fields[F_NSEC3_FLAGS]);
		ns_tree_push(pkt);
		ns_add_uint(pkt, &fields[F_NSEC3_OPTOUT], off, 1, fl & 1);
		ns_tree_pop(pkt);
		unsigned it = ns_get_u16(pkt, r, &fields[F_NSEC3_ITERATIONS]);
		uint8_t sl;
		const uint8_t *salt =
		    get_cstring(m, r, F_NSEC3_SALT_LEN, -1, &sl);
		if (!salt)
			break;
		if (sl)
			ns_add_bytes(pkt, &fields[F_NSEC3_SALT],
				     ns_rd_off(r) - sl, sl, salt, sl);
		rr_printf(m, "%u %u %u ", al, fl, it);
		if (sl)
			rr_hex(m, salt, sl);
		else
			rr_puts(m, "-");
		if (type == T_NSEC3PARAM)
			break;
		uint32_t hoff = ns_rd_off(r);
		uint8_t hl = ns_get_u8(pkt, r, &fields[F_NSEC3_HASH_LEN]);
		const uint8_t *h = ns_rd_ptr(r, hl);
		if (!h)
			break;
		char *b32 = ns_arena_alloc(&pkt->arena, (size_t)hl * 8 / 5 + 2);
		if (b32) {
			size_t bn;
			base32hex(h, hl, b32, &bn);
			ns_add_bytes(pkt, &fields[F_NSEC3_HASH], hoff + 1, hl,
				     (const uint8_t *)b32, (uint32_t)bn);
			rr_puts(m, " ");
			if (m->rr.len < RR_TEXT_MAX)
				ns_buf_put(&m->rr, b32, bn);
		}
		type_bitmap(m, r);
		break;
	}
	default:
		break;
	}
	if (rc)
		return rc;
	/* data that does not fit its type's layout: shown as far as it goes,
	 * the message goes on with the next record (as in tshark) */
	if (r->err) {
		soft(m, "%s record: data shorter than its layout (%zu bytes)",
		     type_name(type, tmp), rdlen);
		/* the summary falls back to RFC 3597's form */
		m->rr.len = 0;
		rr_printf(m, "%s \\# %zu", type_name(type, tmp), rdlen);
		if (rdlen) {
			rr_puts(m, " ");
			rr_hex(m, r->end - rdlen, rdlen);
		}
	} else if (ns_rd_left(r))
		soft(m, "%s record: %zu bytes after its data",
		     type_name(type, tmp), ns_rd_left(r));
	return 0;
}

/* RFC 3597's generic form, for types without a decoder. */
static void generic(struct msg *m, struct ns_reader *r)
{
	size_t n = ns_rd_left(r);
	uint32_t off = ns_rd_off(r);
	const uint8_t *p = ns_rd_ptr(r, n);
	if (n)
		ns_add_bytes(m->pkt, &fields[F_DATA], off, (uint32_t)n, p,
			     (uint32_t)n);
	size_t start = m->rr.len;
	ns_buf_printf(&m->rr, "\\# %zu", n);
	if (n) {
		ns_buf_putc(&m->rr, ' ');
		rr_hex(m, p, n);
	}
	ns_add_bytes(m->pkt, &fields[F_GENERIC], off, (uint32_t)n,
		     (const uint8_t *)m->rr.p + start,
		     (uint32_t)(m->rr.len - start)); /* rr_commit() moves it */
}

static int known_type(unsigned t)
{
	switch (t) {
	case T_A:
	case T_AAAA:
	case T_NS:
	case T_CNAME:
	case T_PTR:
	case T_DNAME:
	case T_MX:
	case T_TXT:
	case T_SPF:
	case T_SOA:
	case T_SRV:
	case T_CAA:
	case T_NAPTR:
	case T_SVCB:
	case T_HTTPS:
	case T_OPT:
	case T_DS:
	case T_CDS:
	case T_DNSKEY:
	case T_CDNSKEY:
	case T_RRSIG:
	case T_NSEC:
	case T_NSEC3:
	case T_NSEC3PARAM:
		return 1;
	}
	return 0;
}

/* Copies dns.rr's text to the arena and points the field at it. */
static void rr_commit(struct msg *m, size_t fv_rr, size_t fv_gen)
{
	struct ns_packet *pkt = m->pkt;
	uint8_t *s = ns_arena_alloc(&pkt->arena, m->rr.len ? m->rr.len : 1);
	if (!s)
		return;
	memcpy(s, m->rr.p, m->rr.len);
	if (fv_rr < pkt->nfv && pkt->fv[fv_rr].f == &fields[F_RR]) {
		pkt->fv[fv_rr].v.b.p = s;
		pkt->fv[fv_rr].v.b.n = (uint32_t)m->rr.len;
	}
	if (fv_gen < pkt->nfv && pkt->fv[fv_gen].f == &fields[F_GENERIC]) {
		/* its text is the tail of dns.rr: after "TYPEnnn " */
		uint32_t n = pkt->fv[fv_gen].v.b.n;
		pkt->fv[fv_gen].v.b.p = s + m->rr.len - n;
	}
}

/* One resource record of section `sec`. */
static int record(struct msg *m, struct ns_reader *r, int sec, unsigned idx)
{
	static const char *const secname[] = {"question", "answer", "authority",
					      "additional"};
	struct ns_packet *pkt = m->pkt;
	struct name owner;
	char tmp[16];
	uint32_t start = ns_rd_off(r);
	size_t moff = start - m->moff;
	read_name(m, moff, &owner);
	m->rr.len = 0;
	if (owner.hard)
		return bad(m, "%s %u: name: %s", secname[sec], idx + 1,
			   owner.err);
	/* like tshark, nothing of a record that is cut short */
	size_t need = (size_t)owner.used + 10;
	if (ns_rd_left(r) >= need)
		need +=
		    (size_t)r->p[owner.used + 8] << 8 | r->p[owner.used + 9];
	if (ns_rd_left(r) < need)
		return bad(m, "%s %u: record cut short", secname[sec], idx + 1);
	/* the record's summary heads its subtree; filled in at the end */
	ns_add_bytes(pkt, &fields[F_RR], start, 0, NULL, 0);
	size_t fv_rr = pkt->nfv - 1, fv_gen = (size_t)-1;
	ns_tree_push(pkt);
	/* tshark gives an SRV owner _service._proto.name as dns.srv.* only */
	uint16_t peek_type =
	    (uint16_t)(r->p[owner.used] << 8 | r->p[owner.used + 1]);
	int srv_split = peek_type == T_SRV && owner.n && owner.text[0] == '_' &&
			memchr(owner.text, '.', owner.n) != NULL;
	if (!srv_split)
		add_name(m, F_RESP_NAME, moff, &owner);
	int rc = 0;
	if (owner.err)
		soft(m, "%s %u: name: %s", secname[sec], idx + 1, owner.err);
	ns_rd_skip(r, owner.used);
	unsigned type = ns_get_u16(pkt, r, &fields[F_RESP_TYPE]);
	rr_puts(m, type_name(type, tmp));
	rr_puts(m, " ");
	if (type == T_OPT) {
		unsigned size = ns_get_u16(pkt, r, &fields[F_OPT_UDP_SIZE]);
		uint32_t off = ns_rd_off(r);
		unsigned ext = ns_get_u8(pkt, r, &fields[F_OPT_EXT_RCODE]);
		unsigned ver = ns_get_u8(pkt, r, &fields[F_OPT_VERSION]);
		unsigned z = ns_get_u16(pkt, r, &fields[F_OPT_Z]);
		if (!r->err) {
			ns_tree_push(pkt);
			ns_add_uint(pkt, &fields[F_OPT_Z_DO], off + 2, 2,
				    (z & 0x8000) != 0);
			ns_add_uint(pkt, &fields[F_OPT_Z_RESERVED], off + 2, 2,
				    z & 0x7fff);
			ns_tree_pop(pkt);
			if (!m->opt_seen) {
				m->opt_seen = 1;
				m->ext_rcode = ext;
			}
		}
		rr_printf(m, "udp=%u version=%u%s", size, ver,
			  (z & 0x8000) ? " DO" : "");
		(void)off;
	} else {
		uint32_t off = ns_rd_off(r);
		unsigned cls = ns_rd_u16(r);
		if (r->err)
			goto cut;
		if (m->mdns) {
			ns_add_uint(pkt, &fields[F_RESP_CLASS], off, 2,
				    cls & 0x7fff);
			ns_add_uint(pkt, &fields[F_RESP_CACHE_FLUSH], off, 2,
				    cls >> 15);
		} else {
			ns_add_uint(pkt, &fields[F_RESP_CLASS], off, 2, cls);
		}
		ns_get_u32(pkt, r, &fields[F_RESP_TTL]);
	}
	unsigned rdlen = ns_get_u16(pkt, r, &fields[F_RESP_LEN]);
	if (r->err)
		goto cut;
	if (rdlen > ns_rd_left(r)) {
		rc = bad(m, "%s %u: rdlength %u past the end of the message",
			 secname[sec], idx + 1, rdlen);
		goto out;
	}
	struct ns_reader d = ns_rd_sub(r, rdlen);
	if (rdlen == 0 && type != T_OPT) {
		/* no data: an update's delete (RFC 2136) or an empty record */
		m->rr.len = m->rr.len ? m->rr.len - 1 : 0;
	} else if (known_type(type)) {
		rc = rdata(m, &d, type);
		if (srv_split) {
			/* tshark splits the owner _service._proto.name */
			const char *s = owner.text;
			const char *d1 = memchr(s, '.', owner.n);
			if (d1) {
				const char *d2 =
				    memchr(d1 + 1, '.',
					   owner.n - (size_t)(d1 + 1 - s));
				uint8_t *c =
				    ns_arena_alloc(&pkt->arena, owner.n);
				if (c) {
					memcpy(c, s, owner.n);
					size_t l1 = (size_t)(d1 - s);
					ns_add_bytes(pkt,
						     &fields[F_SRV_SERVICE],
						     start, 0, c, (uint32_t)l1);
					if (d2) {
						size_t l2 =
						    (size_t)(d2 - d1 - 1);
						ns_add_bytes(
						    pkt, &fields[F_SRV_PROTO],
						    start, 0, c + l1 + 1,
						    (uint32_t)l2);
						ns_add_bytes(
						    pkt, &fields[F_SRV_NAME],
						    start, 0, c + l1 + l2 + 2,
						    (uint32_t)(owner.n - l1 -
							       l2 - 2));
					}
				}
			}
		}
	} else {
		m->rr.len = 0;
		rr_puts(m, type_name(type, tmp));
		rr_puts(m, " ");
		generic(m, &d);
		fv_gen = pkt->nfv - 1;
	}
	goto out;
cut:
	rc = bad(m, "%s %u: record cut short", secname[sec], idx + 1);
out:
	ns_tree_pop(pkt);
	if (fv_rr < pkt->nfv)
		pkt->fv[fv_rr].len = ns_rd_off(r) - start;
	rr_commit(m, fv_rr, fv_gen);
	return rc;
}

static int question(struct msg *m, struct ns_reader *r, unsigned idx)
{
	struct ns_packet *pkt = m->pkt;
	struct name nm;
	uint32_t start = ns_rd_off(r);
	size_t moff = start - m->moff;
	read_name(m, moff, &nm);
	if (nm.hard)
		return bad(m, "question %u: name: %s", idx + 1, nm.err);
	if (ns_rd_left(r) < (size_t)nm.used + 4)
		return bad(m, "question %u cut short", idx + 1);
	add_name(m, F_QRY_NAME, moff, &nm);
	if (nm.err)
		soft(m, "question %u: name: %s", idx + 1, nm.err);
	/* tshark: the name's text length ("<Root>" counts 6) and labels (the
	 * root counts as one) */
	ns_add_uint(pkt, &fields[F_QRY_NAME_LEN], start, nm.used, nm.n);
	ns_add_uint(pkt, &fields[F_COUNT_LABELS], start, nm.used,
		    nm.labels ? nm.labels : 1);
	ns_rd_skip(r, nm.used);
	ns_get_u16(pkt, r, &fields[F_QRY_TYPE]);
	uint32_t off = ns_rd_off(r);
	unsigned cls = ns_rd_u16(r);
	if (r->err)
		return bad(m, "question %u cut short", idx + 1);
	if (m->mdns) {
		ns_add_uint(pkt, &fields[F_QRY_CLASS], off, 2, cls & 0x7fff);
		ns_add_uint(pkt, &fields[F_QRY_QU], off, 2, cls >> 15);
	} else {
		ns_add_uint(pkt, &fields[F_QRY_CLASS], off, 2, cls);
	}
	return 0;
}

/* ---- query/response matching ------------------------------------------------
 */

struct txn {
	uint16_t id;
	uint8_t used;
	uint8_t req_layer; /* the query's layer in its frame, for -2's note */
	uint64_t req_frame, rep_frame;
	int64_t req_ts;
};

/* A ring of the latest transactions, oldest overwritten first.  It starts
 * with TXN_FIRST slots and doubles, up to TXN_RING, only when the slot to
 * be reused still waits for its answer: most flows (a client port, one
 * question) never need more, and the flow table may hold 100000 of them. */
struct dns_flow {
	struct txn *t;
	unsigned cap;		    /* slots */
	unsigned next;		    /* slot for the next transaction */
	struct ns_dns_stats *stats; /* the engine's */
	struct txn first[TXN_FIRST];
};

static void dns_flow_free(void *p)
{
	struct dns_flow *df = p;
	if (!df->cap)
		return;
	for (unsigned i = 0; i < df->cap; i++)
		if (df->t[i].used && !df->t[i].rep_frame)
			df->stats->unanswered++;
	if (df->t != df->first)
		free(df->t);
}

/* The newest transaction with this id, or NULL. */
static struct txn *txn_find(struct dns_flow *df, uint16_t id)
{
	for (unsigned k = 1; k <= df->cap; k++) {
		struct txn *t = &df->t[(df->next + df->cap - k) % df->cap];
		if (t->used && t->id == id)
			return t;
	}
	return NULL;
}

static void match(struct msg *m, uint16_t id, int response, int show)
{
	struct ns_packet *pkt = m->pkt;
	struct ns_flow *f = pkt->flow;
	if (!f || pkt->quoted || !pkt->eng)
		return;
	struct dns_flow *df = ns_flow_state(pkt, m->cx);
	if (!df)
		return;
	if (!df->cap) { /* new */
		df->t = df->first;
		df->cap = TXN_FIRST;
		df->stats = &pkt->eng->dns;
	}
	struct ns_dns_stats *stats = df->stats;
	struct txn *t = txn_find(df, id);
	if (!response) {
		stats->queries++;
		if (t && !t->rep_frame && pkt->ts - t->req_ts < RETRANS_NS) {
			if (show) {
				ns_add_uint(pkt, &fields[F_RETRANSMISSION], 0,
					    0, 1);
				ns_add_uint(pkt, &fields[F_RETRANS_REQ_IN], 0,
					    0, t->req_frame);
			}
			stats->retransmissions++;
			return;
		}
		t = &df->t[df->next];
		if (t->used && !t->rep_frame && df->cap < TXN_RING) {
			/* grow, oldest first, so the slot after them is free */
			struct txn *n = calloc(2 * df->cap, sizeof(*n));
			if (n) {
				for (unsigned i = 0; i < df->cap; i++)
					n[i] = df->t[(df->next + i) % df->cap];
				if (df->t != df->first)
					free(df->t);
				df->t = n;
				df->next = df->cap;
				df->cap *= 2;
				t = &df->t[df->next];
			}
		}
		if (t->used && !t->rep_frame)
			stats->unanswered++; /* pushed out of the ring */
		df->next = (df->next + 1) % df->cap;
		t->used = 1;
		t->id = id;
		t->req_frame = pkt->num;
		t->req_layer = pkt->cur_layer;
		t->rep_frame = 0;
		t->req_ts = pkt->ts;
		/* -2: where the answer is, noted by the first pass; tshark
		 * shows it at the end of the query, where a response shows
		 * dns.response_to */
		uint64_t rep;
		if (show && ns_engine_noted(pkt->eng, pkt->num, pkt->cur_layer,
					    &fields[F_RESPONSE_IN], &rep))
			ns_add_uint(pkt, &fields[F_RESPONSE_IN], 0, 0, rep);
		return;
	}
	stats->responses++;
	if (!t) {
		if (show)
			ns_add_uint(pkt, &fields[F_UNSOLICITED], 0, 0, 1);
		stats->unsolicited++;
		return;
	}
	if (t->rep_frame && t->rep_frame != pkt->num) {
		/* a second answer: tshark names the first, not the query */
		if (show) {
			ns_add_uint(pkt, &fields[F_RETRANSMISSION], 0, 0, 1);
			ns_add_uint(pkt, &fields[F_RETRANS_RESP_IN], 0, 0,
				    t->rep_frame);
		}
		return;
	}
	t->rep_frame = pkt->num;
	ns_engine_note(pkt->eng, t->req_frame, t->req_layer,
		       &fields[F_RESPONSE_IN], pkt->num);
	if (show) {
		ns_add_uint(pkt, &fields[F_RESPONSE_TO], 0, 0, t->req_frame);
		ns_add_int(pkt, &fields[F_TIME], 0, 0, pkt->ts - t->req_ts);
	}
}

/* ---- the message
 * -------------------------------------------------------------- */

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	struct msg m;
	memset(&m, 0, sizeof(m));
	m.pkt = pkt;
	m.cx = cx;
	m.base = r->base;
	const struct ns_layer *l = &pkt->layers[pkt->cur_layer];
	m.stream = l->src != NULL;
	if (m.stream) {
		/* RFC 7766: the 2-byte length in front of the message */
		ns_get_u16(pkt, r, &fields[F_LENGTH]);
	}
	uint16_t lo = pkt->sport < pkt->dport ? pkt->sport : pkt->dport;
	uint16_t hi = pkt->sport < pkt->dport ? pkt->dport : pkt->sport;
	if (pkt->has_ports && !m.stream) {
		m.mdns = lo == 5353 || hi == 5353;
		m.llmnr = !m.mdns && (lo == 5355 || hi == 5355);
	}
	m.m = r->p;
	m.len = ns_rd_left(r);
	m.moff = ns_rd_off(r);
	m.rr = pkt->scratch;
	m.rr.len = 0;

	uint16_t id = ns_get_u16(pkt, r, &fields[F_ID]);
	uint32_t foff = ns_rd_off(r);
	uint16_t fl = ns_get_u16(pkt, r, &fields[F_FLAGS]);
	if (r->err) {
		pkt->scratch = m.rr;
		return bad(&m, "header cut short");
	}
	int resp = fl >> 15;
	ns_tree_push(pkt);
	ns_add_uint(pkt, &fields[F_RESPONSE], foff, 2, resp);
	ns_add_uint(pkt, &fields[F_OPCODE], foff, 2, (fl >> 11) & 15);
	if (m.llmnr) {
		ns_add_uint(pkt, &fields[F_CONFLICT], foff, 2, (fl >> 10) & 1);
		ns_add_uint(pkt, &fields[F_TRUNCATED], foff, 2, (fl >> 9) & 1);
		ns_add_uint(pkt, &fields[F_TENTATIVE], foff, 2, (fl >> 8) & 1);
		if (resp)
			ns_add_uint(pkt, &fields[F_RCODE], foff, 2, fl & 15);
	} else {
		if (resp)
			ns_add_uint(pkt, &fields[F_AUTHORITATIVE], foff, 2,
				    (fl >> 10) & 1);
		ns_add_uint(pkt, &fields[F_TRUNCATED], foff, 2, (fl >> 9) & 1);
		ns_add_uint(pkt, &fields[F_RECDESIRED], foff, 2, (fl >> 8) & 1);
		if (resp)
			ns_add_uint(pkt, &fields[F_RECAVAIL], foff, 2,
				    (fl >> 7) & 1);
		ns_add_uint(pkt, &fields[F_Z], foff, 2, (fl >> 6) & 1);
		if (resp || (fl & 0x20)) /* tshark: a query's AD bit when set */
			ns_add_uint(pkt, &fields[F_AUTHENTICATED], foff, 2,
				    (fl >> 5) & 1);
		ns_add_uint(pkt, &fields[F_CHECKDISABLE], foff, 2,
			    (fl >> 4) & 1);
		if (resp)
			ns_add_uint(pkt, &fields[F_RCODE], foff, 2, fl & 15);
	}
	ns_tree_pop(pkt);
	unsigned cnt[4];
	/* an update (RFC 2136) names its sections differently */
	int update = ((fl >> 11) & 15) == 5;
	static const int cf[2][4] = {
	    {F_COUNT_QUERIES, F_COUNT_ANSWERS, F_COUNT_AUTH, F_COUNT_ADD},
	    {F_COUNT_ZONES, F_COUNT_PREREQ, F_COUNT_UPDATES, F_COUNT_ADD},
	};
	for (int i = 0; i < 4; i++)
		cnt[i] = ns_get_u16(pkt, r, &fields[cf[update][i]]);
	if (r->err) {
		pkt->scratch = m.rr;
		return bad(&m, "header cut short");
	}
	int rc = 0;
	static const int lab[2][4] = {
	    {F_QUERIES, F_ANSWERS, F_AUTHORITIES, F_ADDITIONALS},
	    {F_ZONE, F_PREREQS, F_UPDATES, F_ADDITIONALS},
	};
	for (int s = 0; s < 4 && !rc; s++) {
		if (!cnt[s])
			continue;
		ns_add_label(pkt, &fields[lab[update][s]], ns_rd_off(r), 0);
		size_t lfv = pkt->nfv - 1;
		uint32_t soff = ns_rd_off(r);
		ns_tree_push(pkt);
		for (unsigned i = 0; i < cnt[s] && !rc; i++) {
			if (!ns_rd_left(r)) {
				rc = bad(&m, "%u %s record%s missing",
					 cnt[s] - i,
					 s == SEC_QD   ? "question"
					 : s == SEC_AN ? "answer"
					 : s == SEC_NS ? "authority"
						       : "additional",
					 cnt[s] - i > 1 ? "s" : "");
				break;
			}
			rc = s == SEC_QD ? question(&m, r, i)
					 : record(&m, r, s, i);
		}
		ns_tree_pop(pkt);
		if (lfv < pkt->nfv && pkt->fv[lfv].f == &fields[lab[update][s]])
			pkt->fv[lfv].len = ns_rd_off(r) - soff;
	}
	pkt->scratch = m.rr;
	if (resp && m.opt_seen)
		ns_add_uint(pkt, &fields[F_RCODE_FULL], foff, 2,
			    (m.ext_rcode << 4) | (fl & 15u));
	/* the state always learns; the fields come, as in tshark, only after
	 * sections that were read to their end */
	match(&m, id, resp, rc == 0 && !m.soft[0]);
	if (rc == NS_ETRUNC)
		return rc;
	if (!rc && m.soft[0])
		rc = ns_malformed(pkt, "%s", m.soft);
	/* bytes after the last section: tshark calls them extraneous */
	ns_rd_skip(r, ns_rd_left(r));
	return rc;
}

/* ---- the summary line
 * ---------------------------------------------------------- */

/* Text for the line: what is not printable as \xHH (backslashes stay:
 * "\\#" is RFC 3597's marker, and strings in dns.rr are already quoted). */
static void put_text(struct ns_buf *out, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c >= 0x20 && c < 0x7f) {
			ns_buf_putc(out, (char)c);
		} else {
			char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
			ns_buf_put(out, e, 4);
		}
	}
}

static void put_ms(struct ns_buf *out, int64_t ns)
{
	double ms = (double)ns / 1e6;
	if (ms < 1)
		ns_buf_printf(out, " (%.3f ms)", ms);
	else
		ns_buf_printf(out, " (%.1f ms)", ms);
}

#define INFO_RR_MAX  8	 /* answers listed on the line */
#define INFO_RR_TEXT 120 /* characters of each */

static void info_one(const struct ns_packet *pkt, unsigned li,
		     struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	const struct ns_fv *fv = pkt->fv;
	uint32_t end = l->fv_end > l->fv_first ? l->fv_end : pkt->nfv;
	int resp = 0, tc = 0;
	uint64_t id = 0, opcode = 0, rcode = 0, rcode_full = 0;
	int have_id = 0, have_full = 0, sec = -1;
	const struct ns_fv *qname = NULL, *qtype = NULL, *time = NULL;
	int retrans = 0, unsol = 0;
	unsigned nans = 0;
	const struct ns_fv *ans[INFO_RR_MAX];
	for (uint32_t i = l->fv_first; i < end; i++) {
		const struct ns_field *f = fv[i].f;
		if (f == &fields[F_ID]) {
			id = fv[i].v.u;
			have_id = 1;
		} else if (f == &fields[F_RESPONSE])
			resp = (int)fv[i].v.u;
		else if (f == &fields[F_OPCODE])
			opcode = fv[i].v.u;
		else if (f == &fields[F_TRUNCATED])
			tc = (int)fv[i].v.u;
		else if (f == &fields[F_RCODE])
			rcode = fv[i].v.u;
		else if (f == &fields[F_RCODE_FULL]) {
			rcode_full = fv[i].v.u;
			have_full = 1;
		} else if (f == &fields[F_QUERIES] || f == &fields[F_ZONE])
			sec = SEC_QD;
		else if (f == &fields[F_PREREQS] || f == &fields[F_UPDATES])
			sec = SEC_NS;
		else if (f == &fields[F_ANSWERS])
			sec = SEC_AN;
		else if (f == &fields[F_AUTHORITIES])
			sec = SEC_NS;
		else if (f == &fields[F_ADDITIONALS])
			sec = SEC_AR;
		else if (f == &fields[F_QRY_NAME] && !qname)
			qname = &fv[i];
		else if (f == &fields[F_QRY_TYPE] && !qtype)
			qtype = &fv[i];
		else if (f == &fields[F_RR] && sec == SEC_AN) {
			if (nans < INFO_RR_MAX)
				ans[nans] = &fv[i];
			nans++;
		} else if (f == &fields[F_TIME])
			time = &fv[i];
		else if (f == &fields[F_RETRANSMISSION])
			retrans = 1;
		else if (f == &fields[F_UNSOLICITED])
			unsol = 1;
	}
	if (!have_id)
		return;
	uint16_t lo = pkt->sport < pkt->dport ? pkt->sport : pkt->dport;
	uint16_t hi = pkt->sport < pkt->dport ? pkt->dport : pkt->sport;
	if (pkt->has_ports && !l->src) {
		if (lo == 5353 || hi == 5353)
			ns_buf_puts(out, "mDNS ");
		else if (lo == 5355 || hi == 5355)
			ns_buf_puts(out, "LLMNR ");
	}
	static const char *const opnames[16] = {
	    NULL, "inverse query", "status", NULL, "notify", "update", "DSO",
	};
	if (opcode && opcode < 16 && opnames[opcode]) {
		ns_buf_puts(out, opnames[opcode]);
		ns_buf_puts(out, resp ? " response " : " ");
	} else if (opcode) {
		ns_buf_printf(out, "opcode %u %s", (unsigned)opcode,
			      resp ? "response " : "");
	} else {
		ns_buf_puts(out, resp ? "response " : "query ");
	}
	ns_buf_hex(out, id, 4);
	if (resp) {
		uint64_t rc = have_full ? rcode_full : rcode;
		const char *rn = ns_valstr_find(rcode_vals, rc);
		ns_buf_putc(out, ' ');
		if (rn)
			ns_buf_puts(out, rn);
		else
			ns_buf_printf(out, "RCODE%u", (unsigned)rc);
	}
	if (tc)
		ns_buf_puts(out, " TC");
	if (!resp || nans == 0) {
		if (resp)
			ns_buf_puts(out, " no answer to");
		if (qtype) {
			char tmp[16];
			ns_buf_putc(out, ' ');
			ns_buf_puts(out, type_name((unsigned)qtype->v.u, tmp));
		}
		if (qname) {
			ns_buf_putc(out, ' ');
			put_text(out, qname->v.b.p, qname->v.b.n);
		}
	} else {
		for (unsigned i = 0; i < nans && i < INFO_RR_MAX; i++) {
			ns_buf_puts(out, i ? ", " : " ");
			uint32_t n = ans[i]->v.b.n;
			put_text(out, ans[i]->v.b.p,
				 n > INFO_RR_TEXT ? INFO_RR_TEXT : n);
			if (n > INFO_RR_TEXT)
				ns_buf_puts(out, "\xe2\x80\xa6"); /* … */
		}
		if (nans > INFO_RR_MAX)
			ns_buf_printf(out, ", +%u more", nans - INFO_RR_MAX);
	}
	if (time)
		put_ms(out, time->v.i);
	if (retrans)
		ns_buf_puts(out, " (retransmission)");
	if (unsol)
		ns_buf_puts(out, " (unsolicited)");
}

/* Every DNS message of the packet (a TCP segment may complete several). */
static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	unsigned first = li;
	while (first > 0 && pkt->layers[first - 1].d == pkt->layers[li].d &&
	       pkt->layers[first - 1].src)
		first--;
	for (unsigned k = first; k <= li; k++) {
		if (k > first)
			ns_buf_puts(out, "; ");
		info_one(pkt, k, out);
	}
}

/* ---- TCP (RFC 7766)
 * ------------------------------------------------------------- */

struct dns_tcp {
	int dead;
};

static size_t consume(void *state, struct ns_stream_ctx *ctx, const uint8_t *p,
		      size_t n)
{
	struct dns_tcp *st = state;
	size_t used = 0;
	while (!st->dead && n - used >= 2) {
		size_t len = (size_t)p[used] << 8 | p[used + 1];
		if (n - used < 2 + len)
			break; /* the rest of the message comes later */
		if (ctx->pkt) {
			int li = ns_stream_message(ctx, ctx->st->app, p + used,
						   2 + len, ctx->st->state);
			if (li >= 0)
				ns_stream_message_end(ctx, li);
		}
		used += 2 + len;
	}
	return used;
}

static int gap(void *state, struct ns_stream_ctx *ctx, uint32_t n)
{
	struct dns_tcp *st = state;
	(void)ctx;
	(void)n;
	st->dead = 1; /* the framing is lost */
	return 0;
}

static const struct ns_stream_ops ops = {
    .probe = NULL,
    .state_size = sizeof(struct dns_tcp),
    .consume = consume,
    .gap = gap,
};

/*
 * DNS on a UDP port of its own: tshark's heuristic (packet-dns.c), which
 * takes a standard query or response with believable counts: a query has
 * one question and nothing else but a few additional records; a response
 * at most one question, 100 answers, 10 authority and 10 additional
 * records; the counts must fit the bytes there are.  Never on port 137
 * (NetBIOS names have the same layout).
 */
static int udp_heuristic(const struct ns_packet *pkt, const uint8_t *p,
			 size_t n)
{
	/* NetBIOS name service has DNS's layout; tshark has its own
	 * dissector on that port, netscope none yet */
	if (n <= 12 ||
	    (pkt->has_ports && (pkt->sport == 137 || pkt->dport == 137)))
		return 0;
	unsigned fl = (unsigned)p[2] << 8 | p[3];
	unsigned qd = (unsigned)p[4] << 8 | p[5],
		 an = (unsigned)p[6] << 8 | p[7];
	unsigned ns = (unsigned)p[8] << 8 | p[9],
		 ar = (unsigned)p[10] << 8 | p[11];
	if (fl & 0x7800) /* opcode: standard queries only */
		return 0;
	if (!(fl & 0x8000)) {
		if (qd != 1 || an || ns || ar > 10)
			return 0;
	} else if (qd > 1 || an > 100 || ns > 10 || ar > 10) {
		return 0;
	}
	if (qd + an == 0)
		return 0;
	return (size_t)qd * 6 + (size_t)(an + ns + ar) * 11 <= n - 12;
}

static const struct ns_binding bindings[] = {
    {NS_TAB_UDP_PORT, 53},
    {NS_TAB_UDP_PORT, 5353},
    {NS_TAB_UDP_PORT, 5355},
    {NS_TAB_TCP_PORT, 53},
    {0, 0},
};

struct ns_dissector ns_diss_dns = {
    .name = "dns",
    .column = "DNS",
    .title = "Domain Name System",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
    .stream = &ops,
    .udp_heuristic = udp_heuristic,
    .flow_state_size = sizeof(struct dns_flow),
    .flow_state_free = dns_flow_free,
};
