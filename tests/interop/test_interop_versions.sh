#!/usr/bin/env bash
# The version matrix (issue 19): OpenVPN 2.6 (Debian's 2.6.14) and 2.7
# (build/openvpn-2.7.6/full, scripts/build-openvpn.sh) on the two ends,
# offloaded on either end or both. 2.6 <-> 2.6 is test_interop_matrix.sh's
# (every family x mode x cipher); this test takes the three pairs with a 2.7:
#   26-27  2.6 server, 2.7 client: the 2.6 data format
#   27-26  2.7 server, 2.6 client: the 2.6 data format
#   27-27  2.7 on both ends: the epoch data format (docs/epoch.md)
# The covering (CI time: about 6 min, under run-tests.sh's 600 s a test):
# every pair x mode (srv: offloaded server + stock client, cli: stock
# server + offloaded client, both) over IPv4 and IPv6 outside, with one
# cipher a pair x mode, chosen as a Latin square (cipher = (pair + mode) mod
# 3 in the orders above and AES-128-GCM AES-256-GCM CHACHA20-POLY1305), so
# that every pair and every mode meets every cipher:
#            srv                cli                both
#   26-27    AES-128-GCM        AES-256-GCM        CHACHA20-POLY1305
#   27-26    AES-256-GCM        CHACHA20-POLY1305  AES-128-GCM
#   27-27    CHACHA20-POLY1305  AES-128-GCM        AES-256-GCM
# (18 runs: 3 pairs x 3 modes x 2 families); then rotation under load, both
# ends offloaded, in the epoch format (27-27, AES-128-GCM, IPv4) and in a
# mixed pair (26-27, CHACHA20-POLY1305, IPv6).
# Each run: the tunnel up; ping over inner IPv4 and IPv6; iperf3 up (inner
# IPv4) and down (inner IPv6) for IPERF_SECS; each offloaded daemon offloads
# the key in the pair's format (its log line says "epoch data format" for
# 27-27 only), as does the capture (pid_check.py's epoch-format count); no
# packet-id twice per (direction, peer-id, key, data epoch) in the captures;
# each offloaded side's fast path decrypted >= 99 % of the data packets on
# the wire to it and encrypted >= 99 % of those from it (less what the
# sending veth dropped on a full ring), and in the epoch format dropped none
# as bad tag, replay or malformed.
# EPOCH_TX: the fast path's epoch-format TX. 1 (default): held to >= 99 %
# like the rest; 0 (a build whose epoch keys are sent by OpenVPN): in 27-27
# its TX share is printed, not checked.
# Rotation: reneg-sec ROT_RENEG (10, as test_interop_rotation.sh), iperf3
# --bidir at ROT_RATE (100M) each way for ROT_SECS (30) and a ping every
# 100 ms: at least 2 new keys offloaded on each side (ROT_MODE=none: no
# offload, stock OpenVPN alone, for comparison), each side's fast path
# sending with each new key within 1 s of the renegotiation's start (both
# offloaded: scripts/lib/key_switch.py on the capture), no ping lost (a KNOWN
# FAILURE, not counted unless STRICT=1, in the epoch format with EPOCH_TX=0
# or with no offload: OpenVPN sends every packet then, and stock 2.7.6 alone
# lost 3 and 7 pings in 30 s of this load), no second without throughput
# either way, the shares and the capture as above.
# Env: VERSIONS ("26-27 27-26 27-27"; "" none), MODES ("srv cli both"), FAMILIES
# ("4 6"), CIPHERS (all of them in every run instead of the Latin square),
# ROTATIONS ("27-27 26-27"; "" none; 26-26 too), ROT_FAMILY, ROT_CIPHER (instead
# of the two rotations' own), ROT_SECS, ROT_RENEG, ROT_RATE, ROT_MODE, IPERF_SECS (2), EPOCH_TX (1), OVX_NS
# (ovxver), KEEP=1 (keep the temp dir with logs and captures), DEBUG=1.
# Prints "interop-versions: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-versions.XXXXXX)
OVX_NS=${OVX_NS:-ovxver}
OVPN26=/usr/sbin/openvpn
OVPN27=$B/openvpn-2.7.6/full/openvpn
EPOCH_TX=${EPOCH_TX:-1}
ALL_CIPHERS="AES-128-GCM AES-256-GCM CHACHA20-POLY1305"
pass=0 fail=0
. scripts/lib/openvpn.sh
trap ovx_cleanup EXIT

