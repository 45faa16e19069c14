/* test_protocol.c: the JSON Lines protocol (kb_protocol_answer(),
 * kb_serve(), kb_results_json()) against ../shared/spec/interface.md,
 * responses parsed back with jansson. */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures.h"
#include "kb.h"

static const char corpus[] =
    "<entry id=\"bb-repair\">\n"
    "  <title>宽带断网了怎么报修</title>\n"
    "  <alt>家里突然上不了网怎么办</alt>\n"
    "  <category>宽带/故障报修</category>\n"
    "  <answer>先重启光猫。</answer>\n"
    "  <answer audience=\"elderly\">您别着急，我们派师傅上门。</answer>\n"
    "  <answer audience=\"business\">政企客户优先派单。</answer>\n"
    "</entry>\n"
    "<entry id=\"vip-line\"><title>贵宾专线号码是多少</title><audience>vip</audience>"
    "<audience>business</audience><answer>请拨打贵宾专线。</answer></entry>\n"
    "<entry id=\"js-hall\"><title>江苏营业厅营业时间</title><region>江苏</region>"
    "<answer>九点到五点。</answer></entry>\n"
    "<entry id=\"escape\"><title>5G&lt;畅享&gt;套餐&amp;流量</title><answer>a</answer></entry>\n"
    "<entry id=\"draft\" status=\"draft\"><title>草稿预览条目</title><answer>a</answer></entry>\n"
    "<entry id=\"future\"><title>未来活动说明</title><valid from=\"2030-01-01\"/>"
    "<answer>a</answer></entry>\n"
    "<entry id=\"bill\"><title>话费余额怎么查</title><answer>发短信查询。</answer></entry>\n";

static char *dir, *db;
static kb_searcher_t *s;

static void shared_setup(void)
{
	dir = fx_tempdir();
	db = fx_path(dir, "db");
	char *xml = fx_kb(corpus);
	char *diags = NULL;
	kb_status_t st = fx_index_xml(db, xml, &diags);
	ck_assert_msg(st == KB_OK, "indexing: %s", diags);
	free(diags);
	free(xml);
}

static void shared_teardown(void)
{
	fx_rmtree(dir);
	free(dir);
	free(db);
}

static void setup(void)
{
	s = fx_searcher(db);
}

static void teardown(void)
{
	kb_searcher_destroy(s);
	s = NULL;
}

/* The response to len bytes of line, parsed; checked to be one line of
 * valid JSON holding an object. */
static json_t *answer_n(const char *line, size_t len)
{
	char *resp = NULL;
	ck_assert_int_eq(kb_protocol_answer(s, line, len, &resp), KB_OK);
	ck_assert_ptr_nonnull(resp);
	ck_assert_ptr_null(strchr(resp, '\n'));
	json_error_t e;
	json_t *j = json_loads(resp, 0, &e);
	ck_assert_msg(j != NULL, "response is not JSON (%s): %s", e.text, resp);
	ck_assert(json_is_object(j));
	free(resp);
	return j;
}

static json_t *answer(const char *line)
{
	return answer_n(line, strlen(line));
}

/* Checks an error response: ok false, the code, the message, and the id
 * (a JSON text: "null", "\"a\"", "7"). */
static void assert_error_n(const char *line, size_t len, const char *id, const char *message)
{
	json_t *j = answer_n(line, len);
	ck_assert_uint_eq(json_object_size(j), 3);
	ck_assert(json_is_false(json_object_get(j, "ok")));
	json_t *idv = json_object_get(j, "id");
	ck_assert_ptr_nonnull(idv);
	char *id_text = json_dumps(idv, JSON_ENCODE_ANY);
	ck_assert_str_eq(id_text, id);
	free(id_text);
	json_t *err = json_object_get(j, "error");
	ck_assert(json_is_object(err));
	ck_assert_uint_eq(json_object_size(err), 2);
	ck_assert_str_eq(json_string_value(json_object_get(err, "code")), "bad_request");
	const char *msg = json_string_value(json_object_get(err, "message"));
	ck_assert_ptr_nonnull(msg);
	if (message[strlen(message) - 1] == '*') /* a prefix */
		ck_assert_msg(strncmp(msg, message, strlen(message) - 1) == 0, "message '%s'", msg);
	else
		ck_assert_str_eq(msg, message);
	json_decref(j);
}

static void assert_error(const char *line, const char *id, const char *message)
{
	assert_error_n(line, strlen(line), id, message);
}

