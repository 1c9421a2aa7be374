"""Dense layer with an equalised learning rate."""

import math

import keras
from keras import ops

from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class EqualizedDense(keras.layers.Layer):
    """Dense layer with an equalised learning rate (ProGAN, StyleGAN).

    The kernel is stored as standard normal values and scaled at run time
    by `gain * lr_multiplier / sqrt(fan_in)` (He's constant), so every
    weight sees the same effective learning rate under Adam whatever its
    layer's fan-in. `lr_multiplier` < 1 slows a layer down (StyleGAN's
    mapping network uses 0.01): the stored values are `1 / lr_multiplier`
    times larger and the run-time scale `lr_multiplier` times smaller.
    The bias is scaled by `lr_multiplier` too.

    Reference: Karras et al., "Progressive Growing of GANs for Improved
    Quality, Stability, and Variation", ICLR 2018, section 4.1.

    Args:
        units: int >= 1, output size.
        activation: Keras activation (name or callable), or `None`.
        use_bias: add a bias.
        bias_initial_value: initial value of every bias (StyleGAN's style
            affines start at 1).
        lr_multiplier: float > 0, learning-rate multiplier.
        gain: float > 0, extra factor of the run-time scale.
        **kwargs: base layer arguments (e.g. `name`).

    Example:

    ```python
    w = kgen.layers.EqualizedDense(128, "leaky_relu", lr_multiplier=0.01)(z)
    ```
    """

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        bias_initial_value=0.0,
        lr_multiplier=1.0,
        gain=1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = check_integer(units, "units")
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initial_value = check_number(
            bias_initial_value, "bias_initial_value"
        )
        self.lr_multiplier = check_number(
            lr_multiplier, "lr_multiplier", low=0, low_open=True
        )
        self.gain = check_number(gain, "gain", low=0, low_open=True)

    def build(self, input_shape):
        fan_in = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(fan_in, self.units),
            initializer=keras.initializers.RandomNormal(
                stddev=1.0 / self.lr_multiplier
            ),
            name="kernel",
        )
        self.scale = self.gain * self.lr_multiplier / math.sqrt(fan_in)
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                initializer=keras.initializers.Constant(
                    self.bias_initial_value / self.lr_multiplier
                ),
                name="bias",
            )

    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel * self.scale)
        if self.use_bias:
            outputs = outputs + self.bias * self.lr_multiplier
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "bias_initial_value": self.bias_initial_value,
            "lr_multiplier": self.lr_multiplier,
            "gain": self.gain,
        }
