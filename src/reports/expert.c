/*
 * expert — what the dissectors flagged, counted by kind, as tshark's `-z
 * expert[,error|warn|note|chat|comment]`: sections Errors, Warns, Notes
 * and Chats, each row a kind (group, protocol, summary) with how many
 * times it was flagged and, beyond tshark, the first frame that had it.
 * A severity given shows that one and the graver ones.
 *
 * The kinds are the conditions netscope's dissectors record, read from
 * each packet's layers and fields (NS_EV_PACKET), never from the
 * dissectors:
 *   - a layer marked malformed (Error, Malformed, its reason) or cut by
 *     the capture's snapshot length (Warn, Truncated), the first bad
 *     layer of a packet only, as tshark stops at its first exception;
 *   - TCP: SYN, SYN+ACK and FIN (Chat), RST (Warn), whether a FIN
 *     initiates or undergoes the closing (Note: the side that sent the
 *     stream's first FIN initiates; kept for MAX_STREAMS streams), every
 *     tcp.analysis flag with Wireshark's severity and summary (duplicate
 *     ACKs by their number, "Duplicate ACK (#3)");
 *   - HTTP/2: headers lost with the HPACK context (Warn, Undecoded);
 *   - TLS: alerts (close_notify Chat, other warnings Note, fatal Warn;
 *     Response: the peer reports a problem), records that could not be
 *     decrypted with the key log's secrets (Warn, Decryption).
 * Layers an ICMP error quotes are not looked at (tshark flags nothing in
 * them either).  Rows keep the order kinds were first seen.  The report
 * names the fields it reads when it subscribes: a run with no packet
 * output or display filter records only those (ns_pkt_name_fields).
 *
 * Bounded: at most MAX_ROWS kinds (duplicate-ACK numbers and malformed
 * reasons make new ones); later kinds count in an "(other kinds)" row of
 * their severity, and a note says so.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/engine.h"
#include "reports/keymap.h"
#include "reports/report.h"
#include "reports/table.h"

#define MAX_ROWS    10000u
#define MAX_STREAMS (1000u * 1000) /* TCP streams whose closer is known */

enum sev { SEV_ERROR, SEV_WARN, SEV_NOTE, SEV_CHAT, SEV_COMMENT, NSEV };

static const char *const sev_names[NSEV] = {"error", "warn", "note", "chat",
					    "comment"};
static const char *const sev_heads[NSEV] = {"Errors", "Warns", "Notes", "Chats",
					    "Comments"};

/* the flags recorded as fields, by name */
enum {
	K_FLAGS = 1, /* tcp.flags: SYN, FIN and RST by their bits */
	K_DUPACK,    /* tcp.analysis.duplicate_ack_num */
	K_ALERT,     /* tls.alert_message.desc (after its level) */
	/* remembered for the fields after them (struct pstate) */
	K_SPORT,
	K_DPORT,
	K_STREAM, /* tcp.stream */
	K_LEVEL,  /* tls.alert_message.level */
	K_PLAIN,  /* a flag with a fixed kind: plain[] */
};

static const struct plain {
	const char *field;
	enum sev sev;
	const char *group, *summary;
} plain[] = {
    {"tcp.analysis.retransmission", SEV_NOTE, "Sequence",
     "This frame is a (suspected) retransmission"},
    {"tcp.analysis.fast_retransmission", SEV_NOTE, "Sequence",
     "This frame is a (suspected) fast retransmission"},
    {"tcp.analysis.spurious_retransmission", SEV_NOTE, "Sequence",
     "This frame is a (suspected) spurious retransmission"},
    {"tcp.analysis.out_of_order", SEV_WARN, "Sequence",
     "This frame is a (suspected) out-of-order segment"},
    {"tcp.analysis.lost_segment", SEV_WARN, "Sequence",
     "Previous segment(s) not captured (common at capture start)"},
    {"tcp.analysis.ack_lost_segment", SEV_WARN, "Sequence",
     "ACKed segment that wasn't captured (common at capture start)"},
    {"tcp.analysis.window_update", SEV_CHAT, "Sequence", "TCP window update"},
    {"tcp.analysis.window_full", SEV_WARN, "Sequence",
     "TCP window specified by the receiver is now completely full"},
    {"tcp.analysis.keep_alive", SEV_NOTE, "Sequence", "TCP keep-alive segment"},
    {"tcp.analysis.keep_alive_ack", SEV_NOTE, "Sequence",
     "ACK to a TCP keep-alive segment"},
    {"tcp.analysis.zero_window", SEV_WARN, "Sequence",
     "TCP Zero Window segment"},
    {"tcp.analysis.zero_window_probe", SEV_NOTE, "Sequence",
     "TCP Zero Window Probe"},
    {"tcp.analysis.zero_window_probe_ack", SEV_NOTE, "Sequence",
     "ACK to a TCP Zero Window Probe"},
    {"tcp.analysis.reused_ports", SEV_NOTE, "Sequence",
     "A new tcp session is started with the same ports as an earlier "
     "session in this trace"},
    {"http2.hpack_context_lost", SEV_WARN, "Undecoded",
     "Headers unavailable (HPACK context lost)"},
    {"tls.decryption_failed", SEV_WARN, "Decryption",
     "Record not decrypted (secrets missing or wrong)"},
};

