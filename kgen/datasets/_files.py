"""Finding a data set's file: a path argument, `KGEN_DATA_DIR`, or a download.

Every loader of a standard data set resolves its file the same way:

1. the `path` argument, a file or a folder that holds the file;
2. the folder named by the environment variable `KGEN_DATA_DIR`;
3. the Keras cache (`KERAS_HOME`, default `~/.keras`, sub-folder `datasets`),
   downloading the upstream file there once with `keras.utils.get_file`.

A downloaded or cached file is checked against the upstream checksum; a file
that fails the check is deleted before the error is raised, so that a bad
download never loads later. Files found through a path or `KGEN_DATA_DIR` are
the user's own copies: they are not checksummed (copies rebuilt from other
distributions, like the ones on machines without internet, are equal in
content but not byte for byte), and each loader checks their content instead.
"""

import contextlib
import csv
import dataclasses
import gzip
import hashlib
import os
import zipfile
import zlib

import keras

DATA_DIR_VARIABLE = "KGEN_DATA_DIR"

# Errors that reading a truncated or corrupt file raises in NumPy, SciPy,
# gzip, zipfile and csv parsing.
_READ_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    UnicodeDecodeError,
    zipfile.BadZipFile,
    gzip.BadGzipFile,
    zlib.error,
    csv.Error,
)


class DataFileError(ValueError):
    """A data file that cannot be read, or whose content is not as expected."""


@dataclasses.dataclass(frozen=True)
class RemoteFile:
    """Where a data set's upstream file lives and how to recognise it.

    Attributes:
        dataset: the data set's name, for messages.
        fname: the file's name in the Keras cache.
        origin: the upstream URL.
        file_hash: the upstream file's SHA-256 (64 hex digits) or MD5 (32).
        names: file or folder names that hold the data set inside a data
            folder, in order of preference; the first one that exists wins.
    """

    dataset: str
    fname: str
    origin: str
    file_hash: str
    names: tuple


def _cache_dir():
    """`KERAS_HOME` as set now (Keras reads it once, at import), created if
    needed (`get_file` falls back to /tmp for a missing folder), else `None`
    for Keras' default."""
    home = os.environ.get("KERAS_HOME")
    if home:
        home = os.path.expanduser(home)
        os.makedirs(home, exist_ok=True)
    return home or None


def _keras_cache(fname):
    home = os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    return os.path.join(os.path.expanduser(home), "datasets", fname)


def _find_in_folder(folder, remote):
    for name in remote.names:
        candidate = os.path.join(folder, name)
        if os.path.exists(candidate):
            return candidate
    return None


def _hash_matches(path, file_hash):
    algorithm = hashlib.sha256 if len(file_hash) == 64 else hashlib.md5
    digest = algorithm()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == file_hash.lower()


def _download(remote):
    """Downloads (or finds in the Keras cache) and checks the upstream file.

    A cached file that fails the checksum is deleted and downloaded again
    once; a download that fails it is deleted and reported.
    """
    for _ in range(2):
        path = keras.utils.get_file(
            fname=remote.fname, origin=remote.origin, cache_dir=_cache_dir()
        )
        if _hash_matches(path, remote.file_hash):
            return path
        os.remove(path)
    raise ValueError(
        f"The downloaded {remote.dataset} file from {remote.origin} does not "
        f"match the expected checksum {remote.file_hash}, so it was deleted. "
        "The download may have been cut short or the upstream file may have "
        "changed: try again, or download it yourself and pass its path with "
        f"`path=` or put it in the folder named by ${DATA_DIR_VARIABLE}."
    )


def resolve(path, remote):
    """Returns the path of a data set's file or folder.

    Args:
        path: `None`, or a file, or a folder holding one of `remote.names`.
        remote: the data set's `RemoteFile`.

    Returns:
        The path of an existing file or folder (one of `remote.names` when
        found in a folder, or `path` itself when it is a file).

    Raises:
        FileNotFoundError: `path` does not exist or is a folder without the
            data set, or nothing was found and the download failed; the
            message lists every place looked in and how to provide the file.
        ValueError: a downloaded file does not match its checksum.
    """
    wanted = " or ".join(f"`{name}`" for name in remote.names)
    if path is not None:
        path = os.fspath(path)
        if os.path.isdir(path):
            found = _find_in_folder(path, remote)
            if found is None:
                raise FileNotFoundError(
                    f"The folder {path!r} passed as `path` does not hold the "
                    f"{remote.dataset} data: looked for {wanted} in it. Pass "
                    "the file itself or the folder that holds it."
                )
            return found
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"No such file or folder for the {remote.dataset} data: "
                f"path={path!r}. Pass an existing file, or a folder holding "
                f"{wanted}."
            )
        return path
    looked = []
    folder = os.environ.get(DATA_DIR_VARIABLE)
    if folder:
        found = _find_in_folder(folder, remote)
        if found is not None:
            return found
        looked.append(f"${DATA_DIR_VARIABLE}={folder!r} (no {wanted} there)")
    else:
        looked.append(f"${DATA_DIR_VARIABLE} (not set)")
    looked.append(f"the Keras cache {_keras_cache(remote.fname)!r}")
    try:
        return _download(remote)
    except ValueError:
        raise
    except Exception as error:
        raise FileNotFoundError(
            f"Could not find the {remote.dataset} data ({wanted}) and could "
            f"not download {remote.origin}: {error}. Looked in: "
            f"{'; '.join(looked)}. To provide it, pass `path=` (the file or "
            f"its folder), or set ${DATA_DIR_VARIABLE} to a folder holding "
            "it, or run once on a machine with internet access, which "
            "downloads it into the Keras cache (set KERAS_HOME to move it)."
        ) from error


@contextlib.contextmanager
def reading(path, what):
    """Turns any error raised while parsing `path` into a clear `ValueError`.

    Args:
        path: the file being read, for the message.
        what: what the file should be, e.g. `"Keras' mnist.npz"`.
    """
    try:
        yield
    except DataFileError:
        raise
    except _READ_ERRORS as error:
        raise DataFileError(
            f"Could not read {path!r} as {what}: {type(error).__name__}: "
            f"{error}. The file may be truncated, corrupt or of another "
            "format: delete it and download it again, or pass a good copy."
        ) from error


def invalid(path, what, problem):
    """A `DataFileError` for a readable file whose content is unexpected."""
    return DataFileError(
        f"{path!r} is not {what}: {problem}. Pass the upstream file unchanged."
    )
