"""Input checks whose errors say what was received, what was expected and how
to fix it."""

import keras
import numpy as np
from keras import ops


def is_array(x):
    """True for a NumPy array or a backend tensor (not a dataset)."""
    return isinstance(x, np.ndarray) or ops.is_tensor(x)


def check_integer(value, name, minimum=1, maximum=None):
    """Returns `value` as an int after checking that it is an integer in
    `[minimum, maximum]`.

    Booleans are refused (`True` is not a count), and so are floats, even
    whole ones: pass `int(value)` when a float is meant.

    Args:
        value: the argument.
        name: its name, used in error messages.
        minimum: inclusive lower bound.
        maximum: inclusive upper bound, or `None`.

    Raises:
        ValueError: naming `name`, the value received and the bounds.
    """
    expected = f"an integer >= {minimum}" + (
        "" if maximum is None else f" and <= {maximum}"
    )
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(
            f"`{name}` must be {expected}. "
            f"Received: {name}={value!r} of type {type(value).__name__}."
        )
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(
            f"`{name}` must be {expected}. Received: {name}={value}."
        )
    return int(value)


def check_number(
    value,
    name,
    *,
    low=None,
    high=None,
    low_open=False,
    high_open=False,
    hint="",
):
    """Returns `value` as a float after checking that it is a finite number
    in range.

    Booleans are refused (`beta=True` is a mistake, not 1.0), and so are
    strings, `None`, NaN and infinities. Python and NumPy scalars are
    accepted.

    Args:
        value: the argument.
        name: its name, used in error messages.
        low: lower bound, or `None`.
        high: upper bound, or `None`.
        low_open: whether `low` itself is excluded.
        high_open: whether `high` itself is excluded.
        hint: what the number means or how to choose it; appended to the
            error message.

    Returns:
        `float(value)`.

    Raises:
        ValueError: naming `name`, the value received and the range.

    Example:

    ```python
    beta = check_number(beta, "beta", low=0, low_open=True)
    ```
    """
    expected = "a number" + _interval(low, high, low_open, high_open)
    number = isinstance(value, (int, float, np.integer, np.floating))
    if isinstance(value, (bool, np.bool_)) or not number:
        received = f"{value!r} of type {type(value).__name__}"
    elif not np.isfinite(value) or not _inside(
        value, low, high, low_open, high_open
    ):
        received = repr(value)
    else:
        return float(value)
    raise ValueError(
        f"`{name}` must be {expected}. Received: {name}={received}."
        + (f" {hint}" if hint else "")
    )


def _interval(low, high, low_open, high_open):
    if low is not None and high is not None:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        return f" in {left}{low:g}, {high:g}{right}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high:g}"
    return ""


def _inside(value, low, high, low_open, high_open):
    above = low is None or (value > low if low_open else value >= low)
    below = high is None or (value < high if high_open else value <= high)
    return above and below


def check_bool(value, name):
    """Returns `value` as a bool after checking that it is `True` or `False`.

    NumPy booleans are accepted; `1`, `"false"` or `None` are refused (a
    string is truthy whatever it says).

    Args:
        value: the argument.
        name: its name, used in error messages.

    Raises:
        ValueError: naming `name` and the value received.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(
            f"`{name}` must be True or False. Received: {name}={value!r} of "
            f"type {type(value).__name__}."
        )
    return bool(value)


def check_choice(value, name, choices, qualifier=""):
    """Returns `value` after checking that it is one of `choices`.

    Args:
        value: the argument.
        name: its name, used in error messages.
        choices: the accepted values, shown in the error message.
        qualifier: text after the choices in the message, e.g.
            `" or a 0/1 array"` when another kind of value is accepted too.

    Raises:
        ValueError: naming `name`, the value received and the choices.
    """
    if value not in choices:
        raise ValueError(
            f"`{name}` must be one of {choices}{qualifier}. "
            f"Received: {name}={value!r}."
        )
    return value


def check_labels(labels, num_classes, name="labels", *, num_samples=None):
    """Checks integer class labels and returns them as an int32 NumPy array.

    Accepts integer arrays, whole-valued float arrays (as Keras' own label
    arrays often are), column vectors `(n, 1)` and, when `num_samples` is
    given, a single class id broadcast to every sample.

    Args:
        labels: array-like of class ids in `[0, num_classes)`.
        num_classes: int, the number of classes.
        name: the argument's name, used in error messages.
        num_samples: the number of labels expected, or `None` for any.

    Returns:
        NumPy int32 array of shape `(num_samples,)`.

    Raises:
        ValueError: for `None`, one-hot or other non-1-D labels, a wrong
            count, non-integer values or ids outside `[0, num_classes)`.
    """
    expected = f"integer class ids in [0, {num_classes - 1}]"
    if labels is None:
        raise ValueError(
            f"`{name}` is required: {expected}, one per sample "
            f"(num_classes={num_classes})."
        )
    array = np.asarray(labels)
    if array.ndim == 0 and num_samples is not None:
        array = np.full((num_samples,), array)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    count = "num_samples" if num_samples is None else num_samples
    if array.ndim != 1 or (
        num_samples is not None and array.shape[0] != num_samples
    ):
        hint = (
            " One-hot labels? Pass `np.argmax(labels, axis=-1)`."
            if array.ndim == 2
            else ""
        )
        raise ValueError(
            f"`{name}` must be {expected} of shape ({count},), one per "
            f"sample. Received shape {array.shape}.{hint}"
        )
    numeric = np.issubdtype(array.dtype, np.integer) or (
        np.issubdtype(array.dtype, np.floating)
        and bool(np.all(array == np.round(array)))
    )
    if not numeric or (
        array.size and (array.min() < 0 or array.max() >= num_classes)
    ):
        shown = (
            f"values in [{array.min()}, {array.max()}]"
            if array.size and np.issubdtype(array.dtype, np.number)
            else f"dtype {array.dtype}"
        )
        raise ValueError(
            f"`{name}` must be {expected} (num_classes={num_classes}). "
            f"Received {shown}."
        )
    return array.astype("int32")


def one_hot(labels, num_classes, dtype=None):
    """One-hot codes of integer labels, as a backend tensor.

    Works on NumPy arrays and on tensors inside a compiled step (labels
    of any integer or whole-valued float dtype, shape `(batch,)` or
    `(batch, 1)`).

    Args:
        labels: class ids in `[0, num_classes)`.
        num_classes: int, the number of classes.
        dtype: dtype of the codes; default: Keras' float type.

    Returns:
        Tensor of shape `(batch, num_classes)`.
    """
    labels = ops.reshape(ops.convert_to_tensor(labels), (-1,))
    return ops.one_hot(
        ops.cast(labels, "int32"),
        num_classes,
        dtype=dtype or keras.config.floatx(),
    )


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


def offset_seed(seed, index):
    """`seed + index`: the seed of a model's `index`-th part (e.g. a layer),
    or `None` for an unseeded model."""
    return None if seed is None else seed + index


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
