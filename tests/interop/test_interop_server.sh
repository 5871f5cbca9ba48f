#!/usr/bin/env bash
# A real server with many clients, stock OpenVPN 2.6 everywhere: a server
# namespace and six client namespaces on a bridge, clients 5 and 6 over IPv6
# outside, each client its own cipher; topology subnet, tls-crypt,
# keepalive 2 10, client-to-client, a client-config-dir giving each client
# its addresses and client 1 an iroute (10.78.0.0/24, fd78::/64) for a LAN
# namespace behind it. Each check runs without the plugin (the baseline,
# "user") and with it ("offload": the server offloaded, the clients stock),
# and must give the same result:
# - reachability matrix: every client and the server to every other, inner
#   IPv4 and IPv6 (client-to-client through the server);
# - iroute: a client to the LAN behind client 1 and back;
# - iperf3 client 3 -> client 4; offloaded, the fast path carries >= 99 % of
#   the server's data packets both ways; the server's packet-ids as client 4
#   receives them (a capture on its veth) reordered by less than a stock
#   client's replay window, 64, in both modes (userspace 0; offloaded up to
#   57 seen, with TSO on or off, and with RPS on the bridge's ports: the
#   bridge's ports have no NAPI, so every hop to client 4 goes through a
#   CPU's backlog);
# - the same with the clients' veth TX checksum offload off;
# - client-to-client with the server's forwarding off (OpenVPN carries it);
# - the source check: client 3 sends echo requests from client 1's iroute and
#   from client 2's address: none reaches the server's tun device;
# - a renegotiation under a bulk upload: client 2 (reneg-bytes) uploads to
#   the server for 20 s at REKEY_RATE, pinging it; offloaded, no ping lost,
#   each new key in the fast path within 1 s of the client's first packet
#   with it, >= 99 % of its packets by the fast path (the peer's counters);
# - without client-to-client: through the kernel with forwarding on, nowhere
#   with it off;
# - the stock clients logged no "bad packet ID (may be a replay)".
# Offloaded also: client 1 keeps its VPN addresses after the LAN's traffic
# (OpenVPN reports the LAN hosts it routes through learn-address).
# Env: SERVER_MODES ("user offload"), SERVER_GRO (on: GRO on the server's
# veth), OVX_BUILD (another build directory, to compare), OVX_NS (ovxsv),
# REKEY_RATE (150M), REKEY_BYTES (50000000), KEEP=1.
# Prints "interop-server: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${OVX_BUILD:-$PWD/build}	# another build to compare
T=$(mktemp -d /tmp/ovpn-xdp-server.XXXXXX)
OVX_NS=${OVX_NS:-ovxsv}
MODES=${SERVER_MODES:-user offload}
NCLI=6
REKEY_RATE=${REKEY_RATE:-150M}		# client 2's upload (rekey_upload)
REKEY_BYTES=${REKEY_BYTES:-50000000}	# and its renegotiation
pass=0 fail=0
. scripts/lib/openvpn.sh
LAN=$OVX_NS-lan
CIPHERS=(- AES-128-GCM AES-256-GCM CHACHA20-POLY1305 AES-256-GCM CHACHA20-POLY1305 AES-128-GCM)
PAIRS="1:2 3:4 5:6 2:5 6:1 4:3"	# client-to-client subsets

cns() { echo "$OVX_NS-c$1"; }
ns_of() { if [ "$1" = 0 ]; then echo "$SRV"; else cns "$1"; fi; }
vpn4() { if [ "$1" = 0 ]; then echo 10.77.0.1; else echo "10.77.0.$((10 + $1))"; fi; }
vpn6() { if [ "$1" = 0 ]; then echo fd77::1; else echo "fd77::$((10 + $1))"; fi; }

