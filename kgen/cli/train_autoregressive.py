"""Train an autoregressive model (NADE, MADE or PixelCNN) on the digits.

Trains by maximum likelihood on the binarised 8x8 digits and writes
`model.keras`, `samples.png`, `completions.png` (the test digits' top
halves observed, bottom halves sampled; first row: the originals) and
`metrics.json` (exact test log-likelihood, nats per image) to `--output`.
"""

import json
import os

import keras
import numpy as np

from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.datasets import load_digits
from kgen.models import MADE
from kgen.models import NADE
from kgen.models import PixelCNN
from kgen.utils import save_image_grid

HELP = {
    "nade": "Train a NADE on the binarised digits (exact log-likelihood).",
    "made": "Train a MADE on the binarised digits (exact log-likelihood).",
    "pixelcnn": "Train a gated PixelCNN on the binarised 8x8 digit images.",
}


def add_arguments(parser):
    parser.add_argument(
        "--epochs", type=positive_int, help="training epochs", default=100
    )
    parser.add_argument(
        "--batch-size", type=positive_int, help="samples per step", default=64
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        help="Adam learning rate",
        default=1e-3,
    )
    parser.add_argument(
        "--hidden-units",
        type=positive_int,
        default=None,
        help="NADE/MADE hidden units or PixelCNN filters (default: 64 for "
        "NADE, 256 for MADE, 32 for PixelCNN)",
    )
    parser.add_argument(
        "--num-masks", type=positive_int, default=1, help="MADE orderings"
    )
    parser.add_argument(
        "--num-layers",
        type=positive_int,
        default=4,
        help="PixelCNN gated layers",
    )


def build(args):
    name = args.model
    if name == "nade":
        return NADE(64, num_hidden=args.hidden_units or 64, seed=args.seed)
    if name == "made":
        return MADE(
            64,
            hidden_units=(args.hidden_units or 256,),
            num_masks=args.num_masks,
            ordering="random" if args.num_masks > 1 else "natural",
            seed=args.seed,
        )
    return PixelCNN(
        (8, 8),
        filters=args.hidden_units or 32,
        num_layers=args.num_layers,
        kernel_size=3,
        seed=args.seed,
    )


def run(args):
    keras.utils.set_random_seed(args.seed)
    model = build(args)
    (x_train, _), (x_test, _) = load_digits("binary")
    shape = (-1, *model.event_shape)
    model.compile(optimizer=keras.optimizers.Adam(args.learning_rate))
    history = model.fit(
        x_train.reshape(shape),
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=1,
    )
    test = model.log_prob(x_test.reshape(shape))
    observed = np.zeros((10, 64), bool)
    observed[:, :32] = True
    completed = model.complete(
        x_test[:10].reshape(shape), observed.reshape(shape), seed=args.seed
    )
    save_image_grid(
        model.generate(100, seed=args.seed).reshape(-1, 64),
        os.path.join(args.output, "samples.png"),
        image_shape=(8, 8),
        num_columns=10,
    )
    save_image_grid(
        np.concatenate([x_test[:10], completed.reshape(-1, 64)]),
        os.path.join(args.output, "completions.png"),
        image_shape=(8, 8),
        num_columns=10,
    )
    model.save(os.path.join(args.output, "model.keras"))
    metrics = {
        "final_loss": float(history.history["loss"][-1]),
        "test_log_likelihood": float(np.mean(test)),
    }
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=2)
    print(json.dumps(metrics, indent=2))
    return metrics
