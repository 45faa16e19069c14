/* kb-query: searches a kb index, once for a person or as a JSON Lines
 * server for integrations. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kb.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_NO_HIT = 1,
	EXIT_USAGE = 2,
	EXIT_INDEX_ERROR = 3,
};

static const char usage[] =
    "usage: kb-query [--db DIR] [options] QUERY...\n"
    "       kb-query [--db DIR] --serve\n"
    "\n"
    "Searches the knowledge base for the customer's words and prints the best\n"
    "answers, each in the variant for the customer's audience.\n"
    "\n"
    "  -d, --db PATH         the index (default: $KB_DB)\n"
    "  -a, --audience TAG    the customer's group (business, elderly, vip, ...);\n"
    "                        repeat for several, most specific first\n"
    "  -r, --region NAME     the customer's region (province or city)\n"
    "  -n, --limit N         how many answers, 1 to 100 (default 10)\n"
    "      --at DATE         show what is valid on DATE (YYYY-MM-DD), not today\n"
    "      --include-drafts  show draft entries too (for editors)\n"
    "      --json            print one JSON object, as the protocol does\n"
    "      --color[=WHEN]    highlight matched words: auto (default), always, never\n"
    "      --serve           answer JSON Lines requests on stdin until EOF\n"
    "  -h, --help            show this help\n"
    "  -V, --version         show the version\n"
    "\n"
    "Exit status: 0 found answers (or --serve reached EOF); 1 nothing found;\n"
    "2 usage error; 3 index error (no index, damaged, or output failed).\n";

typedef struct options {
	const char *db;
	const char *audiences[KB_MAX_QUERY_AUDIENCES];
	size_t audience_count;
	const char *region;
	const char *date;
	unsigned limit;
	int json, serve, color, drafts;
} options_t;

static int parse_limit(const char *s, unsigned *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end || v < 1 || v > KB_LIMIT_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_color(const char *when)
{
	if (!when || strcmp(when, "auto") == 0) {
		const char *term = getenv("TERM");
		return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !(term && strcmp(term, "dumb") == 0);
	}
	if (strcmp(when, "always") == 0)
		return 1;
	if (strcmp(when, "never") == 0)
		return 0;
	return -1;
}

/* Prints text with its spans in bold red. */
static void print_spans(const char *text, const kb_span_t *spans, size_t n)
{
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		fwrite(text + at, 1, spans[i].start - at, stdout);
		fputs("\033[1;31m", stdout);
		fwrite(text + spans[i].start, 1, spans[i].end - spans[i].start, stdout);
		fputs("\033[0m", stdout);
		at = spans[i].end;
	}
	fputs(text + at, stdout);
}

/* Prints text with the parts that match query in bold red. */
static void print_marked(kb_searcher_t *s, const char *query, const char *text, int color)
{
	size_t n = 0;
	kb_span_t *spans = NULL;
	if (color && kb_highlight(s, query, text, &n, &spans) == KB_OK)
		print_spans(text, spans, n);
	else
		fputs(text, stdout);
	free(spans);
}

/* Indents every line of an answer under its hit. */
static void print_answer(kb_searcher_t *s, const char *query, const char *answer, int color)
{
	const char *line = answer;
	while (line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *copy = strndup(line, len);
		fputs("   ", stdout);
		if (copy)
			print_marked(s, query, copy, color);
		putchar('\n');
		free(copy);
		line = nl ? nl + 1 : NULL;
	}
}

static int print_results(kb_searcher_t *s, const char *query, const kb_results_t *r, int color)
{
	size_t n = kb_results_count(r);
	if (n == 0) {
		fprintf(stderr, "kb-query: no answer found for '%s'\n", query);
		return EXIT_NO_HIT;
	}
	for (size_t i = 0; i < n; i++) {
		const kb_hit_t *h = kb_results_hit(r, i);
		if (i)
			putchar('\n');
		printf("%u. ", h->rank);
		print_marked(s, query, h->title, color);
		printf("  [%s]%s%s  (%s)\n", h->category, h->answer_audience ? "  answer for " : "",
		       h->answer_audience ? h->answer_audience : "", h->id);
		/* The similar question that matched, when it is not the title. */
		if (h->matched && h->matched != h->title) {
			fputs("   ~ ", stdout);
			print_spans(h->snippet, h->snippet_spans, color ? h->snippet_span_count : 0);
			putchar('\n');
		}
		print_answer(s, query, h->answer, color);
	}
	return EXIT_OK;
}

static char *join_words(char **words, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	char *q = malloc(len);
	if (!q)
		return NULL;
	q[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(q, " ");
		strcat(q, words[i]);
	}
	return q;
}

