/* searcher.c: ranked, filtered search over an index, and result handling. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze.h"
#include "coverage.h"
#include "custom_words.h"
#include "document.h"
#include "entry.h"
#include "highlight.h"
#include "index_dir.h"
#include "kb-private.h"
#include "query_terms.h"
#include "synonyms.h"
#include "xapian_shim.h"

/* How much a shared single character counts against a shared pair.  On
 * lcqmc-faq, weighting unigrams below bigrams lost relevance (0.3: MRR@10
 * 0.850, 0.6: 0.861, 1.0: 0.868); see docs/relevance.md. */
#define KB_UNIGRAM_FACTOR 1.0

/* A word a Han run is cut into (师傅, 上门 in 叫师傅上门) counts three times
 * a pair: it says what the text means where pairs also match across word
 * boundaries (傅上).  Words brought lcqmc-faq from MRR@10 0.880 to 0.900
 * (R@1 0.803 -> 0.832; 1.5: 0.894, 2: 0.898, 2.5: 0.899, 4: 0.897 with
 * words in the lengths); see docs/relevance.md. */
#define KB_HAN_WORD_FACTOR 3.0

/* A word of Latin letters or digits (PUK, 12300, 5G, iPhone) names a thing
 * at least as precisely as a Han word, yet a Han word of two characters
 * comes with its pair and two unigrams besides: Latin words count five
 * times to weigh about the same.  lcqmc-faq has few such words and does not
 * move (2 to 6 give the same MRR@10); with Han words in the query, the
 * sample corpus keeps all 77 rankings only from 5 on (PUK码多少, 要打12300告你们). */
#define KB_WORD_FACTOR 5.0

/* A character that occurs in more than this share of the documents (花 in
 * an Alipay FAQ, 么 anywhere) adds almost nothing to BM25 but costs a walk
 * through most of the index: such unigrams are left out of the query unless
 * the character stands alone.  On lcqmc-faq MRR@10 stays (0.879 -> 0.880)
 * while atec-faq's p50 falls from 5.0 to 2.2 ms. */
#define KB_COMMON_UNIGRAM_FRACTION 0.05

/* Knowledge bases often hold the same topic twice, once in simplified and
 * once in traditional characters (often in Cantonese or Taiwanese wording)
 * for Hong Kong, Macau or Taiwan customers, and folding makes the twins
 * match alike.  The script the agent types says which customers they are
 * serving, and the other script's wording (Cantonese 屋企上唔到網) is of
 * little use to read out to them: an entry written in the agent's script
 * gets 50% more score, so it comes first unless an entry in the other
 * script matches half again as well.  (2% and 10% left twins in the wrong
 * order once synonyms bridged 宽带 and 寬頻; see docs/relevance.md.)  The
 * search fetches KB_SCRIPT_LOOKAHEAD more hits than asked so that one can
 * move up. */
#define KB_SCRIPT_BONUS 0.5

/* Folding characters cannot undo Taiwan wording (設定 for 设置, 簡訊 for
 * 短信, 支援 for 支持): a traditional query also searches its mainland
 * wording, as strongly as its own.  With it, the traditional versions of
 * the atec-faq queries keep 99.6% of the simplified MRR@10 (97.4% without;
 * 0.5 gave 98.9%), lcqmc-faq's 99.9% (99.2%). */
#define KB_MAINLAND_FACTOR 1.0

/* A term in more than 1% of the documents (and more than 1,000 of them)
 * does not find documents, it only adds to the score of those that rarer
 * terms of the query found: 花呗 in an Alipay FAQ, 宽带 in a broadband one.
 * Walking such lists is most of a search's cost, and a document that shares
 * only common terms with the query is hardly ever among the best (the idea
 * of Lucene's cutoff_frequency).  On atec-faq the match alone takes half
 * the time (p50 2.0 -> 1.0 ms) and MRR@10 stays (0.0758 -> 0.0757); at 0.3%
 * it is 0.67 ms and 0.0753.  Small knowledge bases are searched as before.
 * See docs/performance.md. */
