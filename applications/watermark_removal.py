"""Watermark removal with kgen's removers, against inpainting and the oracle.

Trains kgen's watermark removers on watermarked patches of the bundled
photos (`kgen.applications.watermark.make_watermark_pairs`: the scikit-image
logo, rendered text and shapes, opacity 0.3-0.8) and cleans watermarked
patches of three held-out photos (`chelsea`, `coffee`, `rocket`: no test
photo gives a training pixel), at a size the networks were not trained on.
The removers are not told where the watermark is. Beside them, in the same
run:

- `identity`: the watermarked input itself;
- `biharmonic_true_mask`: biharmonic inpainting of the pixels the
  watermark touches, **given the true mask**
  (`skimage.restoration.inpaint_biharmonic`);
- `oracle_inverse_blend`: the compositing model solved with the true
  watermark, mask and opacity, the ceiling (exact up to 8-bit rounding).

The goal: a kgen remover above `biharmonic_true_mask` on PSNR inside the
mask, while not given the mask.

Writes to `--output`: `metrics.json` (PSNR, SSIM, RMSE and PSNR inside the
mask for every method, mask IoU/F1 of the removers, settings, timings) and
`watermark_removal.png` (input / prediction / predicted mask / true mask /
truth on test images).

Run `python applications/watermark_removal.py --help` for the options;
`--quick` is a tiny smoke run.

    KERAS_BACKEND=tensorflow python applications/watermark_removal.py \
        --output watermark_removal_output
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import matplotlib  # noqa: E402
import numpy as np  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from kgen.applications import watermark  # noqa: E402
from kgen.datasets import PHOTOS  # noqa: E402
from kgen.datasets.image_pairs import TEST_PHOTOS  # noqa: E402

REMOVERS = ("two_head", "denoising_autoencoder")
BASELINES = ("identity", "biharmonic_true_mask", "oracle_inverse_blend")


# ----------------------------------------------------------------------------
# Data: training patches and held-out test patches, split by photo.


def load_pairs(args):
    """Returns `(train, test)` `WatermarkPairs` as the arguments describe."""
    common = dict(
        scale=args.scale, names=args.photos, test_photos=args.test_photos
    )
    train = watermark.make_watermark_pairs(
        args.num_train, args.image_size, "train", seed=args.seed, **common
    )
    test = watermark.make_watermark_pairs(
        args.num_test,
        tuple(args.test_size),
        "test",
        seed=args.seed + 1,
        **common,
    )
    return train, test


# ----------------------------------------------------------------------------
# kgen's removers.


def build_removers(
    names,
    base_filters=32,
    seed=0,
    num_downsampling=4,
    composition="inverse_blend",
    **options,
):
    """kgen removers by name (see `REMOVERS`), compiled.

    `two_head`: a `WatermarkRemover` (U-Net with `num_downsampling`
    stride-2 steps and `base_filters` filters, the given `composition`,
    loss options such as `opacity_weight`, Adam 1e-3);
    `denoising_autoencoder`: a `DenoisingAutoencoderRemover` (32-pixel
    tiles, code of 256, Adam 1e-3).
    """
    factories = {
        "two_head": lambda: watermark.WatermarkRemover(
            base_filters=base_filters,
            num_downsampling=num_downsampling,
            composition=composition,
            seed=seed,
            **options,
        ),
        "denoising_autoencoder": lambda: watermark.DenoisingAutoencoderRemover(
            tile_size=32 if base_filters >= 8 else 8,
            latent_dim=256 if base_filters >= 8 else 8,
            filters=(32, 64) if base_filters >= 8 else (4,),
            seed=seed,
        ),
    }
    unknown = sorted(set(names) - set(factories))
    if unknown:
        raise ValueError(f"Unknown removers {unknown}; choose from {REMOVERS}.")
    removers = {}
    for name in names:
        remover = factories[name]()
        remover.compile(optimizer=keras.optimizers.Adam(1e-3))
        removers[name] = remover
    return removers


# ----------------------------------------------------------------------------
# Evaluation: every method cleans the same test images.


def baseline_outputs(test):
    """The baselines' cleaned test images, by name, and their seconds."""
    alpha = test.alpha[:, None, None, None]
    methods = {
        "identity": lambda: test.watermarked,
        "biharmonic_true_mask": lambda: watermark.inpaint_biharmonic(
            test.watermarked, test.mask
        ),
        "oracle_inverse_blend": lambda: watermark.inverse_blend(
            test.watermarked, test.watermark, test.mask, alpha
        ),
    }
    outputs = {}
    for name, method in methods.items():
        start = time.perf_counter()
        outputs[name] = (method(), time.perf_counter() - start)
    return outputs


