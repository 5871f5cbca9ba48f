#!/usr/bin/env bash
# OpenVPN's data-channel framings with real, unmodified OpenVPN 2.6 on both
# ends (AES-256-GCM, `allow-compression yes` and one framing line in both
# configs): comp-lzo no, compress stub (0xFA, 0xFB swap), compress stub-v2,
# compress lz4-v2 (v2), fragment 1300; each with the offloaded server + stock
# client, stock server + offloaded client, both offloaded: ping over inner
# IPv4 and IPv6, iperf3 up and down (random bytes); no error line in either OpenVPN's log;
# each offloaded side's fast path carried at least 99% of the data packets
# to and from it (bpf/framing.h), and no packet-id repeats in the captures.
# Env: FRAMINGS (a list of option lines, "_" for a space), MODES ("srv cli
# both"), OVX_NS (ovxfr), IPERF_SECS (3), KEEP=1 (keep logs and captures).
# Prints "interop-framing: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-framing.XXXXXX)
OVX_NS=${OVX_NS:-ovxfr}
pass=0 fail=0
. scripts/lib/openvpn.sh
trap ovx_cleanup EXIT
CIPHER=AES-256-GCM

# OpenVPN's log lines that tell of a broken data channel.
log_errors() {	# log
	grep -ciE "error|bad compression|decompress|FRAG_|fragment.*(drop|discard)" "$1"
}

run_case() {	# framing-line mode
	local name="$1, $2" run="f$RANDOM-$2" srv=1 cli="" drops sc cc ds dc up down
	[ "$2" = cli ] && srv=""
	[ "$2" != srv ] && cli=both
	OVX_CONF=$(printf 'allow-compression yes\n%s' "$1")
	export OVX_CONF
	ovx_capture_start "$run"
	OFFLOAD=$srv ovx_start_tunnel "$CIPHER" "$cli"
	check "$name: tunnel up" "ip netns exec $CLI ping -c1 -W2 10.8.0.1 >/dev/null"
	sleep 2	# the keys complete from the wire
	ds=$(ovx_link_drops srv) dc=$(ovx_link_drops cli)
	check "$name: ping inner IPv4" "ip netns exec $CLI ping -c 10 -i 0.05 -W 1 10.8.0.1 >/dev/null"
	check "$name: ping inner IPv6" "ip netns exec $CLI ping -c 10 -i 0.05 -W 1 fd00:8::1 >/dev/null"
	check "$name: ping 1400 bytes" "ip netns exec $CLI ping -c 3 -i 0.1 -W 1 -s 1400 10.8.0.1 >/dev/null"
	# random bytes (-F /dev/urandom), from an iperf3 client each way: a stock
	# OpenVPN with lz4-v2 compresses much of iperf3's own payload, and a
	# compressed packet is OpenVPN's to open, not the fast path's
	up=$(IPERF_SERVER=10.8.0.1 ovx_iperf 5201 "${IPERF_SECS:-3}" -F /dev/urandom)
	down=$(IPERF_FROM=srv IPERF_SERVER=fd00:8::1000 ovx_iperf 5202 "${IPERF_SECS:-3}" \
		-F /dev/urandom)
	echo "$name: iperf3 up (inner IPv4) $up Mbit/s, down (inner IPv6) $down Mbit/s"
	check "$name: iperf3 up" "[ $up -gt 0 ]"
	check "$name: iperf3 down" "[ $down -gt 0 ]"
	ds=$(( $(ovx_link_drops srv) - ds )) dc=$(( $(ovx_link_drops cli) - dc ))
	[ -n "$srv" ] && sc=$(ovx_read_counters "$SRV_SOCK")
	[ -n "$cli" ] && cc=$(ovx_read_counters "$CLI_SOCK")
	if [ -n "${DEBUG:-}" ]; then
		[ -n "$srv" ] && "$B/ovpn-xdp" -s "$SRV_SOCK" show
		[ -n "$cli" ] && "$B/ovpn-xdp" -s "$CLI_SOCK" show
	fi
	drops=$(ovx_capture_stop "$run")
	ovx_capture_check "$run"
	check "$name: no packet-id repeated (capture, $drops dropped by tcpdump)" \
		"[ \"\$(ovx_repeats $run)\" = 0 ]"
	# a stock OpenVPN 2.6 with lz4-v2 sends LZ4-compressed packets (even of
	# random bytes, as seen): those are OpenVPN's to open
	local comp=""
	[[ "$1" == *lz4* ]] && comp=sent-only
	[ -n "$srv" ] && ovx_check_share "$name, server" "$run" "$sc" 10.99.0.1 10.99.0.2 "$dc" \
		"$([ -z "$cli" ] && echo "$comp")"
	[ -n "$cli" ] && ovx_check_share "$name, client" "$run" "$cc" 10.99.0.2 10.99.0.1 "$ds" \
		"$([ -z "$srv" ] && echo "$comp")"
	check "$name: no error in the server's log" "[ \$(log_errors $T/srv.log) = 0 ]" ||
		grep -iE "error|bad compression|decompress|FRAG_" "$T/srv.log" | head -3
	check "$name: no error in the client's log" "[ \$(log_errors $T/cli.log) = 0 ]" ||
		grep -iE "error|bad compression|decompress|FRAG_" "$T/cli.log" | head -3
	[ -n "${KEEP:-}" ] && cp "$T/srv.log" "$T/$run-srv.log" && cp "$T/cli.log" "$T/$run-cli.log"
	ovx_stop_all
	rm -f "$T/srv.log" "$T/cli.log" "$T/$run"-?.pcap
}

ovx_need_binaries || { echo "interop-framing: 0 passed, 1 failed"; exit 1; }
scripts/lib/pki.sh "$T/pki" >/dev/null
ovx_topology || { echo "interop-framing: 0 passed, 1 failed"; exit 1; }
export PROTO=udp LOCAL=10.99.0.1 CPROTO=udp REMOTE=10.99.0.1
for f in ${FRAMINGS:-comp-lzo_no compress_stub compress_stub-v2 compress_lz4-v2 fragment_1300}; do
	for mode in ${MODES:-srv cli both}; do
		run_case "${f//_/ }" "$mode"
	done
done
echo "interop-framing: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
