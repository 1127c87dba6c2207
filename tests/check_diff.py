#!/usr/bin/env python3
"""`shotglass diff` finds the first event at which two runs part, and says so by its exit code.

Goal: the event diff names is the first event at which the two traces really differ. Method:
`--dump-traces` writes every event of both runs; this test first checks that a dump *is* the
trace, by hashing its records and added bytes with BLAKE2b-256 in Python and comparing with the
trace digest the run reports; then it compares the two dumps line by line (the brute-force
answer) and checks diff's index and virtual time against it. Cases:

  * the same run twice: exit 0, "identical";
  * two seeds: exit 1, the brute-force first difference;
  * one key changed on one side (a crash at 3 s on side B, with the data path on and
    checkpoints every 500 events, so the answer lies several windows in): exit 1, the
    brute-force first difference, and not before 3 s;
  * results folders: two of the same run compare identical, a run and the same with the crash
    part at the same event as the two runs do, and a folder whose digests.csv no longer matches
    what this build computes (as a folder from another build) is reported by window only;
  * two builds' folders: each build reproduces its own folder and leaves its window
    (window.txt) in it; with both windows diff names the event;
  * bad input: exit 2 with a message (a missing file, a folder without digests.csv or of an
    interrupted run, run flags with folders, bad flags and keys).

Usage: check_diff.py SHOTGLASS
"""
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

FAILURES = []
BASE = ["--nodes", "10", "--views", "40"]
DATA = ["--nodes", "10", "--views", "40", "--rollups", "1", "--tx-rate", "20/s",
        "--jitter", "lognormal(median=5%, sigma=0.5)"]
CRASH_B = ["--set-b", "fault.x.kind=crash", "--set-b", "fault.x.nodes=3",
           "--set-b", "fault.x.at=3s"]


def fail(what):
    FAILURES.append(what)
    print("FAIL:", what)


def run(binary, args, code):
    p = subprocess.run([binary] + args, capture_output=True, text=True, timeout=120)
    if p.returncode != code:
        fail(f"{' '.join(args)}: exit {p.returncode}, expected {code}\n{p.stdout}{p.stderr}")
    return p.stdout + p.stderr


def read_dump(path):
    """The trace of a dump: (index, time, line) per event, and the BLAKE2b-256 of it all."""
    h = hashlib.blake2b(digest_size=32)
    events = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            fields = line.split(" ")
            index, time, kind = int(fields[0]), int(fields[1]), int(fields[2])
            target, source, arg, extra = int(fields[4]), int(fields[5]), int(fields[6]), fields[7]
            if index != n:
                fail(f"{path}:{n}: event index {index}")
            record = struct.pack("<QHIIQ", time, kind, target, source, arg)
            added = b"" if extra == "-" else bytes.fromhex(extra)
            h.update(record + added)
            events.append((index, time, record + added))
    return events, h.hexdigest()


def first_difference(a, b):
    for x, y in zip(a, b):
        if x[2] != y[2]:
            return x[0], x[1], y[1]
    if len(a) == len(b):
        return None
    shorter = min(len(a), len(b))
    return shorter + 1, None, None


def reported(out):
    """(index, A's time in ns or None) of diff's "first difference" lines."""
    m = re.search(r"first difference at event (\d+)", out)
    if m is None:
        return None, None
    t = re.search(r"\n  A: event \d+ at (\d+)\.(\d{9}) s", out)
    return int(m.group(1)), (int(t.group(1)) * 10**9 + int(t.group(2))) if t else None


def check_against_dumps(binary, args, work, label, not_before=None):
    dumps = os.path.join(work, label)
    os.makedirs(dumps)
    out = run(binary, ["diff"] + args + ["--dump-traces", dumps], 1)
    a, digest_a = read_dump(os.path.join(dumps, "a.trace"))
    b, digest_b = read_dump(os.path.join(dumps, "b.trace"))
    digests = re.findall(r"events, digest ([0-9a-f]{64})", out)
    if digests != [digest_a, digest_b]:
        fail(f"{label}: the dumps hash to {digest_a}, {digest_b}; diff reports {digests}")
    expected = first_difference(a, b)
    index, time = reported(out)
    print(f"{label}: diff says event {index} at {time} ns; the dumps say {expected}")
    if expected is None or index != expected[0]:
        fail(f"{label}: diff reports event {index}, the full traces differ first at {expected}")
    elif expected[1] is not None and time != expected[1]:
        fail(f"{label}: diff reports A's time {time}, the dump has {expected[1]}")
    if not_before is not None and (time is None or time < not_before):
        fail(f"{label}: the divergence at {time} ns comes before the change at {not_before}")
    # Without dumps, side B stops where it parts (it is watched): the answer must not change.
    quiet = run(binary, ["diff"] + args, 1)
    if reported(quiet) != (index, time):
        fail(f"{label}: without --dump-traces diff says {reported(quiet)}, with {index, time}")
    return index, out


def check_runs(binary, work):
    out = run(binary, ["diff"] + BASE, 0)
    if "identical: the same" not in out:
        fail(f"the same run twice is not reported identical:\n{out}")
    check_against_dumps(binary, BASE + ["--seed-a", "1", "--seed-b", "2"], work, "seeds")
    index, out = check_against_dumps(binary, DATA + CRASH_B + ["--every", "500"], work, "crash",
                                     not_before=3 * 10**9)
    if index is not None and index <= 1000:
        fail(f"crash: the first difference (event {index}) should lie windows in")
    crash = r"\n  B: event \d+ at 3\.000000000 s: fault \[fault\.x\] \(crash\) starts"
    if not re.search(crash, out):
        fail(f"crash: side B's first different event is not the crash at 3 s:\n{out}")
    return index


