"""Runs the front page's example and saves the picture it produces.

`docs/examples/front_page.py` is the example shown on `docs/index.md`
(included verbatim); it trains a model and writes `samples.png` in the
working folder. This script runs it in a scratch folder and copies the
picture to `docs/images/front_page_samples.png`.

Usage, from the repository root (about a minute on two CPU cores):

    python docs/make_front_page_pictures.py
"""

import contextlib
import os
import pathlib
import runpy
import shutil
import tempfile
import time

DOCS = pathlib.Path(__file__).resolve().parent
EXAMPLE = DOCS / "examples" / "front_page.py"
PICTURE = DOCS / "images" / "front_page_samples.png"


def main():
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        with _working_folder(scratch):
            runpy.run_path(str(EXAMPLE), run_name="__main__")
        shutil.copyfile(pathlib.Path(scratch) / "samples.png", PICTURE)
    seconds = time.perf_counter() - start
    print(
        f"wrote {PICTURE} ({PICTURE.stat().st_size:,} bytes, {seconds:.0f} s)"
    )


@contextlib.contextmanager
def _working_folder(folder):
    """Runs the `with` body in `folder`, then returns to the current one."""
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


if __name__ == "__main__":
    main()
