#!/usr/bin/env bash
# Keys under churn with real, unmodified OpenVPN 2.6: an offloaded server
# (plugin with dump=, daemon) and CHURN_CLIENTS (3) stock clients
# (client1.., tun-c1..)
# with reneg-sec 5, started together, so that their renegotiations overlap.
# 1. Identity: for 50 s, each client pinging through its own tunnel. Every
#    key the plugin captured is tagged with the remote whose handshake made
#    it: per remote, as many keys as OpenVPN's log shows TLS handshakes for
#    that client; every key offloaded (the daemon's log), no
#    key left over, no packet dropped as a bad tag or a replay, no ping lost.
#    Then the daemon's socket is moved away for 11 s, pinging all along: the
#    keys of those renegotiations never reach it (missed); the fast path
#    stops sending to a peer that sends with a key the daemon never got (it
#    went on with a key the client had dropped, losing every reply until
#    the next key): at most 10 of 80 pings lost. Then
#    seven renegotiations, every key-id again: each new key offloaded, no
#    ping lost, nothing dropped.
#    Then the clients download at once for 12 s (TCP, renegotiations),
#    client 1 also a UDP stream from a process on the other CPU, so that
#    its packets are sent from both CPUs at once: the server's packet-ids
#    of each peer and key arrive at the clients less than a stock client's
#    replay window (64) out of order (scripts/lib/pid_reorder.py on a
#    capture of their veth) and the stock clients log no "bad packet ID".
#    Sealed where each was sent, client 1's packets arrived up to 137
#    apart, thousands of them refused (the veth's per-CPU backlogs).
# 2. Learning under a bulk upload: client1 alone uploads (iperf3) for 20 s
#    (full-sized packets: OpenVPN sends no keepalive while busy, so hardly a
#    small packet to learn from); every key is offloaded at once (>= 95 % of the upload by
#    the fast path, and every packet left to OpenVPN is counted; each key
#    offloaded within 1 s of its first packet: fewer of its packets through
#    OpenVPN first than the upload sends in a second), and seven
#    renegotiations later, pinging, no ping is lost (a missed key's state
#    once poisoned its key-id). Every key its peer used was offloaded: none
#    logged as "could not be offloaded" (clients 2 and up leave with
#    explicit-exit-notify, each killed just after a renegotiation, so that
#    its exit notice reaches the server (checked) and a key it never used
#    is dropped with its peer; a key its peer skipped is dropped as
#    superseded).
# Env: CIPHER (AES-256-GCM), CHURN_CLIENTS (3; `make soak`: 6), OVX_NS (ovxch), KEEP=1.
# Prints "interop-churn: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-churn.XXXXXX)
OVX_NS=${OVX_NS:-ovxch}
CIPHER=${CIPHER:-AES-256-GCM}
NCLI=${CHURN_CLIENTS:-3}
CLIENTS=$(seq "$NCLI")
NCPU=$(nproc)
pass=0 fail=0
. scripts/lib/openvpn.sh
trap ovx_cleanup EXIT

DLOG=$T/daemon.log

peer_json() {	# python expression over p (a peer), summed over the peers
	"$B/ovpn-xdp" -s "$SRV_SOCK" show --json 2>/dev/null | python3 -c '
import json, sys
print(sum(int('"$1"') for p in json.load(sys.stdin).get("peers", [])))' 2>/dev/null || echo 0
}

drops_by_reason() {	# the peers' drops by reason that are not 0, summed
	"$B/ovpn-xdp" -s "$SRV_SOCK" show --json 2>/dev/null | python3 -c '
import collections, json, sys
n = collections.Counter()
for p in json.load(sys.stdin).get("peers", []):
    n.update(p.get("drops_by_reason", {}))
print(" ".join(f"{k} {v}" for k, v in sorted(n.items()) if v) or "none")' 2>/dev/null
}

ping_bg() {	# client number count: pings every 0.2 s through its tunnel, in the background
	ip netns exec "$CLI" ping -I "tun-c$1" -c "$2" -i 0.2 -W 2 10.8.0.1 > "$T/ping$1.out" 2>&1 &
	echo $! > "$T/ping$1.bgpid"
}

ping_lost() {	# client number: pings lost
	awk '/packets transmitted/ {print $1 - $4; f = 1} END {if (!f) print 999}' "$T/ping$1.out"
}

