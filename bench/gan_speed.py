"""Speed: GAN `fit` against a hand-written training loop, per backend.

The same networks (MLP generator and discriminator on the digits, batch 64)
and the same updates (one non-saturating discriminator step, then one
generator step, Adam for each) are trained by `kgen.models.GAN.fit` and by a
hand-written loop idiomatic for the backend: a `jax.jit`-compiled step with
`stateless_call`, a `tf.function` with `GradientTape` (graph, as `fit` runs
on CPU by default, and XLA-compiled against `fit(jit_compile=True)`), or a
plain PyTorch loop with `torch.optim.Adam`.

The two alternate epoch by epoch inside one `fit` call: after each `fit`
epoch, a callback runs one epoch of the hand-written loop. Each pair of
neighbouring epochs shares the machine's state of the moment, so the ratio
of each pair cancels most of the drift of a shared machine; the table gives
the median over pairs (the first pair, which compiles, is dropped) and the
median epoch times.

    python bench/gan_speed.py [--quick] [--backend jax|tensorflow|torch]

Without `--backend` it runs each backend in its own process (Keras takes one
backend per process) and prints one table.
"""

import argparse
import functools
import json
import os
import subprocess
import sys
import time

BACKENDS = ("jax", "tensorflow", "torch")
BATCH = 64
LATENT = 16
HIDDEN = (128, 128)


def networks():
    import kgen

    generator = kgen.models.build_mlp_generator(
        LATENT, (64,), HIDDEN, batch_normalization=False
    )
    discriminator = kgen.models.build_mlp_discriminator((64,), HIDDEN)
    return generator, discriminator


