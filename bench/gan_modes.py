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
The 25-mode grid needs longer runs than the ring (32,000 generator steps
instead of 8,000; 20,000 for WGAN-GP) and, for WGAN-GP, a weaker gradient
penalty (0.1).

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

# Settings shared by every recipe; a recipe overrides what it needs, per mixture
# if need be ("grid25": {...}). "gan" holds GAN keyword arguments; "decay"
# is a cosine learning-rate decay to 0 over the run.
DEFAULTS = dict(
    gan={},
    generator_units=(128, 128, 128),
    discriminator_units=(128, 128, 128),
    latent_dim=16,
    learning_rate=1e-3,
    beta_1=0.5,
    beta_2=0.9,
    decay=False,
    generator_learning_rate=None,  # None: learning_rate (TTUR: lower)
    minibatch_discrimination=None,  # (num_kernels, kernel_dim) or None
    batch_size=256,
    steps=8000,
)
RECIPES = {
    "non_saturating+tricks": dict(
        gan=dict(loss="non_saturating", r1_penalty=0.5, ema_decay=0.999),
        decay=True,
        grid25=dict(steps=32000),
    ),
    "wgan_gp": dict(
        gan=dict(
            loss="wasserstein",
            gradient_penalty=1.0,
            discriminator_steps=5,
            ema_decay=0.999,
        ),
        decay=True,
        # On the grid: penalty 0.1, the WGAN-GP authors' value for toy data, and longer runs.
        grid25=dict(
            gan=dict(
                loss="wasserstein",
                gradient_penalty=0.1,
                discriminator_steps=5,
                ema_decay=0.999,
            ),
            steps=20000,
        ),
    ),
    # Same number of generator steps as the non-saturating recipe on each mixture.
    "minimax (no tricks)": dict(
        gan=dict(loss="minimax"), grid25=dict(steps=32000)
    ),
    # Anti-collapse tools, each alone on top of "minimax (no tricks)".
    "feature matching": dict(
        gan=dict(
            loss="minimax",
            loss_weights={"adversarial": 0.0, "feature_matching": 1.0},
        ),
        grid25=dict(steps=32000),
    ),
    "minibatch discrimination": dict(
        gan=dict(loss="minimax"),
        minibatch_discrimination=(16, 4),
        grid25=dict(steps=32000),
    ),
    "ttur (G at 1/4 rate)": dict(
        gan=dict(loss="minimax"),
        generator_learning_rate=2.5e-4,
        grid25=dict(steps=32000),
    ),
}


def settings(recipe, mixture):
    """The recipe's settings for this mixture, defaults filled in."""
    options = {
        key: value
        for key, value in RECIPES[recipe].items()
        if key not in MIXTURES
    }
    return {**DEFAULTS, **options, **RECIPES[recipe].get(mixture, {})}


def sample_mixture(centers, num_samples, rng):
    modes = rng.integers(len(centers), size=num_samples)
    return (centers[modes] + SIGMA * rng.normal(size=(num_samples, 2))).astype(
        "float32"
    )


def mode_statistics(samples, centers):
    distances = np.linalg.norm(samples[:, None, :] - centers[None], axis=-1)
    nearest = distances.argmin(1)
    labels = np.where(distances.min(1) <= 3 * SIGMA, nearest, -1)
    stats = kgen.metrics.class_coverage(labels, len(centers))
    share = len(samples) / len(centers)
    covered = int(np.sum(np.array(stats["counts"]) >= 0.2 * share))
    return {
        "high_quality": stats["assigned_fraction"],
        "modes_covered": covered,
        "num_modes": len(centers),
    }


