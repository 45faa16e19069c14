/* indexer.c: one kb-index run, from opening the index to the commit: a new
 * generation, or an update in place that touches only what changed (content
 * hashes per entry, size and time per file; entries the input no longer has
 * are deleted at the end). */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "custom_words.h"
#include "indexer-private.h"
#include "kb-private.h"
#include "synonyms.h"


void kb_indexer_set_error(kb_indexer_t *ix, char *msg)
{
	free(ix->error);
	ix->error = msg;
}

KB_EXPORT const char *kb_indexer_last_error(const kb_indexer_t *ix)
{
	return ix && ix->error ? ix->error : "no error";
}

KB_EXPORT size_t kb_indexer_diagnostic_count(const kb_indexer_t *ix)
{
	return ix->diags.count;
}

KB_EXPORT const char *kb_indexer_diagnostic(const kb_indexer_t *ix, size_t i)
{
	return i < ix->diags.count ? ix->diags.items[i] : NULL;
}

static int remember_hash(void *ctx, const char *key, const char *value)
{
	kb_indexer_t *ix = ctx;
	return kb_string_set_add(&ix->old_hashes, key + strlen(KB_META_HASH_PREFIX), value) < 0;
}

static int remember_file(void *ctx, const char *key, const char *value)
{
	kb_indexer_t *ix = ctx;
	return kb_string_set_add(&ix->old_files, key + strlen(KB_META_FILE_PREFIX), value) < 0;
}

/* Opens the live generation for an update in place, if there is one of
 * this format and no rebuild was asked for; otherwise leaves ix to build a
 * new generation.  Failing to open the old one is no error: a rebuild
 * replaces whatever it was. */
static kb_status_t open_update(kb_indexer_t *ix, int rebuild)
{
	char *live = NULL, *format = NULL, *err = NULL;
	if (rebuild || kb_index_dir_live(ix->dir.path, &live) != KB_OK)
		return KB_OK;
	kb_status_t st = kbx_writer_open(live, &ix->writer, &err);
	if (st == KB_OK)
		st = kbx_writer_metadata(ix->writer, KB_META_FORMAT, &format, &err);
	if (st == KB_OK && strcmp(format, KB_INDEX_FORMAT) == 0) {
		ix->updating = 1;
		st = kbx_writer_each_metadata(ix->writer, KB_META_HASH_PREFIX, remember_hash, ix, &err);
		if (st == KB_OK)
			st = kbx_writer_each_metadata(ix->writer, KB_META_FILE_PREFIX, remember_file, ix,
			                              &err);
		if (st == KB_OK)
			st = kbx_writer_metadata(ix->writer, KB_CUSTOM_WORDS_METADATA, &ix->index_words,
			                         &err);
		if (st != KB_OK)
			kb_indexer_set_error(ix, err ? err : strdup(kb_status_to_string(st)));
		else
			free(err);
	} else {
		kbx_writer_free(ix->writer);
		ix->writer = NULL;
		free(err);
		st = st == KB_ERR_NOMEM ? st : KB_OK;
	}
	free(live);
	free(format);
	return st;
}

kb_status_t kb_indexer_read_words(kb_indexer_t *ix, const char *path)
{
	if (ix->words_settled) {
		kb_diag_add(&ix->diags, path, 0,
		            "words.txt must come before the entries it cuts: give its directory "
		            "first (entries were read before it)");
		return KB_OK;
	}
	return kb_custom_words_read(ix->analyzer, path, &ix->diags, &ix->custom_words);
}

/* Turns an update not yet begun into a rebuild: a new generation, cut
 * with the word list read afresh. */
static kb_status_t start_rebuild(kb_indexer_t *ix)
{
	char *err = NULL;
	kbx_writer_free(ix->writer);
	ix->writer = NULL;
	ix->updating = 0;
	ix->stats.rebuilt = 1;
	kb_string_set_clear(&ix->old_hashes);
	kb_string_set_clear(&ix->old_files);
	kb_analyzer_t *a = NULL;
	kb_status_t st = kb_analyzer_new(&a, NULL, &err);
	if (st == KB_OK) {
		kb_analyzer_free(ix->analyzer);
		ix->analyzer = a;
		st = kb_index_dir_start_build(&ix->dir, &err);
	}
	if (st == KB_OK)
		st = kbx_writer_create(ix->dir.build_path, &ix->writer, &err);
	if (st != KB_OK)
		kb_indexer_set_error(ix, err ? err : strdup(kb_status_to_string(st)));
	return st;
}

