/*
 * TLS over TCP (RFC 8446, RFC 5246): the record layer, the handshake in
 * clear, alerts, and the client fingerprints JA3/JA4 and the server's JA3S.
 *
 * Records are framed in consume(): a connection's bytes are cut into whole
 * records (5-byte header, RFC 8446 §5.1), and every run of whole records
 * that became contiguous with one segment is one layer on that segment's
 * packet, so a ServerHello, ChangeCipherSpec and the first encrypted records
 * sent together are shown together, and a record spanning segments appears
 * on the segment that completes it.  Handshake messages may span records
 * (§5.1: "may be fragmented across several records"); the unfinished tail
 * of a direction's handshake bytes is kept in the connection's state and
 * joined to the next handshake record.  Since dissect() parses one layer's
 * bytes but needs that carried tail, consume() hands it the connection
 * through `cur` for the duration of the call; dissect() called on its own
 * (unit tests) parses statelessly.
 *
 * What is encrypted is never decoded, only counted and sized: application
 * data, and handshake records after a ChangeCipherSpec below TLS 1.3 (in
 * TLS 1.3 the CCS is a compatibility no-op and encrypted handshake messages
 * travel as application_data records).  Certificates (TLS 1.2 and below)
 * are parsed with libcrypto's d2i_X509, never by hand.
 *
 * Fingerprints: JA3 ("version,ciphers,extensions,groups,point formats",
 * decimal, dash-separated, GREASE (RFC 8701) removed, MD5) and JA3S
 * ("version,cipher,extensions") as tshark computes them; JA4 per the
 * FoxIO JA4 (TLS client) specification, with its raw form ja4_r.  Other
 * JA4+ methods are under a licence netscope does not use and are absent.
 *
 * A connection is bound by port 443 or by its first bytes looking like a
 * TLS handshake or alert record on any port (probe()).  Bytes that are not
 * a record header (a capture begun mid-stream) are shown once as a
 * malformed layer; after them, and after a gap, records are looked for
 * again (a header followed by another, see resync_at()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/ct.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/buf.h"
#include "core/dissect.h"
#include "flow/stream.h"

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
	F_COUNT
};

/* RFC 8701: {0x0a0a, 0x1a1a, …, 0xfafa} in every registry that has them */
#define GREASE16(s)                                                            \
	{0x0a0a, s}, {0x1a1a, s}, {0x2a2a, s}, {0x3a3a, s}, {0x4a4a, s},       \
	    {0x5a5a, s}, {0x6a6a, s}, {0x7a7a, s}, {0x8a8a, s}, {0x9a9a, s},   \
	    {0xaaaa, s}, {0xbaba, s}, {0xcaca, s}, {0xdada, s}, {0xeaea, s},   \
	{                                                                      \
		0xfafa, s                                                      \
	}

static const struct ns_valstr content_types[] = {
    {20, "change_cipher_spec"}, {21, "alert"},	   {22, "handshake"},
    {23, "application_data"},	{24, "heartbeat"}, {0, NULL},
};

static const struct ns_valstr versions[] = {
    {0x0300, "SSL 3.0"},  {0x0301, "TLS 1.0"},
    {0x0302, "TLS 1.1"},  {0x0303, "TLS 1.2"},
    {0x0304, "TLS 1.3"},  {0xfeff, "DTLS 1.0"},
    {0xfefd, "DTLS 1.2"}, {0xfefc, "DTLS 1.3"},
    GREASE16("GREASE"),	  {0, NULL},
};

/* RFC 8446 §4, RFC 5246 §7.4 (names as the RFCs spell them, CamelCase) */
static const struct ns_valstr hs_types[] = {
    {0, "HelloRequest"},
    {1, "ClientHello"},
    {2, "ServerHello"},
    {3, "HelloVerifyRequest"},
    {4, "NewSessionTicket"},
    {5, "EndOfEarlyData"},
    {6, "HelloRetryRequest"},
    {8, "EncryptedExtensions"},
    {11, "Certificate"},
    {12, "ServerKeyExchange"},
    {13, "CertificateRequest"},
    {14, "ServerHelloDone"},
    {15, "CertificateVerify"},
    {16, "ClientKeyExchange"},
    {20, "Finished"},
    {21, "CertificateURL"},
    {22, "CertificateStatus"},
    {24, "KeyUpdate"},
    {25, "CompressedCertificate"},
    {254, "MessageHash"},
    {0, NULL},
};

static const struct ns_valstr alert_levels[] = {
    {1, "warning"},
    {2, "fatal"},
    {0, NULL},
};

/* RFC 8446 §6, RFC 5246 §7.2 */
static const struct ns_valstr alert_descs[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
    {121, "ech_required"},
    {0, NULL},
};

/* IANA TLS ExtensionType Values */
static const struct ns_valstr ext_types[] = {
    {0, "server_name"},
    {1, "max_fragment_length"},
    {2, "client_certificate_url"},
    {3, "trusted_ca_keys"},
    {4, "truncated_hmac"},
    {5, "status_request"},
    {6, "user_mapping"},
    {7, "client_authz"},
    {8, "server_authz"},
    {9, "cert_type"},
    {10, "supported_groups"},
    {11, "ec_point_formats"},
    {12, "srp"},
    {13, "signature_algorithms"},
    {14, "use_srtp"},
    {15, "heartbeat"},
    {16, "application_layer_protocol_negotiation"},
    {17, "status_request_v2"},
    {18, "signed_certificate_timestamp"},
    {19, "client_certificate_type"},
    {20, "server_certificate_type"},
    {21, "padding"},
    {22, "encrypt_then_mac"},
    {23, "extended_master_secret"},
    {24, "token_binding"},
    {25, "cached_info"},
    {26, "tls_lts"},
    {27, "compress_certificate"},
    {28, "record_size_limit"},
    {29, "pwd_protect"},
    {30, "pwd_clear"},
    {31, "password_salt"},
    {32, "ticket_pinning"},
    {33, "tls_cert_with_extern_psk"},
    {34, "delegated_credential"},
    {35, "session_ticket"},
    {36, "TLMSP"},
    {37, "TLMSP_proxying"},
    {38, "TLMSP_delegate"},
    {39, "supported_ekt_ciphers"},
    {41, "pre_shared_key"},
    {42, "early_data"},
    {43, "supported_versions"},
    {44, "cookie"},
    {45, "psk_key_exchange_modes"},
    {47, "certificate_authorities"},
    {48, "oid_filters"},
    {49, "post_handshake_auth"},
    {50, "signature_algorithms_cert"},
    {51, "key_share"},
    {52, "transparency_info"},
    {53, "connection_id_deprecated"},
    {54, "connection_id"},
    {55, "external_id_hash"},
    {56, "external_session_id"},
    {57, "quic_transport_parameters"},
    {58, "ticket_request"},
    {59, "dnssec_chain"},
    {13172, "next_protocol_negotiation"},
    {17513, "application_settings_old"},
    {17613, "application_settings"},
    {0xfe0d, "encrypted_client_hello"},
    {0xff01, "renegotiation_info"},
    {0xffce, "encrypted_server_name"},
    GREASE16("GREASE"),
    {0, NULL},
};

/* IANA TLS Supported Groups */
static const struct ns_valstr groups[] = {
    {1, "sect163k1"},
    {2, "sect163r1"},
    {3, "sect163r2"},
    {4, "sect193r1"},
    {5, "sect193r2"},
    {6, "sect233k1"},
    {7, "sect233r1"},
    {8, "sect239k1"},
    {9, "sect283k1"},
    {10, "sect283r1"},
    {11, "sect409k1"},
    {12, "sect409r1"},
    {13, "sect571k1"},
    {14, "sect571r1"},
    {15, "secp160k1"},
    {16, "secp160r1"},
    {17, "secp160r2"},
    {18, "secp192k1"},
    {19, "secp192r1"},
    {20, "secp224k1"},
    {21, "secp224r1"},
    {22, "secp256k1"},
    {23, "secp256r1"},
    {24, "secp384r1"},
    {25, "secp521r1"},
    {26, "brainpoolP256r1"},
    {27, "brainpoolP384r1"},
    {28, "brainpoolP512r1"},
    {29, "x25519"},
    {30, "x448"},
    {31, "brainpoolP256r1tls13"},
    {32, "brainpoolP384r1tls13"},
    {33, "brainpoolP512r1tls13"},
    {256, "ffdhe2048"},
    {257, "ffdhe3072"},
    {258, "ffdhe4096"},
    {259, "ffdhe6144"},
    {260, "ffdhe8192"},
    {512, "MLKEM512"},
    {513, "MLKEM768"},
    {514, "MLKEM1024"},
    {4587, "SecP256r1MLKEM768"},
    {4588, "X25519MLKEM768"},
    {4589, "SecP384r1MLKEM1024"},
    {25497, "X25519Kyber768Draft00"},
    {25498, "SecP256r1Kyber768Draft00"},
    GREASE16("GREASE"),
    {0, NULL},
};