set_family() {	# 4|6: the variables ovx_server_conf / ovx_client_conf read
	if [ "$1" = 6 ]; then
		PROTO=udp6 LOCAL=fd99::1 CPROTO=udp6 REMOTE=fd99::1 SRV_ADDR="[fd99::1]"
		CLI_ADDR="[fd99::2]"
	else
		PROTO=udp LOCAL=10.99.0.1 CPROTO=udp REMOTE=10.99.0.1 SRV_ADDR=10.99.0.1
		CLI_ADDR=10.99.0.2
	fi
	export PROTO LOCAL CPROTO REMOTE
}

set_versions() {	# 26-27|27-26|27-27 (server-client)
	SRV_OPENVPN=$OVPN26 CLI_OPENVPN=$OVPN26
	[ "${1%-*}" = 27 ] && SRV_OPENVPN=$OVPN27
	[ "${1#*-}" = 27 ] && CLI_OPENVPN=$OVPN27
	EPOCH=""
	[ "$1" = 27-27 ] && EPOCH=1
	export SRV_OPENVPN CLI_OPENVPN
}

latin_cipher() {	# pair mode: the covering's cipher
	local p m
	case $1 in 26-27) p=0 ;; 27-26) p=1 ;; *) p=2 ;; esac
	case $2 in srv) m=0 ;; cli) m=1 ;; *) m=2 ;; esac
	set -- $ALL_CIPHERS
	shift $(( (p + m) % 3 ))
	echo "$1"
}

# Until each offloaded side's daemon has offloaded key 0 (pings both ways; 10 s).
wait_offloaded() {	# srv cli (non-empty: offloaded)
	for _ in $(seq 20); do
		{ [ -z "$1" ] || grep -q "key 0 .*offloaded" "$T/daemon.log"; } &&
		{ [ -z "$2" ] || grep -q "key 0 .*offloaded" "$T/daemon-cli.log"; } && return 0
		ip netns exec "$CLI" ping -c 2 -i 0.1 -W 1 10.8.0.1 >/dev/null 2>&1
		ip netns exec "$SRV" ping -c 2 -i 0.1 -W 1 10.8.0.2 >/dev/null 2>&1
	done
	return 1
}

# The daemon's offload lines in the pair's format: "epoch data format" in
# 27-27, never otherwise.
check_format_log() {	# name log
	local n e
	n=$(ovx_keys_offloaded "$2") e=$(grep -c "offloaded.*epoch data format" "$2")
	if [ -n "$EPOCH" ]; then
		check "$1: key(s) offloaded in the epoch format ($e of $n)" "[ $n -gt 0 ] && [ $e = $n ]"
	else
		check "$1: key(s) offloaded in the 2.6 format ($n, $e said epoch)" "[ $n -gt 0 ] && [ $e = 0 ]"
	fi
}

# The capture in the pair's format (pid_check.py tells it from the data).
check_format_capture() {	# name run
	local ef
	ef=$(awk '/^packets/ {print $6}' "$T/$2.pids")
	if [ -n "$EPOCH" ]; then
		check "$1: capture in the epoch format (${ef:-?} of $(awk '/^packets/ {print $2}' "$T/$2.pids"))" \
			"[ '${ef:-0}' -gt 1000 ]"
	else
		check "$1: capture in the 2.6 format (${ef:-?} epoch-format packets)" "[ '${ef:-x}' = 0 ]"
	fi
}

