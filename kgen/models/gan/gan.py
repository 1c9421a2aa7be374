"""Generative adversarial network trained with `fit` on every backend."""

import warnings

import keras
import numpy as np
from keras import ops

from kgen import backend
from kgen.layers.spectral_normalization import SpectralNormalization
from kgen.layers.weight_average import WeightAverage
from kgen.losses import gan_losses
from kgen.losses.feature_matching import feature_matching_loss
from kgen.models.gan.adversarial_model import AdversarialModel
from kgen.models.phase import Phase
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array

_LATENT_DISTRIBUTIONS = ("normal", "uniform")


@keras.saving.register_keras_serializable(package="kgen")
class GAN(AdversarialModel):
    """Generative adversarial network: a generator and a discriminator.

    The discriminator `D` learns to tell real samples from the generator's
    samples `G(z)`, `z` drawn from the latent distribution; the generator
    learns to fool it. Each training step of `fit` makes
    `discriminator_steps` updates of `D` (phase `"discriminator"`), then one
    update of `G` (phase `"generator"`), each with its own optimizer:

    ```python
    gan.compile(optimizer={"discriminator": keras.optimizers.Adam(2e-4, 0.5),
                           "generator": keras.optimizers.Adam(2e-4, 0.5)})
    ```

    The game is chosen by `loss`: `"minimax"` (Goodfellow et al., 2014),
    `"non_saturating"` (the default), `"wasserstein"` (WGAN; needs weight
    clipping, `gradient_penalty` or spectral normalisation),
    `"least_squares"` (LSGAN) or `"hinge"`; see `kgen.losses`. The
    discriminator returns raw scores (logits) of any shape: `(batch, 1)`,
    or a map of patch scores, whose losses are means over all scores.
    `GAN` is written on `kgen.models.AdversarialModel`, the base for other
    adversarial models.

    Stabilisers: `clip_value` (WGAN weight clipping after every
    discriminator update, applied in the step after the weights' own
    constraints, which are left in place),
    `gradient_penalty` (WGAN-GP at uniform interpolates), `r1_penalty` (on
    real data), `label_smoothing` (one-sided), `instance_noise` (Gaussian
    noise added to every discriminator input in training), spectral
    normalisation inside the discriminator (`kgen.layers.
    SpectralNormalization`) and `ema_decay`, an exponential moving average of
    the generator's weights (non-trainable weights, saved with the model)
    that `generate` then uses.

    Anti-collapse tools (Salimans et al., 2016; Heusel et al., 2017):
    feature matching adds `kgen.losses.feature_matching_loss` between the
    mean features of real and generated batches at `feature_layer` of the
    discriminator to the generator's loss, weighted by
    `loss_weights["feature_matching"]` (0 by default; the generator's loss
    is `loss_weights["adversarial"] * adversarial + loss_weights[
    "feature_matching"] * feature_matching`, both terms then logged);
    minibatch discrimination is a layer of the discriminator
    (`kgen.layers.MinibatchDiscrimination`); two time-scale updates (TTUR)
    are per-phase learning rates given to `compile`.

    Logged during `fit`: `discriminator_loss`, `generator_loss`, the
    global norms of each phase's parameter gradients
    (`discriminator_grad_norm`, `generator_grad_norm`), `d_real` and
    `d_fake` (mean `D(x)` and `D(G(z))`, as probabilities for the minimax
    and non-saturating games, raw scores otherwise) and, with a gradient
    penalty, `gradient_norm` (mean norm of the critic's input gradient
    where the penalty is evaluated). Non-finite values stop
    training with a clear error (`kgen.callbacks.StopOnNaN`).

    Reference: Goodfellow et al., "Generative Adversarial Nets", NeurIPS
    2014; Radford et al., "Unsupervised Representation Learning with Deep
    Convolutional GANs", 2016; Gulrajani et al., "Improved Training of
    Wasserstein GANs", 2017.

    Args:
        generator: a `keras.Model` mapping latent vectors `(batch,
            latent_dim)` to samples (functional, `Sequential` or
            subclassed).
        discriminator: a `keras.Model` mapping samples to scores, e.g.
            `(batch, 1)`.
        latent_dim: int >= 1, size of the latent vector.
        latent_distribution: `"normal"` (standard normal) or `"uniform"`
            (uniform on [-1, 1]).
        loss: name of the adversarial game (see above).
        discriminator_steps: int >= 1, discriminator updates per generator
            update (5 is usual for WGAN).
        gradient_penalty: weight of the WGAN-GP penalty, 0 for none.
        r1_penalty: weight `gamma / 2` of the R1 penalty, 0 for none.
        clip_value: clip every discriminator weight to
            `[-clip_value, clip_value]` after each update, or `None`.
        label_smoothing: one-sided label smoothing of the real target, in
            `[0, 1)` (minimax, non-saturating and least-squares games).
        instance_noise: standard deviation of the Gaussian noise added to
            the discriminator's inputs during training, 0 for none.
        ema_decay: decay in `[0, 1)` of the generator weights' moving
            average, or `None` to sample from the trained generator itself.
            After `t` generator updates the decay used is
            `min(ema_decay, (1 + t) / (10 + t))`, so that the average
            forgets the initial weights quickly. The average is a
            `kgen.layers.WeightAverage` (`gan.ema_generator`).
        penalty_interval: int >= 1; the R1 penalty is applied every
            `penalty_interval` steps, scaled by `penalty_interval` (lazy
            regularisation, as in StyleGAN2).
        feature_layer: name of the discriminator layer whose output feature
            matching uses, or `None` for the input of the discriminator's
            last layer (its penultimate features). Needs a functional or
            `Sequential` discriminator when feature matching is on.
        loss_weights: dict of generator loss weights, keys `"adversarial"`
            (default 1) and `"feature_matching"` (default 0).
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    (x, _), _ = kgen.datasets.load_digits()
    gan = kgen.models.GAN(
        kgen.models.build_mlp_generator(16, (64,)),
        kgen.models.build_mlp_discriminator((64,)),
        latent_dim=16,
        seed=0,
    )
    gan.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    gan.fit(x, batch_size=64, epochs=2)
    samples = gan.generate(16, seed=0)  # (16, 64)
    ```
    """

    log_gradient_norms = True
    default_loss_weights = {"adversarial": 1.0, "feature_matching": 0.0}

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        latent_distribution="normal",
        loss="non_saturating",
        discriminator_steps=1,
        gradient_penalty=0.0,
        r1_penalty=0.0,
        clip_value=None,
        label_smoothing=0.0,
        instance_noise=0.0,
        ema_decay=None,
        penalty_interval=1,
        feature_layer=None,
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
        self.generator = deserialize_network(generator, "generator")
        self.discriminator = deserialize_network(discriminator, "discriminator")
        self.latent_dim = check_integer(latent_dim, "latent_dim")
        check_choice(
            latent_distribution, "latent_distribution", _LATENT_DISTRIBUTIONS
        )
        self.latent_distribution = latent_distribution
        self.discriminator_steps = check_integer(
            discriminator_steps, "discriminator_steps"
        )
        self.gradient_penalty = check_number(
            gradient_penalty, "gradient_penalty", low=0
        )
        self.r1_penalty = check_number(r1_penalty, "r1_penalty", low=0)
        self.clip_value = clip_value
        if clip_value is not None:
            check_number(clip_value, "clip_value", low=0)
        if ema_decay is not None:
            check_number(
                ema_decay, "ema_decay", high=1.0, low=0, high_open=True
            )
        self.ema_decay = ema_decay
        self.penalty_interval = check_integer(
            penalty_interval, "penalty_interval"
        )
        self.sample_shape = self._check_networks()
        self._warn_if_unconstrained()
        self.feature_layer = feature_layer
        # Shares the discriminator's layers; kept out of Keras' tracking so
        # that its variables are not listed twice.
        object.__setattr__(self, "_feature_network", None)
        if self.loss_weights["feature_matching"]:
            object.__setattr__(
                self, "_feature_network", self._build_feature_network()
            )
        if not any(self.loss_weights.values()):
            raise ValueError(
                "`loss_weights` must give a positive weight to the "
                "'adversarial' or the 'feature_matching' term. Received: "
                f"loss_weights={self.loss_weights}."
            )
        self.ema_generator = None
        if ema_decay is not None:
            self.ema_generator = WeightAverage(
                self.generator, ema_decay, name="ema_generator"
            )
        self.built = True

    # ----------------------------------------------------------------- hooks
    # Conditional variants override these four methods.

    def _labels_spec(self):
        """Symbolic one-hot labels for the shape check (`None`: none)."""
        return None

    def _condition(self, num_samples, labels):
        """Labels of a `generate` call as the networks take them."""
        if labels is not None:
            raise ValueError(
                f"{type(self).__name__} is unconditional and takes no "
                f"`labels`. Received labels={labels!r}. Use "
                "`kgen.models.ConditionalGAN` to generate chosen classes."
            )
        return None

    def _split(self, data):
        """`(samples, one-hot labels or None)` from a `fit` batch."""
        if isinstance(data, (tuple, list)):
            return data[0], None
        return data, None

    def _generate(self, z, labels, training, generator=None):
        return (generator or self.generator)(z, training=training)

    def _discriminator_inputs(self, x, labels, training):
        """What the discriminator takes for samples `x` (and labels)."""
        return self.noisy(x, training)

    def _discriminate(self, x, labels, training):
        """`(scores, class_logits or None)` of the discriminator."""
        return self.discriminator(
            self._discriminator_inputs(x, labels, training), training=training
        ), None

    def _class_loss(self, class_logits, labels):
        """Auxiliary classification loss (ACGAN); 0 otherwise."""
        return 0.0

    # ---------------------------------------------------------------- phases

    def build_phases(self):
        logs = ("d_real", "d_fake") + (
            ("gradient_norm",) if self.gradient_penalty else ()
        )
        return [
            Phase(
                "discriminator",
                self._discriminator_loss_and_logs,
                self.discriminator,
                repeats=self.discriminator_steps,
                logs=logs,
                after_update=self._clip_discriminator
                if self.clip_value is not None
                else None,
            ),
            Phase(
                "generator",
                self._generator_loss_and_logs,
                self.generator,
                logs=self._generator_logs(),
            ),
        ]

    def _generator_logs(self):
        """Generator terms logged: both terms when feature matching is on."""
        if self.loss_weights["feature_matching"]:
            return tuple(self.default_loss_weights)
        return ()

    def discriminator_loss(self, data, training=True):
        """The discriminator's loss on a batch, penalties included.

        Args:
            data: a `fit` batch: samples, or `(samples, labels)`.
            training: whether networks run in training mode.

        Returns:
            Scalar loss.
        """
        return self._discriminator_loss_and_logs(data, training)[0]

    def _discriminator_loss_and_logs(self, data, training=True):
        x, labels = self._split(data)
        z = self._latent(ops.shape(x)[0], self.seed_generator)
        fake = backend.without_gradient(self._generate, z, labels, training)
        real_scores, real_classes = self._discriminate(x, labels, training)
        fake_scores, fake_classes = self._discriminate(fake, labels, training)
        loss = self.adversarial_loss.discriminator(real_scores, fake_scores)
        loss = (
            loss
            + self._class_loss(real_classes, labels)
            + self._class_loss(fake_classes, labels)
        )
        logs = {
            "d_real": self.adversarial_loss.readable(real_scores),
            "d_fake": self.adversarial_loss.readable(fake_scores),
        }
        penalty, penalty_logs = self._penalties(x, fake, labels, training)
        return loss + penalty, {**logs, **penalty_logs}

    def generator_loss(self, data, training=True):
        """The generator's loss on a batch.

        Args:
            data: a `fit` batch: samples, or `(samples, labels)`.
            training: whether networks run in training mode.

        Returns:
            Scalar loss.
        """
        loss = self._generator_loss_and_logs(data, training)
        return loss[0] if isinstance(loss, tuple) else loss

    def _generator_loss_and_logs(self, data, training=True):
        x, labels = self._split(data)
        z = self._latent(ops.shape(x)[0], self.seed_generator)
        fake = self._generate(z, labels, training)
        scores, classes = self._discriminate(fake, labels, training)
        terms = {
            "adversarial": self.adversarial_loss.generator(scores)
            + self._class_loss(classes, labels)
        }
        if not self.loss_weights["feature_matching"]:
            return self.weighted_sum(terms)[0]
        terms["feature_matching"] = feature_matching_loss(
            self._features(x, labels, training),
            self._features(fake, labels, training),
        )
        return self.weighted_sum(terms)

    def _features(self, x, labels, training):
        """Discriminator features at `feature_layer` of samples `x`."""
        return self._feature_network(
            self._discriminator_inputs(x, labels, training), training=training
        )

    def _build_feature_network(self):
        """A model from the discriminator's inputs to its matched features."""
        try:
            inputs = self.discriminator.inputs
            if self.feature_layer is None:
                features = self.discriminator.layers[-1].input
            else:
                features = self.discriminator.get_layer(
                    self.feature_layer
                ).output
            return keras.Model(inputs, features)
        except (AttributeError, ValueError) as error:
            raise ValueError(
                "Feature matching reads an intermediate layer of the "
                "discriminator, so it needs a functional or `Sequential` "
                "discriminator and, if given, the name of one of its layers. "
                f"Received feature_layer={self.feature_layer!r}: {error}"
            ) from error

    def _penalties(self, x, fake, labels, training):
        """`(total penalty, logs)` of the discriminator's regularisers."""

        def critic(samples):
            return self._discriminate(samples, labels, training)[0]

        total, logs = 0.0, {}
        if self.gradient_penalty:
            points = gan_losses.interpolate(x, fake, self.seed_generator)
            norms = gan_losses.input_gradient_norm(critic, points)
            logs["gradient_norm"] = ops.mean(norms)
            total = total + self.gradient_penalty * ops.mean(
                ops.square(norms - 1.0)
            )
        if self.r1_penalty:
            total = total + self.r1_penalty * self.every(
                self.penalty_interval,
                lambda: gan_losses.r1_penalty(critic, x),
            )
        return total, logs

    @property
    def lazy_intervals(self):
        """`(penalty_interval,)` with a lazy R1 penalty, else `()`."""
        if self.r1_penalty and self.penalty_interval > 1:
            return (self.penalty_interval,)
        return ()

    def _latent(self, num_samples, seed):
        shape = (num_samples, self.latent_dim)
        if self.latent_distribution == "normal":
            return keras.random.normal(shape, seed=seed)
        return keras.random.uniform(shape, minval=-1.0, maxval=1.0, seed=seed)

    def _clip_discriminator(self):
        """WGAN weight clipping: each discriminator weight to
        `[-clip_value, clip_value]`, after the weights' own constraints."""
        for variable in self.discriminator.trainable_variables:
            variable.assign(
                ops.clip(variable, -self.clip_value, self.clip_value)
            )

    def after_train_step(self):
        if self.ema_generator is not None:
            self.ema_generator.update()

    # ------------------------------------------------------------ generation

    def call(self, inputs, training=False):
        """Maps latent vectors (and labels) to samples with the generator."""
        return self.sampling_generator(inputs, training=training)

    @property
    def sampling_generator(self):
        """The network `generate` uses: the EMA generator if any."""
        return self.ema_generator or self.generator

    def sample(self, num_samples, seed, labels=None):
        """Generated samples as a backend tensor (see `generate`)."""
        condition = self._condition(num_samples, labels)
        z = self._latent(num_samples, seed)
        return self._generate(z, condition, False, self.sampling_generator)

    def latent_path(
        self, num_steps=8, *, labels=None, seed=None, spherical=True
    ):
        """Samples along a path between two random latent vectors.

        Not to be confused with `Autoencoder.interpolate`, whose path joins
        the codes of two given samples.

        Args:
            num_steps: int >= 2, points on the path, ends included.
            labels: conditional models only: one class id for the path.
            seed: int for reproducible end points, or `None`.
            spherical: `True` for spherical interpolation (slerp, which
                keeps Gaussian latents at a typical norm), `False` for a
                straight line.

        Returns:
            NumPy array of shape `(num_steps, *sample_shape)`.
        """
        num_steps = check_integer(num_steps, "num_steps", minimum=2)
        ends = ops.convert_to_numpy(self._latent(2, self._seed_for(seed)))
        z = _interpolate(ends[0], ends[1], num_steps, spherical)
        condition = self._condition(num_steps, labels)
        return ops.convert_to_numpy(
            self._generate(
                ops.convert_to_tensor(z),
                condition,
                False,
                self.sampling_generator,
            )
        )

    # ---------------------------------------------------------------- checks

    def fit(self, x=None, y=None, **kwargs):
        if y is not None and self._labels_spec() is None:
            raise ValueError(
                f"{type(self).__name__} is unconditional and trains on "
                "samples alone, but received labels `y`. Drop `y`, or use "
                "`kgen.models.ConditionalGAN` to learn one distribution per "
                "class."
            )
        return super().fit(x, y, **kwargs)

    def check_inputs(self, x):
        if is_array(x):
            check_array(x, "x", feature_shape=self.sample_shape)

    def check_predict_inputs(self, x):
        """`predict` maps latent vectors to samples: checks their width."""
        if is_array(x):
            check_array(x, "x", feature_shape=(self.latent_dim,))

    def _check_networks(self):
        """Checks that G's samples fit D; returns the sample shape."""
        z = keras.KerasTensor((None, self.latent_dim))
        labels = self._labels_spec()
        fake = self._symbolic_call(
            "generator", self._generate, z, labels, training=False
        )
        expected = _declared_input_shape(self.discriminator)
        if expected is not None and not _same_shape(expected, fake.shape):
            raise ValueError(
                f"The generator's output shape {tuple(fake.shape)} does not "
                f"match the discriminator's input shape {tuple(expected)}. "
                "Build both networks for the same sample shape (e.g. with "
                "`kgen.models.build_mlp_generator(latent_dim, sample_shape)` "
                "and `kgen.models.build_mlp_discriminator(sample_shape)`)."
            )
        # Any score shape is accepted (one score, a map of patch scores);
        # the call checks that the discriminator takes the samples.
        self._symbolic_call(
            "discriminator", self._discriminate, fake, labels, training=False
        )
        return tuple(fake.shape[1:])

    def _symbolic_call(self, name, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Exception as error:  # Keras raises many types here.
            shapes = [None if a is None else tuple(a.shape) for a in args]
            raise ValueError(
                f"The {name} could not be called on inputs of shapes "
                f"{shapes} (latent vectors or samples, then one-hot labels "
                f"for conditional models): {error}"
            ) from error

    def _warn_if_unconstrained(self):
        if (
            self.loss_name != "wasserstein"
            or self.gradient_penalty
            or self.clip_value
        ):
            return
        if any(
            isinstance(layer, SpectralNormalization)
            for layer in _all_layers(self.discriminator)
        ):
            return
        warnings.warn(
            "loss='wasserstein' without a Lipschitz constraint on the critic: "
            "the critic's scores can grow without bound. Set "
            "`gradient_penalty=10.0` (WGAN-GP), `clip_value=0.01` (WGAN) or "
            "wrap the critic's layers in `kgen.layers.SpectralNormalization`.",
            UserWarning,
            stacklevel=3,
        )

    def get_config(self):
        return {
            **super().get_config(),
            "generator": serialize_network(self.generator),
            "discriminator": serialize_network(self.discriminator),
            "latent_dim": self.latent_dim,
            "latent_distribution": self.latent_distribution,
            "discriminator_steps": self.discriminator_steps,
            "gradient_penalty": self.gradient_penalty,
            "r1_penalty": self.r1_penalty,
            "clip_value": self.clip_value,
            "ema_decay": self.ema_decay,
            "penalty_interval": self.penalty_interval,
            "feature_layer": self.feature_layer,
        }


def _declared_input_shape(model):
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):  # subclassed or unbuilt models
        return None
    return tuple(inputs[0].shape) if inputs else None


def _same_shape(expected, received):
    return len(expected) == len(received) and all(
        a is None or b is None or a == b
        for a, b in zip(expected[1:], received[1:])
    )


def _all_layers(model):
    for layer in getattr(model, "layers", ()):
        yield layer
        yield from _all_layers(layer)


def _interpolate(start, end, num_steps, spherical):
    t = np.linspace(0.0, 1.0, num_steps, dtype="float32")[:, None]
    if not spherical:
        return (1 - t) * start + t * end
    cosine = np.dot(start, end) / (np.linalg.norm(start) * np.linalg.norm(end))
    angle = np.arccos(np.clip(cosine, -1.0, 1.0))
    if angle < 1e-6:
        return (1 - t) * start + t * end
    return (np.sin((1 - t) * angle) * start + np.sin(t * angle) * end) / np.sin(
        angle
    )
