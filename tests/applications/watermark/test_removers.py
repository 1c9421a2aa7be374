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


def test_two_head_loss_matches_numpy(rng):
    marked, clean, masks = _data(rng, count=2)
    masks[0, 2, 1] = 0.4  # soft edge: inside the mask (M > 0)
    remover = _two_head(mask_weight=0.7)
    raw = remover.predict_on_batch(marked).astype("float64")  # one compile
    refined, logits = marked + raw[..., :3], raw[..., 3:]
    inside = (masks > 0).astype("float64")
    probability = _sigmoid(logits)
    blended = marked + probability * (refined - marked)
    per_image = lambda v: v.reshape(2, -1).mean(axis=1)  # noqa: E731
    expected = {
        "reconstruction_loss": per_image(np.abs(blended - clean)),
        "refined_loss": per_image(inside * np.abs(refined - clean)),
        "mask_loss": per_image(
            -(
                inside * np.log(probability)
                + (1 - inside) * np.log(1 - probability)
            )
        ),
    }
    expected["loss"] = (
        expected["reconstruction_loss"]
        + expected["refined_loss"]
        + 0.7 * expected["mask_loss"]
    )
    terms = remover.loss_terms_of(
        marked, clean, masks, ops.convert_to_tensor(raw)
    )
    for name, values in expected.items():
        np.testing.assert_allclose(
            ops.convert_to_numpy(terms[name]), values, rtol=1e-4, err_msg=name
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


@pytest.mark.parametrize("make", [_two_head, _autoencoder])
def test_fit_remove_save_and_load(rng, tmp_path, make):
    remover = make()
    remover.compile(optimizer=keras.optimizers.Adam(1e-2))
    if make is _two_head:  # a WatermarkPairs, and validation data
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
    with pytest.raises(ValueError, match="mask_threshold"):
        _two_head(mask_threshold=1.0)
    with pytest.raises(ValueError, match="network"):
        watermark.WatermarkRemover(network=keras.Sequential([]))
