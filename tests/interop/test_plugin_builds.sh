#!/usr/bin/env bash
# The plugin in each OpenVPN build a user may run: OpenVPN 2.7.6 built from
# its release source (scripts/build-openvpn.sh, cached in build/) as a PIE
# with partial RELRO and lazy binding (the release's default flags), with
# full RELRO, as a non-PIE and with -fno-plt, and Debian's 2.6 (full RELRO),
# each as the offloaded server (plugin + daemon) with Debian's stock 2.6 as
# client (the 2.6 wire format). For each: the plugin's "loaded" line, the
# tunnel up, ping and iperf3 both ways, OpenVPN still running with nothing
# fatal in its log, and the fast path carried data packets each way; then the
# same after a SIGHUP (OpenVPN closes and reopens the plugin). Then the
# 2.7.6 default build with an empty /proc, where the plugin cannot read the
# GOT page's protection: it declines in one line, and OpenVPN works without
# offload.
# Env: VARIANTS ("partial full nopie noplt"), CIPHER (AES-256-GCM),
# OVX_NS (ovxpb), KEEP=1 (keep the temp dir with the logs).
# Prints "plugin-builds: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-builds.XXXXXX)
OVX_NS=${OVX_NS:-ovxpb}
CIPHER=${CIPHER:-AES-256-GCM}
VARIANTS=${VARIANTS:-partial full nopie noplt}
pass=0 fail=0
. scripts/lib/openvpn.sh
trap ovx_cleanup EXIT

# OpenVPN (the server) is still running and logged nothing fatal.
server_alive() {
	kill -0 "$(cat "$T/srv.pid" 2>/dev/null)" 2>/dev/null &&
		! grep -qiE 'fatal|exiting|SIGSEGV' "$T/srv.log"
}

traffic() {	# name
	local up down
	check "$1: ping through the tunnel" \
		"ip netns exec $CLI ping -c 20 -i 0.05 -W 1 10.8.0.1 >/dev/null"
	up=$(ovx_iperf 5201 1)
	down=$(ovx_iperf 5202 1 -R)
	echo "$1: iperf3 up $up Mbit/s, down $down Mbit/s"
	check "$1: iperf3 up" "[ $up -gt 0 ]"
	check "$1: iperf3 down" "[ $down -gt 0 ]"
}

# SIGHUP: OpenVPN closes the plugin (the slot restored, the plugin unloaded)
# and opens it again (redirected again); explicit-exit-notify has the client
# reconnect at once, and its new key must be offloaded.
sighup() {	# name
	kill -HUP "$(cat "$T/srv.pid")"
	sleep 1
	ovx_wait_ping && ovx_wait_offloaded
	check "$1: after SIGHUP, plugin loaded again" \
		"[ \$(grep -c 'ovpn-xdp: loaded, capturing' \"$T/srv.log\") -eq 2 ]"
	check "$1: after SIGHUP, fast path received data packets" \
		"[ $(ovx_counter rx_vpn_pkts) -gt 0 ]"
	check "$1: after SIGHUP, OpenVPN still running" server_alive
}

run_build() {	# name openvpn-executable
	local name=$1 rx tx
	OVX_CONF="explicit-exit-notify 1" SRV_OPENVPN=$2 ovx_start_tunnel "$CIPHER"
	check "$name: plugin loaded" \
		"grep -q 'ovpn-xdp: loaded, capturing data-channel keys' \"$T/srv.log\""
	check "$name: tunnel up" "ip netns exec $CLI ping -c1 -W2 10.8.0.1 >/dev/null"
	ovx_wait_offloaded
	traffic "$name"
	rx=$(ovx_counter rx_vpn_pkts) tx=$(ovx_counter tx_vpn_pkts)
	echo "$name: fast path rx $rx tx $tx"
	check "$name: fast path received data packets" "[ $rx -gt 0 ]"
	check "$name: fast path sent data packets" "[ $tx -gt 0 ]"
	check "$name: OpenVPN still running, nothing fatal logged" server_alive
	sighup "$name"
	[ -n "${KEEP:-}" ] && cp "$T/srv.log" "$T/srv-${name// /_}.log"
	ovx_stop_all
}

# The default 2.7.6 build where the redirect cannot happen: /proc is empty
# in OpenVPN's mount namespace, so the GOT page's protection is unknown.
run_declined() {
	local name="2.7.6 partial RELRO, no /proc" bin=$B/openvpn-2.7.6/partial/openvpn
	cat > "$T/noproc.sh" <<-EOF
	#!/bin/sh
	exec unshare -m --propagation private sh -c \
		'mount -t tmpfs -o size=4k noproc /proc && exec "\$0" "\$@"' $bin "\$@"
	EOF
	chmod +x "$T/noproc.sh"
	SRV_OPENVPN=$T/noproc.sh ovx_start_tunnel "$CIPHER"
	check "$name: one line saying the plugin declines" \
		"[ \$(grep -c 'ovpn-xdp: cannot hook' \"$T/srv.log\") -eq 1 ]"
	grep -o 'ovpn-xdp: cannot hook.*' "$T/srv.log" | while read -r l; do echo "$name: $l"; done
	check "$name: plugin loaded without key capture" \
		"grep -q 'ovpn-xdp: loaded$' \"$T/srv.log\""
	check "$name: tunnel up" "ip netns exec $CLI ping -c1 -W2 10.8.0.1 >/dev/null"
	traffic "$name"
	check "$name: nothing offloaded" "[ $(ovx_counter rx_vpn_pkts) -eq 0 ]"
	check "$name: OpenVPN still running, nothing fatal logged" server_alive
	ovx_stop_all
}

ovx_need_binaries || { echo "plugin-builds: 0 passed, 1 failed"; exit 1; }
# shellcheck disable=SC2086
scripts/build-openvpn.sh $VARIANTS || { echo "plugin-builds: 0 passed, 1 failed"; exit 1; }
scripts/lib/pki.sh "$T/pki"
ovx_topology || { echo "plugin-builds: 0 passed, 1 failed"; exit 1; }
run_build "2.6 Debian" openvpn
for v in $VARIANTS; do
	run_build "2.7.6 $v" "$B/openvpn-2.7.6/$v/openvpn"
done
run_declined
echo "plugin-builds: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
