# lib.sh: helpers shared by the end-to-end tests (sourced, not run).
#
# run.sh starts each test in a fresh temporary directory (its working
# directory, also $T) with BIN (the directory holding kb-index and kb-query),
# ROOT (the repository) and E2E (this directory) exported.  A test calls the
# assertions below, which print what went wrong and count failures but do not
# stop the test, and ends with `finish`, whose exit status run.sh reports.

set -uo pipefail

: "${BIN:?BIN must name the directory holding kb-index and kb-query}"
: "${ROOT:?ROOT must name the repository}"
E2E=${E2E:-$ROOT/tests/e2e}
FIX=$E2E/fixtures
T=${T:-$PWD}
KB_INDEX=$BIN/kb-index
KB_QUERY=$BIN/kb-query
# Tests must not depend on the caller's environment.
unset KB_DB NO_COLOR
export LC_ALL=C.UTF-8 TERM=dumb

# The date the shipped corpus is judged on (see corpus-rankings.tsv): every
# query on the shipped corpus pins it with --at, so that the results do not
# change when the promotions in the corpus start or end.
CORPUS_DATE=${CORPUS_DATE:-2026-11-23}

FAILURES=0
CHECKS=0

fail() {
	FAILURES=$((FAILURES + 1))
	printf 'not ok: %s\n' "$*" >&2
}

pass() {
	CHECKS=$((CHECKS + 1))
}

# assert_eq EXPECTED ACTUAL WHAT
assert_eq() {
	if [ "$1" == "$2" ]; then
		pass
	else
		fail "$3"
		printf '  expected: %s\n  actual:   %s\n' "$1" "$2" >&2
	fi
}

# assert_contains HAYSTACK NEEDLE WHAT
assert_contains() {
	case "$1" in
	*"$2"*) pass ;;
	*) fail "$3"; printf '  expected to contain: %s\n  in: %s\n' "$2" "$1" >&2 ;;
	esac
}

# assert_not_contains HAYSTACK NEEDLE WHAT
assert_not_contains() {
	case "$1" in
	*"$2"*) fail "$3"; printf '  expected NOT to contain: %s\n  in: %s\n' "$2" "$1" >&2 ;;
	*) pass ;;
	esac
}

# assert_match STRING ERE WHAT
assert_match() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		pass
	else
		fail "$3"
		printf '  expected to match: %s\n  actual: %s\n' "$2" "$1" >&2
	fi
}

# assert_file_eq EXPECTED_FILE ACTUAL_FILE WHAT: byte-exact, shows a diff.
assert_file_eq() {
	if cmp -s -- "$1" "$2"; then
		pass
	else
		fail "$3"
		diff -u --label "expected ($1)" --label "actual" -- "$1" "$2" | head -60 | cut -c1-400 >&2
	fi
}

# run_cmd CMD...: runs CMD, stdout into $T/out ($OUT), stderr into $T/err
# ($ERR), status into $RC.  Never fails by itself.
run_cmd() {
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	return 0
}

# expect_exit CODE CMD...: runs CMD like run_cmd and checks its exit status.
expect_exit() {
	local want=$1
	shift
	run_cmd "$@"
	if [ "$RC" == "$want" ]; then
		pass
	else
		fail "exit status $RC, expected $want: $*"
		printf '  stdout: %s\n  stderr: %s\n' "$(head -c 2000 "$T/out")" "$(head -c 2000 "$T/err")" >&2
	fi
}

# normalize: protocol output (JSON Lines on stdin) without the fields that
# change from run to run.  Lines that are not JSON make it fail loudly.
normalize() {
	jq -c 'del(.took_us, .match_us) | if .hits then .hits |= map(del(.score)) else . end'
}

# current_gen DB: the generation the "current" link of an index names.
current_gen() {
	readlink -- "$1/current" || echo "(no current link)"
}

# build_index DB PATH...: builds an index quietly; a failure is a test failure.
build_index() {
	local db=$1
	shift
	if ! "$KB_INDEX" --quiet --db "$db" "$@" >"$T/build.out" 2>&1; then
		fail "kb-index --db $db $* failed"
		cat "$T/build.out" >&2
		return 1
	fi
}

# hit_ids: the ids of the hits of one protocol response, space-separated.
hit_ids() {
	jq -r '[.hits[]?.id] | join(" ")'
}

finish() {
	if [ "$FAILURES" -gt 0 ]; then
		echo "$FAILURES of $((CHECKS + FAILURES)) checks failed" >&2
		exit 1
	fi
	echo "$CHECKS checks passed"
	exit 0
}
