"""Metrics of watermark removal and the baselines it is judged against."""

import numpy as np


def removal_metrics(clean, predicted, masks, predicted_masks=None):
    """Scores cleaned images against the truth, overall and inside the mask.

    Per image, then averaged over images: PSNR and SSIM of the whole image
    (`skimage.metrics`, data range 1; SSIM's 7-pixel window shrinks to fit
    smaller images), and the RMSE and PSNR of the pixels
    the watermark touches (`masks > 0`), where removal is hard; with
    `predicted_masks`, the intersection over union and F1 score of the
    predicted masks against the true ones.

    Args:
        clean: true clean images `(n, h, w, c)` in [0, 1].
        predicted: cleaned images of the same shape.
        masks: true masks `(n, h, w, 1)` or `(n, h, w)`; `> 0` marks the
            watermark.
        predicted_masks: optional boolean masks `(n, h, w)`.

    Returns:
        A dict of floats: `psnr`, `ssim`, `rmse_in_mask`, `psnr_in_mask`
        and, with `predicted_masks`, `mask_iou` and `mask_f1`.

    Example:

    ```python
    scores = removal_metrics(test.clean, cleaned, test.mask,
                             remover.predict_mask(test.watermarked))
    ```
    """
    from skimage.metrics import peak_signal_noise_ratio
    from skimage.metrics import structural_similarity

    clean = np.asarray(clean, "float64")
    predicted = np.asarray(predicted, "float64")
    inside = _boolean_masks(masks, clean.shape)
    if predicted.shape != clean.shape:
        raise ValueError(
            f"`predicted` has shape {predicted.shape}; expected the shape of "
            f"`clean`, {clean.shape}."
        )
    rows = []
    for truth, guess, region in zip(clean, predicted, inside):
        errors = (truth - guess)[region]
        rmse = (
            float(np.sqrt(np.mean(np.square(errors)))) if errors.size else 0.0
        )
        rows.append(
            {
                "psnr": peak_signal_noise_ratio(truth, guess, data_range=1.0),
                "ssim": structural_similarity(
                    truth,
                    guess,
                    data_range=1.0,
                    channel_axis=-1,
                    win_size=_ssim_window(truth.shape),
                ),
                "rmse_in_mask": rmse,
                "psnr_in_mask": _psnr(rmse),
            }
        )
    scores = {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}
    if predicted_masks is not None:
        scores.update(mask_scores(inside, predicted_masks))
    return scores


def mask_scores(masks, predicted_masks):
    """Mean intersection over union and F1 score of predicted masks.

    Args:
        masks: true masks (booleans or values, `> 0` marks the watermark),
            `(n, h, w)` or `(n, h, w, 1)`.
        predicted_masks: boolean masks of the same size.

    Returns:
        `{"mask_iou": ..., "mask_f1": ...}`, each the mean over images (an
        image whose true and predicted masks are both empty scores 1).
    """
    truth = np.asarray(masks).reshape(len(masks), -1) > 0
    guess = np.asarray(predicted_masks).reshape(len(masks), -1).astype(bool)
    if truth.shape != guess.shape:
        raise ValueError(
            f"`predicted_masks` must have the size of `masks`: "
            f"{truth.shape} pixels per image. Received {guess.shape}."
        )
    both = (truth & guess).sum(axis=1)
    either = (truth | guess).sum(axis=1)
    total = truth.sum(axis=1) + guess.sum(axis=1)
    iou = np.where(either > 0, both / np.maximum(either, 1), 1.0)
    f1 = np.where(total > 0, 2 * both / np.maximum(total, 1), 1.0)
    return {"mask_iou": float(iou.mean()), "mask_f1": float(f1.mean())}


def inpaint_biharmonic(watermarked, masks):
    """Biharmonic inpainting of the watermarked pixels, given the true mask.

    The baseline of the benchmark: every pixel the watermark touches
    (`masks > 0`) is discarded and filled from its surroundings by
    `skimage.restoration.inpaint_biharmonic`; the others are kept. It is
    told where the watermark is, which a remover is not.

    Reference:
        Damelin and Hoang, "On Surface Completion and Image Inpainting by
        Biharmonic Functions", 2018.

    Args:
        watermarked: images `(n, h, w, c)` in [0, 1].
        masks: true masks `(n, h, w, 1)` or `(n, h, w)`.

    Returns:
        float32 NumPy array of the shape of `watermarked`.
    """
    from skimage.restoration import inpaint_biharmonic as inpaint

    watermarked = np.asarray(watermarked, "float64")
    inside = _boolean_masks(masks, watermarked.shape)
    return np.stack(
        [
            inpaint(image, region, channel_axis=-1) if region.any() else image
            for image, region in zip(watermarked, inside)
        ]
    ).astype("float32")


def _boolean_masks(masks, shape):
    masks = np.asarray(masks)
    if masks.ndim == len(shape):
        masks = masks[..., 0]
    if masks.shape != tuple(shape[:-1]):
        raise ValueError(
            f"`masks` must have shape {tuple(shape[:-1])} (or with a last "
            f"axis of 1) to match the images. Received {masks.shape}."
        )
    return masks > 0


def _ssim_window(shape):
    """SSIM's 7-pixel window, or the largest odd one that fits."""
    side = min(7, *shape[:2])
    return side if side % 2 else side - 1


def _psnr(rmse):
    """PSNR in dB of an RMSE on data in [0, 1] (infinite for 0)."""
    return float("inf") if rmse == 0 else float(-20.0 * np.log10(rmse))
