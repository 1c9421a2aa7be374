"""The watermark compositing model and its exact inverse."""

import numpy as np


def composite(images, watermarks, masks, alpha):
    """Blends watermarks onto images: `J = (1 - alpha M) I + alpha M W`.

    The standard model of a visible watermark (Dekel et al. 2017; the SLBR
    and WDNet papers): each pixel of the clean image `I` is mixed with the
    watermark's colour `W` in proportion to the watermark's shape `M` (1 on
    the watermark, 0 off it, fractions on anti-aliased edges) times its
    opacity `alpha`.

    Reference:
        Dekel et al., "On the Effectiveness of Visible Watermarks", CVPR
        2017.

    Args:
        images: clean images `I`, shape `(..., height, width, channels)`,
            values in [0, 1].
        watermarks: watermark colours `W`, broadcastable to `images`.
        masks: watermark shapes `M` in [0, 1], broadcastable to `images`
            (e.g. `(..., height, width, 1)`).
        alpha: opacity, a number or an array broadcastable to `images`
            (e.g. shape `(num_images, 1, 1, 1)`).

    Returns:
        float32 NumPy array of the shape of `images`: the watermarked images.

    Example:

    ```python
    from kgen.applications import watermark
    marked = watermark.composite(clean, colours, masks, alpha=0.5)
    ```
    """
    images, weight = _blend_weight(images, masks, alpha)
    watermarks = np.asarray(watermarks, "float32")
    return ((1.0 - weight) * images + weight * watermarks).astype("float32")


def inverse_blend(watermarked, watermarks, masks, alpha):
    """Recovers the clean image from known `W`, `M` and `alpha` (the oracle).

    Solves the compositing model for `I`:
    `I = (J - alpha M W) / (1 - alpha M)`, then clips to [0, 1]. Given the
    true watermark, shape and opacity it is exact up to the rounding of
    `J` (which the division by `1 - alpha M` amplifies), so it is the
    ceiling any remover can reach; a remover is not given these.

    Args:
        watermarked: watermarked images `J`, values in [0, 1].
        watermarks: watermark colours `W`, broadcastable to `watermarked`.
        masks: watermark shapes `M` in [0, 1], broadcastable.
        alpha: opacity, a number or an array broadcastable to `watermarked`.

    Returns:
        float32 NumPy array of the shape of `watermarked`.

    Raises:
        ValueError: where `alpha * M` reaches 1 (an opaque watermark hides
            the pixel: nothing can be recovered).
    """
    watermarked, weight = _blend_weight(watermarked, masks, alpha)
    if np.any(weight >= 1.0):
        raise ValueError(
            "The inverse blend needs alpha * M < 1 everywhere: an opaque "
            "watermark hides the pixels beneath it. Received a maximum "
            f"alpha * M of {float(weight.max())}. Inpaint such pixels instead "
            "(e.g. `skimage.restoration.inpaint_biharmonic`)."
        )
    clean = (watermarked - weight * np.asarray(watermarks, "float32")) / (
        1.0 - weight
    )
    return np.clip(clean, 0.0, 1.0).astype("float32")


def _blend_weight(images, masks, alpha):
    """`images` as float32 and the blend weight `alpha * M`, checked."""
    images = np.asarray(images, "float32")
    masks = np.asarray(masks, "float32")
    alpha = np.asarray(alpha, "float32")
    for name, values in (("masks", masks), ("alpha", alpha)):
        if not np.all((values >= 0.0) & (values <= 1.0)):
            raise ValueError(
                f"`{name}` must lie in [0, 1] (NaN not allowed). Received "
                f"values from {np.nanmin(values)} to {np.nanmax(values)}."
            )
    return images, alpha * masks
