/* line_file.c: reading the editors' one-item-a-line files (line_file.h). */
#include "line_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

kb_status_t kb_read_lines(kb_analyzer_t *a, const char *file, kb_diagnostics_t *diags,
                          size_t max_items, const char *what, kb_line_fn fn, void *ctx)
{
	FILE *f = fopen(file, "rb");
	if (!f) {
		kb_diag_add(diags, file, 0, "cannot read: %s", strerror(errno));
		return KB_OK;
	}
	char *line = NULL;
	size_t line_cap = 0, items = 0;
	ssize_t n;
	long line_no = 0;
	kb_status_t st = KB_OK;
	while (st == KB_OK && (n = getline(&line, &line_cap, f)) >= 0) {
		line_no++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (kb_utf8_repair(line, (size_t)n)) {
			kb_diag_add(diags, file, line_no, "not valid UTF-8");
			continue;
		}
		const char *p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		if (++items > max_items) {
			kb_diag_add(diags, file, line_no, "more than %zu %s", max_items, what);
			break;
		}
		char *folded = NULL;
		st = kb_analyzer_fold(a, p, strlen(p), &folded);
		if (st == KB_OK)
			st = fn(ctx, line_no, folded);
		free(folded);
	}
	free(line);
	fclose(f);
	return st;
}
