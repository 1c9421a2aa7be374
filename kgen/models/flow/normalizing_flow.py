"""The base class of kgen's normalising flows."""

import math

import keras
import numpy as np
from keras import ops

from kgen.layers.bijector import Bijector
from kgen.layers.logit_transform import LogitTransform
from kgen.models.generative_model import GenerativeModel
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array

_LOG_2PI = math.log(2.0 * math.pi)


@keras.saving.register_keras_serializable(package="kgen")
class NormalizingFlow(GenerativeModel):
    """A normalising flow: a chain of bijectors onto a standard Gaussian.

    The flow `f` maps a sample `x` to `z = f(x)` of the same size, and

    \\[ \\log p(x) = \\log \\mathcal{N}(f(x); 0, I)
        + \\log |\\det \\partial f / \\partial x|, \\]

    exact. `fit` minimises the negative log-likelihood in nats per sample
    (the `loss`) and logs it in bits per dimension (`bits_per_dim`);
    `generate` draws `z ~ N(0, temperature^2 I)` and inverts the flow.

    **Discrete data.** With `num_levels=K` the data are integers in
    `0..K-1` (e.g. 256 pixel levels) and are dequantised: every training
    step adds uniform noise `u ~ U[0, 1)^D`, and the flow models the density
    of `x + u` on `[0, K)^D`. For any such density `p`,
    `log P(x) = log E_u p(x + u) >= E_u log p(x + u)` (Jensen; the cells
    have volume 1), so the loss is an upper bound on the discrete model's
    negative log-likelihood, and `log_prob` is a lower bound on `log P(x)`
    (tightened by averaging `num_samples` draws inside the logarithm).
    Samples are `floor(x)` of continuous draws, which is exactly how the
    discrete model generates. The flow sees `(x + u) / K` in `[0, 1)`, and
    with `logit_alpha` the logit transform `kgen.layers.LogitTransform` of
    it; both are part of the density.

    Subclasses (`kgen.models.RealNVP`, `kgen.models.MAF`) build their own
    bijectors; this class also composes any list of `kgen.layers.Bijector`s
    that keep the sample shape.

    Reference:
        Rezende and Mohamed, "Variational Inference with Normalizing
        Flows", ICML 2015; Dinh, Sohl-Dickstein and Bengio, "Density
        estimation using Real NVP", ICLR 2017 (dequantisation, bits per
        dimension).

    Args:
        event_shape: shape of one sample, e.g. `(2,)` or `(28, 28, 1)`.
        bijectors: list of `kgen.layers.Bijector`s applied in order, data
            to noise (subclasses pass `None`).
        num_levels: `None` for continuous data, or int K >= 2 for integer
            data in `0..K-1`, uniformly dequantised.
        logit_alpha: `None`, or float in [0, 0.5) to apply the logit
            transform to the data scaled into [0, 1] (needs `num_levels`).
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    flow = kgen.models.NormalizingFlow(
        (2,),
        [kgen.layers.AffineCoupling("alternate", reverse=r) for r in (0, 1)],
        seed=0,
    )
    flow.compile(optimizer="adam")
    flow.fit(x, epochs=10, batch_size=128)
    log_p = flow.log_prob(x)                 # (n,), nats
    samples = flow.generate(500, seed=0)     # (500, 2)
    ```
    """

    # `log_prob`: exact for continuous data, the dequantisation bound for
    # `num_levels` data.
    likelihood_methods = {"exact": "log_prob"}

    def __init__(
        self,
        event_shape,
        bijectors=None,
        num_levels=None,
        logit_alpha=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.event_shape = _check_event_shape(event_shape)
        self.num_features = int(np.prod(self.event_shape))
        # Created here, not in the first step: a distributed JAX step fixes
        # the layout of every metric variable before it is traced.
        self.add_tracker("bits_per_dim")
        if num_levels is not None:
            num_levels = check_integer(num_levels, "num_levels", minimum=2)
        self.num_levels = num_levels
        if logit_alpha is not None and num_levels is None:
            raise ValueError(
                "`logit_alpha` applies the logit transform to data scaled "
                "into [0, 1], which needs discrete data: pass `num_levels` "
                "too, or logit_alpha=None for continuous data."
            )
        self.logit = None
        if logit_alpha is not None:
            self.logit = LogitTransform(logit_alpha, name="logit")
        self.logit_alpha = logit_alpha
        if type(self) is NormalizingFlow or bijectors is not None:
            self.bijectors = _check_bijectors(bijectors)
            self.build_flow()

    # ------------------------------------------------------------ the flow

    def build_flow(self):
        """Builds `self.bijectors` on the event shape and marks the model
        built (subclasses create the bijectors, then call this)."""
        self._build_bijectors()
        self.built = True

    def _build_bijectors(self):
        shape = (None, *self.event_shape)
        for bijector in self.bijectors:
            if not bijector.built:
                bijector.build(shape)
            shape = bijector.transformed_shape(shape)
        if shape[1:] != self.event_shape:
            raise ValueError(
                "A NormalizingFlow's bijectors must keep the sample shape "
                f"{self.event_shape}; they end at {shape[1:]}. Derive a class "
                "that implements `_flow_transform` and `_flow_inverse`."
            )

    def _flow_transform(self, x, training=False):
        """The core flow: `(z, log_det)`, `z` flattened to `(batch, D)`."""
        log_det = 0.0
        for bijector in self.bijectors:
            x, part = bijector.transform(x, training=training)
            log_det = log_det + part
        return ops.reshape(x, (-1, self.num_features)), log_det

    def _flow_inverse(self, z):
        """The inverse of `_flow_transform`: `(x, log_det)` from flat `z`."""
        x = ops.reshape(z, (-1, *self.event_shape))
        log_det = 0.0
        for bijector in reversed(self.bijectors):
            x, part = bijector.inverse_transform(x)
            log_det = log_det + part
        return x, log_det

    def _scale(self):
        """The map of discrete data's range onto [0, 1] (1 if continuous)."""
        return 1.0 if self.num_levels is None else 1.0 / self.num_levels

    def transform(self, x, training=False):
        """Maps continuous data to the Gaussian noise, with log-determinant.

        For dequantised models `x` is on the data's scale, in `[0, K)`.

        Args:
            x: array `(batch, *event_shape)`.
            training: whether to use batch statistics (and initialise
                `ActNorm` layers), as in a training step.

        Returns:
            `(z, log_det)`: tensors of shapes `(batch, D)` and `(batch,)`,
            with `D` the number of features.
        """
        x = ops.convert_to_tensor(x, "float32")
        scale = self._scale()
        y = x * scale
        log_det = self.num_features * math.log(scale)
        if self.logit is not None:
            y, part = self.logit.transform(y)
            log_det = log_det + part
        z, part = self._flow_transform(y, training=training)
        return z, log_det + part

    def inverse_transform(self, z):
        """Maps noise `z` `(batch, D)` to data: `(x, log |det dx/dz|)`."""
        z = ops.convert_to_tensor(z, "float32")
        y, log_det = self._flow_inverse(z)
        if self.logit is not None:
            y, part = self.logit.inverse_transform(y)
            log_det = log_det + part
        scale = self._scale()
        return y / scale, log_det - self.num_features * math.log(scale)

    def _log_density(self, x, training=False):
        z, log_det = self.transform(x, training=training)
        base = -0.5 * ops.sum(ops.square(z), axis=1)
        return base - 0.5 * self.num_features * _LOG_2PI + log_det

    def _dequantized(self, x, seed):
        x = ops.convert_to_tensor(x, "float32")
        if self.num_levels is None:
            return x
        return x + keras.random.uniform(ops.shape(x), seed=seed)

    def call(self, x, training=False):
        """Per-sample log-density in nats (a one-draw bound if discrete)."""
        return self._log_density(
            self._dequantized(x, self.seed_generator), training=training
        )

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        """The mean negative log-likelihood in nats; logs `bits_per_dim`."""
        log_p = self(x, training=training) if y_pred is None else y_pred
        if sample_weight is not None:
            weight = ops.reshape(
                ops.cast(sample_weight, log_p.dtype), ops.shape(log_p)
            )
            log_p = log_p * weight
        loss = -ops.mean(log_p)
        self.add_tracker("bits_per_dim").update_state(
            loss / (self.num_features * math.log(2.0)),
            sample_weight=ops.shape(log_p)[0],
        )
        for extra in self.losses:
            loss = loss + ops.cast(extra, loss.dtype)
        return loss

    # ------------------------------------------------------------ checks

    def check_inputs(self, x):
        """Checks sample shape, finiteness and, if discrete, the levels."""
        if is_array(x):
            self._checked(x)

    def _checked(self, x, name="x"):
        if self.num_levels is None:
            return check_array(x, name, feature_shape=self.event_shape)
        array = check_array(
            x,
            name,
            feature_shape=self.event_shape,
            low=0,
            high=self.num_levels - 1,
            range_hint=(
                f"A flow with num_levels={self.num_levels} models integers "
                f"0..{self.num_levels - 1}: rescale the data (e.g. pixel "
                "values 0..255 for num_levels=256)."
            ),
        )
        if not np.array_equal(array, np.round(array)):
            raise ValueError(
                f"`{name}` must hold integers 0..{self.num_levels - 1} for a "
                f"flow with num_levels={self.num_levels} (they are "
                "dequantised with uniform noise). Received non-integer "
                "values. Quantise the data, or use num_levels=None for "
                "continuous data."
            )
        return array

    # ------------------------------------------------------------ public API

    def log_prob(self, x, num_samples=1, batch_size=256, seed=0):
        """Exact log-density of each sample, in nats.

        For continuous data, `log p(x)` exactly. For discrete data
        (`num_levels`), the dequantisation bound
        `log (1/k) sum_i p(x + u_i) <= log P(x)` with `k = num_samples`
        uniform draws `u_i` (exact in the limit of many draws).

        Args:
            x: array `(n, *event_shape)`.
            num_samples: int >= 1, dequantisation draws per sample.
            batch_size: samples per pass (times `num_samples` draws).
            seed: int for a reproducible estimate, or `None` to advance the
                model's own random stream (discrete data only).

        Returns:
            NumPy array of shape `(n,)`.
        """
        x = self._checked(x)
        k = check_integer(num_samples, "num_samples")
        k = k if self.num_levels else 1
        batch_size = check_integer(batch_size, "batch_size")
        seed = self._seed_for(seed)
        parts = []
        for start in range(0, len(x), batch_size):
            batch = x[start : start + batch_size]
            tiled = np.tile(batch, (k,) + (1,) * (batch.ndim - 1))
            draws = self._log_density(self._dequantized(tiled, seed))
            draws = ops.reshape(draws, (k, len(batch)))
            parts.append(
                ops.convert_to_numpy(ops.logsumexp(draws, axis=0) - math.log(k))
            )
        return np.concatenate(parts)

    def bits_per_dim(self, x, **kwargs):
        """The mean negative log-likelihood in bits per dimension.

        `-mean(log_prob(x)) / (D log 2)`; for dequantised data on `K`
        levels this is the standard figure for images (e.g. about 1 bit
        for MNIST). Keyword arguments go to `log_prob`.

        Returns:
            float.
        """
        log_p = self.log_prob(x, **kwargs)
        return float(-np.mean(log_p) / (self.num_features * math.log(2.0)))

    def sample(self, num_samples, seed, temperature=1.0):
        """Draws `x = f^-1(z)`, `z ~ N(0, temperature^2 I)` (see `generate`).

        Args:
            num_samples: int >= 1.
            seed: int or `keras.random.SeedGenerator`.
            temperature: float > 0, the noise's standard deviation; below 1
                gives smoother, more typical samples.

        Returns:
            Tensor `(num_samples, *event_shape)`; for discrete data,
            integers `0..K-1` as floats.
        """
        temperature = check_number(
            temperature, "temperature", low=0, low_open=True
        )
        z = temperature * keras.random.normal(
            (num_samples, self.num_features), seed=seed
        )
        x, _ = self.inverse_transform(z)
        if self.num_levels is None:
            return x
        return ops.clip(ops.floor(x), 0.0, self.num_levels - 1.0)

    # ------------------------------------------------------------ saving

    def get_config(self):
        config = {
            **super().get_config(),
            "event_shape": list(self.event_shape),
            "num_levels": self.num_levels,
            "logit_alpha": self.logit_alpha,
        }
        if type(self) is NormalizingFlow:
            config["bijectors"] = [serialize_network(b) for b in self.bijectors]
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "bijectors" in config:
            config["bijectors"] = [
                deserialize_network(b, "bijectors") for b in config["bijectors"]
            ]
        return super().from_config(config)


def _check_event_shape(event_shape):
    shape = tuple(event_shape) if hasattr(event_shape, "__len__") else None
    if not shape or not all(
        isinstance(s, (int, np.integer)) and s >= 1 for s in shape
    ):
        raise ValueError(
            "`event_shape` must be the shape of one sample, a tuple of "
            f"positive ints such as (2,) or (28, 28, 1). Received: "
            f"{event_shape!r}."
        )
    return tuple(int(s) for s in shape)


def _check_bijectors(bijectors):
    bijectors = list(bijectors)
    if not bijectors or not all(isinstance(b, Bijector) for b in bijectors):
        raise ValueError(
            "`bijectors` must be a non-empty list of kgen.layers.Bijector "
            f"instances. Received: {bijectors!r}."
        )
    return bijectors
