/* fuzz_protocol.c: kb_protocol_answer() (include/kb.h) on arbitrary request
 * lines, against one small index built once.
 *
 * The index is written from the table below, so the target knows who may
 * see each entry.  Every response must be one line of UTF-8 JSON: an object
 * with "ok"; the id echoed unchanged when the request was an object with a string or
 * integer id, null otherwise; a success with ranks 1..n, at most `limit`
 * hits, non-increasing scores, only entries the request may see (status,
 * audience, region, validity date) with the answer variant of its first
 * audience that has one, and a snippet that is HTML-safe text from the
 * matched question or the answer; an error with code bad_request (this
 * index is healthy and memory plentiful, so index_error and internal are
 * findings too). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_util.h"
#include "kb-private.h"
#include "kb.h"

#define MAX_LIST 6

typedef struct fixture {
	const char *id;
	const char *status;                 /* NULL: published */
	const char *title;
	const char *alts[MAX_LIST];
	const char *category;
	const char *keywords;
	const char *audiences[MAX_LIST];
	const char *regions[MAX_LIST];
	const char *from, *until;
	const char *answer;                 /* the default */
	const char *variants[MAX_LIST][2];  /* {audience, answer} */
} fixture_t;

static const fixture_t fixtures[] = {
    {"f-bb-repair", NULL, "宽带断网了怎么报修", {"家里上不了网找谁修", "光猫亮红灯", "寬頻斷線"},
     "宽带/故障报修", "报障 报修 断网", {0}, {0}, NULL, NULL,
     "请重启光猫；仍不能上网的，提交故障工单，工程师2小时内联系。",
     {{"elderly", "您别着急，先把光猫电源拔掉半分钟再插上。"},
      {"business", "政企客户故障优先派单，1小时内响应。"}}},
    {"f-bill", NULL, "怎么查话费余额", {"话费还剩多少", "查余额 CXYE"}, "费用/查询", "余额 话费",
     {0}, {0}, NULL, NULL, "发送短信CXYE到10001，或在App首页查看话费余额。",
     {{"elderly", "您拨打10000，按提示说“查话费”。"}}},
    {"f-campus", NULL, "校园卡怎么办理", {"学生卡在哪里办"}, "套餐/校园", "校园卡 学生",
     {"campus"}, {0}, NULL, NULL, "凭学生证和身份证到校园营业厅办理。",
     {{"campus", "同学你好，带上学生证到学校营业厅就能办。"}}},
    {"f-biz-line", NULL, "专线中断怎么申告", {"企业专线断了"}, "政企/专线", NULL,
     {"business", "vip"}, {0}, NULL, NULL, "请通过政企专线故障申告流程提交。",
     {{"vip", "尊敬的客户，专属经理将立即联系您。"}}},
    {"f-hall-js", NULL, "营业厅几点关门", {"营业厅营业时间"}, "渠道/营业厅", NULL, {0},
     {"江苏", "上海"}, NULL, NULL, "营业时间为9:00到18:00，旗舰店到21:00。", {{0}}},
    {"f-hall-gd", NULL, "营业厅几点关门", {"营业厅中午开门吗"}, "渠道/营业厅", NULL, {0},
     {"广东"}, NULL, NULL, "广东各营业厅9:00到18:00，中午不休息。", {{0}}},
    {"f-promo-old", NULL, "流量包半价活动", {0}, "套餐/活动", "流量 半价", {0}, {0},
     "2000-01-01", "2000-12-31", "半价流量包活动已于2000年底结束。", {{0}}},
    {"f-promo-future", NULL, "春节流量包活动", {0}, "套餐/活动", NULL, {0}, {0}, "2099-01-01",
     NULL, "春节流量包2099年开始。", {{0}}},
    {"f-draft", "draft", "草稿套餐怎么办理", {0}, NULL, NULL, {0}, {0}, NULL, NULL,
     "草稿答案。", {{0}}},
    {"f-retired", "retired", "旧套餐怎么办理", {0}, NULL, NULL, {0}, {0}, NULL, NULL,
     "旧套餐已下线。", {{0}}},
    {"f-5g", NULL, "5G套餐多少钱", {"５Ｇ套餐资费", "iPhone 15 换卡", "200M宽带 & 5G <融合>"},
     "套餐/5G", "5G 资费", {0}, {0}, NULL, "2098-12-31",
     "5G套餐每月 <128元> 起 & 含30GB流量。\n办理请到营业厅。", {{0}}},
};
#define FIXTURE_COUNT (sizeof fixtures / sizeof fixtures[0])

