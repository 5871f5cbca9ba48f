#!/usr/bin/env bash
# make bench-openvpn (also the end of make bench): stock OpenVPN 2.6 side by
# side with ovpn-xdp, in one run, in two network namespaces joined by a veth
# pair (scripts/lib/openvpn.sh). Setups: the bare veth (the ceiling), OpenVPN in
# userspace on both sides, the server offloaded (stock client), both sides
# offloaded, both offloaded with 10,000 peers installed on the server, and
# both offloaded with the kernel's ecb(aes-generic) for AES-GCM, and OpenVPN
# 2.7.6 on both ends (the epoch data format; scripts/build-openvpn.sh) in
# userspace and both offloaded, its ratios to 2.7.6 in userspace. For each
# cipher and each traffic case (iperf3 TCP, 1 and 4 streams, client to server
# "up" and server to client "down" = iperf3 -R): Mbit/s and CPU seconds per GB
# moved (busy time of all CPUs from /proc/stat, all processes and softirq,
# over the bytes iperf3 received), the median of REPS runs; and the idle ping
# RTT through the tunnel. Last, 8 offloaded clients against the server in
# userspace and offloaded (scripts/lib/bench_many.sh). Each run also records
# each side's CPU by kind of task (scripts/lib/cpu_split.py). Prints a table
# with each figure's ratio to userspace OpenVPN with the same cipher;
# BENCH_JSON=path also writes the results, each run's, as JSON
# (scripts/bench-md.py makes the markdown tables from it).
#
# Env: REPS (default 3), BENCH_SECONDS (per iperf3 run, default 5),
# BENCH_CIPHERS (default "AES-256-GCM CHACHA20-POLY1305"), BENCH_SETUPS
# (default "veth user srv both peers generic user27 both27 many"), BENCH_PEERS (default 10000),
# BENCH_SMOKE=1 (one rep of 1 s, AES-256-GCM only: checks that it works),
# OVX_NS (namespace prefix, default ovxbench), KEEP=1 (keep the logs).
set -u
cd "$(dirname "$0")/.." || exit 1
B=$PWD/build
OVX_NS=${OVX_NS:-ovxbench}
OVPN27=$B/openvpn-2.7.6/full/openvpn	# scripts/build-openvpn.sh full
REPS=${REPS:-3}
SECS=${BENCH_SECONDS:-5}
CIPHERS=${BENCH_CIPHERS:-AES-256-GCM CHACHA20-POLY1305}
SETUPS=" ${BENCH_SETUPS:-veth user srv both peers generic user27 both27 many} "
PEERS=${BENCH_PEERS:-10000}
if [ -n "${BENCH_SMOKE:-}" ]; then
	REPS=1 SECS=1 CIPHERS=${BENCH_CIPHERS:-AES-256-GCM}
fi
HZ=$(getconf CLK_TCK)
CASES=("1 up" "1 down" "4 up" "4 down")
FIRST_EXTRA_PEER=1000		# dummy peer-ids FIRST_EXTRA_PEER..; OpenVPN's own start at 0
declare -A LABEL CIPHER_OF MBPS CPU RTT REPS_OF RUNS_M RUNS_C PAIRED
ROWS=()
failed=0 done_rows=0 t_start=$SECONDS

say() { printf '%s\n' "$*"; }
warn() { printf '\nbench-openvpn: %s\n' "$*" >&2; }
wanted() { [[ $SETUPS == *" $1 "* ]]; }

usage_checks() {
	if [ "$(id -u)" -ne 0 ]; then
		say "bench-openvpn needs root (network namespaces, BPF)" >&2
		exit 1
	fi
	ovx_need_binaries || exit 1
	if { wanted user27 || wanted both27; } && ! scripts/build-openvpn.sh full >/dev/null; then
		say "cannot build OpenVPN 2.7.6 (../shared/peers/README.md): no 2.7 rows" >&2
		SETUPS=${SETUPS/ user27 / } SETUPS=${SETUPS/ both27 / }
	fi
	if [ "$PEERS" -lt 1 ] || [ $((FIRST_EXTRA_PEER + PEERS)) -gt 524288 ]; then
		say "BENCH_PEERS must be between 1 and $((524288 - FIRST_EXTRA_PEER))" >&2
		exit 1
	fi
}

