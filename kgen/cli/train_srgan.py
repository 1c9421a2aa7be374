"""Train SRGAN (x2/x4/x8 super-resolution) on patches of the bundled photos.

Pairs come from `kgen.datasets.super_resolution_pairs` (bicubic,
anti-aliased low-resolution versions, patches half a patch apart; test
photos chelsea, coffee and rocket held out). As in the paper, the generator first trains alone on the pixel
MSE (SRResNet, `--pretrain-epochs`), then with the discriminator
(`--epochs`, adversarial weight `--adversarial-weight`; 0 trains SRResNet
only). Writes `model.keras`, `upscaled.png` (rows: bicubic, the model,
the truth on test patches) and `metrics.json` (PSNR and SSIM of the model
and of bicubic interpolation on the test patches) to `--output`.
"""

import json
import os

import keras
import numpy as np

from kgen.cli.arguments import non_negative_float
from kgen.cli.arguments import non_negative_int
from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.cli.train_translation import _scores
from kgen.datasets import super_resolution_pairs
from kgen.models import SRGAN
from kgen.models import build_srgan_discriminator
from kgen.models import build_srresnet_generator
from kgen.utils import save_image_grid

HELP = {"srgan": "Train SRGAN / SRResNet: x4 super-resolution of photos."}


def add_arguments(parser):
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=2,
        help="SRGAN epochs (SRResNet epochs if --adversarial-weight is 0)",
    )
    parser.add_argument(
        "--pretrain-epochs",
        type=non_negative_int,
        default=2,
        help="SRResNet (pixel MSE) epochs before the adversarial ones",
    )
    parser.add_argument(
        "--batch-size", type=positive_int, help="pairs per step", default=16
    )
    parser.add_argument(
        "--scale", type=positive_int, default=4, help="upscaling factor"
    )
    parser.add_argument(
        "--patch-size",
        type=positive_int,
        default=32,
        help="high-resolution patch side",
    )
    parser.add_argument(
        "--photo-scale",
        type=positive_float,
        default=0.5,
        help="downscaling of the photos before cutting patches",
    )
    parser.add_argument(
        "--filters", type=positive_int, default=32, help="generator filters"
    )
    parser.add_argument(
        "--num-blocks",
        type=non_negative_int,
        default=4,
        help="residual blocks of the generator",
    )
    parser.add_argument(
        "--adversarial-weight",
        type=non_negative_float,
        default=1e-3,
        help="weight of the adversarial term (0: SRResNet)",
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=1e-4,
        help="Adam learning rate of the adversarial epochs",
    )


def _check(args):
    if args.patch_size % (8 * args.scale):
        raise ValueError(
            f"--patch-size must be a multiple of 8 x --scale = "
            f"{8 * args.scale} (the discriminator halves it 3 times), "
            f"received {args.patch_size}"
        )
    if args.photo_scale > 1:
        raise ValueError(
            f"--photo-scale must be in (0, 1], received {args.photo_scale}"
        )


def run(args):
    _check(args)
    keras.utils.set_random_seed(args.seed)
    options = dict(
        scale=args.scale,
        patch_size=args.patch_size,
        photo_scale=args.photo_scale,
    )
    (low, high), (low_test, high_test) = super_resolution_pairs(
        **options, stride=args.patch_size // 2
    )
    generator = build_srresnet_generator(
        args.scale,
        num_blocks=args.num_blocks,
        filters=args.filters,
        normalization=None,
    )
    adversarial = args.adversarial_weight > 0
    stages = [(0.0, args.pretrain_epochs if adversarial else args.epochs)]
    if adversarial:
        stages.append((args.adversarial_weight, args.epochs))
    for weight, epochs in stages:
        discriminator = None
        if weight:
            discriminator = build_srgan_discriminator(
                high.shape[1:], args.filters // 2 or 1, 3, 4 * args.filters
            )
        model = SRGAN(generator, discriminator, adversarial_weight=weight)
        model.compile(
            optimizer=keras.optimizers.Adam(
                args.learning_rate if weight else 1e-3
            )
        )
        if epochs:
            model.fit(low, high, batch_size=args.batch_size, epochs=epochs)
    upscaled = np.clip(model.upscale(low_test), -1.0, 1.0)
    bicubic = _bicubic(low_test, args.scale)
    metrics = {
        "model": "srgan" if adversarial else "srresnet",
        "test_pairs": len(low_test),
        **_scores("model", high_test, upscaled),
        **_scores("bicubic", high_test, bicubic),
    }
    model.save(os.path.join(args.output, "model.keras"))
    picks = np.linspace(0, len(low_test) - 1, 8).astype(int)
    save_image_grid(
        (
            np.concatenate([bicubic[picks], upscaled[picks], high_test[picks]])
            + 1
        )
        / 2,
        os.path.join(args.output, "upscaled.png"),
        num_columns=len(picks),
    )
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=1)
    print(json.dumps(metrics))


def _bicubic(images, scale):
    from skimage import transform

    n, h, w, c = images.shape
    size = (n, h * scale, w * scale, c)
    return transform.resize(images, size, order=3).astype("float32")
