/* query_terms.c: distinct query terms, with isolated unigrams marked. */
#include "query_terms.h"

#include <string.h>

#include "kb-private.h"

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
		q->within[0] = q->within[1] = 0;
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

static size_t position_of(const kb_query_terms_t *terms, const char *term, size_t len)
{
	int i = kb_query_terms_find(terms, term, len);
	return i < 0 ? 0 : (size_t)i + 1;
}

/* A pair's two characters and a word's pair are known once the whole text
 * is analysed (a pair comes before its second character's unigram). */
static void find_containing(const kb_query_terms_t *terms, kb_query_term_t *t)
{
	size_t prefix = strlen(KB_PREFIX_HAN_WORD);
	if (t->kind == KB_TOKEN_HAN_WORD && t->len > prefix) {
		t->within[0] = position_of(terms, t->term + prefix, t->len - prefix);
	} else if (t->kind == KB_TOKEN_BIGRAM) {
		size_t first = 1;
		while (first < t->len && ((unsigned char)t->term[first] & 0xC0) == 0x80)
			first++;
		t->within[0] = position_of(terms, t->term, first);
		t->within[1] = position_of(terms, t->term + first, t->len - first);
	}
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
	size_t first = out->count;
	kb_status_t st = kb_analyze(a, text, len, on_token, &c);
	if (c.last >= 0)
		out->items[c.last].isolated = 1;
	for (size_t i = first; i < out->count; i++)
		find_containing(out, &out->items[i]);
	return st;
}
