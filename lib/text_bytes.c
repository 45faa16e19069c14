/* text_bytes.c: small byte-level helpers for strings: a hash, and making
 * sure what kb writes out is UTF-8 whatever it quotes. */
#include <string.h>
#include <utf8proc.h>

#include "kb-private.h"

uint64_t kb_hash_n(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * KB_HASH_PRIME;
	return h;
}

uint64_t kb_hash_bytes(uint64_t h, const char *s)
{
	return kb_hash_n(h, s, s ? strlen(s) : 0);
}

uint64_t kb_hash_slot(const char *s, size_t n)
{
	uint64_t h = kb_hash_n(KB_HASH_OFFSET, s, n);
	/* FNV's low bits, which pick the slot, vary little between keys
	 * that share all but their last bytes: mix the high bits in. */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

size_t kb_utf8_repair(char *s, size_t len)
{
	size_t repaired = 0;
	for (size_t i = 0; i < len;) {
		int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(len - i), &cp);
		if (k > 0) {
			i += (size_t)k;
		} else {
			s[i++] = '?';
			repaired++;
		}
	}
	return repaired;
}
