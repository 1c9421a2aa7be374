"""Autoencoder against PCA: test reconstruction MSE on the digits.

For code sizes 2 and 8, fits scikit-learn's PCA and a dense kgen
`Autoencoder` (binary cross-entropy on pixels / 16) on the training digits
and reports the mean squared error of the test reconstructions. Target: the
autoencoder below PCA at both sizes.

    python bench/autoencoder_vs_pca.py [--quick]
"""

import time

from _report import parse_args
from _report import report

ARGS = parse_args(__doc__)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

import kgen  # noqa: E402


def main():
    (x_train, _), (x_test, _) = kgen.datasets.load_digits("unit")
    epochs = 20 if ARGS.quick else 400
    rows = []
    for code_size in (2, 8):
        pca = PCA(code_size, random_state=0).fit(x_train)
        pca_mse = float(
            np.mean(
                (pca.inverse_transform(pca.transform(x_test)) - x_test) ** 2
            )
        )
        keras.utils.set_random_seed(0)
        model = kgen.models.Autoencoder.dense(
            (64,), code_size, hidden_units=(256, 128), seed=0
        )
        model.compile(optimizer=keras.optimizers.Adam(1e-3))
        start = time.perf_counter()
        model.fit(x_train, epochs=epochs, batch_size=64, verbose=0)
        seconds = time.perf_counter() - start
        ae_mse = float(np.mean((model.reconstruct(x_test) - x_test) ** 2))
        rows.append(
            {
                "code_size": code_size,
                "pca_mse": pca_mse,
                "autoencoder_mse": ae_mse,
                "ratio": ae_mse / pca_mse,
                "beats_pca": ae_mse < pca_mse,
                "train_s": seconds,
            }
        )
    report(
        "autoencoder_vs_pca",
        rows,
        epochs=epochs,
        backend=keras.backend.backend(),
    )


if __name__ == "__main__":
    main()
