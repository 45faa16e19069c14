/* segment.c: the word list, its table on disk, and the most probable cut
 * (see segment.h). */
#define _DEFAULT_SOURCE /* madvise() */
#include "segment.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kb-private.h"

/* The table is open addressing over one byte array of keys, each stored
 * as its length (one byte) and its bytes.  Every proper prefix of two or
 * more characters of a word is in the table too, marked as no word, so
 * that looking for longer words from a position stops as soon as no word
 * can start with what has been read: jieba's trick. */
#define NOT_A_WORD (-1.0f)

typedef struct slot {
	uint32_t offset; /* of the key in keys; 0 marks an empty slot */
	float cost;      /* while loading, the word's frequency */
} slot_t;

/* The file kb_segmenter_save() writes: this header, the slots, the keys.
 * Native byte order and layout: the file lives beside the index it was
 * built with and is only a faster way to the same table, so a reader that
 * finds another byte order or version reads the word list instead. */
#define FILE_MAGIC "kbwords"
#define FILE_VERSION 1u
#define FILE_BYTE_ORDER 0x01020304u

typedef struct file_header {
	char magic[8];
	uint32_t version;
	uint32_t byte_order;
	uint64_t slot_count;
	uint64_t keys_len;
	double unknown_cost;
} file_header_t;

struct kb_segmenter {
	slot_t *slots;
	size_t mask;
	size_t used;
	unsigned char *keys;
	size_t keys_len, keys_cap;
	double unknown_cost; /* of a character the list does not have */
	void *map;           /* the mapped file, or NULL when loaded from text */
	size_t map_len;
};

/* The slot of key, or the empty slot where it would go, or NULL when the
 * table has neither.  A mapped table
 * comes from a file that may be damaged: keys are checked against the end
 * of the keys, and a table with no empty slot ends the probing, so a bad
 * file gives bad cuts at worst, never a read out of bounds or a hang. */
static slot_t *find_hashed(const kb_segmenter_t *s, const char *key, size_t n, uint64_t h)
{
	size_t i = (size_t)h & s->mask;
	for (size_t probes = 0; probes <= s->mask; probes++, i = (i + 1) & s->mask) {
		slot_t *e = &s->slots[i];
		if (!e->offset)
			return e;
		if (e->offset >= s->keys_len)
			continue;
		const unsigned char *k = s->keys + e->offset;
		if (k[0] == n && e->offset + 1 + n <= s->keys_len && memcmp(k + 1, key, n) == 0)
			return e;
	}
	return NULL;
}

static slot_t *find(const kb_segmenter_t *s, const char *key, size_t n)
{
	return find_hashed(s, key, n, kb_hash_slot(key, n));
}

static int grow(kb_segmenter_t *s, size_t want)
{
	size_t cap = s->mask ? (s->mask + 1) * 2 : 1u << 16;
	while (cap < want)
		cap *= 2;
	slot_t *old = s->slots;
	size_t old_cap = s->mask ? s->mask + 1 : 0;
	s->slots = calloc(cap, sizeof *s->slots);
	if (!s->slots) {
		s->slots = old;
		return -1;
	}
	s->mask = cap - 1;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].offset) {
			const unsigned char *k = s->keys + old[i].offset;
			*find(s, (const char *)k + 1, k[0]) = old[i]; /* never full */
		}
	free(old);
	return 0;
}

/* Adds freq to key's frequency (a word) or marks it as a prefix. */
static int put(kb_segmenter_t *s, const char *key, size_t n, uint64_t h, float freq)
{
	if ((s->used + 1) * 2 > s->mask + 1 && grow(s, 0) != 0)
		return -1;
	slot_t *e = find_hashed(s, key, n, h);
	if (!e)
		return -1;
	if (e->offset) {
		if (freq != NOT_A_WORD)
			e->cost = (e->cost == NOT_A_WORD ? 0 : e->cost) + freq;
		return 0;
	}
	if (s->keys_len + n + 1 > s->keys_cap || s->keys_len + n + 1 > UINT32_MAX) {
		size_t cap = s->keys_cap * 2;
		while (cap < s->keys_len + n + 1)
			cap *= 2;
		unsigned char *k = cap <= UINT32_MAX ? realloc(s->keys, cap) : NULL;
		if (!k)
			return -1;
		s->keys = k;
		s->keys_cap = cap;
	}
	s->keys[s->keys_len] = (unsigned char)n;
	memcpy(s->keys + s->keys_len + 1, key, n);
	*e = (slot_t){(uint32_t)s->keys_len, freq};
	s->keys_len += n + 1;
	s->used++;
	return 0;
}

