"""Text to image with GAN-INT-CLS, judged by attribute classifiers.

Trains `kgen.applications.text_to_image.TextToImage` (a joint image-text
embedding, then a GAN with a matching-aware discriminator and caption
interpolation) on captioned scenes whose attributes are known exactly, and
checks that the images it draws for test captions show what the captions
say. Two tasks:

- `digits`: real MNIST digits on a 32x32 RGB canvas with five attributes
  (digit, stroke thickness, colour, scale, position), e.g. "a small thick
  red seven on the left"; every "red seven" and "green two" is held out of
  training.
- `shapes`: two shapes drawn with `skimage.draw`, e.g. "a red circle above
  a blue square"; scenes whose first shape is a red triangle or whose
  second is a blue circle are held out.

Evaluation, all in the same run: one classifier per attribute, trained on
real training scenes, reads the attributes of generated images for test
captions of seen combinations and of held-out ones (attribute accuracy; the
real test images give the classifiers' own accuracy, the ceiling); the
R-precision of the joint embedding (the right caption among 100, for real
and for generated images); and the Fréchet distance between real and
generated test scenes in the classifiers' features. Baselines: a retrieval
model that returns the training image whose caption is closest to the
query (it cannot draw combinations it never saw), and random training
images (chance).

Writes to `--output`: `metrics.json`, `scenes.png` (training scenes and
their captions), `caption_grid.png` (test captions, seen and held-out, with
generated images), `interpolation.png` (images between two captions, noise
fixed) and the trained model, `text_to_image.keras`.

Run `python applications/text_to_image.py --help` for the options;
`--quick` is a tiny smoke run.

    KERAS_BACKEND=tensorflow python applications/text_to_image.py \
        --task digits --output text_to_image_digits
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import matplotlib  # noqa: E402
import numpy as np  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import kgen  # noqa: E402
from kgen.applications import text_to_image as t2i  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(ROOT, "..", "shared", "data")
INTERPOLATIONS = {
    "digits": (
        "a large thick red three on the left",
        "a large thick blue three on the right",
    ),
    "shapes": (
        "a yellow circle above a cyan square",
        "a yellow circle left of a magenta square",
    ),
}


# ----------------------------------------------------------------------------
# Data: captioned training scenes, test scenes of seen and held-out
# combinations.


def load_scenes(task, data_dir, num_train, num_test, canvas_size, seed=0):
    """Returns `(train, test_seen, test_held_out)` `CaptionedScenes`.

    Digits: training scenes from the first `num_train` MNIST training
    images, test scenes from the MNIST test images (held-out scenes from
    the test images of the held-out digits), so no test digit was seen.
    """
    common = dict(canvas_size=canvas_size)
    if task == "digits":
        (x, y), (x_test, y_test) = kgen.datasets.load_mnist(data_dir)
        train = t2i.make_digit_scenes(
            x[:num_train], y[:num_train], seed=seed, **common
        )
        seen = t2i.make_digit_scenes(
            x_test[:num_test], y_test[:num_test], seed=seed + 1, **common
        )
        held = t2i.make_digit_scenes(
            x_test, y_test, subset="held_out", seed=seed + 2, **common
        )
        held = _take(held, num_test)
    else:
        train = t2i.make_shape_scenes(num_train, seed=seed, **common)
        seen = t2i.make_shape_scenes(num_test, seed=seed + 1, **common)
        held = t2i.make_shape_scenes(
            num_test, subset="held_out", seed=seed + 2, **common
        )
    return train, seen, held


def _take(scenes, count):
    return t2i.CaptionedScenes(
        scenes.images[:count],
        scenes.captions[:count],
        {k: v[:count] for k, v in scenes.attributes.items()},
        scenes.attribute_values,
    )


def combination_ids(scenes):
    """One int per scene identifying its combination of attribute values."""
    ids = np.zeros(len(scenes), "int64")
    for name, values in scenes.attributes.items():
        ids = ids * len(scenes.attribute_values[name]) + values
    return ids


# ----------------------------------------------------------------------------
# Judges: one classifier per attribute, trained on real training scenes.


def train_attribute_classifiers(scenes, epochs, seed=0, filters=(32, 64, 128)):
    """A small CNN per attribute, as `kgen.metrics.FeatureExtractor`s.

    Stride-2 convolutions with `filters` (none: a perceptron), a dense
    layer of 64 features, the class logits.
    """
    extractors = {}
    for name, values in scenes.attributes.items():
        keras.utils.set_random_seed(seed)
        inputs = keras.Input(scenes.images.shape[1:])
        hidden = inputs
        for count in filters:
            hidden = keras.layers.Conv2D(
                count, 3, strides=2, padding="same", activation="relu"
            )(hidden)
        hidden = keras.layers.Flatten()(hidden)
        hidden = keras.layers.Dense(64, activation="relu", name="features")(
            hidden
        )
        outputs = keras.layers.Dense(len(scenes.attribute_values[name]))(hidden)
        model = keras.Model(inputs, outputs, name=f"{name}_classifier")
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        model.fit(
            scenes.images, values, epochs=epochs, batch_size=128, verbose=0
        )
        extractors[name] = kgen.metrics.FeatureExtractor(
            model, feature_layer="features"
        )
    return extractors


def attribute_accuracy(extractors, images, scenes):
    """Per-attribute accuracy, their mean and the all-correct fraction."""
    correct = {
        name: extractor.predict_classes(images) == scenes.attributes[name]
        for name, extractor in extractors.items()
    }
    result = {name: float(hits.mean()) for name, hits in correct.items()}
    result["mean"] = float(np.mean(list(result.values())))
    result["all_correct"] = float(np.all(list(correct.values()), 0).mean())
    return result


def features(extractors, images):
    return np.concatenate([e.features(images) for e in extractors.values()], 1)


# ----------------------------------------------------------------------------
# Methods: kgen's model and the baselines draw one image per test caption.


def retrieval_images(model, train, captions):
    """The training image whose caption embedding is closest to each query."""
    keys = model.encode_captions(train.captions)
    queries = model.encode_captions(captions)
    return train.images[np.argmax(queries @ keys.T, axis=1)]


def evaluate(model, extractors, train, seen, held, seed=0):
    """Attribute accuracy, Fréchet distance and R-precision of every method.

    R-precision ranks each caption among 100 (fewer, half the test scenes,
    when there are fewer than 200).
    """
    rng = np.random.default_rng(seed)
    real_features = features(extractors, seen.images)
    methods = {
        "kgen_gan_int_cls": lambda s, k: model.generate(s.captions, seed=k),
        "retrieval": lambda s, k: retrieval_images(model, train, s.captions),
        "random_training_image": lambda s, k: train.images[
            rng.integers(0, len(train), len(s))
        ],
        "real_test_images": lambda s, k: s.images,
    }
    metrics, samples = {}, {}
    for name, draw in methods.items():
        start = time.perf_counter()
        images = {"seen": draw(seen, seed), "held_out": draw(held, seed + 1)}
        samples[name] = images
        metrics[name] = {
            "attribute_accuracy_seen": attribute_accuracy(
                extractors, images["seen"], seen
            ),
            "attribute_accuracy_held_out": attribute_accuracy(
                extractors, images["held_out"], held
            ),
            "frechet_distance": kgen.metrics.frechet_distance(
                real_features, features(extractors, images["seen"])
            ),
            "r_precision": t2i.r_precision(
                model.encode_images(images["seen"]),
                model.encode_captions(seen.captions),
                groups=combination_ids(seen),
                num_candidates=min(100, len(seen) // 2),
                seed=seed,
            ),
            "seconds": time.perf_counter() - start,
        }
    return metrics, samples


# ----------------------------------------------------------------------------
# Pictures.


def save_scene_picture(path, scenes, count=8):
    """Writes the first `count` scenes with their captions (real data)."""
    figure, axes = plt.subplots(1, count, figsize=(1.9 * count, 2.7))
    for axis, image, caption in zip(axes, scenes.images, scenes.captions):
        axis.imshow(image)
        axis.set_title(_wrap(caption), fontsize=7)
        axis.axis("off")
    figure.tight_layout()
    figure.savefig(path, dpi=60)
    plt.close(figure)


def _wrap(caption, width=22):
    lines, line = [], ""
    for word in caption.split():
        if line and len(line) + len(word) >= width:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def save_pictures(output, model, seen, held, task, seed=0, columns=6):
    """Writes the caption grid and the interpolation between two captions."""
    rows = [(c, "seen") for c in seen.captions[:4]]
    rows += [(c, "held out") for c in held.captions[:3]]
    figure, axes = plt.subplots(
        len(rows), columns + 1, figsize=(1.3 * (columns + 3), 1.25 * len(rows))
    )
    for row, (caption, kind) in enumerate(rows):
        images = model.generate([caption] * columns, seed=seed + row)
        axes[row, 0].text(
            1.0,
            0.5,
            f"{caption}\n({kind})",
            ha="right",
            va="center",
            fontsize=7,
        )
        for column, image in enumerate(images):
            axes[row, column + 1].imshow(np.clip(image, 0, 1))
        for axis in axes[row]:
            axis.axis("off")
    figure.tight_layout()
    figure.savefig(os.path.join(output, "caption_grid.png"), dpi=60)
    plt.close(figure)

    start, end = INTERPOLATIONS[task]
    path = model.interpolate(start, end, num_steps=8, seed=seed)
    figure, axes = plt.subplots(1, len(path), figsize=(1.2 * len(path), 1.6))
    for axis, image in zip(axes, path):
        axis.imshow(np.clip(image, 0, 1))
        axis.axis("off")
    figure.suptitle(f'"{start}"  →  "{end}"', fontsize=8)
    figure.tight_layout()
    figure.savefig(os.path.join(output, "interpolation.png"), dpi=60)
    plt.close(figure)


# ----------------------------------------------------------------------------
# Main.


def run(args):
    """Runs one task as the command line describes; returns the metrics."""
    os.makedirs(args.output, exist_ok=True)
    keras.utils.set_random_seed(args.seed)
    if args.quick:
        args.num_train, args.num_test = min(args.num_train, 64), 32
        args.embedding_epochs = args.gan_epochs = args.classifier_epochs = 1
    progress = keras.utils.Progbar(5, stateful_metrics=["stage"])
    timings, start = {}, time.perf_counter()
    train, seen, held = load_scenes(
        args.task,
        args.data_dir,
        args.num_train,
        args.num_test,
        args.canvas_size,
        args.seed,
    )
    timings["data"] = time.perf_counter() - start
    save_scene_picture(os.path.join(args.output, "scenes.png"), train)
    progress.add(1)
    start = time.perf_counter()
    # Quick runs are smoke tests: perceptron judges compile fastest.
    extractors = train_attribute_classifiers(
        train,
        args.classifier_epochs,
        args.seed,
        () if args.quick else args.judge_filters,
    )
    timings["classifiers"] = time.perf_counter() - start
    progress.add(1)
    model = t2i.TextToImage(
        image_shape=train.images.shape[1:],
        max_length=16,
        base_filters=8 if args.quick else args.base_filters,
        seed=args.seed,
    )
    start = time.perf_counter()
    histories = model.fit(
        train.images,
        train.captions,
        embedding_epochs=args.embedding_epochs,
        gan_epochs=args.gan_epochs,
        batch_size=args.batch_size,
        verbose=0,
    )
    timings["text_to_image_fit"] = time.perf_counter() - start
    progress.add(1)
    metrics, _ = evaluate(model, extractors, train, seen, held, args.seed)
    progress.add(1)
    save_pictures(args.output, model, seen, held, args.task, args.seed)
    model.save(os.path.join(args.output, "text_to_image.keras"))
    progress.add(1)
    report = {
        "task": args.task,
        "settings": vars(args),
        "num_train": len(train),
        "num_test_seen": len(seen),
        "num_test_held_out": len(held),
        "held_out_combinations": list(
            t2i.DIGIT_HOLDOUT if args.task == "digits" else t2i.SHAPE_HOLDOUT
        ),
        "backend": keras.backend.backend(),
        "timings": timings,
        "final_losses": {
            stage: {k: float(v[-1]) for k, v in history.history.items()}
            for stage, history in histories.items()
            if history is not None
        },
        "metrics": metrics,
    }
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(report, file, indent=2)
    print(
        f"{'method':24s} {'attr seen':>9s} {'held out':>9s} {'FD':>8s} R-prec"
    )
    for name, values in metrics.items():
        print(
            f"{name:24s} {values['attribute_accuracy_seen']['mean']:9.3f} "
            f"{values['attribute_accuracy_held_out']['mean']:9.3f} "
            f"{values['frechet_distance']:8.2f} {values['r_precision']:.3f}"
        )
    return metrics


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--task",
        choices=("digits", "shapes"),
        default="digits",
        help="MNIST digit scenes or two-shape scenes",
    )
    parser.add_argument(
        "--data-dir", default=DATA_DIR, help="folder holding mnist.npz"
    )
    parser.add_argument(
        "--output", default="text_to_image_output", help="output folder"
    )
    parser.add_argument(
        "--num-train", type=int, default=20000, help="training scenes"
    )
    parser.add_argument(
        "--num-test",
        type=int,
        default=2000,
        help="test scenes of seen and of held-out combinations (each)",
    )
    parser.add_argument(
        "--canvas-size", type=int, default=32, help="side of the RGB canvas"
    )
    parser.add_argument(
        "--embedding-epochs",
        type=int,
        default=3,
        help="epochs of the joint image-text embedding",
    )
    parser.add_argument(
        "--gan-epochs", type=int, default=5, help="epochs of the GAN"
    )
    parser.add_argument(
        "--classifier-epochs",
        type=int,
        default=10,
        help="epochs of each attribute classifier",
    )
    parser.add_argument(
        "--judge-filters",
        type=int,
        nargs="*",
        default=[32, 64, 128],
        help="filters of the attribute classifiers' stride-2 convolutions",
    )
    parser.add_argument(
        "--base-filters",
        type=int,
        default=32,
        help="filters of the GAN's first/last convolution",
    )
    parser.add_argument("--batch-size", type=int, default=64, help="batch size")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny smoke run: 64 training and 32 + 32 test scenes, tiny "
        "networks, perceptron judges, 1 epoch",
    )
    return parser.parse_args(argv)


def main(argv=None):
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
