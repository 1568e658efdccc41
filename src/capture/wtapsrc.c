/*
 * wtapsrc — see wtapsrc.h.
 *
 * Each interface's link type is wiretap's encapsulation of its packets
 * mapped back to the lowest pcap link type value wiretap reads as that
 * encapsulation (libwiretap 4.0 exports only the pcap → wiretap direction):
 * LINKTYPE_RAW (101) comes back as 12, DLT_RAW, the value libpcap gives for
 * the same file, so a packet is dissected and shown alike whichever reader
 * read it.  PPP with a direction byte (204) is the one link type netscope
 * dissects whose first byte wiretap moves into a pseudo-header; the bytes
 * it leaves are plain PPP (9).  The mapping is cached per interface.
 *
 * Interface names come from the interface blocks wiretap has read so far
 * (wtap_get_next_interface_description(), as tshark does): a block may
 * come after packets of other interfaces.  At most NS_WTAP_MAX_IFACES are
 * kept; a file with more is refused with that reason.
 */
#include "capture/wtapsrc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <wireshark.h>
#include <wiretap/pcap-encap.h>
#include <wiretap/wtap.h>
#include <wsutil/wslog.h>

#define NS_WTAP_MAX_IFACES   65536
#define NS_WTAP_LINKTYPE_MAX 1024 /* the link type values searched */
#define NS_WTAP_DLT_PPP	     9

struct iface {
	int encap;    /* the wiretap encapsulation linktype was found for */
	int linktype; /* -1: none */
	char *name;   /* malloc'd, or NULL */
};

struct ns_wtap {
	wtap *wth;
	wtap_rec rec;
	Buffer buf;
	struct iface *ifs;
	size_t nifs, capifs;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_wiretap(void)
{
	/* wiretap logs to stderr in its own format; netscope says what went
	 * wrong itself, from the error codes */
	ws_log_set_level(LOG_LEVEL_CRITICAL);
	wtap_init(FALSE);
}

static int linktype_of(int encap)
{
	if (encap == WTAP_ENCAP_PPP_WITH_PHDR)
		return NS_WTAP_DLT_PPP;
	if (encap == WTAP_ENCAP_UNKNOWN || encap < 0)
		return -1;
	for (int lt = 0; lt < NS_WTAP_LINKTYPE_MAX; lt++)
		if (wtap_pcap_encap_to_wtap_encap(lt) == encap)
			return lt;
	return -1;
}

static void seterr(char *err, size_t errlen, int code, gchar *info)
{
	snprintf(err, errlen, "%s%s%s", wtap_strerror(code), info ? ": " : "",
		 info ? info : "");
	g_free(info);
}

struct ns_wtap *ns_wtap_open(const char *path, char *err, size_t errlen)
{
	pthread_once(&init_once, init_wiretap);
	struct ns_wtap *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	int code = 0;
	gchar *info = NULL;
	w->wth = wtap_open_offline(path, open_info_name_to_type("pcapng"),
				   &code, &info, FALSE);
	if (!w->wth) {
		seterr(err, errlen, code, info);
		free(w);
		return NULL;
	}
	wtap_rec_init(&w->rec);
	ws_buffer_init(&w->buf, 65536);
	return w;
}

/* Takes the interface blocks wiretap read since the last call. */
static int take_idbs(struct ns_wtap *w, char *err, size_t errlen)
{
	wtap_block_t idb;
	while ((idb = wtap_get_next_interface_description(w->wth))) {
		if (w->nifs == NS_WTAP_MAX_IFACES) {
			snprintf(err, errlen, "more than %d interfaces",
				 NS_WTAP_MAX_IFACES);
			return -1;
		}
		if (w->nifs == w->capifs) {
			size_t cap = w->capifs ? w->capifs * 2 : 8;
			struct iface *n = realloc(w->ifs, cap * sizeof(*n));
			if (!n) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			w->ifs = n;
			w->capifs = cap;
		}
		const wtapng_if_descr_mandatory_t *m =
		    wtap_block_get_mandatory_data(idb);
		struct iface *f = &w->ifs[w->nifs++];
		char *name = NULL;
		f->encap = m->wtap_encap;
		f->linktype = linktype_of(m->wtap_encap);
		f->name = NULL;
		if (wtap_block_get_string_option_value(
			idb, OPT_IDB_NAME, &name) == WTAP_OPTTYPE_SUCCESS &&
		    name)
			f->name = strdup(name);
	}
	return 0;
}

static int fill(struct ns_wtap *w, struct ns_wtap_pkt *pk, char *err,
		size_t errlen)
{
	const wtap_packet_header *ph = &w->rec.rec_header.packet_header;
	uint32_t id = (w->rec.presence_flags & WTAP_HAS_INTERFACE_ID)
			  ? ph->interface_id
			  : 0;
	struct iface *f = id < w->nifs ? &w->ifs[id] : NULL;
	int lt;
	if (f && f->encap == ph->pkt_encap) {
		lt = f->linktype;
	} else {
		lt = linktype_of(ph->pkt_encap);
		if (f) {
			f->encap = ph->pkt_encap;
			f->linktype = lt;
		}
	}
	if (lt < 0) {
		snprintf(err, errlen,
			 "interface %u%s%s%s has a link type netscope cannot "
			 "read (wiretap: %s)",
			 id, f && f->name ? " (" : "",
			 f && f->name ? f->name : "", f && f->name ? ")" : "",
			 wtap_encap_description(ph->pkt_encap));
		return -1;
	}
	pk->sec = (int64_t)w->rec.ts.secs;
	pk->nsec = (int32_t)w->rec.ts.nsecs;
	pk->caplen = ph->caplen;
	pk->len = ph->len < ph->caplen ? ph->caplen : ph->len;
	pk->linktype = lt;
	pk->ifid = id;
	pk->ifname = f ? f->name : NULL;
	pk->data = ws_buffer_start_ptr(&w->buf);
	return 1;
}

int ns_wtap_next(struct ns_wtap *w, struct ns_wtap_pkt *pk, char *err,
		 size_t errlen)
{
	for (;;) {
		int code = 0;
		gchar *info = NULL;
		gint64 off;
		wtap_rec_reset(&w->rec);
		if (!wtap_read(w->wth, &w->rec, &w->buf, &code, &info, &off)) {
			if (code == 0) {
				g_free(info);
				return 0;
			}
			seterr(err, errlen, code, info);
			return -1;
		}
		if (take_idbs(w, err, errlen) < 0)
			return -1;
		if (w->rec.rec_type == REC_TYPE_PACKET)
			return fill(w, pk, err, errlen);
	}
}

int64_t ns_wtap_pos(struct ns_wtap *w)
{
	return w ? (int64_t)wtap_read_so_far(w->wth) : -1;
}

void ns_wtap_close(struct ns_wtap *w)
{
	if (!w)
		return;
	wtap_close(w->wth);
	wtap_rec_cleanup(&w->rec);
	ws_buffer_free(&w->buf);
	for (size_t i = 0; i < w->nifs; i++)
		free(w->ifs[i].name);
	free(w->ifs);
	free(w);
}
