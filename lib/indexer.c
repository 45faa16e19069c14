/* indexer.c: knowledge entries in, Xapian documents out (one per question
 * and one for the context of each entry), as a new generation or as an
 * update in place that touches only what changed (content hashes per entry,
 * size and time per file). */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analyze.h"
#include "document.h"
#include "entry.h"
#include "index_dir.h"
#include "kb-private.h"
#include "synonyms.h"
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
};

static void set_error(kb_indexer_t *ix, char *msg)
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
		if (st != KB_OK)
			set_error(ix, err ? err : strdup(kb_status_to_string(st)));
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
	if (st == KB_OK)
		st = kb_analyzer_new(&ix->analyzer, &err);
	ix->opts = *opts;
	if (st == KB_OK)
		st = open_update(ix, opts->rebuild);
	if (st == KB_OK && !ix->updating)
		st = kbx_writer_create(ix->dir.new_path, &ix->writer, &err);
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
	kb_status_t st = kb_analyzer_new(&ix->analyzer, error_message);
	if (st != KB_OK) {
		kb_indexer_destroy(ix);
		return st;
	}
	*out = ix;
	return KB_OK;
}

typedef struct add_ctx {
	kb_indexer_t *ix;
	kbx_doc_t *doc;
	unsigned weight;
	kb_status_t st;
	char *err;
} add_ctx_t;

static int add_token(void *arg, const kb_token_t *t)
{
	add_ctx_t *c = arg;
	c->st = kbx_doc_add_term(c->doc, t->term, t->term_len, c->weight, &c->err);
	return c->st != KB_OK;
}

static kb_status_t index_text(add_ctx_t *c, const char *text, unsigned weight)
{
	if (!text)
		return KB_OK;
	c->weight = weight;
	kb_status_t st = kb_analyze(c->ix->analyzer, text, strlen(text), add_token, c);
	return st != KB_OK ? st : c->st;
}

static kb_status_t add_boolean(add_ctx_t *c, const char *prefix, const char *value)
{
	char *term = kb_filter_term(prefix, value);
	if (!term)
		return KB_ERR_NOMEM;
	kb_status_t st = kbx_doc_add_boolean(c->doc, term, &c->err);
	free(term);
	return st;
}

static kb_status_t add_filters(add_ctx_t *c, const kb_entry_t *e)
{
	kb_status_t st = add_boolean(c, KB_PREFIX_ID, e->id);
	if (st == KB_OK)
		st = add_boolean(c, KB_PREFIX_STATUS, e->status);
	if (st == KB_OK && e->audience_count == 0)
		st = add_boolean(c, KB_TERM_ALL_AUDIENCES, "");
	for (size_t i = 0; st == KB_OK && i < e->audience_count; i++)
		st = add_boolean(c, KB_PREFIX_AUDIENCE, e->audiences[i]);
	if (st == KB_OK && e->region_count == 0)
		st = add_boolean(c, KB_TERM_ALL_REGIONS, "");
	for (size_t i = 0; st == KB_OK && i < e->region_count; i++)
		st = add_boolean(c, KB_PREFIX_REGION, e->regions[i]);
	/* Every leading part of the category path, so that a filter on
	 * "宽带" also finds "宽带/故障报修". */
	if (st == KB_OK && e->category) {
		char *path = strdup(e->category);
		if (!path)
			return KB_ERR_NOMEM;
		for (char *slash = path;; slash++) {
			slash = strchr(slash, '/');
			if (slash)
				*slash = '\0';
			st = add_boolean(c, KB_PREFIX_CATEGORY, path);
			if (!slash || st != KB_OK)
				break;
			*slash = '/';
		}
		free(path);
	}
	return st;
}

static kb_status_t add_values(add_ctx_t *c, const kb_entry_t *e, const char *part)
{
	char from[9], until[9];
	const char *f = e->valid_from, *u = e->valid_until;
	snprintf(from, sizeof from, "%s", KB_DATE_MIN);
	snprintf(until, sizeof until, "%s", KB_DATE_MAX);
	if (f)
		snprintf(from, sizeof from, "%.4s%.2s%.2s", f, f + 5, f + 8);
	if (u)
		snprintf(until, sizeof until, "%.4s%.2s%.2s", u, u + 5, u + 8);
	kb_status_t st = kbx_doc_set_value(c->doc, KB_SLOT_VALID_FROM, from, &c->err);
	if (st == KB_OK)
		st = kbx_doc_set_value(c->doc, KB_SLOT_VALID_UNTIL, until, &c->err);
	if (st == KB_OK)
		st = kbx_doc_set_value(c->doc, KB_SLOT_ENTRY, e->id, &c->err);
	if (st == KB_OK)
		st = kbx_doc_set_value(c->doc, KB_SLOT_PART, part, &c->err);
	return st;
}