static const struct {
	const char *field;
	uint8_t what;
} special[] = {
    {"tcp.flags", K_FLAGS},
    {"tcp.srcport", K_SPORT},
    {"tcp.dstport", K_DPORT},
    {"tcp.stream", K_STREAM},
    {"tcp.analysis.duplicate_ack_num", K_DUPACK},
    {"tls.alert_message.level", K_LEVEL},
    {"tls.alert_message.desc", K_ALERT},
};

/* tcp.flags bits (RFC 9293 §3.1) */
#define TH_FIN 0x01u
#define TH_SYN 0x02u
#define TH_RST 0x04u
#define TH_ACK 0x10u

struct row {
	uint64_t count, first;
	uint8_t sev;
};

struct expert {
	enum sev min; /* the least grave shown */
	uint32_t nfields;
	uint8_t *what; /* by field id: K_* + index into plain[] */
	const struct ns_field *f_desc;
	struct ns_keymap rows;
	uint64_t other[NSEV], other_first[NSEV];
	/* per TCP stream, the ports of the side that sent the first FIN
	 * (sport << 16 | dport, + 1): which FINs initiate the closing */
	struct ns_keymap closing;
	uint64_t closing_untracked;
};

/* what one packet's TCP and TLS layers said so far */
struct pstate {
	uint64_t v[K_PLAIN]; /* by K_SPORT … K_LEVEL */
};

static void add(struct expert *s, const struct ns_packet *pkt, enum sev sev,
		const char *group, const char *proto, const char *summary)
{
	/* the row's key: severity, group, protocol, summary, the three
	 * strings ended by their NULs (the last's left out), cut at 511
	 * bytes */
	char key[512];
	const char *part[] = {group, proto, summary};
	size_t len = 1;
	key[0] = (char)('0' + sev);
	for (unsigned i = 0; i < NS_NELEM(part) && len < sizeof(key) - 1; i++) {
		size_t n = strnlen(part[i], sizeof(key) - 1 - len);
		memcpy(key + len, part[i], n);
		len += n;
		if (i + 1 < NS_NELEM(part) && len < sizeof(key) - 1)
			key[len++] = 0;
	}
	int made;
	struct row *r = ns_keymap_get(&s->rows, key, len, 1, &made);
	if (!r) {
		if (!s->other[sev]++)
			s->other_first[sev] = pkt->num;
		return;
	}
	if (made) {
		r->first = pkt->num;
		r->sev = (uint8_t)sev;
	}
	r->count++;
}

/* "DNS" for the dns dissector */
static void proto_of(const struct ns_packet *pkt, unsigned li, char *out,
		     size_t cap)
{
	const char *n = li < pkt->nlayers && pkt->layers[li].d
			    ? pkt->layers[li].d->name
			    : "?";
	size_t i = 0;
	for (; n[i] && i + 1 < cap; i++)
		out[i] = (char)toupper((unsigned char)n[i]);
	out[i] = 0;
}

