#!/usr/bin/env python3
"""Include cycles between modules: fail on any cycle (the optional
allowlist held those of a tree still being untangled; netscope has none).

    tests/include_cycles.py [--allow FILE] [--srcdir DIR] [--print]

A module is a pair x.c/x.h (src/core/dissect.c and .h are the module
src/core/dissect; a dissector is a module with no header).  A module's
internal header x_int.h (shared by the files it is split into: the
filter's lexer, parser and evaluator, the TUI's views) belongs to x.  There is an
edge A -> B when A.c or A.h includes B.h ("core/dissect.h" is looked up
next to the includer, then under src/, as the compiler does with -I src).
A cycle means neither module can be understood, tested or replaced without
the other: the layering of doc/ARCHITECTURE.md (core below flow below
reports and output) no longer holds.

Every elementary cycle is found (Johnson-style search from each module in
turn, small here) and written starting from its smallest module name:
    src/core/dissect -> src/core/field -> src/core/dissect
The allowlist (tests/include_cycles.allow) holds such lines; a cycle not
listed fails with the #include line of each of its edges, and a listed
cycle that no longer exists fails too ("stale"), so the list only shrinks.
--print writes today's cycles in the allowlist's format.
"""
import argparse
import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def tracked(srcdir):
    """The .c/.h files under src/ and dissectors/: git's list when srcdir
    is a checkout, else a walk (a tarball from make dist)."""
    try:
        out = subprocess.run(["git", "-C", srcdir, "ls-files", "src",
                              "dissectors"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True,
                             check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = []
    if not out:
        for top in ("src", "dissectors"):
            for d, _, names in os.walk(os.path.join(srcdir, top)):
                for n in names:
                    out.append(os.path.relpath(os.path.join(d, n), srcdir))
    return sorted(f for f in out if f.endswith((".c", ".h")))


def module(path):
    """src/filter/dfilter_int.h -> src/filter/dfilter"""
    base = path[:-2]
    return base[:-4] if base.endswith("_int") else base


def graph(srcdir):
    """{module: {included module: (file, line)}}"""
    files = tracked(srcdir)
    present = set(files)
    g = {}
    for f in files:
        mod = module(f)
        edges = g.setdefault(mod, {})
        with open(os.path.join(srcdir, f), encoding="utf-8",
                  errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                name = m.group(1)
                for cand in (os.path.normpath(
                        os.path.join(os.path.dirname(f), name)),
                             os.path.normpath(os.path.join("src", name))):
                    if cand in present and cand.endswith(".h"):
                        if module(cand) != mod:
                            edges.setdefault(module(cand), (f, n))
                        break
    return g


def cycles(g):
    """Every elementary cycle, each once, from its smallest module."""
    order = sorted(g)
    rank = {m: i for i, m in enumerate(order)}
    found = []

    def walk(start, path, on_path):
        for nxt in sorted(g.get(path[-1], {})):
            if nxt == start:
                found.append(path + [start])
            elif nxt not in on_path and rank.get(nxt, -1) > rank[start]:
                on_path.add(nxt)
                walk(start, path + [nxt], on_path)
                on_path.discard(nxt)

    for m in order:
        walk(m, [m], {m})
    return found


def read_allow(path):
    allow = {}
    if not path:
        return allow
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                key = " -> ".join(x.strip() for x in line.split("->"))
                allow[key] = n
    return allow


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--srcdir", default=".")
    ap.add_argument("--allow")
    ap.add_argument("--print", action="store_true")
    args = ap.parse_args()
    g = graph(args.srcdir)
    found = cycles(g)
    if args.print:
        for c in found:
            print(" -> ".join(c))
        return 0
    allow = read_allow(args.allow)
    bad = 0
    keys = set()
    for c in found:
        key = " -> ".join(c)
        keys.add(key)
        if key in allow:
            continue
        bad = 1
        print("include cycle: %s" % key)
        for a, b in zip(c, c[1:]):
            f, n = g[a][b]
            print("    %s:%d: includes %s.h" % (f, n, b))
    for key, n in sorted(allow.items(), key=lambda kv: kv[1]):
        if key not in keys:
            bad = 1
            print("%s:%d: no such cycle any more: remove it from the list"
                  "\n    %s" % (args.allow, n, key))
    if not bad:
        print("%d modules, %d include cycles, all in %s" %
              (len(g), len(found), args.allow or "(no allowlist)"))
    return bad


if __name__ == "__main__":
    sys.exit(main())
