"""Gaussian hidden units for RBM layers (shared by the Gaussian-hidden RBMs)."""

import math

import keras
from keras import ops


class GaussianHiddenUnits:
    """Mixin: real-valued hidden units with unit variance.

    Replaces the binary hidden units of an `RBMLayer` by Gaussian ones with
    the energy term `||h - c||^2 / 2`, so

    $$E(v, h) = -\\phi(v) + \\tfrac12\\lVert h - c\\rVert^2 - s(v)^\\top W h,
    \\qquad h \\mid v \\sim \\mathcal N(c + W^\\top s(v), I),$$

    and the free energy integrates `h` out in closed form:
    `F(v) = -phi(v) - c^T W^T s(v) - ||W^T s(v)||^2 / 2 - (H / 2) log(2 pi)`.
    Calling the layer returns the conditional mean `E[h | v]`, a continuous
    code of `v`. Tempering is not supported (it would change the unit
    variances).
    """

    #: Exact log Z cannot enumerate the (continuous) hidden states.
    binary_hidden = False

    def hidden_mean_from_field(self, field):
        """`E[h | v]`: the field `c + W^T s(v)` itself (Gaussian units)."""
        return field

    def sample_hidden_from_field(self, field, seed):
        """Hidden states drawn from `N(c + W^T s(v), I)` given its mean."""
        noise = keras.random.normal(
            ops.shape(field), seed=seed, dtype=field.dtype
        )
        return field + noise

    def energy_from_field(self, v, field, h, parameters):
        bias = parameters["hidden_bias"]
        interaction = ops.sum((field - bias) * h, axis=-1)
        hidden_term = 0.5 * ops.sum(ops.square(h - bias), axis=-1)
        return -self.visible_term(v, parameters) - interaction + hidden_term

    def free_energy(self, v, parameters=None):
        p = self._resolve(parameters)
        v = self._tensor(v)
        coupling = ops.matmul(self.visible_statistic(v, p), p["kernel"])
        return self._free_energy_from_coupling(v, coupling, p)

    def free_energy_from_field(self, v, field, parameters):
        coupling = field - parameters["hidden_bias"]
        return self._free_energy_from_coupling(v, coupling, parameters)

    def _free_energy_from_coupling(self, v, coupling, p):
        """`F(v)` given the coupling `W^T s(v)` (the field less `c`)."""
        gaussian = ops.sum(
            coupling * p["hidden_bias"] + 0.5 * ops.square(coupling), axis=-1
        )
        constant = 0.5 * self.num_hidden * math.log(2.0 * math.pi)
        return -self.visible_term(v, p) - gaussian - constant

    def hidden_free_energy(self, h, parameters=None):
        p = self._resolve(parameters)
        h = self._tensor(h)
        hidden_term = 0.5 * ops.sum(ops.square(h - p["hidden_bias"]), axis=-1)
        return hidden_term - self.visible_log_normalizer(
            self.visible_field(h, p), p
        )

    def temper(self, parameters, temperature):
        raise NotImplementedError(
            f"{type(self).__name__} has unit-variance Gaussian hidden units, "
            "so `exp(-E / T)` is not a member of the family for T != 1: "
            "tempered sampling, annealing and AIS are not supported. Its "
            "`log_partition()` is exact."
        )
