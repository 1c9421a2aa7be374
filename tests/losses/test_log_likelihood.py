import numpy as np
from keras import ops
from scipy import stats
from scipy.special import expit

from kgen.losses import bernoulli_log_likelihood
from kgen.losses import gaussian_log_likelihood


def test_bernoulli_matches_scipy_on_binary_data(rng):
    x = (rng.random((4, 6)) < 0.5).astype("float32")
    logits = rng.normal(scale=3.0, size=(4, 6)).astype("float32")
    expected = stats.bernoulli.logpmf(x, expit(logits)).sum(axis=1)
    got = ops.convert_to_numpy(bernoulli_log_likelihood(x, logits))
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_bernoulli_is_minus_binary_cross_entropy_on_unit_data(rng):
    x = rng.random((3, 2, 2)).astype("float32")
    logits = rng.normal(size=(3, 2, 2)).astype("float32")
    p = expit(logits)
    expected = np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=(1, 2))
    got = ops.convert_to_numpy(bernoulli_log_likelihood(x, logits))
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_bernoulli_is_finite_for_extreme_logits():
    x = np.array([[1.0, 0.0]], "float32")
    logits = np.array([[200.0, -200.0]], "float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(bernoulli_log_likelihood(x, logits)),
        [0.0],
        atol=1e-6,
    )


def test_gaussian_matches_scipy(rng):
    x = rng.normal(size=(5, 3)).astype("float32")
    mean = rng.normal(size=(5, 3)).astype("float32")
    log_var = rng.normal(size=(5, 3)).astype("float32")
    expected = stats.norm.logpdf(x, mean, np.exp(0.5 * log_var)).sum(axis=1)
    got = ops.convert_to_numpy(gaussian_log_likelihood(x, mean, log_var))
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_gaussian_broadcasts_scalar_mean_and_log_var(rng):
    x = rng.normal(size=(4, 2)).astype("float32")
    expected = stats.norm.logpdf(x, 0.0, np.exp(0.5 * np.log(0.3))).sum(axis=1)
    got = ops.convert_to_numpy(gaussian_log_likelihood(x, 0.0, np.log(0.3)))
    np.testing.assert_allclose(got, expected, rtol=1e-5)
