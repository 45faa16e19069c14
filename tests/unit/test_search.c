/* test_search.c: indexes built in temporary directories through the public
 * API (kb_indexer_*), searched with kb_searcher_* and kb_search(): ranking,
 * filters, answer variants, arguments, folding, reindexing. */
#define _GNU_SOURCE /* sched_getaffinity() */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "kb-private.h"
#include "kb.h"
#include "xapian_shim.h"

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
#define HAVE_MALLINFO2 1
#endif

/* ---- the shared corpus (indexed once, read by many tests) -------------- */

static const char corpus[] =
    /* ranking, variants, snippets */
    "<entry id=\"bb-repair\">\n"
    "  <title>宽带断网了怎么报修</title>\n"
    "  <alt>家里突然上不了网怎么办</alt>\n"
    "  <category>宽带/故障报修</category>\n"
    "  <answer>先重启光猫。如果还不行请提交报修工单。</answer>\n"
    "  <answer audience=\"elderly\">您别着急，我们派师傅上门。</answer>\n"
    "  <answer audience=\"business\">政企客户优先派单。</answer>\n"
    "</entry>\n"
    "<entry id=\"bill-query\"><title>怎么查询话费余额</title>"
    "<answer>发送短信CXHF到10001查询。</answer></entry>\n"
    "<entry id=\"roam-open\"><title>国际漫游怎么开通</title>"
    "<answer>出国前拨打10000开通。</answer></entry>\n"
    "<entry id=\"pkg-5g\"><title>5G套餐多少钱</title><answer>每月129元起。</answer></entry>\n"
    "<entry id=\"bb-200m\"><title>200M宽带怎么办理</title><answer>拨打10000即可。</answer></entry>\n"
    /* scripts */
    "<entry id=\"trad-only\"><title>國際長途怎麼收費</title><answer>按分鐘計費。</answer></entry>\n"
    "<entry id=\"twin-s\"><title>手机丢了怎么挂失</title><answer>拨打10000挂失。</answer></entry>\n"
    "<entry id=\"twin-t\"><title>手機丟了怎麼掛失</title><answer>請致電10000掛失。</answer></entry>\n"
    /* status */
    "<entry id=\"st-pub\"><title>积分兑换话费</title><answer>a</answer></entry>\n"
    "<entry id=\"st-draft\" status=\"draft\"><title>积分兑换流量</title><answer>a</answer></entry>\n"
    "<entry id=\"st-retired\" status=\"retired\"><title>积分兑换礼品</title><answer>a</answer></entry>\n"
    /* validity */
    "<entry id=\"v-expired\"><title>暑期优惠活动一</title><valid until=\"2000-12-31\"/>"
    "<answer>a</answer></entry>\n"
    "<entry id=\"v-future\"><title>暑期优惠活动二</title><valid from=\"2999-01-01\"/>"
    "<answer>a</answer></entry>\n"
    "<entry id=\"v-window\"><title>暑期优惠活动三</title>"
    "<valid from=\"2026-03-01\" until=\"2026-03-31\"/><answer>a</answer></entry>\n"
    "<entry id=\"v-always\"><title>暑期优惠活动四</title><answer>a</answer></entry>\n"
    /* audiences */
    "<entry id=\"a-business\"><title>携号转网怎么办理</title><audience>business</audience>"
    "<answer>a</answer></entry>\n"
    "<entry id=\"a-elderly\"><title>携号转网需要什么</title><audience>elderly</audience>"
    "<audience>vip</audience><answer>a</answer></entry>\n"
    "<entry id=\"a-all\"><title>携号转网条件</title><answer>a</answer></entry>\n"
    /* regions */
    "<entry id=\"r-js\"><title>营业厅地址在哪</title><region>江苏</region>"
    "<answer>a</answer></entry>\n"
    "<entry id=\"r-sh\"><title>营业厅地址查询</title><region>上海</region><region>浙江</region>"
    "<answer>a</answer></entry>\n"
    "<entry id=\"r-all\"><title>营业厅地址</title><answer>a</answer></entry>\n"
    /* a long answer without sentence ends, the match in the middle */
    "<entry id=\"long\"><title>长答案</title><answer>"
    "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
    "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
    "天翼云盘"
    "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
    "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
    "</answer></entry>\n";

#define LIMIT_ENTRIES 12

static char *shared_dir, *shared_db;
static kb_searcher_t *s;

static void shared_setup(void)
{
	shared_dir = fx_tempdir();
	shared_db = fx_path(shared_dir, "db");
	char entries[sizeof corpus + LIMIT_ENTRIES * 128];
	size_t n = (size_t)snprintf(entries, sizeof entries, "%s", corpus);
	static const char *const digits[] = {"一", "二", "三", "四", "五", "六",
	                                     "七", "八", "九", "十", "百", "千"};
	for (int i = 0; i < LIMIT_ENTRIES; i++)
		n += (size_t)snprintf(entries + n, sizeof entries - n,
		                      "<entry id=\"lim-%02d\"><title>停机保号第%s种办法</title>"
		                      "<answer>a</answer></entry>\n",
		                      i + 1, digits[i]);
	char *xml = fx_kb(entries);
	char *diags = NULL;
	kb_status_t st = fx_index_xml(shared_db, xml, &diags);
	ck_assert_msg(st == KB_OK, "indexing the shared corpus: %s\n%s", kb_status_to_string(st),
	              diags);
	free(diags);
	free(xml);
}

static void shared_teardown(void)
{
	fx_rmtree(shared_dir);
	free(shared_dir);
	free(shared_db);
}

static void searcher_setup(void)
{
	s = fx_searcher(shared_db);
}

static void searcher_teardown(void)
{
	kb_searcher_destroy(s);
	s = NULL;
}

static kb_query_t query(const char *text)
{
	kb_query_t q;
	kb_query_init(&q);
	q.text = text;
	return q;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The hits' ids, sorted: for filters, where the order is not the point. */
static char *sorted_ids(const kb_query_t *q)
{
	char *ids = fx_search_ids(s, q);
	char *parts[128];
	size_t n = 0;
	for (char *p = strtok(ids, "|"); p && n < 128; p = strtok(NULL, "|"))
		parts[n++] = p;
	qsort(parts, n, sizeof *parts, compare_strings);
	char out[4096] = "";
	size_t used = 0;
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, sizeof out - used, "%s%s", i ? "|" : "", parts[i]);
	free(ids);
	return strdup(out);
}

#define assert_sorted_ids(q, expected) fx_assert_str_owned(sorted_ids(q), (expected))

/* The first hit's id ("" when none). */
static char *first_id(const kb_query_t *q)
{
	char *ids = fx_search_ids(s, q);
	ids[strcspn(ids, "|")] = '\0';
	return ids;
}

#define assert_first(text, expected)                                                       \
	do {                                                                                   \
		kb_query_t q_ = query(text);                                                       \
		fx_assert_str_owned(first_id(&q_), (expected));                            \
	} while (0)

/* Runs q, which must succeed, for tests that look at the hits. */
static kb_results_t *run(const kb_query_t *q)
{
	kb_results_t *r = NULL;
	kb_status_t st = kb_search(s, q, &r);
	ck_assert_msg(st == KB_OK, "kb_search(%s): %s", q->text, kb_searcher_last_error(s));
	ck_assert_ptr_nonnull(r);
	return r;
}

/* ---- ranking ------------------------------------------------------------ */

START_TEST(ranking_finds_the_entry_sharing_the_words)
{
	assert_first("宽带断网怎么报修", "bb-repair");
	assert_first("话费余额查询", "bill-query");
	assert_first("国际漫游开通", "roam-open");
	assert_first("5G套餐价格", "pkg-5g");
	assert_first("积分兑换话费", "st-pub");
}
END_TEST

START_TEST(or_semantics_finds_a_paraphrase)
{
	/* Shares only 断网 and 报修 with the title. */
	assert_first("断网以后报修电话是多少", "bb-repair");
	/* Only one word of several, and it is in the answer only. */
	assert_first("光猫", "bb-repair");
}
END_TEST

START_TEST(hit_fields)
{
	kb_query_t q = query("宽带断网怎么报修");
	kb_results_t *r = run(&q);
	ck_assert_uint_ge(kb_results_count(r), 1);
	const kb_hit_t *h = kb_results_hit(r, 0);
	ck_assert_str_eq(h->id, "bb-repair");
	ck_assert_uint_eq(h->rank, 1);
	ck_assert(h->score > 0);
	ck_assert_str_eq(h->title, "宽带断网了怎么报修");
	ck_assert_str_eq(h->matched, "宽带断网了怎么报修");
	ck_assert_str_eq(h->category, "宽带/故障报修");
	ck_assert_str_eq(h->answer, "先重启光猫。如果还不行请提交报修工单。");
	ck_assert_ptr_null(h->answer_audience);
	ck_assert_uint_eq(h->audience_count, 0);
	/* Ranks count up, scores go down. */
	for (size_t i = 1; i < kb_results_count(r); i++) {
		ck_assert_uint_eq(kb_results_hit(r, i)->rank, i + 1);
		ck_assert(kb_results_hit(r, i)->score <= kb_results_hit(r, i - 1)->score);
	}
	ck_assert_ptr_null(kb_results_hit(r, kb_results_count(r)));
	kb_results_destroy(r);

	q = query("暑期优惠活动四");
	r = run(&q);
	ck_assert_str_eq(kb_results_hit(r, 0)->id, "v-always");
	ck_assert_str_eq(kb_results_hit(r, 0)->category, "");
	kb_results_destroy(r);

	q = query("携号转网需要什么");
	const char *vip[] = {"vip"};
	q.audiences = vip;
	q.audience_count = 1;
	r = run(&q);
	const kb_hit_t *a = kb_results_hit(r, 0);
	ck_assert_str_eq(a->id, "a-elderly");
	ck_assert_uint_eq(a->audience_count, 2);
	ck_assert_str_eq(a->audiences[0], "elderly");
	ck_assert_str_eq(a->audiences[1], "vip");
	kb_results_destroy(r);
}
END_TEST

START_TEST(matched_question_and_snippet)
{
	/* An alt matches: it is the matched question and the snippet. */
	kb_query_t q = query("上不了网");
	kb_results_t *r = run(&q);
	const kb_hit_t *h = kb_results_hit(r, 0);
	ck_assert_str_eq(h->id, "bb-repair");
	ck_assert_str_eq(h->matched, "家里突然上不了网怎么办");
	ck_assert_str_eq(h->snippet, "家里突然上不了网怎么办");
	ck_assert_uint_eq(h->snippet_span_count, 1);
	ck_assert_uint_eq(h->snippet_spans[0].start, 12);
	ck_assert_uint_eq(h->snippet_spans[0].end, 24);
	kb_results_destroy(r);

	/* Only the answer matches: no matched question; the snippet is the
	 * answer's sentence holding the match. */
	q = query("光猫");
	r = run(&q);
	h = kb_results_hit(r, 0);
	ck_assert_str_eq(h->id, "bb-repair");
	ck_assert_ptr_null(h->matched);
	ck_assert_str_eq(h->snippet, "先重启光猫。");
	ck_assert_uint_eq(h->snippet_span_count, 1);
	ck_assert_uint_eq(h->snippet_spans[0].start, 9);
	ck_assert_uint_eq(h->snippet_spans[0].end, 15);
	kb_results_destroy(r);
}
END_TEST

/* ---- filters -------------------------------------------------------------- */

START_TEST(status_filter)
{
	kb_query_t q = query("积分兑换");
	assert_sorted_ids(&q, "st-pub");
	q.include_drafts = true;
	assert_sorted_ids(&q, "st-draft|st-pub");
	/* Asking for the retired entry's own words still does not find it. */
	q = query("积分兑换礼品");
	q.include_drafts = true;
	assert_sorted_ids(&q, "st-draft|st-pub");
}
END_TEST

START_TEST(validity_today)
{
	/* Today (whatever it is) is neither in 2000 nor in 2999. */
	kb_query_t q = query("暑期优惠活动");
	char *got = sorted_ids(&q);
	ck_assert_ptr_null(strstr(got, "v-expired"));
	ck_assert_ptr_null(strstr(got, "v-future"));
	ck_assert_ptr_nonnull(strstr(got, "v-always"));
	free(got);
}
END_TEST

START_TEST(validity_on_a_given_date)
{
	kb_query_t q = query("暑期优惠活动");
	q.date = "2000-06-01";
	assert_sorted_ids(&q, "v-always|v-expired");
	q.date = "2000-12-31"; /* the last day is inclusive */
	assert_sorted_ids(&q, "v-always|v-expired");
	q.date = "2001-01-01";
	assert_sorted_ids(&q, "v-always");
	q.date = "2998-12-31";
	assert_sorted_ids(&q, "v-always");
	q.date = "2999-01-01"; /* the first day is inclusive */
	assert_sorted_ids(&q, "v-always|v-future");
}
END_TEST

