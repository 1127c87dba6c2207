#!/usr/bin/env python3
"""Determinism across runs, seeds and build types.

Runs the same 100-node, 100-view run twice with the optimised build and once with the -O0 build,
and once more with another seed. The trace digests of the first three must be identical and the
fourth must differ.

Usage: determinism_builds.py SHOTGLASS SHOTGLASS_O0
"""
import re
import subprocess
import sys

RUN = ["run", "--nodes", "100", "--views", "100", "--jitter", "lognormal(median=5%, sigma=0.5)",
       "--quiet"]


def digest(binary, seed):
    out = subprocess.run([binary] + RUN + ["--seed", str(seed)], capture_output=True, text=True,
                         check=True).stdout
    match = re.search(r"digest ([0-9a-f]{64})", out)
    if not match:
        sys.exit(f"no digest in the output of {binary}: {out!r}")
    return match.group(1)


def main():
    optimised, unoptimised = sys.argv[1], sys.argv[2]
    first = digest(optimised, 1)
    again = digest(optimised, 1)
    at_o0 = digest(unoptimised, 1)
    other = digest(optimised, 2)
    print(f"seed 1, -O2 : {first}\nseed 1, -O2 : {again}\nseed 1, -O0 : {at_o0}\nseed 2, -O2 : {other}")
    failures = []
    if first != again:
        failures.append("the same run gave two different digests")
    if first != at_o0:
        failures.append("the -O0 and -O2 builds disagree")
    if first == other:
        failures.append("a different seed gave the same digest")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
