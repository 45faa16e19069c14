/* document.c: the stored form of an entry (see document.h). */
#include "document.h"

#include "kb-private.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s and its NUL at out + *n (out NULL: only counted). */
static void put(char *out, size_t *n, const char *s)
{
	size_t len = strlen(s) + 1;
	if (out)
		memcpy(out + *n, s, len);
	*n += len;
}

static void put_count(char *out, size_t *n, size_t count)
{
	char digits[24];
	snprintf(digits, sizeof digits, "%zu", count);
	put(out, n, digits);
}

/* The fields in order into out (NULL: only counted); returns the bytes
 * they take. */
static size_t lay_out(const kb_entry_t *e, char *out)
{
	size_t n = 0, variants = 0;
	const char *answer = "";
	for (size_t i = 0; i < e->answer_count; i++) {
		if (e->answers[i].audience)
			variants++;
		else
			answer = e->answers[i].text;
	}
	put(out, &n, e->id);
	put(out, &n, e->title);
	put(out, &n, e->category ? e->category : "");
	put(out, &n, answer);
	put_count(out, &n, e->alt_count);
	for (size_t i = 0; i < e->alt_count; i++)
		put(out, &n, e->alts[i]);
	put_count(out, &n, e->audience_count);
	for (size_t i = 0; i < e->audience_count; i++)
		put(out, &n, e->audiences[i]);
	put_count(out, &n, variants);
	for (size_t i = 0; i < e->answer_count; i++) {
		if (e->answers[i].audience) {
			put(out, &n, e->answers[i].audience);
			put(out, &n, e->answers[i].text);
		}
	}
	return n;
}

kb_status_t kb_document_encode(const kb_entry_t *e, char **data, size_t *len)
{
	*len = lay_out(e, NULL);
	*data = malloc(*len);
	if (!*data)
		return KB_ERR_NOMEM;
	lay_out(e, *data);
	return KB_OK;
}

/* The next field of [*p, end) into *field, or 0 if none is left. */
static int take(const char **p, const char *end, const char **field)
{
	const char *nul = memchr(*p, '\0', (size_t)(end - *p));
	if (!nul)
		return 0;
	*field = *p;
	*p = nul + 1;
	return 1;
}

/* A count: decimal digits, no more than the fields left could hold. */
static int take_count(const char **p, const char *end, size_t per_item, size_t *count)
{
	const char *f;
	if (!take(p, end, &f) || !*f)
		return 0;
	size_t n = 0;
	for (; *f; f++) {
		if (*f < '0' || *f > '9' || n > (size_t)(end - *p))
			return 0;
		n = n * 10 + (size_t)(*f - '0');
	}
	*count = n;
	return n <= (size_t)(end - *p) / per_item;
}

/* Steps over count lists of per_item fields, setting *first. */
static int take_list(const char **p, const char *end, size_t per_item, size_t *count,
                     const char **first)
{
	if (!take_count(p, end, per_item, count))
		return 0;
	*first = *p;
	const char *f;
	for (size_t i = 0; i < *count * per_item; i++)
		if (!take(p, end, &f))
			return 0;
	return 1;
}

kb_status_t kb_document_decode(const char *data, size_t len, kb_document_t *d)
{
	const char *p = data, *end = data + len;
	*d = (kb_document_t){0};
	if (take(&p, end, &d->id) && take(&p, end, &d->title) && take(&p, end, &d->category) &&
	    take(&p, end, &d->answer) && take_list(&p, end, 1, &d->alt_count, &d->alts) &&
	    take_list(&p, end, 1, &d->audience_count, &d->audiences) &&
	    take_list(&p, end, 2, &d->variant_count, &d->variants) && p == end)
		return KB_OK;
	return KB_ERR_CORRUPT;
}

/* One more field into the hash, closed by a byte no text holds, so that
 * "ab","c" and "a","bc" differ. */
static uint64_t fnv(uint64_t h, const char *s)
{
	return (kb_hash_bytes(h, s) ^ 0xFF) * KB_HASH_PRIME;
}

void kb_document_hash(const kb_entry_t *e, const char *data, size_t len, char hex[17])
{
	uint64_t h = (kb_hash_n(KB_HASH_OFFSET, data, len) ^ 0xFF) * KB_HASH_PRIME;
	h = fnv(h, e->keywords);
	h = fnv(h, e->status);
	h = fnv(h, e->valid_from);
	h = fnv(h, e->valid_until);
	for (size_t i = 0; i < e->region_count; i++)
		h = fnv(h, e->regions[i]);
	snprintf(hex, 17, "%016llx", (unsigned long long)h);
}
