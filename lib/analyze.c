/* analyze.c: folding and n-gram tokenization (see analyze.h for the rules). */
#include "analyze.h"

#include <opencc/opencc.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "kb-private.h"
#include "segment.h"

/* Folding a code point costs a utf8proc call and, for Han, an OpenCC call:
 * far too slow per character of a 100k-entry corpus.  Each code point is
 * folded once and remembered in a two-level table (pages of 256 code
 * points, allocated when first touched), its result kept in one byte pool. */
#define PAGE_BITS 8
#define PAGE_SIZE (1u << PAGE_BITS)
#define PAGE_COUNT ((0x10FFFFu >> PAGE_BITS) + 1)

typedef struct fold_slot {
	uint32_t offset; /* into pool */
	uint8_t len;     /* folded length in bytes */
	uint8_t known;
	uint8_t traditional; /* OpenCC changed it: a traditional character */
} fold_slot_t;

struct kb_analyzer {
	opencc_t t2s;
	opencc_t tw2sp;      /* opened when first needed */
	fold_slot_t *pages[PAGE_COUNT];
	char *pool;
	size_t pool_len, pool_cap;
	/* The run being collected: folded code points and their source ranges. */
	struct run_char {
		int32_t cp;
		size_t start, end;
	} *run;
	size_t run_len, run_cap;
	char *word;
	size_t word_cap;
	/* The run as UTF-8, where each character starts, and its cut into
	 * words. */
	kb_segmenter_t *segmenter;
	char *run_text;
	size_t *offsets, *ends;
	double *costs;
	size_t cut_cap;
	int characters_only; /* kb_analyze_characters() is running */
};

static int is_han(int32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x20000 && cp <= 0x3134F) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       cp == 0x3007;
}

int kb_is_han(int32_t cp)
{
	return is_han(cp);
}

