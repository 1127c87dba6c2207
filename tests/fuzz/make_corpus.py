#!/usr/bin/env python3
"""Rebuilds the seed corpora under tests/fuzz/corpus/ from real runs (docs/fuzzing.md).

    tests/fuzz/make_corpus.py build/shotglass

1. Runs a few short scenarios with `shotglass run --dump-messages` (4 and 10 validators, the DA
   layer with real and synthetic payloads, rollups fetching by namespace and by VID, crashes and
   restarts for view sync and catch-up, a `malformed` Byzantine node for undecodable bytes).
2. message/ and payload/: per message type, up to PER_TYPE of the dumped messages, spread over
   their sizes (smallest to largest, at most MESSAGE_MAX bytes).
3. node/: programs for the node harness (the operation codes of fuzz_node.c): honest runs of
   each network shape, every mutation, replays, restarts, bit flips, and the dumped 4-validator
   messages handed over raw and re-signed ("craft").
4. scenario/: every scenario file of scenarios/ and tests/scenarios/.
5. units/, distribution/, selector/: the values the scenario files and docs use.

Files are named by the SHA-1 of their content, so the corpus is deduplicated. Existing files
are kept, among them the inputs fuzzing found (regression-*, and the node harness's oracle-*
programs, see docs/fuzzing.md), which are named for what they test.
"""
import hashlib
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

PER_TYPE = 6
MESSAGE_MAX = 16384
ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"

RUNS = [
    ["--seed", "3", "--nodes", "4", "--views", "30", "--rollups", "2", "--tx-rate", "20/s",
     "--payloads", "real", "--da-committee", "3", "--rollup-fetch", "vid",
     "--crash", "2@3s", "--restart", "2@20s"],
    ["--seed", "5", "--nodes", "10", "--views", "40", "--rollups", "2", "--tx-rate", "5/s",
     "--crash", "3@2s", "--restart", "3@8s", "--crash", "0-2@12s", "--restart", "0-2@14s"],
    ["--seed", "7", "--nodes", "4", "--views", "20", "--da", "--payloads", "real",
     "--byzantine", "3=malformed"],
    ["--seed", "9", "--nodes", "4", "--views", "20", "--rollups", "1", "--tx-rate", "10/s",
     "--byzantine", "3=equivocate"],
]
FOUR_NODE_RUNS = {0, 2, 3}


def write(folder, data):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hashlib.sha1(data).hexdigest()
    if not path.exists():
        path.write_bytes(data)


def spread(files):
    files = sorted((f for f in files if f.stat().st_size <= MESSAGE_MAX),
                   key=lambda f: (f.stat().st_size, f.name))
    if len(files) <= PER_TYPE:
        return files
    step = (len(files) - 1) / (PER_TYPE - 1)
    return [files[round(i * step)] for i in range(PER_TYPE)]


