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

With --tests it also checks that a test of a layer links only that layer
and the ones below: core/LAYERS gives each test program that links core
units its layer ('test NAME LAYER'); the units a test links are the core
sources it compiles itself and the members of libplexuscore.a the linker
pulls in for it (worked out from the objects' symbols the way ld does).

Usage: scripts/check-layers.py [--layers core/LAYERS] [--graph] [--tests] BUILDDIR
"""
import argparse
import glob
import os
import re
import subprocess
import sys


def read_layers(path):
    """LAYERS: 'layer NAME' lines in order (lowest first), then 'UNIT LAYER'
    and 'test PROGRAM LAYER'."""
    order, unit_layer, test_layer = [], {}, {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if line[0] == "layer" and len(line) == 2:
                order.append(line[1])
            elif line[0] == "test" and len(line) == 3 and line[2] in order:
                test_layer[line[1]] = line[2]
            elif len(line) == 2 and line[1] in order:
                unit_layer[line[0]] = line[1]
            else:
                sys.exit(f"{path}:{lineno}: expected 'layer NAME', 'UNIT LAYER' or 'test PROGRAM LAYER'"
                         " (layer declared above)")
    return order, unit_layer, test_layer


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


def make_vars(builddir, names):
    """The values of the build Makefile's variables (GNU make expands them)."""
    rules = "".join(f"print-{n}:\n\t@echo '{n}='$({n})\n" for n in names)
    out = subprocess.run(["make", "-s", "-C", builddir, "-f", "Makefile", "-f", "-"] + [f"print-{n}" for n in names],
                         input=rules, check=True, capture_output=True, text=True).stdout
    vals = {}
    for line in out.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            vals[k] = v.split()
    return vals


def archive_members(archive):
    """member -> (defined, undefined) symbols of a static library."""
    out = subprocess.run(["nm", "-A", archive], check=True, capture_output=True, text=True).stdout
    members = {}
    for line in out.splitlines():
        m = re.match(r"^[^:]+:([^:]+):\s*(?:[0-9a-fA-F]+\s+)?([A-Za-z])\s+(\S+)$", line)
        if not m:
            continue
        member, kind, name = m.groups()
        d, u = members.setdefault(member, (set(), set()))
        if kind == "U":
            u.add(name)
        elif kind.isupper():
            d.add(name)
    return members


def member_unit(obj):
    """core/tests_unit_x_test-graph.o, libplexuscore_la-graph.o -> graph."""
    base = os.path.basename(obj)[:-2]
    return base.split("-", 1)[1] if "-" in base else base


def linked_units(builddir, objects, ldadd, members):
    """unit -> why, for the core units one test program links."""
    units, defined, undefined = {}, set(), set()
    for obj in objects:
        if not os.path.exists(os.path.join(builddir, obj)):
            sys.exit(f"{obj} is missing: build the tests first (make check builds them)")
        d, u = symbols(os.path.join(builddir, obj))
        defined |= d
        undefined |= u
        if obj.startswith("core/"):
            units[member_unit(obj)] = "compiled in"
    if any(x.endswith("core/libplexuscore.la") for x in ldadd):
        definer = {}
        for member, (d, _) in sorted(members.items()):
            for sym in d:
                definer.setdefault(sym, member)
        pulled, todo = set(), sorted(undefined - defined)
        while todo:
            sym = todo.pop()
            member = definer.get(sym)
            if sym in defined or not member or member in pulled:
                continue
            pulled.add(member)
            d, u = members[member]
            defined |= d
            units.setdefault(member_unit(member), f"libplexuscore.a for {sym}")
            todo.extend(sorted(u - defined))
    return units


def check_tests(builddir, order, unit_layer, test_layer, errors):
    """Each test links only its layer's units and those below."""
    rank = {name: i for i, name in enumerate(order)}
    programs = make_vars(builddir, ["check_PROGRAMS"]).get("check_PROGRAMS", [])
    canon = {p: re.sub(r"[^A-Za-z0-9_]", "_", p) for p in programs}
    vals = make_vars(builddir, [f"{c}_OBJECTS" for c in canon.values()] + [f"{c}_LDADD" for c in canon.values()])
    archive = os.path.join(builddir, "core/.libs/libplexuscore.a")
    members = archive_members(archive) if os.path.exists(archive) else {}
    print("Tests, with the highest layer they link:")
    for prog in programs:
        name = os.path.basename(prog)
        c = canon[prog]
        units = linked_units(builddir, vals.get(f"{c}_OBJECTS", []), vals.get(f"{c}_LDADD", []), members)
        units = {u: w for u, w in units.items() if u in unit_layer}
        if not units:
            continue
        top = max(units, key=lambda u: rank[unit_layer[u]])
        layer = test_layer.get(name)
        print(f"  {name:24} {layer or '?':9} links {len(units):2} units, up to {unit_layer[top]} ({top})")
        if not layer:
            errors.append(f"test {name} links core units but has no 'test {name} LAYER' in core/LAYERS")
            continue
        for u in sorted(units):
            if rank[unit_layer[u]] > rank[layer]:
                errors.append(f"test {name} ({layer}) links {u} ({unit_layer[u]}): {units[u]}")
    for name in sorted(set(test_layer) - {os.path.basename(p) for p in programs}):
        errors.append(f"core/LAYERS names test {name}, which is no check program")


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
    ap.add_argument("--tests", action="store_true", help="also check the layers the unit tests link")
    ap.add_argument("builddir")
    args = ap.parse_args()

    order, unit_layer, test_layer = read_layers(args.layers)
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

    if args.tests:
        check_tests(args.builddir, order, unit_layer, test_layer, errors)

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
