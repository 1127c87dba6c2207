#!/usr/bin/env python3
"""Runs the libFuzzer harnesses of a -Dfuzz=true build for a set time each (docs/fuzzing.md).

    tests/fuzz/run.py BUILD_DIR SECONDS [HARNESS...]

Each harness (all of them by default) runs for SECONDS of wall time, one after the other (one
fuzzer process at a time), under nice. Its working corpus is BUILD_DIR/fuzz-corpus/HARNESS/,
kept between runs and seeded from the committed tests/fuzz/corpus/HARNESS/ (and, for the
scenario loader, scenarios/ and tests/scenarios/); new inputs go to the working corpus only.
A crash, assertion, sanitizer report, leak or timeout is saved under
BUILD_DIR/fuzz-crashes/HARNESS/ and makes the run fail; to keep one as a regression input,
copy it into tests/fuzz/corpus/HARNESS/ once it is fixed.

Prints one line per harness: executions, seconds, executions per second, corpus size, result.
Exits 0 when every harness ran clean, 1 otherwise, 2 on bad usage.
"""
import pathlib
import re
import subprocess
import sys
import time

HARNESSES = ["message", "payload", "node", "units", "distribution", "selector", "scenario"]
ROOT = pathlib.Path(__file__).resolve().parents[2]
EXTRA = {"scenario": [ROOT / "scenarios", ROOT / "tests" / "scenarios"]}


def run(build, name, seconds):
    binary = build / "tests" / "fuzz" / f"fuzz-{name}"
    work = build / "fuzz-corpus" / name
    crashes = build / "fuzz-crashes" / name
    work.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    seeds = [ROOT / "tests" / "fuzz" / "corpus" / name] + EXTRA.get(name, [])
    command = ["nice", "-n", "19", str(binary), f"-max_total_time={seconds}", "-timeout=10",
               "-rss_limit_mb=3000", "-print_final_stats=1", f"-artifact_prefix={crashes}/",
               str(work)] + [str(s) for s in seeds]
    start = time.monotonic()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace")
    wall = time.monotonic() - start
    log = build / "fuzz-crashes" / f"{name}.log"
    log.write_text(done.stdout)
    stats = dict(re.findall(r"^stat::(\w+):\s*(\d+)", done.stdout, re.M))
    executions = int(stats.get("number_of_executed_units", 0))
    corpus = sum(1 for _ in work.iterdir())
    clean = done.returncode == 0
    result = "clean" if clean else f"FAILED (exit {done.returncode}; see {log})"
    print(f"{name:13} {executions:>10} executions {wall:7.1f} s {executions / max(wall, 1e-9):9.0f}"
          f"/s  corpus {corpus:5}  {result}", flush=True)
    return clean


def main():
    if len(sys.argv) < 3 or not sys.argv[2].isdigit():
        print("usage: run.py BUILD_DIR SECONDS [HARNESS...]", file=sys.stderr)
        return 2
    build, seconds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
    names = sys.argv[3:] or HARNESSES
    unknown = [n for n in names if n not in HARNESSES]
    if unknown:
        print(f"run.py: unknown harness {unknown[0]}; harnesses: {', '.join(HARNESSES)}",
              file=sys.stderr)
        return 2
    clean = all([run(build, name, seconds) for name in names])
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
