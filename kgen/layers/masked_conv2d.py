"""A 2-D convolution with a fixed binary mask on its kernel (PixelCNN)."""

import keras
import numpy as np
from keras import ops

from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer

_MASK_TYPES = ("A", "B", "vertical", "horizontal_A", "horizontal_B")


@keras.saving.register_keras_serializable(package="kgen")
class MaskedConv2D(keras.layers.Layer):
    """A "same"-padded, stride-1 2-D convolution with a masked kernel.

    Computes `activation(conv(inputs, kernel * mask) + bias)`, with the
    mask broadcast over the channels. The mask keeps an image model causal
    in raster order (rows top to bottom, pixels left to right):

    - `"A"`: the rows above the centre and the pixels left of it (the first
      layer of a PixelCNN: a pixel never sees itself);
    - `"B"`: as `"A"` plus the centre (later layers);
    - `"vertical"`: the centre row and the rows above it, every column
      (the vertical stack of a gated PixelCNN; shift its output down one
      row before feeding the horizontal stack);
    - `"horizontal_A"` / `"horizontal_B"`: the centre row only, left of
      the centre (`A`) or up to and including it (`B`), for `1 x k`
      kernels (the horizontal stack);
    - or an explicit 0/1 array of shape `kernel_size`.

    Only single-channel images are causal with these masks (there is no
    masking between colour channels).

    Reference:
        van den Oord, Kalchbrenner and Kavukcuoglu, "Pixel Recurrent
        Neural Networks", ICML 2016; van den Oord et al., "Conditional
        Image Generation with PixelCNN Decoders", NeurIPS 2016.

    Args:
        filters: int >= 1, output channels.
        kernel_size: int or pair of odd ints.
        mask_type: one of `"A"`, `"B"`, `"vertical"`, `"horizontal_A"`,
            `"horizontal_B"`, or a 0/1 array of shape `kernel_size`.
        activation: activation function or its name, or `None`.
        use_bias: whether to add a bias.
        kernel_initializer: initializer of the (unmasked) kernel.
        **kwargs: base layer arguments (e.g. `name`, `dtype`).

    Example:

    ```python
    first = kgen.layers.MaskedConv2D(16, 5, "A", activation="relu")
    later = kgen.layers.MaskedConv2D(16, 3, "B", activation="relu")
    features = later(first(np.zeros((1, 8, 8, 1))))  # (1, 8, 8, 16)
    ```
    """

    def __init__(
        self,
        filters,
        kernel_size,
        mask_type="B",
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check_integer(filters, "filters")
        self.kernel_size = _check_kernel_size(kernel_size)
        self.mask_type = (
            mask_type
            if isinstance(mask_type, str)
            else np.asarray(mask_type).tolist()
        )
        self._mask_values = conv_mask(self.kernel_size, mask_type)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        channels = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels, self.filters),
            initializer=self.kernel_initializer,
            name="kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,), initializer="zeros", name="bias"
            )

    def call(self, inputs):
        mask = ops.convert_to_tensor(
            self._mask_values[:, :, None, None], dtype=self.kernel.dtype
        )
        outputs = ops.conv(inputs, self.kernel * mask, padding="same")
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": list(self.kernel_size),
                "mask_type": self.mask_type,
                "activation": keras.activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
            }
        )
        return config


def _check_kernel_size(kernel_size):
    size = (
        (kernel_size, kernel_size) if np.isscalar(kernel_size) else kernel_size
    )
    size = tuple(size)
    valid = len(size) == 2 and all(
        isinstance(s, (int, np.integer)) and s >= 1 and s % 2 == 1 for s in size
    )
    if not valid:
        raise ValueError(
            "`kernel_size` must be an odd int or a pair of odd ints (the "
            f"centre pixel must exist). Received: kernel_size={kernel_size!r}."
        )
    return tuple(int(s) for s in size)


def conv_mask(kernel_size, mask_type):
    """The 0/1 kernel mask of `MaskedConv2D`, shape `kernel_size`.

    Args:
        kernel_size: pair of odd ints.
        mask_type: `"A"`, `"B"`, `"vertical"`, `"horizontal_A"`,
            `"horizontal_B"`, or a 0/1 array of shape `kernel_size`.

    Returns:
        float32 array of shape `kernel_size`.
    """
    height, width = kernel_size
    if not isinstance(mask_type, str):
        mask = np.asarray(mask_type)
        if mask.shape != (height, width) or not np.isin(mask, (0, 1)).all():
            raise ValueError(
                f"An explicit `mask_type` must be a 0/1 array of shape "
                f"{(height, width)}. Received an array of shape {mask.shape}."
            )
        return mask.astype("float32")
    check_choice(mask_type, "mask_type", _MASK_TYPES, " or a 0/1 array")
    row, col = height // 2, width // 2
    mask = np.zeros((height, width), "float32")
    if mask_type == "vertical":
        mask[: row + 1] = 1
        return mask
    if not mask_type.startswith("horizontal"):
        mask[:row] = 1
    mask[row, : col + (mask_type.endswith("B"))] = 1
    return mask