START_TEST(validity_window_boundaries)
{
	kb_query_t q = query("暑期优惠活动");
	q.date = "2026-02-28";
	assert_sorted_ids(&q, "v-always");
	q.date = "2026-03-01";
	assert_sorted_ids(&q, "v-always|v-window");
	q.date = "2026-03-15";
	assert_sorted_ids(&q, "v-always|v-window");
	q.date = "2026-03-31";
	assert_sorted_ids(&q, "v-always|v-window");
	q.date = "2026-04-01";
	assert_sorted_ids(&q, "v-always");
}
END_TEST

START_TEST(audience_filter)
{
	kb_query_t q = query("携号转网");
	assert_sorted_ids(&q, "a-all");
	const char *campus[] = {"campus"};
	q.audiences = campus;
	q.audience_count = 1;
	assert_sorted_ids(&q, "a-all");
	const char *business[] = {"business"};
	q.audiences = business;
	assert_sorted_ids(&q, "a-all|a-business");
	const char *vip[] = {"vip"};
	q.audiences = vip;
	assert_sorted_ids(&q, "a-all|a-elderly");
	const char *both[] = {"campus", "elderly", "business"};
	q.audiences = both;
	q.audience_count = 3;
	assert_sorted_ids(&q, "a-all|a-business|a-elderly");
}
END_TEST

START_TEST(region_filter)
{
	kb_query_t q = query("营业厅地址");
	assert_sorted_ids(&q, "r-all");
	q.region = "";
	assert_sorted_ids(&q, "r-all");
	q.region = "北京";
	assert_sorted_ids(&q, "r-all");
	q.region = "江苏";
	assert_sorted_ids(&q, "r-all|r-js");
	q.region = "浙江";
	assert_sorted_ids(&q, "r-all|r-sh");
}
END_TEST

/* ---- answer variants ------------------------------------------------------- */

static void assert_variant(const char *const *aud, size_t n, const char *answer,
                           const char *answer_audience)
{
	kb_query_t q = query("宽带断网了怎么报修");
	q.audiences = aud;
	q.audience_count = n;
	kb_results_t *r = run(&q);
	const kb_hit_t *h = kb_results_hit(r, 0);
	ck_assert_str_eq(h->id, "bb-repair");
	ck_assert_str_eq(h->answer, answer);
	if (answer_audience)
		ck_assert_str_eq(h->answer_audience, answer_audience);
	else
		ck_assert_ptr_null(h->answer_audience);
	kb_results_destroy(r);
}

START_TEST(answer_variant_choice)
{
	static const char *const none[] = {NULL};
	static const char *const vip[] = {"vip"};
	static const char *const elderly[] = {"elderly"};
	static const char *const order1[] = {"vip", "business", "elderly"};
	static const char *const order2[] = {"elderly", "business"};
	assert_variant(none, 0, "先重启光猫。如果还不行请提交报修工单。", NULL);
	assert_variant(vip, 1, "先重启光猫。如果还不行请提交报修工单。", NULL);
	assert_variant(elderly, 1, "您别着急，我们派师傅上门。", "elderly");
	assert_variant(order1, 3, "政企客户优先派单。", "business");
	assert_variant(order2, 2, "您别着急，我们派师傅上门。", "elderly");
}
END_TEST

/* Regression (a bug found by this suite, fixed): hit->answer_audience points into the caller's
 * q->audiences (fill_hit() stores q->audiences[k]), not into the results:
 * kb.h says every returned string is borrowed from the object that returned
 * it and valid until that object is destroyed.  A caller that reuses or
 * frees its tag buffer after kb_search() reads garbage (here: "XXXXXXX"). */
START_TEST(answer_audience_belongs_to_the_results)
{
	char *tag = strdup("elderly");
	const char *aud[] = {tag};
	kb_query_t q = query("宽带断网了怎么报修");
	q.audiences = aud;
	q.audience_count = 1;
	kb_results_t *r = run(&q);
	memset(tag, 'X', strlen(tag)); /* the caller reuses its buffer */
	const kb_hit_t *h = kb_results_hit(r, 0);
	ck_assert_str_eq(h->id, "bb-repair");
	ck_assert_str_eq(h->answer, "您别着急，我们派师傅上门。");
	ck_assert_str_eq(h->answer_audience, "elderly");
	kb_results_destroy(r);
	free(tag);
}
END_TEST

/* ---- limits and arguments ----------------------------------------------------- */

START_TEST(limit)
{
	kb_query_t q = query("停机保号");
	kb_results_t *r = run(&q);
	ck_assert_uint_eq(kb_results_count(r), KB_LIMIT_DEFAULT);
	/* total is an estimate (Xapian's, after collapsing) when not every
	 * match was looked at. */
	ck_assert_uint_ge(kb_results_total(r), KB_LIMIT_DEFAULT);
	kb_results_destroy(r);
	q.limit = 1;
	r = run(&q);
	ck_assert_uint_eq(kb_results_count(r), 1);
	ck_assert_uint_ge(kb_results_total(r), 1);
	ck_assert_ptr_nonnull(kb_results_hit(r, 0));
	ck_assert_ptr_null(kb_results_hit(r, 1));
	kb_results_destroy(r);
	/* Every match seen: the total is exact. */
	q.limit = KB_LIMIT_MAX;
	r = run(&q);
	ck_assert_uint_eq(kb_results_count(r), LIMIT_ENTRIES);
	ck_assert_uint_eq(kb_results_total(r), LIMIT_ENTRIES);
	kb_results_destroy(r);
	q.limit = LIMIT_ENTRIES;
	r = run(&q);
	ck_assert_uint_eq(kb_results_count(r), LIMIT_ENTRIES);
	ck_assert_uint_eq(kb_results_total(r), LIMIT_ENTRIES);
	kb_results_destroy(r);
	/* Limit 1 gives the same best hit as a longer list. */
	q = query("停机保号第七种办法");
	q.limit = 1;
	char *one = fx_search_ids(s, &q);
	ck_assert_str_eq(one, "lim-07");
	free(one);
}
END_TEST

static void assert_invalid(const kb_query_t *q, const char *message)
{
	kb_results_t *r = (kb_results_t *)1;
	ck_assert_int_eq(kb_search(s, q, &r), KB_ERR_INVALID_ARG);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(kb_searcher_last_error(s), message);
}

START_TEST(invalid_arguments)
{
	ck_assert_str_eq(kb_searcher_last_error(s), "no error");
	kb_query_t q = query("宽带");
	q.limit = KB_LIMIT_MAX + 1;
	assert_invalid(&q, "limit must be from 1 to 100");
	q = query("宽带");
	q.date = "2026-02-30";
	assert_invalid(&q, "date '2026-02-30' is not a date like 2026-11-23");
	q.date = "20260230";
	assert_invalid(&q, "date '20260230' is not a date like 2026-11-23");
	q = query("宽带");
	const char *upper[] = {"elderly", "VIP"};
	q.audiences = upper;
	q.audience_count = 2;
	assert_invalid(&q, "audience 'VIP' is not a tag: use lowercase ASCII letters, digits, '-' "
	                   "or '_'");
	const char *null_tag[] = {NULL};
	q.audiences = null_tag;
	q.audience_count = 1;
	assert_invalid(&q, "audience '(null)' is not a tag: use lowercase ASCII letters, digits, "
	                   "'-' or '_'");
	const char *many[KB_MAX_QUERY_AUDIENCES + 1];
	for (size_t i = 0; i <= KB_MAX_QUERY_AUDIENCES; i++)
		many[i] = "vip";
	q.audiences = many;
	q.audience_count = KB_MAX_QUERY_AUDIENCES + 1;
	assert_invalid(&q, "at most 16 audiences");
	q = query("宽带");
	q.version = 0;
	assert_invalid(&q, "the query is missing its text or has the wrong version");
	q = query(NULL);
	assert_invalid(&q, "the query is missing its text or has the wrong version");
	/* The searcher still works afterwards. */
	assert_first("宽带断网怎么报修", "bb-repair");
}
END_TEST

START_TEST(empty_and_punctuation_queries)
{
	static const char *const texts[] = {"", "   ", "，。！？", "...", "\xff\xfe", NULL};
	for (int i = 0; texts[i]; i++) {
		kb_query_t q = query(texts[i]);
		kb_results_t *r = run(&q);
		ck_assert_uint_eq(kb_results_count(r), 0);
		ck_assert_uint_eq(kb_results_total(r), 0);
		ck_assert_ptr_null(kb_results_hit(r, 0));
		kb_results_destroy(r);
	}
	/* Words no entry has. */
	kb_query_t q = query("zzzzqqq");
	kb_results_t *r = run(&q);
	ck_assert_uint_eq(kb_results_count(r), 0);
	kb_results_destroy(r);
}
END_TEST

/* ---- folding ------------------------------------------------------------------- */

START_TEST(traditional_query_finds_simplified_entry)
{
	assert_first("寬帶斷網怎麼報修", "bb-repair");
	assert_first("話費餘額", "bill-query");
}
END_TEST

START_TEST(simplified_query_finds_traditional_entry)
{
	assert_first("国际长途怎么收费", "trad-only");
	/* The hit shows the entry as written. */
	kb_query_t q = query("国际长途收费");
	kb_results_t *r = run(&q);
	ck_assert_str_eq(kb_results_hit(r, 0)->title, "國際長途怎麼收費");
	kb_results_destroy(r);
}
END_TEST

START_TEST(twins_follow_the_script_typed)
{
	assert_first("手机丢了怎么挂失", "twin-s");
	assert_first("手機丟了怎麼掛失", "twin-t");
}
END_TEST

START_TEST(full_width_query_finds_half_width)
{
	assert_first("２００Ｍ宽带", "bb-200m");
	assert_first("５Ｇ套餐", "pkg-5g");
	assert_first("5g套餐", "pkg-5g");
}
END_TEST

/* ---- highlighting --------------------------------------------------------------- */

static char *spans_of(const char *query_text, const char *text)
{
	size_t n = 99;
	kb_span_t *spans = (kb_span_t *)1;
	ck_assert_int_eq(kb_highlight(s, query_text, text, &n, &spans), KB_OK);
	char out[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, sizeof out - used, "%s%zu-%zu", i ? "," : "",
		                         spans[i].start, spans[i].end);
	if (n == 0)
		ck_assert_ptr_null(spans);
	free(spans);
	return strdup(out);
}

#define assert_spans(q, text, expected) fx_assert_str_owned(spans_of((q), (text)), (expected))

START_TEST(highlight_spans)
{
	/* 宽带 带断 断网 overlap: one merged span over 宽带断网 (bytes 6..18). */
	assert_spans("宽带断网", "家里宽带断网了", "6-18");
	/* An isolated character counts alone; a pair's characters do not. */
	assert_spans("查 话费", "查询话费余额", "0-3,6-12");
	assert_spans("话费", "话说回来，费用", "");
	assert_spans("5G", "５Ｇ套餐和5g", "0-6,15-17");
	assert_spans("宽带", "寬帶", "0-6");
	assert_spans("宽带", "没有关系", "");
	assert_spans("", "宽带", "");
}
END_TEST

START_TEST(common_characters_fallback)
{
	/* 怎 and 的 only as parts of a pair no entry has, and 怎 in many
	 * entries: dropped as too common at first, then searched after all
	 * rather than answering nothing. */
	kb_query_t q = query("怎的");
	kb_results_t *r = run(&q);
	ck_assert_uint_gt(kb_results_count(r), 0);
	for (size_t i = 0; i < kb_results_count(r); i++)
		ck_assert_msg(strstr(kb_results_hit(r, i)->title, "怎") != NULL ||
		                  strstr(kb_results_hit(r, i)->title, "的") != NULL,
		              "hit %s", kb_results_hit(r, i)->title);
	kb_results_destroy(r);
}
END_TEST

