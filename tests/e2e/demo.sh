#!/usr/bin/env bash
# make demo: index the shipped corpus and ask it what agents ask.
set -euo pipefail
db=${1:-build/demo-db}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
echo "\$ bin/kb-index --db $db corpus/"
bin/kb-index --db "$db" corpus/
# Tabs become unit separators: IFS tabs would merge empty columns.
tr '\t' '\037' < tests/e2e/demo-queries.tsv |
while IFS=$'\037' read -r query audience region _; do
	case "$query" in ''|'#'*) continue ;; esac
	args=(--db "$db" --limit 2)
	[ -n "$audience" ] && args+=(--audience "$audience")
	[ -n "$region" ] && args+=(--region "$region")
	echo
	echo "\$ bin/kb-query ${args[*]} $query"
	bin/kb-query "${args[@]}" "$query" || true
done
echo
echo "\$ echo '{\"id\":\"q1\",\"q\":\"宽带断网\",\"audience\":\"elderly\",\"limit\":1}' | bin/kb-query --db $db --serve"
echo '{"id":"q1","q":"宽带断网","audience":"elderly","limit":1}' | bin/kb-query --db "$db" --serve
