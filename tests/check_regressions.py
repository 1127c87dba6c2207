#!/usr/bin/env python3
"""The regression scenarios' expectations can fail.

Each scenarios/regression-*.ini passes as it stands (the scenarios suite runs it); here each
case runs one with overrides that recreate the buggy rule where shotglass has a switch for
it (a mutant, docs/mutants.md, or a legacy switch), or strengthen the fault just past what the
expectations allow, and requires exit code 1 with the named expectation reported as FAIL. Where the buggy rule has no switch, the commit
that added the scenario describes the temporary protocol patch it was checked against.

Usage: check_regressions.py SHOTGLASS SCENARIOS_DIR
"""
import os
import subprocess
import sys

# (scenario, overrides, the expectation that must FAIL, why)
CASES = [
    ("regression-12-repeat-leaders.ini", ["workload.until=20s"], "undecided_txs == 0",
     "users submitting twice as long leave a backlog the 100 views cannot drain"),
    ("regression-12-repeat-leaders.ini", ["fault.before-repeat.duration=40s"],
     "failed_views == 2", "nodes 1 and 2 still down when they lead views 64 and 65"),
    ("regression-14-tc-high-qc.ini", ["consensus.decide_rule=three-chain"],
     "finality_p50 <= 800ms", "the legacy three-chain rule decides a view later"),
    ("regression-14-tc-high-qc.ini",
     ["fault.slow-high-qc-0.delay=17s", "fault.slow-high-qc.delay=7s"], "failed_views == 1",
     "high QCs arriving after the leader's wait: it proposes on QC(18) and is refused"),
    ("regression-22-dac-proposal-order.ini", ["fault.late-proposal.delay=11s"],
     "failed_views == 0", "proposals later than the view timeout"),
    ("regression-23-avidm-f-plus-one.ini", ["fault.da-no-store.nodes=0-3"],
     "da_available == true", "f honest share holders (3 units) are fewer than k = 4"),
    ("regression-05-double-da-vote.ini", ["test.mutant=restart_forgets_da_vote"],
     "safety == ok", "the buggy rule: a restart forgets the views DA-voted in (PR #3971)"),
    ("regression-21-vote-before-persist.ini", ["test.mutant=restart_forgets_votes"],
     "safety == ok", "the buggy rule: a restart forgets the views voted and proposed in"),
    ("regression-24-inconsistent-encoding.ini", ["test.mutant=da_trust_commitment"],
     "safety == ok", "DA members that vote for the signed commitment without re-encoding"),
    ("regression-24-inconsistent-encoding.ini", ["fault.disperser.nodes=3,4"],
     "failed_views == 3", "a second inconsistent disperser: its views fail too"),
    ("regression-10-cdn-unreachable-at-start.ini", ["cdn.test_no_initial_connect=true"],
     "reconnects >= 30", "the buggy rule (PR #3407): a CDN unreachable at start is never used"),
    ("regression-11-libp2p-vid-gossip.ini", ["libp2p.test_gossip_vid=true"], "leader_egress <= 20",
     "the bottleneck (#2619): every VID share gossiped to every validator"),
    ("regression-25-split-view-sync.ini", ["fault.cut.until=80s"], "longest_gap <= 60s",
     "a partition of 60 s leaves more than a minute without a decide, whatever view sync does"),
    ("l1-forgery-under-third.ini", ["fault.forgers.nodes=0-33"], "light_client_safe == true",
     "34 of 100 lc_forge signers reach the light client's threshold: the forgery gets in"),
    ("cdn-broker-crash.ini", ["cdn.reconnect_delay=5s"], "reconnect_gap <= 2s",
     "validators that notice a dead broker only after 5 s are without one that long"),
    ("cdn-broker-crash.ini", ["fault.broker.nodes=brokers"], "longest_gap <= 25s",
     "every broker down: no validator reaches another until they come back at 50 s"),
]


def main():
    shotglass, folder = sys.argv[1], sys.argv[2]
    failures = []
    for scenario, overrides, expectation, why in CASES:
        args = [shotglass, "run", os.path.join(folder, scenario), "--quiet"]
        for o in overrides:
            args += ["--set", o]
        run = subprocess.run(args, capture_output=True, text=True, timeout=120)
        label = "%s %s (%s)" % (scenario, " ".join(overrides), why)
        failed = [l.strip() for l in run.stdout.splitlines() if l.strip().startswith("FAIL ")]
        if run.returncode != 1:
            failures.append("%s: exit code %d, expected 1" % (label, run.returncode))
        elif not any(l.startswith("FAIL  " + expectation) for l in failed):
            failures.append("%s: %s did not FAIL; failed: %s" % (label, expectation, failed))
        else:
            print("ok: %s: %s" % (label, expectation))
    for f in failures:
        print("FAILED: " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
