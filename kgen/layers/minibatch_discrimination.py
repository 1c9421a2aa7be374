"""Minibatch discrimination (Salimans et al., 2016)."""

import keras
from keras import ops

from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class MinibatchDiscrimination(keras.layers.Layer):
    """Appends to each sample features measuring its closeness to the batch.

    A discriminator that scores each sample on its own cannot see that a
    generator outputs the same point over and over: mode collapse goes
    unpunished. This layer lets it compare samples within the minibatch.
    The input features `f(x_i)` (shape `(batch, in_features)`) are
    multiplied by a learnt tensor `T` of shape `(in_features, num_kernels,
    kernel_dim)` into matrices `M_i` of shape `(num_kernels, kernel_dim)`.
    For every kernel `b`,

    \\[ o(x_i)_b = \\sum_{j=1}^{n} \\exp\\left(-\\lVert M_{i,b} - M_{j,b}
    \\rVert_{1}\\right), \\]

    the sum running over the `n` samples of the batch, `j = i` included
    (it adds 1, as in the paper's formula and code). The output is the
    concatenation `[f(x_i), o(x_i)]`, shape `(batch, in_features +
    num_kernels)`. Real and generated samples must reach the discriminator
    in separate batches (as `kgen.models.GAN` does), so that a collapsed
    generator's batch stands out by its large `o`.

    Place it before the discriminator's last dense layer, after a `Flatten`
    for convolutional features. Its cost grows as `batch^2 * num_kernels *
    kernel_dim`.

    Reference: Salimans et al., "Improved Techniques for Training GANs",
    NeurIPS 2016, section 3.2.

    Args:
        num_kernels: int >= 1, the number `B` of closeness features.
        kernel_dim: int >= 1, the size `C` of each projected row.
        kernel_initializer: initializer of `T`.
        **kwargs: base layer arguments (e.g. `name`).

    Input shape:
        `(batch, in_features)`.

    Output shape:
        `(batch, in_features + num_kernels)`.

    Example:

    ```python
    discriminator = keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(128),
        keras.layers.LeakyReLU(0.2),
        kgen.layers.MinibatchDiscrimination(num_kernels=50, kernel_dim=5),
        keras.layers.Dense(1),
    ])
    ```
    """

    def __init__(
        self,
        num_kernels,
        kernel_dim,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_kernels = check_integer(num_kernels, "num_kernels")
        self.kernel_dim = check_integer(kernel_dim, "kernel_dim")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "MinibatchDiscrimination takes features of shape (batch, "
                f"in_features). Received input shape {tuple(input_shape)}. "
                "Flatten convolutional features first "
                "(`keras.layers.Flatten()`)."
            )
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.num_kernels * self.kernel_dim),
            initializer=self.kernel_initializer,
            name="kernel",
        )

    def call(self, inputs):
        rows = ops.reshape(
            ops.matmul(inputs, self.kernel),
            (-1, self.num_kernels, self.kernel_dim),
        )
        # (batch, 1, B, C) - (1, batch, B, C): L1 distances per kernel.
        distances = ops.sum(
            ops.abs(ops.expand_dims(rows, 1) - ops.expand_dims(rows, 0)),
            axis=-1,
        )
        closeness = ops.sum(ops.exp(-distances), axis=1)
        return ops.concatenate([inputs, closeness], axis=-1)

    def compute_output_shape(self, input_shape):
        features = input_shape[-1]
        total = None if features is None else features + self.num_kernels
        return (input_shape[0], total)

    def get_config(self):
        return {
            **super().get_config(),
            "num_kernels": self.num_kernels,
            "kernel_dim": self.kernel_dim,
            "kernel_initializer": keras.initializers.serialize(
                self.kernel_initializer
            ),
        }