static int valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
		if (!n)
			return 0;
		for (int i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

START_TEST(long_answer_snippet)
{
	kb_query_t q = query("天翼云盘");
	kb_results_t *r = run(&q);
	const kb_hit_t *h = kb_results_hit(r, 0);
	ck_assert_str_eq(h->id, "long");
	ck_assert_ptr_null(h->matched);
	/* Cut to at most KB_SNIPPET_MAX_BYTES around the match, on character
	 * boundaries, the span pointing at the match in the snippet. */
	ck_assert_uint_le(strlen(h->snippet), 240);
	ck_assert_uint_ge(strlen(h->snippet), 200);
	ck_assert(valid_utf8(h->snippet));
	ck_assert_uint_eq(h->snippet_span_count, 1);
	size_t start = h->snippet_spans[0].start, end = h->snippet_spans[0].end;
	ck_assert_uint_eq(end - start, strlen("天翼云盘"));
	ck_assert_int_eq(strncmp(h->snippet + start, "天翼云盘", end - start), 0);
	ck_assert_uint_ge(start, 30); /* some context before it */
	kb_results_destroy(r);
}
END_TEST

/* Regression (a bug found by this suite, fixed): every search that finds nothing leaks 32 bytes:
 * kb_search() runs its second pass (common characters kept) into the same
 * kbx_matches_t without kbx_matches_clear(), and kbx_reader_search()
 * overwrites it, losing the one-element array run_search() calloc()ed for
 * the empty first pass.  A kb-query --serve answering no-hit queries grows
 * without bound. */
START_TEST(searches_without_hits_do_not_leak)
{
#ifdef HAVE_MALLINFO2
	static const char *const texts[] = {"zzzzqqq", "宽带断网怎么报修", NULL};
	for (int t = 0; texts[t]; t++) {
		kb_query_t q = query(texts[t]);
		for (int i = 0; i < 200; i++) {
			kb_results_t *r = run(&q);
			kb_results_destroy(r);
		}
		size_t before = mallinfo2().uordblks;
		for (int i = 0; i < 5000; i++) {
			kb_results_t *r = run(&q);
			kb_results_destroy(r);
		}
		size_t after = mallinfo2().uordblks;
		ck_assert_msg(after < before + 16384, "'%s': the heap grew by %zu bytes in 5000 searches",
		              texts[t], after - before);
	}
#endif
}
END_TEST

/* ---- searcher open ------------------------------------------------------------------ */

START_TEST(open_missing_path)
{
	char *dir = fx_tempdir();
	char *missing = fx_path(dir, "nope");
	kb_searcher_t *x = (kb_searcher_t *)1;
	char *err = NULL;
	ck_assert_int_eq(kb_searcher_open(missing, &x, &err), KB_ERR_NO_INDEX);
	ck_assert_ptr_null(x);
	char *want = fx_printf("no index at %s: No such file or directory (build one with kb-index)",
	                       missing);
	ck_assert_str_eq(err, want);
	free(err);
	free(want);
	/* An empty directory holds no index either. */
	ck_assert_int_eq(kb_searcher_open(dir, &x, &err), KB_ERR_NO_INDEX);
	ck_assert_ptr_null(x);
	want = fx_printf("no index at %s (build one with kb-index)", dir);
	ck_assert_str_eq(err, want);
	free(err);
	free(want);
	/* No path at all. */
	ck_assert_int_eq(kb_searcher_open("", &x, &err), KB_ERR_INVALID_ARG);
	ck_assert_str_eq(err, "no index given (use --db DIR or set KB_DB)");
	free(err);
	/* error_message may be NULL. */
	ck_assert_int_eq(kb_searcher_open(missing, &x, NULL), KB_ERR_NO_INDEX);
	free(missing);
	fx_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(open_plain_xapian_database)
{
	/* The live generation is a plain Xapian database: openable as such. */
	char *gen = fx_live_generation(shared_db);
	kb_searcher_t *plain = fx_searcher(gen);
	kb_query_t q = query("国际漫游开通");
	char *ids = fx_search_ids(plain, &q);
	ids[strcspn(ids, "|")] = '\0';
	ck_assert_str_eq(ids, "roam-open");
	free(ids);
	kb_searcher_destroy(plain);
	free(gen);
}
END_TEST

START_TEST(destroy_functions_accept_null)
{
	kb_searcher_destroy(NULL);
	kb_indexer_destroy(NULL);
	kb_results_destroy(NULL);
	ck_assert_uint_eq(kb_results_count(NULL), 0);
	ck_assert_uint_eq(kb_results_total(NULL), 0);
	ck_assert_ptr_null(kb_results_hit(NULL, 0));
	kb_query_t q;
	memset(&q, 0xff, sizeof q);
	kb_query_init(&q);
	ck_assert_int_eq(q.version, KB_QUERY_VERSION);
	ck_assert_ptr_null(q.text);
	ck_assert_ptr_null(q.audiences);
	ck_assert_uint_eq(q.audience_count, 0);
	ck_assert_ptr_null(q.region);
	ck_assert_uint_eq(q.limit, 0);
	ck_assert_ptr_null(q.date);
	ck_assert(!q.include_drafts);
}
END_TEST

/* ---- indexing and reindexing (each test its own index) --------------------------------- */

static char *dir, *db;

static void own_setup(void)
{
	dir = fx_tempdir();
	db = fx_path(dir, "db");
}

static void own_teardown(void)
{
	fx_rmtree(dir);
	free(dir);
	free(db);
}

static const char v1[] =
    "<entry id=\"A\"><title>宽带断网怎么报修</title><answer>旧答案：重启光猫。</answer></entry>\n"
    "<entry id=\"B\"><title>国际漫游怎么开通</title><answer>拨打10000。</answer></entry>\n"
    "<entry id=\"C\"><title>话费余额怎么查询</title><answer>发短信查询。</answer></entry>\n";

/* A changed, B as it was, C gone, D new. */
static const char v2[] =
    "<entry id=\"A\"><title>宽带断网怎么报修</title><answer>新答案：提交工单。</answer></entry>\n"
    "<entry id=\"B\"><title>国际漫游怎么开通</title><answer>拨打10000。</answer></entry>\n"
    "<entry id=\"D\"><title>积分怎么兑换</title><answer>App里兑换。</answer></entry>\n";

/* The ids x finds for text on date (NULL: today), joined by '|'. */
#define assert_find(x, text, date, want) fx_assert_str_owned(fx_find((x), (text), (date)), (want))

static void index_ok(const char *entries, int rebuild)
{
	char *xml = fx_kb(entries);
	char *diags = NULL;
	kb_status_t st = rebuild ? fx_index_rebuild(db, xml, &diags) : fx_index_xml(db, xml, &diags);
	ck_assert_msg(st == KB_OK, "indexing: %s: %s", kb_status_to_string(st), diags);
	free(diags);
	free(xml);
}

/* "id:answer" of every hit for each query, one line each: what a
 * customer would be told. */
static char *answers(kb_searcher_t *x)
{
	static const char *const queries[] = {"宽带断网", "国际漫游", "话费余额", "积分兑换",
	                                      "报修 漫游 话费 积分", NULL};
	char out[8192] = "";
	size_t used = 0;
	for (int i = 0; queries[i]; i++) {
		kb_query_t q = query(queries[i]);
		kb_results_t *r = NULL;
		ck_assert_int_eq(kb_search(x, &q, &r), KB_OK);
		for (size_t k = 0; k < kb_results_count(r); k++)
			used += (size_t)snprintf(out + used, sizeof out - used, "%s%s:%s",
			                         k ? " " : "", kb_results_hit(r, k)->id,
			                         kb_results_hit(r, k)->answer);
		used += (size_t)snprintf(out + used, sizeof out - used, "\n");
		kb_results_destroy(r);
	}
	return strdup(out);
}

static void failed_run_leaves_index(int rebuild)
{
	index_ok(v1, 0);
	kb_searcher_t *before = fx_searcher(db);
	char *expected = answers(before);
	ck_assert_ptr_nonnull(strstr(expected, "A:旧答案：重启光猫。"));
	int files = fx_count_dir(db);

	/* v2 plus one invalid entry. */
	char *entries = fx_printf("%s<entry id=\"E\"><answer>没有标题</answer></entry>\n", v2);
	char *xml = fx_kb(entries);
	char *src = fx_tempdir();
	char *file = fx_write(src, "kb.xml", xml);
	kb_index_options_t opts;
	kb_index_options_init(&opts);
	opts.rebuild = rebuild;
	kb_indexer_t *ix = NULL;
	char *err = NULL;
	ck_assert_int_eq(kb_indexer_open(db, &opts, &ix, &err), KB_OK);
	ck_assert_int_eq(kb_indexer_add_path(ix, file), KB_ERR_INVALID_INPUT);
	kb_index_stats_t stats;
	ck_assert_int_eq(kb_indexer_commit(ix, &stats), KB_ERR_INVALID_INPUT);
	ck_assert_str_eq(kb_indexer_last_error(ix), "1 problem in the input; the index was not changed");
	ck_assert_uint_eq(kb_indexer_diagnostic_count(ix), 1);
	char *want = fx_printf("%s:6: entry 'E': missing <title> (the standard question)", file);
	ck_assert_str_eq(kb_indexer_diagnostic(ix, 0), want);
	/* Still unchanged while the failed indexer is open, and after. */
	char *during = answers(before);
	ck_assert_str_eq(during, expected);
	kb_indexer_destroy(ix);

	char *after = answers(before);
	ck_assert_str_eq(after, expected);
	kb_searcher_t *fresh = fx_searcher(db);
	char *fresh_answers = answers(fresh);
	ck_assert_str_eq(fresh_answers, expected);
	ck_assert_int_eq(fx_count_dir(db), files); /* no generation left behind */

	/* And the next good run goes through. */
	index_ok(v2, rebuild);
	char *updated = answers(before);
	ck_assert_ptr_nonnull(strstr(updated, "A:新答案：提交工单。"));
	ck_assert_ptr_null(strstr(updated, "C:"));
	ck_assert_ptr_nonnull(strstr(updated, "D:App里兑换。"));

	kb_searcher_destroy(before);
	kb_searcher_destroy(fresh);
	free(expected);
	free(during);
	free(after);
	free(fresh_answers);
	free(updated);
	free(entries);
	free(xml);
	free(file);
	free(want);
	fx_rmtree(src);
	free(src);
}

START_TEST(failed_update_leaves_index_as_it_was)
{
	failed_run_leaves_index(0);
}
END_TEST

START_TEST(failed_rebuild_leaves_index_as_it_was)
{
	failed_run_leaves_index(1);
}
END_TEST

START_TEST(second_indexer_is_locked_out)
{
	kb_indexer_t *first = NULL, *second = (kb_indexer_t *)1;
	char *err = NULL;
	ck_assert_int_eq(kb_indexer_open(db, NULL, &first, &err), KB_OK);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(kb_indexer_open(db, NULL, &second, &err), KB_ERR_LOCKED);
	ck_assert_ptr_null(second);
	char *want = fx_printf("another kb-index is updating %s; try again when it has finished", db);
	ck_assert_str_eq(err, want);
	free(err);
	free(want);
	/* Also when the first one is updating a live index in place. */
	kb_indexer_destroy(first);
	index_ok(v1, 0);
	ck_assert_int_eq(kb_indexer_open(db, NULL, &first, NULL), KB_OK);
	ck_assert_int_eq(kb_indexer_open(db, NULL, &second, NULL), KB_ERR_LOCKED);
	kb_indexer_destroy(first);
	/* Released: the next one gets in. */
	ck_assert_int_eq(kb_indexer_open(db, NULL, &second, &err), KB_OK);
	kb_indexer_destroy(second);
}
END_TEST

START_TEST(refuses_a_directory_that_is_not_an_index)
{
	char *notes = fx_write(dir, "notes.txt", "keep me");
	kb_indexer_t *ix = (kb_indexer_t *)1;
	char *err = NULL;
	ck_assert_int_eq(kb_indexer_open(dir, NULL, &ix, &err), KB_ERR_IO);
	ck_assert_ptr_null(ix);
	char *want = fx_printf("%s exists and is not a kb index directory; refusing to write into "
	                       "it (name a new or empty directory)",
	                       dir);
	ck_assert_str_eq(err, want);
	char *kept = fx_read_file(notes, NULL);
	ck_assert_str_eq(kept, "keep me");
	ck_assert_int_eq(fx_count_dir(dir), 1);
	free(err);
	free(want);
	free(kept);
	free(notes);
}
END_TEST

/* n entries from fmt, which may use the entry's number (%1$d) several
 * times; malloc()ed. */
static char *numbered_entries(int n, const char *fmt)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < n; i++)
		fprintf(f, fmt, i);
	ck_assert_int_eq(fclose(f), 0);
	return out;
}

/* The entries indexed into db (which must succeed), and a searcher on it. */
static kb_searcher_t *index_and_open(const char *entries)
{
	char *xml = fx_kb(entries), *diags = NULL;
	ck_assert_int_eq(fx_index_xml(db, xml, &diags), KB_OK);
	free(diags);
	free(xml);
	return fx_searcher(db);
}

/* Dates are checked on the matches found; when every match fetched is out
 * of date, the search runs again with the dates in the query and still finds
 * the valid entry behind them, and total counts only valid entries. */
START_TEST(dates_checked_past_many_expired_matches)
{
	char *old = numbered_entries(30, "<entry id=\"old-%1$02d\"><title>宽带报修流程说明</title>"
	                                 "<valid until=\"2020-01-01\"/><answer>旧流程</answer></entry>");
	char *all = fx_printf("%s<entry id=\"new\"><title>宽带报修</title>"
	                      "<valid from=\"2026-01-01\"/><answer>新流程</answer></entry>",
	                      old);
	kb_searcher_t *s2 = index_and_open(all);
	kb_query_t q;
	kb_query_init(&q);
	q.text = "宽带报修流程说明";
	q.date = "2026-11-23";
	q.limit = 1;
	char *ids = fx_search_ids(s2, &q);
	ck_assert_str_eq(ids, "new");
	kb_results_t *r = NULL;
	ck_assert_int_eq(kb_search(s2, &q, &r), KB_OK);
	ck_assert_uint_eq(kb_results_total(r), 1);
	kb_results_destroy(r);
	q.date = "2019-06-01";
	free(ids);
	ids = fx_search_ids(s2, &q);
	ck_assert_str_eq(ids, "old-00");
	kb_searcher_destroy(s2);
	free(ids);
	free(all);
	free(old);
}
END_TEST

