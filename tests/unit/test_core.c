/* test_core.c: the small pieces: status names, dates, tags, the string
 * set, growing arrays, a document's term counts and the diagnostics
 * list. */
#include <check.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diagnostics.h"
#include "fixtures.h"
#include "kb-private.h"
#include "kb.h"
#include "string_set.h"
#include "term_counts.h"

/* ---- kb_status_to_string ------------------------------------------------- */

START_TEST(every_status_has_its_own_name)
{
	for (int i = 0; i < KB_STATUS_COUNT; i++) {
		const char *name = kb_status_to_string((kb_status_t)i);
		ck_assert_ptr_nonnull(name);
		ck_assert_msg(*name != '\0', "status %d has an empty name", i);
		ck_assert_msg(strstr(name, "unknown") == NULL, "status %d is '%s'", i, name);
		for (int k = 0; k < i; k++)
			ck_assert_msg(strcmp(name, kb_status_to_string((kb_status_t)k)) != 0,
			              "statuses %d and %d are both '%s'", k, i, name);
	}
	ck_assert_str_eq(kb_status_to_string(KB_OK), "success");
	ck_assert_str_eq(kb_status_to_string(KB_ERR_LOCKED), "index is locked by another writer");
	ck_assert_str_eq(kb_status_to_string(KB_ERR_INVALID_INPUT), "invalid knowledge entries");
}
END_TEST

START_TEST(out_of_range_status_is_unknown)
{
	ck_assert_str_eq(kb_status_to_string(KB_STATUS_COUNT), "unknown status");
	ck_assert_str_eq(kb_status_to_string((kb_status_t)999), "unknown status");
	ck_assert_str_eq(kb_status_to_string((kb_status_t)-1), "unknown status");
}
END_TEST

START_TEST(status_codes_are_stable)
{
	/* Callers store and compare these numbers. */
	ck_assert_int_eq(KB_OK, 0);
	ck_assert_int_eq(KB_ERR_NOMEM, 1);
	ck_assert_int_eq(KB_ERR_INVALID_ARG, 2);
	ck_assert_int_eq(KB_ERR_INVALID_INPUT, 3);
	ck_assert_int_eq(KB_ERR_IO, 4);
	ck_assert_int_eq(KB_ERR_NO_INDEX, 5);
	ck_assert_int_eq(KB_ERR_LOCKED, 6);
	ck_assert_int_eq(KB_ERR_CORRUPT, 7);
	ck_assert_int_eq(KB_ERR_INDEX, 8);
	ck_assert_int_eq(KB_ERR_INTERNAL, 9);
	ck_assert_int_eq(KB_STATUS_COUNT, 10);
}
END_TEST

/* ---- dates --------------------------------------------------------------- */

START_TEST(valid_dates)
{
	static const char *const good[] = {"2026-01-01", "2026-12-31", "2026-02-28", "2024-02-29",
	                                   "2000-02-29", "1600-02-29", "9999-12-31",
	                                   "2026-04-30", "2026-06-30", "2026-09-30", "2026-11-30",
	                                   "2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31",
	                                   "2026-08-31", "2026-10-31", NULL};
	for (int i = 0; good[i]; i++)
		ck_assert_msg(kb_date_is_valid(good[i]), "'%s' should be valid", good[i]);
}
END_TEST

START_TEST(invalid_dates)
{
	static const char *const bad[] = {
	    "2023-02-29", "2026-02-29", "1900-02-29", "2100-02-29", /* not leap years */
	    "2026-02-30", "2026-04-31", "2026-06-31", "2026-09-31", "2026-11-31",
	    "2026-01-32", "2026-00-10", "2026-13-01", "2026-01-00", "2026-1-01",
	    "2026-01-1", "26-01-01", "2026/01/01", "2026-01-01 ", " 2026-01-01", "2026-01-01x",
	    "20260101", "", "abcd-ef-gh", "2026-0a-01", "2026--1-01", "+026-01-01",
	    "2026-01-0\xff", "２０２６-01-01", NULL};
	for (int i = 0; bad[i]; i++)
		ck_assert_msg(!kb_date_is_valid(bad[i]), "'%s' should be invalid", bad[i]);
}
END_TEST

