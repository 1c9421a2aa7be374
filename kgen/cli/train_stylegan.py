"""Train a small StyleGAN2 on the digits (8x8) or on MNIST padded to 32x32.

With `--data digits` (the default, offline) the images are scikit-learn's
8x8 digits; with `--data mnist` the MNIST training digits padded from 28x28
to 32x32 (`mnist.npz` from `--data-dir`, the folder named by
`KGEN_DATA_DIR`, or a download). Pixels are scaled to [-1, 1]. Writes
`model.keras`, `samples.png`, `mixing.png` (style-mixing grid: coarse
styles of the row sources, the rest of the column sources), `truncation.png`
(one latent per row, truncation psi 0 to 1 across) and `metrics.json`
(Fréchet and kernel distances, precision/recall and classifier score of the
samples against the test images, in the feature space of a classifier
trained on the training images) to `--output`.
"""

import json
import os

import keras
import numpy as np

from kgen.cli.arguments import non_negative_float
from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.datasets import load_digits
from kgen.datasets import load_mnist
from kgen.metrics import train_feature_extractor
from kgen.models import StyleGAN
from kgen.models import build_style_discriminator
from kgen.models import build_style_generator
from kgen.utils import save_image_grid

HELP = {"stylegan": "Train a StyleGAN2 on the digits or MNIST (32x32)."}


def add_arguments(parser):
    parser.add_argument(
        "--data",
        choices=("digits", "mnist"),
        default="digits",
        help="training images: 8x8 digits or MNIST padded to 32x32",
    )
    parser.add_argument(
        "--data-dir", default=None, help="mnist: folder with mnist.npz"
    )
    parser.add_argument(
        "--epochs", type=positive_int, default=30, help="training epochs"
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=32,
        help="samples per step (a multiple of 4, the minibatch-std group)",
    )
    parser.add_argument(
        "--latent-dim",
        type=positive_int,
        default=64,
        help="size of the latent vector z and of the style w",
    )
    parser.add_argument(
        "--filters",
        type=positive_int,
        nargs="+",
        default=[64, 32, 16, 16],
        help="filters per resolution from 4x4 up (first ones used at 8x8)",
    )
    parser.add_argument(
        "--mapping-layers",
        type=positive_int,
        default=4,
        help="dense layers of the mapping network",
    )
    parser.add_argument(
        "--output-activation",
        choices=("tanh", "linear"),
        default="tanh",
        help="the generator's output: tanh (default; on MNIST StyleGAN2's "
        "linear output collapsed) or linear (the paper's)",
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=2e-3,
        help="Adam learning rate of both networks (betas 0, 0.99)",
    )
    parser.add_argument(
        "--r1",
        type=non_negative_float,
        default=0.05,
        help="R1 penalty weight gamma / 2 (lazy, every 16 steps)",
    )
    parser.add_argument(
        "--style-mixing",
        type=non_negative_float,
        default=0.9,
        help="probability of style mixing in a training sample",
    )
    parser.add_argument(
        "--truncation",
        type=non_negative_float,
        default=1.0,
        help="truncation psi of the scored samples, in [0, 1]",
    )
    parser.add_argument(
        "--num-samples",
        type=positive_int,
        default=500,
        help="generated samples scored",
    )


def load(args):
    """`(x_train, y_train), (x_test, y_test)`: images in [-1, 1]."""
    if args.data == "digits":
        (x, y), (x_test, y_test) = load_digits(flatten=False)
    else:
        (x, y), (x_test, y_test) = load_mnist(args.data_dir, flatten=False)
        pad = [(0, 0), (2, 2), (2, 2), (0, 0)]
        x, x_test = np.pad(x, pad), np.pad(x_test, pad)
    return (x * 2 - 1, y), (x_test * 2 - 1, y_test)