/* Only rare terms find documents, and the rarest always does: a pair no
 * entry has (a typo) is not that rarest term, or a query of otherwise
 * common words would find nothing. */
START_TEST(a_term_no_entry_has_does_not_find)
{
	char *entries = numbered_entries(6000, "<entry id=\"e%1$04d\"><title>实名认证办法%1$d</title>"
	                                       "<answer>a</answer></entry>");
	kb_searcher_t *s2 = index_and_open(entries);
	kb_query_t q;
	kb_query_init(&q);
	q.text = "哪实名认证";
	q.limit = 1;
	kb_results_t *r = NULL;
	ck_assert_int_eq(kb_search(s2, &q, &r), KB_OK);
	ck_assert_uint_eq(kb_results_count(r), 1);
	kb_results_destroy(r);
	kb_searcher_destroy(s2);
	free(entries);
}
END_TEST

/* An index written by another version of kb is refused with a way out, not
 * misread. */
START_TEST(searcher_refuses_another_index_format)
{
	char *xml = fx_kb("<entry id=\"a\"><title>宽带报修</title><answer>打10000</answer></entry>");
	char *diags = NULL;
	ck_assert_int_eq(fx_index_xml(db, xml, &diags), KB_OK);
	char *live = fx_path(db, "current");
	kbx_writer_t *w = NULL;
	char *err = NULL;
	ck_assert_int_eq(kbx_writer_open(live, &w, &err), KB_OK);
	ck_assert_int_eq(kbx_writer_set_metadata(w, KB_META_FORMAT, "1", &err), KB_OK);
	ck_assert_int_eq(kbx_writer_commit(w, &err), KB_OK);
	kbx_writer_free(w);
	kb_searcher_t *s2 = NULL;
	ck_assert_int_eq(kb_searcher_open(db, &s2, &err), KB_ERR_INDEX);
	ck_assert_ptr_null(s2);
	ck_assert_str_eq(err, "the index was built by another version of kb (format 1, this one "
	                      "reads " KB_INDEX_FORMAT "): rebuild it with kb-index --rebuild");
	free(err);
	free(live);
	free(diags);
	free(xml);
}
END_TEST

/* The index keeps the word table its entries were cut with: searches and
 * updates use it, whatever the word list says by then, and only a rebuild
 * reads the list again. */
START_TEST(the_index_keeps_its_words)
{
	fx_use_word_list("words.txt");
	index_ok(v1, 1);
	setenv("KB_DICTIONARY", "/nonexistent/words.txt", 1);
	kb_searcher_t *x = fx_searcher(db);
	kb_query_t q = query("宽带报修");
	kb_results_t *r = NULL;
	ck_assert_int_eq(kb_search(x, &q, &r), KB_OK);
	ck_assert_uint_ge(kb_results_count(r), 1);
	ck_assert_str_eq(kb_results_hit(r, 0)->id, "A");
	kb_results_destroy(r);
	kb_searcher_destroy(x);
	/* An update cuts with the index's table too. */
	index_ok(v2, 0);
	/* A rebuild needs the list, and says where it looked. */
	kb_indexer_t *ix = NULL;
	kb_index_options_t o;
	kb_index_options_init(&o);
	o.rebuild = 1;
	char *err = NULL;
	ck_assert_int_eq(kb_indexer_open(db, &o, &ix, &err), KB_ERR_IO);
	ck_assert_str_eq(err, "cannot read the word list /nonexistent/words.txt: "
	                      "No such file or directory");
	free(err);
	unsetenv("KB_DICTIONARY");
}
END_TEST

/* What a search sends to Xapian: a term in nearly all documents of a term
 * holding it is searched for both (one list read instead of two), and of
 * the terms that only score, the ones that can add most are kept. */
static char *describe(kbx_reader_t *r, const kbx_weighted_term_t *terms, size_t n,
                      double fold_share, double fold_min_docs, double find_budget,
                      unsigned max_scoring)
{
	kbx_search_t q = {.terms = terms,
	                  .term_count = n,
	                  .find_fraction = 0.01,
	                  .find_min_docs = 1000,
	                  .find_budget = find_budget,
	                  .common_fraction = 1,
	                  .fold_share = fold_share,
	                  .fold_min_docs = fold_min_docs,
	                  .max_scoring = max_scoring,
	                  .collapse_slot = -1,
	                  .limit = 10};
	char *out = NULL, *err = NULL;
	ck_assert_int_eq(kbx_reader_describe(r, &q, &out, &err), KB_OK);
	return out;
}

#define assert_query(want, ...) fx_assert_str_owned(describe(__VA_ARGS__), (want))

START_TEST(the_query_folds_nearly_equal_lists_and_keeps_the_best_scorers)
{
	index_ok("<entry id=\"a\"><title>查询话费</title><answer>a</answer></entry>"
	         "<entry id=\"b\"><title>话费余额</title><answer>a</answer></entry>",
	         0);
	char *live = fx_path(db, "current");
	kbx_reader_t *r = NULL;
	char *err = NULL;
	ck_assert_int_eq(kbx_reader_open(live, &r, &err), KB_OK);

	/* 话 and 话费 are in the same two documents, W话费 too: one list
	 * stands for all three, with all their weights (idf alike: 1+1+3). */
	kbx_weighted_term_t pair[] = {
	    {"话", strlen("话"), 1.0, 1, {0, 0}},
	    {"话费", strlen("话费"), 1.0, 0, {1, 0}},
	    {"W话费", strlen("W话费"), 3.0, 0, {2, 0}},
	};
	assert_query("Query(5 * W话费)", r, pair, 3, 0.8, 2, 5000, 0);
	assert_query("Query(((话费 OR 3 * W话费) AND_MAYBE 话))", r, pair, 3, 0, 2, 5000, 0);
	/* Lists shorter than fold_min_docs stay apart. */
	assert_query("Query(((话费 OR 3 * W话费) AND_MAYBE 话))", r, pair, 3, 0.8, 3, 5000, 0);

	/* Only the rarest term finds (no budget; 查, the first of those in one
	 * document); of the five that score, the two that can add most stay. */
	kbx_weighted_term_t many[] = {
	    {"话", strlen("话"), 1.0, 0, {0, 0}}, {"费", strlen("费"), 1.0, 0, {0, 0}},
	    {"查", strlen("查"), 1.0, 0, {0, 0}}, {"询", strlen("询"), 1.0, 0, {0, 0}},
	    {"余", strlen("余"), 2.0, 0, {0, 0}}, {"额", strlen("额"), 3.0, 0, {0, 0}},
	};
	assert_query("Query((查 AND_MAYBE (3 * 额 OR 2 * 余)))", r, many, 6, 0.8, 2, 0, 2);
	assert_query("Query((查 AND_MAYBE (询 OR 2 * 余 OR 3 * 额 OR 话 OR 费)))", r, many, 6, 0.8, 2, 0, 0);

	kbx_reader_free(r);
	free(live);
}
END_TEST

/* Of two questions sharing the query's words, the one that says just what
 * the query says comes first, though the other holds the query's pairs in
 * the same order (BM25 alone ranks it first, 5.9 to 5.7). */
START_TEST(the_paraphrase_saying_just_the_query_comes_first)
{
	kb_searcher_t *x = index_and_open(
	    "<entry id=\"x\"><title>门锁如何打开</title><answer>a</answer></entry>\n"
	    "<entry id=\"y\"><title>如何打开门锁的电池盒盖子</title><answer>b</answer></entry>\n"
	    "<entry id=\"z\"><title>车门锁坏了如何打开车门</title><answer>c</answer></entry>\n");
	kb_query_t q = query("如何打开门锁");
	kb_results_t *r = NULL;
	ck_assert_int_eq(kb_search(x, &q, &r), KB_OK);
	ck_assert_uint_eq(kb_results_count(r), 3);
	ck_assert_str_eq(kb_results_hit(r, 0)->id, "x");
	ck_assert_str_eq(kb_results_hit(r, 1)->id, "y");
	/* An alt close to the query counts as the title would. */
	kb_results_destroy(r);
	kb_searcher_destroy(x);
	x = index_and_open(
	    "<entry id=\"x\"><title>开锁服务</title><alt>门锁如何打开</alt><answer>a</answer></entry>\n"
	    "<entry id=\"y\"><title>如何打开门锁的电池盒盖子</title><answer>b</answer></entry>\n");
	ck_assert_int_eq(kb_search(x, &q, &r), KB_OK);
	ck_assert_str_eq(kb_results_hit(r, 0)->id, "x");
	kb_results_destroy(r);
	kb_searcher_destroy(x);
}
END_TEST

START_TEST(bad_arguments_to_open)
{
	kb_indexer_t *ix = (kb_indexer_t *)1;
	char *err = NULL;
	ck_assert_int_eq(kb_indexer_open("", NULL, &ix, &err), KB_ERR_INVALID_ARG);
	ck_assert_ptr_null(ix);
	ck_assert_str_eq(err, "no index directory given");
	free(err);
	kb_index_options_t opts;
	kb_index_options_init(&opts);
	ck_assert_int_eq(opts.version, KB_INDEX_OPTIONS_VERSION);
	ck_assert(!opts.rebuild);
	ck_assert(opts.progress == NULL);
	opts.version = 99;
	ck_assert_int_eq(kb_indexer_open(db, &opts, &ix, &err), KB_ERR_INVALID_ARG);
	ck_assert_str_eq(err, "unknown kb_index_options_t version");
	free(err);
}
END_TEST

START_TEST(searcher_follows_an_update)
{
	index_ok(v1, 0);
	kb_searcher_t *x = fx_searcher(db);
	assert_find(x, "积分兑换", NULL, "");
	index_ok(v2, 0);
	/* The same searcher, without reopening, sees the update. */
	assert_find(x, "积分兑换", NULL, "D");
	assert_find(x, "话费余额", NULL, "");
	char *got = answers(x);
	ck_assert_ptr_nonnull(strstr(got, "A:新答案：提交工单。"));
	free(got);
	kb_searcher_destroy(x);
}
END_TEST

START_TEST(searcher_follows_a_rebuild)
{
	index_ok(v1, 1);
	kb_searcher_t *x = fx_searcher(db);
	assert_find(x, "话费余额", NULL, "C");
	index_ok(v2, 1);
	assert_find(x, "积分兑换", NULL, "D");
	assert_find(x, "话费余额", NULL, "");
	/* A third generation: the first is deleted, the searcher moves on. */
	index_ok(v1, 1);
	assert_find(x, "话费余额", NULL, "C");
	assert_find(x, "积分兑换", NULL, "");
	/* current, lock, and two generations (the live one and the one a
	 * reader may still be switching from). */
	ck_assert_int_eq(fx_count_dir(db), 4);
	kb_searcher_destroy(x);
}
END_TEST

static kb_index_stats_t index_stats(const char *entries, int rebuild)
{
	char *xml = fx_kb(entries);
	char *src = fx_tempdir();
	char *file = fx_write(src, "kb.xml", xml);
	kb_index_options_t opts;
	kb_index_options_init(&opts);
	opts.rebuild = rebuild;
	kb_indexer_t *ix = NULL;
	ck_assert_int_eq(kb_indexer_open(db, &opts, &ix, NULL), KB_OK);
	ck_assert_int_eq(kb_indexer_add_path(ix, file), KB_OK);
	kb_index_stats_t stats;
	memset(&stats, 0xff, sizeof stats);
	ck_assert_int_eq(kb_indexer_commit(ix, &stats), KB_OK);
	kb_indexer_destroy(ix);
	free(xml);
	free(file);
	fx_rmtree(src);
	free(src);
	return stats;
}

START_TEST(stats_of_build_and_update)
{
	kb_index_stats_t st = index_stats(v1, 0);
	ck_assert_uint_eq(st.entries, 3);
	ck_assert_uint_eq(st.files, 1);
	ck_assert_uint_eq(st.added, 3);
	ck_assert_uint_eq(st.changed, 0);
	ck_assert_uint_eq(st.removed, 0);
	ck_assert_uint_eq(st.unchanged, 0);
	ck_assert_int_eq(st.rebuilt, 1);
	ck_assert(st.seconds >= 0 && st.seconds < 60);
	st = index_stats(v2, 0);
	ck_assert_uint_eq(st.entries, 3);
	ck_assert_uint_eq(st.added, 1);     /* D */
	ck_assert_uint_eq(st.changed, 1);   /* A */
	ck_assert_uint_eq(st.removed, 1);   /* C */
	ck_assert_uint_eq(st.unchanged, 1); /* B */
	ck_assert_int_eq(st.rebuilt, 0);
	st = index_stats(v2, 0);
	ck_assert_uint_eq(st.unchanged, 3);
	ck_assert_uint_eq(st.added + st.changed + st.removed, 0);
	st = index_stats(v2, 1);
	ck_assert_uint_eq(st.added, 3);
	ck_assert_int_eq(st.rebuilt, 1);
}
END_TEST