/* The ids of the hits of a successful response, '|'-separated. */
static char *hit_ids(json_t *j)
{
	ck_assert(json_is_true(json_object_get(j, "ok")));
	json_t *hits = json_object_get(j, "hits");
	ck_assert(json_is_array(hits));
	char out[1024] = "";
	size_t used = 0, i;
	json_t *h;
	json_array_foreach(hits, i, h)
	{
		used += (size_t)snprintf(out + used, sizeof out - used, "%s%s", i ? "|" : "",
		                         json_string_value(json_object_get(h, "id")));
	}
	return strdup(out);
}

static char *ids_for(const char *line)
{
	json_t *j = answer(line);
	char *ids = hit_ids(j);
	json_decref(j);
	return ids;
}

#define assert_ids(line, expected) fx_assert_str_owned(ids_for(line), (expected))

/* The first hit of a successful response (borrowed from j). */
static json_t *first_hit(json_t *j)
{
	ck_assert(json_is_true(json_object_get(j, "ok")));
	json_t *h = json_array_get(json_object_get(j, "hits"), 0);
	ck_assert_ptr_nonnull(h);
	return h;
}

/* ---- successful requests --------------------------------------------------- */

START_TEST(response_shape)
{
	json_t *j = answer("{\"id\":\"q1\",\"q\":\"宽带断网怎么报修\"}");
	const char *keys[] = {"id", "ok", "total", "took_us", "match_us", "hits"};
	ck_assert_uint_eq(json_object_size(j), 6);
	for (int i = 0; i < 6; i++)
		ck_assert_msg(json_object_get(j, keys[i]) != NULL, "no '%s'", keys[i]);
	ck_assert_str_eq(json_string_value(json_object_get(j, "id")), "q1");
	ck_assert(json_is_true(json_object_get(j, "ok")));
	ck_assert(json_is_integer(json_object_get(j, "total")));
	ck_assert(json_is_integer(json_object_get(j, "took_us")));
	ck_assert_int_ge(json_integer_value(json_object_get(j, "took_us")), 0);
	/* The match is part of the request. */
	ck_assert(json_is_integer(json_object_get(j, "match_us")));
	ck_assert_int_ge(json_integer_value(json_object_get(j, "match_us")), 0);
	ck_assert_int_le(json_integer_value(json_object_get(j, "match_us")),
	                 json_integer_value(json_object_get(j, "took_us")));
	json_t *hits = json_object_get(j, "hits");
	ck_assert(json_is_array(hits));
	ck_assert_int_ge(json_integer_value(json_object_get(j, "total")),
	                 (json_int_t)json_array_size(hits));

	json_t *h = first_hit(j);
	const char *hit_keys[] = {"id",      "rank",   "score",           "title",    "matched",
	                          "snippet", "answer", "answer_audience", "category", "audience"};
	ck_assert_uint_eq(json_object_size(h), 10);
	for (int i = 0; i < 10; i++)
		ck_assert_msg(json_object_get(h, hit_keys[i]) != NULL, "no '%s'", hit_keys[i]);
	ck_assert_str_eq(json_string_value(json_object_get(h, "id")), "bb-repair");
	ck_assert(json_is_integer(json_object_get(h, "rank")));
	ck_assert_int_eq(json_integer_value(json_object_get(h, "rank")), 1);
	ck_assert(json_is_real(json_object_get(h, "score")));
	ck_assert(json_real_value(json_object_get(h, "score")) > 0);
	ck_assert_str_eq(json_string_value(json_object_get(h, "title")), "宽带断网了怎么报修");
	ck_assert_str_eq(json_string_value(json_object_get(h, "matched")), "宽带断网了怎么报修");
	ck_assert_str_eq(json_string_value(json_object_get(h, "snippet")),
	                 "<em>宽带断网</em>了<em>怎么报修</em>");
	ck_assert_str_eq(json_string_value(json_object_get(h, "answer")), "先重启光猫。");
	ck_assert(json_is_null(json_object_get(h, "answer_audience")));
	ck_assert_str_eq(json_string_value(json_object_get(h, "category")), "宽带/故障报修");
	ck_assert(json_is_array(json_object_get(h, "audience")));
	ck_assert_uint_eq(json_array_size(json_object_get(h, "audience")), 0);
	/* Ranks in order. */
	size_t i;
	json_t *hit;
	json_array_foreach(hits, i, hit)
	{
		ck_assert_int_eq(json_integer_value(json_object_get(hit, "rank")), (json_int_t)i + 1);
	}
	json_decref(j);
}
END_TEST

