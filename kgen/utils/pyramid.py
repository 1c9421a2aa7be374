"""Gaussian and Laplacian image pyramids in `keras.ops`.

Images are batches `(batch, height, width, channels)`. Two resampling pairs:

- `"gaussian"` (the default; Burt & Adelson, 1983, used by Denton et al.
  for LAPGAN): downsampling blurs with the 5-tap binomial filter
  `[1, 4, 6, 4, 1] / 16` along each axis and keeps every other pixel;
  upsampling inserts zeros between pixels and blurs with twice that filter
  (`[1, 4, 6, 4, 1] / 8`), i.e. even output pixels are
  `(x[i-1] + 6 x[i] + x[i+1]) / 8` and odd ones `(x[i] + x[i+1]) / 2`.
  Borders repeat the edge pixel.
- `"average"`: 2x2 average pooling down, nearest-neighbour (pixel
  repetition) up.

Whatever the pair, the Laplacian pyramid is exactly invertible: each
band-pass level is `h_k = I_k - up(I_{k+1})`, so `I_k = h_k + up(I_{k+1})`.
"""

from keras import ops

from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer

_METHODS = ("gaussian", "average")
# Binomial filter taps at offsets -2..2.
_TAPS = (1.0 / 16, 4.0 / 16, 6.0 / 16, 4.0 / 16, 1.0 / 16)


def pyramid_down(images, method="gaussian"):
    """Halves the height and width of a batch of images.

    Args:
        images: tensor `(batch, height, width, channels)`, even height and
            width.
        method: `"gaussian"` (blur, then keep every other pixel) or
            `"average"` (2x2 average pooling); see `kgen.utils.pyramid`.

    Returns:
        Tensor `(batch, height // 2, width // 2, channels)`.

    Example:

    ```python
    small = kgen.utils.pyramid_down(images)  # (n, 16, 16, 1) from 32x32
    ```
    """
    check_choice(method, "method", _METHODS)
    images = _check_size(images, 2, "pyramid_down")
    for axis in (1, 2):
        images = _down_axis(images, axis, method)
    return images


def pyramid_up(images, method="gaussian"):
    """Doubles the height and width of a batch of images.

    Args:
        images: tensor `(batch, height, width, channels)`.
        method: `"gaussian"` (zero insertion, then blur) or `"average"`
            (nearest neighbour); see `kgen.utils.pyramid`.

    Returns:
        Tensor `(batch, 2 * height, 2 * width, channels)`.

    Example:

    ```python
    large = kgen.utils.pyramid_up(small)
    ```
    """
    check_choice(method, "method", _METHODS)
    images = _as_images(images, "pyramid_up")
    for axis in (1, 2):
        images = _up_axis(images, axis, method)
    return images


def build_gaussian_pyramid(images, levels, method="gaussian"):
    """The images at `levels` resolutions, finest first.

    Args:
        images: tensor `(batch, height, width, channels)`, height and width
            divisible by `2 ** (levels - 1)`.
        levels: int >= 1.
        method: resampling pair, `"gaussian"` or `"average"`.

    Returns:
        List of `levels` tensors: `images`, then each level halved.

    Example:

    ```python
    full, half, quarter = kgen.utils.build_gaussian_pyramid(images, 3)
    ```
    """
    levels = check_integer(levels, "levels")
    check_choice(method, "method", _METHODS)
    images = _check_size(images, 2 ** (levels - 1), "build_gaussian_pyramid")
    pyramid = [images]
    for _ in range(levels - 1):
        pyramid.append(pyramid_down(pyramid[-1], method))
    return pyramid


def build_laplacian_pyramid(images, levels, method="gaussian"):
    """Decomposes images into band-pass levels and a coarse low-pass image.

    With the Gaussian pyramid `I_0 = images, I_{k+1} = down(I_k)`, level
    `k < levels - 1` is the band-pass residual `h_k = I_k - up(I_{k+1})`
    and the last level is the low-pass image `I_{levels - 1}` (Burt &
    Adelson, 1983; the decomposition LAPGAN generates, Denton et al.,
    2015). `collapse_laplacian_pyramid` inverts it exactly.

    Reference: Burt & Adelson, "The Laplacian Pyramid as a Compact Image
    Code", IEEE Trans. Communications, 1983.

    Args:
        images: tensor `(batch, height, width, channels)`, height and width
            divisible by `2 ** (levels - 1)`.
        levels: int >= 1 (1 returns `[images]`).
        method: resampling pair, `"gaussian"` or `"average"`.

    Returns:
        List of `levels` tensors, finest first: `h_0` of the full size, ...,
        and the low-pass image of size `height / 2 ** (levels - 1)`.

    Example:

    ```python
    pyramid = kgen.utils.build_laplacian_pyramid(images, 3)
    restored = kgen.utils.collapse_laplacian_pyramid(pyramid)
    ```
    """
    gaussian = build_gaussian_pyramid(images, levels, method)
    residuals = [
        fine - pyramid_up(coarse, method)
        for fine, coarse in zip(gaussian[:-1], gaussian[1:])
    ]
    return residuals + [gaussian[-1]]


