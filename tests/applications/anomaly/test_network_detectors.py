"""Model-based detectors against scores computed directly from the models."""

import itertools

import keras
import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.special import softplus
from sklearn.preprocessing import KBinsDiscretizer
from sklearn.preprocessing import RobustScaler
from sklearn.preprocessing import StandardScaler

from kgen.applications.anomaly import AutoencoderDetector
from kgen.applications.anomaly import DenoisingAutoencoderDetector
from kgen.applications.anomaly import GANomaly
from kgen.applications.anomaly import GANomalyDetector
from kgen.applications.anomaly import ModelDetector
from kgen.applications.anomaly import RBMDetector
from kgen.applications.anomaly import VAEDetector
from kgen.applications.anomaly.network_detector import PREPROCESSING
from kgen.models import VAE
from kgen.models import Autoencoder
from kgen.testing.serialization import assert_round_trip

FIT = dict(epochs=2, batch_size=16, seed=0, contamination=0.2)


@pytest.fixture
def binary(rng):
    return (rng.random((40, 6)) < 0.3).astype("float32")


@pytest.mark.parametrize(
    "detector_class", [AutoencoderDetector, DenoisingAutoencoderDetector]
)
def test_reconstruction_error_from_the_model(binary, detector_class):
    detector = detector_class(latent_dim=2, hidden_units=(8,), **FIT)
    detector.fit(binary)
    assert detector.model.optimizer.iterations.numpy() == 6  # trained
    reconstruction = detector.model.predict(binary, verbose=0)
    expected = np.square(reconstruction - binary).mean(axis=1)
    np.testing.assert_allclose(detector.decision_scores_, expected, rtol=1e-5)


def test_vae_negative_elbo_matches_numpy(binary):
    vae = VAE.dense((6,), latent_dim=2, hidden_units=(8,), seed=0)
    # A posterior of variance exp(-30): z is its mean to float precision.
    last = vae.encoder.layers[-1]
    kernel, bias = last.get_weights()
    kernel[:, 2:], bias[2:] = 0.0, -30.0
    last.set_weights([kernel, bias])
    detector = VAEDetector(vae, epochs=0, num_samples=3).fit(binary)
    code = vae.encoder.predict(binary, verbose=0)
    mean, log_var = code[:, :2], code[:, 2:]
    logits = vae.decoder.predict(mean, verbose=0)
    log_p = (binary * logits - softplus(logits)).sum(axis=1)
    kl = 0.5 * (np.exp(log_var) + mean**2 - 1.0 - log_var).sum(axis=1)
    np.testing.assert_allclose(
        detector.decision_scores_, kl - log_p, rtol=1e-4, atol=1e-4
    )


def test_vae_negative_log_likelihood_is_the_iwae_bound(binary):
    detector = VAEDetector(
        score="negative_log_likelihood",
        num_samples=7,
        score_seed=3,
        latent_dim=2,
        hidden_units=(8,),
        **FIT,
    ).fit(binary)
    bound = detector.model.log_likelihood(binary, num_samples=7, seed=3)
    np.testing.assert_allclose(detector.decision_scores_, -bound, rtol=1e-5)
    assert detector.model.likelihood == "bernoulli"


def _numpy_free_energy(layer, v):
    kernel, visible_bias, hidden_bias = (
        keras.ops.convert_to_numpy(w)
        for w in (layer.kernel, layer.visible_bias, layer.hidden_bias)
    )
    return -v @ visible_bias - softplus(hidden_bias + v @ kernel).sum(axis=1)


def test_rbm_free_energy_and_exact_likelihood_match_numpy(binary):
    detector = RBMDetector(
        num_hidden=4, learning_rate=0.05, **FIT, score="free_energy"
    ).fit(binary)
    free_energy = _numpy_free_energy(detector.model.layer, binary)
    np.testing.assert_allclose(
        detector.decision_scores_, free_energy, rtol=1e-5, atol=1e-5
    )
    nll = RBMDetector(detector.model, "negative_log_likelihood", epochs=0)
    nll.fit(binary)
    states = (np.arange(64)[:, None] >> np.arange(6) & 1).astype("float32")
    log_z = logsumexp(-_numpy_free_energy(detector.model.layer, states))
    np.testing.assert_allclose(nll.log_partition_, log_z, rtol=1e-5)
    np.testing.assert_allclose(
        nll.decision_scores_, free_energy + log_z, rtol=1e-5, atol=1e-4
    )


