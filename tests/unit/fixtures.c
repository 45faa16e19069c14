/* fixtures.c: see fixtures.h. */
#include "fixtures.h"
#include "index_dir.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- files ----------------------------------------------------------- */

/* Every directory fx_tempdir() makes is inside this one, made by fx_begin()
 * in the test program's main process and removed by fx_end(): Check runs
 * each test in a child process that skips its teardown when an assertion
 * fails, so the children cannot be trusted to clean up after themselves. */
static char *root;

char *fx_printf(const char *fmt, ...)
{
	va_list ap, copy;
	va_start(ap, fmt);
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	ck_assert_int_ge(n, 0);
	char *s = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

void fx_begin(void)
{
	/* Not inside a test: no ck_assert here. */
	const char *tmp = getenv("TMPDIR");
	char templ_buf[4096];
	snprintf(templ_buf, sizeof templ_buf, "%s/kb-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *templ = strdup(templ_buf);
	if (!templ || !mkdtemp(templ)) {
		fprintf(stderr, "mkdtemp(%s): %s\n", templ_buf, strerror(errno));
		exit(EXIT_FAILURE);
	}
	root = templ;
}

void fx_end(void)
{
	if (root)
		fx_rmtree(root);
	free(root);
	root = NULL;
}

char *fx_tempdir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *templ = root ? fx_printf("%s/t-XXXXXX", root)
	                   : fx_printf("%s/kb-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_msg(mkdtemp(templ) != NULL, "mkdtemp(%s): %s", templ, strerror(errno));
	return templ;
}

int fx_rmtree(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(sb.st_mode)) {
		DIR *dir = opendir(path);
		if (dir) {
			struct dirent *de;
			while ((de = readdir(dir))) {
				if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
					continue;
				/* Also runs outside tests (fx_end): no ck_assert. */
				size_t n = strlen(path) + strlen(de->d_name) + 2;
				char *child = malloc(n);
				if (!child)
					continue;
				snprintf(child, n, "%s/%s", path, de->d_name);
				fx_rmtree(child);
				free(child);
			}
			closedir(dir);
		}
		return rmdir(path);
	}
	return unlink(path);
}

char *fx_path(const char *dir, const char *name)
{
	return fx_printf("%s/%s", dir, name);
}

char *fx_live_generation(const char *index)
{
	char *live = NULL;
	ck_assert_msg(kb_index_dir_live(index, &live) == KB_OK, "no live generation in %s", index);
	return live;
}

char *fx_write_bytes(const char *dir, const char *name, const char *data, size_t len)
{
	char *path = fx_path(dir, name);
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot create %s: %s", path, strerror(errno));
	ck_assert_msg(fwrite(data, 1, len, f) == len, "cannot write %s", path);
	ck_assert_msg(fclose(f) == 0, "cannot close %s", path);
	return path;
}

char *fx_write(const char *dir, const char *name, const char *text)
{
	return fx_write_bytes(dir, name, text, strlen(text));
}

char *fx_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *fx_data_path(const char *name)
{
	const char *dir = getenv("KB_TEST_DATA");
	return fx_path(dir && *dir ? dir : "tests/unit/data", name);
}

int fx_count_dir(const char *path)
{
	DIR *dir = opendir(path);
	if (!dir)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(dir)))
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(dir);
	return n;
}

char *fx_han_chars(size_t n, unsigned step)
{
	char *text = malloc(n * 3 + 1);
	ck_assert_ptr_nonnull(text);
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned cp = 0x4E00 + (unsigned)i * step;
		text[len++] = (char)(0xE0 | (cp >> 12));
		text[len++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		text[len++] = (char)(0x80 | (cp & 0x3F));
	}
	text[len] = '\0';
	return text;
}

char *fx_repeat(const char *unit, size_t n)
{
	size_t len = strlen(unit);
	char *s = malloc(len * n + 1);
	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * len, unit, len);
	s[len * n] = '\0';
	return s;
}

/* ---- a growing string -------------------------------------------------- */

typedef struct buf {
	char *s;
	size_t len, cap;
} buf_t;

