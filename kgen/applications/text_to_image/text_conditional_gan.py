"""GAN-INT-CLS: a GAN conditioned on caption embeddings."""

import keras
import numpy as np
from keras import ops

from kgen import backend
from kgen.applications.text_to_image.losses import matching_aware_loss
from kgen.models.gan.gan import GAN
from kgen.models.phase import Phase
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array


@keras.saving.register_keras_serializable(package="kgen")
class TextConditionalGAN(GAN):
    """A GAN whose networks see a caption embedding (GAN-INT-CLS).

    Trained with `fit(images, caption_embeddings)`, rows matching. Two
    additions to a conditional GAN, after Reed et al.:

    - **Matching-aware discriminator (CLS).** The discriminator also sees
      real images with mismatched captions (the batch's captions shifted by
      one) and must call them fake, so it judges whether image and caption
      agree, not only whether the image looks real; see
      `matching_aware_loss`. Logged as `d_mismatched`.
    - **Caption interpolation (INT).** The generator is also trained on
      embeddings between two captions of the batch, `beta * t_i + (1 -
      beta) * t_j`, which have no real images but must still give images
      the discriminator accepts: this fills the gaps between the training
      captions. Weighted by `interpolation_weight` (0 turns it off), logged
      as `interpolation`.

    The condition may be any fixed-size vector (a caption embedding from
    `JointEmbedding.encode_text`, usually). All options of
    `kgen.models.GAN` apply (games, penalties, EMA, ...); penalties see the
    matching captions.

    Reference: Reed et al., "Generative Adversarial Text to Image
    Synthesis", ICML 2016.

    Args:
        generator: a `keras.Model` taking `[z, embeddings]`.
        discriminator: a `keras.Model` taking `[images, embeddings]` and
            returning scores.
        latent_dim: int >= 1, size of `z`.
        embedding_dim: int >= 1, size of the caption embeddings.
        interpolation_weight: float >= 0, weight of the INT term.
        interpolation_beta: float in [0, 1], `beta` of the INT term (0.5
            in the paper).
        **kwargs: the other arguments of `kgen.models.GAN`.

    Example:

    ```python
    gan = TextConditionalGAN(
        build_text_conditioned_generator(32, 64, (32, 32, 3)),
        build_matching_discriminator((32, 32, 3), 64),
        latent_dim=32,
        embedding_dim=64,
    )
    gan.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    gan.fit(images, embeddings, batch_size=64, epochs=5)
    samples = gan.generate(4, labels=embeddings[:4], seed=0)
    ```
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        embedding_dim,
        interpolation_weight=1.0,
        interpolation_beta=0.5,
        **kwargs,
    ):
        self.embedding_dim = check_integer(embedding_dim, "embedding_dim")
        self.interpolation_weight = check_number(
            interpolation_weight, "interpolation_weight", low=0
        )
        beta = check_number(interpolation_beta, "interpolation_beta", low=0)
        if beta > 1:
            raise ValueError(
                "`interpolation_beta` must be in [0, 1]. Received: "
                f"interpolation_beta={beta}."
            )
        self.interpolation_beta = beta
        super().__init__(generator, discriminator, latent_dim, **kwargs)

    # ------------------------------------------------------------- hooks

    def _labels_spec(self):
        return keras.KerasTensor((None, self.embedding_dim))

    def _condition(self, num_samples, labels):
        if labels is None:
            raise ValueError(
                f"{type(self).__name__} needs the caption embeddings to "
                f"generate from: pass `labels=` an array ({num_samples}, "
                f"{self.embedding_dim})."
            )
        labels = check_array(
            labels, "labels", feature_shape=(self.embedding_dim,)
        )
        if len(labels) != num_samples:
            raise ValueError(
                f"Received {len(labels)} caption embeddings for "
                f"{num_samples} samples; pass one per sample."
            )
        return ops.convert_to_tensor(labels)

    def _split(self, data):
        if (
            not isinstance(data, (tuple, list))
            or len(data) < 2
            or data[1] is None
        ):
            raise ValueError(
                f"{type(self).__name__} trains on images with caption "
                "embeddings: call `fit(images, embeddings)`. Received images "
                "without embeddings."
            )
        return data[0], ops.cast(data[1], "float32")

    def _generate(self, z, labels, training, generator=None):
        return (generator or self.generator)([z, labels], training=training)

    def _discriminate(self, x, labels, training):
        return self.discriminator(
            [self.noisy(x, training), labels], training=training
        ), None

    # ------------------------------------------------------------ phases

    def build_phases(self):
        phases = super().build_phases()
        discriminator, generator = phases
        return [
            Phase(
                discriminator.name,
                discriminator.loss_fn,
                self.discriminator,
                repeats=discriminator.repeats,
                logs=discriminator.logs + ("d_mismatched",),
            ),
            Phase(
                generator.name,
                self._int_cls_generator_loss,
                self.generator,
                logs=("interpolation",),
            ),
        ]

    def _discriminator_loss_and_logs(self, data, training=True):
        x, labels = self._split(data)
        z = self._latent(ops.shape(x)[0], self.seed_generator)
        fake = backend.without_gradient(self._generate, z, labels, training)
        real_scores = self._discriminate(x, labels, training)[0]
        mismatched_scores = self._discriminate(
            x, ops.roll(labels, 1, axis=0), training
        )[0]
        fake_scores = self._discriminate(fake, labels, training)[0]
        loss = matching_aware_loss(
            self.adversarial_loss, real_scores, mismatched_scores, fake_scores
        )
        penalty, penalty_logs = self._penalties(x, fake, labels, training)
        readable = self.adversarial_loss.readable
        logs = {
            "d_real": readable(real_scores),
            "d_fake": readable(fake_scores),
            "d_mismatched": readable(mismatched_scores),
        }
        return loss + penalty, {**logs, **penalty_logs}

    def generator_loss(self, data, training=True):
        """The generator's loss on a batch, INT term included.

        Args:
            data: a `fit` batch `(images, embeddings)`.
            training: whether networks run in training mode.

        Returns:
            Scalar loss.
        """
        return self._int_cls_generator_loss(data, training)[0]

    def _int_cls_generator_loss(self, data, training=True):
        loss = super().generator_loss(data, training)
        if not self.interpolation_weight:
            return loss, {"interpolation": ops.zeros(())}
        _, labels = self._split(data)
        beta = self.interpolation_beta
        mixed = beta * labels + (1.0 - beta) * ops.roll(labels, 1, axis=0)
        z = self._latent(ops.shape(labels)[0], self.seed_generator)
        scores = self._discriminate(
            self._generate(z, mixed, training), mixed, training
        )[0]
        term = self.adversarial_loss.generator(scores)
        return loss + self.interpolation_weight * term, {"interpolation": term}

    # ----------------------------------------------------------- checks

    def fit(self, x=None, y=None, **kwargs):
        if is_array(x):
            if y is None:
                self._split(x)  # raises the missing-embeddings error
            y = check_array(y, "y", feature_shape=(self.embedding_dim,))
            if len(y) != len(x):
                raise ValueError(
                    f"Received {len(x)} images and {len(y)} caption "
                    "embeddings; pass one embedding per image."
                )
        return super().fit(x, y, **kwargs)

    def generate_from(self, embeddings, latents):
        """Images from given caption embeddings and latent vectors.

        Args:
            embeddings: array `(num, embedding_dim)`.
            latents: array `(num, latent_dim)`.

        Returns:
            NumPy array of images `(num, *sample_shape)`.
        """
        condition = self._condition(len(np.asarray(latents)), embeddings)
        latents = check_array(
            latents, "latents", feature_shape=(self.latent_dim,)
        )
        return ops.convert_to_numpy(
            self._generate(
                ops.convert_to_tensor(latents),
                condition,
                False,
                self.sampling_generator,
            )
        )

    def get_config(self):
        return {
            **super().get_config(),
            "embedding_dim": self.embedding_dim,
            "interpolation_weight": self.interpolation_weight,
            "interpolation_beta": self.interpolation_beta,
        }
