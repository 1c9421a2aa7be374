"""MNIST from Keras' `mnist.npz`, scaled, optionally binarised and split."""

import numpy as np

from kgen.datasets import _files
from kgen.utils.validation import check_choice

MNIST = _files.RemoteFile(
    dataset="MNIST",
    fname="mnist.npz",
    origin=(
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    ),
    # The SHA-256 that keras.datasets.mnist checks (Keras 3.15).
    file_hash=(
        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    ),
    names=("mnist.npz",),
)
_WHAT = "Keras' mnist.npz (x_train, y_train, x_test, y_test)"
_BINARIZATIONS = (None, "threshold", "stochastic")


def _read(path):
    with _files.reading(path, _WHAT), np.load(path) as archive:
        arrays = {
            key: archive[key]
            for key in ("x_train", "y_train", "x_test", "y_test")
        }
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or x.dtype != np.uint8:
            raise _files.invalid(
                path,
                _WHAT,
                f"x_{split} must be uint8 images of shape (n, 28, 28); found "
                f"{x.dtype} of shape {x.shape}",
            )
        if y.shape != (len(x),):
            raise _files.invalid(
                path,
                _WHAT,
                f"y_{split} must hold one label per image, shape ({len(x)},); "
                f"found shape {y.shape}",
            )
    return arrays


def _binarize(images, binarize, rng):
    if binarize == "threshold":
        return (images > 0.5).astype("float32")
    if binarize == "stochastic":
        return (rng.random(images.shape, dtype="float32") < images).astype(
            "float32"
        )
    return images


def _validation_count(validation_size, num_train):
    if isinstance(validation_size, bool) or not isinstance(
        validation_size, (int, np.integer, float, np.floating)
    ):
        raise ValueError(
            "`validation_size` must be a count (int) or a fraction (float in "
            f"[0, 1)). Received: validation_size={validation_size!r}."
        )
    if isinstance(validation_size, (float, np.floating)):
        if not 0.0 <= validation_size < 1.0:
            raise ValueError(
                "A fractional `validation_size` must lie in [0, 1). "
                f"Received: validation_size={validation_size}."
            )
        return int(round(validation_size * num_train))
    if not 0 <= validation_size < num_train:
        raise ValueError(
            "`validation_size` must be a count in [0, number of training "
            f"images = {num_train}). Received: validation_size="
            f"{validation_size}."
        )
    return int(validation_size)


def load_mnist(
    path=None, *, binarize=None, seed=None, flatten=True, validation_size=0
):
    """Loads MNIST (60,000 training and 10,000 test digits), scaled to [0, 1].

    Reads the `mnist.npz` that `keras.datasets.mnist` uses (arrays `x_train`,
    `y_train`, `x_test`, `y_test`, uint8 images of 28x28 in the original
    order). The file is found, in order, at `path` (the file or a folder
    holding `mnist.npz`), in the folder named by the environment variable
    `KGEN_DATA_DIR`, or in the Keras cache, where it is downloaded once from
    `https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz`
    and checked against Keras' SHA-256. Offline and not found, the error
    says where it looked and how to provide the file.

    Pixels are divided by 255. Binarised MNIST comes in two conventions in
    the literature: a fixed threshold (`binarize="threshold"`: pixel > 0.5)
    or one Bernoulli draw per pixel with the grey level as probability
    (`binarize="stochastic"`, as in Salakhutdinov & Murray 2008; reproducible
    with `seed`, drawn with NumPy for the training images first, then the
    test images, before any validation split, so the same seed gives the
    same images whatever `validation_size`).

    Reference: Y. LeCun, C. Cortes and C. Burges, the MNIST database
    (commonly distributed under CC BY-SA 3.0).

    Args:
        path: `None`, the `mnist.npz` file, or a folder holding it.
        binarize: `None` for grey levels in [0, 1], `"threshold"` or
            `"stochastic"` for 0/1 pixels.
        seed: seed of the stochastic binarisation (`None`: fresh draws).
        flatten: `True` for images of shape `(784,)`, `False` for
            `(28, 28, 1)`.
        validation_size: number of images taken from the end of the
            training set as a validation set (an int), or a fraction of it
            (a float in [0, 1)); `0` for no validation set.

    Returns:
        `((x_train, y_train), (x_test, y_test))`, or with a validation set
        `((x_train, y_train), (x_val, y_val), (x_test, y_test))`: float32
        images and int64 labels 0-9.

    Raises:
        FileNotFoundError: the file is missing and cannot be downloaded.
        ValueError: an unknown `binarize`, a bad `validation_size`, or a
            corrupt, truncated or wrong file (its checksum, when downloaded).

    Example:

    ```python
    (x, y), (x_test, y_test) = kgen.datasets.load_mnist(
        "../shared/data", binarize="stochastic", seed=0
    )
    x.shape  # (60000, 784)
    ```
    """
    check_choice(binarize, "binarize", _BINARIZATIONS)
    file = _files.resolve(path, MNIST)
    arrays = _read(file)
    rng = np.random.default_rng(seed)
    shape = (-1, 784) if flatten else (-1, 28, 28, 1)
    splits = []
    for split in ("train", "test"):
        images = arrays[f"x_{split}"].astype("float32") / 255.0
        images = _binarize(images, binarize, rng).reshape(shape)
        splits.append((images, arrays[f"y_{split}"].astype("int64")))
    train, test = splits
    count = _validation_count(validation_size, len(train[0]))
    if not count:
        return train, test
    cut = len(train[0]) - count
    return (
        (train[0][:cut], train[1][:cut]),
        (train[0][cut:], train[1][cut:]),
        test,
    )
