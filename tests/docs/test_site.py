"""The built docs site: formulas ready for MathJax, shipped with the site.

Builds the site once for this module (about 10 s) and checks its HTML:
every formula is wrapped by `pymdownx.arithmatex` for MathJax, no raw TeX is
left in the prose, pages with formulas load the MathJax copy inside the site
(never a CDN), and every picture a page shows exists. A real-browser check
(MathJax actually typesetting, screenshots) is `python docs/screenshots.py`.
"""

import html.parser
import os
import pathlib
import posixpath
import re
import subprocess
import sys

import keras
import pytest

pytest.importorskip("mkdocs", reason="needs the docs extra: .[docs]")
pytest.importorskip("material", reason="needs the docs extra: .[docs]")
pytest.importorskip("mathjax", reason="needs the docs extra: .[docs]")

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax",
    reason="the site does not depend on the Keras backend: built and "
    "checked once, in the JAX run of the suite",
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
MATHJAX_CONFIG = "javascripts/mathjax-config.js"
MATHJAX = "javascripts/mathjax/tex-svg-full.js"
# TeX a reader should never see as text: delimiters and common commands.
RAW_TEX = re.compile(r"\\\(|\\\[|\$\$|\\(frac|sum|mathbb|mathcal|log|exp)\b")
SKIPPED_TAGS = {"code", "pre", "script", "style", "textarea", "title"}


class Page(html.parser.HTMLParser):
    """Formulas, scripts, pictures and prose text of one HTML page."""

    def __init__(self):
        super().__init__()
        self.formulas = []  # (tag, text) of each arithmatex element
        self.scripts = []
        self.pictures = []
        self.prose = []
        self._stack = []  # open elements: (tag, is_formula, is_skipped)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag == "img":
            self.pictures.append(attrs.get("src", ""))
            return  # a void element: never closed
        if tag in ("br", "hr", "meta", "link", "input", "source", "wbr"):
            return
        formula = "arithmatex" in (attrs.get("class") or "").split()
        if formula:
            self.formulas.append([tag, ""])
        self._stack.append((tag, formula, tag in SKIPPED_TAGS))

    def handle_endtag(self, tag):
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(formula for _, formula, _ in self._stack):
            self.formulas[-1][1] += data
        elif not any(skipped for _, _, skipped in self._stack):
            self.prose.append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "--no-strict"]
    subprocess.run(
        command + ["-d", str(folder)],
        cwd=ROOT,
        env=environment,
        check=True,
        timeout=300,
    )
    pages = {}
    for path in sorted(folder.rglob("*.html")):
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(folder).as_posix()] = page
    return folder, pages


def site_path(page_path, link):
    """The site-relative path a relative `link` on `page_path` points to."""
    return posixpath.normpath(
        posixpath.join(posixpath.dirname(page_path), link.split("?")[0])
    )


def test_guides_have_formulas_marked_up_for_mathjax(site):
    _, pages = site
    with_math = [path for path, page in pages.items() if page.formulas]
    assert any(path.startswith("guides/") for path in with_math), with_math
    for path in with_math:
        for tag, text in pages[path].formulas:
            text = text.strip()
            inline = text.startswith("\\(") and text.endswith("\\)")
            display = text.startswith("\\[") and text.endswith("\\]")
            assert inline if tag == "span" else display, (path, tag, text)


def test_no_raw_tex_in_prose(site):
    _, pages = site
    for path, page in pages.items():
        prose = " ".join(page.prose)
        found = RAW_TEX.search(prose)
        assert found is None, (
            f"{path}: TeX outside a formula near "
            f"{prose[max(found.start() - 60, 0) : found.end() + 60]!r}; "
            "write formulas as \\( \\) or \\[ \\] so arithmatex marks them."
        )


def test_pages_with_formulas_load_mathjax_from_the_site(site):
    folder, pages = site
    for path, page in pages.items():
        remote = [src for src in page.scripts if re.match(r"(https?:)?//", src)]
        assert not remote, f"{path} loads scripts from the network: {remote}"
        if not page.formulas:
            continue
        local = [site_path(path, src) for src in page.scripts]
        assert MATHJAX_CONFIG in local and MATHJAX in local, (path, local)
        assert local.index(MATHJAX_CONFIG) < local.index(MATHJAX), local
    assert (folder / MATHJAX).stat().st_size > 1_000_000
    assert (folder / MATHJAX_CONFIG).is_file()


def test_every_picture_exists(site):
    folder, pages = site
    assert pages["index.html"].pictures, "the front page shows no picture"
    for path, page in pages.items():
        for src in page.pictures:
            if src.startswith("data:"):
                continue
            assert not re.match(r"(https?:)?//", src), (path, src)
            assert (folder / site_path(path, src)).is_file(), (path, src)
