#!/usr/bin/env bash
# Bounded libFuzzer run of the control message parser (ASan, UBSan):
# tests/fuzz/fuzz_ctl.c. `make fuzz` runs it longer.
set -u
cd "$(dirname "$0")/../.." || exit 1
fuzz=${BUILD:-build}/fuzz/fuzz_ctl
runs=${FUZZ_RUNS:-1000000}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
mkdir -p "${BUILD:-build}/fuzz/corpus"
if "$fuzz" -runs="$runs" -seed=1 -artifact_prefix="${BUILD:-build}/fuzz/" "${BUILD:-build}/fuzz/corpus" tests/fuzz/corpus >"$log" 2>&1; then
	grep -E '^#[0-9]+.*(DONE|pulse)' "$log" | tail -n 1
	echo "fuzz_ctl: 1 passed, 0 failed ($runs runs)"
else
	tail -n 40 "$log"
	echo "fuzz_ctl: 0 passed, 1 failed"
	exit 1
fi
