"""RealNVP and MAF on 2-D toy densities and on the 8x8 digits, in one run.

2-D: two moons (noise 0.1) and a ring of 8 Gaussians (radius 2, std 0.2),
4,000 training and 4,000 test samples each (seeds 0 and 1). Reports the test
negative log-likelihood (nats) of kgen's RealNVP and MAF beside the true
density's and scikit-learn Gaussian mixtures with 1, 8 and 32 components, and
draws `docs/images/flow_<data>.png` (true density, both flows, MAF samples).
Digit samples go to `docs/images/flow_digits_<model>.png`.

Digits: the 8x8 digits as integers 0..16 (train/test split of
`kgen.datasets.load_digits`), dequantised; test bits per dimension of a MAF
on the 64 pixels and a convolutional RealNVP, beside independent per-pixel
categorical distributions (exact, with add-one smoothing) and a uniform
distribution (log2 17 = 4.09 bits).

Usage: `python bench/flow_toy.py [--epochs 100] [--digit-epochs 150]`.
Writes `bench/results/flow_toy.json`; Keras backend from KERAS_BACKEND
(JAX by default; TensorFlow is faster for the convolutional RealNVP).
"""

import argparse
import json
import math
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402

from kgen.cli.train_flow import BOUNDS  # noqa: E402
from kgen.cli.train_flow import TOY  # noqa: E402
from kgen.cli.train_flow import save_density_comparison  # noqa: E402
from kgen.datasets import load_digits  # noqa: E402
from kgen.models import MAF  # noqa: E402
from kgen.models import RealNVP  # noqa: E402
from kgen.utils import save_image_grid  # noqa: E402


def train(flow, x, epochs, batch_size, learning_rate):
    flow.compile(optimizer=keras.optimizers.Adam(learning_rate))
    start = time.perf_counter()
    flow.fit(x, epochs=epochs, batch_size=batch_size, verbose=0)
    return time.perf_counter() - start


def toy(name, args):
    sample, log_density = TOY[name]
    x, x_test = sample(4000, seed=0), sample(4000, seed=1)
    row = {"true density": float(-log_density(x_test).mean())}
    for k in (1, 8, 32):
        mixture = GaussianMixture(k, random_state=0).fit(x)
        row[f"GMM {k}"] = float(-mixture.score(x_test))
    flows = {
        "RealNVP": RealNVP(
            (2,), num_couplings=8, hidden_units=(64, 64), seed=0
        ),
        "MAF": MAF((2,), num_layers=5, hidden_units=(64, 64), seed=0),
    }
    seconds = {}
    for model, flow in flows.items():
        seconds[model] = train(flow, x, args.epochs, 128, 1e-3)
        row[model] = float(-flow.log_prob(x_test).mean())
    save_density_comparison(
        log_density,
        flows,
        flows["MAF"].generate(2000, seed=0),
        os.path.join(ROOT, "docs", "images", f"flow_{name}.png"),
        BOUNDS[name],
    )
    return row, seconds


def digits(args):
    (x, _), (x_test, _) = load_digits("raw")
    levels = 17
    # Independent categorical pixels, add-one smoothing: exact log P(x).
    counts = np.stack([(x == v).sum(0) for v in range(levels)]) + 1.0
    log_probs = np.log(counts / counts.sum(0))
    per_pixel = np.take_along_axis(log_probs, x_test.astype(int), 0)
    independent = -per_pixel.sum(1).mean()
    bits = 64 * math.log(2.0)
    row = {
        "uniform": math.log2(levels),
        "independent pixels": float(independent / bits),
    }
    options = {"num_levels": levels, "logit_alpha": 0.05, "seed": 0}
    flows = {
        "MAF": (
            MAF((64,), num_layers=5, hidden_units=(256, 256), **options),
            x,
        ),
        "RealNVP": (
            RealNVP(
                (8, 8, 1),
                num_scales=2,
                num_couplings=3,
                hidden_units=(32, 32),
                **options,
            ),
            x.reshape(-1, 8, 8, 1),
        ),
    }
    seconds = {}
    for model, (flow, data) in flows.items():
        seconds[model] = train(flow, data, args.digit_epochs, 64, 1e-3)
        test = x_test.reshape(-1, *flow.event_shape)
        row[model] = flow.bits_per_dim(test, num_samples=10)
        save_image_grid(
            flow.generate(50, seed=0) / (levels - 1),
            os.path.join(ROOT, "docs", "images", f"flow_digits_{model}.png"),
            image_shape=(8, 8),
            num_columns=10,
        )
    return row, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--digit-epochs", type=int, default=150)
    parser.add_argument("--skip-digits", action="store_true")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    results = {"settings": vars(args), "backend": keras.backend.backend()}
    for name in TOY:
        row, seconds = toy(name, args)
        results[name] = {"test_nll_nats": row, "train_seconds": seconds}
        print(f"\n{name}: test negative log-likelihood (nats), lower is better")
        for model, value in row.items():
            print(f"| {model:14s} | {value:7.3f} |")
    if not args.skip_digits:
        row, seconds = digits(args)
        results["digits"] = {"test_bits_per_dim": row, "train_seconds": seconds}
        print("\n8x8 digits (0..16, dequantised): test bits/dim")
        for model, value in row.items():
            print(f"| {model:18s} | {value:6.3f} |")
    results["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "flow_toy.json"), "w") as file:
        json.dump(results, file, indent=2)


if __name__ == "__main__":
    main()
