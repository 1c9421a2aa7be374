"""Models under mixed-precision dtype policies train with `fit`, keep their
policy and float32 weights, and round-trip through `.keras` files."""

import keras
import numpy as np
import pytest

import kgen
from kgen import models

_RNG = np.random.default_rng(0)
BINARY = (_RNG.random((16, 8)) < 0.4).astype("float32")
REAL = _RNG.normal(size=(16, 8)).astype("float32")

FAMILIES = {
    "rbm": (lambda: models.RBM(4, seed=0), BINARY),
    "autoencoder": (
        lambda: models.Autoencoder.dense((8,), 2, hidden_units=(6,), seed=0),
        BINARY,
    ),
    "vae": (
        lambda: models.VAE.dense((8,), 2, hidden_units=(6,), seed=0),
        BINARY,
    ),
    "gan": (
        lambda: models.GAN(
            models.build_mlp_generator(2, (8,), hidden_units=(6,)),
            models.build_mlp_discriminator((8,), (6,)),
            latent_dim=2,
            seed=0,
        ),
        REAL,
    ),
    "made": (lambda: models.MADE(8, hidden_units=(6,), seed=0), BINARY),
    "maf": (
        lambda: models.MAF((8,), num_layers=2, hidden_units=(6,), seed=0),
        REAL,
    ),
}


@pytest.fixture
def policy(request):
    keras.mixed_precision.set_dtype_policy(request.param)
    yield request.param
    keras.mixed_precision.set_dtype_policy("float32")


def _check_trains_and_round_trips(model, x, policy, tmp_path):
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(x, batch_size=8, epochs=1, verbose=0).history
    assert history and all(np.isfinite(v[-1]) for v in history.values())
    assert model.dtype_policy.name == policy
    assert all(w.dtype == np.float32 for w in model.get_weights())
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert loaded.dtype_policy.name == policy
    assert loaded.get_config() == model.get_config()
    for old, new in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(old, new)
    loaded.fit(x, batch_size=8, epochs=1, verbose=0)


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_families_train_under_a_global_policy(family, policy, tmp_path):
    make, x = FAMILIES[family]
    _check_trains_and_round_trips(make(), x, policy, tmp_path)


@pytest.mark.parametrize("family", ["rbm", "gan"])
@pytest.mark.parametrize("policy", ["mixed_bfloat16"], indirect=True)
def test_bfloat16(family, policy, tmp_path):
    make, x = FAMILIES[family]
    _check_trains_and_round_trips(make(), x, policy, tmp_path)


def test_dtype_argument_of_the_model(tmp_path):
    model = models.Autoencoder(
        models.dense_encoder((8,), 2),
        models.dense_decoder(2, (8,)),
        reconstruction_loss="binary_crossentropy",
        dtype="mixed_bfloat16",
    )
    _check_trains_and_round_trips(model, BINARY, "mixed_bfloat16", tmp_path)


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_likelihoods_of_a_half_precision_rbm_are_refused(policy):
    model = models.RBM(4, seed=0)
    model.compile(optimizer="sgd")
    model.fit(BINARY, batch_size=8, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="need float32: it computes in"):
        kgen.metrics.ais_log_partition(model, BINARY, betas=10, num_runs=2)
    with pytest.raises(ValueError, match="need float32"):
        kgen.metrics.exact_log_partition(model)
