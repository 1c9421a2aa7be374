"""Sub-pixel upsampling: the pixel shuffle (depth-to-space) layer."""

import keras
from keras import ops

from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class PixelShuffle(keras.layers.Layer):
    """Sub-pixel upsampling: `(h, w, c r^2)` to `(h r, w r, c)`.

    Each pixel's `scale ** 2` groups of `c` channels become a `scale x scale`
    block of pixels with `c` channels (`keras.ops.depth_to_space`, the
    semantics of `tf.nn.depth_to_space`):
    `output[b, h r + i, w r + j, k] = input[b, h, w, (i r + j) c + k]`.
    A convolution to `c r^2` channels followed by this layer is the
    "efficient sub-pixel convolution" that upsamples SRResNet's features; it
    learns its upsampling filter and avoids the checkerboard artefacts of
    strided transposed convolutions. Works on images of any size (`None`
    height and width).

    Reference: Shi et al., "Real-Time Single Image and Video Super-Resolution
    Using an Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016.

    Args:
        scale: int >= 2, the upsampling factor `r`; the input channels must
            be divisible by `scale ** 2`.
        **kwargs: base layer arguments (e.g. `name`).

    Example:

    ```python
    x = keras.layers.Conv2D(3 * 4, 3, padding="same")(features)
    x = kgen.layers.PixelShuffle(2)(x)  # (b, 2 h, 2 w, 3)
    ```
    """

    def __init__(self, scale=2, **kwargs):
        super().__init__(**kwargs)
        self.scale = check_integer(scale, "scale", minimum=2)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        return ops.depth_to_space(inputs, self.scale)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        blocks = self.scale**2
        if len(shape) != 4 or shape[-1] is None or shape[-1] % blocks:
            raise ValueError(
                f"PixelShuffle({self.scale}) takes images (batch, height, "
                f"width, channels) with channels divisible by {blocks} "
                f"(scale ** 2). Received input shape {shape}. Give the "
                f"convolution before it {blocks} times the output channels."
            )
        batch, height, width, channels = shape
        return (
            batch,
            None if height is None else height * self.scale,
            None if width is None else width * self.scale,
            channels // blocks,
        )

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
