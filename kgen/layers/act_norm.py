"""Activation normalisation (Glow's actnorm) as a bijector."""

import keras
from keras import ops

from kgen.layers.bijector import Bijector
from kgen.layers.bijector import positions_per_channel
from kgen.layers.bijector import sum_over_events
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class ActNorm(Bijector):
    """A per-channel affine map initialised from the first training batch.

    Computes `y = (x + bias) * exp(log_scale)` with one `bias` and
    `log_scale` per channel (last axis); the log-determinant is
    `positions * sum(log_scale)`, where `positions` counts the entries that
    share a channel (height times width for images, 1 for vectors).

    Data-dependent initialisation: on the first call with `training=True`
    (the first step of `fit`) the layer sets its offsets so that that
    batch's outputs have zero mean and unit variance per channel, and
    records that it is initialised. The offsets live in non-trainable
    weights (`initial_bias`, `initial_log_scale`, `initialized`) that are
    saved with the model, and the trainable `bias` and `log_scale` start at
    zero on top of them, so a reloaded model is not initialised again. An
    uninitialised layer is the identity.

    Reference:
        Kingma and Dhariwal, "Glow: Generative Flow with Invertible 1x1
        Convolutions", NeurIPS 2018.

    Args:
        epsilon: float > 0 added to the batch's standard deviation.
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).

    Call returns:
        `(y, log_det)`: `y` of the input's shape, `log_det` of shape
        `(batch,)`.

    Example:

    ```python
    layer = kgen.layers.ActNorm()
    y, log_det = layer.transform(x, training=True)  # initialises on x
    ```
    """

    def __init__(self, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = check_number(epsilon, "epsilon", low=0, low_open=True)

    def build(self, input_shape):
        channels = (input_shape[-1],)
        self.bias = self.add_weight(
            shape=channels, initializer="zeros", name="bias"
        )
        self.log_scale = self.add_weight(
            shape=channels, initializer="zeros", name="log_scale"
        )
        self.initial_bias = self.add_weight(
            shape=channels,
            initializer="zeros",
            trainable=False,
            # Under a mirrored strategy each replica assigns its own batch's
            # statistics; "mean" aggregates them across replicas.
            aggregation="mean",
            name="initial_bias",
        )
        self.initial_log_scale = self.add_weight(
            shape=channels,
            initializer="zeros",
            trainable=False,
            aggregation="mean",
            name="initial_log_scale",
        )
        self.initialized = self.add_weight(
            shape=(),
            initializer="zeros",
            trainable=False,
            aggregation="mean",
            name="initialized",
        )

    def initialize(self, x):
        """Sets the offsets from batch `x` unless already initialised."""
        x = ops.stop_gradient(ops.convert_to_tensor(x))
        axes = tuple(range(len(x.shape) - 1))
        mean = ops.mean(x, axis=axes)
        std = ops.sqrt(ops.mean(ops.square(x - mean), axis=axes))
        done = self.initialized > 0.5
        self.initial_bias.assign(
            ops.where(done, self.initial_bias.value, -mean)
        )
        self.initial_log_scale.assign(
            ops.where(
                done,
                self.initial_log_scale.value,
                -ops.log(std + self.epsilon),
            )
        )
        self.initialized.assign(1.0)

    def _affine(self):
        return (
            self.initial_bias + self.bias,
            self.initial_log_scale + self.log_scale,
        )

    def _log_det(self, x, log_scale):
        total = ops.sum(log_scale) * positions_per_channel(x.shape)
        return sum_over_events(ops.zeros_like(x[..., :1])) + total

    def _forward(self, x, training):
        if training:
            self.initialize(x)
        bias, log_scale = self._affine()
        return (x + bias) * ops.exp(log_scale), self._log_det(x, log_scale)

    def _inverse(self, y):
        bias, log_scale = self._affine()
        return y * ops.exp(-log_scale) - bias, -self._log_det(y, log_scale)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
