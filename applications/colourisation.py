"""Colourisation of grey photos with kgen, against simple baselines.

Trains kgen's colourisers (`kgen.applications.colourisation.Colouriser`:
U-Net regression, Zhang et al.'s classification over ab bins, Pix2Pix, and
the plain autoencoder) on random patches of the photos bundled with kgen's
dependencies, and colours whole held-out photos. The split is by photo
(the two motorcycle views stay together) and rotates over `--folds` folds,
so every photo is tested once by a model that never saw it. Baselines
computed in the same run: grey (ab = 0), the training pixels' mean ab, and
a lookup table of the mean ab per lightness bin.

Writes to `--output`: `metrics.json` (PSNR and SSIM in RGB, ab RMSE,
colourfulness against the truth, per method, averaged over every held-out
photo, and per fold; settings, timings) and `colourisation.png` (held-out
photos: grey / baselines / the best kgen model / truth).

Run `python applications/colourisation.py --help` for the options;
`--quick` is a tiny smoke run.

    KERAS_BACKEND=tensorflow python applications/colourisation.py \
        --output colourisation_output
"""

import argparse
import io
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
import PIL.Image  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from kgen.applications import colourisation  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK_PHOTOS = ("chelsea", "coffee", "rocket", "astronaut")
# "rebalanced_<method>": the method with class-rebalanced pixel losses.
REBALANCED = ("regression", "adversarial", "autoencoder")
VARIANTS = colourisation.METHODS + tuple(f"rebalanced_{m}" for m in REBALANCED)


# ----------------------------------------------------------------------------
# Data: photos downscaled, folds by photo, training patches with flips.


def load_folds(args):
    """`(photos, folds)`: uint8 photos by name and `(train, test)` names."""
    names = QUICK_PHOTOS if args.quick else args.photos
    photos = colourisation.load_colour_photos(names, scale=args.scale)
    folds = colourisation.photo_folds(list(photos), args.folds, args.seed)
    return photos, folds


def training_pairs(photos, names, args, seed):
    """Lab training pairs from random flipped patches of `names`."""
    patches = colourisation.random_patches(
        [photos[name] for name in names],
        args.num_patches,
        args.patch_size,
        seed=seed,
    )
    return colourisation.lab_pairs(patches)


# ----------------------------------------------------------------------------
# Models: kgen's colourisers and the baselines.


def build_colouriser(variant, args):
    """A compiled kgen Colouriser of `variant` with the script's settings."""
    method = variant.removeprefix("rebalanced_")
    model = colourisation.Colouriser(
        method,
        rebalance=method != variant,
        rebalancing=args.rebalancing,
        temperature=args.temperature,
        saturation=args.saturations[0],
        adversarial_weight=args.adversarial_weight,
        base_filters=args.base_filters,
        num_downsampling=args.num_downsampling,
        grid_size=args.grid_size,
        seed=args.seed,
    )
    model.compile(optimizer=keras.optimizers.Adam(args.learning_rate, 0.5))
    return model


class ValidationCheckpoint(keras.callbacks.Callback):
    """Keeps the weights and saturation that score best on validation photos.

    Every `every` training steps the model colours the grey `validation`
    photos at each of `saturations` (`Colouriser.saturation`); at the end
    of training it gets back the weights and saturation of the check with
    the lowest ab RMSE among those whose colourfulness is within 20 % of
    the validation photos' own (the goal's band), or of the lowest ab RMSE
    overall when no check is in the band. The test photos play no part in
    this choice.
    """

    def __init__(self, validation, every, saturations=(1.0,)):
        super().__init__()
        self.truth, self.every = validation, every
        self.saturations = saturations
        self.greys = [grey(photo) for photo in validation]
        self.steps, self.checks, self.best = 0, [], None

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.steps % self.every:
            return
        coloured = colours_at_saturations(
            self.model, self.greys, self.saturations
        )
        for saturation, images in zip(self.saturations, coloured):
            scores = colourisation.colourisation_scores(images, self.truth)
            check = {"step": self.steps, "saturation": saturation}
            check.update(_figures(scores))
            self.checks.append(check)
            if self.best is None or _rank(check) < _rank(self.best[0]):
                self.best = (check, self.model.get_weights())

    def on_train_end(self, logs=None):
        if self.best is not None:
            self.model.set_weights(self.best[1])
            self.model.saturation = self.best[0]["saturation"]

    def report(self):
        """The chosen step and saturation and every check, for
        `metrics.json`."""
        best = self.best[0] if self.best else {}
        return {
            "chosen_step": best.get("step"),
            "chosen_saturation": best.get("saturation"),
            "checks": self.checks,
        }


