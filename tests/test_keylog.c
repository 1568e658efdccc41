/*
 * test_keylog — the NSS key log parser (src/core/keylog.c).
 *
 * The contract under test: every label of the format is kept with its
 * secret and found again by client random; comments, blank lines, CRLF
 * endings and RSA lines carry no secret and are not errors; malformed
 * lines (unknown label, short random, odd or wrong-length secret, non-hex,
 * a word too many) are refused with a reason and counted; repeated lines
 * are dropped once sorted (same secret: duplicate, different: conflict,
 * the first wins); ns_keylog_read() names each malformed line once with
 * its number; a file being written is followed (complete lines only);
 * the memory comes from the budget and goes back to it.  And the scan of
 * a pcapng file's Decryption Secrets Blocks (src/capture/dsb.c): secrets
 * blocks found wherever they are, across its read buffer's edges and
 * after blocks larger than the buffer; a FIFO left unread.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "capture/dsb.h"
#include "check_util.h"
#include "core/keylog.h"
#include "core/mem.h"

#define R1  "0102030405060708091011121314151617181920212223242526272829303132"
#define R2  "a1a2a3a4a5a6a7a8a9b0b1b2b3b4b5b6b7b8b9c0c1c2c3c4c5c6c7c8c9d0d1d2"
#define S32 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define S48 S32 "000102030405060708090a0b0c0d0e0f"

static int line(struct ns_keylog *kl, const char *s)
{
	const char *why;
	return ns_keylog_line(kl, s, strlen(s), &why);
}

static void random_of(const char *hex, uint8_t out[32])
{
	for (int i = 0; i < 32; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

START_TEST(good_lines)
{
	struct ns_mem m = {.cap = 0};
	struct ns_keylog kl;
	ns_keylog_init(&kl, &m);
	ck_assert_int_eq(line(&kl, "# SSL/TLS secrets log file"), 0);
	ck_assert_int_eq(line(&kl, ""), 0);
	ck_assert_int_eq(line(&kl, "CLIENT_RANDOM " R1 " " S48), 0);
	ck_assert_int_eq(
	    line(&kl, "CLIENT_HANDSHAKE_TRAFFIC_SECRET " R2 " " S32 "\r"), 0);
	ck_assert_int_eq(
	    line(&kl, "SERVER_HANDSHAKE_TRAFFIC_SECRET " R2 " " S48), 0);
	ck_assert_int_eq(line(&kl, "CLIENT_TRAFFIC_SECRET_0 " R2 " " S32), 0);
	ck_assert_int_eq(line(&kl, "SERVER_TRAFFIC_SECRET_0 " R2 " " S32), 0);
	ck_assert_int_eq(line(&kl, "EXPORTER_SECRET " R2 " " S32), 0);
	ck_assert_int_eq(line(&kl, "EARLY_EXPORTER_SECRET " R2 " " S32), 0);
	ck_assert_int_eq(line(&kl, "CLIENT_EARLY_TRAFFIC_SECRET " R2 " " S32),
			 0);
	ck_assert_int_eq(line(&kl, "RSA 0102030405060708 " S48), 0);
	ck_assert_int_eq(line(&kl, "CLIENT_TRAFFIC_SECRET_N " R2 " " S32), 0);
	ck_assert_uint_eq(kl.n, 8);
	ck_assert_uint_eq(kl.unused, 2);
	ck_assert_uint_eq(kl.malformed, 0);
	ck_assert_uint_gt(m.used, 0);
	uint8_t r1[32], r2[32];
	random_of(R1, r1);
	random_of(R2, r2);
	size_t n = 0;
	/* found before sorting (linear) and after (binary search) */
	ck_assert_ptr_nonnull(ns_keylog_find(&kl, NS_KL_CLIENT_RANDOM, r1, &n));
	ns_keylog_sort(&kl);
	const uint8_t *s = ns_keylog_find(&kl, NS_KL_CLIENT_RANDOM, r1, &n);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(n, 48);
	ck_assert_uint_eq(s[0], 0x00);
	ck_assert_uint_eq(s[47], 0x0f);
	s = ns_keylog_find(&kl, NS_KL_SERVER_HS, r2, &n);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(n, 48);
	s = ns_keylog_find(&kl, NS_KL_CLIENT_HS, r2, &n);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(n, 32);
	ck_assert_uint_eq(s[1], 0x11);
	ck_assert_ptr_null(ns_keylog_find(&kl, NS_KL_CLIENT_RANDOM, r2, &n));
	ck_assert_ptr_null(ns_keylog_find(&kl, NS_KL_CLIENT_HS, r1, &n));
	ns_keylog_free(&kl);
	ck_assert_uint_eq(m.used, 0);
}
END_TEST

