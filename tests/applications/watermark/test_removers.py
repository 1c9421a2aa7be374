"""The watermark removers: losses, inference contract, saving, bad input."""

import keras
import numpy as np
import pytest
from keras import ops

from kgen.applications import watermark
from kgen.testing.serialization import assert_round_trip


def _data(rng, count=4, size=8):
    clean = rng.uniform(size=(count, size, size, 3)).astype("float32")
    masks = np.zeros((count, size, size, 1), "float32")
    masks[:, 2:6, 1:5] = 1.0
    marked = watermark.composite(clean, 1.0, masks, 0.5)
    return marked, clean, masks


def _two_head(**kwargs):
    return watermark.WatermarkRemover(
        base_filters=2, num_downsampling=2, seed=0, **kwargs
    )


def _autoencoder():
    return watermark.DenoisingAutoencoderRemover(
        tile_size=4, latent_dim=4, filters=(2,), seed=0
    )


def _sigmoid(z):
    return 1 / (1 + np.exp(-z.astype("float64")))


def _numpy_components(marked, raw, composition, max_opacity=0.9):
    """The refined image and mask logits, by NumPy (see `components`)."""
    residual, logits = raw[..., :3], raw[..., 3:4]
    if composition == "residual":
        return marked + residual, logits, None
    opacity = max_opacity * _sigmoid(raw[..., 4:5])
    colour = _sigmoid(raw[..., 5:8])
    inverse = (marked - opacity * colour) / (1 - opacity)
    return inverse + residual, logits, (opacity, colour)


def _region_mean(values, region):
    """Per-image mean over the pixels (and channels) where `region` is 1."""
    region = np.broadcast_to(region, values.shape).reshape(len(values), -1)
    return (values.reshape(len(values), -1) * region).sum(1) / region.sum(1)


@pytest.mark.parametrize("composition", watermark.COMPOSITIONS)
def test_two_head_loss_matches_numpy(rng, composition):
    marked, clean, masks = _data(rng, count=2)
    masks[0, 2, 1] = 0.4  # soft edge: inside the mask (M > 0)
    alpha = np.array([0.5, 0.3], "float32")
    remover = _two_head(
        mask_weight=0.7,
        inside_weight=1.5,
        opacity_weight=0.3,
        colour_weight=0.6,
        composition=composition,
        balanced_mask_loss=composition == "residual",
    )
    raw = remover.predict_on_batch(marked).astype("float64")  # one compile
    assert raw.shape[-1] == (8 if composition == "inverse_blend" else 4)
    refined, logits, heads = _numpy_components(marked, raw, composition)
    colours = rng.uniform(size=(2, 1, 1, 3)) * (masks > 0)
    inside = (masks > 0).astype("float64")
    probability = _sigmoid(logits)
    blended = marked + probability * (refined - marked)
    per_image = lambda v: v.reshape(2, -1).mean(axis=1)  # noqa: E731
    cross_entropy = -(
        inside * np.log(probability) + (1 - inside) * np.log(1 - probability)
    )
    expected = {
        "reconstruction_loss": per_image(np.abs(blended - clean)),
        "refined_loss": _region_mean(np.abs(refined - clean), inside),
        "mask_loss": 0.5
        * (
            _region_mean(cross_entropy, inside)
            + _region_mean(cross_entropy, 1 - inside)
        )
        if remover.balanced_mask_loss
        else per_image(cross_entropy),
    }
    expected["loss"] = (
        expected["reconstruction_loss"]
        + 1.5 * expected["refined_loss"]
        + 0.7 * expected["mask_loss"]
    )
    if heads is not None:  # balanced: mean inside + mean outside the mask
        error = np.abs(heads[0] - alpha[:, None, None, None] * masks)
        expected["opacity_loss"] = _region_mean(error, inside) + _region_mean(
            error, 1 - inside
        )
        expected["colour_loss"] = _region_mean(
            np.abs(heads[1] - colours), inside
        )
        expected["loss"] = (
            expected["loss"]
            + 0.3 * expected["opacity_loss"]
            + 0.6 * expected["colour_loss"]
        )
    terms = remover.loss_terms_of(
        marked, clean, masks, ops.convert_to_tensor(raw), alpha, colours
    )
    assert set(terms) == {"loss", *remover.loss_terms}
    for name, values in expected.items():
        np.testing.assert_allclose(
            ops.convert_to_numpy(terms[name]), values, rtol=1e-4, err_msg=name
        )
    if heads is not None:  # without alpha and W: no opacity, colour terms
        terms = remover.loss_terms_of(
            marked, clean, masks, ops.convert_to_tensor(raw)
        )
        for name in ("opacity_loss", "colour_loss"):
            np.testing.assert_allclose(ops.convert_to_numpy(terms[name]), 0)
        np.testing.assert_allclose(
            ops.convert_to_numpy(terms["loss"]),
            expected["loss"]
            - 0.3 * expected["opacity_loss"]
            - 0.6 * expected["colour_loss"],
            rtol=1e-4,
        )


