"""Anomaly detection with kgen's detectors, against scikit-learn baselines.

Trains kgen's anomaly detectors on normal data and scores a test set that
mixes normal and anomalous samples, beside classical baselines computed in
the same run (isolation forest, one-class SVM, PCA reconstruction error,
kernel density, and on tabular data kNN distance). Two tasks:

- `mnist` (one-class MNIST, Ruff et al. 2018): train on the training images
  of one digit (`--normal-class`), score the whole test set; every other
  digit is an anomaly.
- `shuttle` (ODDS Shuttle): a random 60/40 split of the 49,097 rows, the
  7 % anomalies left in the training data; features standardised with the
  training statistics. kgen's detectors further compress the heavy tails
  (`preprocessing="standard_arcsinh"`) and train a second round without
  the 20 % highest-scoring training samples (`trim=0.2`); the RBM scores 5
  equal-width bins per feature (after `"robust_arcsinh"`) with a
  categorical RBM (`num_bins=5`). `--trim` and `--preprocessing` change
  the training and the transform.

Writes to `--output`: `metrics.json` (ROC-AUC and average precision of every
method, settings, timings), `score_histograms.png` (scores of normal and
anomalous test samples per method), `roc_curves.png` and, for MNIST,
`most_least_anomalous.png` (the test images the best kgen detector finds
most and least anomalous).

Run `python applications/anomaly_detection.py --help` for the options;
`--quick` is a tiny smoke run.

    KERAS_BACKEND=jax python applications/anomaly_detection.py --task mnist \
        --normal-class 3 --output anomaly_mnist_3
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import matplotlib  # noqa: E402
import numpy as np  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.metrics import roc_curve  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import kgen  # noqa: E402
from kgen.applications import anomaly  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(ROOT, "..", "shared", "data")
DETECTORS = ("autoencoder", "denoising_autoencoder", "vae", "rbm", "ganomaly")
TASK_BASELINES = {
    "mnist": ("isolation_forest", "one_class_svm", "pca", "kde"),
    "shuttle": anomaly.BASELINES,
}


# ----------------------------------------------------------------------------
# Data: normal training samples, a labelled test set (1 = anomaly).


def load_task(task, data_dir, normal_class=0, seed=0, quick=False):
    """Returns `(x_train, x_test, test_labels)` of a task.

    Args:
        task: `"mnist"` or `"shuttle"`.
        data_dir: folder holding `mnist.npz` or `shuttle.csv.gz` (or a file).
        normal_class: the normal digit of the MNIST task.
        seed: seed of the Shuttle split (and of the `quick` subsets).
        quick: keep at most 600 training and 600 test samples.

    Returns:
        float32 arrays `x_train`, `x_test` and int labels, 1 for anomalies.
    """
    if task == "mnist":
        (x, y), (x_test, y_test) = kgen.datasets.load_mnist(data_dir)
        x_train = x[y == normal_class]
        labels = (y_test != normal_class).astype("int64")
    else:
        x, y = kgen.datasets.load_shuttle(data_dir)
        x_train, x_test, _, labels = train_test_split(
            x, y, test_size=0.4, random_state=seed
        )
        scaler = StandardScaler().fit(x_train)
        x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
    if quick:
        rng = np.random.default_rng(seed)
        keep = rng.permutation(len(x_train))[:600]
        test = rng.permutation(len(x_test))[:600]
        x_train, x_test, labels = x_train[keep], x_test[test], labels[test]
    return x_train.astype("float32"), x_test.astype("float32"), labels


# ----------------------------------------------------------------------------
# kgen's detectors, with settings per task.


# Per task: (trim, preprocessing) of kgen's detectors. Shuttle's were chosen
# on a validation split of the first trial's training data (see
# docs/benchmarks/anomaly_detection.md); MNIST's training data is clean.
TASK_TRAINING = {"mnist": (0.0, None), "shuttle": (0.2, "standard_arcsinh")}
# Per task: the RBM detector's own options, over TASK_TRAINING's (chosen on
# the same validation split); an explicit `preprocessing` overrides them.
TASK_RBM = {
    "mnist": {},
    "shuttle": {"num_bins": 5, "preprocessing": "robust_arcsinh"},
}


def build_detectors(
    task,
    names=DETECTORS,
    epochs=20,
    seed=0,
    quick=False,
    trim=None,
    preprocessing="task",
):
    """kgen detectors for a task, by name (see `DETECTORS`).

    MNIST: perceptrons 784-512-256 around a code of 32 (VAE 16), an RBM of
    256 hidden units. Shuttle (9 standardised features): 64-32 around a code
    of 4, an RBM of 32 hidden units on 5 bins per feature (`TASK_RBM`).
    `quick`: one hidden layer
    of 16 units around a code of 4, an RBM of 16 hidden units. `trim` and
    `preprocessing` (see `kgen.applications.anomaly.NetworkDetector`)
    default to the task's in `TASK_TRAINING`.
    """
    task_trim, task_preprocessing = TASK_TRAINING[task]
    trim = task_trim if trim is None else trim
    rbm_options = dict(TASK_RBM[task])
    if preprocessing == "task":
        preprocessing = task_preprocessing
    else:
        rbm_options.pop("preprocessing", None)
    image = task == "mnist"
    hidden = (512, 256) if image else (64, 32)
    latent = 32 if image else 4
    if quick:
        hidden, latent = (16,), 4
    common = dict(
        epochs=epochs,
        batch_size=128,
        seed=seed,
        verbose=0,
        trim=trim,
        preprocessing=preprocessing,
    )
    factories = {
        "autoencoder": lambda: anomaly.AutoencoderDetector(
            latent_dim=latent, hidden_units=hidden, **common
        ),
        "denoising_autoencoder": lambda: anomaly.DenoisingAutoencoderDetector(
            latent_dim=latent,
            hidden_units=hidden,
            corruption="masking" if image else "gaussian",
            noise_level=0.2,
            **common,
        ),
        "vae": lambda: anomaly.VAEDetector(
            latent_dim=min(16, latent) if image else latent,
            hidden_units=hidden,
            num_samples=5,
            **common,
        ),
        "rbm": lambda: anomaly.RBMDetector(
            num_hidden=16 if quick else 256 if image else 32,
            learning_rate=1e-3,
            **{**common, **rbm_options},
        ),
        "ganomaly": lambda: anomaly.GANomalyDetector(
            latent_dim=latent, hidden_units=hidden, **common
        ),
    }
    unknown = sorted(set(names) - set(factories))
    if unknown:
        raise ValueError(
            f"Unknown detectors {unknown}; choose from {DETECTORS}."
        )
    return {name: factories[name]() for name in names}


# ----------------------------------------------------------------------------
# Evaluation: every method scores the same test set.


def evaluate(detectors, baselines, x_train, x_test, labels, seed=0):
    """Fits and scores every detector and baseline, with a progress bar.

    Returns:
        `(metrics, scores)`: per method, a dict of ROC-AUC, average
        precision and seconds, and the test scores.
    """
    progress = keras.utils.Progbar(
        len(detectors) + len(baselines), stateful_metrics=["roc_auc"]
    )
    metrics, scores = {}, {}
    for name, detector in detectors.items():
        start = time.perf_counter()
        scores[name] = detector.fit(x_train).decision_function(x_test)
        metrics[name] = _metrics(labels, scores[name], start, kgen=True)
        progress.add(1, [("roc_auc", metrics[name]["roc_auc"])])
    for name in baselines:
        start = time.perf_counter()
        scores[name] = anomaly.baseline_scores(
            x_train, x_test, [name], seed=seed
        )[name]
        metrics[name] = _metrics(labels, scores[name], start, kgen=False)
        progress.add(1, [("roc_auc", metrics[name]["roc_auc"])])
    return metrics, scores


def _metrics(labels, scores, start, kgen):
    return {
        **anomaly.evaluate_scores(labels, scores),
        "seconds": time.perf_counter() - start,
        "kgen": kgen,
    }


# ----------------------------------------------------------------------------
# Pictures.


def save_pictures(output, metrics, scores, labels, x_test, image_shape=None):
    """Writes the histograms, ROC curves and (images) extreme samples."""
    names = list(scores)
    columns = min(3, len(names))
    rows = -(-len(names) // columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(4 * columns, 2.6 * rows), squeeze=False
    )
    for axis, name in zip(axes.flat, names):
        values = scores[name]
        bins = np.histogram_bin_edges(values, bins=40)
        axis.hist(values[labels == 0], bins, alpha=0.6, label="normal")
        axis.hist(values[labels == 1], bins, alpha=0.6, label="anomalous")
        axis.set_title(f"{name} (AUROC {metrics[name]['roc_auc']:.3f})")
        axis.set_yscale("log")
    for axis in axes.flat[len(names) :]:
        axis.axis("off")
    axes.flat[0].legend()
    figure.tight_layout()
    figure.savefig(os.path.join(output, "score_histograms.png"), dpi=70)
    plt.close(figure)

    figure, axis = plt.subplots(figsize=(5, 5))
    for name in names:
        fpr, tpr, _ = roc_curve(labels, scores[name])
        style = "-" if metrics[name]["kgen"] else ":"
        axis.plot(
            fpr, tpr, style, label=f"{name} {metrics[name]['roc_auc']:.3f}"
        )
    axis.plot([0, 1], [0, 1], color="grey", lw=0.5)
    axis.set_xlabel("false-positive rate")
    axis.set_ylabel("true-positive rate")
    axis.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    figure.savefig(os.path.join(output, "roc_curves.png"), dpi=70)
    plt.close(figure)

    if image_shape is not None:
        best = max(
            (n for n in names if metrics[n]["kgen"]),
            key=lambda n: metrics[n]["roc_auc"],
            default=names[0],
        )
        order = np.argsort(scores[best])
        count = min(16, len(order) // 2)
        picked = np.concatenate([order[::-1][:count], order[:count]])
        kgen.utils.save_image_grid(
            x_test[picked],
            os.path.join(output, "most_least_anomalous.png"),
            title=f"{best}: most (top) and least (bottom) anomalous",
            image_shape=image_shape,
            num_columns=count,
        )


# ----------------------------------------------------------------------------
# Main.


def run(args):
    """Runs one task as the command line describes; returns the metrics."""
    os.makedirs(args.output, exist_ok=True)
    keras.utils.set_random_seed(args.seed)
    x_train, x_test, labels = load_task(
        args.task, args.data_dir, args.normal_class, args.seed, args.quick
    )
    epochs = 2 if args.quick else args.epochs
    detectors = build_detectors(
        args.task,
        args.detectors,
        epochs,
        args.seed,
        args.quick,
        args.trim,
        _preprocessing(args.preprocessing),
    )
    metrics, scores = evaluate(
        detectors, args.baselines, x_train, x_test, labels, args.seed
    )
    image_shape = (28, 28) if args.task == "mnist" else None
    save_pictures(args.output, metrics, scores, labels, x_test, image_shape)
    report = {
        "task": args.task,
        "normal_class": args.normal_class if args.task == "mnist" else None,
        "settings": {**vars(args), "epochs": epochs},
        "num_train": len(x_train),
        "num_test": len(x_test),
        "test_anomaly_fraction": float(labels.mean()),
        "backend": keras.backend.backend(),
        "metrics": metrics,
    }
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(report, file, indent=2)
    for name, values in metrics.items():
        print(
            f"{name:24s} ROC-AUC {values['roc_auc']:.4f}  "
            f"AP {values['average_precision']:.4f}  {values['seconds']:.1f} s"
        )
    return metrics


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--task", choices=("mnist", "shuttle"), default="mnist")
    parser.add_argument(
        "--normal-class", type=int, default=0, help="MNIST: the normal digit"
    )
    parser.add_argument("--data-dir", default=DATA_DIR, help="data folder")
    parser.add_argument(
        "--output", default="anomaly_detection_output", help="output folder"
    )
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--detectors",
        nargs="+",
        default=list(DETECTORS),
        choices=DETECTORS,
        help="kgen detectors to train",
    )
    parser.add_argument(
        "--baselines",
        nargs="*",
        default=None,
        choices=anomaly.BASELINES,
        help="scikit-learn baselines (default: all of the task's)",
    )
    add_training_arguments(parser)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny smoke run: 600 training and test samples, small networks, "
        "2 epochs",
    )
    args = parser.parse_args(argv)
    if args.baselines is None:
        args.baselines = list(TASK_BASELINES[args.task])
    return args


def add_training_arguments(parser):
    """Adds `--trim` and `--preprocessing` (kgen's detectors) to `parser`."""
    parser.add_argument(
        "--trim",
        type=float,
        default=None,
        help="fraction of highest-scoring training samples left out of a "
        "second training round (default: the task's, 0.2 on shuttle, 0 on "
        "mnist)",
    )
    parser.add_argument(
        "--preprocessing",
        default="task",
        choices=("task", "none", *anomaly.PREPROCESSING),
        help="input transform of kgen's detectors ('task': standard_arcsinh "
        "on shuttle, none on mnist)",
    )


def _preprocessing(name):
    """The detectors' `preprocessing` argument from the command line's."""
    return None if name == "none" else name


def main(argv=None):
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
