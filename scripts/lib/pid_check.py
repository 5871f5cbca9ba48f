#!/usr/bin/env python3
"""No (key, packet-id) pair twice per direction, from pcap captures.

Usage: pid_check.py [--epoch] CAPTURE.pcap...  (classic pcap, Ethernet or Linux cooked
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

--epoch: OpenVPN 2.7's epoch data format, whose packet-id is 8 bytes (epoch
<< 48 | counter, docs/epoch.md): that whole value must not repeat (a new key
starts at a counter below NEW_KEY_PID in any epoch).

Prints one line per direction and group ("src > dst peer P key K epoch E:
N packets, ids A..B, D repeated"), a summary line "packets N repeated D",
and exits 1 if anything repeated. pid_check.py --self-test checks the rule on
synthetic sequences.
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
    """Yields (time, linktype, data, offset, caplen) of each record of a
    classic pcap file (the frame is data[offset:offset + caplen])."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack_from('<I', data)[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        end = '<'
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        end = '>'
    else:
        raise ValueError(f'{path}: not a classic pcap file')
    scale = 1e-9 if magic in (0xa1b23c4d, 0x4d3cb2a1) else 1e-6
    linktype = struct.unpack_from(end + 'I', data, 20)[0] & 0xffff
    rec = struct.Struct(end + 'IIII')
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = rec.unpack_from(data, off)
        off += 16
        yield sec + frac * scale, linktype, data, off, caplen
        off += caplen


def l3(linktype, d, o):
    """(ethertype, offset of the IP header) or None."""
    if linktype == 1:		# Ethernet, VLAN tags skipped
        etype = int.from_bytes(d[o + 12:o + 14], 'big')
        o += 14
        while etype in (0x8100, 0x88a8):
            etype = int.from_bytes(d[o + 2:o + 4], 'big')
            o += 4
        return etype, o
    if linktype == 113:		# Linux cooked v1
        return int.from_bytes(d[o + 14:o + 16], 'big'), o + 16
    if linktype == 276:		# Linux cooked v2
        return int.from_bytes(d[o:o + 2], 'big'), o + 20
    return None


def udp_payload(linktype, d, o, caplen):
    """(src, dst, offset of the payload) of a UDP datagram (first fragment
    only), or None; src and dst are address + port bytes (see endpoint())."""
    end = o + caplen
    r = l3(linktype, d, o)
    if not r:
        return None
    etype, o = r
    if etype == 0x0800 and end >= o + 20:
        if d[o + 9] != 17 or int.from_bytes(d[o + 6:o + 8], 'big') & 0x1fff:
            return None
        src, dst = d[o + 12:o + 16], d[o + 16:o + 20]
        o += (d[o] & 15) * 4
    elif etype == 0x86dd and end >= o + 40:
        if d[o + 6] != 17:
            return None
        src, dst = d[o + 8:o + 24], d[o + 24:o + 40]
        o += 40
    else:
        return None
    if end < o + 16:		# UDP header and a data packet's 8 bytes
        return None
    return src + d[o:o + 2], dst + d[o + 2:o + 4], o + 8


def endpoint(b):
    """"addr:port" ("[addr]:port" for IPv6) of address + port bytes."""
    port = int.from_bytes(b[-2:], 'big')
    if len(b) == 6:
        return f'{socket.inet_ntop(socket.AF_INET, b[:4])}:{port}'
    return f'[{socket.inet_ntop(socket.AF_INET6, b[:16])}]:{port}'


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
        elif pid & 0xffffffffffff < NEW_KEY_PID and armed > self.taken[stream]:
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
            src, dst = endpoint(src), endpoint(dst)
            print(f'{src} > {dst} peer {peer} key {key} epoch {ep}: {g[1]} packets, '
                  f'ids {g[2]}..{g[3]}, {g[4]} repeated')
            total += g[1]
            repeats += g[4]
        print(f'packets {total} repeated {repeats}')
        return repeats


def main(paths, idlen=4):
    pkts = []
    for i, path in enumerate(paths):
        for n, (t, lt, d, o, caplen) in enumerate(read_pcap(path)):
            u = udp_payload(lt, d, o, caplen)
            if u:
                pl = u[2]
                pkts.append((t, i, n, u[0], u[1], d[pl:pl + 4 + idlen]))
    pkts.sort(key=lambda p: p[:3])
    c = Checker()
    for _, _, _, src, dst, h in pkts:
        op, key = h[0] >> 3, h[0] & 7
        if op in RESETS:
            c.reset(src, dst, key)
        elif op == P_DATA_V2:
            c.data(src, dst, key, int.from_bytes(h[1:4], 'big'), int.from_bytes(h[4:], 'big'))
    return 1 if c.report() else 0


def synthetic(path, packets):
    """Writes (src, dst, opcode, key-id, packet-id) UDP/IPv4 frames as pcap."""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for n, (src, dst, op, key, pid) in enumerate(packets):
            pl = bytes([op << 3 | key, 0, 0, 1]) + struct.pack('>I', pid) + bytes(8)
            ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + 8 + len(pl), 0, 0, 64, 17, 0,
                             socket.inet_aton(src), socket.inet_aton(dst))
            frame = bytes(12) + b'\x08\x00' + ip + struct.pack('>HHHH', 1194, 1194, 8 + len(pl), 0) + pl
            f.write(struct.pack('<IIII', n, 0, len(frame), len(frame)) + frame)


def self_test():
    """The rule on known sequences: exits 0 if every verdict is right."""
    import tempfile
    a, b = '10.0.0.1', '10.0.0.2'
    d = lambda pid, key=0: (a, b, P_DATA_V2, key, pid)
    cases = [
        ('in order', [d(1), d(2), d(65537)], 0),
        ('reordered', [d(2), d(1), d(4), d(3)], 0),
        ('repeat', [d(1), d(2), d(2)], 1),
        ('back to 1 without a handshake', [d(1), d(2), d(3), d(1), d(2)], 2),
        ('new session (hard reset)', [d(1), d(2), (b, a, 7, 0, 1), d(1), d(2)], 0),
        ('key-id reused after a soft reset', [d(1, 3), d(2, 3), (a, b, 3, 3, 1), d(1, 3)], 0),
        ('old key still in flight after the reset', [d(70000), (b, a, 7, 0, 1), d(70001), d(1)], 0),
        ('soft reset of another key-id', [d(1, 3), d(2, 3), (a, b, 3, 4, 1), d(1, 3)], 1),
        ('other direction is another stream', [d(1), (b, a, P_DATA_V2, 0, 1)], 0),
    ]
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, pkts, want in cases:
            synthetic(f'{tmp}/t.pcap', pkts)
            c = Checker()
            for t, lt, data, o, caplen in read_pcap(f'{tmp}/t.pcap'):
                src, dst, pl = udp_payload(lt, data, o, caplen)
                h = data[pl:pl + 8]
                if h[0] >> 3 in RESETS:
                    c.reset(src, dst, h[0] & 7)
                else:
                    c.data(src, dst, h[0] & 7, 1, int.from_bytes(h[4:8], 'big'))
            got = sum(g[4] for g in c.groups.values())
            print(f'{name}: {got} repeated, want {want}')
            bad += got != want
    return 1 if bad else 0


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == '--self-test':
        sys.exit(self_test())
    if sys.argv[1] == '--epoch':
        sys.exit(main(sys.argv[2:], idlen=8))
    sys.exit(main(sys.argv[1:]))
