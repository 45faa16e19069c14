/* fuzz_entry_reader.c: kb_read_entries() (lib/entry.h) on arbitrary bytes.
 *
 * Each input is written to one file in a per-process temporary directory
 * and read with a fresh id set and diagnostics list.  Besides memory
 * safety (the sanitizers), it checks what the reader promises about every
 * entry it hands on as valid (spec/knowledge-entry.md, README "The entry
 * format") and about the diagnostics. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "fuzz_util.h"
#include "kb-private.h"

static char path[4200];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(path, sizeof path, "%s/entries.xml", fuzz_tmpdir("fuzz-entry"));
	return 0;
}

typedef struct sink {
	kb_string_set_t *ids;
	size_t entries;
	uint64_t hash; /* every byte of every field goes through it */
} sink_t;

static void touch(sink_t *s, const char *str)
{
	for (const char *p = str; *p; p++)
		s->hash = (s->hash ^ (unsigned char)*p) * 1099511628211ull;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A question, tag or region: non-empty (unless allow_empty), within the
 * limit, valid UTF-8, trimmed, inner white space folded to single spaces. */
static void check_line_field(sink_t *s, const char *what, const char *v, int allow_empty)
{
	FUZZ_CHECK(v != NULL, "%s is NULL", what);
	touch(s, v);
	size_t n = strlen(v);
	FUZZ_CHECK(allow_empty || n > 0, "%s is empty", what);
	FUZZ_CHECK(n <= KB_MAX_QUESTION_BYTES, "%s has %zu bytes", what, n);
	FUZZ_CHECK(fuzz_utf8_valid(v, n), "%s is not UTF-8", what);
	FUZZ_CHECK(n == 0 || (!is_ws(v[0]) && !is_ws(v[n - 1])), "%s is not trimmed: '%s'", what, v);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(v[i] != '\t' && v[i] != '\n' && v[i] != '\r',
		           "%s holds a tab or line break: '%s'", what, v);
		FUZZ_CHECK(!(v[i] == ' ' && v[i + 1] == ' '), "%s holds two spaces in a row: '%s'",
		           what, v);
	}
}

static int id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == ':' || c == '-';
}

