/* test_coverage.c: the Dice coefficient of a query's and a question's
 * characters (lib/coverage.h). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "fixtures.h"

static kb_analyzer_t *a;

static void setup(void)
{
	a = fx_analyzer();
}

static void teardown(void)
{
	kb_analyzer_free(a);
	a = NULL;
}

static double cover(const char *query, const char *text)
{
	kb_coverage_query_t q;
	ck_assert_int_eq(kb_coverage_query(a, query, strlen(query), &q), KB_OK);
	return kb_coverage(a, &q, text, strlen(text));
}

#define assert_cover(query, text, expected)                                                \
	ck_assert_msg(fabs(cover((query), (text)) - (expected)) < 1e-9, "%s / %s: %g, not %g", \
	              (query), (text), cover((query), (text)), (double)(expected))

START_TEST(dice_of_distinct_characters)
{
	assert_cover("宽带报修", "报修宽带", 1.0);        /* order does not matter */
	assert_cover("宽带报修", "宽带宽带报修报修", 1.0); /* nor repetition */
	assert_cover("宽带报修", "宽带", 2.0 * 2 / (4 + 2));
	assert_cover("宽带", "宽带怎么报修", 2.0 * 2 / (2 + 6));
	assert_cover("宽带报修", "话费余额", 0.0);
	/* A Latin or digit word is one term; punctuation is nothing. */
	assert_cover("5G套餐", "5g的套餐？", 2.0 * 3 / (3 + 4));
	assert_cover("iPhone换卡", "iphone 15 换 卡", 2.0 * 3 / (3 + 4));
}
END_TEST

START_TEST(folding_as_everywhere)
{
	assert_cover("寬帶報修", "宽带报修", 1.0);
	assert_cover("５Ｇ", "5g", 1.0);
}
END_TEST

START_TEST(the_closest_question_counts)
{
	assert_cover("宽带报修", "话费余额\n宽带怎么报修\n宽带报修", 1.0);
	assert_cover("宽带报修", "话费余额\n宽带", 2.0 * 2 / (4 + 2));
	assert_cover("宽带报修", "\n\n宽带报修\n", 1.0);
}
END_TEST

START_TEST(nothing_to_compare)
{
	assert_cover("", "宽带", 0.0);
	assert_cover("，。", "宽带", 0.0);
	assert_cover("宽带", "", 0.0);
	assert_cover("宽带", "\n\n", 0.0);
}
END_TEST

START_TEST(long_texts_stay_bounded)
{
	/* 3,000 distinct characters, far past the limits of a question: the
	 * set fills up and the answer stays a fraction. */
	char *text = fx_han_chars(3000, 1);
	double d = cover("一丁", text);
	ck_assert(d >= 0 && d <= 1);
	/* A query of more characters than it keeps still gives a fraction. */
	d = cover(text, "一丁");
	ck_assert(d >= 0 && d <= 1);
	free(text);
}
END_TEST

static Suite *coverage_suite(void)
{
	Suite *s = suite_create("coverage");
	TCase *tc = tcase_create("dice");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, dice_of_distinct_characters);
	tcase_add_test(tc, folding_as_everywhere);
	tcase_add_test(tc, the_closest_question_counts);
	tcase_add_test(tc, nothing_to_compare);
	tcase_add_test(tc, long_texts_stay_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_run(coverage_suite());
}