static const char synonyms[] = "# fuzz fixture\n宽带 光纤 宽频\n流量 数据流量\n";

static kb_searcher_t *searcher;
static char today[11];

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

static void element(FILE *f, const char *name, const char *text)
{
	if (!text)
		return;
	fprintf(f, "    <%s>", name);
	xml_text(f, text);
	fprintf(f, "</%s>\n", name);
}

static void write_fixtures(const char *file)
{
	FILE *f = fopen(file, "w");
	if (!f) {
		perror(file);
		abort();
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kb>\n", f);
	for (size_t i = 0; i < FIXTURE_COUNT; i++) {
		const fixture_t *x = &fixtures[i];
		fprintf(f, "  <entry id=\"%s\"", x->id);
		if (x->status)
			fprintf(f, " status=\"%s\"", x->status);
		fputs(">\n", f);
		element(f, "title", x->title);
		for (size_t k = 0; k < MAX_LIST && x->alts[k]; k++)
			element(f, "alt", x->alts[k]);
		element(f, "category", x->category);
		element(f, "keywords", x->keywords);
		for (size_t k = 0; k < MAX_LIST && x->audiences[k]; k++)
			element(f, "audience", x->audiences[k]);
		for (size_t k = 0; k < MAX_LIST && x->regions[k]; k++)
			element(f, "region", x->regions[k]);
		if (x->from || x->until) {
			fputs("    <valid", f);
			if (x->from)
				fprintf(f, " from=\"%s\"", x->from);
			if (x->until)
				fprintf(f, " until=\"%s\"", x->until);
			fputs("/>\n", f);
		}
		element(f, "answer", x->answer);
		for (size_t k = 0; k < MAX_LIST && x->variants[k][0]; k++) {
			fprintf(f, "    <answer audience=\"%s\">", x->variants[k][0]);
			xml_text(f, x->variants[k][1]);
			fputs("</answer>\n", f);
		}
		fputs("  </entry>\n", f);
	}
	fputs("</kb>\n", f);
	if (fclose(f) != 0) {
		perror(file);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = fuzz_tmpdir("fuzz-protocol");
	char xml[4200], syn[4200], db[4200];
	snprintf(xml, sizeof xml, "%s/entries.xml", dir);
	snprintf(syn, sizeof syn, "%s/synonyms.txt", dir);
	snprintf(db, sizeof db, "%s/db", dir);
	write_fixtures(xml);
	fuzz_write_file(syn, synonyms, strlen(synonyms));

	char *err = NULL;
	kb_indexer_t *ix = NULL;
	kb_index_stats_t stats;
	kb_status_t st = kb_indexer_open(db, NULL, &ix, &err);
	if (st == KB_OK && (st = kb_indexer_add_path(ix, xml)) == KB_OK &&
	    (st = kb_indexer_add_path(ix, syn)) == KB_OK)
		st = kb_indexer_commit(ix, &stats);
	if (st != KB_OK) {
		fprintf(stderr, "fuzz_protocol: cannot build the index: %s: %s\n",
		        kb_status_to_string(st), err ? err : ix ? kb_indexer_last_error(ix) : "");
		for (size_t i = 0; ix && i < kb_indexer_diagnostic_count(ix); i++)
			fprintf(stderr, "  %s\n", kb_indexer_diagnostic(ix, i));
		abort();
	}
	kb_indexer_destroy(ix);
	if (stats.entries != FIXTURE_COUNT) {
		fprintf(stderr, "fuzz_protocol: indexed %zu entries, not %zu\n", stats.entries,
		        (size_t)FIXTURE_COUNT);
		abort();
	}
	if (kb_searcher_open(db, &searcher, &err) != KB_OK) {
		fprintf(stderr, "fuzz_protocol: cannot open the index: %s\n", err ? err : "");
		abort();
	}
	kb_today(today);
	return 0;
}

static const fixture_t *fixture(const char *id)
{
	for (size_t i = 0; i < FIXTURE_COUNT; i++)
		if (strcmp(fixtures[i].id, id) == 0)
			return &fixtures[i];
	return NULL;
}

static int in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* What a valid request asked, read back from the request itself. */
typedef struct asked {
	const char *audiences[KB_MAX_QUERY_AUDIENCES];
	size_t audience_count;
	const char *region;
	const char *date;
	int drafts;
	json_int_t limit;
} asked_t;

static void read_request(json_t *req, asked_t *a)
{
	*a = (asked_t){.date = today, .limit = KB_LIMIT_DEFAULT};
	json_t *v = json_object_get(req, "audience");
	if (json_is_string(v)) {
		a->audiences[a->audience_count++] = json_string_value(v);
	} else if (json_is_array(v)) {
		FUZZ_CHECK(json_array_size(v) <= KB_MAX_QUERY_AUDIENCES, "ok with %zu audiences",
		           json_array_size(v));
		for (size_t i = 0; i < json_array_size(v); i++) {
			FUZZ_CHECK(json_is_string(json_array_get(v, i)), "ok with a non-string audience");
			a->audiences[a->audience_count++] = json_string_value(json_array_get(v, i));
		}
	}
	for (size_t i = 0; i < a->audience_count; i++)
		FUZZ_CHECK(kb_tag_is_valid(a->audiences[i]), "ok with audience '%s'", a->audiences[i]);
	v = json_object_get(req, "region");
	if (json_is_string(v) && json_string_length(v) > 0)
		a->region = json_string_value(v);
	v = json_object_get(req, "at");
	if (json_is_string(v))
		a->date = json_string_value(v);
	a->drafts = json_is_true(json_object_get(req, "drafts"));
	v = json_object_get(req, "limit");
	if (json_is_integer(v))
		a->limit = json_integer_value(v);
	FUZZ_CHECK(a->limit >= 1 && a->limit <= KB_LIMIT_MAX, "ok with limit %lld",
	           (long long)a->limit);
}

static const char *get_string(json_t *obj, const char *key, int nullable)
{
	json_t *v = json_object_get(obj, key);
	FUZZ_CHECK(json_is_string(v) || (nullable && json_is_null(v)), "hit field '%s' of type %d",
	           key, v ? (int)json_typeof(v) : -1);
	return json_string_value(v);
}

/* The snippet is HTML-safe text, <em> around the matched words, and with the
 * markup removed a piece of the matched question or the answer. */
static void check_snippet(const char *snippet, const char *source)
{
	size_t n = strlen(snippet);
	char *plain = malloc(n + 1);
	FUZZ_CHECK(plain != NULL, "out of memory");
	size_t len = 0;
	int open = 0;
	for (size_t i = 0; i < n;) {
		const char *p = snippet + i;
		if (strncmp(p, "<em>", 4) == 0) {
			FUZZ_CHECK(!open, "nested <em> in snippet '%s'", snippet);
			open = 1;
			i += 4;
		} else if (strncmp(p, "</em>", 5) == 0) {
			FUZZ_CHECK(open, "</em> without <em> in snippet '%s'", snippet);
			open = 0;
			i += 5;
		} else if (strncmp(p, "&lt;", 4) == 0) {
			plain[len++] = '<';
			i += 4;
		} else if (strncmp(p, "&gt;", 4) == 0) {
			plain[len++] = '>';
			i += 4;
		} else if (strncmp(p, "&amp;", 5) == 0) {
			plain[len++] = '&';
			i += 5;
		} else {
			FUZZ_CHECK(*p != '<' && *p != '>' && *p != '&', "unescaped '%c' in snippet '%s'", *p,
			           snippet);
			plain[len++] = *p;
			i++;
		}
	}
	FUZZ_CHECK(!open, "unclosed <em> in snippet '%s'", snippet);
	plain[len] = '\0';
	FUZZ_CHECK(strstr(source, plain) != NULL, "snippet '%s' is not from '%s'", snippet, source);
	free(plain);
}

static void check_hit(json_t *hit, size_t i, const asked_t *a, double *last_score)
{
	FUZZ_CHECK(json_is_object(hit), "hit %zu is not an object", i);
	const char *id = get_string(hit, "id", 0);
	const fixture_t *x = fixture(id);
	FUZZ_CHECK(x != NULL, "unknown entry '%s'", id);

	json_t *rank = json_object_get(hit, "rank");
	FUZZ_CHECK(json_is_integer(rank) && json_integer_value(rank) == (json_int_t)i + 1,
	           "hit %zu has rank %lld", i, (long long)json_integer_value(rank));
	json_t *score = json_object_get(hit, "score");
	FUZZ_CHECK(json_is_number(score), "hit %zu: score is not a number", i);
	double sc = json_number_value(score);
	FUZZ_CHECK(i == 0 || sc <= *last_score, "hit %zu: score %g after %g", i, sc, *last_score);
	*last_score = sc;

	/* Who may see it. */
	FUZZ_CHECK(!x->status || (strcmp(x->status, "draft") == 0 && a->drafts),
	           "entry '%s' (%s) shown (drafts %d)", id, x->status, a->drafts);
	if (x->audiences[0]) {
		int named = 0;
		for (size_t k = 0; k < a->audience_count; k++)
			named |= in_list(x->audiences, MAX_LIST, a->audiences[k]);
		FUZZ_CHECK(named, "entry '%s' shown to an audience it is not for", id);
	}
	if (x->regions[0])
		FUZZ_CHECK(a->region && in_list(x->regions, MAX_LIST, a->region),
		           "entry '%s' shown in region '%s'", id, a->region ? a->region : "(none)");
	FUZZ_CHECK((!x->from || strcmp(x->from, a->date) <= 0) &&
	               (!x->until || strcmp(a->date, x->until) <= 0),
	           "entry '%s' shown on %s", id, a->date);

	/* What it shows. */
	FUZZ_CHECK(strcmp(get_string(hit, "title", 0), x->title) == 0, "entry '%s': title", id);
	FUZZ_CHECK(strcmp(get_string(hit, "category", 0), x->category ? x->category : "") == 0,
	           "entry '%s': category", id);
	const char *want = x->answer, *want_aud = NULL;
	for (size_t k = 0; k < a->audience_count && !want_aud; k++)
		for (size_t v = 0; v < MAX_LIST && x->variants[v][0]; v++)
			if (strcmp(x->variants[v][0], a->audiences[k]) == 0) {
				want = x->variants[v][1];
				want_aud = x->variants[v][0];
				break;
			}
	const char *answer = get_string(hit, "answer", 0);
	const char *answer_aud = get_string(hit, "answer_audience", 1);
	FUZZ_CHECK(strcmp(answer, want) == 0, "entry '%s': answer '%s', not '%s'", id, answer, want);
	FUZZ_CHECK(want_aud ? answer_aud && strcmp(answer_aud, want_aud) == 0 : !answer_aud,
	           "entry '%s': answer_audience '%s', not '%s'", id, answer_aud ? answer_aud : "null",
	           want_aud ? want_aud : "null");
	json_t *aud = json_object_get(hit, "audience");
	size_t naud = 0;
	while (naud < MAX_LIST && x->audiences[naud])
		naud++;
	FUZZ_CHECK(json_is_array(aud) && json_array_size(aud) == naud, "entry '%s': audience", id);
	for (size_t k = 0; k < naud; k++)
		FUZZ_CHECK(json_is_string(json_array_get(aud, k)) &&
		               strcmp(json_string_value(json_array_get(aud, k)), x->audiences[k]) == 0,
		           "entry '%s': audience %zu", id, k);
	const char *matched = get_string(hit, "matched", 1);
	if (matched)
		FUZZ_CHECK(strcmp(matched, x->title) == 0 || in_list(x->alts, MAX_LIST, matched),
		           "entry '%s': matched '%s' is not one of its questions", id, matched);
	check_snippet(get_string(hit, "snippet", 0), matched ? matched : answer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1); /* exactly size bytes, for ASan */
	if (!line)
		return 0;
	memcpy(line, data, size);
	char *resp = NULL;
	kb_status_t st = kb_protocol_answer(searcher, line, size, &resp);
	FUZZ_CHECK(st == KB_OK && resp, "kb_protocol_answer: %s", kb_status_to_string(st));

	size_t n = strlen(resp);
	FUZZ_CHECK(n > 0 && !memchr(resp, '\n', n) && !memchr(resp, '\r', n),
	           "the response is not one line: %s", resp);
	FUZZ_CHECK(fuzz_utf8_valid(resp, n), "the response is not UTF-8: %s", resp);
	json_error_t jerr;
	json_t *r = json_loadb(resp, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	FUZZ_CHECK(json_is_object(r), "the response is not a JSON object (%s): %s", jerr.text, resp);
	json_t *ok = json_object_get(r, "ok");
	FUZZ_CHECK(json_is_boolean(ok), "no boolean \"ok\": %s", resp);
	FUZZ_CHECK(json_object_get(r, "id") != NULL, "no \"id\": %s", resp);

	/* The request as the protocol reads it. */
	json_t *req = json_loadb(line, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL,
	                         &jerr);
	json_t *req_id = json_is_object(req) ? json_object_get(req, "id") : NULL;
	json_t *id = json_object_get(r, "id");
	if (json_is_string(req_id) || json_is_number(req_id))
		FUZZ_CHECK(json_equal(req_id, id), "the id is not echoed unchanged: %s", resp);
	else
		FUZZ_CHECK(json_is_null(id), "an id that is not a string or number: %s", resp);

	if (json_is_true(ok)) {
		FUZZ_CHECK(json_is_object(req), "ok for a request that is not an object: %s", resp);
		FUZZ_CHECK(json_is_string(json_object_get(req, "q")), "ok without a string q: %s", resp);
		asked_t a;
		read_request(req, &a);
		json_t *hits = json_object_get(r, "hits"), *total = json_object_get(r, "total"),
		       *took = json_object_get(r, "took_us"), *match = json_object_get(r, "match_us");
		FUZZ_CHECK(json_is_array(hits), "ok without hits: %s", resp);
		FUZZ_CHECK(json_array_size(hits) <= (size_t)a.limit, "%zu hits for limit %lld: %s",
		           json_array_size(hits), (long long)a.limit, resp);
		FUZZ_CHECK(json_is_integer(total) && json_integer_value(total) >= (json_int_t)json_array_size(hits),
		           "total below the hit count: %s", resp);
		FUZZ_CHECK(json_is_integer(took) && json_integer_value(took) >= 0, "took_us: %s", resp);
		FUZZ_CHECK(json_is_integer(match) && json_integer_value(match) >= 0 &&
		               json_integer_value(match) <= json_integer_value(took),
		           "match_us: %s", resp);
		FUZZ_CHECK(!json_object_get(r, "error"), "ok with an error: %s", resp);
		double last = 0;
		for (size_t i = 0; i < json_array_size(hits); i++)
			check_hit(json_array_get(hits, i), i, &a, &last);
	} else {
		json_t *err = json_object_get(r, "error");
		FUZZ_CHECK(json_is_object(err), "an error without \"error\": %s", resp);
		const char *code = json_string_value(json_object_get(err, "code"));
		FUZZ_CHECK(code && strcmp(code, "bad_request") == 0, "error code %s: %s",
		           code ? code : "(none)", resp);
		FUZZ_CHECK(json_is_string(json_object_get(err, "message")), "no error message: %s", resp);
		FUZZ_CHECK(!json_object_get(r, "hits"), "an error with hits: %s", resp);
	}
	json_decref(req);
	json_decref(r);
	free(resp);
	free(line);
	return 0;
}
