#!/usr/bin/env python3
"""No (key, packet-id) pair twice per direction, from pcap captures.

Usage: pid_check.py [--format=auto|v2|epoch] CAPTURE.pcap...  (classic pcap,
Ethernet or Linux cooked v1/v2, as tcpdump -w writes them; packets of all
files are merged by time).

Each P_DATA_V2 packet (UDP payload: opcode 9 << 3 | key-id, 3-byte peer-id,
then the packet-id) is filed under its direction (source and destination
address and port), peer-id, key-id and key epoch, and must not repeat a
packet-id within that group.

Two data formats (docs/epoch.md). The 2.6 format: a 4-byte packet-id. The
epoch format (OpenVPN 2.7 on both ends, AEAD): an 8-byte packet-id, data
epoch (16 bit, never 0) << 48 | counter (48 bit, from 1 in each data epoch);
the group then also has the data epoch, so a counter may come again in
another data epoch but not in the same one. --format=auto (the default)
tells the format of each stream (direction, peer-id, key-id) from its data:
epoch if every packet of it has a non-zero data epoch and a counter below
2^32 (bytes 4-5 not 0, bytes 6-7 0); a 2.6 stream fails this at its first
packet-id that is not a multiple of 65,536 (OpenVPN's first ones, 1, 2, ...).

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
from 1; the fast path starts 65,536 above; in the epoch format: data epoch
1 and a counter below NEW_KEY_PID). Without a reset in between, a
drop back to a small packet-id is *not* a new key: it is reported as the
repeats it is (the trap-1 failure this check exists for). Reordering is
allowed (it is not a repeat); only exact (group, packet-id) repeats count.

Prints one line per direction and group ("src > dst peer P key K epoch E:
N packets, ids A..B, D repeated"; in the epoch format "... epoch E data-epoch
X: ...", the ids being counters), a summary line "packets N repeated D
epoch-format F" (F: packets in the epoch format), and exits 1 if anything
repeated. pid_check.py --self-test checks the rule on
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
    if end < o + 20:		# UDP header and an epoch data packet's 12 bytes
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
        self.groups = {}	# (src, dst, peer, key, epoch, data epoch or None)
        #                 -> [set, n, min, max, repeats]

    def reset(self, src, dst, key):
        pair = tuple(sorted((src, dst)))
        self.armed[(pair, key)] = self.armed.get((pair, key), 0) + 1

    def data(self, src, dst, key, peer, pid, dep=None):
        """A data packet: pid its packet-id (the counter in the epoch
        format), dep its data epoch (None: the 2.6 format)."""
        pair = tuple(sorted((src, dst)))
        stream = (src, dst, peer, key)
        armed = self.armed.get((pair, key), 0)
        if stream not in self.epoch:
            self.epoch[stream] = 0
            self.taken[stream] = armed
        elif pid < NEW_KEY_PID and dep in (None, 1) and armed > self.taken[stream]:
            self.epoch[stream] += 1
            self.taken[stream] = armed
        g = self.groups.setdefault(stream + (self.epoch[stream], dep), [set(), 0, pid, pid, 0])
        if pid in g[0]:
            g[4] += 1
        g[0].add(pid)
        g[1] += 1
        g[2], g[3] = min(g[2], pid), max(g[3], pid)

    def report(self, out=print):
        total = repeats = efmt = 0
        for (src, dst, peer, key, ep, dep), g in sorted(self.groups.items(),
                                                         key=lambda i: (i[0][:5], i[0][5] or 0)):
            src, dst = endpoint(src), endpoint(dst)
            de = '' if dep is None else f' data-epoch {dep}'
            out(f'{src} > {dst} peer {peer} key {key} epoch {ep}{de}: {g[1]} packets, '
                f'ids {g[2]}..{g[3]}, {g[4]} repeated')
            total += g[1]
            repeats += g[4]
            efmt += g[1] if dep is not None else 0
        out(f'packets {total} repeated {repeats} epoch-format {efmt}')
        return repeats


def epoch_shaped(h):
    """Whether a data packet's bytes 4-11 read as an epoch packet-id: data
    epoch not 0, counter below 2^32."""
    return h[4:6] != b'\0\0' and h[6:8] == b'\0\0'


def check(pkts, fmt='auto', out=print):
    """pkts: (src, dst, first 12 bytes of the UDP payload) in time order.
    Returns the number of repeats (report printed through out)."""
    shape = {}		# stream -> every data packet of it epoch-shaped
    for src, dst, h in pkts:
        if h[0] >> 3 == P_DATA_V2:
            s = (src, dst, h[1:4], h[0] & 7)
            shape[s] = shape.get(s, True) and epoch_shaped(h)
    c = Checker()
    for src, dst, h in pkts:
        op, key = h[0] >> 3, h[0] & 7
        if op in RESETS:
            c.reset(src, dst, key)
        elif op == P_DATA_V2:
            peer = int.from_bytes(h[1:4], 'big')
            if fmt == 'epoch' or (fmt == 'auto' and shape[(src, dst, h[1:4], key)]):
                c.data(src, dst, key, peer, int.from_bytes(h[6:12], 'big'),
                       int.from_bytes(h[4:6], 'big'))
            else:
                c.data(src, dst, key, peer, int.from_bytes(h[4:8], 'big'))
    return c.report(out)


def load(paths):
    """The UDP packets of the captures, merged in time order: (src, dst,
    first 12 bytes of the payload)."""
    pkts = []
    for i, path in enumerate(paths):
        for n, (t, lt, d, o, caplen) in enumerate(read_pcap(path)):
            u = udp_payload(lt, d, o, caplen)
            if u:
                pl = u[2]
                pkts.append((t, i, n, u[0], u[1], d[pl:pl + 12]))
    pkts.sort(key=lambda p: p[:3])
    return [p[3:] for p in pkts]


def main(args):
    fmt = 'auto'
    if args and args[0].startswith('--format='):
        fmt = args.pop(0).split('=', 1)[1]
    if fmt not in ('auto', 'v2', 'epoch') or not args:
        sys.exit(__doc__)
    return 1 if check(load(args), fmt) else 0


def synthetic(path, packets):
    """Writes (src, dst, opcode, key-id, packet-id) UDP/IPv4 frames as pcap;
    a packet-id (epoch, counter) is written in the epoch format, else in 4
    bytes (the 2.6 format), either followed by bytes of "ciphertext"."""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for n, (src, dst, op, key, pid) in enumerate(packets):
            if isinstance(pid, tuple):
                pidb = struct.pack('>HHI', pid[0], pid[1] >> 32, pid[1] & 0xffffffff)
            else:
                pidb = struct.pack('>I', pid)
            pl = bytes([op << 3 | key, 0, 0, 1]) + pidb + bytes(range(0xa0, 0xa8))
            ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + 8 + len(pl), 0, 0, 64, 17, 0,
                             socket.inet_aton(src), socket.inet_aton(dst))
            frame = bytes(12) + b'\x08\x00' + ip + struct.pack('>HHHH', 1194, 1194, 8 + len(pl), 0) + pl
            f.write(struct.pack('<IIII', n, 0, len(frame), len(frame)) + frame)


def self_test():
    """The rule on known sequences: exits 0 if every verdict is right."""
    import tempfile
    a, b = '10.0.0.1', '10.0.0.2'
    d = lambda pid, key=0: (a, b, P_DATA_V2, key, pid)
    e = lambda dep, ctr, key=0: (a, b, P_DATA_V2, key, (dep, ctr))
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
        ('2.6 ids that are multiples of 65,536', [d(1), d(65536), d(131072), d(65536)], 1),
        ('epoch: in order', [e(1, 1), e(1, 2), e(1, 65537)], 0),
        ('epoch: repeat in the same data epoch', [e(1, 1), e(1, 2), e(1, 2)], 1),
        ('epoch: same counter in two data epochs', [e(1, 1), e(1, 2), e(2, 1), e(2, 2)], 0),
        ('epoch: old data epoch late', [e(1, 7), e(2, 1), e(1, 6), e(2, 2)], 0),
        ('epoch: back to 1 without a handshake', [e(1, 1), e(1, 2), e(2, 1), e(1, 1)], 1),
        ('epoch: new session (hard reset)', [e(1, 1), e(2, 1), (b, a, 7, 0, 1), e(1, 1), e(2, 1)], 0),
        ('epoch: key-id reused after a soft reset', [e(1, 1, 2), (a, b, 3, 2, 1), e(1, 1, 2)], 0),
        # a counter of 2^32 and more is told only by --format=epoch
        ('epoch: a counter above 2^32 repeated', [e(1, 1), e(1, 1 << 40), e(1, 1 << 40)], 1, 'epoch'),
        ('epoch: a counter above 2^32', [e(1, 1), e(1, 1 << 40), e(1, (1 << 40) + 1)], 0, 'epoch'),
    ]
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, pkts, want, *fmt in cases:
            synthetic(f'{tmp}/t.pcap', pkts)
            got = check(load([f'{tmp}/t.pcap']), *fmt, out=lambda _: None)
            print(f'{name}: {got} repeated, want {want}')
            bad += got != want
    return 1 if bad else 0


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == '--self-test':
        sys.exit(self_test())
    sys.exit(main(sys.argv[1:]))
