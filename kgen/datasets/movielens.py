"""MovieLens 100K (GroupLens): ratings, titles and genres, and rating matrices."""

import csv
import io
import os
import zipfile

import numpy as np

from kgen.datasets import _files

MOVIELENS_100K = _files.RemoteFile(
    dataset="MovieLens 100K",
    fname="ml-100k.zip",
    origin="https://files.grouplens.org/datasets/movielens/ml-100k.zip",
    # The MD5 that GroupLens publishes beside the archive (ml-100k.zip.md5).
    file_hash="0e33842e24a9c977be4e0107933c0723",
    names=("ml-100k.zip", os.path.join("ml-100k", "u.data"), "u.data"),
)
# The 19 genre flags of u.item, in order (upstream u.genre).
GENRES = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)
_RATINGS = "MovieLens' u.data (user_id item_id rating timestamp, tab-separated)"
_ITEMS = "MovieLens' u.item (19 genre flags after 5 '|'-separated fields)"
_ITEMS_TSV = "an items.tsv (item_id title release_year genres, with a header)"


class _Source:
    """Reads the member files of `ml-100k.zip` or of an `ml-100k` folder."""

    def __init__(self, path):
        self.path = path
        self.archive = os.path.isfile(path) and (
            path.endswith(".zip") or zipfile.is_zipfile(path)
        )
        if self.archive:
            self.folder = None
        elif os.path.isdir(path):
            self.folder = path
        else:
            self.folder = os.path.dirname(path)
            if os.path.basename(path) != "u.data":
                raise FileNotFoundError(
                    f"{path!r} is neither ml-100k.zip nor u.data nor a folder "
                    "holding u.data. Pass the GroupLens archive, its extracted "
                    "ml-100k folder or the u.data file."
                )

    def names(self):
        if self.archive:
            with _files.reading(self.path, "GroupLens' ml-100k.zip"):
                with zipfile.ZipFile(self.path) as archive:
                    return {os.path.basename(n) for n in archive.namelist()}
        return set(os.listdir(self.folder))

    def location(self, name):
        if self.archive:
            return f"{self.path}:ml-100k/{name}"
        return os.path.join(self.folder, name)

    def read(self, name, encoding):
        if self.archive:
            with _files.reading(self.path, "GroupLens' ml-100k.zip"):
                with zipfile.ZipFile(self.path) as archive:
                    members = [
                        n
                        for n in archive.namelist()
                        if os.path.basename(n) == name
                    ]
                    if not members:
                        raise _files.invalid(
                            self.path,
                            "GroupLens' ml-100k.zip",
                            f"it holds no {name}",
                        )
                    data = archive.read(members[0])
        else:
            with open(os.path.join(self.folder, name), "rb") as f:
                data = f.read()
        with _files.reading(self.location(name), f"{encoding} text"):
            return data.decode(encoding)


def _ratings(source):
    where = source.location("u.data")
    text = source.read("u.data", "ascii")
    with _files.reading(where, _RATINGS):
        table = np.loadtxt(io.StringIO(text), dtype="int64", ndmin=2)
    if table.shape[1] != 4 or len(table) == 0:
        raise _files.invalid(
            where, _RATINGS, f"found a table of shape {table.shape}"
        )
    if table[:, :2].min() < 1:
        raise _files.invalid(where, _RATINGS, "ids must start at 1")
    return table


def _items_from_u_item(source):
    where = source.location("u.item")
    titles, genres = {}, {}
    with _files.reading(where, _ITEMS):
        for row in csv.reader(
            io.StringIO(source.read("u.item", "latin-1")), delimiter="|"
        ):
            if not row:
                continue
            flags = row[5:]
            if len(flags) != len(GENRES) or set(flags) - {"0", "1"}:
                raise _files.invalid(
                    where, _ITEMS, f"item row {row[0]!r} has flags {flags}"
                )
            item = int(row[0])
            titles[item] = row[1]
            genres[item] = [g for g, f in zip(GENRES, flags) if f == "1"]
    return titles, genres


def _items_from_tsv(source):
    where = source.location("items.tsv")
    titles, genres = {}, {}
    with _files.reading(where, _ITEMS_TSV):
        rows = csv.reader(
            io.StringIO(source.read("items.tsv", "utf-8")),
            delimiter="\t",
            quoting=csv.QUOTE_NONE,
        )
        header = next(rows)
        if header[:2] != ["item_id", "title"] or header[-1] != "genres":
            raise _files.invalid(where, _ITEMS_TSV, f"header {header}")
        for row in rows:
            item = int(row[0])
            titles[item] = row[1]
            genres[item] = row[-1].split()
    return titles, genres


def _items(source, num_rated):
    """Titles and genre lists indexed by 0-based item id, and their count."""
    names = source.names()
    if "u.item" in names:
        titles, genres = _items_from_u_item(source)
    elif "items.tsv" in names:
        titles, genres = _items_from_tsv(source)
    else:
        raise FileNotFoundError(
            f"No item file beside {source.location('u.data')!r}: looked for "
            "u.item (upstream) and items.tsv. Pass the complete ml-100k "
            "archive or folder."
        )
    ids = range(1, max([num_rated, *titles]) + 1)
    missing = sorted(set(ids) - set(titles))
    if missing:
        raise _files.invalid(
            source.location("u.item" if "u.item" in names else "items.tsv"),
            "MovieLens' item list",
            f"no entry for item ids {missing[:10]}",
        )
    return [titles[i] for i in ids], [genres[i] for i in ids]


