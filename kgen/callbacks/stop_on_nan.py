"""Stops training at the first non-finite logged value, naming the step."""

import math

import keras

from kgen import backend


class StopOnNaN(keras.callbacks.Callback):
    """Raises as soon as any logged value becomes NaN or infinite.

    Unlike `keras.callbacks.TerminateOnNaN`, which watches only `loss` and
    prints a line, this checks every log (per-phase losses, KL, ...) and
    raises `FloatingPointError` naming the epoch, the batch and the values, so
    a diverging run never ends silently. kgen's models add it to `fit`
    unless `callbacks` already holds one.

    Example:

    ```python
    model.fit(x, epochs=5, callbacks=[kgen.callbacks.StopOnNaN()])
    ```
    """

    # Where steps are dispatched asynchronously (JAX), Keras runs the check
    # on a worker thread, so that `fit` need not wait for every batch's logs;
    # the error then surfaces in `fit` a batch or so later, by the end of the
    # epoch at the latest. PyTorch's eager steps are synchronous: there a
    # thread would only compete for the GIL (2-3 % slower, measured), so the
    # check runs inline. It reads only the logs and must not touch
    # `self.model`, which on JAX would sync the model's state from the worker
    # thread while the next step runs.
    async_safe = backend.ASYNC_DISPATCH

    def __init__(self):
        super().__init__()
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {
            key: float(value)
            for key, value in (logs or {}).items()
            if not math.isfinite(float(value))
        }
        if bad:
            raise FloatingPointError(
                f"Training produced non-finite values at epoch "
                f"{self._epoch + 1}, batch {batch + 1}: {bad}. Lower the "
                "learning rate, check the data for extreme values, or clip "
                "gradients (e.g. `clipnorm=1.0` in the optimizer)."
            )
