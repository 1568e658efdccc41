/*
 * decomp — see decomp.h.
 *
 * The cookie keeps an input buffer of compressed bytes read from the
 * underlying FILE and an output buffer of decompressed bytes not yet
 * handed out; a read drains the output, refilling it by one
 * decompression step at a time.  Each library's step is one function
 * (step_gzip, step_zstd, step_lz4) with the same contract: consume some
 * of in[], produce some into out[], say when a member or frame ended and
 * when the data is bad.
 */

#include "capture/decomp.h"

#include <errno.h>
#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define BUFSZ (256u * 1024)

struct ns_decomp {
	enum ns_decomp_kind kind;
	FILE *in;
	unsigned char *ibuf, *obuf;
	size_t ilen, ipos;	     /* compressed bytes held, used */
	size_t olen, opos;	     /* decompressed bytes held, handed out */
	unsigned long long consumed; /* compressed bytes before ibuf[0] */
	int in_eof, done, mid;	     /* mid: inside a member/frame */
	char err[160];
	z_stream z;
	int z_init;
	ZSTD_DStream *zs;
	LZ4F_dctx *lz;
};

enum ns_decomp_kind ns_decomp_kind_of(const unsigned char m[4], size_t n)
{
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return NS_DECOMP_GZIP;
	if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f &&
	    m[3] == 0xfd)
		return NS_DECOMP_ZSTD;
	if (n >= 4 && m[0] == 0x04 && m[1] == 0x22 && m[2] == 0x4d &&
	    m[3] == 0x18)
		return NS_DECOMP_LZ4;
	return NS_DECOMP_NONE;
}

const char *ns_decomp_name(enum ns_decomp_kind k)
{
	return k == NS_DECOMP_GZIP   ? "gzip"
	       : k == NS_DECOMP_ZSTD ? "zstd"
	       : k == NS_DECOMP_LZ4  ? "lz4"
				     : "none";
}

static void fail(struct ns_decomp *d, const char *why)
{
	if (!d->err[0])
		snprintf(d->err, sizeof(d->err),
			 "%s: %s (at compressed byte %llu)",
			 ns_decomp_name(d->kind), why, d->consumed + d->ipos);
}

/* More compressed bytes; 0 at the end of the input (or an error). */
static int refill(struct ns_decomp *d)
{
	if (d->ipos < d->ilen)
		return 1;
	if (d->in_eof)
		return 0;
	d->consumed += d->ilen;
	d->ipos = 0;
	d->ilen = fread(d->ibuf, 1, BUFSZ, d->in);
	if (d->ilen == 0) {
		d->in_eof = 1;
		if (ferror(d->in))
			fail(d, strerror(errno));
		return 0;
	}
	return 1;
}

/* One step: 0, or -1 on bad data (d->err says why). */
static int step_gzip(struct ns_decomp *d)
{
	if (!d->mid) {
		if (d->z_init)
			inflateReset(&d->z);
		d->mid = 1;
	}
	d->z.next_in = d->ibuf + d->ipos;
	d->z.avail_in = (uInt)(d->ilen - d->ipos);
	d->z.next_out = d->obuf + d->olen;
	d->z.avail_out = (uInt)(BUFSZ - d->olen);
	int rc = inflate(&d->z, Z_NO_FLUSH);
	d->ipos = d->ilen - d->z.avail_in;
	d->olen = BUFSZ - d->z.avail_out;
	if (rc == Z_STREAM_END) {
		d->mid = 0; /* another member may follow */
		return 0;
	}
	if (rc == Z_OK || rc == Z_BUF_ERROR)
		return 0;
	fail(d, d->z.msg ? d->z.msg : "bad data");
	return -1;
}

static int step_zstd(struct ns_decomp *d)
{
	ZSTD_inBuffer in = {d->ibuf, d->ilen, d->ipos};
	ZSTD_outBuffer out = {d->obuf, BUFSZ, d->olen};
	size_t rc = ZSTD_decompressStream(d->zs, &out, &in);
	d->ipos = in.pos;
	d->olen = out.pos;
	if (ZSTD_isError(rc)) {
		fail(d, ZSTD_getErrorName(rc));
		return -1;
	}
	d->mid = rc != 0; /* 0: a frame ended */
	return 0;
}

static int step_lz4(struct ns_decomp *d)
{
	size_t dst = BUFSZ - d->olen, src = d->ilen - d->ipos;
	size_t rc = LZ4F_decompress(d->lz, d->obuf + d->olen, &dst,
				    d->ibuf + d->ipos, &src, NULL);
	d->ipos += src;
	d->olen += dst;
	if (LZ4F_isError(rc)) {
		fail(d, LZ4F_getErrorName(rc));
		return -1;
	}
	d->mid = rc != 0; /* 0: a frame ended */
	return 0;
}

