#!/usr/bin/env python3
"""The benchmark tables in markdown, from one `make bench` run.

  bench-md.py BENCH_JSON [--c-bench FILE] [--short] [--insert DOC...]

BENCH_JSON is what scripts/bench-openvpn.sh wrote (BENCH_JSON=path): each
run's Mbit/s and its CPU by side and kind (scripts/lib/cpu_split.py), the
AEAD costs the daemon measured, the machine. --c-bench: the C benchmarks'
"name value unit" lines of the same run (scripts/run-bench.sh BENCH_OUT).
Prints the markdown (--short: the header, Mbit/s and the CPU per packet
totals, for the README), or with --insert puts it into each DOC between the
lines "<!-- bench:begin -->" and "<!-- bench:end -->".
"""
import json
import os
import re
import sys

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SIDE_KINDS = [("openvpn", "OpenVPN"), ("napi_link", "link NAPI"),
              ("napi_helper", "helper NAPI"), ("napi", "other NAPI"),
              ("daemon", "daemon"), ("iperf3", "iperf3"), ("process", "other")]
CPU_CASES = ["1 up", "1 down"]
SLOW_MODE = 0.15	# a run further than this from its case's median: a slow mode
VARIES = """What varies between machines: everything in Mbit/s (the CPU, its clock,
on a VM what the host gives it: `steal`); the fast path's AEAD with the
kernel's crypto (AES-GCM uses the kernel's `ecb(aes)`: AES-NI where the
kernel has it for BPF, else a constant-time table-free AES about ten times
slower; ChaCha20-Poly1305 is scalar BPF code, the same everywhere but for
the clock) and OpenSSL's with the CPU's instructions (AES-NI, AVX2,
AVX-512). The ratios to userspace OpenVPN are taken within the same run, so
the machine's speed weighs on both; they still move where the fast path's
and OpenSSL's AEAD costs differ by machine (the AEAD table). CPU per packet
per side counts only that side's tasks (its OpenVPN, NAPI threads, daemon,
iperf3): other load on the machine is apart (`others`), so it holds better
than Mbit/s on a busy machine; on 2 CPUs both sides still share the caches."""


def median(v):
    v = sorted(v)
    if not v:
        return None
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def group(n):
    return "{:,}".format(int(round(n)))


def us(ns):
    return "-" if ns is None else "%.1f" % (ns / 1000)


def ratio(a, b):
    return "" if not a or not b else " (%.2fx)" % (a / b)


class Bench:
    def __init__(self, j):
        self.j = j
        self.rows = j.get("rows", [])
        self.runs = {}
        for r in j.get("runs", []):
            self.runs.setdefault((r["setup"], r["cipher"], r["case"]), []).append(r)

    def label(self, row):
        return row["label"]

    def cases(self, row):
        return ["%s %s" % (t["streams"], t["direction"]) for t in row.get("traffic", [])]

    def mbps(self, row, case):
        runs = self.runs.get((row["setup"], row["cipher"], case), [])
        v = [r["mbps"] for r in runs if r.get("mbps")]
        if not v:	# a JSON without runs: the row's median
            t = [t for t in row.get("traffic", []) if "%s %s" % (t["streams"], t["direction"]) == case]
            m = t[0].get("mbps") if t else None
            return (m, m, m) if m else (None, None, None)
        return median(v), min(v), max(v)

    def base(self, row):
        """The userspace row of the same cipher (and OpenVPN version)."""
        user = "user27" if row["setup"].endswith("27") else "user"
        for r in self.rows:
            if r["setup"] == user and r["cipher"] == row["cipher"]:
                return r
        return None

    def per_packet(self, row, case, side):
        """{kind: median ns per packet} of a side, and the median total."""
        runs = [r["split"] for r in self.runs.get((row["setup"], row["cipher"], case), [])
                if r.get("split") and r["split"].get("pkts")]
        if not runs:
            return {}, None
        out = {}
        for k in {k for s in runs for k in s["cpu"].get(side, {})}:
            out[k] = median([s["cpu"].get(side, {}).get(k, 0) / s["pkts"] for s in runs])
        total = median([sum(s["cpu"].get(side, {}).values()) / s["pkts"] for s in runs])
        return out, total

    def others(self, row, case):
        """Median ns per packet of what no side holds, and the steal share."""
        runs = [r["split"] for r in self.runs.get((row["setup"], row["cipher"], case), [])
                if r.get("split") and r["split"].get("pkts")]
        if not runs:
            return None, None
        return (median([sum(s["cpu"]["shared"].values()) / s["pkts"] for s in runs]),
                median([s["steal_ns"] / max(1, s["busy_ns"] + s["steal_ns"]) for s in runs]))


