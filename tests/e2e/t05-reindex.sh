#!/usr/bin/env bash
# t05-reindex: a reindex replaces the index's entries; one kb-index at a time
# (the lock); kb-index never writes into a directory that is not a kb index;
# make install.
. "$E2E/lib.sh"

DB=$T/db
KB=$FIX/protocol-kb.xml
build_index "$DB" "$KB" || finish
assert_eq gen-1 "$(current_gen "$DB")" "first index: gen-1"

ids_for() { # ids_for QUERY: the ids of up to 100 hits, space-separated
	"$KB_QUERY" --db "$DB" --json --limit 100 "$1" | hit_ids
}

# ---- an entry removed from the input disappears -------------------------------
assert_contains " $(ids_for 手机卡丢了怎么补办) " " t-sim-lost " "before: t-sim-lost is found"
# The same knowledge base without the t-sim-lost entry.
awk '/<entry id="t-sim-lost"/ { skip = 1 } !skip { print } skip && /<\/entry>/ { skip = 0 }' "$KB" >"$T/kb-less.xml"
assert_eq 0 "$(grep -c 't-sim-lost' "$T/kb-less.xml")" "the fixture without t-sim-lost"
expect_exit 0 "$KB_INDEX" --db "$DB" "$T/kb-less.xml"
assert_match "$ERR" "^kb-index: updated $DB: 12 entries from 1 files \(0 added, 0 changed, 1 removed, 12 unchanged\) in " \
	"reindex: one entry removed, the rest untouched"
assert_eq gen-1 "$(current_gen "$DB")" "reindex: updated in place"
assert_not_contains " $(ids_for 手机卡丢了怎么补办) " " t-sim-lost " "after: t-sim-lost is gone"
assert_not_contains " $(ids_for 补卡) " " t-sim-lost " "after: t-sim-lost is gone (补卡)"
assert_contains " $(ids_for 话费余额) " " t-bill-balance " "after: the other entries are still there"
# A changed entry is re-added, and only it.
sed 's/<title>怎么查话费余额<\/title>/<title>话费余额在哪里查<\/title>/' "$T/kb-less.xml" >"$T/kb-changed.xml"
if cmp -s "$T/kb-less.xml" "$T/kb-changed.xml"; then fail "the fixture has no title to change"; fi
expect_exit 0 "$KB_INDEX" --db "$DB" "$T/kb-changed.xml"
assert_match "$ERR" "\(0 added, 1 changed, 0 removed, 11 unchanged\)" "reindex: one entry changed"
assert_contains " $(ids_for 话费余额在哪里查) " " t-bill-balance " "the changed title is searchable"
# Files whose size and time are unchanged are not read again, but their
# ids still count: a new file that repeats one is refused.
cp "$T/kb-changed.xml" "$T/kb-a.xml"
expect_exit 0 "$KB_INDEX" --db "$DB" "$T/kb-a.xml"
printf '<kb>\n<entry id="t-bill-balance"><title>重复</title><answer>x</answer></entry>\n</kb>\n' >"$T/kb-b.xml"
expect_exit 0 "$KB_INDEX" --db "$DB" "$T/kb-a.xml"
assert_match "$ERR" "\(0 added, 0 changed, 0 removed, 12 unchanged\)" "an unchanged file: every entry unchanged"
expect_exit 1 "$KB_INDEX" --db "$DB" "$T/kb-a.xml" "$T/kb-b.xml"
assert_contains "$ERR" "kb-b.xml:2: entry 't-bill-balance': duplicate id (first defined at $T/kb-a.xml:" \
	"a duplicate of an id in a file not read again is found"
# Rebuilds make new generations; old ones are cleaned up: at most the live
# one and the one before.
expect_exit 0 "$KB_INDEX" --quiet --rebuild --db "$DB" "$KB"
expect_exit 0 "$KB_INDEX" --quiet --rebuild --db "$DB" "$KB"
assert_eq gen-3 "$(current_gen "$DB")" "two rebuilds: gen-3"
assert_eq "current gen-2 gen-3 lock" "$(ls -A "$DB" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"only the live and the previous generation are kept"
assert_contains " $(ids_for 手机卡丢了怎么补办) " " t-sim-lost " "back again: t-sim-lost is found"

# ---- the editors' words.txt ------------------------------------------------------
# New words change how every entry is cut: kb-index builds anew by itself,
# and after that the words are searched as words.
mkdir -p "$T/kbw"
cp "$KB" "$T/kbw/kb.xml"
printf '# 业务用语
手机卡
' >"$T/kbw/words.txt"
expect_exit 0 "$KB_INDEX" --db "$DB" "$T/kbw"
assert_match "$ERR" "^kb-index: built $DB: 13 entries" "new words: the index is built anew"
assert_eq gen-4 "$(current_gen "$DB")" "new words: a new generation"
expect_exit 0 "$KB_INDEX" --db "$DB" "$T/kbw"
assert_match "$ERR" "^kb-index: updated $DB: .*13 unchanged" "the same words: an update"
"$KB_QUERY" --db "$DB" --json 手机卡丢了怎么补办 | jq -e '.hits[0].id == "t-sim-lost"' >/dev/null &&
	pass || fail "with words.txt: t-sim-lost first"
