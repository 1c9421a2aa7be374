"""The logit transform that maps data in [0, 1] to the real line."""

import math

import keras
from keras import ops

from kgen.layers.bijector import Bijector
from kgen.layers.bijector import sum_over_events
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class LogitTransform(Bijector):
    """`y = logit(alpha + (1 - 2 alpha) x)` for data `x` in [0, 1].

    The first bijector of RealNVP on images: it maps bounded (dequantised)
    pixels to the real line, where a Gaussian base distribution fits, with
    `alpha` keeping the values away from the infinite ends. The
    log-determinant, `sum(log(1 - 2 alpha) - log(p) - log(1 - p))` with
    `p = alpha + (1 - 2 alpha) x`, is part of the density, so likelihoods
    stay those of the data in [0, 1].

    Reference:
        Dinh, Sohl-Dickstein and Bengio, "Density estimation using Real
        NVP", ICLR 2017 (section 4.1).

    Args:
        alpha: float in [0, 0.5).
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).

    Call returns:
        `(y, log_det)`, `log_det` of shape `(batch,)`.

    Example:

    ```python
    y, log_det = kgen.layers.LogitTransform(0.05).transform(pixels_in_0_1)
    ```
    """

    def __init__(self, alpha=0.05, **kwargs):
        super().__init__(**kwargs)
        self.alpha = check_number(
            alpha, "alpha", low=0, high=0.5, high_open=True
        )
        self.built = True

    def _forward(self, x, training):
        p = self.alpha + (1.0 - 2.0 * self.alpha) * x
        log_p, log_q = ops.log(p), ops.log1p(-p)
        log_det = sum_over_events(self._log_width() - log_p - log_q)
        return log_p - log_q, log_det

    def _inverse(self, y):
        log_p, log_q = ops.log_sigmoid(y), ops.log_sigmoid(-y)
        x = (ops.exp(log_p) - self.alpha) / (1.0 - 2.0 * self.alpha)
        return x, sum_over_events(log_p + log_q - self._log_width())

    def _log_width(self):
        return math.log1p(-2.0 * self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}
