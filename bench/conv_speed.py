"""Speed: convolutional training steps per backend, kgen against plain Keras.

Per training step, at batch 64 on 28x28x1 images (MNIST-sized random data:
speed does not depend on the values), on one thread:

- `ae`: the convolutional autoencoder `kgen.models.Autoencoder.conv`
  (two stride-2 convolutions, 32 and 64 filters, a 16-unit code, two
  transposed convolutions; Bernoulli cross-entropy, Adam) trained by
  kgen's `fit`, against the same encoder and decoder networks as one
  plain `keras.Model` with `compile` / `fit` and the same loss; on JAX
  also against a plain-JAX loop of the same layers written with
  `jax.lax.conv_general_dilated` / `jax.lax.conv_transpose` and a
  hand-written Adam in one `jax.jit` step, which measures XLA alone.
- `dcgan`: `kgen.models.GAN` with `build_dcgan_generator` /
  `build_dcgan_discriminator` (64-d latent, base 64 filters, one
  discriminator step on real and fake batches, then one generator step),
  against the classic plain-Keras recipe on the same networks: the
  discriminator compiled and trained with `train_on_batch` on the real and
  fake batches, then the stacked generator -> frozen discriminator model
  trained with `train_on_batch`.

Each variant compiles on `--warmup` steps, then `--steps` steps are timed
(wall clock, the last one synchronised). Each backend runs in its own
process (Keras takes one backend per process); without `--backend` the three
run one after another and one table is printed.

    python bench/conv_speed.py [--steps 10] [--warmup 2] [--backend jax]
    python bench/conv_speed.py --xla-ops   # each convolution alone, JAX
"""

import argparse
import json
import os
import subprocess
import sys
import time

BACKENDS = ("jax", "tensorflow", "torch")
BATCH = 64
SHAPE = (28, 28, 1)
LATENT = 16
GAN_LATENT = 64
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false "
    "intra_op_parallelism_threads=1",
}


