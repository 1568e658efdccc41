/*
 * test_dfilter — display filters (src/filter/), table-driven.
 *
 * Under test: every operator and its keyword form, precedence (checked
 * through the parenthesised explanation), every literal form (decimal,
 * hex, octal, binary, character, strings with escapes, raw strings,
 * value names, booleans, IPv4/IPv6 with CIDR, MAC addresses in three
 * spellings, byte strings), slices (and the empty or descending ranges
 * tshark 4.0 refuses), functions, membership with ranges,
 * Wireshark 4's two-sided meaning of ip.addr / tcp.port with == and !=,
 * === and !==, and errors with their column.  Each row is evaluated
 * against one of two packets built here: an IPv4 TCP segment carrying an
 * HTTP request line, and an IPv6 UDP datagram.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"
#include "filter/dfilter.h"

/* eth / IPv4 192.0.2.1:33333 → 198.51.100.2:44444, PSH+ACK, TTL 64, DF,
 * id 0x1234, options MSS 1460, SACK_PERM, TS 1/2, NOP, WS 7, EOL */
static struct tu_frame tcp4;
/* eth / IPv6 2001:db8::1:33333 → 2001:db8::2:44444 UDP "ping" */
static struct tu_frame udp6;

#define PAYLOAD "GET /index.html HTTP/1.1\r\nHost: Example.COM\r\n\r\n"

static void build(void)
{
	static const uint8_t opts[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10,
				       0, 0, 0,	   1,	 0, 0, 0, 2,
				       1, 3, 3,	   7,	 0, 0, 0, 0};
	tu_frame_init(&tcp4);
	tu_eth(&tcp4, 0x0800);
	size_t ip = tu_ipv4(&tcp4, 6);
	tu_put16(&tcp4, TU_PORT_A);
	tu_put16(&tcp4, TU_PORT_B);
	tu_put32(&tcp4, 1000);
	tu_put32(&tcp4, 2000);
	tu_put16(&tcp4, (uint16_t)(((20 + sizeof(opts)) / 4) << 12 | 0x018));
	tu_put16(&tcp4, 65535);
	tu_put16(&tcp4, 0xbeef);
	tu_put16(&tcp4, 7);
	tu_put(&tcp4, opts, sizeof(opts));
	tu_put(&tcp4, (const uint8_t *)PAYLOAD, strlen(PAYLOAD));
	tu_ipv4_end(&tcp4, ip);

	tu_frame_init(&udp6);
	tu_eth(&udp6, 0x86dd);
	tu_ipv6_udp(&udp6);
}

enum { NO = 0, YES = 1, ERR = -1 };

struct row {
	const char *expr;
	int want;	 /* YES, NO, or ERR */
	unsigned col;	 /* ERR: the column reported */
	const char *msg; /* ERR: part of the message */
};

