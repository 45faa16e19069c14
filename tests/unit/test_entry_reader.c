/* test_entry_reader.c: kb_read_entries() (lib/entry.h) on small files:
 * every field of a valid entry, and each validation error as the exact
 * "file:line: message" an editor sees. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "entry.h"
#include "fixtures.h"

static char *dir;
static kb_string_set_t ids;
static kb_diagnostics_t diags;

/* What the callback saw: one dump per entry, and every string of every
 * entry back to back (to prove that something never got through). */
static char seen[1 << 18];
static size_t seen_len;
static char all_text[1 << 18];
static size_t all_len;
static int calls;
static kb_status_t fail_with; /* the callback's answer */

static void setup(void)
{
	dir = fx_tempdir();
	ids = (kb_string_set_t){0};
	diags = (kb_diagnostics_t){0};
	seen[0] = all_text[0] = '\0';
	seen_len = all_len = 0;
	calls = 0;
	fail_with = KB_OK;
}

static void teardown(void)
{
	kb_diag_clear(&diags);
	kb_string_set_clear(&ids);
	fx_rmtree(dir);
	free(dir);
}

static void add_seen(const char *fmt, const char *value)
{
	seen_len += (size_t)snprintf(seen + seen_len, sizeof seen - seen_len, fmt,
	                             value ? value : "(null)");
	if (value)
		all_len += (size_t)snprintf(all_text + all_len, sizeof all_text - all_len, "%s\n",
		                            value);
	ck_assert_uint_lt(seen_len, sizeof seen - 1);
}

/* Dumps the entry as "key=value" lines; entries separated by a blank line. */
static kb_status_t collect(void *ctx, const kb_entry_t *e)
{
	(void)ctx;
	calls++;
	char line[32];
	snprintf(line, sizeof line, "%ld", e->line);
	if (seen_len)
		add_seen("%s", "\n");
	add_seen("id=%s", e->id);
	add_seen(" line=%s", line);
	add_seen(" status=%s", e->status);
	add_seen(" updated=%s\n", e->updated);
	add_seen("title=%s\n", e->title);
	for (size_t i = 0; i < e->alt_count; i++)
		add_seen("alt=%s\n", e->alts[i]);
	add_seen("category=%s\n", e->category);
	add_seen("keywords=%s\n", e->keywords);
	for (size_t i = 0; i < e->audience_count; i++)
		add_seen("audience=%s\n", e->audiences[i]);
	for (size_t i = 0; i < e->region_count; i++)
		add_seen("region=%s\n", e->regions[i]);
	add_seen("valid=%s", e->valid_from);
	add_seen("..%s\n", e->valid_until);
	for (size_t i = 0; i < e->answer_count; i++) {
		add_seen("answer[%s]=", e->answers[i].audience ? e->answers[i].audience : "");
		add_seen("%s\n", e->answers[i].text);
	}
	return fail_with;
}

/* Just the ids the callback saw, '|'-separated. */
static char *seen_ids(void)
{
	char out[4096] = "";
	size_t used = 0;
	for (const char *p = seen; (p = strstr(p, "id=")); p += 3) {
		if (p != seen && p[-1] != '\n')
			continue;
		size_t n = strcspn(p + 3, " ");
		used += (size_t)snprintf(out + used, sizeof out - used, "%s%.*s", used ? "|" : "",
		                         (int)n, p + 3);
	}
	return strdup(out);
}

/* Writes the file and reads it; returns its path. */
static char *read_bytes(const char *name, const char *data, size_t len)
{
	char *path = fx_write_bytes(dir, name, data, len);
	ck_assert_int_eq(kb_read_entries(path, &ids, &diags, collect, NULL), KB_OK);
	return path;
}

static char *read_xml(const char *name, const char *xml)
{
	return read_bytes(name, xml, strlen(xml));
}

/* Entries' XML inside <kb>: the first entry line is line 3. */
static char *read_entries(const char *entries)
{
	char *xml = fx_kb(entries);
	char *path = read_xml("entries.xml", xml);
	free(xml);
	return path;
}

