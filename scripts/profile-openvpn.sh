#!/usr/bin/env bash
# Where the time goes with both sides offloaded: stock OpenVPN 2.6 with the
# plugin on both ends (scripts/lib/openvpn.sh), iperf3 through the tunnel, and
# the kernel's own accounting of every BPF program (kernel.bpf_stats_enabled:
# run count and run time per program). Prints, per cipher, one
# "name value unit" line per figure (the format of make bench):
#   Mbit/s; machine CPU busy per packet carried (all processes, softirq);
#   the fast path's share of it; ns per run of RX (XDP), TX (TC egress) and
#   the other programs on each side; packets per GRO batch on the server;
#   the machine's idle share and the CPU of each kind of thread (NAPI threads
#   by device, iperf3, openvpn, ksoftirqd), in % of one CPU: a stage near 100 %
#   while the machine idles is the one that holds a single stream back.
# The AEAD alone costs what bench_aead prints (same machine, same run of
# make bench): the rest of a program's time is parsing, lookups, copies.
#
# With PROFILE_TUNNELS=N, each cipher's tunnel is made N times (the
# figures' key gets _t1.._tN): a mode that holds for a whole tunnel (issue
# 16's ChaCha20 at ~1,100 or ~580 Mbit/s) shows up as two groups of lines,
# each with where its threads ran (scripts/lib/cpu_place.py: running share,
# on which CPU, two stages waiting on one CPU), and with PROFILE_PERF=1 a
# `perf record -a -g` of each ($T/perf-KEY.data, kept; perf report -i it).
# Env: PROFILE_CIPHERS (default "AES-256-GCM CHACHA20-POLY1305"),
# PROFILE_SECONDS (default 5), PROFILE_TUNNELS (1), PROFILE_PERF, OVX_NS
# (default ovxprof), GRO=off to compare.
set -u
cd "$(dirname "$0")/.." || exit 1
B=$PWD/build
OVX_NS=${OVX_NS:-ovxprof}
T=$(mktemp -d /tmp/ovpn-xdp-profile.XXXXXX)
. scripts/lib/openvpn.sh
SECS=${PROFILE_SECONDS:-5}
HZ=$(getconf CLK_TCK)
stats_was=$(sysctl -n kernel.bpf_stats_enabled)

finish() {
	sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	ovx_cleanup
}
trap finish EXIT
trap 'exit 130' INT TERM

# "name run_cnt run_time_ns" of one program (bpftool prog show ARGS).
prog_line() {	# name bpftool-args...
	local name=$1
	shift
	bpftool -j prog show "$@" 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(sys.argv[1], j.get("run_cnt", 0), j.get("run_time_ns", 0))' "$name"
}

# The XDP program on a device: libxdp attaches its own copy of ovx_rx_xdp
# (sharing the pinned maps), not the pinned program.
xdp_prog_id() {	# namespace device
	ip -n "$1" -j -d link show "$2" | python3 -c '
import json, sys
print(json.load(sys.stdin)[0].get("xdp", {}).get("prog", {}).get("id", 0))'
}

# "side_program run_cnt run_time_ns" for both sides (side: srv, cli).
prog_stats() {
	local side inst ns dev p
	for side in srv cli; do
		inst=$INST_S ns=$SRV dev=veth-s
		[ "$side" = cli ] && inst=$INST_C ns=$CLI dev=veth-c
		prog_line "${side}_ovx_rx_xdp" id "$(xdp_prog_id "$ns" "$dev")"
		for p in ovx_rx_tc ovx_tx_tc ovx_link_egress_tc; do
			prog_line "${side}_$p" pinned "/sys/fs/bpf/ovpn-xdp/$inst/$p"
		done
	done
}

# Sums "name cnt ns" lines per name: before and after files -> deltas.
deltas() {	# before after
	awk 'NR == FNR { c[$1] -= $2; t[$1] -= $3; next } { c[$1] += $2; t[$1] += $3 }
	     END { for (n in c) printf "%s %.0f %.0f\n", n, c[n], t[n] }' "$1" "$2"
}

# "name ticks threads": CPU time (user + system, jiffies) of every thread,
# summed by name without its trailing number (napi/veth-s-964 -> napi/veth-s).
thread_ticks() {
	python3 -c '
import glob, re, collections
t, n = collections.Counter(), collections.Counter()
for f in glob.glob("/proc/[0-9]*/task/[0-9]*/stat"):
    try:
        s = open(f).read()
    except OSError:
        continue
    name = re.sub(r"-[0-9]+$", "", s[s.index("(") + 1:s.rindex(")")])
    v = s[s.rindex(")") + 2:].split()
    t[name] += int(v[11]) + int(v[12])
    n[name] += 1
for k in t:
    print(k, t[k], n[k])'
}