static char *id_echo(const char *request)
{
	json_t *j = answer(request);
	ck_assert(json_is_true(json_object_get(j, "ok")));
	char *id = json_dumps(json_object_get(j, "id"), JSON_ENCODE_ANY);
	json_decref(j);
	return id;
}

#define assert_id_echo(request, expected) fx_assert_str_owned(id_echo(request), (expected))

START_TEST(id_is_echoed)
{
	assert_id_echo("{\"id\":\"q-77\",\"q\":\"宽带\"}", "\"q-77\"");
	assert_id_echo("{\"id\":42,\"q\":\"宽带\"}", "42");
	assert_id_echo("{\"id\":-3,\"q\":\"宽带\"}", "-3");
	assert_id_echo("{\"id\":2.5,\"q\":\"宽带\"}", "2.5");
	assert_id_echo("{\"id\":\"\",\"q\":\"宽带\"}", "\"\"");
	assert_id_echo("{\"id\":\"宽带 \\\"引号\\\"\",\"q\":\"宽带\"}", "\"宽带 \\\"引号\\\"\"");
	assert_id_echo("{\"id\":null,\"q\":\"宽带\"}", "null");
	assert_id_echo("{\"q\":\"宽带\"}", "null"); /* no id: null */
	/* The id may come after the other fields. */
	assert_id_echo("{\"q\":\"宽带\",\"limit\":1,\"id\":\"late\"}", "\"late\"");
}
END_TEST

START_TEST(audience_as_string_or_array)
{
	json_t *j = answer("{\"q\":\"宽带断网怎么报修\",\"audience\":\"elderly\"}");
	json_t *h = first_hit(j);
	ck_assert_str_eq(json_string_value(json_object_get(h, "answer")), "您别着急，我们派师傅上门。");
	ck_assert_str_eq(json_string_value(json_object_get(h, "answer_audience")), "elderly");
	json_decref(j);
	j = answer("{\"q\":\"宽带断网怎么报修\",\"audience\":[\"vip\",\"business\",\"elderly\"]}");
	h = first_hit(j);
	ck_assert_str_eq(json_string_value(json_object_get(h, "answer")), "政企客户优先派单。");
	ck_assert_str_eq(json_string_value(json_object_get(h, "answer_audience")), "business");
	json_decref(j);
	j = answer("{\"q\":\"宽带断网怎么报修\",\"audience\":[]}");
	h = first_hit(j);
	ck_assert_str_eq(json_string_value(json_object_get(h, "answer")), "先重启光猫。");
	ck_assert(json_is_null(json_object_get(h, "answer_audience")));
	json_decref(j);
	/* The audience filter, and the entry's tags in the hit. */
	assert_ids("{\"q\":\"贵宾专线号码\"}", "");
	assert_ids("{\"q\":\"贵宾专线号码\",\"audience\":null}", "");
	assert_ids("{\"q\":\"贵宾专线号码\",\"audience\":\"campus\"}", "");
	j = answer("{\"q\":\"贵宾专线号码\",\"audience\":[\"campus\",\"vip\"]}");
	h = first_hit(j);
	ck_assert_str_eq(json_string_value(json_object_get(h, "id")), "vip-line");
	char *tags = json_dumps(json_object_get(h, "audience"), JSON_COMPACT);
	ck_assert_str_eq(tags, "[\"vip\",\"business\"]");
	free(tags);
	json_decref(j);
}
END_TEST

START_TEST(region_limit_drafts_and_date)
{
	assert_ids("{\"q\":\"营业厅营业时间\"}", "");
	assert_ids("{\"q\":\"营业厅营业时间\",\"region\":\"上海\"}", "");
	assert_ids("{\"q\":\"营业厅营业时间\",\"region\":\"江苏\"}", "js-hall");
	assert_ids("{\"q\":\"草稿预览\"}", "");
	assert_ids("{\"q\":\"草稿预览\",\"drafts\":false}", "");
	assert_ids("{\"q\":\"草稿预览\",\"drafts\":true}", "draft");
	assert_ids("{\"q\":\"未来活动说明\",\"at\":\"2029-12-31\"}", "");
	assert_ids("{\"q\":\"未来活动说明\",\"at\":\"2030-01-01\"}", "future");
	/* Several entries match 宽带 话费; limit cuts the list. */
	char *all = ids_for("{\"q\":\"宽带 话费 套餐\"}");
	ck_assert_ptr_nonnull(strchr(all, '|'));
	char *one = ids_for("{\"q\":\"宽带 话费 套餐\",\"limit\":1}");
	ck_assert_ptr_null(strchr(one, '|'));
	ck_assert_int_eq(strncmp(all, one, strlen(one)), 0);
	free(all);
	free(one);
	char *max = ids_for("{\"q\":\"宽带 话费 套餐\",\"limit\":100}");
	ck_assert_ptr_nonnull(strchr(max, '|'));
	free(max);
	/* Unknown fields are ignored. */
	assert_ids("{\"q\":\"营业厅营业时间\",\"region\":\"江苏\",\"colour\":\"blue\"}", "js-hall");
}
END_TEST

