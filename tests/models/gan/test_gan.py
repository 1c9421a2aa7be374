"""GAN: exact updates against NumPy, resumable training, options and errors."""

import os

import keras
import numpy as np
import pytest

import kgen


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def linear_gan(**kwargs):
    generator = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, name="g")]
    )
    discriminator = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, name="d")]
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


def test_fit_step_matches_numpy_reference():
    """Two D updates (only D moves), then one G update against the new D."""
    gan = linear_gan(discriminator_steps=2, ema_decay=0.25)
    gan.compile(
        optimizer={
            "discriminator": keras.optimizers.SGD(0.1),
            "generator": keras.optimizers.SGD(0.05),
        }
    )
    x = np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.3], [2.0, 1.0]], "float32")
    wg, bg = [w.astype("float64") for w in gan.generator.get_weights()]
    wd, bd = [w.astype("float64") for w in gan.discriminator.get_weights()]
    stream = keras.random.SeedGenerator(7)
    z = [
        keras.ops.convert_to_numpy(
            keras.random.normal((4, 3), seed=stream)
        ).astype("float64")
        for _ in range(3)
    ]
    n = len(x)
    for step in range(2):
        fake = z[step] @ wg + bg
        d_real = -sigmoid(-(x @ wd + bd)) / n
        d_fake = sigmoid(fake @ wd + bd) / n
        grad_wd = x.T @ d_real + fake.T @ d_fake
        grad_bd = d_real.sum(0) + d_fake.sum(0)
        wd, bd = wd - 0.1 * grad_wd, bd - 0.1 * grad_bd
    fake = z[2] @ wg + bg
    d_out = -sigmoid(-(fake @ wd + bd)) / n
    d_fake_samples = d_out @ wd.T
    new_wg, new_bg = (
        wg - 0.05 * z[2].T @ d_fake_samples,
        bg - 0.05 * d_fake_samples.sum(0),
    )

    gan.fit(x, batch_size=n, epochs=1, shuffle=False, verbose=0)

    expected = [wd, bd, new_wg, new_bg]
    received = gan.discriminator.get_weights() + gan.generator.get_weights()
    for e, r in zip(expected, received):
        np.testing.assert_allclose(r, e, rtol=1e-5, atol=1e-6)
    ema = gan.ema_generator.get_weights()
    decay = min(0.25, 2 / 11)  # warm-up after one generator update
    np.testing.assert_allclose(
        ema[0], decay * wg + (1 - decay) * new_wg, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        ema[1], decay * bg + (1 - decay) * new_bg, rtol=1e-5, atol=1e-6
    )
    iterations = {
        name: int(opt.iterations) for name, opt in gan._phase_optimizers.items()
    }
    assert iterations == {"discriminator": 2, "generator": 1}


def test_resumed_training_matches_uninterrupted_training(
    tmp_path, mlp_networks
):
    x = np.random.default_rng(0).uniform(size=(32, 6)).astype("float32")

    def fresh():
        gan = kgen.models.GAN(
            *mlp_networks(),
            latent_dim=4,
            ema_decay=0.5,
            instance_noise=0.1,
            seed=3,
        )
        gan.compile(
            optimizer={
                "discriminator": keras.optimizers.Adam(1e-2),
                "generator": keras.optimizers.Adam(2e-2),
            }
        )
        return gan

    def train(model):
        model.fit(x, batch_size=16, epochs=1, shuffle=False, verbose=0)

    gan = fresh()
    train(gan)
    loaded = kgen.testing.assert_round_trip(
        gan, tmp_path, call=lambda m: m.generate(3, seed=0)
    )
    assert np.any(
        gan.ema_generator.get_weights()[0] != gan.generator.get_weights()[0]
    )
    assert int(loaded._phase_optimizers["discriminator"].iterations) == 2
    train(gan)
    train(loaded)
    for a, b in zip(
        gan.variables + gan.optimizer.variables,
        loaded.variables + loaded.optimizer.variables,
    ):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(a),
            keras.ops.convert_to_numpy(b),
            atol=1e-5,
            err_msg=a.path,
        )