/* clang-format off */
static const struct row tcp_rows[] = {
	/* existence of protocols and fields */
	{"tcp", YES, 0, NULL},
	{"eth", YES, 0, NULL},
	{"ip", YES, 0, NULL},
	{"frame", YES, 0, NULL},
	{"udp", NO, 0, NULL},
	{"ipv6", NO, 0, NULL},
	{"dns", NO, 0, NULL},
	{"tcp.options.mss_val", YES, 0, NULL},
	{"tcp.options.sack_le", NO, 0, NULL},
	{"tcp.payload", YES, 0, NULL},
	{"ip.options", NO, 0, NULL},
	{"tcp.options.timestamp.tsval", YES, 0, NULL},
	/* == and its keyword forms */
	{"tcp.srcport == 33333", YES, 0, NULL},
	{"tcp.srcport eq 33333", YES, 0, NULL},
	{"tcp.srcport any_eq 33333", YES, 0, NULL},
	{"tcp.srcport == 33334", NO, 0, NULL},
	{"tcp.dstport==44444", YES, 0, NULL},
	{"ip.ttl == 64", YES, 0, NULL},
	{"ip.ttl == 0x40", YES, 0, NULL},
	{"ip.ttl == 0100", YES, 0, NULL},
	{"ip.ttl == 0b1000000", YES, 0, NULL},
	{"ip.ttl == 0B1000000", YES, 0, NULL},
	{"ip.ttl == 65", NO, 0, NULL},
	{"ip.id == 0x1234", YES, 0, NULL},
	{"ip.id == 4660", YES, 0, NULL},
	{"ip.ttl == '@'", YES, 0, NULL},
	{"ip.ttl == '\\x40'", YES, 0, NULL},
	{"ip.ttl == '\\100'", YES, 0, NULL},
	/* != and all_ne */
	{"ip.ttl != 64", NO, 0, NULL},
	{"ip.ttl ne 63", YES, 0, NULL},
	{"ip.ttl all_ne 64", NO, 0, NULL},
	{"ip.ttl != 1", YES, 0, NULL},
	/* ordering, symbolic and keyword */
	{"ip.ttl > 63", YES, 0, NULL},
	{"ip.ttl > 64", NO, 0, NULL},
	{"ip.ttl gt 63", YES, 0, NULL},
	{"ip.ttl >= 64", YES, 0, NULL},
	{"ip.ttl ge 65", NO, 0, NULL},
	{"ip.ttl < 65", YES, 0, NULL},
	{"ip.ttl lt 64", NO, 0, NULL},
	{"ip.ttl <= 64", YES, 0, NULL},
	{"ip.ttl le 63", NO, 0, NULL},
	{"frame.len > 100 && frame.len < 200", YES, 0, NULL},
	{"65 > ip.ttl", YES, 0, NULL},
	{"64 == ip.ttl", YES, 0, NULL},
	{"63 >= ip.ttl", NO, 0, NULL},
	/* two-sided fields (Wireshark 4) */
	{"ip.addr == 192.0.2.1", YES, 0, NULL},
	{"ip.addr == 198.51.100.2", YES, 0, NULL},
	{"ip.addr == 203.0.113.9", NO, 0, NULL},
	{"ip.addr != 192.0.2.1", NO, 0, NULL},
	{"ip.addr ~= 192.0.2.1", YES, 0, NULL},
	{"ip.addr !== 192.0.2.1", YES, 0, NULL},
	{"ip.addr any_ne 192.0.2.1", YES, 0, NULL},
	{"ip.addr === 192.0.2.1", NO, 0, NULL},
	{"ip.addr all_eq 192.0.2.1", NO, 0, NULL},
	{"ip.src === 192.0.2.1", YES, 0, NULL},
	{"tcp.port == 33333", YES, 0, NULL},
	{"tcp.port == 44444", YES, 0, NULL},
	{"tcp.port == 80", NO, 0, NULL},
	{"tcp.port != 80", YES, 0, NULL},
	{"tcp.port != 33333", NO, 0, NULL},
	{"!(tcp.port == 33333)", NO, 0, NULL},
	{"eth.addr == 00:00:5e:00:53:01", YES, 0, NULL},
	{"eth.addr == 00:00:5e:00:53:02", YES, 0, NULL},
	{"eth.addr == ff:ff:ff:ff:ff:ff", NO, 0, NULL},
	/* CIDR */
	{"ip.src == 192.0.2.0/24", YES, 0, NULL},
	{"ip.src == 192.0.2.0/25", YES, 0, NULL},
	{"ip.src == 192.0.2.128/25", NO, 0, NULL},
	{"ip.addr == 198.51.100.0/24", YES, 0, NULL},
	{"ip.addr == 10.0.0.0/8", NO, 0, NULL},
	{"ip.src == 0.0.0.0/0", YES, 0, NULL},
	{"ip.src == 192.0.2.1/32", YES, 0, NULL},
	{"ip.dst != 198.51.0.0/16", NO, 0, NULL},
	{"ip.src > 192.0.2.0", YES, 0, NULL},
	{"ip.src < 192.0.2.1", NO, 0, NULL},
	{"ip.src <= 192.0.2.1", YES, 0, NULL},
	{"ip.dst > ip.src", YES, 0, NULL},
	{"ip.src == ip.dst", NO, 0, NULL},
	/* MAC addresses in three spellings */
	{"eth.src == 00:00:5e:00:53:01", YES, 0, NULL},
	{"eth.src == 00-00-5e-00-53-01", YES, 0, NULL},
	{"eth.src == 0000.5e00.5301", YES, 0, NULL},
	{"eth.src == 00:00:5E:00:53:01", YES, 0, NULL},
	{"eth.dst == 00:00:5e:00:53:01", NO, 0, NULL},
	{"eth.src < eth.dst", YES, 0, NULL},
	/* booleans, flags, value names */
	{"tcp.flags.push == 1", YES, 0, NULL},
	{"tcp.flags.push == True", YES, 0, NULL},
	{"tcp.flags.push == true", YES, 0, NULL},
	{"tcp.flags.push == FALSE", NO, 0, NULL},
	{"tcp.flags.push == 2", YES, 0, NULL},
	{"tcp.flags.syn == 0", YES, 0, NULL},
	{"tcp.flags.syn", YES, 0, NULL},
	{"tcp.flags.syn == 1", NO, 0, NULL},
	{"tcp.flags == 0x018", YES, 0, NULL},
	{"tcp.flags == 0x18", YES, 0, NULL},
	{"tcp.flags & 0x10", YES, 0, NULL},
	{"tcp.flags & 0x02", NO, 0, NULL},
	{"tcp.flags & 0x12 == 0x10", YES, 0, NULL},
	{"tcp.flags bitand 0x08", YES, 0, NULL},
	{"ip.proto == TCP", YES, 0, NULL},
	{"ip.proto == tcp", ERR, 13, "cannot be compared"},
	{"ip.proto == \"TCP\"", YES, 0, NULL},
	{"ip.proto == 6", YES, 0, NULL},
	{"ip.proto == UDP", NO, 0, NULL},
	{"ip.flags.df == 1 and ip.flags.mf == 0", YES, 0, NULL},
	/* strings, bytes, contains */
	{"tcp.payload contains \"GET\"", YES, 0, NULL},
	{"tcp.payload contains \"POST\"", NO, 0, NULL},
	{"tcp.payload contains 47:45:54", YES, 0, NULL},
	{"tcp.payload contains 47-45-54", YES, 0, NULL},
	{"tcp.payload contains 47.45.54", YES, 0, NULL},
	{"tcp.payload contains \"\\x47ET\"", YES, 0, NULL},
	{"tcp.payload contains \"\\r\\n\\r\\n\"", YES, 0, NULL},
	{"tcp.payload contains \"\\107ET\"", YES, 0, NULL},
	{"tcp.payload contains r\"HTTP/1.1\"", YES, 0, NULL},
	{"tcp contains \"Example\"", YES, 0, NULL},
	{"frame contains \"Example\"", YES, 0, NULL},
	{"frame contains 00:00:5e:00:53:01", YES, 0, NULL},
	{"eth contains 08:00", YES, 0, NULL},
	{"ip contains c0:00:02:01", YES, 0, NULL},
	{"udp contains \"GET\"", NO, 0, NULL},
	{"tcp.payload contains \"\"", YES, 0, NULL},
	/* matches: PCRE2, caseless as in Wireshark */
	{"tcp.payload matches \"^GET /\"", YES, 0, NULL},
	{"tcp.payload matches \"^get /\"", YES, 0, NULL},
	{"tcp.payload matches \"(?-i)^get /\"", NO, 0, NULL},
	{"tcp.payload matches \"host: example\\\\.com\"", YES, 0, NULL},
	{"tcp.payload matches r\"\\d\\.\\d\"", YES, 0, NULL},
	{"tcp.payload ~ \"index\\\\.html\"", YES, 0, NULL},
	{"tcp.payload matches \"^POST\"", NO, 0, NULL},
	{"frame matches \"HTTP/1\\\\.[01]\"", YES, 0, NULL},
	/* slices */
	{"tcp.payload[0:3] == \"GET\"", YES, 0, NULL},
	{"tcp.payload[0:3] == 47:45:54", YES, 0, NULL},
	{"tcp.payload[0-2] == \"GET\"", YES, 0, NULL},
	{"tcp.payload[0] == 'G'", YES, 0, NULL},
	{"tcp.payload[0] == 47", YES, 0, NULL},
	{"tcp.payload[0] == 0x47", YES, 0, NULL},
	{"tcp.payload[:3] == \"GET\"", YES, 0, NULL},
	{"tcp.payload[4:] contains \"HTTP\"", YES, 0, NULL},
	{"tcp.payload[-4:] == 0d:0a:0d:0a", YES, 0, NULL},
	{"tcp.payload[-1] == 0a", YES, 0, NULL},
	{"tcp.payload[0:2,4] == \"GE/\"", YES, 0, NULL},
	{"tcp.payload[1000:2] == 00:00", NO, 0, NULL},
	{"tcp.payload[1000:2]", NO, 0, NULL},
	{"tcp.payload[0:2]", YES, 0, NULL},
	{"eth.src[0:3] == 00:00:5e", YES, 0, NULL},
	{"ip.src[0] == c0", YES, 0, NULL},
	{"ip[0] == 0x45", YES, 0, NULL},
	{"ip[9] == 06", YES, 0, NULL},
	{"frame[12:2] == 08:00", YES, 0, NULL},
	{"tcp[13] == 18", YES, 0, NULL},
	{"tcp[0:2] == 82:35", YES, 0, NULL},
	{"tcp.payload[0-1] == \"GE\"", YES, 0, NULL},
	{"tcp.payload[-4--1] == 0d:0a:0d:0a", YES, 0, NULL},
	{"tcp.payload[-0-1] == \"GE\"", YES, 0, NULL},
	{"ip[5:]", YES, 0, NULL},
	/* [a:] at the very end is the one empty slice: "" as in tshark, and
	 * an empty value joined or lowered stays empty */
	{"tcp.payload[47:] == \"\"", YES, 0, NULL},
	{"tcp.payload[47:,47:] == \"\"", YES, 0, NULL},
	{"lower(tcp.payload[47:]) == \"\"", YES, 0, NULL},
	{"tcp.payload[0:1,47:] == \"G\"", YES, 0, NULL},
	/* functions */
	{"len(tcp.payload) == 47", YES, 0, NULL},
	{"len(tcp.payload) > 100", NO, 0, NULL},
	{"len(eth.src) == 6", YES, 0, NULL},
	{"len(ip) == 111", YES, 0, NULL},
	{"len(eth) == 125", YES, 0, NULL},
	{"len(tcp.payload[0:3]) == 3", YES, 0, NULL},
	{"count(tcp.option_kind) == 4", YES, 0, NULL},
	{"count(tcp.option_kind) > 4", NO, 0, NULL},
	{"count(ip.addr) == 2", YES, 0, NULL},
	{"count(dns.qry.name) == 0", YES, 0, NULL},
	{"lower(tcp.payload) contains \"example.com\"", YES, 0, NULL},
	{"upper(tcp.payload) contains \"EXAMPLE.COM\"", YES, 0, NULL},
	{"upper(tcp.payload) contains \"example\"", NO, 0, NULL},
	{"lower(tcp.payload[0:3]) == \"get\"", YES, 0, NULL},
	{"len(lower(tcp.payload)) == 47", YES, 0, NULL},
	/* membership */
	{"tcp.srcport in {33333, 80}", YES, 0, NULL},
	{"tcp.srcport in {80 443}", NO, 0, NULL},
	{"tcp.srcport in {1..1024}", NO, 0, NULL},
	{"tcp.srcport in {1024..65535}", YES, 0, NULL},
	{"tcp.srcport in {1 .. 40000}", YES, 0, NULL},
	{"tcp.port in {80, 44444}", YES, 0, NULL},
	{"tcp.port not in {80, 443}", YES, 0, NULL},
	{"tcp.port not in {33333}", NO, 0, NULL},
	{"ip.ttl in {0x40}", YES, 0, NULL},
	{"ip.src in {192.0.2.0/24, 10.0.0.1}", YES, 0, NULL},
	{"ip.dst in {192.0.2.1..192.0.2.9}", NO, 0, NULL},
	{"ip.src in {192.0.2.1..192.0.2.9}", YES, 0, NULL},
	{"ip.proto in {TCP, UDP}", YES, 0, NULL},
	{"tcp.payload[0:3] in {\"GET\", \"PUT\"}", YES, 0, NULL},
	{"eth.src in {00:00:5e:00:53:01}", YES, 0, NULL},
	/* logic and precedence */
	{"tcp and ip", YES, 0, NULL},
	{"tcp && udp", NO, 0, NULL},
	{"tcp or udp", YES, 0, NULL},
	{"udp || tcp", YES, 0, NULL},
	{"udp || dns", NO, 0, NULL},
	{"not udp", YES, 0, NULL},
	{"!udp", YES, 0, NULL},
	{"! tcp", NO, 0, NULL},
	{"not not tcp", YES, 0, NULL},
	{"tcp xor udp", YES, 0, NULL},
	{"tcp ^^ ip", NO, 0, NULL},
	{"udp xor dns", NO, 0, NULL},
	{"udp and tcp or ip", YES, 0, NULL},
	{"udp and (tcp or ip)", NO, 0, NULL},
	{"tcp or udp and dns", YES, 0, NULL},
	{"(tcp or udp) and dns", NO, 0, NULL},
	{"not tcp or ip", YES, 0, NULL},
	{"not (tcp or ip)", NO, 0, NULL},
	{"tcp xor ip or ip", YES, 0, NULL},
	{"tcp and not tcp.flags.syn == 1 and tcp.len > 0", YES, 0, NULL},
	{"((tcp))", YES, 0, NULL},
	/* fields compared with fields */
	{"tcp.srcport < tcp.dstport", YES, 0, NULL},
	{"tcp.srcport == tcp.dstport", NO, 0, NULL},
	{"ip.ttl < tcp.srcport", YES, 0, NULL},
	/* times and doubles */
	{"frame.time_relative == 0", YES, 0, NULL},
	{"frame.time_relative > 0.5", NO, 0, NULL},
	{"frame.time_epoch < 1", YES, 0, NULL},
	{"frame.time_epoch == \"1970-01-01 00:00:00\"", YES, 0, NULL},
	{"frame.time_epoch > \"2000-01-01T00:00:00Z\"", NO, 0, NULL},
	/* errors, with their columns */
	{"", ERR, 1, "empty"},
	{"   ", ERR, 4, "empty"},
	{"tcp.prot == 1", ERR, 1, "did you mean tcp.port?"},
	{"ip.srcc == 1.2.3.4", ERR, 1, "did you mean ip.src?"},
	{"tcp and tpc", ERR, 9, "did you mean tcp?"},
	{"nosuchthing", ERR, 1, "unknown field \"nosuchthing\""},
	{"tcp.port ==", ERR, 12, "unexpected end"},
	{"tcp.port == 80 and", ERR, 19, "unexpected end"},
	{"(tcp", ERR, 1, "not closed"},
	{"tcp)", ERR, 4, "unexpected \")\""},
	{"tcp.port == 80 80", ERR, 16, "unexpected \"80\""},
	{"tcp.port = 80", ERR, 10, "unexpected character '='"},
	{"tcp.port == 70000", ERR, 13, "too large for tcp.port"},
	{"ip.ttl != 255", YES, 0, NULL},
	{"ip.ttl == 256", ERR, 11, "too large"},
	{"tcp.port == -1", ERR, 13, "negative"},
	{"tcp.port == abc", ERR, 13, "not a valid unsigned integer"},
	{"ip.src == 1.2.3", ERR, 11, "not a valid IPv4 address"},
	{"ip.src == 1.2.3.4/33", ERR, 19, "bad prefix length"},
	{"ip.src == 10.0.0.0/x", ERR, 20, "bad prefix length"},
	{"ipv6.src == 2001:db8::g", ERR, 13, "not a valid IPv6 address"},
	{"ipv6.src == 2001:db8::/129", ERR, 24, "bad prefix length"},
	{"eth.src == 00:11:22", ERR, 12, "not a valid Ethernet address"},
	{"eth.src == \"00:11:22:33:44:55\"", ERR, 12, "Ethernet"},
	{"tcp.payload == zz", ERR, 16, "byte string"},
	{"tcp.payload contains \"abc", ERR, 22, "not closed"},
	{"tcp.payload contains \"\\q\"", ERR, 23, "unknown escape"},
	{"tcp.payload contains \"\\xg\"", ERR, 23, "\\x needs hex digits"},
	{"ip.ttl == 'ab'", ERR, 11, "one character"},
	{"tcp.port contains 80", ERR, 10, "\"contains\" needs a string"},
	{"tcp.port matches \"8\"", ERR, 10, "\"matches\" needs a string"},
	{"tcp.payload matches GET", ERR, 21, "quoted regular expression"},
	{"tcp.payload matches \"(\"", ERR, 21, "bad regular expression"},
	{"\"GET\" contains tcp.payload", ERR, 7, "must be a field"},
	{"\"GET\"", ERR, 1, "needs a field"},
	{"80 == 80", ERR, 1, "unknown field \"80\""},
	{"tcp.port in 80", ERR, 13, "expected '{'"},
	{"tcp.port in {}", ERR, 14, "empty set"},
	{"tcp.port in {80,", ERR, 17, "expected a value"},
	{"tcp.port in {80", ERR, 16, "expected a value"},
	{"tcp.port not 80", ERR, 10, "expected a relation"},
	{"tcp.payload[", ERR, 12, "not closed"},
	{"tcp.payload[x]", ERR, 13, "bad slice"},
	{"tcp.payload[1:-2]", ERR, 13, "bad slice"},
	/* ranges selecting nothing, refused as tshark 4.0 refuses them */
	{"tcp.payload[1:-2] == 00", ERR, 13, "length -2 is not positive"},
	{"ip[0:0]", ERR, 4, "bad slice \"0:0\": length 0 is not positive"},
	{"ip[1:0]", ERR, 4, "\"1:0\": length 0 is not positive"},
	{"ip[0:0,:0]", ERR, 4, "\"0:0\": length 0 is not positive"},
	{"ip[:0]", ERR, 4, "\":0\": length 0 is not positive"},
	{"ip[-1:0]", ERR, 4, "\"-1:0\": length 0 is not positive"},
	{"frame[0:1,:0] == 00", ERR, 11, "\":0\": length 0 is not positive"},
	{"frame[0:1,0:0]", ERR, 11, "\"0:0\": length 0 is not positive"},
	{"frame[2-1]", ERR, 7, "\"2-1\": the end 1 is not above the start 2"},
	{"frame[2-1] == 00", ERR, 7, "the end 1 is not above the start 2"},
	{"frame[2-2]", ERR, 7, "the end 2 is not above the start 2"},
	{"frame[0-0]", ERR, 7, "the end 0 is not above the start 0"},
	{"frame[-1--2]", ERR, 7, "the end -2 is not above the start -1"},
	{"frame[-1-2]", ERR, 7, "-1 and 2 have different signs"},
	{"frame[3--1]", ERR, 7, "3 and -1 have different signs"},
	{"len(tcp.payload[0:2,5-5]) == 3", ERR, 21, "\"5-5\""},
	{"tcp.port[0]", ERR, 9, "cannot be sliced"},
	{"foo.bar[0] == 1", ERR, 1, "unknown field"},
	{"len(tcp.port) == 2", ERR, 5, "needs a string or bytes"},
	{"nope(tcp.payload)", ERR, 1, "unknown function"},
	{"len(tcp.payload == 3", ERR, 17, "expected ')'"},
	{"count(\"x\") == 1", ERR, 7, "needs a field"},
	{"count(tcp.payload[0:1]) == 1", ERR, 7, "count() takes a field"},
	{"tcp.flags & tcp", ERR, 13, "mask of '&' must be a number"},
	{"tcp.payload & 1", ERR, 13, "'&' needs an integer field"},
	{"ip.src == eth.src", ERR, 11, "cannot be compared"},
	{"tcp.port == 80 || || udp", ERR, 19, "unexpected \"||\""},
	{"tcp.port == 80 $", ERR, 16, "unexpected character '$'"},
	{"frame.time_epoch == \"yesterday\"", ERR, 21, "not a valid number"},
	{"tcp.flags.syn == maybe", ERR, 18, "not a valid unsigned"},
	{"ip.proto == NOTAPROTO", ERR, 13, "value name of ip.proto"},
};