def spread(b):
    """One line: whether every run of every case lies within SLOW_MODE of its
    case's median (issue 16's slow mode: whole runs at about half speed),
    and the run furthest from it."""
    worst, n = None, 0
    labels = {(r["setup"], r["cipher"]): r["label"] for r in b.rows}
    for (setup, cipher, case), runs in sorted(b.runs.items()):
        v = [r["mbps"] for r in runs if r.get("mbps")]
        if len(v) < 2:
            continue
        m = median(v)
        n += len(v)
        for x in v:
            d = abs(x - m) / m
            if worst is None or d > worst[0]:
                worst = (d, "%s %s, %s: %s against a median of %s" % (
                    cipher, labels.get((setup, cipher), setup), case, group(x), group(m)))
    if worst is None:
        return []
    return ["Spread: %s of %d runs within %d %% of their case's median; the furthest "
            "%.0f %% from it (%s)." % ("all" if worst[0] <= SLOW_MODE else "not all", n,
                                       SLOW_MODE * 100, worst[0] * 100, worst[1])]


def header(b):
    j = b.j
    return ("Measured %s by `make bench` (one run): %d x %s, Linux %s, %s, commit %s; "
            "load average %s before, %s after; each figure the median of %d runs of %d s "
            "(min-max in brackets)." % (
                j.get("date", "?"), j.get("cpus", 0), j.get("cpu_model", "?"),
                j.get("kernel", "?"), j.get("openvpn", "OpenVPN ?"), j.get("commit", "?"),
                j.get("load_before", "?"), j.get("load_after", "?"), j.get("reps", 0),
                j.get("seconds", 0)))


def throughput(b, short=False):
    rows = [r for r in b.rows if not r["setup"].startswith("many")]
    if not rows:
        return []
    cases = b.cases(rows[0])
    if short:
        cases = [c for c in cases if c in CPU_CASES] or cases
    out = ["| Mbit/s | " + " | ".join(cases) + " | idle RTT |",
           "|---" * (len(cases) + 2) + "|"]
    for row in rows:
        base = b.base(row)
        name = row["label"] if not row["cipher"] else "%s, %s" % (row["cipher"], row["label"])
        cells = []
        for c in cases:
            m, lo, hi = b.mbps(row, c)
            if m is None:
                cells.append("-")
                continue
            cell = group(m)
            if not short and lo != hi:
                cell += " [%s-%s]" % (group(lo), group(hi))
            if base is not None and base is not row:
                cell += ratio(m, b.mbps(base, c)[0])
            cells.append(cell)
        rtt = row.get("rtt_ms")
        cells.append("-" if rtt is None else "%.3f ms" % rtt)
        out.append("| %s | %s |" % (name, " | ".join(cells)))
    return out


def cpu_table(b, case, short=False):
    rows = [r for r in b.rows if r["setup"] != "veth" and not r["setup"].startswith("many")]
    have = [r for r in rows if b.per_packet(r, case, "srv")[1] is not None]
    if not have:
        return []
    if short:
        out = ["| us per packet, %s | server | client | others |" % case, "|---|---|---|---|"]
    else:
        out = ["| us per packet, %s | server | client | others | steal |" % case,
               "|---|---|---|---|---|"]
    for row in have:
        base = b.base(row)
        name = "%s, %s" % (row["cipher"], row["label"])
        cells = []
        for side in ("srv", "cli"):
            kinds, total = b.per_packet(row, case, side)
            cell = us(total)
            if base is not None and base is not row:
                cell += ratio(total, b.per_packet(base, case, side)[1])
            if not short:
                parts = ["%s %s" % (n, us(kinds[k])) for k, n in SIDE_KINDS
                         if kinds.get(k, 0) >= 50]
                cell += ": " + ", ".join(parts) if parts else ""
            cells.append(cell)
        oth, steal = b.others(row, case)
        cells.append(us(oth))
        if not short:
            cells.append("%.0f %%" % (100 * steal) if steal is not None else "-")
        out.append("| %s | %s |" % (name, " | ".join(cells)))
    return out


