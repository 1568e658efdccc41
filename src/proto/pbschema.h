/*
 * pbschema — protobuf message types from a FileDescriptorSet, for the
 * typed decoding of gRPC messages (--proto-descriptor FILE).
 *
 * The file is what `protoc --include_imports -o FILE x.proto` writes: a
 * google.protobuf.FileDescriptorSet, read with protobuf-c code generated
 * from Google's descriptor.proto at build time (never a .proto parser).
 * Loading resolves it once into a small read-only model: every message
 * type (nested ones too) with its fields sorted by number, every enum with
 * its values sorted by number, and every method of every service under its
 * gRPC path (`/package.Service/Method`) with its request and response
 * types.  Lookups are binary searches; nothing changes after loading, so
 * the model is shared by every connection of a run.
 *
 * A reference the set does not resolve (a type from a file left out of the
 * set) leaves that field without a type: it is decoded raw.
 */
#ifndef NS_PBSCHEMA_H
#define NS_PBSCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct ns_packet;

/* FieldDescriptorProto.Type */
enum ns_pbtype {
	NS_PB_DOUBLE = 1,
	NS_PB_FLOAT = 2,
	NS_PB_INT64 = 3,
	NS_PB_UINT64 = 4,
	NS_PB_INT32 = 5,
	NS_PB_FIXED64 = 6,
	NS_PB_FIXED32 = 7,
	NS_PB_BOOL = 8,
	NS_PB_STRING = 9,
	NS_PB_GROUP = 10,
	NS_PB_MESSAGE = 11,
	NS_PB_BYTES = 12,
	NS_PB_UINT32 = 13,
	NS_PB_ENUM = 14,
	NS_PB_SFIXED32 = 15,
	NS_PB_SFIXED64 = 16,
	NS_PB_SINT32 = 17,
	NS_PB_SINT64 = 18,
};

struct ns_pbenum_value {
	int32_t number;
	const char *name;
};

struct ns_pbenum {
	const char *name;	   /* full name, no leading dot */
	struct ns_pbenum_value *v; /* sorted by number; aliases: first kept */
	size_t n;
};

struct ns_pbmsg;

struct ns_pbfield {
	uint32_t number;
	uint8_t type; /* enum ns_pbtype */
	uint8_t repeated;
	const char *name;
	const char *oneof;	    /* the oneof it is a member of, or NULL */
	const struct ns_pbmsg *msg; /* NS_PB_MESSAGE/GROUP, NULL: unresolved */
	const struct ns_pbenum *en; /* NS_PB_ENUM, NULL: unresolved */
};

struct ns_pbmsg {
	const char *name;     /* full name, no leading dot */
	uint8_t map_entry;    /* a map<K, V> entry: key = 1, value = 2 */
	struct ns_pbfield *f; /* sorted by number */
	size_t nfields;
};

struct ns_pbschema;

/*
 * Reads a FileDescriptorSet file.  NULL on failure with a reason in err
 * ("No such file or directory", "not a FileDescriptorSet").  The caller
 * frees the schema with ns_pbschema_free().
 */
struct ns_pbschema *ns_pbschema_load(const char *path, char *err,
				     size_t errlen);
/* The same from bytes in memory (unit tests); the bytes may go after. */
struct ns_pbschema *ns_pbschema_parse(const uint8_t *p, size_t n, char *err,
				      size_t errlen);
void ns_pbschema_free(struct ns_pbschema *s);

/* Message type by full name ("pkg.Msg", a leading dot accepted), or NULL. */
const struct ns_pbmsg *ns_pbschema_message(const struct ns_pbschema *s,
					   const char *name);
/* The request (response = 0) or response type of the method whose gRPC
 * path is path[0..n), or NULL when the set has no such method. */
const struct ns_pbmsg *ns_pbschema_method(const struct ns_pbschema *s,
					  const char *path, size_t n,
					  int response);
/* A message type's field by number, or NULL. */
const struct ns_pbfield *ns_pbschema_field(const struct ns_pbmsg *m,
					   uint32_t number);
/* An enum value's name, or NULL when the enum does not name it. */
const char *ns_pbschema_enum_name(const struct ns_pbenum *e, int32_t number);

/* Counts, for messages and tests. */
size_t ns_pbschema_nmessages(const struct ns_pbschema *s);
size_t ns_pbschema_nmethods(const struct ns_pbschema *s);

/*
 * Decoding (dissectors/app/protobuf.c) into the current layer of pkt.  When
 * `offsets` is set, p lies in the layer's bytes starting at `base`;
 * otherwise (an inflated copy) every field points at offset `at`.
 * ns_protobuf_typed() decodes p[0..n) as message type `type`, and falls
 * back to ns_protobuf_raw() when type is NULL.
 */
void ns_protobuf_raw(struct ns_packet *pkt, const uint8_t *base,
		     const uint8_t *p, size_t n, int offsets, uint32_t at);
void ns_protobuf_typed(struct ns_packet *pkt, const uint8_t *base,
		       const uint8_t *p, size_t n, int offsets, uint32_t at,
		       const struct ns_pbmsg *type);

#endif
