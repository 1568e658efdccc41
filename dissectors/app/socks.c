/*
 * socks — SOCKS version 5 (RFC 1928, and RFC 1929's username/password
 * negotiation) over TCP: on port 1080, and on any port whose connection,
 * seen from its start, opens with a SOCKS5 greeting.
 *
 * A connection is a short exchange in lock step: the client's greeting
 * (the authentication methods it offers), the server's choice, with
 * method 2 a username/password and its status, then the client's request
 * (a command and where to) and the server's reply.  Each message is one
 * `socks` layer with Wireshark's field names.  When a CONNECT succeeds,
 * the connection becomes a tunnel: the dissector steps aside
 * (ns_stream_reprobe) and the stream heuristics take what follows, so the
 * TLS, HTTP/2 or HTTP/1.1 inside is dissected as on a connection of its
 * own.  A failed reply, an unsupported method (GSSAPI) or bytes that are
 * not SOCKS5 end the dissection of the connection.
 */
#include <stdio.h>
#include <string.h>

#include "core/dissect.h"
#include "core/packet.h"
#include "flow/stream.h"

enum {
	F_VERSION,
	F_METHOD_COUNT,
	F_METHOD,
	F_ACCEPTED,
	F_SUBNEG_VERSION,
	F_USERNAME,
	F_PASSWORD,
	F_AUTH_STATUS,
	F_COMMAND,
	F_RESULTS,
	F_RESERVED,
	F_ADDR_TYPE,
	F_REMOTE_NAME,
	F_DST,
	F_DST6,
	F_PORT,
	F_COUNT
};

static const struct ns_valstr method_vals[] = {
    {0, "No authentication"},	     {1, "GSSAPI"}, {2, "Username/Password"},
    {0xff, "No acceptable methods"}, {0, NULL},
};

static const struct ns_valstr command_vals[] = {
    {1, "Connect"},
    {2, "Bind"},
    {3, "UdpAssociate"},
    {0, NULL},
};

static const struct ns_valstr results_vals[] = {
    {0, "Succeeded"},
    {1, "General SOCKS server failure"},
    {2, "Connection not allowed by ruleset"},
    {3, "Network unreachable"},
    {4, "Host unreachable"},
    {5, "Connection refused"},
    {6, "TTL expired"},
    {7, "Command not supported"},
    {8, "Address type not supported"},
    {0, NULL},
};

static const struct ns_valstr atyp_vals[] = {
    {1, "IPv4"},
    {3, "Domain Name"},
    {4, "IPv6"},
    {0, NULL},
};

static struct ns_field fields[] = {
    [F_VERSION] = NS_F_UINT("socks.version", "Version", 8),
    [F_METHOD_COUNT] =
	NS_F_UINT("socks.auth_method_count", "Authentication Method Count", 8),
    [F_METHOD] =
	NS_F_VALS("socks.auth_method", "Method", 8, NS_BASE_DEC, method_vals),
    [F_ACCEPTED] =
	NS_F_VALS("socks.auth_accepted_method", "Accepted Auth Method", 8,
		  NS_BASE_DEC, method_vals),
    [F_SUBNEG_VERSION] =
	NS_F_UINT("socks.subnegotiation_version", "Subnegotiation Version", 8),
    [F_USERNAME] = NS_F_STR("socks.username", "User name"),
    [F_PASSWORD] = NS_F_STR("socks.password", "Password"),
    [F_AUTH_STATUS] = NS_F_UINT("socks.auth_status", "Status", 8),
    [F_COMMAND] =
	NS_F_VALS("socks.command", "Command", 8, NS_BASE_DEC, command_vals),
    [F_RESULTS] =
	NS_F_VALS("socks.results", "Results(V5)", 8, NS_BASE_DEC, results_vals),
    [F_RESERVED] = NS_F_UINT("socks.reserved", "Reserved", 8),
    [F_ADDR_TYPE] = NS_F_VALS("socks.address_type", "Address Type", 8,
			      NS_BASE_DEC, atyp_vals),
    [F_REMOTE_NAME] = NS_F_STR("socks.remote_name", "Remote name"),
    [F_DST] = NS_F_IPV4("socks.dst", "Remote Address"),
    [F_DST6] = NS_F_IPV6("socks.dstV6", "Remote Address(ipv6)"),
    [F_PORT] = NS_F_UINT("socks.port", "Port", 16),
};

extern struct ns_dissector ns_diss_socks;

/* The messages in the order they come, each way. */
enum msg { M_GREETING, M_CHOICE, M_AUTH, M_AUTH_STATUS, M_REQUEST, M_REPLY };

struct socks_state {
	uint8_t step[2]; /* messages seen each way */
	uint8_t method;	 /* the server's choice */
	uint8_t command; /* the request's */
	uint8_t dead;
	enum msg kind; /* of the message being recorded (lent to dissect) */
};

