"""StarGAN: each loss term and one step against NumPy, resuming, errors."""

import keras
import numpy as np
import pytest
from translation_reference import affine
from translation_reference import numeric_gradients
from translation_reference import pixel_network

import kgen

NUM_DOMAINS = 3
CONVOLUTIONS = (keras.layers.Conv2D, keras.layers.Conv2DTranspose)
RNG = np.random.default_rng(2)
IMAGES = RNG.uniform(-1, 1, (4, 2, 2, 1)).astype("float32")
DOMAINS = np.array([0, 2, 1, 2])


def two_head_discriminator(seed):
    """Per-pixel tanh scores and domain logits from the flattened image."""
    inputs = keras.Input((2, 2, 1))
    scores = keras.layers.Dense(1, activation="tanh", name="scores")(inputs)
    flat = keras.layers.Flatten()(inputs)
    logits = keras.layers.Dense(NUM_DOMAINS, name="logits")(flat)
    network = keras.Model(inputs, [scores, logits])
    rng = np.random.default_rng(seed)
    for layer in ("scores", "logits"):
        network.get_layer(layer).set_weights(
            [
                rng.normal(0, 0.5, w.shape).astype("float32")
                for w in network.get_layer(layer).get_weights()
            ]
        )
    return network


def tiny_extractor():
    """Two fixed random features per pixel."""
    return pixel_network(1, 2, seed=3)


def tiny_star_gan(**kwargs):
    return kgen.models.StarGAN(
        pixel_network(1 + NUM_DOMAINS, 1, seed=1),
        two_head_discriminator(seed=2),
        NUM_DOMAINS,
        seed=0,
        **kwargs,
    )


def discriminator_params(model):
    d = model.discriminator
    return [
        w.astype("float64")
        for layer in ("scores", "logits")
        for w in d.get_layer(layer).get_weights()
    ]


# NumPy reference of the model's computations, in float64.


def translate(images, domains, g):
    planes = np.broadcast_to(
        np.eye(NUM_DOMAINS)[domains][:, None, None, :],
        (*images.shape[:3], NUM_DOMAINS),
    )
    return affine(np.concatenate([images, planes], -1), g)


def scores(images, d):
    return np.tanh(affine(images, d[:2]))


def cross_entropy(images, domains, d):
    logits = affine(images.reshape(len(images), -1), d[2:])
    log_softmax = logits - np.log(np.sum(np.exp(logits), -1, keepdims=True))
    return -np.mean(log_softmax[np.arange(len(domains)), domains])


def gradient_norms(images, d):
    kernel, bias = d[:2]
    grads = (1 - np.tanh(images * kernel[0, 0] + bias[0]) ** 2) * kernel[0, 0]
    return np.sqrt(np.sum(grads**2, axis=(1, 2, 3)) + 1e-12)


def draws(seed, batch):
    """The model's random draws in one step: D's targets and interpolation
    weights, then G's targets and the cycle's noise, from its seed stream."""
    stream = keras.random.SeedGenerator(seed)
    randint = keras.random.randint
    d_targets = randint((batch,), 0, NUM_DOMAINS, seed=stream)
    alpha = keras.random.uniform((batch, 1, 1, 1), seed=stream)
    g_targets = randint((batch,), 0, NUM_DOMAINS, seed=stream)
    noise = keras.random.normal((batch, *IMAGES.shape[1:]), seed=stream)
    return [
        keras.ops.convert_to_numpy(v).astype(t)
        for v, t in (
            (d_targets, int),
            (alpha, "float64"),
            (g_targets, int),
            (noise, "float64"),
        )
    ]


