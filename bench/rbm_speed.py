"""RBM training speed: kgen on each Keras backend against scikit-learn.

Runs one subprocess per backend (a backend is fixed per process), each
preceded by a scikit-learn subprocess, and times:

- 64 visible x 256 hidden, CD-1, batch 64 and 256, on the binarised digits:
  samples/s of `kgen.models.RBM.fit` and of scikit-learn's `BernoulliRBM.fit`
  (PCD-1, NumPy), same number of epochs;
- 784 x 500 on random binary data, CD-1, batch 256: achieved GFLOP/s
  (`(6 + 4k) * B * V * H` per update) as a fraction of NumPy's float32
  matrix-multiply rate, measured in the scikit-learn process.

kgen and scikit-learn run in separate processes (a library's idle thread
pool can slow the other down), scikit-learn just before each backend.
`--threads 1` caps every library's thread pools (BLAS, XLA, TensorFlow,
PyTorch) at one thread, for both sides.

Usage: `python bench/rbm_speed.py [--quick] [--tile N] [--threads N]
[--backends jax,tensorflow,torch]` (`--tile N` repeats the digits N times per
epoch, to separate Keras' per-epoch costs from per-step ones).
Writes `bench/results/rbm_speed.json` (`rbm_speed_threads1.json` with
`--threads 1`).
"""

import argparse
import json
import os
import subprocess
import sys
import time

BATCHES = (64, 256)
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def _best_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _thread_environment(threads):
    """Environment variables that cap every library's thread pools."""
    if not threads:
        return {}
    flags = f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'} intra_op_parallelism_threads={threads}"
    names = (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "TF_NUM_INTRAOP_THREADS",
        "TF_NUM_INTEROP_THREADS",
    )
    return {"XLA_FLAGS": flags, **{name: str(threads) for name in names}}


def numpy_matmul_gflops(size=1024, repeats=5):
    import numpy as np

    a = np.random.default_rng(0).random((size, size), dtype=np.float32)
    a @ a
    return 2 * size**3 / _best_time(lambda: a @ a, repeats) / 1e9


def _digits(tile):
    import numpy as np

    import kgen

    (x, _), _ = kgen.datasets.load_digits("binary")
    return np.tile(
        x, (tile, 1)
    )  # --tile: longer epochs, less per-epoch overhead


def measure_sklearn(quick, tile=1):
    """scikit-learn's samples/s per batch size, and NumPy's matmul rate."""
    from sklearn.neural_network import BernoulliRBM

    x = _digits(tile)
    epochs, repeats = (3, 2) if quick else (10, 3)
    rates = {}
    for batch in BATCHES:
        peer = BernoulliRBM(
            256, batch_size=batch, n_iter=epochs, random_state=0
        )
        rates[batch] = (
            epochs * len(x) / _best_time(lambda peer=peer: peer.fit(x), repeats)
        )
    return {
        "samples_per_s": rates,
        "numpy_matmul_gflops": numpy_matmul_gflops(),
    }


