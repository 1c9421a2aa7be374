"""Gaussian-Bernoulli restricted Boltzmann machine layer."""

import math
import warnings

import keras
import numpy as np
from keras import ops

from kgen.layers.rbm_layer import RBMLayer
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class GaussianBernoulliRBM(RBMLayer):
    """RBM layer with real-valued (Gaussian) visible and binary hidden units.

    Uses the parameterisation of Cho, Raiko & Ilin (2011):

    $$E(v, h) = \\sum_i \\frac{(v_i - b_i)^2}{2\\sigma_i^2} - c^\\top h
    - \\sum_{ij} \\frac{v_i}{\\sigma_i^2} W_{ij} h_j,$$

    so `v | h ~ N(b + W h, diag(sigma^2))`, `P(h_j = 1 | v) =
    sigmoid(c_j + sum_i v_i W_ij / sigma_i^2)` and the free energy is
    `F(v) = sum_i (v_i - b_i)^2 / (2 sigma_i^2) - sum_j softplus(c_j +
    sum_i v_i W_ij / sigma_i^2)`. The per-visible standard deviation `sigma`
    is either fixed (default 1, for standardised data) or learned through a
    `log_sigma` weight, which keeps it positive.

    Standardise the data (zero mean, unit variance per feature, e.g. with
    `sklearn.preprocessing.StandardScaler`) and use a learning rate about ten
    times smaller than for binary units (Hinton's guide, section 13.2).

    Reference:
        Cho, Raiko & Ilin, "Improved Learning of Gaussian-Bernoulli
        Restricted Boltzmann Machines", ICANN (2011).

    Args:
        num_hidden: int >= 1, number of hidden units.
        sigma: float > 0, the initial (or fixed) standard deviation of every
            visible unit.
        learn_sigma: whether `log_sigma` is trained.
        kernel_initializer: initializer of the weights (default: normal with
            standard deviation 0.01).
        seed: int or `None`, seed of the layer's own random stream.
        **kwargs: passed to `keras.layers.Layer`.

    Example:

    ```python
    rbm = kgen.layers.GaussianBernoulliRBM(64, learn_sigma=True)
    model = kgen.models.RBM(rbm)
    ```
    """

    def __init__(
        self,
        num_hidden,
        sigma=1.0,
        learn_sigma=False,
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
        self.sigma = check_number(sigma, "sigma", low=0, low_open=True)
        self.learn_sigma = bool(learn_sigma)

    def build(self, input_shape):
        super().build(input_shape)
        self.log_sigma = self.add_weight(
            shape=(input_shape[-1],),
            initializer=keras.initializers.Constant(math.log(self.sigma)),
            trainable=self.learn_sigma,
            name="log_sigma",
        )

    def _parameter_variables(self):
        return [*super()._parameter_variables(), ("log_sigma", self.log_sigma)]

    def temper(self, parameters, temperature):
        # exp(-E / T) is the same model with sigma^2 * T and c / T.
        return {
            **parameters,
            "hidden_bias": parameters["hidden_bias"] / temperature,
            "log_sigma": parameters["log_sigma"]
            + 0.5 * ops.log(ops.convert_to_tensor(temperature)),
        }

    def base_rate_parameters(self, x):
        x = self.check_data(x)
        return self.independent_parameters(
            x.mean(axis=0), log_sigma=self.log_sigma.value
        )

    def visible_term(self, v, parameters):
        variance = ops.exp(2.0 * parameters["log_sigma"])
        return -ops.sum(
            ops.square(v - parameters["visible_bias"]) / (2.0 * variance),
            axis=-1,
        )

    def visible_statistic(self, v, parameters):
        return v * ops.exp(-2.0 * parameters["log_sigma"])

    def visible_mean(self, field, parameters):
        return field

    def sample_visible_from_field(self, field, parameters, seed):
        noise = keras.random.normal(
            ops.shape(field), seed=seed, dtype=field.dtype
        )
        return field + ops.exp(parameters["log_sigma"]) * noise

    def visible_log_normalizer(self, field, parameters):
        log_sigma = parameters["log_sigma"]
        shift = ops.square(field) - ops.square(parameters["visible_bias"])
        terms = (
            shift * ops.exp(-2.0 * log_sigma) / 2.0
            + log_sigma
            + 0.5 * math.log(2.0 * math.pi)
        )
        return ops.sum(terms, axis=-1)

    def check_data(self, x, name="x"):
        x = super().check_data(x, name)
        mean, std = x.mean(axis=0), x.std(axis=0)
        if len(x) > 1 and (
            np.abs(mean).max() > 0.5 or std.max() > 2.0 or std.min() < 0.05
        ):
            warnings.warn(
                f"GaussianBernoulliRBM works best on standardised data, but "
                f"`{name}` has feature means in [{mean.min():.3g}, "
                f"{mean.max():.3g}] and standard deviations in "
                f"[{std.min():.3g}, {std.max():.3g}]. Standardise each feature "
                "to zero mean and unit variance, e.g. with "
                "`sklearn.preprocessing.StandardScaler().fit_transform(x)`.",
                UserWarning,
                stacklevel=2,
            )
        return x

    def get_config(self):
        return {
            **super().get_config(),
            "sigma": self.sigma,
            "learn_sigma": self.learn_sigma,
        }