def _logit(p):
    return np.log(p) - np.log1p(-p)


def test_inverse_blend_head_inverts_the_compositing_model(rng):
    """Fed the true blend weight and colour (and no residual), the head's
    inversion is the oracle `inverse_blend` and recovers the clean image."""
    clean = rng.uniform(size=(2, 8, 8, 3)).astype("float32")
    masks = np.zeros((2, 8, 8, 1), "float32")
    masks[:, 1:7, 2:6] = 1.0
    masks[1, 3, 3] = 0.5  # an anti-aliased edge
    colours = rng.uniform(0.05, 0.95, size=(2, 1, 1, 3)).astype("float32")
    alpha = np.array([0.3, 0.8], "float32")[:, None, None, None]
    marked = watermark.composite(clean, colours, masks, alpha)
    remover = _two_head()
    weight = np.clip(alpha * masks / remover.max_opacity, 1e-12, None)
    raw = np.concatenate(
        [
            np.zeros_like(clean),  # residual
            np.full_like(masks, 5.0),  # mask logit
            _logit(weight),
            np.broadcast_to(_logit(colours), clean.shape),
        ],
        axis=-1,
    )
    parts = remover.components(marked, ops.convert_to_tensor(raw))
    oracle = watermark.inverse_blend(marked, colours, masks, alpha)
    np.testing.assert_allclose(
        ops.convert_to_numpy(parts["refined"]), oracle, atol=1e-4
    )
    np.testing.assert_allclose(oracle, clean, atol=1e-4)
    np.testing.assert_allclose(
        ops.convert_to_numpy(parts["opacity"]), alpha * masks, atol=1e-6
    )


def test_autoencoder_remover_applies_its_network_tile_by_tile(rng):
    marked, clean, masks = _data(rng, count=2)
    remover = _autoencoder()
    output = remover.predict_on_batch(marked)
    corners = [(row, column) for row in (0, 4) for column in (0, 4)]
    tiles = np.concatenate(
        [marked[:, r : r + 4, c : c + 4] for r, c in corners]
    )
    expected = remover.network.predict_on_batch(tiles).reshape(4, 2, 4, 4, 3)
    for (row, column), tile in zip(corners, expected):
        np.testing.assert_allclose(
            output[:, row : row + 4, column : column + 4], tile, atol=1e-5
        )
    error = ((output - clean) ** 2).reshape(2, -1).mean(axis=1)
    terms = remover.loss_terms_of(
        marked, clean, masks, ops.convert_to_tensor(output)
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(terms["loss"]), error, rtol=1e-5
    )


def _residual_two_head():
    return _two_head(composition="residual", balanced_mask_loss=True)


