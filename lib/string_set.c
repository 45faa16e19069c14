/* string_set.c: open addressing with linear probing; FNV-1a hashes. */
#include "string_set.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

static struct kb_string_slot *find(const kb_string_set_t *s, const char *key)
{
	size_t mask = s->cap - 1;
	for (size_t i = kb_hash_bytes(KB_HASH_OFFSET, key) & mask;; i = (i + 1) & mask)
		if (!s->slots[i].key || strcmp(s->slots[i].key, key) == 0)
			return &s->slots[i];
}

const char *kb_string_set_get(const kb_string_set_t *s, const char *key)
{
	if (!s->cap)
		return NULL;
	struct kb_string_slot *slot = find(s, key);
	return slot->key ? slot->value : NULL;
}

static int grow(kb_string_set_t *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	kb_string_set_t bigger = {calloc(cap, sizeof *bigger.slots), s->count, cap};
	if (!bigger.slots)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].key)
			*find(&bigger, s->slots[i].key) = s->slots[i];
	free(s->slots);
	*s = bigger;
	return 0;
}

int kb_string_set_add(kb_string_set_t *s, const char *key, const char *value)
{
	/* Keep the load under one half so probes stay short. */
	if ((s->count + 1) * 2 > s->cap && grow(s) != 0)
		return -1;
	struct kb_string_slot *slot = find(s, key);
	if (slot->key)
		return 0;
	char *k = strdup(key), *v = strdup(value ? value : "");
	if (!k || !v) {
		free(k);
		free(v);
		return -1;
	}
	slot->key = k;
	slot->value = v;
	s->count++;
	return 1;
}

void kb_string_set_clear(kb_string_set_t *s)
{
	for (size_t i = 0; i < s->cap; i++) {
		free(s->slots[i].key);
		free(s->slots[i].value);
	}
	free(s->slots);
	*s = (kb_string_set_t){0};
}
