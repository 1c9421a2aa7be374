"""The colourfulness metric of Hasler and Süsstrunk."""

import numpy as np

from kgen.applications.colourisation.lab import as_unit_rgb


def colourfulness(images):
    """Colourfulness of RGB images (Hasler & Süsstrunk, 2003).

    With `R, G, B` in [0, 255], the opponent channels `rg = R - G` and
    `yb = (R + G) / 2 - B` give

    \\[ M = \\sqrt{\\sigma_{rg}^2 + \\sigma_{yb}^2}
        + 0.3 \\sqrt{\\mu_{rg}^2 + \\mu_{yb}^2}, \\]

    means and (population) standard deviations over an image's pixels. A
    grey image scores 0; the authors' scale calls about 15 "slightly",
    33 "moderately", 45 "averagely", 59 "quite", 82 "highly" and 109
    "extremely" colourful. Colourisers that hedge towards grey score low.

    Reference: Hasler and Süsstrunk, "Measuring colourfulness in natural
    images", Proc. SPIE 5007, Human Vision and Electronic Imaging, 2003.

    Args:
        images: one RGB image `(height, width, 3)` or a batch
            `(num_images, height, width, 3)`, uint8 in [0, 255] or floats
            in [0, 1].

    Returns:
        A float for one image, else a float64 array `(num_images,)`.

    Example:

    ```python
    kgen.applications.colourisation.colourfulness(photo)  # e.g. 45.2
    ```
    """
    rgb = 255.0 * as_unit_rgb(images)
    if rgb.ndim not in (3, 4):
        raise ValueError(
            "Expected one image (height, width, 3) or a batch (num_images, "
            f"height, width, 3). Received shape {rgb.shape}."
        )
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    rg = red - green
    yb = 0.5 * (red + green) - blue
    axes = (-2, -1)
    spread = np.sqrt(rg.var(axis=axes) + yb.var(axis=axes))
    mean = np.sqrt(rg.mean(axis=axes) ** 2 + yb.mean(axis=axes) ** 2)
    scores = spread + 0.3 * mean
    return float(scores) if rgb.ndim == 3 else scores