def build(args, image_shape):
    levels = int(np.log2(image_shape[0])) - 1
    if len(args.filters) < levels:
        raise ValueError(
            f"--filters needs {levels} counts for {image_shape[0]}x"
            f"{image_shape[0]} images. Received {args.filters}."
        )
    filters = args.filters[:levels]
    return StyleGAN(
        build_style_generator(
            args.latent_dim,
            image_shape,
            filters=filters,
            mapping_layers=args.mapping_layers,
            output_activation=args.output_activation,
        ),
        build_style_discriminator(image_shape, filters=filters),
        style_mixing=args.style_mixing,
        r1_penalty=args.r1,
        ema_decay=0.999,
        seed=args.seed,
    )


def to_unit(images):
    """Images in [-1, 1] to [0, 1], clipped."""
    return np.clip((np.asarray(images) + 1) / 2, 0, 1)


def save_figures(gan, folder, seed, prefix=""):
    """Writes a StyleGAN's style-mixing grid and truncation sweep.

    `<prefix>mixing.png`: the top row holds 6 column sources, the left
    column 6 row sources; cell (i, j) takes its first layers' styles from
    row source i and the others from column source j, the crossover moving
    from coarse (rows 1-2: a quarter of the layers) to middle (rows 3-4: a
    half) and fine (rows 5-6: three quarters). `<prefix>truncation.png`: 6
    latents (rows) at psi = 0, 0.2, ..., 1 (columns).

    Args:
        gan: a trained `kgen.models.StyleGAN` (images in [-1, 1]).
        folder: output folder.
        seed: seed of the latents and the noise.
        prefix: file name prefix.
    """
    rng = np.random.default_rng(seed)
    sources, columns = rng.normal(size=(2, 6, gan.latent_dim)).astype("f4")
    pure = gan.num_styles  # crossover after the last layer: one source only
    shape = gan.sample_shape
    grid = [-np.ones((1, *shape)), gan.mix_styles(columns, columns, pure)]
    for row, quarters in zip(sources, (1, 1, 2, 2, 3, 3)):
        crossover = max(1, quarters * pure // 4)
        rows = np.repeat(row[None], 6, 0)
        grid.append(gan.mix_styles(row[None], row[None], pure, seed=seed))
        grid.append(gan.mix_styles(rows, columns, crossover, seed=seed))
    save_image_grid(
        to_unit(np.concatenate(grid)),
        os.path.join(folder, f"{prefix}mixing.png"),
        num_columns=7,
    )
    z = rng.normal(size=(6, gan.latent_dim)).astype("float32")
    sweep = [
        gan.mix_styles(z, z, pure, truncation=psi, seed=seed)
        for psi in np.linspace(0.0, 1.0, 6)
    ]
    save_image_grid(
        to_unit(np.stack(sweep, 1).reshape(-1, *shape)),
        os.path.join(folder, f"{prefix}truncation.png"),
        num_columns=len(sweep),
    )


def run(args):
    if args.truncation > 1:
        raise ValueError(
            f"--truncation must be in [0, 1]. Received {args.truncation}."
        )
    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, _) = load(args)
    model = build(args, x_train.shape[1:])
    adam = keras.optimizers.Adam
    model.compile(
        optimizer={
            name: adam(args.learning_rate, beta_1=0.0, beta_2=0.99)
            for name in ("discriminator", "generator")
        }
    )
    usable = len(x_train) - len(x_train) % args.batch_size
    history = model.fit(
        x_train[:usable],
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=1,
    )
    samples = to_unit(
        model.generate(
            args.num_samples, truncation=args.truncation, seed=args.seed
        )
    )
    extractor = train_feature_extractor(
        to_unit(x_train), y_train, epochs=5, seed=args.seed
    )
    count = min(len(x_test), args.num_samples)
    metrics = extractor.score(to_unit(x_test[:count]), samples)
    metrics.update(
        {key: float(values[-1]) for key, values in history.history.items()}
    )
    save_image_grid(
        samples[:64], os.path.join(args.output, "samples.png"), num_columns=8
    )
    save_figures(model, args.output, args.seed)
    model.save(os.path.join(args.output, "model.keras"))
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=2)
    print(json.dumps(metrics, indent=2))
    return metrics
