/*
 * dns_fields — the DNS dissector's fields and their value names
 * (dissectors/app/dns_int.h lists the ids).  Names are Wireshark's
 * (packet-dns.c) wherever it has the same field, so display filters and
 * -T fields read the same in both tools; the titles follow tshark 4.0.
 * Value names: RFC 1035 3.2.2 and the IANA DNS parameters registry (types,
 * classes, opcodes, RCODEs), RFC 6891 and successors (EDNS options),
 * RFC 9460 (SvcParamKeys), RFC 8624 (DNSSEC algorithms), RFC 8914
 * (extended errors).
 */
#include "dns_int.h"

const struct ns_valstr ns_dns_type_vals[] = {
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

const struct ns_valstr ns_dns_rcode_vals[] = {
    {0, "NOERROR"},  {1, "FORMERR"}, {2, "SERVFAIL"},  {3, "NXDOMAIN"},
    {4, "NOTIMP"},   {5, "REFUSED"}, {6, "YXDOMAIN"},  {7, "YXRRSET"},
    {8, "NXRRSET"},  {9, "NOTAUTH"}, {10, "NOTZONE"},  {11, "DSOTYPENI"},
    {16, "BADVERS"}, {17, "BADKEY"}, {18, "BADTIME"},  {19, "BADMODE"},
    {20, "BADNAME"}, {21, "BADALG"}, {22, "BADTRUNC"}, {23, "BADCOOKIE"},
    {0, NULL},
};

const struct ns_valstr ns_dns_opt_vals[] = {
    {3, "NSID"},     {5, "DAU"},    {6, "DHU"},	     {7, "N3U"},
    {8, "CSUBNET"},  {9, "EXPIRE"}, {10, "COOKIE"},  {11, "KEEPALIVE"},
    {12, "PADDING"}, {13, "CHAIN"}, {14, "KEY-TAG"}, {15, "EDE"},
    {0, NULL},
};

const struct ns_valstr ns_dns_svcb_key_vals[] = {
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

#define F_TYPE(n, t)  NS_F_VALS(n, t, 16, NS_BASE_DEC, ns_dns_type_vals)
#define F_CLASS(n, t) NS_F_VALS(n, t, 16, NS_BASE_HEX, class_vals)

struct ns_field ns_dns_fields[F_COUNT] = {
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
    [F_RCODE] = NS_F_VALS("dns.flags.rcode", "Reply code", 16, NS_BASE_DEC,
			  ns_dns_rcode_vals),
    [F_COUNT_QUERIES] = NS_F_UINT("dns.count.queries", "Questions", 16),
    [F_COUNT_ANSWERS] = NS_F_UINT("dns.count.answers", "Answer RRs", 16),
    [F_COUNT_AUTH] = NS_F_UINT("dns.count.auth_rr", "Authority RRs", 16),
    [F_COUNT_ADD] = NS_F_UINT("dns.count.add_rr", "Additional RRs", 16),
    [F_RCODE_FULL] = NS_F_VALS("dns.rcode",
			       "Reply code with its EDNS "
			       "extension",
			       16, NS_BASE_DEC, ns_dns_rcode_vals),
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
			     NS_BASE_DEC, ns_dns_svcb_key_vals),
    [F_SVCB_VLEN] =
	NS_F_UINT("dns.svcb.svcparam.value.length", "SvcParamValue length", 16),
    [F_SVCB_VALUE] = NS_F_BYTES("dns.svcb.svcparam.value", "SvcParamValue"),
    [F_SVCB_MANDATORY] =
	NS_F_VALS("dns.svcb.svcparam.mandatory.key", "Mandatory key", 16,
		  NS_BASE_DEC, ns_dns_svcb_key_vals),
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
    [F_OPT_CODE] = NS_F_VALS("dns.opt.code", "Option Code", 16, NS_BASE_DEC,
			     ns_dns_opt_vals),
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
    [F_TC_RETRY_OF] =
	NS_F_UINT("dns.retry_of_truncated",
		  "Retry over TCP of the truncated UDP answer in", 32),
    [F_TC_RETRY_IN] = NS_F_UINT("dns.truncated_retry_in",
				"Truncated answer retried over TCP in", 32),
};
