"""Masked autoregressive flow (MAF)."""

import keras

from kgen.layers.flow_batch_normalization import FlowBatchNormalization
from kgen.layers.masked_autoregressive_transform import (
    MaskedAutoregressiveTransform,
)
from kgen.layers.permutation import Permutation
from kgen.models.flow.normalizing_flow import NormalizingFlow
from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class MAF(NormalizingFlow):
    """Masked autoregressive flow: a stack of MADEs, trained by `fit`.

    `num_layers` `kgen.layers.MaskedAutoregressiveTransform`s (each an
    affine autoregressive map whose shift and log-scale come from a MADE of
    `kgen.layers.MaskedDense` layers), with the order of the variables
    reversed (`kgen.layers.Permutation`) between consecutive layers and,
    optionally, `kgen.layers.FlowBatchNormalization` after each but the
    last. Density evaluation takes one network pass per layer; sampling is
    sequential, one pass per feature per layer. See
    `kgen.models.NormalizingFlow` for the loss, dequantisation and bits per
    dimension.

    Reference:
        Papamakarios, Pavlakou and Murray, "Masked Autoregressive Flow for
        Density Estimation", NeurIPS 2017.

    Args:
        event_shape: `(features,)`, with features >= 2.
        num_layers: int >= 1, number of MADEs.
        hidden_units: units of each MADE's hidden layers.
        activation: activation of the hidden layers.
        batch_norm: whether to put batch normalisation between the MADEs.
        hidden_degrees: `"equal"` or `"random"` hidden degrees.
        num_levels: `None` for continuous data, or int K >= 2 for integer
            data `0..K-1`, uniformly dequantised.
        logit_alpha: `None`, or float in [0, 0.5) for the logit transform
            of dequantised data.
        seed: int or `None`, seed of the model's random stream (and of
            random hidden degrees).
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    x = kgen.datasets.sample_two_moons(2000, seed=0)
    flow = kgen.models.MAF((2,), num_layers=5, hidden_units=(64, 64), seed=0)
    flow.compile(optimizer=keras.optimizers.Adam(1e-3))
    flow.fit(x, epochs=50, batch_size=128)
    log_p = flow.log_prob(x)                 # (2000,), nats
    ```
    """

    def __init__(
        self,
        event_shape,
        num_layers=5,
        hidden_units=(64, 64),
        activation="relu",
        batch_norm=False,
        hidden_degrees="equal",
        num_levels=None,
        logit_alpha=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            event_shape,
            num_levels=num_levels,
            logit_alpha=logit_alpha,
            seed=seed,
            **kwargs,
        )
        if len(self.event_shape) != 1 or self.event_shape[0] < 2:
            raise ValueError(
                "MAF models vectors of at least 2 features, event_shape="
                f"(features,). Received event_shape={self.event_shape}. "
                "Flatten images first."
            )
        self.num_layers = check_integer(num_layers, "num_layers")
        self.hidden_units = tuple(hidden_units)
        self.activation = activation
        self.batch_norm = bool(batch_norm)
        self.hidden_degrees = hidden_degrees
        self.bijectors = []
        for i in range(self.num_layers):
            if i:
                self.bijectors.append(Permutation("reverse"))
            self.bijectors.append(
                MaskedAutoregressiveTransform(
                    hidden_units=self.hidden_units,
                    activation=activation,
                    hidden_degrees=hidden_degrees,
                    mask_seed=(seed or 0) + i,
                )
            )
            if self.batch_norm and i < self.num_layers - 1:
                self.bijectors.append(FlowBatchNormalization())
        self.build_flow()

    def get_config(self):
        return {
            **super().get_config(),
            "num_layers": self.num_layers,
            "hidden_units": list(self.hidden_units),
            "activation": self.activation,
            "batch_norm": self.batch_norm,
            "hidden_degrees": self.hidden_degrees,
        }