/* Fills obuf with decompressed bytes; 0, or -1 on an error. */
static int fill(struct ns_decomp *d)
{
	d->olen = d->opos = 0;
	while (d->olen == 0 && !d->done) {
		if (!refill(d)) {
			d->done = 1;
			if (d->err[0])
				return -1;
			if (d->mid) { /* the stream stopped inside */
				fail(d, "unexpected end of file");
				return -1;
			}
			return 0;
		}
		int rc = d->kind == NS_DECOMP_GZIP   ? step_gzip(d)
			 : d->kind == NS_DECOMP_ZSTD ? step_zstd(d)
						     : step_lz4(d);
		if (rc < 0) {
			d->done = 1;
			return -1;
		}
	}
	return 0;
}

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
	struct ns_decomp *d = cookie;
	size_t n = 0;
	while (n < size) {
		if (d->opos == d->olen) {
			if (d->err[0])
				break;
			if (fill(d) < 0 || d->olen == 0)
				break;
		}
		size_t k = d->olen - d->opos;
		if (k > size - n)
			k = size - n;
		memcpy(buf + n, d->obuf + d->opos, k);
		d->opos += k;
		n += k;
	}
	if (n == 0 && d->err[0]) {
		errno = EBADMSG;
		return -1;
	}
	return (ssize_t)n;
}

static void decomp_free(struct ns_decomp *d)
{
	if (d->z_init)
		inflateEnd(&d->z);
	ZSTD_freeDStream(d->zs);
	if (d->lz)
		LZ4F_freeDecompressionContext(d->lz);
	if (d->in)
		fclose(d->in);
	free(d->ibuf);
	free(d->obuf);
	free(d);
}

static int cookie_close(void *cookie)
{
	decomp_free(cookie);
	return 0;
}

static int start(struct ns_decomp *d)
{
	switch (d->kind) {
	case NS_DECOMP_GZIP:
		/* 15 + 32: a zlib or gzip header, found by itself */
		if (inflateInit2(&d->z, 15 + 32) != Z_OK)
			return -1;
		d->z_init = 1;
		return 0;
	case NS_DECOMP_ZSTD:
		d->zs = ZSTD_createDStream();
		return d->zs && !ZSTD_isError(ZSTD_initDStream(d->zs)) ? 0 : -1;
	case NS_DECOMP_LZ4:
		return LZ4F_isError(LZ4F_createDecompressionContext(
			   &d->lz, LZ4F_VERSION))
			   ? -1
			   : 0;
	default:
		return -1;
	}
}

FILE *ns_decomp_open(FILE *in, enum ns_decomp_kind k, unsigned char head[4],
		     size_t *nhead, struct ns_decomp **dc, char *err,
		     size_t errlen)
{
	struct ns_decomp *d = calloc(1, sizeof(*d));
	if (d) {
		d->kind = k;
		d->in = in;
		d->ibuf = malloc(BUFSZ);
		d->obuf = malloc(BUFSZ);
	}
	if (!d || !d->ibuf || !d->obuf || start(d) < 0) {
		snprintf(err, errlen, "%s: cannot start decompressing: %s",
			 ns_decomp_name(k), strerror(ENOMEM));
		if (d)
			decomp_free(d);
		else
			fclose(in);
		return NULL;
	}
	/* the first decompressed bytes, kept in obuf to be read again */
	*nhead = 0;
	while (d->olen < 4 && !d->done) {
		size_t before = d->olen;
		if (!refill(d)) {
			d->done = 1;
			if (d->mid)
				fail(d, "unexpected end of file");
			break;
		}
		int rc = k == NS_DECOMP_GZIP   ? step_gzip(d)
			 : k == NS_DECOMP_ZSTD ? step_zstd(d)
					       : step_lz4(d);
		if (rc < 0 ||
		    (d->olen == before && d->ipos == d->ilen && d->in_eof))
			break;
	}
	if (d->err[0] && d->olen < 4) {
		/* nothing to read before the damage */
		snprintf(err, errlen, "%s", d->err);
		decomp_free(d);
		return NULL;
	}
	*nhead = d->olen < 4 ? d->olen : 4;
	memcpy(head, d->obuf, *nhead);
	cookie_io_functions_t io = {.read = cookie_read, .close = cookie_close};
	FILE *f = fopencookie(d, "rb", io);
	if (!f) {
		snprintf(err, errlen, "%s", strerror(errno));
		decomp_free(d);
		return NULL;
	}
	*dc = d;
	return f;
}

const char *ns_decomp_error(const struct ns_decomp *dc)
{
	return dc && dc->err[0] ? dc->err : NULL;
}
