"""TensorFlow training primitives (see `kgen.backend`)."""

import tensorflow as tf
from keras import ops


class PhasedTrainer:
    """Mixin: runs `self._train_phases` / `self._test_phases` as the step.

    Keras wraps these steps in a `tf.function`.
    """

    def train_step(self, data):
        return self._train_phases(data)

    def test_step(self, data):
        return self._test_phases(data)


def minimize(loss_fn, variables, optimizer):
    """Applies one `optimizer` update of `variables` to reduce `loss_fn()`.

    Returns:
        `(loss, gradients)`: the loss before the update and the gradients
        applied, one per variable.
    """
    with tf.GradientTape() as tape:
        loss = loss_fn()
    grads = tape.gradient(loss, variables)
    grads = [ops.zeros_like(v) if g is None else g for g, v in zip(grads, variables)]
    optimizer.apply(grads, variables)
    return loss, grads


def input_gradients(fn, x):
    """Returns the gradient of `sum(fn(x))` with respect to `x`."""
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(fn(x))
    return tape.gradient(total, x)
