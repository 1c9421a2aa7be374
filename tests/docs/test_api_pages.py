"""Every public name of every kgen package is on an API page.

A package's public names are its `__all__` (submodules excluded). A name
counts as documented when an API page (`docs/api/*.md`) has a mkdocstrings
entry (`::: dotted.path`) for that path or for another path that resolves,
in this process, to the same object (a class re-exported by its parent
package, or the current backend's class among `kgen.backend.<backend>.X`).

Run as a script to list what is missing:
`KERAS_BACKEND=jax python tests/docs/test_api_pages.py`.
"""

import importlib
import inspect
import pathlib
import pkgutil
import re
import sys

import kgen

API_PAGES = pathlib.Path(__file__).resolve().parents[2] / "docs" / "api"
ENTRY = re.compile(r"^:::\s*([\w.]+)\s*$", re.MULTILINE)


def kgen_packages():
    """`kgen` and every package below it, imported."""
    packages = [kgen]
    for info in pkgutil.walk_packages(kgen.__path__, "kgen."):
        if info.ispkg:
            packages.append(importlib.import_module(info.name))
    return packages


def public_names():
    """`(package name, name)` for every non-module name in an `__all__`."""
    names = []
    for package in kgen_packages():
        for name in getattr(package, "__all__", ()):
            value = getattr(package, name)
            if name.startswith("__") or inspect.ismodule(value):
                continue
            names.append((package.__name__, name))
    return names


def documented_paths():
    """The dotted paths of every `:::` entry on the API pages."""
    return {
        path
        for page in sorted(API_PAGES.glob("*.md"))
        for path in ENTRY.findall(page.read_text(encoding="utf-8"))
    }


def resolve(path):
    """The object at `path` among imported modules, or `None`.

    Nothing is imported: a module not yet imported (another backend's) cannot
    hold the object a package of this process exports.
    """
    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:split]))
        if module is None:
            continue
        value = module
        for part in parts[split:]:
            value = getattr(value, part, None)
            if value is None:
                return None
        return value
    return None


def missing_names():
    """Dotted paths of the public names no API page documents."""
    documented = documented_paths()
    by_name = {}
    for path in documented:
        by_name.setdefault(path.rsplit(".", 1)[-1], []).append(path)
    missing = []
    for package, name in public_names():
        path = f"{package}.{name}"
        if path in documented:
            continue
        value = getattr(sys.modules[package], name)
        candidates = by_name.get(name, []) + by_name.get(
            getattr(value, "__name__", name), []
        )
        if not any(resolve(other) is value for other in candidates):
            missing.append(path)
    return sorted(missing)


def test_public_names_are_found():
    # The checker must see the names it is meant to check.
    names = {f"{package}.{name}" for package, name in public_names()}
    assert "kgen.models.GAN" in names
    assert "kgen.backend.ASYNC_DISPATCH" in names
    assert "kgen.backend.PhasedTrainer" in names


def test_resolve_finds_re_exports_and_rejects_unknown_paths():
    assert resolve("kgen.models.GAN") is kgen.models.GAN
    assert resolve("kgen.models.gan.GAN") is kgen.models.GAN
    assert resolve("kgen.models.NoSuchModel") is None
    assert resolve("no_such_package.Name") is None


def test_every_public_name_is_on_an_api_page():
    missing = missing_names()
    assert not missing, (
        f"{len(missing)} public name(s) are on no API page: "
        f"{', '.join(missing)}. Add a `::: <dotted.path>` entry for each to "
        f"the matching page in {API_PAGES}."
    )


if __name__ == "__main__":
    for path in missing_names():
        print(path)
