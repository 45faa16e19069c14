/* test_analyze.c: the text analysis (lib/analyze.h) and the query terms
 * built on it (lib/query_terms.h). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "fixtures.h"
#include "query_terms.h"

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

#define assert_tokens(text, expected) fx_assert_str_owned(fx_tokens(a, (text)), (expected))

#define assert_tokens_n(text, len, expected) \
	fx_assert_str_owned(fx_tokens_n(a, (text), (len)), (expected))

#define assert_detail(text, expected) \
	fx_assert_str_owned(fx_tokens_detail(a, (text), strlen(text)), (expected))

/* ---- tokens ----------------------------------------------------------- */

START_TEST(mixed_word_then_han_ngrams)
{
	assert_tokens("5G套餐多少钱", "5g|套|套餐|W套餐|餐|餐多|多|多少|W多少|少|少钱|钱");
	assert_detail("5G套餐多少钱",
	              "W:5g@0-2|U:套@2-5|B:套餐@2-8|H:W套餐@2-8|U:餐@5-8|B:餐多@5-11|U:多@8-11|"
	              "B:多少@8-14|H:W多少@8-14|U:少@11-14|B:少钱@11-17|U:钱@14-17");
}
END_TEST

START_TEST(latin_words_digits_and_han)
{
	assert_tokens("iPhone 15换卡", "iphone|15|换|换卡|W换卡|卡");
	assert_detail("iPhone 15换卡",
	              "W:iphone@0-6|W:15@7-9|U:换@9-12|B:换卡@9-15|H:W换卡@9-15|U:卡@12-15");
}
END_TEST

static int join_term(void *ctx, const kb_token_t *t)
{
	char **out = ctx;
	char *joined = fx_printf("%s%s%.*s", *out, **out ? "|" : "", (int)t->term_len, t->term);
	free(*out);
	*out = joined;
	return 0;
}

START_TEST(characters_only)
{
	/* No pairs and no Han words: what comparing texts as wholes needs. */
	char *out = fx_printf("%s", "");
	const char *text = "5G套餐多少钱，寬帶";
	ck_assert_int_eq(kb_analyze_characters(a, text, strlen(text), join_term, &out), KB_OK);
	ck_assert_str_eq(out, "5g|套|餐|多|少|钱|宽|带");
	free(out);
	/* The analyzer cuts words again afterwards. */
	assert_tokens("话费", "话|话费|W话费|费");
}
END_TEST

START_TEST(single_han_character)
{
	assert_detail("查", "U:查@0-3");
}
END_TEST

START_TEST(full_width_folds_to_half_width)
{
	char *full = fx_tokens(a, "２００M宽带");
	char *half = fx_tokens(a, "200m宽带");
	ck_assert_str_eq(full, "200m|宽|宽带|W宽带|带");
	ck_assert_str_eq(half, full);
	free(full);
	free(half);
	assert_tokens("５Ｇ", "5g");
	assert_tokens("5G", "5g");
	assert_tokens("5g", "5g");
	assert_tokens("ＩＰＨＯＮＥ", "iphone");
}
END_TEST

START_TEST(full_width_offsets_point_into_the_original)
{
	/* ２ ０ ０ are three bytes each, M one: the word covers bytes 0..10. */
	assert_detail("２００M宽带", "W:200m@0-10|U:宽@10-13|B:宽带@10-16|H:W宽带@10-16|U:带@13-16");
	assert_detail("５Ｇ套餐", "W:5g@0-6|U:套@6-9|B:套餐@6-12|H:W套餐@6-12|U:餐@9-12");
}
END_TEST

START_TEST(offsets_slice_the_source_text)
{
	/* Every token's range, cut from the text, is the text it came from. */
	static const char *const texts[] = {"iPhone 15换卡", "寬帶，斷網了？", "５Ｇ套餐 VIP",
	                                    "  a１b２  话费", NULL};
	static const char *const sources[] = {
	    "iPhone|15|换|换卡|换卡|卡", /* the pair, then the word */
	    "寬|寬帶|寬帶|帶|斷|斷網|網|網了|了",
	    "５Ｇ|套|套餐|套餐|餐|VIP",
	    "a１b２|话|话费|话费|费",
	};
	for (int i = 0; texts[i]; i++) {
		char *detail = fx_tokens_detail(a, texts[i], strlen(texts[i]));
		/* Rebuild "source|source|..." from the offsets. */
		char rebuilt[512] = "";
		size_t used = 0;
		for (char *p = detail; (p = strchr(p, '@'));) {
			size_t start = strtoul(p + 1, &p, 10);
			size_t end = strtoul(p + 1, &p, 10);
			ck_assert_uint_le(end, strlen(texts[i]));
			ck_assert_uint_lt(start, end);
			used += (size_t)snprintf(rebuilt + used, sizeof rebuilt - used, "%s%.*s",
			                         used ? "|" : "", (int)(end - start), texts[i] + start);
		}
		ck_assert_str_eq(rebuilt, sources[i]);
		free(detail);
	}
}
END_TEST

