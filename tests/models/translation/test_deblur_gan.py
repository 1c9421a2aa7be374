"""DeblurGAN: one step against a NumPy reference, resuming, options, errors."""

import keras
import numpy as np
import pytest
from translation_reference import affine
from translation_reference import numeric_gradients
from translation_reference import pixel_network

import kgen

RNG = np.random.default_rng(0)
BLURRED = RNG.uniform(-0.5, 0.5, (3, 2, 2, 1)).astype("float32")
SHARP = RNG.uniform(-1, 1, (3, 2, 2, 1)).astype("float32")


def tiny_deblur_gan(**kwargs):
    generator = pixel_network(1, 1, seed=1)
    generator.set_weights([w * 0.5 for w in generator.get_weights()])
    return kgen.models.DeblurGAN(
        generator,
        pixel_network(1, 1, seed=2),  # a 2x2 map of patch scores
        seed=0,
        **kwargs,
    )


def as64(network):
    return [w.astype("float64") for w in network.get_weights()]


def restore(x, g_params):
    return np.clip(x + affine(x, g_params), -1.0, 1.0)


def critic_penalty(d_params):
    """WGAN-GP penalty of an affine per-pixel critic, exactly.

    An image's score is the mean of its 4 patch scores `x @ k + b`, so its
    gradient is `k / 4` at every pixel, wherever it is evaluated: the norm
    is `|k| / 2` for one channel.
    """
    norm = np.sqrt(np.sum(d_params[0] ** 2) / 4 + 1e-12)
    return (norm - 1.0) ** 2


def test_step_updates_each_network_in_its_phase_as_numpy():
    """Two critic steps on restorations made once, then one G step."""
    model = tiny_deblur_gan(content_weight=3.0, critic_steps=2)
    model.compile(
        optimizer={
            "critic": keras.optimizers.SGD(0.1),
            "generator": keras.optimizers.SGD(0.2),
        }
    )
    g, d = as64(model.generator), as64(model.critic)
    x, y = BLURRED.astype("float64"), SHARP.astype("float64")
    restored = restore(x, g)  # before the generator's update

    def critic_loss(d_params):
        wasserstein = np.mean(affine(restored, d_params)) - np.mean(
            affine(y, d_params)
        )
        return wasserstein + 10.0 * critic_penalty(d_params)

    visited = [d]  # the critic's weights before each of its two updates
    for _ in range(2):
        grads = numeric_gradients(critic_loss, visited[-1])
        visited.append([p - 0.1 * q for p, q in zip(visited[-1], grads)])
    new_d = visited[-1]

    def generator_loss(g_params):
        fake = restore(x, g_params)
        adversarial = -np.mean(affine(fake, new_d))
        return adversarial + 3.0 * np.mean((fake - y) ** 2)

    new_g = [
        p - 0.2 * q for p, q in zip(g, numeric_gradients(generator_loss, g))
    ]
    history = model.fit(BLURRED, SHARP, batch_size=3, shuffle=False, verbose=0)
    for expected, received in zip(
        new_d + new_g,
        model.critic.get_weights() + model.generator.get_weights(),
    ):
        np.testing.assert_allclose(received, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        history.history["critic_loss"][0],
        np.mean([critic_loss(p) for p in visited[:2]]),
        rtol=1e-4,
    )
    np.testing.assert_allclose(
        history.history["generator_loss"][0], generator_loss(g), rtol=1e-4
    )
    np.testing.assert_allclose(
        history.history["content"][0], np.mean((restored - y) ** 2), rtol=1e-4
    )


def test_content_loss_through_a_feature_extractor_as_numpy():
    extractor_a = pixel_network(1, 2, seed=3)
    inputs = keras.Input((2, 2, 1))
    extractor = keras.Model(
        inputs, [extractor_a(inputs), keras.layers.Flatten()(inputs)]
    )
    model = tiny_deblur_gan(feature_extractor=extractor)
    assert not model.feature_extractor.trainable
    a = as64(extractor_a)
    x, y = BLURRED.astype("float64"), SHARP.astype("float64")
    expected = 0.5 * (
        np.mean((affine(x, a) - affine(y, a)) ** 2) + np.mean((x - y) ** 2)
    )
    received = keras.ops.convert_to_numpy(model.content_loss(BLURRED, SHARP))
    np.testing.assert_allclose(received, expected, rtol=1e-5)
    pixels = tiny_deblur_gan().content_loss(BLURRED, SHARP)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(pixels), np.mean((x - y) ** 2), rtol=1e-5
    )


