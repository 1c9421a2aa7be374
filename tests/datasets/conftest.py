"""Fixtures for the loaders: no test reaches the network or the real cache."""

import pathlib

import keras
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
