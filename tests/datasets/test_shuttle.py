import gzip

import numpy as np
import pytest
import scipy.io

from kgen.datasets import load_shuttle

HEADER = ",".join([f"f{i}" for i in range(1, 10)] + ["anomaly"])


@pytest.fixture
def table(rng):
    x = rng.integers(-20, 120, (15, 9))
    y = (rng.random(15) < 0.3).astype(int)
    return x, y


def _csv(x, y):
    rows = [",".join(map(str, [*r, a])) for r, a in zip(x, y)]
    return "\n".join([HEADER, *rows]) + "\n"


def _check(loaded, x, y):
    np.testing.assert_array_equal(loaded[0], x)
    np.testing.assert_array_equal(loaded[1], y)
    assert loaded[0].dtype == np.float32 and loaded[1].dtype == np.int64


def test_csv_gz_csv_and_mat(tmp_path, table):
    x, y = table
    with gzip.open(tmp_path / "shuttle.csv.gz", "wt") as f:
        f.write(_csv(x, y))
    _check(load_shuttle(tmp_path), x, y)
    (tmp_path / "plain.csv").write_text(_csv(x, y))
    _check(load_shuttle(tmp_path / "plain.csv"), x, y)
    # ODDS' format: X as doubles, y as a column of 0/1; preferred in a folder.
    scipy.io.savemat(tmp_path / "shuttle.mat", {"X": x * 1.0, "y": y[:, None]})
    _check(load_shuttle(tmp_path), x, y)


def test_bad_files(tmp_path, table):
    x, y = table
    path = tmp_path / "shuttle.csv"
    path.write_text(_csv(x, y).replace("anomaly", "label"))
    with pytest.raises(ValueError, match="header"):
        load_shuttle(path)
    path.write_text(_csv(x, y + 1))
    with pytest.raises(ValueError, match="0 or 1"):
        load_shuttle(path)
    path.write_text(_csv(x, y).replace(HEADER, HEADER.replace("f9,", "")))
    with pytest.raises(ValueError, match="header"):
        load_shuttle(path)
    path.write_text(_csv(x, y) + "1,2,3\n")  # a ragged last row
    with pytest.raises(ValueError, match="Could not read"):
        load_shuttle(path)
    gz = tmp_path / "shuttle.csv.gz"
    gz.write_bytes(gzip.compress(_csv(x, y).encode())[:40])
    with pytest.raises(ValueError, match="truncated, corrupt"):
        load_shuttle(gz)
    mat = tmp_path / "shuttle.mat"
    scipy.io.savemat(mat, {"X": x[:, :8] * 1.0, "y": y[:, None]})
    with pytest.raises(ValueError, match=r"\(15, 8\)"):
        load_shuttle(mat)
    scipy.io.savemat(mat, {"features": x * 1.0})
    with pytest.raises(ValueError, match="shuttle.mat"):
        load_shuttle(mat)


def test_offline():
    with pytest.raises(FileNotFoundError, match="shuttle.mat.*dropbox"):
        load_shuttle()


def test_real_shuttle(shared_data):
    x, y = load_shuttle(shared_data)
    assert x.shape == (49097, 9)
    assert y.sum() == 3511
