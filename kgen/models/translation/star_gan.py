"""StarGAN: translation among several image domains with one generator."""

import keras
import numpy as np
from keras import ops

from kgen import backend
from kgen.losses import gan_losses
from kgen.models.gan.adversarial_model import AdversarialModel
from kgen.models.phase import Phase
from kgen.models.translation import translation
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_labels
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array
from kgen.utils.validation import one_hot


@keras.saving.register_keras_serializable(package="kgen")
class StarGAN(AdversarialModel):
    """Translation among `num_domains` image domains with one generator.

    Domains are integer labels `0 .. num_domains - 1`, one per image
    (mutually exclusive domains, such as the paper's RaFD expressions or
    `kgen.datasets.digit_domains`). The generator `G` takes an image with
    its target domain broadcast as `num_domains` one-hot channels
    (concatenated on the channel axis); the discriminator `D` returns two
    outputs: real/fake scores of any shape (a PatchGAN map) and domain
    logits `(batch, num_domains)`. Each step draws a target domain `c'`
    uniformly at random for every image `x` of domain `c` and minimises,
    with the WGAN-GP game by default,

    - for `D` (phase `"discriminator"`, `discriminator_steps` updates on
      the batch): `adversarial_D(D(x), D(G(x, c')))
      + gradient_penalty * GP + classification_weight * CE(D_cls(x), c)`,
    - for `G` (phase `"generator"`): `adversarial_G(D(G(x, c')))
      + classification_weight * CE(D_cls(G(x, c')), c')
      + reconstruction_weight * mean|G(G(x, c') + cycle_noise * n, c) - x|
      + identity_weight * mean|G(x, c) - x|
      + content_weight * mean|phi(G(x, c')) - phi(x)|`,

    with `CE` the softmax cross-entropy and `GP` the penalty
    `kgen.losses.gradient_penalty` of the real/fake output at random
    interpolates of real and translated images. Logged:
    `discriminator_loss`, `generator_loss`, `d_real`, `d_fake`,
    `d_classification` (CE of `D` on real images), `gradient_norm`, and the
    generator terms `adversarial`, `classification`, `reconstruction` (and
    `identity` when its weight is not 0, `content` with a
    `feature_extractor`).

    The identity term is not in the paper (its weight is 0 by default): it
    asks the generator to return an image unchanged when the target domain
    is its own domain, as CycleGAN's identity loss does for its two
    generators. Neither is `cycle_noise` (0 by default): Gaussian noise `n`
    of that standard deviation added to the translation before it is
    translated back, so that the cycle cannot rest on a low-amplitude
    signal hidden in the translation (Chu et al., "CycleGAN, a Master of
    Steganography", 2017) and the generator must draw what it keeps. Nor
    is the content term (only with a `feature_extractor` `phi`): a fixed
    network that the user builds to see what every domain shares (e.g.
    the strokes of a digit, whatever its colour or polarity), so that a
    translation keeps its input's content where the cycle alone would let
    the generator redraw it as any shape it can undo (a digit turned into
    another digit, or fragments, on the way to a far domain).

    Train with `fit(images, domains)`: images in [-1, 1] (the builders'
    generators end in tanh), `domains` integers of shape `(num_images,)`.

    Reference: Choi et al., "StarGAN: Unified Generative Adversarial
    Networks for Multi-Domain Image-to-Image Translation", CVPR 2018.

    Args:
        generator: functional `keras.Model` from `(h, w, c + num_domains)`
            to `(h, w, c)`, e.g. `kgen.models.build_stargan_generator`.
        discriminator: functional `keras.Model` from `(h, w, c)` images to
            `[scores, domain_logits]`, e.g.
            `kgen.models.build_stargan_discriminator`.
        num_domains: int >= 2, the number of domains.
        classification_weight: weight `lambda_cls` of both domain
            classification terms (1 in the paper).
        reconstruction_weight: weight `lambda_rec` of the reconstruction
            term (10).
        identity_weight: weight of the identity term `mean|G(x, c) - x|`
            (not in the paper; 0, the default, leaves it out).
        cycle_noise: standard deviation (>= 0) of the Gaussian noise added
            to `G(x, c')` in the reconstruction term (not in the paper; 0).
        feature_extractor: `None` (no content term, as in the paper) or a
            Keras model taking the images (in [-1, 1]) and returning
            features of any shape, held fixed (not trained), saved with
            the model.
        content_weight: weight (>= 0) of the content term, used with a
            `feature_extractor`.
        gradient_penalty: weight `lambda_gp` of the gradient penalty (10); 0
            for none (then choose a game other than `"wasserstein"`).
        discriminator_steps: int >= 1, updates of `D` per update of `G`
            (the paper's `n_critic = 5`), each on the same batch with fresh
            target domains.
        loss: the adversarial game (`"wasserstein"` in the paper); see
            `kgen.losses.AdversarialLoss`.
        label_smoothing: one-sided label smoothing, in `[0, 1)` (not for
            `"wasserstein"`).
        instance_noise: standard deviation of Gaussian noise added to the
            discriminator's inputs in training.
        seed: int or `None`, seed of the model's random stream (target
            domains, interpolates).
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    shape, num_domains = (16, 16, 3), 7
    model = kgen.models.StarGAN(
        kgen.models.build_stargan_generator(shape, num_domains),
        kgen.models.build_stargan_discriminator(shape, num_domains),
        num_domains,
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.999))
    model.fit(images, domains, batch_size=16, epochs=10)
    red = model.translate(test_images, target_domains=4)
    ```
    """

    default_loss_weights = {
        "adversarial": 1.0,
        "classification": 1.0,
        "reconstruction": 10.0,
        "identity": 0.0,
        "content": 10.0,
    }

    def __init__(
        self,
        generator,
        discriminator,
        num_domains,
        classification_weight=1.0,
        reconstruction_weight=10.0,
        gradient_penalty=10.0,
        discriminator_steps=5,
        identity_weight=0.0,
        cycle_noise=0.0,
        feature_extractor=None,
        content_weight=10.0,
        loss="wasserstein",
        label_smoothing=0.0,
        instance_noise=0.0,
        seed=None,
        **kwargs,
    ):
        kwargs.pop("loss_weights", None)  # rebuilt from the weights
        super().__init__(
            loss=loss,
            label_smoothing=label_smoothing,
            instance_noise=instance_noise,
            loss_weights={
                "classification": check_number(
                    classification_weight, "classification_weight", low=0
                ),
                "reconstruction": check_number(
                    reconstruction_weight, "reconstruction_weight", low=0
                ),
                "identity": check_number(
                    identity_weight, "identity_weight", low=0
                ),
                "content": check_number(
                    content_weight, "content_weight", low=0
                ),
            },
            seed=seed,
            **kwargs,
        )
        self.num_domains = check_integer(num_domains, "num_domains", minimum=2)
        self.gradient_penalty = check_number(
            gradient_penalty, "gradient_penalty", low=0
        )
        self.discriminator_steps = check_integer(
            discriminator_steps, "discriminator_steps"
        )
        self.cycle_noise = check_number(cycle_noise, "cycle_noise", low=0)
        self.generator = deserialize_network(generator, "generator")
        self.discriminator = deserialize_network(discriminator, "discriminator")
        self.image_shape = tuple(self.generator.outputs[0].shape[1:])
        self._check_networks()
        self.feature_extractor = translation.fixed_feature_extractor(
            feature_extractor, self.image_shape
        )
        self.built = True

    def _check_networks(self):
        expected = (
            *self.image_shape[:2],
            self.image_shape[2] + self.num_domains,
        )
        received = translation.image_shape(self.generator, "generator")
        if received != expected:
            raise ValueError(
                f"The generator takes images with the target domain as "
                f"{self.num_domains} extra one-hot channels, so for output "
                f"images {self.image_shape} it must take shape {expected}. "
                f"Received input shape {received}. Build it with "
                f"`build_stargan_generator({self.image_shape}, "
                f"{self.num_domains})`."
            )
        received = translation.image_shape(self.discriminator, "discriminator")
        outputs = self.discriminator.outputs
        logits = tuple(outputs[-1].shape[1:]) if len(outputs) == 2 else None
        if received != self.image_shape or logits != (self.num_domains,):
            raise ValueError(
                f"The discriminator must take images {self.image_shape} and "
                f"return two outputs, [scores, domain logits of shape "
                f"(batch, {self.num_domains})]. Received input shape "
                f"{received} and outputs "
                f"{[tuple(o.shape[1:]) for o in outputs]}. Build it with "
                f"`build_stargan_discriminator({self.image_shape}, "
                f"{self.num_domains})`."
            )

    @property
    def classification_weight(self):
        """The weight of the domain classification terms."""
        return self.loss_weights["classification"]

    @property
    def reconstruction_weight(self):
        """The weight of the reconstruction term."""
        return self.loss_weights["reconstruction"]

    @property
    def identity_weight(self):
        """The weight of the identity term (0: not used, as in the paper)."""
        return self.loss_weights["identity"]

    @property
    def content_weight(self):
        """The weight of the content term (used with a feature extractor)."""
        return self.loss_weights["content"]

    def build_phases(self):
        return [
            Phase(
                "discriminator",
                self.discriminator_loss,
                self.discriminator,
                repeats=self.discriminator_steps,
                logs=("d_real", "d_fake", "d_classification", "gradient_norm"),
            ),
            Phase(
                "generator",
                self.generator_loss,
                self.generator,
                logs=tuple(self._generator_terms()),
            ),
        ]

    def conditioned(self, images, domains):
        """Images with `domains` broadcast as one-hot channels.

        Args:
            images: tensor `(batch, h, w, c)`.
            domains: integer tensor `(batch,)`.

        Returns:
            Tensor `(batch, h, w, c + num_domains)`, the generator's input.
        """
        codes = one_hot(domains, self.num_domains, images.dtype)
        planes = ops.ones_like(images[..., :1]) * codes[:, None, None, :]
        return ops.concatenate([images, planes], axis=-1)

    def _translate(self, images, domains, training):
        return self.generator(
            self.conditioned(images, domains), training=training
        )

    def _discriminate(self, images, training):
        scores, logits = self.discriminator(
            self.noisy(images, training), training=training
        )
        return scores, logits

    def _target_domains(self, images):
        return keras.random.randint(
            (ops.shape(images)[0],),
            0,
            self.num_domains,
            seed=self.seed_generator,
        )

    def discriminator_loss(self, data, training=True):
        """`(loss, logs)` of the discriminator on a batch."""
        images, domains = _split(data)
        targets = self._target_domains(images)
        fake = backend.without_gradient(
            self._translate, images, targets, training
        )
        real_scores, real_logits = self._discriminate(images, training)
        fake_scores, _ = self._discriminate(fake, training)
        classification = domain_classification_loss(real_logits, domains)
        loss = self.adversarial_loss.discriminator(real_scores, fake_scores)
        loss = loss + self.classification_weight * classification
        norm = ops.zeros(())
        if self.gradient_penalty:
            points = gan_losses.interpolate(images, fake, self.seed_generator)

            def critic(x):
                return self._discriminate(x, training)[0]

            norms = gan_losses.input_gradient_norm(critic, points)
            norm = ops.mean(norms)
            loss = loss + self.gradient_penalty * ops.mean(
                ops.square(norms - 1.0)
            )
        return loss, {
            "d_real": self.adversarial_loss.readable(real_scores),
            "d_fake": self.adversarial_loss.readable(fake_scores),
            "d_classification": classification,
            "gradient_norm": norm,
        }

    def generator_loss(self, data, training=True):
        """`(loss, {"adversarial", "classification", "reconstruction"})`."""
        images, domains = _split(data)
        targets = self._target_domains(images)
        fake = self._translate(images, targets, training)
        scores, logits = self._discriminate(fake, training)
        rebuilt = self._translate(self._cycle_input(fake), domains, training)
        terms = {
            "adversarial": self.adversarial_loss.generator(scores),
            "classification": domain_classification_loss(logits, targets),
            "reconstruction": translation.mean_absolute_error(rebuilt, images),
        }
        if self.identity_weight:
            same = self._translate(images, domains, training)
            terms["identity"] = translation.mean_absolute_error(same, images)
        if self.feature_extractor is not None:
            terms["content"] = self.content_loss(fake, images)
        return self.weighted_sum(terms)

    def content_loss(self, translations, images):
        """`mean|phi(translations) - phi(images)|` in the feature extractor's
        features (averaged over its outputs if it has several)."""
        return translation.feature_loss(
            self.feature_extractor,
            translations,
            images,
            translation.mean_absolute_error,
        )

    def _cycle_input(self, fake):
        """`fake` plus the cycle's Gaussian noise (none when 0)."""
        if not self.cycle_noise:
            return fake
        noise = keras.random.normal(ops.shape(fake), seed=self.seed_generator)
        return fake + self.cycle_noise * noise

    def _generator_terms(self):
        terms = ["adversarial", "classification", "reconstruction"]
        terms += ["identity"] * bool(self.identity_weight)
        return terms + ["content"] * (self.feature_extractor is not None)

    def call(self, inputs, training=False):
        """Translates `(images, target_domains)` with the generator."""
        images, domains = inputs
        return self._translate(images, domains, training)

    def translate(self, images, target_domains, batch_size=32):
        """Translates images into target domains (inference mode).

        Args:
            images: array `(num_images, h, w, c)`, values in [-1, 1].
            target_domains: an int (one domain for every image) or integers
                `(num_images,)` in `[0, num_domains)`.
            batch_size: images per generator call.

        Returns:
            NumPy array `(num_images, h, w, c)`.
        """
        images = translation.check_images(images, self.image_shape, "images")
        domains = np.asarray(target_domains)
        if domains.ndim == 0:
            domains = np.full(len(images), domains)
        domains = self.check_domains(domains, len(images), "target_domains")
        one_hot = np.eye(self.num_domains, dtype="float32")[domains]
        planes = np.broadcast_to(
            one_hot[:, None, None, :],
            (*images.shape[:3], self.num_domains),
        )
        return translation.translate(
            self.generator,
            np.concatenate([images, planes], axis=-1),
            (*self.image_shape[:2], self.image_shape[2] + self.num_domains),
            batch_size,
        )

    def check_domains(self, domains, num_images, name="domains"):
        """`domains` as int32 after checking shape, type and range.

        Args:
            domains: array of domain labels.
            num_images: the number of images they label.
            name: the argument's name, for the error message.

        Returns:
            NumPy int32 array `(num_images,)`.
        """
        return check_labels(
            domains, self.num_domains, name, num_samples=num_images
        )

    def sample(self, num_samples, seed, **kwargs):
        raise NotImplementedError(
            "StarGAN translates given images: call "
            "`translate(images, target_domains)`."
        )

    def fit(self, x=None, y=None, **kwargs):
        return super().fit(x, self._checked_labels(x, y), **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        return super().evaluate(x, self._checked_labels(x, y), **kwargs)

    def _checked_labels(self, x, y):
        if not is_array(x):
            return y
        if y is None:
            raise ValueError(
                "StarGAN trains on images and their domains: call "
                "`fit(images, domains)`."
            )
        return self.check_domains(y, len(x), "y")

    def check_inputs(self, x):
        translation.check_images(x, self.image_shape, "x")

    def check_predict_inputs(self, x):
        """`predict` takes `(images, target_domains)`."""
        if not isinstance(x, (tuple, list)) or len(x) != 2:
            raise ValueError(
                "StarGAN's `predict` takes `(images, target_domains)`: pass "
                "both, or call `translate(images, target_domains)`."
            )
        self.check_inputs(x[0])
        self.check_domains(x[1], len(x[0]), "target_domains")

    def get_config(self):
        config = super().get_config()
        del config["loss_weights"]
        return {
            **config,
            "generator": serialize_network(self.generator),
            "discriminator": serialize_network(self.discriminator),
            "num_domains": self.num_domains,
            "classification_weight": self.classification_weight,
            "reconstruction_weight": self.reconstruction_weight,
            "gradient_penalty": self.gradient_penalty,
            "discriminator_steps": self.discriminator_steps,
            "identity_weight": self.identity_weight,
            "cycle_noise": self.cycle_noise,
            "feature_extractor": serialize_network(self.feature_extractor),
            "content_weight": self.content_weight,
        }


def domain_classification_loss(logits, domains):
    """Mean softmax cross-entropy of domain `logits` for integer `domains`."""
    return ops.mean(
        keras.losses.sparse_categorical_crossentropy(
            ops.cast(domains, "int32"), logits, from_logits=True
        )
    )


def _split(data):
    if not isinstance(data, (tuple, list)) or len(data) < 2 or data[1] is None:
        raise ValueError(
            "StarGAN trains on images and their domains: call "
            "`fit(images, domains)` or pass a dataset yielding "
            "(images, domains) batches."
        )
    return data[0], data[1]