def test_log_mse_content_loss_as_numpy(tmp_path):
    """The mean over images of 10 log10(per-image MSE), and minus the mean
    PSNR (data range 2) up to a constant."""
    from skimage import metrics

    model = tiny_deblur_gan(content_metric="log_mse")
    x, y = BLURRED.astype("float64"), SHARP.astype("float64")
    mse = np.mean((x - y) ** 2, axis=(1, 2, 3))
    received = keras.ops.convert_to_numpy(model.content_loss(BLURRED, SHARP))
    np.testing.assert_allclose(
        received, np.mean(10 * np.log10(mse + 1e-8)), rtol=1e-5
    )
    psnr = [
        metrics.peak_signal_noise_ratio(a, b, data_range=2.0)
        for a, b in zip(y, x)
    ]
    np.testing.assert_allclose(
        received, 10 * np.log10(4.0) - np.mean(psnr), rtol=1e-4
    )
    loaded = kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m.deblur(BLURRED)
    )
    assert loaded.content_metric == "log_mse"
    with pytest.raises(ValueError, match="`content_metric` must be one of"):
        tiny_deblur_gan(content_metric="l1")


def test_resumed_training_matches_uninterrupted_training(tmp_path):
    def fresh():
        model = tiny_deblur_gan(
            critic_steps=1,
            instance_noise=0.1,
            feature_extractor=pixel_network(1, 2, seed=3),
        )
        model.compile(optimizer=keras.optimizers.Adam(1e-2))
        return model

    def train(model):
        model.fit(BLURRED, SHARP, batch_size=2, shuffle=False, verbose=0)

    model = fresh()
    train(model)
    loaded = kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m.deblur(BLURRED)
    )
    assert not loaded.feature_extractor.trainable
    train(model)
    train(loaded)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_residual_option_and_evaluate():
    model = tiny_deblur_gan()
    model.compile(optimizer="adam")
    weights = model.generator.get_weights()
    np.testing.assert_allclose(
        model.deblur(BLURRED), restore(BLURRED, weights), atol=1e-6
    )
    plain = tiny_deblur_gan(residual=False)
    np.testing.assert_allclose(
        plain.translate(BLURRED), affine(BLURRED, weights), atol=1e-6
    )
    before = model.get_weights()
    logs = model.evaluate(BLURRED, SHARP, verbose=0, return_dict=True)
    assert {"critic_loss", "generator_loss", "content", "d_real"} <= set(logs)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_zero_output_generator_starts_at_the_identity():
    """`restore(x) = clip(x + 0, -1, 1)`: the input itself, exactly."""
    shape = (4, 4, 1)
    x = RNG.uniform(-1, 1, (4, *shape)).astype("float32")
    model = kgen.models.DeblurGAN(
        kgen.models.build_resnet_generator(
            shape,
            base_filters=2,
            num_downsampling=0,
            num_blocks=1,
            zero_output=True,
        ),
        pixel_network(1, 1, seed=2, size=4),
        critic_steps=1,
        seed=0,
    )
    np.testing.assert_array_equal(model.deblur(x), x)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    model.fit(x, np.flip(x, 1).copy(), batch_size=4, verbose=0)
    assert np.abs(model.deblur(x) - x).max() > 1e-4


class Failing(keras.Model):
    def call(self, x):
        return keras.ops.reshape(x, (-1, 5))


def test_errors():
    with pytest.raises(ValueError, match=r"must take images of shape"):
        kgen.models.DeblurGAN(pixel_network(1, 1, 0), pixel_network(2, 1, 0))
    with pytest.raises(ValueError, match=r"output shape must be \(2, 2, 1\)"):
        kgen.models.DeblurGAN(pixel_network(1, 2, 0), pixel_network(1, 1, 0))
    with pytest.raises(ValueError, match=r"input shape \(3, 3, 1\)"):
        tiny_deblur_gan(feature_extractor=pixel_network(1, 1, 0, size=3))
    with pytest.raises(ValueError, match="feature extractor failed"):
        tiny_deblur_gan(feature_extractor=Failing())
    with pytest.raises(
        ValueError, match="`content_weight` must be a number >= 0"
    ):
        tiny_deblur_gan(content_weight=-1.0)
    with pytest.raises(ValueError, match="critic_steps"):
        tiny_deblur_gan(critic_steps=0)
    with pytest.raises(ValueError, match="`residual` must be True or False"):
        tiny_deblur_gan(residual="yes")
    model = tiny_deblur_gan()
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="trains on pairs"):
        model.fit(BLURRED, verbose=0)
    with pytest.raises(ValueError, match=r"must lie in \[-1.0, 1.0\]"):
        model.fit(BLURRED, SHARP * 255, verbose=0)
    with pytest.raises(ValueError, match=r"samples of shape \(2, 2, 1\)"):
        model.deblur(np.zeros((2, 3, 3, 1), "float32"))
    with pytest.raises(NotImplementedError, match="deblur"):
        model.generate(2)
