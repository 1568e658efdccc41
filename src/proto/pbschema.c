/*
 * pbschema — see pbschema.h.
 *
 * Loading works in three passes over the unpacked FileDescriptorSet:
 * name every message and enum type (nesting included, "pkg.Outer.Inner"),
 * sort them by name, then resolve each field's type_name and each
 * method's input_type/output_type against them.  Everything the model
 * keeps (names included) is copied into one arena, so the protobuf-c
 * message is freed as soon as loading ends and the model is freed at once.
 * protoc writes fully qualified references (".pkg.Msg"); a relative one is
 * looked up from the referring message's scope outwards, as protoc would.
 */
#include "proto/pbschema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/descriptor.pb-c.h"

#define SCHEMA_ARENA_CAP (256u << 20)
#define FILE_MAX	 (64u << 20) /* a larger descriptor set is not plausible */

typedef Google__Protobuf__FileDescriptorSet FileSet;
typedef Google__Protobuf__FileDescriptorProto FileProto;
typedef Google__Protobuf__DescriptorProto MsgProto;
typedef Google__Protobuf__EnumDescriptorProto EnumProto;
typedef Google__Protobuf__FieldDescriptorProto FieldProto;

struct method {
	const char *path; /* "/pkg.Service/Method" */
	const struct ns_pbmsg *in, *out;
};

struct ns_pbschema {
	struct ns_arena a;
	struct ns_pbmsg *msgs; /* sorted by name */
	size_t nmsgs;
	struct ns_pbenum *enums; /* sorted by name */
	size_t nenums;
	struct method *methods; /* sorted by path */
	size_t nmethods;
};

/* Loading state: the types found in pass 1, with their protos. */
struct load {
	struct ns_pbschema *s;
	const MsgProto **mp;  /* parallel to s->msgs */
	const EnumProto **ep; /* parallel to s->enums */
	size_t mcap, mpcap, ecap, epcap;
	int oom;
};

static char *join(struct ns_arena *a, const char *scope, const char *name)
{
	if (!scope || !*scope)
		return ns_arena_strndup(a, name, strlen(name));
	return ns_arena_printf(a, "%s.%s", scope, name);
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	void *nv = realloc(*v, nc * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = nc;
	return 0;
}

static void add_enum(struct load *l, const char *scope, const EnumProto *e)
{
	struct ns_pbschema *s = l->s;
	if (!e->name ||
	    grow((void **)&s->enums, &l->ecap, s->nenums, sizeof(*s->enums)) <
		0 ||
	    grow((void **)&l->ep, &l->epcap, s->nenums, sizeof(*l->ep)) < 0) {
		l->oom |= e->name != NULL;
		return;
	}
	struct ns_pbenum *en = &s->enums[s->nenums];
	en->name = join(&s->a, scope, e->name);
	en->v = NULL;
	en->n = 0;
	l->ep[s->nenums++] = e;
	if (!en->name)
		l->oom = 1;
}

static void add_message(struct load *l, const char *scope, const MsgProto *m,
			int depth)
{
	struct ns_pbschema *s = l->s;
	if (!m->name || depth > 64)
		return;
	if (grow((void **)&s->msgs, &l->mcap, s->nmsgs, sizeof(*s->msgs)) < 0 ||
	    grow((void **)&l->mp, &l->mpcap, s->nmsgs, sizeof(*l->mp)) < 0) {
		l->oom = 1;
		return;
	}
	struct ns_pbmsg *msg = &s->msgs[s->nmsgs];
	memset(msg, 0, sizeof(*msg));
	msg->name = join(&s->a, scope, m->name);
	if (!msg->name) {
		l->oom = 1;
		return;
	}
	msg->map_entry =
	    m->options && m->options->has_map_entry && m->options->map_entry;
	l->mp[s->nmsgs++] = m;
	const char *full = msg->name; /* s->msgs may move below */
	for (size_t i = 0; i < m->n_nested_type; i++)
		add_message(l, full, m->nested_type[i], depth + 1);
	for (size_t i = 0; i < m->n_enum_type; i++)
		add_enum(l, full, m->enum_type[i]);
}

static int by_msg_name(const void *a, const void *b)
{
	return strcmp(((const struct ns_pbmsg *)a)->name,
		      ((const struct ns_pbmsg *)b)->name);
}

static int by_enum_name(const void *a, const void *b)
{
	return strcmp(((const struct ns_pbenum *)a)->name,
		      ((const struct ns_pbenum *)b)->name);
}

static int by_field_number(const void *a, const void *b)
{
	const struct ns_pbfield *x = a, *y = b;
	return x->number < y->number ? -1 : x->number > y->number;
}

/* Stable (the first of aliases stays first) and quick on values declared
 * in order, which is how enums are almost always written. */
static void sort_values(struct ns_pbenum_value *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct ns_pbenum_value x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1].number > x.number; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct method *)a)->path,
		      ((const struct method *)b)->path);
}

