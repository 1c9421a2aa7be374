"""Super-resolution x4: bicubic against SRResNet and SRGAN, and SRGAN's speed.

Quality (TensorFlow backend, the fastest for convolutions on a CPU): pairs
from `kgen.datasets.super_resolution_pairs` (bundled photos downscaled by
`--photo-scale`, x4 bicubic anti-aliased low-resolution versions;
`--patch` high-resolution patches, half a patch apart in training; test
photos chelsea, coffee and rocket never seen in training, cut into
non-overlapping patches). Adam with a cosine decay to 0. Compared on the held-out patches:

- bicubic: `skimage.transform.resize(order=3)` of the low-resolution patch;
- SRResNet: `kgen.models.SRGAN` with `adversarial_weight=0` (pixel MSE);
- SRGAN: initialised with the trained SRResNet generator (as in the paper)
  and trained further with a discriminator and `--adversarial-weight`; one
  SRGAN per combination of the values of `--gan-loss`, `--d-filters`,
  `--adversarial-weight`, `--gan-d-learning-rate` and
  `--content-feature-weight` (pixel MSE plus that weight times the MSE of
  a convolutional classifier's feature maps, see `content_models`), all
  from the same SRResNet.

Metrics: PSNR and SSIM (`skimage.metrics`) on RGB (data range [-1, 1]) and
on the luminance Y (`skimage.color.rgb2ycbcr`, range 0-255, as in the SR
literature; no border crop), and the Fréchet distance to the true test
patches in the features of a classifier trained on real training patches
only (`kgen.metrics.train_feature_extractor` on pixels in [-1, 1],
predicting which of the nine training photos a patch comes from: texture
statistics), with its floor
(training vs test true patches). Writes the crop picture
`bench/results/super_resolution_crops.png` (rows: crops of the three test
photos; columns: bicubic, SRResNet, SRGAN, truth).

Speed (`--part speed`, JAX backend): SRGAN `fit` against a hand-written
`jax.jit` loop of the same step (generator on pixel MSE + w x
non-saturating loss, then the discriminator on the generator's fakes,
Adam each), with the paired-epoch harness of `bench/pix2pix_speed.py`.

    python bench/super_resolution.py [--quick] [--part quality|speed]

Settings are chosen with `--validation-photos NAME...`: those training
photos are held out of training and scored instead of the test photos
(the test photos stay out of training either way). `--augment`,
`--train-scales` and `--train-stride` give the generators more varied
training pairs; the feature classifier always learns the pairs at
`--photo-scale`, half a patch apart, unaugmented.
"""

import argparse
import itertools
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
SCALE = 4
TEST_PHOTOS = ("chelsea", "coffee", "rocket")


def networks(args, patch, normalization="batch"):
    """SRResNet without batch normalisation (as EDSR) and with an input
    skip (as VDSR), and the discriminator."""
    import kgen

    generator = kgen.models.build_srresnet_generator(
        SCALE,
        num_blocks=args.blocks,
        filters=args.filters,
        normalization=None,
        input_skip=True,
    )
    return generator, discriminator(args.d_filters[0], patch, normalization)


def discriminator(filters, patch, normalization="batch", spectral=False):
    """The SRGAN discriminator of `filters` base filters (spectrally
    normalised, without batch normalisation, if `spectral`)."""
    import kgen

    return kgen.models.build_srgan_discriminator(
        (patch, patch, 3),
        filters=filters,
        num_downsampling=3,
        dense_units=8 * filters,
        normalization=normalization,
        spectral_normalization=spectral,
    )


def srgan_settings(args):
    """(name, adversarial loss, discriminator filters, weight, discriminator
    learning rate, content feature weight) per SRGAN."""
    grid = {
        "": args.gan_loss,
        "d": args.d_filters,
        "w": args.adversarial_weight,
        "dlr": args.gan_d_learning_rate or [args.gan_learning_rate],
        "cw": args.content_feature_weight,
    }
    varied = [key for key, values in grid.items() if len(values) > 1]
    for loss, filters, weight, d_rate, content in itertools.product(
        *grid.values()
    ):
        values = {
            "": loss,
            "d": filters,
            "w": f"{weight:g}",
            "dlr": f"{d_rate:g}",
            "cw": f"{content:g}",
        }
        name = "_".join(["srgan"] + [f"{k}{values[k]}" for k in varied])
        yield name, loss, filters, weight, d_rate, content


