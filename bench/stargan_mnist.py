"""StarGAN on MNIST digits rendered in seven domains.

Task (`kgen.datasets.digit_domains`): MNIST digits at `--size` pixels
rendered as RGB in the domains original, thick (dilation), thin (erosion),
inverted, red, green and blue; each of `--digits` training digits appears
once, in one random domain (unpaired); each of `--test-digits` MNIST test
digits appears in every domain, so a translation is scored against the true
rendering. One StarGAN (WGAN-GP, lambda_cls 1, lambda_rec 10, n_critic
`--n-critic`) translates every test digit from one random source domain to
every domain.

Scores, on the held-out test digits:

- target-domain accuracy: % of translations that a domain classifier (a
  small CNN trained on the real training images) assigns to the target
  domain (issue goal >= 90 %);
- digit accuracy: % of translations that a digit classifier assigns to
  the source digit's class (goal >= 95 %); the classifier (a CNN) is
  trained on the true renderings in EVERY domain of `--classifier-digits`
  MNIST training digits (never a test digit);
- PSNR and SSIM (`skimage.metrics`, images in [-1, 1]) against the true
  rendering in the target domain, beside the identity (output = input);
- Fréchet distance between translations and real test renderings in the
  features of `kgen.metrics.train_feature_extractor` trained on the real
  training images to predict (digit, domain).

The classifiers' accuracies on the real test renderings are their
ceilings. TensorFlow backend (the fastest for convolutions on a CPU).

    python bench/stargan_mnist.py [--quick] [--data-dir ../shared/data]
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from pix2pix import psnr_ssim  # noqa: E402
from pix2pix import save_grid  # noqa: E402

import kgen  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOMAINS = kgen.datasets.DIGIT_DOMAINS


class TimeLimit(keras.callbacks.Callback):
    """Stops `fit` at the end of the epoch that exceeds `seconds`."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds, self.start = seconds, time.time()

    def on_epoch_end(self, epoch, logs=None):
        if time.time() - self.start > self.seconds:
            self.model.stop_training = True


