"""CycleGAN: one step against a NumPy reference, pools, resuming, errors."""

import keras
import numpy as np
import pytest
from translation_reference import affine
from translation_reference import numeric_gradients
from translation_reference import pixel_network

import kgen

RNG = np.random.default_rng(1)
A = RNG.uniform(-1, 1, (3, 2, 2, 1)).astype("float32")
B = RNG.uniform(-1, 1, (3, 2, 2, 1)).astype("float32")


def tiny_cycle_gan(**kwargs):
    return kgen.models.CycleGAN(
        *(pixel_network(1, 1, seed=i) for i in range(4)), seed=0, **kwargs
    )


def test_step_updates_each_network_in_its_phase_as_numpy():
    model = tiny_cycle_gan(cycle_weight=2.0, identity_weight=0.5, pool_size=4)
    model.compile(
        optimizer={
            "generators": keras.optimizers.SGD(0.1),
            "discriminators": keras.optimizers.SGD(0.2),
        }
    )
    networks = (
        model.generator_ab,
        model.generator_ba,
        model.discriminator_a,
        model.discriminator_b,
    )
    params = [w.astype("float64") for n in networks for w in n.get_weights()]
    a, b = A.astype("float64"), B.astype("float64")

    def mae(x, y):
        return np.mean(np.abs(x - y))

    def generators_loss(g):
        g_ab, g_ba, d_a, d_b = g[:2], g[2:4], params[4:6], params[6:]
        fake_b, fake_a = affine(a, g_ab), affine(b, g_ba)
        adversarial = 0.5 * np.mean((affine(fake_b, d_b) - 1) ** 2) + 0.5 * (
            np.mean((affine(fake_a, d_a) - 1) ** 2)
        )
        cycle = mae(affine(fake_b, g_ba), a) + mae(affine(fake_a, g_ab), b)
        identity = mae(affine(a, g_ba), a) + mae(affine(b, g_ab), b)
        return adversarial + 2.0 * cycle + 0.5 * identity

    def discriminators_loss(d):
        # The pools are filling: they return this step's fakes, made by the
        # generators before their update.
        fake_b, fake_a = affine(a, params[:2]), affine(b, params[2:4])
        total = 0.0
        for weights, real, fake in ((d[:2], a, fake_a), (d[2:], b, fake_b)):
            total += 0.5 * np.mean((affine(real, weights) - 1) ** 2)
            total += 0.5 * np.mean(affine(fake, weights) ** 2)
        return total

    g_grads = numeric_gradients(generators_loss, params[:4])
    d_grads = numeric_gradients(discriminators_loss, params[4:])
    expected = [p - 0.1 * q for p, q in zip(params[:4], g_grads)] + [
        p - 0.2 * q for p, q in zip(params[4:], d_grads)
    ]
    model.fit(A, B, batch_size=3, shuffle=False, verbose=0)
    received = [w for n in networks for w in n.get_weights()]
    for e, r in zip(expected, received):
        np.testing.assert_allclose(r, e, rtol=1e-4, atol=1e-6)
    pooled = keras.ops.convert_to_numpy(model.pool_b.images)[:3]
    np.testing.assert_allclose(
        pooled, affine(A, params[:2]).reshape(3, -1), rtol=1e-5, atol=1e-6
    )
    assert int(keras.ops.convert_to_numpy(model.pool_b.count)) == 3


def test_resumed_training_matches_uninterrupted_training(tmp_path):
    def fresh():
        model = tiny_cycle_gan(pool_size=3)
        schedule = kgen.optimizers.LinearDecay(1e-2, 1, 4)
        model.compile(optimizer=keras.optimizers.Adam(schedule))
        return model

    def train(model):
        model.fit(A, B, batch_size=2, shuffle=False, verbose=0)

    model = fresh()
    train(model)  # the pools fill up and start swapping
    loaded = kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m.translate(B, "b_to_a")
    )
    train(model)
    train(loaded)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="`pool_size` must be an integer >= 0"):
        tiny_cycle_gan(pool_size=-1)
    two_channels = pixel_network(1, 2, 0)
    with pytest.raises(ValueError, match="must output images of the other"):
        kgen.models.CycleGAN(
            two_channels, *(pixel_network(1, 1, 0) for _ in range(3))
        )
    model = tiny_cycle_gan()
    with pytest.raises(ValueError, match="`direction` must be one of"):
        model.translate(A, "a_to_c")
