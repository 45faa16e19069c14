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
	libxml2-utils jq python3 python3-jieba xapian-tools time
LIBS_PC = xapian-core libxml-2.0 libutf8proc jansson opencc

# Warnings are errors in CI, where the tree must stay clean.
WERROR ?= $(if $(CI),-Werror)
OPTFLAGS ?= -O2 -g
WARN = -Wall -Wextra -pedantic $(WERROR)
PC_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
PC_LIBS = $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -pthread $(WARN) $(OPTFLAGS) \
	-fvisibility=hidden -Iinclude -Ilib $(PC_CFLAGS) $(CFLAGS)
ALL_CXXFLAGS = -std=c++17 $(WARN) $(OPTFLAGS) -fvisibility=hidden \
	-Iinclude -Ilib $(PC_CFLAGS) $(CXXFLAGS)
DEPFLAGS = -MD -MP

B = build
LIB_C = analyze.c array_reserve.c build_jobs.c coverage.c cpu_quota.c custom_words.c dates.c diagnostics.c document.c entry_documents.c entry_reader.c \
	filter_terms.c format.c highlight.c index_dir.c indexer.c input_files.c line_file.c protocol.c \
	query_terms.c searcher.c segment.c serve.c \
	status.c string_set.c synonyms.c tags.c term_counts.c text_bytes.c
LIB_OBJ = $(LIB_C:%.c=$(B)/lib/%.o) $(B)/lib/xapian_shim.o
LIBKB = $(B)/libkb.a
# Where the binaries go; a sanitizer build puts its own elsewhere.  Not
# exported: the e2e tests use OUT for a command's output.
OUT ?= bin
unexport OUT
BINS = $(OUT)/kb-index $(OUT)/kb-query

UNIT_TESTS = $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps check unit e2e demo clean install uninstall help eval bench \
	fuzz fuzz-build fuzz-replay fuzz-deps check-asan check-valgrind
.DEFAULT_GOAL := all

all: $(BINS)

help:
	@echo 'make          build bin/kb-index and bin/kb-query'
	@echo 'make deps     install missing Debian packages (as root), else print the command'
	@echo 'make demo     index corpus/ and run sample queries'
	@echo 'make check    build and run every test'
	@echo 'make fuzz     libFuzzer targets of tests/fuzz, FUZZ_SECONDS (60) each; fuzz-replay: seeds only'
	@echo 'make check-asan      unit and e2e tests built with ASan and UBSan (build/asan)'
	@echo 'make check-valgrind  e2e tests with the binaries under valgrind (build/valgrind)'
	@echo 'make eval     relevance and latency beside the peers (../shared/bench)'
	@echo 'make bench    build, update, latency and memory on scaled corpora (BENCH_SIZES)'
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
	$(CXX) $(LDFLAGS) -pthread $^ $(PC_LIBS) -o $@

