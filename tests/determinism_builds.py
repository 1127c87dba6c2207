#!/usr/bin/env python3
"""Determinism across runs, seeds and build types.

For each of three runs (consensus alone: 100 nodes, 100 views; the data path with real
signatures, real payloads, erasure coding and rollups rebuilding their namespaces from shares;
and the data path over the TCP model with two vCPUs per validator),
runs it twice with the optimised build and once with the -O0 build, and once more with another
seed. The trace digests of the first three must be identical and the fourth must differ.

Then a run with a workload, a crash and restart, and a partition writes a results folder
three times (twice -O2, once -O0): every file (summary, tables, timeline, plot data, scripts,
images and report) must be byte-identical, the wall-clock time aside.

When a third program is given (the build meson makes with clang -O2 when clang is installed),
it runs each digest run and writes the results folder once more, and must agree byte for byte
with the gcc builds: another compiler's optimiser may not change a result either.

Usage: determinism_builds.py SHOTGLASS SHOTGLASS_O0 [SHOTGLASS_CLANG]
"""
import os
import re
import subprocess
import sys
import tempfile

JITTER = ["--jitter", "lognormal(median=5%, sigma=0.5)"]
RUNS = {
    "consensus": ["run", "--nodes", "100", "--views", "100", "--quiet"] + JITTER,
    "data path": ["run", "--nodes", "16", "--views", "40", "--crypto", "real", "--payloads",
                  "real", "--da-committee", "5", "--rollups", "2", "--tx-rate", "100/s",
                  "--tx-size", "uniform(min=100B, max=2KB)", "--rollup-fetch", "vid", "--quiet"] + JITTER,
    "tcp and vcpus": ["run", "--nodes", "20", "--views", "30", "--da-committee", "5", "--rollups",
                      "2", "--tx-rate", "100/s", "--set", "network.tcp=linux-default", "--set",
                      "hosts.vcpus=2", "--quiet"] + JITTER,
}


def digest(binary, args, seed):
    out = subprocess.run([binary] + args + ["--seed", str(seed)], capture_output=True, text=True,
                         check=True).stdout
    match = re.search(r"digest ([0-9a-f]{64})", out)
    if not match:
        sys.exit(f"no digest in the output of {binary}: {out!r}")
    return match.group(1)


FOLDER_RUN = ["run", "--nodes", "20", "--views", "60", "--rollups", "2", "--tx-rate", "50/s",
              "--crash", "3@5s", "--restart", "3@10s", "--set", "fault.split.kind=partition",
              "--set", "fault.split.groups=0-9 | 10-19", "--set", "fault.split.at=12s",
              "--set", "fault.split.until=15s", "--timeline-nodes", "8", "--quiet"] + JITTER


def folder_contents(binary, folder):
    """Every file of a results folder by relative path, with the wall-clock time taken out."""
    subprocess.run([binary] + FOLDER_RUN + ["--out", folder], capture_output=True, check=True)
    wall = {"summary.json": rb'"wall_time_s" : [0-9.eE+-]+',
            "report.html": rb"wall-clock time \(s\)</th><td>[^<]*"}
    files = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            data = open(path, "rb").read()
            if name in wall:
                data, count = re.subn(wall[name], b"WALL", data)
                if count != 1:
                    sys.exit(f"{path}: the wall-clock time was not found once")
            files[os.path.relpath(path, folder)] = data
    return files


def check_folders(optimised, unoptimised, clang, failures):
    with tempfile.TemporaryDirectory() as work:
        first = folder_contents(optimised, os.path.join(work, "a"))
        again = folder_contents(optimised, os.path.join(work, "b"))
        at_o0 = folder_contents(unoptimised, os.path.join(work, "c"))
        others = [("the same run", again), ("the -O0 build", at_o0)]
        if clang is not None:
            others.append(("the clang -O2 build", folder_contents(clang, os.path.join(work, "d"))))
    print(f"results folder: {len(first)} files, compared with {', '.join(l for l, _ in others)}")
    for label, other in others:
        if sorted(first) != sorted(other):
            failures.append(f"results folder: {label} wrote other files")
        differing = sorted(n for n in first if n in other and first[n] != other[n])
        if differing:
            failures.append(f"results folder: {label} differs in {differing}")
    if "timeline.json" not in first or "plots/throughput.dat" not in first:
        failures.append(f"results folder: expected files missing: {sorted(first)}")


def main():
    # meson passes a custom target's path relative and without "./": make every path absolute.
    optimised, unoptimised = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    clang = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
    if clang is None:
        print("no clang build (clang is not installed): gcc builds only")
    failures = []
    check_folders(optimised, unoptimised, clang, failures)
    for name, args in RUNS.items():
        first = digest(optimised, args, 1)
        again = digest(optimised, args, 1)
        at_o0 = digest(unoptimised, args, 1)
        other = digest(optimised, args, 2)
        print(f"{name}\n  seed 1, -O2 : {first}\n  seed 1, -O2 : {again}\n"
              f"  seed 1, -O0 : {at_o0}\n  seed 2, -O2 : {other}")
        if clang is not None:
            at_clang = digest(clang, args, 1)
            print(f"  seed 1, clang -O2 : {at_clang}")
            if first != at_clang:
                failures.append(f"{name}: the clang -O2 and gcc -O2 builds disagree")
        if first != again:
            failures.append(f"{name}: the same run gave two different digests")
        if first != at_o0:
            failures.append(f"{name}: the -O0 and -O2 builds disagree")
        if first == other:
            failures.append(f"{name}: a different seed gave the same digest")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