# Kills a client 0.3 s after its next TLS handshake (6 s at most), that is
# 4 s before the one after it; waits (2 s at most) for the server to log its
# exit notice.
kill_after_handshake() {	# client number
	local n0 n
	n0=$(grep -c 'Control Channel: ' "$T/cli$1.log")
	for _ in $(seq 60); do
		n=$(grep -c 'Control Channel: ' "$T/cli$1.log")
		[ "$n" -gt "$n0" ] && break
		sleep 0.1
	done
	sleep 0.3
	kill "$(cat "$T/cli$1.pid")"
	for _ in $(seq 20); do
		grep -q "client$1/.*exit message received" "$T/srv.log" && break
		sleep 0.1
	done
}

# Keys per remote in the plugin's dump ("key REMOTE HEX"), one "remote n" a line.
dump_keys() {
	awk '$1 == "key" {n[$2]++} END {for (r in n) print r, n[r]}' "$T/dump" | sort
}

# TLS handshakes OpenVPN completed per client, each making one key ("cn/ip:port
# Control Channel: TLSv1.3, ..."), in the same form.
log_keys() {
	grep -o '[0-9.]*:[0-9]* Control Channel: ' "$T/srv.log" |
		sed 's, .*,,' | sort | uniq -c | awk '{print $2, $1}' | sort
}

ovx_need_binaries || exit 1
PKI_CLIENTS=$NCLI scripts/lib/pki.sh "$T/pki" >/dev/null
ovx_topology || { echo "interop-churn: cannot build the topology"; exit 1; }
RENEG=0 ovx_server_conf "$CIPHER" | sed "s,link=veth-s,link=veth-s dump=$T/dump," > "$T/srv.conf"
ovx_daemon srv && ovx_openvpn srv "$T/srv.conf" srv || { echo "interop-churn: server did not start"; exit 1; }
sleep 1
for c in $CLIENTS; do
	OVX_CONF=$'reneg-sec 5\nexplicit-exit-notify 3' ovx_client_conf "$CIPHER" "" "$c" > "$T/cli$c.conf"
done
pids=""
for c in $CLIENTS; do ovx_openvpn cli "$T/cli$c.conf" "cli$c" & pids+=" $!"; done
wait $pids
up=0
for _ in $(seq 40); do
	up=0
	for c in $CLIENTS; do
		ip netns exec "$CLI" ping -I "tun-c$c" -c1 -W1 10.8.0.1 >/dev/null 2>&1 && up=$((up + 1))
	done
	[ "$up" -eq "$NCLI" ] && break
	sleep 0.5
done
check "$NCLI clients up ($up)" "[ $up -eq $NCLI ]" || exit 1
# The clients share a namespace, but are so many machines to the server:
# each one's packets leave through its own tun, whatever their socket. With
# the main table alone, a packet not bound to a tun (a TCP reset or an ICMP
# error for a socket gone, after the downloads) left through the tun whose
# route came first, with another client's source, and the server's fast path
# drops such a packet as spoofed, as OpenVPN does (the likely cause of 7 and
# 131 spoofed_source drops on client 1's peer in two CI runs, not seen here
# in two runs with the capture below). Each client's addresses get a table
# of their own; packets that left a tun with a source not its client's are
# captured, and must be none.
for c in $CLIENTS; do
	a4=$(ip netns exec "$CLI" ip -4 -o addr show dev "tun-c$c" | awk '{sub("/.*", "", $4); print $4}')
	a6=$(ip netns exec "$CLI" ip -6 -o addr show dev "tun-c$c" scope global | awk '{sub("/.*", "", $4); print $4}')
	ip netns exec "$CLI" ip route add 10.8.0.0/24 dev "tun-c$c" table "10$c"
	ip netns exec "$CLI" ip rule add from "$a4" table "10$c"
	if [ -n "$a6" ]; then
		ip netns exec "$CLI" ip -6 route add fd00:8::/64 dev "tun-c$c" table "10$c"
		ip netns exec "$CLI" ip -6 rule add from "$a6" table "10$c"
	fi
	ip netns exec "$CLI" tcpdump -i "tun-c$c" -Q out -n -l \
		"not src host $a4${a6:+ and not src host $a6} and not src net fe80::/10" \
		> "$T/foreign$c.txt" 2>/dev/null &
done

# 1. identity: 30 s of overlapping renegotiations
for c in $CLIENTS; do ping_bg "$c" 150; done
for c in $CLIENTS; do wait "$(cat "$T/ping$c.bgpid")"; done
for c in $CLIENTS; do
	lost=$(ping_lost "$c")
	check "client $c: no ping lost in 30 s of renegotiations ($lost)" "[ $lost -eq 0 ]"
