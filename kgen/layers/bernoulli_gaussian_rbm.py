"""RBM layer with binary visible and Gaussian hidden units."""

import keras

from kgen.layers.bernoulli_rbm import BernoulliRBM
from kgen.layers.gaussian_hidden_units import GaussianHiddenUnits


@keras.saving.register_keras_serializable(package="kgen")
class BernoulliGaussianRBM(GaussianHiddenUnits, BernoulliRBM):
    """RBM layer with binary visible and real-valued (Gaussian) hidden units.

    The energy is

    $$E(v, h) = -b^\\top v + \\tfrac12\\lVert h - c\\rVert^2 - v^\\top W h,$$

    with unit-variance hidden units, so `h | v ~ N(c + W^T v, I)` and
    `P(v_i = 1 | h) = sigmoid(b_i + W_i h)`. It is always normalisable
    (finitely many visible states, each a Gaussian integral over `h`), and
    its free energy is `F(v) = -b^T v - c^T W^T v - ||W^T v||^2 / 2 -
    (H / 2) log(2 pi)`. The marginal `P(v)` is an exponential of a quadratic
    form in `v`: each hidden unit adds a rank-one pairwise interaction, like
    a Boltzmann machine with low-rank weights `W W^T`.

    `E[h | v] = c + W^T v` (what calling the layer returns) is a continuous
    low-dimensional code of the data, linear in `v` like PCA but with a
    logistic decoder `E[v | h] = sigmoid(b + W h)`; Hinton & Salakhutdinov
    (2006) used such linear units for the code layer of deep autoencoders.
    Train it with `kgen.models.RBM` (CD-k / PCD-k) and a small learning rate
    (the Gaussian units have no saturation). `log_partition()` is exact by
    summing over the visible states (up to about 20 visible units).

    Reference:
        Welling, Rosen-Zvi and Hinton, "Exponential Family Harmoniums with an
        Application to Information Retrieval", NIPS (2005); Hinton and
        Salakhutdinov, "Reducing the Dimensionality of Data with Neural
        Networks", Science 313 (2006).

    Args:
        num_hidden: int >= 1, number of Gaussian hidden units.
        kernel_initializer: initializer of the weights (default: normal with
            standard deviation 0.01).
        seed: int or `None`, seed of the layer's own random stream.
        **kwargs: passed to `keras.layers.Layer`.

    Example:

    ```python
    model = kgen.models.RBM(kgen.layers.BernoulliGaussianRBM(2))
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9))
    model.fit(x, epochs=20, batch_size=64)
    code = model.layer(x)  # E[h | v], shape (num_samples, 2)
    ```
    """

    def log_partition(self, max_units=20):
        """The exact `log Z`: a Gaussian integral per visible state, summed.

        Args:
            max_units: int, the most visible units to enumerate.

        Returns:
            `log Z` as a float.
        """
        from kgen.metrics.log_partition import exact_log_partition  # cycle

        return exact_log_partition(self, max_units=max_units)