#define KB_FIND_FRACTION 0.01
#define KB_FIND_MIN_DOCS 1000

/* However many rare terms a query has, the documents they find are what
 * the rest of the query is scored on, each at a cost: finding terms are
 * taken rarest first up to 5,000 documents in all, the rarest always.  On
 * the 1M bench corpus p50 35 -> 19 ms and p99 242 -> 52 ms (a query of
 * common terms only no longer walks them all); on atec-faq and lcqmc-faq
 * MRR@10 does not move (nor at 2,000; at 1,000 atec-faq loses 0.0003). */
#define KB_FIND_BUDGET 5000

/* Terms inside others' documents often share nearly all of them: a word
 * and its pair (W需要, 需要), a pair and its character (东西, 东).  When
 * the inner term holds at least 80% of the outer one's documents and the
 * outer one is in 1,000 or more, the inner list alone stands for both,
 * with both weights.  atec-faq and lcqmc-faq keep their MRR@10 (to the
 * last digit; at 60% they begin to lose) and the match takes 9-12% less
 * time.  Documents holding only the outer term are no longer found by it;
 * shorter lists cost little and are kept apart, so that a small base finds
 * what it did.  See docs/performance.md. */
#define KB_FOLD_SHARE 0.8
#define KB_FOLD_MIN_DOCS 1000

/* Of the terms that only add to the score, the 16 that can add the most
 * (idf x factor) are searched.  A long query's twentieth common character
 * hardly moves a ranking, yet its list is read for every match: on
 * atec-faq p99 3.0 -> 2.2 ms, bench 100k 13 -> 8 ms, MRR@10 unchanged on
 * both sets (12 lost lcqmc-faq 0.0008, 8 0.0014). */
#define KB_MAX_SCORING 16
#define KB_SCRIPT_LOOKAHEAD 5

/* The best matches are compared with the query as wholes (coverage.h): a
 * match's score is multiplied by 1 + 2 x the Dice coefficient of the
 * query's characters and those of the entry's question closest to it,
 * which puts the paraphrase that says just what the query says above one
 * that says more or less.  Over the 20 best: lcqmc-faq MRR@10 0.900 ->
 * 0.909, atec-faq 0.073 -> 0.078 (make eval).  Offline, 10 and 30 were
 * within 0.001 of 20, and a factor of 1 or 5 gained a little less on one
 * set or the other; see docs/relevance.md. */
#define KB_COVERAGE_FACTOR 2.0
#define KB_COVERAGE_DEPTH 20   /* at least this many matches are fetched */

struct kb_searcher {
	char *path;
	char *live;          /* the generation being read, for kb index dirs */
	kbx_reader_t *reader;
	kb_synonyms_t synonyms;  /* of the generation being read */
	kb_analyzer_t *analyzer;
	int many;            /* kb_searcher_expect_many() */
	int words_cold;      /* a new generation's word table is not warmed yet */
	char *error;
};

struct kb_results {
	kb_hit_t *hits;
	char **docs;         /* the hits' stored data, which their strings point into */
	size_t doc_count;
	const char **tags;   /* all hits' audience arrays, back to back */
	char **snippets;     /* per returned hit */
	kb_span_t **spans;
	size_t count, total;
	long match_us;
};

/* The query's terms, those of its mainland wording if it is written in
 * traditional characters (設定 also searches 设置), and its synonyms'. */
static kb_status_t collect_terms(kb_searcher_t *s, const char *text, kb_script_t script,
                                 kb_query_terms_t *terms)
{
	kb_status_t st = kb_query_terms_collect(s->analyzer, text, strlen(text), terms);
	if (st == KB_OK && script == KB_SCRIPT_TRADITIONAL) {
		char *mainland = NULL;
		st = kb_analyzer_mainland(s->analyzer, text, strlen(text), &mainland);
		if (st == KB_OK && mainland)
			st = kb_query_terms_add(s->analyzer, mainland, strlen(mainland),
			                        KB_MAINLAND_FACTOR, terms);
		free(mainland);
	}
	return st == KB_OK ? kb_synonyms_expand(&s->synonyms, s->analyzer, text, terms) : st;
}