START_TEST(malformed_lines)
{
	struct ns_keylog kl;
	ns_keylog_init(&kl, NULL);
	const char *bad[] = {
	    "CLIENT_RANDOMX " R1 " " S48,     /* unknown label */
	    "CLIENT_RANDOM " R1,	      /* no secret */
	    "CLIENT_RANDOM " R1 " " S48 " x", /* a word too many */
	    "CLIENT_RANDOM 0102 " S48,	      /* short random */
	    "CLIENT_RANDOM " R1 " " S32,     /* 32 bytes: not a master secret */
	    "CLIENT_RANDOM " R1 " " S48 "0", /* odd number of digits */
	    "CLIENT_TRAFFIC_SECRET_0 " R1 " zz" S32, /* not hex */
	    "CLIENT_TRAFFIC_SECRET_0 g" R1 " " S32,
	    "CLIENT_TRAFFIC_SECRET_0 " R1 " 0011", /* too short */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;
		ck_assert_int_eq(
		    ns_keylog_line(&kl, bad[i], strlen(bad[i]), &why), -1);
		ck_assert_ptr_nonnull(why);
	}
	ck_assert_uint_eq(kl.n, 0);
	ck_assert_uint_eq(kl.malformed, sizeof(bad) / sizeof(bad[0]));
	ns_keylog_free(&kl);
}
END_TEST

START_TEST(duplicate_lines)
{
	struct ns_keylog kl;
	ns_keylog_init(&kl, NULL);
	line(&kl, "CLIENT_TRAFFIC_SECRET_0 " R1 " " S32);
	line(&kl, "CLIENT_RANDOM " R1 " " S48);
	line(&kl, "CLIENT_TRAFFIC_SECRET_0 " R1 " " S32);
	line(&kl, "CLIENT_TRAFFIC_SECRET_0 " R1 " ff" S32 "");
	ck_assert_uint_eq(kl.n, 3); /* the last is malformed (33 bytes) */
	line(&kl,
	     "CLIENT_TRAFFIC_SECRET_0 " R1 " ff112233445566778899aabbccddeeff00"
	     "112233445566778899aabbccddeeff");
	ns_keylog_sort(&kl);
	ck_assert_uint_eq(kl.n, 2);
	ck_assert_uint_eq(kl.duplicates, 1);
	ck_assert_uint_eq(kl.conflicts, 1);
	uint8_t r1[32];
	random_of(R1, r1);
	size_t n;
	const uint8_t *s = ns_keylog_find(&kl, NS_KL_CLIENT_AP0, r1, &n);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s[0], 0x00); /* the first line wins */
	ns_keylog_free(&kl);
}
END_TEST

START_TEST(read_file_says_line_numbers)
{
	char path[] = "/tmp/test_keylogXXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *fp = fdopen(fd, "w");
	fputs("# comment\n", fp);
	fputs("CLIENT_RANDOM " R1 " " S48 "\n", fp);
	fputs("garbage here\n", fp);
	fputs("SERVER_TRAFFIC_SECRET_0 " R1 " " S32 "\n", fp);
	fputs("CLIENT_RANDOM " R1 "\n", fp);
	fputs("CLIENT_RANDOM " R1 " " S48, fp); /* no final newline */
	fclose(fp);
	char *msgs = NULL;
	size_t msglen = 0;
	FILE *warn = open_memstream(&msgs, &msglen);
	struct ns_mem m = {.cap = 0};
	struct ns_keylog kl;
	ns_keylog_init(&kl, &m);
	ck_assert_int_eq(ns_keylog_read(&kl, path, "keys.txt", warn), 0);
	fclose(warn);
	ck_assert_ptr_nonnull(
	    strstr(msgs, "netscope: keys.txt:3: unknown label"));
	ck_assert_ptr_nonnull(strstr(msgs, "netscope: keys.txt:5: expected"));
	ck_assert_ptr_null(strstr(msgs, ":6:"));
	ck_assert_uint_eq(kl.malformed, 2);
	ck_assert_uint_eq(kl.duplicates, 1);
	ck_assert_uint_eq(kl.n, 2);
	free(msgs);
	ns_keylog_free(&kl);
	ck_assert_uint_eq(m.used, 0);
	unlink(path);
	ck_assert_int_eq(ns_keylog_read(&kl, path, "gone", NULL), -1);
}
END_TEST

