"""CycleGAN: unpaired image-to-image translation."""

import keras

from kgen import backend
from kgen.layers.image_pool import ImagePool
from kgen.models.gan.adversarial_model import AdversarialModel
from kgen.models.phase import Phase
from kgen.models.translation import translation
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number

_DIRECTIONS = ("a_to_b", "b_to_a")


@keras.saving.register_keras_serializable(package="kgen")
class CycleGAN(AdversarialModel):
    """Unpaired translation between two image domains, A and B.

    Two generators, `G: A -> B` (`generator_ab`) and `F: B -> A`
    (`generator_ba`), and two discriminators, `D_A` on domain A and `D_B` on
    domain B, are trained on images of each domain that need not
    correspond. The generators minimise

    `adversarial(D_B(G(a))) + adversarial(D_A(F(b)))
    + cycle_weight * (|F(G(a)) - a| + |G(F(b)) - b|)
    + identity_weight * (|F(a) - a| + |G(b) - b|)`

    (absolute errors averaged over pixels) with the least-squares game by
    default; each discriminator minimises its loss on real images and on
    generated ones drawn from an image history (`kgen.layers.ImagePool`,
    `pool_size` images per domain, saved with the model). A `fit` step runs
    phase `"generators"` (both generators, one optimizer), which shares
    `G(a)` and `F(b)` with phase `"discriminators"` (both discriminators,
    one optimizer): the generators run forward once per step, as in the
    authors' code. For the paper's learning-rate schedule, constant then
    linearly decayed to 0, compile with `kgen.optimizers.LinearDecay`.

    Train with `fit(images_a, images_b)` (two arrays of equally many images,
    in [-1, 1], whose pairing is ignored; or a dataset of `(a, b)` batches).
    Logged: `generators_loss`, `discriminators_loss`, the terms
    `adversarial`, `cycle`, `identity`, and `d_real`, `d_fake` (mean
    scores of both discriminators).

    Reference: Zhu et al., "Unpaired Image-to-Image Translation using
    Cycle-Consistent Adversarial Networks", ICCV 2017.

    Args:
        generator_ab: functional `keras.Model` from A images to B images,
            e.g. `kgen.models.build_resnet_generator`.
        generator_ba: functional `keras.Model` from B images to A images.
        discriminator_a: `keras.Model` scoring A images (any score shape).
        discriminator_b: `keras.Model` scoring B images.
        cycle_weight: weight `lambda` of the cycle-consistency terms (10).
        identity_weight: weight of the identity terms (the paper's
            `0.5 * lambda = 5`; 0 to skip them, required when the domains
            have different channel counts).
        pool_size: int >= 0, images in each history pool (50; 0: none).
        loss: the adversarial game (`"least_squares"` in the paper).
        label_smoothing: one-sided label smoothing, in `[0, 1)`.
        instance_noise: standard deviation of Gaussian noise added to the
            discriminators' inputs in training.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    shape = (32, 32, 1)
    model = kgen.models.CycleGAN(
        kgen.models.build_resnet_generator(shape, num_blocks=6),
        kgen.models.build_resnet_generator(shape, num_blocks=6),
        kgen.models.build_patchgan_discriminator(shape),
        kgen.models.build_patchgan_discriminator(shape),
    )
    model.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    model.fit(thin_digits, thick_digits, batch_size=8, epochs=5)
    thick = model.translate(test_thin)  # A -> B
    ```
    """

    default_loss_weights = {"adversarial": 1.0, "cycle": 10.0, "identity": 5.0}

    def __init__(
        self,
        generator_ab,
        generator_ba,
        discriminator_a,
        discriminator_b,
        cycle_weight=10.0,
        identity_weight=5.0,
        pool_size=50,
        loss="least_squares",
        label_smoothing=0.0,
        instance_noise=0.0,
        seed=None,
        **kwargs,
    ):
        kwargs.pop("loss_weights", None)  # rebuilt from the two weights
        super().__init__(
            loss=loss,
            label_smoothing=label_smoothing,
            instance_noise=instance_noise,
            loss_weights={
                "cycle": check_number(cycle_weight, "cycle_weight", low=0),
                "identity": check_number(
                    identity_weight, "identity_weight", low=0
                ),
            },
            seed=seed,
            **kwargs,
        )
        self.generator_ab = deserialize_network(generator_ab, "generator_ab")
        self.generator_ba = deserialize_network(generator_ba, "generator_ba")
        self.discriminator_a = deserialize_network(
            discriminator_a, "discriminator_a"
        )
        self.discriminator_b = deserialize_network(
            discriminator_b, "discriminator_b"
        )
        self.shape_a = translation.image_shape(
            self.generator_ab, "generator_ab"
        )
        self.shape_b = translation.image_shape(
            self.generator_ba, "generator_ba"
        )
        self._check_networks()
        self.pool_size = check_integer(pool_size, "pool_size", minimum=0)
        self.pool_a = self.pool_b = None
        if self.pool_size:
            self.pool_a = ImagePool(self.pool_size, self.shape_a, name="pool_a")
            self.pool_b = ImagePool(self.pool_size, self.shape_b, name="pool_b")
        self.built = True

    def _check_networks(self):
        for name, network, expected in (
            ("generator_ab", self.generator_ab, self.shape_b),
            ("generator_ba", self.generator_ba, self.shape_a),
        ):
            received = tuple(network.outputs[0].shape[1:])
            if received != expected:
                raise ValueError(
                    f"`{name}` must output images of the other domain's shape "
                    f"{expected}. Received output shape {received}."
                )
        if self.loss_weights["identity"] and self.shape_a != self.shape_b:
            raise ValueError(
                "The identity loss feeds each generator images of its own "
                f"output domain, so it needs domains of one shape. Received "
                f"{self.shape_a} and {self.shape_b}. Set identity_weight=0."
            )

    @property
    def cycle_weight(self):
        """The weight of the cycle-consistency terms."""
        return self.loss_weights["cycle"]

    @property
    def identity_weight(self):
        """The weight of the identity terms."""
        return self.loss_weights["identity"]

    def build_phases(self):
        return [
            Phase(
                "generators",
                self.generators_loss,
                self.generator_ab.trainable_variables
                + self.generator_ba.trainable_variables,
                logs=("adversarial", "cycle", "identity"),
            ),
            Phase(
                "discriminators",
                self.discriminators_loss,
                self.discriminator_a.trainable_variables
                + self.discriminator_b.trainable_variables,
                logs=("d_real", "d_fake"),
            ),
        ]

    def generators_loss(self, data, training=True):
        """`(loss, {"adversarial", "cycle", "identity"})` on a batch."""
        real_a, real_b = _pair(data)
        fake_b = self.generator_ab(real_a, training=training)
        fake_a = self.generator_ba(real_b, training=training)
        self.share("fake_a", fake_a)
        self.share("fake_b", fake_b)
        adversarial = self.adversarial_loss.generator(
            self.discriminator_b(
                self.noisy(fake_b, training), training=training
            )
        ) + self.adversarial_loss.generator(
            self.discriminator_a(
                self.noisy(fake_a, training), training=training
            )
        )
        mae = translation.mean_absolute_error
        cycle = mae(self.generator_ba(fake_b, training=training), real_a) + mae(
            self.generator_ab(fake_a, training=training), real_b
        )
        identity = 0.0
        if self.identity_weight:
            identity = mae(
                self.generator_ba(real_a, training=training), real_a
            ) + mae(self.generator_ab(real_b, training=training), real_b)
        return self.weighted_sum(
            {"adversarial": adversarial, "cycle": cycle, "identity": identity}
        )

    def discriminators_loss(self, data, training=True):
        """`(loss, {"d_real", "d_fake"})`: both discriminators on a batch."""
        real_a, real_b = _pair(data)
        fake_a, fake_b = self.shared("fake_a"), self.shared("fake_b")
        if fake_a is None:
            fake_b = backend.without_gradient(
                self.generator_ab, real_a, training=training
            )
            fake_a = backend.without_gradient(
                self.generator_ba, real_b, training=training
            )
        if training and self.pool_size:
            fake_a = self.pool_a(fake_a, seed=self.seed_generator)
            fake_b = self.pool_b(fake_b, seed=self.seed_generator)
        loss, logs = 0.0, {"d_real": 0.0, "d_fake": 0.0}
        for discriminator, real, fake in (
            (self.discriminator_a, real_a, fake_a),
            (self.discriminator_b, real_b, fake_b),
        ):
            real_scores = discriminator(
                self.noisy(real, training), training=training
            )
            fake_scores = discriminator(
                self.noisy(fake, training), training=training
            )
            loss = loss + self.adversarial_loss.discriminator(
                real_scores, fake_scores
            )
            logs["d_real"] += 0.5 * self.adversarial_loss.readable(real_scores)
            logs["d_fake"] += 0.5 * self.adversarial_loss.readable(fake_scores)
        return loss, logs

    def call(self, inputs, training=False):
        """Translates domain-A images to domain B."""
        return self.generator_ab(inputs, training=training)

    def translate(self, images, direction="a_to_b", batch_size=32):
        """Translates images from one domain to the other (inference mode).

        Args:
            images: array of images of the source domain, values in [-1, 1].
            direction: `"a_to_b"` (with `G`) or `"b_to_a"` (with `F`).
            batch_size: images per generator call.

        Returns:
            NumPy array of images of the other domain.
        """
        check_choice(direction, "direction", _DIRECTIONS)
        if direction == "a_to_b":
            network, shape = self.generator_ab, self.shape_a
        else:
            network, shape = self.generator_ba, self.shape_b
        return translation.translate(network, images, shape, batch_size)

    def sample(self, num_samples, seed, **kwargs):
        raise NotImplementedError(
            "CycleGAN translates given images: call `translate(images)`."
        )

    def fit(self, x=None, y=None, **kwargs):
        translation.check_images(y, self.shape_b, "y")
        return super().fit(x, y, **kwargs)

    def check_inputs(self, x):
        translation.check_images(x, self.shape_a, "x")

    def get_config(self):
        config = super().get_config()
        del config["loss_weights"]
        return {
            **config,
            "generator_ab": serialize_network(self.generator_ab),
            "generator_ba": serialize_network(self.generator_ba),
            "discriminator_a": serialize_network(self.discriminator_a),
            "discriminator_b": serialize_network(self.discriminator_b),
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
        }


def _pair(data):
    if not isinstance(data, (tuple, list)) or len(data) < 2 or data[1] is None:
        raise ValueError(
            "CycleGAN trains on images of both domains: call "
            "`fit(images_a, images_b)` or pass a dataset yielding (a, b) "
            "batches."
        )
    return data[0], data[1]
