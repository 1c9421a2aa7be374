"""Speed: Pix2Pix `fit` against a hand-written loop of the same step.

The same networks (a U-Net generator for 32x32 images, 1 -> 3 channels, and
a PatchGAN discriminator, 8 base filters, instance normalisation, no
dropout) and the same step (the generator's update on the non-saturating
loss plus 100 x L1, then the discriminator's update on the generator's
fakes from before its update, Adam for each) are trained by
`kgen.models.Pix2Pix.fit` and by a hand-written loop idiomatic for the
backend: a `jax.jit`-compiled step with `stateless_call`, a `tf.function`
with two `GradientTape`s, or a plain PyTorch loop with `torch.autograd`.

As in `bench/gan_speed.py`, the two alternate epoch by epoch inside one
`fit` call (a callback runs one hand-written epoch after each `fit` epoch),
so each pair shares the machine's state of the moment; the table gives the
median ratio over pairs (the first pair, which compiles, is dropped).

    python bench/pix2pix_speed.py [--quick] [--backend jax|tensorflow|torch]
"""

import argparse
import json
import os
import subprocess
import sys
import time

BACKENDS = ("tensorflow", "jax", "torch")
BATCH = 16
SIZE = 32
L1 = 100.0


def networks():
    import kgen

    generator = kgen.models.build_unet_generator(
        (SIZE, SIZE, 1), 3, base_filters=8, dropout=0.0
    )
    discriminator = kgen.models.build_patchgan_discriminator(
        (SIZE, SIZE, 4), base_filters=8
    )
    return generator, discriminator


def data(num_samples):
    import numpy as np

    rng = np.random.default_rng(0)
    source = rng.uniform(-1, 1, (num_samples, SIZE, SIZE, 1)).astype("float32")
    target = np.tanh(
        np.concatenate([source, -source, source**2], axis=-1)
    ).astype("float32")
    return source, target


def optimizer():
    import keras

    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def time_pairs(epochs, num_samples, loop, model=None, arrays=None):
    """Median-paired epoch times of `model.fit` and of `loop`'s epochs.

    `model` (compiled) and `arrays` (`(x, y)` of `num_samples` pairs)
    default to this benchmark's Pix2Pix and data; other paired models
    (e.g. `bench/super_resolution.py`'s SRGAN) pass their own.
    """
    import keras
    import numpy as np

    import kgen

    source, target = data(num_samples) if arrays is None else arrays
    run_hand_epoch = loop(source, target)
    if model is None:
        model = kgen.models.Pix2Pix(*networks(), seed=0)
        model.compile(
            optimizer={"generator": optimizer(), "discriminator": optimizer()}
        )
    fit_times, hand_times, started = [], [], []

    def hand_epoch(epoch, logs):
        fit_times.append(time.perf_counter() - started[-1])
        order = np.random.default_rng(epoch).permutation(num_samples)
        start = time.perf_counter()
        run_hand_epoch(order)
        hand_times.append(time.perf_counter() - start)

    pairs = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: started.append(time.perf_counter()),
        on_epoch_end=hand_epoch,
    )
    model.fit(
        source,
        target,
        batch_size=BATCH,
        epochs=epochs + 1,
        verbose=0,
        callbacks=[pairs],
    )
    return np.array(fit_times[1:]), np.array(hand_times[1:])


def jax_loop(source, target):
    import jax
    import jax.numpy as jnp

    generator, discriminator = networks()
    g_opt, d_opt = optimizer(), optimizer()
    g_opt.build(generator.trainable_variables)
    d_opt.build(discriminator.trainable_variables)

    def scores(d_vars, images):
        return discriminator.stateless_call(d_vars, [], images, training=True)[
            0
        ]

    def g_loss(g_vars, d_vars, src, tgt):
        fake = generator.stateless_call(g_vars, [], src, training=True)[0]
        logits = scores(d_vars, jnp.concatenate([src, fake], -1))
        loss = jnp.mean(jax.nn.softplus(-logits)) + L1 * jnp.mean(
            jnp.abs(fake - tgt)
        )
        return loss, fake

    def d_loss(d_vars, src, tgt, fake):
        real = scores(d_vars, jnp.concatenate([src, tgt], -1))
        fake = scores(d_vars, jnp.concatenate([src, fake], -1))
        return 0.5 * (
            jnp.mean(jax.nn.softplus(-real)) + jnp.mean(jax.nn.softplus(fake))
        )

    @jax.jit
    def step(state, src, tgt):
        g_vars, d_vars, g_slots, d_slots = state
        grads, fake = jax.grad(g_loss, has_aux=True)(g_vars, d_vars, src, tgt)
        g_vars, g_slots = g_opt.stateless_apply(g_slots, grads, g_vars)
        grads = jax.grad(d_loss)(d_vars, src, tgt, fake)
        d_vars, d_slots = d_opt.stateless_apply(d_slots, grads, d_vars)
        return g_vars, d_vars, g_slots, d_slots

    holder = {
        "state": [
            [v.value for v in generator.trainable_variables],
            [v.value for v in discriminator.trainable_variables],
            [v.value for v in g_opt.variables],
            [v.value for v in d_opt.variables],
        ]
    }

    def run_epoch(order):
        state = holder["state"]
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            state = step(state, source[batch], target[batch])
        holder["state"] = jax.block_until_ready(state)

    return run_epoch


