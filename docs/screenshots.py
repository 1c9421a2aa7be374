"""Builds the docs and checks every page in a real (headless) browser.

For every page of the built site this script

1. opens it in headless Chromium from a local web server (so that nothing
   comes from the network), lets its scripts run, and saves a screenshot;
2. reads the page's DOM after the scripts ran and counts the formulas that
   `pymdownx.arithmatex` marked up, those MathJax typeset, and MathJax's
   TeX errors;
3. lists every file the pages asked the server for that the site lacks.

It prints one line per page and exits with status 1 when a formula was
left untypeset, MathJax reported a TeX error, or a file was missing.

Needs Chromium (`apt-get install chromium` on Debian); CI does not run it.

Usage (from the repository root):

    python docs/screenshots.py                    # every page
    python docs/screenshots.py --out /tmp/shots guides/gan/ index.html
    python docs/screenshots.py --site /tmp/site   # an already built site
"""

import argparse
import concurrent.futures
import functools
import html.parser
import http.server
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading

ROOT = pathlib.Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


class DomCounts(html.parser.HTMLParser):
    """Counts arithmatex elements, typeset formulas and TeX errors."""

    def __init__(self):
        super().__init__()
        self.marked = 0
        self.typeset = 0
        self.errors = 0
        self.error_text = []
        self._in_error = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if "arithmatex" in classes:
            self.marked += 1
        if tag == "mjx-container":
            self.typeset += 1
        if tag == "mjx-merror":
            self.errors += 1
            self._in_error += 1

    def handle_endtag(self, tag):
        if tag == "mjx-merror":
            self._in_error -= 1

    def handle_data(self, data):
        if self._in_error > 0:
            self.error_text.append(data.strip())


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site and records the paths it could not find."""

    missing = None  # set per server

    def log_message(self, format, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        if code == 404:
            self.missing.add(self.path)
        super().send_error(code, message, explain)


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    sys.exit(
        "No Chromium found (looked for " + ", ".join(BROWSERS) + "). "
        "Install it, e.g. `apt-get install chromium`."
    )


def build_site(site):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
    subprocess.run(command + ["-d", str(site)], cwd=ROOT, env=env, check=True)


def serve(site):
    missing = set()
    handler = type("Handler", (QuietHandler,), {"missing": missing})
    handler = functools.partial(handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, missing


def browser_command(browser, width, height, wait_ms):
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
        f"--window-size={width},{height}",
        f"--virtual-time-budget={wait_ms}",
    ]


def check_page(command, url, picture):
    """Screenshots `url` to `picture`; returns the DOM's `DomCounts`."""
    subprocess.run(
        command + [f"--screenshot={picture}", url],
        check=True,
        capture_output=True,
        timeout=120,
    )
    dom = subprocess.run(
        command + ["--dump-dom", url],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    counts = DomCounts()
    counts.feed(dom)
    return counts


def site_pages(site):
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative in ("404.html",) or relative.startswith("assets/"):
            continue
        pages.append(relative.removesuffix("index.html") or "index.html")
    return pages


def picture_name(page):
    stem = re.sub(r"[^A-Za-z0-9]+", "_", page.strip("/")) or "index"
    return stem.removesuffix("_html").removesuffix("_index") + ".png"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "pages",
        nargs="*",
        help="pages relative to the site root, e.g. guides/gan/ or "
        "guides/gan/#training (default: every page)",
    )
    parser.add_argument("--site", help="an already built site to check")
    parser.add_argument(
        "--out",
        default=os.path.join(tempfile.gettempdir(), "kgen_docs_screenshots"),
        help="folder for the screenshots (default: %(default)s)",
    )
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1800)
    parser.add_argument(
        "--jobs", type=int, default=2, help="browsers run at once"
    )
    parser.add_argument(
        "--wait-ms",
        type=int,
        default=8000,
        help="virtual time the page's scripts get before the picture",
    )
    args = parser.parse_args(argv)
    browser = find_browser()

    with tempfile.TemporaryDirectory() as scratch:
        site = pathlib.Path(args.site or scratch)
        if not args.site:
            print(f"building the site in {site} ...", flush=True)
            build_site(site)
        out = pathlib.Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        server, missing = serve(site)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        command = browser_command(
            browser, args.width, args.height, args.wait_ms
        )
        pages = args.pages or site_pages(site)
        pictures = [out / picture_name(page.split("#")[0]) for page in pages]
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            results = pool.map(
                lambda page, picture: check_page(command, base + page, picture),
                pages,
                pictures,
            )
        problems = 0
        for page, picture, counts in zip(pages, pictures, results):
            untypeset = counts.marked - counts.typeset
            status = "ok"
            if untypeset > 0 or counts.errors:
                status = "PROBLEM"
                problems += 1
            print(
                f"{status:8s}{page:40s} formulas {counts.marked:3d}, "
                f"typeset {counts.typeset:3d}, TeX errors {counts.errors}"
                f"  -> {picture}"
            )
            if counts.error_text:
                print("        TeX errors:", "; ".join(counts.error_text))
        server.shutdown()
    for path in sorted(missing):
        print(f"MISSING {path}")
    print(
        f"{problems} page(s) with untypeset formulas or TeX errors, "
        f"{len(missing)} missing file(s); screenshots in {out}"
    )
    return 1 if problems or missing else 0


if __name__ == "__main__":
    sys.exit(main())
