/* diagnostics.c: collecting "file:line: message" problems. */
#include "diagnostics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

static void push(kb_diagnostics_t *d, char *msg)
{
	if (!msg) {
		d->oom = 1;
		return;
	}
	if (d->count == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		char **items = realloc(d->items, cap * sizeof *items);
		if (!items) {
			free(msg);
			d->oom = 1;
			return;
		}
		d->items = items;
		d->cap = cap;
	}
	d->items[d->count++] = msg;
}

void kb_diag_add(kb_diagnostics_t *d, const char *file, long line,
                 const char *fmt, ...)
{
	if (d->count >= KB_MAX_DIAGNOSTICS) {
		d->dropped++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	char *msg = kb_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (!msg) {
		d->oom = 1;
		return;
	}
	/* One problem, one line: a value quoted in the message may hold a
	 * line break or other control character (from &#10; in an id, say). */
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7F)
			*c = ' ';
	/* libxml2 quotes input bytes, which may be half a character or not
	 * UTF-8 at all: the message must itself be UTF-8. */
	kb_utf8_repair(msg, strlen(msg));
	char *full = line > 0 ? kb_strdup_printf("%s:%ld: %s", file, line, msg)
	                      : kb_strdup_printf("%s: %s", file, msg);
	free(msg);
	push(d, full);
}

size_t kb_diag_problems(const kb_diagnostics_t *d)
{
	/* The closing line stands for summarized problems, not one more. */
	return d->count + d->dropped + (size_t)d->oom + (d->summarized ? d->summarized - 1 : 0);
}

static long line_in(const char *item, size_t prefix)
{
	return item[prefix] == ':' ? strtol(item + prefix + 1, NULL, 10) : 0;
}

void kb_diag_sort_lines(kb_diagnostics_t *d, size_t first, const char *file)
{
	size_t prefix = strlen(file);
	for (size_t i = first + 1; i < d->count; i++) {
		char *item = d->items[i];
		long line = line_in(item, prefix);
		size_t j = i;
		while (j > first && line_in(d->items[j - 1], prefix) > line) {
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = item;
	}
}

void kb_diag_finish(kb_diagnostics_t *d)
{
	if (d->dropped) {
		push(d, kb_strdup_printf("... and %zu more problems not shown", d->dropped));
		d->summarized += d->dropped;
	}
	d->dropped = 0;
}

void kb_diag_clear(kb_diagnostics_t *d)
{
	for (size_t i = 0; i < d->count; i++)
		free(d->items[i]);
	free(d->items);
	*d = (kb_diagnostics_t){0};
}
