"""Speed: StyleGAN `fit` against a hand-written JAX loop of the same step.

The same networks (a StyleGAN2 generator and residual discriminator for
16x16 MNIST digits, filters 32-32-16, mapping network of 4 layers, batch 32)
and the same updates are trained by `kgen.models.StyleGAN.fit` and by a
`jax.jit`-compiled loop written with `stateless_call`: one non-saturating
discriminator update with lazy R1 (every 16 steps, scaled by 16; the hand
loop compiles a step with and one without it), one generator update with
style mixing (probability 0.9) and per-layer noise, then the tracked
average style and the generator's weight average (decay 0.999 with
warm-up). Both use `bench/gan_speed.py`'s optimizer, Adam(2e-4, 0.5).

Fit and hand-written epochs alternate inside one `fit` call, with the
harness of `bench/gan_speed.py` (`time_pairs`): the ratio of neighbouring
epochs cancels most of a shared machine's drift; the median over pairs
(first pair, which compiles, dropped) is reported.

    KERAS_BACKEND=jax python bench/stylegan_speed.py [--quick]
"""

import argparse
import functools
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import gan_speed  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

import kgen  # noqa: E402

BATCH = 32
LATENT = 32
FILTERS = [32, 32, 16]
R1, INTERVAL, MIXING, W_DECAY, EMA = 0.05, 16, 0.9, 0.995, 0.999
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_model():
    keras.utils.set_random_seed(0)
    return kgen.models.StyleGAN(
        kgen.models.build_style_generator(
            LATENT, (16, 16, 1), filters=FILTERS, mapping_layers=4
        ),
        kgen.models.build_style_discriminator((16, 16, 1), filters=FILTERS),
        style_mixing=MIXING,
        style_average_decay=W_DECAY,
        r1_penalty=R1,
        penalty_interval=INTERVAL,
        ema_decay=EMA,
        seed=0,
    )


def mnist_16(data_dir, num_images):
    """MNIST digits padded to 32x32, halved to 16x16, in [-1, 1]."""
    (x, _), _ = kgen.datasets.load_mnist(
        os.path.join(data_dir, "mnist.npz"), flatten=False
    )
    x = np.pad(x[:num_images], [(0, 0), (2, 2), (2, 2), (0, 0)])
    x = x.reshape(-1, 16, 2, 16, 2, 1).mean(axis=(2, 4))
    return (x * 2 - 1).astype("float32")


