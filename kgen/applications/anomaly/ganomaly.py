"""GANomaly: an adversarially trained encoder-decoder-encoder."""

import keras
import numpy as np
from keras import ops

from kgen import backend
from kgen.losses.gan_losses import minimax_discriminator_loss
from kgen.models.autoencoder.builders import dense_decoder
from kgen.models.autoencoder.builders import dense_encoder
from kgen.models.phase import Phase
from kgen.models.phased_model import PhasedModel
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array

_NETWORKS = ("encoder", "decoder", "reconstruction_encoder", "discriminator")


@keras.saving.register_keras_serializable(package="kgen")
class GANomaly(PhasedModel):
    """GANomaly: encoder, decoder and second encoder, trained adversarially.

    The generator is an autoencoder followed by a second encoder:
    `z = encoder(x)`, `x_hat = decoder(z)`, `z_hat = reconstruction_encoder(
    x_hat)`. Trained on normal data only, it learns to rebuild normal
    samples and to encode their reconstructions as it encodes them; an
    anomaly's reconstruction looks normal, so its second code lands far from
    its first. The anomaly score is `mean((z - z_hat) ** 2)` per sample
    (`anomaly_score`).

    Each training step of `fit` runs two phases (`kgen.models.PhasedModel`):

    - `"discriminator"`: the discriminator learns to tell `x` from `x_hat`
      (binary cross-entropy, `kgen.losses.minimax_discriminator_loss`);
    - `"generator"`: the three generator networks minimise
      `adversarial_weight * adversarial_loss + contextual_weight *
      contextual_loss + encoder_weight * encoder_loss`, where
      `adversarial_loss` is the mean squared distance between the
      discriminator's features of `x` and of `x_hat` (feature matching),
      `contextual_loss` the mean absolute error `|x - x_hat|` and
      `encoder_loss` the mean squared error `(z - z_hat) ** 2`.

    All three terms are logged. Compile with one optimizer (copied per
    phase) or a dict `{"discriminator": ..., "generator": ...}`.

    Reference:
        Akcay, Atapour-Abarghouei and Breckon, "GANomaly: Semi-Supervised
        Anomaly Detection via Adversarial Training", ACCV 2018.

    Args:
        encoder: `keras.Model` mapping samples to codes `(batch, latent_dim)`.
        decoder: `keras.Model` mapping codes to samples (linear output).
        discriminator: `keras.Model` mapping samples to two outputs: logits
            `(batch, 1)` and features `(batch, num_features)`.
        reconstruction_encoder: `keras.Model` of the encoder's signature, or
            `None` for a fresh copy of the encoder's architecture.
        adversarial_weight: float >= 0, weight of the feature-matching loss.
        contextual_weight: float >= 0, weight of the reconstruction loss.
        encoder_weight: float >= 0, weight of the latent loss.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    model = kgen.applications.anomaly.GANomaly.dense((64,), latent_dim=16)
    model.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    model.fit(x_normal, epochs=20, batch_size=64, verbose=0)
    scores = model.anomaly_score(x_test)  # higher = more anomalous
    ```
    """

    def __init__(
        self,
        encoder,
        decoder,
        discriminator,
        reconstruction_encoder=None,
        adversarial_weight=1.0,
        contextual_weight=50.0,
        encoder_weight=1.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.encoder = _deserialize(encoder, "encoder")
        self.decoder = _deserialize(decoder, "decoder")
        if reconstruction_encoder is None:
            reconstruction_encoder = keras.models.clone_model(self.encoder)
        self.reconstruction_encoder = _deserialize(
            reconstruction_encoder, "reconstruction_encoder"
        )
        self.discriminator = _deserialize(discriminator, "discriminator")
        self.adversarial_weight = _weight(adversarial_weight, "adversarial")
        self.contextual_weight = _weight(contextual_weight, "contextual")
        self.encoder_weight = _weight(encoder_weight, "encoder")
        self.feature_shape = self._check_networks()
        self.built = True

    @classmethod
    def dense(
        cls,
        input_shape,
        latent_dim=32,
        hidden_units=(256, 128),
        activation="relu",
        **kwargs,
    ):
        """Builds GANomaly from multilayer perceptrons.

        The encoders are `kgen.models.dense_encoder`s, the decoder their
        mirror image (`kgen.models.dense_decoder`), and the discriminator an
        encoder-shaped perceptron with leaky ReLUs whose last hidden layer
        gives the features.

        Args:
            input_shape: shape of one sample, e.g. `(784,)`.
            latent_dim: int >= 1, code size.
            hidden_units: widths of the encoders' hidden layers.
            activation: activation of the encoders and decoder.
            **kwargs: passed to the constructor (weights, `seed`, `name`).

        Returns:
            A `GANomaly` model.
        """
        input_shape = tuple(input_shape)
        hidden_units = tuple(hidden_units)

        def encoder(name):
            return dense_encoder(
                input_shape, latent_dim, hidden_units, activation, name=name
            )

        return cls(
            encoder("encoder"),
            dense_decoder(
                latent_dim, input_shape, hidden_units[::-1], activation
            ),
            _dense_discriminator(input_shape, hidden_units),
            encoder("reconstruction_encoder"),
            **kwargs,
        )

    # ------------------------------------------------------------ the model

    def _codes(self, x, training=False):
        """`(z, x_hat, z_hat)` of a batch."""
        z = self.encoder(x, training=training)
        x_hat = self.decoder(z, training=training)
        return z, x_hat, self.reconstruction_encoder(x_hat, training=training)

    def call(self, inputs, training=False):
        """Reconstructs `inputs`: `decoder(encoder(inputs))`."""
        return self.decoder(
            self.encoder(inputs, training=training), training=training
        )

    def build_phases(self):
        generator = (
            self.encoder.trainable_variables
            + self.decoder.trainable_variables
            + self.reconstruction_encoder.trainable_variables
        )
        return [
            Phase("discriminator", self.discriminator_loss, self.discriminator),
            Phase(
                "generator",
                self._generator_loss_and_logs,
                generator,
                logs=("adversarial_loss", "contextual_loss", "encoder_loss"),
            ),
        ]

    def discriminator_loss(self, data, training=True):
        """Binary cross-entropy of the discriminator on `x` vs `x_hat`.

        Args:
            data: a `fit` batch of samples.
            training: whether networks run in training mode.

        Returns:
            Scalar loss.
        """
        x = _samples(data)
        fake = backend.without_gradient(self.call, x, training)
        real_logits, _ = self.discriminator(x, training=training)
        fake_logits, _ = self.discriminator(fake, training=training)
        return minimax_discriminator_loss(real_logits, fake_logits)

    def generator_loss(self, data, training=True):
        """The generator's weighted loss (see the class description).

        Args:
            data: a `fit` batch of samples.
            training: whether networks run in training mode.

        Returns:
            Scalar loss.
        """
        return self._generator_loss_and_logs(data, training)[0]

    def _generator_loss_and_logs(self, data, training=True):
        x = _samples(data)
        z, x_hat, z_hat = self._codes(x, training)
        _, real_features = self.discriminator(x, training=training)
        _, fake_features = self.discriminator(x_hat, training=training)
        x = ops.cast(x, x_hat.dtype)
        logs = {
            "adversarial_loss": ops.mean(
                ops.square(real_features - fake_features)
            ),
            "contextual_loss": ops.mean(ops.abs(x - x_hat)),
            "encoder_loss": ops.mean(ops.square(z - z_hat)),
        }
        loss = (
            self.adversarial_weight * logs["adversarial_loss"]
            + self.contextual_weight * logs["contextual_loss"]
            + self.encoder_weight * logs["encoder_loss"]
        )
        return loss, logs

    # ------------------------------------------------------------ public API

    def anomaly_score(self, x, batch_size=1024):
        """Per-sample anomaly score `mean((z - z_hat) ** 2)`.

        Args:
            x: array `(num_samples, *feature_shape)`.
            batch_size: samples processed at once.

        Returns:
            NumPy array of shape `(num_samples,)`.
        """
        x = check_array(x, "x", feature_shape=self.feature_shape)
        parts = []
        for start in range(0, len(x), batch_size):
            z, _, z_hat = self._codes(
                ops.convert_to_tensor(x[start : start + batch_size])
            )
            parts.append(
                ops.convert_to_numpy(ops.mean(ops.square(z - z_hat), axis=-1))
            )
        return np.concatenate(parts)

    def check_inputs(self, x):
        if is_array(x):
            check_array(x, "x", feature_shape=self.feature_shape)

    def _check_networks(self):
        feature_shape = tuple(self.encoder.inputs[0].shape[1:])
        x = keras.KerasTensor((None, *feature_shape))
        try:
            z, x_hat, z_hat = self._codes(x)
            outputs = self.discriminator(x)
        except Exception as error:  # Keras raises many types here.
            raise ValueError(
                "GANomaly's networks do not fit together on samples of shape "
                f"{feature_shape}: {error}"
            ) from error
        if tuple(x_hat.shape[1:]) != feature_shape or z.shape != z_hat.shape:
            raise ValueError(
                f"The decoder must return samples of shape {feature_shape} "
                "and the reconstruction encoder codes of the encoder's shape "
                f"{tuple(z.shape)}. Received {tuple(x_hat.shape)} and "
                f"{tuple(z_hat.shape)}."
            )
        if not isinstance(outputs, (list, tuple)) or len(outputs) != 2:
            raise ValueError(
                "The discriminator must return two outputs, logits (batch, 1) "
                "and features (batch, num_features). Received "
                f"{outputs!r}."
            )
        return feature_shape

    def get_config(self):
        config = {
            **super().get_config(),
            "adversarial_weight": self.adversarial_weight,
            "contextual_weight": self.contextual_weight,
            "encoder_weight": self.encoder_weight,
        }
        for name in _NETWORKS:
            config[name] = serialize_network(getattr(self, name))
        return config


def _dense_discriminator(input_shape, hidden_units):
    inputs = keras.Input(input_shape)
    features = keras.layers.Flatten()(inputs)
    for units in hidden_units:
        features = keras.layers.Dense(units)(features)
        features = keras.layers.LeakyReLU(0.2)(features)
    logits = keras.layers.Dense(1)(features)
    return keras.Model(inputs, [logits, features], name="discriminator")


def _samples(data):
    return data[0] if isinstance(data, (tuple, list)) else data


def _deserialize(network, name):
    if isinstance(network, dict):
        return deserialize_network(network, name)
    if not isinstance(network, keras.Model) or not getattr(
        network, "inputs", None
    ):
        raise ValueError(
            f"`{name}` must be a functional or Sequential `keras.Model` with "
            f"a known input shape. Received: {network!r}."
        )
    return network


def _weight(value, name):
    return check_number(value, f"{name}_weight", low=0)
