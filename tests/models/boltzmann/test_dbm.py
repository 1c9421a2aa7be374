import itertools

import keras
import numpy as np
import pytest
from scipy.special import expit
from scipy.special import logsumexp

from kgen.models.boltzmann import DBM
from kgen.models.boltzmann import RBM
from kgen.testing import assert_round_trip


@pytest.fixture
def data(rng):
    return (rng.random((32, 5)) < 0.3).astype("float32")


def _random_dbm(sizes, rng, scale=1.0, **kwargs):
    """An untrained DBM with random weights and biases, marked as trained."""
    dbm = DBM(sizes[0], sizes[1:], seed=0, **kwargs)
    for variable in dbm.kernels + dbm.biases:
        variable.assign(
            scale * rng.normal(size=variable.shape).astype("float32")
        )
    dbm.trained.assign(1)
    return dbm


def _numpy_parameters(dbm):
    to_numpy = keras.ops.convert_to_numpy
    return [to_numpy(w) for w in dbm.kernels], [to_numpy(b) for b in dbm.biases]


def _brute_force(dbm):
    """Unnormalised log-probabilities of every joint state, and the states."""
    kernels, biases = _numpy_parameters(dbm)
    sizes = dbm.layer_sizes
    states = np.array(list(itertools.product([0.0, 1.0], repeat=sum(sizes))))
    layers = np.split(states, np.cumsum(sizes)[:-1], axis=1)
    log_p = sum(x @ b for x, b in zip(layers, biases))
    log_p = log_p + sum(
        np.sum((layers[l] @ w) * layers[l + 1], axis=1)
        for l, w in enumerate(kernels)
    )
    return log_p, layers[0]


@pytest.mark.parametrize("sizes", [[5, 3, 4], [2, 5, 2, 4]])
def test_exact_likelihood_and_lower_bound_match_enumeration(sizes, rng):
    dbm = _random_dbm(
        sizes, rng, mean_field_tolerance=1e-7, mean_field_steps=500
    )
    log_p, visible = _brute_force(dbm)
    log_z = logsumexp(log_p)
    np.testing.assert_allclose(dbm.log_partition(), log_z, rtol=1e-5)
    x = (rng.random((20, sizes[0])) < 0.5).astype("float32")
    codes = visible @ 2 ** np.arange(sizes[0])
    expected = [
        logsumexp(log_p[codes == code]) - log_z
        for code in x @ 2 ** np.arange(sizes[0])
    ]
    exact = dbm.log_likelihood(x)
    np.testing.assert_allclose(exact, expected, atol=1e-4)
    bound = dbm.log_likelihood_bound(x)
    assert np.all(bound <= exact + 1e-5)
    assert (
        np.mean(exact - bound) > 1e-2
    )  # the factorial posterior is not exact here
    # `evaluate` reports the variational free energy E(v, q) - H(q).
    dbm.compile(optimizer="sgd")
    np.testing.assert_allclose(
        dbm.evaluate(x, verbose=0), np.mean(-bound - log_z), rtol=1e-4
    )


def test_mean_field_fixed_point(rng):
    dbm = _random_dbm(
        [8, 5, 4, 3],
        rng,
        scale=0.5,
        mean_field_tolerance=1e-7,
        mean_field_steps=500,
    )
    x = (rng.random((16, 8)) < 0.5).astype("float32")
    kernels, biases = _numpy_parameters(dbm)
    states = [x, *dbm.mean_field(x)]
    for l in range(1, len(states)):
        field = biases[l] + states[l - 1] @ kernels[l - 1]
        if l < len(kernels):
            field = field + states[l + 1] @ kernels[l].T
        np.testing.assert_allclose(states[l], expit(field), atol=1e-4)
    np.testing.assert_allclose(dbm.transform(x, layer=1), states[2], atol=1e-6)


def test_gibbs_samples_match_the_exact_distribution(rng):
    dbm = _random_dbm([3, 2, 2], rng)
    log_p, visible = _brute_force(dbm)
    codes = visible @ 2 ** np.arange(3)
    exact = np.array(
        [
            np.exp(logsumexp(log_p[codes == c]) - logsumexp(log_p))
            for c in range(8)
        ]
    )
    samples = dbm.generate(4000, seed=1, burn_in=50, probabilities=False)
    empirical = (
        np.bincount((samples @ 2 ** np.arange(3)).astype(int), minlength=8)
        / 4000
    )
    assert 0.5 * np.abs(empirical - exact).sum() < 0.03
    probabilities = dbm.generate(7, seed=2, burn_in=5)
    assert probabilities.shape == (7, 3)
    assert probabilities.min() > 0.0 and probabilities.max() < 1.0


