"""Train DeblurGAN: sharp photo patches from motion-blurred ones.

The task is `kgen.datasets.motion_blur_pairs`: patches of the bundled
photos, each blurred by its own random linear motion kernel plus noise,
split by source photo. Writes `model.keras`, `deblurred.png` (rows: blurred
inputs, restorations, sharp originals) and `metrics.json` (PSNR and SSIM of
the restorations and of the blurred inputs against the sharp test patches)
to `--output`.
"""

import json
import os

import keras
import numpy as np

from kgen.cli.arguments import non_negative_float
from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.cli.train_translation import _scores
from kgen.datasets import motion_blur_pairs
from kgen.models import DeblurGAN
from kgen.models import build_patchgan_discriminator
from kgen.models import build_resnet_generator
from kgen.optimizers import LinearDecay
from kgen.utils import save_image_grid

HELP = {"deblurgan": "Train DeblurGAN: sharp photo patches from blurred ones."}


def add_arguments(parser):
    parser.add_argument(
        "--epochs", type=positive_int, help="training epochs", default=5
    )
    parser.add_argument(
        "--batch-size", type=positive_int, help="patches per step", default=16
    )
    parser.add_argument(
        "--base-filters",
        type=positive_int,
        default=16,
        help="filters of the first generator and critic layers",
    )
    parser.add_argument(
        "--num-blocks",
        type=positive_int,
        default=4,
        help="residual blocks of the generator",
    )
    parser.add_argument(
        "--critic-steps",
        type=positive_int,
        default=5,
        help="critic updates per generator update",
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=2e-4,
        help="Adam learning rate, constant then decayed linearly to 0",
    )
    parser.add_argument(
        "--patch-size",
        type=positive_int,
        default=32,
        help="side of the patches (a multiple of 4)",
    )
    parser.add_argument(
        "--scale",
        type=positive_float,
        default=0.5,
        help="downscaling of the photos before cutting patches",
    )
    parser.add_argument(
        "--max-length",
        type=positive_float,
        default=11.0,
        help="longest blur in pixels (the shortest is 3)",
    )
    parser.add_argument(
        "--noise",
        type=non_negative_float,
        default=0.01,
        help="standard deviation of the noise added to blurred patches",
    )


def _check(args):
    if args.patch_size % 4:
        raise ValueError(
            f"--patch-size must be a multiple of 4, received {args.patch_size}"
        )
    if not args.scale <= 1:
        raise ValueError(f"--scale must be in (0, 1], received {args.scale}")
    if args.max_length < 3:
        raise ValueError(
            f"--max-length must be >= 3, received {args.max_length}"
        )


def run(args):
    _check(args)
    keras.utils.set_random_seed(args.seed)
    train, test = motion_blur_pairs(
        patch_size=args.patch_size,
        scale=args.scale,
        max_length=args.max_length,
        noise=args.noise,
        seed=args.seed,
    )
    (x, y, _), (x_test, y_test, _) = train, test
    shape = x.shape[1:]
    model = DeblurGAN(
        build_resnet_generator(
            shape,
            base_filters=args.base_filters,
            num_blocks=args.num_blocks,
            zero_output=True,  # the residual model starts at the identity
        ),
        build_patchgan_discriminator(shape, base_filters=args.base_filters),
        critic_steps=args.critic_steps,
        seed=args.seed,
    )
    steps = -(-len(x) // args.batch_size) * args.epochs
    schedule = LinearDecay(args.learning_rate, steps // 2, steps - steps // 2)
    model.compile(optimizer=keras.optimizers.Adam(schedule, beta_1=0.5))
    model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs)
    restored = model.deblur(x_test)
    metrics = {
        "model": "deblurgan",
        "train_patches": len(x),
        "test_patches": len(x_test),
        **_scores("deblurred", y_test, restored),
        **_scores("identity", y_test, x_test),
    }
    model.save(os.path.join(args.output, "model.keras"))
    picks = np.linspace(0, len(x_test) - 1, 8).astype(int)
    save_image_grid(
        (np.concatenate([x_test[picks], restored[picks], y_test[picks]]) + 1)
        / 2,
        os.path.join(args.output, "deblurred.png"),
        num_columns=len(picks),
    )
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=1)
    print(json.dumps(metrics))
