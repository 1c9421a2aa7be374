"""The squeeze (space-to-depth) bijector of multi-scale flows."""

import keras
from keras import ops

from kgen.layers.bijector import Bijector
from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class Squeeze(Bijector):
    """Trades space for channels: `(h, w, c)` to `(h / f, w / f, c f^2)`.

    Each `factor x factor` block of pixels becomes one pixel with
    `factor ** 2` times as many channels. A permutation of the entries, so
    its log-determinant is zero. RealNVP squeezes between scales, so that
    channel masks can mix neighbouring pixels.

    Reference:
        Dinh, Sohl-Dickstein and Bengio, "Density estimation using Real
        NVP", ICLR 2017.

    Args:
        factor: int >= 2; the image height and width must be divisible by
            it.
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).

    Call returns:
        `(y, log_det)`, `log_det` zeros of shape `(batch,)`.

    Example:

    ```python
    y, _ = kgen.layers.Squeeze().transform(np.zeros((1, 28, 28, 1)))
    y.shape  # (1, 14, 14, 4)
    ```
    """

    def __init__(self, factor=2, **kwargs):
        super().__init__(**kwargs)
        self.factor = check_integer(factor, "factor", minimum=2)

    def build(self, input_shape):
        self.transformed_shape(input_shape)

    def transformed_shape(self, input_shape):
        shape = tuple(input_shape)
        f = self.factor
        if len(shape) != 4 or any(
            size is not None and size % f for size in shape[1:3]
        ):
            raise ValueError(
                f"Squeeze with factor {f} needs images (batch, height, width, "
                f"channels) with height and width divisible by {f}. Received "
                f"shape {shape}. Pad or crop the images, or use fewer scales."
            )
        height, width, channels = shape[1:]
        return (shape[0], height // f, width // f, channels * f * f)

    def source_shape(self, output_shape):
        batch, height, width, channels = tuple(output_shape)
        f = self.factor
        return (batch, height * f, width * f, channels // (f * f))

    def _forward(self, x, training):
        _, height, width, channels = self.transformed_shape(x.shape)
        f = self.factor
        y = ops.reshape(x, (-1, height, f, width, f, x.shape[-1]))
        y = ops.transpose(y, (0, 1, 3, 2, 4, 5))
        y = ops.reshape(y, (-1, height, width, channels))
        return y, _zeros(y)

    def _inverse(self, y):
        _, height, width, channels = self.source_shape(y.shape)
        f = self.factor
        x = ops.reshape(y, (-1, y.shape[1], y.shape[2], f, f, channels))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        x = ops.reshape(x, (-1, height, width, channels))
        return x, _zeros(x)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _zeros(x):
    return ops.zeros_like(x[:, 0, 0, 0])
