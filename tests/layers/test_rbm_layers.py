"""RBM layers against NumPy references computed from their weights."""

import itertools

import keras
import numpy as np
import pytest
from keras import ops
from scipy.special import expit
from scipy.special import log_softmax
from scipy.special import logsumexp

import kgen


def built(layer, num_visible, rng, scale=1.0):
    """Builds `layer` and gives it random weights (log_sigma left alone)."""
    layer.build((None, num_visible))
    for variable in layer.weights:
        if variable.name != "log_sigma":
            variable.assign(
                scale * rng.normal(size=variable.shape).astype("float32")
            )
    return layer


@pytest.fixture
def bernoulli(rng):
    return built(kgen.layers.BernoulliRBM(3, seed=0), 5, rng)


@pytest.fixture
def gaussian(rng):
    layer = built(
        kgen.layers.GaussianBernoulliRBM(3, learn_sigma=True, seed=0),
        4,
        rng,
        0.5,
    )
    layer.log_sigma.assign(np.log([0.5, 1.0, 1.5, 2.0]).astype("float32"))
    return layer


@pytest.fixture
def categorical(rng):
    return built(
        kgen.layers.CategoricalRBM(3, num_categories=3, seed=0), 6, rng
    )


def weights(layer):
    return {v.name: v.numpy().astype("float64") for v in layer.weights}


def numpy_(x):
    return ops.convert_to_numpy(x)


def test_bernoulli_matches_numpy(bernoulli, rng):
    p = weights(bernoulli)
    v = (rng.random((7, 5)) < 0.5).astype("float32")
    h = (rng.random((7, 3)) < 0.5).astype("float32")
    field = v @ p["kernel"] + p["hidden_bias"]
    energy = (
        -v @ p["visible_bias"]
        - h @ p["hidden_bias"]
        - np.sum((v @ p["kernel"]) * h, axis=1)
    )
    free_energy = -v @ p["visible_bias"] - np.logaddexp(0, field).sum(axis=1)
    np.testing.assert_allclose(
        numpy_(bernoulli.energy(v, h)), energy, rtol=1e-5
    )
    np.testing.assert_allclose(
        numpy_(bernoulli.free_energy(v)), free_energy, rtol=1e-5
    )
    np.testing.assert_allclose(numpy_(bernoulli(v)), expit(field), rtol=1e-5)
    visible = expit(h @ p["kernel"].T + p["visible_bias"])
    np.testing.assert_allclose(
        numpy_(bernoulli.visible_probabilities(h)), visible, rtol=1e-5
    )
    reconstruction = expit(expit(field) @ p["kernel"].T + p["visible_bias"])
    np.testing.assert_allclose(
        numpy_(bernoulli.reconstruct(v)), reconstruction, rtol=1e-5
    )


def test_free_energy_sums_out_the_hidden_units(
    bernoulli, gaussian, categorical, rng
):
    for layer, v in (
        (bernoulli, (rng.random((4, 5)) < 0.5)),
        (gaussian, rng.normal(size=(4, 4))),
        (categorical, categorical.one_hot(rng.integers(0, 3, (4, 2)))),
    ):
        v = v.astype("float32")
        hidden = np.array(list(itertools.product([0, 1], repeat=3)), "float32")
        energies = np.stack(
            [numpy_(layer.energy(v, np.tile(h, (4, 1)))) for h in hidden],
            axis=1,
        )
        np.testing.assert_allclose(
            numpy_(layer.free_energy(v)),
            -logsumexp(-energies.astype("float64"), axis=1),
            rtol=1e-5,
        )


def test_gaussian_matches_numpy(gaussian, rng):
    p = weights(gaussian)
    variance = np.exp(2 * p["log_sigma"])
    v = rng.normal(size=(6, 4)).astype("float32")
    h = (rng.random((6, 3)) < 0.5).astype("float32")
    field = (v / variance) @ p["kernel"] + p["hidden_bias"]
    quadratic = ((v - p["visible_bias"]) ** 2 / (2 * variance)).sum(axis=1)
    energy = (
        quadratic
        - h @ p["hidden_bias"]
        - np.sum(((v / variance) @ p["kernel"]) * h, axis=1)
    )
    np.testing.assert_allclose(numpy_(gaussian.energy(v, h)), energy, rtol=1e-5)
    free_energy = quadratic - np.logaddexp(0, field).sum(axis=1)
    np.testing.assert_allclose(
        numpy_(gaussian.free_energy(v)), free_energy, rtol=1e-5
    )
    np.testing.assert_allclose(
        numpy_(gaussian.hidden_probabilities(v)), expit(field), rtol=1e-5
    )
    mean = h @ p["kernel"].T + p["visible_bias"]
    np.testing.assert_allclose(
        numpy_(gaussian.visible_probabilities(h)), mean, rtol=1e-5, atol=1e-6
    )
    samples = numpy_(
        gaussian.sample_visible(np.repeat(h[:1], 20000, axis=0), seed=1)
    )
    np.testing.assert_allclose(samples.mean(axis=0), mean[0], atol=0.05)
    np.testing.assert_allclose(
        samples.std(axis=0), np.sqrt(variance), rtol=0.03
    )


