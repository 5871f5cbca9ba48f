#!/usr/bin/env bash
# OpenVPN 2.7.6 on both ends (build/openvpn-2.7.6/full, scripts/build-openvpn.sh):
# they negotiate the epoch data format, which the fast path does not carry
# yet (issue 19, docs/epoch.md). The server is offloaded (plugin + daemon):
# - the tunnel works (pings inner IPv4 and IPv6, an iperf3 run), wholly
#   through OpenVPN: the fast path decrypts and encrypts nothing, drops
#   nothing, installs no peer;
# - the daemon tells the key apart from the wire and says why it stays in
#   OpenVPN (the epoch data format line).
# For each cipher of CIPHERS (AES-256-GCM CHACHA20-POLY1305).
# Env: CIPHERS, OVX_NS (ovxep), KEEP=1. Prints "interop-epoch: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-epoch.XXXXXX)
OVX_NS=${OVX_NS:-ovxep}
OVPN27=$B/openvpn-2.7.6/full/openvpn
pass=0 fail=0
. scripts/lib/openvpn.sh
trap ovx_cleanup EXIT
ovx_need_binaries || exit 1
scripts/build-openvpn.sh full >/dev/null || { echo "interop-epoch: 0 passed, 1 failed"; exit 1; }
scripts/lib/pki.sh "$T/pki" || exit 1

run_cipher() {	# cipher
	local c=$1 rx tx npeers
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
	check "$c: ping inner IPv4" "ip netns exec $CLI ping -c 20 -i 0.05 -W 1 10.8.0.1 >/dev/null"
	check "$c: ping inner IPv6" "ip netns exec $CLI ping -c 20 -i 0.05 -W 1 fd00:8::1 >/dev/null"
	check "$c: iperf3 through OpenVPN" "[ \"\$(IPERF_SERVER=10.8.0.1 ovx_iperf 5201 2)\" != 0 ]"
	for _ in $(seq 20); do
		grep -q 'epoch data format' "$T/daemon.log" && break
		sleep 0.5
	done
	check "$c: the daemon says why the key stays in OpenVPN" \
		"grep -q \"key 0 $c uses OpenVPN 2.7's epoch data format\" '$T/daemon.log'"
	read -r rx tx < <(ovx_read_counters "$SRV_SOCK")
	npeers=$("$B/ovpn-xdp" -s "$SRV_SOCK" show --json 2>/dev/null |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("peers",[])))' 2>/dev/null)
	check "$c: nothing in the fast path (rx ${rx:-?} tx ${tx:-?})" "[ '${rx:-0}' = 0 ] && [ '${tx:-0}' = 0 ]"
	check "$c: no peer installed (${npeers:-?})" "[ '${npeers:-x}' = 0 ]"
	[ -n "${DEBUG:-}" ] && { grep -i 'epoch\|offload' "$T/daemon.log"; "$B/ovpn-xdp" -s "$SRV_SOCK" show; }
	ovx_stop_all
}

for c in ${CIPHERS:-AES-256-GCM CHACHA20-POLY1305}; do
	run_cipher "$c"
done
echo "interop-epoch: $pass passed, $fail failed"
[ "$fail" = 0 ]
