"""Auxiliary-classifier GAN: the discriminator also predicts the class."""

import keras
from keras import ops

from kgen.models.gan.conditional_gan import ConditionalGAN
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class ACGAN(ConditionalGAN):
    """GAN with a class-conditional generator and a classifying discriminator.

    The generator takes `[z, one_hot_labels]` as in `ConditionalGAN`; the
    discriminator sees only the sample and returns two outputs, the
    real/fake score `(batch, 1)` and class logits `(batch, num_classes)`.
    Both players also minimise the cross-entropy of the class prediction:
    the discriminator on real and generated samples, the generator on its
    own samples, weighted by `auxiliary_weight`.

    Reference: Odena et al., "Conditional Image Synthesis with Auxiliary
    Classifier GANs", ICML 2017.

    Args:
        generator: a `keras.Model` taking `[z, one_hot_labels]`.
        discriminator: a `keras.Model` taking samples and returning
            `[scores, class_logits]`, e.g.
            `kgen.models.build_mlp_discriminator(shape, num_classes=10,
            auxiliary=True)`.
        latent_dim: int >= 1, size of the latent vector.
        num_classes: int >= 2, number of classes.
        auxiliary_weight: weight of the classification losses.
        **kwargs: the other arguments of `kgen.models.GAN`.

    Example:

    ```python
    acgan = kgen.models.ACGAN(
        kgen.models.build_mlp_generator(16, (64,), num_classes=10),
        kgen.models.build_mlp_discriminator((64,), num_classes=10, auxiliary=True),
        latent_dim=16,
        num_classes=10,
    )
    ```
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        num_classes,
        auxiliary_weight=1.0,
        **kwargs,
    ):
        self.auxiliary_weight = check_number(
            auxiliary_weight, "auxiliary_weight", low=0
        )
        super().__init__(
            generator, discriminator, latent_dim, num_classes, **kwargs
        )

    def _discriminator_inputs(self, x, labels, training):
        return self.noisy(x, training)

    def _discriminate(self, x, labels, training):
        outputs = self.discriminator(
            self._discriminator_inputs(x, labels, training), training=training
        )
        if not isinstance(outputs, (list, tuple)) or len(outputs) != 2:
            raise ValueError(
                "The ACGAN discriminator must return `[scores, class_logits]`. "
                f"Received {type(outputs).__name__} output."
            )
        if tuple(outputs[1].shape[1:]) != (self.num_classes,):
            raise ValueError(
                f"The ACGAN discriminator's class logits must have shape "
                f"(batch, {self.num_classes}). Received "
                f"{tuple(outputs[1].shape)}."
            )
        return outputs[0], outputs[1]

    def _class_loss(self, class_logits, labels):
        cross_entropy = keras.losses.categorical_crossentropy(
            labels, class_logits, from_logits=True
        )
        return self.auxiliary_weight * ops.mean(cross_entropy)

    def get_config(self):
        return {
            **super().get_config(),
            "auxiliary_weight": self.auxiliary_weight,
        }
