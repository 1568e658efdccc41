/*
 * capture — the capture and read commands: packets from a live interface
 * or from files, through the engine, to the output, the writer and the
 * reports, then the end-of-run lines.
 *
 * One command is four steps, each named below:
 *   setup        display filter, per-packet output, engine, protobuf
 *                schema, reports, the DNS tally, signals, and for read -2
 *                the first pass;
 *   run_live     (capture) open the interface; a capture thread fills a
 *                queue, this one writes and dissects until -c, -a or a
 *                signal; then the counts pcap_stats() gives and the
 *                queue's own drops;
 *   read_files   (read) each file in turn, until the files end, -c, or a
 *                signal;
 *   finish       end every flow (ns_engine_finish), then the reports
 *                (report.h: started after the engine is made, finished
 *                after its flows end, on stdout after the packet lines;
 *                on stderr when stdout is JSON, -T fields or -w -),
 *                then the engine's and the DNS tally's lines on stderr.
 * A step that fails early sets the exit status and skips the rest but
 * cleanup: an early exit prints no report, it only gives everything back.
 *
 * Exit status: 1 when something could not be opened, read or written
 * (a file that cannot be opened does not stop the others), 2 when what
 * the user gave cannot be used (display filter, BPF filter, schema,
 * report arguments).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/run.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/engine.h"
#include "core/field.h"
#include "capture/dsb.h"
#include "core/keylog.h"
#include "output/records.h"
#include "output/httpd.h"
#include "proto/pbschema.h"
#include "reports/dnstally.h"
#include "reports/metrics.h"
#include "reports/report.h"

/* One capture or read command, from its options to its last line. */
struct cmd {
	struct cli c;
	struct ns_run run;
	struct ns_output out;
	struct ns_engine eng;
	void *report[NS_CLI_MAX_REPORTS]; /* started reports, by index */
	struct ns_dnstally dnstally;
	struct ns_pbschema *pbschema;
	struct ns_keylog keylog;    /* --tls-keylog (its memory: eng.mem) */
	struct ns_records *records; /* --records, or NULL */
	struct ns_metrics *metrics; /* --metrics: the model, and */
	struct ns_httpd *httpd;	    /* the server of its text */
	struct ns_buf mtext;	    /* the text last rendered */
	uint8_t *named; /* the fields the packets' readers name, or NULL */
	int status;	/* the exit status so far */
};

/* Standard output carries records (--records -): no packet lines there,
 * and the reports go to standard error. */
static int records_on_stdout(const struct cli *c)
{
	return c->records && strcmp(c->records, "-") == 0;
}

/* Sets the exit status of a step that cannot go on; returns -1. */
static int fail(struct cmd *x, int status)
{
	x->status = status;
	return -1;
}

/* The per-packet output, when packet lines are wanted (not -q, and not
 * -w unless -P); 0, or -1 out of memory.  An unknown -e field is a usage
 * error, told only now that the registry is built. */
static int setup_output(struct cmd *x)
{
	struct cli *c = &x->c;
	struct ns_output *out = &x->out;
	int text =
	    !c->quiet && (!c->writing || c->print) && !records_on_stdout(c);
	if (!text)
		return 0;
	memset(out, 0, sizeof(*out));
	out->fp = stdout;
	out->each = c->line_buffered;
	out->format = c->format;
	out->verbose = c->verbose;
	out->hex = c->hex;
	out->ascii = c->ascii;
	out->tfmt = c->tfmt;
	out->color =
	    c->format == NS_OUT_TEXT &&
	    ns_cli_color_wanted(c->color ? c->color : "auto", STDOUT_FILENO);
	out->eopt = c->eopt;
	if (c->nefields) {
		out->efields = calloc(c->nefields, sizeof(*out->efields));
		if (!out->efields) {
			fputs("netscope: out of memory\n", stderr);
			return -1;
		}
		for (unsigned i = 0; i < c->nefields; i++) {
			const char *name = c->efields[i];
			out->efields[i] = ns_field_by_name(name);
			if (out->efields[i])
				continue;
			const struct ns_field *near =
			    ns_field_nearest(name, strlen(name));
			if (near)
				ns_cli_usage_error(
				    "-e: unknown field '%s' (did "
				    "you mean %s?)",
				    name, near->name);
			ns_cli_usage_error("-e: unknown field '%s' (see "
					   "'netscope fields')",
					   name);
		}
		out->nefields = c->nefields;
	}
	x->run.out = out;
	return 0;
}

