"""Exact and AIS log Z, log-likelihood and pseudo-likelihood of RBMs."""

import itertools

import keras
import numpy as np
import pytest
from scipy import integrate
from scipy.special import logsumexp

import kgen


def layer_with_weights(layer, num_visible, rng, scale=1.0):
    layer.build((None, num_visible))
    for variable in layer.weights:
        if variable.name != "log_sigma":
            variable.assign(
                scale * rng.normal(size=variable.shape).astype("float32")
            )
    return layer


def binary(n):
    return np.array(list(itertools.product([0, 1], repeat=n)), "float64")


def energies(layer, v, h):
    """E(v, h) for every pair, by the layer, shape (len(v), len(h))."""
    rows = [
        keras.ops.convert_to_numpy(
            layer.energy(np.repeat(x[None], len(h), 0), h)
        )
        for x in v
    ]
    return np.array(rows, "float64")


@pytest.mark.parametrize("num_visible, num_hidden", [(5, 4), (3, 6)])
def test_exact_log_z_of_bernoulli_rbm_matches_brute_force(
    num_visible, num_hidden, rng
):
    layer = layer_with_weights(
        kgen.layers.BernoulliRBM(num_hidden), num_visible, rng
    )
    kernel, visible_bias, hidden_bias = (
        v.numpy().astype("float64") for v in layer.weights
    )
    v, h = binary(num_visible), binary(num_hidden)
    energy = (
        -(v @ visible_bias)[:, None]
        - (h @ hidden_bias)[None]
        - v @ kernel @ h.T
    )
    np.testing.assert_allclose(
        kgen.metrics.exact_log_partition(layer), logsumexp(-energy), rtol=1e-5
    )
    # The log-likelihoods of all visible states sum to one.
    probabilities = np.exp(kgen.metrics.log_likelihood(layer, v))
    np.testing.assert_allclose(probabilities.sum(), 1.0, rtol=1e-4)


def test_exact_log_z_of_categorical_rbm_matches_brute_force(rng):
    layer = layer_with_weights(
        kgen.layers.CategoricalRBM(3, num_categories=3), 6, rng
    )
    v = layer.one_hot(list(itertools.product(range(3), repeat=2))).astype(
        "float64"
    )
    log_z = logsumexp(-energies(layer, v, binary(3)))
    np.testing.assert_allclose(
        kgen.metrics.exact_log_partition(layer), log_z, rtol=1e-5
    )


def test_exact_log_z_of_gaussian_rbm_matches_numerical_integral(rng):
    layer = layer_with_weights(
        kgen.layers.GaussianBernoulliRBM(3, learn_sigma=True), 2, rng, 0.5
    )
    layer.log_sigma.assign(np.log([0.7, 1.3]).astype("float32"))
    kernel, visible_bias, hidden_bias, log_sigma = (
        v.numpy().astype("float64") for v in layer.weights
    )
    variance = np.exp(2 * log_sigma)
    grid = np.linspace(-12, 12, 601)
    v = np.stack(np.meshgrid(grid, grid, indexing="ij"), axis=-1).reshape(-1, 2)
    h = binary(3)
    energy = (
        (((v - visible_bias) ** 2) / (2 * variance)).sum(axis=1)[:, None]
        - (h @ hidden_bias)[None]
        - (v / variance) @ kernel @ h.T
    )
    density = np.exp(logsumexp(-energy, axis=1)).reshape(len(grid), len(grid))
    z = integrate.trapezoid(integrate.trapezoid(density, grid, axis=1), grid)
    np.testing.assert_allclose(
        kgen.metrics.exact_log_partition(layer), np.log(z), rtol=1e-4
    )


def test_pseudo_log_likelihood_matches_flipping_every_bit(rng):
    layer = layer_with_weights(kgen.layers.BernoulliRBM(4), 6, rng)
    x = (rng.random((5, 6)) < 0.5).astype("float32")

    def free_energy(v):
        return keras.ops.convert_to_numpy(layer.free_energy(v)).astype(
            "float64"
        )

    expected = np.zeros(5)
    for i in range(6):
        flipped = x.copy()
        flipped[:, i] = 1 - flipped[:, i]
        expected += -np.logaddexp(0, free_energy(x) - free_energy(flipped))
    received = kgen.metrics.pseudo_log_likelihood(layer, x, batch_size=2)
    np.testing.assert_allclose(received, expected, rtol=1e-4)


@pytest.fixture(scope="module")
def trained_digits_rbm():
    keras.utils.set_random_seed(0)
    (x, _), _ = kgen.datasets.load_digits("binary")
    model = kgen.models.RBM(
        kgen.layers.BernoulliRBM(16, seed=0), monitor_samples=0, seed=0
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9))
    model.fit(x, batch_size=50, epochs=10, verbose=0)
    return model, x


def test_ais_matches_exact_log_z_on_trained_rbm(trained_digits_rbm):
    model, x = trained_digits_rbm
    exact = kgen.metrics.exact_log_partition(model)
    estimate, error = kgen.metrics.ais_log_partition(
        model, x, betas=1000, num_runs=100, seed=0
    )
    assert abs(estimate - exact) < 0.1, (estimate, exact, error)
    # With too few temperatures the weights spread out and the error grows.
    _, crude_error = kgen.metrics.ais_log_partition(
        model, x, betas=10, num_runs=100, seed=0
    )
    assert 0 < 3 * error < crude_error


def test_bad_input_is_rejected(rng):
    big = kgen.layers.BernoulliRBM(21)
    big.build((None, 30))
    with pytest.raises(
        ValueError, match=r"enumerates 2\^21 hidden states.*ais_log_partition"
    ):
        kgen.metrics.exact_log_partition(big)
    with pytest.raises(ValueError, match="not built"):
        kgen.metrics.exact_log_partition(kgen.layers.BernoulliRBM(2))
    with pytest.raises(ValueError, match="Expected a kgen RBM layer"):
        kgen.metrics.exact_log_partition(keras.layers.Dense(2))
    with pytest.raises(ValueError, match="`betas` must be"):
        kgen.metrics.ais_log_partition(big, np.zeros((3, 30)), betas=[0.0, 0.5])
    gaussian = kgen.layers.GaussianBernoulliRBM(2)
    gaussian.build((None, 3))
    with pytest.raises(ValueError, match="binary visible units"):
        kgen.metrics.pseudo_log_likelihood(gaussian, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        kgen.metrics.log_likelihood(big, np.full((2, 30), 2.0), log_z=0.0)
