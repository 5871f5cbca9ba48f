#!/usr/bin/env bash
# Key rotation under load with real, unmodified OpenVPN 2.6: reneg-sec 10,
# iperf3 in both directions at once (--bidir, ROT_RATE each way) for 60 s and
# a ping every 100 ms beside it. Checks: at least 5 rotations, each new key
# offloaded on every offloaded side; with both ends offloaded, each side's
# fast path sends with each new key within 1 s of the renegotiation's start
# (scripts/lib/key_switch.py on the capture: a side once went on with the
# old key until OpenVPN's next keepalive, up to 10 s); no second without
# throughput either way
# (iperf3's 1 s intervals); no ping lost; the fast path carried >= 99% of the
# data packets that arrived; a capture of the run repeats no packet-id
# (scripts/lib/pid_check.py). The rate stays below what the two CPUs carry:
# saturated, the receiving veth's ring overflows now and then (the offloaded
# sender outruns the receiver), and a ping lost there says nothing of the
# rotation (the veths' drops are printed).
# Env: ROT_CIPHERS (AES-256-GCM; all three: "AES-128-GCM AES-256-GCM
# CHACHA20-POLY1305"), ROT_MODE (both | srv | cli, default both), ROT_SECS
# (60), ROT_RATE (iperf3 -b, default 100M; 0: unlimited), OVX_NS (ovxrot),
# KEEP=1.
# Prints "interop-rotation: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-rotation.XXXXXX)
OVX_NS=${OVX_NS:-ovxrot}
SECS=${ROT_SECS:-60}
MODE=${ROT_MODE:-both}
RATE=${ROT_RATE:-100M}
pass=0 fail=0
. scripts/lib/openvpn.sh
trap ovx_cleanup EXIT

mbps() {	# json: "up down" Mbit/s received
	python3 -c 'import json, sys
try:
    e = json.load(open(sys.argv[1]))["end"]
    print(int(e["sum_received"]["bits_per_second"] / 1e6),
          int(e["sum_received_bidir_reverse"]["bits_per_second"] / 1e6))
except Exception:
    print(0, 0)' "$1"
}

# Every offloaded side: >= 5 rotations offloaded; fast-path share.
check_side() {	# name side keys-offloaded "rx tx" own-address peer-address run link-drops
	local n=$3 rx=${4% *} tx=${4#* } in out
	in=$(( $(ovx_wire_pkts "$7" "$6") - $8 )) out=$(ovx_wire_pkts "$7" "$5")
	echo "$1, $2: $n keys offloaded during the run; fast path received $rx of $in" \
		"($8 more lost on the link), sent $tx of $out"
	check "$1, $2: at least 5 rotations offloaded" "[ $n -ge 5 ]"
	check "$1, $2: fast path received >= 99%" "[ $in -gt 0 ] && [ \$(($rx * 100)) -ge \$(($in * 99)) ]"
	check "$1, $2: fast path sent >= 99%" "[ $out -gt 0 ] && [ \$(($tx * 100)) -ge \$(($out * 99)) ]"
}

run_rotation() {	# cipher
	local name="$1, reneg-sec 10, ${SECS} s" run="rot-$1" srv=1 cli="" ks=0 kc=0 lost bw up down nint
	local ds dc
	[ "$MODE" = cli ] && srv=""
	[ "$MODE" != srv ] && cli=both
	ovx_capture_start "$run"
	RENEG=10 OFFLOAD=$srv ovx_start_tunnel "$1" "$cli"
	check "$name: tunnel up" "ip netns exec $CLI ping -c1 -W2 10.8.0.1 >/dev/null"
	sleep 2
	ks=$(ovx_keys_offloaded "$T/daemon.log") kc=$(ovx_keys_offloaded "$T/daemon-cli.log")
	ds=$(ovx_link_drops srv) dc=$(ovx_link_drops cli)
	read -r lost up down nint <<< "$(ovx_rotation_load "$run" "$SECS" "$RATE")"
	ds=$(( $(ovx_link_drops srv) - ds )) dc=$(( $(ovx_link_drops cli) - dc ))
	ks=$(( $(ovx_keys_offloaded "$T/daemon.log") - ks ))
	kc=$(( $(ovx_keys_offloaded "$T/daemon-cli.log") - kc ))
	bw=$(mbps "$T/$run.json")
	echo "$name: iperf3 up/down $bw Mbit/s; $up / $down of $nint s without throughput;" \
		"$lost pings lost; veths dropped $ds (server's) $dc (client's) on a full ring"
	check "$name: no second without throughput" "[ $nint -ge $((SECS - 1)) ] && [ $up -eq 0 ] && [ $down -eq 0 ]"
	check "$name: no ping lost" "[ \"$lost\" = 0 ]" || ovx_lost_pings "$T/$run.ping"
	read_all "$name" "$run" "$srv" "$cli" "$ks" "$kc" "$ds" "$dc"
	ovx_stop_all
}

# Counters before the capture stops; then the capture's verdicts.
read_all() {	# name run srv cli keys-offloaded-srv keys-offloaded-cli link-drops-srv -cli
	local drops sc cc
	[ -n "$3" ] && sc="$(ovx_counter rx_vpn_pkts "$SRV_SOCK") $(ovx_counter tx_vpn_pkts "$SRV_SOCK")"
	[ -n "$4" ] && cc="$(ovx_counter rx_vpn_pkts "$CLI_SOCK") $(ovx_counter tx_vpn_pkts "$CLI_SOCK")"
	drops=$(ovx_capture_stop "$2")
	ovx_capture_check "$2"
	echo "$1: capture $(tail -1 "$T/$2.pids"), $drops dropped by tcpdump"
	check "$1: no packet-id repeated" "[ \"\$(ovx_repeats $2)\" = 0 ]"
	[ -n "$3" ] && [ -n "$4" ] &&
		check "$1: each fast path sends with each new key within 1 s" "ovx_key_switch $2 1"
	[ -n "$3" ] && check_side "$1" server "$5" "$sc" 10.99.0.1 10.99.0.2 "$2" "$8"
	[ -n "$4" ] && check_side "$1" client "$6" "$cc" 10.99.0.2 10.99.0.1 "$2" "$7"
	[ -n "${DEBUG:-}" ] && cat "$T/$2.pids"
	return 0
}

ovx_need_binaries || { echo "interop-rotation: 0 passed, 1 failed"; exit 1; }
scripts/lib/pki.sh "$T/pki" >/dev/null
ovx_topology || { echo "interop-rotation: 0 passed, 1 failed"; exit 1; }
for c in ${ROT_CIPHERS:-AES-256-GCM}; do
	run_rotation "$c"
done
echo "interop-rotation: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
