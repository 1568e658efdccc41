/*
 * keylog — see keylog.h.
 *
 * A line is parsed straight through: label, one space (or tab), 64 hex
 * digits, a space, the secret's hex digits; trailing blanks and a
 * carriage return (a file written on Windows) are allowed.  A label we do
 * not know is malformed rather than ignored, as is a secret that is not
 * a hash's length (32, 48 or 64 bytes), so that a typo in a hand-written
 * key log is said, not silently useless.
 */
#include "core/keylog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/mem.h"

static const struct {
	const char *name;
	int label; /* -1: understood, not kept */
	uint8_t min, max;
} labels[] = {
    {"CLIENT_RANDOM", NS_KL_CLIENT_RANDOM, 48, 48},
    {"CLIENT_EARLY_TRAFFIC_SECRET", NS_KL_CLIENT_EARLY, 32, 64},
    {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", NS_KL_CLIENT_HS, 32, 64},
    {"SERVER_HANDSHAKE_TRAFFIC_SECRET", NS_KL_SERVER_HS, 32, 64},
    {"CLIENT_TRAFFIC_SECRET_0", NS_KL_CLIENT_AP0, 32, 64},
    {"SERVER_TRAFFIC_SECRET_0", NS_KL_SERVER_AP0, 32, 64},
    {"EARLY_EXPORTER_SECRET", NS_KL_EARLY_EXPORTER, 32, 64},
    {"EXPORTER_SECRET", NS_KL_EXPORTER, 32, 64},
    {"RSA", -1, 0, 0},
    /* what OpenSSL logs after a KeyUpdate: netscope derives it */
    {"CLIENT_TRAFFIC_SECRET_N", -1, 0, 0},
    {"SERVER_TRAFFIC_SECRET_N", -1, 0, 0},
};

void ns_keylog_init(struct ns_keylog *kl, struct ns_mem *mem)
{
	memset(kl, 0, sizeof(*kl));
	kl->mem = mem;
	kl->sorted = 1;
}

void ns_keylog_free(struct ns_keylog *kl)
{
	if (kl->e) /* the secrets do not outlive the store */
		memset(kl->e, 0, kl->cap * sizeof(*kl->e));
	ns_mem_free(kl->mem, kl->e);
	free(kl->path);
	kl->path = NULL;
	kl->e = NULL;
	kl->n = kl->cap = 0;
}

/* The hex digits s[0..n) into out (n/2 bytes); -1 on a non-hex digit. */
static int unhex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		int hi = ns_hexval(s[i]), lo = ns_hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* The next word of s[*i..n): its start and length; *i after it. */
static size_t word(const char *s, size_t n, size_t *i, const char **w)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
	*w = s + *i;
	size_t start = *i;
	while (*i < n && s[*i] != ' ' && s[*i] != '\t')
		(*i)++;
	return *i - start;
}

static int label_of(const char *w, size_t n)
{
	for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++)
		if (strlen(labels[k].name) == n &&
		    memcmp(labels[k].name, w, n) == 0)
			return (int)k;
	return -1;
}

static struct ns_keylog_entry *slot(struct ns_keylog *kl)
{
	if (kl->n == kl->cap) {
		if (kl->cap >= NS_KEYLOG_MAX)
			return NULL;
		size_t cap = kl->cap ? kl->cap * 2 : 16;
		if (cap > NS_KEYLOG_MAX)
			cap = NS_KEYLOG_MAX;
		void *p = ns_mem_realloc(kl->mem, kl->e, cap * sizeof(*kl->e));
		if (!p)
			return NULL;
		kl->e = p;
		kl->cap = cap;
	}
	return &kl->e[kl->n];
}