def measure_kgen(backend, quick, tile=1):
    """kgen's samples/s per batch size (64x256) and GFLOP/s at 784x500."""
    os.environ["KERAS_BACKEND"] = backend
    import keras
    import numpy as np

    import kgen

    x = _digits(tile)
    epochs, repeats = (3, 2) if quick else (10, 3)
    rates = {}
    for batch in BATCHES:
        model = kgen.models.RBM(
            kgen.layers.BernoulliRBM(256, seed=0),
            k=1,
            monitor_samples=0,
            seed=0,
        )
        steps = (
            1 if backend == "torch" else -(-len(x) // batch)
        )  # torch allows only 1
        model.compile(
            optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
            steps_per_execution=steps,
        )
        model.fit(x, batch_size=batch, epochs=1, verbose=0)  # compile
        seconds = _best_time(
            lambda m=model, b=batch: m.fit(
                x, batch_size=b, epochs=epochs, verbose=0
            ),
            repeats,
        )
        rates[batch] = epochs * len(x) / seconds
    big = (
        np.random.default_rng(0).random((4096 if quick else 10240, 784)) < 0.3
    ).astype("float32")
    model = kgen.models.RBM(
        kgen.layers.BernoulliRBM(500, seed=0), k=1, monitor_samples=0, seed=0
    )
    steps = 1 if backend == "torch" else len(big) // 256
    model.compile(
        optimizer=keras.optimizers.SGD(0.01), steps_per_execution=steps
    )
    model.fit(big, batch_size=256, epochs=1, verbose=0)
    fit_time = _best_time(
        lambda: model.fit(big, batch_size=256, epochs=1, verbose=0), repeats
    )
    flops = (6 + 4 * 1) * len(big) * 784 * 500
    return {"samples_per_s": rates, "gflops": flops / fit_time / 1e9}


def _run_worker(worker, args):
    """One measurement in its own process: no thread pool of one library
    lingers to slow down the other."""
    command = [
        sys.executable,
        __file__,
        "--worker",
        worker,
        "--tile",
        str(args.tile),
    ]
    command += ["--quick"] if args.quick else []
    environment = {**os.environ, **_thread_environment(args.threads)}
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, env=environment
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def rows_for(backend, args):
    """Table rows of one backend, against a scikit-learn run just before."""
    peer, ours = _run_worker("sklearn", args), _run_worker(backend, args)
    rows = [
        {
            "backend": backend,
            "size": "64x256",
            "batch": batch,
            "kgen_samples_per_s": ours["samples_per_s"][str(batch)],
            "sklearn_samples_per_s": peer["samples_per_s"][str(batch)],
            "ratio": ours["samples_per_s"][str(batch)]
            / peer["samples_per_s"][str(batch)],
        }
        for batch in BATCHES
    ]
    matmul = peer["numpy_matmul_gflops"]
    rows.append(
        {
            "backend": backend,
            "size": "784x500",
            "batch": 256,
            "kgen_gflops": ours["gflops"],
            "numpy_matmul_gflops": matmul,
            "fraction_of_matmul": ours["gflops"] / matmul,
        }
    )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer epochs and repeats"
    )
    parser.add_argument("--backends", default="jax,tensorflow,torch")
    parser.add_argument(
        "--tile",
        type=int,
        default=1,
        help="repeat the digits N times per epoch",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="cap every thread pool (0: defaults)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        if args.worker == "sklearn":
            print(json.dumps(measure_sklearn(args.quick, args.tile)))
        else:
            print(json.dumps(measure_kgen(args.worker, args.quick, args.tile)))
        return
    rows = [
        row
        for backend in args.backends.split(",")
        for row in rows_for(backend, args)
    ]
    print(
        f"{'backend':<11} {'size':<8} {'batch':>5} {'kgen':>12} {'sklearn':>12} {'ratio':>6}"
    )
    for row in rows:
        if row["size"] == "64x256":
            print(
                f"{row['backend']:<11} {row['size']:<8} {row['batch']:>5} "
                f"{row['kgen_samples_per_s']:>10.0f}/s {row['sklearn_samples_per_s']:>10.0f}/s "
                f"{row['ratio']:>5.2f}x"
            )
        else:
            print(
                f"{row['backend']:<11} {row['size']:<8} {row['batch']:>5} "
                f"{row['kgen_gflops']:>7.1f} GFLOP/s = {row['fraction_of_matmul']:.0%} of NumPy "
                f"matmul ({row['numpy_matmul_gflops']:.0f} GFLOP/s)"
            )
    os.makedirs(RESULTS, exist_ok=True)
    name = (
        f"rbm_speed_threads{args.threads}.json"
        if args.threads
        else "rbm_speed.json"
    )
    with open(os.path.join(RESULTS, name), "w") as f:
        json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
