"""Scores of colourised images against the true colours."""

import numpy as np

from kgen.applications.colourisation.colourfulness import colourfulness
from kgen.applications.colourisation.lab import as_unit_rgb
from kgen.applications.colourisation.lab import rgb_to_lab


def colourisation_scores(predicted, truth):
    """PSNR and SSIM in RGB, ab RMSE and colourfulness of colourised images.

    Per image: PSNR and SSIM of the RGB images in [0, 1]
    (`skimage.metrics`, data range 1, SSIM over the colour channels), the
    root mean squared error of the ab channels of both images in CIE Lab
    (Lab units), and the colourfulness (Hasler & Süsstrunk) of both. The
    returned figures are means over images; `colourfulness_ratio` is the
    mean colourfulness of the predictions over that of the truth (1 is
    right, below 1 too grey).

    Args:
        predicted: list of RGB images `(height, width, 3)` (or an array of
            them), uint8 or floats in [0, 1].
        truth: the true images, of the same shapes.

    Returns:
        dict with `psnr`, `ssim`, `ab_rmse`, `colourfulness`,
        `colourfulness_truth`, `colourfulness_ratio` (floats) and
        `per_image` (a dict of lists).

    Example:

    ```python
    scores = kgen.applications.colourisation.colourisation_scores(
        colouriser.colourise(grey), photos
    )
    ```
    """
    from skimage.metrics import peak_signal_noise_ratio
    from skimage.metrics import structural_similarity

    if len(predicted) != len(truth) or not len(truth):
        raise ValueError(
            f"Expected as many predicted images as true ones (at least "
            f"one). Received {len(predicted)} and {len(truth)}."
        )
    per_image = {k: [] for k in ("psnr", "ssim", "ab_rmse", "colourfulness")}
    per_image["colourfulness_truth"] = []
    for guess, image in zip(predicted, truth):
        guess, image = as_unit_rgb(guess), as_unit_rgb(image)
        if guess.shape != image.shape:
            raise ValueError(
                f"A predicted image has shape {guess.shape}, its truth "
                f"{image.shape}."
            )
        ab_error = rgb_to_lab(guess)[..., 1:] - rgb_to_lab(image)[..., 1:]
        per_image["psnr"].append(
            peak_signal_noise_ratio(image, guess, data_range=1.0)
        )
        per_image["ssim"].append(
            structural_similarity(image, guess, data_range=1.0, channel_axis=-1)
        )
        per_image["ab_rmse"].append(np.sqrt(np.mean(ab_error**2)))
        per_image["colourfulness"].append(colourfulness(guess))
        per_image["colourfulness_truth"].append(colourfulness(image))
    per_image = {k: [float(v) for v in vs] for k, vs in per_image.items()}
    scores = {k: float(np.mean(v)) for k, v in per_image.items()}
    scores["colourfulness_ratio"] = scores["colourfulness"] / max(
        scores["colourfulness_truth"], 1e-12
    )
    return {**scores, "per_image": per_image}