def bicubic(images):
    from skimage import transform

    n, h, w, c = images.shape
    return transform.resize(
        images, (n, h * SCALE, w * SCALE, c), order=3, anti_aliasing=False
    ).astype("float32")


def scores(truth, images):
    import numpy as np
    from skimage import color
    from skimage import metrics

    images = np.clip(images, -1, 1)

    def luminance(x):
        return color.rgb2ycbcr((x + 1) / 2)[..., 0]

    rows = {"psnr": [], "ssim": [], "psnr_y": [], "ssim_y": []}
    for t, x in zip(truth, images):
        rows["psnr"].append(metrics.peak_signal_noise_ratio(t, x, data_range=2))
        rows["ssim"].append(
            metrics.structural_similarity(t, x, data_range=2, channel_axis=-1)
        )
        ty, xy = luminance(t), luminance(x)
        rows["psnr_y"].append(
            metrics.peak_signal_noise_ratio(ty, xy, data_range=255)
        )
        rows["ssim_y"].append(
            metrics.structural_similarity(ty, xy, data_range=255)
        )
    return {name: float(np.mean(values)) for name, values in rows.items()}


def photo_extractor(patches, labels, args):
    """Features of a classifier of the source photo of real patches."""
    import numpy as np

    import kgen

    rng = np.random.default_rng(args.seed)
    picks = rng.permutation(len(patches))[: args.feature_patches]
    x, y = patches[picks], labels[picks]
    extractor = kgen.metrics.train_feature_extractor(
        x, y, hidden_units=(256, 32), epochs=args.feature_epochs, seed=args.seed
    )
    accuracy = float(np.mean(extractor.predict_classes(x) == y))
    print(f"source-photo classifier training accuracy {accuracy:.3f}")
    return lambda images: extractor.features(np.clip(images, -1, 1)), accuracy


def content_models(real, labels, args):
    """SRGAN content models, one per `--content-feature-weight`: pixels and
    the feature maps of a convolutional classifier (`None` for 0: pixels).

    The classifier (3x3 convolutions of 32 and 64 filters, each followed
    by 2x2 max pooling) learns the source photo of the real training
    patches, as VGG learns ImageNet's classes: it is not the Fréchet
    distance's extractor (a dense network, another seed). Its last
    convolution's maps (before pooling, as VGG's "5,4" maps), divided by
    their root mean square over real patches, are weighted against the
    pixels so that the content loss is `pixel MSE + weight x feature MSE`.
    """
    import keras
    import numpy as np

    import kgen

    weights = [w for w in args.content_feature_weight if w]
    if not weights:
        return {}
    rng = np.random.default_rng(args.seed + 1)
    picks = rng.permutation(len(real))[: args.feature_patches]
    extractor = kgen.metrics.train_feature_extractor(
        real[picks],
        labels[picks],
        hidden_units=(64,),
        conv_filters=(32, 64),
        epochs=args.feature_epochs,
        seed=args.seed + 1,
    )
    classifier = extractor.model
    last_conv = [
        layer
        for layer in classifier.layers
        if isinstance(layer, keras.layers.Conv2D)
    ][-1]
    maps = keras.Model(classifier.inputs, last_conv.output)
    maps.trainable = False
    rms = float(np.sqrt(np.mean(np.square(maps.predict(real, verbose=0)))))
    models = {0.0: None}
    for weight in weights:
        inputs = keras.Input(real.shape[1:])
        pixels = keras.layers.Flatten()(inputs)
        features = keras.layers.Flatten()(maps(inputs))
        # The MSE of the concatenation is proportional to pixel MSE +
        # weight x (feature MSE / rms^2).
        scale = (weight * pixels.shape[-1] / features.shape[-1]) ** 0.5 / rms
        features = keras.layers.Rescaling(scale)(features)
        models[weight] = keras.Model(
            inputs, keras.layers.Concatenate()([pixels, features])
        )
    return models


