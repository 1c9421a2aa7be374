"""Mode-collapse benchmark: 2-D ring of 8 and grid of 25 Gaussians.

Trains each GAN recipe on each mixture for several seeds with `fit`, then
draws samples and assigns each to its nearest mode if it lies within 3
standard deviations of it. Reports the fraction of such high-quality samples
and the number of modes covered (a mode counts when it receives at least a
fifth of its fair share of samples). Target: every mode covered and >= 80 %
high-quality samples for the non-saturating GAN with stabilisers and for
WGAN-GP; vanilla minimax without tricks (constant learning rate, no
penalty, no averaging) is reported beside them. The "tricks" are the R1
penalty, generator weight averaging (EMA) and a cosine learning-rate decay.

    python bench/gan_modes.py [--quick]
"""

import argparse
import json
import os
import time

import keras
import numpy as np

import kgen

SIGMA = 0.02


def ring(num_modes=8, radius=2.0):
    angles = 2 * np.pi * np.arange(num_modes) / num_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid(side=5, spacing=2.0):
    values = spacing * (np.arange(side) - (side - 1) / 2)
    return np.array([(a, b) for a in values for b in values])


MIXTURES = {"ring8": ring(), "grid25": grid()}

# name -> GAN keyword arguments, initial learning rate, cosine decay to 0
RECIPES = {
    "non_saturating+tricks": (dict(loss="non_saturating", r1_penalty=0.5, ema_decay=0.999), 1e-3, True),
    "wgan_gp": (dict(loss="wasserstein", gradient_penalty=1.0, discriminator_steps=5, ema_decay=0.999), 1e-3, True),
    "minimax (no tricks)": (dict(loss="minimax"), 1e-3, False),
}


def sample_mixture(centers, num_samples, rng):
    modes = rng.integers(len(centers), size=num_samples)
    return (centers[modes] + SIGMA * rng.normal(size=(num_samples, 2))).astype("float32")


def mode_statistics(samples, centers):
    distances = np.linalg.norm(samples[:, None, :] - centers[None], axis=-1)
    nearest = distances.argmin(1)
    labels = np.where(distances.min(1) <= 3 * SIGMA, nearest, -1)
    stats = kgen.metrics.class_coverage(labels, len(centers))
    share = len(samples) / len(centers)
    covered = int(np.sum(np.array(stats["counts"]) >= 0.2 * share))
    return {"high_quality": stats["assigned_fraction"], "modes_covered": covered, "num_modes": len(centers)}


def train(centers, recipe, seed, steps, batch_size=256):
    options, learning_rate, decay = RECIPES[recipe]
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    generator = kgen.models.build_mlp_generator(
        16, (2,), (128, 128, 128), output_activation=None, batch_normalization=False
    )
    discriminator = kgen.models.build_mlp_discriminator((2,), (128, 128, 128))
    gan = kgen.models.GAN(generator, discriminator, latent_dim=16, seed=seed, **options)
    def adam(updates):
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, updates) if decay else learning_rate
        return keras.optimizers.Adam(schedule, beta_1=0.5, beta_2=0.9)

    updates = steps * options.get("discriminator_steps", 1)
    gan.compile(optimizer={"discriminator": adam(updates), "generator": adam(steps)}, steps_per_execution=50)
    data = sample_mixture(centers, steps * batch_size, rng)
    gan.fit(data, batch_size=batch_size, epochs=1, verbose=0)
    samples = gan.generate(5000, seed=seed)
    return mode_statistics(samples, centers), samples


def plot(figures, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mixtures = sorted({f[0] for f in figures}, reverse=True)
    recipes = list(dict.fromkeys(f[1] for f in figures))
    fig, axes = plt.subplots(len(mixtures), len(recipes), figsize=(3 * len(recipes), 3 * len(mixtures)), squeeze=False)
    for mixture, recipe, samples in figures:
        axis = axes[mixtures.index(mixture)][recipes.index(recipe)]
        centers = MIXTURES[mixture]
        axis.scatter(samples[:2000, 0], samples[:2000, 1], s=1, alpha=0.3)
        axis.scatter(centers[:, 0], centers[:, 1], s=12, c="red", marker="x")
        limit = np.abs(centers).max() + 1
        axis.set(xlim=(-limit, limit), ylim=(-limit, limit), xticks=[], yticks=[], aspect="equal")
        axis.set_title(f"{mixture}: {recipe}", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer steps, one seed")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES))
    parser.add_argument("--mixtures", nargs="+", default=list(MIXTURES))
    parser.add_argument("--figures", help="folder for a scatter plot of the samples (e.g. docs/images)")
    args = parser.parse_args()
    steps = args.steps or (1500 if args.quick else 8000)
    seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    rows, figures = [], []
    print(f"backend={keras.backend.backend()} steps={steps} seeds={seeds}")
    print(f"{'mixture':8} {'recipe':24} {'seed':>4} {'high-quality':>12} {'modes':>7} {'seconds':>8}")
    for mixture in args.mixtures:
        for recipe in args.recipes:
            for seed in seeds:
                start = time.time()
                stats, samples = train(MIXTURES[mixture], recipe, seed, steps)
                if args.figures and seed == seeds[0]:
                    figures.append((mixture, recipe, samples))
                row = {"mixture": mixture, "recipe": recipe, "seed": seed, **stats, "seconds": time.time() - start}
                rows.append(row)
                print(
                    f"{mixture:8} {recipe:24} {seed:>4} {stats['high_quality']:>12.3f} "
                    f"{stats['modes_covered']:>3}/{stats['num_modes']:<3} {row['seconds']:>8.1f}",
                    flush=True,
                )
    if figures:
        plot(figures, os.path.join(args.figures, "gan_modes.png"))
    os.makedirs(os.path.join(os.path.dirname(__file__), "results"), exist_ok=True)
    path = os.path.join(os.path.dirname(__file__), "results", "gan_modes.json")
    with open(path, "w") as file:
        json.dump({"backend": keras.backend.backend(), "steps": steps, "rows": rows}, file, indent=1)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