done
dump_keys > "$T/dump.keys"; log_keys > "$T/log.keys"
echo "keys per remote, plugin vs OpenVPN's log:"; paste "$T/dump.keys" "$T/log.keys" | sed 's/^/  /'
check "each key tagged with its own client's remote" "cmp -s $T/dump.keys $T/log.keys"
untagged=$(awk '$1 == "key" && $2 == "-"' "$T/dump" | wc -l)
check "no key without a remote ($untagged)" "[ $untagged -eq 0 ]"

# keys the daemon never gets (its socket away for 11 s: two renegotiations
# per client, so that each client drops the last key the fast path has),
# pinging all along: the fast path must not go
# on sending with a key the clients have dropped (it once did until the next
# key, a whole reneg-sec): the daemon empties a peer's primary slot when the
# peer sends with a key it never got. Then seven renegotiations, each key-id
# again: the new keys are offloaded, no ping lost, nothing dropped.
for c in $CLIENTS; do ping_bg "$c" 80; done
sleep 1
mv "$SRV_SOCK" "$SRV_SOCK.away"
sleep 11
mv "$SRV_SOCK.away" "$SRV_SOCK"
for c in $CLIENTS; do wait "$(cat "$T/ping$c.bgpid")"; done
missed=$(grep -c 'cannot hand a data-channel key\|cannot connect' "$T/srv.log")
check "keys missed while the daemon could not be reached" "[ $missed -ge 1 ]"
withdrawn=$(grep -c "which ovpn-xdpd never got" "$DLOG")
echo "peers left to OpenVPN's sending after a missed key: $withdrawn"
for c in $CLIENTS; do
	lost=$(ping_lost "$c")
	echo "client $c: $lost of 80 pings lost across the missed keys"
	check "client $c: at most 10 of 80 pings lost across the missed keys ($lost)" "[ $lost -le 10 ]"
done
off0=$(grep -c "key [0-7] .* offloaded" "$DLOG")
for c in $CLIENTS; do ping_bg "$c" 180; done
for c in $CLIENTS; do wait "$(cat "$T/ping$c.bgpid")"; done
offl=$(( $(grep -c "key [0-7] .* offloaded" "$DLOG") - off0 ))
check "keys offloaded in the seven renegotiations after the miss ($offl)" "[ $offl -ge $((6 * NCLI)) ]"
for c in $CLIENTS; do
	lost=$(ping_lost "$c")
	check "client $c: no ping lost in the seven renegotiations after the miss ($lost)" \
		"[ $lost -eq 0 ]"
done
drops=$(peer_json 'p["drops"]')
check "no packet dropped (bad tag, replay) ($drops)" "[ $drops -eq 0 ]" || drops_by_reason

# 3. downloads across renegotiations, the clients at once (both CPUs
# busy): the packet-ids of the server's streams as the clients receive them
# (captured on their veth, incoming), and what the stock clients say of them
bad0=$(cat "$T"/cli?.log | grep -c 'bad packet ID')
ip netns exec "$CLI" tcpdump -i veth-c -Q in -n -s 96 -B 65536 -Z root \
	-w "$T/down.pcap" udp 2> "$T/down.caplog" &
cap=$!
for _ in $(seq 50); do grep -q listening "$T/down.caplog" && break; sleep 0.1; done
# Client 1's packets are sealed on both CPUs at once: its TCP download from
# a server process on CPU 0 (sealed in the checksum helper's NAPI thread),
# a UDP one from CPU 1 (sealed in the sending process's context).
for c in $CLIENTS; do
	ip netns exec "$SRV" taskset -c $(((c + 1) % NCPU)) \
		iperf3 -s -B 10.8.0.1 -1 -D -p "531$c" >/dev/null 2>&1
done
ip netns exec "$SRV" taskset -c $((1 % NCPU)) iperf3 -s -B 10.8.0.1 -1 -D -p 5320 >/dev/null 2>&1
sleep 0.3
dpids=""
for c in $CLIENTS; do
	timeout 40 ip netns exec "$CLI" iperf3 -c 10.8.0.1 -p "531$c" -t 12 -R \
		--bind-dev "tun-c$c" -J > "$T/down$c.json" 2>/dev/null &
	dpids+=" $!"
done
timeout 40 ip netns exec "$CLI" iperf3 -c 10.8.0.1 -p 5320 -t 12 -R -u -b 150M -l 1300 \
	--bind-dev tun-c1 -J > "$T/down-udp.json" 2>/dev/null &
