"""The mask head's loss (pure `keras.ops`)."""

from keras import ops


def mask_loss(masks, logits):
    """Binary cross-entropy of a predicted watermark mask, from logits.

    The mean over pixels of
    `-(m log sigmoid(z) + (1 - m) log(1 - sigmoid(z)))`, computed stably
    from the logits `z` (as `keras.ops.binary_crossentropy(...,
    from_logits=True)`). The mask head of `WatermarkRemover` minimises it
    with the true masks `m` (1 where the watermark touches the image).

    Args:
        masks: target masks, values in [0, 1], shape `(batch, height,
            width, 1)`.
        logits: predicted logits of the same shape.

    Returns:
        Per-image losses, shape `(batch,)`.
    """
    logits = ops.convert_to_tensor(logits)
    masks = ops.cast(masks, logits.dtype)
    losses = ops.binary_crossentropy(masks, logits, from_logits=True)
    return ops.mean(ops.reshape(losses, (ops.shape(logits)[0], -1)), axis=-1)