/* expected with every '@' replaced by path. */
static char *expand(const char *expected, const char *path)
{
	size_t n = 0;
	for (const char *p = expected; *p; p++)
		n += *p == '@' ? strlen(path) : 1;
	char *out = malloc(n + 1), *w = out;
	ck_assert_ptr_nonnull(out);
	for (const char *p = expected; *p; p++) {
		if (*p == '@') {
			strcpy(w, path);
			w += strlen(path);
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
	return out;
}

#define assert_diags(path, expected)                                                       \
	do {                                                                                   \
		char *want_ = expand((expected), (path));                                          \
		char *got_ = fx_join_diags(&diags);                                                \
		ck_assert_str_eq(got_, want_);                                                     \
		free(want_);                                                                       \
		free(got_);                                                                        \
	} while (0)

#define assert_ids(expected) fx_assert_str_owned(seen_ids(), (expected))

/* One entry with the given inner XML (starting on line 4), checked to
 * give exactly one diagnostic, and no callback. */
#define assert_entry_error(inner, expected)                                                \
	do {                                                                                   \
		char *entries_ = fx_printf("  <entry id=\"x\">\n%s\n  </entry>", (inner));         \
		char *path_ = read_entries(entries_);                                              \
		assert_diags(path_, (expected));                                                   \
		ck_assert_int_eq(calls, 0);                                                        \
		free(entries_);                                                                    \
		free(path_);                                                                       \
	} while (0)

#define TITLE "    <title>宽带断网了怎么报修</title>\n"
#define ANSWER "    <answer>先重启光猫。</answer>"

/* ---- valid entries ----------------------------------------------------- */

START_TEST(full_entry_yields_every_field)
{
	char *path = fx_data_path("full-entry.xml");
	ck_assert_int_eq(kb_read_entries(path, &ids, &diags, collect, NULL), KB_OK);
	assert_diags(path, "");
	ck_assert_int_eq(calls, 2);
	ck_assert_str_eq(seen,
	                 "id=bb-repair-001 line=4 status=published updated=2026-11-01\n"
	                 "title=宽带断网了 怎么报修\n"
	                 "alt=家里突然上不了网怎么办\n"
	                 "alt=光猫亮红灯是什么原因\n"
	                 "category=宽带/故障报修\n"
	                 "keywords=报障 光猫 断网\n"
	                 "audience=elderly\n"
	                 "audience=business\n"
	                 "region=江苏\n"
	                 "region=上海\n"
	                 "valid=2026-01-01..2026-12-31\n"
	                 "answer[]=先重启光猫。\n第二行 AT&T <5G> 宽带\n"
	                 "answer[elderly]=您别着急 <慢慢来>\n"
	                 "answer[business]=政企客户优先派单。\n"
	                 "\n"
	                 "id=draft.entry_2:B-9 line=27 status=draft updated=(null)\n"
	                 "title=草稿\n"
	                 "category=(null)\n"
	                 "keywords=\n"
	                 "valid=(null)..(null)\n"
	                 "answer[]=草稿答案\n");
	/* The ids are remembered with where they were defined. */
	char *where = fx_printf("%s:4", path);
	ck_assert_str_eq(kb_string_set_get(&ids, "bb-repair-001"), where);
	free(where);
	free(path);
}
END_TEST

START_TEST(entry_fields_as_passed)
{
	/* The entry's file is the path given; status values; one-sided valid. */
	char *path = read_entries("  <entry id=\"a\" status=\"retired\">\n" TITLE ANSWER
	                          "\n  </entry>\n"
	                          "  <entry id=\"b\" status=\"published\">\n" TITLE
	                          "    <valid until=\"2026-12-31\"/>\n" ANSWER "\n  </entry>\n"
	                          "  <entry id=\"c\">\n" TITLE
	                          "    <valid from=\"2026-01-01\"></valid>\n" ANSWER
	                          "\n  </entry>");
	assert_diags(path, "");
	assert_ids("a|b|c");
	ck_assert_ptr_nonnull(strstr(seen, "id=a line=3 status=retired"));
	ck_assert_ptr_nonnull(strstr(seen, "id=b line=7 status=published"));
	ck_assert_ptr_nonnull(strstr(seen, "valid=(null)..2026-12-31\n"));
	ck_assert_ptr_nonnull(strstr(seen, "valid=2026-01-01..(null)\n"));
	free(path);
}
END_TEST

START_TEST(answer_keeps_inner_line_breaks)
{
	char *path = read_entries("  <entry id=\"x\">\n" TITLE
	                          "    <answer>\n\n   第一行\n  第二行  \n\n第三行\t\n  </answer>\n"
	                          "  </entry>");
	assert_diags(path, "");
	ck_assert_ptr_nonnull(strstr(seen, "answer[]=第一行\n  第二行  \n\n第三行\n"));
	free(path);
}
END_TEST

START_TEST(limits_are_inclusive)
{
	char *id = fx_repeat("i", 64);
	char *title = fx_repeat("a", KB_MAX_QUESTION_BYTES);
	char *answer = fx_repeat("b", KB_MAX_ANSWER_BYTES);
	char *entry = fx_printf("  <entry id=\"%s\">\n    <title>%s</title>\n"
	                        "    <answer>%s</answer>\n  </entry>",
	                        id, title, answer);
	char *path = read_entries(entry);
	assert_diags(path, "");
	ck_assert_int_eq(calls, 1);
	free(id);
	free(title);
	free(answer);
	free(entry);
	free(path);
}
END_TEST

START_TEST(byte_order_mark_is_accepted)
{
	char *path = read_xml("bom.xml", "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                                 "<kb><entry id=\"x\"><title>t</title><answer>a</answer>"
	                                 "</entry></kb>\n");
	assert_diags(path, "");
	assert_ids("x");
	free(path);
}
END_TEST

/* ---- one test per validation error ------------------------------------ */

START_TEST(missing_id)
{
	char *path = read_entries("  <entry>\n" TITLE ANSWER "\n  </entry>");
	assert_diags(path, "@:3: <entry> has no id attribute");
	ck_assert_int_eq(calls, 0);
	free(path);
}
END_TEST

START_TEST(bad_id_syntax)
{
	char *long_id = fx_repeat("i", 65);
	char *entries = fx_printf("  <entry id=\"bad id!\">\n" TITLE ANSWER "\n  </entry>\n"
	                          "  <entry id=\"\">\n" TITLE ANSWER "\n  </entry>\n"
	                          "  <entry id=\"%s\">\n" TITLE ANSWER "\n  </entry>\n"
	                          "  <entry id=\"宽带\">\n" TITLE ANSWER "\n  </entry>",
	                          long_id);
	char *path = read_entries(entries);
	char *want = fx_printf("@:3: entry id 'bad id!' must be 1 to 64 of A-Z a-z 0-9 . _ : -\n"
	                       "@:7: entry id '' must be 1 to 64 of A-Z a-z 0-9 . _ : -\n"
	                       "@:11: entry id '%s' must be 1 to 64 of A-Z a-z 0-9 . _ : -\n"
	                       "@:15: entry id '宽带' must be 1 to 64 of A-Z a-z 0-9 . _ : -",
	                       long_id);
	assert_diags(path, want);
	ck_assert_int_eq(calls, 0);
	free(long_id);
	free(entries);
	free(want);
	free(path);
}
END_TEST

START_TEST(duplicate_id_within_a_file)
{
	char *path = read_entries("  <entry id=\"dup\">\n" TITLE ANSWER "\n  </entry>\n"
	                          "  <entry id=\"dup\">\n" TITLE ANSWER "\n  </entry>");
	assert_diags(path, "@:7: entry 'dup': duplicate id (first defined at @:3)");
	assert_ids("dup"); /* the first one is valid */
	free(path);
}
END_TEST

START_TEST(duplicate_id_across_files)
{
	char *a = fx_kb("  <entry id=\"one\">\n" TITLE ANSWER "\n  </entry>");
	char *b = fx_kb("  <entry id=\"two\">\n" TITLE ANSWER "\n  </entry>\n"
	                "  <entry id=\"one\">\n" TITLE ANSWER "\n  </entry>");
	char *pa = read_xml("a.xml", a);
	char *pb = read_xml("b.xml", b);
	char *want = fx_printf("%s:7: entry 'one': duplicate id (first defined at %s:3)", pb, pa);
	char *got = fx_join_diags(&diags);
	ck_assert_str_eq(got, want);
	assert_ids("one|two");
	free(a);
	free(b);
	free(pa);
	free(pb);
	free(want);
	free(got);
}
END_TEST

START_TEST(bad_status)
{
	char *path = read_entries("  <entry id=\"x\" status=\"live\">\n" TITLE ANSWER "\n  </entry>\n"
	                          "  <entry id=\"y\" status=\"Published\">\n" TITLE ANSWER
	                          "\n  </entry>");
	assert_diags(path, "@:3: entry 'x': status 'live' is not one of published, draft, retired\n"
	                   "@:7: entry 'y': status 'Published' is not one of published, draft, retired");
	ck_assert_int_eq(calls, 0);
	free(path);
}
END_TEST

START_TEST(bad_updated_date)
{
	char *path = read_entries("  <entry id=\"x\" updated=\"2026-13-01\">\n" TITLE ANSWER
	                          "\n  </entry>\n"
	                          "  <entry id=\"y\" updated=\"2026-11-1\">\n" TITLE ANSWER
	                          "\n  </entry>");
	assert_diags(path, "@:3: entry 'x': updated '2026-13-01' is not a date like 2026-11-01\n"
	                   "@:7: entry 'y': updated '2026-11-1' is not a date like 2026-11-01");
	ck_assert_int_eq(calls, 0);
	free(path);
}
END_TEST

START_TEST(valid_from_not_a_date)
{
	assert_entry_error(TITLE "    <valid from=\"2026-02-30\" until=\"2026-12-31\"/>\n" ANSWER,
	                   "@:5: entry 'x': valid from '2026-02-30' is not a date like 2026-01-31");
}
END_TEST

START_TEST(valid_until_not_a_date)
{
	assert_entry_error(TITLE "    <valid until=\"2027-02-29\"/>\n" ANSWER,
	                   "@:5: entry 'x': valid until '2027-02-29' is not a date like 2026-12-31");
}
END_TEST

START_TEST(valid_from_after_until)
{
	assert_entry_error(TITLE "    <valid from=\"2026-12-31\" until=\"2026-01-01\"/>\n" ANSWER,
	                   "@:5: entry 'x': valid from 2026-12-31 is after until 2026-01-01");
}
END_TEST

START_TEST(valid_without_attributes)
{
	assert_entry_error(TITLE "    <valid/>\n" ANSWER,
	                   "@:5: entry 'x': <valid> needs a 'from' or an 'until' date");
}
END_TEST

START_TEST(valid_twice)
{
	assert_entry_error(TITLE "    <valid from=\"2026-01-01\"/>\n    <valid until=\"2026-12-31\"/>\n" ANSWER,
	                   "@:6: entry 'x': more than one <valid>");
}
END_TEST

START_TEST(valid_with_content)
{
	assert_entry_error(TITLE "    <valid from=\"2026-01-01\">明年</valid>\n" ANSWER,
	                   "@:5: entry 'x': <valid> takes only attributes, like <valid from=\"2026-01-01\"/>");
}
END_TEST

START_TEST(uppercase_audience)
{
	assert_entry_error(TITLE "    <audience>Elderly</audience>\n" ANSWER,
	                   "@:5: entry 'x': audience 'Elderly' is not a tag: use lowercase ASCII "
	                   "letters, digits, '-' or '_' (like 'elderly')");
}
END_TEST

START_TEST(audience_twice)
{
	assert_entry_error(TITLE "    <audience>vip</audience>\n    <audience>vip</audience>\n" ANSWER,
	                   "@:6: entry 'x': <audience>vip</audience> is given twice");
}
END_TEST

START_TEST(bad_answer_audience)
{
	assert_entry_error(TITLE ANSWER "\n    <answer audience=\"VIP\">贵宾</answer>",
	                   "@:6: entry 'x': answer audience 'VIP' is not a tag: use lowercase "
	                   "ASCII letters, digits, '-' or '_'");
}
END_TEST

START_TEST(missing_title)
{
	assert_entry_error("    <alt>只有相似问</alt>\n" ANSWER,
	                   "@:3: entry 'x': missing <title> (the standard question)");
}
END_TEST

START_TEST(two_titles)
{
	assert_entry_error(TITLE "    <title>第二个标题</title>\n" ANSWER,
	                   "@:5: entry 'x': more than one <title> (put other wordings in <alt>)");
}
END_TEST

START_TEST(empty_title)
{
	assert_entry_error("    <title> \n\t </title>\n" ANSWER, "@:4: entry 'x': <title> is empty");
}
END_TEST

START_TEST(empty_answer)
{
	assert_entry_error(TITLE ANSWER "\n    <answer audience=\"vip\">  </answer>",
	                   "@:6: entry 'x': <answer audience=\"vip\"> is empty");
}
END_TEST

START_TEST(missing_default_answer)
{
	assert_entry_error(TITLE "    <answer audience=\"elderly\">老年版</answer>",
	                   "@:3: entry 'x': missing default <answer> (one answer without an "
	                   "audience attribute)");
}
END_TEST

/* Regression (a bug found by this suite, fixed): an entry with no title and no default answer is
 * reported as missing its title only; the second problem surfaces only
 * after the editor fixed the first (read_entry() checks the default answer
 * only when no other error was found).  kb.h: "Every problem found becomes a
 * diagnostic". */
START_TEST(missing_title_and_default_answer_both_reported)
{
	assert_entry_error("    <answer audience=\"elderly\">老年版</answer>",
	                   "@:3: entry 'x': missing <title> (the standard question)\n"
	                   "@:3: entry 'x': missing default <answer> (one answer without an "
	                   "audience attribute)");
}
END_TEST

START_TEST(two_default_answers)
{
	assert_entry_error(TITLE ANSWER "\n    <answer>另一个默认答案</answer>",
	                   "@:6: entry 'x': a second default <answer> (only one answer may have "
	                   "no audience)");
}
END_TEST

START_TEST(two_variants_for_one_audience)
{
	assert_entry_error(TITLE ANSWER "\n    <answer audience=\"vip\">一</answer>\n"
	                   "    <answer audience=\"vip\">二</answer>",
	                   "@:7: entry 'x': a second <answer audience=\"vip\">");
}
END_TEST

START_TEST(unknown_element)
{
	assert_entry_error(TITLE "    <faq>常见问题</faq>\n" ANSWER,
	                   "@:5: entry 'x': unknown element <faq> (expected title, alt, category, "
	                   "keywords, audience, region, valid or answer)");
}
END_TEST

START_TEST(namespaced_element)
{
	assert_entry_error(TITLE "    <x:alt xmlns:x=\"urn:x\">别的</x:alt>\n" ANSWER,
	                   "@:5: entry 'x': unknown element <x:alt>");
}
END_TEST

START_TEST(unknown_attribute_on_entry)
{
	char *path = read_entries("  <entry id=\"x\" lang=\"zh\">\n" TITLE ANSWER "\n  </entry>");
	assert_diags(path, "@:3: entry 'x': unknown attribute 'lang' on <entry>");
	ck_assert_int_eq(calls, 0);
	free(path);
}
END_TEST

START_TEST(unknown_attribute_on_child)
{
	assert_entry_error(TITLE "    <alt lang=\"zh\">别的问法</alt>\n" ANSWER,
	                   "@:5: entry 'x': unknown attribute 'lang' on <alt>");
}
END_TEST

START_TEST(text_directly_inside_entry)
{
	assert_entry_error(TITLE "    散落的文字\n" ANSWER,
	                   "@:5: entry 'x': text directly inside <entry> (put it in an element)");
}
END_TEST

START_TEST(element_inside_title)
{
	assert_entry_error("    <title>宽带<b>断网</b></title>\n" ANSWER,
	                   "@:4: entry 'x': <title> may hold only text, not <b>");
}
END_TEST

START_TEST(title_over_limit)
{
	char *title = fx_repeat("a", KB_MAX_QUESTION_BYTES + 1);
	char *inner = fx_printf("    <title>%s</title>\n" ANSWER, title);
	assert_entry_error(inner, "@:4: entry 'x': <title> is longer than the limit of 1024 bytes");
	free(title);
	free(inner);
}
END_TEST

START_TEST(answer_over_limit)
{
	char *answer = fx_repeat("b", KB_MAX_ANSWER_BYTES + 1);
	char *inner = fx_printf(TITLE "    <answer>%s</answer>", answer);
	assert_entry_error(inner, "@:5: entry 'x': <answer> is longer than the limit of 65536 bytes");
	free(answer);
	free(inner);
}
END_TEST

START_TEST(second_category_and_keywords)
{
	assert_entry_error(TITLE "    <category>宽带</category>\n    <category>套餐</category>\n" ANSWER,
	                   "@:6: entry 'x': more than one <category>");
	teardown();
	setup();
	assert_entry_error(TITLE "    <keywords>a</keywords>\n    <keywords>b</keywords>\n" ANSWER,
	                   "@:6: entry 'x': more than one <keywords>");
}
END_TEST

START_TEST(region_twice)
{
	assert_entry_error(TITLE "    <region>江苏</region>\n    <region>江苏</region>\n" ANSWER,
	                   "@:6: entry 'x': <region>江苏</region> is given twice");
}
END_TEST

/* n copies of an element, the i-th made by fmt with i (one a line). */
static char *elements(const char *fmt, int n)
{
	size_t cap = (size_t)n * (strlen(fmt) + 16) + 1, used = 0;
	char *out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	out[0] = '\0';
	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, cap - used, fmt, i);
	return out;
}

START_TEST(too_many_alts)
{
	/* KB_MAX_ALTS alts are fine; the next one is reported. */
	char *alts = elements("    <alt>问法%d</alt>\n", KB_MAX_ALTS + 1);
	char *inner = fx_printf(TITLE "%s" ANSWER, alts);
	char *want = fx_printf("@:%d: entry 'x': more than %d <alt> elements", 5 + KB_MAX_ALTS,
	                       KB_MAX_ALTS);
	assert_entry_error(inner, want);
	free(alts);
	free(inner);
	free(want);
}
END_TEST

START_TEST(too_many_audiences)
{
	char *tags = elements("    <audience>t%d</audience>\n", KB_MAX_TAGS + 1);
	char *inner = fx_printf(TITLE "%s" ANSWER, tags);
	char *want = fx_printf("@:%d: entry 'x': more than %d <audience> elements", 5 + KB_MAX_TAGS,
	                       KB_MAX_TAGS);
	assert_entry_error(inner, want);
	free(tags);
	free(inner);
	free(want);
}
END_TEST

START_TEST(too_many_answers)
{
	/* One default and KB_MAX_ANSWERS - 1 variants fill the list. */
	char *variants = elements("    <answer audience=\"t%d\">话术</answer>\n", KB_MAX_ANSWERS);
	char *inner = fx_printf(TITLE ANSWER "\n%s", variants);
	char *want = fx_printf("@:%d: entry 'x': more than %d <answer> elements",
	                       5 + KB_MAX_ANSWERS, KB_MAX_ANSWERS);
	assert_entry_error(inner, want);
	free(variants);
	free(inner);
	free(want);
}
END_TEST

START_TEST(undefined_entity)
{
	char *path = read_entries("  <entry id=\"x\">\n    <title>宽带&nbsp;断网</title>\n" ANSWER
	                          "\n  </entry>");
	assert_diags(path, "@:4: Entity 'nbsp' not defined");
	ck_assert_int_eq(calls, 0);
	free(path);
}
END_TEST

/* ---- the file as a whole ---------------------------------------------- */

START_TEST(several_errors_all_reported_in_line_order)
{
	char *path = read_entries(
	    /* 3 */ "  <entry id=\"a\" status=\"old\">\n"
	    /* 4 */ "    <title></title>\n"
	    /* 5 */ "    <audience>VIP</audience>\n"
	    /* 6 */ "    <answer>答案</answer>\n"
	    /* 7 */ "    <answer>又一个</answer>\n"
	    /* 8 */ "  </entry>\n"
	    /* 9 */ "  <entry id=\"ok\">\n" TITLE ANSWER "\n  </entry>\n"
	    /* 13 */ "  <entry id=\"b\">\n"
	    /* 14 */ "    <title>t</title>\n"
	    /* 15 */ "    <valid from=\"2026-01-01\" until=\"2025-01-01\"/>\n"
	    /* 16 */ "    <bogus/>\n"
	    /* 17 */ "    <answer>a</answer>\n"
	    /* 18 */ "  </entry>");
	assert_diags(path,
	             "@:3: entry 'a': status 'old' is not one of published, draft, retired\n"
	             "@:4: entry 'a': <title> is empty\n"
	             "@:5: entry 'a': audience 'VIP' is not a tag: use lowercase ASCII letters, "
	             "digits, '-' or '_' (like 'elderly')\n"
	             "@:7: entry 'a': a second default <answer> (only one answer may have no "
	             "audience)\n"
	             "@:15: entry 'b': valid from 2026-01-01 is after until 2025-01-01\n"
	             "@:16: entry 'b': unknown element <bogus> (expected title, alt, category, "
	             "keywords, audience, region, valid or answer)");
	/* The valid entry between them still reaches the callback. */
	assert_ids("ok");
	free(path);
}
END_TEST

START_TEST(malformed_xml_reports_libxml_and_other_entries)
{
	char *path = read_entries(
	    /* 3 */ "  <entry id=\"first\">\n"
	    /* 4 */ "    <answer>没有标题</answer>\n"
	    /* 5 */ "  </entry>\n"
	    /* 6 */ "  <entry id=\"good\">\n" TITLE ANSWER "\n  </entry>\n"
	    /* 10 */ "  <entry id=\"broken\">\n"
	    /* 11 */ "    <title>宽带断网没人修</titel>\n"
	    /* 12 */ "    <answer>答案</answer>\n"
	    /* 13 */ "  </entry>\n"
	    /* 14 */ "  <entry id=\"last\" status=\"gone\">\n"
	    /* 15 */ "    <title>最后一条</title>\n"
	    /* 16 */ "    <answer>答案</answer>\n"
	    /* 17 */ "  </entry>\n"
	    /* 18 */ "  <entry id=\"after\">\n" TITLE ANSWER "\n  </entry>");
	assert_diags(path,
	             "@:3: entry 'first': missing <title> (the standard question)\n"
	             "@:11: Opening and ending tag mismatch: title line 11 and titel\n"
	             "@:14: entry 'last': status 'gone' is not one of published, draft, retired");
	/* What libxml2 recovered after the damage is validated but never
	 * handed on (entry.h). */
	char *got = seen_ids();
	ck_assert_ptr_null(strstr(got, "broken"));
	ck_assert_ptr_null(strstr(got, "after"));
	ck_assert_ptr_null(strstr(got, "last"));
	ck_assert_ptr_null(strstr(got, "first"));
	free(got);
	free(path);
}
END_TEST

/* A file with a well-formedness error is never indexed (the run fails),
 * and libxml2's reader reads ahead: an entry close before the error may or
 * may not have been handed on (entry.h), but it is validated, the error is
 * reported exactly once, and nothing after the error is handed on. */
START_TEST(valid_entry_before_xml_error_is_validated)
{
	char *path = read_entries(
	    /* 3 */ "  <entry id=\"good\">\n" TITLE ANSWER "\n  </entry>\n"
	    /* 7 */ "  <entry id=\"broken\">\n"
	    /* 8 */ "    <title>宽带断网没人修</titel>\n"
	    /* 9 */ "    <answer>答案</answer>\n"
	    /* 10 */ "  </entry>");
	assert_diags(path, "@:8: Opening and ending tag mismatch: title line 8 and titel");
	char *got = seen_ids();
	ck_assert_ptr_null(strstr(got, "broken"));
	free(got);
	free(path);
}
END_TEST

START_TEST(unclosed_tag)
{
	char *path = read_entries("  <entry id=\"x\">\n"
	                          "    <title>宽带断网没人修</title>\n"
	                          "    <answer>答案</answer>\n"); /* </entry> missing */
	assert_diags(path, "@:7: Opening and ending tag mismatch: entry line 3 and kb");
	free(path);
}
END_TEST

START_TEST(truncated_file)
{
	char *path = read_xml("cut.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kb>\n"
	                                 "  <entry id=\"x\">\n    <title>宽带");
	/* libxml2's message, at the line where the file stops (what the
	 * recovery made of the rest may add more). */
	char *got = fx_join_diags(&diags);
	char *want = fx_printf("%s:4: ", path);
	char *at = strstr(got, want);
	ck_assert_msg(at == got || (at && at[-1] == '\n'), "got '%s'", got);
	ck_assert_int_eq(calls, 0);
	free(got);
	free(want);
	free(path);
}
END_TEST

START_TEST(empty_file)
{
	char *path = read_xml("empty.xml", "");
	assert_diags(path, "@:1: the file is empty (expected <kb> with entries)");
	ck_assert_int_eq(calls, 0);
	free(path);
}
END_TEST

START_TEST(blank_file)
{
	char *path = read_xml("blank.xml", "\n\n  \n");
	assert_diags(path, "@:4: no <kb> root element");
	free(path);
}
END_TEST

START_TEST(prolog_only)
{
	char *path = read_xml("prolog.xml", "<?xml version=\"1.0\"?>\n<!-- nothing -->\n");
	assert_diags(path, "@:3: no <kb> root element");
	free(path);
}
END_TEST

START_TEST(binary_file)
{
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0";
	char *path = read_bytes("a.out.xml", elf, sizeof elf - 1);
	assert_diags(path, "@:1: not an XML file (expected '<', the start of <kb>)");
	ck_assert_int_eq(calls, 0);
	free(path);
}
END_TEST

START_TEST(wrong_root_element)
{
	char *path = read_xml("root.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                                  "<knowledge>\n  <entry id=\"x\">\n" TITLE ANSWER
	                                  "\n  </entry>\n</knowledge>\n");
	assert_diags(path, "@:2: the root element must be <kb>, not <knowledge>");
	ck_assert_int_eq(calls, 0);
	free(path);
}
END_TEST

START_TEST(unknown_element_and_text_in_kb)
{
	char *path = read_entries("  <faq/>\n  <entry id=\"x\">\n" TITLE ANSWER "\n  </entry>"
	                          "stray words<entry id=\"y\">\n" TITLE ANSWER "\n  </entry>");
	assert_diags(path, "@:3: unknown element <faq> in <kb> (expected <entry>)\n"
	                   "@:7: text directly inside <kb> (put it in an <entry>)");
	assert_ids("x|y");
	free(path);
}
END_TEST

/* Regression (a bug found by this suite, fixed): stray text is reported at the line where its
 * text node ends (the next element's line, after the blank lines), not
 * where the text is: line_of() of a text node is libxml2's line at the end
 * of its first chunk of characters. */
START_TEST(stray_text_is_reported_on_its_line)
{
	char *path = read_entries(
	    /* 3 */ "  <entry id=\"x\">\n"
	    /* 4 */ "    <title>t</title>stray\n"
	    /* 5 */ "\n"
	    /* 6 */ ANSWER "\n"
	    /* 7 */ "  </entry>\n"
	    /* 8 */ "  more stray words\n"
	    /* 9 */ "  <entry id=\"y\">\n" TITLE ANSWER "\n  </entry>");
	assert_diags(path, "@:4: entry 'x': text directly inside <entry> (put it in an element)\n"
	                   "@:8: text directly inside <kb> (put it in an <entry>)");
	free(path);
}
END_TEST

static const char xxe[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<!DOCTYPE kb [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                          "<kb>\n"
                          "  <entry id=\"xxe\">\n"
                          "    <title>root 账号 密码</title>\n"
                          "    <keywords>root passwd</keywords>\n"
                          "    <answer>&x;</answer>\n"
                          "  </entry>\n"
                          "</kb>\n";

START_TEST(external_entity_is_refused)
{
	char *path = read_xml("xxe.xml", xxe);
	assert_diags(path, "@:2: DOCTYPE declarations are not allowed in knowledge files (no "
	                   "DTDs, no entities)");
	ck_assert_int_eq(calls, 0);
	ck_assert_ptr_null(strstr(all_text, "root:"));
	free(path);
}
END_TEST

/* A prolog longer than the reader's first look (64 KiB of comment) leaves
 * the DOCTYPE to libxml2: whatever it reports, the file's content must
 * never reach a callback. */
START_TEST(external_entity_after_huge_prolog_is_never_expanded)
{
	char *pad = fx_repeat("padding padding padding padding padding padding padding.\n", 2000);
	char *xml = fx_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!--\n%s-->\n%s", pad,
	                      xxe + strlen("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
	char *path = read_xml("xxe-late.xml", xml);
	ck_assert_ptr_null(strstr(all_text, "root:"));
	ck_assert_ptr_null(strstr(all_text, "/bin/"));
	ck_assert_uint_gt(diags.count, 0);
	ck_assert_int_eq(calls, 0);
	free(pad);
	free(xml);
	free(path);
}
END_TEST

static const char laughs[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE kb [\n"
    "  <!ENTITY lol \"lol\">\n"
    "  <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    "  <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    "  <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    "  <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
    "  <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
    "  <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
    "  <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
    "  <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
    "  <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
    "]>\n"
    "<kb>\n"
    "  <entry id=\"lol\" updated=\"&lol9;\">\n"
    "    <title>&lol9;</title>\n"
    "    <keywords>&lol9;</keywords>\n"
    "    <answer>&lol9;</answer>\n"
    "  </entry>\n"
    "</kb>\n";

static double now_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

START_TEST(billion_laughs_is_refused_quickly)
{
	double t0 = now_seconds();
	char *path = read_xml("laughs.xml", laughs);
	ck_assert_double_lt(now_seconds() - t0, 1.0);
	assert_diags(path, "@:2: DOCTYPE declarations are not allowed in knowledge files (no "
	                   "DTDs, no entities)");
	ck_assert_int_eq(calls, 0);
	free(path);
}
END_TEST

START_TEST(billion_laughs_after_huge_prolog_is_refused_quickly)
{
	char *pad = fx_repeat("padding padding padding padding padding padding padding.\n", 2000);
	char *xml = fx_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!--\n%s-->\n%s", pad,
	                      laughs + strlen("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
	double t0 = now_seconds();
	char *path = read_xml("laughs-late.xml", xml);
	ck_assert_double_lt(now_seconds() - t0, 2.0);
	ck_assert_uint_gt(diags.count, 0);
	ck_assert_int_eq(calls, 0);
	ck_assert_ptr_null(strstr(all_text, "lollollol"));
	free(pad);
	free(xml);
	free(path);
}
END_TEST

START_TEST(invalid_utf8_is_reported_with_its_line)
{
	char *path = read_xml("utf8.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kb>\n"
	                                  "  <entry id=\"x\">\n    <title>宽带\xff\xfe断网</title>\n"
	                                  ANSWER "\n  </entry>\n</kb>\n");
	char *got = fx_join_diags(&diags);
	char *want = fx_printf("%s:4: Input is not proper UTF-8", path);
	ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "got '%s'", got);
	ck_assert_ptr_null(strchr(got, '\n')); /* libxml2's two lines made one */
	ck_assert_int_eq(calls, 0);
	free(got);
	free(want);
	free(path);
}
END_TEST

START_TEST(missing_file)
{
	char *path = fx_path(dir, "nope.xml");
	ck_assert_int_eq(kb_read_entries(path, &ids, &diags, collect, NULL), KB_OK);
	assert_diags(path, "@: cannot open: No such file or directory");
	ck_assert_int_eq(calls, 0);
	free(path);
}
END_TEST

START_TEST(callback_failure_stops_reading)
{
	fail_with = KB_ERR_INDEX;
	char *xml = fx_kb("  <entry id=\"a\">\n" TITLE ANSWER "\n  </entry>\n"
	                  "  <entry id=\"b\">\n" TITLE ANSWER "\n  </entry>");
	char *path = fx_write(dir, "stop.xml", xml);
	ck_assert_int_eq(kb_read_entries(path, &ids, &diags, collect, NULL), KB_ERR_INDEX);
	ck_assert_int_eq(calls, 1);
	assert_ids("a");
	assert_diags(path, "");
	free(xml);
	free(path);
}
END_TEST

static Suite *entry_reader_suite(void)
{
	Suite *s = suite_create("entry_reader");
	TCase *tc = tcase_create("valid");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, full_entry_yields_every_field);
	tcase_add_test(tc, entry_fields_as_passed);
	tcase_add_test(tc, answer_keeps_inner_line_breaks);
	tcase_add_test(tc, limits_are_inclusive);
	tcase_add_test(tc, byte_order_mark_is_accepted);
	tcase_add_test(tc, callback_failure_stops_reading);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, missing_id);
	tcase_add_test(tc, bad_id_syntax);
	tcase_add_test(tc, duplicate_id_within_a_file);
	tcase_add_test(tc, duplicate_id_across_files);
	tcase_add_test(tc, bad_status);
	tcase_add_test(tc, bad_updated_date);
	tcase_add_test(tc, valid_from_not_a_date);
	tcase_add_test(tc, valid_until_not_a_date);
	tcase_add_test(tc, valid_from_after_until);
	tcase_add_test(tc, valid_without_attributes);
	tcase_add_test(tc, valid_twice);
	tcase_add_test(tc, valid_with_content);
	tcase_add_test(tc, uppercase_audience);
	tcase_add_test(tc, audience_twice);
	tcase_add_test(tc, bad_answer_audience);
	tcase_add_test(tc, missing_title);
	tcase_add_test(tc, two_titles);
	tcase_add_test(tc, empty_title);
	tcase_add_test(tc, empty_answer);
	tcase_add_test(tc, missing_default_answer);
	tcase_add_test(tc, missing_title_and_default_answer_both_reported);
	tcase_add_test(tc, two_default_answers);
	tcase_add_test(tc, two_variants_for_one_audience);
	tcase_add_test(tc, unknown_element);
	tcase_add_test(tc, namespaced_element);
	tcase_add_test(tc, unknown_attribute_on_entry);
	tcase_add_test(tc, unknown_attribute_on_child);
	tcase_add_test(tc, text_directly_inside_entry);
	tcase_add_test(tc, element_inside_title);
	tcase_add_test(tc, title_over_limit);
	tcase_add_test(tc, answer_over_limit);
	tcase_add_test(tc, undefined_entity);
	tcase_add_test(tc, second_category_and_keywords);
	tcase_add_test(tc, region_twice);
	tcase_add_test(tc, too_many_alts);
	tcase_add_test(tc, too_many_audiences);
	tcase_add_test(tc, too_many_answers);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* Entity bombs must be refused in well under this. */
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, several_errors_all_reported_in_line_order);
	tcase_add_test(tc, malformed_xml_reports_libxml_and_other_entries);
	tcase_add_test(tc, unclosed_tag);
	tcase_add_test(tc, truncated_file);
	tcase_add_test(tc, empty_file);
	tcase_add_test(tc, blank_file);
	tcase_add_test(tc, prolog_only);
	tcase_add_test(tc, binary_file);
	tcase_add_test(tc, wrong_root_element);
	tcase_add_test(tc, unknown_element_and_text_in_kb);
	tcase_add_test(tc, stray_text_is_reported_on_its_line);
	tcase_add_test(tc, valid_entry_before_xml_error_is_validated);
	tcase_add_test(tc, external_entity_is_refused);
	tcase_add_test(tc, external_entity_after_huge_prolog_is_never_expanded);
	tcase_add_test(tc, billion_laughs_is_refused_quickly);
	tcase_add_test(tc, billion_laughs_after_huge_prolog_is_refused_quickly);
	tcase_add_test(tc, invalid_utf8_is_reported_with_its_line);
	tcase_add_test(tc, missing_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_run(entry_reader_suite());
}