def train(mixture, recipe, seed, steps=None):
    config = settings(recipe, mixture)
    options, steps = config["gan"], steps or config["steps"]
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    generator = kgen.models.build_mlp_generator(
        config["latent_dim"],
        (2,),
        config["generator_units"],
        output_activation=None,
        batch_normalization=False,
    )
    discriminator = build_discriminator(config)
    gan = kgen.models.GAN(
        generator,
        discriminator,
        latent_dim=config["latent_dim"],
        seed=seed,
        **options,
    )

    def adam(updates, rate):
        schedule = (
            keras.optimizers.schedules.CosineDecay(rate, updates)
            if config["decay"]
            else rate
        )
        return keras.optimizers.Adam(
            schedule, beta_1=config["beta_1"], beta_2=config["beta_2"]
        )

    updates = steps * options.get("discriminator_steps", 1)
    gan.compile(
        optimizer={
            "discriminator": adam(updates, config["learning_rate"]),
            "generator": adam(
                steps,
                config["generator_learning_rate"] or config["learning_rate"],
            ),
        },
        steps_per_execution=50,
    )
    data = sample_mixture(MIXTURES[mixture], steps * config["batch_size"], rng)
    gan.fit(data, batch_size=config["batch_size"], epochs=1, verbose=0)
    samples = gan.generate(5000, seed=seed)
    return mode_statistics(samples, MIXTURES[mixture]), samples


def build_discriminator(config):
    """The MLP discriminator, with minibatch discrimination if asked."""
    if config["minibatch_discrimination"] is None:
        return kgen.models.build_mlp_discriminator(
            (2,), config["discriminator_units"]
        )
    hidden = [keras.Input((2,))]
    for units in config["discriminator_units"]:
        hidden += [keras.layers.Dense(units), keras.layers.LeakyReLU(0.2)]
    return keras.Sequential(
        hidden
        + [
            kgen.layers.MinibatchDiscrimination(
                *config["minibatch_discrimination"]
            ),
            keras.layers.Dense(1),
        ]
    )


def plot(figures, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mixtures = sorted({f[0] for f in figures}, reverse=True)
    recipes = list(dict.fromkeys(f[1] for f in figures))
    fig, axes = plt.subplots(
        len(mixtures),
        len(recipes),
        figsize=(3 * len(recipes), 3 * len(mixtures)),
        squeeze=False,
    )
    for mixture, recipe, samples in figures:
        axis = axes[mixtures.index(mixture)][recipes.index(recipe)]
        centers = MIXTURES[mixture]
        axis.scatter(samples[:2000, 0], samples[:2000, 1], s=1, alpha=0.3)
        axis.scatter(centers[:, 0], centers[:, 1], s=12, c="red", marker="x")
        limit = np.abs(centers).max() + 1
        axis.set(
            xlim=(-limit, limit),
            ylim=(-limit, limit),
            xticks=[],
            yticks=[],
            aspect="equal",
        )
        axis.set_title(f"{mixture}: {recipe}", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer steps, one seed"
    )
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES))
    parser.add_argument("--mixtures", nargs="+", default=list(MIXTURES))
    parser.add_argument(
        "--results",
        default="gan_modes.json",
        help="file name of the JSON in bench/results",
    )
    parser.add_argument(
        "--figures",
        help="folder for a scatter plot of the samples (e.g. docs/images)",
    )
    args = parser.parse_args()
    steps = args.steps or (1500 if args.quick else None)
    seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    rows, figures = [], []
    print(
        f"backend={keras.backend.backend()} steps={steps or 'per recipe'} seeds={seeds}"
    )
    print(
        f"{'mixture':8} {'recipe':24} {'seed':>4} {'high-quality':>12} {'modes':>7} {'seconds':>8}"
    )
    for mixture in args.mixtures:
        for recipe in args.recipes:
            for seed in seeds:
                start = time.time()
                stats, samples = train(mixture, recipe, seed, steps)
                if args.figures and seed == seeds[0]:
                    figures.append((mixture, recipe, samples))
                row = {"mixture": mixture, "recipe": recipe, "seed": seed}
                row.update(
                    steps=steps or settings(recipe, mixture)["steps"],
                    **stats,
                    seconds=time.time() - start,
                )
                rows.append(row)
                print(
                    f"{mixture:8} {recipe:24} {seed:>4} {stats['high_quality']:>12.3f} "
                    f"{stats['modes_covered']:>3}/{stats['num_modes']:<3} {row['seconds']:>8.1f}",
                    flush=True,
                )
    if figures:
        plot(figures, os.path.join(args.figures, args.results[:-5] + ".png"))
    os.makedirs(
        os.path.join(os.path.dirname(__file__), "results"), exist_ok=True
    )
    path = os.path.join(os.path.dirname(__file__), "results", args.results)
    with open(path, "w") as file:
        json.dump(
            {"backend": keras.backend.backend(), "rows": rows}, file, indent=1
        )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
