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
ceilings. Every score is also given on `--validation-digits` held-out
MNIST *training* digits (neither StarGAN's nor the digit classifier's),
rendered in every domain: choose settings on these, never on the test
digits. Per split, the digit accuracy is broken down by (source domain,
target domain) pair, with the identity translation `G(x, c)` (target =
source) on the diagonal. TensorFlow backend (the fastest for convolutions
on a CPU).

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


@keras.saving.register_keras_serializable(package="kgen_bench")
class StrokeMap(keras.layers.Layer):
    """What the seven domains share: where the strokes are.

    The brightest channel (so that a red, green or blue digit looks like a
    white one), its distance from the image's median (the background, so
    that an inverted digit looks like the original), optionally reduced to
    its soft skeleton (`kgen.layers.SoftSkeleton(skeleton)`, so that a
    thicker or thinner stroke leaves the same centre line), then averaged over
    `blur` x `blur` neighbourhoods (so that a shifted stroke moves the map
    less than a missing one). The content term of
    `StarGAN(feature_extractor=...)` compares these maps of a digit and
    of its translation.
    """

    def __init__(self, blur=3, skeleton=0, **kwargs):
        super().__init__(**kwargs)
        self.blur, self.skeleton = blur, skeleton
        self.centre_lines = kgen.layers.SoftSkeleton(skeleton)

    def build(self, input_shape):
        self.centre_lines.build((*input_shape[:-1], 1))

    def call(self, images):
        brightest = keras.ops.max(images, axis=-1, keepdims=True)
        flat = keras.ops.reshape(brightest, (keras.ops.shape(images)[0], -1))
        background = keras.ops.median(flat, axis=1)[:, None, None, None]
        strokes = keras.ops.abs(brightest - background)
        if self.skeleton:
            strokes = self.centre_lines(strokes)
        return keras.ops.average_pool(
            strokes, self.blur, strides=1, padding="same"
        )

    def get_config(self):
        return {
            **super().get_config(),
            "blur": self.blur,
            "skeleton": self.skeleton,
        }


def stroke_extractor(shape, skeleton=0):
    """`StrokeMap` as a model of the images of `shape`."""
    inputs = keras.Input(shape)
    outputs = StrokeMap(skeleton=skeleton)(inputs)
    return keras.Model(inputs, outputs, name="stroke_map")


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


def classifier_picks(args, num_digits):
    """Indices of the MNIST training digits of the digit classifier."""
    picks = np.random.default_rng(args.seed + 1).permutation(num_digits)
    return picks[: args.classifier_digits]


def validation_renderings(args, y, d):
    """Held-out MNIST training digits rendered in every domain.

    Neither StarGAN's training digits (the draw of `digit_domains` is
    reproduced, and checked against its labels) nor the digit classifier's.
    Returns `(images, digit labels)`, source-major as `digit_domains`' test.
    """
    (x_all, y_all), (x_test, _) = kgen.datasets.load_mnist(
        args.data_dir, flatten=False
    )
    rng = np.random.default_rng(args.seed)
    rng.permutation(len(x_test))  # digit_domains' test draw
    order = rng.permutation(len(x_all))[: args.digits]
    domains = rng.integers(len(DOMAINS), size=args.digits)
    if not (np.array_equal(y_all[order], y) and np.array_equal(domains, d)):
        raise RuntimeError(
            "kgen.datasets.digit_domains draws its training digits "
            "differently now: update validation_renderings to match."
        )
    used = np.concatenate([order, classifier_picks(args, len(x_all))])
    rest = np.setdiff1d(np.arange(len(x_all)), used)
    picks = np.random.default_rng(args.seed + 2).choice(
        rest, args.validation_digits, replace=False
    )
    rendered = kgen.datasets.render_digit_domains(
        x_all[picks, ..., 0], image_size=args.size
    )
    images = rendered.reshape(-1, *rendered.shape[2:])
    return images, np.repeat(y_all[picks], len(DOMAINS)).astype("int64")


