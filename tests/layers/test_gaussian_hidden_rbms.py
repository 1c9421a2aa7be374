"""Gaussian-hidden RBM layers against SciPy: free energy, log Z, conditionals."""

import itertools

import keras
import numpy as np
import pytest
from scipy import integrate
from scipy import stats
from scipy.special import logsumexp

from kgen.layers import BernoulliGaussianRBM
from kgen.layers import GaussianGaussianRBM
from kgen.metrics import exact_log_partition
from kgen.metrics import log_likelihood
from kgen.models.boltzmann import RBM
from kgen.testing import assert_round_trip


def _layer(layer, num_visible, rng, scale=0.3):
    layer.build((None, num_visible))
    for variable in (layer.kernel, layer.visible_bias, layer.hidden_bias):
        variable.assign(
            scale * rng.normal(size=variable.shape).astype("float32")
        )
    return layer


def _numpy(layer):
    p = layer.parameters()
    return [
        keras.ops.convert_to_numpy(p[k]).astype("float64")
        for k in ("kernel", "visible_bias", "hidden_bias")
    ]


def _energy(v, h, w, b, c, gaussian_visible):
    visible = 0.5 * np.sum((v - b) ** 2) if gaussian_visible else -(b @ v)
    return visible + 0.5 * np.sum((h - c) ** 2) - v @ w @ h


def test_gaussian_gaussian_log_z_and_marginal_against_scipy(rng):
    layer = _layer(GaussianGaussianRBM(2), 3, rng)
    w, b, c = _numpy(layer)
    v = rng.normal(size=(5, 3)).astype("float32")
    # The marginal of v is N(P^-1 (b + W c), P^-1) with P = I - W W^T.
    precision = np.eye(3) - w @ w.T
    covariance = np.linalg.inv(precision)
    expected = stats.multivariate_normal(covariance @ (b + w @ c), covariance)
    np.testing.assert_allclose(
        log_likelihood(layer, v), expected.logpdf(v), rtol=1e-4
    )
    # One visible, one hidden unit: log Z by 2-D quadrature.
    small = _layer(GaussianGaussianRBM(1), 1, rng, scale=0.6)
    (w1, b1, c1) = [x.reshape(-1) for x in _numpy(small)]
    z, _ = integrate.dblquad(
        lambda h, v: np.exp(
            -_energy(np.array([v]), np.array([h]), w1[:, None], b1, c1, True)
        ),
        -15,
        15,
        -15,
        15,
    )
    np.testing.assert_allclose(small.log_partition(), np.log(z), rtol=1e-5)
    np.testing.assert_allclose(exact_log_partition(small), np.log(z), rtol=1e-5)


@pytest.mark.parametrize(
    "layer_class", [BernoulliGaussianRBM, GaussianGaussianRBM]
)
def test_free_energy_and_energy_against_quadrature(layer_class, rng):
    layer = _layer(layer_class(1), 3, rng, scale=0.5)
    w, b, c = _numpy(layer)
    gaussian = layer_class is GaussianGaussianRBM
    v = rng.normal(size=(4, 3)) if gaussian else rng.integers(0, 2, (4, 3))
    v = v.astype("float32")
    expected = [
        -np.log(
            integrate.quad(
                lambda h, x=x: np.exp(
                    -_energy(x, np.array([h]), w, b, c, gaussian)
                ),
                -30,
                30,
            )[0]
        )
        for x in v.astype("float64")
    ]
    free_energy = keras.ops.convert_to_numpy(layer.free_energy(v))
    np.testing.assert_allclose(free_energy, expected, rtol=1e-5, atol=1e-5)
    h = rng.normal(size=(4, 1)).astype("float32")
    energy = keras.ops.convert_to_numpy(layer.energy(v, h))
    np.testing.assert_allclose(
        energy,
        [_energy(x, y, w, b, c, gaussian) for x, y in zip(v, h)],
        rtol=1e-5,
        atol=1e-5,
    )


