"""Lab conversions and colourfulness against hand-computed values."""

import numpy as np
import pytest

from kgen.applications import colourisation


def test_known_colours_in_lab():
    # sRGB primaries in CIE Lab (D65), as tabulated e.g. by Bruce Lindbloom.
    rgb = np.array([[[255, 255, 255], [0, 0, 0], [255, 0, 0]]], "uint8")
    lab = colourisation.rgb_to_lab(rgb)[0]
    np.testing.assert_allclose(lab[0], [100.0, 0.0, 0.0], atol=0.01)
    np.testing.assert_allclose(lab[1], [0.0, 0.0, 0.0], atol=0.01)
    np.testing.assert_allclose(lab[2], [53.24, 80.09, 67.20], atol=0.02)


def test_lab_round_trip(rng):
    images = rng.random((2, 5, 7, 3)).astype("float32")
    lab = colourisation.rgb_to_lab(images)
    np.testing.assert_allclose(colourisation.lab_to_rgb(lab), images, atol=1e-4)
    lightness, ab = colourisation.normalize_lab(lab)
    assert lightness.shape == (2, 5, 7, 1) and ab.shape == (2, 5, 7, 2)
    assert -1 <= lightness.min() and lightness.max() <= 1
    np.testing.assert_allclose(
        colourisation.denormalize_lab(lightness, ab), lab, atol=1e-4
    )
    x, y = colourisation.lab_pairs((255 * images).astype("uint8"))
    np.testing.assert_allclose(x, lightness, atol=0.01)


def test_conversion_rejects_bad_images():
    with pytest.raises(ValueError, match="3 channels"):
        colourisation.rgb_to_lab(np.zeros((4, 4, 4)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        colourisation.rgb_to_lab(np.full((4, 4, 3), 255.0))
    with pytest.raises(ValueError, match="NaN"):
        colourisation.rgb_to_lab(np.full((4, 4, 3), np.nan))


def test_colourfulness_by_hand():
    # One red and one blue pixel: rg = (255, 0), yb = (127.5, -255), so
    # sigma_rg = 127.5, sigma_yb = 191.25, mu_rg = 127.5, mu_yb = -63.75 and
    # M = sqrt(127.5² + 191.25²) + 0.3 sqrt(127.5² + 63.75²) = 272.6187.
    image = np.array([[[255, 0, 0], [0, 0, 255]]], "uint8")
    assert colourisation.colourfulness(image) == pytest.approx(272.6187, 1e-6)
    # A flat colour has no spread: M = 0.3 * |(mu_rg, mu_yb)|; here
    # (R, G, B) = (100, 50, 0): rg = 50, yb = 75.
    flat = np.zeros((3, 4, 3), "uint8") + np.array([100, 50, 0], "uint8")
    expected = 0.3 * np.hypot(50.0, 75.0)
    assert colourisation.colourfulness(flat) == pytest.approx(expected)
    grey = np.repeat(np.linspace(0, 1, 12).reshape(3, 4, 1), 3, axis=-1)
    assert colourisation.colourfulness(grey) == pytest.approx(0.0)


def test_colourfulness_batches_and_scales(rng):
    images = rng.integers(0, 256, (3, 6, 5, 3)).astype("uint8")
    scores = colourisation.colourfulness(images)
    assert scores.shape == (3,)
    np.testing.assert_allclose(
        colourisation.colourfulness(images / 255.0), scores, rtol=1e-10
    )
    assert scores[1] == pytest.approx(colourisation.colourfulness(images[1]))
    with pytest.raises(ValueError, match="one image"):
        colourisation.colourfulness(images[None])