/* A rebuild writes its database aside and publishes it compacted; updates
 * then change the compacted database in place. */
START_TEST(a_rebuild_publishes_its_database_compacted)
{
	index_ok(v1, 1);
	char *live = fx_path(db, "current");
	char *build = fx_path(live, KB_DIR_BUILD);
	char *postlist = fx_path(live, "postlist.glass");
	struct stat sb;
	ck_assert_int_eq(stat(postlist, &sb), 0);
	ck_assert_int_ne(stat(build, &sb), 0);
	ck_assert_int_eq(errno, ENOENT);
	index_ok(v2, 0);
	ck_assert_int_ne(stat(build, &sb), 0);
	kb_searcher_t *x = fx_searcher(db);
	assert_find(x, "宽带", NULL, "A");
	kb_searcher_destroy(x);
	free(postlist);
	free(build);
	free(live);
}
END_TEST

/* Compaction keeps docids (entry keys hold them), gaps included, and
 * joins databases of disjoint docid ranges (writers of one rebuild). */
static void write_docs(const char *path, const char *const *terms, const unsigned *docids,
                       size_t n)
{
	kbx_writer_t *w = NULL;
	char *err = NULL;
	ck_assert_int_eq(kbx_writer_create(path, &w, &err), KB_OK);
	for (size_t i = 0; i < n; i++) {
		kbx_doc_t *d = NULL;
		ck_assert_int_eq(kbx_doc_new(&d, &err), KB_OK);
		ck_assert_int_eq(kbx_doc_add_term(d, terms[i], strlen(terms[i]), 1, &err), KB_OK);
		ck_assert_int_eq(kbx_writer_add(w, d, docids[i], &err), KB_OK);
		kbx_doc_free(d);
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(terms[i], "Xtwo") == 0)
			ck_assert_int_eq(kbx_writer_delete_documents(w, docids[i], 1, &err), KB_OK);
	ck_assert_int_eq(kbx_writer_commit(w, &err), KB_OK);
	kbx_writer_free(w);
}

static unsigned docid_of(kbx_reader_t *r, const char *term)
{
	kbx_weighted_term_t t = {term, strlen(term), 1.0, 0, {0, 0}};
	kbx_search_t q = {.terms = &t, .term_count = 1, .find_fraction = 1,
	                  .find_min_docs = 1, .find_budget = 1e9, .common_fraction = 1,
	                  .collapse_slot = -1, .limit = 10};
	kbx_matches_t m;
	char *err = NULL;
	ck_assert_int_eq(kbx_reader_search(r, &q, &m, &err), KB_OK);
	unsigned docid = m.count == 1 ? m.items[0].docid : 0;
	kbx_matches_clear(&m);
	return docid;
}

START_TEST(compaction_keeps_docids)
{
	char *a = fx_path(dir, "a"), *b = fx_path(dir, "b"), *to = fx_path(dir, "to");
	static const char *const first[] = {"Xone", "Xtwo", "Xthree"};
	static const unsigned first_ids[] = {1, 2, 3};
	static const char *const second[] = {"Xten", "Xeleven"};
	static const unsigned second_ids[] = {10, 11};
	write_docs(a, first, first_ids, 3);
	write_docs(b, second, second_ids, 2);
	const char *both[] = {a, b};
	char *err = NULL;
	ck_assert_int_eq(kbx_compact(both, 2, to, &err), KB_OK);

	kbx_reader_t *r = NULL;
	ck_assert_int_eq(kbx_reader_open(to, &r, &err), KB_OK);
	ck_assert_uint_eq(docid_of(r, "Xthree"), 3);
	ck_assert_uint_eq(docid_of(r, "Xten"), 10);
	ck_assert_uint_eq(docid_of(r, "Xeleven"), 11);
	ck_assert_uint_eq(docid_of(r, "Xtwo"), 0);
	kbx_reader_free(r);
	/* A database that is not there is an error, not a crash. */
	char *missing = fx_path(dir, "missing");
	const char *none[] = {missing};
	ck_assert_int_eq(kbx_compact(none, 1, to, &err), KB_ERR_NO_INDEX);
	ck_assert_ptr_nonnull(err);
	free(err);
	free(missing);
	free(a);
	free(b);
	free(to);
}
END_TEST

/* Writes a file of the given entries into dir; the path, malloc()ed. */
static char *write_kb(const char *dir_path, const char *name, const char *entries)
{
	char *xml = fx_kb(entries);
	char *path = fx_write(dir_path, name, xml);
	free(xml);
	return path;
}

/* Every hit of every query as "id score matched", one query per line. */
static char *all_hits(kb_searcher_t *x, const char *const *queries)
{
	char *out = strdup("");
	for (size_t i = 0; queries[i]; i++) {
		kb_query_t q;
		kb_query_init(&q);
		q.text = queries[i];
		q.limit = 20;
		kb_results_t *r = NULL;
		ck_assert_int_eq(kb_search(x, &q, &r), KB_OK);
		for (size_t k = 0; k < kb_results_count(r); k++) {
			const kb_hit_t *h = kb_results_hit(r, k);
			char *more = fx_printf("%s%s %.6f %s%s", out, h->id, h->score,
			                       h->matched ? h->matched : "-",
			                       k + 1 < kb_results_count(r) ? "|" : "\n");
			free(out);
			out = more;
		}
		kb_results_destroy(r);
	}
	return out;
}

/* A new database is written in batches of documents (committed as it
 * goes): a build of several batches, by one writer and by two, numbers
 * every question as its entry key promises, so each alt is found as the
 * matched question of its own entry. */
START_TEST(a_build_of_many_batches_finds_every_question)
{
	enum { ENTRIES = 1500 };
	size_t cap = ENTRIES * 160, n = 0;
	char *entries = malloc(cap);
	ck_assert_ptr_nonnull(entries);
	for (int i = 0; i < ENTRIES; i++)
		n += (size_t)snprintf(entries + n, cap - n,
		                      "<entry id=\"e%d\"><title>套餐%d怎么办理</title>%s"
		                      "<answer>营业厅办理。</answer></entry>\n",
		                      i, i, i % 3 ? "<alt>宽带多少钱</alt>" : "");
	char *src = fx_path(dir, "src");
	ck_assert_int_eq(mkdir(src, 0777), 0);
	free(write_kb(src, "kb.xml", entries));
	const char *paths[] = {src};
	kb_index_options_t o;
	kb_index_options_init(&o);
	char *one = fx_path(dir, "one"), *two = fx_path(dir, "two");
	ck_assert_int_eq(fx_index_paths(one, &o, paths, 1, NULL), KB_OK);
	o.jobs = 2;
	ck_assert_int_eq(fx_index_paths(two, &o, paths, 1, NULL), KB_OK);
	const char *dbs[] = {one, two};
	for (size_t d = 0; d < 2; d++) {
		kb_searcher_t *x = fx_searcher(dbs[d]);
		for (int i = 0; i < ENTRIES; i += 37) {
			char *title = fx_printf("套餐%d怎么办理", i), *id = fx_printf("e%d", i);
			kb_query_t q;
			kb_query_init(&q);
			q.text = title;
			kb_results_t *r = NULL;
			ck_assert_int_eq(kb_search(x, &q, &r), KB_OK);
			ck_assert_uint_ge(kb_results_count(r), 1);
			const kb_hit_t *h = kb_results_hit(r, 0);
			ck_assert_str_eq(h->id, id);
			ck_assert_str_eq(h->matched, title);
			kb_results_destroy(r);
			free(title);
			free(id);
		}
		kb_searcher_destroy(x);
	}
	free(entries);
	free(one);
	free(two);
	free(src);
}
END_TEST

/* "COUNT of TOTAL: id score matched ..." for a search for text with
 * limit. */
static char *hits_and_total(kb_searcher_t *x, const char *text, unsigned limit)
{
	kb_query_t q;
	kb_query_init(&q);
	q.text = text;
	q.limit = limit;
	kb_results_t *r = NULL;
	ck_assert_int_eq(kb_search(x, &q, &r), KB_OK);
	char *out = fx_printf("%zu of %zu:", kb_results_count(r), kb_results_total(r));
	for (size_t k = 0; k < kb_results_count(r); k++) {
		const kb_hit_t *h = kb_results_hit(r, k);
		char *more = fx_printf("%s %s %.6f %s", out, h->id, h->score, h->matched);
		free(out);
		out = more;
	}
	kb_results_destroy(r);
	return out;
}

/* A kb index directory is searched without Xapian's collapse (a quarter
 * more documents than hits, then one per entry, and again for more when an
 * entry's questions fill them); its live generation opened as a plain Xapian
 * database is collapsed by Xapian.  Both give the same hits, and the same
 * total when every match was seen.  "many" has 60 questions that match
 * before any other entry's, so it fills the documents first asked for.
 * The same with the keys read once and kept in memory (kb_serve). */
START_TEST(collapsing_after_the_match_keeps_what_xapian_keeps)
{
	char *alts = numbered_entries(60, "<alt>套餐变更第%d种问法</alt>");
	char *others = numbered_entries(30, "<entry id=\"e%1$02d\"><title>办理业务%1$d</title>"
	                                    "<alt>套餐怎么改%1$d</alt><answer>营业厅。</answer></entry>");
	char *entries = fx_printf("<entry id=\"many\"><title>套餐变更</title>%s"
	                          "<answer>App里改。</answer></entry>%s",
	                          alts, others);
	kb_searcher_t *dir_searchers[] = {index_and_open(entries), fx_searcher(db)};
	kb_searcher_expect_many(dir_searchers[1]);
	char *gen = fx_live_generation(db);
	kb_searcher_t *plain = fx_searcher(gen);

	for (size_t d = 0; d < 2; d++) {
		kb_searcher_t *dir_searcher = dir_searchers[d];
		char *got = hits_and_total(dir_searcher, "套餐变更", 20);
		ck_assert_msg(strncmp(got, "20 of ", 6) == 0, "%s", got);
		const char *first = strstr(got, ": many ");
		ck_assert_msg(first && !strstr(first + strlen(": many"), " many "), "%s", got);
		free(got);
		static const char *const texts[] = {"套餐变更", "套餐变更第7种问法", "套餐怎么改",
		                                    "办理业务3"};
		static const unsigned limits[] = {1, 20, 100};
		for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
			for (size_t l = 0; l < sizeof limits / sizeof *limits; l++) {
				char *want = hits_and_total(plain, texts[t], limits[l]);
				char *have = hits_and_total(dir_searcher, texts[t], limits[l]);
				unsigned count = 0;
				ck_assert_int_eq(sscanf(want, "%u", &count), 1);
				ck_assert_uint_gt(count, 0);
				/* Past the limit the total is an estimate, each its own. */
				if (count == limits[l])
					ck_assert_str_eq(strchr(have, ':'), strchr(want, ':'));
				else
					ck_assert_msg(strcmp(have, want) == 0, "searcher %zu: %s\nXapian: %s", d,
					              have, want);
				free(want);
				free(have);
			}
		}
		kb_searcher_destroy(dir_searcher);
	}
	kb_searcher_destroy(plain);
	free(gen);
	free(entries);
	free(others);
	free(alts);
}
END_TEST

/* A server's tables of a new generation are read a slice of documents
 * per search, the rest read from the index meanwhile: over a rebuild to
 * 10,000 entries (30,000 documents, more than one slice), each search
 * answers as a searcher without tables does, whichever slice the matches
 * fall in, and the second and third searches as the first. */
START_TEST(a_new_generation_is_read_a_slice_a_search)
{
	kb_searcher_t *many = index_and_open("<entry id=\"old\"><title>套餐变更</title>"
	                                     "<answer>a</answer></entry>");
	kb_searcher_expect_many(many);
	char *entries = numbered_entries(10000, "<entry id=\"n%1$05d\"><title>套餐%1$d号变更</title>"
	                                        "<alt>第%1$d号套餐怎么改</alt><answer>a</answer></entry>");
	char *xml = fx_kb(entries), *diags = NULL;
	ck_assert_int_eq(fx_index_rebuild(db, xml, &diags), KB_OK);
	free(diags);
	kb_searcher_t *one_off = fx_searcher(db);
	/* The first search after the rebuild finds an entry past the first
	 * slice. */
	static const char *const texts[] = {"套餐9999号变更", "第5000号套餐怎么改", "套餐7号变更",
	                                    "套餐变更", NULL};
	for (int round = 0; round < 3; round++) {
		for (size_t t = 0; texts[t]; t++) {
			char *want = hits_and_total(one_off, texts[t], 20);
			char *have = hits_and_total(many, texts[t], 20);
			ck_assert_msg(strcmp(have, want) == 0, "round %d, %s:\n%s\nwithout tables:\n%s",
			              round, texts[t], have, want);
			free(want);
			free(have);
		}
	}
	char *top = hits_and_total(many, "套餐9999号变更", 1);
	ck_assert_msg(strstr(top, ": n09999 "), "%s", top);
	free(top);
	kb_searcher_destroy(one_off);
	kb_searcher_destroy(many);
	free(xml);
	free(entries);
}
END_TEST

