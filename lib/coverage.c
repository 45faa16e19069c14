/* coverage.c: the Dice coefficient of a query's and a question's characters
 * (see coverage.h). */
#include "coverage.h"

#include <string.h>

#include "kb-private.h"

static uint64_t term_hash(const kb_token_t *t)
{
	return kb_hash_n(KB_HASH_OFFSET, t->term, t->term_len) | 1; /* 0 marks a free slot */
}

static int counts(const kb_token_t *t)
{
	return t->kind == KB_TOKEN_UNIGRAM || t->kind == KB_TOKEN_WORD;
}

static int has(const kb_coverage_query_t *q, uint64_t h)
{
	for (size_t i = 0; i < q->count && i < KB_COVERAGE_MAX_QUERY; i++)
		if (q->items[i] == h)
			return 1;
	return 0;
}

static int add_query_term(void *ctx, const kb_token_t *t)
{
	kb_coverage_query_t *q = ctx;
	uint64_t h = term_hash(t);
	if (!counts(t) || has(q, h))
		return 0;
	if (q->count < KB_COVERAGE_MAX_QUERY)
		q->items[q->count] = h;
	q->count++;
	return 0;
}

kb_status_t kb_coverage_query(kb_analyzer_t *a, const char *text, size_t len,
                              kb_coverage_query_t *out)
{
	out->count = 0;
	return kb_analyze_characters(a, text, len, add_query_term, out);
}

/* The question's distinct terms in a small open-addressed set, at least
 * twice as large as the text has bytes (each term takes one at least), at
 * most MAX_SLOTS: a question is at most 1,024 bytes. */
#define MAX_SLOTS 1024

typedef struct text_terms {
	const kb_coverage_query_t *q;
	uint64_t set[MAX_SLOTS];
	size_t mask;
	size_t distinct, shared;
} text_terms_t;

static int add_text_term(void *ctx, const kb_token_t *t)
{
	text_terms_t *c = ctx;
	if (!counts(t))
		return 0;
	uint64_t h = term_hash(t);
	size_t i = (size_t)(h >> 7) & c->mask;
	for (size_t probes = 0; c->set[i] != h; i = (i + 1) & c->mask) {
		if (!c->set[i]) {
			c->set[i] = h;
			c->distinct++;
			c->shared += has(c->q, h);
			break;
		}
		if (++probes > c->mask)
			return 1; /* full: a text far past the limits; enough seen */
	}
	return 0;
}

static double dice(kb_analyzer_t *a, const kb_coverage_query_t *q, const char *text, size_t len)
{
	text_terms_t c;
	size_t slots = 16;
	while (slots < 2 * len && slots < MAX_SLOTS)
		slots *= 2;
	c.q = q;
	c.mask = slots - 1;
	memset(c.set, 0, slots * sizeof *c.set);
	c.distinct = c.shared = 0;
	if (kb_analyze_characters(a, text, len, add_text_term, &c) != KB_OK || !q->count ||
	    !c.distinct)
		return 0;
	return 2.0 * (double)c.shared / (double)(q->count + c.distinct);
}

double kb_coverage(kb_analyzer_t *a, const kb_coverage_query_t *q, const char *text, size_t len)
{
	double best = 0;
	for (const char *line = text, *end = text + len; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			eol = end;
		double d = dice(a, q, line, (size_t)(eol - line));
		if (d > best)
			best = d;
		line = eol + 1;
	}
	return best;
}
