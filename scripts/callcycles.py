#!/usr/bin/env python3
"""Call cycles between the compiled files of loader/ (issue 18): a file
calls another when it uses a symbol the other defines (nm). Prints each
cycle (a strongly connected set of files) and exits 1 if there is one
that is not allowed. Allowed: a BATCH dispatching its items back into the
handler table (ctl_batch <-> ctl_handlers).
Usage: callcycles.py OBJ..."""
import subprocess, sys, os

ALLOWED = [{'daemon/ctl_batch', 'daemon/ctl_handlers'}]

def syms(obj):
    out = subprocess.run(['nm', obj], capture_output=True, text=True, check=True).stdout
    d, u = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == 'U':
            u.add(f[1])
        elif len(f) == 3 and f[1] in 'TDBR':
            d.add(f[2])
    return d, u

def name(obj):
    return os.path.join(os.path.basename(os.path.dirname(obj)),
                        os.path.splitext(os.path.basename(obj))[0])

objs = sys.argv[1:]
defs, uses = {}, {}
for o in objs:
    defs[name(o)], uses[name(o)] = syms(o)
owner = {s: n for n, ds in defs.items() for s in ds}
graph = {n: {owner[s] for s in uses[n] if s in owner and owner[s] != n} for n in defs}

# Tarjan's strongly connected components
index, low, stack, on, sccs, i = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
    for w in graph[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        c = set()
        while True:
            w = stack.pop(); on.discard(w); c.add(w)
            if w == v:
                break
        if len(c) > 1:
            sccs.append(c)
sys.setrecursionlimit(10000)
for v in sorted(graph):
    if v not in index:
        visit(v)
bad = [c for c in sccs if c not in ALLOWED]
for c in sccs:
    print(('allowed' if c in ALLOWED else 'CYCLE') + ': ' + ' <-> '.join(sorted(c)))
print(f'callcycles: {len(objs)} files, {len(bad)} call cycle(s) between files')
sys.exit(1 if bad else 0)
