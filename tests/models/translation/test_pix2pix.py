"""Pix2Pix: one step against a NumPy reference, resuming, options, errors."""

import keras
import numpy as np
import pytest
from translation_reference import affine
from translation_reference import numeric_gradients
from translation_reference import pixel_network
from translation_reference import softplus

import kgen

RNG = np.random.default_rng(0)
SOURCE = RNG.uniform(-1, 1, (3, 2, 2, 1)).astype("float32")
TARGET = RNG.uniform(-1, 1, (3, 2, 2, 1)).astype("float32")


def tiny_pix2pix(**kwargs):
    return kgen.models.Pix2Pix(
        pixel_network(1, 1, seed=1),
        pixel_network(2, 1, seed=2),  # a 2x2 map of patch scores
        seed=0,
        **kwargs,
    )


def as64(network):
    return [w.astype("float64") for w in network.get_weights()]


def test_step_updates_each_network_in_its_phase_as_numpy():
    """G's step (L1 + adversarial) then D's step on G's earlier fakes."""
    model = tiny_pix2pix(l1_weight=3.0)
    model.compile(
        optimizer={
            "generator": keras.optimizers.SGD(0.1),
            "discriminator": keras.optimizers.SGD(0.2),
        }
    )
    g, d = as64(model.generator), as64(model.discriminator)
    s, t = SOURCE.astype("float64"), TARGET.astype("float64")

    def scores(d_params, fake):
        return affine(np.concatenate([s, fake], -1), d_params)

    def generator_loss(g_params):
        fake = affine(s, g_params)
        adversarial = np.mean(softplus(-scores(d, fake)))
        return adversarial + 3.0 * np.mean(np.abs(fake - t))

    def discriminator_loss(d_params):
        fake = affine(s, g)  # before the generator's update
        return 0.5 * (
            np.mean(softplus(-scores(d_params, t)))
            + np.mean(softplus(scores(d_params, fake)))
        )

    new_g = [
        p - 0.1 * q for p, q in zip(g, numeric_gradients(generator_loss, g))
    ]
    new_d = [
        p - 0.2 * q for p, q in zip(d, numeric_gradients(discriminator_loss, d))
    ]
    history = model.fit(SOURCE, TARGET, batch_size=3, shuffle=False, verbose=0)
    for expected, received in zip(
        new_g + new_d,
        model.generator.get_weights() + model.discriminator.get_weights(),
    ):
        np.testing.assert_allclose(received, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        history.history["generator_loss"][0], generator_loss(g), rtol=1e-5
    )
    fake = affine(s, g)
    np.testing.assert_allclose(
        history.history["l1"][0], np.mean(np.abs(fake - t)), rtol=1e-5
    )


def test_resumed_training_matches_uninterrupted_training(tmp_path):
    def fresh():
        model = tiny_pix2pix(instance_noise=0.1, label_smoothing=0.1)
        model.compile(optimizer=keras.optimizers.Adam(1e-2))
        return model

    def train(model):
        model.fit(SOURCE, TARGET, batch_size=2, shuffle=False, verbose=0)

    model = fresh()
    train(model)
    loaded = kgen.testing.assert_round_trip(
        model, tmp_path, call=lambda m: m.translate(SOURCE)
    )
    train(model)
    train(loaded)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_translate_and_evaluate():
    model = tiny_pix2pix()
    model.compile(optimizer="adam")
    expected = affine(SOURCE, model.generator.get_weights())
    np.testing.assert_allclose(model.translate(SOURCE), expected, atol=1e-6)
    before = model.get_weights()
    logs = model.evaluate(SOURCE, TARGET, verbose=0, return_dict=True)
    assert {"generator_loss", "discriminator_loss", "l1", "d_real"} <= set(logs)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_errors():
    with pytest.raises(
        ValueError, match=r"must take images of shape \(2, 2, 2\)"
    ):
        kgen.models.Pix2Pix(pixel_network(1, 1, 0), pixel_network(3, 1, 0))
    with pytest.raises(ValueError, match="`l1_weight` must be a number >= 0"):
        tiny_pix2pix(l1_weight=-1.0)
    model = tiny_pix2pix()
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="trains on pairs"):
        model.fit(SOURCE, verbose=0)
    with pytest.raises(ValueError, match=r"must lie in \[-1.0, 1.0\]"):
        model.fit(SOURCE, TARGET * 255, verbose=0)
    with pytest.raises(ValueError, match=r"samples of shape \(2, 2, 1\)"):
        model.translate(np.zeros((2, 3, 3, 1), "float32"))
    with pytest.raises(NotImplementedError, match="translate"):
        model.generate(2)
