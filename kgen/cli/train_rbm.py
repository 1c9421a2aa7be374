"""Train a restricted Boltzmann machine on the binarised digits.

Writes `model.keras`, `samples.png` (Gibbs samples), `filters.png` (the
weights of each hidden unit as an 8x8 tile), `completions.png` (test digits,
their top halves, and the bottom halves sampled by the RBM) and
`metrics.json` (test log-likelihood in nats: exact for at most 20 hidden
units, AIS otherwise; pseudo-log-likelihood, reconstruction error and
free-energy gap) to `--output`.
"""

import json
import os
import time

import keras
import numpy as np

from kgen.cli.arguments import non_negative_float
from kgen.cli.arguments import non_negative_int
from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.datasets import load_digits
from kgen.layers import BernoulliRBM
from kgen.metrics import ais_log_partition
from kgen.metrics import exact_log_partition
from kgen.metrics import log_likelihood
from kgen.models import RBM
from kgen.utils import save_filter_grid
from kgen.utils import save_image_grid


def add_arguments(parser):
    parser.add_argument(
        "--hidden", type=positive_int, default=64, help="number of hidden units"
    )
    parser.add_argument(
        "--epochs", type=positive_int, default=30, help="training epochs"
    )
    parser.add_argument(
        "--batch-size", type=positive_int, default=20, help="samples per step"
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=0.05,
        help="SGD learning rate",
    )
    parser.add_argument(
        "--momentum",
        type=non_negative_float,
        default=0.9,
        help="SGD momentum",
    )
    parser.add_argument(
        "--k",
        type=positive_int,
        default=1,
        help="Gibbs steps per update (CD-k / PCD-k)",
    )
    parser.add_argument(
        "--persistent-chains",
        type=non_negative_int,
        default=0,
        help="PCD chains (0: CD-k)",
    )
    parser.add_argument(
        "--weight-decay",
        type=non_negative_float,
        default=0.0,
        help="L2 weight decay",
    )
    parser.add_argument(
        "--ais-betas",
        type=positive_int,
        default=3000,
        help="AIS temperatures (> 20 hidden units)",
    )
    parser.add_argument(
        "--ais-runs", type=positive_int, default=100, help="AIS chains"
    )
    parser.add_argument(
        "--burn-in",
        type=positive_int,
        default=1000,
        help="Gibbs steps before a sample",
    )


def run(args):
    keras.utils.set_random_seed(args.seed)
    (x_train, _), (x_test, _) = load_digits("binary")
    model = RBM(
        BernoulliRBM(args.hidden, seed=args.seed),
        k=args.k,
        persistent_chains=args.persistent_chains or None,
        weight_decay=args.weight_decay,
        seed=args.seed,
    )
    model.compile(
        optimizer=keras.optimizers.SGD(
            args.learning_rate, momentum=args.momentum
        )
    )
    start = time.perf_counter()
    history = model.fit(
        x_train,
        batch_size=args.batch_size,
        epochs=args.epochs,
        validation_data=(x_test,),
        verbose=1,
    )
    metrics = {"train_seconds": time.perf_counter() - start}
    metrics.update(
        {key: float(values[-1]) for key, values in history.history.items()}
    )
    if args.hidden <= 20:
        log_z, error, method = exact_log_partition(model), 0.0, "exact"
    else:
        log_z, error = ais_log_partition(
            model,
            x_train,
            betas=args.ais_betas,
            num_runs=args.ais_runs,
            seed=args.seed,
        )
        method = "ais"
    metrics.update(
        {
            "test_log_likelihood": float(
                log_likelihood(model, x_test, log_z).mean()
            ),
            "log_z": log_z,
            "log_z_standard_error": error,
            "log_z_method": method,
        }
    )
    model.save(os.path.join(args.output, "model.keras"))
    samples = model.generate(
        100, burn_in=args.burn_in, probabilities=True, seed=args.seed
    )
    save_image_grid(
        samples,
        os.path.join(args.output, "samples.png"),
        image_shape=(8, 8),
        num_columns=10,
    )
    save_filter_grid(model, os.path.join(args.output, "filters.png"), (8, 8))
    save_completions(
        model,
        x_test[:10],
        os.path.join(args.output, "completions.png"),
        args.seed,
    )
    with open(os.path.join(args.output, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    print(json.dumps(metrics, indent=2))
    return metrics


def save_completions(model, x, path, seed):
    """Saves rows: digits, their top halves, bottom halves sampled by `model`."""
    observed = np.zeros_like(x)
    observed[:, :32] = 1
    completed = model.impute(x, observed, steps=200, seed=seed)
    rows = np.concatenate([x, x * observed + 0.5 * (1 - observed), completed])
    save_image_grid(rows, path, image_shape=(8, 8), num_columns=len(x))
