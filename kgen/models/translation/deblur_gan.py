"""DeblurGAN: blind motion deblurring with a WGAN-GP critic."""

import keras
from keras import ops

from kgen import backend
from kgen.losses import gan_losses
from kgen.models.gan.adversarial_model import AdversarialModel
from kgen.models.phase import Phase
from kgen.models.translation import translation
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_bool
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array


@keras.saving.register_keras_serializable(package="kgen")
class DeblurGAN(AdversarialModel):
    """Blind deblurring: a residual generator, a WGAN-GP critic, a content loss.

    The generator `G` (a ResNet-block network, e.g.
    `kgen.models.build_resnet_generator`) restores a blurred image `x`;
    with `residual=True` (the paper's global skip connection) it predicts a
    correction added to its input, and the restored image is
    `clip(x + G(x), -1, 1)`; build it with
    `build_resnet_generator(..., zero_output=True)` (its last layer zeroed)
    to start training exactly at the identity. The critic `D` scores sharp
    and restored images alone (it is not conditioned on the blurred
    input), one score per patch (PatchGAN). The critic minimises the
    Wasserstein loss plus a WGAN-GP penalty
    (`kgen.losses.gradient_penalty`, weight `gradient_penalty`) at
    random interpolates of sharp and restored images, the critic's score
    of an image being the mean of its patch scores (the penalty is a
    training regulariser: `evaluate` reports the critic's loss without
    it); the generator minimises

    `adversarial(D(restored)) + content_weight * mean((phi(restored) -
    phi(sharp))^2)`

    (or, with `content_metric="log_mse"`, the mean over images of
    `10 log10` of each image's mean squared difference), where `phi` is
    `feature_extractor` (the paper: VGG-19 up to conv3_3,
    `content_weight = 100`). Pretrained VGG weights cannot be downloaded
    everywhere, so by default `phi` is the identity: a pixel (MSE) content
    loss. Each `fit` step runs phase `"critic"` `critic_steps` times (5 in
    the paper) on restorations computed once per step (shared between the
    critic's repeats with `PhasedModel.share`), then phase `"generator"`
    once, as in the authors' code.

    Train with `fit(blurred, sharp)`, images in [-1, 1] (e.g.
    `kgen.datasets.motion_blur_pairs`). Logged: `critic_loss`,
    `generator_loss`, the generator's terms `adversarial` and `content`,
    and `d_real`, `d_fake` (mean critic scores).

    Reference: Kupyn et al., "DeblurGAN: Blind Motion Deblurring Using
    Conditional Adversarial Networks", CVPR 2018; Gulrajani et al.,
    "Improved Training of Wasserstein GANs", NeurIPS 2017.

    Args:
        generator: functional `keras.Model` from blurred images to images
            of the same shape (the correction when `residual=True`).
        critic: `keras.Model` scoring images of that shape (any score
            shape, e.g. `kgen.models.build_patchgan_discriminator`).
        content_weight: weight of the content loss (100 in the paper).
        gradient_penalty: weight of the WGAN-GP penalty (10; 0 for none).
        critic_steps: int >= 1, critic updates per generator update (5).
        residual: whether the generator's output is added to its input.
        feature_extractor: `None` (pixel content loss) or a Keras model
            taking images of the generator's shape in [-1, 1] (wrap any
            preprocessing, e.g. VGG's, inside it) and returning features
            (a tensor or a list of tensors, whose mean squared differences
            are averaged). It is frozen (`trainable = False`) and saved
            with the model.
        content_metric: `"mse"` (the paper's: the mean squared feature
            difference over the batch) or `"log_mse"`: the mean over the
            images of `10 * log10(mse_i + 1e-8)`, `mse_i` image `i`'s mean
            squared feature difference — minus its PSNR up to a constant
            with pixel features, so every image counts by its relative
            error and smooth images are not drowned by textured ones. Its
            gradient is `4.34 / mse_i` times the MSE's: scale
            `content_weight` down accordingly (about 1/1000).
        loss: the adversarial game (`"wasserstein"` in the paper); see
            `kgen.losses.AdversarialLoss`.
        instance_noise: standard deviation of Gaussian noise added to the
            critic's inputs in training.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    (blurred, sharp, _), (test_blurred, _, _) = (
        kgen.datasets.motion_blur_pairs(patch_size=32, scale=0.5)
    )
    model = kgen.models.DeblurGAN(
        kgen.models.build_resnet_generator((32, 32, 3), num_blocks=6),
        kgen.models.build_patchgan_discriminator((32, 32, 3)),
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5))
    model.fit(blurred, sharp, batch_size=16, epochs=10)
    restored = model.deblur(test_blurred)
    ```
    """

    default_loss_weights = {"adversarial": 1.0, "content": 100.0}

    def __init__(
        self,
        generator,
        critic,
        content_weight=100.0,
        gradient_penalty=10.0,
        critic_steps=5,
        residual=True,
        feature_extractor=None,
        content_metric="mse",
        loss="wasserstein",
        instance_noise=0.0,
        seed=None,
        **kwargs,
    ):
        kwargs.pop("loss_weights", None)  # rebuilt from content_weight
        kwargs.pop("label_smoothing", None)  # not for a Wasserstein critic
        super().__init__(
            loss=loss,
            instance_noise=instance_noise,
            loss_weights={
                "content": check_number(content_weight, "content_weight", low=0)
            },
            seed=seed,
            **kwargs,
        )
        self.gradient_penalty = check_number(
            gradient_penalty, "gradient_penalty", low=0
        )
        self.critic_steps = check_integer(critic_steps, "critic_steps")
        self.residual = check_bool(residual, "residual")
        check_choice(content_metric, "content_metric", CONTENT_METRICS)
        self.content_metric = content_metric
        self.generator = deserialize_network(generator, "generator")
        self.critic = deserialize_network(critic, "critic")
        self.image_shape = translation.image_shape(self.generator, "generator")
        self._check_networks()
        self.feature_extractor = translation.fixed_feature_extractor(
            feature_extractor, self.image_shape
        )
        self.built = True

    def _check_networks(self):
        received = tuple(self.generator.outputs[0].shape[1:])
        if received != self.image_shape:
            raise ValueError(
                "The generator restores images of the shape it takes, so its "
                f"output shape must be {self.image_shape}. Received output "
                f"shape {received}."
            )
        received = translation.image_shape(self.critic, "critic")
        if received != self.image_shape:
            raise ValueError(
                f"The critic scores restored images, so it must take images "
                f"of shape {self.image_shape}. Received input shape "
                f"{received}. Build it with "
                f"`build_patchgan_discriminator({self.image_shape})`."
            )

    @property
    def content_weight(self):
        """The weight of the content loss."""
        return self.loss_weights["content"]

    def build_phases(self):
        return [
            Phase(
                "critic",
                self.critic_loss,
                self.critic,
                repeats=self.critic_steps,
                logs=("d_real", "d_fake"),
            ),
            Phase(
                "generator",
                self.generator_loss,
                self.generator,
                logs=("adversarial", "content"),
            ),
        ]

    def restore(self, blurred, training=False):
        """The restored images: `clip(x + G(x), -1, 1)` or `G(x)`."""
        output = self.generator(blurred, training=training)
        if not self.residual:
            return output
        return ops.clip(blurred + output, -1.0, 1.0)

    def critic_loss(self, data, training=True):
        """`(loss, {"d_real": ..., "d_fake": ...})` on a batch."""
        blurred, sharp = _pair(data)
        restored = self.shared("restored")
        if restored is None:
            restored = backend.without_gradient(
                self.restore, blurred, training=training
            )
            self.share("restored", restored)
        real_scores = self.critic(
            self.noisy(sharp, training), training=training
        )
        fake_scores = self.critic(
            self.noisy(restored, training), training=training
        )
        loss = self.adversarial_loss.discriminator(real_scores, fake_scores)
        if self.gradient_penalty and training:
            points = gan_losses.interpolate(
                sharp, restored, self.seed_generator
            )
            loss = loss + self.gradient_penalty * gan_losses.gradient_penalty(
                lambda x: _image_scores(self.critic(x, training=training)),
                points,
            )
        return loss, {
            "d_real": self.adversarial_loss.readable(real_scores),
            "d_fake": self.adversarial_loss.readable(fake_scores),
        }

    def generator_loss(self, data, training=True):
        """`(loss, {"adversarial": ..., "content": ...})` on a batch."""
        blurred, sharp = _pair(data)
        restored = self.restore(blurred, training=training)
        scores = self.critic(self.noisy(restored, training), training=training)
        return self.weighted_sum(
            {
                "adversarial": self.adversarial_loss.generator(scores),
                "content": self.content_loss(restored, sharp),
            }
        )

    def content_loss(self, restored, sharp):
        """The content loss of two image batches (`content_metric`).

        The mean squared difference of their features, or the mean over
        the images of `10 log10` of each image's; the features are the
        pixels themselves without a `feature_extractor`; a list of feature
        maps gets the mean of their losses.
        """
        return translation.feature_loss(
            self.feature_extractor, restored, sharp, self._content_term
        )

    def _content_term(self, a, b):
        if self.content_metric == "mse":
            return ops.mean(ops.square(a - b))
        axes = tuple(range(1, len(a.shape)))
        per_image = ops.mean(ops.square(a - b), axis=axes)
        return ops.mean(10.0 * ops.log10(per_image + 1e-8))

    def call(self, inputs, training=False):
        """Restores blurred images."""
        return self.restore(inputs, training=training)

    def translate(self, images, batch_size=32):
        """Restores blurred images (inference mode).

        Args:
            images: array `(num_images, *image_shape)`, values in [-1, 1].
            batch_size: images per generator call.

        Returns:
            NumPy array of the restored images, the same shape.
        """
        return translation.translate(self, images, self.image_shape, batch_size)

    def deblur(self, images, batch_size=32):
        """Restores blurred images; the same as `translate`."""
        return self.translate(images, batch_size)

    def sample(self, num_samples, seed, **kwargs):
        raise NotImplementedError(
            "DeblurGAN restores given images: call `deblur(images)`."
        )

    def fit(self, x=None, y=None, **kwargs):
        translation.check_images(y, self.image_shape, "y")
        if is_array(x) and y is None:
            raise ValueError(
                "DeblurGAN trains on pairs: call `fit(blurred, sharp)`."
            )
        return super().fit(x, y, **kwargs)

    def check_inputs(self, x):
        translation.check_images(x, self.image_shape, "x")

    def get_config(self):
        config = super().get_config()
        del config["loss_weights"], config["label_smoothing"]
        return {
            **config,
            "generator": serialize_network(self.generator),
            "critic": serialize_network(self.critic),
            "content_weight": self.content_weight,
            "gradient_penalty": self.gradient_penalty,
            "critic_steps": self.critic_steps,
            "residual": self.residual,
            "content_metric": self.content_metric,
            "feature_extractor": serialize_network(self.feature_extractor),
        }


CONTENT_METRICS = ("mse", "log_mse")


def _image_scores(scores):
    """One critic score per image: the mean of its patch scores."""
    per_scale = [
        ops.mean(s, axis=tuple(range(1, len(s.shape))))
        for s in _as_list(scores)
    ]
    return sum(per_scale) / len(per_scale)


def _as_list(values):
    return list(values) if isinstance(values, (list, tuple)) else [values]


def _pair(data):
    if not isinstance(data, (tuple, list)) or len(data) < 2 or data[1] is None:
        raise ValueError(
            "DeblurGAN trains on (blurred, sharp) pairs: call `fit(blurred, "
            "sharp)` or pass a dataset yielding pairs."
        )
    return data[0], data[1]
