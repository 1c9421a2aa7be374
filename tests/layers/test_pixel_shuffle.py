"""PixelShuffle against a NumPy reference and tf.nn.depth_to_space."""

import keras
import numpy as np
import pytest
from keras import ops

import kgen


def numpy_pixel_shuffle(x, r):
    """`out[b, h r + i, w r + j, k] = x[b, h, w, (i r + j) c + k]`, looped."""
    batch, height, width, depth = x.shape
    channels = depth // (r * r)
    out = np.zeros((batch, height * r, width * r, channels), x.dtype)
    for h, w, i, j in np.ndindex(height, width, r, r):
        start = (i * r + j) * channels
        out[:, h * r + i, w * r + j] = x[:, h, w, start : start + channels]
    return out


@pytest.mark.parametrize("scale, channels", [(2, 3), (3, 1), (4, 2)])
def test_matches_numpy(scale, channels):
    x = np.random.default_rng(scale).normal(size=(2, 3, 5, channels * scale**2))
    x = x.astype("float32")
    layer = kgen.layers.PixelShuffle(scale)
    np.testing.assert_array_equal(
        ops.convert_to_numpy(layer(x)), numpy_pixel_shuffle(x, scale)
    )


def test_matches_tensorflow_depth_to_space():
    if keras.backend.backend() != "tensorflow":
        pytest.skip("tf.nn.depth_to_space is the reference on TensorFlow")
    import tensorflow as tf

    x = np.arange(2 * 3 * 4 * 12, dtype="float32").reshape(2, 3, 4, 12)
    expected = tf.nn.depth_to_space(x, 2).numpy()
    received = ops.convert_to_numpy(kgen.layers.PixelShuffle(2)(x))
    np.testing.assert_array_equal(received, expected)
    np.testing.assert_array_equal(expected, numpy_pixel_shuffle(x, 2))


def test_any_image_size_and_round_trip(tmp_path):
    inputs = keras.Input((None, None, 8))
    model = keras.Model(inputs, kgen.layers.PixelShuffle(2)(inputs))
    assert model.output_shape == (None, None, None, 2)
    x = np.random.default_rng(0).normal(size=(1, 3, 7, 8)).astype("float32")
    assert model.predict(x, verbose=0).shape == (1, 6, 14, 2)
    path = str(tmp_path / "shuffle.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[-1].get_config()["scale"] == 2
    np.testing.assert_array_equal(
        loaded.predict(x, verbose=0), numpy_pixel_shuffle(x, 2)
    )


def test_errors():
    with pytest.raises(ValueError, match="`scale` must be an integer >= 2"):
        kgen.layers.PixelShuffle(1)
    with pytest.raises(ValueError, match="channels divisible by 4"):
        kgen.layers.PixelShuffle(2)(np.zeros((1, 2, 2, 6), "float32"))
