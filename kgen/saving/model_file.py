"""Loading `.keras` files, and telling a damaged file from a missing one."""

import json
import os
import zipfile

import keras

# What `keras.Model.save` writes into a `.keras` archive.
_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def check_model_file(filepath):
    """Checks that `filepath` is a readable, undamaged `.keras` file.

    Keras reports a truncated or corrupt archive as "File not found" and a
    damaged entry as a raw `JSONDecodeError` or `OSError`. This check opens
    the archive the way Keras does and names what is wrong: a missing
    file, a folder, a file that is not a zip archive (or a truncated one),
    an entry that fails its checksum, a missing entry, a config that is not
    JSON, or a weights file that is not HDF5.

    Args:
        filepath: path of a `.keras` file.

    Returns:
        The path, as a string.

    Raises:
        FileNotFoundError: if there is no such file.
        ValueError: if the file is damaged; the message names the file and
            what was found.

    Example:

    ```python
    kgen.saving.check_model_file("model.keras")
    ```
    """
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"No model file at {path!r} (absolute: {os.path.abspath(path)!r})."
        )
    if os.path.isdir(path):
        raise ValueError(
            f"{path!r} is a folder; expected a `.keras` file written by "
            "`model.save('name.keras')`."
        )
    size = os.path.getsize(path)
    if not zipfile.is_zipfile(path):
        raise _damaged(
            path, f"it is not a zip archive ({_describe(path, size)})"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            broken = archive.testzip()
            if broken is not None:
                raise _damaged(path, f"its entry {broken!r} fails its checksum")
            for name in (_CONFIG, _METADATA):
                if name not in names:
                    raise _damaged(
                        path, f"it holds no {name} (it holds {sorted(names)})"
                    )
            _check_json(path, archive, _CONFIG)
            _check_json(path, archive, _METADATA)
            _check_weights(path, archive, names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as e:
        raise _damaged(path, f"reading its archive failed: {e}") from e
    return path


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """`keras.saving.load_model`, with clear errors for damaged files.

    Checks the file with `check_model_file` first, then loads it with
    Keras; a read error Keras raises on a file that passed the check (a
    damaged weights file) is reported as damage too. Any other error
    (an unknown class, a bad config) is Keras' own.

    Args:
        filepath: path of a `.keras` file.
        custom_objects: optional dict of your own classes by name.
        compile: whether to compile the model after loading.
        safe_mode: passed on to `keras.saving.load_model`.

    Returns:
        The model, with its optimizer state when it was saved compiled.

    Raises:
        FileNotFoundError: if there is no such file.
        ValueError: if the file is damaged (the message names the file and
            what was found).

    Example:

    ```python
    model.save("model.keras")
    model = kgen.saving.load_model("model.keras")
    ```
    """
    path = check_model_file(filepath)
    try:
        return keras.saving.load_model(
            path,
            custom_objects=custom_objects,
            compile=compile,
            safe_mode=safe_mode,
        )
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise _damaged(path, f"reading it failed: {error}") from error


def _damaged(path, what):
    return ValueError(
        f"The model file {path!r} is damaged: {what}. It may have been "
        "truncated or corrupted while being written or copied; save the "
        "model again, or restore the file from a copy."
    )


def _describe(path, size):
    if size == 0:
        return "the file is empty"
    with open(path, "rb") as file:
        start = file.read(8)
    return f"{size} bytes, starting with {start!r}"


def _check_json(path, archive, name):
    text = archive.read(name)
    try:
        json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _damaged(
            path, f"its {name} is not valid JSON ({len(text)} bytes; {error})"
        ) from None


def _check_weights(path, archive, names):
    weights = [n for n in names if n.startswith(_WEIGHTS)]
    if not weights:
        raise _damaged(
            path, f"it holds no model weights (it holds {sorted(names)})"
        )
    for name in weights:
        if name.endswith(".h5"):
            with archive.open(name) as file:
                start = file.read(len(_HDF5_SIGNATURE))
            if start != _HDF5_SIGNATURE:
                raise _damaged(
                    path,
                    f"its {name} is not an HDF5 file (starts with {start!r})",
                )
