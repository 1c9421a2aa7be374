"""ab quantisation, rebalancing and annealed mean against NumPy."""

import numpy as np
import pytest
from keras import ops

from kgen.applications import colourisation


def test_bins_from_data_by_hand():
    ab = np.array([[0.0, 0.0], [4.0, -6.0], [26.0, 14.0], [24.0, 6.0]])
    # cells round(ab / 10): (0, 0), (0, -1), (3, 1), (2, 1).
    centres = colourisation.ab_bins(ab, grid_size=10)
    np.testing.assert_array_equal(
        centres, [[0, -10], [0, 0], [20, 10], [30, 10]]
    )
    twice = np.concatenate([ab, ab[:1]])
    np.testing.assert_array_equal(
        colourisation.ab_bins(twice, grid_size=10, min_count=2), [[0, 0]]
    )


def test_gamut_bins_cover_primaries():
    centres = colourisation.ab_bins(grid_size=20)
    assert np.all(centres % 20 == 0)
    primaries = colourisation.rgb_to_lab(
        np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 128, 128]]])
    )[0, :, 1:]
    cells = {tuple(c) for c in centres}
    for colour in primaries:
        assert tuple(20 * np.round(colour / 20)) in cells


def test_nearest_bins_and_prior_match_brute_force(rng):
    centres = colourisation.ab_bins(grid_size=25)
    ab = rng.uniform(-80, 80, (6, 7, 2))
    distances = ((ab[..., None, :] - centres) ** 2).sum(-1)
    nearest = colourisation.nearest_bins(ab, centres)
    np.testing.assert_array_equal(nearest, distances.argmin(-1))
    prior = colourisation.bin_prior(ab, centres)
    expected = np.bincount(nearest.ravel(), minlength=len(centres)) / 42
    np.testing.assert_allclose(prior, expected)


def test_rebalancing_weights_by_hand():
    # p = (1/2, 1/4, 1/4, 0), lambda = 1/2, Q = 4: 1 / (p / 2 + 1/8) =
    # (8/3, 4, 4, 8); sum(p w) = 10/3, so w = (0.8, 1.2, 1.2, 2.4).
    prior = np.array([0.5, 0.25, 0.25, 0.0])
    np.testing.assert_allclose(
        colourisation.rebalancing_weights(prior, 0.5),
        [0.8, 1.2, 1.2, 2.4],
        rtol=1e-6,
    )
    np.testing.assert_allclose(colourisation.rebalancing_weights(prior, 1), 1)
    with pytest.raises(ValueError, match="mix"):
        colourisation.rebalancing_weights(prior, 0.0)
    with pytest.raises(ValueError, match="probability"):
        colourisation.rebalancing_weights([0.5, 0.6])


def test_annealed_mean_matches_numpy(rng):
    centres = colourisation.ab_bins(grid_size=30)
    probabilities = rng.dirichlet(np.ones(len(centres)), size=(2, 3))
    for temperature in (0.38, 1.0):
        sharpened = probabilities ** (1 / temperature)
        sharpened /= sharpened.sum(-1, keepdims=True)
        expected = sharpened @ centres
        received = colourisation.annealed_mean(
            probabilities, centres, temperature
        )
        np.testing.assert_allclose(
            ops.convert_to_numpy(received), expected, rtol=1e-4, atol=1e-3
        )
        from_logits = colourisation.annealed_mean(
            np.log(probabilities) + 3.0, centres, temperature, logits=True
        )
        np.testing.assert_allclose(
            ops.convert_to_numpy(from_logits), expected, rtol=1e-4, atol=1e-3
        )
    with pytest.raises(ValueError, match="temperature"):
        colourisation.annealed_mean(probabilities, centres, 0.0)


def test_soft_encoding_matches_numpy(rng):
    centres = colourisation.ab_bins(grid_size=20)
    ab = rng.uniform(-60, 60, (4, 2)).astype("float32")
    received = ops.convert_to_numpy(
        colourisation.soft_encode(ab, centres, neighbours=5, sigma=5.0)
    )
    distances = ((ab[:, None] - centres) ** 2).sum(-1)
    expected = np.zeros_like(distances)
    for row, order in enumerate(np.argsort(distances, axis=-1)[:, :5]):
        expected[row, order] = np.exp(-distances[row, order] / 50.0)
    expected /= expected.sum(-1, keepdims=True)
    np.testing.assert_allclose(received, expected, atol=1e-4)