def check_folders(binary, work, crash_index):
    dirs = {}
    for name, extra in (("a", []), ("b", []), ("c", ["--crash", "3@3s"])):
        dirs[name] = os.path.join(work, "folder-" + name)
        run(binary, ["run", "-q", "--no-plots", "--out", dirs[name]] + DATA + extra, 0)
    out = run(binary, ["diff", dirs["a"], dirs["b"]], 0)
    if "identical" not in out:
        fail(f"two folders of one run are not identical:\n{out}")
    out = run(binary, ["diff", dirs["a"], dirs["c"]], 1)
    index, _ = reported(out)
    # --crash 3@3s is a fault group of its own name; the event is the same as with --set-b.
    if index != crash_index:
        fail(f"folders: first difference at {index}, the runs part at {crash_index}:\n{out}")
    # A folder this build does not reproduce: one checkpoint changed.
    tampered = os.path.join(work, "folder-t")
    shutil.copytree(dirs["c"], tampered)
    path = os.path.join(tampered, "digests.csv")
    rows = open(path, encoding="utf-8").read().splitlines()
    if len(rows) < 3:
        fail(f"{path}: expected two checkpoints or more, got {rows}")
        return
    head, tail = rows[1].rsplit(",", 1)
    rows[1] = head + "," + ("0" if tail[0] != "0" else "1") + tail[1:]
    open(path, "w", encoding="utf-8").write("\n".join(rows) + "\n")
    out = run(binary, ["diff", dirs["a"], tampered], 1)
    if "does not" not in out and "did not repeat" not in out:
        fail(f"a folder this build does not reproduce is not reported as such:\n{out}")
    if "first difference at event" in out:
        fail(f"diff names an event in a folder it could not reproduce:\n{out}")


def with_overrides(source, target, change):
    """Copies a results folder, changing the overrides its summary.json records: this build
    then re-runs it as another run than the one its digests.csv is of, as a folder written by
    a build that behaves differently looks to it."""
    shutil.copytree(source, target)
    path = os.path.join(target, "summary.json")
    summary = json.load(open(path, encoding="utf-8"))
    summary["scenario"]["overrides"] = change(summary["scenario"]["overrides"])
    json.dump(summary, open(path, "w", encoding="utf-8"))
    for name in ("window.txt",):
        if os.path.exists(os.path.join(target, name)):
            os.unlink(os.path.join(target, name))


def check_two_builds(binary, work, crash_index):
    """Folders of two builds: a plain run's folder (A), and a folder whose digests are of a run
    with the crash but which this build re-runs without it (T, "the other build"). Diff reports
    the window only and leaves A's window in A/window.txt; the other build, diffing the same
    pair, would reproduce T and leave T's window; with both, the exact event comes out."""
    crash = ["fault.crash-1.kind=crash", "fault.crash-1.nodes=3", "fault.crash-1.at=3s"]
    a, c = os.path.join(work, "folder-a"), os.path.join(work, "folder-c")
    other = os.path.join(work, "build2-t")
    with_overrides(c, other, lambda o: [x for x in o if not x.startswith("fault.crash-1.")])
    out = run(binary, ["diff", a, other], 1)
    if "first difference at event" in out or not os.path.exists(os.path.join(a, "window.txt")):
        fail(f"two builds, first pass: expected the window only, and A/window.txt:\n{out}")
    # What the other build would write: its window of the same pair, as this build sees C's.
    mirror = os.path.join(work, "build2-a")
    with_overrides(a, mirror, lambda o: o + crash)
    run(binary, ["diff", mirror, c], 1)
    shutil.copy(os.path.join(c, "window.txt"), os.path.join(other, "window.txt"))
    out = run(binary, ["diff", a, other], 1)
    index, _ = reported(out)
    if index != crash_index:
        fail(f"two builds with both windows: event {index}, expected {crash_index}:\n{out}")


def check_bad_input(binary, work):
    empty = os.path.join(work, "empty")
    os.makedirs(empty)
    cut = os.path.join(work, "folder-cut")  # as a run stopped with Ctrl-C leaves it
    shutil.copytree(os.path.join(work, "folder-a"), cut)
    summary = os.path.join(cut, "summary.json")
    text = open(summary, encoding="utf-8").read()
    text = text.replace('"complete" : true', '"complete" : false')
    open(summary, "w", encoding="utf-8").write(text)
    garbled = os.path.join(work, "folder-garbled")
    shutil.copytree(os.path.join(work, "folder-a"), garbled)
    with open(os.path.join(garbled, "digests.csv"), "a", encoding="utf-8") as f:
        f.write("12,3.5,not-a-digest\n")
    cases = [
        (["diff", "no-such-file.ini"], "no-such-file.ini"),
        (["diff", work + "/folder-a", garbled], "digests.csv:"),
        (["diff", work + "/folder-a", empty], "digests.csv"),
        (["diff", work + "/folder-a", work + "/folder-b", "--nodes", "3"], "without run flags"),
        (["diff", work + "/folder-a", cut], "interrupted"),
        (["diff", "--every", "0"], "--every"),
        (["diff", "--nodes", "0"], "nodes"),
        (["diff", "a.ini", "b.ini", "c.ini"], "two sides at most"),
        (["diff", "--set-b", "consensus.nodez=3"], "nodez"),
    ]
    for args, needle in cases:
        out = run(binary, args, 2)
        if needle not in out:
            fail(f"{' '.join(args)}: the message does not name {needle!r}: {out!r}")


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as work:
        crash_index = check_runs(binary, work)
        check_folders(binary, work, crash_index)
        check_two_builds(binary, work, crash_index)
        check_bad_input(binary, work)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        return 1
    print("diff: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
