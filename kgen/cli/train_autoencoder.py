"""Train an autoencoder (dense or convolutional, optionally denoising) on the digits.

Writes `model.keras`, `reconstructions.png` (and `latent.png` for a 2-D
code) and `metrics.json` (test reconstruction mean squared error) to
`--output`.
"""

import json
import os

import keras
import numpy as np

from kgen.cli.arguments import non_negative_float
from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.datasets import load_digits
from kgen.models import Autoencoder
from kgen.models import DenoisingAutoencoder
from kgen.utils import save_latent_scatter
from kgen.utils import save_reconstructions


def add_model_arguments(parser, latent_dim):
    """Options shared by the autoencoder and VAE trainers."""
    parser.add_argument(
        "--architecture",
        choices=("dense", "conv"),
        default="dense",
        help="fully connected or convolutional networks",
    )
    parser.add_argument(
        "--latent-dim",
        type=positive_int,
        default=latent_dim,
        help="size of the code",
    )
    parser.add_argument(
        "--hidden-units",
        type=positive_int,
        nargs="+",
        default=[256, 128],
        help="encoder widths (dense) or filters (conv); the decoder mirrors them",
    )
    parser.add_argument(
        "--epochs", type=positive_int, default=30, help="training epochs"
    )
    parser.add_argument(
        "--batch-size", type=positive_int, default=64, help="samples per step"
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=1e-3,
        help="Adam learning rate",
    )


def add_arguments(parser):
    add_model_arguments(parser, latent_dim=8)
    parser.add_argument(
        "--corruption",
        choices=("none", "gaussian", "masking", "salt_and_pepper"),
        default="none",
        help="train a denoising autoencoder with this noise",
    )
    parser.add_argument(
        "--noise-level",
        type=non_negative_float,
        default=0.3,
        help="noise standard deviation or corruption probability",
    )


def load_data(args, scale="unit"):
    """The digits, as images for a convolutional model."""
    return load_digits(scale, flatten=args.architecture == "dense")


def build(cls, args, input_shape, **kwargs):
    """Builds `cls` from the architecture options and compiles it."""
    if args.architecture == "dense":
        model = cls.dense(
            input_shape,
            args.latent_dim,
            hidden_units=args.hidden_units,
            seed=args.seed,
            **kwargs,
        )
    else:
        model = cls.conv(
            input_shape,
            args.latent_dim,
            filters=args.hidden_units,
            seed=args.seed,
            **kwargs,
        )
    model.compile(optimizer=keras.optimizers.Adam(args.learning_rate))
    return model


def finish(model, args, history, metrics, x_test, y_test, inputs=None):
    """Saves the model, the pictures shared by all trainers and `metrics.json`.

    `reconstructions.png` shows `inputs` (default: `x_test`) beside their
    reconstructions.
    """
    image_shape = (8, 8)
    inputs = x_test[:16] if inputs is None else inputs[:16]
    model.save(os.path.join(args.output, "model.keras"))
    save_reconstructions(
        inputs,
        model.reconstruct(inputs, **_labels(model, y_test[:16])),
        os.path.join(args.output, "reconstructions.png"),
        image_shape,
    )
    if model.latent_dim == 2:
        save_latent_scatter(
            model.encode(x_test, **_labels(model, y_test)),
            y_test,
            os.path.join(args.output, "latent.png"),
        )
    metrics = {"final_loss": float(history.history["loss"][-1]), **metrics}
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=2)
    print(json.dumps(metrics, indent=2))
    return metrics


def _labels(model, labels):
    return {"labels": labels} if hasattr(model, "num_classes") else {}


def run(args):
    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_data(args)
    if args.corruption == "none":
        model = build(Autoencoder, args, x_train.shape[1:])
        inputs = x_test
    else:
        model = build(
            DenoisingAutoencoder,
            args,
            x_train.shape[1:],
            corruption=args.corruption,
            noise_level=args.noise_level,
        )
        inputs = model.corrupt(x_test, seed=args.seed)
    history = model.fit(
        x_train, epochs=args.epochs, batch_size=args.batch_size, verbose=1
    )
    test_mse = float(np.mean((model.reconstruct(inputs) - x_test) ** 2))
    return finish(
        model, args, history, {"test_mse": test_mse}, x_test, y_test, inputs
    )
