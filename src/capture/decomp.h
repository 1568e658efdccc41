/*
 * decomp — compressed capture files read as they are: gzip (zlib), zstd
 * (libzstd) and LZ4 frames (liblz4), known by their first bytes, not by
 * their name, from a file or from stdin.
 *
 * A decompressor is a read-only FILE (fopencookie) over the compressed
 * stream, so libpcap reads the capture inside as from any file (pcap or
 * pcapng).  Streams of several members or frames (what `cat a.gz b.gz`
 * or `zstd` on many blocks make) are read through.  A damaged or
 * truncated stream ends the reads with an error whose text (the library's
 * own, and where) ns_decomp_error() gives, so the reader can say why
 * instead of libpcap's "error reading dump file".
 */
#ifndef NS_DECOMP_H
#define NS_DECOMP_H

#include <stddef.h>
#include <stdio.h>

enum ns_decomp_kind {
	NS_DECOMP_NONE,
	NS_DECOMP_GZIP,
	NS_DECOMP_ZSTD,
	NS_DECOMP_LZ4
};

/* The format the first 4 bytes of a file name, or NS_DECOMP_NONE. */
enum ns_decomp_kind ns_decomp_kind_of(const unsigned char m[4], size_t n);
/* "gzip", "zstd", "lz4". */
const char *ns_decomp_name(enum ns_decomp_kind k);

struct ns_decomp;

/*
 * A FILE giving the decompressed bytes of `in` (at the start of the
 * compressed stream), which it owns and closes; the first 4 decompressed
 * bytes are also copied to head (fewer, *nhead, when the stream is
 * shorter), and *dc is the decompressor (valid until the FILE is closed)
 * for ns_decomp_error().  NULL with a reason in err when the stream
 * cannot even start (in is then closed too).
 */
FILE *ns_decomp_open(FILE *in, enum ns_decomp_kind k, unsigned char head[4],
		     size_t *nhead, struct ns_decomp **dc, char *err,
		     size_t errlen);
/* Why the reads failed ("gzip: invalid block type at byte 1234"), or
 * NULL while they have not. */
const char *ns_decomp_error(const struct ns_decomp *dc);

#endif