def _rank(check):
    """Sort key of a validation check: in the colourfulness band, then RMSE."""
    outside = abs(check["colourfulness_ratio"] - 1.0) > 0.2
    return (outside, check["ab_rmse"])


def _figures(scores):
    """The figures of a colourisation that the choice rules look at."""
    return {
        "ab_rmse": scores["ab_rmse"],
        "colourfulness_ratio": scores["colourfulness_ratio"],
        "psnr": scores["psnr"],
    }


def colours_at_saturations(model, greys, saturations):
    """`model`'s colours of `greys` at each of `saturations` (a list of
    image lists); the model's own saturation is left as it was."""
    current, coloured = model.saturation, []
    for saturation in saturations:
        model.saturation = saturation
        coloured.append(model.colourise(greys))
    model.saturation = current
    return coloured


def cross_validated_saturation(photos, train, method, args, fold):
    """`(saturation, report)`: the factor chosen by inner cross-validation.

    The `train` scenes are split into `--saturation-cv` inner folds by
    scene (one per scene when there are fewer). In each, a model of
    `method` with the script's settings trains on the other inner folds and
    colours the inner fold's photos at every `--saturations` value, beside
    the baselines fitted on the same photos. Pooled over all `train`
    photos, each factor's out-of-fold colours are checked against the
    goal's three parts (`goal_parts`, with the pooled baselines); the
    choice is `choose_saturation`'s. The test photos play no part.
    """
    seed = args.seed + 200 + fold
    inner = colourisation.photo_folds(list(train), None, seed)
    if args.saturation_cv < len(inner):
        inner = colourisation.photo_folds(list(train), args.saturation_cv, seed)
    pooled = [[] for _ in args.saturations]
    baselines = {name: [] for name in colourisation.BASELINES}
    truth = []
    for index, (fit_names, held_out) in enumerate(inner):
        patch_seed = args.seed + 1000 * (fold + 1) + index
        model = fit_colouriser(method, photos, fit_names, args, patch_seed)
        greys = [grey(photos[name]) for name in held_out]
        coloured = colours_at_saturations(model, greys, args.saturations)
        for images, more in zip(pooled, coloured):
            images.extend(more)
        for name, more in baseline_colours(photos, fit_names, held_out).items():
            baselines[name].extend(more)
        truth.extend(photos[name] for name in held_out)
    summary = {
        name: colourisation.colourisation_scores(images, truth)
        for name, images in baselines.items()
    }
    checks = []
    for saturation, images in zip(args.saturations, pooled):
        summary[method] = colourisation.colourisation_scores(images, truth)
        parts = goal_parts(summary, method)
        check = {"saturation": saturation, **_figures(summary[method])}
        checks.append({**check, "meets_goal": all(parts.values())})
    saturation = choose_saturation(checks, args.saturation_rule)
    report = {
        "inner_folds": [list(held_out) for _, held_out in inner],
        "baselines": {
            name: _figures(summary[name]) for name in colourisation.BASELINES
        },
        "checks": checks,
        "chosen_saturation": saturation,
    }
    return saturation, report


def choose_saturation(checks, rule="goal"):
    """The saturation of `--saturation-cv`, from pooled out-of-fold checks.

    `rule="goal"`: the midpoint of the smallest and the largest factor
    whose checks meet all three goal parts (`meets_goal`), which keeps the
    widest margin to both edges of that range; when none does, the
    validation rule (`_rank`: the lowest ab RMSE within the colourfulness
    band, else the lowest ab RMSE). `rule="colourfulness"`: the factor
    whose colourfulness ratio is closest to 1 (the first of a tie).
    """
    if rule == "colourfulness":
        closest = min(checks, key=lambda c: abs(c["colourfulness_ratio"] - 1))
        return closest["saturation"]
    met = [check["saturation"] for check in checks if check["meets_goal"]]
    if met:
        return 0.5 * (min(met) + max(met))
    return min(checks, key=_rank)["saturation"]


def fit_colouriser(method, photos, names, args, seed, callbacks=()):
    """A kgen Colouriser of `method` trained as the script says on patches
    of the photos `names` drawn with `seed`; with `--ensemble M`, an
    `AveragedColouriser` of M such models, member `i` on the patches of
    `seed + 10000 i`."""
    models = []
    for member in range(args.ensemble):
        x, y = training_pairs(photos, names, args, seed + 10_000 * member)
        model = build_colouriser(method, args)
        model.fit(
            x,
            y,
            batch_size=args.batch_size,
            epochs=args.epochs,
            verbose=0,
            callbacks=list(callbacks),
        )
        models.append(model)
    return models[0] if len(models) == 1 else AveragedColouriser(models)


