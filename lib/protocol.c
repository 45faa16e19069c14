/* protocol.c: one JSON Lines request in, one response line out. */
#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kb-private.h"

typedef struct request {
	json_t *id;                 /* borrowed from the parsed request */
	const char *text;
	const char *audiences[KB_MAX_QUERY_AUDIENCES];
	size_t audience_count;
	const char *region;
	unsigned limit;
	const char *date;
	bool drafts;
} request_t;

/* The id as JSON text; a real in the fewest digits that read back as the
 * same number (0.1, not 0.10000000000000001), as the client most likely
 * wrote it. */
static char *id_json(json_t *id)
{
	if (!json_is_real(id))
		return json_dumps(id, JSON_COMPACT | JSON_ENCODE_ANY);
	double v = json_real_value(id);
	char buf[40];
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(buf, sizeof buf, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* "1e+20" is valid JSON; "5" for 5.0 would turn a real into an integer. */
	if (!strpbrk(buf, ".eEn"))
		strcat(buf, ".0");
	return strdup(buf);
}

/* The response line: "id" first, then the members of rest (a JSON object,
 * freed here). */
static char *line_with_id(json_t *id, json_t *rest, size_t flags)
{
	char *body = rest ? json_dumps(rest, JSON_COMPACT | flags) : NULL;
	char *id_text = id ? id_json(id) : strdup("null");
	char *line = body && id_text ? kb_strdup_printf("{\"id\":%s,%s", id_text, body + 1) : NULL;
	json_decref(rest);
	free(body);
	free(id_text);
	return line;
}

static char *error_line(json_t *id, const char *code, const char *message)
{
	return line_with_id(id, json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error", "code", code,
	                                  "message", message),
	                    0);
}

/* Fills req from the object; on a client error returns a malloc()ed
 * message for the bad_request reply. */
static char *parse_request(json_t *obj, request_t *req)
{
	json_t *v;
	if ((v = json_object_get(obj, "id")) && !json_is_string(v) && !json_is_number(v) &&
	    !json_is_null(v))
		return strdup("field 'id' must be a string or a number");
	v = json_object_get(obj, "q");
	if (!v)
		return strdup("field 'q' is required (the customer's words)");
	if (!json_is_string(v))
		return strdup("field 'q' must be a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return strdup("field 'q' must not contain NUL characters (\\u0000)");
	req->text = json_string_value(v);
	if ((v = json_object_get(obj, "audience")) && !json_is_null(v)) {
		if (json_is_string(v)) {
			req->audiences[req->audience_count++] = json_string_value(v);
		} else if (json_is_array(v)) {
			if (json_array_size(v) > KB_MAX_QUERY_AUDIENCES)
				return kb_strdup_printf("field 'audience' may name at most %d tags",
				                        KB_MAX_QUERY_AUDIENCES);
			size_t i;
			json_t *tag;
			json_array_foreach(v, i, tag) {
				if (!json_is_string(tag))
					return strdup("field 'audience' must be a string or an array of strings");
				req->audiences[req->audience_count++] = json_string_value(tag);
			}
		} else {
			return strdup("field 'audience' must be a string or an array of strings");
		}
		for (size_t i = 0; i < req->audience_count; i++)
			if (!kb_tag_is_valid(req->audiences[i]))
				return kb_strdup_printf("audience '%s' is not a tag: use lowercase ASCII "
				                        "letters, digits, '-' or '_' (like \"elderly\")",
				                        req->audiences[i]);
	}
	if ((v = json_object_get(obj, "region")) && !json_is_null(v)) {
		if (!json_is_string(v))
			return strdup("field 'region' must be a string");
		req->region = json_string_value(v);
		if (strlen(req->region) != json_string_length(v))
			return strdup("field 'region' must not contain NUL characters (\\u0000)");
	}
	if ((v = json_object_get(obj, "limit")) && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > KB_LIMIT_MAX)
			return kb_strdup_printf("field 'limit' must be an integer from 1 to %d",
			                        KB_LIMIT_MAX);
		req->limit = (unsigned)json_integer_value(v);
	}
	if ((v = json_object_get(obj, "drafts")) && !json_is_null(v)) {
		if (!json_is_boolean(v))
			return strdup("field 'drafts' must be true or false");
		req->drafts = json_is_true(v);
	}
	if ((v = json_object_get(obj, "at")) && !json_is_null(v)) {
		if (!json_is_string(v) || !kb_date_is_valid(json_string_value(v)))
			return strdup("field 'at' must be a date string like \"2026-11-23\"");
		req->date = json_string_value(v);
	}
	return NULL;
}

/* The snippet as HTML-safe text with the matched words in <em>, the way
 * search engines hand highlights to web front ends. */
static json_t *snippet_json(const kb_hit_t *h)
{
	size_t cap = strlen(h->snippet) * 5 + h->snippet_span_count * 9 + 1, len = 0, next = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (size_t i = 0; h->snippet[i]; i++) {
		if (next < h->snippet_span_count && i == h->snippet_spans[next].start) {
			memcpy(out + len, "<em>", 4);
			len += 4;
		}
		const char *esc = NULL;
		switch (h->snippet[i]) {
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '&': esc = "&amp;"; break;
		default: out[len++] = h->snippet[i];
		}
		if (esc) {
			memcpy(out + len, esc, strlen(esc));
			len += strlen(esc);
		}
		if (next < h->snippet_span_count && i + 1 == h->snippet_spans[next].end) {
			memcpy(out + len, "</em>", 5);
			len += 5;
			next++;
		}
	}
	json_t *j = json_stringn_nocheck(out, len);
	free(out);
	return j;
}

