"""File resolution shared by the loaders: path, KGEN_DATA_DIR, download."""

import dataclasses
import hashlib
import os

import numpy as np
import pytest
from mnist_files import write_mnist

from kgen.datasets import load_mnist
from kgen.datasets import mnist


def test_path_is_file_or_folder(tmp_path):
    arrays = write_mnist(tmp_path / "mnist.npz")
    for path in (tmp_path / "mnist.npz", tmp_path, str(tmp_path)):
        (_, y), _ = load_mnist(path)
        np.testing.assert_array_equal(y, arrays["y_train"])


def test_folder_without_the_file(tmp_path):
    (tmp_path / "other.npz").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="`mnist.npz`") as error:
        load_mnist(tmp_path)
    assert str(tmp_path) in str(error.value)


def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such file"):
        load_mnist(tmp_path / "absent.npz")


def test_environment_variable(tmp_path, monkeypatch):
    arrays = write_mnist(tmp_path / "mnist.npz")
    monkeypatch.setenv("KGEN_DATA_DIR", str(tmp_path))
    _, (_, y_test) = load_mnist()
    np.testing.assert_array_equal(y_test, arrays["y_test"])


def test_offline_error_names_every_place(tmp_path, monkeypatch):
    monkeypatch.setenv("KGEN_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError) as error:
        load_mnist()
    message = str(error.value)
    for expected in (
        "mnist.npz",
        f"$KGEN_DATA_DIR={str(tmp_path)!r}",
        os.path.join("keras_home", "datasets", "mnist.npz"),
        mnist.MNIST.origin,
        "offline",
        "`path=`",
        "internet",
    ):
        assert expected in message


def _serve(tmp_path, monkeypatch, offline, file_hash=None):
    """Points the MNIST origin at a local file, downloaded by the real
    keras.utils.get_file into the test's KERAS_HOME."""
    source = tmp_path / "upstream" / "mnist.npz"
    source.parent.mkdir()
    arrays = write_mnist(source)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    remote = dataclasses.replace(
        mnist.MNIST, origin=source.as_uri(), file_hash=file_hash or digest
    )
    monkeypatch.setattr(mnist, "MNIST", remote)
    monkeypatch.setattr("keras.utils.get_file", offline)
    cached = tmp_path / "keras_home" / "datasets" / "mnist.npz"
    return source, arrays, cached


def test_download_checks_hash_and_caches(tmp_path, monkeypatch, offline):
    source, arrays, cached = _serve(tmp_path, monkeypatch, offline)
    (x, _), _ = load_mnist()
    np.testing.assert_allclose(x[0] * 255, arrays["x_train"][0].reshape(-1))
    assert cached.read_bytes() == source.read_bytes()
    source.unlink()  # the cached copy is used from now on
    (x_again, _), _ = load_mnist()
    np.testing.assert_array_equal(x, x_again)


def test_checksum_mismatch_leaves_no_file(tmp_path, monkeypatch, offline):
    _, _, cached = _serve(tmp_path, monkeypatch, offline, file_hash="0" * 64)
    with pytest.raises(ValueError, match="checksum") as error:
        load_mnist()
    assert "0" * 64 in str(error.value)
    assert not cached.exists()


def test_corrupt_cached_file_is_downloaded_again(
    tmp_path, monkeypatch, offline
):
    source, _, cached = _serve(tmp_path, monkeypatch, offline)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(source.read_bytes()[:1000])  # a cut-off download
    load_mnist()
    assert cached.read_bytes() == source.read_bytes()