static const struct row udp6_rows[] = {
	{"udp", YES, 0, NULL},
	{"ipv6", YES, 0, NULL},
	{"ip", NO, 0, NULL},
	{"tcp", NO, 0, NULL},
	{"udp.port == 33333", YES, 0, NULL},
	{"udp.port == 44444", YES, 0, NULL},
	{"udp.port != 53", YES, 0, NULL},
	{"udp.length == 12", YES, 0, NULL},
	{"udp.payload == \"ping\"", YES, 0, NULL},
	{"udp.payload contains 69:6e", YES, 0, NULL},
	{"ipv6.addr == 2001:db8::1", YES, 0, NULL},
	{"ipv6.addr == 2001:db8::2", YES, 0, NULL},
	{"ipv6.addr == 2001:db8::3", NO, 0, NULL},
	{"ipv6.addr == 2001:db8::/32", YES, 0, NULL},
	{"ipv6.src == 2001:db8::/127", YES, 0, NULL},
	{"ipv6.src == 2001:db9::/32", NO, 0, NULL},
	{"ipv6.src == ::/0", YES, 0, NULL},
	{"ipv6.dst > ipv6.src", YES, 0, NULL},
	{"ipv6.addr != 2001:db8::1", NO, 0, NULL},
	{"ipv6.addr ~= 2001:db8::1", YES, 0, NULL},
	{"ipv6.hlim == 64", YES, 0, NULL},
	{"ipv6.nxt == UDP", YES, 0, NULL},
	{"ipv6.nxt == 17 and not ip.addr == 0.0.0.0/0", YES, 0, NULL},
	{"ip.addr != 192.0.2.1", NO, 0, NULL},
	{"tcp.port != 80", NO, 0, NULL},
	{"eth.type == 0x86dd", YES, 0, NULL},
	{"eth.type == 0x0800", NO, 0, NULL},
	{"ipv6.src in {2001:db8::1, ::1}", YES, 0, NULL},
	{"ipv6.src in {2001:db8::..2001:db8::ff}", YES, 0, NULL},
	{"len(udp.payload) == 4 xor udp.srcport == 1", YES, 0, NULL},
};

