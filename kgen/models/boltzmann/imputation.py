"""Shared argument handling of the Boltzmann models' `impute` methods."""

import numpy as np
from keras import ops

IMPUTATION_METHODS = ("gibbs", "mean_field")


def check_imputation(x, observed, check_data):
    """`x` (zeros where unobserved, checked) and `observed` as float32 arrays.

    Args:
        x: data; values at unobserved positions are ignored (they may be
            NaN).
        observed: 0/1 or boolean array shaped like `x`.
        check_data: the model's data check, `check_data(x) -> array`.

    Returns:
        `(x, observed)`, NumPy float32 arrays of the same shape.
    """
    observed = np.asarray(observed)
    if np.shape(x) != observed.shape:
        raise ValueError(
            f"`observed` must have the shape of `x`, {np.shape(x)}. Received "
            f"shape {observed.shape}."
        )
    if not np.all((observed == 0) | (observed == 1)):
        raise ValueError(
            "`observed` must be a 0/1 or boolean mask (1 where `x` is "
            "observed and kept)."
        )
    observed = observed.astype("float32")
    x = check_data(np.where(observed > 0, x, 0.0)).astype("float32")
    return x, observed


def running_mean_weight(step, steps):
    """Weight of step `step` in the average over the second half of `steps`."""
    half = steps // 2
    return ops.cast(step >= half, "float32") / float(steps - half)
