/* segment.h: cutting a run of Han characters into words, with a word list
 * and its frequencies (jieba's dictionary, from Debian's python3-jieba).
 *
 * Bigrams match any two neighbouring characters, also across a word
 * boundary (办理 in 怎么办理 but also 么办); words match what the text
 * means.  The cut is the most probable one under a unigram model of the
 * list, as jieba cuts without its HMM: each word costs -log(its share of
 * all frequencies), a character the list does not have costs as much as a
 * word seen once, and the path of least cost wins. */
#ifndef KB_SEGMENT_H
#define KB_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "kb.h"

/* Longest word the list may give, in characters; longer lines are
 * skipped.  Words longer than a few characters are names and idioms. */
#define KB_MAX_WORD_CHARS 12

typedef struct kb_segmenter kb_segmenter_t;

/* Folds each word before it is stored (the analyzer passes its own
 * folding, so that words meet folded text); writes the folded form into
 * out (at most cap bytes) and returns its length, or 0 to skip the word. */
typedef size_t (*kb_fold_fn)(void *ctx, const char *word, size_t len, char *out, size_t cap);

/* Reads a word list: one word per line, then its frequency, then anything
 * (jieba's "word freq tag").  Lines that do not parse and words that fold
 * to something other than Han characters are skipped.  Returns KB_ERR_IO
 * (with *error_message, to free) when the file cannot be read or holds no
 * word. */
kb_status_t kb_segmenter_load(const char *path, kb_fold_fn fold, void *fold_ctx,
                              kb_segmenter_t **out, char **error_message);

/* Adds a folded word of Han characters (an editor's, from words.txt) to a
 * table read from a list: with freq 0 it gets the frequency that just
 * makes it likelier than the cut the table gives it now (jieba's
 * suggest_freq), so that it is cut as one word.  Returns KB_ERR_INVALID_ARG
 * for a mapped table or a word of fewer than 2 or more than
 * KB_MAX_WORD_CHARS characters. */
kb_status_t kb_segmenter_add(kb_segmenter_t *s, const char *word, size_t len, unsigned long freq);

/* Reading 350,000 words takes a tenth of a second, too long for every
 * kb-query run: kb-index saves the table it cut the entries with into the
 * index (KB_WORDS_FILE in the generation's directory), and searchers map
 * it, which costs nothing and cuts queries exactly as the entries were.
 * Returns KB_ERR_IO (with *error_message) if the file cannot be written. */
#define KB_WORDS_FILE "words"
kb_status_t kb_segmenter_save(const kb_segmenter_t *s, const char *path, char **error_message);

/* Maps a table kb_segmenter_save() wrote.  Returns KB_ERR_NO_INDEX if there
 * is no such file, KB_ERR_CORRUPT if it is not a sound table of this
 * version and byte order, KB_ERR_IO otherwise (all with *error_message). */
kb_status_t kb_segmenter_map(const char *path, kb_segmenter_t **out, char **error_message);

/* Touches every page of a mapped table (a loaded one is in memory
 * already), so that the searches that follow do not each pay for their
 * first touches: the kernel maps a file's pages into a process one fault
 * at a time, and under virtualisation each fault costs more (13 MB of
 * atec-faq's table: 4 to 8 ms in all, most of 3 ms added to the first
 * request after a new generation on these machines). */
void kb_segmenter_warm(const kb_segmenter_t *s);

/* Whether s was mapped from an index (and so takes no words). */
int kb_segmenter_is_mapped(const kb_segmenter_t *s);

void kb_segmenter_free(kb_segmenter_t *s);

/* Cuts n characters into words.  text holds them as UTF-8, offsets[i] is
 * where character i starts and offsets[n] is the end.  On return ends[i]
 * is the end (in characters) of the word that starts at character i on the
 * best path, or 0 when no word of the path starts there.  ends has n
 * elements; scratch is caller-provided room for n + 1 doubles.  Returns
 * the cost of the best path. */
double kb_segment(const kb_segmenter_t *s, const char *text, const size_t *offsets, size_t n,
                  size_t *ends, double *scratch);

#endif