START_TEST(traditional_folds_to_simplified)
{
	char *trad = fx_tokens(a, "寬帶");
	char *simp = fx_tokens(a, "宽带");
	ck_assert_str_eq(simp, "宽|宽带|W宽带|带");
	ck_assert_str_eq(trad, simp);
	free(trad);
	free(simp);
	trad = fx_tokens(a, "話費");
	simp = fx_tokens(a, "话费");
	ck_assert_str_eq(simp, "话|话费|W话费|费");
	ck_assert_str_eq(trad, simp);
	free(trad);
	free(simp);
	/* Offsets stay those of the traditional source. */
	assert_detail("寬帶", "U:宽@0-3|B:宽带@0-6|H:W宽带@0-6|U:带@3-6");
}
END_TEST

START_TEST(punctuation_and_spaces_separate)
{
	assert_tokens("宽带，断网", "宽|宽带|W宽带|带|断|断网|网");
	assert_tokens("宽带 断网", "宽|宽带|W宽带|带|断|断网|网");
	assert_tokens("宽带,断网", "宽|宽带|W宽带|带|断|断网|网");
	assert_tokens("宽带。断网！", "宽|宽带|W宽带|带|断|断网|网");
	assert_tokens("宽带\u3000断网", "宽|宽带|W宽带|带|断|断网|网"); /* ideographic space */
	assert_tokens("Wi-Fi", "wi|fi");
	assert_tokens("10000号", "10000|号");
}
END_TEST

START_TEST(case_and_marks_fold)
{
	assert_tokens("CAFÉ Café café", "cafe|cafe|cafe");
	assert_tokens("VoLTE", "volte");
}
END_TEST

START_TEST(invalid_utf8_separates)
{
	static const char text[] = "宽\xff带";
	assert_tokens_n(text, sizeof text - 1, "宽|带");
	char *detail = fx_tokens_detail(a, text, sizeof text - 1);
	ck_assert_str_eq(detail, "U:宽@0-3|U:带@4-7");
	free(detail);
	static const char words[] = "abc\x80\xfe" "def";
	assert_tokens_n(words, sizeof words - 1, "abc|def");
	/* A lead byte with its continuation cut off, at the end and in the middle. */
	static const char cut_end[] = "话费\xe5\xae";
	assert_tokens_n(cut_end, sizeof cut_end - 1, "话|话费|W话费|费");
	static const char cut_mid[] = "话\xe5\xae费";
	assert_tokens_n(cut_mid, sizeof cut_mid - 1, "话|费");
	/* Surrogates and overlong forms are invalid too. */
	static const char surrogate[] = "a\xed\xa0\x80" "b";
	assert_tokens_n(surrogate, sizeof surrogate - 1, "a|b");
	static const char overlong[] = "a\xc0\xaf" "b";
	assert_tokens_n(overlong, sizeof overlong - 1, "a|b");
}
END_TEST

START_TEST(garbage_never_crashes)
{
	/* Every byte value, in a few arrangements: the analysis must walk it
	 * all and produce only valid UTF-8 terms. */
	char bytes[1024];
	for (int i = 0; i < 1024; i++)
		bytes[i] = (char)((i * 37 + 11) & 0xff);
	char *t = fx_tokens_n(a, bytes, sizeof bytes);
	ck_assert_ptr_nonnull(t);
	free(t);
	for (int i = 0; i < 256; i++)
		bytes[i] = (char)i;
	t = fx_tokens_n(a, bytes, 256);
	/* 0-9 are one word, A-Z fold into a-z and join it: the ASCII part. */
	ck_assert_ptr_nonnull(strstr(t, "0123456789"));
	free(t);
	/* A NUL byte is a separator like any control character. */
	assert_tokens_n("ab\0cd", 5, "ab|cd");
}
END_TEST