def test_rbm_detector_uses_gaussian_units_for_real_data(rng):
    x = rng.normal(size=(30, 3)).astype("float32")
    detector = RBMDetector(num_hidden=4, **FIT).fit(x)
    assert type(detector.model.layer).__name__ == "GaussianBernoulliRBM"
    energy = keras.ops.convert_to_numpy(detector.model.layer.free_energy(x))
    np.testing.assert_allclose(detector.decision_scores_, energy, rtol=1e-5)


@pytest.mark.filterwarnings("ignore:Feature 2 is constant")
def test_binned_rbm_scores_scikit_learn_s_bins(rng):
    # Heavy tails, and a constant feature (one bin); the test data go
    # beyond the training range (first and last bins).
    x = rng.standard_t(2, size=(50, 3)) * [1.0, 100.0, 0.0]
    test = rng.standard_t(2, size=(9, 3)) * 300.0
    detector = RBMDetector(
        num_hidden=4,
        num_bins=4,
        preprocessing="robust_arcsinh",
        learning_rate=0.05,
        **FIT,
    ).fit(x)
    assert type(detector.model.layer).__name__ == "CategoricalRBM"
    scaler = RobustScaler(quantile_range=(5, 95)).fit(x)
    bins = KBinsDiscretizer(4, encode="ordinal", strategy="uniform")
    bins.fit(np.arcsinh(scaler.transform(x)))
    for data, scores in (
        (x, detector.decision_scores_),
        (test, detector.decision_function(test)),
    ):
        codes = bins.transform(np.arcsinh(scaler.transform(data)))
        one_hot = codes[..., None] == np.arange(4)
        one_hot = one_hot.reshape(len(data), 12).astype("float32")
        expected = _numpy_free_energy(detector.model.layer, one_hot)
        np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-5)
    assert set(codes[:, 0]) == {0, 3} and set(codes[:, 2]) == {0}


def test_binned_rbm_log_likelihood_sums_over_every_bin_combination(rng):
    x = rng.normal(size=(40, 3)).astype("float32")
    detector = RBMDetector(
        num_hidden=3, num_bins=3, score="negative_log_likelihood", **FIT
    ).fit(x)
    codes = np.array(list(itertools.product(range(3), repeat=3)))
    states = (codes[..., None] == np.arange(3)).reshape(27, 9)
    free_energy = _numpy_free_energy(detector.model.layer, states * 1.0)
    np.testing.assert_allclose(
        detector.log_partition_, logsumexp(-free_energy), rtol=1e-5
    )


def test_binned_rbm_needs_a_categorical_rbm_of_as_many_categories(binary):
    with pytest.raises(ValueError, match="num_bins"):
        RBMDetector(num_bins=1)
    other = RBMDetector(num_hidden=3, **FIT).fit(binary).model
    with pytest.raises(ValueError, match="CategoricalRBM.*BernoulliRBM"):
        RBMDetector(other, num_bins=3, **FIT).fit(binary)


def test_ganomaly_trains_and_scores_the_latent_distance(binary, tmp_path):
    detector = GANomalyDetector(latent_dim=3, hidden_units=(8,), **FIT)
    detector.fit(binary)
    model = detector.model
    logs = model.logs()
    for name in ("discriminator_loss", "generator_loss", "contextual_loss"):
        assert np.isfinite(float(logs[name]))
    z = model.encoder.predict(binary, verbose=0)
    x_hat = model.decoder.predict(z, verbose=0)
    z_hat = model.reconstruction_encoder.predict(x_hat, verbose=0)
    expected = np.square(z - z_hat).mean(axis=1)
    np.testing.assert_allclose(
        detector.decision_scores_, expected, rtol=1e-4, atol=1e-6
    )
    np.testing.assert_allclose(
        model.predict(binary, verbose=0), x_hat, rtol=1e-5, atol=1e-6
    )
    loaded = assert_round_trip(
        model, tmp_path, call=lambda m: m.anomaly_score(binary)
    )
    loaded.fit(binary, epochs=1, batch_size=16, verbose=0)


def test_ganomaly_rejects_networks_that_do_not_fit(binary):
    model = GANomaly.dense((6,), latent_dim=3, hidden_units=(8,))
    with pytest.raises(ValueError, match="two outputs"):
        GANomaly(model.encoder, model.decoder, model.encoder)
    with pytest.raises(ValueError, match="weight"):
        GANomaly.dense((6,), contextual_weight=-1.0)


