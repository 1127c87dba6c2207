#!/usr/bin/env python3
"""Every mutant is caught, by the oracle meant to catch it.

A mutant (docs/mutants.md, protocol/mutant.h) compiles a known protocol bug into every
validator, selected per run by the scenario key [test] mutant. For each mutant, the table below
names a scenario that switches it on and the safety-oracle check that must catch it. The test
runs each scenario twice:
  * as it is: exit code 0 (its `[expect] safety = KIND` holds) and summary.json reporting a
    violation of exactly that kind;
  * with `--set test.mutant=none`: the same run without the bug, in which every oracle holds
    (safety and data availability), so the violation is the mutant's doing.
It also checks that the table covers every mutant the binary knows (the names its error for an
unknown mutant lists, with exit code 2), and prints the mutation score.

With --explore (meson test `mutants-explore`), for each mutant: `shotglass explore` over a few
seeds, starting from a scenario without a fault of its own (tests/scenarios/mutants/
explore-base.ini, or tests/scenarios/explore-da.ini for the data path) with the mutant set by
`--set test.mutant=NAME`, and where the bug needs a Byzantine sender or a crash, the draw
narrowed to it (`--behaviours forged_qc`, `--kinds crash`, ...). Some seed must fail with the
intended tag (`safety:KIND`); the first such file must replay (`shotglass run` reports the same
kind) and `shotglass shrink` must cut it down (fewer fault groups, validators or views) to a file
that still fails that way. Prints the explore score.

Usage: check_mutants.py SHOTGLASS SOURCE_ROOT [--explore]
"""
import configparser
import json
import os
import re
import subprocess
import sys
import tempfile

# (mutant, scenario relative to the source root, the safety check that must catch it)
MUTANTS = [
    ("quorum_half", "tests/scenarios/mutants/quorum_half.ini", "certificate"),
    ("skip_lock_check", "tests/scenarios/mutants/skip_lock_check.ini", "agreement"),
    ("restart_forgets_votes", "scenarios/vote-once-positive-control.ini", "vote-once"),
    ("restart_forgets_da_vote", "tests/scenarios/mutants/restart_forgets_da_vote.ini",
     "vote-once"),
    ("one_chain_decide", "tests/scenarios/mutants/one_chain_decide.ini", "agreement"),
    ("accept_bad_qc", "tests/scenarios/mutants/accept_bad_qc.ini", "certificate"),
    ("da_vote_without_storing", "tests/scenarios/mutants/da_vote_without_storing.ini",
     "custody"),
    ("accept_weak_tc", "tests/scenarios/mutants/accept_weak_tc.ini", "certificate"),
    ("decide_without_ancestors", "scenarios/prefix-positive-control.ini", "prefix"),
    ("da_trust_commitment", "tests/scenarios/mutants/da_trust_commitment.ini", "custody"),
    ("last_qc_without_next", "tests/scenarios/mutants/last_qc_without_next.ini", "certificate"),
]


BASE = "tests/scenarios/mutants/explore-base.ini"
BASE_DA = "tests/scenarios/explore-da.ini"

# (mutant, starting scenario, seeds, extra explore flags): a draw that shows the bug on some seed
EXPLORE = {
    "quorum_half": (BASE, 4, []),
    "skip_lock_check": (BASE, 24, ["--behaviours", "fork"]),
    "restart_forgets_votes": (BASE, 16, ["--kinds", "crash"]),
    "restart_forgets_da_vote": (BASE_DA, 32, ["--kinds", "crash",
                                              "--set", "consensus.leaders=round-robin"]),
    "one_chain_decide": (BASE, 24, ["--behaviours", "fork_parent"]),
    "accept_bad_qc": (BASE, 8, ["--behaviours", "forged_qc"]),
    "da_vote_without_storing": (BASE_DA, 4, []),
    "accept_weak_tc": (BASE, 8, ["--behaviours", "weak_tc"]),
    "decide_without_ancestors": (BASE, 8, []),
    "da_trust_commitment": (BASE_DA, 8, ["--behaviours", "inconsistent_encoding",
                                         "--set", "da.payloads=real"]),
    # The epoch tables must differ for a single QC to fall short of the next epoch's quorum.
    "last_qc_without_next": ("tests/scenarios/mutants/explore-epochs.ini", 4, []),
}