/* A key log written while it is read: appended complete lines are taken,
 * a line still being written waits for its newline, a file that did not
 * exist at first is followed. */
START_TEST(refresh_reads_what_is_appended)
{
	char path[] = "/tmp/test_keylogXXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	struct ns_keylog kl;
	ns_keylog_init(&kl, NULL);
	ck_assert_int_eq(ns_keylog_follow(&kl, path, "live.keys", NULL), 0);
	ck_assert_int_eq(ns_keylog_refresh(&kl), 0); /* not there yet */
	FILE *fp = fopen(path, "w");
	fputs("CLIENT_RANDOM " R1 " " S48 "\n", fp);
	fputs("CLIENT_TRAFFIC_SECRET_0 " R1 " " S32, fp); /* no newline yet */
	fflush(fp);
	ck_assert_int_eq(ns_keylog_refresh(&kl), 1);
	ck_assert_uint_eq(kl.n, 1);
	ck_assert_int_eq(ns_keylog_refresh(&kl), 0); /* the half line waits */
	fputs("\n", fp);
	fflush(fp);
	ck_assert_int_eq(ns_keylog_refresh(&kl), 1);
	ck_assert_uint_eq(kl.n, 2);
	uint8_t r1[32];
	random_of(R1, r1);
	size_t n;
	ck_assert_ptr_nonnull(ns_keylog_find(&kl, NS_KL_CLIENT_AP0, r1, &n));
	ck_assert_uint_eq(kl.malformed, 0);
	fclose(fp);
	unlink(path);
	ns_keylog_free(&kl);
}
END_TEST

START_TEST(bounded_by_the_budget)
{
	struct ns_mem m = {.cap = 4096};
	struct ns_keylog kl;
	ns_keylog_init(&kl, &m);
	char buf[256];
	int refused = 0;
	for (int i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "CLIENT_RANDOM %064x " S48, i);
		if (line(&kl, buf) == -2)
			refused++;
	}
	ck_assert_int_gt(refused, 0);
	ck_assert_uint_eq(kl.refused, (uint64_t)refused);
	ck_assert_uint_le(m.used, 4096);
	ns_keylog_free(&kl);
	ck_assert_uint_eq(m.used, 0);
}
END_TEST

/* pcapng blocks, little-endian: type, total length, body, total length */
static void block(FILE *fp, uint32_t type, const void *body, size_t n)
{
	uint32_t total = (uint32_t)(12 + (n + 3) / 4 * 4);
	static const uint8_t pad[3];
	fwrite(&type, 4, 1, fp);
	fwrite(&total, 4, 1, fp);
	fwrite(body, 1, n, fp);
	fwrite(pad, 1, (4 - n % 4) % 4, fp);
	fwrite(&total, 4, 1, fp);
}

/* an opaque block (a custom block type, skipped) of `total` bytes */
static void filler(FILE *fp, size_t total)
{
	uint8_t *b = calloc(1, total - 12);
	ck_assert_ptr_nonnull(b);
	block(fp, 0x00000bad, b, total - 12);
	free(b);
}

static void secrets_block(FILE *fp, const char *lines)
{
	size_t n = strlen(lines);
	uint8_t *b = malloc(8 + n);
	ck_assert_ptr_nonnull(b);
	uint32_t type = 0x544c534b, len = (uint32_t)n;
	memcpy(b, &type, 4);
	memcpy(b + 4, &len, 4);
	memcpy(b + 8, lines, n);
	block(fp, 0x0000000a, b, 8 + n);
	memset(b, 0, 8 + n); /* the scan's buffer may be this one again */
	free(b);
}

