import keras
import numpy as np
from keras import ops

from kgen import backend
from kgen.layers import GaussianSampling
from kgen.testing import assert_round_trip


def test_samples_have_the_requested_mean_and_variance():
    count = 20000
    mean = np.tile(np.array([[1.0, -2.0]], "float32"), (count, 1))
    variance = np.array([4.0, 0.25], "float32")
    log_var = np.tile(np.log(variance)[None], (count, 1))
    z = ops.convert_to_numpy(GaussianSampling(seed=0)([mean, log_var]))
    # Mean within 4 standard errors; variance within 4 standard errors of s^2.
    np.testing.assert_array_less(
        np.abs(z.mean(0) - [1.0, -2.0]), 4 * np.sqrt(variance / count)
    )
    np.testing.assert_array_less(
        np.abs(z.var(0) - variance), 4 * variance * np.sqrt(2 / count)
    )


def test_gradients_flow_to_mean_and_log_var(rng):
    layer = GaussianSampling()
    mean = rng.normal(size=(3, 2)).astype("float32")
    log_var = rng.normal(size=(3, 2)).astype("float32")
    z = ops.convert_to_numpy(layer([mean, log_var], seed=7))
    d_mean = backend.input_gradients(
        lambda m: layer([m, log_var], seed=7), mean
    )
    d_log_var = backend.input_gradients(
        lambda v: layer([mean, v], seed=7), log_var
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(d_mean), np.ones((3, 2)), rtol=1e-6
    )
    # dz / dlog_var = 0.5 * exp(0.5 * log_var) * epsilon = 0.5 * (z - mean)
    np.testing.assert_allclose(
        ops.convert_to_numpy(d_log_var), 0.5 * (z - mean), rtol=1e-4, atol=1e-6
    )


def test_stream_advances_and_is_reproducible():
    zeros = np.zeros((2, 3), "float32")
    first, second = GaussianSampling(seed=3), GaussianSampling(seed=3)
    a, b = first([zeros, zeros]), first([zeros, zeros])
    assert not np.allclose(ops.convert_to_numpy(a), ops.convert_to_numpy(b))
    np.testing.assert_allclose(
        ops.convert_to_numpy(second([zeros, zeros])), ops.convert_to_numpy(a)
    )


def test_round_trip_keeps_the_stream(tmp_path):
    mean, log_var = keras.Input((3,)), keras.Input((3,))
    layer = GaussianSampling(seed=5)
    model = keras.Model([mean, log_var], layer([mean, log_var]))
    zeros = np.zeros((2, 3), "float32")
    layer(
        [zeros, zeros]
    )  # advance the stream: the saved state is not the initial one
    loaded = assert_round_trip(model, tmp_path)
    reloaded = loaded.layers[-1]
    np.testing.assert_allclose(
        ops.convert_to_numpy(reloaded([zeros, zeros])),
        ops.convert_to_numpy(layer([zeros, zeros])),
    )
    assert reloaded.get_config()["seed"] == 5
