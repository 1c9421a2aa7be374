"""KL divergence of a diagonal Gaussian from the standard normal."""

from keras import ops


def gaussian_kl_divergence(mean, log_var):
    """KL divergence `KL(N(mean, exp(log_var)) || N(0, I))` per sample.

    The closed form for a diagonal Gaussian posterior and a standard normal
    prior, summed over every axis but the first:

    `KL = -0.5 * sum(1 + log_var - mean**2 - exp(log_var))`.

    Reference:
        Kingma and Welling, "Auto-Encoding Variational Bayes", ICLR 2014,
        appendix B.

    Args:
        mean: tensor of shape `(batch, *latent_shape)`, the posterior means.
        log_var: tensor of the same shape, the posterior log variances.

    Returns:
        Tensor of shape `(batch,)`, in nats.

    Example:

    ```python
    kl = kgen.losses.gaussian_kl_divergence(ops.zeros((2, 3)), ops.zeros((2, 3)))
    # [0., 0.]: the prior itself
    ```
    """
    mean, log_var = ops.convert_to_tensor(mean), ops.convert_to_tensor(log_var)
    terms = 1.0 + log_var - ops.square(mean) - ops.exp(log_var)
    return -0.5 * _sum_features(terms)


def _sum_features(values):
    """Sums over every axis but the first (the batch axis)."""
    axes = tuple(range(1, len(ops.shape(values))))
    return ops.sum(values, axis=axes) if axes else values
