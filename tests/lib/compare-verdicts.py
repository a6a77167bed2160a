#!/usr/bin/env python3
"""Compare two `abikit check --json` documents file by file.

Prints one line per disagreement, then `files N agree A disagree D`.
Verdicts must match, and so must the fatal problems, compared as
(kind, version, symbol): the library is named differently by the two
worlds (a soname from the database, a path from a real libc)."""
import json
import sys


def load(path):
    with open(path) as f:
        doc = json.load(f)
    out = {}
    for entry in doc["files"]:
        fatal = sorted(
            (p["kind"], p["version"] or "", p["symbol"] or "")
            for p in entry["problems"]
            if p["fatal"]
        )
        out[entry["path"]] = (entry["verdict"], fatal)
    return out


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    disagree = 0
    for path in sorted(set(a) | set(b)):
        if a.get(path) != b.get(path):
            disagree += 1
            print("DISAGREE %s: %s vs %s" % (path, a.get(path), b.get(path)))
    print("files %d agree %d disagree %d" % (len(a), len(a) - disagree, disagree))


main()
