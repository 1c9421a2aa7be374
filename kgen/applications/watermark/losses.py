"""The mask head's loss and per-image means over regions (pure `keras.ops`)."""

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
        return image_mean(losses)
    inside = ops.cast(ops.greater(masks, 0.0), losses.dtype)
    return 0.5 * (
        region_mean(losses, inside) + region_mean(losses, 1.0 - inside)
    )


def region_mean(values, region):
    """Per-image mean of `values` over the pixels of a 0/1 region.

    The mean over the region's pixels and all channels:
    `sum(region * values) / sum(region)` per image, where `region` is
    broadcast over the channels; an empty region gives 0. The removers'
    losses use it to weigh the watermark's pixels and the background's
    separately.

    Args:
        values: per-pixel values, shape `(batch, height, width, channels)`.
        region: 0/1 mask, shape `(batch, height, width, 1)`.

    Returns:
        Per-image means, shape `(batch,)`.
    """
    return image_mean(region * values) / ops.maximum(image_mean(region), 1e-6)


def image_mean(values):
    """Per-image mean of `values` over every axis but the first.

    Args:
        values: a tensor of shape `(batch, ...)`.

    Returns:
        Per-image means, shape `(batch,)`.
    """
    return ops.mean(ops.reshape(values, (ops.shape(values)[0], -1)), axis=-1)
