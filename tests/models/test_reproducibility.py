"""`keras.utils.set_random_seed` plus a model's `seed` reproduce a run: the
same weights after `fit` with shuffling (each backend is deterministic on
the CPU)."""

import keras
import numpy as np
import pytest

from kgen import models

_RNG = np.random.default_rng(0)
BINARY = (_RNG.random((32, 8)) < 0.4).astype("float32")


def _rbm():
    return models.RBM(4, seed=0)


def _gan():
    return models.GAN(
        models.build_mlp_generator(2, (8,), hidden_units=(6,)),
        models.build_mlp_discriminator((8,), (6,)),
        latent_dim=2,
        seed=0,
    )


def _vae():
    return models.VAE.dense((8,), 2, hidden_units=(6,), seed=0)


def _run(make):
    keras.utils.set_random_seed(7)
    model = make()
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    model.fit(BINARY, batch_size=8, epochs=2, shuffle=True, verbose=0)
    return model.get_weights()


@pytest.mark.parametrize("make", [_rbm, _gan, _vae], ids=["rbm", "gan", "vae"])
def test_same_seeds_give_identical_weights(make):
    first, second = _run(make), _run(make)
    assert len(first) == len(second)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "build",
    [
        lambda seed: models.Autoencoder.dense((6,), 2, (5,), seed=seed),
        lambda seed: models.VAE.conv((8, 8, 1), 2, (3,), seed=seed),
    ],
    ids=["dense_autoencoder", "conv_vae"],
)
def test_seed_fixes_the_built_networks_initial_weights(build):
    # Whatever the global random state, the same seed gives the same weights.
    keras.utils.set_random_seed(1)
    first = build(3).get_weights()
    keras.utils.set_random_seed(2)
    second, other = build(3).get_weights(), build(4).get_weights()
    kernels = [w for w in first if w.ndim > 1]
    assert len(kernels) >= 4
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    # Different seeds, and different layers of one network, differ.
    assert not np.array_equal(kernels[0], [w for w in other if w.ndim > 1][0])
    assert len({float(np.abs(k).sum()) for k in kernels}) == len(kernels)