class AveragedColouriser:
    """Colours grey images with the mean predicted ab of trained
    Colourisers (`--ensemble`), times its own `saturation`.

    `colourise` is the Colouriser's, over the averaged `predict_ab`; the
    members' saturation is set to 1 and theirs on entry becomes this one's.
    """

    colourise = colourisation.Colouriser.colourise
    _lightness = colourisation.Colouriser._lightness

    def __init__(self, models):
        self.models, self.saturation = models, models[0].saturation
        self.downsampling_factor = models[0].downsampling_factor
        for model in models:
            model.saturation = 1.0

    def predict_ab(self, lightness, batch_size=8):
        ab = [model.predict_ab(lightness, batch_size) for model in self.models]
        return self.saturation * np.mean(ab, axis=0)


def split_validation(train, fold, args):
    """`(fit_names, validation_names)`: a share of the training scenes held
    out for choosing the training length (none without
    `--validation-folds`)."""
    if not args.validation_folds:
        return list(train), []
    inner = colourisation.photo_folds(
        list(train), args.validation_folds, args.seed + 100 + fold
    )
    return list(inner[0][0]), list(inner[0][1])


def baseline_colours(photos, train, test):
    """RGB colourisations of the `test` photos by every baseline."""
    train_lab = np.concatenate(
        [colourisation.rgb_to_lab(photos[n]).reshape(-1, 3) for n in train]
    )
    baselines = colourisation.fit_baselines(train_lab)
    colours = {}
    for name, predict in baselines.items():
        colours[name] = []
        for photo in test:
            lab = colourisation.rgb_to_lab(photos[photo])
            lab[..., 1:] = predict(lab[..., 0])
            colours[name].append(colourisation.lab_to_rgb(lab))
    return colours


def grey(photo):
    """The grey image a colouriser receives: the lightness as RGB grey."""
    lab = colourisation.rgb_to_lab(photo)
    lab[..., 1:] = 0.0
    return colourisation.lab_to_rgb(lab)[..., 0]


# ----------------------------------------------------------------------------
# Evaluation over the folds, with a progress bar.


def evaluate(photos, folds, args):
    """Colours every held-out photo with every method; returns the results.

    Returns:
        `(colours, per_fold, seconds)`: RGB colourisations by method and
        photo name, the scores of each method on each fold, and each
        kgen method's training time summed over folds (with the inner
        cross-validation of `--saturation-cv`).
    """
    methods = list(colourisation.BASELINES) + list(args.methods)
    colours = {name: {} for name in methods}
    per_fold, seconds = [], dict.fromkeys(args.methods, 0.0)
    # Baselines fit on every training photo; kgen models on `fit_names`
    # (fewer when some are held out for validation).
    progress = keras.utils.Progbar(len(folds) * (1 + len(args.methods)))
    for fold, (train, test) in enumerate(folds):
        truth = [photos[name] for name in test]
        greys = [grey(photo) for photo in truth]
        fold_colours = baseline_colours(photos, train, test)
        progress.add(1)
        fit_names, validation = split_validation(train, fold, args)
        checks, cross_validation = {}, {}
        for method in args.methods:
            start = time.time()
            callbacks = []
            if validation:
                callbacks = [
                    ValidationCheckpoint(
                        [photos[n] for n in validation],
                        args.check_every,
                        args.saturations,
                    )
                ]
            model = fit_colouriser(
                method, photos, fit_names, args, args.seed + fold, callbacks
            )
            if args.saturation_cv:
                model.saturation, cross_validation[method] = (
                    cross_validated_saturation(
                        photos, train, method, args, fold
                    )
                )
            seconds[method] += time.time() - start
            if validation:
                checks[method] = callbacks[0].report()
            fold_colours[method] = model.colourise(greys)
            progress.add(1)
        scores = {
            name: colourisation.colourisation_scores(images, truth)
            for name, images in fold_colours.items()
        }
        per_fold.append(
            {
                "test_photos": list(test),
                "validation_photos": validation,
                "validation_checks": checks,
                "saturation_cv": cross_validation,
                "scores": scores,
            }
        )
        for name, images in fold_colours.items():
            colours[name].update(zip(test, images))
    return colours, per_fold, seconds


