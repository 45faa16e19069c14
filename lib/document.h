/* document.h: what a search result shows, stored as the data of each
 * entry's context document so that no XML is read at query time.  It is
 * read for every hit shown, so it is laid out to be read where it lies:
 * NUL-terminated UTF-8 fields (entry text holds no NUL: XML cannot), to
 * which a hit's strings point.
 *   id, title, category ("" if none), the default answer,
 *   the number of alts in decimal, then each alt,
 *   the number of audience tags, then each tag,
 *   the number of answer variants, then each one's tag and answer.
 * Until index format 8 it was JSON: parsing it with jansson was a tenth
 * of an lcqmc-faq request (docs/performance.md). */
#ifndef KB_DOCUMENT_H
#define KB_DOCUMENT_H

#include <string.h>

#include "entry.h"

/* *data is malloc()ed, freed by the caller; *len counts every byte of it,
 * the last NUL included. */
kb_status_t kb_document_encode(const kb_entry_t *e, char **data, size_t *len);

/* A stored document's fields, pointing into its data. */
typedef struct kb_document {
	const char *id, *title, *category, *answer;
	/* The first field of each list; kb_document_next() steps through. */
	const char *alts, *audiences, *variants;
	size_t alt_count, audience_count, variant_count;
} kb_document_t;

/* Reads data[0..len) into d; KB_ERR_CORRUPT unless it is exactly one
 * document as encoded above. */
kb_status_t kb_document_decode(const char *data, size_t len, kb_document_t *d);

/* The field after field, in decoded data. */
static inline const char *kb_document_next(const char *field)
{
	return field + strlen(field) + 1;
}

/* A hash of everything about e that the index holds (data as encoded,
 * keywords, status, regions, validity), as 16 hex digits into hex: equal
 * hashes mean an update can leave the entry alone. */
void kb_document_hash(const kb_entry_t *e, const char *data, size_t len, char hex[17]);

#endif