static int is_word_char(int32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
		       (cp >= 'A' && cp <= 'Z');
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

static size_t fold_word(void *ctx, const char *word, size_t len, char *out, size_t cap);

/* The word table of the generation in dir, or the word list. */
static kb_status_t open_words(kb_analyzer_t *a, const char *dir, kb_segmenter_t **out,
                              char **error_message)
{
	*error_message = NULL;
	if (dir) {
		char *path = kb_strdup_printf("%s/%s", dir, KB_WORDS_FILE);
		if (!path)
			return KB_ERR_NOMEM;
		kb_status_t st = kb_segmenter_map(path, out, error_message);
		free(path);
		if (st == KB_OK || st == KB_ERR_NOMEM)
			return st;
		/* Missing or unreadable: the list gives the same table, only
		 * more slowly. */
		free(*error_message);
		*error_message = NULL;
	}
	const char *list = getenv("KB_DICTIONARY");
	if (!list || !*list)
		list = KB_DEFAULT_DICTIONARY;
	char *err = NULL;
	kb_status_t st = kb_segmenter_load(list, fold_word, a, out, &err);
	if (st == KB_ERR_IO && strcmp(list, KB_DEFAULT_DICTIONARY) == 0) {
		*error_message = kb_strdup_printf("%s (is python3-jieba installed?)", err);
		free(err);
	} else {
		*error_message = err;
	}
	return st;
}

kb_status_t kb_analyzer_new(kb_analyzer_t **out, const char *words_dir, char **error_message)
{
	*out = NULL;
	char *err = NULL;
	kb_analyzer_t *a = calloc(1, sizeof *a);
	if (!a)
		return KB_ERR_NOMEM;
	kb_status_t st = KB_OK;
	a->t2s = opencc_open(OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP);
	if (a->t2s == (opencc_t)-1) {
		err = kb_strdup_printf(
		    "cannot load OpenCC's %s: %s (is the opencc data package installed?)",
		    OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP, opencc_error());
		st = KB_ERR_INDEX;
	}
	if (st == KB_OK)
		st = open_words(a, words_dir, &a->segmenter, &err);
	if (st != KB_OK) {
		kb_analyzer_free(a);
		a = NULL;
	}
	if (error_message)
		*error_message = err;
	else
		free(err);
	*out = a;
	return st;
}

void kb_analyzer_warm(kb_analyzer_t *a)
{
	kb_segmenter_warm(a->segmenter);
}

kb_status_t kb_analyzer_use_words(kb_analyzer_t *a, const char *dir, char **error_message)
{
	kb_segmenter_t *s = NULL;
	kb_status_t st = open_words(a, dir, &s, error_message);
	if (st == KB_OK) {
		kb_segmenter_free(a->segmenter);
		a->segmenter = s;
	}
	return st;
}

kb_status_t kb_analyzer_add_word(kb_analyzer_t *a, const char *word, size_t len,
                                 unsigned long freq)
{
	char folded[KB_MAX_WORD_CHARS * 4 * 4 + 8];
	size_t n = len <= KB_MAX_WORD_CHARS * 4 ? fold_word(a, word, len, folded, sizeof folded) : 0;
	if (!n)
		return KB_ERR_INVALID_INPUT;
	kb_status_t st = kb_segmenter_add(a->segmenter, folded, n, freq);
	return st == KB_ERR_INVALID_ARG && !kb_segmenter_is_mapped(a->segmenter)
	           ? KB_ERR_INVALID_INPUT
	           : st;
}

kb_status_t kb_analyzer_save_words(kb_analyzer_t *a, const char *dir, char **error_message)
{
	char *path = kb_strdup_printf("%s/%s", dir, KB_WORDS_FILE);
	if (!path)
		return KB_ERR_NOMEM;
	kb_status_t st = kb_segmenter_save(a->segmenter, path, error_message);
	free(path);
	return st;
}

void kb_analyzer_free(kb_analyzer_t *a)
{
	if (!a)
		return;
	if (a->t2s && a->t2s != (opencc_t)-1)
		opencc_close(a->t2s);
	kb_segmenter_free(a->segmenter);
	free(a->run_text);
	free(a->offsets);
	free(a->ends);
	free(a->costs);
	if (a->tw2sp && a->tw2sp != (opencc_t)-1)
		opencc_close(a->tw2sp);
	for (size_t i = 0; i < PAGE_COUNT; i++)
		free(a->pages[i]);
	free(a->pool);
	free(a->run);
	free(a->word);
	free(a);
}

static int pool_append(kb_analyzer_t *a, const char *s, size_t n)
{
	/* Allocated even for an empty first string (a lone combining mark
	 * folds to nothing), so that pool + offset is always a real pointer. */
	if (!a->pool || a->pool_len + n > a->pool_cap) {
		size_t cap = a->pool_cap ? a->pool_cap * 2 : 4096;
		while (cap < a->pool_len + n)
			cap *= 2;
		char *p = realloc(a->pool, cap);
		if (!p)
			return -1;
		a->pool = p;
		a->pool_cap = cap;
	}
	memcpy(a->pool + a->pool_len, s, n);
	a->pool_len += n;
	return 0;
}

/* Folds one code point the slow way, into the pool. */
static int fold_uncached(kb_analyzer_t *a, int32_t cp, fold_slot_t *slot)
{
	utf8proc_uint8_t buf[8];
	utf8proc_ssize_t n = utf8proc_encode_char(cp, buf);
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t m = utf8proc_map(buf, n, &mapped,
	                                  UTF8PROC_STABLE | UTF8PROC_COMPAT |
	                                  UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
	                                  UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
	const char *folded = (const char *)buf;
	size_t folded_len = (size_t)n;
	if (m >= 0) {
		folded = (const char *)mapped;
		folded_len = (size_t)m;
	}
	char *simplified = NULL;
	int has_han = 0;
	for (utf8proc_ssize_t i = 0; i < (utf8proc_ssize_t)folded_len;) {
		int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)folded + i,
		                                      (utf8proc_ssize_t)folded_len - i, &c);
		if (k <= 0)
			break;
		has_han |= is_han(c);
		i += k;
	}
	if (has_han) {
		simplified = opencc_convert_utf8(a->t2s, folded, folded_len);
		slot->traditional = simplified && (strlen(simplified) != folded_len ||
		                                   memcmp(simplified, folded, folded_len) != 0);
		if (simplified) {
			folded = simplified;
			folded_len = strlen(simplified);
		}
	}
	int rc = -1;
	if (folded_len < 256) {
		slot->offset = (uint32_t)a->pool_len;
		slot->len = (uint8_t)folded_len;
		slot->known = 1;
		rc = pool_append(a, folded, folded_len);
	}
	if (simplified)
		opencc_convert_utf8_free(simplified);
	free(mapped);
	return rc;
}

