"""Wall time of one MNIST epoch per model family and backend (extrapolated).

Each family trains with plain `model.fit` on MNIST-shaped data (the 60,000
training images; binarised at 0.5 where the model is binary, 32x32 in
[-1, 1] for the DCGAN, integer pixels for RealNVP) at the batch size of its
MNIST benchmark. Per family and backend: one warm-up `fit` of `--warmup`
batches (compilation), then one timed `fit` of `--steps` batches. Where a
batch takes under `SMALL` seconds, the fixed cost of a `fit` call (data
iterator, callbacks) would swamp a few batches, so a second timed `fit` of
about `BUDGET` seconds' worth of batches follows, and the time per batch is
the difference of the two times over the difference of their batches. The
epoch's time is the time per batch times the batches of a 60,000-image
epoch, plus the fixed cost once (an extrapolation, not a measured epoch). Both the process's CPU time
(`time.process_time`, all its threads) and the wall time are recorded; the
table gives the CPU time, which on a shared, overloaded machine stays close
to what the wall time would be on a quiet one at 1 thread, while the wall
time grows with the load. Each backend runs in its own process; set the
thread count in the environment (the table in `docs/benchmarks.md` was
measured at 1 thread, `OMP_NUM_THREADS=1` and the TF/XLA variables of
`/tmp/benchrun`).

Usage: `python bench/mnist_epoch_time.py [--backends jax,tensorflow,torch]
[--families rbm,vae] [--steps 5] [--warmup 2] [--data-dir ../shared/data]`.
Writes `bench/results/mnist_epoch_time.json` (`--results`) and prints the
table.
"""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
EPOCH = 60000
SMALL, BUDGET = 0.5, 2.5  # seconds


def _boltzmann(build):
    """A Boltzmann family: SGD(0.01, momentum 0.9), batch 100, binary data."""
    return {"build": build, "data": "binary", "batch": 100, "sgd": True}


def _adam(build, data, batch=100):
    return {"build": build, "data": data, "batch": batch, "sgd": False}


def _gan(generator, discriminator):
    def build(kgen):
        return kgen.models.GAN(
            generator(kgen), discriminator(kgen), latent_dim=64, seed=0
        )

    return build


# name -> (builder(kgen) -> model, data kind, batch size, optimizer)
FAMILIES = {
    "RBM 784-500 CD-1": _boltzmann(
        lambda kgen: kgen.models.RBM(500, monitor_samples=0, seed=0)
    ),
    "DBN layer 2 (RBM 500-500)": {
        **_boltzmann(
            lambda kgen: kgen.models.RBM(500, monitor_samples=0, seed=0)
        ),
        "data": "features",
    },
    "BM 784+100 hidden PCD-1": _boltzmann(
        lambda kgen: kgen.models.BoltzmannMachine(784, num_hidden=100, seed=0)
    ),
    "DBM 784-500-1000": _boltzmann(
        lambda kgen: kgen.models.DBM(
            784, [500, 1000], persistent_chains=100, mean_field_steps=10, seed=0
        )
    ),
    "Autoencoder dense": _adam(
        lambda kgen: kgen.models.Autoencoder.dense((784,), 32, seed=0),
        "unit",
    ),
    "Autoencoder conv": _adam(
        lambda kgen: kgen.models.Autoencoder.conv((28, 28, 1), 32, seed=0),
        "images",
    ),
    "VAE 784-200-200-50": _adam(
        lambda kgen: kgen.models.VAE.dense(
            (784,), 50, hidden_units=(200, 200), activation="tanh", seed=0
        ),
        "binary",
    ),
    "GAN dense": _adam(
        _gan(
            lambda kgen: kgen.models.build_mlp_generator(64, (784,)),
            lambda kgen: kgen.models.build_mlp_discriminator((784,)),
        ),
        "unit",
        batch=64,
    ),
    "DCGAN 32x32": _adam(
        _gan(
            lambda kgen: kgen.models.build_dcgan_generator(
                64, (32, 32, 1), base_filters=32, output_activation="tanh"
            ),
            lambda kgen: kgen.models.build_dcgan_discriminator(
                (32, 32, 1), base_filters=32
            ),
        ),
        "padded",
        batch=64,
    ),
    "NADE 500": _adam(
        lambda kgen: kgen.models.NADE(784, num_hidden=500, seed=0), "binary"
    ),
    "MADE 500": _adam(
        lambda kgen: kgen.models.MADE(784, hidden_units=(500,), seed=0),
        "binary",
    ),
    "PixelCNN 5x32": _adam(
        lambda kgen: kgen.models.PixelCNN((28, 28), seed=0), "binary_images"
    ),
    "RealNVP 2 scales": _adam(
        lambda kgen: kgen.models.RealNVP(
            (28, 28, 1), num_levels=256, logit_alpha=0.05, seed=0
        ),
        "pixels",
        batch=64,
    ),
}


def mnist(data_dir):
    """The 60,000 training images in [0, 1], (N, 28, 28, 1); random digits-
    shaped data when the file is absent."""
    import numpy as np

    import kgen

    try:
        (x, _), _ = kgen.datasets.load_mnist(data_dir, flatten=False)
        return x, "MNIST"
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        return rng.random((EPOCH, 28, 28, 1), dtype=np.float32), "random"