@pytest.mark.parametrize(
    "identity_weight, cycle_noise, content_weight",
    [(0.0, 0.0, 0.0), (2.0, 0.0, 0.0), (0.0, 0.5, 0.0), (0.0, 0.0, 1.5)],
)
def test_step_updates_each_network_in_its_phase_as_numpy(
    identity_weight, cycle_noise, content_weight
):
    extractor = tiny_extractor() if content_weight else None
    model = tiny_star_gan(
        classification_weight=0.5,
        reconstruction_weight=3.0,
        gradient_penalty=2.0,
        discriminator_steps=1,
        identity_weight=identity_weight,
        cycle_noise=cycle_noise,
        feature_extractor=extractor,
        content_weight=content_weight,
    )
    f = [w.astype("float64") for w in tiny_extractor().get_weights()]
    model.compile(
        optimizer={
            "discriminator": keras.optimizers.SGD(0.2),
            "generator": keras.optimizers.SGD(0.1),
        }
    )
    g = [w.astype("float64") for w in model.generator.get_weights()]
    d = discriminator_params(model)
    x = IMAGES.astype("float64")
    d_targets, alpha, g_targets, noise = draws(0, len(x))
    fake_d = translate(x, d_targets, g)

    def discriminator_terms(d):
        points = x + alpha * (fake_d - x)
        return {
            "wasserstein": np.mean(scores(fake_d, d)) - np.mean(scores(x, d)),
            "penalty": np.mean((gradient_norms(points, d) - 1) ** 2),
            "classification": cross_entropy(x, DOMAINS, d),
        }

    def discriminator_loss(d):
        t = discriminator_terms(d)
        return t["wasserstein"] + 2.0 * t["penalty"] + 0.5 * t["classification"]

    new_d = [
        p - 0.2 * q for p, q in zip(d, numeric_gradients(discriminator_loss, d))
    ]

    def generator_terms(g):
        fake = translate(x, g_targets, g)
        return {
            "adversarial": -np.mean(scores(fake, new_d)),
            "classification": cross_entropy(fake, g_targets, new_d),
            "reconstruction": np.mean(
                np.abs(translate(fake + cycle_noise * noise, DOMAINS, g) - x)
            ),
            "identity": np.mean(np.abs(translate(x, DOMAINS, g) - x)),
            "content": np.mean(np.abs(affine(fake, f) - affine(x, f))),
        }

    def generator_loss(g):
        t = generator_terms(g)
        return (
            t["adversarial"]
            + 0.5 * t["classification"]
            + 3.0 * t["reconstruction"]
            + identity_weight * t["identity"]
            + content_weight * t["content"]
        )

    new_g = [
        p - 0.1 * q for p, q in zip(g, numeric_gradients(generator_loss, g))
    ]
    history = model.fit(
        IMAGES, DOMAINS, batch_size=4, shuffle=False, verbose=0
    ).history
    received = model.generator.get_weights() + [
        w.astype("float64")
        for w in (
            model.discriminator.get_layer(n).get_weights()
            for n in ("scores", "logits")
        )
        for w in w
    ]
    for expected, r in zip(new_g + new_d, received):
        np.testing.assert_allclose(r, expected, rtol=1e-4, atol=1e-6)
    d_terms, g_terms = discriminator_terms(d), generator_terms(g)
    for name, expected in (
        (
            ("discriminator_loss", discriminator_loss(d)),
            ("d_classification", d_terms["classification"]),
            (
                "gradient_norm",
                np.mean(gradient_norms(x + alpha * (fake_d - x), d)),
            ),
            ("generator_loss", generator_loss(g)),
            ("adversarial", g_terms["adversarial"]),
            ("classification", g_terms["classification"]),
            ("reconstruction", g_terms["reconstruction"]),
        )
        + (("identity", g_terms["identity"]),) * bool(identity_weight)
        + (("content", g_terms["content"]),) * bool(content_weight)
    ):
        np.testing.assert_allclose(history[name][0], expected, rtol=1e-4)
    assert ("identity" in history) == bool(identity_weight)
    assert ("content" in history) == bool(content_weight)
    if extractor is not None:  # held fixed
        for expected, received in zip(f, extractor.get_weights()):
            np.testing.assert_array_equal(received, expected.astype("float32"))


def test_content_loss_averages_the_extractor_outputs_as_numpy():
    inputs = keras.Input((2, 2, 1))
    first, second = pixel_network(1, 2, seed=3), pixel_network(1, 3, seed=4)
    extractor = keras.Model(inputs, [first(inputs), second(inputs)])
    model = tiny_star_gan(feature_extractor=extractor)
    translations = RNG.uniform(-1, 1, IMAGES.shape).astype("float32")
    expected = np.mean(
        [
            np.mean(
                np.abs(
                    affine(translations.astype("float64"), f)
                    - affine(IMAGES.astype("float64"), f)
                )
            )
            for f in (first.get_weights(), second.get_weights())
        ]
    )
    received = model.content_loss(translations, IMAGES)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(received), expected, rtol=1e-5
    )


