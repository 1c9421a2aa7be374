"""RBM speed at MNIST scale: 784 x 500, batch 256, CD-1, on every backend.

Reports the achieved GFLOP/s of `kgen.models.RBM.fit` (a CD-k update costs
about `(6 + 4k) * B * V * H` FLOP) as a fraction of NumPy's float32 matrix
multiply (1024 x 1024) measured in the same process. On a shared machine the
two are measured alternately, `--repeats` times (one fit epoch, then the best
of 3 matrix products), and the table gives the median of the paired ratios,
so that load changes hit both sides. Times are the process's CPU time by
default (`--clock cpu`, `time.process_time`: at 1 thread it stays close to
the wall time of a quiet machine when other processes share the cores) or
the wall time (`--clock wall`). On PyTorch a hand-written CD-1 loop in
plain `torch` (the same update, no Keras) is paired the same way: the floor
of what `fit` could reach. On every backend the five matrix products of the
update alone (`keras.ops.matmul` at the update's shapes, nothing else) are
paired too: the ceiling that the backend's own matrix multiply sets.

Data: the first 10,240 MNIST training images, binarised at 0.5
(`kgen.datasets.load_mnist(binarize="threshold")`), or random binary images
when the file is absent. Each backend runs in its own process.

Usage: `python bench/rbm_speed_mnist.py [--backends jax,tensorflow,torch]
[--repeats 7] [--clock cpu] [--data-dir ../shared/data] [--quick]`.
Writes `bench/results/rbm_speed_mnist.json`.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results", "rbm_speed_mnist.json")
VISIBLE, HIDDEN, BATCH, K = 784, 500, 256, 1
UPDATE_FLOP = (6 + 4 * K) * BATCH * VISIBLE * HIDDEN


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
clock = CLOCKS["cpu"]


def _seconds(fn):
    start = clock()
    fn()
    return clock() - start


def matmul_gflops(size=1024):
    """Best of 3 NumPy float32 matrix products, in GFLOP/s."""
    import numpy as np

    a = np.random.default_rng(0).random((size, size), dtype=np.float32)
    return 2 * size**3 / min(_seconds(lambda: a @ a) for _ in range(3)) / 1e9


def images(data_dir, count):
    import numpy as np

    try:
        import kgen

        (x, _), _ = kgen.datasets.load_mnist(data_dir, binarize="threshold")
        return x[:count], "MNIST"
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        return (rng.random((count, VISIBLE)) < 0.13).astype("float32"), "random"


def torch_hand_epoch(x):
    """CD-1 with momentum in plain torch, one pass over `x`: the floor."""
    import torch

    data = torch.from_numpy(x)
    w = 0.01 * torch.randn(VISIBLE, HIDDEN)
    a, b = torch.zeros(VISIBLE), torch.zeros(HIDDEN)
    moments = [torch.zeros_like(t) for t in (w, a, b)]

    def epoch():
        for start in range(0, len(data) - BATCH + 1, BATCH):
            v = data[start : start + BATCH]
            ph = torch.sigmoid(v @ w + b)
            h = torch.bernoulli(ph)
            v1 = torch.bernoulli(torch.sigmoid(h @ w.T + a))
            ph1 = torch.sigmoid(v1 @ w + b)
            grads = (
                (v.T @ ph - v1.T @ ph1) / BATCH,
                (v - v1).mean(0),
                (ph - ph1).mean(0),
            )
            for p, m, g in zip((w, a, b), moments, grads):
                m.mul_(0.9).add_(g, alpha=0.01)
                p.add_(m)

    return epoch


def matmuls_epoch(x):
    """The five matrix products of each CD-1 update, nothing else."""
    import numpy as np
    from keras import ops

    rng = np.random.default_rng(0)
    w = ops.convert_to_tensor(rng.normal(0, 0.01, (VISIBLE, HIDDEN)), "float32")
    h = ops.convert_to_tensor(rng.random((BATCH, HIDDEN)), "float32")
    batches = [
        ops.convert_to_tensor(x[start : start + BATCH])
        for start in range(0, len(x) - BATCH + 1, BATCH)
    ]

    def epoch():
        for v in batches:
            products = [
                ops.matmul(v, w),
                ops.matmul(h, ops.transpose(w)),
                ops.matmul(v, w),
                ops.matmul(ops.transpose(v), h),
                ops.matmul(ops.transpose(v), h),
            ]
        ops.convert_to_numpy(products[-1])  # waits for JAX's async dispatch

    return epoch


def measure(backend, data_dir, repeats, count):
    os.environ["KERAS_BACKEND"] = backend
    import keras

    import kgen

    x, source = images(data_dir, count)
    model = kgen.models.RBM(
        kgen.layers.BernoulliRBM(HIDDEN, seed=0), k=K, monitor_samples=0, seed=0
    )
    steps = 1 if backend == "torch" else len(x) // BATCH
    model.compile(
        optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
        steps_per_execution=steps,
    )

    def fit():
        model.fit(x, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)

    runners = {"kgen fit": fit, "5 matmuls only": matmuls_epoch(x)}
    if backend == "torch":
        runners["torch by hand"] = torch_hand_epoch(x)
    flop = UPDATE_FLOP * (len(x) // BATCH)
    for run in runners.values():
        run()  # compiles / warms up
    pairs = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            gflops = flop / _seconds(run) / 1e9
            pairs[name].append((gflops, matmul_gflops()))
    return {
        "backend": backend,
        "clock": clock.__name__,
        "data": source,
        "images": len(x),
        "repeats": repeats,
        **{
            name: {
                "median_gflops": statistics.median(g for g, _ in p),
                "median_matmul_gflops": statistics.median(m for _, m in p),
                "median_fraction": statistics.median(g / m for g, m in p),
                "fractions": [g / m for g, m in p],
            }
            for name, p in pairs.items()
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="jax,tensorflow,torch")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    parser.add_argument(
        "--data-dir", default=os.path.join(ROOT, "..", "shared", "data")
    )
    parser.add_argument(
        "--quick", action="store_true", help="2 repeats of 2,560 images"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    count = 2560 if args.quick else 10240
    repeats = 2 if args.quick else args.repeats
    if args.worker:
        result = measure(args.worker, args.data_dir, repeats, count)
        print(json.dumps(result))
        return
    results = []
    for backend in args.backends.split(","):
        command = [sys.executable, __file__, "--worker", backend]
        command += ["--data-dir", args.data_dir, "--repeats", str(args.repeats)]
        command += ["--clock", args.clock]
        command += ["--quick"] if args.quick else []
        output = subprocess.run(
            command, capture_output=True, text=True, check=True
        ).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    print(
        f"{'backend':<11} {'runner':<14} {'GFLOP/s':>8} {'NumPy matmul':>12}"
        f" {'fraction (median of pairs)':>27}"
    )
    for result in results:
        for name in ("kgen fit", "torch by hand", "5 matmuls only"):
            if name in result:
                r = result[name]
                print(
                    f"{result['backend']:<11} {name:<14} "
                    f"{r['median_gflops']:>8.1f} "
                    f"{r['median_matmul_gflops']:>12.1f} "
                    f"{r['median_fraction']:>27.0%}"
                )
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
