#!/usr/bin/env python3
"""Raw packet pointers: fail when a dissector reads bytes by indexing or
dereferencing a byte pointer instead of going through the bounds-checked
reader (src/core/reader.h, STYLE.md: "every byte of packet data is read
through the reader").

    tests/rawptr.py [--allow FILE] [--cc CLANG] [--cppflags FLAGS] FILE.c...

What is flagged, in the functions of each FILE (its own code, not the
inline functions of the headers it includes, but the macros it expands):
  - p[i], x->p[i], f()[i]: a subscript whose base is a pointer (not an
    array) to uint8_t / unsigned char, const or not;
  - *p, *(p + n), *p++: a dereference of such a pointer.
It is a read only: a subscript or dereference that is the target of an
assignment (out[i] = ..., *o++ = ..., out[i] |= ...), of ++/--, under &
(&p[4] is pointer arithmetic) or under sizeof is not flagged.
What is not flagged, on purpose:
  - arrays: a local or member array (uint8_t out[16], s->method[...]) the
    code fills itself is its own memory, whatever its element type;
  - char pointers (text the code made, or strchr() results): the rule is
    about bytes as received, which netscope types as uint8_t;
  - bytes handed to libc (memcmp(p, "GET ", 4), memcpy): they do not
    index, and the length comes from the reader.
Types come from clang's AST (-Xclang -ast-dump), not from patterns, so a
typedef, a macro (BE16(p)) or a cast cannot hide a raw read and a local
array never looks like one.  Without clang the check cannot run: the
caller skips it.

The allowlist (tests/rawptr.allow) names file:function pairs that read raw
bytes today; anything else fails, and an entry whose function no longer
reads raw bytes fails too ("stale") so that the list only shrinks.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys

PTR = re.compile(r"^(?:const )?(?:volatile )?unsigned char \*(?: ?const)?$")
# clang prints "file:L:C" when the file changes, "line:L:C" when the line
# does, "col:C" otherwise (alternatives tried left to right)
LOC = re.compile(r"line:(\d+):\d+|col:\d+|([^\s<>:',]+):(\d+):\d+")
QTYPE = re.compile(r"'([^']*)'(?::'([^']*)')?")


def node_type(text):
    """The canonical (desugared) type of a dump line, e.g. 'const
    unsigned char *' for 'const uint8_t *':'const unsigned char *'."""
    m = QTYPE.search(text)
    if not m:
        return ""
    return m.group(2) or m.group(1)


def is_byte_ptr(t):
    t = t.replace("uint8_t", "unsigned char").replace("u_char",
                                                      "unsigned char")
    return bool(PTR.match(t))


class Finding:
    def __init__(self, path, line, func, what):
        self.path, self.line, self.func, self.what = path, line, func, what


def analyse(path, dump):
    """Builds the tree of the dump (only what is needed) and finds reads."""
    found = []
    nodes = []  # (depth, kind, text, line, func)
    cur_file, cur_line = None, 0
    func, fstart, fend = None, 0, 0
    last_in_func = 0
    for raw in dump.splitlines():
        i = 0
        n = len(raw)
        while i < n and raw[i] in "|-` ":
            i += 1
        depth = i // 2
        text = raw[i:]
        kind = text.split(" ", 1)[0]
        locs = []
        for m in LOC.finditer(text.split("'", 1)[0]):
            if m.group(1):
                cur_line = int(m.group(1))
            elif m.group(2):
                cur_file, cur_line = m.group(2), int(m.group(3))
            locs.append((cur_file, cur_line))
        if depth == 1:
            func = None
            if kind == "FunctionDecl" and locs and locs[0][0] == path:
                name = re.search(r"(\w+) '", text)
                if name and len(locs) >= 2:
                    func = name.group(1)
                    fstart, fend = locs[0][1], locs[1][1]
                    last_in_func = fstart
        if func:
            for f, ln in locs:
                if f == path and fstart <= ln <= fend:
                    last_in_func = ln
        nodes.append((depth, kind, text, last_in_func, func))
    # a node's children follow it at depth + 1, until a line at <= depth
    for k, (depth, kind, text, line, fn) in enumerate(nodes):
        if fn is None:
            continue
        if kind == "ArraySubscriptExpr":
            base = child(nodes, k, 0)
            if base is None:
                continue
            btext = nodes[base][2]
            if "<ArrayToPointerDecay>" in btext:
                continue
            if not is_byte_ptr(node_type(btext)):
                continue
            what = "subscript"
        elif kind == "UnaryOperator" and "prefix '*'" in text:
            op = child(nodes, k, 0)
            if op is None:
                continue
            otext = nodes[op][2]
            if "<ArrayToPointerDecay>" in otext:
                continue
            if not is_byte_ptr(node_type(otext)):
                continue
            what = "dereference"
        else:
            continue
        if not is_read(nodes, k):
            continue
        found.append(Finding(path, line, fn, what))
    return found


