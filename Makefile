# kb: one non-recursive Makefile.  `make help` lists the targets.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin

CC ?= cc
CXX ?= g++
PKG_CONFIG ?= pkg-config

# The Debian packages kb builds, tests and runs with.
DEB_PACKAGES = build-essential pkg-config g++ libxapian-dev libxml2-dev \
	libutf8proc-dev libjansson-dev libopencc-dev libopencc-data check \
	libxml2-utils jq python3 xapian-tools
LIBS_PC = xapian-core libxml-2.0 libutf8proc jansson opencc

# Warnings are errors in CI, where the tree must stay clean.
WERROR ?= $(if $(CI),-Werror)
OPTFLAGS ?= -O2 -g
WARN = -Wall -Wextra -pedantic $(WERROR)
PC_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
PC_LIBS = $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(OPTFLAGS) \
	-fvisibility=hidden -Iinclude -Ilib $(PC_CFLAGS) $(CFLAGS)
ALL_CXXFLAGS = -std=c++17 $(WARN) $(OPTFLAGS) -fvisibility=hidden \
	-Iinclude -Ilib $(PC_CFLAGS) $(CXXFLAGS)
DEPFLAGS = -MD -MP

B = build
LIB_C = analyze.c dates.c diagnostics.c document.c entry_reader.c format.c \
	highlight.c index_dir.c indexer.c protocol.c query_terms.c searcher.c serve.c \
	status.c string_set.c synonyms.c tags.c
LIB_OBJ = $(LIB_C:%.c=$(B)/lib/%.o) $(B)/lib/xapian_shim.o
LIBKB = $(B)/libkb.a
# Where the binaries go; a sanitizer build puts its own elsewhere.
OUT ?= bin
BINS = $(OUT)/kb-index $(OUT)/kb-query

UNIT_TESTS = $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps check unit e2e demo clean install uninstall help eval
.DEFAULT_GOAL := all

all: $(BINS)

help:
	@echo 'make          build bin/kb-index and bin/kb-query'
	@echo 'make deps     install missing Debian packages (as root), else print the command'
	@echo 'make demo     index corpus/ and run sample queries'
	@echo 'make check    build and run every test'
	@echo 'make eval     relevance and latency beside the peers (../shared/bench)'
	@echo 'make install  PREFIX=/usr/local DESTDIR='
	@echo 'make clean'

# ---- dependencies -----------------------------------------------------
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "deps: installing $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
			|| { echo "deps: apt-get failed" >&2; exit 1; }; \
	else \
		echo "deps: missing Debian packages; run:" >&2; \
		echo "  sudo apt-get install -y $$missing" >&2; exit 1; \
	fi

# ---- build ------------------------------------------------------------
$(B)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/lib/xapian_shim.o: lib/xapian_shim.cc
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) $(DEPFLAGS) -c $< -o $@

$(LIBKB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

# Linked by the C++ driver: libxapian and the shim need the C++ runtime.
$(OUT)/kb-index: $(B)/indexer/kb-index.o $(LIBKB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ $(PC_LIBS) -o $@

$(OUT)/kb-query: $(B)/query/kb-query.o $(LIBKB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ $(PC_LIBS) -o $@

# ---- tests ------------------------------------------------------------
$(B)/tests/%: $(B)/tests/unit/%.o $(B)/tests/unit/fixtures.o $(LIBKB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ $(PC_LIBS) $(CHECK_LIBS) -o $@

$(B)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(DEPFLAGS) -c $< -o $@

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS)
	@$(MAKE) --no-print-directory unit e2e

unit: $(UNIT_TESTS)
	@fail=0; for t in $(UNIT_TESTS); do \
		CK_DEFAULT_TIMEOUT=60 KB_TEST_DATA=tests/unit/data $$t || fail=1; \
	done; exit $$fail

e2e: $(BINS)
	@BIN=$(OUT) tests/e2e/run.sh

# ---- demo -------------------------------------------------------------
DEMO_DB = $(B)/demo-db

demo: deps
	@$(MAKE) --no-print-directory all
	@tests/e2e/demo.sh $(DEMO_DB)

# ---- relevance and latency beside the peers ---------------------------
SHARED ?= ../shared
EVAL_SETS ?= lcqmc-faq atec-faq
EVAL_ARGS ?=
eval: all
	@for set in $(EVAL_SETS); do \
		$(SHARED)/bench/kb-eval --set $(SHARED)/data/$$set $(EVAL_ARGS) --compare \
		'kb=bin/kb-index --quiet --db {db} {corpus}|bin/kb-query --db {db} --serve' \
		'xapian-ngram=$(SHARED)/bench/peers/xapian-ngram index --db {db} {corpus}|$(SHARED)/bench/peers/xapian-ngram serve --db {db}' \
		'sqlite-fts5=$(SHARED)/bench/peers/sqlite-fts5 index --db {db}/kb.sqlite {corpus}|$(SHARED)/bench/peers/sqlite-fts5 serve --db {db}/kb.sqlite' \
		|| exit 1; \
	done

# ---- install ----------------------------------------------------------
install: $(BINS)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS)))

clean:
	rm -rf build bin

-include $(shell find $(B) -name '*.d' 2>/dev/null)