START_TEST(snippet_is_html_safe)
{
	json_t *j = answer("{\"q\":\"套餐\"}");
	json_t *h = first_hit(j);
	ck_assert_str_eq(json_string_value(json_object_get(h, "id")), "escape");
	ck_assert_str_eq(json_string_value(json_object_get(h, "title")), "5G<畅享>套餐&流量");
	ck_assert_str_eq(json_string_value(json_object_get(h, "snippet")),
	                 "5G&lt;畅享&gt;<em>套餐</em>&amp;流量");
	json_decref(j);
	/* Only the answer matched: matched is null, the snippet the answer's
	 * sentence. */
	j = answer("{\"q\":\"光猫\"}");
	h = first_hit(j);
	ck_assert_str_eq(json_string_value(json_object_get(h, "id")), "bb-repair");
	ck_assert(json_is_null(json_object_get(h, "matched")));
	ck_assert_str_eq(json_string_value(json_object_get(h, "snippet")), "先重启<em>光猫</em>。");
	json_decref(j);
}
END_TEST

START_TEST(empty_query_is_ok_with_no_hits)
{
	static const char *const lines[] = {"{\"id\":1,\"q\":\"\"}", "{\"id\":1,\"q\":\"，。！\"}", NULL};
	for (int i = 0; lines[i]; i++) {
		json_t *j = answer(lines[i]);
		ck_assert(json_is_true(json_object_get(j, "ok")));
		ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 0);
		ck_assert_uint_eq(json_array_size(json_object_get(j, "hits")), 0);
		json_decref(j);
	}
}
END_TEST

/* ---- errors ------------------------------------------------------------------- */

START_TEST(invalid_json)
{
	assert_error("{\"q\":", "null", "invalid JSON at column 5: unexpected token near end of file");
	assert_error("", "null", "invalid JSON at column 0: *");
	assert_error("{\"id\":\"a\",\"q\":\"x\"} junk", "null", "invalid JSON at column *");
	assert_error("{'q': 'single quotes'}", "null", "invalid JSON at column *");
	/* Duplicate keys are refused rather than guessed at. */
	assert_error("{\"id\":\"a\",\"q\":\"a\",\"q\":\"b\"}", "null",
	             "invalid JSON at column 21: duplicate object key near '\"q\"'");
}
END_TEST

START_TEST(not_an_object)
{
	static const char *const lines[] = {"[1,2]", "\"宽带\"", "42", "null", "true", NULL};
	for (int i = 0; lines[i]; i++)
		assert_error(lines[i], "null", "a request must be a JSON object");
}
END_TEST

START_TEST(q_missing_or_not_a_string)
{
	assert_error("{\"id\":\"a\"}", "\"a\"", "field 'q' is required (the customer's words)");
	assert_error("{}", "null", "field 'q' is required (the customer's words)");
	assert_error("{\"id\":7,\"q\":5}", "7", "field 'q' must be a string");
	assert_error("{\"id\":7,\"q\":null}", "7", "field 'q' must be a string");
	assert_error("{\"id\":7,\"q\":[\"宽带\"]}", "7", "field 'q' must be a string");
}
END_TEST

START_TEST(bad_id)
{
	/* An id of the wrong type is not echoed. */
	assert_error("{\"id\":{\"x\":1},\"q\":\"宽带\"}", "null", "field 'id' must be a string or a number");
	assert_error("{\"id\":[1],\"q\":\"宽带\"}", "null", "field 'id' must be a string or a number");
	assert_error("{\"id\":true,\"q\":\"宽带\"}", "null", "field 'id' must be a string or a number");
}
END_TEST

