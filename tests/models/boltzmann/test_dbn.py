import warnings

import keras
import numpy as np
import pytest

from kgen.layers import BernoulliRBM
from kgen.models.boltzmann import DBN
from kgen.models.boltzmann import RBM
from kgen.testing import assert_round_trip


@pytest.fixture
def data(rng):
    return (rng.random((48, 10)) < 0.3).astype("float32")


def _trained(data, **kwargs):
    dbn = DBN(10, [8, 6], seed=0, **kwargs)
    dbn.compile(optimizer=keras.optimizers.SGD(0.1))
    history = dbn.fit(
        data, epochs=[2, 1], batch_size=16, shuffle=False, verbose=0
    )
    return dbn, history


def test_each_layer_is_trained_on_the_output_of_the_layer_below(data):
    dbn, history = _trained(data)
    assert len(history.history["layer_0_loss"]) == 2
    assert len(history.history["layer_1_loss"]) == 1
    inputs = data
    for index, (size, epochs) in enumerate([(8, 2), (6, 1)]):
        reference = RBM(BernoulliRBM(size, seed=index), seed=index)
        reference.compile(optimizer=keras.optimizers.SGD(0.1))
        reference.fit(
            inputs, epochs=epochs, batch_size=16, shuffle=False, verbose=0
        )
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(dbn.rbm_layers[index].kernel),
            keras.ops.convert_to_numpy(reference.layer.kernel),
            atol=1e-6,
        )
        inputs = keras.ops.convert_to_numpy(
            reference.layer.hidden_probabilities(inputs)
        )
    np.testing.assert_allclose(dbn.transform(data), inputs, atol=1e-6)


@pytest.mark.parametrize("visible_type", ["bernoulli", "gaussian"])
def test_classifier_reproduces_the_up_pass(visible_type, data, rng):
    if visible_type == "gaussian":
        data = rng.normal(size=(48, 10)).astype("float32")
    dbn, _ = _trained(data, visible_type=visible_type)
    classifier = dbn.to_classifier(num_classes=3)
    features = keras.Model(
        classifier.inputs, classifier.get_layer("dense_1").output
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(features(data)),
        dbn.transform(data),
        atol=1e-5,
    )
    assert classifier.output_shape == (None, 3)
    classifier.compile("adam", "sparse_categorical_crossentropy")
    classifier.fit(data, rng.integers(0, 3, len(data)), epochs=1, verbose=0)


def test_generation_shapes_and_range(data):
    dbn, _ = _trained(data)
    probabilities = dbn.generate(5, seed=1, burn_in=20)
    assert probabilities.shape == (5, 10)
    assert probabilities.min() >= 0.0 and probabilities.max() <= 1.0
    samples = dbn.generate(5, seed=1, burn_in=20, probabilities=False)
    assert set(np.unique(samples)) <= {0.0, 1.0}


def test_samples_option_passes_binary_states_up(data):
    dbn, _ = _trained(data, pretrain_input="samples")
    layer_input = dbn._pass_up(dbn.rbm_layers[0], data)
    assert set(np.unique(layer_input)) <= {0.0, 1.0}


def test_round_trip(tmp_path, data):
    dbn, _ = _trained(data)
    assert_round_trip(
        dbn,
        tmp_path,
        call=lambda m: [m.transform(data), m.generate(3, seed=2, burn_in=5)],
    )


