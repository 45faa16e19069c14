/* serve.c: the JSON Lines loop over two streams. */
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

/* Reads one line into *buf (without the newline).  A line longer than
 * KB_PROTOCOL_MAX_LINE is read to its end but not kept: *too_long is set.
 * Returns 0 at EOF with nothing read, 1 otherwise, -1 on a read error or
 * when out of memory. */
static int read_line(FILE *in, char **buf, size_t *cap, size_t *len, int *too_long)
{
	*len = 0;
	*too_long = 0;
	int c, any = 0;
	while ((c = getc(in)) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (*too_long)
			continue;
		if (*len == KB_PROTOCOL_MAX_LINE) {
			*too_long = 1;
			continue;
		}
		if (*len + 1 >= *cap) {
			size_t ncap = *cap ? *cap * 2 : 4096;
			char *b = realloc(*buf, ncap);
			if (!b)
				return -1;
			*buf = b;
			*cap = ncap;
		}
		(*buf)[(*len)++] = (char)c;
	}
	if (ferror(in))
		return -1;
	if (*len && (*buf)[*len - 1] == '\r')
		(*len)--;
	return any;
}

KB_EXPORT kb_status_t kb_serve(kb_searcher_t *s, FILE *in, FILE *out)
{
	char *buf = NULL;
	size_t cap = 0, len;
	int too_long, got;
	kb_status_t st = KB_OK;
	kb_searcher_expect_many(s);
	while ((got = read_line(in, &buf, &cap, &len, &too_long)) == 1) {
		char *resp = NULL;
		if (too_long)
			resp = kb_strdup_printf("{\"id\":null,\"ok\":false,\"error\":{\"code\":\"bad_request\","
			                        "\"message\":\"request line longer than %d bytes\"}}",
			                        KB_PROTOCOL_MAX_LINE);
		else
			kb_protocol_answer(s, buf ? buf : "", len, &resp);
		if (!resp)
			resp = strdup("{\"id\":null,\"ok\":false,\"error\":{\"code\":\"internal\","
			              "\"message\":\"out of memory\"}}");
		int bad = !resp || fputs(resp, out) == EOF || putc('\n', out) == EOF || fflush(out) == EOF;
		free(resp);
		if (bad) {
			st = KB_ERR_IO;
			break;
		}
	}
	if (got < 0)
		st = KB_ERR_IO;
	free(buf);
	return st;
}
