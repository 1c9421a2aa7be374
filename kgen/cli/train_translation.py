"""Train an image-to-image model: `pix2pix` (edges -> photos) or `cyclegan`.

`pix2pix` learns photo patches from their Canny edges
(`kgen.datasets.edges_to_photos`, split by source photo); `cyclegan` learns
thin -> thick MNIST digits from unpaired halves of the training set
(`kgen.datasets.thin_to_thick_digits`; MNIST from `--data-dir`, the folder
named by `KGEN_DATA_DIR`, or a download). Writes `model.keras`,
`translations.png` (rows: inputs, translations, true answers) and
`metrics.json` (PSNR and SSIM of the translations and of the identity
against the true answers on the test set) to `--output`.
"""

import json
import os

import keras
import numpy as np

from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.datasets import edges_to_photos
from kgen.datasets import thin_to_thick_digits
from kgen.models import CycleGAN
from kgen.models import Pix2Pix
from kgen.models import build_patchgan_discriminator
from kgen.models import build_resnet_generator
from kgen.models import build_unet_generator
from kgen.optimizers import LinearDecay
from kgen.utils import save_image_grid

HELP = {
    "pix2pix": "Train Pix2Pix: photo patches from their edges (paired).",
    "cyclegan": "Train CycleGAN: thin to thick MNIST digits (unpaired).",
}


def add_arguments(parser):
    parser.add_argument(
        "--epochs", type=positive_int, help="training epochs", default=10
    )
    parser.add_argument(
        "--batch-size", type=positive_int, help="samples per step", default=16
    )
    parser.add_argument(
        "--base-filters",
        type=positive_int,
        default=16,
        help="filters of the first generator and discriminator layers",
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        help="Adam learning rate",
        default=2e-4,
    )
    parser.add_argument(
        "--patch-size", type=positive_int, default=32, help="pix2pix patch size"
    )
    parser.add_argument(
        "--num-train",
        type=positive_int,
        default=1000,
        help="cyclegan digits/domain",
    )
    parser.add_argument(
        "--data-dir", default=None, help="cyclegan: folder with mnist.npz"
    )


def _check(args):
    for name in ("epochs", "batch_size", "base_filters", "patch_size"):
        if getattr(args, name) < 1:
            raise ValueError(
                f"--{name.replace('_', '-')} must be >= 1, received "
                f"{getattr(args, name)}"
            )
    if args.patch_size % 32:
        raise ValueError(
            f"--patch-size must be a multiple of 32, received {args.patch_size}"
        )


def build(name, args, shape_a, shape_b):
    filters = args.base_filters
    if name == "pix2pix":
        return Pix2Pix(
            build_unet_generator(shape_a, shape_b[-1], base_filters=filters),
            build_patchgan_discriminator(
                (*shape_a[:2], shape_a[-1] + shape_b[-1]), base_filters=filters
            ),
            seed=args.seed,
        )
    generators = [
        build_resnet_generator(
            shape_a, base_filters=filters // 2 or 1, num_blocks=2
        )
        for _ in range(2)
    ]
    discriminators = [
        build_patchgan_discriminator(shape_a, base_filters=filters)
        for _ in range(2)
    ]
    return CycleGAN(*generators, *discriminators, seed=args.seed)


def run(args):
    _check(args)
    keras.utils.set_random_seed(args.seed)
    if args.model == "pix2pix":
        (x, y), (x_test, y_test) = edges_to_photos(
            patch_size=args.patch_size,
            scale=args.patch_size / 128,
            stride=args.patch_size // 2,
        )
    else:
        (x, y), (x_test, y_test) = thin_to_thick_digits(
            args.data_dir, num_train=args.num_train, seed=args.seed
        )
    model = build(args.model, args, x.shape[1:], y.shape[1:])
    steps = -(-len(x) // args.batch_size) * args.epochs
    learning_rate = args.learning_rate
    if args.model == "cyclegan":  # constant, then linearly to zero
        learning_rate = LinearDecay(
            learning_rate, steps // 2, steps - steps // 2
        )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, beta_1=0.5))
    model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs)
    predicted = np.clip(model.translate(x_test), -1.0, 1.0)
    metrics = {
        "model": args.model,
        "test_images": len(x_test),
        **_scores("translation", y_test, predicted),
        **_scores("identity", y_test, _as_target(x_test, y_test)),
    }
    model.save(os.path.join(args.output, "model.keras"))
    picks = np.linspace(0, len(x_test) - 1, 8).astype(int)
    rows = [_as_target(x_test, y_test)[picks], predicted[picks], y_test[picks]]
    save_image_grid(
        (np.concatenate(rows) + 1) / 2,
        os.path.join(args.output, "translations.png"),
        num_columns=len(picks),
    )
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=1)
    print(json.dumps(metrics))


def _as_target(x, y):
    """Inputs with the targets' channel count (edges repeated as grey)."""
    return np.repeat(x, y.shape[-1] // x.shape[-1], axis=-1)


def _scores(name, truth, images):
    from skimage import metrics

    channel_axis = -1
    psnr = [
        metrics.peak_signal_noise_ratio(t, i, data_range=2.0)
        for t, i in zip(truth, images)
    ]
    ssim = [
        metrics.structural_similarity(
            t, i, data_range=2.0, channel_axis=channel_axis
        )
        for t, i in zip(truth, images)
    ]
    return {
        f"{name}_psnr": float(np.mean(psnr)),
        f"{name}_ssim": float(np.mean(ssim)),
    }
