"""Conditional VAE: are generated digits of the requested class?

Trains a kgen `ConditionalVAE` (dense, 8-D latent, Bernoulli decoder on
pixels / 16) with `fit(x_train, y_train)`, generates 100 digits of each
class and classifies them with an RBF support-vector classifier trained on
the real training digits (its accuracy on the real test digits is printed
beside). Target: >= 90 % of generated digits classified as requested.

    python bench/cvae_classes.py [--quick]
"""

from _report import parse_args
from _report import report

ARGS = parse_args(__doc__)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

import kgen  # noqa: E402


def main():
    (x_train, y_train), (x_test, y_test) = kgen.datasets.load_digits("unit")
    classifier = SVC(gamma="scale").fit(x_train, y_train)
    keras.utils.set_random_seed(0)
    cvae = kgen.models.ConditionalVAE.dense(
        (64,), 8, hidden_units=(256, 128), num_classes=10, seed=0
    )
    cvae.compile(optimizer=keras.optimizers.Adam(1e-3))
    epochs = 20 if ARGS.quick else 300
    cvae.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
    requested = np.repeat(np.arange(10), 100)
    predicted = classifier.predict(
        cvae.generate(len(requested), seed=0, labels=requested)
    )
    rows = [
        {
            "class": int(c),
            "fraction_as_requested": float(
                np.mean(predicted[requested == c] == c)
            ),
        }
        for c in range(10)
    ]
    overall = float(np.mean(predicted == requested))
    rows.append({"class": "all", "fraction_as_requested": overall})
    real = float(classifier.score(x_test, y_test))
    report(
        "cvae_classes",
        rows,
        epochs=epochs,
        classifier_test_accuracy=real,
        target_met=overall >= 0.9,
        backend=keras.backend.backend(),
    )
    print(
        f"classifier accuracy on real test digits: {real:.3f}; generated as requested: {overall:.3f} (target >= 0.9)"
    )


if __name__ == "__main__":
    main()