/* Reads what the generation just opened stores beside its documents, after
 * checking that this kb reads its format (documents written by another
 * version would be misread, not refused, further on). */
static kb_status_t load_synonyms(kbx_reader_t *r, kb_synonyms_t *syn, char **err)
{
	char *stored = NULL;
	kb_status_t st = kbx_reader_metadata(r, KB_META_FORMAT, &stored, err);
	if (st == KB_OK && *stored && strcmp(stored, KB_INDEX_FORMAT) != 0) {
		*err = kb_strdup_printf("the index was built by another version of kb (format %s, "
		                        "this one reads %s): rebuild it with kb-index --rebuild",
		                        stored, KB_INDEX_FORMAT);
		st = KB_ERR_INDEX;
	}
	free(stored);
	stored = NULL;
	if (st == KB_OK)
		st = kbx_reader_metadata(r, KB_SYNONYMS_METADATA, &stored, err);
	if (st == KB_OK)
		st = kb_synonyms_load(syn, stored);
	free(stored);
	return st;
}

/* A stub of shards (or a bare Xapian database) has no directory whose word
 * table the analyzer could map: it reads the word list, and the editors'
 * words come from the index (the first shard's, as with synonyms). */
static kb_status_t add_custom_words(kbx_reader_t *r, kb_analyzer_t *a, char **err)
{
	char *stored = NULL;
	kb_status_t st = kbx_reader_metadata(r, KB_CUSTOM_WORDS_METADATA, &stored, err);
	if (st == KB_OK)
		st = kb_custom_words_apply(a, stored);
	if (st == KB_ERR_CORRUPT)
		*err = strdup("the index's words cannot be read: the index is damaged");
	free(stored);
	return st;
}

KB_EXPORT kb_status_t kb_highlight(kb_searcher_t *s, const char *query, const char *text,
                                   size_t *count, kb_span_t **out)
{
	*out = NULL;
	*count = 0;
	kb_query_terms_t terms;
	kb_status_t st =
	    collect_terms(s, query, kb_analyzer_script(s->analyzer, query, strlen(query)), &terms);
	return st == KB_OK ? kb_mark_spans(s->analyzer, &terms, text, strlen(text), out, count) : st;
}

static void set_error(kb_searcher_t *s, char *msg)
{
	free(s->error);
	s->error = msg;
}

KB_EXPORT const char *kb_searcher_last_error(const kb_searcher_t *s)
{
	return s && s->error ? s->error : "no error";
}

KB_EXPORT void kb_query_init(kb_query_t *q)
{
	*q = (kb_query_t){.version = KB_QUERY_VERSION};
}

KB_EXPORT kb_status_t kb_searcher_open(const char *path, kb_searcher_t **out,
                                       char **error_message)
{
	*out = NULL;
	if (error_message)
		*error_message = NULL;
	char *err = NULL;
	kb_status_t st = KB_OK;
	struct stat sb;
	if (!path || !*path) {
		err = strdup("no index given (use --db DIR or set KB_DB)");
		st = KB_ERR_INVALID_ARG;
	} else if (stat(path, &sb) != 0) {
		err = kb_strdup_printf("no index at %s: %s (build one with kb-index)", path,
		                       strerror(errno));
		st = KB_ERR_NO_INDEX;
	}
	kb_searcher_t *s = NULL;
	if (st == KB_OK && !(s = calloc(1, sizeof *s)))
		st = KB_ERR_NOMEM;
	if (st == KB_OK && !(s->path = strdup(path)))
		st = KB_ERR_NOMEM;
	/* A kb index directory is read through its "current" link; anything
	 * else is handed to Xapian as it is. */
	if (st == KB_OK && S_ISDIR(sb.st_mode) && kb_index_dir_live(path, &s->live) == KB_ERR_NOMEM)
		st = KB_ERR_NOMEM;
	if (st == KB_OK)
		st = kb_analyzer_new(&s->analyzer, s->live, &err);
	if (st == KB_OK) {
		st = kbx_reader_open(s->live ? s->live : path, &s->reader, &err);
		if (st == KB_OK)
			st = load_synonyms(s->reader, &s->synonyms, &err);
		if (st == KB_OK && !s->live)
			st = add_custom_words(s->reader, s->analyzer, &err);
		if (st == KB_ERR_NO_INDEX) {
			free(err);
			err = kb_strdup_printf("no index at %s (build one with kb-index)", path);
		}
	}
	if (st != KB_OK) {
		if (error_message)
			*error_message = err ? err : strdup(kb_status_to_string(st));
		else
			free(err);
		kb_searcher_destroy(s);
		return st;
	}
	*out = s;
	return KB_OK;
}

