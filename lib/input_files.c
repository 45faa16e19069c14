/* input_files.c: the PATHs kb-index is given: XML files and directories of
 * them, synonyms.txt and words.txt files, and the record of each file that lets an update
 * skip files whose size and time are unchanged. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "custom_words.h"
#include "indexer-private.h"
#include "kb-private.h"
#include "synonyms.h"

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

int kb_indexer_note_entry(kb_indexer_t *ix, const char *id, long line)
{
	char text[32];
	snprintf(text, sizeof text, " %ld\n", line);
	return record_append(ix, id) != 0 || record_append(ix, text) != 0 ? -1 : 0;
}

static int has_xml_suffix(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcmp(name + n - 4, ".xml") == 0;
}

static int is_named(const char *path, const char *name)
{
	const char *base = strrchr(path, '/');
	return strcmp(base ? base + 1 : path, name) == 0;
}

static int is_synonyms_file(const char *path)
{
	return is_named(path, KB_SYNONYMS_FILE);
}

static int is_words_file(const char *path)
{
	return is_named(path, KB_CUSTOM_WORDS_FILE);
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
			kb_indexer_count_entry(ix);
		}
		free(key);
		free(where);
	}
	return st;
}

static kb_status_t add_file(kb_indexer_t *ix, const char *file)
{
	/* Whether an unchanged file may be skipped depends on the words. */
	kb_status_t settled = kb_indexer_settle_words(ix);
	if (settled != KB_OK)
		return settled;
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
	if (record_append(ix, stamp) != 0 || (ix->jobs && kb_build_jobs_note_file(ix) != 0))
		st = KB_ERR_NOMEM;
	if (st == KB_OK)
		st = kb_read_entries(file, &ix->ids, &ix->diags, kb_indexer_add_entry, ix);
	if (st == KB_OK && path && *stamp && !again &&
	    kb_string_set_add(&ix->new_files, path, ix->file_record) < 0)
		st = KB_ERR_NOMEM;
	free(path);
	return st;
}

/* Every *.xml below dir, in name order so that runs are reproducible and
 * "first defined at" points at the same file each time. */
static kb_status_t walk_directory(const kb_input_visitor_t *v, const char *dir_path, int depth)
{
	if (depth > 32) {
		kb_diag_add(v->diags, dir_path, 0, "directories nested too deeply (a symlink loop?)");
		return KB_OK;
	}
	DIR *dir = opendir(dir_path);
	if (!dir) {
		kb_diag_add(v->diags, dir_path, 0, "cannot read directory: %s", strerror(errno));
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
	/* The editors' words first: they decide how the entries are cut. */
	for (size_t i = 0; st == KB_OK && v->words && i < count; i++) {
		struct stat sb;
		if (is_words_file(names[i]) && stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode))
			st = v->words(v->ctx, names[i]);
	}
	for (size_t i = 0; st == KB_OK && i < count; i++) {
		struct stat sb;
		if (stat(names[i], &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			st = walk_directory(v, names[i], depth + 1);
		else if (S_ISREG(sb.st_mode) && has_xml_suffix(names[i]))
			st = v->xml(v->ctx, names[i]);
		else if (S_ISREG(sb.st_mode) && is_synonyms_file(names[i]) && v->synonyms)
			st = v->synonyms(v->ctx, names[i]);
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	if (st == KB_ERR_IO)
		st = KB_OK; /* already a diagnostic */
	return st;
}

kb_status_t kb_input_walk(const kb_input_visitor_t *v, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		kb_diag_add(v->diags, path, 0, "cannot read: %s", strerror(errno));
		return KB_ERR_IO;
	}
	if (S_ISDIR(sb.st_mode))
		return walk_directory(v, path, 0);
	if (is_synonyms_file(path))
		return v->synonyms ? v->synonyms(v->ctx, path) : KB_OK;
	if (is_words_file(path))
		return v->words ? v->words(v->ctx, path) : KB_OK;
	return v->xml(v->ctx, path);
}

static kb_status_t read_synonyms(void *ctx, const char *path)
{
	kb_indexer_t *ix = ctx;
	return kb_synonyms_read(ix->analyzer, path, &ix->diags, &ix->synonyms);
}

static kb_status_t read_words(void *ctx, const char *path)
{
	return kb_indexer_read_words(ctx, path);
}

static kb_status_t read_xml(void *ctx, const char *path)
{
	return add_file(ctx, path);
}

KB_EXPORT kb_status_t kb_indexer_add_path(kb_indexer_t *ix, const char *path)
{
	size_t before = kb_diag_problems(&ix->diags);
	if (ix->jobs && kb_build_jobs_add_path(ix, path) != 0)
		return KB_ERR_NOMEM;
	kb_input_visitor_t v = {read_xml, read_words, read_synonyms, &ix->diags, ix};
	kb_status_t st = kb_input_walk(&v, path);
	if (st != KB_OK)
		return st;
	return kb_diag_problems(&ix->diags) > before ? KB_ERR_INVALID_INPUT : KB_OK;
}
