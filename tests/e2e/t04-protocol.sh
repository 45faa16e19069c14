#!/usr/bin/env bash
# t04-protocol: kb-query --serve, the JSON Lines protocol.
#
# Golden files: protocol/NAME.in holds requests, one a line, and
# protocol/NAME.expected the responses with took_us, match_us and the scores
# removed (lib.sh's normalize), on an index of fixtures/protocol-kb.xml.  Then: one
# response per line for 10,000 mixed lines, a 10 MB line, EOF, and a server
# that follows kb-index to a new generation without a restart.
#
# To regenerate a golden file after a deliberate change (then READ it):
#   bin/kb-index --db /tmp/p tests/e2e/fixtures/protocol-kb.xml
#   bin/kb-query --db /tmp/p --serve < X.in | jq -c 'del(.took_us, .match_us) |
#     if .hits then .hits |= map(del(.score)) else . end' > X.expected
. "$E2E/lib.sh"

PROTO=$E2E/protocol
DB=$T/db
build_index "$DB" "$FIX/protocol-kb.xml" || finish

# ---- golden files ------------------------------------------------------------
# Generic checks of every response line: it is one JSON object with an ok
# flag; a success has an integer took_us and match_us (no larger), a total no smaller than its hit
# count, ranks 1..n and non-increasing numeric scores; an error has a code
# and a message.
WELL_FORMED='
	if .ok == true then
		(.took_us | type) == "number" and .took_us >= 0 and .took_us == (.took_us | floor)
		and (.match_us | type) == "number" and .match_us >= 0 and .match_us <= .took_us
		and (.total | type) == "number" and .total >= (.hits | length)
		and ([.hits[].rank] == [range(1; (.hits | length) + 1)])
		and all(.hits[]; (.score | type) == "number")
		and ([.hits[].score] == ([.hits[].score] | sort | reverse))
	elif .ok == false then
		(.error.code | type) == "string" and (.error.message | type) == "string"
		and (has("hits") | not)
	else false end'

