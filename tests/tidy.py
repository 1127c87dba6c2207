#!/usr/bin/env python3
"""The tidy test: mechanical rules for code under sim/ and protocol/ (STYLE.md rules 9, 12, 15).

Fails when that code
  * reads a wall clock (time, clock_gettime, gettimeofday, g_get_real_time, ...),
  * uses ambient randomness (rand, random, srand, g_random_*, randombytes_*, gsl_rng_env_setup,
    /dev/urandom, getpid),
  * starts threads (pthread_create, thrd_create, g_thread_new, g_thread_pool_new),
  * iterates a GHashTable (g_hash_table_foreach*, g_hash_table_iter_init, g_hash_table_get_keys,
    ...), whose order GLib leaves undefined,
unless the line, or the line before it, carries a comment "determinism-ok: <reason>" (for the
first three) or "iteration-ok: <reason>" (for hash tables) with a non-empty reason.
Also enforced everywhere in sim/, protocol/, analysis/ and bench/: lines of at most 100 columns
and function bodies of at most 70 lines.

Usage: tidy.py SOURCE_ROOT      check the tree
       tidy.py --self-test      check that every rule fires on a planted violation
"""
import pathlib
import re
import sys
import tempfile

BANNED = [
    (r"\btime\s*\(", "wall clock"),
    (r"\bclock_gettime\s*\(", "wall clock"),
    (r"\bgettimeofday\s*\(", "wall clock"),
    (r"\bclock\s*\(", "wall clock"),
    (r"\bg_get_real_time\s*\(", "wall clock"),
    (r"\bg_get_monotonic_time\s*\(", "wall clock"),
    (r"\bg_date_time_new_now\w*\s*\(", "wall clock"),
    (r"\brand\s*\(", "ambient randomness"),
    (r"\brandom\s*\(", "ambient randomness"),
    (r"\bsrand\w*\s*\(", "ambient randomness"),
    (r"\bg_random_\w+\s*\(", "ambient randomness"),
    (r"\bg_rand_new\w*\s*\(", "ambient randomness"),
    (r"\brandombytes_\w+\s*\(", "ambient randomness"),
    (r"\bgsl_rng_env_setup\s*\(", "ambient randomness (GSL_RNG_SEED from the environment)"),
    (r"\bgsl_rng_default\b", "ambient randomness (library-chosen generator)"),
    (r"\bgetpid\s*\(", "ambient nondeterminism"),
    (r"\bpthread_create\s*\(", "threads"),
    (r"\bthrd_create\s*\(", "threads"),
    (r"\bg_thread_new\s*\(", "threads"),
    (r"\bg_thread_try_new\s*\(", "threads"),
    (r"\bg_thread_pool_new\s*\(", "threads"),
]
HASH_ITERATION = re.compile(
    r"\bg_hash_table_(foreach\w*|iter_init|get_keys\w*|get_values|find|steal_all\w*)\s*\(")
DEV_RANDOM = re.compile(r"/dev/u?random")
DETERMINISM_OK = re.compile(r"determinism-ok:\s*\S")
ITERATION_OK = re.compile(r"iteration-ok:\s*\S")
LINE_MAX = 100
FUNCTION_LINES_MAX = 70
DETERMINISTIC_AREAS = ("sim", "protocol")
STYLE_AREAS = ("sim", "protocol", "analysis", "bench")


