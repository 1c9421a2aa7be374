"""A fixed permutation of the features (order reversal between MADEs)."""

import keras
import numpy as np
from keras import ops

from kgen.layers.bijector import Bijector


@keras.saving.register_keras_serializable(package="kgen")
class Permutation(Bijector):
    """Reorders the last axis: `y[..., i] = x[..., permutation[i]]`.

    A volume-preserving bijector (log-determinant zero). Between stacked
    autoregressive layers (MAF) a reversal lets each layer model the
    variables in a different order.

    Args:
        permutation: sequence of the indices `0..n-1`, each once, or the
            string `"reverse"` (resolved when the layer is built).
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).

    Call returns:
        `(y, log_det)`, `log_det` zeros of shape `(batch,)`.

    Example:

    ```python
    y, _ = kgen.layers.Permutation([2, 0, 1]).transform(x)  # x: (batch, 3)
    ```
    """

    def __init__(self, permutation="reverse", **kwargs):
        super().__init__(**kwargs)
        if isinstance(permutation, str):
            if permutation != "reverse":
                raise ValueError(
                    "`permutation` must be a sequence of indices or "
                    f"'reverse'. Received: permutation={permutation!r}."
                )
            self.permutation = permutation
        else:
            self.permutation = _check_permutation(permutation)

    def build(self, input_shape):
        size = input_shape[-1]
        if isinstance(self.permutation, str):
            self.indices = np.arange(size)[::-1].copy()
        else:
            self.indices = np.asarray(self.permutation)
            if len(self.indices) != size:
                raise ValueError(
                    f"Permutation of {len(self.indices)} indices received "
                    f"inputs of shape {tuple(input_shape)}; their last axis "
                    f"must have {len(self.indices)} entries."
                )
        self.inverse_indices = np.argsort(self.indices)

    def _forward(self, x, training):
        y = ops.take(x, self.indices, axis=-1)
        return y, ops.zeros_like(ops.reshape(x, (ops.shape(x)[0], -1))[:, 0])

    def _inverse(self, y):
        x = ops.take(y, self.inverse_indices, axis=-1)
        return x, ops.zeros_like(ops.reshape(y, (ops.shape(y)[0], -1))[:, 0])

    def get_config(self):
        permutation = self.permutation
        if not isinstance(permutation, str):
            permutation = [int(i) for i in permutation]
        return {**super().get_config(), "permutation": permutation}


def _check_permutation(permutation):
    array = np.asarray(permutation)
    if (
        array.ndim != 1
        or array.size == 0
        or not np.issubdtype(array.dtype, np.integer)
        or not np.array_equal(np.sort(array), np.arange(array.size))
    ):
        raise ValueError(
            "`permutation` must hold each index 0..n-1 exactly once. "
            f"Received: {permutation!r}."
        )
    return array.astype("int64")
