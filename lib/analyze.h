/* analyze.h: the one text analysis, used identically when indexing and when
 * querying, so that whatever an editor wrote and whatever an agent types meet
 * on the same terms.
 *
 * Folding: each code point is mapped on its own through NFKC, case folding
 * and mark stripping (utf8proc), then Han characters through OpenCC's
 * traditional-to-simplified table.  Folding per code point (not per phrase)
 * keeps it symmetric: the same character folds the same way in an entry and
 * in a query, whatever surrounds it, and every term keeps the byte offsets of
 * the text it came from (for highlighting).
 *
 * Tokens: a run of Han characters yields every character (unigram), every
 * adjacent pair (bigram) and the words of two or more characters it is cut
 * into (segment.h); a run of other letters and digits yields one word;
 * everything else separates. */
#ifndef KB_ANALYZE_H
#define KB_ANALYZE_H

#include "kb.h"

typedef struct kb_analyzer kb_analyzer_t;

typedef enum kb_token_kind {
	KB_TOKEN_UNIGRAM,
	KB_TOKEN_BIGRAM,
	KB_TOKEN_WORD,     /* letters and digits */
	KB_TOKEN_HAN_WORD  /* a word of a Han run, its term prefixed */
} kb_token_kind_t;

/* Words longer than this (in bytes, folded) are not indexed: they are never
 * what an agent types, and Xapian caps terms at 245 bytes. */
#define KB_MAX_WORD_BYTES 64

typedef struct kb_token {
	kb_token_kind_t kind;
	const char *term;     /* folded UTF-8, not NUL-terminated */
	size_t term_len;
	size_t start, end;    /* byte range in the analysed text */
} kb_token_t;

/* Called once per token in text order (a bigram right after the unigram of
 * its first character, then the Han word that starts there).  Returning non-zero stops the analysis. */
typedef int (*kb_token_fn)(void *ctx, const kb_token_t *token);

/* Han runs are cut into words with the word table saved in words_dir (an
 * index generation's directory: see KB_WORDS_FILE in segment.h), so that a
 * query is cut exactly as the entries it searches were; with words_dir
 * NULL, or no sound table there, with the word list (the file the
 * environment variable KB_DICTIONARY names, else KB_DEFAULT_DICTIONARY).
 * Returns KB_ERR_INDEX (with *error_message) if OpenCC's t2s table cannot
 * be loaded, KB_ERR_IO if the word list cannot. */
kb_status_t kb_analyzer_new(kb_analyzer_t **out, const char *words_dir, char **error_message);
void kb_analyzer_free(kb_analyzer_t *a);

/* Touches the word table's pages now (kb_segmenter_warm), before the
 * searches that will need them. */
void kb_analyzer_warm(kb_analyzer_t *a);

/* Cuts with the word table of the generation in dir from now on (a
 * searcher moving to a new generation); keeps the one it had if that
 * fails. */
kb_status_t kb_analyzer_use_words(kb_analyzer_t *a, const char *dir, char **error_message);

/* Adds an editor's word (words.txt) to the word table, folded as text is,
 * with its frequency (0: just likely enough to be cut as one word).
 * Returns KB_ERR_INVALID_INPUT for a word that does not fold to 2 to
 * KB_MAX_WORD_CHARS Han characters, KB_ERR_INVALID_ARG when the table in
 * use is an index's (mapped: it takes no words). */
kb_status_t kb_analyzer_add_word(kb_analyzer_t *a, const char *word, size_t len,
                                 unsigned long freq);

/* Saves the word table in use into dir, for searchers to map. */
kb_status_t kb_analyzer_save_words(kb_analyzer_t *a, const char *dir, char **error_message);

/* Analyses len bytes of text.  Invalid UTF-8 bytes separate tokens and are
 * otherwise ignored.  Returns KB_ERR_NOMEM, or KB_OK (also when fn stopped
 * early). */
kb_status_t kb_analyze(kb_analyzer_t *a, const char *text, size_t len,
                       kb_token_fn fn, void *ctx);

/* The same, without pairs and Han words: each Han character and each word
 * of letters and digits, what comparing texts as wholes needs (coverage.h)
 * at a fraction of the cost. */
kb_status_t kb_analyze_characters(kb_analyzer_t *a, const char *text, size_t len,
                                  kb_token_fn fn, void *ctx);

/* The folded form of text (what the tokens are cut from), malloc()ed and
 * NUL-terminated; invalid UTF-8 bytes become spaces. */
kb_status_t kb_analyzer_fold(kb_analyzer_t *a, const char *text, size_t len, char **out);

/* text with Taiwan and Hong Kong wording turned into mainland wording
 * (OpenCC's tw2sp: 設定 -> 设置, 簡訊 -> 短信, 軟體 -> 软件), phrase by
 * phrase, malloc()ed into *out; NULL when that changes nothing beyond what
 * folding does anyway.  Lengths may change: for query expansion only. */
kb_status_t kb_analyzer_mainland(kb_analyzer_t *a, const char *text, size_t len, char **out);

/* Whether cp is a Han character (of the blocks the analysis cuts into
 * unigrams, pairs and words). */
int kb_is_han(int32_t cp);

typedef enum kb_script {
	KB_SCRIPT_NONE,         /* no Han characters */
	KB_SCRIPT_SIMPLIFIED,   /* Han, none of it traditional */
	KB_SCRIPT_TRADITIONAL   /* at least one character OpenCC simplifies */
} kb_script_t;

/* Which script text is written in.  Characters common to both count as
 * simplified. */
kb_script_t kb_analyzer_script(kb_analyzer_t *a, const char *text, size_t len);

#endif
