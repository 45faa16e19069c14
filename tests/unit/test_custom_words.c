/* test_custom_words.c: the editors' words.txt (lib/custom_words.h): read
 * with precise problems, added to the word table, and an index that is
 * built anew when they change.  The word list is the small fixture
 * (tests/unit/data/words.txt), so cuts are known. */
#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "custom_words.h"
#include "fixtures.h"
#include "kb-private.h"

static kb_analyzer_t *a;
static char *dir;

static void setup(void)
{
	fx_use_word_list("words.txt");
	a = fx_analyzer();
	dir = fx_tempdir();
}

static void teardown(void)
{
	kb_analyzer_free(a);
	a = NULL;
	fx_rmtree(dir);
	free(dir);
	unsetenv("KB_DICTIONARY");
}

#define assert_words(text, expected) fx_assert_han_words(a, text, expected)

START_TEST(an_added_word_is_cut_as_one)
{
	/* The list has 宽带报修 (1), but 宽带 (1000) and 报修 (300) are
	 * likelier: added without a frequency, it gets just enough to win. */
	assert_words("宽带报修电话", "W宽带|W报修");
	ck_assert_int_eq(kb_analyzer_add_word(a, "宽带报修", strlen("宽带报修"), 0), KB_OK);
	assert_words("宽带报修电话", "W宽带报修");
	/* A word the list lacks, in traditional characters: folded first. */
	assert_words("携号转网", "");
	ck_assert_int_eq(kb_analyzer_add_word(a, "攜號轉網", strlen("攜號轉網"), 0), KB_OK);
	assert_words("我要携号转网", "W携号转网");
	/* Just enough, and no more: 傅上 alone is cut as one, but beside
	 * 师 it loses to 师傅 (500), as jieba's suggest_freq would have it. */
	ck_assert_int_eq(kb_analyzer_add_word(a, "傅上", strlen("傅上"), 0), KB_OK);
	assert_words("傅上", "W傅上");
	assert_words("师傅上", "W师傅");
	/* A frequency given is a frequency: 1 loses to 师傅 (500) + 上门. */
	ck_assert_int_eq(kb_analyzer_add_word(a, "师傅上门", strlen("师傅上门"), 1), KB_OK);
	assert_words("师傅上门", "W师傅|W上门");
}
END_TEST

START_TEST(words_that_cannot_be_added)
{
	static const char *const bad[] = {"5G", "宽", "宽带5G", "超长的一个词语超长的一个词语", "", NULL};
	for (int i = 0; bad[i]; i++)
		ck_assert_msg(kb_analyzer_add_word(a, bad[i], strlen(bad[i]), 0) == KB_ERR_INVALID_INPUT,
		              "'%s' was added", bad[i]);
	/* An index's table is mapped and takes no words. */
	char *err = NULL;
	ck_assert_int_eq(kb_analyzer_save_words(a, dir, &err), KB_OK);
	kb_analyzer_t *b = NULL;
	ck_assert_int_eq(kb_analyzer_new(&b, dir, &err), KB_OK);
	ck_assert_int_eq(kb_analyzer_add_word(b, "携号转网", strlen("携号转网"), 0),
	                 KB_ERR_INVALID_ARG);
	kb_analyzer_free(b);
}
END_TEST

START_TEST(problems_name_file_and_line)
{
	char *file = fx_write(dir, "words.txt",
	                      "# 电信用语\n"
	                      "携号转网\n"
	                      "\n"
	                      "停机保号 500\n"
	                      "5G套餐\n"
	                      "副卡 很多\n"
	                      "靓号 10 n\n"
	                      "宽\n"
	                      "超长的一个词语超长的一个词语超长的一个词语\n"
	                      "副卡 0\n"
	                      "\xff\xfe\n"
	                      "  攜號轉網  20  \n");
	kb_diagnostics_t diags = {0};
	char *stored = NULL;
	ck_assert_int_eq(kb_custom_words_read(a, file, &diags, &stored), KB_OK);
	kb_diag_finish(&diags);
	char *all = fx_join_diags(&diags);
	static const char *const lines[] = {
	    ":5: '5g套餐' is not a word of Han characters (words of letters and digits are words already)",
	    ":6: frequency '很多' is not a whole number from 1 to 1000000000",
	    ":7: expected a word and at most a frequency, found 'n' after them",
	    ":8: '宽' has 1 character: a word has 2 to 12",
	    ":9: '超长的一个词语超长的一个词语超长...' has 21 characters: a word has 2 to 12",
	    ":10: frequency '0' is not a whole number from 1 to 1000000000",
	    ":11: not valid UTF-8",
	    NULL};
	char *expected = fx_printf("%s", "");
	for (int i = 0; lines[i]; i++) {
		char *next = fx_printf("%s%s%s%s", expected, i ? "\n" : "", file, lines[i]);
		free(expected);
		expected = next;
	}
	ck_assert_str_eq(all, expected);
	/* The good lines, folded, in order. */
	ck_assert_str_eq(stored, "携号转网 0\n停机保号 500\n携号转网 20\n");
	free(expected);
	free(all);
	free(stored);
	kb_diag_clear(&diags);
	free(file);
}
END_TEST

