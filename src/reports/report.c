/*
 * report — see report.h.
 */
#include "reports/report.h"

#include <string.h>

const struct ns_report *ns_report_find(const char *arg)
{
	for (unsigned i = 0; i < ns_nreports; i++) {
		size_t n = strlen(ns_reports[i]->name);
		if (strncmp(arg, ns_reports[i]->name, n) == 0 &&
		    (arg[n] == ',' || arg[n] == 0))
			return ns_reports[i];
	}
	return NULL;
}

const char *ns_report_arg(const struct ns_report *r, const char *arg)
{
	size_t n = strlen(r->name);
	return arg[n] == ',' ? arg + n + 1 : "";
}