def load_movielens_100k(path=None):
    """Loads MovieLens 100K: 100,000 ratings (1-5) of 1,682 films by 943 users.

    Reads GroupLens' `ml-100k.zip` or its extracted `ml-100k` folder. The
    data are found, in order, at `path` (the archive, the `ml-100k` folder,
    its `u.data`, or a folder holding `ml-100k.zip` or `ml-100k/`), in the
    folder named by the environment variable `KGEN_DATA_DIR`, or in the
    Keras cache, where the archive is downloaded once from
    `https://files.grouplens.org/datasets/movielens/ml-100k.zip` and checked
    against the MD5 that GroupLens publishes. Ratings come from `u.data`;
    titles and genres from `u.item` (19 genre flags), or, where there is no
    `u.item`, from an `items.tsv` (header `item_id title release_year
    genres`, genres space-separated; its titles carry no year, while
    `u.item`'s read e.g. `"Toy Story (1995)"`).

    Ids are 0-based: `user_id` is the upstream user id minus 1 and `item_id`
    the upstream item id minus 1, so they index rows and columns of
    `ratings_matrix` directly.

    Reference: F. M. Harper and J. A. Konstan, The MovieLens Datasets:
    History and Context, ACM TiiS 5(4), 2015. GroupLens's terms: research
    use with acknowledgement, no redistribution.

    Args:
        path: `None`, or the archive, folder or `u.data` described above.

    Returns:
        A dict with int64 arrays `"user_id"`, `"item_id"`, `"rating"` and
        `"timestamp"` (one entry per rating, in file order), ints
        `"num_users"` and `"num_items"`, `"titles"` (a list of strings) and
        `"genres"` (a list of lists of genre names), both indexed by
        `item_id`.

    Raises:
        FileNotFoundError: the data are missing and cannot be downloaded.
        ValueError: a corrupt, truncated or wrong file (its checksum, when
            downloaded).

    Example:

    ```python
    data = kgen.datasets.load_movielens_100k("../shared/data")
    matrix, mask = kgen.datasets.ratings_matrix(
        data["user_id"], data["item_id"], data["rating"],
        data["num_users"], data["num_items"],
    )
    matrix.shape  # (943, 1682)
    ```
    """
    source = _Source(_files.resolve(path, MOVIELENS_100K))
    table = _ratings(source)
    num_users, num_rated = (int(n) for n in table[:, :2].max(axis=0))
    titles, genres = _items(source, num_rated)
    return {
        "user_id": table[:, 0] - 1,
        "item_id": table[:, 1] - 1,
        "rating": table[:, 2],
        "timestamp": table[:, 3],
        "num_users": num_users,
        "num_items": len(titles),
        "titles": titles,
        "genres": genres,
    }


def ratings_matrix(user_id, item_id, rating, num_users, num_items):
    """Scatters (user, item, rating) triples into a users x items matrix.

    Args:
        user_id: int array of 0-based user indices.
        item_id: int array of 0-based item indices, same length.
        rating: array of ratings, same length.
        num_users: number of rows.
        num_items: number of columns.

    Returns:
        `(matrix, mask)`, float32 arrays of shape `(num_users, num_items)`:
        the ratings (0 where unrated) and 1 where a rating exists.

    Raises:
        ValueError: arrays of different lengths, indices out of range, or a
            (user, item) pair rated twice.

    Example:

    ```python
    matrix, mask = kgen.datasets.ratings_matrix([0, 1], [2, 0], [5, 3], 2, 3)
    matrix  # [[0, 0, 5], [3, 0, 0]]
    ```
    """
    user_id, item_id, rating = (
        np.asarray(a).reshape(-1) for a in (user_id, item_id, rating)
    )
    if not len(user_id) == len(item_id) == len(rating):
        raise ValueError(
            "`user_id`, `item_id` and `rating` must have the same length. "
            f"Received lengths {len(user_id)}, {len(item_id)}, {len(rating)}."
        )
    for ids, size, name in (
        (user_id, num_users, "user_id"),
        (item_id, num_items, "item_id"),
    ):
        if len(ids) and (ids.min() < 0 or ids.max() >= size):
            raise ValueError(
                f"`{name}` must hold 0-based indices below {size}. Received "
                f"values from {ids.min()} to {ids.max()}."
            )
    flat = user_id.astype("int64") * num_items + item_id
    unique, counts = np.unique(flat, return_counts=True)
    if (counts > 1).any():
        pair = unique[counts > 1][0]
        raise ValueError(
            f"The (user, item) pair ({pair // num_items}, {pair % num_items}) "
            f"is rated {counts[counts > 1][0]} times, and "
            f"{int((counts > 1).sum())} pairs in all are repeated. A rating "
            "matrix holds one rating per pair: drop or average duplicates first."
        )
    matrix = np.zeros((num_users, num_items), "float32")
    mask = np.zeros((num_users, num_items), "float32")
    matrix[user_id, item_id] = rating
    mask[user_id, item_id] = 1.0
    return matrix, mask