/* The folded form of cp, borrowed from the pool (valid until the next fold). */
static fold_slot_t *fold_slot(kb_analyzer_t *a, int32_t cp)
{
	size_t page = (size_t)cp >> PAGE_BITS;
	if (!a->pages[page]) {
		a->pages[page] = calloc(PAGE_SIZE, sizeof(fold_slot_t));
		if (!a->pages[page])
			return NULL;
	}
	fold_slot_t *slot = &a->pages[page][cp & (PAGE_SIZE - 1)];
	if (!slot->known && fold_uncached(a, cp, slot) != 0)
		return NULL;
	return slot;
}

static int fold(kb_analyzer_t *a, int32_t cp, const char **s, size_t *n)
{
	fold_slot_t *slot = fold_slot(a, cp);
	if (!slot)
		return -1;
	*s = a->pool + slot->offset;
	*n = slot->len;
	return 0;
}

/* The word list's words folded as text is (kb_fold_fn); only words of
 * Han characters are kept, since only Han runs are cut. */
static size_t fold_word(void *ctx, const char *word, size_t len, char *out, size_t cap)
{
	kb_analyzer_t *a = ctx;
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)word + i,
		                                      (utf8proc_ssize_t)(len - i), &cp);
		if (k <= 0 || !is_han(cp))
			return 0;
		i += (size_t)k;
		const char *f;
		size_t fl;
		if (fold(a, cp, &f, &fl) != 0 || n + fl > cap)
			return 0;
		memcpy(out + n, f, fl);
		n += fl;
	}
	return n;
}

static int run_push(kb_analyzer_t *a, int32_t cp, size_t start, size_t end)
{
	if (a->run_len == a->run_cap) {
		size_t cap = a->run_cap ? a->run_cap * 2 : 64;
		struct run_char *r = realloc(a->run, cap * sizeof *r);
		if (!r)
			return -1;
		a->run = r;
		a->run_cap = cap;
	}
	a->run[a->run_len++] = (struct run_char){cp, start, end};
	return 0;
}

/* Encodes the collected run once into a->run_text (character i at
 * a->offsets[i]), which every token of the run is a slice of, and cuts it
 * into words when asked (a->ends[i]: the end of the word that starts at
 * character i, or 0).  Returns -1 when out of memory. */
static int encode_run(kb_analyzer_t *a, int cut)
{
	size_t n = a->run_len;
	if (n + 1 > a->cut_cap) {
		size_t cap = (n + 1) * 2;
		char *t = realloc(a->run_text, cap * 4);
		if (t)
			a->run_text = t;
		size_t *o = realloc(a->offsets, cap * sizeof *o);
		if (o)
			a->offsets = o;
		size_t *e = realloc(a->ends, cap * sizeof *e);
		if (e)
			a->ends = e;
		double *c = realloc(a->costs, cap * sizeof *c);
		if (c)
			a->costs = c;
		if (!t || !o || !e || !c)
			return -1;
		a->cut_cap = cap;
	}
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		a->offsets[i] = len;
		len += (size_t)utf8proc_encode_char(a->run[i].cp,
		                                    (utf8proc_uint8_t *)a->run_text + len);
	}
	a->offsets[n] = len;
	if (cut)
		kb_segment(a->segmenter, a->run_text, a->offsets, n, a->ends, a->costs);
	return 0;
}

/* Emits the tokens of the collected run; returns 1 if fn asked to stop,
 * -1 when out of memory. */
