/* entry_documents.c: one knowledge entry as Xapian documents: one per
 * question (title and each alt, with the editors' keywords) and one for its
 * context (category and answers, and what a hit shows). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "indexer-private.h"
#include "kb-private.h"
#include "term_counts.h"

typedef struct add_ctx {
	kbx_writer_t *writer;
	kb_analyzer_t *analyzer;
	kbx_doc_t *doc;
	kb_term_counts_t terms;    /* of the document being made */
	unsigned weight;
	int counts;                /* whether the text counts for the length */
	int context;               /* the context document: answers */
	unsigned long length;      /* of the document, for BM25 */
	kb_status_t st;
	char *err;
} add_ctx_t;

static int add_token(void *arg, const kb_token_t *t)
{
	add_ctx_t *c = arg;
	if (kb_term_counts_add(&c->terms, t->term, t->term_len, c->weight) != 0)
		c->st = KB_ERR_NOMEM;
	if (c->counts)
		c->length += c->weight;
	return c->st != KB_OK;
}

/* Keywords do not count for the length: an editor's hints should not make
 * every question of the entry look longer (and so weaker) than it is. */
static kb_status_t index_text(add_ctx_t *c, const char *text, unsigned weight)
{
	if (!text)
		return KB_OK;
	c->weight = weight;
	c->counts = weight != KB_WEIGHT_KEYWORDS;
	kb_status_t st = kb_analyze(c->analyzer, text, strlen(text), add_token, c);
	return st != KB_OK ? st : c->st;
}

static kb_status_t add_boolean(add_ctx_t *c, const char *prefix, const char *value)
{
	char *term = kb_filter_term(prefix, value);
	if (!term)
		return KB_ERR_NOMEM;
	kb_status_t st = kbx_doc_add_boolean(c->doc, term, &c->err);
	free(term);
	return st;
}

/* No term names the entry: updates find its documents by number, in its
 * record (a unique id term was a posting list per entry, 8% of a build). */
static kb_status_t add_filters(add_ctx_t *c, const kb_entry_t *e)
{
	kb_status_t st = add_boolean(c, KB_PREFIX_STATUS, e->status);
	if (st == KB_OK && e->audience_count > 0)
		st = add_boolean(c, KB_TERM_HAS_AUDIENCES, "");
	for (size_t i = 0; st == KB_OK && i < e->audience_count; i++)
		st = add_boolean(c, KB_PREFIX_AUDIENCE, e->audiences[i]);
	if (st == KB_OK && e->region_count > 0)
		st = add_boolean(c, KB_TERM_HAS_REGIONS, "");
	if (st == KB_OK && (e->valid_from || e->valid_until))
		st = add_boolean(c, KB_TERM_DATED, "");
	for (size_t i = 0; st == KB_OK && i < e->region_count; i++)
		st = add_boolean(c, KB_PREFIX_REGION, e->regions[i]);
	/* Every leading part of the category path, so that a filter on
	 * "宽带" also finds "宽带/故障报修". */
	if (st == KB_OK && e->category) {
		char *path = strdup(e->category);
		if (!path)
			return KB_ERR_NOMEM;
		for (char *slash = path;; slash++) {
			slash = strchr(slash, '/');
			if (slash)
				*slash = '\0';
			st = add_boolean(c, KB_PREFIX_CATEGORY, path);
			if (!slash || st != KB_OK)
				break;
			*slash = '/';
		}
		free(path);
	}
	return st;
}

/* The entry's validity window as "YYYYMMDD" strings, open ends as the
 * smallest and largest dates. */
static void window(const kb_entry_t *e, char from[9], char until[9])
{
	if (e->valid_from)
		kb_date_compact(e->valid_from, from);
	else
		memcpy(from, KB_DATE_MIN, 9);
	if (e->valid_until)
		kb_date_compact(e->valid_until, until);
	else
		memcpy(until, KB_DATE_MAX, 9);
}

/* The entry's questions, one per line (a question holds no line break:
 * the reader collapses white space). */
static char *questions_text(const kb_entry_t *e)
{
	size_t len = strlen(e->title) + 1;
	for (size_t i = 0; i < e->alt_count; i++)
		len += strlen(e->alts[i]) + 1;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	p = stpcpy(p, e->title);
	for (size_t i = 0; i < e->alt_count; i++) {
		*p++ = '\n';
		p = stpcpy(p, e->alts[i]);
	}
	return s;
}

