#!/usr/bin/env bash
# t01-cli: the command lines of kb-index and kb-query: help, version, usage
# errors (exit 2), a missing index (exit 3), KB_DB, and the plain-text and
# --json output of one query.
. "$E2E/lib.sh"

VERSION=$(sed -n 's/^#define KB_VERSION "\(.*\)"$/\1/p' "$ROOT/include/kb.h")
assert_match "$VERSION" '^[0-9]+\.[0-9]+\.[0-9]+' "KB_VERSION found in include/kb.h"

# ---- help and version ---------------------------------------------------
for tool in kb-index kb-query; do
	for opt in --help -h; do
		expect_exit 0 "$BIN/$tool" "$opt"
		assert_eq "usage: $tool " "$(head -n1 "$T/out" | cut -c1-$((${#tool} + 8)))" "$tool $opt: usage on stdout"
		assert_contains "$OUT" "Exit status:" "$tool $opt: documents the exit statuses"
		assert_eq "" "$ERR" "$tool $opt: nothing on stderr"
	done
	for opt in --version -V; do
		expect_exit 0 "$BIN/$tool" "$opt"
		assert_eq "$tool $VERSION" "$OUT" "$tool $opt"
		assert_eq "" "$ERR" "$tool $opt: nothing on stderr"
	done
	# An unknown option: exit 2, getopt's message and the usage on stderr,
	# nothing on stdout.
	expect_exit 2 "$BIN/$tool" --bogus
	assert_contains "$ERR" "unrecognized option '--bogus'" "$tool --bogus names the option"
	assert_contains "$ERR" "usage: $tool" "$tool --bogus prints the usage"
	assert_eq "" "$OUT" "$tool --bogus: nothing on stdout"
	expect_exit 2 "$BIN/$tool" -Z
	assert_contains "$ERR" "invalid option -- 'Z'" "$tool -Z names the option"
done

# ---- kb-index usage errors ----------------------------------------------
expect_exit 2 "$KB_INDEX" --db "$T/db"
assert_eq "kb-index: no input: give one or more XML files or directories" "$(head -n1 "$T/err")" \
	"kb-index without PATH: message"
assert_contains "$ERR" "usage: kb-index" "kb-index without PATH: usage"
[ ! -e "$T/db" ] && pass || fail "kb-index without PATH created $T/db"

expect_exit 2 "$KB_INDEX" "$FIX/protocol-kb.xml"
assert_eq "kb-index: no index directory: give --db DIR or set KB_DB" "$ERR" "kb-index without --db and KB_DB"
expect_exit 2 env KB_DB= "$KB_INDEX" "$FIX/protocol-kb.xml"
assert_eq "kb-index: no index directory: give --db DIR or set KB_DB" "$ERR" "kb-index with an empty KB_DB"

for jobs in 0 x 65 -1 ''; do
	expect_exit 2 "$KB_INDEX" --db "$T/db" --jobs "$jobs" "$FIX/protocol-kb.xml"
	assert_eq "kb-index: --jobs takes a number from 1 to 64, not '$jobs'" "$ERR" "kb-index --jobs '$jobs'"
done
[ ! -e "$T/db" ] && pass || fail "kb-index with a bad --jobs created $T/db"

# ---- KB_DB as the default for --db -----------------------------------------
# A build has one writer per core by default, at most 4 (nproc counts the
# cores this process may run on, as kb-index does), and no more than a
# container's CPU limit grants (the cgroup's quota, rounded up: the unit
# tests of cpu_quota.c cover its forms and ancestors; here the limit of this
# process's own cgroup, v2 or v1).
cores=$(nproc)
cg=$(sed -n 's/^0:://p' /proc/self/cgroup)
quota=$(cat "/sys/fs/cgroup$cg/cpu.max" 2>/dev/null | awk '$1 != "max" && $2 > 0 { print int(($1 + $2 - 1) / $2) }')
cg=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3; exit }' /proc/self/cgroup)
for d in "/sys/fs/cgroup/cpu$cg" /sys/fs/cgroup/cpu; do
	[ -z "$quota" ] && [ -r "$d/cpu.cfs_quota_us" ] &&
		quota=$(awk -v p="$(cat "$d/cpu.cfs_period_us")" '$1 > 0 && p > 0 { print int(($1 + p - 1) / p) }' "$d/cpu.cfs_quota_us")
done
[ -n "$quota" ] && [ "$quota" -lt "$cores" ] && cores=$quota
[ "$cores" -gt 4 ] && cores=4
writers=""
[ "$cores" -gt 1 ] && writers=" by $cores writers"
expect_exit 0 env KB_DB="$T/db" "$KB_INDEX" "$FIX/protocol-kb.xml"
assert_match "$ERR" "^kb-index: built $T/db: 13 entries from 1 files \(13 added, 0 changed, 0 removed, 0 unchanged\) in [0-9]+\.[0-9]+ s$writers\$" \
	"kb-index with KB_DB: summary line, one writer per core"

