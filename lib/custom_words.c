/* custom_words.c: reading the editors' words and adding them to the word
 * table (see custom_words.h). */
#include "custom_words.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "kb-private.h"
#include "line_file.h"
#include "segment.h"

/* How many bytes of w a message quotes: its first 16 characters. */
static int quoted(const char *w)
{
	size_t i = 0;
	for (int chars = 0; w[i] && chars < 16; chars++) {
		i++;
		while ((w[i] & 0xC0) == 0x80)
			i++;
	}
	return (int)i;
}

/* Checks one folded word; 0 if it has a problem (reported). */
static int word_is_valid(const char *file, long line_no, const char *w, kb_diagnostics_t *diags)
{
	size_t chars = 0;
	for (size_t i = 0, n = strlen(w); i < n; chars++) {
		int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)w + i,
		                                      (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0 || !kb_is_han(cp)) {
			kb_diag_add(diags, file, line_no,
			            "'%.*s%s' is not a word of Han characters (words of letters and "
			            "digits are words already)",
			            quoted(w), w, w[quoted(w)] ? "..." : "");
			return 0;
		}
		i += (size_t)k;
	}
	if (chars < 2 || chars > KB_MAX_WORD_CHARS) {
		kb_diag_add(diags, file, line_no, "'%.*s%s' has %zu character%s: a word has 2 to %d",
		            quoted(w), w, w[quoted(w)] ? "..." : "", chars, chars == 1 ? "" : "s",
		            KB_MAX_WORD_CHARS);
		return 0;
	}
	return 1;
}

typedef struct word_reader {
	const char *file;
	kb_diagnostics_t *diags;
	char **stored;
	size_t len;
} word_reader_t;

/* One line, folded: "word" or "word frequency".  Appends it to the stored
 * form, or reports its problem. */
static kb_status_t add_word(void *ctx, long line_no, char *line)
{
	word_reader_t *r = ctx;
	const char *file = r->file;
	kb_diagnostics_t *diags = r->diags;
	char *save = NULL;
	char *word = strtok_r(line, " \t\r", &save);
	char *freq_text = strtok_r(NULL, " \t\r", &save);
	char *extra = strtok_r(NULL, " \t\r", &save);
	if (extra) {
		kb_diag_add(diags, file, line_no,
		            "expected a word and at most a frequency, found '%.*s%s' after them",
		            quoted(extra), extra, extra[quoted(extra)] ? "..." : "");
		return KB_OK;
	}
	if (!word_is_valid(file, line_no, word, diags))
		return KB_OK;
	unsigned long freq = 0;
	if (freq_text) {
		char *end;
		errno = 0;
		freq = strtoul(freq_text, &end, 10);
		if (*end || errno || freq < 1 || freq > KB_MAX_CUSTOM_WORD_FREQ ||
		    !(freq_text[0] >= '0' && freq_text[0] <= '9')) {
			kb_diag_add(diags, file, line_no,
			            "frequency '%.*s%s' is not a whole number from 1 to %lu",
			            quoted(freq_text), freq_text, freq_text[quoted(freq_text)] ? "..." : "",
			            KB_MAX_CUSTOM_WORD_FREQ);
			return KB_OK;
		}
	}
	char *entry = kb_strdup_printf("%s %lu\n", word, freq);
	char *grown = entry ? realloc(*r->stored, r->len + strlen(entry) + 1) : NULL;
	if (!grown) {
		free(entry);
		return KB_ERR_NOMEM;
	}
	*r->stored = grown;
	memcpy(*r->stored + r->len, entry, strlen(entry) + 1);
	r->len += strlen(entry);
	free(entry);
	return KB_OK;
}

kb_status_t kb_custom_words_read(kb_analyzer_t *a, const char *file, kb_diagnostics_t *diags,
                                 char **stored)
{
	word_reader_t r = {file, diags, stored, *stored ? strlen(*stored) : 0};
	return kb_read_lines(a, file, diags, KB_MAX_CUSTOM_WORDS, "words", add_word, &r);
}

kb_status_t kb_custom_words_apply(kb_analyzer_t *a, const char *stored)
{
	kb_status_t st = KB_OK;
	for (const char *p = stored; st == KB_OK && p && *p;) {
		const char *space = strchr(p, ' '), *eol = strchr(p, '\n');
		if (!space || !eol || space > eol)
			return KB_ERR_CORRUPT;
		st = kb_analyzer_add_word(a, p, (size_t)(space - p), strtoul(space + 1, NULL, 10));
		p = eol + 1;
	}
	return st;
}
