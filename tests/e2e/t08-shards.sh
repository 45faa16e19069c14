#!/usr/bin/env bash
# t08-shards: the shipped corpus split in two shards, served by two
# xapian-tcpsrv on 127.0.0.1 and searched through a stub database file,
# answers exactly as the single index does (same ids, order, scores,
# variants); a local stub does too; a shard that is down gives a clear
# error, never a hang.  The servers are stopped at the end whatever happens.
. "$E2E/lib.sh"

command -v xapian-tcpsrv >/dev/null || { fail "xapian-tcpsrv is missing (make deps installs xapian-tools)"; finish; }

CORPUS=$ROOT/corpus
mkdir -p "$T/a" "$T/b"
cp "$CORPUS"/broadband.xml "$CORPUS"/billing.xml "$CORPUS"/packages.xml "$CORPUS"/roaming.xml "$T/a/"
for f in "$CORPUS"/*.xml; do [ -e "$T/a/$(basename "$f")" ] || cp "$f" "$T/b/"; done
cp "$CORPUS/synonyms.txt" "$CORPUS/words.txt" "$T/a/"
cp "$CORPUS/synonyms.txt" "$CORPUS/words.txt" "$T/b/"
build_index "$T/all" "$CORPUS" || finish
build_index "$T/sa" "$T/a" || finish
build_index "$T/sb" "$T/b" || finish

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
# serve DIR: starts xapian-tcpsrv on a free port; prints the port.
serve() {
	local port
	for _ in 1 2 3 4 5 6 7 8; do
		port=$((20000 + RANDOM % 20000))
		# Its own session: xapian-tcpsrv signals its whole process group
		# when it is stopped, which would take this test with it.
		setsid xapian-tcpsrv --interface 127.0.0.1 --port "$port" "$1" >"$T/tcpsrv-$port.log" 2>&1 &
		local pid=$!
		for _ in $(seq 50); do
			if grep -q "Listening" "$T/tcpsrv-$port.log" 2>/dev/null; then
				pids+=("$pid")
				echo "$port $pid"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$pid" 2>/dev/null
	done
	return 1
}
read -r port_a pid_a < <(serve "$T/sa/current") || { fail "could not start xapian-tcpsrv"; finish; }
pids+=("$pid_a")
read -r port_b pid_b < <(serve "$T/sb/current") || { fail "could not start xapian-tcpsrv"; finish; }
pids+=("$pid_b")
printf 'remote 127.0.0.1:%s\nremote 127.0.0.1:%s\n' "$port_a" "$port_b" >"$T/remote.stub"
printf 'auto %s\nauto %s\n' "$T/sa/current" "$T/sb/current" >"$T/local.stub"

# What a user compares: ids in order, scores, chosen variants, snippets.
view() { jq -c '[.hits[] | [.id, .score, .answer_audience, .snippet]]'; }
same=0
tr '\t' '\037' <"$E2E/corpus-rankings.tsv" | while IFS=$'\037' read -r query audience region _; do
	case "$query" in '' | '#'*) continue ;; esac
	args=(--json --at "$CORPUS_DATE" --limit 10)
	[ -n "$audience" ] && args+=(--audience "$audience")
	[ -n "$region" ] && args+=(--region "$region")
	one=$("$KB_QUERY" --db "$T/all" "${args[@]}" "$query" | view)
	for stub in remote local; do
		two=$(timeout 20 "$KB_QUERY" --db "$T/$stub.stub" "${args[@]}" "$query" | view)
		[ "$one" = "$two" ] || printf 'DIFF %s (%s shards)\n  one index: %s\n  shards:    %s\n' \
			"$query" "$stub" "$one" "$two"
	done
done >"$T/diffs"
assert_eq "" "$(cat "$T/diffs")" "two shards answer exactly as one index (every corpus-rankings query)"
[ "$(grep -vc '^#' "$E2E/corpus-rankings.tsv")" -gt 20 ] && pass || fail "too few queries compared"

# The server speaks the protocol over the shards too.
r=$(printf '%s\n' '{"id":"s","q":"宽带断网了","audience":"elderly","at":"2026-11-23"}' |
	timeout 20 "$KB_QUERY" --db "$T/remote.stub" --serve | jq -c '[.ok, .hits[0].id, .hits[0].answer_audience]')
assert_eq '[true,"bb-repair-001","elderly"]' "$r" "--serve over remote shards"

# A shard goes down: a clear error, quickly.
kill "$pid_b"
for _ in $(seq 50); do kill -0 "$pid_b" 2>/dev/null || break; sleep 0.1; done
start=$(date +%s)
expect_exit 3 timeout 30 "$KB_QUERY" --db "$T/remote.stub" 宽带
assert_contains "$ERR" "kb-query: " "a shard down: the error names the cause"
assert_contains "$ERR" "127.0.0.1:$port_b" "a shard down: the error names the shard"
[ $(($(date +%s) - start)) -le 20 ] && pass || fail "a shard down: the error took more than 20 s"
finish
