"""Fixtures for the loaders: no test reaches the network or the real cache."""

import pathlib

import keras
import numpy as np
import pytest

SHARED_DATA = (
    pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data"
)


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """Empty Keras cache, no KGEN_DATA_DIR, and every download fails."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("KGEN_DATA_DIR", raising=False)
    real_get_file = keras.utils.get_file

    def no_network(fname=None, origin=None, **kwargs):
        raise Exception(f"URL fetch failure on {origin}: None -- offline")

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    return real_get_file


@pytest.fixture
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    return SHARED_DATA


def write_mnist(path, num_train=30, num_test=12, seed=0, **overrides):
    """Writes a tiny mnist.npz in Keras' layout and returns its arrays."""
    rng = np.random.default_rng(seed)
    arrays = {
        "x_train": rng.integers(0, 256, (num_train, 28, 28), dtype="uint8"),
        "y_train": rng.integers(0, 10, num_train, dtype="uint8"),
        "x_test": rng.integers(0, 256, (num_test, 28, 28), dtype="uint8"),
        "y_test": rng.integers(0, 10, num_test, dtype="uint8"),
    }
    arrays.update(overrides)
    np.savez_compressed(path, **arrays)
    return arrays
