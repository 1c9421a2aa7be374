"""Losses of the recommenders, in `keras.ops`."""

from keras import ops


def masked_squared_error(y_true, y_pred, mask):
    """Squared error summed over the observed entries of each row.

    Unobserved entries (mask 0) contribute nothing, whatever `y_true` and
    `y_pred` hold there: neither the loss nor its gradients depend on them
    (AutoRec's objective, Sedhain et al. 2015).

    Args:
        y_true: tensor `(batch, n)` of ratings.
        y_pred: tensor `(batch, n)` of predictions.
        mask: tensor `(batch, n)`, 1 where a rating is observed, else 0.

    Returns:
        Tensor `(batch,)`.

    Example:

    ```python
    masked_squared_error([[4.0, 0.0]], [[3.0, 2.5]], [[1.0, 0.0]])  # [1.0]
    ```
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), y_pred.dtype)
    mask = ops.cast(ops.convert_to_tensor(mask), "bool")
    error = ops.where(mask, y_true - y_pred, ops.zeros_like(y_pred))
    return ops.sum(ops.square(error), axis=-1)


def multinomial_log_likelihood(counts, logits):
    """`sum_i x_i log softmax(logits)_i` per row (Mult-VAE's likelihood).

    The log-likelihood of a user's interaction counts under a multinomial
    over items with probabilities `softmax(logits)`, without the
    multinomial coefficient (constant in the model).

    Reference:
        Liang et al., "Variational Autoencoders for Collaborative
        Filtering", WWW 2018, equation 2.

    Args:
        counts: tensor `(batch, num_items)` of counts (0/1 for clicks).
        logits: tensor `(batch, num_items)`.

    Returns:
        Tensor `(batch,)`, in nats.
    """
    logits = ops.convert_to_tensor(logits)
    counts = ops.cast(ops.convert_to_tensor(counts), logits.dtype)
    return ops.sum(counts * ops.log_softmax(logits, axis=-1), axis=-1)
