"""CIE Lab conversions and the normalisation the colourisers train in."""

import warnings

import numpy as np

# L is in [0, 100] and, for sRGB colours, a and b within about [-110, 110]:
# both are scaled to about [-1, 1], the range of a tanh output.
L_SCALE = 50.0
AB_SCALE = 110.0


def rgb_to_lab(images):
    """Converts RGB images to CIE Lab (D65) with `skimage.color.rgb2lab`.

    Args:
        images: array `(..., 3)`, integers (e.g. uint8) in [0, 255] or
            floats in [0, 1].

    Returns:
        float32 array of the same shape: L in [0, 100], a and b in about
        [-110, 110].

    Example:

    ```python
    lab = kgen.applications.colourisation.rgb_to_lab(photo)  # uint8 photo
    ```
    """
    from skimage import color

    return color.rgb2lab(as_unit_rgb(images)).astype("float32")


def lab_to_rgb(lab):
    """Converts CIE Lab to RGB in [0, 1] (`skimage.color.lab2rgb`).

    Colours outside the sRGB gamut are clipped; the warning scikit-image
    gives when it clips is silenced.

    Args:
        lab: array `(..., 3)`, L in [0, 100].

    Returns:
        float32 array of the same shape, values in [0, 1].
    """
    from skimage import color

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rgb = color.lab2rgb(np.asarray(lab, "float64"))
    return np.clip(rgb, 0.0, 1.0).astype("float32")


def normalize_lab(lab):
    """Splits Lab images into the network's input and target.

    Args:
        lab: array `(..., 3)` of Lab values.

    Returns:
        `(lightness, ab)`: `L / 50 - 1` of shape `(..., 1)` and `ab / 110`
        of shape `(..., 2)`, float32, both in about [-1, 1].
    """
    lab = np.asarray(lab, "float32")
    return lab[..., :1] / L_SCALE - 1.0, lab[..., 1:] / AB_SCALE


def denormalize_lab(lightness, ab):
    """Inverse of `normalize_lab`: Lab images from the two parts.

    Args:
        lightness: array `(..., 1)`, `L / 50 - 1`.
        ab: array `(..., 2)`, `ab / 110`.

    Returns:
        float32 array `(..., 3)` of Lab values.
    """
    lightness = (np.asarray(lightness, "float32") + 1.0) * L_SCALE
    ab = np.asarray(ab, "float32") * AB_SCALE
    return np.concatenate([lightness, ab], axis=-1)


def lab_pairs(images):
    """Training pairs for a colouriser: `normalize_lab(rgb_to_lab(images))`.

    Args:
        images: RGB images `(num_images, height, width, 3)`, uint8 or
            floats in [0, 1].

    Returns:
        `(lightness, ab)` float32 arrays `(..., 1)` and `(..., 2)`, the
        inputs and targets of `Colouriser.fit`.

    Example:

    ```python
    x, y = kgen.applications.colourisation.lab_pairs(patches)
    colouriser.fit(x, y, epochs=10)
    ```
    """
    return normalize_lab(rgb_to_lab(images))


def as_unit_rgb(images):
    """RGB images as float64 in [0, 1], checking channels and range."""
    images = np.asarray(images)
    if images.ndim < 3 or images.shape[-1] != 3:
        raise ValueError(
            "Expected RGB images with 3 channels on the last axis. Received "
            f"shape {images.shape}. Drop an alpha channel with "
            "`images[..., :3]`; convert grey images with "
            "`np.repeat(images[..., None], 3, axis=-1)`."
        )
    return check_unit_range(images, "images")


def check_unit_range(images, name):
    """`images` as float64 in [0, 1] from uint8 or checked floats."""
    if images.size == 0:
        raise ValueError(f"`{name}` is empty. Received shape {images.shape}.")
    if np.issubdtype(images.dtype, np.integer):
        if images.min() < 0 or images.max() > 255:
            raise ValueError(
                f"`{name}` holds integers outside [0, 255]: 8-bit images "
                f"expected. Received [{images.min()}, {images.max()}]."
            )
        return images / 255.0
    images = images.astype("float64")
    if not np.isfinite(images).all():
        raise ValueError(f"`{name}` holds NaN or infinite values.")
    if images.min() < 0.0 or images.max() > 1.0:
        raise ValueError(
            f"`{name}` must be uint8 in [0, 255] or floats in [0, 1]. "
            f"Received floats in [{images.min():g}, {images.max():g}]. "
            "Divide 8-bit images stored as floats by 255."
        )
    return images