def test_resuming_from_a_file_equals_uninterrupted_training(tmp_path, data):
    def pretrained():
        dbn = DBN(10, [8, 6], seed=0)
        dbn.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9))
        dbn.fit(data, epochs=1, batch_size=16, shuffle=False, verbose=0)
        return dbn

    dbn = pretrained()
    dbn.save(tmp_path / "dbn.keras")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resumed = keras.saving.load_model(tmp_path / "dbn.keras")
    assert not [w for w in caught if "optimizer" in str(w.message)]
    assert len(resumed.optimizer.variables) == len(dbn.optimizer.variables)
    for model in (dbn, resumed):
        model.fit(data, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for old, new in zip(dbn.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(old, new, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(hidden_units=[]), "non-empty list"),
        (dict(hidden_units=8), "non-empty list"),
        (dict(hidden_units=[8, 0]), "hidden_units"),
        (dict(hidden_units=[8], visible_type="poisson"), "visible_type"),
        (dict(hidden_units=[8], pretrain_input="means"), "pretrain_input"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DBN(10, **kwargs)


def test_generation_and_export_need_training():
    dbn = DBN(10, [4, 3])
    with pytest.raises(ValueError, match="only 0 of its 2 layers are trained"):
        dbn.generate(2)
    with pytest.raises(ValueError, match="Call `fit"):
        dbn.to_classifier(2)


def test_bad_fit_calls_raise(data):
    dbn = DBN(10, [4, 3])
    dbn.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="one int per layer"):
        dbn.fit(data, epochs=[1, 1, 1], verbose=0)
    with pytest.raises(ValueError, match="unsupervised"):
        dbn.fit(data, np.zeros(len(data)), verbose=0)
    with pytest.raises(ValueError, match="shape"):
        dbn.fit(data[:, :5], verbose=0)
    with pytest.raises(ValueError, match="layer"):
        dbn.transform(data, layer=2)


def test_lower_bound_is_below_the_exact_log_likelihood(rng):
    from scipy.special import expit
    from scipy.special import logsumexp

    dbn = DBN(4, [3, 3], seed=0)
    for rbm in dbn.rbm_layers:
        for variable in (rbm.kernel, rbm.visible_bias, rbm.hidden_bias):
            variable.assign(rng.normal(size=variable.shape).astype("float32"))
    dbn.pretrained_layers.assign(2)
    (w1, b1, c1), (w2, b2, c2) = (
        [
            keras.ops.convert_to_numpy(v)
            for v in (r.kernel, r.visible_bias, r.hidden_bias)
        ]
        for r in dbn.rbm_layers
    )
    states = np.array(
        [[(i >> j) & 1 for j in range(3)] for i in range(8)], "float64"
    )
    log_top = states @ b2 + np.logaddexp(0, states @ w2 + c2).sum(axis=1)
    log_top -= logsumexp(log_top)  # log P(h1) of the top RBM, exactly
    x = (rng.random((6, 4)) < 0.5).astype("float32")
    down = states @ w1.T + b1  # (8, 4) visible fields
    log_given = x @ down.T - np.logaddexp(0, down).sum(
        axis=1
    )  # log P(v | h1), (6, 8)
    exact = logsumexp(log_given + log_top, axis=1)
    up = expit(x @ w1 + c1)
    log_q = np.log(
        np.prod(np.where(states[None], up[:, None], 1 - up[:, None]), axis=2)
    )
    elbo = np.sum(np.exp(log_q) * (log_given + log_top - log_q), axis=1)
    bound = dbn.log_likelihood_bound(x, num_samples=4000, seed=0)
    np.testing.assert_allclose(bound, elbo, atol=0.08)
    assert np.all(bound < exact)
    assert np.mean(exact - elbo) > 0.1  # the bound is not trivially tight here


def _two_classes(rng, num_samples=96):
    """Class 0 lights the first half of 10 pixels, class 1 the second half."""
    labels = rng.integers(0, 2, num_samples)
    halves = np.where(
        labels[:, None] == 0, np.arange(10) < 5, np.arange(10) >= 5
    )
    return np.where(
        rng.random((num_samples, 10)) < 0.05, 1 - halves, halves
    ).astype("float32"), labels


def test_label_units_learn_and_condition_generation(rng, tmp_path):
    x, labels = _two_classes(rng)
    dbn = DBN(10, [8, 16], num_classes=2, seed=0)
    dbn.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.5))
    dbn.pretrain(
        x,
        labels,
        epochs=[30, 100],
        persistent_chains=16,
        batch_size=16,
        shuffle=False,
        verbose=0,
    )
    assert np.mean(dbn.predict_labels(x) == labels) > 0.9
    for label in (0, 1):
        samples = dbn.generate(200, seed=label, burn_in=200, labels=label)
        first, second = samples[:, :5].mean(), samples[:, 5:].mean()
        assert (first > second + 0.2) if label == 0 else (second > first + 0.2)
    assert dbn.transform(x).shape == (96, 16)
    assert dbn.to_classifier(2).output_shape == (None, 2)
    assert np.all(
        np.isfinite(dbn.log_likelihood_bound(x[:4], num_samples=10, seed=0))
    )
    assert_round_trip(dbn, tmp_path, call=lambda model: model.predict_labels(x))


