/* coverage.h: how much a question and the query have in common as wholes.
 *
 * BM25 adds up what the shared terms are worth; it does not see how much
 * of each text is left over.  Among near-duplicates (门反锁如何打开 against
 * 门反锁了怎么打开 and 如何打开门锁) the best paraphrase is the one whose
 * characters the query covers and which covers the query's: their Dice
 * coefficient, 2 |Q ∩ D| / (|Q| + |D|), over the distinct characters (and
 * Latin/digit words) of the query Q and the question D. */
#ifndef KB_COVERAGE_H
#define KB_COVERAGE_H

#include "analyze.h"

/* Distinct characters past this many count, but are not compared. */
#define KB_COVERAGE_MAX_QUERY 64

typedef struct kb_coverage_query {
	uint64_t items[KB_COVERAGE_MAX_QUERY]; /* hashes of the query's terms */
	size_t count;                          /* distinct terms of the query */
} kb_coverage_query_t;

/* The query's distinct characters and words. */
kb_status_t kb_coverage_query(kb_analyzer_t *a, const char *text, size_t len,
                              kb_coverage_query_t *out);

/* The best Dice coefficient of the query's with a line of text's (an
 * entry's questions, one per line): from 0 (nothing shared) to 1 (the same
 * characters); 0 for a line with none. */
double kb_coverage(kb_analyzer_t *a, const kb_coverage_query_t *q, const char *text, size_t len);

#endif
