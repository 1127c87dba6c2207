#!/usr/bin/env python3
"""The layout test: the folders of the source tree form a stack, and the modules a tree.

Rooms, from the bottom (a file may include headers of its own room and of rooms below it):

    protocol/ (and protocol/byzantine/)   HotShot as sans-I/O state machines
    analysis/                             oracles and statistics over protocol records
    sim/core/  sim/net/  sim/world/  sim/run/  sim/scenario/  sim/out/  sim/plot/  sim/cli/
    bench/                                benchmarks, run as `shotglass bench ...`
    sim/main.c                            the entry point

A module is a .c file and the header of the same stem (an "-internal" header belongs to the
module of its stem). Module A uses module B when a file of A includes B's header and calls a
function B declares there; including a header for its types alone (as every protocol module
includes the public protocol/node.h) is no use. The test fails when
  * a file includes a header of a room above its own, or a header of tests/;
  * a header declares a function that the .c file of its stem does not define, or has no .c
    file and declares a function (inline functions, types and macros are fine) (so that the
    include graph is the call graph: a header shared by several files would hide who calls whom);
  * modules use each other in a circle (it prints one).

Usage: layout.py SOURCE_ROOT     check the tree
       layout.py --self-test     check that each rule fires on a planted violation
"""
import pathlib
import re
import sys
import tempfile

ROOMS = ["protocol", "analysis", "sim/core", "sim/net", "sim/world", "sim/run", "sim/scenario", "sim/out",
         "sim/plot", "sim/cli", "bench", "sim"]