/* IANA TLS SignatureScheme */
static const struct ns_valstr sigalgs[] = {
    {0x0201, "rsa_pkcs1_sha1"},
    {0x0202, "dsa_sha1"},
    {0x0203, "ecdsa_sha1"},
    {0x0301, "rsa_pkcs1_sha224"},
    {0x0302, "dsa_sha224"},
    {0x0303, "ecdsa_sha224"},
    {0x0401, "rsa_pkcs1_sha256"},
    {0x0402, "dsa_sha256"},
    {0x0403, "ecdsa_secp256r1_sha256"},
    {0x0501, "rsa_pkcs1_sha384"},
    {0x0502, "dsa_sha384"},
    {0x0503, "ecdsa_secp384r1_sha384"},
    {0x0601, "rsa_pkcs1_sha512"},
    {0x0602, "dsa_sha512"},
    {0x0603, "ecdsa_secp521r1_sha512"},
    {0x0804, "rsa_pss_rsae_sha256"},
    {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},
    {0x0807, "ed25519"},
    {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"},
    {0x080a, "rsa_pss_pss_sha384"},
    {0x080b, "rsa_pss_pss_sha512"},
    {0x081a, "ecdsa_brainpoolP256r1tls13_sha256"},
    {0x081b, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081c, "ecdsa_brainpoolP512r1tls13_sha512"},
    {0x0904, "mldsa44"},
    {0x0905, "mldsa65"},
    {0x0906, "mldsa87"},
    GREASE16("GREASE"),
    {0, NULL},
};

static const struct ns_valstr comp_methods[] = {
    {0, "null"},
    {1, "DEFLATE"},
    {64, "LZS"},
    {0, NULL},
};

static const struct ns_valstr point_formats[] = {
    {0, "uncompressed"},
    {1, "ansiX962_compressed_prime"},
    {2, "ansiX962_compressed_char2"},
    {0, NULL},
};

static const struct ns_valstr psk_modes[] = {
    {0, "psk_ke"},
    {1, "psk_dhe_ke"},
    {0, NULL},
};

static const struct ns_valstr curve_types[] = {
    {1, "explicit_prime"},
    {2, "explicit_char2"},
    {3, "named_curve"},
    {0, NULL},
};

/* IANA TLS Cipher Suites: every suite OpenSSL knows, by its standard name,
 * and the two signalling values */
static const struct ns_valstr ciphers[] = {
    {0x0000, "TLS_NULL_WITH_NULL_NULL"},
    {0x0001, "TLS_RSA_WITH_NULL_MD5"},
    {0x0002, "TLS_RSA_WITH_NULL_SHA"},
    {0x002c, "TLS_PSK_WITH_NULL_SHA"},
    {0x002d, "TLS_DHE_PSK_WITH_NULL_SHA"},
    {0x002e, "TLS_RSA_PSK_WITH_NULL_SHA"},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA"},
    {0x003b, "TLS_RSA_WITH_NULL_SHA256"},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x006a, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"},
    {0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"},
    {0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"},
    {0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA"},
    {0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA"},
    {0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA"},
    {0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA"},
    {0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA"},
    {0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA"},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"},
    {0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"},
    {0x00a6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"},
    {0x00a7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384"},
    {0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00aa, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00ab, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00ac, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00ad, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00ae, "TLS_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00af, "TLS_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00b0, "TLS_PSK_WITH_NULL_SHA256"},
    {0x00b1, "TLS_PSK_WITH_NULL_SHA384"},
    {0x00b2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00b3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00b4, "TLS_DHE_PSK_WITH_NULL_SHA256"},
    {0x00b5, "TLS_DHE_PSK_WITH_NULL_SHA384"},
    {0x00b6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00b7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00b8, "TLS_RSA_PSK_WITH_NULL_SHA256"},
    {0x00b9, "TLS_RSA_PSK_WITH_NULL_SHA384"},
    {0x00ba, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00bd, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00be, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00bf, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00c0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00c3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00c4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00c5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x5600, "TLS_FALLBACK_SCSV"},
    {0xc006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA"},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xc015, "TLS_ECDH_anon_WITH_NULL_SHA"},
    {0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"},
    {0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"},
    {0xc01d, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA"},
    {0xc01e, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA"},
    {0xc01f, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA"},
    {0xc020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA"},
    {0xc021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA"},
    {0xc022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA"},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"},
    {0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"},
    {0xc037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256"},
    {0xc038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384"},
    {0xc039, "TLS_ECDHE_PSK_WITH_NULL_SHA"},
    {0xc03a, "TLS_ECDHE_PSK_WITH_NULL_SHA256"},
    {0xc03b, "TLS_ECDHE_PSK_WITH_NULL_SHA384"},
    {0xc050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xc051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xc052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xc053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xc056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256"},
    {0xc057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384"},
    {0xc05c, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"},
    {0xc05d, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384"},
    {0xc060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xc061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xc06a, "TLS_PSK_WITH_ARIA_128_GCM_SHA256"},
    {0xc06b, "TLS_PSK_WITH_ARIA_256_GCM_SHA384"},
    {0xc06c, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256"},
    {0xc06d, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384"},
    {0xc06e, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256"},
    {0xc06f, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384"},
    {0xc072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc09a, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xc09b, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xc09c, "TLS_RSA_WITH_AES_128_CCM"},
    {0xc09d, "TLS_RSA_WITH_AES_256_CCM"},
    {0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM"},
    {0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM"},
    {0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8"},
    {0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8"},
    {0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8"},
    {0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8"},
    {0xc0a4, "TLS_PSK_WITH_AES_128_CCM"},
    {0xc0a5, "TLS_PSK_WITH_AES_256_CCM"},
    {0xc0a6, "TLS_DHE_PSK_WITH_AES_128_CCM"},
    {0xc0a7, "TLS_DHE_PSK_WITH_AES_256_CCM"},
    {0xc0a8, "TLS_PSK_WITH_AES_128_CCM_8"},
    {0xc0a9, "TLS_PSK_WITH_AES_256_CCM_8"},
    {0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8"},
    {0xc0ab, "TLS_PSK_DHE_WITH_AES_256_CCM_8"},
    {0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"},
    {0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"},
    {0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"},
    {0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccad, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xccae, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    GREASE16("GREASE"),
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_RECORD] = NS_F_NONE("tls.record", "TLS Record"),
    [F_CT] = NS_F_VALS("tls.record.content_type", "Content Type", 8,
		       NS_BASE_DEC, content_types),
    /* TLS 1.3 (§5.2): the outer type of a protected record */
    [F_OPAQUE_TYPE] = NS_F_VALS("tls.record.opaque_type", "Opaque Type", 8,
				NS_BASE_DEC, content_types),
    [F_REC_VERSION] =
	NS_F_VALS("tls.record.version", "Version", 16, NS_BASE_HEX, versions),
    [F_REC_LEN] = NS_F_UINT("tls.record.length", "Length", 16),
    [F_CCS] = NS_F_NONE("tls.change_cipher_spec", "Change Cipher Spec Message"),
    [F_ALERT] = NS_F_NONE("tls.alert_message", "Alert Message"),
    [F_ALERT_LEVEL] = NS_F_VALS("tls.alert_message.level", "Level", 8,
				NS_BASE_DEC, alert_levels),
    [F_ALERT_DESC] = NS_F_VALS("tls.alert_message.desc", "Description", 8,
			       NS_BASE_DEC, alert_descs),
    [F_HS_ENCRYPTED] =
	NS_F_NONE("tls.handshake.encrypted", "Encrypted Handshake Message"),
    [F_HS_TYPE] = NS_F_VALS("tls.handshake.type", "Handshake Type", 8,
			    NS_BASE_DEC, hs_types),
    [F_HS_LEN] = NS_F_UINT("tls.handshake.length", "Length", 24),
    [F_HS_VERSION] = NS_F_VALS("tls.handshake.version", "Version", 16,
			       NS_BASE_HEX, versions),
    [F_RANDOM] = NS_F_BYTES("tls.handshake.random", "Random"),
    [F_SID_LEN] =
	NS_F_UINT("tls.handshake.session_id_length", "Session ID Length", 8),
    [F_SID] = NS_F_BYTES("tls.handshake.session_id", "Session ID"),
    [F_CS_LEN] = NS_F_UINT("tls.handshake.cipher_suites_length",
			   "Cipher Suites Length", 16),
    [F_CS] = NS_F_VALS("tls.handshake.ciphersuite", "Cipher Suite", 16,
		       NS_BASE_HEX, ciphers),
    [F_COMP_LEN] = NS_F_UINT("tls.handshake.comp_methods_length",
			     "Compression Methods Length", 8),
    [F_COMP] = NS_F_VALS("tls.handshake.comp_method", "Compression Method", 8,
			 NS_BASE_DEC, comp_methods),
    [F_EXT_LEN] =
	NS_F_UINT("tls.handshake.extensions_length", "Extensions Length", 16),
    [F_EXT_TYPE] = NS_F_VALS("tls.handshake.extension.type", "Type", 16,
			     NS_BASE_DEC, ext_types),
    [F_EXT_LENGTH] = NS_F_UINT("tls.handshake.extension.len", "Length", 16),
    [F_SNI] = NS_F_STR("tls.handshake.extensions_server_name", "Server Name"),
    [F_ALPN] =
	NS_F_STR("tls.handshake.extensions_alpn_str", "ALPN Next Protocol"),
    [F_GROUP] = NS_F_VALS("tls.handshake.extensions_supported_group",
			  "Supported Group", 16, NS_BASE_HEX, groups),
    [F_POINT_FMT] = NS_F_VALS("tls.handshake.extensions_ec_point_format",
			      "EC point format", 8, NS_BASE_DEC, point_formats),
    [F_SIGALG] = NS_F_VALS("tls.handshake.sig_hash_alg", "Signature Algorithm",
			   16, NS_BASE_HEX, sigalgs),
    [F_SV] = NS_F_VALS("tls.handshake.extensions.supported_version",
		       "Supported Version", 16, NS_BASE_HEX, versions),
    [F_KS_GROUP] = NS_F_VALS("tls.handshake.extensions_key_share_group",
			     "Key Share Group", 16, NS_BASE_DEC, groups),
    [F_KS_SEL_GROUP] =
	NS_F_VALS("tls.handshake.extensions_key_share_selected_group",
		  "Selected Group", 16, NS_BASE_DEC, groups),
    [F_PSK_MODE] =
	NS_F_VALS("tls.extension.psk_ke_mode", "PSK Key Exchange Mode", 8,
		  NS_BASE_DEC, psk_modes),
    [F_JA3_FULL] = NS_F_STR("tls.handshake.ja3_full", "JA3 Fullstring"),
    [F_JA3] = NS_F_STR("tls.handshake.ja3", "JA3"),
    [F_JA3S_FULL] = NS_F_STR("tls.handshake.ja3s_full", "JA3S Fullstring"),
    [F_JA3S] = NS_F_STR("tls.handshake.ja3s", "JA3S"),
    [F_JA4] = NS_F_STR("tls.handshake.ja4", "JA4"),
    [F_JA4_R] = NS_F_STR("tls.handshake.ja4_r", "JA4 raw"),
    [F_CURVE_TYPE] = NS_F_VALS("tls.handshake.server_curve_type", "Curve Type",
			       8, NS_BASE_DEC, curve_types),
    [F_NAMED_CURVE] = NS_F_VALS("tls.handshake.server_named_curve",
				"Named Curve", 16, NS_BASE_HEX, groups),
    [F_CERTS_LEN] = NS_F_UINT("tls.handshake.certificates_length",
			      "Certificates Length", 24),
    [F_CERT_LEN] =
	NS_F_UINT("tls.handshake.certificate_length", "Certificate Length", 24),
    [F_CERT] = NS_F_BYTES("tls.handshake.certificate", "Certificate"),
    [F_CERT_SUBJECT] = NS_F_STR("tls.handshake.certificate.subject", "Subject"),
    [F_CERT_ISSUER] = NS_F_STR("tls.handshake.certificate.issuer", "Issuer"),
    [F_CERT_SAN] =
	NS_F_STR("tls.handshake.certificate.san", "Subject Alternative Name"),
    [F_CERT_NOT_BEFORE] = NS_F_ABSTIME("tls.handshake.certificate.not_before",
				       "Not Valid Before"),
    [F_CERT_NOT_AFTER] =
	NS_F_ABSTIME("tls.handshake.certificate.not_after", "Not Valid After"),
    [F_CERT_KEY] = NS_F_STR("tls.handshake.certificate.key", "Public Key"),
    [F_VERIFY_DATA] = NS_F_BYTES("tls.handshake.verify_data", "Verify Data"),
    [F_HS_TIME] = NS_F_RELTIME("tls.handshake_time",
			       "Handshake time (ClientHello to first "
			       "application data)"),
};

#define REC_MAX	     (16384 + 2048) /* TLSCiphertext.length limit, §5.2 */
#define HS_CARRY_MAX (256 * 1024)   /* an unfinished handshake message */
#define SUM_STR	     64

/* RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
    0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
    0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

struct tls_dir {
	uint8_t *hs; /* handshake bytes of an unfinished message */
	size_t hs_len;
	uint8_t encrypted; /* handshake records are opaque from now on */
	uint8_t resync;	   /* looking for a record boundary again */
	uint8_t told;	   /* bytes that were not records were shown */
	uint64_t app_records;
};

/* One connection: the carried bytes per direction and what the
 * --conversations summary says about the handshake. */
struct tls_state {
	struct tls_dir d[2];
	unsigned hellos;  /* ClientHellos seen */
	uint16_t offered; /* client's highest version */
	uint16_t version; /* negotiated (ServerHello), 0 unknown */
	uint16_t cipher;
	uint8_t have_cipher, hrr;
	uint8_t alert_level, alert_desc, have_alert;
	uint8_t hs_done; /* hs_time is known */
	int64_t ch_ts;	 /* the first ClientHello's time */
	int64_t hs_time; /* to the first application data */
	char sni[SUM_STR], alpn[SUM_STR], offered_alpn[SUM_STR], ja4[40];
};

/* What a hello says, collected for the fingerprints (pointers into the
 * message bytes, big-endian pairs; ext in the packet arena). */
struct hello {
	int server;
	uint16_t version, max_sv, cipher;
	const uint8_t *cs;
	size_t ncs;
	uint16_t *ext;
	size_t next;
	const uint8_t *grp, *pf, *sig;
	size_t ngrp, npf, nsig;
	const uint8_t *alpn; /* first protocol */
	size_t alpn_len;
	const uint8_t *alpn_list; /* the whole list as on the wire */
	size_t alpn_list_len;
	const uint8_t *sni;
	size_t sni_len;
	int has_sni;
};

/* The parse of one layer: where a problem was found. */
struct parse {
	struct ns_packet *pkt;
	const char *bad;
	/* the connection whose bytes these are (NULL: parsed alone) */
	struct tls_state *st;
	const struct ns_stream_ctx *ctx;
};

static int is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void bad(struct parse *ps, const char *why)
{
	if (!ps->bad)
		ps->bad = why;
}

/* ---- fingerprints ------------------------------------------------------ */

/* A string built in the packet arena with a known upper bound. */
struct sb {
	char *p;
	size_t n, cap;
};

static int sb_init(struct ns_packet *pkt, struct sb *s, size_t cap)
{
	s->p = ns_arena_alloc(&pkt->arena, cap + 1);
	s->n = 0;
	s->cap = cap;
	if (s->p)
		s->p[0] = 0;
	return s->p != NULL;
}

static void sb_c(struct sb *s, char c)
{
	if (s->p && s->n < s->cap) {
		s->p[s->n++] = c;
		s->p[s->n] = 0;
	}
}

/* sep (unless 0), then v in decimal or as 4 hex digits */
static void sb_num(struct sb *s, char sep, int hex, unsigned v)
{
	char tmp[16];
	if (hex)
		snprintf(tmp, sizeof(tmp), "%04x", v & 0xffff);
	else
		snprintf(tmp, sizeof(tmp), "%u", v);
	if (sep)
		sb_c(s, sep);
	for (const char *t = tmp; *t; t++)
		sb_c(s, *t);
}

/* JA3 lists: values in wire order, GREASE left out, '-' between */
static void sb_list16(struct sb *s, const uint8_t *p, size_t n)
{
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		uint16_t v = be16(p + 2 * i);
		if (is_grease(v))
			continue;
		sb_num(s, first ? 0 : '-', 0, v);
		first = 0;
	}
}

static void hex_digest(const EVP_MD *md, const char *s, size_t n, char *out,
		       size_t digits)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dn = 0;
	static const char hx[] = "0123456789abcdef";
	if (!EVP_Digest(s, n, d, &dn, md, NULL))
		dn = 0;
	size_t i;
	for (i = 0; i < digits && i / 2 < dn; i++)
		out[i] = hx[i % 2 ? d[i / 2] & 15 : d[i / 2] >> 4];
	for (; i < digits; i++)
		out[i] = '0';
	out[digits] = 0;
}

static void add_str(struct ns_packet *pkt, int f, const char *s)
{
	if (s)
		ns_add_bytes(pkt, &fields[f], 0, 0, (const uint8_t *)s,
			     (uint32_t)strlen(s));
}

static void add_md5(struct ns_packet *pkt, int f, const struct sb *s)
{
	char *h = ns_arena_alloc(&pkt->arena, 33);
	if (!h || !s->p)
		return;
	hex_digest(EVP_md5(), s->p, s->n, h, 32);
	add_str(pkt, f, h);
}

static void ja3(struct ns_packet *pkt, const struct hello *h)
{
	struct sb s;
	if (!sb_init(pkt, &s, 32 + 6 * (h->ncs + h->next + h->ngrp + h->npf)))
		return;
	sb_num(&s, 0, 0, h->version);
	sb_c(&s, ',');
	if (h->server) {
		sb_num(&s, 0, 0, h->cipher);
		sb_c(&s, ',');
	} else {
		sb_list16(&s, h->cs, h->ncs);
		sb_c(&s, ',');
	}
	int first = 1;
	for (size_t i = 0; i < h->next; i++) {
		if (is_grease(h->ext[i]))
			continue;
		sb_num(&s, first ? 0 : '-', 0, h->ext[i]);
		first = 0;
	}
	if (!h->server) {
		sb_c(&s, ',');
		sb_list16(&s, h->grp, h->ngrp);
		sb_c(&s, ',');
		for (size_t i = 0; i < h->npf; i++)
			sb_num(&s, i ? '-' : 0, 0, h->pf[i]);
	}
	add_str(pkt, h->server ? F_JA3S_FULL : F_JA3_FULL, s.p);
	add_md5(pkt, h->server ? F_JA3S : F_JA3, &s);
}

static int cmp16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return x < y ? -1 : x > y;
}

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return "13";
	case 0x0303:
		return "12";
	case 0x0302:
		return "11";
	case 0x0301:
		return "10";
	case 0x0300:
		return "s3";
	case 0x0200:
	case 0x0002:
		return "s2";
	case 0xfeff:
		return "d1";
	case 0xfefd:
		return "d2";
	case 0xfefc:
		return "d3";
	default:
		return "00";
	}
}

static int alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* JA4 (TLS client), FoxIO specification: a_b_c with its raw form. */
static void ja4(struct ns_packet *pkt, const struct hello *h,
		struct tls_state *st)
{
	size_t nc = 0, ne = 0, nall = 0;
	uint16_t *c = ns_arena_alloc(&pkt->arena, (h->ncs + 1) * 2);
	uint16_t *e = ns_arena_alloc(&pkt->arena, (h->next + 1) * 2);
	if (!c || !e)
		return;
	for (size_t i = 0; i < h->ncs; i++)
		if (!is_grease(be16(h->cs + 2 * i)))
			c[nc++] = be16(h->cs + 2 * i);
	for (size_t i = 0; i < h->next; i++) {
		if (is_grease(h->ext[i]))
			continue;
		nall++;
		/* SNI and ALPN are counted but not hashed */
		if (h->ext[i] != 0x0000 && h->ext[i] != 0x0010)
			e[ne++] = h->ext[i];
	}
	qsort(c, nc, 2, cmp16);
	qsort(e, ne, 2, cmp16);
	char alpn[3] = "00";
	if (h->alpn && h->alpn_len) {
		static const char hx[] = "0123456789abcdef";
		uint8_t f = h->alpn[0], l = h->alpn[h->alpn_len - 1];
		if (alnum(f) && alnum(l)) {
			alpn[0] = (char)f;
			alpn[1] = (char)l;
		} else {
			alpn[0] = hx[f >> 4];
			alpn[1] = hx[l & 15];
		}
	}
	char a[16];
	snprintf(a, sizeof(a), "t%s%c%02u%02u%s",
		 ja4_version(h->max_sv ? h->max_sv : h->version),
		 h->has_sni ? 'd' : 'i', (unsigned)(nc > 99 ? 99 : nc),
		 (unsigned)(nall > 99 ? 99 : nall), alpn);
	struct sb cs, es;
	if (!sb_init(pkt, &cs, 5 * nc + 1) ||
	    !sb_init(pkt, &es, 5 * ne + 5 * h->nsig + 2))
		return;
	for (size_t i = 0; i < nc; i++)
		sb_num(&cs, i ? ',' : 0, 1, c[i]);
	for (size_t i = 0; i < ne; i++)
		sb_num(&es, i ? ',' : 0, 1, e[i]);
	int first = 1;
	for (size_t i = 0; i < h->nsig; i++) {
		uint16_t v = be16(h->sig + 2 * i);
		if (is_grease(v))
			continue;
		if (first)
			sb_c(&es, '_');
		sb_num(&es, first ? 0 : ',', 1, v);
		first = 0;
	}
	char hb[13], hc[13];
	if (nc)
		hex_digest(EVP_sha256(), cs.p, cs.n, hb, 12);
	else
		strcpy(hb, "000000000000");
	if (ne)
		hex_digest(EVP_sha256(), es.p, es.n, hc, 12);
	else
		strcpy(hc, "000000000000");
	char *fp = ns_arena_printf(&pkt->arena, "%s_%s_%s", a, hb, hc);
	add_str(pkt, F_JA4, fp);
	char *r = ns_arena_printf(&pkt->arena, "%s_%s_%s", a, cs.p, es.p);
	add_str(pkt, F_JA4_R, r);
	if (st && fp && !st->ja4[0])
		snprintf(st->ja4, sizeof(st->ja4), "%s", fp);
}

/* ---- handshake messages -------------------------------------------------- */

static uint32_t get_u24(struct ns_packet *pkt, struct ns_reader *r, int f)
{
	uint32_t off = ns_rd_off(r);
	uint32_t v = ns_rd_u24(r);
	if (!r->err)
		ns_add_uint(pkt, &fields[f], off, 3, v);
	return v;
}

/* A list of 16-bit values with a `lenbytes`-byte length prefix (recorded
 * as field lenf unless it is -1), each recorded as field f; returns the
 * values (packet bytes) and their count. */
static const uint8_t *list16(struct parse *ps, struct ns_reader *r,
			     int lenbytes, int lenf, int f, size_t *count)
{
	uint32_t off = ns_rd_off(r);
	size_t len = lenbytes == 1 ? ns_rd_u8(r) : ns_rd_u16(r);
	if (lenf >= 0 && !r->err)
		ns_add_uint(ps->pkt, &fields[lenf], off, (uint32_t)lenbytes,
			    len);
	struct ns_reader l = ns_rd_sub(r, len);
	const uint8_t *start = l.p;
	*count = 0;
	if (len % 2 || r->err) {
		bad(ps, "bad list length");
		return NULL;
	}
	while (ns_rd_left(&l) >= 2) {
		ns_get_u16(ps->pkt, &l, &fields[f]);
		(*count)++;
	}
	return start;
}

static void ext_body(struct parse *ps, struct ns_reader *r, uint16_t type,
		     struct hello *h, int hrr)
{
	struct ns_packet *pkt = ps->pkt;
	size_t n;
	switch (type) {
	case 0: { /* server_name, RFC 6066 §3 */
		h->has_sni = 1;
		if (ns_rd_left(r) == 0)
			return; /* a server's acknowledgement */
		struct ns_reader l = ns_rd_sub(r, ns_rd_u16(r));
		while (ns_rd_left(&l) >= 3 && !l.err) {
			uint8_t nt = ns_rd_u8(&l);
			uint16_t nl = ns_rd_u16(&l);
			uint32_t off = ns_rd_off(&l);
			const uint8_t *name = ns_rd_ptr(&l, nl);
			if (!name)
				break;
			if (nt == 0) {
				ns_add_bytes(pkt, &fields[F_SNI], off, nl, name,
					     nl);
				if (!h->sni) {
					h->sni = name;
					h->sni_len = nl;
				}
			}
		}
		if (l.err)
			bad(ps, "bad server_name");
		return;
	}
	case 16: { /* ALPN, RFC 7301 §3.1 */
		struct ns_reader l = ns_rd_sub(r, ns_rd_u16(r));
		h->alpn_list = l.p;
		h->alpn_list_len = ns_rd_left(&l);
		while (ns_rd_left(&l) && !l.err) {
			uint8_t pl = ns_rd_u8(&l);
			uint32_t off = ns_rd_off(&l);
			const uint8_t *p = ns_rd_ptr(&l, pl);
			if (!p)
				break;
			ns_add_bytes(pkt, &fields[F_ALPN], off, pl, p, pl);
			if (!h->alpn) {
				h->alpn = p;
				h->alpn_len = pl;
			}
		}
		if (l.err)
			bad(ps, "bad ALPN list");
		return;
	}
	case 10: /* supported_groups, RFC 8446 §4.2.7 */
		h->grp = list16(ps, r, 2, -1, F_GROUP, &n);
		h->ngrp = n;
		return;
	case 11: { /* ec_point_formats, RFC 8422 §5.1.2 */
		struct ns_reader l = ns_rd_sub(r, ns_rd_u8(r));
		h->pf = l.p;
		h->npf = ns_rd_left(&l);
		while (ns_rd_left(&l))
			ns_get_u8(pkt, &l, &fields[F_POINT_FMT]);
		if (r->err)
			h->npf = 0;
		return;
	}
	case 13: /* signature_algorithms, RFC 8446 §4.2.3 */
		h->sig = list16(ps, r, 2, -1, F_SIGALG, &n);
		h->nsig = n;
		return;
	case 43: /* supported_versions, RFC 8446 §4.2.1 */
		if (h->server) {
			h->max_sv = ns_get_u16(pkt, r, &fields[F_SV]);
			return;
		}
		const uint8_t *v = list16(ps, r, 1, -1, F_SV, &n);
		for (size_t i = 0; v && i < n; i++)
			if (!is_grease(be16(v + 2 * i)) &&
			    be16(v + 2 * i) > h->max_sv)
				h->max_sv = be16(v + 2 * i);
		return;
	case 51: /* key_share, RFC 8446 §4.2.8 */
		if (hrr) {
			ns_get_u16(pkt, r, &fields[F_KS_SEL_GROUP]);
			return;
		}
		if (h->server) {
			ns_get_u16(pkt, r, &fields[F_KS_GROUP]);
			ns_rd_skip(r, ns_rd_u16(r));
			return;
		}
		struct ns_reader l = ns_rd_sub(r, ns_rd_u16(r));
		while (ns_rd_left(&l) && !l.err) {
			ns_get_u16(pkt, &l, &fields[F_KS_GROUP]);
			ns_rd_skip(&l, ns_rd_u16(&l));
		}
		if (l.err)
			bad(ps, "bad key_share");
		return;
	case 45: { /* psk_key_exchange_modes, RFC 8446 §4.2.9 */
		struct ns_reader m = ns_rd_sub(r, ns_rd_u8(r));
		while (ns_rd_left(&m))
			ns_get_u8(pkt, &m, &fields[F_PSK_MODE]);
		return;
	}
	default: /* named by its type; content not decoded */
		ns_rd_skip(r, ns_rd_left(r));
		return;
	}
}

static void extensions(struct parse *ps, struct ns_reader *r, struct hello *h,
		       int hrr)
{
	struct ns_packet *pkt = ps->pkt;
	if (ns_rd_left(r) == 0)
		return; /* no extensions at all (RFC 5246 §7.4.1.2) */
	uint16_t len = ns_get_u16(pkt, r, &fields[F_EXT_LEN]);
	struct ns_reader l = ns_rd_sub(r, len);
	if (r->err) {
		bad(ps, "extensions past the message");
		r->err = 0;
	}
	h->ext = ns_arena_alloc(&pkt->arena, (ns_rd_left(&l) / 4 + 1) * 2);
	if (!h->ext)
		return;
	while (ns_rd_left(&l) >= 4) {
		uint16_t type = ns_get_u16(pkt, &l, &fields[F_EXT_TYPE]);
		uint16_t elen = ns_get_u16(pkt, &l, &fields[F_EXT_LENGTH]);
		h->ext[h->next++] = type;
		struct ns_reader e = ns_rd_sub(&l, elen);
		if (l.err) {
			bad(ps, "extension past the extensions");
			break;
		}
		ns_tree_push(pkt);
		ext_body(ps, &e, type, h, hrr);
		ns_tree_pop(pkt);
		if (e.err)
			bad(ps, "extension shorter than its content");
		else if (ns_rd_left(&e))
			bad(ps, "extension longer than its content");
	}
	if (ns_rd_left(&l))
		bad(ps, "bytes after the last extension");
}

/* ClientHello (RFC 8446 §4.1.2) and ServerHello (§4.1.3), which share
 * their start: version, random, session id. */
static void hello(struct parse *ps, struct ns_reader *r, int server)
{
	struct ns_packet *pkt = ps->pkt;
	struct tls_state *st = ps->st;
	struct hello h;
	memset(&h, 0, sizeof(h));
	h.server = server;
	h.version = ns_get_u16(pkt, r, &fields[F_HS_VERSION]);
	uint32_t off = ns_rd_off(r);
	const uint8_t *rnd = ns_rd_ptr(r, 32);
	if (rnd)
		ns_add_bytes(pkt, &fields[F_RANDOM], off, 32, rnd, 32);
	int hrr = server && rnd && memcmp(rnd, hrr_random, 32) == 0;
	uint8_t sl = ns_get_u8(pkt, r, &fields[F_SID_LEN]);
	off = ns_rd_off(r);
	const uint8_t *sid = sl ? ns_rd_ptr(r, sl) : NULL;
	if (sid)
		ns_add_bytes(pkt, &fields[F_SID], off, sl, sid, sl);
	if (server) {
		h.cipher = ns_get_u16(pkt, r, &fields[F_CS]);
		ns_get_u8(pkt, r, &fields[F_COMP]);
	} else {
		size_t n;
		h.cs = list16(ps, r, 2, F_CS_LEN, F_CS, &n);
		h.ncs = n;
		uint8_t cl = ns_get_u8(pkt, r, &fields[F_COMP_LEN]);
		struct ns_reader c = ns_rd_sub(r, cl);
		while (ns_rd_left(&c))
			ns_get_u8(pkt, &c, &fields[F_COMP]);
	}
	if (r->err) {
		bad(ps,
		    server ? "ServerHello too short" : "ClientHello too short");
		return;
	}
	extensions(ps, r, &h, hrr);
	ja3(pkt, &h);
	if (!server)
		ja4(pkt, &h, st);
	if (!st)
		return;
	/* what the connection summary keeps */
	if (!server) {
		if (!st->hellos++) {
			st->ch_ts =
			    ps->ctx ? ns_stream_time_at(ps->ctx, 0) : pkt->ts;
			if (h.sni)
				snprintf(st->sni, sizeof(st->sni), "%.*s",
					 (int)h.sni_len, (const char *)h.sni);
		}
		st->offered = h.max_sv ? h.max_sv : h.version;
		/* the offered list, "a,b,c" (TLS 1.3 hides the answer) */
		size_t k = 0, o = 0;
		while (k < h.alpn_list_len &&
		       o + 2 < sizeof(st->offered_alpn)) {
			size_t pl = h.alpn_list[k++];
			if (o)
				st->offered_alpn[o++] = ',';
			for (; pl && k < h.alpn_list_len; pl--, k++)
				if (o + 1 < sizeof(st->offered_alpn))
					st->offered_alpn[o++] =
					    (char)h.alpn_list[k];
		}
		st->offered_alpn[o] = 0;
		return;
	}
	st->version = h.max_sv ? h.max_sv : h.version;
	st->cipher = h.cipher;
	st->have_cipher = 1;
	st->hrr |= (uint8_t)hrr;
	st->alpn[0] = 0;
	if (h.alpn)
		snprintf(st->alpn, sizeof(st->alpn), "%.*s", (int)h.alpn_len,
			 (const char *)h.alpn);
}

/* A name as one RFC 2253 line, into the packet arena. */
static void add_name(struct ns_packet *pkt, int f, const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		char *p;
		long n = BIO_get_mem_data(b, &p);
		if (n > 0) {
			char *s = ns_arena_strndup(&pkt->arena, p, (size_t)n);
			add_str(pkt, f, s);
		}
	}
	BIO_free(b);
}

static void add_time(struct ns_packet *pkt, int f, const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return;
	ns_add_int(pkt, &fields[f], 0, 0, (int64_t)timegm(&tm) * 1000000000);
}

/* Subject, issuer, SANs, validity and key of one DER certificate, parsed
 * by libcrypto. */
static void x509(struct parse *ps, const uint8_t *der, size_t n)
{
	struct ns_packet *pkt = ps->pkt;
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)n);
	if (!x) {
		bad(ps, "certificate not DER X.509");
		return;
	}
	ns_tree_push(pkt);
	add_name(pkt, F_CERT_SUBJECT, X509_get_subject_name(x));
	add_name(pkt, F_CERT_ISSUER, X509_get_issuer_name(x));
	GENERAL_NAMES *sans =
	    X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
		const ASN1_STRING *s = NULL;
		if (g->type == GEN_DNS)
			s = g->d.dNSName;
		else if (g->type == GEN_IPADD)
			s = g->d.iPAddress;
		if (!s)
			continue;
		const uint8_t *d = ASN1_STRING_get0_data(s);
		int len = ASN1_STRING_length(s);
		char *v = NULL;
		if (g->type == GEN_DNS)
			v = ns_arena_strndup(&pkt->arena, (const char *)d,
					     (size_t)len);
		else if (len == 4)
			v = ns_arena_printf(&pkt->arena, "%u.%u.%u.%u", d[0],
					    d[1], d[2], d[3]);
		else if (len == 16) {
			struct ns_buf b = {0};
			ns_buf_ipv6(&b, d);
			v = ns_arena_strndup(&pkt->arena, b.p, b.len);
			ns_buf_free(&b);
		}
		add_str(pkt, F_CERT_SAN, v);
	}
	GENERAL_NAMES_free(sans);
	/* the signature algorithms of embedded SCTs (RFC 6962 §3.2), in
	 * TLS's numbering, as tshark reports them */
	STACK_OF(SCT) *scts =
	    X509_get_ext_d2i(x, NID_ct_precert_scts, NULL, NULL);
	for (int i = 0; scts && i < sk_SCT_num(scts); i++) {
		int nid = SCT_get_signature_nid(sk_SCT_value(scts, i));
		uint16_t alg = nid == NID_ecdsa_with_SHA256	    ? 0x0403
			       : nid == NID_sha256WithRSAEncryption ? 0x0401
								    : 0;
		if (alg)
			ns_add_uint(pkt, &fields[F_SIGALG], 0, 0, alg);
	}
	SCT_LIST_free(scts);
	add_time(pkt, F_CERT_NOT_BEFORE, X509_get0_notBefore(x));
	add_time(pkt, F_CERT_NOT_AFTER, X509_get0_notAfter(x));
	EVP_PKEY *k = X509_get0_pubkey(x);
	if (k) {
		char grp[64] = "";
		size_t gl = 0;
		const char *kind = EVP_PKEY_get0_type_name(k);
		if (!kind)
			kind = "?";
		if (EVP_PKEY_get_group_name(k, grp, sizeof(grp), &gl) && gl)
			add_str(
			    pkt, F_CERT_KEY,
			    ns_arena_printf(&pkt->arena, "%s %s", kind, grp));
		else
			add_str(pkt, F_CERT_KEY,
				ns_arena_printf(&pkt->arena, "%s %d", kind,
						EVP_PKEY_get_bits(k)));
	}
	ns_tree_pop(pkt);
	X509_free(x);
}

/* Certificate, TLS 1.2 and below (RFC 5246 §7.4.2): a 24-bit-length list
 * of 24-bit-length DER certificates. */
static void certificate(struct parse *ps, struct ns_reader *r)
{
	struct ns_packet *pkt = ps->pkt;
	uint32_t len = get_u24(pkt, r, F_CERTS_LEN);
	struct ns_reader l = ns_rd_sub(r, len);
	while (ns_rd_left(&l) >= 3 && !l.err) {
		uint32_t cl = get_u24(pkt, &l, F_CERT_LEN);
		uint32_t off = ns_rd_off(&l);
		const uint8_t *der = ns_rd_ptr(&l, cl);
		if (!der)
			break;
		ns_add_bytes(pkt, &fields[F_CERT], off, cl, der, cl);
		x509(ps, der, cl);
	}
	if (l.err || r->err || ns_rd_left(&l))
		bad(ps, "bad certificate list");
}

/* ServerKeyExchange (RFC 8422 §5.4, RFC 5246 §7.4.3): the ECDHE curve, and
 * in TLS 1.2 the signature algorithm after the parameters.  Which key
 * exchange it is comes from the ServerHello's suite when known. */
static void server_key_exchange(struct parse *ps, struct ns_reader *r)
{
	struct ns_packet *pkt = ps->pkt;
	struct tls_state *st = ps->st;
	int ecdhe = 0, dhe = 0;
	if (st && st->have_cipher) {
		const char *name = ns_valstr_find(ciphers, st->cipher);
		ecdhe = name && strstr(name, "_ECDHE_") != NULL;
		dhe = name && strstr(name, "_DHE_") != NULL;
	} else {
		ecdhe = ns_rd_peek(r, 0) == 3;
		r->err = 0;
	}
	if (ecdhe) {
		uint8_t t = ns_get_u8(pkt, r, &fields[F_CURVE_TYPE]);
		if (t != 3)
			return;
		ns_get_u16(pkt, r, &fields[F_NAMED_CURVE]);
		ns_rd_skip(r, ns_rd_u8(r)); /* the public key */
	} else if (dhe) {
		for (int i = 0; i < 3; i++) /* p, g, Ys */
			ns_rd_skip(r, ns_rd_u16(r));
	} else {
		return;
	}
	if (st && st->version == 0x0303 && ns_rd_left(r) >= 2)
		ns_get_u16(pkt, r, &fields[F_SIGALG]);
	ns_rd_skip(r, ns_rd_left(r)); /* the signature */
	if (r->err)
		bad(ps, "ServerKeyExchange too short");
}

/* CertificateRequest and CertificateVerify of TLS 1.2 (RFC 5246 §7.4.4,
 * §7.4.8): their signature algorithms. */
static void certificate_request(struct parse *ps, struct ns_reader *r)
{
	size_t n;
	ns_rd_skip(r, ns_rd_u8(r)); /* certificate types */
	list16(ps, r, 2, -1, F_SIGALG, &n);
	ns_rd_skip(r, ns_rd_left(r)); /* distinguished names */
}

static void hs_message(struct parse *ps, struct ns_reader *r)
{
	struct ns_packet *pkt = ps->pkt;
	uint8_t type = ns_get_u8(pkt, r, &fields[F_HS_TYPE]);
	get_u24(pkt, r, F_HS_LEN);
	switch (type) {
	case 1:
	case 2:
		hello(ps, r, type == 2);
		break;
	case 11:
		if (!ps->st || ps->st->version < 0x0304)
			certificate(ps, r);
		break;
	case 12:
		server_key_exchange(ps, r);
		break;
	case 13:
		if (ps->st && ps->st->version == 0x0303)
			certificate_request(ps, r);
		break;
	case 15:
		if (ps->st && ps->st->version == 0x0303)
			ns_get_u16(pkt, r, &fields[F_SIGALG]);
		ns_rd_skip(r, ns_rd_left(r));
		break;
	case 20: {
		uint32_t off = ns_rd_off(r);
		size_t n = ns_rd_left(r);
		const uint8_t *p = ns_rd_ptr(r, n);
		if (p)
			ns_add_bytes(pkt, &fields[F_VERIFY_DATA], off,
				     (uint32_t)n, p, (uint32_t)n);
		break;
	}
	default:
		break;
	}
	if (r->err)
		bad(ps, "handshake message shorter than its content");
}

static int known_hs_type(uint8_t t)
{
	return ns_valstr_find(hs_types, t) != NULL;
}

/* The handshake messages of one clear handshake record, joined to what an
 * earlier record of this direction left unfinished. */
static void handshake(struct parse *ps, struct ns_reader *body)
{
	struct ns_packet *pkt = ps->pkt;
	struct tls_dir *d = ps->st ? &ps->st->d[ps->ctx->dir] : NULL;
	struct ns_reader r = *body;
	if (d && d->hs_len) {
		size_t n = ns_rd_left(body);
		uint8_t *buf = ns_arena_alloc(&pkt->arena, d->hs_len + n);
		if (!buf) {
			bad(ps, "out of packet memory");
			return;
		}
		memcpy(buf, d->hs, d->hs_len);
		memcpy(buf + d->hs_len, body->p, n);
		ns_rd_init(&r, buf, d->hs_len + n);
		d->hs_len = 0;
	} else if (ns_rd_left(&r) >= 4 && !known_hs_type(r.p[0])) {
		/* not a message we know: encrypted (e.g. a Finished whose
		 * ChangeCipherSpec we did not see) */
		ns_add_label(pkt, &fields[F_HS_ENCRYPTED], ns_rd_off(&r),
			     (uint32_t)ns_rd_left(&r));
		return;
	}
	while (ns_rd_left(&r) >= 4) {
		uint32_t len = (uint32_t)r.p[1] << 16 | r.p[2] << 8 | r.p[3];
		if (len > ns_rd_left(&r) - 4)
			break;
		struct ns_reader m = ns_rd_sub(&r, 4 + len);
		hs_message(ps, &m);
	}
	size_t rest = ns_rd_left(&r);
	if (!rest || !d)
		return;
	/* an unfinished message: keep it for the next record */
	if (rest > HS_CARRY_MAX) {
		bad(ps, "handshake message too long");
		d->encrypted = 1;
		return;
	}
	uint8_t *p = realloc(d->hs, rest);
	if (!p) {
		d->encrypted = 1;
		return;
	}
	d->hs = p;
	memcpy(d->hs, r.p, rest);
	d->hs_len = rest;
}

/* ---- records ------------------------------------------------------------- */

static int sane_header(const uint8_t *h)
{
	uint16_t len = be16(h + 3);
	return h[0] >= 20 && h[0] <= 24 && h[1] == 3 && h[2] <= 4 &&
	       len <= REC_MAX;
}

/* The client's first application data ends the handshake.  In TLS 1.3
 * everything after the ServerHello is an application_data record, so the
 * client's first one is its Finished, and a 19-byte one is taken for an
 * encrypted alert (2 bytes, the inner type and the 16-byte AEAD tag), e.g.
 * the close_notify of a client that sent nothing. */
static void app_data(struct parse *ps, uint16_t len)
{
	struct ns_packet *pkt = ps->pkt;
	struct tls_state *st = ps->st;
	if (!st || ps->ctx->dir != 0 || !st->hellos)
		return;
	if (st->version >= 0x0304 && len == 19)
		return;
	struct tls_dir *d = &st->d[0];
	d->app_records++;
	uint64_t want = st->version >= 0x0304 ? 2 : 1;
	if (d->app_records == want && !st->hs_done) {
		st->hs_done = 1;
		st->hs_time = ns_stream_time_at(ps->ctx, 0) - st->ch_ts;
		if (st->hs_time < 0)
			st->hs_time = 0;
		ns_add_int(pkt, &fields[F_HS_TIME], 0, 0, st->hs_time);
	}
}

static void change_cipher_spec(struct parse *ps)
{
	struct tls_state *st = ps->st;
	if (!st)
		return;
	/* TLS 1.3 (§D.4): a compatibility no-op, nothing after it changes */
	uint16_t v = st->version ? st->version : st->offered;
	if (v < 0x0304 || (st->version && st->version < 0x0304))
		st->d[ps->ctx->dir].encrypted = 1;
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	struct parse ps = {pkt, NULL, NULL, NULL};
	if (cx->stream) {
		ps.st = cx->state;
		ps.ctx = cx->stream;
	}
	struct tls_dir *d = ps.st ? &ps.st->d[ps.ctx->dir] : NULL;
	while (ns_rd_left(r) >= 5) {
		if (!sane_header(r->p))
			return ns_malformed(pkt, "not a TLS record");
		uint16_t len = be16(r->p + 3);
		ns_add_label(pkt, &fields[F_RECORD], ns_rd_off(r), 5u + len);
		ns_tree_push(pkt);
		/* TLS 1.3 protected records have an opaque outer type */
		int opaque = r->p[0] == 23 && ps.st && ps.st->version >= 0x0304;
		uint8_t ct =
		    ns_get_u8(pkt, r, &fields[opaque ? F_OPAQUE_TYPE : F_CT]);
		ns_get_u16(pkt, r, &fields[F_REC_VERSION]);
		ns_get_u16(pkt, r, &fields[F_REC_LEN]);
		struct ns_reader body = ns_rd_sub(r, len);
		if (r->err) {
			ns_tree_pop(pkt);
			return NS_ETRUNC;
		}
		switch (ct) {
		case 20:
			ns_add_label(pkt, &fields[F_CCS], ns_rd_off(&body),
				     len);
			change_cipher_spec(&ps);
			break;
		case 21:
			ns_add_label(pkt, &fields[F_ALERT], ns_rd_off(&body),
				     len);
			/* after the keys change an alert is encrypted */
			if (len != 2 || (d && d->encrypted))
				break;
			ns_tree_push(pkt);
			uint8_t lv =
			    ns_get_u8(pkt, &body, &fields[F_ALERT_LEVEL]);
			uint8_t ds =
			    ns_get_u8(pkt, &body, &fields[F_ALERT_DESC]);
			ns_tree_pop(pkt);
			if (ps.st && !ps.st->have_alert) {
				ps.st->have_alert = 1;
				ps.st->alert_level = lv;
				ps.st->alert_desc = ds;
			}
			break;
		case 22:
			ns_tree_push(pkt);
			if (d && d->encrypted)
				ns_add_label(pkt, &fields[F_HS_ENCRYPTED],
					     ns_rd_off(&body), len);
			else
				handshake(&ps, &body);
			ns_tree_pop(pkt);
			break;
		case 23:
			app_data(&ps, len);
			break;
		default: /* heartbeat: not decoded */
			break;
		}
		ns_tree_pop(pkt);
	}
	if (ns_rd_left(r))
		return NS_ETRUNC;
	if (ps.bad)
		return ns_malformed(pkt, "%s", ps.bad);
	return 0;
}

/* ---- the one-line summary ---------------------------------------------- */

struct ns_dissector ns_diss_tls;

/* one of fields[] (not another layer's, nor the protocol field) */
static int own(const struct ns_fv *fv)
{
	return fv->f->proto == &ns_diss_tls && fv->f != &ns_diss_tls.proto;
}

static void put_name(struct ns_buf *out, const struct ns_valstr *vals,
		     uint64_t v)
{
	const char *s = ns_valstr_find(vals, v);
	if (s)
		ns_buf_puts(out, s);
	else
		ns_buf_printf(out, "0x%04llx", (unsigned long long)v);
}

static void put_version(struct ns_buf *out, uint16_t v)
{
	if (v >= 0x0301 && v <= 0x0304)
		ns_buf_printf(out, " v1.%u", v - 0x0301);
	else if (v == 0x0300)
		ns_buf_puts(out, " SSLv3");
	else
		ns_buf_printf(out, " v0x%04x", v);
}

/* One handshake message: its name and what matters in it.  fv[i] is its
 * tls.handshake.type; returns the index after its last field. */
static uint32_t put_message(const struct ns_packet *pkt, uint32_t i,
			    uint32_t end, struct ns_buf *out)
{
	uint8_t type = (uint8_t)pkt->fv[i].v.u;
	uint16_t version = 0, max_sv = 0, sv = 0;
	int hrr = 0, nalpn = 0, ncs = 0;
	const struct ns_fv *sni = NULL, *ja4v = NULL, *subj = NULL;
	uint64_t cipher = 0, group = 0, curve = 0;
	int has_group = 0, has_curve = 0;
	struct ns_buf alpn = {0};
	for (i++; i < end; i++) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (!own(fv))
			break;
		int f = (int)(fv->f - fields);
		if (f == F_HS_TYPE || f == F_RECORD)
			break;
		switch (f) {
		case F_HS_VERSION:
			version = (uint16_t)fv->v.u;
			break;
		case F_SV:
			sv = (uint16_t)fv->v.u;
			if (!is_grease(sv) && sv > max_sv)
				max_sv = sv;
			break;
		case F_RANDOM:
			hrr = fv->v.b.n == 32 &&
			      memcmp(fv->v.b.p, hrr_random, 32) == 0;
			break;
		case F_SNI:
			if (!sni)
				sni = fv;
			break;
		case F_ALPN:
			if (nalpn++)
				ns_buf_putc(&alpn, ',');
			ns_buf_escaped(&alpn, fv->v.b.p, fv->v.b.n);
			break;
		case F_CS:
			cipher = fv->v.u;
			ncs++;
			break;
		case F_KS_SEL_GROUP:
			group = fv->v.u;
			has_group = 1;
			break;
		case F_NAMED_CURVE:
			curve = fv->v.u;
			has_curve = 1;
			break;
		case F_JA4:
			ja4v = fv;
			break;
		case F_CERT_SUBJECT:
			if (!subj)
				subj = fv;
			break;
		default:
			break;
		}
	}
	if (type == 2 && hrr)
		ns_buf_puts(out, "HelloRetryRequest");
	else
		put_name(out, hs_types, type);
	if (type == 1) {
		if (sni) {
			ns_buf_puts(out, " SNI=");
			ns_buf_escaped(out, sni->v.b.p, sni->v.b.n);
		}
		if (nalpn) {
			ns_buf_puts(out, " ALPN=");
			if (alpn.len) /* empty names leave the buffer unset */
				ns_buf_put(out, alpn.p, alpn.len);
		}
		if (version)
			put_version(out, max_sv ? max_sv : version);
		if (ja4v) {
			ns_buf_puts(out, " JA4=");
			ns_buf_escaped(out, ja4v->v.b.p, ja4v->v.b.n);
		}
	} else if (type == 2) {
		if (version)
			put_version(out, sv ? sv : version);
		if (ncs) {
			ns_buf_putc(out, ' ');
			put_name(out, ciphers, cipher);
		}
		if (has_group) {
			ns_buf_puts(out, " group=");
			put_name(out, groups, group);
		}
		if (nalpn) {
			ns_buf_puts(out, " ALPN=");
			if (alpn.len) /* empty names leave the buffer unset */
				ns_buf_put(out, alpn.p, alpn.len);
		}
	} else if (type == 11 && subj) {
		ns_buf_puts(out, " ");
		ns_buf_escaped(out, subj->v.b.p, subj->v.b.n);
	} else if (type == 12 && has_curve) {
		ns_buf_putc(out, ' ');
		put_name(out, groups, curve);
	}
	ns_buf_free(&alpn);
	return i;
}

static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	uint64_t app = 0, app_bytes = 0;
	int n = 0;
	uint32_t end = l->fv_end;
	/* every record of every TLS layer of the packet, in order */
	uint32_t i = 0;
	for (unsigned k = 0; k <= li; k++)
		if (pkt->layers[k].d == l->d) {
			i = pkt->layers[k].fv_first;
			break;
		}
	uint8_t ct = 0;
	uint64_t rlen = 0;
	int said = 1; /* the current record was described */
	while (i < end) {
		const struct ns_fv *fv = &pkt->fv[i];
		if (!own(fv)) {
			i++; /* a layer between two TLS layers, or "tls" */
			continue;
		}
		int f = (int)(fv->f - fields);
		const char *part = NULL;
		if (f == F_OPAQUE_TYPE)
			f = F_CT;
		if (f == F_RECORD || f == F_CT || f == F_REC_LEN) {
			if (f == F_RECORD && !said && ct == 22)
				part = "Handshake fragment";
			if (f == F_CT) {
				ct = (uint8_t)fv->v.u;
				said = ct != 22;
			}
			if (f == F_REC_LEN) {
				rlen = fv->v.u;
				if (ct == 23) {
					app++;
					app_bytes += rlen;
				} else if (ct == 20) {
					part = "ChangeCipherSpec";
				} else if (ct == 21 && rlen != 2) {
					part = "Encrypted Alert";
				} else if (ct == 24) {
					part = "Heartbeat";
				}
			}
			i++;
		} else if (f == F_HS_TYPE) {
			said = 1;
			if (n++)
				ns_buf_puts(out, ", ");
			i = put_message(pkt, i, end, out);
			continue;
		} else if (f == F_HS_ENCRYPTED) {
			said = 1;
			part = "Encrypted Handshake";
			i++;
		} else if (f == F_ALERT_DESC) {
			const struct ns_fv *lv = &pkt->fv[i - 1];
			if (n++)
				ns_buf_puts(out, ", ");
			ns_buf_puts(out, "Alert ");
			if (lv->f == &fields[F_ALERT_LEVEL])
				put_name(out, alert_levels, lv->v.u);
			ns_buf_putc(out, ' ');
			put_name(out, alert_descs, fv->v.u);
			i++;
		} else {
			i++;
		}
		if (part) {
			if (n++)
				ns_buf_puts(out, ", ");
			ns_buf_puts(out, part);
		}
	}
	if (!said && ct == 22) {
		if (n++)
			ns_buf_puts(out, ", ");
		ns_buf_puts(out, "Handshake fragment");
	}
	if (app) {
		if (n)
			ns_buf_puts(out, ", ");
		ns_buf_puts(out, "Application Data");
		if (app > 1)
			ns_buf_printf(out, " x%llu", (unsigned long long)app);
		ns_buf_printf(out, " (%llu bytes)",
			      (unsigned long long)app_bytes);
	}
}

/* ---- the stream -------------------------------------------------------- */

/* A handshake or alert record at the start of a direction: 1 yes, 0 no,
 * -1 too short to tell. */
static int probe(const uint8_t *p, size_t n, int dir)
{
	(void)dir;
	if (n >= 1 && p[0] != 22 && p[0] != 21)
		return 0;
	if (n >= 2 && p[1] != 3)
		return 0;
	if (n >= 3 && p[2] > 4)
		return 0;
	if (n < 5)
		return -1;
	uint16_t len = be16(p + 3);
	if (p[0] == 21)
		return len == 2;
	if (len < 4 || len > REC_MAX)
		return 0;
	if (n < 6)
		return -1;
	return p[5] == 1 || p[5] == 2; /* ClientHello or ServerHello */
}

static void layer(struct tls_state *st, struct ns_stream_ctx *ctx,
		  const uint8_t *p, size_t n)
{
	int li = ns_stream_message(ctx, ctx->st->app, p, n, st);
	ns_stream_message_end(ctx, li);
}

/* Where records seem to start again after lost or foreign bytes: a
 * plausible header whose record ends exactly at n or is followed by
 * another plausible header.  *found is 0 when nothing can be told yet;
 * the returned offset is then what may be dropped. */
static size_t resync_at(const uint8_t *p, size_t n, int *found)
{
	*found = 0;
	for (size_t k = 0; k + 5 <= n; k++) {
		if (!sane_header(p + k))
			continue;
		size_t end = k + 5 + be16(p + k + 3);
		if (end == n || (end + 5 <= n && sane_header(p + end))) {
			*found = 1;
			return k;
		}
		if (end + 5 > n)
			return k; /* wait for the bytes that tell */
	}
	return n >= 4 ? n - 4 : 0; /* a header may straddle the end */
}

/* Whole records from the front of p; each run of them is one layer.  Bytes
 * that are not a record (a capture that began mid-stream, a gap, another
 * protocol) are said once, then skipped until records resume. */
static size_t consume(void *state, struct ns_stream_ctx *ctx, const uint8_t *p,
		      size_t n)
{
	struct tls_state *st = state;
	struct tls_dir *d = &st->d[ctx->dir];
	size_t used = 0;
	for (;;) {
		if (d->resync) {
			int found;
			used += resync_at(p + used, n - used, &found);
			if (!found)
				return used;
			d->resync = 0;
		}
		size_t start = used;
		while (n - used >= 5 && sane_header(p + used)) {
			size_t len = be16(p + used + 3);
			if (n - used < 5 + len)
				break;
			used += 5 + len;
		}
		if (used > start)
			layer(st, ctx, p + start, used - start);
		if (n - used < 5 || sane_header(p + used))
			return used;
		if (!d->told) {
			/* on a few of the bytes: the first header is what is
			 * wrong */
			layer(st, ctx, p + used, n - used < 16 ? n - used : 16);
			d->told = 1;
		}
		d->resync = 1;
		d->hs_len = 0;
	}
}

/* Record boundaries are lost with the bytes: find them again. */
static int gap(void *state, struct ns_stream_ctx *ctx, uint32_t n)
{
	struct tls_dir *d = &((struct tls_state *)state)->d[ctx->dir];
	(void)n;
	d->resync = 1;
	d->hs_len = 0; /* an unfinished message lost its middle */
	return 1;
}

static void destroy(void *state)
{
	struct tls_state *st = state;
	free(st->d[0].hs);
	free(st->d[1].hs);
}

static void summary(const void *state, struct ns_buf *out)
{
	const struct tls_state *st = state;
	if (!st->hellos && !st->have_cipher)
		return;
	ns_buf_puts(out, "TLS");
	if (st->sni[0]) {
		ns_buf_puts(out, " sni=");
		ns_buf_escaped(out, (const uint8_t *)st->sni, strlen(st->sni));
	}
	if (st->version)
		put_version(out, st->version);
	else if (st->offered)
		ns_buf_puts(out, " no-serverhello");
	if (st->have_cipher) {
		ns_buf_putc(out, ' ');
		put_name(out, ciphers, st->cipher);
	}
	if (st->alpn[0]) {
		ns_buf_puts(out, " alpn=");
		ns_buf_escaped(out, (const uint8_t *)st->alpn,
			       strlen(st->alpn));
	} else if (st->offered_alpn[0]) {
		ns_buf_puts(out, " alpn-offered=");
		ns_buf_escaped(out, (const uint8_t *)st->offered_alpn,
			       strlen(st->offered_alpn));
	}
	if (st->hrr)
		ns_buf_puts(out, " hrr");
	if (st->ja4[0]) {
		ns_buf_puts(out, " ja4=");
		ns_buf_puts(out, st->ja4);
	}
	if (st->hs_done) {
		long long us = (long long)((st->hs_time + 500) / 1000);
		ns_buf_printf(out, " handshake=%lld.%03lldms", us / 1000,
			      us % 1000);
	}
	if (st->have_alert) {
		ns_buf_puts(out, " alert=");
		put_name(out, alert_levels, st->alert_level);
		ns_buf_putc(out, ':');
		put_name(out, alert_descs, st->alert_desc);
	}
}

static const struct ns_stream_ops ops = {
    .probe = probe,
    .state_size = sizeof(struct tls_state),
    .consume = consume,
    .gap = gap,
    .destroy = destroy,
    .summary = summary,
};

static const struct ns_binding bindings[] = {
    {NS_TAB_TCP_PORT, 443},
    {0, 0},
};

struct ns_dissector ns_diss_tls = {
    .name = "tls",
    .column = "TLS",
    .title = "Transport Layer Security",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
    .stream = &ops,
};
