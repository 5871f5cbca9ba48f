#!/usr/bin/env bash
# Several clients and restarts with real, unmodified OpenVPN 2.6: an
# offloaded server (plugin + daemon) and three stock clients (client1..3,
# tun-c1..3, all in the client namespace):
# - all three at once, each its own peer-id, each offloaded (its own
#   counters grow), two iperf3 streams at once;
# - a client disconnects (explicit-exit-notify): its peer goes; it
#   reconnects: a new session (key-id 0 again), offloaded again;
# - OpenVPN (the server) restarts: its peers are removed, the clients
#   reconnect and are offloaded again;
# - the daemon is killed (-9) under traffic: traffic goes on; a new daemon
#   takes the state over, the plugin registers again (the instance is owned
#   again: a later SIGKILL of OpenVPN removes its peers) and new keys are
#   offloaded;
# - a capture of the whole run repeats no packet-id (scripts/lib/pid_check.py);
# - the daemon killed (-9), then OpenVPN, and the namespaces made again (a
#   container restarted, say): the devices come back under the same names
#   and indexes, without the programs. The instance left in the pins was
#   another OpenVPN's: the daemon makes it anew when OpenVPN registers,
#   started before OpenVPN (its tun gone) or after (a tun there, the
#   programs not on it), and the clients are offloaded again.
# Env: CIPHER (AES-256-GCM), OVX_NS (ovxmc), KEEP=1, DEBUG=1.
# Prints "interop-peers: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-peers.XXXXXX)
OVX_NS=${OVX_NS:-ovxmc}
CIPHER=${CIPHER:-AES-256-GCM}
CLIENTS="1 2 3"
pass=0 fail=0
. scripts/lib/openvpn.sh
trap ovx_cleanup EXIT

# One line per peer of the server: "peer-id vpn-ipv4 rx tx key-ids".
peers() {
	"$B/ovpn-xdp" -s "$SRV_SOCK" show --json 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin).get("peers", []):
    keys = ",".join(str(k["key_id"]) for k in p.get("keys", [])) or "-"
    print(p["peer_id"], p["vpn_ipv4"] or "-", p["rx_vpn_pkts"], p["tx_vpn_pkts"], keys)' 2>/dev/null
}

npeers() { peers | wc -l; }

vpn_ip() {	# client number: its tunnel address
	ip -n "$CLI" -4 -o addr show dev "tun-c$1" 2>/dev/null | awk '{print $4}' | cut -d/ -f1
}

peer_of() {	# client number: the peer line of the client's address
	local ip
	ip=$(vpn_ip "$1")
	[ -n "$ip" ] && peers | awk -v ip="$ip" '$2 == ip'
}

ping_c() {	# client number [count]: through the client's own tunnel
	ip netns exec "$CLI" ping -I "tun-c$1" -c "${2:-10}" -i 0.05 -W 1 10.8.0.1 >/dev/null 2>&1
}

wait_for() {	# seconds command...: until the command succeeds
	local n=$(($1 * 5))
	shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.2; done
	return 1
}

client_start() {	# number
	ovx_client_conf "$CIPHER" "" "$1" > "$T/cli$1.conf"
	echo "explicit-exit-notify 1" >> "$T/cli$1.conf"
	ovx_openvpn cli "$T/cli$1.conf" "cli$1"
}

