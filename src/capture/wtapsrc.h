/*
 * wtapsrc — a pcapng file whose interfaces have several link types, read
 * with Wireshark's libwiretap.
 *
 * libpcap 1.10 reads a pcapng only while every interface has the first
 * one's link type and snapshot length; it refuses the second interface of
 * another ("an interface has a type … different from the type of the first
 * interface"), which is what mergecap and `dumpcap -i eth0 -i lo` make.
 * Such a file is reopened here, and only such a file: every file libpcap
 * reads stays with libpcap (no cost, no behaviour change).  libwiretap is
 * the reader tshark uses, kept by Wireshark and shipped by Debian
 * (libwiretap-dev); it hands each packet with its interface, whose link
 * type, name and timestamp resolution it took from the interface's block.
 *
 * glib and Wireshark's headers stay inside wtapsrc.c: this header is plain
 * C.  Errors return -1 with the reason in err; nothing here prints.
 */
#ifndef NS_WTAPSRC_H
#define NS_WTAPSRC_H

#include <stddef.h>
#include <stdint.h>

struct ns_wtap;

/* One packet; data and ifname stay valid until the next ns_wtap_next()
 * or ns_wtap_close(). */
struct ns_wtap_pkt {
	int64_t sec;  /* the timestamp as the file has it: seconds */
	int32_t nsec; /* and ns (source.h holds them in range) */
	uint32_t caplen, len;
	int linktype;  /* the interface's link type, as libpcap numbers it */
	uint32_t ifid; /* pcapng interface id (frame.interface_id) */
	const char *ifname; /* its if_name option, or NULL */
	const uint8_t *data;
};

/* Opens path (a file, or /proc/self/fd/N) as pcapng.  Compressed files
 * (gzip, zstd, lz4) are decompressed by wiretap itself. */
struct ns_wtap *ns_wtap_open(const char *path, char *err, size_t errlen);
/* 1 with *pk filled, 0 at the end of the file, -1 with err (a cut block,
 * an interface of a link type wiretap does not know, …).  Records that
 * are not packets (journal entries, custom blocks) are skipped. */
int ns_wtap_next(struct ns_wtap *w, struct ns_wtap_pkt *pk, char *err,
		 size_t errlen);
/* Bytes of the file read so far (a progress line), or -1. */
int64_t ns_wtap_pos(struct ns_wtap *w);
void ns_wtap_close(struct ns_wtap *w);

#endif
