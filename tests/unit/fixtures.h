/* fixtures.h: helpers shared by the unit tests (temporary directories and
 * files, token dumps, small indexes built from XML strings).
 *
 * Every helper that cannot do its job fails the running Check test with a
 * message saying why, so tests read as straight lines.  Strings returned are
 * malloc()ed and freed by the caller with free(). */
#ifndef KB_TEST_FIXTURES_H
#define KB_TEST_FIXTURES_H

#include <check.h>
#include <stddef.h>
#include <stdlib.h>

#include "analyze.h"
#include "diagnostics.h"
#include "kb.h"

/* Asserts that got, a malloc()ed string, equals expected, and frees it:
 * the tests' own assert_* macros are this over a function of theirs. */
#define fx_assert_str_owned(got, expected)                                                 \
	do {                                                                                   \
		char *got_ = (got);                                                                \
		ck_assert_str_eq(got_, (expected));                                                \
		free(got_);                                                                        \
	} while (0)

/* ---- files ----------------------------------------------------------- */

/* Called by main() around the suite: fx_begin() makes one directory under
 * $TMPDIR (else /tmp) for the whole run, fx_end() removes it with
 * everything the tests left there (a failed test skips its teardown). */
void fx_begin(void);
void fx_end(void);

/* A test program's main(): runs suite s between fx_begin() and fx_end();
 * EXIT_SUCCESS if every test passed. */
int fx_run(Suite *s);

/* A new empty directory inside the run's directory (or, without
 * fx_begin(), under $TMPDIR).  fx_rmtree() removes it sooner. */
char *fx_tempdir(void);

/* Removes path and everything below it without following symlinks.
 * Returns 0 when nothing is left. */
int fx_rmtree(const char *path);

/* "dir/name". */
char *fx_path(const char *dir, const char *name);
/* The live generation of the kb index directory index (where its
 * "current" link points), a plain Xapian database, malloc()ed. */
char *fx_live_generation(const char *index);

/* Writes len bytes (or the string) to dir/name, replacing it; returns the
 * file's path. */
char *fx_write_bytes(const char *dir, const char *name, const char *data, size_t len);
char *fx_write(const char *dir, const char *name, const char *text);

/* The whole file, NUL-terminated, its length into *len (may be NULL);
 * NULL if it cannot be read. */
char *fx_read_file(const char *path, size_t *len);

/* $KB_TEST_DATA/name (KB_TEST_DATA defaults to tests/unit/data). */
char *fx_data_path(const char *name);

/* How many entries directory path holds (. and .. not counted). */
int fx_count_dir(const char *path);

/* n distinct Han characters, U+4E00 and every step-th after it. */
char *fx_han_chars(size_t n, unsigned step);

/* A string of n copies of unit. */
char *fx_repeat(const char *unit, size_t n);

/* printf into a new string. */
char *fx_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- analysis -------------------------------------------------------- */

kb_analyzer_t *fx_analyzer(void);

/* The terms of text in order, joined by '|': "5g|套|套餐|餐". */
char *fx_tokens(kb_analyzer_t *a, const char *text);
char *fx_tokens_n(kb_analyzer_t *a, const char *text, size_t len);
/* Each token as KIND:term@start-end, joined by '|', KIND as fx_kind_name():
 * "W:5g@0-2|U:套@2-5|B:套餐@2-8|H:W套餐@2-8". */
char *fx_tokens_detail(kb_analyzer_t *a, const char *text, size_t len);

/* Only the Han words, joined by '|': "W宽带|W报修". */
char *fx_han_words(kb_analyzer_t *a, const char *text);
char *fx_han_words_n(kb_analyzer_t *a, const char *text, size_t len);
#define fx_assert_han_words(a, text, expected) \
	fx_assert_str_owned(fx_han_words((a), (text)), (expected))

/* Analyzers made from now on read the word list $KB_TEST_DATA/name (a
 * small one, whose cuts a test can work out), through KB_DICTIONARY. */
void fx_use_word_list(const char *name);

/* "U" unigram, "B" bigram, "W" word of letters and digits, "H" Han word. */
const char *fx_kind_name(kb_token_kind_t kind);

/* ---- diagnostics ----------------------------------------------------- */

/* The diagnostics joined by '\n' ("" when none). */
char *fx_join_diags(const kb_diagnostics_t *d);
char *fx_indexer_diags(const kb_indexer_t *ix);

/* ---- indexes --------------------------------------------------------- */

/* Writes xml to a file in a fresh directory and indexes it into db with
 * the default options (an update in place when db holds an index):
 * returns kb_indexer_commit()'s status (or kb_indexer_open()'s when that
 * fails); the diagnostics (or the open error) joined by '\n' into *diags
 * when diags is not NULL. */
kb_status_t fx_index_xml(const char *db, const char *xml, char **diags);
/* The same with opts.rebuild: a new generation. */
kb_status_t fx_index_rebuild(const char *db, const char *xml, char **diags);
kb_status_t fx_index_xml_with(const char *db, const kb_index_options_t *opts, const char *xml,
                              char **diags);

/* Indexes every path (files or directories) into db, as fx_index_xml;
 * opts may be NULL. */
kb_status_t fx_index_paths(const char *db, const kb_index_options_t *opts,
                           const char *const *paths, size_t n, char **diags);

/* The XML of a file holding the given entries' XML. */
char *fx_kb(const char *entries);

/* Opens db for searching; fails the test if it cannot. */
kb_searcher_t *fx_searcher(const char *db);

/* Runs q (which must succeed) and returns the hits' ids joined by '|'. */
char *fx_search_ids(kb_searcher_t *s, const kb_query_t *q);

/* Runs text with default options plus date (may be NULL). */
char *fx_find(kb_searcher_t *s, const char *text, const char *date);

#endif
