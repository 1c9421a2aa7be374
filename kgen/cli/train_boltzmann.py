"""Train a Boltzmann machine, DBN or DBM on the binarised digits: `bm`, `dbn` or `dbm`.

`bm` is a fully connected Boltzmann machine on the digits shrunk to 4x4
(small enough for its exact log-likelihood); `dbn` a deep belief network
pre-trained greedily, then fine-tuned as a classifier; `dbm` a deep
Boltzmann machine pre-trained greedily, then trained jointly (mean field
and persistent chains). Writes `model.keras`, `samples.png` and
`metrics.json` (test log-likelihood in nats: exact for `bm` and `dbm` with
small enough layers, the DBN's variational bound; test accuracy of the
fine-tuned DBN classifier) to `--output`.
"""

import json
import os

import keras
import numpy as np

from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.datasets import load_digits
from kgen.models.boltzmann import DBM
from kgen.models.boltzmann import DBN
from kgen.models.boltzmann import BoltzmannMachine
from kgen.utils import save_image_grid

HELP = {
    "bm": "Train a fully connected Boltzmann machine on 4x4 binary digits.",
    "dbn": "Train a deep belief network on the binarised digits.",
    "dbm": "Train a deep Boltzmann machine on the binarised digits.",
}

_DEFAULT_HIDDEN = {"bm": [4], "dbn": [64, 16], "dbm": [16, 16]}


def add_arguments(parser):
    name = parser.prog.split()[-1]
    parser.add_argument(
        "--hidden-units",
        type=positive_int,
        nargs="+",
        default=_DEFAULT_HIDDEN[name],
        help="hidden units (one number per layer; one layer for bm)",
    )
    parser.add_argument(
        "--epochs", type=positive_int, default=30, help="training epochs"
    )
    parser.add_argument(
        "--batch-size", type=positive_int, default=32, help="samples per step"
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=0.05,
        help="SGD learning rate",
    )
    parser.add_argument(
        "--burn-in",
        type=positive_int,
        default=1000,
        help="Gibbs sweeps before a sample",
    )


def load_data(name):
    """Binary digits: 8x8, or 4x4 (each pixel the max of a 2x2 block) for bm."""
    (x_train, y_train), (x_test, y_test) = load_digits("binary")
    if name == "bm":
        x_train, x_test = (
            x.reshape(-1, 4, 2, 4, 2).max(axis=(2, 4)).reshape(-1, 16)
            for x in (x_train, x_test)
        )
    return (x_train, y_train), (x_test, y_test)


def build(name, num_visible, args):
    """The model of subcommand `name`, compiled."""
    if name == "bm":
        if len(args.hidden_units) != 1:
            raise ValueError(
                "`bm` has one hidden layer: pass one number to "
                f"--hidden-units. Received: {args.hidden_units}."
            )
        model = BoltzmannMachine(
            num_visible, args.hidden_units[0], seed=args.seed
        )
    else:
        cls = DBN if name == "dbn" else DBM
        model = cls(num_visible, args.hidden_units, seed=args.seed)
    model.compile(optimizer=keras.optimizers.SGD(args.learning_rate, 0.5))
    return model


def run(args):
    name = args.model
    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_data(name)
    model = build(name, x_train.shape[1], args)
    train = {"batch_size": args.batch_size, "verbose": 1}
    if name == "dbm":  # greedy pre-training, then joint training
        model.pretrain(x_train, epochs=args.epochs, **train)
    model.fit(x_train, epochs=args.epochs, **train)
    metrics = evaluate(name, model, args, (x_train, y_train), (x_test, y_test))
    model.save(os.path.join(args.output, "model.keras"))
    samples = model.generate(64, burn_in=args.burn_in, seed=args.seed)
    side = int(np.sqrt(x_train.shape[1]))
    save_image_grid(
        samples.reshape(-1, side, side),
        os.path.join(args.output, "samples.png"),
        title=f"{name} samples",
    )
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=2)


def evaluate(name, model, args, train, test):
    """`metrics.json` of subcommand `name`."""
    (x_train, y_train), (x_test, y_test) = train, test
    if name == "dbn":
        classifier = model.to_classifier(num_classes=10)
        classifier.compile(
            "adam", "sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        classifier.fit(
            x_train, y_train, epochs=args.epochs, batch_size=args.batch_size
        )
        accuracy = classifier.evaluate(x_test, y_test, verbose=0)[1]
        bound = model.log_likelihood(x_test, method="bound", seed=args.seed)
        return {
            "test_log_likelihood_bound": float(np.mean(bound)),
            "test_accuracy": float(accuracy),
        }
    if name == "dbm":
        return {
            "test_log_likelihood": float(np.mean(model.log_likelihood(x_test))),
            "test_log_likelihood_bound": float(
                np.mean(model.log_likelihood(x_test, method="bound"))
            ),
        }
    return {"test_log_likelihood": float(np.mean(model.log_likelihood(x_test)))}
