#!/usr/bin/env python3
"""Malformed scenario files are refused clearly.

Every file in DIR starts with a line "# expect: GROUP | KEY | TEXT" (GROUP or KEY "-" when the
problem has none). `shotglass run FILE` and `shotglass validate FILE` must both exit with code 2,
without crashing, and the message must name the file, the group as [GROUP], the key, and contain
TEXT.

Usage: check_bad_scenarios.py SHOTGLASS DIR
"""
import pathlib
import subprocess
import sys


def expectation(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    if not first.startswith("# expect:"):
        sys.exit(f"{path}: the first line must be '# expect: GROUP | KEY | TEXT'")
    group, key, text = (part.strip() for part in first[len("# expect:"):].split("|"))
    return group, key, text


def check(binary, path):
    group, key, text = expectation(path)
    problems = []
    for command in (["run", "--quiet"], ["validate"]):
        result = subprocess.run([binary, command[0], *command[1:], str(path)], capture_output=True,
                                text=True, timeout=60)
        where = f"{path.name} ({command[0]})"
        if result.returncode != 2:
            problems.append(f"{where}: exit code {result.returncode}, expected 2")
        message = result.stderr
        wanted = [str(path)]
        if group != "-":
            wanted.append(f"[{group}]")
        if key != "-":
            wanted.append(f"] {key}:")
        if text:
            wanted.append(text)
        for piece in wanted:
            if piece not in message:
                problems.append(f"{where}: {piece!r} not in the message:\n{message}")
    return problems


def main():
    binary, folder = sys.argv[1], pathlib.Path(sys.argv[2])
    files = sorted(folder.glob("*.ini"))
    problems = []
    for path in files:
        problems += check(binary, path)
    for problem in problems:
        print("FAIL:", problem)
    print(f"{len(files)} malformed scenarios, {len(problems)} problems")
    return 1 if problems or len(files) < 30 else 0


if __name__ == "__main__":
    sys.exit(main())
