"""Annealing, imputation and Gaussian codes of the Boltzmann family on digits.

Binarised (or [0, 1]) 8x8 digits, `kgen.datasets.load_digits`
(`test_size=0.25, random_state=0`), JAX unless `KERAS_BACKEND` says
otherwise. In one run:

1. **Simulated annealing**: an RBM 64-64 trained by PCD; 500 chains of 300
   Gibbs steps from random states at T = 1, annealed geometrically 10 -> 1,
   and annealed 10 -> 0.05 (simulated annealing as an optimiser). Table of
   the free energy of the final states (lower is more probable).
2. **Imputation** on the test digits with random (50 % missing) and block
   (bottom half missing) masks: the RBM 64-100 (`RBM.impute`), a DBN
   64-100-100 and a DBM 64-100-100 (`impute`, clamped Gibbs, averaged
   probabilities), against per-pixel mean imputation; mean squared error on
   the missing pixels.
3. **Continuous codes**: `BernoulliGaussianRBM` with 2 and 8 Gaussian
   hidden units on [0, 1] digits, code `E[h | v]`, against PCA with as many
   components: reconstruction error of the decoded code and the test
   accuracy of a logistic regression on the codes.

Usage: `python bench/boltzmann_digits_extras.py [--quick] [--images DIR]`.
Writes `bench/results/boltzmann_digits_extras.json` and, with `--images`,
the guide pictures.
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import ops  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from kgen.datasets import load_digits  # noqa: E402
from kgen.layers import BernoulliGaussianRBM  # noqa: E402
from kgen.layers import BernoulliRBM  # noqa: E402
from kgen.models.boltzmann import DBM  # noqa: E402
from kgen.models.boltzmann import DBN  # noqa: E402
from kgen.models.boltzmann import RBM  # noqa: E402
from kgen.models.boltzmann import geometric_temperatures  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def sgd(rate=0.05):
    return keras.optimizers.SGD(rate, momentum=0.9)


def train_rbm(x, num_hidden, epochs, layer=None, rate=0.05):
    model = RBM(
        layer or BernoulliRBM(num_hidden, seed=0),
        persistent_chains=64,
        monitor_samples=0,
        seed=0,
    )
    model.compile(optimizer=sgd(rate))
    model.fit(x, epochs=epochs, batch_size=32, verbose=0)
    return model


def annealing(x, epochs, steps):
    model = train_rbm(x, 64, epochs)
    free_energy = model.layer.free_energy
    runs = {
        "T = 1": {"burn_in": steps},
        "annealed 10 -> 1": {
            "burn_in": 0,
            "temperatures": geometric_temperatures(10.0, steps),
        },
        "annealed 10 -> 0.05": {
            "burn_in": 0,
            "temperatures": geometric_temperatures(10.0, steps, stop=0.05),
        },
    }
    rows = {}
    for name, options in runs.items():
        samples = model.generate(500, seed=1, **options)
        energies = ops.convert_to_numpy(free_energy(samples))
        rows[name] = {
            "mean_free_energy": float(energies.mean()),
            "min_free_energy": float(energies.min()),
            "samples": samples[:8],
        }
    data = ops.convert_to_numpy(free_energy(x)).mean()
    rows["training data"] = {"mean_free_energy": float(data)}
    return rows


def masks(shape, rng):
    random = (rng.random(shape) > 0.5).astype("float32")
    block = np.ones(shape, "float32")
    block[:, 32:] = 0.0
    return {"random 50 %": random, "bottom half": block}


def imputation(x, x_test, epochs, steps, rng):
    rbm = train_rbm(x, 100, epochs)
    dbn = DBN(64, [100, 100], seed=0)
    dbn.compile(optimizer=sgd())
    dbn.fit(x, epochs=epochs, batch_size=32, verbose=0)
    dbm = DBM(64, [100, 100], persistent_chains=64, seed=0)
    dbm.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9))
    dbm.pretrain(x, optimizer=sgd(), epochs=epochs, batch_size=32, verbose=0)
    dbm.fit(x, epochs=epochs, batch_size=32, verbose=0)
    models = {
        "RBM 64-100": lambda v, m: rbm.impute(v, m, steps=steps, seed=0),
        "DBN 64-100-100": lambda v, m: dbn.impute(v, m, steps=steps, seed=0),
        "DBM 64-100-100": lambda v, m: dbm.impute(v, m, steps=steps, seed=0),
        "DBM mean field": lambda v, m: dbm.impute(
            v, m, steps=50, method="mean_field"
        ),
        "pixel means": lambda v, m: np.where(m > 0, v, x.mean(axis=0)),
    }
    rows, completions = {}, {}
    for mask_name, mask in masks(x_test.shape, rng).items():
        for name, impute in models.items():
            filled = impute(x_test, mask)
            error = np.mean(((filled - x_test) ** 2)[mask == 0])
            rows[f"{name}, {mask_name}"] = float(error)
            if mask_name == "bottom half":
                completions[name] = filled[:10]
        completions["masked"] = np.where(mask > 0, x_test, 0.5)[:10]
    return rows, completions


def codes(x_unit, x_test_unit, y, y_test, epochs):
    rows = {}
    scatter = {}
    for size in (2, 8):
        model = train_rbm(
            x_unit, size, epochs, BernoulliGaussianRBM(size, seed=0), 0.005
        )
        layer = model.layer
        code, code_test = (
            ops.convert_to_numpy(layer(v)) for v in (x_unit, x_test_unit)
        )
        decoded = ops.convert_to_numpy(layer.visible_probabilities(code_test))
        pca = PCA(size, random_state=0).fit(x_unit)
        pca_test = pca.transform(x_test_unit)
        pca_decoded = pca.inverse_transform(pca_test)
        for name, train, test, recon in (
            ("BernoulliGaussianRBM", code, code_test, decoded),
            ("PCA", pca.transform(x_unit), pca_test, pca_decoded),
        ):
            classifier = LogisticRegression(max_iter=2000).fit(train, y)
            rows[f"{name}, {size} dims"] = {
                "reconstruction_mse": float(
                    np.mean((recon - x_test_unit) ** 2)
                ),
                "logistic_accuracy": float(classifier.score(test, y_test)),
            }
            if size == 2:
                scatter[name] = test
    return rows, scatter


def save_pictures(directory, anneal, completions, scatter, y_test):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(directory, exist_ok=True)
    names = [
        "masked",
        "pixel means",
        "RBM 64-100",
        "DBN 64-100-100",
        "DBM 64-100-100",
    ]
    fig, axes = plt.subplots(len(names), 10, figsize=(6, 3.4))
    for row, name in enumerate(names):
        for col in range(10):
            axes[row, col].imshow(
                completions[name][col].reshape(8, 8),
                cmap="gray",
                vmin=0,
                vmax=1,
            )
            axes[row, col].axis("off")
        axes[row, 0].set_title(name, fontsize=7, loc="left")
    fig.tight_layout(pad=0.3)
    fig.savefig(os.path.join(directory, "boltzmann_imputation.png"), dpi=80)
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(7, 3.2))
    for ax, (name, points) in zip(axes, scatter.items()):
        ax.scatter(points[:, 0], points[:, 1], c=y_test, cmap="tab10", s=4)
        ax.set_title(f"{name}: 2-D code of test digits", fontsize=8)
        ax.tick_params(labelsize=6)
    fig.tight_layout()
    fig.savefig(os.path.join(directory, "boltzmann_gaussian_codes.png"), dpi=80)
    plt.close(fig)

    runs = [k for k in anneal if "samples" in anneal[k]]
    fig, axes = plt.subplots(len(runs), 8, figsize=(5, 2.2))
    for row, name in enumerate(runs):
        for col in range(8):
            axes[row, col].imshow(
                anneal[name]["samples"][col].reshape(8, 8), cmap="gray"
            )
            axes[row, col].axis("off")
        axes[row, 0].set_title(
            f"{name} (mean F {anneal[name]['mean_free_energy']:.1f})",
            fontsize=7,
            loc="left",
        )
    fig.tight_layout(pad=0.3)
    fig.savefig(os.path.join(directory, "boltzmann_annealing.png"), dpi=80)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few epochs")
    parser.add_argument("--images", default=None, help="folder for pictures")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    epochs, steps = (2, 20) if args.quick else (args.epochs, args.steps)
    start = time.perf_counter()
    (x, y), (x_test, y_test) = load_digits("binary")
    (x_unit, _), (x_test_unit, _) = load_digits("unit")
    rng = np.random.default_rng(0)
    anneal = annealing(x, epochs, steps)
    print(f"annealing done, {time.perf_counter() - start:.0f} s", flush=True)
    impute_rows, completions = imputation(x, x_test, epochs, steps, rng)
    print(f"imputation done, {time.perf_counter() - start:.0f} s", flush=True)
    code_rows, scatter = codes(x_unit, x_test_unit, y, y_test, epochs)
    seconds = time.perf_counter() - start

    print(
        f"backend {keras.backend.backend()}, epochs {epochs}, steps {steps}, {seconds:.0f} s"
    )
    print(
        f"\n{'RBM 64-64 sampler (500 chains)':<32} {'mean F':>9} {'min F':>9}"
    )
    for name, row in anneal.items():
        print(
            f"{name:<32} {row['mean_free_energy']:>9.2f} {row.get('min_free_energy', float('nan')):>9.2f}"
        )
    print(f"\n{'imputation (test digits)':<40} {'MSE on missing':>15}")
    for name, error in impute_rows.items():
        print(f"{name:<40} {error:>15.4f}")
    print(f"\n{'code':<32} {'recon. MSE':>11} {'logistic acc.':>14}")
    for name, row in code_rows.items():
        print(
            f"{name:<32} {row['reconstruction_mse']:>11.4f} {row['logistic_accuracy']:>14.2%}"
        )
    if args.images:
        save_pictures(args.images, anneal, completions, scatter, y_test)
    os.makedirs(RESULTS, exist_ok=True)
    for row in anneal.values():
        row.pop("samples", None)
    with open(os.path.join(RESULTS, "boltzmann_digits_extras.json"), "w") as f:
        json.dump(
            {
                "backend": keras.backend.backend(),
                "epochs": epochs,
                "steps": steps,
                "seconds": seconds,
                "annealing": anneal,
                "imputation_mse": impute_rows,
                "codes": code_rows,
            },
            f,
            indent=2,
        )


if __name__ == "__main__":
    main()