def test_resumed_training_matches_uninterrupted_training(tmp_path):
    def train(model):
        model.fit(IMAGES, DOMAINS, batch_size=2, shuffle=False, verbose=0)

    model = tiny_star_gan(
        discriminator_steps=2,
        identity_weight=0.5,
        cycle_noise=0.1,
        feature_extractor=tiny_extractor(),
        content_weight=2.0,
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    train(model)
    loaded = kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m.translate(IMAGES, DOMAINS)
    )
    assert loaded.discriminator_steps == 2 and loaded.num_domains == 3
    assert loaded.identity_weight == 0.5 and loaded.cycle_noise == 0.1
    assert loaded.content_weight == 2.0
    for a, b in zip(
        model.feature_extractor.get_weights(),
        loaded.feature_extractor.get_weights(),
    ):
        np.testing.assert_array_equal(a, b)
    train(model)
    train(loaded)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_translate_and_evaluate():
    model = tiny_star_gan()
    model.compile(optimizer="adam")
    g = model.generator.get_weights()
    np.testing.assert_allclose(
        model.translate(IMAGES, 1),
        translate(IMAGES, np.ones(4, int), g),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        model.translate(IMAGES, DOMAINS),
        translate(IMAGES, DOMAINS, g),
        atol=1e-6,
    )
    before = model.get_weights()
    logs = model.evaluate(IMAGES, DOMAINS, verbose=0, return_dict=True)
    assert {"generator_loss", "reconstruction", "d_classification"} <= set(logs)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_builders_shapes():
    generator = kgen.models.build_stargan_generator(
        (8, 8, 3), 4, base_filters=2, num_downsampling=1, num_blocks=1
    )
    discriminator = kgen.models.build_stargan_discriminator(
        (8, 8, 3), 4, base_filters=2
    )
    assert generator.input_shape == (None, 8, 8, 7)
    assert generator.output_shape == (None, 8, 8, 3)
    assert discriminator.output_shape == [(None, 2, 2, 1), (None, 4)]
    # The generator sees the target domain (instance normalisation right
    # after the constant label planes would erase them).
    model = kgen.models.StarGAN(generator, discriminator, 4)
    images = RNG.uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    outputs = [
        keras.ops.convert_to_numpy(model((images, np.full(2, k))))
        for k in (0, 3)
    ]
    assert not np.allclose(*outputs)


def test_errors():
    discriminator = two_head_discriminator(0)
    with pytest.raises(ValueError, match=r"must take shape \(2, 2, 4\)"):
        kgen.models.StarGAN(pixel_network(3, 1, 0), discriminator, 3)
    with pytest.raises(ValueError, match="return two outputs"):
        kgen.models.StarGAN(
            pixel_network(4, 1, 0), pixel_network(1, 1, 0), NUM_DOMAINS
        )
    with pytest.raises(ValueError, match="domain logits of shape"):
        kgen.models.StarGAN(pixel_network(5, 1, 0), discriminator, 4)
    with pytest.raises(ValueError, match="`num_domains` must be an integer"):
        kgen.models.StarGAN(pixel_network(2, 1, 0), discriminator, 1)
    with pytest.raises(ValueError, match="`discriminator_steps` must be"):
        tiny_star_gan(discriminator_steps=0)
    with pytest.raises(
        ValueError, match="`gradient_penalty` must be a number >= 0"
    ):
        tiny_star_gan(gradient_penalty=-1.0)
    with pytest.raises(ValueError, match="`identity_weight` must be a number"):
        tiny_star_gan(identity_weight=-0.5)
    with pytest.raises(ValueError, match="`content_weight` must be a number"):
        tiny_star_gan(content_weight=-1.0)
    with pytest.raises(
        ValueError, match=r"must take images of shape \(2, 2, 1\)"
    ):
        tiny_star_gan(feature_extractor=pixel_network(3, 2, 0))
    with pytest.raises(ValueError, match="`cycle_noise` must be a number"):
        tiny_star_gan(cycle_noise=-0.1)
    model = tiny_star_gan()
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="call `fit\\(images, domains\\)`"):
        model.fit(IMAGES, verbose=0)
    with pytest.raises(ValueError, match="call `fit\\(images, domains\\)`"):
        model.evaluate(IMAGES, verbose=0)
    one_hot = np.eye(NUM_DOMAINS)[DOMAINS]
    with pytest.raises(ValueError, match=r"shape \(4,\).*One-hot labels"):
        model.fit(IMAGES, one_hot, verbose=0)
    with pytest.raises(
        ValueError, match=r"`y` must be integer class ids in \[0, 2\]"
    ):
        model.fit(IMAGES, DOMAINS + 1, verbose=0)
    with pytest.raises(ValueError, match=r"Received values in \[0.5, 2.5\]"):
        model.fit(IMAGES, DOMAINS + 0.5, verbose=0)
    with pytest.raises(ValueError, match=r"samples of shape \(2, 2, 1\)"):
        model.fit(np.zeros((4, 3, 3, 1), "float32"), DOMAINS, verbose=0)
    with pytest.raises(ValueError, match=r"must lie in \[-1.0, 1.0\]"):
        model.fit(IMAGES * 255, DOMAINS, verbose=0)
    with pytest.raises(
        ValueError, match=r"`target_domains` must be integer class ids"
    ):
        model.translate(IMAGES, 3)
    with pytest.raises(
        ValueError, match=r"`target_domains` must be .* shape \(4,\)"
    ):
        model.translate(IMAGES, [0, 1])
    with pytest.raises(NotImplementedError, match="translate"):
        model.generate(2)


