/* kb-private.h: what the core's files share and the public API does not
 * show: the index schema (term prefixes, value slots, field weights) that
 * indexer and searcher must agree on, and small string helpers. */
#ifndef KB_PRIVATE_H
#define KB_PRIVATE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "kb.h"

#define KB_EXPORT __attribute__((visibility("default")))

/* ---- index schema ---------------------------------------------------
 * Text terms are folded (lowercase or Han) and carry no prefix, except the
 * words a Han run is cut into (analyze.h), which would otherwise be taken
 * for its bigrams; boolean terms start with an uppercase prefix, so the
 * two can never collide. */
#define KB_PREFIX_HAN_WORD "W"      /* W<word of two or more Han characters> */
/* Filters are exclusions: most entries are published, for everyone,
 * nationwide and undated, and a search should not walk lists of them.  An
 * entry restricted in some way carries a marker term (XA+, XR+, XD+), and
 * the search leaves out documents with a marker unless they also carry
 * what lets them through (see searcher.c). */
#define KB_PREFIX_AUDIENCE "XA:"    /* XA:<tag> */
#define KB_TERM_HAS_AUDIENCES "XA+" /* entry has <audience> tags */
#define KB_PREFIX_REGION "XR:"      /* XR:<region> */
#define KB_TERM_HAS_REGIONS "XR+"   /* entry has <region> elements */
#define KB_TERM_DATED "XD+"         /* entry has valid-from or valid-until */
#define KB_PREFIX_STATUS "XS:"      /* XS:published | XS:draft | XS:retired */
#define KB_PREFIX_CATEGORY "XC:"    /* XC:<each leading part of the path> */

/* A filter term: prefix and value, or prefix and a hash of the value when
 * together they would pass KB_MAX_FILTER_TERM_BYTES (Xapian's term limit
 * is 245 bytes).  malloc()ed; NULL when out of memory. */
#define KB_MAX_FILTER_TERM_BYTES 200
char *kb_filter_term(const char *prefix, const char *value);

/* Validity dates as "YYYYMMDD" strings, which sort as the dates do. */
#define KB_SLOT_VALID_FROM 0
#define KB_SLOT_VALID_UNTIL 1
/* Each entry is several documents (see entry_documents.c), added in a row:
 * its context (category and answers, and what a hit shows), then its title
 * and each alt.  Every one carries the entry key, on which results are
 * collapsed: the id, the script of the title ('s' simplified, 't'
 * traditional), the docid of the context document and, for an entry with
 * valid-from or valid-until, its validity window, separated by \x1f (no id
 * holds it): "bb-001\x1fs\x1f4711", "promo-2\x1fs\x1f90\x1f20260101\x1f99999999".
 * A match's key is free (the collapse reads it), so ranking and checking a
 * match read nothing more; a question's part is its docid's distance from
 * the context document (1 the title, 2 the first alt...). */
#define KB_SLOT_ENTRY 2
#define KB_KEY_SEPARATOR '\x1f'
/* The entry's questions (title and alts, one per line) as the editors
 * wrote them, in its context document: the search reads them for its best
 * matches only, to compare them with the query as wholes (coverage.h). */
#define KB_SLOT_QUESTIONS 3
/* What a hit shows (document.h's stored form), in the context document: a
 * value rather than Xapian's document data, which glass compresses with
 * zlib one document at a time, resetting a 128 KB table each time (a
 * sixth of atec-faq's build); values are stored as they are. */
#define KB_SLOT_DATA 4
#define KB_DATE_MIN "00000000"
#define KB_DATE_MAX "99999999"

/* How many times a term counts (wdf) by the field it occurs in.  Questions
 * are what agents' words are matched against; editors' keywords are a
 * deliberate hint; answers are long and mostly say other things. */
#define KB_WEIGHT_QUESTION 3
#define KB_WEIGHT_KEYWORDS 2
#define KB_WEIGHT_ANSWER 1

/* BM25 over one question per document.  Robertson's usual k1 = 1.2,
 * b = 0.75 rather than Xapian's defaults (1, 0.5): normalising harder for
 * length favours the question that says just what the agent typed
 * (lcqmc-faq MRR@10 0.876 -> 0.879; see docs/relevance.md). */
#define KB_BM25_K1 1.2
#define KB_BM25_B 0.75
#define KB_BM25_MIN_NORMLEN 0.5

/* BM25 compares a document's length with the average; kb compares it with
 * a fixed length per kind of document instead, as BM25F does per field: a
 * typical question (about 15 characters, in the units of KB_WEIGHT_*; the
 * average of the lcqmc-faq and atec-faq indexes: 35 -> 45 -> 70 gave
 * MRR@10 0.8796 / 0.8771 there) and a typical context (answers and
 * category).  Questions are then weighed against questions, and long
 * answers cannot make them all look short.  The context's length sets how
 * much answers count against questions; the sample corpus is the only one
 * with real answers, and 120 to 160 keep all its expected rankings (80
 * loses one, 200 and more another).  Fixed lengths let the indexer store BM25's per-document part
 * of each term's weight (its "impact") in the term's wdf, scaled by
 * KB_IMPACT_SCALE: the search multiplies impacts by idf and never reads a
 * document length, which is much of the cost of BM25 in Xapian (a lookup
 * in the length list for every posting: 230 us for a term in 72 documents
 * of atec-faq, 8 us without). */
