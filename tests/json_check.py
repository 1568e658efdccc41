#!/usr/bin/env python3
"""Validate netscope's -T json and -T ndjson output with a real parser.

    json_check.py NETSCOPE COUNTS PCAP...

COUNTS is a file of "PATH<TAB>N" lines: the number of packets tshark
reads from each capture.  For every capture:

  - `read -T json` is one JSON array and `read -T ndjson -x` one object a
    line, both strict JSON: UTF-8, no NaN/Infinity, no control characters
    in strings, and no object with a duplicate key anywhere;
  - both hold the same packets (NDJSON's only extra is "raw", with -x),
    as many as tshark reads, numbered 1..N;
  - every value has the JSON type its field's registered type calls for
    (`netscope fields`): numbers for integers, doubles and times, booleans
    for booleans, strings for addresses, strings and hex bytes, objects
    for labels and subtrees, arrays only for repeated keys;
  - "protocols" names exactly the layers found in "layers" (nested ones
    included), in order.

Exits 1 with the first problems found, 0 when every capture passes.
"""
import json
import re
import subprocess
import sys

NUMERIC = ("FT_UINT", "FT_INT", "FT_DOUBLE", "FT_RELATIVE_TIME",
           "FT_ABSOLUTE_TIME")
TOP_KEYS = {"timestamp", "protocols", "layers", "status", "reason",
            "fields_dropped", "raw"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.(\d{6}|\d{9})Z$")
HEX = re.compile(r"^(?:[0-9a-f]{2})*$")
ETHER = re.compile(r"^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$")
IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


class Bad(Exception):
    pass


def no_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise Bad(f"duplicate key {k!r}")
        seen[k] = v
    return seen


def no_constant(name):
    raise Bad(f"non-JSON number {name}")


def parse(text):
    return json.loads(text, object_pairs_hook=no_duplicates,
                      parse_constant=no_constant)


def check_scalar(name, ftype, v):
    if ftype == "FT_BOOLEAN":
        ok = isinstance(v, bool)
    elif ftype.startswith(("FT_UINT", "FT_INT")):
        ok = isinstance(v, int) and not isinstance(v, bool)
        ok = ok and (v >= 0 or ftype.startswith("FT_INT"))
    elif ftype.startswith(NUMERIC):
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        ok = ok or (ftype == "FT_DOUBLE" and v is None)
    elif ftype == "FT_BYTES":
        ok = isinstance(v, str) and HEX.match(v)
    elif ftype == "FT_ETHER":
        ok = isinstance(v, str) and ETHER.match(v)
    elif ftype == "FT_IPv4":
        ok = isinstance(v, str) and IPV4.match(v)
    elif ftype in ("FT_IPv6", "FT_STRING"):
        ok = isinstance(v, str)
    else:
        raise Bad(f"{name}: type {ftype} cannot have a scalar value")
    if not ok:
        raise Bad(f"{name}: {v!r} is not a JSON value of {ftype}")


def occurrences(name, v):
    """A repeated key's array (of at least two), or the one value."""
    if isinstance(v, list):
        if len(v) < 2:
            raise Bad(f"{name}: an array of {len(v)} for a repeated key")
        return v
    return [v]


def check_fields(types, obj, where, protos):
    """An object of fields (a layer, a label's or a _tree's subtree)."""
    if not isinstance(obj, dict):
        raise Bad(f"{where}: not an object: {obj!r}")
    for key, v in obj.items():
        path = f"{where}.{key}" if where else key
        if key in ("_status", "_reason"):
            if not isinstance(v, str):
                raise Bad(f"{path}: not a string")
            continue
        if types.get(key) == "FT_PROTOCOL":
            for layer in occurrences(path, v):
                protos.append(key)
                check_fields(types, layer, path, protos)
            continue
        base = key[:-5] if key.endswith("_tree") else None
        if base and base in types and key not in types:
            if base not in obj:
                raise Bad(f"{path}: a subtree without its field")
            for sub in occurrences(path, v):
                check_fields(types, sub, path, protos)
            continue
        ftype = types.get(key)
        if ftype is None:
            raise Bad(f"{path}: not a registered field")
        for one in occurrences(path, v):
            if ftype == "FT_NONE":
                check_fields(types, one, path, protos)
            else:
                check_scalar(path, ftype, one)


def check_packet(types, pkt, number):
    if not isinstance(pkt, dict):
        raise Bad(f"packet {number}: not an object")
    extra = set(pkt) - TOP_KEYS
    if extra:
        raise Bad(f"packet {number}: unexpected keys {sorted(extra)}")
    ts = pkt.get("timestamp")
    if ts is not None and not ISO.match(ts):
        raise Bad(f"packet {number}: timestamp {ts!r}")
    protos = []
    check_fields(types, pkt["layers"], "", protos)
    frame = pkt["layers"].get("frame")
    if not isinstance(frame, dict) or frame.get("frame.number") != number:
        raise Bad(f"packet {number}: frame.number is not {number}")
    # "layers" lists a protocol's occurrences together; "protocols" has
    # them in packet order: the same names, counted
    want = ["frame"] + pkt["protocols"].split(":") if pkt["protocols"] \
        else ["frame"]
    if sorted(protos) != sorted(want):
        raise Bad(f"packet {number}: protocols {pkt['protocols']!r} but "
                  f"layers {protos}")
    if "raw" in pkt:
        if not HEX.match(pkt["raw"]) or \
                len(pkt["raw"]) != 2 * frame["frame.cap_len"]:
            raise Bad(f"packet {number}: raw is not the captured bytes")


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise Bad(f"{' '.join(cmd)}: exit {p.returncode}: "
                  f"{p.stderr.decode(errors='replace')[-300:]}")
    try:
        return p.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Bad(f"{' '.join(cmd)}: not UTF-8: {e}")


def check_capture(ns, types, pcap, count):
    arr = parse(run([ns, "read", "-T", "json", pcap]))
    if not isinstance(arr, list):
        raise Bad("-T json: not an array")
    lines = run([ns, "read", "-T", "ndjson", "-x", pcap]).split("\n")
    if lines[-1] != "":
        raise Bad("-T ndjson: the last line does not end")
    objs = [parse(line) for line in lines[:-1]]
    if len(arr) != count or len(objs) != count:
        raise Bad(f"{len(arr)} packets in JSON, {len(objs)} in NDJSON, "
                  f"tshark reads {count}")
    for i, (a, o) in enumerate(zip(arr, objs)):
        check_packet(types, a, i + 1)
        check_packet(types, o, i + 1)
        if "raw" not in o or {k: v for k, v in o.items() if k != "raw"} != a:
            raise Bad(f"packet {i + 1}: NDJSON and JSON differ")
    return count


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    ns, counts_file, pcaps = sys.argv[1], sys.argv[2], sys.argv[3:]
    counts = {}
    for line in open(counts_file):
        path, n = line.rstrip("\n").rsplit("\t", 1)
        counts[path] = int(n)
    types = {}
    for line in run([ns, "fields"]).splitlines():
        name, ftype, _ = line.split("\t", 2)
        types[name] = ftype
    bad = total = 0
    for pcap in pcaps:
        try:
            total += check_capture(ns, types, pcap, counts[pcap])
        except (Bad, ValueError, KeyError) as e:
            bad += 1
            print(f"FAIL {pcap}: {e}")
    print(f"{len(pcaps) - bad}/{len(pcaps)} captures, {total} packets: "
          f"valid JSON and NDJSON")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