def jax_loop(x):
    import jax
    import jax.numpy as jnp

    gan = build_model()
    mapping, synthesis = gan.generator.mapping, gan.generator.synthesis
    discriminator = gan.discriminator
    styles_count = synthesis.num_styles
    g_variables = mapping.trainable_variables + synthesis.trainable_variables
    split = len(mapping.trainable_variables)
    d_opt, g_opt = gan_speed.optimizer(), gan_speed.optimizer()
    d_opt.build(discriminator.trainable_variables)
    g_opt.build(g_variables)

    def styles(g_vars, latents):
        flat = latents.reshape(-1, LATENT)
        w = mapping.stateless_call(g_vars[:split], [], flat)[0]
        return w.reshape(latents.shape[0], styles_count, -1)

    def synthesize(g_vars, noise_state, w):
        return synthesis.stateless_call(
            g_vars[split:], noise_state, w, noise=True
        )

    def logits(d_vars, images):
        return discriminator.stateless_call(d_vars, [], images)[0]

    def mixed_latents(key):
        k1, k2, k3, k4 = jax.random.split(key, 4)
        z, other = jax.random.normal(k1, (2, BATCH, LATENT))
        crossover = jax.random.randint(k2, (BATCH, 1, 1), 1, styles_count)
        mixed = jax.random.uniform(k3, (BATCH, 1, 1)) < MIXING
        crossover = jnp.where(mixed, crossover, styles_count)
        layers = jnp.arange(styles_count)[None, :, None]
        return jnp.where(layers < crossover, z[:, None], other[:, None])

    def d_loss(d_vars, real, fake, with_r1):
        loss = jnp.mean(jax.nn.softplus(-logits(d_vars, real))) + jnp.mean(
            jax.nn.softplus(logits(d_vars, fake))
        )
        if with_r1:
            grads = jax.grad(lambda r: jnp.sum(logits(d_vars, r)))(real)
            penalty = jnp.mean(jnp.sum(jnp.square(grads), axis=(1, 2, 3)))
            loss = loss + R1 * INTERVAL * penalty
        return loss

    def g_loss(g_vars, d_vars, noise_state, latents):
        w = styles(g_vars, latents)
        fake, noise_state = synthesize(g_vars, noise_state, w)
        loss = jnp.mean(jax.nn.softplus(-logits(d_vars, fake)))
        return loss, (noise_state, jnp.mean(w, axis=(0, 1)))

    @functools.partial(jax.jit, static_argnums=3)
    def step(state, real, key, with_r1):
        d_vars, g_vars, noise, d_slots, g_slots, w_avg, ema, t = state
        key_d, key_g = jax.random.split(key)
        w = styles(g_vars, mixed_latents(key_d))
        fake, noise = synthesize(g_vars, noise, w)
        grads = jax.grad(d_loss)(
            d_vars, real, jax.lax.stop_gradient(fake), with_r1
        )
        d_vars, d_slots = d_opt.stateless_apply(d_slots, grads, d_vars)
        (_, (noise, w_mean)), grads = jax.value_and_grad(g_loss, has_aux=True)(
            g_vars, d_vars, noise, mixed_latents(key_g)
        )
        g_vars, g_slots = g_opt.stateless_apply(g_slots, grads, g_vars)
        w_avg = w_mean + W_DECAY * (w_avg - w_mean)
        t = t + 1
        decay = jnp.minimum(EMA, (1.0 + t) / (10.0 + t))
        ema = [decay * a + (1 - decay) * v for a, v in zip(ema, g_vars)]
        return d_vars, g_vars, noise, d_slots, g_slots, w_avg, ema, t

    values = lambda variables: [v.value for v in variables]  # noqa: E731
    holder = {
        "state": (
            values(discriminator.trainable_variables),
            values(g_variables),
            values(synthesis.non_trainable_variables),
            values(d_opt.variables),
            values(g_opt.variables),
            jnp.zeros(mapping.outputs[0].shape[-1]),
            values(g_variables),
            jnp.zeros((), "float32"),
        ),
        "key": jax.random.PRNGKey(0),
        "step": 0,
    }

    def run_epoch(order):
        batches = x[order].reshape(-1, BATCH, *x.shape[1:])
        keys = jax.random.split(holder["key"], len(batches) + 1)
        holder["key"] = keys[0]
        state = holder["state"]
        for batch, key in zip(batches, np.asarray(keys[1:])):
            with_r1 = holder["step"] % INTERVAL == 0
            state = step(state, batch, key, with_r1)
            holder["step"] += 1
        holder["state"] = jax.block_until_ready(state)

    return run_epoch


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--data-dir", default=os.path.join(ROOT, "..", "shared", "data")
    )
    args = parser.parse_args()
    epochs, images = (2, 320) if args.quick else (8, 640)
    x = mnist_16(args.data_dir, images)
    rows = []
    for variant, options in (
        ("jit", {}),
        ("jit, steps_per_execution=10", {"steps_per_execution": 10}),
    ):
        samples, fit, hand = gan_speed.time_pairs(
            epochs,
            jax_loop,
            build_model=build_model,
            x=x,
            batch_size=BATCH,
            **options,
        )
        ratios = hand / fit
        rows.append(
            {
                "backend": keras.backend.backend(),
                "variant": variant,
                "fit_samples_per_s": samples / float(np.median(fit)),
                "loop_samples_per_s": samples / float(np.median(hand)),
                "ratio": float(np.median(ratios)),
                "ratio_quartiles": [
                    float(q) for q in np.percentile(ratios, [25, 75])
                ],
                "pairs": len(ratios),
            }
        )
    print("StyleGAN 16x16, filters 32-32-16, batch 32, JAX")
    print(
        f"{'variant':30} {'fit img/s':>9} {'loop img/s':>10} {'ratio':>6}"
        f" {'quartiles':>11}"
    )
    for row in rows:
        low, high = row["ratio_quartiles"]
        print(
            f"{row['variant']:30} {row['fit_samples_per_s']:>9.1f} "
            f"{row['loop_samples_per_s']:>10.1f} {row['ratio']:>6.2f} "
            f"{low:>5.2f}-{high:.2f}"
        )
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    path = os.path.join(ROOT, "bench", "results", "stylegan_speed.json")
    with open(path, "w") as file:
        json.dump(rows, file, indent=1)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
