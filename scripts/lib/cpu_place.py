#!/usr/bin/env python3
"""Where the busy threads of a bench run ran (scripts/profile-openvpn.sh).

  cpu_place.py SECONDS KEY

samples every 10 ms for SECONDS the state and last CPU (/proc/<pid>/task/
<tid>/stat: state, processor) of the NAPI threads and iperf3 (found once at
the start, so that sampling reads a few files only) and prints, in the
format of make bench ("name value unit"), per thread the share of samples
it was running or runnable (R) and on CPU 0, and for each pair of threads
the share of samples both were R on the same CPU (one waiting for the
other): two pipeline stages on one CPU while another idles would show here.
"""
import collections
import glob
import itertools
import re
import sys
import time


def threads():
    out = {}
    for f in glob.glob("/proc/[0-9]*/task/[0-9]*/stat"):
        try:
            s = open(f).read()
        except OSError:
            continue
        comm = s[s.index("(") + 1:s.rindex(")")]
        if comm.startswith("napi/") or comm == "iperf3":
            out[f] = "%s.%s" % (re.sub(r"-[0-9]+$", "", comm).replace("napi/", "napi_"),
                                f.split("/")[4])
    return out


def main():
    secs, key = float(sys.argv[1]), sys.argv[2]
    ths = threads()
    run, cpu0, same = collections.Counter(), collections.Counter(), collections.Counter()
    n = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        cur = {}
        for f, name in ths.items():
            try:
                s = open(f).read()
            except OSError:
                continue
            v = s[s.rindex(")") + 2:].split()
            if v[0] == "R":
                run[name] += 1
                cur[name] = int(v[36])
            cpu0[name] += int(v[36]) == 0
        for a, b in itertools.combinations(sorted(cur), 2):
            if cur[a] == cur[b]:
                same[(a, b)] += 1
        n += 1
        time.sleep(0.01)
    n = max(n, 1)
    for name in sorted(set(ths.values())):
        if run[name] * 10 >= n:
            print("profile_%s_%s_running %d %%" % (key, name, run[name] * 100 // n))
            print("profile_%s_%s_on_cpu0 %d %%" % (key, name, cpu0[name] * 100 // n))
    for (a, b), c in same.most_common(3):
        print("profile_%s_same_cpu_%s_%s %d %%" % (key, a, b, c * 100 // n))


if __name__ == "__main__":
    main()
