"""The Colouriser: training, losses, colourise on any size, save/load."""

import keras
import numpy as np
import pytest
from keras import ops

from kgen.applications import colourisation
from kgen.testing.serialization import assert_round_trip

TINY = dict(base_filters=2, num_downsampling=1, grid_size=40.0, seed=0)
# Every method, and the regression with class-rebalanced L1.
VARIANTS = colourisation.METHODS + ("rebalanced_regression",)


def _pairs(rng, num=4, size=8):
    images = rng.integers(0, 256, (num, size, size, 3)).astype("uint8")
    return colourisation.lab_pairs(images)


@pytest.fixture(scope="module")
def trained():
    """One trained colouriser per method on 4 random 8x8 patches."""
    x, y = _pairs(np.random.default_rng(1))
    models = {}
    for variant in VARIANTS:
        method = variant.removeprefix("rebalanced_")
        model = colourisation.Colouriser(
            method, rebalance=method != variant, **TINY
        )
        history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)
        assert np.isfinite(history.history["generator_loss"]).all()
        models[variant] = model
    return models, y


@pytest.mark.parametrize("variant", ["classification", "rebalanced_regression"])
def test_fit_sets_rebalancing_from_targets(trained, variant):
    models, y = trained
    model = models[variant]
    prior = colourisation.bin_prior(y * 110.0, model.bins)
    np.testing.assert_allclose(
        ops.convert_to_numpy(model.bin_weights),
        colourisation.rebalancing_weights(prior, 0.5),
        rtol=1e-6,
    )


@pytest.mark.parametrize("method", ["regression", "autoencoder"])
def test_rebalanced_pixel_loss_matches_numpy(rng, method):
    bins = np.array([[0, 0], [20, 0], [0, 20], [-20, -20]], "f4")
    model = colourisation.Colouriser(
        method, bins=bins, rebalance=True, rebalancing=0.3, **TINY
    )
    prior = np.array([0.5, 0.3, 0.2, 0.0])
    model.set_class_prior(prior)
    lightness = rng.uniform(-1, 1, (2, 4, 4, 1)).astype("float32")
    target = rng.uniform(-0.3, 0.3, (2, 4, 4, 2)).astype("float32")
    data = (ops.convert_to_tensor(lightness), ops.convert_to_tensor(target))
    _, terms = model.generator_loss(data, training=False)
    output = model.predict_ab(lightness)
    power = 2 if method == "autoencoder" else 1
    errors = np.abs(output - target) ** power
    ab = target.reshape(-1, 2) * 110.0
    nearest = ((ab[:, None] - bins) ** 2).sum(-1).argmin(-1)
    weights = colourisation.rebalancing_weights(prior, 0.3)[nearest]
    expected = np.mean(weights * errors.reshape(-1, 2).mean(-1))
    received = ops.stop_gradient(terms["mse" if power == 2 else "l1"])
    assert float(received) == pytest.approx(expected, rel=1e-4)
    # Equal weights (rebalancing=1) give the plain mean.
    plain = colourisation.Colouriser(
        method, bins=bins, rebalance=True, rebalancing=1.0, **TINY
    )
    plain.set_class_prior(prior)
    assert float(plain.pixel_loss(target, errors)) == pytest.approx(
        errors.mean(), rel=1e-5
    )


def test_classification_loss_matches_numpy(rng):
    bins = np.array([[0, 0], [20, 0], [0, 20], [-20, -20], [40, 40]], "f4")
    network = keras.Sequential(
        [keras.Input((None, None, 1)), keras.layers.Conv2D(5, 1)]
    )
    model = colourisation.Colouriser(
        "classification", network, bins=bins, neighbours=2, sigma=8.0, **TINY
    )
    prior = np.array([0.4, 0.3, 0.2, 0.1, 0.0])
    model.set_class_prior(prior)
    target = rng.uniform(-0.3, 0.4, (2, 3, 3, 2)).astype("float32")
    logits = rng.normal(size=(2, 3, 3, 5)).astype("float32")
    received = model.classification_loss(target, logits)
    ab = target.reshape(-1, 2) * 110.0
    distances = ((ab[:, None] - bins) ** 2).sum(-1)
    soft = np.zeros_like(distances)
    for row, order in enumerate(np.argsort(distances, -1)[:, :2]):
        soft[row, order] = np.exp(-distances[row, order] / (2 * 8.0**2))
    soft /= soft.sum(-1, keepdims=True)
    flat = logits.reshape(-1, 5)
    log_p = flat - np.log(np.exp(flat).sum(-1, keepdims=True))
    weights = colourisation.rebalancing_weights(prior, 0.5)
    weights = weights[distances.argmin(-1)]
    expected = np.mean(weights * -(soft * log_p).sum(-1))
    assert float(received) == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("variant", VARIANTS)
