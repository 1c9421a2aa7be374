"""Train a normalising flow (RealNVP or MAF) on the digits or a 2-D density.

`--data digits` (default) models the 8x8 digits as integers 0..16,
dequantised with uniform noise (a convolutional multi-scale RealNVP, or a
MAF on the 64 pixels); `--data moons` or `--data ring` models a 2-D toy
density. Writes `model.keras`, `samples.png` (digits) or `density.png`
(true density, learned density and samples), and `metrics.json` (test
negative log-likelihood in nats and bits per dimension; for 2-D data also
the true density's value) to `--output`.
"""

import json
import math
import os

import keras
import numpy as np

from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.datasets import gaussian_ring_log_density
from kgen.datasets import load_digits
from kgen.datasets import sample_gaussian_ring
from kgen.datasets import sample_two_moons
from kgen.datasets import two_moons_log_density
from kgen.models import MAF
from kgen.models import RealNVP
from kgen.utils import save_image_grid

HELP = {
    "realnvp": "Train a RealNVP flow on the digits or a 2-D density",
    "maf": "Train a masked autoregressive flow on the digits or a 2-D density",
}
TOY = {
    "moons": (sample_two_moons, two_moons_log_density),
    "ring": (sample_gaussian_ring, gaussian_ring_log_density),
}
# The square each 2-D density is drawn in: (x_min, x_max, y_min, y_max).
BOUNDS = {"moons": (-1.5, 2.5, -1.75, 2.25), "ring": (-3, 3, -3, 3)}


def add_arguments(parser):
    parser.add_argument(
        "--data",
        choices=("digits", "moons", "ring"),
        default="digits",
        help="training data: the 8x8 digits or a 2-D density",
    )
    parser.add_argument(
        "--layers",
        type=positive_int,
        default=None,
        help="couplings per stage (RealNVP, default 3) or MADEs (MAF, 5)",
    )
    parser.add_argument(
        "--hidden-units",
        type=positive_int,
        nargs="+",
        default=[64, 64],
        help="hidden layer sizes of each coupling or MADE network",
    )
    parser.add_argument(
        "--epochs", type=positive_int, help="training epochs", default=50
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
        "--train-size",
        type=positive_int,
        default=4000,
        help="2-D samples to train on",
    )


def build(args, event_shape, **kwargs):
    """The flow named by `args.model`, compiled."""
    if args.model == "realnvp":
        flow = RealNVP(
            event_shape,
            num_couplings=args.layers or 3,
            hidden_units=args.hidden_units,
            seed=args.seed,
            **kwargs,
        )
    else:
        flow = MAF(
            event_shape,
            num_layers=args.layers or 5,
            hidden_units=args.hidden_units,
            seed=args.seed,
            **kwargs,
        )
    flow.compile(optimizer=keras.optimizers.Adam(args.learning_rate))
    return flow


def load_data(args):
    """Training and test data, the flow's options and the true density."""
    if args.data == "digits":
        (x, _), (x_test, _) = load_digits("raw", flatten=args.model == "maf")
        options = {"num_levels": 17, "logit_alpha": 0.05}
        return x, x_test, options, None
    sample, log_density = TOY[args.data]
    x = sample(args.train_size, seed=args.seed)
    x_test = sample(2000, seed=args.seed + 1)
    return x, x_test, {}, log_density


def save_density_comparison(
    true_log_density, models, samples, path, bounds=(-3, 3, -3, 3)
):
    """Panels of the true density, each model's density, and samples.

    Args:
        true_log_density: function of points `(n, 2)` returning log-densities.
        models: dict of name to flow.
        samples: array `(n, 2)` drawn from the last model.
        path: PNG file to write.
        bounds: `(x_min, x_max, y_min, y_max)` of the panels.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x_min, x_max, y_min, y_max = bounds
    grid_x = np.linspace(x_min, x_max, 160, dtype="float32")
    grid_y = np.linspace(y_min, y_max, 160, dtype="float32")
    points = np.stack(np.meshgrid(grid_x, grid_y), -1).reshape(-1, 2)
    panels = [("true density", np.exp(true_log_density(points)))]
    for name, model in models.items():
        log_p = model.log_prob(points, batch_size=4096)
        panels.append((name, np.exp(log_p)))
    figure, axes = plt.subplots(
        1, len(panels) + 1, figsize=(2.6 * len(panels) + 2.6, 2.8)
    )
    for axis, (title, density) in zip(axes, panels):
        axis.imshow(
            density.reshape(len(grid_y), len(grid_x)),
            origin="lower",
            extent=bounds,
            cmap="viridis",
        )
        axis.set_title(title)
    last = axes[-1]
    last.scatter(samples[:, 0], samples[:, 1], s=1, alpha=0.4)
    last.set_xlim(x_min, x_max)
    last.set_ylim(y_min, y_max)
    last.set_aspect("equal")
    last.set_title(f"{name} samples")
    for axis in axes:
        axis.set_xticks([])
        axis.set_yticks([])
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return path


def run(args):
    keras.utils.set_random_seed(args.seed)
    x, x_test, options, true_log_density = load_data(args)
    flow = build(args, x.shape[1:], **options)
    history = flow.fit(
        x, epochs=args.epochs, batch_size=args.batch_size, verbose=1
    )
    log_p = flow.log_prob(x_test, num_samples=10, seed=args.seed)
    nll = float(-np.mean(log_p))
    metrics = {
        "final_loss": float(history.history["loss"][-1]),
        "test_nll_nats": nll,
        "test_bits_per_dim": nll / (flow.num_features * math.log(2.0)),
    }
    if true_log_density is None:
        save_image_grid(
            flow.generate(100, seed=args.seed) / 16.0,
            os.path.join(args.output, "samples.png"),
            image_shape=(8, 8),
            num_columns=10,
        )
    else:
        metrics["true_test_nll_nats"] = float(-true_log_density(x_test).mean())
        save_density_comparison(
            true_log_density,
            {args.model: flow},
            flow.generate(2000, seed=args.seed),
            os.path.join(args.output, "density.png"),
            BOUNDS[args.data],
        )
    flow.save(os.path.join(args.output, "model.keras"))
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=2)
    print(json.dumps(metrics, indent=2))
    return metrics