def test_bernoulli_gaussian_log_z_sums_gaussian_integrals(rng):
    layer = _layer(BernoulliGaussianRBM(2), 4, rng, scale=0.8)
    w, b, c = _numpy(layer)
    states = np.array(list(itertools.product([0.0, 1.0], repeat=4)))
    # Per visible state, the hidden integral by 2-D quadrature (SciPy).
    log_terms = [
        np.log(
            integrate.dblquad(
                lambda h1, h0, v=v: np.exp(
                    -_energy(v, np.array([h0, h1]), w, b, c, False)
                ),
                -12,
                12,
                -12,
                12,
                epsabs=1e-10,
            )[0]
        )
        for v in states
    ]
    expected = logsumexp(log_terms)
    np.testing.assert_allclose(layer.log_partition(), expected, rtol=1e-5)
    np.testing.assert_allclose(
        np.exp(log_likelihood(layer, states)).sum(), 1.0, rtol=1e-4
    )


@pytest.mark.parametrize(
    "layer_class", [BernoulliGaussianRBM, GaussianGaussianRBM]
)
def test_hidden_conditional_is_unit_gaussian(layer_class, rng):
    layer = _layer(layer_class(3), 4, rng)
    w, b, c = _numpy(layer)
    v = np.tile(rng.integers(0, 2, (1, 4)).astype("float32"), (4000, 1))
    samples = keras.ops.convert_to_numpy(layer.sample_hidden(v, seed=0))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(v[:1]))[0], c + v[0] @ w, atol=1e-5
    )
    assert np.abs(samples.mean(axis=0) - (c + v[0] @ w)).max() < 0.06
    assert np.abs(samples.std(axis=0) - 1.0).max() < 0.05


def test_spectral_norm_constraint_and_normalisability_checks(rng):
    x = rng.normal(size=(64, 4)).astype("float32")
    layer = GaussianGaussianRBM(3, max_spectral_norm=0.9, seed=0)
    model = RBM(layer, monitor_samples=0, seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.5))
    layer.build((None, 4))
    layer.kernel.assign(np.full((4, 3), 0.2, "float32"))  # norm 0.69
    with pytest.warns(UserWarning, match="standardised"):
        model.fit(x * 3.0, epochs=2, batch_size=16, verbose=0)
    assert layer.spectral_norm() <= 0.9 + 1e-4
    big = rng.normal(size=(4, 3)).astype("float32") * 3.0
    bounded = keras.ops.convert_to_numpy(layer.kernel.constraint(big))
    np.testing.assert_allclose(np.linalg.norm(bounded, 2), 0.9, rtol=1e-4)
    layer.kernel.assign(np.eye(4, 3, dtype="float32") * 1.5)
    with pytest.raises(ValueError, match="spectral norm 1.5 >= 1"):
        layer.log_partition()
    with pytest.raises(ValueError, match="max_spectral_norm"):
        GaussianGaussianRBM(3, max_spectral_norm=1.0)
    with pytest.raises(NotImplementedError, match="Gaussian hidden"):
        model.generate(2, temperature=2.0)


@pytest.mark.parametrize(
    "layer_class", [BernoulliGaussianRBM, GaussianGaussianRBM]
)
def test_trains_with_fit_and_round_trips(layer_class, rng, tmp_path):
    x = (rng.random((64, 6)) < 0.3).astype("float32")
    if layer_class is GaussianGaussianRBM:
        x = (x - x.mean(0)) / x.std(0)
    model = RBM(layer_class(2, seed=0), persistent_chains=8, seed=0)
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9))
    history = model.fit(x, epochs=2, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert "pseudo_log_likelihood" not in history.history
    loaded = assert_round_trip(
        model, tmp_path, call=lambda m: m.layer.free_energy(x)
    )
    assert loaded.layer.log_partition() == pytest.approx(
        model.layer.log_partition(), rel=1e-6
    )
    assert model.generate(3, burn_in=5).shape == (3, 6)