def test_pretraining_layers_double_the_inputs_from_missing_neighbours(rng):
    dbm = DBM(5, [4, 3, 2], seed=0)
    factors = [
        (2.0, 1.0),
        (2.0, 2.0),
        (1.0, 2.0),
    ]  # (up, down): bottom, middle, top
    for layer, (up, down) in zip(dbm.pretraining_layers(), factors):
        layer.kernel.assign(
            rng.normal(size=layer.kernel.shape).astype("float32")
        )
        kernel = keras.ops.convert_to_numpy(layer.kernel)
        v = rng.random((3, layer.num_visible)).astype("float32")
        h = rng.random((3, layer.num_hidden)).astype("float32")
        hidden = keras.ops.convert_to_numpy(layer.hidden_probabilities(v))
        visible = keras.ops.convert_to_numpy(layer.visible_probabilities(h))
        np.testing.assert_allclose(hidden, expit(up * v @ kernel), atol=1e-6)
        np.testing.assert_allclose(
            visible, expit(down * h @ kernel.T), atol=1e-6
        )


def test_pretraining_trains_the_doubled_stack_and_copies_it(data):
    dbm = DBM(5, [4, 3], seed=0)
    dbm.compile(optimizer=keras.optimizers.SGD(0.1))
    history = dbm.pretrain(
        data, epochs=[2, 1], batch_size=16, shuffle=False, verbose=0
    )
    assert len(history.history["layer_0_loss"]) == 2
    assert len(history.history["layer_1_loss"]) == 1
    inputs = data
    for index, (layer, epochs) in enumerate(
        zip(dbm.pretraining_layers(), [2, 1])
    ):
        reference = RBM(layer, seed=index)
        reference.compile(optimizer=keras.optimizers.SGD(0.1))
        reference.fit(
            inputs, epochs=epochs, batch_size=16, shuffle=False, verbose=0
        )
        for received, expected in [
            (dbm.kernels[index], layer.kernel),
            (dbm.biases[index + 1], layer.hidden_bias),
        ]:
            np.testing.assert_allclose(
                keras.ops.convert_to_numpy(received),
                keras.ops.convert_to_numpy(expected),
                atol=1e-6,
            )
        inputs = keras.ops.convert_to_numpy(layer.hidden_probabilities(inputs))
        if index == 0:
            np.testing.assert_allclose(
                keras.ops.convert_to_numpy(dbm.biases[0]),
                keras.ops.convert_to_numpy(layer.visible_bias),
                atol=1e-6,
            )


def test_fit_moves_the_chains_and_they_persist_across_save_and_load(
    data, tmp_path
):
    dbm = DBM(5, [4, 3], persistent_chains=8, seed=0)
    dbm.compile(optimizer=keras.optimizers.SGD(0.1))
    before = [keras.ops.convert_to_numpy(c) for c in dbm.chains]
    dbm.fit(data, epochs=1, batch_size=16, verbose=0)
    after = [keras.ops.convert_to_numpy(c) for c in dbm.chains]
    assert any(np.any(a != b) for a, b in zip(before, after))
    loaded = assert_round_trip(
        dbm, tmp_path, call=lambda model: model.mean_field(data)
    )
    for model in (dbm, loaded):
        model.fit(data, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(dbm.chains, loaded.chains):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b)
        )


def test_classifier_reproduces_the_mean_field_fixed_point(data, rng):
    dbm = _random_dbm(
        [5, 4, 3, 2],
        rng,
        scale=0.5,
        mean_field_tolerance=1e-7,
        mean_field_steps=500,
    )
    classifier = dbm.to_classifier(num_classes=3)
    inputs = dbm.classifier_inputs(data)
    for l, expected in enumerate(dbm.mean_field(data)):
        hidden = keras.Model(
            classifier.inputs, classifier.get_layer(f"hidden_{l}").output
        )
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(hidden(inputs)), expected, atol=1e-5
        )
    assert classifier.output_shape == (None, 3)
    classifier.compile("adam", "sparse_categorical_crossentropy")
    classifier.fit(inputs, rng.integers(0, 3, len(data)), epochs=1, verbose=0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"hidden_units": [4]}, "at least 2"),
        ({"hidden_units": []}, "at least 2"),
        ({"hidden_units": [4, 0]}, "hidden_units"),
        ({"mean_field_tolerance": -1.0}, "mean_field_tolerance"),
        ({"persistent_chains": 0}, "persistent_chains"),
    ],
)
def test_bad_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DBM(**{"num_visible": 5, "hidden_units": [4, 3], **kwargs})


def test_bad_use(data):
    dbm = DBM(5, [4, 3], seed=0)
    with pytest.raises(ValueError, match="needs a trained DBM"):
        dbm.generate(2)
    with pytest.raises(ValueError, match="needs a trained DBM"):
        dbm.to_classifier(3)
    with pytest.raises(ValueError, match="needs an optimizer"):
        dbm.pretrain(data)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        dbm.mean_field(data * 2)
    with pytest.raises(ValueError, match="x"):
        dbm.mean_field(data[:, :4])
    with pytest.raises(ValueError, match="`layer`"):
        dbm.transform(data, layer=2)
    with pytest.raises(ValueError, match="limited to 20 units"):
        DBM(64, [30, 30]).log_partition()
