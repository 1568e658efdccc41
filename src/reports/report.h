/*
 * report — what summarises a run: a report subscribes to transaction
 * events (core/event.h) when the run starts and prints at its end.
 *
 * A report is one file in src/reports/ exporting one struct ns_report; the
 * registry (ns_reports[], generated from REPORT_SOURCES in Makefile.am like
 * the dissectors') is what `-z NAME` and the options that name a report
 * (--conversations, --calls) look in.  Adding a report is its file plus
 * one line in REPORT_SOURCES.
 *
 * Lifecycle: start() after the engine is made and before the first packet
 * (it subscribes to the engine's bus and keeps its own state); finish()
 * after ns_engine_finish() has ended every flow, printing and freeing;
 * free() instead of finish() when the run stops early.  Reports print in
 * the order they were started.
 */
#ifndef NS_REPORT_H
#define NS_REPORT_H

#include <stddef.h>
#include <stdio.h>

struct ns_engine;

enum ns_depth {
	NS_DEPTH_FRAME,	  /* each frame's time and lengths (frame.*) */
	NS_DEPTH_HEADERS, /* the protocol headers, every one of them, but no
			     TCP connection state or stream behind them */
	NS_DEPTH_ALL,
};

struct ns_report {
	/* what -z names: "conv" takes `-z conv` and `-z conv,ARGS` */
	const char *name;
	/* the forms, for the list in a usage error ("follow,tcp,MODE,N");
	 * NULL when a sibling's usage names this one too (endpoints,ip's
	 * "endpoints,ip|ipv6|tcp|udp[,FILTER]") */
	const char *usage;
	/* arg is everything after "NAME," (or "" when none); returns the
	 * report's state, or NULL with a reason in err: a usage error, or,
	 * when errno is left non-zero (the caller clears it first), a
	 * failure of the system's (memory, a temporary file: exit 1) */
	void *(*start)(struct ns_engine *e, const char *arg, char *err,
		       size_t errlen);
	/* json: -T json|ndjson, a table prints as JSON (table.h); a report
	 * with no JSON form prints its text */
	void (*finish)(void *state, FILE *out, int json);
	void (*free)(void *state);
	/* optional: how deep the report needs packets dissected; the run
	 * dissects as deep as its deepest consumer (NULL: everything) */
	enum ns_depth (*depth)(const void *state);
};

/* The registry (gen/registry.c), in REPORT_SOURCES order. */
extern const struct ns_report *const ns_reports[];
extern const unsigned ns_nreports;

/* The report `-z arg` names ("follow,tcp,ascii,1" → follow), or NULL. */
const struct ns_report *ns_report_find(const char *arg);
/* What follows the name in arg ("tcp,ascii,1"), "" when nothing. */
const char *ns_report_arg(const struct ns_report *r, const char *arg);

#endif
