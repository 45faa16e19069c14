/* string_set.h: a hash map from strings to a string, owning both; used to
 * find duplicate entry ids across files (id -> where it was defined). */
#ifndef KB_STRING_SET_H
#define KB_STRING_SET_H

#include <stddef.h>

typedef struct kb_string_set {
	struct kb_string_slot {
		char *key;
		char *value;
	} *slots;
	size_t count, cap;   /* cap is 0 or a power of two */
} kb_string_set_t;

/* The value stored for key, or NULL. */
const char *kb_string_set_get(const kb_string_set_t *s, const char *key);

/* Adds key -> value (both copied) unless key is present.  Returns 1 if
 * added, 0 if key was already there, -1 when out of memory. */
int kb_string_set_add(kb_string_set_t *s, const char *key, const char *value);

void kb_string_set_clear(kb_string_set_t *s);

#endif
