"""Log-likelihoods of data under Bernoulli and diagonal Gaussian distributions."""

import math

from keras import ops

from kgen.losses.kl_divergence import _sum_features


def bernoulli_log_likelihood(x, logits):
    """Log-probability of `x` under independent Bernoulli units, per sample.

    Computed from logits in the numerically stable form
    `sum(x * logits - softplus(logits))`, which equals
    `sum(x * log(p) + (1 - x) * log(1 - p))` with `p = sigmoid(logits)`. For
    `x` in `[0, 1]` (not only 0/1) this is minus the binary cross-entropy,
    summed over features.

    Args:
        x: tensor of shape `(batch, *features)` with values in `[0, 1]`.
        logits: tensor of the same shape, the log-odds of each unit.

    Returns:
        Tensor of shape `(batch,)`, in nats.

    Example:

    ```python
    log_p = kgen.losses.bernoulli_log_likelihood(x, logits=decoder(z))
    ```
    """
    logits = ops.convert_to_tensor(logits)
    x = ops.convert_to_tensor(x, dtype=logits.dtype)
    return _sum_features(x * logits - ops.softplus(logits))


def gaussian_log_likelihood(x, mean, log_var=0.0):
    """Log-density of `x` under a diagonal Gaussian, per sample.

    `sum(-0.5 * (log(2 pi) + log_var + (x - mean)**2 / exp(log_var)))`,
    summed over every axis but the first.

    Args:
        x: tensor of shape `(batch, *features)`.
        mean: tensor broadcastable to `x`, the means.
        log_var: tensor or float broadcastable to `x`, the log variances
            (`0.0`: unit variance).

    Returns:
        Tensor of shape `(batch,)`, in nats.

    Example:

    ```python
    log_prior = kgen.losses.gaussian_log_likelihood(z, 0.0)  # log N(z; 0, I)
    ```
    """
    x = ops.convert_to_tensor(x)
    mean = ops.convert_to_tensor(mean, dtype=x.dtype)
    log_var = ops.convert_to_tensor(log_var, dtype=x.dtype)
    squared = ops.square(x - mean) * ops.exp(-log_var)
    terms = -0.5 * (math.log(2.0 * math.pi) + log_var + squared)
    return _sum_features(ops.broadcast_to(terms, ops.shape(x)))
