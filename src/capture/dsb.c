/*
 * dsb — see dsb.h.
 *
 * The section header's byte-order magic says how every later number of
 * the section is written; a new section header may change it.
 */
#include "capture/dsb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/keylog.h"
#include "core/reader.h"

#define BT_SHB	   0x0a0d0d0au
#define BT_DSB	   0x0000000au
#define BOM	   0x1a2b3c4du
#define TLS_KEYLOG 0x544c534bu
#define DSB_MAX	   (16u << 20)

static uint32_t u32(struct ns_reader *r, int le)
{
	return le ? ns_rd_u32le(r) : ns_rd_u32(r);
}

/* The lines of one secrets block's key log. */
static void secrets(struct ns_keylog *kl, struct ns_reader *r, const char *path,
		    int block, FILE *warn)
{
	int line = 0;
	while (ns_rd_left(r)) {
		long nl = ns_rd_find(r, '\n');
		size_t n = nl < 0 ? ns_rd_left(r) : (size_t)nl;
		const char *s = (const char *)ns_rd_ptr(r, n);
		ns_rd_skip(r, nl < 0 ? 0 : 1);
		line++;
		const char *why;
		if (s && ns_keylog_line(kl, s, n, &why) == -1 && warn)
			fprintf(warn,
				"netscope: %s: secrets block %d, line %d: %s; "
				"line skipped\n",
				path, block, line, why);
	}
}

/* One Decryption Secrets Block's body. */
static int dsb(struct ns_keylog *kl, struct ns_reader *r, int le,
	       const char *path, int block, FILE *warn)
{
	uint32_t type = u32(r, le), len = u32(r, le);
	struct ns_reader data = ns_rd_sub(r, len);
	if (r->err || type != TLS_KEYLOG)
		return 0;
	secrets(kl, &data, path, block, warn);
	return 1;
}

/* The file read NS_DSB_CHUNK bytes at a time, block header to block
 * header; a block is skipped in the buffer, or with one lseek() when it
 * reaches past it.  (stdio's fseek() would lseek() at every block.) */
struct scan {
	int fd;
	uint8_t *buf;
	size_t pos, len; /* the bytes read and not yet used: buf[pos, len) */
};

/* Reads into p, which holds *got bytes, until it holds want or more (room
 * at most); 0 when the file ends first. */
static int fill(int fd, uint8_t *p, size_t *got, size_t want, size_t room)
{
	while (*got < want) {
		ssize_t r = read(fd, p + *got, room - *got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		*got += (size_t)r;
	}
	return 1;
}

/* Whether n bytes (at most NS_DSB_CHUNK) are at buf + pos, read if not. */
static int have(struct scan *s, size_t n)
{
	if (s->len - s->pos >= n)
		return 1;
	memmove(s->buf, s->buf + s->pos, s->len - s->pos);
	s->len -= s->pos;
	s->pos = 0;
	return fill(s->fd, s->buf, &s->len, n, NS_DSB_CHUNK);
}

/* Skips n bytes; 0 when the file cannot be seeked. */
static int skip(struct scan *s, size_t n)
{
	if (s->len - s->pos >= n) {
		s->pos += n;
		return 1;
	}
	n -= s->len - s->pos;
	s->pos = s->len = 0;
	return lseek(s->fd, (off_t)n, SEEK_CUR) >= 0;
}

/* n bytes into out; 0 when the file ends first. */
static int take(struct scan *s, uint8_t *out, size_t n)
{
	size_t k = s->len - s->pos < n ? s->len - s->pos : n;
	memcpy(out, s->buf + s->pos, k);
	s->pos += k;
	return fill(s->fd, out, &k, n, n);
}

int ns_dsb_read(const char *path, struct ns_keylog *kl, FILE *warn)
{
	if (!path || strcmp(path, "-") == 0)
		return 0;
	/* a pipe or a FIFO is read once, by the capture: not even opened
	 * here (the last reader's close throws away what a writer put in
	 * the pipe, and the capture's open would then wait for a writer) */
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	struct scan s = {.fd = open(path, O_RDONLY | O_CLOEXEC)};
	if (s.fd < 0 || !(s.buf = malloc(NS_DSB_CHUNK))) {
		if (s.fd >= 0)
			close(s.fd);
		return 0;
	}
	int le = 1, found = 0, first = 1;
	uint8_t *body = NULL;
	while (have(&s, 12)) {
		const uint8_t *hdr = s.buf + s.pos;
		struct ns_reader h;
		ns_rd_init(&h, hdr, 12);
		uint32_t type = ns_rd_u32le(&h); /* the SHB's reads alike */
		if (first && type != BT_SHB)
			break; /* not pcapng */
		first = 0;
		if (type == BT_SHB) {
			struct ns_reader b;
			ns_rd_init(&b, hdr + 8, 4);
			le = ns_rd_u32le(&b) == BOM;
		}
		ns_rd_init(&h, hdr + 4, 4);
		uint32_t total = u32(&h, le);
		if (total < 12 || total % 4)
			break;
		if (type != BT_DSB || total - 12 > DSB_MAX) {
			if (!skip(&s, total))
				break;
			continue;
		}
		/* the body after the 8-byte header, the trailing length off
		 * (4 bytes more: a body of 0 would make realloc() free) */
		uint8_t *nb = realloc(body, total - 8);
		if (!nb)
			break;
		body = nb;
		s.pos += 8;
		if (!take(&s, body, total - 12) || !skip(&s, 4))
			break;
		struct ns_reader r;
		ns_rd_init(&r, body, total - 12);
		found += dsb(kl, &r, le, path, found + 1, warn);
	}
	free(body);
	free(s.buf);
	close(s.fd);
	ns_keylog_sort(kl);
	return found;
}