static const char entries[] =
    "<entry id=\"a\"><title>我要携号转网</title><answer>a</answer></entry>\n"
    "<entry id=\"b\"><title>号码转网后话费怎么算</title><answer>b</answer></entry>\n";

/* Indexes src into db; returns the generation "current" names after. */
static char *index_dir_into(const char *db, const char *src, char **diags)
{
	const char *paths[] = {src};
	kb_status_t st = fx_index_paths(db, NULL, paths, 1, diags);
	ck_assert_msg(st == KB_OK || diags, "indexing: %s", kb_status_to_string(st));
	char *current = fx_path(db, "current"), target[PATH_MAX];
	ssize_t n = readlink(current, target, sizeof target - 1);
	free(current);
	return n > 0 ? strndup(target, (size_t)n) : strdup("");
}

START_TEST(changed_words_build_the_index_anew)
{
	char *src = fx_path(dir, "kb"), *db = fx_path(dir, "db");
	ck_assert_int_eq(mkdir(src, 0700), 0);
	char *xml = fx_kb(entries);
	free(fx_write(src, "kb.xml", xml));
	char *g1 = index_dir_into(db, src, NULL);
	char *g2 = index_dir_into(db, src, NULL);
	ck_assert_str_eq(g2, g1); /* nothing changed: an update in place */
	/* New words: every entry must be cut anew, so a new generation. */
	free(fx_write(src, "words.txt", "携号转网\n"));
	char *g3 = index_dir_into(db, src, NULL);
	ck_assert_str_ne(g3, g2);
	kb_searcher_t *s = fx_searcher(db);
	kb_query_t q;
	kb_query_init(&q);
	q.text = "携号转网";
	kb_results_t *r = NULL;
	ck_assert_int_eq(kb_search(s, &q, &r), KB_OK);
	ck_assert_str_eq(kb_results_hit(r, 0)->id, "a");
	kb_results_destroy(r);
	kb_searcher_destroy(s);
	/* The same words again: an update; without them: anew again. */
	char *g4 = index_dir_into(db, src, NULL);
	ck_assert_str_eq(g4, g3);
	char *words = fx_path(src, "words.txt");
	unlink(words);
	char *g5 = index_dir_into(db, src, NULL);
	ck_assert_str_ne(g5, g4);
	free(words);
	free(g1);
	free(g2);
	free(g3);
	free(g4);
	free(g5);
	free(xml);
	free(src);
	free(db);
}
END_TEST

START_TEST(words_after_entries_are_a_problem)
{
	/* Given as a later PATH than the entries, words.txt comes too late:
	 * the entries were cut without it. */
	char *xml = fx_kb(entries);
	char *kb = fx_write(dir, "kb.xml", xml);
	char *words = fx_write(dir, "words.txt", "携号转网\n");
	char *db = fx_path(dir, "db"), *diags = NULL;
	const char *paths[] = {kb, words};
	ck_assert_int_eq(fx_index_paths(db, NULL, paths, 2, &diags), KB_ERR_INVALID_INPUT);
	char *expected = fx_printf("%s: words.txt must come before the entries it cuts: give its "
	                           "directory first (entries were read before it)",
	                           words);
	ck_assert_str_eq(diags, expected);
	free(expected);
	free(diags);
	/* First, it is read. */
	const char *in_order[] = {words, kb};
	ck_assert_int_eq(fx_index_paths(db, NULL, in_order, 2, NULL), KB_OK);
	free(db);
	free(words);
	free(kb);
	free(xml);
}
END_TEST

static Suite *custom_words_suite(void)
{
	Suite *s = suite_create("custom_words");
	TCase *tc = tcase_create("words");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, an_added_word_is_cut_as_one);
	tcase_add_test(tc, words_that_cannot_be_added);
	tcase_add_test(tc, problems_name_file_and_line);
	tcase_add_test(tc, changed_words_build_the_index_anew);
	tcase_add_test(tc, words_after_entries_are_a_problem);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_run(custom_words_suite());
}