def test_logs_diagnostics(mlp_networks):
    gan = kgen.models.GAN(
        *mlp_networks(), latent_dim=4, gradient_penalty=1.0, seed=0
    )
    gan.compile(optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5))
    history = gan.fit(
        np.ones((16, 6), "float32"), batch_size=8, epochs=2, verbose=0
    ).history
    assert {
        "d_real",
        "d_fake",
        "gradient_norm",
        "discriminator_loss",
        "generator_loss",
    } <= set(history)
    assert all(0 < v < 1 for v in history["d_real"] + history["d_fake"])
    assert all(v > 0 for v in history["gradient_norm"])


def test_weight_clipping_bounds_the_critic(mlp_networks):
    gan = kgen.models.GAN(
        *mlp_networks(),
        latent_dim=4,
        loss="wasserstein",
        clip_value=0.05,
        discriminator_steps=2,
    )
    gan.compile(optimizer=keras.optimizers.RMSprop(0.05))
    gan.fit(np.ones((16, 6), "float32"), batch_size=8, epochs=1, verbose=0)
    assert all(
        np.abs(w).max() <= 0.05 + 1e-7
        for w in gan.discriminator.get_weights()
        if w.ndim
    )


def test_weight_clipping_keeps_the_users_constraints():
    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6)])
    hidden = keras.layers.Dense(
        8, kernel_constraint=keras.constraints.NonNeg(), name="hidden"
    )
    discriminator = keras.Sequential(
        [keras.Input((6,)), hidden, keras.layers.Dense(1)]
    )
    gan = kgen.models.GAN(
        generator,
        discriminator,
        latent_dim=4,
        loss="wasserstein",
        clip_value=0.05,
        seed=0,
    )
    assert isinstance(hidden.kernel.constraint, keras.constraints.NonNeg)
    assert all(
        v.constraint is None
        for v in discriminator.trainable_variables
        if v is not hidden.kernel
    )
    gan.compile(optimizer=keras.optimizers.SGD(0.5))
    data = np.random.default_rng(0).normal(size=(16, 6)).astype("float32")
    gan.fit(data, batch_size=8, epochs=2, verbose=0)
    kernel = keras.ops.convert_to_numpy(hidden.kernel)
    assert kernel.min() >= 0.0 and kernel.max() <= 0.05 + 1e-7
    assert kernel.max() > 0.0
    assert isinstance(hidden.kernel.constraint, keras.constraints.NonNeg)


def test_generate_and_latent_path(mlp_networks):
    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6)])
    gan = kgen.models.GAN(
        generator,
        mlp_networks()[1],
        latent_dim=4,
        latent_distribution="uniform",
        seed=0,
    )
    np.testing.assert_array_equal(
        gan.generate(5, seed=1), gan.generate(5, seed=1)
    )
    assert not np.array_equal(gan.generate(5), gan.generate(5))
    line = gan.latent_path(6, seed=2, spherical=False)
    np.testing.assert_allclose(np.diff(line, 2, axis=0), 0.0, atol=1e-5)
    arc = gan.latent_path(6, seed=2)
    np.testing.assert_allclose(arc[[0, -1]], line[[0, -1]], atol=1e-5)
    assert gan.predict(np.zeros((2, 4), "float32"), verbose=0).shape == (2, 6)


def test_divergence_stops_with_a_clear_error(mlp_networks):
    gan = kgen.models.GAN(
        *mlp_networks(), latent_dim=4, loss="wasserstein", clip_value=1e30
    )
    gan.compile(optimizer=keras.optimizers.SGD(1e30))
    with pytest.raises(FloatingPointError, match="non-finite values"):
        gan.fit(
            np.full((32, 6), 1e6, "float32"), batch_size=8, epochs=3, verbose=0
        )


