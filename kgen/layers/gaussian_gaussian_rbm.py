"""RBM layer with Gaussian visible and Gaussian hidden units."""

import math

import keras
import numpy as np
from keras import ops

from kgen.layers.gaussian_bernoulli_rbm import GaussianBernoulliRBM
from kgen.layers.gaussian_hidden_units import GaussianHiddenUnits
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class GaussianGaussianRBM(GaussianHiddenUnits, GaussianBernoulliRBM):
    """RBM layer with real-valued visible and hidden units (unit variances).

    The energy is

    $$E(v, h) = \\tfrac12\\lVert v - b\\rVert^2 + \\tfrac12\\lVert h -
    c\\rVert^2 - v^\\top W h,$$

    so `v | h ~ N(b + W h, I)`, `h | v ~ N(c + W^T v, I)` and the joint
    `(v, h)` is Gaussian with precision `[[I, -W], [-W^T, I]]`. That matrix
    is positive definite, and the model normalisable, exactly when the
    largest singular value of `W` is below 1. The layer keeps it so: the
    kernel carries a constraint that rescales it to spectral norm at most
    `max_spectral_norm` after every optimizer step, and `check_normalizable`
    and `log_partition` raise a clear error otherwise. The marginal of `v`
    is `N(mu, (I - W W^T)^{-1})`: a linear-Gaussian model like
    probabilistic PCA, and `log_partition()` is its closed form

    $$\\log Z = \\frac{V + H}{2}\\log 2\\pi - \\frac12\\log\\det(I - W^\\top
    W) + \\frac12 \\eta^\\top \\Lambda^{-1}\\eta - \\frac12\\lVert\\eta
    \\rVert^2, \\quad \\eta = (b, c).$$

    Standardise the data (zero mean, unit variance per feature).

    Reference:
        Welling, Rosen-Zvi and Hinton, "Exponential Family Harmoniums with an
        Application to Information Retrieval", NIPS (2005).

    Args:
        num_hidden: int >= 1, number of Gaussian hidden units.
        max_spectral_norm: float in (0, 1), the bound kept on the kernel's
            largest singular value during training.
        kernel_initializer: initializer of the weights (default: normal with
            standard deviation 0.01).
        seed: int or `None`, seed of the layer's own random stream.
        **kwargs: passed to `keras.layers.Layer`.

    Example:

    ```python
    model = kgen.models.RBM(kgen.layers.GaussianGaussianRBM(8))
    model.compile(optimizer=keras.optimizers.SGD(0.001, momentum=0.9))
    model.fit(x_standardised, epochs=20, batch_size=64)
    log_z = model.layer.log_partition()  # exact
    ```
    """

    def __init__(
        self,
        num_hidden,
        max_spectral_norm=0.99,
        kernel_initializer=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            num_hidden,
            sigma=1.0,
            learn_sigma=False,
            kernel_initializer=kernel_initializer,
            seed=seed,
            **kwargs,
        )
        self.max_spectral_norm = check_number(
            max_spectral_norm,
            "max_spectral_norm",
            low=0,
            high=1,
            low_open=True,
            high_open=True,
            hint="The model is normalisable only while the kernel's largest "
            "singular value is below 1.",
        )

    def build(self, input_shape):
        super().build(input_shape)
        self.kernel.constraint = _SpectralNormBound(self.max_spectral_norm)

    def spectral_norm(self):
        """The largest singular value of the kernel, as a float."""
        kernel = ops.convert_to_numpy(self.kernel).astype("float64")
        return float(np.linalg.norm(kernel, 2))

    def check_normalizable(self):
        """Raises a `ValueError` unless the kernel's spectral norm is below 1."""
        norm = self.spectral_norm()
        if not norm < 1.0:
            raise ValueError(
                f"The Gaussian-Gaussian RBM '{self.name}' is not normalisable: "
                f"its kernel has spectral norm {norm:.4g} >= 1, so "
                "exp(-E(v, h)) has no finite integral. Train it with the "
                "default kernel constraint, or rescale the kernel, e.g. "
                "`layer.kernel.assign(layer.kernel * 0.99 / "
                "layer.spectral_norm())`."
            )

    def log_partition(self):
        """The exact `log Z` (a Gaussian integral), in float64.

        Returns:
            `log Z` as a float.

        Raises:
            ValueError: if the kernel's spectral norm is not below 1.
        """
        self.check_normalizable()
        p = {
            k: ops.convert_to_numpy(v).astype("float64")
            for k, v in self.parameters().items()
        }
        kernel = p["kernel"]
        num_visible, num_hidden = kernel.shape
        precision = np.block(
            [
                [np.eye(num_visible), -kernel],
                [-kernel.T, np.eye(num_hidden)],
            ]
        )
        eta = np.concatenate([p["visible_bias"], p["hidden_bias"]])
        _, log_det = np.linalg.slogdet(precision)
        quadratic = eta @ np.linalg.solve(precision, eta)
        return float(
            0.5 * (num_visible + num_hidden) * math.log(2.0 * math.pi)
            - 0.5 * log_det
            + 0.5 * quadratic
            - 0.5 * eta @ eta
        )

    def get_config(self):
        config = super().get_config()
        for key in ("sigma", "learn_sigma"):
            config.pop(key)
        return {**config, "max_spectral_norm": self.max_spectral_norm}


class _SpectralNormBound(keras.constraints.Constraint):
    """Rescales a matrix to spectral norm at most `max_norm`."""

    def __init__(self, max_norm):
        self.max_norm = max_norm

    def __call__(self, w):
        norm = ops.max(ops.svd(w, compute_uv=False))
        return ops.multiply(w, ops.minimum(1.0, self.max_norm / norm))

    def get_config(self):
        return {"max_norm": self.max_norm}
