"""StyleGAN2's modulated (and demodulated) convolution."""

import math

import keras
from keras import ops

from kgen.layers.equalized_conv2d import check_odd
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class ModulatedConv2D(keras.layers.Layer):
    """Convolution whose weights are scaled by a per-sample style (StyleGAN2).

    Called on `[x, styles]`, images `x` of shape `(batch, h, w, c_in)` and
    styles `s` of shape `(batch, c_in)`, it convolves each sample with its
    own weights `w'[k, i, o] = w[k, i, o] * s[i]` (modulation) and, with
    `demodulate=True`, divides each output channel by
    `sqrt(sum_{k, i} w'[k, i, o]**2 + epsilon)` (demodulation), which keeps
    the output's expected scale at 1 without instance normalisation, the
    cause of StyleGAN's "droplet" artifacts. The stored kernel has an
    equalised learning rate (standard normal values scaled by
    `1 / sqrt(kernel_size**2 * c_in)` at run time).

    The per-sample weights are never formed: scaling the input channels by
    `s`, convolving with the shared kernel and scaling the output channels
    by the demodulation factors is the same computation (Karras et al.,
    2020, section 2.2, "fused = False") and costs one ordinary convolution
    on every backend.

    Reference: Karras et al., "Analyzing and Improving the Image Quality of
    StyleGAN", CVPR 2020.

    Args:
        filters: int >= 1, output channels.
        kernel_size: odd int >= 1.
        demodulate: divide by the norm of the modulated weights (`False`
            for StyleGAN2's toRGB layers).
        use_bias: add a bias after the convolution.
        epsilon: small constant of the demodulation.
        **kwargs: base layer arguments (e.g. `name`).

    Example:

    ```python
    styles = kgen.layers.EqualizedDense(32, bias_initial_value=1.0)(w)
    y = kgen.layers.ModulatedConv2D(64, 3)([x, styles])  # x: (b, h, w, 32)
    ```
    """

    def __init__(
        self,
        filters,
        kernel_size=3,
        demodulate=True,
        use_bias=True,
        epsilon=1e-8,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check_integer(filters, "filters")
        self.kernel_size = check_odd(kernel_size)
        self.demodulate = bool(demodulate)
        self.use_bias = bool(use_bias)
        self.epsilon = check_number(epsilon, "epsilon", low=0)

    def build(self, input_shape):
        image_shape, style_shape = _check_input_shapes(input_shape)
        channels = image_shape[-1]
        self.kernel = self.add_weight(
            shape=(self.kernel_size, self.kernel_size, channels, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            name="kernel",
        )
        self.scale = 1.0 / math.sqrt(self.kernel_size**2 * channels)
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,), initializer="zeros", name="bias"
            )

    def call(self, inputs):
        x, styles = inputs
        kernel = self.kernel * self.scale
        styles = ops.cast(styles, x.dtype)
        outputs = ops.conv(x * styles[:, None, None, :], kernel, padding="same")
        if self.demodulate:
            # sum_{k, i} (w[k, i, o] s[i])^2 = sum_i s[i]^2 sum_k w[k, i, o]^2
            squared_norms = ops.matmul(
                ops.square(styles), ops.sum(ops.square(kernel), axis=(0, 1))
            )
            outputs = (
                outputs
                * ops.rsqrt(squared_norms + self.epsilon)[:, None, None, :]
            )
        if self.use_bias:
            outputs = outputs + self.bias
        return outputs

    def compute_output_shape(self, input_shape):
        image_shape, _ = _check_input_shapes(input_shape)
        return (*image_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "demodulate": self.demodulate,
            "use_bias": self.use_bias,
            "epsilon": self.epsilon,
        }


def _check_input_shapes(input_shape):
    shapes = list(input_shape) if isinstance(input_shape, (list, tuple)) else []
    valid = (
        len(shapes) == 2
        and isinstance(shapes[0], (list, tuple))
        and len(shapes[0]) == 4
        and len(shapes[1]) == 2
        and shapes[1][-1] in (None, shapes[0][-1])
    )
    if not valid:
        raise ValueError(
            "ModulatedConv2D takes `[images, styles]`: images of shape "
            "(batch, height, width, channels) and one style per input "
            "channel, of shape (batch, channels). Received input shapes "
            f"{input_shape}."
        )
    return tuple(shapes[0]), tuple(shapes[1])