printf '手机卡
5G套餐
' >"$T/kbw/words.txt"
expect_exit 1 "$KB_INDEX" --db "$DB" "$T/kbw"
assert_contains "$ERR" "$T/kbw/words.txt:2: '5g套餐' is not a word of Han characters" \
	"a bad word: file:line: message"
assert_eq gen-4 "$(current_gen "$DB")" "a bad word: the index is unchanged"
rm "$T/kbw/words.txt"
expect_exit 0 "$KB_INDEX" --quiet --db "$DB" "$T/kbw"
assert_eq gen-5 "$(current_gen "$DB")" "words removed: built anew"

# ---- one kb-index at a time ------------------------------------------------------
# Hold the lock as a running kb-index would (flock(2) on DB/lock), and wait
# until it is held.  The holder execs into sleep, so that killing it frees
# the lock.
(exec 9>>"$DB/lock" && flock 9 && echo held >"$T/held" && exec sleep 30) &
holder=$!
for _ in $(seq 100); do [ -e "$T/held" ] && break; sleep 0.05; done
[ -e "$T/held" ] && pass || fail "could not take the lock with flock"
gen_before=$(current_gen "$DB")
expect_exit 3 timeout 10 "$KB_INDEX" --db "$DB" "$T/kb-less.xml"
assert_eq "kb-index: another kb-index is updating $DB; try again when it has finished" "$ERR" \
	"locked: the message says another kb-index is updating"
assert_eq "$gen_before" "$(current_gen "$DB")" "locked: the index is unchanged"
assert_contains " $(ids_for 手机卡丢了怎么补办) " " t-sim-lost " "locked: queries still answer from the old index"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
# The lock is free again: kb-index works.
expect_exit 0 "$KB_INDEX" --quiet --db "$DB" "$T/kb-less.xml"
assert_not_contains " $(ids_for 手机卡丢了怎么补办) " " t-sim-lost " "after the lock is released kb-index works"

# ---- not a kb index: refused, untouched ------------------------------------------
OTHER=$T/documents
mkdir -p "$OTHER/sub"
echo "年度报告" >"$OTHER/report.txt"
echo "x" >"$OTHER/sub/notes.md"
ln -s report.txt "$OTHER/link"
snapshot_dir() { (cd "$1" && find . -printf '%p %y %s %l\n' | sort && find . -type f -exec sha256sum {} + | sort); }
snapshot_dir "$OTHER" >"$T/other.before"
expect_exit 3 "$KB_INDEX" --db "$OTHER" "$KB"
assert_eq "kb-index: $OTHER exists and is not a kb index directory; refusing to write into it (name a new or empty directory)" \
	"$ERR" "not a kb index: the message"
snapshot_dir "$OTHER" >"$T/other.after"
assert_file_eq "$T/other.before" "$T/other.after" "not a kb index: its files are untouched"
# A plain file as --db: exit 3 too, the file untouched.
echo "keep me" >"$T/plain"
expect_exit 3 "$KB_INDEX" --db "$T/plain" "$KB"
assert_contains "$ERR" "$T/plain" "a file as --db: the message names it"
assert_eq "keep me" "$(cat "$T/plain")" "a file as --db: untouched"
# An empty directory is fine, and so is one that does not exist yet (with parents).
mkdir "$T/empty"
expect_exit 0 "$KB_INDEX" --quiet --db "$T/empty" "$KB"
assert_eq gen-1 "$(current_gen "$T/empty")" "an empty directory becomes an index"
expect_exit 0 "$KB_INDEX" --quiet --db "$T/new/deeper/db" "$KB"
assert_eq gen-1 "$(current_gen "$T/new/deeper/db")" "a new directory (with parents) becomes an index"

# ---- make install -----------------------------------------------------------------
DEST=$T/dest
expect_exit 0 make -s -C "$ROOT" install DESTDIR="$DEST" PREFIX=/usr
for tool in kb-index kb-query; do
	if [ -x "$DEST/usr/bin/$tool" ] && cmp -s "$DEST/usr/bin/$tool" "$BIN/$tool"; then
		pass
	else
		fail "make install: $DEST/usr/bin/$tool missing, not executable, or not bin/$tool"
	fi
done
assert_eq "kb-index kb-query" "$(ls "$DEST/usr/bin" | tr '\n' ' ' | sed 's/ $//')" "make install: exactly the two binaries"
assert_eq "usr" "$(ls "$DEST")" "make install: nothing outside PREFIX"
assert_eq "kb-index.1 kb-query.1" "$(ls "$DEST/usr/share/man/man1" | tr '\n' ' ' | sed 's/ $//')" \
	"make install: the two man pages"
expect_exit 0 "$DEST/usr/bin/kb-query" --version
assert_match "$OUT" '^kb-query [0-9]' "the installed kb-query runs"

finish