/* Starts the reports asked for, in registry order; 1 if any (*depth then
 * the deepest any of them needs packets dissected), 0 if none, or minus
 * the exit status after printing why one could not start (its
 * arguments, or the system: no temporary file). */
static int start_reports(struct cmd *x, enum ns_depth *depth)
{
	int reporting = 0;
	*depth = NS_DEPTH_FRAME;
	for (unsigned i = 0; i < ns_nreports && i < NS_NELEM(x->report); i++) {
		if (!x->c.report_arg[i])
			continue;
		char rerr[512];
		errno = 0; /* report.h: set by a failure of the system's */
		x->report[i] = ns_reports[i]->start(&x->eng, x->c.report_arg[i],
						    rerr, sizeof(rerr));
		if (!x->report[i]) {
			ns_cli_error("%s", rerr);
			return errno ? -NS_EXIT_RUNTIME : -NS_EXIT_USAGE;
		}
		reporting = 1;
		enum ns_depth d = ns_reports[i]->depth
				      ? ns_reports[i]->depth(x->report[i])
				      : NS_DEPTH_ALL;
		if (d > *depth)
			*depth = d;
	}
	return reporting;
}

static int records_batch(void *ctx, char *err, size_t errlen)
{
	return ns_records_flush(ctx, err, errlen);
}

/* --records: the transaction records, under the -w rotation options;
 * never onto an input. */
static int start_records(struct cmd *x)
{
	struct cli *c = &x->c;
	struct ns_records_opts o;
	memset(&o, 0, sizeof(o));
	o.wo = c->wo;
	o.wo.path = c->records;
	o.wo.inputs = c->files;
	o.wo.ninputs = c->nfiles;
	o.sensor = c->sensor;
	o.payload = c->records_payload;
	char err[NS_TMP_PATH * 2 + 64];
	x->records = ns_records_start(&x->eng, &o, err, sizeof(err));
	if (!x->records) {
		ns_cli_error("%s", err);
		return fail(x, NS_EXIT_RUNTIME);
	}
	x->run.batch_done = records_batch;
	x->run.batch_ctx = x->records;
	return 0;
}

/* The run's periodic point (run.h): the metrics rendered and handed to
 * the server, at most every NS_METRICS_INTERVAL_MS. */
static void metrics_tick(void *ctx, struct ns_run *run)
{
	struct cmd *x = ctx;
	if (!ns_metrics_due(x->metrics))
		return;
	struct ns_metrics_capture cap = {.packets = run->seen,
					 .bytes = run->bytes};
	if (run->have_kstats) { /* live */
		cap.kernel_drop = run->kstats.ps_drop;
		cap.if_drop = run->kstats.ps_ifdrop;
		cap.netscope_drop = run->netscope_drop;
	}
	ns_metrics_render(x->metrics, &cap, &x->mtext);
	ns_httpd_publish(x->httpd, x->mtext.p, x->mtext.len);
}

/* --metrics: the server listening (before -Z drops privileges), the model
 * on the bus; 0 or -1 after saying why not (exit 1). */
static int setup_metrics(struct cmd *x)
{
	char err[512];
	x->httpd = ns_httpd_start(x->c.metrics, err, sizeof(err));
	if (!x->httpd) {
		ns_cli_error("%s", err);
		return -1;
	}
	x->metrics = ns_metrics_new(&x->eng);
	if (!x->metrics) {
		fputs("netscope: out of memory\n", stderr);
		return -1;
	}
	x->run.tick = metrics_tick;
	x->run.tick_ctx = x;
	metrics_tick(x, &x->run); /* a scrape before the first packet */
	if (!x->c.quiet)
		fprintf(stderr, "netscope: metrics on http://%s/metrics\n",
			x->c.metrics);
	return 0;
}

/* With no packet output or display filter: 1 when every reader of packets
 * names the fields it reads (x->named, for the run's packet to record
 * those alone), 0 when one reads them all, -1 out of memory. */
static int name_fields(struct cmd *x)
{
	uint32_t n = ns_field_count();
	x->named = calloc(n ? n : 1, 1);
	if (!x->named) {
		fputs("netscope: out of memory\n", stderr);
		return -1;
	}
	if (ns_bus_packet_fields(&x->eng.bus, x->named, n) == 0)
		return 1;
	free(x->named);
	x->named = NULL;
	return 0;
}

