#!/usr/bin/env python3
"""An interrupted sweep, resumed, ends with the same sweep.csv as one never interrupted.

Goal: `shotglass sweep` resumes after a real interruption (check_sweep.py fakes one by deleting
folders). Method: an uninterrupted sweep gives the reference sweep.csv; then the same sweep is
started in a session of its own and, once some of its runs are complete, interrupted:

  * SIGINT to the whole process group, as Ctrl-C in a terminal: the sweep and its running runs
    stop (those runs leave folders marked incomplete), exit 130;
  * SIGKILL to the whole group, as a machine or a session dying: runs die half-written;
  * SIGKILL to the sweep alone: its running runs go on as orphans. A sweep started on the
    folder meanwhile is refused (exit 2: the folder is locked while they live) instead of
    running the same jobs beside them; once they end it resumes.

Each time the same command is run again until it exits 0, and its sweep.csv must equal the
reference byte for byte. When the sweep finishes before the signal lands, the case is tried
again with an earlier interruption point. Last, a folder whose lock someone holds is refused
with a message, and accepted once the lock is released.

Usage: check_sweep_resume.py SHOTGLASS SCENARIO
"""
import fcntl
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

FAILURES = []
RUNS = 12


def fail(what):
    FAILURES.append(what)
    print("FAIL:", what)


def command(binary, scenario, out):
    return [binary, "sweep", scenario, "--vary", "consensus.nodes=7,13", "--seeds", str(RUNS // 2),
            "--jobs", "2", "--quiet", "--set", "scenario.views=40", "--out", out]


def complete_runs(out):
    count = 0
    for path in glob.glob(os.path.join(out, "points", "*", "*", "summary.json")):
        try:
            count += json.load(open(path, encoding="utf-8")).get("complete") is True
        except (OSError, ValueError):
            pass  # being written (it is renamed into place, but a reader may race the unlink)
    return count


def interrupt(args, out, how, after):
    """Starts the sweep, signals it once `after` runs are complete; its exit code, or None when
    it finished first."""
    p = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while p.poll() is None and complete_runs(out) < after and time.monotonic() < deadline:
        time.sleep(0.002)
    if p.poll() is not None:
        p.communicate()
        return None
    if how == "SIGKILL to the sweep":
        os.kill(p.pid, signal.SIGKILL)
    else:
        os.killpg(p.pid, signal.SIGINT if how.startswith("SIGINT") else signal.SIGKILL)
    _, err = p.communicate(timeout=60)
    if p.returncode == 0:
        return None
    expected = 130 if how.startswith("SIGINT") else -signal.SIGKILL
    if p.returncode != expected:
        fail(f"{how}: the sweep exited {p.returncode}, expected {expected}: {err}")
    return p.returncode


def resume(args):
    """Runs the sweep again until it is allowed to (orphans of a killed sweep may hold the
    folder); returns the number of refusals."""
    refusals = 0
    deadline = time.monotonic() + 60
    while True:
        p = subprocess.run(args, capture_output=True, text=True, timeout=120)
        if p.returncode == 0:
            return refusals
        if p.returncode == 2 and "still write there" in p.stderr and time.monotonic() < deadline:
            refusals += 1
            time.sleep(0.05)
            continue
        fail(f"resuming: exit {p.returncode}: {p.stderr}")
        return refusals


def check_case(binary, scenario, work, how, reference):
    for after in (4, 2, 1, 0):
        out = os.path.join(work, f"{how.replace(' ', '-')}-{after}")
        args = command(binary, scenario, out)
        code = interrupt(args, out, how, after)
        done = complete_runs(out)
        if code is None or done == RUNS:
            print(f"{how}: the sweep finished before the signal at {after} runs; again earlier")
            continue
        refusals = resume(args)
        print(f"{how} after {done} of {RUNS} runs: exit {code}; resumed "
              f"({refusals} refusals while orphans ran)")
        csv = open(os.path.join(out, "sweep.csv"), encoding="utf-8").read()
        if csv != reference:
            fail(f"{how}: the resumed sweep.csv differs from the uninterrupted one:\n{csv}\n"
                 f"reference:\n{reference}")
        if complete_runs(out) != RUNS:
            fail(f"{how}: {complete_runs(out)} of {RUNS} runs complete after resuming")
        return
    fail(f"{how}: the sweep always finished before it could be interrupted")


def check_lock(binary, scenario, work):
    out = os.path.join(work, "locked")
    os.makedirs(out)
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    p = subprocess.run(command(binary, scenario, out), capture_output=True, text=True,
                       timeout=120)
    if p.returncode != 2 or "still write there" not in p.stderr or complete_runs(out) != 0:
        fail(f"a locked folder: exit {p.returncode}, {complete_runs(out)} runs: {p.stderr}")
    os.close(fd)
    p = subprocess.run(command(binary, scenario, out), capture_output=True, text=True,
                       timeout=120)
    if p.returncode != 0 or complete_runs(out) != RUNS:
        fail(f"the folder once unlocked: exit {p.returncode}: {p.stderr}")


def main():
    binary, scenario = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "reference")
        p = subprocess.run(command(binary, scenario, out), capture_output=True, text=True,
                           timeout=120)
        if p.returncode != 0:
            fail(f"the reference sweep exited {p.returncode}: {p.stderr}")
            return 1
        reference = open(os.path.join(out, "sweep.csv"), encoding="utf-8").read()
        for how in ("SIGINT to the group", "SIGKILL to the group", "SIGKILL to the sweep"):
            check_case(binary, scenario, work, how, reference)
        check_lock(binary, scenario, work)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        return 1
    print("sweep resume: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
