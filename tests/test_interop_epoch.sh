#!/usr/bin/env bash
# OpenVPN 2.7.6 on both ends (build/openvpn-2.7.6/full, scripts/build-openvpn.sh):
# they negotiate the epoch data format (issue 19, docs/epoch.md), whose
# receiving side the fast path carries. The server is offloaded (plugin +
# daemon):
# - the daemon tells the key apart from the wire and offloads it (the epoch
#   data format line), with one peer;
# - the tunnel works both ways (pings inner IPv4 and IPv6, iperf3 up and
#   down);
# - the server's fast path decrypted >= 99 % of the client's data packets on
#   the wire (its tcpdump capture, less what the veth dropped), and sealed
#   none (TX stays in OpenVPN in this slice).
# For each cipher of CIPHERS (AES-256-GCM CHACHA20-POLY1305).
# Env: CIPHERS, OVX_NS (ovxep), KEEP=1. Prints "interop-epoch: N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-epoch.XXXXXX)
OVX_NS=${OVX_NS:-ovxep}
OVPN27=$B/openvpn-2.7.6/full/openvpn
pass=0 fail=0
. tests/openvpn/lib.sh
trap ovx_cleanup EXIT
ovx_need_binaries || exit 1
scripts/build-openvpn.sh full >/dev/null || { echo "interop-epoch: 0 passed, 1 failed"; exit 1; }
tests/openvpn/pki.sh "$T/pki" || exit 1

run_cipher() {	# cipher
	local c=$1 rx tx npeers up down dc wire
	ovx_topology || { check "$c: topology" false; return; }
	: > "$T/daemon.log"
	ovx_server_conf "$c" > "$T/srv.conf"
	ovx_client_conf "$c" > "$T/cli.conf"
	ovx_daemon srv || { check "$c: daemon" false; return; }
	SRV_OPENVPN=$OVPN27 ovx_openvpn srv "$T/srv.conf" srv &&
	ip netns exec "$CLI" "$OVPN27" --config "$T/cli.conf" --writepid "$T/cli.pid" \
		--log "$T/cli.log" --daemon
	check "$c: tunnel up" ovx_wait_ping
	check "$c: epoch format negotiated" "grep -q 'aead-epoch' '$T/srv.log'"
	check "$c: the daemon offloads the key in the epoch format" \
		"ovx_wait_offloaded && grep -q \"key 0 $c offloaded (epoch data format\" '$T/daemon.log'"
	ovx_capture_start "ep-$c" || { check "$c: capture" false; return; }
	dc=$(ovx_link_drops cli)
	check "$c: ping inner IPv4" "ip netns exec $CLI ping -c 20 -i 0.05 -W 1 10.8.0.1 >/dev/null"
	check "$c: ping inner IPv6" "ip netns exec $CLI ping -c 20 -i 0.05 -W 1 fd00:8::1 >/dev/null"
	up=$(IPERF_SERVER=10.8.0.1 ovx_iperf 5201 "${IPERF_SECS:-3}")
	down=$(IPERF_SERVER=fd00:8::1 ovx_iperf 5202 2 -R)
	echo "$c: iperf3 up $up Mbit/s (fast path), down $down Mbit/s (OpenVPN)"
	check "$c: iperf3 up" "[ $up -gt 0 ]"
	check "$c: iperf3 down" "[ $down -gt 0 ]"
	read -r rx tx < <(ovx_read_counters "$SRV_SOCK")
	dc=$(( $(ovx_link_drops cli) - dc ))
	ovx_capture_stop "ep-$c" >/dev/null
	# P_DATA_V2 (opcode 9: 0x48 in the UDP payload's first byte) from the client
	wire=$(tcpdump -r "$T/ep-$c-c.pcap" -n "udp and src host 10.99.0.2 and udp[8] & 0xf8 = 0x48" \
		2>/dev/null | wc -l)
	npeers=$("$B/ovpn-xdp" -s "$SRV_SOCK" show --json 2>/dev/null |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("peers",[])))' 2>/dev/null)
	echo "$c: server's fast path decrypted $rx of $wire client data packets ($dc lost on the link), sealed ${tx:-?}"
	check "$c: fast path received >= 99%" \
		"[ $wire -gt 1000 ] && [ \$((${rx:-0} * 100)) -ge \$(( ($wire - $dc) * 99)) ]"
	check "$c: fast path sent nothing (TX stays in OpenVPN)" "[ '${tx:-x}' = 0 ]"
	check "$c: one peer installed (${npeers:-?})" "[ '${npeers:-x}' = 1 ]"
	check "$c: no drop in the fast path" "[ \"\$(ovx_counter drops)\" = 0 ]"
	[ -n "${DEBUG:-}" ] && { grep -i 'epoch\|offload' "$T/daemon.log"; "$B/ovpn-xdp" -s "$SRV_SOCK" show; }
	ovx_stop_all
}

for c in ${CIPHERS:-AES-256-GCM CHACHA20-POLY1305}; do
	run_cipher "$c"
done
echo "interop-epoch: $pass passed, $fail failed"
[ "$fail" = 0 ]
