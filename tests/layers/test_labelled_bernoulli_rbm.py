import itertools

import keras
import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.special import softmax

from kgen.layers import LabelledBernoulliRBM


@pytest.fixture
def layer(rng):
    layer = LabelledBernoulliRBM(3, num_classes=3, seed=0)
    layer.build((None, 5))
    for variable in (layer.kernel, layer.visible_bias, layer.hidden_bias):
        variable.assign(rng.normal(size=variable.shape).astype("float32"))
    return layer


def _numpy(layer):
    return [
        keras.ops.convert_to_numpy(v)
        for v in (layer.kernel, layer.visible_bias, layer.hidden_bias)
    ]


def test_hidden_free_energy_sums_over_features_and_one_hot_labels(layer, rng):
    kernel, visible_bias, hidden_bias = _numpy(layer)
    visible = np.array(
        [
            [*f, *np.eye(3)[c]]
            for f in itertools.product([0, 1], repeat=2)
            for c in range(3)
        ]
    )
    h = (rng.random((4, 3)) < 0.5).astype("float32")
    log_joint = (
        (visible @ visible_bias)[:, None]
        + (visible @ kernel) @ h.T
        + h @ hidden_bias
    )  # (12, 4)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer.hidden_free_energy(h)),
        -logsumexp(log_joint, axis=0),
        rtol=1e-5,
    )


def test_conditionals_and_samples(layer, rng):
    kernel, visible_bias, _ = _numpy(layer)
    h = (rng.random((2000, 3)) < 0.5).astype("float32")
    h[:] = h[0]
    field = h @ kernel.T + visible_bias
    mean = keras.ops.convert_to_numpy(layer.visible_probabilities(h))
    np.testing.assert_allclose(
        mean[:, :2], 1 / (1 + np.exp(-field[:, :2])), atol=1e-6
    )
    np.testing.assert_allclose(
        mean[:, 2:], softmax(field[:, 2:], axis=1), atol=1e-6
    )
    samples = keras.ops.convert_to_numpy(layer.sample_visible(h, seed=0))
    np.testing.assert_array_equal(samples[:, 2:].sum(axis=1), 1.0)
    np.testing.assert_allclose(samples.mean(axis=0), mean[0], atol=0.04)


def test_join_and_bad_data(layer):
    joined = layer.join(np.zeros((2, 2)), [2, 0])
    np.testing.assert_array_equal(joined, [[0, 0, 0, 0, 1], [0, 0, 1, 0, 0]])
    with pytest.raises(ValueError, match=r"class ids in \[0, 2\]"):
        layer.join(np.zeros((2, 2)), [3, 0])
    with pytest.raises(ValueError, match="one-hot label"):
        layer.check_data(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        layer.check_data(np.array([[2.0, 0, 1, 0, 0]]))