def conditional_pair():
    """A conditional-normalisation generator and a plain one, same convs."""
    kwargs = dict(base_filters=2, num_downsampling=1, num_blocks=1)
    plain = kgen.models.build_stargan_generator((4, 4, 1), 3, **kwargs)
    conditional = kgen.models.build_stargan_generator(
        (4, 4, 1), 3, conditional_normalization=True, **kwargs
    )
    convs = [
        [layer for layer in g.layers if isinstance(layer, CONVOLUTIONS)]
        for g in (plain, conditional)
    ]
    assert len(convs[0]) == len(convs[1]) == 6
    for a, b in zip(*convs):
        b.set_weights(a.get_weights())
    return plain, conditional


def test_conditional_normalization_starts_as_instance_normalization():
    plain, conditional = conditional_pair()
    model = kgen.models.StarGAN(
        conditional, kgen.models.build_stargan_discriminator((4, 4, 1), 3), 3
    )
    inputs = model.conditioned(
        RNG.uniform(-1, 1, (3, 4, 4, 1)).astype("float32"), np.arange(3)
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(conditional(inputs)),
        keras.ops.convert_to_numpy(plain(inputs)),
        atol=1e-5,
    )


def test_conditional_normalization_scales_by_domain_as_numpy():
    _, generator = conditional_pair()
    dense = [
        layer
        for layer in generator.layers
        if isinstance(layer, keras.layers.Dense)
    ]
    rng = np.random.default_rng(5)
    for layer in dense:
        layer.set_weights(
            [
                rng.normal(size=w.shape).astype("float32")
                for w in layer.get_weights()
            ]
        )
    # The first normalisation: after the stride-2 convolution.
    conv = [
        layer for layer in generator.layers if isinstance(layer, CONVOLUTIONS)
    ][1]
    scale, offset = dense[:2]
    combined = next(
        layer
        for layer in generator.layers
        if isinstance(layer, keras.layers.Add)
    )
    probe = keras.Model(generator.inputs, [conv.output, combined.output])
    images = RNG.uniform(-1, 1, (3, 4, 4, 1)).astype("float32")
    domains = np.array([2, 0, 1])
    planes = np.broadcast_to(
        np.eye(3, dtype="float32")[domains][:, None, None, :], (3, 4, 4, 3)
    )
    features, received = (
        keras.ops.convert_to_numpy(t)
        for t in probe(np.concatenate([images, planes], -1))
    )
    features = features.astype("float64")
    mean = features.mean(axis=(1, 2), keepdims=True)
    var = features.var(axis=(1, 2), keepdims=True)
    normalized = (features - mean) / np.sqrt(var + 1e-3)

    def per_domain(layer):
        kernel, bias = layer.get_weights()
        return (kernel[domains] + bias)[:, None, None, :]

    expected = normalized * per_domain(scale) + per_domain(offset)
    np.testing.assert_allclose(received, expected, rtol=1e-4, atol=1e-5)


def test_conditional_normalization_round_trip(tmp_path):
    _, generator = conditional_pair()
    model = kgen.models.StarGAN(
        generator, kgen.models.build_stargan_discriminator((4, 4, 1), 3), 3
    )
    images = RNG.uniform(-1, 1, (3, 4, 4, 1)).astype("float32")
    kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m.translate(images, [0, 1, 2])
    )
    with pytest.raises(ValueError, match="conditional_normalization"):
        kgen.models.build_stargan_generator(
            (4, 4, 1), 3, conditional_normalization="yes"
        )
