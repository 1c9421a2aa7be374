"""Sample-quality metrics against NumPy/SciPy references and known cases."""

import warnings

import numpy as np
import pytest

import kgen


def eigh_frechet(a, b):
    """Reference: the trace of the square root through eigendecompositions."""
    mean = np.sum((a.mean(0) - b.mean(0)) ** 2)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    values, vectors = np.linalg.eigh(cov_a)
    root_a = vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T
    inner = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    return (
        mean
        + np.trace(cov_a)
        + np.trace(cov_b)
        - 2 * np.sum(np.sqrt(np.clip(inner, 0, None)))
    )


def test_frechet_distance_matches_reference(rng):
    a = rng.normal(size=(300, 4))
    b = rng.normal(size=(200, 4)) @ rng.normal(size=(4, 4)) + 0.5
    np.testing.assert_allclose(
        kgen.metrics.frechet_distance(a, b), eigh_frechet(a, b), rtol=1e-6
    )
    assert kgen.metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_of_known_gaussians(rng):
    """N(0, I) vs N(m, 4I) in d dims: |m|^2 + d (1 - 2)^2."""
    a = rng.normal(size=(20000, 3))
    b = 2.0 * rng.normal(size=(20000, 3)) + np.array([1.0, 0.0, -1.0])
    assert kgen.metrics.frechet_distance(a, b) == pytest.approx(
        2.0 + 3.0, rel=0.03
    )


def test_frechet_distance_of_singular_covariances_raises_no_warning(rng):
    """Rank-deficient features (a repeated column): exact, and no scipy
    'Matrix is singular' warning."""
    a = rng.normal(size=(200, 3))
    b = rng.normal(size=(200, 3)) + 0.3
    a, b = np.c_[a, a[:, :1]], np.c_[b, b[:, :1]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        distance = kgen.metrics.frechet_distance(a, b)
    np.testing.assert_allclose(distance, eigh_frechet(a, b), rtol=1e-6)


def test_frechet_distance_warns_on_fewer_samples_than_features(rng):
    with pytest.warns(UserWarning, match="5 samples of 8 features"):
        kgen.metrics.frechet_distance(
            rng.normal(size=(100, 8)), rng.normal(size=(5, 8))
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kgen.metrics.frechet_distance(
            rng.normal(size=(9, 8)), rng.normal(size=(9, 8))
        )


def brute_force_mmd2(x, y):
    def k(a, b):
        return (a @ b / x.shape[1] + 1) ** 3

    m = len(x)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (
        m * (m - 1)
    )
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (
        m * (m - 1)
    )
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    return xx + yy - 2 * xy


def test_kernel_distance_matches_brute_force(rng):
    x, y = rng.normal(size=(12, 3)), rng.normal(1.0, 1.0, size=(12, 3))
    with pytest.warns(UserWarning, match="cannot estimate a standard error"):
        mean, error = kgen.metrics.kernel_distance(
            x, y, num_subsets=1, subset_size=12
        )
    assert mean == pytest.approx(brute_force_mmd2(x, y), rel=1e-6)
    assert np.isnan(error)


def test_kernel_distance_on_whole_sets_has_no_standard_error(rng):
    """Subsets as large as both sets are the same set each time: the spread
    of the estimates is rounding noise (about 1e-16), not a standard error."""
    x, y = rng.normal(size=(30, 3)), rng.normal(size=(30, 3))
    with pytest.warns(UserWarning, match="whole sets are the same subset"):
        mean, error = kgen.metrics.kernel_distance(x, y, 10, subset_size=50)
    assert mean == pytest.approx(brute_force_mmd2(x, y), rel=1e-6)
    assert np.isnan(error)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, error = kgen.metrics.kernel_distance(x, y, 10, subset_size=20)
    assert error > 1e-6


@pytest.mark.filterwarnings("ignore:kernel_distance cannot estimate")
def test_kernel_distance_is_unbiased_on_known_data(rng):
    same = [
        kgen.metrics.kernel_distance(
            rng.normal(size=(50, 4)), rng.normal(size=(50, 4)), num_subsets=1
        )[0]
        for _ in range(300)
    ]
    assert abs(np.mean(same)) < 3 * np.std(same) / np.sqrt(len(same))
    assert min(same) < 0 < max(same)
    mean, error = kgen.metrics.kernel_distance(
        rng.normal(size=(400, 4)), rng.normal(0.5, 1, size=(400, 4)), 20, 100
    )
    assert mean > 10 * error > 0


def test_classifier_score_known_cases():
    one_hot = np.eye(5)[np.arange(100) % 5]
    assert kgen.metrics.classifier_score(one_hot, num_splits=4)[
        0
    ] == pytest.approx(5.0, rel=1e-6)
    constant = np.tile([0.7, 0.2, 0.1], (40, 1))
    assert kgen.metrics.classifier_score(
        constant, num_splits=2
    ) == pytest.approx((1.0, 0.0))


def test_precision_recall(rng):
    x = rng.normal(size=(200, 5))
    assert kgen.metrics.precision_recall(x, x.copy()) == (1.0, 1.0)
    far = x + 100.0
    assert kgen.metrics.precision_recall(x, far) == (0.0, 0.0)
    collapsed = np.repeat(x[:1], 200, axis=0)
    precision, recall = kgen.metrics.precision_recall(x, collapsed + 1e-3)
    assert precision == 1.0 and recall < 0.1


def test_class_coverage():
    stats = kgen.metrics.class_coverage(np.array([0, 0, 1, -1]), 4)
    assert stats["coverage"] == 0.5 and stats["counts"] == [2, 1, 0, 0]
    assert stats["assigned_fraction"] == 0.75
    assert stats["kl_to_uniform"] == pytest.approx(
        (2 / 3) * np.log(8 / 3) + (1 / 3) * np.log(4 / 3)
    )
    assert (
        kgen.metrics.class_coverage(np.arange(8) % 4, 4)["kl_to_uniform"] == 0.0
    )


def test_bad_metric_inputs(rng):
    with pytest.raises(
        ValueError, match="must have the same size. Received 3 and 4 features"
    ):
        kgen.metrics.frechet_distance(
            rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
        )
    with pytest.raises(
        ValueError, match=r"shape \(num_samples, num_features\)"
    ):
        kgen.metrics.precision_recall(
            rng.normal(size=(5, 3, 1)), rng.normal(size=(5, 3, 1))
        )
    with pytest.raises(ValueError, match=r"`labels` must lie in \[-1, 3\)"):
        kgen.metrics.class_coverage(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match=r"must lie in \[0.0, 1.0\]"):
        kgen.metrics.classifier_score(np.full((10, 2), 2.0))
