"""Backend-specific training primitives.

This package is the only place in kgen that imports TensorFlow, JAX or
PyTorch. It exposes the same names for every backend:

- `StepFunctions`: a mixin of every kgen model; on TensorFlow it replaces
  Keras' one-step `fit` / `evaluate` functions with leaner ones (see
  `kgen.backend.tensorflow.StepFunctions`); elsewhere it changes nothing.
- `PhasedTrainer`: a mixin whose `train_step` / `test_step` run a
  `kgen.models.PhasedModel`'s phases inside `model.fit` (jit-compiled on JAX,
  a `tf.function` on TensorFlow, eager on PyTorch).
- `minimize(loss_fn, variables, optimizer)`: `loss_fn()` returns `(loss,
  aux)`; computes the gradients of the loss with respect to `variables`,
  applies them with `optimizer` and returns `(loss, aux, gradients)`.
- `without_gradient(fn, *args, **kwargs)`: `fn(*args, **kwargs)` as a
  constant for differentiation (on PyTorch, computed without recording a
  graph).
- `global_norm(tensors)`: the Euclidean norm of all `tensors` together (one
  fused call where the backend has one).
- `input_gradients(fn, x)`: the gradient of `sum(fn(x))` with respect to the
  input `x`, itself differentiable (for gradient penalties).
- `fori_loop(lower, upper, body, init)`: `keras.ops.fori_loop`, compiled
  as a whole when called outside a training step (a `tf.function` on
  TensorFlow, where an eager loop runs op by op; JAX compiles its loops, and
  PyTorch runs eagerly).
- `ASYNC_DISPATCH`: whether a step returns before its computation ends
  (JAX), so that checking its logs on a worker thread pays.
- `fit_data(x, y, options)`: the data and `fit` options to hand Keras; on
  TensorFlow, arrays become one `tf.data` pipeline kept across epochs.
- `state_kept_on_error(model)`: a context manager that keeps `model`'s
  variables when `fit` stops on an error (JAX's `fit` detaches their values
  while it runs); it does nothing on the other backends.
- `fast_bernoulli(probabilities, seed)`: binary states drawn as
  `keras.random.uniform(...) < probabilities` would draw them, where the
  backend has a faster way (PyTorch: the same draw compared in place; JAX:
  the same threefry hash unrolled); `None` where Keras' own draw should
  serve.
"""

import contextlib

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "jax":
    from keras.ops import fori_loop  # noqa: F401

    from kgen.backend.jax import PhasedTrainer
    from kgen.backend.jax import StepFunctions
    from kgen.backend.jax import fast_bernoulli
    from kgen.backend.jax import firing
    from kgen.backend.jax import global_norm
    from kgen.backend.jax import input_gradients
    from kgen.backend.jax import minimize
    from kgen.backend.jax import state_kept_on_error
    from kgen.backend.jax import without_gradient
elif _BACKEND == "tensorflow":
    from kgen.backend.tensorflow import PhasedTrainer
    from kgen.backend.tensorflow import StepFunctions
    from kgen.backend.tensorflow import array_pipeline
    from kgen.backend.tensorflow import fori_loop
    from kgen.backend.tensorflow import global_norm
    from kgen.backend.tensorflow import input_gradients
    from kgen.backend.tensorflow import minimize
    from kgen.backend.tensorflow import without_gradient
elif _BACKEND == "torch":
    from keras.ops import fori_loop  # noqa: F401

    from kgen.backend.torch import PhasedTrainer
    from kgen.backend.torch import StepFunctions
    from kgen.backend.torch import fast_bernoulli
    from kgen.backend.torch import global_norm
    from kgen.backend.torch import input_gradients
    from kgen.backend.torch import minimize
    from kgen.backend.torch import without_gradient
else:
    raise ImportError(
        "kgen supports the 'tensorflow', 'jax' and 'torch' Keras backends. "
        f"Received: KERAS_BACKEND={_BACKEND!r}. Set the environment variable "
        "KERAS_BACKEND to one of these before importing keras or kgen."
    )

if _BACKEND != "jax":

    @contextlib.contextmanager
    def state_kept_on_error(model):
        """Nothing to do: only JAX's `fit` detaches variable values."""
        yield

    def firing(interval):
        """`None`: lazy terms decide at run time (see the JAX `firing`)."""
        return None


if _BACKEND == "tensorflow":

    def fast_bernoulli(probabilities, seed):
        """Binary states drawn with `probabilities`, or `None`.

        On PyTorch this draws `keras.random.uniform(shape, seed=seed) <
        probabilities` with the same generator and seed as Keras, comparing
        in place to save passes over memory; on JAX it computes the same
        threefry numbers as straight-line code that XLA fuses. On TensorFlow
        it returns `None`, and callers use Keras' own draw, which the
        compiled graph fuses.

        Args:
            probabilities: tensor of Bernoulli probabilities.
            seed: an int or a `keras.random.SeedGenerator`.

        Returns:
            A float tensor of 0s and 1s shaped like `probabilities`, or
            `None` on TensorFlow.
        """
        return None


ASYNC_DISPATCH = _BACKEND == "jax"
"""Whether a training step returns before its computation ends.

`True` on JAX, whose asynchronous dispatch lets work on the previous step's
logs (for example `kgen.callbacks.StopOnNaN`'s check on Keras' callback
thread) overlap the next step; `False` on TensorFlow and PyTorch, where a
step's logs are ready when it returns and such a thread only competes for
the interpreter.
"""


def fit_data(x, y, options):
    """The data and options that a kgen model's `fit` hands to Keras.

    On TensorFlow, Keras builds a new `tf.data` iterator over array inputs at
    every epoch, tens of milliseconds that dominate small data sets. There,
    NumPy or tensor inputs (without `validation_split`, `class_weight`,
    `steps_per_epoch` or `shuffle="batch"`) become one dataset that repeats
    forever and yields, per epoch, the samples in a fresh random order (when
    `shuffle`) in batches of `batch_size`, the last one partial, and
    `steps_per_epoch` is set to their number, so `fit` keeps one iterator for
    the whole run. Other inputs, and every input on JAX and PyTorch (whose
    array iterators are cheap), pass through unchanged.

    Args:
        x: the `x` given to `fit`.
        y: the `y` given to `fit`.
        options: dict of the other `fit` arguments.

    Returns:
        `(x, y, options)` to pass on to `keras.Model.fit`.
    """
    if _BACKEND == "tensorflow":
        return array_pipeline(x, y, options)
    return x, y, options


__all__ = [
    "ASYNC_DISPATCH",
    "PhasedTrainer",
    "StepFunctions",
    "fast_bernoulli",
    "firing",
    "fit_data",
    "global_norm",
    "input_gradients",
    "minimize",
    "without_gradient",
]
