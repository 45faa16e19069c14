/* kb.h: the public C API of kb, a knowledge-base search engine for Chinese
 * telecom customer service.
 *
 * Conventions, for every function below:
 *  - A fallible call returns a kb_status_t (KB_OK == 0) and hands its result
 *    back through a final out-parameter, which it sets to NULL first.
 *  - The library never prints and never exits.  Error detail lives on the
 *    handle (kb_indexer_last_error(), kb_searcher_last_error()); where no
 *    handle exists yet an error_message out-parameter carries it, allocated
 *    with malloc() and freed by the caller with free().
 *  - Destroy functions accept NULL.
 *  - Strings are UTF-8.  Every const char * returned is borrowed from the
 *    object that returned it and stays valid until that object is destroyed,
 *    unless its comment says otherwise.
 *  - Handles are not thread-safe: use one per thread.
 */
#ifndef KB_H
#define KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KB_VERSION "0.1.0"

typedef enum kb_status {
	KB_OK = 0,
	KB_ERR_NOMEM,          /* out of memory */
	KB_ERR_INVALID_ARG,    /* a caller passed a bad argument */
	KB_ERR_INVALID_INPUT,  /* the entries are invalid: see the diagnostics */
	KB_ERR_IO,             /* a file could not be read or written */
	KB_ERR_NO_INDEX,       /* no index at the given path */
	KB_ERR_LOCKED,         /* another kb-index is writing this index */
	KB_ERR_CORRUPT,        /* the index is damaged */
	KB_ERR_INDEX,          /* any other failure inside the index engine */
	KB_ERR_INTERNAL,       /* a bug: please report it */
	KB_STATUS_COUNT
} kb_status_t;

/* A short English description of a status; never NULL, static storage. */
const char *kb_status_to_string(kb_status_t status);

/* ---------------------------------------------------------------------
 * Indexing
 *
 * An index lives in a directory that holds generations of a Xapian
 * database and a symlink "current" naming the live one.  An indexer either
 * updates the live generation in one transaction or writes a new generation
 * beside it and switches the symlink atomically on commit; either way
 * readers see the old index or the new one, never a mix, and a failed,
 * abandoned or killed run leaves the old one untouched.
 * ------------------------------------------------------------------- */

typedef struct kb_indexer kb_indexer_t;

typedef struct kb_index_stats {
	size_t entries;    /* valid entries read */
	size_t files;      /* XML files read */
	size_t added;      /* entries new to the index */
	size_t changed;    /* entries whose content changed */
	size_t removed;    /* entries no longer in the input */
	size_t unchanged;  /* entries left as they were */
	int rebuilt;       /* the whole index was built anew */
	unsigned writers;  /* how many wrote it at once: 1, more for a build
	                      with kb_index_options_t.jobs, 0 while validating */
	double seconds;    /* wall time from open to commit */
} kb_index_stats_t;

#define KB_INDEX_OPTIONS_VERSION 1

typedef struct kb_index_options {
	int version;            /* KB_INDEX_OPTIONS_VERSION */
	bool rebuild;           /* build a new generation even if the live one
	                           could be updated in place */
	/* Called now and then while entries are read (every
	 * KB_PROGRESS_EVERY entries), with the figures so far; with several
	 * writers, while they write, always in the calling thread. */
	void (*progress)(void *ctx, const kb_index_stats_t *so_far);
	void *progress_ctx;
	/* A new generation (a rebuild, or the first build) is written by up
	 * to this many writers at once, one per core: the input is read and
	 * checked first, then written in shares, compacted into one index.
	 * 0 or 1: one writer, as the input is read.  KB_JOBS_PER_CORE: one
	 * per core this process may run on, no more than its cgroup's CPU
	 * limit grants (a container's), at most KB_JOBS_PER_CORE_MAX.
	 * Updates in place always have one.  At most KB_MAX_JOBS. */
	unsigned jobs;
} kb_index_options_t;

#define KB_MAX_JOBS 64
/* Each writer holds its own batch and B-trees (some 100 MB at a million
 * entries), and past four the first pass and the compaction, which one
 * core does, take a growing share of a build. */
#define KB_JOBS_PER_CORE 0xffffffffu
#define KB_JOBS_PER_CORE_MAX 4

#define KB_PROGRESS_EVERY 5000

/* Han text is cut into words with a word list of frequencies (jieba's
 * "word frequency tag" lines): the file the environment variable
 * KB_DICTIONARY names, else this one, from Debian's python3-jieba.  The
 * index keeps the table it was cut with, so searches and updates cut as
 * the entries were; a rebuild reads the list again. */
