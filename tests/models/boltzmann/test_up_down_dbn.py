import itertools

import keras
import numpy as np
import pytest
from scipy.special import logsumexp

from kgen.models.boltzmann import DBN
from kgen.models.boltzmann import UpDownDBN
from kgen.testing import assert_round_trip


def _to_numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    prototypes = (rng.random((3, 8)) < 0.5).astype("float32")
    noise = rng.random((96, 8)) < 0.1
    return np.abs(prototypes[rng.integers(0, 3, 96)] - noise).astype("float32")


@pytest.fixture(scope="module")
def pretrained_weights(data):
    dbn = DBN(8, [6, 4], seed=0)
    dbn.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.5))
    dbn.fit(data, epochs=[3, 3], batch_size=16, shuffle=False, verbose=0)
    return dbn.get_weights()


@pytest.fixture
def dbn(pretrained_weights):
    """A fresh copy of one pre-trained DBN (fine-tuning changes it)."""
    dbn = DBN(8, [6, 4], seed=0)
    dbn.set_weights(pretrained_weights)
    return dbn


def _bernoulli_log_prob(x, logits):
    return np.sum(x * logits - np.logaddexp(0.0, logits), axis=-1)


def _weights(rbm):
    return [
        _to_numpy(w) for w in (rbm.kernel, rbm.visible_bias, rbm.hidden_bias)
    ]


def test_losses_are_the_log_probabilities_of_the_directed_layer(dbn, rng):
    tuned = UpDownDBN(dbn, seed=0)
    v, h = ((rng.random((5, n)) < 0.5).astype("float32") for n in (8, 6))
    kernel, visible_bias, hidden_bias = _weights(dbn.rbm_layers[0])
    generative = -np.mean(_bernoulli_log_prob(v, h @ kernel.T + visible_bias))
    np.testing.assert_allclose(
        _to_numpy(tuned.generative_loss([v, h])), generative, rtol=1e-5
    )
    # The recognition weights start as the tied weights.
    recognition = -np.mean(_bernoulli_log_prob(h, v @ kernel + hidden_bias))
    np.testing.assert_allclose(
        _to_numpy(tuned.recognition_loss([v, h])), recognition, rtol=1e-5
    )


def _exact_log_likelihood(dbn, x):
    """log P(v) by enumerating h_1 and the top RBM's hidden units."""
    (w0, b0, _), (w1, b1, c1) = (_weights(r) for r in dbn.rbm_layers)
    h1 = np.array(list(itertools.product([0, 1], repeat=6)), "float32")
    h2 = np.array(list(itertools.product([0, 1], repeat=4)), "float32")
    # Unnormalised log P(h1) of the top RBM, and its log Z.
    log_prior = h1 @ b1 + np.logaddexp(0.0, h1 @ w1 + c1).sum(axis=1)
    log_prior -= logsumexp(h2 @ c1 + np.logaddexp(0.0, h2 @ w1.T + b1).sum(1))
    log_likelihood = np.stack(
        [_bernoulli_log_prob(x, h @ w0.T + b0) for h in h1], axis=1
    )
    return logsumexp(log_likelihood + log_prior, axis=1)


def test_fine_tuning_raises_the_bound_which_stays_below_the_likelihood(
    dbn, data
):
    tuned = UpDownDBN(dbn, k=5, seed=0)
    before = tuned.log_likelihood_bound(data, num_samples=200, seed=1).mean()
    hidden_biases = [_to_numpy(r.hidden_bias) for r in dbn.rbm_layers[:-1]]
    tuned.compile(optimizer=keras.optimizers.SGD(0.05))
    history = tuned.fit(data, epochs=30, batch_size=16, verbose=0)
    assert {"wake_loss", "sleep_loss", "top_free_energy_gap"} <= set(
        history.history
    )
    after = tuned.log_likelihood_bound(data, num_samples=200, seed=1)
    assert after.mean() > before + 0.05, (before, after.mean())
    exact = _exact_log_likelihood(dbn, data)
    assert after.mean() <= exact.mean() + 0.05, (after.mean(), exact.mean())
    # The lower layers' hidden biases play no part in the generative model.
    for bias, rbm in zip(hidden_biases, dbn.rbm_layers[:-1]):
        np.testing.assert_allclose(_to_numpy(rbm.hidden_bias), bias)
    # The recognition weights were untied and trained.
    assert not np.allclose(
        _to_numpy(tuned.recognition_kernels[0]),
        _to_numpy(dbn.rbm_layers[0].kernel),
    )


def test_transform_and_generate(dbn, data):
    tuned = UpDownDBN(dbn, seed=0)
    np.testing.assert_allclose(
        tuned.transform(data), dbn.transform(data, layer=0), atol=1e-6
    )
    np.testing.assert_allclose(
        tuned.generate(4, seed=3), dbn.generate(4, seed=3), atol=1e-6
    )


def test_round_trip_resumes_training(dbn, data, tmp_path):
    tuned = UpDownDBN(dbn, k=2, seed=0)
    tuned.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    tuned.fit(data, epochs=1, batch_size=16, verbose=0)
    reloaded = assert_round_trip(
        tuned, tmp_path, call=lambda m: m.transform(data)
    )
    for model in (tuned, reloaded):
        model.fit(data, epochs=1, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(
        reloaded.transform(data), tuned.transform(data), atol=1e-5
    )


def test_bad_input(dbn, data):
    with pytest.raises(ValueError, match="pre-trained"):
        UpDownDBN(DBN(8, [6, 4]))
    with pytest.raises(ValueError, match="at least 2 layers"):
        one = DBN(8, [6], seed=0)
        one.compile(optimizer="sgd")
        one.fit(data, epochs=1, verbose=0)
        UpDownDBN(one)
    with pytest.raises(ValueError, match="kgen.models.DBN"):
        UpDownDBN(keras.Sequential([keras.layers.Dense(2)]))
    tuned = UpDownDBN(dbn)
    tuned.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="8"):
        tuned.fit(data[:, :5], epochs=1, verbose=0)