def evaluate(removers, train, test, epochs, batch_size):
    """Trains every remover and scores every method, with a progress bar.

    Args:
        removers: dict name -> compiled remover.
        train: training `WatermarkPairs`.
        test: test `WatermarkPairs`.
        epochs: dict name -> training epochs of that remover.
        batch_size: training batch size.

    Returns:
        `(metrics, predictions)`: per method, a dict of scores and
        seconds, and per remover `(cleaned, predicted_masks)`.
    """
    progress = keras.utils.Progbar(
        sum(epochs.values()) + len(BASELINES),
        stateful_metrics=["psnr_in_mask"],
    )
    metrics, predictions = {}, {}
    for name, remover in removers.items():
        start = time.perf_counter()
        remover.fit(
            train,
            epochs=epochs[name],
            batch_size=batch_size,
            verbose=0,
            callbacks=[_ProgressCallback(progress, f"{name}_loss")],
        )
        fit_seconds = time.perf_counter() - start
        cleaned = remover.remove_watermark(test.watermarked)
        masks = remover.predict_mask(test.watermarked)
        predictions[name] = (cleaned, masks)
        metrics[name] = {
            **watermark.removal_metrics(test.clean, cleaned, test.mask, masks),
            **head_diagnostics(remover, test),
            "fit_seconds": fit_seconds,
            "seconds": time.perf_counter() - start,
            "kgen": True,
            "given_true_mask": False,
        }
    for name, (cleaned, seconds) in baseline_outputs(test).items():
        metrics[name] = {
            **watermark.removal_metrics(test.clean, cleaned, test.mask),
            "seconds": seconds,
            "kgen": False,
            "given_true_mask": name != "identity",
        }
        predictions[name] = (cleaned, None)
        progress.add(1, [("psnr_in_mask", metrics[name]["psnr_in_mask"])])
    return metrics, predictions


def head_diagnostics(remover, test):
    """What the heads get right, apart from localisation.

    `psnr_in_mask_on_true_mask`: PSNR inside the mask of the refined image
    pasted on the **true** mask (the input elsewhere), i.e. with perfect
    localisation; for the `"inverse_blend"` composition also the mean
    absolute errors inside the mask of the blend weight (against
    `alpha * M`) and of the watermark colour.
    """
    if not isinstance(remover, watermark.WatermarkRemover) or isinstance(
        remover, watermark.DenoisingAutoencoderRemover
    ):
        return {}
    parts = remover.predict_components(test.watermarked)
    inside = test.mask > 0
    pasted = np.where(
        inside, np.clip(parts["refined"], 0.0, 1.0), test.watermarked
    )
    scores = watermark.removal_metrics(test.clean, pasted, test.mask)
    diagnostics = {"psnr_in_mask_on_true_mask": scores["psnr_in_mask"]}
    if "opacity" in parts:
        weight = test.alpha[:, None, None, None] * test.mask
        colour_error = np.abs(parts["colour"] - test.watermark).mean(-1)
        diagnostics.update(
            opacity_mae_in_mask=float(
                np.abs(parts["opacity"] - weight)[inside].mean()
            ),
            colour_mae_in_mask=float(colour_error[inside[..., 0]].mean()),
        )
    return diagnostics


