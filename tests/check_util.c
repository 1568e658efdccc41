/*
 * check_util — see check_util.h.
 */
#include "check_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint8_t tu_mac_a[6] = {0x00, 0x00, 0x5e, 0x00, 0x53, 0x01};
const uint8_t tu_mac_b[6] = {0x00, 0x00, 0x5e, 0x00, 0x53, 0x02};
const uint8_t tu_ip4_a[4] = {192, 0, 2, 1};
const uint8_t tu_ip4_b[4] = {198, 51, 100, 2};
const uint8_t tu_ip6_a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			      0,    0,	  0,	0,    0, 0, 0, 1};
const uint8_t tu_ip6_b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			      0,    0,	  0,	0,    0, 0, 0, 2};

struct ns_packet tu_pkt;

/* Output of the string helpers; see the header for its lifetime. */
static struct ns_buf out;

void tu_setup(void)
{
	ns_registry_init(); /* idempotent: builds the registry once */
	ns_pkt_init(&tu_pkt);
}

void tu_teardown(void)
{
	ns_pkt_free(&tu_pkt);
	ns_buf_free(&out);
}

TCase *tu_tcase(const char *name)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
	/* sanitizer builds are several times slower than the default 4 s
	 * budget was meant for */
	tcase_set_timeout(tc, 60);
	return tc;
}

TCase *tu_bug_tcase(const char *name)
{
	TCase *tc = tu_tcase(name);
#if CHECK_MAJOR_VERSION > 0 || CHECK_MINOR_VERSION >= 13
	tcase_set_tags(tc, "bug");
#endif
	return tc;
}

struct ns_packet *tu_dissect(int linktype, const uint8_t *data, uint32_t caplen,
			     uint32_t len)
{
	struct ns_packet *pkt = &tu_pkt;
	ns_pkt_begin(pkt, 1, 0, 0, caplen, len, linktype, data);
	pkt->ts_digits = 6;
	ns_dissect(pkt);
	return pkt;
}

const struct ns_field *tu_field(const char *name)
{
	const struct ns_field *f = ns_field_by_name(name);
	ck_assert_msg(f != NULL, "field %s is not registered", name);
	return f;
}

const struct ns_fv *tu_find(const struct ns_packet *pkt, const char *name)
{
	return ns_pkt_find(pkt, -1, tu_field(name));
}

const struct ns_fv *tu_find_in(const struct ns_packet *pkt, int layer,
			       const char *name)
{
	return ns_pkt_find(pkt, layer, tu_field(name));
}

unsigned tu_count(const struct ns_packet *pkt, const char *name)
{
	const struct ns_field *f = tu_field(name);
	unsigned n = 0;
	for (uint32_t i = 0; i < pkt->nfv; i++)
		n += pkt->fv[i].f == f;
	return n;
}

uint64_t tu_uint(const struct ns_packet *pkt, const char *name)
{
	const struct ns_fv *fv = tu_find(pkt, name);
	ck_assert_msg(fv != NULL, "no %s in the packet (layers: %s)", name,
		      tu_layers(pkt));
	return fv->v.u;
}

static const char *out_str(void)
{
	ns_buf_putc(&out, '\0');
	return out.p;
}

const char *tu_value_in(const struct ns_packet *pkt, int layer,
			const char *name)
{
	const struct ns_fv *fv = tu_find_in(pkt, layer, name);
	ck_assert_msg(fv != NULL, "no %s in layer %d (layers: %s)", name, layer,
		      tu_layers(pkt));
	ns_buf_reset(&out);
	ns_format_value(&out, fv);
	return out_str();
}

const char *tu_value(const struct ns_packet *pkt, const char *name)
{
	return tu_value_in(pkt, -1, name);
}

const char *tu_summary(const struct ns_packet *pkt)
{
	ns_buf_reset(&out);
	ns_format_summary(&out, pkt, NS_TIME_REL, 0);
	return out_str();
}

const char *tu_layers(const struct ns_packet *pkt)
{
	ns_buf_reset(&out);
	for (unsigned i = 0; i < pkt->nlayers; i++) {
		if (i)
			ns_buf_putc(&out, ' ');
		ns_buf_puts(&out, pkt->layers[i].d->name);
	}
	return out_str();
}

