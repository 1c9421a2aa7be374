"""Binary units: Bernoulli sampling and enumeration of binary states.

The one implementation of each, shared by the Boltzmann machines, the RBM
layers, the exact partition functions and the autoregressive models.
"""

import keras
import numpy as np
from keras import ops

from kgen import backend


def bernoulli(probabilities, seed):
    """Binary states that are 1 with the given probabilities.

    Args:
        probabilities: tensor of probabilities in [0, 1], any shape.
        seed: a `keras.random.SeedGenerator` or an int.

    Returns:
        A tensor of 0s and 1s of the same shape and dtype as
        `probabilities`.
    """
    probabilities = ops.convert_to_tensor(probabilities)
    states = backend.fast_bernoulli(probabilities, seed)
    if states is not None:
        return states
    uniform = keras.random.uniform(ops.shape(probabilities), seed=seed)
    uniform = ops.cast(uniform, probabilities.dtype)
    return ops.cast(uniform < probabilities, probabilities.dtype)


def binary_states(num_units, start=0, count=None):
    """Binary vectors in counting order, the first unit most significant.

    Row `i` is the binary expansion of `start + i`, so the rows of
    `binary_states(n)` are all `2**n` states of `n` binary units, in the
    order of `itertools.product((0, 1), repeat=n)`.

    Args:
        num_units: int >= 0, the length of each vector.
        start: int, the number of the first state.
        count: int, how many states; by default all from `start` on.

    Returns:
        NumPy float32 array of shape `(count, num_units)`.
    """
    count = 2**num_units - start if count is None else count
    codes = np.arange(start, start + count)[:, None]
    return ((codes >> np.arange(num_units)[::-1]) & 1).astype("float32")
