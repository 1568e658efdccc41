/*
 * test_output — the text sinks (src/output/output.c): the one-line summary, the
 * -T fields value conventions (tshark's), the tree's display form and the
 * hex dump layout; the -E options of -T fields; JSON strings and the
 * JSON layout (repeated keys, subtrees, quoted and repeated layers).
 *
 * Summary line: "%5u %s %s → %s %s %u %s" — number right-aligned in 5,
 * relative time with the source's precision, addresses with ports folded in
 * (IPv6 in brackets when it has a port), protocol column of the topmost
 * layer, wire length, info of the topmost layer with an info function.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "output/output.h"

/* Ethernet/IPv4/TCP SYN 33333 → 44444, Seq=1000, Win=65535, no options. */
static void build_tcp4(struct tu_frame *f)
{
	tu_frame_init(f);
	tu_eth(f, 0x0800);
	size_t ip = tu_ipv4(f, 6);
	TU_PUT(f, 0x82, 0x35, 0xad, 0x9c, /* ports 33333, 44444 */
	       0x00, 0x00, 0x03, 0xe8,	  /* seq 1000 */
	       0x00, 0x00, 0x00, 0x00,	  /* ack */
	       0x50, 0x02, 0xff, 0xff,	  /* hlen 20, SYN, window */
	       0x00, 0x00, 0x00, 0x00);	  /* checksum, urgent */
	tu_ipv4_end(f, ip);
}

START_TEST(summary_ipv4_ports)
{
	struct tu_frame f;
	build_tcp4(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 192.0.2.1:33333" TU_ARROW
			 "198.51.100.2:44444 TCP 54 [SYN] Seq=1000 Win=65535 "
			 "Len=0");
}
END_TEST

START_TEST(summary_ipv6_ports_in_brackets)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x86dd);
	size_t ip = tu_ipv6(&f, 17);
	TU_PUT(&f, 0x82, 0x35, 0xad, 0x9c, 0x00, 0x0c, 0x00, 0x00, /* UDP */
	       'p', 'i', 'n', 'g');
	tu_ipv6_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 [2001:db8::1]:33333" TU_ARROW
			 "[2001:db8::2]:44444 UDP 66 Len=4");
}
END_TEST

START_TEST(summary_ipv6_no_ports_no_brackets)
{
	struct tu_frame f;
	tu_frame_init(&f);
	tu_eth(&f, 0x86dd);
	size_t ip = tu_ipv6(&f, 59); /* no next header */
	tu_ipv6_end(&f, ip);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 2001:db8::1" TU_ARROW
			 "2001:db8::2 IPv6 54 IPv6 next header 59 "
			 "(IPv6 No Next Header)");
}
END_TEST

START_TEST(summary_arp_macs)
{
	/* clang-format off */
	static const uint8_t p[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* eth dst: broadcast */
		0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01, /* request */
		0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 192, 0, 2, 1,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 198, 51, 100, 2,
	};
	/* clang-format on */
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, p, sizeof(p));
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 00:00:5e:00:53:01" TU_ARROW
			 "ff:ff:ff:ff:ff:ff ARP 42 Who has 198.51.100.2? "
			 "Tell 192.0.2.1");
}
END_TEST

START_TEST(summary_unknown_link_type)
{
	static const uint8_t p[] = {1, 2, 3, 4};
	/* named by libpcap, not dissected */
	struct ns_packet *pkt = tu_dissect_full(220, p, sizeof(p));
	tu_assert_ok(pkt);
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 ?" TU_ARROW "? USB_LINUX_MMAPPED 4 "
			 "link type USB_LINUX_MMAPPED (220) not dissected");
	/* unknown even to libpcap */
	pkt = tu_dissect_full(9999, p, sizeof(p));
	ck_assert_str_eq(tu_summary(pkt),
			 "    1 0.000000 ?" TU_ARROW
			 "? DLT 4 link type unknown (9999) not dissected");
	tu_assert_layers(pkt, "frame data");
	ck_assert_uint_eq(tu_uint(pkt, "data.len"), 4);
}
END_TEST

START_TEST(summary_number_and_time)
{
	struct tu_frame f;
	build_tcp4(&f);
	struct ns_packet *pkt = &tu_pkt;
	ns_pkt_begin(pkt, 123456, 1700000000000000000ll, 1500000001, f.n, f.n,
		     TU_LT_EN10MB, f.b);
	pkt->ts_digits = 9;
	ns_dissect(pkt);
	ck_assert(tu_starts_with(tu_summary(pkt), "123456 1.500000001 192."));
	ns_pkt_begin(pkt, 42, 0, 1500000001, f.n, f.n, TU_LT_EN10MB, f.b);
	pkt->ts_digits = 6;
	ns_dissect(pkt);
	ck_assert(tu_starts_with(tu_summary(pkt), "   42 1.500000 192."));
	/* a capture whose clock went backwards */
	ns_pkt_begin(pkt, 7, 0, -2000, f.n, f.n, TU_LT_EN10MB, f.b);
	pkt->ts_digits = 9;
	ns_dissect(pkt);
	ck_assert(tu_starts_with(tu_summary(pkt), "    7 -0.000002000 192."));
}
END_TEST