/* The length of an address of type atyp at p[0..n): 0 invalid, -1 more
 * bytes needed. */
static long addr_len(const uint8_t *p, size_t n, uint8_t atyp)
{
	switch (atyp) {
	case 1:
		return 4;
	case 4:
		return 16;
	case 3:
		return n < 1 ? -1
		       : ns_rd_byte_at(p, n, 0)
			   ? 1 + (long)ns_rd_byte_at(p, n, 0)
			   : 0;
	}
	return 0;
}

/* The next message's kind on direction dir, given what came before. */
static enum msg next_kind(const struct socks_state *s, int dir)
{
	unsigned k = s->step[dir];
	if (k == 0)
		return dir ? M_CHOICE : M_GREETING;
	if (s->method == 2 && k == 1)
		return dir ? M_AUTH_STATUS : M_AUTH;
	return dir ? M_REPLY : M_REQUEST;
}

/* The length of a whole message of kind m at p[0..n): 0 not SOCKS5, -1
 * more bytes needed. */
static long msg_len(enum msg m, const uint8_t *p, size_t n)
{
	if (n < 2)
		return -1;
	uint8_t b0 = ns_rd_byte_at(p, n, 0), b1 = ns_rd_byte_at(p, n, 1);
	switch (m) {
	case M_GREETING:
		return b0 != 5 || !b1 ? 0 : 2 + (long)b1;
	case M_CHOICE:
	case M_AUTH_STATUS:
		return 2;
	case M_AUTH: {
		if (b0 != 1)
			return 0;
		if (n < 2 + (size_t)b1 + 1)
			return -1;
		return 2 + (long)b1 + 1 + ns_rd_byte_at(p, n, 2 + (size_t)b1);
	}
	case M_REQUEST:
	case M_REPLY: {
		if (n < 5)
			return -1;
		if (b0 != 5 || ns_rd_byte_at(p, n, 2) != 0)
			return 0;
		long a = addr_len(p + 4, n - 4, ns_rd_byte_at(p, n, 3));
		return a <= 0 ? a : 4 + a + 2;
	}
	}
	return 0;
}

static void address(struct ns_packet *pkt, struct ns_reader *r)
{
	uint8_t atyp = ns_get_u8(pkt, r, &fields[F_ADDR_TYPE]);
	if (atyp == 1) {
		ns_get_bytes(pkt, r, &fields[F_DST], 4);
	} else if (atyp == 4) {
		ns_get_bytes(pkt, r, &fields[F_DST6], 16);
	} else if (atyp == 3) {
		uint8_t n = ns_rd_u8(r);
		ns_get_bytes(pkt, r, &fields[F_REMOTE_NAME], n);
	}
	ns_get_u16(pkt, r, &fields[F_PORT]);
}

static int dissect(struct ns_packet *pkt, struct ns_reader *r,
		   const struct ns_dctx *cx)
{
	const struct socks_state *s = cx->state;
	if (!s)
		return 0; /* not from a stream: nothing known of it */
	ns_get_u8(pkt, r,
		  &fields[s->kind == M_AUTH || s->kind == M_AUTH_STATUS
			      ? F_SUBNEG_VERSION
			      : F_VERSION]);
	switch (s->kind) {
	case M_GREETING: {
		uint8_t n = ns_get_u8(pkt, r, &fields[F_METHOD_COUNT]);
		for (unsigned i = 0; i < n && !r->err; i++)
			ns_get_u8(pkt, r, &fields[F_METHOD]);
		break;
	}
	case M_CHOICE:
		ns_get_u8(pkt, r, &fields[F_ACCEPTED]);
		break;
	case M_AUTH: {
		uint8_t n = ns_rd_u8(r);
		ns_get_bytes(pkt, r, &fields[F_USERNAME], n);
		n = ns_rd_u8(r);
		ns_get_bytes(pkt, r, &fields[F_PASSWORD], n);
		break;
	}
	case M_AUTH_STATUS:
		ns_get_u8(pkt, r, &fields[F_AUTH_STATUS]);
		break;
	case M_REQUEST:
	case M_REPLY:
		ns_get_u8(
		    pkt, r,
		    &fields[s->kind == M_REQUEST ? F_COMMAND : F_RESULTS]);
		ns_get_u8(pkt, r, &fields[F_RESERVED]);
		address(pkt, r);
		break;
	}
	return r->err ? NS_ETRUNC : 0;
}

