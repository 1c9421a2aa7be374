"""Text-to-image losses and R-precision against NumPy references."""

import numpy as np
import pytest
from keras import ops

from kgen.applications.text_to_image import matching_aware_loss
from kgen.applications.text_to_image import r_precision
from kgen.applications.text_to_image import symmetric_matching_loss
from kgen.losses import AdversarialLoss


def _log_softmax(x, axis):
    x = x - x.max(axis=axis, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=axis, keepdims=True))


def test_symmetric_matching_loss_matches_numpy(rng):
    images = rng.normal(size=(5, 3)).astype("float32")
    texts = rng.normal(size=(5, 3)).astype("float32")
    unit = lambda x: x / np.linalg.norm(x, axis=1, keepdims=True)  # noqa: E731
    logits = unit(images) @ unit(texts).T / 0.2
    expected = -0.5 * (
        np.diag(_log_softmax(logits, 1)).mean()
        + np.diag(_log_softmax(logits, 0)).mean()
    )
    loss = symmetric_matching_loss(images, texts, 0.2)
    np.testing.assert_allclose(ops.convert_to_numpy(loss), expected, rtol=1e-5)
    # Perfectly matched, well separated pairs: the loss goes to 0.
    eye = np.eye(4, dtype="float32")
    perfect = symmetric_matching_loss(eye, eye, 0.01)
    assert ops.convert_to_numpy(perfect) < 1e-6


def _softplus(x):
    return np.logaddexp(0.0, x)


@pytest.mark.parametrize("game", ["non_saturating", "least_squares"])
def test_matching_aware_loss_matches_numpy(rng, game):
    real, wrong, fake = (
        rng.normal(size=(6, 1)).astype("float32") for _ in range(3)
    )
    if game == "non_saturating":
        expected = np.mean(_softplus(-real)) + 0.5 * (
            np.mean(_softplus(wrong)) + np.mean(_softplus(fake))
        )
    else:  # LSGAN: (D(x) - 1)^2 / 2 + D(G(z))^2 / 2
        expected = 0.5 * np.mean((real - 1) ** 2) + 0.5 * (
            0.5 * np.mean(wrong**2) + 0.5 * np.mean(fake**2)
        )
    loss = matching_aware_loss(AdversarialLoss(game), real, wrong, fake)
    np.testing.assert_allclose(ops.convert_to_numpy(loss), expected, rtol=1e-5)


def test_r_precision_counts_rows_whose_caption_ranks_first(rng):
    captions = rng.normal(size=(40, 64))
    images = captions + 0.01 * rng.normal(size=captions.shape)
    assert r_precision(images, captions, num_candidates=10) == 1.0
    # Image 0 is closer to caption 1 than to its own caption 0, and closer
    # to caption 0 than to the others: it fails only when caption 1
    # competes, which `groups` prevents by putting it in image 0's group.
    images[0] = captions[0] + 2.0 * captions[1]
    groups = np.arange(40)
    groups[1] = 0
    assert r_precision(images, captions, groups, num_candidates=39) == 1.0
    assert r_precision(images, captions, num_candidates=40) == 39 / 40


def test_r_precision_is_near_chance_for_unrelated_embeddings(rng):
    captions = rng.normal(size=(400, 16))
    images = rng.normal(size=(400, 16))
    value = r_precision(images, captions, num_candidates=10, seed=1)
    # 400 draws of a 1-in-10 event: 4 standard deviations is +- 0.06.
    assert abs(value - 0.1) < 0.06


def test_r_precision_rejects_too_few_competitors(rng):
    with pytest.raises(ValueError, match="competitors"):
        r_precision(rng.normal(size=(5, 2)), rng.normal(size=(5, 2)))
    with pytest.raises(ValueError, match="one caption per image"):
        r_precision(rng.normal(size=(5, 2)), rng.normal(size=(4, 2)))
