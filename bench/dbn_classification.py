"""Digit classification: a fine-tuned kgen DBN against scikit-learn's RBM pipeline.

The setup of scikit-learn's example "Restricted Boltzmann Machine features for
digit classification": the 8x8 digits nudged by one pixel in each of four
directions (5x the data), min-max scaled, `train_test_split(test_size=0.2,
random_state=0)`. In the same run it scores:

- scikit-learn's pipeline, `BernoulliRBM(100, learning_rate=0.06, n_iter=10)`
  + `LogisticRegression(C=6000)`, and raw-pixel `LogisticRegression(C=100)`;
- a kgen DBN 64-256-256 pre-trained greedily, exported with `to_classifier`
  and fine-tuned with Adam;
- the same MLP from random initialisation, trained identically.

Usage: `python bench/dbn_classification.py [--quick]` (Keras backend from
`KERAS_BACKEND`, JAX by default). Writes `bench/results/dbn_classification.json`.
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from scipy.ndimage import convolve  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import BernoulliRBM  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import minmax_scale  # noqa: E402

from kgen.datasets import load_digits  # noqa: E402
from kgen.models.boltzmann import DBN  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
SHIFTS = [
    [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 0], [0, 1, 0]],
]


def nudged_digits():
    """The example's data: digits and their four one-pixel shifts, scaled, split."""
    (x, y), _ = load_digits("raw", test_size=0)
    images = x.reshape(-1, 8, 8)
    shifted = [
        np.stack(
            [convolve(image, np.array(w), mode="constant") for image in images]
        )
        for w in SHIFTS
    ]
    x = minmax_scale(
        np.concatenate([images, *shifted]).reshape(-1, 64), feature_range=(0, 1)
    )
    y = np.concatenate([y] * 5)
    return train_test_split(
        x.astype("float32"), y, test_size=0.2, random_state=0
    )


def fine_tune(classifier, x, y, x_test, y_test, epochs):
    classifier.compile(
        keras.optimizers.Adam(1e-3),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    classifier.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
    return classifier.evaluate(x_test, y_test, verbose=0)[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    args = parser.parse_args()
    pretrain_epochs, tune_epochs = (3, 5) if args.quick else (20, 100)
    x, x_test, y, y_test = nudged_digits()
    rows = []

    def record(name, accuracy, start):
        rows.append(
            {
                "model": name,
                "test_accuracy": float(accuracy),
                "seconds": time.perf_counter() - start,
            }
        )

    start = time.perf_counter()
    rbm = BernoulliRBM(
        n_components=100, learning_rate=0.06, n_iter=10, random_state=0
    )
    pipeline = Pipeline(
        [("rbm", rbm), ("logistic", LogisticRegression(C=6000, max_iter=1000))]
    )
    record(
        "sklearn BernoulliRBM(100) + LogisticRegression",
        pipeline.fit(x, y).score(x_test, y_test),
        start,
    )
    start = time.perf_counter()
    raw = LogisticRegression(C=100.0, max_iter=1000).fit(x, y)
    record(
        "sklearn raw-pixel LogisticRegression", raw.score(x_test, y_test), start
    )

    keras.utils.set_random_seed(0)
    start = time.perf_counter()
    dbn = DBN(64, [256, 256], seed=0)
    dbn.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    dbn.fit(x, epochs=pretrain_epochs, batch_size=32, verbose=0)
    classifier = dbn.to_classifier(num_classes=10)
    scratch = keras.models.clone_model(
        classifier
    )  # same MLP, random initial weights
    record(
        "kgen DBN 64-256-256, fine-tuned",
        fine_tune(classifier, x, y, x_test, y_test, tune_epochs),
        start,
    )
    start = time.perf_counter()
    record(
        "same MLP from random init",
        fine_tune(scratch, x, y, x_test, y_test, tune_epochs),
        start,
    )

    print(
        f"backend: {keras.backend.backend()}, train {len(x)}, test {len(x_test)}"
    )
    print(f"{'model':<48} {'test accuracy':>13} {'seconds':>8}")
    for row in rows:
        print(
            f"{row['model']:<48} {row['test_accuracy']:>13.2%} {row['seconds']:>8.1f}"
        )
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "dbn_classification.json"), "w") as f:
        json.dump(
            {
                "backend": keras.backend.backend(),
                "quick": args.quick,
                "rows": rows,
            },
            f,
            indent=2,
        )


if __name__ == "__main__":
    main()
