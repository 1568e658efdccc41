/*
 * keylog — TLS secrets from an NSS key log file (what SSLKEYLOGFILE makes
 * curl, Firefox, Chrome, OpenSSL's -keylogfile, Go's KeyLogWriter and
 * Python's keylog_filename write), for the TLS dissector's decryption.
 *
 * Format (NSS, and draft-ietf-tls-keylogfile): one secret a line,
 * "LABEL <client_random hex, 64 digits> <secret hex>", lines starting with
 * '#' and empty lines ignored.  Labels kept: CLIENT_RANDOM (a TLS 1.2
 * master secret, 48 bytes) and TLS 1.3's CLIENT_EARLY_TRAFFIC_SECRET,
 * CLIENT/SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT/SERVER_TRAFFIC_SECRET_0,
 * EARLY_EXPORTER_SECRET, EXPORTER_SECRET (32 or 48 bytes: the suite's
 * hash).  "RSA" lines (a premaster secret by its encrypted prefix) are
 * understood and not kept: netscope decrypts only what a client random
 * names, and so are OpenSSL's CLIENT/SERVER_TRAFFIC_SECRET_N (the secret
 * after a KeyUpdate, which netscope derives itself).  Anything else is
 * malformed: said once, with its line number, and
 * skipped.
 *
 * The secrets are sorted by (client random, label) once loaded, so a
 * connection's lookup is a binary search.  They are held in one array
 * taken from a budget (core/mem.h) and capped at NS_KEYLOG_MAX entries;
 * secrets past the cap or the budget are counted, never silently lost.
 * The store is read-only while dissecting (several engines may share it)
 * and never prints a secret (invariant 7).
 */
#ifndef NS_KEYLOG_H
#define NS_KEYLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct ns_mem;

enum ns_keylog_label {
	NS_KL_CLIENT_RANDOM, /* TLS 1.2 master secret */
	NS_KL_CLIENT_EARLY,
	NS_KL_CLIENT_HS,
	NS_KL_SERVER_HS,
	NS_KL_CLIENT_AP0,
	NS_KL_SERVER_AP0,
	NS_KL_EARLY_EXPORTER,
	NS_KL_EXPORTER,
	NS_KL_COUNT
};

#define NS_KEYLOG_MAX	 (1u << 20) /* secrets kept */
#define NS_KEYLOG_SECRET 64	    /* longest secret (SHA-512) */

struct ns_keylog_entry {
	uint8_t random[32];
	uint8_t label; /* enum ns_keylog_label */
	uint8_t len;
	uint8_t secret[NS_KEYLOG_SECRET];
};

struct ns_keylog {
	struct ns_mem *mem; /* the budget the array is taken from */
	struct ns_keylog_entry *e;
	size_t n, cap;
	int sorted;
	/* what the lines said besides secrets */
	uint64_t lines, malformed, duplicates, conflicts, unused, refused;
	/* the file ns_keylog_read() read (malloc'd), for ns_keylog_refresh():
	 * how far, its name in messages, where they go */
	char *path;
	off_t offset;
	unsigned long lineno;
	const char *name;
	FILE *warn;
};

/* An empty store whose memory comes from mem (NULL: not accounted). */
void ns_keylog_init(struct ns_keylog *kl, struct ns_mem *mem);
void ns_keylog_free(struct ns_keylog *kl);

/*
 * One line (without its newline) of a key log.  Returns 0 when a secret
 * was added or the line carries none (comment, empty, RSA), -1 when the
 * line is malformed (*why then says what is wrong), -2 when the secret
 * could not be kept (the cap or the budget; counted in `refused`).
 */
int ns_keylog_line(struct ns_keylog *kl, const char *line, size_t len,
		   const char **why);

/*
 * Sorts what ns_keylog_line() added and drops repeated secrets: the same
 * (client random, label) twice with the same secret counts in
 * `duplicates`, with a different one in `conflicts` (the first line
 * wins, as the client wrote it first).  Lookups before it are linear.
 */
void ns_keylog_sort(struct ns_keylog *kl);

/*
 * Reads a key log file: every line through ns_keylog_line(); each
 * malformed line is told on warn (when not NULL) once, as
 * "netscope: NAME:LINE: WHY; line skipped"; then ns_keylog_sort().
 * Returns 0, or -1 when the
 * file cannot be read (errno set).
 */
int ns_keylog_read(struct ns_keylog *kl, const char *path, const char *name,
		   FILE *warn);

/* Names a file that does not exist yet for ns_keylog_refresh() (a live
 * capture started before the client); 0, or -1 without memory. */
int ns_keylog_follow(struct ns_keylog *kl, const char *path, const char *name,
		     FILE *warn);

/* The lines appended to ns_keylog_read()'s file since it was last read
 * (a client writing its key log while netscope captures), complete lines
 * only, then ns_keylog_sort(); one stat() when the file has not grown.
 * Returns 1 when secrets were added. */
int ns_keylog_refresh(struct ns_keylog *kl);

/* The secret with this label for a client random, or NULL; *len its
 * length. */
const uint8_t *ns_keylog_find(const struct ns_keylog *kl, int label,
			      const uint8_t random[32], size_t *len);

#endif
