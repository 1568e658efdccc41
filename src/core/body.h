/*
 * body — the interface between HTTP transports and the formats of what
 * they carry.
 *
 * A transport (HTTP/1.1, HTTP/2; later HTTP/3 and decrypted TLS) knows
 * exchanges (struct ns_call), their header blocks and their body bytes.  A
 * body format (gRPC message framing, SSE, …) knows what the bytes mean.
 * A format registers once, by the content types it takes (ns_body_formats,
 * generated from the sources listed in Makefile.am like the dissectors),
 * and receives bodies from every transport through the same calls; no
 * transport names a format.
 *
 * Per exchange the transport keeps a struct ns_body (the chosen format and
 * its per-call state) and, per connection, a struct ns_body_conn that
 * collects what the formats completed during one delivery of bytes; after
 * the transport has recorded its own layer it calls ns_body_flush(), and
 * each format records its layer (the `grpc` layer) on the packet.
 *
 * Order of calls for one exchange: ns_body_headers() for each header block
 * (the format is chosen at the first block that names a content type a
 * format takes; a block is given whole, so headers that come before the
 * content type are seen too), ns_body_data() for body bytes, ns_body_end()
 * when a side ends (or the exchange is reset: call->end says so),
 * ns_body_lost() when bytes of a side were lost, ns_body_free() when the
 * transport forgets the exchange.
 */
#ifndef NS_BODY_H
#define NS_BODY_H

#include <stddef.h>
#include <stdint.h>

struct ns_call;
struct ns_mem;
struct ns_stream_ctx;
struct ns_body_format;

/* A header field as a transport decoded it. */
struct ns_hdr {
	const uint8_t *name, *value;
	size_t nl, vl;
};

/* Splits an HTTP/1.x header line "name: value" (the value without the
 * blanks around it); 0 when the line has no colon. */
int ns_hdr_split(const uint8_t *line, size_t n, struct ns_hdr *h);

/* Whether the header name a[0..n) is `name`, ignoring ASCII case. */
int ns_hdr_is(const uint8_t *a, size_t n, const char *name);

/* What an HTTP/2 or HTTP/3 exchange learns from a header block's
 * pseudo-header fields: :method, :path, :authority (cut to the call's
 * sizes) and :status. */
void ns_call_pseudo_headers(struct ns_call *c, const struct ns_hdr *h,
			    unsigned n);

/* One exchange's body state, kept by the transport. */
struct ns_body {
	const struct ns_body_format *fmt; /* NULL: no format (yet) */
	void *state;			  /* fmt->state_size bytes */
};

#define NS_BODY_MAX_FORMATS 8

/*
 * The per-connection side of the formats: each format's collector of what
 * it completed in the current delivery (made on first use), and how a
 * format finds an exchange again by id when it records its layer (the
 * transport may have forgotten it meanwhile: NULL).
 */
struct ns_body_conn {
	void *pending[NS_BODY_MAX_FORMATS];
	const struct ns_call *(*find)(void *owner, uint32_t id);
	void *owner;
	/* the budget the formats' state is taken from (the engine's), or
	 * NULL: not accounted */
	struct ns_mem *mem;
};

/* What a format's calls are given. */
struct ns_body_ctx {
	const struct ns_stream_ctx *stream; /* connection, packet, engine */
	struct ns_body_conn *conn;
	struct ns_call *call;
	void *state;   /* the format's per-exchange state */
	void *pending; /* the format's collector on this connection */
	int side;      /* 0 request, 1 response */
	int64_t ts;    /* capture time of the bytes */
};

struct ns_body_format {
	const char *name; /* "grpc" */
	/* content types taken, by case-insensitive prefix, NULL-ended
	 * ("application/grpc" takes application/grpc+proto, -web, …) */
	const char *const *content_types;
	size_t state_size;   /* per exchange, zeroed when chosen */
	size_t pending_size; /* per connection, zeroed when first used */
	/* a whole header block of side b->side (request, response or
	 * trailers) */
	void (*headers)(struct ns_body_ctx *b, const struct ns_hdr *h,
			unsigned n);
	void (*data)(struct ns_body_ctx *b, const uint8_t *p, size_t n);
	/* side b->side ended (its body is complete, or the exchange was
	 * reset) */
	void (*end)(struct ns_body_ctx *b);
	/* bytes of side b->side were lost: what is in progress is gone */
	void (*lost)(struct ns_body_ctx *b);
	/* frees what the per-exchange state points to (not the state) */
	void (*free)(void *state);
	/* records the layer of what was completed in this delivery (when
	 * ctx->pkt is set) and empties `pending` */
	void (*flush)(void *pending, struct ns_body_conn *conn,
		      struct ns_stream_ctx *ctx);
	void (*pending_free)(void *pending);
	/* optional: for an exchange whose content type is unknown because
	 * its headers could not be read (call->hpack_lost: an HPACK context
	 * lost, a capture that began mid-connection), 1 when a header block
	 * (h, n) or a side's first body bytes (p, len; h NULL) surely are
	 * this format's; it then marks the call as chosen by guess */
	int (*guess)(struct ns_call *call, const struct ns_hdr *h, unsigned n,
		     const uint8_t *p, size_t len);
};

/* The registry (gen/registry.c). */
extern const struct ns_body_format *const ns_body_formats[];
extern const unsigned ns_nbody_formats;

/* The format that takes content type ct[0..n), or NULL. */
const struct ns_body_format *ns_body_find(const uint8_t *ct, size_t n);

/* For transports, in the order the top comment gives. */
void ns_body_headers(struct ns_body *body, struct ns_body_conn *conn,
		     const struct ns_stream_ctx *ctx, struct ns_call *call,
		     int side, int64_t ts, const struct ns_hdr *h, unsigned n);
void ns_body_data(struct ns_body *body, struct ns_body_conn *conn,
		  const struct ns_stream_ctx *ctx, struct ns_call *call,
		  int side, int64_t ts, const uint8_t *p, size_t n);
void ns_body_end(struct ns_body *body, struct ns_body_conn *conn,
		 const struct ns_stream_ctx *ctx, struct ns_call *call,
		 int side, int64_t ts);
void ns_body_lost(struct ns_body *body, struct ns_body_conn *conn,
		  struct ns_call *call, int side);
void ns_body_free(struct ns_body *body, struct ns_body_conn *conn);
/* After the transport's layer of a delivery: each format's layer. */
void ns_body_flush(struct ns_body_conn *conn, struct ns_stream_ctx *ctx);
/* The connection ends: frees the collectors. */
void ns_body_conn_free(struct ns_body_conn *conn);

#endif
