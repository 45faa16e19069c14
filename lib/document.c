/* document.c: the stored form of an entry (see document.h). */
#include "document.h"

#include "kb-private.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *string_array(const char *const *items, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	return a;
}

kb_status_t kb_document_encode(const kb_entry_t *e, char **data, size_t *len)
{
	*data = NULL;
	json_t *variants = json_object();
	const char *answer = "";
	for (size_t i = 0; variants && i < e->answer_count; i++) {
		if (e->answers[i].audience)
			json_object_set_new(variants, e->answers[i].audience,
			                    json_string(e->answers[i].text));
		else
			answer = e->answers[i].text;
	}
	json_t *doc = json_pack("{s:s, s:s, s:o, s:s, s:o, s:s, s:o}",
	                        "id", e->id, "title", e->title,
	                        "alts", string_array(e->alts, e->alt_count),
	                        "category", e->category ? e->category : "",
	                        "audience", string_array(e->audiences, e->audience_count),
	                        "answer", answer, "variants", variants);
	if (!doc) /* out of memory, or (never from libxml2) invalid UTF-8 */
		return KB_ERR_NOMEM;
	*data = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!*data)
		return KB_ERR_NOMEM;
	*len = strlen(*data);
	return KB_OK;
}

/* One more field into the hash, closed by a byte no text holds, so that
 * "ab","c" and "a","bc" differ. */
static uint64_t fnv(uint64_t h, const char *s)
{
	return (kb_hash_bytes(h, s) ^ 0xFF) * KB_HASH_PRIME;
}

void kb_document_hash(const kb_entry_t *e, const char *data, char hex[17])
{
	uint64_t h = KB_HASH_OFFSET;
	h = fnv(h, data);
	h = fnv(h, e->keywords);
	h = fnv(h, e->status);
	h = fnv(h, e->valid_from);
	h = fnv(h, e->valid_until);
	for (size_t i = 0; i < e->region_count; i++)
		h = fnv(h, e->regions[i]);
	snprintf(hex, 17, "%016llx", (unsigned long long)h);
}
