#!/usr/bin/env python3
"""Compares a sweep of scenarios/testnet-doppio.ini with the Doppio testnet's published figures.

The Doppio release published, per validator count, the average view time and the throughput
(docs.espressosys.com, "Doppio testnet release / Benchmarks"; docs/calibration.md). This reads
the sweep's sweep.csv (columns consensus.nodes, view_time_s_mean, payload_mb_per_s_mean),
prints each point beside the published one with the relative difference, and exits 1 when a
published point is missing or any figure is off by more than the tolerance (25 %).

Usage: doppio_compare.py SWEEP_CSV
       doppio_compare.py --run SHOTGLASS SCENARIO   (runs the sweep into a temporary folder first)
"""
import csv
import os
import subprocess
import sys
import tempfile

# validators -> (average view time in s, throughput in MB/s), as published
PUBLISHED = {10: (0.97, 25.25), 100: (1.10, 28.52), 500: (1.18, 28.74), 1000: (1.10, 29.41)}
TOLERANCE = 0.25


def compare(path):
    rows = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rows[int(row["consensus.nodes"])] = row
    print("%6s  %-28s  %-28s" % ("nodes", "view time (s): sim / pub", "throughput (MB/s): sim / pub"))
    bad = []
    for n, (view, mbps) in sorted(PUBLISHED.items()):
        row = rows.get(n)
        if row is None:
            bad.append("%d validators: not in the sweep" % n)
            continue
        sim_view, sim_mbps = float(row["view_time_s_mean"]), float(row["payload_mb_per_s_mean"])
        cells = []
        for name, sim, pub in (("view time", sim_view, view), ("throughput", sim_mbps, mbps)):
            off = sim / pub - 1
            mark = "" if abs(off) <= TOLERANCE else "  OUT"
            cells.append("%7.3f / %6.2f  %+6.1f%%%s" % (sim, pub, 100 * off, mark))
            if abs(off) > TOLERANCE:
                bad.append("%d validators: %s %.3f vs %.2f published (%+.1f%%)" %
                           (n, name, sim, pub, 100 * off))
        print("%6d  %-28s  %-28s" % (n, cells[0], cells[1]))
    for b in bad:
        print("FAIL: " + b)
    if bad:
        print("FAIL: %d figure(s) off by more than %d %%" % (len(bad), 100 * TOLERANCE))
    else:
        print("PASS: every figure within %d %% of the published one" % (100 * TOLERANCE))
    return 1 if bad else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--run":
        shotglass, scenario = sys.argv[2], sys.argv[3]
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "doppio")
            nodes = ",".join(str(n) for n in sorted(PUBLISHED))
            subprocess.run([shotglass, "sweep", scenario, "--vary", "consensus.nodes=" + nodes,
                            "--jobs", "2", "--out", out], check=True, stdout=subprocess.DEVNULL)
            return compare(os.path.join(out, "sweep.csv"))
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    return compare(sys.argv[1])


if __name__ == "__main__":
    sys.exit(main())
