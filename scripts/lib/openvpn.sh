# shellcheck shell=bash
# Shared by the scripts that run real OpenVPN in network namespaces (the
# interop tests, `make demo`, `make bench`). Source it after setting:
#   B     the build directory (binaries, plugin)
#   T     a scratch directory (PKI, configs, logs, sockets, pid files)
# Optional: OVX_NS (namespace prefix, default "ovx": namespaces $OVX_NS-srv and
# $OVX_NS-cli, daemon instances $OVX_NS-s and $OVX_NS-c) so that two runs can
# share a machine.
#
# Topology (GRO=off: without GRO on the veths; QDISC=noqueue: without a queue
# on them; NAPI_THREADED=0: without NAPI threads): veth-s 10.99.0.1/24
# fd99::1/64 (server) <-> veth-c 10.99.0.2/24 fd99::2/64 (client); the tunnel
# is 10.8.0.0/24 and fd00:8::/64, the server 10.8.0.1 / fd00:8::1.

OVX_NS=${OVX_NS:-ovx}
pass=${pass:-0} fail=${fail:-0}

# A test's check: the condition (a shell string) counted into $pass / $fail,
# the name printed when it fails (status 1 then).
check() {	# name condition
	if eval "$2"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1"
		return 1
	fi
}
# A check that fails today for a reason still open (named in @issue): printed
# when it fails, not counted, unless STRICT=1 (then it is a check like any).
ovx_known() {	# name condition issue
	if [ -n "${STRICT:-}" ]; then
		check "$1" "$2"
		return
	fi
	eval "$2" || echo "KNOWN FAILURE, not counted (STRICT=1 counts it; $3): $1"
}
SRV=$OVX_NS-srv
CLI=$OVX_NS-cli
INST_S=$OVX_NS-s
INST_C=$OVX_NS-c
SRV_SOCK=$T/ctl.sock
CLI_SOCK=$T/cli-ctl.sock

# Removes a namespace, first killing what an earlier, killed run left in it.
ovx_ns_del() {	# name
	ip netns pids "$1" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$1" 2>/dev/null
}

ovx_topology() {
	ovx_ns_del "$SRV"; ovx_ns_del "$CLI"
	ip netns add "$SRV" && ip netns add "$CLI" &&
	ip link add veth-s netns "$SRV" type veth peer name veth-c netns "$CLI" &&
	ip -n "$SRV" addr add 10.99.0.1/24 dev veth-s &&
	ip -n "$CLI" addr add 10.99.0.2/24 dev veth-c &&
	ip -n "$SRV" addr add fd99::1/64 dev veth-s nodad &&
	ip -n "$CLI" addr add fd99::2/64 dev veth-c nodad &&
	ip -n "$SRV" link set veth-s up && ip -n "$CLI" link set veth-c up &&
	ip -n "$SRV" link set lo up && ip -n "$CLI" link set lo up &&
	ovx_gro "${GRO:-on}" && ovx_napi_threaded "${NAPI_THREADED:-1}" &&
	ovx_qdisc "${QDISC:-pfifo}" && ovx_tso "${TSO:-off}"
}

# TSO off on the veths: with it on, a veth hands a packet that has no socket
# (what the fast path seals) to the other side's per-CPU backlogs rather than
# its NAPI ring, and each backlog drains on its own: one peer's packet-ids
# reached the stock clients of test_interop_churn up to 63 apart (a stock
# replay window is 64), and none with TSO off.
ovx_tso() {	# on|off
	ip netns exec "$SRV" ethtool -K veth-s tso "$1" &&
	ip netns exec "$CLI" ethtool -K veth-c tso "$1"
}

# A queue on the veths (QDISC=noqueue: veth's default, none): without one a
# veth drops what its peer's ring (256 packets) cannot take; with one it
# stops its sender (Linux 6.18), and TCP slows down instead of retransmitting.
ovx_qdisc() {	# pfifo|noqueue
	[ "$1" = noqueue ] && return 0
	tc -n "$SRV" qdisc replace dev veth-s root pfifo limit 1000 &&
	tc -n "$CLI" qdisc replace dev veth-c root pfifo limit 1000
}

# A bridge (br0 in namespace $OVX_NS-br) joining namespaces, as a LAN switch:
# ovx_bridge_up creates it, ovx_bridge_join puts a veth of a namespace on it.
OVX_BR=$OVX_NS-br
ovx_bridge_up() {
	ovx_ns_del "$OVX_BR"
	OVX_BR_PORTS=0
	ip netns add "$OVX_BR" && ip -n "$OVX_BR" link add br0 type bridge &&
	ip -n "$OVX_BR" link set br0 up
}

