"""MkDocs hooks: ship MathJax with the site so that formulas render offline.

`pymdownx.arithmatex` (generic mode) wraps every formula in
`<span class="arithmatex">\\(...\\)</span>` or `<div class="arithmatex">\\[...\\]
</div>`; MathJax typesets them in the reader's browser. Instead of loading
MathJax from a CDN when a page is read, this hook copies MathJax 3 from the
`django-static-mathjax` package (installed by kgen's `docs` extra; it has no
dependencies and ships MathJax's own files) into the built site under
`javascripts/mathjax/`, where `mkdocs.yml`'s `extra_javascript` loads it.
It works for `mkdocs build` and `mkdocs serve` alike.
"""

import importlib.util
import pathlib

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

# Destination of the MathJax files inside the site.
SITE_FOLDER = "javascripts/mathjax"
# The one MathJax bundle pages load: TeX input with every TeX extension,
# SVG output (glyphs drawn from paths inside the bundle, so no web fonts to
# fetch before a formula shows).
BUNDLE = "tex-svg-full.js"
# What the bundle loads on demand, relative to MathJax's `es5` folder: TeX
# extensions (`\require`), the context menu and its accessibility
# components. The speech-rule engine (`sre`, 4 MB; only for the menu's
# speech options) is left out.
ON_DEMAND = (
    "input/tex/extensions",
    "ui",
    "a11y",
)


def mathjax_folder():
    """The installed MathJax `es5` folder.

    Returns:
        A `pathlib.Path`.

    Raises:
        PluginError: if `django-static-mathjax` is not installed.
    """
    spec = importlib.util.find_spec("mathjax")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            folder = pathlib.Path(location) / "static" / "mathjax" / "es5"
            if (folder / BUNDLE).is_file():
                return folder
    raise PluginError(
        "The docs need MathJax from the `django-static-mathjax` package, "
        "which is not installed. Install the docs extra: "
        "`pip install -e '.[docs]'`."
    )


def mathjax_files(folder):
    """Relative paths (POSIX) of the MathJax files the site needs.

    Args:
        folder: the MathJax `es5` folder (see `mathjax_folder`).

    Returns:
        A sorted list of strings.
    """
    paths = [BUNDLE]
    for name in ON_DEMAND:
        paths += [
            path.relative_to(folder).as_posix()
            for path in (folder / name).rglob("*")
            if path.is_file()
        ]
    return sorted(paths)


def on_files(files, config):
    """Adds the MathJax files to the site's files (MkDocs hook)."""
    folder = mathjax_folder()
    for path in mathjax_files(folder):
        files.append(
            File(
                path,
                src_dir=str(folder),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
                dest_uri=f"{SITE_FOLDER}/{path}",
            )
        )
    return files
