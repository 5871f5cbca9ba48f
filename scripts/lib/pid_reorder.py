#!/usr/bin/env python3
"""How far packet-ids arrive out of order, from a pcap capture.

Usage: pid_reorder.py CAPTURE.pcap [SOURCE]

For each direction (source and destination address and port), peer-id and
key-id of the P_DATA_V2 packets in the capture (in capture order, as a
receiver sees them), the reorder distance of a packet is how far its
packet-id lies below the highest one seen before it in that stream (0 if it
is the highest). A stock OpenVPN refuses a packet whose distance reaches its
replay window (--replay-window, 64 by default) with "bad packet ID (may be a
replay)". A drop back to a small packet-id (a key-id used again by a new
key, whose ids start at 1) starts the stream again. SOURCE ("10.99.0.1")
keeps only the streams sent from that address.

Prints one line per stream ("src > dst peer P key K: N packets, max reorder
D, late L" where L counts packets at distance >= 64) and a last line
"reorder max D late L".
"""
import sys

from pid_check import P_DATA_V2, endpoint, read_pcap, udp_payload

WINDOW = 64		# OpenVPN's default --replay-window
NEW_KEY_PID = 1024	# as pid_check.py: a new key's first ids come from OpenVPN


def main(path, source=None):
    streams = {}	# (src, dst, peer, key) -> [n, highest, max distance, late]
    for _, lt, d, o, caplen in read_pcap(path):
        u = udp_payload(lt, d, o, caplen)
        if not u:
            continue
        src, dst, pl = u
        h = d[pl:pl + 8]
        if len(h) < 8 or h[0] >> 3 != P_DATA_V2:
            continue
        if source and not endpoint(src).startswith(source + ':'):
            continue
        key = (src, dst, int.from_bytes(h[1:4], 'big'), h[0] & 7)
        pid = int.from_bytes(h[4:8], 'big')
        s = streams.setdefault(key, [0, 0, 0, 0])
        if pid < NEW_KEY_PID and s[1] - pid > 65536:
            s[1] = 0	# a new key with this key-id
        s[0] += 1
        dist = s[1] - pid if pid < s[1] else 0
        s[1] = max(s[1], pid)
        s[2] = max(s[2], dist)
        s[3] += dist >= WINDOW
    worst = late = 0
    for (src, dst, peer, key), s in sorted(streams.items()):
        print(f'{endpoint(src)} > {endpoint(dst)} peer {peer} key {key}: {s[0]} packets, '
              f'max reorder {s[2]}, late {s[3]}')
        worst, late = max(worst, s[2]), late + s[3]
    print(f'reorder max {worst} late {late}')
    return 0


if __name__ == '__main__':
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
