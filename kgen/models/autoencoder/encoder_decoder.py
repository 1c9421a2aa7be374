"""The shared base of kgen's autoencoders and VAEs (not public)."""

import keras
import numpy as np
from keras import ops

from kgen.models.autoencoder import builders
from kgen.models.generative_model import GenerativeModel
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import is_array
from kgen.utils.validation import offset_seed


class EncoderDecoder(GenerativeModel):
    """An encoder, a code and a decoder, trained through `compute_loss`.

    Holds what autoencoders and VAEs share: the sub-models and their shape
    checks, the `dense` / `conv` builders, `encode`, `decode`, `reconstruct`
    and `interpolate`, input checks, the loss bookkeeping and serialisation.
    Subclasses define `_loss_terms` (per-sample losses) and `_bernoulli`.

    The encoder's single output has `code_factor * latent_dim` values (the
    code, or a VAE's means and log variances); the decoder maps
    `(batch, latent_dim)` to raw outputs of the input's shape (logits for
    Bernoulli data, means otherwise). A conditional model's encoder and
    decoder take a one-hot label vector as their second input.
    """

    code_factor = 1
    nested = ("encoder", "decoder")
    # `compute_loss` runs the networks itself (see there): on PyTorch the
    # step skips Keras' unused forward pass (`kgen.backend.StepFunctions`).
    loss_uses_predictions = False

    def __init__(self, encoder, decoder, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.feature_shape, self.latent_dim = self._check_models(
            encoder, decoder
        )
        self.built = True

    @classmethod
    def dense(
        cls,
        input_shape,
        latent_dim,
        hidden_units=(256, 128),
        activation="relu",
        decoder_units=None,
        **kwargs,
    ):
        """Builds the model from multilayer perceptrons.

        Args:
            input_shape: shape of one sample, e.g. `(64,)`.
            latent_dim: int >= 1, size of the code.
            hidden_units: widths of the encoder's hidden layers.
            activation: activation of the hidden layers.
            decoder_units: widths of the decoder's hidden layers; by default
                the encoder's, reversed (a mirror image).
            **kwargs: passed to the constructor (e.g. `seed`, which also
                fixes the initial weights, the loss or likelihood,
                `num_classes` for a conditional model).

        Returns:
            The model, built from `kgen.models.dense_encoder` and
            `kgen.models.dense_decoder`.
        """
        latent_dim = check_integer(latent_dim, "latent_dim")
        decoder_units = (
            tuple(hidden_units)[::-1]
            if decoder_units is None
            else decoder_units
        )
        num_classes = kwargs.get("num_classes")
        seed = kwargs.get("seed")
        encoder = builders.dense_encoder(
            input_shape,
            cls.code_factor * latent_dim,
            hidden_units,
            activation,
            num_classes,
            seed=offset_seed(seed, 0),
        )
        decoder = builders.dense_decoder(
            latent_dim,
            input_shape,
            decoder_units,
            activation,
            num_classes,
            seed=offset_seed(seed, 1),
        )
        return cls(encoder, decoder, **kwargs)

    @classmethod
    def conv(
        cls,
        input_shape,
        latent_dim,
        filters=(32, 64),
        kernel_size=3,
        activation="relu",
        decoder_filters=None,
        **kwargs,
    ):
        """Builds the model from strided convolutions.

        Args:
            input_shape: `(height, width, channels)` of one image; height and
                width divisible by `2 ** len(filters)`.
            latent_dim: int >= 1, size of the code.
            filters: filters of the encoder's convolutions.
            kernel_size: size of the convolution kernels.
            activation: activation of the hidden layers.
            decoder_filters: filters of the decoder's transposed
                convolutions; by default the encoder's, reversed.
            **kwargs: passed to the constructor (`seed` also fixes the
                initial weights).

        Returns:
            The model, built from `kgen.models.conv_encoder` and
            `kgen.models.conv_decoder`.
        """
        latent_dim = check_integer(latent_dim, "latent_dim")
        decoder_filters = (
            tuple(filters)[::-1] if decoder_filters is None else decoder_filters
        )
        num_classes = kwargs.get("num_classes")
        seed = kwargs.get("seed")
        encoder = builders.conv_encoder(
            input_shape,
            cls.code_factor * latent_dim,
            filters,
            kernel_size,
            activation,
            num_classes,
            seed=offset_seed(seed, 0),
        )
        decoder = builders.conv_decoder(
            latent_dim,
            input_shape,
            decoder_filters,
            kernel_size,
            activation,
            num_classes,
            seed=offset_seed(seed, 1),
        )
        return cls(encoder, decoder, **kwargs)

    # ------------------------------------------------------------------ checks

    def _check_models(self, encoder, decoder):
        for name, model in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(model, keras.Model) or not getattr(
                model, "inputs", None
            ):
                raise ValueError(
                    f"`{name}` must be a functional or Sequential `keras.Model` "
                    f"with a known input shape. Received: {name}={model!r}. "
                    f"Build it on a `keras.Input`, or use `{type(self).__name__}"
                    ".dense(...)` / `.conv(...)`."
                )
            if len(model.outputs) != 1:
                raise ValueError(
                    f"`{name}` must have a single output. Received "
                    f"{len(model.outputs)} outputs."
                )
        feature_shape = tuple(encoder.inputs[0].shape[1:])
        latent_dim = decoder.inputs[0].shape[-1]
        code_size = encoder.outputs[0].shape[-1]
        if (
            len(encoder.outputs[0].shape) != 2
            or code_size != self.code_factor * latent_dim
        ):
            raise ValueError(
                f"The encoder's output must have shape (batch, "
                f"{self.code_factor} * latent_dim) = (batch, "
                f"{self.code_factor * latent_dim}) for a {type(self).__name__} "
                f"whose decoder takes latent_dim={latent_dim} inputs. Received "
                f"encoder output shape {tuple(encoder.outputs[0].shape)}. Change "
                "the encoder's last layer or the decoder's input size."
            )
        decoded = tuple(decoder.outputs[0].shape[1:])
        if decoded != feature_shape:
            raise ValueError(
                f"The decoder's output shape {decoded} must equal the encoder's "
                f"input shape {feature_shape}."
            )
        return feature_shape, latent_dim

    def check_inputs(self, x):
        """Checks sample shape, finiteness and, for Bernoulli data, range."""
        images, labels = self._split_data(x)
        if images is not None:
            self._check_samples(images, "x", in_range=self._bernoulli)
            self._check_labels(labels, len(images))

    def _check_samples(self, x, name, in_range):
        low, high = (0.0, 1.0) if in_range else (None, None)
        return check_array(
            x,
            name,
            feature_shape=self.feature_shape,
            low=low,
            high=high,
            range_hint=(
                "A Bernoulli likelihood (binary cross-entropy) needs data in "
                "[0, 1]: rescale it (e.g. divide by 255), or choose a Gaussian "
                "likelihood (mean squared error)."
            ),
        )

    def _split_data(self, x):
        """The sample array (or `None` for datasets) and labels in `x`."""
        return (x if is_array(x) else None), None

    def _check_labels(self, labels, count):
        """Validates labels; unconditional models take none."""

    # ------------------------------------------------------------ the model

    @property
    def _bernoulli(self):
        raise NotImplementedError

    def _split_inputs(self, inputs):
        """The model's inputs as `(x, one-hot condition or None)`."""
        return inputs, None

    def _condition(self, labels, count):
        """One-hot conditions for public calls; `None` when unconditional."""
        if labels is not None:
            raise ValueError(
                f"{type(self).__name__} is not conditional and takes no "
                "`labels`. Use `kgen.models.ConditionalVAE` for labels."
            )
        return None

    def _encoder_output(self, x, condition=None, training=False):
        x = ops.convert_to_tensor(x)
        inputs = x if condition is None else [x, condition]
        return self.encoder(inputs, training=training)

    def _decoder_output(self, z, condition=None, training=False):
        z = ops.convert_to_tensor(z)
        inputs = z if condition is None else [z, condition]
        return self.decoder(inputs, training=training)

    def _code(self, x, condition=None, training=False):
        """The deterministic code of `x` (a VAE's posterior mean)."""
        return self._encoder_output(x, condition, training)[
            ..., : self.latent_dim
        ]

    def _output_mean(self, raw):
        """Maps the decoder's raw output to the reconstruction."""
        return ops.sigmoid(raw) if self._bernoulli else raw

    def call(self, inputs, training=False):
        x, condition = self._split_inputs(inputs)
        code = self._code(x, condition, training)
        return self._output_mean(
            self._decoder_output(code, condition, training)
        )

    # ------------------------------------------------------------ training

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        """The mean of `_loss_terms(x, y)["loss"]`; other terms are logged.

        `y_pred` is not used: the terms are computed from the inputs, so that
        corruption and sampling happen inside the training step.
        """
        terms = self._loss_terms(x, y, training)
        loss = _weighted_mean(terms.pop("loss"), sample_weight)
        for name, value in terms.items():
            # Weighted by batch size, as Keras weights its `loss` tracker.
            self.add_tracker(name).update_state(
                _weighted_mean(value, sample_weight),
                sample_weight=ops.shape(value)[0],
            )
        for extra in self.losses:
            loss = loss + ops.cast(extra, loss.dtype)
        return loss

    def _loss_terms(self, x, y, training):
        """Returns a dict of per-sample losses with the objective as `"loss"`."""
        raise NotImplementedError

    # ------------------------------------------------------------ public API

    def encode(self, x, labels=None):
        """Returns the codes of `x` (a VAE's posterior means).

        Args:
            x: array of samples, shape `(batch, *feature_shape)`.
            labels: class labels, for a conditional model only.

        Returns:
            NumPy array of shape `(batch, latent_dim)`.
        """
        x = self._checked(x)
        return ops.convert_to_numpy(
            self._code(x, self._condition(labels, len(x)))
        )

    def decode(self, z, labels=None):
        """Returns the reconstructions (means) decoded from codes `z`.

        Args:
            z: array of shape `(batch, latent_dim)`.
            labels: class labels, for a conditional model only.

        Returns:
            NumPy array of shape `(batch, *feature_shape)`.
        """
        z = check_array(z, "z", feature_shape=(self.latent_dim,))
        raw = self._decoder_output(z, self._condition(labels, len(z)))
        return ops.convert_to_numpy(self._output_mean(raw))

    def reconstruct(self, x, labels=None):
        """Encodes and decodes `x`: `decode(encode(x))`.

        Args:
            x: array of samples, shape `(batch, *feature_shape)`.
            labels: class labels, for a conditional model only.

        Returns:
            NumPy array of the shape of `x`.
        """
        return self.decode(self.encode(x, labels), labels)

    def interpolate(self, x_start, x_end, num_steps=8, labels=None):
        """Decodes points on the straight line between two samples' codes.

        Args:
            x_start: array `(batch, *feature_shape)` of start samples.
            x_end: array of the same shape, the end samples.
            num_steps: int >= 2, points per line, both ends included.
            labels: class labels, for a conditional model only.

        Returns:
            NumPy array `(batch, num_steps, *feature_shape)`.
        """
        num_steps = check_integer(num_steps, "num_steps", minimum=2)
        start, end = self.encode(x_start, labels), self.encode(x_end, labels)
        weights = np.linspace(0.0, 1.0, num_steps, dtype="float32")[
            None, :, None
        ]
        path = start[:, None] + weights * (end - start)[:, None]
        labels = (
            None
            if labels is None
            else np.repeat(np.broadcast_to(labels, len(start)), num_steps)
        )
        decoded = self.decode(path.reshape(-1, self.latent_dim), labels)
        return decoded.reshape(len(start), num_steps, *self.feature_shape)

    def _checked(self, x):
        return self._check_samples(x, "x", in_range=False)

    # ------------------------------------------------------------ saving

    def get_config(self):
        config = super().get_config()
        for key in self.nested:
            config[key] = serialize_network(getattr(self, key))
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in cls.nested:
            if isinstance(config.get(key), dict):
                config[key] = deserialize_network(config[key], key)
        return super().from_config(config)


def _weighted_mean(values, sample_weight):
    """Batch mean of per-sample values, weighted as Keras weights losses."""
    if sample_weight is None:
        return ops.mean(values)
    weight = ops.reshape(
        ops.cast(sample_weight, values.dtype), ops.shape(values)
    )
    return ops.mean(values * weight)
