/*
 * test_registry — the field registry (src/core/field.c) and the dissector
 * tables (src/core/dissect.c).
 *
 * The checks walk ns_dissectors[] rather than a list written here, so every
 * dissector added later is held to the same rules: ids are dense and unique,
 * every name is found by ns_field_by_name, names are unique and prefixed
 * with their protocol's name and '.', and no two dissectors claim the same
 * (table, key).  Only the bindings of the dissectors present when this was
 * written are spelled out.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_util.h"
#include "core/dissect.h"
#include "core/field.h"

static const struct ns_dissector *by_name(const char *name)
{
	for (unsigned i = 0; i < ns_ndissectors; i++)
		if (strcmp(ns_dissectors[i]->name, name) == 0)
			return ns_dissectors[i];
	ck_abort_msg("no dissector named %s", name);
	return NULL;
}

START_TEST(init_is_idempotent)
{
	uint32_t n = ns_field_count();
	const struct ns_field *f = ns_field_by_name("tcp.srcport");
	ns_registry_init();
	ck_assert_uint_eq(ns_field_count(), n);
	ck_assert_ptr_eq(ns_field_by_name("tcp.srcport"), f);
}
END_TEST

START_TEST(count_matches_declarations)
{
	uint32_t n = 0;
	for (unsigned i = 0; i < ns_ndissectors; i++)
		n += 1 + ns_dissectors[i]->nfields;
	ck_assert_uint_eq(ns_field_count(), n);
}
END_TEST

START_TEST(ids_unique_and_dense)
{
	uint32_t n = ns_field_count();
	ck_assert_uint_gt(n, 0);
	for (uint32_t id = 0; id < n; id++) {
		const struct ns_field *f = ns_field_by_id(id);
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(f->id, id);
		ck_assert_ptr_nonnull(f->proto);
	}
	ck_assert_ptr_null(ns_field_by_id(n));
	ck_assert_ptr_null(ns_field_by_id(UINT32_MAX));
	/* every declared field got its own id, protocol field first */
	for (unsigned i = 0; i < ns_ndissectors; i++) {
		const struct ns_dissector *d = ns_dissectors[i];
		ck_assert_ptr_eq(ns_field_by_id(d->proto.id), &d->proto);
		for (unsigned j = 0; j < d->nfields; j++) {
			ck_assert_ptr_eq(ns_field_by_id(d->fields[j].id),
					 &d->fields[j]);
			ck_assert_uint_gt(d->fields[j].id, d->proto.id);
		}
	}
}
END_TEST

START_TEST(protocol_fields)
{
	for (unsigned i = 0; i < ns_ndissectors; i++) {
		const struct ns_dissector *d = ns_dissectors[i];
		ck_assert_ptr_nonnull(d->name);
		ck_assert_ptr_nonnull(d->title);
		ck_assert_str_eq(d->proto.name, d->name);
		ck_assert_int_eq(d->proto.type, NS_FT_PROTO);
		ck_assert_ptr_eq(d->proto.proto, d);
		ck_assert_ptr_eq(ns_field_by_name(d->name), &d->proto);
	}
}
END_TEST

START_TEST(every_name_found)
{
	for (unsigned i = 0; i < ns_ndissectors; i++) {
		const struct ns_dissector *d = ns_dissectors[i];
		for (unsigned j = 0; j < d->nfields; j++) {
			const struct ns_field *f = &d->fields[j];
			ck_assert_msg(f->name != NULL, "%s field %u unnamed",
				      d->name, j);
			ck_assert_msg(ns_field_by_name(f->name) == f,
				      "%s not found by name", f->name);
			ck_assert_ptr_eq(f->proto, d);
		}
	}
}
END_TEST

