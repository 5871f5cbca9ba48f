#!/usr/bin/env bash
# A new machine has no bpffs on /sys/fs/bpf: the daemon mounts one, pins its
# state there, and --detach removes it; where it cannot mount (no
# CAP_SYS_ADMIN, as in an unprivileged container) it exits with one line that
# says what to do. Runs in a private mount namespace with /sys/fs/bpf
# unmounted, whatever the host has. Prints "bpffs: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
if [ -z "${OVX_BPFFS_INNER:-}" ]; then
	OVX_BPFFS_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi
T=$(mktemp -d /tmp/ovpn-xdp-bpffs.XXXXXX)
NAME=ovxbpffs
. tests/lib/testlib.sh
pass=0 fail=0
check() {
	if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
cleanup() {
	[ -f "$T/pid" ] && kill -9 "$(cat "$T/pid")" 2>/dev/null
	"$B/ovpn-xdpd" -n $NAME -d >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
fstype() { stat -f -c %T /sys/fs/bpf 2>/dev/null; }

while umount -l /sys/fs/bpf 2>/dev/null; do :; done
check "bpffs unmounted to start with" "[ \"\$(fstype)\" != bpf_fs ]"

# --detach with nothing mounted: nothing to do, and it mounts nothing.
if ovx_case detach-unmounted; then
	"$B/ovpn-xdpd" -n $NAME -d > "$T/log0" 2>&1
	check "--detach without bpffs exits 0" "[ $? -eq 0 ]"
	check "--detach without bpffs says so" "grep -q 'no bpffs mounted' '$T/log0'"
	check "--detach mounts nothing" "[ \"\$(fstype)\" != bpf_fs ]"
fi

# Without CAP_SYS_ADMIN the mount is impossible: one line, what to do.
if ovx_case no-cap; then
	setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin \
		"$B/ovpn-xdpd" -n $NAME -s "$T/nocap.sock" > "$T/log1" 2>&1
	rc=$?
	check "without CAP_SYS_ADMIN the daemon exits 1" "[ $rc -eq 1 ]"
	check "... with one line" "[ \$(wc -l < '$T/log1') -eq 1 ]"
	check "... that says how to mount it" "grep -q 'cannot mount bpffs on /sys/fs/bpf: .*mount -t bpf bpf /sys/fs/bpf' '$T/log1'"
	sed 's/^/  /' "$T/log1"
fi

# As root: mounts, pins, serves, and --detach cleans up.
if ovx_case mount; then
	"$B/ovpn-xdpd" -n $NAME -s "$T/ctl.sock" > "$T/log2" 2>&1 &
	echo $! > "$T/pid"
	for _ in $(seq 300); do
		[ -S "$T/ctl.sock" ] && break
		kill -0 "$(cat "$T/pid")" 2>/dev/null || break
		sleep 0.1
	done
	check "the daemon comes up" "[ -S '$T/ctl.sock' ]"
	check "it mounted bpffs on /sys/fs/bpf" "[ \"\$(fstype)\" = bpf_fs ]"
	check "it says so" "grep -q 'mounted bpffs on /sys/fs/bpf' '$T/log2'"
	check "its state is pinned" "[ -e /sys/fs/bpf/ovpn-xdp/$NAME/ovx_peers ]"
	check "the CLI talks to it" "'$B/ovpn-xdp' -s '$T/ctl.sock' show --json >/dev/null"
	"$B/ovpn-xdp" -s "$T/ctl.sock" detach > /dev/null 2>&1
	check "ovpn-xdp detach stops it" "timeout 10 tail --pid=$(cat "$T/pid") -f /dev/null"
	rm -f "$T/pid"
	check "no pins left" "[ ! -e /sys/fs/bpf/ovpn-xdp/$NAME ]"
	check "no control socket left" "[ ! -e '$T/ctl.sock' ]"
fi

# A second start on the mount the first one made: no second mount.
if ovx_case second-start; then
	# alone: the mount the case before made
	[ "$(fstype)" = bpf_fs ] || mount -t bpf bpf /sys/fs/bpf
	"$B/ovpn-xdpd" -n $NAME -s "$T/ctl.sock" > "$T/log3" 2>&1 &
	echo $! > "$T/pid"
	for _ in $(seq 300); do [ -S "$T/ctl.sock" ] && break; sleep 0.1; done
	check "a second daemon comes up on the same bpffs" "[ -S '$T/ctl.sock' ]"
	check "... without mounting again" "! grep -q 'mounted bpffs' '$T/log3'"
	check "... one bpffs on /sys/fs/bpf" "[ \$(grep -c ' /sys/fs/bpf bpf ' /proc/self/mounts) -eq 1 ]"
	kill "$(cat "$T/pid")"; timeout 10 tail --pid="$(cat "$T/pid")" -f /dev/null; rm -f "$T/pid"
	"$B/ovpn-xdpd" -n $NAME -d > /dev/null 2>&1
	check "--detach after a stop removes the pins" "[ ! -e /sys/fs/bpf/ovpn-xdp/$NAME ]"
fi

ovx_done bpffs