def run(shotglass, scenario, out, extra=()):
    args = [shotglass, "run", scenario, "--quiet", "--out", out, *extra]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    summary = None
    path = os.path.join(out, "summary.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            summary = json.load(f)
    return done, summary


def known_mutants(shotglass, root):
    """The mutant names the binary lists when given an unknown one (and its exit code)."""
    done = subprocess.run([shotglass, "run", os.path.join(root, "scenarios/quickstart.ini"),
                           "--quiet", "--set", "test.mutant=no_such_mutant"],
                          capture_output=True, text=True, timeout=60)
    match = re.search(r"\[test\] mutant: expected (.*), got \"no_such_mutant\"", done.stderr)
    names = set(match.group(1).split(" or ")) - {"none"} if match else set()
    return done.returncode, names


def check(shotglass, root, mutant, scenario, kind, folder):
    path = os.path.join(root, scenario)
    problems = []
    keys = configparser.ConfigParser(interpolation=None)
    keys.read(path, encoding="utf-8")
    if keys.get("test", "mutant", fallback="none") != mutant:
        problems.append("%s does not set [test] mutant = %s" % (scenario, mutant))
    done, summary = run(shotglass, path, os.path.join(folder, mutant + "-on"))
    safety = (summary or {}).get("oracles", {}).get("safety", {})
    if done.returncode != 0:
        problems.append("with the mutant: exit code %d, expected 0 (%s)"
                        % (done.returncode, done.stderr.strip()[-300:]))
    if safety.get("violated") != kind:
        problems.append("with the mutant: the safety oracle reported %r, expected %r (%s)"
                        % (safety.get("violated"), kind, safety.get("violation")))
    done, summary = run(shotglass, path, os.path.join(folder, mutant + "-off"),
                        ["--set", "test.mutant=none"])
    oracles = (summary or {}).get("oracles", {})
    if not oracles.get("safety", {}).get("ok") or not oracles.get("data_availability",
                                                                      {}).get("ok"):
        problems.append("without the mutant an oracle still fails: %s" % oracles)
    if summary is not None and not summary.get("complete", True):
        problems.append("without the mutant the run did not complete")
    return problems, safety.get("violation")


def size_of(path):
    """(fault groups, validators, views) of a scenario file."""
    keys = configparser.ConfigParser(interpolation=None, strict=False)
    keys.read(path, encoding="utf-8")
    faults = sum(1 for g in keys.sections() if g.startswith("fault."))
    return (faults, int(keys.get("consensus", "nodes", fallback="10")),
            int(keys.get("scenario", "views", fallback="100")))


def explore_one(shotglass, root, mutant, kind, folder):
    base, seeds, extra = EXPLORE[mutant]
    out = os.path.join(folder, mutant)
    args = [shotglass, "explore", os.path.join(root, base), "--seeds", str(seeds), "--jobs", "2",
            "--json", "-q", "--out", out, "--set", "test.mutant=" + mutant, *extra]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    try:
        summary = json.loads(done.stdout)
    except ValueError:
        return ["explore printed no JSON (exit %d): %s" % (done.returncode, done.stderr[-300:])], ""
    tag = "safety:" + kind
    found = [f for f in summary.get("failures", []) if f.get("failure") == tag]
    if done.returncode != 1 or not found:
        return ["explore over %d seeds found no %s (failures: %s)"
                % (seeds, tag, summary.get("by_failure"))], ""
    failing = found[0]["file"]
    if not os.path.isabs(failing):
        failing = os.path.join(out, os.path.basename(failing))
    problems = []
    replay, replayed = run(shotglass, failing, os.path.join(folder, mutant + "-replay"))
    if (replayed or {}).get("oracles", {}).get("safety", {}).get("violated") != kind:
        problems.append("%s does not replay the %s violation" % (failing, kind))
    small = os.path.join(folder, mutant + ".min.ini")
    shrunk = subprocess.run([shotglass, "shrink", failing, "-o", small, "-q", "--failure", tag],
                            capture_output=True, text=True, timeout=600)
    if shrunk.returncode != 0 or not os.path.exists(small):
        problems.append("shrink failed (exit %d): %s" % (shrunk.returncode, shrunk.stderr[-300:]))
        return problems, ""
    before, after = size_of(failing), size_of(small)
    if not all(a <= b for a, b in zip(after, before)) or after == before:
        problems.append("shrink did not reduce %s: %s -> %s" % (failing, before, after))
    _, again = run(shotglass, small, os.path.join(folder, mutant + "-min"))
    if (again or {}).get("oracles", {}).get("safety", {}).get("violated") != kind:
        problems.append("the shrunk file no longer fails with %s" % tag)
    story = "%d of %d seeds; seed %s shrunk from %d faults, %d validators, %d views to %d, %d, %d" % (
        len(found), seeds, found[0].get("seed"), *before, *after)
    return problems, story


def main_explore(shotglass, root):
    failures = []
    caught = 0
    with tempfile.TemporaryDirectory() as folder:
        for mutant, _, kind in MUTANTS:
            problems, story = explore_one(shotglass, root, mutant, kind, folder)
            if problems:
                failures += ["%s: %s" % (mutant, p) for p in problems]
                print("MISSED  %-25s %s" % (mutant, "; ".join(problems)))
            else:
                caught += 1
                print("found   %-25s safety:%-11s %s" % (mutant, kind, story))
    print("explore score: found and shrunk %d of %d" % (caught, len(MUTANTS)))
    for f in failures:
        print("FAILED: " + f)
    sys.exit(1 if failures else 0)


def main():
    shotglass, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    if "--explore" in sys.argv[3:]:
        main_explore(shotglass, root)
    failures = []
    code, names = known_mutants(shotglass, root)
    if code != 2:
        failures.append("an unknown [test] mutant exits %d, expected 2" % code)
    listed = {m for m, _, _ in MUTANTS}
    if names != listed:
        failures.append("the binary's mutants %s are not the table's %s"
                        % (sorted(names), sorted(listed)))
    caught = 0
    with tempfile.TemporaryDirectory() as folder:
        for mutant, scenario, kind in MUTANTS:
            problems, violation = check(shotglass, root, mutant, scenario, kind, folder)
            if problems:
                failures += ["%s (%s): %s" % (mutant, scenario, p) for p in problems]
                print("MISSED  %-25s %s" % (mutant, "; ".join(problems)))
            else:
                caught += 1
                print("caught  %-25s by %-11s %s" % (mutant, kind, violation))
    print("mutation score: caught %d of %d" % (caught, len(MUTANTS)))
    for f in failures:
        print("FAILED: " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