#define KB_REFERENCE_LENGTH 45.0
#define KB_REFERENCE_LENGTH_CONTEXT 150.0
#define KB_IMPACT_SCALE 1000
/* Far above any impact, so that BM25's saturation does not bend it. */
#define KB_IMPACT_K1 1e9

/* Index metadata.  KB_INDEX_FORMAT changes whenever what the indexer
 * writes changes (analysis, document layout); an index of another format is
 * rebuilt rather than updated. */
#define KB_META_FORMAT "kb.format"
#define KB_INDEX_FORMAT "9"
/* h:<entry id> -> "<content hash> <first docid> <documents>": whether the
 * entry changed, and which documents an update replaces (an entry's
 * documents are numbered one after another). */
#define KB_META_HASH_PREFIX "h:"
/* f:<absolute path> -> "<size> <mtime ns>\n" then "<id> <line>\n" for each
 * entry: a file whose size and time are unchanged need not be read again. */
#define KB_META_FILE_PREFIX "f:"

/* The layout of an index directory (see kb.h, "Indexing"). */
#define KB_DIR_CURRENT "current"
#define KB_DIR_LOCK "lock"
#define KB_DIR_GENERATION_PREFIX "gen-"
#define KB_DIR_BUILD "build"

/* ---- searching ------------------------------------------------------- */

/* s is about to answer many searches (kb_serve): it keeps in memory what
 * pays off only over many of them, every document's entry key and every
 * entry's questions (up to a budget, see the shim), read once per index
 * generation (the first now, a later one a slice a search) instead of
 * each search's matches' from the index. */
void kb_searcher_expect_many(kb_searcher_t *s);

/* What a server of a kb index directory does while no request waits, so
 * that no request pays for it: moves to what kb-index committed since (as
 * the next search would, releasing a replaced generation's files), warms
 * a new generation's word table (kb_analyzer_warm), then reads the next
 * KB_IDLE_SLICE documents of its tables.  Each call takes a few
 * milliseconds at most.  Returns how many documents are still to be read:
 * 0 when there is nothing to do until kb-index commits again. */
unsigned kb_searcher_idle(kb_searcher_t *s);
/* A request that arrives during a slice waits for its end: on atec-faq
 * (138,000 documents) 4,096 take about 1 ms. */
#define KB_IDLE_SLICE 4096
/* A server is idle once no request came for KB_IDLE_AFTER_MS; it then
 * looks for a new commit every KB_IDLE_CHECK_MS (milliseconds). */
#define KB_IDLE_AFTER_MS 5
#define KB_IDLE_CHECK_MS 1000

/* ---- helpers --------------------------------------------------------- */

/* malloc()ed formatted string, or NULL when out of memory. */
char *kb_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *kb_strdup_vprintf(const char *fmt, va_list ap);

/* Makes *items (an array of *cap items of size bytes, realloc()ed, NULL
 * when *cap is 0) hold at least want items, doubling from first when it
 * was empty.  Returns 0, or -1 when out of memory (*items and *cap are
 * then unchanged). */
int kb_array_reserve(void **items, size_t *cap, size_t want, size_t size, size_t first);

/* Today's local date as "YYYY-MM-DD" into buf (at least 11 bytes). */
void kb_today(char buf[11]);

/* Whether s is a valid calendar date "YYYY-MM-DD". */
int kb_date_is_valid(const char *s);

/* A valid date "YYYY-MM-DD" as "YYYYMMDD" (which sorts as dates do) into
 * out. */
void kb_date_compact(const char *iso, char out[9]);

/* FNV-1a over the bytes of s (NULL counts as empty), continuing from h;
 * start from KB_HASH_OFFSET.  For change detection and short stand-ins,
 * not for security. */
#define KB_HASH_OFFSET 1469598103934665603ull
#define KB_HASH_PRIME 1099511628211ull
uint64_t kb_hash_bytes(uint64_t h, const char *s);
/* The same over n bytes (a term cut from a text, NUL or not). */
uint64_t kb_hash_n(uint64_t h, const char *s, size_t n);
/* kb_hash_n() from KB_HASH_OFFSET, mixed so that its low bits can pick a
 * slot of a hash table.  The word table's file depends on it: changing it
 * changes the file's layout (see segment.c's FILE_VERSION). */
uint64_t kb_hash_slot(const char *s, size_t n);

/* Replaces each byte of s[0..len) that is not part of a valid UTF-8
 * character by '?'; returns how many were replaced (0: s was UTF-8). */
size_t kb_utf8_repair(char *s, size_t len);

/* How many CPUs the cgroup CPU limit of this process grants, rounded up
 * (cgroup v2 or v1, the tightest of its cgroup and their ancestors), or 0
 * without a limit.  root prefixes every path read ("" on a live system;
 * a directory laid out like / in tests). */
unsigned kb_cpu_quota(const char *root);

/* Whether s is a valid audience tag: [a-z0-9][a-z0-9_-]{0,31}. */
int kb_tag_is_valid(const char *s);

#endif
