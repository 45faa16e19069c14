/* entry_reader.c: streams <entry> elements out of an XML file with
 * libxml2's reader, one subtree in memory at a time, and validates each.
 *
 * Safety: the parser runs with XML_PARSE_NONET and without NOENT or DTDLOAD,
 * so nothing outside the file is ever fetched; a DOCTYPE is rejected before
 * any entity could be used, and an entity reference inside an entry is an
 * error, never expanded.  The entry format has no use for either. */
#include "entry.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

typedef struct reader_ctx {
	const char *file;
	kb_diagnostics_t *diags;
	int quiet;          /* the second, recovering pass repeats the first's errors */
} reader_ctx_t;

/* libxml2's messages end in a newline, may span lines ("...encoding !\nBytes:
 * 0xFF") and carry trailing blanks: made into one line. */
static void report_libxml_error(void *arg, xmlErrorPtr err)
{
	reader_ctx_t *ctx = arg;
	if (!err || err->level == XML_ERR_WARNING || ctx->quiet)
		return;
	char *msg = strdup(err->message ? err->message : "malformed XML");
	if (!msg)
		return;
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	for (char *c = msg; *c; c++)
		if (*c == '\n')
			*c = ' ';
	kb_diag_add(ctx->diags, ctx->file, err->line > 0 ? err->line : 1, "%s", msg);
	free(msg);
}

/* Some libxml2 paths report through the generic handler instead; the
 * structured handler sees those errors too, so these are dropped rather
 * than printed (the library never prints). */
