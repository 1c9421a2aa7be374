"""Ramps a VAE's KL weight up during training."""

import keras

from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


class KLAnnealing(keras.callbacks.Callback):
    """Raises a VAE's KL weight linearly from `start` to `end`.

    Early in training a full-weight KL term can pull every posterior onto
    the prior before the decoder learns to use the code ("posterior
    collapse"); warming the weight up avoids it. The weight is the model's
    non-trainable variable `kl_weight`, set with `assign` before each epoch
    (or each batch with `per_batch=True`), so the compiled training step
    reads it on every backend. After `epochs` epochs it stays at `end`.

    Reference:
        Bowman et al., "Generating Sentences from a Continuous Space",
        CoNLL 2016 (KL cost annealing).

    Args:
        epochs: int >= 1, length of the ramp in epochs.
        start: weight at the first epoch.
        end: weight reached after `epochs` epochs; `None` for the model's
            `beta`.
        per_batch: update after every batch rather than every epoch (on
            JAX, each update synchronises the model's state: slower).

    Example:

    ```python
    vae.fit(x, epochs=50, callbacks=[kgen.callbacks.KLAnnealing(epochs=10)])
    ```
    """

    def __init__(self, epochs=10, start=0.0, end=None, per_batch=False):
        super().__init__()
        self.epochs = check_integer(epochs, "epochs")
        self.start = check_number(start, "start", low=0)
        self.end = end
        self.per_batch = per_batch
        self._epoch = 0

    def weight(self, progress):
        """The KL weight after `progress` epochs (a float)."""
        end = self.model.beta if self.end is None else float(self.end)
        fraction = min(max(progress / self.epochs, 0.0), 1.0)
        return self.start + fraction * (end - self.start)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._set(epoch)

    def on_train_batch_begin(self, batch, logs=None):
        if self.per_batch:
            steps = (self.params or {}).get("steps") or 1
            self._set(self._epoch + batch / steps)

    def _set(self, progress):
        model = self.model
        if not hasattr(model, "kl_weight"):
            raise ValueError(
                "KLAnnealing needs a model with a `kl_weight` variable, such as "
                f"`kgen.models.VAE`. Received a {type(model).__name__}."
            )
        model.kl_weight.assign(self.weight(progress))