static void buf_add(buf_t *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = realloc(b->s, cap);
		ck_assert_ptr_nonnull(b->s);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_str(buf_t *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static char *buf_take(buf_t *b)
{
	if (!b->s)
		buf_add(b, "", 0);
	return b->s;
}

/* ---- analysis -------------------------------------------------------- */

kb_analyzer_t *fx_analyzer(void)
{
	kb_analyzer_t *a = NULL;
	char *err = NULL;
	kb_status_t st = kb_analyzer_new(&a, NULL, &err);
	ck_assert_msg(st == KB_OK, "kb_analyzer_new: %s", err ? err : "?");
	ck_assert_ptr_nonnull(a);
	return a;
}

typedef struct token_dump {
	buf_t out;
	int detail;
} token_dump_t;

static int keep_han_word(void *arg, const kb_token_t *t)
{
	buf_t *out = arg;
	if (t->kind == KB_TOKEN_HAN_WORD) {
		if (out->len)
			buf_str(out, "|");
		buf_add(out, t->term, t->term_len);
	}
	return 0;
}

char *fx_han_words_n(kb_analyzer_t *a, const char *text, size_t len)
{
	buf_t out = {0};
	kb_status_t st = kb_analyze(a, text, len, keep_han_word, &out);
	ck_assert_msg(st == KB_OK, "kb_analyze: %s", kb_status_to_string(st));
	return buf_take(&out);
}

char *fx_han_words(kb_analyzer_t *a, const char *text)
{
	return fx_han_words_n(a, text, strlen(text));
}

void fx_use_word_list(const char *name)
{
	char *path = fx_data_path(name);
	setenv("KB_DICTIONARY", path, 1);
	free(path);
}

const char *fx_kind_name(kb_token_kind_t kind)
{
	switch (kind) {
	case KB_TOKEN_UNIGRAM: return "U";
	case KB_TOKEN_BIGRAM: return "B";
	case KB_TOKEN_WORD: return "W";
	case KB_TOKEN_HAN_WORD: return "H";
	}
	return "?";
}

static int dump_token(void *arg, const kb_token_t *t)
{
	token_dump_t *d = arg;
	if (d->out.len)
		buf_str(&d->out, "|");
	if (d->detail) {
		buf_str(&d->out, fx_kind_name(t->kind));
		buf_str(&d->out, ":");
	}
	buf_add(&d->out, t->term, t->term_len);
	if (d->detail) {
		char pos[64];
		snprintf(pos, sizeof pos, "@%zu-%zu", t->start, t->end);
		buf_str(&d->out, pos);
	}
	return 0;
}

static char *tokens(kb_analyzer_t *a, const char *text, size_t len, int detail)
{
	token_dump_t d = {{0}, detail};
	kb_status_t st = kb_analyze(a, text, len, dump_token, &d);
	ck_assert_msg(st == KB_OK, "kb_analyze: %s", kb_status_to_string(st));
	return buf_take(&d.out);
}

char *fx_tokens(kb_analyzer_t *a, const char *text)
{
	return tokens(a, text, strlen(text), 0);
}

char *fx_tokens_n(kb_analyzer_t *a, const char *text, size_t len)
{
	return tokens(a, text, len, 0);
}

char *fx_tokens_detail(kb_analyzer_t *a, const char *text, size_t len)
{
	return tokens(a, text, len, 1);
}

/* ---- diagnostics ----------------------------------------------------- */

char *fx_join_diags(const kb_diagnostics_t *d)
{
	buf_t b = {0};
	for (size_t i = 0; i < d->count; i++) {
		if (i)
			buf_str(&b, "\n");
		buf_str(&b, d->items[i]);
	}
	return buf_take(&b);
}

char *fx_indexer_diags(const kb_indexer_t *ix)
{
	buf_t b = {0};
	for (size_t i = 0; i < kb_indexer_diagnostic_count(ix); i++) {
		if (i)
			buf_str(&b, "\n");
		buf_str(&b, kb_indexer_diagnostic(ix, i));
	}
	return buf_take(&b);
}

/* ---- indexes --------------------------------------------------------- */

char *fx_kb(const char *entries)
{
	return fx_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kb>\n%s\n</kb>\n", entries);
}

kb_status_t fx_index_paths(const char *db, const kb_index_options_t *opts,
                           const char *const *paths, size_t n, char **diags)
{
	if (diags)
		*diags = NULL;
	kb_indexer_t *ix = NULL;
	char *err = NULL;
	kb_status_t st = kb_indexer_open(db, opts, &ix, &err);
	if (st != KB_OK) {
		if (diags)
			*diags = err ? err : strdup(kb_status_to_string(st));
		else
			free(err);
		return st;
	}
	for (size_t i = 0; i < n; i++) {
		kb_status_t add = kb_indexer_add_path(ix, paths[i]);
		ck_assert_msg(add == KB_OK || add == KB_ERR_INVALID_INPUT || add == KB_ERR_IO,
		              "kb_indexer_add_path(%s): %s: %s", paths[i], kb_status_to_string(add),
		              kb_indexer_last_error(ix));
	}
	st = kb_indexer_commit(ix, NULL);
	if (diags)
		*diags = fx_indexer_diags(ix);
	kb_indexer_destroy(ix);
	return st;
}

kb_status_t fx_index_xml_with(const char *db, const kb_index_options_t *opts, const char *xml,
                              char **diags)
{
	char *src = fx_tempdir();
	char *file = fx_write(src, "entries.xml", xml);
	const char *paths[] = {file};
	kb_status_t st = fx_index_paths(db, opts, paths, 1, diags);
	free(file);
	fx_rmtree(src);
	free(src);
	return st;
}

kb_status_t fx_index_xml(const char *db, const char *xml, char **diags)
{
	return fx_index_xml_with(db, NULL, xml, diags);
}

kb_status_t fx_index_rebuild(const char *db, const char *xml, char **diags)
{
	kb_index_options_t opts;
	kb_index_options_init(&opts);
	opts.rebuild = true;
	return fx_index_xml_with(db, &opts, xml, diags);
}

kb_searcher_t *fx_searcher(const char *db)
{
	kb_searcher_t *s = NULL;
	char *err = NULL;
	kb_status_t st = kb_searcher_open(db, &s, &err);
	ck_assert_msg(st == KB_OK, "kb_searcher_open(%s): %s: %s", db, kb_status_to_string(st),
	              err ? err : "?");
	ck_assert_ptr_nonnull(s);
	return s;
}

char *fx_search_ids(kb_searcher_t *s, const kb_query_t *q)
{
	kb_results_t *r = NULL;
	kb_status_t st = kb_search(s, q, &r);
	ck_assert_msg(st == KB_OK, "kb_search(%s): %s: %s", q->text ? q->text : "(null)",
	              kb_status_to_string(st), kb_searcher_last_error(s));
	buf_t b = {0};
	for (size_t i = 0; i < kb_results_count(r); i++) {
		if (i)
			buf_str(&b, "|");
		buf_str(&b, kb_results_hit(r, i)->id);
	}
	kb_results_destroy(r);
	return buf_take(&b);
}

char *fx_find(kb_searcher_t *s, const char *text, const char *date)
{
	kb_query_t q;
	kb_query_init(&q);
	q.text = text;
	q.date = date;
	return fx_search_ids(s, &q);
}

int fx_run(Suite *s)
{
	fx_begin();
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	fx_end();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
