/* synonyms.h: the editors' synonym groups (宽带 光纤 宽频), read by kb-index
 * from synonyms.txt, stored in the index with the entries (so they switch
 * atomically with them) and applied to queries: a query that says one
 * member of a group also searches for the others, at a lower weight.
 *
 * File format, UTF-8: one group per line, members separated by spaces;
 * '#' starts a comment line; blank lines are ignored. */
#ifndef KB_SYNONYMS_H
#define KB_SYNONYMS_H

#include "analyze.h"
#include "diagnostics.h"
#include "query_terms.h"

#define KB_SYNONYMS_FILE "synonyms.txt"
#define KB_SYNONYMS_METADATA "kb.synonyms"
#define KB_MAX_SYNONYM_BYTES 64
#define KB_MAX_SYNONYM_GROUPS 10000

/* A searched synonym counts for this much of the word the agent typed:
 * on lcqmc-faq, 0.5 gained a little, 0.8 nothing and 1.0 lost (docs). */
#define KB_SYNONYM_FACTOR 0.5

/* Groups of folded members.  Stored in the index as one line per group,
 * members separated by single spaces ("宽带 光纤\n话费 费用\n"). */
typedef struct kb_synonyms {
	char *text;          /* a private copy of the stored form, cut up */
	const char **members;/* pointers into text; NULL ends each group */
	size_t count;        /* entries in members, NULLs included */
} kb_synonyms_t;

/* Reads file, adding "file:line: message" problems to diags, and appends
 * its groups (folded with a) to *stored. */
kb_status_t kb_synonyms_read(kb_analyzer_t *a, const char *file, kb_diagnostics_t *diags,
                             char **stored);

/* Parses the stored form (NULL or "" gives no groups). */
kb_status_t kb_synonyms_load(kb_synonyms_t *s, const char *stored);
void kb_synonyms_clear(kb_synonyms_t *s);

/* Adds to terms, at KB_SYNONYM_FACTOR, the terms of the query as it would
 * read with each other member of every group one of whose members it
 * contains. */
kb_status_t kb_synonyms_expand(const kb_synonyms_t *s, kb_analyzer_t *a, const char *query,
                               kb_query_terms_t *terms);

#endif