static int parse_options(int argc, char **argv, options_t *o)
{
	enum { OPT_JSON = 256, OPT_SERVE, OPT_AT, OPT_COLOR, OPT_DRAFTS };
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"audience", required_argument, NULL, 'a'},
	    {"region", required_argument, NULL, 'r'},
	    {"limit", required_argument, NULL, 'n'},
	    {"at", required_argument, NULL, OPT_AT},
	    {"include-drafts", no_argument, NULL, OPT_DRAFTS},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"color", optional_argument, NULL, OPT_COLOR},
	    {"serve", no_argument, NULL, OPT_SERVE},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	*o = (options_t){.db = getenv("KB_DB"), .color = parse_color("auto")};
	int c;
	while ((c = getopt_long(argc, argv, "d:a:r:n:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'a':
			if (o->audience_count == KB_MAX_QUERY_AUDIENCES) {
				fprintf(stderr, "kb-query: at most %d --audience options\n",
				        KB_MAX_QUERY_AUDIENCES);
				return EXIT_USAGE;
			}
			o->audiences[o->audience_count++] = optarg;
			break;
		case 'r': o->region = optarg; break;
		case 'n':
			if (parse_limit(optarg, &o->limit) != 0) {
				fprintf(stderr, "kb-query: --limit takes a whole number from 1 to %d, not '%s'\n",
				        KB_LIMIT_MAX, optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_AT: o->date = optarg; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_DRAFTS: o->drafts = 1; break;
		case OPT_SERVE: o->serve = 1; break;
		case OPT_COLOR:
			if ((o->color = parse_color(optarg)) < 0) {
				fprintf(stderr, "kb-query: --color takes auto, always or never, not '%s'\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': fputs(usage, stdout); return -1;
		case 'V': puts("kb-query " KB_VERSION); return -1;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (!o->db || !*o->db) {
		fputs("kb-query: no index: give --db PATH or set KB_DB\n", stderr);
		return EXIT_USAGE;
	}
	if (o->serve && optind < argc) {
		fputs("kb-query: --serve reads queries from stdin; give no QUERY\n", stderr);
		return EXIT_USAGE;
	}
	if (!o->serve && optind == argc) {
		fputs("kb-query: no query: give the customer's words, or --serve\n", stderr);
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int search_once(kb_searcher_t *s, const options_t *o, const char *text)
{
	kb_query_t q;
	kb_query_init(&q);
	q.text = text;
	q.audiences = o->audiences;
	q.audience_count = o->audience_count;
	q.region = o->region;
	q.limit = o->limit;
	q.date = o->date;
	q.include_drafts = o->drafts;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	kb_results_t *r = NULL;
	kb_status_t st = kb_search(s, &q, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int code = EXIT_OK;
	if (st == KB_OK && o->json) {
		char *line = NULL;
		long took_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
		st = kb_results_json(r, took_us, &line);
		if (st == KB_OK)
			puts(line);
		free(line);
		/* The same exit status as without --json: 1 when nothing found. */
		code = kb_results_count(r) ? EXIT_OK : EXIT_NO_HIT;
	} else if (st == KB_OK) {
		code = print_results(s, text, r, o->color);
	}
	kb_results_destroy(r);
	if (st != KB_OK) {
		fprintf(stderr, "kb-query: %s\n", kb_searcher_last_error(s));
		return st == KB_ERR_INVALID_ARG ? EXIT_USAGE : EXIT_INDEX_ERROR;
	}
	return code;
}

int main(int argc, char **argv)
{
	options_t o;
	int code = parse_options(argc, argv, &o);
	if (code != EXIT_OK)
		return code < 0 ? EXIT_OK : code;
	kb_searcher_t *s;
	char *err;
	kb_status_t st = kb_searcher_open(o.db, &s, &err);
	if (st != KB_OK) {
		fprintf(stderr, "kb-query: %s\n", err ? err : kb_status_to_string(st));
		free(err);
		return EXIT_INDEX_ERROR;
	}
	if (o.serve) {
		st = kb_serve(s, stdin, stdout);
		code = st == KB_OK ? EXIT_OK : EXIT_INDEX_ERROR;
		if (st != KB_OK)
			fprintf(stderr, "kb-query: %s\n",
			        ferror(stdout) ? "cannot write responses" : "cannot read requests");
	} else {
		char *text = join_words(argv + optind, argc - optind);
		code = text ? search_once(s, &o, text) : EXIT_INDEX_ERROR;
		free(text);
	}
	kb_searcher_destroy(s);
	/* A failed write (a full disk, a closed pipe) must not pass as success. */
	if (fclose(stdout) != 0 && code == EXIT_OK) {
		fprintf(stderr, "kb-query: cannot write output\n");
		code = EXIT_INDEX_ERROR;
	}
	return code;
}
