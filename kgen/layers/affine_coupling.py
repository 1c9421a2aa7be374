"""The affine coupling layer of RealNVP."""

import keras
import numpy as np
from keras import ops

from kgen.layers.bijector import Bijector
from kgen.layers.bijector import sum_over_events
from kgen.utils.validation import check_integer

VECTOR_MASKS = ("alternate", "half")
IMAGE_MASKS = ("checkerboard", "channel")


@keras.saving.register_keras_serializable(package="kgen")
class AffineCoupling(Bijector):
    """An affine coupling layer: half the inputs scale and shift the rest.

    With a fixed binary mask `b` (1 on the features left unchanged),

    \\[ y = b \\odot x + (1 - b) \\odot \\left(x \\odot \\exp(s(b \\odot x))
        + t(b \\odot x)\\right), \\qquad
        \\log |\\det \\partial y / \\partial x| = \\sum (1 - b) \\odot s, \\]

    where `s` and `t` come from one conditioner network of the masked input.
    The Jacobian is triangular, so the log-determinant is exact and cheap,
    and the inverse `x = (y - t) * exp(-s)` on the unmasked part needs one
    pass too. The log-scale is bounded, `s = scale * tanh(raw)` with a
    trainable `scale` per feature (or channel), and the conditioner's last
    layer starts at zero, so a new layer is the identity.

    Vectors `(batch, features)` use a dense conditioner and the masks
    `"alternate"` (even features condition the odd ones) or `"half"` (the
    first half conditions the second). Images `(batch, height, width,
    channels)` use a convolutional one and the masks `"checkerboard"`
    (spatial parity of `row + column`) or `"channel"` (the first half of the
    channels; needs an even number of channels). `reverse=True` swaps the
    roles of the two parts; alternate it between stacked layers so that
    every feature gets transformed.

    Reference:
        Dinh, Sohl-Dickstein and Bengio, "Density estimation using Real
        NVP", ICLR 2017.

    Args:
        mask: `"alternate"`, `"half"` (vectors), `"checkerboard"` or
            `"channel"` (images).
        reverse: whether to transform the part the mask keeps instead.
        hidden_units: widths of the conditioner's hidden layers (units of
            dense layers, or filters of convolutions); hidden layers after
            the first whose width equals the previous one's are residual.
        kernel_size: odd int, size of the convolution kernels (images).
        activation: activation of the hidden layers.
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).

    Call returns:
        `(y, log_det)`: `y` of the input's shape, `log_det` of shape
        `(batch,)`.

    Example:

    ```python
    layer = kgen.layers.AffineCoupling("checkerboard", hidden_units=(32,))
    y, log_det = layer.transform(images)          # images: (batch, 8, 8, 1)
    x, minus_log_det = layer.inverse_transform(y)         # x == images
    ```
    """

    def __init__(
        self,
        mask="alternate",
        reverse=False,
        hidden_units=(64, 64),
        kernel_size=3,
        activation="relu",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if mask not in VECTOR_MASKS + IMAGE_MASKS:
            raise ValueError(
                f"`mask` must be one of {VECTOR_MASKS} for vectors or "
                f"{IMAGE_MASKS} for images. Received: mask={mask!r}."
            )
        self.mask = mask
        self.reverse = bool(reverse)
        self.hidden_units = tuple(
            check_integer(u, "hidden_units") for u in hidden_units
        )
        if not self.hidden_units:
            raise ValueError(
                "`hidden_units` must name at least one hidden layer, e.g. "
                "hidden_units=(64, 64). Received: ()."
            )
        self.kernel_size = check_integer(kernel_size, "kernel_size")
        if self.kernel_size % 2 == 0:
            raise ValueError(
                "`kernel_size` must be odd so that convolutions keep the "
                f"image size. Received: kernel_size={kernel_size}."
            )
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        event_shape = tuple(input_shape[1:])
        self.mask_values = coupling_mask(self.mask, event_shape, self.reverse)
        image = len(event_shape) == 3
        outputs = 2 * event_shape[-1]
        if image:
            layers = [
                keras.layers.Conv2D(
                    u,
                    self.kernel_size,
                    padding="same",
                    activation=self.activation,
                )
                for u in self.hidden_units
            ]
            layers.append(
                keras.layers.Conv2D(
                    outputs,
                    self.kernel_size,
                    padding="same",
                    kernel_initializer="zeros",
                )
            )
        else:
            layers = [
                keras.layers.Dense(u, activation=self.activation)
                for u in self.hidden_units
            ]
            layers.append(
                keras.layers.Dense(outputs, kernel_initializer="zeros")
            )
        shape = tuple(input_shape)
        for layer in layers:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.conditioner = layers
        self.scale = self.add_weight(
            shape=event_shape[-1:], initializer="ones", name="scale"
        )

    def _shift_and_log_scale(self, x):
        """`(t, s)` from the masked input, zero where the mask keeps `x`."""
        mask = ops.convert_to_tensor(self.mask_values, x.dtype)
        h = self.conditioner[0](x * mask)
        widths = zip(self.hidden_units, self.hidden_units[1:])
        for (previous, width), layer in zip(widths, self.conditioner[1:-1]):
            output = layer(h)
            h = output + h if width == previous else output
        raw_log_scale, shift = ops.split(self.conditioner[-1](h), 2, axis=-1)
        log_scale = self.scale * ops.tanh(raw_log_scale) * (1.0 - mask)
        return shift * (1.0 - mask), log_scale

    def _forward(self, x, training):
        shift, log_scale = self._shift_and_log_scale(x)
        return x * ops.exp(log_scale) + shift, sum_over_events(log_scale)

    def _inverse(self, y):
        shift, log_scale = self._shift_and_log_scale(y)
        return (y - shift) * ops.exp(-log_scale), -sum_over_events(log_scale)

    def get_config(self):
        return {
            **super().get_config(),
            "mask": self.mask,
            "reverse": self.reverse,
            "hidden_units": list(self.hidden_units),
            "kernel_size": self.kernel_size,
            "activation": keras.activations.serialize(self.activation),
        }


def coupling_mask(mask, event_shape, reverse=False):
    """The binary mask of a coupling layer (1 where inputs stay unchanged).

    Args:
        mask: `"alternate"`, `"half"`, `"checkerboard"` or `"channel"`.
        event_shape: shape of one sample, `(features,)` or `(height, width,
            channels)`.
        reverse: whether to swap the two parts.

    Returns:
        float32 array broadcastable to `(batch, *event_shape)`.

    Raises:
        ValueError: if the mask does not fit the shape, or leaves one of the
            two parts empty (the layer would not be invertible or would do
            nothing).
    """
    event_shape = tuple(event_shape)
    image = len(event_shape) == 3
    names = IMAGE_MASKS if image else VECTOR_MASKS
    if len(event_shape) not in (1, 3) or mask not in names:
        raise ValueError(
            f"A {mask!r} coupling mask does not fit samples of shape "
            f"{event_shape}. Vectors (features,) take {VECTOR_MASKS}; images "
            f"(height, width, channels) take {IMAGE_MASKS}."
        )
    if mask == "alternate":
        values = np.arange(event_shape[0]) % 2 == 0
    elif mask == "half":
        values = np.arange(event_shape[0]) < event_shape[0] // 2
    elif mask == "checkerboard":
        rows, columns = np.indices(event_shape[:2])
        values = ((rows + columns) % 2 == 0)[..., None]
    else:
        channels = event_shape[-1]
        if channels % 2:
            raise ValueError(
                "A 'channel' coupling mask splits the channels in two halves "
                f"and needs an even number of channels. Received samples of "
                f"shape {event_shape}. Use a 'checkerboard' mask, or squeeze "
                "the images first (kgen.layers.Squeeze)."
            )
        values = (np.arange(channels) < channels // 2).reshape(1, 1, -1)
    values = np.logical_xor(values, bool(reverse)).astype("float32")
    if values.min() == values.max():
        raise ValueError(
            f"A {mask!r} coupling mask on samples of shape {event_shape} "
            "leaves nothing to transform or nothing to condition on. Use "
            "samples with at least two features (or pixels)."
        )
    return values
