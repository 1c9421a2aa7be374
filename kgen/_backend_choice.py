"""Checks, before Keras is imported, that the chosen backend is installed.

Importing this module runs the check. Without it, `import kgen` on a machine without TensorFlow and without
`KERAS_BACKEND` ends in Keras' bare `No module named 'tensorflow'`.
"""

import importlib.util
import json
import os

BACKENDS = ("tensorflow", "jax", "torch")


def chosen_backend():
    """`(backend, where it was chosen)`, as Keras will read it."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"], "the KERAS_BACKEND variable"
    home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    config = os.path.join(home, "keras.json")
    try:
        with open(config) as file:
            return json.load(file)["backend"], config
    except (OSError, ValueError, KeyError, TypeError):
        return "tensorflow", "Keras' default"


def check_backend_installed():
    """Raises an `ImportError` naming the installed backends when the
    chosen one is one of kgen's and is missing."""
    backend, source = chosen_backend()
    if backend not in BACKENDS or importlib.util.find_spec(backend):
        return
    installed = [b for b in BACKENDS if importlib.util.find_spec(b)]
    raise ImportError(
        f"Keras is set to the '{backend}' backend (by {source}), but "
        f"{backend} is not installed. Installed backends: "
        f"{', '.join(installed) or 'none'}. Choose one before importing "
        f"kgen, e.g. `export KERAS_BACKEND={(installed or ['jax'])[0]}`, or "
        f"install one, e.g. `pip install 'kgen[{backend}]'`."
    )


check_backend_installed()
