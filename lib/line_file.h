/* line_file.h: the editors' files of one item a line (synonyms.txt,
 * words.txt): UTF-8, '#' starts a comment line, blank lines are ignored. */
#ifndef KB_LINE_FILE_H
#define KB_LINE_FILE_H

#include "analyze.h"
#include "diagnostics.h"

/* Called with each line that holds an item, folded (so that 寬頻 and 宽频,
 * or a full-width space, are as the analysis sees them) and without its
 * line end, and with its number.  A status other than KB_OK stops the
 * reading and is returned. */
typedef kb_status_t (*kb_line_fn)(void *ctx, long line_no, char *folded);

/* Reads file line by line.  A file that cannot be read, a line that is not
 * UTF-8, and more than max_items items ("more than N <what>") are problems
 * added to diags, not errors; KB_ERR_NOMEM or what fn returned is. */
kb_status_t kb_read_lines(kb_analyzer_t *a, const char *file, kb_diagnostics_t *diags,
                          size_t max_items, const char *what, kb_line_fn fn, void *ctx);

#endif