# The rows in table order; a row is "setup cipher" (cipher "-" for veth).
plan() {
	local c
	wanted veth && add_row veth - "veth, no VPN (ceiling)"
	for c in $CIPHERS; do
		wanted user && add_row user "$c" "userspace"
		wanted srv && add_row srv "$c" "server offloaded"
		wanted both && add_row both "$c" "both offloaded"
		wanted peers && add_row peers "$c" "both, $(group3 "$PEERS") peers"
		[ "$c" = AES-256-GCM ] && wanted generic && add_row generic "$c" "both, aes-generic"
		wanted user27 && add_row user27 "$c" "2.7.6 userspace"
		wanted both27 && add_row both27 "$c" "2.7.6 both offloaded (epoch format)"
	done
	wanted many && many_plan
}

# "CIPHER, setup" (the veth alone)
row_name() {	# row
	if [ "${CIPHER_OF[$1]}" = - ]; then
		printf '%s' "${LABEL[$1]}"
	else
		printf '%s, %s' "${CIPHER_OF[$1]}" "${LABEL[$1]}"
	fi
}

add_row() {	# setup cipher label
	ROWS+=("$1 $2")
	LABEL["$1 $2"]=$3
	CIPHER_OF["$1 $2"]=$2
}

group3() { printf "%'d" "$1" 2>/dev/null || printf '%d' "$1"; }