static int flush_han(kb_analyzer_t *a, kb_token_fn fn, void *ctx)
{
	int cut = a->run_len > 1 && !a->characters_only;
	if (encode_run(a, cut) != 0)
		return -1;
	const char *text = a->run_text;
	const size_t *at = a->offsets;
	for (size_t i = 0; i < a->run_len; i++) {
		kb_token_t t = {KB_TOKEN_UNIGRAM, text + at[i], at[i + 1] - at[i], a->run[i].start,
		                a->run[i].end};
		if (fn(ctx, &t))
			return 1;
		if (i + 1 < a->run_len && !a->characters_only) {
			t = (kb_token_t){KB_TOKEN_BIGRAM, text + at[i], at[i + 2] - at[i],
			                 a->run[i].start, a->run[i + 1].end};
			if (fn(ctx, &t))
				return 1;
		}
		size_t end = cut ? a->ends[i] : 0;
		if (end > i + 1) {
			size_t p = strlen(KB_PREFIX_HAN_WORD), n = at[end] - at[i];
			memcpy(a->word, KB_PREFIX_HAN_WORD, p);
			memcpy(a->word + p, text + at[i], n);
			t = (kb_token_t){KB_TOKEN_HAN_WORD, a->word, p + n, a->run[i].start,
			                 a->run[end - 1].end};
			if (fn(ctx, &t))
				return 1;
		}
	}
	a->run_len = 0;
	return 0;
}

static int flush_word(kb_analyzer_t *a, kb_token_fn fn, void *ctx)
{
	size_t len = 0;
	char *w = a->word;
	for (size_t i = 0; i < a->run_len && len <= KB_MAX_WORD_BYTES; i++)
		len += (size_t)utf8proc_encode_char(a->run[i].cp, (utf8proc_uint8_t *)w + len);
	int stop = 0;
	if (a->run_len && len <= KB_MAX_WORD_BYTES) {
		kb_token_t t = {KB_TOKEN_WORD, w, len, a->run[0].start,
		                a->run[a->run_len - 1].end};
		stop = fn(ctx, &t);
	}
	a->run_len = 0;
	return stop;
}

enum run_kind { RUN_NONE, RUN_HAN, RUN_WORD };

static int flush(kb_analyzer_t *a, enum run_kind kind, kb_token_fn fn, void *ctx)
{
	if (kind == RUN_HAN)
		return flush_han(a, fn, ctx);
	if (kind == RUN_WORD)
		return flush_word(a, fn, ctx);
	return 0;
}

kb_status_t kb_analyze(kb_analyzer_t *a, const char *text, size_t len,
                       kb_token_fn fn, void *ctx)
{
	if (!a->word) {
		/* A word is cut off once it passes the cap, so this always fits. */
		a->word = malloc(KB_MAX_WORD_BYTES + 8);
		if (!a->word)
			return KB_ERR_NOMEM;
	}
	a->run_len = 0;
	enum run_kind kind = RUN_NONE;
	int stop;
	size_t i = 0;
	while (i < len) {
		int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
		                                      (utf8proc_ssize_t)(len - i), &cp);
		size_t start = i;
		if (k <= 0) { /* invalid UTF-8: a separator, one byte wide */
			if ((stop = flush(a, kind, fn, ctx)) != 0)
				return stop < 0 ? KB_ERR_NOMEM : KB_OK;
			kind = RUN_NONE;
			i++;
			continue;
		}
		i += (size_t)k;
		const char *f;
		size_t fn_len;
		char ascii;
		if (cp < 0x80) { /* the common case needs no table */
			ascii = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
			f = &ascii;
			fn_len = 1;
		} else if (fold(a, cp, &f, &fn_len) != 0) {
			return KB_ERR_NOMEM;
		}
		/* One source character may fold to several (U+2474 -> "(1)"). */
		for (size_t j = 0; j < fn_len;) {
			int32_t c;
			utf8proc_ssize_t m = utf8proc_iterate((const utf8proc_uint8_t *)f + j,
			                                      (utf8proc_ssize_t)(fn_len - j), &c);
			if (m <= 0)
				break;
			j += (size_t)m;
			enum run_kind want = is_han(c) ? RUN_HAN : is_word_char(c) ? RUN_WORD : RUN_NONE;
			if (want != kind) {
				if ((stop = flush(a, kind, fn, ctx)) != 0)
					return stop < 0 ? KB_ERR_NOMEM : KB_OK;
				kind = want;
			}
			if (want == RUN_NONE)
				continue;
			/* A word past the cap is dropped whole; stop growing it. */
			if (want == RUN_WORD && a->run_len > KB_MAX_WORD_BYTES)
				continue;
			if (run_push(a, c, start, i) != 0)
				return KB_ERR_NOMEM;
		}
	}
	return flush(a, kind, fn, ctx) < 0 ? KB_ERR_NOMEM : KB_OK;
}

