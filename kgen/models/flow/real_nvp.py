"""RealNVP: affine coupling layers in a multi-scale architecture."""

import keras
import numpy as np
from keras import ops

from kgen.layers.act_norm import ActNorm
from kgen.layers.affine_coupling import AffineCoupling
from kgen.layers.flow_batch_normalization import FlowBatchNormalization
from kgen.layers.squeeze import Squeeze
from kgen.models.flow.normalizing_flow import NormalizingFlow
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer

_NORMALIZATIONS = ("actnorm", "batch_norm", None)
_FACTOR_OUT = -1


@keras.saving.register_keras_serializable(package="kgen")
class RealNVP(NormalizingFlow):
    """Real-valued non-volume preserving flow (RealNVP), trained by `fit`.

    A stack of `kgen.layers.AffineCoupling` layers, each followed by a
    normalisation layer (`kgen.layers.ActNorm` with data-dependent
    initialisation, or `kgen.layers.FlowBatchNormalization`), onto a
    standard Gaussian; see `kgen.models.NormalizingFlow` for the density,
    the loss, dequantisation and bits per dimension.

    **Vectors** `(features,)`: `num_couplings` dense couplings whose
    `"alternate"` masks flip from one layer to the next.

    **Images** `(height, width, channels)`: the multi-scale architecture of
    the paper. Each of the first `num_scales - 1` scales runs
    `num_couplings` checkerboard couplings, a `kgen.layers.Squeeze`
    (`(h, w, c)` to `(h/2, w/2, 4c)`), `num_couplings` channel couplings,
    and factors out half of the channels: they go straight to the latent
    vector, and the rest continue to the next scale. The last scale runs
    `num_couplings + 1` checkerboard couplings. Height and width must be
    divisible by `2 ** (num_scales - 1)`. The latent `z` of `transform` is
    the concatenation of the flattened factored-out parts and the last
    scale's output.

    Reference:
        Dinh, Sohl-Dickstein and Bengio, "Density estimation using Real
        NVP", ICLR 2017.

    Args:
        event_shape: `(features,)` or `(height, width, channels)`.
        num_scales: int >= 1, scales of the multi-scale architecture
            (images only).
        num_couplings: int >= 1, couplings per stage (see above).
        hidden_units: widths of each conditioner's hidden layers (units or
            filters; equal consecutive widths are residual).
        kernel_size: odd int, convolution size of image conditioners.
        activation: activation of the conditioners' hidden layers.
        normalization: `"actnorm"`, `"batch_norm"` or `None`, the layer
            after every coupling.
        num_levels: `None` for continuous data, or int K >= 2 for integer
            data `0..K-1`, uniformly dequantised (e.g. 256 for pixels).
        logit_alpha: `None`, or float in [0, 0.5) for the logit transform
            of dequantised data (the paper uses 0.05).
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    (x, _), _ = kgen.datasets.load_digits("raw", flatten=False)  # 0..16
    flow = kgen.models.RealNVP(
        (8, 8, 1), num_scales=2, hidden_units=(32, 32),
        num_levels=17, logit_alpha=0.05, seed=0,
    )
    flow.compile(optimizer=keras.optimizers.Adam(1e-3))
    flow.fit(x, epochs=20, batch_size=64)
    flow.bits_per_dim(x)                     # float
    samples = flow.generate(16, seed=0)      # (16, 8, 8, 1), integers 0..16
    ```
    """

    def __init__(
        self,
        event_shape,
        num_scales=2,
        num_couplings=3,
        hidden_units=(64, 64),
        kernel_size=3,
        activation="relu",
        normalization="actnorm",
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
        self.num_scales = check_integer(num_scales, "num_scales")
        self.num_couplings = check_integer(num_couplings, "num_couplings")
        check_choice(normalization, "normalization", _NORMALIZATIONS)
        self.normalization = normalization
        self.hidden_units = tuple(hidden_units)
        self.kernel_size = kernel_size
        self.activation = activation
        if len(self.event_shape) == 3:
            self._check_image_size()
            self._plan_images()
        elif len(self.event_shape) == 1:
            self._plan = []
            self.bijectors = []
            self._add_couplings("alternate", self.num_couplings)
        else:
            raise ValueError(
                "RealNVP models vectors (features,) or images (height, "
                f"width, channels). Received event_shape={self.event_shape}."
            )
        self.build_flow()

    def _check_image_size(self):
        factor = 2 ** (self.num_scales - 1)
        height, width, _ = self.event_shape
        if height % factor or width % factor:
            raise ValueError(
                f"RealNVP with num_scales={self.num_scales} squeezes "
                f"{self.num_scales - 1} times, so image height and width must "
                f"be divisible by {factor}. Received event_shape="
                f"{self.event_shape}. Use fewer scales, or pad the images."
            )

    def _add(self, bijector):
        self._plan.append(len(self.bijectors))
        self.bijectors.append(bijector)

    def _add_couplings(self, mask, count):
        for i in range(count):
            self._add(
                AffineCoupling(
                    mask,
                    reverse=i % 2 == 1,
                    hidden_units=self.hidden_units,
                    kernel_size=self.kernel_size,
                    activation=self.activation,
                )
            )
            if self.normalization == "actnorm":
                self._add(ActNorm())
            elif self.normalization == "batch_norm":
                self._add(FlowBatchNormalization())

    def _plan_images(self):
        """The steps: bijector indices, and `_FACTOR_OUT` between scales."""
        self._plan = []
        self.bijectors = []
        for _ in range(self.num_scales - 1):
            self._add_couplings("checkerboard", self.num_couplings)
            self._add(Squeeze())
            self._add_couplings("channel", self.num_couplings)
            self._plan.append(_FACTOR_OUT)
        self._add_couplings("checkerboard", self.num_couplings + 1)

    def _build_bijectors(self):
        shape = (None, *self.event_shape)
        self._latent_shapes = []
        for step in self._plan:
            if step == _FACTOR_OUT:
                half = shape[-1] // 2
                self._latent_shapes.append((*shape[1:-1], half))
                shape = (*shape[:-1], shape[-1] - half)
            else:
                bijector = self.bijectors[step]
                bijector.build(shape)
                shape = bijector.transformed_shape(shape)
        self._latent_shapes.append(shape[1:])

    def _flow_transform(self, x, training=False):
        parts, log_det = [], 0.0
        for step in self._plan:
            if step == _FACTOR_OUT:
                half = x.shape[-1] // 2
                parts.append(_flat(x[..., :half]))
                x = x[..., half:]
            else:
                x, part = self.bijectors[step].transform(x, training=training)
                log_det = log_det + part
        parts.append(_flat(x))
        return ops.concatenate(parts, axis=1), log_det

    def _flow_inverse(self, z):
        sizes = [int(np.prod(s)) for s in self._latent_shapes]
        ends = np.cumsum(sizes)
        parts = [
            ops.reshape(z[:, end - size : end], (-1, *shape))
            for size, end, shape in zip(sizes, ends, self._latent_shapes)
        ]
        x, log_det = parts.pop(), 0.0
        for step in reversed(self._plan):
            if step == _FACTOR_OUT:
                x = ops.concatenate([parts.pop(), x], axis=-1)
            else:
                x, part = self.bijectors[step].inverse_transform(x)
                log_det = log_det + part
        return x, log_det

    def get_config(self):
        return {
            **super().get_config(),
            "num_scales": self.num_scales,
            "num_couplings": self.num_couplings,
            "hidden_units": list(self.hidden_units),
            "kernel_size": self.kernel_size,
            "activation": self.activation,
            "normalization": self.normalization,
        }


def _flat(x):
    return ops.reshape(x, (ops.shape(x)[0], -1))