/* Sorting moves the types: the protos are put in the same order first. */
static void sort_types(struct load *l)
{
	struct ns_pbschema *s = l->s;
	/* stash each type's proto index in a field the sort carries along */
	for (size_t i = 0; i < s->nmsgs; i++)
		s->msgs[i].nfields = i;
	qsort(s->msgs, s->nmsgs, sizeof(*s->msgs), by_msg_name);
	const MsgProto **mp = malloc((s->nmsgs ? s->nmsgs : 1) * sizeof(*mp));
	for (size_t i = 0; mp && i < s->nmsgs; i++)
		mp[i] = l->mp[s->msgs[i].nfields];
	free(l->mp);
	l->mp = mp;
	if (!mp)
		l->oom = 1;
	for (size_t i = 0; i < s->nenums; i++)
		s->enums[i].n = i;
	qsort(s->enums, s->nenums, sizeof(*s->enums), by_enum_name);
	const EnumProto **ep =
	    malloc((s->nenums ? s->nenums : 1) * sizeof(*ep));
	for (size_t i = 0; ep && i < s->nenums; i++)
		ep[i] = l->ep[s->enums[i].n];
	free(l->ep);
	l->ep = ep;
	if (!ep)
		l->oom = 1;
}

static const struct ns_pbmsg *find_msg(const struct ns_pbschema *s,
				       const char *name)
{
	struct ns_pbmsg key = {.name = name};
	return bsearch(&key, s->msgs, s->nmsgs, sizeof(*s->msgs), by_msg_name);
}

static const struct ns_pbenum *find_enum(const struct ns_pbschema *s,
					 const char *name)
{
	struct ns_pbenum key = {.name = name};
	return bsearch(&key, s->enums, s->nenums, sizeof(*s->enums),
		       by_enum_name);
}

/*
 * Resolves a type reference made from scope (a message's full name, or a
 * package): ".a.B" is absolute; "B" is tried in the scope, then in each
 * enclosing one.  Sets *m or *e.
 */
static void resolve(const struct ns_pbschema *s, const char *scope,
		    const char *ref, const struct ns_pbmsg **m,
		    const struct ns_pbenum **e)
{
	*m = NULL;
	*e = NULL;
	if (!ref || !*ref)
		return;
	if (ref[0] == '.') {
		*m = find_msg(s, ref + 1);
		*e = *m ? NULL : find_enum(s, ref + 1);
		return;
	}
	char buf[1024];
	size_t sl = scope ? strlen(scope) : 0;
	for (;;) {
		if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)sl,
			     scope ? scope : "", sl ? "." : "",
			     ref) >= (int)sizeof(buf))
			return;
		if ((*m = find_msg(s, buf)) || (*e = find_enum(s, buf)))
			return;
		if (!sl)
			return;
		while (sl && scope[sl - 1] != '.')
			sl--;
		if (sl)
			sl--; /* drop the dot too */
	}
}

