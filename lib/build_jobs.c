/* build_jobs.c: a rebuild written by several writers at once, one per core
 * (kb-index --jobs).  A build is mostly Xapian's own work, and a Xapian
 * database takes one writer: each writer fills a database of its own with
 * a contiguous share of the entries, and the shares are compacted into the
 * generation with their docids kept.  The entry keys hold docids, so each
 * writer must know where its share starts before it starts: the run's
 * first pass, which reads and checks the input as any run does, also notes
 * how many documents each entry becomes and where each file's entries
 * begin.  The writers then read their files again. */
#define _GNU_SOURCE /* sched_getaffinity() */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "indexer-private.h"
#include "kb-private.h"

typedef struct job {
	kb_indexer_t *ix;
	unsigned part;
	size_t first, end;         /* its entries, [first, end) in reading order */
	unsigned docid;            /* of its next entry's context document */
	size_t file, seen;         /* files and entries walked past */
	kbx_writer_t *writer;
	kb_analyzer_t *analyzer;
	kb_string_set_t ids;       /* the reader's own; checked in the first pass */
	kb_diagnostics_t diags;
	atomic_size_t *written;    /* by all writers */
	kb_status_t st;
	char *err;
	pthread_t thread;
	int started;
} job_t;

static const char changed[] = "the input changed while it was being indexed: run kb-index again";

int kb_build_jobs_add_path(kb_indexer_t *ix, const char *path)
{
	size_t cap = ix->path_count;
	char **p = realloc(ix->paths, (cap + 1) * sizeof *p);
	if (!p)
		return -1;
	ix->paths = p;
	if (!(p[ix->path_count] = strdup(path)))
		return -1;
	ix->path_count++;
	return 0;
}

int kb_build_jobs_note_file(kb_indexer_t *ix)
{
	if (kb_array_reserve((void **)&ix->file_first, &ix->file_cap, ix->file_count + 1,
	                     sizeof *ix->file_first, 1024))
		return -1;
	ix->file_first[ix->file_count++] = ix->entry_count;
	return 0;
}

int kb_build_jobs_note(kb_indexer_t *ix, const kb_entry_t *e)
{
	if (kb_array_reserve((void **)&ix->entry_docs, &ix->entry_cap, ix->entry_count + 1,
	                     sizeof *ix->entry_docs, 1024))
		return -1;
	ix->entry_docs[ix->entry_count++] = KB_ENTRY_DOCUMENTS(e);
	return 0;
}

void kb_build_jobs_clear(kb_indexer_t *ix)
{
	for (size_t i = 0; i < ix->path_count; i++)
		free(ix->paths[i]);
	free(ix->paths);
	free(ix->entry_docs);
	free(ix->file_first);
	ix->paths = NULL;
	ix->entry_docs = NULL;
	ix->file_first = NULL;
	ix->path_count = ix->entry_count = ix->entry_cap = ix->file_count = ix->file_cap = 0;
}

static void fail(job_t *j, kb_status_t st, char *err)
{
	if (j->st == KB_OK) {
		j->st = st;
		j->err = err;
	} else {
		free(err);
	}
}

/* The progress callback runs in the caller's thread: the first writer's. */
static void report(job_t *j)
{
	kb_indexer_t *ix = j->ix;
	size_t done = atomic_fetch_add(j->written, 1) + 1;
	if (j->part == 0 && ix->opts.progress && done % KB_PROGRESS_EVERY == 0) {
		kb_index_stats_t so_far = ix->stats;
		so_far.entries = so_far.added = done;
		ix->opts.progress(ix->opts.progress_ctx, &so_far);
	}
}

static kb_status_t write_entry(void *arg, const kb_entry_t *e)
{
	job_t *j = arg;
	size_t i = j->seen++;
	if (i < j->first || i >= j->end)
		return KB_OK;
	if (i >= j->ix->entry_count || KB_ENTRY_DOCUMENTS(e) != j->ix->entry_docs[i]) {
		fail(j, KB_ERR_IO, strdup(changed));
		return KB_ERR_IO;
	}
	char *data = NULL, *err = NULL;
	size_t data_len = 0;
	char hash[17] = "";
	kb_status_t st = kb_document_encode(e, &data, &data_len);
	if (st == KB_OK) {
		kb_document_hash(e, data, data_len, hash);
		st = kb_entry_write(j->writer, j->analyzer, e, data, data_len, hash, j->docid, &err);
	}
	free(data);
	if (st != KB_OK) {
		fail(j, st, err);
		return st;
	}
	j->docid += KB_ENTRY_DOCUMENTS(e);
	report(j);
	return KB_OK;
}

/* A file of the input, in the first pass's order: read if it holds any of
 * the job's entries, else walked past. */
static kb_status_t read_file(void *arg, const char *path)
{
	job_t *j = arg;
	kb_indexer_t *ix = j->ix;
	size_t k = j->file++;
	if (k >= ix->file_count) {
		fail(j, KB_ERR_IO, strdup(changed));
		return KB_ERR_IO;
	}
	size_t lo = ix->file_first[k];
	size_t hi = k + 1 < ix->file_count ? ix->file_first[k + 1] : ix->entry_count;
	j->seen = lo;
	if (hi <= j->first || lo >= j->end) {
		j->seen = hi;
		return KB_OK;
	}
	kb_status_t st = kb_read_entries(path, &j->ids, &j->diags, write_entry, j);
	if (st == KB_OK && j->seen != hi) {
		fail(j, KB_ERR_IO, strdup(changed));
		st = KB_ERR_IO;
	}
	return st;
}