int ns_keylog_line(struct ns_keylog *kl, const char *s, size_t n,
		   const char **why)
{
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	kl->lines++;
	size_t i = 0;
	const char *w;
	size_t wl = word(s, n, &i, &w);
	if (wl == 0 || w[0] == '#')
		return 0;
	int k = label_of(w, wl);
	const char *rnd, *sec;
	size_t rl = word(s, n, &i, &rnd);
	size_t sl = word(s, n, &i, &sec);
	const char *extra;
	size_t xl = word(s, n, &i, &extra);
	*why = NULL;
	if (k < 0)
		*why = "unknown label";
	else if (!rl || !sl || xl)
		*why = "expected: LABEL CLIENT_RANDOM SECRET";
	if (*why) {
		kl->malformed++;
		return -1;
	}
	if (labels[k].label < 0) {
		kl->unused++;
		return 0;
	}
	struct ns_keylog_entry tmp;
	memset(&tmp, 0, sizeof(tmp));
	if (rl != 64 || unhex(rnd, rl, tmp.random) < 0)
		*why = "the client random is not 64 hex digits";
	else if (sl % 32 || sl / 2 < labels[k].min || sl / 2 > labels[k].max)
		*why = "the secret has the wrong length";
	else if (unhex(sec, sl, tmp.secret) < 0)
		*why = "the secret is not hex";
	if (*why) {
		kl->malformed++;
		return -1;
	}
	tmp.label = (uint8_t)labels[k].label;
	tmp.len = (uint8_t)(sl / 2);
	struct ns_keylog_entry *e = slot(kl);
	if (!e) {
		kl->refused++;
		return -2;
	}
	*e = tmp;
	kl->n++;
	kl->sorted = 0;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	const struct ns_keylog_entry *x = a, *y = b;
	int c = memcmp(x->random, y->random, 32);
	if (c)
		return c;
	if (x->label != y->label)
		return x->label < y->label ? -1 : 1;
	/* equal keys keep their order: the first line wins */
	return x < y ? -1 : x > y;
}

void ns_keylog_sort(struct ns_keylog *kl)
{
	if (kl->sorted)
		return;
	qsort(kl->e, kl->n, sizeof(*kl->e), cmp);
	size_t out = 0;
	for (size_t i = 0; i < kl->n; i++) {
		struct ns_keylog_entry *p = out ? &kl->e[out - 1] : NULL;
		if (p && p->label == kl->e[i].label &&
		    memcmp(p->random, kl->e[i].random, 32) == 0) {
			if (p->len == kl->e[i].len &&
			    memcmp(p->secret, kl->e[i].secret, p->len) == 0)
				kl->duplicates++;
			else
				kl->conflicts++;
			continue;
		}
		if (out != i)
			kl->e[out] = kl->e[i];
		out++;
	}
	kl->n = out;
	kl->sorted = 1;
}

/* The lines of fp from the current position; with `whole`, only lines
 * that end in a newline (a writer may be in the middle of the last one),
 * kl->offset moved past them.  0, or an errno. */
static int lines(struct ns_keylog *kl, FILE *fp, const char *name, FILE *warn,
		 int whole)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		int nl = len && line[len - 1] == '\n';
		if (whole && !nl)
			break;
		kl->offset += len;
		kl->lineno++;
		if (nl)
			len--;
		const char *why;
		if (ns_keylog_line(kl, line, (size_t)len, &why) == -1 && warn)
			fprintf(warn, "netscope: %s:%lu: %s; line skipped\n",
				name, kl->lineno, why);
	}
	int err = ferror(fp) ? errno : 0;
	free(line);
	return err;
}

int ns_keylog_follow(struct ns_keylog *kl, const char *path, const char *name,
		     FILE *warn)
{
	free(kl->path);
	kl->path = strdup(path);
	kl->name = name;
	kl->warn = warn;
	kl->offset = 0;
	kl->lineno = 0;
	return kl->path ? 0 : -1;
}

int ns_keylog_read(struct ns_keylog *kl, const char *path, const char *name,
		   FILE *warn)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	ns_keylog_follow(kl, path, name, warn);
	int err = lines(kl, fp, name, warn, 0);
	fclose(fp);
	ns_keylog_sort(kl);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int ns_keylog_refresh(struct ns_keylog *kl)
{
	struct stat sb;
	if (!kl->path || stat(kl->path, &sb) < 0 || sb.st_size <= kl->offset)
		return 0;
	FILE *fp = fopen(kl->path, "r");
	if (!fp)
		return 0;
	size_t before = kl->n;
	if (fseeko(fp, kl->offset, SEEK_SET) == 0)
		lines(kl, fp, kl->name, kl->warn, 1);
	fclose(fp);
	ns_keylog_sort(kl);
	return kl->n > before;
}

const uint8_t *ns_keylog_find(const struct ns_keylog *kl, int label,
			      const uint8_t random[32], size_t *len)
{
	if (!kl || !kl->n)
		return NULL;
	size_t lo = 0, hi = kl->n;
	if (!kl->sorted) { /* before ns_keylog_sort: the first line wins */
		for (size_t i = 0; i < kl->n; i++)
			if (kl->e[i].label == label &&
			    memcmp(kl->e[i].random, random, 32) == 0) {
				*len = kl->e[i].len;
				return kl->e[i].secret;
			}
		return NULL;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ns_keylog_entry *e = &kl->e[mid];
		int c = memcmp(e->random, random, 32);
		if (!c)
			c = e->label < label ? -1 : e->label > label;
		if (!c) {
			*len = e->len;
			return e->secret;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
