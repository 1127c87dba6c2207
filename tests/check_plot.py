#!/usr/bin/env python3
"""`shotglass plot` and `shotglass report` keep their promises on real results folders.

Runs two short scenarios (a partition that heals, with a fault window and an HTML-hostile
description; the data path under load, with roles and transaction latencies), then checks:
  * every plot is a valid PNG (signature, IHDR first) and SVG (parses as XML, root <svg>), with
    its .gp script (title, axis labels, a legend) and .dat data beside it;
  * report.html parses with html.parser, every element that must be closed is, in order;
    every plot of plots/ is embedded; nothing is loaded from elsewhere (no src/href to http:,
    https: or //, no <link>, no <script>); text from summary.json is escaped;
  * `run --out` draws the plots and report.html itself, `--no-plots` leaves them out;
  * with PATH set to an empty folder `run`, `plot` and `report` exit 0 with the notice, and the
    scripts and data files are written;
  * a sweep.csv (tests/plot/sweep.csv: 2 keys x 2 values, 3 metrics) gets its 6 plots and its
    table in the report;
  * bad usage and unreadable folders exit 2 with a message naming the file, and so do files
    crafted to inject gnuplot commands (a sweep.csv header with a line break), add made-up
    points (a CSV cell with a line break) or crash the JSON reader (deep nesting);
  * a ~/.gnuplot with other settings changes no image (gnuplot runs with -d).

Usage: check_plot.py PROGRAM SOURCE_ROOT
PROGRAM is the shotglass executable.
"""
import html.parser
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

FAILURES = []
RUN_PLOTS = ["finality_cdf", "throughput", "view_outcomes", "bandwidth_roles", "leader_queue"]
NOTICE = "gnuplot not found: install gnuplot-nox; the data and .gp scripts are in"
HOSTILE = '<script>alert("x")</script> & <b>bold</b>'
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def expect(condition, what):
    if not condition:
        FAILURES.append(what)
    return condition


def run(program, *args, env=None):
    return subprocess.run([program, *args], capture_output=True, text=True, timeout=120,
                          env=env)


