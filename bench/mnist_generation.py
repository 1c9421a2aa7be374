"""MNIST 32x32 generation: GANs compared at the same number of images seen.

Every model trains on the MNIST training digits padded from 28x28 to 32x32
and scaled to [-1, 1], for the same number of training images seen
(`--images`, drawn without repetition while possible), and is scored on
`--samples` generated digits against as many MNIST test digits, in the feature
space of a classifier trained on the padded training digits
(`kgen.metrics.train_feature_extractor`, convolutional with
`--extractor-filters`; its accuracy on the scored digits is printed and
stored):
Fréchet distance (a "Fréchet classifier distance", not an Inception FID),
kernel distance, precision and recall (k = 3), classifier score. The floor
row scores as many real training digits. The conditional GAN (`cgan`) is
asked for the classes 0-9 in turn; `label_accuracy` is the fraction of its
samples that the classifier puts in the requested class.

Models are entries of `MODELS`, name -> function `(images, labels,
num_images, batch_size, seed) -> trained model with generate(num_samples,
seed=...)` returning images in [-1, 1] (conditional models also take
`labels=`, see `CONDITIONAL`); select them with `--models dcgan,stylegan`.
To choose settings without reading the test digits, `--validation` trains
on the first 50,000 training digits (the classifier too) and scores
against the last 10,000 instead.

    python bench/mnist_generation.py [--models dcgan,stylegan] [--quick]
        [--validation] [--figures docs/images]

With `--figures`, StyleGAN's style-mixing grid and truncation sweep are
written as `stylegan_mixing.png` and `stylegan_truncation.png`, and
LAPGAN's levels (`--models lapgan`) as `lapgan_levels.png`.
"""

import argparse
import json
import os
import time

import keras
import numpy as np

import kgen
from kgen.cli.train_stylegan import save_figures
from kgen.cli.train_stylegan import to_unit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LATENT = 64
VALIDATION_SPLIT = 50_000


