"""VAE 784-200-200-50 on binarised MNIST: test log-likelihood by the IWAE bound.

Beside Burda, Grosse & Salakhutdinov (2016), "Importance Weighted
Autoencoders", Table 1 (one stochastic layer of 50 units, two deterministic
layers of 200, tanh, Bernoulli decoder): VAE -86.76, IWAE (k = 50) -84.78
nats, both by the IWAE bound with k = 5000 on the test set after 3,280
epochs.

Data: the test images are `kgen.datasets.load_mnist(binarize="stochastic",
seed=0)` (one fixed Bernoulli draw per pixel). The training images are
binarised the same way once (`--binarization static`, the default) or, as in
Burda et al.'s code, drawn anew from the grey levels at every epoch
(`--binarization dynamic`), which keeps the model from over-fitting one draw. Model: `kgen.models.VAE.dense((784,), 50,
hidden_units=(200, 200), activation="tanh")`, Adam (1e-3, decayed by a
cosine to 1e-4), batch 100; `--importance-samples k` trains the same model
as an IWAE with `k` samples (`VAE(importance_samples=k)`). Evaluation: `VAE.log_likelihood` (the IWAE bound)
with k = 5000 on the first `--iwae-images` test images (all 10,000 by
default; fewer when time is short), and the ELBO (k = 1) on all of them; with
a subset, ELBO(all) + the mean IWAE - ELBO gap on the subset estimates the
bound on the whole test set (the gap varies little across images).

Usage: `python bench/mnist_vae.py --epochs 50 [--importance-samples 5]
[--iwae-images 2000] [--quick]` (JAX unless KERAS_BACKEND is set). Writes
`bench/results/mnist_vae[_dynamic].json`, or `mnist_iwae_k<k>[_dynamic].json`.
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from dynamic_binarization import DynamicBinarization  # noqa: E402

import kgen  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
PUBLISHED = {"VAE": -86.76, "IWAE (k=50)": -84.78}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", default=os.path.join(ROOT, "..", "shared", "data")
    )
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument(
        "--importance-samples",
        type=int,
        default=1,
        help="k of the training objective (1: ELBO, > 1: IWAE)",
    )
    parser.add_argument(
        "--binarization",
        choices=("static", "dynamic"),
        default="static",
        help="training images: one fixed draw, or a new draw every epoch",
    )
    parser.add_argument("--iwae-samples", type=int, default=5000)
    parser.add_argument("--iwae-images", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--pictures",
        default=None,
        help="folder for vae_mnist_samples.png and vae_mnist_reconstructions.png",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 2 epochs, k = 100 on 500 test images",
    )
    return parser.parse_args()


def save_pictures(vae, x_test, args):
    """100 samples from the prior, and 32 test digits beside reconstructions."""
    os.makedirs(args.pictures, exist_ok=True)
    title = f"VAE 784-200-200-50, {args.epochs} epochs"
    kgen.utils.save_image_grid(
        vae.generate(100, seed=args.seed),
        os.path.join(args.pictures, "vae_mnist_samples.png"),
        title=f"{title}: samples (decoder means)",
        num_columns=10,
        image_shape=(28, 28),
    )
    kgen.utils.save_reconstructions(
        x_test[:32],
        vae.reconstruct(x_test[:32]),
        os.path.join(args.pictures, "vae_mnist_reconstructions.png"),
        image_shape=(28, 28),
        title=f"{title}: test digits and reconstructions",
    )


def main():
    args = parse_args()
    if args.quick:
        args.epochs, args.iwae_samples, args.iwae_images = 2, 100, 500
    (x, _), (x_test, _) = kgen.datasets.load_mnist(
        args.data_dir, binarize="stochastic", seed=0
    )
    data = x
    if args.binarization == "dynamic":
        (grey, _), _ = kgen.datasets.load_mnist(args.data_dir)
        data = DynamicBinarization(grey, args.batch_size, seed=args.seed)
    keras.utils.set_random_seed(args.seed)
    vae = kgen.models.VAE.dense(
        (784,),
        50,
        hidden_units=(200, 200),
        activation="tanh",
        importance_samples=args.importance_samples,
        seed=args.seed,
    )
    steps = args.epochs * -(-len(x) // args.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        args.learning_rate, steps, alpha=0.1
    )
    vae.compile(optimizer=keras.optimizers.Adam(schedule))
    start = time.perf_counter()
    history = vae.fit(
        data,
        batch_size=None if data is not x else args.batch_size,
        epochs=args.epochs,
        verbose=2,
    )
    train_seconds = time.perf_counter() - start
    elbo = vae.log_likelihood(x_test, num_samples=1, seed=args.seed)
    start = time.perf_counter()
    bound = vae.log_likelihood(
        x_test[: args.iwae_images],
        num_samples=args.iwae_samples,
        batch_size=max(1, 20000 // args.iwae_samples),
        seed=args.seed,
    )
    iwae_seconds = time.perf_counter() - start
    name = (
        "VAE"
        if args.importance_samples == 1
        else f"IWAE (k={args.importance_samples})"
    )
    if args.pictures:
        save_pictures(vae, x_test, args)
    row = {
        "model": f"kgen {name} 784-200-200-50 (tanh)",
        "importance_samples": args.importance_samples,
        "backend": keras.backend.backend(),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "binarization": args.binarization,
        "learning_rate": args.learning_rate,
        "seed": args.seed,
        "test_elbo": float(np.mean(elbo)),
        "test_iwae_bound": float(np.mean(bound)),
        "iwae_bound_standard_error_over_images": float(
            np.std(bound) / np.sqrt(len(bound))
        ),
        "elbo_on_the_same_images": float(np.mean(elbo[: len(bound)])),
        # The IWAE - ELBO gap varies far less across images than either
        # bound, so ELBO(all images) + mean gap(subset) estimates the bound
        # on the whole test set with a small paired standard error.
        "estimated_full_test_iwae_bound": float(
            np.mean(elbo) + np.mean(bound - elbo[: len(bound)])
        ),
        "gap_standard_error": float(
            np.std(bound - elbo[: len(bound)]) / np.sqrt(len(bound))
        ),
        "iwae_samples": args.iwae_samples,
        "iwae_images": len(bound),
        "final_train_negative_elbo": float(
            history.history["negative_elbo"][-1]
        ),
        "train_negative_elbo_curve": [
            float(v) for v in history.history["negative_elbo"]
        ],
        "train_seconds": round(train_seconds, 1),
        "iwae_seconds": round(iwae_seconds, 1),
        "published": PUBLISHED,
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    os.makedirs(RESULTS, exist_ok=True)
    file_name = "mnist_" + (
        "vae"
        if args.importance_samples == 1
        else f"iwae_k{args.importance_samples}"
    )
    if args.binarization == "dynamic":
        file_name += "_dynamic"
    with open(os.path.join(RESULTS, file_name + ".json"), "w") as f:
        json.dump(row, f, indent=2)
    print(f"{'model':<34} {'test log-likelihood bound (nats)':>32}")
    print(f"{'kgen ' + name + ', ELBO (k=1)':<34} {row['test_elbo']:>32.2f}")
    print(
        f"{'kgen ' + name + ', IWAE k=' + str(args.iwae_samples):<34} "
        f"{row['test_iwae_bound']:>26.2f} ± {row['iwae_bound_standard_error_over_images']:.2f}"
        f"  ({len(bound)} images; ELBO on them {row['elbo_on_the_same_images']:.2f})"
    )
    print(
        f"{'kgen ' + name + ', ELBO(all) + gap':<34} "
        f"{row['estimated_full_test_iwae_bound']:>26.2f} ± {row['gap_standard_error']:.2f}"
    )
    for name, value in PUBLISHED.items():
        print(f"{'Burda et al. 2016, ' + name:<34} {value:>32.2f}")
    print(f"train {train_seconds:.0f} s, IWAE {iwae_seconds:.0f} s")


if __name__ == "__main__":
    main()