/* The engine and what hangs on it: the schema, the reports, the DNS
 * tally, the metrics; and whether packets need dissecting at all
 * (invariant 4). */
static int setup_engine(struct cmd *x)
{
	struct cli *c = &x->c;
	if (ns_engine_init(&x->eng, c->max_flows) < 0) {
		fputs("netscope: out of memory\n", stderr);
		return fail(x, NS_EXIT_RUNTIME);
	}
	if (c->max_state_mib)
		x->eng.mem.cap = (size_t)c->max_state_mib << 20;
	x->run.eng = &x->eng;
	if (c->proto_desc) {
		x->pbschema = ns_cli_load_proto_desc(c->proto_desc);
		if (!x->pbschema)
			return fail(x, NS_EXIT_USAGE);
		x->eng.pbschema = x->pbschema;
	}
	ns_keylog_init(&x->keylog, &x->eng.mem);
	if (c->tls_keylog) {
		if (ns_cli_load_keylog(&x->keylog, &x->eng.mem, c->tls_keylog,
				       c->capture) < 0)
			return fail(x, NS_EXIT_USAGE);
		x->eng.keylog = &x->keylog;
		/* live: secrets the client appends as it connects */
		if (c->capture)
			x->eng.keylog_live = &x->keylog;
	}
	/* secrets a pcapng file carries (Decryption Secrets Blocks) are
	 * used with no option */
	for (unsigned i = 0; !c->capture && i < c->nfiles; i++)
		if (ns_dsb_read(c->files[i], &x->keylog, stderr) > 0)
			x->eng.keylog = &x->keylog;
	enum ns_depth depth;
	int reporting = start_reports(x, &depth);
	if (reporting < 0)
		return fail(x, -reporting);
	if (c->records && start_records(x) < 0)
		return -1;
	if (c->metrics && setup_metrics(x) < 0)
		return fail(x, NS_EXIT_RUNTIME);
	x->run.dissect = x->run.out || reporting || x->records || c->metrics;
	/* as deep as the deepest consumer: the reports', a display
	 * filter's (frame.* alone, or anything), the output's */
	if (x->run.out || x->records || c->metrics ||
	    (x->run.dfilter && !ns_dfilter_frame_only(x->run.dfilter)))
		depth = NS_DEPTH_ALL;
	x->run.frame_only = reporting && depth == NS_DEPTH_FRAME;
	x->eng.headers_only = reporting && depth == NS_DEPTH_HEADERS;
	/* what reads fields beyond the summary line: the tree, -T fields
	 * and JSON, -Y, the reports that look at each packet (unless each
	 * of them names the few it reads) */
	int named = 0;
	if (ns_bus_wants(&x->eng.bus, NS_EV_PACKET) && !x->run.out &&
	    !x->run.dfilter && (named = name_fields(x)) < 0)
		return fail(x, NS_EXIT_RUNTIME);
	x->eng.summary_only =
	    !x->run.dfilter &&
	    (!ns_bus_wants(&x->eng.bus, NS_EV_PACKET) || named) &&
	    (!x->run.out || (x->out.format == NS_OUT_TEXT && !x->out.verbose));
	/* and with no packet output nothing reads them at all, but for
	 * the ones named */
	ns_pkt_keep_fields(&x->run.pkt, !x->eng.summary_only || x->run.out);
	ns_pkt_name_fields(&x->run.pkt, x->named, ns_field_count());
	/* a long read shows it is alive: on a terminal's stderr, when the
	 * packet lines are not already on that terminal */
	x->run.progress = !c->capture && isatty(STDERR_FILENO) &&
			  (!x->run.out || !isatty(STDOUT_FILENO));
	/* DNS queries never answered, told at the end (its line) */
	if ((x->run.dissect || x->run.dfilter) && depth == NS_DEPTH_ALL)
		ns_dnstally_start(&x->dnstally, &x->eng);
	return 0;
}

/* -w never writes onto a file being read: refused before anything is
 * read or written (runtime error, as tcpdump would have destroyed it). */
static int check_output(struct cmd *x)
{
	struct cli *c = &x->c;
	char err[NS_TMP_PATH * 2 + 64];
	c->wo.inputs = c->files;
	c->wo.ninputs = c->nfiles;
	if (c->writing && ns_writer_check(&c->wo, err, sizeof(err)) < 0) {
		ns_cli_error("%s", err);
		return fail(x, NS_EXIT_RUNTIME);
	}
	return 0;
}