START_TEST(today_is_a_valid_date)
{
	char buf[11];
	memset(buf, 'x', sizeof buf);
	kb_today(buf);
	ck_assert_uint_eq(strlen(buf), 10);
	ck_assert(kb_date_is_valid(buf));
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char year[16];
	snprintf(year, sizeof year, "%04d", tm.tm_year + 1900);
	ck_assert_int_eq(strncmp(buf, year, 4), 0);
}
END_TEST

/* ---- tags ------------------------------------------------------------------ */

START_TEST(valid_tags)
{
	static const char *const good[] = {"elderly", "business", "vip", "a", "5g", "0",
	                                   "vip-2", "b_c", "a-", "a_", "x1-y_2", NULL};
	for (int i = 0; good[i]; i++)
		ck_assert_msg(kb_tag_is_valid(good[i]), "'%s' should be a tag", good[i]);
	char *max = fx_repeat("a", 32);
	ck_assert(kb_tag_is_valid(max));
	free(max);
}
END_TEST

START_TEST(invalid_tags)
{
	static const char *const bad[] = {"",   "Elderly", "VIP",  "-x",   "_x",    "a b",
	                                  "a.b", "老人",    "a\tb", "a/b",  "ｖｉｐ", "a\xff",
	                                  " a",  "a ",      "a:b",  "a+b", NULL};
	for (int i = 0; bad[i]; i++)
		ck_assert_msg(!kb_tag_is_valid(bad[i]), "'%s' should not be a tag", bad[i]);
	char *over = fx_repeat("a", 33);
	ck_assert(!kb_tag_is_valid(over));
	free(over);
}
END_TEST

/* ---- kb_strdup_printf ---------------------------------------------------------- */

START_TEST(strdup_printf)
{
	char *s = kb_strdup_printf("%s:%ld: %d%%", "f.xml", 12L, 5);
	ck_assert_str_eq(s, "f.xml:12: 5%");
	free(s);
	s = kb_strdup_printf("%s", "");
	ck_assert_str_eq(s, "");
	free(s);
	char *big = fx_repeat("宽带", 5000);
	s = kb_strdup_printf("[%s]", big);
	ck_assert_uint_eq(strlen(s), strlen(big) + 2);
	ck_assert_int_eq(s[0], '[');
	ck_assert_int_eq(s[strlen(s) - 1], ']');
	free(s);
	free(big);
}
END_TEST

/* ---- kb_string_set ------------------------------------------------------------- */

START_TEST(string_set_add_and_get)
{
	kb_string_set_t set = {0};
	ck_assert_ptr_null(kb_string_set_get(&set, "a")); /* empty: no table yet */
	ck_assert_int_eq(kb_string_set_add(&set, "bb-001", "a.xml:3"), 1);
	ck_assert_int_eq(kb_string_set_add(&set, "bb-002", "a.xml:9"), 1);
	ck_assert_uint_eq(set.count, 2);
	ck_assert_str_eq(kb_string_set_get(&set, "bb-001"), "a.xml:3");
	ck_assert_str_eq(kb_string_set_get(&set, "bb-002"), "a.xml:9");
	ck_assert_ptr_null(kb_string_set_get(&set, "bb-003"));
	ck_assert_ptr_null(kb_string_set_get(&set, "bb-00"));
	ck_assert_ptr_null(kb_string_set_get(&set, ""));
	/* A key already there keeps its first value. */
	ck_assert_int_eq(kb_string_set_add(&set, "bb-001", "b.xml:1"), 0);
	ck_assert_str_eq(kb_string_set_get(&set, "bb-001"), "a.xml:3");
	ck_assert_uint_eq(set.count, 2);
	/* NULL values are stored as "". */
	ck_assert_int_eq(kb_string_set_add(&set, "", NULL), 1);
	ck_assert_str_eq(kb_string_set_get(&set, ""), "");
	kb_string_set_clear(&set);
	ck_assert_uint_eq(set.count, 0);
	ck_assert_uint_eq(set.cap, 0);
	ck_assert_ptr_null(kb_string_set_get(&set, "bb-001"));
	/* Usable again after clearing; clearing twice is harmless. */
	ck_assert_int_eq(kb_string_set_add(&set, "bb-001", "c.xml:1"), 1);
	ck_assert_str_eq(kb_string_set_get(&set, "bb-001"), "c.xml:1");
	kb_string_set_clear(&set);
	kb_string_set_clear(&set);
}
END_TEST

