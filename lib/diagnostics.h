/* diagnostics.h: the list of "file:line: message" problems found in input. */
#ifndef KB_DIAGNOSTICS_H
#define KB_DIAGNOSTICS_H

#include <stddef.h>

/* Past this many, one closing line says how many more there were: a
 * corrupt file must not make the indexer hold millions of messages. */
#define KB_MAX_DIAGNOSTICS 1000

typedef struct kb_diagnostics {
	char **items;
	size_t count, cap;
	size_t dropped;     /* problems beyond KB_MAX_DIAGNOSTICS */
	size_t summarized;  /* dropped problems now told of by one closing line */
	int oom;            /* a message could not be stored */
} kb_diagnostics_t;

/* Adds "file:line: message".  line <= 0 leaves the line out. */
void kb_diag_add(kb_diagnostics_t *d, const char *file, long line,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Problems seen, including those not stored. */
size_t kb_diag_problems(const kb_diagnostics_t *d);

/* Orders the diagnostics from index first on by line number, keeping the
 * order of those on one line: the messages of one file, which the
 * recovering pass of the reader may add out of order. */
void kb_diag_sort_lines(kb_diagnostics_t *d, size_t first, const char *file);

/* Appends the closing "... more problems" line if any were dropped. */
void kb_diag_finish(kb_diagnostics_t *d);

void kb_diag_clear(kb_diagnostics_t *d);

#endif