@pytest.mark.parametrize("make", [_two_head, _residual_two_head, _autoencoder])
def test_fit_remove_save_and_load(rng, tmp_path, make):
    remover = make()
    remover.compile(optimizer=keras.optimizers.Adam(1e-2))
    if make is not _autoencoder:  # a WatermarkPairs, and validation data
        pairs = watermark.make_watermark_pairs(
            4,
            image_size=8,
            names=["chelsea", "coffee"],
            test_photos=("coffee",),
        )
        validation = (pairs.watermarked, (pairs.clean, pairs.mask))
        history = remover.fit(
            pairs, epochs=2, batch_size=2, validation_data=validation, verbose=0
        )
        assert "val_mask_loss" in history.history
    else:
        marked, clean, masks = _data(rng)
        history = remover.fit(
            marked, (clean, masks), epochs=2, batch_size=2, verbose=0
        )
    assert np.all(np.isfinite(history.history["loss"]))
    for name in remover.loss_terms:
        assert name in history.history
    # Not a multiple of the size factor: padded, then cropped back.
    images = rng.uniform(size=(3, 10, 7, 3)).astype("float32")
    cleaned = remover.remove_watermark(images, batch_size=2)
    predicted = remover.predict_mask(images)
    probabilities = remover.predict_mask(images, probabilities=True)
    assert cleaned.shape == images.shape and predicted.shape == (3, 10, 7)
    np.testing.assert_array_equal(predicted, probabilities >= 0.5)
    np.testing.assert_array_equal(cleaned[~predicted], images[~predicted])
    assert np.all((cleaned >= 0) & (cleaned <= 1))
    single = remover.remove_watermark(images[0])
    np.testing.assert_allclose(single, cleaned[0], atol=1e-5)
    components = remover.predict_components(images)
    np.testing.assert_allclose(components["mask"][..., 0], probabilities)
    refined = np.clip(components["refined"], 0, 1)
    # Different batch sizes (2 and 16): equal up to float32 rounding.
    np.testing.assert_allclose(
        cleaned[predicted], refined[predicted], rtol=1e-6, atol=1e-6
    )
    if make is _two_head:
        assert components["opacity"].shape == (3, 10, 7, 1)
        assert components["colour"].shape == images.shape
        opacity = components["opacity"]
        assert np.all((opacity >= 0) & (opacity <= remover.max_opacity))
        np.testing.assert_allclose(  # the inversion, by NumPy
            components["inverse"],
            (images - opacity * components["colour"]) / (1 - opacity),
            rtol=1e-4,
            atol=1e-5,
        )
        # The pairs passed alpha and W.
        assert history.history["opacity_loss"][-1] > 0
        assert history.history["colour_loss"][-1] > 0
    assert_round_trip(
        remover, tmp_path, call=lambda m: m.remove_watermark(images)
    )


def test_bad_input_is_refused(rng):
    marked, clean, masks = _data(rng)
    remover = _two_head()
    remover.compile(optimizer="adam")
    with pytest.raises(ValueError, match="channels|shape"):
        remover.remove_watermark(marked[..., :1])  # grey
    with pytest.raises(ValueError, match="at least 4"):
        remover.remove_watermark(marked[:, :3, :3])  # smaller than 2 ** 2
    bad = marked.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        remover.remove_watermark(bad)
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        remover.remove_watermark(marked * 255)
    with pytest.raises(ValueError, match="y = \\(clean, masks\\)"):
        remover.fit(marked, clean, verbose=0)
    with pytest.raises(ValueError, match="masks"):
        remover.fit(marked, (clean, masks[..., 0]), verbose=0)
    with pytest.raises(ValueError, match="divisible by 4"):
        remover.fit(marked[:, :6, :6], (clean[:, :6, :6], masks[:, :6, :6]))
    alpha = np.full(len(marked), 0.5, "float32")
    with pytest.raises(ValueError, match="alpha"):
        remover.fit(marked, (clean, masks, alpha + 1), verbose=0)
    with pytest.raises(ValueError, match="as many"):
        remover.fit(marked, (clean, masks, alpha[:2]), verbose=0)
    with pytest.raises(ValueError, match="watermarks"):
        remover.fit(marked, (clean, masks, alpha, clean[..., :1]), verbose=0)
    with pytest.raises(ValueError, match="of length 5"):
        remover.fit(marked, (clean, masks, alpha, clean, clean), verbose=0)
    with pytest.raises(ValueError, match="colour_weight"):
        _two_head(colour_weight=-1.0)
    with pytest.raises(ValueError, match="balanced_mask_loss"):
        _two_head(balanced_mask_loss="yes")
    with pytest.raises(ValueError, match="mask_threshold"):
        _two_head(mask_threshold=1.0)
    with pytest.raises(ValueError, match="max_opacity"):
        _two_head(max_opacity=1.0)
    with pytest.raises(ValueError, match="composition"):
        _two_head(composition="inpaint")
    with pytest.raises(ValueError, match="network"):
        watermark.WatermarkRemover(network=keras.Sequential([]))
