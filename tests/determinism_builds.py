#!/usr/bin/env python3
"""Determinism across runs, seeds and build types.

For each of two runs (consensus alone: 100 nodes, 100 views; and the data path with real
signatures, real payloads, erasure coding and rollups rebuilding their namespaces from shares),
runs it twice with the optimised build and once with the -O0 build, and once more with another
seed. The trace digests of the first three must be identical and the fourth must differ.

Usage: determinism_builds.py SHOTGLASS SHOTGLASS_O0
"""
import re
import subprocess
import sys

JITTER = ["--jitter", "lognormal(median=5%, sigma=0.5)"]
RUNS = {
    "consensus": ["run", "--nodes", "100", "--views", "100", "--quiet"] + JITTER,
    "data path": ["run", "--nodes", "16", "--views", "40", "--crypto", "real", "--payloads",
                  "real", "--da-committee", "5", "--rollups", "2", "--tx-rate", "100/s",
                  "--tx-size", "uniform(min=100B, max=2KB)", "--rollup-fetch", "vid", "--quiet"] + JITTER,
}


def digest(binary, args, seed):
    out = subprocess.run([binary] + args + ["--seed", str(seed)], capture_output=True, text=True,
                         check=True).stdout
    match = re.search(r"digest ([0-9a-f]{64})", out)
    if not match:
        sys.exit(f"no digest in the output of {binary}: {out!r}")
    return match.group(1)


def main():
    optimised, unoptimised = sys.argv[1], sys.argv[2]
    failures = []
    for name, args in RUNS.items():
        first = digest(optimised, args, 1)
        again = digest(optimised, args, 1)
        at_o0 = digest(unoptimised, args, 1)
        other = digest(optimised, args, 2)
        print(f"{name}\n  seed 1, -O2 : {first}\n  seed 1, -O2 : {again}\n"
              f"  seed 1, -O0 : {at_o0}\n  seed 2, -O2 : {other}")
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
