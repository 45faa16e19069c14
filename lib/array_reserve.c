/* array_reserve.c: room in a growing array, by doubling. */
#include <stdint.h>
#include <stdlib.h>

#include "kb-private.h"

int kb_array_reserve(void **items, size_t *cap, size_t want, size_t size, size_t first)
{
	if (want <= *cap)
		return 0;
	size_t n = *cap ? *cap : first;
	while (n < want) {
		if (n > SIZE_MAX / 2)
			return -1;
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		return -1;
	void *p = realloc(*items, n * size);
	if (!p)
		return -1;
	*items = p;
	*cap = n;
	return 0;
}
