"""A tiny two-phase model used to test `PhasedModel` against NumPy."""

import keras
from keras import ops

from kgen.models.phase import Phase
from kgen.models.phased_model import PhasedModel


@keras.saving.register_keras_serializable(package="kgen")
class TwoLinearMaps(PhasedModel):
    """Two bias-free linear maps `a` and `b` trained in alternation.

    The prediction is `(x + noise) @ A @ B`. Phase `"a"` minimises the mean
    squared error to `y` over `A`; phase `"b"` minimises the same error plus
    `l2 * mean(B**2)` over `B`. Each loss depends on the other map, which is
    what makes the order of updates observable. With `noise=0` the updates
    have a closed form, so tests can replay them in NumPy.

    Args:
        input_dim: size of `x`.
        hidden_dim: size of `x @ A`.
        output_dim: size of `y`.
        repeats_a: updates of phase `"a"` per step.
        repeats_b: updates of phase `"b"` per step.
        l2: weight of phase `"b"`'s penalty.
        noise: standard deviation of Gaussian noise added to `x` in phase
            `"a"`, drawn from the model's seed generator.
        seed: seed of the model's random stream.
    """

    def __init__(
        self,
        input_dim=3,
        hidden_dim=2,
        output_dim=2,
        repeats_a=1,
        repeats_b=1,
        l2=0.5,
        noise=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.input_dim = input_dim
        self.hidden_dim = hidden_dim
        self.output_dim = output_dim
        self.repeats_a = repeats_a
        self.repeats_b = repeats_b
        self.l2 = l2
        self.noise = noise
        self.map_a = keras.layers.Dense(
            hidden_dim, use_bias=False, name="map_a"
        )
        self.map_b = keras.layers.Dense(
            output_dim, use_bias=False, name="map_b"
        )
        self.map_a.build((None, input_dim))
        self.map_b.build((None, hidden_dim))
        self.built = True

    def call(self, x):
        return self.map_b(self.map_a(x))

    def build_phases(self):
        return [
            Phase("a", self.loss_a, self.map_a, repeats=self.repeats_a),
            Phase("b", self.loss_b, self.map_b, repeats=self.repeats_b),
        ]

    def loss_a(self, data, training):
        x, y = data
        if self.noise:
            x = x + self.noise * keras.random.normal(
                ops.shape(x), seed=self.seed_generator
            )
        return ops.mean(ops.square(self(x) - y))

    def loss_b(self, data, training):
        x, y = data
        penalty = ops.mean(ops.square(self.map_b.kernel))
        return ops.mean(ops.square(self(x) - y)) + self.l2 * penalty

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "hidden_dim": self.hidden_dim,
            "output_dim": self.output_dim,
            "repeats_a": self.repeats_a,
            "repeats_b": self.repeats_b,
            "l2": self.l2,
            "noise": self.noise,
        }