def many_table(b, short=False):
    rows = [r for r in b.rows if r["setup"].startswith("many")]
    if not rows:
        return []
    cases = b.cases(rows[0])
    out = ["| %d clients, server | %s |%s" % (b.j.get("many_clients", 8), " | ".join(
        "%s: Mbit/s, server us per packet" % c for c in cases),
        "" if short else " server, %s, by kind |" % cases[0]),
        "|---" * (len(cases) + 1 + (not short)) + "|"]
    for row in rows:
        base = next((r for r in rows if r["setup"] == "many-user" and r["cipher"] == row["cipher"]), None)
        cells = []
        for c in cases:
            m, lo, hi = b.mbps(row, c)
            _, total = b.per_packet(row, c, "srv")
            cell = "-" if m is None else group(m)
            if m is not None and lo != hi:
                cell += " [%s-%s]" % (group(lo), group(hi))
            if base is not None and base is not row and m is not None:
                cell += ratio(m, b.mbps(base, c)[0])
            cell += ", " + us(total)
            if base is not None and base is not row:
                cell += ratio(total, b.per_packet(base, c, "srv")[1])
            cells.append(cell)
        if not short:
            kinds, _ = b.per_packet(row, cases[0], "srv")
            cells.append(", ".join("%s %s" % (n, us(kinds[k])) for k, n in SIDE_KINDS
                                   if kinds.get(k, 0) >= 50) or "-")
        out.append("| %s, %s | %s |" % (row["cipher"], row["label"], " | ".join(cells)))
    return out


def aead_table(b, cbench):
    costs = b.j.get("aead_costs") or []
    if not costs and not cbench:
        return []
    out = ["| AEAD, us per 1408-byte packet | fast path (BPF) | OpenSSL | fast path / OpenSSL |",
           "|---|---|---|---|"]
    for c in costs:
        f, o = c.get("fastpath_ns"), c.get("openssl_ns")
        out.append("| %s (daemon, at its start) | %s | %s | %s |" % (
            c.get("cipher", "?"), us(f), us(o), "%.1fx" % (f / o) if f and o else "-"))
    for name in sorted({m.group(1) for k in cbench for m in [re.match(r"bpf_(.+)_seal_1408$", k)] if m}):
        f = [cbench.get("bpf_%s_%s_1408" % (name, op)) for op in ("seal", "open")]
        o = [cbench.get("openssl_%s_%s_1408" % (name.replace("_generic", ""), op))
             for op in ("seal", "open")]
        if None in f or None in o:
            continue
        out.append("| %s seal / open (bench_aead) | %s / %s | %s / %s | %.1fx / %.1fx |" % (
            name, us(f[0]), us(f[1]), us(o[0]), us(o[1]), f[0] / o[0], f[1] / o[1]))
    return out


def read_cbench(path):
    out = {}
    if not path or not os.path.exists(path):
        return out
    for line in open(path):
        f = line.split()
        if len(f) == 3 and re.match(r"^-?[0-9.]+$", f[1]):
            v = float(f[1])
            out[f[0]] = v * 1000 if f[2] == "us" else v
    return out


def markdown(b, cbench, short=False):
    tables = [throughput(b, short)] + [cpu_table(b, c, short) for c in CPU_CASES]
    tables += [many_table(b, short)] + ([] if short else [aead_table(b, cbench)])
    parts = [header(b)]
    if not short:
        tables = [spread(b)] + tables
    for t in tables:
        if t:
            parts += [""] + t
    parts += ["", "Mbit/s: what the iperf3 receiver got; x: the ratio to userspace OpenVPN "
              "with the same cipher in the same run. us per packet: a side's CPU time over "
              "the packets on the link (both directions, data and ACKs), in a window inside "
              "each iperf3 run; others: what no side holds (other processes, ksoftirqd, "
              "kworkers, interrupts on idle CPUs)" + ("." if short else
              "; steal: the share of the machine's CPU its VM host took."), "", VARIES]
    return "\n".join(parts) + "\n"


def insert(doc, text):
    s = open(doc).read()
    if BEGIN not in s or END not in s:
        sys.exit("bench-md: %s has no %s ... %s lines" % (doc, BEGIN, END))
    head, rest = s.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    open(doc, "w").write(head + BEGIN + "\n" + text + END + tail)


def main(argv):
    args, cb, short, docs = argv[1:], None, False, []
    if not args:
        sys.exit(__doc__)
    path = args.pop(0)
    while args:
        a = args.pop(0)
        if a == "--c-bench":
            cb = args.pop(0)
        elif a == "--short":
            short = True
        elif a == "--insert":
            docs, args = args, []
        else:
            sys.exit(__doc__)
    b = Bench(json.load(open(path)))
    cbench = read_cbench(cb)
    if not docs:
        sys.stdout.write(markdown(b, cbench, short))
    for d in docs:
        insert(d, markdown(b, cbench, short=d.endswith("README.md")))


if __name__ == "__main__":
    main(sys.argv)