static kb_status_t on_entry(void *ctx, const kb_entry_t *e)
{
	sink_t *s = ctx;
	s->entries++;
	FUZZ_CHECK(e->file && strcmp(e->file, path) == 0, "file is %s", e->file ? e->file : "NULL");
	FUZZ_CHECK(e->line >= 1, "line %ld", e->line);

	FUZZ_CHECK(e->id != NULL, "an entry without id");
	touch(s, e->id);
	size_t n = strlen(e->id);
	FUZZ_CHECK(n >= 1 && n <= 64, "id of %zu bytes", n);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(id_char(e->id[i]), "id '%s' holds a character outside A-Z a-z 0-9 . _ : -",
		           e->id);
	FUZZ_CHECK(kb_string_set_get(s->ids, e->id) != NULL, "id '%s' is not in the id set", e->id);

	FUZZ_CHECK(e->status && (strcmp(e->status, "published") == 0 ||
	                         strcmp(e->status, "draft") == 0 || strcmp(e->status, "retired") == 0),
	           "status '%s'", e->status ? e->status : "NULL");
	if (e->updated) {
		touch(s, e->updated);
		FUZZ_CHECK(kb_date_is_valid(e->updated), "updated '%s'", e->updated);
	}

	check_line_field(s, "title", e->title, 0);
	FUZZ_CHECK(e->alt_count <= KB_MAX_ALTS, "%zu alts", e->alt_count);
	for (size_t i = 0; i < e->alt_count; i++)
		check_line_field(s, "alt", e->alts[i], 0);
	if (e->category)
		check_line_field(s, "category", e->category, 0);
	if (e->keywords)
		check_line_field(s, "keywords", e->keywords, 1);

	FUZZ_CHECK(e->audience_count <= KB_MAX_TAGS, "%zu audiences", e->audience_count);
	for (size_t i = 0; i < e->audience_count; i++) {
		check_line_field(s, "audience", e->audiences[i], 0);
		FUZZ_CHECK(kb_tag_is_valid(e->audiences[i]), "audience '%s' is not a tag",
		           e->audiences[i]);
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(strcmp(e->audiences[i], e->audiences[k]) != 0, "audience '%s' twice",
			           e->audiences[i]);
	}
	FUZZ_CHECK(e->region_count <= KB_MAX_TAGS, "%zu regions", e->region_count);
	for (size_t i = 0; i < e->region_count; i++) {
		check_line_field(s, "region", e->regions[i], 0);
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(strcmp(e->regions[i], e->regions[k]) != 0, "region '%s' twice",
			           e->regions[i]);
	}

	if (e->valid_from) {
		touch(s, e->valid_from);
		FUZZ_CHECK(kb_date_is_valid(e->valid_from), "valid from '%s'", e->valid_from);
	}
	if (e->valid_until) {
		touch(s, e->valid_until);
		FUZZ_CHECK(kb_date_is_valid(e->valid_until), "valid until '%s'", e->valid_until);
	}
	if (e->valid_from && e->valid_until)
		FUZZ_CHECK(strcmp(e->valid_from, e->valid_until) <= 0, "valid from %s after until %s",
		           e->valid_from, e->valid_until);

	FUZZ_CHECK(e->answer_count >= 1 && e->answer_count <= KB_MAX_ANSWERS, "%zu answers",
	           e->answer_count);
	size_t defaults = 0;
	for (size_t i = 0; i < e->answer_count; i++) {
		const kb_answer_t *a = &e->answers[i];
		FUZZ_CHECK(a->text != NULL, "answer %zu has no text", i);
		touch(s, a->text);
		size_t len = strlen(a->text);
		FUZZ_CHECK(len >= 1 && len <= KB_MAX_ANSWER_BYTES, "answer of %zu bytes", len);
		FUZZ_CHECK(fuzz_utf8_valid(a->text, len), "answer %zu is not UTF-8", i);
		FUZZ_CHECK(!is_ws(a->text[0]) && !is_ws(a->text[len - 1]), "answer %zu is not trimmed", i);
		if (!a->audience) {
			defaults++;
			continue;
		}
		touch(s, a->audience);
		FUZZ_CHECK(kb_tag_is_valid(a->audience), "answer audience '%s'", a->audience);
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(!e->answers[k].audience || strcmp(e->answers[k].audience, a->audience) != 0,
			           "two answers for audience '%s'", a->audience);
	}
	FUZZ_CHECK(defaults == 1, "%zu default answers", defaults);
	return KB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write_file(path, data, size);
	kb_string_set_t ids = {0};
	kb_diagnostics_t diags = {0};
	sink_t sink = {&ids, 0, 1469598103934665603ull};
	kb_status_t st = kb_read_entries(path, &ids, &diags, on_entry, &sink);
	FUZZ_CHECK(st == KB_OK, "kb_read_entries returned %d (%s)", (int)st, kb_status_to_string(st));

	/* Every problem is one "file:line: message" line; an entry with a
	 * problem is never handed on, so a file with entries and without
	 * diagnostics had all of them handed on. */
	size_t plen = strlen(path);
	FUZZ_CHECK(diags.count <= KB_MAX_DIAGNOSTICS, "%zu diagnostics", diags.count);
	for (size_t i = 0; i < diags.count; i++) {
		const char *d = diags.items[i];
		FUZZ_CHECK(d != NULL, "diagnostic %zu is NULL", i);
		size_t n = strlen(d);
		FUZZ_CHECK(strncmp(d, path, plen) == 0 && d[plen] == ':',
		           "diagnostic does not start with the file name: %s", d);
		FUZZ_CHECK(!memchr(d, '\n', n) && !memchr(d, '\r', n),
		           "diagnostic %zu spans lines: %s", i, d);
	}
	kb_diag_finish(&diags);
	kb_diag_clear(&diags);
	kb_string_set_clear(&ids);
	return 0;
}
