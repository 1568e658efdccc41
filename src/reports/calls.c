/*
 * calls — see calls.h.  Each line is stored with a fixed-width sort key
 * (connection index, stream id) in front; at the end the lines are read
 * back, sorted and printed without the key.
 */
#include "reports/calls.h"

#include <stdlib.h>
#include <string.h>

struct ns_calls {
	FILE *tmp;
	size_t n;
};

struct ns_calls *ns_calls_new(void)
{
	struct ns_calls *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->tmp = tmpfile();
	if (!c->tmp) {
		free(c);
		return NULL;
	}
	return c;
}

void ns_calls_add(struct ns_calls *c, uint32_t conn, uint32_t sid,
		  const char *line, size_t n)
{
	if (!c)
		return;
	fprintf(c->tmp, "%010u %010u ", conn, sid);
	fwrite(line, 1, n, c->tmp);
	fputc('\n', c->tmp);
	c->n++;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ns_calls_finish(struct ns_calls *c, FILE *out)
{
	if (!c)
		return;
	char **lines = calloc(c->n ? c->n : 1, sizeof(*lines));
	size_t k = 0;
	rewind(c->tmp);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while (lines && k < c->n && (len = getline(&line, &cap, c->tmp)) > 0) {
		lines[k++] = line;
		line = NULL;
		cap = 0;
	}
	free(line);
	if (lines)
		qsort(lines, k, sizeof(*lines), cmp);
	fputs("HTTP/2 and gRPC calls\n"
	      "tcp.stream client → server s=stream kind method path "
	      "[grpc-status] http-status latency ttfb [first message] "
	      "messages/bytes each way [gaps between response messages] "
	      "end [grpc-message]\n",
	      out);
	for (size_t i = 0; i < k; i++) {
		fputs(lines[i] + 22, out);
		free(lines[i]);
	}
	fprintf(out, "%zu calls\n", k);
	free(lines);
	ns_calls_free(c);
}

void ns_calls_free(struct ns_calls *c)
{
	if (!c)
		return;
	fclose(c->tmp);
	free(c);
}
