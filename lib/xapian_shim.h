/* xapian_shim.h: the C face of the only C++ in kb.  Every function catches
 * every exception inside and turns it into a kb_status_t plus a malloc()ed
 * message in *err (freed by the caller with free()), so no C++ exception or
 * type ever reaches C. */
#ifndef KB_XAPIAN_SHIM_H
#define KB_XAPIAN_SHIM_H

#include <stddef.h>

#include "kb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- writing --------------------------------------------------------- */

typedef struct kbx_writer kbx_writer_t;
typedef struct kbx_doc kbx_doc_t;

/* Creates a new, empty database at path (which must not exist yet), for a
 * build: it commits by itself every 1,000 documents, without fsync or
 * copy-on-write, so nothing may read it before kbx_writer_commit() (kb
 * compacts it into the generation it publishes, which is synced). */
kb_status_t kbx_writer_create(const char *path, kbx_writer_t **out, char **err);
/* Opens the existing database at path for an update: everything done
 * through w is one transaction, visible to readers at kbx_writer_commit()
 * and discarded by kbx_writer_free() without it (or by a crash). */
kb_status_t kbx_writer_open(const char *path, kbx_writer_t **out, char **err);

/* Deletes the count documents numbered from first on (first > 0, and the
 * last within unsigned); one that is not there is KB_ERR_CORRUPT. */
kb_status_t kbx_writer_delete_documents(kbx_writer_t *w, unsigned first, unsigned count,
                                        char **err);

/* The metadata stored under key ("" if none), malloc()ed into *value. */
kb_status_t kbx_writer_metadata(kbx_writer_t *w, const char *key, char **value, char **err);

/* Calls fn(ctx, key, value) for each metadata key starting with prefix. */
typedef int (*kbx_metadata_fn)(void *ctx, const char *key, const char *value);
kb_status_t kbx_writer_each_metadata(kbx_writer_t *w, const char *prefix, kbx_metadata_fn fn,
                                     void *ctx, char **err);

/* Commits and closes; an update is durable on disk when this returns (a
 * new database is not: see kbx_writer_create()). */
kb_status_t kbx_writer_commit(kbx_writer_t *w, char **err);
/* Closes.  An update opened with kbx_writer_open() and not committed is
 * discarded; a database made with kbx_writer_create() commits what is
 * pending on close (to abandon it, delete its directory afterwards). */
void kbx_writer_free(kbx_writer_t *w);

kb_status_t kbx_doc_new(kbx_doc_t **out, char **err);
void kbx_doc_free(kbx_doc_t *d);
/* A text term, its within-document frequency raised by wdf_inc. */
kb_status_t kbx_doc_add_term(kbx_doc_t *d, const char *term, size_t len,
                             unsigned wdf_inc, char **err);
/* A filter term that does not take part in ranking. */
kb_status_t kbx_doc_add_boolean(kbx_doc_t *d, const char *term, char **err);
kb_status_t kbx_doc_set_value(kbx_doc_t *d, unsigned slot, const char *value,
                              char **err);
/* The same for len bytes, NULs included. */
kb_status_t kbx_doc_set_value_bytes(kbx_doc_t *d, unsigned slot, const char *value, size_t len,
                                    char **err);
/* Stores value under key in the database's metadata. */
kb_status_t kbx_writer_set_metadata(kbx_writer_t *w, const char *key, const char *value,
                                    char **err);

/* The docid after the highest one the database has used. */
kb_status_t kbx_writer_next_docid(kbx_writer_t *w, unsigned *docid, char **err);

/* Adds d as a new document numbered docid, which no document may have. */
kb_status_t kbx_writer_add(kbx_writer_t *w, kbx_doc_t *d, unsigned docid, char **err);

/* Writes the n databases at from, compacted into one, as a new database
 * at to (an empty or missing directory).  Docids are kept as they are: the
 * databases must use disjoint ranges of them. */
kb_status_t kbx_compact(const char *const *from, size_t n, const char *to, char **err);

/* ---- reading --------------------------------------------------------- */

typedef struct kbx_reader kbx_reader_t;

/* Opens a database directory or stub file read-only. */
kb_status_t kbx_reader_open(const char *path, kbx_reader_t **out, char **err);
void kbx_reader_free(kbx_reader_t *r);

/* The metadata stored under key ("" if none), malloc()ed into *value. */
kb_status_t kbx_reader_metadata(kbx_reader_t *r, const char *key, char **value, char **err);

/* Moves r to the newest committed revision; *changed says whether there
 * was a newer one. */
kb_status_t kbx_reader_reopen(kbx_reader_t *r, int *changed, char **err);

/* Reads now the tables a search with values_in_memory (see kbx_search_t)
 * reads a slice at a time: the values of key_slot and text_slot of a local
 * database, of at most the next `most` documents (0: all), so that a
 * server pays for them before its first request, or while it waits for
 * one.  *behind (unless NULL) is set to how many documents are still to
 * be read (0 when the tables are whole or full). */
kb_status_t kbx_reader_keep_values(kbx_reader_t *r, int key_slot, int text_slot, unsigned most,
                                   unsigned *behind, char **err);