START_TEST(unknown_names_rejected)
{
	ck_assert_ptr_null(ns_field_by_name(""));
	ck_assert_ptr_null(ns_field_by_name("no.such.field"));
	ck_assert_ptr_null(ns_field_by_name("tcp.srcpor"));
	ck_assert_ptr_null(ns_field_by_name("tcp.srcportx"));
	ck_assert_ptr_null(ns_field_by_name("TCP.srcport")); /* exact case */
	ck_assert_ptr_null(ns_field_by_name("tcp."));
	ck_assert_ptr_null(ns_field_by_name(" tcp"));
	/* the two ends of the sorted index */
	ck_assert_ptr_null(ns_field_by_name("\x01"));
	ck_assert_ptr_null(ns_field_by_name("\x7f\x7f"));
}
END_TEST

/*
 * Wireshark's own names that break the rule; the registry follows
 * Wireshark where it has the field (doc/ARCHITECTURE.md), so these are
 * allowed, and nothing else is.
 */
static const char *const wireshark_prefixes[][2] = {
    /* protocol, prefix of its fields */
    {"pwethcw", "pweth.cw."}, /* packet-pw-eth.c: protocol "pwethcw" */
    /* certificate extensions are packet-x509ce.c's in Wireshark; the TLS
     * dissector records the URI SAN (SPIFFE IDs) under its name */
    {"tls", "x509ce.uniformResourceIdentifier"},
};

static int wireshark_exception(const char *proto, const char *name)
{
	for (size_t i = 0; i < NS_NELEM(wireshark_prefixes); i++)
		if (strcmp(proto, wireshark_prefixes[i][0]) == 0 &&
		    strncmp(name, wireshark_prefixes[i][1],
			    strlen(wireshark_prefixes[i][1])) == 0)
			return 1;
	return 0;
}

START_TEST(names_prefixed_by_protocol)
{
	for (unsigned i = 0; i < ns_ndissectors; i++) {
		const struct ns_dissector *d = ns_dissectors[i];
		size_t n = strlen(d->name);
		for (unsigned j = 0; j < d->nfields; j++) {
			const char *name = d->fields[j].name;
			if (wireshark_exception(d->name, name))
				continue;
			ck_assert_msg(strncmp(name, d->name, n) == 0 &&
					  name[n] == '.' && name[n + 1],
				      "field %s does not begin with \"%s.\"",
				      name, d->name);
		}
	}
}
END_TEST

START_TEST(names_unique)
{
	uint32_t n = ns_field_count();
	for (uint32_t a = 0; a < n; a++)
		for (uint32_t b = a + 1; b < n; b++)
			ck_assert_msg(strcmp(ns_field_by_id(a)->name,
					     ns_field_by_id(b)->name) != 0,
				      "field name %s declared twice",
				      ns_field_by_id(a)->name);
}
END_TEST

START_TEST(names_well_formed)
{
	/* what Wireshark accepts in a field name: letters, digits, _ - . */
	uint32_t n = ns_field_count();
	for (uint32_t id = 0; id < n; id++) {
		const char *s = ns_field_by_id(id)->name;
		ck_assert_msg(*s, "field %u has an empty name", id);
		for (const char *c = s; *c; c++)
			ck_assert_msg((*c >= 'a' && *c <= 'z') ||
					  (*c >= 'A' && *c <= 'Z') ||
					  (*c >= '0' && *c <= '9') ||
					  *c == '_' || *c == '-' || *c == '.',
				      "field name \"%s\" has '%c'", s, *c);
		ck_assert_msg(s[strlen(s) - 1] != '.' && !strstr(s, ".."),
			      "field name \"%s\"", s);
		ck_assert_ptr_nonnull(ns_field_by_id(id)->title);
		ck_assert_int_lt(ns_field_by_id(id)->type, NS_FT_COUNT);
	}
}
END_TEST