def test_colourise_any_size_and_save_load(trained, tmp_path, variant):
    model = trained[0][variant]
    grey = np.random.default_rng(2).random((1, 10, 13))

    def colourise(m):
        return m.colourise(grey)

    loaded = assert_round_trip(model, tmp_path, call=colourise, atol=1e-5)
    colour = colourise(loaded)
    assert colour.shape == (1, 10, 13, 3) and colour.dtype == np.float32
    assert 0 <= colour.min() and colour.max() <= 1
    assert model.method == loaded.method == variant.removeprefix("rebalanced_")
    assert loaded.rebalance == model.rebalance
    if model.bins is not None:
        np.testing.assert_allclose(
            ops.convert_to_numpy(loaded.bin_weights),
            ops.convert_to_numpy(model.bin_weights),
        )


def test_colourise_pads_and_crops_consistently(trained):
    model = trained[0]["regression"]
    grey = np.random.default_rng(3).random((2, 8, 12))
    lightness = colourisation.rgb_to_lab(np.repeat(grey[..., None], 3, -1))
    normalized = lightness[..., :1] / 50.0 - 1.0
    ab = model.predict_ab(normalized)
    expected = colourisation.lab_to_rgb(
        colourisation.denormalize_lab(normalized, ab)
    )
    np.testing.assert_allclose(model.colourise(grey), expected, atol=1e-5)
    # Odd sizes are padded to a multiple of 2 and cropped back.
    listed = model.colourise([grey[0], grey[1, :7, :9, None]])
    assert [image.shape for image in listed] == [(8, 12, 3), (7, 9, 3)]


@pytest.mark.parametrize("variant", ["regression", "classification"])
def test_saturation_scales_the_predicted_ab(trained, tmp_path, variant):
    model = trained[0][variant]
    rng = np.random.default_rng(6)
    lightness = rng.uniform(-1, 1, (2, 8, 8, 1)).astype("float32")
    plain = model.predict_ab(lightness)
    model.saturation = 1.5
    try:
        np.testing.assert_allclose(
            model.predict_ab(lightness), 1.5 * plain, rtol=1e-5, atol=1e-6
        )
        loaded = assert_round_trip(
            model, tmp_path, call=lambda m: m.predict_ab(lightness), atol=1e-5
        )
        assert loaded.saturation == 1.5
    finally:
        model.saturation = 1.0
    for bad in (0.0, -1.0, float("nan"), True):
        with pytest.raises(ValueError, match="saturation"):
            model.saturation = bad
    assert model.saturation == 1.0


def test_colour_input_is_converted_with_a_warning(trained):
    model = trained[0]["autoencoder"]
    colour = np.random.default_rng(4).random((1, 8, 8, 3))
    with pytest.warns(UserWarning, match="colour images"):
        result = model.colourise(colour)
    assert result.shape == (1, 8, 8, 3)


def test_bad_input_gets_clear_errors(trained):
    model = trained[0]["regression"]
    with pytest.raises(ValueError, match="Received shape"):
        model.colourise(np.zeros((1, 8, 8, 2)))
    with pytest.raises(ValueError, match="at least 2 pixels"):
        model.colourise(np.zeros((1, 1, 8)))
    with pytest.raises(ValueError, match="NaN"):
        model.colourise(np.full((1, 8, 8), np.nan))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        model.colourise(np.full((1, 8, 8), 2.0))
    with pytest.raises(ValueError, match="empty"):
        model.colourise([])
    x, y = _pairs(np.random.default_rng(5), num=2)
    with pytest.raises(ValueError, match="pairs"):
        model.fit(x)
    with pytest.raises(ValueError, match=r"\[-1.0, 1.0\]"):
        model.fit(x * 5, y)
    with pytest.raises(ValueError, match="shape"):
        model.fit(x, y[..., :1])


def test_constructor_checks_arguments():
    with pytest.raises(ValueError, match="method"):
        colourisation.Colouriser("painting")
    with pytest.raises(ValueError, match="bins"):
        colourisation.Colouriser("classification", bins=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="temperature"):
        colourisation.Colouriser("classification", temperature=0.0, **TINY)
    with pytest.raises(ValueError, match="class weights"):
        colourisation.Colouriser("regression", **TINY).set_class_prior([1.0])
    with pytest.raises(ValueError, match="rebalance"):
        colourisation.Colouriser("regression", rebalance="yes", **TINY)
