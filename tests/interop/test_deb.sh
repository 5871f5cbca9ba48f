#!/usr/bin/env bash
# Installed like real software: builds the Debian package from this checkout
# (dpkg-buildpackage, lintian), installs it, offloads a stock OpenVPN 2.6 with
# the installed daemon and the plugin by its short name (`plugin
# ovpn-xdp-plugin.so link=veth-s`), checks `ovpn-xdp show`, then purges and
# checks that no file, pin or control socket is left. Prints "deb: N passed, N
# failed" (one skipped line where dpkg-buildpackage is missing).
set -u
cd "$(dirname "$0")/../.." || exit 1
SRC=$PWD
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-deb.XXXXXX)
OVX_NS=ovxdeb
pass=0 fail=0
. scripts/lib/openvpn.sh
SRV_SOCK=/run/ovpn-xdp/ctl.sock		# the installed defaults
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	echo "deb: dpkg-buildpackage or debhelper missing (scripts/install-deps.sh installs them): skipped"
	echo "deb: 0 passed, 0 failed"
	exit 0
fi
if dpkg-query -W -f='${Status}' ovpn-xdp 2>/dev/null | grep -q "ok installed"; then
	echo "deb: ovpn-xdp is installed on this machine already; purge it first (dpkg -P ovpn-xdp)"
	echo "deb: 0 passed, 1 failed"
	exit 1
fi
cleanup() {
	ovx_cleanup
	dpkg -P ovpn-xdp >/dev/null 2>&1
}
KEEP=1
trap 'cleanup; rm -rf "$T"' EXIT

# Build from a copy of the tracked files: the .debs land beside it, in $T.
mkdir -p "$T/src"
git ls-files -z | xargs -0 cp --parents -t "$T/src"
(cd "$T/src" && dpkg-buildpackage -us -uc -b) > "$T/build.log" 2>&1
check "dpkg-buildpackage builds the package" "ls '$T'/ovpn-xdp_*_amd64.deb >/dev/null 2>&1" ||
	tail -20 "$T/build.log"
DEB=$(ls "$T"/ovpn-xdp_*_amd64.deb 2>/dev/null | head -1)
check "its version is the project's" "[ \"\$(dpkg-deb -f '$DEB' Version)\" = \"\$(cat VERSION)\" ]"
check "it depends on what the programs link" \
	"dpkg-deb -f '$DEB' Depends | grep -q 'libbpf1.*libxdp1\|libxdp1.*libbpf1' &&
	 dpkg-deb -f '$DEB' Depends | grep -q libmnl0 && dpkg-deb -f '$DEB' Recommends | grep -q openvpn"
if command -v lintian >/dev/null; then
	lintian "$DEB" > "$T/lintian.log" 2>&1
	check "lintian: no errors" "! grep -q '^E:' '$T/lintian.log'" || cat "$T/lintian.log"
fi
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|' | grep -v '/$' > "$T/files"
dpkg -i "$DEB" > "$T/install.log" 2>&1
check "dpkg -i installs it" "[ $? -eq 0 ]" || cat "$T/install.log"
check "the plugin is where Debian's OpenVPN finds it by name" \
	"[ -f /usr/lib/\$(gcc -print-multiarch)/openvpn/plugins/ovpn-xdp-plugin.so ]"
check "daemon, CLI, units and man pages installed" \
	"[ -x /usr/sbin/ovpn-xdpd ] && [ -x /usr/sbin/ovpn-xdp ] &&
	 [ -f /lib/systemd/system/ovpn-xdpd.service ] && [ -f /usr/share/man/man8/ovpn-xdpd.8.gz ]"
check "nothing enabled or started by the installation" \
	"[ ! -e /etc/systemd/system/multi-user.target.wants/ovpn-xdpd.service ] && ! pgrep -f '^/usr/sbin/ovpn-xdpd' >/dev/null"

# The demo's tunnel with the installed pieces.
scripts/lib/pki.sh "$T/pki" >/dev/null 2>&1
ovx_topology || { echo "deb: $pass passed, $((fail + 1)) failed"; exit 1; }
OFFLOAD="" ovx_server_conf CHACHA20-POLY1305 > "$T/srv.conf"
echo "plugin ovpn-xdp-plugin.so link=veth-s" >> "$T/srv.conf"
ovx_client_conf CHACHA20-POLY1305 > "$T/cli.conf"
nsenter --net=/run/netns/"$SRV" /usr/sbin/ovpn-xdpd > "$T/daemon.log" 2>&1 &
echo $! > "$T/daemon.pid"
for _ in $(seq 300); do [ -S "$SRV_SOCK" ] && break; sleep 0.1; done
check "the installed daemon comes up on its default socket" "[ -S '$SRV_SOCK' ]"
ovx_openvpn srv "$T/srv.conf" srv && ovx_openvpn cli "$T/cli.conf" cli && ovx_wait_ping
check "tunnel up" "ip netns exec $CLI ping -c1 -W2 10.8.0.1 >/dev/null"
check "OpenVPN loaded the plugin by its short name" "grep -q 'PLUGIN ovpn-xdp: loaded' '$T/srv.log'"
ovx_wait_offloaded
ip netns exec "$CLI" ping -c 20 -i 0.05 -W 1 10.8.0.1 >/dev/null
check "ovpn-xdp show: the instance and its offloaded peer" \
	"/usr/sbin/ovpn-xdp show | grep -q \"instance 1 'ovpn-tun-s'\" &&
	 [ \"\$(ovx_counter rx_vpn_pkts)\" -gt 0 ]"
ovx_stop_all
"$SRC/build/ovpn-xdp" -s "$SRV_SOCK" show >/dev/null 2>&1	# (the daemon is gone)

dpkg -P ovpn-xdp > "$T/purge.log" 2>&1
check "dpkg -P purges it" "[ $? -eq 0 ]" || cat "$T/purge.log"
left=$(while read -r f; do [ -e "$f" ] && echo "$f"; done < "$T/files")
check "no installed file left" "[ -z \"$left\" ]" || echo "left: $left"
check "no pins left" "[ ! -e /sys/fs/bpf/ovpn-xdp/default ]"
check "no control socket left" "[ ! -e /run/ovpn-xdp ]"
echo "deb: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