int tu_layer(const struct ns_packet *pkt, const char *name)
{
	for (unsigned i = 0; i < pkt->nlayers; i++)
		if (strcmp(pkt->layers[i].d->name, name) == 0)
			return (int)i;
	return -1;
}

int tu_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

int tu_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- frame builder ------------------------------------------------------- */

void tu_frame_init(struct tu_frame *f)
{
	memset(f->b, 0, sizeof(f->b));
	f->n = 0;
}

size_t tu_put(struct tu_frame *f, const uint8_t *p, size_t n)
{
	ck_assert_msg(f->n + n <= sizeof(f->b), "test frame too large");
	size_t at = f->n;
	if (n) /* p may be NULL when there is nothing to put */
		memcpy(f->b + at, p, n);
	f->n += n;
	return at;
}

size_t tu_put16(struct tu_frame *f, uint16_t v)
{
	return TU_PUT(f, (uint8_t)(v >> 8), (uint8_t)v);
}

size_t tu_put32(struct tu_frame *f, uint32_t v)
{
	return TU_PUT(f, (uint8_t)(v >> 24), (uint8_t)(v >> 16),
		      (uint8_t)(v >> 8), (uint8_t)v);
}

size_t tu_zeros(struct tu_frame *f, size_t n)
{
	ck_assert_msg(f->n + n <= sizeof(f->b), "test frame too large");
	size_t at = f->n;
	memset(f->b + at, 0, n);
	f->n += n;
	return at;
}

void tu_set16(struct tu_frame *f, size_t off, uint16_t v)
{
	ck_assert(off + 2 <= f->n);
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

size_t tu_eth(struct tu_frame *f, uint16_t type)
{
	size_t at = tu_put(f, tu_mac_b, 6);
	tu_put(f, tu_mac_a, 6);
	tu_put16(f, type);
	return at;
}

size_t tu_ipv4(struct tu_frame *f, uint8_t proto)
{
	size_t at = TU_PUT(f, 0x45, 0x00, 0x00, 0x00, /* total length: later */
			   0x12, 0x34, 0x40, 0x00,    /* ID, DF */
			   64, proto, 0x00, 0x00);    /* TTL, proto, cksum */
	tu_put(f, tu_ip4_a, 4);
	tu_put(f, tu_ip4_b, 4);
	return at;
}

void tu_ipv4_end(struct tu_frame *f, size_t ip)
{
	tu_set16(f, ip + 2, (uint16_t)(f->n - ip));
}

size_t tu_ipv6(struct tu_frame *f, uint8_t nxt)
{
	size_t at = TU_PUT(f, 0x60, 0x00, 0x00, 0x00, /* version, class, flow */
			   0x00, 0x00, nxt, 64);      /* plen: later */
	tu_put(f, tu_ip6_a, 16);
	tu_put(f, tu_ip6_b, 16);
	return at;
}

void tu_ipv6_end(struct tu_frame *f, size_t ip)
{
	tu_set16(f, ip + 4, (uint16_t)(f->n - ip - 40));
}

size_t tu_udp(struct tu_frame *f, const char *payload)
{
	size_t n = strlen(payload);
	size_t at = tu_put16(f, TU_PORT_A);
	tu_put16(f, TU_PORT_B);
	tu_put16(f, (uint16_t)(8 + n));
	tu_put16(f, 0);
	tu_put(f, (const uint8_t *)payload, n);
	return at;
}

void tu_ipv4_udp(struct tu_frame *f)
{
	size_t ip = tu_ipv4(f, 17);
	tu_udp(f, "ping");
	tu_ipv4_end(f, ip);
}

void tu_ipv6_udp(struct tu_frame *f)
{
	size_t ip = tu_ipv6(f, 17);
	tu_udp(f, "ping");
	tu_ipv6_end(f, ip);
}

int tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	/* CK_FORK, CK_VERBOSITY, CK_RUN_CASE, CK_EXCLUDE_TAGS … are read
	 * from the environment (see the unit-test block of Makefile.am) */
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
