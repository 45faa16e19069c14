/* query_terms.h: the distinct terms of what an agent typed, as the search
 * and the highlighter both need them. */
#ifndef KB_QUERY_TERMS_H
#define KB_QUERY_TERMS_H

#include "analyze.h"

/* A query is a few words; past this many distinct terms the rest add
 * nothing but cost (and a hostile request could send a megabyte). */
#define KB_MAX_QUERY_TERMS 64

typedef struct kb_query_term {
	char term[KB_MAX_WORD_BYTES + 8];
	size_t len;
	kb_token_kind_t kind;
	/* A unigram from a one-character Han run: the only term for that
	 * character, so it must be searched; other unigrams only back up
	 * bigrams. */
	int isolated;
	double factor;   /* 1 for the query's own terms, less for synonyms' */
	/* 1 + the index of each term of the query whose documents hold this
	 * one's, 0 for none: a pair's characters (闲鱼 in 闲 and 鱼), a word's
	 * pair (W需要 in 需要).  Their lists are often nearly the same. */
	size_t within[2];
} kb_query_term_t;

typedef struct kb_query_terms {
	kb_query_term_t items[KB_MAX_QUERY_TERMS];
	size_t count;
} kb_query_terms_t;

kb_status_t kb_query_terms_collect(kb_analyzer_t *a, const char *text, size_t len,
                                   kb_query_terms_t *out);

/* Adds the terms of text that out does not hold yet, with factor. */
kb_status_t kb_query_terms_add(kb_analyzer_t *a, const char *text, size_t len, double factor,
                               kb_query_terms_t *out);

/* Index of term in terms, or -1. */
int kb_query_terms_find(const kb_query_terms_t *terms, const char *term, size_t len);

#endif
