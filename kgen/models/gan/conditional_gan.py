"""Conditional GAN: class labels fed to both networks."""

import keras

from kgen.models.gan.gan import GAN
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_labels
from kgen.utils.validation import is_array
from kgen.utils.validation import one_hot


@keras.saving.register_keras_serializable(package="kgen")
class ConditionalGAN(GAN):
    """GAN whose generator and discriminator both see the class label.

    The generator maps `[z, y]` to a sample of class `y`; the discriminator
    scores `[x, y]` pairs, so it learns to reject samples that do not match
    their label. Labels reach both networks one-hot encoded, shape `(batch,
    num_classes)`; build suitable networks with
    `kgen.models.build_mlp_generator(..., num_classes=10)` and friends. Train
    with `fit(x, y)`, integer labels `y` in `[0, num_classes)`; the fake
    samples of a batch get the batch's real labels.

    All options of `kgen.models.GAN` apply (losses, penalties, EMA, ...).

    Reference: Mirza & Osindero, "Conditional Generative Adversarial Nets",
    2014.

    Args:
        generator: a `keras.Model` taking `[z, one_hot_labels]`.
        discriminator: a `keras.Model` taking `[x, one_hot_labels]` and
            returning scores `(batch, 1)`.
        latent_dim: int >= 1, size of the latent vector.
        num_classes: int >= 2, number of classes.
        **kwargs: the other arguments of `kgen.models.GAN`.

    Example:

    ```python
    (x, y), _ = kgen.datasets.load_digits()
    cgan = kgen.models.ConditionalGAN(
        kgen.models.build_mlp_generator(16, (64,), num_classes=10),
        kgen.models.build_mlp_discriminator((64,), num_classes=10),
        latent_dim=16,
        num_classes=10,
    )
    cgan.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    cgan.fit(x, y, batch_size=64, epochs=2)
    sevens = cgan.generate(8, labels=7, seed=0)
    ```
    """

    def __init__(
        self, generator, discriminator, latent_dim, num_classes, **kwargs
    ):
        self.num_classes = check_integer(num_classes, "num_classes", minimum=2)
        super().__init__(generator, discriminator, latent_dim, **kwargs)

    def _labels_spec(self):
        return keras.KerasTensor((None, self.num_classes))

    def _one_hot(self, labels):
        return one_hot(labels, self.num_classes)

    def _condition(self, num_samples, labels):
        if labels is None:
            raise ValueError(
                f"{type(self).__name__} needs the classes to generate. Pass "
                f"`labels=`: one class id in [0, {self.num_classes}) or an "
                f"array of {num_samples} class ids."
            )
        labels = check_labels(labels, self.num_classes, num_samples=num_samples)
        return self._one_hot(labels)

    def _split(self, data):
        if (
            not isinstance(data, (tuple, list))
            or len(data) < 2
            or data[1] is None
        ):
            raise ValueError(
                f"{type(self).__name__} trains on labelled data: call "
                "`fit(x, y)` with integer class labels `y` (or a dataset "
                "yielding `(x, y)` pairs). Received samples without labels."
            )
        return data[0], self._one_hot(data[1])

    def _generate(self, z, labels, training, generator=None):
        return (generator or self.generator)([z, labels], training=training)

    def _discriminator_inputs(self, x, labels, training):
        return [self.noisy(x, training), labels]

    def fit(self, x=None, y=None, **kwargs):
        if is_array(x):
            if y is None:
                self._split(x)  # raises the missing-labels error
            check_labels(y, self.num_classes, "y", num_samples=len(x))
        return super().fit(x, y, **kwargs)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}