def cnn_classifier(x, y, epochs, seed):
    """A small CNN trained on real images; returns images -> classes."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(x.shape[1:])
    hidden = inputs
    for filters in (32, 64):
        hidden = keras.layers.Conv2D(
            filters, 3, padding="same", activation="relu"
        )(hidden)
        hidden = keras.layers.MaxPooling2D()(hidden)
    hidden = keras.layers.Dense(128, activation="relu")(
        keras.layers.Flatten()(hidden)
    )
    outputs = keras.layers.Dense(int(y.max()) + 1)(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
    return lambda images: np.argmax(model.predict(images, verbose=0), -1)


def digit_classifier(args, epochs):
    """A CNN for the digit class, trained on every domain's rendering.

    `args.classifier_digits` MNIST training digits (a seeded draw; the test
    digits are MNIST's test set, so never among them), each rendered in all
    the domains by `kgen.datasets.render_digit_domains`.
    """
    (x, y), _ = kgen.datasets.load_mnist(args.data_dir, flatten=False)
    picks = np.random.default_rng(args.seed + 1).permutation(len(x))
    picks = picks[: args.classifier_digits]
    rendered = kgen.datasets.render_digit_domains(
        x[picks, ..., 0], image_size=args.size
    )
    images = rendered.reshape(-1, *rendered.shape[2:])
    labels = np.repeat(y[picks], rendered.shape[1])
    keras.utils.set_random_seed(args.seed)
    inputs = keras.Input(images.shape[1:])
    hidden = inputs
    for filters in (32, 64):
        for _ in range(2):
            hidden = keras.layers.Conv2D(
                filters, 3, padding="same", activation="relu"
            )(hidden)
        hidden = keras.layers.MaxPooling2D()(hidden)
    hidden = keras.layers.Flatten()(hidden)
    hidden = keras.layers.Dense(128, activation="relu")(hidden)
    hidden = keras.layers.Dropout(0.3)(hidden)
    model = keras.Model(inputs, keras.layers.Dense(10)(hidden))
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.fit(images, labels, batch_size=64, epochs=epochs, verbose=2)
    return lambda images: np.argmax(model.predict(images, verbose=0), -1)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir", default=os.path.join(ROOT, "..", "shared", "data")
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--digits", type=int, default=4000)
    parser.add_argument("--test-digits", type=int, default=300)
    parser.add_argument("--size", type=int, default=16)
    parser.add_argument("--filters", type=int, default=16)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument(
        "--downsampling",
        type=int,
        default=2,
        help="stride-2 steps of the generator (2 in the paper)",
    )
    parser.add_argument(
        "--reconstruction-weight",
        type=float,
        default=10.0,
        help="lambda_rec (10 in the paper)",
    )
    parser.add_argument(
        "--classifier-digits",
        type=int,
        default=20000,
        help="MNIST training digits (x every domain) for the digit classifier",
    )
    parser.add_argument("--classifier-epochs", type=int, default=4)
    parser.add_argument("--n-critic", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=2e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--max-fit-seconds",
        type=float,
        default=420.0,
        help="stop training after the epoch that passes this wall time",
    )
    parser.add_argument(
        "--load", action="store_true", help="evaluate the saved model"
    )
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.digits, args.test_digits = 1, 300, 50
        args.classifier_digits, args.classifier_epochs = 500, 1
    start = time.time()
    (x, d, y), (x_test, d_test, y_test) = kgen.datasets.digit_domains(
        "mnist",
        args.data_dir,
        image_size=args.size,
        num_train=args.digits,
        num_test=args.test_digits,
        seed=args.seed,
    )
    shape, num_domains = x.shape[1:], len(DOMAINS)
    print(f"{len(x)} training images, {len(x_test)} test renderings")
    keras.utils.set_random_seed(args.seed)
    model = kgen.models.StarGAN(
        kgen.models.build_stargan_generator(
            shape,
            num_domains,
            base_filters=args.filters,
            num_downsampling=args.downsampling,
            num_blocks=args.blocks,
        ),
        kgen.models.build_stargan_discriminator(
            shape, num_domains, base_filters=args.filters
        ),
        num_domains,
        reconstruction_weight=args.reconstruction_weight,
        discriminator_steps=args.n_critic,
        seed=args.seed,
    )
    model.compile(
        optimizer=keras.optimizers.Adam(args.learning_rate, beta_1=0.5)
    )
    saved = os.path.join(ROOT, "bench", "results", "stargan_mnist.keras")
    fit_start = time.time()
    if args.load:  # evaluate a model this script saved
        model = keras.models.load_model(saved)
        logs = {}
    else:
        history = model.fit(
            x,
            d,
            batch_size=args.batch_size,
            epochs=args.epochs,
            verbose=2,
            callbacks=[TimeLimit(args.max_fit_seconds)],
        )
        logs = {k: float(v[-1]) for k, v in history.history.items()}
        os.makedirs(os.path.dirname(saved), exist_ok=True)
        model.save(saved)
    fit_seconds = time.time() - fit_start
    pairs = kgen.datasets.domain_translation_pairs(
        x_test, num_domains, seed=args.seed
    )
    inputs, sources, targets, truth, digit = pairs
    translated = np.clip(model.translate(inputs, targets), -1, 1)
    digits_test = y_test[::num_domains][digit]
    classifier_epochs = 1 if args.quick else 6
    domain_of = cnn_classifier(x, d, classifier_epochs, args.seed)
    digit_of = digit_classifier(args, args.classifier_epochs)
    extractor = kgen.metrics.train_feature_extractor(
        x, y * num_domains + d, epochs=2 if args.quick else 30, seed=args.seed
    )
    real_features = extractor.features(truth)

    def scores(images):
        psnr, ssim = psnr_ssim(truth, images)
        return {
            "target_domain_accuracy": float(
                np.mean(domain_of(images) == targets)
            ),
            "digit_accuracy": float(np.mean(digit_of(images) == digits_test)),
            "psnr": psnr,
            "ssim": ssim,
            "fd": float(
                kgen.metrics.frechet_distance(
                    real_features, extractor.features(images)
                )
            ),
        }

    results = {
        "backend": keras.backend.backend(),
        "args": vars(args),
        "train_images": len(x),
        "test_digits": args.test_digits,
        "scored_translations": len(inputs),
        "fit_seconds": fit_seconds,
        "final_logs": logs,
        "epochs_trained": len(history.epoch) if not args.load else None,
        "stargan": scores(translated),
        "identity": scores(inputs),
        "true_target_ceiling": scores(truth),
        "per_target_domain_accuracy": {
            name: float(np.mean(domain_of(translated[targets == k]) == k))
            for k, name in enumerate(DOMAINS)
        },
    }
    back = model.translate(translated, sources)
    results["reconstruction_mae"] = float(np.mean(np.abs(back - inputs)))
    save_picture(model, inputs[np.unique(digit, return_index=True)[1][:8]])
    results["wall_seconds"] = time.time() - start
    print(
        f"{'':18} {'domain%':>8} {'digit%':>7} {'PSNR':>6} {'SSIM':>6} {'FD':>8}"
    )
    for name in ("stargan", "identity", "true_target_ceiling"):
        row = results[name]
        print(
            f"{name:18} {100 * row['target_domain_accuracy']:8.1f} "
            f"{100 * row['digit_accuracy']:7.1f} {row['psnr']:6.2f} "
            f"{row['ssim']:6.3f} {row['fd']:8.3f}"
        )
    print(
        "StarGAN/identity PSNR gain "
        f"{results['stargan']['psnr'] - results['identity']['psnr']:+.2f} dB; "
        f"reconstruction MAE {results['reconstruction_mae']:.4f}"
    )
    path = os.path.join(ROOT, "bench", "results", "stargan_mnist.json")
    with open(path, "w") as file:
        json.dump(results, file, indent=1)
    print(f"wrote {path} ({results['wall_seconds']:.0f} s)")


def save_picture(model, digits):
    """Rows: the input digits, then their translation into each domain."""
    num_domains = len(DOMAINS)
    rows = [digits] + [model.translate(digits, k) for k in range(num_domains)]
    grid = np.clip(np.concatenate(rows), -1, 1)
    grid = np.repeat(np.repeat(grid, 4, axis=1), 4, axis=2)  # 4x larger
    path = os.path.join(ROOT, "docs", "images", "stargan_digits.png")
    save_grid(grid, path, len(digits))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
