import zipfile

import numpy as np
import pytest

from kgen.datasets import load_movielens_100k
from kgen.datasets import ratings_matrix

# user, item, rating, timestamp (upstream 1-based ids); item 4 is never rated
RATINGS = np.array(
    [[1, 1, 5, 100], [2, 3, 3, 101], [3, 1, 1, 102], [1, 2, 4, 103]]
)
TITLES = ["Toy Story (1995)", "Les Misérables (1995)", "unknown", "Heat (1995)"]
FLAGS = [
    [3, 4, 5],  # Animation, Children's, Comedy
    [8],  # Drama
    [0],  # unknown
    [1, 6, 16],  # Action, Crime, Thriller
]
GENRES = [
    ["Animation", "Children's", "Comedy"],
    ["Drama"],
    ["unknown"],
    ["Action", "Crime", "Thriller"],
]


def _u_data():
    return "".join("\t".join(map(str, row)) + "\n" for row in RATINGS)


def _u_item():
    lines = []
    for item, (title, flags) in enumerate(zip(TITLES, FLAGS), 1):
        bits = ["1" if g in flags else "0" for g in range(19)]
        lines.append(f"{item}|{title}|01-Jan-1995||http://x|" + "|".join(bits))
    return ("\n".join(lines) + "\n").encode("latin-1")


def _items_tsv():
    rows = ["item_id\ttitle\trelease_year\tgenres"]
    for item, (title, genres) in enumerate(zip(TITLES, GENRES), 1):
        rows.append(f"{item}\t{title[:-7]}\t1995\t{' '.join(genres)}")
    return "\n".join(rows) + "\n"


def _check(data, titles):
    np.testing.assert_array_equal(data["user_id"], RATINGS[:, 0] - 1)
    np.testing.assert_array_equal(data["item_id"], RATINGS[:, 1] - 1)
    np.testing.assert_array_equal(data["rating"], RATINGS[:, 2])
    np.testing.assert_array_equal(data["timestamp"], RATINGS[:, 3])
    for key in ("user_id", "item_id", "rating", "timestamp"):
        assert data[key].dtype == np.int64
    assert (data["num_users"], data["num_items"]) == (3, 4)
    assert data["titles"] == titles and data["genres"] == GENRES


def test_upstream_zip(tmp_path):
    archive = tmp_path / "ml-100k.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ml-100k/u.data", _u_data())
        z.writestr("ml-100k/u.item", _u_item())
        z.writestr("ml-100k/README", "")
    for path in (archive, tmp_path):
        _check(load_movielens_100k(path), TITLES)


def test_folder_with_items_tsv(tmp_path, monkeypatch):
    folder = tmp_path / "ml-100k"
    folder.mkdir()
    (folder / "u.data").write_text(_u_data())
    (folder / "items.tsv").write_text(_items_tsv(), encoding="utf-8")
    titles = [t[:-7] for t in TITLES]
    for path in (folder, folder / "u.data", tmp_path):
        _check(load_movielens_100k(path), titles)
    monkeypatch.setenv("KGEN_DATA_DIR", str(tmp_path))
    _check(load_movielens_100k(), titles)
    # u.item, where present, wins over items.tsv
    (folder / "u.item").write_bytes(_u_item())
    _check(load_movielens_100k(folder), TITLES)


def test_missing_and_bad_files(tmp_path):
    folder = tmp_path / "ml-100k"
    folder.mkdir()
    (folder / "u.data").write_text(_u_data())
    with pytest.raises(FileNotFoundError, match="u.item.*items.tsv"):
        load_movielens_100k(folder)
    (folder / "u.item").write_bytes(_u_item()[:-30])  # cut-off last flags
    with pytest.raises(ValueError, match="genre flags"):
        load_movielens_100k(folder)
    (folder / "u.item").write_bytes(_u_item())
    (folder / "u.data").write_text("1\t2\tthree\t4\n")
    with pytest.raises(ValueError, match="u.data"):
        load_movielens_100k(folder)
    (folder / "u.data").write_text("1\t2\t3\n")
    with pytest.raises(ValueError, match=r"shape \(1, 3\)"):
        load_movielens_100k(folder)
    with pytest.raises(FileNotFoundError, match="ml-100k.zip"):
        load_movielens_100k(tmp_path / "empty")  # absent
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="u.data"):
        load_movielens_100k(tmp_path / "empty")


def test_corrupt_zip(tmp_path):
    archive = tmp_path / "ml-100k.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ml-100k/u.data", _u_data() * 50)
        z.writestr("ml-100k/u.item", _u_item())
    archive.write_bytes(archive.read_bytes()[:300])
    with pytest.raises(ValueError, match="truncated, corrupt"):
        load_movielens_100k(archive)


def test_offline(tmp_path):
    with pytest.raises(FileNotFoundError, match="ml-100k.zip.*grouplens"):
        load_movielens_100k()


def test_ratings_matrix_against_numpy(rng):
    pairs = rng.choice(6 * 9, size=20, replace=False)
    users, items = pairs // 9, pairs % 9
    ratings = rng.integers(1, 6, 20)
    matrix, mask = ratings_matrix(users, items, ratings, 6, 9)
    expected = np.zeros((6, 9))
    for u, i, r in zip(users, items, ratings):
        expected[u, i] = r
    np.testing.assert_array_equal(matrix, expected)
    np.testing.assert_array_equal(mask, expected > 0)
    assert matrix.dtype == mask.dtype == np.float32


def test_ratings_matrix_errors():
    with pytest.raises(ValueError, match=r"\(1, 2\) is rated 2 times"):
        ratings_matrix([0, 1, 1], [0, 2, 2], [5, 4, 3], 2, 3)
    with pytest.raises(ValueError, match="item_id.*below 3"):
        ratings_matrix([0], [3], [5], 2, 3)
    with pytest.raises(ValueError, match="same length"):
        ratings_matrix([0, 1], [0], [5], 2, 3)


def test_real_movielens(shared_data):
    data = load_movielens_100k(shared_data)
    assert (data["num_users"], data["num_items"]) == (943, 1682)
    assert len(data["rating"]) == 100_000 and len(data["titles"]) == 1682
    np.testing.assert_array_equal(
        np.bincount(data["rating"])[1:], [6110, 11370, 27145, 34174, 21201]
    )
    assert round(float(data["rating"].mean()), 3) == 3.530
    assert data["titles"][0].startswith("Toy Story")
    matrix, mask = ratings_matrix(
        data["user_id"],
        data["item_id"],
        data["rating"],
        data["num_users"],
        data["num_items"],
    )
    assert mask.sum() == 100_000 and matrix.sum() == data["rating"].sum()
