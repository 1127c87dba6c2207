#!/usr/bin/env python3
"""Every file of a results folder is what docs/outputs.json documents.

docs/outputs.json lists the files of a run's folder (`shotglass run SCENARIO --out DIR`) and of
a sweep's (`shotglass sweep ... --out DIR`), and for each CSV column and JSON key its type and
unit. This test makes such folders and reads every file in them with Python's own csv and json
modules: every file must be documented, every documented file present (unless optional), a
CSV header must be exactly the documented columns in order, a JSON file must have every
documented key and no other, and every value must have the documented type and fit its unit
(a time or a count is never negative, a node id is below the node count, a percentile is
within 0 to 100, ...). The README's tables of outputs are generated from the same file:

  check_outputs.py --markdown [SCHEMA]      prints them (check_docs.py compares the README)
  check_outputs.py SHOTGLASS SOURCE_ROOT    runs the check

The runs: scenarios/byzantine-under-third.ini (data path, workload, Byzantine nodes) without
plots, scenarios/partition-heal.ini (a fault window) with plots and report, and a sweep of
tests/scenarios/sweep.ini over two values of one key and two seeds.
"""
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile

FAILURES = []
HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "docs", "outputs.json")
UNITS = {"none", "s", "us", "bytes", "count", "node", "host", "view", "percent", "fraction", "per_s",
         "bytes_per_s", "mb_per_s"}
WHOLE = {"us", "bytes", "count", "node", "host", "view"}
PLOT_FILES = ("dat", "gp", "png", "svg")


def fail(what):
    FAILURES.append(what)


# --- values ------------------------------------------------------------------------------------

def unit_fits(value, unit, nodes):
    """Whether a number fits its unit; None for a unit this test does not know."""
    if unit not in UNITS:
        return None
    if unit == "none":
        return True
    if unit in WHOLE and (isinstance(value, float) and not value.is_integer()):
        return False
    if unit == "node":
        return 0 <= value < nodes
    if unit == "view":
        return value >= 1
    if unit == "percent":
        return 0 <= value <= 100
    if unit == "fraction":
        return 0 <= value <= 1
    return value >= 0


def check_number(where, value, field, nodes):
    fits = unit_fits(value, field["unit"], nodes)
    if fits is None:
        fail(f"{where}: unknown unit {field['unit']!r} in the schema")
    elif not fits:
        fail(f"{where}: {value!r} does not fit the unit {field['unit']!r}")


def csv_value(where, text, field, nodes):
    """Checks one CSV cell against its field."""
    kind = field["type"]
    if text == "":
        if not field.get("empty") and kind != "string":
            fail(f"{where}: empty, but documented as {kind}")
        return
    if kind == "string":
        return
    if kind == "enum":
        if text not in field["values"]:
            fail(f"{where}: {text!r} is not one of {field['values']}")
        return
    if kind == "flag":
        if text not in ("0", "1"):
            fail(f"{where}: {text!r} is not 0 or 1")
        return
    if kind == "integer" and not re.fullmatch(r"-?[0-9]+", text):
        fail(f"{where}: {text!r} is not an integer")
        return
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if kind not in ("integer", "number") or not math.isfinite(number) or text != text.strip():
        fail(f"{where}: {text!r} is not a {kind}")
        return
    check_number(where, int(text) if kind == "integer" else number, field, nodes)


def json_value(where, value, field, nodes):
    """Checks one JSON value against its field."""
    kind = field["type"]
    if value is None:
        if not field.get("null"):
            fail(f"{where}: null, but documented as {kind}")
        return
    is_int = isinstance(value, int) and not isinstance(value, bool)
    ok = {"string": isinstance(value, str), "boolean": isinstance(value, bool),
          "integer": is_int, "number": is_int or isinstance(value, float),
          "array": isinstance(value, list), "object": isinstance(value, dict),
          "enum": value in field.get("values", ())}.get(kind)
    if ok is None:
        fail(f"{where}: unknown type {kind!r} in the schema")
    elif not ok:
        fail(f"{where}: {value!r} is not a {kind}")
    elif kind in ("integer", "number"):
        check_number(where, value, field, nodes)


# --- files ------------------------------------------------------------------------------------

def json_leaves(value, path, out):
    """Every key path of a JSON document ("a.b", "a[].b"), with its values."""
    if isinstance(value, dict):
        for key, inner in value.items():
            name = f"{path}.{key}" if path else key
            out.setdefault(name, []).append(inner)
            if not (isinstance(inner, dict) and name.endswith(".args")):
                json_leaves(inner, name, out)
    elif isinstance(value, list):
        for inner in value:
            json_leaves(inner, path + "[]", out)


