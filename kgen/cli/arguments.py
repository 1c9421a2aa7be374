"""Argument types of the `kgen` command: each rejects bad values before any
training starts, with a one-line message that says what was received."""

import argparse
import os


def positive_int(text):
    """An integer >= 1 (epochs, batch sizes, unit counts)."""
    return _number(text, int, 1, "an integer >= 1")


def non_negative_int(text):
    """An integer >= 0 (counts where 0 means "none")."""
    return _number(text, int, 0, "an integer >= 0")


def positive_float(text):
    """A finite number > 0 (learning rates)."""
    value = _number(text, float, None, "a number > 0")
    if not value > 0:
        raise argparse.ArgumentTypeError(
            f"must be a number > 0, received {text!r}"
        )
    return value


def non_negative_float(text):
    """A finite number >= 0 (weights of loss terms, decays)."""
    return _number(text, float, 0.0, "a number >= 0")


def _number(text, kind, minimum, expected):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be {expected}, received {text!r}"
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(
            f"must be {expected}, received {text!r}"
        )
    if minimum is not None and value < minimum:
        raise argparse.ArgumentTypeError(
            f"must be {expected}, received {text!r}"
        )
    return value


def prepare_output(path):
    """Creates the output folder `path` if needed and checks it is writable.

    Raises:
        ValueError: when `path` is a file, or cannot be created or written.
    """
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(
            f"--output {path!r} is a file, not a folder. Pass a folder path "
            "(it is created if missing)."
        )
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        raise ValueError(
            f"cannot create the output folder {path!r}: {error.strerror}. "
            "Pass a folder you can write to with --output."
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(
            f"the output folder {path!r} is not writable. Pass a folder you "
            "can write to with --output."
        )
