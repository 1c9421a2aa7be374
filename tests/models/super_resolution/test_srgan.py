"""SRGAN / SRResNet: one step against a NumPy reference, resuming, upscaling
any size (tiled or not), builders and errors."""

import keras
import numpy as np
import pytest
from keras import ops

import kgen

RNG = np.random.default_rng(0)
LOW = RNG.uniform(-1, 1, (3, 2, 2, 1)).astype("float32")
HIGH = RNG.uniform(-1, 1, (3, 4, 4, 1)).astype("float32")


def pixel_network(in_channels, units, seed, shuffle=False):
    """Dense on the channel axis (a 1x1 convolution), any image size."""
    layers = [keras.Input((None, None, in_channels)), keras.layers.Dense(units)]
    if shuffle:
        layers.append(kgen.layers.PixelShuffle(2))
    network = keras.Sequential(layers)
    rng = np.random.default_rng(seed)
    network.set_weights(
        [rng.normal(0, 0.5, w.shape).astype("float32") for w in network.weights]
    )
    return network


def tiny_srgan(adversarial_weight=0.5, content_model=None, **kwargs):
    generator = pixel_network(1, 4, seed=1, shuffle=True)  # x2
    discriminator = pixel_network(1, 1, seed=2) if adversarial_weight else None
    return kgen.models.SRGAN(
        generator,
        discriminator,
        content_model=content_model,
        adversarial_weight=adversarial_weight,
        seed=0,
        **kwargs,
    )


def shuffle(x, r=2):
    """NumPy depth-to-space (tf.nn.depth_to_space semantics)."""
    b, h, w, depth = x.shape
    c = depth // (r * r)
    x = x.reshape(b, h, w, r, r, c).transpose(0, 1, 3, 2, 4, 5)
    return x.reshape(b, h * r, w * r, c)


def affine(x, params):
    kernel, bias = params
    return x @ kernel + bias


def softplus(x):
    return np.logaddexp(0.0, x)


def numeric_gradients(loss, params, eps=1e-6):
    grads = []
    for i, p in enumerate(params):
        grad = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            shifted = [q.copy() for q in params]
            shifted[i][index] += eps
            up = loss(shifted)
            shifted[i][index] -= 2 * eps
            grad[index] = (up - loss(shifted)) / (2 * eps)
        grads.append(grad)
    return grads


def as64(network):
    return [w.astype("float64") for w in network.get_weights()]


def sgd_step(params, loss, rate):
    grads = numeric_gradients(loss, params)
    return [p - rate * g for p, g in zip(params, grads)]