def data():
    """The training digits, repeated 5 times: 105 steps per epoch, so that the
    per-epoch setup of `fit` (iterators, callbacks) does not dominate."""
    import numpy as np

    import kgen

    (x, _), _ = kgen.datasets.load_digits()
    return np.concatenate([x[: len(x) // BATCH * BATCH]] * 5)


def optimizer():
    import keras

    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def time_pairs(
    epochs, loop, build_model=None, x=None, batch_size=BATCH, **compile_options
):
    """Seconds per epoch of `fit` and of the hand loop, in alternation.

    `build_model()` returns another model to time (a `PhasedModel` with
    phases "discriminator" and "generator"), `x` its data and `batch_size`
    its batch size; by default this file's MLP GAN on the digits.
    """
    import keras
    import numpy as np

    import kgen

    x = data() if x is None else x
    run_hand_epoch = loop(x)
    if build_model is None:
        gan = kgen.models.GAN(*networks(), latent_dim=LATENT, seed=0)
    else:
        gan = build_model()
    gan.compile(
        optimizer={"discriminator": optimizer(), "generator": optimizer()},
        **compile_options,
    )
    fit_times, hand_times, started = [], [], []

    def hand_epoch(epoch, logs):
        fit_times.append(time.perf_counter() - started[-1])
        order = np.random.default_rng(epoch).permutation(len(x))
        start = time.perf_counter()
        run_hand_epoch(order)
        hand_times.append(time.perf_counter() - start)

    pairs = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: started.append(time.perf_counter()),
        on_epoch_end=hand_epoch,
    )
    gan.fit(
        x,
        batch_size=batch_size,
        epochs=epochs + 1,
        shuffle=True,
        verbose=0,
        callbacks=[pairs],
    )
    return len(x), np.array(fit_times[1:]), np.array(hand_times[1:])


def jax_loop(x):
    import jax
    import jax.numpy as jnp
    import numpy as np

    generator, discriminator = networks()
    d_opt, g_opt = optimizer(), optimizer()
    d_opt.build(discriminator.trainable_variables)
    g_opt.build(generator.trainable_variables)

    def d_logits(d_vars, inputs):
        return discriminator.stateless_call(d_vars, [], inputs)[0]

    def generate(g_vars, z):
        return generator.stateless_call(g_vars, [], z)[0]

    def d_loss(d_vars, g_vars, real, z):
        fake = jax.lax.stop_gradient(generate(g_vars, z))
        return jnp.mean(jax.nn.softplus(-d_logits(d_vars, real))) + jnp.mean(
            jax.nn.softplus(d_logits(d_vars, fake))
        )

    def g_loss(g_vars, d_vars, z):
        return jnp.mean(jax.nn.softplus(-d_logits(d_vars, generate(g_vars, z))))

    @jax.jit
    def step(state, real, key):
        d_vars, g_vars, d_slots, g_slots = state
        key_d, key_g = jax.random.split(key)
        grads = jax.grad(d_loss)(
            d_vars, g_vars, real, jax.random.normal(key_d, (BATCH, LATENT))
        )
        d_vars, d_slots = d_opt.stateless_apply(d_slots, grads, d_vars)
        grads = jax.grad(g_loss)(
            g_vars, d_vars, jax.random.normal(key_g, (BATCH, LATENT))
        )
        g_vars, g_slots = g_opt.stateless_apply(g_slots, grads, g_vars)
        return d_vars, g_vars, d_slots, g_slots

    state = [
        [v.value for v in discriminator.trainable_variables],
        [v.value for v in generator.trainable_variables],
        [v.value for v in d_opt.variables],
        [v.value for v in g_opt.variables],
    ]
    holder = {"state": state, "key": jax.random.PRNGKey(0)}

    def run_epoch(order):
        batches = x[order].reshape(-1, BATCH, x.shape[1])
        keys = jax.random.split(holder["key"], len(batches) + 1)
        holder["key"] = keys[0]
        keys = np.asarray(keys[1:])
        state = holder["state"]
        for batch, key in zip(batches, keys):
            state = step(state, batch, key)
        holder["state"] = jax.block_until_ready(state)

    return run_epoch


def tensorflow_loop(x, jit_compile=False):
    import tensorflow as tf

    generator, discriminator = networks()
    d_opt, g_opt = optimizer(), optimizer()

    @tf.function(jit_compile=jit_compile)
    def step(real):
        with tf.GradientTape() as tape:
            fake = generator(tf.random.normal((BATCH, LATENT)), training=True)
            loss = tf.reduce_mean(
                tf.nn.softplus(-discriminator(real, training=True))
            ) + tf.reduce_mean(
                tf.nn.softplus(discriminator(fake, training=True))
            )
        d_opt.apply(
            tape.gradient(loss, discriminator.trainable_variables),
            discriminator.trainable_variables,
        )
        with tf.GradientTape() as tape:
            logits = discriminator(
                generator(tf.random.normal((BATCH, LATENT)), training=True),
                training=True,
            )
            loss = tf.reduce_mean(tf.nn.softplus(-logits))
        g_opt.apply(
            tape.gradient(loss, generator.trainable_variables),
            generator.trainable_variables,
        )

    def run_epoch(order):
        for batch in x[order].reshape(-1, BATCH, x.shape[1]):
            step(batch)

    return run_epoch


def torch_loop(x):
    import torch
    import torch.nn.functional as F

    generator, discriminator = networks()
    d_params = [v.value for v in discriminator.trainable_variables]
    g_params = [v.value for v in generator.trainable_variables]
    d_opt = torch.optim.Adam(d_params, lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    g_opt = torch.optim.Adam(g_params, lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    x = torch.as_tensor(x)

    def run_epoch(order):
        for start in range(0, len(order), BATCH):
            real = x[order[start : start + BATCH]]
            with torch.no_grad():
                fake = generator(torch.randn(BATCH, LATENT), training=True)
            loss = (
                F.softplus(-discriminator(real, training=True)).mean()
                + F.softplus(discriminator(fake, training=True)).mean()
            )
            d_opt.zero_grad()
            loss.backward()
            d_opt.step()
            loss = F.softplus(
                -discriminator(
                    generator(torch.randn(BATCH, LATENT), training=True),
                    training=True,
                )
            ).mean()
            g_opt.zero_grad()
            loss.backward()
            g_opt.step()

    return run_epoch


def variants(backend):
    """(name, fit compile options, hand-written epoch factory) to compare."""
    if backend == "jax":
        return [
            ("jit", {}, jax_loop),
            (
                "jit, steps_per_execution=10",
                {"steps_per_execution": 10},
                jax_loop,
            ),
        ]
    if backend == "tensorflow":
        return [
            ("graph (fit's CPU default)", {}, tensorflow_loop),
            (
                "graph, steps_per_execution=10",
                {"steps_per_execution": 10},
                tensorflow_loop,
            ),
            (
                "XLA",
                {"jit_compile": True},
                functools.partial(tensorflow_loop, jit_compile=True),
            ),
        ]
    return [("eager", {}, torch_loop)]


def measure(epochs):
    import keras
    import numpy as np

    backend = keras.backend.backend()
    rows = []
    for name, options, loop in variants(backend):
        samples, fit, hand = time_pairs(epochs, loop, **options)
        rows.append(
            {
                "backend": backend,
                "variant": name,
                "fit_samples_per_s": samples / np.median(fit),
                "loop_samples_per_s": samples / np.median(hand),
                "ratio": float(np.median(hand / fit)),
                "ratio_quartiles": [
                    float(q) for q in np.percentile(hand / fit, [25, 75])
                ],
                "epochs": epochs,
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backend", choices=BACKENDS)
    args = parser.parse_args()
    epochs = 4 if args.quick else 20
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend  # keras is imported later
        print(json.dumps(measure(epochs)))
        return
    rows = []
    for backend in BACKENDS:
        command = [sys.executable, __file__, "--backend", backend] + (
            ["--quick"] if args.quick else []
        )
        output = subprocess.run(
            command,
            env={**os.environ, "KERAS_BACKEND": backend},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows.extend(json.loads(output.strip().splitlines()[-1]))
    print(
        f"{'backend':11} {'variant':28} {'fit samples/s':>14} {'hand loop samples/s':>20} "
        f"{'ratio':>6} {'quartiles':>11}"
    )
    for row in rows:
        low, high = row["ratio_quartiles"]
        print(
            f"{row['backend']:11} {row['variant']:28} {row['fit_samples_per_s']:>14.0f} "
            f"{row['loop_samples_per_s']:>20.0f} {row['ratio']:>6.2f} {low:>5.2f}–{high:.2f}"
        )
    os.makedirs(
        os.path.join(os.path.dirname(__file__), "results"), exist_ok=True
    )
    path = os.path.join(os.path.dirname(__file__), "results", "gan_speed.json")
    with open(path, "w") as file:
        json.dump(rows, file, indent=1)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