START_TEST(string_set_copies_its_strings)
{
	kb_string_set_t set = {0};
	char key[] = "id-1", value[] = "f.xml:1";
	ck_assert_int_eq(kb_string_set_add(&set, key, value), 1);
	key[3] = '2';
	value[0] = 'g';
	ck_assert_str_eq(kb_string_set_get(&set, "id-1"), "f.xml:1");
	ck_assert_ptr_null(kb_string_set_get(&set, "id-2"));
	kb_string_set_clear(&set);
}
END_TEST

START_TEST(string_set_grows)
{
	kb_string_set_t set = {0};
	enum { N = 5000 };
	char key[32], value[32];
	for (int i = 0; i < N; i++) {
		snprintf(key, sizeof key, "entry-%d", i);
		snprintf(value, sizeof value, "f.xml:%d", i);
		ck_assert_int_eq(kb_string_set_add(&set, key, value), 1);
	}
	ck_assert_uint_eq(set.count, N);
	/* A power of two, at most half full. */
	ck_assert_uint_eq(set.cap & (set.cap - 1), 0);
	ck_assert_uint_le(set.count * 2, set.cap);
	for (int i = 0; i < N; i++) {
		snprintf(key, sizeof key, "entry-%d", i);
		snprintf(value, sizeof value, "f.xml:%d", i);
		ck_assert_str_eq(kb_string_set_get(&set, key), value);
		ck_assert_int_eq(kb_string_set_add(&set, key, "again"), 0);
	}
	ck_assert_uint_eq(set.count, N);
	ck_assert_ptr_null(kb_string_set_get(&set, "entry-5000"));
	/* Every slot's key is one of ours, each once. */
	size_t keys = 0;
	for (size_t i = 0; i < set.cap; i++)
		keys += set.slots[i].key != NULL;
	ck_assert_uint_eq(keys, N);
	kb_string_set_clear(&set);
}
END_TEST

/* ---- kb_array_reserve ------------------------------------------------------------ */

START_TEST(array_reserve_doubles_and_refuses_what_cannot_fit)
{
	int *items = NULL;
	size_t cap = 0;
	ck_assert_int_eq(kb_array_reserve((void **)&items, &cap, 1, sizeof *items, 8), 0);
	ck_assert_uint_eq(cap, 8);
	items[7] = 7;
	ck_assert_int_eq(kb_array_reserve((void **)&items, &cap, 8, sizeof *items, 8), 0);
	ck_assert_uint_eq(cap, 8); /* enough already */
	ck_assert_int_eq(kb_array_reserve((void **)&items, &cap, 9, sizeof *items, 8), 0);
	ck_assert_uint_eq(cap, 16);
	ck_assert_int_eq(items[7], 7); /* kept */
	int *before = items;
	ck_assert_int_eq(kb_array_reserve((void **)&items, &cap, SIZE_MAX / 2 + 2, sizeof *items, 8), -1);
	ck_assert_int_eq(kb_array_reserve((void **)&items, &cap, SIZE_MAX / 4, sizeof *items, 8), -1);
	ck_assert_ptr_eq(items, before);
	ck_assert_uint_eq(cap, 16);
	free(items);
}
END_TEST

/* ---- kb_term_counts ------------------------------------------------------------ */

