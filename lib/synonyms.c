/* synonyms.c: reading, storing and applying synonym groups. */
#include "synonyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"
#include "line_file.h"
#include "string_set.h"

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = (*len + n + 1) * 2;
		char *b = realloc(*buf, c);
		if (!b)
			return -1;
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* Checks one folded line's members and joins them into group with single
 * spaces; 0 if the line had a problem (reported). */
static int read_group(const char *file, long line_no, char *line, kb_string_set_t *seen,
                      kb_diagnostics_t *diags, char **group, size_t *members)
{
	size_t len = 0, cap = 0;
	*group = NULL;
	*members = 0;
	char *save = NULL;
	for (char *m = strtok_r(line, " \t\r", &save); m; m = strtok_r(NULL, " \t\r", &save)) {
		if (strlen(m) > KB_MAX_SYNONYM_BYTES) {
			kb_diag_add(diags, file, line_no, "synonym '%.20s...' is longer than %d bytes", m,
			            KB_MAX_SYNONYM_BYTES);
			goto bad;
		}
		char *where = kb_strdup_printf("%s:%ld", file, line_no);
		int added = where ? kb_string_set_add(seen, m, where) : -1;
		free(where);
		if (added == 0)
			kb_diag_add(diags, file, line_no,
			            "'%s' is already in the group at %s (a word may be in one group only)", m,
			            kb_string_set_get(seen, m));
		if (added != 1 || (len && append(group, &len, &cap, " ", 1) != 0) ||
		    append(group, &len, &cap, m, strlen(m)) != 0)
			goto bad;
		(*members)++;
	}
	if (*members == 1) {
		kb_diag_add(diags, file, line_no, "a synonym group needs at least two words");
		goto bad;
	}
	return 1;
bad:
	free(*group);
	*group = NULL;
	return 0;
}

typedef struct group_reader {
	const char *file;
	kb_diagnostics_t *diags;
	kb_string_set_t seen;
	char **stored;
	size_t len, cap;
} group_reader_t;

static kb_status_t add_group(void *ctx, long line_no, char *folded)
{
	group_reader_t *g = ctx;
	char *group;
	size_t members;
	if (!read_group(g->file, line_no, folded, &g->seen, g->diags, &group, &members))
		return KB_OK;
	kb_status_t st = append(g->stored, &g->len, &g->cap, group, strlen(group)) != 0 ||
	                         append(g->stored, &g->len, &g->cap, "\n", 1) != 0
	                     ? KB_ERR_NOMEM
	                     : KB_OK;
	free(group);
	return st;
}

kb_status_t kb_synonyms_read(kb_analyzer_t *a, const char *file, kb_diagnostics_t *diags,
                             char **stored)
{
	group_reader_t g = {file, diags, {0}, stored, 0, 0};
	g.len = *stored ? strlen(*stored) : 0;
	g.cap = g.len + 1;
	kb_status_t st = kb_read_lines(a, file, diags, KB_MAX_SYNONYM_GROUPS, "synonym groups",
	                               add_group, &g);
	kb_string_set_clear(&g.seen);
	return st;
}

kb_status_t kb_synonyms_load(kb_synonyms_t *s, const char *stored)
{
	*s = (kb_synonyms_t){0};
	if (!stored || !*stored)
		return KB_OK;
	s->text = strdup(stored);
	size_t max = strlen(stored) + 2;
	s->members = calloc(max, sizeof *s->members);
	if (!s->text || !s->members) {
		kb_synonyms_clear(s);
		return KB_ERR_NOMEM;
	}
	char *save_line = NULL;
	for (char *line = strtok_r(s->text, "\n", &save_line); line;
	     line = strtok_r(NULL, "\n", &save_line)) {
		char *save = NULL;
		for (char *m = strtok_r(line, " ", &save); m; m = strtok_r(NULL, " ", &save))
			s->members[s->count++] = m;
		s->members[s->count++] = NULL;
	}
	return KB_OK;
}

void kb_synonyms_clear(kb_synonyms_t *s)
{
	free(s->text);
	free(s->members);
	*s = (kb_synonyms_t){0};
}

/* The query with its first occurrence of from replaced by to. */
static char *replace_once(const char *q, const char *at, size_t from_len, const char *to)
{
	size_t head = (size_t)(at - q), to_len = strlen(to), tail = strlen(at + from_len);
	char *r = malloc(head + to_len + tail + 1);
	if (!r)
		return NULL;
	memcpy(r, q, head);
	memcpy(r + head, to, to_len);
	memcpy(r + head + to_len, at + from_len, tail + 1);
	return r;
}

kb_status_t kb_synonyms_expand(const kb_synonyms_t *s, kb_analyzer_t *a, const char *query,
                               kb_query_terms_t *terms)
{
	if (!s->count)
		return KB_OK;
	char *folded = NULL;
	kb_status_t st = kb_analyzer_fold(a, query, strlen(query), &folded);
	for (size_t g = 0; st == KB_OK && g < s->count; g++) {
		/* The group runs from g to the next NULL; find a member the
		 * query says, then search as if it said each of the others. */
		size_t end = g;
		while (s->members[end])
			end++;
		const char *at = NULL;
		size_t said = g;
		for (; !at && said < end; said++)
			at = strstr(folded, s->members[said]);
		said--;
		for (size_t o = g; at && st == KB_OK && o < end; o++) {
			if (o == said)
				continue;
			char *alt = replace_once(folded, at, strlen(s->members[said]), s->members[o]);
			st = alt ? kb_query_terms_add(a, alt, strlen(alt), KB_SYNONYM_FACTOR, terms)
			         : KB_ERR_NOMEM;
			free(alt);
		}
		g = end;
	}
	free(folded);
	return st;
}
