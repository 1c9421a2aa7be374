"""VAE test log-likelihood on the binarised digits, beside exact RBM figures.

Reports mean test log-likelihoods in nats per digit (8x8 binary):

- independent pixels: each pixel a Bernoulli with its (smoothed) training
  frequency, exact;
- a kgen `RBM` with 16 hidden units trained here with the recipe of
  `bench/rbm_quality.py` (CD-1), exact via enumerating the hidden states
  (`kgen.metrics.log_likelihood`); the RBM issue's reference figure when the
  RBM is not available;
- a kgen `VAE` (dense, 8-D latent, Bernoulli decoder): the ELBO (k=1) and
  the IWAE bound with k=500 importance samples, lower bounds on log p(x).

Target: the VAE's IWAE bound at least 4 nats above independent pixels.

    python bench/vae_likelihood.py [--quick]
"""

from _report import parse_args
from _report import report

ARGS = parse_args(__doc__)

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kgen  # noqa: E402

REFERENCE = [  # the RBM issue's figures, used when no kgen RBM can be trained here
    {
        "model": "reference: scikit-learn BernoulliRBM, best (issue)",
        "test_log_likelihood": -20.2,
        "kind": "exact",
    },
]


def independent_pixels(x_train, x_test):
    p = (x_train.sum(0) + 1.0) / (len(x_train) + 2.0)
    return float(np.mean(x_test @ np.log(p) + (1 - x_test) @ np.log(1 - p)))


def rbm_rows(x_train, x_test, epochs):
    try:  # the RBM benchmark's recipe: CD-1, SGD with momentum, cosine decay, batch 20
        from rbm_quality import train_kgen

        rbm = train_kgen(x_train, 16, epochs, k=1)
        value = float(np.mean(kgen.metrics.log_likelihood(rbm, x_test)))
    except (ImportError, AttributeError, TypeError, ValueError) as error:
        print(
            f"kgen RBM unavailable ({error}); printing the issue's reference figures"
        )
        return REFERENCE
    return [
        {
            "model": f"kgen RBM, 16 hidden, CD-1, {epochs} epochs (bench/rbm_quality.py recipe)",
            "test_log_likelihood": value,
            "kind": "exact",
        }
    ]


def main():
    (x_train, _), (x_test, _) = kgen.datasets.load_digits("binary")
    epochs = 20 if ARGS.quick else 300
    keras.utils.set_random_seed(0)
    vae = kgen.models.VAE.dense((64,), 8, hidden_units=(256, 128), seed=0)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    vae.fit(x_train, epochs=epochs, batch_size=64, verbose=0)
    pixels = independent_pixels(x_train, x_test)
    iwae = float(np.mean(vae.log_likelihood(x_test, num_samples=500, seed=0)))
    rows = [
        {
            "model": "independent pixels",
            "test_log_likelihood": pixels,
            "kind": "exact",
        },
        *rbm_rows(x_train, x_test, 20 if ARGS.quick else 100),
        {
            "model": "kgen VAE, ELBO (k=1)",
            "test_log_likelihood": float(
                np.mean(vae.log_likelihood(x_test, num_samples=1, seed=0))
            ),
            "kind": "lower bound",
        },
        {
            "model": "kgen VAE, IWAE bound (k=500)",
            "test_log_likelihood": iwae,
            "kind": "lower bound",
        },
    ]
    report(
        "vae_likelihood",
        rows,
        epochs=epochs,
        margin_over_pixels=iwae - pixels,
        target_met=iwae - pixels >= 4.0,
        backend=keras.backend.backend(),
    )
    print(
        f"VAE IWAE - independent pixels = {iwae - pixels:.2f} nats (target >= 4)"
    )


if __name__ == "__main__":
    main()
