"""Per-sample log-likelihood and pseudo-log-likelihood of RBMs."""

import numpy as np
from keras import ops

from kgen.layers.bernoulli_rbm import BernoulliRBM
from kgen.metrics.log_partition import _as_rbm_layer
from kgen.metrics.log_partition import exact_log_partition
from kgen.utils.validation import check_integer


def log_likelihood(rbm, x, log_z=None):
    """Per-sample log-likelihood `log p(v) = -F(v) - log Z` of an RBM, in nats.

    Args:
        rbm: an `kgen.layers.RBMLayer` or a `kgen.models.RBM`.
        x: samples, shape `(num_samples, num_visible)`.
        log_z: `log Z` (e.g. from `ais_log_partition`), or `None` to
            compute it exactly with `exact_log_partition`.

    Returns:
        float64 NumPy array of shape `(num_samples,)`.

    Example:

    ```python
    ll = kgen.metrics.log_likelihood(model, x_test)  # exact for small RBMs
    print(ll.mean())
    ```
    """
    layer = _as_rbm_layer(rbm)
    x = layer.check_data(x)
    if log_z is None:
        log_z = exact_log_partition(layer)
    free_energy = ops.convert_to_numpy(
        layer.free_energy(ops.convert_to_tensor(x))
    )
    return -free_energy.astype("float64") - float(log_z)


def pseudo_log_likelihood(rbm, x, batch_size=256):
    """Exact pseudo-log-likelihood of binary data under a Bernoulli RBM.

    `PL(v) = sum_i log P(v_i | v_-i)`, summed over **all** visible units, with
    `P(v_i | v_-i) = sigmoid(F(v with bit i flipped) - F(v))`. All flips are
    computed at once from the hidden pre-activations, so the cost is about
    `V * H` per sample. scikit-learn's `BernoulliRBM.score_samples` returns a
    one-bit stochastic estimate of the same sum.

    Args:
        rbm: a `kgen.layers.BernoulliRBM` or a `kgen.models.RBM` holding one.
        x: binary samples, shape `(num_samples, num_visible)`.
        batch_size: samples processed at once (memory is `batch_size * V * H`).

    Returns:
        float64 NumPy array of shape `(num_samples,)`, in nats.

    Example:

    ```python
    pll = kgen.metrics.pseudo_log_likelihood(model, x_test).mean()
    ```
    """
    layer = _as_rbm_layer(rbm)
    if not isinstance(layer, BernoulliRBM) or not layer.binary_hidden:
        raise ValueError(
            "The pseudo-log-likelihood is defined here for binary visible "
            "units and binary hidden units (a BernoulliRBM). Received a "
            f"{type(layer).__name__}."
        )
    x = layer.check_data(x)
    batch_size = check_integer(batch_size, "batch_size")
    parameters = layer.parameters()
    values = [
        ops.convert_to_numpy(
            _pseudo_log_likelihood(layer, x[i : i + batch_size], parameters)
        )
        for i in range(0, len(x), batch_size)
    ]
    return np.concatenate(values).astype("float64")


def _pseudo_log_likelihood(layer, v, parameters):
    v = ops.convert_to_tensor(v, dtype=parameters["kernel"].dtype)
    field = layer.hidden_field(v, parameters)
    sign = 1.0 - 2.0 * v  # +1 where a flip turns 0 into 1, -1 otherwise
    flipped = field[:, None, :] + sign[:, :, None] * parameters["kernel"][None]
    hidden_change = ops.sum(
        ops.softplus(flipped) - ops.softplus(field)[:, None, :], axis=-1
    )
    # F(flipped) - F(v) for every bit, then log sigmoid of it.
    gap = -sign * parameters["visible_bias"] - hidden_change
    return ops.cast(-ops.sum(ops.softplus(-gap), axis=-1), "float32")
