#!/usr/bin/env bash
# make demo: what ovpn-xdp does, in about a minute. Installs what is missing,
# builds, then in two network namespaces runs a stock OpenVPN 2.6 server and
# client with the plugin and the daemon (both sides offloaded), shows
# `ovpn-xdp show`, pushes iperf3 through the tunnel, does the same with the
# same OpenVPN in userspace (no plugin), and prints both figures and their
# ratio. Everything is removed at the end, on failure and on Ctrl-C.
# Env: DEMO_CIPHER (default CHACHA20-POLY1305), DEMO_SECONDS (iperf3 time,
# default 10), OVX_NS (namespace prefix, default ovxdemo), KEEP=1 (keep logs).
set -u
cd "$(dirname "$0")/.." || exit 1
B=$PWD/build
OVX_NS=${OVX_NS:-ovxdemo}
CIPHER=${DEMO_CIPHER:-CHACHA20-POLY1305}
SECS=${DEMO_SECONDS:-10}
STEPS=9 step=0 t_start=$SECONDS

say() { printf '%s\n' "$*"; }
# One line per step; "step ... " is finished by done_ or die.
begin() { step=$((step + 1)); printf '[%d/%d] %s ... ' "$step" "$STEPS" "$*"; }
done_() { printf '%s\n' "${*:-ok}"; }
title() { step=$((step + 1)); printf '[%d/%d] %s:\n' "$step" "$STEPS" "$*"; }

die() {
	printf 'FAILED\n\nmake demo: %s\n' "$*" >&2
	if ls "$T"/*.log >/dev/null 2>&1; then
		KEEP=1
		say "logs (OpenVPN, daemon, iperf3) kept in $T" >&2
	fi
	exit 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] && return
	say "make demo needs root (network namespaces, BPF): sudo make demo" >&2
	exit 1
}

deps() {
	begin "dependencies (scripts/install-deps.sh)"
	local out
	out=$(scripts/install-deps.sh 2>&1) || die "installing packages failed: $out"
	done_ "${out:+installed}${out:-present}"
}

build() {
	begin "build (make)"
	local log
	log=$(make -s BUILD=build tools-check build/ovpn-xdpd build/ovpn-xdp build/ovpn-xdp-plugin.so 2>&1) ||
		die "build failed:"$'\n'"$(printf '%s\n' "$log" | tail -20)"
	done_
}

# The scratch directory and lib.sh; never touches namespaces another run uses.
prepare() {
	T=$(mktemp -d /tmp/ovpn-xdp-demo.XXXXXX)
	. scripts/lib/openvpn.sh
	if ovx_ns_busy; then
		rm -rf "$T"
		say "make demo: namespaces $SRV/$CLI are in use by another run: set OVX_NS=<other prefix>" >&2
		exit 1
	fi
	trap ovx_cleanup EXIT
}

setup() {
	begin "namespaces $SRV (10.99.0.1) <-> $CLI (10.99.0.2), test PKI"
	scripts/lib/pki.sh "$T/pki" || die "making the test PKI failed"
	ovx_topology || die "creating the namespaces failed"
	done_
}

# The tunnel; $1 empty: userspace, else both sides offloaded.
tunnel() {
	local t0=$SECONDS
	if [ -n "$1" ]; then
		ovx_start_tunnel "$CIPHER" both ||
			die "the offloaded tunnel did not come up (see $T/srv.log, $T/daemon.log)"
		ovx_wait_offloaded || die "the server's fast path received nothing (see $T/daemon.log)"
		ovx_wait_offloaded "$CLI_SOCK" ||
			die "the client's fast path received nothing (see $T/daemon-cli.log)"
	else
		OFFLOAD='' ovx_start_tunnel "$CIPHER" || die "the tunnel did not come up (see $T/srv.log)"
	fi
	done_ "up in $((SECONDS - t0)) s"
}

show() {
	title "ovpn-xdp show (server side)"
	"$B/ovpn-xdp" -s "$SRV_SOCK" show | sed 's/^/      /'
}

# iperf3 client -> server through the tunnel; sets $mbps.
iperf() {
	begin "iperf3 client -> server through the tunnel, one TCP stream, $SECS s"
	# in the background: Ctrl-C interrupts `wait` at once, not iperf3's end
	ovx_iperf 5201 "$SECS" > "$T/mbps" &
	wait $!
	mbps=$(cat "$T/mbps")
	[ "${mbps:-0}" -gt 0 ] || die "iperf3 through the tunnel failed"
	done_ "$mbps Mbit/s"
}

fastpath_share() {
	local rx tx handed
	rx=$(ovx_counter rx_vpn_pkts) tx=$(ovx_counter tx_vpn_pkts) handed=$(ovx_counter rx_to_openvpn)
	say "      server fast path: $rx packets received, $tx sent, $handed handed to OpenVPN"
	rx=$(ovx_counter rx_vpn_pkts "$CLI_SOCK") tx=$(ovx_counter tx_vpn_pkts "$CLI_SOCK")
	handed=$(ovx_counter rx_to_openvpn "$CLI_SOCK")
	say "      client fast path: $rx packets received, $tx sent, $handed handed to OpenVPN"
}

result() {
	local off=$1 user=$2
	say ""
	say "Result ($CIPHER, one TCP stream, $SECS s, $(nproc) CPUs, $(uname -r)):"
	printf '  offloaded (both sides)   %6d Mbit/s\n' "$off"
	printf '  userspace OpenVPN        %6d Mbit/s\n' "$user"
	awk -v a="$off" -v b="$user" 'BEGIN { printf "  ratio                    %6.2fx\n", a / b }'
	say "Took $((SECONDS - t_start)) s. Other cipher: DEMO_CIPHER=AES-256-GCM make demo;"
	say "all setups side by side: make bench-openvpn (docs/benchmarks.md)."
}

main() {
	need_root
	say "ovpn-xdp demo: stock OpenVPN 2.6 ($CIPHER), data channel offloaded to XDP/TC, then in userspace"
	prepare
	deps
	build
	setup
	begin "offloaded: ovpn-xdpd + OpenVPN with the plugin, server and client"
	tunnel offload
	show
	iperf
	local off=$mbps
	fastpath_share
	ovx_stop_all
	begin "userspace: the same OpenVPN without the plugin"
	tunnel ""
	iperf
	begin "clean up (OpenVPN, daemons, namespaces)"
	trap - EXIT
	ovx_cleanup
	done_
	result "$off" "$mbps"
}

trap 'printf "\ninterrupted: cleaning up\n" >&2; exit 130' INT TERM
main
