/* custom_words.h: the editors' own words (words.txt beside the entries):
 * product names and service terms that a general word list does not know
 * (携号转网, 停机保号, 副卡), so that Han text is cut at them as at any
 * word.  kb-index reads them before any entry, keeps them in the index's
 * word table, and builds the index anew when they change, since every
 * entry must then be cut anew.
 *
 * File format, UTF-8: one word per line, optionally followed by a space and
 * its frequency (a whole number, against the counts of jieba's list;
 * without one, a word gets just what makes it likelier than its parts);
 * '#' starts a comment line; blank lines are ignored. */
#ifndef KB_CUSTOM_WORDS_H
#define KB_CUSTOM_WORDS_H

#include "analyze.h"
#include "diagnostics.h"

#define KB_CUSTOM_WORDS_FILE "words.txt"
#define KB_CUSTOM_WORDS_METADATA "kb.words"
#define KB_MAX_CUSTOM_WORDS 100000
#define KB_MAX_CUSTOM_WORD_FREQ 1000000000ul

/* Reads file, adding "file:line: message" problems to diags, and appends
 * each word, folded, and its frequency (0: none given) to *stored, one
 * "word frequency" line each. */
kb_status_t kb_custom_words_read(kb_analyzer_t *a, const char *file, kb_diagnostics_t *diags,
                                 char **stored);

/* Adds the words of a stored form (NULL or "": none) to a's word table. */
kb_status_t kb_custom_words_apply(kb_analyzer_t *a, const char *stored);

#endif
