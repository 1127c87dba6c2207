#!/usr/bin/env python3
"""A run's report.html as a browser shows it: headless Chromium opens the page (from
`shotglass run SCENARIO --out DIR`), and every plot must load — an inline SVG must render to
an image of nonzero size when loaded as one, an <img> (the PNG fallback, checked on a second
page made by `shotglass report` from the PNGs alone) must have naturalWidth > 0 — with one
figure per plot in DIR/plots, no "could not be read" notice, no script error (an uncaught
exception) and no console or log error (a resource that failed to load is one). A screenshot
of the whole page is kept in the test log directory (LOG_DIR/report-browser.png).

The checks are shown to fire: a copy of the page with a missing image, an SVG that draws
nothing, a script that throws and a console.error must fail each of them.

Chromium is driven with the standard library only: --remote-debugging-pipe, the DevTools
protocol as NUL-terminated JSON messages on file descriptors 3 (commands) and 4 (replies and
events). --no-sandbox, since tests may run as root in a container.

Usage: check_report_browser.py SHOTGLASS SCENARIO.ini LOG_DIR
Exit codes: 0 pass, 1 a check failed, 77 skip (no Chromium on this machine).
"""
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 60

# Evaluated in the page: one record per figure of the plots section, each plot loaded as an
# image the way a browser would load a file of it (an inline SVG serialised to a blob URL).
PLOTS_SCRIPT = r"""
(async () => {
  const load = (src) => new Promise((resolve) => {
    const image = new Image();
    image.onload = () => resolve(image.naturalWidth);
    image.onerror = () => resolve(0);
    image.src = src;
  });
  const figures = [...document.querySelectorAll('#plots figure')];
  const out = [];
  for (const figure of figures) {
    const img = figure.querySelector('img');
    const svg = figure.querySelector('svg');
    const record = {id: figure.id, kind: img ? 'img' : svg ? 'svg' : 'none', natural_width: 0,
                    shown_width: 0, shown_height: 0};
    const shown = img || svg;
    if (shown) {
      const box = shown.getBoundingClientRect();
      record.shown_width = box.width;
      record.shown_height = box.height;
    }
    if (img) {
      if (!img.complete) await new Promise((r) => { img.onload = img.onerror = r; });
      record.natural_width = img.naturalWidth;
    } else if (svg) {
      const text = new XMLSerializer().serializeToString(svg);
      const url = URL.createObjectURL(new Blob([text], {type: 'image/svg+xml'}));
      record.natural_width = await load(url);
      URL.revokeObjectURL(url);
    }
    out.push(record);
  }
  return {figures: out, notices: document.querySelectorAll('#plots .fail').length,
          title: document.title};
})()
"""


class Browser:
    """A headless Chromium on a DevTools pipe, with one page attached."""

    def __init__(self, program, profile):
        commands_read, self.commands = os.pipe()
        self.replies, replies_write = os.pipe()
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--remote-debugging-pipe", f"--user-data-dir={profile}", "--no-first-run",
                 "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
                 "--mute-audio", "--window-size=1200,900", "about:blank"]
        # The shell puts the pipe ends on fds 3 and 4, where Chromium looks for them.
        self.process = subprocess.Popen(
            ["sh", "-c", f'exec "$@" 3<&{commands_read} 4>&{replies_write}', "sh", program,
             *flags],
            pass_fds=(commands_read, replies_write), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(profile, "stderr.txt"), "w"))
        os.close(commands_read)
        os.close(replies_write)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.call("Target.attachToTarget",
                                     {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                self.call(domain + ".enable")
        except BaseException:
            self.close()
            raise

    def send(self, method, params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session is not None:
            message["sessionId"] = self.session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        return self.next_id

    def receive(self, deadline):
        """The next message, or raises TimeoutError at `deadline`."""
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.replies], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.replies, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe (it exited)")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None):
        """Sends a command and returns its result; events on the way are kept in self.events."""
        wanted = self.send(method, params)
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            message = self.receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_event(self, method):
        deadline = time.monotonic() + TIMEOUT_S
        seen = [e for e in self.events if e["method"] == method]
        while not seen:
            message = self.receive(deadline)
            if "method" in message:
                self.events.append(message)
                seen = [message] if message["method"] == method else []
        return seen[0]

    def close(self):
        try:
            self.session = None
            self.send("Browser.close", {})
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        os.close(self.commands)
        os.close(self.replies)


def errors_of(events):
    """The script errors, console errors and log errors among the page's events."""
    out = []
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            out.append("script error: " + d.get("exception", {}).get("description",
                                                                      d.get("text", "?")))
        elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
            out.append(f"console.{p['type']}: {args}")
        elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            out.append(f"log error ({entry.get('source')}): {entry.get('text')} "
                       f"{entry.get('url', '')}".rstrip())
    return out


def open_page(browser, page):
    """Loads `page` in the browser; returns (problems, plot records)."""
    browser.events.clear()
    navigated = browser.call("Page.navigate", {"url": "file://" + os.path.abspath(page)})
    if navigated.get("errorText"):
        return [f"{page}: cannot open: {navigated['errorText']}"], []
    browser.wait_event("Page.loadEventFired")
    found = browser.call("Runtime.evaluate", {"expression": PLOTS_SCRIPT, "awaitPromise": True,
                                              "returnByValue": True})
    if "exceptionDetails" in found:
        return [f"{page}: the plot check itself failed: {found['exceptionDetails']}"], []
    value = found["result"]["value"]
    # Whatever the page logs late (an image that fails after load) has had its chance by now.
    browser.call("Runtime.evaluate", {"expression": "new Promise(r => setTimeout(r, 200))",
                                      "awaitPromise": True})
    problems = [f"{page}: {e}" for e in errors_of(browser.events)]
    for f in value["figures"]:
        if f["natural_width"] <= 0 or f["shown_width"] <= 0 or f["shown_height"] <= 0:
            problems.append(f"{page}: plot {f['id']} ({f['kind']}) does not load: natural width "
                            f"{f['natural_width']}, shown {f['shown_width']}x{f['shown_height']}")
    if value["notices"]:
        problems.append(f"{page}: {value['notices']} plot(s) say they could not be read")
    return problems, value["figures"]


def plot_stems(folder):
    plots = os.path.join(folder, "plots")
    return sorted({os.path.splitext(f)[0] for f in os.listdir(plots)
                   if f.endswith((".svg", ".png"))})


def check_report(browser, folder, kind, screenshot=None):
    """Problems of folder/report.html; each plot's figure must be there and load as `kind`."""
    problems, figures = open_page(browser, os.path.join(folder, "report.html"))
    stems = plot_stems(folder)
    shown = sorted(f["id"].removeprefix("plot-") for f in figures)
    if not stems or shown != stems:
        problems.append(f"{folder}: figures {shown}, plots/ holds {stems}")
    if any(f["kind"] != kind for f in figures):
        problems.append(f"{folder}: plots are {[f['kind'] for f in figures]}, expected {kind}")
    if screenshot is not None:
        size = browser.call("Page.getLayoutMetrics")["cssContentSize"]
        shot = browser.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                     "scale": 1}})
        data = base64.b64decode(shot["data"])
        if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 10000:
            problems.append(f"{folder}: the screenshot is not a picture ({len(data)} bytes)")
        with open(screenshot, "wb") as f:
            f.write(data)
        print(f"screenshot: {screenshot} ({int(size['width'])}x{int(size['height'])} px)")
    return problems, figures


