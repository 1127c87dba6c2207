#!/usr/bin/env python3
"""Prints every public header under sim/, protocol/, analysis/ and bench/, one per line."""
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
for area in ("sim", "protocol", "analysis", "bench"):
    for header in sorted((root / area).rglob("*.h")):
        print(header.relative_to(root).as_posix())
