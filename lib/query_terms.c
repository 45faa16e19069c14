/* query_terms.c: distinct query terms, with isolated unigrams marked. */
#include "query_terms.h"

#include <string.h>

typedef struct collector {
	kb_query_terms_t *out;
	double factor;
	int last;            /* the unigram that may be isolated, or -1 */
	size_t prev_bigram_end;
} collector_t;

int kb_query_terms_find(const kb_query_terms_t *terms, const char *term, size_t len)
{
	for (size_t i = 0; i < terms->count; i++)
		if (terms->items[i].len == len && memcmp(terms->items[i].term, term, len) == 0)
			return (int)i;
	return -1;
}

static int add(collector_t *c, const kb_token_t *t)
{
	kb_query_terms_t *out = c->out;
	int i = kb_query_terms_find(out, t->term, t->term_len);
	if (i < 0) {
		if (out->count == KB_MAX_QUERY_TERMS || t->term_len >= sizeof out->items[0].term)
			return -1;
		i = (int)out->count++;
		kb_query_term_t *q = &out->items[i];
		memcpy(q->term, t->term, t->term_len);
		q->term[t->term_len] = '\0';
		q->len = t->term_len;
		q->kind = t->kind;
		q->isolated = 0;
		q->factor = c->factor;
	}
	return i;
}

/* A unigram is isolated unless a bigram ends at it (it follows another Han
 * character) or starts at it (one follows it). */
static int on_token(void *ctx, const kb_token_t *t)
{
	collector_t *c = ctx;
	if (t->kind == KB_TOKEN_BIGRAM) {
		c->prev_bigram_end = t->end;
		c->last = -1; /* the pending unigram had a follower */
		add(c, t);
		return 0;
	}
	if (c->last >= 0)
		c->out->items[c->last].isolated = 1;
	c->last = -1;
	int i = add(c, t);
	if (i >= 0 && t->kind == KB_TOKEN_UNIGRAM && c->prev_bigram_end != t->end)
		c->last = i;
	return 0;
}

kb_status_t kb_query_terms_collect(kb_analyzer_t *a, const char *text, size_t len,
                                   kb_query_terms_t *out)
{
	out->count = 0;
	return kb_query_terms_add(a, text, len, 1.0, out);
}

kb_status_t kb_query_terms_add(kb_analyzer_t *a, const char *text, size_t len, double factor,
                               kb_query_terms_t *out)
{
	collector_t c = {out, factor, -1, (size_t)-1};
	kb_status_t st = kb_analyze(a, text, len, on_token, &c);
	if (c.last >= 0)
		out->items[c.last].isolated = 1;
	return st;
}
