#!/usr/bin/env bash
# What scripts and monitoring read: `show --json` parsed by a real JSON parser
# (hostile instance names included: they come from OpenVPN's config), drops
# by reason and the global counters in `show` and `show --json`, and
# `metrics` in Prometheus text format (label values escaped, peers summed per
# instance above --max-peers). Prints "cli_output: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
NS=ovxco
. tests/lib/testlib.sh
T=$(mktemp -d /tmp/ovpn-xdp-cli.XXXXXX)
pass=0 fail=0
check() {
	if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
cleanup() {
	[ -f "$T/pid" ] && kill "$(cat "$T/pid")" 2>/dev/null
	nsenter --net=/run/netns/$NS "$B/ovpn-xdpd" -n $NS -d >/dev/null 2>&1
	for ns in $NS $NS-c; do
		ip netns pids $ns 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del $ns 2>/dev/null
	done
	rm -rf "$T"
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT
cli() { "$B/ovpn-xdp" -s "$T/ctl.sock" "$@"; }

for ns in $NS $NS-c; do
	ip netns pids $ns 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del $ns 2>/dev/null
done
ip netns add $NS && ip netns add $NS-c &&
	ip link add co-s netns $NS type veth peer name co-c netns $NS-c &&
	ip -n $NS addr add 10.96.0.1/24 dev co-s && ip -n $NS-c addr add 10.96.0.2/24 dev co-c &&
	ip -n $NS link set co-s up && ip -n $NS-c link set co-c up && ip -n $NS link set lo up &&
	ip -n $NS tuntap add mode tun name co-t1 && ip -n $NS tuntap add mode tun name co-t2 ||
	{ echo "cli_output: 0 passed, 1 failed"; exit 1; }
nsenter --net=/run/netns/$NS "$B/ovpn-xdpd" -n $NS -s "$T/ctl.sock" > "$T/log" 2>&1 &
echo $! > "$T/pid"
for _ in $(seq 300); do [ -S "$T/ctl.sock" ] && break; sleep 0.1; done

# Names as a config may give them: quotes, backslashes, a tab, non-ASCII.
HOSTILE1='we"ird\name'
HOSTILE2=$(printf 'tab\there-ünï')
cli attach "$HOSTILE1" tun co-t1 link co-s addr 10.96.0.1:1194 > /dev/null
check "instance with a quote and a backslash" "[ \$? -eq 0 ]"
cli attach "$HOSTILE2" tun co-t2 link co-s addr 10.96.0.1:1195 no-attach > /dev/null
check "instance with a tab and UTF-8" "[ \$? -eq 0 ]"
K=$(printf '%064x' 7) IV=$(printf '%016x' 9)
cli peer new 1 3 remote 10.96.0.2:40000 vpn4 10.8.0.3 > /dev/null
cli peer new 1 4 remote 10.96.0.2:40001 vpn4 10.8.0.4 > /dev/null
cli key new 1 3 slot primary key-id 0 cipher AES-256-GCM enc-key "$K" enc-iv "$IV" \
	dec-key "$K" dec-iv "$IV" > /dev/null
check "peers and key installed" "[ \$? -eq 0 ]"

# Two P_DATA_V2 packets of peer 3, key 0, whose tags are wrong: bad_tag drops.
ip netns exec $NS-c python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.96.0.2", 40000))
for pid in (1, 2):
    s.sendto(bytes([9 << 3, 0, 0, 3]) + pid.to_bytes(4, "big") + bytes(16) + bytes(40),
             ("10.96.0.1", 1194))
PY
sleep 0.5

if ovx_case json; then
	cli show --json > "$T/show.json"
	check "show --json exits 0" "[ \$? -eq 0 ]"
	python3 - "$T/show.json" "$HOSTILE1" "$HOSTILE2" > "$T/py.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = [i["name"] for i in d["instances"]]
assert sys.argv[2] in names and sys.argv[3] in names, names
p3 = [p for p in d["peers"] if p["peer_id"] == 3][0]
assert p3["drops_by_reason"]["bad_tag"] == 2, p3["drops_by_reason"]
assert p3["drops"] == 2, p3["drops"]
assert set(p3["drops_by_reason"]) >= {"bad_tag", "replay", "malformed", "no_key"}
assert d["global"]["rx_seen"] >= 2, d["global"]
for k in ("rx_link_pkts", "rx_vpn_pkts", "tx_vpn_pkts", "rx_to_openvpn", "keys", "last_rx_ms"):
    assert k in p3, k
print("ok")
PY
	check "show --json parses, names round-trip, drops by reason, global counters" \
		"grep -qx ok '$T/py.out' || { cat '$T/py.out'; false; }"
	cli show > "$T/show.txt"
	check "show: drops by reason" "grep -q '  drops: 2 bad_tag' '$T/show.txt'"
	check "show: global counters" "grep -q '^fast path: [0-9]* rx_seen' '$T/show.txt'"
	# What a packet costs per cipher, measured at the daemon's start (calib.c).
	check "daemon log: AEAD costs per cipher" \
		"grep -Eq 'AEAD, us per 1408-byte packet in the fast path/OpenSSL: AES-128-GCM [0-9.]+/[0-9.]+, AES-256-GCM [0-9.]+/[0-9.]+, CHACHA20-POLY1305 [0-9.]+/[0-9.]+$' '$T/log'"
	check "show: AEAD costs per cipher" \
		"grep -Eq '^AEAD, us per 1408-byte packet, fast path/OpenSSL: AES-128-GCM [0-9.]+/[0-9.]+, AES-256-GCM [0-9.]+/[0-9.]+, CHACHA20-POLY1305 [0-9.]+/[0-9.]+$' '$T/show.txt'"
	python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["aead_costs"]
assert [x["cipher"] for x in c] == ["AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305"], c
assert all(x["fastpath_ns"] > 0 and x["openssl_ns"] > 0 for x in c), c
' "$T/show.json"
	check "show --json: aead_costs, three ciphers, both figures" "[ \$? -eq 0 ]"
	cli show --json "$HOSTILE1" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["instances"]) == 1' 2>/dev/null
	check "show --json NAME with a hostile name" "[ \$? -eq 0 ]"
fi

# Prometheus text: every sample line parses, label values unescape to the names.
if ovx_case metrics; then
	cli metrics > "$T/m1.txt"
	cli metrics --max-peers 1 > "$T/m2.txt"
	python3 - "$T/m1.txt" "$T/m2.txt" "$HOSTILE1" "$HOSTILE2" > "$T/py2.out" 2>&1 <<'PY'
import re, sys
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([0-9.eE+-]+)$')
label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')
def parse(path):
    out, types = [], {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("# TYPE "):
            _, _, name, t = line.split(" ", 3); types[name] = t; continue
        if line.startswith("#"):
            continue
        m = sample.match(line); assert m, line
        labels, rest = {}, m.group(3) or ""
        while rest:
            l = label.match(rest); assert l, (line, rest)
            labels[l.group(1)] = re.sub(r'\\(.)', lambda x: {"n": "\n"}.get(x.group(1), x.group(1)), l.group(2))
            rest = rest[l.end():]
        assert m.group(1) in types, ("no TYPE before", m.group(1))
        out.append((m.group(1), labels, float(m.group(4))))
    return out
m1, m2 = parse(sys.argv[1]), parse(sys.argv[2])
insts = {l["instance"] for n, l, v in m1 if n == "ovpn_xdp_peers"}
assert {sys.argv[3], sys.argv[4]} <= insts, insts
bad = [v for n, l, v in m1 if n == "ovpn_xdp_drops_total" and l.get("peer") == "3" and l["reason"] == "bad_tag"]
assert bad == [2.0], bad
assert any(n == "ovpn_xdp_fastpath_packets_total" and l["counter"] == "rx_seen" and v >= 2 for n, l, v in m1)
peers2 = {l["peer"] for n, l, v in m2 if n == "ovpn_xdp_rx_vpn_packets_total"}
assert peers2 == {"all"}, peers2
bad2 = [v for n, l, v in m2 if n == "ovpn_xdp_drops_total" and l["reason"] == "bad_tag"]
assert bad2 == [2.0], bad2
print("ok")
PY
	check "metrics parse, names escaped, drops, global counters, --max-peers sums" \
		"grep -qx ok '$T/py2.out' || { cat '$T/py2.out'; false; }"
fi

# As a socket-activated unit runs it: the HTTP request on stdin, the answer out.
if ovx_case http; then
	printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' | cli metrics --http > "$T/m3.txt"
	check "metrics --http: a 200 response with the text format's content type" \
		"head -1 '$T/m3.txt' | grep -q '^HTTP/1.0 200 OK' &&
		 grep -q '^Content-Type: text/plain; version=0.0.4' '$T/m3.txt' &&
		 grep -q '^ovpn_xdp_drops_total' '$T/m3.txt'"
fi

ovx_done cli_output