static void ignore_generic_error(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static int is_blank(const xmlChar *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

/* ---- one entry ------------------------------------------------------- */

typedef struct entry_builder {
	reader_ctx_t *ctx;
	kb_entry_t e;
	long line;
	int errors;
	/* Every string the entry points at, freed after the callback. */
	char **owned;
	size_t owned_count, owned_cap;
	int titles, categories, keywords, valids;
	int default_answers;  /* <answer>s without audience, valid or not */
} entry_builder_t;

static void problem(entry_builder_t *b, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(entry_builder_t *b, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = kb_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (b->e.id)
		kb_diag_add(b->ctx->diags, b->ctx->file, line, "entry '%s': %s", b->e.id,
		            msg ? msg : "out of memory");
	else
		kb_diag_add(b->ctx->diags, b->ctx->file, line, "%s", msg ? msg : "out of memory");
	free(msg);
	b->errors++;
}

static char *own(entry_builder_t *b, char *s)
{
	if (!s)
		return NULL;
	if (b->owned_count == b->owned_cap) {
		size_t cap = b->owned_cap ? b->owned_cap * 2 : 32;
		char **o = realloc(b->owned, cap * sizeof *o);
		if (!o) {
			free(s);
			return NULL;
		}
		b->owned = o;
		b->owned_cap = cap;
	}
	b->owned[b->owned_count++] = s;
	return s;
}

static long line_of(xmlNodePtr n)
{
	long line = xmlGetLineNo(n);
	return line > 0 ? line : 1;
}

/* The line of a text node's first visible character, where the editor
 * wants to be sent.  libxml2 numbers a text node by wherever the parser was
 * when it delivered the characters, so count back from the element that
 * follows it, whose line is that of its start tag, when there is one. */
static long text_line(xmlNodePtr n)
{
	long line = n->next && n->next->type == XML_ELEMENT_NODE ? line_of(n->next) : line_of(n);
	const xmlChar *s = n->content;
	while (s && *s && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	for (; s && *s; s++)
		line -= *s == '\n';
	return line > 0 ? line : 1;
}

/* The text of an element that may hold only text, trimmed; NULL (after
 * reporting) if it holds elements or entity references. */
static char *element_text(entry_builder_t *b, xmlNodePtr el, int keep_inner_breaks)
{
	size_t len = 0, cap = 64;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	for (xmlNodePtr c = el->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			size_t n = strlen((const char *)c->content);
			if (len + n + 1 > cap) {
				while (len + n + 1 > cap)
					cap *= 2;
				char *t = realloc(s, cap);
				if (!t) {
					free(s);
					return NULL;
				}
				s = t;
			}
			memcpy(s + len, c->content, n);
			len += n;
		} else if (c->type == XML_ELEMENT_NODE) {
			problem(b, line_of(c), "<%s> may hold only text, not <%s>", el->name, c->name);
			free(s);
			return NULL;
		} else if (c->type == XML_ENTITY_REF_NODE) {
			problem(b, line_of(c), "entity reference '&%s;' is not allowed (use the character itself)",
			        c->name);
			free(s);
			return NULL;
		}
	}
	s[len] = '\0';
	/* Trim; a question or tag also gets its inner runs of white space
	 * folded to one space, an answer keeps its line breaks. */
	char *start = s;
	while (*start == ' ' || *start == '\t' || *start == '\n' || *start == '\r')
		start++;
	char *end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	*end = '\0';
	if (!keep_inner_breaks) {
		char *w = s;
		int space = 0;
		for (char *r = start; *r; r++) {
			int ws = *r == ' ' || *r == '\t' || *r == '\n' || *r == '\r';
			if (ws) {
				space = 1;
				continue;
			}
			if (space && w > s)
				*w++ = ' ';
			space = 0;
			*w++ = *r;
		}
		*w = '\0';
	} else if (start != s) {
		memmove(s, start, (size_t)(end - start) + 1);
	}
	return own(b, s);
}

static char *attr(entry_builder_t *b, xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = strdup((const char *)v);
	xmlFree(v);
	return own(b, s);
}

static int check_attributes(entry_builder_t *b, xmlNodePtr n, const char *const *allowed)
{
	int ok = 1;
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		int known = 0;
		for (const char *const *p = allowed; *p; p++)
			known |= a->ns == NULL && strcmp((const char *)a->name, *p) == 0;
		if (!known) {
			problem(b, line_of(n), "unknown attribute '%s' on <%s>", a->name, n->name);
			ok = 0;
		}
	}
	return ok;
}

/* Text of a field with a byte limit; NULL after reporting when invalid. */
static const char *field(entry_builder_t *b, xmlNodePtr el, size_t max, int allow_empty)
{
	static const char *const none[] = {NULL};
	check_attributes(b, el, none);
	char *s = element_text(b, el, 0);
	if (!s)
		return NULL;
	if (!allow_empty && !*s) {
		problem(b, line_of(el), "<%s> is empty", el->name);
		return NULL;
	}
	if (strlen(s) > max) {
		problem(b, line_of(el), "<%s> is longer than the limit of %zu bytes", el->name, max);
		return NULL;
	}
	return s;
}

static void add_tag(entry_builder_t *b, xmlNodePtr el, const char **tags, size_t *count,
                    int is_audience)
{
	const char *v = field(b, el, KB_MAX_QUESTION_BYTES, 0);
	if (!v)
		return;
	if (is_audience && !kb_tag_is_valid(v)) {
		problem(b, line_of(el),
		        "audience '%s' is not a tag: use lowercase ASCII letters, digits, '-' or '_' (like 'elderly')",
		        v);
		return;
	}
	for (size_t i = 0; i < *count; i++)
		if (strcmp(tags[i], v) == 0) {
			problem(b, line_of(el), "<%s>%s</%s> is given twice", el->name, v, el->name);
			return;
		}
	if (*count == KB_MAX_TAGS) {
		problem(b, line_of(el), "more than %d <%s> elements", KB_MAX_TAGS, el->name);
		return;
	}
	tags[(*count)++] = v;
}

static void add_answer(entry_builder_t *b, xmlNodePtr el)
{
	static const char *const allowed[] = {"audience", NULL};
	check_attributes(b, el, allowed);
	const char *aud = attr(b, el, "audience");
	b->default_answers += aud == NULL;
	if (aud && !kb_tag_is_valid(aud)) {
		problem(b, line_of(el),
		        "answer audience '%s' is not a tag: use lowercase ASCII letters, digits, '-' or '_'",
		        aud);
		return;
	}
	char *text = element_text(b, el, 1);
	if (!text)
		return;
	if (!*text) {
		problem(b, line_of(el), "<answer%s%s%s> is empty", aud ? " audience=\"" : "",
		        aud ? aud : "", aud ? "\"" : "");
		return;
	}
	if (strlen(text) > KB_MAX_ANSWER_BYTES) {
		problem(b, line_of(el), "<answer> is longer than the limit of %d bytes",
		        KB_MAX_ANSWER_BYTES);
		return;
	}
	for (size_t i = 0; i < b->e.answer_count; i++) {
		const char *other = b->e.answers[i].audience;
		if ((!aud && !other) || (aud && other && strcmp(aud, other) == 0)) {
			if (aud)
				problem(b, line_of(el), "a second <answer audience=\"%s\">", aud);
			else
				problem(b, line_of(el),
				        "a second default <answer> (only one answer may have no audience)");
			return;
		}
	}
	if (b->e.answer_count == KB_MAX_ANSWERS) {
		problem(b, line_of(el), "more than %d <answer> elements", KB_MAX_ANSWERS);
		return;
	}
	b->e.answers[b->e.answer_count++] = (kb_answer_t){aud, text};
}

static void add_valid(entry_builder_t *b, xmlNodePtr el)
{
	static const char *const allowed[] = {"from", "until", NULL};
	check_attributes(b, el, allowed);
	if (++b->valids > 1) {
		problem(b, line_of(el), "more than one <valid>");
		return;
	}
	const char *from = attr(b, el, "from"), *until = attr(b, el, "until");
	int ok = 1;
	if (!from && !until) {
		problem(b, line_of(el), "<valid> needs a 'from' or an 'until' date");
		ok = 0;
	}
	if (from && !kb_date_is_valid(from)) {
		problem(b, line_of(el), "valid from '%s' is not a date like 2026-01-31", from);
		ok = 0;
	}
	if (until && !kb_date_is_valid(until)) {
		problem(b, line_of(el), "valid until '%s' is not a date like 2026-12-31", until);
		ok = 0;
	}
	if (ok && from && until && strcmp(from, until) > 0) {
		problem(b, line_of(el), "valid from %s is after until %s", from, until);
		ok = 0;
	}
	if (ok) {
		b->e.valid_from = from;
		b->e.valid_until = until;
	}
	for (xmlNodePtr c = el->children; c; c = c->next)
		if (c->type != XML_COMMENT_NODE && !(c->type == XML_TEXT_NODE && is_blank(c->content))) {
			problem(b, line_of(el), "<valid> takes only attributes, like <valid from=\"2026-01-01\"/>");
			break;
		}
}

static void add_child(entry_builder_t *b, xmlNodePtr c)
{
	const char *name = (const char *)c->name;
	if (c->ns) {
		problem(b, line_of(c), "unknown element <%s:%s>", c->ns->prefix ? (const char *)c->ns->prefix : "", name);
	} else if (strcmp(name, "title") == 0) {
		if (++b->titles > 1)
			problem(b, line_of(c), "more than one <title> (put other wordings in <alt>)");
		else
			b->e.title = field(b, c, KB_MAX_QUESTION_BYTES, 0);
	} else if (strcmp(name, "alt") == 0) {
		const char *v = field(b, c, KB_MAX_QUESTION_BYTES, 0);
		if (v && b->e.alt_count == KB_MAX_ALTS)
			problem(b, line_of(c), "more than %d <alt> elements", KB_MAX_ALTS);
		else if (v)
			b->e.alts[b->e.alt_count++] = v;
	} else if (strcmp(name, "category") == 0) {
		if (++b->categories > 1)
			problem(b, line_of(c), "more than one <category>");
		else
			b->e.category = field(b, c, KB_MAX_QUESTION_BYTES, 0);
	} else if (strcmp(name, "keywords") == 0) {
		if (++b->keywords > 1)
			problem(b, line_of(c), "more than one <keywords>");
		else
			b->e.keywords = field(b, c, KB_MAX_QUESTION_BYTES, 1);
	} else if (strcmp(name, "audience") == 0) {
		add_tag(b, c, b->e.audiences, &b->e.audience_count, 1);
	} else if (strcmp(name, "region") == 0) {
		add_tag(b, c, b->e.regions, &b->e.region_count, 0);
	} else if (strcmp(name, "valid") == 0) {
		add_valid(b, c);
	} else if (strcmp(name, "answer") == 0) {
		add_answer(b, c);
	} else {
		problem(b, line_of(c),
		        "unknown element <%s> (expected title, alt, category, keywords, audience, region, valid or answer)",
		        name);
	}
}

static void check_id(entry_builder_t *b, kb_string_set_t *ids)
{
	const char *id = b->e.id;
	size_t n = strlen(id);
	int ok = n >= 1 && n <= 64;
	for (size_t i = 0; ok && i < n; i++) {
		char c = id[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '.' || c == '_' || c == ':' || c == '-';
	}
	if (!ok) {
		const char *bad = id;
		b->e.id = NULL; /* the message names it; don't prefix it too */
		problem(b, b->line, "entry id '%s' must be 1 to 64 of A-Z a-z 0-9 . _ : -", bad);
		b->e.id = bad;
		return;
	}
	char *where = kb_strdup_printf("%s:%ld", b->ctx->file, b->line);
	int added = where ? kb_string_set_add(ids, id, where) : -1;
	free(where);
	if (added == 0)
		problem(b, b->line, "duplicate id (first defined at %s)", kb_string_set_get(ids, id));
	else if (added < 0)
		problem(b, b->line, "out of memory");
}

static kb_status_t read_entry(reader_ctx_t *ctx, xmlNodePtr n, kb_string_set_t *ids,
                              kb_entry_fn fn, void *fn_ctx)
{
	entry_builder_t b = {.ctx = ctx, .line = line_of(n)};
	b.e.file = ctx->file;
	b.e.line = b.line;
	static const char *const allowed[] = {"id", "status", "updated", NULL};
	b.e.id = attr(&b, n, "id");
	if (!b.e.id)
		problem(&b, b.line, "<entry> has no id attribute");
	else
		check_id(&b, ids);
	check_attributes(&b, n, allowed);
	b.e.status = attr(&b, n, "status");
	if (!b.e.status)
		b.e.status = "published";
	else if (strcmp(b.e.status, "published") && strcmp(b.e.status, "draft") &&
	         strcmp(b.e.status, "retired"))
		problem(&b, b.line, "status '%s' is not one of published, draft, retired", b.e.status);
	b.e.updated = attr(&b, n, "updated");
	if (b.e.updated && !kb_date_is_valid(b.e.updated))
		problem(&b, b.line, "updated '%s' is not a date like 2026-11-01", b.e.updated);

	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			add_child(&b, c);
		else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		         !is_blank(c->content))
			problem(&b, text_line(c), "text directly inside <entry> (put it in an element)");
		else if (c->type == XML_ENTITY_REF_NODE)
			problem(&b, line_of(c), "entity reference '&%s;' is not allowed", c->name);
	}
	if (b.titles == 0)
		problem(&b, b.line, "missing <title> (the standard question)");
	if (!b.default_answers)
		problem(&b, b.line, "missing default <answer> (one answer without an audience attribute)");

	kb_status_t st = KB_OK;
	if (b.errors == 0 && fn)
		st = fn(fn_ctx, &b.e);
	for (size_t i = 0; i < b.owned_count; i++)
		free(b.owned[i]);
	free(b.owned);
	return st;
}

/* ---- the file -------------------------------------------------------- */

/* Looks at the file's prolog before libxml2 does: an empty or non-XML file
 * gets a plain message, and a DOCTYPE (the only way to declare entities) is
 * refused before the parser could expand or fetch anything.  It streams
 * through the XML declaration, comments and processing instructions up to
 * the first element, however long they are. */
static int skip_past(FILE *f, const char *close, long *line)
{
	size_t matched = 0, n = strlen(close);
	int c;
	while ((c = getc(f)) != EOF) {
		*line += c == '\n';
		matched = c == close[matched] ? matched + 1 : (c == close[0] ? 1 : 0);
		if (matched == n)
			return 1;
	}
	return 0;
}

static int check_prolog(const char *file, kb_diagnostics_t *diags)
{
	FILE *f = fopen(file, "rb");
	if (!f) {
		kb_diag_add(diags, file, 0, "cannot open: %s", strerror(errno));
		return 0;
	}
	long line = 1;
	int c, ok = 0, any = 0;
	unsigned char bom[3];
	size_t got = fread(bom, 1, 3, f);
	if (!(got == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF))
		rewind(f);
	for (;;) {
		while ((c = getc(f)) == ' ' || c == '\t' || c == '\r' || c == '\n') {
			any = 1;
			line += c == '\n';
		}
		if (c == EOF) {
			kb_diag_add(diags, file, line, any || got ? "no <kb> root element"
			                                          : "the file is empty (expected <kb> with entries)");
			break;
		}
		if (c != '<') {
			kb_diag_add(diags, file, line, "not an XML file (expected '<', the start of <kb>)");
			break;
		}
		char next[9] = {0};
		size_t k = fread(next, 1, 8, f);
		if (k >= 1 && next[0] == '?') {
			fseek(f, -(long)k + 1, SEEK_CUR);
			if (!skip_past(f, "?>", &line))
				break; /* unterminated: the parser says so */
		} else if (k >= 3 && memcmp(next, "!--", 3) == 0) {
			fseek(f, -(long)k + 3, SEEK_CUR);
			if (!skip_past(f, "-->", &line))
				break;
		} else if (k >= 8 && memcmp(next, "!DOCTYPE", 8) == 0) {
			kb_diag_add(diags, file, line,
			            "DOCTYPE declarations are not allowed in knowledge files (no DTDs, no entities)");
			break;
		} else {
			ok = 1; /* the root element: the parser takes over */
			break;
		}
	}
	fclose(f);
	return ok;
}

/* Runs on the whole tree of a file the streaming pass could not finish
 * (a well-formedness error): libxml2 recovers what it can, so that the
 * entries before and after the error are still validated and reported.
 * The first skip entries were validated already.  Nothing recovered is
 * handed on: the file is broken, and what libxml2 made of it (bytes of a
 * wrong encoding, guessed tags) is not what the editor wrote. */
static kb_status_t recover_entries(reader_ctx_t *rc, size_t skip, kb_string_set_t *ids)
{
	rc->quiet = 1;
	xmlSetStructuredErrorFunc(rc, report_libxml_error);
	xmlDocPtr doc = xmlReadFile(rc->file, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES |
	                                                XML_PARSE_RECOVER);
	xmlSetStructuredErrorFunc(NULL, NULL);
	kb_status_t st = KB_OK;
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (root && strcmp((const char *)root->name, "kb") != 0)
		root = NULL; /* the streaming pass said so already */
	size_t seen = 0;
	for (xmlNodePtr n = root ? root->children : NULL; n && st == KB_OK; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "entry") != 0)
			continue;
		if (seen++ >= skip)
			st = read_entry(rc, n, ids, NULL, NULL);
	}
	xmlFreeDoc(doc);
	rc->quiet = 0;
	return st;
}

