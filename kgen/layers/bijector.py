"""The base class of kgen's invertible layers (normalising-flow bijectors)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kgen")
class Bijector(keras.layers.Layer):
    """Base class of an invertible layer with a tractable log-determinant.

    A bijector maps a batch `x` to `y = f(x)` of the same size and returns
    `log |det df/dx|` per sample. kgen's flows run their bijectors in the
    *normalising* direction, data to noise: `transform` is the direction of
    density evaluation (`log p(x) = log p_z(f(x)) + log |det df/dx|`) and
    `inverse_transform` the direction of sampling, as in scikit-learn's
    transformers. (TensorFlow Probability names the directions the other
    way round: a kgen `transform` is a TFP bijector's `inverse`. The name
    `forward` is taken by PyTorch modules, which Keras layers are on the
    PyTorch backend.)

    Subclasses implement `_forward(x, training)` and `_inverse(y)`, each
    returning the transformed batch and the per-sample log-determinant of
    the map it computes; `call` runs `transform`, so a bijector also works
    as an ordinary layer (returning `(y, log_det)`).

    Args:
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).

    Example:

    ```python
    layer = kgen.layers.ActNorm()
    y, log_det = layer.transform(x)
    x_again, minus_log_det = layer.inverse_transform(y)
    ```
    """

    def transform(self, x, training=False):
        """Maps data `x` towards the noise: `(f(x), log |det df/dx|)`.

        Args:
            x: tensor `(batch, *event_shape)`.
            training: whether the call is part of a training step (batch
                statistics, data-dependent initialisation).

        Returns:
            `(y, log_det)`: `y` of shape `transformed_shape(x.shape)`,
            `log_det` of shape `(batch,)`.
        """
        return self(x, training=training)

    def inverse_transform(self, y):
        """Maps `y` back: `(f^-1(y), log |det df^-1/dy|)`.

        Args:
            y: tensor of the shape of `transform`'s output.

        Returns:
            `(x, log_det)`, `log_det` of shape `(batch,)`.
        """
        y = ops.convert_to_tensor(y)
        if not self.built:
            self.build(self.source_shape(tuple(y.shape)))
        return self._inverse(y)

    def call(self, x, training=False):
        return self._forward(x, training)

    def _forward(self, x, training):
        raise NotImplementedError(
            f"{type(self).__name__} does not implement `_forward()`."
        )

    def _inverse(self, y):
        raise NotImplementedError(
            f"{type(self).__name__} does not implement `_inverse()`."
        )

    def transformed_shape(self, input_shape):
        """The shape of `transform`'s output for inputs of `input_shape`."""
        return tuple(input_shape)

    def source_shape(self, output_shape):
        """The input shape whose `transform` output has `output_shape`."""
        return tuple(output_shape)


def sum_over_events(values):
    """Sums `values` over every axis but the first (per-sample totals)."""
    return ops.sum(ops.reshape(values, (ops.shape(values)[0], -1)), axis=1)


def positions_per_channel(shape):
    """How many positions share each channel in samples of `shape`."""
    count = 1
    for size in tuple(shape)[1:-1]:
        count *= size
    return count