dpids+=" $!"
wait $dpids
sleep 1
kill -INT "$cap"; wait "$cap" 2>/dev/null
bad=$(( $(cat "$T"/cli?.log | grep -c 'bad packet ID') - bad0 ))
python3 scripts/lib/pid_reorder.py "$T/down.pcap" 10.99.0.1 > "$T/down.reorder"
read -r _ _ reorder _ late < <(tail -1 "$T/down.reorder")
echo "downloads: the server's packet-ids at the clients reordered by at most $reorder" \
	"($late packets by 64 or more), $bad 'bad packet ID' in the clients' logs"
check "downloads across renegotiations: each peer's packet-ids reordered by less than a stock client's window, 64 ($reorder)" \
	"[ $reorder -lt 64 ] && [ $late -eq 0 ]"
check "downloads across renegotiations: no 'bad packet ID' at a stock client ($bad)" \
	"[ $bad -eq 0 ]"

# 2. a bulk upload with no small packet, then seven renegotiations.
# Clients 2 and up leave first, each just after one of its renegotiations: a
# stock OpenVPN loses its exit notice when its next renegotiation falls due
# before the notice is sent (SIGTERM puts 'EXIT' in the TLS session of the
# primary key; tls_process then starts the soft reset first, the key turns
# lame duck and its pending ciphertext is never sent): the server then keeps
# the client, and the key of that last renegotiation, never used, until
# ping-restart. The kill came in that second at times (with QDISC=noqueue
# in most runs), and the test counted the unused keys as not offloaded.
for c in $(seq 2 "$NCLI"); do kill_after_handshake "$c"; done
for c in $(seq 2 "$NCLI"); do
	n=$(grep -c "client$c/.*exit message received" "$T/srv.log")
	check "client $c's exit notice reached the server" "[ $n -ge 1 ]"
done
to0=$(peer_json 'p["rx_to_openvpn"]'); rx0=$(peer_json 'p["rx_vpn_pkts"]')
dl0=$(wc -l < "$DLOG")
ip netns exec "$SRV" iperf3 -s -B 10.8.0.1 -1 -D -p 5301 >/dev/null 2>&1
sleep 0.3
timeout 40 ip netns exec "$CLI" iperf3 -c 10.8.0.1 -p 5301 -t 20 --bind-dev tun-c1 \
	-J > "$T/iperf.json" 2>/dev/null
to1=$(peer_json 'p["rx_to_openvpn"]'); rx1=$(peer_json 'p["rx_vpn_pkts"]')
fast=$((rx1 - rx0)) slow=$((to1 - to0))
share=$(( fast * 1000 / (fast + slow + 1) ))
echo "upload: $fast packets by the fast path, $slow to OpenVPN (share ${share} per mille)"
check "upload: >= 95 % by the fast path through its renegotiations ($share per mille)" \
	"[ $share -ge 950 ]"
# each new key offloaded within a second of the peer's first packet with it:
# fewer packets went through OpenVPN first than the upload sends in a second
late=$(tail -n +"$((dl0 + 1))" "$DLOG" | grep -o 'after [0-9]* packets through' |
	awk '$2 > m {m = $2} END {print m + 0}')
keys=$(tail -n +"$((dl0 + 1))" "$DLOG" | grep -c 'packets through OpenVPN')
persec=$(( (fast + slow) / 20 ))
echo "upload: $keys keys offloaded, at most $late packets of a key through OpenVPN first ($persec a second)"
check "upload: each new key offloaded within 1 s of its first packet ($late < $persec)" \
	"[ $keys -ge 3 ] && [ $late -lt $persec ]"
ping_bg 1 200
wait "$(cat "$T/ping1.bgpid")"
lost=$(ping_lost 1)
check "seven renegotiations after the upload: no ping lost ($lost)" "[ $lost -eq 0 ]"
notoff=$(grep -c "could not be offloaded" "$DLOG")
superseded=$(grep -c "superseded before the peer sent with it" "$DLOG")
echo "keys superseded before their peer sent with them (never used, dropped): $superseded"
check "every key its peer used offloaded ($notoff not)" "[ $notoff -eq 0 ]"
drops=$(peer_json 'p["drops"]')
check "no packet dropped ($drops)" "[ $drops -eq 0 ]" || drops_by_reason
foreign=$(cat "$T"/foreign?.txt | grep -c .)
check "no packet left a client's tun with another's source ($foreign)" "[ $foreign -eq 0 ]" ||
	head -5 "$T"/foreign?.txt

if [ "$fail" -gt 0 ] || [ -n "${KEEP:-}" ]; then
	KEEP=1
	echo "logs kept in $T"
fi
echo "interop-churn: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