/* Term i of c as a string, for comparing. */
static const char *term_at(const kb_term_counts_t *c, size_t i, char *buf, size_t size)
{
	const kb_term_count_t *t = &c->terms[i];
	ck_assert_uint_lt(t->len, size);
	memcpy(buf, c->bytes + t->offset, t->len);
	buf[t->len] = '\0';
	return buf;
}

START_TEST(term_counts_sum_the_weights_of_a_repeated_term)
{
	kb_term_counts_t c = {0};
	char buf[64];
	ck_assert_int_eq(kb_term_counts_add(&c, "宽带", strlen("宽带"), 3), 0);
	ck_assert_int_eq(kb_term_counts_add(&c, "宽", strlen("宽"), 1), 0);
	ck_assert_int_eq(kb_term_counts_add(&c, "宽带断网", strlen("宽带"), 1), 0); /* "宽带" again */
	ck_assert_int_eq(kb_term_counts_add(&c, "带", strlen("带"), 2), 0);
	ck_assert_uint_eq(c.count, 3);
	/* In the order first added. */
	ck_assert_str_eq(term_at(&c, 0, buf, sizeof buf), "宽带");
	ck_assert_uint_eq(c.terms[0].wdf, 4);
	ck_assert_str_eq(term_at(&c, 1, buf, sizeof buf), "宽");
	ck_assert_uint_eq(c.terms[1].wdf, 1);
	ck_assert_str_eq(term_at(&c, 2, buf, sizeof buf), "带");
	ck_assert_uint_eq(c.terms[2].wdf, 2);
	kb_term_counts_clear(&c);
	ck_assert_uint_eq(c.count, 0);
	kb_term_counts_clear(&c);
}
END_TEST

START_TEST(term_counts_compare_every_byte_and_the_length)
{
	kb_term_counts_t c = {0};
	ck_assert_int_eq(kb_term_counts_add(&c, "a\0b", 3, 1), 0);
	ck_assert_int_eq(kb_term_counts_add(&c, "a\0c", 3, 1), 0);
	ck_assert_int_eq(kb_term_counts_add(&c, "a", 1, 1), 0);
	ck_assert_int_eq(kb_term_counts_add(&c, "a\0b", 3, 5), 0);
	ck_assert_uint_eq(c.count, 3);
	ck_assert_uint_eq(c.terms[0].len, 3);
	ck_assert_mem_eq(c.bytes + c.terms[0].offset, "a\0b", 3);
	ck_assert_uint_eq(c.terms[0].wdf, 6);
	ck_assert_mem_eq(c.bytes + c.terms[1].offset, "a\0c", 3);
	ck_assert_uint_eq(c.terms[1].wdf, 1);
	ck_assert_uint_eq(c.terms[2].len, 1);
	ck_assert_uint_eq(c.terms[2].wdf, 1);
	kb_term_counts_reset(&c);
	/* Every prefix of one string: probes run into longer keys that
	 * begin with the one looked for. */
	char text[400];
	memset(text, 'x', sizeof text);
	for (size_t n = 1; n <= sizeof text; n++)
		ck_assert_int_eq(kb_term_counts_add(&c, text, n, 1), 0);
	ck_assert_uint_eq(c.count, sizeof text);
	for (size_t i = 0; i < c.count; i++) {
		ck_assert_uint_eq(c.terms[i].len, i + 1);
		ck_assert_uint_eq(c.terms[i].wdf, 1);
	}
	kb_term_counts_clear(&c);
}
END_TEST

