/* highlight.h: where a text matches a query, and the passage to show. */
#ifndef KB_HIGHLIGHT_H
#define KB_HIGHLIGHT_H

#include "query_terms.h"

/* The spans of text (len bytes) whose terms are among terms: bigrams, words
 * and characters the query holds alone; a character shared only as part of
 * a longer query word is noise.  Overlapping spans are merged.  *spans is
 * malloc()ed (NULL when *count is 0). */
kb_status_t kb_mark_spans(kb_analyzer_t *a, const kb_query_terms_t *terms, const char *text,
                          size_t len, kb_span_t **spans, size_t *count);

/* Passages longer than this are cut around their first match. */
#define KB_SNIPPET_MAX_BYTES 240

/* The passage of text to show for a hit: the sentence holding the first
 * match (cut to KB_SNIPPET_MAX_BYTES around it), or text's beginning when
 * nothing matches.  *passage (NUL-terminated) and *spans (offsets into it)
 * are malloc()ed. */
kb_status_t kb_snippet(kb_analyzer_t *a, const kb_query_terms_t *terms, const char *text,
                       char **passage, kb_span_t **spans, size_t *count);

#endif