static size_t utf8_char_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Loading is a million or so inserts into a table far larger than the
 * caches, each a cache miss: keys are put in batches whose slots are
 * fetched ahead, which makes loading several times faster. */
#define BATCH 64

typedef struct batch {
	struct key {
		const char *key; /* into words */
		size_t len;
		uint64_t hash;
		float freq;
	} keys[BATCH];
	size_t count;
	char words[BATCH * KB_MAX_WORD_CHARS * 4];
	size_t words_len;
} batch_t;

static int flush_batch(kb_segmenter_t *s, batch_t *b)
{
	for (size_t i = 0; i < b->count; i++) {
		b->keys[i].hash = kb_hash_slot(b->keys[i].key, b->keys[i].len);
		__builtin_prefetch(&s->slots[b->keys[i].hash & s->mask]);
	}
	for (size_t i = 0; i < b->count; i++)
		if (put(s, b->keys[i].key, b->keys[i].len, b->keys[i].hash, b->keys[i].freq) != 0)
			return -1;
	b->count = 0;
	b->words_len = 0;
	return 0;
}

/* Adds one folded word and its prefixes. */
static int add_word(kb_segmenter_t *s, batch_t *b, const char *w, size_t n, float freq)
{
	size_t chars = 0;
	for (size_t i = 0; i < n; i += utf8_char_len((unsigned char)w[i]))
		chars++;
	if (chars > KB_MAX_WORD_CHARS || n > KB_MAX_WORD_CHARS * 4)
		return 0;
	if (b->count + chars > BATCH && flush_batch(s, b) != 0)
		return -1;
	char *copy = b->words + b->words_len;
	memcpy(copy, w, n);
	b->words_len += n;
	size_t i = utf8_char_len((unsigned char)w[0]);
	for (i += i < n ? utf8_char_len((unsigned char)w[i]) : 0; i < n;
	     i += utf8_char_len((unsigned char)w[i]))
		b->keys[b->count++] = (struct key){copy, i, 0, NOT_A_WORD};
	b->keys[b->count++] = (struct key){copy, n, 0, freq};
	return 0;
}

