#!/usr/bin/env python3
"""A harness check fires: runs `BINARY INPUT` with SHOTGLASS_FUZZ_PLANT=PLANT and passes only
if the harness fails (non-zero exit or a signal) with TEXT in its error output, so a test of an
oracle cannot pass for another reason (a missing file, a different check).

Usage: expect_failure.py PLANT TEXT BINARY INPUT
"""
import os
import subprocess
import sys


def main():
    plant, text, binary, data = sys.argv[1:5]
    done = subprocess.run([binary, data], capture_output=True, text=True, errors="replace",
                          env=dict(os.environ, SHOTGLASS_FUZZ_PLANT=plant), timeout=120)
    if done.returncode != 0 and text in done.stderr:
        print(f"{os.path.basename(data)} with {plant}: fails as it must ({text})")
        return 0
    print(f"{os.path.basename(data)} with {plant}: expected a failure with {text!r}, got exit "
          f"{done.returncode} and:\n{done.stderr}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
