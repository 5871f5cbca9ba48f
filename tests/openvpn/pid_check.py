#!/usr/bin/env python3
"""No (key, packet-id) pair twice per direction, from pcap captures.

Usage: pid_check.py CAPTURE.pcap...  (classic pcap, Ethernet or Linux cooked
v1/v2, as tcpdump -w writes them; packets of all files are merged by time).

Each P_DATA_V2 packet (UDP payload: opcode 9 << 3 | key-id, 3-byte peer-id,
4-byte packet-id) is filed under its direction (source and destination
address and port), peer-id, key-id and key epoch, and must not repeat a
packet-id within that group.

Key epochs. A key-id names a key only for a while: it wraps 1..7 within a
session, and a new session (reconnect, restart) starts at 0 again; each new
key's packet-ids start at 1. A new key with a key-id needs a TLS handshake
that announces it: a hard reset (P_CONTROL_HARD_RESET_CLIENT/SERVER_V2/V3,
key-id 0) or a soft reset (P_CONTROL_SOFT_RESET_V1, the new key-id) between
the same two endpoints, in either direction. Old-key packets may still be
in flight after that reset (OpenVPN keeps sending on the old key for a
while, and the receiver accepts them), so the reset only arms the group: the
new epoch begins with the first data packet of that key-id whose packet-id
is below NEW_KEY_PID (a new key's first packets come from OpenVPN, counting
from 1; the fast path starts 65,536 above). Without a reset in between, a
drop back to a small packet-id is *not* a new key: it is reported as the
repeats it is (the trap-1 failure this check exists for). Reordering is
allowed (it is not a repeat); only exact (group, packet-id) repeats count.

Prints one line per direction and group ("src > dst peer P key K epoch E:
N packets, ids A..B, D repeated"), a summary line "packets N repeated D",
and exits 1 if anything repeated.
"""
import socket
import struct
import sys

P_CONTROL_SOFT_RESET_V1 = 3
P_CONTROL_HARD_RESET_CLIENT_V2 = 7
P_CONTROL_HARD_RESET_SERVER_V2 = 8
P_CONTROL_HARD_RESET_CLIENT_V3 = 10
P_DATA_V2 = 9
RESETS = (P_CONTROL_SOFT_RESET_V1, P_CONTROL_HARD_RESET_CLIENT_V2,
          P_CONTROL_HARD_RESET_SERVER_V2, P_CONTROL_HARD_RESET_CLIENT_V3)
NEW_KEY_PID = 1024


def read_pcap(path):
    """Yields (time, linktype, frame) of a classic pcap file."""
    with open(path, 'rb') as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return
        magic = struct.unpack('<I', hdr[:4])[0]
        if magic in (0xa1b2c3d4, 0xa1b23c4d):
            end = '<'
        elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
            end = '>'
        else:
            raise ValueError(f'{path}: not a classic pcap file')
        scale = 1e-9 if magic in (0xa1b23c4d, 0x4d3cb2a1) else 1e-6
        linktype = struct.unpack(end + 'I', hdr[20:24])[0] & 0xffff
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, frac, caplen, _ = struct.unpack(end + 'IIII', rec)
            yield sec + frac * scale, linktype, f.read(caplen)


def l3(linktype, frame):
    """(ethertype, offset of the IP header) or None."""
    if linktype == 1:		# Ethernet, VLAN tags skipped
        off, etype = 14, struct.unpack('>H', frame[12:14])[0]
        while etype in (0x8100, 0x88a8) and len(frame) >= off + 4:
            etype = struct.unpack('>H', frame[off + 2:off + 4])[0]
            off += 4
        return etype, off
    if linktype == 113:		# Linux cooked v1
        return struct.unpack('>H', frame[14:16])[0], 16
    if linktype == 276:		# Linux cooked v2
        return struct.unpack('>H', frame[0:2])[0], 20
    return None


def udp_payload(linktype, frame):
    """(src, dst, payload) of a UDP datagram (first fragment only), or None."""
    r = l3(linktype, frame)
    if not r:
        return None
    etype, off = r
    if etype == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 15) * 4
        if frame[off + 9] != 17 or struct.unpack('>H', frame[off + 6:off + 8])[0] & 0x1fff:
            return None
        src = '.'.join(map(str, frame[off + 12:off + 16]))
        dst = '.'.join(map(str, frame[off + 16:off + 20]))
        off += ihl
    elif etype == 0x86dd and len(frame) >= off + 40:
        if frame[off + 6] != 17:
            return None
        src = ip6(frame[off + 8:off + 24])
        dst = ip6(frame[off + 24:off + 40])
        src, dst = f'[{src}]', f'[{dst}]'
        off += 40
    else:
        return None
    if len(frame) < off + 8:
        return None
    sport, dport = struct.unpack('>HH', frame[off:off + 4])
    return f'{src}:{sport}', f'{dst}:{dport}', frame[off + 8:]


def ip6(b):
    return socket.inet_ntop(socket.AF_INET6, bytes(b))


class Checker:
    def __init__(self):
        self.epoch = {}		# (src, dst, peer, key) -> epoch number
        self.armed = {}		# (pair, key) -> reset count seen
        self.taken = {}		# (pair, key, src, dst, peer) -> reset count used
        self.groups = {}	# (src, dst, peer, key, epoch) -> [set, n, min, max, repeats]

    def reset(self, src, dst, key):
        pair = tuple(sorted((src, dst)))
        self.armed[(pair, key)] = self.armed.get((pair, key), 0) + 1

    def data(self, src, dst, key, peer, pid):
        pair = tuple(sorted((src, dst)))
        stream = (src, dst, peer, key)
        armed = self.armed.get((pair, key), 0)
        if stream not in self.epoch:
            self.epoch[stream] = 0
            self.taken[stream] = armed
        elif pid < NEW_KEY_PID and armed > self.taken[stream]:
            self.epoch[stream] += 1
            self.taken[stream] = armed
        g = self.groups.setdefault(stream + (self.epoch[stream],), [set(), 0, pid, pid, 0])
        if pid in g[0]:
            g[4] += 1
        g[0].add(pid)
        g[1] += 1
        g[2], g[3] = min(g[2], pid), max(g[3], pid)

    def report(self):
        total = repeats = 0
        for (src, dst, peer, key, ep), g in sorted(self.groups.items()):
            print(f'{src} > {dst} peer {peer} key {key} epoch {ep}: {g[1]} packets, '
                  f'ids {g[2]}..{g[3]}, {g[4]} repeated')
            total += g[1]
            repeats += g[4]
        print(f'packets {total} repeated {repeats}')
        return repeats


def main(paths):
    pkts = []
    for i, path in enumerate(paths):
        for n, (t, lt, frame) in enumerate(read_pcap(path)):
            u = udp_payload(lt, frame)
            if u and u[2]:
                pkts.append((t, i, n, u))
    pkts.sort(key=lambda p: p[:3])
    c = Checker()
    for _, _, _, (src, dst, pl) in pkts:
        op, key = pl[0] >> 3, pl[0] & 7
        if op in RESETS:
            c.reset(src, dst, key)
        elif op == P_DATA_V2 and len(pl) >= 8:
            peer = int.from_bytes(pl[1:4], 'big')
            c.data(src, dst, key, peer, struct.unpack('>I', pl[4:8])[0])
    return 1 if c.report() else 0


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
