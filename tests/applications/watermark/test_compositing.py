"""The compositing model, its inverse, the mask loss and the metrics."""

import numpy as np
import pytest
from keras import ops

from kgen.applications import watermark


def _random_layers(rng, shape=(3, 5, 6)):
    clean = rng.uniform(size=(*shape, 3)).astype("float32")
    colours = rng.uniform(size=(*shape, 3)).astype("float32")
    masks = rng.uniform(size=(*shape, 1)).astype("float32")
    masks[masks < 0.3] = 0.0
    alpha = rng.uniform(0.3, 0.8, size=(shape[0], 1, 1, 1)).astype("float32")
    return clean, colours, masks, alpha


def test_composite_matches_the_formula_pixel_by_pixel(rng):
    clean, colours, masks, alpha = _random_layers(rng)
    blended = watermark.composite(clean, colours, masks, alpha)
    for n, i, j, c in np.ndindex(*clean.shape):
        weight = alpha[n, 0, 0, 0] * masks[n, i, j, 0]
        expected = (1 - weight) * clean[n, i, j, c] + weight * colours[
            n, i, j, c
        ]
        assert blended[n, i, j, c] == pytest.approx(expected, abs=1e-6)
    assert blended.dtype == np.float32
    # Hand-computed: 0.2 under white at half opacity.
    assert watermark.composite([[[0.2]]], 1.0, 1.0, 0.5)[0, 0, 0] == (
        pytest.approx(0.6)
    )


def test_inverse_blend_recovers_the_clean_image(rng):
    clean, colours, masks, alpha = _random_layers(rng)
    blended = watermark.composite(clean, colours, masks, alpha)
    recovered = watermark.inverse_blend(blended, colours, masks, alpha)
    np.testing.assert_allclose(recovered, clean, atol=1e-5)
    # After 8-bit rounding the error is at most half a step / (1 - alpha M).
    rounded = np.round(blended * 255) / 255
    recovered = watermark.inverse_blend(rounded, colours, masks, alpha)
    bound = 0.5 / 255 / (1 - alpha * masks) + 1e-6
    assert np.all(np.abs(recovered - clean) <= bound)


def test_inverse_blend_refuses_opaque_pixels_and_bad_masks():
    with pytest.raises(ValueError, match="opaque"):
        watermark.inverse_blend(np.zeros((1, 2, 2, 3)), 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="masks"):
        watermark.composite(np.zeros((1, 2, 2, 3)), 1.0, np.nan, 0.5)
    with pytest.raises(ValueError, match="alpha"):
        watermark.composite(np.zeros((1, 2, 2, 3)), 1.0, 1.0, 1.5)


def test_mask_loss_matches_numpy_binary_cross_entropy(rng):
    masks = (rng.uniform(size=(2, 4, 5, 1)) > 0.5).astype("float32")
    masks[0, 0, 0, 0] = 0.3  # soft targets too
    logits = rng.normal(scale=3.0, size=masks.shape).astype("float32")
    probability = 1 / (1 + np.exp(-logits.astype("float64")))
    expected = (
        -(masks * np.log(probability) + (1 - masks) * np.log(1 - probability))
        .reshape(2, -1)
        .mean(axis=1)
    )
    received = ops.convert_to_numpy(watermark.mask_loss(masks, logits))
    np.testing.assert_allclose(received, expected, rtol=1e-5)
    # Balanced: the mean of the watermark's (m > 0) and background's means.
    losses = -(
        masks * np.log(probability) + (1 - masks) * np.log(1 - probability)
    ).reshape(2, -1)
    inside = masks.reshape(2, -1) > 0
    expected = [
        0.5 * (row[keep].mean() + row[~keep].mean())
        for row, keep in zip(losses, inside)
    ]
    received = watermark.mask_loss(masks, logits, balanced=True)
    np.testing.assert_allclose(
        ops.convert_to_numpy(received), expected, rtol=1e-5
    )
    # No watermark at all: half the background's mean.
    received = watermark.mask_loss(masks * 0, logits, balanced=True)
    plain = watermark.mask_loss(masks * 0, logits)
    np.testing.assert_allclose(
        ops.convert_to_numpy(received),
        0.5 * ops.convert_to_numpy(plain),
        rtol=1e-5,
    )


def test_removal_metrics_against_hand_computed_values():
    clean = np.zeros((1, 4, 4, 3), "float32")
    predicted = clean.copy()
    predicted[0, :2, :2] = 0.1  # an error of 0.1 on the 4 masked pixels
    masks = np.zeros((1, 4, 4, 1), "float32")
    masks[0, :2, :2] = 0.7
    guess = np.zeros((1, 4, 4), bool)
    guess[0, :2, :3] = True  # 6 pixels, 4 of them right
    scores = watermark.removal_metrics(clean, predicted, masks, guess)
    assert scores["rmse_in_mask"] == pytest.approx(0.1)
    assert scores["psnr_in_mask"] == pytest.approx(20.0)
    assert scores["psnr"] == pytest.approx(10 * np.log10(1 / (0.01 / 4)))
    assert scores["mask_iou"] == pytest.approx(4 / 6)
    assert scores["mask_f1"] == pytest.approx(2 * 4 / (4 + 6))


def test_biharmonic_inpainting_fills_a_smooth_image():
    rows, columns = np.mgrid[0:16, 0:16] / 15.0
    image = np.stack([rows, columns, 0.5 * (rows + columns)], axis=-1)[None]
    masks = np.zeros((1, 16, 16, 1))
    masks[0, 5:10, 4:11] = 1.0
    marked = watermark.composite(image, 1.0, masks, 0.6)
    filled = watermark.inpaint_biharmonic(marked, masks)
    np.testing.assert_allclose(filled, image, atol=1e-3)
    assert np.abs(marked - image).max() > 0.1
