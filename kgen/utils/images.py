"""Image grids saved as PNG with matplotlib."""

import math

import keras
import numpy as np


def image_grid(images, num_columns=None, image_shape=None, padding=1):
    """Tiles images into one array, each rescaled to [0, 1].

    Args:
        images: array of shape `(n, height, width)`, `(n, height, width,
            channels)` or `(n, features)` with `image_shape` given.
        num_columns: tiles per row; defaults to a near-square grid.
        image_shape: `(height, width)` or `(height, width, channels)` used to
            reshape flat samples.
        padding: pixels between tiles.

    Returns:
        Float array `(rows * (h + padding) - padding, cols * (w + padding) -
        padding[, channels])` in [0, 1].
    """
    images = np.asarray(images, dtype="float32")
    if image_shape is not None:
        images = images.reshape((len(images), *image_shape))
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4):
        raise ValueError(
            "`images` must have shape (n, height, width[, channels]), or "
            "(n, features) with `image_shape`. Received shape "
            f"{images.shape}."
        )
    low = images.min(axis=tuple(range(1, images.ndim)), keepdims=True)
    high = images.max(axis=tuple(range(1, images.ndim)), keepdims=True)
    images = (images - low) / np.maximum(high - low, 1e-12)
    count, height, width = images.shape[:3]
    columns = num_columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    shape = (
        rows * (height + padding) - padding,
        columns * (width + padding) - padding,
    )
    grid = np.full(shape + images.shape[3:], 0.5, dtype="float32")
    for index, image in enumerate(images):
        top = (index // columns) * (height + padding)
        left = (index % columns) * (width + padding)
        grid[top : top + height, left : left + width] = image
    return grid


def save_image_grid(images, path, title=None, **grid_kwargs):
    """Saves `image_grid(images, **grid_kwargs)` as a PNG file at `path`.

    Returns:
        `path`.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = image_grid(images, **grid_kwargs)
    height, width = grid.shape[:2]
    scale = 6.0 / max(height, width)
    figure = plt.figure(
        figsize=(
            max(width * scale, 1.0),
            max(height * scale, 1.0) + (0.4 if title else 0),
        )
    )
    axes = figure.add_axes([0, 0, 1, 1 if not title else 0.92])
    axes.imshow(
        grid,
        cmap="gray" if grid.ndim == 2 else None,
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    axes.axis("off")
    if title:
        figure.suptitle(title)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def save_filter_grid(
    weights, path, image_shape, num_filters=None, title=None, **grid_kwargs
):
    """Saves the weights of each hidden unit as an image tile (a PNG).

    Each column of `weights` (the incoming weights of one hidden unit, e.g.
    an RBM layer's `kernel` of shape `(num_visible, num_hidden)`) is reshaped
    to `image_shape` and rescaled to [0, 1] on its own, so every filter shows
    its own pattern.

    Args:
        weights: array of shape `(num_visible, num_hidden)`, or a layer or
            model with a `kernel` of that shape (e.g. `kgen.models.RBM`).
        path: the PNG file to write.
        image_shape: `(height, width)` or `(height, width, channels)` with
            `height * width * channels == num_visible`.
        num_filters: show only the first `num_filters` hidden units.
        title: optional figure title.
        **grid_kwargs: passed to `image_grid` (e.g. `num_columns`).

    Returns:
        `path`.

    Example:

    ```python
    kgen.utils.save_filter_grid(model, "filters.png", (8, 8))
    ```
    """
    kernel = getattr(weights, "kernel", weights)
    filters = np.asarray(keras.ops.convert_to_numpy(kernel)).T
    if filters.ndim != 2 or filters.shape[1] != math.prod(image_shape):
        raise ValueError(
            "`weights` must have shape (num_visible, num_hidden) with "
            f"num_visible = prod(image_shape) = {math.prod(image_shape)}. "
            f"Received shape {filters.T.shape}."
        )
    filters = filters[:num_filters]
    return save_image_grid(
        filters, path, title=title, image_shape=image_shape, **grid_kwargs
    )