/* While no request waits, a server moves to a new generation and reads its
 * tables a slice at a time (kb_serve's idle work): each call reads
 * KB_IDLE_SLICE more documents, until none is left, and searches then
 * answer as a searcher without tables does. */
START_TEST(an_idle_server_reads_a_new_generation_a_slice_at_a_time)
{
	kb_searcher_t *many = index_and_open("<entry id=\"old\"><title>套餐变更</title>"
	                                     "<answer>a</answer></entry>");
	ck_assert_uint_eq(kb_searcher_idle(many), 0);
	kb_searcher_expect_many(many);
	ck_assert_uint_eq(kb_searcher_idle(many), 0);
	char *entries = numbered_entries(10000, "<entry id=\"n%1$05d\"><title>套餐%1$d号变更</title>"
	                                        "<alt>第%1$d号套餐怎么改</alt><answer>a</answer></entry>");
	char *xml = fx_kb(entries), *diags = NULL;
	ck_assert_int_eq(fx_index_rebuild(db, xml, &diags), KB_OK);
	free(diags);
	/* 30,000 documents: the first call finds the generation, then each
	 * reads one slice. */
	unsigned behind = kb_searcher_idle(many), calls = 1;
	ck_assert_uint_gt(behind, 20000);
	ck_assert_uint_lt(behind, 30000);
	while (behind) {
		unsigned next = kb_searcher_idle(many);
		ck_assert_uint_eq(next, behind > KB_IDLE_SLICE ? behind - KB_IDLE_SLICE : 0);
		behind = next;
		calls++;
	}
	ck_assert_uint_le(calls, 30000 / KB_IDLE_SLICE + 1);
	ck_assert_uint_eq(kb_searcher_idle(many), 0);
	kb_searcher_t *one_off = fx_searcher(db);
	static const char *const texts[] = {"套餐9999号变更", "第5000号套餐怎么改", "套餐变更", NULL};
	for (size_t t = 0; texts[t]; t++) {
		char *want = hits_and_total(one_off, texts[t], 20);
		char *have = hits_and_total(many, texts[t], 20);
		ck_assert_msg(strcmp(have, want) == 0, "%s:\n%s\nwithout tables:\n%s", texts[t], have,
		              want);
		free(want);
		free(have);
	}
	kb_searcher_destroy(one_off);
	kb_searcher_destroy(many);
	free(xml);
	free(entries);
}
END_TEST

/* A rebuild by several writers at once answers exactly as one writer's
 * (the same hits, scores and matched questions), over entries of several
 * files with alts, and an update in place follows it. */
START_TEST(writers_at_once_build_the_same_index)
{
	char *src = fx_path(dir, "src");
	char *sub = fx_path(src, "sub");
	ck_assert_int_eq(mkdir(src, 0777), 0);
	ck_assert_int_eq(mkdir(sub, 0777), 0);
	char *files[] = {
	    write_kb(src, "a.xml",
	        "<entry id=\"a1\"><title>宽带断网怎么报修</title><alt>家里网断了</alt>"
	        "<alt>光猫红灯</alt><answer>重启光猫。</answer></entry>"
	        "<entry id=\"a2\"><title>国际漫游怎么开通</title><answer>拨打10000。</answer></entry>"
	        "<entry id=\"a3\"><title>话费余额怎么查询</title><alt>还剩多少钱</alt>"
	        "<answer>发短信查询。</answer></entry>"),
	    write_kb(sub, "b.xml",
	        "<entry id=\"b1\"><title>积分怎么兑换</title><answer>App里兑换。</answer></entry>"
	        "<entry id=\"b2\"><title>携号转网需要什么条件</title><alt>怎么转网</alt>"
	        "<audience>vip</audience><answer>带身份证。</answer></entry>"),
	    write_kb(src, "c.xml",
	        "<entry id=\"c1\"><title>5G套餐怎么办理</title><answer>营业厅办理。</answer></entry>"
	        "<entry id=\"c2\"><title>宽带续费</title><alt>宽带到期了</alt>"
	        "<answer>交费即可。</answer></entry>"
	        "<entry id=\"c3\"><title>停机保号怎么办</title><answer>拨打10000。</answer></entry>"),
	};
	char *one = fx_path(dir, "one"), *three = fx_path(dir, "three");
	kb_index_options_t o;
	kb_index_options_init(&o);
	const char *paths[] = {src};
	char *diags = NULL;
	ck_assert_int_eq(fx_index_paths(one, &o, paths, 1, &diags), KB_OK);
	free(diags);
	o.jobs = 3;
	ck_assert_int_eq(fx_index_paths(three, &o, paths, 1, &diags), KB_OK);
	free(diags);

	static const char *const queries[] = {"宽带", "网断了", "光猫", "漫游", "还剩多少钱",
	                                      "转网", "兑换积分", "5G", "拨打10000", "宽带到期",
	                                      NULL};
	kb_searcher_t *x1 = fx_searcher(one), *x3 = fx_searcher(three);
	char *want = all_hits(x1, queries), *got = all_hits(x3, queries);
	ck_assert_str_eq(got, want);
	ck_assert_ptr_nonnull(strstr(got, "a1 "));
	ck_assert_ptr_nonnull(strstr(got, "c2 "));
	free(got);
	kb_searcher_destroy(x3);

	/* An update in place after it: one entry changed, one removed. */
	char *changed = write_kb(src, "c.xml",
	    "<entry id=\"c1\"><title>5G套餐怎么办理</title><answer>营业厅办理。</answer></entry>"
	    "<entry id=\"c2\"><title>宽带续费多少钱</title><answer>交费即可。</answer></entry>");
	o.jobs = 0;
	ck_assert_int_eq(fx_index_paths(three, &o, paths, 1, &diags), KB_OK);
	free(diags);
	x3 = fx_searcher(three);
	assert_find(x3, "停机保号", NULL, "");
	char *ids = fx_find(x3, "宽带续费多少钱", NULL);
	ck_assert_str_eq(strtok(ids, "|"), "c2");
	free(ids);
	kb_searcher_destroy(x3);
	kb_searcher_destroy(x1);
	free(want);
	free(changed);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++)
		free(files[i]);
	free(one);
	free(three);
	free(sub);
	free(src);
}
END_TEST

/* The writers a build had, as the summary reports them: as many as asked
 * for, no more than the entries, one for an update in place; one per core
 * (at most KB_JOBS_PER_CORE_MAX) for KB_JOBS_PER_CORE. */
static unsigned writers_of(unsigned jobs, bool rebuild, const char *src)
{
	kb_index_options_t o;
	kb_index_options_init(&o);
	o.jobs = jobs;
	o.rebuild = rebuild;
	kb_indexer_t *ix = NULL;
	char *err = NULL;
	ck_assert_int_eq(kb_indexer_open(db, &o, &ix, &err), KB_OK);
	ck_assert_int_eq(kb_indexer_add_path(ix, src), KB_OK);
	kb_index_stats_t stats = {0};
	ck_assert_int_eq(kb_indexer_commit(ix, &stats), KB_OK);
	kb_indexer_destroy(ix);
	return stats.writers;
}

START_TEST(a_build_reports_its_writers)
{
	char *src = fx_path(dir, "src");
	ck_assert_int_eq(mkdir(src, 0777), 0);
	char *xml = fx_kb("<entry id=\"N\"><title>新装宽带</title><answer>a</answer></entry>"
	                  "<entry id=\"M\"><title>宽带提速</title><answer>a</answer></entry>"
	                  "<entry id=\"K\"><title>宽带续费</title><answer>a</answer></entry>");
	char *file = fx_write(src, "n.xml", xml);
	ck_assert_uint_eq(writers_of(0, true, src), 1);
	ck_assert_uint_eq(writers_of(1, true, src), 1);
	ck_assert_uint_eq(writers_of(2, true, src), 2);
	ck_assert_uint_eq(writers_of(KB_MAX_JOBS, true, src), 3);
	ck_assert_uint_eq(writers_of(3, false, src), 1);

	cpu_set_t cpus;
	ck_assert_int_eq(sched_getaffinity(0, sizeof cpus, &cpus), 0);
	unsigned cores = (unsigned)CPU_COUNT(&cpus);
	unsigned want = cores < KB_JOBS_PER_CORE_MAX ? cores : KB_JOBS_PER_CORE_MAX;
	ck_assert_uint_eq(writers_of(KB_JOBS_PER_CORE, true, src), want < 3 ? want : 3);
	free(file);
	free(xml);
	free(src);
}
END_TEST

/* Writers read the input again: an input that changed since it was
 * checked fails the run, and the index stays as it was. */
START_TEST(writers_see_the_input_change)
{
	index_ok(v1, 1);
	char *src = fx_path(dir, "src");
	ck_assert_int_eq(mkdir(src, 0777), 0);
	char *xml = fx_kb("<entry id=\"N\"><title>新装宽带</title><answer>a</answer></entry>"
	                  "<entry id=\"M\"><title>宽带提速</title><answer>a</answer></entry>");
	char *file = fx_write(src, "n.xml", xml);
	kb_index_options_t o;
	kb_index_options_init(&o);
	o.rebuild = 1;
	o.jobs = 2;
	kb_indexer_t *ix = NULL;
	char *err = NULL;
	ck_assert_int_eq(kb_indexer_open(db, &o, &ix, &err), KB_OK);
	ck_assert_int_eq(kb_indexer_add_path(ix, src), KB_OK);
	char *grown = fx_kb("<entry id=\"N\"><title>新装宽带</title><alt>装宽带</alt><answer>a</answer></entry>"
	                    "<entry id=\"M\"><title>宽带提速</title><answer>a</answer></entry>");
	free(fx_write(src, "n.xml", grown));
	ck_assert_int_eq(kb_indexer_commit(ix, NULL), KB_ERR_IO);
	ck_assert_str_eq(kb_indexer_last_error(ix),
	                 "the input changed while it was being indexed: run kb-index again");
	kb_indexer_destroy(ix);
	kb_searcher_t *x = fx_searcher(db);
	assert_find(x, "宽带断网", NULL, "A");
	char *ids = fx_find(x, "新装宽带", NULL);
	ck_assert_ptr_null(strchr(ids, 'N'));
	free(ids);
	kb_searcher_destroy(x);
	free(grown);
	free(file);
	free(xml);
	free(src);
}
END_TEST

START_TEST(update_sees_every_kind_of_change)
{
	/* Each of these changes only what the index filters on, not the text. */
	index_ok("<entry id=\"A\"><title>宽带断网</title><answer>a</answer></entry>", 0);
	kb_searcher_t *x = fx_searcher(db);
	assert_find(x, "宽带断网", NULL, "A");
	static const char *const hidden[] = {
	    "<entry id=\"A\" status=\"draft\"><title>宽带断网</title><answer>a</answer></entry>",
	    "<entry id=\"A\"><title>宽带断网</title><region>江苏</region><answer>a</answer></entry>",
	    "<entry id=\"A\"><title>宽带断网</title><audience>vip</audience><answer>a</answer></entry>",
	    "<entry id=\"A\"><title>宽带断网</title><valid until=\"2001-01-01\"/><answer>a</answer></entry>",
	    NULL};
	for (int i = 0; hidden[i]; i++) {
		index_ok(hidden[i], 0);
		char *ids = fx_find(x, "宽带断网", NULL);
		ck_assert_msg(strcmp(ids, "") == 0, "after update %d: '%s'", i, ids);
		free(ids);
		index_ok("<entry id=\"A\"><title>宽带断网</title><answer>a</answer></entry>", 0);
		ids = fx_find(x, "宽带断网", NULL);
		ck_assert_msg(strcmp(ids, "A") == 0, "after undoing update %d: '%s'", i, ids);
		free(ids);
	}
	/* Keywords only. */
	index_ok("<entry id=\"A\"><title>宽带断网</title><keywords>光猫</keywords><answer>a</answer></entry>", 0);
	assert_find(x, "光猫", NULL, "A");
	kb_searcher_destroy(x);
}
END_TEST