START_TEST(word_longer_than_cap_is_dropped)
{
	char *max = fx_repeat("a", KB_MAX_WORD_BYTES);
	char *over = fx_repeat("a", KB_MAX_WORD_BYTES + 1);
	char *huge = fx_repeat("b", 10000);
	assert_tokens(max, max);
	assert_tokens(over, "");
	assert_tokens(huge, "");
	char *text = fx_printf("短 %s ok %s 宽带", over, huge);
	assert_tokens(text, "短|ok|宽|宽带|W宽带|带");
	free(text);
	/* The cap is in bytes: 32 two-byte Cyrillic letters fit, 33 do not. */
	char *cyr32 = fx_repeat("д", 32), *cyr33 = fx_repeat("д", 33);
	assert_tokens(cyr32, cyr32);
	assert_tokens(cyr33, "");
	/* Folded bytes count: 64 full-width letters fold to 64 ASCII ones. */
	char *fw = fx_repeat("Ａ", KB_MAX_WORD_BYTES);
	char *fw_folded = fx_repeat("a", KB_MAX_WORD_BYTES);
	assert_tokens(fw, fw_folded);
	free(max);
	free(over);
	free(huge);
	free(cyr32);
	free(cyr33);
	free(fw);
	free(fw_folded);
}
END_TEST

START_TEST(empty_input_gives_no_tokens)
{
	assert_tokens("", "");
	assert_tokens("   ，。！？ \t\n", "");
	assert_tokens_n("宽带", 0, "");
}
END_TEST

static int stop_after(void *ctx, const kb_token_t *t)
{
	(void)t;
	int *left = ctx;
	return --*left == 0;
}

START_TEST(callback_stops_early)
{
	static const char *const texts[] = {"5G套餐多少钱", "a b c d e f", "宽带断网了怎么报修", NULL};
	for (int i = 0; texts[i]; i++) {
		int left = 3;
		kb_status_t st = kb_analyze(a, texts[i], strlen(texts[i]), stop_after, &left);
		ck_assert_int_eq(st, KB_OK);
		ck_assert_int_eq(left, 0); /* exactly three calls, none after the stop */
	}
	/* Stopping on the very first and the very last token. */
	int left = 1;
	ck_assert_int_eq(kb_analyze(a, "宽带", 6, stop_after, &left), KB_OK);
	ck_assert_int_eq(left, 0);
	left = 3;
	ck_assert_int_eq(kb_analyze(a, "宽带", 6, stop_after, &left), KB_OK);
	ck_assert_int_eq(left, 0);
	/* The analyzer works normally after a stopped run. */
	assert_tokens("话费", "话|话费|W话费|费");
}
END_TEST

START_TEST(one_character_folding_to_several)
{
	/* U+2474 PARENTHESIZED DIGIT ONE folds to "(1)": a word "1" whose
	 * range is the whole source character. */
	assert_detail("\u2474", "W:1@0-3");
	/* The ligature ﬁ folds to "fi". */
	assert_detail("\ufb01x", "W:fix@0-4");
}
END_TEST

START_TEST(analyzer_is_reusable_and_deterministic)
{
	for (int i = 0; i < 3; i++) {
		assert_tokens("寬帶5G", "宽|宽带|W宽带|带|5g");
		assert_tokens("", "");
	}
}
END_TEST

