/* fuzz_document.c: a hit's stored data (lib/document.h) as a damaged index
 * could hold it: arbitrary bytes for kb_document_decode().
 *
 * The input is copied into a buffer of exactly its size, so that ASan sees
 * any read past it.  Checks: what decodes has every field inside the data,
 * NUL-terminated, the lists as long as their counts say and ending exactly
 * at the end; encoding the fields again gives data that decodes to the same
 * fields (when they fit an entry's limits). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "fuzz_util.h"

/* Walks count fields from *field, each inside [data, end); returns the
 * field after them. */
static const char *walk(const char *field, size_t count, const char *data, const char *end)
{
	for (size_t i = 0; i < count; i++) {
		FUZZ_CHECK(field >= data && field < end, "field %zu of %zu outside the data", i, count);
		FUZZ_CHECK(memchr(field, '\0', (size_t)(end - field)) != NULL,
		           "field %zu of %zu not NUL-terminated inside the data", i, count);
		field = kb_document_next(field);
	}
	return field;
}

/* Whether a and b hold the same fields. */
static int same(const kb_document_t *a, const kb_document_t *b)
{
	if (strcmp(a->id, b->id) || strcmp(a->title, b->title) || strcmp(a->category, b->category) ||
	    strcmp(a->answer, b->answer) || a->alt_count != b->alt_count ||
	    a->audience_count != b->audience_count || a->variant_count != b->variant_count)
		return 0;
	const char *x = a->alts, *y = b->alts;
	for (size_t i = 0; i < a->alt_count + a->audience_count + 2 * a->variant_count; i++) {
		if (i == a->alt_count)
			x = a->audiences, y = b->audiences;
		if (i == a->alt_count + a->audience_count)
			x = a->variants, y = b->variants;
		if (strcmp(x, y))
			return 0;
		x = kb_document_next(x);
		y = kb_document_next(y);
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	char *data = malloc(size ? size : 1);
	if (!data)
		return 0;
	memcpy(data, bytes, size);
	const char *end = data + size;
	kb_document_t d;
	if (kb_document_decode(data, size, &d) != KB_OK) {
		free(data);
		return 0;
	}
	walk(d.id, 4, data, end);
	FUZZ_CHECK(kb_document_next(d.id) == d.title && kb_document_next(d.title) == d.category &&
	               kb_document_next(d.category) == d.answer,
	           "the first four fields are not one after another");
	const char *after = walk(d.alts, d.alt_count, data, end);
	FUZZ_CHECK(after <= d.audiences, "the alts run into the audience tags");
	after = walk(d.audiences, d.audience_count, data, end);
	FUZZ_CHECK(after <= d.variants, "the audience tags run into the variants");
	after = walk(d.variants, 2 * d.variant_count, data, end);
	FUZZ_CHECK(after == end, "the variants end %td bytes from the end", end - after);

	if (d.alt_count <= KB_MAX_ALTS && d.audience_count <= KB_MAX_TAGS &&
	    d.variant_count < KB_MAX_ANSWERS) {
		kb_entry_t e = {.id = d.id, .title = d.title, .category = d.category};
		const char *f = d.alts;
		for (size_t i = 0; i < d.alt_count; i++, f = kb_document_next(f))
			e.alts[e.alt_count++] = f;
		f = d.audiences;
		for (size_t i = 0; i < d.audience_count; i++, f = kb_document_next(f))
			e.audiences[e.audience_count++] = f;
		e.answers[e.answer_count++] = (kb_answer_t){NULL, d.answer};
		f = d.variants;
		for (size_t i = 0; i < d.variant_count; i++) {
			const char *text = kb_document_next(f);
			e.answers[e.answer_count++] = (kb_answer_t){f, text};
			f = kb_document_next(text);
		}
		char *again = NULL;
		size_t again_len = 0;
		FUZZ_CHECK(kb_document_encode(&e, &again, &again_len) == KB_OK, "%s",
		           "a decoded document does not encode");
		kb_document_t d2;
		FUZZ_CHECK(kb_document_decode(again, again_len, &d2) == KB_OK, "%s",
		           "a document encoded from decoded fields does not decode");
		FUZZ_CHECK(same(&d, &d2), "%s", "encoding the decoded fields changes them");
		FUZZ_CHECK(again_len <= size, "the fields take %zu bytes encoded again, not at most %zu",
		           again_len, size);
		free(again);
	}
	free(data);
	return 0;
}
