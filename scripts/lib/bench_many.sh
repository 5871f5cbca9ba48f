# shellcheck shell=bash
# The many-clients rows of scripts/bench-openvpn.sh (sourced by it): one
# OpenVPN server and MANY_CLIENTS (8) stock OpenVPN clients, each in its own
# namespace, all on a bridge (scripts/lib/openvpn.sh: ovx_bridge_up), the
# server's veth with GRO and a NAPI thread as in the two-namespace rows. The
# clients stand for other machines: each is offloaded (its own daemon), the
# cheapest client there is on these CPUs, so that what is measured is the
# server: userspace OpenVPN (one process, one core) against the server
# offloaded. Traffic: one iperf3 TCP stream per client, all at once, "8 up"
# (clients to server) and "8 down" (-R); Mbit/s is the sum of what the
# receivers got, the server's CPU per packet its tasks' time over the
# packets on its veth (cpu_split.py, the clients' namespaces as side "cli").
# Env: BENCH_MANY_CIPHERS (default CHACHA20-POLY1305), MANY_CLIENTS (8).

MANY_CLIENTS=${MANY_CLIENTS:-8}
MANY_CIPHERS=${BENCH_MANY_CIPHERS:-CHACHA20-POLY1305}
MANY_CASES=("$MANY_CLIENTS up" "$MANY_CLIENTS down")
MANY_ROWS=()

many_ns() { echo "$OVX_NS-m$1"; }

many_plan() {
	local c
	for c in $MANY_CIPHERS; do
		add_many_row many-user "$c" "$MANY_CLIENTS clients, server userspace"
		add_many_row many-srv "$c" "$MANY_CLIENTS clients, server offloaded"
	done
}

add_many_row() {	# setup cipher label
	MANY_ROWS+=("$1 $2")
	# shellcheck disable=SC2034 # bench-openvpn.sh's
	LABEL["$1 $2"]=$3
	CIPHER_OF["$1 $2"]=$2
}

# The bridge topology, in place of the two namespaces' veth pair.
many_topology() {
	local i ns
	ovx_ns_del "$SRV"; ovx_ns_del "$CLI"
	ip netns add "$SRV" && ovx_bridge_up &&
	ovx_bridge_join "$SRV" veth-s 10.99.0.1/24 fd99::1/64 || return 1
	ip netns exec "$SRV" ethtool -K veth-s gro on >/dev/null &&
	ip netns exec "$SRV" sh -c 'echo 1 > /sys/class/net/veth-s/threaded' || return 1
	for i in $(seq "$MANY_CLIENTS"); do
		ns=$(many_ns "$i")
		ovx_ns_del "$ns"
		ip netns add "$ns" &&
		ovx_bridge_join "$ns" veth-c "10.99.0.$((10 + i))/24" "fd99::$((10 + i))/64" &&
		ip netns exec "$ns" ethtool -K veth-c gro on >/dev/null &&
		ip netns exec "$ns" sh -c 'echo 1 > /sys/class/net/veth-c/threaded' || return 1
	done
}

many_cleanup() {
	local i
	for i in $(seq "$MANY_CLIENTS"); do ovx_ns_del "$(many_ns "$i")"; done
	ovx_ns_del "$OVX_BR"
}

# Stops every client's OpenVPN and daemon, then the server's.
many_stop() {
	local i ns
	for i in $(seq "$MANY_CLIENTS"); do
		ns=$(many_ns "$i")
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
	done
	sleep 0.3
	for i in $(seq "$MANY_CLIENTS"); do
		nsenter --net=/run/netns/"$(many_ns "$i")" "$B/ovpn-xdpd" -n "$OVX_NS-m$i" -d >/dev/null 2>&1
	done
	ovx_stop_all_wait
}

# Client i's daemon, started in the background ($T/m<i>.sock).
many_daemon() {	# i
	nsenter --net=/run/netns/"$(many_ns "$1")" "$B/ovpn-xdpd" -n "$OVX_NS-m$1" -s "$T/m$1.sock" \
		>> "$T/daemon-m$1.log" 2>&1 &
}

many_wait_socket() {	# i (30 s)
	for _ in $(seq 300); do
		[ -S "$T/m$1.sock" ] && return 0
		sleep 0.1
	done
	echo "client $1's daemon did not come up (see $T/daemon-m$1.log)" >&2
	return 1
}

# Until client i's tunnel answers and its fast path has received packets.
many_wait_client() {	# i
	local ns
	ns=$(many_ns "$1")
	for _ in $(seq 40); do
		ip netns exec "$ns" ping -c 2 -i 0.1 -W 1 10.8.0.1 >/dev/null 2>&1 &&
			[ "$(ovx_counter rx_vpn_pkts "$T/m$1.sock")" -gt 0 ] && return 0
		sleep 0.5
	done
	echo "client $1: tunnel not up or not offloaded (see $T/m$1.log)" >&2
	return 1
}

