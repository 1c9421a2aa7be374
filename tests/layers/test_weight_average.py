"""WeightAverage: the moving average of any network, subclassed included."""

import keras
import numpy as np
import pytest

import kgen


def numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(2)
        self.norm = keras.layers.BatchNormalization()

    def call(self, x, training=False):
        return self.norm(self.dense(x), training=training)


def test_average_of_a_subclassed_network():
    network = Subclassed()
    network(np.zeros((1, 3), "float32"))
    average = kgen.layers.WeightAverage(network, decay=0.5)
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    np.testing.assert_allclose(numpy(average(x)), numpy(network(x)), atol=1e-6)
    start = numpy(network.dense.kernel).copy()
    new_kernel = start + 1.0
    network.dense.kernel.assign(new_kernel)
    network.norm.moving_mean.assign(np.full(2, 0.3, "float32"))
    average.update()  # warm-up decay min(0.5, 2 / 11)
    average.update()  # min(0.5, 3 / 12)
    expected = start
    for decay in (2 / 11, 0.25):
        expected = decay * expected + (1 - decay) * new_kernel
    np.testing.assert_allclose(numpy(average.averages[0]), expected, atol=1e-6)
    mean = [w is network.norm.moving_mean for w in network.weights].index(True)
    np.testing.assert_allclose(numpy(average.averages[mean]), 0.3)  # copied
    # The network keeps its own weights; the average computes with its own.
    np.testing.assert_allclose(numpy(network.dense.kernel), new_kernel)
    reference = network.norm(x @ expected + numpy(network.dense.bias))
    np.testing.assert_allclose(numpy(average(x)), numpy(reference), atol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match="must be a built Keras layer"):
        kgen.layers.WeightAverage(keras.layers.Dense(2))
    built = keras.layers.Dense(2)
    built.build((None, 3))
    with pytest.raises(
        ValueError, match=r"`decay` must be a number in \[0, 1\)"
    ):
        kgen.layers.WeightAverage(built, decay=1.0)
