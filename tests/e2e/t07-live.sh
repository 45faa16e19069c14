#!/usr/bin/env bash
# t07-live: a server under a steady stream of requests while kb-index
# updates and rebuilds the index: no request fails, and an entry added by a
# run is found by the first request after that run has finished.
. "$E2E/lib.sh"

ENTRIES=8000
# corpus FILE EXTRA-ENTRY-ID: ENTRIES entries whose answers all name the run
# (so that an update rewrites every one and takes a while), plus one named
# entry if given.
corpus() {
	awk -v n="$ENTRIES" -v extra="$2" 'BEGIN {
		print "<kb>"
		for (i = 1; i <= n; i++)
			printf "<entry id=\"e%d\"><title>宽带第%d号问题 光猫亮灯</title><alt>话费第%d条 流量</alt><answer>第%d条答案，%s版。</answer></entry>\n", i, i, i % 50, i, extra
		if (extra != "")
			printf "<entry id=\"%s\"><title>新业务%s怎么办理</title><answer>新答案。</answer></entry>\n", extra, extra
		print "</kb>"
	}' >"$1"
}
corpus "$T/base.xml" ""
DB=$T/db
build_index "$DB" "$T/base.xml" || finish

coproc SRV { exec "$KB_QUERY" --db "$DB" --serve 2>"$T/serve.err"; }
# bash unsets SRV_PID as soon as the server exits: keep it.
srv_pid=$SRV_PID
SRV_IN=${SRV[1]} SRV_OUT=${SRV[0]}
asked=0 failed=0
ask() { # ask QUERY: prints the first hit's id; counts answers that are not ok
	local line
	printf '{"id":%d,"q":"%s","limit":1}\n' "$asked" "$1" >&"$SRV_IN"
	asked=$((asked + 1))
	if ! IFS= read -r -t 10 line <&"$SRV_OUT" || [ "$(jq -r .ok <<<"$line" 2>/dev/null)" != true ]; then
		failed=$((failed + 1))
		printf 'request %d: %s\n' "$asked" "${line:-(no answer)}" >&2
		return
	fi
	jq -r '.hits[0].id // "none"' <<<"$line"
}

for run in 1 2 3 4; do
	id=new$run
	corpus "$T/next.xml" "$id"
	flags=()
	[ "$run" = 3 ] && flags=(--rebuild)
	"$KB_INDEX" --quiet "${flags[@]}" --db "$DB" "$T/next.xml" 2>"$T/index.err" &
	pid=$!
	# Ask as fast as the server answers while the run is going on.
	during=0
	while kill -0 "$pid" 2>/dev/null; do
		ask "宽带第$((during % ENTRIES + 1))号问题" >/dev/null
		during=$((during + 1))
	done
	wait "$pid"
	assert_eq 0 "$?" "run $run: kb-index succeeded"
	[ "$during" -gt 0 ] && pass || fail "run $run: no request was made while kb-index ran"
	printf 'run %d: %d requests while kb-index ran\n' "$run" "$during" >&2
	assert_eq "$id" "$(ask "新业务${id}怎么办理")" "run $run: the entry it added is found right after it finished"
done

# Left alone, the server moves to a rebuild's generation by itself (it
# looks every second while idle) and reads its tables then, before any
# request asks, letting go of the replaced generation's files.
old=$(current_gen "$DB")
corpus "$T/next.xml" new5
expect_exit 0 "$KB_INDEX" --quiet --rebuild --db "$DB" "$T/next.xml"
new=$(current_gen "$DB")
moved=no
for _ in $(seq 1 150); do
	fds=$(ls -l "/proc/$srv_pid/fd" 2>/dev/null)
	if grep -q "/$new/" <<<"$fds" && ! grep -q "/$old/" <<<"$fds"; then
		moved=yes
		break
	fi
	sleep 0.1
done
assert_eq yes "$moved" "an idle server opens $new and closes $old's files before any request"
assert_eq new5 "$(ask 新业务new5怎么办理)" "the idle server answers from $new"
exec {SRV_IN}>&-
wait "$srv_pid" 2>/dev/null
assert_eq 0 "$failed" "all $asked requests were answered with ok:true"
assert_eq "" "$(cat "$T/serve.err")" "the server wrote nothing on stderr"
finish
