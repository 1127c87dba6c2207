#!/usr/bin/env python3
"""Sweeps: the grid, resuming, and GNU parallel plus merge.

1. A sweep of 2 x 2 points x 2 seeds writes a sweep.csv with 4 rows and the documented
   columns; each confidence half-width is Student's t(0.975, 1) = 12.7062 times sd / sqrt(2).
   One varied placement holds commas (values split at `;`), so its cells must come back
   quoted. The sweep draws a PNG and an SVG of every metric against every key, and a
   report.html; the run folders get no plots of their own (workers run with --no-plots).
2. After an interruption (one run folder gone, one marked incomplete), the sweep again runs
   exactly those two and leaves the others alone; sweep.csv comes out the same.
3. `--emit-jobs` run through GNU parallel, then `shotglass merge`, gives the same sweep.csv as
   `sweep --jobs`.
4. Seed hunting: a sweep without --vary runs one point's seeds; when some runs fail an
   expectation (a finality bound half the seeds miss), it exits 1, fail_rate is the share that
   failed, and it prints for each failed run a command that replays it to the same digest and
   verdict. With --first-failure and one job it stops at the first failing seed, also when
   resumed; with --emit-jobs it is refused.

Usage: check_sweep.py SHOTGLASS SCENARIO
"""
import csv
import glob
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

FAILURES = []
SPLIT = "us-east-1:50%, eu-west-1:50%"


def expect(condition, what):
    if not condition:
        FAILURES.append(what)


def sweep(binary, scenario, out, *extra):
    args = [binary, "sweep", scenario, "--vary", "consensus.nodes=7,13",
            "--vary", f"network.placement=us-east-1;{SPLIT}", "--seeds", "2", "--jobs", "2",
            "--out", out, "--quiet", *extra]
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def summaries(out):
    return sorted(glob.glob(os.path.join(out, "points", "*", "*", "summary.json")))


def check_grid(binary, scenario, out):
    result = sweep(binary, scenario, out)
    expect(result.returncode == 0, f"sweep exit code {result.returncode}: {result.stderr}")
    rows = list(csv.DictReader(open(os.path.join(out, "sweep.csv"))))
    expect(len(rows) == 4, f"4 points, got {len(rows)}")
    expect(len(summaries(out)) == 8, "8 run folders")
    columns = rows[0].keys() if rows else []
    for column in ("point", "consensus.nodes", "network.placement", "seeds",
                   "finality_p50_s_mean", "finality_p50_s_sd", "finality_p50_s_ci95",
                   "blocks_per_s_mean"):
        expect(column in columns, f"sweep.csv has a {column} column")
    for row in rows:
        expect(row["seeds"] == "2", "two seeds per point")
        sd, ci = float(row["blocks_per_s_sd"]), float(row["blocks_per_s_ci95"])
        expect(math.isclose(ci, 12.7062 * sd / math.sqrt(2), rel_tol=1e-4, abs_tol=1e-9),
               f"ci95 {ci} is t * sd / sqrt(n) for sd {sd}")
    values = sorted((r["consensus.nodes"], r["network.placement"]) for r in rows)
    expect(values == [("13", "us-east-1"), ("13", SPLIT), ("7", "us-east-1"), ("7", SPLIT)],
           f"every point of the grid: {values}")
    metrics = [c[:-len("_mean")] for c in columns if c.endswith("_mean")]
    for metric in metrics:
        for key in ("consensus.nodes", "network.placement"):
            for ext in ("png", "svg"):
                path = os.path.join(out, "plots", f"sweep_{metric}_vs_{key}.{ext}")
                expect(os.path.getsize(path) > 1000 if os.path.exists(path) else False,
                       f"{path} drawn")
    report = os.path.join(out, "report.html")
    expect(os.path.exists(report) and "<svg" in open(report).read(), "report.html with plots")
    expect(not glob.glob(os.path.join(out, "points", "*", "*", "plots")),
           "no plots in the run folders")


def check_resume(binary, scenario, out):
    before = open(os.path.join(out, "sweep.csv")).read()
    paths = summaries(out)
    gone, incomplete = os.path.dirname(paths[0]), paths[3]
    shutil.rmtree(gone)
    summary = json.load(open(incomplete))
    summary["complete"] = False
    json.dump(summary, open(incomplete, "w"))
    untouched = {p: os.stat(p).st_mtime_ns for p in paths if p not in (paths[0], incomplete)}
    result = sweep(binary, scenario, out)
    expect(result.returncode == 0, f"resumed sweep exit code {result.returncode}")
    for path, mtime in untouched.items():
        expect(os.stat(path).st_mtime_ns == mtime, f"{path} was run again")
    expect(os.path.exists(paths[0]), "the deleted run was run again")
    expect(json.load(open(incomplete))["complete"], "the incomplete run was run again")
    expect(open(os.path.join(out, "sweep.csv")).read() == before, "sweep.csv is the same")


