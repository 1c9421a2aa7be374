import keras
import numpy as np
import pytest

from kgen.datasets import load_digits
from kgen.models import Autoencoder
from kgen.models import conv_decoder
from kgen.models import conv_encoder
from kgen.models import dense_decoder
from kgen.models import dense_encoder
from kgen.testing import assert_round_trip

(X, Y), _ = load_digits("unit")
X, Y = X[:128], Y[:128]


def _trained(model, x=X, y=None, steps=1):
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    model.fit(x, y, epochs=steps, batch_size=len(x), verbose=0)
    return model


def test_dense_builder_mirrors_the_encoder():
    model = Autoencoder.dense(
        (64,), latent_dim=3, hidden_units=(32, 16), activation="tanh"
    )

    def widths(m):
        return [l.units for l in m.layers if isinstance(l, keras.layers.Dense)]

    assert widths(model.encoder) == [32, 16, 3]
    assert widths(model.decoder) == [16, 32, 64]
    assert model.latent_dim == 3 and model.feature_shape == (64,)
    custom = Autoencoder.dense(
        (64,), 3, hidden_units=(32,), decoder_units=(8, 8)
    )
    assert widths(custom.decoder) == [8, 8, 64]


def test_conv_model_encodes_decodes_and_interpolates():
    (images, _), _ = load_digits(flatten=False)
    model = _trained(
        Autoencoder.conv((8, 8, 1), latent_dim=2, filters=(4, 8), seed=0),
        images[:32],
    )
    assert model.encode(images[:5]).shape == (5, 2)
    assert model.decode(np.zeros((3, 2), "float32")).shape == (3, 8, 8, 1)
    path = model.interpolate(images[:2], images[2:4], num_steps=4)
    assert path.shape == (2, 4, 8, 8, 1)
    np.testing.assert_allclose(
        path[:, 0], model.reconstruct(images[:2]), atol=1e-5
    )
    np.testing.assert_allclose(
        path[:, -1], model.reconstruct(images[2:4]), atol=1e-5
    )


def test_user_supplied_models():
    encoder = conv_encoder((8, 8, 1), 4, filters=(4,))
    decoder = conv_decoder(4, (8, 8, 1), filters=(4,))
    model = Autoencoder(encoder, decoder, reconstruction_loss="mse")
    assert model.latent_dim == 4 and model.feature_shape == (8, 8, 1)


def test_auto_loss_follows_the_data_and_leaves_the_config_alone():
    unit = Autoencoder.dense((64,), 2, hidden_units=(8,))
    config = unit.get_config()
    assert unit.resolved_reconstruction_loss is None
    _trained(unit)
    assert unit.resolved_reconstruction_loss == "binary_crossentropy"
    assert unit.get_config() == config
    assert unit.reconstruction_loss == "auto"
    (raw, _), _ = load_digits("raw")
    wide = _trained(Autoencoder.dense((64,), 2, hidden_units=(8,)), raw[:64])
    assert wide.resolved_reconstruction_loss == "mse"


@pytest.mark.parametrize("loss", ["binary_crossentropy", "mse"])
def test_loss_matches_keras_losses_on_reconstructions(loss):
    model = _trained(
        Autoencoder.dense(
            (64,), 4, hidden_units=(16,), reconstruction_loss=loss, seed=0
        )
    )
    reconstructions = model.reconstruct(X)
    reference = keras.losses.get(loss)(X, reconstructions)
    expected = float(np.mean(keras.ops.convert_to_numpy(reference)))
    got = model.evaluate(X, batch_size=len(X), verbose=0)
    np.testing.assert_allclose(got, expected, rtol=1e-4)


def test_paired_fit_learns_to_map_inputs_to_targets():
    model = _trained(
        Autoencoder.dense(
            (64,), 4, hidden_units=(16,), reconstruction_loss="mse"
        )
    )
    shifted = X[::-1]
    expected = np.mean((model.reconstruct(X) - shifted) ** 2)
    np.testing.assert_allclose(
        model.evaluate(X, shifted, batch_size=len(X), verbose=0),
        expected,
        rtol=1e-4,
    )


def test_one_step_changes_every_weight():
    model = Autoencoder.dense((64,), 2, hidden_units=(8,), seed=0)
    before = [w.copy() for w in model.get_weights()]
    _trained(model)
    for old, new in zip(before, model.get_weights()):
        assert not np.allclose(old, new)


def test_round_trip(tmp_path):
    model = _trained(Autoencoder.dense((64,), 2, hidden_units=(8,), seed=1))
    loaded = assert_round_trip(
        model, tmp_path, call=lambda m: m.reconstruct(X[:4])
    )
    assert loaded.reconstruction_loss == "auto"
    assert loaded.resolved_reconstruction_loss == "binary_crossentropy"


def test_bad_input_errors():
    with pytest.raises(ValueError, match="latent_dim"):
        Autoencoder.dense((64,), 0)
    with pytest.raises(ValueError, match="reconstruction_loss"):
        Autoencoder.dense((64,), 2, reconstruction_loss="l1")
    with pytest.raises(
        ValueError,
        match=r"encoder's output must have shape \(batch, 1 \* latent_dim\)",
    ):
        Autoencoder(dense_encoder((64,), 3), dense_decoder(2, (64,)))
    with pytest.raises(ValueError, match="decoder's output shape"):
        Autoencoder(dense_encoder((64,), 2), dense_decoder(2, (32,)))
    with pytest.raises(ValueError, match="height and width divisible"):
        conv_encoder((6, 6, 1), 2, filters=(4, 8))
    model = Autoencoder.dense(
        (64,), 2, hidden_units=(8,), reconstruction_loss="binary_crossentropy"
    )
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.where(X == X.max(), np.nan, X), verbose=0)
    with pytest.raises(ValueError, match=r"must lie in \[0.0, 1.0\].*Gaussian"):
        model.fit(X * 16, verbose=0)
    with pytest.raises(ValueError, match=r"samples of shape \(64,\)"):
        model.fit(X[:, :32], verbose=0)
    auto = Autoencoder.dense((64,), 2, hidden_units=(8,))
    with pytest.raises(ValueError, match="chooses the loss from array data"):
        auto.fit(iter([X]), verbose=0)
    with pytest.raises(ValueError, match="first `fit`"):
        auto.reconstruct(X)


def test_regularisers_and_sample_weights_enter_the_loss():
    inputs = keras.Input((64,))
    code = keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.1))(
        inputs
    )
    encoder = keras.Model(inputs, code)
    model = Autoencoder(
        encoder,
        dense_decoder(2, (64,), hidden_units=()),
        reconstruction_loss="mse",
    )
    model.compile(optimizer="adam")
    per_sample = np.mean((model.reconstruct(X) - X) ** 2, axis=1)
    penalty = 0.1 * np.sum(
        keras.ops.convert_to_numpy(encoder.layers[1].kernel) ** 2
    )
    got = model.evaluate(X, batch_size=len(X), verbose=0)
    np.testing.assert_allclose(got, np.mean(per_sample) + penalty, rtol=1e-5)
    weights = np.linspace(0.0, 2.0, len(X)).astype("float32")
    weighted = model.compute_loss(
        x=keras.ops.convert_to_tensor(X), sample_weight=weights
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(weighted),
        np.mean(per_sample * weights) + penalty,
        rtol=1e-5,
    )
