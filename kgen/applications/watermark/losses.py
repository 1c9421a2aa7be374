"""The mask head's loss (pure `keras.ops`)."""

from keras import ops


def mask_loss(masks, logits, balanced=False):
    """Binary cross-entropy of a predicted watermark mask, from logits.

    The mean over pixels of
    `-(m log sigmoid(z) + (1 - m) log(1 - sigmoid(z)))`, computed stably
    from the logits `z` (as `keras.ops.binary_crossentropy(...,
    from_logits=True)`). The mask head of `WatermarkRemover` minimises it
    with the true masks `m` (1 where the watermark touches the image).

    With `balanced=True` it is instead the average of two means: over the
    pixels of the watermark (`m > 0`) and over the others (an empty region
    counts 0). Watermarks cover a small part of most images (15 % in the
    benchmark), so the plain mean lets the head miss thin or faint ones
    cheaply; balancing weighs a missed watermark pixel as much as all the
    background's false alarms together.

    Args:
        masks: target masks, values in [0, 1], shape `(batch, height,
            width, 1)`.
        logits: predicted logits of the same shape.
        balanced: average the watermark's and the background's means
            instead of taking the mean over all pixels.

    Returns:
        Per-image losses, shape `(batch,)`.
    """
    logits = ops.convert_to_tensor(logits)
    masks = ops.cast(masks, logits.dtype)
    losses = ops.binary_crossentropy(masks, logits, from_logits=True)
    if not balanced:
        return _image_mean(losses)
    inside = ops.cast(ops.greater(masks, 0.0), losses.dtype)
    return 0.5 * (
        _region_mean(losses, inside) + _region_mean(losses, 1.0 - inside)
    )


def _region_mean(values, region):
    """Per-image mean of `values` (and its channels) over the pixels where
    the 0/1 `region` `(batch, h, w, 1)` is 1; 0 for an empty region."""
    return _image_mean(region * values) / ops.maximum(_image_mean(region), 1e-6)


def _image_mean(values):
    return ops.mean(ops.reshape(values, (ops.shape(values)[0], -1)), axis=-1)