ROOM_ALIASES = {"protocol/byzantine": "protocol"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# A prototype at file scope, in this code's style: starts at column 0, ends in ';'.
PROTOTYPE = re.compile(r"^(?!static|typedef|extern|struct|enum|union|#)[A-Za-z_][\w \t\*]*?"
                       r"\b([A-Za-z_]\w*)\s*\(([^;{}]*)\)\s*(G_GNUC_\w+(\([^)]*\))?\s*)*;", re.M)


def room_of(rel):
    folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
    folder = ROOM_ALIASES.get(folder, folder)
    return folder if folder in ROOMS else None


def module_of(rel):
    stem = rel.rsplit(".", 1)[0]
    return stem[:-len("-internal")] if stem.endswith("-internal") else stem


_declared = {}


def declared_in(header, files):
    if header not in _declared:
        _declared[header] = declared(files[header].read_text(encoding="utf-8"))
    return _declared[header]


def calls(text, names):
    """Whether `text` (comments stripped) calls or names one of the functions `names`."""
    return any(re.search(r"\b" + re.escape(n) + r"\b", text) for n in names)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def sources(root):
    for area in ("protocol", "analysis", "sim", "bench"):
        for path in sorted((root / area).rglob("*")):
            if path.suffix in (".c", ".h") and path.is_file():
                yield path.relative_to(root).as_posix(), path


def declared(text):
    """Names of the functions a header declares at file scope."""
    names, depth, flat = [], 0, []
    for ch in strip_comments(text):  # keep only what is at brace depth 0
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            flat.append(ch)
    for m in PROTOTYPE.finditer("".join(flat)):
        names.append(m.group(1))
    return names


def check_tree(root):
    problems, edges, files = [], {}, dict(sources(root))
    for rel, path in files.items():
        text = strip_comments(path.read_text(encoding="utf-8"))
        room = room_of(rel)
        for target in INCLUDE.findall(text):
            if target.startswith("tests/"):
                problems.append(f"{rel}: includes {target}, a test header")
                continue
            there = room_of(target)
            if target not in files or there is None or room is None:
                continue
            if ROOMS.index(there) > ROOMS.index(room):
                problems.append(f"{rel}: includes {target}, from {there}/, a room above "
                                f"{room}/ (rooms, bottom up: {', '.join(ROOMS)})")
            a, b = module_of(rel), module_of(target)
            if a != b and calls(text, declared_in(target, files)):
                edges.setdefault(a, set()).add(b)
    for rel, path in files.items():
        if not rel.endswith(".h"):
            continue
        impl = module_of(rel) + ".c"
        if impl not in files:
            for name in declared(path.read_text(encoding="utf-8")):
                problems.append(f"{rel}: declares {name}(), but there is no {impl} to define "
                                "it (declare a function in the header of the file that defines it)")
            continue
        body = strip_comments(files[impl].read_text(encoding="utf-8"))
        # G_DEFINE_QUARK (text, prefix) defines prefix_quark().
        body += "".join(f"\nGQuark {m}_quark(void)\n" for m in
                        re.findall(r"G_DEFINE_QUARK\s*\([^,]*,\s*(\w+)\s*\)", body))
        for name in declared(path.read_text(encoding="utf-8")):
            if not re.search(r"^[A-Za-z_][^;\n]*\b" + re.escape(name) + r"\s*\(", body, re.M):
                problems.append(f"{rel}: declares {name}(), which {impl} does not define "
                                "(declare a function in the header of the file that defines it)")
    cycle = find_cycle(edges)
    if cycle:
        problems.append("modules call each other in a circle: " + " -> ".join(cycle))
    return problems


def find_cycle(edges):
    state, stack = {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def self_test():
    """Plants one violation per rule in a scratch tree and checks that each is reported."""
    base = {
        "sim/core/a.h": "int a(void);\n",
        "sim/core/a.c": '#include "sim/core/a.h"\nint a(void)\n{\n    return 1;\n}\n',
        "sim/net/b.h": '#include "sim/core/a.h"\nint b(int x,\n      int y);\n',
        "sim/net/b.c": '#include "sim/net/b.h"\nint b(int x, int y)\n{\n    return a();\n}\n',
        "protocol/p.h": "void p(void);\n",
        "protocol/p.c": '#include "protocol/p.h"\nvoid p(void)\n{\n}\n',
    }
    cases = {
        "upward include": {"sim/core/a.c": '#include "sim/net/b.h"\n' + base["sim/core/a.c"]},
        "protocol includes sim": {"protocol/p.c": '#include "sim/core/a.h"\n' + base["protocol/p.c"]},
        "protocol includes analysis": {"analysis/s.h": "int s;\n",
                                       "protocol/p.c": '#include "analysis/s.h"\n'
                                                       + base["protocol/p.c"]},
        "test header": {"sim/net/b.c": '#include "tests/x.h"\n' + base["sim/net/b.c"]},
        "cycle in a room": {"sim/net/c.h": "int c(void);\n",
                            "sim/net/c.c": '#include "sim/net/c.h"\n#include "sim/net/b.h"\n'
                                           "int c(void)\n{\n    return b(0, 0);\n}\n",
                            "sim/net/b.c": '#include "sim/net/b.h"\n#include "sim/net/c.h"\n'
                                           "int b(int x, int y)\n{\n    return c();\n}\n"},
        "header of no file": {"sim/net/t.h": "int t(void);\n"},
        "shared header": {"sim/net/b.h": '#include "sim/core/a.h"\nint b(int x, int y);\n'
                                         "int elsewhere(void);\n"},
    }
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)

        def lay(files):
            for rel, body in files.items():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(body)

        lay(base)
        if check_tree(root):
            failures.append(f"false positive on the clean tree: {check_tree(root)}")
        # Types only: b.h's users may be included back by a module b calls, as node.h is.
        lay({"sim/net/t.h": '#include "sim/net/b.h"\ntypedef int T;\n',
             "sim/net/b.c": '#include "sim/net/b.h"\n#include "sim/net/t.h"\n'
                            "int b(int x, int y)\n{\n    return a();\n}\n"})
        if check_tree(root):
            failures.append(f"false positive on a types-only include: {check_tree(root)}")
        (root / "sim/net/t.h").unlink()
        lay(base)
        for name, change in cases.items():
            lay(change)
            if not check_tree(root):
                failures.append(f"rule did not fire: {name}")
            for rel in change:
                (root / rel).unlink()
            lay(base)
    for f in failures:
        print(f)
    print("layout self-test:", "FAIL" if failures else "ok", f"({len(cases)} violations)")
    return 1 if failures else 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    problems = check_tree(pathlib.Path(sys.argv[1]))
    for p in problems:
        print(p)
    print(f"layout: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