def data_of(kind, images):
    """The training array of a family's data `kind`."""
    import numpy as np

    binary = (images > 0.5).astype("float32")
    flat = images.reshape(len(images), -1)
    if kind == "binary":
        return binary.reshape(len(images), -1)
    if kind == "features":  # hidden probabilities of a first RBM layer
        weights = np.random.default_rng(0).normal(0, 0.01, (784, 500))
        return (1 / (1 + np.exp(-(flat @ weights)))).astype("float32")
    if kind == "unit":
        return flat
    if kind == "images":
        return images
    if kind == "binary_images":
        return binary
    if kind == "padded":
        return np.pad(images, [(0, 0), (2, 2), (2, 2), (0, 0)]) * 2 - 1
    if kind == "pixels":
        return np.round(images * 255.0)
    raise ValueError(kind)


def timed_fit(model, x, batch, first, count):
    """CPU and wall seconds of one `fit` epoch over batches `first` to
    `first + count` of `x`."""
    start, cpu = time.perf_counter(), time.process_time()
    data = x[first * batch : (first + count) * batch]
    model.fit(data, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    return time.process_time() - cpu, time.perf_counter() - start


def measure(backend, names, data_dir, steps, warmup):
    os.environ["KERAS_BACKEND"] = backend
    import keras

    import kgen

    images, source = mnist(data_dir)
    rows = []
    for name in names:
        family = FAMILIES[name]
        batch = family["batch"]
        x = data_of(family["data"], images)
        keras.utils.set_random_seed(0)
        row = {"family": name, "batch": batch, "steps": steps}
        try:
            model = family["build"](kgen)
            optimizer = (
                keras.optimizers.SGD(0.01, momentum=0.9)
                if family["sgd"]
                else keras.optimizers.Adam(1e-3)
            )
            model.compile(optimizer=optimizer)
            row["warmup_seconds"] = timed_fit(model, x, batch, 0, warmup)[1]
            times = timed_fit(model, x, batch, warmup, steps)
            per_step = [t / steps for t in times]
            fixed = [0.0, 0.0]
            if per_step[0] < SMALL:
                more = min(
                    max(steps + 1, int(BUDGET / per_step[0])),
                    len(x) // batch - warmup - steps,
                )
                longer = timed_fit(model, x, batch, warmup + steps, more)
                per_step = [
                    (b - a) / (more - steps) for a, b in zip(times, longer)
                ]
                fixed = [a - steps * p for a, p in zip(times, per_step)]
                row["steps"] = [steps, more]
            batches = -(-EPOCH // batch)
            row.update(
                step_cpu_seconds=per_step[0],
                step_wall_seconds=per_step[1],
                fit_overhead_cpu_seconds=fixed[0],
                epoch_seconds=per_step[0] * batches + fixed[0],
                epoch_wall_seconds=per_step[1] * batches + fixed[1],
            )
        except Exception as error:  # noqa: BLE001 (reported in the table)
            row["error"] = f"{type(error).__name__}: {error}"[:300]
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)
    return {"backend": backend, "data": source, "rows": rows}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="jax,tensorflow,torch")
    parser.add_argument(
        "--families", help="comma-separated names (default all)"
    )
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--data-dir", default=os.path.join(ROOT, "..", "shared", "data")
    )
    parser.add_argument(
        "--results",
        default="mnist_epoch_time.json",
        help="file name of the JSON in bench/results",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    names = list(FAMILIES)
    if args.families:
        wanted = args.families.split(",")
        names = [
            n for n in names if any(w.lower() in n.lower() for w in wanted)
        ]
    if args.worker:
        print(
            json.dumps(
                measure(
                    args.worker, names, args.data_dir, args.steps, args.warmup
                )
            )
        )
        return
    results = []
    for backend in args.backends.split(","):
        command = [sys.executable, __file__, "--worker", backend]
        command += ["--data-dir", args.data_dir, "--steps", str(args.steps)]
        command += ["--warmup", str(args.warmup)]
        command += ["--families", ",".join(names)]
        start = time.perf_counter()
        output = subprocess.run(
            command, capture_output=True, text=True, check=True
        ).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
        results[-1]["wall_seconds"] = time.perf_counter() - start
    print(
        f"one {EPOCH}-image epoch, CPU seconds extrapolated from "
        f"{args.steps} batches (two fits for batches under {SMALL} s)"
    )
    backends = [r["backend"] for r in results]
    print(
        f"{'family':28} {'batch':>5} " + " ".join(f"{b:>10}" for b in backends)
    )
    for index, name in enumerate(names):
        cells = []
        for result in results:
            row = result["rows"][index]
            cells.append(
                f"{row['epoch_seconds']:>10.0f}"
                if "epoch_seconds" in row
                else f"{'error':>10}"
            )
        batch = FAMILIES[name]["batch"]
        print(f"{name:28} {batch:>5} " + " ".join(cells))
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, args.results), "w") as file:
        json.dump(results, file, indent=1)


if __name__ == "__main__":
    main()