client_stop() {	# number: SIGTERM, the server is told (explicit-exit-notify)
	local pid
	pid=$(cat "$T/cli$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	wait_for 5 eval "! kill -0 $pid 2>/dev/null"
	rm -f "$T/cli$1.pid"
}

server_start() {
	ovx_server_conf "$CIPHER" > "$T/srv.conf"
	echo "explicit-exit-notify 1" >> "$T/srv.conf"	# clients reconnect at once
	ovx_openvpn srv "$T/srv.conf" srv
}

# Offloaded: the client's peer has a key and its RX counter grows with a ping.
offloaded() {	# client number
	local before after
	before=$(peer_of "$1" | awk '{print $3}')
	[ -n "$before" ] || return 1
	ping_c "$1" 10 || return 1
	after=$(peer_of "$1" | awk '{print $3}')
	[ "${after:-0}" -ge $((before + 5)) ]	# one a second goes to OpenVPN
}

all_up() {
	local c
	for c in $CLIENTS; do ping_c "$c" 1 || return 1; done
}

all_offloaded() {
	local c
	for c in $CLIENTS; do offloaded "$c" || return 1; done
}

iperf_c() {	# client number port seconds: Mbit/s, JSON in $T/iperf-N.json
	ip netns exec "$SRV" iperf3 -s -B 10.8.0.1 -1 -D -p "$2" >/dev/null 2>&1
	sleep 0.3
	timeout $(($3 + 15)) ip netns exec "$CLI" iperf3 -c 10.8.0.1 -p "$2" -t "$3" -i 1 \
		--bind-dev "tun-c$1" -J > "$T/iperf-$1.json" 2>/dev/null
	python3 -c 'import json, sys
try:
    print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
    print(0)' "$T/iperf-$1.json"
}

# Seconds of an iperf3 run without throughput.
idle_seconds() {	# json
	python3 -c 'import json, sys
try:
    ivs = json.load(open(sys.argv[1]))["intervals"]
    print(sum(1 for i in ivs if i["sum"]["bytes"] == 0) if ivs else 99)
except Exception:
    print(99)' "$1"
}

step_clients() {
	local c ids a b pid
	for c in $CLIENTS; do client_start "$c"; done
	check "three clients up" "wait_for 30 all_up"
	sleep 2	# the keys complete from the wire
	[ -n "${DEBUG:-}" ] && peers
	ids=$(peers | awk '{print $1}' | sort -u | wc -l)
	echo "three clients: $(npeers) peers, $ids peer-ids: $(peers | awk '{printf "%s(%s) ", $1, $2}')"
	check "three clients: three peers" "[ $(npeers) -eq 3 ]"
	check "three clients: each its own peer-id" "[ $ids -eq 3 ]"
	check "three clients: each offloaded" all_offloaded
	iperf_c 1 5201 2 > "$T/bw1" &
	pid=$!
	iperf_c 2 5202 2 > "$T/bw2"
	wait "$pid"
	a=$(cat "$T/bw1") b=$(cat "$T/bw2")
	echo "two iperf3 streams at once: $a and $b Mbit/s; peers: $(peers | awk '{printf "%s rx %s tx %s; ", $1, $3, $4}')"
	check "two clients' iperf3 at once" "[ $a -gt 0 ] && [ $b -gt 0 ]"
	check "both carried by the fast path" \
		"[ $(peer_of 1 | awk '{print $3}') -gt 1000 ] && [ $(peer_of 2 | awk '{print $3}') -gt 1000 ]"
}

step_reconnect() {
	local old
	old=$(peer_of 2 | awk '{print $1}')
	client_stop 2
	check "client 2 disconnected: its peer removed" "wait_for 10 eval '[ \$(npeers) -eq 2 ]'"
	check "other clients unaffected" "ping_c 1 && ping_c 3"
	client_start 2
	check "client 2 reconnected" "wait_for 30 ping_c 2 1"
	sleep 2
	echo "client 2 reconnected: peer $(peer_of 2) (was peer $old)"
	check "client 2: new session, key-id 0" "[ \"\$(peer_of 2 | awk '{print \$5}')\" = 0 ]"
	check "client 2: offloaded again" "offloaded 2"
	check "three peers again" "[ $(npeers) -eq 3 ]"
}

step_server_restart() {
	local pid
	pid=$(cat "$T/srv.pid")
	kill "$pid"
	wait_for 10 eval "! kill -0 $pid 2>/dev/null"
	check "server stopped: its peers removed" "wait_for 5 eval '[ \$(npeers) -eq 0 ]'"
	server_start
	check "server restarted: clients back" "wait_for 40 all_up"
	sleep 2
	echo "server restarted: $(npeers) peers: $(peers | awk '{printf "%s(%s) keys %s; ", $1, $2, $5}')"
	check "server restarted: three peers" "[ $(npeers) -eq 3 ]"
	check "server restarted: each offloaded again" all_offloaded
}

step_daemon_restart() {
	local before lost bw idle pid pids
	before=$(npeers)
	iperf_c 1 5203 8 > "$T/bw1" &
	pids=$!
	ip netns exec "$CLI" ping -I tun-c3 -c 60 -i 0.1 -W 1 10.8.0.1 > "$T/ping3" 2>&1 &
	pids="$pids $!"
	sleep 2
	pid=$(cat "$T/daemon.pid")
	kill -9 "$pid"
	wait "$pid" 2>/dev/null	# reaped quietly
	sleep 2
	ovx_daemon srv
	wait $pids
	bw=$(cat "$T/bw1") idle=$(idle_seconds "$T/iperf-1.json")
	lost=$(grep -o '[0-9]* received' "$T/ping3" | awk '{print 60 - $1}')
	echo "daemon killed under traffic: iperf3 $bw Mbit/s, $idle s without throughput, ${lost:-?} of 60 pings lost; $(npeers) of $before peers taken over"
	check "daemon killed: traffic went on" "[ $bw -gt 0 ] && [ $idle -eq 0 ]"
	check "daemon killed: no ping lost" "[ \"${lost:-60}\" -eq 0 ]"
	check "new daemon: peers taken over" "[ $(npeers) -eq $before ]"
	client_stop 3
	client_start 3
	check "new daemon: a new key offloaded" "wait_for 30 ping_c 3 1 && sleep 2 && offloaded 3"
	check "new daemon: the plugin registered again" \
		"grep -q 'owner (OpenVPN) registered again' \"$T/daemon.log\""
	pid=$(cat "$T/srv.pid")
	kill -9 "$pid"
	check "new daemon: a killed OpenVPN leaves no peer" "wait_for 5 eval '[ \$(npeers) -eq 0 ]'"
}

instances_made() { grep -c "': tun tun-s, link" "$T/daemon.log"; }

step_made_again() {	# daemon-first|openvpn-first
	local c pid n anew
	anew=$(grep -c 'made anew' "$T/daemon.log")
	if ! kill -0 "$(cat "$T/srv.pid" 2>/dev/null)" 2>/dev/null; then
		# the plugin registers at OpenVPN's first event with its socket
		n=$(instances_made)
		server_start
		for c in $CLIENTS; do client_stop "$c"; client_start "$c"; done
		check "$1: OpenVPN up and registered" \
			"wait_for 30 eval '[ \$(instances_made) -gt $n ]'"
	fi
	pid=$(cat "$T/daemon.pid")
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	pid=$(cat "$T/srv.pid")
	kill -9 "$pid"
	wait_for 10 eval "! kill -0 $pid 2>/dev/null"
	for c in $CLIENTS; do client_stop "$c"; done
	ovx_topology || { check "$1: namespaces made again" false; return; }
	if [ "$1" = daemon-first ]; then
		ovx_daemon srv && server_start
	else
		server_start && sleep 1 && ovx_daemon srv
	fi
	for c in $CLIENTS; do client_start "$c"; done
	check "$1: clients back" "wait_for 40 all_up"
	sleep 2
	check "$1: the daemon made the instance anew" \
		"[ \$(grep -c 'made anew' \"$T/daemon.log\") -eq $((anew + 1)) ]"
	check "$1: each client offloaded again" all_offloaded
}

ovx_need_binaries || { echo "interop-peers: 0 passed, 1 failed"; exit 1; }
scripts/lib/pki.sh "$T/pki" >/dev/null
ovx_topology || { echo "interop-peers: 0 passed, 1 failed"; exit 1; }
ovx_capture_start peers
ovx_daemon srv && server_start
step_clients
step_reconnect
step_server_restart
step_daemon_restart
drops=$(ovx_capture_stop peers)
ovx_capture_check peers
echo "capture: $(tail -1 "$T/peers.pids"), $drops dropped by tcpdump"
[ -n "${DEBUG:-}" ] && cat "$T/peers.pids"
check "capture: no packet-id repeated" "[ \"\$(ovx_repeats peers)\" = 0 ]"
step_made_again daemon-first
step_made_again openvpn-first
grep 'made anew' "$T/daemon.log"
echo "interop-peers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
