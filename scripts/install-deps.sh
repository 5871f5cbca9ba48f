#!/usr/bin/env bash
# Installs the Debian packages ovpn-xdp needs to build, test, benchmark and
# demo (and to build OpenVPN 2.7.6 from ../shared/peers for the tests:
# scripts/build-openvpn.sh). Idempotent and quiet when everything is already there.
set -eu
pkgs=(
	make gcc pkg-config clang-19 llvm-19 libclang-rt-19-dev bpftool
	libbpf-dev libxdp-dev xdp-tools libmnl-dev libssl-dev libelf-dev zlib1g-dev
	libpcap-dev libjansson-dev iproute2 iputils-ping ethtool openvpn iperf3 tcpdump procps
	util-linux passwd python3 openssl debhelper help2man lintian fakeroot shellcheck
	autoconf automake libtool liblzo2-dev liblz4-dev libcap-ng-dev libnl-genl-3-dev
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}; run as root" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
