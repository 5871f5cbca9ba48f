#!/usr/bin/env bash
# State pinned by another build (after an upgrade the pinned maps are missing
# or no longer match) is replaced by a new daemon with one log line, and
# `ovpn-xdpd --detach` cleans it up:
# the programs come off the devices the instances map names, and every pin
# goes. Prints "detach_stale: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
NS=ovxds
NAME=ovxds
DIR=/sys/fs/bpf/ovpn-xdp/$NAME
T=$(mktemp -d /tmp/ovpn-xdp-detach.XXXXXX)
pass=0 fail=0

check() {
	if eval "$2"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1"
	fi
}

in_ns() { nsenter --net=/run/netns/$NS "$@"; }

cleanup() {
	[ -f "$T/pid" ] && kill "$(cat "$T/pid")" 2>/dev/null
	in_ns "$B/ovpn-xdpd" -n $NAME -d >/dev/null 2>&1
	rm -rf "$DIR"
	ip netns del $NS 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ip netns pids $NS 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del $NS 2>/dev/null
ip netns add $NS && ip -n $NS link add veth-d type veth peer name veth-e &&
	ip -n $NS link set veth-d up && ip -n $NS link set veth-e up &&
	ip -n $NS tuntap add mode tun name tun-d && ip -n $NS link set tun-d up ||
	{ echo "detach_stale: 0 passed, 1 failed"; exit 1; }

# nsenter directly, not through in_ns: $! must be the daemon, not a subshell
nsenter --net=/run/netns/$NS "$B/ovpn-xdpd" -n $NAME -s "$T/ctl.sock" > "$T/log" 2>&1 &
echo $! > "$T/pid"
for _ in $(seq 100); do [ -S "$T/ctl.sock" ] && break; sleep 0.1; done
"$B/ovpn-xdp" -s "$T/ctl.sock" attach stale tun tun-d link veth-d addr 10.77.0.1:1194 >/dev/null
check "attached" "ip -n $NS link show veth-d | grep -q xdp"
check "the daemon says the veth has no NAPI thread" "grep -q 'veth-d: a veth without a NAPI thread' '$T/log'"
check "the daemon says the veth has TSO on" "grep -q 'veth-d: a veth with TSO on' '$T/log'"
kill "$(cat "$T/pid")"
check "the daemon stopped" "timeout 5 tail --pid=$(cat "$T/pid") -f /dev/null"
rm -f "$T/pid"

# An older build's state, without the helper's XDP program: taken over all
# the same (its instances keep their offload; a new helper gets no NAPI thread).
rm -f "$DIR/ovx_helper_xdp"
nsenter --net=/run/netns/$NS "$B/ovpn-xdpd" -n $NAME -s "$T/ctl1.sock" > "$T/log1" 2>&1 &
echo $! > "$T/pid"
for _ in $(seq 100); do [ -S "$T/ctl1.sock" ] && break; sleep 0.1; done
check "state without ovx_helper_xdp taken over" \
	"\"$B/ovpn-xdp\" -s '$T/ctl1.sock' show | grep -q \"instance 1 'stale'\""
kill "$(cat "$T/pid")"
check "the daemon stopped" "timeout 5 tail --pid=$(cat "$T/pid") -f /dev/null"
rm -f "$T/pid"

# An older build's state, without the epoch maps and their control program
# (before issue 19): replaced with one log line, its programs taken off the
# devices; the new daemon works (attach again, for what follows).
rm -f "$DIR/ovx_epoch_slots" "$DIR/ovx_epoch_states" "$DIR/ovx_epoch_set_aes"
nsenter --net=/run/netns/$NS "$B/ovpn-xdpd" -n $NAME -s "$T/ctl4.sock" > "$T/log4" 2>&1 &
echo $! > "$T/pid"
for _ in $(seq 100); do [ -S "$T/ctl4.sock" ] && break; sleep 0.1; done
sed 's/^/  /' "$T/log4" | grep -i 'another\|pinned'
check "state without the epoch maps replaced, one line" \
	"[ \"\$(grep -c \"was another build's (no ovx_epoch_\" '$T/log4')\" = 1 ]"
check "the new daemon runs" "kill -0 $(cat "$T/pid") && [ -e '$DIR/ovx_epoch_slots' ]"
check "the old programs came off the link" "! ip -n $NS link show veth-d | grep -q xdp"
"$B/ovpn-xdp" -s "$T/ctl4.sock" attach stale tun tun-d link veth-d addr 10.77.0.1:1194 >/dev/null
check "attached again" "ip -n $NS link show veth-d | grep -q xdp"
kill "$(cat "$T/pid")"
check "the daemon stopped" "timeout 5 tail --pid=$(cat "$T/pid") -f /dev/null"
rm -f "$T/pid"

# Another build's state: one map pinned with another layout (a struct that
# grew): replaced as an older build's is, with one log line naming the map.
rm -f "$DIR/ovx_peer_stats"
bpftool map create "$DIR/ovx_peer_stats" type hash key 4 value 4 entries 1 name ovx_peer_stats
nsenter --net=/run/netns/$NS "$B/ovpn-xdpd" -n $NAME -s "$T/ctl2.sock" > "$T/log2" 2>&1 &
echo $! > "$T/pid"
for _ in $(seq 100); do [ -S "$T/ctl2.sock" ] && break; sleep 0.1; done
sed 's/^/  /' "$T/log2" | grep -i 'another\|pinned'
check "state with another layout replaced, one line naming the map" \
	"[ \"\$(grep -c \"was another build's (ovx_peer_stats of 4-byte values\" '$T/log2')\" = 1 ]"
check "the new daemon runs" "kill -0 $(cat "$T/pid")"
"$B/ovpn-xdp" -s "$T/ctl2.sock" attach stale tun tun-d link veth-d addr 10.77.0.1:1194 >/dev/null
check "attached again" "ip -n $NS link show veth-d | grep -q xdp"
kill "$(cat "$T/pid")" 2>/dev/null
check "the daemon stopped" "timeout 5 tail --pid=$(cat "$T/pid") -f /dev/null"
rm -f "$T/pid"

in_ns "$B/ovpn-xdpd" -n $NAME -d > "$T/log3" 2>&1
rc=$?
sed 's/^/  /' "$T/log3"
check "--detach succeeds" "[ $rc -eq 0 ]"
check "no pins left" "[ ! -e '$DIR' ]"
check "XDP off the link" "! ip -n $NS link show veth-d | grep -q xdp"
check "TC off the tun" "! ip netns exec $NS tc filter show dev tun-d egress | grep -q ovpn"
echo "detach_stale: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