def summarise(colours, photos, args):
    """Scores of each method over every held-out photo, and the goal.

    The goal's three parts are checked for the best kgen method by ab RMSE
    (the top-level entries) and for each kgen method (`per_method`);
    `met_by` lists the kgen methods that meet all three.
    """
    names = list(photos)
    summary = {
        method: colourisation.colourisation_scores(
            [images[n] for n in names], [photos[n] for n in names]
        )
        for method, images in colours.items()
    }
    per_method = {m: goal_parts(summary, m) for m in args.methods}
    best = min(args.methods, key=lambda m: summary[m]["ab_rmse"])
    goal = {
        "best_kgen_method": best,
        **per_method[best],
        "per_method": per_method,
        "met_by": [m for m, parts in per_method.items() if all(parts.values())],
    }
    return summary, goal


def goal_parts(summary, method):
    """The goal's three parts for one kgen method: booleans by name."""
    scores = summary[method]
    return {
        "beats_every_baseline_on_ab_rmse": all(
            scores["ab_rmse"] < summary[b]["ab_rmse"]
            for b in colourisation.BASELINES
        ),
        "colourfulness_within_20_percent": abs(
            scores["colourfulness_ratio"] - 1.0
        )
        <= 0.2,
        "psnr_at_least_grey": scores["psnr"] >= summary["grey"]["psnr"],
    }


def save_picture(path, colours, photos, kgen_methods, num_photos=4):
    """Held-out photos: grey / baselines / kgen models / truth."""
    names = sorted(photos, key=lambda n: photos[n].size)[:num_photos]
    columns = [("grey", None), ("mean ab", "mean_ab")]
    columns.append(("lightness lookup", "lightness_lookup"))
    columns += [(f"kgen {m}".replace("_", " "), m) for m in kgen_methods]
    columns.append(("truth", None))
    figure, axes = plt.subplots(
        len(names), len(columns), figsize=(2.0 * len(columns), 1.6 * len(names))
    )
    axes = np.atleast_2d(axes)
    for row, name in enumerate(names):
        for column, (title, method) in enumerate(columns):
            if title == "grey":
                image = grey(photos[name])
            elif title == "truth":
                image = photos[name]
            else:
                image = colours[method][name]
            axes[row, column].imshow(image, cmap="gray", vmin=0, vmax=1)
            axes[row, column].set_axis_off()
            if not row:
                axes[row, column].set_title(title, fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, dpi=80)
    plt.close(figure)
    # A 256-colour palette keeps the picture small (Pillow comes with
    # matplotlib).
    image = PIL.Image.open(buffer).convert("RGB")
    image.quantize(256, dither=PIL.Image.Dither.NONE).save(path, optimize=True)


# ----------------------------------------------------------------------------
# Main.


