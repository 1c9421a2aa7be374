"""Minibatch standard deviation features (ProGAN, StyleGAN)."""

import keras
from keras import ops

from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class MinibatchStandardDeviation(keras.layers.Layer):
    """Appends the samples' spread within small groups as extra features.

    A discriminator that sees one sample at a time cannot tell that the
    generator produces the same sample again and again (mode collapse).
    This layer splits the batch into groups of `group_size` samples (sample
    `n` joins group `n mod (batch / group_size)`), computes the standard
    deviation of every feature over each group, averages it over the
    features (split into `num_features` channel slices) and positions,
    and appends the averages to every sample of the group as `num_features`
    constant channels. Works on any channels-last input: `(batch, c)`
    vectors or `(batch, h, w, c)` images.

    A batch whose size is not a multiple of `group_size` (the last, partial
    batch of an epoch) uses the largest group size up to `group_size` that
    divides it, as StyleGAN2's `min(group_size, batch)` does for small
    batches; a batch smaller than `group_size` is one group. `num_features`
    must divide the channels.

    Reference: Karras et al., "Progressive Growing of GANs for Improved
    Quality, Stability, and Variation", ICLR 2018, section 3; Karras et
    al., "Analyzing and Improving the Image Quality of StyleGAN", 2020
    (groups of 4, one feature).

    Args:
        group_size: int >= 2, samples per group.
        num_features: int >= 1, channel slices averaged separately.
        epsilon: added to the variance before the square root.
        **kwargs: base layer arguments (e.g. `name`).

    Example:

    ```python
    x = kgen.layers.MinibatchStandardDeviation(group_size=4)(x)  # c + 1
    ```
    """

    def __init__(self, group_size=4, num_features=1, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.group_size = check_integer(group_size, "group_size", minimum=2)
        self.num_features = check_integer(num_features, "num_features")
        self.epsilon = check_number(epsilon, "epsilon", low=0)

    def build(self, input_shape):
        channels = input_shape[-1]
        if (
            len(input_shape) < 2
            or any(size is None for size in input_shape[1:])
            or channels % self.num_features
        ):
            raise ValueError(
                "MinibatchStandardDeviation takes inputs (batch, ..., "
                "channels) of known feature shape whose channels are a "
                f"multiple of num_features={self.num_features}. Received "
                f"input shape {tuple(input_shape)}."
            )

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        spatial = tuple(x.shape[1:-1])
        slices = x.shape[-1] // self.num_features
        groups = self._group_size(ops.shape(x)[0])
        y = ops.reshape(x, (groups, -1, *spatial, self.num_features, slices))
        y = ops.sqrt(ops.var(y, axis=0) + self.epsilon)
        axes = tuple(range(1, len(spatial) + 1)) + (len(spatial) + 2,)
        y = ops.mean(y, axis=axes)  # (batch / groups, num_features)
        y = ops.reshape(y, (-1, *(1,) * len(spatial), self.num_features))
        y = ops.tile(y, (groups, *spatial, 1))
        return ops.concatenate([inputs, ops.cast(y, inputs.dtype)], axis=-1)

    def _group_size(self, batch):
        """The largest divisor of `batch` up to `group_size`."""
        if isinstance(batch, int):
            return max(
                d for d in range(1, self.group_size + 1) if batch % d == 0
            )
        # Traced without a static batch size (TensorFlow): the same choice
        # in tensor ops, trying the candidates from the smallest up.
        groups = ops.ones((), "int32")
        for d in range(2, self.group_size + 1):
            groups = ops.where(ops.equal(batch % d, 0), d, groups)
        return groups

    def compute_output_shape(self, input_shape):
        return (
            *input_shape[:-1],
            input_shape[-1] + self.num_features,
        )

    def get_config(self):
        return {
            **super().get_config(),
            "group_size": self.group_size,
            "num_features": self.num_features,
            "epsilon": self.epsilon,
        }
