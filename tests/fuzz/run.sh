#!/usr/bin/env bash
# run.sh: runs the libFuzzer targets built by `make fuzz-build`.
#
#   tests/fuzz/run.sh [--replay] [--seconds N] [--build DIR] NAME[:MAX_LEN]...
#
# NAME is a target (entry_reader, protocol, analyze, document): DIR/fuzz_NAME.  Each
# one fuzzes for N seconds (default 60) starting from its seeds,
# tests/fuzz/corpus/NAME, and the inputs that once crashed it,
# tests/fuzz/regressions/NAME; what it finds new goes to the scratch corpus
# DIR/corpus/NAME (never into the repository), a crashing input to
# DIR/artifacts/NAME/.  With --replay each target only runs the seeds and
# the regressions once.  The whole log of a target is DIR/logs/NAME.log; on
# a crash the end of it (the report and the stack) is printed.  Prints one
# line per target and exits 1 if any target failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

replay=0 seconds=60 build=build/fuzz
while [ $# -gt 0 ]; do
	case $1 in
	--replay) replay=1 ;;
	--seconds) seconds=$2; shift ;;
	--build) build=$2; shift ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
case $seconds in ''|*[!0-9]*|0) echo "run.sh: --seconds takes a positive number" >&2; exit 2 ;; esac
[ $# -gt 0 ] || { echo "usage: tests/fuzz/run.sh [--replay] [--seconds N] [--build DIR] NAME[:MAX_LEN]..." >&2; exit 2; }

# Temporary files of the targets (index directories, the entry file) stay
# inside the build directory even when a crash skips their cleanup.
export TMPDIR=$PWD/$build/tmp
mkdir -p "$TMPDIR" "$build/logs"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# report LOG: what went wrong, from a target's log: a broken property (the
# target's own message), else the sanitizer's report and stack.
report() {
	if grep -q 'property violated' "$1"; then
		grep -a -A1 'property violated' "$1" | head -4 | cut -c1-300 | sed 's/^/    /'
	else
		grep -a -A30 -E '==[0-9]+==ERROR|runtime error|ERROR: libFuzzer' "$1" | grep -av '^INFO' |
			sed '/^SUMMARY/q' | head -40 | sed 's/^/    /'
	fi
}

failed=0
for arg in "$@"; do
	name=${arg%%:*}
	max_len=
	[ "$arg" != "$name" ] && max_len=${arg#*:}
	bin=$build/fuzz_$name
	log=$build/logs/$name.log
	[ -x "$bin" ] || { echo "run.sh: $bin is missing (make fuzz-build)" >&2; exit 2; }
	seeds=tests/fuzz/corpus/$name
	regressions=tests/fuzz/regressions/$name
	opts=(-print_final_stats=1 -timeout=30 -rss_limit_mb=4096)
	[ -n "$max_len" ] && opts+=(-max_len="$max_len")
	[ -f "tests/fuzz/$name.dict" ] && opts+=(-dict="tests/fuzz/$name.dict")
	if [ "$replay" = 1 ]; then
		# Each seed and regression once, one process each so that every
		# failing one is listed: nothing is written.
		n=0 bad=0
		: >"$log"
		start=$(date +%s)
		for f in "$seeds"/* "$regressions"/*; do
			[ -f "$f" ] || continue
			n=$((n + 1))
			"$bin" "${opts[@]}" "$f" >"$log.one" 2>&1
			rc=$?
			cat "$log.one" >>"$log"
			[ "$rc" -eq 0 ] && continue
			bad=$((bad + 1))
			echo "fuzz_$name: FAILED on $f (exit status $rc)"
			report "$log.one"
		done
		rm -f "$log.one"
		secs=$(( $(date +%s) - start ))
		if [ "$bad" -eq 0 ]; then
			echo "fuzz_$name: replayed $n inputs in ${secs}s: ok"
		else
			failed=1
			echo "fuzz_$name: $bad of $n inputs failed; log: $log"
		fi
		continue
	fi
	corpus=$build/corpus/$name
	artifacts=$build/artifacts/$name
	mkdir -p "$corpus" "$artifacts"
	dirs=("$corpus" "$seeds")
	[ -d "$regressions" ] && dirs+=("$regressions")
	start=$(date +%s)
	"$bin" "${opts[@]}" -max_total_time="$seconds" -artifact_prefix="$artifacts/" \
		"${dirs[@]}" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' "$log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz_$name: ${execs:-?} executions in ${secs}s (${cov:-no stats}): no crash"
	else
		failed=1
		echo "fuzz_$name: CRASHED (exit status $rc) after ${secs}s, ${execs:-?} executions; log: $log"
		sed -n 's/.*Test unit written to \(.*\)/    input: \1/p' "$log"
		report "$log"
	fi
done
exit "$failed"
