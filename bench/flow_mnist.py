"""RealNVP on dequantised MNIST, in bits per dimension, under a time budget.

A multi-scale convolutional RealNVP (kgen.models.RealNVP) on the 60,000
MNIST training digits as integers 0..255, dequantised with uniform noise
(num_levels=256, logit transform alpha=0.05), trained by `fit` with Adam for
at most `--minutes` of wall time, then evaluated on the 10,000 test digits
(one dequantisation draw per image). Published: 1.06 bits/dim (RealNVP on
MNIST, as tabulated by Grathwohl et al., FFJORD, ICLR 2019),
reached after many hours on a GPU; the run here shows where a bounded CPU run
stands and what its throughput implies.

Runs on TensorFlow by default (XLA's CPU convolutions make JAX slow here).

Usage: `python bench/flow_mnist.py [--data-dir ../shared/data] [--minutes 18]`.
Writes `bench/results/flow_mnist.json`, `flow_mnist.png` (samples at
temperature 0.7) and `flow_mnist_curve.png` (bits/dim against time).
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kgen.datasets import load_mnist  # noqa: E402
from kgen.models.flow import RealNVP  # noqa: E402
from kgen.utils import save_image_grid  # noqa: E402

PUBLISHED = 1.06


class TimeBudget(keras.callbacks.Callback):
    """Stops training after `seconds`; records the running bits/dim."""

    def __init__(self, seconds, every=50):
        super().__init__()
        self.seconds, self.every = seconds, every
        self.curve, self.start, self.steps = [], None, 0

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        elapsed = time.perf_counter() - self.start
        if self.steps % self.every == 0:
            self.curve.append(
                (self.steps, elapsed, float(logs["bits_per_dim"]))
            )
            print(f"step {self.steps} {elapsed:.0f}s {self.curve[-1][2]:.3f}")
        if elapsed > self.seconds:
            self.model.stop_training = True


def save_curve(result, path):
    """Running training bits/dim against wall time, beside the published."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps, seconds, bits = np.array(result["train_curve"]).T
    figure, axis = plt.subplots(figsize=(5, 3))
    axis.plot(seconds / 60, bits, label="kgen RealNVP, training (running)")
    axis.axhline(
        result["test_bits_per_dim"], color="C1", ls="--", label="kgen, test"
    )
    axis.axhline(PUBLISHED, color="k", ls=":", label="published (1.06)")
    axis.set_xlabel("minutes of training (2 shared CPU cores)")
    axis.set_ylabel("bits / dim")
    axis.set_ylim(0.8, 4.0)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", default=os.path.join(ROOT, "..", "shared", "data")
    )
    parser.add_argument("--minutes", type=float, default=18.0)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden-units", type=int, nargs="+", default=[32, 32])
    parser.add_argument("--num-scales", type=int, default=2)
    parser.add_argument("--num-couplings", type=int, default=3)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--test-size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--plot-only",
        action="store_true",
        help="redraw the curve from bench/results/flow_mnist.json",
    )
    args = parser.parse_args()
    curve_path = os.path.join(RESULTS, "flow_mnist_curve.png")
    if args.plot_only:
        with open(os.path.join(RESULTS, "flow_mnist.json")) as file:
            return save_curve(json.load(file), curve_path)
    keras.utils.set_random_seed(args.seed)
    (x_train, _), (x_test, _) = load_mnist(args.data_dir, flatten=False)
    x_train = np.round(x_train * 255.0)
    x_test = np.round(x_test[: args.test_size] * 255.0)
    flow = RealNVP(
        (28, 28, 1),
        num_scales=args.num_scales,
        num_couplings=args.num_couplings,
        hidden_units=args.hidden_units,
        num_levels=256,
        logit_alpha=0.05,
        seed=args.seed,
    )
    flow.compile(optimizer=keras.optimizers.Adam(args.learning_rate))
    budget = TimeBudget(60 * args.minutes)
    start = time.perf_counter()
    flow.fit(
        x_train,
        epochs=1000,
        batch_size=args.batch_size,
        callbacks=[budget],
        verbose=0,
    )
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    test_bpd = flow.bits_per_dim(x_test, batch_size=500)
    eval_seconds = time.perf_counter() - start
    samples_seen = budget.steps * args.batch_size
    epoch_seconds = train_seconds / samples_seen * len(x_train)
    os.makedirs(RESULTS, exist_ok=True)
    save_image_grid(
        flow.generate(64, seed=args.seed, temperature=0.7) / 255.0,
        os.path.join(RESULTS, "flow_mnist.png"),
        image_shape=(28, 28),
        num_columns=8,
    )
    result = {
        "benchmark": "flow_mnist",
        "model": "RealNVP",
        "dataset": "MNIST, dequantised (uniform), 0..255",
        "metric": "bits_per_dim",
        "kind": "exact density of the dequantised data (a bound on the discrete model)",
        "test_bits_per_dim": test_bpd,
        "published_bits_per_dim": PUBLISHED,
        "backend": keras.backend.backend(),
        "settings": vars(args),
        "train_steps": budget.steps,
        "epochs_completed": samples_seen / len(x_train),
        "train_seconds": train_seconds,
        "seconds_per_epoch": epoch_seconds,
        "eval_seconds": eval_seconds,
        "train_curve": budget.curve,
        "parameters": flow.count_params(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    with open(os.path.join(RESULTS, "flow_mnist.json"), "w") as file:
        json.dump(result, file, indent=2)
    save_curve(result, curve_path)
    print("| model | test bits/dim | published | epochs | s/epoch |")
    print(
        f"| RealNVP (kgen) | {test_bpd:.3f} | {PUBLISHED} | "
        f"{result['epochs_completed']:.2f} | {epoch_seconds:.0f} |"
    )


if __name__ == "__main__":
    main()
