"""Pix2Pix: paired image-to-image translation with a conditional GAN."""

import keras
from keras import ops

from kgen import backend
from kgen.models.gan.adversarial_model import AdversarialModel
from kgen.models.phase import Phase
from kgen.models.translation import translation
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array


@keras.saving.register_keras_serializable(package="kgen")
class Pix2Pix(AdversarialModel):
    """Paired image-to-image translation: a conditional GAN plus an L1 loss.

    The generator `G` maps a source image `x` to a target image; the
    discriminator `D` scores `(x, y)` pairs, the source and a target
    concatenated on the channel axis, as real (`y` the true target) or fake
    (`y = G(x)`), usually with one score per patch (PatchGAN). The generator
    minimises

    `adversarial(D(x, G(x))) + l1_weight * mean(|G(x) - y|)`,

    and the discriminator half the sum of its losses on real and fake pairs
    (as in the paper). Each `fit` step runs phase `"generator"`, which shares
    its `G(x)` with phase `"discriminator"` (`PhasedModel.share`), so `G`
    runs forward once per step: `D` is updated on the fakes of the
    generator before its update, as in the authors' code for CycleGAN.

    Train with `fit(sources, targets)`, images in [-1, 1] (the builders'
    generators end in tanh). Logged: `generator_loss`,
    `discriminator_loss`, the two generator terms `adversarial` and `l1`,
    and `d_real`, `d_fake` (mean scores; probabilities for the
    cross-entropy games).

    Reference: Isola et al., "Image-to-Image Translation with Conditional
    Adversarial Networks", CVPR 2017.

    Args:
        generator: a functional `keras.Model` from source images to target
            images, e.g. `kgen.models.build_unet_generator`.
        discriminator: a functional `keras.Model` taking source and target
            channels concatenated, e.g.
            `kgen.models.build_patchgan_discriminator((h, w, c_source +
            c_target))`, returning scores of any shape (or a list of maps).
        l1_weight: weight `lambda` of the L1 term (100 in the paper); 0
            trains a plain conditional GAN.
        loss: the adversarial game (`"non_saturating"` in the paper,
            `"least_squares"` also common); see `kgen.losses.AdversarialLoss`.
        label_smoothing: one-sided label smoothing, in `[0, 1)`.
        instance_noise: standard deviation of Gaussian noise added to the
            discriminator's inputs in training.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    model = kgen.models.Pix2Pix(
        kgen.models.build_unet_generator((64, 64, 1), output_channels=3),
        kgen.models.build_patchgan_discriminator((64, 64, 4)),
    )
    model.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    model.fit(edges, photos, batch_size=16, epochs=10)
    photos_hat = model.translate(test_edges)
    ```
    """

    default_loss_weights = {"adversarial": 1.0, "l1": 100.0}

    def __init__(
        self,
        generator,
        discriminator,
        l1_weight=100.0,
        loss="non_saturating",
        label_smoothing=0.0,
        instance_noise=0.0,
        seed=None,
        **kwargs,
    ):
        kwargs.pop("loss_weights", None)  # rebuilt from l1_weight
        super().__init__(
            loss=loss,
            label_smoothing=label_smoothing,
            instance_noise=instance_noise,
            loss_weights={"l1": check_number(l1_weight, "l1_weight", low=0)},
            seed=seed,
            **kwargs,
        )
        self.generator = deserialize_network(generator, "generator")
        self.discriminator = deserialize_network(discriminator, "discriminator")
        self.source_shape = translation.image_shape(self.generator, "generator")
        self.target_shape = tuple(self.generator.outputs[0].shape[1:])
        expected = (
            *self.source_shape[:2],
            self.source_shape[2] + self.target_shape[2],
        )
        received = translation.image_shape(self.discriminator, "discriminator")
        if received != expected:
            raise ValueError(
                f"The discriminator scores source and target images "
                f"concatenated on the channel axis, so it must take images of "
                f"shape {expected}. Received input shape {received}. Build it "
                f"with `build_patchgan_discriminator({expected})`."
            )
        self.built = True

    @property
    def l1_weight(self):
        """The weight of the L1 term."""
        return self.loss_weights["l1"]

    def build_phases(self):
        return [
            Phase(
                "generator",
                self.generator_loss,
                self.generator,
                logs=("adversarial", "l1"),
            ),
            Phase(
                "discriminator",
                self.discriminator_loss,
                self.discriminator,
                logs=("d_real", "d_fake"),
            ),
        ]

    def generator_loss(self, data, training=True):
        """`(loss, {"adversarial": ..., "l1": ...})` on a batch."""
        source, target = _pair(data)
        fake = self.generator(source, training=training)
        self.share("fake", fake)
        scores = self.discriminator(
            self._pair_images(source, fake, training), training=training
        )
        return self.weighted_sum(
            {
                "adversarial": self.adversarial_loss.generator(scores),
                "l1": translation.mean_absolute_error(fake, target),
            }
        )

    def discriminator_loss(self, data, training=True):
        """`(loss, {"d_real": ..., "d_fake": ...})` on a batch."""
        source, target = _pair(data)
        fake = self.shared("fake")
        if fake is None:
            fake = backend.without_gradient(
                self.generator, source, training=training
            )
        real_scores = self.discriminator(
            self._pair_images(source, target, training), training=training
        )
        fake_scores = self.discriminator(
            self._pair_images(source, fake, training), training=training
        )
        loss = 0.5 * self.adversarial_loss.discriminator(
            real_scores, fake_scores
        )
        return loss, {
            "d_real": self.adversarial_loss.readable(real_scores),
            "d_fake": self.adversarial_loss.readable(fake_scores),
        }

    def _pair_images(self, source, target, training):
        return self.noisy(ops.concatenate([source, target], axis=-1), training)

    def call(self, inputs, training=False):
        """Translates source images with the generator."""
        return self.generator(inputs, training=training)

    def translate(self, images, batch_size=32):
        """Translates source images (inference mode).

        Args:
            images: array `(num_images, *source_shape)`, values in [-1, 1].
            batch_size: images per generator call.

        Returns:
            NumPy array `(num_images, *target_shape)`.
        """
        return translation.translate(
            self.generator, images, self.source_shape, batch_size
        )

    def sample(self, num_samples, seed, **kwargs):
        raise NotImplementedError(
            "Pix2Pix translates given images: call `translate(images)`."
        )

    def fit(self, x=None, y=None, **kwargs):
        translation.check_images(y, self.target_shape, "y")
        if is_array(x) and y is None:
            raise ValueError(
                "Pix2Pix trains on pairs: call `fit(sources, targets)`."
            )
        return super().fit(x, y, **kwargs)

    def check_inputs(self, x):
        translation.check_images(x, self.source_shape, "x")

    def get_config(self):
        config = super().get_config()
        del config["loss_weights"]
        return {
            **config,
            "generator": serialize_network(self.generator),
            "discriminator": serialize_network(self.discriminator),
            "l1_weight": self.l1_weight,
        }


def _pair(data):
    if not isinstance(data, (tuple, list)) or len(data) < 2 or data[1] is None:
        raise ValueError(
            "Pix2Pix trains on (source, target) pairs: call `fit(sources, "
            "targets)` or pass a dataset yielding pairs."
        )
    return data[0], data[1]