median() {	# values...
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
		      else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Idle ping RTT, average of 20 pings, ms.
rtt() {	# address
	ip netns exec "$CLI" ping -c 20 -i 0.05 -W 1 -q "$1" 2>/dev/null |
		awk -F/ '/^(rtt|round-trip)/ { print $5 }'
}

# One iperf3 run of a traffic case: its Mbit/s and CPU s/GB appended to the
# row's runs (RUNS_M, RUNS_C); status 1 if iperf3 failed.
run_once() {	# row case run-number
	local row=$1 case=$2 r=$3 streams=${2% *} dir=${2#* } c0 c1 mbps bytes
	local args=(-P "$streams")
	[ "$dir" = down ] && args+=(-R)
	c0=$(ovx_cpu_busy)
	split_start
	mbps=$(ovx_iperf $((5201 + r)) "$SECS" "${args[@]}")
	c1=$(ovx_cpu_busy)
	bytes=$(ovx_iperf_bytes)
	if [ "${mbps:-0}" -le 0 ] || [ "$bytes" -le 0 ]; then
		wait "$SPLIT_PID"
		warn "$(row_name "$row"), $case: iperf3 failed (run $r)"
		return 1
	fi
	RUNS_M["$row|$case"]+="$mbps "
	RUNS_C["$row|$case"]+="$(awk -v j=$((c1 - c0)) -v hz="$HZ" -v b="$bytes" \
		'BEGIN { printf "%.3f", j / hz / (b / 1e9) }') "
	split_end "$row" "$case" "$r" "$mbps" "$bytes"
}

# Whose CPU a run took (scripts/lib/cpu_split.py): a window inside the
# iperf3 run (after its start, before its end, while its processes live),
# each side's tasks by namespace and NAPI device, and the link's packets.
# SPLIT_SIDES: the sides (default the server's and the client's namespace).
split_start() {
	local start len
	start=$(awk -v s="$SECS" 'BEGIN { printf "%.2f", 0.3 + s * 0.15 }')
	len=$(awk -v s="$SECS" 'BEGIN { printf "%.2f", s * 0.6 }')
	# shellcheck disable=SC2086 # SPLIT_SIDES is a list of words
	python3 scripts/lib/cpu_split.py window "$start" "$len" ${SPLIT_SIDES:-srv=$SRV cli=$CLI} \
		--pkts "$SRV:veth-s" > "$T/split.json" 2> "$T/split.err" &
	SPLIT_PID=$!
}

# The run, as one line of $T/runs.jsonl (BENCH_JSON's "runs").
split_end() {	# row case run mbps bytes
	local split
	wait "$SPLIT_PID"
	split=$(cat "$T/split.json" 2>/dev/null)
	printf '{"setup": "%s", "cipher": "%s", "case": "%s", "run": %d, "mbps": %s, "bytes": %s, "split": %s}\n' \
		"${1%% *}" "${CIPHER_OF[$1]/#-/}" "$2" "$3" "$4" "$5" "${split:-null}" >> "$T/runs.jsonl"
}

# What one packet's AEAD costs, fast path and OpenSSL, as the server's daemon
# measured it at its start (`ovpn-xdp show --json`: aead_costs), once a run.
save_aead_costs() {
	[ -s "$T/aead.json" ] && return 0
	"$B/ovpn-xdp" -s "$SRV_SOCK" show --json 2>/dev/null | python3 -c '
import json, sys
print(json.dumps(json.load(sys.stdin).get("aead_costs", [])))' > "$T/aead.json" 2>/dev/null ||
		rm -f "$T/aead.json"
}

# MBPS and CPU of a row's case: the medians of its runs.
settle() {	# row case
	local k="$1|$2"
	[ -n "${RUNS_M[$k]:-}" ] || failed=$((failed + 1))
	# shellcheck disable=SC2086
	MBPS[$k]=$(median ${RUNS_M[$k]:-})
	# shellcheck disable=SC2086
	CPU[$k]=$(median ${RUNS_C[$k]:-})
	REPS_OF[$k]=${RUNS_M[$k]:-}
	REPS_OF[$k]=${REPS_OF[$k]% }
}

# One traffic case, REPS times.
measure() {	# row case
	local r
	for r in $(seq "$REPS"); do
		run_once "$1" "$2" "$r"
	done
	settle "$1" "$2"
	printf ', %s %s' "$2" "${MBPS["$1|$2"]}"
}

# RTT and every traffic case of one row, on the tunnel (or veth) up now.
measure_row() {	# row address
	local row=$1 c t0=$SECONDS
	done_rows=$((done_rows + 1))
	printf '[%d/%d] %s: ' "$done_rows" "$((${#ROWS[@]} + ${#MANY_ROWS[@]}))" "$(row_name "$row")"
	RTT[$row]=$(rtt "$2")
	printf 'rtt %s ms' "${RTT[$row]:--}"
	for c in "${CASES[@]}"; do
		measure "$row" "$c"
	done
	printf ' Mbit/s (%d s)\n' $((SECONDS - t0))
}

row_failed() {	# row message
	done_rows=$((done_rows + 1))
	failed=$((failed + 1))
	printf '[%d/%d] %s: FAILED: %s\n' "$done_rows" "$((${#ROWS[@]} + ${#MANY_ROWS[@]}))" "$(row_name "$1")" "$2"
}

# Installs PEERS - 1 dummy peers, each with an AES-256-GCM key, on the
# offloaded server, as one `ovpn-xdp batch` (about 0.6 s for 9,999). Peer i:
# remote 10.(100+i/65536).x.y:1194, VPN address 10.(i/65536).x.y, away from
# the bench's own addresses while i < 524,288.
install_peers() {
	local k
	k=$(printf '%064x' 1)
	awk -v first="$FIRST_EXTRA_PEER" -v n=$((PEERS - 1)) -v k="$k" 'BEGIN {
		for (i = first; i < first + n; i++) {
			a = int(i / 65536); b = int(i / 256) % 256; c = i % 256
			printf "peer new ovpn-tun-s %d remote 10.%d.%d.%d:1194 vpn4 10.%d.%d.%d\n",
				i, 100 + a, b, c, a, b, c
			printf "key new ovpn-tun-s %d slot primary key-id 0 cipher AES-256-GCM " \
				"enc-key %s enc-iv 0400000000000000 dec-key %s dec-iv 0400000000000000\n", i, k, k
		} }' > "$T/peers.batch"
	"$B/ovpn-xdp" -s "$SRV_SOCK" batch "$T/peers.batch" > "$T/peers.log" 2>&1 || return 1
	[ "$(peer_count)" -ge "$PEERS" ] || { echo "only $(peer_count) peers installed" >> "$T/peers.log"; return 1; }
}

peer_count() {
	"$B/ovpn-xdp" -s "$SRV_SOCK" show --json 2>/dev/null | grep -o '"peer_id"' | wc -l
}

remove_peers() {
	awk -v first="$FIRST_EXTRA_PEER" -v n=$((PEERS - 1)) 'BEGIN {
		for (i = first; i < first + n; i++) printf "peer del ovpn-tun-s %d\n", i }' \
		> "$T/peers-del.batch"
	"$B/ovpn-xdp" -s "$SRV_SOCK" batch "$T/peers-del.batch" >> "$T/peers.log" 2>&1
}