START_TEST(bad_audience)
{
	const char *type = "field 'audience' must be a string or an array of strings";
	assert_error("{\"id\":\"b\",\"q\":\"x\",\"audience\":5}", "\"b\"", type);
	assert_error("{\"id\":\"b\",\"q\":\"x\",\"audience\":{\"vip\":true}}", "\"b\"", type);
	assert_error("{\"id\":\"b\",\"q\":\"x\",\"audience\":[\"vip\",3]}", "\"b\"", type);
	assert_error("{\"id\":\"b\",\"q\":\"x\",\"audience\":\"VIP\"}", "\"b\"",
	             "audience 'VIP' is not a tag: use lowercase ASCII letters, digits, '-' or '_' "
	             "(like \"elderly\")");
	assert_error("{\"id\":\"b\",\"q\":\"x\",\"audience\":[\"vip\",\"老人\"]}", "\"b\"",
	             "audience '老人' is not a tag: use lowercase ASCII letters, digits, '-' or '_' "
	             "(like \"elderly\")");
	assert_error("{\"id\":\"b\",\"q\":\"x\",\"audience\":\"\"}", "\"b\"",
	             "audience '' is not a tag: use lowercase ASCII letters, digits, '-' or '_' "
	             "(like \"elderly\")");
	char line[512];
	size_t n = (size_t)snprintf(line, sizeof line, "{\"id\":\"b\",\"q\":\"x\",\"audience\":[");
	for (int i = 0; i < KB_MAX_QUERY_AUDIENCES + 1; i++)
		n += (size_t)snprintf(line + n, sizeof line - n, "%s\"t%d\"", i ? "," : "", i);
	snprintf(line + n, sizeof line - n, "]}");
	assert_error(line, "\"b\"", "field 'audience' may name at most 16 tags");
}
END_TEST

START_TEST(bad_region)
{
	assert_error("{\"id\":1,\"q\":\"x\",\"region\":5}", "1", "field 'region' must be a string");
	assert_error("{\"id\":1,\"q\":\"x\",\"region\":[\"江苏\"]}", "1", "field 'region' must be a string");
}
END_TEST

START_TEST(bad_limit)
{
	const char *m = "field 'limit' must be an integer from 1 to 100";
	static const char *const limits[] = {"0", "101", "2.5", "\"5\"", "-1", "true", "1e2",
	                                     "9223372036854775807", NULL};
	for (int i = 0; limits[i]; i++) {
		char line[128];
		snprintf(line, sizeof line, "{\"id\":\"l\",\"q\":\"x\",\"limit\":%s}", limits[i]);
		assert_error(line, "\"l\"", m);
	}
}
END_TEST

START_TEST(bad_date_and_drafts)
{
	const char *m = "field 'at' must be a date string like \"2026-11-23\"";
	assert_error("{\"id\":\"d\",\"q\":\"x\",\"at\":\"2026-02-30\"}", "\"d\"", m);
	assert_error("{\"id\":\"d\",\"q\":\"x\",\"at\":\"tomorrow\"}", "\"d\"", m);
	assert_error("{\"id\":\"d\",\"q\":\"x\",\"at\":20260101}", "\"d\"", m);
	assert_error("{\"id\":\"d\",\"q\":\"x\",\"drafts\":\"yes\"}", "\"d\"",
	             "field 'drafts' must be true or false");
}
END_TEST

START_TEST(nul_characters)
{
	/* Escaped NUL: valid JSON, refused by field, with the id. */
	assert_error("{\"id\":\"n\",\"q\":\"宽带\\u0000断网\"}", "\"n\"",
	             "field 'q' must not contain NUL characters (\\u0000)");
	assert_error("{\"id\":\"n\",\"q\":\"宽带\",\"region\":\"江\\u0000苏\"}", "\"n\"",
	             "field 'region' must not contain NUL characters (\\u0000)");
	/* Raw NUL bytes inside the line: not JSON. */
	static const char raw[] = "{\"id\":\"n\",\"q\":\"宽\0带\"}";
	assert_error_n(raw, sizeof raw - 1, "null", "invalid JSON at column *");
	static const char after[] = "{\"id\":\"n\",\"q\":\"宽带\"}\0{\"q\":\"x\"}";
	assert_error_n(after, sizeof after - 1, "null", "invalid JSON at column *");
}
END_TEST

