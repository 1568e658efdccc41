/*
 * commands — the commands other than capture and read: interfaces (as
 * tcpdump -D), fields (the registry, as tshark -G fields), filter-check
 * (a display filter as the parser reads it) and tui (the ncurses view,
 * src/tui/).
 *
 * Each takes the command's arguments (argv[0] is its name), answers -h
 * and --help first, and returns the exit status or exits through a usage
 * error.  tui parses the options of capture (ns_cli_parse with c.tui set
 * refuses those that print or write) and opens its source as capture and
 * read do (open.c); the view itself runs in src/tui/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/dissect.h"
#include "core/field.h"
#include "filter/dfilter.h"
#include "capture/dsb.h"
#include "core/keylog.h"
#include "core/mem.h"
#include "output/httpd.h"
#include "proto/pbschema.h"
#include "tui/tui.h"

int ns_cli_cmd_interfaces(int argc, char **argv)
{
	if (ns_cli_want_help(argc, argv, ns_cli_help_interfaces))
		return 0;
	if (argc > 1)
		ns_cli_usage_error("unexpected argument '%s'", argv[1]);
	char err[PCAP_ERRBUF_SIZE];
	if (ns_list_interfaces(stdout, err, sizeof(err)) < 0) {
		ns_cli_error("cannot list interfaces: %s", err);
		return NS_EXIT_RUNTIME;
	}
	return 0;
}

int ns_cli_cmd_fields(int argc, char **argv)
{
	if (ns_cli_want_help(argc, argv, ns_cli_help_fields))
		return 0;
	if (argc > 2)
		ns_cli_usage_error("unexpected argument '%s'", argv[2]);
	ns_registry_init();
	const char *proto = argc == 2 ? argv[1] : NULL;
	if (proto) {
		const struct ns_field *p = ns_field_by_name(proto);
		if (!p || p->type != NS_FT_PROTO)
			ns_cli_usage_error("unknown protocol '%s'", proto);
	}
	for (uint32_t id = 0; id < ns_field_count(); id++) {
		const struct ns_field *f = ns_field_by_id(id);
		if (proto && strcmp(f->proto->name, proto) != 0)
			continue;
		printf("%s\t%s\t%s\n", f->name, ns_ftype_ws_name(f), f->title);
	}
	return 0;
}

int ns_cli_cmd_filter_check(int argc, char **argv)
{
	if (ns_cli_want_help(argc, argv, ns_cli_help_filter_check))
		return 0;
	if (argc != 2)
		ns_cli_usage_error(
		    argc < 2 ? "no filter given"
			     : "give the filter as one argument (quote it)");
	ns_registry_init();
	struct ns_dfilter *df = ns_cli_compile_filter(argv[1]);
	if (!df)
		return NS_EXIT_USAGE;
	struct ns_buf b = {0};
	ns_dfilter_explain(df, &b);
	ns_buf_putc(&b, '\n');
	ns_buf_write(&b, stdout);
	ns_buf_free(&b);
	ns_dfilter_free(df);
	return 0;
}

/* tui's own refusals, beyond the options it does not take. */
static void check_tui(const struct cli *c)
{
	if (c->nfiles > 1)
		ns_cli_usage_error("tui shows one file (-r FILE)");
	if (c->nfiles && c->live.iface)
		ns_cli_usage_error("give -i IFACE or -r FILE, not both");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		ns_cli_usage_error("tui needs a terminal (use capture or read "
				   "otherwise)");
}

int ns_cli_cmd_tui(int argc, char **argv)
{
	struct cli c;
	memset(&c, 0, sizeof(c));
	c.capture = 1;
	c.tui = 1;
	if (ns_cli_want_help(argc, argv, ns_cli_help_tui))
		return 0;
	ns_cli_parse(&c, argc, argv);
	ns_registry_init();
	for (unsigned i = 0; i < c.ndecode_as; i++)
		ns_cli_decode_as(c.decode_as[i]);
	/* a bad -Y is a usage error, as with read, before the screen opens */
	if (c.dfilter) {
		struct ns_dfilter *df = ns_cli_compile_filter(c.dfilter);
		if (!df) {
			ns_cli_free(&c);
			return NS_EXIT_USAGE;
		}
		ns_dfilter_free(df);
	}
	check_tui(&c);
	struct ns_pbschema *pbschema = NULL;
	if (c.proto_desc) {
		pbschema = ns_cli_load_proto_desc(c.proto_desc);
		if (!pbschema) {
			ns_cli_free(&c);
			return NS_EXIT_USAGE;
		}
	}
	/* the secrets: counted in a budget of their own, as large as the
	 * one the TUI's engines get */
	struct ns_mem kmem = {.cap = c.max_state_mib
					 ? (size_t)c.max_state_mib << 20
					 : NS_MEM_DEFAULT_CAP};
	struct ns_keylog keylog;
	ns_keylog_init(&keylog, &kmem);
	if (c.tls_keylog &&
	    ns_cli_load_keylog(&keylog, &kmem, c.tls_keylog, 0) < 0) {
		ns_pbschema_free(pbschema);
		ns_cli_free(&c);
		return NS_EXIT_USAGE;
	}
	int dsb = c.nfiles && ns_dsb_read(c.files[0], &keylog, stderr) > 0;
	/* --metrics listens before -Z drops privileges */
	char merr[512];
	struct ns_httpd *httpd =
	    c.metrics ? ns_httpd_start(c.metrics, merr, sizeof(merr)) : NULL;
	if (c.metrics && !httpd)
		ns_cli_error("%s", merr);
	struct ns_source src;
	int status = c.metrics && !httpd ? NS_EXIT_RUNTIME
		     : c.nfiles ? ns_cli_open_file(&c, c.files[0], &src)
				: ns_cli_open_live(&c, &src);
	if (status == 0) {
		struct ns_tui_opts o = {.src = &src,
					.dfilter = c.dfilter,
					.count = c.count,
					.duration_ns = c.duration_ns,
					.max_flows = c.max_flows,
					.max_state_mib = c.max_state_mib,
					.pbschema = pbschema,
					.keylog = c.tls_keylog || dsb ? &keylog
								      : NULL,
					.bpf = c.bpf,
					.metrics = httpd};
		status = ns_tui_run(&o);
		ns_source_close(&src);
	}
	ns_httpd_stop(httpd);
	ns_keylog_free(&keylog);
	ns_pbschema_free(pbschema);
	ns_cli_free(&c);
	return status;
}