def broken_copy(folder):
    """folder/broken.html: the report with a missing image, an SVG that draws nothing, a script
    that throws and a console.error in it."""
    text = open(os.path.join(folder, "report.html"), encoding="utf-8").read()
    injected = ('<figure id="plot-missing"><img alt="missing" src="plots/missing.png"></figure>\n'
                '<figure id="plot-empty"><svg xmlns="http://www.w3.org/2000/svg" width="0" '
                'height="0"></svg></figure>\n'
                '<script>console.error("deliberate console error");'
                'throw new Error("deliberate script error");</script>\n')
    marker = '<section id="plots">'
    assert marker in text, "the report has no plots section"
    text = text.replace(marker, marker + "\n" + injected, 1)
    path = os.path.join(folder, "broken.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    shotglass, scenario, log_dir = os.path.abspath(argv[0]), argv[1], argv[2]
    program = find_browser()
    if program is None:
        print(f"skip: no browser ({', '.join(BROWSERS)}) on PATH; `make deps` installs chromium")
        return 77
    problems = []
    with tempfile.TemporaryDirectory() as work:
        folder = os.path.join(work, "run")
        run = subprocess.run([shotglass, "run", scenario, "--quiet", "--out", folder],
                             capture_output=True, text=True, timeout=300)
        if run.returncode != 0 or not os.path.exists(os.path.join(folder, "report.html")):
            print(f"FAIL: shotglass run {scenario} --out: exit {run.returncode}: {run.stderr}")
            return 1
        # The PNG fallback: a copy of the folder without its SVGs, reported again.
        pngs = os.path.join(work, "pngs")
        shutil.copytree(folder, pngs)
        for f in os.listdir(os.path.join(pngs, "plots")):
            if f.endswith(".svg"):
                os.unlink(os.path.join(pngs, "plots", f))
        report = subprocess.run([shotglass, "report", pngs], capture_output=True, text=True,
                                timeout=300)
        if report.returncode != 0:
            print(f"FAIL: shotglass report (PNGs only): exit {report.returncode}: "
                  f"{report.stderr}")
            return 1
        os.makedirs(log_dir, exist_ok=True)
        profile = os.path.join(work, "profile")
        os.makedirs(profile)
        browser = None
        try:
            browser = Browser(program, profile)
            found, figures = check_report(browser, folder, "svg",
                                          os.path.join(log_dir, "report-browser.png"))
            problems += found
            print(f"{len(figures)} SVG plots load: {', '.join(f['id'] for f in figures)}")
            found, figures = check_report(browser, pngs, "img")
            problems += found
            print(f"{len(figures)} PNG plots load (naturalWidth "
                  f"{', '.join(str(f['natural_width']) for f in figures)})")
            # The checks fire: each deliberate fault of the broken copy is reported.
            caught, _ = open_page(browser, broken_copy(folder))
            for fault in ("plot plot-missing (img) does not load",
                          "plot plot-empty (svg) does not load",
                          "script error: Error: deliberate script error",
                          "console.error: deliberate console error",
                          "log error (network)"):
                if not any(fault in c for c in caught):
                    problems.append(f"the broken page's fault is not caught: {fault!r} "
                                    f"(caught: {caught})")
            print(f"the broken copy: {len(caught)} problems caught, as it should")
        except (TimeoutError, EOFError, RuntimeError) as e:
            stderr = open(os.path.join(profile, "stderr.txt")).read()[-2000:]
            problems.append(f"{program}: {e}\n{stderr}")
        finally:
            if browser is not None:
                browser.close()
    for p in problems:
        print("FAIL:", p)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
