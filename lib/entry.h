/* entry.h: a knowledge entry as read from XML, and the reader that
 * validates files of them (format: spec/knowledge-entry.md). */
#ifndef KB_ENTRY_H
#define KB_ENTRY_H

#include <stddef.h>

#include "diagnostics.h"
#include "string_set.h"
#include "kb.h"

/* Limits that keep one bad entry from exhausting the indexer or the
 * document store; each is reported as a precise error. */
#define KB_MAX_QUESTION_BYTES 1024   /* title, alt, category, keywords, region */
#define KB_MAX_ANSWER_BYTES 65536
#define KB_MAX_ALTS 200
#define KB_MAX_ANSWERS 64
#define KB_MAX_TAGS 32               /* audience and region elements each */

typedef struct kb_answer {
	const char *audience;   /* NULL for the default answer */
	const char *text;
} kb_answer_t;

typedef struct kb_entry {
	const char *file;
	long line;
	const char *id;
	const char *status;     /* "published", "draft" or "retired" */
	const char *updated;    /* "YYYY-MM-DD" or NULL */
	const char *title;
	const char *alts[KB_MAX_ALTS];
	size_t alt_count;
	const char *category;   /* NULL when absent */
	const char *keywords;   /* NULL when absent */
	const char *audiences[KB_MAX_TAGS];
	size_t audience_count;
	const char *regions[KB_MAX_TAGS];
	size_t region_count;
	const char *valid_from; /* "YYYY-MM-DD" or NULL */
	const char *valid_until;
	kb_answer_t answers[KB_MAX_ANSWERS];
	size_t answer_count;
} kb_entry_t;

/* Called for every valid entry; the entry and its strings are valid only
 * during the call.  A status other than KB_OK stops the reading and is
 * returned by kb_read_entries(). */
typedef kb_status_t (*kb_entry_fn)(void *ctx, const kb_entry_t *entry);

/* Reads and validates one XML file without fetching anything from the
 * network or the file system beyond it.  Every problem is added to diags as
 * "file:line: message"; ids are checked against (and added to) ids, which
 * maps each id to where it was first defined, so uniqueness holds across
 * files.  Returns KB_OK or the callback's failure; problems in the input do
 * not change the return value (check diags).  After a well-formedness
 * error, the rest of the file is still validated but no longer handed to
 * fn; as the parser reads ahead, nor may the entries just before the
 * error be (such a file can never be indexed anyway). */
kb_status_t kb_read_entries(const char *file, kb_string_set_t *ids,
                            kb_diagnostics_t *diags, kb_entry_fn fn, void *ctx);

/* Readies the XML parser for kb_read_entries() in several threads at once
 * (each with its own ids and diags); call before starting them. */
void kb_entry_reader_init(void);

#endif