class _ProgressCallback(keras.callbacks.Callback):
    """Advances the script's progress bar by one step per epoch."""

    def __init__(self, progress, label):
        super().__init__()
        self.progress, self.label = progress, label

    def on_epoch_end(self, epoch, logs=None):
        self.progress.add(1, [(self.label, (logs or {}).get("loss", 0.0))])


# ----------------------------------------------------------------------------
# Pictures.


def save_picture(path, test, cleaned, masks, title, count=8):
    """Rows: input / prediction / predicted mask / true mask / truth."""
    count = min(count, len(test.clean))
    rows = [
        ("input", test.watermarked),
        ("prediction", cleaned),
        ("predicted mask", masks.astype("float32")),
        ("true mask", (test.mask[..., 0] > 0).astype("float32")),
        ("truth", test.clean),
    ]
    figure, axes = plt.subplots(
        len(rows), count, figsize=(1.3 * count, 1.05 * len(rows)), squeeze=False
    )
    for row, (label, images) in zip(axes, rows):
        for axis, image in zip(row, images[:count]):
            axis.imshow(np.clip(image, 0, 1), cmap="gray", vmin=0, vmax=1)
            axis.set_xticks([])
            axis.set_yticks([])
        row[0].set_ylabel(label, fontsize=7)
    figure.suptitle(title, fontsize=8)
    figure.tight_layout(pad=0.2)
    figure.savefig(path, dpi=72)
    plt.close(figure)


# ----------------------------------------------------------------------------
# Main.


