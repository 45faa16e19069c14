/* test_segment.c: cutting Han runs into words (lib/segment.h), through the
 * analyzer, with a small word list of known frequencies
 * (tests/unit/data/words.txt) so that every cut can be worked out by hand:
 * the frequencies add up to 2,805, so a word's cost is log(2805 / freq)
 * and a character the list lacks costs log(2805). */
#include <check.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "fixtures.h"
#include "kb-private.h"
#include "segment.h"

static kb_analyzer_t *a;

static void setup(void)
{
	fx_use_word_list("words.txt");
	a = fx_analyzer();
}

static void teardown(void)
{
	kb_analyzer_free(a);
	a = NULL;
	unsetenv("KB_DICTIONARY");
}

#define assert_words(text, expected) fx_assert_han_words(a, text, expected)

START_TEST(words_of_a_run)
{
	/* 没网 (3) beats 没 + 网 (two unknown characters); 了 and 叫 are
	 * one-character words, which pairs and unigrams already cover. */
	assert_words("宽带没网了叫师傅上门", "W宽带|W没网|W师傅|W上门");
	char *detail = fx_tokens_detail(a, "叫师傅", strlen("叫师傅"));
	ck_assert_str_eq(detail, "U:叫@0-3|B:叫师@0-6|U:师@3-6|B:师傅@3-9|H:W师傅@3-9|U:傅@6-9");
	free(detail);
}
END_TEST

START_TEST(most_probable_cut_wins)
{
	/* Two common words (1000, 300) are likelier than the rare compound
	 * (1) that spans them both. */
	assert_words("宽带报修", "W宽带|W报修");
	/* One word of seven characters (40) against 中华 人民 共和国: the
	 * long word, though the list has no 中华人 or 中华人民共 (prefixes
	 * lead the way to it). */
	assert_words("中华人民共和国", "W中华人民共和国");
	/* 网了 (1) would take 网 from 没网 (3): the cut keeps 没网. */
	assert_words("没网了", "W没网");
}
END_TEST

START_TEST(words_do_not_cross_other_text)
{
	/* Punctuation, Latin words and invalid bytes end a run: no word is
	 * cut across them. */
	assert_words("宽，带", "");
	assert_words("宽5G带", "");
	static const char invalid[] = "宽\xff带报修";
	char *out = fx_han_words_n(a, invalid, sizeof invalid - 1);
	ck_assert_str_eq(out, "W报修");
	free(out);
	/* A run of one character has no word. */
	assert_words("宽", "");
}
END_TEST

START_TEST(words_fold_like_text)
{
	/* The list's 寬頻 folds to 宽频; text in either script finds it, and
	 * traditional text finds the list's simplified words. */
	assert_words("宽频", "W宽频");
	assert_words("寬頻", "W宽频");
	assert_words("寬帶報修", "W宽带|W报修");
}
END_TEST

START_TEST(lines_that_do_not_parse_are_skipped)
{
	/* No frequency, a frequency that is not a number, an empty line,
	 * words not of Han characters, a word past KB_MAX_WORD_CHARS: none is
	 * a word, and the rest of the list still loads. */
	assert_words("流量包", "");
	assert_words("超长的一个词语超长的一个词语", "");
	assert_words("套餐", "W套餐");
}
END_TEST

START_TEST(a_missing_word_list_is_a_clear_error)
{
	kb_analyzer_t *b = NULL;
	char *err = NULL;
	setenv("KB_DICTIONARY", "/nonexistent/words.txt", 1);
	ck_assert_int_eq(kb_analyzer_new(&b, NULL, &err), KB_ERR_IO);
	ck_assert_ptr_null(b);
	ck_assert_str_eq(err, "cannot read the word list /nonexistent/words.txt: "
	                      "No such file or directory");
	free(err);
	/* A file without one usable word is refused too: every text would
	 * be cut into nothing. */
	fx_use_word_list("full-entry.xml");
	err = NULL;
	ck_assert_int_eq(kb_analyzer_new(&b, NULL, &err), KB_ERR_IO);
	ck_assert_ptr_null(b);
	ck_assert_ptr_nonnull(strstr(err, "holds no word of Han characters"));
	free(err);
}
END_TEST

/* Texts whose cuts the tests below compare. */
static const char *const texts[] = {"宽带没网了叫师傅上门", "宽带报修", "中华人民共和国",
                                    "没网了", "寬頻", "套餐", NULL};

static char *cuts_of(kb_analyzer_t *b)
{
	kb_analyzer_t *saved = a;
	a = b;
	char *all = fx_printf("%s", "");
	for (int i = 0; texts[i]; i++) {
		char *w = fx_han_words(a, texts[i]);
		char *next = fx_printf("%s/%s", all, w);
		free(all);
		free(w);
		all = next;
	}
	a = saved;
	return all;
}

START_TEST(saved_table_cuts_as_the_list)
{
	char *dir = fx_tempdir();
	char *err = NULL;
	ck_assert_int_eq(kb_analyzer_save_words(a, dir, &err), KB_OK);
	/* The table alone is enough: no list is read. */
	setenv("KB_DICTIONARY", "/nonexistent/words.txt", 1);
	kb_analyzer_t *b = NULL;
	ck_assert_int_eq(kb_analyzer_new(&b, dir, &err), KB_OK);
	char *want = cuts_of(a), *got = cuts_of(b);
	ck_assert_str_eq(got, want);
	ck_assert_str_eq(want, "/W宽带|W没网|W师傅|W上门/W宽带|W报修/W中华人民共和国/W没网/W宽频/W套餐");
	free(want);
	free(got);
	kb_analyzer_free(b);
	free(dir);
}
END_TEST