/* "id=matched question" of every hit of text, "|"-separated (malloc()ed). */
static char *matched_questions(kb_searcher_t *x, const char *text)
{
	kb_query_t q = query(text);
	kb_results_t *r = NULL;
	ck_assert_int_eq(kb_search(x, &q, &r), KB_OK);
	char *out = strdup("");
	for (size_t k = 0; k < kb_results_count(r); k++) {
		const kb_hit_t *h = kb_results_hit(r, k);
		char *more = fx_printf("%s%s%s=%s", out, k ? "|" : "", h->id, h->matched);
		free(out);
		out = more;
	}
	kb_results_destroy(r);
	return out;
}

/* An update replaces all of a changed entry's documents (its record in the
 * index names them by number) and removes all of a removed one's, however
 * many questions each had, also after an earlier update renumbered them. */
START_TEST(an_update_replaces_every_document_of_an_entry)
{
	index_ok("<entry id=\"A\"><title>宽带断网怎么办</title><alt>光猫红灯闪烁</alt>"
	         "<alt>路由器没有信号</alt><answer>a</answer></entry>"
	         "<entry id=\"B\"><title>积分兑换话费</title><alt>积分怎么用</alt><answer>b</answer></entry>"
	         "<entry id=\"C\"><title>国际漫游开通</title><answer>c</answer></entry>",
	         0);
	/* The second keeps the entry keys in memory and reads those of the
	 * documents each update adds. */
	kb_searcher_t *searchers[] = {fx_searcher(db), fx_searcher(db)};
	kb_searcher_expect_many(searchers[1]);
	for (int s = 0; s < 2; s++)
		fx_assert_str_owned(matched_questions(searchers[s], "路由器没有信号"), "A=路由器没有信号");
	static const char *const next[] = {"宽带断线", "网速很慢"};
	static const char *const gone[] = {"路由器没有信号", "宽带断线"};
	for (int i = 0; i < 2; i++) {
		char *xml = fx_printf("<entry id=\"A\"><title>宽带断网怎么办</title><alt>%s</alt>"
		                      "<answer>a</answer></entry>"
		                      "<entry id=\"C\"><title>国际漫游开通</title><answer>c</answer></entry>",
		                      next[i]);
		index_ok(xml, 0);
		free(xml);
		for (int s = 0; s < 2; s++) {
			kb_searcher_t *x = searchers[s];
			char *want = fx_printf("A=%s", next[i]);
			fx_assert_str_owned(matched_questions(x, next[i]), want);
			free(want);
			char *m = matched_questions(x, gone[i]);
			ck_assert_msg(!strstr(m, gone[i]), "searcher %d after update %d: %s", s, i, m);
			free(m);
			m = matched_questions(x, "光猫红灯闪烁 积分怎么用 积分兑换话费");
			ck_assert_msg(!strstr(m, "光猫") && !strstr(m, "积分"),
			              "searcher %d after update %d: %s", s, i, m);
			free(m);
			fx_assert_str_owned(matched_questions(x, "国际漫游开通"), "C=国际漫游开通");
		}
	}
	for (int s = 0; s < 2; s++)
		kb_searcher_destroy(searchers[s]);
}
END_TEST

/* Gives entry A the record `record` in the live index, then updates it
 * from file: the update's status, and its last error into *error
 * (malloc()ed). */
static kb_status_t update_with_record(const char *file, const char *record, char **error)
{
	char *live = fx_path(db, "current");
	kbx_writer_t *w = NULL;
	char *err = NULL;
	ck_assert_int_eq(kbx_writer_open(live, &w, &err), KB_OK);
	ck_assert_int_eq(kbx_writer_set_metadata(w, KB_META_HASH_PREFIX "A", record, &err), KB_OK);
	ck_assert_int_eq(kbx_writer_commit(w, &err), KB_OK);
	kbx_writer_free(w);
	free(live);
	kb_indexer_t *ix = NULL;
	ck_assert_int_eq(kb_indexer_open(db, NULL, &ix, NULL), KB_OK);
	kb_status_t st = kb_indexer_add_path(ix, file);
	if (st == KB_OK)
		st = kb_indexer_commit(ix, NULL);
	*error = strdup(kb_indexer_last_error(ix));
	kb_indexer_destroy(ix);
	return st;
}

/* A damaged record of an entry (unreadable, naming documents the index
 * does not have, or numbers past the last docid) stops the update that
 * would replace it with a message and a way out, and the index stays as it
 * was. */
START_TEST(a_damaged_entry_record_stops_the_update)
{
	index_ok("<entry id=\"A\"><title>宽带断网</title><answer>a</answer></entry>", 0);
	char *xml = fx_kb("<entry id=\"A\"><title>宽带断线</title><answer>a</answer></entry>");
	char *src = fx_tempdir();
	char *file = fx_write(src, "kb.xml", xml);
	static const char *const damaged[][2] = {
	    {"0123abcd", ""},
	    {"0123abcd 9999 2", ": DatabaseCorruptError: document 9999 is not in the index"},
	    {"0123abcd 4294967295 2", ""},
	};
	for (size_t i = 0; i < sizeof damaged / sizeof *damaged; i++) {
		char *error = NULL;
		ck_assert_int_eq(update_with_record(file, damaged[i][0], &error), KB_ERR_CORRUPT);
		char *want = fx_printf("the index's record of entry A is damaged (\"%s\"%s): "
		                       "rebuild it with kb-index --rebuild",
		                       damaged[i][0], damaged[i][1]);
		ck_assert_str_eq(error, want);
		free(want);
		free(error);
	}
	kb_searcher_t *x = fx_searcher(db);
	assert_find(x, "宽带断网", NULL, "A");
	kb_searcher_destroy(x);
	index_ok("<entry id=\"A\"><title>宽带断线</title><answer>a</answer></entry>", 1);
	x = fx_searcher(db);
	assert_find(x, "宽带断线", NULL, "A");
	kb_searcher_destroy(x);
	free(file);
	fx_rmtree(src);
	free(src);
	free(xml);
}
END_TEST

/* Regression (a bug found by this suite, fixed): past KB_MAX_DIAGNOSTICS the commit's message
 * counts the stored lines (1000 + the closing line) instead of the problems
 * found: kb_diag_finish() turns the dropped count into one stored line, and
 * kb_diag_problems() then returns 1001. */
START_TEST(problem_count_past_the_cap)
{
	const char *one = "<entry><title>t</title><answer>a</answer></entry>\n";
	char *entries = fx_repeat(one, KB_MAX_DIAGNOSTICS + 5);
	char *xml = fx_kb(entries);
	char *src = fx_tempdir();
	char *file = fx_write(src, "many.xml", xml);
	kb_indexer_t *ix = NULL;
	ck_assert_int_eq(kb_indexer_open(db, NULL, &ix, NULL), KB_OK);
	ck_assert_int_eq(kb_indexer_add_path(ix, file), KB_ERR_INVALID_INPUT);
	ck_assert_int_eq(kb_indexer_commit(ix, NULL), KB_ERR_INVALID_INPUT);
	ck_assert_uint_eq(kb_indexer_diagnostic_count(ix), KB_MAX_DIAGNOSTICS + 1);
	ck_assert_str_eq(kb_indexer_diagnostic(ix, KB_MAX_DIAGNOSTICS),
	                 "... and 5 more problems not shown");
	ck_assert_str_eq(kb_indexer_last_error(ix),
	                 "1005 problems in the input; the index was not changed");
	kb_indexer_destroy(ix);
	free(entries);
	free(xml);
	free(file);
	fx_rmtree(src);
	free(src);
}
END_TEST

START_TEST(add_path_problems)
{
	kb_indexer_t *ix = NULL;
	ck_assert_int_eq(kb_indexer_open(db, NULL, &ix, NULL), KB_OK);
	char *missing = fx_path(dir, "missing.xml");
	ck_assert_int_eq(kb_indexer_add_path(ix, missing), KB_ERR_IO);
	ck_assert_uint_eq(kb_indexer_diagnostic_count(ix), 1);
	char *want = fx_printf("%s: cannot read: No such file or directory", missing);
	ck_assert_str_eq(kb_indexer_diagnostic(ix, 0), want);
	ck_assert_ptr_null(kb_indexer_diagnostic(ix, 1));
	ck_assert_int_eq(kb_indexer_commit(ix, NULL), KB_ERR_INVALID_INPUT);
	kb_indexer_destroy(ix);
	/* Nothing went live. */
	kb_searcher_t *x = (kb_searcher_t *)1;
	ck_assert_int_eq(kb_searcher_open(db, &x, NULL), KB_ERR_NO_INDEX);
	free(missing);
	free(want);
}
END_TEST

START_TEST(directories_are_read_in_name_order)
{
	char *src = fx_tempdir();
	char *sub = fx_path(src, "sub");
	ck_assert_int_eq(mkdir(sub, 0777), 0);
	char *entry = fx_kb("<entry id=\"same\"><title>t</title><answer>a</answer></entry>");
	char *b = fx_write(src, "b.xml", entry);
	char *a = fx_write(src, "a.xml", entry);
	char *c = fx_write(sub, "c.xml", entry);
	char *ignored = fx_write(src, "notes.txt", "not xml <entry");
	const char *paths[] = {src};
	char *diags = NULL;
	ck_assert_int_eq(fx_index_paths(db, NULL, paths, 1, &diags), KB_ERR_INVALID_INPUT);
	char *want = fx_printf("%s:3: entry 'same': duplicate id (first defined at %s:3)\n"
	                       "%s:3: entry 'same': duplicate id (first defined at %s:3)",
	                       b, a, c, a);
	ck_assert_str_eq(diags, want);
	free(diags);
	free(want);
	free(sub);
	free(entry);
	free(a);
	free(b);
	free(c);
	free(ignored);
	fx_rmtree(src);
	free(src);
}
END_TEST

/* Taiwan wording that folding cannot undo: 設定 (设定) for 设置. */
START_TEST(taiwan_wording_finds_mainland_entry)
{
	char *src = fx_tempdir();
	char *xml = fx_kb("<entry id=\"A\"><title>短信提醒怎么设置</title><answer>a</answer></entry>\n"
	                  "<entry id=\"B\"><title>提醒设定的金额</title><answer>b</answer></entry>");
	char *file = fx_write(src, "kb.xml", xml);
	const char *paths[] = {file};
	ck_assert_int_eq(fx_index_paths(db, NULL, paths, 1, NULL), KB_OK);
	kb_searcher_t *x = fx_searcher(db);
	char *ids = fx_find(x, "簡訊提醒設定", NULL);
	ck_assert_str_eq(ids, "A|B"); /* B shares 提醒设定 as typed */
	free(ids);
	kb_searcher_destroy(x);
	free(xml);
	free(file);
	fx_rmtree(src);
	free(src);
}
END_TEST

START_TEST(synonyms_widen_the_query)
{
	char *src = fx_tempdir();
	char *xml = fx_kb("<entry id=\"A\"><title>宽带断网怎么办</title><answer>a</answer></entry>\n"
	                  "<entry id=\"B\"><title>话费怎么查</title><answer>b</answer></entry>");
	char *file = fx_write(src, "kb.xml", xml);
	char *syn = fx_write(src, "synonyms.txt", "# groups\n宽带 光纤 寬頻\n");
	const char *paths[] = {src};
	char *diags = NULL;
	ck_assert_int_eq(fx_index_paths(db, NULL, paths, 1, &diags), KB_OK);
	free(diags);
	kb_searcher_t *x = fx_searcher(db);
	assert_find(x, "光纤断网", NULL, "A");
	assert_find(x, "寬頻", NULL, "A");
	kb_searcher_destroy(x);
	free(xml);
	free(file);
	free(syn);
	fx_rmtree(src);
	free(src);
}
END_TEST

START_TEST(synonym_problems)
{
	char *src = fx_tempdir();
	char *syn = fx_write(src, "synonyms.txt", "宽带 光纤\n\n# comment\n光纤 寬頻\n话费\n");
	const char *paths[] = {syn};
	char *diags = NULL;
	ck_assert_int_eq(fx_index_paths(db, NULL, paths, 1, &diags), KB_ERR_INVALID_INPUT);
	char *want = fx_printf("%s:4: '光纤' is already in the group at %s:1 (a word may be in one "
	                       "group only)\n"
	                       "%s:5: a synonym group needs at least two words",
	                       syn, syn, syn);
	ck_assert_str_eq(diags, want);
	free(diags);
	free(want);
	free(syn);
	fx_rmtree(src);
	free(src);
}
END_TEST

START_TEST(synonyms_follow_an_update)
{
	char *src = fx_tempdir();
	char *xml = fx_kb("<entry id=\"A\"><title>宽带断网怎么办</title><answer>a</answer></entry>");
	char *file = fx_write(src, "kb.xml", xml);
	char *syn = fx_write(src, "synonyms.txt", "宽带 光纤\n");
	const char *paths[] = {src};
	ck_assert_int_eq(fx_index_paths(db, NULL, paths, 1, NULL), KB_OK);
	kb_searcher_t *x = fx_searcher(db);
	assert_find(x, "光纤", NULL, "A");
	/* Only the synonyms change: the open searcher picks them up. */
	free(syn);
	syn = fx_write(src, "synonyms.txt", "宽带 宽频\n");
	ck_assert_int_eq(fx_index_paths(db, NULL, paths, 1, NULL), KB_OK);
	assert_find(x, "光纤", NULL, "");
	assert_find(x, "宽频", NULL, "A");
	kb_searcher_destroy(x);
	free(xml);
	free(file);
	free(syn);
	fx_rmtree(src);
	free(src);
}
END_TEST