def run(args):
    """Runs the evaluation as the command line describes; returns metrics."""
    start = time.time()
    os.makedirs(args.output, exist_ok=True)
    keras.utils.set_random_seed(args.seed)
    photos, folds = load_folds(args)
    colours, per_fold, seconds = evaluate(photos, folds, args)
    summary, goal = summarise(colours, photos, args)
    shown = [goal["best_kgen_method"]] + goal["met_by"][:1]
    save_picture(
        os.path.join(args.output, "colourisation.png"),
        colours,
        photos,
        list(dict.fromkeys(shown)),
    )
    report = {
        "settings": vars(args),
        "backend": keras.backend.backend(),
        "photos": {name: list(photo.shape) for name, photo in photos.items()},
        "folds": [{"train": list(a), "test": list(b)} for a, b in folds],
        "metrics": summary,
        "goal": goal,
        "training_seconds": seconds,
        "per_fold": per_fold,
        "wall_seconds": time.time() - start,
    }
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(report, file, indent=2)
    print(f"{'method':18s} {'ab RMSE':>8s} {'PSNR':>7s} {'SSIM':>6s} colourful")
    for name, scores in summary.items():
        print(
            f"{name:18s} {scores['ab_rmse']:8.2f} {scores['psnr']:7.2f} "
            f"{scores['ssim']:6.3f} {scores['colourfulness']:6.1f} "
            f"({scores['colourfulness_ratio']:.2f} of truth)"
        )
    print("goal:", goal)
    return report


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--output", default="colourisation_output", help="output folder"
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        default=list(colourisation.METHODS),
        choices=VARIANTS,
        help="kgen colourisers to train; rebalanced_<method> weights the "
        "pixel loss of <method> by Zhang et al.'s class-rebalancing weights",
    )
    parser.add_argument(
        "--photos",
        nargs="+",
        default=None,
        help="bundled photos to use (default: all of kgen.datasets.PHOTOS)",
    )
    parser.add_argument("--folds", type=int, default=3, help="folds by photo")
    parser.add_argument(
        "--scale", type=float, default=0.25, help="photo downscaling factor"
    )
    parser.add_argument(
        "--patch-size", type=int, default=32, help="training patch side"
    )
    parser.add_argument(
        "--num-patches", type=int, default=2000, help="patches per fold"
    )
    parser.add_argument("--epochs", type=int, default=3, help="epochs")
    parser.add_argument("--batch-size", type=int, default=16, help="batch size")
    parser.add_argument(
        "--learning-rate", type=float, default=1e-3, help="Adam learning rate"
    )
    parser.add_argument(
        "--base-filters", type=int, default=16, help="first layer's filters"
    )
    parser.add_argument(
        "--num-downsampling", type=int, default=3, help="stride-2 steps"
    )
    parser.add_argument(
        "--grid-size",
        type=float,
        default=20.0,
        help="ab bin side of the classification method (76 in-gamut bins)",
    )
    parser.add_argument(
        "--rebalancing",
        type=float,
        default=0.5,
        help="uniform share lambda of the class-rebalancing prior "
        "(Zhang et al.'s 0.5; 1 gives equal weights)",
    )
    parser.add_argument(
        "--temperature",
        type=float,
        default=0.38,
        help="annealed-mean temperature T of the classification method",
    )
    parser.add_argument(
        "--adversarial-weight",
        type=float,
        default=0.01,
        help="weight of the adversarial term beside L1 (Pix2Pix: 0.01)",
    )
    parser.add_argument(
        "--validation-folds",
        type=int,
        default=0,
        help="if > 0, hold out 1/N of each fold's training scenes as "
        "validation photos and keep the kgen weights (checked every "
        "--check-every steps) with the lowest validation ab RMSE among "
        "checks within 20 %% of the validation colourfulness; 0: train "
        "on all and keep the last weights",
    )
    parser.add_argument(
        "--check-every",
        type=int,
        default=125,
        help="training steps between validation checks",
    )
    parser.add_argument(
        "--saturations",
        nargs="+",
        type=float,
        default=[1.0],
        help="Colouriser.saturation (the factor on the predicted ab); with "
        "--validation-folds, several values are tried at each check and "
        "the validation rule chooses the step and the saturation together; "
        "with --saturation-cv, the inner cross-validation chooses one",
    )
    parser.add_argument(
        "--saturation-cv",
        type=int,
        default=0,
        help="if >= 2, choose the saturation among --saturations by inner "
        "cross-validation: each fold's training scenes are split into K "
        "inner folds by scene (one per scene if K is larger), a model "
        "trained like the fold's on the others colours each inner fold, "
        "and the factor is the midpoint of those meeting every goal part "
        "on the pooled out-of-fold photos (else the validation rule); 0: off",
    )
    parser.add_argument(
        "--saturation-rule",
        choices=("goal", "colourfulness"),
        default="goal",
        help="--saturation-cv's choice on the pooled out-of-fold photos: "
        "'goal', the midpoint of the factors meeting every goal part (else "
        "the validation rule); 'colourfulness', the factor whose "
        "colourfulness is closest to the truth's",
    )
    parser.add_argument(
        "--ensemble",
        type=int,
        default=1,
        help="M > 1: each kgen model is the average of the predicted ab "
        "of M models, each trained on its own draw of patches",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny smoke run: 4 photos at scale 0.1, 2 folds, 32 patches of "
        "16 pixels, tiny networks, 1 epoch",
    )
    args = parser.parse_args(argv)
    if args.saturation_cv == 1 or args.saturation_cv < 0:
        parser.error(
            f"--saturation-cv takes K >= 2 inner folds, or 0 for none; "
            f"received {args.saturation_cv}"
        )
    if args.ensemble < 1 or (args.ensemble > 1 and args.validation_folds):
        parser.error(
            f"--ensemble takes M >= 1 models, without --validation-folds "
            f"(which keeps one model's weights); received {args.ensemble}"
        )
    if args.saturation_cv and args.validation_folds:
        parser.error(
            "--saturation-cv and --validation-folds both choose the "
            "saturation: give one of them"
        )
    choosers = args.validation_folds or args.saturation_cv
    if len(args.saturations) > 1 and not choosers:
        parser.error(
            "several --saturations are chosen among on validation photos "
            "or by inner cross-validation: add --validation-folds N or "
            "--saturation-cv K (N, K >= 2), or give one value"
        )
    if args.quick:
        args.folds, args.scale, args.num_patches = 2, 0.1, 32
        args.patch_size, args.base_filters, args.epochs = 16, 4, 1
        args.num_downsampling, args.grid_size = 2, 30.0
    return args


def main(argv=None):
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
