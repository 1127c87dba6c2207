#!/usr/bin/env python3
"""The key reference in scenarios/README.md is what `shotglass list keys --markdown` prints.

Usage: check_docs.py SHOTGLASS SCENARIOS_README
"""
import subprocess
import sys


def main():
    binary, readme = sys.argv[1], sys.argv[2]
    generated = subprocess.run([binary, "list", "keys", "--markdown"], capture_output=True,
                               text=True, check=True).stdout
    text = open(readme, encoding="utf-8").read()
    begin, end = "<!-- keys:begin -->\n", "<!-- keys:end -->"
    if begin not in text or end not in text:
        sys.exit(f"{readme}: no {begin.strip()} ... {end} section")
    documented = text[text.index(begin) + len(begin):text.index(end)]
    if documented != generated:
        print(f"{readme}: the key reference is out of date; regenerate it with "
              f"`shotglass list keys --markdown`")
        return 1
    print("the key reference matches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