def test_saved_and_reloaded_model_scores_the_same(binary, tmp_path):
    detector = AutoencoderDetector(latent_dim=2, hidden_units=(8,), **FIT)
    detector.fit(binary)
    path = tmp_path / "detector_model.keras"
    detector.model.save(path)
    reloaded = AutoencoderDetector(
        keras.models.load_model(path), epochs=0, contamination=0.2
    ).fit(binary)
    np.testing.assert_allclose(
        reloaded.decision_scores_, detector.decision_scores_, rtol=1e-6
    )
    assert reloaded.threshold_ == pytest.approx(detector.threshold_)
    wrapped = ModelDetector(keras.models.load_model(path), contamination=0.2)
    np.testing.assert_allclose(
        wrapped.fit(binary).decision_scores_,
        detector.decision_scores_,
        rtol=1e-5,
    )


def _squared_errors(model, x):
    return np.square(model.predict(x, verbose=0) - x).mean(axis=1)


def test_trimmed_rounds_leave_out_the_highest_scoring_samples(rng):
    x = rng.normal(size=(40, 6)).astype("float32")
    model = Autoencoder.dense((6,), latent_dim=2, hidden_units=(8,))
    initial = model.get_weights()
    options = dict(FIT, batch_size=40)
    detector = AutoencoderDetector(model, trim=0.25, trim_rounds=2, **options)
    detector.fit(x)
    # The same training by hand: one batch, so the shuffling plays no part.
    model = Autoencoder.dense((6,), latent_dim=2, hidden_units=(8,))
    model.set_weights(initial)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(x, epochs=2, batch_size=40, verbose=0)
    for _ in range(2):
        errors = _squared_errors(model, x)
        left_out = errors > np.sort(errors)[-11]  # the 10 highest
        model.fit(x[~left_out], epochs=2, batch_size=40, verbose=0)
    np.testing.assert_array_equal(detector.trimmed_, left_out)
    assert detector.model.optimizer.iterations.numpy() == 6
    expected = _squared_errors(model, x)
    np.testing.assert_allclose(
        detector.decision_scores_, expected, rtol=1e-4, atol=1e-6
    )
    assert detector.labels_.sum() == round(0.2 * len(x))


def test_trimmed_rbm_scores_its_log_likelihood(binary):
    detector = RBMDetector(
        num_hidden=3, score="negative_log_likelihood", trim=0.2, **FIT
    ).fit(binary)
    assert detector.trimmed_.sum() == 8
    free_energy = _numpy_free_energy(detector.model.layer, binary)
    np.testing.assert_allclose(
        detector.decision_scores_,
        free_energy + detector.log_partition_,
        rtol=1e-5,
        atol=1e-4,
    )


@pytest.mark.parametrize("preprocessing", PREPROCESSING)
def test_preprocessing_is_scikit_learn_s_scaling(rng, preprocessing):
    # Heavy tails, and a quasi-discrete feature with a zero quartile range.
    x = rng.standard_t(2, size=(60, 3)) * [1.0, 10.0, 100.0]
    x[:, 2] = np.where(rng.random(60) < 0.8, 0.0, np.round(x[:, 2]))
    test = rng.standard_t(2, size=(9, 3)) * 20.0
    detector = AutoencoderDetector(  # one step: the transform is tested
        latent_dim=2,
        hidden_units=(8,),
        preprocessing=preprocessing,
        **dict(FIT, epochs=1, batch_size=60),
    ).fit(x)
    if preprocessing.startswith("robust"):
        scaler = RobustScaler(quantile_range=(5, 95))
    else:
        scaler = StandardScaler()
    scaled = [scaler.fit(x).transform(v).astype("float32") for v in (x, test)]
    if preprocessing.endswith("arcsinh"):
        scaled = [np.arcsinh(v) for v in scaled]
    for data, inputs in zip((x, test), scaled):
        expected = _squared_errors(detector.model, inputs)
        np.testing.assert_allclose(
            detector.decision_function(data), expected, rtol=1e-4, atol=1e-6
        )
    np.testing.assert_allclose(
        detector.decision_scores_,
        _squared_errors(detector.model, scaled[0]),
        rtol=1e-4,
        atol=1e-6,
    )


def test_detector_options_are_checked():
    with pytest.raises(ValueError, match="score"):
        VAEDetector(score="elbo")
    with pytest.raises(ValueError, match="score"):
        RBMDetector(score="energy")
    with pytest.raises(ValueError, match="epochs"):
        AutoencoderDetector(epochs=-1)
    for trim in (-0.1, 0.5):
        with pytest.raises(ValueError, match="trim"):
            VAEDetector(trim=trim)
    with pytest.raises(ValueError, match="preprocessing"):
        AutoencoderDetector(preprocessing="quantile")
    with pytest.raises(ValueError, match="trim_rounds"):
        RBMDetector(trim=0.1, trim_rounds=0)
