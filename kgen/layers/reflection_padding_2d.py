"""Reflection padding of images."""

import keras
from keras import ops

from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads the height and width of `(batch, h, w, c)` images by reflection.

    The border is mirrored without repeating the edge pixel (NumPy's
    `mode="reflect"`), which avoids the dark frame that zero padding leaves
    around translated images. Used by the ResNet generators of CycleGAN and
    DeblurGAN (Johnson et al., 2016).

    Args:
        padding: int >= 0 pixels on every side, or `(rows, columns)`; each
            must be smaller than the image's size along that axis.
        **kwargs: base layer arguments.

    Example:

    ```python
    x = kgen.layers.ReflectionPadding2D(3)(x)  # (b, h + 6, w + 6, c)
    ```
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        pads = padding if isinstance(padding, (tuple, list)) else (padding,) * 2
        if len(pads) != 2:
            raise ValueError(
                "`padding` must be an int or a pair (rows, columns). "
                f"Received: padding={padding!r}."
            )
        self.padding = tuple(
            check_integer(p, "padding", minimum=0) for p in pads
        )

    def build(self, input_shape):
        for size, pad in zip(input_shape[1:3], self.padding):
            if size is not None and pad >= size:
                raise ValueError(
                    f"Reflection padding of {pad} needs images larger than "
                    f"{pad} pixels. Received input shape {tuple(input_shape)}."
                )
        self.built = True

    def call(self, inputs):
        rows, columns = self.padding
        return ops.pad(
            inputs,
            [[0, 0], [rows, rows], [columns, columns], [0, 0]],
            mode="reflect",
        )

    def compute_output_shape(self, input_shape):
        rows, columns = self.padding
        return (
            input_shape[0],
            None if input_shape[1] is None else input_shape[1] + 2 * rows,
            None if input_shape[2] is None else input_shape[2] + 2 * columns,
            input_shape[3],
        )

    def get_config(self):
        return {**super().get_config(), "padding": list(self.padding)}