goldens=0
for in in "$PROTO"/*.in; do
	name=$(basename "$in" .in)
	expected=$PROTO/$name.expected
	[ -f "$expected" ] || { fail "$name: no $expected"; continue; }
	goldens=$((goldens + 1))
	expect_exit 0 "$KB_QUERY" --db "$DB" --serve <"$in"
	assert_eq "" "$ERR" "$name: nothing on stderr"
	assert_eq "$(wc -l <"$in")" "$(wc -l <"$T/out")" "$name: one response line per request line"
	bad=$(jq -c "select(($WELL_FORMED) | not)" <"$T/out" 2>&1)
	assert_eq "" "$bad" "$name: every response is well-formed"
	normalize <"$T/out" >"$T/$name.actual"
	assert_file_eq "$expected" "$T/$name.actual" "$name: responses as in $name.expected"
done
[ "$goldens" -ge 3 ] && pass || fail "only $goldens golden files in $PROTO"

# ---- single requests, beyond the golden files ------------------------------------
serve1() { # serve1 LINE: the one response line to LINE
	printf '%s\n' "$1" | "$KB_QUERY" --db "$DB" --serve
}
# Valid JSON whose string holds an escaped NUL: the request is JSON, so its
# id is echoed (only a line that is not JSON gets "id": null).
r=$(serve1 '{"id":"nul","q":"\u0000宽带","limit":1}')
assert_eq '"nul"' "$(jq -c .id <<<"$r")" "a \\u0000 escape in q: the id is echoed ($r)"
# Duplicate keys: refused, in one line.
r=$(serve1 '{"id":"dup","q":"宽带","q":"重复"}')
assert_eq false "$(jq -c .ok <<<"$r")" "duplicate keys: an error"
# An id is echoed exactly as sent: a long string, a large number, unicode.
r=$(serve1 '{"id":"编号-42 \"quoted\" \\ back","q":"话费余额","limit":1}')
assert_eq '"编号-42 \"quoted\" \\ back"' "$(jq -c .id <<<"$r")" "a string id is echoed unchanged"
r=$(serve1 '{"id":9007199254740993,"q":"话费余额","limit":1}')
assert_contains "$r" '"id":9007199254740993,' "a large integer id is echoed unchanged"
# A last line without its newline is answered too.
r=$(printf '{"id":"eof","q":"话费余额","limit":1}' | "$KB_QUERY" --db "$DB" --serve)
assert_eq '"eof"' "$(jq -c .id <<<"$r")" "a last line without a newline is answered"
# No input at all: exit 0, no output.
expect_exit 0 "$KB_QUERY" --db "$DB" --serve </dev/null
assert_eq "" "$OUT$ERR" "EOF at once: no output"
# Requests that cannot be read (a directory), responses that cannot be
# written (a full disk): exit 3, and which of the two it was.
expect_exit 3 "$KB_QUERY" --db "$DB" --serve </
assert_eq "kb-query: cannot read requests" "$ERR" "unreadable requests: the message says so"
"$KB_QUERY" --db "$DB" --serve <<<'{"q":"话费余额"}' >/dev/full 2>"$T/err"
assert_eq "3 kb-query: cannot write responses" "$? $(cat "$T/err")" \
	"unwritable responses: exit 3, the message says so"

# Hidden entries never show up, whatever is asked; dated ones do on a date
# inside their window.
hidden_ids='["t-promo-expired","t-promo-future","t-draft","t-retired"]'
for q in 流量包半价活动 春节流量包活动 草稿套餐怎么办理 旧套餐怎么办理 活动 套餐; do
	for aud in '' ',"audience":["elderly","business","vip","campus","family"]'; do
		r=$(serve1 "{\"q\":\"$q\",\"limit\":100$aud}")
		assert_eq '[]' "$(jq -c --argjson h "$hidden_ids" '[.hits[].id | select(. as $i | $h | index($i))]' <<<"$r")" \
			"no hidden entry for '$q'$aud"
	done
done
r=$(serve1 '{"q":"流量包半价活动","at":"2000-12-31","limit":1}')
assert_eq '"t-promo-expired"' "$(jq -c '.hits[0].id' <<<"$r")" "the expired entry on its last day"
r=$(serve1 '{"q":"流量包半价活动","at":"2001-01-01","limit":100}')
assert_eq '[]' "$(jq -c '[.hits[].id | select(. == "t-promo-expired")]' <<<"$r")" "the expired entry the day after"
r=$(serve1 '{"q":"春节流量包活动","at":"2099-01-01","limit":1}')
assert_eq '"t-promo-future"' "$(jq -c '.hits[0].id' <<<"$r")" "the future entry on its first day"
r=$(serve1 '{"q":"春节流量包活动","at":"2098-12-31","limit":100}')
assert_eq '[]' "$(jq -c '[.hits[].id | select(. == "t-promo-future")]' <<<"$r")" "the future entry the day before"

# ---- 10,000 mixed lines: one response each, in order -----------------------------
# Every line carries a marker that its response shows: the id for requests
# with one, else the error message.
awk 'BEGIN {
	for (i = 1; i <= 10000; i++) {
		m = i % 10
		if (m == 0) printf "{\"id\":%d,\"q\":\"宽带断网了怎么报修\",\"limit\":3}\n", i
		else if (m == 1) printf "{\"id\":\"s%d\",\"q\":\"话费余额\",\"audience\":[\"elderly\"]}\n", i
		else if (m == 2) printf "{\"id\":%d,\"q\":\n", i
		else if (m == 3) printf "\n"
		else if (m == 4) printf "{\"id\":\"s%d\",\"q\":\"营业厅\",\"region\":\"江苏\",\"limit\":0}\n", i
		else if (m == 5) printf "[%d]\n", i
		else if (m == 6) printf "{\"id\":\"s%d\",\"q\":\"出国漫游\",\"audience\":\"vip\",\"limit\":2}\n", i
		else if (m == 7) printf "\377%d\n", i
		else if (m == 8) printf "{\"id\":%d,\"q\":%d}\n", i, i
		else printf "{\"id\":\"s%d\",\"q\":\"寬頻\",\"at\":\"2026-11-23\"}\n", i
	}
}' >"$T/mixed.in"
awk 'BEGIN {
	for (i = 1; i <= 10000; i++) {
		m = i % 10
		if (m == 0) print i " true"
		else if (m == 1 || m == 6 || m == 9) print "\"s" i "\" true"
		else if (m == 4) print "\"s" i "\" false"
		else if (m == 8) print i " false"
		else print "null false"
	}
}' >"$T/mixed.expected"
expect_exit 0 "$KB_QUERY" --db "$DB" --serve <"$T/mixed.in"
assert_eq 10000 "$(wc -l <"$T/out")" "10,000 lines in, 10,000 responses out"
jq -r '"\(.id | tojson) \(.ok)"' <"$T/out" >"$T/mixed.actual" 2>&1
assert_file_eq "$T/mixed.expected" "$T/mixed.actual" "10,000 lines: each response answers its own line"
assert_eq "" "$(jq -c "select(($WELL_FORMED) | not)" <"$T/out" 2>&1 | head -3)" "10,000 lines: all well-formed"

# ---- a 10 MB line, then a good one -----------------------------------------
{
	printf '{"id":"huge","q":"'
	head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' 'a'
	printf '"}\n{"id":"next","q":"话费还剩多少","limit":1}\n'
	head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' '['
	printf '\n{"id":"last","q":"宽带断网了怎么报修","limit":1}\n'
} >"$T/huge.in"
expect_exit 0 timeout 20 "$KB_QUERY" --db "$DB" --serve <"$T/huge.in"
rm -f "$T/huge.in"
assert_eq 4 "$(wc -l <"$T/out")" "10 MB lines: one response each"
assert_eq '{"id":null,"ok":false,"error":{"code":"bad_request","message":"request line longer than 1048576 bytes"}}' \
	"$(sed -n 1p "$T/out")" "a 10 MB line: an error"
assert_eq '"next" "t-bill-balance"' "$(sed -n 2p "$T/out" | jq -r '"\(.id | tojson) \(.hits[0].id | tojson)"')" \
	"the line after a 10 MB line is answered"
assert_eq '{"id":null,"ok":false,"error":{"code":"bad_request","message":"request line longer than 1048576 bytes"}}' \
	"$(sed -n 3p "$T/out")" "a 10 MB line of brackets: an error"
assert_eq '"last" "t-bb-repair"' "$(sed -n 4p "$T/out" | jq -r '"\(.id | tojson) \(.hits[0].id | tojson)"')" \
	"the line after the second 10 MB line is answered"
# Just under the limit: answered (a long q), not refused.
{
	printf '{"id":"big","q":"'
	head -c $((1024 * 1024 - 64)) /dev/zero | tr '\0' 'a'
	printf '"}\n'
} >"$T/big.in"
r=$(timeout 20 "$KB_QUERY" --db "$DB" --serve <"$T/big.in")
assert_eq '"big" true' "$(jq -r '"\(.id | tojson) \(.ok)"' <<<"$r")" "a line just under 1 MiB is answered"

# ---- a running server follows kb-index ---------------------------------------
cat >"$T/new.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<kb>
  <entry id="t-new-modem-pwd">
    <title>光猫管理员密码忘了怎么办</title>
    <alt>超级密码在哪里看</alt>
    <category>宽带/光猫</category>
    <answer>光猫背面贴纸上有默认管理员密码；改过又忘了的，可远程重置。</answer>
  </entry>
</kb>
EOF
coproc SRV { exec "$KB_QUERY" --db "$DB" --serve 2>"$T/serve.err"; }
SRV_IN=${SRV[1]} SRV_OUT=${SRV[0]}
ask() { # ask LINE: the server's response, or "(no response)"
	local line
	printf '%s\n' "$1" >&"$SRV_IN"
	IFS= read -r -t 10 line <&"$SRV_OUT" || line="(no response)"
	printf '%s\n' "$line"
}
Q='{"id":"new","q":"光猫管理员密码忘了怎么办","limit":3}'
r=$(ask "$Q")
assert_eq '"new" true' "$(jq -r '"\(.id | tojson) \(.ok)"' <<<"$r" 2>&1)" "server: answers before the reindex"
assert_eq '' "$(jq -r '.hits[].id | select(. == "t-new-modem-pwd")' <<<"$r" 2>&1)" "server: no new entry before the reindex"
expect_exit 0 "$KB_INDEX" --quiet --db "$DB" "$FIX/protocol-kb.xml" "$T/new.xml"
assert_eq gen-1 "$(current_gen "$DB")" "reindex: updated in place in gen-1"
r=$(ask "$Q")
assert_eq '"t-new-modem-pwd"' "$(jq -c '.hits[0].id' <<<"$r" 2>&1)" "server: the new entry is hit 1 after the reindex"
# Two reindexes between requests (the generation the server had open is
# removed meanwhile): the server answers from the newest.
sed 's/可远程重置/请拨打10000远程重置/' "$T/new.xml" >"$T/new2.xml"
expect_exit 0 "$KB_INDEX" --quiet --rebuild --db "$DB" "$FIX/protocol-kb.xml"
expect_exit 0 "$KB_INDEX" --quiet --rebuild --db "$DB" "$FIX/protocol-kb.xml" "$T/new2.xml"
r=$(ask "$Q")
assert_contains "$(jq -r '.hits[0].answer' <<<"$r" 2>&1)" "请拨打10000远程重置" "server: answers from the newest generation"
# The entry removed again: gone.
expect_exit 0 "$KB_INDEX" --quiet --db "$DB" "$FIX/protocol-kb.xml"
r=$(ask "$Q")
assert_eq '' "$(jq -r '.hits[].id | select(. == "t-new-modem-pwd")' <<<"$r" 2>&1)" "server: a removed entry is gone"
# A failed reindex changes nothing for the server.
printf '<kb><entry id="x"><title>光猫管理员密码忘了怎么办</title></entry></kb>\n' >"$T/bad.xml"
expect_exit 1 "$KB_INDEX" --quiet --db "$DB" "$FIX/protocol-kb.xml" "$T/bad.xml"
r2=$(ask "$Q")
assert_eq "$(normalize <<<"$r")" "$(normalize <<<"$r2")" "server: same answer after a failed reindex"
# Close its stdin: it exits 0.
pid=$SRV_PID
eval "exec $SRV_IN>&-"
wait "$pid"
assert_eq 0 "$?" "server: exit status 0 at EOF"
assert_eq "" "$(cat "$T/serve.err")" "server: nothing on stderr"

finish
