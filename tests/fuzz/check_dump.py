#!/usr/bin/env python3
"""`shotglass run --dump-messages DIR` keeps its promises (docs/fuzzing.md).

A short run with the DA layer, rollups and a restart writes one file per distinct message,
named TYPE-HASH.msg with TYPE the name of the message's type byte (as `shotglass list messages`
numbers them from 1) and HASH the first 16 hex digits of the SHA-256 of the bytes; the count it
prints is the number of files; the same run again adds nothing (same seed, same messages); every
file replays clean through the message harness (each decodes and re-encodes to itself); a
folder that cannot be created is a usage error (exit 2) that names the flag.

Usage: check_dump.py SHOTGLASS FUZZ_MESSAGE
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile

FAILURES = []


def expect(condition, what):
    if not condition:
        FAILURES.append(what)


def main():
    shotglass, fuzz_message = sys.argv[1], sys.argv[2]
    types = subprocess.run([shotglass, "list", "messages"], capture_output=True, text=True,
                           check=True).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "dump")
        flags = ["run", "--seed", "3", "--nodes", "4", "--views", "12", "--rollups", "1",
                 "--tx-rate", "20/s", "--payloads", "real", "--crash", "2@2s", "--restart",
                 "2@6s", "--dump-messages", folder]
        first = subprocess.run([shotglass, *flags], capture_output=True, text=True, timeout=300)
        expect(first.returncode == 0, f"the run exits 0: {first.returncode} {first.stderr}")
        names = sorted(os.listdir(folder))
        printed = re.search(r"^messages: (\d+) distinct, written to ", first.stdout, re.M)
        expect(printed is not None and int(printed.group(1)) == len(names),
               f"the printed count is the number of files ({len(names)}): {first.stdout!r}")
        contents = set()
        for name in names:
            data = open(os.path.join(folder, name), "rb").read()
            match = re.fullmatch(r"([a-z_]+)-([0-9a-f]{16})\.msg", name)
            expect(match is not None, f"{name}: named TYPE-HASH.msg")
            if match is None:
                continue
            expect(hashlib.sha256(data).hexdigest()[:16] == match.group(2),
                   f"{name}: HASH is the SHA-256 of the bytes")
            expect(len(data) > 1 and 0 < data[1] <= len(types) and types[data[1] - 1] == match.group(1),
                   f"{name}: TYPE is the type byte's name")
            expect(data not in contents, f"{name}: written once")
            contents.add(data)
        for kind in ("proposal", "quorum_vote", "da_proposal", "vid_share", "tx_submit"):
            expect(any(n.startswith(kind + "-") for n in names), f"a {kind} is dumped")
        again = subprocess.run([shotglass, *flags], capture_output=True, text=True, timeout=300)
        expect(again.returncode == 0 and sorted(os.listdir(folder)) == names,
               "the same run again dumps the same messages")
        replay = subprocess.run([fuzz_message, folder], capture_output=True, text=True,
                                timeout=300)
        expect(replay.returncode == 0, f"every dumped message replays clean: {replay.stderr}")
        blocked = os.path.join(tmp, "file")
        open(blocked, "w").close()
        bad = subprocess.run([shotglass, "run", "-q", "--views", "2", "--dump-messages",
                              os.path.join(blocked, "dump")], capture_output=True, text=True)
        expect(bad.returncode == 2 and "--dump-messages" in bad.stderr,
               f"an impossible folder: exit 2 naming the flag: {bad.returncode} {bad.stderr!r}")
    for failure in FAILURES:
        print("FAIL:", failure)
    print(f"check_dump: {len(FAILURES)} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