#define KB_DEFAULT_DICTIONARY "/usr/lib/python3/dist-packages/jieba/dict.txt"

/* Initialises o with defaults: update in place when possible, no progress. */
void kb_index_options_init(kb_index_options_t *o);

/* Opens db_dir for writing (creating it if missing) and takes its lock.
 * If db_dir holds a live index of this version of kb, the run updates it
 * in place: entries whose content is unchanged are left alone, changed
 * ones re-added, missing ones deleted, all in one transaction that readers
 * see at once on commit and never in part.  Otherwise (or with
 * opts->rebuild) it builds a new generation and switches to it on commit.
 * opts may be NULL for the defaults.
 * Returns KB_ERR_LOCKED if another indexer holds it, KB_ERR_IO if db_dir
 * exists but is not a kb index directory or cannot be written, or if a
 * new generation is to be built and the word list cannot be read,
 * KB_ERR_INVALID_ARG for a bad opts->version.
 * On failure *error_message (if not NULL) receives a malloc()ed message. */
kb_status_t kb_indexer_open(const char *db_dir, const kb_index_options_t *opts,
                            kb_indexer_t **out, char **error_message);

/* Reads one XML file, or every *.xml file below a directory (sorted by
 * name), validating each entry and adding the valid ones to the new
 * generation.  Every problem found becomes a diagnostic; returns
 * KB_ERR_INVALID_INPUT if this call added any, KB_ERR_IO if path cannot be
 * read at all (also recorded as a diagnostic), KB_ERR_INDEX on an engine
 * failure (see kb_indexer_last_error()). */
kb_status_t kb_indexer_add_path(kb_indexer_t *ix, const char *path);

/* Diagnostics collected so far, each "file:line: message".  The pointer is
 * valid until the indexer is destroyed. */
size_t kb_indexer_diagnostic_count(const kb_indexer_t *ix);
const char *kb_indexer_diagnostic(const kb_indexer_t *ix, size_t i);

/* Commits the update, or the new generation and makes it live (then
 * removes generations no reader can still be switching to).  Refuses with KB_ERR_INVALID_INPUT
 * while any diagnostic exists: a corpus with errors never goes live.
 * stats may be NULL. */
kb_status_t kb_indexer_commit(kb_indexer_t *ix, kb_index_stats_t *stats);

/* Message of the last failure on ix; never NULL. */
const char *kb_indexer_last_error(const kb_indexer_t *ix);

/* An indexer that only validates: kb_indexer_add_path() reads and checks
 * as usual and no index is opened, written or locked (for editors and
 * pre-commit hooks).  kb_indexer_commit() on it returns KB_OK when nothing
 * was wrong, KB_ERR_INVALID_INPUT otherwise. */
kb_status_t kb_indexer_open_check(kb_indexer_t **out, char **error_message);

/* Releases the lock; an uncommitted generation is deleted. */
void kb_indexer_destroy(kb_indexer_t *ix);

/* ---------------------------------------------------------------------
 * Searching
 * ------------------------------------------------------------------- */

typedef struct kb_searcher kb_searcher_t;
typedef struct kb_results kb_results_t;

/* Opens the index at path: a kb index directory, a plain Xapian database
 * directory, or a Xapian stub database file.  When path is a kb index
 * directory, each search first checks whether kb-index switched in a new
 * generation and, if so, answers from it.
 * Returns KB_ERR_NO_INDEX if nothing is there, KB_ERR_CORRUPT or
 * KB_ERR_INDEX if it cannot be opened. */
kb_status_t kb_searcher_open(const char *path, kb_searcher_t **out,
                             char **error_message);

void kb_searcher_destroy(kb_searcher_t *s);

/* Message of the last failure on s; never NULL. */
const char *kb_searcher_last_error(const kb_searcher_t *s);

#define KB_QUERY_VERSION 1
#define KB_LIMIT_DEFAULT 10
#define KB_LIMIT_MAX 100
#define KB_MAX_QUERY_AUDIENCES 16      /* audiences one query may name */

typedef struct kb_query {
	int version;                    /* KB_QUERY_VERSION */
	const char *text;               /* the customer's words */
	const char *const *audiences;   /* customer tags, most specific first */
	size_t audience_count;
	const char *region;             /* NULL: nationwide entries only */
	unsigned limit;                 /* 1..KB_LIMIT_MAX; 0 means the default */
	const char *date;               /* "YYYY-MM-DD" to check validity on;
	                                   NULL means today (local time) */
	bool include_drafts;            /* also entries with status="draft",
	                                   for editors previewing them */
} kb_query_t;