kb_status_t kb_analyze_characters(kb_analyzer_t *a, const char *text, size_t len,
                                  kb_token_fn fn, void *ctx)
{
	a->characters_only = 1;
	kb_status_t st = kb_analyze(a, text, len, fn, ctx);
	a->characters_only = 0;
	return st;
}

kb_script_t kb_analyzer_script(kb_analyzer_t *a, const char *text, size_t len)
{
	kb_script_t script = KB_SCRIPT_NONE;
	for (size_t i = 0; i < len;) {
		int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
		                                      (utf8proc_ssize_t)(len - i), &cp);
		if (k <= 0) {
			i++;
			continue;
		}
		i += (size_t)k;
		if (cp < 0x80)
			continue;
		fold_slot_t *slot = fold_slot(a, cp);
		if (slot && slot->traditional)
			return KB_SCRIPT_TRADITIONAL;
		if (is_han(cp))
			script = KB_SCRIPT_SIMPLIFIED;
	}
	return script;
}

kb_status_t kb_analyzer_fold(kb_analyzer_t *a, const char *text, size_t len, char **out)
{
	size_t cap = len * 2 + 16, n = 0;
	char *s = malloc(cap);
	if (!s)
		return KB_ERR_NOMEM;
	for (size_t i = 0; i < len;) {
		int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + i,
		                                      (utf8proc_ssize_t)(len - i), &cp);
		const char *f;
		size_t fl;
		char ascii;
		if (k <= 0) { /* invalid bytes fold to a space: they separate */
			ascii = ' ';
			f = &ascii;
			fl = 1;
			k = 1;
		} else if (cp < 0x80) {
			ascii = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
			f = &ascii;
			fl = 1;
		} else if (fold(a, cp, &f, &fl) != 0) {
			free(s);
			return KB_ERR_NOMEM;
		}
		i += (size_t)k;
		if (n + fl + 1 > cap) {
			cap = (n + fl + 1) * 2;
			char *t = realloc(s, cap);
			if (!t) {
				free(s);
				return KB_ERR_NOMEM;
			}
			s = t;
		}
		memcpy(s + n, f, fl);
		n += fl;
	}
	s[n] = '\0';
	*out = s;
	return KB_OK;
}

kb_status_t kb_analyzer_mainland(kb_analyzer_t *a, const char *text, size_t len, char **out)
{
	*out = NULL;
	if (!a->tw2sp)
		a->tw2sp = opencc_open("tw2sp.json");
	if (a->tw2sp == (opencc_t)-1)
		return KB_OK; /* the table is missing: search without it */
	char *converted = opencc_convert_utf8(a->tw2sp, text, len);
	if (!converted)
		return KB_ERR_NOMEM;
	/* Worth searching only if it says more than folding would. */
	char *plain = NULL, *folded = NULL;
	kb_status_t st = kb_analyzer_fold(a, text, len, &plain);
	if (st == KB_OK)
		st = kb_analyzer_fold(a, converted, strlen(converted), &folded);
	if (st == KB_OK && strcmp(plain, folded) != 0)
		*out = strdup(converted);
	if (st == KB_OK && strcmp(plain, folded) != 0 && !*out)
		st = KB_ERR_NOMEM;
	opencc_convert_utf8_free(converted);
	free(plain);
	free(folded);
	return st;
}
