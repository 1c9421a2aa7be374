"""A small gated PixelCNN for binary or 256-way categorical pixels."""

import keras
from keras import ops

from kgen.layers.masked_conv2d import MaskedConv2D
from kgen.models.autoregressive.autoregressive_model import AutoregressiveModel
from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class PixelCNN(AutoregressiveModel):
    """A gated PixelCNN over single-channel images, in raster order.

    Each pixel's distribution `p(x_ij | pixels above, pixels left)` comes
    from one pass of a convolutional network whose kernels are masked
    (`kgen.layers.MaskedConv2D`). As in the gated PixelCNN, two stacks run
    side by side: a vertical stack (masked `k x k` convolutions over the
    rows above and the current row, its output shifted down one row before
    it feeds the other stack) and a horizontal stack (`1 x k` convolutions
    over the pixels to the left, excluding the centre in the first layer:
    mask type A, including it after: type B, with residual connections).
    Together they see every pixel above and to the left, without the blind
    spot of the original PixelCNN. Every layer uses the gated activation
    `tanh(a) * sigmoid(b)`. Two `1 x 1` layers give each pixel's logits.

    Pixels are binary (`num_classes=2`, one Bernoulli logit per pixel) or
    integers `0..num_classes - 1` (a softmax over `num_classes` values,
    e.g. 256 intensities). Inputs are scaled to `[-1, 1]` internally.

    Reference:
        van den Oord, Kalchbrenner, Espeholt, Kavukcuoglu, Vinyals and
        Graves, "Conditional Image Generation with PixelCNN Decoders",
        NeurIPS 2016.

    Args:
        image_shape: `(height, width)` or `(height, width, 1)`.
        num_classes: int >= 2, values per pixel.
        filters: int >= 1, channels of each stack.
        num_layers: int >= 1, gated layers (the first is type A).
        kernel_size: odd int >= 3, the stacks' kernel width.
        output_filters: int >= 1, channels of the hidden `1 x 1` layer.
        seed: int or `None`, seed of the model's random stream (sampling).
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    (x_train, _), (x_test, _) = kgen.datasets.load_digits(
        "binary", flatten=False
    )
    model = kgen.models.PixelCNN((8, 8), filters=32, num_layers=4, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(3e-3))
    model.fit(x_train, epochs=50, batch_size=64, verbose=0)
    model.log_prob(x_test).mean()         # exact, nats per image
    observed = np.zeros(x_test[:8].shape, bool)
    observed[:, :4] = True                 # the top halves
    filled = model.complete(x_test[:8], observed, seed=0)
    ```
    """

    def __init__(
        self,
        image_shape,
        num_classes=2,
        filters=32,
        num_layers=5,
        kernel_size=5,
        output_filters=64,
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(image_shape)
        if len(image_shape) == 3 and image_shape[-1] == 1:
            image_shape = image_shape[:2]
        if len(image_shape) != 2:
            raise ValueError(
                "`image_shape` must be (height, width) or (height, width, 1): "
                f"PixelCNN models single-channel images. Received: "
                f"image_shape={image_shape!r}."
            )
        super().__init__(
            (*image_shape, 1), num_classes=num_classes, seed=seed, **kwargs
        )
        self.filters = check_integer(filters, "filters")
        self.num_layers = check_integer(num_layers, "num_layers")
        self.kernel_size = check_integer(kernel_size, "kernel_size", 3)
        if self.kernel_size % 2 == 0:
            raise ValueError(
                "`kernel_size` must be odd (the centre pixel must exist). "
                f"Received: kernel_size={kernel_size}."
            )
        self.output_filters = check_integer(output_filters, "output_filters")
        self.blocks = [
            _GatedBlock(
                self.filters, self.kernel_size, first=i == 0, name=f"gated_{i}"
            )
            for i in range(self.num_layers)
        ]
        self.output_hidden = keras.layers.Conv2D(
            self.output_filters, 1, activation="relu", name="output_hidden"
        )
        self.output_logits = keras.layers.Conv2D(
            1 if self.binary else self.num_classes, 1, name="output_logits"
        )
        self.build((None, *self.event_shape))

    def build(self, input_shape):
        x = keras.ops.zeros((1, *self.event_shape))
        self.conditional_logits(x)
        self.built = True

    def conditional_logits(self, x, training=False, mask_index=0):
        """Logits of every pixel's conditional: `(batch, H, W, 1)` for binary
        pixels, `(batch, H, W, 1, num_classes)` otherwise."""
        x = ops.cast(x, "float32") * (2.0 / (self.num_classes - 1)) - 1.0
        vertical, horizontal = x, x
        for block in self.blocks:
            vertical, horizontal = block(vertical, horizontal)
        logits = self.output_logits(self.output_hidden(ops.relu(horizontal)))
        if self.binary:
            return logits
        return ops.expand_dims(logits, -2)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_shape": list(self.event_shape[:2]),
                "num_classes": self.num_classes,
                "filters": self.filters,
                "num_layers": self.num_layers,
                "kernel_size": self.kernel_size,
                "output_filters": self.output_filters,
            }
        )
        return config


class _GatedBlock(keras.layers.Layer):
    """One gated layer of both stacks (van den Oord et al. 2016, fig. 2)."""

    def __init__(self, filters, kernel_size, first, **kwargs):
        super().__init__(**kwargs)
        self.first = first
        self.vertical = MaskedConv2D(
            2 * filters, kernel_size, "vertical", name="vertical"
        )
        self.horizontal = MaskedConv2D(
            2 * filters,
            (1, kernel_size),
            "horizontal_A" if first else "horizontal_B",
            name="horizontal",
        )
        self.vertical_to_horizontal = keras.layers.Conv2D(
            2 * filters, 1, name="vertical_to_horizontal"
        )
        self.horizontal_out = keras.layers.Conv2D(
            filters, 1, name="horizontal_out"
        )

    def call(self, vertical, horizontal):
        v = self.vertical(vertical)
        # Row i of the horizontal stack may only see rows < i of `v`.
        shifted = ops.pad(v, ((0, 0), (1, 0), (0, 0), (0, 0)))[:, :-1]
        h = self.horizontal(horizontal) + self.vertical_to_horizontal(shifted)
        out = self.horizontal_out(_gate(h))
        if not self.first:
            out = out + horizontal
        return _gate(v), out


def _gate(x):
    """`tanh(a) * sigmoid(b)` for `x = [a, b]` split along channels."""
    a, b = ops.split(x, 2, axis=-1)
    return ops.tanh(a) * ops.sigmoid(b)
