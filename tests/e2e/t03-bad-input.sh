#!/usr/bin/env bash
# t03-bad-input: invalid knowledge files.  For each, kb-index runs on an
# existing good index with the good corpus plus the bad file(s), and must
# (a) exit 1 printing exactly the expected file:line: messages,
# (b) leave the index's "current" link on the same generation (and no new
#     generation behind), and
# (c) leave kb-query's answers byte-identical (apart from took_us).
#
# Fixtures: fixtures/bad/NAME.xml with NAME.stderr beside it; the empty,
# binary, 20 MB and long-prolog files are generated here.  The expected
# messages that come from libxml2 (tag mismatch, UTF-8) are those of
# libxml2 2.9.x, as Debian ships it.
. "$E2E/lib.sh"

BAD=$FIX/bad
mkdir -p "$T/in"
cd "$T/in" || exit 1
cp "$FIX/protocol-kb.xml" kb.xml
cp "$BAD"/*.xml .
DB=$T/db
build_index "$DB" kb.xml || finish

QUERIES=(宽带断网了怎么报修 话费余额 营业厅 root 重复编号 没有标题 没有默认答案 根元素不对 lol 超大条目 实体)
for q in "${QUERIES[@]}"; do
	jq -nc --arg q "$q" '{q: $q, limit: 100}, {q: $q, limit: 100, audience: "elderly", region: "江苏"}'
done >"$T/snapshot.in"
# snapshot: kb-query --json's answer to a known query and the server's to
# more, without took_us (scores included), and the index directory's listing.
snapshot() {
	"$KB_QUERY" --db "$DB" --json --limit 100 宽带断网了怎么报修 | jq -c 'del(.took_us, .match_us)'
	"$KB_QUERY" --db "$DB" --serve <"$T/snapshot.in" | jq -c 'del(.took_us, .match_us)'
	ls -A "$DB"
}

# bad_case NAME EXPECTED_STDERR_FILE|- FILE...: kb-index --db DB kb.xml FILE...
# must fail as described above; with "-", stderr is only checked to name
# the first FILE and to end with the summary line.
bad_case() {
	local name=$1 expected=$2
	shift 2
	local gen_before=$(current_gen "$DB")
	snapshot >"$T/before.$name"
	local start=$(date +%s%N)
	expect_exit 1 timeout 10 "$KB_INDEX" --db "$DB" kb.xml "$@"
	local ms=$((($(date +%s%N) - start) / 1000000))
	if [ "$expected" != - ]; then
		assert_file_eq "$expected" "$T/err" "$name: the messages on stderr"
	else
		assert_match "$(head -n1 "$T/err")" "^$1:[0-9]+: " "$name: the first message is about $1"
		assert_match "$(tail -n1 "$T/err")" '^kb-index: [0-9]+ problems? in the input; the index was not changed$' \
			"$name: the summary line"
	fi
	assert_eq "" "$OUT" "$name: nothing on stdout"
	assert_eq "$gen_before" "$(current_gen "$DB")" "$name: current still names the same generation"
	snapshot >"$T/after.$name"
	if cmp -s "$T/before.$name" "$T/after.$name"; then
		pass
	else
		fail "$name: the index answers differently (or its directory changed)"
		diff -u --label before --label after "$T/before.$name" "$T/after.$name" | sed -n '3,14p' | cut -c1-200 >&2
	fi
	[ "$ms" -lt 5000 ] && pass || fail "$name: kb-index took ${ms} ms"
	# Should the bad input have gone live, put the good index back so that
	# the next cases start from it.
	if [ "$gen_before" != "$(current_gen "$DB")" ]; then
		echo "($name: restoring the good index)" >&2
		build_index "$DB" kb.xml
	fi
}

bad_case unclosed "$BAD/unclosed.stderr" unclosed.xml
# A tag mismatch early in a file: the entries after it are still checked
# (kb-index re-reads the file in libxml2's recovery mode for that).
bad_case recover "$BAD/recover.stderr" recover.xml
bad_case bad-utf8 "$BAD/bad-utf8.stderr" bad-utf8.xml
bad_case xxe "$BAD/xxe.stderr" xxe.xml
bad_case laughs "$BAD/laughs.stderr" laughs.xml
bad_case dup "$BAD/dup.stderr" dup-a.xml dup-b.xml
bad_case no-title "$BAD/no-title.stderr" no-title.xml
bad_case no-default "$BAD/no-default.stderr" no-default.xml
bad_case wrong-root "$BAD/wrong-root.stderr" wrong-root.xml

: >empty.xml
printf 'empty.xml:1: the file is empty (expected <kb> with entries)\nkb-index: 1 problem in the input; the index was not changed\n' >"$T/empty.stderr"
bad_case empty "$T/empty.stderr" empty.xml

head -c 8192 /bin/ls >binary.xml
printf "binary.xml:1: not an XML file (expected '<', the start of <kb>)\nkb-index: 1 problem in the input; the index was not changed\n" >"$T/binary.stderr"
bad_case binary "$T/binary.stderr" binary.xml

printf 'missing.xml: cannot read: No such file or directory\nkb-index: 1 problem in the input; the index was not changed\n' >"$T/missing.stderr"
bad_case missing "$T/missing.stderr" missing.xml

# A 20 MB answer (the limit is 64 KiB).  libxml2 cuts text nodes at 10 MB,
# so only the start of the message is checked.
{
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<kb>\n  <entry id="bad-huge-1">\n    <title>超大条目</title>\n    <answer>'
	head -c $((20 * 1024 * 1024)) /dev/zero | tr '\0' 'a'
	printf '</answer>\n  </entry>\n</kb>\n'
} >huge.xml
bad_case huge - huge.xml
assert_contains "$ERR" "huge.xml:5: entry 'bad-huge-1': <answer> is " "huge: the answer is too long"
assert_contains "$ERR" "<answer> is longer than the limit of 65536 bytes" "huge: the limit is named"
rm -f huge.xml

# A DOCTYPE after more than 64 KiB of prolog is still a DOCTYPE: kb-index
# must refuse it like any other (here its internal entity would otherwise
# supply the entry's id).
{
	printf '<?xml version="1.0" encoding="UTF-8"?>\n'
	head -c 70000 /dev/zero | tr '\0' '\n'
	printf '<!DOCTYPE kb [<!ENTITY id "bad-late-1">]>\n<kb>\n  <entry id="&id;">\n    <title>实体定义的编号</title>\n    <answer>答案</answer>\n  </entry>\n</kb>\n'
} >doctype-late.xml
printf 'doctype-late.xml:70002: DOCTYPE declarations are not allowed in knowledge files (no DTDs, no entities)\nkb-index: 1 problem in the input; the index was not changed\n' >"$T/doctype-late.stderr"
bad_case doctype-late "$T/doctype-late.stderr" doctype-late.xml
# The same with an external entity.
{
	printf '<?xml version="1.0" encoding="UTF-8"?>\n'
	head -c 70000 /dev/zero | tr '\0' '\n'
	sed 1d xxe.xml
} >xxe-late.xml
bad_case xxe-late - xxe-late.xml
assert_contains "$ERR" "DOCTYPE declarations are not allowed" "xxe-late: refused as a DOCTYPE"

# Nothing of /etc/passwd ever reached the index.
for q in root "root:x:0:0" nologin /bin/bash daemon 账号 密码 passwd; do
	"$KB_QUERY" --db "$DB" --json --limit 100 "$q" >>"$T/passwd.out" 2>&1
done
printf '%s\n' '{"q":"root"}' '{"q":"root:x:0:0:root:/root:/bin/bash"}' '{"q":"nologin daemon"}' |
	"$KB_QUERY" --db "$DB" --serve >>"$T/passwd.out" 2>&1
assert_not_contains "$(cat "$T/passwd.out")" "root:" "no /etc/passwd line in any answer"
assert_not_contains "$(cat "$T/passwd.out")" "nologin" "no /etc/passwd line in any answer (nologin)"
if grep -rqa -e 'root:x:0' -e 'nologin' "$DB"; then
	fail "the index files hold /etc/passwd text"
else
	pass
fi
# No bad entry ever went live.
for q in 宽带断网没人修 重复编号第一条 不重复的一条 这条没有标准问 这条没有默认答案 根元素不对 超大条目 实体定义的编号; do
	"$KB_QUERY" --db "$DB" --json --limit 100 "$q" | jq -r '.hits[].id'
done >"$T/bad-ids"
assert_eq "" "$(grep '^bad-' "$T/bad-ids" | sort -u | tr '\n' ' ')" "no bad-* entry is searchable"

# A good file with a leading comment longer than 64 KiB is valid XML and is
# accepted (kb-index looks at the first 64 KiB for a DOCTYPE).
{
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<!-- '
	head -c 70000 /dev/zero | tr '\0' 'x'
	printf ' -->\n'
	sed 1d kb.xml
} >long-comment.xml
expect_exit 0 "$KB_INDEX" --quiet --db "$DB" long-comment.xml
assert_eq "" "$ERR" "long-comment: no messages"
# Without the word list a rebuild cannot cut Han text into words: it says
# which file it wanted and changes nothing.  Searches and updates use the
# words the index keeps, and go on working.
gen_before=$(current_gen "$DB")
snapshot >"$T/before.words"
KB_DICTIONARY=/nonexistent/dict.txt expect_exit 3 "$KB_INDEX" --rebuild --db "$DB" kb.xml
assert_eq "kb-index: cannot read the word list /nonexistent/dict.txt: No such file or directory" \
	"$ERR" "no word list: the message names the file"
assert_eq "$gen_before" "$(current_gen "$DB")" "no word list: current still names the same generation"
KB_DICTIONARY=/nonexistent/dict.txt snapshot >"$T/after.words"
assert_file_eq "$T/before.words" "$T/after.words" "no word list: kb-query answers as before"
KB_DICTIONARY=/nonexistent/dict.txt expect_exit 0 "$KB_INDEX" --quiet --db "$DB" kb.xml

finish