/* One document: the text given, the entry's filters and values, and either
 * what a hit shows (data, for the context document, whose docid goes to
 * *data_doc) or the docid of the document that holds it. */
static kb_status_t add_document(add_ctx_t *c, const kb_entry_t *e, const char *part,
                                const char *data, size_t data_len, unsigned *data_doc)
{
	kb_status_t st = add_filters(c, e);
	if (st == KB_OK)
		st = add_values(c, e, part);
	char holder[24];
	snprintf(holder, sizeof holder, "%u", *data_doc);
	if (st == KB_OK)
		st = data ? kbx_doc_set_data(c->doc, data, data_len, &c->err)
		          : kbx_doc_set_value(c->doc, KB_SLOT_DATA_DOC, holder, &c->err);
	if (st == KB_OK)
		st = kbx_writer_add(c->ix->writer, c->doc, data ? data_doc : NULL, &c->err);
	kbx_doc_free(c->doc);
	c->doc = NULL;
	return st;
}

static void count_entry(kb_indexer_t *ix)
{
	ix->stats.entries++;
	if (ix->opts.progress && ix->stats.entries % KB_PROGRESS_EVERY == 0)
		ix->opts.progress(ix->opts.progress_ctx, &ix->stats);
}

/* An entry becomes one document per question (title and each alt, with the
 * editors' keywords) and one for its context (category and answers).  The
 * search collapses them on the entry id, so an entry ranks by its best
 * matching question: BM25's length normalisation then works on that
 * question alone, and a short exact paraphrase beats a long entry that
 * merely contains the words somewhere. */
static int record_append(kb_indexer_t *ix, const char *s)
{
	size_t n = strlen(s);
	if (ix->record_len + n + 1 > ix->record_cap) {
		size_t cap = (ix->record_len + n + 1) * 2;
		char *r = realloc(ix->file_record, cap);
		if (!r)
			return -1;
		ix->file_record = r;
		ix->record_cap = cap;
	}
	memcpy(ix->file_record + ix->record_len, s, n + 1);
	ix->record_len += n;
	return 0;
}

static kb_status_t add_entry(void *arg, const kb_entry_t *e)
{
	kb_indexer_t *ix = arg;
	add_ctx_t c = {.ix = ix};
	char line[96];
	snprintf(line, sizeof line, " %ld\n", e->line);
	if (record_append(ix, e->id) != 0 || record_append(ix, line) != 0)
		return KB_ERR_NOMEM;
	if (!ix->writer) { /* validating only */
		count_entry(ix);
		return KB_OK;
	}
	char *data = NULL;
	size_t data_len = 0;
	int traditional = kb_analyzer_script(ix->analyzer, e->title, strlen(e->title)) ==
	                  KB_SCRIPT_TRADITIONAL;
	kb_status_t st = kb_document_encode(e, traditional, &data, &data_len);
	char hash[17] = "";
	const char *old = NULL;
	if (st == KB_OK) {
		kb_document_hash(e, data, hash);
		old = ix->updating ? kb_string_set_get(&ix->old_hashes, e->id) : NULL;
		if (old && strcmp(old, hash) == 0) {
			ix->stats.unchanged++;
			count_entry(ix);
			free(data);
			return KB_OK;
		}
	}
	char *id_term = kb_filter_term(KB_PREFIX_ID, e->id);
	char *hash_key = kb_strdup_printf("%s%s", KB_META_HASH_PREFIX, e->id);
	if (st == KB_OK && (!id_term || !hash_key))
		st = KB_ERR_NOMEM;
	if (st == KB_OK && old)
		st = kbx_writer_delete(ix->writer, id_term, &c.err);
	if (st == KB_OK)
		st = kbx_writer_set_metadata(ix->writer, hash_key, hash, &c.err);
	free(id_term);
	free(hash_key);
	unsigned data_doc = 0;
	if (st == KB_OK)
		st = kbx_doc_new(&c.doc, &c.err);
	if (st == KB_OK)
		st = index_text(&c, e->category, KB_WEIGHT_ANSWER);
	for (size_t i = 0; st == KB_OK && i < e->answer_count; i++)
		st = index_text(&c, e->answers[i].text, KB_WEIGHT_ANSWER);
	if (st == KB_OK)
		st = add_document(&c, e, KB_PART_CONTEXT, data, data_len, &data_doc);
	for (size_t q = 0; st == KB_OK && q <= e->alt_count; q++) {
		char part[24];
		snprintf(part, sizeof part, "%zu", q);
		st = kbx_doc_new(&c.doc, &c.err);
		if (st == KB_OK)
			st = index_text(&c, q == 0 ? e->title : e->alts[q - 1], KB_WEIGHT_QUESTION);
		if (st == KB_OK)
			st = index_text(&c, e->keywords, KB_WEIGHT_KEYWORDS);
		if (st == KB_OK)
			st = add_document(&c, e, part, NULL, 0, &data_doc);
	}
	kbx_doc_free(c.doc);
	free(data);
	if (st == KB_OK) {
		if (old)
			ix->stats.changed++;
		else
			ix->stats.added++;
		count_entry(ix);
	} else
		set_error(ix, c.err ? c.err : kb_strdup_printf("%s", kb_status_to_string(st)));
	return st;
}

