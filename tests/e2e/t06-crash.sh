#!/usr/bin/env bash
# t06-crash: kill -9 of kb-index at many moments, during updates in place
# and during rebuilds, always leaves an index that answers as the last
# committed one did (every entry of one version, never a mix), passes
# xapian-check, and lets the next kb-index succeed.  Meanwhile a server keeps
# answering every request.
. "$E2E/lib.sh"

ROUNDS=${CRASH_ROUNDS:-10}
ENTRIES=${CRASH_ENTRIES:-5000}

# corpus VERSION: ENTRIES entries whose titles all carry the version, so
# that a half-applied update would show two versions at once.
corpus() {
	mkdir -p "$T/corpus-$1"
	awk -v n="$ENTRIES" -v v="$1" 'BEGIN {
		print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kb>"
		for (i = 1; i <= n; i++) {
			printf "  <entry id=\"e%d\">\n", i
			printf "    <title>测试条目%d号 宽带套餐第%d版 版本%s</title>\n", i, i % 97, v
			printf "    <alt>第%d条的另一种问法 流量话费 %s</alt>\n", i, v
			printf "    <answer>这是第%d条的答案，版本%s。</answer>\n  </entry>\n", i, v
		}
		print "</kb>"
	}' >"$T/corpus-$1/kb.xml"
}
corpus va
corpus vb

DB=$T/db
build_index "$DB" "$T/corpus-va" || finish

# version_of ID: the version in the title of entry ID ("none" if not found).
version_of() {
	"$KB_QUERY" --db "$DB" --json --limit 1 "测试条目${1#e}号" |
		jq -r --arg id "$1" '[.hits[] | select(.id == $id) | .title | capture("版本(?<v>v[ab])").v] | .[0] // "none"'
}

# consistent: the index answers, every sampled entry has one version, and
# Xapian finds nothing wrong with the live generation.  Prints the version.
consistent() {
	local round=$1 v first=""
	for id in e1 e777 e$((ENTRIES / 2)) e$ENTRIES; do
		v=$(version_of "$id")
		[ -z "$first" ] && first=$v
		if [ "$v" = none ] || [ "$v" != "$first" ]; then
			fail "round $round: $id is at version '$v', e1 at '$first': a mixed or broken index"
			return
		fi
	done
	pass
	if xapian-check "$DB/current" >"$T/check.log" 2>&1; then
		pass
	else
		fail "round $round: xapian-check failed"
		tail -5 "$T/check.log" >&2
	fi
	echo "$first"
}

# A server reading throughout: every request must get an ok answer.
coproc SRV { exec "$KB_QUERY" --db "$DB" --serve 2>"$T/serve.err"; }
# bash unsets SRV_PID as soon as the server exits: keep it.
srv_pid=$SRV_PID
SRV_IN=${SRV[1]} SRV_OUT=${SRV[0]}
served=0 bad=0
ask_server() {
	local line
	printf '{"id":%d,"q":"宽带套餐 流量话费","limit":3}\n' "$served" >&"$SRV_IN"
	if IFS= read -r -t 10 line <&"$SRV_OUT" && [ "$(jq -r .ok <<<"$line")" = true ]; then
		:
	else
		bad=$((bad + 1))
		printf 'server answered: %s\n' "${line:-(nothing)}" >&2
	fi
	served=$((served + 1))
}

killed=0 completed=0
for round in $(seq "$ROUNDS"); do
	next=$([ $((round % 2)) = 1 ] && echo vb || echo va)
	flags=()
	[ $((round % 3)) = 0 ] && flags=(--rebuild)
	"$KB_INDEX" --quiet "${flags[@]}" --db "$DB" "$T/corpus-$next" 2>"$T/index.err" &
	pid=$!
	# Kill at a different moment each round, from just started to nearly
	# done (on a 2-core machine a rebuild of this corpus takes about 0.4 s,
	# an update that changes every entry about 0.9 s).
	sleep "0.$(( (round * 37) % 50 ))"
	ask_server
	if kill -9 "$pid" 2>/dev/null; then
		killed=$((killed + 1))
	else
		completed=$((completed + 1))
	fi
	wait "$pid" 2>/dev/null
	ask_server
	consistent "$round" >/dev/null
	# The next run after a crash must succeed and leave exactly its version.
	expect_exit 0 "$KB_INDEX" --quiet --db "$DB" "$T/corpus-$next"
	assert_eq "$next" "$(consistent "$round-after")" "round $round: the run after the kill applies $next"
	ask_server
done
exec {SRV_IN}>&-
wait "$srv_pid" 2>/dev/null
assert_eq 0 "$bad" "the server answered all $served requests with ok:true"
[ "$killed" -gt 0 ] && pass || fail "no run was ever killed (all $completed completed): the test proves nothing"
# Leftovers of killed rebuilds are gone once a later run has finished.
gens=$(ls -d "$DB"/gen-* | wc -l)
[ "$gens" -le 2 ] && pass || fail "$gens generations left behind: $(ls "$DB")"
printf 'crash rounds: %d killed, %d completed before the kill\n' "$killed" "$completed" >&2
finish