/* how a filter is read: precedence and grouping */
static const struct {
	const char *expr, *explained;
} explained[] = {
	{"a.b", NULL},
	{"tcp or udp and dns", "(tcp or (udp and dns))"},
	{"tcp and udp or dns", "((tcp and udp) or dns)"},
	{"tcp or udp xor dns and ip", "(tcp or (udp xor (dns and ip)))"},
	{"not tcp and udp", "(not tcp and udp)"},
	{"!tcp.port == 80", "not (tcp.port == 80)"},
	{"tcp && udp || !dns ^^ ip", "((tcp and udp) or (not dns xor ip))"},
	{"tcp or udp or dns", "((tcp or udp) or dns)"},
	{"80 < tcp.port", "(tcp.port > 80)"},
	{"tcp.port in {80, 443}", "(tcp.port in {80, 443})"},
	{"tcp.port not in {80}", "(tcp.port not in {80})"},
	{"len(tcp.payload)>3", "(len(tcp.payload) > 3)"},
	{"tcp.flags & 0x02", "tcp.flags & 0x02"},
	{"tcp.port eq 1 and ip.ttl ge 2", "((tcp.port == 1) and (ip.ttl >= 2))"},
};
/* clang-format on */

static void check_row(const struct row *r, const struct ns_packet *pkt)
{
	struct ns_dfilter_error e;
	struct ns_dfilter *df = ns_dfilter_compile(r->expr, &e);
	if (r->want == ERR) {
		ck_assert_msg(!df, "'%s' compiled; expected an error", r->expr);
		ck_assert_msg(e.col == r->col && strstr(e.msg, r->msg),
			      "'%s': got column %u \"%s\", want column %u "
			      "with \"%s\"",
			      r->expr, e.col, e.msg, r->col, r->msg);
		return;
	}
	ck_assert_msg(df, "'%s': column %u: %s", r->expr, e.col, e.msg);
	int m = ns_dfilter_match(df, pkt);
	ns_dfilter_free(df);
	ck_assert_msg(m == r->want, "'%s' gave %d, want %d", r->expr, m,
		      r->want);
}