# The last run of a case in the two rows: PAIRED gets their ratio.
pair_ratio() {	# both-row peers-row case
	local a b
	a=${RUNS_M["$2|$3"]:-} b=${RUNS_M["$1|$3"]:-}
	a=${a% } b=${b% }
	PAIRED["${CIPHER_OF[$1]}|$3"]+="$(awk -v a="${a##* }" -v b="${b##* }" \
		'BEGIN { printf "%.4f", a / b }') "
}

# Both offloaded with 1 peer and with PEERS peers, on one tunnel, run by run in
# turn (the extra peers installed before each PEERS run and removed after it),
# so that the machine's drift between runs weighs on both alike.
measure_pair() {	# both-row peers-row
	local c r ok t0=$SECONDS
	if ! install_peers; then
		row_failed "$2" "installing peers: $(tail -1 "$T/peers.log")"
		measure_row "$1" 10.8.0.1
		return
	fi
	RTT[$2]=$(rtt 10.8.0.1)
	remove_peers
	RTT[$1]=$(rtt 10.8.0.1)
	done_rows=$((done_rows + 2))
	printf '[%d-%d/%d] %s / %s peers: ' $((done_rows - 1)) "$done_rows" "$((${#ROWS[@]} + ${#MANY_ROWS[@]}))" \
		"$(row_name "$1")" "$(group3 "$PEERS")"
	printf 'rtt %s / %s ms' "${RTT[$1]:--}" "${RTT[$2]:--}"
	for c in "${CASES[@]}"; do
		for r in $(seq "$REPS"); do
			run_once "$1" "$c" "$r" && ok=1 || ok=
			install_peers && run_once "$2" "$c" "$r" && [ -n "$ok" ] && pair_ratio "$1" "$2" "$c"
			remove_peers
		done
		settle "$1" "$c"
		settle "$2" "$c"
		printf ', %s %s / %s' "$c" "${MBPS["$1|$c"]}" "${MBPS["$2|$c"]}"
	done
	printf ' Mbit/s (%d s)\n' $((SECONDS - t0))
}

run_veth() {
	IPERF_SERVER=10.99.0.1 measure_row "veth -" 10.99.0.1
}

# A tunnel with the cipher: userspace (mode ""), server offloaded (srv) or
# both sides (both); offloaded sides already carrying packets.
tunnel_up() {	# cipher mode
	case $2 in
	"") OFFLOAD='' ovx_start_tunnel "$1" ;;
	srv) ovx_start_tunnel "$1" && ovx_wait_offloaded && save_aead_costs ;;
	both) ovx_start_tunnel "$1" both && ovx_wait_offloaded && ovx_wait_offloaded "$CLI_SOCK" &&
		save_aead_costs ;;
	esac
}