static int setup(struct cmd *x)
{
	struct cli *c = &x->c;
	if (check_output(x) < 0)
		return -1;
	ns_run_init(&x->run);
	x->run.max_count = c->count;
	x->run.duration_ns = c->duration_ns;
	x->run.timeout_ms = c->live.timeout_ms;
	x->run.wo = c->writing ? &c->wo : NULL;
	if (c->dfilter) {
		x->run.dfilter = ns_cli_compile_filter(c->dfilter);
		if (!x->run.dfilter)
			return fail(x, NS_EXIT_USAGE);
	}
	if (setup_output(x) < 0)
		return fail(x, NS_EXIT_RUNTIME);
	if (setup_engine(x) < 0)
		return -1;
	ns_run_signals(c->capture);
	if (c->two_pass && (x->run.dissect || x->run.dfilter))
		ns_run_first_pass(&x->run, c->files, c->nfiles, c->bpf);
	return 0;
}

/* tcpdump's first line, on stderr so stdout stays packets only. */
static void print_listening(const struct ns_source *src)
{
	const char *lt = pcap_datalink_val_to_name(src->linktype);
	const char *ld = pcap_datalink_val_to_description(src->linktype);
	fprintf(stderr,
		"netscope: listening on %s, link-type %s (%s), snapshot "
		"length %d bytes\n",
		src->name, lt ? lt : "?", ld ? ld : "?", src->snaplen);
}

/* tcpdump's last lines: what we read, and what the kernel counted; then
 * what netscope's own queue dropped, if any (pktq.h). */
static void print_counts(uint64_t seen, const struct pcap_stat *st,
			 uint64_t netscope_drop)
{
	fprintf(stderr, "%llu packet%s captured\n", (unsigned long long)seen,
		seen == 1 ? "" : "s");
	if (!st)
		return;
	fprintf(stderr, "%u packet%s received by filter\n", st->ps_recv,
		st->ps_recv == 1 ? "" : "s");
	fprintf(stderr, "%u packet%s dropped by kernel\n", st->ps_drop,
		st->ps_drop == 1 ? "" : "s");
	if (st->ps_ifdrop)
		fprintf(stderr, "%u packet%s dropped by interface\n",
			st->ps_ifdrop, st->ps_ifdrop == 1 ? "" : "s");
	if (netscope_drop)
		fprintf(stderr,
			"%llu packet%s dropped by netscope (its queue was "
			"full)\n",
			(unsigned long long)netscope_drop,
			netscope_drop == 1 ? "" : "s");
}

/* capture: the interface until -c, -a or a signal.  The writer is opened
 * after privileges are dropped (-Z), so its files are the user's. */
static int run_live(struct cmd *x)
{
	struct ns_source src;
	int status = ns_cli_open_live(&x->c, &src);
	if (status)
		return fail(x, status);
	if (ns_run_writer(&x->run, &src, !x->c.wo.rotate_secs) < 0) {
		ns_source_close(&src);
		return fail(x, NS_EXIT_RUNTIME);
	}
	if (!x->c.quiet)
		print_listening(&src);
	if (ns_run_live(&x->run, &src) < 0)
		x->status = NS_EXIT_RUNTIME;
	/* the kernel's counts as the capture thread last read them; the
	 * run's after every packet is flushed */
	if (ns_run_finish(&x->run) < 0)
		x->status = NS_EXIT_RUNTIME;
	print_counts(x->run.seen, x->run.have_kstats ? &x->run.kstats : NULL,
		     x->run.netscope_drop);
	ns_source_close(&src);
	return 0;
}

/* read: each file in turn into the same run (frame numbers and flows go
 * on across files).  A file that cannot be opened is skipped; a BPF
 * filter that does not compile for one is a usage error that ends the
 * run. */
static int read_files(struct cmd *x)
{
	struct cli *c = &x->c;
	for (unsigned i = 0; i < c->nfiles && !x->run.stop && !ns_signalled;
	     i++) {
		struct ns_source src;
		int status = ns_cli_open_file(c, c->files[i], &src);
		/* either way the run has failed: an existing -w file is
		 * left as it was */
		if (status)
			x->run.failed = 1;
		if (status == NS_EXIT_USAGE) {
			ns_run_finish(&x->run);
			return fail(x, status);
		}
		if (status) {
			x->status = status;
			continue;
		}
		if (ns_run_writer(&x->run, &src, !c->wo.rotate_secs) < 0 ||
		    ns_run_file(&x->run, &src) < 0)
			x->status = NS_EXIT_RUNTIME;
		ns_source_close(&src);
		if (x->run.failed && x->run.stop)
			break;
	}
	if (ns_run_finish(&x->run) < 0)
		x->status = NS_EXIT_RUNTIME;
	return 0;
}

