"""NADE, MADE or PixelCNN on binarised MNIST, trained for a wall-clock budget.

Stochastically binarised MNIST (`kgen.datasets.load_mnist(...,
binarize="stochastic", seed=0)`, the convention of kgen's other MNIST
benchmarks), the last 10,000 training images held out for validation. With
`--binarization dynamic` the training images are drawn anew from their grey
levels at every epoch instead (as in `mnist_vae.py`; validation and test
images keep the seed-0 draw). The
model trains with Adam for `--minutes` (checked after every batch); the
weights of the epoch with the best validation log-likelihood (on
`--val-images` images) are kept; then the exact test log-likelihood on all
10,000 test images is computed (MADE: the ensemble of its masks) and 100
samples are drawn. Published figures (Salakhutdinov & Murray's fixed
binarisation, models trained for days): NADE -88.33, MADE (32 masks)
-86.64, PixelCNN -81.30 nats.

Usage: `python bench/autoregressive_mnist.py --model nade --minutes 20`
(`--model made --masks 32`, `--model pixelcnn` runs on TensorFlow).
Writes `bench/results/autoregressive_mnist_<model>[_<tag>].json` and a PNG
of the samples beside it. `--plateau N` halves the learning rate after N
epochs without a better validation score.
"""

import argparse
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(REPO, "bench", "results")
PUBLISHED = {"nade": -88.33, "made": -86.64, "pixelcnn": -81.30}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(PUBLISHED), required=True)
    parser.add_argument(
        "--data-dir", default=os.path.join(REPO, "..", "shared", "data")
    )
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument(
        "--binarization",
        choices=("static", "dynamic"),
        default="static",
        help="training images: one fixed draw, or a new draw every epoch",
    )
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--hidden", type=int, default=500)
    parser.add_argument("--layers", type=int, default=1, help="MADE")
    parser.add_argument("--masks", type=int, default=32, help="MADE")
    parser.add_argument(
        "--direct",
        action="store_true",
        help="MADE: direct input-to-output connections (the paper's MNIST "
        "model)",
    )
    parser.add_argument("--filters", type=int, default=16, help="PixelCNN")
    parser.add_argument("--conv-layers", type=int, default=5)
    parser.add_argument("--kernel-size", type=int, default=3)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--val-images", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default=None)
    parser.add_argument(
        "--plateau",
        type=int,
        default=0,
        help="halve the learning rate after this many epochs without a "
        "better validation score (0: constant learning rate)",
    )
    parser.add_argument(
        "--tag",
        default="",
        help="results go to autoregressive_mnist_<model>[_TAG]",
    )
    return parser.parse_args(argv)


def build(args, kgen):
    if args.model == "nade":
        return kgen.models.NADE(784, num_hidden=args.hidden, seed=args.seed)
    if args.model == "made":
        return kgen.models.MADE(
            784,
            hidden_units=(args.hidden,) * args.layers,
            num_masks=args.masks,
            ordering="random" if args.masks > 1 else "natural",
            direct_connections=args.direct,
            seed=args.seed,
        )
    return kgen.models.PixelCNN(
        (28, 28),
        filters=args.filters,
        num_layers=args.conv_layers,
        kernel_size=args.kernel_size,
        output_filters=2 * args.filters,
        seed=args.seed,
    )


