/*
 * dsb — see dsb.h.
 *
 * The section header's byte-order magic says how every later number of
 * the section is written; a new section header may change it.
 */
#include "capture/dsb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int ns_dsb_read(const char *path, struct ns_keylog *kl, FILE *warn)
{
	if (!path || strcmp(path, "-") == 0)
		return 0;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return 0;
	int le = 1, found = 0, first = 1;
	uint8_t hdr[12];
	uint8_t *body = NULL;
	while (fread(hdr, 1, 12, fp) == 12) {
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
			if (fseek(fp, (long)total - 12, SEEK_CUR) < 0)
				break;
			continue;
		}
		/* the body after the 8-byte header, the first 4 bytes of
		 * which are already read */
		uint8_t *nb = realloc(body, total - 8);
		if (!nb)
			break;
		body = nb;
		memcpy(body, hdr + 8, 4);
		if (fread(body + 4, 1, total - 12, fp) != total - 12)
			break;
		struct ns_reader r;
		ns_rd_init(&r, body, total - 12); /* the trailing length off */
		found += dsb(kl, &r, le, path, found + 1, warn);
	}
	free(body);
	fclose(fp);
	ns_keylog_sort(kl);
	return found;
}
