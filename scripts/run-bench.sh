#!/usr/bin/env bash
# Runs each benchmark program given. Each prints "name value unit" lines;
# they are shown as they come, then gathered into one table; BENCH_OUT=path
# also keeps the lines there (scripts/bench-md.py's --c-bench).
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
for b in "$@"; do
	echo "== $(basename "$b")"
	"$b" | tee -a "$out" || rc=1
done
echo
echo "Summary ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r)):"
awk 'NF == 3 && $2 ~ /^-?[0-9.]+$/ { printf "  %-44s %12s %s\n", $1, $2, $3 }' "$out"
[ -z "${BENCH_OUT:-}" ] || cp "$out" "$BENCH_OUT"
exit $rc
