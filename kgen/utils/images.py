"""Image grids saved as PNG with matplotlib."""

import math

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
    shape = (rows * (height + padding) - padding, columns * (width + padding) - padding)
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
    figure = plt.figure(figsize=(max(width * scale, 1.0), max(height * scale, 1.0) + (0.4 if title else 0)))
    axes = figure.add_axes([0, 0, 1, 1 if not title else 0.92])
    axes.imshow(grid, cmap="gray" if grid.ndim == 2 else None, vmin=0, vmax=1, interpolation="nearest")
    axes.axis("off")
    if title:
        figure.suptitle(title)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
