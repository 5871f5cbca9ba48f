#!/usr/bin/env bash
# Records a real OpenVPN 2.7 <-> 2.7 capture in the epoch data format, with the
# keys, for the unit tests (tests/epoch_vectors/): both ends OpenVPN 2.7.6
# (build/openvpn-2.7.6/full/openvpn, scripts/build-openvpn.sh), not offloaded;
# the server loads the plugin only to write the captured TLS-EKM key material
# (dump=), no daemon. reneg-sec 10: several keys (key-id 0, 1, 2...). IPv4 and
# IPv6 pings inside, full packets captured on the server's veth.
# Run as root under the netns lock:
#   flock /tmp/ovx-netns.lock scripts/make-epoch-vectors.sh CIPHER OUTDIR
# Writes OUTDIR/<cipher>.pcap and OUTDIR/<cipher>.keys in the format of
# ../shared/vectors (README there): one line per key, key-ids 0, 1, 2... in the
# order OpenVPN derived them; the "key" columns hold the 32 bytes of each
# direction's cipher slot of the TLS-EKM export, the epoch format's E1 secrets.
set -u
cd "$(dirname "$0")/.." || exit 1
CIPHER=${1:-AES-256-GCM}
OUT=${2:-tests/epoch_vectors}
B=$PWD/build
T=$(mktemp -d /tmp/ovpn-xdp-epochvec.XXXXXX)
OVX_NS=${OVX_NS:-ovxep}
OVPN27=$B/openvpn-2.7.6/full/openvpn
. scripts/lib/openvpn.sh
trap ovx_cleanup EXIT
[ -x "$OVPN27" ] || scripts/build-openvpn.sh >/dev/null || exit 1
scripts/lib/pki.sh "$T/pki" || exit 1
ovx_topology || exit 1
name=$(echo "$CIPHER" | tr 'A-Z' 'a-z')
RENEG=10 OFFLOAD='' ovx_server_conf "$CIPHER" > "$T/srv.conf"
echo "plugin $B/ovpn-xdp-plugin.so socket=$T/none.sock link=veth-s dump=$T/dump" >> "$T/srv.conf"
ovx_client_conf "$CIPHER" > "$T/cli.conf"
ip netns exec "$SRV" tcpdump -i veth-s -n -s 0 -U -w "$T/cap.pcap" udp port 1194 2> "$T/cap.log" &
cap=$!
sleep 1
ip netns exec "$SRV" "$OVPN27" --config "$T/srv.conf" --writepid "$T/srv.pid" --log "$T/srv.log" --daemon &&
ip netns exec "$CLI" "$OVPN27" --config "$T/cli.conf" --writepid "$T/cli.pid" --log "$T/cli.log" --daemon &&
ovx_wait_ping || { echo "tunnel not up"; cat "$T/srv.log"; exit 1; }
for _ in 1 2 3; do
	ip netns exec "$CLI" ping -c 8 -i 0.2 -s 200 10.8.0.1 >/dev/null
	ip netns exec "$CLI" ping -6 -c 8 -i 0.2 -s 1200 fd00:8::1 >/dev/null
	sleep 7
done
kill -INT $cap; wait $cap
grep -q 'aead-epoch' "$T/srv.log" || { echo "no epoch format negotiated"; grep -i 'protocol-flags\|epoch' "$T/srv.log"; exit 1; }
mkdir -p "$OUT"
cp "$T/cap.pcap" "$OUT/$name.pcap"
{
	echo "# OpenVPN 2.7.6 <-> 2.7.6, $CIPHER, epoch data format (scripts/make-epoch-vectors.sh)"
	awk -v c="$CIPHER" '$1 == "key" {
		m = $3; split($2, r, ":")
		printf "0 %d %s %s:%s 10.8.0.2 fd00:8::1000 %s %s %s %s\n", n++, c, r[1], r[2],
			substr(m, 1, 64), substr(m, 129, 16), substr(m, 257, 64), substr(m, 385, 16)
	}' "$T/dump"
} > "$OUT/$name.keys"
echo "$OUT/$name.pcap: $(tcpdump -r "$OUT/$name.pcap" 2>/dev/null | wc -l) packets, $(wc -l < "$OUT/$name.keys") keys"
grep -i 'epoch\|protocol-flags' "$T/srv.log" | head -5
