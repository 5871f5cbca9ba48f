#!/usr/bin/env bash
# Interop with real, unmodified OpenVPN 2.6 (Debian's): a server offloaded by
# ovpn-xdp (plugin + daemon), a stock client, in two network namespaces; for
# each cipher: ping and iperf3 through the tunnel, and the fast path must have
# carried at least 99% of the data packets in each direction.
# Prints "interop: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-interop.XXXXXX)
pass=0 fail=0
. scripts/lib/openvpn.sh
trap ovx_cleanup EXIT

run_cipher() {	# cipher [both]: the client offloaded too
	local cipher=$1 both=${2:-} name=$1
	[ -n "$both" ] && name="$cipher, both offloaded"
	ovx_start_tunnel "$cipher" "$both"
	check "$name: tunnel up" "ip netns exec $CLI ping -c1 -W2 10.8.0.1 >/dev/null"
	sleep 2	# the key completes from the wire
	if [ -n "${DEBUG:-}" ]; then
		"$B/ovpn-xdp" -s "$SRV_SOCK" show
		ip netns exec $CLI ping -c 3 -W 1 10.8.0.1
		"$B/ovpn-xdp" -s "$SRV_SOCK" show
	fi
	check "$name: ping through the tunnel" \
		"ip netns exec $CLI ping -c 50 -i 0.02 -W 1 10.8.0.1 >/dev/null"
	[ -n "${PAUSE:-}" ] && sleep "$PAUSE"
	local mbps
	mbps=$(ovx_iperf 5201 3)
	echo "$name: iperf3 ${mbps:-0} Mbit/s"
	if [ -n "${DEBUG:-}" ]; then
		"$B/ovpn-xdp" -s "$SRV_SOCK" show --json | head -60
		grep -i error "$T/iperf.json" | head -3
		bpftool map dump pinned /sys/fs/bpf/ovpn-xdp/$INST_S/ovx_global_stats | grep -o '"c": \[[^]]*\]'
		ip netns exec $SRV nstat -az | grep -iE "Drop|Err|Csum" | grep -v " 0 " | head
		ip -n $SRV -s link show tun-s | head -8
	fi
	check "$name: iperf3 through the tunnel" "[ \"${mbps:-0}\" -gt 0 ]"
	local rx tx handed
	rx=$(ovx_counter rx_vpn_pkts) tx=$(ovx_counter tx_vpn_pkts) handed=$(ovx_counter rx_to_openvpn)
	echo "$name: fast path rx $rx tx $tx, handed to OpenVPN $handed"
	check "$name: fast path carried >= 99% of received data packets" \
		"[ $rx -gt 0 ] && [ \$((rx * 100)) -ge \$(((rx + handed) * 99)) ]"
	check "$name: fast path sent data packets (TCP from the server host)" "[ $tx -gt 1000 ]"
	if [ -n "$both" ]; then
		# UDP too (no checksum to complete)
		ip netns exec $SRV iperf3 -s -B 10.8.0.1 -1 -D -p 5202 >/dev/null 2>&1
		sleep 0.3
		timeout 20 ip netns exec $CLI iperf3 -u -b 200M -l 1300 -c 10.8.0.1 -p 5202 -t 2 \
			>/dev/null 2>&1
		rx=$(ovx_counter rx_vpn_pkts "$CLI_SOCK") tx=$(ovx_counter tx_vpn_pkts "$CLI_SOCK")
		handed=$(ovx_counter rx_to_openvpn "$CLI_SOCK")
		echo "$name: client fast path rx $rx tx $tx, handed to OpenVPN $handed"
		check "$name: client fast path sent the upload" "[ $tx -gt 1000 ]"
		check "$name: client fast path received" "[ $rx -gt 0 ]"
	fi
	ovx_stop_all
}

