#!/usr/bin/env bash
# scripts/bench-md.py on a fixture (tests/bench/bench-fixture.json, a
# BENCH_SMOKE run of scripts/bench-openvpn.sh with the userspace, both
# offloaded and 8-client rows, and tests/bench/bench-c-fixture.txt, C
# benchmark lines): the markdown has the header (date, CPU, kernel, OpenVPN,
# commit), the Mbit/s table with ratios to userspace, the CPU per packet per
# side, the 8-client table, the AEAD table and what varies between machines;
# --insert replaces what is between the markers of a document, again and
# again to the same text, and refuses a document without them.
# No namespace, no lock. Prints "bench-md: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/testlib.sh
T=$(mktemp -d /tmp/ovpn-xdp-benchmd.XXXXXX)
trap 'rm -rf "$T"' EXIT
FIX=tests/bench/bench-fixture.json
CFIX=tests/bench/bench-c-fixture.txt

check() {	# name condition
	if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
has() { grep -qF -- "$1" "$T/out.md"; }

if ovx_case full; then
	python3 scripts/bench-md.py "$FIX" --c-bench "$CFIX" > "$T/out.md" 2> "$T/err"
	check "bench-md runs" "[ \$? -eq 0 ] && [ ! -s $T/err ]"
	check "header: date, CPU model, kernel, OpenVPN, commit" \
		"has 'Measured 2026-' && has 'Xeon' && has 'Linux 6.' && has 'OpenVPN 2.' && has 'commit '"
	check "Mbit/s table, userspace and offloaded rows" \
		"has '| Mbit/s | 1 up | 1 down | 4 up | 4 down | idle RTT |' && has 'CHACHA20-POLY1305, userspace |' && has 'CHACHA20-POLY1305, both offloaded |'"
	check "ratio to userspace in the offloaded row" \
		"grep -E '^\| CHACHA20-POLY1305, both offloaded \| [0-9,]+ \([0-9.]+x\)' $T/out.md >/dev/null"
	check "CPU per packet, server and client, by kind" \
		"has '| us per packet, 1 up | server | client | others | steal |' && grep -E 'both offloaded \| [0-9.]+ \([0-9.]+x\): .*link NAPI' $T/out.md >/dev/null"
	check "8-client table" "has '| 8 clients, server |' && has '8 clients, server offloaded'"
	check "AEAD table: the daemon's and bench_aead's" \
		"has '| AEAD, us per 1408-byte packet |' && has 'CHACHA20-POLY1305 (daemon, at its start)' && has 'seal / open (bench_aead)'"
	check "what varies between machines" "has 'What varies between machines'"
	check "every table row has its header's columns" "awk -F'|' '
		/^\|/ { if (\$0 ~ /^\|---/) { n = NF; next } if (prev !~ /^\|/) n = NF; else if (NF != n) bad = 1 }
		{ prev = \$0 } END { exit bad }' $T/out.md"
fi

if ovx_case spread; then
	# each run twice more, at 90 % and 110 %: the median stays, the range shows
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
extra = []
for f in (0.9, 1.1):
    for r in j["runs"]:
        r2 = dict(r, mbps=int(r["mbps"] * f))
        extra.append(r2)
j["runs"] += extra
json.dump(j, sys.stdout)' "$FIX" > "$T/spread.json"
	python3 scripts/bench-md.py "$T/spread.json" > "$T/out.md"
	check "median with its range in brackets, then the ratio" \
		"grep -E '^\| CHACHA20-POLY1305, both offloaded \| 1,293 \[1,163-1,422\] \(2.18x\)' $T/out.md >/dev/null"
	check "spread: every run within 15 % of its case's median" "has 'Spread: all of'"
	# one run of one case at half speed: a slow mode, named
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
j["runs"].append(dict(j["runs"][0], mbps=j["runs"][0]["mbps"] // 2))
json.dump(j, sys.stdout)' "$T/spread.json" > "$T/slow.json"
	python3 scripts/bench-md.py "$T/slow.json" > "$T/out.md"
	# (the median of x, 0.9x, 1.1x and x/2 is 0.95x: the half-speed run is 47 % from it)
	check "spread: a run at half speed is named" "has 'Spread: not all of' && has 'furthest 47 % from it'"
fi

if ovx_case short; then
	python3 scripts/bench-md.py "$FIX" --short > "$T/out.md"
	check "short: Mbit/s 1 up and 1 down only" "has '| Mbit/s | 1 up | 1 down | idle RTT |'"
	check "short: no AEAD table" "! has 'AEAD, us per'"
fi

if ovx_case insert; then
	printf '# doc\nbefore\n<!-- bench:begin -->\nold figures\n<!-- bench:end -->\nafter\n' > "$T/doc.md"
	cp "$T/doc.md" "$T/README.md"
	python3 scripts/bench-md.py "$FIX" --c-bench "$CFIX" --insert "$T/doc.md" "$T/README.md"
	cp "$T/doc.md" "$T/doc1.md"
	python3 scripts/bench-md.py "$FIX" --c-bench "$CFIX" --insert "$T/doc.md"
	check "insert: old text gone, tables in, around kept" \
		"! grep -q 'old figures' $T/doc.md && grep -q '^before$' $T/doc.md && grep -q '^after$' $T/doc.md && grep -qF '| Mbit/s |' $T/doc.md"
	check "insert twice: the same document" "cmp -s $T/doc.md $T/doc1.md"
	check "insert: README gets the short tables" \
		"grep -qF '| Mbit/s | 1 up | 1 down | idle RTT |' $T/README.md && ! grep -q 'AEAD, us per' $T/README.md"
	printf 'no markers\n' > "$T/bare.md"
	check "insert: a document without markers is refused" \
		"! python3 scripts/bench-md.py $FIX --insert $T/bare.md 2>/dev/null && [ \"\$(cat $T/bare.md)\" = 'no markers' ]"
fi

ovx_done bench-md