KB_EXPORT void kb_searcher_destroy(kb_searcher_t *s)
{
	if (!s)
		return;
	kbx_reader_free(s->reader);
	kb_synonyms_clear(&s->synonyms);
	kb_analyzer_free(s->analyzer);
	free(s->path);
	free(s->live);
	free(s->error);
	free(s);
}

void kb_searcher_expect_many(kb_searcher_t *s)
{
	s->many = 1;
	/* Now rather than at the first request; if it fails, that request
	 * tries again. */
	char *err = NULL;
	if (s->live)
		kbx_reader_keep_values(s->reader, KB_SLOT_ENTRY, KB_SLOT_QUESTIONS, 0, NULL, &err);
	free(err);
	kb_analyzer_warm(s->analyzer);
}

/* Moves to what kb-index committed since the last search: a new revision
 * of the generation being read (an update in place), or a new generation
 * (a rebuild).  A failure keeps the old one: an answer from a slightly
 * older index beats no answer. */
static void follow_current(kb_searcher_t *s)
{
	int changed = 0;
	char *err = NULL;
	if (kbx_reader_reopen(s->reader, &changed, &err) == KB_OK && changed) {
		kb_synonyms_t syn = {0};
		if (load_synonyms(s->reader, &syn, &err) == KB_OK) {
			kb_synonyms_clear(&s->synonyms);
			s->synonyms = syn;
		}
	}
	free(err);
	if (!s->live)
		return;
	char *live = NULL;
	if (kb_index_dir_live(s->path, &live) != KB_OK || strcmp(live, s->live) == 0) {
		free(live);
		return;
	}
	kbx_reader_t *r = NULL;
	kb_synonyms_t syn = {0};
	err = NULL;
	if (kbx_reader_open(live, &r, &err) == KB_OK && load_synonyms(r, &syn, &err) == KB_OK &&
	    kb_analyzer_use_words(s->analyzer, live, &err) == KB_OK) {
		kbx_reader_free(s->reader);
		kb_synonyms_clear(&s->synonyms);
		s->reader = r;
		s->synonyms = syn;
		free(s->live);
		s->live = live;
		s->words_cold = 1;
	} else {
		kbx_reader_free(r);
		kb_synonyms_clear(&syn);
		free(live);
	}
	free(err);
}

unsigned kb_searcher_idle(kb_searcher_t *s)
{
	/* A stub's remote shards are left to the requests: nothing is kept
	 * of them, and a shard that is down would hold up the idle loop. */
	if (!s->live)
		return 0;
	follow_current(s);
	if (!s->many)
		return 0;
	if (s->words_cold) {
		kb_analyzer_warm(s->analyzer);
		s->words_cold = 0;
	}
	unsigned behind = 0;
	char *err = NULL;
	/* A failure is left to the next search, which reads the same. */
	if (kbx_reader_keep_values(s->reader, KB_SLOT_ENTRY, KB_SLOT_QUESTIONS, KB_IDLE_SLICE,
	                           &behind, &err) != KB_OK)
		behind = 0;
	free(err);
	return behind;
}

static int tags_are_valid(kb_searcher_t *s, const kb_query_t *q)
{
	for (size_t i = 0; i < q->audience_count; i++)
		if (!q->audiences[i] || !kb_tag_is_valid(q->audiences[i])) {
			set_error(s, kb_strdup_printf(
			                 "audience '%s' is not a tag: use lowercase ASCII letters, digits, '-' or '_'",
			                 q->audiences[i] ? q->audiences[i] : "(null)"));
			return 0;
		}
	return 1;
}