START_TEST(invalid_utf8)
{
	static const char *const lines[] = {
	    "{\"id\":\"u\",\"q\":\"宽\xff带\"}", "\xff", "{\"q\":\"\xc3\"}", "{\"\xff\":1}",
	    "{\"q\":\"宽\xe5\xae\"}", "{\"q\":\"\xed\xa0\x80\"}", "{\"q\":\"\xc0\xaf\"}",
	    "{\"q\":\"x\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xfe\":1}", NULL};
	for (int i = 0; lines[i]; i++)
		assert_error(lines[i], "null", "invalid JSON at column *");
}
END_TEST

static double now_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

START_TEST(two_megabyte_line)
{
	/* A valid request whose q is 2 MB: answered, and quickly. */
	char *words = fx_repeat("宽带断网怎么报修 ", 2 * 1024 * 1024 / 25);
	char *line = fx_printf("{\"id\":\"big\",\"q\":\"%s\"}", words);
	ck_assert_uint_gt(strlen(line), 2000000);
	double t0 = now_seconds();
	json_t *j = answer(line);
	ck_assert_double_lt(now_seconds() - t0, 5.0);
	ck_assert_str_eq(json_string_value(json_object_get(j, "id")), "big");
	ck_assert_str_eq(json_string_value(json_object_get(first_hit(j), "id")), "bb-repair");
	json_decref(j);
	free(line);
	/* 2 MB of an unterminated string. */
	line = fx_printf("{\"id\":\"big\",\"q\":\"%s", words);
	assert_error(line, "null", "invalid JSON at column *");
	free(line);
	free(words);
}
END_TEST

START_TEST(results_json)
{
	kb_query_t q;
	kb_query_init(&q);
	q.text = "宽带断网怎么报修";
	kb_results_t *r = NULL;
	ck_assert_int_eq(kb_search(s, &q, &r), KB_OK);
	char *resp = NULL;
	ck_assert_int_eq(kb_results_json(r, 1234, &resp), KB_OK);
	json_t *j = json_loads(resp, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert(json_is_null(json_object_get(j, "id")));
	ck_assert(json_is_true(json_object_get(j, "ok")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "took_us")), 1234);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), (json_int_t)kb_results_total(r));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "hits")), kb_results_count(r));
	ck_assert_str_eq(json_string_value(json_object_get(first_hit(j), "id")), "bb-repair");
	/* The same hits as the protocol gives. */
	json_t *p = answer("{\"q\":\"宽带断网怎么报修\"}");
	char *a = hit_ids(j), *b = hit_ids(p);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	json_decref(p);
	json_decref(j);
	free(resp);
	kb_results_destroy(r);
}
END_TEST

/* ---- kb_serve ----------------------------------------------------------------- */

/* Runs kb_serve over in, which it closes; returns the output, the status
 * into *st. */
static char *serve_from(FILE *in, kb_status_t *st)
{
	ck_assert_ptr_nonnull(in);
	char *out_buf = NULL;
	size_t out_len = 0;
	FILE *out = open_memstream(&out_buf, &out_len);
	ck_assert_ptr_nonnull(out);
	*st = kb_serve(s, in, out);
	fclose(out);
	fclose(in);
	return out_buf;
}

/* The same over len bytes of input, from a file. */
static char *serve(const char *input, size_t len, kb_status_t *st)
{
	FILE *in = tmpfile();
	ck_assert_ptr_nonnull(in);
	ck_assert_uint_eq(fwrite(input, 1, len, in), len);
	rewind(in);
	return serve_from(in, st);
}

/* Splits output into lines (modifying it); returns the count. */
static size_t split_lines(char *output, char **lines, size_t max)
{
	size_t n = 0;
	char *p = output;
	while (*p) {
		char *nl = strchr(p, '\n');
		ck_assert_msg(nl != NULL, "the last line has no newline");
		*nl = '\0';
		ck_assert_uint_lt(n, max);
		lines[n++] = p;
		p = nl + 1;
	}
	return n;
}

