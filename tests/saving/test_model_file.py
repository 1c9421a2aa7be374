import zipfile

import numpy as np
import pytest

import kgen
from kgen.saving import check_model_file
from kgen.saving import load_model


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    model = kgen.models.RBM(3, seed=0)
    model.compile(optimizer="sgd")
    x = (np.random.default_rng(0).random((8, 4)) < 0.5).astype("float32")
    model.fit(x, batch_size=4, epochs=1, verbose=0)
    path = tmp_path_factory.mktemp("saved") / "model.keras"
    model.save(path)
    return model, path


def _rewritten(source, target, change):
    """A copy of the archive `source` with `change(name, data)` applied."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, change(name, old.read(name)))
    return target


def test_a_sound_file_loads_with_its_weights(saved):
    model, path = saved
    loaded = load_model(path)
    for old, new in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert check_model_file(path) == str(path)


def test_a_missing_file_or_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file at"):
        load_model(tmp_path / "none.keras")
    with pytest.raises(ValueError, match="is a folder"):
        load_model(tmp_path)


@pytest.mark.parametrize(
    "damage, found",
    [
        (lambda data: data[: len(data) // 2], "not a zip archive"),
        (lambda data: b"", "the file is empty"),
        (lambda data: b"<html>not found</html>", r"starting with b'<html>no'"),
    ],
    ids=["truncated", "empty", "other"],
)
def test_a_damaged_archive_is_named_as_damaged(saved, tmp_path, damage, found):
    path = tmp_path / "damaged.keras"
    path.write_bytes(damage(saved[1].read_bytes()))
    with pytest.raises(ValueError, match="damaged") as error:
        load_model(path)
    assert str(path) in str(error.value) and "File not found" not in str(
        error.value
    )
    assert pytest.raises(ValueError, check_model_file, path).match(found)


def test_a_flipped_byte_fails_the_checksum(saved, tmp_path):
    data = bytearray(saved[1].read_bytes())
    with zipfile.ZipFile(saved[1]) as archive:
        info = archive.getinfo("model.weights.h5")
    # The weights' data start after the local header (30 bytes + name).
    data[info.header_offset + 30 + len(info.filename) + 200] ^= 0xFF
    path = tmp_path / "flipped.keras"
    path.write_bytes(bytes(data))
    with pytest.raises(
        ValueError, match="model.weights.h5' fails its checksum"
    ):
        load_model(path)


@pytest.mark.parametrize(
    "entry, found",
    [
        ("config.json", "config.json is not valid JSON"),
        ("metadata.json", "metadata.json is not valid JSON"),
        ("model.weights.h5", "model.weights.h5 is not an HDF5 file"),
    ],
)
def test_a_damaged_entry_is_named(saved, tmp_path, entry, found):
    path = _rewritten(
        saved[1],
        tmp_path / "entry.keras",
        lambda name, data: data[1:40] if name == entry else data,
    )
    with pytest.raises(ValueError, match=found):
        load_model(path)


def test_a_truncated_weights_file_is_reported_as_damage(saved, tmp_path):
    path = _rewritten(
        saved[1],
        tmp_path / "short.keras",
        lambda name, data: data[:600] if name.endswith(".h5") else data,
    )
    with pytest.raises(ValueError, match="is damaged: reading it failed"):
        load_model(path)


def test_a_missing_entry_is_named(saved, tmp_path):
    path = tmp_path / "partial.keras"
    with (
        zipfile.ZipFile(saved[1]) as old,
        zipfile.ZipFile(path, "w") as new,
    ):
        new.writestr("metadata.json", old.read("metadata.json"))
    with pytest.raises(ValueError, match="holds no config.json"):
        load_model(path)