# The server (offloaded or not) and every client, offloaded.
many_up() {	# cipher srv|user
	local i
	if [ "$2" = srv ]; then
		ovx_server_conf "$1" > "$T/srv.conf"
		ovx_daemon srv || return 1
	else
		OFFLOAD='' ovx_server_conf "$1" > "$T/srv.conf"
	fi
	for i in $(seq "$MANY_CLIENTS"); do many_daemon "$i"; done
	for i in $(seq "$MANY_CLIENTS"); do many_wait_socket "$i" || return 1; done
	ovx_openvpn srv "$T/srv.conf" srv || return 1
	# one after the other: nine OpenVPNs and daemons starting at once on a
	# busy machine can make a plugin's request to its daemon time out
	for i in $(seq "$MANY_CLIENTS"); do
		CLI_SOCK=$T/m$i.sock ovx_client_conf "$1" 1 "$i" > "$T/m$i.conf"
		ip netns exec "$(many_ns "$i")" openvpn --config "$T/m$i.conf" --writepid "$T/m$i.pid" \
			--log "$T/m$i.log" --daemon && many_wait_client "$i" || return 1
	done
	[ "$2" = user ] || { ovx_wait_offloaded && save_aead_costs; }
}

# One run of a case: an iperf3 stream from each client at once; Mbit/s
# and bytes are the sums of what the receivers got.
many_once() {	# row case run
	local row=$1 dir=${2#* } r=$3 i port mbps=0 bytes=0 m b sides args=() pids=()
	[ "$dir" = down ] && args+=(-R)
	for i in $(seq "$MANY_CLIENTS"); do
		ip netns exec "$SRV" iperf3 -s -B 10.8.0.1 -1 -D -p $((5300 + i)) >/dev/null 2>&1
	done
	sleep 0.3
	sides="srv=$SRV cli=$(for i in $(seq "$MANY_CLIENTS"); do printf '%s,' "$(many_ns "$i")"; done)"
	SPLIT_SIDES=$sides split_start
	for i in $(seq "$MANY_CLIENTS"); do
		port=$((5300 + i))
		timeout $((SECS + 15)) ip netns exec "$(many_ns "$i")" iperf3 -c 10.8.0.1 -p "$port" \
			-t "$SECS" -J "${args[@]}" > "$T/iperf-m$i.json" 2>/dev/null &
		pids+=($!)
	done
	wait "${pids[@]}"
	for i in $(seq "$MANY_CLIENTS"); do
		cp "$T/iperf-m$i.json" "$T/iperf.json"
		m=$(grep -A12 '"sum_received"' "$T/iperf.json" | grep -o '"bits_per_second":[[:space:]]*[0-9.e+]*' |
			head -1 | awk -F: '{ printf "%d\n", $2 / 1e6 } END { if (NR == 0) print 0 }')
		b=$(ovx_iperf_bytes)
		mbps=$((mbps + m)) bytes=$((bytes + b))
		[ "$m" -gt 0 ] || warn "$(row_name "$row"), $2: client $i's iperf3 failed (run $r)"
	done
	if [ "$mbps" -le 0 ]; then
		wait "$SPLIT_PID"
		return 1
	fi
	RUNS_M["$row|$2"]+="$mbps "
	split_end "$row" "$2" "$r" "$mbps" "$bytes"
}

many_row() {	# row
	local row=$1 c r t0=$SECONDS mode=user
	[ "${row%% *}" = many-srv ] && mode=srv
	done_rows=$((done_rows + 1))
	printf '[%d/%d] %s: ' "$done_rows" "$((${#ROWS[@]} + ${#MANY_ROWS[@]}))" "$(row_name "$row")"
	if ! many_up "${CIPHER_OF[$row]}" "$mode"; then
		failed=$((failed + 1))
		printf 'FAILED: the server or a client did not come up\n'
		many_stop
		return
	fi
	for c in "${MANY_CASES[@]}"; do
		for r in $(seq "$REPS"); do many_once "$row" "$c" "$r"; done
		settle "$row" "$c"
		printf '%s%s %s' "$([ "$c" = "${MANY_CASES[0]}" ] || echo ', ')" "$c" "${MBPS["$row|$c"]}"
	done
	printf ' Mbit/s (%d s)\n' $((SECONDS - t0))
	many_stop
}

many_all() {
	local row
	[ ${#MANY_ROWS[@]} -gt 0 ] || return 0
	if ! many_topology; then
		for row in "${MANY_ROWS[@]}"; do row_failed "$row" "creating the bridge topology failed"; done
		return
	fi
	for row in "${MANY_ROWS[@]}"; do many_row "$row"; done
}

many_report() {
	local row c
	[ ${#MANY_ROWS[@]} -gt 0 ] || return 0
	say ""
	say "$MANY_CLIENTS offloaded clients at once, one stream each, summed Mbit/s:"
	for row in "${MANY_ROWS[@]}"; do
		printf '  %-44s' "$(row_name "$row")"
		for c in "${MANY_CASES[@]}"; do printf ' %s %s' "$c" "${MBPS["$row|$c"]:--}"; done
		printf '\n'
	done
}
