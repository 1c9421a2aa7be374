"""AdversarialLoss on score maps and multi-scale lists, against NumPy."""

import numpy as np
import pytest
from keras import ops

import kgen


def softplus(x):
    return np.logaddexp(0.0, x)


RNG = np.random.default_rng(0)
REAL = [RNG.normal(size=(2, 4, 4, 1)), RNG.normal(size=(2, 2, 2, 1))]
FAKE = [RNG.normal(size=(2, 4, 4, 1)), RNG.normal(size=(2, 2, 2, 1))]

NUMPY = {
    "non_saturating": (
        lambda r, f, s: (
            (1 - s) * np.mean(softplus(-r))
            + s * np.mean(softplus(r))
            + np.mean(softplus(f))
        ),
        lambda f: np.mean(softplus(-f)),
    ),
    "least_squares": (
        lambda r, f, s: 0.5 * np.mean((r - (1 - s)) ** 2) + 0.5 * np.mean(f**2),
        lambda f: 0.5 * np.mean((f - 1) ** 2),
    ),
    "hinge": (
        lambda r, f, s: (
            np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f))
        ),
        lambda f: -np.mean(f),
    ),
}


@pytest.mark.parametrize("game", sorted(NUMPY))
def test_maps_and_scales_average_like_numpy(game):
    smoothing = 0.0 if game == "hinge" else 0.2
    loss = kgen.losses.AdversarialLoss(game, label_smoothing=smoothing)
    d_ref, g_ref = NUMPY[game]
    real = [r.astype("float32") for r in REAL]
    fake = [f.astype("float32") for f in FAKE]
    # One map: the mean over every patch score.
    np.testing.assert_allclose(
        ops.convert_to_numpy(loss.discriminator(real[0], fake[0])),
        d_ref(REAL[0], FAKE[0], smoothing),
        rtol=1e-5,
    )
    # Two scales: the mean of the per-scale losses.
    expected = np.mean([d_ref(r, f, smoothing) for r, f in zip(REAL, FAKE)])
    np.testing.assert_allclose(
        ops.convert_to_numpy(loss.discriminator(real, fake)),
        expected,
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(loss.generator(fake)),
        np.mean([g_ref(f) for f in FAKE]),
        rtol=1e-5,
    )


def test_config_and_errors():
    loss = kgen.losses.AdversarialLoss("least_squares", 0.1)
    assert kgen.losses.AdversarialLoss.from_config(loss.get_config()).game == (
        "least_squares"
    )
    with pytest.raises(ValueError, match="Unknown GAN loss 'wgan'"):
        kgen.losses.AdversarialLoss("wgan")
    with pytest.raises(ValueError, match="`label_smoothing` applies to"):
        kgen.losses.AdversarialLoss("hinge", 0.1)
