#!/usr/bin/env bash
# t02-corpus: the shipped corpus (corpus/) indexes cleanly, every expected
# rank-1 answer of corpus-rankings.tsv comes first with the expected answer
# variant, and unpublished, expired and future entries never show up.
#
# Every query pins --at $CORPUS_DATE, the date corpus-rankings.tsv was judged
# on, so that the corpus's dated promotions do not make the test age.
. "$E2E/lib.sh"

CORPUS=$ROOT/corpus
RANKINGS=$E2E/corpus-rankings.tsv
[ -d "$CORPUS" ] || { fail "no corpus at $CORPUS"; finish; }
[ -f "$RANKINGS" ] || { fail "no $RANKINGS"; finish; }
command -v xmllint >/dev/null || { fail "xmllint is needed (Debian package libxml2-utils)"; finish; }

# ---- index it --------------------------------------------------------------
DB=$T/db
expect_exit 0 "$KB_INDEX" --jobs 1 --db "$DB" "$CORPUS"
entries=$(cat "$CORPUS"/*.xml | grep -c '<entry[ >]')
files=$(ls "$CORPUS"/*.xml | wc -l)
assert_match "$ERR" "^kb-index: built $DB: $entries entries from $files files \($entries added, 0 changed, 0 removed, 0 unchanged\) in [0-9]+\.[0-9]+ s\$" \
	"the summary line counts $entries entries in $files files"
assert_eq 1 "$(wc -l <"$T/err")" "kb-index prints only its summary line"
assert_eq "" "$OUT" "kb-index prints nothing on stdout"
assert_eq "gen-1" "$(current_gen "$DB")" "the first index is gen-1"
# The same corpus again: an update in place that changes nothing.
expect_exit 0 "$KB_INDEX" --db "$DB" "$CORPUS"
assert_match "$ERR" "^kb-index: updated $DB: $entries entries from $files files \(0 added, 0 changed, 0 removed, $entries unchanged\) in " \
	"a second run over the same corpus leaves every entry alone"
assert_eq "gen-1" "$(current_gen "$DB")" "an update stays in gen-1"
# --quiet: no summary; --rebuild builds gen-2.
expect_exit 0 "$KB_INDEX" --quiet --rebuild --db "$DB" "$CORPUS"
assert_eq "" "$ERR" "--quiet prints nothing"
assert_eq "gen-2" "$(current_gen "$DB")" "--rebuild makes gen-2 live"

q() { "$KB_QUERY" --db "$DB" --at "$CORPUS_DATE" --json "$@"; }

# ---- expected rankings -----------------------------------------------------
# Tabs become unit separators: IFS tabs would merge empty columns.
checked=0 mismatches=0
: >"$T/seen-ids"
while IFS=$'\037' read -r query audience region want_id want_variant extra; do
	case "$query" in '' | '#'*) continue ;; esac
	args=()
	[ -n "$audience" ] && args+=(--audience "$audience")
	[ -n "$region" ] && args+=(--region "$region")
	checked=$((checked + 1))
	if ! q "${args[@]}" "$query" >"$T/rank.json" 2>"$T/rank.err"; then
		fail "ranking: kb-query failed for '$query' [${audience:--}/${region:--}]: $(cat "$T/rank.err")"
		mismatches=$((mismatches + 1))
		continue
	fi
	got=$(jq -r '"\(.hits[0].id // "(no hit)")\t\(.hits[0].answer_audience // "default")"' <"$T/rank.json")
	jq -r '.hits[].id' <"$T/rank.json" >>"$T/seen-ids"
	if [ "$got" == "$want_id"$'\t'"$want_variant" ]; then
		pass
	else
		mismatches=$((mismatches + 1))
		fail "ranking: '$query' audience=${audience:--} region=${region:--}: expected $want_id/$want_variant, got ${got/$'\t'//} (top 3: $(jq -r '[.hits[:3][].id] | join(" ")' <"$T/rank.json"))"
	fi
done < <(tr '\t' '\037' <"$RANKINGS")
echo "rankings: $checked checked, $mismatches mismatched"
[ "$checked" -gt 0 ] && pass || fail "no rankings in $RANKINGS"

# ---- several writers ------------------------------------------------------
# Built by three writers at once, the index answers every ranking query
# exactly as the one built by one writer (--jobs 1 above): the same hits,
# scores, answers.
DB3=$T/db3
expect_exit 0 "$KB_INDEX" --db "$DB3" --jobs 3 "$CORPUS"
assert_match "$ERR" "^kb-index: built $DB3: $entries entries from $files files \($entries added, .* by 3 writers\$" \
	"--jobs 3: the same summary, by 3 writers"
differ=0
while IFS=$'\037' read -r query audience region _; do
	case "$query" in '' | '#'*) continue ;; esac
	args=()
	[ -n "$audience" ] && args+=(--audience "$audience")
	[ -n "$region" ] && args+=(--region "$region")
	one=$(q "${args[@]}" --limit 20 "$query" | jq -c 'del(.took_us, .match_us)')
	three=$("$KB_QUERY" --db "$DB3" --at "$CORPUS_DATE" --json "${args[@]}" --limit 20 "$query" |
		jq -c 'del(.took_us, .match_us)')
	[ "$one" == "$three" ] || { differ=$((differ + 1)); fail "--jobs 3 answers '$query' otherwise"; }
done < <(tr '\t' '\037' <"$RANKINGS")
[ "$differ" -eq 0 ] && pass

# ---- hidden entries --------------------------------------------------------
# xpath over every corpus file; prints the ids, one a line.
xpath_ids() {
	local f
	for f in "$CORPUS"/*.xml; do
		xmllint --xpath "$1" "$f" 2>/dev/null | grep -o 'id="[^"]*"' | sed 's/^id="//; s/"$//'
	done
}
xpath_str() { # xpath_str EXPR: concatenated over the corpus files
	local f
	for f in "$CORPUS"/*.xml; do xmllint --xpath "$1" "$f" 2>/dev/null; done | grep -v '^$'
}
day=${CORPUS_DATE//-/}
drafts=$(xpath_ids '//entry[@status="draft"]/@id')
retired=$(xpath_ids '//entry[@status="retired"]/@id')
expired=$(xpath_ids "//entry[valid[@until and number(translate(@until,'-','')) < $day]]/@id")
future=$(xpath_ids "//entry[valid[@from and number(translate(@from,'-','')) > $day]]/@id")
echo "hidden entries: draft: ${drafts//$'\n'/ }; retired: ${retired//$'\n'/ }; expired: ${expired//$'\n'/ }; future: ${future//$'\n'/ }"
for kind in drafts retired expired future; do
	[ -n "${!kind}" ] && pass || fail "the corpus has no $kind entry to test with"
done

# Asked for in its own words (title and every alt), with its audiences and
# each of its regions, a hidden entry is not among the first 100 hits.
check_hidden() { # check_hidden ID [extra kb-query options...]
	local id=$1
	shift
	local sel="//entry[@id='$id']"
	local aud=() region questions
	local a r
	for a in $(xpath_str "$sel/audience/text()"); do aud+=(--audience "$a"); done
	local regions=$(xpath_str "$sel/region" | sed 's#</region>#\n#g; s#<region>##g')
	[ -n "$regions" ] || regions=-
	questions=$(xpath_str "$sel/title | $sel/alt" | sed 's#</\(title\|alt\)>#\n#g; s#<\(title\|alt\)>##g')
	[ -n "$questions" ] || { fail "no title found for hidden entry $id"; return; }
	while IFS= read -r r; do
		local ropt=()
		[ "$r" != - ] && ropt=(--region "$r")
		while IFS= read -r question; do
			[ -n "$question" ] || continue
			q "$@" --limit 100 "${aud[@]}" "${ropt[@]}" "$question" >"$T/hidden.json" 2>"$T/hidden.err"
			if [ "$(jq -r --arg id "$id" 'if .ok and ([.hits[].id] | index($id) | not) then "hidden" else "shown" end' \
				<"$T/hidden.json")" == hidden ]; then
				pass
			else
				fail "hidden entry $id shows up for '$question' ${aud[*]} ${ropt[*]} $*"
				head -c 600 "$T/hidden.json" "$T/hidden.err" >&2
			fi
		done <<<"$questions"
	done <<<"$regions"
}
for id in $drafts $retired $expired $future; do
	check_hidden "$id"
	if grep -qx -- "$id" "$T/seen-ids"; then
		fail "hidden entry $id is among the hits of the ranking queries"
	else
		pass
	fi
done
# Drafts and retired entries stay hidden whatever the date.
for id in $drafts $retired; do
	check_hidden "$id" --at 2099-01-01
done
# Editors preview drafts on request (CLI and protocol); retired entries stay hidden.
for id in $drafts; do
	title=$(xpath_str "//entry[@id='$id']/title/text()")
	got=$("$KB_QUERY" --db "$DB" --json --at "$CORPUS_DATE" --include-drafts --limit 100 "$title" | jq -r '[.hits[].id] | index("'"$id"'") != null')
	assert_eq true "$got" "--include-drafts shows the draft $id"
	got=$(jq -cn --arg q "$title" --arg at "$CORPUS_DATE" '{q: $q, at: $at, drafts: true, limit: 100}' |
		"$KB_QUERY" --db "$DB" --serve | jq -r '[.hits[].id] | index("'"$id"'") != null')
	assert_eq true "$got" "\"drafts\": true shows the draft $id"
done
for id in $retired; do
	check_hidden "$id" --include-drafts
done

# --at a date inside a dated entry's window shows it (asked by its title).
shown_on() { # shown_on ID DATE
	local id=$1 date=$2 sel="//entry[@id='$1']"
	local title=$(xpath_str "$sel/title/text()")
	local aud=() a ropt=()
	for a in $(xpath_str "$sel/audience/text()"); do aud+=(--audience "$a"); done
	local region=$(xpath_str "$sel/region[1]/text()")
	[ -n "$region" ] && ropt=(--region "$region")
	"$KB_QUERY" --db "$DB" --json --at "$date" --limit 100 "${aud[@]}" "${ropt[@]}" "$title" >"$T/at.json" 2>"$T/at.err"
	if [ "$(jq -r --arg id "$id" '[.hits[].id] | index($id) != null' <"$T/at.json")" == true ]; then
		pass
	else
		fail "$id is not shown --at $date for its title '$title'"
		head -c 600 "$T/at.json" "$T/at.err" >&2
	fi
}
for id in $future $expired; do
	from=$(xpath_str "string(//entry[@id='$id']/valid/@from)")
	until=$(xpath_str "string(//entry[@id='$id']/valid/@until)")
	[ -n "$from" ] && shown_on "$id" "$from"
	[ -n "$until" ] && shown_on "$id" "$until"
done
# And the day after a window closes, or before it opens, it is gone again.
for id in $future; do
	from=$(xpath_str "string(//entry[@id='$id']/valid/@from)")
	before=$(date -u -d "$from - 1 day" +%F)
	check_hidden "$id" --at "$before"
done
for id in $expired; do
	until=$(xpath_str "string(//entry[@id='$id']/valid/@until)")
	after=$(date -u -d "$until + 1 day" +%F)
	check_hidden "$id" --at "$after"
done

finish
