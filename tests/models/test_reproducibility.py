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