START_TEST(fold_gives_the_folded_text)
{
	char *out = NULL;
	ck_assert_int_eq(kb_analyzer_fold(a, "５Ｇ寬帶 ABC", strlen("５Ｇ寬帶 ABC"), &out), KB_OK);
	ck_assert_str_eq(out, "5g宽带 abc");
	free(out);
	static const char bad[] = "话\xff费";
	ck_assert_int_eq(kb_analyzer_fold(a, bad, sizeof bad - 1, &out), KB_OK);
	ck_assert_str_eq(out, "话 费");
	free(out);
	ck_assert_int_eq(kb_analyzer_fold(a, "", 0, &out), KB_OK);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

START_TEST(script_detection)
{
	ck_assert_int_eq(kb_analyzer_script(a, "宽带断网", strlen("宽带断网")), KB_SCRIPT_SIMPLIFIED);
	ck_assert_int_eq(kb_analyzer_script(a, "寬帶斷網", strlen("寬帶斷網")), KB_SCRIPT_TRADITIONAL);
	ck_assert_int_eq(kb_analyzer_script(a, "宽带 寬", strlen("宽带 寬")), KB_SCRIPT_TRADITIONAL);
	ck_assert_int_eq(kb_analyzer_script(a, "5G iPhone", 9), KB_SCRIPT_NONE);
	ck_assert_int_eq(kb_analyzer_script(a, "", 0), KB_SCRIPT_NONE);
	/* Characters common to both scripts count as simplified. */
	ck_assert_int_eq(kb_analyzer_script(a, "的人", strlen("的人")), KB_SCRIPT_SIMPLIFIED);
}
END_TEST

START_TEST(mainland_wording)
{
	char *out = NULL;
	const char *tw = "簡訊設定";
	ck_assert_int_eq(kb_analyzer_mainland(a, tw, strlen(tw), &out), KB_OK);
	ck_assert_str_eq(out, "短信设置");
	free(out);
	/* Wording that folding alone already turns simplified gives nothing. */
	const char *plain = "寬帶斷網";
	ck_assert_int_eq(kb_analyzer_mainland(a, plain, strlen(plain), &out), KB_OK);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(kb_analyzer_mainland(a, "5G", 2, &out), KB_OK);
	ck_assert_ptr_null(out);
}
END_TEST

/* ---- query terms ------------------------------------------------------ */

/* "U:查!|U:话|B:话费|H:W话费|U:费": terms in order, '!' after isolated ones. */
static char *terms_dump(const kb_query_terms_t *t)
{
	char out[4096] = "";
	size_t used = 0;
	for (size_t i = 0; i < t->count; i++)
		used += (size_t)snprintf(out + used, sizeof out - used, "%s%s:%s%s", i ? "|" : "",
		                         fx_kind_name(t->items[i].kind), t->items[i].term,
		                         t->items[i].isolated ? "!" : "");
	return strdup(out);
}

#define assert_terms(text, expected)                                                       \
	do {                                                                                   \
		kb_query_terms_t t_;                                                               \
		ck_assert_int_eq(kb_query_terms_collect(a, (text), strlen(text), &t_), KB_OK);     \
		fx_assert_str_owned(terms_dump(&t_), (expected));                          \
	} while (0)

START_TEST(query_terms_flag_isolated_unigrams)
{
	assert_terms("查 话费", "U:查!|U:话|B:话费|H:W话费|U:费");
	assert_terms("话费 查", "U:话|B:话费|H:W话费|U:费|U:查!");
	assert_terms("话费", "U:话|B:话费|H:W话费|U:费");
	assert_terms("查", "U:查!");
	assert_terms("5G 卡", "W:5g|U:卡!");
	assert_terms("5G卡", "W:5g|U:卡!");
	assert_terms("卡5G", "U:卡!|W:5g");
}
END_TEST

START_TEST(query_terms_are_distinct)
{
	assert_terms("话费话费", "U:话|B:话费|H:W话费|U:费|B:费话");
	assert_terms("5g 5G ５Ｇ", "W:5g");
	assert_terms("寬帶 宽带", "U:宽|B:宽带|H:W宽带|U:带");
	/* A character alone somewhere is isolated even if a pair holds it
	 * elsewhere. */
	assert_terms("话费 话", "U:话!|B:话费|H:W话费|U:费");
	assert_terms("话 话", "U:话!");
	assert_terms("", "");
	assert_terms("，。", "");
}
END_TEST

/* Which terms' documents hold each term: a pair's two characters, a
 * word's pair, by index + 1. */
START_TEST(query_terms_know_what_holds_them)
{
	kb_query_terms_t t;
	ck_assert_int_eq(kb_query_terms_collect(a, "话费", strlen("话费"), &t), KB_OK);
	ck_assert_uint_eq(t.count, 4); /* U:话 B:话费 H:W话费 U:费 */
	ck_assert_uint_eq(t.items[0].within[0], 0);
	ck_assert_uint_eq(t.items[1].within[0], 1);
	ck_assert_uint_eq(t.items[1].within[1], 4);
	ck_assert_uint_eq(t.items[2].within[0], 2);
	ck_assert_uint_eq(t.items[2].within[1], 0);
	ck_assert_uint_eq(t.items[3].within[0], 0);
	/* Terms added later find what they are in among all terms so far. */
	ck_assert_int_eq(kb_query_terms_add(a, "费话", strlen("费话"), 0.5, &t), KB_OK);
	int i = kb_query_terms_find(&t, "费话", strlen("费话"));
	ck_assert_int_ge(i, 4);
	ck_assert_uint_eq(t.items[i].within[0], 4);
	ck_assert_uint_eq(t.items[i].within[1], 1);
	/* Latin words and isolated characters are in nothing. */
	ck_assert_int_eq(kb_query_terms_collect(a, "5G 卡", strlen("5G 卡"), &t), KB_OK);
	for (size_t k = 0; k < t.count; k++)
		ck_assert_uint_eq(t.items[k].within[0] + t.items[k].within[1], 0);
}
END_TEST

START_TEST(query_terms_factor_and_find)
{
	kb_query_terms_t t;
	ck_assert_int_eq(kb_query_terms_collect(a, "宽带", strlen("宽带"), &t), KB_OK);
	ck_assert_uint_eq(t.count, 4);
	ck_assert_int_eq(kb_query_terms_add(a, "光纤宽带", strlen("光纤宽带"), 0.5, &t), KB_OK);
	char *dump = terms_dump(&t);
	ck_assert_str_eq(dump, "U:宽|B:宽带|H:W宽带|U:带|U:光|B:光纤|H:W光纤|U:纤|B:纤宽");
	free(dump);
	/* The query's own terms keep factor 1, added ones get 0.5. */
	ck_assert_int_eq(kb_query_terms_find(&t, "宽带", strlen("宽带")), 1);
	ck_assert(t.items[1].factor == 1.0);
	int i = kb_query_terms_find(&t, "光纤", strlen("光纤"));
	ck_assert_int_eq(i, 5);
	ck_assert(t.items[i].factor == 0.5);
	ck_assert_int_eq(kb_query_terms_find(&t, "宽", 2), -1); /* a prefix is not a term */
	ck_assert_int_eq(kb_query_terms_find(&t, "网", strlen("网")), -1);
	ck_assert_uint_eq(t.items[1].len, strlen("宽带"));
	/* collect starts over. */
	ck_assert_int_eq(kb_query_terms_collect(a, "查", strlen("查"), &t), KB_OK);
	ck_assert_uint_eq(t.count, 1);
}
END_TEST

START_TEST(query_terms_are_capped)
{
	/* 200 distinct characters make 399 distinct terms: only the first
	 * KB_MAX_QUERY_TERMS are kept, in order. */
	char *text = fx_han_chars(200, 7);
	size_t n = strlen(text);
	/* Some of these may be traditional: compare with the folded text. */
	char *folded = NULL;
	ck_assert_int_eq(kb_analyzer_fold(a, text, n, &folded), KB_OK);
	ck_assert_uint_eq(strlen(folded), n);
	kb_query_terms_t t;
	ck_assert_int_eq(kb_query_terms_collect(a, text, n, &t), KB_OK);
	ck_assert_uint_eq(t.count, KB_MAX_QUERY_TERMS);
	ck_assert_int_eq(t.items[0].kind, KB_TOKEN_UNIGRAM);
	ck_assert_int_eq(memcmp(t.items[0].term, folded, 3), 0);
	ck_assert_int_eq(t.items[1].kind, KB_TOKEN_BIGRAM);
	ck_assert_int_eq(memcmp(t.items[1].term, folded, 6), 0);
	/* The last one kept is the analysis' 64th term (all are distinct). */
	char *all = fx_tokens_n(a, text, n), *last = all;
	for (int i = 0; i < KB_MAX_QUERY_TERMS - 1; i++)
		last = strchr(last, '|') + 1;
	last[strcspn(last, "|")] = '\0';
	ck_assert_str_eq(t.items[KB_MAX_QUERY_TERMS - 1].term, last);
	free(all);
	free(folded);
	free(text);
}
END_TEST

static Suite *analyze_suite(void)
{
	Suite *s = suite_create("analyze");
	TCase *tc = tcase_create("tokens");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mixed_word_then_han_ngrams);
	tcase_add_test(tc, latin_words_digits_and_han);
	tcase_add_test(tc, characters_only);
	tcase_add_test(tc, single_han_character);
	tcase_add_test(tc, full_width_folds_to_half_width);
	tcase_add_test(tc, full_width_offsets_point_into_the_original);
	tcase_add_test(tc, offsets_slice_the_source_text);
	tcase_add_test(tc, traditional_folds_to_simplified);
	tcase_add_test(tc, mainland_wording);
	tcase_add_test(tc, punctuation_and_spaces_separate);
	tcase_add_test(tc, case_and_marks_fold);
	tcase_add_test(tc, invalid_utf8_separates);
	tcase_add_test(tc, garbage_never_crashes);
	tcase_add_test(tc, word_longer_than_cap_is_dropped);
	tcase_add_test(tc, empty_input_gives_no_tokens);
	tcase_add_test(tc, callback_stops_early);
	tcase_add_test(tc, one_character_folding_to_several);
	tcase_add_test(tc, analyzer_is_reusable_and_deterministic);
	tcase_add_test(tc, fold_gives_the_folded_text);
	tcase_add_test(tc, script_detection);
	suite_add_tcase(s, tc);

	tc = tcase_create("query_terms");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, query_terms_flag_isolated_unigrams);
	tcase_add_test(tc, query_terms_are_distinct);
	tcase_add_test(tc, query_terms_know_what_holds_them);
	tcase_add_test(tc, query_terms_factor_and_find);
	tcase_add_test(tc, query_terms_are_capped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_run(analyze_suite());
}