def main(argv=None):
    args = parse_args(argv)
    default = "tensorflow" if args.model == "pixelcnn" else "jax"
    os.environ["KERAS_BACKEND"] = args.backend or default
    import keras
    import numpy as np

    import kgen
    from kgen.utils import save_image_grid

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from dynamic_binarization import DynamicBinarization
    from likelihood_rows import write_result

    start = time.time()
    keras.utils.set_random_seed(args.seed)
    flat = args.model != "pixelcnn"
    (x_train, _), (x_val, _), (x_test, _) = kgen.datasets.load_mnist(
        args.data_dir,
        binarize="stochastic",
        seed=0,
        flatten=flat,
        validation_size=10000,
    )
    x_val = x_val[: args.val_images]
    if args.binarization == "dynamic":
        (grey, _), _, _ = kgen.datasets.load_mnist(
            args.data_dir, flatten=flat, validation_size=10000
        )
        x_train = DynamicBinarization(grey, args.batch_size, seed=args.seed)
    model = build(args, kgen)
    model.compile(optimizer=keras.optimizers.Adam(args.learning_rate))
    keeper = best_weights_callback(
        keras, model, x_val, args.minutes * 60, args.batch_size
    )
    callbacks = [keeper]
    if args.plateau:
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_log_likelihood",
                mode="max",
                factor=0.5,
                patience=args.plateau,
                min_delta=0.0,
            )
        )
    model.fit(
        x_train,
        epochs=100000,
        batch_size=None if args.binarization == "dynamic" else args.batch_size,
        callbacks=callbacks,
        verbose=2,
    )
    model.set_weights(keeper.best_weights)
    train_seconds = time.time() - start
    test = model.log_prob(x_test, batch_size=args.batch_size)
    sample_start = time.time()
    samples = model.generate(args.samples, seed=args.seed)
    sample_seconds = time.time() - sample_start
    name = f"autoregressive_mnist_{args.model}" + (
        f"_{args.tag}" if args.tag else ""
    )
    picture = os.path.join(RESULTS, f"{name}.png")
    os.makedirs(RESULTS, exist_ok=True)
    save_image_grid(samples, picture, image_shape=(28, 28), num_columns=10)
    result = {
        "family": "autoregressive",
        "model": {"nade": "NADE", "made": "MADE", "pixelcnn": "PixelCNN"}[
            args.model
        ],
        "settings": describe(args),
        "estimate": "exact",
        "test_log_likelihood": float(np.mean(test)),
        "test_standard_error": float(np.std(test) / np.sqrt(len(test))),
        "published": PUBLISHED[args.model],
        "epochs": keeper.epochs,
        "best_epoch": keeper.best_epoch,
        "validation_curve": keeper.curve,
        "train_seconds": train_seconds,
        "sample_seconds": sample_seconds,
        "wall_seconds": time.time() - start,
        "backend": keras.backend.backend(),
        "args": vars(args),
        "command": "python bench/autoregressive_mnist.py "
        + " ".join(sys.argv[1:] if argv is None else argv),
    }
    path = write_result(name, result)
    print(
        f"{result['model']}: test log-likelihood "
        f"{result['test_log_likelihood']:.2f} nats (published "
        f"{result['published']}), {keeper.epochs} epochs, "
        f"{result['wall_seconds'] / 60:.1f} min; wrote {path}"
    )


def describe(args):
    dynamic = ", dynamic binarisation" if args.binarization == "dynamic" else ""
    return _architecture(args) + dynamic


def _architecture(args):
    if args.model == "nade":
        return f"H={args.hidden}"
    if args.model == "made":
        direct = ", direct connections" if args.direct else ""
        return f"{args.layers}x{args.hidden} hidden, {args.masks} masks{direct}"
    return (
        f"{args.conv_layers} gated layers x {args.filters} filters, "
        f"kernel {args.kernel_size}"
    )


def best_weights_callback(keras, model, x_val, seconds, batch_size):
    """A callback that stops after `seconds` and keeps the weights of the
    epoch with the best validation log-likelihood."""

    class BestWeights(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.deadline = time.time() + seconds
            self.best, self.best_weights = -float("inf"), None
            self.best_epoch, self.epochs, self.curve = 0, 0, []

        def on_train_batch_end(self, batch, logs=None):
            if time.time() > self.deadline:
                model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            score = float(model.log_prob(x_val, batch_size=batch_size).mean())
            self.epochs = epoch + 1
            self.curve.append(round(score, 3))
            logs["val_log_likelihood"] = score
            print(f"epoch {epoch + 1}: validation {score:.3f} nats", flush=True)
            if score > self.best:
                self.best, self.best_epoch = score, epoch + 1
                self.best_weights = model.get_weights()

    return BestWeights()


if __name__ == "__main__":
    main()
