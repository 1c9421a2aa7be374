"""Quantised ab colours for colourisation as classification (Zhang et al.)."""

import functools

import numpy as np
from keras import ops

from kgen.applications.colourisation.lab import rgb_to_lab


def ab_bins(ab=None, grid_size=10.0, min_count=1):
    """Centres of the quantised ab colours a classifier chooses among.

    The ab plane is cut into squares of side `grid_size` centred on the
    multiples of `grid_size` (so grey, `ab = 0`, is the centre of a bin).
    Without data, the bins are those the sRGB gamut reaches at some
    lightness (every colour of a 64-level RGB cube converted to Lab): 261
    bins for the paper's grid of 10 (Zhang et al. count 313 "in-gamut"
    bins with their own gamut test), 76 for a grid of 20. With training colours `ab`, the bins are those holding at
    least `min_count` of them: a coarser, data-driven set.

    Reference: Zhang, Isola and Efros, "Colorful Image Colorization", ECCV
    2016, section 2.1.

    Args:
        ab: `None`, or array `(..., 2)` of training ab values (Lab units).
        grid_size: float > 0, side of a bin in ab units.
        min_count: int >= 1, pixels a bin needs to be kept (with `ab`).

    Returns:
        float32 array `(num_bins, 2)` of bin centres, sorted by a then b.

    Example:

    ```python
    centres = kgen.applications.colourisation.ab_bins()  # (261, 2)
    ```
    """
    if not grid_size > 0:
        raise ValueError(f"`grid_size` must be > 0. Received {grid_size!r}.")
    if ab is None:
        ab = _gamut_ab()
    cells = np.round(_check_ab(ab).reshape(-1, 2) / grid_size).astype(int)
    cells, counts = np.unique(cells, axis=0, return_counts=True)
    return (cells[counts >= min_count] * grid_size).astype("float32")


@functools.cache
def _gamut_ab():
    """ab of every colour of a 64-level RGB cube (computed once)."""
    levels = np.linspace(0.0, 1.0, 64)
    cube = np.stack(np.meshgrid(levels, levels, levels), axis=-1)
    return rgb_to_lab(cube.reshape(1, -1, 3))[..., 1:]


def nearest_bins(ab, centres):
    """Index of the bin centre nearest to each ab value (NumPy).

    Args:
        ab: array `(..., 2)` of ab values.
        centres: array `(num_bins, 2)` of bin centres.

    Returns:
        int array of shape `ab.shape[:-1]`.
    """
    from scipy.spatial import cKDTree

    ab = _check_ab(ab)
    _, index = cKDTree(np.asarray(centres, "float64")).query(ab.reshape(-1, 2))
    return index.reshape(ab.shape[:-1])


def bin_prior(ab, centres):
    """The empirical distribution of the nearest bins of `ab` values.

    Args:
        ab: array `(..., 2)` of training ab values.
        centres: array `(num_bins, 2)` of bin centres.

    Returns:
        float64 array `(num_bins,)` summing to 1.
    """
    counts = np.bincount(
        nearest_bins(ab, centres).ravel(), minlength=len(centres)
    )
    return counts / counts.sum()


def rebalancing_weights(prior, mix=0.5):
    """Class-rebalancing weights of Zhang et al. (2016), equation 4.

    `w ∝ ((1 - mix) p + mix / Q)^-1`, scaled so that `sum(p w) = 1`: rare
    (saturated) colours weigh more, so the classifier does not settle on
    the desaturated colours that dominate natural images.

    Args:
        prior: array `(Q,)`, the empirical distribution of the bins.
        mix: float in [0, 1], the weight `lambda` of the uniform
            distribution (0.5 in the paper; 1 gives equal weights).

    Returns:
        float32 array `(Q,)` of weights.
    """
    prior = np.asarray(prior, "float64")
    if prior.ndim != 1 or (prior < 0).any() or not np.isclose(prior.sum(), 1):
        raise ValueError(
            "`prior` must be a probability vector (num_bins,). Received "
            f"shape {prior.shape}, sum {prior.sum():g}."
        )
    if not 0.0 <= mix <= 1.0 or (mix == 0 and (prior == 0).any()):
        raise ValueError(
            "`mix` must be in [0, 1], and > 0 when some bin has prior 0. "
            f"Received mix={mix!r}."
        )
    weights = 1.0 / ((1.0 - mix) * prior + mix / len(prior))
    return (weights / np.sum(prior * weights)).astype("float32")