run_tunnel() {	# cipher mode rows...
	local cipher=$1 mode=$2 row
	shift 2
	if ! tunnel_up "$cipher" "$mode"; then
		for row in "$@"; do row_failed "$row" "tunnel not up or not offloaded"; done
		ovx_stop_all_wait
		return
	fi
	if [ $# -eq 2 ] && [ "${2%% *}" = peers ]; then
		measure_pair "$1" "$2"
		ovx_stop_all_wait
		return
	fi
	for row in "$@"; do
		if [ "${row%% *}" = peers ] && ! install_peers; then
			row_failed "$row" "installing peers: $(tail -1 "$T/peers.log")"
			continue
		fi
		measure_row "$row" 10.8.0.1
	done
	ovx_stop_all_wait
}

run_all() {
	local c both_rows
	wanted veth && run_veth
	for c in $CIPHERS; do
		wanted user && run_tunnel "$c" "" "user $c"
		wanted srv && run_tunnel "$c" srv "srv $c"
		both_rows=()
		wanted both && both_rows+=("both $c")
		wanted peers && both_rows+=("peers $c")
		[ ${#both_rows[@]} -gt 0 ] && run_tunnel "$c" both "${both_rows[@]}"
		if [ "$c" = AES-256-GCM ] && wanted generic; then
			DAEMON_ARGS="-a ecb(aes-generic) ${DAEMON_ARGS:-}" run_tunnel "$c" both "generic $c"
		fi
		# OpenVPN 2.7.6 on both ends: the epoch data format
		wanted user27 && SRV_OPENVPN=$OVPN27 CLI_OPENVPN=$OVPN27 run_tunnel "$c" "" "user27 $c"
		wanted both27 && SRV_OPENVPN=$OVPN27 CLI_OPENVPN=$OVPN27 run_tunnel "$c" both "both27 $c"
	done
	many_all	# last: it replaces the veth pair with a bridge
}

# value / the userspace row's value with the same cipher, "" if none.
ratio() {	# row key-suffix array-name
	local -n arr=$3
	local base="user ${CIPHER_OF[$1]}"
	[[ $1 == many* ]] && base="many-user ${CIPHER_OF[$1]}"
	[[ $1 == *27\ * ]] && base="user27 ${CIPHER_OF[$1]}"
	[[ ${1%% *} =~ ^(user|user27|veth|many-user)$ ]] && return
	awk -v a="${arr[$1$2]:--}" -v b="${arr[$base$2]:--}" \
		'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b }'
}

cell() {	# row key-suffix array-name format
	local -n arr=$3
	local v=${arr[$1$2]:--}
	[ "$v" != - ] && v=$(printf "$4" "$v")
	printf ' %7s %-5s' "$v" "$(ratio "$1" "$2" "$3")"
}

# One table, rows grouped by cipher.
table() {	# title array-name format [rtt]
	local row c cipher=- indent=""
	printf '\n%-24s' "$1"
	for c in "${CASES[@]}"; do printf ' %7s %-5s' "$c" ""; done
	[ -n "${4:-}" ] && printf ' %7s' "RTT ms"
	printf '\n'
	for row in "${ROWS[@]}"; do
		if [ "${CIPHER_OF[$row]}" != "$cipher" ]; then
			cipher=${CIPHER_OF[$row]} indent="  "
			say "$cipher"
		fi
		printf '%-24s' "$indent${LABEL[$row]}"
		for c in "${CASES[@]}"; do cell "$row" "|$c" "$2" "$3"; done
		[ -n "${4:-}" ] && cell "$row" "" RTT "%.3f"
		printf '\n'
	done
}

report() {
	say ""
	say "OpenVPN side by side: iperf3 TCP through the tunnel, median of $REPS x $SECS s;"
	say "$(date -u +%Y-%m-%d), $(nproc) CPUs ($(cpu_model)), Linux $(uname -r), load $(loadavg)."
	say "up = client -> server, down = server -> client (-R); 1 or 4 TCP streams;"
	say "x = ratio to userspace OpenVPN with the same cipher (Mbit/s: higher is better,"
	say "CPU s/GB and RTT: lower). CPU is the whole machine's busy time (user, system,"
	say "irq, softirq): other load on the machine counts too."
	table "Mbit/s" MBPS "%.0f" rtt
	table "CPU s/GB" CPU "%.2f"
	peers_line
	many_report
}

# Both offloaded, PEERS peers against 1, Mbit/s per traffic case: the median
# of the ratios of runs made in turn (measure_pair), and the range.
peers_line() {
	local c k line
	wanted peers && wanted both || return 0
	say ""
	for c in $CIPHERS; do
		line=""
		for k in "${CASES[@]}"; do
			# shellcheck disable=SC2086
			line+=$(printf '%s\n' ${PAIRED["$c|$k"]:-} | sort -g | awk -v k="$k" '
				{ v[NR] = $1 }
				END { if (NR) printf ", %s %+.1f %% (%+.1f..%+.1f)", k,
				      ((NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) * 100 - 100,
				      v[1] * 100 - 100, v[NR] * 100 - 100 }')
		done
		[ -n "$line" ] && say "$c, both offloaded, $(group3 "$PEERS") peers vs 1 (runs in turn), Mbit/s: ${line#, }"
	done
}

cpu_model() {
	awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# The commit measured, "+" if the work tree differs from it.
commit() {
	local c
	c=$(git rev-parse --short=12 HEAD 2>/dev/null) || { printf 'unknown'; return; }
	git diff --quiet HEAD -- 2>/dev/null || c+=+
	printf '%s' "$c"
}

json_num() { [[ ${1:-} =~ ^-?[0-9.]+$ ]] && printf '%s' "$1" || printf 'null'; }

json_row() {	# row [cases array name, default CASES]
	local row=$1 c sep=""
	local -n cases=${2:-CASES}
	printf '    {"setup": "%s", "cipher": "%s", "label": "%s", "rtt_ms": %s, "traffic": [' \
		"${row%% *}" "${CIPHER_OF[$row]/#-/}" "${LABEL[$row]}" "$(json_num "${RTT[$row]:-}")"
	for c in "${cases[@]}"; do
		local k="$row|$c" reps
		reps=$(printf '%s' "${REPS_OF[$k]:-}" | tr ' ' ',')
		printf '%s\n      {"streams": %s, "direction": "%s", "mbps": %s, "mbps_runs": [%s], ' \
			"$sep" "${c% *}" "${c#* }" "$(json_num "${MBPS[$k]:-}")" "$reps"
		printf '"cpu_s_per_gb": %s, "mbps_vs_userspace": %s, "cpu_vs_userspace": %s}' \
			"$(json_num "${CPU[$k]:-}")" "$(json_num "$(ratio "$row" "|$c" MBPS | tr -d x)")" \
			"$(json_num "$(ratio "$row" "|$c" CPU | tr -d x)")"
		sep=,
	done
	printf ']}'
}

# {"CIPHER": {"1 up": [ratios...], ...}, ...} of measure_pair.
json_paired() {
	local c k sep="" sep2
	for c in $CIPHERS; do
		printf '%s"%s": {' "$sep" "$c"
		sep2=""
		for k in "${CASES[@]}"; do
			printf '%s"%s": [%s]' "$sep2" "$k" "$(printf '%s' "${PAIRED["$c|$k"]:-}" |
				sed 's/ $//' | tr ' ' ',')"
			sep2=", "
		done
		printf '}'
		sep=", "
	done
}

write_json() {
	local row sep=""
	{
		printf '{"date": "%s", "cpus": %d, "cpu_model": "%s", "kernel": "%s",\n' \
			"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$(cpu_model)" "$(uname -r)"
		printf ' "openvpn": "%s", "commit": "%s", "load_before": "%s",\n' \
			"$(openvpn --version 2>/dev/null | awk 'NR == 1 { print $1, $2; exit }')" \
			"$(commit)" "$LOAD_BEFORE"
		printf ' "aead_costs": %s,\n' "$(cat "$T/aead.json" 2>/dev/null || echo null)"
		printf ' "runs": [\n%s\n ],\n' "$(sed '$!s/$/,/' "$T/runs.jsonl" 2>/dev/null)"
		printf ' "reps": %d, "seconds": %d, "peers": %d, "many_clients": %d, "load_after": "%s",\n "rows": [\n' \
			"$REPS" "$SECS" "$PEERS" "$MANY_CLIENTS" "$(loadavg)"
		for row in "${ROWS[@]}"; do
			printf '%s' "$sep"
			json_row "$row"
			sep=$',\n'
		done
		for row in "${MANY_ROWS[@]}"; do
			printf '%s' "$sep"
			json_row "$row" MANY_CASES
			sep=$',\n'
		done
		printf '\n ],\n "peers_vs_one_runs_in_turn": {'
		json_paired
		printf '}}\n'
	} > "$BENCH_JSON"
	say "JSON written to $BENCH_JSON"
}

prepare() {
	T=$(mktemp -d /tmp/ovpn-xdp-bench.XXXXXX)
	. scripts/lib/openvpn.sh
	. scripts/lib/bench_many.sh
	usage_checks
	if ovx_ns_busy; then
		rm -rf "$T"
		say "bench-openvpn: namespaces $SRV/$CLI are in use by another run: set OVX_NS" >&2
		exit 1
	fi
	trap 'ovx_cleanup; many_cleanup' EXIT
	PKI_CLIENTS=$MANY_CLIENTS scripts/lib/pki.sh "$T/pki" || { warn "making the test PKI failed"; exit 1; }
	ovx_topology || { warn "creating the namespaces failed"; exit 1; }
}

main() {
	prepare
	plan
	LOAD_BEFORE=$(loadavg)
	say "== OpenVPN side by side: $((${#ROWS[@]} + ${#MANY_ROWS[@]})) setups x ${#CASES[@]} traffic cases x $REPS runs of $SECS s (load $(loadavg))"
	run_all
	report
	[ -n "${BENCH_JSON:-}" ] && write_json
	say "bench-openvpn took $((SECONDS - t_start)) s"
	if [ "$failed" -gt 0 ]; then
		KEEP=1
		say "bench-openvpn: $failed figures missing; logs kept in $T" >&2
		exit 1
	fi
}

trap 'printf "\ninterrupted: cleaning up\n" >&2; exit 130' INT TERM
main