START_TEST(ftype_names)
{
	ck_assert_str_eq(ns_ftype_name(tu_field("tcp")), "protocol");
	ck_assert_str_eq(ns_ftype_name(tu_field("tcp.srcport")), "uint16");
	ck_assert_str_eq(ns_ftype_name(tu_field("tcp.seq")), "uint32");
	ck_assert_str_eq(ns_ftype_name(tu_field("ip.ttl")), "uint8");
	ck_assert_str_eq(ns_ftype_name(tu_field("tcp.flags.syn")), "bool");
	ck_assert_str_eq(ns_ftype_name(tu_field("ip.src")), "ipv4");
	ck_assert_str_eq(ns_ftype_name(tu_field("ipv6.src")), "ipv6");
	ck_assert_str_eq(ns_ftype_name(tu_field("eth.src")), "ether");
	ck_assert_str_eq(ns_ftype_name(tu_field("data.data")), "bytes");
	ck_assert_str_eq(ns_ftype_name(tu_field("tcp.options.mss")), "label");
	ck_assert_str_eq(ns_ftype_name(tu_field("frame.time_epoch")),
			 "time_absolute");
	ck_assert_str_eq(ns_ftype_name(tu_field("frame.time_relative")),
			 "time_relative");
}
END_TEST

/* Wireshark's spelling, which `netscope fields` prints (tshark -G fields) */
START_TEST(ftype_ws_names)
{
	ck_assert_str_eq(ns_ftype_ws_name(tu_field("tcp")), "FT_PROTOCOL");
	ck_assert_str_eq(ns_ftype_ws_name(tu_field("tcp.srcport")),
			 "FT_UINT16");
	ck_assert_str_eq(ns_ftype_ws_name(tu_field("ip.ttl")), "FT_UINT8");
	ck_assert_str_eq(ns_ftype_ws_name(tu_field("tcp.flags.syn")),
			 "FT_BOOLEAN");
	ck_assert_str_eq(
	    ns_ftype_ws_name(tu_field("tcp.window_size_scalefactor")),
	    "FT_INT32");
	ck_assert_str_eq(ns_ftype_ws_name(tu_field("ip.src")), "FT_IPv4");
	ck_assert_str_eq(ns_ftype_ws_name(tu_field("ipv6.src")), "FT_IPv6");
	ck_assert_str_eq(ns_ftype_ws_name(tu_field("eth.src")), "FT_ETHER");
	ck_assert_str_eq(ns_ftype_ws_name(tu_field("data.data")), "FT_BYTES");
	ck_assert_str_eq(ns_ftype_ws_name(tu_field("tcp.options.mss")),
			 "FT_NONE");
	ck_assert_str_eq(ns_ftype_ws_name(tu_field("frame.time_epoch")),
			 "FT_ABSOLUTE_TIME");
	ck_assert_str_eq(ns_ftype_ws_name(tu_field("frame.time_relative")),
			 "FT_RELATIVE_TIME");
	/* a bit field shows as its container */
	static struct ns_field f4 = NS_F_UINT("t.f4", "F4", 4);
	static struct ns_field f12 = NS_F_UINT("t.f12", "F12", 12);
	static struct ns_field f20 = NS_F_UINT("t.f20", "F20", 20);
	static struct ns_field f0 = NS_F_UINT("t.f0", "F0", 0);
	ck_assert_str_eq(ns_ftype_ws_name(&f4), "FT_UINT8");
	ck_assert_str_eq(ns_ftype_ws_name(&f12), "FT_UINT16");
	ck_assert_str_eq(ns_ftype_ws_name(&f20), "FT_UINT24");
	ck_assert_str_eq(ns_ftype_ws_name(&f0), "FT_UINT64");
}
END_TEST

START_TEST(valstr)
{
	static const struct ns_valstr v[] = {
	    {0, "zero"}, {7, "seven"}, {0, NULL}};
	ck_assert_str_eq(ns_valstr_find(v, 0), "zero");
	ck_assert_str_eq(ns_valstr_find(v, 7), "seven");
	ck_assert_ptr_null(ns_valstr_find(v, 8));
	ck_assert_ptr_null(ns_valstr_find(NULL, 0));
}
END_TEST