def child(nodes, k, nth):
    depth = nodes[k][0]
    seen = -1
    for j in range(k + 1, len(nodes)):
        d = nodes[j][0]
        if d <= depth:
            return None
        if d == depth + 1:
            seen += 1
            if seen == nth:
                return j
    return None


def parent(nodes, k):
    depth = nodes[k][0]
    for j in range(k - 1, -1, -1):
        if nodes[j][0] < depth:
            return j
    return None


def is_read(nodes, k):
    """False when node k is written, has its address taken, or sits under
    sizeof (parentheses looked through)."""
    me = k
    p = parent(nodes, me)
    while p is not None and nodes[p][1] == "ParenExpr":
        me, p = p, parent(nodes, p)
    if p is None:
        return True
    kind, text = nodes[p][1], nodes[p][2]
    first = child(nodes, p, 0) == me
    if kind == "BinaryOperator" and text.rstrip().endswith("'='") and first:
        return False
    if kind == "CompoundAssignOperator" and first:
        return False
    if kind == "UnaryOperator" and re.search(r"(prefix|postfix) '(&|\+\+|--)'",
                                             text):
        return False
    if kind == "UnaryExprOrTypeTraitExpr":
        return False
    return True


def source_line(path, line, cache={}):
    if path not in cache:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                cache[path] = f.read().splitlines()
        except OSError:
            cache[path] = []
    lines = cache[path]
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def read_allow(path):
    allow = {}
    if not path:
        return allow
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                allow[line] = n
    return allow


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--allow")
    ap.add_argument("--cc", default="clang")
    ap.add_argument("--cppflags", default="",
                    help="what the build passes: -I, -D (one string)")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    cppflags = shlex.split(args.cppflags)
    allow = read_allow(args.allow)
    bad = 0
    seen = set()
    for path in args.files:
        cmd = [args.cc, "-fsyntax-only", "-fno-color-diagnostics", "-w",
               "-std=c11", "-Xclang", "-ast-dump"] + cppflags + [path]
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            print("%s: clang cannot parse it:\n%s" % (path, r.stderr))
            bad = 1
            continue
        shown = set()
        for f in analyse(path, r.stdout):
            if (f.line, f.what) in shown:
                continue  # p[0] << 8 | p[1]: one line is enough
            shown.add((f.line, f.what))
            key = "%s:%s" % (f.path, f.func)
            seen.add(key)
            if key in allow:
                continue
            print("%s:%d: %s(): %s of a raw byte pointer: read it through "
                  "the reader (src/core/reader.h)\n    %s" %
                  (f.path, f.line, f.func, f.what,
                   source_line(f.path, f.line)))
            bad = 1
    for key, n in sorted(allow.items(), key=lambda kv: kv[1]):
        if key not in seen and key.split(":")[0] in args.files:
            print("%s:%d: '%s' reads no raw byte any more: remove it from "
                  "the list" % (args.allow, n, key))
            bad = 1
    if not bad:
        print("%d files: %d functions read raw bytes, all listed in %s" %
              (len(args.files), len(seen), args.allow or "(no allowlist)"))
    return bad


if __name__ == "__main__":
    sys.exit(main())