def check_parallel_and_merge(binary, scenario, folder, reference):
    out = os.path.join(folder, "emitted")
    jobs = os.path.join(folder, "jobs.txt")
    result = sweep(binary, scenario, out, "--emit-jobs", jobs)
    expect(result.returncode == 0, f"--emit-jobs exit code {result.returncode}")
    lines = open(jobs).read().splitlines()
    expect(len(lines) == 8, f"one command per run, got {len(lines)}")
    run = subprocess.run(["parallel", "--will-cite", "-j", "2"], stdin=open(jobs),
                         capture_output=True, text=True, timeout=300)
    expect(run.returncode == 0, f"GNU parallel exit code {run.returncode}: {run.stderr}")
    merged = subprocess.run([binary, "merge", out], capture_output=True, text=True, timeout=60)
    expect(merged.returncode == 0, f"merge exit code {merged.returncode}: {merged.stderr}")
    expect(open(os.path.join(out, "sweep.csv")).read() == reference,
           "parallel + merge gives the same sweep.csv as sweep --jobs")


# Seeds 1, 2, 5 and 6 of tests/scenarios/sweep.ini have finality p50 within this; 3, 4, 7, 8 not.
STRICT = "expect.finality_p50<=341ms"


def replay(binary, line):
    """Runs a printed replay line ("FOLDER: 'PROGRAM' run ...") and returns (exit, digest)."""
    command = shlex.split(line.split(": ", 1)[1])
    expect(os.path.samefile(command[0], binary), f"{line} names this program")
    result = subprocess.run([*command, "--quiet"], capture_output=True, text=True, timeout=60)
    digest = [w for w in result.stdout.split() if len(w) == 64]
    return result.returncode, digest[0] if digest else None


def check_hunt(binary, scenario, folder):
    out = os.path.join(folder, "hunt")
    result = subprocess.run([binary, "sweep", scenario, "--seeds", "4", "--jobs", "2", "--set",
                             STRICT, "--out", out, "--quiet"], capture_output=True, text=True,
                            timeout=300)
    expect(result.returncode == 1, f"a sweep with failed runs exits 1, not {result.returncode}")
    rows = list(csv.DictReader(open(os.path.join(out, "sweep.csv"))))
    expect(len(rows) == 1 and rows[0]["seeds"] == "4", "one point of four seeds")
    expect(rows and float(rows[0]["fail_rate_mean"]) == 0.5, "fail_rate 0.5: seeds 3 and 4")
    lines = [l.strip() for l in result.stdout.splitlines() if "shotglass' run " in l]
    expect([l.split(":")[0].rsplit("/", 1)[1] for l in lines] == ["seed-3", "seed-4"],
           f"the failed runs are listed: {lines}")
    for line in lines:
        summary = json.load(open(os.path.join(line.split(":")[0], "summary.json")))
        expect(summary["passed"] is False, f"{line}: summary says it did not pass")
        code, digest = replay(binary, line)
        expect(code == 1 and digest == summary["digest"],
               f"replaying {line} fails again with the same digest ({code}, {digest})")
    passed = json.load(open(os.path.join(out, "points", "p001", "seed-1", "summary.json")))
    expect(passed["passed"] is True, "seed 1 passed")
    first = os.path.join(folder, "first")
    hunt = [binary, "sweep", scenario, "--seeds", "8", "--jobs", "1", "--set", STRICT,
            "--first-failure", "--out", first, "--quiet"]
    for attempt in ("first", "resumed"):  # a resumed hunt has found its seed already
        result = subprocess.run(hunt, capture_output=True, text=True, timeout=300)
        ran = sorted(os.listdir(os.path.join(first, "points", "p001")))
        expect(result.returncode == 1 and ran == ["seed-1", "seed-2", "seed-3"],
               f"{attempt} --first-failure stops at seed 3: exit {result.returncode}, ran {ran}")
    result = subprocess.run(hunt + ["--emit-jobs", os.path.join(folder, "jobs")],
                            capture_output=True, text=True, timeout=60)
    expect(result.returncode == 2, "--first-failure with --emit-jobs is refused")


def main():
    binary, scenario = sys.argv[1], os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "sweep")
        check_grid(binary, scenario, out)
        reference = open(os.path.join(out, "sweep.csv")).read()
        check_resume(binary, scenario, out)
        check_parallel_and_merge(binary, scenario, folder, reference)
        check_hunt(binary, scenario, folder)
    for failure in FAILURES:
        print("FAIL:", failure)
    print(f"{len(FAILURES)} problems")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
