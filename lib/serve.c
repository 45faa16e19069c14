/* serve.c: the JSON Lines loop over two streams.  Waiting for a request is
 * the server's idle time: it follows kb-index's commits and reads a new
 * generation's tables then (kb_searcher_idle), a short slice at a time
 * while nothing waits, rather than during the requests that follow. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kb-private.h"

/* The requests: through in's descriptor when it has one (stdio's buffer
 * would hide a request that waits behind the one being answered), else
 * through stdio, without idle work. */
typedef struct input {
	FILE *file;
	int fd;
	char buf[16384];
	size_t at, end;
	int eof;
} input_t;

/* Returns once fd has something to read (or an end or an error, which
 * read() then reports), doing s's idle work while it waits.  A client
 * with requests queued sends the next one within microseconds of reading
 * a response: only a pause of KB_IDLE_AFTER_MS is idle time, so that a
 * busy server spends nothing on idle work. */
static void wait_for_request(kb_searcher_t *s, int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int timeout = KB_IDLE_AFTER_MS;
	while (poll(&p, 1, timeout) == 0)
		timeout = kb_searcher_idle(s) ? 0 : KB_IDLE_CHECK_MS;
}

/* The next byte, EOF at the end, or -2 on a read error; idle_for, when not
 * NULL, does its idle work if nothing is there yet. */
static int next_byte(input_t *in, kb_searcher_t *idle_for)
{
	if (in->fd < 0) {
		int c = getc(in->file);
		return c == EOF && ferror(in->file) ? -2 : c;
	}
	if (in->at == in->end) {
		if (in->eof)
			return EOF;
		if (idle_for)
			wait_for_request(idle_for, in->fd);
		ssize_t n;
		while ((n = read(in->fd, in->buf, sizeof in->buf)) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* A descriptor the caller left non-blocking. */
				struct pollfd p = {.fd = in->fd, .events = POLLIN};
				poll(&p, 1, -1);
			} else if (errno != EINTR) {
				break;
			}
		}
		if (n < 0)
			return -2;
		if (n == 0) {
			in->eof = 1;
			return EOF;
		}
		in->at = 0;
		in->end = (size_t)n;
	}
	return (unsigned char)in->buf[in->at++];
}

/* Reads one line into *buf (without the newline), doing s's idle work
 * before its first byte arrives.  A line longer than KB_PROTOCOL_MAX_LINE
 * is read to its end but not kept: *too_long is set.  Returns 0 at EOF
 * with nothing read, 1 otherwise, -1 on a read error or when out of
 * memory. */
static int read_line(input_t *in, kb_searcher_t *s, char **buf, size_t *cap, size_t *len,
                     int *too_long)
{
	*len = 0;
	*too_long = 0;
	int c, any = 0;
	while ((c = next_byte(in, any ? NULL : s)) >= 0) {
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
	if (c == -2)
		return -1;
	if (*len && (*buf)[*len - 1] == '\r')
		(*len)--;
	return any;
}

KB_EXPORT kb_status_t kb_serve(kb_searcher_t *s, FILE *in, FILE *out)
{
	input_t *input = calloc(1, sizeof *input);
	if (!input)
		return KB_ERR_NOMEM;
	input->file = in;
	input->fd = fileno(in);
	char *buf = NULL;
	size_t cap = 0, len;
	int too_long, got;
	kb_status_t st = KB_OK;
	kb_searcher_expect_many(s);
	while ((got = read_line(input, s, &buf, &cap, &len, &too_long)) == 1) {
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
	free(input);
	return st;
}