static kb_status_t check_query(kb_searcher_t *s, const kb_query_t *q)
{
	if (!q || q->version != KB_QUERY_VERSION || !q->text) {
		set_error(s, strdup("the query is missing its text or has the wrong version"));
		return KB_ERR_INVALID_ARG;
	}
	if (q->limit > KB_LIMIT_MAX) {
		set_error(s, kb_strdup_printf("limit must be from 1 to %d", KB_LIMIT_MAX));
		return KB_ERR_INVALID_ARG;
	}
	if (q->date && !kb_date_is_valid(q->date)) {
		set_error(s, kb_strdup_printf("date '%s' is not a date like 2026-11-23", q->date));
		return KB_ERR_INVALID_ARG;
	}
	if (q->audience_count > KB_MAX_QUERY_AUDIENCES) {
		set_error(s, kb_strdup_printf("at most %d audiences", KB_MAX_QUERY_AUDIENCES));
		return KB_ERR_INVALID_ARG;
	}
	return tags_are_valid(s, q) ? KB_OK : KB_ERR_INVALID_ARG;
}

typedef struct chooser {
	kb_script_t script;  /* of the query */
	unsigned limit;      /* hits wanted */
	const char *date;    /* "YYYYMMDD": the day entries must be valid on */
	unsigned fetch;      /* matches asked of Xapian */
	kb_analyzer_t *analyzer;
	const kb_coverage_query_t *coverage; /* the query, to compare questions with */
	size_t chosen;       /* out: how many hits lead the items */
	size_t valid;        /* out: how many of the matches are valid then */
	size_t dropped;      /* out: how many are not */
} chooser_t;

/* Best first; equal scores by entry id, so that the order does not depend
 * on where documents sit in the index (one index or several shards). */