START_TEST(term_counts_grow_and_reset_for_the_next_document)
{
	kb_term_counts_t c = {0};
	enum { N = 20000 };
	char term[32], buf[32];
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			int n = snprintf(term, sizeof term, "t%d", i);
			ck_assert_int_eq(kb_term_counts_add(&c, term, (size_t)n, 1), 0);
			ck_assert_int_eq(kb_term_counts_add(&c, term, (size_t)n, (unsigned)i % 3), 0);
		}
		ck_assert_uint_eq(c.count, N);
		for (int i = 0; i < N; i++) {
			snprintf(term, sizeof term, "t%d", i);
			ck_assert_str_eq(term_at(&c, (size_t)i, buf, sizeof buf), term);
			ck_assert_uint_eq(c.terms[i].wdf, 1 + (unsigned)i % 3);
		}
		/* The next document starts empty, in the memory of the last. */
		size_t slots = c.slot_count;
		kb_term_counts_reset(&c);
		ck_assert_uint_eq(c.count, 0);
		ck_assert_uint_eq(c.bytes_len, 0);
		ck_assert_uint_eq(c.slot_count, slots);
		ck_assert_int_eq(kb_term_counts_add(&c, "t7", 2, 2), 0);
		ck_assert_uint_eq(c.count, 1);
		ck_assert_uint_eq(c.terms[0].wdf, 2);
		kb_term_counts_reset(&c);
	}
	kb_term_counts_clear(&c);
}
END_TEST

/* ---- diagnostics ------------------------------------------------------------------ */

static char *joined(const kb_diagnostics_t *d)
{
	return fx_join_diags(d);
}

#define assert_diags(d, expected) fx_assert_str_owned(joined(d), (expected))

START_TEST(diag_format)
{
	kb_diagnostics_t d = {0};
	kb_diag_add(&d, "a.xml", 3, "entry '%s': %s", "x", "missing <title>");
	kb_diag_add(&d, "a.xml", 0, "cannot open: %s", "No such file or directory");
	kb_diag_add(&d, "dir/b.xml", -1, "no line");
	kb_diag_add(&d, "b.xml", 123456, "%d%%", 50);
	assert_diags(&d, "a.xml:3: entry 'x': missing <title>\n"
	                 "a.xml: cannot open: No such file or directory\n"
	                 "dir/b.xml: no line\n"
	                 "b.xml:123456: 50%");
	ck_assert_uint_eq(kb_diag_problems(&d), 4);
	ck_assert_uint_eq(d.dropped, 0);
	/* Nothing dropped: finishing adds nothing. */
	kb_diag_finish(&d);
	ck_assert_uint_eq(d.count, 4);
	kb_diag_clear(&d);
	ck_assert_uint_eq(d.count, 0);
	ck_assert_ptr_null(d.items);
	ck_assert_uint_eq(kb_diag_problems(&d), 0);
}
END_TEST

START_TEST(diag_cap_and_closing_line)
{
	kb_diagnostics_t d = {0};
	for (int i = 1; i <= KB_MAX_DIAGNOSTICS + 5; i++)
		kb_diag_add(&d, "f.xml", i, "problem %d", i);
	ck_assert_uint_eq(d.count, KB_MAX_DIAGNOSTICS);
	ck_assert_uint_eq(d.dropped, 5);
	ck_assert_uint_eq(kb_diag_problems(&d), KB_MAX_DIAGNOSTICS + 5);
	/* The first ones are kept, the later ones dropped. */
	ck_assert_str_eq(d.items[0], "f.xml:1: problem 1");
	ck_assert_str_eq(d.items[KB_MAX_DIAGNOSTICS - 1], "f.xml:1000: problem 1000");
	kb_diag_finish(&d);
	ck_assert_uint_eq(d.count, KB_MAX_DIAGNOSTICS + 1);
	ck_assert_str_eq(d.items[KB_MAX_DIAGNOSTICS], "... and 5 more problems not shown");
	/* Finishing twice adds no second closing line. */
	kb_diag_finish(&d);
	ck_assert_uint_eq(d.count, KB_MAX_DIAGNOSTICS + 1);
	kb_diag_clear(&d);
}
END_TEST

/* Regression (a bug found by this suite, fixed): after kb_diag_finish() the problems are
 * miscounted.  diagnostics.h: kb_diag_problems() is "Problems seen,
 * including those not stored"; 1005 were seen, but finishing moves the 5
 * dropped ones into one stored closing line and the count becomes 1001.
 * kb_indexer_commit() finishes first and then prints "1001 problems in the
 * input". */
