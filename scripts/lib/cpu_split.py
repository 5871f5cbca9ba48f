#!/usr/bin/env python3
"""Whose CPU a bench run took, side by side (scripts/bench-openvpn.sh).

  cpu_split.py window START LEN SIDE=NS[,NS...]... [--pkts NS:DEV]

sleeps START s, takes a snapshot, sleeps LEN s, takes another, and prints
one JSON object: the packets the link device DEV of namespace NS moved
(received + sent) over the window, and every task's CPU time over it,
attributed to a side (SIDE: "srv", "cli", ...; a side's namespaces) and a
kind:
  openvpn, iperf3, daemon (ovpn-xdpd), process (any other process of the
  side's namespaces): by the task's network namespace;
  napi_link (the NAPI thread of a device named in --pkts or veth-*),
  napi_helper (the checksum helper, ovxc*), napi (any other): NAPI threads,
  by the namespace of their device (netdev genetlink, napi-get dump);
  and, on no side ("shared"): ksoftirqd, kworker, rest (every other task:
  other processes, other kernel threads), unattributed (the machine's busy
  time that no live task's run time holds: interrupts and softirq taken
  while a CPU was idle, and tasks that ended within the window).
Task run time is /proc/<pid>/task/<tid>/schedstat (ns; softirq served in a
task's context is the task's). The machine's busy and steal time is
/proc/stat's (user, nice, system, irq, softirq; steal apart: a VM's host
taking the CPU).  The window runs while iperf3 runs, so that its processes
are counted before they exit.
"""
import ctypes
import json
import os
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NETDEV_CMD_NAPI_GET = 11
NETDEV_A_NAPI_IFINDEX = 1
NETDEV_A_NAPI_PID = 4
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
HZ = os.sysconf("SC_CLK_TCK")
LIBC = ctypes.CDLL(None, use_errno=True)


def attrs(buf):
    """{type: payload} of a run of netlink attributes."""
    out, off = {}, 0
    while off + 4 <= len(buf):
        ln, typ = struct.unpack_from("HH", buf, off)
        if ln < 4:
            break
        out[typ & 0x3FFF] = buf[off + 4:off + ln]
        off += (ln + 3) & ~3
    return out


def genl_request(sock, family, cmd, flags, payload=b""):
    hdr = struct.pack("IHHII", 16 + 4 + len(payload), family, NLM_F_REQUEST | flags, 1, 0)
    sock.send(hdr + struct.pack("BBH", cmd, 1, 0) + payload)
    msgs = []
    while True:
        data = sock.recv(65536)
        off = 0
        while off + 16 <= len(data):
            ln, typ = struct.unpack_from("IH", data, off)
            if typ == NLMSG_DONE:
                return msgs
            if typ == NLMSG_ERROR:
                err = struct.unpack_from("i", data, off + 16)[0]
                if err:
                    raise OSError(-err, "genetlink")
                return msgs
            msgs.append(attrs(data[off + 20:off + ln]))
            off += (ln + 3) & ~3
        if not flags & NLM_F_DUMP:
            return msgs


def napi_threads():
    """{pid: ifindex} of the threaded NAPIs of the current namespace."""
    try:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        name = b"netdev\0"
        fam = genl_request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0,
                           struct.pack("HH", 4 + len(name), CTRL_ATTR_FAMILY_NAME)
                           + name + b"\0" * (-len(name) % 4))
        fid = struct.unpack("H", fam[0][CTRL_ATTR_FAMILY_ID][:2])[0]
        out = {}
        for a in genl_request(sock, fid, NETDEV_CMD_NAPI_GET, NLM_F_DUMP):
            if NETDEV_A_NAPI_PID in a:
                out[struct.unpack("I", a[NETDEV_A_NAPI_PID][:4])[0]] = \
                    struct.unpack("I", a[NETDEV_A_NAPI_IFINDEX][:4])[0]
        sock.close()
        return out
    except OSError:
        return {}


def ifnames():
    """{ifindex: name} of the current namespace."""
    return dict(socket.if_nameindex())


def link_packets(dev):
    for line in open("/proc/self/net/dev").read().splitlines()[2:]:
        name, rest = line.split(":", 1)
        if name.strip() == dev:
            v = rest.split()
            return int(v[1]) + int(v[9])
    return 0