def test_categorical_matches_numpy(categorical, rng):
    p = weights(categorical)
    h = (rng.random((5, 3)) < 0.5).astype("float32")
    logits = (h @ p["kernel"].T + p["visible_bias"]).reshape(5, 2, 3)
    probabilities = np.exp(log_softmax(logits, axis=-1)).reshape(5, 6)
    np.testing.assert_allclose(
        numpy_(categorical.visible_probabilities(h)), probabilities, rtol=1e-5
    )
    samples = numpy_(
        categorical.sample_visible(np.repeat(h[:1], 20000, axis=0), seed=2)
    )
    assert set(np.unique(samples.reshape(-1, 2, 3).sum(axis=-1))) == {1.0}
    np.testing.assert_allclose(
        samples.mean(axis=0), probabilities[0], atol=0.02
    )


def test_categorical_missing_groups_stay_missing(categorical):
    v = categorical.one_hot([[2, -1], [-1, 0]])
    np.testing.assert_array_equal(v[0], [0, 0, 1, 0, 0, 0])
    chain = numpy_(categorical.gibbs(v, k=3, seed=0))
    np.testing.assert_array_equal(
        chain.reshape(2, 2, 3).sum(axis=-1), [[1, 0], [0, 1]]
    )
    np.testing.assert_array_equal(numpy_(categorical.reconstruct(v))[0, 3:], 0)


def test_gibbs_clamps_and_is_seeded(bernoulli, rng):
    v = (rng.random((50, 5)) < 0.5).astype("float32")
    clamp = np.zeros_like(v)
    clamp[:, :2] = 1
    chain = numpy_(bernoulli.gibbs(v, k=5, seed=3, clamp=clamp))
    np.testing.assert_array_equal(chain[:, :2], v[:, :2])
    assert not np.array_equal(chain[:, 2:], v[:, 2:])
    np.testing.assert_array_equal(
        chain, numpy_(bernoulli.gibbs(v, k=5, seed=3, clamp=clamp))
    )
    np.testing.assert_array_equal(numpy_(bernoulli.gibbs(v, k=0)), v)


def test_tempered_parameters_scale_the_energy(bernoulli, gaussian, rng):
    for layer, v in (
        (bernoulli, rng.random((3, 5)) < 0.5),
        (gaussian, rng.normal(size=(3, 4))),
    ):
        v = v.astype("float32")
        h = (rng.random((3, 3)) < 0.5).astype("float32")
        hot = layer.parameters(temperature=2.0)
        # The energy of the tempered model is E / T up to a constant in (v, h).
        difference = (
            numpy_(layer.energy(v, h, hot)) - numpy_(layer.energy(v, h)) / 2.0
        )
        np.testing.assert_allclose(difference, difference[0], atol=1e-5)


def test_parameters_are_values_not_variables(bernoulli, gaussian, categorical):
    # A training step reads each parameter once: a TensorFlow variable
    # handed on would be read again at each use, and a use could then see
    # the step's own update (a race Grappler's dependency optimizer opens).
    for layer in (bernoulli, gaussian, categorical):
        for name, value in layer.parameters().items():
            assert not hasattr(value, "assign"), (type(layer).__name__, name)
            np.testing.assert_array_equal(
                numpy_(value), numpy_(getattr(layer, name))
            )


SURROGATE_CASES = {
    "bernoulli": (lambda: kgen.layers.BernoulliRBM(3), 5, "binary"),
    "gaussian": (
        lambda: kgen.layers.GaussianBernoulliRBM(3, learn_sigma=True),
        4,
        "real",
    ),
    "categorical": (
        lambda: kgen.layers.CategoricalRBM(3, num_categories=3),
        6,
        "one_hot",
    ),
    "labelled": (
        lambda: kgen.layers.LabelledBernoulliRBM(3, num_classes=2),
        5,
        "labelled",
    ),
    "bernoulli_gaussian": (
        lambda: kgen.layers.BernoulliGaussianRBM(3),
        5,
        "binary",
    ),
    "gaussian_gaussian": (
        lambda: kgen.layers.GaussianGaussianRBM(3),
        4,
        "real",
    ),
}


