"""Shared MNIST reading for the Boltzmann-family benchmarks.

Uses `kgen.datasets.load_mnist` when it exists, else reads `mnist.npz`
directly (the same file), binarising stochastically with a seed.
"""

import os

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA_DIR = os.path.join(REPO, "..", "shared", "data")
RESULTS = os.path.join(REPO, "bench", "results")


def binarised_mnist(data_dir=DEFAULT_DATA_DIR, seed=0):
    """`(x, y), (x_test, y_test)`: flat float32 pixels, stochastically binarised.

    Each grey level `p` in [0, 1] becomes 1 with probability `p` (one draw,
    seeded), as in Salakhutdinov & Murray (2008).
    """
    try:
        from kgen.datasets import load_mnist
    except ImportError:
        load_mnist = None
    if load_mnist is not None:
        return load_mnist(data_dir, binarize="stochastic", seed=seed)
    with np.load(os.path.join(data_dir, "mnist.npz")) as data:
        arrays = {key: data[key] for key in data.files}
    rng = np.random.default_rng(seed)

    def binarise(images):
        grey = images.reshape(len(images), -1).astype("float32") / 255.0
        return (rng.random(grey.shape) < grey).astype("float32")

    return (
        (binarise(arrays["x_train"]), arrays["y_train"].astype("int64")),
        (binarise(arrays["x_test"]), arrays["y_test"].astype("int64")),
    )