static kb_status_t parse(kb_segmenter_t *s, char *text, kb_fold_fn fold, void *fold_ctx)
{
	char folded[KB_MAX_WORD_CHARS * 4 * 4 + 8];
	batch_t *b = calloc(1, sizeof *b);
	if (!b)
		return KB_ERR_NOMEM;
	for (char *line = text; *line;) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		char *space = strchr(line, ' ');
		if (space && space > line) {
			char *end;
			errno = 0;
			unsigned long freq = strtoul(space + 1, &end, 10);
			size_t n = (size_t)(space - line);
			size_t m = end > space + 1 && !errno && n <= KB_MAX_WORD_CHARS * 4
			               ? fold(fold_ctx, line, n, folded, sizeof folded)
			               : 0;
			if (m && add_word(s, b, folded, m, (float)(freq ? freq : 1)) != 0) {
				free(b);
				return KB_ERR_NOMEM;
			}
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	int rc = flush_batch(s, b);
	free(b);
	return rc == 0 ? KB_OK : KB_ERR_NOMEM;
}

static char *read_file(const char *path, char **error_message)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	if (!f) {
		*error_message = kb_strdup_printf("cannot read the word list %s: %s", path,
		                                  strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 1u << 23;
			char *b = realloc(buf, cap);
			if (!b) {
				*error_message = kb_strdup_printf("out of memory reading %s", path);
				break;
			}
			buf = b;
		}
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	if (!*error_message && ferror(f))
		*error_message = kb_strdup_printf("cannot read the word list %s: %s", path,
		                                  strerror(errno));
	fclose(f);
	if (*error_message) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

kb_status_t kb_segmenter_load(const char *path, kb_fold_fn fold, void *fold_ctx,
                              kb_segmenter_t **out, char **error_message)
{
	*out = NULL;
	*error_message = NULL;
	char *text = read_file(path, error_message);
	if (!text)
		return KB_ERR_IO;
	kb_segmenter_t *s = calloc(1, sizeof *s);
	kb_status_t st = s ? KB_OK : KB_ERR_NOMEM;
	if (st == KB_OK) { /* offset 0 marks an empty slot: keys start at 1 */
		s->keys_cap = 1u << 20;
		s->keys_len = 1;
		if (!(s->keys = malloc(s->keys_cap)))
			st = KB_ERR_NOMEM;
		else
			s->keys[0] = 0; /* saved with the rest */
	}
	/* About one word in 14 bytes, with prefixes half as many again: sized
	 * once rather than rehashed on the way. */
	if (st == KB_OK && grow(s, strlen(text) / 8) != 0)
		st = KB_ERR_NOMEM;
	if (st == KB_OK)
		st = parse(s, text, fold, fold_ctx);
	free(text);
	double total = 0;
	for (size_t i = 0; st == KB_OK && i <= s->mask; i++)
		if (s->slots[i].offset && s->slots[i].cost != NOT_A_WORD)
			total += s->slots[i].cost;
	if (st == KB_OK && total == 0) {
		*error_message = kb_strdup_printf(
		    "the word list %s holds no word of Han characters (lines are \"word frequency\")",
		    path);
		st = KB_ERR_IO;
	}
	if (st != KB_OK) {
		if (!*error_message)
			*error_message = kb_strdup_printf("out of memory reading %s", path);
		kb_segmenter_free(s);
		return st;
	}
	for (size_t i = 0; i <= s->mask; i++)
		if (s->slots[i].offset && s->slots[i].cost != NOT_A_WORD)
			s->slots[i].cost = (float)(log(total) - log(s->slots[i].cost));
	s->unknown_cost = log(total);
	*out = s;
	return KB_OK;
}

kb_status_t kb_segmenter_add(kb_segmenter_t *s, const char *word, size_t len, unsigned long freq)
{
	size_t offsets[KB_MAX_WORD_CHARS + 1], ends[KB_MAX_WORD_CHARS];
	double costs[KB_MAX_WORD_CHARS + 1];
	size_t chars = 0;
	for (size_t i = 0; i < len; i += utf8_char_len((unsigned char)word[i])) {
		if (chars == KB_MAX_WORD_CHARS)
			return KB_ERR_INVALID_ARG;
		offsets[chars++] = i;
	}
	offsets[chars] = len;
	if (s->map || chars < 2 || len > KB_MAX_WORD_CHARS * 4)
		return KB_ERR_INVALID_ARG;
	double log_total = s->unknown_cost;
	double cost = freq ? log_total - log((double)freq) : 0;
	if (!freq) {
		/* The cut it has now costs costs[0]: a frequency one above what
		 * that cut's probability times the total comes to beats it. */
		double now = kb_segment(s, word, offsets, chars, ends, costs);
		double f = exp(log_total - now) + 1;
		cost = log_total - log(f);
	}
	if (cost < 0)
		cost = 0; /* no likelier than certain */
	for (size_t i = 2; i < chars; i++)
		if (put(s, word, offsets[i], kb_hash_slot(word, offsets[i]), NOT_A_WORD) != 0)
			return KB_ERR_NOMEM;
	uint64_t h = kb_hash_slot(word, len);
	if (put(s, word, len, h, NOT_A_WORD) != 0)
		return KB_ERR_NOMEM;
	find_hashed(s, word, len, h)->cost = (float)cost; /* put() left room */
	return KB_OK;
}

kb_status_t kb_segmenter_save(const kb_segmenter_t *s, const char *path, char **error_message)
{
	*error_message = NULL;
	file_header_t h = {FILE_MAGIC, FILE_VERSION, FILE_BYTE_ORDER, s->mask + 1, s->keys_len,
	                   s->unknown_cost};
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(&h, sizeof h, 1, f) == 1 &&
	         fwrite(s->slots, sizeof *s->slots, s->mask + 1, f) == s->mask + 1 &&
	         fwrite(s->keys, 1, s->keys_len, f) == s->keys_len && fflush(f) == 0 &&
	         fsync(fileno(f)) == 0;
	int saved_errno = errno;
	if (f && fclose(f) != 0 && ok) {
		ok = 0;
		saved_errno = errno;
	}
	if (!ok) {
		*error_message = kb_strdup_printf("cannot write %s: %s", path, strerror(saved_errno));
		return KB_ERR_IO;
	}
	return KB_OK;
}

kb_status_t kb_segmenter_map(const char *path, kb_segmenter_t **out, char **error_message)
{
	*out = NULL;
	*error_message = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*error_message = kb_strdup_printf("cannot read %s: %s", path, strerror(errno));
		return errno == ENOENT ? KB_ERR_NO_INDEX : KB_ERR_IO;
	}
	struct stat sb;
	void *map = MAP_FAILED;
	if (fstat(fd, &sb) == 0 && (size_t)sb.st_size >= sizeof(file_header_t))
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	kb_segmenter_t *s = map != MAP_FAILED ? calloc(1, sizeof *s) : NULL;
	const file_header_t *h = map != MAP_FAILED ? map : NULL;
	size_t len = (size_t)sb.st_size;
	int sound = h && memcmp(h->magic, FILE_MAGIC, sizeof h->magic) == 0 &&
	            h->version == FILE_VERSION && h->byte_order == FILE_BYTE_ORDER &&
	            h->slot_count >= 2 && (h->slot_count & (h->slot_count - 1)) == 0 &&
	            h->slot_count < len / sizeof(slot_t) && h->keys_len <= UINT32_MAX &&
	            sizeof *h + h->slot_count * sizeof(slot_t) + h->keys_len == len;
	if (s && sound) {
		s->map = map;
		s->map_len = len;
		s->slots = (slot_t *)(void *)((char *)map + sizeof *h);
		s->mask = (size_t)h->slot_count - 1;
		s->keys = (unsigned char *)map + sizeof *h + h->slot_count * sizeof(slot_t);
		s->keys_len = (size_t)h->keys_len;
		s->unknown_cost = h->unknown_cost;
	}
	if (!s || !sound) {
		*error_message = s || map == MAP_FAILED
		                     ? kb_strdup_printf("%s is not a word table kb can read", path)
		                     : kb_strdup_printf("out of memory reading %s", path);
		if (map != MAP_FAILED)
			munmap(map, len);
		free(s);
		return s || map == MAP_FAILED ? KB_ERR_CORRUPT : KB_ERR_NOMEM;
	}
	*out = s;
	return KB_OK;
}

void kb_segmenter_warm(const kb_segmenter_t *s)
{
	if (!s || !s->map)
		return;
#ifdef MADV_POPULATE_READ
	/* Fills the page tables in one call where the kernel can (Linux 5.14
	 * on); the touches below then fault no more, and do it elsewhere. */
	madvise(s->map, s->map_len, MADV_POPULATE_READ);
#endif
	long page = sysconf(_SC_PAGESIZE);
	size_t step = page > 0 ? (size_t)page : 4096;
	volatile unsigned char sink = 0;
	for (size_t at = 0; at < s->map_len; at += step)
		sink ^= ((const volatile unsigned char *)s->map)[at];
	(void)sink;
}

int kb_segmenter_is_mapped(const kb_segmenter_t *s)
{
	return s->map != NULL;
}

void kb_segmenter_free(kb_segmenter_t *s)
{
	if (!s)
		return;
	if (s->map) {
		munmap(s->map, s->map_len);
	} else {
		free(s->slots);
		free(s->keys);
	}
	free(s);
}

double kb_segment(const kb_segmenter_t *s, const char *text, const size_t *offsets, size_t n,
                  size_t *ends, double *cost)
{
	/* cost[i]: the least cost of cutting characters i..n; ends[i] the end
	 * of the first word on that cut. */
	cost[n] = 0;
	for (size_t i = n; i-- > 0;) {
		cost[i] = s->unknown_cost + cost[i + 1];
		ends[i] = i + 1;
		for (size_t j = i + 1; j <= n && j - i <= KB_MAX_WORD_CHARS; j++) {
			const slot_t *e = find(s, text + offsets[i], offsets[j] - offsets[i]);
			if ((!e || !e->offset) && j == i + 1)
				continue; /* one character: the table holds no prefixes */
			if (!e || !e->offset)
				break;
			if (e->cost != NOT_A_WORD && e->cost + cost[j] < cost[i]) {
				cost[i] = e->cost + cost[j];
				ends[i] = j;
			}
		}
	}
	/* Keep the ends of the words on the best path only. */
	for (size_t i = 0, next = 0; i < n; i++) {
		if (i == next)
			next = ends[i];
		else
			ends[i] = 0;
	}
	return cost[0];
}