ovx_bridge_join() {	# namespace device ipv4/len ipv6/len
	local port=p$((OVX_BR_PORTS += 1))
	ip link add "$2" netns "$1" type veth peer name "$port" netns "$OVX_BR" &&
	ip -n "$OVX_BR" link set "$port" master br0 up &&
	ip -n "$1" addr add "$3" dev "$2" && ip -n "$1" addr add "$4" dev "$2" nodad &&
	ip -n "$1" link set "$2" up && ip -n "$1" link set lo up
}

# Threaded NAPI on the veths (NAPI_THREADED=0: off). A veth's receive side
# runs in the sender's context unless its NAPI has its own thread: one side's
# decryption would then take CPU from the other side's OpenVPN, which two
# hosts never do. With a thread the scheduler puts it where there is room.
ovx_napi_threaded() {	# 1|0
	ip netns exec "$SRV" sh -c "echo $1 > /sys/class/net/veth-s/threaded" &&
	ip netns exec "$CLI" sh -c "echo $1 > /sys/class/net/veth-c/threaded"
}

# GRO on the veths, as on a NIC (veth has it off by default): the XDP-decrypted
# packets of a TCP flow are then coalesced before they reach the stack.
ovx_gro() {	# on|off
	ip netns exec "$SRV" ethtool -K veth-s gro "$1" &&
	ip netns exec "$CLI" ethtool -K veth-c gro "$1"
}

# OpenVPN server config. Env: RENEG (reneg-sec), PROTO (udp, udp6, tcp-server),
# LOCAL (listen address), OFFLOAD (empty: no plugin line), OVX_CONF (more
# lines, for the client's config too).
ovx_server_conf() {	# cipher
	cat <<CONF
dev tun-s
dev-type tun
proto ${PROTO:-udp}
local ${LOCAL:-10.99.0.1}
port 1194
topology subnet
server 10.8.0.0 255.255.255.0
server-ipv6 fd00:8::/64
ca $T/pki/ca.crt
cert $T/pki/server.crt
key $T/pki/server.key
dh none
data-ciphers $1
keepalive 10 60
reneg-sec ${RENEG:-3600}
disable-dco
verb 3
${OVX_CONF:-}
CONF
	[ "${OFFLOAD-1}" ] && echo "plugin $B/ovpn-xdp-plugin.so socket=$SRV_SOCK link=veth-s"
	return 0
}

# Client config. Env: REMOTE (server address), CPROTO (udp, udp6, tcp-client).
ovx_client_conf() {	# cipher [offloaded] [client number, default 1]
	[ -n "${2:-}" ] && echo "plugin $B/ovpn-xdp-plugin.so socket=$CLI_SOCK link=veth-c"
	cat <<CONF
client
dev tun-c${3:-}
dev-type tun
proto ${CPROTO:-udp}
remote ${REMOTE:-10.99.0.1} 1194
nobind
ca $T/pki/ca.crt
cert $T/pki/client${3:-1}.crt
key $T/pki/client${3:-1}.key
data-ciphers $1
disable-dco
verb 3
${OVX_CONF:-}
CONF
}

# A daemon in a namespace: ovx_daemon srv|cli
ovx_daemon() {
	local ns=$SRV inst=$INST_S sock=$SRV_SOCK log=$T/daemon.log pid=$T/daemon.pid
	if [ "$1" = cli ]; then
		ns=$CLI inst=$INST_C sock=$CLI_SOCK log=$T/daemon-cli.log pid=$T/daemon-cli.pid
	fi
	nsenter --net=/run/netns/"$ns" "$B/ovpn-xdpd" -n "$inst" -s "$sock" ${DAEMON_ARGS:-} >> "$log" 2>&1 &
	echo $! > "$pid"
	# loading (verifying) the programs takes seconds on a busy machine
	for _ in $(seq 300); do
		[ -S "$sock" ] && return 0
		kill -0 "$(cat "$pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "daemon in $ns did not come up (see $log)" >&2
	return 1
}

# Env: SRV_OPENVPN, CLI_OPENVPN (the server's, the client's openvpn
# executable, default Debian's).
ovx_openvpn() {	# srv|cli config-file name
	local ns=$SRV bin=${SRV_OPENVPN:-openvpn}
	[ "$1" = cli ] && ns=$CLI bin=${CLI_OPENVPN:-openvpn}
	ip netns exec "$ns" "$bin" --config "$2" --writepid "$T/$3.pid" --log "$T/$3.log" --daemon
}

