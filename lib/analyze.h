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
 * Tokens: a run of Han characters yields every character (unigram) and every
 * adjacent pair (bigram); a run of other letters and digits yields one word;
 * everything else separates. */
#ifndef KB_ANALYZE_H
#define KB_ANALYZE_H

#include "kb.h"

typedef struct kb_analyzer kb_analyzer_t;

typedef enum kb_token_kind {
	KB_TOKEN_UNIGRAM,
	KB_TOKEN_BIGRAM,
	KB_TOKEN_WORD
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
 * its first character).  Returning non-zero stops the analysis. */
typedef int (*kb_token_fn)(void *ctx, const kb_token_t *token);

/* Returns KB_ERR_INDEX (with *error_message) if OpenCC's t2s table cannot be
 * loaded. */
kb_status_t kb_analyzer_new(kb_analyzer_t **out, char **error_message);
void kb_analyzer_free(kb_analyzer_t *a);

/* Analyses len bytes of text.  Invalid UTF-8 bytes separate tokens and are
 * otherwise ignored.  Returns KB_ERR_NOMEM, or KB_OK (also when fn stopped
 * early). */
kb_status_t kb_analyze(kb_analyzer_t *a, const char *text, size_t len,
                       kb_token_fn fn, void *ctx);

/* The folded form of text (what the tokens are cut from), malloc()ed and
 * NUL-terminated; invalid UTF-8 bytes become spaces. */
kb_status_t kb_analyzer_fold(kb_analyzer_t *a, const char *text, size_t len, char **out);

/* text with Taiwan and Hong Kong wording turned into mainland wording
 * (OpenCC's tw2sp: 設定 -> 设置, 簡訊 -> 短信, 軟體 -> 软件), phrase by
 * phrase, malloc()ed into *out; NULL when that changes nothing beyond what
 * folding does anyway.  Lengths may change: for query expansion only. */
kb_status_t kb_analyzer_mainland(kb_analyzer_t *a, const char *text, size_t len, char **out);

typedef enum kb_script {
	KB_SCRIPT_NONE,         /* no Han characters */
	KB_SCRIPT_SIMPLIFIED,   /* Han, none of it traditional */
	KB_SCRIPT_TRADITIONAL   /* at least one character OpenCC simplifies */
} kb_script_t;

/* Which script text is written in.  Characters common to both count as
 * simplified. */
kb_script_t kb_analyzer_script(kb_analyzer_t *a, const char *text, size_t len);

#endif
