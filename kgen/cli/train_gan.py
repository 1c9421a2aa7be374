"""Train a GAN on the digits: `gan`, `dcgan`, `wgan-gp` or `cgan`.

`gan` is a non-saturating MLP GAN, `dcgan` a convolutional DCGAN on the 8x8
images, `wgan-gp` an MLP WGAN with gradient penalty (5 critic steps), `cgan`
a conditional MLP GAN. Writes `model.keras`, `samples.png` (one row per
class for `cgan`), `interpolation.png` and `metrics.json` (Fréchet and
kernel distances, precision/recall, classifier score in the feature space of
a digits classifier trained on the training split; for `cgan` also the
fraction of samples classified as their requested class) to `--output`.
"""

import json
import os

import keras
import numpy as np

from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.datasets import load_digits
from kgen.metrics import train_feature_extractor
from kgen.models import GAN
from kgen.models import ConditionalGAN
from kgen.models import build_dcgan_discriminator
from kgen.models import build_dcgan_generator
from kgen.models import build_mlp_discriminator
from kgen.models import build_mlp_generator
from kgen.utils import save_image_grid

# CLI name -> one-line help of its subcommand
HELP = {
    "gan": "Train a non-saturating MLP GAN on the digits.",
    "dcgan": "Train a convolutional DCGAN on the 8x8 digit images.",
    "wgan-gp": "Train an MLP WGAN with gradient penalty on the digits.",
    "cgan": "Train a class-conditional MLP GAN on the digits.",
}

# CLI name -> GAN options
RECIPES = {
    "gan": {"loss": "non_saturating", "label_smoothing": 0.1},
    "dcgan": {"loss": "non_saturating", "label_smoothing": 0.1},
    "wgan-gp": {
        "loss": "wasserstein",
        "gradient_penalty": 10.0,
        "discriminator_steps": 5,
    },
    "cgan": {"loss": "non_saturating", "label_smoothing": 0.1},
}


def add_arguments(parser):
    parser.add_argument(
        "--epochs", type=positive_int, default=100, help="training epochs"
    )
    parser.add_argument(
        "--batch-size", type=positive_int, default=64, help="samples per step"
    )
    parser.add_argument(
        "--latent-dim",
        type=positive_int,
        default=16,
        help="size of the latent vector",
    )
    parser.add_argument(
        "--hidden-units",
        type=positive_int,
        nargs="+",
        default=[256, 256],
        help="hidden layer sizes of the MLP networks",
    )
    parser.add_argument(
        "--base-filters", type=positive_int, default=32, help="DCGAN filters"
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=2e-4,
        help="Adam learning rate of both networks",
    )
    parser.add_argument(
        "--ema-decay",
        type=float,
        default=0.999,
        help="generator weight averaging (negative: none)",
    )
    parser.add_argument(
        "--extractor-epochs",
        type=positive_int,
        default=60,
        help="epochs of the digits classifier used by the metrics",
    )
    parser.add_argument(
        "--num-samples",
        type=positive_int,
        default=450,
        help="generated samples scored",
    )


def build(name, args):
    """The GAN (or ConditionalGAN) of CLI recipe `name`."""
    image = name == "dcgan"
    shape = (8, 8, 1) if image else (64,)
    classes = 10 if name == "cgan" else None
    if image:
        generator = build_dcgan_generator(
            args.latent_dim, shape, args.base_filters
        )
        discriminator = build_dcgan_discriminator(shape, args.base_filters)
    else:
        generator = build_mlp_generator(
            args.latent_dim, shape, args.hidden_units, num_classes=classes
        )
        discriminator = build_mlp_discriminator(
            shape, args.hidden_units, num_classes=classes
        )
    options = dict(RECIPES[name], latent_dim=args.latent_dim, seed=args.seed)
    options["ema_decay"] = args.ema_decay if args.ema_decay >= 0 else None
    if classes:
        return ConditionalGAN(
            generator, discriminator, num_classes=classes, **options
        )
    return GAN(generator, discriminator, **options)


def run(args):
    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_digits(
        flatten=args.model != "dcgan"
    )
    model = build(args.model, args)
    beta_2 = 0.9 if args.model == "wgan-gp" else 0.999
    model.compile(
        optimizer=keras.optimizers.Adam(
            args.learning_rate, beta_1=0.5, beta_2=beta_2
        )
    )
    conditional = isinstance(model, ConditionalGAN)
    history = model.fit(
        x_train,
        y_train if conditional else None,
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=1,
    )
    labels = np.arange(args.num_samples) % 10 if conditional else None
    samples = model.generate(args.num_samples, labels=labels, seed=args.seed)
    extractor = train_feature_extractor(
        x_train.reshape(len(x_train), -1),
        y_train,
        epochs=args.extractor_epochs,
        seed=args.seed,
    )
    metrics = extractor.score(
        x_test.reshape(len(x_test), -1),
        samples.reshape(len(samples), -1),
        fake_labels=labels,
    )
    metrics.update(
        {key: float(values[-1]) for key, values in history.history.items()}
    )
    grid_labels = (
        {"labels": np.repeat(np.arange(10), 10)} if conditional else {}
    )
    save_image_grid(
        model.generate(100, seed=args.seed, **grid_labels),
        os.path.join(args.output, "samples.png"),
        image_shape=(8, 8),
        num_columns=10,
    )
    save_image_grid(
        model.latent_path(
            10, labels=0 if conditional else None, seed=args.seed
        ),
        os.path.join(args.output, "interpolation.png"),
        image_shape=(8, 8),
        num_columns=10,
    )
    model.save(os.path.join(args.output, "model.keras"))
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=2)
    print(json.dumps(metrics, indent=2))
    return metrics
