"""Restricted Boltzmann machine layer with categorical (softmax) visible units."""

import keras
import numpy as np
from keras import ops

from kgen.layers.rbm_layer import RBMLayer
from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class CategoricalRBM(RBMLayer):
    """RBM layer whose visible units are one-hot (softmax) groups.

    The visible vector is made of `num_visible / num_categories` groups of
    `num_categories` units, each group one-hot encoding one categorical
    variable (e.g. a user's 1-5 star rating of one film). A group of zeros
    marks a missing entry: it contributes nothing to the energy, and Gibbs
    sampling and reconstructions leave it at zero, so every sample is
    modelled by the RBM restricted to its observed groups, with shared
    weights (Salakhutdinov, Mnih & Hinton, 2007). Within a group,
    `P(v_g = k | h) = softmax_k(b_gk + W_gk h)`. Use
    `one_hot(categories)` to encode integer data with `-1` for missing.

    Likelihood functions (`kgen.metrics`) treat the data as complete.

    Reference:
        Salakhutdinov, Mnih & Hinton, "Restricted Boltzmann Machines for
        Collaborative Filtering", ICML (2007).

    Args:
        num_hidden: int >= 1, number of hidden units.
        num_categories: int >= 2, units per group.
        kernel_initializer: initializer of the weights (default: normal with
            standard deviation 0.01).
        seed: int or `None`, seed of the layer's own random stream.
        **kwargs: passed to `keras.layers.Layer`.

    Example:

    ```python
    rbm = kgen.layers.CategoricalRBM(100, num_categories=5)
    v = rbm.one_hot([[0, 4, -1], [2, -1, 1]])  # shape (2, 15)
    features = rbm(v)
    ```
    """

    def __init__(
        self,
        num_hidden,
        num_categories,
        kernel_initializer=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            num_hidden,
            kernel_initializer=kernel_initializer,
            seed=seed,
            **kwargs,
        )
        self.num_categories = check_integer(
            num_categories, "num_categories", minimum=2
        )

    def check_num_visible(self, num_visible):
        super().check_num_visible(num_visible)
        if num_visible % self.num_categories:
            raise ValueError(
                f"A CategoricalRBM with num_categories={self.num_categories} "
                f"needs a multiple of {self.num_categories} visible units (one "
                f"one-hot group per variable). Received {num_visible} features. "
                "Encode the data with `layer.one_hot(categories)`."
            )

    def one_hot(self, categories):
        """Encodes integer categories (`-1` for missing) as one-hot groups.

        Args:
            categories: int array of shape `(num_samples, num_groups)` with
                values in `[0, num_categories)`, or `-1` for a missing entry.

        Returns:
            float32 NumPy array of shape `(num_samples, num_groups *
            num_categories)`.
        """
        categories = np.asarray(categories)
        if (
            categories.ndim != 2
            or categories.min() < -1
            or categories.max() >= self.num_categories
        ):
            raise ValueError(
                "`categories` must be a 2-D integer array with values in "
                f"[0, {self.num_categories - 1}], or -1 for missing. Received "
                f"shape {categories.shape} with values in "
                f"[{categories.min()}, {categories.max()}]."
            )
        encoded = np.arange(self.num_categories) == categories[..., None]
        return encoded.reshape(len(categories), -1).astype("float32")

    def _groups(self, x):
        groups = self.num_visible // self.num_categories  # static, unlike -1
        return ops.reshape(x, (*ops.shape(x)[:-1], groups, self.num_categories))

    def _flat(self, x):
        return ops.reshape(x, (*ops.shape(x)[:-2], self.num_visible))

    def visible_mean(self, field, parameters):
        return self._flat(ops.softmax(self._groups(field), axis=-1))

    def sample_visible_from_field(self, field, parameters, seed):
        logits = self._groups(field)
        uniform = keras.random.uniform(
            ops.shape(logits), minval=1e-7, maxval=1.0, seed=seed
        )
        choice = ops.argmax(logits - ops.log(-ops.log(uniform)), axis=-1)
        return self._flat(
            ops.one_hot(choice, self.num_categories, dtype=field.dtype)
        )

    def visible_log_normalizer(self, field, parameters):
        return ops.sum(ops.logsumexp(self._groups(field), axis=-1), axis=-1)

    def visible_mask(self, v):
        observed = ops.sum(self._groups(v), axis=-1, keepdims=True) > 0
        return self._flat(
            ops.cast(
                ops.broadcast_to(observed, ops.shape(self._groups(v))), v.dtype
            )
        )

    def base_rate_parameters(self, x):
        groups = self.check_data(x).reshape(len(x), -1, self.num_categories)
        counts = groups.sum(axis=0) + 1.0
        log_frequency = np.log(counts / counts.sum(axis=-1, keepdims=True))
        return self.independent_parameters(log_frequency.reshape(-1))

    def check_data(self, x, name="x"):
        x = super().check_data(x, name)
        self.check_num_visible(x.shape[-1])
        sums = x.reshape(len(x), -1, self.num_categories).sum(axis=-1)
        if not np.isin(x, (0.0, 1.0)).all() or sums.max() > 1:
            raise ValueError(
                f"`{name}` must hold one-hot groups of {self.num_categories} "
                "0/1 values (all zeros for a missing entry). Received values "
                f"in [{x.min():g}, {x.max():g}] and up to {sums.max():g} ones "
                "per group. Encode integer data with `layer.one_hot(categories)`."
            )
        return x

    def get_config(self):
        return {**super().get_config(), "num_categories": self.num_categories}
