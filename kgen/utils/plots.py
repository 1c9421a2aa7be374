"""Pictures of autoencoders and VAEs: reconstructions, latent scatters and
latent traversals, saved as PNG with matplotlib."""

import numpy as np
from scipy.stats import norm

from kgen.utils.images import save_image_grid
from kgen.utils.validation import check_integer


def save_reconstructions(
    inputs, reconstructions, path, image_shape=None, pairs_per_row=8, title=None
):
    """Saves inputs beside their reconstructions as a PNG grid.

    Each input is followed by its reconstruction, `pairs_per_row` pairs to a
    row.

    Args:
        inputs: array `(n, ...)` of samples.
        reconstructions: array of the same shape.
        path: the PNG file to write.
        image_shape: shape of one image, to reshape flat samples.
        pairs_per_row: input/reconstruction pairs per row.
        title: optional title.

    Returns:
        `path`.

    Example:

    ```python
    kgen.utils.save_reconstructions(x[:16], model.reconstruct(x[:16]), "rec.png", (8, 8))
    ```
    """
    inputs, reconstructions = np.asarray(inputs), np.asarray(reconstructions)
    if inputs.shape != reconstructions.shape:
        raise ValueError(
            "`inputs` and `reconstructions` must have the same shape. Received "
            f"{inputs.shape} and {reconstructions.shape}."
        )
    pairs = np.stack([inputs, reconstructions], axis=1).reshape(
        -1, *inputs.shape[1:]
    )
    return save_image_grid(
        pairs,
        path,
        title=title,
        image_shape=image_shape,
        num_columns=2 * pairs_per_row,
    )


def save_latent_scatter(codes, labels, path, title=None):
    """Saves a scatter plot of 2-D codes coloured by label.

    Args:
        codes: array `(n, 2)`, e.g. `vae.encode(x)` of a 2-D latent space.
        labels: array `(n,)` of integer labels.
        path: the PNG file to write.
        title: optional title.

    Returns:
        `path`.

    Example:

    ```python
    kgen.utils.save_latent_scatter(vae.encode(x_test), y_test, "latent.png")
    ```
    """
    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(
            f"`codes` must have shape (n, 2). Received shape {codes.shape}; "
            "project higher-dimensional codes first (e.g. with sklearn's PCA)."
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 5))
    points = axes.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=6)
    figure.colorbar(points, ax=axes, label="label")
    axes.set_xlabel("z[0]")
    axes.set_ylabel("z[1]")
    if title:
        axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def latent_lattice(num_steps, latent_dim, dims=(0, 1), low=0.05, high=0.95):
    """Points of a 2-D lattice at the quantiles of the standard normal prior.

    Codes vary along latent axes `dims` through the `N(0, 1)` quantiles of
    `linspace(low, high, num_steps)` (so the lattice covers the prior's
    mass evenly, as in Kingma and Welling's figure of "fake digits"); other
    coordinates are 0.

    Args:
        num_steps: int >= 2, points per axis.
        latent_dim: int >= 2, size of the codes.
        dims: the two latent axes to vary.
        low: lowest quantile.
        high: highest quantile.

    Returns:
        Array of shape `(num_steps ** 2, latent_dim)`, row-major: the first
        axis in `dims` varies along rows, the second along columns.

    Example:

    ```python
    images = vae.decode(kgen.utils.latent_lattice(10, vae.latent_dim))
    ```
    """
    num_steps = check_integer(num_steps, "num_steps", minimum=2)
    latent_dim = check_integer(latent_dim, "latent_dim", minimum=2)
    if (
        len(dims) != 2
        or len(set(dims)) != 2
        or not 0 <= min(dims) <= max(dims) < latent_dim
    ):
        raise ValueError(
            "`dims` must be two different latent axes in [0, latent_dim) = "
            f"[0, {latent_dim}). Received: dims={dims}."
        )
    values = norm.ppf(np.linspace(low, high, num_steps)).astype("float32")
    rows, columns = np.meshgrid(values, values, indexing="ij")
    lattice = np.zeros((num_steps**2, latent_dim), dtype="float32")
    lattice[:, dims[0]] = rows.ravel()
    lattice[:, dims[1]] = columns.ravel()
    return lattice


def save_latent_traversal(
    model,
    path,
    num_steps=10,
    dims=(0, 1),
    image_shape=None,
    labels=None,
    title=None,
):
    """Saves the decodings of a latent lattice as a PNG grid.

    Args:
        model: a kgen autoencoder or VAE (anything with `decode` and
            `latent_dim`).
        path: the PNG file to write.
        num_steps: points per lattice axis.
        dims: the two latent axes to vary (see `latent_lattice`).
        image_shape: shape of one image, to reshape flat samples.
        labels: for a conditional model, the class to decode.
        title: optional title.

    Returns:
        `path`.

    Example:

    ```python
    kgen.utils.save_latent_traversal(vae, "traversal.png", image_shape=(8, 8))
    ```
    """
    lattice = latent_lattice(num_steps, model.latent_dim, dims)
    images = model.decode(lattice, labels)
    return save_image_grid(
        images,
        path,
        title=title,
        image_shape=image_shape,
        num_columns=num_steps,
    )
