/*
 * field — the field index: every field by id and by name (a name-sorted
 * index for lookups from filters and -e), aliases resolved.  The registry
 * (ns_registry_init, src/core/dissect.c) numbers the dissectors' fields
 * and hands them here once at start-up; read-only afterwards.
 */
#include "core/field.h"

#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct ns_field **by_id;
static const struct ns_field **by_name;
static uint32_t nfields;

static int name_cmp(const void *a, const void *b)
{
	const struct ns_field *const *x = a, *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

/* An alias takes its members' type, width, base and value names. */
static void resolve_aliases(void)
{
	for (uint32_t i = 0; i < nfields; i++) {
		struct ns_field *f = (struct ns_field *)by_id[i];
		if (!f->alias_of[0])
			continue;
		for (int k = 0; k < 2; k++) {
			f->alias[k] = ns_field_by_name(f->alias_of[k]);
			if (!f->alias[k] || f->alias[k]->alias_of[0]) {
				fprintf(stderr,
					"netscope: field %s: alias of "
					"unknown field %s\n",
					f->name, f->alias_of[k]);
				abort();
			}
		}
		f->type = f->alias[0]->type;
		f->bits = f->alias[0]->bits;
		f->base = f->alias[0]->base;
		f->vals = f->alias[0]->vals;
	}
}

void ns_fields_index(const struct ns_field **all, uint32_t n)
{
	by_id = all;
	nfields = n;
	by_name = calloc(n ? n : 1, sizeof(*by_name));
	if (!by_name) {
		fputs("netscope: out of memory\n", stderr);
		exit(1);
	}
	memcpy(by_name, by_id, n * sizeof(*by_id));
	qsort(by_name, n, sizeof(*by_name), name_cmp);
	resolve_aliases();
}

int ns_fields_indexed(void)
{
	return by_id != NULL;
}

const struct ns_field *ns_field_by_name(const char *name)
{
	uint32_t lo = 0, hi = nfields;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		int c = strcmp(name, by_name[mid]->name);
		if (c == 0)
			return by_name[mid];
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct ns_field *ns_field_by_id(uint32_t id)
{
	return id < nfields ? by_id[id] : NULL;
}

const struct ns_field *const *ns_fields_by_id(void)
{
	return (const struct ns_field *const *)by_id;
}

uint32_t ns_field_count(void)
{
	return nfields;
}

const char *ns_ftype_name(const struct ns_field *f)
{
	switch (f->type) {
	case NS_FT_PROTO:
		return "protocol";
	case NS_FT_NONE:
		return "label";
	case NS_FT_BOOL:
		return "bool";
	case NS_FT_UINT:
		switch (f->bits) {
		case 8:
			return "uint8";
		case 16:
			return "uint16";
		case 24:
			return "uint24";
		case 32:
			return "uint32";
		default:
			return "uint64";
		}
	case NS_FT_INT:
		return "int64";
	case NS_FT_DOUBLE:
		return "double";
	case NS_FT_RELTIME:
		return "time_relative";
	case NS_FT_ABSTIME:
		return "time_absolute";
	case NS_FT_ETHER:
		return "ether";
	case NS_FT_IPV4:
		return "ipv4";
	case NS_FT_IPV6:
		return "ipv6";
	case NS_FT_STRING:
		return "string";
	case NS_FT_BYTES:
		return "bytes";
	}
	return "?";
}

const char *ns_ftype_ws_name(const struct ns_field *f)
{
	static const char *const uints[] = {
	    "FT_UINT8", "FT_UINT16", "FT_UINT24", "FT_UINT32", "FT_UINT64"};
	static const char *const ints[] = {"FT_INT8", "FT_INT16", "FT_INT24",
					   "FT_INT32", "FT_INT64"};
	/* a bit field is shown as its container, as Wireshark does */
	unsigned w = !f->bits || f->bits > 32 ? 4 : (f->bits - 1u) / 8;
	switch (f->type) {
	case NS_FT_PROTO:
		return "FT_PROTOCOL";
	case NS_FT_NONE:
		return "FT_NONE";
	case NS_FT_BOOL:
		return "FT_BOOLEAN";
	case NS_FT_UINT:
		return uints[w];
	case NS_FT_INT:
		return ints[w];
	case NS_FT_DOUBLE:
		return "FT_DOUBLE";
	case NS_FT_RELTIME:
		return "FT_RELATIVE_TIME";
	case NS_FT_ABSTIME:
		return "FT_ABSOLUTE_TIME";
	case NS_FT_ETHER:
		return "FT_ETHER";
	case NS_FT_IPV4:
		return "FT_IPv4";
	case NS_FT_IPV6:
		return "FT_IPv6";
	case NS_FT_STRING:
		return "FT_STRING";
	case NS_FT_BYTES:
		return "FT_BYTES";
	}
	return "?";
}

const char *ns_valstr_find(const struct ns_valstr *vals, uint64_t v)
{
	for (; vals && vals->s; vals++)
		if (vals->v == v)
			return vals->s;
	return NULL;
}

void ns_field_put_name(struct ns_buf *b, const struct ns_field *f, uint64_t v)
{
	const char *s = f ? ns_valstr_find(f->vals, v) : NULL;
	if (s)
		ns_buf_puts(b, s);
	else
		ns_buf_printf(b, "0x%04llx", (unsigned long long)v);
}

/* Edit distance with adjacent transpositions (optimal string alignment),
 * both strings at most 64 bytes. */
static unsigned distance(const char *a, size_t n, const char *b, size_t m)
{
	unsigned d[65][65];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[n][m];
}

const struct ns_field *ns_field_nearest(const char *name, size_t n)
{
	if (n > 64)
		return NULL;
	const struct ns_field *best = NULL;
	unsigned limit = n / 3 + 1 < 3 ? (unsigned)n / 3 + 1 : 3;
	unsigned bestd = limit + 1;
	for (uint32_t id = 0; id < ns_field_count(); id++) {
		const struct ns_field *f = ns_field_by_id(id);
		size_t m = strlen(f->name);
		if (m > 64 || (m > n ? m - n : n - m) >= bestd)
			continue;
		unsigned dd = distance(name, n, f->name, m);
		if (dd < bestd) {
			best = f;
			bestd = dd;
		}
	}
	return best;
}
