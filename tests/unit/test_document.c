/* test_document.c: the stored form of an entry, what a hit shows
 * (lib/document.h): written and read back, damaged data refused, and the
 * content hash that tells an update which entries changed. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "fixtures.h"

/* An entry with every list filled: two alts, two audience tags, a default
 * answer between two variants. */
static kb_entry_t full(void)
{
	kb_entry_t e = {.id = "BB-001", .status = "published", .title = "宽带断网怎么报修",
	                .category = "宽带/故障"};
	e.alts[e.alt_count++] = "网断了";
	e.alts[e.alt_count++] = "寬頻斷網";
	e.audiences[e.audience_count++] = "elderly";
	e.audiences[e.audience_count++] = "business";
	e.answers[e.answer_count++] = (kb_answer_t){"elderly", "您别着急，我们马上派人。"};
	e.answers[e.answer_count++] = (kb_answer_t){NULL, "请拨打10000报修。"};
	e.answers[e.answer_count++] = (kb_answer_t){"business", "政企客户请拨10000-8。"};
	return e;
}

/* e's stored form, malloc()ed; its length into *len. */
static char *encoded(const kb_entry_t *e, size_t *len)
{
	char *data = NULL;
	ck_assert_int_eq(kb_document_encode(e, &data, len), KB_OK);
	return data;
}

START_TEST(what_is_written_is_read)
{
	kb_entry_t e = full();
	size_t len;
	char *data = encoded(&e, &len);
	kb_document_t d;
	ck_assert_int_eq(kb_document_decode(data, len, &d), KB_OK);
	ck_assert_str_eq(d.id, "BB-001");
	ck_assert_str_eq(d.title, "宽带断网怎么报修");
	ck_assert_str_eq(d.category, "宽带/故障");
	ck_assert_str_eq(d.answer, "请拨打10000报修。");
	ck_assert_uint_eq(d.alt_count, 2);
	ck_assert_str_eq(d.alts, "网断了");
	ck_assert_str_eq(kb_document_next(d.alts), "寬頻斷網");
	ck_assert_uint_eq(d.audience_count, 2);
	ck_assert_str_eq(d.audiences, "elderly");
	ck_assert_str_eq(kb_document_next(d.audiences), "business");
	ck_assert_uint_eq(d.variant_count, 2);
	const char *f = d.variants;
	ck_assert_str_eq(f, "elderly");
	ck_assert_str_eq(f = kb_document_next(f), "您别着急，我们马上派人。");
	ck_assert_str_eq(f = kb_document_next(f), "business");
	ck_assert_str_eq(f = kb_document_next(f), "政企客户请拨10000-8。");
	ck_assert_ptr_eq(kb_document_next(f), data + len);
	free(data);

	/* No category, no lists. */
	kb_entry_t bare = {.id = "X", .status = "published", .title = "停机保号"};
	bare.answers[bare.answer_count++] = (kb_answer_t){NULL, "拨打10000。"};
	data = encoded(&bare, &len);
	ck_assert_int_eq(kb_document_decode(data, len, &d), KB_OK);
	ck_assert_str_eq(d.category, "");
	ck_assert_str_eq(d.answer, "拨打10000。");
	ck_assert_uint_eq(d.alt_count + d.audience_count + d.variant_count, 0);
	ck_assert_ptr_eq(d.variants, data + len);
	free(data);
}
END_TEST

/* A damaged index must give "the index is damaged", never a read past
 * the data: every cut of a document, and every count that lies, is
 * refused. */
START_TEST(damaged_data_is_refused)
{
	kb_entry_t e = full();
	size_t len;
	char *data = encoded(&e, &len);
	kb_document_t d;
	for (size_t cut = 0; cut < len; cut++) {
		/* A copy of exactly cut bytes, so that valgrind and ASan see any
		 * read past it. */
		char *part = malloc(cut ? cut : 1);
		memcpy(part, data, cut);
		ck_assert_msg(kb_document_decode(part, cut, &d) == KB_ERR_CORRUPT,
		              "the first %zu of %zu bytes were taken for a document", cut, len);
		free(part);
	}
	char *longer = malloc(len + 2);
	memcpy(longer, data, len);
	memcpy(longer + len, "x", 2);
	ck_assert_int_eq(kb_document_decode(longer, len + 2, &d), KB_ERR_CORRUPT);
	free(longer);
	free(data);

	static const struct {
		const char *what;
		const char *data;
		size_t len;
	} lies[] = {
	    {"alts counted in letters", "a\0t\0\0x\0" "two\0p\0q\0" "0\0" "0\0", 19},
	    {"an empty count", "a\0t\0\0x\0" "\0" "0\0" "0\0", 12},
	    {"more alts than fields", "a\0t\0\0x\0" "3\0p\0q\0" "0\0" "0\0", 17},
	    {"a count past any size", "a\0t\0\0x\0" "99999999999999999999999\0" "0\0" "0\0", 35},
	    {"a variant without its answer", "a\0t\0\0x\0" "0\0" "0\0" "1\0elderly\0", 21},
	};
	for (size_t i = 0; i < sizeof lies / sizeof *lies; i++)
		ck_assert_msg(kb_document_decode(lies[i].data, lies[i].len, &d) == KB_ERR_CORRUPT,
		              "%s was taken for a document", lies[i].what);
	/* The same layout with honest counts is read. */
	ck_assert_int_eq(kb_document_decode("a\0t\0\0x\0" "2\0p\0q\0" "0\0" "0\0", 17, &d), KB_OK);
	ck_assert_str_eq(kb_document_next(d.alts), "q");
}
END_TEST

static void hash_of(const kb_entry_t *e, char hex[17])
{
	size_t len;
	char *data = encoded(e, &len);
	kb_document_hash(e, data, len, hex);
	free(data);
}

/* Equal entries hash alike; any change, even a character moved from one
 * field to the next, does not. */
START_TEST(the_hash_sees_every_field)
{
	kb_entry_t e = full();
	char a[17], b[17];
	hash_of(&e, a);
	hash_of(&e, b);
	ck_assert_str_eq(a, b);
	kb_entry_t moved = e;
	moved.title = "宽带断网怎么报";
	moved.category = "修宽带/故障";
	hash_of(&moved, b);
	ck_assert_str_ne(a, b);
	kb_entry_t variant = e;
	variant.answers[2].text = "政企客户请拨10000-9。";
	hash_of(&variant, b);
	ck_assert_str_ne(a, b);
	kb_entry_t region = e;
	region.regions[region.region_count++] = "江苏";
	hash_of(&region, b);
	ck_assert_str_ne(a, b);
}
END_TEST

static Suite *document_suite(void)
{
	Suite *s = suite_create("document");
	TCase *tc = tcase_create("stored form");
	tcase_add_test(tc, what_is_written_is_read);
	tcase_add_test(tc, damaged_data_is_refused);
	tcase_add_test(tc, the_hash_sees_every_field);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_run(document_suite());
}