START_TEST(table_lookup_known)
{
	static const struct {
		uint8_t table;
		uint32_t key;
		const char *name;
	} known[] = {
	    {NS_TAB_LINKTYPE, 1, "eth"},
	    {NS_TAB_LINKTYPE, 0, "null"},
	    {NS_TAB_LINKTYPE, 108, "null"},
	    {NS_TAB_LINKTYPE, 12, "raw"},
	    {NS_TAB_LINKTYPE, 14, "raw"},
	    {NS_TAB_LINKTYPE, 101, "raw"},
	    {NS_TAB_LINKTYPE, 113, "sll"},
	    {NS_TAB_LINKTYPE, 276, "sll"},
	    {NS_TAB_LINKTYPE, 228, "ip"},
	    {NS_TAB_LINKTYPE, 229, "ipv6"},
	    {NS_TAB_ETHERTYPE, 0x0800, "ip"},
	    {NS_TAB_ETHERTYPE, 0x86dd, "ipv6"},
	    {NS_TAB_ETHERTYPE, 0x0806, "arp"},
	    {NS_TAB_ETHERTYPE, 0x8035, "arp"},
	    {NS_TAB_ETHERTYPE, 0x8100, "vlan"},
	    {NS_TAB_ETHERTYPE, 0x9100, "vlan"},
	    {NS_TAB_ETHERTYPE, 0x88a8, "ieee8021ad"},
	    {NS_TAB_IPPROTO, 1, "icmp"},
	    {NS_TAB_IPPROTO, 4, "ip"},
	    {NS_TAB_IPPROTO, 6, "tcp"},
	    {NS_TAB_IPPROTO, 17, "udp"},
	    {NS_TAB_IPPROTO, 41, "ipv6"},
	    {NS_TAB_IPPROTO, 58, "icmpv6"},
	    {NS_TAB_IPPROTO, 143, "eth"},
	    {NS_TAB_BSD_AF, 2, "ip"},
	    {NS_TAB_BSD_AF, 10, "ipv6"},
	    {NS_TAB_BSD_AF, 24, "ipv6"},
	    {NS_TAB_BSD_AF, 28, "ipv6"},
	    {NS_TAB_BSD_AF, 30, "ipv6"},
	};
	for (size_t i = 0; i < NS_NELEM(known); i++) {
		const struct ns_dissector *d =
		    ns_table_lookup(known[i].table, known[i].key);
		ck_assert_msg(d != NULL, "table %u key %u: nothing bound",
			      known[i].table, known[i].key);
		ck_assert_msg(d == by_name(known[i].name),
			      "table %u key %u: %s, expected %s",
			      known[i].table, known[i].key, d->name,
			      known[i].name);
	}
}
END_TEST

START_TEST(table_lookup_unknown)
{
	/* values no dissector binds (reserved or unassigned) */
	ck_assert_ptr_null(ns_table_lookup(NS_TAB_LINKTYPE, 147)); /* USER0 */
	ck_assert_ptr_null(
	    ns_table_lookup(NS_TAB_ETHERTYPE, 0x88b5)); /* local exp */
	ck_assert_ptr_null(
	    ns_table_lookup(NS_TAB_IPPROTO, 253)); /* experiment */
	ck_assert_ptr_null(ns_table_lookup(NS_TAB_IPPROTO, 255));
	ck_assert_ptr_null(ns_table_lookup(NS_TAB_ETHERTYPE, UINT32_MAX));
	ck_assert_ptr_null(ns_table_lookup(NS_TAB_NONE, 0));
	ck_assert_ptr_null(ns_table_lookup(NS_TAB_COUNT, 1));
	ck_assert_ptr_null(ns_table_lookup(255, 1));
}
END_TEST

/* Every key of every table, past 16 bits too (the tables of 16-bit keys
 * are looked up by index, the others searched): found exactly when some
 * dissector binds it; then a binding added (decode-as) is found at once
 * and changes no other key. */
