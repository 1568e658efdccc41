/*
 * dsb — TLS secrets embedded in a pcapng file: Decryption Secrets Blocks
 * (pcapng spec, block type 0x0000000A; what `editcap --inject-secrets
 * tls,KEYS` and Wireshark write), secrets type 0x544c534b ("TLSK"), whose
 * data is an NSS key log.  libpcap skips these blocks, so the file is
 * scanned once, before it is read, block header to block header,
 * NS_DSB_CHUNK bytes read at a time.  A pipe or FIFO is not scanned: it can be
 * read only once, by the capture (its secrets blocks are not used).
 *
 * Every byte of the file goes through the reader; a block length that is
 * impossible (shorter than a block, not a multiple of 4, past the end)
 * ends the scan without an error: the capture is libpcap's to judge.
 * Secrets blocks larger than 16 MiB are skipped.
 */
#ifndef NS_DSB_H
#define NS_DSB_H

#include <stdio.h>

struct ns_keylog;

/* The scan's buffer: under malloc's mmap threshold (128 KiB), so that
 * freeing it does not raise the threshold and move the run's later large
 * buffers to the heap (2 MiB more peak RSS with a 1 MiB buffer) */
#define NS_DSB_CHUNK (64u << 10)

/* Adds the secrets of every TLS Decryption Secrets Block of the pcapng
 * file at path to kl (malformed lines told on warn as
 * "netscope: PATH: secrets block N, line L: WHY"), then sorts kl.
 * Returns the number of such blocks (0 for pcap, stdin, a pipe, or a
 * file that cannot be opened: reading it will say why). */
int ns_dsb_read(const char *path, struct ns_keylog *kl, FILE *warn);

#endif
