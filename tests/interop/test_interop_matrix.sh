#!/usr/bin/env bash
# Interop matrix with real, unmodified OpenVPN 2.6: for each outer family
# (IPv4, IPv6: proto udp6 to fd99::1), each role (offloaded server + stock
# client, stock server + offloaded client, both offloaded) and each cipher:
# ping over inner IPv4 and IPv6, iperf3 up (inner IPv4) and down (inner
# IPv6); the fast path of each offloaded side must have carried at least 99%
# of the data packets it received and sent (counted on the wire: both sides'
# outgoing packets are captured; less those a veth dropped because the other
# side's ring was full), and the captures must show no packet-id
# twice per direction and key (scripts/lib/pid_check.py).
# Env: FAMILIES ("4 6"), MODES ("srv cli both"), CIPHERS, OVX_NS (ovxmx),
# IPERF_SECS (2), KEEP=1 (keep the temp dir with logs and captures).
# Prints "interop-matrix: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-matrix.XXXXXX)
OVX_NS=${OVX_NS:-ovxmx}
pass=0 fail=0
. scripts/lib/openvpn.sh
trap ovx_cleanup EXIT

# Outer family: the variables ovx_server_conf / ovx_client_conf read.
set_family() {	# 4|6
	if [ "$1" = 6 ]; then
		PROTO=udp6 LOCAL=fd99::1 CPROTO=udp6 REMOTE=fd99::1 SRV_ADDR="[fd99::1]"
		CLI_ADDR="[fd99::2]"
	else
		PROTO=udp LOCAL=10.99.0.1 CPROTO=udp REMOTE=10.99.0.1 SRV_ADDR=10.99.0.1
		CLI_ADDR=10.99.0.2
	fi
	export PROTO LOCAL CPROTO REMOTE
}

run_traffic() {	# name
	local up down
	check "$1: ping inner IPv4" "ip netns exec $CLI ping -c 20 -i 0.05 -W 1 10.8.0.1 >/dev/null"
	check "$1: ping inner IPv6" "ip netns exec $CLI ping -c 20 -i 0.05 -W 1 fd00:8::1 >/dev/null"
	up=$(IPERF_SERVER=10.8.0.1 ovx_iperf 5201 "${IPERF_SECS:-2}")
	down=$(IPERF_SERVER=fd00:8::1 ovx_iperf 5202 "${IPERF_SECS:-2}" -R)
	echo "$1: iperf3 up (inner IPv4) $up Mbit/s, down (inner IPv6) $down Mbit/s"
	check "$1: iperf3 up" "[ $up -gt 0 ]"
	check "$1: iperf3 down" "[ $down -gt 0 ]"
}

run_case() {	# family mode cipher
	local name="IPv$1 $2 $3" run="m$1-$2-$3" srv=1 cli="" drops sc cc ds dc
	[ "$2" = cli ] && srv=""
	[ "$2" != srv ] && cli=both
	set_family "$1"
	ovx_capture_start "$run"
	OFFLOAD=$srv ovx_start_tunnel "$3" "$cli"
	check "$name: tunnel up" "ip netns exec $CLI ping -c1 -W2 10.8.0.1 >/dev/null"
	sleep 2	# the keys complete from the wire
	ds=$(ovx_link_drops srv) dc=$(ovx_link_drops cli)
	run_traffic "$name"
	ds=$(( $(ovx_link_drops srv) - ds )) dc=$(( $(ovx_link_drops cli) - dc ))
	[ -n "$srv" ] && sc=$(ovx_read_counters "$SRV_SOCK")
	[ -n "$cli" ] && cc=$(ovx_read_counters "$CLI_SOCK")
	drops=$(ovx_capture_stop "$run")
	ovx_capture_check "$run"
	check "$name: no packet-id repeated (capture, $drops dropped by tcpdump)" \
		"[ \"\$(ovx_repeats $run)\" = 0 ]"
	[ -n "$srv" ] && ovx_check_share "$name, server" "$run" "$sc" "$SRV_ADDR" "$CLI_ADDR" "$dc"
	[ -n "$cli" ] && ovx_check_share "$name, client" "$run" "$cc" "$CLI_ADDR" "$SRV_ADDR" "$ds"
	[ -n "${DEBUG:-}" ] && cat "$T/$run.pids"
	ovx_stop_all
}

check "packet-id checker: its rule on synthetic captures" \
	"python3 \"$OVX_PID_CHECK\" --self-test >/dev/null"
ovx_need_binaries || { echo "interop-matrix: 0 passed, 1 failed"; exit 1; }
scripts/lib/pki.sh "$T/pki" >/dev/null
ovx_topology || { echo "interop-matrix: 0 passed, 1 failed"; exit 1; }
for fam in ${FAMILIES:-4 6}; do
	for mode in ${MODES:-srv cli both}; do
		for c in ${CIPHERS:-AES-128-GCM AES-256-GCM CHACHA20-POLY1305}; do
			run_case "$fam" "$mode" "$c"
		done
	done
done
echo "interop-matrix: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
