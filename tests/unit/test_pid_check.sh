#!/usr/bin/env bash
# The packet-id check of captures (scripts/lib/pid_check.py), run as the
# interop tests run it, on pcap files, in both data formats: no namespace, no
# lock. Its rule on synthetic sequences (--self-test, each case a check); in
# the epoch format (OpenVPN 2.7 on both ends: 8-byte packet-id, data epoch
# << 48 | counter) a counter repeated in the same data epoch fails, the same
# counter in two data epochs passes, told from the data (--format=auto) or
# forced (--format=epoch); a 2.6 capture stays in the 2.6 format; the real
# 2.7.6 captures (tests/epoch_vectors/) pass in the epoch format, and fail
# with one of their data packets sent again. scripts/lib/key_switch.py's
# rule (its --self-test).
# Prints "pid-check: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d /tmp/ovpn-xdp-pidcheck.XXXXXX)
trap 'rm -rf "$T"' EXIT
PC=scripts/lib/pid_check.py
pass=0 fail=0
. tests/lib/testlib.sh

check() {	# name condition
	if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}

# A synthetic capture from a Python list of (src, dst, opcode, key-id,
# packet-id) tuples, a packet-id (epoch, counter) in the epoch format.
pcap() {	# file packets
	python3 -c 'import sys; sys.path.insert(0, "scripts/lib"); import pid_check
pid_check.synthetic(sys.argv[1], eval(sys.argv[2]))' "$1" "$2"
}

# Runs the check on captures: "exit-status summary-line".
verdict() {	# [--format=...] pcap...
	local out rc
	out=$(python3 "$PC" "$@"); rc=$?
	echo "$rc $(tail -1 <<<"$out")"
}

if ovx_case self-test; then
	python3 "$PC" --self-test > "$T/self" 2>&1
	while read -r line; do
		check "self-test: $line" "[ '${line##*repeated, want }' = '$(sed -E 's/.*: ([0-9]+) repeated.*/\1/' <<<"$line")' ]"
	done < "$T/self"
	check "self-test: exits 0 ($(wc -l < "$T/self") cases)" "python3 $PC --self-test >/dev/null"
fi

A="'10.0.0.1', '10.0.0.2'"
if ovx_case epoch-synthetic; then
	pcap "$T/rep.pcap" "[($A, 9, 0, (1, 1)), ($A, 9, 0, (1, 2)), ($A, 9, 0, (2, 1)), ($A, 9, 0, (1, 2))]"
	v=$(verdict "$T/rep.pcap")
	check "a counter twice in data epoch 1 fails ($v)" "[ '$v' = '1 packets 4 repeated 1 epoch-format 4' ]"
	pcap "$T/two.pcap" "[($A, 9, 0, (1, 1)), ($A, 9, 0, (1, 2)), ($A, 9, 0, (2, 1)), ($A, 9, 0, (2, 2))]"
	v=$(verdict "$T/two.pcap")
	check "the same counters in data epochs 1 and 2 pass ($v)" "[ '$v' = '0 packets 4 repeated 0 epoch-format 4' ]"
	v=$(verdict --format=epoch "$T/rep.pcap")
	check "--format=epoch: the repeat fails ($v)" "[ '$v' = '1 packets 4 repeated 1 epoch-format 4' ]"
	check "the report names the data epochs" \
		"python3 $PC $T/two.pcap | grep 'key 0 epoch 0 data-epoch 2: 2 packets, ids 1..2, 0 repeated' >/dev/null"
	# epoch packets read in the 2.6 format (--format=v2): 4-byte ids of
	# data epoch << 16 only (counters below 65,536), 0x00010000 three
	# times: false repeats, what telling the format apart is for
	v=$(verdict --format=v2 "$T/rep.pcap")
	check "--format=v2 reads 4-byte ids ($v)" "[ '$v' = '1 packets 4 repeated 2 epoch-format 0' ]"
	pcap "$T/v2.pcap" "[($A, 9, 0, 1), ($A, 9, 0, 65536), ($A, 9, 0, 65537), ($A, 9, 0, 131072)]"
	v=$(verdict "$T/v2.pcap")
	check "a 2.6 capture stays in the 2.6 format ($v)" "[ '$v' = '0 packets 4 repeated 0 epoch-format 0' ]"
fi

if ovx_case epoch-captures; then
	for f in tests/epoch_vectors/*.pcap; do
		n=$(python3 "$PC" "$f" | awk '/^packets/ {print $2}')
		v=$(verdict "$f")
		check "$(basename "$f"): in the epoch format, nothing repeated ($v)" \
			"[ '$v' = '0 packets $n repeated 0 epoch-format $n' ]"
		# the last data packet's record appended again: a packet sent twice
		python3 -c 'import sys; sys.path.insert(0, "scripts/lib"); import pid_check
recs = list(pid_check.read_pcap(sys.argv[1]))
data = open(sys.argv[1], "rb").read()
last = [r for r in recs if pid_check.udp_payload(*r[1:]) and
        data[pid_check.udp_payload(*r[1:])[2]] >> 3 == pid_check.P_DATA_V2][-1]
_, _, _, off, caplen = last
open(sys.argv[2], "wb").write(data + data[off - 16:off + caplen])' "$f" "$T/dup.pcap"
		v=$(verdict "$T/dup.pcap")
		check "$(basename "$f") with a data packet sent twice fails ($v)" \
			"[ '$v' = '1 packets $((n + 1)) repeated 1 epoch-format $((n + 1))' ]"
	done
fi

# scripts/lib/key_switch.py, which reads captures the same way: its rule
if ovx_case key-switch; then
	check "key_switch.py: how long after a renegotiation each fast path sent with the new key" \
		"python3 scripts/lib/key_switch.py --self-test >/dev/null"
fi

ovx_done pid-check