# shellcheck disable=SC2120 # callers elsewhere pass an address
ovx_wait_ping() {	# [address, default 10.8.0.1]: until the tunnel answers (20 s)
	for _ in $(seq 40); do
		ip netns exec "$CLI" ping -c1 -W1 "${1:-10.8.0.1}" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}

# Daemon(s) (extra arguments in DAEMON_ARGS), OpenVPN server and one client, until the tunnel answers.
ovx_start_tunnel() {	# cipher [both]: the client offloaded too
	ovx_server_conf "$1" > "$T/srv.conf"
	ovx_client_conf "$1" "${2:-}" > "$T/cli.conf"
	if [ "${OFFLOAD-1}" ]; then ovx_daemon srv || return 1; fi
	if [ -n "${2:-}" ]; then ovx_daemon cli || return 1; fi
	ovx_openvpn srv "$T/srv.conf" srv && ovx_openvpn cli "$T/cli.conf" cli && ovx_wait_ping
}

# ovpn-xdp show --json: the sum of a counter over the peers of a side
ovx_counter() {	# name [socket]
	"$B/ovpn-xdp" -s "${2:-$SRV_SOCK}" show --json 2>/dev/null |
		grep -o "\"$1\": *[0-9]*" | awk -F: '{s += $2} END {print s + 0}'
}

# iperf3 from the client namespace to the server's tunnel address; prints the
# received Mbit/s (0 on failure). Extra arguments go to the iperf3 client.
# IPERF_FROM=srv: from the server's namespace to IPERF_SERVER in the client's.
ovx_iperf() {	# port seconds [iperf3 client args...]
	local port=$1 secs=$2 sns=$SRV cns=$CLI
	shift 2
	[ "${IPERF_FROM:-}" = srv ] && sns=$CLI cns=$SRV
	ip netns exec "$sns" iperf3 -s -B "${IPERF_SERVER:-10.8.0.1}" -1 -D -p "$port" >/dev/null 2>&1
	sleep 0.3
	timeout $((secs + 15)) ip netns exec "$cns" iperf3 -c "${IPERF_SERVER:-10.8.0.1}" -p "$port" \
		-t "$secs" -J "$@" > "$T/iperf.json" 2>/dev/null
	grep -A12 '"sum_received"' "$T/iperf.json" | grep -o '"bits_per_second":[[:space:]]*[0-9.e+]*' |
		head -1 | awk -F: '{printf "%d\n", $2 / 1e6} END {if (NR == 0) print 0}'
}