kb_status_t kb_indexer_settle_words(kb_indexer_t *ix)
{
	if (ix->words_settled)
		return KB_OK;
	ix->words_settled = 1;
	const char *words = ix->custom_words ? ix->custom_words : "";
	if (ix->updating) {
		if (strcmp(words, ix->index_words ? ix->index_words : "") == 0)
			return KB_OK; /* the generation's table has them */
		kb_status_t st = start_rebuild(ix);
		if (st != KB_OK)
			return st;
	}
	return kb_custom_words_apply(ix->analyzer, words);
}

KB_EXPORT void kb_index_options_init(kb_index_options_t *o)
{
	*o = (kb_index_options_t){.version = KB_INDEX_OPTIONS_VERSION};
}

KB_EXPORT kb_status_t kb_indexer_open(const char *db_dir, const kb_index_options_t *opts,
                                      kb_indexer_t **out, char **error_message)
{
	kb_index_options_t defaults;
	kb_index_options_init(&defaults);
	if (!opts)
		opts = &defaults;
	*out = NULL;
	if (error_message)
		*error_message = NULL;
	if (!db_dir || !*db_dir || opts->version != KB_INDEX_OPTIONS_VERSION) {
		if (error_message)
			*error_message = strdup(db_dir && *db_dir ? "unknown kb_index_options_t version"
			                                          : "no index directory given");
		return KB_ERR_INVALID_ARG;
	}
	kb_indexer_t *ix = calloc(1, sizeof *ix);
	if (!ix)
		return KB_ERR_NOMEM;
	clock_gettime(CLOCK_MONOTONIC, &ix->started);
	char *err = NULL;
	kb_status_t st = kb_index_dir_open(db_dir, &ix->dir, &err);
	ix->opts = *opts;
	if (st == KB_OK)
		st = open_update(ix, opts->rebuild);
	/* An update cuts its entries into words as the generation it
	 * updates did; a rebuild reads the word list afresh. */
	char *live = NULL;
	if (st == KB_OK && ix->updating)
		st = kb_index_dir_live(ix->dir.path, &live);
	if (st == KB_OK)
		st = kb_analyzer_new(&ix->analyzer, live, &err);
	free(live);
	if (st == KB_OK && !ix->updating)
		st = kb_index_dir_start_build(&ix->dir, &err);
	/* Several writers: the input is read and checked first, with no
	 * writer, and written at the commit. */
	unsigned jobs = opts->jobs == KB_JOBS_PER_CORE ? kb_build_jobs_per_core() : opts->jobs;
	if (st == KB_OK && !ix->updating && jobs > 1)
		ix->jobs = jobs > KB_MAX_JOBS ? KB_MAX_JOBS : jobs;
	else if (st == KB_OK && !ix->updating)
		st = kbx_writer_create(ix->dir.build_path, &ix->writer, &err);
	if (st != KB_OK) {
		if (!err && ix->error) {
			err = ix->error;
			ix->error = NULL;
		}
		if (error_message)
			*error_message = err;
		else
			free(err);
		kb_indexer_destroy(ix);
		return st;
	}
	ix->stats.rebuilt = !ix->updating;
	*out = ix;
	return KB_OK;
}

KB_EXPORT kb_status_t kb_indexer_open_check(kb_indexer_t **out, char **error_message)
{
	*out = NULL;
	if (error_message)
		*error_message = NULL;
	kb_indexer_t *ix = calloc(1, sizeof *ix);
	if (!ix)
		return KB_ERR_NOMEM;
	ix->dir.lock_fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &ix->started);
	kb_status_t st = kb_analyzer_new(&ix->analyzer, NULL, error_message);
	if (st != KB_OK) {
		kb_indexer_destroy(ix);
		return st;
	}
	*out = ix;
	return KB_OK;
}

void kb_indexer_count_entry(kb_indexer_t *ix)
{
	ix->stats.entries++;
	/* With several writers, progress is their writing (build_jobs.c). */
	if (ix->opts.progress && !ix->jobs && ix->stats.entries % KB_PROGRESS_EVERY == 0)
		ix->opts.progress(ix->opts.progress_ctx, &ix->stats);
}

/* Stores the record of every file this run read, and forgets files it
 * was not given. */
static kb_status_t store_file_records(kb_indexer_t *ix, char **err)
{
	kb_status_t st = KB_OK;
	for (size_t i = 0; st == KB_OK && i < ix->new_files.cap; i++) {
		struct kb_string_slot *f = &ix->new_files.slots[i];
		if (!f->key)
			continue;
		const char *old = kb_string_set_get(&ix->old_files, f->key);
		if (old && strcmp(old, f->value) == 0)
			continue;
		char *key = kb_strdup_printf("%s%s", KB_META_FILE_PREFIX, f->key);
		st = key ? kbx_writer_set_metadata(ix->writer, key, f->value, err) : KB_ERR_NOMEM;
		free(key);
	}
	for (size_t i = 0; st == KB_OK && i < ix->old_files.cap; i++) {
		const char *path = ix->old_files.slots[i].key;
		if (!path || kb_string_set_get(&ix->new_files, path))
			continue;
		char *key = kb_strdup_printf("%s%s", KB_META_FILE_PREFIX, path);
		st = key ? kbx_writer_set_metadata(ix->writer, key, "", err) : KB_ERR_NOMEM;
		free(key);
	}
	return st;
}