static int by_score(const void *a, const void *b)
{
	const kbx_match_t *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* An entry key's parts (see KB_SLOT_ENTRY). */
typedef struct entry_key {
	char script;          /* 's' or 't' */
	unsigned context;     /* docid of the context document in its shard */
	const char *window;   /* "\x1fFROM\x1fUNTIL", or NULL: undated */
} entry_key_t;

static entry_key_t parse_key(const char *key)
{
	entry_key_t k = {'s', 0, NULL};
	const char *f = strchr(key, KB_KEY_SEPARATOR);
	if (f) {
		k.script = f[1];
		f = strchr(f + 1, KB_KEY_SEPARATOR);
	}
	if (f) {
		k.context = (unsigned)strtoul(f + 1, NULL, 10);
		f = strchr(f + 1, KB_KEY_SEPARATOR);
	}
	k.window = f && strlen(f) >= 18 ? f : NULL;
	return k;
}

/* The shim's text_doc(): a match's questions are in its context document. */
static unsigned questions_doc(void *ctx, const kbx_match_t *m)
{
	(void)ctx;
	return parse_key(m->key).context;
}

/* Shards add a document's term weights in another order: scores are
 * rounded so that equal ones stay equal, for the tie-break by entry id. */
static double rounded(double score)
{
	return round(score * 1e6) / 1e6;
}

/* The shim's choose(): drops matches not valid on the day, applies the
 * coverage and the script preference, orders the rest and works out where
 * each one's data and question are, all from the entry key. */
static size_t choose(void *ctx, kbx_match_t *items, size_t count)
{
	chooser_t *c = ctx;
	size_t n = 0;
	/* Matches tied with the last one fetched may go on past it, and which
	 * of them made it depends on where they sit in the index (one index
	 * or shards): only matches scored above it are compared with the
	 * query, so that the same ones are, wherever they sit. */
	double floor = count == c->fetch ? rounded(items[count - 1].score / KB_IMPACT_SCALE) : -1;
	for (size_t i = 0; i < count; i++) {
		kbx_match_t *m = &items[i];
		entry_key_t k = parse_key(m->key);
		if (k.window &&
		    (strncmp(k.window + 1, c->date, 8) > 0 || strncmp(k.window + 10, c->date, 8) < 0)) {
			c->dropped++;
			continue;
		}
		m->score /= KB_IMPACT_SCALE;
		if (m->text && rounded(m->score) > floor)
			m->score *= 1.0 + KB_COVERAGE_FACTOR * kb_coverage(c->analyzer, c->coverage,
			                                                   m->text, m->text_len);
		if (c->script != KB_SCRIPT_NONE &&
		    (k.script == 't') == (c->script == KB_SCRIPT_TRADITIONAL))
			m->score *= 1.0 + KB_SCRIPT_BONUS;
		m->score = rounded(m->score);
		m->data_doc = k.context;
		m->part = (long)m->local_docid - (long)k.context; /* 0: the context */
		kbx_match_t t = items[n];
		items[n++] = *m;
		*m = t;
	}
	if (n)
		qsort(items, n, sizeof *items, by_score);
	c->valid = n;
	c->chosen = n < c->limit ? n : c->limit;
	return c->chosen;
}

/* Runs the query: every term, OR-ed, matches chosen by chooser.  Dates are
 * checked on the matches found (choose()), which costs nothing, unless
 * dates_in_query: then the query itself leaves out the documents not valid
 * on the day, which costs a look at every dated document's window. */
static kb_status_t run(kb_searcher_t *s, const kb_query_t *q, const kb_query_terms_t *terms,
                       unsigned fetch, chooser_t *chooser, int keep_common, int dates_in_query,
                       kbx_matches_t *m)
{
	kbx_weighted_term_t weighted[KB_MAX_QUERY_TERMS];
	size_t n = 0;
	for (size_t i = 0; i < terms->count; i++) {
		const kb_query_term_t *t = &terms->items[i];
		/* A character that is part of a pair of the query backs the
		 * pair up: it adds to the score of what the pairs and words
		 * found and finds nothing itself (atec-faq and lcqmc-faq MRR@10
		 * unchanged, their p50 5-10% lower), and is left out when
		 * common.  The fallback search lets every term find. */
		int backs_up = !keep_common && t->kind == KB_TOKEN_UNIGRAM && !t->isolated;
		weighted[n++] = (kbx_weighted_term_t){
		    t->term, t->len,
		    t->factor * (t->kind == KB_TOKEN_UNIGRAM    ? KB_UNIGRAM_FACTOR
		                 : t->kind == KB_TOKEN_WORD     ? KB_WORD_FACTOR
		                 : t->kind == KB_TOKEN_HAN_WORD ? KB_HAN_WORD_FACTOR
		                                                : 1.0),
		    backs_up, {t->within[0], t->within[1]}};
	}
	if (n == 0)
		return KB_OK;

	char *audience_terms[KB_MAX_QUERY_AUDIENCES];
	char *region_term = NULL;
	kb_status_t st = KB_OK;
	for (size_t i = 0; i < q->audience_count; i++)
		if (!(audience_terms[i] = kb_filter_term(KB_PREFIX_AUDIENCE, q->audiences[i])))
			st = KB_ERR_NOMEM;
	if (q->region && *q->region && !(region_term = kb_filter_term(KB_PREFIX_REGION, q->region)))
		st = KB_ERR_NOMEM;
	kbx_exclusion_t exclusions[] = {
	    {KB_PREFIX_STATUS "retired", NULL, 0},
	    {KB_PREFIX_STATUS "draft", NULL, 0},
	    {KB_TERM_HAS_AUDIENCES, (const char *const *)audience_terms, q->audience_count},
	    {KB_TERM_HAS_REGIONS, (const char *const *)&region_term, region_term ? 1 : 0},
	};
	if (q->include_drafts)
		exclusions[1] = exclusions[0];

	kbx_search_t search = {
	    .terms = weighted,
	    .term_count = n,
	    .find_fraction = KB_FIND_FRACTION,
	    .find_min_docs = KB_FIND_MIN_DOCS,
	    .find_budget = KB_FIND_BUDGET,
	    .common_fraction = KB_COMMON_UNIGRAM_FRACTION,
	    .fold_share = KB_FOLD_SHARE,
	    .fold_min_docs = KB_FOLD_MIN_DOCS,
	    .max_scoring = KB_MAX_SCORING,
	    .exclusions = exclusions,
	    .exclusion_count = sizeof exclusions / sizeof *exclusions,
	    .date_marker = dates_in_query ? KB_TERM_DATED : NULL,
	    .date = chooser->date,
	    .collapse_slot = KB_SLOT_ENTRY,
	    .local = s->live != NULL,
	    .values_in_memory = s->many,
	    .limit = fetch,
	    .text_slot = KB_SLOT_QUESTIONS,
	    .data_slot = KB_SLOT_DATA,
	    .text_count = fetch,
	    .text_doc = questions_doc,
	    .choose = choose,
	    .choose_ctx = chooser,
	};
	char *err = NULL;
	if (st == KB_OK)
		st = kbx_reader_search(s->reader, &search, m, &err);
	if (st != KB_OK)
		set_error(s, err ? err : strdup(kb_status_to_string(st)));
	else
		free(err);
	for (size_t i = 0; i < q->audience_count; i++)
		free(audience_terms[i]);
	free(region_term);
	return st;
}

/* The hit's strings point into the match's data, which the results take. */
static kb_status_t fill_hit(kb_results_t *r, size_t i, kbx_match_t *m, const kb_query_t *q,
                            const char **tags)
{
	kb_document_t doc;
	if (!m->data || kb_document_decode(m->data, m->data_len, &doc) != KB_OK)
		return KB_ERR_CORRUPT;
	r->docs[r->doc_count++] = m->data;
	m->data = NULL;
	kb_hit_t *h = &r->hits[i];
	h->id = doc.id;
	h->score = m->score;
	h->title = doc.title;
	if (m->part == 1) {
		h->matched = h->title;
	} else if (m->part > 1 && (size_t)m->part - 2 < doc.alt_count) {
		const char *alt = doc.alts;
		for (long k = 2; k < m->part; k++)
			alt = kb_document_next(alt);
		h->matched = alt;
	}
	h->category = doc.category;
	h->answer = doc.answer;
	for (size_t k = 0; k < q->audience_count && !h->answer_audience; k++) {
		const char *tag = doc.variants;
		for (size_t v = 0; v < doc.variant_count; v++) {
			const char *answer = kb_document_next(tag);
			/* The tag is the stored one, not the caller's string: what
			 * a hit points at lives as long as the results. */
			if (strcmp(tag, q->audiences[k]) == 0) {
				h->answer = answer;
				h->answer_audience = tag;
				break;
			}
			tag = kb_document_next(answer);
		}
	}
	h->audiences = tags;
	const char *tag = doc.audiences;
	for (size_t k = 0; k < doc.audience_count && k < KB_MAX_TAGS; k++) {
		tags[h->audience_count++] = tag;
		tag = kb_document_next(tag);
	}
	return KB_OK;
}

KB_EXPORT kb_status_t kb_search(kb_searcher_t *s, const kb_query_t *q, kb_results_t **out)
{
	*out = NULL;
	kb_status_t st = check_query(s, q);
	if (st != KB_OK)
		return st;
	follow_current(s);
	kb_script_t script = kb_analyzer_script(s->analyzer, q->text, strlen(q->text));
	kb_query_terms_t terms;
	st = collect_terms(s, q->text, script, &terms);
	kbx_matches_t m = {0};
	unsigned limit = q->limit ? q->limit : KB_LIMIT_DEFAULT;
	unsigned fetch = limit + (script != KB_SCRIPT_NONE ? KB_SCRIPT_LOOKAHEAD : 0);
	if (fetch < KB_COVERAGE_DEPTH)
		fetch = KB_COVERAGE_DEPTH;
	char today[11], date[9];
	if (!q->date)
		kb_today(today);
	kb_date_compact(q->date ? q->date : today, date);
	kb_coverage_query_t coverage;
	if (st == KB_OK)
		st = kb_coverage_query(s->analyzer, q->text, strlen(q->text), &coverage);
	chooser_t chooser = {script, limit, date, fetch, s->analyzer, &coverage, 0, 0, 0};
	long match_us = 0;
	/* First every term but common characters, then (nothing found: only
	 * common characters, in no pair any entry has, 的是) every term.  A
	 * search that dropped matches out of date and may have missed valid
	 * ones behind them runs again with the dates in the query. */
	for (int keep_common = 0, dates_in_query = 0; st == KB_OK;) {
		chooser.dropped = 0;
		st = run(s, q, &terms, fetch, &chooser, keep_common, dates_in_query, &m);
		match_us += m.match_us;
		if (st != KB_OK)
			break;
		if (chooser.dropped && !dates_in_query && m.count == fetch && chooser.chosen < limit)
			dates_in_query = 1;
		else if (chooser.chosen == 0 && !keep_common)
			keep_common = 1;
		else
			break;
		kbx_matches_clear(&m);
	}
	size_t count = chooser.chosen;
	kb_results_t *r = NULL;
	if (st == KB_OK && !(r = calloc(1, sizeof *r)))
		st = KB_ERR_NOMEM;
	if (st == KB_OK && count) {
		r->hits = calloc(count, sizeof *r->hits);
		r->docs = calloc(count, sizeof *r->docs);
		r->tags = calloc(count * KB_MAX_TAGS, sizeof *r->tags);
		r->snippets = calloc(count, sizeof *r->snippets);
		r->spans = calloc(count, sizeof *r->spans);
		if (!r->hits || !r->docs || !r->tags || !r->snippets || !r->spans)
			st = KB_ERR_NOMEM;
	}
	for (size_t i = 0; st == KB_OK && i < count; i++) {
		r->hits[i].rank = (unsigned)i + 1;
		st = fill_hit(r, i, &m.items[i], q, r->tags + i * KB_MAX_TAGS);
		if (st != KB_OK)
			set_error(s, kb_strdup_printf("a stored document cannot be read: the index is damaged"));
		else
			r->count = i + 1;
	}
	if (st == KB_OK) {
		/* Xapian's estimate counts the matches dropped for their dates;
		 * a search that found fewer than it asked for knows them all. */
		r->total = m.count < fetch ? chooser.valid
		           : m.total > chooser.valid + chooser.dropped ? m.total - chooser.dropped
		                                                        : chooser.valid;
		r->match_us = match_us;
	}
	for (size_t i = 0; st == KB_OK && i < r->count; i++) {
		kb_hit_t *h = &r->hits[i];
		kb_span_t *spans = NULL;
		st = kb_snippet(s->analyzer, &terms, h->matched ? h->matched : h->answer,
		                &r->snippets[i], &spans, &h->snippet_span_count);
		h->snippet = r->snippets[i];
		h->snippet_spans = r->spans[i] = spans;
	}
	kbx_matches_clear(&m);
	if (st != KB_OK) {
		kb_results_destroy(r);
		return st;
	}
	*out = r;
	return KB_OK;
}

KB_EXPORT size_t kb_results_count(const kb_results_t *r)
{
	return r ? r->count : 0;
}

KB_EXPORT size_t kb_results_total(const kb_results_t *r)
{
	return r ? r->total : 0;
}

KB_EXPORT long kb_results_match_us(const kb_results_t *r)
{
	return r ? r->match_us : 0;
}

KB_EXPORT const kb_hit_t *kb_results_hit(const kb_results_t *r, size_t i)
{
	return r && i < r->count ? &r->hits[i] : NULL;
}

KB_EXPORT void kb_results_destroy(kb_results_t *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->doc_count; i++)
		free(r->docs[i]);
	for (size_t i = 0; r->snippets && i < r->count; i++) {
		free(r->snippets[i]);
		free(r->spans[i]);
	}
	free(r->snippets);
	free(r->spans);
	free(r->docs);
	free(r->hits);
	free(r->tags);
	free(r);
}