def surrogate_data(kind, num_visible, rng):
    if kind == "binary":
        return (rng.random((7, num_visible)) < 0.5).astype("float32")
    if kind == "real":
        return rng.normal(size=(7, num_visible)).astype("float32")
    labels = np.eye(2 if kind == "labelled" else 3)[rng.integers(0, 2, 14)]
    if kind == "one_hot":
        return labels.reshape(7, -1)[:, :num_visible].astype("float32")
    features = rng.random((7, num_visible - 2))
    return np.concatenate([features, labels[:7]], axis=1).astype("float32")


@pytest.mark.parametrize("case", sorted(SURROGATE_CASES))
def test_free_energy_surrogate_has_the_free_energy_gradient(case, rng):
    # CD trains on the energy at the hidden mean (held fixed) instead of
    # the free energy: same gradient for every parameter, no softplus.
    make, num_visible, kind = SURROGATE_CASES[case]
    layer = built(make(), num_visible, rng, scale=0.3)
    v = ops.convert_to_tensor(surrogate_data(kind, num_visible, rng))
    names = [name for name, _ in layer._parameter_variables()]
    values = [numpy_(getattr(layer, name)) for name in names]
    sizes = [value.size for value in values]

    def unflatten(flat):
        pieces = ops.split(flat, np.cumsum(sizes)[:-1].tolist())
        return {
            name: ops.reshape(piece, value.shape)
            for name, piece, value in zip(names, pieces, values)
        }

    def free_energy(flat):
        return layer.free_energy(v, unflatten(flat))

    def surrogate(flat):
        p = unflatten(flat)
        return layer.free_energy_surrogate(v, layer.hidden_field(v, p), p)

    flat = np.concatenate([value.ravel() for value in values])
    want = numpy_(kgen.backend.input_gradients(free_energy, flat))
    received = numpy_(kgen.backend.input_gradients(surrogate, flat))
    assert np.abs(want).max() > 0.1
    np.testing.assert_allclose(received, want, rtol=1e-4, atol=1e-5)
    # Its value is the energy of `v` with the hidden means.
    means = layer.hidden_probabilities(v)
    np.testing.assert_allclose(
        numpy_(surrogate(flat)),
        numpy_(layer.energy(v, means)),
        rtol=1e-5,
        atol=1e-5,
    )


def test_drops_into_sequential_and_round_trips(
    bernoulli, gaussian, categorical, tmp_path, rng
):
    for layer in (bernoulli, gaussian, categorical):
        model = keras.Sequential(
            [keras.Input((layer.num_visible,)), layer, keras.layers.Dense(2)]
        )
        x = rng.random((4, layer.num_visible)).astype("float32")
        path = str(tmp_path / f"{layer.name}.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
        np.testing.assert_allclose(
            loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6
        )
        restored = loaded.layers[0]
        assert type(restored) is type(layer)
        assert restored.get_config() == layer.get_config()
        for a, b in zip(layer.weights, restored.weights):
            np.testing.assert_array_equal(numpy_(a), numpy_(b))


def test_bad_input_is_rejected(bernoulli, categorical):
    with pytest.raises(
        ValueError, match=r"must lie in \[0, 1\].*Received values in \[0, 2\]"
    ):
        bernoulli.check_data(np.array([[0.0, 1, 1, 1, 2]]))
    with pytest.raises(ValueError, match="NaN or infinite"):
        bernoulli.check_data(np.full((2, 5), np.nan))
    with pytest.raises(
        ValueError, match=r"shape \(5,\).*Received shape \(2, 4\)"
    ):
        bernoulli.check_data(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="is empty"):
        bernoulli.check_data(np.zeros((0, 5)))
    with pytest.raises(ValueError, match="one-hot groups of 3"):
        categorical.check_data(np.ones((2, 6)))
    with pytest.raises(ValueError, match="multiple of 3 visible units"):
        kgen.layers.CategoricalRBM(2, num_categories=3).build((None, 7))
    with pytest.raises(ValueError, match="num_hidden"):
        kgen.layers.BernoulliRBM(0)
    with pytest.raises(ValueError, match="sigma"):
        kgen.layers.GaussianBernoulliRBM(2, sigma=0.0)


def test_gaussian_warns_on_unstandardised_data(gaussian, rng):
    with pytest.warns(UserWarning, match="StandardScaler"):
        gaussian.check_data(10.0 + 5.0 * rng.normal(size=(100, 4)))