# Key rotation under traffic: reneg-sec 10, ping every 50 ms for 35 s; every
# new key must be offloaded and no ping lost.
run_rotation() {
	local cipher=AES-256-GCM name="AES-256-GCM, reneg-sec 10" lost keys
	RENEG=10 ovx_start_tunnel "$cipher"
	lost=$(ip netns exec $CLI ping -c 700 -i 0.05 -W 1 10.8.0.1 2>/dev/null |
	       grep -o '[0-9]* received' | awk '{print 700 - $1}')
	keys=$(grep -c "offloaded" "$T/daemon.log")
	echo "$name: $keys keys offloaded, $lost of 700 pings lost"
	check "$name: at least 3 rotations offloaded" "[ ${keys:-0} -ge 4 ]"
	check "$name: no ping lost" "[ \"${lost:-700}\" -eq 0 ]"
	ovx_stop_all
}

# A jumbo link (MTU 9000) under OpenVPN's tun-mtu 2000: the daemons leave the
# tun MTU as it is (not above OpenVPN's, nor above what the fast path seals),
# XDP goes on natively, and without mssfix the hosts' own TCP takes the
# checksum helper in 2,000-byte packets.
run_jumbo() {
	local name="CHACHA20-POLY1305, both offloaded, link MTU 9000" mbps tx
	ip -n $SRV link set veth-s mtu 9000 && ip -n $CLI link set veth-c mtu 9000
	OVX_CONF="tun-mtu 2000
mssfix 0" ovx_start_tunnel CHACHA20-POLY1305 both
	ovx_wait_offloaded && ovx_wait_offloaded "$CLI_SOCK"
	check "$name: tun MTU 2000" "ip -n $SRV link show tun-s | grep -q 'mtu 2000'"
	check "$name: native XDP" "grep -q 'veth-c: XDP attached (native' \"$T/daemon-cli.log\""
	mbps=$(ovx_iperf 5201 2)
	tx=$(ovx_counter tx_vpn_pkts "$CLI_SOCK")
	echo "$name: iperf3 ${mbps:-0} Mbit/s, client fast path tx $tx"
	check "$name: iperf3 through the tunnel" "[ \"${mbps:-0}\" -gt 0 ]"
	check "$name: client fast path sent the upload" "[ ${tx:-0} -gt 1000 ]"
	ovx_stop_all
	ip -n $SRV link set veth-s mtu 1500 && ip -n $CLI link set veth-c mtu 1500
}

# OpenVPN killed (SIGKILL: no DOWN hook): its instance, peers and keys go.
run_kill() {
	local name="AES-256-GCM, server killed" peers
	ovx_start_tunnel AES-256-GCM
	ip netns exec $CLI ping -c 5 -i 0.1 -W 1 10.8.0.1 >/dev/null 2>&1
	peers=$("$B/ovpn-xdp" -s "$SRV_SOCK" show --json | grep -o '"peer_id"' | wc -l)
	check "$name: peer offloaded before" "[ $peers -eq 1 ]"
	kill -9 "$(cat "$T/srv.pid")"
	sleep 1
	peers=$("$B/ovpn-xdp" -s "$SRV_SOCK" show --json | grep -o '"peer_id"' | wc -l)
	echo "$name: $peers peers left"
	check "$name: no peer left behind" "[ $peers -eq 0 ]"
	check "$name: daemon logged it" "grep -q 'went away' \"$T/daemon.log\""
	ovx_stop_all
}

ovx_need_binaries || { echo "interop: 0 passed, 1 failed"; exit 1; }
scripts/lib/pki.sh "$T/pki"
ovx_topology || { echo "interop: 0 passed, 1 failed"; exit 1; }
for c in ${CIPHERS:-AES-256-GCM CHACHA20-POLY1305 AES-128-GCM}; do
	run_cipher "$c"
done
for c in ${BOTH_CIPHERS:-CHACHA20-POLY1305}; do
	run_cipher "$c" both
done
[ -n "${NO_ROTATION:-}" ] || run_rotation
run_jumbo
run_kill
echo "interop: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