/* Secrets blocks are found wherever they are: one across the scanner's
 * read buffer's edge, one after a block larger than the buffer, one
 * at the end. */
START_TEST(dsb_scan_across_the_buffer)
{
	char path[] = "/tmp/test_dsbXXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *fp = fdopen(fd, "wb");
	uint8_t shb[16] = {0x4d, 0x3c, 0x2b, 0x1a, 1,	 0,    0,    0,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	block(fp, 0x0a0d0d0a, shb, sizeof(shb));
	/* the first secrets block starts 40 bytes before the end of the
	 * scan's first read */
	filler(fp, NS_DSB_CHUNK - 40 - 28);
	ck_assert_int_eq(ftell(fp), NS_DSB_CHUNK - 40);
	secrets_block(fp, "CLIENT_RANDOM " R1 " " S48 "\n");
	filler(fp, 3u << 20);
	secrets_block(fp, "CLIENT_TRAFFIC_SECRET_0 " R2 " " S32 "\n");
	filler(fp, 1000);
	secrets_block(fp, "SERVER_TRAFFIC_SECRET_0 " R2 " " S32);
	fclose(fp);

	struct ns_keylog kl;
	ns_keylog_init(&kl, NULL);
	ck_assert_int_eq(ns_dsb_read(path, &kl, NULL), 3);
	uint8_t r1[32], r2[32];
	random_of(R1, r1);
	random_of(R2, r2);
	size_t n;
	ck_assert_ptr_nonnull(ns_keylog_find(&kl, NS_KL_CLIENT_RANDOM, r1, &n));
	ck_assert_uint_eq(n, 48);
	ck_assert_ptr_nonnull(ns_keylog_find(&kl, NS_KL_CLIENT_AP0, r2, &n));
	ck_assert_ptr_nonnull(ns_keylog_find(&kl, NS_KL_SERVER_AP0, r2, &n));
	ck_assert_uint_eq(kl.n, 3);
	ck_assert_uint_eq(kl.malformed, 0);
	ns_keylog_free(&kl);

	/* a secrets block with no body (after others: the scan's buffer for
	 * bodies is not freed by it), then a block length past the end: the
	 * scan stops, what came before kept */
	fp = fopen(path, "ab");
	block(fp, 0x0000000a, "", 0);
	uint8_t head[8] = {0x0a, 0, 0, 0, 0, 0, 0, 0x10};
	fwrite(head, 1, sizeof(head), fp);
	fclose(fp);
	ns_keylog_init(&kl, NULL);
	ck_assert_int_eq(ns_dsb_read(path, &kl, NULL), 3);
	ns_keylog_free(&kl);
	unlink(path);
}
END_TEST

/* A FIFO (or a pipe, bash's <(...)) is not scanned, nor opened: its bytes
 * are the capture's, read once. */
START_TEST(dsb_leaves_a_fifo_unread)
{
	char dir[] = "/tmp/test_dsbXXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	/* not even opened: with no writer yet, an open would wait (and the
	 * close of a writer's only reader throws its bytes away) */
	struct ns_keylog kl;
	ns_keylog_init(&kl, NULL);
	ck_assert_int_eq(ns_dsb_read(path, &kl, NULL), 0);
	/* a writer that is already there (O_RDWR does not wait for a
	 * reader), holding a few bytes */
	int w = open(path, O_RDWR | O_NONBLOCK);
	ck_assert_int_ge(w, 0);
	ck_assert_int_eq(write(w, "abcd", 4), 4);
	ck_assert_int_eq(ns_dsb_read(path, &kl, NULL), 0);
	char got[4];
	ck_assert_int_eq(read(w, got, 4), 4);
	ck_assert_int_eq(memcmp(got, "abcd", 4), 0);
	close(w);
	ns_keylog_free(&kl);
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("keylog");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, good_lines);
	tcase_add_test(tc, malformed_lines);
	tcase_add_test(tc, duplicate_lines);
	tcase_add_test(tc, read_file_says_line_numbers);
	tcase_add_test(tc, refresh_reads_what_is_appended);
	tcase_add_test(tc, bounded_by_the_budget);
	tcase_add_test(tc, dsb_scan_across_the_buffer);
	tcase_add_test(tc, dsb_leaves_a_fifo_unread);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
