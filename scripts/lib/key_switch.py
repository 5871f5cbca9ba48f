#!/usr/bin/env python3
"""How long after a renegotiation each side's fast path sends with the new
key, from pcap captures.

Usage: key_switch.py [--max=SECONDS] CAPTURE.pcap...  (merged by time)

A renegotiation of key-id K between two endpoints starts with their first
P_CONTROL_SOFT_RESET_V1 of key-id K (either way). For each direction of the
pair, the switch is the time from that reset to the first P_DATA_V2 packet
of key-id K with a packet-id of 65,536 or more: the fast path starts that
far above what OpenVPN sent with the key (OVX_LEARN_TX_MARGIN), in the 2.6
format (4-byte packet-id) and the epoch format (its 48-bit counter) alike,
so that packet is the fast path's, or OpenVPN's renumbered by it once the
key is offloaded. A direction without one before the pair's next reset (or
the end) is "never"; a reset less than --max seconds before the end of the
captures is not counted (there was no time to see it).

Prints one line per reset and direction ("src > dst key K at T: first data
+A s, fast path +B s") and a last line "switches N max S never M"; exits 1
if a switch took more than --max seconds (default 2) or never came.
key_switch.py --self-test checks the rule on synthetic packets.
"""
import sys

from pid_check import P_CONTROL_SOFT_RESET_V1, P_DATA_V2, endpoint, epoch_shaped, \
    read_pcap, udp_payload

FAST_PID = 65536


def packets(paths):
    """(time, src, dst, first 12 bytes of the UDP payload), time order."""
    out = []
    for path in paths:
        for t, lt, d, o, caplen in read_pcap(path):
            u = udp_payload(lt, d, o, caplen)
            if u:
                out.append((t, u[0], u[1], bytes(d[u[2]:u[2] + 12])))
    out.sort(key=lambda p: p[0])
    return out


def switches(pkts):
    """[(src, dst, key, reset time, first data time, fast path time)], the
    times None where none came before the pair's next reset."""
    open_ = {}		# (src, dst) -> [key, reset time, first, fast]
    done = []

    def close(d):
        if d in open_:
            done.append((d[0], d[1], *open_.pop(d)))

    for t, src, dst, h in pkts:
        op, key = h[0] >> 3, h[0] & 7
        if op == P_CONTROL_SOFT_RESET_V1:
            for d in ((src, dst), (dst, src)):
                if d not in open_ or open_[d][0] != key:
                    close(d)
                    open_[d] = [key, t, None, None]
        elif op == P_DATA_V2 and (src, dst) in open_:
            s = open_[(src, dst)]
            if key != s[0]:
                continue
            pid = int.from_bytes(h[6:12] if epoch_shaped(h) else h[4:8], 'big')
            s[2] = s[2] if s[2] is not None else t
            if s[3] is None and pid >= FAST_PID:
                s[3] = t
    for d in list(open_):
        close(d)
    return done


def report(pkts, limit, out=print):
    """Returns (number counted, max, never) and prints the lines."""
    end = pkts[-1][0] if pkts else 0
    start = pkts[0][0] if pkts else 0
    n = never = 0
    worst = 0.0
    for src, dst, key, t0, first, fast in switches(pkts):
        if fast is None and t0 > end - limit:
            continue
        n += 1
        lag = (lambda x: 'never' if x is None else f'+{x - t0:.3f} s')
        out(f'{endpoint(src)} > {endpoint(dst)} key {key} at {t0 - start:.3f}: '
            f'first data {lag(first)}, fast path {lag(fast)}')
        if fast is None:
            never += 1
        else:
            worst = max(worst, fast - t0)
    out(f'switches {n} max {worst:.3f} never {never}')
    return n, worst, never


def self_test():
    a, b = b'\x0a\0\0\x01\x04\xaa', b'\x0a\0\0\x02\x04\xbb'

    def data(key, pid, epoch=False):
        h = bytes([P_DATA_V2 << 3 | key, 0, 0, 1])
        if epoch:
            return h + bytes([0, 1, 0, 0]) + pid.to_bytes(4, 'big')
        return h + pid.to_bytes(4, 'big') + b'\0' * 4

    reset = lambda key: bytes([P_CONTROL_SOFT_RESET_V1 << 3 | key]) + b'\0' * 11
    pkts = [(0.0, a, b, data(0, 70000)), (10.0, a, b, reset(1)), (10.2, b, a, data(1, 1)),
            (10.3, b, a, data(1, 70001)), (10.4, a, b, data(1, 2, True)),
            (10.5, a, b, data(0, 70001)), (13.0, a, b, data(1, 65600, True)),
            (20.0, b, a, reset(2)), (20.1, a, b, data(2, 65540)), (29.0, a, b, data(2, 65541))]
    lines = []
    ok = True
    n, worst, never = report(pkts, 2.0, lines.append)
    # b > a switched at +0.3; a > b at +3.0; key 2: a > b at +0.1, b > a never
    ok &= (n, round(worst, 3), never) == (4, 3.0, 1)
    # without the last packet the end is at 20.1: b > a's key 2 had no time
    n, _, never = report(pkts[:-1], 2.0, lambda _: None)
    ok &= (n, never) == (3, 0)
    # with --max 5, b > a's key 1 switched within it, key 2 still never
    n, worst, never = report(pkts, 5.0, lambda _: None)
    ok &= (n, round(worst, 3), never) == (4, 3.0, 1)
    print('key-switch self-test:', 'ok' if ok else 'FAILED', *lines, sep='\n  ')
    return 0 if ok else 1


def main(args):
    limit = 2.0
    if args[:1] == ['--self-test']:
        return self_test()
    while args and args[0].startswith('--max='):
        limit = float(args.pop(0)[6:])
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    n, worst, never = report(packets(args), limit)
    return 0 if n and not never and worst <= limit else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
