/* kb-index: builds a kb index from XML knowledge entries. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kb.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_INVALID_INPUT = 1, /* problems in the entries; index unchanged */
	EXIT_USAGE = 2,
	EXIT_INDEX_ERROR = 3,   /* the index could not be written or is locked */
};

static const char usage[] =
    "usage: kb-index [--db DIR] [--rebuild] [--jobs N] PATH...\n"
    "       kb-index --check PATH...\n"
    "\n"
    "Makes the index at DIR hold exactly the knowledge entries in PATH (XML\n"
    "files, or directories searched for *.xml), with the synonym groups of every\n"
    "synonyms.txt and the words of every words.txt among them.  An existing\n"
    "index is updated in place (built anew when the words change): only new,\n"
    "changed and removed entries are touched.  Changes go live atomically, and\n"
    "only when everything is valid: on any problem each is printed as\n"
    "file:line: message and the index stays as it was.\n"
    "\n"
    "  -d, --db DIR    the index directory (default: $KB_DB)\n"
    "  -c, --check     only validate PATH: no index is read or written\n"
    "      --rebuild   build the whole index anew instead of updating it\n"
    "  -j, --jobs N    build anew with N writers at once (default: one per core,\n"
    "                  at most 4 and no more than a container's CPU limit;\n"
    "                  updates in place have one): the input is checked\n"
    "                  first, then written in N shares\n"
    "  -q, --quiet     no summary line\n"
    "  -h, --help      show this help\n"
    "  -V, --version   show the version\n"
    "\n"
    "Han text is cut into words with the word list $KB_DICTIONARY (default:\n"
    KB_DEFAULT_DICTIONARY ", from python3-jieba).\n"
    "The index keeps the words it was built with; --rebuild reads the list again.\n"
    "\n"
    "Exit status: 0 indexed (or, with --check, valid); 1 invalid entries (index unchanged);\n"
    "2 usage error; 3 index error (cannot write, or another kb-index is running).\n";

static void show_progress(void *ctx, const kb_index_stats_t *so_far)
{
	(void)ctx;
	fprintf(stderr, "\rkb-index: %zu entries...", so_far->entries);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"check", no_argument, NULL, 'c'},
	    {"rebuild", no_argument, NULL, 'R'},
	    {"jobs", required_argument, NULL, 'j'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = getenv("KB_DB");
	int quiet = 0, check = 0, c;
	kb_index_options_t opts;
	kb_index_options_init(&opts);
	opts.jobs = KB_JOBS_PER_CORE;
	while ((c = getopt_long(argc, argv, "d:cj:qhV", options, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': db = optarg; break;
		case 'j':
			opts.jobs = (unsigned)strtoul(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end || opts.jobs > KB_MAX_JOBS) {
				fprintf(stderr, "kb-index: --jobs takes a number from 1 to %d, not '%s'\n",
				        KB_MAX_JOBS, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c': check = 1; break;
		case 'R': opts.rebuild = true; break;
		case 'q': quiet = 1; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		case 'V': puts("kb-index " KB_VERSION); return EXIT_OK;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (!check && (!db || !*db)) {
		fputs("kb-index: no index directory: give --db DIR or set KB_DB\n", stderr);
		return EXIT_USAGE;
	}
	if (optind == argc) {
		fputs("kb-index: no input: give one or more XML files or directories\n", stderr);
		fputs(usage, stderr);
		return EXIT_USAGE;
	}

	kb_indexer_t *ix;
	char *err;
	/* A progress line only where a person watches. */
	if (!quiet && isatty(STDERR_FILENO))
		opts.progress = show_progress;
	kb_status_t st = check ? kb_indexer_open_check(&ix, &err) : kb_indexer_open(db, &opts, &ix, &err);
	if (st != KB_OK) {
		fprintf(stderr, "kb-index: %s\n", err ? err : kb_status_to_string(st));
		free(err);
		return st == KB_ERR_INVALID_ARG ? EXIT_USAGE : EXIT_INDEX_ERROR;
	}
	int failed = 0;
	for (int i = optind; i < argc && !failed; i++) {
		st = kb_indexer_add_path(ix, argv[i]);
		failed = st != KB_OK && st != KB_ERR_INVALID_INPUT && st != KB_ERR_IO;
	}
	kb_index_stats_t stats = {0};
	if (!failed)
		st = kb_indexer_commit(ix, &stats);
	if (opts.progress)
		fputs("\r\033[K", stderr); /* clear the progress line */
	/* Problems in the entries, compiler style, so editors can jump to them. */
	for (size_t i = 0; i < kb_indexer_diagnostic_count(ix); i++)
		fprintf(stderr, "%s\n", kb_indexer_diagnostic(ix, i));
	int code = EXIT_OK;
	if (st == KB_ERR_INVALID_INPUT) {
		fprintf(stderr, "kb-index: %s\n", kb_indexer_last_error(ix));
		code = EXIT_INVALID_INPUT;
	} else if (st != KB_OK) {
		fprintf(stderr, "kb-index: %s; the index was not changed\n", kb_indexer_last_error(ix));
		code = EXIT_INDEX_ERROR;
	} else if (!quiet && check) {
		fprintf(stderr, "kb-index: %zu entries in %zu files are valid\n", stats.entries,
		        stats.files);
	} else if (!quiet) {
		char writers[32] = "";
		if (stats.writers > 1)
			snprintf(writers, sizeof writers, " by %u writers", stats.writers);
		fprintf(stderr,
		        "kb-index: %s %s: %zu entries from %zu files (%zu added, %zu changed, "
		        "%zu removed, %zu unchanged) in %.2f s%s\n",
		        stats.rebuilt ? "built" : "updated", db, stats.entries, stats.files,
		        stats.added, stats.changed, stats.removed, stats.unchanged, stats.seconds,
		        writers);
	}
	kb_indexer_destroy(ix);
	return code;
}
