"""The MADE-based affine autoregressive bijector of MAF."""

import keras
from keras import ops

from kgen.layers.bijector import Bijector
from kgen.layers.bijector import sum_over_events
from kgen.layers.masked_dense import MaskedDense
from kgen.layers.masked_dense import input_degrees
from kgen.layers.masked_dense import made_masks
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class MaskedAutoregressiveTransform(Bijector):
    """An affine autoregressive bijector whose parameters come from a MADE.

    A MADE network (`kgen.layers.MaskedDense` layers with `made_masks`)
    maps `x` to a shift `mu` and a log-scale `alpha` per feature, each
    depending only on the features before it in the ordering. In the
    normalising direction

    \\[ u_i = (x_i - \\mu_i(x_{<i})) \\exp(-\\alpha_i(x_{<i})), \\qquad
        \\log |\\det \\partial u / \\partial x| = -\\sum_i \\alpha_i, \\]

    which takes one pass of the network (fast density evaluation). The
    inverse, `x_i = u_i \\exp(\\alpha_i) + \\mu_i`, is sequential: `D`
    passes for `D` features, each fixing one more feature. The output layer
    starts at zero, so a new layer is the identity. The log-scale is softly
    bounded, `alpha = bound * tanh(raw / bound)`, so that densities far from
    the data stay finite (an unbounded `alpha` overflows there).

    Reference:
        Papamakarios, Pavlakou and Murray, "Masked Autoregressive Flow for
        Density Estimation", NeurIPS 2017. Germain, Gregor, Murray and
        Larochelle, "MADE: Masked Autoencoder for Distribution
        Estimation", ICML 2015.

    Args:
        hidden_units: units of the MADE's hidden layers.
        activation: activation of the hidden layers.
        ordering: permutation of the feature indices giving the
            autoregressive order, or `None` for the natural order.
        hidden_degrees: `"equal"` (deterministic) or `"random"` degrees of
            the hidden units (see `kgen.layers.made_masks`).
        mask_seed: int seed of random hidden degrees.
        log_scale_bound: float > 0, the bound on `|alpha|`.
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).

    Call returns:
        `(u, log_det)`: `u` of the input's shape `(batch, features)`,
        `log_det` of shape `(batch,)`.

    Example:

    ```python
    layer = kgen.layers.MaskedAutoregressiveTransform(hidden_units=(64,))
    u, log_det = layer.transform(x)          # one pass
    x_again, _ = layer.inverse_transform(u)          # features passes
    ```
    """

    def __init__(
        self,
        hidden_units=(64, 64),
        activation="relu",
        ordering=None,
        hidden_degrees="equal",
        mask_seed=0,
        log_scale_bound=5.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.hidden_units = tuple(
            check_integer(u, "hidden_units") for u in hidden_units
        )
        self.activation = keras.activations.get(activation)
        self.ordering = None if ordering is None else list(map(int, ordering))
        if hidden_degrees not in ("equal", "random"):
            raise ValueError(
                "`hidden_degrees` must be 'equal' or 'random'. Received: "
                f"hidden_degrees={hidden_degrees!r}."
            )
        self.hidden_degrees = hidden_degrees
        self.mask_seed = check_integer(mask_seed, "mask_seed", minimum=0)
        self.log_scale_bound = check_number(
            log_scale_bound, "log_scale_bound", low=0, low_open=True
        )

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "MaskedAutoregressiveTransform takes vectors (batch, "
                f"features). Received shape {tuple(input_shape)}. Flatten "
                "the samples first."
            )
        self.features = input_shape[-1]
        masks = made_masks(
            input_degrees(self.features, self.ordering),
            self.hidden_units,
            outputs_per_input=2,
            hidden_degrees=self.hidden_degrees,
            seed=self.mask_seed,
        )
        self.made = [
            MaskedDense(units, mask, activation=self.activation)
            for units, mask in zip(self.hidden_units, masks)
        ]
        self.made.append(
            MaskedDense(
                2 * self.features, masks[-1], kernel_initializer="zeros"
            )
        )
        shape = tuple(input_shape)
        for layer in self.made:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)

    def shift_and_log_scale(self, x):
        """The MADE's `(mu, alpha)` for inputs `x`, each `(batch, features)`."""
        h = x
        for layer in self.made:
            h = layer(h)
        bound = self.log_scale_bound
        log_scale = bound * ops.tanh(h[:, self.features :] / bound)
        return h[:, : self.features], log_scale

    def _forward(self, x, training):
        shift, log_scale = self.shift_and_log_scale(x)
        return (x - shift) * ops.exp(-log_scale), -sum_over_events(log_scale)

    def _inverse(self, u):
        x = ops.zeros_like(u)
        for _ in range(self.features):
            shift, log_scale = self.shift_and_log_scale(x)
            x = u * ops.exp(log_scale) + shift
        return x, sum_over_events(log_scale)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_units": list(self.hidden_units),
            "activation": keras.activations.serialize(self.activation),
            "ordering": self.ordering,
            "hidden_degrees": self.hidden_degrees,
            "mask_seed": self.mask_seed,
            "log_scale_bound": self.log_scale_bound,
        }
