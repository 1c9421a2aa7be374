"""Bernoulli-Bernoulli restricted Boltzmann machine layer."""

import keras
import numpy as np
from keras import ops

from kgen.layers.rbm_layer import RBMLayer
from kgen.utils.binary import bernoulli


@keras.saving.register_keras_serializable(package="kgen")
class BernoulliRBM(RBMLayer):
    """RBM layer with binary visible and binary hidden units.

    The energy is `E(v, h) = -b^T v - c^T h - v^T W h` for `v` in
    `{0, 1}^num_visible`, so `P(v_i = 1 | h) = sigmoid(b_i + W_i h)` and
    `P(h_j = 1 | v) = sigmoid(c_j + v^T W_j)`. Inputs may also be
    probabilities in `[0, 1]` (e.g. grey levels), which CD treats as
    expectations.

    Reference:
        Hinton, "Training Products of Experts by Minimizing Contrastive
        Divergence", Neural Computation 14 (2002).

    Args:
        num_hidden: int >= 1, number of hidden units.
        kernel_initializer: initializer of the weights (default: normal with
            standard deviation 0.01).
        seed: int or `None`, seed of the layer's own random stream.
        **kwargs: passed to `keras.layers.Layer`.

    Example:

    ```python
    rbm = kgen.layers.BernoulliRBM(16)
    features = rbm(x)  # P(h = 1 | v), shape (batch, 16)
    ```
    """

    enumerable_visible = True

    def visible_mean(self, field, parameters):
        return ops.sigmoid(field)

    def sample_visible_from_field(self, field, parameters, seed):
        return bernoulli(ops.sigmoid(field), seed)

    def visible_log_normalizer(self, field, parameters):
        return ops.sum(ops.softplus(field), axis=-1)

    def base_rate_parameters(self, x):
        x = self.check_data(x)
        mean = (x.sum(axis=0) + 5.0) / (len(x) + 10.0)
        return self.independent_parameters(np.log(mean) - np.log1p(-mean))

    def check_data(self, x, name="x"):
        x = super().check_data(x, name)
        if x.min() < 0 or x.max() > 1:
            raise ValueError(
                f"`{name}` must lie in [0, 1] for a BernoulliRBM. Received "
                f"values in [{x.min():g}, {x.max():g}]. Scale the data to "
                "[0, 1] (e.g. `x / x.max()`) or binarise it, or use a "
                "GaussianBernoulliRBM for real-valued data."
            )
        return x