# Stops OpenVPN, iperf3 and the daemons (removing their pins).
ovx_stop_all() {
	local f
	for f in "$T"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	ip netns pids "$SRV" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns pids "$CLI" 2>/dev/null | xargs -r kill 2>/dev/null
	sleep 0.3
	nsenter --net=/run/netns/"$SRV" "$B/ovpn-xdpd" -n "$INST_S" -d >/dev/null 2>&1
	nsenter --net=/run/netns/"$CLI" "$B/ovpn-xdpd" -n "$INST_C" -d >/dev/null 2>&1
	rm -f "$T"/*.pid "$SRV_SOCK" "$CLI_SOCK"
}

ovx_cleanup() {
	ovx_stop_all 2>/dev/null
	ovx_ns_del "$SRV"
	ovx_ns_del "$CLI"
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}

ovx_need_binaries() {
	local bin
	for bin in "$B/ovpn-xdpd" "$B/ovpn-xdp" "$B/ovpn-xdp-plugin.so"; do
		[ -e "$bin" ] || { echo "missing $bin: run make" >&2; return 1; }
	done
}

# Whether another run uses this prefix: its namespaces exist with processes.
ovx_ns_busy() {
	local ns
	for ns in "$SRV" "$CLI"; do
		[ -n "$(ip netns pids "$ns" 2>/dev/null)" ] && return 0
	done
	return 1
}

# Until a side's fast path has received data packets with its key (pings
# through the tunnel meanwhile; 10 s).
ovx_wait_offloaded() {	# [socket, default the server's]
	for _ in $(seq 20); do
		ip netns exec "$CLI" ping -c 2 -i 0.1 -W 1 10.8.0.1 >/dev/null 2>&1
		[ "$(ovx_counter rx_vpn_pkts "${1:-$SRV_SOCK}")" -gt 0 ] && return 0
		sleep 0.4
	done
	return 1
}

# Packets a veth end dropped on sending: its peer's ring (256 packets) was
# full, the receiving side having fallen behind. Such a packet is on the
# "wire" (captured on the way out) but never reaches the other side: loss on
# the link under load, not in the fast path. The veth counts each such drop
# twice in tx_dropped (Linux 6.18: 3,200 for the 1,600 packets sent and not
# received), hence the half.
ovx_link_drops() {	# srv|cli
	local ns=$SRV dev=veth-s
	[ "$1" = cli ] && ns=$CLI dev=veth-c
	ip -n "$ns" -s -j link show "$dev" | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["stats64"]["tx"]["dropped"] // 2)'
}

# Busy CPU time of the whole machine (all CPUs, user, system, irq, softirq,
# steal), in jiffies (getconf CLK_TCK per second), from /proc/stat.
ovx_cpu_busy() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# From the last ovx_iperf run ($T/iperf.json): bytes the receiver got.
ovx_iperf_bytes() {
	local b
	b=$(grep -A12 '"sum_received"' "$T/iperf.json" 2>/dev/null |
		grep -o '"bytes":[[:space:]]*[0-9]*' | head -1 | grep -o '[0-9]*$')
	echo "${b:-0}"
}

# ovx_stop_all, then waits (30 s at most) until the daemons have exited and
# detaches again: a daemon that deletes many peers as OpenVPN goes takes a
# while, would remove the control socket of the next run's daemon, and can
# leave its pins half removed by ovx_stop_all's detach.
ovx_stop_all_wait() {
	local pids="" f rc=1
	for f in "$T/daemon.pid" "$T/daemon-cli.pid"; do
		[ -f "$f" ] && pids+=" $(cat "$f")"
	done
	ovx_stop_all
	for _ in $(seq 300); do
		kill -0 $pids 2>/dev/null || { rc=0; break; }
		sleep 0.1
	done
	[ "$rc" -eq 0 ] || echo "a daemon ($pids) did not exit within 30 s" >&2
	nsenter --net=/run/netns/"$SRV" "$B/ovpn-xdpd" -n "$INST_S" -d >/dev/null 2>&1
	nsenter --net=/run/netns/"$CLI" "$B/ovpn-xdpd" -n "$INST_C" -d >/dev/null 2>&1
	return $rc
}

# Captures for the packet-id check (scripts/lib/pid_check.py): each side's
# outgoing UDP on its veth, headers only (its incoming packets are seen there
# after XDP, decrypted or not at all). Files $T/NAME-s.pcap, $T/NAME-c.pcap.
OVX_PID_CHECK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pid_check.py

ovx_capture_start() {	# name
	local side ns dev
	for side in s c; do
		ns=$SRV dev=veth-s
		[ "$side" = c ] && ns=$CLI dev=veth-c
		ip netns exec "$ns" tcpdump -i "$dev" -Q out -n -s 96 -B 32768 -Z root \
			-w "$T/$1-$side.pcap" udp 2> "$T/$1-$side.caplog" &
		echo $! > "$T/$1-$side.cappid"
	done
	for _ in $(seq 50); do
		grep -q listening "$T/$1-s.caplog" && grep -q listening "$T/$1-c.caplog" && return 0
		sleep 0.1
	done
	echo "tcpdump did not start (see $T/$1-*.caplog)" >&2
	return 1
}

# Stops the captures; prints how many packets the kernel dropped from them.
ovx_capture_stop() {	# name
	local side pid
	sleep 1	# packets in a capture block not yet handed to tcpdump are lost at its exit
	for side in s c; do
		pid=$(cat "$T/$1-$side.cappid" 2>/dev/null) || continue
		kill -INT "$pid" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		rm -f "$T/$1-$side.cappid"
	done
	cat "$T/$1"-?.caplog 2>/dev/null | grep -o '[0-9]* packets dropped by kernel' |
		awk '{s += $1} END {print s + 0}'
}

# The packet-id check of a run's captures: the report in $T/NAME.pids; fails
# if a (direction, peer-id, key, packet-id) repeats.
ovx_capture_check() {	# name
	python3 "$OVX_PID_CHECK" "$T/$1-s.pcap" "$T/$1-c.pcap" > "$T/$1.pids"
}

# Data packets sent from an address in a checked capture.
ovx_wire_pkts() {	# name source ("10.99.0.1", "[fd99::1]")
	awk -v src="$2:" 'index($0, src) == 1 {n += $(NF - 5)} END {print n + 0}' "$T/$1.pids"
}

# Keys a daemon's log says it offloaded.
ovx_keys_offloaded() {	# daemon log
	grep -c "key [0-7] .* offloaded" "$1" 2>/dev/null
}

# Rotation under load (test_interop_rotation.sh, test_interop_versions.sh):
# from the client, a ping every 100 ms and iperf3 --bidir at @3 each way
# (-b) to the server's 10.8.0.1, for @2 seconds; iperf3's JSON in
# $T/@1.json, ping -D's output in $T/@1.ping. Prints "lost up down nint":
# pings lost ("?": no summary), seconds without throughput sent and
# received (iperf3's 1 s intervals), and the number of intervals.
ovx_rotation_load() {	# run secs rate
	local pid lost
	ip netns exec "$CLI" ping -D -c $(($2 * 10)) -i 0.1 -W 1 10.8.0.1 > "$T/$1.ping" 2>&1 &
	pid=$!
	ip netns exec "$SRV" iperf3 -s -B 10.8.0.1 -1 -D -p 5201 >/dev/null 2>&1
	sleep 0.3
	timeout $(($2 + 20)) ip netns exec "$CLI" iperf3 -c 10.8.0.1 -p 5201 -t "$2" -i 1 \
		-b "$3" --bidir -J > "$T/$1.json" 2>/dev/null
	wait "$pid"
	lost=$(grep -o '[0-9]* received' "$T/$1.ping" | awk -v n=$(($2 * 10)) '{print n - $1}')
	echo "${lost:-?} $(python3 -c 'import json, sys
try:
    ivs = json.load(open(sys.argv[1]))["intervals"]
    up = sum(1 for i in ivs if i["sum"]["bytes"] == 0)
    down = sum(1 for i in ivs if i["sum_bidir_reverse"]["bytes"] == 0)
    print(up if ivs else 99, down if ivs else 99, len(ivs))
except Exception:
    print(99, 99, 0)' "$T/$1.json")"
}

# Which pings of ping -D's output were lost, and when.
ovx_lost_pings() {	# ping output
	awk '/icmp_seq=/ { match($0, /icmp_seq=[0-9]+/); s = substr($0, RSTART + 9, RLENGTH - 9)
		if (s != prev + 1) print "  pings", prev + 1, "to", s - 1, "lost before", $1; prev = s }' "$1"
}

# Both ends offloaded: after each renegotiation, each side's fast path sends
# with the new key within @2 seconds (scripts/lib/key_switch.py on the
# stopped capture); prints its summary, and its lines when it fails.
ovx_key_switch() {	# name max-seconds
	python3 "${OVX_PID_CHECK%/*}/key_switch.py" --max="$2" "$T/$1-s.pcap" "$T/$1-c.pcap" \
		> "$T/$1.switch"
	local rc=$?
	[ "$rc" = 0 ] || grep -v '^switches' "$T/$1.switch"
	echo "  $1: key $(tail -1 "$T/$1.switch")"
	return "$rc"
}

ovx_repeats() {	# name: repeated packet-ids in a checked capture
	awk '/^packets/ {print $4}' "$T/$1.pids"
}

# Fast-path counters of one offloaded side, read before the capture stops.
ovx_read_counters() {	# socket: "rx tx"
	echo "$(ovx_counter rx_vpn_pkts "$1") $(ovx_counter tx_vpn_pkts "$1")"
}

# Fast-path share of one offloaded side: its counters against the data
# packets on the wire to and from it, less those the sending veth dropped
# (a full ring under load: they never arrived).
# A 7th argument "sent-only": what it received is not checked (a stock peer
# that compresses: compressed packets are OpenVPN's).
ovx_check_share() {	# name run "rx tx" own-address peer-address link-drops-towards-it [sent-only]
	local rx=${3% *} tx=${3#* } in out
	in=$(( $(ovx_wire_pkts "$2" "$5") - $6 )) out=$(ovx_wire_pkts "$2" "$4")
	echo "$1: fast path received $rx of $in data packets ($6 more lost on the link), sent $tx of $out"
	[ "${7:-}" = sent-only ] ||
	check "$1: fast path received >= 99%" "[ $in -gt 1000 ] && [ \$(($rx * 100)) -ge \$(($in * 99)) ]"
	check "$1: fast path sent >= 99%" "[ $out -gt 1000 ] && [ \$(($tx * 100)) -ge \$(($out * 99)) ]"
}
