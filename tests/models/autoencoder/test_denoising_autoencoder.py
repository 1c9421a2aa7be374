import keras
import numpy as np
import pytest
from keras import ops

from kgen.datasets import load_digits
from kgen.models import DenoisingAutoencoder
from kgen.testing import assert_round_trip

(X, _), _ = load_digits("unit")
X = X[:64]


@keras.saving.register_keras_serializable(package="kgen_tests")
def flip_rows(x, seed):
    """A corruption function: reverses the features of random samples."""
    flip = keras.random.uniform((ops.shape(x)[0], 1), seed=seed) < 0.5
    return ops.where(flip, ops.flip(x, axis=-1), x)


def _model(**kwargs):
    return DenoisingAutoencoder.dense(
        (64,),
        4,
        hidden_units=(8,),
        reconstruction_loss="binary_crossentropy",
        **kwargs,
    )


def test_corruption_changes_between_draws_and_is_reproducible():
    first, second = _model(seed=0), _model(seed=0)
    a, b = first.corrupt(X), first.corrupt(X)
    assert not np.allclose(a, b)
    np.testing.assert_allclose(second.corrupt(X), a)
    np.testing.assert_allclose(
        first.corrupt(X, seed=4), second.corrupt(X, seed=4)
    )


def test_training_steps_draw_fresh_reproducible_corruption():
    losses = []
    for _ in range(2):
        keras.utils.set_random_seed(0)  # the same initial weights
        model = _model(seed=3)
        model.compile(
            optimizer=keras.optimizers.SGD(0.0)
        )  # weights fixed: only the noise varies
        history = model.fit(X, epochs=3, batch_size=len(X), verbose=0)
        losses.append(history.history["loss"])
    assert len(set(np.round(losses[0], 6))) == 3  # a new corruption every step
    np.testing.assert_allclose(
        losses[0], losses[1], rtol=1e-6
    )  # same seed, same noise


@pytest.mark.parametrize(
    "corruption", ["gaussian", "masking", "salt_and_pepper"]
)
def test_named_corruptions_have_the_requested_strength(corruption):
    x = np.full((200, 64), 0.5, "float32")
    noisy = _model(corruption=corruption, noise_level=0.3, seed=0).corrupt(x)
    changed = noisy != x
    if corruption == "gaussian":
        np.testing.assert_allclose(np.std(noisy - x), 0.3, rtol=0.05)
    else:
        np.testing.assert_allclose(changed.mean(), 0.3, atol=0.02)
        expected = {0.0} if corruption == "masking" else {0.0, 1.0}
        assert set(np.unique(noisy[changed])) == expected


def test_paired_data_are_not_corrupted():
    model = _model(seed=0)
    model.compile(optimizer="adam")
    noisy = model.corrupt(X, seed=1)
    first = model.evaluate(noisy, X, verbose=0)
    assert model.evaluate(noisy, X, verbose=0) == pytest.approx(first)
    assert model.evaluate(X, verbose=0) != pytest.approx(
        model.evaluate(X, verbose=0)
    )


def test_custom_corruption_round_trip(tmp_path):
    model = _model(corruption=flip_rows, seed=2)
    model.compile(optimizer="adam")
    model.fit(X, epochs=1, batch_size=32, verbose=0)
    loaded = assert_round_trip(
        model, tmp_path, call=lambda m: m.corrupt(X, seed=5)
    )
    assert loaded.corruption is flip_rows


def test_one_step_changes_weights():
    model = _model(seed=0)
    before = [w.copy() for w in model.get_weights()]
    model.compile(optimizer="adam")
    model.fit(X, epochs=1, batch_size=len(X), verbose=0)
    assert all(
        not np.allclose(a, b) for a, b in zip(before, model.get_weights())
    )


def test_bad_arguments():
    with pytest.raises(ValueError, match="corruption"):
        _model(corruption="blur")
    with pytest.raises(ValueError, match="noise_level"):
        _model(noise_level=-1)
