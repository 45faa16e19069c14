#!/usr/bin/env bash
# run.sh: runs the end-to-end tests, tests/e2e/t[0-9]*.sh, against bin/.
#
#   tests/e2e/run.sh [NAME...]     NAME: a test's file name or its prefix (t03)
#
# Each test runs in a fresh temporary directory (removed afterwards) with
# BIN, ROOT, E2E and T exported (see lib.sh).  Prints "ok NAME" or
# "FAIL NAME" and the failing test's output, then "N passed, N failed".
# Exits 0 only if every test passed.  E2E_TIMEOUT (seconds, default 120)
# bounds one test; E2E_KEEP=1 keeps the temporary directories.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
E2E=$ROOT/tests/e2e
BIN=${BIN:-$ROOT/bin}
BIN=$(cd "$BIN" 2>/dev/null && pwd) || { echo "run.sh: no directory $BIN (run make first)" >&2; exit 2; }
export ROOT E2E BIN

for tool in kb-index kb-query; do
	[ -x "$BIN/$tool" ] || { echo "run.sh: $BIN/$tool is missing (run make first)" >&2; exit 2; }
done
for cmd in jq timeout flock; do
	command -v "$cmd" >/dev/null || { echo "run.sh: '$cmd' is needed (make deps)" >&2; exit 2; }
done

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kb-e2e.XXXXXX") || exit 2
cleanup() {
	if [ "${E2E_KEEP:-}" = 1 ]; then
		echo "run.sh: kept $RUN_DIR" >&2
	else
		rm -rf "$RUN_DIR"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tests=()
for t in "$E2E"/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	if [ $# -gt 0 ]; then
		want=0
		for arg in "$@"; do
			case "$name" in "${arg%.sh}"*) want=1 ;; esac
		done
		[ "$want" = 1 ] || continue
	fi
	tests+=("$t")
done
if [ ${#tests[@]} -eq 0 ]; then
	echo "run.sh: no tests to run" >&2
	echo "0 passed, 0 failed"
	exit 1
fi

passed=0 failed=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	dir=$(mktemp -d "$RUN_DIR/$name.XXXXXX")
	log=$RUN_DIR/$name.log
	start=$(date +%s)
	(cd "$dir" && T=$dir exec timeout -k 5 "${E2E_TIMEOUT:-120}" bash "$t") </dev/null >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok $name"
	else
		failed=$((failed + 1))
		[ "$rc" -eq 124 ] && echo "timed out after ${E2E_TIMEOUT:-120}s" >>"$log"
		echo "FAIL $name"
		echo "    (exit status $rc after ${secs}s)"
		sed 's/^/    /' "$log"
	fi
	[ "${E2E_KEEP:-}" = 1 ] || rm -rf "$dir"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