START_TEST(symlink_loop_is_reported)
{
	char *src = fx_tempdir();
	char *entry = fx_kb("<entry id=\"a\"><title>t</title><answer>a</answer></entry>");
	char *file = fx_write(src, "a.xml", entry);
	char *loop = fx_path(src, "loop");
	ck_assert_int_eq(mkdir(loop, 0777), 0);
	char *link = fx_path(loop, "again");
	ck_assert_int_eq(symlink(loop, link), 0);
	kb_indexer_t *ix = NULL;
	ck_assert_int_eq(kb_indexer_open(db, NULL, &ix, NULL), KB_OK);
	ck_assert_int_eq(kb_indexer_add_path(ix, src), KB_ERR_INVALID_INPUT);
	ck_assert_uint_eq(kb_indexer_diagnostic_count(ix), 1);
	const char *d = kb_indexer_diagnostic(ix, 0);
	const char *tail = "/again: directories nested too deeply (a symlink loop?)";
	ck_assert_msg(strlen(d) > strlen(tail) && strcmp(d + strlen(d) - strlen(tail), tail) == 0,
	              "got '%s'", d);
	ck_assert_int_eq(strncmp(d, link, strlen(link)), 0);
	kb_indexer_destroy(ix);
	free(entry);
	free(file);
	free(loop);
	free(link);
	fx_rmtree(src);
	free(src);
}
END_TEST

typedef struct progress_log {
	size_t calls;
	size_t last;
} progress_log_t;

static void on_progress(void *ctx, const kb_index_stats_t *so_far)
{
	progress_log_t *log = ctx;
	log->calls++;
	log->last = so_far->entries;
}

START_TEST(progress_is_reported)
{
	char *src = fx_tempdir();
	size_t cap = (KB_PROGRESS_EVERY + 1) * 80 + 64, n = 0;
	char *entries = malloc(cap);
	ck_assert_ptr_nonnull(entries);
	for (int i = 0; i <= KB_PROGRESS_EVERY; i++)
		n += (size_t)snprintf(entries + n, cap - n,
		                      "<entry id=\"e%d\"><title>问题%d</title><answer>a</answer></entry>\n",
		                      i, i);
	char *xml = fx_kb(entries);
	char *file = fx_write(src, "kb.xml", xml);
	kb_index_options_t opts;
	kb_index_options_init(&opts);
	progress_log_t log = {0, 0};
	opts.progress = on_progress;
	opts.progress_ctx = &log;
	const char *paths[] = {file};
	ck_assert_int_eq(fx_index_paths(db, &opts, paths, 1, NULL), KB_OK);
	ck_assert_uint_eq(log.calls, 1);
	ck_assert_uint_eq(log.last, KB_PROGRESS_EVERY);
	free(entries);
	free(xml);
	free(file);
	fx_rmtree(src);
	free(src);
}
END_TEST

/* Validates xml with a check-only indexer and indexes it into db: the
 * two statuses, and the indexer's last error. */
static void check_and_index(const char *xml, kb_status_t *checked, kb_status_t *indexed,
                            char **error, char **diags)
{
	char *src = fx_tempdir();
	char *file = fx_write(src, "kb.xml", xml);
	kb_indexer_t *ix = NULL;
	ck_assert_int_eq(kb_indexer_open_check(&ix, NULL), KB_OK);
	kb_indexer_add_path(ix, file);
	*checked = kb_indexer_commit(ix, NULL);
	*diags = fx_indexer_diags(ix);
	kb_indexer_destroy(ix);
	ck_assert_int_eq(kb_indexer_open(db, NULL, &ix, NULL), KB_OK);
	kb_status_t st = kb_indexer_add_path(ix, file);
	*indexed = st == KB_OK ? kb_indexer_commit(ix, NULL) : st;
	*error = strdup(kb_indexer_last_error(ix));
	kb_indexer_destroy(ix);
	free(file);
	fx_rmtree(src);
	free(src);
}

/* Regression (a bug found by this suite, fixed): a category or region may be up to
 * KB_MAX_QUESTION_BYTES (1024) bytes by the reader's rules, but the indexer
 * stores it whole in one boolean term (XC:... / XR:...), and Xapian refuses
 * terms over 245 bytes.  So an entry that kb-index --check calls valid
 * makes the real run fail with an engine error (KB_ERR_INDEX, "Term too
 * long (> 245)", no file:line).  Validation and indexing must agree:
 * either both accept (and the entry is found), or both refuse with a
 * file:line diagnostic. */
START_TEST(long_category_and_region_index_as_validated)
{
	char *long_text = fx_repeat("长", 90); /* 270 bytes */
	char *category = fx_printf("<kb><entry id=\"c\"><title>长分类</title><category>宽带/%s</category>"
	                     "<answer>a</answer></entry></kb>",
	                     long_text);
	char *region = fx_printf("<kb><entry id=\"r\"><title>长地区</title><region>%s</region>"
	                         "<answer>a</answer></entry></kb>",
	                         long_text);
	const char *xmls[] = {category, region};
	for (int i = 0; i < 2; i++) {
		kb_status_t checked, indexed;
		char *error = NULL, *diags = NULL;
		check_and_index(xmls[i], &checked, &indexed, &error, &diags);
		ck_assert_msg(indexed == checked, "%s: validation says %s, indexing %s: %s",
		              i ? "region" : "category", kb_status_to_string(checked),
		              kb_status_to_string(indexed), error);
		if (checked == KB_OK) {
			/* Indexed: found, the region one in its region. */
			kb_searcher_t *x = fx_searcher(db);
			kb_query_t q = query(i ? "长地区" : "长分类");
			q.region = i ? long_text : NULL;
			char *ids = fx_search_ids(x, &q);
			ck_assert_str_eq(ids, i ? "r" : "c");
			free(ids);
			kb_searcher_destroy(x);
		} else {
			/* Refused: by a diagnostic pointing at the entry. */
			ck_assert_int_eq(checked, KB_ERR_INVALID_INPUT);
			ck_assert_msg(strstr(diags, "kb.xml:1: ") != NULL, "diagnostics: %s", diags);
		}
		free(error);
		free(diags);
	}
	free(long_text);
	free(category);
	free(region);
}
END_TEST

START_TEST(check_only_indexer)
{
	char *src = fx_tempdir();
	char *good = fx_write(src, "good.xml",
	                      "<kb><entry id=\"a\"><title>t</title><answer>a</answer></entry>"
	                      "<entry id=\"b\"><title>t</title><answer>a</answer></entry></kb>");
	char *bad = fx_write(src, "bad.xml", "<kb><entry id=\"c\"><answer>a</answer></entry></kb>");
	kb_indexer_t *one = NULL, *two = NULL;
	ck_assert_int_eq(kb_indexer_open_check(&one, NULL), KB_OK);
	ck_assert_int_eq(kb_indexer_open_check(&two, NULL), KB_OK); /* no lock taken */
	ck_assert_int_eq(kb_indexer_add_path(one, good), KB_OK);
	kb_index_stats_t stats;
	ck_assert_int_eq(kb_indexer_commit(one, &stats), KB_OK);
	ck_assert_uint_eq(stats.entries, 2);
	ck_assert_uint_eq(stats.files, 1);
	ck_assert_int_eq(kb_indexer_add_path(two, bad), KB_ERR_INVALID_INPUT);
	ck_assert_int_eq(kb_indexer_commit(two, NULL), KB_ERR_INVALID_INPUT);
	ck_assert_str_eq(kb_indexer_last_error(two), "1 problem in the input");
	char *want = fx_printf("%s:1: entry 'c': missing <title> (the standard question)", bad);
	ck_assert_str_eq(kb_indexer_diagnostic(two, 0), want);
	kb_indexer_destroy(one);
	kb_indexer_destroy(two);
	/* Nothing was written anywhere. */
	ck_assert_int_eq(fx_count_dir(dir), 0);
	ck_assert_int_eq(fx_count_dir(src), 2);
	free(want);
	free(good);
	free(bad);
	fx_rmtree(src);
	free(src);
}
END_TEST

static Suite *search_suite(void)
{
	Suite *su = suite_create("search");
	TCase *tc = tcase_create("shared_index");
	tcase_add_unchecked_fixture(tc, shared_setup, shared_teardown);
	tcase_add_checked_fixture(tc, searcher_setup, searcher_teardown);
	tcase_add_test(tc, ranking_finds_the_entry_sharing_the_words);
	tcase_add_test(tc, or_semantics_finds_a_paraphrase);
	tcase_add_test(tc, hit_fields);
	tcase_add_test(tc, matched_question_and_snippet);
	tcase_add_test(tc, status_filter);
	tcase_add_test(tc, validity_today);
	tcase_add_test(tc, validity_on_a_given_date);
	tcase_add_test(tc, validity_window_boundaries);
	tcase_add_test(tc, audience_filter);
	tcase_add_test(tc, region_filter);
	tcase_add_test(tc, answer_variant_choice);
	tcase_add_test(tc, answer_audience_belongs_to_the_results);
	tcase_add_test(tc, limit);
	tcase_add_test(tc, invalid_arguments);
	tcase_add_test(tc, empty_and_punctuation_queries);
	tcase_add_test(tc, traditional_query_finds_simplified_entry);
	tcase_add_test(tc, simplified_query_finds_traditional_entry);
	tcase_add_test(tc, twins_follow_the_script_typed);
	tcase_add_test(tc, full_width_query_finds_half_width);
	tcase_add_test(tc, highlight_spans);
	tcase_add_test(tc, common_characters_fallback);
	tcase_add_test(tc, long_answer_snippet);
	tcase_add_test(tc, searches_without_hits_do_not_leak);
	tcase_add_test(tc, open_missing_path);
	tcase_add_test(tc, open_plain_xapian_database);
	tcase_add_test(tc, destroy_functions_accept_null);
	suite_add_tcase(su, tc);

	tc = tcase_create("indexing");
	tcase_add_checked_fixture(tc, own_setup, own_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, failed_update_leaves_index_as_it_was);
	tcase_add_test(tc, failed_rebuild_leaves_index_as_it_was);
	tcase_add_test(tc, second_indexer_is_locked_out);
	tcase_add_test(tc, refuses_a_directory_that_is_not_an_index);
	tcase_add_test(tc, searcher_refuses_another_index_format);
	tcase_add_test(tc, the_index_keeps_its_words);
	tcase_add_test(tc, the_query_folds_nearly_equal_lists_and_keeps_the_best_scorers);
	tcase_add_test(tc, the_paraphrase_saying_just_the_query_comes_first);
	tcase_add_test(tc, dates_checked_past_many_expired_matches);
	tcase_add_test(tc, a_term_no_entry_has_does_not_find);
	tcase_add_test(tc, bad_arguments_to_open);
	tcase_add_test(tc, searcher_follows_an_update);
	tcase_add_test(tc, searcher_follows_a_rebuild);
	tcase_add_test(tc, stats_of_build_and_update);
	tcase_add_test(tc, a_rebuild_publishes_its_database_compacted);
	tcase_add_test(tc, compaction_keeps_docids);
	tcase_add_test(tc, a_build_of_many_batches_finds_every_question);
	tcase_add_test(tc, collapsing_after_the_match_keeps_what_xapian_keeps);
	tcase_add_test(tc, writers_at_once_build_the_same_index);
	tcase_add_test(tc, writers_see_the_input_change);
	tcase_add_test(tc, a_build_reports_its_writers);
	tcase_add_test(tc, a_new_generation_is_read_a_slice_a_search);
	tcase_add_test(tc, an_idle_server_reads_a_new_generation_a_slice_at_a_time);
	tcase_add_test(tc, update_sees_every_kind_of_change);
	tcase_add_test(tc, an_update_replaces_every_document_of_an_entry);
	tcase_add_test(tc, a_damaged_entry_record_stops_the_update);
	tcase_add_test(tc, problem_count_past_the_cap);
	tcase_add_test(tc, add_path_problems);
	tcase_add_test(tc, directories_are_read_in_name_order);
	tcase_add_test(tc, synonyms_widen_the_query);
	tcase_add_test(tc, taiwan_wording_finds_mainland_entry);
	tcase_add_test(tc, check_only_indexer);
	tcase_add_test(tc, synonym_problems);
	tcase_add_test(tc, synonyms_follow_an_update);
	tcase_add_test(tc, symlink_loop_is_reported);
	tcase_add_test(tc, progress_is_reported);
	tcase_add_test(tc, long_category_and_region_index_as_validated);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	return fx_run(search_suite());
}