static void build_fields(struct load *l, size_t i)
{
	struct ns_pbschema *s = l->s;
	const MsgProto *mp = l->mp[i];
	struct ns_pbmsg *m = &s->msgs[i];
	m->nfields = 0;
	m->f = ns_arena_alloc(&s->a,
			      (mp->n_field ? mp->n_field : 1) * sizeof(*m->f));
	if (!m->f) {
		l->oom = 1;
		return;
	}
	for (size_t k = 0; k < mp->n_field; k++) {
		const FieldProto *fp = mp->field[k];
		if (!fp->name || !fp->has_number || fp->number <= 0)
			continue;
		struct ns_pbfield *f = &m->f[m->nfields++];
		memset(f, 0, sizeof(*f));
		f->number = (uint32_t)fp->number;
		f->type = fp->has_type ? (uint8_t)fp->type : 0;
		f->repeated =
		    fp->has_label &&
		    fp->label ==
			GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED;
		f->name = ns_arena_strndup(&s->a, fp->name, strlen(fp->name));
		/* a proto3 `optional` is a oneof of one that the user never
		 * wrote: not shown as a oneof */
		if (fp->has_oneof_index && fp->oneof_index >= 0 &&
		    (size_t)fp->oneof_index < mp->n_oneof_decl &&
		    mp->oneof_decl[fp->oneof_index]->name &&
		    !(fp->has_proto3_optional && fp->proto3_optional)) {
			const char *o = mp->oneof_decl[fp->oneof_index]->name;
			f->oneof = ns_arena_strndup(&s->a, o, strlen(o));
		}
		const struct ns_pbmsg *tm;
		const struct ns_pbenum *te;
		resolve(s, m->name, fp->type_name, &tm, &te);
		/* a reference without a type (set by hand): the target says */
		if (!f->type)
			f->type = tm ? NS_PB_MESSAGE : te ? NS_PB_ENUM : 0;
		if (f->type == NS_PB_MESSAGE || f->type == NS_PB_GROUP)
			f->msg = tm;
		else if (f->type == NS_PB_ENUM)
			f->en = te;
		if (!f->name)
			l->oom = 1;
	}
	qsort(m->f, m->nfields, sizeof(*m->f), by_field_number);
}

static void build_enum(struct load *l, size_t i)
{
	struct ns_pbschema *s = l->s;
	const EnumProto *ep = l->ep[i];
	struct ns_pbenum *e = &s->enums[i];
	e->n = 0;
	e->v = ns_arena_alloc(&s->a,
			      (ep->n_value ? ep->n_value : 1) * sizeof(*e->v));
	if (!e->v) {
		l->oom = 1;
		return;
	}
	for (size_t k = 0; k < ep->n_value; k++) {
		const char *n = ep->value[k]->name;
		if (!n || !ep->value[k]->has_number)
			continue;
		e->v[e->n].number = ep->value[k]->number;
		e->v[e->n].name = ns_arena_strndup(&s->a, n, strlen(n));
		if (!e->v[e->n].name) {
			l->oom = 1;
			return;
		}
		e->n++;
	}
	sort_values(e->v, e->n);
}

static void add_methods(struct load *l, const FileProto *fp, size_t *cap)
{
	struct ns_pbschema *s = l->s;
	const char *pkg = fp->package;
	for (size_t i = 0; i < fp->n_service; i++) {
		const Google__Protobuf__ServiceDescriptorProto *sv =
		    fp->service[i];
		if (!sv->name)
			continue;
		for (size_t k = 0; k < sv->n_method; k++) {
			const Google__Protobuf__MethodDescriptorProto *md =
			    sv->method[k];
			if (!md->name ||
			    grow((void **)&s->methods, cap, s->nmethods,
				 sizeof(*s->methods)) < 0) {
				l->oom |= md->name != NULL;
				continue;
			}
			struct method *m = &s->methods[s->nmethods];
			m->path = ns_arena_printf(
			    &s->a, "/%s%s%s/%s", pkg ? pkg : "",
			    pkg && *pkg ? "." : "", sv->name, md->name);
			const struct ns_pbenum *e;
			resolve(s, pkg, md->input_type, &m->in, &e);
			resolve(s, pkg, md->output_type, &m->out, &e);
			if (!m->path)
				l->oom = 1;
			else
				s->nmethods++;
		}
	}
}