assert_eq "" "$OUT" "kb-index: nothing on stdout"
assert_eq "gen-1" "$(current_gen "$T/db")" "KB_DB index: current names gen-1"
DB=$T/db

# --jobs sets the writers of a build; on one core the default is one.
# Updates in place have one whatever --jobs says.
for run in "--jobs 1|" "--jobs 3| by 3 writers" "taskset -c 0|"; do
	how=${run%%|*} want=${run#*|}
	rm -rf "$T/dbw"
	case "$how" in
	taskset*) command -v taskset >/dev/null || continue
		expect_exit 0 taskset -c 0 "$KB_INDEX" --db "$T/dbw" "$FIX/protocol-kb.xml" ;;
	*) expect_exit 0 "$KB_INDEX" $how --db "$T/dbw" "$FIX/protocol-kb.xml" ;;
	esac
	assert_match "$ERR" "^kb-index: built $T/dbw: 13 entries .* in [0-9]+\.[0-9]+ s$want\$" \
		"kb-index with $how: summary line"
done
expect_exit 0 "$KB_INDEX" --jobs 3 --db "$T/dbw" "$FIX/protocol-kb.xml"
assert_match "$ERR" "^kb-index: updated $T/dbw: .* in [0-9]+\.[0-9]+ s\$" \
	"an update in place names no writers"

Q=宽带断网了怎么报修
expect_exit 0 "$KB_QUERY" --db "$DB" --json "$Q"
by_option=$(normalize <"$T/out")
expect_exit 0 env KB_DB="$DB" "$KB_QUERY" --json "$Q"
assert_eq "$by_option" "$(normalize <"$T/out")" "KB_DB gives the same answers as --db"
# --db wins over KB_DB.
expect_exit 0 env KB_DB="$T/nowhere" "$KB_QUERY" --db "$DB" --json "$Q"
assert_eq "$by_option" "$(normalize <"$T/out")" "--db overrides KB_DB"
assert_eq "t-bb-repair" "$(jq -r '.hits[0].id' <"$T/out")" "--json: the repair entry first"

# ---- kb-query usage errors (exit 2) ---------------------------------------
expect_exit 2 "$KB_QUERY" "$Q"
assert_eq "kb-query: no index: give --db PATH or set KB_DB" "$ERR" "kb-query without --db and KB_DB"
assert_eq "" "$OUT" "kb-query without --db: nothing on stdout"
expect_exit 2 env KB_DB= "$KB_QUERY" "$Q"
assert_eq "kb-query: no index: give --db PATH or set KB_DB" "$ERR" "kb-query with an empty KB_DB"

for bad in 0 101 abc '' 5x -1 1.5; do
	expect_exit 2 "$KB_QUERY" --db "$DB" --limit "$bad" "$Q"
	assert_eq "kb-query: --limit takes a whole number from 1 to 100, not '$bad'" "$ERR" "--limit '$bad'"
	assert_eq "" "$OUT" "--limit '$bad': nothing on stdout"
done
expect_exit 2 "$KB_QUERY" --db "$DB" -n 0 "$Q"
assert_contains "$ERR" "--limit takes a whole number from 1 to 100, not '0'" "-n 0"

expect_exit 2 "$KB_QUERY" --db "$DB" --color=bogus "$Q"
assert_eq "kb-query: --color takes auto, always or never, not 'bogus'" "$ERR" "--color=bogus"

expect_exit 2 "$KB_QUERY" --db "$DB"
assert_eq "kb-query: no query: give the customer's words, or --serve" "$(head -n1 "$T/err")" "kb-query without QUERY"
expect_exit 2 "$KB_QUERY" --db "$DB" --serve "$Q"
assert_eq "kb-query: --serve reads queries from stdin; give no QUERY" "$ERR" "--serve with a QUERY"
expect_exit 2 "$KB_QUERY" --db "$DB" --at 2026-13-01 "$Q"
assert_eq "kb-query: date '2026-13-01' is not a date like 2026-11-23" "$ERR" "--at 2026-13-01"
expect_exit 2 "$KB_QUERY" --db "$DB" --at 2026-02-29 "$Q"
assert_eq "kb-query: date '2026-02-29' is not a date like 2026-11-23" "$ERR" "--at 2026-02-29 (not a leap year)"
expect_exit 2 "$KB_QUERY" --db "$DB" --audience 'Bad Tag' "$Q"
assert_contains "$ERR" "audience 'Bad Tag' is not a tag" "--audience 'Bad Tag'"

