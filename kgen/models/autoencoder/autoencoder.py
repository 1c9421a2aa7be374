"""The autoencoder model."""

import math

import keras
import numpy as np
from keras import ops

from kgen.losses.log_likelihood import bernoulli_log_likelihood
from kgen.models.autoencoder.encoder_decoder import EncoderDecoder
from kgen.utils.validation import check_array
from kgen.utils.validation import check_choice
from kgen.utils.validation import is_array

_LOSSES = ("auto", "binary_crossentropy", "mse")
_RESOLVED_KEY = "resolved_reconstruction_loss"


@keras.saving.register_keras_serializable(package="kgen")
class Autoencoder(EncoderDecoder):
    """An autoencoder: an encoder to a code and a decoder back, trained by `fit`.

    The encoder maps a sample to a code of `latent_dim` values and the
    decoder maps the code back to a reconstruction; training minimises the
    reconstruction loss, so the code keeps what is needed to rebuild the
    data (a non-linear generalisation of PCA when `latent_dim` is small).

    Build it from hyperparameters with `Autoencoder.dense(...)` or
    `Autoencoder.conv(...)` (the decoder mirrors the encoder unless given),
    or from your own functional encoder and decoder. The decoder's output is
    linear: with binary cross-entropy it holds logits and reconstructions
    are `sigmoid(logits)`; with mean squared error it is the reconstruction.

    `fit(x)` learns to reconstruct `x`; `fit(x, y)` learns to map `x` to the
    targets `y` (e.g. noisy inputs to clean ones).

    Reference:
        Hinton and Salakhutdinov, "Reducing the Dimensionality of Data with
        Neural Networks", Science 2006.

    Args:
        encoder: `keras.Model` mapping `(batch, *feature_shape)` to
            `(batch, latent_dim)`.
        decoder: `keras.Model` mapping `(batch, latent_dim)` to
            `(batch, *feature_shape)`, with a linear output.
        reconstruction_loss: `"binary_crossentropy"` (data in [0, 1]),
            `"mse"`, or `"auto"`: binary cross-entropy if the first `fit`'s
            data lie in [0, 1], mean squared error otherwise. The choice
            is held in `resolved_reconstruction_loss` (saved with the
            weights); the config keeps `"auto"` as given.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    (x_train, _), (x_test, _) = kgen.datasets.load_digits()
    model = kgen.models.Autoencoder.dense((64,), latent_dim=8, hidden_units=(128,))
    model.compile(optimizer="adam")
    model.fit(x_train, epochs=50, batch_size=64, verbose=0)
    codes = model.encode(x_test)          # (450, 8)
    x_hat = model.reconstruct(x_test)     # (450, 64)
    ```
    """

    def __init__(
        self, encoder, decoder, reconstruction_loss="auto", seed=None, **kwargs
    ):
        check_choice(reconstruction_loss, "reconstruction_loss", _LOSSES)
        self.reconstruction_loss = reconstruction_loss
        self._resolved_loss = (
            None if reconstruction_loss == "auto" else reconstruction_loss
        )
        super().__init__(encoder, decoder, seed=seed, **kwargs)

    @property
    def resolved_reconstruction_loss(self):
        """The loss in use: `reconstruction_loss`, with `"auto"` resolved by
        the first `fit` (`None` until then)."""
        return self._resolved_loss

    @property
    def _bernoulli(self):
        if self._resolved_loss is None:
            raise ValueError(
                "`reconstruction_loss='auto'` is chosen by the first `fit` on "
                "array data. Call `fit` first, or pass reconstruction_loss="
                "'binary_crossentropy' or 'mse'."
            )
        return self._resolved_loss == "binary_crossentropy"

    def fit(self, x=None, y=None, **kwargs):
        self._check_targets(x, y)
        return super().fit(x, y, **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        self._check_targets(x, y)
        return super().evaluate(x, y, **kwargs)

    def check_inputs(self, x):
        """Checks sample shape and finiteness (the range of targets is
        checked separately: inputs may be noisy)."""
        if is_array(x):
            self._checked(x)

    def _check_targets(self, x, y):
        """Resolves `"auto"` and checks the range of array targets."""
        name, targets = ("x", x) if y is None else ("y", y)
        if self._resolved_loss is None:
            self._resolved_loss = _loss_for(targets)
        if is_array(targets):
            self._check_samples(targets, name, self._bernoulli)

    def _pairs(self, x, y):
        """The `(inputs, targets)` of a training step."""
        return x, x if y is None else y

    def _loss_terms(self, x, y, training):
        inputs, targets = self._pairs(x, y)
        raw = self._decoder_output(
            self._code(inputs, training=training), training=training
        )
        targets = ops.cast(targets, raw.dtype)
        if self._bernoulli:
            size = math.prod(self.feature_shape)
            return {"loss": -bernoulli_log_likelihood(targets, raw) / size}
        squared = ops.reshape(
            ops.square(raw - targets), (ops.shape(raw)[0], -1)
        )
        return {"loss": ops.mean(squared, axis=-1)}

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store[_RESOLVED_KEY] = np.array(
            _LOSSES.index(self._resolved_loss or "auto")
        )

    def load_own_variables(self, store):
        keys = list(store.keys())
        if _RESOLVED_KEY in keys:
            resolved = _LOSSES[int(store[_RESOLVED_KEY][()])]
            self._resolved_loss = None if resolved == "auto" else resolved
        super().load_own_variables(
            {key: store[key] for key in keys if key != _RESOLVED_KEY}
        )

    def get_config(self):
        return {
            **super().get_config(),
            "reconstruction_loss": self.reconstruction_loss,
        }


def _loss_for(x):
    """Binary cross-entropy for array data in [0, 1], else mean squared error."""
    if not is_array(x):
        raise ValueError(
            "`reconstruction_loss='auto'` chooses the loss from array data, but "
            f"`fit` received {type(x).__name__}. Pass reconstruction_loss="
            "'binary_crossentropy' (data in [0, 1]) or 'mse' to the model."
        )
    x = check_array(x, "x")
    in_unit_range = x.min() >= 0.0 and x.max() <= 1.0
    return "binary_crossentropy" if in_unit_range else "mse"
