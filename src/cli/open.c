/*
 * open — what the options name, opened, with the message that says why
 * not: the packet source (an interface or a file, with its BPF filter),
 * the display filter and the protobuf schema.  capture, read and tui share
 * these so the three commands fail the same way.
 *
 * Order for a live source, as tcpdump: choose the interface (-i, or the
 * first up, non-loopback one), open it, install the BPF filter, then drop
 * privileges (-Z) — after everything that needs root and before anything
 * is written, so the output files belong to the unprivileged user; then
 * PR_SET_NO_NEW_PRIVS, so nothing run from there on regains privileges.
 *
 * A failure to open is a runtime error (1); a BPF filter, display filter or
 * schema that cannot be used is the user's to fix (2).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/dissect.h"
#include "core/field.h"
#include "filter/dfilter.h"
#include "core/keylog.h"
#include "proto/pbschema.h"

/* The first interface libpcap lists that is up and not loopback, else
 * the first one, as tcpdump picks. */
static const char *default_interface(char *buf, size_t len)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all = NULL;
	if (pcap_findalldevs(&all, ebuf) < 0 || !all)
		return NULL;
	const pcap_if_t *pick = NULL;
	for (const pcap_if_t *d = all; d && !pick; d = d->next)
		if (!(d->flags & PCAP_IF_LOOPBACK) && (d->flags & PCAP_IF_UP))
			pick = d;
	if (!pick)
		pick = all;
	snprintf(buf, len, "%s", pick->name);
	pcap_freealldevs(all);
	return buf;
}

/* As tcpdump -Z: only when running as root; the output file is opened
 * afterwards, as the unprivileged user. */
static int drop_privileges(const char *user)
{
	if (getuid() != 0 && geteuid() != 0)
		return 0;
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		ns_cli_error("-Z: unknown user '%s'", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		ns_cli_error("-Z: cannot become '%s': %s", user,
			     strerror(errno));
		return -1;
	}
	/* and never again: no program netscope could be made to run gains
	 * privileges through set-user-ID bits or file capabilities */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		ns_cli_error("-Z: cannot set no_new_privs: %s",
			     strerror(errno));
		return -1;
	}
	return 0;
}

int ns_cli_open_live(struct cli *c, struct ns_source *src)
{
	char err[PCAP_ERRBUF_SIZE + 256], warn[PCAP_ERRBUF_SIZE + 64];
	if (!c->live.iface) {
		c->live.iface = default_interface(c->ifbuf, sizeof(c->ifbuf));
		if (!c->live.iface) {
			fputs("netscope: no interface to capture on (see "
			      "'netscope interfaces'; use -i)\n",
			      stderr);
			return NS_EXIT_RUNTIME;
		}
	}
	if (ns_source_open_live(src, &c->live, err, sizeof(err), warn,
				sizeof(warn)) < 0) {
		ns_cli_error("cannot open interface '%s': %s", c->live.iface,
			     err);
		return NS_EXIT_RUNTIME;
	}
	if (*warn)
		fprintf(stderr, "netscope: warning: %s: %s\n", c->live.iface,
			warn);
	if (c->bpf && ns_source_set_filter(src, c->bpf, err, sizeof(err)) < 0) {
		ns_cli_error("capture filter '%s': %s", c->bpf, err);
		ns_source_close(src);
		return NS_EXIT_USAGE;
	}
	if (c->user && drop_privileges(c->user) < 0) {
		ns_source_close(src);
		return NS_EXIT_RUNTIME;
	}
	return 0;
}

int ns_cli_open_file(const struct cli *c, const char *path,
		     struct ns_source *src)
{
	char err[PCAP_ERRBUF_SIZE + 256];
	if (ns_source_open_file(src, path, err, sizeof(err)) < 0) {
		ns_cli_error("cannot open '%s': %s", path, err);
		return NS_EXIT_RUNTIME;
	}
	if (c->bpf && ns_source_set_filter(src, c->bpf, err, sizeof(err)) < 0) {
		ns_cli_error("capture filter '%s': %s", c->bpf, err);
		ns_source_close(src);
		return NS_EXIT_USAGE;
	}
	return 0;
}

struct ns_dfilter *ns_cli_compile_filter(const char *expr)
{
	struct ns_dfilter_error e;
	struct ns_dfilter *df = ns_dfilter_compile(expr, &e);
	if (df)
		return df;
	if (e.col)
		ns_cli_error("filter: column %u: %s", e.col, e.msg);
	else
		ns_cli_error("filter: %s", e.msg);
	return NULL;
}

