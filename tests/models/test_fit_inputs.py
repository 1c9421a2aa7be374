"""`fit` and `evaluate` refuse bad arguments with kgen's errors, before any
building or training, on every model that derives from GenerativeModel."""

import numpy as np
import pytest

import kgen

_X = np.random.default_rng(0).random((16, 6)).astype("float32")


def _vae():
    model = kgen.models.VAE.dense((6,), latent_dim=2, hidden_units=(4,))
    model.compile(optimizer="adam")
    return model


def _weights(model):
    return [np.array(v) for v in model.trainable_variables]


@pytest.mark.parametrize("epochs", [0, -1, 1.5, True])
def test_epochs_must_be_a_positive_integer(epochs):
    model = _vae()
    before = _weights(model)
    with pytest.raises(ValueError, match="`epochs` must be an integer >= 1"):
        model.fit(_X, epochs=epochs, verbose=0)
    for a, b in zip(before, _weights(model)):
        np.testing.assert_array_equal(a, b)


def test_missing_data_is_named():
    with pytest.raises(ValueError, match="received x=None"):
        _vae().fit(epochs=1, verbose=0)
    with pytest.raises(ValueError, match="received x=None"):
        _vae().evaluate(verbose=0)


def test_python_lists_train_like_arrays():
    model = _vae()
    history = model.fit(_X.tolist(), batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][-1])
    with pytest.raises(ValueError, match="not a rectangular array"):
        model.fit([[0.1, 0.2], [0.3]], epochs=1, verbose=0)


def test_validation_data_errors_name_validation_data_before_training():
    model = _vae()
    before = _weights(model)
    with pytest.raises(ValueError, match=r"Invalid `validation_data`.*\(6,\)"):
        model.fit(_X, validation_data=(_X[:, :5],), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"Invalid `validation_data`"):
        model.fit(_X, validation_data=_X[:, :5], epochs=1, verbose=0)
    for a, b in zip(before, _weights(model)):
        np.testing.assert_array_equal(a, b)


def test_positional_validation_split_keeps_its_place():
    model = kgen.models.RBM(kgen.layers.BernoulliRBM(3), seed=0)
    model.compile(optimizer="sgd")
    history = model.fit((_X > 0.5).astype("float32"), None, 8, 1, 0, None, 0.25)
    assert "val_loss" in history.history


def test_unconditional_gan_refuses_labels():
    gan = kgen.models.GAN(
        kgen.models.build_mlp_generator(2, (6,), hidden_units=(4,)),
        kgen.models.build_mlp_discriminator((6,), (4,)),
        latent_dim=2,
    )
    gan.compile(optimizer="adam")
    with pytest.raises(ValueError, match="ConditionalGAN"):
        gan.fit(_X, np.zeros(16, "int64"), epochs=1, verbose=0)


def test_config_keeps_keras_base_config():
    model = kgen.models.VAE.dense(
        (6,), latent_dim=2, hidden_units=(4,), name="vae_x", trainable=False
    )
    config = model.get_config()
    assert config["name"] == "vae_x" and config["trainable"] is False
    assert "dtype" in config
    clone = kgen.models.VAE.from_config(config)
    assert clone.name == "vae_x" and clone.trainable is False
    assert clone.dtype_policy.name == model.dtype_policy.name
