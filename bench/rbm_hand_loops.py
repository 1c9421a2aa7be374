"""The floor under `rbm_speed.py`: CD-1 written by hand in each framework.

The same update as `rbm_speed.py` (64 x 256 Bernoulli RBM, CD-1, SGD 0.05
with momentum 0.9, binarised digits, 10 shuffled epochs) written directly in
JAX (one jit-compiled `lax.scan` per epoch), TensorFlow (one `tf.function`
per epoch, batches gathered in the graph) and PyTorch (a plain loop), without
Keras. Shows how fast each framework can run this tiny update on this
machine, so that `fit`'s figures can be read against it. Each runs in its
own process, as does scikit-learn.

    python bench/rbm_hand_loops.py [--threads N]
"""

import argparse
import json
import os
import subprocess
import sys
import time

EPOCHS, VISIBLE, HIDDEN = 10, 64, 256


def digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x = (load_digits().data / 16 > 0.5).astype("float32")
    return train_test_split(x, test_size=0.25, random_state=0)[0]


def best_rate(run_epochs, num_samples, repeats=3):
    run_epochs()  # compiles
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_epochs()
        seconds.append(time.perf_counter() - start)
    return EPOCHS * num_samples / min(seconds)


def jax_loop(x, batch):
    import jax
    import jax.numpy as jnp

    steps = len(x) // batch  # whole batches only: one scan per epoch

    def update(carry, v):
        (w, a, b), (mw, ma, mb), key = carry
        key, k1, k2 = jax.random.split(key, 3)
        ph = jax.nn.sigmoid(v @ w + b)
        h = (jax.random.uniform(k1, ph.shape) < ph).astype(jnp.float32)
        pv = jax.nn.sigmoid(h @ w.T + a)
        v1 = (jax.random.uniform(k2, pv.shape) < pv).astype(jnp.float32)
        ph1 = jax.nn.sigmoid(v1 @ w + b)
        grads = (
            (v.T @ ph - v1.T @ ph1) / batch,
            jnp.mean(v - v1, 0),
            jnp.mean(ph - ph1, 0),
        )
        moments = tuple(0.9 * m + 0.05 * g for m, g in zip((mw, ma, mb), grads))
        params = tuple(p + m for p, m in zip((w, a, b), moments))
        return (params, moments, key), None

    @jax.jit
    def epoch(carry, data, key):
        order = jax.random.permutation(key, len(data))[: steps * batch]
        carry, _ = jax.lax.scan(
            update, carry, data[order].reshape(steps, batch, VISIBLE)
        )
        return carry

    data = jnp.asarray(x)
    zeros = (
        jnp.zeros((VISIBLE, HIDDEN)),
        jnp.zeros(VISIBLE),
        jnp.zeros(HIDDEN),
    )
    params = (
        0.01 * jax.random.normal(jax.random.key(1), (VISIBLE, HIDDEN)),
    ) + zeros[1:]

    def run():
        carry = (params, zeros, jax.random.key(0))
        for e in range(EPOCHS):
            carry = epoch(carry, data, jax.random.key(e))
        jax.block_until_ready(carry)

    return run, steps * batch


def tensorflow_loop(x, batch):
    import tensorflow as tf

    data = tf.constant(x)
    params = [
        tf.Variable(tf.random.normal((VISIBLE, HIDDEN)) * 0.01),
        tf.Variable(tf.zeros(VISIBLE)),
        tf.Variable(tf.zeros(HIDDEN)),
    ]
    moments = [tf.Variable(tf.zeros_like(p)) for p in params]
    seed = tf.Variable([0, 0], dtype=tf.int64)

    def update(v):
        w, a, b = params
        s = seed.assign_add([1, 1])
        ph = tf.sigmoid(v @ w + b)
        h = tf.cast(
            tf.random.stateless_uniform(tf.shape(ph), s) < ph, tf.float32
        )
        pv = tf.sigmoid(tf.matmul(h, w, transpose_b=True) + a)
        v1 = tf.cast(
            tf.random.stateless_uniform(tf.shape(pv), s + 7) < pv, tf.float32
        )
        ph1 = tf.sigmoid(v1 @ w + b)
        size = tf.cast(tf.shape(v)[0], tf.float32)
        grads = (
            (
                tf.matmul(v, ph, transpose_a=True)
                - tf.matmul(v1, ph1, transpose_a=True)
            )
            / size,
            tf.reduce_mean(v - v1, 0),
            tf.reduce_mean(ph - ph1, 0),
        )
        for p, m, g in zip(params, moments, grads):
            m.assign(0.9 * m + 0.05 * g)
            p.assign_add(m)

    @tf.function
    def epoch():
        order = tf.random.shuffle(tf.range(len(x)))
        for i in tf.range((len(x) + batch - 1) // batch):
            update(tf.gather(data, order[i * batch : (i + 1) * batch]))

    def run():
        for _ in range(EPOCHS):
            epoch()

    return run, len(x)


def torch_loop(x, batch):
    import torch

    data = torch.as_tensor(x)
    generator = torch.Generator().manual_seed(0)
    params = [
        torch.randn(VISIBLE, HIDDEN, generator=generator) * 0.01,
        torch.zeros(VISIBLE),
        torch.zeros(HIDDEN),
    ]
    moments = [torch.zeros_like(p) for p in params]

    def run():
        for _ in range(EPOCHS):
            order = torch.randperm(len(data), generator=generator)
            for start in range(0, len(data), batch):
                v = data[order[start : start + batch]]
                w, a, b = params
                ph = torch.sigmoid(v @ w + b)
                h = (torch.rand(ph.shape, generator=generator) < ph).float()
                pv = torch.sigmoid(h @ w.T + a)
                v1 = (torch.rand(pv.shape, generator=generator) < pv).float()
                ph1 = torch.sigmoid(v1 @ w + b)
                grads = (
                    (v.T @ ph - v1.T @ ph1) / len(v),
                    (v - v1).mean(0),
                    (ph - ph1).mean(0),
                )
                for p, m, g in zip(params, moments, grads):
                    m.mul_(0.9).add_(g, alpha=0.05)
                    p.add_(m)

    return run, len(data)


def sklearn_fit(x, batch):
    from sklearn.neural_network import BernoulliRBM

    peer = BernoulliRBM(HIDDEN, batch_size=batch, n_iter=EPOCHS, random_state=0)
    return lambda: peer.fit(x), len(x)


LOOPS = {
    "jax": jax_loop,
    "tensorflow": tensorflow_loop,
    "torch": torch_loop,
    "sklearn": sklearn_fit,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="cap every thread pool (0: defaults)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        x = digits()
        print(
            json.dumps(
                {
                    batch: best_rate(*LOOPS[args.worker](x, batch))
                    for batch in (64, 256)
                }
            )
        )
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from rbm_speed import _thread_environment

    environment = {
        **os.environ,
        **_thread_environment(args.threads),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    print(
        f"{'library':11} {'batch 64':>12} {'batch 256':>12}  (samples/s, hand-written CD-1)"
    )
    for name in LOOPS:
        command = [sys.executable, __file__, "--worker", name]
        output = subprocess.run(
            command, capture_output=True, text=True, check=True, env=environment
        ).stdout
        rates = json.loads(output.strip().splitlines()[-1])
        print(f"{name:11} {rates['64']:>12,.0f} {rates['256']:>12,.0f}")


if __name__ == "__main__":
    main()