def dump(shotglass, work):
    dumps = []
    for i, flags in enumerate(RUNS):
        out = work / f"run{i}"
        subprocess.run([shotglass, "run", "-q", *flags, "--dump-messages", str(out)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dumps.append(out)
    return dumps


def pick(dumps, indices):
    by_type = {}
    for i in indices:
        for f in dumps[i].iterdir():
            by_type.setdefault(f.name.split("-")[0], []).append(f)
    return {t: spread(fs) for t, fs in sorted(by_type.items())}


# --- node programs (see the operation table in fuzz_node.c) -----------------------------------
DELIVER, TIMER, RAW, FORWARD, FORWARD_TO, DROP, MUTATE, BITFLIP, REPLAY, RESTART, CRAFT = range(11)
SHAPES = [0, 1, 2, 4, 12, 16, 32, 4 | 16, 5]  # sizes 4/5/7, DA real/synthetic, round robin, 3-chain


def honest(rounds):
    return bytes([FORWARD, DELIVER, 16, FORWARD, DELIVER, 16, TIMER] * rounds)


def node_programs(messages):
    programs = [bytes([shape]) + honest(12) for shape in SHAPES]
    for shape in (0, 4):
        for selector in range(12):
            for arg in (1, 255):
                programs.append(bytes([shape]) + honest(3) +
                                bytes([MUTATE, selector, arg, 0xFF] * 3) + honest(3))
        programs.append(bytes([shape]) + honest(3) + bytes([REPLAY, 3, 1, 255, REPLAY, 7, 0, 0])
                        + honest(3))
        programs.append(bytes([shape]) + honest(3) + bytes([RESTART, 0]) + honest(3) +
                        bytes([RESTART, 1, TIMER, TIMER]) + honest(3))
        programs.append(bytes([shape]) + honest(3) + bytes([BITFLIP, 20, 0, 3, 255] * 4) +
                        honest(2))
        programs.append(bytes([shape]) + bytes([DROP] * 20 + [TIMER] * 10) + honest(4))
        programs.append(bytes([shape]) + bytes([FORWARD_TO, 1, DELIVER, 30] * 10) + honest(2))
    for data in messages:
        n = len(data).to_bytes(2, "little")
        programs.append(bytes([4]) + honest(2) + bytes([CRAFT, 255]) + n + data + honest(2))
        programs.append(bytes([4]) + honest(2) + bytes([RAW, 0]) + n + data + honest(1))
    return programs


UNITS = {  # kind byte (SimQuantityKind) -> texts
    0: ["10s", "1.5ms", "250ms", "0s", "2min", "1h", "100us", "7ns", "18446744073709551615ns"],
    1: ["1Gbit", "100Mbit/s", "25Mbps", "1.5GB/s", "10KiB/s", "0bit"],
    2: ["1MB", "300B", "4KiB", "1.5GB", "2TiB"],
    3: ["5%", "0.5%", "100%", "250ppm", "0%"],
    4: ["500/s", "1000000/s", "2/ms", "30/min", "1/h", "0.5/s"],
    5: ["2x", "1.5", "0.5x", "10"],
    6: ["100", "0", "65536"],
}
DISTRIBUTIONS = ["none", "5ms", "constant(value=3ms)", "uniform(min=1ms, max=9ms)",
                 "exponential(mean=2ms)", "normal(mean=10ms, sd=2ms)",
                 "lognormal(median=5ms, sigma=0.5)", "lognormal(mean=5ms, sigma=1)",
                 "gamma(shape=2, mean=4ms)", "gamma(shape=2, scale=1ms)",
                 "pareto(min=1ms, alpha=1.5)", "lognormal(median=10%, sigma=0.5)",
                 "uniform(min=5%, max=20%)"]
SIZE_DISTRIBUTIONS = ["300B", "uniform(min=100B, max=2KB)", "lognormal(median=1KB, sigma=1)"]
SELECTORS = ["all", "7", "0-99", "0,3,5-9", "region(eu-west-1)", "region(us-east-1),0",
             "top-stake(3)", "da-committee", "leader(5)", "leader", "next-leader",
             "leader,next-leader,0-2"]


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    shotglass = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        dumps = dump(shotglass, pathlib.Path(tmp))
        for files in pick(dumps, range(len(dumps))).values():
            for f in files:
                write(CORPUS / "message", f.read_bytes())
                write(CORPUS / "payload", f.read_bytes())
        four = [f.read_bytes() for fs in pick(dumps, FOUR_NODE_RUNS).values() for f in fs[:2]]
        for program in node_programs([m for m in four if len(m) <= 4096]):
            write(CORPUS / "node", program)
    for folder in (ROOT / "scenarios", ROOT / "tests" / "scenarios"):
        for f in sorted(folder.rglob("*.ini")):
            write(CORPUS / "scenario", f.read_bytes())
    for kind, texts in UNITS.items():
        for text in texts:
            write(CORPUS / "units", bytes([kind]) + text.encode())
    for text in DISTRIBUTIONS:
        write(CORPUS / "distribution", bytes([4]) + text.encode())
    for text in SIZE_DISTRIBUTIONS:
        write(CORPUS / "distribution", bytes([1]) + text.encode())
    for text in SELECTORS:
        write(CORPUS / "selector", (100).to_bytes(2, "little") + bytes([5]) + text.encode())
    for name in sorted(p.name for p in CORPUS.iterdir()):
        files = list((CORPUS / name).iterdir())
        print(f"{name}: {len(files)} files, {sum(f.stat().st_size for f in files)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