/* Deletes the entries the index held that the input no longer has. */
static kb_status_t remove_missing(kb_indexer_t *ix, char **err)
{
	kb_status_t st = KB_OK;
	for (size_t i = 0; st == KB_OK && i < ix->old_hashes.cap; i++) {
		const char *id = ix->old_hashes.slots[i].key;
		if (!id || kb_string_set_get(&ix->ids, id))
			continue;
		char *hash_key = kb_strdup_printf("%s%s", KB_META_HASH_PREFIX, id);
		st = hash_key ? kb_entry_delete(ix->writer, id, ix->old_hashes.slots[i].value, err)
		              : KB_ERR_NOMEM;
		/* Setting metadata to "" removes the key. */
		if (st == KB_OK)
			st = kbx_writer_set_metadata(ix->writer, hash_key, "", err);
		if (st == KB_OK)
			ix->stats.removed++;
		free(hash_key);
	}
	return st;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

KB_EXPORT kb_status_t kb_indexer_commit(kb_indexer_t *ix, kb_index_stats_t *stats)
{
	kb_diag_finish(&ix->diags);
	if (kb_diag_problems(&ix->diags) > 0) {
		kb_indexer_set_error(ix, kb_strdup_printf("%zu problem%s in the input%s",
		                               kb_diag_problems(&ix->diags),
		                               kb_diag_problems(&ix->diags) == 1 ? "" : "s",
		                               ix->writer || ix->jobs ? "; the index was not changed" : ""));
		return KB_ERR_INVALID_INPUT;
	}
	if (!ix->writer && !ix->jobs) { /* validating only: nothing to switch */
		ix->stats.seconds = seconds_since(&ix->started);
		if (stats)
			*stats = ix->stats;
		return KB_OK;
	}
	char *err = NULL;
	kb_status_t st = kb_indexer_settle_words(ix);
	if (st != KB_OK)
		return st;
	if (ix->jobs)
		st = kb_build_jobs_run(ix, &err);
	if (st == KB_OK)
		st = remove_missing(ix, &err);
	if (st == KB_OK)
		st = store_file_records(ix, &err);
	if (st == KB_OK)
		st = kbx_writer_set_metadata(ix->writer, KB_SYNONYMS_METADATA,
		                             ix->synonyms ? ix->synonyms : "", &err);
	if (st == KB_OK)
		st = kbx_writer_set_metadata(ix->writer, KB_CUSTOM_WORDS_METADATA,
		                             ix->custom_words ? ix->custom_words : "", &err);
	if (st == KB_OK)
		st = kbx_writer_set_metadata(ix->writer, KB_META_FORMAT, KB_INDEX_FORMAT, &err);
	if (st == KB_OK)
		st = kbx_writer_commit(ix->writer, &err);
	if (st == KB_OK && !ix->updating)
		st = kb_index_dir_compact_build(&ix->dir, ix->jobs ? ix->jobs : 1, &err);
	if (st == KB_OK && !ix->updating && !ix->jobs) /* the writers saved it */
		st = kb_analyzer_save_words(ix->analyzer, ix->dir.new_path, &err);
	kbx_writer_free(ix->writer);
	ix->writer = NULL;
	/* An update is live once committed; a new generation once switched to. */
	if (st == KB_OK && !ix->updating)
		st = kb_index_dir_publish(&ix->dir, &err);
	if (st != KB_OK) {
		kb_indexer_set_error(ix, err);
		return st;
	}
	ix->stats.writers = ix->jobs ? ix->jobs : 1;
	ix->stats.seconds = seconds_since(&ix->started);
	if (stats)
		*stats = ix->stats;
	return KB_OK;
}

KB_EXPORT void kb_indexer_destroy(kb_indexer_t *ix)
{
	if (!ix)
		return;
	kbx_writer_free(ix->writer);
	kb_index_dir_close(&ix->dir);
	kb_analyzer_free(ix->analyzer);
	kb_string_set_clear(&ix->ids);
	kb_diag_clear(&ix->diags);
	kb_string_set_clear(&ix->old_hashes);
	kb_string_set_clear(&ix->old_files);
	kb_string_set_clear(&ix->new_files);
	kb_build_jobs_clear(ix);
	free(ix->file_record);
	free(ix->synonyms);
	free(ix->custom_words);
	free(ix->index_words);
	free(ix->error);
	free(ix);
}
