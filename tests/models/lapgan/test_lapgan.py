"""LAPGAN: pyramid targets, coarse-to-fine sampling, fit, resume, errors."""

import keras
import numpy as np
import pytest
from keras import ops

import kgen

X = np.random.default_rng(0).uniform(size=(8, 8, 8, 1)).astype("float32")


def networks(levels=2, size=8):
    coarse = size // 2 ** (levels - 1)
    generators, discriminators = [], []
    for level in range(levels - 1):
        shape = (size // 2**level, size // 2**level, 1)
        generators.append(
            kgen.models.build_lapgan_generator(shape, filters=4, num_layers=2)
        )
        discriminators.append(
            kgen.models.build_lapgan_discriminator(
                shape, filters=4, num_layers=1
            )
        )
    generators.append(
        kgen.models.build_mlp_generator(4, (coarse, coarse, 1), (8,))
    )
    discriminators.append(
        kgen.models.build_mlp_discriminator((coarse, coarse, 1), (8,))
    )
    return generators, discriminators


def lapgan(levels=2, size=8, **kwargs):
    return kgen.models.LAPGAN(
        *networks(levels, size), latent_dim=4, seed=3, **kwargs
    )


def numpy(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("method", ["gaussian", "average"])
def test_level_targets_rebuild_the_gaussian_pyramid(method):
    model = lapgan(levels=3, pyramid_method=method)
    x = np.random.default_rng(1).uniform(size=(2, 8, 8, 1)).astype("float32")
    gaussian = kgen.utils.build_gaussian_pyramid(x, 3, method)
    for level in range(2):
        target, condition = model.level_data(x, level)
        np.testing.assert_allclose(
            numpy(target + condition), numpy(gaussian[level]), atol=1e-6
        )
        np.testing.assert_allclose(
            numpy(condition),
            numpy(kgen.utils.pyramid_up(gaussian[level + 1], method)),
            atol=1e-6,
        )
    coarse, condition = model.level_data(x, 2)
    assert condition is None
    np.testing.assert_allclose(numpy(coarse), numpy(gaussian[2]), atol=1e-6)


def test_sampling_runs_coarse_to_fine():
    model = lapgan(levels=3)
    images, levels = model.generate(3, seed=5, return_levels=True)
    assert [level.shape for level in levels] == [
        (3, 8, 8, 1),
        (3, 4, 4, 1),
        (3, 2, 2, 1),
    ]
    np.testing.assert_array_equal(images, levels[0])
    # Reference: the same draws from the same stream, level by level.
    stream = keras.random.SeedGenerator(5)
    z = keras.random.normal((3, 4), seed=stream)
    expected = numpy(model.generators[2](z))
    np.testing.assert_allclose(levels[2], expected, atol=1e-5)
    for level in (1, 0):
        condition = kgen.utils.pyramid_up(expected)
        noise = keras.random.normal(
            (3, *model.noise_shapes[level]), seed=stream
        )
        residual = model.generators[level]([noise, condition])
        expected = numpy(condition + residual)
        np.testing.assert_allclose(levels[level], expected, atol=1e-5)
    np.testing.assert_allclose(model.generate(3, seed=5), images, atol=1e-6)


def test_discriminator_loss_matches_numpy():
    model = lapgan(loss="minimax")
    model.compile(optimizer="sgd")
    loss = numpy(model.discriminator_loss(0, X, training=False))
    target, condition = model.level_data(X, 0)
    stream = keras.random.SeedGenerator(3)
    noise = keras.random.normal((8, 8, 8, 1), seed=stream)
    fake = model.generators[0]([noise, condition])
    real_logits = numpy(model.discriminators[0]([target, condition])).ravel()
    fake_logits = numpy(model.discriminators[0]([fake, condition])).ravel()
    expected = np.mean(np.log1p(np.exp(-real_logits))) + np.mean(
        np.log1p(np.exp(fake_logits))
    )
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_fit_logs_every_level_and_resumes_exactly(tmp_path):
    def fresh():
        model = lapgan(instance_noise=0.05)
        model.compile(optimizer=keras.optimizers.Adam(1e-2))
        return model

    def train(model):
        return model.fit(X, batch_size=4, epochs=1, shuffle=False, verbose=0)

    model = fresh()
    history = train(model)
    assert set(history.history) >= {
        "discriminator_0_loss",
        "generator_0_loss",
        "discriminator_1_loss",
        "generator_1_loss",
    }
    loaded = kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m.generate(2, seed=0)
    )
    train(model)
    train(loaded)
    for a, b in zip(
        model.variables + model.optimizer.variables,
        loaded.variables + loaded.optimizer.variables,
    ):
        np.testing.assert_allclose(
            numpy(a), numpy(b), atol=1e-5, err_msg=a.path
        )


def test_bad_inputs_and_networks():
    model = lapgan()
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="x"):
        model.fit(np.zeros((4, 10, 10, 1), "float32"), verbose=0)
    generators, discriminators = networks()
    with pytest.raises(ValueError, match="one generator and one discriminator"):
        kgen.models.LAPGAN(generators, discriminators[:1], latent_dim=4)
    wrong = kgen.models.build_lapgan_generator((4, 4, 1), filters=4)
    with pytest.raises(ValueError, match=r"generators\[0\]"):
        kgen.models.LAPGAN([wrong, generators[1]], discriminators, latent_dim=4)
    with pytest.raises(ValueError, match="pyramid_method"):
        kgen.models.LAPGAN(
            generators, discriminators, latent_dim=4, pyramid_method="x"
        )
    with pytest.raises(ValueError, match="image_shape"):
        kgen.models.build_lapgan_generator((8, 8))
