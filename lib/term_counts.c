/* term_counts.c: open addressing with linear probing over an array of
 * terms, whose bytes share one buffer (see term_counts.h). */
#include "term_counts.h"

#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

static uint32_t *find(const kb_term_counts_t *c, const char *term, size_t len, uint64_t h)
{
	size_t mask = c->slot_count - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		uint32_t k = c->slots[i];
		if (!k)
			return &c->slots[i];
		const kb_term_count_t *t = &c->terms[k - 1];
		if (t->len == len && memcmp(c->bytes + t->offset, term, len) == 0)
			return &c->slots[i];
	}
}

/* Keeps the table at most half full, so that probes stay short and a
 * free slot always ends them. */
static int make_room(kb_term_counts_t *c)
{
	if ((c->count + 1) * 2 <= c->slot_count)
		return 0;
	size_t n = c->slot_count ? c->slot_count * 2 : 256;
	uint32_t *slots = calloc(n, sizeof *slots);
	if (!slots)
		return -1;
	free(c->slots);
	c->slots = slots;
	c->slot_count = n;
	for (size_t k = 0; k < c->count; k++) {
		const kb_term_count_t *t = &c->terms[k];
		const char *term = c->bytes + t->offset;
		*find(c, term, t->len, kb_hash_slot(term, t->len)) = (uint32_t)k + 1;
	}
	return 0;
}

int kb_term_counts_add(kb_term_counts_t *c, const char *term, size_t len, unsigned wdf)
{
	if (make_room(c) != 0)
		return -1;
	uint64_t h = kb_hash_slot(term, len);
	uint32_t *slot = find(c, term, len, h);
	if (*slot) {
		c->terms[*slot - 1].wdf += wdf;
		return 0;
	}
	if (len > UINT32_MAX - c->bytes_len || c->count >= UINT32_MAX - 1 ||
	    kb_array_reserve((void **)&c->terms, &c->terms_cap, c->count + 1, sizeof *c->terms, 128) != 0 ||
	    kb_array_reserve((void **)&c->bytes, &c->bytes_cap, c->bytes_len + len + 1, 1, 4096) != 0)
		return -1;
	memcpy(c->bytes + c->bytes_len, term, len);
	c->terms[c->count] = (kb_term_count_t){(uint32_t)c->bytes_len, (uint32_t)len, wdf};
	c->bytes_len += len;
	*slot = (uint32_t)++c->count;
	return 0;
}

void kb_term_counts_reset(kb_term_counts_t *c)
{
	if (c->count)
		memset(c->slots, 0, c->slot_count * sizeof *c->slots);
	c->count = c->bytes_len = 0;
}

void kb_term_counts_clear(kb_term_counts_t *c)
{
	free(c->terms);
	free(c->bytes);
	free(c->slots);
	*c = (kb_term_counts_t){0};
}
