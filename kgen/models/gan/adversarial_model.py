"""Public base class of adversarial models over any number of networks."""

import keras
from keras import ops

from kgen import backend
from kgen.losses.adversarial_loss import AdversarialLoss
from kgen.models.phased_model import PhasedModel
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class AdversarialModel(PhasedModel):
    """Base class of adversarial models: phases over any number of networks.

    A subclass builds its networks in `__init__` (through
    `kgen.utils.deserialize_network`, so that a reloaded model gets them
    back from its config) and returns its `Phase`s from `build_phases()`:
    one per set of networks with its own optimizer, e.g. `"generator"` then
    `"discriminator"`, or CycleGAN's generators and its two discriminators.
    This base adds what adversarial phases share:

    - `adversarial_loss`, a `kgen.losses.AdversarialLoss` for the game
      named by `loss` (with `label_smoothing`), for scores of any shape
      (PatchGAN maps, lists of multi-scale outputs);
    - `noisy(x, training)`: instance noise, Gaussian noise of standard
      deviation `instance_noise` added to discriminator inputs in training;
    - `weighted_sum(terms)`: the weighted sum of named loss terms with the
      weights `loss_weights` (defaults in the class attribute
      `default_loss_weights`, which also names the terms), and the terms
      themselves as logs: the place for extra generator terms (L1,
      cycle consistency, identity, content, ...);
    - `every(interval, fn)`: lazy regularisation, `interval * fn()` on every
      `interval`-th training step and 0 otherwise, inside the same phase
      (so each variable still belongs to one phase); `fn()` in test steps;
    - from `PhasedModel`: `share(name, value)` / `shared(name)` to hand a
      tensor computed in one phase (e.g. the generator's output) to the
      later phases of the same step, and `after_train_step()` for state that
      follows the weights (e.g. a `kgen.layers.WeightAverage` of a
      network).

    Penalties are functions of `kgen.losses` (`gradient_penalty` with
    `interpolate`, `r1_penalty`), spectral normalisation a layer
    (`kgen.layers.SpectralNormalization`), and an image history a layer
    (`kgen.layers.ImagePool`); none is private to a model.

    Args:
        loss: the adversarial game, see `kgen.losses.AdversarialLoss`.
        label_smoothing: one-sided label smoothing, in `[0, 1)`.
        instance_noise: standard deviation (>= 0) of `noisy`'s noise.
        loss_weights: dict overriding some of `default_loss_weights`.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    @keras.saving.register_keras_serializable()
    class PairedGAN(kgen.models.AdversarialModel):
        default_loss_weights = {"adversarial": 1.0, "l1": 100.0}

        def build_phases(self):
            return [
                Phase("generator", self.generator_loss, self.generator,
                      logs=("adversarial", "l1")),
                Phase("discriminator", self.discriminator_loss,
                      self.discriminator),
            ]

        def generator_loss(self, data, training):
            source, target = data
            fake = self.generator(source, training=training)
            self.share("fake", fake)
            scores = self.discriminator(fake, training=training)
            return self.weighted_sum({
                "adversarial": self.adversarial_loss.generator(scores),
                "l1": ops.mean(ops.abs(fake - target)),
            })
        ...
    ```
    """

    # Names and default weights of the loss terms combined by
    # `weighted_sum`; subclasses with weighted terms override it.
    default_loss_weights = {}

    def __init__(
        self,
        loss="non_saturating",
        label_smoothing=0.0,
        instance_noise=0.0,
        loss_weights=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.adversarial_loss = AdversarialLoss(loss, label_smoothing)
        self.instance_noise = check_number(
            instance_noise, "instance_noise", low=0
        )
        self.loss_weights = self._check_loss_weights(loss_weights)

    @property
    def loss_name(self):
        """The name of the adversarial game."""
        return self.adversarial_loss.game

    @property
    def label_smoothing(self):
        """The one-sided label smoothing of the adversarial loss."""
        return self.adversarial_loss.label_smoothing

    def _check_loss_weights(self, loss_weights):
        weights = dict(self.default_loss_weights)
        unknown = sorted(set(loss_weights or {}) - set(weights))
        if unknown:
            raise ValueError(
                f"`loss_weights` names unknown loss terms {unknown}. "
                f"{type(self).__name__} combines {sorted(weights)}."
            )
        for name, value in (loss_weights or {}).items():
            weights[name] = check_number(
                value, f"loss_weights['{name}']", low=0
            )
        return weights

    def noisy(self, x, training):
        """`x` plus instance noise in training (unchanged otherwise)."""
        if not (training and self.instance_noise):
            return x
        noise = keras.random.normal(
            ops.shape(x), seed=self.seed_generator, dtype=x.dtype
        )
        return x + self.instance_noise * noise

    def weighted_sum(self, terms):
        """`(sum of weight * term, terms)` for a dict of named loss terms.

        Terms with weight 0 are left out of the sum (and still logged).
        Return the result from a phase loss declared with
        `logs=tuple(terms)` to log every term.
        """
        missing = sorted(set(terms) - set(self.loss_weights))
        if missing:
            raise ValueError(
                f"Loss terms {missing} have no weight. Add them to "
                f"`{type(self).__name__}.default_loss_weights`."
            )
        total = sum(
            self.loss_weights[name] * value
            for name, value in terms.items()
            if self.loss_weights[name]
        )
        return total, dict(terms)

    def every(self, interval, fn):
        """Lazy regularisation: `interval * fn()` every `interval` steps.

        On training steps `0, interval, 2 * interval, ...` (counted by
        `model.optimizer.iterations`) returns `interval * fn()`, so that the
        average over steps equals `fn()`; on the other steps returns 0
        without evaluating `fn` (Karras et al., "Analyzing and Improving the
        Image Quality of StyleGAN", 2020). List `interval` in
        `lazy_intervals` so that JAX compiles the steps with and without
        the term separately instead of branching inside one step. In test
        steps (`evaluate`, validation) the term is `fn()`, its mean over
        training steps, whatever the step count.

        Args:
            interval: int >= 1.
            fn: callable returning a scalar (e.g. an R1 penalty).
        """
        if interval == 1 or not getattr(self, "_training_phase", True):
            return fn()

        def term():
            return ops.cast(interval * fn(), "float32")

        def zero():
            return ops.zeros((), "float32")

        fires = backend.firing(interval)
        if fires is None:
            step = ops.cast(self.optimizer.iterations, "int32")
            return ops.cond(ops.equal(step % interval, 0), term, zero)
        return term() if fires else zero()

    @property
    def lazy_intervals(self):
        """The intervals (> 1) that this model's phases pass to `every`.

        On JAX, a model that lists them trains with one compiled step per
        combination of the intervals that fire, picked from the step count
        (XLA on CPU runs convolutions inside a conditional 15-20 times
        slower); an unlisted interval still works, through `keras.ops.cond`.
        None here; subclasses list theirs.
        """
        return ()

    def get_config(self):
        config = {
            **super().get_config(),
            "loss": self.loss_name,
            "label_smoothing": self.label_smoothing,
            "instance_noise": self.instance_noise,
        }
        if self.default_loss_weights:
            config["loss_weights"] = dict(self.loss_weights)
        return config
