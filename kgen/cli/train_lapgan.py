"""Train a LAPGAN on the digits: a 4x4 GAN and an 8x8 residual level.

The 8x8 digit images are split into a Laplacian pyramid of two levels: an
MLP GAN learns the 4x4 low-pass images and a conditional convolutional GAN
the 8x8 band-pass residual given the upsampled 4x4 image
(`kgen.models.LAPGAN`). Writes `model.keras`, `samples.png`, `levels.png`
(rows: 4x4 level shown at 8x8, final 8x8 samples) and `metrics.json`
(Fréchet and kernel distances, precision/recall and classifier score in the
feature space of a digits classifier trained on the training split) to
`--output`.
"""

import json
import os

import keras
import numpy as np

from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.datasets import load_digits
from kgen.metrics import train_feature_extractor
from kgen.models import LAPGAN
from kgen.models import build_lapgan_discriminator
from kgen.models import build_lapgan_generator
from kgen.models import build_mlp_discriminator
from kgen.models import build_mlp_generator
from kgen.utils import save_image_grid

HELP = {"lapgan": "Train a two-level Laplacian pyramid GAN on the digits."}


def add_arguments(parser):
    parser.add_argument(
        "--epochs", type=positive_int, default=100, help="training epochs"
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=64,
        help="images per training step",
    )
    parser.add_argument(
        "--latent-dim",
        type=positive_int,
        default=16,
        help="size of the coarse level's latent vector",
    )
    parser.add_argument(
        "--filters",
        type=positive_int,
        default=32,
        help="filters of the 8x8 level's convolutions",
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=2e-4,
        help="Adam learning rate of every level",
    )
    parser.add_argument(
        "--pyramid-method",
        choices=("gaussian", "average"),
        default="gaussian",
        help="pyramid resampling: binomial blur or 2x2 averages",
    )
    parser.add_argument(
        "--extractor-epochs",
        type=positive_int,
        default=60,
        help="epochs of the digits classifier behind the metrics",
    )
    parser.add_argument(
        "--num-samples",
        type=positive_int,
        default=450,
        help="generated digits scored",
    )


def build(args):
    """The two-level LAPGAN of the CLI."""
    return LAPGAN(
        generators=[
            build_lapgan_generator((8, 8, 1), filters=args.filters),
            build_mlp_generator(args.latent_dim, (4, 4, 1), (128, 128)),
        ],
        discriminators=[
            build_lapgan_discriminator((8, 8, 1), filters=args.filters),
            build_mlp_discriminator((4, 4, 1), (128, 128)),
        ],
        latent_dim=args.latent_dim,
        pyramid_method=args.pyramid_method,
        label_smoothing=0.1,
        seed=args.seed,
    )


def run(args):
    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, _) = load_digits(flatten=False)
    model = build(args)
    model.compile(
        optimizer=keras.optimizers.Adam(args.learning_rate, beta_1=0.5)
    )
    history = model.fit(
        x_train, epochs=args.epochs, batch_size=args.batch_size, verbose=1
    )
    samples = np.clip(model.generate(args.num_samples, seed=args.seed), 0, 1)
    extractor = train_feature_extractor(
        x_train.reshape(len(x_train), -1),
        y_train,
        epochs=args.extractor_epochs,
        seed=args.seed,
    )
    metrics = extractor.score(
        x_test.reshape(len(x_test), -1), samples.reshape(len(samples), -1)
    )
    metrics.update(
        {key: float(values[-1]) for key, values in history.history.items()}
    )
    save_image_grid(
        samples[:100],
        os.path.join(args.output, "samples.png"),
        num_columns=10,
    )
    _, (fine, coarse) = model.generate(10, seed=args.seed, return_levels=True)
    rows = [coarse.repeat(2, axis=1).repeat(2, axis=2), fine]
    save_image_grid(
        np.clip(np.concatenate(rows), 0, 1),
        os.path.join(args.output, "levels.png"),
        num_columns=10,
    )
    model.save(os.path.join(args.output, "model.keras"))
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=2)
    print(json.dumps(metrics, indent=2))
    return metrics