static json_t *parse_line(const char *line)
{
	json_t *j = json_loads(line, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON: %s", line);
	return j;
}

START_TEST(serve_answers_every_line)
{
	char *too_long = fx_repeat("x", KB_PROTOCOL_MAX_LINE + 10);
	char *input = fx_printf("{\"id\":1,\"q\":\"宽带断网怎么报修\"}\n"
	                        "\n"
	                        "{\"q\":\n"
	                        "%s\n"
	                        "[1]\n"
	                        "{\"id\":\"bad-limit\",\"q\":\"x\",\"limit\":0}\n"
	                        "{\"id\":\"after\",\"q\":\"话费余额怎么查\",\"limit\":3}\n"
	                        "{\"id\":\"crlf\",\"q\":\"话费余额怎么查\"}\r\n"
	                        "{\"id\":\"last\",\"q\":\"宽带断网怎么报修\"}",
	                        too_long);
	kb_status_t st;
	char *output = serve(input, strlen(input), &st);
	ck_assert_int_eq(st, KB_OK);
	char *lines[32];
	size_t n = split_lines(output, lines, 32);
	ck_assert_uint_eq(n, 9);

	static const char *const ids[] = {"1",  "null", "null", "null", "null",
	                                  "\"bad-limit\"", "\"after\"", "\"crlf\"", "\"last\""};
	static const int ok[] = {1, 0, 0, 0, 0, 0, 1, 1, 1};
	for (size_t i = 0; i < n; i++) {
		json_t *j = parse_line(lines[i]);
		char *id = json_dumps(json_object_get(j, "id"), JSON_ENCODE_ANY);
		ck_assert_msg(strcmp(id, ids[i]) == 0, "line %zu: id %s", i + 1, id);
		ck_assert_msg(json_is_true(json_object_get(j, "ok")) == ok[i], "line %zu: %s", i + 1,
		              lines[i]);
		free(id);
		json_decref(j);
	}
	json_t *j = parse_line(lines[3]);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
	                 "request line longer than 1048576 bytes");
	json_decref(j);
	/* The good request after the bad ones gets the right answer. */
	j = parse_line(lines[6]);
	char *got = hit_ids(j);
	json_t *direct = answer("{\"q\":\"话费余额怎么查\",\"limit\":3}");
	char *want = hit_ids(direct);
	ck_assert_str_eq(got, want);
	ck_assert_str_eq(json_string_value(json_object_get(first_hit(j), "id")), "bill");
	free(got);
	free(want);
	json_decref(direct);
	json_decref(j);
	j = parse_line(lines[8]);
	ck_assert_str_eq(json_string_value(json_object_get(first_hit(j), "id")), "bb-repair");
	json_decref(j);
	free(output);
	free(input);
	free(too_long);
}
END_TEST

START_TEST(serve_line_length_boundary)
{
	/* A request of exactly KB_PROTOCOL_MAX_LINE bytes is answered; one
	 * byte more is refused. */
	const char *head = "{\"id\":\"edge\",\"q\":\"宽带断网\"";
	size_t pad = KB_PROTOCOL_MAX_LINE - strlen(head) - 1;
	char *spaces = fx_repeat(" ", pad);
	char *input = fx_printf("%s%s}\n%s%s }\n", head, spaces, head, spaces);
	kb_status_t st;
	char *output = serve(input, strlen(input), &st);
	ck_assert_int_eq(st, KB_OK);
	char *lines[4];
	ck_assert_uint_eq(split_lines(output, lines, 4), 2);
	json_t *j = parse_line(lines[0]);
	ck_assert_str_eq(json_string_value(json_object_get(j, "id")), "edge");
	ck_assert(json_is_true(json_object_get(j, "ok")));
	json_decref(j);
	j = parse_line(lines[1]);
	ck_assert(json_is_false(json_object_get(j, "ok")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
	                 "request line longer than 1048576 bytes");
	json_decref(j);
	free(output);
	free(input);
	free(spaces);
}
END_TEST

START_TEST(serve_nul_and_invalid_bytes_stay_on_their_line)
{
	static const char input[] = "{\"id\":1,\"q\":\"宽\0带\"}\n"
	                            "\xff\xfe\x00\x01\n"
	                            "{\"id\":3,\"q\":\"宽带断网\"}\n";
	kb_status_t st;
	char *output = serve(input, sizeof input - 1, &st);
	ck_assert_int_eq(st, KB_OK);
	char *lines[8];
	ck_assert_uint_eq(split_lines(output, lines, 8), 3);
	json_t *j = parse_line(lines[2]);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "id")), 3);
	ck_assert(json_is_true(json_object_get(j, "ok")));
	json_decref(j);
	free(output);
}
END_TEST

START_TEST(serve_empty_input)
{
	kb_status_t st;
	char *output = serve("", 0, &st);
	ck_assert_int_eq(st, KB_OK);
	ck_assert_str_eq(output, "");
	free(output);
}
END_TEST

