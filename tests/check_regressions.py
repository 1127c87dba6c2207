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
    ("regression-09-cdn-down-local-shares.ini", ["da.test_silent_local_share=true"],
     "decided_blocks >= 40",
     "the buggy rule (PR #3390): DA members keep the shares they compute and never vote"),
    ("regression-10-cdn-unreachable-at-start.ini", ["cdn.test_no_initial_connect=true"],
     "reconnects >= 30", "the buggy rule (PR #3407): a CDN unreachable at start is never used"),
    ("regression-11-libp2p-vid-gossip.ini", ["libp2p.test_gossip_vid=true"], "leader_egress <= 20",
     "the bottleneck (#2619): every VID share gossiped to every validator"),
    ("regression-25-split-view-sync.ini", ["fault.cut.until=80s"], "longest_gap <= 60s",
     "a partition of 60 s leaves more than a minute without a decide, whatever view sync does"),
    ("regression-19-light-client-epoch-root.ini", ["epochs.test_light_client_last_block=true"],
     "light_client_lag_max <= 30s",
     "the off-by-one of PR espresso#3314: the last block taken before the root wedges the client"),
    ("regression-25-qnt-own-proposal.ini", ["epochs.test_own_proposal_check=true"],
     "transitions >= 9", "QNT finding i: the leader of eN-1 refuses its own proposal"),
    ("regression-25-qnt-vote-recipients.ini", ["epochs.test_last_votes_to_current_leader=true"],
     "transition_views <= 4", "QNT finding ii: the last block's votes reach the wrong leader"),
    ("l1-forgery-under-third.ini", ["fault.forgers.nodes=0-33"], "light_client_safe == true",
     "34 of 100 lc_forge signers reach the light client's threshold: the forgery gets in"),
    ("cdn-broker-crash.ini", ["cdn.idle_timeout=60s"], "longest_gap <= 40s",
     "validators that find a dead connection only after 60 s are cut off that long"),
    ("cdn-broker-crash.ini", ["fault.broker.nodes=brokers"], "longest_gap <= 40s",
     "every broker down: no validator reaches another until they come back at 50 s"),
    ("combined-cdn-partition.ini", ["cdn.idle_timeout=1h"], "cdn_down >= 60",
     "connections never found dead: nobody declares the CDN down during the cut"),
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
