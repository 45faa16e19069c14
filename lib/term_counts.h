/* term_counts.h: the text terms of one document and their summed weights,
 * counted by kb before the document goes to Xapian.
 *
 * Xapian's Document keeps its terms in a std::map of strings.  Giving it
 * every token as it was cut (a long answer repeats its characters and
 * pairs many times), then replacing each term's wdf by its impact, which
 * filled that map a second time, cost 7% of a build's instructions on
 * atec-faq and 15% with the generated corpora's long answers.  Counted
 * here, each distinct term reaches Xapian once, with its final weight. */
#ifndef KB_TERM_COUNTS_H
#define KB_TERM_COUNTS_H

#include <stddef.h>
#include <stdint.h>

typedef struct kb_term_count {
	uint32_t offset, len; /* of the term in bytes */
	unsigned wdf;         /* the sum of the weights it was added with */
} kb_term_count_t;

/* Zero-initialise ({0}) before first use.  terms[0..count) are the
 * distinct terms in the order they were first added; each term's bytes
 * are bytes + offset, len of them, not NUL-terminated. */
typedef struct kb_term_counts {
	kb_term_count_t *terms;
	size_t count, terms_cap;
	char *bytes;
	size_t bytes_len, bytes_cap;
	uint32_t *slots; /* 1 + the term's index, 0 when free; slot_count a power of two */
	size_t slot_count;
} kb_term_counts_t;

/* Adds wdf to the count of the term of len bytes (any bytes), which is
 * copied.  Returns 0, or -1 when out of memory or past 4 GB of terms; the
 * counts are then as they were. */
int kb_term_counts_add(kb_term_counts_t *c, const char *term, size_t len, unsigned wdf);

/* Forgets every term but keeps the memory, for the next document. */
void kb_term_counts_reset(kb_term_counts_t *c);

/* Frees the memory; c is then empty and may be used again. */
void kb_term_counts_clear(kb_term_counts_t *c);

#endif
