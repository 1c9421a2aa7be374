"""Offline sample-quality metrics over feature arrays (NumPy, SciPy, sklearn).

Every function takes features (or class probabilities) already computed by a
feature extractor, e.g. `kgen.metrics.FeatureExtractor`, so any network can
supply them: a small classifier trained on the user's data, or Inception.
"""

import warnings

import numpy as np
import scipy.linalg
from sklearn.metrics import pairwise_distances_chunked
from sklearn.neighbors import NearestNeighbors

from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer


def frechet_distance(real_features, fake_features):
    """Fréchet distance between Gaussians fitted to two feature sets.

    `||mu_r - mu_f||^2 + tr(S_r + S_f - 2 (S_r S_f)^(1/2))`, the FID when
    the features come from Inception's pool layer, an FCD-style "Fréchet
    classifier distance" with a domain classifier. The trace of the matrix
    square root is computed from the eigenvalues of the symmetric positive
    semi-definite `S_r^(1/2) S_f S_r^(1/2)` (which has the same eigenvalues
    as `S_r S_f`), so singular covariances need no regularisation and raise
    no warning.

    The estimate is biased upwards on small samples: with no more samples
    than feature dimensions in either set (`num_samples <= num_features`)
    a covariance is singular and the distance is dominated by this bias, so
    the function warns. Use many more samples than features (FID uses
    10,000 or more for 2,048 features) and compare distances only at equal
    sample sizes.

    Reference: Heusel et al., "GANs Trained by a Two Time-Scale Update Rule
    Converge to a Local Nash Equilibrium", NeurIPS 2017.

    Args:
        real_features: array `(num_real, num_features)`.
        fake_features: array `(num_fake, num_features)`.

    Returns:
        Float >= 0.

    Warns:
        UserWarning: if a set has no more samples than features.

    Example:

    ```python
    fd = kgen.metrics.frechet_distance(extractor.features(x), extractor.features(samples))
    ```
    """
    real, fake = _check_pair(real_features, fake_features, minimum=2)
    fewest, dim = min(len(real), len(fake)), real.shape[1]
    if fewest <= dim:
        warnings.warn(
            f"frechet_distance on {fewest} samples of {dim} features: with "
            "no more samples than features the covariance is singular and "
            "the distance is strongly biased upwards. Use many more samples "
            "than features, or fewer features.",
            stacklevel=2,
        )
    mean_real, mean_fake = real.mean(0), fake.mean(0)
    cov_real = np.atleast_2d(np.cov(real, rowvar=False))
    cov_fake = np.atleast_2d(np.cov(fake, rowvar=False))
    distance = np.sum((mean_real - mean_fake) ** 2) + np.trace(
        cov_real + cov_fake
    )
    return float(max(distance - 2 * _trace_sqrt_product(cov_real, cov_fake), 0))


