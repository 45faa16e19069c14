/* document.h: what a search result shows, stored as each Xapian document's
 * data so that no XML is read at query time.  The encoding is JSON:
 *   {"id": …, "title": …, "alts": […], "category": …, "audience": […],
 *    "answer": default, "variants": {tag: answer, …}}
 */
#ifndef KB_DOCUMENT_H
#define KB_DOCUMENT_H

#include "entry.h"

/* *data is malloc()ed, freed by the caller. */
kb_status_t kb_document_encode(const kb_entry_t *e, char **data, size_t *len);

/* A hash of everything about e that the index holds (data as encoded,
 * keywords, status, regions, validity), as 16 hex digits into hex: equal
 * hashes mean an update can leave the entry alone. */
void kb_document_hash(const kb_entry_t *e, const char *data, char hex[17]);

#endif