def strip_code(text, keep_strings=False):
    """Blanks comments (and string/char literals unless keep_strings), keeping line breaks."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("".join("\n" if ch == "\n" else " " for ch in text[i:end]))
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif c in "\"'" and not keep_strings:
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def marked(raw_lines, index, pattern):
    here = raw_lines[index]
    before = raw_lines[index - 1] if index > 0 else ""
    return bool(pattern.search(here) or pattern.search(before))


def check_file(path, rel, deterministic):
    problems = []
    text = path.read_text(encoding="utf-8")
    raw = text.split("\n")
    code = strip_code(text).split("\n")
    code_with_strings = strip_code(text, keep_strings=True).split("\n")
    for i, line in enumerate(raw):
        if len(line) > LINE_MAX:
            problems.append(f"{rel}:{i + 1}: line is {len(line)} columns (max {LINE_MAX})")
    if deterministic:
        for i, line in enumerate(code):
            for pattern, what in BANNED:
                # A member call (env.random(), ops->time()) is not the libc function.
                if re.search(r"(?<![.>])" + pattern, line) and not marked(raw, i, DETERMINISM_OK):
                    problems.append(f"{rel}:{i + 1}: {what}: {raw[i].strip()} "
                                    "(mark a deliberate use with 'determinism-ok: <reason>')")
            if DEV_RANDOM.search(code_with_strings[i]) and not marked(raw, i, DETERMINISM_OK):
                problems.append(f"{rel}:{i + 1}: ambient randomness: {raw[i].strip()}")
            if HASH_ITERATION.search(line) and not marked(raw, i, ITERATION_OK):
                problems.append(f"{rel}:{i + 1}: GHashTable iteration order is undefined: "
                                f"{raw[i].strip()} (sort first, or mark 'iteration-ok: <reason>')")
    if path.suffix == ".c":
        start = None
        for i, line in enumerate(code):
            if line.startswith("{"):
                start = i
            elif line.startswith("}") and start is not None:
                length = i - start - 1
                if length > FUNCTION_LINES_MAX:
                    problems.append(f"{rel}:{start}: function body is {length} lines "
                                    f"(max {FUNCTION_LINES_MAX})")
                start = None
    return problems


def check_tree(root):
    problems = []
    for area in STYLE_AREAS:
        for path in sorted((root / area).rglob("*")):
            if path.suffix not in (".c", ".h") or not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            problems += check_file(path, rel, area in DETERMINISTIC_AREAS)
    return problems


def self_test():
    """Plants one violation per rule in a scratch tree and checks that each is reported."""
    cases = {
        "wall clock": "void f(void)\n{\n    clock_gettime(0, 0);\n}\n",
        "ambient randomness": "int f(void)\n{\n    return rand();\n}\n",
        "randombytes": "void f(char *b)\n{\n    randombytes_buf(b, 4);\n}\n",
        "gsl env": "void f(void)\n{\n    gsl_rng_env_setup();\n}\n",
        "threads": "void f(void)\n{\n    g_thread_new(0, 0, 0);\n}\n",
        "hash iteration": "void f(void *t)\n{\n    g_hash_table_foreach(t, 0, 0);\n}\n",
        "urandom": "const char *p(void)\n{\n    return fopen(\"/dev/urandom\", \"r\");\n}\n",
        "long line": "int x;" + " " * 120 + "\n",
        "long function": "void f(void)\n{\n" + "    g();\n" * 71 + "}\n",
    }
    allowed = {
        "marked wall clock": "void f(void)\n{\n    /* determinism-ok: CLI report */\n"
                             "    clock_gettime(0, 0);\n}\n",
        "marked iteration": "void f(void *t)\n{\n"
                            "    g_hash_table_foreach(t, 0, 0); /* iteration-ok: counting */\n}\n",
        "in a comment": "/* we never call time() or rand() here */\nint x;\n",
        "in a string": "const char *s = \"random(\";\n",
        "identifier": "int runtime(void);\nint time_ns;\nint our_random_state;\n",
        "member call": "void f(E *e)\n{\n    e->random(e);\n    e->env.time(0);\n}\n",
    }
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        (root / "sim").mkdir()
        for name, body in cases.items():
            path = root / "sim" / "case.c"
            path.write_text(body)
            if not check_tree(root):
                failures.append(f"rule did not fire: {name}")
        for name, body in allowed.items():
            path = root / "sim" / "case.c"
            path.write_text(body)
            found = check_tree(root)
            if found:
                failures.append(f"false positive on {name}: {found}")
        (root / "sim" / "case.c").unlink()
        (root / "analysis").mkdir()
        (root / "analysis" / "ok.c").write_text(cases["wall clock"])
        if check_tree(root):
            failures.append("analysis/ may read the clock, but was flagged")
    for f in failures:
        print(f)
    print("tidy self-test:", "FAIL" if failures else "ok",
          f"({len(cases)} violations, {len(allowed)} allowed forms)")
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
    print(f"tidy: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
