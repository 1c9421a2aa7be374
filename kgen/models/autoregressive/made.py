"""The masked autoencoder for distribution estimation (MADE)."""

import math

import keras
import numpy as np
from keras import ops

from kgen.layers.masked_dense import MaskedDense
from kgen.layers.masked_dense import check_ordering
from kgen.layers.masked_dense import input_degrees
from kgen.layers.masked_dense import made_masks
from kgen.models.autoregressive.autoregressive_model import AutoregressiveModel
from kgen.utils.validation import check_bool
from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class MADE(AutoregressiveModel):
    """MADE for binary vectors: an autoencoder made autoregressive by masks.

    A feed-forward network of `kgen.layers.MaskedDense` layers whose masks
    (from `kgen.layers.made_masks`) let output `d` see only the inputs
    before `d` in an ordering, so its outputs are the logits of
    `p(x_d | x_<d)` and all `D` conditionals come from one pass.

    With `num_masks > 1`, the model holds that many orderings /
    connectivity patterns (fixed by `mask_seed`) and trains on one drawn
    at random per minibatch; at test time `log_prob` (and `evaluate`)
    average the `num_masks` models' probabilities:
    `log p(x) = logmeanexp_m log p_m(x)` (mask ensembling), itself an exact
    normalised likelihood.

    With `direct_connections=True` the output logits also get a masked
    linear term of the inputs, `x @ (W_direct * M_m)`, where `M_m` is the
    strict autoregressive mask of ordering `m` (input `i` feeds output `d`
    only if `i` comes before `d`; from `kgen.layers.made_masks(...,
    direct=True)`), one `kgen.layers.MaskedDense` without bias holding all
    the masks. The paper's MNIST model has these direct connections.

    Reference:
        Germain, Gregor, Murray and Larochelle, "MADE: Masked Autoencoder
        for Distribution Estimation", ICML 2015.

    Args:
        num_inputs: int >= 1, the number `D` of binary variables.
        hidden_units: sequence of ints, units of each hidden layer.
        num_masks: int >= 1, the number of masks (orderings/connectivity).
        ordering: `"natural"` (every mask uses `0..D - 1`; only the
            connectivity varies), `"random"` (a random ordering per mask,
            order-agnostic training) or one permutation of `0..D - 1`.
        hidden_degrees: `"random"` (the paper) or `"equal"`, see
            `kgen.layers.made_masks`.
        activation: activation of the hidden layers.
        direct_connections: whether to add direct (masked linear)
            connections from the inputs to the output logits.
        mask_seed: int, seed of the orderings and connectivity.
        seed: int or `None`, seed of the model's random stream (mask
            choice per minibatch, sampling) and of the initialisation.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    (x_train, _), (x_test, _) = kgen.datasets.load_digits("binary")
    made = kgen.models.MADE(64, hidden_units=(256,), num_masks=8, seed=0)
    made.compile(optimizer=keras.optimizers.Adam(1e-3))
    made.fit(x_train, epochs=100, batch_size=64, verbose=0)
    made.log_prob(x_test).mean()   # ensemble of the 8 masks, nats
    ```
    """

    def __init__(
        self,
        num_inputs,
        hidden_units=(500,),
        num_masks=1,
        ordering="natural",
        hidden_degrees="random",
        activation="relu",
        direct_connections=False,
        mask_seed=0,
        seed=None,
        **kwargs,
    ):
        num_inputs = check_integer(num_inputs, "num_inputs")
        super().__init__((num_inputs,), num_classes=2, seed=seed, **kwargs)
        self.hidden_units = tuple(
            check_integer(u, "hidden_units") for u in hidden_units
        )
        self.num_masks = check_integer(num_masks, "num_masks")
        self.mask_seed = check_integer(mask_seed, "mask_seed", minimum=0)
        self.ordering = self._check_ordering_argument(ordering, num_inputs)
        if hidden_degrees not in ("random", "equal"):
            raise ValueError(
                "`hidden_degrees` must be 'random' or 'equal'. Received: "
                f"hidden_degrees={hidden_degrees!r}."
            )
        self.hidden_degrees = hidden_degrees
        self.activation = activation
        self.direct_connections = check_bool(
            direct_connections, "direct_connections"
        )
        rng = np.random.default_rng(self.mask_seed)
        self.orderings = []
        per_mask = []
        for _ in range(self.num_masks):
            order = self._draw_ordering(rng, num_inputs)
            self.orderings.append(order)
            degrees = input_degrees(num_inputs, order)
            per_mask.append(
                made_masks(
                    degrees,
                    self.hidden_units,
                    hidden_degrees=hidden_degrees,
                    seed=rng,
                    direct=self.direct_connections,
                )
            )
        units = self.hidden_units + (num_inputs,)
        self.masked_layers = [
            self._masked_layer(
                count,
                [masks[i] for masks in per_mask],
                None if i == len(units) - 1 else activation,
                None if seed is None else seed + i,
                f"masked_dense_{i}",
            )
            for i, count in enumerate(units)
        ]
        self.direct_layer = None
        if self.direct_connections:
            self.direct_layer = self._masked_layer(
                num_inputs,
                [masks[-1] for masks in per_mask],
                None,
                None if seed is None else seed + len(units),
                "direct",
                use_bias=False,
            )
        self.built = True

    @staticmethod
    def _masked_layer(units, masks, activation, seed, name, **kwargs):
        """A built `MaskedDense` holding one mask per ordering."""
        layer = MaskedDense(
            units,
            np.stack(masks),
            activation=activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
            name=name,
            **kwargs,
        )
        layer.build((None, layer.input_dim))
        return layer

    @staticmethod
    def _check_ordering_argument(ordering, num_inputs):
        if isinstance(ordering, str):
            if ordering not in ("natural", "random"):
                raise ValueError(
                    "`ordering` must be 'natural', 'random' or a permutation "
                    f"of 0..{num_inputs - 1}. Received: ordering={ordering!r}."
                )
            return ordering
        return check_ordering(ordering, num_inputs)

    def _draw_ordering(self, rng, num_inputs):
        if isinstance(self.ordering, np.ndarray):
            return self.ordering
        if self.ordering == "random":
            return rng.permutation(num_inputs)
        return np.arange(num_inputs)

    def conditional_logits(self, x, training=False, mask_index=0):
        """Logits of every `p(x_d = 1 | x_<d)` under mask `mask_index`."""
        inputs = ops.cast(x, self.masked_layers[0].kernel.dtype)
        hidden = inputs
        for layer in self.masked_layers:
            hidden = layer(hidden, mask_index=mask_index)
        if self.direct_layer is not None:
            hidden = hidden + self.direct_layer(inputs, mask_index=mask_index)
        return hidden

    def generation_order(self, mask_index=0):
        return self.orderings[int(mask_index)]

    def call(self, inputs, training=False):
        if self.num_masks == 1:
            return super().call(inputs, training)
        if training:
            index = keras.random.randint(
                (), 0, self.num_masks, seed=self.seed_generator
            )
            logits = self.conditional_logits(inputs, True, index)
            return self.log_prob_from_logits(inputs, logits)
        return self.mask_log_probs(inputs, range(self.num_masks))

    def mask_log_probs(self, x, mask_indices):
        """`logmeanexp` over the given masks of `log p_m(x)`, per sample."""
        mask_indices = list(mask_indices)
        per_mask = ops.stack(
            [
                self.log_prob_from_logits(
                    x, self.conditional_logits(x, mask_index=m)
                )
                for m in mask_indices
            ],
            axis=0,
        )
        return ops.logsumexp(per_mask, axis=0) - math.log(len(mask_indices))

    def get_config(self):
        config = super().get_config()
        ordering = self.ordering
        config.update(
            {
                "num_inputs": self.num_variables,
                "hidden_units": list(self.hidden_units),
                "num_masks": self.num_masks,
                "ordering": (
                    ordering if isinstance(ordering, str) else ordering.tolist()
                ),
                "hidden_degrees": self.hidden_degrees,
                "activation": self.activation,
                "direct_connections": self.direct_connections,
                "mask_seed": self.mask_seed,
            }
        )
        return config