static kb_status_t add_values(add_ctx_t *c, const kb_entry_t *e, const char *key)
{
	kb_status_t st = KB_OK;
	if (e->valid_from || e->valid_until) {
		char from[9], until[9];
		window(e, from, until);
		st = kbx_doc_set_value(c->doc, KB_SLOT_VALID_FROM, from, &c->err);
		if (st == KB_OK)
			st = kbx_doc_set_value(c->doc, KB_SLOT_VALID_UNTIL, until, &c->err);
	}
	if (st == KB_OK)
		st = kbx_doc_set_value(c->doc, KB_SLOT_ENTRY, key, &c->err);
	if (st == KB_OK && c->context) {
		char *questions = questions_text(e);
		st = questions ? kbx_doc_set_value(c->doc, KB_SLOT_QUESTIONS, questions, &c->err)
		               : KB_ERR_NOMEM;
		free(questions);
	}
	return st;
}

/* BM25's part that depends on the document alone (how often the term
 * occurs, how long the document is) is worked out here, once, and stored as
 * the term's wdf: the search then only multiplies it by the term's idf
 * (see KB_IMPACT_SCALE). */
static unsigned impact(const add_ctx_t *c, unsigned wdf)
{
	double norm = (double)c->length /
	              (c->context ? KB_REFERENCE_LENGTH_CONTEXT : KB_REFERENCE_LENGTH);
	if (norm < KB_BM25_MIN_NORMLEN)
		norm = KB_BM25_MIN_NORMLEN;
	double part = wdf / (wdf + KB_BM25_K1 * (1 - KB_BM25_B + KB_BM25_B * norm));
	long v = lround(part * KB_IMPACT_SCALE);
	return v < 1 ? 1 : (unsigned)v;
}

/* The entry key (see KB_SLOT_ENTRY) into a malloc()ed string: the id, the
 * script, the docid its context document will get and the validity window
 * of a dated entry. */
static char *entry_key(const kb_entry_t *e, int traditional, unsigned context)
{
	const char sep = KB_KEY_SEPARATOR, script = traditional ? 't' : 's';
	char from[9], until[9];
	window(e, from, until);
	if (e->valid_from || e->valid_until)
		return kb_strdup_printf("%s%c%c%c%u%c%s%c%s", e->id, sep, script, sep, context, sep,
		                        from, sep, until);
	return kb_strdup_printf("%s%c%c%c%u", e->id, sep, script, sep, context);
}

/* One document: the text given, the entry's filters and values, and (data
 * not NULL, the context document) what a hit shows and its questions.
 * Xapian must number it docid, as the entry key promises. */
static kb_status_t add_document(add_ctx_t *c, const kb_entry_t *e, const char *key,
                                const char *data, size_t data_len, unsigned docid)
{
	c->context = data != NULL;
	kb_status_t st = KB_OK;
	for (size_t i = 0; st == KB_OK && i < c->terms.count; i++) {
		const kb_term_count_t *t = &c->terms.terms[i];
		st = kbx_doc_add_term(c->doc, c->terms.bytes + t->offset, t->len, impact(c, t->wdf),
		                      &c->err);
	}
	kb_term_counts_reset(&c->terms);
	c->length = 0;
	if (st == KB_OK)
		st = add_filters(c, e);
	if (st == KB_OK)
		st = add_values(c, e, key);
	if (st == KB_OK && data)
		st = kbx_doc_set_value_bytes(c->doc, KB_SLOT_DATA, data, data_len, &c->err);
	if (st == KB_OK)
		st = kbx_writer_add(c->writer, c->doc, docid, &c->err);
	kbx_doc_free(c->doc);
	c->doc = NULL;
	return st;
}

/* An entry becomes one document per question (title and each alt, with the
 * editors' keywords) and one for its context (category and answers).  The
 * search collapses them on the entry id, so an entry ranks by its best
 * matching question: BM25's length normalisation then works on that
 * question alone, and a short exact paraphrase beats a long entry that
 * merely contains the words somewhere. */