struct ns_pbschema *ns_cli_load_proto_desc(const char *path)
{
	char perr[256];
	struct ns_pbschema *pb = ns_pbschema_load(path, perr, sizeof(perr));
	if (!pb)
		ns_cli_error("--proto-descriptor: cannot read '%s': %s", path,
			     perr);
	return pb;
}

int ns_cli_load_keylog(struct ns_keylog *kl, struct ns_mem *mem,
		       const char *path, int live)
{
	ns_keylog_init(kl, mem);
	int r = ns_keylog_read(kl, path, path, stderr);
	if (r < 0 && live && errno == ENOENT)
		r = ns_keylog_follow(kl, path, path, stderr);
	if (r < 0) {
		fprintf(stderr,
			"netscope: --tls-keylog: cannot read '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	if (kl->refused)
		fprintf(stderr,
			"netscope: --tls-keylog: %llu secrets of '%s' over the "
			"limit (--max-state) ignored\n",
			(unsigned long long)kl->refused, path);
	return 0;
}

/* ---- Decode As (-d) ------------------------------------------------------ */

static const struct {
	const char *name; /* tshark's selector */
	uint8_t table;
	uint32_t max;
} decode_tables[] = {
    {"tcp.port", NS_TAB_TCP_PORT, 65535},
    {"udp.port", NS_TAB_UDP_PORT, 65535},
    {"eth.type", NS_TAB_ETHERTYPE, 65535},
    {"ip.proto", NS_TAB_IPPROTO, 255},
};

static const struct ns_dissector *dissector_named(const char *name, size_t n)
{
	for (unsigned i = 0; i < ns_ndissectors; i++)
		if (strlen(ns_dissectors[i]->name) == n &&
		    strncmp(ns_dissectors[i]->name, name, n) == 0)
			return ns_dissectors[i];
	return NULL;
}

void ns_cli_decode_as_help(FILE *out)
{
	fputs("-d SELECTOR==VALUE,PROTOCOL (as tshark), SELECTOR one of:", out);
	for (size_t i = 0; i < NS_NELEM(decode_tables); i++)
		fprintf(out, " %s", decode_tables[i].name);
	fputs("\nPROTOCOL over tcp.port (a protocol of TCP streams):", out);
	for (unsigned i = 0; i < ns_ndissectors; i++)
		if (ns_dissectors[i]->stream)
			fprintf(out, " %s", ns_dissectors[i]->name);
	fputs("\nPROTOCOL otherwise:", out);
	for (unsigned i = 0; i < ns_ndissectors; i++)
		if (ns_dissectors[i]->dissect)
			fprintf(out, " %s", ns_dissectors[i]->name);
	fputs("\n", out);
}

void ns_cli_decode_as(const char *spec)
{
	const char *eq = strstr(spec, "==");
	const char *comma = eq ? strchr(eq + 2, ',') : NULL;
	if (!eq || !comma)
		ns_cli_usage_error("-d '%s': expected SELECTOR==VALUE,PROTOCOL "
				   "(-d help lists them)",
				   spec);
	size_t i = 0;
	while (i < NS_NELEM(decode_tables) &&
	       (strlen(decode_tables[i].name) != (size_t)(eq - spec) ||
		strncmp(decode_tables[i].name, spec, (size_t)(eq - spec))))
		i++;
	if (i == NS_NELEM(decode_tables))
		ns_cli_usage_error("-d '%s': unknown selector '%.*s' (-d help "
				   "lists them)",
				   spec, (int)(eq - spec), spec);
	char *end;
	errno = 0;
	unsigned long v = strtoul(eq + 2, &end, 0);
	if (end != comma || end == eq + 2 || errno || v > decode_tables[i].max)
		ns_cli_usage_error("-d '%s': '%.*s' is not a value of %s", spec,
				   (int)(comma - eq - 2), eq + 2,
				   decode_tables[i].name);
	const struct ns_dissector *d =
	    dissector_named(comma + 1, strlen(comma + 1));
	uint8_t table = decode_tables[i].table;
	if (!d ||
	    (table == NS_TAB_TCP_PORT ? !d->stream : !d->dissect || d->stream))
		ns_cli_usage_error("-d '%s': '%s' cannot be decoded there (-d "
				   "help lists the protocols)",
				   spec, comma + 1);
	if (ns_table_bind(table, (uint32_t)v, d) < 0) {
		ns_cli_error("out of memory");
		exit(NS_EXIT_RUNTIME);
	}
}