def train(model, low, high, args, epochs, learning_rate, d_rate=None):
    """`fit` with Adam, the learning rate decaying to 0 on a cosine (the
    discriminator's from `d_rate` when given).

    With `--augment`, each epoch sees every pair under a new random flip,
    rotation by a multiple of 90 degrees or both (the 8 symmetries of the
    square, applied alike to the low- and high-resolution patch: another
    pair of the same task).
    """
    import keras
    import numpy as np

    steps = epochs * -(-len(low) // args.batch)

    def adam(rate):
        schedule = keras.optimizers.schedules.CosineDecay(rate, steps)
        return keras.optimizers.Adam(schedule)

    optimizer = adam(learning_rate)
    if d_rate is not None:
        optimizer = {"generator": optimizer, "discriminator": adam(d_rate)}
    model.compile(optimizer=optimizer)
    rng = np.random.default_rng(args.seed)
    start = time.time()
    for epoch in range(epochs):
        x, y = low, high
        if args.augment:
            x, y = symmetries(rng.integers(8, size=len(low)), low, high)
        model.fit(
            x,
            y,
            batch_size=args.batch,
            epochs=epoch + 1,
            initial_epoch=epoch,
            verbose=2,
        )
    return time.time() - start


def symmetries(codes, *arrays):
    """Image `i` of each array transposed if `codes[i] >= 4`, then turned
    by `codes[i] % 4` quarter turns: the 8 symmetries of the square."""
    import numpy as np

    outputs = [np.empty_like(array) for array in arrays]
    for code in range(8):
        rows = np.flatnonzero(codes == code)
        for source, target in zip(arrays, outputs):
            images = source[rows]
            if code >= 4:
                images = np.transpose(images, (0, 2, 1, 3))
            target[rows] = np.rot90(images, code % 4, axes=(1, 2))
    return outputs


def held_out(args):
    """The evaluation photos (the test photos, or `--validation-photos`)
    and the training photos: neither a test nor an evaluation photo."""
    import kgen

    evaluation = tuple(args.validation_photos or TEST_PHOTOS)
    known = set(kgen.datasets.PHOTOS) - set(TEST_PHOTOS)
    if args.validation_photos and not set(evaluation) <= known:
        raise SystemExit(
            f"--validation-photos must be among the training photos "
            f"{sorted(known)}. Received: {list(evaluation)}."
        )
    training = [
        name
        for name in kgen.datasets.PHOTOS
        if name not in TEST_PHOTOS and name not in evaluation
    ]
    return evaluation, training


def photo_pairs(names, photo_scale, stride, args):
    """`(low, high)` pairs of each photo, a list in the order of `names`."""
    import kgen

    return [
        kgen.datasets.super_resolution_pairs(
            scale=SCALE,
            patch_size=args.patch,
            photo_scale=photo_scale,
            names=[name],
            test_photos=(),
            stride=stride,
        )[0]
        for name in names
    ]


def training_pairs(names, args):
    """`(high, labels)`: patches at `--photo-scale` half a patch apart with
    the index of their photo (the feature classifier's data), and
    `(low, high)`: the generators' pairs, `--train-stride` apart at each of
    `--train-scales`."""
    import numpy as np

    stride = args.train_stride or args.patch // 2
    scales = args.train_scales or [args.photo_scale]
    base = photo_pairs(names, args.photo_scale, args.patch // 2, args)
    labels = np.concatenate(
        [np.full(len(l), i) for i, (l, _) in enumerate(base)]
    )
    sets = (
        base
        if (stride, scales) == (args.patch // 2, [args.photo_scale])
        else [
            pair
            for photo_scale in scales
            for pair in photo_pairs(names, photo_scale, stride, args)
        ]
    )
    low, high = (np.concatenate(a)[: args.train_pairs] for a in zip(*sets))
    real = np.concatenate([h for _, h in base])[: args.train_pairs]
    return (real, labels[: args.train_pairs]), (low, high)


def quality(args):
    import keras
    import numpy as np

    import kgen

    evaluation, names = held_out(args)
    (real, labels), (low, high) = training_pairs(names, args)
    _, (low_test, high_test) = kgen.datasets.super_resolution_pairs(
        scale=SCALE,
        patch_size=args.patch,
        photo_scale=args.photo_scale,
        names=evaluation,
        test_photos=evaluation,
    )
    print(
        f"x4: {len(low)} training pairs from {names}, {len(low_test)} "
        f"evaluation pairs from {list(evaluation)}"
    )
    keras.utils.set_random_seed(args.seed)
    generator = networks(args, args.patch)[0]
    srresnet = kgen.models.SRGAN(
        generator, None, adversarial_weight=0.0, seed=args.seed
    )
    seconds = {
        "srresnet": train(
            srresnet, low, high, args, args.epochs, args.learning_rate
        )
    }
    rows = {
        "bicubic": bicubic(low_test),
        "srresnet": srresnet.upscale(low_test),
    }
    srgans = {}
    picks = np.random.default_rng(args.seed).permutation(len(low))
    gan_low, gan_high = (
        low[picks[: args.gan_pairs]],
        high[picks[: args.gan_pairs]],
    )
    settings = list(srgan_settings(args)) if args.gan_epochs else ()
    contents = content_models(real, labels, args) if settings else {}
    for name, loss, filters, weight, d_rate, content in settings:
        srgan_generator = keras.models.clone_model(generator)
        srgan_generator.set_weights(generator.get_weights())
        keras.utils.set_random_seed(args.seed)
        srgans[name] = kgen.models.SRGAN(
            srgan_generator,
            discriminator(
                filters, args.patch, spectral=args.spectral_discriminator
            ),
            adversarial_weight=weight,
            loss=loss,
            content_model=contents.get(content),
            seed=args.seed,
        )
        seconds[name] = train(
            srgans[name],
            gan_low,
            gan_high,
            args,
            args.gan_epochs,
            args.gan_learning_rate,
            d_rate,
        )
        rows[name] = srgans[name].upscale(low_test)
    features, accuracy = photo_extractor(real, labels, args)
    reference = features(high_test)
    results = {
        "train_photos": names,
        "evaluation_photos": list(evaluation),
        "train_pairs": len(low),
        "test_pairs": len(low_test),
        "fit_seconds": seconds,
        "feature_classifier_accuracy": accuracy,
        "fd_floor_train_vs_test": kgen.metrics.frechet_distance(
            features(real), reference
        ),
    }
    results["rows"] = list(rows)
    for name, images in rows.items():
        results[name] = scores(high_test, images)
        results[name]["fd"] = kgen.metrics.frechet_distance(
            reference, features(images)
        )
    if srgans and not args.validation_photos:
        srgan = srgans[next(iter(srgans))]
        results["crops"] = save_crops(srresnet, srgan, args)
    return results


def save_crops(srresnet, srgan, args):
    """Crops of the test photos: bicubic, SRResNet, SRGAN, truth."""
    import numpy as np

    import kgen

    side = 2 * args.patch
    rows = []
    for name in TEST_PHOTOS:
        _, (low, high) = kgen.datasets.super_resolution_pairs(
            SCALE,
            patch_size=side,
            photo_scale=args.photo_scale,
            names=[name],
            test_photos=[name],
        )
        pick = len(low) // 2
        low, high = low[pick : pick + 1], high[pick : pick + 1]
        rows.append(
            [bicubic(low), srresnet.upscale(low), srgan.upscale(low), high]
        )
    images = np.clip(np.concatenate([np.concatenate(r) for r in rows]), -1, 1)
    path = os.path.join(RESULTS, "super_resolution_crops.png")
    save_grid(images, path, num_columns=4)
    print(f"wrote {path}")
    return path


def save_grid(images, path, num_columns, zoom=2):
    """Tiles images in [-1, 1], each pixel shown as `zoom` x `zoom`."""
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    from matplotlib import pyplot

    images = np.clip((images + 1) / 2, 0, 1)
    images = images.repeat(zoom, axis=1).repeat(zoom, axis=2)
    rows = len(images) // num_columns
    height, width = images.shape[1:3]
    grid = np.ones((rows * (height + 2), num_columns * (width + 2), 3))
    for index, image in enumerate(images):
        row, column = divmod(index, num_columns)
        top, left = row * (height + 2), column * (width + 2)
        grid[top : top + height, left : left + width] = image
    pyplot.imsave(path, grid)


def speed(args):
    import keras
    import numpy as np

    import kgen

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pix2pix_speed

    patch = 8 * SCALE
    rng = np.random.default_rng(0)
    high = np.tanh(rng.normal(size=(args.speed_samples, patch, patch, 3)))
    high = high.astype("float32")
    low = high.reshape(-1, 8, SCALE, 8, SCALE, 3).mean(axis=(2, 4))
    weight = args.adversarial_weight[0]

    def build():
        return networks(args, patch, normalization=None)

    def loop(source, target):
        return jax_loop(source, target, build, weight)

    model = kgen.models.SRGAN(*build(), adversarial_weight=weight, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-4))
    fit, hand = pix2pix_speed.time_pairs(
        args.speed_epochs, len(low), loop, model=model, arrays=(low, high)
    )
    return {
        "backend": keras.backend.backend(),
        "fit_samples_per_s": len(low) / float(np.median(fit)),
        "loop_samples_per_s": len(low) / float(np.median(hand)),
        "ratio": float(np.median(hand / fit)),
        "ratio_quartiles": [
            float(q) for q in np.percentile(hand / fit, [25, 75])
        ],
        "epochs": args.speed_epochs,
        "samples_per_epoch": len(low),
        "batch_size": pix2pix_speed.BATCH,
    }


def jax_loop(source, target, build, weight):
    import jax
    import jax.numpy as jnp
    import keras

    generator, discriminator = build()
    g_opt, d_opt = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)
    g_opt.build(generator.trainable_variables)
    d_opt.build(discriminator.trainable_variables)

    def scores(d_vars, images):
        return discriminator.stateless_call(d_vars, [], images, training=True)[
            0
        ]

    def g_loss(g_vars, d_vars, low, high):
        fake = generator.stateless_call(g_vars, [], low, training=True)[0]
        adversarial = jnp.mean(jax.nn.softplus(-scores(d_vars, fake)))
        return jnp.mean((fake - high) ** 2) + weight * adversarial, fake

    def d_loss(d_vars, high, fake):
        return jnp.mean(jax.nn.softplus(-scores(d_vars, high))) + jnp.mean(
            jax.nn.softplus(scores(d_vars, fake))
        )

    @jax.jit
    def step(state, low, high):
        g_vars, d_vars, g_slots, d_slots = state
        grads, fake = jax.grad(g_loss, has_aux=True)(g_vars, d_vars, low, high)
        g_vars, g_slots = g_opt.stateless_apply(g_slots, grads, g_vars)
        grads = jax.grad(d_loss)(d_vars, high, fake)
        d_vars, d_slots = d_opt.stateless_apply(d_slots, grads, d_vars)
        return g_vars, d_vars, g_slots, d_slots

    holder = {
        "state": [
            [v.value for v in generator.trainable_variables],
            [v.value for v in discriminator.trainable_variables],
            [v.value for v in g_opt.variables],
            [v.value for v in d_opt.variables],
        ]
    }
    batch = 16

    def run_epoch(order):
        state = holder["state"]
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            state = step(state, source[rows], target[rows])
        holder["state"] = jax.block_until_ready(state)

    return run_epoch


def print_quality(results):
    print(
        f"{'x4, ' + '/'.join(results['evaluation_photos']):28} {'PSNR':>6} "
        f"{'SSIM':>6} {'PSNR-Y':>7} {'SSIM-Y':>7} {'FD':>8}"
    )
    for name in results["rows"]:
        row = results[name]
        print(
            f"{name:28} {row['psnr']:6.2f} {row['ssim']:6.3f} "
            f"{row['psnr_y']:7.2f} {row['ssim_y']:7.3f} {row['fd']:8.3f}"
        )
    gain = results["srresnet"]["psnr"] - results["bicubic"]["psnr"]
    print(
        f"SRResNet - bicubic: {gain:+.2f} dB (goal +1.0); FD floor "
        f"{results['fd_floor_train_vs_test']:.3f}"
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir",
        default=os.path.join(ROOT, "..", "shared", "data"),
        help="unused: the photos ship with scikit-image/learn, matplotlib",
    )
    parser.add_argument("--part", choices=("quality", "speed"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--patch", type=int, default=32)
    parser.add_argument("--photo-scale", type=float, default=0.5)
    parser.add_argument(
        "--validation-photos",
        nargs="+",
        help="evaluate on these training photos, held out of training, "
        "instead of the test photos (to choose settings)",
    )
    parser.add_argument(
        "--train-scales",
        type=float,
        nargs="+",
        help="photo scales of the training pairs (default: --photo-scale)",
    )
    parser.add_argument(
        "--train-stride",
        type=int,
        help="distance between training patches (default: half a patch)",
    )
    parser.add_argument(
        "--augment",
        action="store_true",
        help="a random flip/quarter turn of each training pair each epoch",
    )
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument(
        "--d-filters",
        type=int,
        nargs="+",
        default=[16],
        help="discriminator widths to try (the speed part uses the first)",
    )
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--gan-epochs", type=int, default=2)
    parser.add_argument("--gan-learning-rate", type=float, default=1e-4)
    parser.add_argument(
        "--gan-d-learning-rate",
        type=float,
        nargs="+",
        help="discriminator learning rates to try (default: the generator's)",
    )
    parser.add_argument(
        "--gan-pairs",
        type=int,
        help="SRGAN trains on this many random training pairs (default all)",
    )
    parser.add_argument(
        "--adversarial-weight",
        type=float,
        nargs="+",
        default=[1e-2],
        help="adversarial weights to try",
    )
    parser.add_argument(
        "--gan-loss",
        nargs="+",
        default=["non_saturating"],
        help="adversarial games to try (kgen.losses.AdversarialLoss names)",
    )
    parser.add_argument(
        "--spectral-discriminator",
        action="store_true",
        help="spectrally normalise the SRGAN discriminators' layers "
        "(instead of batch normalisation)",
    )
    parser.add_argument(
        "--content-feature-weight",
        type=float,
        nargs="+",
        default=[0.0],
        help="weights of a convolutional classifier's features in SRGAN's "
        "content loss, beside the pixel MSE, to try (0: pixels only)",
    )
    parser.add_argument("--train-pairs", type=int, default=None)
    parser.add_argument("--feature-patches", type=int, default=4000)
    parser.add_argument("--feature-epochs", type=int, default=20)
    parser.add_argument("--speed-epochs", type=int, default=6)
    parser.add_argument("--speed-samples", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--tag", default="", help="suffix of the JSON file's name"
    )
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.gan_epochs, args.feature_epochs = 1, 1, 1
        args.train_pairs, args.feature_patches = 64, 100
        args.speed_epochs, args.speed_samples = 2, 32
    part = args.part or "quality"
    os.environ.setdefault(
        "KERAS_BACKEND", "jax" if part == "speed" else "tensorflow"
    )
    os.makedirs(RESULTS, exist_ok=True)
    start = time.time()
    if part == "speed":
        results = speed(args)
        print(
            f"SRGAN fit {results['fit_samples_per_s']:.1f} samples/s, hand "
            f"loop {results['loop_samples_per_s']:.1f}: ratio "
            f"{results['ratio']:.2f} (quartiles "
            f"{results['ratio_quartiles'][0]:.2f}-"
            f"{results['ratio_quartiles'][1]:.2f}; goal >= 0.8)"
        )
    else:
        results = quality(args)
        print_quality(results)
    import keras

    results.update(
        backend=keras.backend.backend(),
        args=vars(args),
        wall_seconds=time.time() - start,
    )
    path = os.path.join(RESULTS, f"super_resolution_{part}{args.tag}.json")
    with open(path, "w") as file:
        json.dump(results, file, indent=1)
    print(f"wrote {path} ({results['wall_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
