/*
 * test_quic — QUIC's Initial keys (dissectors/app/quic.c) against the
 * test vectors of RFC 9001 Appendix A.1 (version 1) and RFC 9369
 * Appendix A.1 (version 2): client and server key, IV and header
 * protection key from the Destination Connection ID 0x8394c8f03e515708;
 * an unknown version has none.  The packets themselves are checked against
 * tshark by tests/quic.sh.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"
#include "proto/quic.h"

static void unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static void expect(uint32_t version, int server, const char *key,
		   const char *iv, const char *hp)
{
	static const uint8_t dcid[] = {0x83, 0x94, 0xc8, 0xf0,
				       0x3e, 0x51, 0x57, 0x08};
	struct ns_tls_keys k;
	uint8_t h[16], want[16];
	ck_assert_int_eq(
	    ns_quic_initial_keys(version, dcid, sizeof(dcid), server, &k, h),
	    0);
	unhex(key, want);
	ck_assert_mem_eq(k.key, want, 16);
	unhex(iv, want);
	ck_assert_mem_eq(k.iv, want, 12);
	unhex(hp, want);
	ck_assert_mem_eq(h, want, 16);
}

START_TEST(rfc9001_initial_keys)
{
	expect(1, 0, "1f369613dd76d5467730efcbe3b1a22d",
	       "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2");
	expect(1, 1, "cf3a5331653c364c88f0f379b6067e37",
	       "0ac1493ca1905853b0bba03e", "c206b8d9b9f0f37644430b490eeaa314");
}
END_TEST

START_TEST(rfc9369_v2_initial_keys)
{
	expect(0x6b3343cf, 0, "8b1a0bc121284290a29e0971b5cd045d",
	       "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9");
	expect(0x6b3343cf, 1, "82db637861d55e1d011f19ea71d5d2a7",
	       "dd13c276499c0249d3310652", "edf6d05c83121201b436e16877593c3a");
}
END_TEST

START_TEST(unknown_version)
{
	struct ns_tls_keys k;
	uint8_t h[16], dcid[8] = {0};
	ck_assert_int_eq(ns_quic_initial_keys(0x1a2a3a4a, dcid, 8, 0, &k, h),
			 -1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("quic");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, rfc9001_initial_keys);
	tcase_add_test(tc, rfc9369_v2_initial_keys);
	tcase_add_test(tc, unknown_version);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
