"""StyleGAN2 trained with `fit` on every backend."""

import keras
import numpy as np
from keras import ops

from kgen.models.gan.gan import GAN
from kgen.models.generative_model import GenerativeModel
from kgen.models.style_gan.style_generator import StyleGenerator
from kgen.utils.binary import bernoulli
from kgen.utils.serialization import deserialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class StyleGAN(GAN):
    """StyleGAN2: a style-based generator against a residual discriminator.

    The generator (`kgen.models.StyleGenerator`) maps a latent vector `z`
    through a mapping network to a style `w` that modulates every layer of
    a synthesis network grown from a learned constant, with per-pixel noise
    at every layer. Training is `kgen.models.GAN`'s alternation (one
    discriminator update, then one generator update, each with its own
    optimizer) with StyleGAN2's choices:

    - the non-saturating loss (`loss`), and R1 on real images with lazy
      regularisation: `r1_penalty * R1` evaluated every `penalty_interval`
      steps and multiplied by `penalty_interval`;
    - style mixing regularisation: with probability `style_mixing` a
      sample's styles switch at a random layer from the style of one latent
      vector to that of another, so that neighbouring layers' styles do not
      become correlated;
    - the tracked average style `w_avg` (`generator.style_average`, a
      non-trainable weight saved with the model):
      `w_avg <- mean(w) + style_average_decay * (w_avg - mean(w))` after
      every step, over the styles of the step's generated samples; it is
      the centre of the truncation trick;
    - optionally an exponential moving average of the generator's weights
      (`ema_decay`), which `generate` and `mix_styles` then use.

    Logged during `fit`: as `kgen.models.GAN`.

    Reference: Karras et al., "A Style-Based Generator Architecture for
    Generative Adversarial Networks", CVPR 2019; Karras et al., "Analyzing
    and Improving the Image Quality of StyleGAN", CVPR 2020.

    Args:
        generator: a `kgen.models.StyleGenerator` (e.g. from
            `kgen.models.build_style_generator`).
        discriminator: a `keras.Model` from images to raw scores, e.g.
            `kgen.models.build_style_discriminator`.
        style_mixing: probability in [0, 1] of mixing two latents' styles in
            a training sample.
        style_average_decay: float in [0, 1), decay of the tracked `w_avg`.
        r1_penalty: weight `gamma / 2` of the R1 penalty, 0 for none.
        penalty_interval: int >= 1, R1 every this many steps (lazy).
        ema_decay: decay in [0, 1) of the generator's weight average, or
            `None`.
        seed: int or `None`, seed of the model's random stream (latents,
            mixing, noise).
        **kwargs: other `kgen.models.GAN` arguments (`loss`,
            `discriminator_steps`, `label_smoothing`, `instance_noise`,
            `name`, ...).

    Example:

    ```python
    gan = kgen.models.StyleGAN(
        kgen.models.build_style_generator(
            32, (32, 32, 1), filters=32, mapping_layers=4
        ),
        kgen.models.build_style_discriminator((32, 32, 1), filters=32),
        seed=0,
    )
    gan.compile(optimizer=keras.optimizers.Adam(2e-3, beta_1=0.0, beta_2=0.99))
    gan.fit(images, batch_size=32, epochs=1)  # images in [-1, 1]
    samples = gan.generate(16, truncation=0.7, seed=0)
    ```
    """

    def __init__(
        self,
        generator,
        discriminator,
        style_mixing=0.9,
        style_average_decay=0.995,
        r1_penalty=0.05,
        penalty_interval=16,
        ema_decay=None,
        seed=None,
        **kwargs,
    ):
        generator = deserialize_network(generator, "generator")
        if not isinstance(generator, StyleGenerator):
            raise ValueError(
                "`generator` must be a `kgen.models.StyleGenerator`, e.g. "
                "from `kgen.models.build_style_generator`. Received "
                f"{type(generator).__name__}."
            )
        latent_dim = kwargs.pop("latent_dim", generator.latent_dim)
        if latent_dim != generator.latent_dim:
            raise ValueError(
                f"`latent_dim` ({latent_dim}) differs from the generator's "
                f"({generator.latent_dim}). Leave it out: StyleGAN reads it "
                "from the generator."
            )
        self.style_mixing = check_number(
            style_mixing, "style_mixing", low=0, high=1
        )
        self.style_average_decay = check_number(
            style_average_decay,
            "style_average_decay",
            high=1.0,
            low=0,
            high_open=True,
        )
        super().__init__(
            generator,
            discriminator,
            latent_dim=latent_dim,
            r1_penalty=r1_penalty,
            penalty_interval=penalty_interval,
            ema_decay=ema_decay,
            seed=seed,
            **kwargs,
        )

    @property
    def num_styles(self):
        """The number of styles (synthesis layers) of the generator."""
        return self.generator.num_styles

    # ----------------------------------------------------------- training

    def _generate(self, z, labels, training, generator=None):
        if generator is not None or not training:
            return (generator or self.generator)(
                z, training=training, seed=self.seed_generator
            )
        styles = self.generator.styles(self._mixed_latents(z), training=True)
        self.share("style_mean", ops.mean(styles, axis=(0, 1)))
        return self.generator.synthesis(
            styles, training=True, noise=True, seed=self.seed_generator
        )

    def _mixed_latents(self, z):
        """Per-layer latents: `z`, or a second latent from a random layer."""
        if not self.style_mixing or self.num_styles == 1:
            return z
        batch = ops.shape(z)[0]
        other = self._latent(batch, self.seed_generator)
        crossover = keras.random.randint(
            (batch, 1, 1), 1, self.num_styles, seed=self.seed_generator
        )
        probability = ops.full((batch, 1, 1), self.style_mixing)
        mixed = bernoulli(probability, self.seed_generator) > 0
        crossover = ops.where(mixed, crossover, self.num_styles)
        layers = ops.arange(self.num_styles)[None, :, None]
        return ops.where(layers < crossover, z[:, None], other[:, None])

    def after_train_step(self):
        mean = self.shared("style_mean")
        if mean is not None:
            average = self.generator.style_average
            decay = self.style_average_decay
            average.assign(mean + decay * (average - mean))
        super().after_train_step()

    # --------------------------------------------------------- generation

    def sample(
        self, num_samples, seed, labels=None, truncation=1.0, noise=True
    ):
        """Generated images as a backend tensor (see `generate`)."""
        self._condition(num_samples, labels)
        z = self._latent(num_samples, seed)
        return self.sampling_generator(
            z, truncation=truncation, noise=noise, seed=seed
        )

    def generate(
        self, num_samples, *, labels=None, seed=None, truncation=1.0, noise=True
    ):
        """Draws `num_samples` images, with the truncation trick.

        Args:
            num_samples: int >= 1.
            labels: conditional models only: one class id for every
                sample, or one per sample.
            seed: int for a reproducible draw (latents and noise), or `None`
                to advance the model's own random stream.
            truncation: `psi` in [0, 1]: every style is moved to
                `w_avg + psi * (w - w_avg)`; 1 leaves it, 0 gives the
                average style (one image, up to noise), values between trade
                diversity for typical-looking images.
            noise: `False` for noise-free images.

        Returns:
            NumPy array `(num_samples, size, size, channels)`.
        """
        return GenerativeModel.generate(
            self,
            num_samples,
            labels=labels,
            seed=seed,
            truncation=_check_truncation(truncation),
            noise=bool(noise),
        )

    def mix_styles(
        self,
        source_a,
        source_b,
        crossover_layer,
        truncation=1.0,
        seed=None,
        noise=True,
    ):
        """Images with coarse styles from `source_a`, the rest from `source_b`.

        Synthesis layers `0 .. crossover_layer - 1` (the coarse ones: pose,
        shape) take the styles of the latents `source_a`, layers
        `crossover_layer .. num_styles - 1` (finer: stroke width, texture)
        those of `source_b`; `crossover_layer = num_styles` gives `source_a`'s
        images, 0 those of `source_b`.

        Args:
            source_a: latents `(num_samples, latent_dim)`.
            source_b: latents of the same shape.
            crossover_layer: int in `[0, num_styles]`.
            truncation: `psi` in [0, 1], as in `generate`.
            seed: int or `None`, for the noise.
            noise: `False` for noise-free images.

        Returns:
            NumPy array `(num_samples, size, size, channels)`.
        """
        shape = (self.latent_dim,)
        a = check_array(source_a, "source_a", feature_shape=shape)
        b = check_array(source_b, "source_b", feature_shape=shape)
        if a.shape != b.shape:
            raise ValueError(
                "`source_a` and `source_b` must have the same shape (one "
                f"latent pair per image). Received {a.shape} and {b.shape}."
            )
        check_integer(crossover_layer, "crossover_layer", 0, self.num_styles)
        layers = np.arange(self.num_styles)[None, :, None]
        latents = np.where(layers < crossover_layer, a[:, None], b[:, None])
        images = self.sampling_generator(
            ops.convert_to_tensor(latents.astype("float32")),
            truncation=_check_truncation(truncation),
            noise=bool(noise),
            seed=self._seed_for(seed),
        )
        return ops.convert_to_numpy(images)

    def get_config(self):
        return {
            **super().get_config(),
            "style_mixing": self.style_mixing,
            "style_average_decay": self.style_average_decay,
        }


def _check_truncation(truncation):
    return check_number(
        truncation,
        "truncation",
        low=0,
        high=1,
        hint="Truncation psi is 1 for no truncation, 0 for the average style.",
    )
