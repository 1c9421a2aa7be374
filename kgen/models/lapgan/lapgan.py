"""LAPGAN: a Laplacian pyramid of adversarial networks (Denton et al.)."""

import functools

import keras
from keras import ops

from kgen import backend
from kgen.models.gan.adversarial_model import AdversarialModel
from kgen.models.phase import Phase
from kgen.utils.pyramid import build_gaussian_pyramid
from kgen.utils.pyramid import pyramid_up
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import is_array


@keras.saving.register_keras_serializable(package="kgen")
class LAPGAN(AdversarialModel):
    """Laplacian pyramid GAN: images generated coarse to fine.

    An image `I_0` is seen through its Gaussian pyramid `I_{k+1} =
    down(I_k)` (`kgen.utils.build_gaussian_pyramid`). Level `K = levels - 1`
    is a plain GAN on the coarsest image `I_K`. Every finer level `k < K`
    is a conditional GAN whose generator draws the band-pass residual
    `h_k = I_k - up(I_{k+1})` given the upsampled coarser image
    `l_k = up(I_{k+1})` and a noise input, and whose discriminator scores
    `(h_k, l_k)` pairs. Sampling runs coarse to fine: `I_K = G_K(z)`, then
    `I_k = l_k + G_k(noise_k, l_k)` with `l_k = up(I_k+1)`.

    **Design: one model, one phase pair per level.** The levels never
    depend on each other in training: level `k` is conditioned on the
    *real* coarser image of the batch, as in the paper, so all levels can
    learn from the same batch at once. `LAPGAN` is one `fit`-able model
    whose training step runs, for each level from coarse to fine, the
    phases `"discriminator_<k>"` (repeated `discriminator_steps` times) and
    `"generator_<k>"`, each with its own optimizer (`compile(optimizer=
    {...})` names them, or one optimizer is copied for all). One model
    keeps the levels' optimizers, random stream and pyramid settings in one
    `.keras` file, one `fit` call and one set of callbacks, and `generate`
    needs all levels anyway; training levels separately remains possible
    by freezing the others (`trainable = False`). Level indices follow the
    paper: 0 is the full size, `levels - 1` the coarsest.

    Logged during `fit`: `discriminator_<k>_loss` and `generator_<k>_loss`
    for every level.

    Reference: Denton et al., "Deep Generative Image Models using a
    Laplacian Pyramid of Adversarial Networks", NeurIPS 2015.

    Args:
        generators: list of `levels` `keras.Model`s, finest first. The last
            one maps latent vectors `(batch, latent_dim)` to coarse images;
            each other one, at level `k`, maps `[noise, condition]` to a
            residual of the condition's shape (`(batch, H / 2^k, W / 2^k,
            C)`); its noise shape is read from its first input (see
            `kgen.models.build_lapgan_generator`).
        discriminators: list of `levels` `keras.Model`s, finest first. The
            last one scores coarse images; each other one scores
            `[residual, condition]` pairs (see
            `kgen.models.build_lapgan_discriminator`).
        latent_dim: int >= 1, size of the coarsest level's latent vector.
        pyramid_method: `"gaussian"` (binomial blur, as in the paper) or
            `"average"` (2x2 averages and pixel repetition); see
            `kgen.utils.pyramid`.
        loss: the adversarial game, see `kgen.losses.AdversarialLoss`.
        discriminator_steps: int >= 1, discriminator updates per generator
            update at every level.
        label_smoothing: one-sided label smoothing, in `[0, 1)`.
        instance_noise: standard deviation of Gaussian noise added to the
            discriminators' sample inputs in training.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    (x, _), _ = kgen.datasets.load_digits()  # (n, 8, 8, 1) in [0, 1]
    lapgan = kgen.models.LAPGAN(
        generators=[
            kgen.models.build_lapgan_generator((8, 8, 1), filters=16),
            kgen.models.build_mlp_generator(8, (4, 4, 1), (64,)),
        ],
        discriminators=[
            kgen.models.build_lapgan_discriminator((8, 8, 1), filters=16),
            kgen.models.build_mlp_discriminator((4, 4, 1), (64,)),
        ],
        latent_dim=8,
        seed=0,
    )
    lapgan.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    lapgan.fit(x, batch_size=64, epochs=2)
    images, levels = lapgan.generate(16, seed=0, return_levels=True)
    ```
    """

    def __init__(
        self,
        generators,
        discriminators,
        latent_dim,
        pyramid_method="gaussian",
        loss="non_saturating",
        discriminator_steps=1,
        label_smoothing=0.0,
        instance_noise=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            loss=loss,
            label_smoothing=label_smoothing,
            instance_noise=instance_noise,
            seed=seed,
            **kwargs,
        )
        self.generators = _networks(generators, "generators")
        self.discriminators = _networks(discriminators, "discriminators")
        if len(self.generators) != len(self.discriminators):
            raise ValueError(
                "LAPGAN needs one generator and one discriminator per level. "
                f"Received {len(self.generators)} generators and "
                f"{len(self.discriminators)} discriminators."
            )
        self.levels = len(self.generators)
        self.latent_dim = check_integer(latent_dim, "latent_dim")
        if pyramid_method not in ("gaussian", "average"):
            raise ValueError(
                "`pyramid_method` must be 'gaussian' or 'average'. "
                f"Received: pyramid_method={pyramid_method!r}."
            )
        self.pyramid_method = pyramid_method
        self.discriminator_steps = check_integer(
            discriminator_steps, "discriminator_steps"
        )
        self.image_shape, self.noise_shapes = self._check_networks()
        self.built = True

    # ---------------------------------------------------------------- phases

    def build_phases(self):
        phases = []
        for level in reversed(range(self.levels)):
            phases += [
                Phase(
                    f"discriminator_{level}",
                    functools.partial(self.discriminator_loss, level),
                    self.discriminators[level],
                    repeats=self.discriminator_steps,
                ),
                Phase(
                    f"generator_{level}",
                    functools.partial(self.generator_loss, level),
                    self.generators[level],
                ),
            ]
        return phases

    def level_data(self, images, level):
        """`(target, condition)` of a level for a batch of real images.

        The target is the band-pass residual `h_k` (the coarse image at the
        last level) and the condition the upsampled coarser image `l_k`
        (`None` at the last level).
        """
        if level == self.levels - 1:
            coarse = build_gaussian_pyramid(
                images, self.levels, self.pyramid_method
            )[-1]
            return coarse, None
        fine, coarse = build_gaussian_pyramid(
            images, level + 2, self.pyramid_method
        )[-2:]
        condition = pyramid_up(coarse, self.pyramid_method)
        return fine - condition, condition

    def discriminator_loss(self, level, data, training=True):
        """The discriminator loss of one level on a batch of images."""
        target, condition = self.level_data(_images(data), level)
        fake = backend.without_gradient(
            self._generate_level,
            level,
            condition,
            ops.shape(target)[0],
            self.seed_generator,
            training,
        )
        return self.adversarial_loss.discriminator(
            self._discriminate(level, target, condition, training),
            self._discriminate(level, fake, condition, training),
        )

    def generator_loss(self, level, data, training=True):
        """The generator loss of one level on a batch of images."""
        target, condition = self.level_data(_images(data), level)
        fake = self._generate_level(
            level,
            condition,
            ops.shape(target)[0],
            self.seed_generator,
            training,
        )
        return self.adversarial_loss.generator(
            self._discriminate(level, fake, condition, training)
        )

    def _generate_level(self, level, condition, num_samples, seed, training):
        """A level's output: coarse images, or residuals given `condition`."""
        generator = self.generators[level]
        if condition is None:
            z = keras.random.normal((num_samples, self.latent_dim), seed=seed)
            return generator(z, training=training)
        noise = keras.random.normal(
            (num_samples, *self.noise_shapes[level]), seed=seed
        )
        return generator([noise, condition], training=training)

    def _discriminate(self, level, samples, condition, training):
        discriminator = self.discriminators[level]
        samples = self.noisy(samples, training)
        if condition is None:
            return discriminator(samples, training=training)
        return discriminator([samples, condition], training=training)

    # ------------------------------------------------------------ generation

    def call(self, z, training=False):
        """Images from coarsest-level latent vectors `z` (fresh noise)."""
        return self._sample_levels(z, self.seed_generator, training)[0]

    def _sample_levels(self, z, seed, training=False):
        images = self.generators[-1](z, training=training)
        levels = [images]
        for level in reversed(range(self.levels - 1)):
            condition = pyramid_up(images, self.pyramid_method)
            images = condition + self._generate_level(
                level, condition, ops.shape(z)[0], seed, training
            )
            levels.insert(0, images)
        return levels

    def sample(self, num_samples, seed, return_levels=False):
        """Generated images as backend tensors (see `generate`)."""
        z = keras.random.normal((num_samples, self.latent_dim), seed=seed)
        levels = self._sample_levels(z, seed)
        return levels if return_levels else levels[0]

    def generate(
        self, num_samples, *, labels=None, seed=None, return_levels=False
    ):
        """Draws images coarse to fine.

        Args:
            num_samples: int >= 1.
            labels: must be `None` (a LAPGAN is unconditional).
            seed: int for a reproducible draw, or `None` to advance the
                model's own random stream.
            return_levels: also return the images at every level.

        Returns:
            NumPy array `(num_samples, *image_shape)`; with
            `return_levels=True`, the pair `(images, levels)`, `levels` a
            list of `levels` arrays, finest first (`levels[0]` is
            `images`), each the sum of the coarser level's upsampling and
            the residual drawn at that level. Values are not clipped.
        """
        levels = super().generate(
            num_samples, labels=labels, seed=seed, return_levels=True
        )
        return (levels[0], levels) if return_levels else levels[0]

    # ---------------------------------------------------------------- checks

    def check_inputs(self, x):
        if is_array(x):
            check_array(x, "x", feature_shape=self.image_shape)

    def check_predict_inputs(self, x):
        """`predict` maps coarsest-level latent vectors to images."""
        if is_array(x):
            check_array(x, "x", feature_shape=(self.latent_dim,))

    def _check_networks(self):
        """The image shape and each level's noise shape, after checks."""
        coarse = _symbolic(
            "coarsest generator",
            self.generators[-1],
            keras.KerasTensor((None, self.latent_dim)),
        )
        if len(coarse.shape) != 4:
            raise ValueError(
                "The last (coarsest) generator must return images (batch, "
                f"height, width, channels). Received {tuple(coarse.shape)}."
            )
        scale = 2 ** (self.levels - 1)
        height, width, channels = coarse.shape[1:]
        image_shape = (height * scale, width * scale, channels)
        _symbolic("coarsest discriminator", self.discriminators[-1], coarse)
        noise_shapes = []
        for level in range(self.levels - 1):
            shape = (height * 2 ** (self.levels - 1 - level),) + (
                width * 2 ** (self.levels - 1 - level),
                channels,
            )
            noise_shapes.append(self._check_level(level, shape))
        return image_shape, noise_shapes

    def _check_level(self, level, shape):
        generator = self.generators[level]
        inputs = getattr(generator, "inputs", None) or []
        if len(inputs) != 2:
            raise ValueError(
                f"generators[{level}] must be a functional model with two "
                "inputs, [noise, condition] (e.g. "
                "`kgen.models.build_lapgan_generator`)."
            )
        noise = tuple(inputs[0].shape[1:])
        condition = keras.KerasTensor((None, *shape))
        residual = _symbolic(
            f"generators[{level}]",
            generator,
            [keras.KerasTensor((None, *noise)), condition],
        )
        if tuple(residual.shape[1:]) != shape:
            raise ValueError(
                f"generators[{level}] must return residuals of the level's "
                f"shape {shape} (the coarsest image doubled "
                f"{self.levels - 1 - level} times). Received "
                f"{tuple(residual.shape[1:])}."
            )
        _symbolic(
            f"discriminators[{level}]",
            self.discriminators[level],
            [residual, condition],
        )
        return noise

    def get_config(self):
        return {
            **super().get_config(),
            "generators": [serialize_network(g) for g in self.generators],
            "discriminators": [
                serialize_network(d) for d in self.discriminators
            ],
            "latent_dim": self.latent_dim,
            "pyramid_method": self.pyramid_method,
            "discriminator_steps": self.discriminator_steps,
        }


def _networks(networks, name):
    if not isinstance(networks, (list, tuple)) or not networks:
        raise ValueError(
            f"`{name}` must be a non-empty list of Keras models, finest "
            f"level first. Received: {networks!r}."
        )
    return [
        deserialize_network(network, f"{name}[{i}]")
        for i, network in enumerate(networks)
    ]


def _images(data):
    return data[0] if isinstance(data, (tuple, list)) else data


def _symbolic(name, network, inputs):
    try:
        return network(inputs)
    except Exception as error:  # Keras raises many types here.
        tensors = inputs if isinstance(inputs, list) else [inputs]
        shapes = [tuple(t.shape) for t in tensors]
        raise ValueError(
            f"The {name} could not be called on inputs of shapes {shapes}: "
            f"{error}"
        ) from error