def test_sample_grid_callback_writes_pngs(tmp_path, mlp_networks):
    gan = kgen.models.GAN(*mlp_networks(shape=(4, 4, 1)), latent_dim=4)
    gan.compile()
    grid = kgen.callbacks.SampleGrid(str(tmp_path), num_samples=4, every=2)
    gan.fit(
        np.ones((8, 4, 4, 1), "float32"),
        batch_size=8,
        epochs=3,
        verbose=0,
        callbacks=[grid],
    )
    assert [os.path.basename(p) for p in grid.paths] == [
        "samples_epoch_002.png",
        "samples_epoch_003.png",
    ]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"latent_dim": 0}, "`latent_dim` must be an integer >= 1"),
        ({"loss": "wgan"}, "Unknown GAN loss 'wgan'"),
        (
            {"latent_distribution": "cauchy"},
            "`latent_distribution` must be one of",
        ),
        (
            {"discriminator_steps": 0},
            "`discriminator_steps` must be an integer >= 1",
        ),
        (
            {"label_smoothing": 1.0},
            r"`label_smoothing` must be a number in \[0, 1\)",
        ),
        (
            {"loss": "hinge", "label_smoothing": 0.1},
            "`label_smoothing` applies to",
        ),
        (
            {"gradient_penalty": -1.0},
            "`gradient_penalty` must be a number >= 0",
        ),
    ],
)
def test_bad_arguments(mlp_networks, kwargs, message):
    kwargs = {"latent_dim": 4, **kwargs}
    with pytest.raises(ValueError, match=message):
        kgen.models.GAN(*mlp_networks(), **kwargs)


def test_mismatched_networks(mlp_networks):
    generator, _ = mlp_networks(shape=(6,))
    _, discriminator = mlp_networks(shape=(5,))
    with pytest.raises(
        ValueError,
        match=r"output shape \(None, 6\) does not match the discriminator's input shape \(None, 5\)",
    ):
        kgen.models.GAN(generator, discriminator, latent_dim=4)
    with pytest.raises(
        ValueError, match="could not be called on inputs of shapes"
    ):
        kgen.models.GAN(generator, mlp_networks()[1], latent_dim=3)


def test_bad_data_and_labels(mlp_networks):
    gan = kgen.models.GAN(*mlp_networks(), latent_dim=4)
    gan.compile()
    with pytest.raises(ValueError, match=r"samples of shape \(6,\)"):
        gan.fit(np.ones((8, 5), "float32"), verbose=0)
    with pytest.raises(
        ValueError, match="is unconditional and takes no `labels`"
    ):
        gan.generate(2, labels=1)


def test_wasserstein_without_constraint_warns(mlp_networks):
    with pytest.warns(UserWarning, match="without a Lipschitz constraint"):
        kgen.models.GAN(*mlp_networks(), latent_dim=4, loss="wasserstein")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kgen.models.GAN(
            *mlp_networks(spectral_normalization=True),
            latent_dim=4,
            loss="wasserstein",
        )
        kgen.models.GAN(
            *mlp_networks(),
            latent_dim=4,
            loss="wasserstein",
            gradient_penalty=10.0,
        )


def test_round_trip_with_every_option(tmp_path, mlp_networks):
    gan = kgen.models.GAN(
        *mlp_networks(spectral_normalization=True),
        latent_dim=4,
        loss="least_squares",
        discriminator_steps=2,
        r1_penalty=0.5,
        label_smoothing=0.1,
        instance_noise=0.05,
        ema_decay=0.9,
        seed=5,
    )
    gan.compile(optimizer="adam")
    gan.fit(
        np.random.default_rng(0).uniform(size=(16, 6)).astype("float32"),
        batch_size=8,
        verbose=0,
    )
    kgen.testing.assert_round_trip(
        gan, tmp_path, call=lambda m: m.generate(4, seed=1)
    )
