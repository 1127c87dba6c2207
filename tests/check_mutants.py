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

Usage: check_mutants.py SHOTGLASS SOURCE_ROOT
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
]


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


def main():
    shotglass, root = os.path.abspath(sys.argv[1]), sys.argv[2]
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
