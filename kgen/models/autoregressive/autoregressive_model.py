"""Base class of kgen's autoregressive models (NADE, MADE, PixelCNN)."""

import keras
import numpy as np
from keras import ops

from kgen.models.generative_model import GenerativeModel
from kgen.utils.binary import bernoulli
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class AutoregressiveModel(GenerativeModel):
    """An exact-likelihood model `p(x) = prod_d p(x_d | x_<d)`, fit by `fit`.

    Subclasses compute, in one pass, the logits of every conditional
    `p(x_d | x_<d)` for an order of the variables (`conditional_logits`)
    and name that order (`generation_order`). This base class turns them
    into:

    - `call(x)`: `log p(x)` per sample, in nats; `fit` minimises its
      negative mean (maximum likelihood) and `evaluate` reports it as
      `loss` (the test negative log-likelihood, nats per sample);
    - `log_prob(x)`: the same as a NumPy array, data checked first;
    - `generate(num_samples, seed=...)`: ancestral sampling, one variable
      at a time in the generation order;
    - `complete(x, observed_mask, seed=...)`: the same, keeping observed
      values.

    Variables are binary (`num_classes=2`: one logit each, Bernoulli) or
    categorical with values `0..num_classes - 1` (one logit per class).

    Args:
        event_shape: shape of one sample, e.g. `(64,)` or `(28, 28, 1)`.
        num_classes: int >= 2, values per variable.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).
    """

    likelihood_methods = {"exact": "log_prob"}

    def __init__(self, event_shape, num_classes=2, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.event_shape = tuple(
            check_integer(s, "event_shape") for s in event_shape
        )
        self.num_classes = check_integer(num_classes, "num_classes", 2)
        self.num_variables = int(np.prod(self.event_shape))

    @property
    def binary(self):
        return self.num_classes == 2

    # ------------------------------------------------------ subclass hooks

    def conditional_logits(self, x, training=False, mask_index=0):
        """Logits of every `p(x_d | x_<d)`: `(batch, *event_shape)` for
        binary variables, `(batch, *event_shape, num_classes)` otherwise."""
        raise NotImplementedError

    def generation_order(self, mask_index=0):
        """Flat indices of the variables in the order they are generated."""
        return np.arange(self.num_variables)

    # ------------------------------------------------------ likelihood

    def log_prob_from_logits(self, x, logits):
        """`log p(x)` per sample given `conditional_logits(x)`."""
        x = ops.cast(x, logits.dtype)
        if self.binary:
            terms = x * logits - ops.softplus(logits)
        else:
            classes = ops.one_hot(ops.cast(x, "int32"), self.num_classes)
            terms = ops.sum(classes * ops.log_softmax(logits, axis=-1), -1)
        return ops.sum(ops.reshape(terms, (ops.shape(x)[0], -1)), axis=-1)

    def call(self, inputs, training=False):
        return self.log_prob_from_logits(
            inputs, self.conditional_logits(inputs, training)
        )

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        """Negative mean log-likelihood (nats per sample) of the batch."""
        nll = -y_pred
        if sample_weight is not None:
            nll = nll * ops.reshape(ops.cast(sample_weight, nll.dtype), (-1,))
        loss = ops.mean(nll)
        for extra in self.losses:
            loss = loss + ops.cast(extra, loss.dtype)
        return loss

    def fit(self, x=None, y=None, **kwargs):
        self._reject_targets(y)
        return super().fit(x, **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        self._reject_targets(y)
        return super().evaluate(x, **kwargs)

    def _reject_targets(self, y):
        if y is not None:
            raise ValueError(
                f"{type(self).__name__} learns `p(x)` from `x` alone. "
                "Received `y` too; call `fit(x)`."
            )

    def log_prob(self, x, batch_size=256):
        """Exact `log p(x)` per sample, in nats.

        Args:
            x: array of shape `(n, *event_shape)`.
            batch_size: samples per forward pass.

        Returns:
            NumPy array of shape `(n,)`.
        """
        x = self.check_samples(x)
        return np.asarray(
            self.predict(x, batch_size=batch_size, verbose=0), "float64"
        )

    # ------------------------------------------------------ input checks

    def check_samples(self, x, name="x"):
        """Checks shape and values of `x` and returns it as float32 NumPy."""
        if self.binary:
            hint = "Binarise the data (e.g. `x > 0.5`)."
            low, high = 0, 1
        else:
            hint = "Pass integer class values, e.g. pixel intensities 0..255."
            low, high = 0, self.num_classes - 1
        x = check_array(
            x,
            name,
            feature_shape=self.event_shape,
            low=low,
            high=high,
            range_hint=hint,
        )
        if not np.array_equal(x, np.round(x)):
            kind = "0 or 1" if self.binary else f"integers 0..{high}"
            raise ValueError(
                f"`{name}` must hold {kind} for {type(self).__name__} with "
                f"num_classes={self.num_classes}. Received non-integer values "
                f"such as {x[x != np.round(x)][0]:g}. {hint}"
            )
        return x

    def check_inputs(self, x):
        if isinstance(x, np.ndarray) or ops.is_tensor(x):
            self.check_samples(ops.convert_to_numpy(x))

    # ------------------------------------------------------ sampling

    def sample(self, num_samples, seed, mask_index=0):
        """Ancestral samples, shape `(num_samples, *event_shape)`.

        Args:
            num_samples: int >= 1.
            seed: int or `keras.random.SeedGenerator`.
            mask_index: for models with several orderings (MADE), which one.
        """
        x = np.zeros((num_samples, *self.event_shape), "float32")
        observed = np.zeros_like(x, dtype=bool)
        return self._ancestral(x, observed, seed, mask_index)

    def complete(self, x, observed_mask, seed=None, mask_index=0):
        """Samples the unobserved variables of `x` given the observed ones.

        Variables are drawn one at a time in the generation order, each from
        `p(x_d | x_<d)` with observed values kept. When every observed
        variable comes before every unobserved one in that order (e.g. the
        top rows of an image in raster order), each completion is an exact
        sample of `p(x_unobserved | x_observed)`; otherwise the observed
        variables later in the order do not inform the earlier draws.

        Args:
            x: array of shape `(n, *event_shape)`; unobserved entries may
                hold any valid value.
            observed_mask: boolean array of the same shape, `True` where
                `x` is observed.
            seed: int for a reproducible draw, or `None` to advance the
                model's own random stream.
            mask_index: for models with several orderings (MADE), which one.

        Returns:
            NumPy array of shape `(n, *event_shape)`, equal to `x` where
            observed.
        """
        x = self.check_samples(x)
        observed = np.asarray(observed_mask)
        if observed.shape != x.shape:
            raise ValueError(
                f"`observed_mask` must have the shape of `x`, {x.shape}. "
                f"Received shape {observed.shape}."
            )
        return ops.convert_to_numpy(
            self._ancestral(
                x, observed.astype(bool), self._seed_for(seed), mask_index
            )
        )

    def _ancestral(self, x, observed, seed, mask_index):
        """Draws the unobserved variables of `x`, in generation order."""
        count = x.shape[0]
        flat = ops.convert_to_tensor(x.reshape(count, -1))
        keep = ops.convert_to_tensor(observed.reshape(count, -1))
        columns = np.eye(self.num_variables, dtype=bool)
        for index in self.generation_order(mask_index):
            logits = self.conditional_logits(
                ops.reshape(flat, (count, *self.event_shape)),
                mask_index=mask_index,
            )
            logits = ops.reshape(logits, (count, self.num_variables, -1))[
                :, index
            ]
            value = ops.where(
                keep[:, index], flat[:, index], self._draw(logits, seed)
            )
            flat = ops.where(columns[index][None], value[:, None], flat)
        return ops.reshape(flat, (count, *self.event_shape))

    def _draw(self, logits, seed):
        """One value per row of logits `(batch, 1)` or `(batch, classes)`."""
        if self.binary:
            probabilities = ops.cast(ops.sigmoid(logits[:, 0]), "float32")
            return bernoulli(probabilities, seed)
        draws = keras.random.categorical(logits, 1, seed=seed)[:, 0]
        return ops.cast(draws, "float32")