cleanup() {
	[ -n "${REKEY_POLLER:-}" ] && kill "$REKEY_POLLER" 2>/dev/null
	[ -n "${CAP:-}" ] && kill "$CAP" 2>/dev/null
	ovx_stop_all 2>/dev/null
	for i in $(seq $NCLI); do ovx_ns_del "$(cns "$i")"; done
	ovx_ns_del "$LAN"; ovx_ns_del "$OVX_BR"; ovx_ns_del "$SRV"
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

topology() {
	local i c1
	ovx_ns_del "$SRV"; ovx_ns_del "$LAN"
	ip netns add "$SRV" && ovx_bridge_up &&
	ovx_bridge_join "$SRV" veth-s 10.99.0.1/24 fd99::1/64 || return 1
	ip netns exec "$SRV" ethtool -K veth-s gro "${SERVER_GRO:-on}" >/dev/null &&
	ip netns exec "$SRV" sh -c 'echo 1 > /sys/class/net/veth-s/threaded' || return 1
	for i in $(seq $NCLI); do
		ovx_ns_del "$(cns "$i")"
		ip netns add "$(cns "$i")" &&
		ovx_bridge_join "$(cns "$i")" veth-c "10.99.0.$((10 + i))/24" "fd99::$((10 + i))/64" ||
			return 1
	done
	c1=$(cns 1)
	ip netns add "$LAN" &&
	ip link add lan0 netns "$LAN" type veth peer name lan1 netns "$c1" &&
	ip -n "$LAN" addr add 10.78.0.2/24 dev lan0 && ip -n "$LAN" addr add fd78::2/64 dev lan0 nodad &&
	ip -n "$c1" addr add 10.78.0.1/24 dev lan1 && ip -n "$c1" addr add fd78::1/64 dev lan1 nodad &&
	ip -n "$LAN" link set lan0 up && ip -n "$LAN" link set lo up && ip -n "$c1" link set lan1 up &&
	ip -n "$LAN" route add default via 10.78.0.1 && ip -n "$LAN" -6 route add default via fd78::1 &&
	ip netns exec "$c1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

pki() {
	local i
	PKI_CLIENTS=$NCLI scripts/lib/pki.sh "$T/pki" >/dev/null &&
	openvpn --genkey tls-crypt "$T/pki/tc.key" >/dev/null || return 1
	mkdir -p "$T/ccd"
	for i in $(seq $NCLI); do
		printf 'ifconfig-push %s 255.255.255.0\nifconfig-ipv6-push %s/64 fd77::1\n' \
			"$(vpn4 "$i")" "$(vpn6 "$i")" > "$T/ccd/client$i"
	done
	printf 'iroute 10.78.0.0 255.255.255.0\niroute-ipv6 fd78::/64\n' >> "$T/ccd/client1"
}

server_conf() {	# mode c2c(0|1)
	cat <<CONF
dev tun-s
dev-type tun
proto udp6
port 1194
topology subnet
server 10.77.0.0 255.255.255.0
server-ipv6 fd77::/64
ca $T/pki/ca.crt
cert $T/pki/server.crt
key $T/pki/server.key
dh none
tls-crypt $T/pki/tc.key
client-config-dir $T/ccd
keepalive 2 10
data-ciphers AES-128-GCM:AES-256-GCM:CHACHA20-POLY1305
route 10.78.0.0 255.255.255.0
route-ipv6 fd78::/64
push "route 10.78.0.0 255.255.255.0"
push "route-ipv6 fd78::/64"
explicit-exit-notify 1
disable-dco
verb 3
CONF
	[ "$2" = 1 ] && echo client-to-client
	[ "$1" = offload ] && echo "plugin $B/ovpn-xdp-plugin.so socket=$SRV_SOCK link=veth-s"
	return 0
}

client_conf() {	# number
	local proto=udp remote=10.99.0.1
	[ "$1" -ge 5 ] && proto=udp6 remote=fd99::1
	cat <<CONF
client
dev tun-c
dev-type tun
proto $proto
remote $remote 1194
nobind
ca $T/pki/ca.crt
cert $T/pki/client$1.crt
key $T/pki/client$1.key
tls-crypt $T/pki/tc.key
data-ciphers ${CIPHERS[$1]}
disable-dco
verb 3
CONF
	# client 2 renegotiates every REKEY_BYTES: during its upload (rekey_upload)
	[ "$1" = 2 ] && echo "reneg-bytes $REKEY_BYTES"
	return 0
}

server_start() {	# mode c2c
	server_conf "$1" "$2" > "$T/srv.conf"
	ip netns exec "$SRV" openvpn --config "$T/srv.conf" --writepid "$T/srv.pid" \
		--log-append "$T/srv-$1.log" --daemon
}

server_stop() {
	local pid
	pid=$(cat "$T/srv.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	rm -f "$T/srv.pid"
}

clients_start() {
	local i
	for i in $(seq $NCLI); do
		client_conf "$i" > "$T/cli$i.conf"
		ip netns exec "$(cns "$i")" openvpn --config "$T/cli$i.conf" --writepid "$T/cli$i.pid" \
			--log-append "$T/cli$i.log" --daemon || return 1
	done
}

ping_n() {	# namespace destination [ping args]: replies of 3
	local ns=$1 dst=$2
	shift 2
	ip netns exec "$ns" ping -c 3 -i 0.2 -W 1 -q "$@" "$dst" 2>/dev/null |
		awk '/received/ {print $4; n = 1} END {if (!n) print 0}'
}

# Until every client reaches the server through its tunnel (40 s).
clients_up() {
	local i ok
	for _ in $(seq 80); do
		ok=1
		for i in $(seq $NCLI); do
			ip netns exec "$(cns "$i")" ping -c 1 -W 1 -q 10.77.0.1 >/dev/null 2>&1 || ok=0
		done
		[ $ok = 1 ] && return 0
		sleep 0.5
	done
	return 1
}

peers_json() { "$B/ovpn-xdp" -s "$SRV_SOCK" show --json 2>/dev/null; }

# Offloaded: every client's peer has decrypted packets (pings meanwhile; 20 s).
all_offloaded() {
	local i n pids
	for _ in $(seq 20); do
		pids=
		for i in $(seq $NCLI); do
			ip netns exec "$(cns "$i")" ping -c 2 -i 0.1 -W 1 -q 10.77.0.1 >/dev/null 2>&1 &
			pids+=" $!"
		done
		wait $pids
		n=$(peers_json | python3 -c '
import json, sys
print(sum(1 for p in json.load(sys.stdin).get("peers", []) if p["rx_vpn_pkts"] > 0))' 2>/dev/null)
		[ "${n:-0}" -ge $NCLI ] && return 0
		sleep 0.5
	done
	return 1
}

# Every client and the server to every other, IPv4 and IPv6 inside: the
# pings that did not get 3 replies, one line each, in $T/matrix.
matrix() {
	local s d fam pids=
	rm -f "$T"/matrix.*
	for s in $(seq 0 $NCLI); do
		for d in $(seq 0 $NCLI); do
			[ "$s" = "$d" ] && continue
			for fam in 4 6; do
				echo "$s $d $fam $(ping_n "$(ns_of "$s")" "$(vpn$fam "$d")")"
			done
		done > "$T/matrix.$s" &
		pids+=" $!"
	done
	wait $pids	# not the daemon, a child too
	cat "$T"/matrix.* | awk '$4 != 3 {print "  " $1 " -> " $2 " IPv" $3 ": " $4 "/3"}' > "$T/matrix"
}

# Client-to-client pairs of $PAIRS, both families: how many got 3 of 3.
pairs_ok() {
	local p s d fam pids=
	rm -f "$T"/pair.*
	for p in $PAIRS; do
		s=${p%:*} d=${p#*:}
		for fam in 4 6; do
			ping_n "$(cns "$s")" "$(vpn$fam "$d")" > "$T/pair.$s.$d.$fam" &
			pids+=" $!"
		done
	done
	wait $pids
	cat "$T"/pair.* | grep -c '^3$'
}

link_pkts() {	# rx|tx: the server's veth packets
	ip -n "$SRV" -s -j link show veth-s | python3 -c "
import json, sys
print(json.load(sys.stdin)[0]['stats64']['$1']['packets'])"
}

iperf_c2c() {	# seconds: Mbit/s client 3 -> client 4
	local c4
	c4=$(cns 4)
	ip netns exec "$c4" iperf3 -s -B "$(vpn4 4)" -1 -D -p 5301 >/dev/null 2>&1
	sleep 0.3
	timeout $(($1 + 15)) ip netns exec "$(cns 3)" iperf3 -c "$(vpn4 4)" -p 5301 -t "$1" -J \
		> "$T/iperf.json" 2>/dev/null
	python3 -c 'import json, sys
try:
    e = json.load(open(sys.argv[1]))["end"]
    print(int(e["sum_received"]["bits_per_second"] / 1e6), e["sum_sent"].get("retransmits", 0))
except Exception:
    print(0, 0)' "$T/iperf.json"
}

# The server's data packets as client 4 receives them: a capture on its veth,
# then how far their packet-ids arrived out of order (pid_reorder.py).
c4_capture() {
	local i
	ip netns exec "$(cns 4)" tcpdump -i veth-c -Q in -n -s 96 -B 65536 -Z root \
		-w "$T/c4.pcap" udp and src host 10.99.0.1 2> "$T/c4.caplog" &
	CAP=$!
	for i in $(seq 50); do grep -q listening "$T/c4.caplog" && return; sleep 0.1; done
}

c4_reorder() {	# prints "max late packets"
	kill -INT "$CAP" 2>/dev/null; wait "$CAP" 2>/dev/null; CAP=
	python3 scripts/lib/pid_reorder.py "$T/c4.pcap" 10.99.0.1 2>/dev/null |
		awk '$9 == "packets," { n += $8 } /^reorder max/ { m = $3; l = $5 }
			END { print (m == "" ? "none" : m), (l == "" ? "none" : l), n + 0 }'
}

# iperf3 client 3 -> client 4; offloaded, the share of the server's data
# packets the fast path decrypted and encrypted.
throughput() {	# mode label
	local rx0 tx0 lrx0 ltx0 mbit share retr drops0 extra reorder late npkt
	rx0=$(ovx_counter rx_vpn_pkts) tx0=$(ovx_counter tx_vpn_pkts) drops0=$(ovx_counter drops)
	lrx0=$(link_pkts rx) ltx0=$(link_pkts tx)
	c4_capture
	read -r mbit retr < <(iperf_c2c 3)
	read -r reorder late npkt < <(c4_reorder)
	extra=
	[ "$1" = offload ] && extra=", $(($(ovx_counter drops) - drops0)) fast-path drops"
	echo "  $1 $2: iperf3 client 3 -> client 4: $mbit Mbit/s, $retr retransmits$extra"
	echo "  $1 $2: the server's packet-ids at client 4 reordered by at most $reorder" \
		"($late of $npkt by 64 or more)"
	check "$1 $2: iperf3 client 3 -> client 4 ($mbit Mbit/s)" '[ "$mbit" -ge 20 ]'
	check "$1 $2: packet-ids at client 4 reordered by less than 64 ($reorder; $late of $npkt late)" \
		'[ "$late" = 0 ] && [ "$npkt" -ge 1000 ]'
	[ "$1" = offload ] || return 0
	share=$(python3 -c 'import sys
a = [int(x) for x in sys.argv[1:]]
print("%.4f %.4f" % ((a[0] - a[1]) / max(1, a[2] - a[3]), (a[4] - a[5]) / max(1, a[6] - a[7])))' \
		"$(ovx_counter rx_vpn_pkts)" "$rx0" "$(link_pkts rx)" "$lrx0" \
		"$(ovx_counter tx_vpn_pkts)" "$tx0" "$(link_pkts tx)" "$ltx0")
	echo "  $1 $2: fast path share of the server's packets (rx tx): $share"
	check "$1 $2: fast path carries >= 99 % (rx tx $share)" \
		"python3 -c 'import sys; sys.exit(not all(float(x) >= 0.99 for x in \"$share\".split()))'"
}

iroute_checks() {	# mode label
	local n
	for dst in 10.78.0.2 fd78::2; do
		n=$(ping_n "$(cns 3)" "$dst")
		check "$1 $2: client 3 -> LAN $dst: $n/3" '[ "$n" = 3 ]'
	done
	for dst in "$(vpn4 3)" "$(vpn6 3)" 10.77.0.1 "$(vpn6 2)"; do
		n=$(ping_n "$LAN" "$dst")
		check "$1 $2: LAN -> $dst: $n/3" '[ "$n" = 3 ]'
	done
}

# Client 3 sends 10 echo requests to the server from client 1's iroute and
# from client 2's address: none may reach the server's tun device.
source_check() {	# mode
	local c3 src n drops0 drops pid
	c3=$(cns 3)
	drops0=$(ovx_counter spoofed_source)
	for src in 10.78.0.99 "$(vpn4 2)"; do
		ip -n "$c3" addr add "$src/32" dev lo
		ip netns exec "$SRV" timeout 4 tcpdump -i tun-s -n -l "icmp and src host $src" \
			> "$T/spoof.txt" 2>/dev/null &
		pid=$!
		sleep 1
		ip netns exec "$c3" ping -c 10 -i 0.1 -W 1 -q -I "$src" 10.77.0.1 >/dev/null 2>&1
		wait $pid
		ip -n "$c3" addr del "$src/32" dev lo
		n=$(grep -c "ICMP echo request" "$T/spoof.txt")
		check "$1: client 3 spoofing $src: $n of 10 reached the server's tun" '[ "$n" = 0 ]'
	done
	if [ "$1" = offload ]; then
		drops=$(($(ovx_counter spoofed_source) - drops0))
		echo "  offload: spoofed packets dropped by the fast path: $drops"
		check "offload: source check drops counted ($drops)" '[ "$drops" -ge 5 ]'
	fi
}

# Offloaded: client 1's VPN addresses as the daemon has them, after traffic
# to and from the LAN behind it (OpenVPN then reports the LAN hosts it routed
# through learn-address as host addresses: they are no VPN address).
c1_addrs() {
	peers_json | python3 -c '
import json, sys
for p in json.load(sys.stdin).get("peers", []):
    if p["remote"].startswith(sys.argv[1]):
        print(p["vpn_ipv4"], p["vpn_ipv6"])' "10.99.0.11:"
}

# The fast path's view of client 2's peer every 0.1 s, until killed: one
# line a sample: seconds, rx_vpn_pkts, rx_to_openvpn, its key-ids.
rekey_poll() {	# exec: $! of "rekey_poll &" is the poller itself
	exec python3 - "$B/ovpn-xdp" "$SRV_SOCK" <<'PY'
import json, subprocess, sys, time
t0 = time.monotonic()
while True:
    try:
        out = subprocess.run([sys.argv[1], "-s", sys.argv[2], "show", "--json"],
                             capture_output=True, text=True, timeout=2).stdout
        for p in json.loads(out).get("peers", []):
            if p["remote"].startswith("10.99.0.12:"):
                print("%.3f %d %d %s" % (time.monotonic() - t0, p["rx_vpn_pkts"],
                      p["rx_to_openvpn"], ",".join(str(k["key_id"]) for k in p["keys"])),
                      flush=True)
    except Exception:
        pass
    time.sleep(0.1)
PY
}

# From rekey_poll's samples: "rotations worst-delay share": the new keys seen,
# the longest time from the client's first packet with a new key (its
# packets left to OpenVPN start flowing: the sample before is the bound) to
# that key in the fast path, and the share of the peer's packets the fast
# path decrypted.
rekey_judge() {	# samples
	python3 - "$1" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 4]
rows = [(float(t), int(v), int(o), set(k.split(","))) for t, v, o, k in rows]
if len(rows) < 2:
    print(0, 99, 0.0)
    sys.exit()
rot, worst, start = 0, 0.0, None
for prev, cur in zip(rows, rows[1:]):
    if start is None and cur[2] - prev[2] > 3:	# more than the liveness packet
        start = prev[0]
    new = cur[3] - prev[3]
    if new:
        rot += 1
        worst = max(worst, cur[0] - (start if start is not None else prev[0]))
        start = None
if start is not None:	# packets to OpenVPN and no new key to the end
    worst = max(worst, rows[-1][0] - start)
dv, do = rows[-1][1] - rows[0][1], rows[-1][2] - rows[0][2]
print(rot, "%.2f" % worst, "%.4f" % (dv / max(1, dv + do)))
PY
}

# A renegotiation under a bulk upload: client 2 uploads to the server for
# 20 s at REKEY_RATE and renegotiates meanwhile (reneg-bytes: OpenVPN looks
# at the count every 15 s at most while nothing else is due), pinging the
# server every 0.1 s. Both modes: a renegotiation, the upload. Offloaded: no
# ping lost (userspace OpenVPN loses some at this rate: printed), each new
# key in the fast path within 1 s of the client's first packet with it,
# >= 99 % of the peer's packets by the fast path.
rekey_upload() {	# mode
	local c2 hs0 hs1 pp pid mbit lost rot worst share
	c2=$(cns 2)
	hs0=$(grep -c "Control Channel: " "$T/cli2.log")
	ip netns exec "$SRV" iperf3 -s -B 10.77.0.1 -1 -D -p 5302 >/dev/null 2>&1
	sleep 0.3
	if [ "$1" = offload ]; then
		rekey_poll > "$T/rekey.samples" 2>/dev/null &
		pp=$! REKEY_POLLER=$!
	fi
	ip netns exec "$c2" ping -c 200 -i 0.1 -W 1 -q 10.77.0.1 > "$T/rekey.ping" 2>&1 &
	pid=$!
	timeout 40 ip netns exec "$c2" iperf3 -c 10.77.0.1 -p 5302 -t 20 -b "$REKEY_RATE" -J \
		> "$T/rekey.json" 2>/dev/null
	wait $pid
	mbit=$(python3 -c 'import json, sys
try:
    print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
    print(0)' "$T/rekey.json")
	lost=$(awk '/packets transmitted/ {print $1 - $4; f = 1} END {if (!f) print 200}' "$T/rekey.ping")
	hs1=$(grep -c "Control Channel: " "$T/cli2.log")
	echo "  $1: upload client 2 -> server: $mbit Mbit/s, $((hs1 - hs0)) renegotiations, $lost of 200 pings lost"
	check "$1: renegotiation during the upload ($((hs1 - hs0)))" '[ $((hs1 - hs0)) -ge 1 ]'
	check "$1: upload under a renegotiation ($mbit Mbit/s)" '[ "$mbit" -ge 20 ]'
	[ "$1" = offload ] || return 0
	check "$1: no ping lost across the renegotiation ($lost of 200)" '[ "$lost" = 0 ]'
	kill "$pp" 2>/dev/null
	wait "$pp" 2>/dev/null
	read -r rot worst share < <(rekey_judge "$T/rekey.samples")
	echo "  offload: keys offloaded $rot, at worst $worst s after the client's first packet, fast path share $share"
	check "offload: each new key offloaded within 1 s ($rot keys, at worst $worst s)" \
		"[ $rot -ge 1 ] && python3 -c 'import sys; sys.exit(not $worst <= 1.0)'"
	check "offload: >= 99 % of the upload by the fast path ($share)" \
		"python3 -c 'import sys; sys.exit(not $share >= 0.99)'"
}

# The stock clients' logs free of replay complaints from this mode's run.
replay_lines() { cat "$T"/cli*.log 2>/dev/null | grep -c "bad packet ID"; }

tx_offload() {	# on|off: the clients' veth TX checksum offload
	local i
	for i in $(seq $NCLI); do
		ip netns exec "$(cns "$i")" ethtool -K veth-c tx "$1" >/dev/null 2>&1
	done
	ip netns exec "$LAN" ethtool -K lan0 tx "$1" >/dev/null 2>&1
}

forwarding() {	# 0|1: the server's
	ip netns exec "$SRV" sysctl -qw net.ipv4.ip_forward="$1" net.ipv6.conf.all.forwarding="$1"
}

run_mode() {	# user|offload
	local m=$1 n a r0
	echo "== $m"
	r0=$(replay_lines)
	forwarding 1
	tx_offload on
	if [ "$m" = offload ]; then
		ovx_daemon srv || { check "$m: daemon up" false; return; }
	fi
	server_start "$m" 1 && clients_start
	check "$m: six clients up" clients_up || return
	if [ "$m" = offload ]; then
		check "$m: every client offloaded" all_offloaded
		check "$m: the daemon knows client-to-client is on" \
			'"$B/ovpn-xdp" -s "$SRV_SOCK" show | grep -q client-to-client'
	fi
	matrix
	check "$m: reachability matrix ($(wc -l < "$T/matrix") of 84 pings failed)" \
		'[ ! -s "$T/matrix" ]' || cat "$T/matrix"
	iroute_checks "$m" "tx offload on"
	if [ "$m" = offload ]; then
		sleep 1	# a packet a second goes to OpenVPN, which learns the LAN host
		iroute_checks "$m" "again"
		a=$(c1_addrs)
		check "$m: client 1's VPN addresses kept after the LAN's traffic ($a)" \
			'[ "$a" = "$(vpn4 1) $(vpn6 1)" ]'
	fi
	throughput "$m" "tx offload on"
	tx_offload off
	n=$(pairs_ok)
	check "$m: tx offload off: client-to-client $n of 12 pairs" '[ "$n" = 12 ]'
	iroute_checks "$m" "tx offload off"
	throughput "$m" "tx offload off"
	tx_offload on
	forwarding 0
	n=$(pairs_ok)
	check "$m: forwarding off: client-to-client $n of 12 pairs (OpenVPN's)" '[ "$n" = 12 ]'
	n=$(ping_n "$(cns 3)" 10.78.0.2)
	check "$m: forwarding off: client 3 -> LAN $n/3" '[ "$n" = 3 ]'
	forwarding 1
	source_check "$m"
	rekey_upload "$m"
	# without client-to-client: the kernel forwards, or nothing does
	server_stop
	server_start "$m" 0
	check "$m: no client-to-client: clients back" clients_up || return
	[ "$m" = offload ] && all_offloaded
	n=$(pairs_ok)
	check "$m: no client-to-client, forwarding on: $n of 12 pairs" '[ "$n" = 12 ]'
	forwarding 0
	n=$(pairs_ok)
	check "$m: no client-to-client, forwarding off: $n of 12 pairs (none)" '[ "$n" = 0 ]'
	forwarding 1
	n=$(($(replay_lines) - r0))
	check "$m: the clients logged no replay complaint ($n)" '[ "$n" = 0 ]'
	if [ "$m" = offload ]; then
		"$B/ovpn-xdp" -s "$SRV_SOCK" show > "$T/show-offload.txt" 2>&1
		ovx_stop_all_wait >/dev/null
	else
		ovx_stop_all
	fi
}

ovx_need_binaries || exit 1
if ! topology || ! pki; then
	echo "cannot build the topology or the PKI" >&2
	echo "interop-server: 0 passed, 1 failed"
	exit 1
fi
for mode in $MODES; do
	run_mode "$mode"
done
echo "interop-server: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