START_TEST(diag_problems_still_counted_after_finish)
{
	kb_diagnostics_t d = {0};
	for (int i = 1; i <= KB_MAX_DIAGNOSTICS + 5; i++)
		kb_diag_add(&d, "f.xml", i, "problem %d", i);
	kb_diag_finish(&d);
	ck_assert_uint_eq(kb_diag_problems(&d), KB_MAX_DIAGNOSTICS + 5);
	kb_diag_clear(&d);
}
END_TEST

START_TEST(diag_sort_lines)
{
	kb_diagnostics_t d = {0};
	kb_diag_add(&d, "other.xml", 9, "before, untouched");
	size_t first = d.count;
	kb_diag_add(&d, "f.xml", 30, "c");
	kb_diag_add(&d, "f.xml", 4, "a");
	kb_diag_add(&d, "f.xml", 30, "d");
	kb_diag_add(&d, "f.xml", 12, "b1");
	kb_diag_add(&d, "f.xml", 0, "no line");
	kb_diag_add(&d, "f.xml", 12, "b2");
	kb_diag_add(&d, "f.xml", 100, "e");
	kb_diag_sort_lines(&d, first, "f.xml");
	/* By line, those on one line in the order added, lineless ones first;
	 * the items before first stay where they were. */
	assert_diags(&d, "other.xml:9: before, untouched\n"
	                 "f.xml: no line\n"
	                 "f.xml:4: a\n"
	                 "f.xml:12: b1\n"
	                 "f.xml:12: b2\n"
	                 "f.xml:30: c\n"
	                 "f.xml:30: d\n"
	                 "f.xml:100: e");
	/* Sorting an empty or one-item range does nothing. */
	kb_diag_sort_lines(&d, d.count, "f.xml");
	kb_diag_sort_lines(&d, d.count - 1, "f.xml");
	ck_assert_str_eq(d.items[d.count - 1], "f.xml:100: e");
	kb_diag_clear(&d);
}
END_TEST

START_TEST(diag_sort_numeric_not_textual)
{
	kb_diagnostics_t d = {0};
	kb_diag_add(&d, "f.xml", 10, "ten");
	kb_diag_add(&d, "f.xml", 9, "nine");
	kb_diag_add(&d, "f.xml", 100, "hundred");
	kb_diag_add(&d, "f.xml", 2, "two");
	kb_diag_sort_lines(&d, 0, "f.xml");
	assert_diags(&d, "f.xml:2: two\nf.xml:9: nine\nf.xml:10: ten\nf.xml:100: hundred");
	kb_diag_clear(&d);
}
END_TEST

/* ---- cgroup CPU limits (cpu_quota.c) ------------------------------------- */

/* Writes text to root/rel, making the directories on the way. */
static void put(const char *root, const char *rel, const char *text)
{
	char *path = fx_printf("%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
		*p = '/';
	}
	char *slash = strrchr(path, '/');
	*slash = '\0';
	free(fx_write(path, slash + 1, text));
	free(path);
}

START_TEST(no_cgroup_means_no_limit)
{
	char *root = fx_tempdir();
	ck_assert_uint_eq(kb_cpu_quota(root), 0);
	put(root, "proc/self/cgroup", "0::/\n");
	ck_assert_uint_eq(kb_cpu_quota(root), 0); /* no cpu.max */
	put(root, "sys/fs/cgroup/cpu.max", "max 100000\n");
	ck_assert_uint_eq(kb_cpu_quota(root), 0);
	put(root, "sys/fs/cgroup/cpu.max", "what\n");
	ck_assert_uint_eq(kb_cpu_quota(root), 0);
	put(root, "proc/self/cgroup", "nonsense\n\n::\n");
	ck_assert_uint_eq(kb_cpu_quota(root), 0);
	fx_rmtree(root);
	free(root);
}
END_TEST