# The threads that took at least 2 % of a CPU, in % of one CPU, and the
# machine's idle share (what its busy time leaves of all CPUs' wall time).
thread_report() {	# key before after busy-jiffies seconds
	awk -v k="$1" -v hz="$HZ" -v secs="$5" 'NR == FNR { b[$1] = $2; next }
	     { p = ($2 - b[$1]) * 100 / hz / secs
	       if (p >= 2 && $1 ~ /^(napi|iperf3|openvpn|ksoftirqd|ovpn-xdpd)/)
	         printf "profile_%s_cpu_%s %d %%cpu (%d threads)\n", k, $1, p, $3 }' "$2" "$3" |
		sort
	awk -v k="$1" -v busy="$4" -v hz="$HZ" -v secs="$5" -v n="$(nproc)" 'BEGIN {
		idle = 100 - busy * 100 / (hz * secs * n)
		printf "profile_%s_machine_idle %d %%\n", k, idle < 0 ? 0 : idle }'
}

profile() {	# cipher [key suffix]
	local c=$1 key cpu0 cpu1 t0 t1 mbps pkts busy_ns bpf_ns place perf=""
	key=$(echo "$c" | tr 'A-Z' 'a-z' | tr -d '-')${2:-}
	ovx_start_tunnel "$c" both && ovx_wait_offloaded && ovx_wait_offloaded "$CLI_SOCK" || {
		echo "profile $c: the tunnel did not come up (logs in $T)" >&2
		return 1
	}
	sysctl -qw kernel.bpf_stats_enabled=1
	prog_stats > "$T/before"
	thread_ticks > "$T/threads0"
	t0=$(date +%s%N)
	cpu0=$(ovx_cpu_busy)
	( sleep 1; python3 scripts/lib/cpu_place.py "$(awk -v s="$SECS" 'BEGIN { print s - 1.5 }')" "$key" ) \
		> "$T/place" &
	place=$!
	if [ -n "${PROFILE_PERF:-}" ]; then
		( sleep 1; perf record -a -g -o "$T/perf-$key.data" -- sleep 1.5 >/dev/null 2>&1 ) &
		perf=$!
		KEEP=1
	fi
	mbps=$(ovx_iperf 5201 "$SECS")
	wait $place $perf
	cpu1=$(ovx_cpu_busy)
	t1=$(date +%s%N)
	thread_ticks > "$T/threads1"
	prog_stats > "$T/after"
	sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	deltas "$T/before" "$T/after" > "$T/delta"
	# %.0f: mawk's %d stops at 2^31 (2.1 s of run time)
	pkts=$(awk '$1 ~ /_ovx_rx_xdp$/ { s += $2 } END { printf "%.0f\n", s }' "$T/delta")
	busy_ns=$(( (cpu1 - cpu0) * 1000000000 / HZ ))
	bpf_ns=$(awk '{ s += $3 } END { printf "%.0f\n", s }' "$T/delta")
	echo "profile_${key}_both_offloaded $mbps Mbit/s"
	if [ "${pkts:-0}" -gt 0 ]; then
		echo "profile_${key}_cpu_per_packet $((busy_ns / pkts)) ns"
		echo "profile_${key}_fast_path_share $((bpf_ns * 100 / (busy_ns > 0 ? busy_ns : 1))) %"
	fi
	awk -v k="$key" '$2 > 0 { printf "profile_%s_%s_per_run %d ns\n", k, $1, $3 / $2 }' "$T/delta" | sort
	# iperf3 sends client to server: what XDP decrypted per skb that reached
	# the stack (TC ingress runs once per GRO batch)
	awk -v k="$key" '$1 == "srv_ovx_rx_xdp" { x = $2 } $1 == "srv_ovx_rx_tc" { t = $2 }
	     END { if (t > 0) printf "profile_%s_packets_per_gro_batch %.1f pkts\n", k, x / t }' "$T/delta"
	thread_report "$key" "$T/threads0" "$T/threads1" $((cpu1 - cpu0)) \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }')"
	cat "$T/place"
	[ -z "$perf" ] || echo "profile_${key}_perf $T/perf-$key.data"
	ovx_stop_all_wait
}

[ "$(id -u)" -eq 0 ] || { echo "profile-openvpn needs root" >&2; exit 1; }
ovx_need_binaries || exit 1
if ovx_ns_busy; then
	echo "namespaces $SRV / $CLI are in use: set OVX_NS to another prefix" >&2
	exit 1
fi
scripts/lib/pki.sh "$T/pki" && ovx_topology || { echo "cannot build the topology" >&2; exit 1; }
rc=0
for c in ${PROFILE_CIPHERS:-AES-256-GCM CHACHA20-POLY1305}; do
	if [ "${PROFILE_TUNNELS:-1}" -le 1 ]; then
		profile "$c" || rc=1
		continue
	fi
	for t in $(seq "$PROFILE_TUNNELS"); do profile "$c" "_t$t" || rc=1; done
done
exit $rc