def assert_weights(network, expected):
    for received, wanted in zip(network.get_weights(), expected):
        np.testing.assert_allclose(received, wanted, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("with_content_model", [False, True])
def test_step_updates_each_network_in_its_phase_as_numpy(with_content_model):
    """G on content + w * adversarial, then D on G's fakes before its step."""
    content = pixel_network(1, 2, seed=3) if with_content_model else None
    model = tiny_srgan(0.5, content_model=content)
    model.compile(
        optimizer={
            "generator": keras.optimizers.SGD(0.1),
            "discriminator": keras.optimizers.SGD(0.2),
        }
    )
    g, d = as64(model.generator), as64(model.discriminator)
    phi = as64(content) if content else None
    low, high = LOW.astype("float64"), HIGH.astype("float64")

    def features(images):
        return images if phi is None else affine(images, phi)

    def content_loss(fake):
        return np.mean((features(fake) - features(high)) ** 2)

    def generator_loss(g_params):
        fake = shuffle(affine(low, g_params))
        adversarial = np.mean(softplus(-affine(fake, d)))
        return content_loss(fake) + 0.5 * adversarial

    def discriminator_loss(d_params):
        fake = shuffle(affine(low, g))  # before the generator's update
        return np.mean(softplus(-affine(high, d_params))) + np.mean(
            softplus(affine(fake, d_params))
        )

    new_g = sgd_step(g, generator_loss, 0.1)
    new_d = sgd_step(d, discriminator_loss, 0.2)
    history = model.fit(LOW, HIGH, batch_size=3, shuffle=False, verbose=0)
    assert_weights(model.generator, new_g)
    assert_weights(model.discriminator, new_d)
    if content:
        assert_weights(content, phi)  # frozen
        assert not content.trainable
    logs = {k: v[0] for k, v in history.history.items()}
    np.testing.assert_allclose(
        logs["generator_loss"], generator_loss(g), rtol=1e-5
    )
    fake = shuffle(affine(low, g))
    np.testing.assert_allclose(logs["content"], content_loss(fake), rtol=1e-5)
    np.testing.assert_allclose(
        logs["discriminator_loss"], discriminator_loss(d), rtol=1e-5
    )


def test_srresnet_trains_the_generator_alone_on_pixel_mse():
    model = tiny_srgan(adversarial_weight=0.0)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    assert model.discriminator is None
    assert [p.name for p in model.build_phases()] == ["generator"]
    g = as64(model.generator)
    low, high = LOW.astype("float64"), HIGH.astype("float64")

    def loss(g_params):
        return np.mean((shuffle(affine(low, g_params)) - high) ** 2)

    expected = sgd_step(g, loss, 0.1)
    history = model.fit(LOW, HIGH, batch_size=3, shuffle=False, verbose=0)
    assert_weights(model.generator, expected)
    assert set(history.history) == {"generator_loss", "content"}


def test_resumed_training_matches_uninterrupted_training(tmp_path):
    def fresh():
        model = tiny_srgan(
            0.1, content_model=pixel_network(1, 2, 3), instance_noise=0.1
        )
        model.compile(optimizer=keras.optimizers.Adam(1e-2))
        return model

    def train(model):
        model.fit(LOW, HIGH, batch_size=2, shuffle=False, verbose=0)

    model = fresh()
    train(model)
    loaded = kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m(LOW)
    )
    assert loaded.scale == 2 and not loaded.content_model.trainable
    train(model)
    train(loaded)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_upscale_any_size_and_tiled_equals_whole():
    """Tiles with an overlap >= the receptive field give the whole result."""
    inputs = keras.Input((None, None, 1))
    hidden = keras.layers.Conv2D(4, 3, padding="same")(inputs)  # radius 1
    hidden = kgen.layers.PixelShuffle(2)(hidden)
    outputs = keras.layers.Conv2D(1, 3, padding="same")(hidden)  # radius 1/2
    model = kgen.models.SRGAN(
        keras.Model(inputs, outputs), None, adversarial_weight=0.0
    )
    images = RNG.uniform(-1, 1, (2, 13, 9, 1)).astype("float32")
    whole = model.upscale(images)
    assert whole.shape == (2, 26, 18, 1)
    np.testing.assert_allclose(
        whole, ops.convert_to_numpy(model(images)), atol=1e-5
    )
    for tile_size, overlap in [(6, 2), (5, 2), (20, 2)]:
        tiled = model.upscale(images, tile_size=tile_size, overlap=overlap)
        np.testing.assert_allclose(tiled, whole, atol=1e-5)
    seams = model.upscale(images, tile_size=4, overlap=0)
    assert np.abs(seams - whole).max() > 1e-3  # no margin: seams differ


def test_builders_shapes_and_round_trip(tmp_path):
    generator = kgen.models.build_srresnet_generator(
        scale=4, channels=3, num_blocks=1, filters=2
    )
    assert generator.output_shape == (None, None, None, 3)
    x = RNG.uniform(-1, 1, (1, 3, 5, 3)).astype("float32")
    pooled = kgen.models.build_srgan_discriminator((None, None, 3), 2, 1, 4)
    assert pooled.output_shape == (None, 1)
    assert isinstance(pooled.layers[-4], keras.layers.GlobalAveragePooling2D)
    model = kgen.models.SRGAN(generator, pooled)
    assert model.scale == 4
    loaded = kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m(x)
    )
    assert loaded(x).shape == (1, 12, 20, 3)


