"""Batch normalisation as an invertible layer (RealNVP, MAF)."""

import keras
from keras import ops

from kgen.layers.bijector import Bijector
from kgen.layers.bijector import positions_per_channel
from kgen.layers.bijector import sum_over_events
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class FlowBatchNormalization(Bijector):
    """Batch normalisation with its log-determinant, per channel.

    `y = (x - mean) / sqrt(variance + epsilon) * exp(log_gamma) + beta`,
    with log-determinant `positions * sum(log_gamma - log(variance +
    epsilon) / 2)`. In training the mean and variance are the batch's
    (gradients flow through them) and update running averages; otherwise,
    and always in `inverse` (sampling), the running averages are used.

    Reference:
        Dinh, Sohl-Dickstein and Bengio, "Density estimation using Real
        NVP", ICLR 2017; Papamakarios, Pavlakou and Murray, "Masked
        Autoregressive Flow for Density Estimation", NeurIPS 2017.

    Args:
        momentum: float in [0, 1), weight of the old running averages.
        epsilon: float > 0 added to the variance.
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).

    Call returns:
        `(y, log_det)`: `y` of the input's shape, `log_det` of shape
        `(batch,)`.

    Example:

    ```python
    layer = kgen.layers.FlowBatchNormalization()
    y, log_det = layer.transform(x, training=True)
    ```
    """

    def __init__(self, momentum=0.9, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.momentum = check_number(
            momentum, "momentum", low=0, high=1, high_open=True
        )
        self.epsilon = check_number(epsilon, "epsilon", low=0, low_open=True)

    def build(self, input_shape):
        channels = (input_shape[-1],)

        def weight(name, initializer, trainable):
            return self.add_weight(
                shape=channels,
                initializer=initializer,
                trainable=trainable,
                name=name,
            )

        self.log_gamma = weight("log_gamma", "zeros", True)
        self.beta = weight("beta", "zeros", True)
        self.moving_mean = weight("moving_mean", "zeros", False)
        self.moving_variance = weight("moving_variance", "ones", False)

    def _statistics(self, x, training):
        if not training:
            return self.moving_mean, self.moving_variance
        axes = tuple(range(len(x.shape) - 1))
        mean = ops.mean(x, axis=axes)
        variance = ops.mean(ops.square(x - mean), axis=axes)
        for average, value in (
            (self.moving_mean, mean),
            (self.moving_variance, variance),
        ):
            average.assign(
                self.momentum * average.value
                + (1.0 - self.momentum) * ops.stop_gradient(value)
            )
        return mean, variance

    def _log_scale(self, variance):
        return self.log_gamma - 0.5 * ops.log(variance + self.epsilon)

    def _log_det(self, x, log_scale):
        total = ops.sum(log_scale) * positions_per_channel(x.shape)
        return sum_over_events(ops.zeros_like(x[..., :1])) + total

    def _forward(self, x, training):
        mean, variance = self._statistics(x, training)
        log_scale = self._log_scale(variance)
        y = (x - mean) * ops.exp(log_scale) + self.beta
        return y, self._log_det(x, log_scale)

    def _inverse(self, y):
        log_scale = self._log_scale(self.moving_variance)
        x = (y - self.beta) * ops.exp(-log_scale) + self.moving_mean
        return x, -self._log_det(y, log_scale)

    def get_config(self):
        return {
            **super().get_config(),
            "momentum": self.momentum,
            "epsilon": self.epsilon,
        }