static void bad_layer(struct expert *s, const struct ns_packet *pkt)
{
	for (unsigned li = 0; li < pkt->nlayers; li++) {
		const struct ns_layer *l = &pkt->layers[li];
		if (l->status == NS_LAYER_OK || l->quoted)
			continue;
		char proto[32];
		proto_of(pkt, li, proto, sizeof(proto));
		if (l->status == NS_LAYER_MALFORMED) {
			char sum[256];
			const char *why = l->reason;
			size_t pl = strlen(proto);
			/* "DNS: question 1: …" under protocol DNS */
			if (why && strncasecmp(why, proto, pl) == 0 &&
			    strncmp(why + pl, ": ", 2) == 0)
				why += pl + 2;
			snprintf(sum, sizeof(sum), "Malformed Packet%s%s",
				 why ? ": " : "", why ? why : "");
			add(s, pkt, SEV_ERROR, "Malformed", proto, sum);
		} else {
			add(s, pkt, SEV_WARN, "Truncated", proto,
			    "Packet size limited during capture");
		}
		return;
	}
}

static void tls_alert(struct expert *s, const struct ns_packet *pkt,
		      const struct ns_fv *v, const struct pstate *ps)
{
	const char *d = ns_valstr_find(s->f_desc->vals, v->v.u);
	char sum[128];
	snprintf(sum, sizeof(sum), "Alert (Level: %s, Description: %s)",
		 ps->v[K_LEVEL] == 2   ? "Fatal"
		 : ps->v[K_LEVEL] == 1 ? "Warning"
				       : "?",
		 d ? d : "unknown");
	enum sev sev = v->v.u == 0	     ? SEV_CHAT
		       : ps->v[K_LEVEL] == 2 ? SEV_WARN
					     : SEV_NOTE;
	add(s, pkt, sev, "Response", "TLS", sum);
}

/* A FIN: Wireshark's chat, and its note of who closes: the side that
 * sent the connection's first FIN initiates the closing (its FINs again
 * too), the other undergoes it. */
static void fin(struct expert *s, const struct ns_packet *pkt,
		const struct pstate *ps, const char *proto)
{
	add(s, pkt, SEV_CHAT, "Sequence", proto, "Connection finish (FIN)");
	uint32_t stream = (uint32_t)ps->v[K_STREAM];
	uint32_t dir =
	    (uint32_t)(ps->v[K_SPORT] << 16 | (ps->v[K_DPORT] & 0xffff)) + 1;
	int made;
	uint32_t *who =
	    ns_keymap_get(&s->closing, &stream, sizeof(stream), 1, &made);
	if (!who) {
		s->closing_untracked++;
		return;
	}
	if (made)
		*who = dir;
	add(s, pkt, SEV_NOTE, "Sequence", proto,
	    *who == dir ? "This frame initiates the connection closing"
			: "This frame undergoes the connection closing");
}

/* RST, SYN and FIN, in the order of tcp.flags.* (highest bit first). */
static void tcp_flags(struct expert *s, const struct ns_packet *pkt,
		      uint64_t flags, const struct pstate *ps,
		      const char *proto)
{
	if (flags & TH_RST)
		add(s, pkt, SEV_WARN, "Sequence", proto,
		    "Connection reset (RST)");
	if (flags & TH_SYN) {
		int ack = (flags & TH_ACK) != 0;
		char sum[128];
		snprintf(sum, sizeof(sum),
			 "Connection establish %s: server port %llu",
			 ack ? "acknowledge (SYN+ACK)" : "request (SYN)",
			 (unsigned long long)(ack ? ps->v[K_SPORT]
						  : ps->v[K_DPORT]));
		add(s, pkt, SEV_CHAT, "Sequence", proto, sum);
	}
	if (flags & TH_FIN)
		fin(s, pkt, ps, proto);
}