struct ns_pbschema *ns_pbschema_parse(const uint8_t *p, size_t n, char *err,
				      size_t errlen)
{
	FileSet *set =
	    google__protobuf__file_descriptor_set__unpack(NULL, n, p);
	int ok = set && set->n_file > 0;
	/* any protobuf parses as a message of some kind: a set's files have
	 * names, which is what protoc -o always writes */
	for (size_t i = 0; ok && i < set->n_file; i++)
		ok = set->file[i]->name != NULL;
	if (!ok) {
		if (set)
			google__protobuf__file_descriptor_set__free_unpacked(
			    set, NULL);
		snprintf(err, errlen,
			 "not a FileDescriptorSet (write one with "
			 "protoc --include_imports -o FILE)");
		return NULL;
	}
	struct ns_pbschema *s = calloc(1, sizeof(*s));
	struct load l = {.s = s};
	if (s) {
		ns_arena_init(&s->a, SCHEMA_ARENA_CAP);
		for (size_t i = 0; i < set->n_file; i++) {
			const FileProto *fp = set->file[i];
			for (size_t k = 0; k < fp->n_message_type; k++)
				add_message(&l, fp->package,
					    fp->message_type[k], 0);
			for (size_t k = 0; k < fp->n_enum_type; k++)
				add_enum(&l, fp->package, fp->enum_type[k]);
		}
		sort_types(&l);
		for (size_t i = 0; !l.oom && i < s->nmsgs; i++)
			build_fields(&l, i);
		for (size_t i = 0; !l.oom && i < s->nenums; i++)
			build_enum(&l, i);
		size_t cap = 0;
		for (size_t i = 0; !l.oom && i < set->n_file; i++)
			add_methods(&l, set->file[i], &cap);
		if (s->nmethods)
			qsort(s->methods, s->nmethods, sizeof(*s->methods),
			      by_path);
	}
	free(l.mp);
	free(l.ep);
	google__protobuf__file_descriptor_set__free_unpacked(set, NULL);
	if (!s || l.oom) {
		ns_pbschema_free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return s;
}

struct ns_pbschema *ns_pbschema_load(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	int rerr = 0;
	for (;;) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 65536;
			uint8_t *nb = nc <= FILE_MAX ? realloc(buf, nc) : NULL;
			if (!nb) {
				rerr = nc <= FILE_MAX ? ENOMEM : EFBIG;
				break;
			}
			buf = nb;
			cap = nc;
		}
		size_t k = fread(buf + n, 1, cap - n, fp);
		n += k;
		if (k == 0) {
			if (ferror(fp))
				rerr = errno ? errno : EIO;
			break;
		}
	}
	fclose(fp);
	struct ns_pbschema *s = NULL;
	if (rerr)
		snprintf(err, errlen, "%s", strerror(rerr));
	else
		s = ns_pbschema_parse(buf, n, err, errlen);
	free(buf);
	return s;
}

void ns_pbschema_free(struct ns_pbschema *s)
{
	if (!s)
		return;
	ns_arena_free(&s->a);
	free(s->msgs);
	free(s->enums);
	free(s->methods);
	free(s);
}

const struct ns_pbmsg *ns_pbschema_message(const struct ns_pbschema *s,
					   const char *name)
{
	if (!s || !name)
		return NULL;
	return find_msg(s, name[0] == '.' ? name + 1 : name);
}

const struct ns_pbmsg *ns_pbschema_method(const struct ns_pbschema *s,
					  const char *path, size_t n,
					  int response)
{
	if (!s || !s->nmethods)
		return NULL;
	size_t lo = 0, hi = s->nmethods;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *mp = s->methods[mid].path;
		int c = strncmp(mp, path, n);
		if (c == 0 && mp[n] != '\0')
			c = 1; /* mp is longer */
		if (c == 0)
			return response ? s->methods[mid].out
					: s->methods[mid].in;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct ns_pbfield *ns_pbschema_field(const struct ns_pbmsg *m,
					   uint32_t number)
{
	size_t lo = 0, hi = m ? m->nfields : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->f[mid].number == number)
			return &m->f[mid];
		if (m->f[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *ns_pbschema_enum_name(const struct ns_pbenum *e, int32_t number)
{
	size_t lo = 0, hi = e ? e->n : 0;
	while (lo < hi) { /* the first of equal numbers: lower bound */
		size_t mid = lo + (hi - lo) / 2;
		if (e->v[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < (e ? e->n : 0) && e->v[lo].number == number ? e->v[lo].name
								: NULL;
}

size_t ns_pbschema_nmessages(const struct ns_pbschema *s)
{
	return s ? s->nmsgs : 0;
}

size_t ns_pbschema_nmethods(const struct ns_pbschema *s)
{
	return s ? s->nmethods : 0;
}
