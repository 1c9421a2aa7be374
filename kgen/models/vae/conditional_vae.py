"""The conditional variational autoencoder model."""

import keras
import numpy as np

from kgen.models.vae.vae import VAE
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_labels
from kgen.utils.validation import is_array
from kgen.utils.validation import one_hot


@keras.saving.register_keras_serializable(package="kgen")
class ConditionalVAE(VAE):
    """A VAE whose encoder and decoder also see the class label.

    It models `p(x | label)`: the encoder gives `q(z | x, label)`, the
    decoder `p(x | z, label)`, and the prior stays `N(0, I)`. Generating
    with a chosen label draws digits of that class, while `z` carries the
    style (slant, thickness). Everything else is as in `kgen.models.VAE`.

    The model's inputs are `[x, labels]` with integer labels in
    `[0, num_classes)`: call `fit([x, labels])` or, for arrays,
    `fit(x, labels)`. The encoder and decoder take the one-hot labels as
    their second input (the builders `ConditionalVAE.dense(...,
    num_classes=10)` and `.conv(...)` wire this for you).

    Reference:
        Sohn, Lee and Yan, "Learning Structured Output Representation using
        Deep Conditional Generative Models", NeurIPS 2015.

    Args:
        encoder: `keras.Model` mapping `[x, one_hot_labels]` to
            `(batch, 2 * latent_dim)`.
        decoder: `keras.Model` mapping `[z, one_hot_labels]` to
            `(batch, *feature_shape)`, with a linear output.
        num_classes: int >= 2, number of classes.
        **kwargs: the other `kgen.models.VAE` arguments (`likelihood`,
            `variance`, `beta`, `importance_samples`, `seed`, `name`).

    Example:

    ```python
    (x_train, y_train), _ = kgen.datasets.load_digits("binary")
    cvae = kgen.models.ConditionalVAE.dense((64,), latent_dim=8, num_classes=10)
    cvae.compile(optimizer="adam")
    cvae.fit(x_train, y_train, epochs=200, batch_size=64, verbose=0)
    sevens = cvae.generate(16, labels=7, seed=0)
    ```
    """

    def __init__(self, encoder, decoder, num_classes, **kwargs):
        self.num_classes = check_integer(num_classes, "num_classes", minimum=2)
        for name, model in (("encoder", encoder), ("decoder", decoder)):
            inputs = getattr(model, "inputs", None) or []
            if len(inputs) != 2 or inputs[1].shape[-1] != self.num_classes:
                raise ValueError(
                    f"A ConditionalVAE's `{name}` must take two inputs, the data "
                    f"and one-hot labels of size num_classes={self.num_classes}. "
                    f"Received inputs {[tuple(i.shape) for i in inputs]}. Build "
                    "it with `ConditionalVAE.dense(..., num_classes=...)` or add "
                    "a `keras.Input((num_classes,))`."
                )
        super().__init__(encoder, decoder, **kwargs)

    def _split_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                "A ConditionalVAE's inputs are `[x, labels]`. Received a single "
                "input: pass the labels, e.g. `fit(x, labels)` or `predict([x, labels])`."
            )
        x, labels = inputs
        return x, one_hot(labels, self.num_classes)

    def _split_data(self, x):
        if is_array(x):
            self._split_inputs(x)  # raises: labels are missing
        if isinstance(x, (list, tuple)) and len(x) == 2 and is_array(x[0]):
            return x
        return None, None

    def _with_labels(self, x, y):
        return x if y is None else [x, y]

    def _check_labels(self, labels, count):
        return check_labels(labels, self.num_classes, num_samples=count)

    def _condition(self, labels, count):
        if labels is None:
            raise ValueError(
                "A ConditionalVAE needs `labels`: an int for one class, or one "
                f"integer in [0, {self.num_classes - 1}] per sample."
            )
        return one_hot(self._check_labels(labels, count), self.num_classes)

    def generate(self, num_samples, *, labels=None, seed=None):
        """Draws samples of the given classes.

        Args:
            num_samples: int >= 1.
            labels: an int (every sample of that class), one label per
                sample, or `None` to cycle through the classes `0, 1, ...`.
            seed: int for a reproducible draw, or `None` to advance the
                model's own random stream.

        Returns:
            NumPy array of shape `(num_samples, *feature_shape)`.
        """
        if labels is None:
            labels = (
                np.arange(check_integer(num_samples, "num_samples"))
                % self.num_classes
            )
        return super().generate(num_samples, labels=labels, seed=seed)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}
