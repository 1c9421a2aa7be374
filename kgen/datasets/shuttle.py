"""The ODDS outlier version of the Statlog Shuttle data."""

import gzip
import io

import numpy as np
import scipy.io

from kgen.datasets import _files

SHUTTLE = _files.RemoteFile(
    dataset="ODDS Shuttle",
    fname="shuttle.mat",
    origin="https://www.dropbox.com/s/mk8ozgisimfn3dw/shuttle.mat?dl=1",
    # SHA-256 of ODDS' shuttle.mat as registered by OutlierDetectionData.jl.
    file_hash=(
        "b6e396c92354d5dcf5036901e36dc58e2913f2d1a5e138c35a2bedf9c69db899"
    ),
    names=("shuttle.mat", "shuttle.csv.gz", "shuttle.csv"),
)
_MAT = "ODDS' shuttle.mat (MATLAB arrays X (n, 9) and y (n, 1))"
_CSV = "a shuttle CSV (header f1..f9,anomaly)"
_HEADER = [f"f{i}" for i in range(1, 10)] + ["anomaly"]


def _read_mat(path):
    with _files.reading(path, _MAT):
        arrays = scipy.io.loadmat(path)
        return arrays["X"], arrays["y"].reshape(-1)


def _read_csv(path):
    opener = gzip.open if path.endswith(".gz") else open
    with _files.reading(path, _CSV):
        with opener(path, "rt", encoding="ascii") as f:
            text = f.read()
        header = text.split("\n", 1)[0].strip().split(",")
        if header != _HEADER:
            raise _files.invalid(path, _CSV, f"its header is {header}")
        table = np.loadtxt(
            io.StringIO(text), delimiter=",", skiprows=1, ndmin=2
        )
    return table[:, :-1], table[:, -1]


def load_shuttle(path=None):
    """Loads the ODDS Shuttle outlier set: 49,097 rows, 9 features, 3,511 outliers.

    The Statlog Shuttle data as prepared by ODDS for outlier detection:
    class 1 (about 93 % of the rows) are the inliers; classes 2, 3, 5, 6 and
    7 the outliers (label 1); class 4 was removed. The data are found, in
    order, at `path` (the file, or a folder holding `shuttle.mat`,
    `shuttle.csv.gz` or `shuttle.csv`), in the folder named by the
    environment variable `KGEN_DATA_DIR`, or in the Keras cache, where ODDS'
    `shuttle.mat` is downloaded once from
    `https://www.dropbox.com/s/mk8ozgisimfn3dw/shuttle.mat?dl=1` (the link on
    ODDS' page) and checked against its SHA-256. A `.mat` file holds arrays
    `X` and `y` (read with `scipy.io.loadmat`); a CSV (optionally gzipped,
    like the copy in the `river` package) has the header `f1,...,f9,anomaly`.

    Reference: S. Rayana, ODDS Library, Stony Brook University, 2016,
    https://odds.cs.stonybrook.edu/shuttle-dataset/ ; the Statlog Shuttle data
    from the UCI repository (CC BY 4.0).

    Args:
        path: `None`, or the file or a folder holding it.

    Returns:
        `(x, y)`: float32 features of shape `(n, 9)` and int64 labels
        (1 for an outlier, 0 otherwise).

    Raises:
        FileNotFoundError: the data are missing and cannot be downloaded.
        ValueError: a corrupt, truncated or wrong file (its checksum, when
            downloaded).

    Example:

    ```python
    x, y = kgen.datasets.load_shuttle("../shared/data")
    x.shape, y.mean()  # (49097, 9), 0.0715
    ```
    """
    file = _files.resolve(path, SHUTTLE)
    what = _MAT if file.endswith(".mat") else _CSV
    x, y = _read_mat(file) if file.endswith(".mat") else _read_csv(file)
    if x.ndim != 2 or x.shape[1] != 9 or len(x) == 0 or len(y) != len(x):
        raise _files.invalid(
            file, what, f"found features of shape {x.shape}, labels {y.shape}"
        )
    if not np.isin(y, (0, 1)).all():
        raise _files.invalid(file, what, "labels must be 0 or 1")
    return x.astype("float32"), y.astype("int64")