def tensorflow_loop(source, target):
    import tensorflow as tf

    generator, discriminator = networks()
    g_opt, d_opt = optimizer(), optimizer()

    @tf.function
    def step(src, tgt):
        with tf.GradientTape() as tape:
            fake = generator(src, training=True)
            logits = discriminator(tf.concat([src, fake], -1), training=True)
            loss = tf.reduce_mean(tf.nn.softplus(-logits)) + L1 * (
                tf.reduce_mean(tf.abs(fake - tgt))
            )
        g_vars = generator.trainable_variables
        g_opt.apply(tape.gradient(loss, g_vars), g_vars)
        fake = tf.stop_gradient(fake)
        with tf.GradientTape() as tape:
            real = discriminator(tf.concat([src, tgt], -1), training=True)
            fake = discriminator(tf.concat([src, fake], -1), training=True)
            loss = 0.5 * (
                tf.reduce_mean(tf.nn.softplus(-real))
                + tf.reduce_mean(tf.nn.softplus(fake))
            )
        d_vars = discriminator.trainable_variables
        d_opt.apply(tape.gradient(loss, d_vars), d_vars)

    def run_epoch(order):
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            step(source[batch], target[batch])

    return run_epoch


def torch_loop(source, target):
    import torch
    import torch.nn.functional as F

    generator, discriminator = networks()
    g_params = [v.value for v in generator.trainable_variables]
    d_params = [v.value for v in discriminator.trainable_variables]
    g_opt = torch.optim.Adam(g_params, lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    d_opt = torch.optim.Adam(d_params, lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    source, target = torch.as_tensor(source), torch.as_tensor(target)

    def run_epoch(order):
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            src, tgt = source[batch], target[batch]
            fake = generator(src, training=True)
            logits = discriminator(torch.cat([src, fake], -1), training=True)
            loss = F.softplus(-logits).mean() + L1 * (fake - tgt).abs().mean()
            g_opt.zero_grad()
            loss.backward()
            g_opt.step()
            fake = fake.detach()
            real = discriminator(torch.cat([src, tgt], -1), training=True)
            fake = discriminator(torch.cat([src, fake], -1), training=True)
            loss = 0.5 * (F.softplus(-real).mean() + F.softplus(fake).mean())
            d_opt.zero_grad()
            loss.backward()
            d_opt.step()

    return run_epoch


def measure(epochs, num_samples):
    import keras
    import numpy as np

    backend = keras.backend.backend()
    loop = {
        "jax": jax_loop,
        "tensorflow": tensorflow_loop,
        "torch": torch_loop,
    }[backend]
    fit, hand = time_pairs(epochs, num_samples, loop)
    return {
        "backend": backend,
        "fit_samples_per_s": num_samples / float(np.median(fit)),
        "loop_samples_per_s": num_samples / float(np.median(hand)),
        "ratio": float(np.median(hand / fit)),
        "ratio_quartiles": [
            float(q) for q in np.percentile(hand / fit, [25, 75])
        ],
        "epochs": epochs,
        "samples_per_epoch": num_samples,
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backend", choices=BACKENDS)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--samples", type=int, default=256)
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.samples = 2, 64
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend  # keras is imported later
        print(json.dumps(measure(args.epochs, args.samples)))
        return
    rows = []
    for backend in BACKENDS:
        command = [
            sys.executable,
            __file__,
            "--backend",
            backend,
            "--epochs",
            str(args.epochs),
            "--samples",
            str(args.samples),
        ]
        output = subprocess.run(
            command,
            env={**os.environ, "KERAS_BACKEND": backend},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows.append(json.loads(output.strip().splitlines()[-1]))
    print(
        f"{'backend':11} {'fit samples/s':>14} {'hand loop samples/s':>20} "
        f"{'ratio':>6} {'quartiles':>11}"
    )
    for row in rows:
        low, high = row["ratio_quartiles"]
        print(
            f"{row['backend']:11} {row['fit_samples_per_s']:>14.1f} "
            f"{row['loop_samples_per_s']:>20.1f} {row['ratio']:>6.2f} "
            f"{low:>5.2f}-{high:.2f}"
        )
    folder = os.path.join(os.path.dirname(__file__), "results")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "pix2pix_speed.json")
    with open(path, "w") as file:
        json.dump(rows, file, indent=1)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
