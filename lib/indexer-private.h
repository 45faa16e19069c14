/* indexer-private.h: what the indexer's files share (indexer.c runs a
 * run, entry_documents.c turns entries into documents, input_files.c walks
 * the input). */
#ifndef KB_INDEXER_PRIVATE_H
#define KB_INDEXER_PRIVATE_H

#include <time.h>

#include "analyze.h"
#include "diagnostics.h"
#include "entry.h"
#include "index_dir.h"
#include "kb.h"
#include "string_set.h"
#include "xapian_shim.h"

struct kb_indexer {
	kb_index_dir_t dir;
	kbx_writer_t *writer;
	kb_analyzer_t *analyzer;
	kb_string_set_t ids;
	kb_diagnostics_t diags;
	kb_index_stats_t stats;
	struct timespec started;
	char *synonyms;          /* stored form of every synonyms file read */
	char *custom_words;      /* stored form of every words.txt read */
	char *index_words;       /* the one of the generation updated */
	int words_settled;       /* entries are being cut: no more words */
	/* An update of the live generation in place (else a new generation):
	 * the content hash of every entry it held. */
	int updating;
	kb_string_set_t old_hashes;
	kb_string_set_t old_files;   /* f: records of the index, by path */
	kb_string_set_t new_files;   /* paths read or skipped by this run */
	char *file_record;           /* the record of the file being read */
	size_t record_len, record_cap;
	kb_index_options_t opts;
	char *error;
	/* A rebuild by several writers (build_jobs.c): 0, or how many.  The
	 * run reads and checks its input first, noting each entry's documents
	 * and the PATHs; the writers then read it again at the commit. */
	unsigned jobs;
	unsigned *entry_docs;
	size_t entry_count, entry_cap;
	size_t *file_first;          /* each file's first entry */
	size_t file_count, file_cap;
	char **paths;
	size_t path_count;
};

/* Takes ownership of msg as the last error. */
void kb_indexer_set_error(kb_indexer_t *ix, char *msg);

/* Reads an editors' words.txt; a problem (a diagnostic) once entries have
 * been cut without it. */
kb_status_t kb_indexer_read_words(kb_indexer_t *ix, const char *path);

/* Called before the first entry is cut (and at commit): the words read so
 * far go into the word table.  An update whose generation was cut with
 * other words becomes a rebuild, which is possible only now. */
kb_status_t kb_indexer_settle_words(kb_indexer_t *ix);

/* Counts one more entry read (and reports progress now and then). */
void kb_indexer_count_entry(kb_indexer_t *ix);

/* The kb_entry_fn of the reader: adds, replaces or keeps one valid entry
 * (entry_documents.c). */
kb_status_t kb_indexer_add_entry(void *ix, const kb_entry_t *e);

/* Writes e as its documents into w, cut by a: its context document
 * numbered context, its questions after it, and its record (content hash
 * and documents, see KB_META_HASH_PREFIX) as metadata.  The error message,
 * if any, into *err (malloc()ed). */
kb_status_t kb_entry_write(kbx_writer_t *w, kb_analyzer_t *a, const kb_entry_t *e,
                           const char *data, size_t data_len, const char *hash,
                           unsigned context, char **err);

/* How many documents entry e becomes. */
#define KB_ENTRY_DOCUMENTS(e) (2 + (unsigned)(e)->alt_count)

/* Whether the record an index keeps of an entry (see KB_META_HASH_PREFIX)
 * has content hash hash. */
int kb_entry_unchanged(const char *record, const char *hash);

/* Deletes the documents of entry id, as its record names them.  A record
 * that names none, or documents the index does not have, is a damaged
 * index: KB_ERR_CORRUPT, with a message that names the entry. */
kb_status_t kb_entry_delete(kbx_writer_t *w, const char *id, const char *record, char **err);

/* What a walk over a PATH of kb-index does with each file it finds:
 * every *.xml below a directory (in name order, a directory's words.txt
 * before anything else in it), synonyms.txt and words.txt.  NULL
 * callbacks skip those files; problems go to diags. */
typedef struct kb_input_visitor {
	kb_status_t (*xml)(void *ctx, const char *path);
	kb_status_t (*words)(void *ctx, const char *path);
	kb_status_t (*synonyms)(void *ctx, const char *path);
	kb_diagnostics_t *diags;
	void *ctx;
} kb_input_visitor_t;
kb_status_t kb_input_walk(const kb_input_visitor_t *v, const char *path);

/* A rebuild by jobs (build_jobs.c): notes a PATH, the start of a file or
 * an entry of the first pass (0, or -1 when out of memory); at the commit
 * writes every entry with up to ix->jobs writers at once (ix->jobs becomes
 * how many), leaving ix->writer the first one's, uncommitted. */
int kb_build_jobs_add_path(kb_indexer_t *ix, const char *path);
int kb_build_jobs_note_file(kb_indexer_t *ix);
int kb_build_jobs_note(kb_indexer_t *ix, const kb_entry_t *e);
kb_status_t kb_build_jobs_run(kb_indexer_t *ix, char **err);
void kb_build_jobs_clear(kb_indexer_t *ix);
/* How many writers KB_JOBS_PER_CORE means here: the cores this process
 * may run on (its CPU affinity, as nproc counts them), fewer when its
 * cgroup's CPU limit grants fewer CPUs (a container's --cpus), 1 to
 * KB_JOBS_PER_CORE_MAX. */
unsigned kb_build_jobs_per_core(void);

/* Notes that entry id at line belongs to the file being read, for the
 * file's record (input_files.c).  0, or -1 when out of memory. */
int kb_indexer_note_entry(kb_indexer_t *ix, const char *id, long line);

#endif
