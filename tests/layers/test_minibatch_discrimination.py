"""MinibatchDiscrimination against a NumPy reference; in a GAN with fit."""

import keras
import numpy as np
import pytest
from keras import ops

import kgen


def numpy_reference(x, kernel, num_kernels, kernel_dim):
    rows = (x @ kernel).reshape(len(x), num_kernels, kernel_dim)
    closeness = np.zeros((len(x), num_kernels))
    for i in range(len(x)):
        for j in range(len(x)):
            closeness[i] += np.exp(-np.abs(rows[i] - rows[j]).sum(-1))
    return np.concatenate([x, closeness], axis=1)


def test_matches_numpy_reference_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4)).astype("float32")
    layer = kgen.layers.MinibatchDiscrimination(3, 2)
    output = ops.convert_to_numpy(layer(x))
    kernel = ops.convert_to_numpy(layer.kernel).astype("float64")
    expected = numpy_reference(x.astype("float64"), kernel, 3, 2)
    np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None, 4)) == (None, 7)
    # A collapsed batch (one sample repeated) scores the batch size, n.
    same = ops.convert_to_numpy(layer(np.repeat(x[:1], 5, axis=0)))
    np.testing.assert_allclose(same[:, 4:], 5.0, rtol=1e-6)
    model = keras.Sequential([keras.Input((4,)), layer])
    kgen.testing.assert_round_trip(model, tmp_path, call=lambda m: m(x))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(num_kernels=0, kernel_dim=2), "num_kernels"),
        (dict(num_kernels=2, kernel_dim=1.5), "kernel_dim"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kgen.layers.MinibatchDiscrimination(**kwargs)


def test_needs_flat_features():
    layer = kgen.layers.MinibatchDiscrimination(2, 2)
    with pytest.raises(ValueError, match="Flatten convolutional features"):
        layer(np.zeros((2, 4, 4, 1), "float32"))


def test_gan_with_minibatch_discrimination_trains_with_fit():
    discriminator = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation="relu"),
            kgen.layers.MinibatchDiscrimination(4, 3),
            keras.layers.Dense(1),
        ]
    )
    generator = kgen.models.build_mlp_generator(4, (6,), (8,))
    gan = kgen.models.GAN(generator, discriminator, latent_dim=4, seed=0)
    gan.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = discriminator.layers[1].get_weights()[0].copy()
    x = np.random.default_rng(0).uniform(size=(16, 6)).astype("float32")
    history = gan.fit(x, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["generator_loss"][-1])
    assert np.any(discriminator.layers[1].get_weights()[0] != before)