def run(args):
    """Runs the benchmark as the command line describes; returns the metrics."""
    os.makedirs(args.output, exist_ok=True)
    keras.utils.set_random_seed(args.seed)
    start = time.perf_counter()
    train, test = load_pairs(args)
    removers = build_removers(
        args.removers,
        args.base_filters,
        args.seed,
        args.num_downsampling,
        args.composition,
        opacity_weight=args.opacity_weight,
        colour_weight=args.colour_weight,
        balanced_mask_loss=args.balanced_mask_loss,
    )
    epochs = {
        name: args.autoencoder_epochs
        if name == "denoising_autoencoder" and args.autoencoder_epochs
        else args.epochs
        for name in removers
    }
    metrics, predictions = evaluate(
        removers, train, test, epochs, args.batch_size
    )
    kgen_names = [n for n in metrics if metrics[n]["kgen"]]
    if kgen_names:
        best = max(kgen_names, key=lambda n: metrics[n]["psnr_in_mask"])
        cleaned, masks = predictions[best]
        save_picture(
            os.path.join(args.output, "watermark_removal.png"),
            test,
            cleaned,
            masks,
            f"{best}: PSNR in mask {metrics[best]['psnr_in_mask']:.2f} dB "
            "(held-out photos, mask not given)",
        )
    goal = {
        "biharmonic_psnr_in_mask": metrics["biharmonic_true_mask"][
            "psnr_in_mask"
        ],
        "best_kgen": best if kgen_names else None,
        "best_kgen_psnr_in_mask": (
            metrics[best]["psnr_in_mask"] if kgen_names else None
        ),
    }
    goal["met"] = bool(
        kgen_names
        and goal["best_kgen_psnr_in_mask"] > goal["biharmonic_psnr_in_mask"]
    )
    report = {
        "settings": vars(args),
        "num_train": len(train.clean),
        "num_test": len(test.clean),
        "train_image_size": list(train.clean.shape[1:3]),
        "test_image_size": list(test.clean.shape[1:3]),
        "test_mask_fraction": float((test.mask > 0).mean()),
        "backend": keras.backend.backend(),
        "wall_seconds": time.perf_counter() - start,
        "goal": goal,
        "metrics": metrics,
    }
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(report, file, indent=2)
    print(
        f"{'method':22s} {'PSNR':>6s} {'SSIM':>6s} {'PSNR_m':>7s} "
        f"{'RMSE_m':>7s} {'IoU':>5s} {'F1':>5s}"
    )
    for name, values in metrics.items():
        iou = values.get("mask_iou")
        f1 = values.get("mask_f1")
        print(
            f"{name:22s} {values['psnr']:6.2f} {values['ssim']:6.4f} "
            f"{values['psnr_in_mask']:7.2f} {values['rmse_in_mask']:7.4f} "
            + (f"{iou:5.3f} {f1:5.3f}" if iou is not None else "    -     -")
        )
    for name, values in metrics.items():
        if "psnr_in_mask_on_true_mask" in values:
            print(
                f"{name}: PSNR in mask with the true mask "
                f"{values['psnr_in_mask_on_true_mask']:.2f}"
                + "".join(
                    f", {key} {values[key]:.3f}"
                    for key in ("opacity_mae_in_mask", "colour_mae_in_mask")
                    if key in values
                )
            )
    print(f"goal met: {goal['met']}")
    return metrics


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--output", default="watermark_removal_output", help="output folder"
    )
    parser.add_argument(
        "--num-train", type=int, default=4000, help="training pairs"
    )
    parser.add_argument("--num-test", type=int, default=200, help="test pairs")
    parser.add_argument(
        "--image-size", type=int, default=64, help="side of training patches"
    )
    parser.add_argument(
        "--test-size",
        type=int,
        nargs=2,
        default=(80, 120),
        metavar=("HEIGHT", "WIDTH"),
        help="size of the test images (any size: padded for the networks)",
    )
    parser.add_argument(
        "--scale", type=float, default=0.5, help="downscaling of the photos"
    )
    parser.add_argument(
        "--photos",
        nargs="+",
        default=list(PHOTOS),
        choices=list(PHOTOS),
        help="photos to use",
    )
    parser.add_argument(
        "--test-photos",
        nargs="+",
        default=list(TEST_PHOTOS),
        choices=list(PHOTOS),
        help="held-out photos of the test split",
    )
    parser.add_argument("--epochs", type=int, default=5, help="training epochs")
    parser.add_argument(
        "--autoencoder-epochs",
        type=int,
        default=2,
        help="training epochs of the denoising autoencoder (0: --epochs)",
    )
    parser.add_argument("--batch-size", type=int, default=8, help="batch size")
    parser.add_argument(
        "--base-filters",
        type=int,
        default=32,
        help="filters of the two-head U-Net's first convolution",
    )
    parser.add_argument(
        "--num-downsampling",
        type=int,
        default=4,
        help="stride-2 steps of the two-head U-Net",
    )
    parser.add_argument(
        "--composition",
        default="inverse_blend",
        choices=watermark.COMPOSITIONS,
        help="how the two-head remover forms its refined image: invert the "
        "blend with predicted opacity and colour, or add a residual",
    )
    parser.add_argument(
        "--opacity-weight",
        type=float,
        default=1.0,
        help="weight of the two-head remover's blend weight loss "
        "(inverse_blend)",
    )
    parser.add_argument(
        "--colour-weight",
        type=float,
        default=1.0,
        help="weight of the two-head remover's watermark colour loss "
        "(inverse_blend)",
    )
    parser.add_argument(
        "--balanced-mask-loss",
        action="store_true",
        help="average the two-head remover's mask loss over the watermark "
        "and the background separately",
    )
    parser.add_argument(
        "--removers",
        nargs="+",
        default=list(REMOVERS),
        choices=REMOVERS,
        help="kgen removers to train",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny smoke run: 48 training and 6 test pairs of small images, "
        "tiny networks (U-Net of 2 downsamplings), 1 epoch",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.num_train, args.num_test, args.epochs = 48, 6, 1
        args.autoencoder_epochs = 1
        args.image_size, args.test_size = 32, [18, 30]
        args.base_filters, args.num_downsampling = 4, 2
    return args


def main(argv=None):
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