# ---- a missing or unusable index (exit 3) ---------------------------------
expect_exit 3 "$KB_QUERY" --db "$T/missing" "$Q"
assert_eq "kb-query: no index at $T/missing: No such file or directory (build one with kb-index)" "$ERR" \
	"missing index: message names the path"
assert_eq "" "$OUT" "missing index: nothing on stdout"
expect_exit 3 "$KB_QUERY" --db "$T/missing" --serve
assert_contains "$ERR" "$T/missing" "--serve on a missing index names the path"
mkdir "$T/empty-dir"
expect_exit 3 "$KB_QUERY" --db "$T/empty-dir" "$Q"
assert_eq "kb-query: no index at $T/empty-dir (build one with kb-index)" "$ERR" "an empty directory is no index"
echo "not an index" >"$T/a-file"
expect_exit 3 "$KB_QUERY" --db "$T/a-file" "$Q"
assert_contains "$ERR" "$T/a-file" "a plain file is no index: message names the path"

# ---- plain-text output ---------------------------------------------------
expect_exit 0 "$KB_QUERY" --db "$DB" --limit 1 --audience elderly "$Q"
assert_eq "1. 宽带断网了怎么报修  [宽带/故障报修]  answer for elderly  (t-bb-repair)
   您别着急，先把光猫电源拔掉半分钟再插上，不行我给您派师傅上门。" "$OUT" "plain text: the elderly variant"
assert_eq "" "$ERR" "plain text: nothing on stderr"
# A similar question that matched is shown under the title.
expect_exit 0 "$KB_QUERY" --db "$DB" -n 1 家里上不了网找谁修
assert_eq "1. 宽带断网了怎么报修  [宽带/故障报修]  (t-bb-repair)
   ~ 家里上不了网找谁修
   请客户重启光猫；仍不能上网的，提交故障工单，工程师2小时内联系。" "$OUT" "plain text: the matched alt"
# Words after the options are joined into one query.
expect_exit 0 "$KB_QUERY" --db "$DB" -n 1 --json 宽带 断网
assert_eq "t-bb-repair" "$(jq -r '.hits[0].id' <"$T/out")" "a query in several words"
# Not a terminal and no --color: no escape codes; --color=always: escapes.
expect_exit 0 "$KB_QUERY" --db "$DB" -n 3 话费余额
assert_not_contains "$OUT" $'\033' "no escape codes when stdout is not a terminal"
expect_exit 0 "$KB_QUERY" --db "$DB" -n 3 --color=never 话费余额
assert_not_contains "$OUT" $'\033' "--color=never"
expect_exit 0 "$KB_QUERY" --db "$DB" -n 1 --color=always 话费余额
assert_contains "$OUT" $'\033[1;31m' "--color=always highlights"
assert_eq "$(sed 's/\x1b\[[0-9;]*m//g' <"$T/out")" \
	"$("$KB_QUERY" --db "$DB" -n 1 --color=never 话费余额)" "--color=always differs only by escape codes"

# --limit bounds the hits; 1 and 100 are accepted.
expect_exit 0 "$KB_QUERY" --db "$DB" --json --limit 1 怎么
assert_eq 1 "$(jq '.hits | length' <"$T/out")" "--limit 1: one hit"
expect_exit 0 "$KB_QUERY" --db "$DB" --json --limit 100 怎么
assert_eq "$(jq '[.hits[].rank]' <"$T/out")" "$(jq '[range(1; (.hits | length) + 1)]' <"$T/out")" \
	"--limit 100: ranks are 1..n"
expect_exit 0 "$KB_QUERY" --db "$DB" --json 怎么
assert_eq true "$(jq '(.hits | length) > 1 and (.hits | length) <= 10' <"$T/out")" "default limit"

# Nothing found: exit 1 and a message, nothing on stdout.
expect_exit 1 "$KB_QUERY" --db "$DB" zzzzqqqq
assert_eq "kb-query: no answer found for 'zzzzqqqq'" "$ERR" "no answer: message"
assert_eq "" "$OUT" "no answer: nothing on stdout"

# --json prints exactly one line, a protocol response with "id": null.
expect_exit 0 "$KB_QUERY" --db "$DB" --json --limit 2 "$Q"
assert_eq 1 "$(wc -l <"$T/out")" "--json: one line"
assert_eq '{"id":null,"ok":true,"total":"number","took_us":"number","hits":2,"hit0":"t-bb-repair"}' \
	"$(jq -c '{id, ok, total: (.total | type), took_us: (.took_us | type), hits: (.hits | length),
		hit0: .hits[0].id}' <"$T/out")" "--json: the response's shape"
assert_eq '["answer","answer_audience","audience","category","id","rank","score","title"]' \
	"$(jq -c '.hits[0] | keys - ["matched", "snippet"]' <"$T/out")" "--json: the fields of a hit"

finish
