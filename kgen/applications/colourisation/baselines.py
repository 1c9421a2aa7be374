"""Colourisation baselines: grey, the mean colour, a lightness lookup."""

import numpy as np

from kgen.utils.validation import check_integer

BASELINES = ("grey", "mean_ab", "lightness_lookup")


def fit_baselines(train_lab, num_lightness_bins=20):
    """Fits the three baselines on training pixels in Lab.

    - `grey`: `ab = 0`, the grey image itself;
    - `mean_ab`: the mean ab of every training pixel, everywhere;
    - `lightness_lookup`: the mean ab of the training pixels whose
      lightness falls in the same of `num_lightness_bins` equal bins of
      [0, 100] (the global mean for an empty bin): the best colour that
      depends on a pixel's lightness alone, under squared error.

    Args:
        train_lab: array `(..., 3)` of training Lab pixels (e.g. images).
        num_lightness_bins: int >= 1.

    Returns:
        dict name -> function from lightness `(...)` (Lab units) to ab
        `(..., 2)`, in the order of `BASELINES`.

    Example:

    ```python
    baselines = kgen.applications.colourisation.fit_baselines(train_lab)
    ab = baselines["lightness_lookup"](test_lab[..., 0])
    ```
    """
    num_bins = check_integer(num_lightness_bins, "num_lightness_bins")
    pixels = np.asarray(train_lab, "float64").reshape(-1, 3)
    if not len(pixels) or not np.isfinite(pixels).all():
        raise ValueError(
            "`train_lab` must hold finite Lab pixels `(..., 3)`. Received "
            f"shape {np.shape(train_lab)}."
        )
    mean = pixels[:, 1:].mean(axis=0)
    index = lightness_bin(pixels[:, 0], num_bins)
    counts = np.bincount(index, minlength=num_bins)[:, None]
    sums = np.stack(
        [np.bincount(index, pixels[:, c], minlength=num_bins) for c in (1, 2)],
        axis=1,
    )
    table = np.where(counts > 0, sums / np.maximum(counts, 1), mean)

    def constant(value):
        return lambda lightness: np.broadcast_to(
            value, np.shape(lightness) + (2,)
        ).astype("float32")

    return {
        "grey": constant(np.zeros(2)),
        "mean_ab": constant(mean),
        "lightness_lookup": lambda lightness: table[
            lightness_bin(lightness, num_bins)
        ].astype("float32"),
    }


def lightness_bin(lightness, num_bins):
    """Index of the equal-width bin of [0, 100] holding each lightness."""
    index = np.floor(np.asarray(lightness) / 100.0 * num_bins).astype(int)
    return np.clip(index, 0, num_bins - 1)
