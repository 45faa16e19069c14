/* highlight.c: marking matches and choosing the passage a hit shows. */
#include "highlight.h"

#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "kb-private.h"

typedef struct mark_ctx {
	const kb_query_terms_t *terms;
	kb_span_t *spans;
	size_t count, cap;
	int oom;
} mark_ctx_t;

static int mark(void *arg, const kb_token_t *t)
{
	mark_ctx_t *h = arg;
	int i = kb_query_terms_find(h->terms, t->term, t->term_len);
	if (i < 0)
		return 0;
	const kb_query_term_t *qt = &h->terms->items[i];
	if (qt->kind == KB_TOKEN_UNIGRAM && !qt->isolated)
		return 0;
	if (h->count && t->start <= h->spans[h->count - 1].end) {
		if (t->end > h->spans[h->count - 1].end)
			h->spans[h->count - 1].end = t->end;
		return 0;
	}
	if (h->count == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		kb_span_t *s = realloc(h->spans, cap * sizeof *s);
		if (!s) {
			h->oom = 1;
			return 1;
		}
		h->spans = s;
		h->cap = cap;
	}
	h->spans[h->count++] = (kb_span_t){t->start, t->end};
	return 0;
}

kb_status_t kb_mark_spans(kb_analyzer_t *a, const kb_query_terms_t *terms, const char *text,
                          size_t len, kb_span_t **spans, size_t *count)
{
	mark_ctx_t h = {terms, NULL, 0, 0, 0};
	kb_status_t st = kb_analyze(a, text, len, mark, &h);
	if (st == KB_OK && h.oom)
		st = KB_ERR_NOMEM;
	if (st != KB_OK) {
		free(h.spans);
		h.spans = NULL;
		h.count = 0;
	}
	*spans = h.spans;
	*count = h.count;
	return st;
}

/* Whether the sentence ends right before text + i: after a line break or a
 * full stop, exclamation, question mark or semicolon (full-width or not). */
static size_t boundary_len(const char *text, size_t i)
{
	static const char *const ends[] = {"\n", "\xE3\x80\x82" /* 。 */, "\xEF\xBC\x81" /* ！ */,
	                                   "\xEF\xBC\x9F" /* ？ */, "\xEF\xBC\x9B" /* ； */, NULL};
	for (const char *const *e = ends; *e; e++) {
		size_t n = strlen(*e);
		if (i >= n && memcmp(text + i - n, *e, n) == 0)
			return n;
	}
	return 0;
}

/* Moves i back to the start of a UTF-8 character. */
static size_t char_start(const char *text, size_t i)
{
	while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80)
		i--;
	return i;
}

kb_status_t kb_snippet(kb_analyzer_t *a, const kb_query_terms_t *terms, const char *text,
                       char **passage, kb_span_t **spans, size_t *count)
{
	*passage = NULL;
	size_t len = strlen(text), n = 0;
	kb_span_t *all = NULL;
	kb_status_t st = kb_mark_spans(a, terms, text, len, &all, &n);
	if (st != KB_OK)
		return st;
	size_t from = 0, to = len;
	if (n > 0) {
		from = all[0].start;
		while (from > 0 && !boundary_len(text, from))
			from--;
		to = all[0].end;
		while (to < len && !boundary_len(text, to))
			to++;
		/* Leading white space of the sentence is no use to anyone. */
		while (from < to && (text[from] == ' ' || text[from] == '\n'))
			from++;
	}
	if (to - from > KB_SNIPPET_MAX_BYTES) {
		size_t anchor = n ? all[0].start : 0;
		size_t before = KB_SNIPPET_MAX_BYTES / 3;
		if (anchor - from > before)
			from = char_start(text, anchor - before);
		if (to - from > KB_SNIPPET_MAX_BYTES)
			to = char_start(text, from + KB_SNIPPET_MAX_BYTES);
	}
	*passage = malloc(to - from + 1);
	if (!*passage) {
		free(all);
		return KB_ERR_NOMEM;
	}
	memcpy(*passage, text + from, to - from);
	(*passage)[to - from] = '\0';
	/* Keep the spans inside the passage, shifted to its start. */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (all[i].start < from || all[i].end > to)
			continue;
		all[kept++] = (kb_span_t){all[i].start - from, all[i].end - from};
	}
	if (kept == 0) {
		free(all);
		all = NULL;
	}
	*spans = all;
	*count = kept;
	return KB_OK;
}