START_TEST(tcp_table)
{
	build();
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, tcp4.b, tcp4.n);
	tu_assert_ok(pkt);
	check_row(&tcp_rows[_i], pkt);
}
END_TEST

START_TEST(udp6_table)
{
	build();
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, udp6.b, udp6.n);
	tu_assert_ok(pkt);
	check_row(&udp6_rows[_i], pkt);
}
END_TEST

START_TEST(explain_table)
{
	struct ns_dfilter_error e;
	struct ns_dfilter *df = ns_dfilter_compile(explained[_i].expr, &e);
	if (!explained[_i].explained) {
		ck_assert_ptr_null(df);
		return;
	}
	ck_assert_msg(df, "'%s': %s", explained[_i].expr, e.msg);
	struct ns_buf b = {0};
	ns_dfilter_explain(df, &b);
	ns_buf_putc(&b, '\0');
	ck_assert_str_eq(b.p, explained[_i].explained);
	ns_buf_free(&b);
	ns_dfilter_free(df);
}
END_TEST

/* One compiled filter evaluated over many packets keeps its answers (the
 * scratch vectors are reused, regexes' match data too). */
START_TEST(reuse)
{
	build();
	struct ns_dfilter_error e;
	struct ns_dfilter *df = ns_dfilter_compile(
	    "lower(tcp.payload) matches \"example\" or udp.port == 44444", &e);
	ck_assert_ptr_nonnull(df);
	for (int i = 0; i < 100; i++) {
		struct ns_packet *pkt =
		    i % 2 ? tu_dissect_full(TU_LT_EN10MB, udp6.b, udp6.n)
			  : tu_dissect_full(TU_LT_EN10MB, tcp4.b, tcp4.n);
		ck_assert_int_eq(ns_dfilter_match(df, pkt), 1);
	}
	ns_dfilter_free(df);
}
END_TEST

