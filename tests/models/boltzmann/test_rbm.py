"""The RBM model: CD/PCD updates vs NumPy, persistence, sampling, errors."""

import itertools

import keras
import numpy as np
import pytest
from scipy.special import expit
from scipy.special import logsumexp

import kgen


def numpy_weights(layer):
    return [
        v.numpy().astype("float64")
        for v in (layer.kernel, layer.visible_bias, layer.hidden_bias)
    ]


def random_rbm(rng, num_visible=5, num_hidden=3, scale=1.0, **kwargs):
    layer = kgen.layers.BernoulliRBM(num_hidden, seed=0)
    model = kgen.models.RBM(layer, monitor_samples=0, seed=0, **kwargs)
    model.build((None, num_visible))
    for variable in layer.weights:
        variable.assign(
            scale * rng.normal(size=variable.shape).astype("float32")
        )
    return model


def test_pcd_update_matches_numpy(rng):
    model = random_rbm(
        rng,
        persistent_chains=4,
        weight_decay=0.01,
        sparsity_target=0.1,
        sparsity_cost=0.5,
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    x = (rng.random((8, 5)) < 0.5).astype("float32")
    kernel, visible_bias, hidden_bias = numpy_weights(model.layer)
    model.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    negative = model.chains.numpy().astype("float64")  # the chains' new state

    def hidden(v):
        return expit(v @ kernel + hidden_bias)

    mean_activation = 0.9 * 0.1 + 0.1 * hidden(x).mean(axis=0)
    excess = 0.5 * (mean_activation - 0.1)
    grad_kernel = (
        -x.T @ hidden(x) / 8
        + negative.T @ hidden(negative) / 4
        + 0.01 * kernel
        + np.outer(x.mean(axis=0), excess)
    )
    grad_visible = -x.mean(axis=0) + negative.mean(axis=0)
    grad_hidden = (
        -hidden(x).mean(axis=0) + hidden(negative).mean(axis=0) + excess
    )
    expected = [
        kernel - 0.1 * grad_kernel,
        visible_bias - 0.1 * grad_visible,
        hidden_bias - 0.1 * grad_hidden,
    ]
    for received, want in zip(numpy_weights(model.layer), expected):
        np.testing.assert_allclose(received, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        model.mean_activation.numpy(), mean_activation, rtol=1e-5
    )


@pytest.mark.parametrize(
    "layer, k",
    [
        (kgen.layers.BernoulliRBM, 1),
        (kgen.layers.BernoulliRBM, 2),
        (kgen.layers.BernoulliGaussianRBM, 1),
    ],
)
def test_cd_update_matches_numpy(layer, k, rng):
    # The step reuses the data's hidden field for the chain's first sample;
    # its negatives must be those of a plain `gibbs` run from the same
    # seed state, and its update the CD-k update on them.
    layer = layer(3, seed=0)
    model = kgen.models.RBM(
        layer, k=k, weight_decay=0.01, monitor_samples=0, seed=0
    )
    model.build((None, 5))
    for variable in layer.weights:
        variable.assign(0.5 * rng.normal(size=variable.shape))
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    x = (rng.random((8, 5)) < 0.5).astype("float32")
    kernel, visible_bias, hidden_bias = numpy_weights(layer)
    parameters = layer.parameters()
    seed = keras.random.SeedGenerator(0)
    seed.state.assign(model.seed_generator.state.value)
    negative = layer.gibbs(x, k, seed, parameters)
    negative = keras.ops.convert_to_numpy(negative).astype("float64")
    model.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)

    def hidden(v):  # dF/dc: E[h | v] for binary units, W^T v for Gaussian
        field = v @ kernel + hidden_bias
        return expit(field) if layer.binary_hidden else field - hidden_bias

    def kernel_statistic(v):  # -dF/dW = v E[h | v]^T
        field = v @ kernel + hidden_bias
        return v.T @ (expit(field) if layer.binary_hidden else field)

    grad_kernel = (
        -kernel_statistic(x) / 8
        + kernel_statistic(negative) / 8
        + 0.01 * kernel
    )
    grad_visible = -x.mean(axis=0) + negative.mean(axis=0)
    grad_hidden = -hidden(x).mean(axis=0) + hidden(negative).mean(axis=0)
    expected = [
        kernel - 0.1 * grad_kernel,
        visible_bias - 0.1 * grad_visible,
        hidden_bias - 0.1 * grad_hidden,
    ]
    for received, want in zip(numpy_weights(layer), expected):
        np.testing.assert_allclose(received, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "layer, data",
    [
        (
            lambda: kgen.layers.BernoulliRBM(4, seed=0),
            lambda r: r.random((32, 6)) < 0.5,
        ),
        (
            lambda: kgen.layers.GaussianBernoulliRBM(
                4, learn_sigma=True, seed=0
            ),
            lambda r: r.normal(size=(32, 6)),
        ),
        (
            lambda: kgen.layers.CategoricalRBM(4, num_categories=3, seed=0),
            lambda r: np.eye(3)[r.integers(0, 3, 64)].reshape(32, 6),
        ),
    ],
)
def test_every_unit_type_trains_and_round_trips(layer, data, rng, tmp_path):
    x = data(rng).astype("float32")
    model = kgen.models.RBM(layer(), k=2, seed=1)
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    model.build((None, 6))
    before = [v.numpy() for v in model.layer.trainable_weights]
    history = model.fit(
        x, batch_size=16, epochs=2, validation_data=(x[:8],), verbose=0
    )
    for old, variable in zip(before, model.layer.trainable_weights):
        assert not np.allclose(old, variable.numpy()), variable.path
    assert np.isfinite(history.history["loss"]).all()
    assert {
        "reconstruction_error",
        "val_reconstruction_error",
        "free_energy_gap",
    } <= set(history.history)
    kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m.generate(4, burn_in=3, seed=5)
    )