$(OUT)/kb-query: $(B)/query/kb-query.o $(LIBKB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -pthread $^ $(PC_LIBS) -o $@

# ---- tests ------------------------------------------------------------
$(B)/tests/%: $(B)/tests/unit/%.o $(B)/tests/unit/fixtures.o $(LIBKB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -pthread $^ $(PC_LIBS) $(CHECK_LIBS) -o $@

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
EVAL_PACKAGES = python3-xapian opencc liblucene8-java default-jdk-headless
eval: all
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(EVAL_PACKAGES)"
	@SHARED=$(SHARED) bench/eval

# ---- speed and memory on scaled corpora ---------------------------------
BENCH_PACKAGES = gnuplot-nox python3-xapian
bench: deps all
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(BENCH_PACKAGES)"
	@SHARED=$(SHARED) bench/run

# ---- install ----------------------------------------------------------
MANDIR = $(PREFIX)/share/man/man1
MANS = docs/man/kb-index.1 docs/man/kb-query.1

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(MANS) $(DESTDIR)$(MANDIR)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/,$(notdir $(MANS)))

clean:
	rm -rf build bin

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- fuzzing and sanitizers (begin) -----------------------------------
# Each build goes to a directory of its own (the objects of one B are only
# ever built with one set of flags) by running this Makefile again with B,
# OUT and the flags overridden; `make clean` removes them all.
#
#   make fuzz            libFuzzer targets tests/fuzz/fuzz_*.c, FUZZ_SECONDS each
#   make fuzz-replay     only their seeds and saved regressions, once
#   make check-asan      unit and e2e tests on an ASan+UBSan build
#   make check-valgrind  e2e tests with the binaries under valgrind

# Debian packages beyond DEB_PACKAGES; installed (or asked for) like `deps`.
FUZZ_PACKAGES ?= clang libclang-rt-dev
VALGRIND_PACKAGES ?= valgrind

# libFuzzer with clang: the library and the targets get coverage
# instrumentation, ASan and UBSan; the targets link libFuzzer's main.
FUZZ_B = $(B)/fuzz
FUZZ_CC ?= clang
FUZZ_CXX ?= clang++
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OPTFLAGS = -O1 -g -fno-omit-frame-pointer $(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link
FUZZ_TARGETS = entry_reader protocol analyze document
FUZZ_SECONDS ?= 60
FUZZ_MAX_LEN_entry_reader = 65536
FUZZ_MAX_LEN_protocol = 4096
FUZZ_MAX_LEN_analyze = 4096
FUZZ_MAX_LEN_document = 4096
FUZZ_MAKE = $(MAKE) --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) \
	OPTFLAGS='$(FUZZ_OPTFLAGS)' WERROR=
FUZZ_RUNS = $(foreach t,$(FUZZ_TARGETS),$(t):$(FUZZ_MAX_LEN_$(t)))

fuzz-deps:
	+@$(MAKE) --no-print-directory deps DEB_PACKAGES='$(DEB_PACKAGES) $(FUZZ_PACKAGES)'

fuzz-build: fuzz-deps
	+@$(FUZZ_MAKE) $(foreach t,$(FUZZ_TARGETS),$(FUZZ_B)/fuzz_$(t))

fuzz: fuzz-build
	@tests/fuzz/run.sh --build $(FUZZ_B) --seconds $(FUZZ_SECONDS) $(FUZZ_RUNS)

fuzz-replay: fuzz-build
	@tests/fuzz/run.sh --build $(FUZZ_B) --replay $(FUZZ_RUNS)

# Used by FUZZ_MAKE, where B is $(FUZZ_B) and LIBKB the instrumented library.
$(B)/fuzz_%: $(B)/tests/fuzz/fuzz_%.o $(LIBKB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -pthread -fsanitize=fuzzer $(FUZZ_SANITIZE) $^ $(PC_LIBS) -o $@

$(B)/tests/fuzz/%.o: tests/fuzz/%.c tests/fuzz/fuzz_util.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -D_GNU_SOURCE $(DEPFLAGS) -c $< -o $@

# ASan and UBSan with the default compilers: library, binaries and unit
# tests under $(ASAN_B), the binaries in $(ASAN_B)/bin.  A sanitized
# process that finds an error exits with status 86 (never one of kb's own),
# so any test that checks a status fails on it.  ASan's reports (leaks
# included) also go to $(ASAN_B)/logs, so that none can hide where a test
# ignores a status or stderr; any report there fails the run.  (UBSan
# halts on its first report, to stderr: GCC's UBSan ignores log_path when
# combined with ASan.)
ASAN_B = $(B)/asan
ASAN_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=undefined
# OUT is not exported: tests/e2e/lib.sh keeps command output in a shell
# variable OUT, which an exported OUT would put into every later command's
# environment (t04's 10,000 lines: "Argument list too long").
ASAN_MAKE = $(MAKE) --no-print-directory --eval='unexport OUT' B=$(ASAN_B) OUT=$(ASAN_B)/bin \
	OPTFLAGS='-O1 -g -fno-omit-frame-pointer $(ASAN_SANITIZE)' LDFLAGS='$(ASAN_SANITIZE)'
ASAN_LOGS = $(abspath $(ASAN_B))/logs

check-asan: deps
	+@$(ASAN_MAKE) all
	@rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS)
	+@export ASAN_OPTIONS=detect_leaks=1:exitcode=86:log_path=$(ASAN_LOGS)/asan \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86; \
	fail=0; \
	echo "check-asan: unit tests"; $(ASAN_MAKE) unit || fail=1; \
	echo "check-asan: e2e tests"; $(ASAN_MAKE) e2e || fail=1; \
	if [ -n "$$(ls -A $(ASAN_LOGS))" ]; then \
		fail=1; echo "check-asan: $$(ls $(ASAN_LOGS) | wc -l) sanitizer reports in $(ASAN_LOGS):"; \
		for f in $(ASAN_LOGS)/*; do echo "---- $$f"; head -40 "$$f"; done; \
	fi; \
	if [ $$fail = 0 ]; then echo "check-asan: clean"; else echo "check-asan: FAILED" >&2; fi; \
	exit $$fail

# The e2e tests with kb-index and kb-query run under valgrind: the binaries
# (-O1 -g) in $(VALGRIND_B)/real, wrappers of the same names in
# $(VALGRIND_B)/bin that run them under valgrind, one log per process in
# $(VALGRIND_B)/logs.  VALGRIND_TESTS names the e2e tests (run.sh
# prefixes): about 8 minutes.  t06 (kill -9 at many moments) and t07 (a
# server under load during reindexes) index thousands of entries many times
# and are timing tests; they are left out.
VALGRIND_B = $(B)/valgrind
VALGRIND ?= valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
VALGRIND_TESTS ?= t01 t02 t03 t04 t05

check-valgrind:
	+@$(MAKE) --no-print-directory deps DEB_PACKAGES='$(DEB_PACKAGES) $(VALGRIND_PACKAGES)'
	+@$(MAKE) --no-print-directory B=$(VALGRIND_B) OUT=$(VALGRIND_B)/real OPTFLAGS='-O1 -g' all
	@VALGRIND='$(VALGRIND)' tests/fuzz/valgrind-e2e.sh $(VALGRIND_B) $(VALGRIND_TESTS)
# ---- fuzzing and sanitizers (end) -------------------------------------