START_TEST(summary_appends_to_buffer)
{
	struct tu_frame f;
	build_tcp4(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	struct ns_buf b = {0};
	ns_buf_puts(&b, "prefix|");
	ns_format_summary(&b, pkt, NS_TIME_REL, 0);
	ns_buf_putc(&b, '\0');
	/* the number is padded relative to where the summary starts */
	ck_assert(tu_starts_with(b.p, "prefix|    1 0.000000 "));
	ns_buf_free(&b);
}
END_TEST

START_TEST(summary_outcomes)
{
	struct tu_frame f;
	build_tcp4(&f);
	struct ns_packet *pkt = tu_dissect(TU_LT_EN10MB, f.b, 40, f.n);
	ck_assert(tu_ends_with(tu_summary(pkt), " [truncated]"));
	f.b[14] = 0x44; /* IHL 16 bytes */
	pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	ck_assert(tu_ends_with(tu_summary(pkt),
			       " [malformed: IPv4: bogus header length 16]"));
}
END_TEST

/* ---- ns_format_value / ns_format_display --------------------------------- */

static const char *value(const struct ns_field *f, uint64_t u)
{
	static struct ns_buf b;
	struct ns_fv fv = {.f = f};
	fv.v.u = u;
	ns_buf_free(&b);
	ns_format_value(&b, &fv);
	ns_buf_putc(&b, '\0');
	return b.p;
}

static const char *value_b(const struct ns_field *f, const void *p, uint32_t n,
			   int display)
{
	static struct ns_buf b;
	struct ns_fv fv = {.f = f};
	fv.v.b.p = p;
	fv.v.b.n = n;
	ns_buf_free(&b);
	if (display)
		ns_format_display(&b, &fv);
	else
		ns_format_value(&b, &fv);
	ns_buf_putc(&b, '\0');
	return b.p;
}

static const char *display(const struct ns_field *f, uint64_t u)
{
	static struct ns_buf b;
	struct ns_fv fv = {.f = f};
	fv.v.u = u;
	ns_buf_free(&b);
	ns_format_display(&b, &fv);
	ns_buf_putc(&b, '\0');
	return b.p;
}

static struct ns_field hex8 = NS_F_HEX("t.hex8", "Hex8", 8);
static struct ns_field hex16 = NS_F_HEX("t.hex16", "Hex16", 16);
static struct ns_field hex20 = NS_F_HEX("t.hex20", "Hex20", 20);
static struct ns_field hex32 = NS_F_HEX("t.hex32", "Hex32", 32);
static struct ns_field hex0 = NS_F_HEX("t.hex0", "Hex0", 0);
static struct ns_field dec16 = NS_F_UINT("t.dec16", "Dec16", 16);
static struct ns_field dechex =
    NS_F("t.dh", "DecHex", NS_FT_UINT, 16, NS_BASE_DEC_HEX, NULL);
static struct ns_field bool1 = NS_F_BOOL("t.bool", "Bool");
static struct ns_field ival =
    NS_F("t.int", "Int", NS_FT_INT, 64, NS_BASE_DEC, NULL);
static struct ns_field rel = NS_F_RELTIME("t.rel", "Rel");
static struct ns_field absf = NS_F_ABSTIME("t.abs", "Abs");
static struct ns_field dbl = NS_F_DOUBLE("t.dbl", "Dbl");
static struct ns_field ether = NS_F_ETHER("t.eth", "Eth");
static struct ns_field ip4 = NS_F_IPV4("t.ip4", "IP4");
static struct ns_field ip6 = NS_F_IPV6("t.ip6", "IP6");
static struct ns_field str = NS_F_STR("t.str", "Str");
static struct ns_field bytes = NS_F_BYTES("t.bytes", "Bytes");
static struct ns_field label = NS_F_NONE("t.label", "Label");
static const struct ns_valstr colours[] = {{1, "red"}, {2, "green"}, {0, NULL}};
static struct ns_field named =
    NS_F_VALS("t.named", "Named", 8, NS_BASE_DEC, colours);

START_TEST(value_hex_width_from_bits)
{
	ck_assert_str_eq(value(&hex8, 0x6), "0x06");
	ck_assert_str_eq(value(&hex16, 0x800), "0x0800");
	ck_assert_str_eq(value(&hex16, 0), "0x0000");
	ck_assert_str_eq(value(&hex20, 0xbeef), "0x0beef"); /* 5 digits */
	ck_assert_str_eq(value(&hex32, 0x1234), "0x00001234");
	ck_assert_str_eq(value(&hex0, 0xa), "0x0a");	/* no width: a byte */
	ck_assert_str_eq(value(&hex8, 0x1ff), "0x1ff"); /* never cut */
}
END_TEST

START_TEST(value_numbers)
{
	ck_assert_str_eq(value(&dec16, 0), "0");
	ck_assert_str_eq(value(&dec16, 65535), "65535");
	ck_assert_str_eq(value(&dechex, 10), "10"); /* hex only in the tree */
	ck_assert_str_eq(value(&named, 2), "2");    /* names only in the tree */
	ck_assert_str_eq(value(&ival, (uint64_t)-5), "-5");
	ck_assert_str_eq(value(&rel, 1500000000), "1.500000000");
	ck_assert_str_eq(value(&rel, (uint64_t)-1), "-0.000000001");
	ck_assert_str_eq(value(&absf, 1700000000000000001ull),
			 "1700000000.000000001");
	struct ns_fv fv = {.f = &dbl};
	fv.v.d = 0.25;
	struct ns_buf b = {0};
	ns_format_value(&b, &fv);
	ns_buf_putc(&b, '\0');
	ck_assert_str_eq(b.p, "0.25");
	ns_buf_free(&b);
}
END_TEST

START_TEST(value_bool)
{
	ck_assert_str_eq(value(&bool1, 1), "1");
	ck_assert_str_eq(value(&bool1, 0), "0");
	ck_assert_str_eq(value(&bool1, 4), "1"); /* any non-zero */
	ck_assert_str_eq(display(&bool1, 1), "Set");
	ck_assert_str_eq(display(&bool1, 0), "Not set");
}
END_TEST

START_TEST(value_bytes_and_addresses)
{
	static const uint8_t raw[] = {0xde, 0xad, 0x00, 0xef};
	ck_assert_str_eq(value_b(&bytes, raw, 4, 0), "dead00ef"); /* plain */
	ck_assert_str_eq(value_b(&bytes, NULL, 0, 0), "");
	ck_assert_str_eq(value_b(&ether, tu_mac_a, 6, 0), TU_MAC_A);
	ck_assert_str_eq(value_b(&ip4, tu_ip4_b, 4, 0), TU_IP4_B);
	ck_assert_str_eq(value_b(&ip6, tu_ip6_a, 16, 0), TU_IP6_A);
	ck_assert_str_eq(value_b(&str, "a\\b\x01", 4, 0), "a\\\\b\\x01");
	ck_assert_str_eq(value_b(&str, "a\\b\x01", 4, 1), "\"a\\\\b\\x01\"");
	/* presence: tshark prints 1 for a field without a value */
	ck_assert_str_eq(value(&label, 0), "1");
	ck_assert_str_eq(value(tu_field("tcp"), 0),
			 "Transmission Control Protocol");
}
END_TEST

START_TEST(display_forms)
{
	ck_assert_str_eq(display(&named, 1), "red (1)");
	ck_assert_str_eq(display(&named, 9), "9");
	ck_assert_str_eq(display(&dechex, 10), "10 (0x000a)");
	ck_assert_str_eq(display(&hex16, 0x800), "0x0800");
	/* long byte strings are cut at 32 bytes with the length said */
	uint8_t big[40];
	memset(big, 0x11, sizeof(big));
	const char *s = value_b(&bytes, big, 40, 1);
	ck_assert(tu_starts_with(s, "1111111111111111111111111111111111111111"
				    "111111111111111111111111"));
	ck_assert(tu_ends_with(s, "11\xe2\x80\xa6 (40 bytes)"));
	ck_assert_str_eq(value_b(&bytes, big, 2, 1), "1111");
}
END_TEST

/* ---- hex dump ------------------------------------------------------------ */

START_TEST(hexdump_layout)
{
	uint8_t p[20];
	for (int i = 0; i < 20; i++)
		p[i] = (uint8_t)(0x3c + i); /* '<' … 'O' */
	p[0] = 0x00;
	p[1] = 0x7f;
	p[2] = 0xff;
	struct ns_buf b = {0};
	ns_format_hexdump(&b, p, 20);
	ns_buf_putc(&b, '\0');
	ck_assert_str_eq(b.p,
			 "0000  00 7f ff 3f 40 41 42 43 44 45 46 47 48 49 4a 4b"
			 "   ...?@ABCDEFGHIJK\n"
			 "0010  4c 4d 4e 4f "
			 "                                      LMNO\n");
	ns_buf_reset(&b);
	ns_format_hexdump(&b, p, 0);
	ck_assert_uint_eq(b.len, 0);
	ns_format_hexdump(&b, p, 16); /* exactly one line */
	ns_buf_putc(&b, '\0');
	ck_assert_uint_eq(strlen(b.p), 6 + 16 * 3 + 2 + 16 + 1);
	ck_assert(tu_ends_with(b.p, "   ...?@ABCDEFGHIJK\n"));
	ns_buf_free(&b);
}
END_TEST

START_TEST(hexdump_offsets)
{
	static uint8_t p[0x10010];
	struct ns_buf b = {0};
	ns_format_hexdump(&b, p, sizeof(p));
	ns_buf_putc(&b, '\0');
	ck_assert_ptr_nonnull(strstr(b.p, "\nfff0  00 "));
	ck_assert_ptr_nonnull(strstr(b.p, "\n10000  00 "));
	ns_buf_free(&b);
}
END_TEST

/* ---- whole sinks --------------------------------------------------------- */

static char *run_sink(struct ns_output *o, const struct ns_packet *pkt)
{
	char *text = NULL;
	size_t n = 0;
	o->fp = open_memstream(&text, &n);
	ck_assert_ptr_nonnull(o->fp);
	ns_output_packet(o, pkt);
	ns_output_flush(o);
	fclose(o->fp);
	ns_output_free(o);
	return text;
}

START_TEST(sink_fields)
{
	struct tu_frame f;
	build_tcp4(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	const struct ns_field *e[] = {
	    tu_field("ip.src"), tu_field("tcp.srcport"),
	    tu_field("udp.srcport"), tu_field("tcp.flags.syn"),
	    tu_field("tcp.flags")};
	struct ns_output o = {
	    .format = NS_OUT_FIELDS, .efields = e, .nefields = 5};
	char *text = run_sink(&o, pkt);
	ck_assert_str_eq(text, "192.0.2.1\t33333\t\t1\t0x0002\n");
	free(text);
}
END_TEST

START_TEST(sink_text_verbose_hex)
{
	struct tu_frame f;
	build_tcp4(&f);
	struct ns_packet *pkt = tu_dissect_full(TU_LT_EN10MB, f.b, f.n);
	struct ns_output o = {.format = NS_OUT_TEXT, .verbose = 1, .hex = 1};
	char *text = run_sink(&o, pkt);
	ck_assert(tu_starts_with(text, "    1 0.000000 192.0.2.1:33333"));
	ck_assert_ptr_nonnull(strstr(text, "\n  Frame 1: 54 bytes on wire, "
					   "54 bytes captured, link type "
					   "EN10MB (1)\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n  Transmission Control "
					   "Protocol\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n      Source Port: 33333 "
					   "[tcp.srcport]\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n          Syn: Set "
					   "[tcp.flags.syn]\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n0030  ff ff 00 00 00 00 "));
	ck_assert(tu_ends_with(text, "\n\n"));
	free(text);
}
END_TEST

/* ---- -T fields -E ----------------------------------------------------- */

static const char *eopt_err;

/* The options after applying `opt` to the defaults, or NULL on error. */
static const struct ns_fields_opts *eopt(const char *opt)
{
	static struct ns_fields_opts e;
	static char err[256];
	memset(&e, 0, sizeof(e));
	eopt_err = NULL;
	if (ns_fields_opts_set(&e, opt, err, sizeof(err)) < 0) {
		eopt_err = err;
		return NULL;
	}
	return &e;
}

START_TEST(fields_opts_parse)
{
	/* tshark 4.0: only the first character of a value counts */
	ck_assert_int_eq(eopt("header=y")->header, 1);
	ck_assert_int_eq(eopt("header=yes")->header, 1);
	ck_assert_int_eq(eopt("header=nope")->header, 0);
	ck_assert_int_eq(eopt("bom=y")->bom, 1);
	ck_assert_int_eq(eopt("separator=/t")->separator, '\t');
	ck_assert_int_eq(eopt("separator=/s")->separator, ' ');
	ck_assert_int_eq(eopt("separator=/x")->separator, '\\');
	ck_assert_int_eq(eopt("separator=/")->separator, '\\');
	ck_assert_int_eq(eopt("separator=,")->separator, ',');
	ck_assert_int_eq(eopt("separator=ab")->separator, 'a');
	ck_assert_int_eq(eopt("aggregator=/s")->aggregator, ' ');
	ck_assert_int_eq(eopt("aggregator=/t")->aggregator, '\\'); /* sic */
	ck_assert_int_eq(eopt("aggregator=;")->aggregator, ';');
	ck_assert_int_eq(eopt("occurrence=first")->occurrence, 'f');
	ck_assert_int_eq(eopt("occurrence=l")->occurrence, 'l');
	ck_assert_int_eq(eopt("occurrence=a")->occurrence, 'a');
	ck_assert_int_eq(eopt("quote=d")->quote, '"');
	ck_assert_int_eq(eopt("quote=s")->quote, '\'');
	ck_assert_int_eq(eopt("quote=n")->quote, 0);
	ck_assert_int_eq(eopt("quote=dd")->quote, '"');
	/* what tshark refuses */
	static const char *const bad[] = {
	    "header=Y",	   "header=",	   "bom=x",	   "separator=",
	    "aggregator=", "occurrence=F", "occurrence=2", "occurrence=",
	    "quote=D",	   "quote=x",	   "quote=",
	};
	for (unsigned i = 0; i < NS_NELEM(bad); i++) {
		ck_assert_msg(eopt(bad[i]) == NULL, "%s accepted", bad[i]);
		ck_assert_ptr_nonnull(strstr(eopt_err, "invalid value"));
	}
	ck_assert_ptr_null(eopt("foo=1"));
	ck_assert(tu_starts_with(eopt_err, "unknown option 'foo' ("));
	ck_assert_ptr_null(eopt("header")); /* no value at all */
	ck_assert(tu_starts_with(eopt_err, "unknown option 'header' ("));
	ck_assert_ptr_null(eopt("=y"));
	ck_assert(tu_starts_with(eopt_err, "unknown option '' ("));
}
END_TEST

/* ---- hand-built records ---------------------------------------------------
 * Layers and fields as dissectors leave them, with values no capture
 * combines: repeated keys, subtrees, quoted and repeated layers. */

static struct ns_field t_rep = NS_F_UINT("t.rep", "Rep", 16);
static struct ns_field t_text = NS_F_STR("t.text", "Text");

static void fake_begin(struct ns_packet *pkt)
{
	static const uint8_t data[4] = {0xde, 0xad, 0xbe, 0xef};
	/* 2023-11-14T22:13:20.000005Z, from a microsecond source */
	ns_pkt_begin(pkt, 7, 1700000000000005000ll, 1500, 4, 4, 1, data);
	pkt->ts_digits = 6;
}

static void fake_layer(struct ns_packet *pkt, const char *proto, int quoted)
{
	if (pkt->nlayers)
		pkt->layers[pkt->nlayers - 1].fv_end = pkt->nfv;
	unsigned li = pkt->nlayers++;
	struct ns_layer *l = &pkt->layers[li];
	memset(l, 0, sizeof(*l));
	l->d = tu_field(proto)->proto;
	l->quoted = (uint8_t)quoted;
	l->fv_first = pkt->nfv;
	pkt->cur_layer = (uint8_t)li;
	pkt->depth = 0;
	ns_add_label(pkt, &l->d->proto, 0, 0);
	pkt->depth = 1;
}

static void fake_end(struct ns_packet *pkt)
{
	pkt->layers[pkt->nlayers - 1].fv_end = pkt->nfv;
}

static void fake_str(struct ns_packet *pkt, const struct ns_field *f,
		     const char *s)
{
	ns_add_bytes(pkt, f, 0, 0, (const uint8_t *)s, (uint32_t)strlen(s));
}

/* frame, then ip with every kind of member, icmp quoting ip and udp, and
 * a second ip */
static struct ns_packet *fake_packet(void)
{
	struct ns_packet *pkt = &tu_pkt;
	fake_begin(pkt);
	fake_layer(pkt, "frame", 0);
	ns_add_uint(pkt, tu_field("frame.number"), 0, 0, 7);
	fake_layer(pkt, "ip", 0);
	ns_add_bytes(pkt, tu_field("ip.src"), 0, 4, tu_ip4_a, 4);
	ns_add_uint(pkt, tu_field("ip.flags"), 0, 1, 2);
	ns_tree_push(pkt);
	ns_add_uint(pkt, tu_field("ip.flags.df"), 0, 1, 1);
	ns_tree_pop(pkt);
	ns_add_uint(pkt, &t_rep, 0, 0, 1);
	ns_add_label(pkt, tu_field("tcp.options.mss"), 0, 0);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &t_rep, 0, 0, 5);
	fake_str(pkt, &t_text, "a\"b");
	ns_tree_pop(pkt);
	ns_add_uint(pkt, &t_rep, 0, 0, 2);
	ns_add_label(pkt, tu_field("tcp.options.mss"), 0, 0);
	ns_add_uint(pkt, &dechex, 0, 0, 10);
	ns_add_uint(pkt, &dechex, 0, 0, 11);
	ns_tree_push(pkt);
	ns_add_uint(pkt, &bool1, 0, 0, 0);
	ns_tree_pop(pkt);
	fake_layer(pkt, "icmp", 0);
	ns_add_uint(pkt, tu_field("icmp.type"), 0, 1, 3);
	fake_layer(pkt, "ip", 1);
	ns_add_uint(pkt, tu_field("ip.ttl"), 0, 1, 64);
	fake_layer(pkt, "udp", 1);
	ns_add_uint(pkt, tu_field("udp.srcport"), 0, 2, 53);
	fake_layer(pkt, "ip", 0);
	ns_add_uint(pkt, tu_field("ip.ttl"), 0, 1, 1);
	fake_end(pkt);
	return pkt;
}

static char *json_of(const struct ns_packet *pkt, int raw)
{
	static struct ns_buf b;
	struct ns_json j = {0};
	ns_buf_free(&b);
	ns_json_packet(&j, &b, pkt, raw);
	ns_buf_putc(&b, '\0');
	ns_json_free(&j);
	return b.p;
}

START_TEST(json_layout)
{
	ck_assert_str_eq(
	    json_of(fake_packet(), 0),
	    "{\"timestamp\":\"2023-11-14T22:13:20.000005Z\","
	    "\"protocols\":\"ip:icmp:ip:udp:ip\",\"layers\":{"
	    "\"frame\":{\"frame.number\":7},"
	    /* a protocol twice: an array, in packet order */
	    "\"ip\":[{\"ip.src\":\"192.0.2.1\","
	    /* a valued field's subtree beside it, as NAME_tree */
	    "\"ip.flags\":2,\"ip.flags_tree\":{\"ip.flags.df\":true},"
	    /* a repeated field: one key, the values in order */
	    "\"t.rep\":[1,2],"
	    /* a label is its subtree; inner keys are grouped apart */
	    "\"tcp.options.mss\":[{\"t.rep\":5,\"t.text\":\"a\\\"b\"},{}],"
	    /* a repeated valued field, one of them with a subtree */
	    "\"t.dh\":[10,11],\"t.dh_tree\":[{},{\"t.bool\":false}]},"
	    "{\"ip.ttl\":1}],"
	    /* the quoted packet nests in the layer that quotes it */
	    "\"icmp\":{\"icmp.type\":3,\"ip\":{\"ip.ttl\":64},"
	    "\"udp\":{\"udp.srcport\":53}}}}");
}
END_TEST

/* Layout v of several at the same layer positions, its values from r: one
 * more repeated field and a subtree every other one. */
static struct ns_packet *variant_packet(unsigned v, unsigned r)
{
	struct ns_packet *pkt = &tu_pkt;
	if (v == 0 && r % 2)
		return fake_packet();
	fake_begin(pkt);
	fake_layer(pkt, "frame", 0);
	ns_add_uint(pkt, tu_field("frame.number"), 0, 0, r * 100 + v);
	fake_layer(pkt, "ip", 0);
	ns_add_bytes(pkt, tu_field("ip.src"), 0, 4, r % 2 ? tu_ip4_a : tu_ip4_b,
		     4);
	ns_add_uint(pkt, tu_field("ip.flags"), 0, 1, r + v);
	if (v % 2) {
		ns_tree_push(pkt);
		ns_add_uint(pkt, tu_field("ip.flags.df"), 0, 1, r % 2);
		ns_tree_pop(pkt);
	}
	for (unsigned i = 0; i < v; i++)
		ns_add_uint(pkt, tu_field("ip.ttl"), 0, 1, r * 10 + i);
	fake_str(pkt, &t_text, r % 2 ? "odd" : "even\n");
	fake_end(pkt);
	return pkt;
}

/* A layout met again is written from what was kept of it (its plan and
 * recorded text) with this packet's values: the same JSON as a writer
 * that never saw a packet before, for layouts that come back, more of
 * them than a position keeps, and values that change. */
START_TEST(json_plans_reused)
{
	struct ns_json j = {0};
	struct ns_buf b = {0};
	for (unsigned r = 0; r < 4; r++)
		for (unsigned v = 0; v < NS_JSON_PLANS + 2; v++) {
			const struct ns_packet *pkt = variant_packet(v, r);
			char *fresh = strdup(json_of(pkt, 0));
			ck_assert_ptr_nonnull(fresh);
			ns_buf_reset(&b);
			ns_json_packet(&j, &b, pkt, 0);
			ns_buf_putc(&b, '\0');
			ck_assert_str_eq(b.p, fresh);
			free(fresh);
		}
	ns_json_free(&j);
	ns_buf_free(&b);
}
END_TEST

START_TEST(json_values)
{
	struct ns_packet *pkt = &tu_pkt;
	static const uint8_t raw[] = {0x00, 0xff, 0x10};
	fake_begin(pkt);
	pkt->ts = -1500000000; /* before the epoch */
	pkt->ts_digits = 9;
	fake_layer(pkt, "frame", 0);
	ns_add_uint(pkt, &hex16, 0, 0, 0x800); /* hex in text, a number here */
	ns_add_int(pkt, &ival, 0, 0, -5);
	ns_add_int(pkt, &rel, 0, 0, -1);
	ns_add_int(pkt, &absf, 0, 0, 1700000000000000001ll);
	ns_add_double(pkt, &dbl, 0, 0, 0.1);
	ns_add_double(pkt, &dbl, 0, 0, 1.0 / 0.0);
	/* shortest that reads back: 16 and 17 significant digits */
	ns_add_double(pkt, &dbl, 0, 0, 84.74337369372327);
	ns_add_double(pkt, &dbl, 0, 0, 0.1 + 0.2);
	ns_add_bytes(pkt, &ether, 0, 0, tu_mac_a, 6);
	ns_add_bytes(pkt, &ip6, 0, 0, tu_ip6_a, 16);
	ns_add_bytes(pkt, &bytes, 0, 0, raw, 3);
	ns_add_bytes(pkt, &str, 0, 0, (const uint8_t *)"\xff\n", 2);
	ns_add_uint(pkt, &named, 0, 0, 1); /* the number, not its name */
	ns_add_label(pkt, &label, 0, 0);
	fake_end(pkt);
	pkt->layers[0].status = NS_LAYER_MALFORMED;
	pkt->layers[0].reason = "bad \"x\"";
	pkt->status = NS_LAYER_MALFORMED;
	pkt->reason = pkt->layers[0].reason;
	ck_assert_str_eq(
	    json_of(pkt, 1),
	    "{\"timestamp\":\"1969-12-31T23:59:58.500000000Z\","
	    "\"protocols\":\"\",\"layers\":{\"frame\":{"
	    "\"t.hex16\":2048,\"t.int\":-5,\"t.rel\":-0.000000001,"
	    "\"t.abs\":1700000000.000000001,"
	    "\"t.dbl\":[0.1,null,84.74337369372327,0.30000000000000004],"
	    "\"t.eth\":\"" TU_MAC_A "\",\"t.ip6\":\"" TU_IP6_A "\","
	    "\"t.bytes\":\"00ff10\",\"t.str\":\"\\\\xff\\n\",\"t.named\":1,"
	    "\"t.label\":{},"
	    "\"_status\":\"malformed\",\"_reason\":\"bad \\\"x\\\"\"}},"
	    "\"status\":\"malformed\",\"reason\":\"bad \\\"x\\\"\","
	    "\"raw\":\"deadbeef\"}");
}
END_TEST

static const char *json_str(const char *s, size_t n)
{
	static struct ns_buf b;
	ns_buf_free(&b);
	ns_buf_json_str(&b, (const uint8_t *)s, n);
	ns_buf_putc(&b, '\0');
	return b.p;
}
#define JS(lit) json_str(lit, sizeof(lit) - 1)

START_TEST(json_string_escapes)
{
	ck_assert_str_eq(JS(""), "\"\"");
	ck_assert_str_eq(JS("plain text"), "\"plain text\"");
	ck_assert_str_eq(JS("q\"b\\s/"), "\"q\\\"b\\\\s/\"");
	ck_assert_str_eq(JS("\n\r\t\b\f"), "\"\\n\\r\\t\\u0008\\u000c\"");
	ck_assert_str_eq(JS("a\0b\x01\x1f\x7f"),
			 "\"a\\u0000b\\u0001\\u001f\\u007f\"");
	/* well-formed UTF-8 stays as it is: 2, 3 and 4 bytes */
	ck_assert_str_eq(JS("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
			 "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* C1 controls, and the separators JavaScript ends lines at */
	ck_assert_str_eq(JS("\xc2\x80\xc2\x9f\xc2\xa0"),
			 "\"\\u0080\\u009f\xc2\xa0\"");
	ck_assert_str_eq(JS("\xe2\x80\xa8\xe2\x80\xa9"), "\"\\u2028\\u2029\"");
}
END_TEST

START_TEST(json_string_invalid_utf8)
{
	/* each byte that is not part of a well-formed sequence: \xHH */
	ck_assert_str_eq(JS("\xff"), "\"\\\\xff\"");
	ck_assert_str_eq(JS("a\x80z"), "\"a\\\\x80z\""); /* lone continuation */
	ck_assert_str_eq(JS("\xc3"), "\"\\\\xc3\"");	 /* cut at the end */
	ck_assert_str_eq(JS("\xe2\x82z"), "\"\\\\xe2\\\\x82z\"");
	ck_assert_str_eq(JS("\xc0\x80"), "\"\\\\xc0\\\\x80\""); /* overlong */
	ck_assert_str_eq(JS("\xe0\x80\x80"), "\"\\\\xe0\\\\x80\\\\x80\"");
	ck_assert_str_eq(JS("\xf0\x80\x80\x80"),
			 "\"\\\\xf0\\\\x80\\\\x80\\\\x80\"");
	ck_assert_str_eq(JS("\xed\xa0\x80"), /* a UTF-16 surrogate */
			 "\"\\\\xed\\\\xa0\\\\x80\"");
	ck_assert_str_eq(JS("\xf4\x90\x80\x80"), /* past U+10FFFF */
			 "\"\\\\xf4\\\\x90\\\\x80\\\\x80\"");
	ck_assert_str_eq(JS("\xf5\xfe"), "\"\\\\xf5\\\\xfe\"");
	/* the edges that are valid */
	ck_assert_str_eq(JS("\xed\x9f\xbf\xf4\x8f\xbf\xbf"),
			 "\"\xed\x9f\xbf\xf4\x8f\xbf\xbf\"");
	/* a bad byte does not swallow the valid one after it */
	ck_assert_str_eq(JS("\xe2\xc3\xa9"), "\"\\\\xe2\xc3\xa9\"");
}
END_TEST

/* Keys are written without escaping and grouped by name: the registry
 * must keep names that are safe and cannot collide. */
START_TEST(json_keys_safe)
{
	for (uint32_t id = 0; id < ns_field_count(); id++) {
		const char *name = ns_field_by_id(id)->name;
		size_t n = strlen(name);
		ck_assert_msg(n && strspn(name, "abcdefghijklmnopqrstuvwxyz"
						"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
						"0123456789._-") == n,
			      "field name '%s'", name);
		ck_assert_msg(name[0] != '_', "'%s' looks like _status", name);
		ck_assert_msg(!tu_ends_with(name, "_tree"),
			      "'%s' collides with a subtree key", name);
		/* layers (no dot) never collide with fields (a dot) */
		int proto = ns_field_by_id(id)->type == NS_FT_PROTO;
		ck_assert_msg((strchr(name, '.') == NULL) == proto,
			      "'%s': a dot iff a field", name);
	}
}
END_TEST

static const struct ns_field *sink_e[3];

/* What a sink writes for `n` packets (the same record each time, after
 * `next` refills it, when given) and the end of the run. */
static char *sink_stream(struct ns_output *o, struct ns_packet *pkt, int n,
			 void (*next)(struct ns_packet *pkt, int i))
{
	char *text = NULL;
	size_t len = 0;
	o->fp = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(o->fp);
	for (int i = 0; i < n; i++) {
		if (next)
			next(pkt, i);
		ns_output_packet(o, pkt);
	}
	ns_output_finish(o);
	fclose(o->fp);
	ns_output_free(o);
	return text;
}

static char *fields_sink(const struct ns_fields_opts *e, struct ns_packet *pkt)
{
	sink_e[0] = &t_rep;
	sink_e[1] = &t_text;
	sink_e[2] = &bool1; /* absent */
	struct ns_output o = {.format = NS_OUT_FIELDS,
			      .efields = sink_e,
			      .nefields = 3,
			      .eopt = *e};
	return sink_stream(&o, pkt, pkt != NULL, NULL);
}

START_TEST(sink_fields_options)
{
	struct ns_packet *pkt = &tu_pkt;
	fake_begin(pkt);
	fake_layer(pkt, "frame", 0);
	ns_add_uint(pkt, &t_rep, 0, 0, 1);
	fake_str(pkt, &t_text, "a\"b'c");
	ns_add_uint(pkt, &t_rep, 0, 0, 2);
	ns_add_uint(pkt, &t_rep, 0, 0, 3);
	fake_end(pkt);
	struct ns_fields_opts e = {0};
	char *t;
	/* tshark's defaults */
	t = fields_sink(&e, pkt);
	ck_assert_str_eq(t, "1,2,3\ta\"b'c\t\n");
	free(t);
	/* quotes around present fields only; the quote escaped inside */
	e = (struct ns_fields_opts){
	    .separator = ',', .quote = '"', .aggregator = ';'};
	t = fields_sink(&e, pkt);
	ck_assert_str_eq(t, "\"1;2;3\",\"a\\x22b'c\",\n");
	free(t);
	e = (struct ns_fields_opts){
	    .separator = ' ', .quote = '\'', .occurrence = 'f'};
	t = fields_sink(&e, pkt);
	ck_assert_str_eq(t, "'1' 'a\"b\\x27c' \n");
	free(t);
	e = (struct ns_fields_opts){.occurrence = 'l', .quote = '"'};
	t = fields_sink(&e, pkt);
	ck_assert_str_eq(t, "\"3\"\t\"a\\x22b'c\"\t\n");
	free(t);
	/* byte order mark and header (names unquoted, as tshark 4.0) */
	e = (struct ns_fields_opts){
	    .bom = 1, .header = 1, .quote = '"', .separator = ','};
	t = fields_sink(&e, pkt);
	ck_assert_str_eq(t, "\xef\xbb\xbft.rep,t.text,t.bool\n"
			    "\"1,2,3\",\"a\\x22b'c\",\n");
	free(t);
	/* no packet printed: the header all the same */
	t = fields_sink(&e, NULL);
	ck_assert_str_eq(t, "\xef\xbb\xbft.rep,t.text,t.bool\n");
	free(t);
}
END_TEST

/* packet i + 1: a frame layer with its number */
static void numbered_frame(struct ns_packet *pkt, int i)
{
	fake_begin(pkt);
	fake_layer(pkt, "frame", 0);
	ns_add_uint(pkt, tu_field("frame.number"), 0, 0, (uint64_t)i + 1);
	fake_end(pkt);
}

static char *json_sink(int format, int npackets)
{
	struct ns_output o = {.format = format};
	return sink_stream(&o, &tu_pkt, npackets, numbered_frame);
}

START_TEST(sink_json_stream)
{
#define PKT(n)                                                                 \
	"{\"timestamp\":\"2023-11-14T22:13:20.000005Z\",\"protocols\":\"\","   \
	"\"layers\":{\"frame\":{\"frame.number\":" #n "}}}"
	char *t = json_sink(NS_OUT_JSON, 0);
	ck_assert_str_eq(t, "[\n]\n");
	free(t);
	t = json_sink(NS_OUT_JSON, 2);
	ck_assert_str_eq(t, "[\n" PKT(1) ",\n" PKT(2) "\n]\n");
	free(t);
	t = json_sink(NS_OUT_NDJSON, 0);
	ck_assert_str_eq(t, "");
	free(t);
	t = json_sink(NS_OUT_NDJSON, 2);
	ck_assert_str_eq(t, PKT(1) "\n" PKT(2) "\n");
	free(t);
#undef PKT
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tu_tcase("summary");
	tcase_add_test(tc, summary_ipv4_ports);
	tcase_add_test(tc, summary_ipv6_ports_in_brackets);
	tcase_add_test(tc, summary_ipv6_no_ports_no_brackets);
	tcase_add_test(tc, summary_arp_macs);
	tcase_add_test(tc, summary_unknown_link_type);
	tcase_add_test(tc, summary_number_and_time);
	tcase_add_test(tc, summary_appends_to_buffer);
	tcase_add_test(tc, summary_outcomes);
	suite_add_tcase(s, tc);

	tc = tu_tcase("values");
	tcase_add_test(tc, value_hex_width_from_bits);
	tcase_add_test(tc, value_numbers);
	tcase_add_test(tc, value_bool);
	tcase_add_test(tc, value_bytes_and_addresses);
	tcase_add_test(tc, display_forms);
	suite_add_tcase(s, tc);

	tc = tu_tcase("hexdump");
	tcase_add_test(tc, hexdump_layout);
	tcase_add_test(tc, hexdump_offsets);
	suite_add_tcase(s, tc);

	tc = tu_tcase("sinks");
	tcase_add_test(tc, sink_fields);
	tcase_add_test(tc, sink_text_verbose_hex);
	tcase_add_test(tc, sink_fields_options);
	tcase_add_test(tc, sink_json_stream);
	suite_add_tcase(s, tc);

	tc = tu_tcase("fields_options");
	tcase_add_test(tc, fields_opts_parse);
	suite_add_tcase(s, tc);

	tc = tu_tcase("json");
	tcase_add_test(tc, json_layout);
	tcase_add_test(tc, json_plans_reused);
	tcase_add_test(tc, json_values);
	tcase_add_test(tc, json_string_escapes);
	tcase_add_test(tc, json_string_invalid_utf8);
	tcase_add_test(tc, json_keys_safe);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
