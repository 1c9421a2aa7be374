"""The embedded default data: scikit-learn's 8x8 handwritten digits."""

from sklearn.datasets import load_digits as _sklearn_digits
from sklearn.model_selection import train_test_split

from kgen.utils.validation import check_choice

_SCALES = ("unit", "binary", "raw")


def load_digits(scale="unit", test_size=0.25, random_state=0, flatten=True):
    """Loads scikit-learn's 1,797 8x8 digits, split into train and test.

    Works offline: the data ships with scikit-learn. The split is
    `train_test_split(test_size=test_size, random_state=random_state)`, the
    convention of kgen's benchmarks.

    Args:
        scale: `"unit"` for pixels / 16 in [0, 1], `"binary"` for
            pixels / 16 > 0.5 as 0/1, `"raw"` for the original 0..16 values.
        test_size: fraction (or count) of samples held out, or `0` / `None`
            to return all data as the training set and an empty test set.
        random_state: seed of the split.
        flatten: `True` for samples of shape `(64,)`, `False` for images of
            shape `(8, 8, 1)`.

    Returns:
        `((x_train, y_train), (x_test, y_test))`, float32 images and int64
        labels 0-9.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = kgen.datasets.load_digits("binary")
    x_train.shape  # (1347, 64)
    ```
    """
    check_choice(scale, "scale", _SCALES)
    digits = _sklearn_digits()
    x = digits.data.astype("float32")
    if scale == "unit":
        x = x / 16.0
    elif scale == "binary":
        x = (x / 16.0 > 0.5).astype("float32")
    if not flatten:
        x = x.reshape(-1, 8, 8, 1)
    y = digits.target.astype("int64")
    if not test_size:
        return (x, y), (x[:0], y[:0])
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, random_state=random_state
    )
    return (x_train, y_train), (x_test, y_test)