def in_netns(path, fn):
    """fn() run inside the network namespace at path, then back."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    fd = os.open(path, os.O_RDONLY)
    try:
        if LIBC.setns(fd, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns " + path)
        return fn()
    finally:
        LIBC.setns(home, CLONE_NEWNET)
        os.close(fd)
        os.close(home)


def machine():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    busy = v[0] + v[1] + v[2] + v[5] + v[6]
    return {"busy_ns": busy * 10**9 // HZ, "steal_ns": v[7] * 10**9 // HZ,
            "softirq_ns": v[6] * 10**9 // HZ}


def tasks():
    """{(tid, start): (comm, netns inode or None, run ns)} of every task."""
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            net = os.stat("/proc/%s/ns/net" % pid).st_ino
        except OSError:
            net = None
        try:
            tids = os.listdir("/proc/%s/task" % pid)
        except OSError:
            continue
        for tid in tids:
            base = "/proc/%s/task/%s/" % (pid, tid)
            try:
                stat = open(base + "stat").read()
                run = int(open(base + "schedstat").read().split()[0])
            except (OSError, ValueError, IndexError):
                continue
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            rest = stat[stat.rindex(")") + 2:].split()
            kthread = int(rest[6]) & 0x00200000	# PF_KTHREAD
            out[(int(tid), rest[19])] = (comm, None if kthread else net, run)
    return out


def snapshot(sides, pkts):
    snap = {"t": time.monotonic_ns(), "napi": {}, "pkts": 0}
    for side, paths in sides.items():
        for path in paths:
            def look():
                names = ifnames()
                return {pid: (side, names.get(ix, "?"))
                        for pid, ix in napi_threads().items()}
            snap["napi"].update(in_netns(path, look))
    for ns, dev in pkts:
        snap["pkts"] += in_netns("/run/netns/" + ns, lambda d=dev: link_packets(d))
    snap["machine"] = machine()
    snap["tasks"] = tasks()
    return snap


def kind(comm, dev, links):
    if dev is not None:
        if dev in links or dev.startswith("veth"):
            return "napi_link"
        return "napi_helper" if dev.startswith("ovxc") else "napi"
    if comm == "openvpn" or comm == "iperf3":
        return comm
    return "daemon" if comm.startswith("ovpn-xdpd") else "process"


def split(a, b, sides, links):
    inode = {os.stat(p).st_ino: side for side, paths in sides.items() for p in paths}
    out = {side: {} for side in sides}
    out["shared"] = {}
    total = 0
    for key, (comm, net, run) in b["tasks"].items():
        prev = a["tasks"].get(key)
        ns = run - (prev[2] if prev else 0)
        if ns <= 0:
            continue
        total += ns
        napi = b["napi"].get(key[0]) or a["napi"].get(key[0])
        if napi:
            side, k = napi[0], kind(comm, napi[1], links)
        elif net in inode:
            side, k = inode[net], kind(comm, None, links)
        elif net is None and comm.startswith("ksoftirqd"):
            side, k = "shared", "ksoftirqd"
        elif net is None and comm.startswith("kworker"):
            side, k = "shared", "kworker"
        else:
            side, k = "shared", "rest"
        out[side][k] = out[side].get(k, 0) + ns
        if os.environ.get("CPU_SPLIT_DEBUG") and ns > 10**7:
            print(key[0], comm, net, side, k, ns // 10**6, "ms", file=sys.stderr)
    m = {k: b["machine"][k] - a["machine"][k] for k in b["machine"]}
    out["shared"]["unattributed"] = max(0, m["busy_ns"] - total)
    return {"wall_ns": b["t"] - a["t"], "pkts": b["pkts"] - a["pkts"],
            "busy_ns": m["busy_ns"], "steal_ns": m["steal_ns"],
            "softirq_ns": m["softirq_ns"], "cpu": out}


def main(argv):
    if len(argv) < 4 or argv[1] != "window":
        sys.exit(__doc__)
    start, length = float(argv[2]), float(argv[3])
    sides, pkts = {}, []
    args = argv[4:]
    while args:
        a = args.pop(0)
        if a == "--pkts":
            ns, dev = args.pop(0).split(":")
            pkts.append((ns, dev))
        else:
            side, nss = a.split("=", 1)
            sides[side] = ["/run/netns/" + n for n in nss.split(",") if n]
    links = {dev for _, dev in pkts}
    time.sleep(start)
    a = snapshot(sides, pkts)
    time.sleep(length)
    b = snapshot(sides, pkts)
    print(json.dumps(split(a, b, sides, links), sort_keys=True))


if __name__ == "__main__":
    main(sys.argv)
