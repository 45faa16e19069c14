/* fuzz_analyze.c: the text analysis (lib/analyze.h) on arbitrary bytes.
 *
 * One analyzer for many inputs, as the indexer and the searcher keep
 * one: its per-code-point fold cache grows across inputs, so a stale or
 * misplaced cache entry shows up as a difference between two analyses of
 * the same text.  Checks: every token lies inside the text, in text order,
 * with a non-empty UTF-8 term (a word no longer than KB_MAX_WORD_BYTES) cut
 * from the folded text; analysing twice gives the same tokens; folding
 * gives NUL-terminated UTF-8; the script is one of the three. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "fuzz_util.h"
#include "kb-private.h"
#include "segment.h"

static kb_analyzer_t *analyzer;

/* A fresh analyzer now and then (1 ms each), so that the paths of an empty
 * cache are fuzzed too; a crash found that way reproduces in a fresh
 * process, whose analyzer is as empty as can be.  The first reads the word
 * list and saves its table, which the others map, as searchers do (reading
 * the list takes 100 ms). */
#define FRESH_EVERY 64

/* Where the first analyzer saved its word table, or NULL. */
static const char *words_dir;

static void fresh_analyzer(void)
{
	char *err = NULL;
	kb_analyzer_free(analyzer);
	if (kb_analyzer_new(&analyzer, words_dir, &err) != KB_OK) {
		fprintf(stderr, "fuzz_analyze: %s\n", err ? err : "cannot create the analyzer");
		abort();
	}
	if (!words_dir) {
		const char *dir = fuzz_tmpdir("fuzz-analyze");
		if (kb_analyzer_save_words(analyzer, dir, &err) == KB_OK)
			words_dir = dir;
	}
	free(err);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fresh_analyzer();
	return 0;
}

typedef struct state {
	const char *text;
	size_t len;
	const char *folded;   /* NULL on the second pass */
	size_t folded_checkable; /* tokens ending before the first NUL of the
	                            input can be found in the folded text */
	size_t count;
	size_t last_start;
	uint64_t hash;
} state_t;

static void mix(state_t *s, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		s->hash = (s->hash ^ b[i]) * 1099511628211ull;
}

static int on_token(void *ctx, const kb_token_t *t)
{
	state_t *s = ctx;
	FUZZ_CHECK(t->kind == KB_TOKEN_UNIGRAM || t->kind == KB_TOKEN_BIGRAM ||
	               t->kind == KB_TOKEN_WORD || t->kind == KB_TOKEN_HAN_WORD,
	           "token kind %d", (int)t->kind);
	FUZZ_CHECK(t->start < t->end && t->end <= s->len, "token %zu: range %zu-%zu in %zu bytes",
	           s->count, t->start, t->end, s->len);
	FUZZ_CHECK(s->count == 0 || t->start >= s->last_start,
	           "token %zu starts at %zu, before the previous one (%zu)", s->count, t->start,
	           s->last_start);
	FUZZ_CHECK(t->term != NULL && t->term_len > 0, "token %zu: empty term", s->count);
	FUZZ_CHECK(fuzz_utf8_valid(t->term, t->term_len), "token %zu: term is not UTF-8", s->count);
	FUZZ_CHECK(memchr(t->term, '\0', t->term_len) == NULL, "token %zu: NUL in term", s->count);
	/* A Han word's term is its prefix and then folded text. */
	const char *term = t->term;
	size_t term_len = t->term_len;
	if (t->kind == KB_TOKEN_HAN_WORD) {
		size_t p = strlen(KB_PREFIX_HAN_WORD);
		FUZZ_CHECK(term_len > p && memcmp(term, KB_PREFIX_HAN_WORD, p) == 0,
		           "token %zu: Han word '%.*s' without its prefix", s->count, (int)term_len, term);
		term += p;
		term_len -= p;
		FUZZ_CHECK(term_len >= 6 && term_len <= KB_MAX_WORD_CHARS * 4,
		           "Han word of %zu bytes", term_len);
	} else if (t->kind == KB_TOKEN_WORD) {
		FUZZ_CHECK(term_len <= KB_MAX_WORD_BYTES, "word of %zu bytes", term_len);
	} else {
		FUZZ_CHECK(term_len <= 8, "n-gram of %zu bytes", term_len);
	}
	if (s->folded && t->end <= s->folded_checkable)
		FUZZ_CHECK(memmem(s->folded, strlen(s->folded), term, term_len) != NULL,
		           "token %zu '%.*s' is not in the folded text '%s'", s->count, (int)term_len,
		           term, s->folded);
	s->count++;
	s->last_start = t->start;
	mix(s, &t->kind, sizeof t->kind);
	mix(s, t->term, t->term_len);
	mix(s, &t->start, sizeof t->start);
	mix(s, &t->end, sizeof t->end);
	return 0;
}

/* Stops after the first token: the analysis must end cleanly. */
static int stop_at_once(void *ctx, const kb_token_t *t)
{
	(void)t;
	(*(size_t *)ctx)++;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long inputs;
	if (inputs++ % FRESH_EVERY == FRESH_EVERY - 1)
		fresh_analyzer();
	/* A copy of exactly size bytes, so that ASan sees any read past it. */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);

	char *folded = NULL;
	kb_status_t st = kb_analyzer_fold(analyzer, text, size, &folded);
	FUZZ_CHECK(st == KB_OK && folded, "kb_analyzer_fold: %s", kb_status_to_string(st));
	size_t flen = strlen(folded);
	FUZZ_CHECK(fuzz_utf8_valid(folded, flen), "folded text is not UTF-8");
	const char *nul = memchr(text, '\0', size);

	state_t first = {text, size, folded, nul ? (size_t)(nul - text) : size, 0, 0,
	                 1469598103934665603ull};
	st = kb_analyze(analyzer, text, size, on_token, &first);
	FUZZ_CHECK(st == KB_OK, "kb_analyze: %s", kb_status_to_string(st));

	state_t second = {text, size, NULL, 0, 0, 0, 1469598103934665603ull};
	st = kb_analyze(analyzer, text, size, on_token, &second);
	FUZZ_CHECK(st == KB_OK, "kb_analyze (again): %s", kb_status_to_string(st));
	FUZZ_CHECK(first.count == second.count && first.hash == second.hash,
	           "two analyses of the same text differ (%zu and %zu tokens)", first.count,
	           second.count);

	size_t stopped = 0;
	st = kb_analyze(analyzer, text, size, stop_at_once, &stopped);
	FUZZ_CHECK(st == KB_OK && stopped == (first.count > 0), "stopping early: %zu calls",
	           stopped);

	kb_script_t script = kb_analyzer_script(analyzer, text, size);
	FUZZ_CHECK(script == KB_SCRIPT_NONE || script == KB_SCRIPT_SIMPLIFIED ||
	               script == KB_SCRIPT_TRADITIONAL,
	           "script %d", (int)script);

	free(folded);
	free(text);
	return 0;
}