def test_classifier_dropout_acts_in_training_only(data):
    dbn, _ = _trained(data)
    plain = dbn.to_classifier(3)
    dropped = dbn.to_classifier(3, dropout=0.5, input_dropout=0.25)
    rates = {
        layer.name: layer.rate
        for layer in dropped.layers
        if isinstance(layer, keras.layers.Dropout)
    }
    assert rates == {"input_dropout": 0.25, "dropout_0": 0.5, "dropout_1": 0.5}
    assert not any(
        isinstance(layer, keras.layers.Dropout) for layer in plain.layers
    )
    # Inference: the up-pass, exactly (NumPy sigmoids of the RBM weights).
    hidden = data
    for rbm in dbn.rbm_layers:
        kernel = keras.ops.convert_to_numpy(rbm.kernel)
        bias = keras.ops.convert_to_numpy(rbm.hidden_bias)
        hidden = 1 / (1 + np.exp(-(hidden @ kernel + bias)))
    features = keras.Model(dropped.inputs, dropped.get_layer("dense_1").output)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(features(data)), hidden, atol=1e-5
    )
    # Training: about half the hidden units of the top layer are zeroed and
    # the others scaled by 1 / (1 - 0.5).
    dropped_features = keras.Model(
        dropped.inputs, dropped.get_layer("dropout_1").output
    )
    trained = keras.ops.convert_to_numpy(dropped_features(data, training=True))
    zeros = np.mean(trained == 0)
    assert 0.35 < zeros < 0.65
    kept = trained != 0
    assert not np.allclose(trained[kept], hidden[kept], atol=1e-3)
    with pytest.raises(ValueError, match="dropout rate in"):
        dbn.to_classifier(3, dropout=1.0)
    with pytest.raises(ValueError, match="input_dropout"):
        dbn.to_classifier(3, input_dropout=-0.1)


def test_label_errors(data):
    with pytest.raises(ValueError, match="at least 2 layers"):
        DBN(10, [8], num_classes=2)
    dbn = DBN(10, [8, 6], num_classes=2, seed=0)
    dbn.compile(optimizer=keras.optimizers.SGD(0.1))
    with pytest.raises(
        ValueError, match="exactly when the DBN has label units"
    ):
        dbn.fit(data, epochs=1, verbose=0)
    plain, _ = _trained(data)
    with pytest.raises(ValueError, match="needs a DBN with label units"):
        plain.generate(2, labels=1)
    with pytest.raises(ValueError, match="needs a DBN with label units"):
        plain.predict_labels(data)


def test_regressor_reproduces_the_up_pass_and_fits(data, rng):
    dbn, _ = _trained(data)
    regressor = dbn.to_regressor(2)
    features = keras.Model(
        regressor.inputs, regressor.get_layer("dense_1").output
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(features(data)),
        dbn.transform(data),
        atol=1e-5,
    )
    assert regressor.output_shape == (None, 2)
    assert regressor.get_layer("output").activation.__name__ == "linear"
    targets = np.stack([data.sum(1), data[:, 0] - data[:, 1]], 1)
    regressor.compile(keras.optimizers.Adam(0.05), "mse")
    history = regressor.fit(data, targets, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    with pytest.raises(ValueError, match="num_outputs"):
        dbn.to_regressor(0)
    with pytest.raises(ValueError, match="Call `fit"):
        DBN(10, [4, 3]).to_regressor(1)
