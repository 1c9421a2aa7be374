"""Input checks whose errors say what was received, what was expected and how
to fix it."""

import keras
import numpy as np
from keras import ops


def is_array(x):
    """True for a NumPy array or a backend tensor (not a dataset)."""
    return isinstance(x, np.ndarray) or ops.is_tensor(x)


def check_integer(value, name, minimum=1):
    """Returns `value` as an int after checking that it is an integer >= minimum.

    Raises:
        ValueError: naming `name`, the value received and the bound.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(
            f"`{name}` must be an integer >= {minimum}. "
            f"Received: {name}={value!r} of type {type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(
            f"`{name}` must be an integer >= {minimum}. Received: {name}={value}."
        )
    return int(value)


def check_array(
    x,
    name="x",
    *,
    feature_shape=None,
    low=None,
    high=None,
    range_hint="",
):
    """Checks an array of samples and returns it as a NumPy array.

    Args:
        x: array-like of shape `(num_samples, *feature_shape)`.
        name: the argument's name, used in error messages.
        feature_shape: expected shape of one sample (`None` entries match any
            size), or `None` to accept any shape.
        low: inclusive lower bound on the values, or `None`.
        high: inclusive upper bound on the values, or `None`.
        range_hint: how to bring out-of-range data into range; appended to the
            error message.

    Raises:
        ValueError: for empty data, NaN or infinite values, a wrong sample
            shape or values outside `[low, high]`.
    """
    array = np.asarray(x)
    if array.ndim == 0 or array.shape[0] == 0 or array.size == 0:
        raise ValueError(
            f"`{name}` is empty: received an array of shape {array.shape}. "
            "Pass at least one sample, with samples along the first axis."
        )
    if not np.issubdtype(array.dtype, np.number) and array.dtype != bool:
        raise ValueError(
            f"`{name}` must hold numbers. Received dtype {array.dtype}."
        )
    if feature_shape is not None:
        expected = tuple(feature_shape)
        received = array.shape[1:]
        matches = len(received) == len(expected) and all(
            e is None or e == r for e, r in zip(expected, received)
        )
        if not matches:
            raise ValueError(
                f"`{name}` must have samples of shape {expected}, i.e. shape "
                f"(num_samples, {', '.join(map(str, expected))}). Received "
                f"shape {array.shape}. Reshape the data or build a model for "
                "this shape."
            )
    array = array.astype("float32", copy=False)
    bad = ~np.isfinite(array)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"`{name}` contains {int(bad.sum())} NaN or infinite values (the "
            f"first at index {first}: {array[first]}). Remove or impute them "
            "before training."
        )
    low_bad = low is not None and array.min() < low
    high_bad = high is not None and array.max() > high
    if low_bad or high_bad:
        raise ValueError(
            f"`{name}` must lie in [{low}, {high}]. Received values in "
            f"[{array.min():g}, {array.max():g}]. {range_hint}".rstrip()
        )
    return array


def seed_generator(seed, default=None):
    """Turns a `seed` argument into a `keras.random.SeedGenerator`.

    Args:
        seed: `None`, an int >= 0 (a fresh, reproducible stream) or a
            `keras.random.SeedGenerator` (returned as is).
        default: the generator returned for `seed=None`, typically the
            model's or layer's own stream (which then advances).

    Returns:
        A `keras.random.SeedGenerator`.
    """
    if seed is None:
        return default if default is not None else keras.random.SeedGenerator()
    if isinstance(seed, keras.random.SeedGenerator):
        return seed
    return keras.random.SeedGenerator(check_integer(seed, "seed", minimum=0))