def check_json(path, entry, nodes):
    try:
        document = json.load(open(path, encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        fail(f"{path}: not JSON: {error}")
        return None
    found = {}
    json_leaves(document, "", found)
    fields = {f["name"]: f for f in entry["fields"]}
    for name in sorted(set(found) - set(fields)):
        # An object that holds documented keys is documented by them.
        if not any(f.startswith((name + ".", name + "[]")) for f in fields):
            fail(f"{path}: key {name} is not documented")
    for name, field in fields.items():
        if name not in found:
            if not field.get("optional"):
                fail(f"{path}: no key {name}")
            continue
        for value in found[name]:
            json_value(f"{path}: {name}", value, field, nodes)
    return document


def check_csv(path, entry, nodes):
    rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
    names = [f["name"] for f in entry["fields"]]
    if not rows or rows[0] != names:
        fail(f"{path}: header {rows[0] if rows else None}, documented {names}")
        return
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(names):
            fail(f"{path}:{line}: {len(row)} fields, documented {len(names)}")
            continue
        for text, field in zip(row, entry["fields"]):
            csv_value(f"{path}:{line}: column {field['name']}", text, field, nodes)


def check_sweep_csv(path, entry, keys):
    rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
    header = set(rows[0]) if rows else set()
    # A metric no run of the sweep has (the data path's, without a workload) has no columns.
    metrics = [m for m in entry["metrics"]
               if not m.get("optional") or f"{m['name']}_mean" in header]
    stats = [(m, s) for m in metrics for s in ("mean", "sd", "ci95")]
    names = ["point", *keys, "seeds", *(f"{m['name']}_{s}" for m, s in stats)]
    if not rows or rows[0] != names:
        fail(f"{path}: header {rows[0] if rows else None}, documented {names}")
        return
    point, key, seeds = entry["fields"]
    fields = [point, *([key] * len(keys)), seeds]
    fields += [{"type": "number", "empty": True, "unit": m["unit"]} for m, _ in stats]
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(names):
            fail(f"{path}:{line}: {len(row)} fields, documented {len(names)}")
            continue
        for name, text, field in zip(names, row, fields):
            csv_value(f"{path}:{line}: column {name}", text, field, 0)


def check_plots(folder, entry):
    optional = entry.get("optional_names", [])
    pattern = "|".join(re.escape(n).replace("METRIC", ".+").replace("KEY", ".+")
                       for n in entry["names"] + optional)
    seen = {}
    for name in sorted(os.listdir(folder)):
        match = re.fullmatch(rf"({pattern})\.({'|'.join(PLOT_FILES)})", name)
        if match is None:
            fail(f"{folder}/{name}: not a documented plot file")
            continue
        seen.setdefault(match.group(1), set()).add(match.group(2))
        data = open(os.path.join(folder, name), "rb").read()
        if (match.group(2) == "png" and not data.startswith(b"\x89PNG")) or \
           (match.group(2) == "svg" and b"<svg" not in data) or not data:
            fail(f"{folder}/{name}: not a {match.group(2)} file")
    for plot, extensions in seen.items():
        if extensions != set(PLOT_FILES):
            fail(f"{folder}: {plot} has only {sorted(extensions)}")
    if "METRIC" not in "".join(entry["names"]) and \
            not set(entry["names"]) <= set(seen) <= set(entry["names"] + optional):
        fail(f"{folder}: plots {sorted(seen)}, documented {entry['names']} (and {optional})")


def check_text(path, entry):
    text = open(path, encoding="utf-8").read()
    if not text.strip():
        fail(f"{path}: empty")
    if entry["format"] == "html" and not text.lstrip().lower().startswith("<!doctype html"):
        fail(f"{path}: not an HTML page")


# --- folders ----------------------------------------------------------------------------------

def check_entries(folder, entries, check_one):
    """Every file of `folder` is documented, and every documented one there unless optional."""
    documented = {e["file"].rstrip("/"): e for e in entries}
    present = set(os.listdir(folder))
    for name in sorted(present - set(documented)):
        fail(f"{folder}/{name}: not documented in docs/outputs.json")
    for name, entry in documented.items():
        if name not in present:
            if not entry.get("optional"):
                fail(f"{folder}: no {entry['file']}")
            continue
        check_one(os.path.join(folder, name), entry)


def check_run(folder, schema):
    entries = schema["run"]
    summary = json.load(open(os.path.join(folder, "summary.json"), encoding="utf-8"))
    nodes = summary["scenario"]["nodes"]

    def one(path, entry):
        form = entry["format"]
        if form == "json":
            check_json(path, entry, nodes)
        elif form == "csv":
            check_csv(path, entry, nodes)
        elif form == "plots":
            check_plots(path, entry)
        else:
            check_text(path, entry)
    check_entries(folder, entries, one)


def check_sweep(folder, schema, keys):
    def one(path, entry):
        form = entry["format"]
        if form == "sweep":
            check_sweep_csv(path, entry, keys)
        elif form == "runs":
            runs = [os.path.join(path, p, s) for p in sorted(os.listdir(path))
                    for s in sorted(os.listdir(os.path.join(path, p)))]
            if not runs:
                fail(f"{path}: no run folders")
            for run in runs:
                check_run(run, schema)
        elif form == "plots":
            check_plots(path, entry)
        else:
            check_text(path, entry)
    check_entries(folder, schema["sweep"], one)


# --- the README's tables ----------------------------------------------------------------------

def type_text(field):
    kind = field["type"]
    if kind == "enum":
        kind = "one of " + ", ".join(f"`{v}`" for v in field["values"])
    if field.get("null"):
        kind += " or null"
    if field.get("empty"):
        kind += " or empty"
    if field.get("optional"):
        kind += " (optional)"
    return kind


def markdown(schema):
    """The README's tables of outputs, from the schema."""
    out = []
    parts = (("run", "a run (`run --out DIR`)"), ("sweep", "a sweep (`sweep --out DIR`)"))
    for part, title in parts:
        out += [f"Files of {title}:", "", "| File | Column or key | Type | Unit | Meaning |",
                "| --- | --- | --- | --- | --- |"]
        for entry in schema[part]:
            optional = " (optional)" if entry.get("optional") else ""
            out.append(f"| `{entry['file']}` | | {entry['format']}{optional} | | "
                       f"{entry['about']} |")
            for field in entry["fields"]:
                unit = "" if field["unit"] == "none" else field["unit"]
                out.append(f"| | `{field['name']}` | {type_text(field)} | {unit} | "
                           f"{field['about']} |")
            for m in entry.get("metrics", ()):
                names = ", ".join(f"`{m['name']}_{s}`" for s in ("mean", "sd", "ci95"))
                unit = "" if m["unit"] == "none" else m["unit"]
                out.append(f"| | {names} | number or empty | {unit} | {m['about']}: "
                           f"mean over the seeds, standard deviation, 95% CI half-width |")
        out.append("")
    return "\n".join(out)


TYPES = {"integer", "number", "string", "boolean", "flag", "enum", "array", "object"}


def schema_problems(schema):
    """Fields whose type or unit this test cannot check."""
    problems = []
    for entry in schema["run"] + schema["sweep"]:
        for field in entry["fields"] + entry.get("metrics", []):
            if field["unit"] not in UNITS:
                problems.append(f"{entry['file']} {field['name']}: unknown unit {field['unit']!r}")
            if field.get("type", "number") not in TYPES:
                problems.append(f"{entry['file']} {field['name']}: unknown type {field['type']!r}")
    return problems


def main():
    if sys.argv[1:2] == ["--markdown"]:
        print(markdown(json.load(open(sys.argv[2] if len(sys.argv) > 2 else SCHEMA))), end="")
        return 0
    binary, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    schema = json.load(open(os.path.join(root, "docs", "outputs.json"), encoding="utf-8"))
    problems = schema_problems(schema)
    if problems:
        print("docs/outputs.json:\n" + "\n".join(problems))
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("byzantine-under-third.ini", ["--no-plots"]), ("partition-heal.ini", []),
                ("cdn-broker-crash.ini", ["--no-plots"]), ("l1-relay-down.ini", ["--no-plots"]),
                ("epochs-transition-leader-crash.ini", [])]
        for name, extra in runs:
            out = os.path.join(tmp, name)
            result = subprocess.run([binary, "run", os.path.join(root, "scenarios", name),
                                     "--out", out, "--quiet", *extra],
                                    capture_output=True, text=True, timeout=300)
            if result.returncode != 0:
                fail(f"run {name}: exit code {result.returncode}: {result.stderr}")
                continue
            check_run(out, schema)
        out = os.path.join(tmp, "sweep")
        result = subprocess.run([binary, "sweep", os.path.join(root, "tests", "scenarios",
                                                               "sweep.ini"),
                                 "--vary", "consensus.nodes=4,7", "--seeds", "2", "--jobs", "2",
                                 "--out", out, "--quiet"],
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            fail(f"sweep: exit code {result.returncode}: {result.stderr}")
        else:
            check_sweep(out, schema, ["consensus.nodes"])
    for what in FAILURES[:40]:
        print(what)
    if FAILURES:
        print(f"{len(FAILURES)} problem(s): fix the output or docs/outputs.json (then the README "
              "tables: check_outputs.py --markdown)")
        return 1
    print("every file of the run and sweep folders is as docs/outputs.json says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