/* Requests through a pipe left non-blocking, arriving late and in pieces
 * (the first line cut in two): each is answered, none is taken for an
 * error or an end. */
START_TEST(serve_waits_on_a_nonblocking_pipe)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK), 0);
	pid_t writer = fork();
	ck_assert_int_ge(writer, 0);
	if (writer == 0) {
		close(fds[0]);
		static const char *const pieces[] = {"{\"id\":1,\"q\":\"宽带", "断网怎么报修\"}\n",
		                                     "{\"id\":2,\"q\":\"话费余额\"}\n"};
		for (size_t i = 0; i < 3; i++) {
			nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
			if (write(fds[1], pieces[i], strlen(pieces[i])) < 0)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	kb_status_t st;
	char *out_buf = serve_from(fdopen(fds[0], "r"), &st);
	ck_assert_int_eq(st, KB_OK);
	int status;
	ck_assert_int_eq(waitpid(writer, &status, 0), writer);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char *lines[4];
	ck_assert_uint_eq(split_lines(out_buf, lines, 4), 2);
	for (int i = 0; i < 2; i++) {
		json_t *r = parse_line(lines[i]);
		ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), i + 1);
		ck_assert(json_is_true(json_object_get(r, "ok")));
		json_decref(r);
	}
	free(out_buf);
}
END_TEST

/* A stream without a file descriptor is read through stdio. */
START_TEST(serve_reads_a_stream_without_a_descriptor)
{
	static char input[] = "{\"id\":\"a\",\"q\":\"宽带断网怎么报修\"}\n{\"id\":\"b\",\"q\":\"话费\"}";
	FILE *in = fmemopen(input, strlen(input), "r");
	ck_assert_ptr_nonnull(in);
	ck_assert_int_lt(fileno(in), 0);
	kb_status_t st;
	char *out_buf = serve_from(in, &st);
	ck_assert_int_eq(st, KB_OK);
	char *lines[4];
	ck_assert_uint_eq(split_lines(out_buf, lines, 4), 2);
	ck_assert_ptr_nonnull(strstr(lines[0], "{\"id\":\"a\",\"ok\":true,"));
	ck_assert_ptr_nonnull(strstr(lines[1], "{\"id\":\"b\",\"ok\":true,"));
	free(out_buf);
}
END_TEST

START_TEST(serve_reports_a_failed_write)
{
	FILE *in = tmpfile();
	fputs("{\"q\":\"宽带\"}\n{\"q\":\"宽带\"}\n", in);
	rewind(in);
	FILE *out = fopen("/dev/null", "r"); /* not writable */
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(kb_serve(s, in, out), KB_ERR_IO);
	fclose(out);
	fclose(in);
}
END_TEST

static Suite *protocol_suite(void)
{
	Suite *su = suite_create("protocol");
	TCase *tc = tcase_create("answer");
	tcase_add_unchecked_fixture(tc, shared_setup, shared_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, response_shape);
	tcase_add_test(tc, id_is_echoed);
	tcase_add_test(tc, audience_as_string_or_array);
	tcase_add_test(tc, region_limit_drafts_and_date);
	tcase_add_test(tc, snippet_is_html_safe);
	tcase_add_test(tc, empty_query_is_ok_with_no_hits);
	tcase_add_test(tc, invalid_json);
	tcase_add_test(tc, not_an_object);
	tcase_add_test(tc, q_missing_or_not_a_string);
	tcase_add_test(tc, bad_id);
	tcase_add_test(tc, bad_audience);
	tcase_add_test(tc, bad_region);
	tcase_add_test(tc, bad_limit);
	tcase_add_test(tc, bad_date_and_drafts);
	tcase_add_test(tc, nul_characters);
	tcase_add_test(tc, invalid_utf8);
	tcase_add_test(tc, two_megabyte_line);
	tcase_add_test(tc, results_json);
	suite_add_tcase(su, tc);

	tc = tcase_create("serve");
	tcase_add_unchecked_fixture(tc, shared_setup, shared_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, serve_answers_every_line);
	tcase_add_test(tc, serve_waits_on_a_nonblocking_pipe);
	tcase_add_test(tc, serve_reads_a_stream_without_a_descriptor);
	tcase_add_test(tc, serve_line_length_boundary);
	tcase_add_test(tc, serve_nul_and_invalid_bytes_stay_on_their_line);
	tcase_add_test(tc, serve_empty_input);
	tcase_add_test(tc, serve_reports_a_failed_write);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	return fx_run(protocol_suite());
}