def epoch_of(images, num_images, seed):
    """`num_images` training images in a random order (repeats if needed)."""
    rng = np.random.default_rng(seed)
    repeats = -(-num_images // len(images))
    order = np.concatenate(
        [rng.permutation(len(images)) for _ in range(repeats)]
    )
    return images[order[:num_images]]


def fit(model, images, num_images, batch_size, seed, labels=None):
    """Trains `model` on exactly `num_images` images (whole batches), with
    their labels when `labels` is given."""
    num_images -= num_images % batch_size
    order = epoch_of(np.arange(len(images)), num_images, seed)
    model.fit(
        images[order],
        None if labels is None else labels[order],
        batch_size=batch_size,
        epochs=1,
        shuffle=False,
        verbose=0,
    )
    return model


def cosine_decay(rate, num_images, batch_size):
    """`rate` decaying to 0 on a cosine over the run's steps."""
    return keras.optimizers.schedules.CosineDecay(
        rate, max(1, num_images // batch_size)
    )


def build_dcgan(seed, num_classes=None, learning_rate=2e-4):
    """DCGAN of `kgen.models.build_dcgan_*` (tanh output),
    Adam(`learning_rate`, 0.5) (the paper's 2e-4 by default; a float or a
    schedule); a `kgen.models.ConditionalGAN` when `num_classes` is
    given."""
    keras.utils.set_random_seed(seed)
    networks = [
        kgen.models.build_dcgan_generator(
            LATENT,
            (32, 32, 1),
            base_filters=32,
            num_classes=num_classes,
            output_activation="tanh",
        ),
        kgen.models.build_dcgan_discriminator(
            (32, 32, 1), base_filters=32, num_classes=num_classes
        ),
    ]
    options = dict(
        latent_dim=LATENT, label_smoothing=0.1, ema_decay=0.999, seed=seed
    )
    if num_classes is None:
        gan = kgen.models.GAN(*networks, **options)
    else:
        gan = kgen.models.ConditionalGAN(
            *networks, num_classes=num_classes, **options
        )
    adam = keras.optimizers.Adam
    gan.compile(
        optimizer={
            "discriminator": adam(learning_rate, beta_1=0.5),
            "generator": adam(learning_rate, beta_1=0.5),
        }
    )
    return gan


def train_dcgan(images, labels, num_images, batch_size, seed):
    """The unconditional DCGAN (`build_dcgan`)."""
    return fit(build_dcgan(seed), images, num_images, batch_size, seed)


def train_dcgan_tuned(images, labels, num_images, batch_size, seed):
    """The DCGAN with Adam(2e-3, 0.5), ten times the paper's rate, chosen
    on held-out training digits for this budget as the StyleGAN's was."""
    gan = build_dcgan(seed, learning_rate=2e-3)
    return fit(gan, images, num_images, batch_size, seed)


def train_dcgan_decay(images, labels, num_images, batch_size, seed):
    """The tuned DCGAN's Adam(2e-3, 0.5), decaying to 0 on a cosine over
    the run (the counterpart of `stylegan_decay`)."""
    rate = cosine_decay(2e-3, num_images, batch_size)
    gan = build_dcgan(seed, learning_rate=rate)
    return fit(gan, images, num_images, batch_size, seed)


def train_cgan(images, labels, num_images, batch_size, seed):
    """The DCGAN conditioned on the digit class (`build_dcgan`)."""
    gan = build_dcgan(seed, num_classes=10)
    return fit(gan, images, num_images, batch_size, seed, labels)


def build_stylegan(seed, dcgan_discriminator=False):
    """The small StyleGAN2 of this benchmark (filters 64-32-16-16, tanh
    output as the DCGAN's: the linear output collapsed on MNIST; no style
    mixing, chosen on held-out training digits, as StyleGAN2-ADA's 32x32
    configuration), against its own discriminator or the DCGAN one of
    `train_dcgan`."""
    keras.utils.set_random_seed(seed)
    filters = [64, 32, 16, 16]
    generator = kgen.models.build_style_generator(
        LATENT,
        (32, 32, 1),
        filters=filters,
        mapping_layers=4,
        output_activation="tanh",
    )
    if dcgan_discriminator:
        discriminator = kgen.models.build_dcgan_discriminator(
            (32, 32, 1), base_filters=32
        )
    else:
        discriminator = kgen.models.build_style_discriminator(
            (32, 32, 1), filters=filters
        )
    return kgen.models.StyleGAN(
        generator,
        discriminator,
        style_mixing=0.0,
        r1_penalty=0.05,
        penalty_interval=16,
        ema_decay=0.999,
        seed=seed,
    )


def train_stylegan(
    images,
    labels,
    num_images,
    batch_size,
    seed,
    learning_rate=1e-2,
    discriminator_lr=None,
    dcgan_discriminator=False,
):
    """StyleGAN2 (`kgen.models.StyleGAN`), Adam(`learning_rate`, 0, 0.99)
    for both networks (the discriminator's `discriminator_lr` if given).

    The paper's 2e-3 moves the equalised weights (standard normal) by about
    0.2 % a step, a fifth of what the DCGAN's Adam(2e-4) does to its
    weights (standard deviation 0.02): right for millions of images, slow
    for this budget. 1e-2 was chosen on held-out training digits (see the
    generation benchmarks page)."""
    gan = build_stylegan(seed, dcgan_discriminator)
    adam = keras.optimizers.Adam
    discriminator_lr = discriminator_lr or learning_rate
    gan.compile(
        optimizer={
            "discriminator": adam(discriminator_lr, beta_1=0.0, beta_2=0.99),
            "generator": adam(learning_rate, beta_1=0.0, beta_2=0.99),
        }
    )
    return fit(gan, images, num_images, batch_size, seed)


def train_stylegan_decay(images, labels, num_images, batch_size, seed):
    """StyleGAN2 at Adam(1e-2, 0, 0.99) (the short budgets' rate) decaying
    to 0 on a cosine over the run: fast early, settled late."""
    rate = cosine_decay(1e-2, num_images, batch_size)
    return train_stylegan(
        images, labels, num_images, batch_size, seed, learning_rate=rate
    )


def train_stylegan_paper_rate(*data):
    """StyleGAN2 at the paper's Adam(2e-3, 0, 0.99) for both networks."""
    return train_stylegan(*data, learning_rate=2e-3)


def train_stylegan_dcgan_d(*data):
    """The StyleGAN generator against the DCGAN discriminator (batch norm,
    strided convolutions), with the paper's Adam(2e-3, 0, 0.99)."""
    return train_stylegan(*data, learning_rate=2e-3, dcgan_discriminator=True)


def train_dcgan_style_d(images, labels, num_images, batch_size, seed):
    """The DCGAN generator against StyleGAN2's discriminator, with
    StyleGAN's training (Adam(2e-3, 0, 0.99), lazy R1, EMA): which network
    of the StyleGAN collapses."""
    keras.utils.set_random_seed(seed)
    gan = kgen.models.GAN(
        kgen.models.build_dcgan_generator(
            LATENT, (32, 32, 1), base_filters=32, output_activation="tanh"
        ),
        kgen.models.build_style_discriminator(
            (32, 32, 1), filters=[64, 32, 16, 16]
        ),
        latent_dim=LATENT,
        r1_penalty=0.05,
        penalty_interval=16,
        ema_decay=0.999,
        seed=seed,
    )
    adam = keras.optimizers.Adam
    gan.compile(
        optimizer={
            "discriminator": adam(2e-3, beta_1=0.0, beta_2=0.99),
            "generator": adam(2e-3, beta_1=0.0, beta_2=0.99),
        }
    )
    return fit(gan, images, num_images, batch_size, seed)


def train_stylegan_ttur(*data):
    """StyleGAN2 with two time scales: the discriminator's Adam at 1e-2, 5
    times the generator's 2e-3 (a short budget; see the benchmark page)."""
    return train_stylegan(*data, learning_rate=2e-3, discriminator_lr=1e-2)


def train_lapgan(images, labels, num_images, batch_size, seed):
    """LAPGAN, 3 levels: a DCGAN at 8x8, conditional residual GANs at 16x16
    and 32x32 (`kgen.models.build_lapgan_*`, 32 filters), Gaussian pyramid,
    Adam(2e-4, 0.5) for every phase."""
    keras.utils.set_random_seed(seed)
    generators, discriminators = [], []
    for size in (32, 16):
        shape = (size, size, 1)
        generators.append(kgen.models.build_lapgan_generator(shape, filters=32))
        discriminators.append(
            kgen.models.build_lapgan_discriminator(shape, filters=32)
        )
    generators.append(
        kgen.models.build_dcgan_generator(
            LATENT, (8, 8, 1), base_filters=32, output_activation="tanh"
        )
    )
    discriminators.append(
        kgen.models.build_dcgan_discriminator((8, 8, 1), base_filters=32)
    )
    gan = kgen.models.LAPGAN(
        generators, discriminators, LATENT, label_smoothing=0.1, seed=seed
    )
    gan.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    return fit(gan, images, num_images, batch_size, seed)


def save_lapgan_levels(gan, folder, seed):
    """LAPGAN's levels: 8 samples (columns) at 8x8, 16x16, 32x32 (rows),
    each shown at 32x32 by pixel repetition."""
    _, levels = gan.generate(8, seed=seed, return_levels=True)
    rows = [
        level.repeat(32 // level.shape[1], 1).repeat(32 // level.shape[2], 2)
        for level in reversed(levels)
    ]
    kgen.utils.save_image_grid(
        to_unit(np.concatenate(rows)),
        os.path.join(folder, "lapgan_levels.png"),
        num_columns=8,
    )


# name -> train function (images, labels, num_images, batch_size, seed)
MODELS = {
    "dcgan": train_dcgan,
    "dcgan_tuned": train_dcgan_tuned,
    "dcgan_decay": train_dcgan_decay,
    "cgan": train_cgan,
    "stylegan": train_stylegan,
    "stylegan_ttur": train_stylegan_ttur,
    "stylegan_paper_rate": train_stylegan_paper_rate,
    "stylegan_decay": train_stylegan_decay,
    "stylegan_dcgan_d": train_stylegan_dcgan_d,
    "dcgan_style_d": train_dcgan_style_d,
    "lapgan": train_lapgan,
}
CONDITIONAL = {"cgan"}


def padded_mnist(data_dir):
    """MNIST at 32x32 in [-1, 1] (zero padding of 2 pixels: background)."""
    (x_train, y_train), (x_test, y_test) = kgen.datasets.load_mnist(
        os.path.join(data_dir, "mnist.npz"), flatten=False
    )
    pad = [(0, 0), (2, 2), (2, 2), (0, 0)]
    return (
        (np.pad(x_train, pad) * 2 - 1, y_train),
        (np.pad(x_test, pad) * 2 - 1, y_test),
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--models", default="dcgan,stylegan")
    parser.add_argument("--images", type=int, default=8000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--extractor-epochs", type=int, default=5)
    parser.add_argument(
        "--extractor-filters",
        default="32,64",
        help="comma-separated conv filters of the classifier ('' for none)",
    )
    parser.add_argument(
        "--data-dir", default=os.path.join(ROOT, "..", "shared", "data")
    )
    parser.add_argument(
        "--validation",
        action="store_true",
        help=f"to choose settings: train on the first {VALIDATION_SPLIT:,} "
        "training digits and score against the next ones, not the test "
        "digits",
    )
    parser.add_argument("--figures", help="folder for StyleGAN's pictures")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--results",
        default="mnist_generation.json",
        help="file name of the JSON in bench/results",
    )
    args = parser.parse_args()
    if args.figures:  # made first, so that a missing folder ends no run
        os.makedirs(args.figures, exist_ok=True)
    names = args.models.split(",")
    unknown = sorted(set(names) - set(MODELS))
    if unknown:
        parser.error(f"unknown models {unknown}; choose from {list(MODELS)}")
    if args.quick:
        args.images, args.samples, args.extractor_epochs = 640, 200, 1
    start = time.time()
    (x_train, y_train), (x_test, y_test) = padded_mnist(args.data_dir)
    scored = "validation" if args.validation else "test"
    if args.validation:
        x_test, y_test = x_train[VALIDATION_SPLIT:], y_train[VALIDATION_SPLIT:]
        x_train, y_train = (
            x_train[:VALIDATION_SPLIT],
            y_train[:VALIDATION_SPLIT],
        )
    filters = [int(f) for f in args.extractor_filters.split(",") if f]
    extractor = kgen.metrics.train_feature_extractor(
        to_unit(x_train),
        y_train,
        conv_filters=filters,
        epochs=args.extractor_epochs,
        seed=args.seed,
    )
    accuracy = float(
        np.mean(extractor.predict_classes(to_unit(x_test)) == y_test)
    )
    real = to_unit(x_test[: args.samples])
    floor = to_unit(epoch_of(x_train, args.samples, args.seed + 1))
    rows = [
        {
            "model": "real training digits (floor)",
            **extractor.score(real, floor),
        }
    ]
    print(
        f"classifier ready after {time.time() - start:.0f} s, "
        f"accuracy on the {scored} digits {accuracy:.4f}",
        flush=True,
    )
    for name in names:
        begin = time.time()
        model = MODELS[name](
            x_train, y_train, args.images, args.batch_size, args.seed
        )
        seconds = time.time() - begin
        labels, conditioning = None, {}
        if name in CONDITIONAL:
            labels = np.arange(args.samples) % 10
            conditioning = {"labels": labels}
        samples = to_unit(
            model.generate(args.samples, seed=args.seed, **conditioning)
        )
        rows.append(
            {
                "model": name,
                **extractor.score(real, samples, fake_labels=labels),
                "train_seconds": seconds,
            }
        )
        print(rows[-1], flush=True)
        if args.figures:
            kgen.utils.save_image_grid(
                samples[:100] if name in CONDITIONAL else samples[:64],
                os.path.join(args.figures, f"mnist_generation_{name}.png"),
                num_columns=10 if name in CONDITIONAL else 8,
            )
            if name == "stylegan":
                save_figures(model, args.figures, args.seed, "stylegan_")
            if name == "lapgan":
                save_lapgan_levels(model, args.figures, args.seed)
    print(
        f"backend={keras.backend.backend()} images seen={args.images} "
        f"batch={args.batch_size} samples={args.samples} seed={args.seed} "
        f"classifier accuracy on the {scored} digits={accuracy:.4f}"
    )
    print(
        f"{'model':30} {'FD':>8} {'KID':>8} {'prec':>5} {'rec':>5} "
        f"{'label':>5} {'s':>6}"
    )
    for row in rows:
        print(
            f"{row['model']:30} {row['frechet_distance']:>8.2f} "
            f"{row['kernel_distance']:>8.4f} {row['precision']:>5.2f} "
            f"{row['recall']:>5.2f} {row.get('label_accuracy', np.nan):>5.3f} "
            f"{row.get('train_seconds', 0):>6.0f}"
        )
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    path = os.path.join(ROOT, "bench", "results", args.results)
    with open(path, "w") as file:
        json.dump(
            {
                "backend": keras.backend.backend(),
                "settings": vars(args),
                "wall_seconds": time.time() - start,
                "scored_digits": scored,
                "classifier_accuracy": accuracy,
                "rows": rows,
            },
            file,
            indent=1,
            default=float,
        )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
