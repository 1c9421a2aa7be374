"""Feature matching and two-time-scale updates on GAN, against NumPy."""

import keras
import numpy as np
import pytest

import kgen


def test_feature_matching_loss_matches_numpy():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(5, 2, 3)).astype("float32")
    fake = rng.normal(size=(4, 2, 3)).astype("float32")
    difference = real.reshape(5, -1).mean(0) - fake.reshape(4, -1).mean(0)
    received = kgen.losses.feature_matching_loss(real, fake)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(received),
        np.sum(difference**2),
        rtol=1e-5,
    )


def linear_gan(**kwargs):
    """Linear G; D = Dense(3, name="features") then Dense(1)."""
    generator = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    discriminator = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(3, name="features"),
            keras.layers.Dense(1),
        ]
    )
    rng = np.random.default_rng(1)
    for network in (generator, discriminator):
        network.set_weights(
            [
                rng.normal(size=w.shape).astype("float32")
                for w in network.weights
            ]
        )
    return kgen.models.GAN(
        generator, discriminator, latent_dim=3, seed=7, **kwargs
    )


@pytest.mark.parametrize("feature_layer", [None, "features"])
def test_feature_matching_generator_update_matches_numpy(feature_layer):
    """Pure feature matching (Salimans et al.): one exact SGD update of G."""
    gan = linear_gan(
        loss_weights={"adversarial": 0.0, "feature_matching": 1.0},
        feature_layer=feature_layer,
    )
    gan.compile(
        optimizer={
            "discriminator": keras.optimizers.SGD(0.0),
            "generator": keras.optimizers.SGD(0.1),
        }
    )
    x = np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.3], [2.0, 1.0]], "float32")
    wg, bg = [w.astype("float64") for w in gan.generator.get_weights()]
    wh = gan.discriminator.get_weights()[0].astype("float64")
    stream = keras.random.SeedGenerator(7)
    z = [
        keras.ops.convert_to_numpy(keras.random.normal((4, 3), seed=stream))
        for _ in range(2)
    ][1].astype("float64")  # the discriminator phase draws first
    mean_fake = z.mean(0) @ wg + bg
    gap = (x.mean(0) - mean_fake) @ wh
    grad_mean_fake = -2.0 * wh @ gap
    expected = [
        wg - 0.1 * np.outer(z.mean(0), grad_mean_fake),
        bg - 0.1 * grad_mean_fake,
    ]

    history = gan.fit(x, batch_size=4, epochs=1, shuffle=False, verbose=0)

    for e, r in zip(expected, gan.generator.get_weights()):
        np.testing.assert_allclose(r, e, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        history.history["feature_matching"][0], np.sum(gap**2), rtol=1e-5
    )
    assert history.history["adversarial"][0] > 0


def test_two_time_scales_are_per_phase_learning_rates():
    """TTUR: each phase's optimizer has its own learning rate."""
    gan = linear_gan()
    gan.compile(
        optimizer={
            "discriminator": keras.optimizers.Adam(4e-4),
            "generator": keras.optimizers.Adam(1e-4),
        }
    )
    x = np.ones((4, 2), "float32")
    gan.fit(x, batch_size=4, epochs=1, verbose=0)
    rates = {
        name: float(optimizer.learning_rate)
        for name, optimizer in gan._phase_optimizers.items()
    }
    np.testing.assert_allclose(
        [rates["discriminator"], rates["generator"]], [4e-4, 1e-4]
    )


def test_feature_matching_conditional_gan_fits_and_round_trips(
    tmp_path, mlp_networks
):
    gan = kgen.models.ConditionalGAN(
        *mlp_networks(num_classes=3),
        latent_dim=4,
        num_classes=3,
        loss_weights={"feature_matching": 0.5},
        seed=0,
    )
    gan.compile(optimizer=keras.optimizers.Adam(1e-2))
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(8, 6)).astype("float32")
    history = gan.fit(x, rng.integers(3, size=8), batch_size=4, verbose=0)
    assert set(history.history) >= {"adversarial", "feature_matching"}
    loaded = kgen.testing.assert_round_trip(
        gan, tmp_path, call=lambda m: m.generate(3, labels=1, seed=0)
    )
    assert loaded.loss_weights["feature_matching"] == 0.5
    assert len(gan.variables) == len(loaded.variables)


def test_feature_matching_errors(mlp_networks):
    with pytest.raises(ValueError, match="No such layer|feature_layer='nope'"):
        kgen.models.GAN(
            *mlp_networks(),
            latent_dim=4,
            loss_weights={"feature_matching": 1.0},
            feature_layer="nope",
        )
    with pytest.raises(ValueError, match="positive weight"):
        kgen.models.GAN(
            *mlp_networks(), latent_dim=4, loss_weights={"adversarial": 0.0}
        )
