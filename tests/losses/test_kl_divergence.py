import keras
import numpy as np
import pytest
from keras import ops

from kgen.losses import gaussian_kl_divergence


def _numpy_kl(mean, log_var):
    # KL(N(m, s^2) || N(0, 1)) = log(1/s) + (s^2 + m^2) / 2 - 1/2, per axis.
    var = np.exp(log_var)
    return np.sum(-0.5 * log_var + 0.5 * (var + mean**2) - 0.5, axis=-1)


def test_matches_the_closed_form(rng):
    mean = rng.normal(size=(5, 3)).astype("float32")
    log_var = rng.normal(size=(5, 3)).astype("float32")
    kl = ops.convert_to_numpy(gaussian_kl_divergence(mean, log_var))
    np.testing.assert_allclose(kl, _numpy_kl(mean, log_var), rtol=1e-5)


def test_is_zero_at_the_prior_and_sums_image_axes(rng):
    zeros = np.zeros((2, 4, 4, 1), "float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(gaussian_kl_divergence(zeros, zeros)), [0.0, 0.0]
    )
    mean = rng.normal(size=(2, 4, 4, 1)).astype("float32")
    kl = ops.convert_to_numpy(gaussian_kl_divergence(mean, zeros))
    np.testing.assert_allclose(
        kl, 0.5 * np.sum(mean**2, axis=(1, 2, 3)), rtol=1e-5
    )


def test_matches_tensorflow_probability(rng):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("TFP is the reference on the TensorFlow backend")
    tfd = pytest.importorskip("tensorflow_probability").distributions
    mean = rng.normal(size=(6, 4)).astype("float32")
    log_var = rng.normal(size=(6, 4)).astype("float32")
    posterior = tfd.MultivariateNormalDiag(mean, np.exp(0.5 * log_var))
    prior = tfd.MultivariateNormalDiag(
        np.zeros(4, "float32"), np.ones(4, "float32")
    )
    expected = tfd.kl_divergence(posterior, prior).numpy()
    kl = ops.convert_to_numpy(gaussian_kl_divergence(mean, log_var))
    np.testing.assert_allclose(kl, expected, rtol=1e-5)