static int has_xml_suffix(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcmp(name + n - 4, ".xml") == 0;
}

static int is_synonyms_file(const char *path)
{
	const char *base = strrchr(path, '/');
	return strcmp(base ? base + 1 : path, KB_SYNONYMS_FILE) == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of an unchanged file, from its record: their ids join this
 * run's (so that duplicates with other files are still found) and they
 * count as unchanged. */
static kb_status_t skip_file(kb_indexer_t *ix, const char *file, const char *record)
{
	const char *p = strchr(record, '\n');
	kb_status_t st = KB_OK;
	while (st == KB_OK && p && p[1]) {
		const char *id = p + 1, *sp = strchr(id, ' ');
		p = sp ? strchr(sp, '\n') : NULL;
		if (!sp || !p)
			break;
		char *key = strndup(id, (size_t)(sp - id));
		long line = strtol(sp + 1, NULL, 10);
		char *where = kb_strdup_printf("%s:%ld", file, line);
		int added = key && where ? kb_string_set_add(&ix->ids, key, where) : -1;
		if (added == 0)
			kb_diag_add(&ix->diags, file, line, "entry '%s': duplicate id (first defined at %s)",
			            key, kb_string_set_get(&ix->ids, key));
		else if (added < 0)
			st = KB_ERR_NOMEM;
		if (added > 0) {
			ix->stats.unchanged++;
			count_entry(ix);
		}
		free(key);
		free(where);
	}
	return st;
}

static kb_status_t add_file(kb_indexer_t *ix, const char *file)
{
	ix->stats.files++;
	char *path = realpath(file, NULL);
	struct stat sb;
	char stamp[64] = "";
	if (path && stat(path, &sb) == 0)
		snprintf(stamp, sizeof stamp, "%lld %lld\n", (long long)sb.st_size,
		         (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec);
	kb_status_t st = KB_OK;
	/* A file read twice in one run is read as the duplicate it is. */
	int again = path && kb_string_set_get(&ix->new_files, path) != NULL;
	const char *old = path && ix->writer ? kb_string_set_get(&ix->old_files, path) : NULL;
	if (old && !again && *stamp && strncmp(old, stamp, strlen(stamp)) == 0) {
		st = skip_file(ix, file, old);
		if (st == KB_OK && kb_string_set_add(&ix->new_files, path, old) < 0)
			st = KB_ERR_NOMEM;
		free(path);
		return st;
	}
	ix->record_len = 0;
	if (record_append(ix, stamp) != 0)
		st = KB_ERR_NOMEM;
	if (st == KB_OK)
		st = kb_read_entries(file, &ix->ids, &ix->diags, add_entry, ix);
	if (st == KB_OK && path && *stamp && !again &&
	    kb_string_set_add(&ix->new_files, path, ix->file_record) < 0)
		st = KB_ERR_NOMEM;
	free(path);
	return st;
}

/* Every *.xml below dir, in name order so that runs are reproducible and
 * "first defined at" points at the same file each time. */
static kb_status_t add_directory(kb_indexer_t *ix, const char *dir_path, int depth)
{
	if (depth > 32) {
		kb_diag_add(&ix->diags, dir_path, 0, "directories nested too deeply (a symlink loop?)");
		return KB_OK;
	}
	DIR *dir = opendir(dir_path);
	if (!dir) {
		kb_diag_add(&ix->diags, dir_path, 0, "cannot read directory: %s", strerror(errno));
		return KB_ERR_IO;
	}
	char **names = NULL;
	size_t count = 0, cap = 0;
	kb_status_t st = KB_OK;
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			char **n = realloc(names, cap * sizeof *n);
			if (!n) {
				st = KB_ERR_NOMEM;
				break;
			}
			names = n;
		}
		names[count] = kb_strdup_printf("%s/%s", dir_path, de->d_name);
		if (!names[count]) {
			st = KB_ERR_NOMEM;
			break;
		}
		count++;
	}
	closedir(dir);
	if (count)
		qsort(names, count, sizeof *names, compare_names);
	for (size_t i = 0; st == KB_OK && i < count; i++) {
		struct stat sb;
		if (stat(names[i], &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			st = add_directory(ix, names[i], depth + 1);
		else if (S_ISREG(sb.st_mode) && has_xml_suffix(names[i]))
			st = add_file(ix, names[i]);
		else if (S_ISREG(sb.st_mode) && is_synonyms_file(names[i]))
			st = kb_synonyms_read(ix->analyzer, names[i], &ix->diags, &ix->synonyms);
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	if (st == KB_ERR_IO)
		st = KB_OK; /* already a diagnostic */
	return st;
}

KB_EXPORT kb_status_t kb_indexer_add_path(kb_indexer_t *ix, const char *path)
{
	size_t before = kb_diag_problems(&ix->diags);
	struct stat sb;
	kb_status_t st;
	if (stat(path, &sb) != 0) {
		kb_diag_add(&ix->diags, path, 0, "cannot read: %s", strerror(errno));
		return KB_ERR_IO;
	}
	if (S_ISDIR(sb.st_mode))
		st = add_directory(ix, path, 0);
	else if (is_synonyms_file(path))
		st = kb_synonyms_read(ix->analyzer, path, &ix->diags, &ix->synonyms);
	else
		st = add_file(ix, path);
	if (st != KB_OK)
		return st;
	return kb_diag_problems(&ix->diags) > before ? KB_ERR_INVALID_INPUT : KB_OK;
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
		char *id_term = kb_filter_term(KB_PREFIX_ID, id);
		char *hash_key = kb_strdup_printf("%s%s", KB_META_HASH_PREFIX, id);
		st = id_term && hash_key ? kbx_writer_delete(ix->writer, id_term, err) : KB_ERR_NOMEM;
		/* Setting metadata to "" removes the key. */
		if (st == KB_OK)
			st = kbx_writer_set_metadata(ix->writer, hash_key, "", err);
		if (st == KB_OK)
			ix->stats.removed++;
		free(id_term);
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
		set_error(ix, kb_strdup_printf("%zu problem%s in the input%s",
		                               kb_diag_problems(&ix->diags),
		                               kb_diag_problems(&ix->diags) == 1 ? "" : "s",
		                               ix->writer ? "; the index was not changed" : ""));
		return KB_ERR_INVALID_INPUT;
	}
	if (!ix->writer) { /* validating only: nothing to switch */
		ix->stats.seconds = seconds_since(&ix->started);
		if (stats)
			*stats = ix->stats;
		return KB_OK;
	}
	char *err = NULL;
	kb_status_t st = remove_missing(ix, &err);
	if (st == KB_OK)
		st = store_file_records(ix, &err);
	if (st == KB_OK)
		st = kbx_writer_set_metadata(ix->writer, KB_SYNONYMS_METADATA,
		                             ix->synonyms ? ix->synonyms : "", &err);
	if (st == KB_OK)
		st = kbx_writer_set_metadata(ix->writer, KB_META_FORMAT, KB_INDEX_FORMAT, &err);
	if (st == KB_OK)
		st = kbx_writer_commit(ix->writer, &err);
	kbx_writer_free(ix->writer);
	ix->writer = NULL;
	/* An update is live once committed; a new generation once switched to. */
	if (st == KB_OK && !ix->updating)
		st = kb_index_dir_publish(&ix->dir, &err);
	if (st != KB_OK) {
		set_error(ix, err);
		return st;
	}
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
	free(ix->file_record);
	free(ix->synonyms);
	free(ix->error);
	free(ix);
}