START_TEST(every_key_of_every_table)
{
	/* the tables after NS_TAB_UDP_HEUR's (by position) go by name */
	for (unsigned t = NS_TAB_NONE + 1; t < NS_TAB_UDP_HEUR; t++) {
		for (uint32_t key = 0; key <= 0x10010; key++) {
			const struct ns_dissector *want = NULL;
			for (unsigned i = 0; i < ns_ndissectors && !want; i++)
				for (const struct ns_binding *b =
					 ns_dissectors[i]->bindings;
				     b && b->table; b++)
					if (b->table == t && b->key == key)
						want = ns_dissectors[i];
			ck_assert_msg(ns_table_lookup((uint8_t)t, key) == want,
				      "table %u key %u", t, key);
		}
	}
	const struct ns_dissector *http = ns_table_lookup(NS_TAB_TCP_PORT, 80);
	ck_assert_ptr_nonnull(http);
	ck_assert_ptr_null(ns_table_lookup(NS_TAB_TCP_PORT, 8123));
	ck_assert_int_eq(ns_table_bind(NS_TAB_TCP_PORT, 8123, http), 0);
	ck_assert_ptr_eq(ns_table_lookup(NS_TAB_TCP_PORT, 8123), http);
	ck_assert_ptr_eq(ns_table_lookup(NS_TAB_TCP_PORT, 80), http);
	ck_assert_ptr_null(ns_table_lookup(NS_TAB_TCP_PORT, 8124));
	/* unbound again, for the tests after this one */
	ck_assert_int_eq(ns_table_bind(NS_TAB_TCP_PORT, 8123, NULL), 0);
	ck_assert_ptr_null(ns_table_lookup(NS_TAB_TCP_PORT, 8123));
}
END_TEST

START_TEST(every_binding_resolves)
{
	/* each dissector's own bindings find it, so no two claim a key */
	for (unsigned i = 0; i < ns_ndissectors; i++) {
		const struct ns_dissector *d = ns_dissectors[i];
		for (const struct ns_binding *b = d->bindings; b && b->table;
		     b++) {
			ck_assert_msg(b->table < NS_TAB_COUNT,
				      "%s binds to table %u", d->name,
				      b->table);
			const struct ns_dissector *got =
			    ns_table_lookup(b->table, b->key);
			ck_assert_msg(got == d,
				      "table %u key %u (0x%x): bound by %s, "
				      "lookup gives %s",
				      b->table, b->key, b->key, d->name,
				      got ? got->name : "nothing");
		}
	}
}
END_TEST

START_TEST(dissectors_have_parsers)
{
	/* the layer loop calls d->dissect for whatever a table gives it: a
	 * bound dissector must have one (descriptors that only own shared
	 * fields, like frame, data or pppoe, have neither) */
	for (unsigned i = 0; i < ns_ndissectors; i++) {
		const struct ns_dissector *d = ns_dissectors[i];
		int bound = d->bindings && d->bindings[0].table;
		ck_assert_msg(!bound || d->dissect != NULL,
			      "%s is bound but has no dissect", d->name);
	}
	ck_assert_ptr_eq(ns_dissectors[0], &ns_diss_frame);
	ck_assert_ptr_null(ns_diss_frame.dissect);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tu_tcase("core");
	tcase_add_test(tc, init_is_idempotent);
	tcase_add_test(tc, count_matches_declarations);
	tcase_add_test(tc, ids_unique_and_dense);
	tcase_add_test(tc, protocol_fields);
	tcase_add_test(tc, every_name_found);
	tcase_add_test(tc, unknown_names_rejected);
	tcase_add_test(tc, names_prefixed_by_protocol);
	tcase_add_test(tc, names_unique);
	tcase_add_test(tc, names_well_formed);
	tcase_add_test(tc, ftype_names);
	tcase_add_test(tc, ftype_ws_names);
	tcase_add_test(tc, valstr);
	tcase_add_test(tc, table_lookup_known);
	tcase_add_test(tc, table_lookup_unknown);
	tcase_add_test(tc, every_binding_resolves);
	tcase_add_test(tc, every_key_of_every_table);
	tcase_add_test(tc, dissectors_have_parsers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