def digit_classifier(args, epochs):
    """A CNN for the digit class, trained on every domain's rendering.

    `args.classifier_digits` MNIST training digits (a seeded draw; the test
    digits are MNIST's test set, so never among them), each rendered in all
    the domains by `kgen.datasets.render_digit_domains`. Saved under
    `bench/results` and reused by later runs with the same settings.
    """
    saved = os.path.join(
        ROOT,
        "bench",
        "results",
        f"stargan_digit_classifier_{args.size}px_{args.classifier_digits}"
        f"_digits_{epochs}_epochs_seed{args.seed}.keras",
    )
    if os.path.exists(saved) and not args.quick:
        model = keras.models.load_model(saved)
        return lambda images: np.argmax(model.predict(images, verbose=0), -1)
    (x, y), _ = kgen.datasets.load_mnist(args.data_dir, flatten=False)
    picks = classifier_picks(args, len(x))
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
    if not args.quick:
        model.save(saved)
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
    parser.add_argument(
        "--validation-digits",
        type=int,
        default=300,
        help="held-out MNIST training digits, to choose settings on",
    )
    parser.add_argument("--size", type=int, default=16)
    parser.add_argument("--filters", type=int, default=16)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument(
        "--conditional-normalization",
        action="store_true",
        help="per-domain instance-normalisation scales (not in the paper)",
    )
    parser.add_argument(
        "--discriminator-filters",
        type=int,
        default=None,
        help="base filters of the discriminator (default: --filters)",
    )
    parser.add_argument(
        "--downsampling",
        type=int,
        default=2,
        help="stride-2 steps of the generator (2 in the paper)",
    )
    parser.add_argument(
        "--classification-weight",
        type=float,
        default=1.0,
        help="lambda_cls (1 in the paper)",
    )
    parser.add_argument(
        "--reconstruction-weight",
        type=float,
        default=10.0,
        help="lambda_rec (10 in the paper)",
    )
    parser.add_argument(
        "--identity-weight",
        type=float,
        default=0.0,
        help="weight of the identity term |G(x, c) - x| (not in the paper)",
    )
    parser.add_argument(
        "--cycle-noise",
        type=float,
        default=0.0,
        help="std of Gaussian noise on G(x, c') before the cycle back "
        "(StarGAN(cycle_noise=...); not in the paper)",
    )
    parser.add_argument(
        "--content-weight",
        type=float,
        default=0.0,
        help="weight of a content term |StrokeMap(G(x, c')) - StrokeMap(x)| "
        "(StarGAN(feature_extractor=...); not in the paper; 0: none)",
    )
    parser.add_argument(
        "--content-skeleton",
        type=int,
        default=0,
        help="compare the stroke maps' soft skeletons after this many "
        "erosions (0: the maps themselves)",
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
    parser.add_argument(
        "--discriminator-learning-rate",
        type=float,
        default=None,
        help="the discriminator's (default: --learning-rate)",
    )
    parser.add_argument(
        "--linear-decay",
        action="store_true",
        help="the paper's schedule: the rates constant for half of "
        "--epochs, then linearly to 0",
    )
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
    parser.add_argument(
        "--tag",
        default="",
        help="suffix of the result files; with a tag the picture goes to "
        "bench/results instead of docs/images",
    )
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.digits, args.test_digits = 1, 300, 50
        args.validation_digits = 50
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
            conditional_normalization=args.conditional_normalization,
        ),
        kgen.models.build_stargan_discriminator(
            shape,
            num_domains,
            base_filters=args.discriminator_filters or args.filters,
        ),
        num_domains,
        classification_weight=args.classification_weight,
        reconstruction_weight=args.reconstruction_weight,
        identity_weight=args.identity_weight,
        cycle_noise=args.cycle_noise,
        feature_extractor=stroke_extractor(shape, args.content_skeleton)
        if args.content_weight
        else None,
        content_weight=args.content_weight or 10.0,
        discriminator_steps=args.n_critic,
        seed=args.seed,
    )
    rates = {
        "generator": args.learning_rate,
        "discriminator": args.discriminator_learning_rate or args.learning_rate,
    }
    if args.linear_decay:
        # The paper's schedule: constant for the first half of the updates,
        # then linearly to 0; the discriminator makes n_critic per step.
        steps = args.epochs * -(-len(x) // args.batch_size)
        updates = {"generator": steps, "discriminator": steps * args.n_critic}
        rates = {
            phase: kgen.optimizers.LinearDecay(
                rate, updates[phase] // 2, updates[phase] - updates[phase] // 2
            )
            for phase, rate in rates.items()
        }
    model.compile(
        optimizer={
            phase: keras.optimizers.Adam(rate, beta_1=0.5)
            for phase, rate in rates.items()
        }
    )
    saved = os.path.join(
        ROOT, "bench", "results", f"stargan_mnist{args.tag}.keras"
    )
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
    classifier_epochs = 1 if args.quick else 6
    domain_of = cnn_classifier(x, d, classifier_epochs, args.seed)
    digit_of = digit_classifier(args, args.classifier_epochs)
    extractor = kgen.metrics.train_feature_extractor(
        x, y * num_domains + d, epochs=2 if args.quick else 30, seed=args.seed
    )
    scorer = (model, domain_of, digit_of, extractor, args.seed)
    results = {
        "backend": keras.backend.backend(),
        "args": vars(args),
        "train_images": len(x),
        "test_digits": args.test_digits,
        "fit_seconds": fit_seconds,
        "final_logs": logs,
        "epochs_trained": len(history.epoch) if not args.load else None,
        "validation": evaluate(*validation_renderings(args, y, d), *scorer),
        "test": evaluate(x_test, y_test, *scorer),
    }
    inputs, _, _, _, digit = kgen.datasets.domain_translation_pairs(
        x_test, num_domains, seed=args.seed
    )
    save_picture(
        model, inputs[np.unique(digit, return_index=True)[1][:8]], args.tag
    )
    results["wall_seconds"] = time.time() - start
    for split in ("validation", "test"):
        report(split, results[split])
    path = os.path.join(
        ROOT, "bench", "results", f"stargan_mnist{args.tag}.json"
    )
    with open(path, "w") as file:
        json.dump(results, file, indent=1)
    print(f"wrote {path} ({results['wall_seconds']:.0f} s)")


def evaluate(images, digits, model, domain_of, digit_of, extractor, seed):
    """Scores of StarGAN's translations of `images` (every digit in every
    domain, source-major) and of the two baselines; see the module doc."""
    num_domains = len(DOMAINS)
    pairs = kgen.datasets.domain_translation_pairs(
        images, num_domains, seed=seed
    )
    inputs, sources, targets, truth, digit = pairs
    translated = np.clip(model.translate(inputs, targets), -1, 1)
    digit_labels = digits[::num_domains][digit]
    real_features = extractor.features(truth)

    def scores(outputs):
        psnr, ssim = psnr_ssim(truth, outputs)
        return {
            "target_domain_accuracy": float(
                np.mean(domain_of(outputs) == targets)
            ),
            "digit_accuracy": float(np.mean(digit_of(outputs) == digit_labels)),
            "psnr": psnr,
            "ssim": ssim,
            "fd": float(
                kgen.metrics.frechet_distance(
                    real_features, extractor.features(outputs)
                )
            ),
        }

    first = np.unique(digit, return_index=True)[1]  # one pair per digit
    same = np.clip(model.translate(inputs[first], sources[first]), -1, 1)
    kept = digit_of(translated) == digit_labels
    kept_same = digit_of(same) == digit_labels[first]
    matrix = np.full((num_domains, num_domains), np.nan)
    for s in range(num_domains):
        matrix[s, s] = np.mean(kept_same[sources[first] == s])
        for t in range(num_domains):
            if s != t:
                matrix[s, t] = np.mean(kept[(sources == s) & (targets == t)])
    back = model.translate(translated, sources)
    return {
        "scored_translations": len(inputs),
        "stargan": scores(translated),
        "identity": scores(inputs),
        "true_target_ceiling": scores(truth),
        "identity_translation": {
            "digit_accuracy": float(np.mean(kept_same)),
            "source_domain_accuracy": float(
                np.mean(domain_of(same) == sources[first])
            ),
            "mae_to_input": float(np.mean(np.abs(same - inputs[first]))),
        },
        "per_target_domain_accuracy": {
            name: float(np.mean(domain_of(translated[targets == k]) == k))
            for k, name in enumerate(DOMAINS)
        },
        "digit_kept_by_source": {
            name: float(np.mean(kept[sources == k]))
            for k, name in enumerate(DOMAINS)
        },
        "digit_kept_by_target": {
            name: float(np.mean(kept[targets == k]))
            for k, name in enumerate(DOMAINS)
        },
        "digit_kept_source_by_target": matrix.tolist(),
        "reconstruction_mae": float(np.mean(np.abs(back - inputs))),
    }


def report(split, results):
    """Prints one split's table, per-pair digit accuracies and summary."""
    print(
        f"{split:18} {'domain%':>8} {'digit%':>7} {'PSNR':>6} {'SSIM':>6} "
        f"{'FD':>8}"
    )
    for name in ("stargan", "identity", "true_target_ceiling"):
        row = results[name]
        print(
            f"{name:18} {100 * row['target_domain_accuracy']:8.1f} "
            f"{100 * row['digit_accuracy']:7.1f} {row['psnr']:6.2f} "
            f"{row['ssim']:6.3f} {row['fd']:8.3f}"
        )
    same = results["identity_translation"]
    print(
        f"G(x, c) digit {100 * same['digit_accuracy']:.1f} %, source domain "
        f"{100 * same['source_domain_accuracy']:.1f} %, MAE to x "
        f"{same['mae_to_input']:.3f}; reconstruction MAE "
        f"{results['reconstruction_mae']:.4f}"
    )
    print("digit kept (%), rows source, columns target (diagonal G(x, c)):")
    print(" " * 9 + " ".join(f"{name[:8]:>8}" for name in DOMAINS))
    for name, row in zip(DOMAINS, results["digit_kept_source_by_target"]):
        print(f"{name[:8]:>8} " + " ".join(f"{100 * v:8.1f}" for v in row))


def save_picture(model, digits, tag=""):
    """Rows: the input digits, then their translation into each domain."""
    num_domains = len(DOMAINS)
    rows = [digits] + [model.translate(digits, k) for k in range(num_domains)]
    grid = np.clip(np.concatenate(rows), -1, 1)
    grid = np.repeat(np.repeat(grid, 4, axis=1), 4, axis=2)  # 4x larger
    folder = ("bench", "results") if tag else ("docs", "images")
    path = os.path.join(ROOT, *folder, f"stargan_digits{tag}.png")
    save_grid(grid, path, len(digits))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