/* A field that says something: its kind counted, or remembered. */
static void one_field(struct expert *s, const struct ns_packet *pkt,
		      const struct ns_fv *v, struct pstate *ps)
{
	uint8_t w = s->what[v->f->id];
	if (w >= K_SPORT && w < K_PLAIN) { /* for the fields that follow */
		ps->v[w] = v->v.u;
		return;
	}
	if (w == K_FLAGS && !(v->v.u & (TH_RST | TH_SYN | TH_FIN)))
		return;
	char proto[32], sum[128];
	proto_of(pkt, v->layer, proto, sizeof(proto));
	if (w >= K_PLAIN) {
		const struct plain *p = &plain[w - K_PLAIN];
		add(s, pkt, p->sev, p->group, proto, p->summary);
		return;
	}
	switch (w) {
	case K_FLAGS:
		tcp_flags(s, pkt, v->v.u, ps, proto);
		break;
	case K_DUPACK:
		snprintf(sum, sizeof(sum), "Duplicate ACK (#%llu)",
			 (unsigned long long)v->v.u);
		add(s, pkt, SEV_NOTE, "Sequence", proto, sum);
		break;
	case K_ALERT:
		tls_alert(s, pkt, v, ps);
		break;
	default:
		break;
	}
}

static void on_packet(void *ctx, const struct ns_event *ev)
{
	struct expert *s = ctx;
	const struct ns_packet *pkt = ev->pkt;
	struct pstate ps;
	memset(&ps, 0, sizeof(ps));
	if (pkt->status != NS_LAYER_OK)
		bad_layer(s, pkt);
	for (uint32_t i = 0; i < pkt->nfv; i++) {
		const struct ns_fv *v = &pkt->fv[i];
		if (v->f->id >= s->nfields || !s->what[v->f->id])
			continue;
		if (v->layer < pkt->nlayers && pkt->layers[v->layer].quoted)
			continue;
		one_field(s, pkt, v, &ps);
	}
}

/* ---- set-up -------------------------------------------------------------- */

static void expert_free(void *state)
{
	struct expert *s = state;
	ns_keymap_free(&s->rows, NULL);
	ns_keymap_free(&s->closing, NULL);
	free(s->what);
	free(s);
}

static int mark(struct expert *s, const char *name, uint8_t what)
{
	const struct ns_field *f = ns_field_by_name(name);
	if (!f || f->id >= s->nfields)
		return -1;
	s->what[f->id] = what;
	return 0;
}

static int build_map(struct expert *s)
{
	s->nfields = ns_field_count();
	s->what = calloc(s->nfields ? s->nfields : 1, 1);
	if (!s->what)
		return -1;
	int bad = 0;
	for (unsigned i = 0; i < NS_NELEM(plain); i++)
		bad |= mark(s, plain[i].field, (uint8_t)(K_PLAIN + i));
	for (unsigned i = 0; i < NS_NELEM(special); i++)
		bad |= mark(s, special[i].field, special[i].what);
	s->f_desc = ns_field_by_name("tls.alert_message.desc");
	return bad || !s->f_desc ? -1 : 0;
}

static int parse_min(struct expert *s, const char *arg)
{
	s->min = SEV_COMMENT;
	if (!*arg)
		return 0;
	for (unsigned i = 0; i < NSEV; i++)
		if (strcmp(arg, sev_names[i]) == 0) {
			s->min = (enum sev)i;
			return 0;
		}
	return -1;
}

static void *expert_start(struct ns_engine *e, const char *arg, char *err,
			  size_t errlen)
{
	struct expert *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ns_keymap_init(&s->rows, sizeof(struct row), MAX_ROWS);
	ns_keymap_init(&s->closing, sizeof(uint32_t), MAX_STREAMS);
	if (parse_min(s, arg) < 0) {
		snprintf(err, errlen,
			 "-z expert: unknown severity '%s' (expert[,error|warn|"
			 "note|chat|comment])",
			 arg);
		expert_free(s);
		errno = 0;
		return NULL;
	}
	if (build_map(s) < 0) {
		snprintf(err, errlen, "-z expert: %s",
			 s->what ? "fields missing" : "out of memory");
		expert_free(s);
		return NULL;
	}
	errno = 0;
	if (ns_bus_subscribe_packets(&e->bus, on_packet, s, s->what,
				     s->nfields) < 0) {
		snprintf(err, errlen, "-z expert: too many reports");
		expert_free(s);
		return NULL;
	}
	return s;
}

/* ---- output ------------------------------------------------------------ */

/* the key's parts: group, protocol, summary */
static void parts(const char *key, const char **g, const char **p,
		  const char **sum)
{
	*g = key + 1;
	*p = *g + strlen(*g) + 1;
	*sum = *p + strlen(*p) + 1;
}

