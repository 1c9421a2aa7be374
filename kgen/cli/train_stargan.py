"""Train StarGAN: digits translated among seven domains with one generator.

The digits (scikit-learn's embedded 8x8 digits by default, MNIST with
`--data-dir`) are rendered as RGB images in the domains of
`kgen.datasets.DIGIT_DOMAINS` (original, thick, thin, inverted, red, green,
blue; `kgen.datasets.digit_domains`, split by source digit). Writes
`model.keras`, `translations.png` (rows: inputs, then their translation into
each domain) and `metrics.json` (PSNR and SSIM of the translations and of
the identity against the true renderings of the test digits, and the
reconstruction error) to `--output`.
"""

import json
import os

import keras
import numpy as np

from kgen.cli.arguments import non_negative_int
from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.cli.train_translation import _scores
from kgen.datasets import DIGIT_DOMAINS
from kgen.datasets import digit_domains
from kgen.datasets import domain_translation_pairs
from kgen.models import StarGAN
from kgen.models import build_stargan_discriminator
from kgen.models import build_stargan_generator
from kgen.utils import save_image_grid

HELP = {"stargan": "Train StarGAN: digits among seven domains (one model)."}


def add_arguments(parser):
    parser.add_argument(
        "--epochs", type=positive_int, help="training epochs", default=10
    )
    parser.add_argument(
        "--batch-size", type=positive_int, help="images per step", default=16
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
        help="Adam learning rate of both networks",
        default=2e-4,
    )
    parser.add_argument(
        "--num-blocks",
        type=non_negative_int,
        default=3,
        help="residual blocks of the generator",
    )
    parser.add_argument(
        "--n-critic",
        type=positive_int,
        default=5,
        help="discriminator updates per generator update",
    )
    parser.add_argument(
        "--image-size",
        type=positive_int,
        default=16,
        help="side of the square images, a multiple of 4",
    )
    parser.add_argument(
        "--num-train",
        type=positive_int,
        default=None,
        help="training digits (default: every non-test digit)",
    )
    parser.add_argument(
        "--num-test", type=positive_int, default=100, help="test digits"
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        help="folder with mnist.npz: train on MNIST, not the 8x8 digits",
    )


def run(args):
    if args.image_size % 4:
        raise ValueError(
            f"--image-size must be a multiple of 4, received {args.image_size}"
        )
    keras.utils.set_random_seed(args.seed)
    source = "digits" if args.data_dir is None else "mnist"
    (x, domains, _), (x_test, _, _) = digit_domains(
        source,
        args.data_dir,
        image_size=args.image_size,
        num_train=args.num_train,
        num_test=args.num_test,
        seed=args.seed,
    )
    shape, num_domains = x.shape[1:], len(DIGIT_DOMAINS)
    filters = args.base_filters
    model = StarGAN(
        build_stargan_generator(
            shape,
            num_domains,
            base_filters=filters,
            num_blocks=args.num_blocks,
        ),
        build_stargan_discriminator(shape, num_domains, base_filters=filters),
        num_domains,
        discriminator_steps=args.n_critic,
        seed=args.seed,
    )
    model.compile(
        optimizer=keras.optimizers.Adam(args.learning_rate, beta_1=0.5)
    )
    model.fit(x, domains, batch_size=args.batch_size, epochs=args.epochs)
    inputs, sources, targets, truth, digit = domain_translation_pairs(
        x_test, num_domains, seed=args.seed
    )
    translated = np.clip(model.translate(inputs, targets), -1.0, 1.0)
    rebuilt = model.translate(translated, sources)
    metrics = {
        "model": "stargan",
        "source": source,
        "domains": list(DIGIT_DOMAINS),
        "test_translations": len(inputs),
        **_scores("translation", truth, translated),
        **_scores("identity", truth, inputs),
        "reconstruction_mae": float(np.mean(np.abs(rebuilt - inputs))),
    }
    model.save(os.path.join(args.output, "model.keras"))
    picks = inputs[np.unique(digit, return_index=True)[1][:8]]
    rows = [picks] + [model.translate(picks, k) for k in range(num_domains)]
    save_image_grid(
        (np.clip(np.concatenate(rows), -1.0, 1.0) + 1) / 2,
        os.path.join(args.output, "translations.png"),
        num_columns=len(picks),
    )
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=1)
    print(json.dumps(metrics))
