#!/usr/bin/env python3
"""The key reference in scenarios/README.md is what `shotglass list keys --markdown` prints,
and every ```ini block under a `<!-- same as FILE -->` line is FILE (next to the README) as it is;
the example scenario in the top README runs and its expectations hold, and the output of
`make run` it shows is what scenarios/quickstart.ini prints (the wall-clock line aside), as is
the data-path output it shows what its command prints, and its tables of outputs (between
`<!-- outputs:begin -->` and `<!-- outputs:end -->`) are what docs/outputs.json says, as
`check_outputs.py --markdown` prints them, and the packages it lists for building without make
are the Makefile's PACKAGES.

Usage: check_docs.py SHOTGLASS SCENARIOS_README [README]
"""
import difflib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile


def quickstart_differs(binary, readme):
    """How the README's quickstart output differs from a run's, or None."""
    text = open(readme, encoding="utf-8").read()
    match = re.search(r"```\n(scenario quickstart .*?)```\n", text, re.S)
    if match is None:
        return "no quickstart output"
    run = subprocess.run([os.path.abspath(binary), "run", "scenarios/quickstart.ini"],
                         capture_output=True, text=True, cwd=os.path.dirname(readme) or ".")
    shown, printed = ([l for l in out.splitlines() if not l.startswith("wall clock:")]
                      for out in (match.group(1), run.stdout))
    if shown == printed:
        return None
    return "its quickstart output is not what a run prints:\n" + "\n".join(
        difflib.unified_diff(shown, printed, "README.md", "shotglass run", lineterm=""))


def data_path_differs(binary, readme):
    """How the README's data-path output differs from what its command prints, or None."""
    text = open(readme, encoding="utf-8").read()
    match = re.search(r"```sh\n(build/shotglass run [^`]*?)```\n\n"
                      r"```\n(data availability .*?)```\n", text, re.S)
    if match is None:
        return "no data-path command and output"
    command = shlex.split(match.group(1).replace("\\\n", " "))
    run = subprocess.run([os.path.abspath(binary), *command[1:]], capture_output=True, text=True,
                         cwd=os.path.dirname(readme) or ".")
    shown = match.group(2).splitlines()
    printed = run.stdout.splitlines()
    start = next((i for i, l in enumerate(printed) if l.startswith("data availability")), 0)
    printed = printed[start:start + len(shown)]
    if shown == printed:
        return None
    return "its data-path output is not what the command prints:\n" + "\n".join(
        difflib.unified_diff(shown, printed, "README.md", "shotglass run", lineterm=""))


def outputs_differ(readme):
    """How the README's tables of outputs differ from docs/outputs.json, or None."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import check_outputs
    schema_path = os.path.join(os.path.dirname(readme) or ".", "docs", "outputs.json")
    generated = check_outputs.markdown(json.load(open(schema_path, encoding="utf-8")))
    text = open(readme, encoding="utf-8").read()
    begin, end = "<!-- outputs:begin -->\n", "<!-- outputs:end -->"
    if begin not in text or end not in text:
        return f"no {begin.strip()} ... {end} section"
    shown = text[text.index(begin) + len(begin):text.index(end)]
    if shown == generated:
        return None
    return ("its tables of outputs are not what docs/outputs.json says; regenerate them with "
            "`python3 tests/check_outputs.py --markdown`:\n" + "\n".join(
                difflib.unified_diff(shown.splitlines(), generated.splitlines(), "README.md",
                                     "docs/outputs.json", lineterm="")))


def packages_differ(readme):
    """How the README's package list differs from the Makefile's PACKAGES, or None."""
    folder = os.path.dirname(readme) or "."
    makefile = open(os.path.join(folder, "Makefile"), encoding="utf-8").read()
    match = re.search(r"^PACKAGES\s*:?=((?:.*\\\n)*.*)$", makefile, re.M)
    if match is None:
        return "the Makefile has no PACKAGES line"
    wanted = match.group(1).replace("\\\n", " ").split()
    text = open(readme, encoding="utf-8").read()
    listed = re.search(r"has the packages \(`([^`]*)`", text)
    if listed is None:
        return "no package list (\"has the packages (`...`\")"
    shown = listed.group(1).split()
    if shown == wanted:
        return None
    return (f"its package list is not the Makefile's PACKAGES: missing "
            f"{sorted(set(wanted) - set(shown))}, extra {sorted(set(shown) - set(wanted))}"
            + ("" if set(shown) != set(wanted) else ", or in another order"))


def example_fails(binary, readme):
    """Why the first ```ini block of `readme` does not run clean, or None when it does."""
    text = open(readme, encoding="utf-8").read()
    match = re.search(r"```ini\n(.*?)```\n", text, re.S)
    if match is None:
        return "no ```ini example"
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "example.ini")
        open(path, "w", encoding="utf-8").write(match.group(1))
        run = subprocess.run([binary, "run", path, "--quiet"], capture_output=True, text=True)
    if run.returncode != 0:
        return f"its example scenario exits {run.returncode}:\n{run.stdout}{run.stderr}"
    return None


def copies_differ(readme, text):
    """The files whose copy in the README differs from them, or that no copy follows."""
    wrong = []
    for match in re.finditer(r"<!-- same as (\S+) -->\n```ini\n(.*?)```\n", text, re.S):
        path = os.path.join(os.path.dirname(readme), os.path.basename(match.group(1)))
        if open(path, encoding="utf-8").read() != match.group(2):
            wrong.append(match.group(1))
    if text.count("<!-- same as ") != len(re.findall(r"<!-- same as \S+ -->\n```ini\n", text)):
        wrong.append("a `<!-- same as FILE -->` line not followed by an ```ini block")
    return wrong


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
    wrong = copies_differ(readme, text)
    if wrong:
        print(f"{readme}: its copy of {', '.join(wrong)} differs from the file; copy it again")
        return 1
    if len(sys.argv) > 3:
        why = (example_fails(binary, sys.argv[3]) or quickstart_differs(binary, sys.argv[3]) or
               data_path_differs(binary, sys.argv[3]) or outputs_differ(sys.argv[3]) or
               packages_differ(sys.argv[3]))
        if why:
            print(f"{sys.argv[3]}: {why}")
            return 1
    print("the key reference, the copied scenarios, the README example, its tables of outputs "
          "and its package list are right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