static void text_section(struct expert *s, FILE *out, enum sev sev)
{
	uint64_t total = s->other[sev];
	for (uint32_t i = 0; i < ns_keymap_size(&s->rows); i++) {
		const struct row *r = ns_keymap_slot(&s->rows, i);
		if (r && r->sev == sev)
			total += r->count;
	}
	if (!total)
		return;
	fprintf(out, "\n%s (%llu)\n=============\n", sev_heads[sev],
		(unsigned long long)total);
	fprintf(out, "   Frequency      Group           Protocol    First  "
		     "Summary\n");
	for (uint32_t i = 0; i < ns_keymap_size(&s->rows); i++) {
		const struct row *r = ns_keymap_slot(&s->rows, i);
		if (!r || r->sev != sev)
			continue;
		const char *g, *p, *sum;
		parts(ns_keymap_key(&s->rows, i), &g, &p, &sum);
		fprintf(out, "%12llu %10s %18s %8llu  %s\n",
			(unsigned long long)r->count, g, p,
			(unsigned long long)r->first, sum);
	}
	if (s->other[sev])
		fprintf(out, "%12llu %10s %18s %8llu  %s\n",
			(unsigned long long)s->other[sev], "-", "-",
			(unsigned long long)s->other_first[sev],
			"(other kinds)");
}

static void json_out(struct expert *s, FILE *out)
{
	struct ns_table *t = ns_table_new("expert", "Expert information");
	if (!t)
		return;
	static const char *const cols[] = {"severity", "group", "protocol",
					   "summary"};
	for (unsigned i = 0; i < NS_NELEM(cols); i++)
		ns_table_col(t, cols[i], 1);
	ns_table_col(t, "count", 0);
	ns_table_col(t, "first_frame", 0);
	for (unsigned sev = 0; sev <= s->min; sev++) {
		for (uint32_t i = 0; i < ns_keymap_size(&s->rows); i++) {
			const struct row *r = ns_keymap_slot(&s->rows, i);
			if (!r || r->sev != sev)
				continue;
			const char *g, *p, *sum;
			parts(ns_keymap_key(&s->rows, i), &g, &p, &sum);
			ns_table_row(t);
			ns_table_str(t, sev_names[sev]);
			ns_table_str(t, g);
			ns_table_str(t, p);
			ns_table_str(t, sum);
			ns_table_u64(t, r->count);
			ns_table_u64(t, r->first);
		}
		if (s->other[sev]) {
			ns_table_row(t);
			ns_table_str(t, sev_names[sev]);
			ns_table_none(t);
			ns_table_none(t);
			ns_table_str(t, "(other kinds)");
			ns_table_u64(t, s->other[sev]);
			ns_table_u64(t, s->other_first[sev]);
		}
	}
	if (s->closing_untracked)
		ns_table_note(t,
			      "%llu FINs not told initiating or undergoing the "
			      "closing (over %u TCP streams)",
			      (unsigned long long)s->closing_untracked,
			      MAX_STREAMS);
	for (unsigned sev = 0; sev < NSEV; sev++)
		if (s->other[sev]) {
			ns_table_note(t,
				      "(other kinds): kinds past the first %u",
				      MAX_ROWS);
			break;
		}
	ns_table_print(t, out, 1);
}

static void expert_finish(void *state, FILE *out, int json)
{
	struct expert *s = state;
	if (json) {
		json_out(s, out);
	} else {
		int other = 0;
		for (unsigned sev = 0; sev <= s->min; sev++) {
			text_section(s, out, (enum sev)sev);
			other |= s->other[sev] != 0;
		}
		if (other)
			fprintf(out, "(other kinds): kinds past the first %u\n",
				MAX_ROWS);
		if (s->closing_untracked)
			fprintf(out,
				"%llu FINs not told initiating or undergoing "
				"the closing (over %u TCP streams)\n",
				(unsigned long long)s->closing_untracked,
				MAX_STREAMS);
	}
	expert_free(s);
}

const struct ns_report ns_report_expert = {
    .name = "expert",
    .usage = "expert[,error|warn|note|chat]",
    .start = expert_start,
    .finish = expert_finish,
    .free = expert_free,
};
