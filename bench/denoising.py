"""Denoising: PSNR on test digits corrupted with Gaussian noise (sigma 0.3).

Compares, on the same noisy test digits (pixels / 16 in [0, 1]):

- the noisy input itself;
- a Gaussian blur (`scipy.ndimage.gaussian_filter`), its width tuned on
  noisy training digits, clipped to [0, 1];
- a kgen `DenoisingAutoencoder` trained with `fit(x_train)` (fresh Gaussian
  noise, sigma 0.3, at every step).

PSNR from `skimage.metrics.peak_signal_noise_ratio` (data range 1), averaged
over images. Target: the autoencoder above both baselines.

    python bench/denoising.py [--quick]
"""

from _report import parse_args
from _report import report

ARGS = parse_args(__doc__)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from scipy.ndimage import gaussian_filter  # noqa: E402
from skimage.metrics import peak_signal_noise_ratio  # noqa: E402

import kgen  # noqa: E402

NOISE = 0.3


def psnr(clean, estimates):
    return float(
        np.mean(
            [
                peak_signal_noise_ratio(c, e, data_range=1.0)
                for c, e in zip(clean, estimates)
            ]
        )
    )


def blur(images, sigma):
    return np.clip(
        gaussian_filter(images, sigma=(0, sigma, sigma, 0)), 0.0, 1.0
    )


def main():
    (x_train, _), (x_test, _) = kgen.datasets.load_digits("unit", flatten=False)
    rng = np.random.default_rng(0)
    noisy_train = x_train + NOISE * rng.normal(size=x_train.shape).astype(
        "float32"
    )
    noisy_test = x_test + NOISE * rng.normal(size=x_test.shape).astype(
        "float32"
    )
    sigmas = np.linspace(0.3, 2.0, 18)
    best_sigma = max(sigmas, key=lambda s: psnr(x_train, blur(noisy_train, s)))

    keras.utils.set_random_seed(0)
    model = kgen.models.DenoisingAutoencoder.dense(
        (8, 8, 1),
        32,
        hidden_units=(256, 128),
        corruption="gaussian",
        noise_level=NOISE,
        seed=0,
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    epochs = 20 if ARGS.quick else 400
    model.fit(x_train, epochs=epochs, batch_size=64, verbose=0)

    rows = [
        {"method": "noisy input", "psnr_db": psnr(x_test, noisy_test)},
        {
            "method": f"gaussian blur (sigma={best_sigma:.2f}, tuned on train)",
            "psnr_db": psnr(x_test, blur(noisy_test, best_sigma)),
        },
        {
            "method": "kgen DenoisingAutoencoder",
            "psnr_db": psnr(x_test, model.reconstruct(noisy_test)),
        },
    ]
    report(
        "denoising",
        rows,
        epochs=epochs,
        noise=NOISE,
        backend=keras.backend.backend(),
    )


if __name__ == "__main__":
    main()
