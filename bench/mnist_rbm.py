"""RBM 784-500 on binarised MNIST: CD-1, CD-k and PCD, test log-likelihood by AIS.

Beside the figures of Salakhutdinov & Murray (2008), "On the Quantitative
Analysis of Deep Belief Networks", Table 2 (500 hidden units, test set):
CD-1 -125.53, CD-3 -105.50, CD-25 -86.34 nats.

Data: `kgen.datasets.load_mnist(binarize="stochastic", seed=0)` (one Bernoulli
draw per pixel, as in that paper). Training: `kgen.models.RBM` with SGD +
momentum 0.9, the learning rate decayed linearly to 0, batch 100, weight decay
2e-4 (Hinton's guide). Evaluation: `kgen.metrics.ais_log_partition` (14,500
temperatures, 100 runs, the paper's schedule) and the exact free energies of
the 10,000 test images; the error is AIS' standard error of log Z, which moves
every test log-likelihood together.

Each `--run` is one trained model; results are merged into
`bench/results/mnist_rbm.json` (one entry per run name), so runs can be made
in separate processes.

With `--curve-every N`, training stops every N epochs for a cheap AIS
estimate (`--curve-betas` temperatures, `--curve-runs` runs, seed 1) of the
test log-likelihood, recorded as the run's learning curve.

Usage: `python bench/mnist_rbm.py --run cd1 --epochs 10 [--curve-every 2]
[--quick]`
(JAX unless KERAS_BACKEND is set).
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kgen  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results", "mnist_rbm.json")
PUBLISHED = {"cd1": -125.53, "cd3": -105.50, "cd25": -86.34}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", default=os.path.join(ROOT, "..", "shared", "data")
    )
    parser.add_argument(
        "--run",
        default="cd1",
        help="cd<k> (e.g. cd1, cd10) or pcd<k> (e.g. pcd1)",
    )
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--weight-decay", type=float, default=2e-4)
    parser.add_argument("--hidden", type=int, default=500)
    parser.add_argument("--ais-betas", type=int, default=14500)
    parser.add_argument("--ais-runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--curve-every",
        type=int,
        default=0,
        help="every N epochs, a quick AIS estimate of the test log-likelihood"
        " (0: none)",
    )
    parser.add_argument("--curve-betas", type=int, default=2000)
    parser.add_argument(
        "--pictures",
        default=None,
        help="folder for rbm_mnist_filters.png and rbm_mnist_samples.png",
    )
    parser.add_argument("--curve-runs", type=int, default=50)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 5,000 training images, 1 epoch, 1,000 temperatures",
    )
    return parser.parse_args()


def train(x, x_test, args):
    kind, k = (
        ("pcd", int(args.run[3:]))
        if args.run.startswith("pcd")
        else (
            "cd",
            int(args.run[2:]),
        )
    )
    keras.utils.set_random_seed(args.seed)
    model = kgen.models.RBM(
        kgen.layers.BernoulliRBM(args.hidden, seed=args.seed),
        k=k,
        persistent_chains=args.batch_size if kind == "pcd" else None,
        weight_decay=args.weight_decay,
        monitor_samples=0,
        seed=args.seed,
    )
    steps = args.epochs * -(-len(x) // args.batch_size)
    schedule = keras.optimizers.schedules.PolynomialDecay(
        args.learning_rate, steps, end_learning_rate=0.0
    )
    model.compile(optimizer=keras.optimizers.SGD(schedule, momentum=0.9))
    every = args.curve_every or args.epochs
    curve = []
    for stop in range(every, args.epochs + every, every):
        stop = min(stop, args.epochs)
        model.fit(
            x,
            batch_size=args.batch_size,
            initial_epoch=stop - every,
            epochs=stop,
            verbose=2,
        )
        if args.curve_every and stop < args.epochs:
            curve.append(
                {"epoch": stop, **quick_estimate(model, x, x_test, args)}
            )
            print(f"epoch {stop}: {curve[-1]}", flush=True)
    return model, curve


def quick_estimate(model, x, x_test, args):
    """A cheap AIS estimate (fewer temperatures and runs) for the curve."""
    log_z, error = kgen.metrics.ais_log_partition(
        model, x, betas=args.curve_betas, num_runs=args.curve_runs, seed=1
    )
    test = kgen.metrics.log_likelihood(model, x_test, log_z)
    return {
        "test_log_likelihood": float(np.mean(test)),
        "log_z_standard_error": error,
        "ais_betas": args.curve_betas,
        "ais_runs": args.curve_runs,
    }


def save_pictures(model, args):
    """The first 100 filters, and 100 samples (1,000 Gibbs steps, seed 0)."""
    os.makedirs(args.pictures, exist_ok=True)
    title = f"RBM 784-{args.hidden}, {args.run.upper()}, {args.epochs} epochs"
    kgen.utils.save_filter_grid(
        model,
        os.path.join(args.pictures, "rbm_mnist_filters.png"),
        (28, 28),
        num_filters=100,
        title=f"{title}: filters",
        num_columns=10,
    )
    samples = model.generate(100, burn_in=1000, probabilities=True, seed=0)
    kgen.utils.save_image_grid(
        samples,
        os.path.join(args.pictures, "rbm_mnist_samples.png"),
        title=f"{title}: samples",
        num_columns=10,
        image_shape=(28, 28),
    )


def main():
    args = parse_args()
    if args.quick:
        args.epochs, args.ais_betas = 1, 1000
    (x, _), (x_test, _) = kgen.datasets.load_mnist(
        args.data_dir, binarize="stochastic", seed=0
    )
    if args.quick:
        x = x[:5000]
    start = time.perf_counter()
    model, curve = train(x, x_test, args)
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    log_z, error = kgen.metrics.ais_log_partition(
        model, x, betas=args.ais_betas, num_runs=args.ais_runs, seed=args.seed
    )
    ais_seconds = time.perf_counter() - start
    if args.pictures:
        save_pictures(model, args)
    test = kgen.metrics.log_likelihood(model, x_test, log_z)
    train_ll = kgen.metrics.log_likelihood(model, x[:10000], log_z)
    row = {
        "run": args.run,
        "backend": keras.backend.backend(),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "weight_decay": args.weight_decay,
        "hidden": args.hidden,
        "training_images": len(x),
        "log_z": log_z,
        "log_z_standard_error": error,
        "test_log_likelihood": float(np.mean(test)),
        "train_log_likelihood_10k": float(np.mean(train_ll)),
        "ais_betas": args.ais_betas,
        "ais_runs": args.ais_runs,
        "seed": args.seed,
        "train_seconds": round(train_seconds, 1),
        "ais_seconds": round(ais_seconds, 1),
        "published": PUBLISHED.get(args.run),
        "curve": curve,
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    name = f"{args.run} {args.epochs} ep lr {args.learning_rate}" + (
        " quick" if args.quick else ""
    )
    results = {}
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            results = json.load(f)
    results[name] = row
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2)
    print(
        f"{'run':<24} {'epochs':>6} {'test LL (nats)':>15} {'± AIS s.e.':>10}"
        f" {'published':>10} {'train s':>8} {'AIS s':>6}"
    )
    for key, r in results.items():
        published = "" if r["published"] is None else f"{r['published']:.2f}"
        print(
            f"{key:<24} {r['epochs']:>6} {r['test_log_likelihood']:>15.2f} "
            f"{r['log_z_standard_error']:>10.3f} {published:>10} "
            f"{r['train_seconds']:>8.0f} {r['ais_seconds']:>6.0f}"
        )


if __name__ == "__main__":
    main()