def test_pseudo_likelihood_logged_for_binary_data(rng):
    model = random_rbm(rng, scale=0.1)
    model.monitor_samples = 16
    model.compile(optimizer="sgd")
    x = (rng.random((16, 5)) < 0.5).astype("float32")
    history = model.fit(x, batch_size=8, epochs=1, validation_data=x, verbose=0)
    pll = kgen.metrics.pseudo_log_likelihood(model, x).mean()
    np.testing.assert_allclose(
        history.history["pseudo_log_likelihood"][0], pll, rtol=1e-5
    )
    np.testing.assert_allclose(
        history.history["free_energy_gap"][0], 0.0, atol=1e-5
    )


def test_fit_takes_keras_positional_arguments(rng):
    model = random_rbm(rng, scale=0.1)
    model.compile(optimizer="sgd")
    x = (rng.random((16, 5)) < 0.5).astype("float32")
    history = model.fit(x, None, 8, 3, 0)  # x, y, batch_size, epochs, verbose
    assert len(history.history["loss"]) == 3
    assert int(model.optimizer.iterations) == 6


def test_persistent_chains_carry_across_steps_and_save_load(rng, tmp_path):
    x = (rng.random((32, 5)) < 0.5).astype("float32")
    model = random_rbm(rng, scale=0.3, persistent_chains=8)
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    start = model.chains.numpy()
    model.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert not np.array_equal(start, model.chains.numpy())
    loaded = kgen.testing.assert_round_trip(model, tmp_path)
    # Resuming the reloaded model continues exactly: chains, seed state and
    # optimizer slots were all saved.
    for m in (model, loaded):
        m.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.variables, loaded.variables):
        np.testing.assert_allclose(
            a.numpy(), b.numpy(), atol=1e-6, err_msg=a.path
        )
    # Restarting the chains at random gives a different run.
    fresh = random_rbm(np.random.default_rng(0), scale=0.3, persistent_chains=8)
    assert not np.array_equal(fresh.chains.numpy(), model.chains.numpy())


def test_gibbs_samples_match_exact_distribution(rng):
    model = random_rbm(rng, num_visible=4, num_hidden=3)
    kernel, visible_bias, hidden_bias = numpy_weights(model.layer)
    states = np.array(list(itertools.product([0, 1], repeat=4)), "float64")
    log_p = states @ visible_bias + np.logaddexp(
        0, states @ kernel + hidden_bias
    ).sum(axis=1)
    exact = np.exp(log_p - logsumexp(log_p))
    samples = model.generate(
        20000, burn_in=50, steps=3, num_chains=2000, seed=0
    )
    index = samples.astype(int) @ (2 ** np.arange(3, -1, -1))
    empirical = np.bincount(index, minlength=16) / len(samples)
    assert 0.5 * np.abs(empirical - exact).sum() < 0.03


def test_sampling_is_seeded_and_configurable(rng):
    model = random_rbm(rng, persistent_chains=6)
    a = model.generate(10, burn_in=5, seed=3)
    np.testing.assert_array_equal(a, model.generate(10, burn_in=5, seed=3))
    assert not np.array_equal(a, model.generate(10, burn_in=5, seed=4))
    assert set(np.unique(a)) <= {0.0, 1.0}
    smooth = model.generate(
        13,
        burn_in=2,
        init="persistent",
        probabilities=True,
        temperature=2.0,
        seed=0,
    )
    assert smooth.shape == (13, 5) and 0 < smooth.min() and smooth.max() < 1
    x = (rng.random((3, 5)) < 0.5).astype("float32")
    assert model.generate(3, burn_in=0, init=x).tolist() == x.tolist()


def test_impute_keeps_observed_values(rng):
    model = random_rbm(rng)
    x = (rng.random((6, 5)) < 0.5).astype("float32")
    observed = np.zeros_like(x)
    observed[:, :3] = 1
    completed = model.impute(x, observed, steps=10, seed=0)
    np.testing.assert_array_equal(completed[:, :3], x[:, :3])
    assert ((0 < completed[:, 3:]) & (completed[:, 3:] < 1)).all()
    sampled = model.impute(x, observed, steps=10, probabilities=False, seed=0)
    assert set(np.unique(sampled)) <= {0.0, 1.0}


def test_bad_input_is_rejected(rng):
    model = random_rbm(rng)
    model.compile(optimizer="sgd")
    with pytest.raises(
        ValueError, match="`k` must be an integer >= 1. Received: k=0"
    ):
        kgen.models.RBM(kgen.layers.BernoulliRBM(2), k=0)
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        model.fit(np.full((4, 5), 3.0), verbose=0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        model.fit(np.full((4, 5), np.nan), verbose=0)
    with pytest.raises(ValueError, match="is empty"):
        model.fit(np.zeros((0, 5)), verbose=0)
    with pytest.raises(ValueError, match=r"Received shape \(4, 7\)"):
        model.fit(np.zeros((4, 7)), verbose=0)
    with pytest.raises(ValueError, match="validation_data"):
        model.fit(
            np.zeros((4, 5)), validation_data=np.full((2, 5), 2.0), verbose=0
        )
    with pytest.raises(ValueError, match="persistent_chains=None"):
        model.generate(2, init="persistent")
    with pytest.raises(ValueError, match="`observed` must have the shape"):
        model.impute(np.zeros((2, 5)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="needs a built RBM"):
        kgen.models.RBM(3).generate(2)
    with pytest.raises(ValueError, match="weight_decay"):
        kgen.models.RBM(3, weight_decay=-1.0)
