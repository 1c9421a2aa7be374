"""RBM speed at MNIST scale: 784 x 500, batch 256, CD-1, on every backend.

Reports the achieved GFLOP/s of `kgen.models.RBM.fit` (a CD-k update costs
about `(6 + 4k) * B * V * H` FLOP) as a fraction of NumPy's float32 matrix
multiply (1024 x 1024) measured in the same process. On a shared machine the
two are measured alternately, `--repeats` times (one fit epoch, then the best
of 3 matrix products), and the table gives the median of the paired ratios,
so that load changes hit both sides. `kgen fit` times one `fit(epochs=1)`
call per epoch, its per-call set-up included; `kgen fit, epochs` times the
epochs of one `fit(epochs=repeats + 1)` call (a callback measures NumPy's
product after each), as a run of many epochs spends its time. Times are
the process's CPU time by default (`--clock cpu`, `time.process_time`: at 1 thread it stays close to
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


RUNNERS = ("kgen fit", "kgen fit, epochs", "plain loop", "5 matmuls only")
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


def plain_loop(backend, x):
    """CD-1 with momentum in the backend's own API, no Keras: the floor.

    The update of `kgen.models.RBM` (SGD 0.01, momentum 0.9), written as a
    user of that library would write it at its fastest: uniform draws
    compared with the probabilities, products with the bias folded in where
    the library can. Returns a function that runs one pass over `x`.
    """
    return {"jax": _jax_loop, "tensorflow": _tf_loop, "torch": _torch_loop}[
        backend
    ](x)


def _torch_loop(x):
    import torch

    data = torch.from_numpy(x)
    w = 0.01 * torch.randn(VISIBLE, HIDDEN)
    a, b = torch.zeros(VISIBLE), torch.zeros(HIDDEN)
    mw, ma, mb = (torch.zeros_like(t) for t in (w, a, b))
    generator = torch.Generator().manual_seed(0)
    rate = 0.01 / BATCH

    def epoch():
        for start in range(0, len(data) - BATCH + 1, BATCH):
            v = data[start : start + BATCH]
            ph = torch.addmm(b, v, w).sigmoid_()
            h = torch.rand(ph.shape, generator=generator).lt_(ph)
            pv = torch.addmm(a, h, w.T).sigmoid_()
            v1 = torch.rand(pv.shape, generator=generator).lt_(pv)
            ph1 = torch.addmm(b, v1, w).sigmoid_()
            mw.mul_(0.9).addmm_(v.T, ph, alpha=rate)
            mw.addmm_(v1.T, ph1, alpha=-rate)
            ma.mul_(0.9).add_(v.sum(0) - v1.sum(0), alpha=rate)
            mb.mul_(0.9).add_(ph.sum(0) - ph1.sum(0), alpha=rate)
            for p, m in ((w, mw), (a, ma), (b, mb)):
                p.add_(m)

    return epoch


def _cd1_update(lib, draw, v, params, moments, keys):
    """The CD-1 momentum update in array API `lib` (JAX or TensorFlow)."""
    w, a, b = params
    ph = lib.sigmoid(v @ w + b)
    h = draw(ph, keys[0])
    v1 = draw(lib.sigmoid(h @ lib.transpose(w) + a), keys[1])
    ph1 = lib.sigmoid(v1 @ w + b)
    grads = (
        lib.matmul(v, ph, transpose_a=True)
        - lib.matmul(v1, ph1, transpose_a=True),
        lib.reduce_sum(v - v1, 0),
        lib.reduce_sum(ph - ph1, 0),
    )
    moments = [0.9 * m + (0.01 / BATCH) * g for m, g in zip(moments, grads)]
    return [p + m for p, m in zip(params, moments)], moments


def _jax_loop(x):
    import jax
    import jax.numpy as jnp

    class lib:
        sigmoid, transpose = jax.nn.sigmoid, jnp.transpose
        reduce_sum = staticmethod(jnp.sum)

        @staticmethod
        def matmul(p, q, transpose_a):
            return p.T @ q

    def draw(p, key):
        return (jax.random.uniform(key, p.shape) < p).astype(p.dtype)

    @jax.jit
    def step(state, v):
        params, moments, key = state
        key, *keys = jax.random.split(key, 3)
        return (*_cd1_update(lib, draw, v, params, moments, keys), key)

    batches = [jnp.asarray(x[i : i + BATCH]) for i in _starts(x)]
    w = 0.01 * jax.random.normal(jax.random.key(1), (VISIBLE, HIDDEN))
    zeros = [jnp.zeros(VISIBLE), jnp.zeros(HIDDEN)]
    state = [([w, *zeros], [jnp.zeros_like(w), *zeros], jax.random.key(0))]

    def epoch():
        for v in batches:
            state[0] = step(state[0], v)
        jax.block_until_ready(state[0])

    return epoch


def _tf_loop(x):
    import tensorflow as tf

    class lib:
        sigmoid, transpose = tf.sigmoid, tf.transpose
        reduce_sum, matmul = tf.reduce_sum, tf.matmul

    def draw(p, seed):
        return tf.cast(tf.random.stateless_uniform(p.shape, seed) < p, p.dtype)

    w = tf.Variable(tf.random.normal((VISIBLE, HIDDEN), stddev=0.01, seed=1))
    params = [w, tf.Variable(tf.zeros(VISIBLE)), tf.Variable(tf.zeros(HIDDEN))]
    moments = [tf.Variable(tf.zeros_like(p)) for p in params]
    data = tf.constant(x)

    @tf.function
    def epoch_fn(seed):
        for i, start in enumerate(_starts(x)):
            keys = [tf.stack([seed, 2 * i]), tf.stack([seed, 2 * i + 1])]
            new_params, new_moments = _cd1_update(
                lib, draw, data[start : start + BATCH], params, moments, keys
            )
            for var, value in zip(params + moments, new_params + new_moments):
                var.assign(value)

    seeds = iter(range(1 << 30))
    return lambda: epoch_fn(tf.constant(next(seeds)))


def _starts(x):
    return range(0, len(x) - BATCH + 1, BATCH)


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


def fit_epochs_in_one_call(model, x, repeats, flop):
    """`(GFLOP/s, NumPy GFLOP/s)` of each epoch of one multi-epoch `fit`
    (`flop` per epoch).

    One `fit` call of `repeats + 1` epochs (the first, compiling, dropped);
    each epoch is timed from its start to its end, after which NumPy's
    product is measured. Unlike one `fit` call per epoch, this leaves out
    `fit`'s per-call set-up, which a run of many epochs pays once.
    """
    import keras

    started, pairs = [], []

    def epoch_end(epoch, logs):
        keras.ops.convert_to_numpy(model.layer.kernel)  # JAX: wait for it
        pairs.append((flop / (clock() - started[-1]) / 1e9, matmul_gflops()))

    model.fit(
        x,
        batch_size=BATCH,
        epochs=repeats + 1,
        verbose=0,
        shuffle=False,
        callbacks=[
            keras.callbacks.LambdaCallback(
                on_epoch_begin=lambda epoch, logs: started.append(clock()),
                on_epoch_end=epoch_end,
            )
        ],
    )
    return pairs[1:]


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

    runners = {
        "kgen fit": fit,
        "plain loop": plain_loop(backend, x),
        "5 matmuls only": matmuls_epoch(x),
    }
    flop = UPDATE_FLOP * (len(x) // BATCH)
    for run in runners.values():
        run()  # compiles / warms up
    pairs = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            gflops = flop / _seconds(run) / 1e9
            pairs[name].append((gflops, matmul_gflops()))
    pairs["kgen fit, epochs"] = fit_epochs_in_one_call(model, x, repeats, flop)
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
        f"{'backend':<11} {'runner':<16} {'GFLOP/s':>8} {'NumPy matmul':>12}"
        f" {'fraction (median of pairs)':>27}"
    )
    for result in results:
        for name in RUNNERS:
            if name in result:
                r = result[name]
                print(
                    f"{result['backend']:<11} {name:<16} "
                    f"{r['median_gflops']:>8.1f} "
                    f"{r['median_matmul_gflops']:>12.1f} "
                    f"{r['median_fraction']:>27.0%}"
                )
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