/* End every flow (the conversations report gets the survivors), then the
 * reports, after the packet lines, then the lines on stderr. */
static void finish(struct cmd *x)
{
	/* no packet is dissected any more: the secrets go first, back to
	 * the budget they were counted in */
	x->eng.keylog = NULL;
	ns_keylog_free(&x->keylog);
	ns_engine_finish(&x->eng);
	/* machine output (-T json|ndjson|fields) or a pcap stream (-w -) on
	 * stdout stays parseable: the reports go to stderr then, unless -q
	 * left stdout to them.  With -T json|ndjson the statistics' tables
	 * are JSON objects (reports/table.h). */
	const struct cli *c = &x->c;
	int machine = (c->format != NS_OUT_TEXT && !c->quiet) ||
		      (c->writing && strcmp(c->wo.path, "-") == 0) ||
		      records_on_stdout(c);
	FILE *to = machine ? stderr : stdout;
	int json = c->format == NS_OUT_JSON || c->format == NS_OUT_NDJSON;
	for (unsigned i = 0; i < ns_nreports && i < NS_NELEM(x->report); i++) {
		if (x->report[i])
			ns_reports[i]->finish(x->report[i], to, json);
		x->report[i] = NULL; /* finish freed it */
	}
	/* the flows have ended: every transaction is written */
	if (x->records) {
		char err[NS_TMP_PATH * 2 + 64];
		if (ns_records_close(x->records, !x->run.failed, err,
				     sizeof(err)) < 0) {
			ns_cli_error("%s", err);
			x->status = NS_EXIT_RUNTIME;
		}
		x->records = NULL;
	}
	fflush(stdout);
	ns_engine_report(&x->eng, stderr,
			 x->c.capture && (x->run.dissect || x->run.dfilter));
	ns_dnstally_print(&x->dnstally, stderr); /* once the flows have ended */
	if (x->run.failed)
		x->status = NS_EXIT_RUNTIME;
}

/* After finish() or an early exit: no reports, just give everything
 * back.  With the bus emptied, the flows ended here tell no report (after
 * finish() none are left to end). */
static void cleanup(struct cmd *x)
{
	memset(&x->eng.bus, 0, sizeof(x->eng.bus));
	ns_engine_finish(&x->eng);
	if (x->records)
		ns_records_close(x->records, 0, NULL, 0);
	ns_httpd_stop(x->httpd);
	ns_metrics_free(x->metrics);
	ns_buf_free(&x->mtext);
	for (unsigned i = 0; i < ns_nreports && i < NS_NELEM(x->report); i++)
		if (x->report[i])
			ns_reports[i]->free(x->report[i]);
	ns_pbschema_free(x->pbschema);
	if (x->run.out)
		ns_output_free(x->run.out);
	ns_dfilter_free(x->run.dfilter);
	free(x->out.efields);
	free(x->named);
	ns_cli_free(&x->c);
}

static int capture_or_read(int argc, char **argv, int capture)
{
	struct cmd x;
	memset(&x, 0, sizeof(x));
	x.c.capture = capture;
	if (ns_cli_want_help(argc, argv,
			     capture ? ns_cli_help_capture : ns_cli_help_read))
		return 0;
	ns_cli_parse(&x.c, argc, argv);
	ns_registry_init();
	for (unsigned i = 0; i < x.c.ndecode_as; i++)
		ns_cli_decode_as(x.c.decode_as[i]);

	static char outbuf[1 << 16];
	if (x.c.line_buffered)
		setvbuf(stdout, outbuf, _IOLBF, sizeof(outbuf));
	else
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	if (setup(&x) == 0 && (capture ? run_live(&x) : read_files(&x)) == 0)
		finish(&x);
	cleanup(&x);
	return x.status;
}

int ns_cli_cmd_capture(int argc, char **argv)
{
	return capture_or_read(argc, argv, 1);
}

int ns_cli_cmd_read(int argc, char **argv)
{
	return capture_or_read(argc, argv, 0);
}