def test_spectral_discriminator_normalises_every_weight_layer(tmp_path):
    discriminator = kgen.models.build_srgan_discriminator(
        (8, 8, 1), 2, 2, 4, spectral_normalization=True
    )
    wrapped = [
        layer.layer
        for layer in discriminator.layers
        if isinstance(layer, kgen.layers.SpectralNormalization)
    ]
    kinds = [type(layer).__name__ for layer in wrapped]
    assert kinds == ["Conv2D"] * 4 + ["Dense"] * 2
    assert not any(
        isinstance(layer, keras.layers.BatchNormalization)
        for layer in discriminator.layers
    )
    generator = pixel_network(1, 4, seed=1, shuffle=True)
    model = kgen.models.SRGAN(generator, discriminator, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    low = RNG.uniform(-1, 1, (4, 4, 4, 1)).astype("float32")
    high = RNG.uniform(-1, 1, (4, 8, 8, 1)).astype("float32")
    history = model.fit(low, high, batch_size=2, epochs=2, verbose=0)
    assert all(np.isfinite(v).all() for v in history.history.values())
    kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m.discriminator(high)
    )


def test_input_skip_adds_the_repeated_input():
    generator = kgen.models.build_srresnet_generator(
        scale=2, channels=1, num_blocks=0, filters=1, input_skip=True
    )
    generator.set_weights([np.zeros_like(w) for w in generator.get_weights()])
    x = RNG.uniform(-1, 1, (2, 3, 4, 1)).astype("float32")
    expected = x.repeat(2, axis=1).repeat(2, axis=2)  # tanh(0) = 0 added
    np.testing.assert_allclose(
        ops.convert_to_numpy(generator(x)), expected, atol=1e-6
    )


def test_errors():
    with pytest.raises(ValueError, match="power of 2"):
        kgen.models.build_srresnet_generator(scale=3)
    with pytest.raises(ValueError, match="divisible by 4"):
        kgen.models.build_srgan_discriminator((18, 18, 3), num_downsampling=2)
    with pytest.raises(ValueError, match="needs a discriminator"):
        kgen.models.SRGAN(pixel_network(1, 4, 0, shuffle=True))
    with pytest.raises(ValueError, match="Pass discriminator=None"):
        kgen.models.SRGAN(
            pixel_network(1, 4, 0, True),
            pixel_network(1, 1, 0),
            adversarial_weight=0.0,
        )
    fixed_generator = keras.Sequential(
        [keras.Input((4, 4, 1)), keras.layers.Dense(4)]
    )
    with pytest.raises(ValueError, match=r"input shape \(None, None, chann"):
        kgen.models.SRGAN(fixed_generator, adversarial_weight=0.0)
    with pytest.raises(ValueError, match="integer factor >= 2"):
        kgen.models.SRGAN(pixel_network(1, 1, 0), adversarial_weight=0.0)
    with pytest.raises(
        ValueError, match=r"content model .* shape \(None, None, 1\)"
    ):
        tiny_srgan(content_model=pixel_network(3, 2, 0))
    model = tiny_srgan(content_model=_fixed_content_model(8))
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="trains on pairs"):
        model.fit(LOW, verbose=0)
    with pytest.raises(ValueError, match="divisible by the scale 2"):
        model.fit(LOW, HIGH[:, :3, :3], verbose=0)
    with pytest.raises(ValueError, match="expected 3 images of 4x4"):
        model.fit(LOW, np.zeros((3, 6, 6, 1), "float32"), verbose=0)
    with pytest.raises(ValueError, match="takes 8x8 images but the targets"):
        model.fit(LOW, HIGH, verbose=0)
    with pytest.raises(ValueError, match=r"must lie in \[-1.0, 1.0\]"):
        model.fit(LOW * 255, HIGH, verbose=0)
    with pytest.raises(ValueError, match="must exceed 2 \\* overlap"):
        model.upscale(LOW, tile_size=4, overlap=2)
    with pytest.raises(NotImplementedError, match="upscale"):
        model.generate(2)


def _fixed_content_model(size):
    return keras.Sequential(
        [keras.Input((size, size, 1)), keras.layers.Dense(2)]
    )