/* A string of a hit: valid UTF-8 already (jansson checked the stored
 * document when the search read it), so not checked again; NULL is null. */
static json_t *text(const char *s)
{
	return s ? json_string_nocheck(s) : json_null();
}

static json_t *hits_json(const kb_results_t *r)
{
	json_t *hits = json_array();
	for (size_t i = 0; hits && i < kb_results_count(r); i++) {
		const kb_hit_t *h = kb_results_hit(r, i);
		json_t *aud = json_array();
		for (size_t k = 0; aud && k < h->audience_count; k++)
			json_array_append_new(aud, text(h->audiences[k]));
		json_t *hit = json_object();
		int bad = !hit || !aud;
		bad |= json_object_set_new_nocheck(hit, "id", text(h->id));
		bad |= json_object_set_new_nocheck(hit, "rank", json_integer((json_int_t)h->rank));
		bad |= json_object_set_new_nocheck(hit, "score", json_real(h->score));
		bad |= json_object_set_new_nocheck(hit, "title", text(h->title));
		bad |= json_object_set_new_nocheck(hit, "matched", text(h->matched));
		bad |= json_object_set_new_nocheck(hit, "snippet", snippet_json(h));
		bad |= json_object_set_new_nocheck(hit, "answer", text(h->answer));
		bad |= json_object_set_new_nocheck(hit, "answer_audience", text(h->answer_audience));
		bad |= json_object_set_new_nocheck(hit, "category", text(h->category));
		bad |= json_object_set_new_nocheck(hit, "audience", aud);
		if (bad || json_array_append_new(hits, hit) != 0) {
			json_decref(hit);
			json_decref(hits);
			return NULL;
		}
	}
	return hits;
}

static long elapsed_us(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000000L + (now.tv_nsec - since->tv_nsec) / 1000;
}

/* The response object for r as one line, "id" set to id (NULL: null). */
static char *results_line(json_t *id, const kb_results_t *r, long took_us)
{
	json_t *hits = hits_json(r);
	json_t *resp = hits ? json_pack("{s:b, s:I, s:I, s:I, s:o}", "ok", 1, "total",
	                                (json_int_t)kb_results_total(r), "took_us",
	                                (json_int_t)took_us, "match_us",
	                                (json_int_t)kb_results_match_us(r), "hits", hits)
	                    : NULL;
	/* Scores are rounded to 6 digits; the id must come back unchanged, so
	 * it is written apart (line_with_id). */
	return line_with_id(id, resp, JSON_REAL_PRECISION(6));
}

KB_EXPORT kb_status_t kb_results_json(const kb_results_t *r, long took_us, char **response)
{
	*response = results_line(NULL, r, took_us);
	return *response ? KB_OK : KB_ERR_NOMEM;
}

/* The response to q, or the search's failure status (message on s). */
static kb_status_t respond(kb_searcher_t *s, json_t *id, const kb_query_t *q,
                           const struct timespec *t0, char **line)
{
	*line = NULL;
	kb_results_t *r = NULL;
	kb_status_t st = kb_search(s, q, &r);
	if (st != KB_OK)
		return st;
	*line = results_line(id, r, elapsed_us(t0));
	kb_results_destroy(r);
	return *line ? KB_OK : KB_ERR_NOMEM;
}

static char *answer_object(kb_searcher_t *s, json_t *obj, const struct timespec *t0)
{
	request_t req = {0};
	char *bad = parse_request(obj, &req);
	json_t *id = json_object_get(obj, "id");
	if (bad) {
		/* An id of the wrong type is not echoed: the client could not
		 * match it anyway. */
		char *line = error_line(json_is_string(id) || json_is_number(id) ? id : NULL,
		                        "bad_request", bad);
		free(bad);
		return line;
	}
	kb_query_t q;
	kb_query_init(&q);
	q.text = req.text;
	q.audiences = req.audiences;
	q.audience_count = req.audience_count;
	q.region = req.region;
	q.limit = req.limit;
	q.date = req.date;
	q.include_drafts = req.drafts;
	char *line;
	kb_status_t st = respond(s, id, &q, t0, &line);
	if (st == KB_ERR_INVALID_ARG)
		return error_line(id, "bad_request", kb_searcher_last_error(s));
	if (st == KB_ERR_NOMEM)
		return error_line(id, "internal", "out of memory");
	if (st != KB_OK)
		return error_line(id, "index_error", kb_searcher_last_error(s));
	return line;
}

KB_EXPORT kb_status_t kb_protocol_answer(kb_searcher_t *s, const char *line, size_t len,
                                         char **response)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	json_error_t jerr;
	/* \u0000 is valid JSON; it is refused field by field, with the id. */
	json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL,
	                         &jerr);
	if (!obj) {
		/* jansson quotes the offending bytes, which may be half a UTF-8
		 * character: the message must itself be valid UTF-8. */
		kb_utf8_repair(jerr.text, strlen(jerr.text));
		char *msg = kb_strdup_printf("invalid JSON at column %d: %s", jerr.column, jerr.text);
		*response = error_line(NULL, "bad_request", msg ? msg : "invalid JSON");
		free(msg);
	} else if (!json_is_object(obj)) {
		*response = error_line(NULL, "bad_request", "a request must be a JSON object");
	} else {
		*response = answer_object(s, obj, &t0);
	}
	json_decref(obj);
	return *response ? KB_OK : KB_ERR_NOMEM;
}