/* A truncated packet: fields that were not recorded do not exist, the
 * ones before the cut compare as usual. */
START_TEST(truncated)
{
	build();
	struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, tcp4.b, 40, tcp4.n);
	struct ns_dfilter_error e;
	struct ns_dfilter *df = ns_dfilter_compile(
	    "ip.ttl == 64 and not tcp.payload and frame.len > frame.cap_len",
	    &e);
	ck_assert_ptr_nonnull(df);
	ck_assert_int_eq(ns_dfilter_match(df, pkt), 1);
	ns_dfilter_free(df);
}
END_TEST

/* Which filters can be answered from the frame layer alone. */
START_TEST(frame_only)
{
	static const struct {
		const char *expr;
		int frame_only;
	} t[] = {
	    {"frame.len > 100 && frame.number in {1..5}", 1},
	    {"frame contains \"x\" or frame.time_relative < 1", 1},
	    {"frame.len > 100 && tcp", 0},
	    {"len(tcp.payload) == frame.cap_len", 0},
	    {"ip.addr == 10.0.0.0/8", 0},
	};
	for (size_t i = 0; i < NS_NELEM(t); i++) {
		struct ns_dfilter_error e;
		struct ns_dfilter *df = ns_dfilter_compile(t[i].expr, &e);
		ck_assert_ptr_nonnull(df);
		ck_assert_msg(ns_dfilter_frame_only(df) == t[i].frame_only,
			      "%s", t[i].expr);
		ns_dfilter_free(df);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dfilter");
	TCase *tc = tu_tcase("tables");
	tcase_add_loop_test(tc, tcp_table, 0, NS_NELEM(tcp_rows));
	tcase_add_loop_test(tc, udp6_table, 0, NS_NELEM(udp6_rows));
	tcase_add_loop_test(tc, explain_table, 0, NS_NELEM(explained));
	tcase_add_test(tc, reuse);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, frame_only);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