/* Initialises q with defaults (version set, everything else empty). */
void kb_query_init(kb_query_t *q);

typedef struct kb_span {
	size_t start, end;              /* byte offsets into the text, end exclusive */
} kb_span_t;

typedef struct kb_hit {
	const char *id;
	unsigned rank;                  /* 1-based */
	double score;
	const char *title;
	const char *matched;            /* the entry's question (title or alt)
	                                   that matched best; NULL when only the
	                                   answer or category matched */
	const char *category;           /* "" when the entry has none */
	const char *answer;             /* the chosen variant, else the default */
	const char *answer_audience;    /* the variant's tag; NULL: default */
	const char *const *audiences;   /* the entry's audience tags */
	size_t audience_count;
	/* Why the entry came up: the matched question, else the sentence of the
	 * answer that holds the first match; with the matched words as byte
	 * spans into it. */
	const char *snippet;
	const kb_span_t *snippet_spans;
	size_t snippet_span_count;
} kb_hit_t;

/* Runs q.  Only published entries valid on q->date are returned; entries
 * with audiences only when q names one of them; entries with regions only
 * when q->region is one of them.  Each hit carries the answer variant of the
 * first audience in q->audiences that has one, else the default answer.
 * Returns KB_ERR_INVALID_ARG for a bad limit, date or version (message on
 * s), KB_ERR_INDEX / KB_ERR_CORRUPT on engine failures.  *out is owned by the
 * caller: free it with kb_results_destroy(). */
kb_status_t kb_search(kb_searcher_t *s, const kb_query_t *q,
                      kb_results_t **out);

size_t kb_results_count(const kb_results_t *r);
/* Estimated number of matching entries (may exceed the count returned). */
size_t kb_results_total(const kb_results_t *r);
/* Microseconds the search spent inside Xapian's matcher (Enquire::get_mset),
 * the floor of its cost: the rest of a request is kb's own work. */
long kb_results_match_us(const kb_results_t *r);
/* Hit i (0-based), borrowed from r. */
const kb_hit_t *kb_results_hit(const kb_results_t *r, size_t i);
void kb_results_destroy(kb_results_t *r);

/* ---------------------------------------------------------------------
 * Highlighting: which parts of a text match a query.
 * ------------------------------------------------------------------- */


/* Finds the spans of text whose analysed terms occur in query (analysed the
 * same way the search on s does), merged and in order.  *out is malloc()ed
 * and freed by the caller with free(); *count receives its length (0 with
 * *out == NULL when nothing matches). */
kb_status_t kb_highlight(kb_searcher_t *s, const char *query, const char *text,
                         size_t *count, kb_span_t **out);

/* ---------------------------------------------------------------------
 * The JSON Lines protocol (see README "Protocol").
 * ------------------------------------------------------------------- */

/* Answers one request line (len bytes, no newline needed) with one response
 * line, without the trailing newline.  Every input, however malformed, gets
 * a response; *response is malloc()ed and freed by the caller.
 * Returns KB_ERR_NOMEM only when no response could be built at all. */
kb_status_t kb_protocol_answer(kb_searcher_t *s, const char *line, size_t len,
                               char **response);

/* Renders r as a protocol response object (one line, "id": null, the
 * given took_us).  *response is malloc()ed and freed by the caller.
 * Returns KB_ERR_NOMEM or KB_OK. */
kb_status_t kb_results_json(const kb_results_t *r, long took_us, char **response);

/* Serves requests from in until EOF, one response line per input line,
 * flushed after each.  Lines longer than KB_PROTOCOL_MAX_LINE bytes are
 * answered with an error without being kept in memory.  When in has a file
 * descriptor, it is read through it, from the descriptor's offset (nothing
 * may have been read from in through stdio before; a non-blocking one is
 * waited on), and while no request
 * waits the server moves to what kb-index committed and reads a new index
 * generation's tables, so that the requests after a rebuild do not.
 * Returns KB_OK at EOF, KB_ERR_IO if reading in or writing out fails (out's
 * error indicator tells which). */
#define KB_PROTOCOL_MAX_LINE (1024 * 1024)
kb_status_t kb_serve(kb_searcher_t *s, FILE *in, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* KB_H */