kb_status_t kb_entry_write(kbx_writer_t *w, kb_analyzer_t *a, const kb_entry_t *e,
                           const char *data, size_t data_len, const char *hash,
                           unsigned context, char **err)
{
	add_ctx_t c = {.writer = w, .analyzer = a};
	int traditional = kb_analyzer_script(a, e->title, strlen(e->title)) == KB_SCRIPT_TRADITIONAL;
	char *hash_key = kb_strdup_printf("%s%s", KB_META_HASH_PREFIX, e->id);
	char *record = kb_strdup_printf("%s %u %u", hash, context, KB_ENTRY_DOCUMENTS(e));
	char *key = entry_key(e, traditional, context);
	kb_status_t st = hash_key && record && key ? KB_OK : KB_ERR_NOMEM;
	if (st == KB_OK)
		st = kbx_writer_set_metadata(w, hash_key, record, &c.err);
	/* The context document first, then each question in order: a
	 * question's part is its distance from the context document. */
	if (st == KB_OK)
		st = kbx_doc_new(&c.doc, &c.err);
	if (st == KB_OK)
		st = index_text(&c, e->category, KB_WEIGHT_ANSWER);
	for (size_t i = 0; st == KB_OK && i < e->answer_count; i++)
		st = index_text(&c, e->answers[i].text, KB_WEIGHT_ANSWER);
	if (st == KB_OK)
		st = add_document(&c, e, key, data, data_len, context);
	for (size_t q = 0; st == KB_OK && q <= e->alt_count; q++) {
		const char *question = q == 0 ? e->title : e->alts[q - 1];
		st = kbx_doc_new(&c.doc, &c.err);
		if (st == KB_OK)
			st = index_text(&c, question, KB_WEIGHT_QUESTION);
		if (st == KB_OK)
			st = index_text(&c, e->keywords, KB_WEIGHT_KEYWORDS);
		if (st == KB_OK)
			st = add_document(&c, e, key, NULL, 0, context + 1 + (unsigned)q);
	}
	kbx_doc_free(c.doc);
	kb_term_counts_clear(&c.terms);
	free(key);
	free(record);
	free(hash_key);
	*err = c.err;
	return st;
}

int kb_entry_unchanged(const char *record, const char *hash)
{
	size_t n = strlen(hash);
	return strncmp(record, hash, n) == 0 && record[n] == ' ';
}

kb_status_t kb_entry_delete(kbx_writer_t *w, const char *id, const char *record, char **err)
{
	unsigned first = 0, count = 0;
	int end = 0;
	char *why = NULL;
	kb_status_t st = KB_ERR_CORRUPT;
	if (sscanf(record, "%*s %u %u%n", &first, &count, &end) == 2 && !record[end] && first &&
	    count && count - 1 <= UINT_MAX - first)
		st = kbx_writer_delete_documents(w, first, count, &why);
	if (st != KB_ERR_CORRUPT) {
		*err = why;
		return st;
	}
	*err = kb_strdup_printf("the index's record of entry %s is damaged (\"%s\"%s%s): "
	                        "rebuild it with kb-index --rebuild",
	                        id, record, why ? ": " : "", why ? why : "");
	free(why);
	return st;
}

kb_status_t kb_indexer_add_entry(void *arg, const kb_entry_t *e)
{
	kb_indexer_t *ix = arg;
	kb_status_t settled = kb_indexer_settle_words(ix);
	if (settled != KB_OK)
		return settled;
	if (kb_indexer_note_entry(ix, e->id, e->line) != 0)
		return KB_ERR_NOMEM;
	if (!ix->writer) { /* validating only, or the first pass of a rebuild by jobs */
		if (ix->jobs && kb_build_jobs_note(ix, e) != 0)
			return KB_ERR_NOMEM;
		kb_indexer_count_entry(ix);
		return KB_OK;
	}
	char *data = NULL, *err = NULL;
	size_t data_len = 0;
	kb_status_t st = kb_document_encode(e, &data, &data_len);
	char hash[17] = "";
	const char *old = NULL;
	if (st == KB_OK) {
		kb_document_hash(e, data, data_len, hash);
		old = ix->updating ? kb_string_set_get(&ix->old_hashes, e->id) : NULL;
		if (old && kb_entry_unchanged(old, hash)) {
			ix->stats.unchanged++;
			kb_indexer_count_entry(ix);
			free(data);
			return KB_OK;
		}
	}
	if (st == KB_OK && old)
		st = kb_entry_delete(ix->writer, e->id, old, &err);
	unsigned context = 0;
	if (st == KB_OK)
		st = kbx_writer_next_docid(ix->writer, &context, &err);
	if (st == KB_OK)
		st = kb_entry_write(ix->writer, ix->analyzer, e, data, data_len, hash, context, &err);
	free(data);
	if (st == KB_OK) {
		if (old)
			ix->stats.changed++;
		else
			ix->stats.added++;
		kb_indexer_count_entry(ix);
	} else
		kb_indexer_set_error(ix, err ? err : kb_strdup_printf("%s", kb_status_to_string(st)));
	return st;
}
