#!/usr/bin/env python3
"""`shotglass explore` and `shotglass shrink`.

1. Exploring: byzantine-under-third.ini (DA on, 30% Byzantine of its own) and explore-da.ini
   (DA on, no faults of its own) over a few dozen seeds: every seed runs, none fails, the JSON
   summary adds up, and the generator drew faults of every kind the budget leaves room for
   (on byzantine-under-third none that adds faulty stake, since 3 of 10 is already as much as
   "below a third" allows). `--budget faulty=0` draws no Byzantine, crashed or paused validator;
   `--kinds partition` draws partitions only; `--expect all` keeps the scenario's own bounds,
   which random faults break (failed_views == 0 fails on some seed).
2. Finding and replaying: explore-unsafe.ini turns the locking rule off (a test-only switch);
   with the `fork` behaviour explore must find seeds that break agreement, write each as a
   scenario file, and `shotglass run FILE` must fail with the same agreement violation.
3. Shrinking: the failing file with the most faults shrinks to one that is smaller (fewer fault
   groups, views or validators) and still fails with safety:agreement under `shotglass run`;
   shrinking is deterministic (the same input gives the same output twice) and refuses a file
   that does not fail (exit 2).
4. Determinism: the same seeds give byte-identical stdout and failure files with --jobs 1 and
   --jobs 2, and the text summary is identical run to run.
5. Bad input exits 2 with a message naming the flag: a share above 1, an unknown kind or
   behaviour, a missing file, --recovery without --liveness.

Usage: check_explore.py SHOTGLASS SOURCE_ROOT
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

FAILURES = []


def expect(condition, what):
    if not condition:
        FAILURES.append(what)


def shotglass(binary, *args, cwd=None):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def explore_json(binary, scenario, out, *extra):
    result = shotglass(binary, "explore", scenario, "--out", out, "--json", "-q", *extra)
    try:
        summary = json.loads(result.stdout)
    except ValueError:
        summary = None
    return result, summary


def check_explore(binary, root, tmp):
    under = os.path.join(root, "scenarios", "byzantine-under-third.ini")
    result, s = explore_json(binary, under, os.path.join(tmp, "under"), "--seeds", "24",
                             "--jobs", "2")
    expect(result.returncode == 0, f"explore under-third: exit {result.returncode}: "
                                   f"{result.stderr}{result.stdout[-2000:]}")
    if s is not None:
        expect(s["ran"] == 24 and s["passed"] == 24 and s["failed"] == 0,
               f"under-third: 24 seeds, all pass: {s['ran']}, {s['passed']}, {s['failed']}")
        expect(s["safety_violations"] == 0, "under-third: no safety violation")
        drawn = s["faults_drawn"]
        expect(drawn["byzantine"] == 0 and drawn["crash"] == 0 and drawn["pause"] == 0,
               f"under-third leaves no faulty stake to draw: {drawn}")
        expect(sum(drawn.values()) > 24, f"under-third: network faults drawn: {drawn}")
    else:
        expect(False, f"under-third: no JSON summary: {result.stdout[:500]}")

    da = os.path.join(root, "tests", "scenarios", "explore-da.ini")
    result, s = explore_json(binary, da, os.path.join(tmp, "da"), "--seeds", "24")
    expect(result.returncode == 0, f"explore-da: exit {result.returncode}: {result.stdout[-2000:]}")
    if s is not None:
        expect(s["ran"] == 24 and s["failed"] == 0, f"explore-da: 24 seeds pass: {s}")
        drawn = s["faults_drawn"]
        for kind in ("crash", "partition", "degrade", "filter", "skew", "slow", "byzantine"):
            expect(drawn[kind] > 0, f"explore-da: some {kind} drawn in 24 seeds: {drawn}")
        expect(s["byzantine_nodes"] > 0 and s["crashed_nodes"] > 0,
               f"explore-da: faulty nodes drawn: {s}")

    result, s = explore_json(binary, da, os.path.join(tmp, "none"), "--seeds", "12",
                             "--budget", "faulty=0")
    expect(result.returncode == 0 and s is not None, f"faulty=0: {result.stderr}")
    if s is not None:
        drawn = s["faults_drawn"]
        expect(drawn["byzantine"] + drawn["crash"] + drawn["pause"] == 0,
               f"--budget faulty=0 draws no faulty validator: {drawn}")
    result, s = explore_json(binary, da, os.path.join(tmp, "parts"), "--seeds", "12",
                             "--kinds", "partition")
    if s is not None:
        drawn = s["faults_drawn"]
        expect(drawn["partition"] > 0 and sum(drawn.values()) == drawn["partition"],
               f"--kinds partition draws partitions only: {drawn}")
    result, s = explore_json(binary, da, os.path.join(tmp, "all"), "--seeds", "12",
                             "--expect", "all")
    expect(result.returncode == 1 and s is not None and
           any(t == "expect:failed_views == 0" for t in s["by_failure"]),
           f"--expect all keeps failed_views == 0, which random faults break: {result.stdout[-800:]}")


def fault_groups(path):
    return len(re.findall(r"^\[fault\.", open(path).read(), re.M))


def size(path):
    text = open(path).read()
    views = re.search(r"^views = (\d+)", text, re.M)
    nodes = re.search(r"^nodes = (\d+)", text, re.M)
    return (fault_groups(path), int(views.group(1)) if views else 100,
            int(nodes.group(1)) if nodes else 10)


def check_find_replay_shrink(binary, root, tmp):
    unsafe = os.path.join(root, "tests", "scenarios", "explore-unsafe.ini")
    out = os.path.join(tmp, "unsafe")
    result, s = explore_json(binary, unsafe, out, "--seeds", "30", "--behaviours", "fork")
    expect(result.returncode == 1, f"explore-unsafe must fail: exit {result.returncode}")
    if s is None:
        expect(False, "explore-unsafe: no JSON")
        return
    expect(s["failed"] > 0 and s["safety_violations"] == s["failed"],
           f"explore-unsafe: failures are safety violations: {s['by_failure']}")
    expect(set(s["by_failure"]) == {"safety:agreement"}, f"agreement only: {s['by_failure']}")
    files = sorted(f["file"] for f in s["failures"])
    expect(files == sorted(glob.glob(os.path.join(out, "*.ini"))), "a file per failing seed")
    if not files:
        return
    biggest = max(files, key=lambda f: (fault_groups(f), f))
    replay = shotglass(binary, "run", biggest, "-q")
    expect(replay.returncode == 1 and "agreement violated" in replay.stdout,
           f"run {biggest} replays the violation: {replay.stdout}")
    seed = re.search(r"seed-(\d+)\.ini$", biggest).group(1)
    expect(f"seed {seed}," in replay.stdout, "the replay runs the seed explore ran")

    minimal = os.path.join(tmp, "minimal.ini")
    shrunk = shotglass(binary, "shrink", biggest, "-o", minimal, "-q")
    expect(shrunk.returncode == 0, f"shrink exit {shrunk.returncode}: {shrunk.stderr}")
    expect(os.path.exists(minimal), "shrink writes -o FILE")
    if not os.path.exists(minimal):
        return
    before, after = size(biggest), size(minimal)
    expect(after < before and all(a <= b for a, b in zip(after, before)),
           f"the minimal file is smaller: (faults, views, nodes) {before} -> {after}")
    expect(fault_groups(minimal) >= 1, "the forker stays: without it nothing fails")
    rerun = shotglass(binary, "run", minimal, "-q")
    expect(rerun.returncode == 1 and "agreement violated" in rerun.stdout,
           f"the minimal file fails the same way: {rerun.stdout}")
    again = shotglass(binary, "shrink", biggest, "-o", os.path.join(tmp, "again.ini"), "-q")
    expect(again.stdout.replace("again.ini", "minimal.ini") == shrunk.stdout and
           open(os.path.join(tmp, "again.ini")).read() == open(minimal).read(),
           "shrink is deterministic")
    default = shotglass(binary, "shrink", biggest, "-q")
    expect(default.returncode == 0 and os.path.exists(biggest[:-4] + ".min.ini"),
           "shrink writes FILE.min.ini by default")
    passing = shotglass(binary, "shrink", os.path.join(root, "scenarios", "quickstart.ini"), "-q")
    expect(passing.returncode == 2 and "nothing to shrink" in passing.stderr,
           f"shrinking a passing scenario is refused: {passing.returncode} {passing.stderr}")


def check_determinism(binary, root, tmp):
    unsafe = os.path.join(root, "tests", "scenarios", "explore-unsafe.ini")
    outputs = []
    for jobs in ("1", "2", "2"):
        out = os.path.join(tmp, f"det-{len(outputs)}")
        os.makedirs(out)
        # The same relative --out from a folder of its own, so the paths printed agree.
        r = shotglass(binary, "explore", unsafe, "--seeds", "16", "--jobs", jobs, "-q",
                      "--behaviours", "fork,equivocate,double_vote", "--out", "failures", cwd=out)
        files = {os.path.basename(p): open(p).read()
                 for p in sorted(glob.glob(os.path.join(out, "failures", "*.ini")))}
        outputs.append((r.returncode, r.stdout, files))
    expect(outputs[0][1] != "", "explore prints a summary")
    expect(outputs[0] == outputs[1] == outputs[2],
           "explore: same seeds, same stdout and files, whatever --jobs")


def check_bad_input(binary, root, tmp):
    da = os.path.join(root, "tests", "scenarios", "explore-da.ini")
    for args, word in ((["--budget", "faulty=2"], "--budget"),
                       (["--budget", "colour=1/3"], "--budget"),
                       (["--kinds", "restart"], "--kinds"),
                       (["--behaviours", "sneaky"], "--behaviours"),
                       (["--recovery", "10s"], "--recovery"),
                       (["--seeds", "0"], "--seeds")):
        r = shotglass(binary, "explore", da, "-q", "--out", os.path.join(tmp, "bad"), *args)
        expect(r.returncode == 2 and word in r.stderr,
               f"explore {' '.join(args)}: exit 2 naming {word}: {r.returncode} {r.stderr}")
    r = shotglass(binary, "explore", os.path.join(tmp, "missing.ini"), "-q")
    expect(r.returncode == 2 and "missing.ini" in r.stderr, f"missing file: {r.stderr}")
    r = shotglass(binary, "shrink", os.path.join(tmp, "missing.ini"))
    expect(r.returncode == 2 and "missing.ini" in r.stderr, f"shrink missing file: {r.stderr}")


def main():
    binary, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory() as tmp:
        check_explore(binary, root, tmp)
        check_find_replay_shrink(binary, root, tmp)
        check_determinism(binary, root, tmp)
        check_bad_input(binary, root, tmp)
    for failure in FAILURES:
        print("FAIL:", failure)
    print(f"explore: {len(FAILURES)} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