typedef struct kbx_weighted_term {
	const char *term;
	size_t len;
	double factor;     /* multiplies the term's BM25 contribution */
	/* Backs up other terms: left out when it occurs in more than
	 * kbx_search_t.common_fraction of the documents, else only adds to
	 * the score of documents other terms found. */
	int backs_up;
	/* 1 + the index of each term of the same search whose documents all
	 * hold this one, 0 for none.  When this term is in nearly all of such
	 * a term's documents (kbx_search_t.fold_share) and that term is
	 * common, this term's list alone stands for both and carries both
	 * weights. */
	size_t within[2];
} kbx_weighted_term_t;

/* Documents carrying marker are left out unless they carry one of unless
 * (an entry for some audiences only: marker "has audiences", unless one of
 * the asked ones).  Markers are rare, so a search whose documents carry
 * none pays little for them, and one in an index without any nothing. */
typedef struct kbx_exclusion {
	const char *marker;
	const char *const *unless;
	size_t unless_count;
} kbx_exclusion_t;

struct kbx_match;

typedef struct kbx_search {
	const kbx_weighted_term_t *terms;  /* OR-ed and ranked by idf x wdf */
	size_t term_count;
	/* Which terms find documents, the others only adding to the score of
	 * what they found: the rarest term, then, rarest first, those in at
	 * most max(find_fraction x documents, find_min_docs) documents while
	 * the documents of all finding terms add up to at most find_budget.
	 * Terms that back up others never find (unless no other term can). */
	double find_fraction;
	unsigned find_min_docs;
	double find_budget;
	double common_fraction;            /* see kbx_weighted_term_t.backs_up */
	/* See kbx_weighted_term_t.within: only terms in at least
	 * fold_min_docs documents are folded into others. */
	double fold_share;
	double fold_min_docs;
	/* Of the terms that only score, the max_scoring that can add the most
	 * (idf x factor) are searched, the rest left out; 0: all. */
	unsigned max_scoring;
	const kbx_exclusion_t *exclusions;
	size_t exclusion_count;
	/* Documents carrying date_marker are left out unless date
	 * ("YYYYMMDD") lies within their validity slots; NULL: no check. */
	const char *date_marker;
	const char *date;
	int collapse_slot;                 /* at most one match per value of
	                                      this slot (returned as its key) */
	/* The reader is one local database, whose value streams read fast:
	 * the collapse and the texts read values in docid order through them
	 * (see the shim).  Otherwise (remote shards) Xapian collapses in the
	 * match and each text is a document lookup. */
	int local;
	/* With local: every document's collapse key and text (up to a budget
	 * of memory each, see the shim) are read once and kept by the reader
	 * (then those of documents added since, as it is reopened), rather
	 * than each search reading its matches'.  It pays off over many
	 * searches: some hundreds on atec-faq.  A search reads a bounded slice
	 * of them, so a new generation's are read over its first searches. */
	int values_in_memory;
	unsigned limit;                    /* how many matches to find */
	/* Before choose() sees them, the first text_count matches get their
	 * text (kbx_match_t.text): the value of text_slot in the document
	 * text_doc() names, a docid within the match's own shard. */
	int text_slot;
	unsigned text_count;
	unsigned (*text_doc)(void *ctx, const struct kbx_match *m);
	/* Called with the matches found (score, key and docids set): may
	 * reorder them and set their data_doc, and returns how many of the
	 * first need their data, the value of data_slot.  Reading data is
	 * most of the cost of a match beyond the search itself, so only what
	 * is shown is read. */
	int data_slot;
	size_t (*choose)(void *ctx, struct kbx_match *items, size_t count);
	void *choose_ctx;
} kbx_search_t;

/* The Xapian query a search with q would run, in Xapian's own notation
 * (Query::get_description()), malloc()ed into *out: what the terms became
 * (which find, which only score, which were folded or left out), for tests
 * and for looking into a ranking. */
kb_status_t kbx_reader_describe(kbx_reader_t *r, const kbx_search_t *q, char **out,
                                char **err);

typedef struct kbx_match {
	double score;
	char *key;         /* the collapse_slot value, malloc()ed */
	unsigned docid;    /* the matching document, as the reader numbers it */
	unsigned local_docid; /* the same within its own shard (of a stub) */
	/* Set by choose(): the docid, within the match's own shard, of the
	 * document holding the data; 0: the match itself. */
	unsigned data_doc;
	long part;         /* free for choose() */
	char *data;        /* that document's data (see data_slot), malloc()ed,
	                      NUL-terminated; NULL past what choose() asked for */
	size_t data_len;
	char *text;        /* its text (see text_slot), malloc()ed; NULL past
	                      text_count */
	size_t text_len;
} kbx_match_t;

typedef struct kbx_matches {
	kbx_match_t *items;  /* malloc()ed */
	size_t count;
	size_t total;        /* Xapian's estimate of all matches */
	long match_us;       /* microseconds spent in Xapian's matcher (get_mset) */
} kbx_matches_t;

kb_status_t kbx_reader_search(kbx_reader_t *r, const kbx_search_t *q,
                              kbx_matches_t *out, char **err);
void kbx_matches_clear(kbx_matches_t *m);

#ifdef __cplusplus
}
#endif

#endif