/* "greeting: methods 0, 2" / "CONNECT api.example.com:443" / … */
static void info(const struct ns_packet *pkt, unsigned li, struct ns_buf *out)
{
	const struct ns_layer *l = &pkt->layers[li];
	const struct ns_fv *fv = pkt->fv;
	const char *sep = "";
	ns_buf_puts(out, "SOCKS5");
	for (uint32_t i = l->fv_first; i < l->fv_end; i++) {
		const struct ns_field *f = fv[i].f;
		const char *name =
		    f->vals ? ns_valstr_find(f->vals, fv[i].v.u) : NULL;
		if (f == &fields[F_METHOD]) {
			ns_buf_printf(out, "%s%s", *sep ? ", " : " methods ",
				      name ? name : "?");
			sep = ",";
		} else if (f == &fields[F_ACCEPTED]) {
			ns_buf_printf(out, " method %s", name ? name : "?");
		} else if (f == &fields[F_USERNAME]) {
			ns_buf_puts(out, " user ");
			ns_buf_escaped(out, fv[i].v.b.p, fv[i].v.b.n);
		} else if (f == &fields[F_AUTH_STATUS]) {
			ns_buf_puts(out,
				    fv[i].v.u ? " auth failed" : " auth ok");
		} else if (f == &fields[F_COMMAND]) {
			ns_buf_printf(out, " %s", name ? name : "command ?");
		} else if (f == &fields[F_RESULTS]) {
			ns_buf_printf(out, " %s", name ? name : "result ?");
		} else if (f == &fields[F_REMOTE_NAME]) {
			ns_buf_putc(out, ' ');
			ns_buf_escaped(out, fv[i].v.b.p, fv[i].v.b.n);
		} else if (f == &fields[F_DST] && fv[i].v.b.n == 4) {
			ns_buf_putc(out, ' ');
			ns_buf_ipv4(out, fv[i].v.b.p);
		} else if (f == &fields[F_DST6] && fv[i].v.b.n == 16) {
			ns_buf_puts(out, " [");
			ns_buf_ipv6(out, fv[i].v.b.p);
			ns_buf_putc(out, ']');
		} else if (f == &fields[F_PORT]) {
			ns_buf_printf(out, ":%llu",
				      (unsigned long long)fv[i].v.u);
		}
	}
}

static size_t consume(void *state, struct ns_stream_ctx *ctx, const uint8_t *p,
		      size_t n)
{
	struct socks_state *s = state;
	size_t used = 0;
	while (!s->dead && used < n && s->step[ctx->dir] < 3) {
		enum msg m = next_kind(s, ctx->dir);
		long len = msg_len(m, p + used, n - used);
		if (len < 0 || (size_t)len > n - used)
			break; /* the rest comes later */
		if (len == 0) {
			s->dead = 1;
			break;
		}
		const uint8_t *msg = p + used;
		s->kind = m;
		if (ctx->pkt) {
			int li = ns_stream_message(ctx, &ns_diss_socks, msg,
						   (size_t)len, s);
			if (li >= 0)
				ns_stream_message_end(ctx, li);
		}
		used += (size_t)len;
		s->step[ctx->dir]++;
		uint8_t b1 = ns_rd_byte_at(msg, (size_t)len, 1);
		if (m == M_CHOICE) {
			s->method = b1;
			if (s->method != 0 && s->method != 2)
				s->dead = 1; /* GSSAPI, or none acceptable */
		} else if (m == M_AUTH_STATUS && b1 != 0) {
			s->dead = 1;
		} else if (m == M_REQUEST) {
			s->command = b1;
		} else if (m == M_REPLY) {
			if (b1 == 0 && s->command == 1) {
				/* a tunnel: what follows is its own */
				ns_stream_reprobe(ctx);
				return used;
			}
			s->dead = 1;
		}
	}
	return s->dead ? n : used;
}

static int gap(void *state, struct ns_stream_ctx *ctx, uint32_t n)
{
	(void)ctx;
	(void)n;
	((struct socks_state *)state)->dead = 1;
	return 0;
}

/* A greeting, whole and alone, on a connection seen from its start. */
static int probe(const uint8_t *p, size_t n, int dir, int from_start)
{
	if (!from_start || dir != 0)
		return 0;
	uint8_t ver = ns_rd_byte_at(p, n, 0), count = ns_rd_byte_at(p, n, 1);
	if (n < 2)
		return ver == 5 ? -1 : 0;
	if (ver != 5 || !count || count > 16)
		return 0;
	if (n < 2 + (size_t)count)
		return -1;
	for (size_t i = 0; i < count; i++) {
		uint8_t m = ns_rd_byte_at(p, n, 2 + i);
		if (m > 9 && m != 0xff)
			return 0;
	}
	return n == 2 + (size_t)count;
}

static const struct ns_stream_ops ops = {
    .probe = probe,
    .state_size = sizeof(struct socks_state),
    .consume = consume,
    .gap = gap,
};

static const struct ns_binding bindings[] = {
    {NS_TAB_TCP_PORT, 1080},
    {0, 0},
};

struct ns_dissector ns_diss_socks = {
    .name = "socks",
    .column = "SOCKS",
    .title = "Socks Protocol",
    .fields = fields,
    .nfields = F_COUNT,
    .dissect = dissect,
    .info = info,
    .bindings = bindings,
    .stream = &ops,
};