START_TEST(cgroup_v2_limit_rounds_up_and_the_tightest_ancestor_counts)
{
	char *root = fx_tempdir();
	put(root, "proc/self/cgroup", "0::/kb.slice/job\n");
	put(root, "sys/fs/cgroup/cpu.max", "max 100000\n");
	put(root, "sys/fs/cgroup/kb.slice/job/cpu.max", "150000 100000\n");
	ck_assert_uint_eq(kb_cpu_quota(root), 2);
	put(root, "sys/fs/cgroup/kb.slice/cpu.max", "50000 100000\n");
	ck_assert_uint_eq(kb_cpu_quota(root), 1);
	put(root, "sys/fs/cgroup/kb.slice/cpu.max", "800000 100000\n");
	ck_assert_uint_eq(kb_cpu_quota(root), 2);
	fx_rmtree(root);
	free(root);
}
END_TEST

START_TEST(cgroup_v1_limit_is_read_from_the_cpu_controller)
{
	char *root = fx_tempdir();
	/* A container whose hierarchy is not namespaced: the host's path is
	 * not in its mount, whose root is the container's cgroup. */
	put(root, "proc/self/cgroup",
	    "5:cpuacct:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n");
	put(root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "300000\n");
	put(root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
	ck_assert_uint_eq(kb_cpu_quota(root), 3);
	put(root, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
	ck_assert_uint_eq(kb_cpu_quota(root), 0);
	/* Only the cpu controller limits; cpuacct counts. */
	put(root, "sys/fs/cgroup/cpuacct/docker/abc/cpu.cfs_quota_us", "100000\n");
	put(root, "sys/fs/cgroup/cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
	ck_assert_uint_eq(kb_cpu_quota(root), 0);
	/* Mounted as plain "cpu", the path present. */
	put(root, "proc/self/cgroup", "3:cpu:/batch\n");
	put(root, "sys/fs/cgroup/cpu/batch/cpu.cfs_quota_us", "100000\n");
	put(root, "sys/fs/cgroup/cpu/batch/cpu.cfs_period_us", "100000\n");
	ck_assert_uint_eq(kb_cpu_quota(root), 1);
	fx_rmtree(root);
	free(root);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("status");
	tcase_add_test(tc, every_status_has_its_own_name);
	tcase_add_test(tc, out_of_range_status_is_unknown);
	tcase_add_test(tc, status_codes_are_stable);
	suite_add_tcase(s, tc);

	tc = tcase_create("dates_and_tags");
	tcase_add_test(tc, valid_dates);
	tcase_add_test(tc, invalid_dates);
	tcase_add_test(tc, today_is_a_valid_date);
	tcase_add_test(tc, valid_tags);
	tcase_add_test(tc, invalid_tags);
	tcase_add_test(tc, strdup_printf);
	suite_add_tcase(s, tc);

	tc = tcase_create("string_set");
	tcase_add_test(tc, string_set_add_and_get);
	tcase_add_test(tc, string_set_copies_its_strings);
	tcase_add_test(tc, string_set_grows);
	suite_add_tcase(s, tc);

	tc = tcase_create("term_counts");
	tcase_add_test(tc, array_reserve_doubles_and_refuses_what_cannot_fit);
	tcase_add_test(tc, term_counts_sum_the_weights_of_a_repeated_term);
	tcase_add_test(tc, term_counts_compare_every_byte_and_the_length);
	tcase_add_test(tc, term_counts_grow_and_reset_for_the_next_document);
	suite_add_tcase(s, tc);

	tc = tcase_create("cpu_quota");
	tcase_add_test(tc, no_cgroup_means_no_limit);
	tcase_add_test(tc, cgroup_v2_limit_rounds_up_and_the_tightest_ancestor_counts);
	tcase_add_test(tc, cgroup_v1_limit_is_read_from_the_cpu_controller);
	suite_add_tcase(s, tc);

	tc = tcase_create("diagnostics");
	tcase_add_test(tc, diag_format);
	tcase_add_test(tc, diag_cap_and_closing_line);
	tcase_add_test(tc, diag_problems_still_counted_after_finish);
	tcase_add_test(tc, diag_sort_lines);
	tcase_add_test(tc, diag_sort_numeric_not_textual);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_run(core_suite());
}