/* How much of the mapping of path is in this process's page tables, in kB
 * (its "Rss" in /proc/self/smaps), or -1 when it is not mapped. */
static long mapped_kb(const char *path)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	ck_assert_ptr_nonnull(f);
	char line[4096];
	long kb = -1;
	int ours = 0;
	size_t n = strlen(path);
	while (kb < 0 && fgets(line, sizeof line, f)) {
		size_t len = strcspn(line, "\n");
		line[len] = '\0';
		if (strchr(line, '-') && strchr(line, ' ') && strchr(line, '-') < strchr(line, ' '))
			ours = len >= n && strcmp(line + len - n, path) == 0;
		else if (ours && strncmp(line, "Rss:", 4) == 0)
			kb = strtol(line + 4, NULL, 10);
	}
	fclose(f);
	return kb;
}

/* Warming a mapped table puts all its pages in the page tables at once,
 * rather than one fault at a time during the searches. */
START_TEST(warming_a_table_maps_every_page)
{
	char *dir = fx_tempdir(), *err = NULL;
	ck_assert_int_eq(kb_analyzer_save_words(a, dir, &err), KB_OK);
	char *path = fx_path(dir, KB_WORDS_FILE);
	size_t len = 0;
	free(fx_read_file(path, &len));
	long size_kb = (long)(len / 1024);
	ck_assert_int_gt(size_kb, 256);
	kb_segmenter_t *seg = NULL;
	ck_assert_int_eq(kb_segmenter_map(path, &seg, &err), KB_OK);
	long cold = mapped_kb(path);
	ck_assert_int_ge(cold, 0);
	ck_assert_int_lt(cold, size_kb / 2);
	kb_segmenter_warm(seg);
	ck_assert_int_ge(mapped_kb(path), size_kb);
	kb_segmenter_free(seg);
	ck_assert_int_eq(mapped_kb(path), -1);
	/* A table loaded from the list is in memory already. */
	kb_analyzer_warm(a);
	free(path);
	free(dir);
}
END_TEST

START_TEST(a_damaged_table_is_never_trusted_blindly)
{
	char *dir = fx_tempdir(), *err = NULL;
	ck_assert_int_eq(kb_analyzer_save_words(a, dir, &err), KB_OK);
	char *path = fx_path(dir, KB_WORDS_FILE);
	size_t len = 0;
	char *good = fx_read_file(path, &len);
	char *want = cuts_of(a);
	kb_segmenter_t *seg = NULL;

	/* Missing, empty, truncated, another version, another size: the
	 * table is refused, and an analyzer reads the list instead. */
	unlink(path);
	ck_assert_int_eq(kb_segmenter_map(path, &seg, &err), KB_ERR_NO_INDEX);
	free(err);
	char bad_version[64];
	memcpy(bad_version, good, sizeof bad_version);
	bad_version[8] ^= 0x7f;
	struct {
		const char *data;
		size_t len;
	} bad[] = {{"", 0}, {good, len / 2}, {good, len - 1}, {bad_version, sizeof bad_version},
	           {"kbwords", 8}};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		free(fx_write_bytes(dir, KB_WORDS_FILE, bad[i].data, bad[i].len));
		err = NULL;
		ck_assert_int_eq(kb_segmenter_map(path, &seg, &err), KB_ERR_CORRUPT);
		ck_assert_ptr_null(seg);
		ck_assert_ptr_nonnull(strstr(err, "is not a word table kb can read"));
		free(err);
		kb_analyzer_t *b = NULL;
		ck_assert_int_eq(kb_analyzer_new(&b, dir, &err), KB_OK);
		char *got = cuts_of(b);
		ck_assert_str_eq(got, want);
		free(got);
		kb_analyzer_free(b);
	}

	/* Sizes right, contents scrambled (every slot pointing past the keys,
	 * then random bytes): cuts may be wrong, but nothing reads out of
	 * bounds or loops forever. */
	for (int round = 0; round < 2; round++) {
		char *scrambled = malloc(len);
		memcpy(scrambled, good, len);
		srand(7);
		for (size_t i = 40; i < len; i++)
			scrambled[i] = round == 0 ? (char)0xff : (char)rand();
		free(fx_write_bytes(dir, KB_WORDS_FILE, scrambled, len));
		free(scrambled);
		kb_analyzer_t *b = NULL;
		ck_assert_int_eq(kb_analyzer_new(&b, dir, &err), KB_OK);
		free(cuts_of(b));
		kb_analyzer_free(b);
	}
	free(want);
	free(good);
	free(path);
	free(dir);
}
END_TEST

static Suite *segment_suite(void)
{
	Suite *s = suite_create("segment");
	TCase *tc = tcase_create("cut");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, words_of_a_run);
	tcase_add_test(tc, most_probable_cut_wins);
	tcase_add_test(tc, words_do_not_cross_other_text);
	tcase_add_test(tc, words_fold_like_text);
	tcase_add_test(tc, lines_that_do_not_parse_are_skipped);
	tcase_add_test(tc, a_missing_word_list_is_a_clear_error);
	tcase_add_test(tc, saved_table_cuts_as_the_list);
	tcase_add_test(tc, a_damaged_table_is_never_trusted_blindly);
	tcase_add_test(tc, warming_a_table_maps_every_page);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_run(segment_suite());
}
