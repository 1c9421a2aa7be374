"""StyleGAN: truncation, style mixing, resumable training and bad input."""

import keras
import numpy as np
import pytest
from keras import ops

import kgen
from kgen.testing.serialization import assert_round_trip

LATENT = 4


def tiny_style_gan(**kwargs):
    keras.utils.set_random_seed(0)
    generator = kgen.models.build_style_generator(
        LATENT, (8, 8, 1), filters=4, mapping_layers=2
    )
    discriminator = kgen.models.build_style_discriminator((8, 8, 1), 4)
    return kgen.models.StyleGAN(generator, discriminator, seed=1, **kwargs)


@pytest.fixture(scope="module")
def gan():
    """One model for the module (model builds are slow on JAX): the tests
    that need it untrained come first; every call uses 4 samples, so that
    JAX compiles each eager operation once."""
    return tiny_style_gan(penalty_interval=2, ema_decay=0.5)


def synthesize(gan, styles):
    """The noise-free images of per-layer styles `(n, num_styles, dim)`."""
    return ops.convert_to_numpy(
        gan.generator.synthesis(styles.astype("float32"), noise=False)
    )


def test_truncation_zero_gives_the_average_image(gan):
    average = np.random.default_rng(0).normal(size=LATENT).astype("float32")
    gan.generator.style_average.assign(average)
    gan.ema_generator.update()  # the sampling network copies the average
    images = gan.generate(4, truncation=0.0, seed=2, noise=False)
    expected = synthesize(gan, np.tile(average, (4, gan.num_styles, 1)))
    np.testing.assert_allclose(images, expected, atol=1e-5)
    free = gan.generate(4, truncation=1.0, seed=2, noise=False)
    assert np.abs(free - free[:1]).max() > 1e-3  # untruncated: z matters
    np.testing.assert_allclose(  # reproducible from a seed, noise included
        gan.generate(4, seed=3), gan.generate(4, seed=3), atol=1e-6
    )


def test_style_mixing_uses_each_sources_styles(gan):
    """Layers before the crossover take `a`'s style, the others `b`'s (the
    untrained fixture's average weights equal its weights)."""
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 4, LATENT)).astype("float32")
    w_a, w_b = (ops.convert_to_numpy(gan.generator.mapping(s)) for s in (a, b))
    images = {}
    for crossover in range(gan.num_styles + 1):
        styles = np.stack(
            [
                w_a if layer < crossover else w_b
                for layer in range(gan.num_styles)
            ],
            1,
        )
        images[crossover] = gan.mix_styles(a, b, crossover, noise=False)
        np.testing.assert_allclose(
            images[crossover], synthesize(gan, styles), atol=1e-5
        )
    # Every style reaches the image: each crossover gives a new image.
    for crossover in range(gan.num_styles):
        assert np.abs(images[crossover] - images[crossover + 1]).max() > 1e-4


def test_fit_save_load_and_resume(gan, tmp_path):
    gan.compile(optimizer=keras.optimizers.Adam(2e-3, 0.0, 0.99))
    phases = {phase.name: phase.variables for phase in gan._phases}
    d_ids = {id(v) for v in phases["discriminator"]}
    g_ids = {id(v) for v in phases["generator"]}
    assert d_ids == {id(v) for v in gan.discriminator.trainable_variables}
    assert g_ids == {
        id(v)
        for network in (gan.generator.mapping, gan.generator.synthesis)
        for v in network.trainable_variables
    }
    x = np.random.default_rng(2).uniform(-1, 1, (8, 8, 8, 1)).astype("f4")
    before = [ops.convert_to_numpy(v) for v in gan.variables]
    gan.fit(x, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for name, variables in (("discriminator", d_ids), ("generator", g_ids)):
        moved = [
            not np.allclose(ops.convert_to_numpy(v), b)
            for v, b in zip(gan.variables, before)
            if id(v) in variables
        ]
        assert all(moved), name
    average = ops.convert_to_numpy(gan.generator.style_average)
    assert np.abs(average).max() > 0  # tracked during training
    loaded = assert_round_trip(
        gan, tmp_path, call=lambda m: m.generate(4, seed=4), atol=1e-5
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(loaded.generator.style_average), average
    )
    for model in (gan, loaded):
        model.fit(x, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(gan.variables, loaded.variables):
        np.testing.assert_allclose(
            ops.convert_to_numpy(a), ops.convert_to_numpy(b), atol=1e-5
        )


@pytest.mark.parametrize("truncation", [-0.1, 1.5, float("nan"), "0.5"])
def test_truncation_outside_unit_interval(gan, truncation):
    with pytest.raises(
        ValueError, match=r"`truncation` must be a number in \[0, 1\]"
    ):
        gan.generate(2, truncation=truncation)


def test_bad_mixing_arguments(gan):
    z = np.zeros((2, LATENT), "float32")
    for crossover in (-1, gan.num_styles + 1, 1.5):
        with pytest.raises(ValueError, match=r"`crossover_layer` must be"):
            gan.mix_styles(z, z, crossover)
    with pytest.raises(ValueError, match="same shape"):
        gan.mix_styles(z, z[:1], 1)
    with pytest.raises(ValueError, match="source_b"):
        gan.mix_styles(z, np.zeros((2, LATENT + 1)), 1)


def test_bad_networks_and_options(gan):
    with pytest.raises(ValueError, match="power of 2"):
        kgen.models.build_style_generator(LATENT, (28, 28, 1))
    with pytest.raises(ValueError, match="same `style_dim`"):
        kgen.models.StyleGenerator(
            kgen.models.build_mapping_network(LATENT, 5, 1),
            gan.generator.synthesis,
        )
    with pytest.raises(ValueError, match="StyleGenerator"):
        kgen.models.StyleGAN(gan.generator.mapping, gan.discriminator)
    with pytest.raises(ValueError, match="style_mixing"):
        kgen.models.StyleGAN(gan.generator, gan.discriminator, style_mixing=2)
    with pytest.raises(ValueError, match="must have samples of shape"):
        gan.fit(np.zeros((4, 4, 4, 1), "float32"), epochs=1)