def collapse_laplacian_pyramid(pyramid, method="gaussian"):
    """Rebuilds images from a Laplacian pyramid (coarse to fine).

    `I_{K} = pyramid[-1]`, then `I_k = pyramid[k] + up(I_{k+1})` down to
    `k = 0`. Use the `method` the pyramid was built with.

    Args:
        pyramid: list of tensors, finest first, as returned by
            `build_laplacian_pyramid`; each level half the size of the one
            before.
        method: resampling pair, `"gaussian"` or `"average"`.

    Returns:
        Tensor of the size of `pyramid[0]`.

    Example:

    ```python
    images = kgen.utils.collapse_laplacian_pyramid(pyramid)
    ```
    """
    check_choice(method, "method", _METHODS)
    if not isinstance(pyramid, (list, tuple)) or not pyramid:
        raise ValueError(
            "`pyramid` must be a non-empty list of image batches, finest "
            f"first. Received: {type(pyramid).__name__}."
        )
    images = _as_images(pyramid[-1], "collapse_laplacian_pyramid")
    for level in reversed(range(len(pyramid) - 1)):
        residual = _as_images(pyramid[level], "collapse_laplacian_pyramid")
        expected = tuple(2 * s for s in images.shape[1:3])
        if tuple(residual.shape[1:3]) != expected:
            raise ValueError(
                f"Level {level} of the pyramid must be twice the size of "
                f"level {level + 1}: expected {expected}, received "
                f"{tuple(residual.shape[1:3])}. Pass the levels finest first."
            )
        images = residual + pyramid_up(images, method)
    return images


def _down_axis(images, axis, method):
    size = images.shape[axis]
    if method == "average":
        even = _take(images, axis, 0, size, 2)
        odd = _take(images, axis, 1, size, 2)
        return 0.5 * (even + odd)
    padded = _edge_pad(images, axis, 2)
    blurred = sum(
        tap * _take(padded, axis, offset, offset + size, 2)
        for offset, tap in enumerate(_TAPS)
    )
    return blurred


def _up_axis(images, axis, method):
    size = images.shape[axis]
    if method == "average":
        even = odd = images
    else:
        padded = _edge_pad(images, axis, 1)
        before = _take(padded, axis, 0, size)
        after = _take(padded, axis, 2, size + 2)
        even = (before + 6.0 * images + after) / 8.0
        odd = 0.5 * (images + after)
    # Interleave: stack on a new axis after `axis`, then merge the two.
    stacked = ops.stack([even, odd], axis=axis + 1)
    shape = list(ops.shape(images))
    shape[axis] = 2 * size
    return ops.reshape(stacked, shape)


def _take(images, axis, start, stop, step=1):
    index = [slice(None)] * 4
    index[axis] = slice(start, stop, step)
    return images[tuple(index)]


def _edge_pad(images, axis, width):
    """Repeats the edge pixels `width` times (`ops.pad`'s "edge" mode is
    not available on every backend)."""
    size = images.shape[axis]
    first = _take(images, axis, 0, 1)
    last = _take(images, axis, size - 1, size)
    return ops.concatenate(
        [first] * width + [images] + [last] * width, axis=axis
    )


def _as_images(images, caller):
    images = ops.convert_to_tensor(images)
    if len(images.shape) != 4 or any(s is None for s in images.shape[1:3]):
        raise ValueError(
            f"`{caller}` takes a batch of images of shape (batch, height, "
            f"width, channels) with known sizes. Received shape "
            f"{tuple(images.shape)}."
        )
    return images


def _check_size(images, factor, caller):
    images = _as_images(images, caller)
    height, width = images.shape[1:3]
    if height % factor or width % factor:
        raise ValueError(
            f"`{caller}` needs a height and width divisible by {factor} "
            f"(2 ** (levels - 1)). Received images of size {height}x{width}. "
            "Crop or pad the images, or use fewer levels."
        )
    return images