def soft_encode(ab, centres, neighbours=5, sigma=5.0):
    """Soft one-hot targets: a Gaussian over the nearest bins (keras.ops).

    Each ab value is spread over its `neighbours` nearest bin centres with
    weights `exp(-d^2 / (2 sigma^2))`, normalised to sum to 1 (Zhang et al.
    use 5 neighbours and sigma = 5).

    Args:
        ab: tensor `(..., 2)` of ab values (Lab units).
        centres: tensor `(num_bins, 2)`.
        neighbours: int >= 1, bins each value is spread over.
        sigma: float > 0, the Gaussian's width in ab units.

    Returns:
        tensor `(..., num_bins)` of distributions.
    """
    return soft_encoding(squared_distances(ab, centres), neighbours, sigma)


def soft_encoding(distances, neighbours=5, sigma=5.0):
    """`soft_encode` from squared distances `(..., num_bins)` to the bins."""
    kth = -ops.top_k(-distances, neighbours, sorted=True)[0][..., -1:]
    closest = ops.min(distances, axis=-1, keepdims=True)
    kernel = ops.where(
        distances <= kth, ops.exp(-(distances - closest) / (2 * sigma**2)), 0.0
    )
    return kernel / ops.sum(kernel, axis=-1, keepdims=True)


def squared_distances(ab, centres):
    """`|ab - centre|^2` for every bin, shape `(..., num_bins)` (keras.ops)."""
    centres = ops.cast(centres, ab.dtype)
    return (
        ops.sum(ab**2, axis=-1, keepdims=True)
        - 2.0 * ops.matmul(ab, ops.transpose(centres))
        + ops.sum(centres**2, axis=-1)
    )


def annealed_mean(probabilities, centres, temperature=0.38, logits=False):
    """Annealed-mean decoding of a distribution over ab bins (keras.ops).

    `f_T(z) = exp(log(z) / T) / sum_q exp(log(z_q) / T)` re-sharpens the
    predicted distribution `z` and the colour is its mean,
    `sum_q f_T(z)_q * centre_q`: `T = 1` gives the mean (desaturated),
    `T -> 0` the mode (vivid but patchy); the paper uses `T = 0.38`.

    Reference: Zhang, Isola and Efros, "Colorful Image Colorization", ECCV
    2016, equation 5.

    Args:
        probabilities: tensor `(..., num_bins)`, a distribution per pixel
            (or logits, with `logits=True`).
        centres: tensor `(num_bins, 2)` of bin centres.
        temperature: float > 0.
        logits: whether `probabilities` holds logits.

    Returns:
        tensor `(..., 2)` of ab values.
    """
    if not temperature > 0:
        raise ValueError(
            f"`temperature` must be > 0. Received {temperature!r}."
        )
    probabilities = ops.convert_to_tensor(probabilities, "float32")
    if logits:
        scores = probabilities
    else:
        scores = ops.log(ops.maximum(probabilities, 1e-12))
    annealed = ops.softmax(scores / temperature, axis=-1)
    return ops.matmul(annealed, ops.cast(centres, annealed.dtype))


def _check_ab(ab):
    ab = np.asarray(ab, "float64")
    if ab.ndim < 1 or ab.shape[-1] != 2 or ab.size == 0:
        raise ValueError(
            f"Expected ab values of shape (..., 2). Received {ab.shape}."
        )
    if not np.isfinite(ab).all():
        raise ValueError("The ab values hold NaN or infinite values.")
    return ab