static void *run_job(void *arg)
{
	job_t *j = arg;
	kb_indexer_t *ix = j->ix;
	char *err = NULL;
	kb_status_t st = KB_OK;
	if (!j->analyzer && (st = kb_analyzer_new(&j->analyzer, ix->dir.new_path, &err)) != KB_OK)
		fail(j, st, err);
	kb_input_visitor_t v = {read_file, NULL, NULL, &j->diags, j};
	for (size_t i = 0; j->st == KB_OK && i < ix->path_count; i++) {
		st = kb_input_walk(&v, ix->paths[i]);
		if (st != KB_OK)
			fail(j, st, st == KB_ERR_IO ? strdup(changed) : NULL);
	}
	if (j->st == KB_OK && (kb_diag_problems(&j->diags) > 0 || j->seen < j->end))
		fail(j, KB_ERR_IO, strdup(changed));
	/* The first writer's database takes the index's metadata at the
	 * commit; the others are done. */
	if (j->st == KB_OK && j->part > 0 && (st = kbx_writer_commit(j->writer, &err)) != KB_OK)
		fail(j, st, err);
	return NULL;
}

unsigned kb_build_jobs_per_core(void)
{
	cpu_set_t cpus;
	int n = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
	unsigned quota = kb_cpu_quota("");
	if (quota && (unsigned)n > quota)
		n = (int)quota;
	return n < 1 ? 1 : n > KB_JOBS_PER_CORE_MAX ? KB_JOBS_PER_CORE_MAX : (unsigned)n;
}

/* Shares of about equal documents, in reading order. */
static void plan(const kb_indexer_t *ix, job_t *jobs, unsigned parts)
{
	unsigned long long total = 0, done = 0;
	for (size_t i = 0; i < ix->entry_count; i++)
		total += ix->entry_docs[i];
	size_t i = 0;
	unsigned docid = 1;
	for (unsigned p = 0; p < parts; p++) {
		jobs[p].first = i;
		jobs[p].docid = docid;
		unsigned long long target = total * (p + 1) / parts;
		/* Each share gets one entry at least, and leaves one for each
		 * share after it (there are at least as many entries). */
		while (i < ix->entry_count &&
		       (p + 1 == parts ||
		        ((done < target || i == jobs[p].first) && ix->entry_count - i > parts - p - 1))) {
			done += ix->entry_docs[i];
			docid += ix->entry_docs[i++];
		}
		jobs[p].end = i;
	}
}

kb_status_t kb_build_jobs_run(kb_indexer_t *ix, char **err)
{
	*err = NULL;
	unsigned parts = ix->jobs;
	if (parts > ix->entry_count)
		parts = ix->entry_count ? (unsigned)ix->entry_count : 1;
	job_t *jobs = calloc(parts, sizeof *jobs);
	if (!jobs)
		return KB_ERR_NOMEM;
	atomic_size_t written = 0;
	plan(ix, jobs, parts);
	ix->jobs = parts;
	kb_entry_reader_init();
	/* The other writers cut with the table saved for the generation,
	 * which is the first one's: the same cuts, and no list to read. */
	kb_status_t st = kb_analyzer_save_words(ix->analyzer, ix->dir.new_path, err);
	for (unsigned p = 0; st == KB_OK && p < parts; p++) {
		job_t *j = &jobs[p];
		j->ix = ix;
		j->part = p;
		j->written = &written;
		j->analyzer = p == 0 ? ix->analyzer : NULL;
		char *path = kb_index_dir_part_path(&ix->dir, p);
		st = path ? kbx_writer_create(path, &j->writer, err) : KB_ERR_NOMEM;
		free(path);
	}
	for (unsigned p = 1; st == KB_OK && p < parts; p++) {
		int rc = pthread_create(&jobs[p].thread, NULL, run_job, &jobs[p]);
		if (rc != 0) {
			*err = kb_strdup_printf("cannot start writer %u: %s", p + 1, strerror(rc));
			st = KB_ERR_INTERNAL;
		} else {
			jobs[p].started = 1;
		}
	}
	if (st == KB_OK)
		run_job(&jobs[0]);
	for (unsigned p = 1; p < parts; p++)
		if (jobs[p].started)
			pthread_join(jobs[p].thread, NULL);
	for (unsigned p = 0; p < parts; p++) {
		job_t *j = &jobs[p];
		if (st == KB_OK && j->st != KB_OK) {
			st = j->st;
			*err = j->err ? j->err : kb_strdup_printf("%s", kb_status_to_string(st));
			j->err = NULL;
		}
		free(j->err);
		if (p > 0) {
			kbx_writer_free(j->writer);
			kb_analyzer_free(j->analyzer);
		}
		kb_string_set_clear(&j->ids);
		kb_diag_clear(&j->diags);
	}
	ix->writer = jobs[0].writer;
	if (st == KB_OK)
		ix->stats.added = ix->entry_count;
	free(jobs);
	return st;
}
