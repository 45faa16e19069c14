#!/usr/bin/env bash
# valgrind-e2e.sh: the end-to-end tests with kb-index and kb-query run
# under valgrind (`make check-valgrind` builds DIR/real first).
#
#   tests/fuzz/valgrind-e2e.sh DIR [TEST...]
#
# DIR/real holds the binaries; this writes DIR/bin/kb-index and
# DIR/bin/kb-query, which exec $VALGRIND on them with one log per process
# in DIR/logs, and runs tests/e2e/run.sh TEST... (all without TESTs) with
# BIN=DIR/bin.  Fails if a test fails or any process had a valgrind error
# (definite leaks included).
set -u
cd "$(dirname "$0")/../.." || exit 2
[ $# -ge 1 ] || { echo "usage: tests/fuzz/valgrind-e2e.sh DIR [TEST...]" >&2; exit 2; }
dir=$(cd "$1" && pwd) || exit 2
shift
VALGRIND=${VALGRIND:-valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite}
command -v "${VALGRIND%% *}" >/dev/null || { echo "valgrind-e2e.sh: no ${VALGRIND%% *} (make check-valgrind installs it)" >&2; exit 2; }

logs=$dir/logs
rm -rf "$logs" "$dir/bin"
mkdir -p "$logs" "$dir/bin"
for tool in kb-index kb-query; do
	[ -x "$dir/real/$tool" ] || { echo "valgrind-e2e.sh: $dir/real/$tool is missing" >&2; exit 2; }
	cat >"$dir/bin/$tool" <<EOF
#!/bin/sh
exec $VALGRIND --log-file=$logs/$tool.%p.log $dir/real/$tool "\$@"
EOF
	chmod 755 "$dir/bin/$tool"
done

fail=0
start=$(date +%s)
# t05 runs `make install` and compares what it installed with $BIN: the
# make it starts is told that the binaries are these wrappers (BINS), which
# no rule of its (OUT elsewhere) would rebuild.  OUT is not exported
# (tests/e2e/lib.sh has a shell variable of that name).
env -u OUT MAKEFLAGS="-- OUT=$dir/none BINS=$dir/bin/kb-index\\ $dir/bin/kb-query" BIN=$dir/bin \
	E2E_TIMEOUT=${E2E_TIMEOUT:-600} tests/e2e/run.sh "$@" || fail=1

# Every process wrote a log; those with errors say so in their summary.
bad=$(grep -lE 'ERROR SUMMARY: [1-9]' "$logs"/*.log 2>/dev/null)
count=$(ls "$logs" | wc -l)
if [ -n "$bad" ]; then
	fail=1
	echo "valgrind: errors in $(echo "$bad" | wc -l) of $count processes:"
	for f in $bad; do
		echo "---- $f"
		grep -vE '^==[0-9]+== (Memcheck|Copyright|Using Valgrind|Command|Parent PID)' "$f" | head -60
	done
fi
echo "valgrind: $count processes in $(( $(date +%s) - start ))s, $(echo "$bad" | grep -c .) with errors"
exit "$fail"