def images(num_batches, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return rng.random((num_batches * BATCH, *SHAPE)).astype("float32")


def per_step(run, warmup, steps):
    """`(wall, cpu)` seconds per step of `run(num_steps)` (which blocks until
    done). With one thread, the process's CPU time is what a step costs on
    a quiet machine; the wall time also counts waits for a shared CPU."""
    run(warmup)
    wall, cpu = time.perf_counter(), time.process_time()
    run(steps)
    return (
        (time.perf_counter() - wall) / steps,
        (time.process_time() - cpu) / steps,
    )


def fit_runner(model, with_targets=False):
    """`run(n)`: one `fit` epoch of `n` batches."""

    def run(num_steps):
        x = images(num_steps)
        model.fit(
            x,
            x if with_targets else None,
            batch_size=BATCH,
            epochs=1,
            shuffle=False,
            verbose=0,
        )

    return run


def kgen_autoencoder():
    import keras

    import kgen

    model = kgen.models.Autoencoder.conv(SHAPE, latent_dim=LATENT)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return fit_runner(model)


def keras_autoencoder():
    import keras

    import kgen

    encoder = kgen.models.conv_encoder(SHAPE, LATENT)
    decoder = kgen.models.conv_decoder(LATENT, SHAPE)
    inputs = keras.Input(SHAPE)
    model = keras.Model(inputs, decoder(encoder(inputs)))
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    return fit_runner(model, with_targets=True)


def jax_autoencoder():
    """The same layers in plain JAX: one jitted step with Adam."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    rng = np.random.default_rng(0)

    def weights(*shape):
        return jnp.asarray(rng.normal(0, 0.05, shape).astype("float32"))

    params = {
        "c1": weights(3, 3, 1, 32),
        "b1": weights(32),
        "c2": weights(3, 3, 32, 64),
        "b2": weights(64),
        "d1": weights(7 * 7 * 64, LATENT),
        "e1": weights(LATENT),
        "d2": weights(LATENT, 7 * 7 * 64),
        "e2": weights(7 * 7 * 64),
        "t1": weights(3, 3, 64, 64),
        "u1": weights(64),
        "t2": weights(3, 3, 64, 32),
        "u2": weights(32),
        "c3": weights(3, 3, 32, 1),
        "b3": weights(1),
    }
    dims = ("NHWC", "HWIO", "NHWC")

    def conv(x, kernel, bias, stride):
        return (
            jax.lax.conv_general_dilated(
                x, kernel, (stride, stride), "SAME", dimension_numbers=dims
            )
            + bias
        )

    def deconv(x, kernel, bias):
        return (
            jax.lax.conv_transpose(
                x, kernel, (2, 2), "SAME", dimension_numbers=dims
            )
            + bias
        )

    def loss(p, x):
        h = jax.nn.relu(conv(x, p["c1"], p["b1"], 2))
        h = jax.nn.relu(conv(h, p["c2"], p["b2"], 2))
        code = h.reshape(len(x), -1) @ p["d1"] + p["e1"]
        h = jax.nn.relu(code @ p["d2"] + p["e2"]).reshape(-1, 7, 7, 64)
        h = jax.nn.relu(deconv(h, p["t1"], p["u1"]))
        h = jax.nn.relu(deconv(h, p["t2"], p["u2"]))
        logits = conv(h, p["c3"], p["b3"], 1)
        return jnp.mean(
            jnp.maximum(logits, 0)
            - logits * x
            + jnp.log1p(jnp.exp(-abs(logits)))
        )

    @jax.jit
    def step(state, x):
        p, m, v, t = state
        g = jax.grad(loss)(p, x)
        t = t + 1
        m = jax.tree.map(lambda m, g: 0.9 * m + 0.1 * g, m, g)
        v = jax.tree.map(lambda v, g: 0.999 * v + 0.001 * g * g, v, g)
        scale = 1e-3 * jnp.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        p = jax.tree.map(
            lambda p, m, v: p - scale * m / (jnp.sqrt(v) + 1e-7), p, m, v
        )
        return p, m, v, t

    zeros = jax.tree.map(jnp.zeros_like, params)
    state = [(params, zeros, zeros, jnp.zeros(()))]

    def run(num_steps):
        x = jnp.asarray(images(num_steps))
        for i in range(num_steps):
            state[0] = step(state[0], x[i * BATCH : (i + 1) * BATCH])
        jax.block_until_ready(state[0])

    return run


def jax_conv_ops(repeats):
    """CPU ms of each convolution of the autoencoder in plain JAX, forward
    alone and forward + backward (gradients for input and kernel)."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    rng = np.random.default_rng(0)
    dims = ("NHWC", "HWIO", "NHWC")

    def strided(x, k):
        return jax.lax.conv_general_dilated(
            x, k, (2, 2), "SAME", dimension_numbers=dims
        )

    def transposed(x, k):
        return jax.lax.conv_transpose(
            x, k, (2, 2), "SAME", dimension_numbers=dims
        )

    def unit(x, k):
        return jax.lax.conv_general_dilated(
            x, k, (1, 1), "SAME", dimension_numbers=dims
        )

    cases = [
        ("Conv2D 32, stride 2, 28->14", strided, (28, 28, 1), (3, 3, 1, 32)),
        ("Conv2D 64, stride 2, 14->7", strided, (14, 14, 32), (3, 3, 32, 64)),
        ("Conv2DTranspose 64, 7->14", transposed, (7, 7, 64), (3, 3, 64, 64)),
        (
            "Conv2DTranspose 32, 14->28",
            transposed,
            (14, 14, 64),
            (3, 3, 64, 32),
        ),
        ("Conv2D 1, stride 1, 28x28", unit, (28, 28, 32), (3, 3, 32, 1)),
    ]
    rows = []
    for name, op, x_shape, k_shape in cases:
        x = jnp.asarray(rng.random((BATCH, *x_shape)).astype("float32"))
        k = jnp.asarray(rng.normal(size=k_shape).astype("float32"))
        forward = jax.jit(op)
        both = jax.jit(jax.grad(lambda x, k, op=op: jnp.sum(op(x, k)), (0, 1)))
        row = {"op": name}
        for label, fn in (("forward", forward), ("forward+backward", both)):
            jax.block_until_ready(fn(x, k))
            start = time.process_time()
            for _ in range(repeats):
                jax.block_until_ready(fn(x, k))
            row[f"{label}_cpu_ms"] = 1000 * (
                (time.process_time() - start) / repeats
            )
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def dcgan_networks():
    import kgen

    return (
        kgen.models.build_dcgan_generator(GAN_LATENT, SHAPE),
        kgen.models.build_dcgan_discriminator(SHAPE),
    )


def kgen_dcgan():
    import keras

    import kgen

    generator, discriminator = dcgan_networks()
    model = kgen.models.GAN(
        generator, discriminator, latent_dim=GAN_LATENT, seed=0
    )
    model.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    return fit_runner(model)


def keras_dcgan():
    import keras
    import numpy as np

    generator, discriminator = dcgan_networks()
    discriminator.compile(
        optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    discriminator.trainable = False
    z = keras.Input((GAN_LATENT,))
    combined = keras.Model(z, discriminator(generator(z)))
    combined.compile(
        optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    discriminator.trainable = True
    rng = np.random.default_rng(0)
    labels = np.concatenate([np.ones((BATCH, 1)), np.zeros((BATCH, 1))])
    ones = np.ones((BATCH, 1), "float32")

    def run(num_steps):
        x = images(num_steps)
        for i in range(num_steps):
            noise = rng.normal(size=(BATCH, GAN_LATENT)).astype("float32")
            fake = generator.predict_on_batch(noise)
            real = x[i * BATCH : (i + 1) * BATCH]
            discriminator.train_on_batch(
                np.concatenate([real, fake]), labels.astype("float32")
            )
            loss = combined.train_on_batch(noise, ones)
        float(loss)  # synchronise

    return run


def variants(backend):
    """(model, variant, runner factory) measured on `backend`."""
    rows = [
        ("conv autoencoder", "kgen fit", kgen_autoencoder),
        ("conv autoencoder", "plain keras.Model fit", keras_autoencoder),
    ]
    if backend == "jax":
        rows.append(
            ("conv autoencoder", "plain JAX (jax.lax.conv)", jax_autoencoder)
        )
    rows += [
        ("DCGAN", "kgen fit", kgen_dcgan),
        ("DCGAN", "plain Keras train_on_batch", keras_dcgan),
    ]
    return rows


def measure(warmup, steps, models):
    import keras

    keras.utils.set_random_seed(0)
    backend = keras.backend.backend()
    rows = []
    for model, variant, factory in variants(backend):
        if not any(m in model.lower() for m in models):
            continue
        wall, cpu = per_step(factory(), warmup, steps)
        rows.append(
            {
                "backend": backend,
                "model": model,
                "variant": variant,
                "cpu_ms_per_step": 1000 * cpu,
                "wall_ms_per_step": 1000 * wall,
            }
        )
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--backend", choices=BACKENDS)
    parser.add_argument("--steps", type=int, default=10, help="timed steps")
    parser.add_argument(
        "--warmup", type=int, default=2, help="steps run before timing"
    )
    parser.add_argument(
        "--models",
        default="autoencoder,dcgan",
        help="comma-separated: autoencoder, dcgan",
    )
    parser.add_argument(
        "--xla-ops",
        action="store_true",
        help="JAX only: time each convolution of the autoencoder alone",
    )
    args = parser.parse_args()
    if args.xla_ops:
        os.environ["KERAS_BACKEND"] = "jax"
        _save("conv_speed_xla_ops", jax_conv_ops(args.steps), args)
        return
    models = args.models.lower().split(",")
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend  # keras is imported later
        rows = measure(args.warmup, args.steps, models)
        print("ROWS" + json.dumps(rows))
        _save(f"conv_speed_{args.backend}_{'_'.join(models)}", rows, args)
        return
    rows = []
    start = time.time()
    for backend in BACKENDS:
        command = [
            sys.executable,
            __file__,
            "--backend",
            backend,
            "--steps",
            str(args.steps),
            "--warmup",
            str(args.warmup),
            "--models",
            args.models,
        ]
        output = subprocess.run(
            command,
            env={**os.environ, **ONE_THREAD, "KERAS_BACKEND": backend},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        line = [s for s in output.splitlines() if s.startswith("ROWS")][-1]
        rows.extend(json.loads(line[len("ROWS") :]))
    kgen_ms = {
        (r["backend"], r["model"]): r["cpu_ms_per_step"]
        for r in rows
        if r["variant"] == "kgen fit"
    }
    for row in rows:
        row["cpu_vs_kgen_fit"] = (
            row["cpu_ms_per_step"] / kgen_ms[row["backend"], row["model"]]
        )
    _save("conv_speed", rows, args, wall_s=time.time() - start)


def _save(name, rows, args, **payload):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _report import report

    report(
        name,
        rows,
        batch=BATCH,
        image_shape=SHAPE,
        steps=args.steps,
        warmup=args.warmup,
        threads=1,
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        **payload,
    )


if __name__ == "__main__":
    main()