void kb_entry_reader_init(void)
{
	xmlInitParser();
}

kb_status_t kb_read_entries(const char *file, kb_string_set_t *ids,
                            kb_diagnostics_t *diags, kb_entry_fn fn, void *ctx)
{
	reader_ctx_t rc = {file, diags, 0};
	size_t first = diags->count;
	if (!check_prolog(file, diags))
		return KB_OK;
	xmlSetGenericErrorFunc(NULL, ignore_generic_error);
	xmlTextReaderPtr r = xmlReaderForFile(file, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	if (!r) {
		kb_diag_add(diags, file, 0, "cannot open or read this file");
		xmlSetGenericErrorFunc(NULL, NULL);
		return KB_OK;
	}
	xmlTextReaderSetStructuredErrorHandler(r, report_libxml_error, &rc);
	kb_status_t st = KB_OK;
	size_t entries = 0;
	int seen_root = 0, ret = xmlTextReaderRead(r);
	while (ret == 1 && st == KB_OK) {
		int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
		xmlNodePtr node = xmlTextReaderCurrentNode(r);
		long line = node ? line_of(node) : 1;
		const char *name = (const char *)xmlTextReaderConstLocalName(r);
		if (depth == 0 && type == XML_READER_TYPE_ELEMENT) {
			if (seen_root || strcmp(name, "kb") != 0 || xmlTextReaderConstPrefix(r)) {
				kb_diag_add(diags, file, line, "the root element must be <kb>, not <%s>", name);
				break;
			}
			seen_root = 1;
		} else if (depth == 1 && type == XML_READER_TYPE_ELEMENT) {
			if (strcmp(name, "entry") == 0 && !xmlTextReaderConstPrefix(r)) {
				xmlNodePtr entry = xmlTextReaderExpand(r);
				if (!entry) {
					ret = -1; /* the parser reported why */
					break;
				}
				st = read_entry(&rc, entry, ids, fn, ctx);
				entries++;
			} else {
				kb_diag_add(diags, file, line, "unknown element <%s> in <kb> (expected <entry>)",
				            name);
			}
			ret = xmlTextReaderNext(r);
			continue;
		} else if (depth == 1 && (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA)) {
			kb_diag_add(diags, file, node ? text_line(node) : line,
			            "text directly inside <kb> (put it in an <entry>)");
		} else if (type == XML_READER_TYPE_ENTITY_REFERENCE) {
			kb_diag_add(diags, file, line, "entity references are not allowed");
		}
		ret = xmlTextReaderRead(r);
	}
	xmlFreeTextReader(r);
	if (ret < 0 && st == KB_OK) {
		st = recover_entries(&rc, entries, ids);
		kb_diag_sort_lines(diags, first, file);
	}
	xmlSetGenericErrorFunc(NULL, NULL);
	return st;
}
