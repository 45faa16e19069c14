/* filter_terms.c: the boolean terms that carry an entry's id, status,
 * audiences, regions and category path. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kb-private.h"

char *kb_filter_term(const char *prefix, const char *value)
{
	size_t n = strlen(prefix) + strlen(value);
	if (n <= KB_MAX_FILTER_TERM_BYTES)
		return kb_strdup_printf("%s%s", prefix, value);
	/* Xapian refuses terms over 245 bytes: a long value (a category path,
	 * a region name) is stood for by its hash, the same at index and query
	 * time.  "#" never starts a value a filter compares whole. */
	return kb_strdup_printf("%s#%016llx", prefix,
	                        (unsigned long long)kb_hash_bytes(KB_HASH_OFFSET, value));
}
