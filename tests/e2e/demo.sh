#!/usr/bin/env bash
# make demo: index the shipped corpus and ask it what agents ask.
set -euo pipefail
db=${1:-build/demo-db}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
echo "\$ bin/kb-index --db $db corpus/"
bin/kb-index --db "$db" corpus/
while IFS=$'\t' read -r query audience region _; do
	case "$query" in ''|'#'*) continue ;; esac
	args=(--db "$db" --limit 2)
	[ -n "$audience" ] && args+=(--audience "$audience")
	[ -n "$region" ] && args+=(--region "$region")
	echo
	echo "\$ bin/kb-query ${args[*]:2} $query"
	bin/kb-query "${args[@]}" "$query" || true
done < tests/e2e/demo-queries.tsv
echo
echo "\$ echo '{\"id\":\"q1\",\"q\":\"宽带断网\",\"audience\":\"elderly\",\"limit\":1}' | bin/kb-query --db $db --serve"
echo '{"id":"q1","q":"宽带断网","audience":"elderly","limit":1}' | bin/kb-query --db "$db" --serve
