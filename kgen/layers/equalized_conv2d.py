"""2-D convolution with an equalised learning rate."""

import math

import keras
from keras import ops

from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class EqualizedConv2D(keras.layers.Layer):
    """Stride-1 "same" convolution with an equalised learning rate.

    As `kgen.layers.EqualizedDense`: the kernel is stored as standard
    normal values and multiplied at run time by
    `gain * lr_multiplier / sqrt(kernel_size**2 * in_channels)`, so that
    Adam's updates have the same effect on every layer. Channels last.

    Reference: Karras et al., "Progressive Growing of GANs for Improved
    Quality, Stability, and Variation", ICLR 2018, section 4.1.

    Args:
        filters: int >= 1, output channels.
        kernel_size: int >= 1, odd, the side of the square kernel.
        activation: Keras activation (name or callable), or `None`.
        use_bias: add a bias.
        lr_multiplier: float > 0, learning-rate multiplier.
        gain: float > 0, extra factor of the run-time scale.
        **kwargs: base layer arguments (e.g. `name`).

    Example:

    ```python
    x = kgen.layers.EqualizedConv2D(32, 3, activation="leaky_relu")(images)
    ```
    """

    def __init__(
        self,
        filters,
        kernel_size=3,
        activation=None,
        use_bias=True,
        lr_multiplier=1.0,
        gain=1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check_integer(filters, "filters")
        self.kernel_size = check_odd(kernel_size)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.lr_multiplier = check_number(
            lr_multiplier, "lr_multiplier", low=0, low_open=True
        )
        self.gain = check_number(gain, "gain", low=0, low_open=True)

    def build(self, input_shape):
        fan_in = self.kernel_size**2 * input_shape[-1]
        self.kernel = self.add_weight(
            shape=(
                self.kernel_size,
                self.kernel_size,
                input_shape[-1],
                self.filters,
            ),
            initializer=keras.initializers.RandomNormal(
                stddev=1.0 / self.lr_multiplier
            ),
            name="kernel",
        )
        self.scale = self.gain * self.lr_multiplier / math.sqrt(fan_in)
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,), initializer="zeros", name="bias"
            )

    def call(self, inputs):
        outputs = ops.conv(inputs, self.kernel * self.scale, padding="same")
        if self.use_bias:
            outputs = outputs + self.bias * self.lr_multiplier
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "lr_multiplier": self.lr_multiplier,
            "gain": self.gain,
        }


def check_odd(kernel_size):
    """`kernel_size` after checking that it is an odd int >= 1."""
    kernel_size = check_integer(kernel_size, "kernel_size")
    if kernel_size % 2 == 0:
        raise ValueError(
            "`kernel_size` must be odd, so that 'same' padding is symmetric. "
            f"Received: kernel_size={kernel_size}."
        )
    return kernel_size