def _trace_sqrt_product(a, b):
    """`tr((a b)^(1/2))` for symmetric positive semi-definite `a` and `b`."""
    values, vectors = scipy.linalg.eigh(a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = scipy.linalg.eigvalsh(root_a @ b @ root_a)
    return float(np.sum(np.sqrt(np.clip(middle, 0, None))))


def kernel_distance(
    real_features, fake_features, num_subsets=100, subset_size=1000, seed=0
):
    """Kernel (inception) distance with its standard error.

    The unbiased estimate of the squared maximum mean discrepancy with the
    cubic polynomial kernel `k(x, y) = (x.y / d + 1)^3`, averaged over
    `num_subsets` random subsets of `subset_size` samples of each set. Unlike
    the Fréchet distance it is unbiased, so it can be negative when the two
    sets come from the same distribution, and it compares fairly across
    sample sizes.

    Reference: Bińkowski et al., "Demystifying MMD GANs", ICLR 2018.

    Args:
        real_features: array `(num_real, num_features)`.
        fake_features: array `(num_fake, num_features)`.
        num_subsets: int >= 1, number of random subsets.
        subset_size: int >= 2, samples per subset (capped at the smaller
            set's size).
        seed: seed of the subset draws.

    Returns:
        `(mean, standard_error)`: the average estimate over subsets and the
        standard deviation of the subset estimates divided by
        `sqrt(num_subsets)`. The standard error is NaN (with a warning)
        when it cannot be estimated: one subset, or subsets that are the
        whole of both sets (`subset_size` at least the size of each), which
        are then all the same estimate.

    Example:

    ```python
    kid, kid_se = kgen.metrics.kernel_distance(real_features, fake_features)
    ```
    """
    real, fake = _check_pair(real_features, fake_features, minimum=2)
    num_subsets = check_integer(num_subsets, "num_subsets")
    size = min(
        check_integer(subset_size, "subset_size", minimum=2),
        len(real),
        len(fake),
    )
    if num_subsets == 1 or size == len(real) == len(fake):
        warnings.warn(
            f"kernel_distance cannot estimate a standard error from "
            f"{num_subsets} subset(s) of {size} samples of sets of "
            f"{len(real)} and {len(fake)} samples (whole sets are the same "
            "subset every time); it returns NaN. Pass more samples than "
            "`subset_size`, or several subsets.",
            stacklevel=2,
        )
        estimate = _subset_estimates(real, fake, size, 1, seed)[0]
        return float(estimate), float("nan")
    estimates = _subset_estimates(real, fake, size, num_subsets, seed)
    return float(estimates.mean()), float(
        estimates.std() / np.sqrt(num_subsets)
    )


def _subset_estimates(real, fake, size, num_subsets, seed):
    """Unbiased MMD^2 on `num_subsets` random subsets of `size` samples."""
    rng = np.random.default_rng(seed)
    return np.array(
        [
            _unbiased_mmd2(
                real[rng.choice(len(real), size, replace=False)],
                fake[rng.choice(len(fake), size, replace=False)],
            )
            for _ in range(num_subsets)
        ]
    )


def _unbiased_mmd2(x, y):
    dim = x.shape[1]
    k_xx = (x @ x.T / dim + 1) ** 3
    k_yy = (y @ y.T / dim + 1) ** 3
    k_xy = (x @ y.T / dim + 1) ** 3
    m = len(x)
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (
        m * (m - 1)
    )
    return within - 2 * k_xy.mean()


def classifier_score(probabilities, num_splits=10):
    """Inception-style score `exp(E_x KL(p(y|x) || p(y)))` of class predictions.

    High when each sample is classified confidently and the classes are
    balanced: at most the number of classes, 1 for constant predictions.
    With Inception's ImageNet probabilities this is the Inception Score;
    with a domain classifier (e.g. on digits) it is the "classifier score" of
    TF-GAN.

    Reference: Salimans et al., "Improved Techniques for Training GANs",
    NeurIPS 2016.

    Args:
        probabilities: array `(num_samples, num_classes)` of class
            probabilities of generated samples.
        num_splits: int >= 1, the samples are scored in this many splits.

    Returns:
        `(mean, std)` over the splits.

    Example:

    ```python
    score, spread = kgen.metrics.classifier_score(extractor.probabilities(samples))
    ```
    """
    probabilities = check_array(
        probabilities, "probabilities", low=0.0, high=1.0
    ).astype("float64")
    num_splits = check_integer(num_splits, "num_splits")
    if probabilities.ndim != 2 or len(probabilities) < num_splits:
        raise ValueError(
            "`probabilities` must have shape (num_samples, num_classes) with "
            f"at least num_splits={num_splits} samples. Received shape "
            f"{probabilities.shape}."
        )
    scores = []
    for part in np.array_split(probabilities, num_splits):
        marginal = part.mean(0, keepdims=True)
        kl = np.sum(
            part * (np.log(part + 1e-12) - np.log(marginal + 1e-12)), axis=1
        )
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall of generated samples (k-NN manifolds).

    Each set's manifold is the union of balls around its points, each ball's
    radius the distance to the point's `k`-th nearest neighbour in the same
    set. Precision is the fraction of generated samples inside the real
    manifold (fidelity), recall the fraction of real samples inside the
    generated manifold (diversity; mode collapse lowers it).

    Reference: Kynkäänniemi et al., "Improved Precision and Recall Metric
    for Assessing Generative Models", NeurIPS 2019.

    Args:
        real_features: array `(num_real, num_features)`.
        fake_features: array `(num_fake, num_features)`.
        k: int >= 1, neighbourhood size.

    Returns:
        `(precision, recall)`, floats in [0, 1].

    Example:

    ```python
    precision, recall = kgen.metrics.precision_recall(real_features, fake_features)
    ```
    """
    k = check_integer(k, "k")
    real, fake = _check_pair(real_features, fake_features, minimum=k + 1)
    return _coverage(real, fake, k), _coverage(fake, real, k)


def _coverage(reference, queries, k):
    """Fraction of `queries` inside the k-NN balls of `reference`."""
    radii = (
        NearestNeighbors(n_neighbors=k + 1)
        .fit(reference)
        .kneighbors(reference)[0][:, -1]
    )
    inside = [
        np.any(chunk <= radii, axis=1)
        for chunk in pairwise_distances_chunked(queries, reference)
    ]
    return float(np.mean(np.concatenate(inside)))


def class_coverage(labels, num_classes):
    """How evenly generated samples spread over the classes (or modes).

    Args:
        labels: integer array `(num_samples,)`: the class (or mode) assigned to
            each generated sample, e.g. by a classifier; `-1` marks samples
            assigned to none (e.g. off every mode).
        num_classes: int >= 1, number of classes.

    Returns:
        Dict with `coverage` (fraction of classes hit at least once),
        `counts` (samples per class), `assigned_fraction` (samples not
        marked -1), `kl_to_uniform` (KL divergence of the class histogram to
        the uniform distribution, 0 when balanced) and `num_covered`.

    Example:

    ```python
    stats = kgen.metrics.class_coverage(extractor.predict_classes(samples), 10)
    ```
    """
    num_classes = check_integer(num_classes, "num_classes")
    labels = np.asarray(labels)
    if (
        labels.ndim != 1
        or not np.issubdtype(labels.dtype, np.integer)
        or labels.size == 0
    ):
        raise ValueError(
            "`labels` must be a non-empty 1-D array of integer class ids. "
            f"Received shape {labels.shape}, dtype {labels.dtype}."
        )
    if labels.min() < -1 or labels.max() >= num_classes:
        raise ValueError(
            f"`labels` must lie in [-1, {num_classes}) (-1: no class). "
            f"Received values in [{labels.min()}, {labels.max()}]."
        )
    counts = np.bincount(labels[labels >= 0], minlength=num_classes)
    frequencies = counts / max(counts.sum(), 1)
    nonzero = frequencies > 0
    return {
        "coverage": float(np.mean(counts > 0)),
        "num_covered": int(np.sum(counts > 0)),
        "counts": counts.tolist(),
        "assigned_fraction": float(np.mean(labels >= 0)),
        "kl_to_uniform": float(
            np.sum(
                frequencies[nonzero]
                * np.log(frequencies[nonzero] * num_classes)
            )
        ),
    }


def _check_pair(real, fake, minimum):
    real = check_array(real, "real_features").astype("float64")
    fake = check_array(fake, "fake_features").astype("float64")
    for name, array in (("real_features", real), ("fake_features", fake)):
        if array.ndim != 2 or len(array) < minimum:
            raise ValueError(
                f"`{name}` must have shape (num_samples, num_features) with "
                f"at least {minimum} samples. Received shape {array.shape}. "
                "Flatten the features or pass more samples."
            )
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"Real and generated features must have the same size. Received "
            f"{real.shape[1]} and {fake.shape[1]} features: use the same "
            "feature extractor for both."
        )
    return real, fake
