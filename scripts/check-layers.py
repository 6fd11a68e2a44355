#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
"""Check that the core's units form layers whose calls only point down.

A unit is one core/*.c file. Which unit uses which is read from the built
objects (nm: a symbol one object leaves undefined and another defines), so
calls through headers, globals and function pointers taken by name all
count. core/LAYERS gives every unit its layer; the check fails when

  - a unit uses a unit of a higher layer (an upward call),
  - two or more units use each other, directly or around a loop (a cycle),
  - a core object has no entry in core/LAYERS, or an entry has no object.

Usage: scripts/check-layers.py [--layers core/LAYERS] [--graph] BUILDDIR
"""
import argparse
import glob
import os
import re
import subprocess
import sys


def read_layers(path):
    """LAYERS: 'layer NAME' lines in order (lowest first), then 'UNIT LAYER'."""
    order, unit_layer = [], {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if line[0] == "layer" and len(line) == 2:
                order.append(line[1])
            elif len(line) == 2 and line[1] in order:
                unit_layer[line[0]] = line[1]
            else:
                sys.exit(f"{path}:{lineno}: expected 'layer NAME' or 'UNIT LAYER' (layer declared above)")
    return order, unit_layer


def core_objects(builddir):
    """unit name -> object file: the core library's objects and plexusd's."""
    objs = {}
    for pattern, prefix in (
        ("core/.libs/libplexuscore_la-*.o", "libplexuscore_la-"),
        ("core/libplexuscore_la-*.o", "libplexuscore_la-"),
    ):
        for path in glob.glob(os.path.join(builddir, pattern)):
            unit = os.path.basename(path)[len(prefix) : -2]
            objs.setdefault(unit, path)
    # Only what the library holds now: a build directory keeps the objects
    # of files that were renamed or removed.
    archive = os.path.join(builddir, "core/.libs/libplexuscore.a")
    if os.path.exists(archive):
        members = subprocess.run(["ar", "t", archive], check=True, capture_output=True, text=True).stdout.split()
        keep = {m[len("libplexuscore_la-") : -2] for m in members if m.startswith("libplexuscore_la-")}
        objs = {u: p for u, p in objs.items() if u in keep}
    for name in ("core/plexusd.o", "core/plexusd-plexusd.o"):
        path = os.path.join(builddir, name)
        if os.path.exists(path):
            objs["plexusd"] = path
    return objs


def symbols(path):
    out = subprocess.run(["nm", path], check=True, capture_output=True, text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        m = re.match(r"^\s*(?:[0-9a-fA-F]+\s+)?([A-Za-z])\s+(\S+)$", line)
        if not m:
            continue
        kind, name = m.groups()
        if kind == "U":
            used.add(name)
        elif kind.isupper():
            defined.add(name)
    return defined, used


def sccs(nodes, edges):
    """Tarjan: strongly connected components of the unit graph."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", default=os.path.join(os.path.dirname(__file__), "..", "core", "LAYERS"))
    ap.add_argument("--graph", action="store_true", help="also print every unit's uses")
    ap.add_argument("builddir")
    args = ap.parse_args()

    order, unit_layer = read_layers(args.layers)
    rank = {name: i for i, name in enumerate(order)}
    objs = core_objects(args.builddir)
    if not objs:
        sys.exit(f"no core objects under {args.builddir}/core (build first)")

    definer, uses_sym = {}, {}
    for unit, path in objs.items():
        d, u = symbols(path)
        uses_sym[unit] = u
        for s in d:
            definer.setdefault(s, unit)
    edges, why = {}, {}
    for unit, used in uses_sym.items():
        for s in used:
            to = definer.get(s)
            if to and to != unit:
                edges.setdefault(unit, set()).add(to)
                why.setdefault((unit, to), []).append(s)

    errors = []
    for unit in sorted(objs):
        if unit not in unit_layer:
            errors.append(f"unit {unit} has no layer in core/LAYERS")
    for unit in sorted(unit_layer):
        if unit not in objs:
            errors.append(f"core/LAYERS names {unit}, which has no object")

    # The layer graph: which layer uses which, with the number of unit edges.
    layer_edges = {}
    for a, tos in edges.items():
        for b in tos:
            la, lb = unit_layer.get(a, "?"), unit_layer.get(b, "?")
            layer_edges[(la, lb)] = layer_edges.get((la, lb), 0) + 1
    print("Layers, lowest first (units):")
    for name in order:
        units = sorted(u for u in objs if unit_layer.get(u) == name)
        print(f"  {name:9} {' '.join(units)}")
    print("Layer graph (uses -> used: unit edges):")
    for name in reversed(order):
        outs = [f"{lb}:{n}" for (la, lb), n in sorted(layer_edges.items(), key=lambda x: -rank.get(x[0][1], -1))
                if la == name and lb != name]
        same = layer_edges.get((name, name), 0)
        print(f"  {name:9} -> {' '.join(outs) if outs else '-'}  (within: {same})")

    if args.graph:
        print("Unit graph:")
        for a in sorted(edges):
            print(f"  {a} -> {' '.join(sorted(edges[a]))}")

    for a in sorted(edges):
        for b in sorted(edges[a]):
            la, lb = unit_layer.get(a), unit_layer.get(b)
            if la in rank and lb in rank and rank[lb] > rank[la]:
                syms = ", ".join(sorted(why[(a, b)])[:4])
                errors.append(f"upward call: {a} ({la}) -> {b} ({lb}) via {syms}")

    cycles = [c for c in sccs(objs, edges) if len(c) > 1]
    cycles.sort(key=len, reverse=True)
    for c in cycles:
        inner = [f"{a}->{b}" for a in c for b in sorted(edges.get(a, ())) if b in c]
        errors.append(f"cycle of {len(c)} units: {' '.join(c)}\n    edges: {' '.join(inner)}")

    print(f"{len(objs)} units, {sum(len(v) for v in edges.values())} unit edges, "
          f"largest cycle: {len(cycles[0]) if cycles else 0} units")
    if errors:
        for e in errors:
            print("FAIL: " + e)
        return 1
    print("OK: no cycles, no upward calls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