def check_png(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if not expect(head[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: PNG signature"):
        return
    length, kind, width, height = struct.unpack(">I4sII", head[8:24])
    expect(length == 13 and kind == b"IHDR" and width > 0 and height > 0,
           f"{path}: IHDR chunk first ({length}, {kind}, {width}x{height})")


def check_svg(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        expect(False, f"{path}: not XML: {e}")
        return
    expect(root.tag in ("svg", "{http://www.w3.org/2000/svg}svg"), f"{path}: root {root.tag}")


def check_drawn(plots, name):
    for ext in ("png", "svg", "gp", "dat"):
        if not expect(os.path.isfile(os.path.join(plots, f"{name}.{ext}")), f"{name}.{ext}"):
            return
    check_png(os.path.join(plots, name + ".png"))
    check_svg(os.path.join(plots, name + ".svg"))
    script = open(os.path.join(plots, name + ".gp")).read()
    for needle in ("set title", "set xlabel", "set ylabel", "title columnheader", f"{name}.dat"):
        if needle == "title columnheader" and name == "leader_queue":
            needle = "title \""  # a fixed legend entry
        expect(needle in script, f"{name}.gp: has {needle!r}")


class Page(html.parser.HTMLParser):
    """Checks nesting and collects what the report must and must not contain."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.ids, self.text = [], [], set(), []
        self.external, self.svgs, self.images = [], 0, 0

    def attributes(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name == "id":
                if value in self.ids:
                    self.errors.append(f"id {value!r} twice")
                self.ids.add(value)
            if name in ("src", "href", "xlink:href") and (
                    value.startswith(("http:", "https:", "//"))):
                self.external.append(f"<{tag} {name}={value}>")
        if tag in ("script", "link", "iframe", "object", "embed"):
            self.external.append(f"<{tag}>")
        self.svgs += tag == "svg"
        self.images += tag == "img" and dict(attrs).get("src", "").startswith("data:image/png")

    def handle_starttag(self, tag, attrs):
        self.attributes(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.attributes(tag, attrs)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_report(program, folder, plot_names):
    out = run(program, "report", folder)
    if not expect(out.returncode == 0, f"report {folder}: exit {out.returncode}: {out.stderr}"):
        return None
    text = open(os.path.join(folder, "report.html"), encoding="utf-8").read()
    page = Page()
    page.feed(text)
    page.close()
    expect(not page.errors, f"report nesting: {page.errors[:5]}")
    expect(page.stack == [], f"report: unclosed {page.stack}")
    expect(not page.external, f"report loads from elsewhere: {page.external[:5]}")
    expect(text.startswith("<!DOCTYPE html>"), "report: a doctype")
    for name in plot_names:
        expect(f"plot-{name}" in page.ids, f"report: no figure for {name}")
    expect(page.svgs + page.images >= len(plot_names),
           f"report: {page.svgs} SVGs and {page.images} PNGs for {len(plot_names)} plots")
    return page, text


def make_runs(program, root, work):
    """The partition scenario with a hostile description, and a short DA load."""
    partition = open(os.path.join(root, "scenarios", "partition-heal.ini")).read()
    partition = partition.replace("[scenario]\n", f"[scenario]\ndescription = {HOSTILE}\n", 1)
    scenario = os.path.join(work, "partition.ini")
    with open(scenario, "w") as f:
        f.write(partition)
    runs = {"partition": os.path.join(work, "partition"), "da": os.path.join(work, "da")}
    out = run(program, "run", scenario, "--quiet", "--out", runs["partition"])
    expect(out.returncode == 0, f"run partition: {out.returncode} {out.stdout} {out.stderr}")
    out = run(program, "run", os.path.join(root, "scenarios", "da-load.ini"), "--quiet",
              "--set", "scenario.views=15", "--out", runs["da"])
    expect(out.returncode in (0, 1), f"run da-load: {out.returncode} {out.stderr}")
    return runs


def check_runs(program, runs):
    for label, folder in runs.items():
        out = run(program, "plot", folder)
        expect(out.returncode == 0, f"plot {label}: exit {out.returncode}: {out.stderr}")
        for name in RUN_PLOTS:
            check_drawn(os.path.join(folder, "plots"), name)
        result = check_report(program, folder, RUN_PLOTS)
        if result is None:
            continue
        page, text = result
        if label == "partition":
            data = "".join(page.text)
            expect(HOSTILE in data, "the description reaches the page as text")
            expect("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in text,
                   "the description is escaped")
            expect("europe: partition" in data, "the fault window is named in the plot")
    da = open(os.path.join(runs["da"], "plots", "finality_cdf.dat")).read()
    expect('"transactions: from submission to decided"' in da, "DA: tx latency curves")
    roles = open(os.path.join(runs["da"], "plots", "bandwidth_roles.dat")).read()
    expect("from ../roles.csv" in roles and '"leader"' in roles, "DA: bytes by role")
    plain = open(os.path.join(runs["partition"], "plots", "bandwidth_roles.dat")).read()
    expect("from ../node_types.csv" in plain, "no data path: bytes by message type")


def check_without_gnuplot(program, runs, work):
    folder = os.path.join(work, "bare")
    shutil.copytree(runs["partition"], folder,
                    ignore=shutil.ignore_patterns("plots", "report.html"))
    empty = os.path.join(work, "empty-path")
    os.mkdir(empty)
    env = dict(os.environ, PATH=empty)
    for command in ("plot", "report"):
        out = run(os.path.abspath(program), command, folder, env=env)
        expect(out.returncode == 0, f"{command} without gnuplot: exit {out.returncode}")
        expect((out.stdout + out.stderr).count(NOTICE) == 1,
               f"{command} without gnuplot: one notice: {out.stdout!r} {out.stderr!r}")
    for name in RUN_PLOTS:
        plots = os.path.join(folder, "plots")
        expect(os.path.isfile(os.path.join(plots, name + ".gp")), f"no gnuplot: {name}.gp")
        expect(os.path.isfile(os.path.join(plots, name + ".dat")), f"no gnuplot: {name}.dat")
        expect(not os.path.exists(os.path.join(plots, name + ".png")), f"no gnuplot: {name}.png")
    report = open(os.path.join(folder, "report.html")).read()
    expect(NOTICE in report, "the report says gnuplot is missing")


def check_run_draws(program, runs, work):
    """`run --out` draws the plots and the report itself; --no-plots does not; without gnuplot
    it gives the notice, keeps its exit code and still writes the data files and scripts."""
    for name in RUN_PLOTS:
        for ext in ("png", "svg"):
            path = os.path.join(runs["da"], "plots", f"{name}.{ext}")
            expect(os.path.isfile(path), f"run --out drew {name}.{ext}")
    expect(os.path.isfile(os.path.join(runs["da"], "report.html")), "run --out wrote a report")
    bare = os.path.join(work, "no-plots")
    out = run(program, "run", "--quiet", "--views", "5", "--out", bare, "--no-plots")
    expect(out.returncode == 0, f"run --no-plots: exit {out.returncode}: {out.stderr}")
    expect(os.path.isfile(os.path.join(bare, "summary.json")), "run --no-plots: summary.json")
    expect(not os.path.exists(os.path.join(bare, "plots")) and
           not os.path.exists(os.path.join(bare, "report.html")), "run --no-plots: no plots")
    empty = os.path.join(work, "empty-path-run")
    os.mkdir(empty)
    folder = os.path.join(work, "no-gnuplot-run")
    out = run(program, "run", "--quiet", "--views", "5", "--out", folder,
              env=dict(os.environ, PATH=empty))
    expect(out.returncode == 0, f"run without gnuplot: exit {out.returncode}: {out.stderr}")
    expect(out.stderr.count(NOTICE) == 1, f"run without gnuplot: one notice: {out.stderr!r}")
    for name in RUN_PLOTS:
        expect(os.path.isfile(os.path.join(folder, "plots", name + ".gp")),
               f"run without gnuplot: {name}.gp")
    expect(os.path.isfile(os.path.join(folder, "report.html")), "run without gnuplot: report")


def check_sweep(program, root, runs):
    folder = runs["partition"]
    shutil.copy(os.path.join(root, "tests", "plot", "sweep.csv"), folder)
    out = run(program, "plot", folder)
    expect(out.returncode == 0, f"plot with a sweep: exit {out.returncode}: {out.stderr}")
    names = [f"sweep_{m}_vs_{k}" for m in ("blocks_per_s", "finality_p50_s", "bytes")
             for k in ("consensus.nodes", "da.committee")]
    for name in names:
        check_drawn(os.path.join(folder, "plots"), name)
    result = check_report(program, folder, RUN_PLOTS + names)
    if result is not None:
        expect('<section id="sweep">' in result[1], "the report has the sweep table")
        expect("4.91 \u00b1 0.26" in result[1], "the sweep table shows mean \u00b1 CI")


def check_usage(program, work):
    out = run(program, "plot")
    expect(out.returncode == 2, f"plot without a folder: exit {out.returncode}")
    missing = os.path.join(work, "no-such-folder")
    for command in ("plot", "report"):
        out = run(program, command, missing)
        expect(out.returncode == 2 and missing in out.stderr,
               f"{command} of a missing folder: exit {out.returncode}, {out.stderr!r}")
    broken = os.path.join(work, "broken")
    shutil.copytree(os.path.join(work, "da"), broken, ignore=shutil.ignore_patterns("plots"))
    with open(os.path.join(broken, "latency.csv"), "a") as f:
        f.write("finality,101,soon\n")
    out = run(program, "plot", broken)
    expect(out.returncode == 2 and "latency.csv" in out.stderr and "soon" in out.stderr,
           f"a malformed latency.csv: exit {out.returncode}, {out.stderr!r}")
    check_hostile_inputs(program, work)


def check_hostile_inputs(program, work):
    """Files crafted to break out of the gnuplot scripts or to crash the JSON reader."""
    folder = os.path.join(work, "hostile")
    os.mkdir(folder)
    pwned = os.path.join(work, "PWNED")
    with open(os.path.join(folder, "sweep.csv"), "w") as f:
        f.write(f'point,"k\nsystem(""touch {pwned}"")\n#",seeds,m_mean,m_sd,m_ci95\n'
                '1,1,3,1,0.1,0.2\n')
    for command in ("plot", "report"):
        out = run(program, command, folder)
        expect(out.returncode == 2 and "column name" in out.stderr,
               f"{command}: a sweep.csv header with a line break: {out.returncode} {out.stderr!r}")
    expect(not os.path.exists(pwned), "a sweep.csv header ran a gnuplot command")
    os.remove(os.path.join(folder, "sweep.csv"))
    with open(os.path.join(folder, "summary.json"), "w") as f:
        f.write("[" * 100000 + "]" * 100000)
    out = run(program, "report", folder)
    expect(out.returncode == 2 and "nested" in out.stderr,
           f"report of a deeply nested summary.json: {out.returncode} {out.stderr!r}")
    bare = os.path.join(work, "da-cells")
    shutil.copytree(os.path.join(work, "da"), bare, ignore=shutil.ignore_patterns("plots"))
    queue = os.path.join(bare, "leader_queue.csv")
    lines = open(queue).read().splitlines()
    first = lines[1].split(",")
    first[1] = '"7\n120 999999"'  # the leader cell: a line break and a made-up point
    lines[1] = ",".join(first)
    with open(queue, "w") as f:
        f.write("\n".join(lines) + "\n")
    out = run(program, "plot", bare)
    expect(out.returncode == 2 and "leader_queue.csv" in out.stderr,
           f"a leader cell with a line break: {out.returncode} {out.stderr!r}")


def check_user_settings(program, runs, work):
    """gnuplot runs without ~/.gnuplot: the images do not depend on the user's settings."""
    home = os.path.join(work, "home")
    os.mkdir(home)
    with open(os.path.join(home, ".gnuplot"), "w") as f:
        f.write('set decimalsign ","\nset linetype 1 lc rgb "#00ff00"\n')
    folder = os.path.join(work, "with-home")
    shutil.copytree(runs["partition"], folder)
    out = run(program, "plot", folder, env=dict(os.environ, HOME=home))
    expect(out.returncode == 0, f"plot with a ~/.gnuplot: exit {out.returncode}")
    for name in RUN_PLOTS:
        a = open(os.path.join(runs["partition"], "plots", name + ".svg"), "rb").read()
        b = open(os.path.join(folder, "plots", name + ".svg"), "rb").read()
        expect(a == b, f"{name}.svg changed with a ~/.gnuplot")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    program, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    with tempfile.TemporaryDirectory() as work:
        runs = make_runs(program, root, work)
        if not FAILURES:
            check_run_draws(program, runs, work)
            check_runs(program, runs)
            check_without_gnuplot(program, runs, work)
            check_sweep(program, root, runs)
            check_usage(program, work)
            check_user_settings(program, runs, work)
    for failure in FAILURES:
        print("FAIL:", failure)
    print("check_plot:", "FAIL" if FAILURES else "ok")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