# One offloaded side's fast-path share (ovx_check_share's rule), in the
# epoch format with TX by EPOCH_TX, and the epoch path's own drops.
check_side() {	# name run "rx tx" own-address peer-address link-drops-towards-it socket
	local rx=${3% *} tx=${3#* } in out
	if [ -z "$EPOCH" ] || [ "$EPOCH_TX" = 1 ]; then
		ovx_check_share "$@"
	else
		in=$(( $(ovx_wire_pkts "$2" "$5") - $6 )) out=$(ovx_wire_pkts "$2" "$4")
		echo "$1: fast path received $rx of $in data packets ($6 more lost on the link)," \
			"sent $tx of $out ($(( out > 0 ? tx * 100 / out : 0 )) %; EPOCH_TX=0: not checked)"
		check "$1: fast path received >= 99%" "[ $in -gt 1000 ] && [ \$(($rx * 100)) -ge \$(($in * 99)) ]"
	fi
	[ -n "$EPOCH" ] &&
		check "$1: no bad tag, replay or malformed drop ($(ovx_counter drops "$7") drops in all)" \
			"[ \$(( \$(ovx_counter bad_tag '$7') + \$(ovx_counter replay '$7') + \$(ovx_counter malformed '$7') )) = 0 ]"
	return 0
}

# Counters, then the capture's verdicts and each offloaded side's checks.
check_run() {	# name run srv cli link-drops-srv link-drops-cli
	local drops sc cc
	[ -n "$3" ] && sc=$(ovx_read_counters "$SRV_SOCK")
	[ -n "$4" ] && cc=$(ovx_read_counters "$CLI_SOCK")
	drops=$(ovx_capture_stop "$2")
	ovx_capture_check "$2"
	echo "$1: capture $(tail -1 "$T/$2.pids"), $drops dropped by tcpdump"
	check "$1: no packet-id repeated" "[ \"\$(ovx_repeats $2)\" = 0 ]"
	check_format_capture "$1" "$2"
	[ -n "$3" ] && check_side "$1, server" "$2" "$sc" "$SRV_ADDR" "$CLI_ADDR" "$6" "$SRV_SOCK"
	[ -n "$4" ] && check_side "$1, client" "$2" "$cc" "$CLI_ADDR" "$SRV_ADDR" "$5" "$CLI_SOCK"
	[ -n "${DEBUG:-}" ] && cat "$T/$2.pids"
	return 0
}

# Daemons, OpenVPN of the pair's versions, captures from before the first
# packet; until each offloaded side has offloaded key 0.
start_run() {	# name run mode cipher
	local srv=1 cli=""
	[ "$3" = cli ] && srv=""
	[ "$3" != srv ] && cli=both
	[ "$3" = none ] && srv="" cli=""
	: > "$T/daemon.log"
	: > "$T/daemon-cli.log"
	ovx_capture_start "$2" || { check "$1: capture" false; return 1; }
	OFFLOAD=$srv ovx_start_tunnel "$4" "$cli"
	check "$1: tunnel up" "ip netns exec $CLI ping -c1 -W2 10.8.0.1 >/dev/null" || return 1
	check "$1: each offloaded side offloads key 0" "wait_offloaded '$srv' '$cli'"
	[ -n "$srv" ] && check_format_log "$1, server" "$T/daemon.log"
	[ -n "$cli" ] && check_format_log "$1, client" "$T/daemon-cli.log"
	return 0
}

run_case() {	# pair family mode cipher
	local name="$1 IPv$2 $3 $4" run="v$1-$2-$3-$4" srv=1 cli="" up down ds dc t0=$SECONDS
	[ "$3" = cli ] && srv=""
	[ "$3" != srv ] && cli=1
	set_versions "$1"
	set_family "$2"
	if start_run "$name" "$run" "$3" "$4"; then
		ds=$(ovx_link_drops srv) dc=$(ovx_link_drops cli)
		check "$name: ping inner IPv4" "ip netns exec $CLI ping -c 20 -i 0.05 -W 1 10.8.0.1 >/dev/null"
		check "$name: ping inner IPv6" "ip netns exec $CLI ping -c 20 -i 0.05 -W 1 fd00:8::1 >/dev/null"
		up=$(IPERF_SERVER=10.8.0.1 ovx_iperf 5201 "${IPERF_SECS:-2}")
		down=$(IPERF_SERVER=fd00:8::1 ovx_iperf 5202 "${IPERF_SECS:-2}" -R)
		echo "$name: iperf3 up (inner IPv4) $up Mbit/s, down (inner IPv6) $down Mbit/s"
		check "$name: iperf3 up" "[ $up -gt 0 ]"
		check "$name: iperf3 down" "[ $down -gt 0 ]"
		ds=$(( $(ovx_link_drops srv) - ds )) dc=$(( $(ovx_link_drops cli) - dc ))
		check_run "$name" "$run" "$srv" "$cli" "$ds" "$dc"
	else
		ovx_capture_stop "$run" >/dev/null
	fi
	ovx_stop_all
	echo "$name: $((SECONDS - t0)) s"
}

run_rotation() {	# pair family cipher
	local secs=${ROT_SECS:-30} mode=${ROT_MODE:-both} on=1
	local name="$1 IPv$2 $mode $3, reneg-sec ${ROT_RENEG:-10} under load"
	local run="rot$1-$2-$3" ks kc ds dc lost up down nint
	set_versions "$1"
	set_family "$2"
	[ "$mode" = none ] && on=""
	if ! RENEG=${ROT_RENEG:-10} start_run "$name" "$run" "$mode" "$3"; then
		ovx_capture_stop "$run" >/dev/null
		ovx_stop_all
		return
	fi
	ks=$(ovx_keys_offloaded "$T/daemon.log") kc=$(ovx_keys_offloaded "$T/daemon-cli.log")
	ds=$(ovx_link_drops srv) dc=$(ovx_link_drops cli)
	read -r lost up down nint <<< "$(ovx_rotation_load "$run" "$secs" "${ROT_RATE:-100M}")"
	ds=$(( $(ovx_link_drops srv) - ds )) dc=$(( $(ovx_link_drops cli) - dc ))
	ks=$(( $(ovx_keys_offloaded "$T/daemon.log") - ks ))
	kc=$(( $(ovx_keys_offloaded "$T/daemon-cli.log") - kc ))
	echo "$name: $ks / $kc keys offloaded (server / client) during the run; $up / $down of $nint s" \
		"without throughput; $lost pings lost; veths dropped $ds / $dc on a full ring"
	[ -n "$on" ] &&
		check "$name: at least 2 rotations offloaded on each side" "[ $ks -ge 2 ] && [ $kc -ge 2 ]"
	check "$name: no second without throughput" \
		"[ $nint -ge $((secs - 1)) ] && [ $up -eq 0 ] && [ $down -eq 0 ]"
	# With OpenVPN sending every packet (the epoch format until its TX is
	# offloaded), stock OpenVPN 2.7.6 alone (ROT_MODE=none) loses pings
	# under this load too (3 and 7 in 30 s): no verdict on the offload then.
	if [ -n "$EPOCH" ] && [ "$EPOCH_TX" != 1 ] || [ -z "$on" ]; then
		ovx_known "$name: no ping lost" "[ \"$lost\" = 0 ]" \
			"OpenVPN sends every packet: stock OpenVPN loses pings under this load too"
	else
		check "$name: no ping lost" "[ \"$lost\" = 0 ]"
	fi
	[ "$lost" = 0 ] || ovx_lost_pings "$T/$run.ping"
	if [ -n "$on" ]; then
		check_format_log "$name, server" "$T/daemon.log"
		check_format_log "$name, client" "$T/daemon-cli.log"
	fi
	check_run "$name" "$run" "$on" "$on" "$ds" "$dc"
	[ "$mode" = both ] &&
		check "$name: each fast path sends with each new key within 1 s" "ovx_key_switch $run 1"
	ovx_stop_all
}

ovx_need_binaries || { echo "interop-versions: 0 passed, 1 failed"; exit 1; }
scripts/build-openvpn.sh full >/dev/null && [ -x "$OVPN27" ] && [ -x "$OVPN26" ] ||
	{ echo "missing $OVPN27 or $OVPN26"; echo "interop-versions: 0 passed, 1 failed"; exit 1; }
scripts/lib/pki.sh "$T/pki" >/dev/null
ovx_topology || { echo "interop-versions: 0 passed, 1 failed"; exit 1; }
for pair in ${VERSIONS-26-27 27-26 27-27}; do
	for mode in ${MODES:-srv cli both}; do
		for fam in ${FAMILIES:-4 6}; do
			for c in ${CIPHERS:-$(latin_cipher "$pair" "$mode")}; do
				run_case "$pair" "$fam" "$mode" "$c"
			done
		done
	done
done
for pair in ${ROTATIONS-27-27 26-27}; do
	case $pair in
	27-27) run_rotation 27-27 "${ROT_FAMILY:-4}" "${ROT_CIPHER:-AES-128-GCM}" ;;
	*) run_rotation "$pair" "${ROT_FAMILY:-6}" "${ROT_CIPHER:-CHACHA20-POLY1305}" ;;
	esac
done
echo "interop-versions: $SECONDS s in all"
echo "interop-versions: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
